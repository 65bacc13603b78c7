// Component tests: the built widget on a static page, against a real jds (through a
// same-origin pass-through), in the system Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startJds, startPages, launch, watch, shot } from './helpers.mjs';

const DAY = 24 * 3600e3;
const now = Date.now();
const iso = (ms) => new Date(ms).toISOString();
const ident = '+15550001111';

// Events on three days (times in UTC: the browser runs with timezone UTC).
const events = [
  { id: 'c-voice', type: 'Call', channelType: 'Voice', origin: 'Inbound call', time: now - 60e3 },
  { id: 'c-sms', type: 'Notification', channelType: 'SMS', origin: 'Reminder SMS', time: now - 120e3 },
  { id: 'c-mail', type: 'Mail', channelType: 'Email', origin: 'Invoice email', time: now - 3 * DAY },
  { id: 'c-notify', type: 'Payment', channelType: 'Payment Notify', origin: 'Past Due', time: now - 3 * DAY - 3600e3 },
  { id: 'c-odd', type: 'Custom', channelType: 'Carrier Pigeon', origin: 'Old letter', time: now - 20 * DAY },
  { id: 'c-custom', type: 'Custom', channelType: 'Kiosk', origin: 'Branch kiosk', time: now - 20 * DAY - 60e3 },
];

const iconMap = {
  SMS: { icon: '📱', color: 'pink' },
  Kiosk: { icon: 'M4 4h16v16H4z', color: 'lime' },
};

// A second customer: one task's three events, an event with links and markup, an SMS.
const ident2 = '+15550002222';
const events2 = [
  { id: 't-1', type: 'IVR', data: { channelType: 'Voice', origin: 'IVR entered', taskid: 'task-42' }, time: now - 10 * 60e3 },
  { id: 't-2', type: 'Queued', data: { channelType: 'Voice', origin: 'Queued', taskid: 'task-42' }, time: now - 9 * 60e3 },
  { id: 't-3', type: 'Answered', data: { channelType: 'Voice', origin: 'Agent answered', taskid: 'task-42' }, time: now - 8 * 60e3 },
  {
    id: 'l-1',
    type: 'Promo',
    time: now - 5 * 60e3,
    data: {
      channelType: 'Showcase',
      origin: '<img src=x onerror="window.__xss=1">Promo <b>sent</b>',
      site: 'See https://example.com/offer?a=1&b=2.',
      bad: 'javascript:window.__xss=2',
      inline: 'data:text/html,<script>window.__xss=3</script>',
      both: 'http://a.example/x then javascript:alert(1)',
      '<i>key</i>': '"><svg onload="window.__xss=4">',
    },
  },
  { id: 's-1', type: 'Notification', data: { channelType: 'SMS', origin: 'Reply SMS', taskid: '' }, time: now - 60e3 },
];

// The Webex widget's icons.json format: Momentum icon names, keys read as regular
// expressions, a showcase entry.
const momentum = {
  '^SMS$': { name: 'icon-sms_16', color: 'mint' },
  'pigeon|raven': { name: 'icon-handset_16', color: 'orange' },
  showcase: { name: 'icon-browser_16', color: 'gold' },
  Voice: { name: 'icon-headset-filled_24', color: 'cobalt' },
};

// adPage mounts the widget as Agent Desktop does: an element created by script, its
// properties (not attributes) set from the desktop's store.
function adPage(setup) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>desktop</title><link rel="icon" href="data:,">
<script type="module">import '/dist/customer-journey.js';
const w = document.createElement('customer-journey-widget');
${setup}
document.body.append(w); window.w = w;</script></head><body></body></html>`;
}

function page(attrs) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>widget</title><link rel="icon" href="data:,"><script type="module" src="/dist/customer-journey.js"></script>
<style>body{margin:0;padding:12px;background:#eef1f4;font-family:system-ui}</style></head>
<body><customer-journey-widget ${attrs}></customer-journey-widget></body></html>`;
}

let jds, pages, ctx;

