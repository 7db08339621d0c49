//! The relaxation first: a MIP answered by its LP relaxation and one
//! rounding when the two prove it, before any branch and bound.
//!
//! On the European example the LP relaxation is nearly integral (at most
//! one expansion decision fractional in every variant tried): HiGHS's MIP
//! spends almost all its time on that root LP, and the capacity duals then
//! cost a second LP from scratch with the decisions fixed. Here:
//!
//! 1. An optimal solution `x*` of the LP relaxation and its optimum `L`, a
//!    lower bound of the MIP's optimum, come from HiGHS's MIP presolve of
//!    the relaxation (`crate::support`, step 1: its presolved LP solves
//!    about twice as fast as the relaxation itself). Should that fail, the
//!    relaxation is solved from scratch (devex pricing, faster here than
//!    HiGHS's default choice), which gives `x*`, `L` and a basis.
//! 2. Every integer expansion is rounded: decided in the period where
//!    `x*` decides most of it when `x*` decides at least half of it over
//!    all its periods, else not at all (one period at most: the "decided
//!    at most once" row holds). Any choice of expansions is feasible: the
//!    model always is (shortage columns absorb every lack).
//! 3. The LP with those decisions fixed is solved: from `x*`'s support
//!    (`crate::support`'s steps 2 to 4 with the decisions kept fixed; when
//!    the rounding agrees with `x*`, `x*` is feasible there and nearly
//!    optimal), or from the relaxation's optimal basis when the relaxation
//!    was solved whole (a change of bounds only: the basis stays dual
//!    feasible, so few iterations remain). Either way HiGHS's optimality
//!    check on that LP decides. Its optimum `U` is the cost of a feasible
//!    plan of the MIP: an upper bound.
//! 4. When `(U - L) / max(|U|, 1)` is within the MIP gap, that plan is the
//!    answer, proven exactly as a MIP run stopped at that gap proves its
//!    own, and its capacity duals come from the same LP (after fixing the
//!    continuous expansions too, so that they mean what they mean after a
//!    MIP run: the LP with every expansion decision fixed).
//! 5. Otherwise the relaxation's optimal basis is found (from `x*`'s
//!    support, unless 1 already solved the relaxation whole), and each of
//!    a few expansions the relaxation takes only in part (the most
//!    fractional first) is branched on once: the relaxation with the
//!    expansion not taken, and with it taken, both warm from the
//!    relaxation's basis. Every plan either takes it or not, so the smaller
//!    of the two optima is a lower bound of the MIP's optimum, at least
//!    `L`; when it proves the rounded plan within the gap, that plan is the
//!    answer as in 4. An expansion whose branch not taken ends below the
//!    bound that would prove the plan cannot prove it whatever the branch
//!    taken gives: one after the other, that branch is not solved. When the
//!    solve may use more than one thread, the two branches run side by
//!    side (the branch taken on a copy of the instance on a thread of its
//!    own), which gives the same bound sooner.
//! 6. Otherwise the MIP runs as before, started from the rounded plan
//!    (feasible, and usually far better than the greedy start), and its
//!    duals' LP starts from the relaxation's basis.
//!
//! What it costs when it does not prove the plan: one more root LP (HiGHS's
//! MIP solves its own after presolve; no basis can be handed to it). Turned
//! off, or on for small models too, by
//! [`PlanOptions::relax_first`](crate::PlanOptions::relax_first).

use std::time::Instant;

use caisson_model::{ExpansionId, Scenario};
use highs::{HighsModelStatus, Model};

use crate::build::Formulation;
use crate::ffi::{self, Basis};
use crate::lp::{run, Optimum};
use crate::options::PlanOptions;
use crate::solve::apply_options;
use crate::vars::{RowKey, Var};

