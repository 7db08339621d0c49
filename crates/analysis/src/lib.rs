//! Strategic analysis on top of Caisson's planner: dependency metrics,
//! comparisons of variants, supplier criticality and the price of policies.
//!
//! The planner knows nothing of this crate; everything here consumes plans
//! (or the deliveries they contain) and scenarios. Result types are output
//! records (ids and labels, serialisable), not core model types.
//!
//! The cargo feature `solve` (on by default) brings the modules that
//! re-plan with HiGHS: `compare`, `risk`, `simulate`, `recommend`, `sensitivity` and their
//! re-solve driver `resolve`. Without it the crate links no solver and
//! keeps what a reader of plan files needs: [`outcome::Outcome`] (also read
//! from any `caisson-plan/1` document), the dependency profiles, `aggregate`
//! and the scenario edits of `whatif`.

pub mod aggregate;
#[cfg(feature = "solve")]
pub mod compare;
pub mod dependency;
pub mod outcome;
#[cfg(feature = "solve")]
pub mod recommend;
#[cfg(feature = "solve")]
pub mod resolve;
#[cfg(feature = "solve")]
pub mod risk;
#[cfg(feature = "solve")]
pub mod sensitivity;
#[cfg(feature = "solve")]
pub mod simulate;
pub mod whatif;

#[cfg(feature = "solve")]
pub use resolve::{Resolve, ResolveTiming};

#[cfg(feature = "solve")]
pub(crate) use resolve::solve_one_thread;
