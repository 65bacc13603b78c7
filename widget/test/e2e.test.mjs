// End to end: a real jds serving the console at /, the sample events, a real Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startJds, launch, watch, shot, sampleEvents, widgetDir } from './helpers.mjs';

let jds, ctx, page, errors, crm, stranger, desktop;

// Endpoints that other parts of jds will add later: a 404 from them is expected today.
const LATER = [
  ['/v1/api/progressive-profile-view/', 404],
  ['/admin/v1/api/profile-view-template/', 404],
  ['/admin/v1/api/journey-actions/', 404],
];

// A rule directory with a broken file: the console must show the load error.
const rulesDir = mkdtempSync(join(tmpdir(), 'jds-rules-'));
writeFileSync(
  join(rulesDir, 'broken.yaml'),
  'templates:\n  - name: Broken\n    attributes:\n      - {displayName: x, event: E, aggregationMode: Median, lookBack: 1d}\n',
);

// The sample IVR flows: the console lists them.
const flowsDir = fileURLToPath(new URL('../../samples/flows', import.meta.url));

// hostPage serves a page that embeds the widget, on its own origin (another port): a
// CRM or an agent desktop. page() renders it; /own/customer-journey.js is the
// widget bundle served by the page's own server rather than by jds.
async function hostPage(page, files = {}) {
  const srv = createServer((req, res) => {
    if (files[req.url]) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(files[req.url]());
    }
    if (req.url === '/own/customer-journey.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript' });
      return res.end(readFileSync(join(widgetDir, 'dist/customer-journey.js')));
    }
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(page());
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${srv.address().port}`,
    stop: () =>
      new Promise((r) => {
        srv.closeAllConnections();
        srv.close(r);
      }),
  };
}

// crmPage embeds the widget from jds, as the widget's README says to; strangerPage serves
// the bundle itself (a module script from jds would not even load for a stranger).
const embed = (script) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>CRM</title>
<link rel="icon" href="data:,"><script type="module" src="${script}"></script></head>
<body><h1>Customer record</h1><customer-journey-widget base-url="${jds.base}" token="${jds.token.replace(/"/g, '&quot;')}"
customer="+12263762555" live-stream></customer-journey-widget></body></html>`;

// desktopPage plays Agent Desktop on its own origin: it reads the sample layout
// (widget/agent-desktop-layout.json, jds's address put in), loads the widget's script
// from jds, creates the element, sets its attributes, and sets its properties from a
// $STORE, again each time the store changes (a new task is selected).
const desktopPage = () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Agent Desktop</title>
<link rel="icon" href="data:,"></head><body><main aria-label="Agent panel"></main>
<script type="module">
const layout = await (await fetch('/layout.json')).json();
const find = (n) => (n && typeof n === 'object' ? (n.comp === 'customer-journey-widget' ? n : Object.values(n).map(find).find(Boolean)) : undefined);
const spec = find(layout);
await import(spec.script);
window.STORE = { agentContact: { taskSelected: null }, auth: { accessToken: '' }, agent: { orgId: '' }, app: { datacenter: '' } };
const w = document.createElement(spec.comp);
for (const [k, v] of Object.entries(spec.attributes)) w.setAttribute(k, v);
const bind = () => {
  for (const [k, v] of Object.entries(spec.properties)) w[k] = v.startsWith('$STORE.') ? v.slice(7).split('.').reduce((o, p) => o?.[p], window.STORE) : v;
};
window.setStore = (patch) => { Object.assign(window.STORE, patch); bind(); };
bind();
document.querySelector('main').append(w);
window.ready = true;
</script></body></html>`;

// A partner that refuses every delivery: journey actions that send to it make dead letters.
let partner;
async function refusingPartner() {
  const srv = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(400, { 'Content-Type': 'text/plain' });
      res.end('no such customer');
    });
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${srv.address().port}/hook`, stop: () => new Promise((r) => srv.close(r)) };
}

before(async () => {
  // jds allows the CRM page's origin (through JDS_CORS_ORIGINS), not the stranger's.
  crm = await hostPage(() => embed(`${jds.base}/widget/customer-journey.js`));
  stranger = await hostPage(() => embed('/own/customer-journey.js'));
  desktop = await hostPage(desktopPage, {
    // The sample layout, with jds's address: base-url takes the port from dataCenter.
    '/layout.json': () =>
      readFileSync(join(widgetDir, 'agent-desktop-layout.json'), 'utf8')
        .replace('"https://jds.example.com"', '"http://127.0.0.1:{dataCenter}"')
        .replaceAll('https://jds.example.com', jds.base),
  });
  partner = await refusingPartner();
  // Two connectors for journey actions: one that always succeeds, one to the partner.
  const config = join(mkdtempSync(join(tmpdir(), 'jds-config-')), 'jds.yaml');
  // sms-log and quiet-log: connectors that contact policies hold back (suppress, defer).
  writeFileSync(
    config,
    `connectors:\n  - {name: crm-log, kind: log}\n  - {name: crm-hook, kind: webhook, url: "${partner.url}"}\n  - {name: sms-log, kind: log}\n  - {name: quiet-log, kind: log}\n`,
  );
  jds = await startJds({ JDS_CONFIG: config, JDS_RULES_DIR: rulesDir, JDS_FLOWS_DIR: flowsDir, JDS_CORS_ORIGINS: `${crm.origin},${desktop.origin}` });
  ctx = await launch();
  page = await ctx.newPage();
  page.setDefaultTimeout(10000);
  errors = watch(page, LATER);
});

after(async () => {
  await ctx?.close();
  await jds?.stop();
  await crm?.stop();
  await stranger?.stop();
  await desktop?.stop();
  await partner?.stop();
});

const widget = () => page.locator('customer-journey-widget');

test('the console and the widget are served by jds without a token', async () => {
  for (const [path, type] of [
    ['/', 'text/html'],
    ['/widget/customer-journey.js', 'text/javascript'],
    ['/console/console.js', 'text/javascript'],
  ]) {
    const res = await fetch(jds.base + path);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get('content-type'), new RegExp(type));
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.ok(res.headers.get('etag'));
  }
});

