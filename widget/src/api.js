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