before(async () => {
  jds = await startJds();
  for (const e of events) {
    await jds.post({
      id: e.id,
      specversion: '1.0',
      type: e.type,
      source: 'component%20test',
      identity: ident,
      identitytype: 'phone',
      time: iso(e.time),
      data: { origin: e.origin, channelType: e.channelType, note: `note of ${e.id}` },
    });
  }
  for (const e of events2) {
    await jds.post({ id: e.id, specversion: '1.0', type: e.type, source: 'component%20test', identity: ident2, identitytype: 'phone', time: iso(e.time), data: e.data });
  }
  const tok = jds.token.replace(/"/g, '&quot;');
  const bare = JSON.stringify(jds.token.replace(/^SharedAccessSignature\s+/, ''));
  pages = await startPages(jds.base, {
    '/icons.json': JSON.stringify(iconMap),
    '/basic.html': page(`customer="${ident}" token="${tok}" icon-data-path="/icons.json"`),
    '/week.html': page(`customer="${ident}" token="${tok}" time-frame="7-Days" template-id="Repeat Caller"`),
    '/search.html': page(`token="${tok}"`),
    '/badtoken.html': page(`customer="${ident}" token="SharedAccessSignature so=dev&sn=*&ss=admin&sp=rw&se=2099-01-01T00:00:00Z&sk=dev&sig=bad"`),
    '/profile.html': page(`customer="${ident}" token="${tok}" template-id="Widget Test"`),
    '/readonly.html': page(`customer="${ident}" token="${tok}" read-only-aliases collapse-timeline-section`),
    '/momentum.json': JSON.stringify(momentum),
    '/momentum.html': page(`customer="${ident}" token="${tok}" icon-data-path="/momentum.json"`),
    '/events.html': page(`customer="${ident2}" token="${tok}" icon-data-path="/momentum.json"`),
    '/hidden.html': page(`customer="${ident}" token="${tok}" hide-aliases`),
    '/name.html': page(`customer="${ident}" token="${tok}"`),
    '/liveprofile.html': page(`customer="+15550004444" token="${tok}" template-id="Live Profile" live-stream`),
    '/ad.html': adPage(`w.bearerToken = ${bare}; w.organizationId = 'dev';
w.interactionData = { interactionId: 'i-1', ani: '${ident}', dnis: '+18005550100', contactDirection: { type: 'INBOUND' }, callAssociatedDetails: {} };`),
  });
  ctx = await launch();
});

after(async () => {
  await ctx?.close();
  await pages?.stop();
  await jds?.stop();
});

async function open(path, opts = {}) {
  const p = await ctx.newPage();
  if (opts.width) await p.setViewportSize({ width: opts.width, height: 900 });
  const errors = watch(p, opts.allow || []);
  await p.goto(pages.base + path);
  return { p, errors };
}

test('icons and colors follow the channel type, the icon map overrides the defaults', async () => {
  const { p, errors } = await open('/basic.html');
  await p.locator('li.event').first().waitFor();
  await p.waitForFunction(() => document.querySelector('customer-journey-widget')._iconMap !== null);
  const got = await p.$$eval('customer-journey-widget', ([w]) =>
    [...w.shadowRoot.querySelectorAll('li.event')].map((li) => {
      const ic = li.querySelector('.ic');
      return { id: li.dataset.id, color: li.dataset.color, icon: ic.dataset.icon, bg: getComputedStyle(ic).backgroundColor, text: ic.textContent.trim() };
    }),
  );
  const by = Object.fromEntries(got.map((g) => [g.id, g]));
  assert.equal(by['c-voice'].icon, 'phone');
  assert.equal(by['c-voice'].color, 'blue');
  assert.equal(by['c-voice'].bg, 'rgb(29, 106, 229)');
  assert.equal(by['c-mail'].color, 'violet');
  assert.equal(by['c-notify'].icon, 'bell');
  assert.equal(by['c-notify'].color, 'red');
  // From the icon map: an emoji and an SVG path.
  assert.equal(by['c-sms'].color, 'pink');
  assert.equal(by['c-sms'].text, '📱');
  assert.equal(by['c-sms'].bg, 'rgb(214, 51, 132)');
  assert.equal(by['c-custom'].color, 'lime');
  assert.equal(by['c-custom'].icon, 'M4 4h16v16H4z');
  // Unknown channel type: the fallback.
  assert.equal(by['c-odd'].icon, 'event');
  assert.equal(by['c-odd'].color, 'slate');
  await shot(p, 'widget-wide');
  assert.deepEqual(errors, []);
  await p.close();
});

test('events are grouped by day, newest first, with day headers', async () => {
  const { p, errors } = await open('/basic.html');
  await p.locator('li.event').first().waitFor();
  const days = await p.$$eval('customer-journey-widget', ([w]) =>
    [...w.shadowRoot.querySelectorAll('.day')].map((d) => ({
      key: d.dataset.day,
      head: d.querySelector('.day-head').textContent.trim(),
      ids: [...d.querySelectorAll('li.event')].map((li) => li.dataset.id),
    })),
  );
  const key = (ms) => new Date(ms).toISOString().slice(0, 10);
  const want = [];
  for (const e of events) {
    const k = key(e.time);
    if (!want.length || want[want.length - 1].key !== k) want.push({ key: k, ids: [] });
    want[want.length - 1].ids.push(e.id);
  }
  assert.deepEqual(
    days.map(({ key, ids }) => ({ key, ids })),
    want,
  );
  assert.equal(days[0].head, key(now) === days[0].key ? 'Today' : days[0].head);
  assert.match(days[days.length - 1].head, /\d{4}/); // an older day shows its date
  assert.deepEqual(errors, []);
  await p.close();
});

test('the time frame filters events, from the attribute and from the select', async () => {
  const profile404 = [['/v1/api/progressive-profile-view/', 404]];
  const { p, errors } = await open('/week.html', { allow: profile404 });
  await p.locator('li.event').first().waitFor();
  const ids = () => p.$$eval('customer-journey-widget', ([w]) => [...w.shadowRoot.querySelectorAll('li.event')].map((li) => li.dataset.id));
  assert.deepEqual(await ids(), ['c-voice', 'c-sms', 'c-mail', 'c-notify']);
  const frame = p.getByLabel('Time frame');
  await frame.selectOption('24-Hours');
  assert.deepEqual(await ids(), ['c-voice', 'c-sms']);
  await frame.selectOption('30-Days');
  assert.equal((await ids()).length, 6);
  await frame.selectOption('All');
  assert.equal((await ids()).length, 6);
  // The profile endpoint is not there yet: the section says so, without an error.
  await p.getByText('No profile').waitFor();
  assert.deepEqual(errors, []);
  await p.close();
});

test('channel chips filter the timeline', async () => {
  const { p, errors } = await open('/basic.html');
  await p.locator('li.event').first().waitFor();
  const chip = p.locator('button.chip[data-type="Voice"]');
  assert.equal(await chip.getAttribute('aria-pressed'), 'true');
  await chip.click();
  assert.equal(await chip.getAttribute('aria-pressed'), 'false');
  assert.equal(await p.locator('li.event[data-type="Voice"]').count(), 0);
  assert.equal(await p.locator('li.event').count(), 5);
  await p.locator('.count').getByText('5 of 6').waitFor();
  await chip.click();
  assert.equal(await p.locator('li.event').count(), 6);
  assert.deepEqual(errors, []);
  await p.close();
});

test('keyboard: Tab reaches an event, Enter expands it, Space collapses it', async () => {
  const { p, errors } = await open('/basic.html');
  await p.locator('li.event').first().waitFor();
  const head = p.locator('li.event[data-id="c-voice"] .ev-head');
  // Tab from the page start until the first event has focus.
  let focused = false;
  for (let i = 0; i < 40 && !focused; i++) {
    await p.keyboard.press('Tab');
    focused = await head.evaluate((el) => el.getRootNode().activeElement === el);
  }
  assert.ok(focused, 'the first event is reachable with Tab');
  const outline = await head.evaluate((el) => getComputedStyle(el).outlineStyle);
  assert.notEqual(outline, 'none', 'focus is visible');
  await p.keyboard.press('Enter');
  assert.equal(await head.getAttribute('aria-expanded'), 'true');
  const body = p.locator('li.event[data-id="c-voice"] .ev-body');
  await body.getByText('note of c-voice').waitFor();
  await body.getByRole('rowheader', { name: 'channelType' }).waitFor();
  await shot(p, 'widget-expanded');
  await p.keyboard.press('Space');
  assert.equal(await head.getAttribute('aria-expanded'), 'false');
  assert.equal(await body.count(), 0);
  assert.deepEqual(errors, []);
  await p.close();
});

test('without a customer a search box looks one up; narrow panels do not scroll sideways', async () => {
  const { p, errors } = await open('/search.html', { width: 320 });
  await p.getByLabel('Customer identity').fill('15550001111');
  await p.getByLabel('Customer identity').press('Enter');
  await p.locator('li.event').first().waitFor();
  assert.equal(await p.locator('li.event').count(), 6);
  await p.locator('li.alias[data-kind="phone"]').getByText(ident).waitFor();
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px at 320px`);
  await p.locator('li.event[data-id="c-notify"] .ev-head').click();
  await shot(p, 'widget-narrow-320');
  assert.deepEqual(errors, []);
  await p.close();
});

test('read-only aliases and collapsed sections', async () => {
  const { p, errors } = await open('/readonly.html');
  await p.locator('li.alias').first().waitFor();
  assert.equal(await p.getByRole('button', { name: /Remove alias/ }).count(), 0);
  assert.equal(await p.locator('form.add-alias').count(), 0);
  const toggle = p.getByRole('button', { name: 'Timeline' });
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  assert.equal(await p.locator('li.event').first().isVisible(), false);
  await toggle.click();
  await p.locator('li.event').first().waitFor({ state: 'visible' });
  assert.deepEqual(errors, []);
  await p.close();
});

test('API errors are shown as readable messages', async () => {
  const { p, errors } = await open('/badtoken.html', { allow: [['/v1/api/', 401], ['/admin/v1/api/', 401]] });
  const alert = p.locator('.error[role="alert"]').first();
  await alert.waitFor();
  const text = await alert.textContent();
  assert.match(text, /signature|token|key/i);
  assert.doesNotMatch(text, /\{|undefined|\[object/);
  assert.deepEqual(errors, []);
  await p.close();
});

test('the profile section shows the template attributes', async (t) => {
  const created = await jds.api('POST', '/admin/v1/api/profile-view-template/workspace-id/default', {
    name: 'Widget Test',
    attributes: [
      { version: '0.1', displayName: 'Calls in 30 days', event: 'Call', metaData: 'channelType', metaDataType: 'string', limit: 1000, lookBackDurationType: 'days', lookBackPeriod: 30, aggregationMode: 'Count' },
      { version: '0.1', displayName: 'Last call origin', event: 'Call', metaData: 'origin', metaDataType: 'string', limit: 1000, lookBackDurationType: 'days', lookBackPeriod: 30, aggregationMode: 'Value' },
    ],
  });
  if (created.status === 404) return t.skip('this jds has no profile templates yet');
  assert.ok(created.status === 200 || created.status === 201, created.text);
  const { p, errors } = await open('/profile.html');
  const table = p.getByRole('table', { name: 'Profile attributes' });
  // The template is backfilled from the ledger: poll until the count shows.
  for (let i = 0; i < 20; i++) {
    await p.getByRole('button', { name: 'Refresh journey' }).click();
    try {
      await table.getByRole('row', { name: /Calls in 30 days\s*1$/ }).waitFor({ timeout: 500 });
      break;
    } catch {
      /* backfill still running */
    }
  }
  const text = async (name) => (await table.getByRole('row', { name }).textContent()).replace(/\s+/g, ' ').trim();
  assert.equal(await text(/Calls in 30 days/), 'Calls in 30 days 1');
  assert.equal(await text(/Last call origin/), 'Last call origin Inbound call');
  await p.getByRole('button', { name: /Profile · Widget Test/ }).waitFor();
  await shot(p, 'widget-profile');
  assert.deepEqual(errors, []);
  await p.close();
});

test('Agent Desktop properties: interactionData picks the customer (ani, dnis when outbound, a CAD variable); bearerToken and organizationId go with every request', async () => {
  const { p, errors } = await open('/ad.html');
  const calls = [];
  p.on('request', (r) => {
    if (/\/(v1|admin)\//.test(r.url())) calls.push({ url: r.url(), auth: r.headers().authorization || '' });
  });
  const w = p.locator('customer-journey-widget');
  const who = () => w.locator('.who').textContent();
  await w.locator('li.event').first().waitFor();
  assert.equal(await w.locator('li.event').count(), events.length);
  assert.match(await who(), new RegExp(`\\${ident}$`));
  // An outbound task (direction as a plain string, fields under interaction): the dialled number.
  await p.evaluate((n) => (window.w.interactionData = { ani: '+18005550100', interaction: { contactDirection: 'OUTBOUND', dnis: n } }), ident2);
  await w.locator('li.event[data-id="s-1"]').waitFor();
  assert.match(await who(), new RegExp(`\\${ident2}$`));
  // {type: 'OUTBOUND'} as Desktop nests it.
  await p.evaluate((n) => (window.w.interactionData = { ani: '+18005550100', dnis: n, contactDirection: { type: 'OUTBOUND' } }), ident);
  await w.locator('li.event[data-id="c-voice"]').waitFor();
  // A CAD variable named by cad-variable wins over ani.
  await p.evaluate((n) => {
    window.w.setAttribute('cad-variable', 'accountNumber');
    window.w.interactionData = { ani: '+18005550100', contactDirection: { type: 'INBOUND' }, callAssociatedDetails: { accountNumber: n } };
  }, ident2);
  await w.locator('li.event[data-id="s-1"]').waitFor();
  assert.match(await who(), new RegExp(`\\${ident2}$`));
  // The task ends (Desktop selects none): no customer is shown any more.
  await p.evaluate(() => (window.w.interactionData = null));
  await w.getByLabel('Customer identity').waitFor();
  assert.equal(await w.locator('li.event').count(), 0);
  const pick = await p.evaluate(async () => {
    const { customerFromInteraction: f } = await import('/dist/customer-journey.js');
    return [
      f({ ani: '+1 555', contactDirection: { type: 'INBOUND' } }),
      f({ ani: 'a', dnis: 'd', contactDirection: 'OUTBOUND' }),
      f({ ani: 'a', callAssociatedData: { acct: { name: 'acct', value: 'C-9' } } }, 'acct'),
      f({ ani: 'a', callAssociatedDetails: { acct: '' } }, 'acct'),
      f(null),
    ];
  });
  assert.deepEqual(pick, ['+1 555', 'd', 'C-9', 'a', '']);
  assert.ok(calls.length >= 6, `${calls.length} API calls`);
  for (const c of calls) {
    assert.match(c.url, /[?&]organizationId=dev(&|$)/, c.url);
    if (!c.url.includes('/stream/')) assert.match(c.auth, /^Bearer so=dev&/, c.url);
    else assert.match(c.url, /bearerToken=so%3Ddev/, c.url);
  }
  assert.deepEqual(errors, []);
  await p.close();
});

test('icons: the Momentum icons.json format (regular-expression keys, icon names, showcase) and ours', async () => {
  const { p, errors } = await open('/momentum.html');
  await p.waitForFunction(() => document.querySelector('customer-journey-widget')._iconMap !== null);
  await p.locator('li.event').first().waitFor();
  const look = (page) =>
    page.$$eval('customer-journey-widget', ([w]) =>
      Object.fromEntries([...w.shadowRoot.querySelectorAll('li.event, li.task')].map((li) => [li.dataset.id || li.dataset.task, { color: li.dataset.color, icon: li.querySelector('.ic').dataset.icon }])),
    );
  const by = await look(p);
  assert.deepEqual(by['c-sms'], { color: 'mint', icon: 'sms' }); // ^SMS$
  assert.deepEqual(by['c-odd'], { color: 'orange', icon: 'phone' }); // "Carrier Pigeon" matches pigeon|raven
  assert.deepEqual(by['c-voice'], { color: 'cobalt', icon: 'agent' }); // icon-headset-filled_24
  assert.deepEqual(by['c-mail'], { color: 'violet', icon: 'email' }); // not in the file: the built-in map
  assert.deepEqual(by['c-custom'], { color: 'slate', icon: 'event' });
  const q = await ctx.newPage();
  await q.goto(pages.base + '/events.html');
  await q.waitForFunction(() => document.querySelector('customer-journey-widget')._iconMap !== null);
  await q.locator('li.event[data-id="l-1"]').waitFor();
  assert.deepEqual((await look(q))['l-1'], { color: 'gold', icon: 'web' }); // the showcase entry
  // The 17 colors are the ones the widget names.
  const colors = await p.evaluate(async () => Object.keys((await import('/dist/customer-journey.js')).COLORS));
  assert.equal(colors.length, 17);
  await q.close();
  assert.deepEqual(errors, []);
  await p.close();
});

test('events: links open in a new tab (http and https only), markup is text, one task is one expandable row', async () => {
  const { p, errors } = await open('/events.html');
  const w = p.locator('customer-journey-widget');
  await w.locator('li.task').waitFor();
  // Three rows: the SMS, the promo, the task's three events.
  const top = await p.$$eval('customer-journey-widget', ([w]) => [...w.shadowRoot.querySelectorAll('ol.events:not(.nested) > li')].map((li) => li.dataset.id || `task ${li.dataset.task}`));
  assert.deepEqual(top, ['s-1', 'l-1', 'task task-42']);
  const task = w.locator('li.task[data-task="task-42"]');
  assert.match(await task.locator('.ev-title').textContent(), /Agent answered/);
  assert.equal((await task.locator('.n').textContent()).trim(), '3 events');
  const head = task.locator('> .ev-head');
  assert.equal(await head.getAttribute('aria-expanded'), 'false');
  await head.focus();
  await p.keyboard.press('Enter');
  assert.equal(await head.getAttribute('aria-expanded'), 'true');
  const nested = task.getByRole('list', { name: 'Events of task task-42' });
  assert.deepEqual(await nested.locator('li.event').evaluateAll((l) => l.map((x) => x.dataset.id)), ['t-3', 't-2', 't-1']);
  await nested.locator('li.event[data-id="t-1"] .ev-head').click();
  await nested.locator('li.event[data-id="t-1"] .ev-body').getByText('task-42').first().waitFor();
  await shot(p, 'widget-task');
  await p.keyboard.press('Space'); // the focused inner event collapses, the task stays open
  // The promo: markup shown as text, links only for http(s).
  const promo = w.locator('li.event[data-id="l-1"]');
  assert.equal(await promo.locator('.ev-title').textContent(), '<img src=x onerror="window.__xss=1">Promo <b>sent</b>');
  await promo.locator('.ev-head').click();
  const links = await promo.locator('.ev-body a').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent, target: a.target, rel: a.rel })));
  assert.deepEqual(links, [
    { href: 'https://example.com/offer?a=1&b=2', text: 'https://example.com/offer?a=1&b=2', target: '_blank', rel: 'noopener noreferrer' },
    { href: 'http://a.example/x', text: 'http://a.example/x', target: '_blank', rel: 'noopener noreferrer' },
  ]);
  const body = promo.locator('.ev-body');
  assert.equal(await body.locator('tr').filter({ has: p.locator('th', { hasText: /^site$/ }) }).locator('td').textContent(), 'See https://example.com/offer?a=1&b=2.');
  await body.getByText('javascript:window.__xss=2').waitFor();
  await body.getByText('data:text/html,<script>window.__xss=3</script>').waitFor();
  await body.getByRole('rowheader', { name: '<i>key</i>' }).waitFor();
  const injected = await p.$$eval('customer-journey-widget', ([w]) => w.shadowRoot.querySelectorAll('img, script, svg[onload], b, i, a[href^="javascript"], a[href^="data"]').length);
  assert.equal(injected, 0);
  assert.equal(await p.evaluate(() => window.__xss), undefined);
  await shot(p, 'widget-links');
  await p.setViewportSize({ width: 320, height: 900 });
  const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px at 320px`);
  assert.deepEqual(errors, []);
  await p.close();
});