test('sign in with the admin token', async () => {
  await page.goto(jds.base + '/');
  await page.getByRole('heading', { name: 'Sign in to jds' }).waitFor();
  assert.equal(await page.getByLabel('Workspace').inputValue(), 'default');
  await shot(page, 'console-signin');
  // A wrong token is refused with the server's reason.
  await page.getByLabel('Token').fill('SharedAccessSignature so=dev&sn=*&ss=admin&sp=rw&se=2099-01-01T00:00:00Z&sk=dev&sig=nope');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').textContent(), /signature/i);
  errors.length = 0; // the 401 of that attempt is expected
  await page.getByLabel('Token').fill(jds.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Persons', exact: true }).waitFor();
  assert.equal(await page.evaluate(() => sessionStorage.getItem('jds.token')), jds.token);
});

test('post the sample events and look up +12263762555', async () => {
  for (const ev of sampleEvents()) await jds.post(ev, 'default');
  await page.reload(); // the token survives a reload (sessionStorage)
  await page.getByRole('heading', { name: 'Persons', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Open +12263762555' }).waitFor();
  await page.getByLabel('Find by alias').fill('+12263762555');
  await page.getByRole('button', { name: 'Find', exact: true }).click();
  const w = widget();
  await w.locator('li.event').first().waitFor();
  const rows = await w.locator('li.event').evaluateAll((lis) =>
    lis.map((li) => ({ id: li.dataset.id, type: li.dataset.type, title: li.querySelector('.ev-title').textContent.trim(), sub: li.querySelector('.ev-sub').textContent.trim() })),
  );
  const mine = sampleEvents().filter((e) => e.identity.replace(/\D/g, '') === '12263762555');
  assert.equal(rows.length, mine.length);
  for (const e of mine) {
    const r = rows.find((x) => x.id === e.id);
    assert.ok(r, `event ${e.id} is shown`);
    assert.equal(r.title, e.data.origin);
    assert.equal(r.type, e.data.channelType);
    assert.ok(r.sub.startsWith(e.type), `${r.sub} names the type ${e.type}`);
    assert.ok(r.sub.includes(decodeURIComponent(e.source)), `${r.sub} names the source`);
  }
  // The overdue notice is the oldest (2023) and sits last, under its own day.
  assert.equal(rows[rows.length - 1].id, '0b7e8f3a-4c55-4d1e-8e0f-2a9d6b1c7e11');
  await w.locator('.day[data-day="2023-03-31"]').waitFor();
  await w.locator('li.alias[data-kind="phone"]').getByText('+12263762555').waitFor();
  await shot(page, 'console-journey');
});

test('expand an event to see every data field', async () => {
  const w = widget();
  const ev = w.locator('li.event[data-id="0b7e8f3a-4c55-4d1e-8e0f-2a9d6b1c7e11"]');
  await ev.locator('.ev-head').focus();
  await page.keyboard.press('Enter');
  const table = ev.locator('table.kv');
  await table.waitFor();
  const row = table.getByRole('row', { name: /Past Due Amount/ });
  assert.match(await row.textContent(), /\$544\.73/);
  for (const k of ['Reason', 'MessageForUser', 'LinkSent', 'Notification', 'category', 'status', 'channelBreakout']) {
    await table.getByRole('rowheader', { name: k, exact: true }).waitFor();
  }
  await shot(page, 'console-expanded');
  await ev.locator('.ev-head').click();
  assert.equal(await table.count(), 0);
});

test('filter by channel type', async () => {
  const w = widget();
  const all = await w.locator('li.event').count();
  const chip = w.locator('button.chip[data-type="Payment Notify"]');
  await chip.click();
  assert.equal(await w.locator('li.event').count(), all - 1);
  assert.equal(await w.locator('li.event[data-type="Payment Notify"]').count(), 0);
  await chip.press('Space');
  assert.equal(await w.locator('li.event').count(), all);
});

test('a live event appears at the top without a reload', async () => {
  const w = widget();
  await w.getByRole('status', { name: 'Live updates: connected' }).waitFor();
  await page.evaluate(() => (window.__noReload = true));
  const id = `live-${Date.now()}`;
  await jds.post(
    {
      id,
      specversion: '1.0',
      type: 'Queued Caller',
      source: 'ivr',
      identity: '226-376-2555',
      identitytype: 'phone',
      data: { origin: 'Called the billing line', channelType: 'Voice', queue: 'Billing' },
    },
    'default',
  );
  await w.locator(`li.event[data-id="${id}"]`).waitFor({ timeout: 10000 });
  assert.equal(await w.locator('li.event').first().getAttribute('data-id'), id);
  assert.equal(await page.evaluate(() => window.__noReload), true);
  await shot(page, 'console-live');
});

test('add an alias', async () => {
  const w = widget();
  await w.getByLabel('Alias kind').selectOption('email');
  await w.getByLabel('Alias value').fill('Bob.Payer@Example.com');
  await w.getByRole('button', { name: 'Add', exact: true }).click();
  await w.locator('li.alias[data-kind="email"]').getByText('bob.payer@example.com').waitFor();
  const r = await jds.api('GET', '/admin/v1/api/person/workspace-id/default/aliases/bob.payer%40example.com');
  assert.equal(r.status, 200);
  assert.ok(r.json.data[0].phone.includes('+12263762555'));
  // Adding an alias another person owns is refused with the server's message.
  await w.getByLabel('Alias value').fill('bmclella@cisco.com');
  await w.getByRole('button', { name: 'Add', exact: true }).click();
  const alert = w.locator('.add-alias ~ p.error');
  await alert.waitFor();
  assert.match(await alert.textContent(), /bmclella@cisco.com/);
  errors.splice(0, errors.length, ...errors.filter((e) => !/status of 409/.test(e)));
  // Remove the alias again.
  await w.getByRole('button', { name: 'Remove alias bob.payer@example.com' }).click();
  await w.locator('li.alias[data-kind="email"]').waitFor({ state: 'detached' });
});

test('live tail shows incoming events', async () => {
  await page.getByRole('link', { name: 'Live tail' }).click();
  await page.getByLabel('Identity').fill('bmclella@cisco.com');
  await page.getByRole('button', { name: 'Start' }).click();
  await page.getByRole('status').getByText('Listening').waitFor();
  await jds.post(
    { id: `tail-${Date.now()}`, specversion: '1.0', type: 'Chat', source: 'web', identity: 'bmclella@cisco.com', identitytype: 'email', data: { origin: 'Chat started', channelType: 'Chat' } },
    'default',
  );
  await page.getByRole('table', { name: 'Incoming events' }).getByText('Chat started').waitFor();
  await shot(page, 'console-tail');
  await page.getByRole('button', { name: 'Stop' }).click();
});

test('sections whose APIs come later say so', async () => {
  for (const [link, title] of [
    ['Templates', 'Profile templates'],
    ['Actions', 'Journey actions'],
    ['Flows', 'IVR flows'],
  ]) {
    await page.getByRole('link', { name: link, exact: true }).click();
    await page.getByRole('heading', { name: title }).waitFor();
    await page.getByText(/Not available on this server|Nothing here yet|Name/).first().waitFor();
  }
  await shot(page, 'console-section');
});

test('the templates section shows rule files that do not load', async () => {
  await page.getByRole('link', { name: 'Templates', exact: true }).click();
  const alert = page.getByRole('alert', { name: 'Rule file errors' });
  await alert.waitFor();
  const text = await alert.textContent();
  assert.match(text, /broken\.yaml:4:\d+: .*aggregationMode/);
  await shot(page, 'console-rule-errors');
});

// Checking a definition as it is typed answers 400 (problems) or 404 (none); saving may
// answer 400 or 409: the console shows those, the browser logs them.
const dropStatus = (...codes) => errors.splice(0, errors.length, ...errors.filter((e) => !codes.some((c) => e.includes(`status of ${c}`))));

test('templates: a form checked by the API as it is typed, the messages next to their fields; saved, then edited', async () => {
  await page.getByRole('link', { name: 'Templates', exact: true }).click();
  await page.getByRole('button', { name: 'New template' }).click();
  const form = page.getByRole('form', { name: 'New template' });
  await form.getByLabel('Name', { exact: true }).fill('Console Calls');
  await form.getByLabel('Display name').fill('Console events');
  await form.getByLabel('Data field').fill('channelType');
  await form.getByLabel('Look back', { exact: true }).fill('0');
  // The event type is empty and the window 0 days: the server says so, by each field.
  const eventErr = form.locator('.field-error[data-field="attributes[0].event"]');
  await eventErr.waitFor();
  assert.match(await eventErr.textContent(), /required/);
  const event = form.getByLabel('Event type');
  assert.equal(await event.getAttribute('aria-invalid'), 'true');
  assert.equal(await event.getAttribute('aria-describedby'), await eventErr.getAttribute('id'));
  assert.match(await form.locator('.field-error[data-field="attributes[0].lookBackPeriod"]').textContent(), /between 1 and/);
  await shot(page, 'console-template-errors');
  await event.fill('Console Test Event');
  await form.getByLabel('Look back', { exact: true }).fill('7');
  await form.getByRole('status').getByText('The server finds no problems.').waitFor();
  assert.equal(await form.locator('.field-error').count(), 0);
  assert.equal(await event.getAttribute('aria-invalid'), 'false');
  let r = await jds.api('GET', '/admin/v1/api/profile-view-template/workspace-id/default');
  assert.ok(!r.json.data.some((t) => t.name === 'Console Calls'), 'checking saved nothing');
  await form.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').getByText('Saved “Console Calls”.').waitFor();
  const table = page.getByRole('table', { name: 'Profile templates' });
  await table.getByRole('cell', { name: 'Console Calls', exact: true }).waitFor();
  r = await jds.api('GET', '/admin/v1/api/profile-view-template/workspace-id/default/template-name/Console%20Calls');
  assert.equal(r.json.data.attributes[0].event, 'Console Test Event');
  assert.equal(r.json.data.attributes[0].lookBackPeriod, 7);
  // Edit it: another attribute, another name.
  await table.getByRole('button', { name: 'Edit Console Calls' }).click();
  const edit = page.getByRole('form', { name: 'Edit template “Console Calls”' });
  await edit.getByRole('button', { name: 'Add attribute' }).click();
  await edit.getByRole('group', { name: 'Attribute 2' }).getByLabel('Display name').fill('Console sum');
  await edit.getByRole('group', { name: 'Attribute 2' }).getByLabel('Event type').fill('Console Test Event');
  await edit.getByRole('group', { name: 'Attribute 2' }).getByLabel('Aggregation').selectOption('Value');
  await edit.getByRole('group', { name: 'Attribute 2' }).getByLabel('Data field').fill('channelType');
  await edit.getByRole('status').getByText('The server finds no problems.').waitFor();
  await edit.getByLabel('Name', { exact: true }).fill('Console Calls Edited');
  await edit.getByRole('button', { name: 'Save' }).click();
  await table.getByRole('cell', { name: 'Console Calls Edited', exact: true }).waitFor();
  r = await jds.api('GET', '/admin/v1/api/profile-view-template/workspace-id/default/template-name/Console%20Calls%20Edited');
  assert.equal(r.json.data.attributes.length, 2);
  assert.equal(r.json.data.attributes[1].aggregationMode, 'Value');
  dropStatus(400, 404);
});

test('actions: the editor shows the server\'s messages by the field they name, on saving too', async () => {
  await page.getByRole('link', { name: 'Actions', exact: true }).click();
  await page.getByRole('button', { name: 'New action' }).click();
  const form = page.getByRole('form', { name: 'New action' });
  await form.getByLabel('Template').selectOption({ label: 'Console Calls Edited' });
  await form.getByLabel('Name', { exact: true }).fill('Console action');
  const rules = form.getByLabel(/^Rules/);
  await rules.fill('{"logic": "SINGLE", "condition": "Nope GTE 1"}');
  const rulesErr = form.locator('.field-error[data-field="rules"]');
  await rulesErr.getByText(/condition: expected/).waitFor();
  await rules.fill('{"logic": "SINGLE",');
  await rulesErr.getByText(/not valid JSON/).waitFor();
  await rules.fill('{"logic": "SINGLE", "condition": "Console Test Event,channelType,string,Count GTE 1"}');
  await form.getByLabel('Connector').fill('nope');
  await form.getByRole('status').getByText('The server finds no problems.').waitFor();
  // The connector is checked when the action is saved: the answer names the field.
  await form.getByRole('button', { name: 'Save' }).click();
  const connErr = form.locator('.field-error[data-field="actionTriggers[0].connector"]');
  await connErr.getByText(/no connector named "nope"/).waitFor();
  assert.equal(await form.getByLabel('Connector').getAttribute('aria-invalid'), 'true');
  await shot(page, 'console-action-errors');
  await form.getByLabel('Connector').fill('crm-log');
  await form.getByRole('button', { name: 'Save' }).click();
  const table = page.getByRole('table', { name: 'Journey actions' });
  const row = table.getByRole('row').filter({ hasText: 'Console action' });
  await row.getByRole('cell', { name: 'Console Calls Edited' }).waitFor();
  const r = await jds.api('GET', '/admin/v1/api/journey-actions/workspace-id/default');
  const saved = r.json.data.find((a) => a.name === 'Console action');
  assert.equal(saved.actionTriggers[0].connector, 'crm-log');
  assert.equal(saved.rules.condition, 'Console Test Event,channelType,string,Count GTE 1');
  dropStatus(400, 404);
});

test('definitions from rule files are shown read-only, as their source', async () => {
  rmSync(join(rulesDir, 'broken.yaml'));
  writeFileSync(
    join(rulesDir, 'file.yaml'),
    'templates:\n  - name: File Template\n    attributes:\n      - {name: fileEvents, displayName: File events, event: File Event, aggregationMode: Count, lookBack: 1d}\n' +
      'actions:\n  - name: File Action\n    template: File Template\n    isActive: true\n    cooldown: 1h\n    condition: fileEvents >= 1\n    actionTriggers:\n      - {type: Connector, connector: crm-log}\n',
  );
  const r = await jds.api('POST', '/admin/v1/api/rules/reload');
  assert.equal(r.status, 200, r.text);
  for (const [link, table, name] of [
    ['Templates', 'Profile templates', 'File Template'],
    ['Actions', 'Journey actions', 'File Action'],
  ]) {
    await page.getByRole('link', { name: 'Persons', exact: true }).click();
    await page.getByRole('link', { name: link, exact: true }).click();
    const row = page.getByRole('table', { name: table }).getByRole('row').filter({ hasText: name });
    await row.getByText('read-only').waitFor();
    assert.match(await row.textContent(), /file\.yaml/);
    assert.equal(await row.getByRole('button', { name: `Edit ${name}` }).count(), 0);
    assert.equal(await row.getByRole('button', { name: `Delete ${name}` }).count(), 0);
    await row.getByRole('button', { name: `View ${name}` }).click();
    const view = page.getByRole('region', { name: `${name} (from a rule file)` });
    await view.getByRole('note').getByText(/file\.yaml: read-only here/).waitFor();
    const source = JSON.parse(await view.getByLabel('Source').textContent());
    assert.equal(source.name, name);
    assert.equal(await view.locator('input, select, textarea').count(), 0);
    await shot(page, `console-${link.toLowerCase()}-file`);
    await view.getByRole('button', { name: 'Close' }).click();
  }
});

test('the console works in a narrow window', async () => {
  await page.setViewportSize({ width: 360, height: 800 });
  await page.getByRole('link', { name: 'Persons' }).click();
  await page.getByLabel('Find by alias').fill('12263762555');
  await page.getByLabel('Find by alias').press('Enter');
  await widget().locator('li.event').first().waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
  await shot(page, 'console-narrow');
});

test('the flows section lists the flows in force and their directory', async () => {
  await page.getByRole('link', { name: 'Flows', exact: true }).click();
  await page.getByRole('heading', { name: 'IVR flows' }).waitFor();
  await page.getByRole('status').getByText(/Flow files in .*samples\/flows: 3 loaded/).waitFor();
  for (const name of ['after-hours', 'payment-reminder', 'repeat-caller']) {
    await page.getByRole('cell', { name, exact: true }).waitFor();
  }
  await shot(page, 'console-flows');
});

test('the jobs section shows the scheduled jobs and runs one on request', async () => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole('link', { name: 'Jobs', exact: true }).click();
  const jobs = page.getByRole('table', { name: 'Scheduled jobs' });
  await jobs.getByRole('cell', { name: 'expire-anonymous', exact: true }).waitFor();
  const row = jobs.getByRole('row').filter({ hasText: 'expire-anonymous' });
  await row.getByRole('button', { name: 'Run now' }).click();
  await row.getByRole('cell', { name: 'ok', exact: true }).waitFor();
  await shot(page, 'console-jobs');
});

test('deliveries and dead letters are tables of state, connector, person and times', async () => {
  // A journey action with two triggers: one delivery is sent, the other becomes a dead
  // letter because the partner refuses it (a 400 is not retried).
  const ws = '/workspace-id/default';
  let r = await jds.api('POST', `/admin/v1/api/profile-view-template${ws}`, {
    name: 'Closed Queue',
    attributes: [{ displayName: 'Closed queue calls', event: 'Closed Queue', metaData: 'category', metaDataType: 'string', lookBackDurationType: 'days', lookBackPeriod: 1, aggregationMode: 'Count' }],
  });
  assert.equal(r.status, 201, r.text);
  r = await jds.api('POST', `/admin/v1/api/journey-actions${ws}/template-id/${r.json.data.id}`, {
    name: 'Tell the CRM',
    isActive: true,
    cooldownPeriodInMinutes: 60,
    rules: { logic: 'SINGLE', condition: 'Closed Queue,category,string,Count GTE 1' },
    actionTriggers: [
      { type: 'Connector', connector: 'crm-log', attributes: { note: 'closed queue' } },
      { type: 'Connector', connector: 'crm-hook', attributes: {} },
    ],
  });
  assert.equal(r.status, 201, r.text);
  const ident = '+15550002222';
  await jds.post({ id: `cq-${Date.now()}`, specversion: '1.0', type: 'Closed Queue', source: 'ivr', identity: ident, identitytype: 'phone', data: { category: 'late' } }, 'default');
  let ds = [];
  for (let i = 0; i < 100 && ds.filter((d) => d.state !== 'pending').length < 2; i++) {
    await new Promise((res) => setTimeout(res, 100));
    ds = (await jds.api('GET', `/admin/v1/api/journey-actions${ws}/history`)).json?.data || [];
  }
  const sent = ds.find((d) => d.payload.connector === 'crm-log');
  const dead = ds.find((d) => d.payload.connector === 'crm-hook');
  assert.equal(sent?.state, 'sent', JSON.stringify(ds));
  assert.equal(dead?.state, 'dead', JSON.stringify(ds));

  // What a row must say: the state, the action, the connector, the person's alias and
  // id, and the times the API gives, as the browser shows them.
  const shown = (t) => page.evaluate((t) => new Date(t).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }), t);
  const cells = (row) => row.getByRole('cell').allTextContents();
  const checkRow = async (row, d) => {
    const [state, action, connector, person, created, due, last, attempts, error] = (await cells(row)).map((c) => c.trim());
    assert.equal(state, d.state);
    assert.equal(action, 'Tell the CRM');
    assert.equal(connector, d.payload.connector);
    assert.ok(person.includes(ident) && person.includes(d.personId), person);
    assert.equal(created, await shown(d.createdAt));
    assert.equal(due, await shown(d.due));
    assert.equal(last, await shown(d.updatedAt));
    assert.equal(attempts, String(d.attempts));
    return error;
  };

  await page.getByRole('link', { name: 'Deliveries', exact: true }).click();
  const history = page.getByRole('table', { name: 'Deliveries' });
  await history.waitFor();
  assert.equal(await history.locator('tbody tr').count(), 2);
  assert.equal(await checkRow(history.locator(`tr[data-id="${sent.id}"]`), sent), sent.response ?? '');
  const err = await checkRow(history.locator(`tr[data-id="${dead.id}"]`), dead);
  assert.ok(err.includes(dead.lastError) && err.includes('no such customer'), err);
  assert.equal(await page.locator('jds-console code.json').count(), 0, 'no raw JSON');
  await shot(page, 'console-deliveries');

  await page.getByRole('link', { name: 'Dead letters', exact: true }).click();
  const letters = page.getByRole('table', { name: 'Dead letters' });
  await letters.waitFor();
  assert.equal(await letters.locator('tbody tr').count(), 1);
  assert.equal(await letters.getByRole('columnheader').last().textContent(), 'Reason');
  const reason = await checkRow(letters.locator(`tr[data-id="${dead.id}"]`), dead);
  assert.ok(reason.includes(dead.lastError) && reason.includes('no such customer'), reason);
  assert.equal(await page.locator('jds-console code.json').count(), 0, 'no raw JSON');
  await shot(page, 'console-dead-letters');
});

