//! A format-neutral tree of values with source spans.
//!
//! TOML and JSON are both read into this tree first; the reader
//! (`read.rs`) then walks it once, recording every problem instead of
//! stopping at the first, which serde's derive could not do.

use std::ops::Range;

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

/// One value of the document, with where it was written.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub value: Value,
    pub span: Span,
}

/// A key of a table, with where it was written.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub key: String,
    pub key_span: Span,
    pub node: Node,
}

/// The kinds of value both formats share.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    String(String),
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
    Array(Vec<Node>),
    Table(Vec<Entry>),
}

impl Value {
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

/// Reads TOML text into the tree; on a syntax error returns every error
/// the parser could recover from.
pub(crate) fn parse_toml(source: &str) -> Result<Node, Vec<SyntaxError>> {
    let (document, errors) = toml::de::DeTable::parse_recoverable(source);
    if !errors.is_empty() {
        return Err(errors
            .iter()
            .map(|e| SyntaxError {
                message: e.message().trim().to_owned(),
                span: e.span().map(Span::from).unwrap_or_default(),
            })
            .collect());
    }
    let span = Span::from(document.span());
    Ok(Node {
        value: toml_table(document.get_ref()),
        span,
    })
}

fn toml_table(table: &toml::de::DeTable<'_>) -> Value {
    Value::Table(
        table
            .iter()
            .map(|(key, value)| Entry {
                key: key.get_ref().to_string(),
                key_span: Span::from(key.span()),
                node: toml_node(value),
            })
            .collect(),
    )
}

fn toml_node(node: &toml::Spanned<toml::de::DeValue<'_>>) -> Node {
    use toml::de::DeValue;
    let value = match node.get_ref() {
        DeValue::String(s) => Value::String(s.to_string()),
        DeValue::Integer(i) => Value::Number {
            // Integers beyond i64 still become a (huge) number so that the
            // range checks, not a crash, deal with them.
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
        DeValue::Array(items) => Value::Array(items.iter().map(toml_node).collect()),
        DeValue::Table(table) => toml_table(table),
    };
    Node {
        value,
        span: Span::from(node.span()),
    }
}

/// TOML floats are Rust floats except for `nan`/`inf` spellings and
/// underscores between digits.
fn parse_toml_float(text: &str) -> f64 {
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    match cleaned.trim_start_matches(['+', '-']) {
        "nan" => f64::NAN,
        "inf" if cleaned.starts_with('-') => f64::NEG_INFINITY,
        "inf" => f64::INFINITY,
        _ => cleaned.parse().unwrap_or(f64::NAN),
    }
}
