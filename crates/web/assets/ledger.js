// The ledger pages: recording end-user certificates, shipments, receipts,
// re-exports and consents for a round; tracing a lot; the verification
// state (the latest signed checkpoint and the command that checks it
// without trusting this server). The forms check nothing themselves: what
// is typed goes to the API, which records it or refuses it with a stable
// code and the rule that refused it; a refusal is shown beside the form and
// the form keeps everything typed.

import { h, clear, fill, field, num, dataTable, notice, announce } from './dom.js';
import { get, post, seg } from './api.js';

/** A number when the text is one; else the text, for the API to refuse. */
function toNumber(text) {
  return /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text) ? Number(text) : text;
}

/**
 * The recordable kinds: for each, who records it, what it means in plain
 * words, and its content's keys (docs/ledger.md). `goods` of an EUC is one
 * product and its quantity here (the API takes a list; one line covers the
 * usual certificate).
 */
const KINDS = [
  {
    kind: 'euc.issued',
    id: 'euc-issued',
    button: 'Issue the certificate',
    title: 'Issue an end-user certificate',
    who: 'A state (or the coordinator) issues it for the end user or consignee it owns.',
    help: 'The certificate names who may export what to whom, and whether the goods may be passed on. Shipments and re-exports are recorded under it; its goods are a limit over all of them.',
    answer: [['euc', 'EUC id']],
    fields: [
      { key: 'number', label: 'Certificate number', hint: 'Your own number, unique among your certificates, e.g. CZ-2026-001.' },
      { key: 'exporter', label: 'Exporting actor', hint: 'The state the goods come from, by its id in the round, e.g. SRB.', list: 'actors' },
      { key: 'exporter_organisation', label: 'Exporter’s organisation', hint: 'The producer’s organisation id, e.g. krusik.' },
      { key: 'consignee', label: 'Consignee', hint: 'The actor the goods are delivered to.', list: 'actors' },
      { key: 'end_user', label: 'End user', hint: 'The actor that finally uses the goods (often the consignee).', list: 'actors' },
      { key: 'goods_product', label: 'Product', hint: 'The product’s id, e.g. mortar-120.', list: 'products' },
      { key: 'goods_quantity', label: 'Quantity', hint: 'The most that may be shipped under this certificate, in units.', number: true },
      { key: 'end_use', label: 'End use', hint: 'In plain words, e.g. armed forces.' },
      {
        key: 'reexport', label: 'Re-export', hint: 'Whether the consignee may pass the goods on to another state.',
        options: [['prohibited', 'prohibited'], ['with_consent', 'with the consent of the state of origin'], ['permitted', 'permitted']],
      },
      { key: 'issued', label: 'Issued on', hint: 'YYYY-MM-DD.', date: true },
      { key: 'expires', label: 'Expires on', hint: 'YYYY-MM-DD: nothing is shipped under it after this day.', date: true },
      { key: 'contract', label: 'Contract (optional)', hint: 'The id of the signed contract it covers, if any.', optional: true },
    ],
  },
  {
    kind: 'transfer.shipped',
    id: 'transfer-shipped',
    button: 'Record the shipment',
    title: 'Record a shipment',
    who: 'The producer of the facility records it.',
    help: 'Goods leaving one of your facilities under an end-user certificate. The compliance rules of the round are checked now: the exporting state’s policy, the buyer’s and the end user’s.',
    answer: [['lot', 'Lot id']],
    fields: [
      { key: 'facility', label: 'Facility', hint: 'Its qualified id, organisation:facility, e.g. krusik:krusik.' },
      { key: 'consignee', label: 'Consignee', hint: 'The actor receiving the goods, e.g. CZE.', list: 'actors' },
      { key: 'product', label: 'Product', hint: 'The product’s id.', list: 'products' },
      { key: 'quantity', label: 'Quantity', hint: 'Units shipped.', number: true },
      { key: 'date', label: 'Shipped on', hint: 'YYYY-MM-DD.', date: true },
      { key: 'euc', label: 'End-user certificate (EUC id)', hint: 'The id the ledger gave the certificate when it was issued.', list: 'eucs' },
    ],
  },
  {
    kind: 'transfer.received',
    id: 'transfer-received',
    button: 'Record the receipt',
    title: 'Record a receipt',
    who: 'The member owning the consignee records it.',
    help: 'Goods of a lot arrived. No more can be received than was shipped in the lot.',
    answer: [],
    fields: [
      { key: 'lot', label: 'Lot id', hint: 'The id the ledger gave the shipment.', list: 'lots' },
      { key: 'quantity', label: 'Quantity received', hint: 'Units.', number: true },
      { key: 'date', label: 'Received on', hint: 'YYYY-MM-DD.', date: true },
    ],
  },
  {
    kind: 'transfer.reexported',
    id: 'transfer-reexported',
    button: 'Record the re-export',
    title: 'Record a re-export',
    who: 'The member holding the lot records it.',
    help: 'Passing on (part of) a received lot to another state under a new end-user certificate. Every certificate the lot passed under must allow it.',
    answer: [['lot', 'New lot id']],
    fields: [
      { key: 'lot', label: 'Lot id (the lot you hold)', hint: 'The lot the goods are taken from.', list: 'lots' },
      { key: 'to', label: 'To (actor)', hint: 'The state receiving the goods, e.g. UKR.', list: 'actors' },
      { key: 'quantity', label: 'Quantity', hint: 'Units passed on.', number: true },
      { key: 'date', label: 'Re-exported on', hint: 'YYYY-MM-DD.', date: true },
      { key: 'euc', label: 'New end-user certificate (EUC id)', hint: 'The certificate the receiving state issued for this re-export.', list: 'eucs' },
    ],
  },
  {
    kind: 'consent.given',
    id: 'consent-given',
    button: 'Give the consent',
    title: 'Give consent to a re-export',
    who: 'The state where the lot’s goods were made gives it.',
    help: 'Needed when a certificate of the lot says re-export only with consent: names the lot, the destination, the quantity and the new certificate.',
    answer: [],
    fields: [
      { key: 'lot', label: 'Lot id', hint: 'The lot to be re-exported.', list: 'lots' },
      { key: 'to', label: 'To (actor)', hint: 'The destination state.', list: 'actors' },
      { key: 'quantity', label: 'Quantity', hint: 'Units consented to.', number: true },
      { key: 'euc', label: 'New end-user certificate (EUC id)', hint: 'The certificate of the re-export.', list: 'eucs' },
    ],
  },
];

