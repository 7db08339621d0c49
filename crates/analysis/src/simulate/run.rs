//! Drawing and planning the samples of a simulation.
//!
//! Re-solves: a sample changes quantities (demand multipliers, outages,
//! yields) but not the model's structure, so by default every sample is
//! re-solved on one model of the scenario built once and loaded once per
//! thread (the [`Driver`] of [`crate::resolve`], [`Change::Edited`]),
//! starting from the greedy plan as a cold solve does; a sample with a
//! route delay changes lead times, hence the model, and is planned from
//! scratch. A sample's result depends on its draws and the scenario only,
//! whichever thread solved what before, so the thread count still changes
//! nothing. What is `simulate`'s own: drawing the samples (its cases) and
//! summarising their plans.

use caisson_model::{Scenario, UncertaintyKind};
use caisson_plan::Plan;
use caisson_planner::PlanOptions;

use super::{
    draw::{self, Draws},
    stats, DemandSummary, FanSeries, Percentiles, SampleChunk, SampleDemand, SampleResult,
    SimulateError, Simulation, Source, TotalSummary, FORMAT,
};
use crate::resolve::{
    Change, Changes, Driver, Guess, Job, Resolve, ResolveTiming, Settings, Solved,
};

/// What `simulate` computes.
#[derive(Debug, Clone)]
pub struct SimulateOptions {
    /// Number of samples (at least 1).
    pub samples: u64,
    /// Seed of every draw.
    pub seed: u64,
    /// Fill rate below which a demand counts as failed, in [0, 1].
    pub threshold: f64,
    /// Quantiles reported, increasing, in [0, 1].
    pub quantiles: Vec<f64>,
    /// Solver options for every sample's plan.
    pub plan: PlanOptions,
    /// Which entries are drawn: all, or all but the political switches
    /// (`--without-political`, for the distribution without them).
    pub draws: Draws,
}

impl Default for SimulateOptions {
    fn default() -> Self {
        SimulateOptions {
            samples: 100,
            seed: 0,
            threshold: 0.9,
            quantiles: vec![0.05, 0.5, 0.95],
            plan: PlanOptions::default(),
            draws: Draws::All,
        }
    }
}

