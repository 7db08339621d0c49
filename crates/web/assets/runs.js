// Runs: the coordinator's form to start one (every kind and option that
// POST /rounds/{round}/runs takes, as the CLI commands of the same names),
// and a run's page (progress by server-sent events, polled when the stream
// drops; cancel; the result as the caller may see it: the plan report for
// plan runs, the analysis report's own charts for the coordinator).
//
// As everywhere, the form checks nothing itself: what is typed goes to the
// API, and its refusal is shown at the field it names.

import { h, clear, fill, field, badge, notice, announce, uid } from './dom.js';
import { request, get, post, seg } from './api.js';

/** An error notice for a failed action; lists located diagnostics. */
function problem(error, what) {
  const items = (error.diagnostics || []).map((d) => h('li', {},
    `${d.message}${d.hint ? `. ${d.hint}` : ''}${d.line ? ` (line ${d.line}${d.column ? `, column ${d.column}` : ''})` : ''}`));
  const prefix = error.status === 0 ? '' : `${what}: `;
  return notice('bad', h('p', {}, `${prefix}${error.message}`), items.length ? h('ul', { id: 'diagnostics' }, items) : null);
}

/** A number when the text is one, else the text itself (the API judges it). */
function numberOrText(text) {
  const t = String(text).trim();
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t) ? Number(t) : t;
}

/** JSON when the text parses, else the text (the API then says why). */
function jsonOrText(text) {
  try {
    return JSON.parse(text);
  } catch (cause) {
    return text;
  }
}

// ---- the options of each kind ----------------------------------------------

// One option: key (the API's name), label, unit, hint, type (number, text,
// check, select, json, list), where it goes in the body (`options` for the
// solver's), its choices and its placeholder (the default).
const SOLVER = [
  { key: 'time_limit', label: 'Time limit per solve', unit: 'seconds', type: 'number', in: 'options',
    hint: 'Each solve stops after this long; a MIP stopped early keeps its best plan. Empty: no limit.' },
  { key: 'mip_gap', label: 'MIP gap', unit: 'fraction from 0 to below 1', type: 'number', in: 'options', placeholder: '0.000001',
    hint: 'Relative gap at which a solution counts as optimal. Empty: 0.000001.' },
];

// Analysis runs only: a plan run's one solve has one HiGHS thread.
const THREADS = { key: 'threads', label: 'Solves at once', unit: 'threads, 1 to 64', type: 'number', in: 'options',
  hint: 'How many re-plans run side by side, one HiGHS thread each. Empty: one per core of the worker.' };

