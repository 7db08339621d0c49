// The compliance explorer: why a flow between two actors is allowed or
// denied. A matrix (rows exporters, columns buyers) from
// GET /rounds/{round}/compliance, and for a chosen pair the trace from
// GET /rounds/{round}/compliance/explain in plain language, naming the
// deciding policy and the organisation that contributed it.
//
// The matrix is one grid with a roving focus: Tab enters it on one cell,
// the arrow keys move, Home/End go to the row's ends, Enter or Space
// explains the pair.

import { h, clear, fill, field, notice, announce } from './dom.js';
import { get, seg } from './api.js';

/** A plain sentence for one policy list check. */
function checkSentence(c) {
  const what = {
    deny_export: `${c.bound} may not export to`,
    deny_import: `${c.bound} may not import from`,
    deny_end_use: `${c.bound}’s exports may not be used by`,
  }[c.list] || c.list;
  const verdict = c.matched
    ? `lists ${c.subject} (through “${c.matched}”)`
    : `does not list ${c.subject}`;
  return `Policy ${c.policy} of ${c.owner} (${c.name}): its ${c.list} list (“${what} …”) ${verdict}${c.decisive ? ': this decides the verdict.' : '.'}`;
}

/** The explanation of one pair, as a section. */
function explanationView(x) {
  const rules = x.rules.map((r) => h('li', {},
    h('strong', {}, `${r.rule} (${r.from} → ${r.to}): `),
    !r.applies ? 'does not apply (one actor at both ends).'
      : r.checks.length === 0 ? 'no policy binding these actors has a list to check: allowed.'
        : [r.allowed ? 'allowed.' : 'denied.', h('ul', {}, r.checks.map((c) => h('li', { class: c.decisive ? 'decisive' : null }, checkSentence(c))))]));
  return h('section', { id: 'explanation', class: `card verdict ${x.allowed ? 'allowed' : 'denied'}`, 'aria-labelledby': 'explanation-title', tabindex: '-1' },
    h('h2', { id: 'explanation-title' }, `${x.from} → ${x.to}${x.end_user !== x.to ? ` for ${x.end_user}` : ''}: ${x.allowed ? 'allowed' : 'denied'}`),
    h('p', { id: 'explanation-summary' }, x.summary),
    x.denied_by ? h('dl', { class: 'facts' },
      h('dt', {}, 'Deciding policy'), h('dd', { id: 'explanation-policy' }, `${x.denied_by.policy}: ${x.denied_by.name}`),
      h('dt', {}, 'Contributed by'), h('dd', { id: 'explanation-owner' }, x.denied_by.owner),
      h('dt', {}, 'List'), h('dd', {}, `${x.denied_by.list}${x.denied_by.selector ? ` (matched by “${x.denied_by.selector}”)` : ''}`),
      h('dt', {}, 'Rule'), h('dd', {}, x.denied_by.rule)) : null,
    h('h3', {}, 'Every rule checked, in order'),
    h('ol', { class: 'rules' }, rules));
}

/** The matrix as a keyboard-navigable grid. */
function matrixGrid(m, onPick) {
  const byPair = new Map(m.cells.map((c) => [`${c.exporter}\u0000${c.buyer}`, c]));
  const names = new Map(m.actors.map((a) => [a.id, a.name]));
  const buttons = [];
  const rows = m.exporters.map((e, r) => h('tr', {},
    h('th', { scope: 'row', title: names.get(e) || e }, e),
    m.buyers.map((b, c) => {
      const cell = byPair.get(`${e}\u0000${b}`);
      if (!cell) return h('td', { class: 'same' }, h('span', { 'aria-label': `${e} to itself: not a shipment` }, '·'));
      const label = `${e} to ${b}: ${cell.allowed ? 'allowed' : `denied by ${cell.denied_by.policy} (${cell.denied_by.owner})`}`;
      const button = h('button', {
        type: 'button', class: `cell ${cell.allowed ? 'allowed' : 'denied'}`, tabindex: '-1',
        'aria-label': label, title: label, 'data-from': e, 'data-to': b,
      }, cell.allowed ? '✓' : '✗');
      button.addEventListener('click', () => { rove(button); onPick(e, b); });
      buttons.push({ button, r, c });
      return h('td', { class: cell.allowed ? 'allowed' : 'denied' }, button);
    })));
  const at = (r, c) => buttons.find((x) => x.r === r && x.c === c);
  let current = buttons[0] || null;
  function rove(button) {
    for (const x of buttons) x.button.tabIndex = -1;
    current = buttons.find((x) => x.button === button) || current;
    if (current) current.button.tabIndex = 0;
  }
  if (current) current.button.tabIndex = 0;
  const table = h('table', { id: 'compliance-matrix', class: 'matrix' },
    h('caption', {}, `Shipments from each exporter (rows) to each buyer (columns), for the buyer’s own use${m.product ? `, for ${m.product}` : ''}. ✓ allowed, ✗ denied. Arrow keys move, Enter explains.`),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Exporter \\ buyer'), m.buyers.map((b) => h('th', { scope: 'col', title: names.get(b) || b }, b)))),
    h('tbody', {}, rows));
  table.addEventListener('keydown', (event) => {
    if (!current) return;
    const moves = { ArrowRight: [0, 1], ArrowLeft: [0, -1], ArrowDown: [1, 0], ArrowUp: [-1, 0] };
    let target = null;
    if (moves[event.key]) {
      const [dr, dc] = moves[event.key];
      // Skip the diagonal (an actor to itself has no cell button).
      for (let step = 1; step <= 2 && !target; step += 1) target = at(current.r + dr * step, current.c + dc * step);
    } else if (event.key === 'Home') {
      target = buttons.find((x) => x.r === current.r);
    } else if (event.key === 'End') {
      target = [...buttons].reverse().find((x) => x.r === current.r);
    }
    if (target) {
      event.preventDefault();
      rove(target.button);
      target.button.focus();
    }
  });
  return h('div', { class: 'matrix-scroll', role: 'region', 'aria-label': 'Compliance matrix', tabindex: '-1' }, table);
}

