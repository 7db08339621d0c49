// The contribution editor: the caller's own part of a round as a form (one
// group of fields per facility, line, expansion, demand, policy...), the
// TOML it amounts to beside it, the API's diagnostics at the fields they are
// about, and the version history with its differences. The form knows no
// rule of the model: it writes what was typed and shows what the API says.

import { h, append, clear, fill, field, uid, notice, announce, dataTable } from './dom.js';
import { request, get, seg } from './api.js';
import { toToml, pathKey } from './toml.js';

/** Plain-language labels of the model's field names. */
const LABELS = {
  facility: 'Facility', line: 'Production line', expansion: 'Expansion option', demand: 'Demand',
  policy: 'Policy', route: 'Route', contract: 'Contract', stock: 'Initial stock',
  id: 'Identifier', name: 'Name', actor: 'Territory (actor)', holding_cost: 'Holding cost per unit per period',
  capacity: 'Capacity (capacity units per period)', products: 'Products made on this line',
  rate: 'Capacity units per unit', cost: 'Cost per unit', lead_time: 'Lead time (periods)',
  capex: 'One-off cost of deciding it', earliest: 'Earliest decision period', latest: 'Latest decision period',
  integer: 'Taken whole or not at all', buyer: 'Buyer (receives and pays)', end_user: 'End user',
  product: 'Product', quantity: 'Quantity (units per period)', penalty: 'Penalty per unit short per period',
  price: 'Price per unit', scope: 'Applies to', deny_export: 'Deny exports to', deny_end_use: 'Deny end use by',
};
/** Fields holding a schedule (one number, or a value from each period on). */
const SCHEDULES = new Set(['capacity', 'quantity']);
/** What a new entry of each list starts as. */
const TEMPLATES = {
  facility: (ctx) => ({ id: '', name: '', actor: ctx.actor || '', line: [] }),
  line: () => ({ id: '', capacity: 0, products: {} }),
  expansion: () => ({ id: '', line: '', capacity: 0, lead_time: 0, capex: 0 }),
  demand: (ctx) => ({ id: '', buyer: ctx.actor || '', product: '', quantity: 0, penalty: 0 }),
};

/** Headings of the lists. */
const PLURALS = {
  facility: 'Facilities', line: 'Production lines', expansion: 'Expansion options', demand: 'Demands',
  policy: 'Policies', route: 'Routes', contract: 'Contracts',
};
const label = (key) => LABELS[key] || key.replace(/_/g, ' ');
const plural = (key) => PLURALS[key] || `${label(key)} (list)`;
const isTable = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A typed number stays a number; anything else stays the text typed. */
function parseTyped(text, wasNumber) {
  const trimmed = text.trim();
  if (wasNumber && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) return Number(trimmed);
  return wasNumber ? trimmed : text;
}

/** The period labels of a reference part's horizon (for suggestions). */
function periodLabels(reference) {
  const scenario = (reference && reference.scenario) || {};
  const start = String(scenario.start || '');
  const count = Number(scenario.periods) || 0;
  const out = [];
  let m = /^(\d{4})-(\d{2})$/.exec(start);
  if (m) {
    let [y, mo] = [Number(m[1]), Number(m[2])];
    for (let i = 0; i < count; i += 1) {
      out.push(`${y}-${String(mo).padStart(2, '0')}`);
      mo += 1;
      if (mo > 12) { mo = 1; y += 1; }
    }
    return out;
  }
  m = /^(\d{4})-Q([1-4])$/.exec(start);
  if (m) {
    let [y, q] = [Number(m[1]), Number(m[2])];
    for (let i = 0; i < count; i += 1) {
      out.push(`${y}-Q${q}`);
      q += 1;
      if (q > 4) { q = 1; y += 1; }
    }
    return out;
  }
  m = /^(\d{4})$/.exec(start);
  if (m) for (let i = 0; i < count; i += 1) out.push(String(Number(m[1]) + i));
  return out;
}

