//! The re-solve driver itself (`caisson_analysis::resolve`): the same cases
//! through `Cold`, `Reuse`, `WarmStart` and `WarmBasis` give the same objectives within
//! the MIP gap, a case that changes the model's structure is planned from
//! scratch and says so, and a case with nothing to solve is only counted.

// These tests plan with HiGHS: they need the `solve` feature.
#![cfg(feature = "solve")]

mod support;

use std::convert::Infallible;
use std::path::Path;

use caisson_analysis::resolve::{
    Change, Changes, Driver, Fallback, Guess, How, Job, Resolve, ResolveTiming, Settings,
};
use caisson_analysis::whatif;
use caisson_generate::{generate, GenerateOptions, Size};
use caisson_model::{FacilityId, PolicyId, Scenario};
use caisson_planner::{PlanOptions, ResolveError};
use support::agree;

const MODES: [Resolve; 4] = [
    Resolve::Cold,
    Resolve::Reuse,
    Resolve::WarmStart,
    Resolve::WarmBasis,
];

/// What the tests keep of one solved case.
#[derive(Debug, Clone, PartialEq)]
struct Solution {
    status: &'static str,
    objective: Option<f64>,
    how: How,
    /// Constraint violations `caisson_plan::verify` finds in the plan.
    violations: usize,
}

/// Solves `cases` of `base` with the driver, each case a scenario and its
/// change; a case without a scenario is done without a solve.
fn drive(
    base: &Scenario,
    cases: &[(Option<&Scenario>, Change)],
    changes: Changes,
    mode: Resolve,
) -> (Vec<Option<Solution>>, ResolveTiming) {
    let settings = Settings {
        mode,
        options: PlanOptions::default(),
        changes,
        guess: Guess::Greedy,
        solve_threads: 1,
    };
    let driver = Driver::new(base, &settings);
    let solved: Result<_, Infallible> = driver.solve_cases(
        cases.len(),
        &|i| {
            Ok(match cases[i] {
                (Some(scenario), change) => Job::Solve {
                    scenario,
                    change,
                    keep: (),
                },
                (None, _) => Job::Done(None),
            })
        },
        &|_, scenario, (), solved| {
            Some(Solution {
                status: solved.plan.status.name(),
                objective: solved.plan.objective,
                violations: caisson_plan::verify(scenario, &solved.plan).len(),
                how: solved.how,
            })
        },
        &|| {},
    );
    let Ok(solved) = solved;
    solved
}

/// Runs `cases` in every mode and checks that the objectives agree with
/// `Cold`'s; returns each mode's results and timing.
fn every_mode_agrees(
    base: &Scenario,
    cases: &[(Option<&Scenario>, Change)],
    changes: Changes,
) -> Vec<(Resolve, Vec<Option<Solution>>, ResolveTiming)> {
    let runs: Vec<_> = MODES
        .iter()
        .map(|&mode| {
            let (results, timing) = drive(base, cases, changes, mode);
            (mode, results, timing)
        })
        .collect();
    let cold = &runs[0].1;
    for (mode, results, _) in &runs {
        assert_eq!(results.len(), cases.len());
        for (i, (a, b)) in cold.iter().zip(results).enumerate() {
            let (Some(a), Some(b)) = (a, b) else {
                assert_eq!(a.is_none(), b.is_none(), "{mode:?}, case {i}");
                continue;
            };
            assert_eq!(a.status, b.status, "{mode:?}, case {i}");
            assert_eq!(
                b.violations, 0,
                "{mode:?}, case {i}: the plan breaks the model"
            );
            assert!(
                agree(a.objective, b.objective),
                "{mode:?}, case {i}: cold {:?}, {:?}",
                a.objective,
                b.objective
            );
        }
    }
    runs
}

fn is_structural(how: &How) -> bool {
    matches!(
        how,
        How::Fallback(Fallback::Structure(ResolveError::Structure(_)))
    )
}

