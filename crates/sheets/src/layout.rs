//! The workbook layout of a scenario: which sheets, which columns, their
//! units and types. Export and import both read this table, so the two
//! directions cannot drift apart.

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

/// The unit shown in a header, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    /// No unit.
    None,
    /// A fixed unit, e.g. `periods`.
    Fixed(&'static str),
    /// The scenario's currency followed by this, e.g. `/unit`.
    Money(&'static str),
}

/// One column of an entity sheet (or one field of the settings sheet).
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

const fn f(name: &'static str, unit: Unit, kind: Kind, required: bool) -> Field {
    Field {
        name,
        unit,
        kind,
        required,
    }
}

use Kind::{Bool, Id, Integer, Label, List, Number, Range, Targets, Text};
use Unit::{Fixed, Money};

/// The layout of one entity sheet.
pub(crate) struct SheetSpec {
    pub name: &'static str,
    pub fields: &'static [Field],
    /// The unit of the period columns that follow the fields (a schedule
    /// with one column per period), or `None` for a sheet without them.
    pub periods: Option<&'static str>,
}

/// The `[scenario]` fields, in the order the settings sheet lists them.
pub(crate) const SETTINGS: &[Field] = &[
    f("name", Unit::None, Text, true),
    f("description", Unit::None, Text, false),
    f("start", Fixed("period"), Label, true),
    f("period", Unit::None, Id, false),
    f("periods", Unit::None, Integer, true),
    f("currency", Unit::None, Text, false),
    f("default_lead_time", Fixed("periods"), Integer, false),
    f("default_unit_cost", Money("/unit"), Number, false),
];

/// Every entity sheet, in workbook order.
pub(crate) const SHEETS: &[SheetSpec] = &[
    SheetSpec {
        name: ACTORS,
        fields: &[
            f("id", Unit::None, Id, true),
            f("name", Unit::None, Text, false),
            f("blocs", Unit::None, List, false),
            f("belligerent", Unit::None, Bool, false),
        ],
        periods: None,
    },
    SheetSpec {
        name: PRODUCTS,
        fields: &[
            f("id", Unit::None, Id, true),
            f("name", Unit::None, Text, false),
            f("unit", Unit::None, Text, false),
        ],
        periods: None,
    },
    SheetSpec {
        name: INPUTS,
        fields: &[
            f("product", Unit::None, Id, true),
            f("input", Unit::None, Id, true),
            f("quantity", Fixed("input units/unit"), Number, true),
        ],
        periods: None,
    },
    SheetSpec {
        name: FACILITIES,
        fields: &[
            f("id", Unit::None, Id, true),
            f("name", Unit::None, Text, false),
            f("actor", Unit::None, Id, true),
            f("holding_cost", Money("/unit/period"), Number, false),
        ],
        periods: None,
    },
    SheetSpec {
        name: STOCK,
        fields: &[
            f("facility", Unit::None, Id, true),
            f("product", Unit::None, Id, true),
            f("quantity", Fixed("units"), Number, true),
        ],
        periods: None,
    },
    SheetSpec {
        name: LINES,
        fields: &[
            f("facility", Unit::None, Id, true),
            f("id", Unit::None, Id, true),
        ],
        periods: Some("capacity units"),
    },
    SheetSpec {
        name: LINE_PRODUCTS,
        fields: &[
            f("facility", Unit::None, Id, true),
            f("line", Unit::None, Id, true),
            f("product", Unit::None, Id, true),
            f("rate", Fixed("capacity units/unit"), Number, false),
            f("cost", Money("/unit"), Number, false),
        ],
        periods: None,
    },
    SheetSpec {
        name: EXPANSIONS,
        fields: &[
            f("facility", Unit::None, Id, true),
            f("id", Unit::None, Id, true),
            f("line", Unit::None, Id, true),
            f("capacity", Fixed("capacity units/period"), Number, true),
            f("lead_time", Fixed("periods"), Integer, true),
            f("capex", Money(""), Number, true),
            f("earliest", Fixed("period"), Label, false),
            f("latest", Fixed("period"), Label, false),
            f("integer", Unit::None, Bool, false),
        ],
        periods: None,
    },
    SheetSpec {
        name: ROUTES,
        fields: &[
            f("from", Unit::None, Id, true),
            f("to", Unit::None, Id, true),
            f("lead_time", Fixed("periods"), Integer, false),
            f("unit_cost", Money("/unit"), Number, false),
        ],
        periods: None,
    },
    SheetSpec {
        name: DEMANDS,
        fields: &[
            f("id", Unit::None, Id, true),
            f("buyer", Unit::None, Id, true),
            f("end_user", Unit::None, Id, false),
            f("product", Unit::None, Id, true),
            f("penalty", Money("/unit/period"), Number, true),
            f("backlog", Unit::None, Bool, false),
        ],
        periods: Some("units"),
    },
    SheetSpec {
        name: CONTRACTS,
        fields: &[
            f("id", Unit::None, Id, true),
            f("facility", Unit::None, Id, true),
            f("buyer", Unit::None, Id, true),
            f("product", Unit::None, Id, true),
            f("penalty", Money("/unit/period"), Number, true),
            f("price", Money("/unit"), Number, false),
        ],
        periods: Some("units"),
    },
    SheetSpec {
        name: POLICIES,
        fields: &[
            f("id", Unit::None, Id, true),
            f("name", Unit::None, Text, false),
            f("scope", Unit::None, Id, true),
            f("deny_export", Unit::None, List, false),
            f("deny_import", Unit::None, List, false),
            f("deny_end_use", Unit::None, List, false),
        ],
        periods: None,
    },
    SheetSpec {
        name: UNCERTAINTY,
        fields: &[
            f("id", Unit::None, Id, true),
            f("kind", Unit::None, Id, true),
            f("demands", Unit::None, Targets, false),
            f("facilities", Unit::None, Targets, false),
            f("from", Unit::None, Id, false),
            f("to", Unit::None, Id, false),
            f("distribution", Unit::None, Id, false),
            f("median", Unit::None, Number, false),
            f("sigma", Unit::None, Number, false),
            f("min", Unit::None, Number, false),
            f("mode", Unit::None, Number, false),
            f("max", Unit::None, Number, false),
            f("probability", Unit::None, Number, false),
            f("duration", Fixed("periods"), Range, false),
            f("extra", Fixed("periods"), Range, false),
            f("shared", Unit::None, Bool, false),
        ],
        periods: None,
    },
    SheetSpec {
        name: ASSUMPTIONS,
        fields: &[
            f("id", Unit::None, Id, true),
            f("reason", Unit::None, Text, true),
            f("low", Fixed("x value"), Number, true),
            f("high", Fixed("x value"), Number, true),
            f("capacity", Unit::None, List, false),
            f("costs", Unit::None, List, false),
            f("stock", Unit::None, List, false),
            f("holding", Unit::None, List, false),
            f("expansions", Unit::None, List, false),
            f("capex", Unit::None, List, false),
            f("demands", Unit::None, List, false),
            f("penalties", Unit::None, List, false),
            f("contracts", Unit::None, List, false),
            f("inputs", Unit::None, List, false),
        ],
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