/// What the relaxation first gave; the model comes back alongside, ready
/// for the MIP (integrality and bounds as loaded) unless the plan is
/// [`Relaxed::Proven`].
pub(crate) enum Relaxed {
    /// The rounded plan, within the MIP gap of the relaxation.
    Proven(Proof),
    /// Not proven: the MIP runs, from `start` (the rounded plan) when the
    /// fixed LP had one, and its duals' LP from `basis`. `lower` (the
    /// relaxation's optimum, or the branches' bound when higher) bounds
    /// the MIP's optimum from below whatever the MIP itself reaches: a MIP
    /// stopped before its own root LP ends still has this proof.
    Unproven {
        start: Option<Vec<f64>>,
        basis: Basis,
        lower: f64,
    },
    /// The relaxation stopped at the time limit: no time is left.
    OutOfTime,
    /// The relaxation ended neither optimal nor at the time limit (HiGHS
    /// could not solve it): the MIP runs as if nothing had been tried.
    Inconclusive,
}

/// A plan proven by the relaxation and its rounding.
pub(crate) struct Proof {
    /// The plan's cost (the fixed LP's optimum), an upper bound.
    pub objective: f64,
    /// Every column's value.
    pub values: Vec<f64>,
    /// `(objective - relaxation) / max(|objective|, 1)`.
    pub gap: f64,
    /// Row duals of the LP with every expansion decision fixed (`None`
    /// when not asked for, or when that LP did not end optimal).
    pub row_duals: Option<Vec<f64>>,
}

/// HiGHS's option for the dual simplex's pricing.
pub(crate) const PRICING: &str = "simplex_dual_edge_weight_strategy";
/// Devex pricing: on the European example's relaxation about 30% faster
/// than HiGHS's default choice (steepest edge), for the same basis.
pub(crate) const DEVEX: i32 = 1;
/// Whether the caller set HiGHS's option `name` itself (`--highs`): then
/// the LPs keep it instead of the choice made here (such as [`PRICING`]).
pub(crate) fn option_chosen(options: &PlanOptions, name: &str) -> bool {
    options.highs.iter().any(|(chosen, _)| chosen == name)
}

/// HiGHS's default: it chooses.
pub(crate) const HIGHS_CHOOSES: i32 = -1;

