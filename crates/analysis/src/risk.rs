//! `risk`: which supplier losses hurt most, and what each policy costs.
//!
//! Both analyses re-plan edited copies of one scenario (see [`crate::whatif`])
//! and report the change against the unedited plan. The report
//! ([`RiskReport`]) is plain data and needs no solver; the re-plans
//! (`analyse`, `analyse_with`, in `run`) need the `solve` feature.

use caisson_model::{ActorId, FacilityId, Scenario};
use caisson_plan::PlanStatus;
use serde::{Deserialize, Serialize};

use crate::outcome::Outcome;
use crate::timing::ResolveTiming;

#[cfg(feature = "solve")]
mod run;

#[cfg(feature = "solve")]
pub use run::{analyse, analyse_with, count_replans, Resolve, RiskOptions};

/// The whole risk analysis of one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskReport {
    /// The unedited plan's outcome.
    pub baseline: Outcome,
    /// Supplier losses, most harmful first.
    pub criticality: Vec<Impact>,
    /// Policies (and lists), most costly first.
    pub policies: Vec<Impact>,
    /// Where the time went (not serialised).
    #[serde(skip)]
    pub timing: Option<ResolveTiming>,
}

/// What is lost or lifted in one re-plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Subject {
    /// An exporting actor exports nothing any more.
    Exporter {
        /// Actor id.
        actor: String,
    },
    /// A facility is lost.
    Facility {
        /// Facility id.
        facility: String,
    },
    /// A policy is lifted.
    Policy {
        /// Policy id.
        policy: String,
        /// The periods the policy binds in, when it has a time window
        /// (`"2026-03..2026-06"`, docs/windows.md); absent for a policy that
        /// binds over the whole horizon.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        window: Option<String>,
    },
    /// One list of a policy is lifted.
    PolicyList {
        /// Policy id.
        policy: String,
        /// `deny_export`, `deny_import` or `deny_end_use`.
        list: String,
        /// The policy's time window, as for [`Subject::Policy`].
        #[serde(default, skip_serializing_if = "Option::is_none")]
        window: Option<String>,
    },
}

/// The effect of one edit, always expressed as "how much worse the world
/// with the risk (or the policy) is than the world without it": for a loss,
/// edited minus baseline; for a policy, baseline minus edited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Impact {
    /// What was lost or lifted.
    pub subject: Subject,
    /// Status of the edited plan.
    pub status: PlanStatus,
    /// Extra shortage per product (unit-periods plus lost units).
    pub shortage: Vec<ProductImpact>,
    /// Extra objective cost.
    pub cost: Option<f64>,
    /// Units the subject delivered in the baseline plan (losses only):
    /// exports of the actor, or shipments of the facility.
    pub baseline_deliveries: Option<f64>,
    /// The edited plan's outcome (for drill-down and reports).
    pub edited: Outcome,
    /// Seconds the re-plan took (`None` when it was skipped because the
    /// baseline stays optimal). Not serialised.
    #[serde(skip)]
    pub solve_seconds: Option<f64>,
}

/// The extra shortage of one product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductImpact {
    /// Product id.
    pub product: String,
    /// Extra shortage (unit-periods plus lost units); may be negative within
    /// solver tolerance or when alternative optima differ.
    pub shortage: f64,
}

/// Exporting actors: those owning a facility that holds a product some
/// other actor could receive from it — one a demand of another buyer asks
/// for (a shipment), or an input of a product a facility of another actor
/// makes (a component transfer).
pub fn exporters(scenario: &Scenario) -> Vec<ActorId> {
    let held = caisson_model::Held::new(scenario);
    let facilities = || (0..scenario.facilities.len()).map(FacilityId::new);
    let actor_of = |f: FacilityId| scenario.facilities[f.index()].actor;
    let mut actors: Vec<ActorId> = facilities()
        .filter(|&f| {
            let actor = actor_of(f);
            let ships = scenario
                .demands
                .iter()
                .any(|d| d.buyer != actor && held.is_held(f, d.product));
            let feeds = || {
                facilities().any(|h| {
                    actor_of(h) != actor && held.products_at(f).any(|p| held.is_input_at(h, p))
                })
            };
            ships || feeds()
        })
        .map(actor_of)
        .collect();
    actors.sort();
    actors.dedup();
    actors
}
