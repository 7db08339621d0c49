//! The workbook layout of a scenario: which sheets, which columns, their
//! units and types. Export and import both read this table, so the two
//! directions cannot drift apart.

use caisson_scenario::schema::{
    self, actor, assumption, contract, demand, expansion, facility, line, policy, product, route,
    scenario, uncertainty, EntitySchema, FieldKind, FieldSchema, Presence, Unit, LINE_PRODUCT,
};

use crate::sheet::{Column, Style};

/// Sheet of the `[scenario]` settings, as field/value rows.
pub const SCENARIO: &str = "scenario";
/// `[[actor]]`.
pub const ACTORS: &str = "actors";
/// `[[product]]` without its inputs.
pub const PRODUCTS: &str = "products";
/// Product `inputs` (bill of materials): one row per component.
pub const INPUTS: &str = "inputs";
/// `[[facility]]` without stock, lines and expansions.
pub const FACILITIES: &str = "facilities";
/// Facility `stock`: one row per product held.
pub const STOCK: &str = "stock";
/// `[[facility.line]]` with the capacity schedule as period columns.
pub const LINES: &str = "lines";
/// Line `products`: one row per product a line can make.
pub const LINE_PRODUCTS: &str = "line_products";
/// `[[facility.expansion]]`.
pub const EXPANSIONS: &str = "expansions";
/// `[[route]]`.
pub const ROUTES: &str = "routes";
/// `[[demand]]` with the quantity schedule as period columns.
pub const DEMANDS: &str = "demands";
/// `[[contract]]` with the quantity schedule as period columns.
pub const CONTRACTS: &str = "contracts";
/// `[[policy]]` with selector lists as comma-separated cells.
pub const POLICIES: &str = "policies";
/// `[[uncertainty]]` (an extension of the spec, `docs/uncertainty.md`).
pub const UNCERTAINTY: &str = "uncertainty";
/// `[[assumption]]` (an extension of the spec, `docs/assumptions.md`): one
/// row per entry, each target field a comma-separated list of ids.
pub const ASSUMPTIONS: &str = "assumptions";
/// Prefix of the sheets of a plan; import skips them (they are results).
pub const PLAN_PREFIX: &str = "plan_";

/// What a cell of a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An id or a reference to one (surrounding spaces are dropped).
    Id,
    /// Free text, kept exactly.
    Text,
    /// Any number.
    Number,
    /// A whole number (periods, lead times).
    Integer,
    /// TRUE/FALSE.
    Bool,
    /// A comma-separated list of ids.
    List,
    /// A period label such as `2025-01`.
    Label,
    /// `*` (every entity) or a comma-separated list of ids.
    Targets,
    /// A whole number of periods, or a range `MIN..MAX`.
    Range,
}

/// One column of an entity sheet (or one field of the settings sheet).
/// Its name, unit and whether it is required come from the scenario
/// format's table of the field (`caisson_scenario::schema`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    /// The field's name in the scenario format (the header before the unit).
    pub name: &'static str,
    pub unit: Unit,
    pub kind: Kind,
    /// The import reports an empty cell here at once (the loader would
    /// only name the row).
    pub required: bool,
}

/// The column of a field of the scenario format.
const fn f(field: FieldSchema) -> Field {
    let kind = match field.kind {
        FieldKind::Text => Kind::Text,
        FieldKind::Id | FieldKind::Reference | FieldKind::Choice(_) => Kind::Id,
        FieldKind::Label => Kind::Label,
        FieldKind::Number => Kind::Number,
        FieldKind::Integer => Kind::Integer,
        FieldKind::Bool => Kind::Bool,
        FieldKind::List => Kind::List,
        FieldKind::Targets => Kind::Targets,
        FieldKind::PeriodRange => Kind::Range,
        // Evaluated at compile time: naming such a field as a column does
        // not build.
        FieldKind::Schedule
        | FieldKind::Quantities
        | FieldKind::Table(_)
        | FieldKind::Entities(_) => panic!("not a column: a sheet of its own"),
    };
    Field {
        name: field.name,
        unit: field.unit,
        kind,
        required: matches!(field.presence, Presence::Required),
    }
}

