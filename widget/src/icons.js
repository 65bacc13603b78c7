// Icons and colors of the timeline: a channel type (data.channelType) picks an icon and a
// named color from the icon map. The map is the built-in one below, overridden key by key
// by the JSON at icon-data-path, in either of two formats:
//   ours:     {"<channelType>": {"icon": "<name|emoji|svg path>", "color": "<name>"}}
//   Momentum: {"<channelType regex>": {"name": "icon-sms_16", "color": "<name>"}, "showcase": {…}}
// (the format the Webex widget's icons.json uses). A key equal to the channel type (any
// case) wins; otherwise the first key that, read as a regular expression, matches it.
import { svg } from 'lit';

// The 17 named colors of the JDS widget, as CSS values readable on white.
export const COLORS = {
  blue: '#1d6ae5',
  green: '#1f8a4c',
  black: '#1f2328',
  olive: '#6b7a1f',
  cyan: '#0a8aa8',
  violet: '#7b4fd6',
  red: '#d1343b',
  gray: '#6b7280',
  orange: '#d9650b',
  lime: '#5c9a0f',
  cobalt: '#0047ab',
  purple: '#8e2db5',
  yellow: '#b58a00',
  gold: '#b8860b',
  mint: '#13a386',
  slate: '#475569',
  pink: '#d63384',
};

export const FALLBACK_COLOR = 'slate';

// Named icons: 24x24 stroke paths (no external requests, no font).
export const ICONS = {
  phone: 'M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1 1 .4 1.9.7 2.8a2 2 0 0 1-.5 2.1L8 9.9a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.8.7a2 2 0 0 1 1.7 2z',
  sms: 'M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2zM8 9h8M8 13h5',
  email: 'M4 4h16a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zM22 6l-10 7L2 6',
  chat: 'M21 11.5a8.4 8.4 0 0 1-9 8.4 8.5 8.5 0 0 1-3.8-.9L3 21l1.9-5.2A8.4 8.4 0 0 1 12 3a8.5 8.5 0 0 1 9 8.5z',
  web: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM2 12h20M12 2a15.3 15.3 0 0 1 4 10 15.3 15.3 0 0 1-4 10 15.3 15.3 0 0 1-4-10 15.3 15.3 0 0 1 4-10z',
  payment: 'M3 5h18a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1zM2 10h20M6 15h4',
  login: 'M15 3h4a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2h-4M10 17l5-5-5-5M15 12H3',
  bell: 'M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0',
  home: 'M3 10l9-7 9 7v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2zM9 22V12h6v10',
  video: 'M23 7l-7 5 7 5V7zM3 5h11a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z',
  user: 'M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2M12 3a4 4 0 1 0 0 8 4 4 0 0 0 0-8z',
  queue: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM12 6v6l4 2',
  social: 'M18 2h-3a5 5 0 0 0-5 5v3H7v4h3v8h4v-8h3l1-4h-4V7a1 1 0 0 1 1-1h3z',
  agent: 'M3 18v-6a9 9 0 0 1 18 0v6M21 19a2 2 0 0 1-2 2h-1a2 2 0 0 1-2-2v-3a2 2 0 0 1 2-2h3zM3 19a2 2 0 0 0 2 2h1a2 2 0 0 0 2-2v-3a2 2 0 0 0-2-2H3z',
  event: 'M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8z',
};

// Built-in icon map, keyed by channel type (matched case-insensitively).
export const DEFAULT_ICON_MAP = {
  Voice: { icon: 'phone', color: 'blue' },
  Call: { icon: 'phone', color: 'blue' },
  Telephony: { icon: 'phone', color: 'blue' },
  IVR: { icon: 'phone', color: 'cobalt' },
  'Queued Caller': { icon: 'queue', color: 'orange' },
  'Closed Queue': { icon: 'queue', color: 'red' },
  SMS: { icon: 'sms', color: 'green' },
  WhatsApp: { icon: 'sms', color: 'mint' },
  Email: { icon: 'email', color: 'violet' },
  Chat: { icon: 'chat', color: 'cyan' },
  Messenger: { icon: 'chat', color: 'cobalt' },
  Social: { icon: 'social', color: 'cobalt' },
  Web: { icon: 'web', color: 'cyan' },
  Website: { icon: 'web', color: 'cyan' },
  NewVisit: { icon: 'web', color: 'cyan' },
  MortgageRates: { icon: 'home', color: 'olive' },
  Payment: { icon: 'payment', color: 'gold' },
  'Payment Notify': { icon: 'bell', color: 'red' },
  Notification: { icon: 'bell', color: 'orange' },
  LoginUser: { icon: 'login', color: 'purple' },
  Login: { icon: 'login', color: 'purple' },
  Webex: { icon: 'agent', color: 'black' },
  Agent: { icon: 'agent', color: 'black' },
  Video: { icon: 'video', color: 'pink' },
};

