//! TOML text into the value tree, built straight from the events of
//! `toml_parser` (the parser under the `toml` crate).
//!
//! This does with those events what `toml::de::DeTable::parse_recoverable`
//! does (which headers, dotted keys and inline tables make which tables,
//! what counts as a duplicate, every error message and span, in the same
//! order), but builds our tree directly instead of `toml`'s tree first: for
//! a large scenario that second tree and its conversion took most of the
//! load time. Keys and strings borrow from the source text unless they
//! contain escapes.

use std::borrow::Cow;
use std::collections::HashMap;

use toml_parser::decoder::ScalarKind;
use toml_parser::lexer::{Token, TokenKind};
use toml_parser::parser::{Event, EventKind, RecursionGuard, ValidateWhitespace};
use toml_parser::{Expected, ParseError, Source};

use super::{Array, Entry, Node, Span, SyntaxError, Table, TomlTable, Value};

/// Nesting limit of arrays, inline tables and dotted keys (the `toml`
/// crate's).
const LIMIT: u32 = 80;

/// Tables with at least this many keys get a hash index of their keys;
/// smaller ones are searched in order, which is faster.
const INDEX_FROM: usize = 16;

/// Documents from this size on are read in chunks (see [`parse_chunked`]).
const CHUNKED_FROM: usize = 1 << 20;

/// About this many tokens are lexed and parsed at a time in chunks.
const CHUNK_TOKENS: usize = 1 << 16;

/// Reads TOML text into the tree; on a syntax error returns every error
/// the parser could recover from.
pub(crate) fn parse_toml(text: &str) -> Result<Node<'_>, Vec<SyntaxError>> {
    if text.len() >= CHUNKED_FROM {
        if let Some(root) = parse_chunked(text, CHUNK_TOKENS) {
            return Ok(root);
        }
    }
    parse_whole(text)
}

/// Lexes and parses the whole text at once, then builds the tree: the
/// steps of `toml::de::DeTable::parse_recoverable`.
fn parse_whole(text: &str) -> Result<Node<'_>, Vec<SyntaxError>> {
    let source = Source::new(text);
    let mut walk = Walk::new(source);
    {
        let tokens = source.lex().into_vec();
        walk.events.reserve(tokens.len());
        let mut whitespace = ValidateWhitespace::new(&mut walk.events, source);
        let mut receiver = RecursionGuard::new(&mut whitespace, LIMIT);
        toml_parser::parser::parse_document(&tokens, &mut receiver, &mut walk.errors);
    }
    let mut state = State::new(&mut walk.keys);
    walk.document(&mut state);
    let root = walk.finish(state);
    if walk.errors.is_empty() {
        Ok(root)
    } else {
        Err(walk.errors.iter().map(syntax_error).collect())
    }
}

/// Reads a valid document a chunk at a time, so that the tokens and events
/// of only one chunk exist at once (for a 10 MB file the whole vectors
/// take some 200 MB, and writing them costs more than parsing).
///
/// A chunk ends before a `[` that starts a line outside any brackets: a
/// table header, where the parser starts afresh (it keeps no state from one
/// expression to the next), so every chunk gives the events the whole text
/// would, and one walk over them builds the same tree. The walk carries on
/// from chunk to chunk. `None` at the first sign of trouble (any error, or
/// the walk stopping early): the caller then reads the whole text at once,
/// so that errors are found and worded exactly as always.
fn parse_chunked(text: &str, chunk_tokens: usize) -> Option<Node<'_>> {
    let source = Source::new(text);
    let mut walk = Walk::new(source);
    let mut state = State::new(&mut walk.keys);
    let mut lexer = source.lex();
    let mut tokens: Vec<Token> = Vec::new();
    let mut next_first: Option<Token> = None;
    // Bracket depth; a negative depth (a stray `]`) is an error anyway and
    // stops the splitting.
    let mut depth: i64 = 0;
    let mut previous = TokenKind::Newline;
    loop {
        tokens.clear();
        tokens.extend(next_first.take());
        for token in lexer.by_ref() {
            let kind = token.kind();
            if kind == TokenKind::LeftSquareBracket
                && depth == 0
                && previous == TokenKind::Newline
                && tokens.len() >= chunk_tokens
            {
                next_first = Some(token);
                depth = 1;
                previous = kind;
                break;
            }
            match kind {
                TokenKind::LeftSquareBracket | TokenKind::LeftCurlyBracket => depth += 1,
                TokenKind::RightSquareBracket | TokenKind::RightCurlyBracket => depth -= 1,
                _ => {}
            }
            if depth < 0 {
                depth = i64::MIN / 2;
            }
            previous = kind;
            tokens.push(token);
        }
        walk.events.clear();
        walk.pos = 0;
        {
            let mut whitespace = ValidateWhitespace::new(&mut walk.events, source);
            let mut receiver = RecursionGuard::new(&mut whitespace, LIMIT);
            toml_parser::parser::parse_document(&tokens, &mut receiver, &mut walk.errors);
        }
        if !walk.errors.is_empty() {
            return None;
        }
        if !walk.document(&mut state) || !walk.errors.is_empty() {
            return None;
        }
        if next_first.is_none() {
            break;
        }
    }
    let root = walk.finish(state);
    walk.errors.is_empty().then_some(root)
}

