//! One benchmark case, measured inside the child process that runs it: load
//! and validate the scenario file, build the model, pass it to HiGHS, solve,
//! derive the plan and write it as JSON, timing each stage and recording
//! the resident memory around it.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use caisson_plan::{ModelStats, Plan};
use caisson_planner::{Formulation, PlanOptions};
use serde::{Deserialize, Serialize};

use super::memory::{self, mib, Sampler};
use crate::exit::Failure;
use crate::shell::Shell;

/// How much of the pipeline a case runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Load, build, pass to HiGHS, solve, derive and write: `caisson plan`.
    Full,
    /// Load, build and pass to HiGHS; no solve (for cases too big to solve
    /// in the time available).
    Build,
    /// Load, run the greedy baseline and write.
    Greedy,
    /// Load and validate only.
    Load,
}

impl Mode {
    /// The mode's name in tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Full => "full",
            Mode::Build => "build",
            Mode::Greedy => "greedy",
            Mode::Load => "load",
        }
    }
}

/// Seconds per stage; `None` for stages the case's mode does not run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stages {
    /// Reading, parsing and validating the scenario file.
    pub load: Option<f64>,
    /// Building the sparse matrix (`Formulation::build`).
    pub build: Option<f64>,
    /// Passing the matrix to HiGHS (`Formulation::load`).
    pub highs_load: Option<f64>,
    /// Making the greedy start of a MIP (`PlanOptions::greedy_start`): the
    /// greedy plan mapped onto the model's columns, before HiGHS runs.
    #[serde(default)]
    pub start: Option<f64>,
    /// HiGHS's run on the model.
    pub solve: Option<f64>,
    /// HiGHS's second run, the LP with expansions fixed, for capacity
    /// shadow prices (as `caisson plan` computes them).
    pub duals: Option<f64>,
    /// Everything else in the solve call: reading the solution and deriving
    /// the plan's records, cost split and KPIs.
    pub derive: Option<f64>,
    /// The greedy baseline, including its plan derivation.
    pub greedy: Option<f64>,
    /// Writing the `caisson-plan/1` JSON file (with the "why short?"
    /// explanations it holds).
    pub write: Option<f64>,
}

/// Resident memory around the stages, in MiB.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Memory {
    /// When the case starts: the binary and its libraries.
    pub start_mib: f64,
    /// After loading the scenario.
    pub after_load_mib: Option<f64>,
    /// Just before passing the model to HiGHS: the scenario, the typed
    /// column and row maps and the sparse matrix.
    pub before_highs_mib: Option<f64>,
    /// The sparse matrix's share of that (its vectors' lengths times their
    /// element sizes); it is freed once HiGHS holds its own copy.
    pub matrix_mib: Option<f64>,
    /// After passing the model to HiGHS.
    pub after_highs_load_mib: Option<f64>,
    /// The largest resident set sampled while HiGHS ran (every 2 ms).
    pub highs_run_peak_mib: Option<f64>,
    /// HiGHS's share: the peak while HiGHS holds the model (loading or
    /// running) less what Caisson holds meanwhile (`before_highs` less the
    /// matrix).
    pub highs_mib: Option<f64>,
    /// The process's peak resident set over the whole case.
    pub peak_mib: f64,
    /// `peak / highs`: the target is at most 2.
    pub peak_over_highs: Option<f64>,
    /// Exact peak of each stage (high-water mark reset before it).
    pub stage_peaks_mib: StagePeaks,
}

/// Exact per-stage peaks in MiB.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StagePeaks {
    /// Loading and validating.
    pub load: Option<f64>,
    /// Building the matrix.
    pub build: Option<f64>,
    /// Passing it to HiGHS.
    pub highs_load: Option<f64>,
    /// Solving, reading the solution, shadow prices and plan derivation.
    pub solve: Option<f64>,
    /// The greedy baseline.
    pub greedy: Option<f64>,
    /// Writing the plan.
    pub write: Option<f64>,
}