/// Tries to answer the MIP `model` by its relaxation, see the module
/// documentation, within `options`' MIP gap and time limit (which bounds
/// the whole: each LP gets what is left), with capacity duals when they
/// ask for them. The LPs use devex pricing unless the caller set
/// [`PRICING`] itself; the MIP gets HiGHS's default back. `None` when
/// HiGHS failed and the instance is gone.
pub(crate) fn relax_first(
    mut model: Model,
    f: &Formulation,
    scenario: &Scenario,
    options: &PlanOptions,
) -> Option<(Model, Relaxed)> {
    let started = Instant::now();
    let (mip_gap, time_limit) = (options.mip_gap, options.time_limit);
    let keep_pricing = option_chosen(options, PRICING);
    let integer_cols = integer_columns(f, scenario);
    ffi::clear_integrality(&mut model).ok()?;
    if !keep_pricing {
        model.try_set_option(PRICING, DEVEX).ok()?;
    }
    set_time_left(&mut model, time_limit, started)?;
    let duals = DualsFor {
        f,
        integer_cols: &integer_cols,
        options,
        started,
    };
    let presolved = crate::support::presolve(&model, options, started);
    // With an optimal solution `x*` from the presolved LP, its rounding is
    // solved first, from `x*`'s support: when it proves the plan against
    // the presolved LP's optimum, no basis of the relaxation is needed.
    let mut rounded = None;
    if let Some(presolved) = &presolved {
        let rounding = Rounding::of(f, scenario, &presolved.values);
        rounding.fix(&mut model)?;
        let (back, fixed) =
            crate::support::solve(model, presolved, &rounding.cols, options, started)?;
        model = back;
        rounding.free(&mut model, f)?;
        match fixed {
            Ok(fixed) => {
                let gap = gap_between(fixed.objective, presolved.objective);
                if gap <= mip_gap {
                    return proven(model, &duals, &rounding, fixed, gap);
                }
                rounded = Some((rounding, fixed));
            }
            Err(HighsModelStatus::ReachedTimeLimit) => {
                restore(&mut model, f, &integer_cols, keep_pricing)?;
                return Some((model, Relaxed::OutOfTime));
            }
            // Solved again from the relaxation's basis below.
            Err(_) => {}
        }
    }
    let (mut model, relaxation) =
        crate::support::relaxation(model, presolved.as_ref(), options, started)?;
    let relaxation = match relaxation {
        Ok(optimum) => optimum,
        Err(status) => {
            restore(&mut model, f, &integer_cols, keep_pricing)?;
            let outcome = if status == HighsModelStatus::ReachedTimeLimit {
                Relaxed::OutOfTime
            } else {
                Relaxed::Inconclusive
            };
            return Some((model, outcome));
        }
    };
    let (rounding, fixed) = match rounded {
        Some(rounded) => rounded,
        None => {
            let rounding = Rounding::of(f, scenario, &relaxation.values);
            rounding.fix(&mut model)?;
            set_time_left(&mut model, time_limit, started)?;
            let (back, fixed) = run(model, Some(&relaxation.basis))?;
            model = back;
            rounding.free(&mut model, f)?;
            let Ok(fixed) = fixed else {
                restore(&mut model, f, &integer_cols, keep_pricing)?;
                let (basis, lower) = (relaxation.basis, relaxation.objective);
                return Some((
                    model,
                    Relaxed::Unproven {
                        start: None,
                        basis,
                        lower,
                    },
                ));
            };
            (rounding, fixed)
        }
    };
    let mut gap = gap_between(fixed.objective, relaxation.objective);
    if gap > mip_gap {
        let limits = Limits {
            col_upper: &f.col_upper,
            upper_bound: fixed.objective,
            options,
            started,
        };
        let (back, lower) = branch_once(model, f, scenario, &relaxation, &limits)?;
        model = back;
        let lower = lower.max(relaxation.objective);
        gap = gap_between(fixed.objective, lower);
        if gap > mip_gap {
            restore(&mut model, f, &integer_cols, keep_pricing)?;
            let (start, basis) = (Some(fixed.values), relaxation.basis);
            return Some((
                model,
                Relaxed::Unproven {
                    start,
                    basis,
                    lower,
                },
            ));
        }
    }
    proven(model, &duals, &rounding, fixed, gap)
}

/// The integer expansions' columns (sorted) and the values a rounding
/// fixes them at.
struct Rounding {
    cols: Vec<usize>,
    values: Vec<f64>,
}

impl Rounding {
    /// The rounding of the relaxation's solution `values` ([`round`]).
    fn of(f: &Formulation, scenario: &Scenario, values: &[f64]) -> Rounding {
        let (cols, values) = round(f, scenario, values).into_iter().unzip();
        Rounding { cols, values }
    }

    /// Fixes the columns at the rounding's values.
    fn fix(&self, model: &mut Model) -> Option<()> {
        ffi::change_col_bounds(model, &self.cols, &self.values, &self.values).ok()
    }

    /// Gives the columns their bounds in the relaxation back (the branches
    /// and the relaxation itself need them free).
    fn free(&self, model: &mut Model, f: &Formulation) -> Option<()> {
        let zeros = vec![0.0; self.cols.len()];
        let uppers: Vec<f64> = self.cols.iter().map(|&col| f.col_upper[col]).collect();
        ffi::change_col_bounds(model, &self.cols, &zeros, &uppers).ok()
    }
}

/// What a proven plan's capacity duals are found with.
struct DualsFor<'a> {
    f: &'a Formulation,
    /// The integer expansions' columns, sorted.
    integer_cols: &'a [usize],
    options: &'a PlanOptions,
    /// When the solve started (its time limit bounds the whole).
    started: Instant,
}