/** Which forms come first for the caller's kind of organisation. */
function ordered(kind) {
  const first = {
    producer: ['transfer.shipped'],
    state: ['euc.issued', 'transfer.received', 'transfer.reexported', 'consent.given'],
    coordinator: ['euc.issued'],
  }[kind] || [];
  return [...KINDS].sort((a, b) => {
    const rank = (k) => { const i = first.indexOf(k.kind); return i < 0 ? first.length : i; };
    return rank(a) - rank(b);
  });
}

/** The content of a form: optional keys left out when empty. */
function contentOf(spec, inputs) {
  const content = {};
  for (const f of spec.fields) {
    const raw = inputs[f.key].value.trim();
    if (f.optional && !raw) continue;
    if (f.key === 'goods_product' || f.key === 'goods_quantity') continue;
    content[f.key] = f.number ? toNumber(raw) : raw;
  }
  if (inputs.goods_product) {
    content.goods = [{ product: inputs.goods_product.value.trim(), quantity: toNumber(inputs.goods_quantity.value.trim()) }];
  }
  return content;
}

/** Suggestions for the forms' id fields: datalists filled as ids appear. */
function suggestions(reference) {
  const lists = {
    actors: h('datalist', { id: 'ledger-actors' }, (reference.actor || []).map((a) => h('option', { value: a.id }, a.name || a.id))),
    products: h('datalist', { id: 'ledger-products' }, (reference.product || []).map((p) => h('option', { value: p.id }, p.name || p.id))),
    eucs: h('datalist', { id: 'ledger-eucs' }),
    lots: h('datalist', { id: 'ledger-lots' }),
  };
  return {
    nodes: Object.values(lists),
    idOf: (name) => lists[name].id,
    add(name, value, label) { lists[name].append(h('option', { value }, label)); },
  };
}

