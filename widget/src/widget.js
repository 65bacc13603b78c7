// <customer-journey-widget>: one customer's journey (timeline, profile, aliases) from jds,
// with live refresh over Server-Sent Events. Attributes follow the Webex JDS widget.
import { LitElement, html, css, nothing } from 'lit';
import { Api, enc, errorText } from './api.js';
import { lookup, renderIcon } from './icons.js';

export { COLORS } from './icons.js';

export const TIME_FRAMES = {
  All: 0,
  '24-Hours': 24 * 3600e3,
  '7-Days': 7 * 24 * 3600e3,
  '30-Days': 30 * 24 * 3600e3,
};

export const ALIAS_KINDS = ['phone', 'email', 'customerId', 'socialId', 'temporaryId'];
const KIND_LABELS = { phone: 'Phone', email: 'Email', customerId: 'Customer ID', socialId: 'Social ID', temporaryId: 'Temporary ID' };

// dayKey is the local calendar day of a time, YYYY-MM-DD.
export function dayKey(t) {
  const d = new Date(t);
  if (isNaN(d)) return 'unknown';
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

function dayLabel(key, now = new Date()) {
  if (key === 'unknown') return 'Unknown date';
  if (key === dayKey(now)) return 'Today';
  if (key === dayKey(now.getTime() - 24 * 3600e3)) return 'Yesterday';
  const [y, m, d] = key.split('-').map(Number);
  return new Intl.DateTimeFormat(undefined, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' }).format(new Date(y, m - 1, d));
}

function timeLabel(t) {
  const d = new Date(t);
  return isNaN(d) ? '' : new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }).format(d);
}

function decodeSource(s) {
  try {
    return decodeURIComponent(s || '');
  } catch {
    return s || '';
  }
}

function show(v) {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

// customerFromInteraction reads the customer of an Agent Desktop task
// ($STORE.agentContact.taskSelected): the value of the CAD variable `cad` when the task
// has it (callAssociatedDetails, or callAssociatedData's {value}), else the dialled
// number (dnis) of an outbound contact, else the caller (ani). Fields are looked up on the
// task, then on its `interaction` (and `data.interaction`), as Desktop versions nest them;
// contactDirection is a string or {type}.
export function customerFromInteraction(d, cad) {
  if (!d || typeof d !== 'object') return '';
  const layers = [d, d.interaction, d.data, d.data?.interaction].filter((o) => o && typeof o === 'object');
  const text = (v) => (v && typeof v === 'object' ? v.value : v) ?? '';
  const pick = (k) => {
    for (const o of layers) if (o[k] && (typeof o[k] === 'object' || String(o[k]).trim())) return o[k];
    return undefined;
  };
  if (cad) {
    for (const o of layers)
      for (const bag of [o.callAssociatedDetails, o.callAssociatedData]) {
        const v = bag && typeof bag === 'object' ? String(text(bag[cad])).trim() : '';
        if (v) return v;
      }
  }
  let dir = pick('contactDirection');
  if (dir && typeof dir === 'object') dir = dir.type;
  return String(text(String(dir || '').toUpperCase() === 'OUTBOUND' ? pick('dnis') : pick('ani'))).trim();
}

// Links in event data: http and https URLs only, never javascript: or data:.
const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;

export function safeHref(u) {
  try {
    const x = new URL(u);
    return x.protocol === 'http:' || x.protocol === 'https:' ? x.href : null;
  } catch {
    return null;
  }
}

function linkify(text) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    const url = m[0].replace(/[.,;:!?)\]}]+$/, '');
    const href = safeHref(url);
    if (!href) continue;
    out.push(text.slice(last, m.index), html`<a href=${href} target="_blank" rel="noopener noreferrer">${url}</a>`);
    last = m.index + url.length;
  }
  if (!out.length) return text;
  out.push(text.slice(last));
  return out;
}

// taskOf is the event's task id (data.taskid, any case): events of one task are one row.
function taskOf(ev) {
  const d = ev?.data;
  if (!d || typeof d !== 'object') return '';
  for (const k of Object.keys(d)) if (k.toLowerCase() === 'taskid' && d[k] !== null && d[k] !== undefined && d[k] !== '') return show(d[k]);
  return '';
}

// rowsOf collapses events (newest first) sharing a task id into one row at the place of
// the newest of them.
function rowsOf(events) {
  const rows = [];
  const tasks = new Map();
  for (const ev of events) {
    const t = taskOf(ev);
    if (t && tasks.has(t)) tasks.get(t).items.push(ev);
    else {
      const row = { task: t, items: [ev] };
      if (t) tasks.set(t, row);
      rows.push(row);
    }
  }
  return rows;
}

function isUuid(t) {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(t);
}

function byTimeDesc(a, b) {
  return (Date.parse(b.time) || 0) - (Date.parse(a.time) || 0);
}