// Events at explicit past times: a backtest replays them at their own time.
const hoursAgo = (h) => new Date(Date.now() - h * 3600000).toISOString();
const XSS = '<img src=x onerror="window.__xss=1">';

test('backtest: an inactive action replayed over past events, streamed, its firings as a timeline with totals; an unsaved one from the editor too', async () => {
  const ws = '/workspace-id/default';
  let r = await jds.api('POST', `/admin/v1/api/profile-view-template${ws}`, {
    name: 'Backtest Calls',
    attributes: [
      { displayName: 'Backtest calls', event: 'Backtest Call', metaData: 'channelType', metaDataType: 'string', lookBackDurationType: 'days', lookBackPeriod: 7, aggregationMode: 'Count' },
      { displayName: 'Last note', event: 'Backtest Call', metaData: 'note', metaDataType: 'string', lookBackDurationType: 'days', lookBackPeriod: 7, aggregationMode: 'Value' },
    ],
  });
  assert.equal(r.status, 201, r.text);
  const tid = r.json.data.id;
  const action = {
    name: 'Callback offer',
    isActive: false, // not switched on yet: the backtest is what tells whether to
    cooldownPeriodInMinutes: 60,
    rules: { logic: 'SINGLE', condition: 'Backtest Call,channelType,string,Count GTE 2' },
    actionTriggers: [{ type: 'Connector', connector: 'crm-log', attributes: {} }],
  };
  r = await jds.api('POST', `/admin/v1/api/journey-actions${ws}/template-id/${tid}`, action);
  assert.equal(r.status, 201, r.text);
  const ident = '+15550003333';
  for (const [id, h] of [['bt-1', 50], ['bt-2', 49], ['bt-3', 48]]) {
    await jds.post({ id, specversion: '1.0', type: 'Backtest Call', source: 'ivr', identity: ident, identitytype: 'phone', time: hoursAgo(h), data: { channelType: 'Voice', note: XSS } }, 'default');
  }
  const pid = (await jds.api('GET', `/admin/v1/api/person${ws}/aliases/${encodeURIComponent(ident)}`)).json.data[0].id;
  const bodies = [];
  const onReq = (q) => q.url().includes('/journey-actions/backtest/') && bodies.push({ url: q.url(), body: q.postDataJSON() });
  page.on('request', onReq);

  await page.getByRole('link', { name: 'Persons', exact: true }).click();
  await page.getByRole('link', { name: 'Actions', exact: true }).click();
  const row = page.getByRole('table', { name: 'Journey actions' }).getByRole('row').filter({ hasText: 'Callback offer' });
  await row.getByRole('button', { name: 'Backtest Callback offer', exact: true }).click();
  const panel = page.getByRole('region', { name: 'Backtest “Callback offer”' });
  await panel.waitFor();
  // The window defaults to the last 7 days.
  const from = Date.parse((await panel.getByLabel('From').inputValue()) + 'Z');
  const to = Date.parse((await panel.getByLabel('To').inputValue()) + 'Z');
  assert.ok(Math.abs(to - from - 7 * 86400000) <= 120000, `${from}–${to}`);
  assert.ok(Math.abs(to - Date.now()) < 180000, `to ${to}`);
  assert.equal(await panel.getByLabel('From').evaluate((el) => el === el.getRootNode().activeElement), true, 'From has the focus');
  await panel.getByRole('button', { name: 'Run backtest' }).click();
  await panel.getByRole('status').getByText('Done.').waitFor();
  const firings = panel.getByRole('table', { name: 'Firings' });
  await firings.waitFor();
  assert.deepEqual(await firings.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.event)), ['bt-2', 'bt-3']);
  const [time, person, event, values] = (await firings.locator('tr[data-event="bt-2"] td').allTextContents()).map((c) => c.trim());
  const fired = (await jds.api('POST', `/admin/v1/api/journey-actions/backtest${ws}`, { templateId: tid, actionId: r.json.data.id, from: new Date(from).toISOString(), to: new Date(to).toISOString() })).json.data;
  assert.equal(time, await page.evaluate((t) => new Date(t).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }), fired.firings[0].time));
  assert.equal(person, pid);
  assert.equal(event, 'bt-2');
  assert.match(values, /Backtest calls\s+2/);
  // The event's text is shown as text, never as markup.
  assert.ok(values.includes(XSS), values);
  assert.equal(await firings.locator('img').count(), 0);
  assert.equal(await page.evaluate(() => window.__xss), undefined);
  const totals = panel.locator('dl.totals[aria-label="Backtest totals"]');
  const total = async (k) => (await totals.locator(`dd[data-total="${k}"]`).textContent()).trim();
  // Every person of the workspace is replayed: the totals are the server's.
  assert.equal(fired.firingsTotal, 2);
  assert.deepEqual([await total('persons'), await total('events'), await total('firings'), await total('truncated')], [String(fired.persons), String(fired.events), '2', 'no']);
  // It was streamed (progress, then the result), for the saved action, over that window.
  assert.equal(bodies.length, 1);
  assert.match(bodies[0].url, /[?&]stream=true/);
  assert.equal(bodies[0].body.actionId, r.json.data.id);
  assert.equal(bodies[0].body.templateId, tid);
  assert.equal(Date.parse(bodies[0].body.from), from);
  await shot(page, 'console-backtest');

  // Only an identity nobody owns: no firings, and it is named.
  await panel.getByLabel(/^Identities/).fill('+15550009999');
  await panel.getByRole('button', { name: 'Run backtest' }).click();
  await panel.getByText('No firings in this window.').waitFor();
  await panel.getByRole('note').getByText('+15550009999').waitFor();
  assert.deepEqual(bodies[1].body.identities, ['+15550009999']);
  // A window the server refuses: its message.
  await panel.getByLabel(/^Identities/).fill('');
  await panel.getByLabel('From').fill(new Date(to + 86400000).toISOString().slice(0, 16));
  await panel.getByRole('button', { name: 'Run backtest' }).click();
  await panel.getByRole('alert').getByText(/from: must be before to/).waitFor();
  await panel.getByLabel('From').press('Escape');
  await panel.waitFor({ state: 'detached' });

  // From the editor, before saving: the definition as typed is what is replayed.
  await page.getByRole('button', { name: 'New action' }).click();
  const form = page.getByRole('form', { name: 'New action' });
  await form.getByLabel('Template').selectOption({ label: 'Backtest Calls' });
  await form.getByLabel('Name', { exact: true }).fill('Unsaved offer');
  await form.getByLabel(/^Rules/).fill('{"logic": "SINGLE", "condition": "Backtest Call,channelType,string,Count GTE 3"}');
  await form.getByLabel('Connector').fill('crm-log');
  await form.getByRole('button', { name: 'Backtest', exact: true }).click();
  const unsaved = page.getByRole('region', { name: 'Backtest “Unsaved offer”' });
  await unsaved.getByText(/not saved/).waitFor();
  await unsaved.getByRole('button', { name: 'Run backtest' }).click();
  await unsaved.getByRole('status').getByText('Done.').waitFor();
  assert.deepEqual(await unsaved.getByRole('table', { name: 'Firings' }).locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.event)), ['bt-3']);
  const last = bodies[bodies.length - 1].body;
  assert.equal(last.action.rules.condition, 'Backtest Call,channelType,string,Count GTE 3');
  assert.equal(last.actionId, undefined);
  r = await jds.api('GET', '/admin/v1/api/journey-actions/workspace-id/default');
  assert.ok(!r.json.data.some((a) => a.name === 'Unsaved offer'), 'nothing saved');
  await shot(page, 'console-backtest-unsaved');
  await form.getByRole('button', { name: 'Cancel' }).click();
  await unsaved.waitFor({ state: 'detached' });
  page.off('request', onReq);
  dropStatus(400, 404);
});

