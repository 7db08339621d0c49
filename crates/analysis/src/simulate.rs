//! `simulate`: Monte Carlo over the scenario's `[[uncertainty]]` entries.
//!
//! Every sample draws each entry (see `draw`), applies the draws to a copy
//! of the scenario, and plans the copy. The samples are then summarised:
//! percentiles of total and per-demand shortage and fill rate, the
//! probability that each demand's fill rate falls below a threshold, and
//! percentile bands over time of the shortage of every (end user, product)
//! for fan charts. Percentiles interpolate between order statistics (see
//! [`stats::percentile`]).
//!
//! Reproducibility: sample `i` depends only on the seed, `i` and the
//! scenario, never on the thread that solves it or the order samples
//! finish in; HiGHS runs on one thread per solve. So one seed gives the
//! same numbers whatever the thread count (unless a time limit stops
//! solves early, which depends on the machine).
//!
//! The result ([`Simulation`], with its summaries and per-sample figures)
//! is plain data and needs no solver; drawing and planning the samples
//! (`simulate`, `simulate_with`, `sample_plans`, in `run`) needs the
//! `solve` feature.

#[cfg(feature = "solve")]
pub(crate) mod draw;
#[cfg(feature = "solve")]
mod run;
pub mod stats;

use caisson_plan::PlanStatus;
use serde::{Deserialize, Serialize};

#[cfg(feature = "solve")]
pub use draw::Draws;
#[cfg(feature = "solve")]
pub use run::{
    sample_plans, simulate, simulate_chunk, simulate_with, summarise_chunks, SimulateOptions,
};
pub use stats::Percentiles;

/// The `format` tag of the simulation output (read by the HTML report).
pub const FORMAT: &str = "caisson-simulation/1";

/// Why a simulation could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimulateError {
    /// `samples` is 0.
    #[error("the number of samples must be at least 1")]
    NoSamples,
    /// The quantiles are empty, unordered or outside [0, 1].
    #[error("quantiles must be an increasing list of numbers in [0, 1], got {0:?}")]
    BadQuantiles(Vec<f64>),
    /// The threshold is outside [0, 1].
    #[error("the fill-rate threshold must be between 0 and 1, got {0}")]
    BadThreshold(f64),
    /// A draw made a quantity or capacity that is not a finite number.
    #[error(
        "uncertainty \"{id}\" drew a factor that makes a quantity infinite in sample {sample}: lower its spread"
    )]
    NotFinite {
        /// The uncertainty entry's id.
        id: String,
        /// The sample.
        sample: u64,
    },
    /// Chunks given to [`summarise_chunks`] do not hold every sample
    /// `0..samples` exactly once.
    #[error("the chunks do not hold samples 0..{expected} exactly once")]
    IncompleteChunks {
        /// The number of samples expected.
        expected: u64,
    },
    /// No sample has a solution.
    #[error("no sample could be planned: sample {sample} ended with status {status}{}", message.as_deref().map(|m| format!(" ({m})")).unwrap_or_default())]
    NoSolution {
        /// The first sample.
        sample: u64,
        /// Its status.
        status: &'static str,
        /// The solver's message, if any.
        message: Option<String>,
    },
}

/// The result of one sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleResult {
    /// The sample's index (0-based).
    pub sample: u64,
    /// Status of its plan; the figures below are 0 unless it is `optimal`
    /// or `feasible`.
    pub status: PlanStatus,
    /// Objective of its plan.
    pub objective: Option<f64>,
    /// Units required by all demands (units of different products added).
    pub required: f64,
    /// Units delivered to all demands.
    pub delivered: f64,
    /// Shortage of all demands (unit-periods of backlog plus lost units).
    pub shortage: f64,
    /// `delivered / required` (`None` when nothing is required).
    pub fill_rate: Option<f64>,
    /// Facility-periods of outage drawn.
    pub outage_periods: usize,
    /// Actor pairs whose lead time was lengthened.
    pub delayed_pairs: usize,
    /// Political entries that switched in this sample (docs/uncertainty.md);
    /// absent when the scenario has none or the run did not draw them
    /// (`--without-political`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub political_switches: Option<usize>,
    /// Figures per demand, in scenario order (CSV only).
    #[serde(skip)]
    pub demands: Vec<SampleDemand>,
    /// Shortage per fan series and period (fan charts only).
    #[serde(skip)]
    pub series: Vec<Vec<f64>>,
}

/// A run of consecutive samples computed apart (by one worker of a
/// simulation split across several), with every figure the summary needs:
/// unlike [`Simulation::samples`], the per-demand and per-series figures
/// too. Summarising the chunks of samples `0..n`, in order, gives exactly
/// what [`simulate`] gives for `n` samples with the same seed (a sample's
/// result depends on the scenario, the seed and its index only).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleChunk {
    /// The index of the first sample.
    pub first: u64,
    /// The samples, in order.
    pub samples: Vec<SampleResult>,
    /// Each sample's [`SampleResult::demands`].
    pub demands: Vec<Vec<SampleDemand>>,
    /// Each sample's [`SampleResult::series`].
    pub series: Vec<Vec<Vec<f64>>>,
}

impl SampleChunk {
    /// The chunk of these samples (consecutive, from `first`).
    pub fn new(first: u64, samples: Vec<SampleResult>) -> Self {
        let demands = samples.iter().map(|s| s.demands.clone()).collect();
        let series = samples.iter().map(|s| s.series.clone()).collect();
        SampleChunk {
            first,
            samples,
            demands,
            series,
        }
    }