export const FALLBACK = { icon: 'event', color: FALLBACK_COLOR };

// Momentum icon names ("icon-sms_16", "icon-handset-filled_24") read as ours: the name
// without "icon-", its size and its weight, then these synonyms.
const MOMENTUM = {
  handset: 'phone', call: 'phone', 'incoming-call': 'phone', 'outgoing-call': 'phone', ivr: 'phone', voice: 'phone', dialpad: 'phone',
  message: 'sms', whatsapp: 'sms', text: 'sms',
  mail: 'email', envelope: 'email', inbox: 'email',
  'chat-group': 'chat', messenger: 'chat', 'chat-active': 'chat',
  browser: 'web', globe: 'web', language: 'web', website: 'web', link: 'web',
  'credit-card': 'payment', wallet: 'payment', card: 'payment', cart: 'payment', 'shopping-cart': 'payment',
  'sign-in': 'login', unlock: 'login', lock: 'login', key: 'login',
  alert: 'bell', notification: 'bell', 'alert-active': 'bell', warning: 'bell', info: 'bell',
  house: 'home', camera: 'video', 'video-call': 'video', meetings: 'video',
  person: 'user', people: 'user', 'contact-card': 'user', contact: 'user', profile: 'user',
  recents: 'queue', clock: 'queue', time: 'queue', hourglass: 'queue', waiting: 'queue',
  facebook: 'social', twitter: 'social', instagram: 'social', linkedin: 'social', share: 'social',
  headset: 'agent', 'customer-service': 'agent', 'headset-alt': 'agent',
};

export function momentumIcon(name) {
  const base = String(name || '')
    .toLowerCase()
    .replace(/^icon-/, '')
    .replace(/_\d+$/, '')
    .replace(/-(filled|bold|light|regular|active)$/, '');
  if (ICONS[base]) return base;
  return MOMENTUM[base] || FALLBACK.icon;
}

// entryOf reads one entry of either format.
function entryOf(e) {
  if (!e || typeof e !== 'object') return undefined;
  if (e.icon) return e;
  if (e.name) return { icon: momentumIcon(e.name), color: e.color };
  return e.color ? { icon: FALLBACK.icon, color: e.color } : undefined;
}

function find(m, key, regex = true) {
  if (!m || typeof m !== 'object') return undefined;
  if (m[key]) return entryOf(m[key]);
  const lower = key.toLowerCase();
  for (const k of Object.keys(m)) if (k.toLowerCase() === lower) return entryOf(m[k]);
  if (!regex) return undefined;
  for (const k of Object.keys(m)) {
    let re;
    try {
      re = new RegExp(k, 'i');
    } catch {
      continue; // not a regular expression: only an exact match
    }
    if (re.test(key)) return entryOf(m[k]);
  }
  return undefined;
}

// lookup returns {icon, color, css} for a channel type from a map (custom first, then default).
export function lookup(map, channelType) {
  const key = String(channelType ?? '');
  const hit = (key && find(map, key)) || find(DEFAULT_ICON_MAP, key, false) || FALLBACK;
  const color = COLORS[String(hit.color || '').toLowerCase()] ? String(hit.color).toLowerCase() : FALLBACK_COLOR;
  return { icon: hit.icon || FALLBACK.icon, color, css: COLORS[color] };
}

// renderIcon draws a named icon, an SVG path ("M..."), or text (an emoji).
export function renderIcon(icon) {
  const d = ICONS[icon] || (/^[Mm][\d\s.,-]/.test(icon) ? icon : null);
  if (d) {
    return svg`<svg viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d=${d}></path></svg>`;
  }
  return svg`<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><text x="12" y="17" text-anchor="middle" font-size="15">${String(icon).slice(0, 4)}</text></svg>`;
}