test('deliveries: suppressed (policy and reason), deferred (due before and now) and shadow deliveries, each shown and filtered', async () => {
  const ws = '/workspace-id/default';
  // Quiet hours around now (UTC): a delivery through quiet-log is deferred to their end.
  const h = new Date().getUTCHours();
  const hh = (x) => `${String((x + 24) % 24).padStart(2, '0')}:00`;
  let r = await jds.api('PUT', `/admin/v1/api/policies${ws}`, [
    { name: 'SMS <i>etiquette</i>', connectors: ['sms-log'], optOut: { event: 'SMS Reply', field: 'body', stopWords: ['STOP'] } },
    { name: 'night', connectors: ['quiet-log'], quietHours: { from: hh(h - 1), to: hh(h + 2), timezone: 'UTC' } },
  ]);
  assert.equal(r.status, 200, r.text);
  r = await jds.api('POST', `/admin/v1/api/profile-view-template${ws}`, {
    name: 'Policy Calls',
    attributes: [{ displayName: 'Policy calls', event: 'Policy Call', metaData: 'channelType', metaDataType: 'string', lookBackDurationType: 'days', lookBackPeriod: 1, aggregationMode: 'Count' }],
  });
  assert.equal(r.status, 201, r.text);
  const tid = r.json.data.id;
  const rules = { logic: 'SINGLE', condition: 'Policy Call,channelType,string,Count GTE 1' };
  r = await jds.api('POST', `/admin/v1/api/journey-actions${ws}/template-id/${tid}`, {
    name: 'Held offer', isActive: true, cooldownPeriodInMinutes: 60, rules,
    actionTriggers: [{ type: 'Connector', connector: 'sms-log', attributes: {} }, { type: 'Connector', connector: 'quiet-log', attributes: {} }],
  });
  assert.equal(r.status, 201, r.text);
  r = await jds.api('POST', `/admin/v1/api/journey-actions${ws}/template-id/${tid}`, {
    name: 'Watched offer', mode: 'shadow', isActive: true, cooldownPeriodInMinutes: 60, rules,
    actionTriggers: [{ type: 'Connector', connector: 'crm-log', attributes: {} }],
  });
  assert.equal(r.status, 201, r.text);
  const ident = '+15550004444';
  await jds.post({ id: 'stop-1', specversion: '1.0', type: 'SMS Reply', source: 'sms', identity: ident, identitytype: 'phone', time: hoursAgo(1), data: { body: 'STOP' } }, 'default');
  await jds.post({ id: 'policy-1', specversion: '1.0', type: 'Policy Call', source: 'ivr', identity: ident, identitytype: 'phone', data: { channelType: 'Voice' } }, 'default');
  let ds = [];
  for (let i = 0; i < 100 && ds.length < 3; i++) {
    await new Promise((res) => setTimeout(res, 100));
    ds = ((await jds.api('GET', `/admin/v1/api/journey-actions${ws}/history`)).json?.data || []).filter((d) => ['Held offer', 'Watched offer'].includes(d.payload.action));
  }
  const suppressed = ds.find((d) => d.state === 'suppressed');
  const deferred = ds.find((d) => d.policy?.outcome === 'deferred');
  const shadow = ds.find((d) => d.state === 'shadow');
  assert.ok(suppressed && deferred && shadow, JSON.stringify(ds));
  const all = (await jds.api('GET', `/admin/v1/api/journey-actions${ws}/history`)).json.data.length;

  const urls = [];
  const onReq = (q) => urls.push(q.url());
  page.on('request', onReq);
  await page.getByRole('link', { name: 'Persons', exact: true }).click();
  await page.getByRole('link', { name: 'Deliveries', exact: true }).click();
  const table = page.getByRole('table', { name: 'Deliveries' });
  await table.locator(`tr[data-id="${shadow.id}"]`).waitFor();
  assert.ok(urls.some((u) => u.includes('/journey-actions/workspace-id/default/shadow')), 'the shadow listing is read');
  page.off('request', onReq);
  const shown = (t) => page.evaluate((t) => new Date(t).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }), t);
  const stateCell = async (d) => (await table.locator(`tr[data-id="${d.id}"] td`).first().innerText()).replace(/\s+/g, ' ').trim();

  const sup = table.locator(`tr[data-id="${suppressed.id}"]`);
  assert.equal(await sup.getAttribute('data-state'), 'suppressed');
  assert.equal(await stateCell(suppressed), 'suppressed Suppressed by policy “SMS <i>etiquette</i>”: optOut (the person opted out).');
  assert.equal(await table.locator('i').count(), 0, 'the policy name is text');
  const def = table.locator(`tr[data-id="${deferred.id}"]`);
  assert.equal(await def.getAttribute('data-state'), 'deferred');
  assert.equal(await stateCell(deferred), `deferred Deferred by policy “night”: quietHours (quiet hours); was due ${await shown(deferred.policy.deferredFrom)}, now due ${await shown(deferred.due)}.`);
  assert.equal(await def.locator('time').last().getAttribute('datetime'), deferred.due);
  const sh = table.locator(`tr[data-id="${shadow.id}"]`);
  assert.equal(await sh.getAttribute('data-state'), 'shadow');
  assert.match(await stateCell(shadow), /^shadow Not sent: the action is in shadow mode\.$/);
  // Each state looks different (not by its text alone).
  const look = (d) => table.locator(`tr[data-id="${d.id}"] .state`).evaluate((el) => { const s = getComputedStyle(el); return `${s.backgroundColor} ${s.color} ${s.borderStyle}`; });
  const looks = new Set([await look(suppressed), await look(deferred), await look(shadow)]);
  assert.equal(looks.size, 3, [...looks].join(' | '));
  await shot(page, 'console-deliveries-held');

  // Filter by state, with the keyboard.
  const filter = page.getByLabel('Show', { exact: true });
  const ids = () => table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.id));
  for (const [state, d] of [['suppressed', suppressed], ['deferred', deferred], ['shadow', shadow]]) {
    await filter.selectOption(state);
    assert.deepEqual(await ids(), [d.id], state);
  }
  await filter.focus();
  await filter.selectOption('');
  assert.equal((await ids()).length, all);
  assert.match(await filter.locator('option[value="shadow"]').textContent(), /shadow \(1\)/);
  // Dead letters are not filtered, and hold no suppressed delivery.
  await page.getByRole('link', { name: 'Dead letters', exact: true }).click();
  const letters = page.getByRole('table', { name: 'Dead letters' });
  await letters.waitFor();
  assert.equal(await letters.locator(`tr[data-state="suppressed"]`).count(), 0);
  assert.equal(await page.getByLabel('Show', { exact: true }).count(), 0);
});

