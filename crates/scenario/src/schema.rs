//! The fields of the scenario format, each named once.
//!
//! One table per kind of entity ([`SCENARIO`], [`ACTOR`], [`PRODUCT`],
//! [`FACILITY`], [`LINE`], [`LINE_PRODUCT`], [`EXPANSION`], [`ROUTE`],
//! [`DEMAND`], [`CONTRACT`], [`POLICY`], [`UNCERTAINTY`], [`ASSUMPTION`],
//! [`REMOVE`]) gives
//! every field's name, kind, whether it is required or what it defaults
//! to, its unit and a description. Everything that knows field names reads
//! them from here:
//! - the reader (`read.rs`): which fields a table has, how each is read,
//!   "unknown field" diagnostics with their "did you mean" hints;
//! - the checks on the merged scenario (`validate.rs`): the missing
//!   required fields;
//! - the writer (`write.rs`): the name of every key it writes;
//! - `caisson-sheets`: the columns of a workbook, their units and types.
//!
//! Each table is declared with the `schema!` macro, which also makes the
//! crate's file-format struct of the entity (`RawActor`, ... with one
//! `Field` per field), so that a field added to a table is read, merged
//! and checked without another list to keep in step. Rules that belong to
//! one entity (references, uniqueness, windows, the kind-dependent fields
//! of an uncertainty entry) stay in `validate.rs`.
//!
//! A new kind of entity is one `schema!` block here, a `Vec` of it in
//! `RawScenario`, its line in `DOCUMENT`, its arm in `read::Reader::document`
//! and in `merge::merge`, and its checks in `validate`.

use crate::raw::Field;
use crate::read::kinds::{
    Bool, Count, DistributionField, Id, IdList, Integer, KindField, Label, LineProducts, List,
    Number, PartyId, PartyIds, PeriodName, PeriodRange, Quantities, Range, ReadField, Reference,
    Schedule, Targets, Text,
};
use crate::read::Reader;
use crate::source::Loc;
use crate::tree::Entry;

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Free text.
    Text,
    /// The entity's own id: non-empty, `[A-Za-z0-9_.:-]+`.
    Id,
    /// The id of another entity (or a party: an actor or a bloc).
    Reference,
    /// A period label such as `"2025-01"`, `"2025-Q1"` or `"2025"`.
    Label,
    /// A finite number.
    Number,
    /// A whole number, at least 0.
    Integer,
    /// `true` or `false`.
    Bool,
    /// One of the names listed.
    Choice(&'static [&'static str]),
    /// A list of ids (or, in a policy, of selectors).
    List,
    /// `"*"` (every entity of the kind) or a list of ids.
    Targets,
    /// A whole number of periods, or a range `[min, max]` of them.
    PeriodRange,
    /// A schedule: one number, or a table of period label = number.
    Schedule,
    /// A table of id = number.
    Quantities,
    /// A table of id = table, each inner table with the fields given.
    Table(&'static EntitySchema),
    /// An array of tables (`[[parent.name]]`), each an entity as given.
    Entities(&'static EntitySchema),
}

/// Whether a field must be written, and what it means when it is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// A missing field is an error.
    Required,
    /// A missing field takes this value (described in words or as TOML).
    Default(&'static str),
    /// Checked by the rules of the entity (e.g. per `kind`), not here.
    Depends(&'static str),
}

/// The unit of a field's values, as a spreadsheet header shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// No unit.
    None,
    /// A fixed unit, e.g. `periods`.
    Fixed(&'static str),
    /// The scenario's currency followed by this, e.g. `/unit`.
    Money(&'static str),
}

/// One field of a table of the scenario format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSchema {
    /// The key in the file.
    pub name: &'static str,
    /// What it holds.
    pub kind: FieldKind,
    /// Required, or its default.
    pub presence: Presence,
    /// The unit of its values.
    pub unit: Unit,
    /// What it means.
    pub description: &'static str,
}

impl FieldSchema {
    /// Whether a missing field is an error.
    pub fn is_required(&self) -> bool {
        self.presence == Presence::Required
    }
}

/// One table of the scenario format: `[scenario]`, an entity such as
/// `[[actor]]`, or `[remove]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntitySchema {
    /// The entity's name in diagnostics (`actor "DEU"`), and its key under
    /// its parent (`[[actor]]`, `[[facility.line]]`).
    pub name: &'static str,
    /// The table as diagnostics name it, e.g. `[[facility.line]]`.
    pub table: &'static str,
    /// Its key in `[remove]` (e.g. `actors`); empty for a table that is
    /// not an entity.
    pub plural: &'static str,
    /// One of them in words, e.g. `uncertainty entry`.
    pub noun: &'static str,
    /// The fields that identify an entity: its `id`, or `from` and `to`
    /// for a route; empty for a table that is not an entity.
    pub key: &'static [&'static str],
    /// Every field, in the order the format lists them.
    pub fields: &'static [FieldSchema],
}

