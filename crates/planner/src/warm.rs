//! Warm re-plans: a case solved from the base case's simplex basis.
//!
//! A MIP re-solve starts from scratch: HiGHS presolves the edited model and
//! solves its root LP again (about 27,000 dual simplex iterations on the
//! European base), although one capacity or demand changed. A
//! [`WarmBasis`] keeps the optimal basis of the base case's LP relaxation
//! (integrality dropped) and the base plan's integer decisions.
//!
//! A case ([`Start::Warm`](crate::Start::Warm)) solves its own relaxation
//! with its own bounds, costs and coefficients, starting the simplex from
//! that basis: a change of right-hand sides (a capacity, a demand, initial
//! stock) keeps a basis dual feasible, a change of costs keeps it primal
//! feasible, so few iterations remain, and HiGHS skips presolve. Then the
//! LP with the integer decisions fixed is solved, first with the base's
//! decisions, then, if they do not prove the case, with the case's own
//! relaxation rounded as `crate::relax` rounds one. When the case's
//! relaxation moved fewer iterations than the base's own fixed LP took
//! from the base's relaxation basis, the first starts from that fixed
//! LP's optimal basis, for at most that many iterations (an edit of
//! quantities leaves it a few iterations from the case's optimum: on the
//! European example's re-plans 0-330 iterations, 0.03-0.12 s); otherwise,
//! or once the cap is reached, from the case's relaxation basis just found
//! (a change of bounds only), which is also the start of the second. A
//! case that only loosens the base's bounds (a policy lifted) keeps the
//! base's fixed basis primal feasible: its first fixed LP runs the primal
//! simplex from it, beside the relaxation (on a copy of the instance, on a
//! thread of its own) when the solve may use two threads, after it
//! otherwise; the same LP from the same basis either way. The cap
//! matters: measured on the European example's 23 risk re-plans, the
//! base's fixed-LP basis alone made them take 0.02-14 s (14 s when an
//! exporter with many plants is lost), the case's relaxation basis
//! 0.1-0.6 s.
//!
//! Why the result is exact. The relaxation's optimum `L` is a lower bound
//! of the case's MIP optimum. A fixed LP's optimal solution is feasible
//! for the case's MIP (its integer columns are integral, every other column
//! is what the LP chose within the case's bounds), so its cost `U` is an
//! upper bound. When `(U - L) / max(|U|, 1)` is within the MIP gap, `U` is
//! as close to the optimum as a MIP run stopped at that gap proves, and the
//! fixed LP's solution is returned as the case's plan, with that gap. When
//! neither decision set proves it, a branch once on a few expansions the
//! relaxation takes in part may raise the lower bound (`crate::relax`).
//! Only when none of this proves the case, the MIP runs, starting from the
//! better fixed LP's solution. The result depends only on the case's
//! bounds and the base's basis, never on what the worker solved before:
//! every run forgets the previous one and starts from the stored basis.
//!
//! The base itself ([`Worker::solve_base_warm`]) is solved the same way
//! from its cold relaxation: the relaxation first of a plan, whose
//! relaxation basis is then the cases' start, so the base costs one cold LP
//! and one warm one instead of a MIP and two cold LPs.

use std::time::Instant;

use caisson_plan::{clean, PlanStatus};
use highs::{HighsModelStatus, Model, Sense};

use crate::ffi::{self, Basis};
use crate::lp::{run, run_within, Optimum};
use crate::options::PlanOptions;
use crate::options::RelaxFirst;
use crate::relax::{
    beside_copy, branch_once, gap_between, integer_columns, load_copy, option_chosen, round,
    side_by_side, Limits, DEVEX, PRICING,
};
use crate::resolve::{Bounds, Held, Resolved, Start, Worker};
use crate::solve::{apply_options, read_flows};

/// HiGHS's option for the simplex variant, and its values for the dual
/// (HiGHS's default) and the primal simplex.
const SIMPLEX_STRATEGY: &str = "simplex_strategy";
const DUAL: i32 = 1;
const PRIMAL: i32 = 4;

