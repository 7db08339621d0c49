// Writes a contribution (the JSON form of a fragment, as the API converts it)
// back as TOML, remembering for each written line which value it holds, so
// that a diagnostic located at a line of the submitted text can be shown at
// the form field that produced it. Only writing: reading TOML is the
// server's job (it converts any stored version to JSON on request).

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

function isTable(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isArrayOfTables(value) {
  return Array.isArray(value) && value.length > 0 && value.every(isTable);
}

/** Whether a table holds arrays of tables (then it needs a [section]). */
function needsSection(table) {
  return Object.values(table).some((v) => isArrayOfTables(v) || (isTable(v) && needsSection(v)));
}

/** A key, quoted when it is not bare. */
export function tomlKey(key) {
  return BARE_KEY.test(key) ? key : JSON.stringify(key);
}

/** A value written inline. Numbers stay numbers; anything typed that is not
 * a number stays the text typed (the server then says what is wrong). */
export function inline(value) {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return JSON.stringify(String(value));
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value === null || value === undefined) return '""';
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  const entries = Object.entries(value);
  if (!entries.length) return '{}';
  return `{ ${entries.map(([k, v]) => `${tomlKey(k)} = ${inline(v)}`).join(', ')} }`;
}

/**
 * The TOML text of a document and, for each line (index = line - 1), the
 * path of the value it holds (['facility', 0, 'line', 1, 'capacity']) or
 * null for blank lines.
 */
export function toToml(doc) {
  const lines = [];
  const paths = [];
  const emit = (text, path) => {
    lines.push(text);
    paths.push(path);
  };
  writeBody(doc, [], '', emit);
  while (lines.length && lines[0] === '') {
    lines.shift();
    paths.shift();
  }
  return { text: `${lines.join('\n')}\n`, paths };
}

function writeBody(table, path, prefix, emit) {
  const sections = [];
  for (const [key, value] of Object.entries(table)) {
    if (isArrayOfTables(value) || (isTable(value) && needsSection(value))) sections.push([key, value]);
    else emit(`${tomlKey(key)} = ${inline(value)}`, [...path, key]);
  }
  for (const [key, value] of sections) {
    const name = prefix ? `${prefix}.${tomlKey(key)}` : tomlKey(key);
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        emit('', null);
        emit(`[[${name}]]`, [...path, key, index]);
        writeBody(item, [...path, key, index], name, emit);
      });
    } else {
      emit('', null);
      emit(`[${name}]`, [...path, key]);
      writeBody(value, [...path, key], name, emit);
    }
  }
}

/** A path as one string key: facility.0.line.1.capacity */
export function pathKey(path) {
  return path.map(String).join('.');
}
