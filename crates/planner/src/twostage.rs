//! Two-stage stochastic models: the extensive form of a sample average
//! approximation (`caisson recommend --samples`).
//!
//! First stage (decided once, for every sample): a committed rate `r[c,g]`
//! (units per period) of each candidate contract `c` in each group of
//! periods `g` (a calendar year by default), and the expansions `y[e,t]`.
//! Second stage, one block per sample: the model of spec section 4 of that
//! sample's scenario, built by the same builder as `caisson plan`
//! (`Formulation::build_into`), with every candidate contract appended to
//! the sample's contracts. In each period `t` of a candidate's plan the
//! block has the row
//!
//! ```text
//! sum_d z[f,d,t] + v[c,t] - o[c,t] = r[c,g(t)]
//! ```
//!
//! `v` is the model's contract shortfall (cost: the contract's penalty) and
//! `o` the units shipped beyond the commitment (cost: the spot price), so
//! at the optimum `v = max(0, r - shipped)` as the model's contract row
//! says, and `o = max(0, shipped - r)`. The block's `y` columns are not
//! created: each `y[e,t]` is one first-stage column holding every block's
//! entries (a sample's yield changes its capacity coefficient) and one
//! `sum_t y[e,t] <= 1` row.
//!
//! Objective: `F + sum_s Q_s / S + lambda * CVaR_alpha(F + Q_s)`, with `F`
//! the first-stage cost (`price * committed volume + capex`), `Q_s` the
//! block's cost (the model's objective without capex, plus spot purchases)
//! and the CVaR in the Rockafellar-Uryasev form
//! `eta + sum_s u_s / ((1 - alpha) S)`, `u_s >= F + Q_s - eta`, `u_s >= 0`.
//!
//! The blocks know nothing of why samples differ: a sample is a
//! `Scenario`, whatever changed in it (quantities, lead times, which flows
//! its policies allow). Every sample must keep the base scenario's entities
//! in order (expansions and contracts are matched by index).

use std::collections::BTreeMap;
use std::time::Instant;

use caisson_model::{Contract, ExpansionId, Scenario};
use caisson_plan::{clean, ExpansionFlow, Plan, PlanStatus, SolutionInfo};
use highs::{ColProblem, HighsModelStatus, HighsSolutionStatus, Row, Sense};

use crate::build::{Columns, Formulation, Pooling, Stage};
use crate::ffi;
use crate::options::PlanOptions;
use crate::solve::{apply_options, read_flows, reported_gap, status_of};

/// The first-stage contracts: what may be committed and at what cost.
#[derive(Debug, Clone, PartialEq)]
pub struct FirstStage {
    /// Candidate contracts, appended in this order after each sample's own
    /// contracts (their `quantity` is ignored: the rates decide it).
    pub contracts: Vec<Contract>,
    /// Group of every period of the horizon (from 0, in time order).
    pub group_of_period: Vec<usize>,
    /// Number of groups.
    pub groups: usize,
    /// Spot price per unit each candidate's supplier ships beyond the
    /// commitment (second stage).
    pub spot: Vec<f64>,
    /// Upper bound of each candidate's rate in each group (units per
    /// period).
    pub upper: Vec<Vec<f64>>,
    /// First-stage cost of one unit of rate of each candidate in each group
    /// (its price times the group's periods in the contract's plan).
    pub cost: Vec<Vec<f64>>,
    /// When set, the first-stage cost (price of the committed volumes plus
    /// capex of the expansions decided) is at most this.
    pub budget: Option<f64>,
    /// Which of the base scenario's expansions (in order) the first stage
    /// may decide; `None`: every one. The others stay at 0.
    pub expansions_allowed: Option<Vec<bool>>,
}

impl FirstStage {
    /// `sample` with the candidate contracts signed: committed at `rates`
    /// (per candidate and group), or at 0.
    pub fn signed(&self, sample: &Scenario, rates: Option<&[Vec<f64>]>) -> Scenario {
        let mut signed = sample.clone();
        for (c, contract) in self.contracts.iter().enumerate() {
            let mut contract = contract.clone();
            contract.quantity = self
                .group_of_period
                .iter()
                .map(|&g| {
                    rates
                        .and_then(|r| r.get(c))
                        .and_then(|r| r.get(g))
                        .copied()
                        .unwrap_or(0.0)
                })
                .collect();
            signed.contracts.push(contract);
        }
        signed
    }