export class CustomerJourneyWidget extends LitElement {
  static properties = {
    customer: { type: String },
    templateId: { type: String, attribute: 'template-id' },
    limit: { type: Number },
    timeFrame: { type: String, attribute: 'time-frame' },
    liveStream: { type: Boolean, attribute: 'live-stream' },
    iconDataPath: { type: String, attribute: 'icon-data-path' },
    badgeKeyword: { type: String, attribute: 'badge-keyword' },
    collapseTimelineSection: { type: Boolean, attribute: 'collapse-timeline-section' },
    collapseProfileSection: { type: Boolean, attribute: 'collapse-profile-section' },
    collapseAliasSection: { type: Boolean, attribute: 'collapse-alias-section' },
    readOnlyAliases: { type: Boolean, attribute: 'read-only-aliases' },
    hideAliases: { type: Boolean, attribute: 'hide-aliases' },
    baseUrl: { type: String, attribute: 'base-url' },
    token: { type: String },
    // Agent Desktop's properties (the layout binds them to $STORE values).
    interactionData: { type: Object, attribute: 'interaction-data' },
    cadVariable: { type: String, attribute: 'cad-variable' },
    bearerToken: { type: String, attribute: 'bearer-token' },
    organizationId: { type: String, attribute: 'organization-id' },
    dataCenter: { type: String, attribute: 'data-center' },
    eventIconTemplate: { attribute: false },
    workspaceId: { type: String, attribute: 'workspace-id' },
    logsOn: { type: Boolean, attribute: 'logs-on' },

    _identity: { state: true },
    _events: { state: true },
    _loading: { state: true },
    _more: { state: true },
    _error: { state: true },
    _expanded: { state: true },
    _hidden: { state: true },
    _frame: { state: true },
    _live: { state: true },
    _profile: { state: true },
    _person: { state: true },
    _aliasMsg: { state: true },
    _aliasBusy: { state: true },
    _open: { state: true },
    _iconMap: { state: true },
    _fresh: { state: true },
    _editName: { state: true },
    _nameMsg: { state: true },
  };

  constructor() {
    super();
    this.customer = '';
    this.templateId = '';
    this.limit = 50;
    this.timeFrame = 'All';
    this.liveStream = false;
    this.iconDataPath = '';
    this.badgeKeyword = '';
    this.collapseTimelineSection = false;
    this.collapseProfileSection = false;
    this.collapseAliasSection = false;
    this.readOnlyAliases = false;
    this.hideAliases = false;
    this.baseUrl = '';
    this.token = '';
    this.interactionData = null;
    this.cadVariable = '';
    this.bearerToken = '';
    this.organizationId = '';
    this.dataCenter = '';
    this.eventIconTemplate = null;
    this._editName = false;
    this._nameMsg = null;
    this._pes = null;
    this.workspaceId = 'default';
    this.logsOn = false;

    this._identity = '';
    this._events = [];
    this._loading = false;
    this._more = false;
    this._page = 0;
    this._error = null;
    this._expanded = new Set();
    this._hidden = new Set();
    this._frame = 'All';
    this._live = 'off';
    this._profile = { state: 'none' };
    this._person = { state: 'none' };
    this._aliasMsg = null;
    this._aliasBusy = false;
    this._open = { timeline: true, profile: true, alias: true };
    this._iconMap = null;
    this._fresh = new Set();
    this._es = null;
    this._retry = null;
    this._gen = 0;
  }

  log(...args) {
    if (this.logsOn) console.debug('[customer-journey]', ...args);
  }

  get api() {
    return new Api({ baseUrl: this.base, token: this.authToken, organizationId: this.organizationId, log: (...a) => this.log(...a) });
  }

  // base is jds's address: base-url, with {dataCenter} replaced by the dataCenter
  // property; or dataCenter itself when it is a URL; else the page's origin.
  get base() {
    const dc = (this.dataCenter || '').trim();
    if (this.baseUrl) return this.baseUrl.replace(/\{dataCenter\}/g, encodeURIComponent(dc));
    return /^https?:\/\//i.test(dc) ? dc : '';
  }

  // authToken: bearerToken (Agent Desktop) as a Bearer token, else the token attribute.
  get authToken() {
    const b = (this.bearerToken || '').trim();
    if (!b) return this.token;
    return /^(SharedAccessSignature|Bearer)\s/i.test(b) ? b : `Bearer ${b}`;
  }

  get ws() {
    return this.workspaceId || 'default';
  }

  willUpdate(changed) {
    if (changed.has('customer') || changed.has('interactionData') || changed.has('cadVariable')) {
      const who = (this.customer || '').trim() || customerFromInteraction(this.interactionData, (this.cadVariable || '').trim());
      // A task without a customer in it keeps the one shown; no task at all (none
      // selected, or it ended) clears it.
      if (who || changed.has('customer') || !this.interactionData) this._identity = who;
    }
    if (changed.has('timeFrame')) this._frame = TIME_FRAMES[this.timeFrame] !== undefined ? this.timeFrame : 'All';
    if (changed.has('collapseTimelineSection')) this._open = { ...this._open, timeline: !this.collapseTimelineSection };
    if (changed.has('collapseProfileSection')) this._open = { ...this._open, profile: !this.collapseProfileSection };
    if (changed.has('collapseAliasSection')) this._open = { ...this._open, alias: !this.collapseAliasSection };
  }

  updated(changed) {
    if (changed.has('iconDataPath') || changed.has('eventIconTemplate')) this.loadIconMap();
    const reload = ['_identity', 'liveStream', 'baseUrl', 'token', 'bearerToken', 'organizationId', 'dataCenter', 'workspaceId', 'limit', 'templateId'].some((k) => changed.has(k));
    if (reload) this.reload();
  }

  disconnectedCallback() {
    super.disconnectedCallback();
    this.disconnect();
  }

  connectedCallback() {
    super.connectedCallback();
    if (this.hasUpdated && this._identity) this.reload();
  }

  async loadIconMap() {
    if (!this.iconDataPath) {
      this._iconMap = this.eventIconTemplate && typeof this.eventIconTemplate === 'object' ? this.eventIconTemplate : null;
      return;
    }
    try {
      const res = await fetch(this.iconDataPath);
      if (!res.ok) throw new Error(`${res.status} ${res.statusText}`);
      this._iconMap = await res.json();
      this.log('icon map', this._iconMap);
    } catch (e) {
      this._iconMap = null;
      this._error = { message: `Icon map ${this.iconDataPath} could not be loaded: ${e.message}` };
    }
  }