const KINDS = [
  {
    kind: 'plan', title: 'Plan', summary: 'The cost-optimal plan of the round as it stands (caisson plan).',
    options: [
      { key: 'method', label: 'Method', type: 'select', choices: [['optimal', 'optimal: solve the model with HiGHS'], ['greedy', 'greedy: the fast baseline heuristic']],
        hint: 'Greedy is feasible and fast but not optimal; the solver options do not apply to it.' },
      { key: 'no_start', label: 'Do not start HiGHS from the greedy plan', type: 'check',
        hint: 'By default the greedy plan is HiGHS’s first solution, so a run stopped early still has a plan.' },
    ],
  },
  {
    kind: 'compare', title: 'Compare', summary: 'The round’s scenario against variants of it, planned side by side (caisson compare).',
    options: [],
    variants: true,
  },
  {
    kind: 'risk', title: 'Risk', summary: 'Supplier criticality and the price of each policy: re-plans without each exporter (caisson risk).',
    options: [
      { key: 'facilities', label: 'Also rank single facilities', type: 'check', hint: 'One more re-plan per facility.' },
      { key: 'lists', label: 'Also price each list of each policy', type: 'check', hint: 'One more re-plan per policy list.' },
    ],
  },
  {
    kind: 'simulate', title: 'Simulate', summary: 'Monte Carlo over uncertainty entries: one plan per sample (caisson simulate).',
    options: [
      { key: 'samples', label: 'Samples', unit: 'plans', type: 'number', placeholder: '100', hint: 'Number of samples, one plan each. Empty: 100.' },
      { key: 'seed', label: 'Seed', type: 'number', placeholder: '0', hint: 'The same seed gives the same numbers. Empty: 0.' },
      { key: 'threshold', label: 'Failure threshold', unit: 'fill rate from 0 to 1', type: 'number', placeholder: '0.9',
        hint: 'A demand filled below this share counts as failed in a sample. Empty: 0.9.' },
      { key: 'quantiles', label: 'Quantiles', unit: 'increasing, from 0 to 1, comma-separated', type: 'list', placeholder: '0.05, 0.5, 0.95',
        hint: 'The percentiles of the tables and fan charts. Empty: 0.05, 0.5, 0.95.' },
      { key: 'chunk_samples', label: 'Samples per chunk', unit: 'plans', type: 'number', placeholder: '25',
        hint: 'A longer run is split into chunks any worker may take; the result is the same whatever the chunking. Empty: 25.' },
      { key: 'uncertainty', label: 'Uncertainty entries (JSON list)', type: 'json', placeholder: '[]',
        hint: 'The [[uncertainty]] entries drawn, in the scenario format as JSON, e.g. [{"id": "u1", "kind": "demand", ...}]. Empty: none (every sample is the plan).' },
    ],
  },
  {
    kind: 'recommend', title: 'Recommend', summary: 'Long-term contracts from the plan, proved by re-planning with them (caisson recommend).',
    options: [
      { key: 'grouping', label: 'Grouping', type: 'select', choices: [['', 'year (default)'], ['year', 'year'], ['quarter', 'quarter'], ['period', 'period']],
        hint: 'The periods one commitment covers.' },
      { key: 'flat', label: 'Flat rates, not capped at the plan’s shipments', type: 'check' },
      { key: 'min_volume', label: 'Minimum volume', unit: 'units', type: 'number', placeholder: '0', hint: 'Groups below this volume get no commitment. Empty: 0.' },
      { key: 'penalty', label: 'Penalty', unit: 'per unit short', type: 'number', hint: 'Empty: the buyer’s highest penalty.' },
      { key: 'price', label: 'Price', unit: 'per unit', type: 'number', placeholder: '0', hint: 'Empty: 0.' },
      { key: 'rounds', label: 'Re-plans allowed', unit: 'rounds', type: 'number', placeholder: '5', hint: 'Empty: 5.' },
      { key: 'samples', label: 'Samples', unit: 'plans', type: 'number', hint: 'Recommend from this many Monte Carlo samples. Empty: from the plan alone.' },
      { key: 'seed', label: 'Seed of the samples', type: 'number', placeholder: '0', hint: 'Empty: 0.' },
      { key: 'quantile', label: 'Quantile of the samples’ volumes', unit: 'from 0 to 1', type: 'number', placeholder: '0.1', hint: 'Empty: 0.1.' },
      { key: 'uncertainty', label: 'Uncertainty entries (JSON list)', type: 'json', placeholder: '[]', hint: 'The [[uncertainty]] entries the samples draw from.' },
    ],
  },
];

/** A control for one option; returns {wrap, read(), mark(message), clear()}. */
function optionControl(kind, option) {
  const id = `run-${kind}-${option.key.replace(/_/g, '-')}`;
  let control;
  if (option.type === 'select') {
    control = h('select', { id }, option.choices.map(([value, text]) => h('option', { value }, text)));
  } else if (option.type === 'check') {
    control = h('input', { type: 'checkbox', id });
  } else if (option.type === 'json') {
    control = h('textarea', { id, rows: '4', spellcheck: 'false', placeholder: option.placeholder || '' });
  } else {
    control = h('input', {
      type: 'text', id, inputmode: option.type === 'number' ? 'decimal' : null,
      placeholder: option.placeholder || '', autocomplete: 'off',
    });
  }
  const label = option.unit ? `${option.label} (${option.unit})` : option.label;
  const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  let wrap;
  if (option.type === 'check') {
    const hint = option.hint ? h('small', { id: `${id}-hint` }, option.hint) : null;
    if (hint) control.setAttribute('aria-describedby', hint.id);
    wrap = h('div', { class: 'field check' }, h('label', { for: id }, control, ` ${label}`), hint, error);
  } else {
    wrap = field(label, control, option.hint);
    wrap.append(error);
  }
  const described = control.getAttribute('aria-describedby') || '';
  return {
    option,
    control,
    wrap,
    /** The value to send, or undefined when the field is left empty. */
    read() {
      if (option.type === 'check') return control.checked ? true : undefined;
      const text = control.value.trim();
      if (!text) return undefined;
      if (option.type === 'number') return numberOrText(text);
      if (option.type === 'list') return text.split(',').map((t) => numberOrText(t));
      if (option.type === 'json') return jsonOrText(text);
      return text;
    },
    mark(message) {
      error.textContent = message;
      error.hidden = false;
      control.setAttribute('aria-invalid', 'true');
      control.setAttribute('aria-describedby', `${described} ${error.id}`.trim());
    },
    clear() {
      error.hidden = true;
      error.textContent = '';
      control.removeAttribute('aria-invalid');
      if (described) control.setAttribute('aria-describedby', described);
      else control.removeAttribute('aria-describedby');
    },
  };
}