/// The plan `fixed` (the LP with `rounding` fixed, its optimum) proven
/// within `gap`, with the capacity duals when asked for: the LP with every
/// expansion decision fixed, from `fixed`'s basis.
fn proven(
    mut model: Model,
    with: &DualsFor<'_>,
    rounding: &Rounding,
    fixed: Optimum,
    gap: f64,
) -> Option<(Model, Relaxed)> {
    let DualsFor {
        f,
        integer_cols,
        options,
        started,
    } = *with;
    let continuous: Vec<(usize, f64)> = f
        .cols
        .iter()
        .enumerate()
        .filter(|&(col, var)| {
            matches!(var, Var::Y { .. }) && integer_cols.binary_search(&col).is_err()
        })
        .map(|(col, _)| (col, fixed.values[col]))
        .collect();
    let (model, row_duals) = if !options.capacity_duals {
        (model, None)
    } else if continuous.is_empty() {
        (model, Some(fixed.row_duals))
    } else {
        // The duals of a plan mean the LP with every expansion fixed.
        let (cols, values): (Vec<usize>, Vec<f64>) = continuous.into_iter().unzip();
        rounding.fix(&mut model)?;
        ffi::change_col_bounds(&mut model, &cols, &values, &values).ok()?;
        set_time_left(&mut model, options.time_limit, started)?;
        let (model, all_fixed) = run(model, Some(&fixed.basis))?;
        (model, all_fixed.ok().map(|optimum| optimum.row_duals))
    };
    let proof = Proof {
        objective: fixed.objective,
        values: fixed.values,
        gap,
        row_duals,
    };
    Some((model, Relaxed::Proven(proof)))
}

/// `(upper - lower) / max(|upper|, 1)`, never negative.
pub(crate) fn gap_between(upper: f64, lower: f64) -> f64 {
    (upper - lower).max(0.0) / upper.abs().max(1.0)
}

/// How many expansions [`branch_once`] branches on at most: each costs two
/// warm LPs.
const BRANCHED_EXPANSIONS: usize = 3;

/// What [`branch_once`] works within.
pub(crate) struct Limits<'a> {
    /// Every column's upper bound in the case solved (what the branches
    /// give back).
    pub col_upper: &'a [f64],
    /// The best plan's cost: branching stops once the bound proves it.
    pub upper_bound: f64,
    /// The solve's options: the MIP gap to prove, the time limit of the
    /// whole, the threads (one: the branches run one after the other) and
    /// HiGHS's options for a branch on a copy of the instance.
    pub options: &'a PlanOptions,
    /// When the whole started.
    pub started: Instant,
}

impl Limits<'_> {
    /// Whether `lower` proves `upper_bound` within the MIP gap.
    fn proves(&self, lower: f64) -> bool {
        gap_between(self.upper_bound, lower) <= self.options.mip_gap
    }
}

/// Whether two LPs of one solve run side by side (an expansion's two
/// branches here, a lifted policy's relaxation and fixed LP in
/// `crate::warm`): when the solve may use more than one thread and the
/// machine has more than one core. The second LP then runs on a copy of
/// the instance on a thread of its own (measured on the European example's
/// re-plans that branch: two warm LPs of 0.3-0.4 s each, one after the
/// other). Results are the same either way: each LP is the same LP from
/// the same basis.
fn side_by_side_on(options: &PlanOptions, cores: usize) -> bool {
    options.threads != Some(1) && cores > 1
}

/// [`side_by_side_on`] this machine's cores.
pub(crate) fn side_by_side(options: &PlanOptions) -> bool {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    side_by_side_on(options, cores)
}

/// A new instance holding `lp`, configured as a solve's own LPs are
/// (`options`, devex pricing unless chosen), to run on the calling thread.
/// `None` when HiGHS refuses it.
pub(crate) fn load_configured(lp: &ffi::LpCopy, options: &PlanOptions) -> Option<Model> {
    let mut model = ffi::load_lp(lp).ok()?;
    apply_options(&mut model, options, false).ok()?;
    if !option_chosen(options, PRICING) {
        model.try_set_option(PRICING, DEVEX).ok()?;
    }
    Some(model)
}

