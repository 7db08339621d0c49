//! The L-shaped (Benders) decomposition of the two-stage program of
//! [`crate::twostage`], for samples too many or too large for the
//! extensive form.
//!
//! The extensive form's optimum is `min_x F(x) + sum_s Q_s(x) / S (+ the
//! CVaR term)` over the first stage `x` (rates and expansions), where
//! `Q_s(x)` is sample `s`'s block cost with the first stage fixed at `x`: a
//! linear program's value, convex and piecewise linear in `x`. Each
//! sample's *subproblem* is exactly the one-sample extensive form of
//! [`crate::twostage::build`] with the first-stage columns fixed (lower =
//! upper = `x`), kept loaded in HiGHS for the whole run: moving to a new
//! `x` changes only those bounds, and the next solve starts from the last
//! basis (a warm start, typically a few hundred simplex iterations instead
//! of a cold solve).
//!
//! **Cuts.** The reduced cost `d_j` of a fixed first-stage column is the
//! derivative of the subproblem's value with respect to that column's
//! value (with any optimal dual at a kink: a subgradient), so, with `c_j`
//! the column's first-stage cost, `g_j = d_j - c_j` is a subgradient of
//! `Q_s` and by LP duality `Q_s(x') >= Q_s(x) + g . (x' - x)` for every
//! `x'`. One cut per sample and iteration (multi-cut L-shaped).
//!
//! **Master.** `min F(x) + sum_s theta_s / S (+ lambda (eta + sum_s u_s /
//! ((1 - alpha) S))` with `u_s >= F(x) + theta_s - eta`, `u_s >= 0`) over
//! the first stage's own rows (one expansion decision each, the budget)
//! and the cuts; `theta_s >= 0` (every cost of the model is >= 0). Its
//! optimum is a lower bound of the program's optimum; every evaluated `x`
//! whose expansions are integral gives an upper bound (its exact cost on
//! the samples). The loop stops when they are within the relative
//! tolerance. While integer expansions exist, the master is first solved
//! as an LP (cheap, many cuts), then as a MIP with every cut kept: the
//! cuts are valid for both because they bound `Q_s`, which does not care
//! whether `x` is integral.
//!
//! **Determinism.** Each sample's model sees the same sequence of first
//! stages whatever thread solves it (samples are dealt to threads by index,
//! each HiGHS instance runs on one thread), and the results are gathered in
//! sample order: the answer does not depend on the thread count.
//!
//! HiGHS instances cannot move between threads (`highs::Model` is not
//! `Send`), so each worker thread builds and keeps its own samples' models
//! and receives the first stages to evaluate over a channel.

use std::sync::mpsc;
use std::sync::Arc;
use std::time::Instant;

use caisson_model::{ExpansionId, Scenario};
use caisson_plan::{ExpansionFlow, Plan, PlanStatus, SolutionInfo};
use highs::{Col, HighsModelStatus, Model, RowProblem, Sense};

use crate::ffi;
use crate::options::PlanOptions;
use crate::solve::apply_options;
use crate::twostage::{
    build, cvar_weights, expansion_columns, fixed_fraction, Built, Decisions, FirstStage, Risk,
    TwoStageRequest, TwoStageSolution, TwoStageStats,
};

/// How the decomposition runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decomposition {
    /// Stop when the best evaluated first stage's cost is within this
    /// relative distance of the master's lower bound.
    pub tolerance: f64,
    /// Iterations at most (each: every sample's subproblem, then the
    /// master).
    pub max_iterations: usize,
    /// Worker threads solving subproblems (each HiGHS instance on one
    /// thread).
    pub threads: usize,
}

impl Default for Decomposition {
    fn default() -> Self {
        Decomposition {
            tolerance: 1e-4,
            max_iterations: 500,
            threads: 1,
        }
    }
}

/// One iteration's figures (for progress reports).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Iteration {
    /// From 1.
    pub iteration: usize,
    /// The master's bound (a lower bound of the optimum; of the LP
    /// relaxation's while `relaxed`).
    pub lower: f64,
    /// The best evaluated first stage's cost (`inf` before one with
    /// integral expansions).
    pub upper: f64,
    /// Whether the master still relaxes the expansions' integrality.
    pub relaxed: bool,
    /// Cuts in the master.
    pub cuts: usize,
    /// Seconds since the start.
    pub seconds: f64,
}

/// What the samples' subproblems share: the samples, the first stage and
/// its layout.
struct Shared {
    samples: Vec<Scenario>,
    first: FirstStage,
    layout: Layout,
}

