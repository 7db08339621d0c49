//! The LP relaxation solved from its support (issue 18): the cold
//! relaxation of `crate::relax`, about a third faster on this project's
//! models, with the same optimum, basis and duals a cold solve gives.
//!
//! HiGHS's presolve of an LP keeps what a dual and basis postsolve need;
//! its presolve of a MIP does not, and on the European example the LP it
//! leaves solves about twice as fast (docs/performance.md, "The European
//! relaxation from other starts, and HiGHS's MIP presolve"). Its postsolve
//! gives primal values only, while the relaxation first needs an optimal
//! basis in the model's own columns (the fixed LP's warm start, the
//! branches, the bases kept for warm re-plans) and the duals. So:
//!
//! 1. A copy of the relaxation is presolved as a MIP (one empty integer
//!    column added, so no reduction relies on integrality: the presolved
//!    LP's optimum is the relaxation's), that LP is solved, and its
//!    solution postsolved: an optimal solution `x*` of the relaxation.
//!    A large presolved LP is solved by the interior-point method without
//!    crossover ([`INTERIOR_FROM_ROWS`]): on generated `large` three times
//!    as fast as the dual simplex, and no basis is needed here; `x*` is
//!    then interior, and a column counts as at zero in it up to
//!    [`INTERIOR_AT_BOUND`] instead of [`AT_BOUND`].
//! 2. The relaxation itself is solved with every column at zero in `x*`
//!    fixed at zero (a restriction that `x*` satisfies, so its optimum is
//!    the relaxation's): on the European base 2,509 iterations instead of
//!    27,610, since HiGHS's LP presolve drops the fixed columns.
//! 3. The fixed columns are priced with that LP's duals; those with a
//!    negative reduced cost are released and the LP re-solved by the
//!    primal simplex from its basis (still primal feasible), at most twice.
//! 4. Every column is released and the primal simplex runs from the last
//!    basis to the relaxation's optimum: HiGHS's own optimality check on
//!    the unrestricted LP, so the result is exactly the cold solve's (an
//!    optimal basis of the same LP, and that basis's duals).
//!
//! Any failure on the way (HiGHS refuses a call, an LP ends otherwise than
//! optimal) falls back to the cold solve, with the model's bounds restored.
//!
//! Steps 2 to 4 also solve an LP that is the relaxation with some columns
//! kept fixed by the caller ([`solve`]'s `kept`): `crate::relax` solves the
//! LP with the rounded expansions fixed this way first, from the same `x*`
//! (optimal there too when the rounding agrees with it), and needs the
//! relaxation's own basis only when that plan is not proven: step 1's
//! optimum is the relaxation's, the lower bound, without a basis. On the
//! European base that skips the relaxation's steps 2 to 4 (about 0.75 s)
//! and the fixed LP from its basis (about 0.3 s) for one LP from the
//! support of about 0.5 s (docs/performance.md, "The rounding from the
//! support, the presolved LP in parallel").

use std::time::Instant;

use highs::{HighsModelStatus, Model};

use crate::ffi::{self, LpCopy};
use crate::lp::{run, Optimum};
use crate::options::PlanOptions;
use crate::relax::{load_configured, option_chosen, set_time_left, HIGHS_CHOOSES, PRICING};

/// HiGHS's option choosing the simplex variant.
const SIMPLEX_STRATEGY: &str = "simplex_strategy";
/// The dual simplex (HiGHS's default for an LP).
const DUAL: i32 = 1;
/// HiGHS's parallel dual simplex ("PAMI").
const PARALLEL_DUAL: i32 = 2;
/// The primal simplex: a basis that stays primal feasible when columns are
/// released needs only primal iterations.
const PRIMAL: i32 = 4;
/// How many times at most the columns priced negative are released before
/// all of them are (step 3).
const PRICING_ROUNDS: usize = 2;
/// A value at most this far above a column's lower bound counts as at the
/// bound in `x*`.
const AT_BOUND: f64 = 1e-9;
/// A reduced cost below `-PRICED_OUT * max(1, |cost|)` releases its column
/// in step 3 (HiGHS's dual feasibility tolerance; step 4 settles the rest
/// by HiGHS's own test).
const PRICED_OUT: f64 = 1e-7;
/// HiGHS's option choosing the LP solver.
const SOLVER: &str = "solver";
/// A presolved LP with at least this many rows is solved by HiGHS's
/// interior-point method (IPX) first. Its dual simplex needs far more
/// iterations and denser factors as the rows grow: 349 s for generated
/// `large`'s presolved LP (38,679 rows after HiGHS's LP presolve), where
/// IPX takes about 120 s; the European base's (10,130 rows) takes 2 s by
/// the dual simplex (docs/performance.md, "Large by the interior-point
/// method").
const INTERIOR_FROM_ROWS: usize = 25_000;
/// In an interior solution a column the optimal face does not use is small
/// but not zero: at most this value counts as at its (zero) lower bound.
/// Step 2's restriction then holds the optimal face's columns that carry
/// at least a thousandth of a unit (on `large`, 40,686 columns left free
/// give a restricted LP of 3 s, where 1e-5 leaves 124,852 and 129 s);
/// steps 3 and 4 release whatever it should not have dropped.
const INTERIOR_AT_BOUND: f64 = 1e-3;
/// IPX runs with the costs scaled by a power of two that brings the
/// largest to at most `2^INTERIOR_COST_LOG2`: unscaled, the expansions'
/// costs (up to 3e8 on `large`) stall it ("no progress" after 22
/// iterations), and HiGHS's own warning suggests this scale.
const INTERIOR_COST_LOG2: f64 = 20.0;

