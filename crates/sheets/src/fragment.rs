//! A contribution to a platform round as sheets: the sheets of the parts
//! it holds (facilities with their stock, lines, line products and
//! expansions; demands; policies), without the settings sheet (the round's
//! reference part holds the horizon, actors and products). The layout is
//! the scenario's (`layout`), so a contribution's workbook reads like the
//! matching sheets of a whole scenario's.

use caisson_model::Scenario;

use crate::export::{empty_sheet, rows};
use crate::layout::{self, SHEETS};
use crate::sheet::Sheet;

/// A part of a contribution, each one group of sheets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// `[[facility]]`: the sheets facilities, stock, lines, line_products
    /// and expansions.
    Facilities,
    /// `[[demand]]`: the demands sheet.
    Demands,
    /// `[[policy]]`: the policies sheet.
    Policies,
}

impl Part {
    /// The sheets of this part, in workbook order.
    pub fn sheets(self) -> &'static [&'static str] {
        match self {
            Part::Facilities => &[
                layout::FACILITIES,
                layout::STOCK,
                layout::LINES,
                layout::LINE_PRODUCTS,
                layout::EXPANSIONS,
            ],
            Part::Demands => &[layout::DEMANDS],
            Part::Policies => &[layout::POLICIES],
        }
    }
}

/// Every sheet a contribution's workbook may hold.
pub const FRAGMENT_SHEETS: &[&str] = &[
    layout::FACILITIES,
    layout::STOCK,
    layout::LINES,
    layout::LINE_PRODUCTS,
    layout::EXPANSIONS,
    layout::DEMANDS,
    layout::POLICIES,
];

/// Lays out the contribution in `scenario` as the sheets of `parts` (each
/// sheet even when it has no rows, so that a planner sees where to add
/// them), with the horizon's period columns and the scenario's currency in
/// the headers.
///
/// `scenario` is the round's reference part with this one contribution
/// (nothing else): every facility, demand and policy in it is written.
/// [`crate::sheets_to_fragment`] reads the result back into fragment TOML
/// that, with the same reference part, loads to an equal scenario.
pub fn fragment_to_sheets(scenario: &Scenario, parts: &[Part]) -> Vec<Sheet> {
    let currency = scenario.currency.as_str();
    let labels = scenario.calendar.labels();
    SHEETS
        .iter()
        .filter(|spec| parts.iter().any(|p| p.sheets().contains(&spec.name)))
        .map(|spec| {
            let mut sheet = empty_sheet(spec, currency, &labels);
            sheet.rows = rows(scenario, spec.name);
            sheet
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::Cell;
    use crate::{read_xlsx_bytes, sheets_to_fragment, xlsx_bytes};

    const REFERENCE: &str = r#"
[scenario]
name = "round"
start = "2026-01"
periods = 4

[[actor]]
id = "SRB"
blocs = ["WB"]

[[actor]]
id = "POL"
blocs = ["EU"]

[[product]]
id = "shell"

[[product]]
id = "fuze"
"#;

    const PRODUCER: &str = r#"
[[facility]]
id = "plant"
name = "Plant \"one\""
actor = "SRB"
holding_cost = 0.5
stock = { shell = 20, fuze = 3.25 }

[[facility.line]]
id = "mortar"
capacity = { "2026-01" = 100, "2026-03" = 140 }
products = { shell = { rate = 1, cost = 10.5 }, fuze = { rate = 2, cost = 1 } }

[[facility.expansion]]
id = "second-shift"
line = "mortar"
capacity = 50
lead_time = 2
capex = 1000000
earliest = "2026-02"
latest = "2026-03"

[[facility]]
id = "depot"
actor = "SRB"
"#;

    const STATE: &str = r#"
[[demand]]
id = "need"
buyer = "POL"
product = "shell"
quantity = { "2026-02" = 50 }
penalty = 1000
backlog = true

[[policy]]
id = "no-srb"
name = "No imports from SRB"
scope = "POL"
deny_import = ["SRB"]
"#;

    fn load(fragment: &str) -> Scenario {
        caisson_scenario::load_str(&format!("{REFERENCE}\n{fragment}"), "round.toml")
            .expect("valid")
            .scenario
    }

    /// fragment -> sheets -> xlsx -> sheets -> fragment loads to an equal
    /// scenario, for a producer's part and for a state's.
    #[test]
    fn a_fragment_round_trips_through_a_workbook() {
        for (fragment, parts) in [
            (PRODUCER, &[Part::Facilities][..]),
            (STATE, &[Part::Demands, Part::Policies][..]),
        ] {
            let scenario = load(fragment);
            let sheets = fragment_to_sheets(&scenario, parts);
            let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
            let expected: Vec<&str> = parts.iter().flat_map(|p| p.sheets()).copied().collect();
            assert_eq!(names, expected);
            let bytes = xlsx_bytes(&sheets).expect("written");
            let read = read_xlsx_bytes(&bytes, "upload.xlsx").expect("read");
            let back = sheets_to_fragment(&read, scenario.calendar).expect("valid sheets");
            assert!(!back.toml().contains("[scenario]"), "{}", back.toml());
            assert_eq!(load(back.toml()), scenario, "{}", back.toml());
        }
    }

    /// Sheets a contribution cannot hold are refused by name; a bad cell is
    /// located; every line of the TOML leads back to its cell.
    #[test]
    fn problems_and_lines_are_located_by_cell() {
        let scenario = load(PRODUCER);
        let mut sheets = fragment_to_sheets(&scenario, &[Part::Facilities]);
        let calendar = scenario.calendar;
        let mut with_settings = sheets.clone();
        with_settings.push(Sheet::new(layout::SCENARIO, Vec::new()));
        let errors = sheets_to_fragment(&with_settings, calendar)
            .err()
            .expect("refused");
        assert_eq!(errors[0].code, "unknown-sheet");
        assert_eq!(errors[0].sheet.as_deref(), Some("scenario"));

        let lines = sheets
            .iter_mut()
            .find(|s| s.name == layout::LINES)
            .expect("lines");
        // Columns: facility, id, then one per period.
        lines.rows[0][3] = Cell::text("lots");
        let errors = sheets_to_fragment(&sheets, calendar)
            .err()
            .expect("refused");
        assert_eq!(errors[0].sheet.as_deref(), Some("lines"));
        assert_eq!(errors[0].row, Some(2));
        assert_eq!(
            errors[0].column.as_ref().map(|c| c.letter.as_str()),
            Some("D")
        );

        // A value the model refuses is the caller's to find: the TOML
        // line holding it leads back to its cell.
        let lines = sheets
            .iter_mut()
            .find(|s| s.name == layout::LINES)
            .expect("lines");
        lines.rows[0][3] = Cell::Number(-5.0);
        let fragment = sheets_to_fragment(&sheets, calendar).expect("well-formed sheets");
        let (number, text) = fragment
            .toml()
            .lines()
            .enumerate()
            .find(|(_, l)| l.ends_with("= -5"))
            .expect("the negative capacity");
        let column = text.find("-5").map(|c| c + 1);
        let place = fragment.place(number + 1, column).expect("placed");
        assert_eq!(place.sheet, "lines");
        assert_eq!(place.row, Some(2));
        assert_eq!(place.column.as_ref().map(|c| c.letter.as_str()), Some("D"));
    }
}
