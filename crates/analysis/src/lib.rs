//! Strategic analysis on top of Caisson's planner: dependency metrics,
//! comparisons of variants, supplier criticality and the price of policies.
//!
//! The planner knows nothing of this crate; everything here consumes plans
//! (or the deliveries they contain) and scenarios. Result types are output
//! records (ids and labels, serialisable), not core model types.

pub mod aggregate;
pub mod compare;
pub mod dependency;
pub mod outcome;
pub mod recommend;
pub mod resolve;
pub mod risk;
pub mod simulate;
pub mod whatif;

pub use resolve::{Resolve, ResolveTiming};

pub(crate) use resolve::solve_one_thread;