/// What a case measured; the line the child prints.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// The scenario file's size in MB (10^6 bytes).
    pub scenario_mb: f64,
    /// Model size, when built.
    pub columns: Option<usize>,
    /// Rows, when built.
    pub rows: Option<usize>,
    /// Nonzeros, when built.
    pub nonzeros: Option<usize>,
    /// Integer columns, when built.
    pub integer_columns: Option<usize>,
    /// Seconds per stage.
    pub stages: Stages,
    /// Wall-clock seconds from the start of loading to the end of writing.
    pub total_seconds: f64,
    /// HiGHS's runs (solve and duals) in seconds.
    pub highs_seconds: Option<f64>,
    /// `(total - HiGHS's runs) / total`, for full cases.
    pub overhead_ratio: Option<f64>,
    /// The plan's status (`optimal`, `feasible`, `time_limit`, ...), or
    /// `built`/`loaded` for cases that stop before solving.
    pub status: String,
    /// The relative MIP gap, when known.
    pub mip_gap: Option<f64>,
    /// The objective, when there is a plan.
    pub objective: Option<f64>,
    /// The plan file's size in MB.
    pub plan_mb: Option<f64>,
    /// Memory figures (absent where `/proc` is not available).
    pub memory: Option<Memory>,
}

/// Bytes of the sparse problem handed to HiGHS: per column the cost, two
/// bounds, the start offset and the integrality flag; per row two bounds;
/// per nonzero an index and a value.
pub fn matrix_bytes(stats: &ModelStats) -> u64 {
    let integrality = if stats.integer_columns > 0 { 4 } else { 0 };
    let columns = stats.columns as u64 * (8 * 3 + 4 + integrality);
    let rows = stats.rows as u64 * 16;
    let nonzeros = stats.nonzeros as u64 * (4 + 8);
    columns + rows + nonzeros
}

/// Times `stage` and measures its peak memory.
fn timed<T>(stage: impl FnOnce() -> T) -> (T, f64, Option<u64>) {
    let started = Instant::now();
    let (value, peak) = memory::stage_peak(stage);
    (value, started.elapsed().as_secs_f64(), peak)
}

