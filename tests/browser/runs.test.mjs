// Browser walk of runs, the compliance explorer and accessibility, as the
// parties of the European example.
//
//   node tests/browser/runs.test.mjs URL SIGNINS.json ARTIFACTS_DIR
//
// URL is a server started with `caisson serve --example europe --empty`;
// SIGNINS.json the sign-ins it printed. Setup over the API: the
// coordinator creates the round from the example's reference part, invites
// the members, and each member contributes its part. The walk:
// - the coordinator opens "Start a run with options" with the keyboard
//   only (skip link, Tab, typing, Enter), types a negative time limit,
//   sees the API's refusal at that field (focused, value kept), fixes it
//   and starts a plan run with options; the run page shows the progress
//   events of GET /runs/ID/events, then the report's Sankey;
// - the coordinator starts a compare run (one variant without Serbia's
//   neutrality policy) with its event stream cut, sees the progress
//   polled instead, and the comparison chart of its report;
// - a member (Ukraine) opens the compliance explorer: SRB -> UKR is denied
//   naming srb-neutrality and its owner srb, SRB -> CZE allowed; the
//   matrix is walked with the arrow keys and Enter;
// - an observer sees only the published totals (the round is 404);
// - every page visited has every control labelled, text contrast of at
//   least 4.5:1, and no horizontal overflow at 1280x800 and at 768x1024
//   (screenshots at both widths in ARTIFACTS_DIR).

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startWalk } from './walk.mjs';

const [baseArg, signInsArg, artifactsArg] = process.argv.slice(2);
if (!baseArg || !signInsArg || !artifactsArg) {
  console.error('usage: node tests/browser/runs.test.mjs URL SIGNINS.json ARTIFACTS_DIR');
  process.exit(2);
}
const base = baseArg.replace(/\/$/, '');
const signIns = JSON.parse(readFileSync(signInsArg, 'utf8'));
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fragments = join(root, 'examples/europe-2025/platform/fragments');
const walk = await startWalk({ base, artifacts: artifactsArg });
const { check, fail, ready, shot, signIn, api, accessible, everyWidth } = walk;

const party = (org) => {
  const found = signIns.find((s) => s.organisation === org);
  if (!found) throw new Error(`no sign-in for ${org}`);
  return found;
};
const coordinator = signIns.find((s) => s.kind === 'coordinator');
const observer = signIns.find((s) => s.kind === 'observer');