test('versions: an action\'s versions listed, two compared, a rollback; a rule file\'s answer (409) shown', async () => {
  const ws = '/workspace-id/default';
  let r = await jds.api('GET', `/admin/v1/api/journey-actions${ws}`);
  const a = r.json.data.find((x) => x.name === 'Callback offer');
  const def = { ...a, cooldownPeriodInMinutes: 120 };
  for (const k of ['readOnly', 'source', 'templateName', 'templateId']) delete def[k];
  r = await jds.api('PUT', `/admin/v1/api/journey-actions${ws}/template-id/${a.templateId}/action-id/${a.id}`, def);
  assert.equal(r.status, 200, r.text);
  await page.getByRole('link', { name: 'Persons', exact: true }).click();
  await page.getByRole('link', { name: 'Actions', exact: true }).click();
  await page.getByRole('button', { name: 'Versions of Callback offer', exact: true }).click();
  const panel = page.getByRole('region', { name: 'Versions of “Callback offer”' });
  const list = panel.getByRole('table', { name: 'Versions' });
  await list.locator('tr[data-version="2"]').waitFor();
  assert.deepEqual(await list.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.version)), ['1', '2']);
  await list.locator('tr[data-version="2"]').getByText('current').waitFor();
  await panel.getByLabel('Compare version').selectOption('1');
  await panel.getByLabel('with', { exact: true }).selectOption('2');
  await panel.getByRole('button', { name: 'Show changes' }).click();
  const changes = panel.getByRole('table', { name: 'Changes from 1 to 2' });
  // The diff comes from the server: wait for its row before reading it.
  await changes.locator('tr[data-path="cooldownPeriodInMinutes"]').waitFor();
  const cells = (await changes.locator('tr[data-path="cooldownPeriodInMinutes"] td').allTextContents()).map((c) => c.trim());
  assert.deepEqual(cells, ['cooldownPeriodInMinutes', '60', '120']);
  await shot(page, 'console-versions');
  await list.locator('tr[data-version="1"]').getByRole('button', { name: 'Roll back to 1' }).click();
  await panel.getByRole('status').getByText('Rolled back to version 1').waitFor();
  await list.locator('tr[data-version="3"]').getByText('current').waitFor();
  r = await jds.api('GET', `/admin/v1/api/journey-actions${ws}`);
  assert.equal(r.json.data.find((x) => x.name === 'Callback offer').cooldownPeriodInMinutes, 60);
  await panel.getByRole('button', { name: 'Close versions' }).click();
  // A rule file's action is versioned by its file: the server's 409 says so.
  await page.getByRole('button', { name: 'Versions of File Action', exact: true }).click();
  const file = page.getByRole('region', { name: 'Versions of “File Action”' });
  const alert = file.getByRole('alert');
  await alert.waitFor();
  r = await jds.api('GET', `/admin/v1/api/journey-actions${ws}/template-id/file-file-template/action-id/file-file-template-file-action/versions`);
  assert.equal(r.status, 409, r.text);
  assert.ok((await alert.textContent()).includes(r.json.message), await alert.textContent());
  await file.getByRole('button', { name: 'Close versions' }).click();
  dropStatus(409);
});

