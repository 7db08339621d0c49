//! Warm re-plans: a case solved from the base case's simplex bases.
//!
//! A MIP re-solve starts from scratch: HiGHS presolves the edited model and
//! solves its root LP again (about 17,000 dual simplex iterations on the
//! European base), although one capacity or demand changed. A
//! [`WarmBasis`] keeps the optimal bases of two LPs of the base case:
//!
//! - the LP relaxation (integrality dropped), and
//! - the LP with every integer column fixed at the base plan's value.
//!
//! A case ([`Start::Warm`](crate::Start::Warm)) solves both LPs with its
//! own bounds, costs and coefficients, starting the simplex from those
//! bases: a change of right-hand sides (a capacity, a demand, initial
//! stock) keeps a basis dual feasible, a change of costs keeps it primal
//! feasible, so few iterations remain, and HiGHS skips presolve.
//!
//! Why the result is exact. The relaxation's optimum `L` is a lower bound
//! of the case's MIP optimum. The fixed LP's optimal solution is feasible
//! for the case's MIP (its integer columns are integral, every other column
//! is what the LP chose within the case's bounds), so its cost `U` is an
//! upper bound. When `(U - L) / max(|U|, 1)` is within the MIP gap, `U` is
//! as close to the optimum as a MIP run stopped at that gap proves, and the
//! fixed LP's solution is returned as the case's plan, with that gap. When
//! it is not (the edit changes which expansions pay off), the case's own
//! relaxation is rounded as `crate::relax` rounds one and the LP with those
//! decisions fixed is solved from the relaxation's basis: another upper
//! bound, which may prove the case; then a branch once on a few
//! expansions the relaxation takes in part may raise the lower bound
//! (`crate::relax`). Only when none of this proves the case, the MIP runs,
//! starting from the better fixed LP's solution. The result
//! depends only on the case's bounds and the base's bases, never on what
//! the worker solved before: every run forgets the previous one and starts
//! from the stored basis.

use std::time::Instant;

use caisson_plan::{clean, PlanStatus};
use highs::{Model, Sense};

use crate::ffi::{self, Basis};
use crate::lp::{run, Optimum};
use crate::relax::{branch_once, gap_between, integer_columns, round, Limits};
use crate::resolve::{Bounds, Held, Resolved, Worker};
use crate::solve::{apply_options, read_flows};

/// The base case's simplex bases for warm re-plans, made once by
/// [`Worker::warm_basis`] and passed to every case as
/// [`Start::Warm`](crate::Start::Warm).
#[derive(Debug, Clone)]
pub struct WarmBasis {
    /// The optimal basis of the base's LP relaxation.
    relaxation: Basis,
    /// The optimal basis of the base's LP with its integers fixed (the
    /// relaxation's when the model has no integer column).
    fixed: Option<Basis>,
    /// Every integer column with its value in the base's plan (0 or 1).
    integers: Vec<(usize, f64)>,
    /// The base's solution: the MIP's start when the warm LPs prove
    /// nothing and the fixed LP has no solution.
    pub(crate) values: Vec<f64>,
}

/// What the warm LPs of one case gave.
pub(crate) enum Warmed {
    /// The fixed LP's solution, within the MIP gap of the relaxation.
    Proven(Resolved),
    /// A feasible solution (the fixed LP's), not proven within the gap: the
    /// MIP's start.
    Start(Vec<f64>),
    /// Nothing usable (an LP not optimal, or HiGHS failed).
    Nothing,
}

impl Worker<'_, '_> {
    /// Solves the base case's LP relaxation and its LP with the integer
    /// decisions fixed at `base`'s values, both from scratch, and keeps
    /// their optimal bases for [`Start::Warm`](crate::Start::Warm). `None`
    /// when `base` has no solution or an LP does not end optimal (cases
    /// then cannot start warm; solve them as before).
    pub fn warm_basis(&mut self, base: &Resolved) -> Option<WarmBasis> {
        if !base.status.has_solution() || base.values.is_empty() {
            return None;
        }
        let bounds = self.resolver.base.clone();
        let integers = self.integers(&base.values, &bounds);
        let (mut model, mut held) = self.take_lp()?;
        let entries = &self.resolver.formulation.expansion_entries;
        held.set(&mut model, &bounds, entries).ok()?;
        let (model, relaxation) = run(model, None)?;
        let relaxation = relaxation.ok()?;
        let (model, fixed) = if integers.is_empty() {
            (model, None)
        } else {
            let (model, fixed) = self.run_fixed(model, &integers, &bounds, None)?;
            (model, Some(fixed?.basis))
        };
        self.lp = Some((model, held));
        Some(WarmBasis {
            relaxation: relaxation.basis,
            fixed,
            integers,
            values: base.values.clone(),
        })
    }

