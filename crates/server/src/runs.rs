//! What a run computes: its kind, its options (those of the CLI command of
//! the same name) and the computation itself on a frozen scenario.
//!
//! Everything here is synchronous and knows nothing of HTTP or the
//! database; the job machinery (`jobs`) calls [`execute`] on a worker.

use std::sync::atomic::{AtomicU64, Ordering};

use caisson_analysis::compare::{compare, Variant as Compared};
use caisson_analysis::recommend::{plan_base, recommend, Grouping, RecommendOptions, Shape};
use caisson_analysis::risk::{analyse, count_replans, RiskOptions};
use caisson_analysis::simulate::{
    sample_plans, simulate, simulate_chunk, summarise_chunks, SampleChunk, SimulateOptions,
};
use caisson_model::Scenario;
use caisson_planner::PlanOptions;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The kind of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RunKind {
    /// The optimal (or greedy) plan.
    Plan,
    /// The assembled scenario and variants of it, planned side by side.
    Compare,
    /// Supplier criticality and the price of policies.
    Risk,
    /// Monte Carlo over the run's `uncertainty`.
    Simulate,
    /// Long-term contracts from the plan, proved by re-planning.
    Recommend,
}

impl RunKind {
    /// The kind's name.
    pub fn as_str(self) -> &'static str {
        match self {
            RunKind::Plan => "plan",
            RunKind::Compare => "compare",
            RunKind::Risk => "risk",
            RunKind::Simulate => "simulate",
            RunKind::Recommend => "recommend",
        }
    }

    /// The kind named by `text`.
    pub fn parse(text: &str) -> Option<RunKind> {
        [
            RunKind::Plan,
            RunKind::Compare,
            RunKind::Risk,
            RunKind::Simulate,
            RunKind::Recommend,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// Solver options shared by every kind (as the CLI's `--mip-gap`,
/// `--time-limit`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SolverOptions {
    /// Relative MIP gap at which a solve stops (default 1e-6).
    pub mip_gap: Option<f64>,
    /// Time limit per solve, in seconds.
    pub time_limit: Option<f64>,
    /// Solves run at once by an analysis run (`compare`, `risk`,
    /// `simulate`, `recommend`), one HiGHS thread each, as the CLI's
    /// `--threads` for those commands (default: the worker's pool, one per
    /// core). From 1 to 64; refused for `plan` runs, whose one solve has
    /// one HiGHS thread (HiGHS keeps one thread pool per process, shared
    /// by the jobs a worker runs).
    pub threads: Option<u32>,
}

/// The most solves an analysis run may ask to run at once.
pub const MAX_THREADS: u32 = 64;

/// How a `plan` run plans.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PlanMethod {
    /// Solve the model with HiGHS (default).
    #[default]
    Optimal,
    /// The greedy baseline heuristic.
    Greedy,
}

/// A variant of a `compare` run: changes to the run's assembled scenario
/// (never `extends`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// The name the variant is shown under.
    pub label: String,
    /// Changes in the scenario format: `scenario` holds fields that replace
    /// those of `[scenario]`; every entity table (`facility`, `demand`,
    /// `policy`, `route`, ...) holds entities that replace the entity of
    /// the same `id` or are added; `remove` maps a table to the ids it loses.
    #[schema(value_type = Object)]
    pub changes: serde_json::Map<String, serde_json::Value>,
}