  // reload fetches everything for the current identity and (re)opens the live stream.
  reload() {
    const gen = ++this._gen;
    this.disconnect();
    this._events = [];
    this._expanded = new Set();
    this._fresh = new Set();
    this._error = null;
    this._page = 0;
    this._more = false;
    this._aliasMsg = null;
    this._nameMsg = null;
    this._editName = false;
    this._lastLiveId = null;
    if (!this._identity) {
      this._profile = { state: 'none' };
      this._person = { state: 'none' };
      return;
    }
    this.loadEvents(gen, 0);
    this.loadProfile(gen);
    this.loadPerson(gen);
    this.connect();
  }

  async loadEvents(gen, page) {
    this._loading = true;
    const size = Math.min(Math.max(parseInt(this.limit, 10) || 50, 1), 1000);
    try {
      const res = await this.api.get(`/v1/api/events/workspace-id/${enc(this.ws)}`, { identity: this._identity, pageSize: size, page });
      if (gen !== this._gen) return;
      const got = Array.isArray(res?.data) ? res.data : [];
      this.merge(got);
      this._page = page;
      this._more = got.length === size;
      this.dispatchEvent(new CustomEvent('journey-loaded', { detail: { identity: this._identity, count: this._events.length }, bubbles: true, composed: true }));
    } catch (e) {
      if (gen !== this._gen) return;
      this._error = e;
      this.dispatchEvent(new CustomEvent('journey-error', { detail: { message: errorText(e) }, bubbles: true, composed: true }));
    } finally {
      if (gen === this._gen) this._loading = false;
    }
  }

  merge(list, fresh = false) {
    const have = new Set(this._events.map((e) => e.id));
    const add = list.filter((e) => e && e.id && !have.has(e.id));
    if (!add.length) return;
    if (fresh) this._fresh = new Set([...this._fresh, ...add.map((e) => e.id)]);
    this._events = [...this._events, ...add].sort(byTimeDesc);
  }

  async loadProfile(gen) {
    const t = (this.templateId || '').trim();
    if (!t) {
      this._profile = { state: 'none' };
      return;
    }
    this._profile = { state: 'loading' };
    const base = `/v1/api/progressive-profile-view/workspace-id/${enc(this.ws)}/identity/${enc(this._identity)}`;
    const which = `${isUuid(t) ? 'template-id' : 'template-name'}/${enc(t)}`;
    try {
      const res = await this.api.get(`${base}/${which}`);
      if (gen !== this._gen) return;
      this.showProfile(Array.isArray(res?.data) ? res.data[0] : res?.data);
      this.connectProfile(gen, which);
    } catch (e) {
      if (gen !== this._gen) return;
      this._profile = e.status === 404 ? { state: 'empty' } : { state: 'error', error: e };
    }
  }

  showProfile(view) {
    this._profile = view && Array.isArray(view.attributes) && view.attributes.length ? { state: 'ok', view } : { state: 'empty' };
  }

  // connectProfile follows the profile view's stream (event: profile, the whole view each
  // time a value changes) while live-stream is on.
  connectProfile(gen, which) {
    this.closeProfile();
    if (!this.liveStream || typeof EventSource === 'undefined' || gen !== this._gen) return;
    const es = this.api.stream(`/v1/api/progressive-profile-view/stream/workspace-id/${enc(this.ws)}/identity/${enc(this._identity)}/${which}`);
    this._pes = es;
    es.addEventListener('profile', (m) => {
      if (this._pes !== es || gen !== this._gen) return;
      try {
        const view = JSON.parse(m.data);
        this.log('live profile', view);
        this.showProfile(view);
      } catch {
        /* not JSON */
      }
    });
    es.onerror = () => {
      if (this._pes !== es || es.readyState !== EventSource.CLOSED) return;
      clearTimeout(this._pretry);
      this._pretry = setTimeout(() => {
        if (this._pes === es && gen === this._gen) this.connectProfile(gen, which);
      }, 5000);
    };
  }

  closeProfile() {
    clearTimeout(this._pretry);
    if (this._pes) this._pes.close();
    this._pes = null;
  }

  async loadPerson(gen) {
    this._person = { state: 'loading' };
    try {
      const res = await this.api.get(`/admin/v1/api/person/workspace-id/${enc(this.ws)}/aliases/${enc(this._identity)}`);
      if (gen !== this._gen) return;
      const p = Array.isArray(res?.data) ? res.data[0] : null;
      this._person = p ? { state: 'ok', person: p } : { state: 'empty' };
    } catch (e) {
      if (gen !== this._gen) return;
      this._person = e.status === 404 ? { state: 'empty' } : { state: 'error', error: e };
    }
  }

  connect() {
    this.closeEvents();
    if (!this.liveStream || !this._identity || typeof EventSource === 'undefined') return;
    const gen = this._gen;
    const last = this._lastLiveId || (this._events.length ? this._events[0].id : '');
    const es = this.api.stream(`/v1/api/events/stream/workspace-id/${enc(this.ws)}/identity/${enc(this._identity)}`, last ? { lastEventId: last } : {});
    this._es = es;
    this._live = 'connecting';
    es.onopen = () => {
      if (this._es === es) this._live = 'on';
    };
    es.addEventListener('event', (m) => {
      if (this._es !== es || gen !== this._gen) return;
      let ev;
      try {
        ev = JSON.parse(m.data);
      } catch {
        return;
      }
      this._lastLiveId = m.lastEventId || ev.id;
      this.log('live event', ev);
      this.merge([ev], true);
      if (this._person.state === 'empty') this.loadPerson(gen); // the first event made the person
      this.dispatchEvent(new CustomEvent('journey-event', { detail: ev, bubbles: true, composed: true }));
    });
    es.onerror = () => {
      if (this._es !== es) return;
      if (es.readyState === EventSource.CLOSED) {
        // The server refused or ended the stream: EventSource gives up, so we retry.
        this._live = 'off';
        clearTimeout(this._retry);
        this._retry = setTimeout(() => {
          if (this._es === es && gen === this._gen) this.connect();
        }, 5000);
      } else {
        this._live = 'connecting';
      }
    };
  }

