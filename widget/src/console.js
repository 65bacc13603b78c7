// The jds admin console, served at /: sign in with a token, find persons, see a person's
// journey (the widget), tail live events, and the rule sections as their APIs arrive.
import { LitElement, html, css, nothing } from 'lit';
import { Api, enc, errorText, postStream } from './api.js';
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

// A template or an action id that does not exist: a PUT to it is checked (400 naming the
// fields) and then refused with 404 when the definition is valid, so the editor can ask
// the server about a definition as it is typed without saving anything.
const PROBE_ID = '00000000-0000-0000-0000-000000000000';

const SHADOW_PATH = (ws) => `/admin/v1/api/journey-actions/workspace-id/${enc(ws)}/shadow`;
const BACKTEST_PATH = (ws) => `/admin/v1/api/journey-actions/backtest/workspace-id/${enc(ws)}`;

// The states a delivery list can be filtered by: the server's, and "deferred" (pending,
// held back by a contact policy's quiet hours).
const DELIVERY_STATES = ['pending', 'deferred', 'sent', 'dead', 'suppressed', 'shadow'];
const REASONS = { optOut: 'the person opted out', maxPerPerson: 'the cap per person was reached', quietHours: 'quiet hours' };

// deliveryKind is the state a delivery is shown and filtered as.
export function deliveryKind(d) {
  return d.state === 'pending' && d.policy?.outcome === 'deferred' ? 'deferred' : d.state;
}