/// Every sample's subproblem (the one-sample extensive form with the first
/// stage fixed), loaded in HiGHS on worker threads and kept between
/// solves: the decomposition's, and any evaluation of a first stage on the
/// same samples afterwards, each warm from the last. Dropping it stops the
/// workers.
pub struct Subproblems {
    shared: Arc<Shared>,
    outboxes: Vec<mpsc::Sender<Job>>,
    inbox: mpsc::Receiver<(usize, Result<SubOutcome, String>)>,
    workers: Vec<std::thread::JoinHandle<()>>,
    /// Size and load time of all subproblems, from their first answers.
    loaded: Option<Loaded>,
    started: Instant,
}

/// What loading the subproblems made and took.
#[derive(Debug, Clone, Copy)]
struct Loaded {
    rows: usize,
    columns: usize,
    /// Seconds from [`Subproblems::new`] to the first answers, minus the
    /// longest first solve (loading overlaps the first solves).
    seconds: f64,
}

/// A sample's second stage at a given first stage.
#[derive(Debug, Clone)]
pub struct SampleOutcome {
    /// `Q_s`: the block's cost (the model's objective without capex, plus
    /// spot purchases).
    pub cost: f64,
    /// The sample's plan with the first stage signed.
    pub plan: Plan,
}

impl Subproblems {
    /// Loads every sample's subproblem on `threads` worker threads (each
    /// HiGHS instance on one thread; samples dealt to threads by index).
    pub fn new(
        samples: Vec<Scenario>,
        first: FirstStage,
        options: &PlanOptions,
        threads: usize,
    ) -> Result<Subproblems, String> {
        first.check(&samples)?;
        let layout = Layout::of(&samples, &first);
        let count = samples.len();
        let shared = Arc::new(Shared {
            samples,
            first,
            layout,
        });
        let threads = threads.clamp(1, count.max(1));
        let sub_options = PlanOptions {
            threads: Some(1),
            time_limit: None,
            verbose: false,
            capacity_duals: false,
            ..options.clone()
        };
        let (results, inbox) = mpsc::channel::<(usize, Result<SubOutcome, String>)>();
        let mut outboxes = Vec::with_capacity(threads);
        let mut workers = Vec::with_capacity(threads);
        for worker in 0..threads {
            let (outbox, jobs) = mpsc::channel::<Job>();
            outboxes.push(outbox);
            let results = results.clone();
            let shared = Arc::clone(&shared);
            let sub_options = sub_options.clone();
            let handle = std::thread::Builder::new()
                .name(format!("caisson-subproblems-{worker}"))
                .spawn(move || {
                    let samples: Vec<usize> = (worker..count).step_by(threads).collect();
                    let mut subs: Vec<Result<Sub, String>> = samples
                        .iter()
                        .map(|&s| {
                            Sub::new(
                                &shared.samples[s],
                                &shared.first,
                                &shared.layout,
                                &sub_options,
                            )
                            .map_err(|message| format!("sample {s}: {message}"))
                        })
                        .collect();
                    for job in jobs {
                        for (&s, sub) in samples.iter().zip(subs.iter_mut()) {
                            let outcome = match sub {
                                Ok(sub) => sub.solve(&shared.first, &shared.layout, &job),
                                Err(message) => Err(message.clone()),
                            };
                            if results.send((s, outcome)).is_err() {
                                return;
                            }
                        }
                    }
                })
                .map_err(|e| format!("could not start a subproblem worker: {e}"))?;
            workers.push(handle);
        }
        Ok(Subproblems {
            shared,
            outboxes,
            inbox,
            workers,
            loaded: None,
            started: Instant::now(),
        })
    }

    /// The number of samples.
    pub fn len(&self) -> usize {
        self.shared.samples.len()
    }

    /// Whether there are no samples (never: [`Subproblems::new`] refuses).
    pub fn is_empty(&self) -> bool {
        self.shared.samples.is_empty()
    }

    /// `F`: the first-stage cost of `decisions` (as the subproblems see
    /// them: rates within their bounds, forbidden expansions at 0).
    pub fn first_stage_cost(&self, decisions: &Decisions) -> f64 {
        let layout = &self.shared.layout;
        layout.first_cost(&layout.point(decisions))
    }

    /// Every sample's second stage with the first stage fixed at
    /// `decisions`, in sample order.
    pub fn evaluate(&mut self, decisions: &Decisions) -> Result<Vec<SampleOutcome>, String> {
        let x = self.shared.layout.point(decisions);
        let outcomes = self.solve_at(x, true).map_err(|(_, message)| message)?;
        outcomes
            .into_iter()
            .map(|o| match o.plan {
                Some(plan) => Ok(SampleOutcome { cost: o.cost, plan }),
                None => Err("a subproblem returned no plan".to_owned()),
            })
            .collect()
    }

