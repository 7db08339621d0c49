// The pages: sign-in, rounds, a round's dashboard, a new round, contracts,
// published results, the organisation (runs: runs.js). Each page is a function
// (main, ctx, ...params) that fills `main` from the API's answers. Which
// buttons a page offers follows the caller's kind (a coordinator starts
// runs); whether an action is allowed is always the API's answer.

import { h, clear, fill, field, num, badge, dataTable, notice, announce } from './dom.js';
import { request, get, post, seg, setCsrf } from './api.js';
import { contributionEditor } from './editor.js';

/** An error notice for a failed action; lists located diagnostics. */
function problem(error, what) {
  const items = (error.diagnostics || []).map((d) => h('li', {},
    `${d.message}${d.hint ? `. ${d.hint}` : ''}${d.line ? ` (line ${d.line}${d.column ? `, column ${d.column}` : ''})` : ''}`));
  const prefix = error.status === 0 ? '' : `${what}: `;
  return notice('bad', h('p', {}, `${prefix}${error.message}`), items.length ? h('ul', { id: 'diagnostics' }, items) : null);
}

/** Any JSON value as text for a table cell. */
function cell(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return num(value, 2);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A table of records (the union of their keys as columns). */
function recordsTable(caption, records, id) {
  const keys = [...new Set(records.flatMap((r) => (r && typeof r === 'object' ? Object.keys(r) : [])))];
  return dataTable({
    caption,
    id,
    columns: keys.map((k) => ({
      label: k.replace(/_/g, ' '),
      value: (r) => cell(r[k]),
      num: records.some((r) => typeof r[k] === 'number'),
    })),
    rows: records,
  });
}

// ---- sign-in --------------------------------------------------------------

/** The sign-in form. */
export async function signIn(main, ctx) {
  const organisation = h('input', { type: 'text', name: 'organisation', autocomplete: 'organization', required: true, id: 'signin-organisation' });
  const user = h('input', { type: 'text', name: 'user', autocomplete: 'username', required: true, id: 'signin-user' });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, id: 'signin-password' });
  const messages = h('div');
  const button = h('button', { class: 'primary', type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'signin card', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to Caisson'),
    messages,
    field('Organisation', organisation, 'The short id of your organisation, for example eu-jp.'),
    field('User', user),
    field('Password', password),
    h('div', { class: 'actions' }, button));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    clear(messages);
    try {
      const session = (await request('POST', '/session', {
        json: { organisation: organisation.value.trim(), user: user.value.trim(), password: password.value },
      })).data;
      setCsrf(session.csrf);
      ctx.setSession(session);
      location.hash = '#/';
    } catch (error) {
      let text = error.message;
      if (error.status === 401) text = 'The organisation, user or password is not right.';
      if (error.status === 429) text = `Too many attempts. Try again in ${error.retryAfter || 'a few'} seconds.`;
      messages.append(notice('bad', text));
      password.focus();
    } finally {
      button.disabled = false;
    }
  });
  fill(main, form);
  organisation.focus();
}

// ---- rounds ---------------------------------------------------------------

/** The caller's rounds. */
export async function rounds(main, ctx) {
  const list = await get('/rounds');
  const isCoordinator = ctx.session.kind === 'coordinator';
  fill(main, 
    h('h1', {}, 'Rounds'),
    isCoordinator ? h('div', { class: 'actions' }, h('a', { class: 'button primary', href: '#/rounds/new', id: 'new-round' }, 'Create a round')) : null,
    ctx.session.kind === 'observer'
      ? h('p', {}, 'Observers are members of no round. ', h('a', { href: '#/published' }, 'See the published results.'))
      : null,
    dataTable({
      caption: 'Your rounds, newest first',
      id: 'rounds',
      columns: [
        { label: 'Round', value: (r) => h('a', { href: `#/rounds/${r.id}` }, r.name) },
        { label: 'Coordinator', value: (r) => r.coordinator },
        { label: 'Created', value: (r) => r.created },
      ],
      rows: list,
      empty: 'You are a member of no round yet.',
    }));
}

