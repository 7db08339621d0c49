//! `recommend --samples`: contracts chosen for every sampled future, by
//! sample average approximation of a two-stage stochastic program.
//!
//! The samples are `simulate`'s draws (`crate::simulate::draw`, seeded per
//! sample), each a whole `Scenario`; the planner builds one block per
//! sample and links them by the first-stage columns
//! (`caisson_planner::solve_two_stage`, whose module documentation states
//! the formulation). This module chooses the candidate contracts and their
//! terms, solves the program and the deterministic recommendation (the
//! same program with the base scenario as its one sample), evaluates both
//! first stages on the samples and on fresh ones (each sample's second
//! stage re-solved with the first stage fixed, in parallel on rayon's pool,
//! one HiGHS thread each: the figures do not depend on the thread count),
//! and turns the result into a [`StochasticRecommendation`].

use std::collections::BTreeSet;
use std::time::Instant;

use caisson_model::{ActorId, Contract, FacilityId, ProductId, Scenario};
use caisson_plan::{Network, Plan};
use caisson_planner::{
    solve_two_stage, Decisions, Decomposition, FirstStage, PlanOptions, Risk, Subproblems,
    TwoStageRequest, TwoStageSolution,
};
use rayon::prelude::*;

use super::portfolio::{
    Deterministic, Evaluation, ModelSize, OutOfSample, PortfolioContract, PortfolioExpansion,
    PortfolioVolume, StochasticRecommendation, FORMAT,
};
use super::run::Groups;
use super::{Grouping, RecommendError};
use crate::simulate::{draw, SimulateError};

/// What `recommend --samples` computes and how.
#[derive(Debug, Clone)]
pub struct SaaOptions {
    /// Samples of the program (at least 1).
    pub samples: u64,
    /// Seed of the samples (the same draws as `simulate` with this seed).
    pub seed: u64,
    /// Weight of the CVaR of the samples' total costs (0: risk neutral).
    pub risk_aversion: f64,
    /// Level of the CVaR, in [0, 1).
    pub cvar_alpha: f64,
    /// Fresh samples to evaluate both recommendations on (0: none).
    pub out_of_sample: u64,
    /// Seed of the fresh samples.
    pub out_of_sample_seed: u64,
    /// One committed rate per group of periods.
    pub grouping: Grouping,
    /// Penalty per unit of shortfall per period; `None`: the highest
    /// penalty of the buyer's demands for the product.
    pub penalty: Option<f64>,
    /// Price per unit committed (first stage).
    pub price: f64,
    /// Price per unit shipped beyond a commitment (second stage); `None`:
    /// the contract price.
    pub spot_price: Option<f64>,
    /// Compute each contract's drop value (one evaluation on the samples
    /// per contract).
    pub drop_values: bool,
    /// Only facilities of these actors get candidate contracts (`None`:
    /// every facility).
    pub suppliers: Option<Vec<ActorId>>,
    /// When set, the first-stage cost (price of the committed volumes plus
    /// capex) is at most this.
    pub budget: Option<f64>,
    /// Which of the scenario's expansions (in order) may be decided;
    /// `None`: every one.
    pub expansions_allowed: Option<Vec<bool>>,
    /// How the two-stage program is solved.
    pub method: SaaMethod,
    /// Whose shortage the evaluations count: only demands of these end
    /// users (`None`: every demand).
    pub end_users: Option<Vec<ActorId>>,
    /// Offer the candidates at the spot price only: every rate is fixed at
    /// 0, so their suppliers still sell at the spot price in the second
    /// stage but nothing is committed (what the money buys elsewhere is
    /// compared against the same spot market).
    pub spot_only: bool,
    /// Only contracts with these buyers are candidates (`None`: every
    /// buyer).
    pub buyers: Option<Vec<ActorId>>,
    /// Solver options of the extensive form (the evaluations use one HiGHS
    /// thread each).
    pub plan: PlanOptions,
}

