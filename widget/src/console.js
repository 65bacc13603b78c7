// The jds admin console, served at /: sign in with a token, find persons, see a person's
// journey (the widget), tail live events, and the rule sections as their APIs arrive.
import { LitElement, html, css, nothing } from 'lit';
import { Api, enc, errorText } from './api.js';
import './widget.js';

const STORE = { token: 'jds.token', ws: 'jds.workspace', template: 'jds.template' };

// Sections read with GET; a 404 means the server does not have that API.
export const SECTIONS = {
  templates: { title: 'Profile templates', path: (ws) => `/admin/v1/api/profile-view-template/workspace-id/${enc(ws)}` },
  actions: { title: 'Journey actions', path: (ws) => `/admin/v1/api/journey-actions/workspace-id/${enc(ws)}` },
  flows: { title: 'IVR flows', path: (ws) => `/admin/v1/api/flows/workspace-id/${enc(ws)}` },
  deliveries: { title: 'Deliveries', path: (ws) => `/admin/v1/api/journey-actions/workspace-id/${enc(ws)}/history` },
  deadletters: { title: 'Dead letters', path: (ws) => `/admin/v1/api/journey-actions/workspace-id/${enc(ws)}/dead-letters` },
  jobs: { title: 'Scheduled jobs', path: () => '/admin/v1/api/jobs' },
};

// Sections whose definitions also come from files: where the last reload's status is.
const FILES = {
  templates: { path: '/admin/v1/api/rules', what: 'Rule files' },
  flows: { path: '/admin/v1/api/flows', what: 'Flow files' },
};

const NAV = [
  ['persons', 'Persons'],
  ['tail', 'Live tail'],
  ['templates', 'Templates'],
  ['actions', 'Actions'],
  ['flows', 'Flows'],
  ['deliveries', 'Deliveries'],
  ['deadletters', 'Dead letters'],
  ['jobs', 'Jobs'],
];

function store(k, v) {
  try {
    if (v === undefined) return sessionStorage.getItem(k) || '';
    if (v === null) sessionStorage.removeItem(k);
    else sessionStorage.setItem(k, v);
  } catch {
    return '';
  }
  return v;
}