/** One recording form; `onRecorded(spec, answer, content)` after a success. */
function recordForm(spec, round, lists, onRecorded) {
  const inputs = {};
  const controls = spec.fields.map((f) => {
    const id = `${spec.id}-${f.key.replace(/_/g, '-')}`;
    let control;
    if (f.options) {
      control = h('select', { id, name: f.key }, f.options.map(([value, text]) => h('option', { value }, text)));
    } else {
      control = h('input', {
        type: 'text', id, name: f.key, autocomplete: 'off', spellcheck: 'false',
        inputmode: f.number ? 'decimal' : null,
        placeholder: f.date ? 'YYYY-MM-DD' : null,
        list: f.list ? lists.idOf(f.list) : null,
      });
    }
    inputs[f.key] = control;
    return field(f.label, control, f.hint);
  });
  const result = h('div', { id: `${spec.id}-result`, class: 'ledger-result' });
  const submit = h('button', { type: 'submit', class: 'primary', id: `${spec.id}-record` }, spec.button);
  const form = h('form', { class: 'card', id: `${spec.id}-form`, 'aria-labelledby': `${spec.id}-title`, 'data-kind': spec.kind },
    h('h3', { id: `${spec.id}-title` }, spec.title, ' ', h('code', {}, spec.kind)),
    h('p', { class: 'hint' }, `${spec.who} ${spec.help}`),
    h('div', { class: 'row' }, controls),
    h('div', { class: 'actions' }, submit),
    result);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(result);
    submit.disabled = true;
    const content = contentOf(spec, inputs);
    try {
      const answer = await post('/ledger/entries', { kind: spec.kind, round, content });
      const ids = spec.answer.filter(([key]) => answer[key]);
      result.append(notice('good',
        h('p', {}, `Recorded as ledger entry ${answer.index}.`),
        ids.length ? h('dl', { class: 'ids' }, ids.map(([key, label]) => [
          h('dt', {}, label), h('dd', {}, h('code', { id: `${spec.id}-${key}`, 'data-id': answer[key] }, answer[key])),
        ])) : null));
      announce(`Recorded as ledger entry ${answer.index}`);
      onRecorded(spec, answer, content, result);
    } catch (error) {
      // The refusal names its rule; what was typed stays in the form.
      result.append(notice('bad',
        h('p', {}, error.status === 0 ? '' : 'Not recorded: ', error.status === 0 ? null : h('code', { class: 'refusal-code', id: `${spec.id}-code` }, error.code)),
        h('p', { class: 'refusal-message', id: `${spec.id}-message` }, error.message)));
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/** The lots of traces, one table each. */
function traceTables(traces) {
  if (!traces.length) return h('p', { id: 'trace-none' }, 'No lot found.');
  return traces.map((t, i) => dataTable({
    caption: `Trace ${i + 1} (${t.direction === 'backward' ? 'backwards: where it came from' : 'forwards: where it went'}), starting lot first`,
    id: i === 0 ? 'trace' : `trace-${i + 1}`,
    filterable: false,
    columns: [
      { label: 'Step', value: (l) => String(t.lots.indexOf(l) + 1), num: true },
      { label: 'Lot', value: (l) => h('code', {}, l.lot) },
      { label: 'From', value: (l) => l.sender || 'not shown to you' },
      { label: 'To', value: (l) => l.consignee },
      { label: 'Origin', value: (l) => l.origin || 'not shown to you' },
      { label: 'Product', value: (l) => l.product || 'not shown to you' },
      { label: 'Quantity', value: (l) => num(l.quantity, 2), num: true },
      { label: 'Received', value: (l) => num(l.received, 2), num: true },
      { label: 'Date', value: (l) => l.date },
      { label: 'EUC', value: (l) => l.euc || 'not shown to you' },
      { label: 'Entry', value: (l) => String(l.index), num: true },
    ],
    rows: t.lots,
  }));
}

/** The trace form and its tables; returns {node, trace(lot, direction)}. */
function traceSection(lists) {
  const lot = h('input', { type: 'text', id: 'trace-lot', autocomplete: 'off', spellcheck: 'false', list: lists.idOf('lots') });
  const direction = h('select', { id: 'trace-direction' },
    h('option', { value: 'forward' }, 'forwards: where did the goods go'),
    h('option', { value: 'backward' }, 'backwards: where did they come from'));
  const out = h('div', { id: 'trace-result', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'trace-run' }, 'Trace the lot');
  const run = async () => {
    clear(out);
    if (!lot.value.trim()) return;
    try {
      const traces = await get(`/ledger/trace?lot=${seg(lot.value.trim())}&direction=${seg(direction.value)}`);
      fill(out, traceTables(traces));
      announce(`${traces.reduce((n, t) => n + t.lots.length, 0)} lots in the trace`);
    } catch (error) {
      fill(out, notice('bad', error.status === 404
        ? 'No such lot, or it is not shown to your organisation.'
        : `The lot could not be traced: ${error.message}`));
    }
  };
  const form = h('form', { class: 'card', id: 'trace-form', 'aria-labelledby': 'trace-title' },
    h('h2', { id: 'trace-title' }, 'Trace a lot'),
    h('p', { class: 'hint' }, 'Follows a lot through its shipments and re-exports, over the entries your organisation may read: a chain stops where you may not read further.'),
    h('div', { class: 'row' },
      field('Lot id', lot, 'The id the ledger gave a shipment or re-export.'),
      field('Direction', direction)),
    h('div', { class: 'actions' }, submit),
    out);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run();
  });
  return {
    node: form,
    trace(id, way) {
      lot.value = id;
      direction.value = way;
      run();
      lot.focus();
    },
  };
}