/** The variants of a compare run: label and changes (JSON), any number. */
function variantsEditor() {
  const list = h('div', { id: 'run-variants' });
  const items = [];
  const error = h('p', { class: 'field-error', id: 'run-variants-error', hidden: true });
  const add = (label = '', changes = '') => {
    const n = items.length + 1;
    const name = h('input', { type: 'text', id: `run-variant-${n}-label`, value: label, autocomplete: 'off' });
    const text = h('textarea', { id: `run-variant-${n}-changes`, rows: '4', spellcheck: 'false', value: changes });
    const remove = h('button', { type: 'button', class: 'danger' }, `Remove variant ${n}`);
    const box = h('fieldset', { class: 'variant' }, h('legend', {}, `Variant ${n}`),
      field('Name', name, 'How the variant is shown in the comparison.'),
      field('Changes (JSON)', text, 'Fields of [scenario] under "scenario"; entities that replace or add under their table ("demand": [...]); ids to drop under "remove", e.g. {"remove": {"policy": ["srb:srb-neutrality"]}}.'),
      h('div', { class: 'actions' }, remove));
    const item = { box, name, text };
    remove.addEventListener('click', () => {
      items.splice(items.indexOf(item), 1);
      box.remove();
      announce('Variant removed');
    });
    items.push(item);
    list.append(box);
    return item;
  };
  add();
  const more = h('button', { type: 'button', id: 'run-add-variant' }, 'Add a variant');
  more.addEventListener('click', () => { add().name.focus(); });
  return {
    wrap: h('div', {}, h('h3', {}, 'Variants'), error, list, h('div', { class: 'actions' }, more)),
    read: () => items.map((i) => ({ label: i.name.value.trim(), changes: jsonOrText(i.text.value.trim() || '{}') })),
    mark(message) {
      error.textContent = message;
      error.hidden = false;
      for (const i of items) i.text.setAttribute('aria-invalid', 'true');
      if (items[0]) items[0].text.setAttribute('aria-describedby', `${items[0].text.getAttribute('aria-describedby') || ''} ${error.id}`.trim());
    },
    clear() {
      error.hidden = true;
      for (const i of items) i.text.removeAttribute('aria-invalid');
    },
    focus() { if (items[0]) items[0].text.focus(); },
  };
}

/** Which of `fields` an API message names (by option key). */
function fieldsNamed(message, fields) {
  const text = String(message || '');
  const named = fields.filter((f) => new RegExp(`(^|[^a-z_])${f.option.key}([^a-z_]|$)`).test(text));
  if (named.length) return named;
  // A value of the wrong type: serde quotes the value typed.
  const quoted = /invalid (type|value): [a-z ]*"([^"]*)"/.exec(text);
  if (quoted) return fields.filter((f) => f.option.type !== 'check' && f.control.value.trim() === quoted[2]);
  return [];
}

