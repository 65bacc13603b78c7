// postStream (src/api.js): Server-Sent Events read from a POST, against a small node
// server that splits events across chunks and lines with CRLF, and refuses with JSON.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Api, ApiError, postStream } from '../src/api.js';

let srv, base;
const seen = [];

before(async () => {
  srv = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', async () => {
      seen.push({ url: req.url, auth: req.headers.authorization, type: req.headers['content-type'], body: JSON.parse(body) });
      if (req.url.startsWith('/refuse')) {
        res.writeHead(400, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ message: 'the backtest request is invalid', errors: ['from: must be before to'] }));
      }
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      const parts = ['retry: 2000\n: connected\n\n', 'event: progress\r\nda', 'ta: {"persons":1,"events":2,"firings":0}\r\n\r\n', 'event: progress\ndata: not json\n\n', 'event: result\ndata: {"data":', '{"firings":[{"eventId":"e1"}]}}\n\n'];
      for (const p of parts) {
        res.write(p);
        await new Promise((r) => setTimeout(r, 5));
      }
      res.end();
    });
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${srv.address().port}`;
});

after(() => new Promise((r) => srv.close(r)));

test('postStream reads events split across chunks, with CRLF, and skips data that is not JSON', async () => {
  const events = [];
  const api = new Api({ baseUrl: base, token: 'so=dev&sig=x' });
  await postStream(api, '/bt', { from: 'a' }, (name, data) => events.push([name, data]), { query: { stream: true } });
  assert.deepEqual(events, [
    ['progress', { persons: 1, events: 2, firings: 0 }],
    ['result', { data: { firings: [{ eventId: 'e1' }] } }],
  ]);
  const req = seen.at(-1);
  assert.equal(req.url, '/bt?stream=true');
  assert.equal(req.auth, 'SharedAccessSignature so=dev&sig=x');
  assert.equal(req.type, 'application/json');
  assert.deepEqual(req.body, { from: 'a' });
});

test('postStream throws the server\'s refusal before the stream, as request() does', async () => {
  const api = new Api({ baseUrl: base });
  await assert.rejects(
    postStream(api, '/refuse', {}, () => assert.fail('no events')),
    (e) => e instanceof ApiError && e.status === 400 && e.message === 'the backtest request is invalid' && e.errors[0] === 'from: must be before to',
  );
});