/** The latest checkpoint and the command that verifies it independently. */
async function verification() {
  const section = h('section', { id: 'verification', 'aria-labelledby': 'verification-title', class: 'card' });
  await drawVerification(section);
  return section;
}

/** (Re)draws the verification state into `section`. */
async function drawVerification(section) {
  let checkpoint = null;
  try {
    checkpoint = await get('/ledger/checkpoint');
  } catch (error) {
    if (error.status !== 404) throw error;
  }
  const server = location.origin;
  const key = checkpoint ? checkpoint.key : 'PUBLIC_KEY';
  fill(section,
    h('h2', { id: 'verification-title' }, 'Verification'),
    checkpoint
      ? h('dl', { id: 'checkpoint', class: 'facts' },
        h('dt', {}, 'Entries (tree size)'), h('dd', { id: 'checkpoint-size' }, String(checkpoint.size)),
        h('dt', {}, 'Root hash (SHA-256)'), h('dd', {}, h('code', { id: 'checkpoint-root' }, checkpoint.root_hash)),
        h('dt', {}, 'Signed at'), h('dd', { id: 'checkpoint-time' }, checkpoint.time),
        h('dt', {}, 'Public key (Ed25519)'), h('dd', {}, h('code', { id: 'checkpoint-key' }, checkpoint.key)))
      : h('p', { id: 'checkpoint-none' }, 'Nothing is recorded yet: there is no checkpoint.'),
    h('p', {}, 'Every checkpoint is signed by the server. Compare the public key with the one the operator published (not the one shown here), then check the whole log with Caisson, or with ',
      h('code', {}, 'scripts/verify-ledger.py'), ' and Python alone:'),
    h('pre', { id: 'verify-command', class: 'command' }, `caisson ledger verify --server ${server} --key ${key} --state ledger-state.json`),
    h('p', { class: 'hint' }, 'Keep the state file between runs: a later run fails if the log was changed, truncated or re-signed since.'));
}

