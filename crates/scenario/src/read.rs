//! Reading one file's value tree into the file-format types of `raw.rs`.
//!
//! The walker visits the whole document and records every problem it can
//! see in one file alone (types, unknown fields, ranges, id syntax, reserved
//! ids); a bad field becomes [`Field::Invalid`] so later checks skip it
//! instead of piling up follow-on errors. Checks that need the whole merged
//! scenario (required fields, references, uniqueness) live in `validate.rs`.

use caisson_model::PeriodKind;

use crate::diagnostic::{nearest, Code, Problem};
use crate::raw::{Field, RawLineProduct, RawScenario, Schedule, Sp};
use crate::schema::{self, Entity, EntitySchema, Fields, LINE_PRODUCT};
use crate::source::{FileId, Loc};
use crate::tree::{Array, Entry, Node, Span, Table, Value};

mod assumption;
pub(crate) mod kinds;
mod uncertainty;

pub(crate) use assumption::{TargetField, TARGET_FIELDS};

use kinds::Range;

/// Ids that the policy language reserves (spec section 7).
pub(crate) const RESERVED: &[&str] = &["belligerent", "*"];

/// Whether `id` is a well-formed id: non-empty, `[A-Za-z0-9_.:-]+`.
pub(crate) fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'))
}

/// Reads a document tree into a [`RawScenario`], recording problems.
pub(crate) fn read_document(root: &Node, file: FileId, problems: &mut Vec<Problem>) -> RawScenario {
    let mut reader = Reader { file, problems };
    reader.document(root)
}

/// The walker: the file it reads and the problems found so far.
pub(crate) struct Reader<'p> {
    file: FileId,
    problems: &'p mut Vec<Problem>,
}