impl EntitySchema {
    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&'static FieldSchema> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The names of the fields, in order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + Clone {
        self.fields.iter().map(|f| f.name)
    }
}

/// A file-format struct made by `schema!`: reads its fields from a table's
/// entries and tells which required ones are missing.
pub(crate) trait Fields {
    /// The table of its fields.
    const SCHEMA: &'static EntitySchema;

    /// Reads `entry` into its field; false when no field has its key.
    fn read_field(&mut self, reader: &mut Reader, entry: &Entry, entity: &str) -> bool;

    /// The required fields that are not written (in table order).
    fn missing(&self) -> Vec<&'static str>;

    /// The fields written validly, with where, in table order.
    fn written(&self) -> Vec<(&'static str, Loc)>;
}

/// An entity of an array of tables (`[[actor]]`, `[[facility.line]]`).
pub(crate) trait Entity: Fields + Sized {
    /// An entity with no field written yet, at `at`, named `entity` in
    /// diagnostics.
    fn new(at: Loc, entity: String) -> Self;

    /// Sets the name diagnostics give it (known once its fields are read).
    fn set_entity(&mut self, entity: String);
}

/// `Field::sp().map(at)`, for the generated `written`.
fn at<T>(field: &Field<T>) -> Option<Loc> {
    field.sp().map(|sp| sp.at)
}

/// Declares one table: its `EntitySchema` constant, a module with one
/// `FieldSchema` constant per field (so that code naming a field is
/// checked by the compiler), and its file-format struct with the trait
/// impls that read it.
///
/// Each field is `name: Kind(args), presence, unit, "description";`
/// where `Kind` is one of the readers of `read::kinds` (it gives both the
/// Rust type of the value and the [`FieldKind`]).
macro_rules! schema {
    // An entity of an array of tables: the struct has where the entity
    // starts (`at`) and its name in diagnostics (`entity`), and may hold
    // child arrays of tables.
    (
        $(#[$meta:meta])*
        entity $Raw:ident = $SCHEMA:ident in $module:ident {
            name: $name:literal, table: $table:literal, plural: $plural:literal,
            noun: $noun:literal, key: [$($key:literal),*],
            fields {
                $($field:ident: $Kind:ident $(($($arg:expr),*))?, $presence:expr, $unit:expr,
                    $description:literal;)*
            }
            $(children {
                $($child_key:ident => $child:ident: $Child:ident = $CHILD:ident, $child_description:literal;)*
            })?
        }
    ) => {
        schema!(@consts $SCHEMA $module $name $table $plural $noun [$($key),*]
            { $($field $Kind $presence, $unit, $description;)* }
            { $($($child_key $CHILD $child_description;)*)? });

        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub(crate) struct $Raw {
            /// Where the entity's table starts.
            pub at: Loc,
            /// The entity as diagnostics name it, e.g. `actor "DEU"`.
            pub entity: String,
            $(pub $field: Field<<$Kind as ReadField>::Out>,)*
            $($(pub $child: Vec<$Child>,)*)?
        }

        impl Entity for $Raw {
            fn new(at: Loc, entity: String) -> Self {
                $Raw {
                    at,
                    entity,
                    $($field: Field::Missing,)*
                    $($($child: Vec::new(),)*)?
                }
            }

            fn set_entity(&mut self, entity: String) {
                self.entity = entity;
            }
        }

        schema!(@fields $Raw $SCHEMA { $($field [$Kind $(($($arg),*))?] $presence;)* }
            { $($($child_key $child $Child;)*)? });
    };

    // A table that is not an entity (`[scenario]`, `[remove]`).
    (
        $(#[$meta:meta])*
        table $Raw:ident = $SCHEMA:ident in $module:ident {
            name: $name:literal, table: $table:literal,
            fields {
                $($field:ident: $Kind:ident $(($($arg:expr),*))?, $presence:expr, $unit:expr,
                    $description:literal;)*
            }
        }
    ) => {
        schema!(@consts $SCHEMA $module $name $table "" $name []
            { $($field $Kind $presence, $unit, $description;)* } {});

        $(#[$meta])*
        #[derive(Debug, Clone, Default)]
        pub(crate) struct $Raw {
            $(pub $field: Field<<$Kind as ReadField>::Out>,)*
        }

        impl $Raw {
            /// This table written over `base`: each field written here
            /// replaces the base's (how a variant's `[scenario]` merges).
            #[allow(dead_code)]
            pub(crate) fn over(self, base: Self) -> Self {
                $Raw {
                    $($field: if self.$field.is_present() { self.$field } else { base.$field },)*
                }
            }
        }

        schema!(@fields $Raw $SCHEMA { $($field [$Kind $(($($arg),*))?] $presence;)* } {});
    };

    (@consts $SCHEMA:ident $module:ident $name:literal $table:literal $plural:literal
        $noun:literal [$($key:literal),*]
        { $($field:ident $Kind:ident $presence:expr, $unit:expr, $description:literal;)* }
        { $($child_key:ident $CHILD:ident $child_description:literal;)* }
    ) => {
        /// The fields of
        #[doc = concat!("`", $table, "`")]
        /// one constant each, for code that names a field.
        #[allow(non_upper_case_globals)]
        pub mod $module {
            use super::*;
            $(
                #[doc = $description]
                pub const $field: FieldSchema = FieldSchema {
                    name: stringify!($field),
                    kind: <$Kind as ReadField>::KIND,
                    presence: $presence,
                    unit: $unit,
                    description: $description,
                };
            )*
            $(
                #[doc = $child_description]
                pub const $child_key: FieldSchema = FieldSchema {
                    name: stringify!($child_key),
                    kind: FieldKind::Entities(&$CHILD),
                    presence: Presence::Default("none"),
                    unit: Unit::None,
                    description: $child_description,
                };
            )*
        }

        #[doc = concat!("The fields of `", $table, "`.")]
        pub const $SCHEMA: EntitySchema = EntitySchema {
            name: $name,
            table: $table,
            plural: $plural,
            noun: $noun,
            key: &[$($key),*],
            fields: &[$($module::$field,)* $($module::$child_key,)*],
        };
    };

    (@fields $Raw:ident $SCHEMA:ident
        { $($field:ident [$($read:tt)*] $presence:expr;)* }
        { $($child_key:ident $child:ident $Child:ident;)* }
    ) => {
        impl Fields for $Raw {
            const SCHEMA: &'static EntitySchema = &$SCHEMA;

            fn read_field(&mut self, reader: &mut Reader, entry: &Entry, entity: &str) -> bool {
                match &*entry.key {
                    $(stringify!($field) => {
                        self.$field = $($read)*.read(reader, entry, entity);
                    })*
                    $(stringify!($child_key) => {
                        let children: Vec<$Child> = reader.children(entry, entity);
                        self.$child.extend(children);
                    })*
                    _ => return false,
                }
                true
            }

            fn missing(&self) -> Vec<&'static str> {
                let mut missing = Vec::new();
                $(
                    if $presence == Presence::Required && !self.$field.is_present() {
                        missing.push(stringify!($field));
                    }
                )*
                missing
            }

            fn written(&self) -> Vec<(&'static str, Loc)> {
                [$((stringify!($field), at(&self.$field)),)*]
                    .into_iter()
                    .filter_map(|(name, at)| Some((name, at?)))
                    .collect()
            }
        }
    };
}

use Presence::{Default as Or, Depends, Required};
use Unit::{Fixed, Money, None as NoUnit};

schema! {
    /// `[scenario]`.
    table RawHeader = SCENARIO in scenario {
        name: "scenario", table: "[scenario]",
        fields {
            name: Text, Required, NoUnit, "The scenario's name.";
            start: Label, Required, Fixed("period"), "The label of the first period.";
            period: PeriodName, Or("\"month\""), NoUnit,
                "The length of a period: \"month\", \"quarter\" or \"year\".";
            periods: Count(1, crate::MAX_PERIODS), Required, NoUnit,
                "The number of periods of the horizon (N >= 1).";
            currency: Text, Or("\"EUR\""), NoUnit, "The currency of every cost.";
            description: Text, Or("none"), NoUnit, "Free text about the scenario.";
            default_lead_time: Integer, Or("0"), Fixed("periods"),
                "The lead time between two actors with no route.";
            default_unit_cost: Number(Range::NonNegative), Or("0"), Money("/unit"),
                "The cost per unit shipped between two actors with no route.";
            extends: Text, Or("none"), NoUnit,
                "The file this one is a variant of (a path relative to this file).";
        }
    }
}

schema! {
    /// `[[actor]]`.
    entity RawActor = ACTOR in actor {
        name: "actor", table: "[[actor]]", plural: "actors", noun: "actor", key: ["id"],
        fields {
            id: PartyId("an actor id"), Required, NoUnit,
                "The actor's id (not \"belligerent\" or \"*\").";
            name: Text, Or("the id"), NoUnit, "The actor's name.";
            blocs: PartyIds("a bloc id"), Or("[]"), NoUnit, "The blocs the actor belongs to.";
            belligerent: Bool, Or("false"), NoUnit, "Whether it is party to an armed conflict.";
        }
    }
}

schema! {
    /// `[[product]]`.
    entity RawProduct = PRODUCT in product {
        name: "product", table: "[[product]]", plural: "products", noun: "product",
        key: ["id"],
        fields {
            id: Id, Required, NoUnit, "The product's id.";
            name: Text, Or("the id"), NoUnit, "The product's name.";
            unit: Text, Or("\"unit\""), NoUnit, "What one unit of it is.";
            inputs: Quantities(Range::Positive), Or("{}"), Fixed("input units/unit"),
                "The components used per unit made: component product id = quantity.";
            att_category: Text, Or("none"), NoUnit,
                "Its Arms Trade Treaty reporting category, for the ledger's reports (e.g. \"ammunition\").";
        }
    }
}

schema! {
    /// `[[facility]]` with its lines and expansions.
    entity RawFacility = FACILITY in facility {
        name: "facility", table: "[[facility]]", plural: "facilities", noun: "facility",
        key: ["id"],
        fields {
            id: Id, Required, NoUnit, "The facility's id.";
            name: Text, Or("the id"), NoUnit, "The facility's name.";
            actor: Reference, Required, NoUnit, "The actor whose territory and law apply.";
            holding_cost: Number(Range::NonNegative), Or("0"), Money("/unit/period"),
                "The cost of holding a unit of any product for a period.";
            stock: Quantities(Range::NonNegative), Or("{}"), Fixed("units"),
                "The initial stock: product id = quantity.";
        }
        children {
            line => lines: RawLine = LINE, "The production lines.";
            expansion => expansions: RawExpansion = EXPANSION, "The ramp-up options.";
        }
    }
}

schema! {
    /// `[[facility.line]]`.
    entity RawLine = LINE in line {
        name: "line", table: "[[facility.line]]", plural: "lines", noun: "line", key: ["id"],
        fields {
            id: Id, Required, NoUnit, "The line's id, unique within its facility.";
            capacity: Schedule, Required, Fixed("capacity units"),
                "The capacity units available per period.";
            products: LineProducts, Required, NoUnit,
                "The products it can make: product id = { rate, cost }.";
        }
    }
}

/// One entry of a line's `products` (`product = { rate = r, cost = c }`).
pub const LINE_PRODUCT: EntitySchema = EntitySchema {
    name: "line product",
    table: "line product",
    plural: "",
    noun: "line product",
    key: &[],
    fields: &[
        FieldSchema {
            name: "rate",
            kind: FieldKind::Number,
            presence: Or("1"),
            unit: Fixed("capacity units/unit"),
            description: "The capacity units used per unit made (> 0).",
        },
        FieldSchema {
            name: "cost",
            kind: FieldKind::Number,
            presence: Or("0"),
            unit: Money("/unit"),
            description: "The cost of making one unit (>= 0).",
        },
    ],
};

schema! {
    /// `[[facility.expansion]]`.
    entity RawExpansion = EXPANSION in expansion {
        name: "expansion", table: "[[facility.expansion]]", plural: "expansions",
        noun: "expansion", key: ["id"],
        fields {
            id: Id, Required, NoUnit, "The expansion's id, unique across all facilities.";
            line: Reference, Required, NoUnit, "The line of this facility it expands.";
            capacity: Number(Range::NonNegative), Required, Fixed("capacity units/period"),
                "The capacity units added per period.";
            lead_time: Integer, Required, Fixed("periods"),
                "The periods from the decision to first use.";
            capex: Number(Range::NonNegative), Required, Money(""),
                "The one-off cost of deciding it.";
            earliest: Label, Or("the start"), Fixed("period"),
                "The first period in which it may be decided.";
            latest: Label, Or("the last period"), Fixed("period"),
                "The last period in which it may be decided.";
            integer: Bool, Or("true"), NoUnit,
                "Taken whole or not at all (true), or any fraction (false).";
        }
    }
}

schema! {
    /// `[[route]]`.
    entity RawRoute = ROUTE in route {
        name: "route", table: "[[route]]", plural: "routes", noun: "route",
        key: ["from", "to"],
        fields {
            from: Reference, Required, NoUnit, "The actor shipping.";
            to: Reference, Required, NoUnit, "The actor receiving.";
            lead_time: Integer, Or("0"), Fixed("periods"), "The periods a shipment travels.";
            unit_cost: Number(Range::NonNegative), Or("0"), Money("/unit"),
                "The cost per unit shipped.";
            since: Label, Or("the start"), Fixed("period"),
                "The first departure period in which the route is open (docs/windows.md).";
            until: Label, Or("the last period"), Fixed("period"),
                "The last departure period in which the route is open (inclusive).";
        }
    }
}

schema! {
    /// `[[demand]]`.
    entity RawDemand = DEMAND in demand {
        name: "demand", table: "[[demand]]", plural: "demands", noun: "demand", key: ["id"],
        fields {
            id: Id, Required, NoUnit, "The demand's id.";
            buyer: Reference, Required, NoUnit, "The actor who receives and pays.";
            end_user: Reference, Or("the buyer"), NoUnit, "The actor who finally uses it.";
            product: Reference, Required, NoUnit, "The product required.";
            quantity: Schedule, Required, Fixed("units"), "The units required per period.";
            penalty: Number(Range::Positive), Required, Money("/unit/period"),
                "The cost per unit short per period (> 0).";
            backlog: Bool, Or("true"), NoUnit,
                "What is short stays owed (true), or is lost (false).";
        }
    }
}

schema! {
    /// `[[contract]]`.
    entity RawContract = CONTRACT in contract {
        name: "contract", table: "[[contract]]", plural: "contracts", noun: "contract",
        key: ["id"],
        fields {
            id: Id, Required, NoUnit, "The contract's id.";
            facility: Reference, Required, NoUnit, "The supplying facility.";
            buyer: Reference, Required, NoUnit, "The actor buying.";
            product: Reference, Required, NoUnit, "The product supplied.";
            quantity: Schedule, Required, Fixed("units"),
                "The units committed per period.";
            penalty: Number(Range::NonNegative), Required, Money("/unit/period"),
                "The cost per unit of shortfall per period.";
            price: Number(Range::NonNegative), Or("0"), Money("/unit"),
                "The price per unit (reported, not optimised).";
        }
    }
}

schema! {
    /// `[[policy]]`.
    entity RawPolicy = POLICY in policy {
        name: "policy", table: "[[policy]]", plural: "policies", noun: "policy",
        key: ["id"],
        fields {
            id: Id, Required, NoUnit, "The policy's id.";
            name: Text, Or("the id"), NoUnit, "The policy's name.";
            scope: Reference, Required, NoUnit, "The actor or bloc it binds.";
            deny_export: List, Or("[]"), NoUnit, "Selectors of whom not to export to.";
            deny_import: List, Or("[]"), NoUnit, "Selectors of whom not to import from.";
            deny_end_use: List, Or("[]"), NoUnit, "Selectors of end users denied.";
            from: Label, Or("the start"), Fixed("period"),
                "The first period in which it binds (docs/windows.md).";
            until: Label, Or("the last period"), Fixed("period"),
                "The last period in which it binds (inclusive).";
        }
    }
}

schema! {
    /// `[[uncertainty]]` (an extension of the spec, `docs/uncertainty.md`).
    /// Which fields apply depends on `kind` and `distribution`; that is
    /// checked on the merged scenario (`validate/uncertainty.rs`).
    entity RawUncertainty = UNCERTAINTY in uncertainty {
        name: "uncertainty", table: "[[uncertainty]]", plural: "uncertainty",
        noun: "uncertainty entry", key: ["id"],
        fields {
            id: Id, Required, NoUnit, "The entry's id.";
            kind: KindField, Required, NoUnit, "What is uncertain.";
            demands: Targets, Depends("kind \"demand\""), NoUnit, "The demands it scales.";
            facilities: Targets, Depends("kinds \"outage\" and \"yield\""), NoUnit,
                "The facilities it affects.";
            actor: Reference, Depends("kinds \"outage\" and \"yield\""), NoUnit,
                "Every facility of this actor.";
            from: Reference, Depends("kind \"delay\""), NoUnit, "The routes from this actor.";
            to: Reference, Depends("kind \"delay\""), NoUnit, "The routes to this actor.";
            distribution: DistributionField,
                Depends("kinds \"demand\" and \"yield\""), NoUnit, "The distribution drawn from.";
            median: Number(Range::Positive), Depends("distribution"), NoUnit,
                "Lognormal: the median.";
            mean: Number(Range::Positive), Depends("distribution"), NoUnit,
                "Lognormal: the mean (instead of the median).";
            sigma: Number(Range::NonNegative), Depends("distribution"), NoUnit,
                "Lognormal: the sigma of the logarithm.";
            min: Number(Range::NonNegative), Depends("distribution"), NoUnit,
                "Triangular and uniform: the least value.";
            mode: Number(Range::NonNegative), Depends("distribution"), NoUnit,
                "Triangular: the most likely value.";
            max: Number(Range::NonNegative), Depends("distribution"), NoUnit,
                "Triangular and uniform: the greatest value.";
            shared: Bool, Depends("kind"), NoUnit,
                "One draw for every target (true) or one each (false).";
            probability: Number(Range::UnitInterval),
                Depends("kinds \"outage\", \"delay\" and \"political\""),
                NoUnit, "The chance per period that it starts (political: that the switch happens).";
            hazard: Number(Range::UnitInterval), Depends("kind \"political\""), Fixed("/year"),
                "Political: the chance per year that the switch happens.";
            since: Label, Depends("kind \"political\""), Fixed("period"),
                "Political: the first period in which the switch may happen.";
            until: Label, Depends("kind \"political\""), Fixed("period"),
                "Political: the last period in which the switch may happen.";
            start_policies: IdList, Depends("kind \"political\""), NoUnit,
                "Political: policies that bind from the switch on.";
            end_policies: IdList, Depends("kind \"political\""), NoUnit,
                "Political: policies that stop binding from the switch on.";
            exporter: Reference, Depends("kind \"political\""), NoUnit,
                "Political: the actor that stops exporting.";
            stops_exporting_to: List, Depends("kind \"political\""), NoUnit,
                "Political: selectors of whom the exporter stops exporting to.";
            close_routes: List, Depends("kind \"political\""), NoUnit,
                "Political: routes (\"FROM->TO\") that close from the switch on.";
            duration: PeriodRange(1), Depends("kind \"outage\""), Fixed("periods"),
                "How long an outage lasts.";
            extra: PeriodRange(1), Depends("kind \"delay\""), Fixed("periods"),
                "The periods a delay adds.";
        }
    }
}

schema! {
    /// `[[assumption]]`: a range for assumed figures (an extension of the
    /// spec, `docs/assumptions.md`). The target fields (`capacity` to
    /// `inputs`) are listed in `read::TARGET_FIELDS` order.
    entity RawAssumption = ASSUMPTION in assumption {
        name: "assumption", table: "[[assumption]]", plural: "assumptions",
        noun: "assumption", key: ["id"],
        fields {
            id: Id, Required, NoUnit, "The assumption's id.";
            reason: Text, Required, NoUnit,
                "Why the values are assumed and why the range is what it is.";
            low: Number(Range::NonNegative), Required, Fixed("x value"),
                "The low bound, as a factor on the values written (at most 1).";
            high: Number(Range::NonNegative), Required, Fixed("x value"),
                "The high bound, as a factor on the values written (at least 1).";
            capacity: IdList, Depends("at least one target field"), NoUnit,
                "Lines (\"facility.line\") whose capacity schedule it scales.";
            costs: IdList, Depends("at least one target field"), NoUnit,
                "Lines (\"facility.line\") whose products' unit costs it scales.";
            stock: IdList, Depends("at least one target field"), NoUnit,
                "Initial stocks (\"facility\" or \"facility.product\") it scales.";
            holding: IdList, Depends("at least one target field"), NoUnit,
                "Facilities whose holding cost it scales.";
            expansions: IdList, Depends("at least one target field"), NoUnit,
                "Expansions whose added capacity it scales.";
            capex: IdList, Depends("at least one target field"), NoUnit,
                "Expansions whose capex it scales.";
            demands: IdList, Depends("at least one target field"), NoUnit,
                "Demands whose quantity schedule it scales.";
            penalties: IdList, Depends("at least one target field"), NoUnit,
                "Demands whose penalty it scales.";
            contracts: IdList, Depends("at least one target field"), NoUnit,
                "Contracts whose quantity schedule it scales.";
            inputs: IdList, Depends("at least one target field"), NoUnit,
                "Inputs (\"product.input\") whose quantity per unit it scales.";
        }
    }
}

schema! {
    /// `[remove]` of a variant.
    table RawRemove = REMOVE in remove {
        name: "remove", table: "[remove]",
        fields {
            actors: List, Or("[]"), NoUnit, "Actors of the base to remove.";
            products: List, Or("[]"), NoUnit, "Products of the base to remove.";
            facilities: List, Or("[]"), NoUnit, "Facilities of the base to remove.";
            demands: List, Or("[]"), NoUnit, "Demands of the base to remove.";
            contracts: List, Or("[]"), NoUnit, "Contracts of the base to remove.";
            policies: List, Or("[]"), NoUnit, "Policies of the base to remove.";
            routes: List, Or("[]"), NoUnit, "Routes of the base to remove, as \"FROM->TO\".";
            uncertainty: List, Or("[]"), NoUnit, "Uncertainty entries of the base to remove.";
        }
    }
}

/// The top-level tables of a scenario file, in the order the format lists
/// them.
pub const DOCUMENT: &[&EntitySchema] = &[
    &SCENARIO,
    &ACTOR,
    &PRODUCT,
    &FACILITY,
    &ROUTE,
    &DEMAND,
    &CONTRACT,
    &POLICY,
    &UNCERTAINTY,
    &ASSUMPTION,
    &REMOVE,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_names_each_field_once() {
        let mut tables: Vec<&EntitySchema> = DOCUMENT.to_vec();
        tables.extend([&LINE, &EXPANSION, &LINE_PRODUCT]);
        for table in tables {
            let mut names: Vec<&str> = table.names().collect();
            let count = names.len();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), count, "{} repeats a field", table.table);
            for key in table.key {
                assert!(table.field(key).is_some(), "{}: key {key}", table.table);
            }
        }
    }

    #[test]
    fn tables_describe_their_fields() {
        assert_eq!(
            DEMAND
                .field("penalty")
                .map(|f| (f.kind, f.presence, f.unit)),
            Some((FieldKind::Number, Required, Money("/unit/period")))
        );
        assert_eq!(
            FACILITY.field("line").map(|f| f.kind),
            Some(FieldKind::Entities(&LINE))
        );
        assert_eq!(
            LINE.field("products").map(|f| f.kind),
            Some(FieldKind::Table(&LINE_PRODUCT))
        );
        assert_eq!(
            SCENARIO.field("period").map(|f| f.kind),
            Some(FieldKind::Choice(&["month", "quarter", "year"]))
        );
        assert_eq!(
            UNCERTAINTY.field("kind").map(|f| f.kind),
            Some(FieldKind::Choice(&[
                "demand",
                "outage",
                "yield",
                "delay",
                "political"
            ]))
        );
        assert!(DOCUMENT.iter().all(|t| !t.table.is_empty()));
    }
}
