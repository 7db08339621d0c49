// Organisation administration, spreadsheets and member removal, walked in
// headless Chromium as parties of the European example.
//
//   node tests/browser/admin.test.mjs URL SIGNINS.json ARTIFACTS_DIR ADMINS.json
//
// URL is a server started with `caisson serve --example europe --empty`;
// SIGNINS.json the editors' sign-ins it printed ([{organisation, kind, user,
// password, token}]), ADMINS.json its admins ([{organisation, user,
// password}]). The walk: Krušik's admin lists its users, adds one (the
// one-time password shown once), makes a token for it (shown once, checked
// against the API) and revokes it (the API then refuses it); Krušik's
// editor sees no admin controls; the new user signs in with the one-time
// password and changes it, then signs in with the new one. Setup over the
// API: the coordinator creates the round from the example and invites
// Krušik, Poland and Czechia; Krušik contributes its part. Krušik's editor
// downloads its contribution as xlsx, uploads it with a negative capacity
// (refused: the diagnostic names sheet "lines", row 2, column C; the form
// keeps what is typed) and then with a good one (version 2). The
// coordinator removes Czechia (no contract) from the dashboard.
// Screenshots go to ARTIFACTS_DIR.
//
// As in platform.test.mjs, every page fails the walk on a console error, a
// page error, a failed request, a request to another origin or an API
// answer >= 400 that the step does not expect.

import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync, crc32 } from 'node:zlib';
import { chromium } from 'playwright-core';

const [baseArg, signInsArg, artifactsArg, adminsArg] = process.argv.slice(2);
if (!baseArg || !signInsArg || !adminsArg || !artifactsArg) {
  console.error('usage: node tests/browser/admin.test.mjs URL SIGNINS.json ARTIFACTS_DIR ADMINS.json');
  process.exit(2);
}
const base = baseArg.replace(/\/$/, '');
const signIns = JSON.parse(readFileSync(signInsArg, 'utf8'));
const admins = JSON.parse(readFileSync(adminsArg, 'utf8'));
const artifacts = resolve(artifactsArg);
mkdirSync(artifacts, { recursive: true });
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fragments = join(root, 'examples/europe-2025/platform/fragments');
const executablePath = process.env.CAISSON_CHROMIUM || '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(`FAIL: no Chromium at ${executablePath}: install the Debian package \`chromium\``);
  process.exit(1);
}

const failures = [];
const fail = (message) => failures.push(message);
const check = (condition, message) => { if (!condition) fail(message); };
const editor = (org) => {
  const found = signIns.find((s) => s.organisation === org);
  if (!found) throw new Error(`no sign-in for ${org}`);
  return found;
};
const coordinator = signIns.find((s) => s.kind === 'coordinator');
const producer = editor('krusik');
const producerAdmin = admins.find((a) => a.organisation === 'krusik');
if (!producerAdmin) throw new Error('no admin for krusik');

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

/** A browser context of its own (its own cookies) for one user. */
async function open(who) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, acceptDownloads: true });
  const page = await context.newPage();
  const name = `${who.organisation}/${who.user}`;
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
    if (error === 'net::ERR_ABORTED' && r.method() === 'GET') return;
    if (error === 'net::ERR_ABORTED' && /\/check$/.test(r.url())) return;
    fail(`${name}: request failed: ${r.method()} ${r.url()} ${error}`);
  });
  page.on('response', (r) => {
    if (r.status() < 400) return;
    const path = r.url().slice(base.length);
    const hit = allowed.find(([status, re]) => status === r.status() && re.test(path));
    if (!hit) fail(`${name}: unexpected ${r.status()} for ${r.request().method()} ${path}`);
  });
  // Confirmations (revoke, remove) are answered yes.
  page.on('dialog', (dialog) => dialog.accept());
  return {
    page,
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

async function signIn(who) {
  const p = await open(who);
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

/** An API call, as a party with its token. */
async function api(token, method, path, body, contentType = 'application/json') {
  const response = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': contentType } : {}) },
    body,
  });
  const text = await response.text();
  return { status: response.status, text };
}

