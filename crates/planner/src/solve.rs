//! Passing the model to HiGHS, solving it, and reading the solution back
//! into flows, a plan and capacity duals.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use caisson_model::{FacilityId, Scenario};
use highs::{HighsModelStatus, HighsSolutionStatus, Model, Sense};

use crate::build::Formulation;
use crate::error::PlanError;
use crate::ffi;
use crate::options::PlanOptions;
use crate::pool::split;
use crate::relax::{gap_between, relax_first, set_time_left, Relaxed};
use crate::vars::{RowKey, Var};
use caisson_plan::clean;
use caisson_plan::{CapacityDual, Plan, PlanStatus};
use caisson_plan::{
    ExpansionFlow, Flows, ProductionFlow, ShipmentFlow, SolutionInfo, TransferFlow,
};

/// A model passed to HiGHS, ready to be written or solved.
#[derive(Debug)]
pub struct LoadedModel {
    model: Model,
    formulation: Formulation,
}

impl Formulation {
    /// Passes the model to HiGHS.
    pub fn load(mut self) -> Result<LoadedModel, PlanError> {
        let started = Instant::now();
        let problem = std::mem::take(&mut self.problem);
        let mut model = problem
            .try_optimise(Sense::Minimise)
            .map_err(|status| PlanError::Load(format!("{status:?}")))?;
        model.make_quiet();
        self.stats.load_seconds = started.elapsed().as_secs_f64();
        Ok(LoadedModel {
            model,
            formulation: self,
        })
    }
}

/// The relative MIP gap to report: 0 for an LP, HiGHS's gap (never
/// negative; infinite when no bound is known) for a MIP.
pub(crate) fn reported_gap(solved: &highs::SolvedModel, is_mip: bool) -> f64 {
    if !is_mip {
        return 0.0;
    }
    let gap = solved.mip_gap();
    if gap.is_finite() {
        gap.max(0.0)
    } else {
        f64::INFINITY
    }
}

/// The plan status for a HiGHS model status.
pub(crate) fn status_of(
    status: HighsModelStatus,
    has_primal: bool,
) -> (PlanStatus, Option<String>) {
    use HighsModelStatus as H;
    match status {
        H::Optimal | H::ModelEmpty => (PlanStatus::Optimal, None),
        H::ReachedTimeLimit if has_primal => (PlanStatus::Feasible, None),
        H::ReachedTimeLimit => (PlanStatus::TimeLimit, None),
        H::ReachedIterationLimit
        | H::ReachedInterrupt
        | H::ReachedSolutionLimit
        | H::ReachedMemoryLimit
        | H::ObjectiveBound
        | H::ObjectiveTarget
            if has_primal =>
        {
            (PlanStatus::Feasible, None)
        }
        H::Infeasible | H::UnboundedOrInfeasible => (
            PlanStatus::Infeasible,
            Some(format!(
                "the solver reported {status:?}, but the model of spec section 4 is always \
                 feasible: this is a bug in caisson, please report it with the scenario"
            )),
        ),
        other => (
            PlanStatus::Error,
            Some(format!("the solver stopped with status {other:?}")),
        ),
    }
}

impl LoadedModel {
    /// Size of the model and build/load times.
    pub fn stats(&self) -> &caisson_plan::ModelStats {
        &self.formulation.stats
    }

    /// Writes the model with readable column and row names (e.g.
    /// `x[deu-plant/shells,shell-155,2026-01]`, `cap[deu-plant/shells,2026-01]`).
    /// The format follows the extension: `.mps` (free MPS) or `.lp`.
    pub fn write_mps(&mut self, scenario: &Scenario, path: &Path) -> Result<(), PlanError> {
        let failed = |reason: String| PlanError::WriteModel {
            path: path.to_owned(),
            reason,
        };
        let f = &self.formulation;
        ffi::pass_names(
            &mut self.model,
            f.cols.iter().map(|v| v.name(scenario, &f.pools.list)),
            f.rows.iter().map(|r| r.name(scenario, &f.pools.list)),
        )
        .map_err(|e| failed(e.to_string()))?;
        ffi::write_model(&mut self.model, path).map_err(|e| failed(e.to_string()))?;
        // HiGHS reports some write failures only in its (silenced) log.
        if !path.exists() {
            return Err(failed("HiGHS did not create the file".to_owned()));
        }
        Ok(())
    }

