//! The greedy start: a MIP stopped before HiGHS finds a solution of its own
//! still has a plan, at least as good as the greedy one.

use caisson_generate::{generate, GenerateOptions, Shape, Size};
use caisson_plan::{greedy, verify, PlanStatus};
use caisson_planner::{plan, PlanOptions};

#[test]
fn a_mip_stopped_at_once_still_has_the_greedy_plan() {
    let scenario = generate(&GenerateOptions {
        size: Size::Custom(Shape {
            facilities: 30,
            products: 8,
            demands: 12,
            periods: 12,
        }),
        seed: 1,
    });
    // Far too short for HiGHS to find anything itself.
    let stopped = PlanOptions {
        time_limit: Some(1e-4),
        capacity_duals: false,
        ..PlanOptions::default()
    };
    let started = plan(&scenario, &stopped);
    assert_eq!(
        started.status,
        PlanStatus::Feasible,
        "{:?}",
        started.message
    );
    assert!(started.model.as_ref().is_some_and(|m| m.started));
    let baseline = greedy(&scenario).objective.unwrap_or(f64::NAN);
    let objective = started.objective.unwrap_or(f64::NAN);
    assert!(
        objective <= baseline * (1.0 + 1e-9),
        "started plan {objective} worse than the greedy plan {baseline}"
    );
    assert!(verify(&scenario, &started).is_empty());

    let unstarted = plan(
        &scenario,
        &PlanOptions {
            greedy_start: false,
            ..stopped
        },
    );
    assert_eq!(unstarted.status, PlanStatus::TimeLimit);
    assert!(unstarted.model.as_ref().is_some_and(|m| !m.started));
}