/// The message `toml::de::Error` gives a parse error.
fn syntax_error(error: &ParseError) -> SyntaxError {
    let mut message = error.description().to_owned();
    if let Some(expected) = error.expected() {
        message.push_str(", expected ");
        if expected.is_empty() {
            message.push_str("nothing");
        }
        for (i, expected) in expected.iter().enumerate() {
            if i != 0 {
                message.push_str(", ");
            }
            match expected {
                Expected::Literal(literal) => message.push_str(&render_literal(literal)),
                Expected::Description(description) => message.push_str(description),
                _ => message.push_str("etc"),
            }
        }
    }
    SyntaxError {
        message: message.trim().to_owned(),
        span: error.unexpected().map(span).unwrap_or_default(),
    }
}

fn render_literal(literal: &str) -> String {
    match literal {
        "\n" => "newline".to_owned(),
        "`" => "'`'".to_owned(),
        s if s.chars().all(|c| c.is_ascii_control()) => format!("`{}`", s.escape_debug()),
        s => format!("`{s}`"),
    }
}

fn span(span: toml_parser::Span) -> Span {
    Span {
        start: span.start(),
        end: span.end(),
    }
}

fn parser_span(span: Span) -> toml_parser::Span {
    toml_parser::Span::new_unchecked(span.start, span.end)
}

fn duplicate_key(key: Span, old: Option<Span>) -> ParseError {
    let error = ParseError::new("duplicate key").with_unexpected(parser_span(key));
    match old {
        Some(old) => error.with_context(parser_span(old)),
        None => error,
    }
}

/// The TOML name of a value's type, for "cannot extend" errors.
fn type_str(value: &Value<'_>) -> &'static str {
    match value {
        Value::String(_) => "string",
        Value::Number { integer: true, .. } => "integer",
        Value::Number { .. } => "float",
        Value::Bool(_) => "boolean",
        Value::Datetime => "datetime",
        Value::Null => "null",
        Value::Array(_) => "array",
        Value::Table(_) => "table",
    }
}

/// TOML floats are Rust floats except for `nan`/`inf` spellings and
/// underscores between digits.
fn parse_toml_float(text: &str) -> f64 {
    let cleaned: Cow<'_, str> = if text.contains('_') {
        Cow::Owned(text.chars().filter(|&c| c != '_').collect())
    } else {
        Cow::Borrowed(text)
    };
    match cleaned.trim_start_matches(['+', '-']) {
        "nan" => f64::NAN,
        "inf" if cleaned.starts_with('-') => f64::NEG_INFINITY,
        "inf" => f64::INFINITY,
        _ => cleaned.parse().unwrap_or(f64::NAN),
    }
}

/// A decoded key with its place.
#[derive(Clone)]
struct Key<'s> {
    name: Cow<'s, str>,
    span: Span,
}

/// A `[table]` or `[[table]]` header.
struct TableHeader<'s> {
    path: Vec<Key<'s>>,
    key: Option<Key<'s>>,
    span: Span,
    is_array: bool,
}

/// Fresh table ids and the key indexes of large tables.
#[derive(Default)]
struct Keys<'s> {
    last_id: u32,
    indexes: HashMap<u32, KeyIndex<'s>>,
}

/// Where each key of a table is; covers its first `indexed` entries.
#[derive(Default)]
struct KeyIndex<'s> {
    positions: HashMap<Cow<'s, str>, usize>,
    indexed: usize,
}

impl<'s> Keys<'s> {
    fn table(&mut self, implicit: bool, dotted: bool, inline: bool) -> Table<'s> {
        self.last_id = self.last_id.wrapping_add(1);
        Table {
            entries: Vec::new(),
            toml: TomlTable {
                id: self.last_id,
                implicit,
                dotted,
                inline,
            },
        }
    }

    /// The position of `key` in `table`.
    fn find(&mut self, table: &Table<'s>, key: &str) -> Option<usize> {
        if table.entries.len() < INDEX_FROM {
            return table.entries.iter().position(|e| e.key == key);
        }
        let index = self.indexes.entry(table.toml.id).or_default();
        // Entries are only ever appended while an index exists (a removal
        // forgets it), so indexing the new ones brings it up to date.
        for (i, entry) in table.entries.iter().enumerate().skip(index.indexed) {
            index.positions.entry(entry.key.clone()).or_insert(i);
        }
        index.indexed = table.entries.len();
        index.positions.get(key).copied()
    }

    /// Drops the index of `table` (after a removal, or when it is done).
    fn forget(&mut self, table: &Table<'s>) {
        if !self.indexes.is_empty() {
            self.indexes.remove(&table.toml.id);
        }
    }
}