/// The options of a run, by kind (the CLI command's options).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum RunRequest {
    /// `caisson plan`.
    Plan {
        /// `optimal` (default) or `greedy`.
        #[serde(default)]
        method: PlanMethod,
        /// Do not give HiGHS the greedy plan as a first solution.
        #[serde(default)]
        no_start: bool,
        /// Solver options.
        #[serde(default)]
        options: SolverOptions,
    },
    /// `caisson compare`: the assembled scenario against each variant.
    Compare {
        /// The variants (at least one).
        variants: Vec<Variant>,
        /// Solver options.
        #[serde(default)]
        options: SolverOptions,
    },
    /// `caisson risk`.
    Risk {
        /// Also rank single facilities.
        #[serde(default)]
        facilities: bool,
        /// Also price each list of each policy.
        #[serde(default)]
        lists: bool,
        /// Solver options.
        #[serde(default)]
        options: SolverOptions,
    },
    /// `caisson simulate`.
    Simulate {
        /// Number of samples (default 100).
        samples: Option<u64>,
        /// Seed of every draw (default 0).
        #[serde(default)]
        seed: u64,
        /// Fill rate below which a demand counts as failed (default 0.9).
        threshold: Option<f64>,
        /// Quantiles reported (default 0.05, 0.5, 0.95).
        quantiles: Option<Vec<f64>>,
        /// The `[[uncertainty]]` entries sampled (model format): part of no
        /// fragment, so given with the run.
        #[serde(default)]
        #[schema(value_type = Vec<Object>)]
        uncertainty: Vec<serde_json::Value>,
        /// Samples per chunk (default 25): a run of more samples is split
        /// into chunks that any worker may claim; the merged result is the
        /// same, byte for byte, whatever the chunking.
        chunk_samples: Option<u64>,
        /// Solver options.
        #[serde(default)]
        options: SolverOptions,
    },
    /// `caisson recommend`.
    Recommend {
        /// `year` (default), `quarter` or `period`.
        grouping: Option<String>,
        /// Flat rates not capped at the plan's shipments.
        #[serde(default)]
        flat: bool,
        /// Groups below this volume get no commitment (default 0).
        #[serde(default)]
        min_volume: f64,
        /// Penalty per unit of shortfall (default: the buyer's highest).
        penalty: Option<f64>,
        /// Price per unit (default 0).
        #[serde(default)]
        price: f64,
        /// Re-plans allowed (default 5).
        rounds: Option<u16>,
        /// Recommend from this many Monte Carlo samples.
        samples: Option<u64>,
        /// Seed of the samples (default 0).
        #[serde(default)]
        seed: u64,
        /// Quantile of the samples' volumes (default 0.1).
        quantile: Option<f64>,
        /// The `[[uncertainty]]` entries the samples draw from.
        #[serde(default)]
        #[schema(value_type = Vec<Object>)]
        uncertainty: Vec<serde_json::Value>,
        /// Solver options.
        #[serde(default)]
        options: SolverOptions,
    },
}

/// Why a run's options are refused, or why a run failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// An option is out of range or malformed.
    #[error("{0}")]
    BadOption(String),
    /// A scenario built from the run's options (a variant, the scenario
    /// with its uncertainty) does not load.
    #[error("{message}")]
    InvalidScenario {
        /// Summary.
        message: String,
        /// The loader's diagnostics as JSON.
        diagnostics: serde_json::Value,
    },
    /// The computation ended without a result.
    #[error("{0}")]
    Failed(String),
}

impl RunRequest {
    /// The kind of run asked for.
    pub fn kind(&self) -> RunKind {
        match self {
            RunRequest::Plan { .. } => RunKind::Plan,
            RunRequest::Compare { .. } => RunKind::Compare,
            RunRequest::Risk { .. } => RunKind::Risk,
            RunRequest::Simulate { .. } => RunKind::Simulate,
            RunRequest::Recommend { .. } => RunKind::Recommend,
        }
    }

    fn solver(&self) -> &SolverOptions {
        match self {
            RunRequest::Plan { options, .. }
            | RunRequest::Compare { options, .. }
            | RunRequest::Risk { options, .. }
            | RunRequest::Simulate { options, .. }
            | RunRequest::Recommend { options, .. } => options,
        }
    }