/** Creating a round from a reference part (uploaded, typed or the example). */
export async function newRound(main) {
  const text = h('textarea', { id: 'reference-text', rows: '22', spellcheck: 'false', class: 'toml' });
  text.style.width = '100%';
  const upload = h('input', { type: 'file', id: 'reference-file', accept: '.toml,.json,text/plain,application/json' });
  const messages = h('div');
  upload.addEventListener('change', () => {
    const file = upload.files && upload.files[0];
    if (!file) return;
    const reader = new FileReader();
    reader.addEventListener('load', () => { text.value = String(reader.result); });
    reader.readAsText(file);
  });
  const example = h('button', { type: 'button', id: 'use-example' }, 'Start from the European example');
  example.addEventListener('click', async () => {
    clear(messages);
    try {
      text.value = await get('/examples/europe/reference');
      announce('The European example’s reference part is in the text box.');
    } catch (error) {
      messages.append(problem(error, 'The example could not be loaded'));
    }
  });
  const create = h('button', { type: 'submit', class: 'primary', id: 'create-round' }, 'Create the round');
  const form = h('form', { 'aria-labelledby': 'new-round-title' },
    h('h1', { id: 'new-round-title' }, 'Create a round'),
    h('p', {}, 'The reference part names the round’s horizon, actors, products and routes. Members add their own parts once invited.'),
    messages,
    h('div', { class: 'row' }, field('Upload a reference part (TOML or JSON)', upload), h('div', { class: 'field' }, example)),
    field('Reference part (TOML or JSON)', text),
    h('div', { class: 'actions' }, create, h('a', { href: '#/' }, 'Cancel')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(messages);
    text.removeAttribute('aria-invalid');
    const body = text.value;
    const json = body.trim().startsWith('{');
    create.disabled = true;
    try {
      const created = (await request('POST', '/rounds', json ? { json: JSON.parse(body) } : { toml: body })).data;
      location.hash = `#/rounds/${created.id}`;
    } catch (error) {
      text.setAttribute('aria-invalid', 'true');
      messages.append(problem(error, 'The round was not created'));
    } finally {
      create.disabled = false;
    }
  });
  fill(main, form);
}

/** A round's dashboard: members and their contributions, invitations, runs. */
export async function round(main, ctx, id) {
  const [info, runs] = await Promise.all([get(`/rounds/${seg(id)}`), get(`/rounds/${seg(id)}/runs`)]);
  const me = ctx.session;
  const coordinating = me.kind === 'coordinator' && info.coordinator === me.organisation;
  const isMember = info.members.some((m) => m.organisation === me.organisation);
  // Who contributed which version: every member's history the caller may
  // read (the coordinator's view); others see their own.
  const readable = coordinating ? info.members : info.members.filter((m) => m.organisation === me.organisation);
  const histories = new Map(await Promise.all(readable.map(async (m) => {
    try {
      return [m.organisation, await get(`/rounds/${seg(id)}/contributions/${seg(m.organisation)}/versions`)];
    } catch (error) {
      if (error.status === 404) return [m.organisation, null];
      throw error;
    }
  })));
  const contribution = (m) => {
    if (!histories.has(m.organisation)) return 'not shown to you';
    const versions = histories.get(m.organisation);
    if (!versions || !versions.length) return 'nothing yet';
    const last = versions[versions.length - 1];
    return `version ${last.version}, ${last.time} by ${last.user}`;
  };
  const messages = h('div');
  fill(main, 
    h('h1', {}, info.name),
    h('p', {}, `Coordinated by ${info.coordinator} · created ${info.created} · reference part version ${info.reference_version}`),
    h('div', { class: 'actions' },
      isMember && me.kind !== 'observer' ? h('a', { class: 'button primary', href: `#/rounds/${id}/contribution`, id: 'edit-contribution' }, 'Edit your contribution') : null,
      h('a', { class: 'button', href: `#/rounds/${id}/contracts`, id: 'contracts-link' }, 'Contracts'),
      h('a', { class: 'button', href: `#/rounds/${id}/ledger`, id: 'ledger-link' }, 'Ledger'),
      h('a', { class: 'button', href: `#/rounds/${id}/compliance`, id: 'compliance-link' }, 'Compliance')),
    messages,
    h('h2', {}, 'Members'),
    dataTable({
      caption: 'Members and their latest contribution',
      id: 'members',
      columns: [
        { label: 'Organisation', value: (m) => m.organisation },
        { label: 'Name', value: (m) => m.name },
        { label: 'Kind', value: (m) => m.kind },
        { label: 'Actor', value: (m) => m.actor || (m.buys_for || []).join(', ') },
        { label: 'Contribution', value: contribution },
        ...(coordinating ? [{ label: 'Action', value: (m) => removeButton(info, m, messages, () => round(main, ctx, id)) }] : []),
      ],
      rows: info.members,
    }),
    coordinating ? await invitations(info, messages, () => round(main, ctx, id)) : null,
    h('h2', {}, 'Runs'),
    coordinating ? startRunForm(id, messages) : null,
    dataTable({
      caption: 'Runs of this round, newest first',
      id: 'runs',
      columns: [
        { label: 'Run', value: (r) => h('a', { href: `#/runs/${r.id}` }, r.id.slice(0, 8)) },
        { label: 'Kind', value: (r) => r.kind },
        { label: 'Status', value: (r) => badge(r.status) },
        { label: 'Progress', value: (r) => `${Math.round((r.progress || 0) * 100)} %`, num: true },
        { label: 'Started', value: (r) => r.created },
        { label: 'Published', value: (r) => r.published || 'no' },
      ],
      rows: runs,
      empty: 'No run yet.',
    }));
}