/// The document being assembled: the root, and the table of the current
/// header (attached to the root when the next header starts).
struct State<'s> {
    root: Table<'s>,
    current_table: Table<'s>,
    current_header: Option<TableHeader<'s>>,
}

impl<'s> State<'s> {
    fn new(keys: &mut Keys<'s>) -> Self {
        State {
            root: keys.table(false, false, false),
            current_table: keys.table(false, false, false),
            current_header: None,
        }
    }
}

/// A walk over the events of a document (or of its chunks, one after
/// another), with the errors found so far: the parser's, then the walk's.
struct Walk<'s> {
    events: Vec<Event>,
    pos: usize,
    source: Source<'s>,
    errors: Vec<ParseError>,
    keys: Keys<'s>,
}

impl<'s> Walk<'s> {
    fn new(source: Source<'s>) -> Self {
        Walk {
            events: Vec::new(),
            pos: 0,
            source,
            errors: Vec::new(),
            keys: Keys::default(),
        }
    }

    fn next(&mut self) -> Option<Event> {
        let event = self.events.get(self.pos).copied();
        if event.is_some() {
            self.pos += 1;
        }
        event
    }

    fn peek(&self, ahead: usize) -> Option<EventKind> {
        self.events.get(self.pos + ahead).map(Event::kind)
    }

    /// How many entries (key-values, or values of an array when `values`)
    /// the events from here hold at their own level, up to its end: the
    /// room to reserve, so that vectors are not regrown and copied as they
    /// fill (only a hint: wrong after a syntax error, and dotted keys
    /// count once for every part of their path).
    fn count_ahead(&self, values: bool) -> usize {
        let mut depth = 0usize;
        let mut count = 0;
        for event in self.events.iter().skip(self.pos) {
            match event.kind() {
                EventKind::InlineTableOpen | EventKind::ArrayOpen => {
                    if depth == 0 && values {
                        count += 1;
                    }
                    depth += 1;
                }
                EventKind::InlineTableClose | EventKind::ArrayClose => {
                    if depth == 0 {
                        break;
                    }
                    depth -= 1;
                }
                EventKind::Scalar if depth == 0 && values => count += 1,
                EventKind::KeyValSep if depth == 0 && !values => count += 1,
                EventKind::StdTableOpen | EventKind::ArrayTableOpen if depth == 0 => break,
                _ => {}
            }
        }
        count
    }

    fn report(&mut self, error: ParseError) {
        self.errors.push(error);
    }

    // ----- the document --------------------------------------------------

    /// Walks the top level of the events; false if it stopped before
    /// their end (as `toml` does on some errors).
    fn document(&mut self, state: &mut State<'s>) -> bool {
        while let Some(event) = self.next() {
            match event.kind() {
                EventKind::InlineTableOpen
                | EventKind::InlineTableClose
                | EventKind::ArrayOpen
                | EventKind::ArrayClose
                | EventKind::Scalar
                | EventKind::ValueSep
                | EventKind::Error
                | EventKind::KeySep
                | EventKind::KeyValSep
                | EventKind::StdTableClose
                | EventKind::ArrayTableClose => continue,
                EventKind::StdTableOpen | EventKind::ArrayTableOpen => {
                    self.finish_table(state);
                    let header = self.on_table(event);
                    self.start_table(state, header);
                }
                EventKind::SimpleKey => {
                    let (path, key) = self.on_key(event);
                    let Some(key) = key else {
                        return false;
                    };
                    let Some(next) = self.next() else {
                        return false;
                    };
                    let keyval = if next.kind() == EventKind::Whitespace {
                        let Some(next) = self.next() else {
                            return false;
                        };
                        next
                    } else {
                        next
                    };
                    if keyval.kind() != EventKind::KeyValSep {
                        return false;
                    }
                    if self.peek(0) == Some(EventKind::Whitespace) {
                        self.pos += 1;
                    }
                    let value = self.value();
                    self.capture_key_value(state, path, key, value);
                }
                EventKind::Whitespace | EventKind::Comment | EventKind::Newline => {}
            }
        }
        true
    }

    /// Attaches the last table and gives the root.
    fn finish(&mut self, mut state: State<'s>) -> Node<'s> {
        self.finish_table(&mut state);
        Node {
            value: Value::Table(state.root),
            span: Span::default(),
        }
    }

    fn on_table(&mut self, open: Event) -> TableHeader<'s> {
        let is_array = open.kind() == EventKind::ArrayTableOpen;
        let mut path = None;
        let mut key = None;
        let mut header_span = open.span();
        while let Some(event) = self.next() {
            match event.kind() {
                EventKind::ArrayTableClose | EventKind::StdTableClose => {
                    header_span = header_span.append(event.span());
                    break;
                }
                EventKind::SimpleKey => {
                    let (p, k) = self.on_key(event);
                    path = Some(p);
                    key = k;
                }
                _ => continue,
            }
        }
        TableHeader {
            path: path.unwrap_or_default(),
            key,
            span: span(header_span),
            is_array,
        }
    }

