// Small DOM helpers. Every text from the server goes into text nodes (never
// parsed as HTML), so nothing a party typed can run as script.

/** Makes an element: h('button', {class: 'primary', onclick: f}, 'Save'). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'class') el.className = value;
    else if (key === 'value') el.value = value;
    else if (key === 'checked') el.checked = Boolean(value);
    else if (key === 'selected') el.selected = Boolean(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Appends children (nodes, text, arrays, nothing for null/false). */
export function append(el, children) {
  for (const child of [children].flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Removes every child of el. */
export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

let counter = 0;
/** A fresh element id. */
export function uid(prefix = 'f') {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** A labelled control: the label names it for screen readers and clicks. */
export function field(label, control, hint) {
  if (!control.id) control.id = uid();
  let hintEl = null;
  if (hint) {
    hintEl = h('small', { id: `${control.id}-hint` }, hint);
    control.setAttribute('aria-describedby', hintEl.id);
  }
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl);
}

/** A number shown with thousands separators (in the reader's locale). */
export function num(value, digits = 0) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return String(value ?? '');
  return value.toLocaleString(undefined, { maximumFractionDigits: digits });
}

/** A status badge. */
export function badge(status) {
  return h('span', { class: `status ${status}` }, status);
}

/**
 * A table with a caption and, when filterable, a filter box that hides rows
 * whose text does not contain what is typed (like a spreadsheet filter).
 * columns: [{label, value: row => text|node, num: bool}].
 */
export function dataTable({ caption, columns, rows, filterable = true, empty = 'Nothing yet.', id }) {
  const body = h('tbody');
  const trs = rows.map((row) => {
    const tr = h('tr', {}, columns.map((c) => h('td', { class: c.num ? 'num' : null }, c.value(row))));
    body.append(tr);
    return tr;
  });
  const grid = h('table', { id },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label)))),
    body);
  // A wide table scrolls in its own box, so the page never does.
  const table = h('div', { class: 'table-scroll' }, grid);
  if (!rows.length) {
    body.append(h('tr', {}, h('td', { colspan: columns.length }, empty)));
    return table;
  }
  if (!filterable || rows.length < 2) return table;
  const filter = h('input', { type: 'search', class: 'filter', placeholder: 'Type to filter the rows' });
  const count = h('span', { class: 'hint', 'aria-live': 'polite' });
  filter.addEventListener('input', () => {
    const needle = filter.value.trim().toLowerCase();
    let shown = 0;
    for (const tr of trs) {
      const hit = !needle || tr.textContent.toLowerCase().includes(needle);
      tr.hidden = !hit;
      if (hit) shown += 1;
    }
    count.textContent = needle ? `${shown} of ${trs.length} rows` : '';
  });
  return h('div', {}, h('div', { class: 'row' }, field(`Filter: ${caption}`, filter), count), table);
}

/** A notice box; kind is '', 'good' or 'bad'. Bad notices are alerts. */
export function notice(kind, ...children) {
  return h('div', { class: `notice ${kind}`, role: kind === 'bad' ? 'alert' : 'status' }, children);
}

/** Says something to screen-reader users without moving focus. */
export function announce(text) {
  const el = document.getElementById('announce');
  if (el) el.textContent = text;
}

/** Replaces el's children (nodes, text, arrays; nothing for null/false). */
export function fill(el, ...children) {
  return append(clear(el), children);
}