    /// Checks the options against the frozen scenario before the run is
    /// queued, so that a refused run stores nothing.
    pub fn check(&self, scenario_toml: &str) -> Result<(), RunError> {
        self.plan_options()?;
        match self {
            RunRequest::Compare { variants, .. } => {
                if variants.is_empty() {
                    return Err(RunError::BadOption(
                        "a compare run needs at least one variant".into(),
                    ));
                }
                for variant in variants {
                    variant_scenario(scenario_toml, variant)?;
                }
            }
            RunRequest::Simulate {
                samples,
                threshold,
                quantiles,
                chunk_samples,
                ..
            } => {
                if *samples == Some(0) {
                    return Err(RunError::BadOption("samples must be at least 1".into()));
                }
                if *chunk_samples == Some(0) {
                    return Err(RunError::BadOption(
                        "chunk_samples must be at least 1".into(),
                    ));
                }
                if threshold.is_some_and(|t| !(0.0..=1.0).contains(&t)) {
                    return Err(RunError::BadOption("threshold must lie in [0, 1]".into()));
                }
                if let Some(q) = quantiles {
                    if q.is_empty()
                        || q.iter().any(|v| !(0.0..=1.0).contains(v))
                        || q.windows(2).any(|w| w[0] >= w[1])
                    {
                        return Err(RunError::BadOption(
                            "quantiles must increase within [0, 1]".into(),
                        ));
                    }
                }
                self.scenario(scenario_toml)?;
            }
            RunRequest::Recommend {
                grouping,
                rounds,
                samples,
                quantile,
                min_volume,
                price,
                penalty,
                ..
            } => {
                if let Some(g) = grouping {
                    grouping_of(g)?;
                }
                if *rounds == Some(0) || *samples == Some(0) {
                    return Err(RunError::BadOption(
                        "rounds and samples must be at least 1".into(),
                    ));
                }
                if quantile.is_some_and(|q| !(0.0..=1.0).contains(&q)) {
                    return Err(RunError::BadOption("quantile must lie in [0, 1]".into()));
                }
                if !(*min_volume >= 0.0 && *price >= 0.0 && penalty.is_none_or(|p| p >= 0.0)) {
                    return Err(RunError::BadOption(
                        "min_volume, price and penalty must be non-negative".into(),
                    ));
                }
                self.scenario(scenario_toml)?;
            }
            RunRequest::Plan { .. } | RunRequest::Risk { .. } => {}
        }
        Ok(())
    }

    fn plan_options(&self) -> Result<PlanOptions, RunError> {
        let solver = self.solver();
        let mip_gap = solver.mip_gap.unwrap_or(1e-6);
        if !(0.0..1.0).contains(&mip_gap) {
            return Err(RunError::BadOption("mip_gap must lie in [0, 1)".into()));
        }
        if solver
            .time_limit
            .is_some_and(|t| !(t.is_finite() && t > 0.0))
        {
            return Err(RunError::BadOption("time_limit must be positive".into()));
        }
        match (solver.threads, self) {
            (Some(_), RunRequest::Plan { .. }) => {
                return Err(RunError::BadOption(
                    "threads applies to analysis runs (solves at once); a plan run solves on one HiGHS thread".into(),
                ))
            }
            (Some(n), _) if !(1..=MAX_THREADS).contains(&n) => {
                return Err(RunError::BadOption(format!(
                    "threads must lie in [1, {MAX_THREADS}]"
                )))
            }
            _ => {}
        }
        Ok(PlanOptions {
            mip_gap,
            time_limit: solver.time_limit,
            // Several jobs may run side by side: one HiGHS thread each.
            threads: Some(1),
            greedy_start: !matches!(self, RunRequest::Plan { no_start: true, .. }),
            ..PlanOptions::default()
        })
    }

    /// The scenario this run computes on: the frozen one, plus the run's
    /// `uncertainty` for `simulate` and `recommend`.
    fn scenario(&self, scenario_toml: &str) -> Result<Scenario, RunError> {
        let uncertainty = match self {
            RunRequest::Simulate { uncertainty, .. }
            | RunRequest::Recommend { uncertainty, .. } => uncertainty.as_slice(),
            _ => &[],
        };
        if uncertainty.is_empty() {
            return load(scenario_toml, "run.toml");
        }
        let mut changes = serde_json::Map::new();
        changes.insert(
            "uncertainty".into(),
            serde_json::Value::Array(uncertainty.to_vec()),
        );
        load(&apply_changes(scenario_toml, &changes)?, "run.toml")
    }

    /// The number of steps the progress counts to.
    pub fn steps(&self, scenario: &Scenario) -> u64 {
        match self {
            RunRequest::Plan { .. } => 1,
            RunRequest::Compare { variants, .. } => variants.len() as u64 + 1,
            RunRequest::Risk {
                facilities, lists, ..
            } => {
                let options = RiskOptions {
                    facilities: *facilities,
                    policy_lists: *lists,
                    plan: PlanOptions::default(),
                };
                count_replans(scenario, &options) as u64
            }
            RunRequest::Simulate { samples, .. } => samples.unwrap_or(100),
            RunRequest::Recommend {
                rounds, samples, ..
            } => u64::from(rounds.unwrap_or(5)) + samples.unwrap_or(0) + 1,
        }
    }
}