/// An optimal solution of a relaxation found through its MIP-presolved LP
/// (step 1), with no basis yet: what steps 2 to 4 start from.
pub(crate) struct Presolved {
    /// The relaxation's LP as it was when presolved: the bounds every
    /// column gets back.
    copy: LpCopy,
    /// An optimal solution `x*` of the relaxation.
    pub values: Vec<f64>,
    /// The relaxation's optimum (the presolved LP's, whose offset carries
    /// what presolve removed): a lower bound of the MIP's optimum.
    pub objective: f64,
    /// Simplex iterations of the presolved LP (0 when the interior-point
    /// method solved it).
    pub iterations: u64,
    /// How far above a zero lower bound a value of `values` still counts
    /// as at it: [`AT_BOUND`] for a vertex, [`INTERIOR_AT_BOUND`] for an
    /// interior solution.
    at_bound: f64,
}

/// Step 1 on the relaxation `model` holds (integrality already cleared,
/// the caller's options set); `model` is left as it was. `None` when HiGHS
/// refuses a step or the presolved LP does not end optimal (the time limit
/// included): the caller then solves from scratch, with what is left of
/// the time limit.
pub(crate) fn presolve(
    model: &Model,
    options: &PlanOptions,
    started: Instant,
) -> Option<Presolved> {
    presolved(
        ffi::copy_lp(model).ok()?,
        options,
        started,
        INTERIOR_FROM_ROWS,
    )
}

/// Steps 2 to 4 on `model`, the relaxation `presolved` was found for with
/// the columns `kept` (sorted) fixed by the caller: none for the
/// relaxation itself, the rounded expansions for the LP with them fixed.
/// `x*` satisfies the first and, when the rounding agrees with it, the
/// second; when the restricted LP is infeasible or otherwise not optimal
/// that LP is solved from scratch (`kept` still fixed). The kept columns
/// keep the bounds the caller gave; every other column ends with its
/// bounds in the relaxation. `None` when HiGHS failed and the instance is
/// gone, as [`run`].
pub(crate) fn solve(
    model: Model,
    presolved: &Presolved,
    kept: &[usize],
    options: &PlanOptions,
    started: Instant,
) -> Option<(Model, Result<Optimum, HighsModelStatus>)> {
    let copy = &presolved.copy;
    let at_zero: Vec<usize> = (0..copy.num_cols())
        .filter(|&col| {
            let (_, lower, _) = copy.col(col);
            lower == 0.0
                && presolved
                    .values
                    .get(col)
                    .is_some_and(|&x| x <= presolved.at_bound)
                && kept.binary_search(&col).is_err()
        })
        .collect();
    from_support(model, copy, at_zero, options, started)
}

/// The relaxation `model` holds (integrality already cleared, the caller's
/// options set) solved from the support of `presolved` (step 1's result on
/// it) as the module documentation says, or from scratch, with what is
/// left of the time limit, when there is none; `None` when HiGHS failed
/// and the instance is gone, as [`run`]. The optimum's `iterations` count
/// every LP's of the solve, step 1's included.
pub(crate) fn relaxation(
    mut model: Model,
    presolved: Option<&Presolved>,
    options: &PlanOptions,
    started: Instant,
) -> Option<(Model, Result<Optimum, HighsModelStatus>)> {
    let Some(presolved) = presolved else {
        set_time_left(&mut model, options.time_limit, started)?;
        return run(model, None);
    };
    let (model, solved) = solve(model, presolved, &[], options, started)?;
    let solved = solved.map(|mut optimum| {
        optimum.iterations += presolved.iterations;
        optimum
    });
    Some((model, solved))
}