    /// Every sample's outcome at `x`, in sample order.
    fn solve_at(&mut self, x: Vec<f64>, plans: bool) -> Result<Vec<SubOutcome>, Failed> {
        let x = Arc::new(x);
        for outbox in &self.outboxes {
            let job = if plans {
                Job::Plan(Arc::clone(&x))
            } else {
                Job::Solve(Arc::clone(&x))
            };
            outbox
                .send(job)
                .map_err(|_| (PlanStatus::Error, "a subproblem worker stopped".to_owned()))?;
        }
        let count = self.len();
        let mut outcomes: Vec<Option<SubOutcome>> = (0..count).map(|_| None).collect();
        let mut failure = None;
        for _ in 0..count {
            let (s, outcome) = self
                .inbox
                .recv()
                .map_err(|_| (PlanStatus::Error, "a subproblem worker stopped".to_owned()))?;
            match outcome {
                Ok(outcome) => outcomes[s] = Some(outcome),
                Err(message) => {
                    failure.get_or_insert((s, message));
                }
            }
        }
        if let Some((s, message)) = failure {
            return Err((PlanStatus::Error, format!("sample {s}: {message}")));
        }
        let outcomes: Vec<SubOutcome> = outcomes.into_iter().flatten().collect();
        let started = self.started;
        self.loaded.get_or_insert_with(|| Loaded {
            rows: outcomes.iter().map(|o| o.size.0).sum(),
            columns: outcomes.iter().map(|o| o.size.1).sum(),
            seconds: (started.elapsed().as_secs_f64()
                - outcomes.iter().map(|o| o.seconds).fold(0.0, f64::max))
            .max(0.0),
        });
        Ok(outcomes)
    }

    /// The two-stage program on these samples with `risk`, by the L-shaped
    /// method, starting with the first stages in `starts` (evaluated first;
    /// good starts give tight early cuts), calling `progress` after every
    /// iteration.
    ///
    /// The solution has what [`crate::solve_two_stage`]'s has; its
    /// `rate_reduced_costs` are the derivative of the objective at the
    /// answer along each rate (from the subproblems' subgradients: at a
    /// kink, one of the one-sided derivatives), and `mip_gap` is the gap
    /// between the answer's cost and the master's bound.
    pub fn decompose(
        &mut self,
        risk: Risk,
        options: &PlanOptions,
        decomposition: &Decomposition,
        starts: &[Decisions],
        progress: &(dyn Fn(&Iteration) + Sync),
    ) -> TwoStageSolution {
        let started = Instant::now();
        let shared = Arc::clone(&self.shared);
        let request = TwoStageRequest {
            samples: &shared.samples,
            first: &shared.first,
            risk,
            fixed: None,
            reduced_costs: true,
        };
        let mut stats = TwoStageStats::default();
        let mut run = Run {
            request: &request,
            layout: &shared.layout,
            options,
            decomposition,
            subproblems: self,
            started,
        };
        let outcome = run.iterate(starts, progress);
        if let Some(loaded) = self.loaded {
            stats.rows = loaded.rows;
            stats.columns = loaded.columns;
            stats.build_seconds = loaded.seconds;
        }
        stats.solve_seconds = started.elapsed().as_secs_f64();
        match outcome {
            Ok(answer) => answer.into_solution(&request, &shared.layout, stats),
            Err((status, message)) => TwoStageSolution::failed(status, message, stats),
        }
    }
}