/** The coordinator's form to start a run of any kind, with its options. */
export async function newRun(main, ctx, id) {
  const info = await get(`/rounds/${seg(id)}`);
  const messages = h('div', { id: 'run-messages' });
  const kindSelect = h('select', { id: 'run-kind' }, KINDS.map((k) => h('option', { value: k.kind }, `${k.title}: ${k.summary}`)));
  const sections = new Map();
  for (const k of KINDS) {
    const solverOptions = k.kind === 'plan' ? SOLVER : [...SOLVER, THREADS];
    const fields = [...k.options.map((o) => optionControl(k.kind, o)), ...solverOptions.map((o) => optionControl(k.kind, o))];
    const variants = k.variants ? variantsEditor() : null;
    const own = fields.filter((f) => f.option.in !== 'options');
    const solver = fields.filter((f) => f.option.in === 'options');
    const box = h('section', { id: `run-options-${k.kind}`, 'aria-labelledby': `run-options-${k.kind}-title`, hidden: k.kind !== 'plan' },
      h('h2', { id: `run-options-${k.kind}-title` }, `${k.title} options`),
      h('p', {}, k.summary),
      variants ? variants.wrap : null,
      own.length ? h('div', { class: 'row align-top' }, own.filter((f) => f.option.type !== 'json').map((f) => f.wrap)) : null,
      own.filter((f) => f.option.type === 'json').map((f) => f.wrap),
      h('fieldset', {}, h('legend', {}, 'Solver options'), h('div', { class: 'row align-top' }, solver.map((f) => f.wrap))));
    sections.set(k.kind, { box, fields, variants });
  }
  kindSelect.addEventListener('change', () => {
    for (const [kind, s] of sections) s.box.hidden = kind !== kindSelect.value;
  });
  const start = h('button', { type: 'submit', class: 'primary', id: 'run-start' }, 'Start the run');
  const form = h('form', { 'aria-labelledby': 'new-run-title', novalidate: true },
    h('h1', { id: 'new-run-title' }, `Start a run of ${info.name}`),
    h('p', {}, h('a', { href: `#/rounds/${id}` }, 'Back to the round'),
      ' · The run freezes the round’s reference part, contributions and signed contracts as they are now.'),
    messages,
    field('Kind of run', kindSelect, 'Analysis results (compare, risk, simulate, recommend) are yours alone; members see plan runs.'),
    [...sections.values()].map((s) => s.box),
    h('div', { class: 'actions' }, start, h('a', { href: `#/rounds/${id}` }, 'Cancel')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(messages);
    const kind = kindSelect.value;
    const { fields, variants } = sections.get(kind);
    for (const f of fields) f.clear();
    if (variants) variants.clear();
    const body = { kind };
    const options = {};
    for (const f of fields) {
      const value = f.read();
      if (value === undefined) continue;
      if (f.option.in === 'options') options[f.option.key] = value;
      else body[f.option.key] = value;
    }
    if (Object.keys(options).length) body.options = options;
    if (variants) body.variants = variants.read();
    start.disabled = true;
    try {
      const created = (await request('POST', `/rounds/${seg(id)}/runs`, { json: body })).data;
      location.hash = `#/runs/${created.id}`;
    } catch (error) {
      start.disabled = false;
      const named = fieldsNamed(error.message, fields);
      if (named.length) {
        for (const f of named) f.mark(error.message);
        messages.append(notice('bad', h('p', {}, `The run was not started: ${error.message}`),
          h('button', { type: 'button', onclick: () => named[0].control.focus() }, 'Go to the field')));
        named[0].control.focus();
      } else if (variants && (error.code === 'invalid_scenario' || /variant|changes/.test(error.message))) {
        variants.mark(error.message);
        messages.append(problem(error, 'The run was not started'));
        variants.focus();
      } else {
        messages.append(problem(error, 'The run was not started'));
      }
    }
  });
  fill(main, form);
}

// ---- a run ------------------------------------------------------------------

const DONE = ['succeeded', 'failed', 'cancelled'];

/**
 * Follows a run's status: server-sent events (GET /runs/ID/events, signed
 * in by the session cookie); when the stream drops before the run ends, it
 * polls GET /runs/ID instead. Calls onStatus(info, how) for each status.
 * Returns a function that stops following.
 */
function follow(id, onStatus, onError) {
  let stopped = false;
  let source = null;
  const poll = async () => {
    let last = null;
    while (!stopped) {
      try {
        const info = await get(`/runs/${seg(id)}`);
        if (stopped) return;
        const key = `${info.status} ${info.progress}`;
        if (key !== last) onStatus(info, 'polled');
        last = key;
        if (DONE.includes(info.status)) return;
      } catch (error) {
        if (!stopped) onError(error);
        return;
      }
      await new Promise((resolve) => { setTimeout(resolve, 500); });
    }
  };
  let ended = false;
  if (typeof EventSource === 'function') {
    source = new EventSource(`/api/v1/runs/${encodeURIComponent(id)}/events`, { withCredentials: true });
    source.addEventListener('status', (event) => {
      let info;
      try {
        info = JSON.parse(event.data);
      } catch (cause) {
        return;
      }
      onStatus(info, 'event');
      if (DONE.includes(info.status)) {
        ended = true;
        source.close();
      }
    });
    source.addEventListener('error', () => {
      if (ended || stopped) return;
      // The stream dropped before the run ended: poll instead.
      source.close();
      poll();
    });
  } else {
    poll();
  }
  return () => {
    stopped = true;
    if (source) source.close();
  };
}

