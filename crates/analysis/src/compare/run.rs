//! Planning the base and the variants of a comparison.
//!
//! Re-solves: by default the base's model is built once, the base is solved
//! by its relaxation first and that relaxation's simplex basis kept
//! ([`Resolve::WarmBasis`]), and every variant whose model has the base's
//! structure (it changes quantities, costs or policies only:
//! [`Change::Edited`]) is re-solved on it from that basis; any other variant
//! is planned from scratch (the [`Driver`] of [`crate::resolve`] does both).
//! On the European example's comparison (the base and four variants, one
//! of them re-solved) this took 24.7 s of CPU against 38.6 s with the model
//! only reused ([`Resolve::Reuse`], the base then a MIP run), for the same
//! objectives. What is `compare`'s own: the
//! base and the variants are its cases, and it summarises each plan as an
//! [`Outcome`] with deltas against the base.

use std::convert::Infallible;

use caisson_model::Scenario;
use caisson_plan::Plan;
use caisson_planner::PlanOptions;

use super::{delta, Comparison, VariantOutcome};
use crate::outcome::Outcome;
use crate::resolve::{Change, Changes, Driver, Guess, Job, Resolve, ResolveTiming, Settings};

/// A scenario to compare, with the name it is shown under: the base or one
/// of its variants.
#[derive(Debug, Clone, Copy)]
pub struct Variant<'a> {
    /// Display name (e.g. the file stem).
    pub label: &'a str,
    /// The scenario.
    pub scenario: &'a Scenario,
}

/// Plans `base` and every variant (in parallel, HiGHS on one thread each,
/// warm from the base's relaxation where the structure allows:
/// [`Resolve::WarmBasis`]) and computes the deltas.
/// `on_done` is called once per finished plan (for progress bars); it may
/// be called from several threads.
pub fn compare(
    base: Variant<'_>,
    variants: &[Variant<'_>],
    options: &PlanOptions,
    on_done: &(dyn Fn() + Sync),
) -> Comparison {
    compare_with(base, variants, options, Resolve::WarmBasis, on_done).0
}

/// [`compare`], also giving the base's plan as [`caisson_planner::plan`]
/// would (its flows, model figures and, when the base's LPs proved it,
/// capacity shadow prices): for a caller that needs both, the base is
/// solved once (`caisson demo`). The plan is the comparison's base case,
/// so the two never show different optimal plans of the same cost.
pub fn compare_and_plan(
    base: Variant<'_>,
    variants: &[Variant<'_>],
    options: &PlanOptions,
    on_done: &(dyn Fn() + Sync),
) -> (Comparison, Plan) {
    let (comparison, _, plan) = run(base, variants, options, Resolve::WarmBasis, on_done);
    (comparison, plan)
}

/// [`compare`], solving as `resolve` says, with where the time went. Every
/// mode gives the same outcomes within the MIP gap.
///
/// The base is the [`Driver`]'s first case: solved alongside the variants,
/// or, under [`Resolve::WarmStart`], once, as every variant's start.
pub fn compare_with(
    base: Variant<'_>,
    variants: &[Variant<'_>],
    options: &PlanOptions,
    resolve: Resolve,
    on_done: &(dyn Fn() + Sync),
) -> (Comparison, ResolveTiming) {
    let (comparison, timing, _) = run(base, variants, options, resolve, on_done);
    (comparison, timing)
}

/// The comparison, its timing and the base's plan.
fn run(
    base: Variant<'_>,
    variants: &[Variant<'_>],
    options: &PlanOptions,
    resolve: Resolve,
    on_done: &(dyn Fn() + Sync),
) -> (Comparison, ResolveTiming, Plan) {
    let all: Vec<Variant<'_>> = std::iter::once(base)
        .chain(variants.iter().copied())
        .collect();
    let settings = Settings {
        mode: resolve,
        options: options.clone(),
        changes: Changes::Quantities,
        guess: Guess::Greedy,
        solve_threads: 1,
    };
    let driver = Driver::new(base.scenario, &settings);
    let solved: Result<_, Infallible> = driver.solve_cases(
        all.len(),
        &|i| {
            Ok(Job::Solve {
                scenario: all[i].scenario,
                change: Change::Edited,
                keep: (),
            })
        },
        &|i, scenario, (), solved| {
            let mut outcome = Outcome::of(scenario, &solved.plan);
            outcome.scenario = all[i].label.to_owned();
            // Only the base's plan is kept.
            (outcome, (i == 0).then_some(solved.plan))
        },
        on_done,
    );
    let Ok((mut outcomes, timing)) = solved;
    // `all` starts with the base, whose plan `finish` keeps.
    let (base, base_plan) = outcomes.remove(0);
    let base_plan = base_plan.expect("the base's plan is kept");
    let variants = outcomes
        .into_iter()
        .map(|(outcome, _)| VariantOutcome {
            delta: delta(&base, &outcome),
            outcome,
        })
        .collect();
    (Comparison { base, variants }, timing, base_plan)
}