function fmtTime(t) {
  const d = new Date(t);
  return isNaN(d) ? '' : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export class JdsConsole extends LitElement {
  static properties = {
    _token: { state: true },
    _ws: { state: true },
    _view: { state: true },
    _signError: { state: true },
    _signing: { state: true },
    _persons: { state: true },
    _page: { state: true },
    _personsError: { state: true },
    _found: { state: true },
    _findError: { state: true },
    _identity: { state: true },
    _template: { state: true },
    _tail: { state: true },
    _tailId: { state: true },
    _tailState: { state: true },
    _section: { state: true },
  };

  constructor() {
    super();
    this._token = store(STORE.token);
    this._ws = store(STORE.ws) || 'default';
    this._template = store(STORE.template);
    this._view = 'persons';
    this._persons = null;
    this._page = 0;
    this._pageSize = 20;
    this._found = null;
    this._identity = '';
    this._tail = [];
    this._tailId = '';
    this._tailState = 'off';
    this._section = null;
    this._onHash = () => this.route();
  }

  get api() {
    return new Api({ token: this._token });
  }

  connectedCallback() {
    super.connectedCallback();
    window.addEventListener('hashchange', this._onHash);
    this.route();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this._onHash);
    this.stopTail();
  }

  route() {
    const v = (location.hash || '').replace(/^#\/?/, '');
    this._view = NAV.some(([k]) => k === v) ? v : 'persons';
    if (!this._token) return;
    if (this._view === 'persons' && !this._persons) this.loadPersons(0);
    if (SECTIONS[this._view]) this.loadSection(this._view);
  }

  // --- sign in -------------------------------------------------------------------------

  async signIn(e) {
    e.preventDefault();
    const f = e.target;
    const token = f.token.value.trim().replace(/^export\s+JDS_TOKEN=/, '').replace(/^['"]|['"]$/g, '');
    const ws = f.ws.value.trim() || 'default';
    this._signing = true;
    this._signError = null;
    try {
      await new Api({ token }).get(`/admin/v1/api/person/workspace-id/${enc(ws)}`, { page: 0, pageSize: 1 });
      this._token = store(STORE.token, token);
      this._ws = store(STORE.ws, ws);
      this._persons = null;
      this.route();
    } catch (err) {
      this._signError = errorText(err);
    } finally {
      this._signing = false;
    }
  }

  signOut() {
    store(STORE.token, null);
    this.stopTail();
    this._token = '';
    this._persons = null;
    this._found = null;
    this._identity = '';
  }

  // --- persons -------------------------------------------------------------------------

  async loadPersons(page) {
    this._personsError = null;
    try {
      const res = await this.api.get(`/admin/v1/api/person/workspace-id/${enc(this._ws)}`, { page, pageSize: this._pageSize });
      this._persons = res?.data || [];
      this._page = page;
    } catch (e) {
      this._persons = [];
      this._personsError = errorText(e);
    }
  }

  async find(e) {
    e.preventDefault();
    const q = e.target.q.value.trim();
    if (!q) return;
    this._findError = null;
    this._found = null;
    this._identity = q;
    try {
      const res = await this.api.get(`/admin/v1/api/person/workspace-id/${enc(this._ws)}/aliases/${enc(q)}`);
      this._found = res?.data || [];
    } catch (err) {
      this._found = [];
      this._findError = err.status === 404 ? `No person owns “${q}”. Showing its journey anyway: events may arrive later.` : errorText(err);
    }
  }

  open(p) {
    this._identity = (p.aliases && p.aliases[0]) || '';
    this._found = [p];
    this._findError = null;
    this.updateComplete.then(() => this.renderRoot.querySelector('customer-journey-widget')?.scrollIntoView({ block: 'start' }));
  }

  setTemplate(e) {
    this._template = store(STORE.template, e.target.value.trim());
  }

  // --- live tail -----------------------------------------------------------------------

  startTail(e) {
    e.preventDefault();
    const id = e.target.identity.value.trim();
    if (!id) return;
    this.stopTail();
    this._tailId = id;
    this._tail = [];
    this._tailState = 'connecting';
    const es = this.api.stream(`/v1/api/events/stream/workspace-id/${enc(this._ws)}/identity/${enc(id)}`);
    this._es = es;
    es.onopen = () => (this._tailState = 'on');
    es.onerror = () => (this._tailState = es.readyState === EventSource.CLOSED ? 'closed' : 'connecting');
    es.addEventListener('event', (m) => {
      try {
        const ev = JSON.parse(m.data);
        this._tail = [ev, ...this._tail].slice(0, 200);
      } catch {
        /* not JSON: ignore */
      }
    });
  }

  stopTail() {
    if (this._es) this._es.close();
    this._es = null;
    this._tailState = 'off';
  }

  // --- later sections ------------------------------------------------------------------

  async loadSection(name) {
    this._section = { name, state: 'loading' };
    try {
      const res = await this.api.get(SECTIONS[name].path(this._ws));
      if (this._view !== name) return;
      // Templates and flows come from files: show whether the last reload of those worked.
      const files = FILES[name] ? await this.api.get(FILES[name].path).catch(() => null) : null;
      if (this._view !== name) return;
      this._section = { name, state: 'ok', data: res?.data, rules: files?.data };
    } catch (e) {
      if (this._view !== name) return;
      this._section = e.status === 404 ? { name, state: 'missing' } : { name, state: 'error', error: errorText(e) };
    }
  }

  // --- rendering -----------------------------------------------------------------------

  render() {
    if (!this._token) return this.renderSignIn();
    return html`<div class="app">
      <header class="bar">
        <span class="brand"><span class="logo" aria-hidden="true">J</span>jds <span class="sub">console</span></span>
        <span class="spacer"></span>
        <span class="ws" title="Workspace">Workspace <b>${this._ws}</b></span>
        <button class="ghost" @click=${this.signOut}>Sign out</button>
      </header>
      <nav aria-label="Sections">
        ${NAV.map(([k, label]) => html`<a href=${`#/${k}`} aria-current=${this._view === k ? 'page' : 'false'}>${label}</a>`)}
      </nav>
      <main>${this.renderView()}</main>
    </div>`;
  }

  renderSignIn() {
    return html`<main class="signin">
      <form class="card" @submit=${this.signIn} aria-labelledby="signin-title">
        <h1 id="signin-title"><span class="logo" aria-hidden="true">J</span> Sign in to jds</h1>
        <p class="muted">Paste a SharedAccessSignature token (jds prints an admin token when it starts; <code>jds token</code> mints others). It is kept in this browser tab only.</p>
        <label for="token">Token</label>
        <textarea id="token" name="token" rows="4" required spellcheck="false" placeholder="SharedAccessSignature so=…&amp;sn=…&amp;sig=…"></textarea>
        <label for="ws">Workspace</label>
        <input id="ws" name="ws" .value=${this._ws || 'default'} autocomplete="off" />
        ${this._signError ? html`<p class="error" role="alert">${this._signError}</p>` : nothing}
        <button class="primary" type="submit" ?disabled=${this._signing}>${this._signing ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>`;
  }

  renderView() {
    if (this._view === 'tail') return this.renderTail();
    if (SECTIONS[this._view]) return this.renderSection(this._view);
    return this.renderPersons();
  }

  renderPersons() {
    const ps = this._persons;
    return html`<h1>Persons</h1>
      <form class="find" role="search" @submit=${this.find}>
        <label for="q">Find by alias</label>
        <div class="row">
          <input id="q" name="q" type="search" placeholder="+12263762555, bob@example.com, customer ID…" autocomplete="off" required />
          <button class="primary" type="submit">Find</button>
        </div>
      </form>
      ${this._identity
        ? html`<section class="journey" aria-label="Selected customer">
            ${this._findError ? html`<p class="note" role="status">${this._findError}</p>` : nothing}
            ${(this._found || []).map((p) => this.renderPersonCard(p))}
            <div class="tpl">
              <label for="tpl">Profile template</label>
              <input id="tpl" .value=${this._template} placeholder="name or id (optional)" @change=${this.setTemplate} />
            </div>
            <customer-journey-widget
              customer=${this._identity}
              workspace-id=${this._ws}
              .token=${this._token}
              template-id=${this._template}
              live-stream
            ></customer-journey-widget>
          </section>`
        : nothing}
      <section aria-label="All persons">
        <h2>All persons</h2>
        ${this._personsError ? html`<p class="error" role="alert">${this._personsError}</p>` : nothing}
        ${ps === null
          ? html`<p class="muted">Loading…</p>`
          : ps.length
            ? html`<table class="list">
                <thead>
                  <tr><th>Name</th><th>Aliases</th><th class="wide">Updated</th></tr>
                </thead>
                <tbody>
                  ${ps.map(
                    (p) => html`<tr>
                      <td><button class="link" @click=${() => this.open(p)} aria-label=${`Open ${p.aliases?.[0] || p.id}`}>${[p.firstName, p.lastName].filter(Boolean).join(' ') || 'Unnamed'}</button></td>
                      <td class="mono">${(p.aliases || []).join(', ')}</td>
                      <td class="wide">${fmtTime(p.updatedAt)}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>`
            : html`<p class="muted">No persons on this page.</p>`}
        <div class="pager">
          <button ?disabled=${this._page === 0} @click=${() => this.loadPersons(this._page - 1)}>Previous</button>
          <span>Page ${this._page + 1}</span>
          <button ?disabled=${!ps || ps.length < this._pageSize} @click=${() => this.loadPersons(this._page + 1)}>Next</button>
        </div>
      </section>`;
  }

  renderPersonCard(p) {
    const name = [p.firstName, p.lastName].filter(Boolean).join(' ') || 'Unnamed person';
    return html`<div class="person">
      <div><b>${name}</b> <span class="muted mono">${p.id}</span></div>
      <div class="muted">Created ${fmtTime(p.createdAt)} · updated ${fmtTime(p.updatedAt)}${p.merges?.length ? ` · ${p.merges.length} merge(s)` : ''}</div>
    </div>`;
  }

  renderTail() {
    const st = { off: 'Stopped', connecting: 'Connecting…', on: 'Listening', closed: 'Closed by the server' }[this._tailState];
    return html`<h1>Live tail</h1>
      <form class="find" @submit=${this.startTail}>
        <label for="tail-id">Identity</label>
        <div class="row">
          <input id="tail-id" name="identity" .value=${this._tailId} placeholder="+12263762555" autocomplete="off" required />
          <button class="primary" type="submit">Start</button>
          <button type="button" @click=${this.stopTail} ?disabled=${this._tailState === 'off'}>Stop</button>
        </div>
      </form>
      <p class="status ${this._tailState}" role="status">${st}${this._tailId && this._tailState !== 'off' ? html` · ${this._tailId}` : nothing}</p>
      ${this._tail.length
        ? html`<table class="list tail" aria-label="Incoming events">
            <thead>
              <tr><th>Time</th><th>Type</th><th>Origin</th><th class="wide">Channel</th><th class="wide">Identity</th></tr>
            </thead>
            <tbody>
              ${this._tail.map(
                (e) => html`<tr data-id=${e.id}>
                  <td>${fmtTime(e.time)}</td>
                  <td>${e.type}</td>
                  <td>${e.data?.origin ?? ''}</td>
                  <td class="wide">${e.data?.channelType ?? ''}</td>
                  <td class="wide mono">${e.identity}</td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p class="muted">Events posted for this identity appear here as they arrive.</p>`}`;
  }

  renderSection(name) {
    const s = this._section && this._section.name === name ? this._section : { state: 'loading' };
    let body;
    if (s.state === 'loading') body = html`<p class="muted">Loading…</p>`;
    else if (s.state === 'missing') body = html`<p class="note" role="status">Not available on this server.</p>`;
    else if (s.state === 'error') body = html`<p class="error" role="alert">${s.error}</p>`;
    else if (name === 'jobs') body = this.renderJobs(s.data || []);
    else if (name === 'deliveries' || name === 'deadletters') body = this.renderDeliveries(s.data || [], name === 'deadletters');
    else {
      const rows = Array.isArray(s.data) ? s.data : s.data ? [s.data] : [];
      body = rows.length
        ? html`<table class="list">
            <thead>
              <tr><th>Name</th><th>Id</th><th>Source</th><th class="wide">Details</th></tr>
            </thead>
            <tbody>
              ${rows.map(
                (r) => html`<tr>
                  <td>${r.name ?? r.actionName ?? ''}</td>
                  <td class="mono">${r.id ?? r.templateId ?? r.actionId ?? ''}</td>
                  <td class="mono">${r.source ?? ''}${r.readOnly ? ' (read-only)' : ''}</td>
                  <td class="wide"><code class="json">${JSON.stringify(r).slice(0, 300)}</code></td>
                </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p class="muted">Nothing here yet.</p>`;
    }
    return html`<h1>${SECTIONS[name].title}</h1>
      <p class="muted mono">GET ${SECTIONS[name].path(this._ws)}</p>
      ${s.rules ? this.renderFileStatus(s.rules, FILES[name].what) : ''} ${body}`;
  }

  renderJobs(jobs) {
    const when = (t) => (t ? fmtTime(t) : '—');
    return html`<div class="scroll-x"><table class="list" aria-label="Scheduled jobs">
      <thead>
        <tr><th>Job</th><th>Schedule</th><th>Last run</th><th>Took</th><th>Result</th><th>Next run</th><th></th></tr>
      </thead>
      <tbody>
        ${jobs.map(
          (j) => html`<tr>
            <td class="mono nowrap">${j.name}</td>
            <td class="mono nowrap">${j.schedule}</td>
            <td>${when(j.lastStart)}</td>
            <td>${j.lastStart ? `${j.lastDurationSeconds.toFixed(3)} s` : ''}</td>
            <td>${j.running ? 'running' : j.lastError ? html`<span class="error">${j.lastError}</span>` : j.lastStart ? 'ok' : ''}</td>
            <td>${when(j.nextRun)}</td>
            <td><button ?disabled=${j.running} @click=${() => this.runJob(j.name)}>Run now</button></td>
          </tr>`,
        )}
      </tbody>
    </table></div>`;
  }

  // renderDeliveries shows what journey actions queued (the history) or gave up on (the
  // dead letters): one row per delivery, its payload read for the action, the connector
  // and the person's first alias; the last column is the last error and the partner's
  // answer.
  renderDeliveries(ds, dead) {
    if (!ds.length) return html`<p class="muted">${dead ? 'No dead letters.' : 'Nothing queued yet.'}</p>`;
    const when = (t) => (t && !t.startsWith('0001-') ? html`<time datetime=${t} title=${t}>${fmtTime(t)}</time>` : '—');
    return html`<div class="scroll-x"><table class="list deliveries" aria-label=${dead ? 'Dead letters' : 'Deliveries'}>
      <thead>
        <tr>
          <th>State</th><th>Action</th><th>Connector</th><th>Person</th><th>Created</th><th>Due</th><th>Last attempt</th><th>Attempts</th>
          <th>${dead ? 'Reason' : 'Last result'}</th>
        </tr>
      </thead>
      <tbody>
        ${ds.map((d) => {
          const p = d.payload || {};
          const target = p.connector || 'inline webhook';
          return html`<tr data-id=${d.id} data-state=${d.state}>
            <td><span class="state ${d.state}">${d.state}</span></td>
            <td>${p.action || p.actionId || ''}</td>
            <td class="mono nowrap" title=${p.url || ''}>${target}</td>
            <td><span class="mono">${p.aliases?.[0] || ''}</span><div class="muted mono small" title="Person id">${d.personId}</div></td>
            <td>${when(d.createdAt)}</td>
            <td>${when(d.due)}</td>
            <td>${d.attempts ? when(d.updatedAt) : '—'}</td>
            <td>${d.attempts}</td>
            <td>
              ${d.lastError ? html`<span class="bad">${d.lastError}</span>` : ''}
              ${d.response ? html`<div class="muted mono small" title="The partner's answer">${d.response}</div>` : ''}
            </td>
          </tr>`;
        })}
      </tbody>
    </table></div>`;
  }

  async runJob(name) {
    try {
      await this.api.post(`/admin/v1/api/jobs/${enc(name)}/run`);
    } catch (e) {
      if (e.status !== 409) {
        this._section = { name: 'jobs', state: 'error', error: errorText(e) };
        return;
      }
    }
    // The run happens in the background: refresh until it has finished (a few seconds
    // at most; a longer job shows as running).
    for (let i = 0; i < 10; i++) {
      await this.loadSection('jobs');
      const job = (this._section?.data || []).find((j) => j.name === name);
      if (this._view !== 'jobs' || !job || !job.running) return;
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  renderFileStatus(r, what) {
    if (r.ok) {
      return html`<p class="note" role="status">
        ${what} in <span class="mono">${r.dir}</span>: ${r.files.length} loaded${r.loadedAt ? html` at ${r.loadedAt}` : ''}.
      </p>`;
    }
    return html`<div class="error" role="alert" aria-label="${what.slice(0, -1)} errors">
      <p>${what} in <span class="mono">${r.dir}</span> have errors; the previous set stays in force:</p>
      <ul>
        ${r.errors.map((e) => html`<li class="mono">${e}</li>`)}
      </ul>
    </div>`;
  }

  static styles = css`
    :host {
      display: block;
      min-height: 100vh;
      font-family: system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif;
      font-size: 14px;
      color: #1f2328;
      background: #f6f8fa;
    }
    * {
      box-sizing: border-box;
    }
    button,
    input,
    select,
    textarea {
      font: inherit;
      color: inherit;
    }
    :focus-visible {
      outline: 2px solid #1d6ae5;
      outline-offset: 2px;
    }
    .logo {
      display: inline-flex;
      align-items: center;
      justify-content: center;
      width: 26px;
      height: 26px;
      border-radius: 6px;
      background: #1d6ae5;
      color: #fff;
      font-weight: 700;
      margin-right: 8px;
    }
    .signin {
      display: flex;
      justify-content: center;
      padding: 10vh 16px;
    }
    .card {
      width: 100%;
      max-width: 460px;
      background: #fff;
      border: 1px solid #d8dee4;
      border-radius: 10px;
      padding: 24px;
      display: flex;
      flex-direction: column;
      gap: 8px;
      box-shadow: 0 1px 3px rgba(0, 0, 0, 0.05);
    }
    .card h1 {
      display: flex;
      align-items: center;
      margin: 0 0 4px;
      font-size: 20px;
    }
    label {
      font-weight: 600;
      font-size: 13px;
    }
    input,
    textarea {
      border: 1px solid #c9d1d9;
      border-radius: 6px;
      padding: 7px 9px;
      background: #fff;
      min-width: 0;
    }
    textarea {
      font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
      font-size: 12px;
      resize: vertical;
    }
    button {
      cursor: pointer;
      border: 1px solid #c9d1d9;
      background: #fff;
      border-radius: 6px;
      padding: 6px 12px;
    }
    button:disabled {
      opacity: 0.55;
      cursor: default;
    }
    button.primary {
      background: #1d6ae5;
      border-color: #1d6ae5;
      color: #fff;
      font-weight: 600;
    }
    button.ghost {
      background: transparent;
      border-color: rgba(255, 255, 255, 0.4);
      color: #fff;
    }
    button.link {
      border: none;
      background: none;
      padding: 0;
      color: #1d6ae5;
      font-weight: 600;
      text-align: left;
    }
    button.link:hover {
      text-decoration: underline;
    }
    .muted {
      color: #6e7781;
    }
    .mono,
    code {
      font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
      font-size: 12px;
      overflow-wrap: anywhere;
    }
    .error {
      padding: 8px 10px;
      border-radius: 6px;
      background: #fff1f0;
      border: 1px solid #ffccc7;
      color: #a8071a;
      margin: 8px 0;
    }
    .note {
      padding: 8px 10px;
      border-radius: 6px;
      background: #fff8e1;
      border: 1px solid #f3d98b;
      color: #6b4f00;
      margin: 8px 0;
    }
    .app {
      display: grid;
      grid-template-columns: 200px 1fr;
      grid-template-rows: auto 1fr;
      min-height: 100vh;
    }
    .bar {
      grid-column: 1 / -1;
      display: flex;
      align-items: center;
      gap: 12px;
      padding: 10px 16px;
      background: #0f1b2d;
      color: #fff;
    }
    .brand {
      display: flex;
      align-items: center;
      font-weight: 700;
      font-size: 16px;
    }
    .brand .sub {
      font-weight: 400;
      opacity: 0.7;
      margin-left: 4px;
    }
    .spacer {
      flex: 1;
    }
    .ws {
      font-size: 13px;
      opacity: 0.9;
    }
    nav {
      display: flex;
      flex-direction: column;
      padding: 12px 8px;
      gap: 2px;
      background: #fff;
      border-right: 1px solid #d8dee4;
    }
    nav a {
      padding: 7px 10px;
      border-radius: 6px;
      color: #424a53;
      text-decoration: none;
    }
    nav a:hover {
      background: #f0f3f6;
    }
    nav a[aria-current='page'] {
      background: #e8f0fe;
      color: #0b4fc0;
      font-weight: 600;
    }
    main {
      padding: 16px 24px 40px;
      min-width: 0;
      max-width: 1100px;
    }
    h1 {
      font-size: 20px;
      margin: 4px 0 12px;
    }
    h2 {
      font-size: 15px;
      margin: 20px 0 8px;
    }
    .find {
      display: flex;
      flex-direction: column;
      gap: 6px;
      margin-bottom: 12px;
    }
    .row {
      display: flex;
      gap: 6px;
      flex-wrap: wrap;
    }
    .row input {
      flex: 1 1 220px;
    }
    .journey {
      background: #fff;
      border: 1px solid #d8dee4;
      border-radius: 10px;
      padding: 12px;
      margin-bottom: 16px;
    }
    .person {
      margin-bottom: 8px;
    }
    .tpl {
      display: flex;
      align-items: center;
      gap: 8px;
      margin: 8px 0;
      flex-wrap: wrap;
    }
    .list {
      width: 100%;
      border-collapse: collapse;
      background: #fff;
      border: 1px solid #d8dee4;
      border-radius: 8px;
      overflow: hidden;
    }
    .list th,
    .list td {
      text-align: left;
      padding: 7px 10px;
      border-bottom: 1px solid #eaeef2;
      vertical-align: top;
    }
    .list th {
      background: #f6f8fa;
      font-size: 12px;
      color: #57606a;
      font-weight: 600;
    }
    .scroll-x {
      overflow-x: auto;
    }
    .nowrap {
      white-space: nowrap;
    }
    .small {
      font-size: 11px;
    }
    .bad {
      color: #a8071a;
    }
    .state {
      display: inline-block;
      padding: 1px 8px;
      border-radius: 10px;
      font-size: 12px;
      font-weight: 600;
      background: #eaeef2;
      color: #424a53;
    }
    .state.sent {
      background: #dafbe1;
      color: #1a7f37;
    }
    .state.pending {
      background: #fff8c5;
      color: #7d4e00;
    }
    .state.dead {
      background: #ffebe9;
      color: #a8071a;
    }
    .pager {
      display: flex;
      align-items: center;
      gap: 10px;
      margin-top: 10px;
    }
    .status {
      font-size: 13px;
      color: #57606a;
    }
    .status.on {
      color: #1a7f37;
    }
    .status.closed {
      color: #a8071a;
    }
    @media (max-width: 720px) {
      .app {
        grid-template-columns: 1fr;
        grid-template-rows: auto auto 1fr;
      }
      nav {
        flex-direction: row;
        overflow-x: auto;
        border-right: none;
        border-bottom: 1px solid #d8dee4;
      }
      nav a {
        white-space: nowrap;
      }
      main {
        padding: 12px;
      }
      .wide {
        display: none;
      }
      .ws {
        display: none;
      }
    }
  `;
}

customElements.define('jds-console', JdsConsole);
