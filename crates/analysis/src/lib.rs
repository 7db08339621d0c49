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
pub mod sensitivity;
pub mod simulate;
pub mod whatif;

use caisson_model::Scenario;
use caisson_planner::{Plan, PlanOptions};

pub use resolve::{Resolve, ResolveTiming};

/// Plans with HiGHS restricted to one thread: analyses run many solves in
/// parallel, and HiGHS's own threads would only compete with them. (HiGHS
/// keeps one thread pool per process, so callers that also plan directly
/// should use one thread too.) Capacity shadow prices are not computed:
/// analyses compare outcomes, and the extra LP would double the time.
pub(crate) fn solve_one_thread(scenario: &Scenario, options: &PlanOptions) -> Plan {
    let options = PlanOptions {
        threads: Some(1),
        capacity_duals: false,
        ..options.clone()
    };
    caisson_planner::plan(scenario, &options)
}
