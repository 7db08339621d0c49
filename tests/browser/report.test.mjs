// End-to-end check of a Caisson HTML report in headless Chromium.
//
//   node tests/browser/report.test.mjs REPORT.html SCREENSHOT.png [PRINT.pdf]
//
// Opens the report from file://, fails (exit 1) on any console error, page
// error or request that is not file:/data:/blob:/about:, then checks that
// every view the embedded report document calls for has drawn a non-empty
// SVG with the right ECharts series (and data matching the document),
// flips every selector to redraw each chart, and saves a full-page
// screenshot (and, optionally, a PDF of the print layout).
//
// Chromium: /usr/bin/chromium (Debian package `chromium`), or the path in
// CAISSON_CHROMIUM. Driven by playwright-core, pinned in package.json.

import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [reportArg, shotArg, pdfArg] = process.argv.slice(2);
if (!reportArg || !shotArg) {
  console.error('usage: node tests/browser/report.test.mjs REPORT.html SCREENSHOT.png [PRINT.pdf]');
  process.exit(2);
}
const executablePath = process.env.CAISSON_CHROMIUM || '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(`FAIL: no Chromium at ${executablePath}: install the Debian package \`chromium\` (apt-get install -y chromium)`);
  process.exit(1);
}

const failures = [];
const fail = (message) => failures.push(message);
const report = resolve(reportArg);
const url = pathToFileURL(report).href;

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});
try {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const local = /^(file|data|blob|about):/;
  // Nothing may leave the page: record and abort any other request.
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (local.test(u)) return route.continue();
    fail(`request left the page: ${u}`);
    return route.abort();
  });
  page.on('request', (r) => { if (!local.test(r.url())) fail(`request left the page: ${r.url()}`); });
  page.on('console', (m) => {
    if (m.type() === 'error') fail(`console error: ${m.text()}`);
    else if (m.type() === 'warning') console.log(`console warning: ${m.text()}`);
  });
  page.on('pageerror', (e) => fail(`page error: ${e.message}`));

  await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('body[data-rendered="true"]', { timeout: 15000 }).catch(() => fail('the report script did not finish (body[data-rendered])'));

  // What the document calls for, read from the page itself.
  const doc = await page.evaluate(() => JSON.parse(document.getElementById('caisson-data').textContent));
  const expected = {};
  if (doc.plan) {
    const p = doc.plan;
    if (p.cost.length) expected.cost = ['bar'];
    if (p.demands.length) expected.demand = ['bar', 'bar', 'line'];
    if (p.flows.length) expected.sankey = ['sankey'];
    if (p.lines.length) expected.utilisation = ['heatmap', 'scatter', 'scatter'];
    if (p.dependency.length) expected.dependency = ['bar'];
  }
  if (doc.comparison) expected.comparison = doc.comparison.variants.map(() => 'bar');
  if (doc.criticality) expected.criticality = ['bar'];
  if (doc.simulation && doc.simulation.series.length) expected.fan = ['line'];
  if (doc.sensitivity && doc.sensitivity.bars.length) expected.tornado = ['bar', 'bar'];
  if (doc.breakeven && doc.breakeven.measures.length && doc.breakeven.hazards.length) {
    expected.breakeven = ['line', 'line'];
  }

  // Inspects every chart container: drawn SVG, series types, data sizes.
  const inspect = () => page.evaluate(() => {
    return Array.from(document.querySelectorAll('[data-chart]')).map((el) => {
      const svg = el.querySelector('svg');
      const box = el.getBoundingClientRect();
      const inst = window.echarts && window.echarts.getInstanceByDom(el);
      const option = inst ? inst.getOption() : null;
      const series = option ? option.series.map((s) => ({
        type: s.type,
        name: s.name,
        data: (s.data || []).length,
        links: s.links ? s.links.map((l) => ({ source: l.source, target: l.target, value: l.value })) : null,
        nodes: s.data && s.type === 'sankey' ? s.data.map((n) => ({ name: n.name, depth: n.depth })) : null,
        values: s.type === 'bar' || s.type === 'line' ? (s.data || []).map((d) => (d && typeof d === 'object' ? d.value : d)) : null,
      })) : null;
      return {
        id: el.getAttribute('data-chart'),
        width: box.width,
        height: box.height,
        svgShapes: svg ? svg.querySelectorAll('path, rect, text, circle, polygon, polyline').length : 0,
        series,
      };
    });
  });

  const checkAll = async (when) => {
    const seen = await inspect();
    const byId = Object.fromEntries(seen.map((c) => [c.id, c]));
    for (const [id, types] of Object.entries(expected)) {
      const c = byId[id];
      if (!c) { fail(`${when}: chart "${id}" is missing`); continue; }
      if (!(c.width > 100 && c.height > 100)) fail(`${when}: chart "${id}" has no size (${c.width}×${c.height})`);
      if (c.svgShapes < 5) fail(`${when}: chart "${id}" drew an empty SVG (${c.svgShapes} shapes)`);
      if (!c.series) { fail(`${when}: chart "${id}" has no ECharts instance`); continue; }
      const got = c.series.map((s) => s.type);
      // Every expected type present, in order, as a prefix (optional extra series may follow).
      const prefixOk = types.every((t, i) => got[i] === t);
      if (!prefixOk) fail(`${when}: chart "${id}" has series ${JSON.stringify(got)}, expected ${JSON.stringify(types)}…`);
      if (!c.series.some((s) => s.data > 0)) fail(`${when}: chart "${id}" has no data`);
    }
    for (const c of seen) {
      if (!expected[c.id]) fail(`${when}: unexpected chart "${c.id}"`);
    }
    return byId;
  };

  const byId = await checkAll('initial');

  // Data checks against the document.
  if (doc.plan) {
    const p = doc.plan;
    const sk = byId.sankey && byId.sankey.series && byId.sankey.series[0];
    if (sk && sk.links) {
      const product = sk.name;
      const shipped = p.flows.filter((f) => f.product === product).reduce((a, f) => a + f.quantity, 0);
      const depth = Object.fromEntries(sk.nodes.map((n) => [n.name, n.depth]));
      const first = sk.links.filter((l) => depth[l.source] === 0).reduce((a, l) => a + l.value, 0);
      const second = sk.links.filter((l) => depth[l.source] === 1).reduce((a, l) => a + l.value, 0);
      const tol = 1e-6 * Math.max(1, shipped);
      if (Math.abs(first - shipped) > tol || Math.abs(second - shipped) > tol) {
        fail(`sankey: links sum to ${first} and ${second}, shipments of ${product} to ${shipped}`);
      }
    }
    const hm = byId.utilisation && byId.utilisation.series && byId.utilisation.series[0];
    if (hm && hm.data !== p.lines.length * p.periods.length) {
      fail(`utilisation: ${hm.data} heatmap cells for ${p.lines.length} lines × ${p.periods.length} periods`);
    }
    const cost = byId.cost && byId.cost.series && byId.cost.series[0];
    if (cost && JSON.stringify(cost.values) !== JSON.stringify(p.cost.map((c) => c.value))) {
      fail('cost: bars differ from the cost split');
    }
    const dep = byId.dependency && byId.dependency.series;
    if (dep) {
      // Each end user's shares stack to 100%.
      const users = dep[0].values.length;
      for (let u = 0; u < users; u++) {
        const total = dep.reduce((a, s) => a + (s.values[u] || 0), 0);
        if (Math.abs(total - 100) > 1e-6) fail(`dependency: shares of end user #${u} sum to ${total}%`);
      }
    }
    const concRows = await page.$$eval('table.concentration tbody tr', (trs) => trs.length);
    if (concRows !== (p.concentration || []).length) {
      fail(`concentration: ${concRows} table rows for ${(p.concentration || []).length} profiles`);
    }
    const matrix = await page.$$eval('table.matrix td.denied, table.matrix td.allowed', (tds) => tds.map((td) => td.title));
    if (matrix.length !== p.compliance.length) fail(`compliance: ${matrix.length} matrix cells for ${p.compliance.length} verdicts`);
    if (matrix.some((t) => !t)) fail('compliance: a matrix cell has no reason on hover');
    // Unit counts are shown as whole units: the demand table's Required and
    // Delivered columns (5th and 6th) hold no decimals.
    const demandCells = await page.$$eval('#demand table tbody tr', (trs) =>
      trs.flatMap((tr) => [...tr.children].slice(4, 6).map((td) => td.textContent)));
    if (!demandCells.length) fail('demand: no rows in the demand table');
    const fractional = demandCells.filter((t) => !/^[\d,]+$/.test(t));
    if (fractional.length) fail(`demand: unit counts not in whole units: ${fractional.join(' ')}`);
  }
  if (doc.criticality && byId.criticality) {
    const v = byId.criticality.series[0].values;
    if (v.some((x, i) => i > 0 && x > v[i - 1])) fail('criticality: bars are not ranked largest first');
  }
  if (doc.simulation && byId.fan) {
    const n = doc.simulation.quantiles.length;
    if (byId.fan.series.length !== n + 1) fail(`fan: ${byId.fan.series.length} series for ${n} quantiles (expected ${n + 1})`);
    const simRows = await page.$$eval('table.sim-demands tbody tr', (trs) => trs.length);
    if (simRows !== (doc.simulation.demands || []).length) {
      fail(`simulation: ${simRows} demand rows for ${(doc.simulation.demands || []).length} demands`);
    }
  }

  // Every selector option redraws without error.
  const selects = await page.$$('select');
  for (const [i, select] of selects.entries()) {
    const values = await select.$$eval('option', (os) => os.map((o) => o.value));
    for (const v of values) await select.selectOption(v);
    await select.selectOption(values[0]);
    await checkAll(`after selector #${i}`);
  }

  const shot = resolve(shotArg);
  mkdirSync(dirname(shot), { recursive: true });
  await page.screenshot({ path: shot, fullPage: true });
  if (pdfArg) {
    const pdf = resolve(pdfArg);
    mkdirSync(dirname(pdf), { recursive: true });
    await page.emulateMedia({ media: 'print' });
    await page.pdf({ path: pdf, format: 'A4', landscape: true, printBackground: true });
  }
  const charts = Object.keys(expected).join(', ');
  if (!failures.length) console.log(`ok: ${report}: charts ${charts} drawn; ${selects.length} selectors exercised; screenshot ${shot}`);
} catch (e) {
  fail(`exception: ${e && e.stack ? e.stack : e}`);
} finally {
  await browser.close();
}

if (failures.length) {
  for (const f of failures) console.error(`FAIL: ${f}`);
  process.exit(1);
}