/// The base case's simplex basis for warm re-plans, made once by
/// [`Worker::solve_base_warm`] (or [`Worker::warm_basis`] for a base solved
/// otherwise) and passed to every case as
/// [`Start::Warm`](crate::Start::Warm).
#[derive(Debug, Clone)]
pub struct WarmBasis {
    /// The optimal basis of the base's LP relaxation.
    relaxation: Basis,
    /// The optimal basis of the base's LP with its integer decisions
    /// fixed, when that LP proved the base: the start of a case's LP with
    /// the base's decisions fixed (see [`Worker::solve_warm`]).
    fixed: Option<FixedBasis>,
    /// The base's bounds, which `relaxation` is optimal for: a case that
    /// only loosens them starts from a primal feasible basis.
    bounds: Bounds,
    /// Simplex iterations of the base's relaxation from scratch: a case's
    /// relaxation from `relaxation` may take as many before it is solved
    /// from scratch instead (a warm run that needs more than a cold run is
    /// worse than one). Measured on the European example: with half as
    /// many, the 23 risk re-plans took 38 s (one thread; 58-60 s without a
    /// limit, 44 s with as many, 59 s with a quarter), but `bench
    /// --replan`'s lifted `srb-neutrality` 9.7 s (4.8 s with as many, where
    /// it finishes warm).
    cold_iterations: u64,
    /// Every integer column with its value in the base's plan (0 or 1);
    /// empty when the model has none.
    integers: Vec<(usize, f64)>,
    /// The base's solution: the MIP's start when the warm LPs prove
    /// nothing and no fixed LP has a solution.
    pub(crate) values: Vec<f64>,
}

/// The optimal basis of the base's LP with its integer decisions fixed,
/// and the simplex iterations that LP took from the base's relaxation
/// basis (what a case's LP with the base's decisions fixed takes from its
/// own relaxation basis, about).
#[derive(Debug, Clone)]
pub(crate) struct FixedBasis {
    basis: Basis,
    iterations: u64,
}

/// Where a fixed LP starts: from the relaxation's basis just found, or
/// from another basis for at most so many simplex iterations (by the dual
/// simplex, or by the primal from a primal feasible basis), then from the
/// relaxation's basis.
#[derive(Debug, Clone, Copy)]
enum FixedStart<'b> {
    Relaxation,
    Capped(&'b Basis, u64),
    Primal(&'b Basis, u64),
}

/// A set of integer decisions to fix and where its LP starts, or its LP's
/// optimum when already solved (beside the relaxation).
struct Candidate<'b> {
    integers: Vec<(usize, f64)>,
    start: FixedStart<'b>,
    solved: Option<Optimum>,
}

impl Candidate<'_> {
    /// `integers`, from the case's relaxation basis.
    fn from_relaxation(integers: Vec<(usize, f64)>) -> Self {
        Candidate {
            integers,
            start: FixedStart::Relaxation,
            solved: None,
        }
    }
}

/// The LP with the base's decisions fixed of a case that only loosens the
/// base's bounds, solved by the primal simplex from the base's fixed-LP
/// basis (primal feasible there: the same decisions, looser bounds) beside
/// the case's relaxation.
struct Beside<'i, 'b> {
    integers: &'i [(usize, f64)],
    basis: &'b Basis,
    cap: u64,
}

/// What [`Beside`]'s LP gave when it ran beside the relaxation.
enum BesideOutcome {
    /// Its optimum.
    Solved(Optimum),
    /// It reached its iteration cap: the case's relaxation basis is the
    /// start.
    Exhausted,
}

/// The best plan of a case's fixed LPs so far: its cost, values, row
/// duals and optimal basis.
struct Best {
    objective: f64,
    values: Vec<f64>,
    row_duals: Vec<f64>,
    basis: Option<FixedBasis>,
}

impl Best {
    /// A fixed LP's optimum as the best plan.
    fn of(fixed: Optimum) -> Self {
        Best {
            objective: fixed.objective,
            values: fixed.values,
            row_duals: fixed.row_duals,
            basis: Some(FixedBasis {
                basis: fixed.basis,
                iterations: fixed.iterations,
            }),
        }
    }
}

