//! The re-solve driver that `compare`, `simulate` and `risk` share: many
//! cases of one base scenario, solved on one built model where a case
//! allows it.
//!
//! A [`Driver`] builds the planner's `Resolver` for the base (unless the
//! mode is [`Resolve::Cold`]); each worker thread loads that model into its
//! own HiGHS instance (a planner `Worker`) once and re-solves it per case
//! with the case's bounds, costs and expansion coefficients. A case whose
//! model has another structure (`simulate`: a sample with a route delay;
//! `compare`: a variant adding or removing entities) is planned from
//! scratch, and its [`How`] says so ([`Fallback::Structure`]); so is every
//! case under [`Resolve::Cold`].
//!
//! A command keeps only what is its own: how it makes a case (a
//! [`Job`]: the case's scenario, how its model differs from the base's, and
//! what the command keeps to summarise it) and how it summarises a solved
//! case. The driver chooses each solve's start, runs the cases on the
//! worker threads and counts where the time went ([`ResolveTiming`]).
//!
//! Determinism: a case's result depends only on the case, the base and the
//! settings, never on the thread that solves it or on what that thread
//! solved before (a planner `Worker` re-sets every bound and forgets its
//! previous solution), so the results are the same at any thread count.

use std::borrow::Borrow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

use caisson_model::{FacilityId, Scenario};
use caisson_plan::{Plan, PlanStatus};
use caisson_planner::{
    Bounds, PlanOptions, ResolveError, Resolved, Resolver, Start, WarmBasis, Worker,
};

pub use crate::timing::ResolveTiming;
use crate::whatif;

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
    /// `simulate` and `compare` pass the greedy start a cold solve gets
    /// ([`Guess`]).
    Reuse,
    /// Like [`Resolve::Reuse`], and each MIP re-solve starts from the base
    /// scenario's solution: in `risk` adapted to the edit (lost flows left
    /// as stock and backlog); in `simulate` and `compare` as it is, and
    /// when it does not fit the scenario, HiGHS keeps its expansion
    /// decisions and completes them with one LP solve.
    #[default]
    WarmStart,
    /// Like [`Resolve::WarmStart`], and each case of a MIP first solves two
    /// LPs from the base's optimal simplex bases: its LP relaxation and its
    /// LP with the integer decisions fixed at the base's. When their
    /// objectives are within the MIP gap, the fixed LP's solution is the
    /// case's plan, proven as a MIP run stopped at that gap would prove it,
    /// without the MIP run; otherwise the MIP runs, started from that
    /// solution (the planner's `Start::Warm`, `docs/performance.md`).
    /// Solving the base's two LPs from scratch is paid once per run.
    WarmBasis,
}

/// What the cases of one command change against the base scenario, hence
/// which model the driver builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Changes {
    /// Quantities, costs and policies of a model with the base's structure
    /// (`compare`'s variants, `simulate`'s samples): the planner's
    /// `Resolver::for_edits`, whose model keeps every capacity row and
    /// contract row whatever the quantities; cases are [`Change::Edited`].
    Quantities,
    /// Flows closed or opened and facilities removed (`risk`'s edits): the
    /// planner's `Resolver::new`; cases are [`Change::Policies`] or
    /// [`Change::WithoutFacility`].
    Flows,
}

/// What a MIP re-solve starts from when it does not start from the base's
/// solution (every re-solve under [`Resolve::Reuse`], the base's own solve
/// under [`Resolve::WarmStart`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guess {
    /// The case's greedy plan, as a cold `caisson plan` starts from it
    /// (when the solver options ask for a greedy start): `compare`,
    /// `simulate`.
    Greedy,
    /// No start: `risk`, as measured in `docs/performance.md`.
    Nothing,
}

/// What a command asks of the [`Driver`].
#[derive(Debug, Clone)]
pub struct Settings {
    /// How the cases are solved.
    pub mode: Resolve,
    /// Solver options of every solve; the driver sets the threads to
    /// [`Settings::solve_threads`] and computes no capacity shadow prices.
    pub options: PlanOptions,
    /// Threads of each solve (HiGHS's, and an expansion's two branches side
    /// by side): 1 when solves run side by side, as every analysis runs
    /// them; 2 when one solve runs at a time on the machine
    /// ([`replan`](crate::replan::replan)).
    pub solve_threads: u32,
    /// What the cases change, hence which model is built.
    pub changes: Changes,
    /// What a re-solve starts from when not from the base's solution.
    pub guess: Guess,
}