/// Samples per chunk of a `simulate` run when the run does not say.
pub const CHUNK_SAMPLES: u64 = 25;

impl RunRequest {
    /// The chunks a run is split into, as sample ranges: several for a
    /// `simulate` run of more samples than a chunk holds, none otherwise
    /// (the run is then computed whole by one worker).
    pub fn chunks(&self) -> Vec<std::ops::Range<u64>> {
        let RunRequest::Simulate {
            samples,
            chunk_samples,
            ..
        } = self
        else {
            return Vec::new();
        };
        let total = samples.unwrap_or(100);
        let size = chunk_samples.unwrap_or(CHUNK_SAMPLES).max(1);
        if total <= size {
            return Vec::new();
        }
        (0..total.div_ceil(size))
            .map(|c| c * size..((c + 1) * size).min(total))
            .collect()
    }

    /// The options of a `simulate` run (other kinds: `None`).
    fn simulate_options(&self) -> Result<Option<SimulateOptions>, RunError> {
        let RunRequest::Simulate {
            samples,
            seed,
            threshold,
            quantiles,
            ..
        } = self
        else {
            return Ok(None);
        };
        Ok(Some(SimulateOptions {
            samples: samples.unwrap_or(100),
            seed: *seed,
            threshold: threshold.unwrap_or(0.9),
            quantiles: quantiles.clone().unwrap_or_else(|| vec![0.05, 0.5, 0.95]),
            plan: self.plan_options()?,
            draws: Default::default(),
        }))
    }
}

/// Computes samples `range` of a chunked `simulate` run; returns the
/// chunk's result (JSON `SampleChunk`). `done` counts finished samples.
pub fn execute_chunk(
    request: &RunRequest,
    scenario_toml: &str,
    range: std::ops::Range<u64>,
    done: &AtomicU64,
) -> Result<String, RunError> {
    in_pool(request, || {
        execute_chunk_here(request, scenario_toml, range.clone(), done)
    })
}

fn execute_chunk_here(
    request: &RunRequest,
    scenario_toml: &str,
    range: std::ops::Range<u64>,
    done: &AtomicU64,
) -> Result<String, RunError> {
    let scenario = request.scenario(scenario_toml)?;
    let options = request
        .simulate_options()?
        .ok_or_else(|| RunError::Failed("only simulate runs are chunked".into()))?;
    let step = || {
        done.fetch_add(1, Ordering::Relaxed);
    };
    let chunk = simulate_chunk(&scenario, &options, range, &step)
        .map_err(|e| RunError::Failed(e.to_string()))?;
    serde_json::to_string(&chunk).map_err(|e| RunError::Failed(format!("serialising: {e}")))
}

/// The result of a chunked `simulate` run from its chunks' results: the
/// same document as [`execute`] computes for the run whole.
pub fn merge_chunks(
    request: &RunRequest,
    scenario_toml: &str,
    chunks: &[String],
) -> Result<String, RunError> {
    let scenario = request.scenario(scenario_toml)?;
    let options = request
        .simulate_options()?
        .ok_or_else(|| RunError::Failed("only simulate runs are chunked".into()))?;
    let chunks = chunks
        .iter()
        .map(|text| serde_json::from_str::<SampleChunk>(text))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| RunError::Failed(format!("a stored chunk does not read back: {e}")))?;
    let simulation = summarise_chunks(&scenario, &options, chunks)
        .map_err(|e| RunError::Failed(e.to_string()))?;
    serde_json::to_string(&simulation).map_err(|e| RunError::Failed(format!("serialising: {e}")))
}

fn grouping_of(text: &str) -> Result<Grouping, RunError> {
    match text {
        "year" => Ok(Grouping::Year),
        "quarter" => Ok(Grouping::Quarter),
        "period" => Ok(Grouping::Period),
        other => Err(RunError::BadOption(format!(
            "unknown grouping `{other}` (year, quarter or period)"
        ))),
    }
}