  disconnect() {
    this.closeProfile();
    this.closeEvents();
  }

  closeEvents() {
    clearTimeout(this._retry);
    if (this._es) {
      this._es.close();
      this._es = null;
    }
    this._live = 'off';
  }

  // --- aliases -------------------------------------------------------------------------

  async addAlias(e) {
    e.preventDefault();
    const form = e.target;
    const kind = form.kind.value;
    const value = form.value.value.trim();
    if (!value || this._person.state !== 'ok') return;
    await this.changeAliases(`/admin/v1/api/person/add-identities/workspace-id/${enc(this.ws)}/person-id/${enc(this._person.person.id)}`, { [kind]: [value] }, `Added ${value}`);
    if (this._aliasMsg?.ok) form.value.value = '';
  }

  removeAlias(value) {
    return this.changeAliases(`/admin/v1/api/person/remove-identities/workspace-id/${enc(this.ws)}/person-id/${enc(this._person.person.id)}`, [value], `Removed ${value}`);
  }

  async changeAliases(path, body, done) {
    this._aliasBusy = true;
    this._aliasMsg = null;
    try {
      const res = await this.api.patch(path, body);
      if (res?.data) this._person = { state: 'ok', person: res.data };
      this._aliasMsg = { ok: true, text: done };
    } catch (err) {
      this._aliasMsg = { ok: false, text: errorText(err) };
    } finally {
      this._aliasBusy = false;
    }
  }

  // --- name ----------------------------------------------------------------------------

  openNameEditor() {
    this._editName = true;
    this._nameMsg = null;
    this.updateComplete.then(() => this.renderRoot.querySelector('#cjw-first')?.focus());
  }

  closeNameEditor() {
    this._editName = false;
    this.updateComplete.then(() => this.renderRoot.querySelector('.edit-name-btn')?.focus());
  }

  // saveName writes the first and last name with a JSON Patch on the person ("add"
  // replaces a member that is there and adds one that is not).
  async saveName(e) {
    e.preventDefault();
    if (this._person.state !== 'ok') return;
    const f = e.target;
    const patch = [
      { op: 'add', path: '/firstName', value: f.firstName.value.trim() },
      { op: 'add', path: '/lastName', value: f.lastName.value.trim() },
    ];
    this._aliasBusy = true;
    this._nameMsg = null;
    try {
      const res = await this.api.patch(`/admin/v1/api/person/workspace-id/${enc(this.ws)}/person-id/${enc(this._person.person.id)}`, patch);
      if (res?.data) this._person = { state: 'ok', person: res.data };
      this._nameMsg = { ok: true, text: 'Name saved' };
      this.closeNameEditor();
    } catch (err) {
      this._nameMsg = { ok: false, text: errorText(err) };
    } finally {
      this._aliasBusy = false;
    }
  }

  // --- interaction ---------------------------------------------------------------------

  search(e) {
    e.preventDefault();
    const v = e.target.identity.value.trim();
    if (v) this._identity = v;
  }

  clearSearch() {
    this._identity = '';
  }

  toggle(id) {
    const s = new Set(this._expanded);
    s.has(id) ? s.delete(id) : s.add(id);
    this._expanded = s;
  }

  toggleType(t) {
    const s = new Set(this._hidden);
    s.has(t) ? s.delete(t) : s.add(t);
    this._hidden = s;
  }

  toggleSection(name) {
    this._open = { ...this._open, [name]: !this._open[name] };
  }

  get visible() {
    const span = TIME_FRAMES[this._frame] || 0;
    const since = span ? Date.now() - span : -Infinity;
    return this._events.filter((e) => !this._hidden.has(this.typeOf(e)) && (!span || (Date.parse(e.time) || 0) >= since));
  }

  typeOf(e) {
    return String(e?.data?.channelType ?? '') || 'Other';
  }

  // --- rendering -----------------------------------------------------------------------

  render() {
    return html`<section class="cjw" aria-label="Customer journey">
      <header class="top">
        <div class="title">
          <h2>Customer Journey</h2>
          ${this._identity ? html`<span class="who" title=${this._identity}>${this.fullName ? html`<b class="name">${this.fullName}</b> · ` : nothing}${this._identity}</span>` : nothing}
        </div>
        <div class="tools">
          ${this.liveStream && this._identity
            ? html`<span class="live ${this._live}" role="status" aria-label=${`Live updates: ${this._live === 'on' ? 'connected' : this._live === 'connecting' ? 'connecting' : 'off'}`}
                ><span class="dot" aria-hidden="true"></span>${this._live === 'on' ? 'Live' : this._live === 'connecting' ? 'Connecting' : 'Offline'}</span
              >`
            : nothing}
          ${this._person.state === 'ok'
            ? html`<button class="icon-btn edit-name-btn" @click=${this.openNameEditor} aria-label="Edit name" title="Edit name" aria-expanded=${this._editName ? 'true' : 'false'}>
                <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M12 20h9M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z"></path></svg>
              </button>`
            : nothing}
          ${this._identity
            ? html`<button class="icon-btn" @click=${() => this.reload()} aria-label="Refresh journey" title="Refresh">
                <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true"><path d="M21 12a9 9 0 1 1-3-6.7L21 8M21 3v5h-5"></path></svg>
              </button>`
            : nothing}
          ${this._identity && !this.customer
            ? html`<button class="icon-btn" @click=${this.clearSearch} aria-label="Search another customer" title="Search another customer">
                <svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true"><path d="M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14zM21 21l-5-5"></path></svg>
              </button>`
            : nothing}
        </div>
      </header>
      ${this._editName && this._person.state === 'ok' ? this.renderNameEditor() : nothing}
      ${this._nameMsg ? html`<p class=${this._nameMsg.ok ? 'ok pad' : 'error'} role=${this._nameMsg.ok ? 'status' : 'alert'}>${this._nameMsg.text}</p>` : nothing}
      ${this._identity ? nothing : this.renderSearch()}
      ${this._error ? html`<div class="error" role="alert">${errorText(this._error)}</div>` : nothing}
      ${this._identity ? html`${this.renderProfile()} ${this.hideAliases ? nothing : this.renderAliases()} ${this.renderTimeline()}` : nothing}
    </section>`;
  }

