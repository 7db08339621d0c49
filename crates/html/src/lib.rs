//! The HTML report of Caisson: one self-contained page (every script and
//! style inlined, no request leaves it) that draws a plan and, when given,
//! the results of `compare`, `risk` and `simulate`, with Apache ECharts.
//!
//! Two steps, both pure (the CLI does the I/O):
//!
//! 1. build a [`ReportDocument`]: [`plan_section`] derives the plan views
//!    from `caisson-plan/1` JSON (spec section 6) and, optionally, the
//!    scenario; [`Comparison::from_json`], [`Criticality::from_json`] and
//!    [`Simulation::from_json`] read the analysis sections;
//! 2. [`render`] writes the page: the document is embedded as JSON in a
//!    `<script type="application/json" id="caisson-data">` element and laid
//!    out by the page's own script.
//!
//! ```
//! use caisson_html::{plan_section, render, ReportDocument};
//! let plan = serde_json::json!({
//!     "format": "caisson-plan/1", "scenario": "tiny", "status": "optimal",
//!     "objective": 10.0, "mip_gap": 0.0, "periods": ["2026-01", "2026-02"],
//!     "cost": {"shortage": 10.0, "production": 0.0, "transport": 0.0,
//!              "holding": 0.0, "capex": 0.0, "contract": 0.0},
//! });
//! let mut doc = ReportDocument::new("Tiny plan");
//! doc.plan = Some(plan_section(&plan, None).unwrap());
//! let page = render(&doc);
//! assert!(page.starts_with("<!DOCTYPE html>"));
//! assert!(!page.contains("<script src="));
//! ```
//!
//! # The report document (`caisson-report/1`)
//!
//! Producers of analyses target these shapes. A standalone file holds one
//! section plus a `format` field (`caisson-comparison/1`,
//! `caisson-criticality/1`, `caisson-simulation/1`, `caisson-sensitivity/1`
//! or `caisson-breakeven/1`); a whole document has `"format":
//! "caisson-report/1"`, a `title` and any of the sections `plan`,
//! `comparison`, `criticality`, `simulation`, `sensitivity` and `breakeven`. Unknown fields are ignored.
//!
//! `comparison` (from `compare`): side-by-side values and deltas.
//! ```json
//! { "base": "base", "variants": ["serbia-lost", "us-withdraws"],
//!   "metrics": [
//!     { "label": "Objective", "unit": "EUR", "better": "lower",
//!       "base": 3.3e10, "values": [3.6e10, 3.4e10] },
//!     { "label": "Fill rate shell-155", "unit": "%", "better": "higher",
//!       "base": 57.5, "values": [41.0, null] } ] }
//! ```
//! `values` has one entry per variant (null: not defined); `better` is
//! `"lower"`, `"higher"` or absent. The chart shows each variant's change
//! relative to the base, in percent; the table shows values and deltas.
//!
//! `criticality` (from `risk`): a ranked bar chart, largest value first.
//! ```json
//! { "measure": "objective increase if lost", "unit": "EUR",
//!   "items": [ { "name": "cze-tnt", "kind": "facility", "value": 1.2e9,
//!                "detail": "sole TNT source for three fillers" } ] }
//! ```
//!
//! `simulation` (from `simulate`): fan charts, one per series.
//! ```json
//! { "runs": 200, "periods": ["2026-01", "2026-02"],
//!   "quantiles": [0.05, 0.25, 0.5, 0.75, 0.95],
//!   "series": [ { "name": "backlog ukr-155", "unit": "units",
//!                 "values": [[0, 10], [0, 20], [5, 30], [8, 40], [9, 60]] } ] }
//! ```
//! `values[q][t]` is quantile `quantiles[q]` in period `t`; quantiles
//! increase and values do not decrease across them.
//!
//! `sensitivity` (from `sensitivity`, format `caisson-sensitivity/1`): a
//! tornado, one bar per assumption, largest swing first.
//! ```json
//! { "measure": "UKR shortage: serbia-integrated minus serbia-lost",
//!   "unit": "unit-months", "base": -4.1e7,
//!   "bars": [ { "id": "serbia-mortar-output", "reason": "no per-plant figure",
//!               "low": 0.5, "high": 1.25, "at_low": -2.3e7, "at_high": -4.9e7,
//!               "targets": ["capacity krusik.mortar"] } ] }
//! ```
//! `low <= 1 <= high` multiply the values written; `at_low` and `at_high`
//! are the measure with the assumption at each bound (null: no plan). The
//! chart draws each bound's change from `base`; the table lists the reasons.
//!
//! `breakeven` (from `breakeven`, format `caisson-breakeven/1`): a deal with
//! a supplier that may turn away against the same money in a bloc's
//! ramp-ups, one line per side over the swept yearly probability, one
//! chart per measure, the break-even marked.
//! ```json
//! { "supplier": "SRB", "bloc": "EU", "end_user": "UKR",
//!   "entry": "serbia-turns-away", "samples": 3, "hazards": [0, 0.1, 0.2],
//!   "measures": [ { "name": "UKR expected shortage", "unit": "unit-periods",
//!                   "deal": [10, 14, 20], "ramp_up": [15, 15, 15],
//!                   "breakeven": 0.117, "verdict": "..." } ] }
//! ```
//! `deal` and `ramp_up` hold one value per hazard; `breakeven` is null when
//! the deal stays better over the whole sweep.
//!
//! `plan` is built by [`plan_section`] (see [`PlanSection`]); a plan file
//! alone gives every view but line utilisation (units made are shown
//! instead). Without the scenario, a plan may carry the optional top-level
//! fields `demands_info` (`[{demand, buyer, end_user, product, backlog}]`)
//! and `facilities_info` (`[{facility, actor}]`) so that the Sankey names
//! buyers and exporting states, and an `explanations` array (each entry a
//! string or an object with `text` and `causes`) for the shortage view.
//!
//! ECharts (Apache-2.0) is fetched from npm at the version pinned in the
//! workspace's `package-lock.json` by this crate's build script and embedded
//! with its licence header and the notices of what it bundles.

