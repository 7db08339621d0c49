//! Scenario documents as text: the two media types, parsing into one value
//! tree, writing TOML with a map from each written line back to the place
//! it came from, and finding a place again in the submitted text.

use std::ops::Range;

use toml::{Table, Value};

use crate::error::{Document, PlatformError, ScenarioDiagnostic};

/// The media type of a scenario document (spec section 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaType {
    /// `application/toml`, the model's usual form.
    Toml,
    /// `application/json`, the same structure in JSON.
    Json,
}

impl MediaType {
    /// The media type named by a `Content-Type` (or one `Accept` entry):
    /// `application/toml` or `application/json`, parameters such as
    /// `; charset=utf-8` ignored, case-insensitive; `None` for anything else.
    pub fn from_content_type(content_type: &str) -> Option<Self> {
        let essence = content_type.split(';').next().unwrap_or("").trim();
        if essence.eq_ignore_ascii_case("application/toml") {
            Some(MediaType::Toml)
        } else if essence.eq_ignore_ascii_case("application/json") {
            Some(MediaType::Json)
        } else {
            None
        }
    }

    /// The media type of a scenario body from its `Content-Type`, or
    /// `unsupported_media_type` (415) for anything but TOML and JSON.
    pub fn of_body(content_type: &str) -> Result<Self, PlatformError> {
        Self::from_content_type(content_type).ok_or_else(|| {
            PlatformError::UnsupportedMediaType(format!(
                "`{content_type}`: a scenario body is application/toml or application/json"
            ))
        })
    }

    /// The `Content-Type` of a document of this type.
    pub fn content_type(self) -> &'static str {
        match self {
            MediaType::Toml => "application/toml",
            MediaType::Json => "application/json",
        }
    }
}

/// Converts a scenario document (a contribution or a reference part) from
/// one media type to the other, keeping every table and field in order.
/// The same type gives the text back unchanged.
pub fn convert(text: &str, from: MediaType, to: MediaType) -> Result<String, PlatformError> {
    if from == to {
        return Ok(text.to_owned());
    }
    let table = parse(text, from, &Document::Assembled)?;
    match to {
        MediaType::Toml => Ok(write_toml(&table)),
        MediaType::Json => write_json(&table),
    }
}

/// Writes a value tree as pretty JSON. TOML's `nan` and `inf` have no JSON
/// form: they are refused as invalid.
pub(crate) fn write_json(table: &Table) -> Result<String, PlatformError> {
    serde_json::to_string_pretty(table).map_err(|error| {
        PlatformError::invalid(ScenarioDiagnostic::error(
            "not-finite",
            format!("the document has no JSON form: {error}"),
            Document::Assembled,
            None,
        ))
    })
}

/// Writes a value tree as a TOML document (no line map).
pub(crate) fn write_toml(table: &Table) -> String {
    let mut writer = Writer::default();
    writer.document(table, &Document::Assembled, &mut Vec::new());
    writer.out
}

/// Parses a document of either media type into a TOML table. A syntax
/// error is an `invalid_scenario` located in `document`'s text.
pub(crate) fn parse(
    text: &str,
    media: MediaType,
    document: &Document,
) -> Result<Table, PlatformError> {
    match media {
        MediaType::Toml => toml::from_str::<Table>(text).map_err(|error| {
            let place = error.span().map(|span| line_column(text, span.start));
            PlatformError::invalid(ScenarioDiagnostic::error(
                "syntax",
                format!("TOML syntax error: {}", first_line(error.message())),
                document.clone(),
                place,
            ))
        }),
        MediaType::Json => serde_json::from_str::<Table>(text).map_err(|error| {
            let place = (error.line() > 0).then(|| (error.line(), error.column()));
            PlatformError::invalid(ScenarioDiagnostic::error(
                "syntax",
                format!("JSON syntax error: {}", first_line(&error.to_string())),
                document.clone(),
                place,
            ))
        }),
    }
}