/// How `recommend --samples` solves its two-stage program.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SaaMethod {
    /// The extensive form when it is small, the L-shaped decomposition
    /// otherwise (see [`EXTENSIVE_COLUMNS`]).
    #[default]
    Auto,
    /// One model holding every sample (`caisson_planner::solve_two_stage`).
    Extensive,
    /// The L-shaped (Benders) decomposition: a master over the first stage,
    /// one warm re-solved model per sample
    /// (`caisson_planner::Subproblems::decompose`).
    Benders,
}

/// `SaaMethod::Auto` decomposes when the extensive form would have more
/// columns than this (about a medium generated scenario times two).
pub const EXTENSIVE_COLUMNS: usize = 150_000;

impl Default for SaaOptions {
    fn default() -> Self {
        SaaOptions {
            samples: 10,
            seed: 0,
            risk_aversion: 0.0,
            cvar_alpha: 0.95,
            out_of_sample: 0,
            out_of_sample_seed: 1,
            grouping: Grouping::Year,
            penalty: None,
            price: 0.0,
            spot_price: None,
            drop_values: false,
            suppliers: None,
            budget: None,
            expansions_allowed: None,
            method: SaaMethod::Auto,
            end_users: None,
            spot_only: false,
            buyers: None,
            plan: PlanOptions::default(),
        }
    }
}

/// Draws `count` samples of `scenario` with `seed` (as `simulate` does).
pub fn draw_samples(
    scenario: &Scenario,
    seed: u64,
    count: u64,
) -> Result<Vec<Scenario>, SimulateError> {
    (0..count)
        .map(|sample| {
            draw::apply(scenario, seed, sample)
                .map(|(world, _)| world)
                .map_err(|e| SimulateError::NotFinite {
                    id: scenario.uncertainty[e.entry].id.clone(),
                    sample,
                })
        })
        .collect()
}