    fn capture_key_value(
        &mut self,
        state: &mut State<'s>,
        path: Vec<Key<'s>>,
        key: Key<'s>,
        value: Node<'s>,
    ) {
        let Some(parent) = self.descend_path(&mut state.current_table, &path, true) else {
            return;
        };
        self.insert_key(parent, path.is_empty(), key, value);
    }

    /// Adds `key = value` to `parent`, the table its dotted path (empty
    /// when `undotted`) led to, or reports it as a duplicate.
    fn insert_key(
        &mut self,
        parent: &mut Table<'s>,
        undotted: bool,
        key: Key<'s>,
        value: Node<'s>,
    ) {
        // "Likewise, using dotted keys to redefine tables already defined
        // in [table] form is not allowed."
        if parent.toml.dotted == undotted {
            self.report(duplicate_key(key.span, None));
            return;
        }
        match self.keys.find(parent, &key.name) {
            None => parent.entries.push(Entry {
                key: key.name,
                key_span: key.span,
                node: value,
            }),
            Some(i) => {
                let old = parent.entries.get(i).map(|e| e.key_span);
                self.report(duplicate_key(key.span, old));
            }
        }
    }

    fn finish_table(&mut self, state: &mut State<'s>) {
        let fresh = self.keys.table(false, false, false);
        let table = std::mem::replace(&mut state.current_table, fresh);
        let Some(header) = state.current_header.take() else {
            state.root = table;
            return;
        };
        let Some(key) = &header.key else {
            return;
        };
        let mut table = table;
        // Most tables are small and done: drop the spare room of the vector
        // (a quarter to a half of the tree's memory otherwise).
        table.entries.shrink_to_fit();
        let node = Node {
            value: Value::Table(table),
            span: header.span,
        };
        let Some(parent) = self.descend_path(&mut state.root, &header.path, false) else {
            return;
        };
        let found = self.keys.find(parent, &key.name);
        if header.is_array {
            let i = found.unwrap_or_else(|| {
                parent.entries.push(Entry {
                    key: key.name.clone(),
                    key_span: key.span,
                    node: Node {
                        value: Value::Array(Array {
                            items: Vec::new(),
                            of_tables: true,
                        }),
                        span: header.span,
                    },
                });
                parent.entries.len() - 1
            });
            let Some(entry) = parent.entries.get_mut(i) else {
                return;
            };
            match &mut entry.node.value {
                Value::Array(array) if array.of_tables => array.items.push(node),
                _ => {
                    let old = entry.node.span;
                    self.report(duplicate_key(key.span, Some(old)));
                }
            }
        } else {
            match found.and_then(|i| parent.entries.get_mut(i)) {
                // As a map insert: the value is replaced, the key kept.
                Some(entry) => entry.node = node,
                None => parent.entries.push(Entry {
                    key: key.name.clone(),
                    key_span: key.span,
                    node,
                }),
            }
        }
    }

    fn start_table(&mut self, state: &mut State<'s>, header: TableHeader<'s>) {
        if !header.is_array {
            // Look the table up now so that a duplicate is reported at this
            // header, and keep the children of a table made implicitly.
            let parent = self.descend_path(&mut state.root, &header.path, false);
            if let (Some(parent), Some(key)) = (parent, &header.key) {
                let found = self.keys.find(parent, &key.name);
                if let Some(i) = found.filter(|&i| i < parent.entries.len()) {
                    self.keys.forget(parent);
                    let old = parent.entries.remove(i);
                    match old.node.value {
                        Value::Table(table) if table.toml.implicit && !table.toml.dotted => {
                            state.current_table = table;
                        }
                        // Tables cannot be defined twice, by headers or
                        // dotted keys.
                        value => {
                            self.report(duplicate_key(key.span, Some(old.key_span)));
                            if let Value::Table(table) = value {
                                state.current_table = table;
                            }
                        }
                    }
                }
            }
        }
        state.current_table.toml.implicit = false;
        state.current_table.toml.dotted = false;
        state
            .current_table
            .entries
            .reserve_exact(self.count_ahead(false));
        state.current_header = Some(header);
    }

    /// Reports a dotted key (or header) at `key` that runs into a value of
    /// type `what` (written at `old`, when the message shows it).
    fn cannot_extend(&mut self, what: &str, key: Span, old: Option<Span>) {
        let message = format!("cannot extend value of type {what} with a dotted key");
        let error = ParseError::new(message).with_unexpected(parser_span(key));
        self.report(match old {
            Some(old) => error.with_context(parser_span(old)),
            None => error,
        });
    }