let roundId = null;
let planRun = null;
let compareRun = null;
try {
  // ---- setup over the API: the round, its members, their parts -----------
  const reference = await api(coordinator, 'GET', '/examples/europe/reference');
  roundId = (await api(coordinator, 'POST', '/rounds', reference, 'application/toml')).id;
  const organisations = await api(coordinator, 'GET', '/examples/europe/organisations');
  for (const o of organisations) {
    if (o.kind === 'observer' || o.organisation === coordinator.organisation) continue;
    await api(coordinator, 'POST', `/rounds/${roundId}/members`, JSON.stringify({ organisation: o.organisation }));
  }
  const info = await api(coordinator, 'GET', `/rounds/${roundId}`);
  for (const member of info.members) {
    const file = join(fragments, `${member.organisation}.toml`);
    if (!existsSync(file)) continue;
    await api(party(member.organisation), 'PUT', `/rounds/${roundId}/contributions/${member.organisation}`,
      readFileSync(file, 'utf8'), 'application/toml');
  }

  // ---- the sign-in page, before signing in --------------------------------
  {
    const p = await walk.open(coordinator);
    await p.expecting([[401, /^\/api\/v1\/session$/]], async () => {
      await p.page.goto(`${base}/`, { waitUntil: 'load' });
      await ready(p.page, 'signin');
    });
    await everyWidth(p.page, 'signin');
    await p.close();
  }

  // ---- the coordinator: a plan run with options, keyboard only ------------
  const coord = await signIn(coordinator);
  {
    const { page } = coord;
    await everyWidth(page, 'rounds');
    await page.goto(`${base}/#/rounds/new`);
    await ready(page, 'new-round');
    await everyWidth(page, 'new-round');
    await page.goto(`${base}/#/rounds/${roundId}`);
    await ready(page, 'round');
    await everyWidth(page, 'round');
    await page.goto(`${base}/#/rounds/${roundId}/runs/new`);
    await ready(page, 'new-run');
    await everyWidth(page, 'new-run');
    // Keyboard only from here: the skip link is the first stop.
    // A fresh load: sequential focus starts at the top of the document.
    await page.reload();
    await ready(page, 'new-run');
    await page.keyboard.press('Tab');
    check(await page.evaluate(() => document.activeElement.id) === 'skip', 'keyboard: the first Tab does not reach the skip link');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    check(outline !== 'none', 'keyboard: the focused skip link shows no focus ring');
    await page.keyboard.press('Enter');
    check(await page.evaluate(() => document.activeElement.id) === 'main', 'keyboard: the skip link does not move the focus to the page');
    // Tab to the time limit of the plan's solver options, in page order.
    const order = [];
    for (let i = 0; i < 30; i += 1) {
      await page.keyboard.press('Tab');
      const id = await page.evaluate(() => document.activeElement.id || document.activeElement.textContent.trim());
      order.push(id);
      if (id === 'run-plan-time-limit') break;
    }
    check(order.includes('run-kind'), `keyboard: the kind of run is not in the tab order (${order.join(', ')})`);
    check(order.indexOf('run-kind') < order.indexOf('run-plan-method'), `keyboard: the tab order is not the page's (${order.join(', ')})`);
    check(order[order.length - 1] === 'run-plan-time-limit', `keyboard: Tab never reached the time limit (${order.join(', ')})`);
    const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    check(ring !== 'none', 'keyboard: the focused field shows no focus ring');
    await page.keyboard.type('-5');
    await page.keyboard.press('Tab');
    await page.keyboard.type('0.01');
    await coord.expecting([[400, new RegExp(`^/api/v1/rounds/${roundId}/runs$`)]], async () => {
      await page.keyboard.press('Enter');
      await page.waitForSelector('#run-plan-time-limit[aria-invalid="true"]', { timeout: 20000 });
    });
    const message = await page.evaluate(() => {
      const el = document.getElementById('run-plan-time-limit');
      return (el.getAttribute('aria-describedby') || '').split(' ').map((id) => document.getElementById(id))
        .filter((e) => e && e.classList.contains('field-error')).map((e) => e.textContent).join(' ');
    });
    check(/time_limit/.test(message), `run form: the error at the time limit does not name it: ${message}`);
    check(await page.evaluate(() => document.activeElement.id) === 'run-plan-time-limit', 'run form: the focus did not move to the field in error');
    check(await page.inputValue('#run-plan-time-limit') === '-5', 'run form: the value typed was lost');
    await accessible(page, 'new-run with an error');
    await shot(page, 'new-run-error');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('600');
    await page.keyboard.press('Enter');
    await ready(page, 'run');
    planRun = decodeURIComponent(page.url().split('#/runs/')[1]);
    await page.waitForSelector('#run-status .status.succeeded', { timeout: 300000 });
    const events = await page.$$eval('#run-events li', (lis) => lis.map((li) => [li.dataset.how, li.textContent]));
    check(events.some(([how]) => how === 'event'), `run: no server-sent progress event shown (${JSON.stringify(events)})`);
    check(events.some(([, text]) => /succeeded/.test(text)), `run: the events do not end with success (${JSON.stringify(events)})`);
    const frame = page.frameLocator('#report-frame');
    await frame.locator('body[data-rendered="true"]').waitFor({ timeout: 30000 });
    await frame.locator('[data-chart="sankey"] svg').first().waitFor({ timeout: 30000 });
    await everyWidth(page, 'run-plan');
    const options = await api(coordinator, 'GET', `/runs/${planRun}`);
    check(options.kind === 'plan' && options.status === 'succeeded', `run: ${JSON.stringify(options)}`);
    await page.click('#publish-run');
    await page.waitForFunction(() => document.getElementById('run-status').textContent.includes('published'));
  }

  // ---- the coordinator: a compare run and its chart -----------------------
  {
    const { page } = coord;
    await page.goto(`${base}/#/rounds/${roundId}`);
    await ready(page, 'round');
    await page.click('#start-run-options');
    await ready(page, 'new-run');
    await page.selectOption('#run-kind', 'compare');
    await page.fill('#run-variant-1-label', 'serbia-not-neutral');
    await page.fill('#run-variant-1-changes', '{"remove": {"policy": ["srb:srb-neutrality"]}}');
    await page.fill('#run-compare-mip-gap', '0.01');
    await page.fill('#run-compare-threads', '2');
    await accessible(page, 'new-run compare');
    // The event stream drops (as behind a proxy that cuts it): the page
    // polls the run's status instead.
    const events = '**/api/v1/runs/*/events';
    await coord.context.route(events, (route) => route.abort('aborted'));
    await page.click('#run-start');
    await ready(page, 'run');
    compareRun = decodeURIComponent(page.url().split('#/runs/')[1]);
    await page.waitForSelector('#run-status .status.succeeded', { timeout: 600000 });
    await coord.context.unroute(events);
    const polled = await page.$$eval('#run-events li', (lis) => lis.map((li) => li.dataset.how));
    check(polled.length > 0 && polled.every((how) => how === 'polled'), `compare: progress without the stream is not polled (${polled})`);
    const frame = page.frameLocator('#report-frame');
    await frame.locator('body[data-rendered="true"]').waitFor({ timeout: 30000 });
    await frame.locator('[data-chart="comparison"] svg').first().waitFor({ timeout: 30000 });
    const variants = await page.frame({ url: /\/report$/ }).evaluate(() => JSON.parse(document.getElementById('caisson-data').textContent).comparison.variants);
    check(JSON.stringify(variants).includes('serbia-not-neutral'), `compare: the report's variants are ${JSON.stringify(variants)}`);
    await everyWidth(page, 'run-compare');
  }

  // ---- a member: the compliance explorer -----------------------------------
  const ukr = await signIn(party('ukr'));
  {
    const { page } = ukr;
    await page.goto(`${base}/#/rounds/${roundId}`);
    await ready(page, 'round');
    await page.click('#compliance-link');
    await ready(page, 'compliance');
    await page.waitForSelector('#compliance-matrix button.cell');
    const denied = page.locator('#compliance-matrix button[data-from="SRB"][data-to="UKR"]');
    const deniedLabel = await denied.getAttribute('aria-label');
    check(/denied/.test(deniedLabel) && /srb-neutrality/.test(deniedLabel), `compliance: SRB -> UKR is ${deniedLabel}`);
    const allowedLabel = await page.locator('#compliance-matrix button[data-from="SRB"][data-to="CZE"]').getAttribute('aria-label');
    check(/allowed/.test(allowedLabel), `compliance: SRB -> CZE is ${allowedLabel}`);
    await denied.click();
    await page.waitForSelector('#explanation-summary');
    const summary = await page.textContent('#explanation');
    check(/srb-neutrality/.test(summary) && /srb/.test(await page.textContent('#explanation-owner')), `compliance: the explanation does not name the policy and its owner: ${summary}`);
    check(/denied/.test(await page.textContent('#explanation-title')), 'compliance: the explanation does not say denied');
    await everyWidth(page, 'compliance');
    // The matrix by keyboard: the focused cell moves with the arrows, Enter explains.
    await denied.focus();
    const focused = () => page.evaluate(() => [document.activeElement.dataset.from, document.activeElement.dataset.to]);
    await page.keyboard.press('ArrowDown');
    // SRB may be the last row: then the arrow up moves instead.
    if ((await focused())[0] === 'SRB') await page.keyboard.press('ArrowUp');
    const below = await focused();
    check(below[1] === 'UKR' && below[0] !== 'SRB', `compliance: the arrow keys went to ${below}`);
    await page.keyboard.press('Enter');
    await page.waitForFunction((from) => document.getElementById('explanation-title')?.textContent.startsWith(from), below[0], { timeout: 20000 });
    // The per-pair form: SRB to CZE is allowed.
    await page.selectOption('#explain-from', 'SRB');
    await page.selectOption('#explain-to', 'CZE');
    await page.click('#explain-run');
    await page.waitForFunction(() => /SRB → CZE: allowed/.test(document.getElementById('explanation-title')?.textContent || ''), null, { timeout: 20000 });
    // Narrowed to a product.
    await page.selectOption('#compliance-product', 'mortar-120');
    await page.waitForFunction(() => (document.querySelector('#compliance-matrix caption')?.textContent || '').includes('mortar-120'), null, { timeout: 20000 });
    const rows = await page.$$eval('#compliance-matrix tbody tr', (trs) => trs.length);
    check(rows >= 1, 'compliance: the matrix for mortar-120 has no row');
    await accessible(page, 'compliance for mortar-120');
    // The member does not see the coordinator's analysis run.
    await ukr.expecting([[404, new RegExp(`^/api/v1/runs/${compareRun}`)]], async () => {
      await page.goto(`${base}/#/runs/${compareRun}`);
      await ready(page, 'run');
      check((await page.textContent('main')).includes('not shown to your organisation'), 'member: the compare run is shown');
    });
    await accessible(page, 'missing run');
  }
  // ---- the member's other pages pass the same checks ---------------------
  {
    const { page } = ukr;
    for (const [hash, name] of [
      [`#/rounds/${roundId}/contribution`, 'contribution'],
      [`#/rounds/${roundId}/contracts`, 'contracts'],
      [`#/rounds/${roundId}/ledger`, 'ledger'],
      ['#/ledger', 'ledger-index'],
    ]) {
      await page.goto(`${base}/${hash}`);
      await ready(page, name);
      await everyWidth(page, `member-${name}`);
    }
  }
  await ukr.close();

  // ---- an observer: only the published totals ------------------------------
  const obs = await signIn(observer);
  {
    const { page } = obs;
    await page.click('a[href="#/published"]');
    await ready(page, 'published');
    await everyWidth(page, 'published');
    await page.click(`#published a[href="#/published/${planRun}"]`);
    await ready(page, 'published-run');
    check(await page.$$eval('#published-products tbody tr', (trs) => trs.length) > 0, 'observer: no published totals');
    await everyWidth(page, 'published-run');
    await obs.expecting([[404, new RegExp(`^/api/v1/(rounds/${roundId}|runs/${planRun})`)]], async () => {
      await page.goto(`${base}/#/rounds/${roundId}/compliance`);
      await ready(page, 'compliance');
      check((await page.textContent('main')).includes('not shown to your organisation'), 'observer: the compliance explorer is shown');
      await page.goto(`${base}/#/runs/${planRun}`);
      await ready(page, 'run');
      check((await page.textContent('main')).includes('not shown to your organisation'), 'observer: the run is shown');
    });
    await page.goto(`${base}/#/organisation`);
    await ready(page, 'organisation');
    await everyWidth(page, 'organisation');
  }
  await obs.close();
} catch (e) {
  fail(`exception: ${e && e.stack ? e.stack : e}`);
}
await walk.finish(`round ${roundId}, plan run ${planRun}, compare run ${compareRun}: runs with options, the compliance explorer and the accessibility checks passed; screenshots in ${resolve(artifactsArg)}`);
