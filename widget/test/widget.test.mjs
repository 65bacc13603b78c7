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
  const tok = jds.token.replace(/"/g, '&quot;');
  pages = await startPages(jds.base, {
    '/icons.json': JSON.stringify(iconMap),
    '/basic.html': page(`customer="${ident}" token="${tok}" icon-data-path="/icons.json"`),
    '/week.html': page(`customer="${ident}" token="${tok}" time-frame="7-Days" template-id="Repeat Caller"`),
    '/search.html': page(`token="${tok}"`),
    '/badtoken.html': page(`customer="${ident}" token="SharedAccessSignature so=dev&sn=*&ss=admin&sp=rw&se=2099-01-01T00:00:00Z&sk=dev&sig=bad"`),
    '/profile.html': page(`customer="${ident}" token="${tok}" template-id="Widget Test"`),
    '/readonly.html': page(`customer="${ident}" token="${tok}" read-only-aliases collapse-timeline-section`),
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