/** Looking up one entry by its index; returns {node, show(index)}. */
function entrySection() {
  const index = h('input', { type: 'text', id: 'entry-index', inputmode: 'numeric', autocomplete: 'off' });
  const out = h('div', { id: 'entry-result', 'aria-live': 'polite' });
  const show = async () => {
    clear(out);
    const wanted = index.value.trim();
    if (!wanted) return;
    try {
      const entry = await get(`/ledger/entries/${seg(wanted)}`);
      const full = entry.kind !== undefined;
      fill(out,
        h('dl', { class: 'facts', id: 'entry' },
          h('dt', {}, 'Index'), h('dd', {}, String(entry.index)),
          h('dt', {}, 'Recorded at'), h('dd', {}, entry.time),
          full ? [h('dt', {}, 'Kind'), h('dd', { id: 'entry-kind' }, entry.kind),
            h('dt', {}, 'By'), h('dd', {}, `${entry.user} (${entry.organisation})`),
            h('dt', {}, 'Round'), h('dd', {}, entry.round || 'none')] : null,
          h('dt', {}, 'Leaf hash'), h('dd', {}, h('code', {}, entry.leaf_hash))),
        full
          ? h('pre', { class: 'command', id: 'entry-content' }, JSON.stringify(entry.content, null, 2))
          : h('p', {}, 'Your organisation is no party to this entry: only its index, time and hash are shown.'));
    } catch (error) {
      fill(out, notice('bad', error.status === 404 ? `There is no entry ${wanted}.` : `The entry could not be read: ${error.message}`));
    }
  };
  const form = h('form', { class: 'card', id: 'entry-form', 'aria-labelledby': 'entry-title' },
    h('h2', { id: 'entry-title' }, 'Look up an entry'),
    h('div', { class: 'row' }, field('Entry index', index, 'Its number in the log, from 0.')),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'entry-show' }, 'Show the entry')),
    out);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    show();
  });
  return {
    node: form,
    show(i) {
      index.value = String(i);
      show();
      index.focus();
    },
  };
}

/** The ledger page of a round. */
export async function ledger(main, ctx, id) {
  const [info, reference] = await Promise.all([
    get(`/rounds/${seg(id)}`),
    get(`/rounds/${seg(id)}/reference`, { accept: 'application/json' }),
  ]);
  const lists = suggestions(reference);
  const tracer = traceSection(lists);
  const entries = entrySection();
  const checkpoint = await verification();
  const onRecorded = (spec, answer, content, result) => {
    const shown = h('button', { type: 'button', id: `${spec.id}-entry` }, `Show entry ${answer.index}`);
    shown.addEventListener('click', () => entries.show(answer.index));
    result.append(h('div', { class: 'actions' }, shown));
    // The log grew: show its new checkpoint.
    drawVerification(checkpoint).catch(() => {});
    if (answer.euc) lists.add('eucs', answer.euc, `${content.number} of ${ctx.session.organisation}`);
    if (answer.lot) {
      lists.add('lots', answer.lot, `${content.product || content.lot} to ${content.consignee || content.to}`);
      const forward = h('button', { type: 'button', id: `${spec.id}-trace` }, 'Trace this lot forwards');
      forward.addEventListener('click', () => tracer.trace(answer.lot, 'forward'));
      result.lastChild.append(forward);
    }
  };
  const forms = ordered(ctx.session.kind).map((spec) => recordForm(spec, id, lists, onRecorded));
  fill(main,
    h('h1', {}, `Ledger of ${info.name}`),
    h('p', {}, h('a', { href: `#/rounds/${id}` }, 'Back to the round'), ' · ',
      'An append-only, signed log of certificates, shipments, receipts and re-exports. The server checks each entry against the round’s rules when it is recorded, and refuses it, naming the rule, when it breaks one.'),
    lists.nodes,
    checkpoint,
    tracer.node,
    entries.node,
    h('h2', {}, 'Record an entry'),
    h('p', { class: 'hint' }, 'Who may record what is decided by the server; ids (certificates, lots) are given by the ledger when recorded.'),
    forms);
}

/** The ledger's verification state and the rounds to record in. */
export async function ledgerIndex(main, ctx) {
  const list = ctx.session.kind === 'observer' ? [] : await get('/rounds');
  fill(main,
    h('h1', {}, 'Ledger'),
    h('p', {}, 'Certificates, shipments, receipts and re-exports are recorded per round.'),
    dataTable({
      caption: 'The ledger of each of your rounds',
      id: 'ledger-rounds',
      columns: [
        { label: 'Round', value: (r) => h('a', { href: `#/rounds/${r.id}/ledger` }, r.name) },
        { label: 'Coordinator', value: (r) => r.coordinator },
      ],
      rows: list,
      empty: 'You are a member of no round.',
    }),
    await verification());
}