  get fullName() {
    const p = this._person.state === 'ok' ? this._person.person : null;
    return p ? [p.firstName, p.lastName].filter(Boolean).join(' ') : '';
  }

  renderNameEditor() {
    const p = this._person.person;
    return html`<form class="edit-name" aria-label="Edit name" @submit=${this.saveName} @keydown=${(e) => e.key === 'Escape' && this.closeNameEditor()}>
      <label for="cjw-first">First name</label>
      <input id="cjw-first" name="firstName" .value=${p.firstName || ''} autocomplete="off" maxlength="200" />
      <label for="cjw-last">Last name</label>
      <input id="cjw-last" name="lastName" .value=${p.lastName || ''} autocomplete="off" maxlength="200" />
      <div class="row">
        <button type="submit" class="primary" ?disabled=${this._aliasBusy}>Save</button>
        <button type="button" @click=${this.closeNameEditor}>Cancel</button>
      </div>
    </form>`;
  }

  renderSearch() {
    return html`<form class="search" role="search" @submit=${this.search}>
      <label for="q">Customer identity</label>
      <div class="row">
        <input id="q" name="identity" type="search" placeholder="Phone, email or customer ID" autocomplete="off" required />
        <button type="submit" class="primary">Look up</button>
      </div>
    </form>`;
  }

  sectionHead(name, title, extra = nothing) {
    const open = this._open[name];
    return html`<h3 class="sec-head">
      <button class="sec-toggle" aria-expanded=${open ? 'true' : 'false'} aria-controls=${`sec-${name}`} @click=${() => this.toggleSection(name)}>
        <svg class="chev ${open ? 'open' : ''}" viewBox="0 0 24 24" width="14" height="14" fill="none" stroke="currentColor" stroke-width="2.5" aria-hidden="true"><path d="M9 6l6 6-6 6"></path></svg>
        ${title}
      </button>
      ${extra}
    </h3>`;
  }

  renderProfile() {
    const p = this._profile;
    if (!this.templateId) return nothing;
    let body;
    if (p.state === 'loading') body = html`<p class="muted">Loading profile…</p>`;
    else if (p.state === 'error') body = html`<p class="error" role="alert">${errorText(p.error)}</p>`;
    else if (p.state === 'ok')
      body = html`<table class="kv" aria-label="Profile attributes">
        <tbody>
          ${p.view.attributes.map(
            (a) => html`<tr>
              <th scope="row">${a.displayName || a.name}</th>
              <td>${a.error ? html`<span class="bad">${show(a.error)}</span>` : show(a.result ?? a.value)}</td>
            </tr>`,
          )}
        </tbody>
      </table>`;
    else body = html`<p class="muted">No profile</p>`;
    const title = p.state === 'ok' && p.view.templateName ? `Profile · ${p.view.templateName}` : 'Profile';
    return html`<div class="section" part="profile">
      ${this.sectionHead('profile', title)}
      <div id="sec-profile" ?hidden=${!this._open.profile}>${body}</div>
    </div>`;
  }

  renderAliases() {
    const st = this._person;
    let body;
    if (st.state === 'loading') body = html`<p class="muted">Loading aliases…</p>`;
    else if (st.state === 'error') body = html`<p class="error" role="alert">${errorText(st.error)}</p>`;
    else if (st.state === 'empty') body = html`<p class="muted">No person owns this identity yet.</p>`;
    else if (st.state === 'ok') {
      const p = st.person;
      const ro = this.readOnlyAliases;
      const rows = ALIAS_KINDS.filter((k) => (p[k] || []).length);
      body = html`
        <ul class="aliases" aria-label="Aliases">
          ${rows.map((k) =>
            p[k].map(
              (v) => html`<li class="alias" data-kind=${k}>
                <span class="kind">${KIND_LABELS[k]}</span><span class="val" title=${v}>${v}</span>
                ${ro
                  ? nothing
                  : html`<button class="icon-btn small" ?disabled=${this._aliasBusy} aria-label=${`Remove alias ${v}`} title="Remove" @click=${() => this.removeAlias(v)}>
                      <svg viewBox="0 0 24 24" width="12" height="12" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"></path></svg>
                    </button>`}
              </li>`,
            ),
          )}
        </ul>
        ${ro
          ? nothing
          : html`<form class="add-alias" @submit=${this.addAlias} aria-label="Add alias">
              <select name="kind" aria-label="Alias kind">
                ${ALIAS_KINDS.map((k) => html`<option value=${k} ?selected=${k === 'email'}>${KIND_LABELS[k]}</option>`)}
              </select>
              <input name="value" aria-label="Alias value" placeholder="New alias" required />
              <button type="submit" ?disabled=${this._aliasBusy}>Add</button>
            </form>`}
        ${this._aliasMsg ? html`<p class=${this._aliasMsg.ok ? 'ok' : 'error'} role=${this._aliasMsg.ok ? 'status' : 'alert'}>${this._aliasMsg.text}</p>` : nothing}
      `;
    }
    return html`<div class="section" part="aliases">
      ${this.sectionHead('alias', 'Aliases')}
      <div id="sec-alias" ?hidden=${!this._open.alias}>${body ?? nothing}</div>
    </div>`;
  }