/// Loads a scenario text, with diagnostics as JSON when it fails. A text
/// whose `[scenario]` has `extends` is refused before the loader sees it:
/// the loader would open the path, and a server never reads a file a
/// client named.
fn load(text: &str, name: &str) -> Result<Scenario, RunError> {
    let extends = toml::from_str::<toml::Table>(text).ok().and_then(|table| {
        table
            .get("scenario")
            .and_then(|s| s.get("extends"))
            .cloned()
    });
    if extends.is_some() {
        return Err(RunError::BadOption(format!(
            "{name}: a scenario on the server never extends another file"
        )));
    }
    caisson_scenario::load_str(text, name)
        .map(|loaded| loaded.scenario)
        .map_err(|error| RunError::InvalidScenario {
            message: format!("{name}: the scenario is invalid"),
            diagnostics: serde_json::to_value(error.diagnostics())
                .unwrap_or(serde_json::Value::Null),
        })
}

/// The TOML text of a variant of the frozen scenario.
pub fn variant_scenario(scenario_toml: &str, variant: &Variant) -> Result<Scenario, RunError> {
    let text = apply_changes(scenario_toml, &variant.changes)?;
    load(&text, &format!("variant {}", variant.label))
}

/// Applies changes (see [`Variant::changes`]) to a scenario's TOML text.
pub fn apply_changes(
    scenario_toml: &str,
    changes: &serde_json::Map<String, serde_json::Value>,
) -> Result<String, RunError> {
    let bad = |m: String| RunError::BadOption(m);
    let mut table: toml::Table = toml::from_str(scenario_toml)
        .map_err(|e| RunError::Failed(format!("the frozen scenario does not parse: {e}")))?;
    for (key, value) in changes {
        let value = toml::Value::try_from(value)
            .map_err(|e| bad(format!("changes.{key}: {e} (null is not allowed)")))?;
        match (key.as_str(), value) {
            ("extends", _) => return Err(bad("changes may not use `extends`".into())),
            ("remove", toml::Value::Table(removals)) => {
                for (entity, ids) in removals {
                    let ids = ids
                        .as_array()
                        .ok_or_else(|| bad(format!("changes.remove.{entity} must be a list of ids")))?;
                    let Some(toml::Value::Array(items)) = table.get_mut(&entity) else {
                        return Err(bad(format!("changes.remove.{entity}: no such table")));
                    };
                    for id in ids {
                        let before = items.len();
                        items.retain(|item| item.get("id") != Some(id));
                        if items.len() == before {
                            return Err(bad(format!("changes.remove.{entity}: no id {id}")));
                        }
                    }
                }
            }
            ("scenario", toml::Value::Table(fields)) => {
                if fields.contains_key("extends") {
                    return Err(bad("changes.scenario may not use `extends`".into()));
                }
                let Some(toml::Value::Table(scenario)) = table.get_mut("scenario") else {
                    return Err(RunError::Failed("the frozen scenario has no [scenario]".into()));
                };
                scenario.extend(fields);
            }
            (_, toml::Value::Array(entities)) => {
                let existing = table
                    .entry(key.clone())
                    .or_insert_with(|| toml::Value::Array(Vec::new()));
                let toml::Value::Array(items) = existing else {
                    return Err(bad(format!("changes.{key}: not an entity table")));
                };
                for entity in entities {
                    let id = entity.get("id").cloned();
                    match items
                        .iter_mut()
                        .find(|item| id.is_some() && item.get("id") == id.as_ref())
                    {
                        Some(slot) => *slot = entity,
                        None => items.push(entity),
                    }
                }
            }
            _ => {
                return Err(bad(format!(
                    "changes.{key} must be a list of entities, `scenario` a table of fields, `remove` a table of id lists"
                )))
            }
        }
    }
    toml::to_string(&table).map_err(|e| RunError::Failed(format!("writing the variant: {e}")))
}

/// Runs `request` on the frozen scenario; `done` counts finished steps
/// (for progress). Returns the result document (JSON text): the
/// `caisson-plan/1` document of a plan run, the analysis result otherwise.
pub fn execute(
    request: &RunRequest,
    scenario_toml: &str,
    done: &AtomicU64,
) -> Result<String, RunError> {
    in_pool(request, || execute_here(request, scenario_toml, done))
}

/// Runs `work` on a pool of the run's `threads` (the analysis crate runs
/// its solves on the current rayon pool), or on the worker's own pool
/// when the run does not say.
fn in_pool(
    request: &RunRequest,
    work: impl FnOnce() -> Result<String, RunError> + Send,
) -> Result<String, RunError> {
    match request.solver().threads {
        Some(threads) => rayon::ThreadPoolBuilder::new()
            .num_threads(threads as usize)
            .build()
            .map_err(|e| RunError::Failed(format!("starting {threads} threads: {e}")))?
            .install(work),
        None => work(),
    }
}