/// What the warm LPs of one case gave.
pub(crate) enum Warmed {
    /// A fixed LP's solution, within the MIP gap of the relaxation, with
    /// that LP's optimal basis and iterations (`None` when the relaxation
    /// itself was the plan: no integer column).
    Proven(Box<Resolved>, Option<FixedBasis>),
    /// A feasible solution (the better fixed LP's), not proven within the
    /// gap: the MIP's start.
    Start(Vec<f64>),
    /// Nothing usable (an LP not optimal, or HiGHS failed).
    Nothing,
}

/// [`Beside`]'s LP on a new instance holding `lp` (the case's LP) on one
/// thread, as [`Worker::run_fixed`] would solve it from
/// [`FixedStart::Primal`] up to its cap. `None` when it did not end at its
/// optimum or its cap (HiGHS refused the copy, failed, or stopped
/// otherwise): the calling thread then solves it as it would have.
fn fixed_on_copy(
    lp: &ffi::LpCopy,
    beside: &Beside<'_, '_>,
    options: &PlanOptions,
) -> Option<BesideOutcome> {
    let mut model = load_copy(lp, options)?;
    fix(&mut model, beside.integers).ok()?;
    model.try_set_option(SIMPLEX_STRATEGY, PRIMAL).ok()?;
    match run_within(model, Some(beside.basis), Some(beside.cap))? {
        (_, Ok(optimum)) => Some(BesideOutcome::Solved(optimum)),
        (_, Err(HighsModelStatus::ReachedIterationLimit)) => Some(BesideOutcome::Exhausted),
        (_, Err(_)) => None,
    }
}

/// Fixes each of `integers`' columns at its value.
fn fix(model: &mut Model, integers: &[(usize, f64)]) -> Result<(), ffi::FfiError> {
    let (cols, values): (Vec<usize>, Vec<f64>) = integers.iter().copied().unzip();
    ffi::change_col_bounds(model, &cols, &values, &values)
}

impl Worker<'_, '_> {
    /// Solves the base case (its `bounds`) as a plan's relaxation first
    /// does (`crate::relax`), keeping its relaxation's optimal basis for
    /// [`Start::Warm`](crate::Start::Warm): the LP relaxation from scratch,
    /// then the LP with its rounded decisions fixed from that basis, then
    /// a branch once on a few fractional expansions. When these do not
    /// prove the base within the MIP gap, the MIP runs, from the fixed
    /// LP's plan if it has one, else from `start` as
    /// [`Worker::solve_with`] would. Under
    /// [`RelaxFirst::Never`](crate::RelaxFirst::Never) the MIP solves the
    /// base and the relaxation is solved for its basis only. The basis is
    /// `None` when the
    /// relaxation did not end optimal or the base has no solution (cases
    /// then cannot start warm).
    pub fn solve_base_warm(
        &mut self,
        bounds: &Bounds,
        start: Start<'_>,
    ) -> (Resolved, Option<WarmBasis>) {
        let started = Instant::now();
        if self.options.relax_first == RelaxFirst::Never {
            // Branch and bound as asked; the relaxation only for the basis.
            let resolved = self.solve_with(bounds, start);
            let warm = self.warm_basis(&resolved);
            return (resolved, warm);
        }
        let Some((lower, _)) = self.relaxation(bounds, None, None) else {
            return (self.solve_with(bounds, start), None);
        };
        let rounded = self.rounded(&lower.values, bounds);
        let mut fixed = None;
        // The base's duals are kept whatever the options say: its own plan
        // (`Resolver::own_plan`) prices capacity with them, at no cost.
        let candidates = vec![Candidate::from_relaxation(rounded)];
        let resolved = match self.prove(bounds, &lower, candidates, true, started) {
            Warmed::Proven(resolved, basis) => {
                fixed = basis;
                *resolved
            }
            Warmed::Start(values) => self.run_mip(bounds, Some(values), started),
            Warmed::Nothing => self.solve_with(bounds, start),
        };
        let warm =
            (resolved.status.has_solution() && !resolved.values.is_empty()).then(|| WarmBasis {
                cold_iterations: lower.iterations,
                relaxation: lower.basis,
                fixed,
                bounds: bounds.clone(),
                integers: self.integers(&resolved.values, bounds),
                values: resolved.values.clone(),
            });
        (resolved, warm)
    }