/// A column that names the parent of a child row (the facility of a
/// line), or the key of a table of id = value (the `input` of `inputs`):
/// an id, required.
const fn parent(name: &'static str) -> Field {
    Field {
        name,
        unit: Unit::None,
        kind: Kind::Id,
        required: true,
    }
}

/// The column of the values of a table of id = value (`inputs`, `stock`),
/// in the table's unit.
const fn value_of(name: &'static str, table: FieldSchema) -> Field {
    Field {
        name,
        unit: table.unit,
        kind: Kind::Number,
        required: true,
    }
}

/// The unit of a schedule's period columns.
const fn schedule_unit(field: FieldSchema) -> &'static str {
    match (field.kind, field.unit) {
        (FieldKind::Schedule, Unit::Fixed(unit)) => unit,
        _ => panic!("not a schedule with a unit"),
    }
}

/// The layout of one entity sheet.
pub(crate) struct SheetSpec {
    pub name: &'static str,
    /// The table of the scenario format whose entities are its rows
    /// (`None` for `inputs` and `stock`, rows of id = value).
    pub entity: Option<&'static EntitySchema>,
    pub fields: &'static [Field],
    /// How many of `fields` name the parent of a row (the facility of a
    /// line); the others are fields of the row's own entity.
    pub parents: usize,
    /// The schedule whose values are the period columns that follow the
    /// fields (one column per period), if any.
    pub periods: Option<FieldSchema>,
}

impl SheetSpec {
    /// The fields of the row's own entity (after the parent columns).
    pub fn own_fields(&self) -> &'static [Field] {
        &self.fields[self.parents..]
    }

    /// The unit of the period columns, if any.
    pub fn period_unit(&self) -> Option<&'static str> {
        self.periods.map(schedule_unit)
    }
}

/// The `[scenario]` fields, in the order the settings sheet lists them
/// (`extends` has no row: a workbook holds a whole scenario).
pub(crate) const SETTINGS: &[Field] = &[
    f(scenario::name),
    f(scenario::description),
    f(scenario::start),
    f(scenario::period),
    f(scenario::periods),
    f(scenario::currency),
    f(scenario::default_lead_time),
    f(scenario::default_unit_cost),
];