    /// The samples with all their figures again.
    pub fn into_samples(self) -> Vec<SampleResult> {
        self.samples
            .into_iter()
            .zip(self.demands)
            .zip(self.series)
            .map(|((mut sample, demands), series)| {
                sample.demands = demands;
                sample.series = series;
                sample
            })
            .collect()
    }
}

impl SampleResult {
    /// Whether the sample's plan has a solution.
    pub fn solved(&self) -> bool {
        self.status.has_solution()
    }
}

/// One demand in one sample (from the plan's KPIs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleDemand {
    /// Units required (after the demand multipliers).
    pub required: f64,
    /// Units delivered.
    pub delivered: f64,
    /// Unit-periods of backlog plus lost units.
    pub shortage: f64,
    /// `delivered / required` (`None` when nothing is required).
    pub fill_rate: Option<f64>,
    /// Backlog at the end of the horizon.
    pub final_backlog: f64,
}

/// Percentiles over the solved samples of the figures of all demands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TotalSummary {
    /// Units required (units of different products added).
    pub required: Option<Percentiles>,
    /// Units delivered.
    pub delivered: Option<Percentiles>,
    /// Shortage (unit-periods plus lost units).
    pub shortage: Option<Percentiles>,
    /// Fill rate.
    pub fill_rate: Option<Percentiles>,
    /// Objective.
    pub objective: Option<Percentiles>,
}

/// Percentiles of one demand over the solved samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandSummary {
    /// Demand id.
    pub demand: String,
    /// Product id.
    pub product: String,
    /// Buyer id.
    pub buyer: String,
    /// End user id.
    pub end_user: String,
    /// Units required.
    pub required: Option<Percentiles>,
    /// Shortage (unit-periods plus lost units).
    pub shortage: Option<Percentiles>,
    /// Fill rate, over the samples where something is required.
    pub fill_rate: Option<Percentiles>,
    /// Share of those samples whose fill rate is below the threshold.
    pub below_threshold: Option<f64>,
}

/// One fan chart: percentile bands over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FanSeries {
    /// Display name, e.g. `"shortage UKR shell-155"`.
    pub name: String,
    /// Unit of the quantity.
    pub unit: String,
    /// `values[q][t]`: quantile `quantiles[q]` in period `t`.
    pub values: Vec<Vec<f64>>,
}

/// An uncertainty entry of the scenario, as simulated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// Its id.
    pub id: String,
    /// `demand`, `outage`, `yield`, `delay` or `political`.
    pub kind: String,
    /// True for a political entry that this run did not draw
    /// (`simulate --without-political`): its policies and routes stayed as
    /// written. Absent (false) for every entry drawn.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skipped: bool,
}

/// The whole simulation, in the `caisson-simulation/1` format that the
/// HTML report reads (`runs`, `periods`, `quantiles`, `series`) plus the
/// summary tables and the per-sample results. It reads back from that
/// JSON without a solver; the per-sample figures per demand and per series
/// (CSV and fan-chart inputs, not serialised) are then empty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Simulation {
    /// Always [`FORMAT`].
    pub format: String,
    /// The scenario's name.
    pub scenario: String,
    /// The seed.
    pub seed: u64,
    /// Number of samples run.
    pub runs: u64,
    /// Samples with a solution (the statistics are over these).
    pub solved: u64,
    /// The fill-rate threshold.
    pub threshold: f64,
    /// The uncertainty entries drawn.
    pub sources: Vec<Source>,
    /// Period labels.
    pub periods: Vec<String>,
    /// The quantiles of every percentile table and fan.
    pub quantiles: Vec<f64>,
    /// Shortage per (end user, product) over time.
    pub series: Vec<FanSeries>,
    /// All demands together.
    pub total: TotalSummary,
    /// Each demand, in scenario order.
    pub demands: Vec<DemandSummary>,
    /// Every sample, in order.
    pub samples: Vec<SampleResult>,
}

impl Simulation {
    /// The per-sample results as CSV: one row per (sample, demand), samples
    /// in order and demands in scenario order, with the sample's status and
    /// objective repeated on each of its rows. Figures of unsolved samples
    /// are left empty.
    pub fn to_csv(&self) -> Result<String, csv::Error> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "sample",
            "status",
            "objective",
            "demand",
            "product",
            "end_user",
            "required",
            "delivered",
            "fill_rate",
            "shortage",
            "final_backlog",
        ])?;
        let num = |v: f64| v.to_string();
        let opt = |v: Option<f64>| v.map(num).unwrap_or_default();
        for s in &self.samples {
            for (d, info) in self.demands.iter().enumerate() {
                let k = s.demands.get(d).filter(|_| s.solved());
                w.write_record([
                    s.sample.to_string(),
                    s.status.name().to_owned(),
                    opt(s.objective),
                    info.demand.clone(),
                    info.product.clone(),
                    info.end_user.clone(),
                    opt(k.map(|k| k.required)),
                    opt(k.map(|k| k.delivered)),
                    opt(k.and_then(|k| k.fill_rate)),
                    opt(k.map(|k| k.shortage)),
                    opt(k.map(|k| k.final_backlog)),
                ])?;
            }
        }
        let bytes = w
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

#[cfg(all(test, feature = "solve"))]
mod tests;