    /// Solves the base case's LP relaxation from scratch and keeps its
    /// optimal basis for [`Start::Warm`](crate::Start::Warm), with `base`
    /// (the base solved otherwise) as the decisions cases try first.
    /// `None` when `base` has no solution or the LP does not end optimal
    /// (cases then cannot start warm; solve them as before).
    pub fn warm_basis(&mut self, base: &Resolved) -> Option<WarmBasis> {
        if !base.status.has_solution() || base.values.is_empty() {
            return None;
        }
        let bounds = self.resolver.base.clone();
        let (relaxation, _) = self.relaxation(&bounds, None, None)?;
        Some(WarmBasis {
            cold_iterations: relaxation.iterations,
            relaxation: relaxation.basis,
            fixed: None,
            integers: self.integers(&base.values, &bounds),
            bounds,
            values: base.values.clone(),
        })
    }

    /// The case's warm LPs, see the module documentation.
    pub(crate) fn solve_warm(
        &mut self,
        bounds: &Bounds,
        warm: &WarmBasis,
        started: Instant,
    ) -> Warmed {
        let base: Vec<(usize, f64)> = warm
            .integers
            .iter()
            .map(|&(col, value)| (col, value.min(bounds.col_upper[col]).max(0.0)))
            .collect();
        // The base's decisions from the base's LP with them fixed: an edit
        // of quantities leaves that basis a few iterations from the case's
        // optimum (on the European example 0-330 iterations, 0.03-0.12 s,
        // against 0.2-0.35 s from the case's relaxation basis), about as
        // far as the case's relaxation moved from the base's. The case's
        // relaxation basis costs about what the base's own fixed LP took
        // from the base's relaxation basis. So the base's basis is tried
        // when the relaxation moved less than that, and capped at that,
        // so that an edit that moves the optimum far falls back to the
        // relaxation's basis (one demand at 120% moved the relaxation 750
        // iterations, the base's fixed LP took 610: 0.46 s from the base's
        // basis with the fallback, 0.22 s from the relaxation's). A case
        // that only loosens the base's bounds (a policy lifted) opens
        // columns the base's basis prices wrongly (the dual simplex took
        // 12,000-14,000 iterations there) but keeps it primal feasible: its
        // fixed LP runs the primal simplex from it (0.3 s for a lifted
        // `srb-neutrality`, 1,140 iterations), beside its relaxation when
        // the solve may use two threads, capped as the relaxation is.
        let loosens = bounds.loosens(&warm.bounds);
        let beside = match &warm.fixed {
            Some(fixed) if loosens && !option_chosen(&self.options, SIMPLEX_STRATEGY) => {
                Some(Beside {
                    integers: &base,
                    basis: &fixed.basis,
                    cap: warm.cold_iterations,
                })
            }
            _ => None,
        };
        let Some((lower, beside_outcome)) = self.relaxation(bounds, Some(warm), beside.as_ref())
        else {
            return Warmed::Nothing;
        };
        // The edit may change which expansions pay off: then the case's own
        // relaxation, rounded, may prove what the base's decisions cannot.
        let rounded = self.rounded(&lower.values, bounds);
        let keep_duals = self.options.capacity_duals;
        let (from_base, solved) = match (&beside, beside_outcome) {
            (_, Some(BesideOutcome::Solved(optimum))) => (FixedStart::Relaxation, Some(optimum)),
            (_, Some(BesideOutcome::Exhausted)) => (FixedStart::Relaxation, None),
            (Some(beside), None) => (FixedStart::Primal(beside.basis, beside.cap), None),
            (None, None) => match &warm.fixed {
                Some(fixed) if lower.iterations < fixed.iterations => {
                    (FixedStart::Capped(&fixed.basis, fixed.iterations), None)
                }
                _ => (FixedStart::Relaxation, None),
            },
        };
        let candidates = vec![
            Candidate {
                integers: base,
                start: from_base,
                solved,
            },
            Candidate::from_relaxation(rounded),
        ];
        self.prove(bounds, &lower, candidates, keep_duals, started)
    }