test('explain: for an action and an identity, would it fire, its clauses with their values, and the cooldown', async () => {
  await page.getByRole('button', { name: 'Explain File Action', exact: true }).click();
  let panel = page.getByRole('region', { name: 'Explain “File Action”' });
  await panel.getByLabel('Identity').fill('+15550008888');
  await panel.getByLabel('Identity').press('Enter');
  await panel.getByRole('status').getByText(/Would not fire now/).waitFor();
  const clauses = panel.getByRole('table', { name: 'Clauses' });
  assert.deepEqual((await clauses.locator('tbody td').allTextContents()).map((c) => c.trim()), ['fileEvents >= 1', 'false']);
  assert.equal((await panel.locator('dd[data-k="holds"]').textContent()).trim(), 'no');
  await panel.getByRole('button', { name: 'Close explain' }).click();
  // The CRM action fired for this person (the deliveries test): its cooldown runs.
  await page.getByRole('button', { name: 'Explain Tell the CRM', exact: true }).click();
  panel = page.getByRole('region', { name: 'Explain “Tell the CRM”' });
  await panel.getByLabel('Identity').fill('+15550002222');
  await panel.getByRole('button', { name: 'Explain', exact: true }).click();
  await panel.getByRole('status').getByText(/Would not fire now/).waitFor();
  assert.match(await panel.locator('dd[data-k="cooldown"]').textContent(), /running until .*last fired/);
  await shot(page, 'console-explain');
});