/**
 * The coordinator's Remove button of a member (not of itself), after a
 * confirmation. The API refuses (409) while the member has signed
 * contracts; its contributions stay stored but are no longer assembled.
 */
function removeButton(info, member, messages, redraw) {
  if (member.organisation === info.coordinator) return '';
  const button = h('button', { type: 'button', class: 'danger', id: `remove-${member.organisation}` }, `Remove ${member.organisation}`);
  button.addEventListener('click', async () => {
    const question = `Remove ${member.organisation} (${member.name}) from the round? Its contributions stay stored but no longer enter the plan, and its open proposals are withdrawn.`;
    if (!window.confirm(question)) return;
    button.disabled = true;
    try {
      await request('DELETE', `/rounds/${seg(info.id)}/members/${seg(member.organisation)}`);
      await redraw();
      announce(`${member.organisation} removed from the round`);
    } catch (error) {
      fill(messages, problem(error, `${member.organisation} was not removed`));
      button.disabled = false;
    }
  });
  return button;
}

async function invitations(info, messages, redraw) {
  const present = new Set(info.members.map((m) => m.organisation));
  let candidates = [];
  try {
    candidates = (await get('/examples/europe/organisations'))
      .filter((o) => !present.has(o.organisation) && o.kind !== 'observer');
  } catch (error) {
    candidates = [];
  }
  const boxes = candidates.map((o) => {
    const box = h('input', { type: 'checkbox', value: o.organisation, id: `invite-${o.organisation}` });
    return [box, h('li', {}, h('label', { for: box.id }, box, ` ${o.organisation} (${o.kind}): ${o.name}`))];
  });
  const other = h('input', { type: 'text', id: 'invite-other', autocomplete: 'off' });
  const all = h('button', { type: 'button', id: 'invite-all-toggle' }, 'Select all');
  all.addEventListener('click', () => { for (const [box] of boxes) box.checked = true; });
  const invite = h('button', { type: 'submit', class: 'primary', id: 'invite' }, 'Invite');
  const form = h('form', { 'aria-labelledby': 'invite-title', class: 'card' },
    h('h2', { id: 'invite-title' }, 'Invite members'),
    boxes.length ? h('fieldset', {}, h('legend', {}, 'Organisations of the European example'),
      h('div', { class: 'actions' }, all), h('ul', { class: 'checklist' }, boxes.map(([, li]) => li))) : null,
    field('Another organisation (its id)', other),
    h('div', { class: 'actions' }, invite));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = boxes.filter(([box]) => box.checked).map(([box]) => box.value);
    if (other.value.trim()) chosen.push(other.value.trim());
    if (!chosen.length) return;
    invite.disabled = true;
    const failed = [];
    for (const organisation of chosen) {
      try {
        await post(`/rounds/${seg(info.id)}/members`, { organisation });
      } catch (error) {
        failed.push(`${organisation}: ${error.message}`);
      }
    }
    invite.disabled = false;
    if (failed.length) {
      fill(messages, notice('bad', h('p', {}, 'Some invitations failed:'), h('ul', {}, failed.map((f) => h('li', {}, f)))));
    }
    await redraw();
    announce(`${chosen.length - failed.length} members invited`);
  });
  return form;
}