    /// The position of `key` in `table`, adding an implicit table there
    /// when it has none (a step of a header's or a dotted key's path).
    fn find_or_add_table(
        &mut self,
        table: &mut Table<'s>,
        key: &Key<'s>,
        dotted: bool,
        inline: bool,
    ) -> usize {
        if let Some(i) = self.keys.find(table, &key.name) {
            return i;
        }
        let child = self.keys.table(true, dotted, inline);
        table.entries.push(Entry {
            key: key.name.clone(),
            key_span: key.span,
            node: Node {
                value: Value::Table(child),
                span: key.span,
            },
        });
        table.entries.len() - 1
    }

    /// The table at `path` below `table` for a header (`dotted` false) or
    /// a dotted key, creating implicit tables on the way.
    fn descend_path<'t>(
        &mut self,
        mut table: &'t mut Table<'s>,
        path: &[Key<'s>],
        dotted: bool,
    ) -> Option<&'t mut Table<'s>> {
        for key in path {
            let i = self.find_or_add_table(table, key, dotted, false);
            let entry = table.entries.get_mut(i)?;
            let old = entry.node.span;
            table = match &mut entry.node.value {
                Value::Array(array) => {
                    if !array.of_tables {
                        self.cannot_extend("array", key.span, Some(old));
                        return None;
                    }
                    let last = array.items.last_mut()?;
                    match &mut last.value {
                        Value::Table(last) => last,
                        existing => {
                            self.cannot_extend(type_str(existing), key.span, Some(old));
                            return None;
                        }
                    }
                }
                Value::Table(child) => {
                    if child.toml.inline {
                        self.cannot_extend("inline table", key.span, None);
                        return None;
                    }
                    if dotted && !child.toml.implicit {
                        self.report(duplicate_key(key.span, None));
                        return None;
                    }
                    child
                }
                existing => {
                    self.cannot_extend(type_str(existing), key.span, Some(old));
                    return None;
                }
            };
        }
        Some(table)
    }

    // ----- keys ------------------------------------------------------------

    /// A key, simple or dotted: the path before its last part, and the
    /// last part.
    fn on_key(&mut self, first: Event) -> (Vec<Key<'s>>, Option<Key<'s>>) {
        let mut path = Vec::new();
        let mut last = None;
        let mut current = Some(first);
        if self.more_key() {
            while let Some(event) = self.next() {
                match event.kind() {
                    EventKind::SimpleKey => {
                        current = Some(event);
                        if !self.more_key() {
                            break;
                        }
                    }
                    EventKind::KeySep => self.close_key(&mut current, &mut path, &mut last),
                    _ => continue,
                }
            }
        }
        self.close_key(&mut current, &mut path, &mut last);
        if LIMIT as usize <= path.len() {
            self.report(ParseError::new("recursion limit"));
            return (Vec::new(), None);
        }
        (path, last)
    }

    fn more_key(&self) -> bool {
        matches!(
            (self.peek(0), self.peek(1)),
            (Some(EventKind::KeySep), _) | (Some(EventKind::Whitespace), Some(EventKind::KeySep))
        )
    }

    fn close_key(
        &mut self,
        current: &mut Option<Event>,
        path: &mut Vec<Key<'s>>,
        last: &mut Option<Key<'s>>,
    ) {
        let Some(event) = current.take() else {
            return;
        };
        let mut name = Cow::Borrowed("");
        if let Some(raw) = self.source.get(event) {
            raw.decode_key(&mut name, &mut self.errors);
        }
        let key = Key {
            name,
            span: span(event.span()),
        };
        if let Some(previous) = last.replace(key) {
            path.push(previous);
        }
    }

    // ----- values ----------------------------------------------------------