  renderTimeline() {
    const types = [...new Set(this._events.map((e) => this.typeOf(e)))].sort((a, b) => a.localeCompare(b));
    const events = this.visible;
    const groups = [];
    for (const row of rowsOf(events)) {
      const k = dayKey(row.items[0].time);
      if (!groups.length || groups[groups.length - 1].key !== k) groups.push({ key: k, items: [] });
      groups[groups.length - 1].items.push(row);
    }
    const count = html`<span class="count" aria-live="polite">${events.length === this._events.length ? `${events.length}` : `${events.length} of ${this._events.length}`}</span>`;
    return html`<div class="section" part="timeline">
      ${this.sectionHead('timeline', 'Timeline', count)}
      <div id="sec-timeline" ?hidden=${!this._open.timeline}>
        <div class="filters">
          <label class="frame"
            ><span>Time frame</span>
            <select aria-label="Time frame" @change=${(e) => (this._frame = e.target.value)}>
              ${Object.keys(TIME_FRAMES).map((f) => html`<option value=${f} ?selected=${f === this._frame}>${f === 'All' ? 'All time' : f.replace('-', ' ')}</option>`)}
            </select></label
          >
          ${types.length > 1
            ? html`<div class="chips" role="group" aria-label="Filter by channel type">
                ${types.map((t) => {
                  const on = !this._hidden.has(t);
                  const look = lookup(this._iconMap, t);
                  return html`<button class="chip ${on ? 'on' : ''}" aria-pressed=${on ? 'true' : 'false'} data-type=${t} style=${`--c:${look.css}`} @click=${() => this.toggleType(t)}>
                    <span class="sw" aria-hidden="true"></span>${t}
                  </button>`;
                })}
              </div>`
            : nothing}
        </div>
        ${this._loading && !this._events.length ? html`<p class="muted">Loading events…</p>` : nothing}
        ${!this._loading && !this._error && !this._events.length ? html`<p class="muted empty">No events for this customer yet.</p>` : nothing}
        ${this._events.length && !events.length ? html`<p class="muted empty">No events match the filters.</p>` : nothing}
        ${groups.map(
          (g) => html`<div class="day" data-day=${g.key}>
            <h4 class="day-head">${dayLabel(g.key)}</h4>
            <ol class="events">
              ${g.items.map((row) => (row.items.length > 1 ? this.renderTask(row) : this.renderEvent(row.items[0])))}
            </ol>
          </div>`,
        )}
        ${this._more
          ? html`<button class="more" ?disabled=${this._loading} @click=${() => this.loadEvents(this._gen, this._page + 1)}>${this._loading ? 'Loading…' : 'Load older events'}</button>`
          : nothing}
      </div>
    </div>`;
  }

  // renderTask is one row for the events of one task: the newest's title, how many, and
  // the events themselves when expanded.
  renderTask(row) {
    const first = row.items[0];
    const last = row.items[row.items.length - 1];
    const data = first.data && typeof first.data === 'object' ? first.data : {};
    const look = lookup(this._iconMap, data.channelType);
    const key = `task:${row.task}`;
    const open = this._expanded.has(key);
    const title = show(data.origin) || first.type;
    const domId = `tk-${row.task}`.replace(/[^A-Za-z0-9_-]/g, '_');
    const fresh = row.items.some((e) => this._fresh.has(e.id));
    return html`<li class="task ${fresh ? 'fresh' : ''}" data-task=${row.task} data-type=${this.typeOf(first)} data-color=${look.color}>
      <button class="ev-head" aria-expanded=${open ? 'true' : 'false'} aria-controls=${domId} @click=${() => this.toggle(key)}>
        <span class="ic stack" style=${`--c:${look.css}`} data-icon=${look.icon}>${renderIcon(look.icon)}</span>
        <span class="ev-main">
          <span class="ev-title">${title}</span>
          <span class="ev-sub"><span class="n">${row.items.length} events</span> · task ${row.task}</span>
        </span>
        <span class="ev-side">
          <time datetime=${first.time} title=${`${timeLabel(last.time)}–${timeLabel(first.time)}`}>${timeLabel(first.time)}</time>
          <span class="badge" style=${`--c:${look.css}`}>${row.items.length}</span>
        </span>
      </button>
      ${open ? html`<ol class="events nested" id=${domId} aria-label=${`Events of task ${row.task}`}>${row.items.map((ev) => this.renderEvent(ev))}</ol>` : nothing}
    </li>`;
  }

  renderEvent(ev) {
    const data = ev.data && typeof ev.data === 'object' ? ev.data : {};
    const type = this.typeOf(ev);
    const look = lookup(this._iconMap, data.channelType);
    const open = this._expanded.has(ev.id);
    const title = show(data.origin) || ev.type;
    const badge = this.badgeKeyword ? show(data[this.badgeKeyword]) : show(data.channelType);
    const domId = `ev-${ev.id}`.replace(/[^A-Za-z0-9_-]/g, '_');
    return html`<li class="event ${this._fresh.has(ev.id) ? 'fresh' : ''}" data-id=${ev.id} data-type=${type} data-color=${look.color}>
      <button class="ev-head" aria-expanded=${open ? 'true' : 'false'} aria-controls=${domId} @click=${() => this.toggle(ev.id)}>
        <span class="ic" style=${`--c:${look.css}`} data-icon=${look.icon}>${renderIcon(look.icon)}</span>
        <span class="ev-main">
          <span class="ev-title">${title}</span>
          <span class="ev-sub">${ev.type}${ev.source ? html` · ${decodeSource(ev.source)}` : nothing}</span>
        </span>
        <span class="ev-side">
          <time datetime=${ev.time}>${timeLabel(ev.time)}</time>
          ${badge ? html`<span class="badge" style=${`--c:${look.css}`}>${badge}</span>` : nothing}
        </span>
      </button>
      ${open
        ? html`<div class="ev-body" id=${domId}>
            <table class="kv" aria-label=${`Details of ${title}`}>
              <tbody>
                ${Object.entries(data).map(([k, v]) => html`<tr><th scope="row">${k}</th><td>${linkify(show(v))}</td></tr>`)}
                <tr class="meta"><th scope="row">type</th><td>${ev.type}</td></tr>
                <tr class="meta"><th scope="row">source</th><td>${decodeSource(ev.source)}</td></tr>
                <tr class="meta"><th scope="row">identity</th><td>${ev.identity} (${ev.identitytype})</td></tr>
                ${ev.previousidentity ? html`<tr class="meta"><th scope="row">previous identity</th><td>${ev.previousidentity}</td></tr>` : nothing}
                <tr class="meta"><th scope="row">time</th><td>${ev.time ? new Date(ev.time).toLocaleString() : ''}</td></tr>
                <tr class="meta"><th scope="row">id</th><td>${ev.id}</td></tr>
              </tbody>
            </table>
          </div>`
        : nothing}
    </li>`;
  }