function startRunForm(id, messages) {
  const start = h('button', { type: 'button', class: 'primary', id: 'start-run' }, 'Start a plan run');
  start.addEventListener('click', async () => {
    start.disabled = true;
    try {
      const created = (await request('POST', `/rounds/${seg(id)}/runs`, { json: { kind: 'plan' } })).data;
      location.hash = `#/runs/${created.id}`;
    } catch (error) {
      fill(messages, problem(error, 'The run was not started'));
      start.disabled = false;
    }
  });
  return h('div', { class: 'actions' }, start,
    h('a', { class: 'button', href: `#/rounds/${id}/runs/new`, id: 'start-run-options' }, 'Start a run with options'),
    h('span', { class: 'hint' }, 'Plans the round as its parts and signed contracts stand now; with options: any kind of run (compare, risk, simulate, recommend).'));
}

/** The contribution editor of the caller's organisation. */
export async function contribution(main, ctx, id) {
  await contributionEditor(main, { round: id, org: ctx.session.organisation, me: ctx.session });
}

// ---- contracts ------------------------------------------------------------

/** A round's contracts the caller sees, with proposing and deciding. */
export async function contracts(main, ctx, id) {
  const [info, list, reference] = await Promise.all([
    get(`/rounds/${seg(id)}`),
    get(`/rounds/${seg(id)}/contracts`),
    get(`/rounds/${seg(id)}/reference`, { accept: 'application/json' }),
  ]);
  const me = ctx.session;
  const messages = h('div');
  const redraw = () => contracts(main, ctx, id);
  const decide = async (contract, action, body) => {
    try {
      await post(`/contracts/${seg(contract.id)}/${action}`, body);
      await redraw();
      announce(`Contract ${action === 'accept' ? 'accepted' : `${action}n`}`);
    } catch (error) {
      fill(messages, problem(error, `The contract was not ${action === 'accept' ? 'accepted' : 'changed'}`));
    }
  };
  const actions = (c) => {
    if (c.status !== 'proposed') return '';
    if (c.proposer === me.organisation) {
      return h('button', { type: 'button', onclick: () => decide(c, 'withdraw') }, `Withdraw ${c.product}`);
    }
    const facility = h('input', { type: 'text', 'aria-label': 'Your facility for this contract', size: '12', value: '' });
    return h('span', { class: 'actions' },
      c.facility || c.supplier !== me.organisation ? null : facility,
      h('button', {
        type: 'button', class: 'primary', 'data-accept': c.id,
        onclick: () => decide(c, 'accept', !c.facility && facility.value.trim() ? { facility: facility.value.trim() } : {}),
      }, `Accept ${c.product}`),
      h('button', { type: 'button', class: 'danger', onclick: () => decide(c, 'decline') }, `Decline ${c.product}`));
  };
  const producers = info.members.filter((m) => m.kind === 'producer');
  const myMember = info.members.find((m) => m.organisation === me.organisation) || {};
  const buyers = [myMember.actor, ...(myMember.buys_for || [])].filter(Boolean);
  const select = (id_, options) => h('select', { id: id_ }, options.map(([value, text]) => h('option', { value }, text)));
  const supplier = select('contract-supplier', producers.map((p) => [p.organisation, `${p.organisation}: ${p.name}`]));
  const buyer = buyers.length
    ? select('contract-buyer', buyers.map((b) => [b, b]))
    : select('contract-buyer', (reference.actor || []).map((a) => [a.id, a.name || a.id]));
  const product = select('contract-product', (reference.product || []).map((p) => [p.id, p.name ? `${p.id}: ${p.name}` : p.id]));
  const quantity = h('input', { type: 'text', inputmode: 'decimal', id: 'contract-quantity', required: true });
  const penalty = h('input', { type: 'text', inputmode: 'decimal', id: 'contract-penalty', required: true });
  const price = h('input', { type: 'text', inputmode: 'decimal', id: 'contract-price', value: '0' });
  const facility = h('input', { type: 'text', id: 'contract-facility' });
  const propose = h('button', { type: 'submit', class: 'primary', id: 'propose' }, 'Propose the contract');
  const toNumber = (text) => (/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text) ? Number(text) : text);
  const form = h('form', { class: 'card', 'aria-labelledby': 'propose-title' },
    h('h2', { id: 'propose-title' }, 'Propose a contract'),
    h('div', { class: 'row' },
      field('Supplier', supplier), field('Buyer', buyer), field('Product', product),
      field('Quantity per period', quantity), field('Penalty per unit short per period', penalty),
      field('Price per unit', price), field('Supplier’s facility (optional)', facility, 'The supplier may name it when accepting.')),
    h('div', { class: 'actions' }, propose));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(messages);
    propose.disabled = true;
    try {
      await post(`/rounds/${seg(id)}/contracts`, {
        supplier: supplier.value,
        buyer: buyer.value,
        product: product.value,
        quantity: toNumber(quantity.value),
        penalty: toNumber(penalty.value),
        price: toNumber(price.value || '0'),
        facility: facility.value.trim() || null,
      });
      await redraw();
      announce('Contract proposed');
    } catch (error) {
      messages.append(problem(error, 'The contract was not proposed'));
      propose.disabled = false;
    }
  });
  fill(main, 
    h('h1', {}, `Contracts of ${info.name}`),
    h('p', {}, h('a', { href: `#/rounds/${id}` }, 'Back to the round')),
    messages,
    dataTable({
      caption: 'Contracts you are party to',
      id: 'contracts',
      columns: [
        { label: 'Status', value: (c) => badge(c.status) },
        { label: 'Proposed by', value: (c) => c.proposer },
        { label: 'Supplier', value: (c) => c.supplier },
        { label: 'Facility', value: (c) => c.facility || 'not named yet' },
        { label: 'Buyer', value: (c) => c.buyer },
        { label: 'Product', value: (c) => c.product },
        { label: 'Quantity per period', value: (c) => cell(c.quantity), num: true },
        { label: 'Penalty', value: (c) => cell(c.penalty), num: true },
        { label: 'Price', value: (c) => cell(c.price), num: true },
        { label: 'Actions', value: actions },
      ],
      rows: list,
      empty: 'No contract yet.',
    }),
    me.kind !== 'observer' ? form : null);
}