fn first_line(message: &str) -> String {
    message
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(message)
        .trim()
        .to_owned()
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// One step of a path into a document: a table key or an array position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

/// Where a written line came from: a document and a path into it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Origin {
    pub document: Document,
    pub path: Vec<Step>,
}

/// Writes TOML in one fixed shape: top-level scalars, then `[table]`
/// sections with their fields inline, then `[[array]]` entities with their
/// fields inline and their own arrays of tables (lines, expansions) as
/// `[[array.sub]]` sections. Every field is one line, so a line of the
/// output maps back to one field of the document it came from.
#[derive(Default)]
pub(crate) struct Writer {
    pub out: String,
    /// `lines[n]` is the origin of line n + 1 of `out`.
    pub lines: Vec<Origin>,
}

impl Writer {
    fn emit(&mut self, text: &str, document: &Document, path: &[Step]) {
        self.out.push_str(text);
        self.out.push('\n');
        for _ in 0..=text.matches('\n').count() {
            self.lines.push(Origin {
                document: document.clone(),
                path: path.to_vec(),
            });
        }
    }

    /// A blank line (belongs to nothing in particular).
    pub fn blank(&mut self) {
        self.emit("", &Document::Assembled, &[]);
    }

    /// A whole document: scalars, tables, arrays of tables.
    pub fn document(&mut self, table: &Table, document: &Document, path: &mut Vec<Step>) {
        for (key, value) in table {
            if !is_table(value) && !is_array_of_tables(value) {
                path.push(Step::Key(key.clone()));
                self.emit(&format!("{} = {}", key_text(key), value), document, path);
                path.pop();
            }
        }
        for (key, value) in table {
            if let Value::Table(inner) = value {
                path.push(Step::Key(key.clone()));
                self.section(key, inner, document, path);
                path.pop();
            }
        }
        for (key, value) in table {
            if let Value::Array(items) = value {
                if is_array_of_tables(value) {
                    path.push(Step::Key(key.clone()));
                    self.entities(&key_text(key), items, document, path);
                    path.pop();
                }
            }
        }
    }

    /// A `[name]` section with every field inline.
    pub fn section(
        &mut self,
        name: &str,
        table: &Table,
        document: &Document,
        path: &mut Vec<Step>,
    ) {
        if !self.out.is_empty() {
            self.blank();
        }
        self.emit(&format!("[{}]", key_text(name)), document, path);
        for (key, value) in table {
            path.push(Step::Key(key.clone()));
            self.emit(&format!("{} = {}", key_text(key), value), document, path);
            path.pop();
        }
    }

    /// Every table of an array as `[[header]]` entities; `path` ends with
    /// the array's key.
    pub fn entities(
        &mut self,
        header: &str,
        items: &[Value],
        document: &Document,
        path: &mut Vec<Step>,
    ) {
        for (index, item) in items.iter().enumerate() {
            if let Value::Table(entity) = item {
                path.push(Step::Index(index));
                self.entity(header, entity, document, path);
                path.pop();
            }
        }
    }

    /// One `[[header]]` entity; `path` leads to it.
    pub fn entity(
        &mut self,
        header: &str,
        entity: &Table,
        document: &Document,
        path: &mut Vec<Step>,
    ) {
        if !self.out.is_empty() {
            self.blank();
        }
        self.emit(&format!("[[{header}]]"), document, path);
        for (key, value) in entity {
            if !is_array_of_tables(value) {
                path.push(Step::Key(key.clone()));
                self.emit(&format!("{} = {}", key_text(key), value), document, path);
                path.pop();
            }
        }
        for (key, value) in entity {
            if let Value::Array(items) = value {
                if is_array_of_tables(value) {
                    path.push(Step::Key(key.clone()));
                    self.entities(
                        &format!("{header}.{}", key_text(key)),
                        items,
                        document,
                        path,
                    );
                    path.pop();
                }
            }
        }
    }
}

fn is_table(value: &Value) -> bool {
    matches!(value, Value::Table(_))
}