    fn value(&mut self) -> Node<'s> {
        if let Some(event) = self.next() {
            match event.kind() {
                EventKind::InlineTableOpen => return self.on_inline_table(event),
                EventKind::ArrayOpen => return self.on_array(event),
                EventKind::Scalar => return self.on_scalar(event),
                _ => {}
            }
        }
        Node {
            value: Value::Number {
                value: 0.0,
                integer: true,
            },
            span: Span::default(),
        }
    }

    fn on_scalar(&mut self, event: Event) -> Node<'s> {
        let mut decoded = Cow::Borrowed("");
        let kind = match self.source.get(event) {
            Some(raw) => raw.decode_scalar(&mut decoded, &mut self.errors),
            None => ScalarKind::String,
        };
        let value = match kind {
            ScalarKind::String => Value::String(decoded),
            ScalarKind::Boolean(value) => Value::Bool(value),
            ScalarKind::DateTime => {
                if let Err(error) = decoded.parse::<toml::value::Datetime>() {
                    self.report(ParseError::new(error.to_string()).with_unexpected(event.span()));
                }
                Value::Datetime
            }
            ScalarKind::Float => Value::Number {
                value: parse_toml_float(&decoded),
                integer: false,
            },
            // Integers beyond i64 still become a (huge) number so that the
            // range checks, not a crash, deal with them.
            ScalarKind::Integer(radix) => Value::Number {
                value: i128::from_str_radix(&decoded, radix.value())
                    .map(|v| v as f64)
                    .unwrap_or(f64::INFINITY),
                integer: true,
            },
        };
        Node {
            value,
            span: span(event.span()),
        }
    }

    fn on_array(&mut self, open: Event) -> Node<'s> {
        let mut items = Vec::with_capacity(self.count_ahead(true));
        let mut close = open.span();
        let mut current = None;
        while let Some(event) = self.next() {
            close = event.span();
            match event.kind() {
                EventKind::StdTableOpen
                | EventKind::ArrayTableOpen
                | EventKind::InlineTableClose
                | EventKind::SimpleKey
                | EventKind::KeySep
                | EventKind::KeyValSep
                | EventKind::StdTableClose
                | EventKind::ArrayTableClose => break,
                EventKind::Error => continue,
                EventKind::InlineTableOpen => current = Some(self.on_inline_table(event)),
                EventKind::ArrayOpen => current = Some(self.on_array(event)),
                EventKind::Scalar => current = Some(self.on_scalar(event)),
                EventKind::ValueSep => items.extend(current.take()),
                EventKind::Whitespace | EventKind::Comment | EventKind::Newline => {}
                EventKind::ArrayClose => {
                    items.extend(current.take());
                    break;
                }
            }
        }
        items.shrink_to_fit();
        Node {
            value: Value::Array(Array {
                items,
                of_tables: false,
            }),
            span: Span {
                start: open.span().start(),
                end: close.end(),
            },
        }
    }

    fn on_inline_table(&mut self, open: Event) -> Node<'s> {
        let mut table = self.keys.table(false, false, true);
        table.entries.reserve_exact(self.count_ahead(false));
        let mut close = open.span();
        let mut key = None;
        let mut value = None;
        while let Some(event) = self.next() {
            close = event.span();
            match event.kind() {
                EventKind::StdTableOpen
                | EventKind::ArrayTableOpen
                | EventKind::StdTableClose
                | EventKind::ArrayClose
                | EventKind::ArrayTableClose
                | EventKind::KeySep => break,
                EventKind::Error => continue,
                EventKind::SimpleKey => {
                    let (path, last) = self.on_key(event);
                    if let Some(last) = last {
                        key = Some((path, last));
                    }
                }
                EventKind::KeyValSep => {}
                EventKind::InlineTableOpen => value = Some(self.on_inline_table(event)),
                EventKind::ArrayOpen => value = Some(self.on_array(event)),
                EventKind::Scalar => value = Some(self.on_scalar(event)),
                EventKind::ValueSep => self.inline_entry(&mut table, &mut key, &mut value),
                EventKind::Whitespace | EventKind::Comment | EventKind::Newline => {}
                EventKind::InlineTableClose => {
                    self.inline_entry(&mut table, &mut key, &mut value);
                    break;
                }
            }
        }
        // An inline table is closed to later keys: its index is done, and
        // so is its vector.
        self.keys.forget(&table);
        table.entries.shrink_to_fit();
        Node {
            value: Value::Table(table),
            span: Span {
                start: open.span().start(),
                end: close.end(),
            },
        }
    }

    /// Adds the pending key and value (if both) to an inline table.
    fn inline_entry(
        &mut self,
        table: &mut Table<'s>,
        key: &mut Option<(Vec<Key<'s>>, Key<'s>)>,
        value: &mut Option<Node<'s>>,
    ) {
        let (Some((path, key)), Some(value)) = (key.take(), value.take()) else {
            return;
        };
        let Some(parent) = self.descend_inline(table, &path) else {
            return;
        };
        self.insert_key(parent, path.is_empty(), key, value);
    }

    /// The table at the dotted `path` inside an inline table.
    fn descend_inline<'t>(
        &mut self,
        mut table: &'t mut Table<'s>,
        path: &[Key<'s>],
    ) -> Option<&'t mut Table<'s>> {
        for key in path {
            let i = self.find_or_add_table(table, key, true, true);
            let entry = table.entries.get_mut(i)?;
            table = match &mut entry.node.value {
                Value::Table(child) => {
                    if !child.toml.implicit {
                        self.report(duplicate_key(key.span, None));
                        return None;
                    }
                    child
                }
                existing => {
                    self.cannot_extend(type_str(existing), key.span, None);
                    return None;
                }
            };
        }
        Some(table)
    }
}

#[cfg(test)]
mod tests {
    //! The tree and the errors must be exactly those of the `toml` crate's
    //! own reader (`DeTable::parse_recoverable`, which the loader used
    //! before), whole or in chunks.