    /// The LP relaxation with `bounds`, from scratch (with presolve) or
    /// from the base's basis in `warm`. A case that only loosens the base's
    /// bounds (a policy lifted) starts primal feasible and is solved by the
    /// primal simplex, any other by the dual (unless the caller chose a
    /// simplex strategy): on the European example a lifted
    /// `srb-neutrality` took 14,677 dual iterations (3.6 s) and 1,159
    /// primal ones (0.55 s), while a capacity cut took 167 dual ones and
    /// 2,277 primal ones. A run from a basis that takes more than the
    /// base's cold iterations is stopped there and the LP solved from
    /// scratch: an edit that changes much (an exporter with many plants
    /// lost) can make the simplex walk farther from the base's basis than
    /// presolve and a fresh start do (on the European example 15 s against
    /// 6 s). `None` when the LP did not end optimal or HiGHS failed (the
    /// instance is then reloaded next time).
    fn relaxation(
        &mut self,
        bounds: &Bounds,
        warm: Option<&WarmBasis>,
        beside: Option<&Beside<'_, '_>>,
    ) -> Option<(Optimum, Option<BesideOutcome>)> {
        let (mut model, mut held) = self.take_lp()?;
        let entries = &self.resolver.formulation.expansion_entries;
        // On an error what the instance holds is unknown: it is dropped.
        held.set(&mut model, bounds, entries).ok()?;
        let options = &self.options;
        // The case's LP, copied for the LP beside the relaxation.
        let copy = beside
            .filter(|_| side_by_side(options))
            .and_then(|_| ffi::copy_lp(&model).ok());
        let (relaxed, outcome) = beside_copy(
            copy.as_ref(),
            "caisson-fixed",
            |lp| beside.and_then(|beside| fixed_on_copy(lp, beside, options)),
            || {
                let primal = warm.is_some_and(|w| bounds.loosens(&w.bounds))
                    && !option_chosen(options, SIMPLEX_STRATEGY);
                if primal {
                    model.try_set_option(SIMPLEX_STRATEGY, PRIMAL).ok()?;
                }
                let basis = warm.map(|w| &w.relaxation);
                let iterations = warm.map(|w| w.cold_iterations);
                let (mut model, relaxation) = run_within(model, basis, iterations)?;
                if primal {
                    model.try_set_option(SIMPLEX_STRATEGY, DUAL).ok()?;
                }
                match relaxation {
                    Err(HighsModelStatus::ReachedIterationLimit) if warm.is_some() => {
                        run(model, None)
                    }
                    relaxation => Some((model, relaxation)),
                }
            },
        );
        let (model, relaxation) = relaxed?;
        self.lp = Some((model, held));
        Some((relaxation.ok()?, outcome))
    }