/// Step 1 on the relaxation `copy`, by HiGHS's MIP presolve (see
/// [`presolve`]), the presolved LP tried by the interior-point method
/// first when it has at least `interior_from_rows` rows.
fn presolved(
    copy: LpCopy,
    options: &PlanOptions,
    started: Instant,
    interior_from_rows: usize,
) -> Option<Presolved> {
    let mut presolver = load_configured(&copy, options)?;
    set_time_left(&mut presolver, options.time_limit, started)?;
    let reduced = ffi::presolve_as_mip(&mut presolver).ok()?;
    let solved = interior_first(&reduced, options, interior_from_rows)
        .then(|| interior(&reduced, options, started))
        .flatten();
    let solved = match solved {
        Some(solved) => solved,
        None => {
            let optimum = presolved_lp(&reduced, options, started)?;
            PresolvedOptimum {
                objective: optimum.objective,
                values: optimum.values,
                iterations: optimum.iterations,
                at_bound: AT_BOUND,
            }
        }
    };
    let values = ffi::postsolve_primal(&mut presolver, &solved.values).ok()?;
    Some(Presolved {
        copy,
        values,
        objective: solved.objective,
        iterations: solved.iterations,
        at_bound: solved.at_bound,
    })
}

/// An optimal solution of the presolved LP and its optimum, with how its
/// values at a bound are told ([`Presolved`]'s fields).
struct PresolvedOptimum {
    objective: f64,
    values: Vec<f64>,
    iterations: u64,
    at_bound: f64,
}

/// Whether the presolved LP `lp` is tried by the interior-point method
/// first: it has at least `from_rows` rows ([`INTERIOR_FROM_ROWS`]), and
/// the caller did not choose a solver or a simplex variant (`--highs`).
fn interior_first(lp: &LpCopy, options: &PlanOptions, from_rows: usize) -> bool {
    lp.num_rows() >= from_rows
        && !option_chosen(options, SOLVER)
        && !option_chosen(options, SIMPLEX_STRATEGY)
}

/// The presolved LP `lp` by HiGHS's interior-point method (IPX) without
/// crossover: an interior solution, optimal within IPX's tolerances, with
/// no basis (steps 2 to 4 find one). Its objective is lowered by IPX's
/// primal-dual objective error, so that it stays a lower bound. `None`
/// when IPX does not end optimal (it can stall: the caller then runs the
/// dual simplex with the time left).
fn interior(lp: &LpCopy, options: &PlanOptions, started: Instant) -> Option<PresolvedOptimum> {
    let mut model = load_configured(lp, options)?;
    model.try_set_option(SOLVER, "ipx").ok()?;
    model.try_set_option("run_crossover", "off").ok()?;
    model
        .try_set_option("user_objective_scale", cost_scale(lp.max_abs_cost()))
        .ok()?;
    set_time_left(&mut model, options.time_limit, started)?;
    let solved = model.try_solve().ok()?;
    if solved.status() != HighsModelStatus::Optimal {
        return None;
    }
    let objective = solved.objective_value();
    let values = solved.get_solution().columns().to_vec();
    let model: Model = solved.into();
    let error = ffi::objective_error(&model).ok()?;
    // HiGHS's error is |primal - dual| / (1 + |primal| + |dual|).
    let lowered = objective - error * (1.0 + 2.0 * objective.abs());
    Some(PresolvedOptimum {
        objective: lowered,
        values,
        iterations: 0,
        at_bound: INTERIOR_AT_BOUND,
    })
}

/// The power of two (HiGHS's `user_objective_scale`) that brings a largest
/// absolute cost `max_cost` to at most `2^INTERIOR_COST_LOG2`; 0 when it
/// is already there.
fn cost_scale(max_cost: f64) -> i32 {
    if !max_cost.is_finite() || max_cost <= 0.0 {
        return 0;
    }
    let over = (max_cost.log2() - INTERIOR_COST_LOG2).ceil();
    // At most a few dozen for any finite cost: the cast cannot truncate.
    #[allow(clippy::cast_possible_truncation)]
    let over = over.max(0.0) as i32;
    -over
}

/// The optimum of the presolved LP `lp`, `None` when HiGHS fails or the LP
/// ends otherwise than optimal.
///
/// When the caller asked for more than one thread (`--threads N`, N > 1)
/// on a machine with more than one core ([`parallel_threads`]), by HiGHS's
/// parallel dual simplex on N threads, with HiGHS's own choice of pricing
/// (steepest edge; devex is no good for it): on the European examples'
/// presolved LPs 10-20% faster than the serial dual simplex with devex on
/// an idle machine. Not by default: with the cores busy with other work it
/// was four times slower than the serial simplex (13.2 s against 3.1 s for
/// the European base while a build ran on both cores), where a serial
/// solve slows only by the share of the core it loses
/// (docs/performance.md, "The rounding from the support, the presolved LP
/// in parallel"). It runs on a new thread of its own: HiGHS's thread pool
/// keeps, on a thread, the size it started with there. Should that thread
/// not start, the serial dual simplex runs here.
fn presolved_lp(lp: &LpCopy, options: &PlanOptions, started: Instant) -> Option<Optimum> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if let Some(threads) = parallel_threads(options, cores) {
        let parallel = std::thread::scope(|scope| {
            let spawned = std::thread::Builder::new()
                .name("caisson-presolved-lp".to_owned())
                .spawn_scoped(scope, move || {
                    let mut model = load_configured(lp, options)?;
                    model.try_set_option("threads", threads).ok()?;
                    model.try_set_option(SIMPLEX_STRATEGY, PARALLEL_DUAL).ok()?;
                    if !option_chosen(options, PRICING) {
                        model.try_set_option(PRICING, HIGHS_CHOOSES).ok()?;
                    }
                    set_time_left(&mut model, options.time_limit, started)?;
                    run(model, None)?.1.ok()
                });
            spawned.ok().map(|handle| handle.join().ok().flatten())
        });
        if let Some(optimum) = parallel {
            return optimum;
        }
    }
    let mut model = load_configured(lp, options)?;
    set_time_left(&mut model, options.time_limit, started)?;
    run(model, None)?.1.ok()
}