    /// The case's two warm LPs, see the module documentation.
    pub(crate) fn solve_warm(
        &mut self,
        bounds: &Bounds,
        warm: &WarmBasis,
        started: Instant,
    ) -> Warmed {
        let Some((mut model, mut held)) = self.take_lp() else {
            return Warmed::Nothing;
        };
        let entries = &self.resolver.formulation.expansion_entries;
        if held.set(&mut model, bounds, entries).is_err() {
            // What the instance holds is unknown now: load afresh next time.
            return Warmed::Nothing;
        }
        let Some((model, relaxation)) = run(model, Some(&warm.relaxation)) else {
            return Warmed::Nothing;
        };
        let Ok(lower) = relaxation else {
            self.lp = Some((model, held));
            return Warmed::Nothing;
        };
        let integers: Vec<(usize, f64)> = warm
            .integers
            .iter()
            .map(|&(col, value)| (col, value.min(bounds.col_upper[col]).max(0.0)))
            .collect();
        let (mut model, mut upper) = match &warm.fixed {
            None => (model, Some(lower.clone_values())),
            Some(basis) => match self.run_fixed(model, &integers, bounds, Some(basis)) {
                Some((model, fixed)) => (model, fixed.map(|f| (f.objective, f.values))),
                None => return Warmed::Nothing,
            },
        };
        let gap_to = |objective: f64| gap_between(objective, lower.objective);
        let mip_gap = self.options.mip_gap;
        // The edit may change which expansions pay off: then the case's own
        // relaxation, rounded as `crate::relax` does, may prove what the
        // base's decisions cannot (one more warm LP instead of a MIP).
        if warm.fixed.is_some() && upper.as_ref().is_none_or(|(o, _)| gap_to(*o) > mip_gap) {
            let resolver = self.resolver;
            let rounded: Vec<(usize, f64)> =
                round(&resolver.formulation, resolver.scenario, &lower.values)
                    .into_iter()
                    .map(|(col, value)| (col, value.min(bounds.col_upper[col])))
                    .collect();
            if rounded != integers {
                let Some((back, fixed)) =
                    self.run_fixed(model, &rounded, bounds, Some(&lower.basis))
                else {
                    return Warmed::Nothing;
                };
                model = back;
                if let Some(fixed) = fixed {
                    if upper.as_ref().is_none_or(|(o, _)| fixed.objective < *o) {
                        upper = Some((fixed.objective, fixed.values));
                    }
                }
            }
        }
        let Some((objective, values)) = upper else {
            self.lp = Some((model, held));
            return Warmed::Nothing;
        };
        let mut gap = gap_to(objective);
        if gap > mip_gap && warm.fixed.is_some() {
            // Branching once on the expansions the relaxation takes in part
            // may raise the lower bound enough (`crate::relax`).
            let resolver = self.resolver;
            let limits = Limits {
                col_upper: &bounds.col_upper,
                upper_bound: objective,
                mip_gap,
                time_limit: self.options.time_limit,
                started,
            };
            let f = &resolver.formulation;
            let Some((back, bound)) = branch_once(model, f, resolver.scenario, &lower, &limits)
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
        Warmed::Proven(Resolved {
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
        })
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
        basis: Option<&Basis>,
    ) -> Option<(Model, Option<Optimum>)> {
        let cols: Vec<usize> = integers.iter().map(|&(col, _)| col).collect();
        let values: Vec<f64> = integers.iter().map(|&(_, value)| value).collect();
        ffi::change_col_bounds(&mut model, &cols, &values, &values).ok()?;
        let (mut model, optimum) = run(model, basis)?;
        let optimum = optimum.ok();
        let lower = vec![0.0; cols.len()];
        let upper: Vec<f64> = cols.iter().map(|&col| bounds.col_upper[col]).collect();
        ffi::change_col_bounds(&mut model, &cols, &lower, &upper).ok()?;
        Some((model, optimum))
    }
}
