//! The planner of Caisson: builds the LP/MIP of spec section 4, solves it
//! with HiGHS and derives the plan of spec section 6.
//!
//! The crate knows nothing of files' formats, terminals or JSON; a
//! [`Plan`] uses typed indices into the [`caisson_model::Scenario`] and is
//! serialised by `caisson-report`.
//!
//! - [`plan`] is the one-call planner; [`Formulation::build`],
//!   [`Formulation::load`], [`LoadedModel::write_mps`] and
//!   [`LoadedModel::solve`] are its steps.
//! - [`Plan::from_flows`] derives a complete plan (records, cost split,
//!   KPIs) from raw decisions ([`Flows`]), for any producer such as a
//!   heuristic.
//! - [`Resolver`] re-solves one built model for variants of a scenario that
//!   only open or close flows (what `risk` asks), or only change
//!   quantities and costs (`simulate`'s samples, `compare`'s variants), with
//!   bound, cost and coefficient changes.
//! - [`verify`] checks every constraint of spec section 4 from a plan's
//!   records alone.
//!
//! ```no_run
//! # fn demo(scenario: &caisson_model::Scenario) {
//! use caisson_planner::{plan, verify, PlanOptions, PlanStatus};
//! let plan = plan(scenario, &PlanOptions::default());
//! if plan.status == PlanStatus::Optimal {
//!     assert!(verify(scenario, &plan).is_empty());
//!     println!("objective {:?}", plan.objective);
//! }
//! # }
//! ```

#![warn(missing_docs)]

mod build;
mod dependency;
mod derive;
mod error;
mod ffi;
mod flows;
mod greedy;
mod kpi;
mod network;
mod options;
mod plan;
mod pool;
mod resolve;
mod solve;
mod start;
mod structure;
mod vars;
mod verify;
mod why;

pub use build::{Formulation, Pooling};
pub use dependency::{dependencies, DependencyKpi, Role, Share, NO_BLOC};
pub use error::PlanError;
pub use flows::{ExpansionFlow, Flows, ProductionFlow, ShipmentFlow, SolutionInfo, TransferFlow};
pub use greedy::{greedy, greedy_flows, GREEDY_METHOD};
pub use options::PlanOptions;
pub use plan::{
    CapacityDual, ComplianceRecord, ContractRecord, CostSplit, DemandKpi, DemandRecord, EndUserKpi,
    ExpansionRecord, Kpis, ModelStats, Plan, PlanStatus, ProductKpi, ProductionRecord, Reductions,
    ShipmentRecord, StockRecord, TransferComplianceRecord, TransferRecord,
};
pub use resolve::{Bounds, Case, ResolveError, Resolved, Resolver, Start, Worker};
pub use solve::{plan, LoadedModel};
pub use verify::{verify, Violation};
pub use why::{
    explain_shortages, explain_shortages_with, Cause, ShortPeriods, ShortageExplanation, Spare,
    WhyOptions,
};
