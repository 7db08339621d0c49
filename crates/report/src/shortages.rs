//! The shortage explanations ("why short?") of a plan in the report's
//! formats: one CSV row per cause (`explanations.csv`) and the document's
//! `explanations` array as a JSON value, for callers that build their own
//! documents.

use caisson_model::Scenario;
use caisson_plan::document::ExplanationRow;
use caisson_plan::{Plan, Quantities};
use serde::Serialize;
use serde_json::Value;

/// A flat, CSV-friendly cause: one row per cause (`explanations.csv`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CauseCsvRow<'a> {
    pub demand: &'a str,
    pub kind: &'static str,
    pub text: &'a str,
}

/// One row per cause of every explanation, for `explanations.csv`.
pub(crate) fn cause_csv_rows(rows: &[ExplanationRow]) -> Vec<CauseCsvRow<'_>> {
    rows.iter()
        .flat_map(|x| {
            x.causes.iter().map(|c| CauseCsvRow {
                demand: &x.demand,
                kind: c.kind(),
                text: c.text(),
            })
        })
        .collect()
}

/// The `explanations` array of `plan` as JSON: one entry per short demand
/// (`demand`, `text`, `first_short`, `last_short`, `short_periods`,
/// `total_shortage`, `causes`, `omitted`); empty when the plan has no
/// solution. With [`Quantities::Exact`] the same array as
/// [`caisson_plan::document::PlanDocument::explanations`]; with
/// [`Quantities::Whole`] the sentences a person reads (the HTML report).
pub fn explanations_json(scenario: &Scenario, plan: &Plan, quantities: Quantities) -> Value {
    serde_json::to_value(ExplanationRow::of_plan(scenario, plan, quantities))
        .unwrap_or(Value::Array(Vec::new()))
}
