//! `risk` re-solving one model by bound changes (with or without a warm
//! start) against re-planning each edited scenario from scratch, and the
//! signs every risk report must have.

// These tests plan with HiGHS: they need the `solve` feature.
#![cfg(feature = "solve")]

use caisson_analysis::risk::{analyse_with, Impact, Resolve, RiskOptions, RiskReport, Subject};
use caisson_analysis::whatif;
use caisson_generate::{generate, GenerateOptions, Size};
use caisson_model::{FacilityId, Scenario};
use caisson_plan::verify;
use caisson_planner::{plan, Case, PlanOptions, Resolver};

fn small(seed: u64) -> Scenario {
    generate(&GenerateOptions {
        size: Size::Small,
        seed,
    })
}

/// Agreement of two objectives solved to the default MIP gap (1e-6).
fn agree(a: f64, b: f64) -> bool {
    (a - b).abs() <= 2e-6 * a.abs().max(b.abs()).max(1.0)
}

fn options() -> RiskOptions {
    RiskOptions {
        facilities: true,
        policy_lists: true,
        plan: PlanOptions::default(),
    }
}

fn impacts(report: &RiskReport) -> impl Iterator<Item = &Impact> {
    report.criticality.iter().chain(&report.policies)
}

#[test]
fn every_way_of_resolving_gives_the_same_report() {
    for seed in 0..3 {
        let s = small(seed);
        let cold = analyse_with(&s, &options(), Resolve::Cold, &|| {});
        for mode in [Resolve::Reuse, Resolve::WarmStart] {
            let report = analyse_with(&s, &options(), mode, &|| {});
            let timing = report.timing.clone().unwrap_or_default();
            assert_eq!(
                timing.fallbacks, 0,
                "seed {seed} {mode:?}: every edit is a bound change"
            );
            assert!(timing.solves > 0, "seed {seed}: something was re-solved");
            assert!(agree(
                report.baseline.objective.unwrap_or(f64::NAN),
                cold.baseline.objective.unwrap_or(f64::NAN)
            ));
            assert_eq!(
                impacts(&report).count(),
                impacts(&cold).count(),
                "seed {seed} {mode:?}"
            );
            for a in impacts(&cold) {
                let b = impacts(&report)
                    .find(|b| b.subject == a.subject)
                    .unwrap_or_else(|| panic!("seed {seed} {mode:?}: {:?} missing", a.subject));
                assert_eq!(a.status, b.status, "seed {seed} {mode:?} {:?}", a.subject);
                assert!(
                    agree(
                        a.edited.objective.unwrap_or(f64::NAN),
                        b.edited.objective.unwrap_or(f64::NAN)
                    ),
                    "seed {seed} {mode:?} {:?}: cold {:?}, re-solved {:?}",
                    a.subject,
                    a.edited.objective,
                    b.edited.objective
                );
                // `baseline_deliveries` is not compared: each mode solves
                // the baseline on its own path (a cold plan starts from the
                // greedy plan, a re-solve does not), and among plans of
                // equal cost what one facility delivers is not unique.
            }
        }
    }
}

#[test]
fn losses_never_help_and_lifted_policies_never_hurt() {
    for seed in 0..3 {
        let s = small(seed);
        let report = analyse_with(&s, &options(), Resolve::WarmStart, &|| {});
        let base = report.baseline.objective.unwrap_or(f64::NAN);
        let tolerance = 2e-6 * base.abs().max(1.0);
        for impact in &report.policies {
            // Lifting a policy only opens flows.
            let cost = impact.cost.unwrap_or(f64::NAN);
            assert!(
                cost >= -tolerance,
                "seed {seed}: {:?} {cost}",
                impact.subject
            );
        }
        for impact in &report.criticality {
            // Losing an exporter only closes flows, unless it also drops
            // contracts whose shortfall the baseline paid for.
            let Subject::Exporter { actor } = &impact.subject else {
                continue;
            };
            let a = s.actor_id(actor).unwrap_or_else(|| panic!("{actor}"));
            let drops_contracts = s
                .contracts
                .iter()
                .any(|c| s.facilities[c.facility.index()].actor == a && c.buyer != a);
            let cost = impact.cost.unwrap_or(f64::NAN);
            if !drops_contracts {
                assert!(cost >= -tolerance, "seed {seed}: losing {actor} {cost}");
            }
            if impact.solve_seconds.is_none() {
                // Skipped: the baseline stays optimal, nothing changes.
                assert_eq!(impact.cost, Some(0.0), "seed {seed}: {actor}");
            }
        }
    }
}

#[test]
fn a_facility_closed_by_bounds_is_the_scenario_without_it() {
    let s = small(1);
    let resolver = Resolver::new(&s);
    let options = PlanOptions::default();
    let mut worker = resolver.worker(&options).unwrap_or_else(|e| panic!("{e}"));
    let base = worker.solve(
        &resolver
            .bounds(Case::Base)
            .unwrap_or_else(|e| panic!("{e}")),
        None,
    );
    for f in 0..s.facilities.len() {
        let facility = FacilityId::new(f);
        let edited = whatif::without_facility(&s, facility);
        let cold = plan(&edited, &options);
        let bounds = resolver
            .bounds(Case::WithoutFacility(facility))
            .unwrap_or_else(|e| panic!("{e}"));
        for start in [None, Some(&base)] {
            let resolved = worker.solve(&bounds, start);
            let flows = whatif::flows_without_facility(&s, facility, &resolved.flows);
            let p = resolved.plan(&edited, &flows);
            let id = &s.facilities[f].id;
            assert!(
                agree(
                    p.objective.unwrap_or(f64::NAN),
                    cold.objective.unwrap_or(f64::NAN)
                ),
                "without {id}, start {}: {:?} against cold {:?}",
                start.is_some(),
                p.objective,
                cold.objective
            );
            let violations = verify(&edited, &p);
            assert!(violations.is_empty(), "without {id}: {violations:?}");
        }
    }
}
