//! `compare`: a base scenario and its variants, planned independently and in
//! parallel, side by side with deltas against the base.
//!
//! Re-solves: by default the base's model is built once and loaded once per
//! thread, and every variant whose model has the base's structure (it
//! changes quantities, costs or policies only: `caisson_planner::Case::Edited`)
//! is re-solved on it; any other variant
//! is planned from scratch ([`crate::resolve`]).

use caisson_model::Scenario;
use caisson_plan::CostSplit;
use caisson_planner::PlanOptions;
use rayon::prelude::*;
use serde::Serialize;

use crate::outcome::Outcome;
use crate::resolve::{on_workers, one_thread, plan_case, How, Resolve, ResolveTiming};
use crate::solve_one_thread;

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

/// A scenario to compare, with the name it is shown under.
#[derive(Debug, Clone, Copy)]
pub struct Case<'a> {
    /// Display name (e.g. the file stem).
    pub label: &'a str,
    /// The scenario.
    pub scenario: &'a Scenario,
}

/// Plans `base` and every variant (in parallel, HiGHS on one thread each,
/// the model reused: [`Resolve::Reuse`]) and computes the deltas. `on_done` is called once per finished plan (for
/// progress bars); it may be called from several threads.
pub fn compare(
    base: Case<'_>,
    variants: &[Case<'_>],
    options: &PlanOptions,
    on_done: &(dyn Fn() + Sync),
) -> Comparison {
    compare_with(base, variants, options, Resolve::Reuse, on_done).0
}

/// [`compare`], solving as `resolve` says, with where the time went. Every
/// mode gives the same outcomes within the MIP gap.
pub fn compare_with(
    base: Case<'_>,
    variants: &[Case<'_>],
    options: &PlanOptions,
    resolve: Resolve,
    on_done: &(dyn Fn() + Sync),
) -> (Comparison, ResolveTiming) {
    let started = std::time::Instant::now();
    let all: Vec<Case<'_>> = std::iter::once(base)
        .chain(variants.iter().copied())
        .collect();
    let outcome_of = |case: &Case<'_>, plan: &caisson_plan::Plan| {
        let mut outcome = Outcome::of(case.scenario, plan);
        outcome.scenario = case.label.to_owned();
        on_done();
        outcome
    };
    let mut timing = ResolveTiming::default();
    let mut outcomes: Vec<Outcome> = if resolve == Resolve::Cold {
        all.par_iter()
            .map(|case| outcome_of(case, &solve_one_thread(case.scenario, options)))
            .collect()
    } else {
        let resolver = caisson_planner::Resolver::for_edits(base.scenario);
        timing.build_seconds = started.elapsed().as_secs_f64();
        let plan_options = one_thread(options);
        let mut first = resolver.worker(&plan_options).ok();
        // With a start, the base is solved first: its solution starts
        // every variant.
        let mut base_solved = None;
        if let (Resolve::WarmStart, Some(worker), Ok(bounds)) = (
            resolve,
            first.as_mut(),
            resolver.bounds(caisson_planner::Case::Base),
        ) {
            let start = if plan_options.greedy_start {
                caisson_planner::Start::Greedy(base.scenario)
            } else {
                caisson_planner::Start::None
            };
            let solved = worker.solve_with(&bounds, start);
            if solved.status.has_solution() {
                let plan = solved.plan(base.scenario, &solved.flows);
                base_solved = Some((solved, outcome_of(&base, &plan)));
            }
        }
        let baseline = base_solved.as_ref().map(|(solved, _)| solved);
        let todo: Vec<&Case<'_>> = all.iter().skip(usize::from(baseline.is_some())).collect();
        let results = on_workers(
            todo.len(),
            Some(&resolver),
            &plan_options,
            first,
            &|i, worker| {
                let case = todo[i];
                let (plan, how) = plan_case(
                    case.scenario,
                    Some(&resolver),
                    worker,
                    baseline,
                    &plan_options,
                );
                (outcome_of(case, &plan), how)
            },
        );
        let mut hows: Vec<How> = results.iter().map(|(_, how)| *how).collect();
        let mut outcomes: Vec<Outcome> = results.into_iter().map(|(o, _)| o).collect();
        if let Some((_, outcome)) = base_solved {
            hows.push(How::Reused { started: false });
            outcomes.insert(0, outcome);
        }
        timing.count(hows);
        outcomes
    };
    if resolve == Resolve::Cold {
        timing.count(std::iter::repeat_n(How::Cold, outcomes.len()));
    }
    let base = outcomes.remove(0);
    let variants = outcomes
        .into_iter()
        .map(|outcome| VariantOutcome {
            delta: delta(&base, &outcome),
            outcome,
        })
        .collect();
    timing.total_seconds = started.elapsed().as_secs_f64();
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