/** The explorer of a round's compliance verdicts (every member). */
export async function compliance(main, ctx, id) {
  const [info, reference] = await Promise.all([
    get(`/rounds/${seg(id)}`),
    get(`/rounds/${seg(id)}/reference`, { accept: 'application/json' }),
  ]);
  const products = (reference.product || []).map((p) => p.id);
  const productSelect = h('select', { id: 'compliance-product' },
    h('option', { value: '' }, 'every product'),
    products.map((p) => h('option', { value: p }, p)));
  const messages = h('div');
  const matrixBox = h('div', { id: 'compliance-matrix-box' });
  const explanation = h('div', { id: 'compliance-explanation', 'aria-live': 'polite' });
  const policiesBox = h('div');
  const actors = (reference.actor || []).map((a) => a.id);
  const pick = (sel, value) => h('select', { id: sel }, actors.map((a) => h('option', { value: a, selected: a === value }, a)));
  const from = pick('explain-from', actors.includes('SRB') ? 'SRB' : actors[0]);
  const to = pick('explain-to', actors.includes('UKR') ? 'UKR' : actors[1]);
  const endUser = h('select', { id: 'explain-end-user' }, h('option', { value: '' }, 'the buyer itself'), actors.map((a) => h('option', { value: a }, a)));
  const explain = async (e, b, u) => {
    clear(messages);
    try {
      const query = new URLSearchParams({ from: e, to: b });
      if (u) query.set('end_user', u);
      const x = await get(`/rounds/${seg(id)}/compliance/explain?${query}`);
      const view = explanationView(x);
      fill(explanation, view);
      announce(x.summary);
    } catch (error) {
      fill(messages, notice('bad', `Not explained: ${error.message}`));
    }
  };
  const loadMatrix = async () => {
    clear(messages);
    const query = productSelect.value ? `?product=${encodeURIComponent(productSelect.value)}` : '';
    try {
      const m = await get(`/rounds/${seg(id)}/compliance${query}`);
      fill(matrixBox, matrixGrid(m, (e, b) => {
        from.value = e;
        to.value = b;
        endUser.value = '';
        explain(e, b, '');
      }));
      fill(policiesBox, h('table', { id: 'compliance-policies' },
        h('caption', {}, 'The round’s policies'),
        h('thead', {}, h('tr', {}, ['Policy', 'Name', 'Binds', 'Contributed by'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, m.policies.map((p) => h('tr', {}, h('td', {}, p.id), h('td', {}, p.name), h('td', {}, p.scope), h('td', {}, p.owner))))));
      const denied = m.cells.filter((c) => !c.allowed).length;
      announce(`${m.cells.length} pairs, ${denied} denied`);
    } catch (error) {
      fill(messages, notice('bad', `The matrix could not be shown: ${error.message}`));
    }
  };
  productSelect.addEventListener('change', loadMatrix);
  const form = h('form', { class: 'card', 'aria-labelledby': 'explain-title' },
    h('h2', { id: 'explain-title' }, 'Explain one shipment'),
    h('div', { class: 'row' },
      field('Exporter', from), field('Buyer', to),
      field('End user', endUser, 'Who finally uses the goods; checks the re-transfer and end-use rules too.'),
      h('div', { class: 'field' }, h('button', { type: 'submit', class: 'primary', id: 'explain-run' }, 'Explain'))));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    explain(from.value, to.value, endUser.value);
  });
  fill(main,
    h('h1', {}, `Compliance in ${info.name}`),
    h('p', {}, h('a', { href: `#/rounds/${id}` }, 'Back to the round'),
      ' · Which shipments the round’s policies allow, and why. Policies are visible to every member.'),
    messages,
    form,
    explanation,
    h('h2', {}, 'Every pair'),
    field('Product', productSelect, 'Narrows the rows and columns to the exporters and buyers of the product that you may see; policies apply to every product alike.'),
    matrixBox,
    policiesBox);
  await loadMatrix();
}