/// A non-empty array whose every item is a table (written as `[[..]]`).
pub(crate) fn is_array_of_tables(value: &Value) -> bool {
    matches!(value, Value::Array(items) if !items.is_empty() && items.iter().all(is_table))
}

/// A key as TOML writes it: bare when it can be, quoted otherwise.
fn key_text(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_owned()
    } else {
        Value::String(key.to_owned()).to_string()
    }
}

/// The byte range in `text` (of type `media`) of the place `path` leads
/// to: the key of a field, the header of an entity; as deep as the path
/// can be followed.
pub(crate) fn locate(text: &str, media: MediaType, path: &[Step]) -> Option<Range<usize>> {
    match media {
        MediaType::Toml => locate_toml(text, path),
        MediaType::Json => locate_json(text.as_bytes(), path),
    }
}

fn locate_toml(text: &str, path: &[Step]) -> Option<Range<usize>> {
    let root = toml::de::DeTable::parse(text).ok()?;
    let mut found = root.span();
    let mut value: Option<&toml::de::DeValue<'_>> = None;
    let mut table = Some(root.get_ref());
    for step in path {
        match step {
            Step::Key(key) => {
                let (k, v) = table?
                    .iter()
                    .find(|(k, _)| k.get_ref().as_ref() == key.as_str())?;
                found = k.span();
                value = Some(v.get_ref());
            }
            Step::Index(index) => {
                let toml::de::DeValue::Array(items) = value? else {
                    return Some(found);
                };
                let Some(item) = items.get(*index) else {
                    return Some(found);
                };
                found = item.span();
                value = Some(item.get_ref());
            }
        }
        table = match value {
            Some(toml::de::DeValue::Table(inner)) => Some(inner),
            _ => None,
        };
    }
    Some(found)
}

/// Follows `path` through JSON text without building a tree (serde_json
/// keeps no positions). Gives the start of the key or item reached.
fn locate_json(bytes: &[u8], path: &[Step]) -> Option<Range<usize>> {
    let mut at = skip_space(bytes, 0);
    let mut found = at..at + 1;
    for step in path {
        at = skip_space(bytes, at);
        match (step, bytes.get(at)?) {
            (Step::Key(key), b'{') => {
                at += 1;
                loop {
                    at = skip_space(bytes, at);
                    if bytes.get(at)? != &b'"' {
                        return Some(found);
                    }
                    let key_start = at;
                    let key_end = skip_value(bytes, at)?;
                    let name: String = serde_json::from_slice(&bytes[key_start..key_end]).ok()?;
                    at = skip_space(bytes, key_end);
                    if bytes.get(at)? != &b':' {
                        return Some(found);
                    }
                    at = skip_space(bytes, at + 1);
                    if name == *key {
                        found = key_start..key_end;
                        break;
                    }
                    at = skip_space(bytes, skip_value(bytes, at)?);
                    if bytes.get(at)? == &b',' {
                        at += 1;
                    } else {
                        return Some(found);
                    }
                }
            }
            (Step::Index(index), b'[') => {
                at += 1;
                for _ in 0..*index {
                    at = skip_space(bytes, skip_value(bytes, skip_space(bytes, at))?);
                    if bytes.get(at)? != &b',' {
                        return Some(found);
                    }
                    at += 1;
                }
                at = skip_space(bytes, at);
                found = at..at + 1;
            }
            _ => return Some(found),
        }
    }
    Some(found)
}

fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