  static styles = css`
    :host {
      display: block;
      font-family: var(--cjw-font, system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif);
      font-size: 14px;
      line-height: 1.4;
      color: var(--cjw-fg, #1f2328);
      background: var(--cjw-bg, #fff);
      container-type: inline-size;
      min-width: 0;
    }
    [hidden] {
      display: none !important;
    }
    .cjw {
      border: 1px solid var(--cjw-border, #d8dee4);
      border-radius: 8px;
      overflow: hidden;
      background: inherit;
    }
    .top {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 8px;
      padding: 10px 12px;
      border-bottom: 1px solid var(--cjw-border, #d8dee4);
      background: var(--cjw-head-bg, #f6f8fa);
    }
    .title {
      min-width: 0;
      display: flex;
      flex-direction: column;
    }
    h2 {
      font-size: 15px;
      font-weight: 600;
      margin: 0;
    }
    .who {
      color: #57606a;
      font-size: 12px;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .tools {
      display: flex;
      align-items: center;
      gap: 6px;
      flex: none;
    }
    button,
    input,
    select {
      font: inherit;
      color: inherit;
    }
    button {
      cursor: pointer;
    }
    button:disabled {
      cursor: default;
      opacity: 0.6;
    }
    :focus-visible {
      outline: 2px solid var(--cjw-focus, #1d6ae5);
      outline-offset: 2px;
    }
    .icon-btn {
      display: inline-flex;
      align-items: center;
      justify-content: center;
      width: 30px;
      height: 30px;
      border: 1px solid var(--cjw-border, #d8dee4);
      border-radius: 6px;
      background: #fff;
      color: #424a53;
      padding: 0;
    }
    .icon-btn:hover {
      background: #eef1f4;
    }
    .icon-btn.small {
      width: 22px;
      height: 22px;
      border-color: transparent;
      background: transparent;
    }
    .icon-btn.small:hover {
      background: #ffe9e9;
      color: #d1343b;
    }
    .live {
      display: inline-flex;
      align-items: center;
      gap: 5px;
      font-size: 12px;
      color: #57606a;
      padding: 2px 8px;
      border-radius: 999px;
      background: #eef1f4;
    }
    .live .dot {
      width: 8px;
      height: 8px;
      border-radius: 50%;
      background: #8c959f;
    }
    .live.on {
      color: #1a7f37;
      background: #e6f4ea;
    }
    .live.on .dot {
      background: #1f8a4c;
      box-shadow: 0 0 0 3px rgba(31, 138, 76, 0.2);
    }
    .live.connecting .dot {
      background: #d9650b;
    }
    .search {
      padding: 12px;
    }
    .search label {
      display: block;
      font-weight: 600;
      margin-bottom: 6px;
    }
    .row,
    .add-alias {
      display: flex;
      gap: 6px;
      flex-wrap: wrap;
    }
    input,
    select {
      border: 1px solid #c9d1d9;
      border-radius: 6px;
      padding: 6px 8px;
      background: #fff;
      min-width: 0;
    }
    .row input {
      flex: 1 1 160px;
    }
    button.primary,
    .edit-name .primary,
    .add-alias button,
    .more {
      border: 1px solid #1d6ae5;
      background: #1d6ae5;
      color: #fff;
      border-radius: 6px;
      padding: 6px 12px;
      font-weight: 600;
    }
    .more {
      display: block;
      margin: 8px auto 12px;
      background: #fff;
      color: #1d6ae5;
    }
    .error {
      margin: 8px 12px;
      padding: 8px 10px;
      border-radius: 6px;
      background: #fff1f0;
      border: 1px solid #ffccc7;
      color: #a8071a;
    }
    .ok {
      margin: 6px 0 0;
      color: #1a7f37;
      font-size: 12px;
    }
    .muted {
      color: #6e7781;
      margin: 6px 0 10px;
    }
    .section {
      border-bottom: 1px solid var(--cjw-border, #d8dee4);
      padding: 0 12px;
    }
    .section:last-child {
      border-bottom: none;
    }
    .sec-head {
      margin: 0;
      display: flex;
      align-items: center;
      justify-content: space-between;
      font-size: 13px;
    }
    .sec-toggle {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      border: none;
      background: none;
      padding: 10px 0;
      font-weight: 600;
      text-transform: uppercase;
      letter-spacing: 0.04em;
      font-size: 12px;
      color: #424a53;
    }
    .chev {
      transition: transform 0.15s;
    }
    .chev.open {
      transform: rotate(90deg);
    }
    .count {
      font-size: 12px;
      color: #6e7781;
      background: #eef1f4;
      border-radius: 999px;
      padding: 0 8px;
    }
    .kv {
      width: 100%;
      border-collapse: collapse;
      margin-bottom: 10px;
      table-layout: fixed;
    }
    .kv th,
    .kv td {
      text-align: left;
      vertical-align: top;
      padding: 4px 6px;
      border-top: 1px solid #eaeef2;
      font-size: 13px;
      overflow-wrap: anywhere;
    }
    .kv th {
      width: 38%;
      color: #57606a;
      font-weight: 500;
    }
    .kv tr.meta th,
    .kv tr.meta td {
      color: #6e7781;
      font-size: 12px;
    }
    .name {
      font-weight: 600;
      margin: 0 0 6px;
    }
    .aliases {
      list-style: none;
      margin: 0 0 8px;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: 4px;
    }
    .alias {
      display: flex;
      align-items: center;
      gap: 8px;
      min-width: 0;
    }
    .alias .kind {
      flex: none;
      width: 92px;
      font-size: 12px;
      color: #57606a;
    }
    .alias .val {
      flex: 1;
      min-width: 0;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
      font-size: 12.5px;
    }
    .add-alias {
      margin-bottom: 10px;
    }
    .add-alias input {
      flex: 1 1 120px;
    }
    .filters {
      display: flex;
      flex-direction: column;
      gap: 8px;
      margin-bottom: 6px;
    }
    .frame {
      display: flex;
      align-items: center;
      gap: 8px;
      font-size: 12px;
      color: #57606a;
    }
    .chips {
      display: flex;
      flex-wrap: wrap;
      gap: 6px;
    }
    .chip {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      border: 1px solid #d0d7de;
      border-radius: 999px;
      padding: 2px 10px;
      background: #fff;
      font-size: 12px;
      color: #6e7781;
    }
    .chip .sw {
      width: 8px;
      height: 8px;
      border-radius: 50%;
      border: 1.5px solid var(--c);
    }
    .chip.on {
      color: #1f2328;
      border-color: var(--c);
      background: color-mix(in srgb, var(--c) 8%, #fff);
    }
    .chip.on .sw {
      background: var(--c);
    }
    .day-head {
      position: sticky;
      top: 0;
      margin: 8px 0 4px;
      padding: 4px 0;
      font-size: 12px;
      font-weight: 600;
      color: #57606a;
      background: var(--cjw-bg, #fff);
      z-index: 1;
    }
    .events {
      list-style: none;
      margin: 0 0 4px;
      padding: 0;
      position: relative;
    }
    .events::before {
      content: '';
      position: absolute;
      left: 15px;
      top: 6px;
      bottom: 6px;
      width: 2px;
      background: #eaeef2;
    }
    .event {
      position: relative;
    }
    .event.fresh .ev-head {
      animation: flash 2.5s ease-out;
    }
    @keyframes flash {
      from {
        background: #fff6d6;
      }
      to {
        background: transparent;
      }
    }
    .ev-head {
      display: flex;
      align-items: flex-start;
      gap: 10px;
      width: 100%;
      text-align: left;
      border: none;
      background: transparent;
      padding: 6px 4px 6px 0;
      border-radius: 6px;
    }
    .ev-head:hover {
      background: #f6f8fa;
    }
    .ic {
      flex: none;
      position: relative;
      display: inline-flex;
      align-items: center;
      justify-content: center;
      width: 32px;
      height: 32px;
      border-radius: 50%;
      color: #fff;
      background: var(--c);
      box-shadow: 0 0 0 3px #fff;
    }
    .ev-main {
      flex: 1;
      min-width: 0;
      display: flex;
      flex-direction: column;
    }
    .ev-title {
      font-weight: 600;
      overflow-wrap: anywhere;
    }
    .ev-sub {
      font-size: 12px;
      color: #6e7781;
      overflow-wrap: anywhere;
    }
    .ev-side {
      flex: none;
      display: flex;
      flex-direction: column;
      align-items: flex-end;
      gap: 2px;
      max-width: 40%;
    }
    time {
      font-size: 12px;
      color: #57606a;
      white-space: nowrap;
    }
    .badge {
      font-size: 11px;
      border-radius: 4px;
      padding: 0 6px;
      color: var(--c);
      background: color-mix(in srgb, var(--c) 12%, #fff);
      max-width: 100%;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
    .ev-body {
      margin: 0 0 6px 42px;
    }
    .events.nested {
      margin: 0 0 6px 42px;
    }
    .events.nested::before {
      left: 15px;
    }
    .ic.stack {
      box-shadow: 0 0 0 3px #fff, 3px 3px 0 3px color-mix(in srgb, var(--c) 35%, #fff);
    }
    .task.fresh > .ev-head {
      animation: flash 2.5s ease-out;
    }
    .kv a {
      color: #0b4fc0;
      overflow-wrap: anywhere;
    }
    .edit-name {
      display: grid;
      grid-template-columns: auto 1fr;
      gap: 6px 8px;
      align-items: center;
      padding: 10px 12px;
      border-bottom: 1px solid var(--cjw-border, #d8dee4);
    }
    .edit-name label {
      font-size: 12px;
      color: #57606a;
    }
    .edit-name .row {
      grid-column: 1 / -1;
    }
    .edit-name button:not(.primary) {
      border: 1px solid #c9d1d9;
      background: #fff;
      border-radius: 6px;
      padding: 6px 12px;
    }
    .ok.pad {
      margin: 6px 12px;
    }
    .who .name {
      color: #1f2328;
      font-weight: 600;
    }
    .bad {
      color: #a8071a;
    }
    @container (max-width: 360px) {
      .alias .kind {
        width: 76px;
      }
      .kv th {
        width: 42%;
      }
      .ev-body {
        margin-left: 0;
      }
    }
  `;
}

if (!customElements.get('customer-journey-widget')) customElements.define('customer-journey-widget', CustomerJourneyWidget);