    /// Solves the model and derives the plan. A solver failure gives a plan
    /// with status `error` (or `infeasible`, which signals a bug) and a
    /// message, never a panic.
    pub fn solve(self, scenario: &Scenario, options: &PlanOptions) -> Plan {
        let LoadedModel {
            mut model,
            formulation,
        } = self;
        let mut stats = formulation.stats.clone();
        let is_mip = formulation.has_integer;
        let method = if is_mip { "highs-mip" } else { "highs-lp" };
        if let Err(reason) = apply_options(&mut model, options, is_mip) {
            return no_plan(PlanStatus::Error, method, Some(reason), stats);
        }

        let mut start = None;
        let mut relaxation_basis = None;
        // A lower bound of the MIP's optimum from the relaxation first.
        let mut relaxation_lower = None;
        let mut model = model;
        if is_mip && options.relax_first.applies(formulation.cols.len()) {
            let started = Instant::now();
            let relaxed = relax_first(model, &formulation, scenario, options);
            stats.relaxation_seconds = started.elapsed().as_secs_f64();
            let Some((back, relaxed)) = relaxed else {
                let message = "HiGHS failed to solve the LP relaxation".to_owned();
                return no_plan(PlanStatus::Error, method, Some(message), stats);
            };
            match relaxed {
                Relaxed::Proven(proof) => {
                    stats.proven_by_relaxation = true;
                    stats.solver_objective = Some(proof.objective);
                    let duals = proof
                        .row_duals
                        .map(|row_duals| capacity_duals(&formulation, scenario, &row_duals));
                    let info = SolutionInfo {
                        status: PlanStatus::Optimal,
                        method: method.to_owned(),
                        mip_gap: proof.gap,
                    };
                    return finish(&formulation, scenario, &proof.values, info, stats, duals);
                }
                Relaxed::OutOfTime => {
                    return out_of_time(&formulation, scenario, options, method, stats);
                }
                Relaxed::Unproven {
                    start: rounded,
                    basis,
                    lower,
                } => {
                    start = rounded;
                    relaxation_basis = Some(basis);
                    relaxation_lower = Some(lower);
                }
                Relaxed::Inconclusive => {}
            }
            model = back;
            if set_time_left(&mut model, options.time_limit, started).is_none() {
                let message = "HiGHS rejected option time_limit".to_owned();
                return no_plan(PlanStatus::Error, method, Some(message), stats);
            }
        }
        if start.is_none() && is_mip && options.greedy_start {
            let started = Instant::now();
            start = crate::start::greedy_start(&formulation, scenario);
            stats.start_seconds = started.elapsed().as_secs_f64();
        }

        let started = Instant::now();
        let (solved, own_objective) =
            match run_highs(model, start.as_deref(), &formulation.col_cost) {
                Ok(run) => {
                    stats.started = run.started;
                    (run.solved, run.own_objective)
                }
                Err(message) => {
                    stats.solve_seconds = started.elapsed().as_secs_f64();
                    return no_plan(PlanStatus::Error, method, Some(message), stats);
                }
            };
        stats.solve_seconds = started.elapsed().as_secs_f64();
        let highs_status = solved.status();
        let has_primal = highs_status == HighsModelStatus::ModelEmpty
            || solved.primal_solution_status() == HighsSolutionStatus::Feasible;
        let (mut status, message) = status_of(highs_status, has_primal);
        // An LP stopped early has no meaningful gap to report; treat it as
        // stopped without a solution.
        if status == PlanStatus::Feasible && !is_mip {
            status = PlanStatus::TimeLimit;
        }
        if !status.has_solution() {
            return no_plan(status, method, message, stats);
        }

        let solution = solved.get_solution();
        let values = solution.columns().to_vec();
        // Without HiGHS's own objective for these values, no gap is known.
        let mip_gap = match own_objective {
            Some(_) => f64::INFINITY,
            None => reported_gap(&solved, is_mip),
        };
        let objective = cost_of(&formulation.col_cost, &values);
        let mip_gap = proven_gap(mip_gap, objective, relaxation_lower);
        if status == PlanStatus::Feasible && mip_gap <= options.mip_gap {
            // Proven within the gap asked for by the relaxation's bound,
            // which HiGHS's MIP did not know.
            status = PlanStatus::Optimal;
        }
        stats.solver_objective = Some(own_objective.unwrap_or_else(|| solved.objective_value()));

        let mut duals = None;
        if options.capacity_duals {
            if is_mip {
                let started = Instant::now();
                let fixed: Vec<(usize, f64)> = formulation
                    .cols
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| matches!(v, Var::Y { .. }))
                    .map(|(i, _)| (i, rounded_y(&formulation, scenario, i, values[i])))
                    .collect();
                let mut relaxed: Model = solved.into();
                if ffi::fix_and_relax(&mut relaxed, &fixed).is_ok() {
                    // From the relaxation's optimal basis the LP with the
                    // decisions fixed is a few iterations away.
                    if let Some(basis) = &relaxation_basis {
                        let _ = ffi::reset_solver(&mut relaxed)
                            .and_then(|()| ffi::set_basis(&mut relaxed, basis));
                    }
                    if let Ok(lp) = relaxed.try_solve() {
                        if lp.status() == HighsModelStatus::Optimal {
                            duals = Some(capacity_duals(
                                &formulation,
                                scenario,
                                lp.get_solution().dual_rows(),
                            ));
                        }
                    }
                }
                stats.dual_seconds = started.elapsed().as_secs_f64();
            } else if status == PlanStatus::Optimal {
                duals = Some(capacity_duals(&formulation, scenario, solution.dual_rows()));
            }
        }