/// How one case's model differs from the base's: which of the planner's
/// `Case`s its bounds come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Other quantities, costs or policies on the base's structure (the
    /// planner's `Case::Edited`; with [`Changes::Quantities`]). Anything
    /// else falls back to a cold plan.
    Edited,
    /// Other policies and fewer contracts (the planner's `Case::Variant`;
    /// with [`Changes::Flows`]): an exporter lost, a policy lifted.
    Policies,
    /// The base without this facility (the planner's
    /// `Case::WithoutFacility`; with [`Changes::Flows`]). The case's
    /// scenario is the base without it (`whatif::without_facility`); the
    /// solution is mapped onto it.
    WithoutFacility(FacilityId),
}

/// One case as a command makes it.
#[derive(Debug, Clone)]
pub enum Job<S, K, T> {
    /// Plan `scenario`, whose model differs from the base's as `change`
    /// says; `keep` is what the command keeps to summarise the result.
    Solve {
        /// The case's scenario (owned or borrowed).
        scenario: S,
        /// How its model differs from the base's.
        change: Change,
        /// What the command keeps for its summary.
        keep: K,
    },
    /// Nothing to solve: the case's result is known without a solve (in
    /// `risk`, an edit after which the base's plan stays optimal).
    Done(T),
}

/// Why a case was planned from scratch although the mode reuses the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fallback {
    /// The case is not a change of the reused model's bounds, costs and
    /// coefficients (another structure, a new contract, ...): the planner
    /// said why.
    Structure(ResolveError),
    /// HiGHS refused the reused model, or failed on it for this case.
    Solver,
}

/// How one case was solved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum How {
    /// From scratch, as [`Resolve::Cold`] asks.
    Cold,
    /// On the reused model; whether HiGHS got a start.
    Reused {
        /// Whether a start solution was passed to HiGHS.
        started: bool,
        /// Whether the warm LPs proved the plan without a MIP run
        /// ([`Resolve::WarmBasis`]).
        warm: bool,
    },
    /// From scratch although the mode reuses the model.
    Fallback(Fallback),
}

/// One solved case.
#[derive(Debug, Clone)]
pub struct Solved {
    /// The case's plan, in the case's own scenario's indices.
    pub plan: Plan,
    /// How it was solved.
    pub how: How,
    /// Seconds its solve took (bounds, start and a cold fallback included).
    pub seconds: f64,
}

impl ResolveTiming {
    /// Counts one solve.
    fn count(&mut self, how: &How) {
        self.solves += 1;
        match how {
            How::Cold => {}
            How::Reused { started, warm } => {
                self.reused += 1;
                self.started += usize::from(*started);
                self.warm += usize::from(*warm);
            }
            How::Fallback(_) => self.fallbacks += 1,
        }
    }
}

/// Plans `scenario` from scratch as one of many parallel solves: HiGHS on
/// one thread (its own threads would only compete with the other solves;
/// HiGHS keeps one thread pool per OS thread, sized by its first run there,
/// so callers that also plan directly on the same thread should use one
/// thread too), and no capacity shadow prices
/// (analyses compare outcomes, and the extra LP would double the time).
pub(crate) fn solve_one_thread(scenario: &Scenario, options: &PlanOptions) -> Plan {
    caisson_planner::plan(scenario, &single_threaded(options))
}

/// `options` as [`solve_one_thread`] uses them.
fn single_threaded(options: &PlanOptions) -> PlanOptions {
    with_threads(options, 1)
}

/// `options` as every worker uses them: `threads` threads per solve, no
/// capacity shadow prices.
fn with_threads(options: &PlanOptions, threads: u32) -> PlanOptions {
    PlanOptions {
        threads: Some(threads.max(1)),
        capacity_duals: false,
        ..options.clone()
    }
}