fn execute_here(
    request: &RunRequest,
    scenario_toml: &str,
    done: &AtomicU64,
) -> Result<String, RunError> {
    let scenario = request.scenario(scenario_toml)?;
    let options = request.plan_options()?;
    let step = || {
        done.fetch_add(1, Ordering::Relaxed);
    };
    let json = |value: &dyn erased::Json| value.to_json();
    match request {
        RunRequest::Plan { method, .. } => {
            let plan = match method {
                PlanMethod::Optimal => caisson_planner::plan(&scenario, &options),
                PlanMethod::Greedy => caisson_plan::greedy(&scenario),
            };
            step();
            if !plan.status.has_solution() {
                return Err(RunError::Failed(format!(
                    "the solver ended without a plan (status {}){}",
                    plan.status.name(),
                    plan.message
                        .as_deref()
                        .map(|m| format!(": {m}"))
                        .unwrap_or_default()
                )));
            }
            // The checker of spec section 4 on the plan before it is kept:
            // a stored plan always passes it.
            let violations = caisson_plan::verify(&scenario, &plan);
            if !violations.is_empty() {
                return Err(RunError::Failed(format!(
                    "the plan fails its check ({} violations)",
                    violations.len()
                )));
            }
            let mut out = Vec::new();
            caisson_report::write_json(&scenario, &plan, &mut out)
                .map_err(|e| RunError::Failed(format!("writing the plan: {e}")))?;
            String::from_utf8(out).map_err(|e| RunError::Failed(e.to_string()))
        }
        RunRequest::Compare { variants, .. } => {
            let scenarios = variants
                .iter()
                .map(|v| variant_scenario(scenario_toml, v))
                .collect::<Result<Vec<_>, _>>()?;
            let cases: Vec<Compared<'_>> = variants
                .iter()
                .zip(&scenarios)
                .map(|(v, s)| Compared {
                    label: &v.label,
                    scenario: s,
                })
                .collect();
            let comparison = compare(
                Compared {
                    label: "assembled",
                    scenario: &scenario,
                },
                &cases,
                &options,
                &step,
            );
            json(&comparison)
        }
        RunRequest::Risk {
            facilities, lists, ..
        } => {
            let report = analyse(
                &scenario,
                &RiskOptions {
                    facilities: *facilities,
                    policy_lists: *lists,
                    plan: options,
                },
                &step,
            );
            json(&report)
        }
        RunRequest::Simulate { .. } => {
            let options = request
                .simulate_options()?
                .ok_or_else(|| RunError::Failed("not a simulate run".into()))?;
            let simulation = simulate(&scenario, &options, &step)
                .map_err(|e| RunError::Failed(e.to_string()))?;
            json(&simulation)
        }
        RunRequest::Recommend {
            grouping,
            flat,
            min_volume,
            penalty,
            price,
            rounds,
            samples,
            seed,
            quantile,
            ..
        } => {
            let options = RecommendOptions {
                grouping: grouping_of(grouping.as_deref().unwrap_or("year"))?,
                shape: if *flat { Shape::Flat } else { Shape::Capped },
                min_volume: *min_volume,
                penalty: *penalty,
                price: *price,
                max_rounds: usize::from(rounds.unwrap_or(5)),
                quantile: quantile.unwrap_or(0.1),
                plan: options,
            };
            let sampled = match samples {
                Some(n) => sample_plans(
                    &scenario,
                    &SimulateOptions {
                        samples: *n,
                        seed: *seed,
                        plan: options.plan.clone(),
                        ..SimulateOptions::default()
                    },
                    &step,
                )
                .map_err(|e| RunError::Failed(e.to_string()))?,
                None => Vec::new(),
            };
            let base = plan_base(&scenario, &options.plan);
            step();
            let recommendation = recommend(&scenario, &base, &sampled, &options, &|_| step())
                .map_err(|e| RunError::Failed(e.to_string()))?;
            json(&recommendation)
        }
    }
}

/// Serialising the different result types through one closure.
mod erased {
    use super::RunError;