test('the widget works on a page of an allowed origin, live stream included', async () => {
  const p = await ctx.newPage();
  const pageErrors = watch(p);
  await p.goto(crm.origin + '/');
  const w = p.locator('customer-journey-widget');
  await w.locator('li.event').first().waitFor();
  const mine = sampleEvents().filter((e) => e.identity.replace(/\D/g, '') === '12263762555');
  for (const e of mine) await w.locator(`li.event[data-id="${e.id}"]`).waitFor();
  await w.getByRole('status', { name: 'Live updates: connected' }).waitFor();
  const id = `cors-${Date.now()}`;
  await jds.post(
    { id, specversion: '1.0', type: 'Chat', source: 'crm', identity: '+12263762555', identitytype: 'phone', data: { origin: 'Chat from the CRM', channelType: 'Chat' } },
    'default',
  );
  await w.locator(`li.event[data-id="${id}"]`).waitFor();
  await shot(p, 'cors-allowed');
  assert.deepEqual(pageErrors, []);
  await p.close();
});

test('on a page of an origin jds does not allow, the widget says why it fails', async () => {
  const p = await ctx.newPage();
  await p.goto(stranger.origin + '/');
  const alert = p.locator('customer-journey-widget').getByRole('alert').first();
  await alert.waitFor();
  const text = await alert.textContent();
  for (const part of [`Cannot reach ${jds.base}`, `does not allow this page's origin ${stranger.origin}`, 'cors.allowOrigins']) {
    assert.ok(text.includes(part), `"${text}" says ${part}`);
  }
  assert.equal(await p.locator('customer-journey-widget li.event').count(), 0);
  // Nor may the stranger load the widget from jds.
  const loaded = await p.evaluate((src) => import(src).then(() => 'loaded', () => 'blocked'), `${jds.base}/widget/customer-journey.js`);
  assert.equal(loaded, 'blocked');
  await shot(p, 'cors-refused');
  await p.close();
});