/// The base's own solve on a worker, shared by every case that starts
/// from it.
#[derive(Debug)]
struct BaseSolve {
    /// Its result (`Err` when it fell back: it then starts nothing).
    resolved: Result<Resolved, Fallback>,
    /// Its LPs' optimal bases, under [`Resolve::WarmBasis`].
    warm: Option<WarmBasis>,
    seconds: f64,
}

impl BaseSolve {
    /// The solution to start cases from, if the base has one.
    fn solution(&self) -> Option<&Resolved> {
        self.resolved
            .as_ref()
            .ok()
            .filter(|r| r.status.has_solution())
    }
}

/// `case`'s bounds solved by `solve`; `Err` when the case is no change of
/// the model's bounds or HiGHS failed (a failure on the reused instance is
/// retried from scratch).
fn solve_bounds(
    resolver: &Resolver<'_>,
    case: caisson_planner::Case<'_>,
    solve: impl FnOnce(&Bounds) -> Resolved,
) -> Result<Resolved, Fallback> {
    let bounds = resolver.bounds(case).map_err(Fallback::Structure)?;
    let resolved = solve(&bounds);
    if resolved.status == PlanStatus::Error {
        return Err(Fallback::Solver);
    }
    Ok(resolved)
}

/// The model of one base scenario, built once for all its cases; see the
/// module documentation. [`Driver::start`] begins a run.
#[derive(Debug)]
pub struct Driver<'s> {
    base: &'s Scenario,
    mode: Resolve,
    guess: Guess,
    /// The settings' options, on one HiGHS thread.
    options: PlanOptions,
    /// `None` under [`Resolve::Cold`].
    resolver: Option<Resolver<'s>>,
    started: Instant,
    build_seconds: f64,
}

impl<'s> Driver<'s> {
    /// Builds the model of `base` that the settings ask for (none for
    /// [`Resolve::Cold`]).
    pub fn new(base: &'s Scenario, settings: &Settings) -> Self {
        let started = Instant::now();
        let resolver = match (settings.mode, settings.changes) {
            (Resolve::Cold, _) => None,
            (_, Changes::Quantities) => Some(Resolver::for_edits(base)),
            (_, Changes::Flows) => Some(Resolver::new(base)),
        };
        Self {
            base,
            mode: settings.mode,
            guess: settings.guess,
            options: with_threads(&settings.options, settings.solve_threads),
            resolver,
            started,
            build_seconds: started.elapsed().as_secs_f64(),
        }
    }

