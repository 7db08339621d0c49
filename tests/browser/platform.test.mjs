// End-to-end walk of the web application in headless Chromium, as the
// parties of the European example.
//
//   node tests/browser/platform.test.mjs URL SIGNINS.json ARTIFACTS_DIR
//
// URL is a server started with `caisson serve --example europe --empty`;
// SIGNINS.json the sign-ins it printed ([{organisation, kind, user,
// password, token}]). The walk: the coordinator creates the round from the
// example's reference part and invites the members; the other members'
// parts are contributed over the API (setup, not the walk); the Serbian
// producer (krusik) edits a line's capacity in the form, sees the API's
// located error for a bad value at the field, fixes it and saves; a buyer
// state (Poland) proposes a contract and the producer accepts it; the
// coordinator runs the plan and sees the Sankey in the report; the
// producer sees only its own records; an observer sees only the published
// totals; on the ledger page Ukraine and Czechia issue end-user
// certificates, the producer's direct shipment to Ukraine is refused by
// Serbia's policy and its shipment to Czechia recorded and traced
// forwards. Screenshots of the main pages go to ARTIFACTS_DIR.
//
// Every party's page fails the test on a console error, a page error, a
// request to any other origin, a failed request, or an API answer >= 400
// that the step does not expect (an expected one: the 401 of the session
// check before signing in, the 422s of the bad value and of the refused
// shipment, the 404s of what a
// party may not see).
//
// Chromium: /usr/bin/chromium (Debian package `chromium`), or the path in
// CAISSON_CHROMIUM. Driven by playwright-core, pinned in package.json.

import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const [baseArg, signInsArg, artifactsArg] = process.argv.slice(2);
if (!baseArg || !signInsArg || !artifactsArg) {
  console.error('usage: node tests/browser/platform.test.mjs URL SIGNINS.json ARTIFACTS_DIR');
  process.exit(2);
}
const base = baseArg.replace(/\/$/, '');
const signIns = JSON.parse(readFileSync(signInsArg, 'utf8'));
const artifacts = resolve(artifactsArg);
mkdirSync(artifacts, { recursive: true });
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fragments = join(root, 'examples/europe-2025/platform/fragments');
const executablePath = process.env.CAISSON_CHROMIUM || '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(`FAIL: no Chromium at ${executablePath}: install the Debian package \`chromium\` (apt-get install -y chromium)`);
  process.exit(1);
}

const failures = [];
const fail = (message) => failures.push(message);
const check = (condition, message) => { if (!condition) fail(message); };
const party = (org) => {
  const found = signIns.find((s) => s.organisation === org);
  if (!found) throw new Error(`no sign-in for ${org}`);
  return found;
};
const coordinator = signIns.find((s) => s.kind === 'coordinator');
const producer = party('krusik');
const buyer = party('pol');
const observer = signIns.find((s) => s.kind === 'observer');

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

/** A browser context of its own (its own cookies) for one party. */
async function open(who, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const name = who.organisation;
  let allowed = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${base}/`) || url === base || /^(data|blob|about):/.test(url)) return route.continue();
    fail(`${name}: request left the server: ${url}`);
    return route.abort();
  });
  page.on('console', (m) => {
    // A non-2xx answer is also logged by Chromium as "Failed to load
    // resource"; the response handler below judges those.
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of/.test(m.text())) {
      fail(`${name}: console error: ${m.text()}`);
    }
  });
  page.on('pageerror', (e) => fail(`${name}: page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    const error = r.failure() ? r.failure().errorText : '';
    // A poll cut short because the test moved on is not a failure.
    if (error === 'net::ERR_ABORTED' && r.method() === 'GET') return;
    // So is a live check of the editor cut short by leaving the page.
    if (error === 'net::ERR_ABORTED' && /\/check$/.test(r.url())) return;
    fail(`${name}: request failed: ${r.method()} ${r.url()} ${error}`);
  });
  page.on('response', (r) => {
    if (r.status() < 400) return;
    const path = r.url().slice(base.length);
    const hit = allowed.find(([status, re]) => status === r.status() && re.test(path));
    if (!hit) fail(`${name}: unexpected ${r.status()} for ${r.request().method()} ${path}`);
  });
  return {
    page,
    context,
    /** Runs a step during which these answers are expected. */
    async expecting(list, step) {
      allowed = list;
      try {
        return await step();
      } finally {
        allowed = [];
      }
    },
    async close() { await context.close(); },
  };
}

