//! `simulate` and `compare` with the model reused (and started from the
//! base's solution) against planning every scenario from scratch: the same
//! numbers within the MIP gap, the same numbers whatever the thread count,
//! and structural changes planned from scratch.

// These tests plan with HiGHS: they need the `solve` feature.
#![cfg(feature = "solve")]

mod support;

use caisson_analysis::compare::{compare_with, Comparison, Variant};
use caisson_analysis::simulate::{simulate_with, SimulateOptions, Simulation};
use caisson_analysis::{Resolve, ResolveTiming};
use caisson_generate::{generate, GenerateOptions, Size};
use caisson_model::Scenario;
use support::agree;

fn uncertain(seed: u64) -> Scenario {
    support::uncertain(Size::Small, seed)
}

fn run(
    s: &Scenario,
    samples: u64,
    resolve: Resolve,
    threads: usize,
) -> (Simulation, ResolveTiming) {
    let options = SimulateOptions {
        samples,
        seed: 5,
        ..SimulateOptions::default()
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    pool.install(|| simulate_with(s, &options, resolve, &|| {}))
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn simulate_gives_the_same_samples_with_the_model_reused_or_not() {
    for seed in [0, 1] {
        let s = uncertain(seed);
        assert!(!s.expansions.is_empty(), "seed {seed}: a MIP");
        let (cold, cold_timing) = run(&s, 8, Resolve::Cold, 2);
        assert_eq!(cold_timing.reused, 0);
        for resolve in [Resolve::Reuse, Resolve::WarmStart] {
            let (sim, timing) = run(&s, 8, resolve, 2);
            assert_eq!(timing.solves, 8);
            assert!(timing.reused > 0, "seed {seed}, {resolve:?}: {timing:?}");
            assert!(
                timing.fallbacks > 0,
                "seed {seed}, {resolve:?}: a delayed sample is planned from scratch: {timing:?}"
            );
            assert_eq!(timing.reused + timing.fallbacks, 8);
            for (a, b) in cold.samples.iter().zip(&sim.samples) {
                assert_eq!(a.status, b.status, "seed {seed}, {resolve:?}");
                assert!(
                    agree(a.objective, b.objective),
                    "seed {seed}, {resolve:?}, sample {}: cold {:?}, re-solved {:?}",
                    a.sample,
                    a.objective,
                    b.objective
                );
                assert_eq!(a.required, b.required);
                assert_eq!(a.outage_periods, b.outage_periods);
                assert_eq!(a.delayed_pairs, b.delayed_pairs);
            }
        }
    }
}

#[test]
fn simulate_with_reuse_is_the_same_whatever_the_thread_count() {
    let s = uncertain(2);
    for resolve in [Resolve::Reuse, Resolve::WarmStart] {
        let (one, _) = run(&s, 6, resolve, 1);
        let (two, _) = run(&s, 6, resolve, 2);
        let (three, _) = run(&s, 6, resolve, 3);
        assert_eq!(one, two, "{resolve:?}");
        assert_eq!(one.to_csv().ok(), three.to_csv().ok(), "{resolve:?}");
    }
}

fn compared(
    base: &Scenario,
    variants: &[(&str, Scenario)],
    resolve: Resolve,
) -> (Comparison, ResolveTiming) {
    let cases: Vec<Variant<'_>> = variants
        .iter()
        .map(|(label, scenario)| Variant { label, scenario })
        .collect();
    let base = Variant {
        label: "base",
        scenario: base,
    };
    compare_with(base, &cases, &Default::default(), resolve, &|| {})
}

#[test]
fn compare_gives_the_same_outcomes_with_the_model_reused_or_not() {
    let s = generate(&GenerateOptions {
        size: Size::Small,
        seed: 4,
    });
    let variants = support::variants(&s);
    let (cold, _) = compared(&s, &variants, Resolve::Cold);
    for resolve in [Resolve::Reuse, Resolve::WarmStart] {
        let (c, timing) = compared(&s, &variants, resolve);
        assert_eq!(timing.solves, 6, "{resolve:?}");
        assert_eq!(
            timing.fallbacks, 2,
            "{resolve:?}: the extra demand and the delay"
        );
        assert_eq!(timing.reused, 4, "{resolve:?}");
        assert!(agree(cold.base.objective, c.base.objective), "{resolve:?}");
        for (a, b) in cold.variants.iter().zip(&c.variants) {
            assert_eq!(a.outcome.scenario, b.outcome.scenario);
            assert!(
                agree(a.outcome.objective, b.outcome.objective),
                "{resolve:?}, {}: cold {:?}, re-solved {:?}",
                a.outcome.scenario,
                a.outcome.objective,
                b.outcome.objective
            );
            assert!(
                agree(
                    a.delta.objective.map(|d| d + 1e9),
                    b.delta.objective.map(|d| d + 1e9)
                ),
                "{resolve:?}: deltas"
            );
        }
    }
}