function describeDocument(document) {
  if (!document) return '';
  if (document.kind === 'contribution') return `the contribution of ${document.organisation}`;
  if (document.kind === 'contract') return `contract ${document.id}`;
  if (document.kind === 'reference') return 'the round’s reference part';
  return 'the round as a whole';
}

/** Opens the editor of `org`'s contribution to `round` in `main`. */
export async function contributionEditor(main, { round, org, me }) {
  const base = `/rounds/${seg(round)}/contributions/${seg(org)}`;
  const [info, reference] = await Promise.all([
    get(`/rounds/${seg(round)}`),
    get(`/rounds/${seg(round)}/reference`, { accept: 'application/json' }),
  ]);
  const member = info.members.find((m) => m.organisation === org) || {};
  const ctx = { actor: member.actor || (member.buys_for || [])[0] || '' };
  let serverDoc = {};
  let version = null;
  try {
    const answer = await request('GET', base, { accept: 'application/json' });
    serverDoc = answer.data || {};
    version = answer.version;
  } catch (error) {
    if (error.status !== 404) throw error;
  }

  const draftKey = `caisson-draft:${round}:${org}`;
  const state = {
    doc: structuredClone(serverDoc),
    fields: new Map(),
    paths: [],
    textMode: false,
  };
  let restored = false;
  const draft = sessionStorage.getItem(draftKey);
  if (draft && draft !== JSON.stringify(serverDoc)) {
    try {
      state.doc = JSON.parse(draft);
      restored = true;
    } catch (cause) {
      sessionStorage.removeItem(draftKey);
    }
  }

  const labels = periodLabels(reference);
  const periodList = h('datalist', { id: uid('periods') }, labels.map((l) => h('option', { value: l })));
  const productList = h('datalist', { id: uid('products') },
    (reference.product || []).map((p) => h('option', { value: p.id }, p.name || p.id)));
  const actorList = h('datalist', { id: uid('actors') },
    (reference.actor || []).map((a) => h('option', { value: a.id }, a.name || a.id)));
  const suggestions = { product: productList.id, buyer: actorList.id, end_user: actorList.id, actor: actorList.id, scope: actorList.id };

  const messages = h('div', { id: 'editor-messages' });
  const formRoot = h('fieldset', { class: 'plain', id: 'contribution-form' });
  formRoot.style.border = '0';
  formRoot.style.padding = '0';
  const toml = h('textarea', { id: 'toml-view', class: 'toml', readonly: true, spellcheck: 'false', 'aria-describedby': 'toml-hint' });
  const tomlHint = h('small', { id: 'toml-hint' }, 'What Save sends. Comments of earlier versions are not kept when saving from the form.');
  const versionsBox = h('section', { 'aria-labelledby': 'versions-title' });
  const saveButton = h('button', { class: 'primary', type: 'button', id: 'save' }, 'Save contribution');
  const editText = h('button', { type: 'button', id: 'edit-text' }, 'Edit the text');
  const saveText = h('button', { type: 'button', id: 'save-text', hidden: true, class: 'primary' }, 'Save the text');
  const backToForm = h('button', { type: 'button', id: 'back-to-form', hidden: true }, 'Back to the form');

  const persist = () => {
    sessionStorage.setItem(draftKey, JSON.stringify(state.doc));
  };
  const refreshToml = () => {
    if (state.textMode) return;
    const written = toToml(state.doc);
    toml.value = written.text;
    state.paths = written.paths;
  };
  const changed = () => {
    refreshToml();
    persist();
    scheduleCheck();
  };

  // ---- live validation ---------------------------------------------------
  // Once typing pauses, the API checks what the form amounts to (POST
  // .../check: the answer a save would get, nothing stored), so problems
  // show at their fields before Save. Only the newest check is shown, and a
  // save cancels a pending one. A check that fails for another reason
  // (network, rights) stays quiet: Save tells those.
  let checkTimer = null;
  let checkSeq = 0;
  function scheduleCheck() {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(liveCheck, 700);
  }
  function cancelCheck() {
    clearTimeout(checkTimer);
    checkSeq += 1;
  }
  async function liveCheck() {
    if (state.textMode) return;
    checkSeq += 1;
    const seq = checkSeq;
    const written = toToml(state.doc);
    try {
      await request('POST', `${base}/check`, { toml: written.text });
      if (seq !== checkSeq) return;
      clearErrors();
      fill(messages, notice('', h('span', { id: 'checked' },
        'Checked as you type: the API would accept this. Save to store it.')));
    } catch (error) {
      if (seq !== checkSeq) return;
      if (error.code === 'invalid_scenario' && error.diagnostics && error.diagnostics.length) {
        showDiagnostics(error.diagnostics, written.paths, false, true);
      }
    }
  }

  function clearErrors() {
    for (const el of main.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
    for (const el of main.querySelectorAll('.invalid-group')) el.classList.remove('invalid-group');
    for (const el of main.querySelectorAll('.field-error')) {
      const owner = el.dataset.for && document.getElementById(el.dataset.for);
      if (owner) {
        const ids = (owner.getAttribute('aria-describedby') || '').split(' ').filter((i) => i && i !== el.id);
        if (ids.length) owner.setAttribute('aria-describedby', ids.join(' '));
        else owner.removeAttribute('aria-describedby');
      }
      el.remove();
    }
  }

  /** The registered element of the longest prefix of a path. */
  function elementAt(path) {
    for (let n = path.length; n >= 0; n -= 1) {
      const el = state.fields.get(pathKey(path.slice(0, n)));
      if (el) return el;
    }
    return null;
  }

  /** Where a diagnostic belongs: its line's value, else its entity's group. */
  function locate(diagnostic, paths) {
    const own = diagnostic.document && diagnostic.document.kind === 'contribution'
      && diagnostic.document.organisation === org;
    if (own && diagnostic.line && paths[diagnostic.line - 1]) return elementAt(paths[diagnostic.line - 1]);
    if (own && diagnostic.line) {
      // A blank line: the entry that follows it.
      for (let l = diagnostic.line; l < paths.length; l += 1) if (paths[l]) return elementAt(paths[l]);
    }
    if (diagnostic.entity) {
      // `facility "org:krusik" line "mortar"`: walk the names down the form.
      const parts = [...diagnostic.entity.matchAll(/(\w+) "([^"]*)"/g)];
      let path = [];
      let node = state.doc;
      for (const [, kind, qualified] of parts) {
        const id = qualified.includes(':') ? qualified.slice(qualified.lastIndexOf(':') + 1) : qualified;
        const list = node && node[kind];
        if (!Array.isArray(list)) break;
        const index = list.findIndex((item) => item && (item.id === id || item.id === qualified));
        if (index < 0) break;
        path = [...path, kind, index];
        node = list[index];
      }
      if (path.length) return elementAt(path);
    }
    return null;
  }

  function markAt(el, text) {
    const error = h('p', { class: 'field-error', id: uid('err'), 'data-for': el.id || '' }, text);
    if (el.tagName === 'FIELDSET') {
      el.classList.add('invalid-group');
      const legend = el.querySelector(':scope > legend');
      if (legend) legend.after(error); else el.prepend(error);
    } else {
      el.setAttribute('aria-invalid', 'true');
      el.setAttribute('aria-describedby', `${el.getAttribute('aria-describedby') || ''} ${error.id}`.trim());
      (el.closest('.field, td') || el).append(error);
    }
  }

  /** Shows the API's diagnostics at their fields; a live check's (`live`)
   *  says nothing was saved yet and leaves the focus where the user types. */
  function showDiagnostics(diagnostics, paths, fromText, live = false) {
    clearErrors();
    const errors = diagnostics.filter((d) => d.severity !== 'warning');
    const items = [];
    let first = null;
    for (const d of diagnostics) {
      const where = [];
      if (d.line) where.push(`line ${d.line}`);
      if (d.entity) where.push(d.entity);
      const own = d.document && d.document.kind === 'contribution' && d.document.organisation === org;
      if (!own && d.document) where.push(`in ${describeDocument(d.document)}`);
      const text = `${d.severity === 'warning' ? 'Warning: ' : ''}${d.message}${d.hint ? `. ${d.hint}` : ''}`;
      const target = fromText ? null : locate(d, paths);
      if (target) {
        markAt(target, text);
        if (!first && d.severity !== 'warning') first = target;
      }
      const go = target ? h('button', { type: 'button', class: 'link', onclick: () => focusOn(target) }, 'Go to the field') : null;
      items.push(h('li', {}, text, where.length ? ` (${where.join(', ')}) ` : ' ', go));
    }
    if (fromText) toml.setAttribute('aria-invalid', 'true');
    fill(messages, notice(errors.length ? 'bad' : '',
      h('p', {}, live
        ? `Checked as you type: the API finds ${errors.length} problem${errors.length === 1 ? '' : 's'}. Nothing is saved yet.`
        : errors.length
          ? `Not saved: the API found ${errors.length} problem${errors.length === 1 ? '' : 's'}. What you typed is kept; correct it and save again.`
          : 'Saved, with warnings:'),
      h('ul', { id: 'diagnostics' }, items)));
    if (live) return;
    if (first) focusOn(first);
    else if (fromText && diagnostics[0] && diagnostics[0].line) selectLine(diagnostics[0].line);
  }

  function focusOn(el) {
    const target = el.tagName === 'FIELDSET' ? (el.querySelector('input, select, textarea, button') || el) : el;
    target.scrollIntoView({ block: 'center' });
    target.focus();
  }

  function selectLine(line) {
    const lines = toml.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((a, l) => a + l.length + 1, 0);
    toml.focus();
    toml.setSelectionRange(start, start + (lines[line - 1] || '').length);
  }

  // ---- the form ---------------------------------------------------------

  function register(path, el) {
    state.fields.set(pathKey(path), el);
  }

  function textInput(holder, key, path) {
    const value = holder[key];
    const wasNumber = typeof value === 'number';
    const input = h('input', {
      type: 'text',
      value: value === undefined || value === null ? '' : String(value),
      inputmode: wasNumber ? 'decimal' : null,
      list: suggestions[key] || null,
      autocomplete: 'off',
      'data-path': pathKey(path),
    });
    input.addEventListener('input', () => {
      holder[key] = parseTyped(input.value, wasNumber || typeof holder[key] === 'number');
      changed();
    });
    register(path, input);
    return input;
  }

  function scalarField(holder, key, path) {
    const value = holder[key];
    if (typeof value === 'boolean') {
      const box = h('input', { type: 'checkbox', checked: value, 'data-path': pathKey(path) });
      box.addEventListener('change', () => { holder[key] = box.checked; changed(); });
      register(path, box);
      box.id = uid();
      return h('div', { class: 'field' }, h('label', { for: box.id }, box, ' ', label(key)));
    }
    if (Array.isArray(value)) {
      const input = h('input', { type: 'text', value: value.join(', '), 'data-path': pathKey(path) });
      input.addEventListener('input', () => {
        holder[key] = input.value.split(',').map((s) => s.trim()).filter(Boolean);
        changed();
      });
      register(path, input);
      return field(label(key), input, 'Separate several with commas.');
    }
    return field(label(key), textInput(holder, key, path));
  }

  /** A schedule: one number for every period, or steps by period. */
  function scheduleField(holder, key, path) {
    const box = h('fieldset', { class: 'schedule', id: uid('schedule') });
    register(path, box);
    const draw = () => {
      clear(box);
      const value = holder[key];
      const stepped = isTable(value);
      const name = uid('mode');
      const same = h('input', { type: 'radio', name, checked: !stepped, id: uid() });
      const steps = h('input', { type: 'radio', name, checked: stepped, id: uid() });
      same.addEventListener('change', () => {
        const first = Object.values(holder[key] || {})[0];
        holder[key] = typeof first === 'number' ? first : 0;
        changed();
        draw();
      });
      steps.addEventListener('change', () => {
        holder[key] = { [labels[0] || '']: typeof holder[key] === 'number' ? holder[key] : 0 };
        changed();
        draw();
      });
      box.append(h('legend', {}, label(key)),
        h('div', { class: 'row' },
          h('label', { for: same.id }, same, ' Same in every period'),
          h('label', { for: steps.id }, steps, ' Changes by period')));
      if (!stepped) {
        const input = textInput(holder, key, path);
        box.append(field(`${label(key)}, every period`, input));
        return;
      }
      const rows = h('tbody');
      for (const period of Object.keys(value)) rows.append(stepRow(holder, key, path, period, draw));
      box.append(h('table', { class: 'kv' },
        h('caption', { class: 'visually-hidden' }, `${label(key)} by period`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'From period'), h('th', { scope: 'col' }, 'Value'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Remove')))),
        rows),
      h('button', {
        type: 'button',
        onclick: () => {
          const used = Object.keys(holder[key]);
          const next = labels.find((l) => !used.includes(l)) || `period-${used.length + 1}`;
          holder[key][next] = 0;
          changed();
          draw();
        },
      }, 'Add a step'));
    };
    draw();
    return box;
  }

  function stepRow(holder, key, path, period, redraw) {
    let current = period;
    const periodInput = h('input', { type: 'text', value: period, list: periodList.id, 'aria-label': 'From period' });
    const valueInput = textInput(holder[key], period, [...path, period]);
    valueInput.setAttribute('aria-label', `Value from ${period}`);
    periodInput.addEventListener('change', () => {
      const renamed = {};
      for (const [k, v] of Object.entries(holder[key])) renamed[k === current ? periodInput.value : k] = v;
      holder[key] = renamed;
      current = periodInput.value;
      changed();
      redraw();
    });
    const remove = h('button', {
      type: 'button',
      class: 'danger',
      onclick: () => { delete holder[key][current]; changed(); redraw(); },
    }, `Remove ${period}`);
    return h('tr', {}, h('td', {}, periodInput), h('td', {}, valueInput), h('td', {}, remove));
  }

  /** A table of named values (stock), or of named records (products). */
  function tableField(holder, key, path) {
    const box = h('fieldset', { id: uid('table') });
    register(path, box);
    const draw = () => {
      clear(box);
      const value = holder[key];
      const nested = Object.values(value).some(isTable);
      const columns = nested
        ? [...new Set(Object.values(value).flatMap((v) => (isTable(v) ? Object.keys(v) : [])))]
        : ['value'];
      const rows = h('tbody');
      for (const name of Object.keys(value)) {
        let current = name;
        const nameInput = h('input', { type: 'text', value: name, 'aria-label': `${label(key)}: name`, list: productList.id });
        nameInput.addEventListener('change', () => {
          const renamed = {};
          for (const [k, v] of Object.entries(holder[key])) renamed[k === current ? nameInput.value : k] = v;
          holder[key] = renamed;
          current = nameInput.value;
          changed();
          draw();
        });
        const cells = columns.map((column) => {
          const input = nested
            ? textInput(value[name], column, [...path, name, column])
            : textInput(value, name, [...path, name]);
          input.setAttribute('aria-label', `${name}: ${nested ? label(column) : label(key)}`);
          return h('td', {}, input);
        });
        const remove = h('button', {
          type: 'button', class: 'danger',
          onclick: () => { delete holder[key][current]; changed(); draw(); },
        }, `Remove ${name}`);
        rows.append(h('tr', {}, h('td', {}, nameInput), cells, h('td', {}, remove)));
      }
      box.append(h('legend', {}, label(key)), h('table', { class: 'kv' },
        h('caption', { class: 'visually-hidden' }, label(key)),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'),
          columns.map((c) => h('th', { scope: 'col' }, nested ? label(c) : 'Value')),
          h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Remove')))),
        rows),
      h('button', {
        type: 'button',
        onclick: () => {
          let name = 'new';
          for (let i = 2; name in holder[key]; i += 1) name = `new-${i}`;
          holder[key][name] = nested ? Object.fromEntries(columns.map((c) => [c, 0])) : 0;
          changed();
          draw();
        },
      }, `Add to ${label(key).toLowerCase()}`));
    };
    draw();
    return box;
  }

  /** A list of records: one group of fields each, with add and remove. */
  function listSection(holder, key, path, depth) {
    const section = h(depth === 0 ? 'section' : 'div', { class: 'list' });
    const list = holder[key];
    const heading = depth === 0 ? h('h2', {}, plural(key)) : h('h3', {}, plural(key));
    section.append(heading);
    list.forEach((item, index) => {
      const itemPath = [...path, key, index];
      const box = h('fieldset', { id: uid(key), 'data-path': pathKey(itemPath) });
      register(itemPath, box);
      const title = `${label(key)} ${item.id || `#${index + 1}`}${item.name ? `: ${item.name}` : ''}`;
      box.append(h('legend', {}, title));
      recordFields(item, itemPath, box, depth + 1);
      box.append(h('div', { class: 'actions' }, h('button', {
        type: 'button',
        class: 'danger',
        onclick: () => {
          list.splice(index, 1);
          changed();
          drawForm();
        },
      }, `Remove ${label(key).toLowerCase()} ${item.id || index + 1}`)));
      section.append(box);
    });
    if (TEMPLATES[key]) {
      section.append(h('button', {
        type: 'button',
        onclick: () => {
          list.push(TEMPLATES[key](ctx));
          changed();
          drawForm();
        },
      }, `Add a ${label(key).toLowerCase()}`));
    }
    return section;
  }

  function recordFields(record, path, into, depth) {
    const simple = h('div', { class: 'row' });
    const later = [];
    for (const key of Object.keys(record)) {
      const value = record[key];
      const keyPath = [...path, key];
      if (SCHEDULES.has(key) && (typeof value !== 'object' || isTable(value))) later.push(scheduleField(record, key, keyPath));
      else if (Array.isArray(value) && (value.length ? value.every(isTable) : Boolean(TEMPLATES[key]))) later.push(listSection(record, key, path, depth));
      else if (isTable(value) && Object.values(value).every((v) => !isTable(v) || Object.values(v).every((w) => !isTable(w)))) later.push(tableField(record, key, keyPath));
      else if (isTable(value)) later.push(nestedTable(record, key, keyPath, depth));
      else simple.append(scalarField(record, key, keyPath));
    }
    append(into, [simple, later]);
  }

  function nestedTable(record, key, path, depth) {
    const box = h('fieldset', { id: uid(key) });
    register(path, box);
    box.append(h('legend', {}, label(key)));
    recordFields(record[key], path, box, depth + 1);
    return box;
  }

  function drawForm() {
    state.fields.clear();
    clear(formRoot);
    const doc = state.doc;
    // The lists an organisation of this kind usually declares, even empty.
    const kinds = member.kind === 'producer' ? ['facility'] : ['demand'];
    for (const key of kinds) if (!(key in doc)) doc[key] = [];
    const top = h('div');
    recordFields(doc, [], top, 0);
    formRoot.append(top);
    refreshToml();
  }

  // ---- saving ------------------------------------------------------------

  async function submit(text, paths, fromText) {
    cancelCheck();
    saveButton.disabled = true;
    saveText.disabled = true;
    fill(messages, notice('', 'Saving…'));
    try {
      const answer = await request('PUT', base, { toml: text });
      version = answer.data.version;
      clearErrors();
      toml.removeAttribute('aria-invalid');
      sessionStorage.removeItem(draftKey);
      if (fromText) {
        state.doc = (await request('GET', base, { accept: 'application/json' })).data || {};
        leaveTextMode();
      }
      serverDoc = structuredClone(state.doc);
      drawDownload();
      fill(messages, notice('good', h('span', { id: 'saved' }, `Saved as version ${version}.`)));
      announce(`Saved as version ${version}`);
      await drawVersions();
    } catch (error) {
      if (error.code === 'invalid_scenario' && error.diagnostics.length) {
        showDiagnostics(error.diagnostics, paths, fromText);
      } else {
        fill(messages, notice('bad', `Not saved: ${error.message}`,
          error.status === 0 ? '' : ' What you typed is kept.'));
      }
    } finally {
      saveButton.disabled = false;
      saveText.disabled = false;
    }
  }

  saveButton.addEventListener('click', () => {
    const written = toToml(state.doc);
    toml.value = written.text;
    state.paths = written.paths;
    submit(written.text, written.paths, false);
  });
  editText.addEventListener('click', () => {
    state.textMode = true;
    toml.readOnly = false;
    formRoot.disabled = true;
    editText.hidden = true;
    saveButton.hidden = true;
    saveText.hidden = false;
    backToForm.hidden = false;
    toml.focus();
  });
  function leaveTextMode() {
    state.textMode = false;
    toml.readOnly = true;
    formRoot.disabled = false;
    editText.hidden = false;
    saveButton.hidden = false;
    saveText.hidden = true;
    backToForm.hidden = true;
    drawForm();
  }
  backToForm.addEventListener('click', () => {
    clearErrors();
    toml.removeAttribute('aria-invalid');
    leaveTextMode();
  });
  saveText.addEventListener('click', () => submit(toml.value, [], true));

  // ---- versions ----------------------------------------------------------

  async function drawVersions() {
    fill(versionsBox, h('h2', { id: 'versions-title' }, 'Version history'));
    let versions = [];
    try {
      versions = await get(`${base}/versions`);
    } catch (error) {
      if (error.status !== 404) throw error;
    }
    const diffBox = h('div', { id: 'diff' });
    const showDiff = async (v) => {
      const diff = await get(`${base}/diff?from=${v - 1}&to=${v}`);
      const pre = h('pre', { class: 'diff', tabindex: '0', 'aria-label': `Changes from version ${v - 1} to ${v}` });
      for (const line of diff.diff.split('\n')) {
        const kind = line.startsWith('+') && !line.startsWith('+++') ? 'add'
          : line.startsWith('-') && !line.startsWith('---') ? 'del' : null;
        pre.append(h('span', { class: kind }, `${line}\n`));
      }
      fill(diffBox, h('h3', {}, `Changes from version ${v - 1} to version ${v}`), pre);
    };
    const load = async (v) => {
      state.doc = (await request('GET', `${base}/versions/${v}`, { accept: 'application/json' })).data || {};
      persist();
      drawForm();
      fill(messages, notice('', `Version ${v} is in the form. Save to make it the latest version.`));
    };
    versionsBox.append(dataTable({
      caption: 'Versions of this contribution, oldest first',
      id: 'versions',
      columns: [
        { label: 'Version', value: (v) => String(v.version), num: true },
        { label: 'Saved', value: (v) => v.time },
        { label: 'By', value: (v) => v.user },
        {
          label: 'Actions',
          value: (v) => h('span', { class: 'actions' },
            v.version > 1 ? h('button', { type: 'button', onclick: () => showDiff(v.version) }, `Changes in version ${v.version}`) : null,
            h('button', { type: 'button', onclick: () => load(v.version) }, `Put version ${v.version} in the form`)),
        },
      ],
      rows: versions,
      empty: 'Nothing saved yet.',
    }), diffBox);
  }

  // ---- spreadsheet -------------------------------------------------------
  // The contribution as an xlsx workbook (the layout of `caisson-sheets`:
  // a sheet per part, the round's periods as columns), downloaded, edited
  // in any spreadsheet program and uploaded again. An upload is a save: the
  // API checks it as the form's TOML and answers problems by sheet, row
  // and column; a refused upload changes nothing here (the form keeps
  // what is typed in it).

  const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const sheetBox = h('section', { 'aria-labelledby': 'sheet-title', id: 'spreadsheet', class: 'card' });
  const sheetMessages = h('div', { id: 'upload-messages' });
  const fileInput = h('input', { type: 'file', id: 'upload-file', accept: `.xlsx,.xls,.ods,${XLSX}` });
  const uploadButton = h('button', { type: 'button', id: 'upload' }, 'Upload the spreadsheet');
  const download = h('a', { class: 'button', id: 'download-workbook', download: `${org}-contribution.xlsx` }, 'Download as spreadsheet');
  const drawDownload = () => {
    download.hidden = !version;
    download.href = `/api/v1${base}/workbook`;
  };
  function place(d) {
    if (d.place) return d.place;
    if (d.sheet) return `sheet "${d.sheet}"${d.row ? `, row ${d.row}` : ''}${d.column ? `, column ${d.column}` : ''}`;
    return describeDocument(d.document) || '';
  }
  uploadButton.addEventListener('click', async () => {
    const file = fileInput.files && fileInput.files[0];
    if (!file) {
      fill(sheetMessages, notice('bad', 'Choose a spreadsheet file first.'));
      fileInput.focus();
      return;
    }
    uploadButton.disabled = true;
    fill(sheetMessages, notice('', 'Uploading…'));
    try {
      const answer = await request('PUT', `${base}/workbook`, { bytes: { body: file, type: file.type || XLSX } });
      version = answer.data.version;
      state.doc = (await request('GET', base, { accept: 'application/json' })).data || {};
      serverDoc = structuredClone(state.doc);
      sessionStorage.removeItem(draftKey);
      clearErrors();
      drawForm();
      drawDownload();
      fill(sheetMessages, notice('good', h('span', { id: 'uploaded' }, `The spreadsheet is saved as version ${version}; the form shows it.`)));
      announce(`Spreadsheet saved as version ${version}`);
      await drawVersions();
    } catch (error) {
      const items = (error.diagnostics || []).map((d) => h('li', {},
        h('strong', { class: 'place' }, place(d)), place(d) ? ': ' : '',
        `${d.message}${d.hint ? `. ${d.hint}` : ''}`));
      fill(sheetMessages, notice('bad',
        h('p', {}, `The spreadsheet was not saved: ${error.message}. Nothing in the form changed.`),
        items.length ? h('ul', { id: 'upload-diagnostics' }, items) : null));
      sheetMessages.querySelector('.notice')?.focus?.();
    } finally {
      uploadButton.disabled = false;
    }
  });
  fill(sheetBox,
    h('h2', { id: 'sheet-title' }, 'As a spreadsheet'),
    h('p', { class: 'hint' }, 'The latest saved version as an xlsx workbook: one sheet per part, the round’s periods as columns. Edit it in any spreadsheet program and upload it: it is checked and saved like the form.'),
    h('div', { class: 'actions' }, download),
    h('div', { class: 'row' }, field('Spreadsheet to upload (xlsx)', fileInput), uploadButton),
    sheetMessages);
  drawDownload();

  // ---- layout ------------------------------------------------------------

  fill(main, 
    h('h1', {}, `Contribution of ${member.name || org}`),
    h('p', {}, h('a', { href: `#/rounds/${round}` }, `Back to round ${info.name}`),
      version ? ` · latest saved version ${version}` : ' · nothing saved yet'),
    restored ? notice('', 'Your unsaved edits from earlier are restored. ',
      h('button', {
        type: 'button',
        onclick: (event) => {
          sessionStorage.removeItem(draftKey);
          state.doc = structuredClone(serverDoc);
          drawForm();
          event.target.closest('.notice').remove();
        },
      }, 'Discard them')) : null,
    messages,
    periodList, productList, actorList,
    h('div', { class: 'editor' },
      h('form', { 'aria-label': 'Contribution form', onsubmit: (e) => e.preventDefault() }, formRoot,
        h('div', { class: 'actions' }, saveButton)),
      h('section', { class: 'source', 'aria-labelledby': 'toml-title' },
        h('h2', { id: 'toml-title' }, 'As TOML'),
        h('label', { for: toml.id, class: 'visually-hidden' }, 'The contribution as TOML'),
        toml, tomlHint,
        h('div', { class: 'actions' }, editText, saveText, backToForm))),
    sheetBox,
    versionsBox);
  drawForm();
  await drawVersions();
}
