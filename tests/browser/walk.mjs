// Shared pieces of the browser walks of the platform (runs.test.mjs):
// a browser context per party that fails the walk on a console error, a
// page error, a failed request, a request to another origin or an API
// error the step does not expect; sign-in; API calls for the setup; and
// the accessibility checks every page visited passes (every control
// labelled, text contrast >= 4.5:1 per WCAG AA, no horizontal page
// overflow).

import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

/** Starts a walk: the browser, failures, and helpers bound to `base`. */
export async function startWalk({ base, artifacts }) {
  const executablePath = process.env.CAISSON_CHROMIUM || '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    console.error(`FAIL: no Chromium at ${executablePath}: install the Debian package \`chromium\` (apt-get install -y chromium)`);
    process.exit(1);
  }
  const dir = resolve(artifacts);
  mkdirSync(dir, { recursive: true });
  const failures = [];
  const fail = (message) => failures.push(message);
  const check = (condition, message) => { if (!condition) fail(message); };
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
      if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of/.test(m.text())) {
        fail(`${name}: console error: ${m.text()}`);
      }
    });
    page.on('pageerror', (e) => fail(`${name}: page error: ${e.message}`));
    page.on('requestfailed', (r) => {
      const error = r.failure() ? r.failure().errorText : '';
      // A GET cut short because the page moved on (a poll, an event
      // stream closed once its run ended) is not a failure.
      if (error === 'net::ERR_ABORTED' && r.method() === 'GET') return;
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
    await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
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
    return text && /json/.test(response.headers.get('content-type') || '') ? JSON.parse(text) : text;
  }

  /**
   * The accessibility checks of one page as it is now: every visible
   * control has an accessible name; the text of the page's main elements
   * has a contrast of at least 4.5:1 against its background; the page
   * does not overflow horizontally. Failures name the page and element.
   */
  async function accessible(page, label) {
    const report = await page.evaluate(() => {
      const visible = (el) => {
        const r = el.getBoundingClientRect();
        const s = getComputedStyle(el);
        return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none';
      };
      const describe = (el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().replace(/\s+/g, '.')}` : ''} "${(el.textContent || el.value || '').trim().slice(0, 40)}"`;
      const unlabelled = [];
      for (const el of document.querySelectorAll('input, select, textarea, button, a[href], [role="img"]')) {
        if (!visible(el) || el.type === 'hidden') continue;
        const named = (el.labels && el.labels.length > 0 && [...el.labels].some((l) => l.textContent.trim()))
          || (el.getAttribute('aria-label') || '').trim()
          || (el.getAttribute('aria-labelledby') || '').split(' ').some((id) => id && document.getElementById(id) && document.getElementById(id).textContent.trim())
          || (['BUTTON', 'A'].includes(el.tagName) && el.textContent.trim());
        if (!named) unlabelled.push(describe(el));
      }
      // Contrast (WCAG 2.x relative luminance) of every visible element
      // that holds text of its own, against the first opaque background
      // behind it.
      const parse = (c) => {
        const m = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(c);
        return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])] : null;
      };
      const lum = ([r, g, b]) => {
        const f = (v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      const background = (el) => {
        let layers = [];
        for (let e = el; e; e = e.parentElement) {
          const c = parse(getComputedStyle(e).backgroundColor);
          if (c && c[3] > 0) {
            layers.push(c);
            if (c[3] >= 1) break;
          }
        }
        let out = [255, 255, 255];
        for (const c of layers.reverse()) out = out.map((v, i) => c[i] * c[3] + v * (1 - c[3]));
        return out;
      };
      const low = [];
      let checked = 0;
      for (const el of document.querySelectorAll('body *')) {
        if (['SCRIPT', 'STYLE', 'IFRAME', 'OPTION'].includes(el.tagName) || !visible(el)) continue;
        if (el.closest('[disabled], .skip')) continue;
        const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
        if (!own) continue;
        const s = getComputedStyle(el);
        const fg = parse(s.color);
        if (!fg) continue;
        const bg = background(el);
        const ink = fg.slice(0, 3).map((v, i) => v * fg[3] + bg[i] * (1 - fg[3]));
        const [a, b] = [lum(ink), lum(bg)].sort((x, y) => y - x);
        const ratio = (a + 0.05) / (b + 0.05);
        checked += 1;
        if (ratio < 4.5) low.push(`${describe(el)} ${ratio.toFixed(2)}:1 (${s.color} on rgb(${bg.map(Math.round).join(', ')}))`);
      }
      const overflow = document.documentElement.scrollWidth - document.documentElement.clientWidth;
      return { unlabelled, low, checked, overflow, width: window.innerWidth };
    });
    check(report.unlabelled.length === 0, `${label}: controls without a label: ${report.unlabelled.slice(0, 8).join('; ')}`);
    check(report.checked > 5, `${label}: only ${report.checked} text elements checked for contrast`);
    check(report.low.length === 0, `${label}: text below 4.5:1 contrast: ${report.low.slice(0, 8).join('; ')}`);
    check(report.overflow <= 0, `${label}: the page overflows horizontally by ${report.overflow}px at ${report.width}px`);
    return report;
  }

  /** The checks at desktop and tablet width, with a screenshot at each. */
  async function everyWidth(page, label) {
    await accessible(page, `${label} at 1280x800`);
    await shot(page, label);
    const before = page.viewportSize();
    await page.setViewportSize({ width: 768, height: 1024 });
    await accessible(page, `${label} at 768x1024`);
    await shot(page, `${label}-tablet`);
    await page.setViewportSize(before);
  }

  return {
    browser, failures, fail, check, open, ready, shot, signIn, api, accessible, everyWidth,
    async finish(okMessage) {
      await browser.close();
      if (failures.length) {
        for (const f of failures) console.error(`FAIL: ${f}`);
        process.exit(1);
      }
      console.log(`ok: ${okMessage}`);
    },
  };
}