/// [`load_configured`] on one HiGHS thread: the second of two LPs side by
/// side, on a thread of its own. `None` when HiGHS refuses it.
pub(crate) fn load_copy(lp: &ffi::LpCopy, options: &PlanOptions) -> Option<Model> {
    let mut model = load_configured(lp, options)?;
    model.try_set_option("threads", 1).ok()?;
    model.try_set_option("parallel", "off").ok()?;
    Some(model)
}

/// Runs `here` on the calling thread and, when `copy` is given, `there` on
/// it on a scoped thread named `name` at the same time: the two LPs side
/// by side. `there`'s result is `None` when it gave none, and also when
/// the system refused the thread or `there` panicked: the caller then does
/// that work itself.
pub(crate) fn beside_copy<T: Send, R>(
    copy: Option<&ffi::LpCopy>,
    name: &str,
    there: impl FnOnce(&ffi::LpCopy) -> Option<T> + Send,
    here: impl FnOnce() -> R,
) -> (R, Option<T>) {
    std::thread::scope(|scope| {
        let handle = copy.and_then(|lp| {
            std::thread::Builder::new()
                .name(name.to_owned())
                .spawn_scoped(scope, move || there(lp))
                .ok()
        });
        let result = here();
        (result, handle.and_then(|h| h.join().ok().flatten()))
    })
}

/// How the branch taken is made from the relaxation: its "at most once"
/// row set to exactly one, or (an expansion of one period, which has no
/// such row) its column fixed at one.
#[derive(Clone, Copy)]
enum Taken<'c> {
    Once(usize),
    Column(&'c [usize]),
}

impl Taken<'_> {
    /// Sets the branch's bounds (`on`) or gives the relaxation's back.
    fn apply(self, model: &mut Model, col_upper: &[f64], on: bool) -> Result<(), ffi::FfiError> {
        match self {
            Taken::Once(row) => {
                let lower = if on { 1.0 } else { f64::NEG_INFINITY };
                ffi::change_row_bounds(model, &[row], &[lower], &[1.0])
            }
            Taken::Column(cols) => {
                let lower = vec![if on { 1.0 } else { 0.0 }; cols.len()];
                let uppers: Vec<f64> = cols.iter().map(|&col| col_upper[col]).collect();
                ffi::change_col_bounds(model, cols, &lower, &uppers)
            }
        }
    }
}

/// The branch taken solved on a new instance holding `lp` (the
/// relaxation's LP), configured as the solve's own LPs are, on one
/// thread: its optimum as [`branch_optimum`] gives it (`None`: stopped by
/// the time limit). `None` when the copy could not be solved (HiGHS
/// refused it or failed): the caller then solves the branch itself.
fn taken_on_copy(
    lp: &ffi::LpCopy,
    taken: Taken<'_>,
    basis: &Basis,
    limits: &Limits<'_>,
) -> Option<Option<f64>> {
    let mut model = load_copy(lp, limits.options)?;
    let options = limits.options;
    taken.apply(&mut model, limits.col_upper, true).ok()?;
    set_time_left(&mut model, options.time_limit, limits.started)?;
    let (_, outcome) = run(model, Some(basis))?;
    Some(branch_optimum(&outcome))
}

