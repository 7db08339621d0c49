//! The optimiser of Caisson: builds the LP/MIP of spec section 4, solves it
//! with HiGHS and hands its decisions to `caisson-plan`, which derives the
//! plan of spec section 6 ([`caisson_plan::Plan::from_flows`]).
//!
//! The crate knows nothing of files' formats, terminals or JSON, and holds
//! no plan type of its own: records, KPIs, `verify`, the greedy baseline
//! and the shortage explanations live in `caisson-plan`.
//!
//! - [`plan`] is the one-call planner; [`Formulation::build`],
//!   [`Formulation::load`], [`LoadedModel::write_mps`] and
//!   [`LoadedModel::solve`] are its steps.
//! - [`Resolver`] re-solves one built model for variants of a scenario that
//!   only open or close flows (what `risk` asks), or only change
//!   quantities and costs (`simulate`'s samples, `compare`'s variants), with
//!   bound, cost and coefficient changes.
//! - [`solve_two_stage`] builds and solves the extensive form of a
//!   two-stage stochastic model: first-stage contract rates and expansions
//!   shared by one block per sample scenario (`recommend --samples`).
//!
//! ```no_run
//! # fn demo(scenario: &caisson_model::Scenario) {
//! use caisson_plan::{verify, PlanStatus};
//! use caisson_planner::{plan, PlanOptions};
//! let plan = plan(scenario, &PlanOptions::default());
//! if plan.status == PlanStatus::Optimal {
//!     assert!(verify(scenario, &plan).is_empty());
//!     println!("objective {:?}", plan.objective);
//! }
//! # }
//! ```

#![warn(missing_docs)]

mod benders;
mod build;
mod error;
mod ffi;
mod lp;
mod options;
mod pool;
mod relax;
mod resolve;
mod solve;
mod start;
mod structure;
mod support;
mod twostage;
mod vars;
mod warm;

pub use benders::{Decomposition, Iteration, SampleOutcome, Subproblems};
pub use build::{Formulation, Pooling};
pub use error::PlanError;
pub use options::{PlanOptions, RelaxFirst};
pub use resolve::{Bounds, Case, ResolveError, Resolved, Resolver, Start, Worker};
pub use solve::{plan, LoadedModel};
pub use twostage::{
    cvar, solve_two_stage, Decisions, FirstStage, Risk, TwoStageRequest, TwoStageSolution,
    TwoStageStats,
};
pub use warm::WarmBasis;