/// How many threads the presolved LP's parallel dual simplex runs on with
/// `options` on a machine of `cores` cores: the threads the caller asked
/// for when more than one, on more than one core, unless the caller chose
/// a simplex variant (`--highs`); `None` (the serial dual simplex)
/// otherwise, HiGHS's own default included.
fn parallel_threads(options: &PlanOptions, cores: usize) -> Option<i32> {
    let threads = options.threads.filter(|&threads| threads > 1)?;
    if cores < 2 || option_chosen(options, SIMPLEX_STRATEGY) {
        return None;
    }
    Some(i32::try_from(threads).unwrap_or(i32::MAX))
}

/// Steps 2 to 4 on `model`, the columns `at_zero` fixed at zero first.
fn from_support(
    mut model: Model,
    copy: &LpCopy,
    mut at_zero: Vec<usize>,
    options: &PlanOptions,
    started: Instant,
) -> Option<(Model, Result<Optimum, HighsModelStatus>)> {
    let zeros = vec![0.0; at_zero.len()];
    ffi::change_col_bounds(&mut model, &at_zero, &zeros, &zeros).ok()?;
    set_time_left(&mut model, options.time_limit, started)?;
    let (mut model, restricted) = run(model, None)?;
    let mut last = match restricted {
        Ok(optimum) => optimum,
        Err(status) => return stopped(model, copy, &at_zero, status, options, started),
    };
    let mut iterations = last.iterations;
    // Released columns sit at zero, so the basis stays primal feasible:
    // the primal simplex, whatever the caller chose for the LPs (the dual
    // simplex can take as long from here as from scratch).
    model.try_set_option(SIMPLEX_STRATEGY, PRIMAL).ok()?;
    let mut rounds = 0;
    while !at_zero.is_empty() {
        // At most PRICING_ROUNDS rounds of the columns priced out, then
        // whatever is still fixed.
        let mut priced = Vec::new();
        if rounds < PRICING_ROUNDS {
            rounds += 1;
            priced = at_zero
                .iter()
                .copied()
                .filter(|&col| priced_out(copy, col, &last.row_duals))
                .collect();
        }
        let release = if priced.is_empty() {
            std::mem::take(&mut at_zero)
        } else {
            at_zero.retain(|col| priced.binary_search(col).is_err());
            priced
        };
        restore_bounds(&mut model, copy, &release)?;
        set_time_left(&mut model, options.time_limit, started)?;
        let (back, solved) = run(model, Some(&last.basis))?;
        model = back;
        match solved {
            Ok(optimum) => {
                iterations += optimum.iterations;
                last = optimum;
            }
            Err(status) => {
                restore_strategy(&mut model, options)?;
                return stopped(model, copy, &at_zero, status, options, started);
            }
        }
    }
    restore_strategy(&mut model, options)?;
    last.iterations = iterations;
    Some((model, Ok(last)))
}

/// Sets the simplex variant back to the caller's choice (`--highs`), or
/// HiGHS's default (the dual simplex).
fn restore_strategy(model: &mut Model, options: &PlanOptions) -> Option<()> {
    match options
        .highs
        .iter()
        .rev()
        .find(|(name, _)| name == SIMPLEX_STRATEGY)
    {
        Some((_, chosen)) => model.try_set_option(SIMPLEX_STRATEGY, chosen.as_str()).ok(),
        None => model.try_set_option(SIMPLEX_STRATEGY, DUAL).ok(),
    }
}

/// Whether column `col` (fixed at zero) has a negative reduced cost under
/// `row_duals`: releasing it may lower the objective.
fn priced_out(copy: &LpCopy, col: usize, row_duals: &[f64]) -> bool {
    let (cost, _, _) = copy.col(col);
    copy.reduced_cost(col, row_duals) < -PRICED_OUT * cost.abs().max(1.0)
}

