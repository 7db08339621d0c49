//! The plan of Caisson, without a solver: the records, cost split and KPIs
//! of spec section 6 with typed indices ([`Plan`]), their derivation from
//! raw decisions both ways ([`Plan::from_flows`], [`Plan::flows`]), the
//! independent check of every constraint of spec section 4 ([`verify`]),
//! the greedy baseline ([`greedy`]), the "why short?" explanations
//! ([`explain_shortages`], their unit counts exact for the document or
//! whole for people: [`Quantities`], [`whole_units`]), the dependency
//! profiles ([`dependencies`]) and
//! the `caisson-plan/1` document ([`document::PlanDocument`]), written and
//! read back by every tool.
//!
//! The crate knows nothing of HiGHS (the optimiser, `caisson-planner`,
//! produces [`Flows`] and derives its plan here), of files or of terminals:
//! the document is a serde value, the edges read and write it.
//!
//! ```no_run
//! # fn demo(scenario: &caisson_model::Scenario) {
//! use caisson_plan::{greedy, verify};
//! let plan = greedy(scenario);
//! assert!(verify(scenario, &plan).is_empty());
//! println!("objective {:?}", plan.objective);
//! # }
//! ```

#![warn(missing_docs)]

mod dependency;
mod derive;
pub mod document;
mod flows;
mod greedy;
mod kpi;
mod network;
mod plan;
mod quantity;
mod verify;
mod why;

pub use dependency::{dependencies, DependencyKpi, Role, Share, NO_BLOC};
pub use derive::{clean, ZERO};
pub use document::{PlanDocument, FORMAT};
pub use flows::{ExpansionFlow, Flows, ProductionFlow, ShipmentFlow, SolutionInfo, TransferFlow};
pub use greedy::{greedy, greedy_flows, greedy_flows_with, GREEDY_METHOD};
pub use network::{Network, Open, ShipPair, TransferPair};
pub use plan::{
    CapacityDual, ComplianceRecord, ContractRecord, CostSplit, DemandKpi, DemandRecord, EndUserKpi,
    ExpansionRecord, Kpis, ModelStats, Plan, PlanStatus, ProductKpi, ProductionRecord, Reductions,
    ShipmentRecord, StockRecord, TransferComplianceRecord, TransferRecord,
};
pub use quantity::{grouped_number, whole_units, Quantities};
pub use verify::{verify, Violation};
pub use why::{
    explain_shortages, explain_shortages_with, Cause, ShortPeriods, ShortageExplanation, Spare,
    WhyOptions,
};