// The run pages (start a run, a run's progress and result) are in runs.js.

// ---- published ------------------------------------------------------------

/** Published runs (every signed-in user). */
export async function published(main) {
  const list = await get('/published');
  fill(main, 
    h('h1', {}, 'Published results'),
    h('p', {}, 'Totals coordinators chose to publish. Figures that would reveal one party’s numbers are withheld.'),
    dataTable({
      caption: 'Published runs, newest first',
      id: 'published',
      columns: [
        { label: 'Run', value: (r) => h('a', { href: `#/published/${r.id}` }, r.id.slice(0, 8)) },
        { label: 'Round', value: (r) => r.round },
        { label: 'Kind', value: (r) => r.kind },
        { label: 'Published', value: (r) => r.published },
      ],
      rows: list,
      empty: 'Nothing published yet.',
    }));
}

/** One published run's totals. */
export async function publishedRun(main, ctx, id) {
  const view = await get(`/published/${seg(id)}`);
  const products = Array.isArray(view.kpis_products) ? view.kpis_products : [];
  const capacity = (view.capacity || []).map((c) => ({ ...c, capacity: typeof c.capacity === 'object' ? cell(c.capacity) : c.capacity }));
  fill(main, 
    h('h1', {}, `Published totals of run ${id.slice(0, 8)}`),
    h('p', {}, h('a', { href: '#/published' }, 'All published results'), ` · round ${view.round} · published ${view.published}`),
    h('h2', {}, 'Per product'),
    recordsTable('Totals per product', products, 'published-products'),
    h('h2', {}, 'Producers’ capacity'),
    recordsTable('Capacity per territory, product and period', capacity, 'published-capacity'));
}

// ---- organisation ---------------------------------------------------------

/** The caller's organisation and who read its data. */
export async function organisation(main, ctx) {
  const [me, log] = await Promise.all([get('/me'), get('/access-log')]);
  fill(main, 
    h('h1', {}, `Organisation ${me.organisation}`),
    h('dl', {},
      h('dt', {}, 'Kind'), h('dd', {}, me.kind),
      h('dt', {}, 'You are'), h('dd', {}, `${me.user} (${me.role})`)),
    h('h2', {}, 'Access log'),
    h('p', {}, 'Every read of your organisation’s confidential data by another organisation.'),
    dataTable({
      caption: 'Reads of your data, newest first',
      id: 'access-log',
      columns: [
        { label: 'When', value: (e) => e.time },
        { label: 'Organisation', value: (e) => e.reader_organisation },
        { label: 'User', value: (e) => e.reader_user },
        { label: 'What', value: (e) => e.endpoint },
        { label: 'Entities', value: (e) => e.entities.join(', ') },
      ],
      rows: log,
      empty: 'Nobody outside your organisation has read your data.',
    }));
}