impl Drop for Subproblems {
    fn drop(&mut self) {
        // Closing the job channels ends every worker's loop.
        self.outboxes.clear();
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

/// Where each first-stage value sits in a flat vector: every candidate's
/// rate in every group (candidate-major), then every `(expansion, period)`
/// of [`expansion_columns`].
struct Layout {
    groups: usize,
    rates: usize,
    ys: Vec<(usize, usize)>,
    /// First-stage cost of one unit of each value.
    cost: Vec<f64>,
    /// Upper bound of each value (0 for an expansion not allowed).
    upper: Vec<f64>,
    /// Whether each value must be integral (in the integer master).
    integer: Vec<bool>,
}

impl Layout {
    fn of(samples: &[Scenario], first: &FirstStage) -> Layout {
        let base = &samples[0];
        let ys = expansion_columns(base);
        let rates = first.contracts.len() * first.groups;
        let mut cost = Vec::with_capacity(rates + ys.len());
        let mut upper = Vec::with_capacity(rates + ys.len());
        let mut integer = Vec::with_capacity(rates + ys.len());
        for c in 0..first.contracts.len() {
            for g in 0..first.groups {
                cost.push(first.cost[c][g]);
                upper.push(first.upper[c][g].max(0.0));
                integer.push(false);
            }
        }
        for &(e, _) in &ys {
            let expansion = &base.expansions[e];
            let allowed = first.expansion_allowed(e);
            cost.push(expansion.capex);
            upper.push(if allowed { 1.0 } else { 0.0 });
            integer.push(allowed && expansion.integer);
        }
        Layout {
            groups: first.groups,
            rates,
            ys,
            cost,
            upper,
            integer,
        }
    }

    fn len(&self) -> usize {
        self.cost.len()
    }

    fn point(&self, decisions: &Decisions) -> Vec<f64> {
        let mut x = Vec::with_capacity(self.len());
        for c in 0..self.rates / self.groups.max(1) {
            for g in 0..self.groups {
                let rate = decisions
                    .rates
                    .get(c)
                    .and_then(|r| r.get(g))
                    .copied()
                    .unwrap_or(0.0);
                x.push(rate.clamp(0.0, self.upper[x.len()]));
            }
        }
        for &(e, t) in &self.ys {
            x.push(fixed_fraction(decisions, e, t).min(self.upper[x.len()]));
        }
        x
    }

    fn decisions(&self, x: &[f64]) -> Decisions {
        let groups = self.groups.max(1);
        let rates = x[..self.rates]
            .chunks(groups)
            .map(|r| r.iter().map(|&v| caisson_plan::clean(v.max(0.0))).collect())
            .collect();
        let expansions = self
            .ys
            .iter()
            .zip(&x[self.rates..])
            .filter_map(|(&(e, t), &v)| {
                let fraction = caisson_plan::clean(v).clamp(0.0, 1.0);
                (fraction > 0.0).then(|| ExpansionFlow {
                    expansion: ExpansionId::new(e),
                    period: t,
                    fraction,
                })
            })
            .collect();
        Decisions { rates, expansions }
    }

    /// `F(x)`.
    fn first_cost(&self, x: &[f64]) -> f64 {
        self.cost.iter().zip(x).map(|(c, v)| c * v).sum()
    }

    /// Whether every integer value of `x` is integral (to HiGHS's
    /// feasibility tolerance); then `x` rounded is a feasible answer.
    fn integral(&self, x: &[f64]) -> bool {
        x.iter()
            .zip(&self.integer)
            .all(|(&v, &integer)| !integer || (v - v.round()).abs() <= 1e-6)
    }

    /// `x` with its integer values rounded.
    fn rounded(&self, x: &[f64]) -> Vec<f64> {
        x.iter()
            .zip(&self.integer)
            .map(|(&v, &integer)| if integer { v.round() } else { v })
            .collect()
    }
}

/// What a worker is asked for every one of its samples.
enum Job {
    /// The subproblem's value and subgradient at this first stage.
    Solve(Arc<Vec<f64>>),
    /// The same, and the sample's plan.
    Plan(Arc<Vec<f64>>),
}

/// A sample's answer at a first stage.
struct SubOutcome {
    /// `Q_s(x)`.
    cost: f64,
    /// A subgradient of `Q_s` at `x` (in [`Layout`] order).
    gradient: Vec<f64>,
    /// Seconds HiGHS took.
    seconds: f64,
    /// The sample's plan, when asked.
    plan: Option<Plan>,
    /// Rows and columns of the subproblem (for the statistics).
    size: (usize, usize),
}

/// One sample's subproblem, loaded in HiGHS.
struct Sub {
    built: Built,
    /// The model, between solves (`None` while HiGHS holds it).
    model: Option<Model>,
    /// The model's column of each first-stage value ([`Layout`] order).
    cols: Vec<usize>,
    size: (usize, usize),
}

impl Sub {
    fn new(
        sample: &Scenario,
        first: &FirstStage,
        layout: &Layout,
        options: &PlanOptions,
    ) -> Result<Sub, String> {
        let zero = Decisions {
            rates: Vec::new(),
            expansions: Vec::new(),
        };
        let one = TwoStageRequest {
            samples: std::slice::from_ref(sample),
            first,
            risk: Risk::NEUTRAL,
            fixed: Some(&zero),
            reduced_costs: false,
        };
        let mut built = build(&one);
        let problem = std::mem::take(&mut built.problem);
        let size = (problem.num_rows(), problem.num_cols());
        let mut model = problem
            .try_optimise(Sense::Minimise)
            .map_err(|status| format!("HiGHS rejected the model: {status:?}"))?;
        model.make_quiet();
        apply_options(&mut model, options, false)?;
        let mut cols: Vec<usize> = built.rate_cols.iter().flatten().copied().collect();
        cols.extend(built.y_cols.iter().map(|&(_, _, col)| col));
        if cols.len() != layout.len() {
            return Err("its first-stage columns do not match the base scenario's".into());
        }
        Ok(Sub {
            built,
            model: Some(model),
            cols,
            size,
        })
    }

    fn solve(
        &mut self,
        first: &FirstStage,
        layout: &Layout,
        job: &Job,
    ) -> Result<SubOutcome, String> {
        let (x, want_plan) = match job {
            Job::Solve(x) => (x, false),
            Job::Plan(x) => (x, true),
        };
        let mut model = self
            .model
            .take()
            .ok_or("a subproblem's model was lost after a failed solve")?;
        ffi::change_col_bounds(&mut model, &self.cols, x, x).map_err(|e| e.to_string())?;
        let solving = Instant::now();
        let solved = model
            .try_solve()
            .map_err(|status| format!("HiGHS failed to run a subproblem: {status:?}"))?;
        let seconds = solving.elapsed().as_secs_f64();
        if solved.status() != HighsModelStatus::Optimal {
            return Err(format!(
                "a sample's second stage was not solved to optimality ({:?}): the samples \
                 must be feasible for every first stage",
                solved.status()
            ));
        }
        let objective = solved.objective_value();
        let solution = solved.get_solution();
        let duals = solution.dual_columns();
        let gradient: Vec<f64> = self
            .cols
            .iter()
            .zip(&layout.cost)
            .map(|(&col, &cost)| duals[col] - cost)
            .collect();
        let cost = objective - layout.first_cost(x);
        let plan = want_plan.then(|| {
            let decisions = layout.decisions(x);
            let info = SolutionInfo {
                status: PlanStatus::Optimal,
                method: "highs-lp (two-stage, L-shaped)".to_owned(),
                mip_gap: 0.0,
            };
            self.built.blocks[0]
                .read(
                    first,
                    solution.columns(),
                    &decisions.rates,
                    &decisions.expansions,
                    &info,
                )
                .1
        });
        self.model = Some(solved.into());
        Ok(SubOutcome {
            cost,
            gradient,
            seconds,
            plan,
            size: self.size,
        })
    }
}

/// A cut `theta_s >= constant + sum_j coefficient_j x_j`.
struct Cut {
    sample: usize,
    constant: f64,
    coefficients: Vec<(usize, f64)>,
}

/// How the master's values relate to the program's: `theta_s = shift_s +
/// theta''_s / scale` (and the CVaR's `eta = mean shift + eta'' / scale`,
/// `u_s = u''_s / scale`), every cost multiplied by `scale`. The samples'
/// costs are large (shortage penalties add up to 1e12 and more) while what
/// the first stage moves is a small part of them; shifted by the costs at
/// the first point evaluated and scaled to moderate magnitudes, the master
/// stays within what HiGHS's tolerances (1e-7, absolute) can resolve.
#[derive(Debug, Clone)]
struct Scaling {
    shift: Vec<f64>,
    scale: f64,
}

impl Scaling {
    /// From the first point's outcomes and the first stage's costs: the
    /// scale is the power of two that brings the largest cost or
    /// subgradient entry to at most 1e4.
    fn of(outcomes: &[SubOutcome], layout: &Layout) -> Scaling {
        let largest = outcomes
            .iter()
            .flat_map(|o| o.gradient.iter())
            .chain(&layout.cost)
            .map(|v| v.abs())
            .fold(1.0, f64::max);
        let exponent = (largest / 1e4).log2().ceil().max(0.0);
        Scaling {
            shift: outcomes.iter().map(|o| o.cost).collect(),
            scale: 0.5_f64.powf(exponent),
        }
    }

    fn mean_shift(&self) -> f64 {
        self.shift.iter().sum::<f64>() / self.shift.len().max(1) as f64
    }
}

/// The master problem in HiGHS, with its columns.
struct Master {
    model: Option<Model>,
    x: Vec<Col>,
    theta: Vec<Col>,
    integer: bool,
    scaling: Scaling,
    /// Added to the scaled objective (divided by `scale`) to give the
    /// program's bound.
    constant: f64,
}

impl Master {
    fn new(
        request: &TwoStageRequest<'_>,
        layout: &Layout,
        integer: bool,
        options: &PlanOptions,
        tolerance: f64,
        scaling: &Scaling,
    ) -> Result<Master, String> {
        let count = request.samples.len();
        let risk = request.risk;
        let sigma = scaling.scale;
        let mut problem = RowProblem::default();
        let x: Vec<Col> = (0..layout.len())
            .map(|j| {
                problem.add_column_with_integrality(
                    sigma * layout.cost[j],
                    0.0..=layout.upper[j],
                    integer && layout.integer[j],
                )
            })
            .collect();
        // Every cost is >= 0, so `Q_s >= 0`; with bounded first-stage
        // values the cuts bound theta on their own, and the looser bound
        // keeps a huge number out of the model.
        let bounded = layout.upper.iter().all(|u| u.is_finite());
        let theta: Vec<Col> = scaling
            .shift
            .iter()
            .map(|&shift| {
                let lower = if bounded {
                    f64::NEG_INFINITY
                } else {
                    -sigma * shift
                };
                problem.add_column(1.0 / count as f64, lower..)
            })
            .collect();
        // One decision per expansion.
        let mut by_expansion: Vec<Vec<(Col, f64)>> =
            vec![Vec::new(); request.samples[0].expansions.len()];
        for (k, &(e, _)) in layout.ys.iter().enumerate() {
            by_expansion[e].push((x[layout.rates + k], 1.0));
        }
        for entries in by_expansion.iter().filter(|entries| !entries.is_empty()) {
            problem.add_row(..=1.0, entries);
        }
        let first_cost: Vec<(Col, f64)> = x
            .iter()
            .zip(&layout.cost)
            .filter(|(_, &c)| c != 0.0)
            .map(|(&col, &c)| (col, c))
            .collect();
        if let Some(budget) = request.first.budget {
            problem.add_row(..=budget, &first_cost);
        }
        let mean = scaling.mean_shift();
        let mut constant = mean;
        if risk.lambda > 0.0 {
            let eta = problem.add_column(risk.lambda, f64::NEG_INFINITY..=f64::INFINITY);
            constant += risk.lambda * mean;
            let tail = risk.lambda / ((1.0 - risk.alpha) * count as f64);
            for (&theta_s, &shift) in theta.iter().zip(&scaling.shift) {
                let u = problem.add_column(tail, 0.0..);
                // u_s >= F(x) + theta_s - eta, in scaled units.
                let mut row = vec![(u, 1.0), (eta, 1.0), (theta_s, -1.0)];
                row.extend(first_cost.iter().map(|&(col, c)| (col, -sigma * c)));
                problem.add_row(sigma * (shift - mean).., &row);
            }
        }
        let mut model = problem
            .try_optimise(Sense::Minimise)
            .map_err(|status| format!("HiGHS rejected the master problem: {status:?}"))?;
        model.make_quiet();
        let master_options = PlanOptions {
            time_limit: None,
            verbose: false,
            mip_gap: tolerance / 4.0,
            ..options.clone()
        };
        apply_options(&mut model, &master_options, integer)?;
        Ok(Master {
            model: Some(model),
            x,
            theta,
            integer,
            scaling: scaling.clone(),
            constant,
        })
    }

    fn add(&mut self, cut: &Cut) -> Result<(), String> {
        let sigma = self.scaling.scale;
        let model = self.model.as_mut().ok_or("the master problem was lost")?;
        let mut row: Vec<(Col, f64)> = vec![(self.theta[cut.sample], 1.0)];
        row.extend(
            cut.coefficients
                .iter()
                .map(|&(j, g)| (self.x[j], -sigma * g)),
        );
        let rhs = sigma * (cut.constant - self.scaling.shift[cut.sample]);
        model
            .try_add_row(rhs.., row)
            .map(|_| ())
            .map_err(|status| format!("HiGHS refused a cut: {status:?}"))
    }

    /// The master's answer and bound (of the program's objective).
    fn solve(&mut self) -> Result<(Vec<f64>, f64), String> {
        let mut model = self.model.take().ok_or("the master problem was lost")?;
        let mut solved = model
            .try_solve()
            .map_err(|status| format!("HiGHS failed to run the master: {status:?}"))?;
        if solved.status() != HighsModelStatus::Optimal {
            // A warm re-solve that lost its way: once more from scratch.
            model = solved.into();
            ffi::reset_solver(&mut model).map_err(|e| e.to_string())?;
            solved = model
                .try_solve()
                .map_err(|status| format!("HiGHS failed to run the master: {status:?}"))?;
        }
        if solved.status() != HighsModelStatus::Optimal {
            return Err(format!(
                "the master problem was not solved ({:?})",
                solved.status()
            ));
        }
        let scaled = if self.integer {
            solved
                .double_info_value(c"mip_dual_bound")
                .unwrap_or_else(|_| solved.objective_value())
        } else {
            solved.objective_value()
        };
        let bound = scaled / self.scaling.scale + self.constant;
        let values = solved.get_solution().columns().to_vec();
        let x = self.x.iter().map(|col| values[col.index()]).collect();
        self.model = Some(solved.into());
        Ok((x, bound))
    }
}

/// The loop's state on the main thread.
struct Run<'a, 'r> {
    request: &'a TwoStageRequest<'r>,
    layout: &'a Layout,
    options: &'a PlanOptions,
    decomposition: &'a Decomposition,
    subproblems: &'a mut Subproblems,
    started: Instant,
}

/// The best first stage found and what it costs.
struct Answer {
    x: Vec<f64>,
    outcomes: Vec<SubOutcome>,
    upper: f64,
    lower: f64,
    status: PlanStatus,
    iterations: usize,
}

type Failed = (PlanStatus, String);

impl Run<'_, '_> {
    /// The program's objective at `x` from its samples' outcomes.
    fn objective(&self, x: &[f64], outcomes: &[SubOutcome]) -> f64 {
        let f = self.layout.first_cost(x);
        let count = outcomes.len() as f64;
        let mean = outcomes.iter().map(|o| o.cost).sum::<f64>() / count;
        let risk = self.request.risk;
        let tail = if risk.lambda > 0.0 {
            let totals: Vec<f64> = outcomes.iter().map(|o| f + o.cost).collect();
            risk.lambda * crate::twostage::cvar(&totals, risk.alpha)
        } else {
            0.0
        };
        f + mean + tail
    }

    fn cuts(&self, x: &[f64], outcomes: &[SubOutcome]) -> Vec<Cut> {
        outcomes
            .iter()
            .enumerate()
            .map(|(sample, o)| {
                let coefficients: Vec<(usize, f64)> = o
                    .gradient
                    .iter()
                    .enumerate()
                    .filter(|(_, &g)| g.abs() > 1e-9)
                    .map(|(j, &g)| (j, g))
                    .collect();
                let constant = o.cost - coefficients.iter().map(|&(j, g)| g * x[j]).sum::<f64>();
                Cut {
                    sample,
                    constant,
                    coefficients,
                }
            })
            .collect()
    }

    fn iterate(
        &mut self,
        starts: &[Decisions],
        progress: &(dyn Fn(&Iteration) + Sync),
    ) -> Result<Answer, Failed> {
        let tolerance = self.decomposition.tolerance.max(1e-9);
        let has_integer = self.layout.integer.iter().any(|&i| i);
        let mut cuts: Vec<Cut> = Vec::new();
        let mut best: Option<(Vec<f64>, f64)> = None;
        let error = |message: String| (PlanStatus::Error, message);

        let zero = Decisions {
            rates: Vec::new(),
            expansions: Vec::new(),
        };
        let mut points: Vec<Vec<f64>> = vec![self.layout.point(&zero)];
        points.extend(starts.iter().map(|d| self.layout.point(d)));
        let mut scaling = None;
        for x in points {
            let outcomes = self.visit(x, &mut cuts, &mut best)?;
            scaling.get_or_insert_with(|| Scaling::of(&outcomes, self.layout));
        }
        let scaling = scaling.unwrap_or(Scaling {
            shift: vec![0.0; self.request.samples.len()],
            scale: 1.0,
        });

        let mut relaxed = has_integer;
        let mut master = self.master(!relaxed, tolerance, &scaling, &cuts)?;
        let mut lower = f64::NEG_INFINITY;
        let mut iteration = 0;
        let mut status = PlanStatus::Optimal;
        loop {
            iteration += 1;
            let (x, bound) = master.solve().map_err(error)?;
            lower = lower.max(bound);
            let before = cuts.len();
            let candidate = if relaxed { x } else { self.layout.rounded(&x) };
            let outcomes = self.visit(candidate.clone(), &mut cuts, &mut best)?;
            let objective = self.objective(&candidate, &outcomes);
            for cut in &cuts[before..] {
                master.add(cut).map_err(error)?;
            }
            let upper = best.as_ref().map_or(f64::INFINITY, |b| b.1);
            progress(&Iteration {
                iteration,
                lower,
                upper,
                relaxed,
                cuts: cuts.len(),
                seconds: self.started.elapsed().as_secs_f64(),
            });
            let within = |upper: f64| upper - lower <= tolerance * upper.abs().max(1.0);
            if relaxed {
                // The LP master has converged when its own answer's cost
                // meets its bound: go on with the integer master, every
                // cut kept.
                if within(objective) || iteration >= self.decomposition.max_iterations / 2 {
                    relaxed = false;
                    master = self.master(true, tolerance, &scaling, &cuts)?;
                }
            } else if within(upper) {
                break;
            }
            if iteration >= self.decomposition.max_iterations || self.out_of_time() {
                status = PlanStatus::Feasible;
                break;
            }
        }
        let Some((x, upper)) = best else {
            return Err((
                PlanStatus::TimeLimit,
                "no first stage with integral expansions was evaluated before the limit".into(),
            ));
        };
        let outcomes = self.subproblems.solve_at(x.clone(), true)?;
        Ok(Answer {
            x,
            outcomes,
            upper,
            lower,
            status,
            iterations: iteration,
        })
    }

    /// Evaluates `x`, adds its cuts, and keeps it if it is the best
    /// integral first stage so far. Returns the samples' outcomes.
    fn visit(
        &mut self,
        x: Vec<f64>,
        cuts: &mut Vec<Cut>,
        best: &mut Option<(Vec<f64>, f64)>,
    ) -> Result<Vec<SubOutcome>, Failed> {
        let outcomes = self.subproblems.solve_at(x.clone(), false)?;
        let objective = self.objective(&x, &outcomes);
        cuts.extend(self.cuts(&x, &outcomes));
        if self.layout.integral(&x) && best.as_ref().is_none_or(|b| objective < b.1) {
            *best = Some((x, objective));
        }
        Ok(outcomes)
    }

    /// A master (integer or relaxed) holding every cut so far.
    fn master(
        &self,
        integer: bool,
        tolerance: f64,
        scaling: &Scaling,
        cuts: &[Cut],
    ) -> Result<Master, Failed> {
        let error = |message: String| (PlanStatus::Error, message);
        let mut master = Master::new(
            self.request,
            self.layout,
            integer,
            self.options,
            tolerance,
            scaling,
        )
        .map_err(error)?;
        for cut in cuts {
            master.add(cut).map_err(error)?;
        }
        Ok(master)
    }

    fn out_of_time(&self) -> bool {
        self.options
            .time_limit
            .is_some_and(|limit| self.started.elapsed().as_secs_f64() >= limit)
    }
}

impl Answer {
    fn into_solution(
        self,
        request: &TwoStageRequest<'_>,
        layout: &Layout,
        mut stats: TwoStageStats,
    ) -> TwoStageSolution {
        let decisions = layout.decisions(&self.x);
        let first_stage_cost = layout.first_cost(&self.x);
        let risk = request.risk;
        let count = self.outcomes.len() as f64;
        let totals: Vec<f64> = self
            .outcomes
            .iter()
            .map(|o| first_stage_cost + o.cost)
            .collect();
        let tail = if risk.lambda > 0.0 {
            cvar_weights(&totals, risk.alpha)
        } else {
            vec![0.0; totals.len()]
        };
        // d objective / d x_j = (1 + lambda) c_j + sum_s (1/S + lambda w_s) g_sj
        let derivative: Vec<f64> = (0..layout.len())
            .map(|j| {
                (1.0 + risk.lambda) * layout.cost[j]
                    + self
                        .outcomes
                        .iter()
                        .zip(&tail)
                        .map(|(o, w)| (1.0 / count + risk.lambda * w) * o.gradient[j])
                        .sum::<f64>()
            })
            .collect();
        let rate_reduced_costs = Some(
            derivative[..layout.rates]
                .chunks(layout.groups.max(1))
                .map(|r| r.iter().map(|&v| caisson_plan::clean(v)).collect())
                .collect(),
        );
        stats.integer_columns = layout.integer.iter().filter(|&&i| i).count();
        stats.iterations = self.iterations;
        stats.lower_bound = Some(self.lower);
        let gap = ((self.upper - self.lower) / self.upper.abs().max(1.0)).max(0.0);
        let mut second_stage_costs = Vec::with_capacity(self.outcomes.len());
        let mut plans = Vec::with_capacity(self.outcomes.len());
        for outcome in self.outcomes {
            second_stage_costs.push(outcome.cost);
            plans.extend(outcome.plan);
        }
        TwoStageSolution {
            status: self.status,
            message: None,
            objective: Some(self.upper),
            mip_gap: Some(gap),
            decisions,
            first_stage_cost,
            second_stage_costs,
            plans,
            rate_reduced_costs,
            stats,
        }
    }
}