// localInput is a time as a datetime-local input takes it (local time, to the minute).
function localInput(ms) {
  const d = new Date(ms);
  return new Date(ms - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
}

const TEMPLATE_PATH = (ws) => `/admin/v1/api/profile-view-template/workspace-id/${enc(ws)}`;
const ACTION_PATH = (ws, tid) => `/admin/v1/api/journey-actions/workspace-id/${enc(ws)}/template-id/${enc(tid)}`;

const MODES = ['Value', 'Count', 'Sum', 'Min', 'Max', 'Average', 'Distinct'];
const META_TYPES = ['string', 'integer', 'double', 'utc_datetime'];
const DURATIONS = ['minutes', 'hours', 'days'];

const NEW_ATTRIBUTE = () => ({ displayName: '', event: '', metaData: '', metaDataType: 'string', aggregationMode: 'Count', lookBackPeriod: 30, lookBackDurationType: 'days', limit: 1000 });
const NEW_TRIGGER = () => ({ type: 'Connector', connector: '' });

// The path of a field in a definition: "attributes[0].event" → ['attributes', 0, 'event'].
function parsePath(p) {
  return String(p)
    .split(/\.|\[(\d+)\]/)
    .filter((x) => x !== undefined && x !== '')
    .map((x) => (/^\d+$/.test(x) ? Number(x) : x));
}

function getPath(obj, path) {
  return parsePath(path).reduce((o, k) => (o === null || o === undefined ? undefined : o[k]), obj);
}

function setPath(obj, path, value) {
  const keys = parsePath(path);
  let o = obj;
  for (const k of keys.slice(0, -1)) o = o[k] ??= {};
  const last = keys[keys.length - 1];
  if (value === undefined) delete o[last];
  else o[last] = value;
}

// fieldOf finds, among the form's field paths, the one an error names: the longest that is
// the error's path or a prefix of it ("attributes[0].rules.args[1]" → "attributes[0].rules").
export function fieldOf(errPath, fields) {
  let best = '';
  for (const f of fields) {
    if ((errPath === f || errPath.startsWith(f + '.') || errPath.startsWith(f + '[')) && f.length > best.length) best = f;
  }
  return best;
}

// splitErrors sorts the server's "field: reason" lines onto the form's fields; the rest
// (and the message) are the form's.
export function splitErrors(err, fields) {
  const byField = {};
  const general = [];
  for (const line of err.errors?.length ? err.errors : []) {
    const m = /^([A-Za-z_][\w.[\]]*): (.*)$/s.exec(line);
    const f = m ? fieldOf(m[1], fields) : '';
    if (f) (byField[f] ||= []).push(m[1] === f ? m[2] : `${m[1].slice(f.length).replace(/^\./, '')}: ${m[2]}`);
    else general.push(line);
  }
  if (!general.length && !Object.keys(byField).length) general.push(err.message);
  return { byField, general, message: err.message };
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
    _edit: { state: true },
    _saved: { state: true },
    _bt: { state: true },
    _ver: { state: true },
    _ex: { state: true },
    _dfilter: { state: true },
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
    this._edit = null;
    this._saved = '';
    this._bt = null;
    this._ver = null;
    this._ex = null;
    this._dfilter = '';
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
    if (this._edit && this._edit.kind !== this._view) this._edit = null;
    if (this._bt && this._view !== 'actions') this.closeBacktest();
    if (this._ver && this._ver.kind !== this._view) this._ver = null;
    if (this._ex && this._view !== 'actions') this._ex = null;
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
      // The action editor offers the workspace's templates.
      const templates = name === 'actions' ? await this.api.get(TEMPLATE_PATH(this._ws), { pageSize: 1000 }).catch(() => null) : null;
      // The deliveries add what actions in shadow mode would have sent (the history has
      // them too; a server that lists them apart may keep them out of it).
      let data = res?.data;
      if (name === 'deliveries' && Array.isArray(data)) {
        const shadow = await this.api.get(SHADOW_PATH(this._ws)).catch(() => null);
        const ids = new Set(data.map((d) => d.id));
        const more = (shadow?.data || []).filter((d) => !ids.has(d.id));
        if (more.length) data = [...data, ...more].sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
      }
      if (this._view !== name) return;
      this._section = { name, state: 'ok', data, rules: files?.data, templates: templates?.data || [] };
    } catch (e) {
      if (this._view !== name) return;
      this._section = e.status === 404 ? { name, state: 'missing' } : { name, state: 'error', error: errorText(e) };
    }
  }

  // --- template and action editor -------------------------------------------------------

  // edit opens the editor on a definition (a copy: fields the form does not show are kept
  // as they are), or on a new one when def is null. Rule-file definitions open read-only.
  edit(kind, def) {
    const s = this._section || {};
    let obj;
    if (def) {
      obj = JSON.parse(JSON.stringify(def));
      for (const k of ['readOnly', 'backfill', 'source', 'templateName']) delete obj[k];
    } else if (kind === 'templates') obj = { name: '', attributes: [NEW_ATTRIBUTE()] };
    else obj = { name: '', isActive: true, cooldownPeriodInMinutes: 60, rules: { logic: 'SINGLE', condition: '' }, actionTriggers: [NEW_TRIGGER()] };
    const tid = kind === 'actions' ? def?.templateId || s.templates?.find((t) => !t.readOnly)?.id || s.templates?.[0]?.id || '' : '';
    if (kind === 'actions') delete obj.templateId;
    this._saved = '';
    this._edit = {
      kind,
      id: def?.id || '',
      name: def?.name || '',
      tid,
      obj,
      readOnly: !!def?.readOnly,
      source: def?.source || '',
      raw: {},
      rawErr: {},
      errors: {},
      general: [],
      checking: false,
      checked: false,
      saving: false,
    };
    this.updateComplete.then(() => {
      const f = this.renderRoot.querySelector('.editor');
      (f?.querySelector('input:not([disabled]), select, textarea') || f)?.focus();
    });
  }

  closeEditor() {
    if (this._bt?.fromEditor) this.closeBacktest();
    this._edit = null;
  }

  // The form's field paths: where the server's errors may land.
  get editFields() {
    const e = this._edit;
    if (!e) return [];
    if (e.kind === 'templates') {
      const f = ['name', 'attributes'];
      (e.obj.attributes || []).forEach((_, i) => {
        for (const k of ['displayName', 'event', 'metaData', 'metaDataType', 'aggregationMode', 'lookBackPeriod', 'lookBackDurationType', 'limit', 'rules']) f.push(`attributes[${i}].${k}`);
        f.push(`attributes[${i}]`);
      });
      return f;
    }
    const f = ['name', 'isActive', 'cooldownPeriodInMinutes', 'rules', 'condition', 'actionTriggers'];
    (e.obj.actionTriggers || []).forEach((_, i) => {
      for (const k of ['type', 'webhookURL', 'connector', 'at', 'attributes']) f.push(`actionTriggers[${i}].${k}`);
      f.push(`actionTriggers[${i}]`);
    });
    return f;
  }

  // change sets a field from an input and asks the server about the result shortly after.
  change(path, value) {
    const e = this._edit;
    setPath(e.obj, path, value);
    this._edit = { ...e, checked: false };
    this.scheduleCheck();
  }

  // changeJson keeps a JSON field's text; the definition takes it once it parses.
  changeJson(path, text) {
    const e = this._edit;
    const raw = { ...e.raw, [path]: text };
    const rawErr = { ...e.rawErr };
    delete rawErr[path];
    if (!text.trim()) setPath(e.obj, path, undefined);
    else {
      try {
        setPath(e.obj, path, JSON.parse(text));
      } catch (err) {
        rawErr[path] = `not valid JSON: ${err.message}`;
      }
    }
    this._edit = { ...e, raw, rawErr, checked: false };
    this.scheduleCheck();
  }

  addRow(list, make) {
    const e = this._edit;
    e.obj[list] = [...(e.obj[list] || []), make()];
    this._edit = { ...e };
    this.scheduleCheck();
  }

  removeRow(list, i) {
    const e = this._edit;
    e.obj[list] = e.obj[list].filter((_, j) => j !== i);
    // Errors and JSON texts are by index: ask again rather than shift them.
    this._edit = { ...e, raw: {}, rawErr: {}, errors: {} };
    this.scheduleCheck();
  }

  scheduleCheck() {
    this._editVer = (this._editVer || 0) + 1;
    clearTimeout(this._checkTimer);
    this._checkTimer = setTimeout(() => this.check(), 400);
  }

  editPath(id) {
    const e = this._edit;
    return e.kind === 'templates' ? `${TEMPLATE_PATH(this._ws)}/template-id/${enc(id)}` : `${ACTION_PATH(this._ws, e.tid)}/action-id/${enc(id)}`;
  }

  // check asks the server to validate the definition (a PUT to an id that does not exist:
  // 400 lists the problems, 404 means there are none it checks before saving).
  async check() {
    const e = this._edit;
    if (!e || e.readOnly || Object.keys(e.rawErr).length || (e.kind === 'actions' && !e.tid)) return;
    const seq = (this._checkSeq = (this._checkSeq || 0) + 1);
    const ver = this._editVer;
    this._edit = { ...e, checking: true };
    let result;
    try {
      await this.api.request('PUT', this.editPath(PROBE_ID), { body: e.obj });
      result = { byField: {}, general: [] }; // an id nobody has: not expected, but no problem found
    } catch (err) {
      result = err.status === 404 ? { byField: {}, general: [] } : err.status === 400 ? splitErrors(err, this.editFields) : { byField: {}, general: [errorText(err)] };
    }
    if (seq !== this._checkSeq || ver !== this._editVer || this._edit?.obj !== e.obj) return;
    this._edit = { ...this._edit, checking: false, checked: true, errors: result.byField, general: result.general };
  }

  async save(ev) {
    ev.preventDefault();
    const e = this._edit;
    if (!e || e.readOnly || Object.keys(e.rawErr).length) return;
    clearTimeout(this._checkTimer);
    this._checkSeq = (this._checkSeq || 0) + 1; // a check under way is stale now
    this._edit = { ...e, saving: true };
    try {
      const base = e.kind === 'templates' ? TEMPLATE_PATH(this._ws) : ACTION_PATH(this._ws, e.tid);
      if (e.id) await this.api.request('PUT', this.editPath(e.id), { body: e.obj });
      else await this.api.post(base, e.obj);
      this._saved = `Saved “${e.obj.name}”.`;
      this._edit = null;
      await this.loadSection(e.kind);
    } catch (err) {
      const r = err.status === 400 ? splitErrors(err, this.editFields) : { byField: {}, general: [errorText(err)] };
      this._edit = { ...this._edit, saving: false, checked: true, errors: r.byField, general: r.general };
      this.updateComplete.then(() => this.renderRoot.querySelector('.editor [aria-invalid="true"], .editor .form-errors')?.focus());
    }
  }

  async remove(kind, def) {
    if (!confirm(`Delete “${def.name}”?`)) return;
    const path = kind === 'templates' ? `${TEMPLATE_PATH(this._ws)}/template-id/${enc(def.id)}` : `${ACTION_PATH(this._ws, def.templateId)}/action-id/${enc(def.id)}`;
    try {
      await this.api.request('DELETE', path);
      this._saved = `Deleted “${def.name}”.`;
      this._edit = null;
    } catch (err) {
      this._saved = '';
      this._section = { ...this._section, actionError: errorText(err) };
      return;
    }
    await this.loadSection(kind);
  }

  // --- backtest ------------------------------------------------------------------------

  // openBacktest shows the backtest form for a saved action (def) or, from the editor, for
  // the definition being edited (saved or not: the body carries it).
  openBacktest(def) {
    this.closeBacktest();
    const e = this._edit;
    const fromEditor = !def;
    const now = Date.now();
    this._bt = {
      name: (fromEditor ? e.obj.name : def.name) || 'unsaved action',
      fromEditor,
      tid: fromEditor ? e.tid : def.templateId,
      actionId: fromEditor ? '' : def.id,
      from: localInput(now - 7 * 86400000),
      to: localInput(now + 60000),
      ids: '',
      running: false,
      progress: null,
      result: null,
      error: '',
    };
    this.updateComplete.then(() => this.renderRoot.querySelector('#bt-from')?.focus());
  }

  closeBacktest() {
    this._btAbort?.abort();
    this._btAbort = null;
    this._bt = null;
  }

  async runBacktest(ev) {
    ev.preventDefault();
    const f = ev.target;
    const b = this._bt;
    const from = new Date(f.from.value);
    const to = new Date(f.to.value);
    const identities = f.ids.value.split(/[\n,]+/).map((x) => x.trim()).filter(Boolean);
    const base = { ...b, from: f.from.value, to: f.to.value, ids: f.ids.value, result: null, error: '', progress: null };
    if (isNaN(from) || isNaN(to)) {
      this._bt = { ...base, error: 'From and To must be times.' };
      return;
    }
    const body = { templateId: b.tid, from: from.toISOString(), to: to.toISOString() };
    if (identities.length) body.identities = identities;
    if (b.fromEditor) body.action = this._edit.obj;
    else body.actionId = b.actionId;
    this._btAbort?.abort();
    const ctl = (this._btAbort = new AbortController());
    this._bt = { ...base, running: true };
    const set = (patch) => {
      if (this._btAbort === ctl) this._bt = { ...this._bt, ...patch };
    };
    try {
      await postStream(
        this.api,
        BACKTEST_PATH(this._ws),
        body,
        (name, data) => {
          if (name === 'progress') set({ progress: data });
          else if (name === 'result') set({ result: data?.data || {} });
          else if (name === 'error') set({ error: data?.message || 'the backtest failed' });
        },
        { query: { stream: true }, signal: ctl.signal },
      );
      if (this._btAbort === ctl && !this._bt.result && !this._bt.error) set({ error: 'The server ended the stream without a result.' });
    } catch (err) {
      if (err.name !== 'AbortError') set({ error: errorText(err) });
    } finally {
      set({ running: false });
      if (this._btAbort === ctl) this._btAbort = null;
    }
  }

  stopBacktest() {
    this._btAbort?.abort();
    this._btAbort = null;
    this._bt = { ...this._bt, running: false, error: 'Stopped.' };
  }

  renderBacktest() {
    const b = this._bt;
    if (!b) return nothing;
    const p = b.progress;
    const r = b.result;
    const status = b.running ? (p ? `Replaying… ${p.persons} person(s), ${p.events} event(s), ${p.firings} firing(s) so far` : 'Replaying…') : r ? 'Done.' : '';
    const fmtVal = (v) => (typeof v === 'string' ? v : JSON.stringify(v));
    const firings = r ? [...(r.firings || [])].sort((x, y) => String(x.time).localeCompare(String(y.time))) : [];
    return html`<section class="card-box backtest" aria-labelledby="bt-title" @keydown=${(ev) => ev.key === 'Escape' && this.closeBacktest()}>
      <h2 id="bt-title">Backtest “${b.name}”</h2>
      <p class="muted">
        Replays ${b.fromEditor ? 'the definition as edited (not saved)' : 'the saved action'} over the events stored in the window, as live commits
        would have: what it would have fired. Nothing is sent or saved; contact policies are not applied.
      </p>
      <form class="bt-form" @submit=${this.runBacktest}>
        <div class="grid">
          <div class="field"><label for="bt-from">From</label><input id="bt-from" name="from" type="datetime-local" required .value=${b.from} /></div>
          <div class="field"><label for="bt-to">To</label><input id="bt-to" name="to" type="datetime-local" required .value=${b.to} /></div>
        </div>
        <div class="field">
          <label for="bt-ids">Identities (optional: one per line or comma-separated; none replays every person)</label>
          <textarea id="bt-ids" name="ids" rows="2" spellcheck="false" .value=${b.ids}></textarea>
        </div>
        <div class="actions-row">
          <button class="primary" type="submit" ?disabled=${b.running}>${b.running ? 'Running…' : 'Run backtest'}</button>
          ${b.running ? html`<button type="button" @click=${this.stopBacktest}>Stop</button>` : nothing}
          <button type="button" @click=${this.closeBacktest}>Close backtest</button>
          <span class="status" role="status" aria-live="polite">${status}</span>
        </div>
      </form>
      ${b.error ? html`<p class="error" role="alert">${b.error}</p>` : nothing}
      ${r
        ? html`<dl class="totals" aria-label="Backtest totals">
              <div><dt>Persons</dt><dd data-total="persons">${r.persons ?? 0}</dd></div>
              <div><dt>Events</dt><dd data-total="events">${r.events ?? 0}</dd></div>
              <div><dt>Firings</dt><dd data-total="firings">${r.firingsTotal ?? firings.length}${firings.length < (r.firingsTotal ?? 0) ? ` (the first ${firings.length} listed)` : ''}</dd></div>
              <div><dt>Truncated</dt><dd data-total="truncated">${r.truncated ? `yes: ${r.truncatedReason || 'a bound was reached'}` : 'no'}</dd></div>
            </dl>
            ${r.truncated ? html`<p class="note" role="note">The replay stopped early (${r.truncatedReason || 'a bound was reached'}): the totals cover the persons replayed so far.</p>` : nothing}
            ${r.unresolved?.length ? html`<p class="note" role="note">No person owns: <span class="mono">${r.unresolved.join(', ')}</span></p>` : nothing}
            ${firings.length
              ? html`<div class="scroll-x"><table class="list timeline" aria-label="Firings">
                  <thead><tr><th>Time</th><th>Person</th><th>Event</th><th>Values</th></tr></thead>
                  <tbody>
                    ${firings.map(
                      (x) => html`<tr data-event=${x.eventId}>
                        <td class="nowrap"><time datetime=${x.time} title=${x.time}>${fmtTime(x.time)}</time></td>
                        <td class="mono">${x.personId}</td>
                        <td class="mono">${x.eventId}</td>
                        <td><ul class="values">${Object.entries(x.values || {}).map(([k, v]) => html`<li><span class="muted">${k}</span> <span class="mono">${fmtVal(v)}</span></li>`)}</ul></td>
                      </tr>`,
                    )}
                  </tbody>
                </table></div>`
              : html`<p class="muted">No firings in this window.</p>`}`
        : nothing}
    </section>`;
  }

  // --- versions ------------------------------------------------------------------------

  // defPath is where a saved template or action lives (its versions are under it).
  defPath(kind, def) {
    return kind === 'templates' ? `${TEMPLATE_PATH(this._ws)}/template-id/${enc(def.id)}` : `${ACTION_PATH(this._ws, def.templateId)}/action-id/${enc(def.id)}`;
  }

  async openVersions(kind, def, msg = '') {
    const v = { kind, name: def.name, path: this.defPath(kind, def), list: null, diff: null, error: '', msg, a: 0, b: 0 };
    this._ver = v;
    try {
      const res = await this.api.get(`${v.path}/versions`);
      const list = res?.data || [];
      if (this._ver?.path !== v.path) return;
      const n = list.length;
      this._ver = { ...this._ver, list, a: n > 1 ? list[n - 2].version : list[0]?.version || 0, b: list[n - 1]?.version || 0 };
    } catch (err) {
      if (this._ver?.path === v.path) this._ver = { ...this._ver, list: [], error: errorText(err) };
    }
    this.updateComplete.then(() => this.renderRoot.querySelector('.versions h2')?.focus());
  }

  async compareVersions(ev) {
    ev.preventDefault();
    const v = this._ver;
    const a = Number(ev.target.a.value);
    const b = Number(ev.target.b.value);
    this._ver = { ...v, a, b, diff: null, error: '' };
    try {
      const res = await this.api.get(`${v.path}/versions/${a}/diff/${b}`);
      if (this._ver?.path === v.path) this._ver = { ...this._ver, diff: res?.data || { changes: [] } };
    } catch (err) {
      if (this._ver?.path === v.path) this._ver = { ...this._ver, error: errorText(err) };
    }
  }

  async rollback(n) {
    const v = this._ver;
    this._ver = { ...v, error: '', msg: '' };
    try {
      const res = await this.api.post(`${v.path}/versions/${n}/rollback`);
      await this.loadSection(v.kind);
      const def = res?.data || {};
      await this.openVersions(v.kind, { ...def, name: def.name || v.name }, `Rolled back to version ${n}: saved as a new version.`);
    } catch (err) {
      if (this._ver?.path === v.path) this._ver = { ...this._ver, error: errorText(err) };
    }
  }

  renderVersions() {
    const v = this._ver;
    if (!v) return nothing;
    const show = (x) => (x === undefined ? html`<span class="muted">—</span>` : html`<code>${JSON.stringify(x)}</code>`);
    const opts = (sel) => (v.list || []).map((x) => html`<option value=${x.version} ?selected=${x.version === sel}>${x.version}</option>`);
    return html`<section class="card-box versions" aria-labelledby="ver-title" @keydown=${(ev) => ev.key === 'Escape' && (this._ver = null)}>
      <h2 id="ver-title" tabindex="-1">Versions of “${v.name}”</h2>
      ${v.msg ? html`<p class="ok" role="status">${v.msg}</p>` : nothing}
      ${v.error ? html`<p class="error" role="alert">${v.error}</p>` : nothing}
      ${v.list === null
        ? html`<p class="muted">Loading…</p>`
        : v.list.length
          ? html`<table class="list" aria-label="Versions">
                <thead><tr><th>Version</th><th>Saved</th><th>By</th><th></th></tr></thead>
                <tbody>
                  ${v.list.map(
                    (x) => html`<tr data-version=${x.version}>
                      <td>${x.version}${x.current ? html` <span class="tag">current</span>` : nothing}</td>
                      <td>${x.savedAt ? html`<time datetime=${x.savedAt} title=${x.savedAt}>${fmtTime(x.savedAt)}</time>` : '—'}</td>
                      <td class="mono">${x.savedBy || ''}</td>
                      <td>${x.current ? nothing : html`<button class="small" @click=${() => this.rollback(x.version)}>Roll back to ${x.version}</button>`}</td>
                    </tr>`,
                  )}
                </tbody>
              </table>
              <form class="actions-row" @submit=${this.compareVersions}>
                <label for="ver-a">Compare version</label><select id="ver-a" name="a">${opts(v.a)}</select>
                <label for="ver-b">with</label><select id="ver-b" name="b">${opts(v.b)}</select>
                <button type="submit">Show changes</button>
              </form>
              ${v.diff
                ? v.diff.changes?.length
                  ? html`<table class="list" aria-label=${`Changes from ${v.diff.from} to ${v.diff.to}`}>
                      <thead><tr><th>Field</th><th>Version ${v.diff.from}</th><th>Version ${v.diff.to}</th></tr></thead>
                      <tbody>${v.diff.changes.map((c) => html`<tr data-path=${c.path}><td class="mono">${c.path}</td><td>${show(c.old)}</td><td>${show(c.new)}</td></tr>`)}</tbody>
                    </table>`
                  : html`<p class="muted" role="status">No changes between ${v.diff.from} and ${v.diff.to}.</p>`
                : nothing}`
          : v.error
            ? nothing
            : html`<p class="muted">No versions kept.</p>`}
      <button @click=${() => (this._ver = null)}>Close versions</button>
    </section>`;
  }

  // --- explain -------------------------------------------------------------------------

  openExplain(def) {
    this._ex = { name: def.name, path: this.defPath('actions', def), identity: '', data: null, error: '', loading: false };
    this.updateComplete.then(() => this.renderRoot.querySelector('#ex-id')?.focus());
  }

  async explain(ev) {
    ev.preventDefault();
    const x = this._ex;
    const identity = ev.target.identity.value.trim();
    if (!identity) return;
    this._ex = { ...x, identity, data: null, error: '', loading: true };
    try {
      const res = await this.api.get(`${x.path}/explain`, { identity });
      if (this._ex?.path === x.path) this._ex = { ...this._ex, data: res?.data || {}, loading: false };
    } catch (err) {
      if (this._ex?.path === x.path) this._ex = { ...this._ex, error: errorText(err), loading: false };
    }
  }

  renderExplain() {
    const x = this._ex;
    if (!x) return nothing;
    const d = x.data;
    const yes = (b) => (b ? 'yes' : 'no');
    const val = (v) => (v === null || v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
    const cd = d?.cooldown;
    return html`<section class="card-box explain" aria-labelledby="ex-title" @keydown=${(ev) => ev.key === 'Escape' && (this._ex = null)}>
      <h2 id="ex-title">Explain “${x.name}”</h2>
      <form class="actions-row" @submit=${this.explain}>
        <label for="ex-id">Identity</label>
        <input id="ex-id" name="identity" .value=${x.identity} placeholder="+12263762555" autocomplete="off" required />
        <button class="primary" type="submit" ?disabled=${x.loading}>Explain</button>
        <button type="button" @click=${() => (this._ex = null)}>Close explain</button>
      </form>
      ${x.error ? html`<p class="error" role="alert">${x.error}</p>` : nothing}
      ${d
        ? html`<p class="verdict ${d.wouldFire ? 'ok' : 'bad'}" role="status">
              ${d.wouldFire ? 'Would fire now' : 'Would not fire now'} for person <span class="mono">${d.personId || '(nobody owns it yet)'}</span>
              (at <time datetime=${d.at}>${fmtTime(d.at)}</time>).
            </p>
            <dl class="totals" aria-label="Explanation">
              <div><dt>Active</dt><dd data-k="isActive">${yes(d.isActive)}</dd></div>
              <div><dt>Rule and condition hold</dt><dd data-k="holds">${yes(d.holds)}</dd></div>
              ${d.rule !== undefined ? html`<div><dt>JDS rule</dt><dd data-k="rule">${val(d.rule)}</dd></div>` : nothing}
              ${cd
                ? html`<div>
                    <dt>Cooldown (${cd.minutes} min)</dt>
                    <dd data-k="cooldown">${cd.holds ? html`running until <time datetime=${cd.until}>${fmtTime(cd.until)}</time>` : 'not running'}${cd.lastFired ? html`; last fired <time datetime=${cd.lastFired}>${fmtTime(cd.lastFired)}</time>` : ''}</dd>
                  </div>`
                : nothing}
            </dl>
            ${d.error ? html`<p class="error" role="alert">${d.error}</p>` : nothing}
            ${d.clauses?.length
              ? html`<table class="list" aria-label="Clauses">
                  <thead><tr><th>Clause${d.operator ? html` (joined by <code>${d.operator}</code>)` : nothing}</th><th>Value</th></tr></thead>
                  <tbody>${d.clauses.map((c) => html`<tr><td class="mono">${c.text}</td><td>${val(c.value)}${c.error ? html` <span class="bad">${c.error}</span>` : nothing}</td></tr>`)}</tbody>
                </table>`
              : nothing}
            ${d.attributes && Object.keys(d.attributes).length
              ? html`<table class="list" aria-label="Attributes">
                  <thead><tr><th>Attribute</th><th>Value now</th></tr></thead>
                  <tbody>${Object.entries(d.attributes).map(([k, v]) => html`<tr><td>${k}</td><td class="mono">${val(v)}</td></tr>`)}</tbody>
                </table>`
              : nothing}`
        : nothing}
    </section>`;
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
    else if (name === 'templates' || name === 'actions') body = this.renderDefinitions(name, s);
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

  // renderDefinitions lists templates or actions with their editor: API definitions can be
  // edited and deleted, rule-file ones are shown read-only with their file.
  renderDefinitions(kind, s) {
    const rows = Array.isArray(s.data) ? s.data : [];
    const tname = (id) => s.templates?.find((t) => t.id === id)?.name || id;
    const what = kind === 'templates' ? 'template' : 'action';
    return html`
      ${this._saved ? html`<p class="ok" role="status">${this._saved}</p>` : nothing}
      ${s.actionError ? html`<p class="error" role="alert">${s.actionError}</p>` : nothing}
      ${this._edit?.kind === kind ? this.renderEditor(s) : html`<p><button class="primary" @click=${() => this.edit(kind, null)} ?disabled=${kind === 'actions' && !s.templates?.length}>New ${what}</button>
            ${kind === 'actions' && !s.templates?.length ? html`<span class="muted">An action belongs to a template: create one first.</span>` : nothing}</p>`}
      ${kind === 'actions' ? this.renderBacktest() : nothing} ${kind === 'actions' ? this.renderExplain() : nothing}
      ${this._ver?.kind === kind ? this.renderVersions() : nothing}
      ${rows.length
        ? html`<div class="scroll-x"><table class="list defs" aria-label=${kind === 'templates' ? 'Profile templates' : 'Journey actions'}>
            <thead>
              <tr><th>Name</th>${kind === 'actions' ? html`<th>Template</th>` : nothing}<th>Source</th><th class="wide">Id</th><th class="wide">Summary</th><th></th></tr>
            </thead>
            <tbody>
              ${rows.map(
                (r) => html`<tr data-id=${r.id}>
                  <td>${r.name}</td>
                  ${kind === 'actions' ? html`<td>${r.templateName || tname(r.templateId)}</td>` : nothing}
                  <td class="mono">${r.readOnly ? html`<span class="tag">read-only</span> ${r.source}` : r.source || 'api'}</td>
                  <td class="mono wide">${r.id}</td>
                  <td class="wide">${kind === 'templates' ? `${(r.attributes || []).length} attribute(s)${r.backfill ? ` · backfill ${r.backfill.state}` : ''}` : `${r.isActive ? 'active' : 'inactive'} · ${(r.actionTriggers || []).length} trigger(s)`}</td>
                  <td class="nowrap">
                    ${kind === 'actions'
                      ? html`<button @click=${() => this.openBacktest(r)} aria-label=${`Backtest ${r.name}`}>Backtest</button>
                          <button @click=${() => this.openExplain(r)} aria-label=${`Explain ${r.name}`}>Explain</button>`
                      : nothing}
                    <button @click=${() => this.openVersions(kind, r)} aria-label=${`Versions of ${r.name}`}>Versions</button>
                    ${r.readOnly
                      ? html`<button @click=${() => this.edit(kind, r)} aria-label=${`View ${r.name}`}>View</button>`
                      : html`<button @click=${() => this.edit(kind, r)} aria-label=${`Edit ${r.name}`}>Edit</button>
                          <button @click=${() => this.remove(kind, r)} aria-label=${`Delete ${r.name}`}>Delete</button>`}
                  </td>
                </tr>`,
              )}
            </tbody>
          </table></div>`
        : html`<p class="muted">Nothing here yet.</p>`}`;
  }

  renderEditor(s) {
    const e = this._edit;
    const what = e.kind === 'templates' ? 'template' : 'action';
    const title = e.readOnly ? `${e.name} (from a rule file)` : e.id ? `Edit ${what} “${e.name}”` : `New ${what}`;
    if (e.readOnly) {
      return html`<section class="editor card-box" aria-label=${title} tabindex="-1">
        <h2>${title}</h2>
        <p class="note" role="note">Defined in <span class="mono">${e.source}</span>: read-only here. Change the file and reload the rules.</p>
        <pre class="source" aria-label="Source">${JSON.stringify(e.obj, null, 2)}</pre>
        <button @click=${this.closeEditor}>Close</button>
      </section>`;
    }
    const problems = Object.values(e.errors).flat().length + e.general.length + Object.keys(e.rawErr).length;
    const status = e.checking ? 'Checking…' : e.checked ? (problems ? `${problems} problem(s)` : 'The server finds no problems.') : '';
    return html`<form class="editor card-box" aria-label=${title} @submit=${this.save} @keydown=${(ev) => ev.key === 'Escape' && this.closeEditor()} novalidate>
      <h2>${title}</h2>
      ${e.general.length
        ? html`<div class="error form-errors" role="alert" tabindex="-1"><ul>${e.general.map((g) => html`<li>${g}</li>`)}</ul></div>`
        : nothing}
      ${e.kind === 'actions'
        ? html`<div class="field">
            <label for="f-tid">Template</label>
            <select id="f-tid" ?disabled=${!!e.id} @change=${(ev) => {
              this._edit = { ...e, tid: ev.target.value };
              this.scheduleCheck();
            }}>
              ${(s.templates || []).map((t) => html`<option value=${t.id} ?selected=${t.id === e.tid}>${t.name}</option>`)}
            </select>
          </div>`
        : nothing}
      ${this.input('name', 'Name')}
      ${e.kind === 'templates' ? this.renderTemplateFields() : this.renderActionFields()}
      <div class="actions-row">
        <button class="primary" type="submit" ?disabled=${e.saving}>${e.saving ? 'Saving…' : 'Save'}</button>
        <button type="button" @click=${this.closeEditor}>Cancel</button>
        ${e.kind === 'actions' ? html`<button type="button" @click=${() => this.openBacktest(null)} ?disabled=${!e.tid || Object.keys(e.rawErr).length > 0}>Backtest</button>` : nothing}
        <span class="status ${problems ? 'bad' : ''}" role="status" aria-live="polite">${status}</span>
      </div>
    </form>`;
  }

  renderTemplateFields() {
    const attrs = this._edit.obj.attributes || [];
    return html`${this.fieldErrors('attributes')}
      ${attrs.map(
        (_, i) => html`<fieldset class="row-box">
          <legend>Attribute ${i + 1}</legend>
          ${this.fieldErrors(`attributes[${i}]`)}
          <div class="grid">
            ${this.input(`attributes[${i}].displayName`, 'Display name')} ${this.input(`attributes[${i}].event`, 'Event type')}
            ${this.input(`attributes[${i}].metaData`, 'Data field')} ${this.select(`attributes[${i}].metaDataType`, 'Field type', META_TYPES)}
            ${this.select(`attributes[${i}].aggregationMode`, 'Aggregation', MODES)} ${this.input(`attributes[${i}].lookBackPeriod`, 'Look back', 'number')}
            ${this.select(`attributes[${i}].lookBackDurationType`, 'Look back unit', DURATIONS)} ${this.input(`attributes[${i}].limit`, 'Limit', 'number')}
          </div>
          ${this.json(`attributes[${i}].rules`, 'Rules (JSON, optional)')}
          <button type="button" class="small" @click=${() => this.removeRow('attributes', i)} aria-label=${`Remove attribute ${i + 1}`} ?disabled=${attrs.length < 2}>Remove attribute</button>
        </fieldset>`,
      )}
      <button type="button" @click=${() => this.addRow('attributes', NEW_ATTRIBUTE)}>Add attribute</button>`;
  }

  renderActionFields() {
    const trs = this._edit.obj.actionTriggers || [];
    return html`<div class="grid">
        ${this.checkbox('isActive', 'Active')} ${this.input('cooldownPeriodInMinutes', 'Cooldown (minutes)', 'number')}
      </div>
      ${this.json('rules', 'Rules (JSON: {"logic": "SINGLE", "condition": "<event>,<field>,<type>,<Mode> <OP> <value>"})')}
      ${this.input('condition', 'Condition (expression, optional)')}
      ${this.fieldErrors('actionTriggers')}
      ${trs.map(
        (t, i) => html`<fieldset class="row-box">
          <legend>Trigger ${i + 1}</legend>
          ${this.fieldErrors(`actionTriggers[${i}]`)}
          <div class="grid">
            ${this.select(`actionTriggers[${i}].type`, 'Type', ['Connector', 'Webhook'])}
            ${t.type === 'Webhook' ? this.input(`actionTriggers[${i}].webhookURL`, 'Webhook URL', 'url') : this.input(`actionTriggers[${i}].connector`, 'Connector')}
            ${this.input(`actionTriggers[${i}].at`, 'At (optional, ${expression})')}
          </div>
          ${this.json(`actionTriggers[${i}].attributes`, 'Attributes (JSON object, optional)')}
          <button type="button" class="small" @click=${() => this.removeRow('actionTriggers', i)} aria-label=${`Remove trigger ${i + 1}`} ?disabled=${trs.length < 2}>Remove trigger</button>
        </fieldset>`,
      )}
      <button type="button" @click=${() => this.addRow('actionTriggers', NEW_TRIGGER)}>Add trigger</button>`;
  }

  fid(path) {
    return 'f-' + path.replace(/[^A-Za-z0-9]+/g, '-');
  }

  // fieldErrors shows the server's messages for a field, tied to its input.
  fieldErrors(path) {
    const e = this._edit;
    const msgs = [...(e.errors[path] || []), ...(e.rawErr[path] ? [e.rawErr[path]] : [])];
    return msgs.length ? html`<div class="field-error" id=${this.fid(path) + '-err'} data-field=${path}>${msgs.map((m) => html`<div>${m}</div>`)}</div>` : nothing;
  }

  invalid(path) {
    const e = this._edit;
    return e.errors[path]?.length || e.rawErr[path] ? 'true' : 'false';
  }

  input(path, label, type = 'text') {
    const id = this.fid(path);
    const v = getPath(this._edit.obj, path);
    const bad = this.invalid(path);
    return html`<div class="field">
      <label for=${id}>${label}</label>
      <input id=${id} type=${type} .value=${v === undefined || v === null ? '' : String(v)} aria-invalid=${bad} aria-describedby=${bad === 'true' ? id + '-err' : nothing}
        @input=${(ev) => this.change(path, type === 'number' ? (ev.target.value === '' ? undefined : Number(ev.target.value)) : ev.target.value)} />
      ${this.fieldErrors(path)}
    </div>`;
  }

  select(path, label, options) {
    const id = this.fid(path);
    const v = getPath(this._edit.obj, path) ?? '';
    const bad = this.invalid(path);
    return html`<div class="field">
      <label for=${id}>${label}</label>
      <select id=${id} aria-invalid=${bad} aria-describedby=${bad === 'true' ? id + '-err' : nothing} @change=${(ev) => this.change(path, ev.target.value)}>
        ${options.includes(v) ? nothing : html`<option value=${v} selected>${v || '—'}</option>`}
        ${options.map((o) => html`<option value=${o} ?selected=${o === v}>${o}</option>`)}
      </select>
      ${this.fieldErrors(path)}
    </div>`;
  }

  checkbox(path, label) {
    const id = this.fid(path);
    return html`<div class="field check">
      <input id=${id} type="checkbox" .checked=${!!getPath(this._edit.obj, path)} @change=${(ev) => this.change(path, ev.target.checked)} />
      <label for=${id}>${label}</label>
      ${this.fieldErrors(path)}
    </div>`;
  }

  json(path, label) {
    const e = this._edit;
    const id = this.fid(path);
    const v = getPath(e.obj, path);
    const text = e.raw[path] ?? (v === undefined ? '' : JSON.stringify(v, null, 2));
    const bad = this.invalid(path);
    return html`<div class="field">
      <label for=${id}>${label}</label>
      <textarea id=${id} rows="3" spellcheck="false" .value=${text} aria-invalid=${bad} aria-describedby=${bad === 'true' ? id + '-err' : nothing} @input=${(ev) => this.changeJson(path, ev.target.value)}></textarea>
      ${this.fieldErrors(path)}
    </div>`;
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
  //
  // A contact policy's hold shows under the state: "suppressed" (never sent) with the
  // policy's name and reason, "deferred" (pending, due at the end of quiet hours) with
  // the time it was due before; "shadow" rows are what an action in shadow mode would
  // have sent. The history can be filtered by these states.
  renderDeliveries(all, dead) {
    if (!all.length) return html`<p class="muted">${dead ? 'No dead letters.' : 'Nothing queued yet.'}</p>`;
    const when = (t) => (t && !t.startsWith('0001-') ? html`<time datetime=${t} title=${t}>${fmtTime(t)}</time>` : '—');
    const count = {};
    for (const d of all) count[deliveryKind(d)] = (count[deliveryKind(d)] || 0) + 1;
    const filter = dead ? '' : this._dfilter;
    const ds = filter ? all.filter((d) => deliveryKind(d) === filter) : all;
    const states = [...DELIVERY_STATES, ...Object.keys(count).filter((k) => !DELIVERY_STATES.includes(k))];
    const note = (d) => {
      const h = d.policy;
      const k = deliveryKind(d);
      if (k === 'shadow') return html`<div class="hold small">Not sent: the action is in shadow mode.</div>`;
      if (!h) return nothing;
      const why = html`<span class="mono">${h.reason}</span>${REASONS[h.reason] ? ` (${REASONS[h.reason]})` : ''}`;
      if (h.outcome === 'deferred')
        return html`<div class="hold small">Deferred by policy “${h.name}”: ${why}; was due ${h.deferredFrom ? when(h.deferredFrom) : '—'}, now due ${when(d.due)}.</div>`;
      return html`<div class="hold small">${h.outcome === 'suppressed' ? 'Suppressed' : h.outcome} by policy “${h.name}”: ${why}.</div>`;
    };
    return html`${dead
        ? nothing
        : html`<div class="tpl">
            <label for="d-filter">Show</label>
            <select id="d-filter" @change=${(ev) => (this._dfilter = ev.target.value)}>
              <option value="" ?selected=${!filter}>all states (${all.length})</option>
              ${states.map((k) => html`<option value=${k} ?selected=${filter === k}>${k} (${count[k] || 0})</option>`)}
            </select>
          </div>`}
      ${ds.length ? nothing : html`<p class="muted" role="status">No ${filter} deliveries.</p>`}
      <div class="scroll-x"><table class="list deliveries" aria-label=${dead ? 'Dead letters' : 'Deliveries'}>
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
          const k = deliveryKind(d);
          return html`<tr data-id=${d.id} data-state=${k}>
            <td><span class="state ${k}">${k}</span>${note(d)}</td>
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
    .state.suppressed {
      background: #f3e8ff;
      color: #6e2bb0;
    }
    .state.deferred {
      background: #ddf4ff;
      color: #0550ae;
    }
    .state.shadow {
      background: #fff;
      color: #57606a;
      border: 1px dashed #8c959f;
    }
    .hold {
      margin-top: 4px;
      color: #57606a;
      max-width: 260px;
    }
    .bt-form {
      display: flex;
      flex-direction: column;
      gap: 10px;
    }
    .totals {
      display: flex;
      flex-wrap: wrap;
      gap: 8px 24px;
      margin: 0;
    }
    .totals dt {
      font-size: 12px;
      color: #57606a;
    }
    .totals dd {
      margin: 0;
      font-weight: 600;
    }
    ul.values {
      list-style: none;
      margin: 0;
      padding: 0;
    }
    .card-box {
      background: #fff;
      border: 1px solid #d8dee4;
      border-radius: 10px;
      padding: 12px 16px;
      margin: 0 0 16px;
      display: flex;
      flex-direction: column;
      gap: 10px;
    }
    .card-box h2 {
      margin: 0;
    }
    .card-box > button,
    .row-box > button {
      align-self: flex-start;
    }
    .field {
      display: flex;
      flex-direction: column;
      gap: 4px;
      min-width: 0;
    }
    .field.check {
      flex-direction: row;
      align-items: center;
      gap: 8px;
    }
    .grid {
      display: grid;
      grid-template-columns: repeat(auto-fill, minmax(200px, 1fr));
      gap: 10px;
    }
    select {
      border: 1px solid #c9d1d9;
      border-radius: 6px;
      padding: 6px 8px;
      background: #fff;
    }
    [aria-invalid='true'] {
      border-color: #cf222e;
      box-shadow: 0 0 0 1px #cf222e;
    }
    .field-error {
      color: #a8071a;
      font-size: 12px;
    }
    .row-box {
      border: 1px solid #d8dee4;
      border-radius: 8px;
      padding: 8px 12px 12px;
      display: flex;
      flex-direction: column;
      gap: 8px;
      min-width: 0;
    }
    .row-box legend {
      font-weight: 600;
      font-size: 13px;
    }
    .actions-row {
      display: flex;
      align-items: center;
      gap: 8px;
      flex-wrap: wrap;
    }
    button.small {
      align-self: flex-start;
      font-size: 12px;
      padding: 3px 8px;
    }
    .ok {
      color: #1a7f37;
    }
    .tag {
      display: inline-block;
      padding: 0 6px;
      border-radius: 4px;
      background: #eaeef2;
      color: #424a53;
      font-size: 11px;
      font-family: system-ui, sans-serif;
    }
    pre.source {
      margin: 0;
      padding: 10px;
      background: #f6f8fa;
      border: 1px solid #d8dee4;
      border-radius: 6px;
      overflow: auto;
      max-height: 420px;
      font-size: 12px;
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