    /// A result that serialises to JSON text.
    pub trait Json {
        /// The JSON text.
        fn to_json(&self) -> Result<String, RunError>;
    }

    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> Result<String, RunError> {
            serde_json::to_string(self).map_err(|e| RunError::Failed(format!("serialising: {e}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = r#"
[scenario]
name = "t"
start = "2026-01"
periods = 2

[[actor]]
id = "DEU"

[[product]]
id = "shell"

[[demand]]
id = "d"
buyer = "DEU"
product = "shell"
quantity = 10
penalty = 100
"#;

    #[test]
    fn requests_parse_by_kind_and_refuse_unknown_fields() {
        let plan: RunRequest = serde_json::from_str(r#"{"kind": "plan"}"#).expect("plan");
        assert_eq!(plan.kind(), RunKind::Plan);
        assert!(serde_json::from_str::<RunRequest>(r#"{"kind": "plan", "bogus": 1}"#).is_err());
        assert!(serde_json::from_str::<RunRequest>(r#"{"kind": "dance"}"#).is_err());
    }

    #[test]
    fn changes_replace_add_and_remove_entities() {
        let mut changes = serde_json::Map::new();
        changes.insert(
            "demand".into(),
            serde_json::json!([{"id": "d", "buyer": "DEU", "product": "shell", "quantity": 20, "penalty": 100}]),
        );
        let text = apply_changes(BASE, &changes).expect("applies");
        let scenario = load(&text, "v").expect("loads");
        assert_eq!(scenario.demands[0].quantity, vec![20.0, 20.0]);

        let mut removal = serde_json::Map::new();
        removal.insert("remove".into(), serde_json::json!({"demand": ["nope"]}));
        assert!(matches!(
            apply_changes(BASE, &removal),
            Err(RunError::BadOption(_))
        ));
        let mut extends = serde_json::Map::new();
        extends.insert("extends".into(), serde_json::json!("base.toml"));
        assert!(apply_changes(BASE, &extends).is_err());
        // Nor through `[scenario]`: the loader would open the path.
        let mut header = serde_json::Map::new();
        header.insert(
            "scenario".into(),
            serde_json::json!({"extends": "/etc/passwd"}),
        );
        assert!(apply_changes(BASE, &header).is_err());
        let text = BASE.replace("[scenario]\n", "[scenario]\nextends = \"/etc/passwd\"\n");
        assert!(text.contains("extends"), "{text}");
        assert!(matches!(load(&text, "x"), Err(RunError::BadOption(_))));
    }

    #[test]
    fn bad_options_are_refused_before_queueing() {
        let request: RunRequest =
            serde_json::from_str(r#"{"kind": "simulate", "samples": 0}"#).expect("parses");
        assert!(matches!(request.check(BASE), Err(RunError::BadOption(_))));
        let request: RunRequest =
            serde_json::from_str(r#"{"kind": "plan", "options": {"mip_gap": 2}}"#).expect("parses");
        assert!(request.check(BASE).is_err());
    }

    #[test]
    fn threads_are_for_analysis_runs() {
        let plan: RunRequest =
            serde_json::from_str(r#"{"kind": "plan", "options": {"threads": 2}}"#).expect("parses");
        assert!(matches!(plan.check(BASE), Err(RunError::BadOption(m)) if m.contains("threads")));
        let zero: RunRequest = serde_json::from_str(
            r#"{"kind": "simulate", "samples": 2, "options": {"threads": 0}}"#,
        )
        .expect("parses");
        assert!(matches!(zero.check(BASE), Err(RunError::BadOption(m)) if m.contains("threads")));
        let two: RunRequest = serde_json::from_str(
            r#"{"kind": "simulate", "samples": 3, "options": {"threads": 2}}"#,
        )
        .expect("parses");
        two.check(BASE).expect("valid");
        let done = AtomicU64::new(0);
        let result = execute(&two, BASE, &done).expect("simulates on two threads");
        let value: serde_json::Value = serde_json::from_str(&result).expect("json");
        assert_eq!(value["runs"], 3);
        assert_eq!(done.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn a_plan_run_gives_a_plan_document() {
        let request: RunRequest = serde_json::from_str(r#"{"kind": "plan"}"#).expect("parses");
        let done = AtomicU64::new(0);
        let document = execute(&request, BASE, &done).expect("plans");
        let value: serde_json::Value = serde_json::from_str(&document).expect("json");
        assert_eq!(value["format"], "caisson-plan/1");
        assert_eq!(done.load(Ordering::Relaxed), 1);
    }
}
