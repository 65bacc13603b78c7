// A small client for the jds API: same origin by default (another origin needs jds's
// cors.allowOrigins), SAS token in the header.

export class ApiError extends Error {
  constructor(status, message, errors = [], trackingId = '') {
    super(message);
    this.status = status;
    this.errors = errors;
    this.trackingId = trackingId;
  }
}

export function authHeader(token) {
  if (!token) return undefined;
  const t = token.trim();
  return /^(SharedAccessSignature|Bearer)\s/i.test(t) ? t : `SharedAccessSignature ${t}`;
}

// bareToken is the token without its scheme, for ?bearerToken= on SSE.
export function bareToken(token) {
  return (token || '').trim().replace(/^(SharedAccessSignature|Bearer)\s+/i, '');
}

export class Api {
  // organizationId, when given, goes with every request (jds checks it against the
  // token's organization, as the Webex API does).
  constructor({ baseUrl = '', token = '', organizationId = '', log = () => {} } = {}) {
    this.baseUrl = (baseUrl || '').replace(/\/+$/, '');
    this.token = token;
    this.organizationId = organizationId || '';
    this.log = log;
  }

  url(path, query) {
    let u = this.baseUrl + path;
    if (this.organizationId) query = { organizationId: this.organizationId, ...query };
    if (query) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
      const s = q.toString();
      if (s) u += (u.includes('?') ? '&' : '?') + s;
    }
    return u;
  }

  async request(method, path, { query, body, contentType = 'application/json' } = {}) {
    const headers = { Accept: 'application/json' };
    const auth = authHeader(this.token);
    if (auth) headers.Authorization = auth;
    if (body !== undefined) headers['Content-Type'] = contentType;
    const url = this.url(path, query);
    this.log(method, url);
    let res;
    try {
      res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new ApiError(0, unreachable(url, e));
    }
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!res.ok) {
      const msg = (json && json.message) || `${res.status} ${res.statusText || 'error'}`;
      const errs = (json && Array.isArray(json.errors) ? json.errors : []).filter((e) => e && e !== msg);
      throw new ApiError(res.status, msg, errs, (json && json.trackingId) || '');
    }
    return json;
  }

  get(path, query) {
    return this.request('GET', path, { query });
  }

  post(path, body) {
    return this.request('POST', path, { body });
  }

  patch(path, body) {
    return this.request('PATCH', path, { body });
  }

  // stream opens an EventSource on a live-stream path with the token in the query string.
  stream(path, query = {}) {
    const q = { ...query };
    const t = bareToken(this.token);
    if (t) q.bearerToken = t;
    const url = this.url(path, q);
    this.log('SSE', url.replace(/bearerToken=[^&]*/, 'bearerToken=…'));
    return new EventSource(url);
  }
}

// postStream POSTs a body, with the Api's address and token, to a route that answers
// Server-Sent Events (an EventSource can only GET) and calls onEvent(name, data) for each
// event, data parsed as JSON. A refusal before the stream starts (a 400 naming fields)
// throws as request() does. A function, not a method: the widget's bundle leaves it out.
export async function postStream(api, path, body, onEvent, { query, signal } = {}) {
  const headers = { Accept: 'text/event-stream', 'Content-Type': 'application/json' };
  const auth = authHeader(api.token);
  if (auth) headers.Authorization = auth;
  const url = api.url(path, query);
  api.log('POST SSE', url);
  let res;
  try {
    res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, unreachable(url, e));
  }
  if (!res.ok) {
    let json = null;
    try {
      json = await res.json();
    } catch {
      json = null;
    }
    const msg = (json && json.message) || `${res.status} ${res.statusText || 'error'}`;
    throw new ApiError(res.status, msg, (json && Array.isArray(json.errors) ? json.errors : []).filter((e) => e && e !== msg), (json && json.trackingId) || '');
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value.replace(/\r\n?/g, '\n');
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      let name = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) name = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (!data.length) continue;
      let v;
      try {
        v = JSON.parse(data.join('\n'));
      } catch {
        continue;
      }
      onEvent(name, v);
    }
  }
}

// unreachable explains a request that got no answer. The browser does not tell the page
// why: a server that is down and a cross-origin server that does not allow this page's
// origin (CORS) fail alike, so a cross-origin failure names both.
function unreachable(url, e) {
  const here = globalThis.location?.origin;
  let there = '';
  try {
    there = new URL(url, globalThis.location?.href).origin;
  } catch {
    there = '';
  }
  if (here && there && here !== there) {
    return `Cannot reach ${there}: ${e.message}. If it is running, it does not allow this page's origin ${here}: add it to cors.allowOrigins in its configuration (JDS_CORS_ORIGINS).`;
  }
  return `Cannot reach the server: ${e.message}`;
}

export const enc = encodeURIComponent;

export function errorText(e) {
  if (!e) return '';
  const extra = e.errors && e.errors.length ? ` (${e.errors.join('; ')})` : '';
  return `${e.message}${extra}`;
}