/** A run: progress while it works, then its result as the caller may see it. */
export async function run(main, ctx, id) {
  let info = await get(`/runs/${seg(id)}`);
  const round = await get(`/rounds/${seg(info.round)}`);
  const coordinating = ctx.session.kind === 'coordinator' && round.coordinator === ctx.session.organisation;
  const messages = h('div');
  const statusLine = h('p', { id: 'run-status', 'aria-live': 'polite' });
  const progressId = uid('progress');
  const progress = h('progress', { max: '1', value: '0', id: 'run-progress', 'aria-labelledby': progressId });
  const progressLabel = h('span', { id: progressId, class: 'visually-hidden' }, 'Progress of the run');
  const events = h('ol', { id: 'run-events', class: 'events' });
  const eventsBox = h('details', { class: 'card' }, h('summary', {}, 'Progress as it came'), events);
  const buttons = h('div', { class: 'actions' });
  const result = h('section', { id: 'run-result', 'aria-label': 'Result' });
  const done = (s) => DONE.includes(s);
  const frame = (title, src) => h('iframe', {
    src, class: 'report', title, id: 'report-frame',
    // Sandboxed: the report's own scripts draw its charts but cannot reach
    // this page, its session or the API.
    sandbox: 'allow-scripts',
  });
  const drawResult = () => {
    if (info.status !== 'succeeded' || result.firstChild) return;
    const src = `/api/v1/runs/${encodeURIComponent(id)}/report`;
    if (info.kind === 'plan') {
      result.append(h('h2', {}, 'The plan as you may see it'),
        h('p', {}, h('a', { href: src, target: '_blank', rel: 'noopener', id: 'report-link' }, 'Open the report on its own page'),
          ' · ', h('a', { href: `/api/v1/runs/${encodeURIComponent(id)}/plan`, download: `plan-${id}.json` }, 'Download the plan (JSON)')),
        frame('Plan report', src));
    } else if (coordinating) {
      const json = h('a', { href: `/api/v1/runs/${encodeURIComponent(id)}/result`, download: `${info.kind}-${id}.json`, id: 'result-link' }, `Download the ${info.kind} result (JSON)`);
      if (info.kind === 'recommend') {
        result.append(h('h2', {}, 'The recommendation'), h('p', {}, 'A recommendation has no chart: its contracts are in the result. ', json));
      } else {
        result.append(h('h2', {}, `The ${info.kind} report`),
          h('p', {}, h('a', { href: src, target: '_blank', rel: 'noopener', id: 'report-link' }, 'Open the report on its own page'), ' · ', json),
          frame(`${info.kind} report`, src));
      }
    }
  };
  const draw = () => {
    fill(statusLine, 'Status: ', badge(info.status), ` · ${Math.round((info.progress || 0) * 100)} %`,
      info.published ? ` · published ${info.published}` : '', info.error ? ` · ${info.error}` : '');
    progress.value = info.progress || 0;
    progress.hidden = done(info.status);
    clear(buttons);
    if (coordinating && !done(info.status)) {
      buttons.append(h('button', {
        type: 'button', class: 'danger', id: 'cancel-run',
        onclick: async () => {
          try {
            await post(`/runs/${seg(id)}/cancel`);
            info = await get(`/runs/${seg(id)}`);
            draw();
            announce('Run cancelled');
          } catch (error) { fill(messages, problem(error, 'Not cancelled')); }
        },
      }, 'Cancel the run'));
    }
    if (coordinating && info.status === 'succeeded' && !info.published) {
      buttons.append(h('button', {
        type: 'button', id: 'publish-run',
        onclick: async () => {
          try {
            await post(`/runs/${seg(id)}/publish`);
            info = await get(`/runs/${seg(id)}`);
            draw();
            announce('Published');
          } catch (error) { fill(messages, problem(error, 'Not published')); }
        },
      }, 'Publish the totals'));
    }
    drawResult();
  };
  fill(main,
    h('h1', {}, `Run ${id.slice(0, 8)} of ${round.name}`),
    h('p', {}, h('a', { href: `#/rounds/${info.round}` }, 'Back to the round'), ` · ${info.kind} run, started ${info.created}`),
    messages, statusLine, progressLabel, progress, buttons, eventsBox, result);
  draw();
  if (done(info.status)) return;
  const stop = follow(id, (next, how) => {
    info = next;
    const time = new Date().toLocaleTimeString();
    events.append(h('li', { 'data-how': how }, `${time}: ${next.status}, ${Math.round((next.progress || 0) * 100)} %${how === 'polled' ? ' (polled)' : ''}`));
    draw();
    if (done(next.status)) announce(`The run ${next.status}`);
  }, (error) => fill(messages, problem(error, 'The run’s status could not be read')));
  ctx.onLeave(stop);
}