async function ready(page, name, timeout = 20000) {
  await page.waitForSelector(`body[data-page="${name}"][data-ready="true"]`, { timeout });
}

async function shot(page, name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

async function signIn(who, viewport) {
  const p = await open(who, viewport);
  await p.expecting([[401, /^\/api\/v1\/session$/]], async () => {
    await p.page.goto(`${base}/`, { waitUntil: 'load' });
    await ready(p.page, 'signin');
    await p.page.getByLabel('Organisation').fill(who.organisation);
    await p.page.getByLabel('User').fill(who.user);
    await p.page.getByLabel('Password').fill(who.password);
    await p.page.getByRole('button', { name: 'Sign in' }).click();
    await ready(p.page, 'rounds');
  });
  const shown = await p.page.textContent('#signed-in-as');
  check(shown && shown.includes(who.organisation), `${who.organisation}: the header does not say who is signed in (${shown})`);
  return p;
}

/** An API call in the setup, as a party with its token. */
async function api(who, method, path, body, contentType = 'application/json') {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${who.token}`, ...(body ? { 'Content-Type': contentType } : {}) },
    body,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

let roundId = null;
let runId = null;
try {
  // ---- a wrong password is refused, nothing typed is lost ----------------
  {
    const p = await open(coordinator);
    await p.expecting([[401, /^\/api\/v1\/session$/]], async () => {
      await p.page.goto(`${base}/`, { waitUntil: 'load' });
      await ready(p.page, 'signin');
      await shot(p.page, 'signin');
      await p.page.getByLabel('Organisation').fill(coordinator.organisation);
      await p.page.getByLabel('User').fill(coordinator.user);
      await p.page.getByLabel('Password').fill('not-the-password');
      await p.page.getByRole('button', { name: 'Sign in' }).click();
      await p.page.waitForSelector('.notice.bad');
    });
    check(await p.page.inputValue('#signin-organisation') === coordinator.organisation, 'sign-in: the organisation typed was lost after a refusal');
    await p.close();
  }

  // ---- the coordinator creates the round and invites the members ---------
  const coord = await signIn(coordinator);
  {
    const { page } = coord;
    await shot(page, 'rounds');
    await page.click('#new-round');
    await ready(page, 'new-round');
    await page.click('#use-example');
    await page.waitForFunction(() => document.getElementById('reference-text').value.includes('[scenario]'));
    await shot(page, 'round-new');
    await page.click('#create-round');
    await ready(page, 'round');
    roundId = decodeURIComponent(page.url().split('#/rounds/')[1]);
    await page.click('#invite-all-toggle');
    await page.click('#invite');
    await page.waitForFunction(() => document.querySelectorAll('#members tbody tr').length > 10, null, { timeout: 60000 });
    const members = await page.$$eval('#members tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
    for (const org of [producer.organisation, buyer.organisation]) check(members.includes(org), `round: ${org} was not invited`);
    check(!members.includes(observer.organisation), 'round: the observer became a member');
  }

  // ---- setup: every member's part of the example, over the API ------------
  const info = await api(coordinator, 'GET', `/rounds/${roundId}`);
  for (const member of info.members) {
    const file = join(fragments, `${member.organisation}.toml`);
    if (!existsSync(file)) continue;
    await api(party(member.organisation), 'PUT', `/rounds/${roundId}/contributions/${member.organisation}`,
      readFileSync(file, 'utf8'), 'application/toml');
  }
  {
    const { page } = coord;
    await page.reload();
    await ready(page, 'round');
    const cellText = await page.textContent('#members');
    check(cellText.includes('version 1'), 'round: the dashboard does not show the contributed versions');
    await shot(page, 'round-dashboard');
  }

  // ---- the Serbian producer edits a line's capacity -----------------------
  const prod = await signIn(producer);
  {
    const { page } = prod;
    await page.click(`#rounds a[href="#/rounds/${roundId}"]`);
    await ready(page, 'round');
    const rows = await page.$$eval('#members tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    const others = rows.filter((r) => r[0] !== producer.organisation);
    check(others.length > 0 && others.every((r) => r[4] === 'not shown to you'), 'producer: the dashboard shows other members’ contributions');
    await page.click('#edit-contribution');
    await ready(page, 'contribution');
    const capacity = page.locator('[data-path="facility.0.line.0.capacity"]');
    const before = await capacity.inputValue();
    check(Number(before) > 0, `producer: the first line's capacity is not in the form (${before})`);
    // Live validation: the API's check marks the field before any save.
    await prod.expecting([[422, new RegExp(`^/api/v1/rounds/${roundId}/contributions/krusik/check$`)]], async () => {
      await capacity.fill('-500');
      check((await page.inputValue('#toml-view')).includes('capacity = -500'), 'producer: the TOML view does not follow the form');
      await page.waitForSelector('[data-path="facility.0.line.0.capacity"][aria-invalid="true"]', { timeout: 20000 });
      await page.waitForFunction(() => /Checked as you type/.test(document.querySelector('#editor-messages').textContent), null, { timeout: 20000 });
    });
    check(await capacity.inputValue() === '-500', 'producer: the live check changed what was typed');
    await shot(page, 'contribution-live-check');
    await prod.expecting([[422, new RegExp(`^/api/v1/rounds/${roundId}/contributions/krusik$`)]], async () => {
      await page.click('#save');
      await page.waitForFunction(() => /Not saved/.test(document.querySelector('#editor-messages').textContent), null, { timeout: 20000 });
      await page.waitForSelector('[data-path="facility.0.line.0.capacity"][aria-invalid="true"]', { timeout: 20000 });
    });
    const message = await capacity.evaluate((el) => {
      const ids = (el.getAttribute('aria-describedby') || '').split(' ');
      return ids.map((id) => document.getElementById(id)).filter((e) => e && e.classList.contains('field-error')).map((e) => e.textContent).join(' ');
    });
    check(message.length > 0, 'producer: no error message at the capacity field');
    check(/capacity|negative|>= ?0|non-negative/i.test(message), `producer: the error at the field does not speak of the capacity: ${message}`);
    check(await capacity.inputValue() === '-500', 'producer: the value typed was lost after the refusal');
    check(await capacity.evaluate((el) => el === document.activeElement), 'producer: the focus did not move to the field in error');
    await shot(page, 'contribution-error');
    await capacity.fill('21000');
    await page.click('#save');
    await page.waitForSelector('#saved', { timeout: 20000 });
    check((await page.textContent('#saved')).includes('version 2'), 'producer: not saved as version 2');
    check(await capacity.getAttribute('aria-invalid') === null, 'producer: the field still shows an error after the fix');
    await page.waitForFunction(() => document.querySelectorAll('#versions tbody tr').length === 2);
    await page.getByRole('button', { name: 'Changes in version 2' }).click();
    await page.waitForSelector('#diff pre');
    check((await page.textContent('#diff pre')).includes('capacity = 21000'), 'producer: the diff does not show the new capacity');
    await shot(page, 'contribution-saved');
    // The same editor at tablet width.
    await page.setViewportSize({ width: 820, height: 1180 });
    await shot(page, 'contribution-tablet');
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  // ---- a buyer state proposes a contract, the producer accepts it ---------
  const pol = await signIn(buyer);
  {
    const { page } = pol;
    await page.goto(`${base}/#/rounds/${roundId}/contracts`);
    await ready(page, 'contracts');
    await page.selectOption('#contract-supplier', producer.organisation);
    await page.selectOption('#contract-product', 'mortar-120');
    await page.fill('#contract-quantity', '500');
    await page.fill('#contract-penalty', '1400');
    await page.fill('#contract-price', '672');
    await page.fill('#contract-facility', 'krusik');
    await page.click('#propose');
    await page.waitForFunction(() => [...document.querySelectorAll('#contracts tbody tr')].some((tr) => tr.textContent.includes('proposed')));
    await shot(page, 'contracts-proposed');
  }
  {
    const { page } = prod;
    await page.goto(`${base}/#/rounds/${roundId}/contracts`);
    await ready(page, 'contracts');
    await page.getByRole('button', { name: 'Accept mortar-120' }).click();
    await page.waitForFunction(() => [...document.querySelectorAll('#contracts tbody tr')].some((tr) => tr.textContent.includes('signed')));
    const rows = await page.$$eval('#contracts tbody tr', (trs) => trs.map((tr) => tr.textContent));
    check(rows.length === 1, `producer: sees ${rows.length} contracts, only its own one expected`);
    await shot(page, 'contracts-signed');
  }

  // ---- the coordinator runs the plan and sees the Sankey ------------------
  {
    const { page } = coord;
    await page.goto(`${base}/#/rounds/${roundId}`);
    await ready(page, 'round');
    await page.click('#start-run');
    await ready(page, 'run');
    runId = decodeURIComponent(page.url().split('#/runs/')[1]);
    await page.waitForSelector('#run-status .status.succeeded', { timeout: 300000 });
    const frame = page.frameLocator('#report-frame');
    await frame.locator('body[data-rendered="true"]').waitFor({ timeout: 30000 });
    await frame.locator('[data-chart="sankey"] svg').first().waitFor({ timeout: 30000 });
    const sankey = await page.frame({ url: /\/report$/ }).evaluate(() => {
      const el = document.querySelector('[data-chart="sankey"]');
      const chart = el && window.echarts && window.echarts.getInstanceByDom(el);
      return chart ? chart.getOption().series.map((s) => s.type) : [];
    });
    check(sankey.includes('sankey'), `coordinator: the report's Sankey has series ${JSON.stringify(sankey)}`);
    await shot(page, 'run-report');
    await page.click('#publish-run');
    await page.waitForFunction(() => document.getElementById('run-status').textContent.includes('published'));
  }

  // ---- the producer sees only its own records ------------------------------
  {
    const { page } = prod;
    await page.goto(`${base}/#/runs/${runId}`);
    await ready(page, 'run');
    await page.waitForSelector('#report-frame');
    await page.frameLocator('#report-frame').locator('body[data-rendered="true"]').waitFor({ timeout: 30000 });
    const frame = page.frame({ url: /\/report$/ });
    const lines = await frame.evaluate(() => {
      const doc = JSON.parse(document.getElementById('caisson-data').textContent);
      return (doc.plan && doc.plan.lines || []).map((l) => l.facility || l.id || JSON.stringify(l));
    });
    check(lines.length > 0, 'producer: its report shows no production line');
    const foreign = lines.filter((l) => !String(l).includes('krusik'));
    check(!foreign.length, `producer: its report shows other producers' lines: ${foreign.slice(0, 5).join(', ')}`);
    await shot(page, 'run-report-producer');
    // Another member's contribution is not found for it.
    await prod.expecting([[404, /\/contributions\/sloboda$/]], async () => {
      const status = await page.evaluate(async (round) => (await fetch(`/api/v1/rounds/${round}/contributions/sloboda`)).status, roundId);
      check(status === 404, `producer: another producer's contribution answered ${status}`);
    });
    await page.goto(`${base}/#/organisation`);
    await ready(page, 'organisation');
    await shot(page, 'organisation');
  }

  // ---- the ledger: the seed case in the browser ----------------------------
  // Ukraine and Czechia issue end-user certificates naming Krušik's
  // organisation as exporter; Krušik's direct shipment to Ukraine is
  // refused by Serbia's policy, its shipment to Czechia is recorded, and
  // the lot traced forwards ends in Czechia.
  const issueEuc = async (who, values) => {
    const { page } = who;
    // Through the navigation: the ledger index lists the caller's rounds.
    await page.click('#nav a[href="#/ledger"]');
    await ready(page, 'ledger-index');
    check(/^[0-9a-f]{64}$/.test(await page.textContent('#checkpoint-key')), 'ledger index: no public key shown');
    await page.click(`#ledger-rounds a[href="#/rounds/${roundId}/ledger"]`);
    await ready(page, 'ledger');
    const form = page.locator('#euc-issued-form');
    for (const [label, value] of [
      ['Certificate number', values.number], ['Exporting actor', 'SRB'], ['Exporter’s organisation', producer.organisation],
      ['Consignee', values.consignee], ['End user', values.consignee], ['Product', 'mortar-120'], ['Quantity', '1000'],
      ['End use', 'armed forces'], ['Issued on', '2026-01-01'], ['Expires on', '2026-12-31'],
    ]) await form.getByLabel(label, { exact: true }).fill(value);
    await form.getByLabel('Re-export', { exact: true }).selectOption(values.reexport);
    await page.click('#euc-issued-record');
    await page.waitForSelector('#euc-issued-euc', { timeout: 20000 });
    check((await page.textContent('#euc-issued-result')).includes('Recorded as ledger entry'), `${values.number}: no entry index shown`);
    return page.getAttribute('#euc-issued-euc', 'data-id');
  };
  const ukr = await signIn(party('ukr'));
  const ukrEuc = await issueEuc(ukr, { number: 'UA-1', consignee: 'UKR', reexport: 'prohibited' });
  const cze = await signIn(party('cze'));
  const czeEuc = await issueEuc(cze, { number: 'CZ-1', consignee: 'CZE', reexport: 'permitted' });
  let lot = null;
  check(ukrEuc && czeEuc && ukrEuc !== czeEuc, `ledger: EUC ids not shown (${ukrEuc}, ${czeEuc})`);
  await shot(cze.page, 'ledger-euc');
  {
    const { page } = prod;
    await page.goto(`${base}/#/rounds/${roundId}`);
    await ready(page, 'round');
    await page.click('#ledger-link');
    await ready(page, 'ledger');
    // The verification state: the latest checkpoint and the command.
    const before = Number(await page.textContent('#checkpoint-size'));
    check(before >= 3, `ledger: the checkpoint counts ${before} entries`);
    const key = await page.textContent('#checkpoint-key');
    check(/^[0-9a-f]{64}$/.test(key), `ledger: no public key shown (${key})`);
    check((await page.textContent('#verify-command')).includes(`caisson ledger verify --server ${base} --key ${key}`), 'ledger: no verification command');
    const form = page.locator('#transfer-shipped-form');
    await form.getByLabel('Facility').fill(`${producer.organisation}:krusik`);
    await form.getByLabel('Consignee').fill('UKR');
    await form.getByLabel('Product').fill('mortar-120');
    await form.getByLabel('Quantity').fill('1000');
    await form.getByLabel('Shipped on').fill('2026-02-02');
    await form.getByLabel('End-user certificate (EUC id)').fill(ukrEuc);
    await prod.expecting([[422, /^\/api\/v1\/ledger\/entries$/]], async () => {
      await page.click('#transfer-shipped-record');
      await page.waitForSelector('#transfer-shipped-code', { timeout: 20000 });
    });
    check(await page.textContent('#transfer-shipped-code') === 'compliance_denied', `ledger: the refusal's code is ${await page.textContent('#transfer-shipped-code')}`);
    const refusal = await page.textContent('#transfer-shipped-message');
    check(refusal.includes('srb-neutrality'), `ledger: the refusal does not name Serbia's policy: ${refusal}`);
    check(await form.getByLabel('Facility').inputValue() === `${producer.organisation}:krusik`
      && await form.getByLabel('Quantity').inputValue() === '1000', 'ledger: what was typed was lost after the refusal');
    await shot(page, 'ledger-refused');
    // Under the Czech certificate, to Czechia: recorded, with its lot id.
    await form.getByLabel('Consignee').fill('CZE');
    await form.getByLabel('End-user certificate (EUC id)').fill(czeEuc);
    await page.click('#transfer-shipped-record');
    await page.waitForSelector('#transfer-shipped-lot', { timeout: 20000 });
    lot = await page.getAttribute('#transfer-shipped-lot', 'data-id');
    check(lot && lot.length > 0, 'ledger: no lot id shown');
    // The log grew: the checkpoint shown follows; the new entry reads back.
    await page.waitForFunction((n) => Number(document.getElementById('checkpoint-size').textContent) > n, before, { timeout: 20000 });
    await page.click('#transfer-shipped-entry');
    await page.waitForSelector('#entry-kind', { timeout: 20000 });
    check(await page.textContent('#entry-kind') === 'transfer.shipped', 'ledger: the entry looked up is not the shipment');
    check((await page.textContent('#entry-content')).includes(lot), 'ledger: the entry’s content does not name the lot');
    // Traced forwards (typed into the trace form): it went to Czechia.
    await page.fill('#trace-lot', lot);
    await page.selectOption('#trace-direction', 'forward');
    await page.click('#trace-run');
    await page.waitForSelector('#trace tbody tr', { timeout: 20000 });
    const steps = await page.$$eval('#trace tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    check(steps.length === 1 && steps[0][1] === lot && steps[0][3] === 'CZE' && steps[0][2] === 'SRB',
      `ledger: the forward trace is ${JSON.stringify(steps)}`);
    await shot(page, 'ledger');
  }
  // Czechia records the receipt of the lot.
  {
    const { page } = cze;
    await page.goto(`${base}/#/rounds/${roundId}/ledger`);
    await ready(page, 'ledger');
    const form = page.locator('#transfer-received-form');
    await form.getByLabel('Lot id').fill(lot);
    await form.getByLabel('Quantity received').fill('1000');
    await form.getByLabel('Received on').fill('2026-02-09');
    await page.click('#transfer-received-record');
    await page.waitForSelector('#transfer-received-result .notice.good', { timeout: 20000 });
    await page.fill('#trace-lot', lot);
    await page.selectOption('#trace-direction', 'backward');
    await page.click('#trace-run');
    await page.waitForSelector('#trace tbody tr', { timeout: 20000 });
    const steps = await page.$$eval('#trace tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    check(steps.length === 1 && steps[0][2] === 'SRB' && /^1\D?000$/.test(steps[0][7]),
      `ledger: Czechia's backward trace is ${JSON.stringify(steps)}`);
  }
  await ukr.close();
  await cze.close();

  // ---- an observer sees only the published totals -------------------------
  const obs = await signIn(observer);
  {
    const { page } = obs;
    check((await page.textContent('#rounds')).includes('You are a member of no round yet.'), 'observer: sees rounds');
    await page.click('a[href="#/published"]');
    await ready(page, 'published');
    await page.click(`#published a[href="#/published/${runId}"]`);
    await ready(page, 'published-run');
    const products = await page.$$eval('#published-products tbody tr', (trs) => trs.length);
    check(products > 0, 'observer: no published totals per product');
    await shot(page, 'published');
    await obs.expecting([[404, new RegExp(`^/api/v1/(rounds/${roundId}|runs/${runId})`)]], async () => {
      await page.goto(`${base}/#/rounds/${roundId}`);
      await ready(page, 'round');
      check((await page.textContent('main')).includes('not shown to your organisation'), 'observer: the round is shown');
      await page.goto(`${base}/#/runs/${runId}`);
      await ready(page, 'run');
      check((await page.textContent('main')).includes('not shown to your organisation'), 'observer: the run is shown');
    });
  }

  // ---- signing out ends the session ----------------------------------------
  {
    const { page } = coord;
    await coord.expecting([[401, /^\/api\/v1\/session$/]], async () => {
      await page.click('#sign-out');
      await ready(page, 'signin');
    });
  }
} catch (e) {
  fail(`exception: ${e && e.stack ? e.stack : e}`);
} finally {
  await browser.close();
}

if (failures.length) {
  for (const f of failures) console.error(`FAIL: ${f}`);
  process.exit(1);
}
console.log(`ok: round ${roundId}, run ${runId}: the coordinator, the producer, the buyer and the observer walked the application; screenshots in ${artifacts}`);