/// Runs one case on the scenario at `path`.
pub fn run_case(
    shell: &mut Shell,
    path: &Path,
    mode: Mode,
    options: &PlanOptions,
) -> Result<Measurement, Failure> {
    let start_kib = memory::rss_kib();
    // The peak so far is the binary's own start-up; later stages reset it.
    let start_peak = memory::peak_kib();
    let scenario_bytes = std::fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .len();
    let mut m = Measurement {
        scenario_mb: scenario_bytes as f64 / 1e6,
        ..Measurement::default()
    };
    let mut peaks = StagePeaks::default();
    let mut mem = Memory::default();
    let started = Instant::now();

    let (loaded, seconds, peak) = timed(|| caisson_scenario::load_path(path));
    let loaded = loaded.map_err(|error| {
        shell.diagnostics(&error.to_string());
        Failure::InvalidInput
    })?;
    let scenario = &loaded.scenario;
    m.stages.load = Some(seconds);
    peaks.load = peak.map(mib);
    mem.after_load_mib = memory::rss_kib().map(mib);
    m.status = "loaded".to_owned();

    let plan: Option<Plan> = match mode {
        Mode::Load => None,
        Mode::Greedy => {
            let (plan, seconds, peak) = timed(|| caisson_plan::greedy(scenario));
            m.stages.greedy = Some(seconds);
            peaks.greedy = peak.map(mib);
            Some(plan)
        }
        Mode::Build | Mode::Full => {
            let (formulation, seconds, peak) = timed(|| Formulation::build(scenario));
            m.stages.build = Some(seconds);
            peaks.build = peak.map(mib);
            let stats = formulation.stats().clone();
            m.columns = Some(stats.columns);
            m.rows = Some(stats.rows);
            m.nonzeros = Some(stats.nonzeros);
            m.integer_columns = Some(stats.integer_columns);
            let before_highs = memory::rss_kib();
            mem.before_highs_mib = before_highs.map(mib);
            let matrix = matrix_bytes(&stats) / 1024;
            mem.matrix_mib = Some(mib(matrix));

            let (model, seconds, peak) = timed(|| formulation.load());
            let model = model.context("loading the model into HiGHS")?;
            m.stages.highs_load = Some(seconds);
            peaks.highs_load = peak.map(mib);
            let highs_load_peak = peak;
            mem.after_highs_load_mib = memory::rss_kib().map(mib);
            m.status = "built".to_owned();

            if mode == Mode::Full {
                let sampler = Sampler::start();
                let (plan, seconds, peak) = timed(|| model.solve(scenario, options));
                let samples = sampler.stop();
                peaks.solve = peak.map(mib);
                let stats = plan.model.clone().unwrap_or_default();
                // The relaxation first (when it runs) is HiGHS's work on
                // the same model: part of the solve stage.
                let solve = stats.relaxation_seconds + stats.solve_seconds;
                let highs = solve + stats.dual_seconds;
                m.stages.start = Some(stats.start_seconds);
                m.stages.solve = Some(solve);
                m.stages.duals = Some(stats.dual_seconds);
                m.stages.derive = Some((seconds - highs - stats.start_seconds).max(0.0));
                m.highs_seconds = Some(highs);
                // HiGHS runs first in the solve call (the relaxation first,
                // then the greedy start and the MIP; the options it sets take
                // microseconds), so its run ends `start_seconds + solve`
                // into the samples. Without
                // samples the exact peak of the whole call stands in (an
                // overestimate: it includes the plan's derivation).
                let run_peak = memory::peak_within(&samples, stats.start_seconds + solve);
                mem.highs_run_peak_mib = run_peak.map(mib);
                let holding = [highs_load_peak, run_peak.or(peak)]
                    .into_iter()
                    .flatten()
                    .max();
                let ours = before_highs.map(|b| b.saturating_sub(matrix));
                if let (Some(top), Some(ours)) = (holding, ours) {
                    mem.highs_mib = Some(mib(top.saturating_sub(ours)));
                }
                Some(plan)
            } else {
                drop(model);
                None
            }
        }
    };

    if let Some(plan) = &plan {
        let file = tempfile::Builder::new()
            .prefix("caisson-bench-plan-")
            .suffix(".json")
            .tempfile()
            .context("creating a temporary plan file")?;
        let (written, seconds, peak) =
            timed(|| caisson_report::write_json_file(scenario, plan, file.path()));
        written.context("writing the plan")?;
        m.stages.write = Some(seconds);
        peaks.write = peak.map(mib);
        m.plan_mb = std::fs::metadata(file.path())
            .ok()
            .map(|meta| meta.len() as f64 / 1e6);
        m.status = plan.status.name().to_owned();
        m.mip_gap = plan.mip_gap.filter(|g| g.is_finite());
        m.objective = plan.objective;
    }
    m.total_seconds = started.elapsed().as_secs_f64();
    if let Some(highs) = m.highs_seconds {
        if m.total_seconds > 0.0 {
            m.overhead_ratio = Some(((m.total_seconds - highs) / m.total_seconds).clamp(0.0, 1.0));
        }
    }

    if let Some(start) = start_kib {
        mem.start_mib = mib(start);
        let stage_peaks = [
            peaks.load,
            peaks.build,
            peaks.highs_load,
            peaks.solve,
            peaks.greedy,
            peaks.write,
        ];
        let peak = stage_peaks
            .into_iter()
            .flatten()
            .fold(start_peak.map_or(0.0, mib), f64::max);
        // Without per-stage resets the process's mark is the whole peak.
        mem.peak_mib = if stage_peaks.iter().all(Option::is_none) {
            memory::peak_kib().map_or(peak, mib)
        } else {
            peak
        };
        mem.peak_over_highs = mem.highs_mib.filter(|&h| h > 0.0).map(|h| mem.peak_mib / h);
        mem.stage_peaks_mib = peaks;
        m.memory = Some(mem);
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_bytes_count_every_vector() {
        let stats = ModelStats {
            columns: 10,
            rows: 4,
            nonzeros: 30,
            integer_columns: 0,
            ..ModelStats::default()
        };
        // 10 * 28 + 4 * 16 + 30 * 12
        assert_eq!(matrix_bytes(&stats), 280 + 64 + 360);
        let mip = ModelStats {
            integer_columns: 1,
            ..stats
        };
        assert_eq!(matrix_bytes(&mip), 280 + 40 + 64 + 360);
    }
}