/// Gives the columns `cols` (sorted) their bounds in `copy` back.
fn restore_bounds(model: &mut Model, copy: &LpCopy, cols: &[usize]) -> Option<()> {
    let (lower, upper): (Vec<f64>, Vec<f64>) = cols
        .iter()
        .map(|&col| {
            let (_, lower, upper) = copy.col(col);
            (lower, upper)
        })
        .unzip();
    ffi::change_col_bounds(model, cols, &lower, &upper).ok()
}

/// An LP of steps 2 to 4 ended with `status`, not optimal: the columns
/// still fixed (`at_zero`) get their bounds back, and the relaxation is
/// solved from scratch unless the time is up (then `status` is the
/// relaxation's).
fn stopped(
    mut model: Model,
    copy: &LpCopy,
    at_zero: &[usize],
    status: HighsModelStatus,
    options: &PlanOptions,
    started: Instant,
) -> Option<(Model, Result<Optimum, HighsModelStatus>)> {
    restore_bounds(&mut model, copy, at_zero)?;
    if status == HighsModelStatus::ReachedTimeLimit {
        return Some((model, Err(status)));
    }
    set_time_left(&mut model, options.time_limit, started)?;
    run(model, None)
}

#[cfg(test)]
mod tests {
    use caisson_generate::{generate, GenerateOptions, Shape, Size};
    use caisson_model::Scenario;
    use highs::Sense;

    use super::*;
    use crate::build::Formulation;

    /// A generated scenario (seed `seed`, the size these tests use) and its
    /// formulation.
    fn formulation_of(seed: u64) -> (Formulation, Scenario) {
        let shape = Shape {
            facilities: 24,
            products: 6,
            demands: 8,
            periods: 12,
        };
        let scenario = generate(&GenerateOptions {
            size: Size::Custom(shape),
            seed,
        });
        (Formulation::build(&scenario), scenario)
    }

    /// A generated scenario's relaxation, loaded and quiet, with the copy
    /// of its LP.
    fn relaxation_of(seed: u64) -> (Model, LpCopy) {
        let (f, _) = formulation_of(seed);
        let mut model = match f.problem.clone().try_optimise(Sense::Minimise) {
            Ok(model) => model,
            Err(status) => panic!("seed {seed}: {status:?}"),
        };
        model.make_quiet();
        if let Err(error) = ffi::clear_integrality(&mut model) {
            panic!("seed {seed}: {error}");
        }
        let copy = ffi::copy_lp(&model).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        (model, copy)
    }

    fn optimum(
        solved: Option<(Model, Result<Optimum, HighsModelStatus>)>,
        what: &str,
    ) -> (Model, Optimum) {
        match solved {
            Some((model, Ok(optimum))) => (model, optimum),
            Some((_, Err(status))) => panic!("{what}: {status:?}"),
            None => panic!("{what}: HiGHS failed"),
        }
    }

    fn cost(copy: &LpCopy, values: &[f64]) -> f64 {
        values
            .iter()
            .enumerate()
            .map(|(col, x)| copy.col(col).0 * x)
            .sum()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-7 * a.abs().max(1.0)
    }

    /// `found` has the cold optimum's objective and `model` every bound of
    /// `copy` back.
    fn assert_same_relaxation(
        seed: u64,
        model: &Model,
        copy: &LpCopy,
        found: &Optimum,
        cold: &Optimum,
    ) {
        assert!(
            close(found.objective, cold.objective),
            "seed {seed}: {} against {}",
            found.objective,
            cold.objective
        );
        // Not `assert_eq!`: the whole LP printed says less than this.
        assert!(
            ffi::copy_lp(model).ok().as_ref() == Some(copy),
            "seed {seed}: the bounds are not the relaxation's"
        );
    }

    /// The presolved LP's solution, postsolved, is an optimal solution of
    /// the relaxation: the relaxation's cost, within every bound.
    #[test]
    fn the_primal_presolve_gives_an_optimal_solution_of_the_relaxation() {
        let options = PlanOptions::default();
        for seed in 0..4 {
            let (model, copy) = relaxation_of(seed);
            let Some(presolved) = presolve(&model, &options, Instant::now()) else {
                panic!("seed {seed}: no presolved optimum");
            };
            let values = &presolved.values;
            assert_eq!(values.len(), copy.num_cols(), "seed {seed}");
            for (col, &x) in values.iter().enumerate() {
                let (_, lower, upper) = copy.col(col);
                assert!(
                    x >= lower - 1e-6 && x <= upper + 1e-6,
                    "seed {seed}: column {col} = {x} outside [{lower}, {upper}]"
                );
            }
            let (_, cold) = optimum(run(model, None), "cold");
            let found = cost(&copy, values) + copy.offset();
            assert!(
                close(presolved.objective, cold.objective),
                "seed {seed}: presolved optimum {}, relaxation {}",
                presolved.objective,
                cold.objective
            );
            assert!(
                close(found, cold.objective),
                "seed {seed}: postsolved cost {found}, relaxation {}",
                cold.objective
            );
        }
    }