/// A lower bound of the MIP's optimum from branching once on each of a few
/// integer expansions the relaxation takes only in part, most fractional
/// first (see the module documentation): the largest over the branched
/// expansions of the smaller of its two branches' optima, and at least the
/// relaxation's. Each branch starts from the relaxation's basis. One after
/// the other, an expansion whose branch not taken does not prove
/// `limits.upper_bound` cannot prove it whatever its branch taken gives,
/// so that branch is not solved; side by side
/// ([`side_by_side`]) both run at once and the same rule decides
/// what the branch taken's optimum counts for. The model comes back with
/// its bounds as given. `None` when HiGHS failed.
pub(crate) fn branch_once(
    mut model: Model,
    f: &Formulation,
    scenario: &Scenario,
    relaxation: &Optimum,
    limits: &Limits<'_>,
) -> Option<(Model, f64)> {
    let mut lower = relaxation.objective;
    let fractional = fractional_expansions(f, scenario, &relaxation.values);
    // The relaxation's LP, copied once for the branches taken.
    let copy = (!fractional.is_empty() && side_by_side(limits.options))
        .then(|| ffi::copy_lp(&model).ok())
        .flatten();
    for (expansion, cols) in &fractional {
        if limits.proves(lower) {
            break;
        }
        let zeros = vec![0.0; cols.len()];
        let uppers: Vec<f64> = cols.iter().map(|&col| limits.col_upper[col]).collect();
        let once = RowKey::Once {
            expansion: *expansion,
        };
        let taken = match f.rows.iter().position(|row| *row == once) {
            Some(row) => Taken::Once(row),
            None => Taken::Column(cols),
        };
        // Not taken (here), and taken on a copy when side by side.
        let (not_taken, taken_copy) = beside_copy(
            copy.as_ref(),
            "caisson-branch",
            |lp| taken_on_copy(lp, taken, &relaxation.basis, limits),
            || {
                ffi::change_col_bounds(&mut model, cols, &zeros, &zeros).ok()?;
                set_time_left(&mut model, limits.options.time_limit, limits.started)?;
                let (mut back, not_taken) = run(model, Some(&relaxation.basis))?;
                ffi::change_col_bounds(&mut back, cols, &zeros, &uppers).ok()?;
                Some((back, not_taken))
            },
        );
        let (back, not_taken) = not_taken?;
        model = back;
        let Some(a) = branch_optimum(&not_taken) else {
            // Stopped (time) or failed: no bound from it.
            break;
        };
        if !limits.proves(a) {
            // Whatever the branch taken gives, this expansion cannot prove
            // the plan.
            continue;
        }
        let b = match taken_copy {
            Some(b) => b,
            None => {
                // Taken, here: in one of its periods (its "at most once"
                // row, or its one column, at 1).
                taken.apply(&mut model, limits.col_upper, true).ok()?;
                set_time_left(&mut model, limits.options.time_limit, limits.started)?;
                let (mut back, outcome) = run(model, Some(&relaxation.basis))?;
                taken.apply(&mut back, limits.col_upper, false).ok()?;
                model = back;
                branch_optimum(&outcome)
            }
        };
        let Some(b) = b else {
            // Stopped (time) or failed: no bound from it.
            break;
        };
        lower = lower.max(a.min(b));
    }
    Some((model, lower))
}

/// A branch's optimum: its objective, or +infinity when no plan is in it.
/// `None` when the branch gives none (a time limit, or HiGHS failed).
fn branch_optimum(outcome: &Result<Optimum, HighsModelStatus>) -> Option<f64> {
    match outcome {
        Ok(optimum) => Some(optimum.objective),
        Err(HighsModelStatus::Infeasible) => Some(f64::INFINITY),
        Err(_) => None,
    }
}

/// The integer expansions whose relaxed values add up to strictly between 0
/// and 1, with their columns, the most fractional (nearest one half) first,
/// at most [`BRANCHED_EXPANSIONS`].
fn fractional_expansions(
    f: &Formulation,
    scenario: &Scenario,
    values: &[f64],
) -> Vec<(ExpansionId, Vec<usize>)> {
    const EPSILON: f64 = 1e-6;
    let mut fractional: Vec<(f64, ExpansionId, Vec<usize>)> = integer_expansions(f, scenario)
        .into_iter()
        .filter_map(|(expansion, cols)| {
            let sum = relaxed_total(&cols, values);
            (sum > EPSILON && sum < 1.0 - EPSILON).then(|| ((sum - 0.5).abs(), expansion, cols))
        })
        .collect();
    fractional.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.index().cmp(&b.1.index())));
    fractional
        .into_iter()
        .take(BRANCHED_EXPANSIONS)
        .map(|(_, expansion, cols)| (expansion, cols))
        .collect()
}