        let info = SolutionInfo {
            status,
            method: method.to_owned(),
            mip_gap,
        };
        finish(&formulation, scenario, &values, info, stats, duals)
    }
}

/// A plan without a solution, with the model's figures so far.
fn no_plan(
    status: PlanStatus,
    method: &str,
    message: Option<String>,
    stats: caisson_plan::ModelStats,
) -> Plan {
    let mut plan = Plan::without_solution(status, method, message);
    plan.model = Some(stats);
    plan
}

/// The plan of the column values `values`.
fn finish(
    formulation: &Formulation,
    scenario: &Scenario,
    values: &[f64],
    info: SolutionInfo,
    stats: caisson_plan::ModelStats,
    duals: Option<Vec<CapacityDual>>,
) -> Plan {
    let flows = read_flows(formulation, scenario, values);
    let mut plan = Plan::from_flows_with(scenario, &formulation.network, &flows, info);
    plan.model = Some(stats);
    plan.capacity_duals = duals;
    plan
}

/// The plan when the time limit ran out in the LP relaxation: the greedy
/// start if asked for (feasible, gap unknown), else no plan; what a MIP
/// run stopped in its root LP gives.
fn out_of_time(
    formulation: &Formulation,
    scenario: &Scenario,
    options: &PlanOptions,
    method: &str,
    mut stats: caisson_plan::ModelStats,
) -> Plan {
    let greedy = options
        .greedy_start
        .then(|| {
            let started = Instant::now();
            let values = crate::start::greedy_start(formulation, scenario);
            stats.start_seconds = started.elapsed().as_secs_f64();
            values
        })
        .flatten();
    let Some(values) = greedy else {
        return no_plan(PlanStatus::TimeLimit, method, None, stats);
    };
    stats.started = true;
    stats.solver_objective = Some(cost_of(&formulation.col_cost, &values));
    let info = SolutionInfo {
        status: PlanStatus::Feasible,
        method: method.to_owned(),
        mip_gap: f64::INFINITY,
    };
    finish(formulation, scenario, &values, info, stats, None)
}

/// A HiGHS run, see [`run_highs`].
pub(crate) struct Run {
    pub solved: highs::SolvedModel,
    /// Whether the run that produced `solved` had the start.
    pub started: bool,
    /// The cost of the returned values when it is not what HiGHS reports
    /// as its objective (a start handed back unpostsolved after a time
    /// limit): the values are a feasible solution, the objective and gap
    /// HiGHS reports are not theirs.
    pub own_objective: Option<f64>,
}