fn check_edits(base: &Scenario) {
    let variants = support::variants(base);
    let mut cases: Vec<(Option<&Scenario>, Change)> = vec![(Some(base), Change::Edited)];
    cases.extend(variants.iter().map(|(_, s)| (Some(s), Change::Edited)));
    for (mode, results, timing) in every_mode_agrees(base, &cases, Changes::Quantities) {
        let hows: Vec<&How> = results.iter().flatten().map(|r| &r.how).collect();
        assert_eq!(hows.len(), 6);
        assert_eq!(timing.solves, 6, "{mode:?}");
        assert_eq!(timing.skipped, 0, "{mode:?}");
        if mode == Resolve::Cold {
            assert!(hows.iter().all(|h| **h == How::Cold), "{hows:?}");
            assert_eq!(timing.reused, 0);
            continue;
        }
        // The base and the first three variants are re-solved; the extra
        // demand and the longer lead times change the model and are
        // planned from scratch, and say why.
        for how in &hows[..4] {
            assert!(matches!(how, How::Reused { .. }), "{mode:?}: {how:?}");
        }
        for how in &hows[4..] {
            assert!(is_structural(how), "{mode:?}: {how:?}");
        }
        assert_eq!((timing.reused, timing.fallbacks), (4, 2), "{mode:?}");
        // Under WarmBasis the warm LPs prove at least one re-solved variant
        // (each is counted once, proven or not); no other mode uses them.
        if mode == Resolve::WarmBasis {
            assert!((1..=3).contains(&timing.warm), "{timing:?}");
        } else {
            assert_eq!(timing.warm, 0, "{mode:?}");
        }
    }
}

#[test]
fn every_mode_gives_the_same_objectives_on_a_generated_scenario() {
    let s = generate(&GenerateOptions {
        size: Size::Small,
        seed: 4,
    });
    assert!(!s.expansions.is_empty(), "a MIP");
    check_edits(&s);
}

fn fixture(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../planner/tests/fixtures")
        .join(name);
    caisson_scenario::load_path(&path)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .scenario
}

#[test]
fn every_mode_gives_the_same_objectives_on_a_fixture() {
    let s = fixture("example.toml");
    assert!(!s.expansions.is_empty(), "a MIP");
    check_edits(&s);
}

#[test]
fn flow_edits_agree_in_every_mode_and_a_case_with_nothing_to_solve_is_counted() {
    let s = fixture("example.toml");
    assert!(!s.policies.is_empty());
    let lifted = whatif::without_policy(&s, PolicyId::new(0));
    let facility = FacilityId::new(0);
    let without = whatif::without_facility(&s, facility);
    let cases = [
        (Some(&lifted), Change::Policies),
        (None, Change::Policies),
        (Some(&without), Change::WithoutFacility(facility)),
    ];
    for (mode, results, timing) in every_mode_agrees(&s, &cases, Changes::Flows) {
        assert!(results[1].is_none(), "{mode:?}: done without a solve");
        assert_eq!((timing.solves, timing.skipped), (2, 1), "{mode:?}");
        assert_eq!(timing.fallbacks, 0, "{mode:?}: both are bound changes");
        let reused = usize::from(mode != Resolve::Cold) * 2;
        assert_eq!(timing.reused, reused, "{mode:?}");
    }
    // The edited plans are those of the edited scenarios planned on their own.
    let (results, _) = drive(&s, &cases, Changes::Flows, Resolve::WarmStart);
    for (case, result) in cases.iter().zip(&results) {
        let (Some(scenario), Some(result)) = (case.0, result) else {
            continue;
        };
        let own = caisson_planner::plan(scenario, &PlanOptions::default());
        assert!(agree(own.objective, result.objective), "{case:?}");
    }
}

#[test]
fn a_policy_edit_outside_the_flow_model_falls_back_and_says_why() {
    // An edited quantity is not a change `Changes::Flows` can express.
    let s = fixture("example.toml");
    let mut more = s.clone();
    for d in &mut more.demands {
        d.quantity.iter_mut().for_each(|q| *q *= 2.0);
    }
    let (results, timing) = drive(
        &s,
        &[(Some(&more), Change::Policies)],
        Changes::Flows,
        Resolve::Reuse,
    );
    let how = results[0].as_ref().map(|r| r.how.clone());
    assert_eq!(
        how,
        Some(How::Fallback(Fallback::Structure(
            ResolveError::NotBoundsOnly
        )))
    );
    assert_eq!((timing.solves, timing.fallbacks), (1, 1));
    let own = caisson_planner::plan(&more, &PlanOptions::default());
    assert!(agree(
        own.objective,
        results[0].as_ref().and_then(|r| r.objective)
    ));
}

#[test]
fn the_results_do_not_depend_on_the_thread_count() {
    let s = generate(&GenerateOptions {
        size: Size::Small,
        seed: 3,
    });
    let variants = support::variants(&s);
    let cases: Vec<(Option<&Scenario>, Change)> = variants
        .iter()
        .map(|(_, e)| (Some(e), Change::Edited))
        .collect();
    for mode in [Resolve::Reuse, Resolve::WarmStart] {
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap_or_else(|e| panic!("{e}"));
            pool.install(|| drive(&s, &cases, Changes::Quantities, mode).0)
        };
        assert_eq!(on(1), on(3), "{mode:?}");
    }
}
