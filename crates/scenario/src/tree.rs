//! A format-neutral tree of values with source spans.
//!
//! TOML and JSON are both read into this tree first; the reader
//! (`read.rs`) then walks it once, recording every problem instead of
//! stopping at the first, which serde's derive could not do.

use std::borrow::Cow;
use std::ops::Range;

mod from_toml;

pub(crate) use from_toml::parse_toml;

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
}

impl From<Range<usize>> for Span {
    fn from(range: Range<usize>) -> Self {
        Span {
            start: range.start,
            end: range.end,
        }
    }
}

/// One value of the document, with where it was written. Strings borrow
/// from the source text where they can (`'s`).
#[derive(Debug, Clone)]
pub(crate) struct Node<'s> {
    pub value: Value<'s>,
    pub span: Span,
}

/// A key of a table, with where it was written.
#[derive(Debug, Clone)]
pub(crate) struct Entry<'s> {
    pub key: Cow<'s, str>,
    pub key_span: Span,
    pub node: Node<'s>,
}

/// The kinds of value both formats share.
#[derive(Debug, Clone)]
pub(crate) enum Value<'s> {
    String(Cow<'s, str>),
    /// Every number as an `f64`, remembering whether it was written as an
    /// integer: `periods = 1.0` must be rejected although it is whole.
    Number {
        value: f64,
        integer: bool,
    },
    Bool(bool),
    /// A TOML date or time: never valid in a scenario (labels are strings).
    Datetime,
    Null,
    Array(Array<'s>),
    Table(Table<'s>),
}

/// The items of an array.
#[derive(Debug, Clone, Default)]
pub(crate) struct Array<'s> {
    pub items: Vec<Node<'s>>,
    /// Written as `[[key]]` headers (TOML): only such arrays take more.
    pub of_tables: bool,
}

/// The entries of a table, in the order written.
#[derive(Debug, Clone, Default)]
pub(crate) struct Table<'s> {
    pub entries: Vec<Entry<'s>>,
    /// What the TOML reader needs to know while it builds the tree (how
    /// the table was made, and an id for its index of keys); the reader of
    /// the tree ignores these.
    pub toml: TomlTable,
}

/// How a TOML table came to be (see `from_toml.rs`).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct TomlTable {
    pub id: u32,
    /// Created by a header or dotted key below it, not written itself.
    pub implicit: bool,
    /// Created by a dotted key.
    pub dotted: bool,
    /// Written inline (`{ ... }`): closed to later keys.
    pub inline: bool,
}

impl<'s> Table<'s> {
    /// A table of these entries.
    pub fn new(entries: Vec<Entry<'s>>) -> Self {
        Table {
            entries,
            toml: TomlTable::default(),
        }
    }
}

impl Value<'_> {
    /// The name of this kind of value, for "expected X, found Y" messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::String(_) => "a string",
            Value::Number { integer: true, .. } => "an integer",
            Value::Number { .. } => "a number",
            Value::Bool(_) => "a boolean",
            Value::Datetime => "a date",
            Value::Null => "null",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

/// Parse errors of either format: a message and where.
#[derive(Debug, Clone)]
pub(crate) struct SyntaxError {
    pub message: String,
    pub span: Span,
}
