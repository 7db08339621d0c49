//! `compare`: a base scenario and its variants, planned independently and in
//! parallel, side by side with deltas against the base.
//!
//! Re-solves: by default the base's model is built once and loaded once per
//! thread, and every variant whose model has the base's structure (it
//! changes quantities, costs or policies only: [`Change::Edited`]) is
//! re-solved on it; any other variant is planned from scratch (the
//! [`Driver`] of [`crate::resolve`] does both). What is `compare`'s own: the
//! base and the variants are its cases, and it summarises each plan as an
//! [`Outcome`] with deltas against the base.

use std::convert::Infallible;

use caisson_model::Scenario;
use caisson_plan::CostSplit;
use caisson_planner::PlanOptions;
use serde::Serialize;

use crate::outcome::Outcome;
use crate::resolve::{Change, Changes, Driver, Guess, Job, Resolve, ResolveTiming, Settings};

/// The base and every variant, with their deltas.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The base scenario's outcome.
    pub base: Outcome,
    /// Each variant's outcome and its difference from the base.
    pub variants: Vec<VariantOutcome>,
}

/// A variant's outcome and its deltas (variant minus base).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VariantOutcome {
    /// The variant's outcome.
    pub outcome: Outcome,
    /// Variant minus base.
    pub delta: Delta,
}

/// Differences of a variant from the base (variant minus base).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delta {
    /// Objective difference (`None` if either has no solution).
    pub objective: Option<f64>,
    /// Cost split difference.
    pub cost: Option<CostSplit>,
    /// Per product present in either, the differences of its totals.
    pub products: Vec<FigureDelta>,
    /// Per demand present in both, the differences of its figures.
    pub demands: Vec<FigureDelta>,
    /// Expansions chosen in the variant but not in the base.
    pub expansions_added: Vec<String>,
    /// Expansions chosen in the base but not in the variant.
    pub expansions_dropped: Vec<String>,
}

/// The differences of one product's or demand's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FigureDelta {
    /// Product or demand id.
    pub id: String,
    /// Units delivered.
    pub delivered: f64,
    /// Fill rate (`None` when either side requires nothing).
    pub fill_rate: Option<f64>,
    /// Backlog at the end.
    pub final_backlog: f64,
    /// Shortage in unit-periods (and lost units).
    pub shortage: f64,
}

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
/// the model reused: [`Resolve::Reuse`]) and computes the deltas.
/// `on_done` is called once per finished plan (for progress bars); it may
/// be called from several threads.
pub fn compare(
    base: Variant<'_>,
    variants: &[Variant<'_>],
    options: &PlanOptions,
    on_done: &(dyn Fn() + Sync),
) -> Comparison {
    compare_with(base, variants, options, Resolve::Reuse, on_done).0
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
    let all: Vec<Variant<'_>> = std::iter::once(base)
        .chain(variants.iter().copied())
        .collect();
    let settings = Settings {
        mode: resolve,
        options: options.clone(),
        changes: Changes::Quantities,
        guess: Guess::Greedy,
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
            outcome
        },
        on_done,
    );
    let Ok((mut outcomes, timing)) = solved;
    let base = outcomes.remove(0);
    let variants = outcomes
        .into_iter()
        .map(|outcome| VariantOutcome {
            delta: delta(&base, &outcome),
            outcome,
        })
        .collect();
    (Comparison { base, variants }, timing)
}

/// Variant minus base.
pub fn delta(base: &Outcome, variant: &Outcome) -> Delta {
    let objective = base.objective.zip(variant.objective).map(|(b, v)| v - b);
    let cost = base.cost.zip(variant.cost).map(|(b, v)| CostSplit {
        shortage: v.shortage - b.shortage,
        production: v.production - b.production,
        transport: v.transport - b.transport,
        holding: v.holding - b.holding,
        capex: v.capex - b.capex,
        contract: v.contract - b.contract,
    });
    let mut product_ids: Vec<&str> = base.products.iter().map(|p| p.product.as_str()).collect();
    for p in &variant.products {
        if !product_ids.contains(&p.product.as_str()) {
            product_ids.push(&p.product);
        }
    }
    let products = product_ids
        .into_iter()
        .map(|id| {
            let b = base.products.iter().find(|p| p.product == id);
            let v = variant.products.iter().find(|p| p.product == id);
            let get =
                |o: Option<&crate::outcome::ProductOutcome>,
                 f: fn(&crate::outcome::ProductOutcome) -> f64| o.map_or(0.0, f);
            FigureDelta {
                id: id.to_owned(),
                delivered: get(v, |p| p.delivered) - get(b, |p| p.delivered),
                fill_rate: b
                    .and_then(|p| p.fill_rate)
                    .zip(v.and_then(|p| p.fill_rate))
                    .map(|(b, v)| v - b),
                final_backlog: get(v, |p| p.final_backlog) - get(b, |p| p.final_backlog),
                shortage: get(v, |p| p.shortage) - get(b, |p| p.shortage),
            }
        })
        .collect();
    let demands = base
        .demands
        .iter()
        .filter_map(|b| {
            let v = variant.demand(&b.demand)?;
            Some(FigureDelta {
                id: b.demand.clone(),
                delivered: v.delivered - b.delivered,
                fill_rate: b.fill_rate.zip(v.fill_rate).map(|(b, v)| v - b),
                final_backlog: v.final_backlog - b.final_backlog,
                shortage: v.shortage - b.shortage,
            })
        })
        .collect();
    let chosen =
        |o: &Outcome| -> Vec<String> { o.expansions.iter().map(|e| e.expansion.clone()).collect() };
    let (in_base, in_variant) = (chosen(base), chosen(variant));
    Delta {
        objective,
        cost,
        products,
        demands,
        expansions_added: in_variant
            .iter()
            .filter(|e| !in_base.contains(e))
            .cloned()
            .collect(),
        expansions_dropped: in_base
            .iter()
            .filter(|e| !in_variant.contains(e))
            .cloned()
            .collect(),
    }
}
