//! `sensitivity`: how far each assumed figure moves the answer.
//!
//! Every `[[assumption]]` entry of the subject scenario (an extension of the
//! spec, `docs/assumptions.md`) is put at its low and at its high bound, one
//! at a time, and the subject (and every other scenario given, e.g. the
//! variant it is compared with) is re-planned. The measure is the subject's
//! shortage over the selected demands, or the subject's minus the first
//! other scenario's (`Measure::Difference`: e.g. integrate minus lose).
//! Assumptions are ranked by the span of the measure over
//! {low, base, high}, largest first, ties by id: the order of a tornado
//! chart.
//!
//! The result ([`Sensitivity`]) is plain data that reads back and needs no
//! solver; the re-plans (`sensitivity`, `count_solves`, in `run`) need the
//! `solve` feature.

use serde::{Deserialize, Serialize};

use crate::outcome::Outcome;

#[cfg(feature = "solve")]
mod run;

#[cfg(feature = "solve")]
pub use run::{count_solves, sensitivity, SensitivityOptions};

/// What the sensitivity measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Measure {
    /// The subject's shortage (unit-periods plus lost units) over the
    /// selected demands.
    #[default]
    Shortage,
    /// The subject's shortage minus the first other scenario's.
    Difference,
}

impl Measure {
    /// `"shortage"` or `"difference"`.
    pub fn name(self) -> &'static str {
        match self {
            Measure::Shortage => "shortage",
            Measure::Difference => "difference",
        }
    }
}

/// Which demands' shortage counts. Empty lists select every demand; both
/// given, a demand must match both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    /// Demand ids.
    pub demands: Vec<String>,
    /// End-user actor ids.
    pub end_users: Vec<String>,
}

impl Selection {
    /// Whether a demand of end user `end_user` with id `demand` counts.
    pub fn selects(&self, demand: &str, end_user: &str) -> bool {
        (self.demands.is_empty() || self.demands.iter().any(|d| d == demand))
            && (self.end_users.is_empty() || self.end_users.iter().any(|u| u == end_user))
    }

    /// The selected shortage of `outcome` (`None` without a solution).
    pub fn shortage(&self, outcome: &Outcome) -> Option<f64> {
        outcome.solved().then(|| {
            outcome
                .demands
                .iter()
                .filter(|d| self.selects(&d.kpi.demand, &d.kpi.end_user))
                .map(|d| d.kpi.shortage)
                .sum()
        })
    }
}

/// Why a sensitivity run cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SensitivityError {
    /// `Measure::Difference` without a second scenario.
    #[error("the difference measure needs a second scenario to subtract")]
    NoOther,
    /// An id of `only` that the subject does not define.
    #[error("the subject scenario has no assumption \"{0}\"")]
    UnknownAssumption(String),
    /// The subject scenario defines no assumption to vary.
    #[error("the subject scenario has no [[assumption]] entries")]
    NoAssumptions,
    /// A demand or end user of the selection that no scenario has.
    #[error("no scenario has a demand or end user \"{0}\"")]
    UnknownSelection(String),
}

/// The result of a sensitivity run (under `analysis` in a
/// `caisson-sensitivity/1` file; it reads back, for documents made from a
/// saved run).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// `"shortage"` or `"difference"`.
    pub measure: String,
    /// Whose shortage counts.
    pub selection: Selection,
    /// The scenarios planned at every point, subject first.
    pub scenarios: Vec<String>,
    /// The relative MIP gap every plan stopped at.
    pub mip_gap: f64,
    /// Every scenario at its written values.
    pub base: Point,
    /// One entry per assumption, ranked by `span`, largest first.
    pub assumptions: Vec<Swing>,
}

/// The measure and each scenario's selected shortage at one point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// The measure (`None` when a plan it needs has no solution).
    pub value: Option<f64>,
    /// Per scenario (in [`Sensitivity::scenarios`] order): its selected
    /// shortage, `None` without a solution.
    pub shortages: Vec<Option<f64>>,
    /// Per scenario: the plan's status.
    pub statuses: Vec<String>,
}

/// One assumption at its two bounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Swing {
    /// 1 for the assumption that moves the measure most.
    pub rank: usize,
    /// Assumption id.
    pub id: String,
    /// Why it is assumed (from the scenario file).
    pub reason: String,
    /// The low multiplier.
    pub low: f64,
    /// The high multiplier.
    pub high: f64,
    /// The values it scales, e.g. `capacity krusik.mortar`.
    pub targets: Vec<String>,
    /// Scenarios (labels) that do not define this assumption: they are
    /// planned at their written values at both bounds.
    pub missing_in: Vec<String>,
    /// Everything at the low bound.
    pub at_low: Point,
    /// Everything at the high bound.
    pub at_high: Point,
    /// Largest minus smallest measure over low, base and high (0 when any
    /// is missing).
    pub span: f64,
}

#[cfg(all(test, feature = "solve"))]
mod tests;
