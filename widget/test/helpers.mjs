// Test helpers: a real jds built from this repository, a small static server that serves
// test pages and passes API calls through to jds (so the pages are same-origin), and a
// Chromium from the system driven by playwright-core.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import { createServer as netServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const widgetDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoDir = join(widgetDir, '..');
export const artifacts = join(widgetDir, 'test-artifacts');
mkdirSync(artifacts, { recursive: true });

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = netServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

let built;
// jdsBinary builds ./cmd/jds once per test process; JDS_BIN names a prebuilt one instead.
function jdsBinary() {
  if (process.env.JDS_BIN) return process.env.JDS_BIN;
  if (built) return built;
  const dir = mkdtempSync(join(tmpdir(), 'jds-bin-'));
  built = join(dir, 'jds');
  execFileSync('go', ['build', '-o', built, './cmd/jds'], { cwd: repoDir, stdio: 'inherit' });
  return built;
}

// startJds runs a fresh jds on a free port with an empty data directory, and reads the
// instance admin token it prints (the console's instance-wide sections need it).
export async function startJds(env = {}) {
  const bin = jdsBinary();
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'jds-data-'));
  const proc = spawn(bin, [], {
    env: { ...process.env, JDS_ADDR: `127.0.0.1:${port}`, JDS_DATA_DIR: data, JDS_LOG_LEVEL: 'warn', ...env },
    cwd: data,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let errOut = '';
  proc.stderr.on('data', (d) => (errOut += d));
  const token = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`jds printed no token in 30s:\n${out}\n${errOut}`)), 30000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/export JDS_ADMIN_TOKEN='([^']+)'/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`jds exited (${code}):\n${out}\n${errOut}`));
    });
  });
  const base = `http://127.0.0.1:${port}`;
  const api = async (method, path, body) => {
    const res = await fetch(base + path, {
      method,
      headers: { Authorization: token, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, json, text };
  };
  return {
    base,
    token,
    api,
    post: async (ev, ws = 'default') => {
      const r = await api('POST', `/publish/v1/api/event?workspaceId=${encodeURIComponent(ws)}`, ev);
      if (r.status !== 202) throw new Error(`post ${ev.id}: ${r.status} ${r.text}`);
      return r.json;
    },
    stop: () =>
      new Promise((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', resolve);
        proc.kill('SIGTERM');
      }),
  };
}

export function sampleEvents() {
  const dir = join(repoDir, 'samples/events');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
}

const TYPES = { '.js': 'text/javascript', '.html': 'text/html', '.json': 'application/json' };

// startPages serves the given pages ({path: body}) and widget/dist/, and proxies every
// other request (API calls, SSE) to target.
export async function startPages(target, pages = {}) {
  const t = new URL(target);
  const srv = createServer((req, res) => {
    const path = req.url.split('?')[0];
    if (pages[path] !== undefined) {
      res.writeHead(200, { 'Content-Type': TYPES[extname(path)] || 'text/html', 'Cache-Control': 'no-store' });
      return res.end(pages[path]);
    }
    if (path.startsWith('/dist/')) {
      const f = join(widgetDir, path);
      if (!f.startsWith(join(widgetDir, 'dist')) || !existsSync(f)) {
        res.writeHead(404);
        return res.end();
      }
      res.writeHead(200, { 'Content-Type': TYPES[extname(f)] || 'application/octet-stream', 'Cache-Control': 'no-store' });
      return res.end(readFileSync(f));
    }
    const up = httpRequest({ host: t.hostname, port: t.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
    res.on('close', () => up.destroy());
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${srv.address().port}`,
    stop: () =>
      new Promise((r) => {
        srv.closeAllConnections();
        srv.close(r);
      }),
  };
}

// launch starts the system Chromium (never a downloaded one) with a fresh profile.
export async function launch(options = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'jds-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    locale: 'en-US',
    timezoneId: 'UTC',
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  return context;
}

// watch collects a page's console errors and uncaught exceptions. Failed loads whose
// status is listed in allow (url substring → status) are expected and not errors.
export function watch(page, allow = []) {
  const errors = [];
  const expected = new Set();
  page.on('response', (r) => {
    if (r.status() >= 400 && allow.some(([part, status]) => r.url().includes(part) && r.status() === status)) expected.add(r.url());
  });
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location()?.url || '';
    if (/Failed to load resource/.test(m.text()) && expected.has(url)) return;
    errors.push(`${m.text()} ${url}`);
  });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  return errors;
}

export function shot(page, name) {
  return page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}