#![warn(missing_docs)]

mod analysis;
mod assets;
mod context;
mod document;
mod plan;
mod render;
mod sections;

pub use analysis::{
    InputKind, BREAKEVEN_FORMAT, COMPARISON_FORMAT, CRITICALITY_FORMAT, SENSITIVITY_FORMAT,
    SIMULATION_FORMAT,
};
pub use document::{
    AssumptionRange, Breakeven, BreakevenMeasure, Comparison, ComparisonMetric, ComparisonWindow,
    ComplianceCell, Concentration, ContractTotal, CostItem, Criticality, CriticalityItem,
    DemandSeries, DependencyShare, EndUserSeries, ExpansionMark, Explanation, FanSeries, Flow,
    FlowLevels, LineUse, PlanSection, ProductFill, ReportDocument, Sensitivity, SimulatedDemand,
    Simulation, Spread, TornadoBar, TransferDenial, FORMAT,
};
pub use plan::plan_section;
pub use render::{echarts_version, render};
pub use sections::{comparison_section, criticality_section, subject_text};

/// What can go wrong building a report document.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The input is not a `caisson-plan/1` document.
    #[error("not a caisson-plan/1 plan: {0}")]
    NotAPlan(String),
    /// A field of the plan is missing or malformed.
    #[error("plan field `{field}`: {problem}")]
    Field {
        /// The field, e.g. `shipments[3]`.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// The scenario given does not belong to the plan.
    #[error("the scenario does not match the plan: {0}")]
    ScenarioMismatch(String),
    /// An analysis section is malformed.
    #[error("{section}: {problem}")]
    Section {
        /// `comparison`, `criticality`, `simulation` or `report`.
        section: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}