/// The end of the JSON value starting at `at`.
fn skip_value(bytes: &[u8], mut at: usize) -> Option<usize> {
    match bytes.get(at)? {
        b'"' => {
            at += 1;
            loop {
                match bytes.get(at)? {
                    b'\\' => at += 2,
                    b'"' => return Some(at + 1),
                    _ => at += 1,
                }
            }
        }
        b'{' | b'[' => {
            let mut depth = 0usize;
            loop {
                match bytes.get(at)? {
                    b'"' => {
                        at = skip_value(bytes, at)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(at + 1);
                        }
                    }
                    _ => {}
                }
                at += 1;
            }
        }
        _ => {
            while bytes
                .get(at)
                .is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace())
            {
                at += 1;
            }
            Some(at)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_read_their_content_type() {
        assert_eq!(
            MediaType::from_content_type("application/toml"),
            Some(MediaType::Toml)
        );
        assert_eq!(
            MediaType::from_content_type("Application/JSON; charset=utf-8"),
            Some(MediaType::Json)
        );
        assert_eq!(MediaType::from_content_type("text/plain"), None);
        let refused = MediaType::of_body("text/plain").expect_err("refused");
        assert_eq!(
            (refused.code(), refused.status()),
            ("unsupported_media_type", 415)
        );
        assert_eq!(
            MediaType::of_body("application/json").ok(),
            Some(MediaType::Json)
        );
        assert_eq!(MediaType::Json.content_type(), "application/json");
    }

    const DOC: &str = r#"
[[facility]]
id = "krusik"
name = "Krušik"
actor = "SRB"
stock = { "mortar-120" = 1000 }

[[facility.line]]
id = "mortar"
capacity = { "2025-01" = 10, "2026-01" = 20.5 }
"#;

    #[test]
    fn converts_both_ways_keeping_every_value() {
        let json = convert(DOC, MediaType::Toml, MediaType::Json).expect("converts");
        let back = convert(&json, MediaType::Json, MediaType::Toml).expect("converts back");
        let original: Table = toml::from_str(DOC).expect("parses");
        let round_trip: Table = toml::from_str(&back).expect("parses");
        assert_eq!(original, round_trip);
        assert!(json.contains("\"2026-01\": 20.5"), "{json}");
        assert_eq!(
            convert(DOC, MediaType::Toml, MediaType::Toml)
                .ok()
                .as_deref(),
            Some(DOC)
        );
    }

    #[test]
    fn syntax_errors_are_located() {
        let error = convert("[[facility]]\nid = \n", MediaType::Toml, MediaType::Json)
            .expect_err("refused");
        let diagnostic = &error.scenario_diagnostics()[0];
        assert_eq!(
            (diagnostic.code.as_str(), diagnostic.line),
            ("syntax", Some(2))
        );
        let error = convert(
            "{\"facility\": [\n{\"id\": }]}",
            MediaType::Json,
            MediaType::Toml,
        )
        .expect_err("refused");
        assert_eq!(error.scenario_diagnostics()[0].line, Some(2));
        assert!(convert("[1, 2]", MediaType::Json, MediaType::Toml).is_err());
    }

    fn path(steps: &[&str]) -> Vec<Step> {
        steps
            .iter()
            .map(|s| match s.parse::<usize>() {
                Ok(i) => Step::Index(i),
                Err(_) => Step::Key((*s).to_owned()),
            })
            .collect()
    }

    #[test]
    fn writer_maps_each_line_back_and_locate_finds_it_in_either_syntax() {
        let table: Table = toml::from_str(DOC).expect("parses");
        let mut writer = Writer::default();
        writer.document(&table, &Document::Reference, &mut Vec::new());
        let capacity_line = writer
            .out
            .lines()
            .position(|l| l.starts_with("capacity"))
            .expect("capacity written");
        let origin = &writer.lines[capacity_line];
        assert_eq!(
            origin.path,
            path(&["facility", "0", "line", "0", "capacity"])
        );
        let at = locate(DOC, MediaType::Toml, &origin.path).expect("found");
        assert_eq!(line_column(DOC, at.start), (10, 1));
        let json = write_json(&table).expect("json");
        let at = locate(&json, MediaType::Json, &origin.path).expect("found");
        assert!(
            json[at.start..].starts_with("\"capacity\""),
            "{}",
            &json[at.start..]
        );
        let at = locate(&json, MediaType::Json, &path(&["facility", "0", "stock"])).expect("found");
        assert!(json[at.start..].starts_with("\"stock\""));
    }
}