    /// Tries to prove a plan within the MIP gap of the relaxation `lower`:
    /// the LP with each of `candidates`' integer decisions fixed, from its
    /// start (or its optimum when already solved), until one proves it,
    /// then a branch once. Decision sets equal to an earlier one are
    /// skipped; with no integer column the relaxation is the plan. With
    /// `keep_duals` the plan keeps the row duals of the LP that proved it.
    fn prove(
        &mut self,
        bounds: &Bounds,
        lower: &Optimum,
        mut candidates: Vec<Candidate<'_>>,
        keep_duals: bool,
        started: Instant,
    ) -> Warmed {
        let Some((mut model, held)) = self.lp.take() else {
            return Warmed::Nothing;
        };
        let mip_gap = self.options.mip_gap;
        let has_integers = candidates.iter().any(|c| !c.integers.is_empty());
        // The best plan so far.
        let mut upper: Option<Best> = (!has_integers).then(|| Best {
            objective: lower.objective,
            values: lower.values.clone(),
            row_duals: lower.row_duals.clone(),
            basis: None,
        });
        for i in 0..candidates.len() {
            let proven = upper
                .as_ref()
                .is_some_and(|best| gap_between(best.objective, lower.objective) <= mip_gap);
            let integers = &candidates[i].integers;
            if proven || candidates[..i].iter().any(|c| c.integers == *integers) {
                continue;
            }
            let fixed = match candidates[i].solved.take() {
                Some(optimum) => Some(optimum),
                None => {
                    let start = candidates[i].start;
                    let integers = &candidates[i].integers;
                    let Some((back, fixed)) =
                        self.run_fixed(model, integers, bounds, start, &lower.basis)
                    else {
                        return Warmed::Nothing;
                    };
                    model = back;
                    fixed
                }
            };
            if let Some(fixed) = fixed {
                if upper
                    .as_ref()
                    .is_none_or(|best| fixed.objective < best.objective)
                {
                    upper = Some(Best::of(fixed));
                }
            }
        }
        let Some(Best {
            objective,
            values,
            row_duals,
            basis,
        }) = upper
        else {
            self.lp = Some((model, held));
            return Warmed::Nothing;
        };
        let mut gap = gap_between(objective, lower.objective);
        if gap > mip_gap && has_integers {
            // Branching once on the expansions the relaxation takes in part
            // may raise the lower bound enough (`crate::relax`).
            let resolver = self.resolver;
            let limits = Limits {
                col_upper: &bounds.col_upper,
                upper_bound: objective,
                options: &self.options,
                started,
            };
            let f = &resolver.formulation;
            let Some((back, bound)) = branch_once(model, f, resolver.scenario, lower, &limits)
            else {
                return Warmed::Nothing;
            };
            model = back;
            gap = gap_between(objective, bound.max(lower.objective));
        }
        self.lp = Some((model, held));
        if gap > mip_gap {
            return Warmed::Start(values);
        }
        let resolver = self.resolver;
        let is_mip = resolver.formulation.has_integer;
        Warmed::Proven(
            Box::new(Resolved {
                status: PlanStatus::Optimal,
                message: None,
                flows: read_flows(&resolver.formulation, resolver.scenario, &values),
                objective: Some(objective),
                mip_gap: if is_mip { gap } else { 0.0 },
                solve_seconds: started.elapsed().as_secs_f64(),
                started: false,
                warm: true,
                method: if is_mip { "highs-mip" } else { "highs-lp" },
                values: values.into_iter().map(clean).collect(),
                row_duals: keep_duals.then_some(row_duals),
            }),
            basis,
        )
    }

    /// The relaxation's integer decisions rounded (`crate::relax`), within
    /// `bounds`.
    fn rounded(&self, values: &[f64], bounds: &Bounds) -> Vec<(usize, f64)> {
        let resolver = self.resolver;
        round(&resolver.formulation, resolver.scenario, values)
            .into_iter()
            .map(|(col, value)| (col, value.min(bounds.col_upper[col])))
            .collect()
    }

    /// The integer columns of the model with their value in `values`,
    /// rounded and kept within `bounds`.
    fn integers(&self, values: &[f64], bounds: &Bounds) -> Vec<(usize, f64)> {
        integer_columns(&self.resolver.formulation, self.resolver.scenario)
            .into_iter()
            .map(|col| (col, values[col].round().clamp(0.0, bounds.col_upper[col])))
            .collect()
    }

    /// The worker's LP instance, loaded on first use (`None` when HiGHS
    /// refuses it). The caller puts it back into `self.lp`.
    fn take_lp(&mut self) -> Option<(Model, Held)> {
        if let Some(lp) = self.lp.take() {
            return Some(lp);
        }
        let f = &self.resolver.formulation;
        let mut model = f.problem.clone().try_optimise(Sense::Minimise).ok()?;
        model.make_quiet();
        apply_options(&mut model, &self.options, false).ok()?;
        // Devex pricing, as the relaxation first of a plan uses, unless the
        // caller chose a pricing.
        if !option_chosen(&self.options, PRICING) {
            model.try_set_option(PRICING, DEVEX).ok()?;
        }
        ffi::clear_integrality(&mut model).ok()?;
        Some((model, Held::of(f)))
    }