async function apiOk(token, method, path, body, contentType) {
  const answer = await api(token, method, path, body, contentType);
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${answer.text}`);
  return answer.text ? JSON.parse(answer.text) : null;
}

// ---- a small zip reader/writer: enough to change one cell of an xlsx -----

/** The entries of a zip archive: [{name, data}] (data inflated). */
function unzip(buffer) {
  let end = buffer.length - 22;
  while (end >= 0 && buffer.readUInt32LE(end) !== 0x06054b50) end -= 1;
  if (end < 0) throw new Error('not a zip archive');
  const count = buffer.readUInt16LE(end + 10);
  let at = buffer.readUInt32LE(end + 16);
  const entries = [];
  for (let i = 0; i < count; i += 1) {
    const method = buffer.readUInt16LE(at + 10);
    const size = buffer.readUInt32LE(at + 20);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extra = buffer.readUInt16LE(at + 30);
    const comment = buffer.readUInt16LE(at + 32);
    const local = buffer.readUInt32LE(at + 42);
    const name = buffer.toString('utf8', at + 46, at + 46 + nameLength);
    const start = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    const raw = buffer.subarray(start, start + size);
    entries.push({ name, data: method === 8 ? inflateRawSync(raw) : Buffer.from(raw) });
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}

/** A zip archive of [{name, data}], entries stored (not compressed). */
function zip(entries) {
  const parts = [];
  const central = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(data.length, 20);
    header.writeUInt32LE(data.length, 24);
    header.writeUInt16LE(nameBytes.length, 28);
    header.writeUInt32LE(offset, 42);
    parts.push(local, nameBytes, data);
    central.push(header, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

/** The workbook with the number in cell `ref` of sheet `sheet` set to `value`. */
function withCell(xlsx, sheet, ref, value) {
  const entries = unzip(xlsx);
  const workbook = entries.find((e) => e.name === 'xl/workbook.xml').data.toString('utf8');
  const names = [...workbook.matchAll(/<sheet [^>]*name="([^"]+)"/g)].map((m) => m[1]);
  const index = names.indexOf(sheet);
  if (index < 0) throw new Error(`no sheet ${sheet} in ${names}`);
  const entry = entries.find((e) => e.name === `xl/worksheets/sheet${index + 1}.xml`);
  const xml = entry.data.toString('utf8');
  const cell = new RegExp(`(<c r="${ref}"[^>]*>)<v>[^<]*</v>(</c>)`);
  if (!cell.test(xml)) throw new Error(`no number in ${sheet}!${ref}`);
  entry.data = Buffer.from(xml.replace(cell, `$1<v>${value}</v>$2`), 'utf8');
  return zip(entries);
}

let roundId = null;
let newPassword = null;
try {
  // ---- an admin manages its organisation's users and tokens ---------------
  const admin = await signIn({ ...producerAdmin });
  let oneTime = null;
  {
    const { page } = admin;
    await page.click('#nav a[href="#/organisation"]');
    await ready(page, 'organisation');
    await page.waitForSelector('#users tbody tr');
    const users = await page.$$eval('#users tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
    check(users.includes('krusik-editor') && users.includes('krusik-admin'), `admin: the users are not listed (${users})`);
    await page.fill('#new-user-name', 'planner');
    await page.selectOption('#new-user-role', 'editor');
    await page.click('#add-user');
    await page.waitForSelector('#new-user-password-value');
    oneTime = await page.inputValue('#new-user-password-value');
    check(oneTime.length >= 12, `admin: no one-time password shown (${oneTime})`);
    check(/Copy it now/.test(await page.textContent('#new-user-password')), 'admin: the one-time password is not marked as shown once');
    const listed = await page.$$eval('#users tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
    check(listed.includes('planner'), 'admin: the new user is not listed');
    await shot(page, 'organisation-user-added');

    await page.selectOption('#new-token-user', 'planner');
    await page.click('#add-token');
    await page.waitForSelector('#new-token-value');
    const token = await page.inputValue('#new-token-value');
    const me = await api(token, 'GET', '/me');
    check(me.status === 200 && JSON.parse(me.text).user === 'planner', `admin: the new token does not act as planner (${me.status} ${me.text})`);
    await shot(page, 'organisation-token-made');
    const revoke = page.locator('#tokens button.danger', { hasText: 'Revoke' }).last();
    await revoke.click();
    await page.waitForFunction(() => /is revoked/.test(document.querySelector('#token-messages').textContent));
    const after = await api(token, 'GET', '/me');
    check(after.status === 401, `admin: a revoked token still works (${after.status})`);
    check(!(await page.textContent('#tokens')).includes(token), 'admin: the token list shows a secret');
    await shot(page, 'organisation-admin');
    await admin.close();
  }

  // ---- an editor sees no admin controls ------------------------------------
  {
    const p = await signIn(producer);
    await p.page.click('#nav a[href="#/organisation"]');
    await ready(p.page, 'organisation');
    check(await p.page.$('#password-form') !== null, 'editor: no password form');
    check(await p.page.$('#users-part') === null && await p.page.$('#tokens-part') === null, 'editor: admin controls are shown');
    await p.close();
  }

  // ---- the new user signs in with the one-time password and changes it ----
  {
    const planner = { organisation: 'krusik', user: 'planner', password: oneTime };
    const p = await signIn(planner);
    const { page } = p;
    await page.click('#nav a[href="#/organisation"]');
    await ready(page, 'organisation');
    newPassword = 'a new password of my own';
    // A wrong current password is refused (403), nothing else changes.
    await p.expecting([[403, /^\/api\/v1\/me\/password$/]], async () => {
      await page.fill('#password-current', 'not the password');
      await page.fill('#password-new', newPassword);
      await page.fill('#password-again', newPassword);
      await page.click('#password-save');
      await page.waitForFunction(() => /not changed/.test(document.querySelector('#password-messages').textContent));
    });
    check(await page.inputValue('#password-new') === newPassword, 'password: the new password typed was lost after a refusal');
    await page.fill('#password-current', oneTime);
    await page.click('#password-save');
    await page.waitForFunction(() => /is changed/.test(document.querySelector('#password-messages').textContent));
    await shot(page, 'organisation-password');
    await p.close();
    const again = await signIn({ ...planner, password: newPassword });
    await again.close();
  }

  // ---- setup: the round, three members, Krušik's part ---------------------
  const reference = await fetch(`${base}/api/v1/examples/europe/reference`, { headers: { Authorization: `Bearer ${coordinator.token}` } });
  const created = await apiOk(coordinator.token, 'POST', '/rounds', await reference.text(), 'application/toml');
  roundId = created.id;
  for (const organisation of ['krusik', 'pol', 'cze']) {
    await apiOk(coordinator.token, 'POST', `/rounds/${roundId}/members`, JSON.stringify({ organisation }));
  }
  await apiOk(producer.token, 'PUT', `/rounds/${roundId}/contributions/krusik`,
    readFileSync(join(fragments, 'krusik.toml'), 'utf8'), 'application/toml');

  // ---- the producer downloads its part and uploads spreadsheets -----------
  {
    const p = await signIn(producer);
    const { page } = p;
    await page.goto(`${base}/#/rounds/${roundId}/contribution`);
    await ready(page, 'contribution');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#download-workbook'),
    ]);
    const downloaded = join(artifacts, 'krusik-contribution.xlsx');
    await download.saveAs(downloaded);
    const original = readFileSync(downloaded);
    check(original.subarray(0, 2).toString() === 'PK', 'spreadsheet: the download is not an xlsx (zip) file');
    const bad = join(artifacts, 'krusik-bad.xlsx');
    writeFileSync(bad, withCell(original, 'lines', 'C2', -5));
    const good = join(artifacts, 'krusik-good.xlsx');
    writeFileSync(good, withCell(original, 'lines', 'C2', 12345));

    // Something typed in the form survives a refused upload.
    const name = page.locator('[data-path="facility.0.name"]');
    await name.fill('Krusik typed, not saved');
    await p.expecting([[422, new RegExp(`^/api/v1/rounds/${roundId}/contributions/krusik/(workbook|check)$`)]], async () => {
      await page.setInputFiles('#upload-file', bad);
      await page.click('#upload');
      await page.waitForSelector('#upload-diagnostics li', { timeout: 20000 });
    });
    const listed = await page.textContent('#upload-diagnostics');
    check(/sheet "lines", row 2, column C/.test(listed), `spreadsheet: the diagnostic is not located by cell: ${listed}`);
    check(await name.inputValue() === 'Krusik typed, not saved', 'spreadsheet: a refused upload changed the form');
    await shot(page, 'contribution-upload-refused');

    await page.setInputFiles('#upload-file', good);
    await page.click('#upload');
    await page.waitForSelector('#uploaded', { timeout: 20000 });
    check((await page.textContent('#uploaded')).includes('version 2'), 'spreadsheet: the good upload is not version 2');
    const toml = await page.inputValue('#toml-view');
    check(toml.includes('12345'), 'spreadsheet: the uploaded value is not in the form');
    await page.waitForFunction(() => document.querySelectorAll('#versions tbody tr').length === 2);
    await shot(page, 'contribution-uploaded');
    await p.close();
  }

  // ---- the coordinator removes a member without contracts -----------------
  {
    const p = await signIn(coordinator);
    const { page } = p;
    await page.goto(`${base}/#/rounds/${roundId}`);
    await ready(page, 'round');
    await page.click('#remove-cze');
    await page.waitForFunction(() => ![...document.querySelectorAll('#members tbody tr td:first-child')].some((td) => td.textContent === 'cze'), null, { timeout: 20000 });
    await ready(page, 'round');
    const members = await page.$$eval('#members tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
    check(members.includes('krusik') && members.includes('pol') && !members.includes('cze'), `remove: the members are ${members}`);
    await shot(page, 'round-member-removed');
    await p.close();
  }
} catch (error) {
  fail(`walk stopped: ${error.stack || error}`);
} finally {
  await browser.close();
}

if (failures.length) {
  for (const f of failures) console.error(`FAIL: ${f}`);
  process.exit(1);
}
console.log(`ok: administration, spreadsheets and member removal walked (round ${roundId})`);