    pub(crate) fn check(&self, samples: &[Scenario]) -> Result<(), String> {
        let n = self.contracts.len();
        if self.spot.len() != n || self.upper.len() != n || self.cost.len() != n {
            return Err(
                "the first stage's contracts, spot prices, bounds and costs differ in length"
                    .into(),
            );
        }
        if self
            .upper
            .iter()
            .chain(&self.cost)
            .any(|v| v.len() != self.groups)
            || self.group_of_period.iter().any(|&g| g >= self.groups)
        {
            return Err("a first-stage rate refers to a group that does not exist".into());
        }
        let Some(first) = samples.first() else {
            return Err("a two-stage model needs at least one sample".into());
        };
        let same = |s: &Scenario| {
            s.periods() == first.periods()
                && s.expansions.len() == first.expansions.len()
                && s.facilities.len() == first.facilities.len()
                && s.actors.len() == first.actors.len()
                && s.products.len() == first.products.len()
        };
        if !samples.iter().all(same) || self.group_of_period.len() != first.periods() {
            return Err("the samples do not share the base scenario's entities and horizon".into());
        }
        if self
            .expansions_allowed
            .as_ref()
            .is_some_and(|allowed| allowed.len() != first.expansions.len())
        {
            return Err("the allowed expansions do not match the base scenario's".into());
        }
        if self.budget.is_some_and(|b| !b.is_finite() || b < 0.0) {
            return Err("the first stage's budget is not a finite number >= 0".into());
        }
        Ok(())
    }

    /// Whether expansion `e` may be decided.
    pub fn expansion_allowed(&self, e: usize) -> bool {
        self.expansions_allowed
            .as_ref()
            .is_none_or(|allowed| allowed.get(e).copied().unwrap_or(false))
    }

    /// `F`: the first-stage cost of committing `rates` and deciding
    /// `expansions` (`base`: the scenario the expansions belong to).
    pub fn cost_of(
        &self,
        base: &Scenario,
        rates: &[Vec<f64>],
        expansions: &[ExpansionFlow],
    ) -> f64 {
        rates
            .iter()
            .zip(&self.cost)
            .flat_map(|(r, c)| r.iter().zip(c).map(|(r, c)| r * c))
            .sum::<f64>()
            + expansions
                .iter()
                .map(|x| base.expansions[x.expansion.index()].capex * x.fraction)
                .sum::<f64>()
    }
}

/// Every `(expansion, period)` the first stage may decide an expansion in
/// (the periods of each expansion's window), in order.
pub(crate) fn expansion_columns(base: &Scenario) -> Vec<(usize, usize)> {
    base.expansions
        .iter()
        .enumerate()
        .filter_map(|(e, x)| x.window.map(|(first, last)| (e, first, last)))
        .flat_map(|(e, first, last)| (first..=last).map(move |t| (e, t)))
        .collect()
}

/// `CVaR_alpha` of equally likely `values`: the mean of the worst
/// `1 - alpha` of them (Rockafellar-Uryasev: `min over eta of eta +
/// sum (v - eta)+ / ((1 - alpha) n)`, exact). 0 for no values; the maximum
/// for `alpha` >= 1.
pub fn cvar(values: &[f64], alpha: f64) -> f64 {
    cvar_weights(values, alpha)
        .iter()
        .zip(values)
        .map(|(w, v)| w * v)
        .sum()
}

/// The weights of `values` in their CVaR (summing to 1, each at most
/// `1 / ((1 - alpha) n)`, the largest values first): the CVaR is the
/// weighted sum, and the weights are a subgradient of it.
pub(crate) fn cvar_weights(values: &[f64], alpha: f64) -> Vec<f64> {
    let n = values.len();
    let mut weights = vec![0.0; n];
    if n == 0 {
        return weights;
    }
    let tail = if alpha >= 1.0 {
        1.0
    } else {
        (1.0 / ((1.0 - alpha) * n as f64)).min(1.0)
    };
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    let mut left = 1.0_f64;
    for s in order {
        if left <= 0.0 {
            break;
        }
        let w = tail.min(left);
        weights[s] = w;
        left -= w;
    }
    weights
}