    /// From its support the relaxation ends at the cold solve's optimum,
    /// with an optimal basis of the whole LP (a run from it moves no
    /// further) and every bound as it was.
    #[test]
    fn the_relaxation_from_its_support_is_the_cold_relaxation() {
        // HiGHS's choice, and the dual simplex chosen by the caller (the
        // pricing back uses the primal simplex all the same).
        let chosen = PlanOptions {
            highs: vec![(SIMPLEX_STRATEGY.to_owned(), DUAL.to_string())],
            ..PlanOptions::default()
        };
        for (seed, options) in (0..4).zip([PlanOptions::default(), chosen].iter().cycle()) {
            let (model, copy) = relaxation_of(seed);
            let (_, cold) = optimum(run(model, None), "cold");
            let (model, _) = relaxation_of(seed);
            let presolved = presolve(&model, options, Instant::now());
            assert!(presolved.is_some(), "seed {seed}: no presolved optimum");
            let (model, found) = optimum(
                relaxation(model, presolved.as_ref(), options, Instant::now()),
                "from the support",
            );
            assert_same_relaxation(seed, &model, &copy, &found, &cold);
            let (_, again) = optimum(run(model, Some(&found.basis)), "again");
            assert_eq!(
                again.iterations, 0,
                "seed {seed}: the basis was not optimal"
            );
        }
    }

    /// With no time left the relaxation stops at the time limit rather
    /// than falling back to a cold solve with the limit it had before the
    /// attempt, and the bounds are as they were.
    #[test]
    fn no_time_left_stops_at_the_time_limit() {
        let options = PlanOptions {
            time_limit: Some(0.0),
            ..PlanOptions::default()
        };
        let (mut model, copy) = relaxation_of(0);
        // The limit the caller set before this solve, as `relax` does.
        if model.try_set_option("time_limit", 3600.0).is_err() {
            panic!("HiGHS refused a time limit");
        }
        let presolved = presolve(&model, &options, Instant::now());
        assert!(presolved.is_none(), "presolved with no time left");
        match relaxation(model, presolved.as_ref(), &options, Instant::now()) {
            Some((model, Err(status))) => {
                assert_eq!(status, HighsModelStatus::ReachedTimeLimit);
                assert_eq!(ffi::copy_lp(&model).ok().as_ref(), Some(&copy));
            }
            Some((_, Ok(_))) => panic!("solved with no time left"),
            None => panic!("HiGHS failed"),
        }
    }

    /// A support that misses the optimum (every column positive in it fixed
    /// at zero instead) still ends at the optimum, by pricing or from
    /// scratch, with the bounds given back.
    #[test]
    fn a_wrong_support_still_ends_at_the_optimum() {
        let options = PlanOptions::default();
        for seed in 0..3 {
            let (model, copy) = relaxation_of(seed);
            let (_, cold) = optimum(run(model, None), "cold");
            let wrong: Vec<usize> = (0..copy.num_cols())
                .filter(|&col| cold.values[col] > AT_BOUND && copy.col(col).1 == 0.0)
                .collect();
            assert!(!wrong.is_empty(), "seed {seed}");
            let (model, _) = relaxation_of(seed);
            let (model, found) = optimum(
                from_support(model, &copy, wrong, &options, Instant::now()),
                "from a wrong support",
            );
            assert_same_relaxation(seed, &model, &copy, &found, &cold);
        }
    }