    /// Begins a run: loads the model into the calling thread's worker.
    /// `progress` is called once per finished case (and for the base, when
    /// [`Run::solve_base`] solves it), from any thread.
    pub fn start<'d>(&'d self, progress: &'d (dyn Fn() + Sync)) -> Run<'d, 's> {
        Run {
            driver: self,
            first: self
                .resolver
                .as_ref()
                .and_then(|r| r.worker(&self.options).ok()),
            base: OnceLock::new(),
            progress,
            base_is_result: false,
            timing: ResolveTiming {
                build_seconds: self.build_seconds,
                ..ResolveTiming::default()
            },
        }
    }

    /// [`Run::solve_cases`] of a new run: for commands that need nothing
    /// of the base before their cases.
    pub fn solve_cases<S, K, T, E>(
        &self,
        count: usize,
        make: &(dyn Fn(usize) -> Result<Job<S, K, T>, E> + Sync),
        finish: &(dyn Fn(usize, S, K, Solved) -> T + Sync),
        progress: &(dyn Fn() + Sync),
    ) -> Result<(Vec<T>, ResolveTiming), E>
    where
        S: Borrow<Scenario>,
        T: Send,
        E: Send,
    {
        self.start(progress).solve_cases(count, make, finish)
    }

    /// `scenario` planned from scratch.
    fn cold(&self, scenario: &Scenario, how: How, started: Instant) -> Solved {
        Solved {
            plan: caisson_planner::plan(scenario, &self.options),
            how,
            seconds: started.elapsed().as_secs_f64(),
        }
    }

    /// What a re-solve of `scenario` starts from without the base's
    /// solution.
    fn guess<'a>(&self, scenario: &'a Scenario) -> Start<'a> {
        match self.guess {
            Guess::Greedy if self.options.greedy_start => Start::Greedy(scenario),
            Guess::Greedy | Guess::Nothing => Start::None,
        }
    }

    /// Solves `case` on `worker` from `start`; `Err` when the case is no
    /// change of the model's bounds or HiGHS failed.
    fn resolve_on(
        &self,
        resolver: &Resolver<'s>,
        worker: &mut Worker<'_, 's>,
        case: caisson_planner::Case<'_>,
        start: Start<'_>,
    ) -> Result<Resolved, Fallback> {
        solve_bounds(resolver, case, |bounds| worker.solve_with(bounds, start))
    }

    /// The base solved on `worker`, as a result or as the cases' start.
    fn solve_base_on(&self, resolver: &Resolver<'s>, worker: &mut Worker<'_, 's>) -> BaseSolve {
        let started = Instant::now();
        let case = caisson_planner::Case::Base;
        let start = self.guess(self.base);
        let mut warm = None;
        let resolved = match self.mode {
            // The relaxation that proves the base is the cases' start.
            Resolve::WarmBasis => solve_bounds(resolver, case, |bounds| {
                let (resolved, basis) = worker.solve_base_warm(bounds, start);
                warm = basis;
                resolved
            }),
            _ => self.resolve_on(resolver, worker, case, start),
        };
        BaseSolve {
            resolved,
            warm,
            seconds: started.elapsed().as_secs_f64(),
        }
    }

    /// Plans one case: on `worker` when the mode reuses the model and the
    /// case is a change of its bounds, else from scratch.
    fn solve_case(
        &self,
        scenario: &Scenario,
        change: Change,
        worker: Option<&mut Worker<'_, 's>>,
        base: &OnceLock<BaseSolve>,
    ) -> Solved {
        let started = Instant::now();
        let Some(resolver) = &self.resolver else {
            return self.cold(scenario, How::Cold, started);
        };
        let Some(worker) = worker else {
            return self.cold(scenario, How::Fallback(Fallback::Solver), started);
        };
        let mut start = None;
        if matches!(self.mode, Resolve::WarmStart | Resolve::WarmBasis) {
            // The first case that needs the base's solution solves the base
            // on its worker; the others wait for it. Which worker solves it
            // does not change the result.
            let base = base.get_or_init(|| self.solve_base_on(resolver, worker));
            if let Some(solution) = base.solution() {
                if std::ptr::eq(scenario, self.base) {
                    // The base is one of the cases (`compare`): its solve
                    // is the base's, and its plan what a plan on its own
                    // gives (with capacity shadow prices, when its LPs
                    // proved it).
                    return Solved {
                        plan: resolver.own_plan(solution, scenario),
                        how: How::Reused {
                            started: solution.started,
                            warm: false,
                        },
                        seconds: base.seconds,
                    };
                }
                start = Some(match &base.warm {
                    Some(warm) => Start::Warm(warm),
                    None => Start::Baseline(solution),
                });
            }
        }
        let start = start.unwrap_or_else(|| self.guess(scenario));
        let case = match change {
            Change::Edited => caisson_planner::Case::Edited(scenario),
            Change::Policies => caisson_planner::Case::Variant(scenario),
            Change::WithoutFacility(f) => caisson_planner::Case::WithoutFacility(f),
        };
        match self.resolve_on(resolver, worker, case, start) {
            Ok(resolved) => {
                let plan = match change {
                    Change::WithoutFacility(f) => {
                        let flows = whatif::flows_without_facility(self.base, f, &resolved.flows);
                        resolved.plan(scenario, &flows)
                    }
                    Change::Edited | Change::Policies => resolved.plan(scenario, &resolved.flows),
                };
                Solved {
                    plan,
                    how: How::Reused {
                        started: resolved.started,
                        warm: resolved.warm,
                    },
                    seconds: started.elapsed().as_secs_f64(),
                }
            }
            Err(why) => self.cold(scenario, How::Fallback(why), started),
        }
    }
}