/// Every integer expansion that has columns, with its decision columns
/// (ascending), in the order of the scenario's expansions.
pub(crate) fn integer_expansions(
    f: &Formulation,
    scenario: &Scenario,
) -> Vec<(ExpansionId, Vec<usize>)> {
    let mut columns: Vec<Vec<usize>> = vec![Vec::new(); scenario.expansions.len()];
    for (col, var) in f.cols.iter().enumerate() {
        if let Var::Y { expansion, .. } = *var {
            if scenario.expansions[expansion.index()].integer {
                columns[expansion.index()].push(col);
            }
        }
    }
    columns
        .into_iter()
        .enumerate()
        .filter(|(_, cols)| !cols.is_empty())
        .map(|(e, cols)| (ExpansionId::new(e), cols))
        .collect()
}

/// How much of an expansion the relaxation decides over its columns.
fn relaxed_total(cols: &[usize], values: &[f64]) -> f64 {
    cols.iter().map(|&col| values[col].clamp(0.0, 1.0)).sum()
}

/// The columns of integer expansion decisions, ascending.
pub(crate) fn integer_columns(f: &Formulation, scenario: &Scenario) -> Vec<usize> {
    let mut cols: Vec<usize> = integer_expansions(f, scenario)
        .into_iter()
        .flat_map(|(_, cols)| cols)
        .collect();
    cols.sort_unstable();
    cols
}

/// Every integer expansion decision rounded, as (column, 0 or 1): decided
/// in its period of largest relaxed value (the first of equals) when its
/// relaxed values add up to at least one half.
pub(crate) fn round(f: &Formulation, scenario: &Scenario, values: &[f64]) -> Vec<(usize, f64)> {
    let relaxed = |col: usize| values[col].clamp(0.0, 1.0);
    let mut rounding: Vec<(usize, f64)> = Vec::new();
    for (_, cols) in integer_expansions(f, scenario) {
        // The first of the largest values (`max_by` would keep the last).
        let largest = cols.iter().copied().reduce(|best, col| {
            if relaxed(col) > relaxed(best) {
                col
            } else {
                best
            }
        });
        let taken = relaxed_total(&cols, values) >= 0.5;
        rounding.extend(cols.iter().map(|&col| {
            let decided = taken && Some(col) == largest;
            (col, if decided { 1.0 } else { 0.0 })
        }));
    }
    rounding.sort_unstable_by_key(|&(col, _)| col);
    rounding
}

/// Gives the integer columns their integrality and every expansion column
/// its loaded bounds back, for the MIP.
fn restore(
    model: &mut Model,
    f: &Formulation,
    integer_cols: &[usize],
    keep_pricing: bool,
) -> Option<()> {
    if !keep_pricing {
        model.try_set_option(PRICING, HIGHS_CHOOSES).ok()?;
    }
    let cols: Vec<usize> = f
        .cols
        .iter()
        .enumerate()
        .filter(|(_, var)| matches!(var, Var::Y { .. }))
        .map(|(col, _)| col)
        .collect();
    let lower = vec![0.0; cols.len()];
    let upper: Vec<f64> = cols.iter().map(|&col| f.col_upper[col]).collect();
    ffi::change_col_bounds(model, &cols, &lower, &upper).ok()?;
    ffi::set_integer(model, integer_cols).ok()?;
    ffi::reset_solver(model).ok()
}

/// Sets HiGHS's time limit to what is left of `limit` since `started`.
pub(crate) fn set_time_left(model: &mut Model, limit: Option<f64>, started: Instant) -> Option<()> {
    if let Some(limit) = limit {
        let left = (limit - started.elapsed().as_secs_f64()).max(0.0);
        model.try_set_option("time_limit", left).ok()?;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lps_run_side_by_side_only_with_threads_and_cores_to_spare() {
        let with = |threads| PlanOptions {
            threads,
            ..PlanOptions::default()
        };
        assert!(side_by_side_on(&with(None), 2));
        assert!(side_by_side_on(&with(Some(2)), 2));
        assert!(!side_by_side_on(&with(Some(1)), 2));
        assert!(!side_by_side_on(&with(None), 1));
    }
}