    /// With columns kept fixed by the caller (a rounding of the
    /// expansions: the one `x*` gives, and one where every expansion is
    /// decided the other way), the LP from `x*`'s support is that LP's
    /// cold optimum, the kept columns still fixed and every other column's
    /// bounds given back.
    #[test]
    fn an_lp_with_columns_kept_fixed_from_the_support_is_that_lps_optimum() {
        let options = PlanOptions::default();
        for seed in 0..3 {
            let (model, _) = relaxation_of(seed);
            let Some(presolved) = presolve(&model, &options, Instant::now()) else {
                panic!("seed {seed}: no presolved optimum");
            };
            let (f, scenario) = formulation_of(seed);
            let agreeing = crate::relax::round(&f, &scenario, &presolved.values);
            // Not taken where x*'s rounding takes it, else taken in its last
            // period.
            let mut disagreeing = Vec::new();
            for (_, cols) in crate::relax::integer_expansions(&f, &scenario) {
                let taken = agreeing
                    .iter()
                    .any(|&(col, x)| x == 1.0 && cols.contains(&col));
                let last = cols.last().copied();
                disagreeing.extend(
                    cols.iter()
                        .map(|&col| (col, f64::from(!taken && Some(col) == last))),
                );
            }
            disagreeing.sort_unstable_by_key(|&(col, _)| col);
            assert!(!agreeing.is_empty(), "seed {seed}: no expansions");
            for (how, rounding) in [("agreeing", agreeing), ("disagreeing", disagreeing)] {
                let (cols, values): (Vec<usize>, Vec<f64>) = rounding.into_iter().unzip();
                let (mut model, _) = relaxation_of(seed);
                if let Err(e) = ffi::change_col_bounds(&mut model, &cols, &values, &values) {
                    panic!("seed {seed}: {e}");
                }
                let expected = ffi::copy_lp(&model).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
                let (model, cold) = optimum(run(model, None), "cold");
                let (model, found) = optimum(
                    solve(model, &presolved, &cols, &options, Instant::now()),
                    how,
                );
                assert!(
                    close(found.objective, cold.objective),
                    "seed {seed}, {how}: {} against {}",
                    found.objective,
                    cold.objective
                );
                // Not `assert_eq!`: the whole LP printed says less than this.
                assert!(
                    ffi::copy_lp(&model).ok().as_ref() == Some(&expected),
                    "seed {seed}, {how}: the bounds are not the LP's"
                );
                let (_, again) = optimum(run(model, Some(&found.basis)), "again");
                assert_eq!(again.iterations, 0, "seed {seed}, {how}: not optimal");
            }
        }
    }

    /// The presolved LP runs in parallel only when the caller asked for
    /// more than one thread, on more than one core, and chose no simplex
    /// variant.
    #[test]
    fn the_presolved_lp_runs_in_parallel_only_when_asked_and_with_cores() {
        let with = |threads, highs: &[(&str, &str)]| PlanOptions {
            threads,
            highs: highs
                .iter()
                .map(|&(name, value)| (name.to_owned(), value.to_owned()))
                .collect(),
            ..PlanOptions::default()
        };
        assert_eq!(parallel_threads(&with(Some(2), &[]), 2), Some(2));
        assert_eq!(parallel_threads(&with(Some(4), &[]), 2), Some(4));
        // HiGHS's default, one thread, or one core: serial.
        assert_eq!(parallel_threads(&with(None, &[]), 8), None);
        assert_eq!(parallel_threads(&with(Some(1), &[]), 8), None);
        assert_eq!(parallel_threads(&with(Some(2), &[]), 1), None);
        let chosen = [(SIMPLEX_STRATEGY, "1")];
        assert_eq!(parallel_threads(&with(Some(2), &chosen), 8), None);
        // Pricing chosen: still in parallel, with that pricing.
        let pricing = [(PRICING, "1")];
        assert_eq!(parallel_threads(&with(Some(2), &pricing), 2), Some(2));
    }

    /// The presolved LP's optimum is the same in parallel (two threads
    /// asked for, whatever the machine) as by the serial dual simplex.
    #[test]
    fn the_presolved_lp_has_one_optimum_in_parallel_and_serially() {
        let serial = PlanOptions {
            threads: Some(1),
            ..PlanOptions::default()
        };
        let parallel = PlanOptions {
            threads: Some(2),
            ..PlanOptions::default()
        };
        for seed in 0..3 {
            let (_, copy) = relaxation_of(seed);
            // Each on a thread of its own: HiGHS's thread pool, once
            // started on a thread, keeps its size there.
            let objectives: Vec<f64> = [&serial, &parallel]
                .map(|options| {
                    std::thread::scope(|scope| {
                        let solve = scope
                            .spawn(|| presolved(copy.clone(), options, Instant::now(), usize::MAX));
                        let Ok(Some(found)) = solve.join() else {
                            panic!("seed {seed}: no presolved optimum");
                        };
                        assert!(
                            close(cost(&copy, &found.values) + copy.offset(), found.objective),
                            "seed {seed}: x* does not cost the optimum"
                        );
                        found.objective
                    })
                })
                .to_vec();
            assert!(
                close(objectives[0], objectives[1]),
                "seed {seed}: {objectives:?}"
            );
        }
    }

    /// Step 1 by the interior-point method, forced on these small LPs.
    fn interior_presolve(model: &Model, options: &PlanOptions) -> Option<Presolved> {
        presolved(ffi::copy_lp(model).ok()?, options, Instant::now(), 0)
    }