/// One run of a [`Driver`]: the calling thread's worker, the base's solve
/// once made, and the counts so far.
pub struct Run<'d, 's> {
    driver: &'d Driver<'s>,
    /// The calling thread's worker (`None` under [`Resolve::Cold`] or when
    /// HiGHS refused the model).
    first: Option<Worker<'d, 's>>,
    /// The base's solve on a worker, made at most once.
    base: OnceLock<BaseSolve>,
    progress: &'d (dyn Fn() + Sync),
    /// Whether [`Run::solve_base`] solved the base (its time is then
    /// counted already).
    base_is_result: bool,
    timing: ResolveTiming,
}

impl std::fmt::Debug for Run<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Run")
            .field("driver", &self.driver)
            .field("base", &self.base)
            .field("timing", &self.timing)
            .finish_non_exhaustive()
    }
}

impl Run<'_, '_> {
    /// Plans the base now, for a command that needs its plan before it
    /// makes its cases (`risk`): on the calling thread's worker from the
    /// [`Guess`] (from scratch under [`Resolve::Cold`], or when the worker
    /// fails). Under [`Resolve::WarmStart`] its solution then starts every
    /// case.
    pub fn solve_base(&mut self) -> Solved {
        let driver = self.driver;
        let started = Instant::now();
        let solved = match (&driver.resolver, self.first.as_mut()) {
            (None, _) => driver.cold(driver.base, How::Cold, started),
            (Some(_), None) => driver.cold(driver.base, How::Fallback(Fallback::Solver), started),
            (Some(resolver), Some(worker)) => {
                let base = self
                    .base
                    .get_or_init(|| driver.solve_base_on(resolver, worker));
                match &base.resolved {
                    Ok(resolved) => Solved {
                        plan: resolver.own_plan(resolved, driver.base),
                        how: How::Reused {
                            started: resolved.started,
                            warm: false,
                        },
                        seconds: base.seconds,
                    },
                    Err(why) => driver.cold(driver.base, How::Fallback(why.clone()), started),
                }
            }
        };
        self.base_is_result = true;
        self.timing.baseline_seconds = started.elapsed().as_secs_f64();
        self.timing.count(&solved.how);
        (self.progress)();
        solved
    }

    /// Makes and plans `count` cases on up to `rayon::current_num_threads()`
    /// threads, each with a worker of its own: `make(i)` makes case `i`,
    /// the driver plans it, and `finish(i, scenario, keep, solved)` turns
    /// it into the command's result (on the thread that solved it).
    /// Results come back in case order; the first case `make` refused (in
    /// case order) is the error.
    pub fn solve_cases<S, K, T, E>(
        self,
        count: usize,
        make: &(dyn Fn(usize) -> Result<Job<S, K, T>, E> + Sync),
        finish: &(dyn Fn(usize, S, K, Solved) -> T + Sync),
    ) -> Result<(Vec<T>, ResolveTiming), E>
    where
        S: Borrow<Scenario>,
        T: Send,
        E: Send,
    {
        let Run {
            driver,
            first,
            base,
            progress,
            base_is_result,
            mut timing,
        } = self;
        let results = on_workers(
            count,
            driver.resolver.as_ref(),
            &driver.options,
            first,
            &|i, worker| {
                let done = match make(i)? {
                    Job::Done(result) => (result, None),
                    Job::Solve {
                        scenario,
                        change,
                        keep,
                    } => {
                        let solved = driver.solve_case(scenario.borrow(), change, worker, &base);
                        let how = solved.how.clone();
                        (finish(i, scenario, keep, solved), Some(how))
                    }
                };
                progress();
                Ok(done)
            },
        );
        let results = results.into_iter().collect::<Result<Vec<_>, E>>()?;
        for (_, how) in &results {
            match how {
                Some(how) => timing.count(how),
                None => timing.skipped += 1,
            }
        }
        if let (Some(solve), false) = (base.get(), base_is_result) {
            timing.baseline_seconds = solve.seconds;
        }
        timing.total_seconds = driver.started.elapsed().as_secs_f64();
        Ok((results.into_iter().map(|(r, _)| r).collect(), timing))
    }
}

/// Runs `job(i, worker)` for every `i` in `0..count` on up to
/// `rayon::current_num_threads()` threads, each with a worker of its own
/// (`None` without a resolver or when HiGHS refused the model); the calling
/// thread uses `first`. Jobs are handed out in index order as threads
/// become free; the results come back in index order.
fn on_workers<'r, 's, T: Send>(
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