/// Every entity sheet, in workbook order.
pub(crate) const SHEETS: &[SheetSpec] = &[
    SheetSpec {
        name: ACTORS,
        entity: Some(&schema::ACTOR),
        fields: &[
            f(actor::id),
            f(actor::name),
            f(actor::blocs),
            f(actor::belligerent),
        ],
        parents: 0,
        periods: None,
    },
    SheetSpec {
        name: PRODUCTS,
        entity: Some(&schema::PRODUCT),
        fields: &[
            f(product::id),
            f(product::name),
            f(product::unit),
            f(product::att_category),
        ],
        parents: 0,
        periods: None,
    },
    SheetSpec {
        name: INPUTS,
        entity: None,
        fields: &[
            parent("product"),
            parent("input"),
            value_of("quantity", product::inputs),
        ],
        parents: 1,
        periods: None,
    },
    SheetSpec {
        name: FACILITIES,
        entity: Some(&schema::FACILITY),
        fields: &[
            f(facility::id),
            f(facility::name),
            f(facility::actor),
            f(facility::holding_cost),
        ],
        parents: 0,
        periods: None,
    },
    SheetSpec {
        name: STOCK,
        entity: None,
        fields: &[
            parent("facility"),
            parent("product"),
            value_of("quantity", facility::stock),
        ],
        parents: 1,
        periods: None,
    },
    SheetSpec {
        name: LINES,
        entity: Some(&schema::LINE),
        fields: &[parent("facility"), f(line::id)],
        parents: 1,
        periods: Some(line::capacity),
    },
    SheetSpec {
        name: LINE_PRODUCTS,
        entity: Some(&LINE_PRODUCT),
        fields: &[
            parent("facility"),
            parent("line"),
            parent("product"),
            f(LINE_PRODUCT.fields[0]),
            f(LINE_PRODUCT.fields[1]),
        ],
        parents: 3,
        periods: None,
    },
    SheetSpec {
        name: EXPANSIONS,
        entity: Some(&schema::EXPANSION),
        fields: &[
            parent("facility"),
            f(expansion::id),
            f(expansion::line),
            f(expansion::capacity),
            f(expansion::lead_time),
            f(expansion::capex),
            f(expansion::earliest),
            f(expansion::latest),
            f(expansion::integer),
        ],
        parents: 1,
        periods: None,
    },
    SheetSpec {
        name: ROUTES,
        entity: Some(&schema::ROUTE),
        fields: &[
            f(route::from),
            f(route::to),
            f(route::lead_time),
            f(route::unit_cost),
            f(route::since),
            f(route::until),
        ],
        parents: 0,
        periods: None,
    },
    SheetSpec {
        name: DEMANDS,
        entity: Some(&schema::DEMAND),
        fields: &[
            f(demand::id),
            f(demand::buyer),
            f(demand::end_user),
            f(demand::product),
            f(demand::penalty),
            f(demand::backlog),
        ],
        parents: 0,
        periods: Some(demand::quantity),
    },
    SheetSpec {
        name: CONTRACTS,
        entity: Some(&schema::CONTRACT),
        fields: &[
            f(contract::id),
            f(contract::facility),
            f(contract::buyer),
            f(contract::product),
            f(contract::penalty),
            f(contract::price),
        ],
        parents: 0,
        periods: Some(contract::quantity),
    },
    SheetSpec {
        name: POLICIES,
        entity: Some(&schema::POLICY),
        fields: &[
            f(policy::id),
            f(policy::name),
            f(policy::scope),
            f(policy::deny_export),
            f(policy::deny_import),
            f(policy::deny_end_use),
            f(policy::from),
            f(policy::until),
        ],
        parents: 0,
        periods: None,
    },
    SheetSpec {
        name: UNCERTAINTY,
        entity: Some(&schema::UNCERTAINTY),
        // `actor` and `mean` have no column: the model keeps what they
        // stand for as `facilities` and `median`.
        fields: &[
            f(uncertainty::id),
            f(uncertainty::kind),
            f(uncertainty::demands),
            f(uncertainty::facilities),
            f(uncertainty::from),
            f(uncertainty::to),
            f(uncertainty::distribution),
            f(uncertainty::median),
            f(uncertainty::sigma),
            f(uncertainty::min),
            f(uncertainty::mode),
            f(uncertainty::max),
            f(uncertainty::probability),
            f(uncertainty::duration),
            f(uncertainty::extra),
            f(uncertainty::shared),
            f(uncertainty::hazard),
            f(uncertainty::since),
            f(uncertainty::until),
            f(uncertainty::start_policies),
            f(uncertainty::end_policies),
            f(uncertainty::exporter),
            f(uncertainty::stops_exporting_to),
            f(uncertainty::close_routes),
        ],
        parents: 0,
        periods: None,
    },
    SheetSpec {
        name: ASSUMPTIONS,
        entity: Some(&schema::ASSUMPTION),
        fields: &[
            f(assumption::id),
            f(assumption::reason),
            f(assumption::low),
            f(assumption::high),
            f(assumption::capacity),
            f(assumption::costs),
            f(assumption::stock),
            f(assumption::holding),
            f(assumption::expansions),
            f(assumption::capex),
            f(assumption::demands),
            f(assumption::penalties),
            f(assumption::contracts),
            f(assumption::inputs),
        ],
        parents: 0,
        periods: None,
    },
];

/// The fields of the entity sheet `name` (empty for an unknown name).
pub(crate) fn spec_fields(name: &str) -> &'static [Field] {
    SHEETS
        .iter()
        .find(|s| s.name == name)
        .map_or(&[], |s| s.fields)
}

#[cfg(test)]
/// The spec of the entity sheet `name`.
pub(crate) fn spec(name: &str) -> Option<&'static SheetSpec> {
    SHEETS.iter().find(|s| s.name == name)
}

impl Field {
    /// The header text with its unit, e.g. `penalty (EUR/unit/period)`.
    pub fn header(&self, currency: &str) -> String {
        match self.unit {
            Unit::None => self.name.to_owned(),
            Unit::Fixed(unit) => format!("{} ({unit})", self.name),
            Unit::Money(per) => format!("{} ({currency}{per})", self.name),
        }
    }

