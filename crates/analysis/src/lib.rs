//! Strategic analysis on top of Caisson's planner: dependency metrics,
//! comparisons of variants, supplier criticality and the price of policies.
//!
//! The planner knows nothing of this crate; everything here consumes plans
//! (or the deliveries they contain) and scenarios.

pub mod dependency;
pub mod whatif;