/// Runs `options.samples` samples of `scenario` in parallel (one HiGHS
/// thread each, as many threads as rayon's pool has; the model reused,
/// [`Resolve::Reuse`], which measured fastest) and summarises them;
/// `progress` is called once per finished sample, from any thread.
pub fn simulate(
    scenario: &Scenario,
    options: &SimulateOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<Simulation, SimulateError> {
    simulate_with(scenario, options, Resolve::Reuse, progress).map(|(sim, _)| sim)
}

/// [`simulate`], solving the samples as `resolve` says, with where the
/// time went. Every mode gives the same numbers within the MIP gap.
pub fn simulate_with(
    scenario: &Scenario,
    options: &SimulateOptions,
    resolve: Resolve,
    progress: &(dyn Fn() + Sync),
) -> Result<(Simulation, ResolveTiming), SimulateError> {
    check(options)?;
    let groups = fan_groups(scenario);
    let (results, timing) = solve_samples(
        scenario,
        options,
        0..options.samples,
        resolve,
        progress,
        &|sample, world, drawn, solved| result_of(&world, &solved.plan, sample, drawn, &groups),
    )?;
    let simulation = summarise(scenario, options, &groups, results)?;
    Ok((simulation, timing))
}

/// Samples `samples` of the simulation [`simulate`] would run with
/// `options` (a chunk of it, for a worker among several): the same draws
/// and plans, sample for sample. [`summarise_chunks`] makes the simulation
/// of every chunk.
pub fn simulate_chunk(
    scenario: &Scenario,
    options: &SimulateOptions,
    samples: std::ops::Range<u64>,
    progress: &(dyn Fn() + Sync),
) -> Result<SampleChunk, SimulateError> {
    check(options)?;
    let groups = fan_groups(scenario);
    let first = samples.start;
    let (results, _) = solve_samples(
        scenario,
        options,
        samples,
        Resolve::Reuse,
        progress,
        &|sample, world, drawn, solved| result_of(&world, &solved.plan, sample, drawn, &groups),
    )?;
    Ok(SampleChunk::new(first, results))
}

/// The simulation of chunks that together hold samples `0..options.samples`
/// (in any order): byte for byte what [`simulate`] gives with the same
/// options, since each sample's result depends only on the scenario, the
/// seed and its index.
pub fn summarise_chunks(
    scenario: &Scenario,
    options: &SimulateOptions,
    mut chunks: Vec<SampleChunk>,
) -> Result<Simulation, SimulateError> {
    check(options)?;
    chunks.sort_by_key(|c| c.first);
    let samples: Vec<SampleResult> = chunks
        .into_iter()
        .flat_map(SampleChunk::into_samples)
        .collect();
    let complete = samples.len() as u64 == options.samples
        && samples.iter().zip(0..).all(|(s, i)| s.sample == i);
    if !complete {
        return Err(SimulateError::IncompleteChunks {
            expected: options.samples,
        });
    }
    summarise(scenario, options, &fan_groups(scenario), samples)
}

/// The plans of every sample, in sample order (for `recommend --samples`):
/// the same draws as [`simulate`] with the same seed, each planned from
/// scratch. A sample's world keeps the scenario's entities and their order
/// (draws change numbers and may add routes), so the plans' typed ids index
/// `scenario` too.
pub fn sample_plans(
    scenario: &Scenario,
    options: &SimulateOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<Plan>, SimulateError> {
    check(options)?;
    solve_samples(
        scenario,
        options,
        0..options.samples,
        Resolve::Cold,
        progress,
        &|_, _, _, solved| solved.plan,
    )
    .map(|(plans, _)| plans)
}

/// Draws every sample of `scenario` and plans it with the [`Driver`]
/// (`simulate`'s cases: a sample is an edit of the scenario's quantities,
/// or, with a route delay, of its structure), summarised by `finish`.
fn solve_samples<T: Send>(
    scenario: &Scenario,
    options: &SimulateOptions,
    samples: std::ops::Range<u64>,
    resolve: Resolve,
    progress: &(dyn Fn() + Sync),
    finish: &(dyn Fn(u64, Scenario, draw::Drawn, Solved) -> T + Sync),
) -> Result<(Vec<T>, ResolveTiming), SimulateError> {
    let settings = Settings {
        mode: resolve,
        options: options.plan.clone(),
        changes: Changes::Quantities,
        guess: Guess::Greedy,
        solve_threads: 1,
    };
    let first = samples.start;
    let count = usize::try_from(samples.end.saturating_sub(first)).unwrap_or(usize::MAX);
    Driver::new(scenario, &settings).solve_cases(
        count,
        &|i| {
            let sample = first + i as u64;
            let (world, drawn) = draw::apply_with(scenario, options.seed, sample, options.draws)
                .map_err(|e| SimulateError::NotFinite {
                    id: scenario.uncertainty[e.entry].id.clone(),
                    sample,
                })?;
            Ok(Job::Solve {
                scenario: world,
                change: Change::Edited,
                keep: drawn,
            })
        },
        &|i, world, drawn, solved| finish(first + i as u64, world, drawn, solved),
        progress,
    )
}

fn check(options: &SimulateOptions) -> Result<(), SimulateError> {
    if options.samples == 0 {
        return Err(SimulateError::NoSamples);
    }
    let q = &options.quantiles;
    if q.is_empty()
        || q.iter().any(|x| !(0.0..=1.0).contains(x))
        || q.windows(2).any(|w| w[0] >= w[1])
    {
        return Err(SimulateError::BadQuantiles(q.clone()));
    }
    if !(0.0..=1.0).contains(&options.threshold) {
        return Err(SimulateError::BadThreshold(options.threshold));
    }
    Ok(())
}

/// The (end user, product) pairs of the demands, in order of first demand,
/// with the demands of each.
fn fan_groups(scenario: &Scenario) -> Vec<(String, Vec<usize>)> {
    let mut groups: Vec<((usize, usize), String, Vec<usize>)> = Vec::new();
    for (d, demand) in scenario.demands.iter().enumerate() {
        let key = (demand.end_user.index(), demand.product.index());
        match groups.iter_mut().find(|g| g.0 == key) {
            Some(g) => g.2.push(d),
            None => groups.push((
                key,
                format!(
                    "shortage {} {}",
                    scenario.actors[key.0].id, scenario.products[key.1].id
                ),
                vec![d],
            )),
        }
    }
    groups.into_iter().map(|(_, name, ds)| (name, ds)).collect()
}

fn result_of(
    world: &Scenario,
    plan: &Plan,
    sample: u64,
    drawn: draw::Drawn,
    groups: &[(String, Vec<usize>)],
) -> SampleResult {
    let solved = plan.status.has_solution();
    let demands: Vec<SampleDemand> = plan
        .kpis
        .demands
        .iter()
        .map(|k| SampleDemand {
            required: k.required,
            delivered: k.delivered,
            shortage: k.shortage,
            fill_rate: k.fill_rate,
            final_backlog: k.final_backlog,
        })
        .collect();
    let n = world.periods();
    // Shortage of each demand in each period: its backlog plus what it lost.
    let mut by_demand = vec![vec![0.0; n]; world.demands.len()];
    for r in &plan.demand {
        if r.period < n {
            by_demand[r.demand.index()][r.period] += r.backlog + r.lost;
        }
    }
    let series = groups
        .iter()
        .map(|(_, ds)| {
            (0..n)
                .map(|t| ds.iter().map(|&d| by_demand[d][t]).sum())
                .collect()
        })
        .collect();
    let required: f64 = demands.iter().map(|d| d.required).sum();
    let delivered: f64 = demands.iter().map(|d| d.delivered).sum();
    SampleResult {
        sample,
        status: plan.status,
        objective: plan.objective,
        required: if solved { required } else { 0.0 },
        delivered: if solved { delivered } else { 0.0 },
        shortage: if solved {
            demands.iter().map(|d| d.shortage).sum()
        } else {
            0.0
        },
        fill_rate: (solved && required > 0.0).then(|| delivered / required),
        outage_periods: drawn.outage_periods,
        delayed_pairs: drawn.delayed_pairs,
        political_switches: drawn.political.then_some(drawn.switches),
        demands,
        series,
    }
}

fn summarise(
    scenario: &Scenario,
    options: &SimulateOptions,
    groups: &[(String, Vec<usize>)],
    samples: Vec<SampleResult>,
) -> Result<Simulation, SimulateError> {
    let q = &options.quantiles;
    let solved: Vec<&SampleResult> = samples.iter().filter(|s| s.solved()).collect();
    if solved.is_empty() {
        let first = &samples[0];
        return Err(SimulateError::NoSolution {
            sample: first.sample,
            status: first.status.name(),
            message: None,
        });
    }
    let over = |f: &dyn Fn(&SampleResult) -> Option<f64>| {
        let values: Vec<f64> = solved.iter().filter_map(|s| f(s)).collect();
        Percentiles::of(&values, q)
    };
    let total = TotalSummary {
        required: over(&|s| Some(s.required)),
        delivered: over(&|s| Some(s.delivered)),
        shortage: over(&|s| Some(s.shortage)),
        fill_rate: over(&|s| s.fill_rate),
        objective: over(&|s| s.objective),
    };
    let actor = |a: caisson_model::ActorId| scenario.actors[a.index()].id.clone();
    let demands = scenario
        .demands
        .iter()
        .enumerate()
        .map(|(d, demand)| {
            let of = |f: &dyn Fn(&SampleDemand) -> Option<f64>| -> Vec<f64> {
                solved
                    .iter()
                    .filter_map(|s| s.demands.get(d).and_then(f))
                    .collect()
            };
            let fill = of(&|k| k.fill_rate);
            let below = fill.iter().filter(|&&f| f < options.threshold).count();
            DemandSummary {
                demand: demand.id.clone(),
                product: scenario.products[demand.product.index()].id.clone(),
                buyer: actor(demand.buyer),
                end_user: actor(demand.end_user),
                required: Percentiles::of(&of(&|k| Some(k.required)), q),
                shortage: Percentiles::of(&of(&|k| Some(k.shortage)), q),
                fill_rate: Percentiles::of(&fill, q),
                below_threshold: (!fill.is_empty()).then(|| below as f64 / fill.len() as f64),
            }
        })
        .collect();
    let n = scenario.periods();
    let series = groups
        .iter()
        .enumerate()
        .map(|(g, (name, ds))| {
            let unit = scenario.products[scenario.demands[ds[0]].product.index()]
                .unit
                .clone();
            let mut values = vec![vec![0.0; n]; q.len()];
            for t in 0..n {
                let mut at_t: Vec<f64> = solved.iter().map(|s| s.series[g][t]).collect();
                at_t.sort_by(f64::total_cmp);
                for (row, &quantile) in values.iter_mut().zip(q) {
                    row[t] = stats::percentile(&at_t, quantile).unwrap_or(0.0);
                }
            }
            FanSeries {
                name: name.clone(),
                unit,
                values,
            }
        })
        .collect();
    let sources = scenario
        .uncertainty
        .iter()
        .map(|u| Source {
            id: u.id.clone(),
            kind: match u.kind {
                UncertaintyKind::DemandMultiplier { .. } => "demand",
                UncertaintyKind::FacilityOutage { .. } => "outage",
                UncertaintyKind::CapacityYield { .. } => "yield",
                UncertaintyKind::RouteDelay { .. } => "delay",
                UncertaintyKind::Political { .. } => "political",
            }
            .to_owned(),
            skipped: options.draws == Draws::WithoutPolitical
                && matches!(u.kind, UncertaintyKind::Political { .. }),
        })
        .collect();
    Ok(Simulation {
        format: FORMAT.to_owned(),
        scenario: scenario.name.clone(),
        seed: options.seed,
        runs: options.samples,
        solved: solved.len() as u64,
        threshold: options.threshold,
        sources,
        periods: (0..n).map(|t| scenario.calendar.label(t)).collect(),
        quantiles: q.clone(),
        series,
        total,
        demands,
        samples,
    })
}