    /// The header cell of this field's column.
    pub fn column(&self, currency: &str) -> Column {
        Column::new(self.header(currency), self.style())
    }

    /// How the column's values are shown.
    pub fn style(&self) -> Style {
        use Kind::{Bool, Id, Integer, Label, List, Number, Range, Targets, Text};
        match (self.kind, self.unit) {
            (Id | Text | List | Label | Targets | Range, _) => Style::Text,
            (Integer, _) => Style::Integer,
            (Number, Unit::Money(_)) => Style::Money,
            (Number | Bool, _) => Style::General,
        }
    }
}

/// The header of a period column, e.g. `2025-01 (units)`.
pub(crate) fn period_header(label: &str, unit: &str) -> String {
    format!("{label} ({unit})")
}

/// A header without its `(unit)` suffix, trimmed (`2025-Q1 (units)` gives
/// `2025-Q1`).
pub(crate) fn header_base(header: &str) -> &str {
    let trimmed = header.trim();
    match trimmed.strip_suffix(')').and_then(|rest| rest.rfind('(')) {
        Some(open) => trimmed[..open].trim(),
        None => trimmed,
    }
}

/// A header as the import compares it to field names: without the unit,
/// lower case, inner spaces as underscores (so `Holding cost (USD)` names
/// `holding_cost`).
pub(crate) fn header_key(header: &str) -> String {
    header_base(header)
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_keys_drop_units_and_case() {
        assert_eq!(header_key("penalty (EUR/unit/period)"), "penalty");
        assert_eq!(
            header_key("  Holding cost  (USD/unit/period) "),
            "holding_cost"
        );
        assert_eq!(header_key("2025-01 (units)"), "2025-01");
        assert_eq!(header_key("2025-Q1"), "2025-q1");
        assert_eq!(header_key("id"), "id");
        assert_eq!(header_key("odd)"), "odd)");
        assert_eq!(header_base(" 2025-Q1 (units) "), "2025-Q1");
    }

    #[test]
    fn every_field_of_the_format_has_a_place_in_the_workbook() {
        // What the model does not keep has no column: `extends` (a
        // workbook holds a whole scenario), an uncertainty entry's `actor`
        // and `mean` (kept as `facilities` and `median`).
        let elsewhere = |entity: &EntitySchema, field: &FieldSchema| match field.kind {
            // A sheet of its own, or the period columns.
            FieldKind::Quantities | FieldKind::Table(_) | FieldKind::Entities(_) => true,
            FieldKind::Schedule => SHEETS
                .iter()
                .any(|s| s.entity == Some(entity) && s.periods == Some(*field)),
            _ => entity.table == "[[uncertainty]]" && ["actor", "mean"].contains(&field.name),
        };
        for sheet in SHEETS {
            let Some(entity) = sheet.entity else { continue };
            for field in entity.fields {
                let column = sheet.own_fields().iter().find(|c| c.name == field.name);
                match column {
                    Some(column) => {
                        assert_eq!(column.unit, field.unit, "{}.{}", sheet.name, field.name);
                        assert_eq!(column.required, field.is_required(), "{}", field.name);
                    }
                    None => assert!(
                        elsewhere(entity, field),
                        "sheet {} has no column for {}",
                        sheet.name,
                        field.name
                    ),
                }
            }
        }
        let settings: Vec<&str> = SETTINGS.iter().map(|f| f.name).collect();
        let fields: Vec<&str> = schema::SCENARIO
            .names()
            .filter(|&n| n != "extends")
            .collect();
        assert_eq!(settings.len(), fields.len());
        assert!(fields.iter().all(|f| settings.contains(f)));
    }

    #[test]
    fn headers_carry_units_in_the_scenario_currency() {
        let penalty = spec(DEMANDS)
            .and_then(|s| s.fields.iter().find(|f| f.name == "penalty"))
            .map(|f| f.header("USD"));
        assert_eq!(penalty.as_deref(), Some("penalty (USD/unit/period)"));
        for sheet in SHEETS {
            for field in sheet.fields {
                assert_eq!(header_key(&field.header("EUR")), field.name);
            }
        }
    }
}