/// The risk measure added to the expected cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Risk {
    /// Weight of the CVaR (0: risk neutral).
    pub lambda: f64,
    /// The CVaR's level, in [0, 1): the mean of the worst `1 - alpha` of
    /// the samples' costs.
    pub alpha: f64,
}

impl Risk {
    /// Risk neutral: the expected cost only.
    pub const NEUTRAL: Risk = Risk {
        lambda: 0.0,
        alpha: 0.95,
    };
}

/// First-stage decisions.
#[derive(Debug, Clone, PartialEq)]
pub struct Decisions {
    /// Committed rate of each candidate in each group (units per period).
    pub rates: Vec<Vec<f64>>,
    /// Expansions decided (fraction > 0 only).
    pub expansions: Vec<ExpansionFlow>,
}

/// Size and times of a two-stage model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TwoStageStats {
    /// Rows.
    pub rows: usize,
    /// Columns.
    pub columns: usize,
    /// Integer columns.
    pub integer_columns: usize,
    /// Seconds to build the blocks and pass them to HiGHS.
    pub build_seconds: f64,
    /// Seconds HiGHS took (and the LP for reduced costs).
    pub solve_seconds: f64,
    /// Iterations of the decomposition (0 for the extensive form).
    pub iterations: usize,
    /// The decomposition's lower bound of the optimum (`None` for the
    /// extensive form, whose `mip_gap` says it).
    pub lower_bound: Option<f64>,
}

/// A solved (or failed) two-stage model.
#[derive(Debug, Clone)]
pub struct TwoStageSolution {
    /// `optimal`, `feasible` (stopped with a gap) or a failure.
    pub status: PlanStatus,
    /// Why it failed, if it did.
    pub message: Option<String>,
    /// HiGHS's objective.
    pub objective: Option<f64>,
    /// Relative MIP gap (0 for an LP).
    pub mip_gap: Option<f64>,
    /// The first-stage decisions (empty without a solution).
    pub decisions: Decisions,
    /// `F`: price of the committed volumes plus capex.
    pub first_stage_cost: f64,
    /// `Q_s` of each sample: its block's cost (the model's objective without
    /// capex, plus spot purchases).
    pub second_stage_costs: Vec<f64>,
    /// Each sample's plan with the contracts signed at the rates (its
    /// objective is the model's: shortage, production, transport, holding,
    /// capex, contract penalties; spot purchases are not in it).
    pub plans: Vec<Plan>,
    /// Reduced cost of each rate column (the objective's change per unit of
    /// rate, with the expansions fixed at their values), when asked for.
    pub rate_reduced_costs: Option<Vec<Vec<f64>>>,
    /// Size and times.
    pub stats: TwoStageStats,
}

impl TwoStageSolution {
    pub(crate) fn failed(status: PlanStatus, message: String, stats: TwoStageStats) -> Self {
        TwoStageSolution {
            status,
            message: Some(message),
            objective: None,
            mip_gap: None,
            decisions: Decisions {
                rates: Vec::new(),
                expansions: Vec::new(),
            },
            first_stage_cost: 0.0,
            second_stage_costs: Vec::new(),
            plans: Vec::new(),
            rate_reduced_costs: None,
            stats,
        }
    }
}

/// One sample's block in the extensive form.
pub(crate) struct Block {
    offset: usize,
    scenario: Scenario,
    formulation: Formulation,
}

/// What [`solve_two_stage`] is asked.
#[derive(Debug, Clone, Copy)]
pub struct TwoStageRequest<'a> {
    /// The samples' scenarios (equal weights).
    pub samples: &'a [Scenario],
    /// The candidate contracts.
    pub first: &'a FirstStage,
    /// The risk measure.
    pub risk: Risk,
    /// Fix the first stage at these decisions (evaluating them) instead of
    /// optimising it.
    pub fixed: Option<&'a Decisions>,
    /// Compute [`TwoStageSolution::rate_reduced_costs`].
    pub reduced_costs: bool,
}

/// The extensive form of a request, built but not solved.
pub(crate) struct Built {
    /// The whole model.
    pub(crate) problem: ColProblem,
    pub(crate) blocks: Vec<Block>,
    /// The rate column of each candidate in each group.
    pub(crate) rate_cols: Vec<Vec<usize>>,
    /// The `y` column of each `(expansion, period)` of
    /// [`expansion_columns`], in that order.
    pub(crate) y_cols: Vec<(usize, usize, usize)>,
    has_integer: bool,
    integer_columns: usize,
}

