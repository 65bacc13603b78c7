// Builds dist/: the widget (one ES module) and the admin console (a page and its module).
// The output is committed, so that running jds needs no Node; scripts/browser-test.sh
// rebuilds and fails when the committed files differ from the source.
import * as esbuild from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');

const common = {
  bundle: true,
  format: 'esm',
  minify: true,
  target: ['es2021'],
  legalComments: 'none',
  charset: 'utf8',
  logLevel: 'info',
  absWorkingDir: root,
};

await rm(dist, { recursive: true, force: true });
await mkdir(join(dist, 'console'), { recursive: true });
await esbuild.build({ ...common, entryPoints: ['src/widget.js'], outfile: 'dist/customer-journey.js' });
await esbuild.build({ ...common, entryPoints: ['src/console.js'], outfile: 'dist/console/console.js' });
await copyFile(join(root, 'console/index.html'), join(dist, 'console/index.html'));
