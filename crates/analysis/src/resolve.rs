//! Re-solving one built model for many scenarios (`risk`, `simulate`,
//! `compare`): the modes, the per-thread workers and the cold fallback.
//!
//! A [`Resolver`] holds one model of a base scenario; each thread loads it
//! into its own HiGHS instance (a [`Worker`]) once and re-solves it per
//! scenario with that scenario's bounds, costs and expansion coefficients
//! (`caisson_planner::Case`). A scenario whose model has another structure
//! (`simulate`: a sample with a route delay; `compare`: a variant adding or
//! removing entities) is planned from scratch, as [`Resolve::Cold`] plans
//! every scenario.

use std::sync::atomic::{AtomicUsize, Ordering};

use caisson_model::Scenario;
use caisson_plan::{Plan, PlanStatus};
use caisson_planner::{Case, PlanOptions, Resolved, Resolver, Start, Worker};

use crate::solve_one_thread;

/// How an analysis solves its many scenarios. Every way gives the same
/// optima (within the MIP gap); they differ in time only (see
/// `docs/performance.md`, "Re-solves: reuse and warm start").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Resolve {
    /// Build, load and solve each scenario from scratch (`caisson plan`'s
    /// way, with its greedy start).
    Cold,
    /// Build one model, load it once per worker thread, and re-solve it
    /// with each scenario's bounds (and, in `simulate` and `compare`,
    /// costs and expansion coefficients). `risk` passes no start;
    /// `simulate` and `compare` pass the greedy start a cold solve gets.
    Reuse,
    /// Like [`Resolve::Reuse`], and each MIP re-solve starts from the base
    /// scenario's solution: in `risk` adapted to the edit (lost flows left
    /// as stock and backlog); in `simulate` and `compare` as it is, and
    /// when it does not fit the scenario, HiGHS keeps its expansion
    /// decisions and completes them with one LP solve.
    #[default]
    WarmStart,
}

/// Where the solves of one `simulate` or `compare` run went. Not
/// serialised: timings differ from run to run, and reports should not.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResolveTiming {
    /// The whole run, wall clock.
    pub total_seconds: f64,
    /// Building the reused model (0 for [`Resolve::Cold`]).
    pub build_seconds: f64,
    /// Solving the base scenario for its solution as a start (only with
    /// [`Resolve::WarmStart`] in `simulate`, where it is not a result).
    pub baseline_seconds: f64,
    /// Scenarios solved.
    pub solves: usize,
    /// Scenarios re-solved on a reused model.
    pub reused: usize,
    /// Re-solves that HiGHS got a start for.
    pub started: usize,
    /// Scenarios solved from scratch although the mode reuses the model
    /// (another structure, or HiGHS failed on the reused model).
    pub fallbacks: usize,
}

/// How one scenario was solved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum How {
    /// From scratch, as the mode asks.
    Cold,
    /// On the reused model; whether HiGHS got a start.
    Reused { started: bool },
    /// From scratch although the mode reuses the model.
    Fallback,
}

impl ResolveTiming {
    /// Counts the solves of `hows`.
    pub(crate) fn count(&mut self, hows: impl IntoIterator<Item = How>) {
        for how in hows {
            self.solves += 1;
            match how {
                How::Cold => {}
                How::Reused { started } => {
                    self.reused += 1;
                    self.started += usize::from(started);
                }
                How::Fallback => self.fallbacks += 1,
            }
        }
    }
}

/// The plan of `scenario`: re-solved on `worker` when its model has the
/// structure of `resolver`'s base (starting from `baseline` when given,
/// else from the greedy plan when `options` asks for it), else planned from
/// scratch with `options`.
pub(crate) fn plan_case(
    scenario: &Scenario,
    resolver: Option<&Resolver<'_>>,
    worker: Option<&mut Worker<'_, '_>>,
    baseline: Option<&Resolved>,
    options: &PlanOptions,
) -> (Plan, How) {
    let (Some(resolver), Some(worker)) = (resolver, worker) else {
        return (solve_one_thread(scenario, options), How::Cold);
    };
    if let Ok(bounds) = resolver.bounds(Case::Edited(scenario)) {
        let start = match baseline {
            Some(baseline) => Start::Baseline(baseline),
            None if options.greedy_start => Start::Greedy(scenario),
            None => Start::None,
        };
        let resolved = worker.solve_with(&bounds, start);
        // A HiGHS failure on the reused instance is retried from scratch.
        if resolved.status != PlanStatus::Error {
            let plan = resolved.plan(scenario, &resolved.flows);
            let how = How::Reused {
                started: resolved.started,
            };
            return (plan, how);
        }
    }
    (solve_one_thread(scenario, options), How::Fallback)
}

/// Runs `job(i, worker)` for every `i` in `0..count` on up to
/// `rayon::current_num_threads()` threads, each with a worker of its own
/// (`None` without a resolver or when HiGHS refused the model); the calling
/// thread uses `first`. Jobs are handed out in index order as threads
/// become free; the results come back in index order.
pub(crate) fn on_workers<'r, 's, T: Send>(
    count: usize,
    resolver: Option<&'r Resolver<'s>>,
    options: &PlanOptions,
    first: Option<Worker<'r, 's>>,
    job: &(dyn Fn(usize, Option<&mut Worker<'r, 's>>) -> T + Sync),
) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let threads = rayon::current_num_threads().clamp(1, count.max(1));
    let run = |worker: Option<Worker<'r, 's>>| {
        let mut worker = worker;
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= count {
                return done;
            }
            done.push((i, job(i, worker.as_mut())));
        }
    };
    let mut results: Vec<(usize, T)> = std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads)
            .map(|_| {
                scope.spawn(|| {
                    // HiGHS instances cannot move between threads: each
                    // thread loads its own copy of the model.
                    run(resolver.and_then(|r| r.worker(options).ok()))
                })
            })
            .collect();
        let mut results = run(first);
        for handle in others {
            match handle.join() {
                Ok(more) => results.extend(more),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        results
    });
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// `options` for one of many parallel solves: one HiGHS thread, no
/// capacity shadow prices (as `solve_one_thread` uses them).
pub(crate) fn one_thread(options: &PlanOptions) -> PlanOptions {
    PlanOptions {
        threads: Some(1),
        capacity_duals: false,
        ..options.clone()
    }
}
