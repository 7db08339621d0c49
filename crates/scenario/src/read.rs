//! Reading one file's value tree into the file-format types of `raw.rs`.
//!
//! The walker visits the whole document and records every problem it can
//! see in one file alone (types, unknown fields, ranges, id syntax, reserved
//! ids); a bad field becomes [`Field::Invalid`] so later checks skip it
//! instead of piling up follow-on errors. Checks that need the whole merged
//! scenario (required fields, references, uniqueness) live in `validate.rs`.

use caisson_model::PeriodKind;

use crate::diagnostic::{nearest, Code, Problem};
use crate::raw::{
    fields, Field, RawActor, RawContract, RawDemand, RawExpansion, RawFacility, RawHeader, RawLine,
    RawLineProduct, RawPolicy, RawProduct, RawRemove, RawRoute, RawScenario, Schedule, Sp,
};
use crate::source::{FileId, Loc};
use crate::tree::{Array, Entry, Node, Span, Table, Value};

mod assumption;
mod uncertainty;

pub(crate) use assumption::{RawAssumption, TargetField, TARGET_FIELDS};

/// Ids that the policy language reserves (spec section 7).
pub(crate) const RESERVED: &[&str] = &["belligerent", "*"];

/// Whether `id` is a well-formed id: non-empty, `[A-Za-z0-9_.:-]+`.
pub(crate) fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'))
}

/// The allowed range of a number.
#[derive(Clone, Copy)]
enum Range {
    /// `>= 0`.
    NonNegative,
    /// `> 0`.
    Positive,
    /// `>= 0` and `<= 1` (a probability).
    UnitInterval,
}

impl Range {
    fn contains(self, value: f64) -> bool {
        match self {
            Range::NonNegative => value >= 0.0,
            Range::Positive => value > 0.0,
            Range::UnitInterval => (0.0..=1.0).contains(&value),
        }
    }
}

/// Reads a document tree into a [`RawScenario`], recording problems.
pub(crate) fn read_document(root: &Node, file: FileId, problems: &mut Vec<Problem>) -> RawScenario {
    let mut reader = Reader { file, problems };
    reader.document(root)
}