fn string_of<'n>(node: &'n Node<'_>) -> Option<&'n str> {
    match &node.value {
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn find<'n, 's>(entries: &'n [Entry<'s>], key: &str) -> Option<&'n Node<'s>> {
    entries.iter().find(|e| e.key == key).map(|e| &e.node)
}

impl Reader<'_> {
    fn loc(&self, span: Span) -> Loc {
        Loc {
            file: self.file,
            span,
        }
    }

    fn push(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    fn error(&mut self, code: Code, span: Span, entity: &str, message: String) {
        let at = self.loc(span);
        self.push(Problem::error(code, at, message).entity(entity));
    }

    fn wrong_type(&mut self, node: &Node, what: &str, expected: &str, entity: &str) {
        self.error(
            Code::WrongType,
            node.span,
            entity,
            format!(
                "`{what}`: expected {expected}, found {}",
                node.value.type_name()
            ),
        );
    }

    /// An entry of `table` (as diagnostics name it) that is none of the
    /// fields of `schema`.
    fn unknown_field(&mut self, entry: &Entry, schema: &EntitySchema, entity: &str, table: &str) {
        let at = self.loc(entry.key_span);
        let hint = match nearest(&entry.key, schema.names()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => {
                let known: Vec<&str> = schema.names().collect();
                format!("{table} fields are: {}", known.join(", "))
            }
        };
        self.push(
            Problem::error(
                Code::UnknownField,
                at,
                format!("unknown field `{}` in {table}", entry.key),
            )
            .entity(entity)
            .hint(hint),
        );
    }

    /// `value`, written at `span`, if `ok` (its parts were well-formed;
    /// each bad part was reported).
    fn valid_if<T>(&self, ok: bool, value: T, span: Span) -> Field<T> {
        if ok {
            Field::Valid(Sp {
                value,
                at: self.loc(span),
            })
        } else {
            Field::Invalid
        }
    }

    /// The entries of a table, or a wrong-type problem.
    fn table<'n, 's>(
        &mut self,
        node: &'n Node<'s>,
        what: &str,
        entity: &str,
    ) -> Option<&'n [Entry<'s>]> {
        match &node.value {
            Value::Table(table) => Some(&table.entries),
            _ => {
                self.wrong_type(node, what, "a table", entity);
                None
            }
        }
    }

    // ----- scalar fields -------------------------------------------------

    fn string(&mut self, entry: &Entry, entity: &str) -> Field<String> {
        match string_of(&entry.node) {
            Some(s) => Field::Valid(Sp {
                value: s.to_owned(),
                at: self.loc(entry.node.span),
            }),
            None => {
                self.wrong_type(&entry.node, &entry.key, "a string", entity);
                Field::Invalid
            }
        }
    }

    /// An entity id: a string of id syntax.
    fn id(&mut self, entry: &Entry, entity: &str) -> Field<String> {
        let field = self.string(entry, entity);
        if let Field::Valid(sp) = &field {
            if !is_valid_id(&sp.value) {
                self.invalid_id(&sp.value, entry.node.span, entity);
                return Field::Invalid;
            }
        }
        field
    }

    fn invalid_id(&mut self, id: &str, span: Span, entity: &str) {
        let at = self.loc(span);
        let message = if id.is_empty() {
            "an id must not be empty".to_owned()
        } else {
            format!("invalid id \"{id}\"")
        };
        self.push(
            Problem::error(Code::InvalidId, at, message)
                .entity(entity)
                .hint("ids use only letters, digits and `_ . : -`"),
        );
    }

    fn boolean(&mut self, entry: &Entry, entity: &str) -> Field<bool> {
        match entry.node.value {
            Value::Bool(b) => Field::Valid(Sp {
                value: b,
                at: self.loc(entry.node.span),
            }),
            _ => {
                self.wrong_type(&entry.node, &entry.key, "a boolean (true or false)", entity);
                Field::Invalid
            }
        }
    }

    /// A finite number within `range`; `what` names it in messages.
    fn check_number(&mut self, node: &Node, what: &str, range: Range, entity: &str) -> Option<f64> {
        let Value::Number { value, .. } = node.value else {
            self.wrong_type(node, what, "a number", entity);
            return None;
        };
        if !value.is_finite() {
            let at = self.loc(node.span);
            self.push(
                Problem::error(
                    Code::NotFinite,
                    at,
                    format!("`{what}` must be a finite number, found {value}"),
                )
                .entity(entity)
                .hint("nan and inf are not allowed"),
            );
            return None;
        }
        if !range.contains(value) {
            let bound = match range {
                Range::NonNegative => "at least 0",
                Range::Positive => "greater than 0",
                Range::UnitInterval => "between 0 and 1",
            };
            self.error(
                Code::OutOfRange,
                node.span,
                entity,
                format!("`{what}` must be {bound}, found {value}"),
            );
            return None;
        }
        // Normalise -0 so that it never shows up in the model.
        Some(value + 0.0)
    }

    /// [`Self::check_number`] naming the value with `what()` only when
    /// there is a problem to report: most numbers are fine, and naming
    /// every step of every schedule took a noticeable share of the load.
    fn number_named(
        &mut self,
        node: &Node,
        what: impl FnOnce() -> String,
        range: Range,
        entity: &str,
    ) -> Option<f64> {
        match node.value {
            Value::Number { value, .. } if value.is_finite() && range.contains(value) => {
                Some(value + 0.0)
            }
            _ => self.check_number(node, &what(), range, entity),
        }
    }

    fn number(&mut self, entry: &Entry, range: Range, entity: &str) -> Field<f64> {
        match self.check_number(&entry.node, &entry.key, range, entity) {
            Some(value) => Field::Valid(Sp {
                value,
                at: self.loc(entry.node.span),
            }),
            None => Field::Invalid,
        }
    }

    /// An integer >= 0 that fits in u32 (periods, lead times).
    fn integer(&mut self, entry: &Entry, entity: &str) -> Field<u32> {
        let node = &entry.node;
        let Value::Number { value, integer } = node.value else {
            self.wrong_type(node, &entry.key, "an integer", entity);
            return Field::Invalid;
        };
        if !value.is_finite() {
            self.check_number(node, &entry.key, Range::NonNegative, entity);
            return Field::Invalid;
        }
        if !integer {
            let at = self.loc(node.span);
            let hint = if value.fract() == 0.0 {
                format!("write {value:.0} without a decimal point")
            } else {
                "periods are counted in whole numbers".to_owned()
            };
            self.push(
                Problem::error(
                    Code::NotInteger,
                    at,
                    format!("`{}` must be an integer, found {value:?}", entry.key),
                )
                .entity(entity)
                .hint(hint),
            );
            return Field::Invalid;
        }
        if value < 0.0 || value > f64::from(u32::MAX) {
            self.error(
                Code::OutOfRange,
                node.span,
                entity,
                format!(
                    "`{}` must be between 0 and {}, found {value}",
                    entry.key,
                    u32::MAX
                ),
            );
            return Field::Invalid;
        }
        Field::Valid(Sp {
            value: value as u32,
            at: self.loc(node.span),
        })
    }

    /// A list of strings (ids or selectors); `check_ids` checks id syntax.
    fn string_list(
        &mut self,
        entry: &Entry,
        check_ids: bool,
        entity: &str,
    ) -> Field<Vec<Sp<String>>> {
        let Value::Array(Array { items, .. }) = &entry.node.value else {
            self.wrong_type(&entry.node, &entry.key, "a list of strings", entity);
            return Field::Invalid;
        };
        let mut list = Vec::new();
        let mut ok = true;
        for item in items {
            match string_of(item) {
                Some(s) if check_ids && !is_valid_id(s) => {
                    self.invalid_id(s, item.span, entity);
                    ok = false;
                }
                Some(s) => list.push(Sp {
                    value: s.to_owned(),
                    at: self.loc(item.span),
                }),
                None => {
                    let what = format!("{} entry", entry.key);
                    self.wrong_type(item, &what, "a string", entity);
                    ok = false;
                }
            }
        }
        self.valid_if(ok, list, entry.node.span)
    }

    /// A table of id = number (`inputs`, `stock`).
    fn quantities(
        &mut self,
        entry: &Entry,
        range: Range,
        entity: &str,
    ) -> Field<Vec<(Sp<String>, f64)>> {
        let Some(entries) = self.table(&entry.node, &entry.key, entity) else {
            return Field::Invalid;
        };
        let mut list = Vec::new();
        let mut ok = true;
        for item in entries {
            let what = || format!("{}.\"{}\"", entry.key, item.key);
            match self.number_named(&item.node, what, range, entity) {
                Some(value) => list.push((
                    Sp {
                        value: item.key.to_string(),
                        at: self.loc(item.key_span),
                    },
                    value,
                )),
                None => ok = false,
            }
        }
        self.valid_if(ok, list, entry.node.span)
    }

    /// A schedule: a number, or a table of label = number.
    fn schedule(&mut self, entry: &Entry, entity: &str) -> Field<Schedule> {
        let at = self.loc(entry.node.span);
        match &entry.node.value {
            Value::Number { .. } => {
                match self.check_number(&entry.node, &entry.key, Range::NonNegative, entity) {
                    Some(v) => Field::Valid(Sp {
                        value: Schedule::Constant(v),
                        at,
                    }),
                    None => Field::Invalid,
                }
            }
            Value::Table(table) => {
                let entries = &table.entries;
                let mut steps = Vec::new();
                let mut ok = true;
                for item in entries {
                    let what = || format!("{}.\"{}\"", entry.key, item.key);
                    match self.number_named(&item.node, what, Range::NonNegative, entity) {
                        Some(v) => steps.push((
                            Sp {
                                value: item.key.to_string(),
                                at: self.loc(item.key_span),
                            },
                            v,
                        )),
                        None => ok = false,
                    }
                }
                if ok {
                    Field::Valid(Sp {
                        value: Schedule::Steps(steps),
                        at,
                    })
                } else {
                    Field::Invalid
                }
            }
            _ => {
                self.wrong_type(
                    &entry.node,
                    &entry.key,
                    "a number or a table of period label = number",
                    entity,
                );
                Field::Invalid
            }
        }
    }
    // ----- the document --------------------------------------------------

    fn document(&mut self, root: &Node) -> RawScenario {
        let mut raw = RawScenario::empty(self.loc(Span { start: 0, end: 0 }));
        let Value::Table(Table { entries, .. }) = &root.value else {
            self.wrong_type(root, "document", "a table", "");
            return raw;
        };
        for entry in entries {
            match &*entry.key {
                "scenario" => {
                    raw.header_at = Some(self.loc(entry.node.span));
                    raw.header = self.table_fields(&entry.node).unwrap_or_default();
                }
                "actor" => raw.actors = self.children(entry, ""),
                "product" => raw.products = self.children(entry, ""),
                "facility" => raw.facilities = self.children(entry, ""),
                "route" => raw.routes = self.children(entry, ""),
                "demand" => raw.demands = self.children(entry, ""),
                "contract" => raw.contracts = self.children(entry, ""),
                "policy" => raw.policies = self.children(entry, ""),
                "uncertainty" => raw.uncertainty = self.children(entry, ""),
                "assumption" => raw.assumptions = self.children(entry, ""),
                "remove" => {
                    if let Some(remove) = self.table_fields(&entry.node) {
                        raw.remove = Some((self.loc(entry.node.span), remove));
                    }
                }
                _ => self.unknown_top(entry),
            }
        }
        raw
    }

    fn unknown_top(&mut self, entry: &Entry) {
        let at = self.loc(entry.key_span);
        let is_table = matches!(entry.node.value, Value::Table(_) | Value::Array(_));
        let tables = || schema::DOCUMENT.iter().map(|t| t.name);
        let all_tables = || tables().collect::<Vec<_>>().join(", ");
        let problem = if is_table {
            let hint = match nearest(&entry.key, tables()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("top-level tables are: {}", all_tables()),
            };
            Problem::error(
                Code::UnknownTable,
                at,
                format!("unknown top-level table `{}`", entry.key),
            )
            .hint(hint)
        } else {
            let hint = if schema::SCENARIO.field(&entry.key).is_some() {
                "scenario settings belong under [scenario]".to_owned()
            } else {
                format!("top-level tables are: {}", all_tables())
            };
            Problem::error(
                Code::UnknownField,
                at,
                format!("unknown top-level field `{}`", entry.key),
            )
            .hint(hint)
        };
        self.push(problem);
    }

    /// Reads a table that is not an entity (`[scenario]`, `[remove]`);
    /// `None` (reported) when it is not a table.
    fn table_fields<T: Fields + Default>(&mut self, node: &Node) -> Option<T> {
        let schema = T::SCHEMA;
        let entries = self.table(node, schema.name, schema.name)?;
        let mut raw = T::default();
        for entry in entries {
            if !raw.read_field(self, entry, schema.name) {
                self.unknown_field(entry, schema, schema.name, schema.table);
            }
        }
        Some(raw)
    }

    /// Reads every table of an array of tables (`[[actor]]`, or
    /// `[[facility.line]]` under `parent`, the facility as diagnostics name
    /// it; empty at the top level), keeping those that could be read (the
    /// others left diagnostics).
    pub(crate) fn children<T: Entity>(&mut self, entry: &Entry, parent: &str) -> Vec<T> {
        let nodes = self.array_of_tables(entry);
        nodes
            .iter()
            .enumerate()
            .filter_map(|(i, node)| self.entity(node, i, parent))
            .collect()
    }

    /// One entity of an array of tables, named after its key fields.
    fn entity<T: Entity>(&mut self, node: &Node, index: usize, parent: &str) -> Option<T> {
        let schema = T::SCHEMA;
        let name = |key: Option<&str>| {
            let mut name = String::new();
            if !parent.is_empty() {
                name.push_str(parent);
                name.push(' ');
            }
            name.push_str(schema.name);
            match key {
                Some(key) => {
                    name.push_str(" \"");
                    name.push_str(key);
                    name.push('"');
                }
                None => {
                    name.push_str(" #");
                    name.push_str(&(index + 1).to_string());
                }
            }
            name
        };
        let entries = self.item(node, schema.name, || name(None))?;
        let entity = name(Self::key_text(entries, schema.key).as_deref());
        let mut raw = T::new(self.loc(node.span), String::new());
        for entry in entries {
            if !raw.read_field(self, entry, &entity) {
                self.unknown_field(entry, schema, &entity, schema.table);
            }
        }
        raw.set_entity(entity);
        Some(raw)
    }

    /// The key of an entity as its name shows it: its `id` when a
    /// non-empty string, or `FROM->TO` of a route when both are strings.
    fn key_text(entries: &[Entry], key: &[&str]) -> Option<String> {
        match key {
            [id] => match find(entries, id).and_then(string_of) {
                Some(id) if !id.is_empty() => Some(id.to_owned()),
                _ => None,
            },
            [from, to] => {
                let from = find(entries, from).and_then(string_of)?;
                let to = find(entries, to).and_then(string_of)?;
                Some(crate::merge::route_key(from, to))
            }
            _ => None,
        }
    }

    /// An integer from `least` to `most` (`periods`).
    fn count(&mut self, entry: &Entry, least: u32, most: u32, entity: &str) -> Field<u32> {
        let field = self.integer(entry, entity);
        if let Field::Valid(sp) = &field {
            if sp.value < least || sp.value > most {
                let message = format!(
                    "`{}` must be between {least} and {most}, found {}",
                    entry.key, sp.value
                );
                self.error(Code::OutOfRange, entry.node.span, entity, message);
                return Field::Invalid;
            }
        }
        field
    }

    fn array_of_tables<'n, 's>(&mut self, entry: &'n Entry<'s>) -> &'n [Node<'s>] {
        match &entry.node.value {
            Value::Array(array) => &array.items,
            _ => {
                let at = self.loc(entry.node.span);
                self.push(
                    Problem::error(
                        Code::WrongType,
                        at,
                        format!(
                            "`{}`: expected an array of tables, found {}",
                            entry.key,
                            entry.node.value.type_name()
                        ),
                    )
                    .hint(format!("write each one under [[{}]]", entry.key)),
                );
                &[]
            }
        }
    }

    /// The entries of an array item; `entity()` names it if it is not a
    /// table.
    fn item<'n, 's>(
        &mut self,
        node: &'n Node<'s>,
        kind: &str,
        entity: impl FnOnce() -> String,
    ) -> Option<&'n [Entry<'s>]> {
        match &node.value {
            Value::Table(table) => Some(&table.entries),
            _ => {
                self.wrong_type(node, kind, "a table", &entity());
                None
            }
        }
    }

    fn period(&mut self, entry: &Entry, entity: &str) -> Field<PeriodKind> {
        let Field::Valid(sp) = self.string(entry, entity) else {
            return Field::Invalid;
        };
        match PeriodKind::from_name(&sp.value) {
            Some(kind) => Field::Valid(Sp {
                value: kind,
                at: sp.at,
            }),
            None => {
                let hint = match nearest(&sp.value, ["month", "quarter", "year"]) {
                    Some(near) => format!("did you mean \"{near}\"?"),
                    None => "use \"month\", \"quarter\" or \"year\"".to_owned(),
                };
                self.push(
                    Problem::error(
                        Code::BadPeriod,
                        sp.at,
                        format!(
                            "`period` must be \"month\", \"quarter\" or \"year\", found \"{}\"",
                            sp.value
                        ),
                    )
                    .entity(entity)
                    .hint(hint),
                );
                Field::Invalid
            }
        }
    }

    fn reserved(&mut self, id: &str, at: Loc, entity: &str, role: &str) {
        self.push(
            Problem::error(
                Code::ReservedId,
                at,
                format!("\"{id}\" is reserved and cannot be {role}"),
            )
            .entity(entity)
            .hint("`belligerent` and `*` are policy selectors; choose another id"),
        );
    }

    fn line_products(&mut self, entry: &Entry, entity: &str) -> Field<Vec<RawLineProduct>> {
        let Some(entries) = self.table(&entry.node, "products", entity) else {
            return Field::Invalid;
        };
        let mut list = Vec::new();
        let mut ok = true;
        for item in entries {
            let fields = match &item.node.value {
                Value::Table(table) => &table.entries,
                _ => {
                    let what = format!("products.\"{}\"", item.key);
                    self.table(&item.node, &what, entity);
                    ok = false;
                    continue;
                }
            };
            let mut product = RawLineProduct {
                product: Sp {
                    value: item.key.to_string(),
                    at: self.loc(item.key_span),
                },
                rate: None,
                cost: None,
            };
            for field in fields {
                let what = || format!("products.\"{}\".{}", item.key, field.key);
                match &*field.key {
                    "rate" => match self.number_named(&field.node, what, Range::Positive, entity) {
                        Some(v) => product.rate = Some(v),
                        None => ok = false,
                    },
                    "cost" => {
                        match self.number_named(&field.node, what, Range::NonNegative, entity) {
                            Some(v) => product.cost = Some(v),
                            None => ok = false,
                        }
                    }
                    _ => {
                        let table = format!("line product \"{}\"", item.key);
                        self.unknown_field(field, &LINE_PRODUCT, entity, &table);
                        ok = false;
                    }
                }
            }
            list.push(product);
        }
        self.valid_if(ok, list, entry.node.span)
    }
}