    use std::fmt::Write as _;

    use proptest::prelude::*;

    use super::*;

    /// The previous reader: `toml`'s tree, converted.
    fn reference(text: &str) -> Result<Node<'static>, Vec<SyntaxError>> {
        let (document, errors) = toml::de::DeTable::parse_recoverable(text);
        if !errors.is_empty() {
            return Err(errors
                .iter()
                .map(|e| SyntaxError {
                    message: e.message().trim().to_owned(),
                    span: e.span().map(Span::from).unwrap_or_default(),
                })
                .collect());
        }
        Ok(Node {
            value: reference_table(document.get_ref()),
            span: Span::from(document.span()),
        })
    }

    fn reference_table(table: &toml::de::DeTable<'_>) -> Value<'static> {
        Value::Table(Table::new(
            table
                .iter()
                .map(|(key, value)| Entry {
                    key: Cow::Owned(key.get_ref().to_string()),
                    key_span: Span::from(key.span()),
                    node: reference_node(value),
                })
                .collect(),
        ))
    }

    fn reference_node(node: &toml::Spanned<toml::de::DeValue<'_>>) -> Node<'static> {
        use toml::de::DeValue;
        let value = match node.get_ref() {
            DeValue::String(s) => Value::String(Cow::Owned(s.to_string())),
            DeValue::Integer(i) => Value::Number {
                value: i128::from_str_radix(i.as_str(), i.radix())
                    .map(|v| v as f64)
                    .unwrap_or(f64::INFINITY),
                integer: true,
            },
            DeValue::Float(f) => Value::Number {
                value: parse_toml_float(f.as_str()),
                integer: false,
            },
            DeValue::Boolean(b) => Value::Bool(*b),
            DeValue::Datetime(_) => Value::Datetime,
            DeValue::Array(items) => Value::Array(Array {
                items: items.iter().map(reference_node).collect(),
                of_tables: false,
            }),
            DeValue::Table(table) => reference_table(table),
        };
        Node {
            value,
            span: Span::from(node.span()),
        }
    }

    /// A canonical text of a tree (every value, key and span).
    fn dump(node: &Node<'_>, out: &mut String) {
        let Span { start, end } = node.span;
        let _ = write!(out, "@{start}..{end}:");
        match &node.value {
            Value::String(s) => {
                let _ = write!(out, "{s:?}");
            }
            Value::Number { value, integer } => {
                let _ = write!(out, "{value:?}/{integer}");
            }
            Value::Bool(b) => {
                let _ = write!(out, "{b}");
            }
            Value::Datetime => out.push_str("datetime"),
            Value::Null => out.push_str("null"),
            Value::Array(array) => {
                out.push('[');
                for item in &array.items {
                    dump(item, out);
                    out.push(',');
                }
                out.push(']');
            }
            Value::Table(table) => {
                out.push('{');
                for entry in &table.entries {
                    let Span { start, end } = entry.key_span;
                    let _ = write!(out, "{:?}@{start}..{end}=", entry.key);
                    dump(&entry.node, out);
                    out.push(',');
                }
                out.push('}');
            }
        }
    }

    fn shown(result: &Result<Node<'_>, Vec<SyntaxError>>) -> String {
        match result {
            Ok(node) => {
                let mut out = String::new();
                dump(node, &mut out);
                out
            }
            Err(errors) => errors
                .iter()
                .map(|e| format!("error {:?} at {:?}\n", e.message, e.span))
                .collect(),
        }
    }

    /// Checks every way of reading `text` against the reference.
    fn check(text: &str) {
        let expected = shown(&reference(text));
        assert_eq!(shown(&parse_whole(text)), expected, "whole: {text:?}");
        assert_eq!(shown(&parse_toml(text)), expected, "parse_toml: {text:?}");
        for chunk in [0, 1, 3, 50] {
            match parse_chunked(text, chunk) {
                Some(root) => assert_eq!(shown(&Ok(root)), expected, "chunks of {chunk}: {text:?}"),
                None => assert!(
                    expected.starts_with("error"),
                    "chunks of {chunk} gave up on a valid document: {text:?}"
                ),
            }
        }
    }

    const CASES: &[&str] = &[
        "",
        "\u{feff}a = 1\n",
        "a = 1\r\nb = 'x'\r\n",
        "a = 1\na = 2\n",
        "[a]\nx = 1\n[a]\ny = 2\n",
        "[a.b]\nx = 1\n[a]\ny = 2\n",
        "[a.b]\nx = 1\n[a]\nb.y = 2\n",
        "[a]\nb.c = 1\n[a.b]\nd = 2\n",
        "a.b.c = 1\na.b.d = 2\na.e = 3\n",
        "a.b = 1\n[a]\n",
        "a = 1\n[a]\n",
        "a = 1\n[[a]]\n",
        "[[a]]\nx = 1\n[[a]]\nx = 2\n[a.b]\ny = 3\n[[a.c]]\nz = 4\n",
        "[[a]]\n[a]\n",
        "[a]\n[[a]]\n",
        "a = [1, 2]\n[[a]]\n",
        "a = [1, 2]\na.b = 1\n",
        "a = {x = 1}\na.y = 2\n",
        "a = {x = 1}\n[a]\n",
        "a = {x = 1}\n[a.b]\n",
        "a = { x.y = 1, x.z = 2, w = { v = 3 } }\n",
        "a = { x = 1, x = 2 }\n",
        "a = { x = 1, x.y = 2 }\n",
        "a = { x.y = 1, x = 2 }\n",
        "a = [ 1, [2, 3], { x = 1 }, 'four', \"five\\u00e9\", ]\n",
        "a = [\n  1,\n  [2],\n  # comment\n]\n[b]\nc = 1\n",
        "s = '''\n[x]\ny = 1\n'''\n[z]\n",
        "s = \"\"\"\n[x]\\\n  y\n\"\"\"\n",
        "i = 0x1F\no = 0o17\nb = 0b101\nu = 1_000\nbig = 170141183460469231731687303715884105727\nhuge = 999999999999999999999999999999999999999999\n",
        "f = 1.5\ng = -0.0\nh = 1e3\nj = inf\nk = -inf\nl = nan\nm = 1_0.2_5\n",
        "d = 1979-05-27\nt = 07:32:00\ndt = 1979-05-27T07:32:00Z\nbad = 1979-13-27\n",
        "\"quoted key\" = 1\n'literal' = 2\n\"esc\\tkey\" = 3\n\"\" = 4\n",
        "a = true\nb = false\nc = tru\n",
        "[[actor]\nid = \"C\"\n",
        "a = ]\n[b]\n",
        "= 1\n",
        "a = \n",
        "a\n",
        "[a\nb = 1\n",
        "a = [1, 2\n[b]\nc = 1\n",
        "a = { x = 1\n[b]\n",
        "a = 1 b = 2\n",
        "# comment \u{1}\na = 1\n",
        "a = \"\\q\"\n",
        "'''ml key''' = 1\n",
        "a.'b'.\"c\" = 1\n[ x . y ]\nz = 2\n",
        "[[a.b]]\n[[a.b]]\nc = 1\n[a]\nd = 2\n",
        "x = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
        "a = 1\n[t]\nk = 1\n[u]\nk = 1\n[t]\nk = 2\n",
        "[scenario]\nname = \"x\"\n[[actor]]\nid = \"A\"\n[[actor]]\nid = \"A\"\nblocs = [\"b\"]\n",
    ];

    #[test]
    fn tricky_documents_read_as_the_toml_crate_reads_them() {
        for text in CASES {
            check(text);
        }
        // A dotted key nested beyond the limit.
        let deep = format!("{} = 1\n", vec!["k"; 100].join("."));
        check(&deep);
        // Large tables use the key index.
        let mut wide = String::from("[t]\n");
        for i in 0..100 {
            let _ = writeln!(wide, "k{i} = {i}");
        }
        wide.push_str("k7 = 1\nq = { ");
        for i in 0..60 {
            let _ = write!(wide, "k{i} = {i}, ");
        }
        wide.push_str("k3 = 3 }\n[t.x]\n[t]\n");
        check(&wide);
    }

    #[test]
    fn scenario_files_read_as_the_toml_crate_reads_them() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut dirs = vec![root.join("examples"), root.join("crates")];
        let mut checked = 0;
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() && !path.ends_with("target") && !path.ends_with("node_modules") {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "toml") {
                    if let Ok(text) = std::fs::read_to_string(&path) {
                        check(&text);
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 20, "only {checked} files found");
    }

    /// Lines that combine into documents, valid or not.
    const LINES: &[&str] = &[
        "[a]",
        "[a.b]",
        "[b]",
        "[[a]]",
        "[[a.b]]",
        "[[c]]",
        "a = 1",
        "b = 'x'",
        "a.b = 2",
        "b.c.d = 3",
        "c = { x = 1, y.z = 2 }",
        "d = [1, [2, 3], { x = 1 }]",
        "e = [\n1,\n[2]\n]",
        "s = '''\n[a]\n'''",
        "t = 1979-05-27",
        "u = 1979-13-27",
        "\"a\" = 1.5",
        "a = ]",
        "[a",
        "= 1",
        "x = {",
        "# [a]",
        "",
        "  [b]",
        "f = inf",
    ];

    proptest! {
        #[test]
        fn random_documents_read_as_the_toml_crate_reads_them(
            lines in proptest::collection::vec(0..LINES.len(), 0..24)
        ) {
            let text: String = lines.iter().map(|&i| format!("{}\n", LINES[i])).collect();
            check(&text);
        }
    }
}