struct Reader<'p> {
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

    fn unknown_field(&mut self, entry: &Entry, known: &[&str], entity: &str, table: &str) {
        let at = self.loc(entry.key_span);
        let hint = match nearest(&entry.key, known.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("{table} fields are: {}", known.join(", ")),
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
        if ok {
            Field::Valid(Sp {
                value: list,
                at: self.loc(entry.node.span),
            })
        } else {
            Field::Invalid
        }
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
        if ok {
            Field::Valid(Sp {
                value: list,
                at: self.loc(entry.node.span),
            })
        } else {
            Field::Invalid
        }
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
                    raw.header = self.header(&entry.node);
                }
                "actor" => raw.actors = self.entities(entry, Self::actor),
                "product" => raw.products = self.entities(entry, Self::product),
                "facility" => raw.facilities = self.entities(entry, Self::facility),
                "route" => raw.routes = self.entities(entry, Self::route),
                "demand" => raw.demands = self.entities(entry, Self::demand),
                "contract" => raw.contracts = self.entities(entry, Self::contract),
                "policy" => raw.policies = self.entities(entry, Self::policy),
                "uncertainty" => raw.uncertainty = self.entities(entry, Self::uncertainty),
                "assumption" => raw.assumptions = self.entities(entry, Self::assumption),
                "remove" => {
                    if let Some(remove) = self.remove(&entry.node) {
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
        let problem = if is_table {
            let hint = match nearest(&entry.key, fields::TOP.iter().copied()) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("top-level tables are: {}", fields::TOP.join(", ")),
            };
            Problem::error(
                Code::UnknownTable,
                at,
                format!("unknown top-level table `{}`", entry.key),
            )
            .hint(hint)
        } else {
            let hint = if fields::SCENARIO.contains(&&*entry.key) {
                "scenario settings belong under [scenario]".to_owned()
            } else {
                format!("top-level tables are: {}", fields::TOP.join(", "))
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

    /// The items of `[[kind]]`, each expected to be a table.
    /// Reads every table of an array of tables (`[[kind]]`) with `read`,
    /// keeping those that could be read (the others left diagnostics).
    fn entities<T>(
        &mut self,
        entry: &Entry,
        read: impl Fn(&mut Self, &Node, usize) -> Option<T>,
    ) -> Vec<T> {
        let nodes = self.array_of_tables(entry);
        nodes
            .iter()
            .enumerate()
            .filter_map(|(i, node)| read(self, node, i))
            .collect()
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

    fn header(&mut self, node: &Node) -> RawHeader {
        let entity = "scenario";
        let mut header = RawHeader::default();
        let Some(entries) = self.table(node, "scenario", entity) else {
            return header;
        };
        for entry in entries {
            match &*entry.key {
                "name" => header.name = self.string(entry, entity),
                "start" => header.start = self.string(entry, entity),
                "period" => header.period = self.period(entry, entity),
                "periods" => {
                    header.periods = self.integer(entry, entity);
                    if let Field::Valid(sp) = &header.periods {
                        if sp.value == 0 || sp.value > crate::MAX_PERIODS {
                            let message = format!(
                                "`periods` must be between 1 and {}, found {}",
                                crate::MAX_PERIODS,
                                sp.value
                            );
                            self.error(Code::OutOfRange, entry.node.span, entity, message);
                            header.periods = Field::Invalid;
                        }
                    }
                }
                "currency" => header.currency = self.string(entry, entity),
                "description" => header.description = self.string(entry, entity),
                "default_lead_time" => header.default_lead_time = self.integer(entry, entity),
                "default_unit_cost" => {
                    header.default_unit_cost = self.number(entry, Range::NonNegative, entity)
                }
                "extends" => header.extends = self.string(entry, entity),
                _ => self.unknown_field(entry, fields::SCENARIO, entity, "[scenario]"),
            }
        }
        header
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

    /// `kind "id"` from an entity's `id`, or `kind #n` when it has none.
    fn entity_name(entries: &[Entry], kind: &str, index: usize) -> String {
        match find(entries, "id").and_then(string_of) {
            Some(id) if !id.is_empty() => format!("{kind} \"{id}\""),
            _ => format!("{kind} #{}", index + 1),
        }
    }

    fn actor(&mut self, node: &Node, index: usize) -> Option<RawActor> {
        let fallback = || format!("actor #{}", index + 1);
        let entries = self.item(node, "actor", fallback)?;
        let entity = Self::entity_name(entries, "actor", index);
        let mut actor = RawActor {
            at: self.loc(node.span),
            entity: entity.clone(),
            id: Field::Missing,
            name: Field::Missing,
            blocs: Field::Missing,
            belligerent: Field::Missing,
        };
        for entry in entries {
            match &*entry.key {
                "id" => {
                    // Reserved words are checked first: "*" is also bad id
                    // syntax, but "reserved" says more.
                    actor.id = self.string(entry, &entity);
                    if let Field::Valid(sp) = &actor.id {
                        if RESERVED.contains(&sp.value.as_str()) {
                            self.reserved(&sp.value, sp.at, &entity, "an actor id");
                            actor.id = Field::Invalid;
                        } else if !is_valid_id(&sp.value) {
                            self.invalid_id(&sp.value, entry.node.span, &entity);
                            actor.id = Field::Invalid;
                        }
                    }
                }
                "name" => actor.name = self.string(entry, &entity),
                "blocs" => {
                    actor.blocs = self.string_list(entry, false, &entity);
                    // Bloc ids follow id syntax and are not reserved words.
                    if let Field::Valid(sp) = &actor.blocs {
                        let mut ok = true;
                        for bloc in sp.value.clone() {
                            if RESERVED.contains(&bloc.value.as_str()) {
                                self.reserved(&bloc.value, bloc.at, &entity, "a bloc id");
                                ok = false;
                            } else if !is_valid_id(&bloc.value) {
                                self.invalid_id(&bloc.value, bloc.at.span, &entity);
                                ok = false;
                            }
                        }
                        if !ok {
                            actor.blocs = Field::Invalid;
                        }
                    }
                }
                "belligerent" => actor.belligerent = self.boolean(entry, &entity),
                _ => self.unknown_field(entry, fields::ACTOR, &entity, "[[actor]]"),
            }
        }
        Some(actor)
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

    fn product(&mut self, node: &Node, index: usize) -> Option<RawProduct> {
        let fallback = || format!("product #{}", index + 1);
        let entries = self.item(node, "product", fallback)?;
        let entity = Self::entity_name(entries, "product", index);
        let mut product = RawProduct {
            at: self.loc(node.span),
            entity: entity.clone(),
            id: Field::Missing,
            name: Field::Missing,
            unit: Field::Missing,
            inputs: Field::Missing,
        };
        for entry in entries {
            match &*entry.key {
                "id" => product.id = self.id(entry, &entity),
                "name" => product.name = self.string(entry, &entity),
                "unit" => product.unit = self.string(entry, &entity),
                "inputs" => product.inputs = self.quantities(entry, Range::Positive, &entity),
                _ => self.unknown_field(entry, fields::PRODUCT, &entity, "[[product]]"),
            }
        }
        Some(product)
    }

    fn facility(&mut self, node: &Node, index: usize) -> Option<RawFacility> {
        let fallback = || format!("facility #{}", index + 1);
        let entries = self.item(node, "facility", fallback)?;
        let entity = Self::entity_name(entries, "facility", index);
        let mut facility = RawFacility {
            at: self.loc(node.span),
            entity: entity.clone(),
            id: Field::Missing,
            name: Field::Missing,
            actor: Field::Missing,
            holding_cost: Field::Missing,
            stock: Field::Missing,
            lines: Vec::new(),
            expansions: Vec::new(),
        };
        for entry in entries {
            match &*entry.key {
                "id" => facility.id = self.id(entry, &entity),
                "name" => facility.name = self.string(entry, &entity),
                "actor" => facility.actor = self.string(entry, &entity),
                "holding_cost" => {
                    facility.holding_cost = self.number(entry, Range::NonNegative, &entity)
                }
                "stock" => facility.stock = self.quantities(entry, Range::NonNegative, &entity),
                "line" => {
                    for (i, item) in self.array_of_tables(entry).iter().enumerate() {
                        if let Some(line) = self.line(item, i, &entity) {
                            facility.lines.push(line);
                        }
                    }
                }
                "expansion" => {
                    for (i, item) in self.array_of_tables(entry).iter().enumerate() {
                        if let Some(expansion) = self.expansion(item, i, &entity) {
                            facility.expansions.push(expansion);
                        }
                    }
                }
                _ => self.unknown_field(entry, fields::FACILITY, &entity, "[[facility]]"),
            }
        }
        Some(facility)
    }

    fn line(&mut self, node: &Node, index: usize, facility: &str) -> Option<RawLine> {
        let fallback = || format!("{facility} line #{}", index + 1);
        let entries = self.item(node, "line", fallback)?;
        let entity = format!("{facility} {}", Self::entity_name(entries, "line", index));
        let mut line = RawLine {
            at: self.loc(node.span),
            entity: entity.clone(),
            id: Field::Missing,
            capacity: Field::Missing,
            products: Field::Missing,
        };
        for entry in entries {
            match &*entry.key {
                "id" => line.id = self.id(entry, &entity),
                "capacity" => line.capacity = self.schedule(entry, &entity),
                "products" => line.products = self.line_products(entry, &entity),
                _ => self.unknown_field(entry, fields::LINE, &entity, "[[facility.line]]"),
            }
        }
        Some(line)
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
                        self.unknown_field(field, fields::LINE_PRODUCT, entity, &table);
                        ok = false;
                    }
                }
            }
            list.push(product);
        }
        if ok {
            Field::Valid(Sp {
                value: list,
                at: self.loc(entry.node.span),
            })
        } else {
            Field::Invalid
        }
    }

    fn expansion(&mut self, node: &Node, index: usize, facility: &str) -> Option<RawExpansion> {
        let fallback = || format!("{facility} expansion #{}", index + 1);
        let entries = self.item(node, "expansion", fallback)?;
        let entity = format!(
            "{facility} {}",
            Self::entity_name(entries, "expansion", index)
        );
        let mut expansion = RawExpansion {
            at: self.loc(node.span),
            entity: entity.clone(),
            id: Field::Missing,
            line: Field::Missing,
            capacity: Field::Missing,
            lead_time: Field::Missing,
            capex: Field::Missing,
            earliest: Field::Missing,
            latest: Field::Missing,
            integer: Field::Missing,
        };
        for entry in entries {
            match &*entry.key {
                "id" => expansion.id = self.id(entry, &entity),
                "line" => expansion.line = self.string(entry, &entity),
                "capacity" => expansion.capacity = self.number(entry, Range::NonNegative, &entity),
                "lead_time" => expansion.lead_time = self.integer(entry, &entity),
                "capex" => expansion.capex = self.number(entry, Range::NonNegative, &entity),
                "earliest" => expansion.earliest = self.string(entry, &entity),
                "latest" => expansion.latest = self.string(entry, &entity),
                "integer" => expansion.integer = self.boolean(entry, &entity),
                _ => {
                    self.unknown_field(entry, fields::EXPANSION, &entity, "[[facility.expansion]]")
                }
            }
        }
        Some(expansion)
    }

    fn route(&mut self, node: &Node, index: usize) -> Option<RawRoute> {
        let fallback = || format!("route #{}", index + 1);
        let entries = self.item(node, "route", fallback)?;
        let entity = match (
            find(entries, "from").and_then(string_of),
            find(entries, "to").and_then(string_of),
        ) {
            (Some(from), Some(to)) => format!("route \"{from}->{to}\""),
            _ => fallback(),
        };
        let mut route = RawRoute {
            at: self.loc(node.span),
            entity: entity.clone(),
            from: Field::Missing,
            to: Field::Missing,
            lead_time: Field::Missing,
            unit_cost: Field::Missing,
        };
        for entry in entries {
            match &*entry.key {
                "from" => route.from = self.string(entry, &entity),
                "to" => route.to = self.string(entry, &entity),
                "lead_time" => route.lead_time = self.integer(entry, &entity),
                "unit_cost" => route.unit_cost = self.number(entry, Range::NonNegative, &entity),
                _ => self.unknown_field(entry, fields::ROUTE, &entity, "[[route]]"),
            }
        }
        Some(route)
    }

    fn demand(&mut self, node: &Node, index: usize) -> Option<RawDemand> {
        let fallback = || format!("demand #{}", index + 1);
        let entries = self.item(node, "demand", fallback)?;
        let entity = Self::entity_name(entries, "demand", index);
        let mut demand = RawDemand {
            at: self.loc(node.span),
            entity: entity.clone(),
            id: Field::Missing,
            buyer: Field::Missing,
            end_user: Field::Missing,
            product: Field::Missing,
            quantity: Field::Missing,
            penalty: Field::Missing,
            backlog: Field::Missing,
        };
        for entry in entries {
            match &*entry.key {
                "id" => demand.id = self.id(entry, &entity),
                "buyer" => demand.buyer = self.string(entry, &entity),
                "end_user" => demand.end_user = self.string(entry, &entity),
                "product" => demand.product = self.string(entry, &entity),
                "quantity" => demand.quantity = self.schedule(entry, &entity),
                "penalty" => demand.penalty = self.number(entry, Range::Positive, &entity),
                "backlog" => demand.backlog = self.boolean(entry, &entity),
                _ => self.unknown_field(entry, fields::DEMAND, &entity, "[[demand]]"),
            }
        }
        Some(demand)
    }

    fn contract(&mut self, node: &Node, index: usize) -> Option<RawContract> {
        let fallback = || format!("contract #{}", index + 1);
        let entries = self.item(node, "contract", fallback)?;
        let entity = Self::entity_name(entries, "contract", index);
        let mut contract = RawContract {
            at: self.loc(node.span),
            entity: entity.clone(),
            id: Field::Missing,
            facility: Field::Missing,
            buyer: Field::Missing,
            product: Field::Missing,
            quantity: Field::Missing,
            penalty: Field::Missing,
            price: Field::Missing,
        };
        for entry in entries {
            match &*entry.key {
                "id" => contract.id = self.id(entry, &entity),
                "facility" => contract.facility = self.string(entry, &entity),
                "buyer" => contract.buyer = self.string(entry, &entity),
                "product" => contract.product = self.string(entry, &entity),
                "quantity" => contract.quantity = self.schedule(entry, &entity),
                "penalty" => contract.penalty = self.number(entry, Range::NonNegative, &entity),
                "price" => contract.price = self.number(entry, Range::NonNegative, &entity),
                _ => self.unknown_field(entry, fields::CONTRACT, &entity, "[[contract]]"),
            }
        }
        Some(contract)
    }

    fn policy(&mut self, node: &Node, index: usize) -> Option<RawPolicy> {
        let fallback = || format!("policy #{}", index + 1);
        let entries = self.item(node, "policy", fallback)?;
        let entity = Self::entity_name(entries, "policy", index);
        let mut policy = RawPolicy {
            at: self.loc(node.span),
            entity: entity.clone(),
            id: Field::Missing,
            name: Field::Missing,
            scope: Field::Missing,
            deny_export: Field::Missing,
            deny_import: Field::Missing,
            deny_end_use: Field::Missing,
        };
        for entry in entries {
            match &*entry.key {
                "id" => policy.id = self.id(entry, &entity),
                "name" => policy.name = self.string(entry, &entity),
                "scope" => policy.scope = self.string(entry, &entity),
                "deny_export" => policy.deny_export = self.string_list(entry, false, &entity),
                "deny_import" => policy.deny_import = self.string_list(entry, false, &entity),
                "deny_end_use" => policy.deny_end_use = self.string_list(entry, false, &entity),
                _ => self.unknown_field(entry, fields::POLICY, &entity, "[[policy]]"),
            }
        }
        Some(policy)
    }

    fn remove(&mut self, node: &Node) -> Option<RawRemove> {
        let entity = "remove";
        let entries = self.table(node, "remove", entity)?;
        let mut remove = RawRemove::default();
        for entry in entries {
            let list = match &*entry.key {
                "actors" => &mut remove.actors,
                "products" => &mut remove.products,
                "facilities" => &mut remove.facilities,
                "demands" => &mut remove.demands,
                "contracts" => &mut remove.contracts,
                "policies" => &mut remove.policies,
                "routes" => &mut remove.routes,
                "uncertainty" => &mut remove.uncertainty,
                _ => {
                    self.unknown_field(entry, fields::REMOVE, entity, "[remove]");
                    continue;
                }
            };
            if let Field::Valid(sp) = self.string_list(entry, false, entity) {
                *list = sp.value;
            }
        }
        Some(remove)
    }
}