test('Agent Desktop: the sample layout mounts the widget from jds on another origin, with the task, token, organization and data center of its store', async () => {
  const p = await ctx.newPage();
  // The layout's template is the operator's to create: a 404 for its view is expected.
  const pageErrors = watch(p, [['/v1/api/progressive-profile-view/', 404]]);
  const calls = [];
  p.on('request', (r) => r.url().startsWith(jds.base + '/v1/') && calls.push({ url: r.url(), auth: r.headers().authorization || '' }));
  await p.goto(desktop.origin + '/');
  await p.waitForFunction(() => window.ready === true);
  const w = p.getByRole('main', { name: 'Agent panel' }).locator('customer-journey-widget');
  // No task yet: the search box.
  await w.getByLabel('Customer identity').waitFor();
  const bearer = jds.token.replace(/^SharedAccessSignature\s+/, '');
  const port = new URL(jds.base).port;
  // An inbound call is selected: the caller (ani) is the customer.
  await p.evaluate(
    ([bearer, port]) =>
      window.setStore({
        auth: { accessToken: bearer },
        agent: { orgId: 'dev' },
        app: { datacenter: port },
        agentContact: { taskSelected: { interactionId: 'i-1', mediaType: 'telephony', ani: '12263762555', dnis: '+18005550100', contactDirection: { type: 'INBOUND' }, callAssociatedDetails: { ani: '12263762555' } } },
      }),
    [bearer, port],
  );
  const mine = sampleEvents().filter((e) => e.identity.replace(/\D/g, '') === '12263762555');
  for (const e of mine) await w.locator(`li.event[data-id="${e.id}"]`).waitFor();
  await w.getByRole('status', { name: 'Live updates: connected' }).waitFor();
  const id = `desk-${Date.now()}`;
  await jds.post({ id, specversion: '1.0', type: 'Chat', source: 'desktop', identity: '+12263762555', identitytype: 'phone', data: { origin: 'Chat during the call', channelType: 'Chat' } }, 'default');
  await w.locator(`li.event[data-id="${id}"]`).waitFor();
  await shot(p, 'agent-desktop');
  // The agent selects an outbound task: the dialled customer.
  await p.evaluate(() => window.setStore({ agentContact: { taskSelected: { interactionId: 'i-2', ani: '+18005550100', dnis: 'bmclella@cisco.com', contactDirection: { type: 'OUTBOUND' } } } }));
  await w.locator('.who').getByText('bmclella@cisco.com').waitFor();
  await w.locator('li.alias[data-kind="email"]').getByText('bmclella@cisco.com').waitFor();
  assert.ok(calls.length >= 4, `${calls.length} calls`);
  for (const c of calls) {
    assert.match(c.url, /[?&]organizationId=dev(&|$)/, c.url);
    if (c.url.includes('/stream/')) assert.match(c.url, /bearerToken=so%3Ddev/);
    else assert.equal(c.auth, `Bearer ${bearer}`, c.url);
  }
  assert.deepEqual(pageErrors, []);
  await p.close();
});

test('no errors in the browser console', () => {
  assert.deepEqual(errors, []);
});