    /// Runs the LP with `integers` fixed at their values from `basis`, then
    /// gives the integer columns their bounds in `bounds` back (what the
    /// instance's `Held` says it holds). `None` when HiGHS failed.
    fn run_fixed(
        &self,
        mut model: Model,
        integers: &[(usize, f64)],
        bounds: &Bounds,
        start: FixedStart<'_>,
        relaxation: &Basis,
    ) -> Option<(Model, Option<Optimum>)> {
        fix(&mut model, integers).ok()?;
        let (model, optimum) = match start {
            FixedStart::Relaxation => run(model, Some(relaxation))?,
            FixedStart::Capped(basis, iterations) | FixedStart::Primal(basis, iterations) => {
                let primal = matches!(start, FixedStart::Primal(..));
                if primal {
                    model.try_set_option(SIMPLEX_STRATEGY, PRIMAL).ok()?;
                }
                let (mut model, ran) = run_within(model, Some(basis), Some(iterations))?;
                if primal {
                    model.try_set_option(SIMPLEX_STRATEGY, DUAL).ok()?;
                }
                match ran {
                    Err(HighsModelStatus::ReachedIterationLimit) => run(model, Some(relaxation))?,
                    ran => (model, ran),
                }
            }
        };
        let mut model = model;
        let optimum = optimum.ok();
        let cols: Vec<usize> = integers.iter().map(|&(col, _)| col).collect();
        let lower = vec![0.0; cols.len()];
        let upper: Vec<f64> = cols.iter().map(|&col| bounds.col_upper[col]).collect();
        ffi::change_col_bounds(&mut model, &cols, &lower, &upper).ok()?;
        Some((model, optimum))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::PlanOptions;
    use crate::resolve::Resolver;

    /// The fixed LP of the branching fixture (an expansion the relaxation
    /// takes by half, rounded to taken): from a basis within its cap, and
    /// from one that runs out of its cap and falls back to the relaxation's
    /// basis, the same optimum.
    #[test]
    fn a_capped_start_that_runs_out_falls_back_to_the_relaxation_basis() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/relax_branch.toml");
        let scenario = caisson_scenario::load_path(&path)
            .expect("the fixture loads")
            .scenario;
        let resolver = Resolver::for_edits(&scenario);
        let options = PlanOptions {
            threads: Some(1),
            ..PlanOptions::default()
        };
        let mut worker = resolver.worker(&options).expect("a worker");
        let bounds = resolver.base.clone();
        let (lower, _) = worker
            .relaxation(&bounds, None, None)
            .expect("the relaxation");
        let integers = worker.rounded(&lower.values, &bounds);
        let (model, _held) = worker.lp.take().expect("the instance");
        let fixed = |model, start| {
            worker
                .run_fixed(model, &integers, &bounds, start, &lower.basis)
                .map(|(model, optimum)| (model, optimum.expect("optimal")))
                .expect("HiGHS ran")
        };
        let (model, reference) = fixed(model, FixedStart::Relaxation);
        assert!(reference.iterations > 0, "the rounding moves the LP");
        // The relaxation's basis with no iteration allowed: the cap is
        // reached, the LP is solved again from the relaxation's basis.
        let (model, fallen_back) = fixed(model, FixedStart::Capped(&lower.basis, 0));
        assert_eq!(fallen_back.iterations, reference.iterations);
        // The fixed LP's own optimal basis needs no iteration.
        let (_, within) = fixed(model, FixedStart::Capped(&reference.basis, 0));
        assert_eq!(within.iterations, 0);
        for optimum in [&fallen_back, &within] {
            assert!((optimum.objective - reference.objective).abs() < 1e-9);
        }
        assert!((reference.objective - 900.0).abs() < 1e-6);
    }
}
