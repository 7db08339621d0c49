//! Strategic analysis on top of Caisson's planner: dependency metrics,
//! comparisons of variants, supplier criticality and the price of policies.
//!
//! The planner knows nothing of this crate; everything here consumes plans
//! (or the deliveries they contain) and scenarios. Result types are output
//! records (ids and labels, serialisable), not core model types.
//!
//! The cargo feature `solve` (on by default) brings the code that re-plans
//! with HiGHS: the re-solve driver `resolve`, the one-change re-plans of
//! `replan` and the `run` half of
//! `compare`, `risk`, `simulate`, `recommend` and `sensitivity` (their
//! `compare`, `analyse`, `simulate`, `recommend`, `sensitivity` functions
//! and options), and `breakeven` (a supplier's contracts against a bloc's
//! ramp-ups, over a political hazard). Without it the crate links no solver and keeps what a
//! reader of plans and results needs: [`outcome::Outcome`] (also read from
//! any `caisson-plan/1` document), every analysis's result type
//! ([`compare::Comparison`], [`risk::RiskReport`],
//! [`simulate::Simulation`], [`recommend::Recommendation`],
//! [`sensitivity::Sensitivity`], [`ResolveTiming`]), the dependency
//! profiles, `aggregate` and the scenario edits of `whatif`.

pub mod aggregate;
#[cfg(feature = "solve")]
pub mod breakeven;
pub mod compare;
pub mod dependency;
pub mod outcome;
pub mod recommend;
#[cfg(feature = "solve")]
pub mod replan;
#[cfg(feature = "solve")]
pub mod resolve;
pub mod risk;
pub mod sensitivity;
pub mod simulate;
mod timing;
pub mod whatif;

#[cfg(feature = "solve")]
pub use resolve::Resolve;
pub use timing::ResolveTiming;

#[cfg(feature = "solve")]
pub(crate) use resolve::solve_one_thread;
