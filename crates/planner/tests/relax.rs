//! The relaxation first (`PlanOptions::relax_first`): a MIP answered by its
//! LP relaxation and one rounding when they prove it, by branch and bound
//! from the rounded plan when they do not; the same optimum either way.

use std::path::Path;

use caisson_model::Scenario;
use caisson_plan::{verify, Plan, PlanStatus};
use caisson_planner::{plan, PlanOptions, RelaxFirst};

fn load(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    match caisson_scenario::load_path(&path) {
        Ok(loaded) => loaded.scenario,
        Err(error) => panic!("fixture {name} does not load:\n{error}"),
    }
}

/// Plans `scenario` with the relaxation first and without, checks both
/// reach `expected` and verify, and returns the first.
fn both_ways(scenario: &Scenario, expected: f64) -> Plan {
    let always = PlanOptions {
        relax_first: RelaxFirst::Always,
        ..PlanOptions::default()
    };
    let relaxed = plan(scenario, &always);
    let direct = plan(
        scenario,
        &PlanOptions {
            relax_first: RelaxFirst::Never,
            ..PlanOptions::default()
        },
    );
    for (how, plan) in [("relaxation first", &relaxed), ("direct", &direct)] {
        assert_eq!(
            plan.status,
            PlanStatus::Optimal,
            "{how}: {:?}",
            plan.message
        );
        let objective = plan.objective.unwrap_or(f64::NAN);
        assert!(
            (objective - expected).abs() <= 1e-6 * expected,
            "{how}: objective {objective}, expected {expected}"
        );
        assert!(
            verify(scenario, plan).is_empty(),
            "{how}: {:#?}",
            verify(scenario, plan)
        );
        assert!(plan.capacity_duals.is_some(), "{how}: no capacity duals");
    }
    let direct_stats = direct.model.as_ref().expect("model stats");
    assert!(!direct_stats.proven_by_relaxation);
    assert_eq!(direct_stats.relaxation_seconds, 0.0);
    relaxed
}

#[test]
fn an_integral_relaxation_proves_the_plan_without_branch_and_bound() {
    // Worked in the fixture's header: fast decided in the first period.
    let scenario = load("expansion_lead.toml");
    let relaxed = both_ways(&scenario, 110.0);
    let stats = relaxed.model.as_ref().expect("model stats");
    assert!(stats.proven_by_relaxation);
    assert!(stats.relaxation_seconds > 0.0);
    assert_eq!(stats.solve_seconds, 0.0, "no branch and bound ran");
    assert!(!stats.started, "HiGHS's MIP was given no start");
    assert!(relaxed.mip_gap.is_some_and(|gap| gap <= 1e-6));
    let decided: Vec<&str> = relaxed
        .expansions
        .iter()
        .map(|e| scenario.expansions[e.expansion.index()].id.as_str())
        .collect();
    assert_eq!(decided, ["fast"]);
}

#[test]
fn a_rounding_that_does_not_prove_the_plan_starts_branch_and_bound() {
    let scenario = load("relax_fractional.toml");
    let relaxed = both_ways(&scenario, 1000.0);
    let stats = relaxed.model.as_ref().expect("model stats");
    assert!(!stats.proven_by_relaxation);
    assert!(stats.relaxation_seconds > 0.0);
    assert!(stats.started, "the rounded plan starts the MIP");
    assert!(relaxed.expansions.is_empty(), "not worth expanding");
}

#[test]
fn a_time_limit_spent_in_the_relaxation_leaves_the_greedy_plan() {
    let scenario = load("relax_fractional.toml");
    let stopped = plan(
        &scenario,
        &PlanOptions {
            time_limit: Some(0.0),
            relax_first: RelaxFirst::Always,
            ..PlanOptions::default()
        },
    );
    assert_eq!(
        stopped.status,
        PlanStatus::Feasible,
        "{:?}",
        stopped.message
    );
    assert!(stopped.model.as_ref().is_some_and(|m| m.started));
    assert!(verify(&scenario, &stopped).is_empty());
}

#[test]
fn one_branch_on_a_fractional_expansion_proves_what_the_relaxation_cannot() {
    let scenario = load("relax_branch.toml");
    let relaxed = both_ways(&scenario, 900.0);
    let stats = relaxed.model.as_ref().expect("model stats");
    assert!(stats.proven_by_relaxation, "proven by the branches' bound");
    assert_eq!(stats.solve_seconds, 0.0, "no branch and bound ran");
    assert_eq!(relaxed.expansions.len(), 1);
}

#[test]
fn the_branches_side_by_side_prove_what_they_prove_one_after_the_other() {
    // With more than one thread (and core) an expansion's branch taken
    // runs on a copy of the instance on its own thread; with one, after the
    // branch not taken on the same instance. Same LPs, same bases: the
    // same bound, plan and gap.
    let scenario = load("relax_branch.toml");
    let solve = |threads| {
        plan(
            &scenario,
            &PlanOptions {
                relax_first: RelaxFirst::Always,
                threads,
                ..PlanOptions::default()
            },
        )
    };
    // Each on a thread of its own: HiGHS's thread pool, once started on a
    // thread, keeps its size there.
    let (side_by_side, one_after_the_other) = std::thread::scope(|scope| {
        let side_by_side = scope.spawn(|| solve(None));
        let one_after_the_other = scope.spawn(|| solve(Some(1)));
        (
            side_by_side.join().expect("side by side"),
            one_after_the_other.join().expect("one after the other"),
        )
    });
    for plan in [&side_by_side, &one_after_the_other] {
        assert_eq!(plan.status, PlanStatus::Optimal, "{:?}", plan.message);
        let stats = plan.model.as_ref().expect("model stats");
        assert!(stats.proven_by_relaxation, "proven by the branches' bound");
        assert_eq!(stats.solve_seconds, 0.0, "no branch and bound ran");
        assert!(verify(&scenario, plan).is_empty());
    }
    assert_eq!(side_by_side.objective, one_after_the_other.objective);
    assert_eq!(side_by_side.mip_gap, one_after_the_other.mip_gap);
    assert_eq!(side_by_side.flows(), one_after_the_other.flows());
}