/// Builds the extensive form of `request` (checked by the caller).
pub(crate) fn build(request: &TwoStageRequest<'_>) -> Built {
    let TwoStageRequest {
        samples,
        first,
        risk,
        fixed,
        ..
    } = *request;
    let count = samples.len();
    let weight = 1.0 / count as f64;
    let cvar = risk.lambda > 0.0;
    let mut problem = ColProblem::default();
    let cvar_rows: Vec<Row> = if cvar {
        (0..count).map(|_| problem.add_row(0.0..)).collect()
    } else {
        Vec::new()
    };
    let budget_row = match (first.budget, fixed) {
        (Some(budget), None) => Some(problem.add_row(..=budget)),
        _ => None,
    };
    let base = &samples[0];
    let once: Vec<Option<Row>> = base
        .expansions
        .iter()
        .map(|e| e.window.map(|_| problem.add_row(..=1.0)))
        .collect();

    let mut blocks = Vec::with_capacity(count);
    let mut y_entries: BTreeMap<(usize, usize), Vec<(Row, f64)>> = BTreeMap::new();
    let mut rate_rows: BTreeMap<(usize, usize), Vec<Row>> = BTreeMap::new();
    for (s, sample) in samples.iter().enumerate() {
        let scenario = first.signed(sample, None);
        let mut stage = Stage {
            weight,
            cost_row: cvar_rows.get(s).copied(),
            first_contract: sample.contracts.len(),
            spot: first.spot.clone(),
            ..Stage::default()
        };
        let offset = problem.num_cols();
        let formulation = Formulation::build_into(
            &mut problem,
            &scenario,
            Columns::Allowed,
            Pooling::Pooled,
            Some(&mut stage),
        );
        for (e, t, entries) in stage.y_entries {
            y_entries.entry((e.index(), t)).or_default().extend(entries);
        }
        for (c, t, row) in stage.contract_rows {
            rate_rows
                .entry((c, first.group_of_period[t]))
                .or_default()
                .push(row);
        }
        blocks.push(Block {
            offset,
            scenario,
            formulation,
        });
    }

    // First-stage columns, after every block's.
    let mut rate_cols = vec![vec![usize::MAX; first.groups]; first.contracts.len()];
    let mut buf: Vec<(Row, f64)> = Vec::new();
    for (c, per_group) in rate_cols.iter_mut().enumerate() {
        for (g, col) in per_group.iter_mut().enumerate() {
            let cost = first.cost[c][g];
            buf.clear();
            if let Some(rows) = rate_rows.get(&(c, g)) {
                buf.extend(rows.iter().map(|&row| (row, -1.0)));
            }
            if cost != 0.0 {
                buf.extend(cvar_rows.iter().map(|&row| (row, -cost)));
                buf.extend(budget_row.map(|row| (row, cost)));
            }
            let upper = first.upper[c][g].max(0.0);
            let (lower, upper) = match fixed {
                Some(d) => {
                    let v = d
                        .rates
                        .get(c)
                        .and_then(|r| r.get(g))
                        .copied()
                        .unwrap_or(0.0);
                    (v, v)
                }
                None => (0.0, upper),
            };
            problem.add_column(cost, lower..=upper, buf.iter());
            *col = problem.num_cols() - 1;
        }
    }
    let mut y_cols: Vec<(usize, usize, usize)> = Vec::new();
    let mut has_integer = false;
    let mut integer_columns = 0;
    for (e, t) in expansion_columns(base) {
        let expansion = &base.expansions[e];
        buf.clear();
        if let Some(entries) = y_entries.get(&(e, t)) {
            buf.extend(entries.iter().copied());
        }
        if let Some(row) = once[e] {
            buf.push((row, 1.0));
        }
        if expansion.capex != 0.0 {
            buf.extend(cvar_rows.iter().map(|&row| (row, -expansion.capex)));
            buf.extend(budget_row.map(|row| (row, expansion.capex)));
        }
        let (lower, upper, integer) = match fixed {
            Some(d) => {
                let v = fixed_fraction(d, e, t);
                (v, v, false)
            }
            None if first.expansion_allowed(e) => (0.0, 1.0, expansion.integer),
            None => (0.0, 0.0, false),
        };
        if integer {
            has_integer = true;
            integer_columns += 1;
        }
        problem.add_column_with_integrality(expansion.capex, lower..=upper, buf.iter(), integer);
        y_cols.push((e, t, problem.num_cols() - 1));
    }
    if cvar {
        let tail = risk.lambda / ((1.0 - risk.alpha) * count as f64);
        buf.clear();
        buf.extend(cvar_rows.iter().map(|&row| (row, 1.0)));
        problem.add_column(risk.lambda, f64::NEG_INFINITY..=f64::INFINITY, buf.iter());
        for &row in &cvar_rows {
            problem.add_column(tail, 0.0.., [(row, 1.0)].iter());
        }
    }
    Built {
        problem,
        blocks,
        rate_cols,
        y_cols,
        has_integer,
        integer_columns,
    }
}