/// Runs HiGHS on `model`, from `start` if given.
///
/// HiGHS 1.16 can hand back a MIP start it found feasible only after
/// presolve ("MIP start solution is feasible in the reduced space") without
/// postsolving it: the column values are then the start's while
/// `objective_value` is that of the start's presolved image or of a better
/// solution. So after a started run the values' cost (`costs` . x) is
/// checked against HiGHS's objective. On a mismatch after an *optimal* run
/// the model is solved again without the start (a fresh run: its clocks,
/// and so its time limit, start again); after a run stopped early the
/// values are kept (they are feasible: the start) with their own cost and
/// no gap, since solving again would only spend another time limit.
pub(crate) fn run_highs(
    mut model: Model,
    start: Option<&[f64]>,
    costs: &[f64],
) -> Result<Run, String> {
    let failed = |status: highs::HighsStatus| format!("HiGHS failed to run: {status:?}");
    // A start HiGHS rejects only costs the head start.
    let started = start.is_some_and(|values| {
        model
            .try_set_solution(Some(values), None, None, None)
            .is_ok()
    });
    let solved = model.try_solve().map_err(failed)?;
    let run = |solved, started, own_objective| Run {
        solved,
        started,
        own_objective,
    };
    if !started || solved.primal_solution_status() != HighsSolutionStatus::Feasible {
        return Ok(run(solved, started, None));
    }
    let computed = cost_of(costs, solved.get_solution().columns());
    if agrees(computed, solved.objective_value()) {
        return Ok(run(solved, true, None));
    }
    if solved.status() != HighsModelStatus::Optimal {
        return Ok(run(solved, true, Some(computed)));
    }
    let mut model: Model = solved.into();
    ffi::reset_solver(&mut model).map_err(|e| e.to_string())?;
    let solved = model.try_solve().map_err(failed)?;
    Ok(run(solved, false, None))
}

/// The gap a MIP's plan of cost `objective` is proven to: HiGHS's own
/// (`highs_gap`), or the one the relaxation first's lower bound gives when
/// that is smaller. The relaxation's bound holds whatever the MIP reached,
/// so a MIP stopped before its own root LP ends (on big models) keeps the
/// relaxation first's proof instead of reporting no gap.
fn proven_gap(highs_gap: f64, objective: f64, relaxation_lower: Option<f64>) -> f64 {
    match relaxation_lower {
        Some(lower) => highs_gap.min(gap_between(objective, lower)),
        None => highs_gap,
    }
}

/// `costs` . `values`.
fn cost_of(costs: &[f64], values: &[f64]) -> f64 {
    costs.iter().zip(values).map(|(c, v)| c * v).sum()
}