test('the profile follows its live stream', async () => {
  const created = await jds.api('POST', '/admin/v1/api/profile-view-template/workspace-id/default', {
    name: 'Live Profile',
    attributes: [{ displayName: 'Calls today', event: 'Call', metaData: 'channelType', metaDataType: 'string', lookBackDurationType: 'days', lookBackPeriod: 1, aggregationMode: 'Count' }],
  });
  assert.equal(created.status, 201, created.text);
  const { p, errors } = await open('/liveprofile.html', { allow: [['/admin/v1/api/person/', 404]] });
  const views = [];
  p.on('request', (r) => r.url().includes('/progressive-profile-view/') && views.push(r.url()));
  const table = p.getByRole('table', { name: 'Profile attributes' });
  await table.getByRole('row', { name: /Calls today\s*0$/ }).waitFor();
  await p.locator('customer-journey-widget').getByRole('status', { name: 'Live updates: connected' }).waitFor();
  for (let i = 1; i <= 2; i++) {
    await jds.post({ id: `lp-${i}`, specversion: '1.0', type: 'Call', source: 'component%20test', identity: '+15550004444', identitytype: 'phone', data: { channelType: 'Voice', origin: `Call ${i}` } });
    await table.getByRole('row', { name: new RegExp(`Calls today\\s*${i}$`) }).waitFor();
  }
  assert.deepEqual(views.filter((u) => !u.includes('/stream/')), [], 'no view fetched again: the stream brought it');
  await p.locator('li.alias[data-kind="phone"]').getByText('+15550004444').waitFor(); // the person the first event made
  assert.deepEqual(errors, []);
  await p.close();
});