/// The fraction of expansion `e` decided in period `t` by `decisions`.
pub(crate) fn fixed_fraction(decisions: &Decisions, e: usize, t: usize) -> f64 {
    decisions
        .expansions
        .iter()
        .filter(|x| x.expansion.index() == e && x.period == t)
        .map(|x| x.fraction)
        .sum::<f64>()
        .clamp(0.0, 1.0)
}

/// Builds the extensive form of the request and solves it with HiGHS.
pub fn solve_two_stage(request: TwoStageRequest<'_>, options: &PlanOptions) -> TwoStageSolution {
    let started = Instant::now();
    let mut stats = TwoStageStats::default();
    if let Err(message) = request.first.check(request.samples) {
        return TwoStageSolution::failed(PlanStatus::Error, message, stats);
    }
    let Built {
        problem,
        blocks,
        rate_cols,
        y_cols,
        has_integer,
        integer_columns,
    } = build(&request);
    let TwoStageRequest {
        samples,
        first,
        reduced_costs,
        ..
    } = request;
    let base = &samples[0];
    stats.rows = problem.num_rows();
    stats.columns = problem.num_cols();
    stats.integer_columns = integer_columns;

    let mut model = match problem.try_optimise(Sense::Minimise) {
        Ok(model) => model,
        Err(status) => {
            stats.build_seconds = started.elapsed().as_secs_f64();
            return TwoStageSolution::failed(
                PlanStatus::Error,
                format!("HiGHS rejected the two-stage model: {status:?}"),
                stats,
            );
        }
    };
    model.make_quiet();
    stats.build_seconds = started.elapsed().as_secs_f64();
    if let Err(reason) = apply_options(&mut model, options, has_integer) {
        return TwoStageSolution::failed(PlanStatus::Error, reason, stats);
    }
    let solving = Instant::now();
    let solved = match model.try_solve() {
        Ok(solved) => solved,
        Err(status) => {
            stats.solve_seconds = solving.elapsed().as_secs_f64();
            return TwoStageSolution::failed(
                PlanStatus::Error,
                format!("HiGHS failed to run: {status:?}"),
                stats,
            );
        }
    };
    let highs_status = solved.status();
    let has_primal = highs_status == HighsModelStatus::ModelEmpty
        || solved.primal_solution_status() == HighsSolutionStatus::Feasible;
    let (mut status, message) = status_of(highs_status, has_primal);
    if status == PlanStatus::Feasible && !has_integer {
        status = PlanStatus::TimeLimit;
    }
    if !status.has_solution() {
        stats.solve_seconds = solving.elapsed().as_secs_f64();
        let message = message.unwrap_or_else(|| format!("the solve stopped ({})", status.name()));
        return TwoStageSolution::failed(status, message, stats);
    }
    let objective = solved.objective_value();
    let mip_gap = reported_gap(&solved, has_integer);
    let solution = solved.get_solution();
    let values = solution.columns().to_vec();

    let rates = read_rates(&rate_cols, &values);
    let (expansions, y_fixed) = read_expansions(base, &y_cols, &values);
    let first_stage_cost = first.cost_of(base, &rates, &expansions);
    let info = SolutionInfo {
        status,
        method: if has_integer {
            "highs-mip (two-stage)".to_owned()
        } else {
            "highs-lp (two-stage)".to_owned()
        },
        mip_gap,
    };
    let mut second_stage_costs = Vec::with_capacity(blocks.len());
    let mut plans = Vec::with_capacity(blocks.len());
    for block in &blocks {
        let (cost, plan) = block.read(first, &values, &rates, &expansions, &info);
        second_stage_costs.push(cost);
        plans.push(plan);
    }

    let rate_reduced_costs = if reduced_costs {
        if has_integer {
            let mut relaxed: highs::Model = solved.into();
            match ffi::fix_and_relax(&mut relaxed, &y_fixed) {
                Ok(()) => match relaxed.try_solve() {
                    Ok(lp) if lp.status() == HighsModelStatus::Optimal => {
                        Some(read_reduced(&rate_cols, lp.get_solution().dual_columns()))
                    }
                    _ => None,
                },
                Err(_) => None,
            }
        } else if status == PlanStatus::Optimal {
            Some(read_reduced(&rate_cols, solution.dual_columns()))
        } else {
            None
        }
    } else {
        None
    };
    stats.solve_seconds = solving.elapsed().as_secs_f64();
    TwoStageSolution {
        status,
        message,
        objective: Some(objective),
        mip_gap: Some(mip_gap),
        decisions: Decisions { rates, expansions },
        first_stage_cost,
        second_stage_costs,
        plans,
        rate_reduced_costs,
        stats,
    }
}