/// Whether two objective values agree (relative 1e-6).
fn agrees(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

pub(crate) fn apply_options(
    model: &mut Model,
    options: &PlanOptions,
    is_mip: bool,
) -> Result<(), String> {
    let bad = |name: &str| format!("HiGHS rejected option {name}");
    if options.verbose {
        model
            .try_set_option("output_flag", true)
            .map_err(|_| bad("output_flag"))?;
        model
            .try_set_option("log_to_console", true)
            .map_err(|_| bad("log_to_console"))?;
    }
    if let Some(limit) = options.time_limit {
        model
            .try_set_option("time_limit", limit)
            .map_err(|_| bad("time_limit"))?;
    }
    if is_mip {
        model
            .try_set_option("mip_rel_gap", options.mip_gap)
            .map_err(|_| bad("mip_rel_gap"))?;
    }
    for (name, value) in &options.highs {
        model
            .try_set_option(name.as_str(), value.as_str())
            .map_err(|_| format!("HiGHS rejected option {name} = {value}"))?;
    }
    if let Some(threads) = options.threads {
        let threads = i32::try_from(threads.max(1)).unwrap_or(i32::MAX);
        model
            .try_set_option("threads", threads)
            .map_err(|_| bad("threads"))?;
        if threads == 1 {
            model
                .try_set_option("parallel", "off")
                .map_err(|_| bad("parallel"))?;
        }
    }
    Ok(())
}

/// A y value as written: integer decisions exactly 0 or 1.
fn rounded_y(f: &Formulation, scenario: &Scenario, col: usize, value: f64) -> f64 {
    match f.cols[col] {
        Var::Y { expansion, .. } if scenario.expansions[expansion.index()].integer => {
            value.round().clamp(0.0, 1.0)
        }
        _ => clean(value).clamp(0.0, 1.0),
    }
}

/// Reads the primary decisions (x, y, z, w) from the column values; every
/// other variable follows from them.
pub(crate) fn read_flows(f: &Formulation, scenario: &Scenario, values: &[f64]) -> Flows {
    let mut flows = Flows::default();
    // (pool, t) -> what each sender put in and each receiver took out.
    type PoolSides = (Vec<(FacilityId, f64)>, Vec<(FacilityId, f64)>);
    let mut pooled: BTreeMap<(u32, u32), PoolSides> = BTreeMap::new();
    for (i, (&var, &value)) in f.cols.iter().zip(values).enumerate() {
        // Bounds are >= 0; anything below is solver tolerance.
        let value = clean(value.max(0.0));
        if value == 0.0 {
            continue;
        }
        match var {
            Var::X { line, product, t } => flows.production.push(ProductionFlow {
                line,
                product,
                period: t as usize,
                quantity: value,
            }),
            Var::Z {
                facility,
                demand,
                t,
            } => flows.shipments.push(ShipmentFlow {
                facility,
                demand,
                period: t as usize,
                quantity: value,
            }),
            Var::W {
                from,
                to,
                product,
                t,
            } => flows.transfers.push(TransferFlow {
                from,
                to,
                product,
                period: t as usize,
                quantity: value,
            }),
            Var::Y { expansion, t } => flows.expansions.push(ExpansionFlow {
                expansion,
                period: t as usize,
                fraction: rounded_y(f, scenario, i, value),
            }),
            Var::Send { pool, from, t } => {
                pooled.entry((pool, t)).or_default().0.push((from, value))
            }
            Var::Receive { pool, to, t } => {
                pooled.entry((pool, t)).or_default().1.push((to, value))
            }
            Var::S { .. } | Var::B { .. } | Var::U { .. } | Var::V { .. } | Var::Spot { .. } => {}
        }
    }
    for ((pool, t), (sent, received)) in pooled {
        let product = f.pools.list[pool as usize].product;
        for (from, to, quantity) in split(&sent, &received) {
            // Within an actor (lead time 0) a facility's units to itself
            // are a no-op: see `crate::pool`.
            if from == to {
                continue;
            }
            let quantity = clean(quantity);
            if quantity > 0.0 {
                flows.transfers.push(TransferFlow {
                    from,
                    to,
                    product,
                    period: t as usize,
                    quantity,
                });
            }
        }
    }
    flows
}

/// HiGHS's default dual feasibility tolerance: a reduced cost or row dual
/// within it of zero counts as zero.
const DUAL_TOLERANCE: f64 = 1e-7;

/// Shadow prices of the capacity rows: HiGHS's row dual of a binding `<=`
/// row of a minimisation is <= 0 (the objective's change per unit of
/// right-hand side), so the price of one more capacity unit is its negation.
/// Only the rows a plan of `scenario` on its own has: a re-solve's superset
/// model (`Columns::Edits`) also has a row for every line and period where
/// nothing can be made. A price within [`DUAL_TOLERANCE`] of 0 is no price:
/// HiGHS's duals are exact only to that tolerance, and two optimal bases
/// of the same plan report such round-off on different rows (-3e-8 was
/// seen on the European example).
pub(crate) fn capacity_duals(
    f: &Formulation,
    scenario: &Scenario,
    row_duals: &[f64],
) -> Vec<CapacityDual> {
    let n = scenario.periods();
    let own = crate::build::producible(scenario, false);
    f.rows
        .iter()
        .zip(row_duals)
        .filter_map(|(key, &dual)| match *key {
            RowKey::Capacity { line, t } if own[line.index() * n + t as usize] => {
                let price = -dual;
                (price.abs() > DUAL_TOLERANCE).then_some(CapacityDual {
                    line,
                    period: t as usize,
                    shadow_price: price,
                })
            }
            _ => None,
        })
        .collect()
}

/// Builds, loads and solves the model of `scenario`: the one-call planner.
/// A model HiGHS refuses to load gives a plan with status `error`.
pub fn plan(scenario: &Scenario, options: &PlanOptions) -> Plan {
    match Formulation::build(scenario).load() {
        Ok(model) => model.solve(scenario, options),
        Err(error) => Plan::without_solution(PlanStatus::Error, "highs", Some(error.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_relaxation_first_bound_proves_what_a_stopped_mip_cannot() {
        // HiGHS stopped before its root LP ended: no gap of its own.
        assert_eq!(proven_gap(f64::INFINITY, 1000.0, Some(990.0)), 0.01);
        // HiGHS's bound is the tighter one.
        assert_eq!(proven_gap(0.001, 1000.0, Some(990.0)), 0.001);
        // No relaxation first: HiGHS's gap as it is.
        assert_eq!(proven_gap(f64::INFINITY, 1000.0, None), f64::INFINITY);
        // A plan cheaper than the bound (round-off): no negative gap.
        assert_eq!(proven_gap(f64::INFINITY, 1000.0, Some(1000.5)), 0.0);
    }
}