test('first and last name are editable (a JSON Patch on the person)', async () => {
  const { p, errors } = await open('/name.html');
  const w = p.locator('customer-journey-widget');
  await w.locator('li.alias').first().waitFor();
  const edit = w.getByRole('button', { name: 'Edit name' });
  await edit.click();
  const first = w.getByLabel('First name');
  assert.equal(await first.evaluate((el) => el.getRootNode().activeElement === el), true, 'the first field has focus');
  await p.keyboard.press('Escape');
  assert.equal(await first.count(), 0);
  await edit.click();
  await first.fill('Ada <b>');
  await w.getByLabel('Last name').fill('Lovelace');
  await w.getByLabel('Last name').press('Enter');
  await w.locator('.who .name').getByText('Ada <b> Lovelace').waitFor();
  await w.getByRole('status').getByText('Name saved').waitFor();
  const r = await jds.api('GET', `/admin/v1/api/person/workspace-id/default/aliases/${encodeURIComponent(ident)}`);
  assert.equal(r.json.data[0].firstName, 'Ada <b>');
  assert.equal(r.json.data[0].lastName, 'Lovelace');
  await shot(p, 'widget-name');
  assert.deepEqual(errors, []);
  await p.close();
});

test('hide-aliases hides the aliases', async () => {
  const { p, errors } = await open('/hidden.html');
  const w = p.locator('customer-journey-widget');
  await w.locator('li.event').first().waitFor();
  await w.getByRole('button', { name: 'Edit name' }).waitFor();
  assert.equal(await w.locator('[part="aliases"]').count(), 0);
  assert.equal(await w.getByRole('button', { name: 'Aliases' }).count(), 0);
  assert.deepEqual(errors, []);
  await p.close();
});