    /// By the interior-point method, step 1 gives a solution within every
    /// bound that costs the relaxation's optimum, and an objective that
    /// does not exceed it (a lower bound within IPX's tolerance); from its
    /// support, with its looser test of a column at zero, the relaxation
    /// and an LP with the rounding kept fixed end at their cold optima with
    /// an optimal basis and the bounds given back.
    #[test]
    fn from_an_interior_solution_the_lps_end_at_their_cold_optima() {
        let options = PlanOptions::default();
        for seed in 0..3 {
            let (model, copy) = relaxation_of(seed);
            let Some(presolved) = interior_presolve(&model, &options) else {
                panic!("seed {seed}: no interior optimum");
            };
            assert_eq!(presolved.at_bound, INTERIOR_AT_BOUND, "seed {seed}");
            assert_eq!(presolved.iterations, 0, "seed {seed}: the simplex ran");
            let (_, cold) = optimum(run(model, None), "cold");
            for (col, &x) in presolved.values.iter().enumerate() {
                let (_, lower, upper) = copy.col(col);
                assert!(
                    x >= lower - 1e-6 && x <= upper + 1e-6,
                    "seed {seed}: column {col} = {x} outside [{lower}, {upper}]"
                );
            }
            let tolerance = 1e-6 * cold.objective.abs().max(1.0);
            assert!(
                presolved.objective <= cold.objective + tolerance
                    && presolved.objective >= cold.objective - tolerance,
                "seed {seed}: interior bound {}, relaxation {}",
                presolved.objective,
                cold.objective
            );
            let found = cost(&copy, &presolved.values) + copy.offset();
            assert!(
                (found - cold.objective).abs() <= tolerance,
                "seed {seed}: interior cost {found}, relaxation {}",
                cold.objective
            );

            let (model, _) = relaxation_of(seed);
            let (model, relaxed) = optimum(
                relaxation(model, Some(&presolved), &options, Instant::now()),
                "relaxation from the interior support",
            );
            assert_same_relaxation(seed, &model, &copy, &relaxed, &cold);
            let (_, again) = optimum(run(model, Some(&relaxed.basis)), "again");
            assert_eq!(again.iterations, 0, "seed {seed}: not optimal");

            let (f, scenario) = formulation_of(seed);
            let rounding = crate::relax::round(&f, &scenario, &presolved.values);
            let (cols, values): (Vec<usize>, Vec<f64>) = rounding.into_iter().unzip();
            let (mut model, _) = relaxation_of(seed);
            if let Err(e) = ffi::change_col_bounds(&mut model, &cols, &values, &values) {
                panic!("seed {seed}: {e}");
            }
            let expected = ffi::copy_lp(&model).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
            let (model, fixed_cold) = optimum(run(model, None), "fixed cold");
            let (model, fixed) = optimum(
                solve(model, &presolved, &cols, &options, Instant::now()),
                "fixed from the interior support",
            );
            assert!(
                close(fixed.objective, fixed_cold.objective),
                "seed {seed}: {} against {}",
                fixed.objective,
                fixed_cold.objective
            );
            assert!(
                ffi::copy_lp(&model).ok().as_ref() == Some(&expected),
                "seed {seed}: the bounds are not the fixed LP's"
            );
        }
    }

    /// The interior-point method is tried on presolved LPs of at least the
    /// given rows, unless the caller chose a solver or a simplex variant.
    #[test]
    fn the_interior_point_method_is_tried_on_large_lps_unless_a_solver_is_chosen() {
        let (_, copy) = relaxation_of(0);
        let rows = copy.num_rows();
        let default = PlanOptions::default();
        assert!(interior_first(&copy, &default, rows));
        assert!(!interior_first(&copy, &default, rows + 1));
        for name in [SOLVER, SIMPLEX_STRATEGY] {
            let chosen = PlanOptions {
                highs: vec![(name.to_owned(), "1".to_owned())],
                ..PlanOptions::default()
            };
            assert!(!interior_first(&copy, &chosen, 0), "{name} chosen");
        }
        // The dual simplex's pricing is no choice of solver.
        let pricing = PlanOptions {
            highs: vec![(PRICING.to_owned(), "1".to_owned())],
            ..PlanOptions::default()
        };
        assert!(interior_first(&copy, &pricing, 0));
    }

    /// The costs' scale brings the largest to at most 2^20, and leaves
    /// smaller, zero or non-finite maxima alone.
    #[test]
    fn the_cost_scale_brings_the_largest_cost_to_two_to_the_twenty() {
        assert_eq!(cost_scale(3.0e8), -9);
        assert_eq!(cost_scale(2.57e8), -8);
        assert_eq!(cost_scale(2f64.powi(21)), -1);
        assert_eq!(cost_scale(2f64.powi(20)), 0);
        assert_eq!(cost_scale(1e6), 0);
        assert_eq!(cost_scale(0.5), 0);
        assert_eq!(cost_scale(0.0), 0);
        assert_eq!(cost_scale(f64::NAN), 0);
        assert_eq!(cost_scale(f64::INFINITY), 0);
        for max in [3.0e8, 1e12, 7.5e5 * 3.0] {
            let scaled = max * 2f64.powi(cost_scale(max));
            assert!(scaled <= 2f64.powi(20) && scaled > 2f64.powi(19), "{max}");
        }
    }
}