/// Recommends contracts for every future of `scenario`'s `[[uncertainty]]`
/// (`options.samples` draws with `options.seed`); `progress` names each
/// step as it starts.
pub fn recommend_samples(
    scenario: &Scenario,
    options: &SaaOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<StochasticRecommendation, RecommendError> {
    check(options)?;
    progress("drawing the samples");
    let samples =
        draw_samples(scenario, options.seed, options.samples).map_err(RecommendError::Samples)?;
    let fresh = draw_samples(scenario, options.out_of_sample_seed, options.out_of_sample)
        .map_err(RecommendError::Samples)?;
    recommend_for(scenario, &samples, &fresh, options, progress)
}

/// [`recommend_samples`] on given samples (each a scenario with the base's
/// entities in order) and fresh samples for the out-of-sample evaluation
/// (none: no evaluation). `options.samples` and the seeds are only
/// reported.
pub fn recommend_for(
    scenario: &Scenario,
    samples: &[Scenario],
    fresh: &[Scenario],
    options: &SaaOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<StochasticRecommendation, RecommendError> {
    check(options)?;
    if samples.is_empty() {
        return Err(bad("samples", 0.0, "at least 1"));
    }
    let started = Instant::now();
    let groups = Groups::of(scenario, options.grouping);
    let (first, already_contracted) = first_stage(scenario, samples, &groups, options);
    let risk = Risk {
        lambda: options.risk_aversion,
        alpha: options.cvar_alpha,
    };

    progress("solving the deterministic recommendation");
    let mut base = scenario.clone();
    base.uncertainty = Vec::new();
    let deterministic = solved(
        solve(
            std::slice::from_ref(&base),
            &first,
            risk,
            None,
            false,
            &options.plan,
        ),
        "the deterministic recommendation",
    )?;

    let decompose = match options.method {
        SaaMethod::Extensive => false,
        SaaMethod::Benders => true,
        SaaMethod::Auto => {
            deterministic.stats.columns.saturating_mul(samples.len()) > EXTENSIVE_COLUMNS
        }
    };
    let mut in_samples = Evaluator::new(samples, &first, risk, options);
    let solution = if decompose {
        progress(&format!(
            "solving the two-stage program by the L-shaped method ({} samples, {} candidate \
             contracts)",
            samples.len(),
            first.contracts.len()
        ));
        let decomposition = Decomposition {
            tolerance: options.plan.mip_gap.max(1e-6),
            threads: rayon::current_num_threads(),
            ..Decomposition::default()
        };
        in_samples.warm()?.decompose(
            risk,
            &options.plan,
            &decomposition,
            std::slice::from_ref(&deterministic.decisions),
            &|step| {
                progress(&format!(
                    "L-shaped iteration {}: bound {:.6e}, best {:.6e}{} ({} cuts, {:.0} s)",
                    step.iteration,
                    step.lower,
                    step.upper,
                    if step.relaxed {
                        ", expansions relaxed"
                    } else {
                        ""
                    },
                    step.cuts,
                    step.seconds
                ))
            },
        )
    } else {
        progress(&format!(
            "solving the extensive form ({} samples, {} candidate contracts)",
            samples.len(),
            first.contracts.len()
        ));
        solve(samples, &first, risk, None, true, &options.plan)
    };
    let solution = solved(solution, "the two-stage program")?;

    let alpha = options.cvar_alpha;
    let lambda = options.risk_aversion;
    let costs: Vec<f64> = solution
        .second_stage_costs
        .iter()
        .map(|q| solution.first_stage_cost + q)
        .collect();
    let shortages: Vec<f64> = solution
        .plans
        .iter()
        .map(|plan| shortage(plan, options.end_users.as_deref()))
        .collect();
    let in_sample = Evaluation::of(solution.first_stage_cost, &costs, &shortages, lambda, alpha);

    progress("evaluating the deterministic recommendation on the samples");
    let deterministic_in_sample = in_samples.of(&deterministic.decisions)?;
    let vss = deterministic_in_sample.objective - in_sample.objective;

    let out_of_sample = if fresh.is_empty() {
        None
    } else {
        progress("evaluating both on fresh samples");
        let mut on_fresh = Evaluator::new(fresh, &first, risk, options);
        if decompose {
            on_fresh.warm()?;
        }
        let stochastic = on_fresh.of(&solution.decisions)?;
        let determ = on_fresh.of(&deterministic.decisions)?;
        Some(OutOfSample {
            seed: options.out_of_sample_seed,
            vss: determ.objective - stochastic.objective,
            stochastic,
            deterministic: determ,
        })
    };

    let mut contracts = Vec::new();
    let mut model_contracts = Vec::new();
    let mut used: Vec<String> = scenario.contracts.iter().map(|c| c.id.clone()).collect();
    for (c, candidate) in first.contracts.iter().enumerate() {
        let rates = &solution.decisions.rates[c];
        if !rates.iter().any(|&r| r > MIN_RATE) {
            continue;
        }
        let (drop_value, drop_shortage) = if options.drop_values {
            progress(&format!("dropping {}", candidate.id));
            let mut without = solution.decisions.clone();
            without.rates[c] = vec![0.0; first.groups];
            let without = in_samples.of(&without)?;
            (
                Some(without.objective - in_sample.objective),
                Some(without.shortage.mean - in_sample.shortage.mean),
            )
        } else {
            (None, None)
        };
        let id = unique_id(&candidate.id, &mut used);
        let schedule: Vec<f64> = groups
            .of_period
            .iter()
            .map(|&g| clean_rate(rates[g]))
            .collect();
        let periods = periods_in_plan(scenario, candidate, &groups);
        let volumes = (0..first.groups)
            .map(|g| {
                let rate = clean_rate(rates[g]);
                PortfolioVolume {
                    group: groups.labels[g].clone(),
                    periods: periods[g],
                    rate,
                    volume: rate * periods[g] as f64,
                    marginal_value: solution
                        .rate_reduced_costs
                        .as_ref()
                        .filter(|_| periods[g] > 0)
                        .map(|reduced| -reduced[c][g] / periods[g] as f64),
                }
            })
            .collect();
        contracts.push(PortfolioContract {
            id: id.clone(),
            facility: scenario.facilities[candidate.facility.index()].id.clone(),
            buyer: scenario.actors[candidate.buyer.index()].id.clone(),
            product: scenario.products[candidate.product.index()].id.clone(),
            penalty: candidate.penalty,
            price: candidate.price,
            spot_price: first.spot[c],
            volumes,
            schedule: schedule.clone(),
            drop_value,
            drop_shortage,
        });
        model_contracts.push(Contract {
            id,
            quantity: schedule,
            ..candidate.clone()
        });
    }
    let expansions = solution
        .decisions
        .expansions
        .iter()
        .map(|x| {
            let e = &scenario.expansions[x.expansion.index()];
            let line = &scenario.lines[e.line.index()];
            PortfolioExpansion {
                expansion: e.id.clone(),
                facility: scenario.facilities[line.facility.index()].id.clone(),
                line: line.id.clone(),
                decided: scenario.calendar.label(x.period),
                fraction: x.fraction,
                capex: e.capex,
            }
        })
        .collect();
    let deterministic_summary = Deterministic {
        objective: deterministic.objective.unwrap_or(0.0),
        contracts: deterministic
            .decisions
            .rates
            .iter()
            .filter(|r| r.iter().any(|&v| v > MIN_RATE))
            .count(),
        volume: deterministic
            .decisions
            .rates
            .iter()
            .enumerate()
            .map(|(c, r)| {
                let periods = periods_in_plan(scenario, &first.contracts[c], &groups);
                r.iter()
                    .zip(&periods)
                    .map(|(&rate, &p)| clean_rate(rate) * p as f64)
                    .sum::<f64>()
            })
            .sum(),
        expansions: deterministic
            .decisions
            .expansions
            .iter()
            .map(|x| scenario.expansions[x.expansion.index()].id.clone())
            .collect(),
        in_sample: deterministic_in_sample,
    };
    Ok(StochasticRecommendation {
        format: FORMAT.to_owned(),
        scenario: scenario.name.clone(),
        method: if decompose {
            format!(
                "L-shaped decomposition ({} iterations)",
                solution.stats.iterations
            )
        } else {
            "extensive form".to_owned()
        },
        samples: samples.len(),
        seed: options.seed,
        risk_aversion: lambda,
        cvar_alpha: alpha,
        grouping: options.grouping,
        status: solution.status.name().to_owned(),
        objective: solution.objective.unwrap_or(0.0),
        mip_gap: solution.mip_gap.unwrap_or(0.0),
        candidates: first.contracts.len(),
        contracts,
        expansions,
        already_contracted,
        in_sample,
        deterministic: deterministic_summary,
        vss,
        out_of_sample,
        model: ModelSize {
            rows: solution.stats.rows,
            columns: solution.stats.columns,
            integer_columns: solution.stats.integer_columns,
            build_seconds: solution.stats.build_seconds,
            solve_seconds: solution.stats.solve_seconds,
            iterations: solution.stats.iterations,
            lower_bound: solution.stats.lower_bound,
        },
        seconds: started.elapsed().as_secs_f64(),
        model_contracts,
    })
}

/// Rates below this are solver noise, not commitments.
const MIN_RATE: f64 = 1e-6;

fn clean_rate(rate: f64) -> f64 {
    if rate > MIN_RATE {
        rate
    } else {
        0.0
    }
}

fn bad(option: &'static str, value: f64, expected: &'static str) -> RecommendError {
    RecommendError::BadOption {
        option,
        value,
        expected,
    }
}

fn check(options: &SaaOptions) -> Result<(), RecommendError> {
    if options.samples == 0 {
        return Err(bad("samples", 0.0, "at least 1"));
    }
    let finite_non_negative = [
        ("risk_aversion", Some(options.risk_aversion)),
        ("price", Some(options.price)),
        ("spot_price", options.spot_price),
        ("penalty", options.penalty),
    ];
    for (option, value) in finite_non_negative {
        if let Some(value) = value {
            if !value.is_finite() || value < 0.0 {
                return Err(bad(option, value, "a finite number >= 0"));
            }
        }
    }
    if !(0.0..1.0).contains(&options.cvar_alpha) {
        return Err(bad("cvar_alpha", options.cvar_alpha, "in [0, 1)"));
    }
    Ok(())
}

fn solve(
    samples: &[Scenario],
    first: &FirstStage,
    risk: Risk,
    fixed: Option<&Decisions>,
    reduced_costs: bool,
    options: &PlanOptions,
) -> TwoStageSolution {
    solve_two_stage(
        TwoStageRequest {
            samples,
            first,
            risk,
            fixed,
            reduced_costs,
        },
        options,
    )
}

fn solved(
    solution: TwoStageSolution,
    what: &'static str,
) -> Result<TwoStageSolution, RecommendError> {
    if solution.status.has_solution() {
        Ok(solution)
    } else {
        Err(RecommendError::Unsolved {
            what,
            status: solution.status.name(),
            message: solution.message.unwrap_or_default(),
        })
    }
}

/// Shortage of the demands of `end_users` (all demands for `None`) in a
/// plan (unit-periods of backlog plus lost units), as `simulate` counts it.
fn shortage(plan: &Plan, end_users: Option<&[ActorId]>) -> f64 {
    plan.kpis
        .demands
        .iter()
        .filter(|k| end_users.is_none_or(|users| users.contains(&k.end_user)))
        .map(|k| k.shortage)
        .sum()
}

/// First stages evaluated on one set of samples: each one's second stage
/// re-solved with the first stage fixed, either built afresh for each
/// evaluation (in parallel on rayon's pool) or, once [`Evaluator::warm`]
/// loaded them, on the samples' kept subproblems (the decomposition's),
/// each warm from its last solve. Both give each sample's optimum, and
/// neither depends on the thread count.
struct Evaluator<'a> {
    samples: &'a [Scenario],
    first: &'a FirstStage,
    risk: Risk,
    options: &'a SaaOptions,
    warm: Option<Subproblems>,
}

impl<'a> Evaluator<'a> {
    fn new(
        samples: &'a [Scenario],
        first: &'a FirstStage,
        risk: Risk,
        options: &'a SaaOptions,
    ) -> Self {
        Evaluator {
            samples,
            first,
            risk,
            options,
            warm: None,
        }
    }

    /// The samples' subproblems, loaded on first use.
    fn warm(&mut self) -> Result<&mut Subproblems, RecommendError> {
        if self.warm.is_none() {
            let subproblems = Subproblems::new(
                self.samples.to_vec(),
                self.first.clone(),
                &self.options.plan,
                rayon::current_num_threads(),
            )
            .map_err(|message| RecommendError::Unsolved {
                what: "the samples' second stages",
                status: "error",
                message,
            })?;
            self.warm = Some(subproblems);
        }
        match self.warm.as_mut() {
            Some(warm) => Ok(warm),
            None => unreachable!("loaded just above"),
        }
    }

    /// `decisions` on the samples.
    fn of(&mut self, decisions: &Decisions) -> Result<Evaluation, RecommendError> {
        let Some(warm) = self.warm.as_mut() else {
            return evaluate(self.samples, self.first, decisions, self.risk, self.options);
        };
        let outcomes = warm
            .evaluate(decisions)
            .map_err(|message| RecommendError::Unsolved {
                what: "a sample's second stage",
                status: "error",
                message,
            })?;
        let first_stage_cost = warm.first_stage_cost(decisions);
        let costs: Vec<f64> = outcomes.iter().map(|o| first_stage_cost + o.cost).collect();
        let end_users = self.options.end_users.as_deref();
        let shortages: Vec<f64> = outcomes
            .iter()
            .map(|o| shortage(&o.plan, end_users))
            .collect();
        Ok(Evaluation::of(
            first_stage_cost,
            &costs,
            &shortages,
            self.risk.lambda,
            self.risk.alpha,
        ))
    }
}

/// `decisions` evaluated on `samples`: each sample's second stage solved
/// with the first stage fixed, in parallel (one HiGHS thread each), in
/// sample order whatever the thread count.
fn evaluate(
    samples: &[Scenario],
    first: &FirstStage,
    decisions: &Decisions,
    risk: Risk,
    options: &SaaOptions,
) -> Result<Evaluation, RecommendError> {
    let single = PlanOptions {
        threads: Some(1),
        capacity_duals: false,
        ..options.plan.clone()
    };
    let results: Vec<Result<(f64, f64, f64), RecommendError>> = samples
        .par_iter()
        .map(|sample| {
            let solution = solved(
                solve(
                    std::slice::from_ref(sample),
                    first,
                    Risk::NEUTRAL,
                    Some(decisions),
                    false,
                    &single,
                ),
                "a sample's second stage",
            )?;
            let q = solution.second_stage_costs.first().copied().unwrap_or(0.0);
            let short = solution
                .plans
                .first()
                .map(|plan| shortage(plan, options.end_users.as_deref()))
                .unwrap_or(0.0);
            Ok((solution.first_stage_cost, q, short))
        })
        .collect();
    let mut costs = Vec::with_capacity(samples.len());
    let mut shortages = Vec::with_capacity(samples.len());
    let mut first_stage_cost = 0.0;
    for result in results {
        let (f, q, short) = result?;
        first_stage_cost = f;
        costs.push(f + q);
        shortages.push(short);
    }
    Ok(Evaluation::of(
        first_stage_cost,
        &costs,
        &shortages,
        risk.lambda,
        risk.alpha,
    ))
}

/// A contract's key: supplier, buyer, product.
type Triple = (FacilityId, ActorId, ProductId);

/// The candidate contracts: every (facility, buyer, product) with a
/// shipment allowed in the base scenario or some sample that can arrive
/// within the horizon, except triples already under contract (returned
/// by id).
fn first_stage(
    scenario: &Scenario,
    samples: &[Scenario],
    groups: &Groups,
    options: &SaaOptions,
) -> (FirstStage, Vec<String>) {
    let n = scenario.periods();
    let mut triples: BTreeSet<Triple> = BTreeSet::new();
    for world in std::iter::once(scenario).chain(samples) {
        let network = Network::new(world);
        for pair in &network.ship_pairs {
            if pair.verdict.is_allowed() && pair.lead < n {
                let demand = &world.demands[pair.demand.index()];
                triples.insert((pair.facility, demand.buyer, demand.product));
            }
        }
    }
    let mut already = Vec::new();
    let mut contracts = Vec::new();
    let mut spot = Vec::new();
    let mut upper = Vec::new();
    let mut cost = Vec::new();
    for triple in triples {
        let (facility, buyer, product) = triple;
        if let Some(suppliers) = &options.suppliers {
            if !suppliers.contains(&scenario.facilities[facility.index()].actor) {
                continue;
            }
        }
        if let Some(buyers) = &options.buyers {
            if !buyers.contains(&buyer) {
                continue;
            }
        }
        if let Some(existing) = scenario
            .contracts
            .iter()
            .find(|c| (c.facility, c.buyer, c.product) == triple)
        {
            already.push(existing.id.clone());
            continue;
        }
        let penalty = options.penalty.unwrap_or_else(|| {
            scenario
                .demands
                .iter()
                .filter(|d| d.buyer == buyer && d.product == product)
                .map(|d| d.penalty)
                .fold(0.0, f64::max)
        });
        let contract = Contract {
            id: format!(
                "rec:{}:{}:{}",
                scenario.facilities[facility.index()].id,
                scenario.actors[buyer.index()].id,
                scenario.products[product.index()].id
            ),
            facility,
            buyer,
            product,
            quantity: vec![0.0; n],
            penalty,
            price: options.price,
        };
        let periods = periods_in_plan(scenario, &contract, groups);
        cost.push(periods.iter().map(|&p| options.price * p as f64).collect());
        upper.push(if options.spot_only {
            vec![0.0; groups.len()]
        } else {
            rate_bounds(scenario, samples, triple, groups)
        });
        spot.push(options.spot_price.unwrap_or(options.price));
        contracts.push(contract);
    }
    already.sort();
    already.dedup();
    (
        FirstStage {
            contracts,
            group_of_period: groups.of_period.clone(),
            groups: groups.len(),
            spot,
            upper,
            cost,
            budget: options.budget,
            expansions_allowed: options.expansions_allowed.clone(),
        },
        already,
    )
}

/// Periods of each group in the contract's plan in the base scenario
/// (`t + L <= N - 1`).
fn periods_in_plan(scenario: &Scenario, contract: &Contract, groups: &Groups) -> Vec<usize> {
    let n = scenario.periods();
    let actor = scenario.facilities[contract.facility.index()].actor;
    let (lead, _) = scenario.route(actor, contract.buyer);
    let mut periods = vec![0; groups.len()];
    for (t, &g) in groups.of_period.iter().enumerate() {
        if t + (lead as usize) < n {
            periods[g] += 1;
        }
    }
    periods
}

/// The most a triple's rate may commit in each group, over the base and
/// the samples: what the supplier's actor could supply in one period (the
/// production of the product on every line of its facilities that makes
/// it, every expansion taken, plus their initial stock of it: finished
/// goods move freely between one actor's facilities), and never more than
/// the buyer's whole requirement for the product over the horizon.
fn rate_bounds(
    scenario: &Scenario,
    samples: &[Scenario],
    triple: Triple,
    groups: &Groups,
) -> Vec<f64> {
    let (facility, buyer, product) = triple;
    let mut bounds = vec![0.0f64; groups.len()];
    for world in std::iter::once(scenario).chain(samples) {
        let actor = world.facilities[facility.index()].actor;
        let required: f64 = world
            .demands
            .iter()
            .filter(|d| d.buyer == buyer && d.product == product)
            .map(|d| d.quantity.iter().sum::<f64>())
            .sum();
        for (g, bound) in bounds.iter_mut().enumerate() {
            let mut supply = 0.0;
            for f in world.facilities.iter().filter(|f| f.actor == actor) {
                supply += f
                    .stock
                    .iter()
                    .filter(|(p, _)| *p == product)
                    .map(|(_, q)| q)
                    .sum::<f64>();
                for &l in &f.lines {
                    let line = &world.lines[l.index()];
                    let Some(made) = line.products.iter().find(|lp| lp.product == product) else {
                        continue;
                    };
                    let peak = groups
                        .of_period
                        .iter()
                        .enumerate()
                        .filter(|&(_, &group)| group == g)
                        .map(|(t, _)| line.capacity[t])
                        .fold(0.0, f64::max);
                    let expanded: f64 = world
                        .expansions
                        .iter()
                        .filter(|e| e.line == l)
                        .map(|e| e.capacity)
                        .sum();
                    supply += (peak + expanded) / made.rate;
                }
            }
            *bound = bound.max(supply.min(required));
        }
    }
    bounds
}

/// `base`, or `base-2`, `base-3`, … when taken.
fn unique_id(base: &str, used: &mut Vec<String>) -> String {
    let mut id = base.to_owned();
    let mut suffix = 2;
    while used.contains(&id) {
        id = format!("{base}-{suffix}");
        suffix += 1;
    }
    used.push(id.clone());
    id
}

#[cfg(test)]
mod tests;