/// The committed rates in a solution's `values`.
pub(crate) fn read_rates(rate_cols: &[Vec<usize>], values: &[f64]) -> Vec<Vec<f64>> {
    rate_cols
        .iter()
        .map(|cols| {
            cols.iter()
                .map(|&col| clean(values[col].max(0.0)))
                .collect()
        })
        .collect()
}

/// The expansions decided in a solution's `values` (integer ones rounded),
/// and every `y` column with its value as read.
pub(crate) fn read_expansions(
    base: &Scenario,
    y_cols: &[(usize, usize, usize)],
    values: &[f64],
) -> (Vec<ExpansionFlow>, Vec<(usize, f64)>) {
    let mut expansions: Vec<ExpansionFlow> = Vec::new();
    let mut y_fixed: Vec<(usize, f64)> = Vec::new();
    for &(e, t, col) in y_cols {
        let value = values[col];
        let fraction = if base.expansions[e].integer {
            value.round().clamp(0.0, 1.0)
        } else {
            clean(value).clamp(0.0, 1.0)
        };
        y_fixed.push((col, fraction));
        if fraction > 0.0 {
            expansions.push(ExpansionFlow {
                expansion: ExpansionId::new(e),
                period: t,
                fraction,
            });
        }
    }
    (expansions, y_fixed)
}

impl Block {
    /// The block's cost `Q_s` and plan in a solution's `values` of the
    /// model it is part of, with the first stage at `rates` and
    /// `expansions`.
    pub(crate) fn read(
        &self,
        first: &FirstStage,
        values: &[f64],
        rates: &[Vec<f64>],
        expansions: &[ExpansionFlow],
        info: &SolutionInfo,
    ) -> (f64, Plan) {
        let f = &self.formulation;
        let slice = &values[self.offset..self.offset + f.cols.len()];
        let cost = f.col_cost.iter().zip(slice).map(|(c, v)| c * v).sum();
        let mut flows = read_flows(f, &self.scenario, slice);
        flows.expansions.extend(expansions.iter().cloned());
        let signed = first.signed(&self.scenario_without_candidates(first), Some(rates));
        let plan = Plan::from_flows_with(&signed, &f.network, &flows, info.clone());
        (cost, plan)
    }

    /// The block's scenario without the candidate contracts it was built
    /// with (they are appended again, at their rates).
    fn scenario_without_candidates(&self, first: &FirstStage) -> Scenario {
        let mut scenario = self.scenario.clone();
        let own = scenario.contracts.len() - first.contracts.len();
        scenario.contracts.truncate(own);
        scenario
    }
}

fn read_reduced(rate_cols: &[Vec<usize>], duals: &[f64]) -> Vec<Vec<f64>> {
    rate_cols
        .iter()
        .map(|cols| {
            cols.iter()
                .map(|&col| clean(duals.get(col).copied().unwrap_or(0.0)))
                .collect()
        })
        .collect()
}
