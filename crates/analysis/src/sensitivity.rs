//! `sensitivity`: how far each assumed figure moves the answer.
//!
//! Every `[[assumption]]` entry of the subject scenario (an extension of the
//! spec, `docs/assumptions.md`) is put at its low and at its high bound, one
//! at a time, and the subject (and every other scenario given, e.g. the
//! variant it is compared with) is re-planned. The measure is the subject's
//! shortage over the selected demands, or the subject's minus the first
//! other scenario's (`Measure::Difference`: e.g. integrate minus lose).
//! Assumptions are ranked by the span of the measure over
//! {low, base, high}, largest first, ties by id: the order of a tornado
//! chart.
//!
//! Re-solves: each scenario's model is built once and loaded once per
//! thread, its base is solved first and every bound is re-solved warm from
//! that solution ([`crate::resolve`]); a bound that changes the model's
//! matrix (an input per unit) is planned from scratch. The figures do not
//! depend on the order or the threads (within the MIP gap).

use caisson_model::{Bound, Scenario};
use caisson_planner::{PlanOptions, Resolver};
use serde::{Deserialize, Serialize};

use crate::compare::Case;
use crate::outcome::Outcome;
use crate::resolve::{on_workers, one_thread, plan_case, How, Resolve, ResolveTiming};

/// What the sensitivity measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Measure {
    /// The subject's shortage (unit-periods plus lost units) over the
    /// selected demands.
    #[default]
    Shortage,
    /// The subject's shortage minus the first other scenario's.
    Difference,
}

impl Measure {
    /// `"shortage"` or `"difference"`.
    pub fn name(self) -> &'static str {
        match self {
            Measure::Shortage => "shortage",
            Measure::Difference => "difference",
        }
    }
}

/// Which demands' shortage counts. Empty lists select every demand; both
/// given, a demand must match both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    /// Demand ids.
    pub demands: Vec<String>,
    /// End-user actor ids.
    pub end_users: Vec<String>,
}

impl Selection {
    /// Whether a demand of end user `end_user` with id `demand` counts.
    pub fn selects(&self, demand: &str, end_user: &str) -> bool {
        (self.demands.is_empty() || self.demands.iter().any(|d| d == demand))
            && (self.end_users.is_empty() || self.end_users.iter().any(|u| u == end_user))
    }

    /// The selected shortage of `outcome` (`None` without a solution).
    pub fn shortage(&self, outcome: &Outcome) -> Option<f64> {
        outcome.solved().then(|| {
            outcome
                .demands
                .iter()
                .filter(|d| self.selects(&d.demand, &d.end_user))
                .map(|d| d.shortage)
                .sum()
        })
    }
}

/// Options of a sensitivity run.
#[derive(Debug, Clone, Default)]
pub struct SensitivityOptions {
    /// What is measured.
    pub measure: Measure,
    /// Whose shortage counts.
    pub selection: Selection,
    /// Only these assumption ids (empty: all of the subject's).
    pub only: Vec<String>,
    /// Planner options of every solve (HiGHS runs on one thread each).
    pub plan: PlanOptions,
    /// How the re-plans are solved.
    pub resolve: Resolve,
}

/// Why a sensitivity run cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SensitivityError {
    /// `Measure::Difference` without a second scenario.
    #[error("the difference measure needs a second scenario to subtract")]
    NoOther,
    /// An id of `only` that the subject does not define.
    #[error("the subject scenario has no assumption \"{0}\"")]
    UnknownAssumption(String),
    /// The subject scenario defines no assumption to vary.
    #[error("the subject scenario has no [[assumption]] entries")]
    NoAssumptions,
    /// A demand or end user of the selection that no scenario has.
    #[error("no scenario has a demand or end user \"{0}\"")]
    UnknownSelection(String),
}

/// The result of a sensitivity run (under `analysis` in a
/// `caisson-sensitivity/1` file; it reads back, for documents made from a
/// saved run).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// `"shortage"` or `"difference"`.
    pub measure: String,
    /// Whose shortage counts.
    pub selection: Selection,
    /// The scenarios planned at every point, subject first.
    pub scenarios: Vec<String>,
    /// The relative MIP gap every plan stopped at.
    pub mip_gap: f64,
    /// Every scenario at its written values.
    pub base: Point,
    /// One entry per assumption, ranked by `span`, largest first.
    pub assumptions: Vec<Swing>,
}

/// The measure and each scenario's selected shortage at one point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// The measure (`None` when a plan it needs has no solution).
    pub value: Option<f64>,
    /// Per scenario (in [`Sensitivity::scenarios`] order): its selected
    /// shortage, `None` without a solution.
    pub shortages: Vec<Option<f64>>,
    /// Per scenario: the plan's status.
    pub statuses: Vec<String>,
}

/// One assumption at its two bounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Swing {
    /// 1 for the assumption that moves the measure most.
    pub rank: usize,
    /// Assumption id.
    pub id: String,
    /// Why it is assumed (from the scenario file).
    pub reason: String,
    /// The low multiplier.
    pub low: f64,
    /// The high multiplier.
    pub high: f64,
    /// The values it scales, e.g. `capacity krusik.mortar`.
    pub targets: Vec<String>,
    /// Scenarios (labels) that do not define this assumption: they are
    /// planned at their written values at both bounds.
    pub missing_in: Vec<String>,
    /// Everything at the low bound.
    pub at_low: Point,
    /// Everything at the high bound.
    pub at_high: Point,
    /// Largest minus smallest measure over low, base and high (0 when any
    /// is missing).
    pub span: f64,
}

/// Runs the sensitivity of `subject` (and of `others`, planned at the same
/// points) to each of the subject's assumptions. `on_done` is called once
/// per finished solve (for progress bars), possibly from several threads.
pub fn sensitivity(
    subject: Case<'_>,
    others: &[Case<'_>],
    options: &SensitivityOptions,
    on_done: &(dyn Fn() + Sync),
) -> Result<(Sensitivity, ResolveTiming), SensitivityError> {
    let started = std::time::Instant::now();
    if options.measure == Measure::Difference && others.is_empty() {
        return Err(SensitivityError::NoOther);
    }
    let chosen = chosen_assumptions(subject.scenario, &options.only)?;
    let cases: Vec<Case<'_>> = std::iter::once(subject)
        .chain(others.iter().copied())
        .collect();
    check_selection(&cases, &options.selection)?;
    let mut timing = ResolveTiming::default();
    // Per scenario: the base and, per chosen assumption, low then high.
    let mut shortages: Vec<Vec<Option<f64>>> = Vec::new();
    let mut statuses: Vec<Vec<String>> = Vec::new();
    for case in &cases {
        let points: Vec<Option<Scenario>> = std::iter::once(None)
            .chain(chosen.iter().flat_map(|&a| {
                let id = &subject.scenario.assumptions[a].id;
                let own = case.scenario.assumptions.iter().find(|x| &x.id == id);
                [Bound::Low, Bound::High]
                    .map(|bound| own.map(|own| own.at_bound(case.scenario, bound)))
            }))
            .collect();
        let (outcomes, hows, build) = plan_points(case.scenario, &points, options, on_done);
        timing.build_seconds += build;
        timing.count(hows);
        shortages.push(
            outcomes
                .iter()
                .map(|o| options.selection.shortage(o))
                .collect(),
        );
        statuses.push(outcomes.iter().map(|o| o.status.to_owned()).collect());
    }
    let point = |index: usize| {
        let shortages: Vec<Option<f64>> = shortages.iter().map(|s| s[index]).collect();
        let value = match options.measure {
            Measure::Shortage => shortages[0],
            Measure::Difference => shortages[0].zip(shortages[1]).map(|(a, b)| a - b),
        };
        Point {
            value,
            shortages,
            statuses: statuses.iter().map(|s| s[index].clone()).collect(),
        }
    };
    let base = point(0);
    let mut swings: Vec<Swing> = chosen
        .iter()
        .enumerate()
        .map(|(k, &a)| {
            let assumption = &subject.scenario.assumptions[a];
            let (at_low, at_high) = (point(1 + 2 * k), point(2 + 2 * k));
            let values = [base.value, at_low.value, at_high.value];
            let span = match values {
                [Some(b), Some(l), Some(h)] => b.max(l).max(h) - b.min(l).min(h),
                _ => 0.0,
            };
            Swing {
                rank: 0,
                id: assumption.id.clone(),
                reason: assumption.reason.clone(),
                low: assumption.low,
                high: assumption.high,
                targets: assumption
                    .targets
                    .iter()
                    .map(|t| t.describe(subject.scenario))
                    .collect(),
                missing_in: cases
                    .iter()
                    .filter(|c| !c.scenario.assumptions.iter().any(|x| x.id == assumption.id))
                    .map(|c| c.label.to_owned())
                    .collect(),
                at_low,
                at_high,
                span,
            }
        })
        .collect();
    swings.sort_by(|a, b| b.span.total_cmp(&a.span).then_with(|| a.id.cmp(&b.id)));
    for (i, swing) in swings.iter_mut().enumerate() {
        swing.rank = i + 1;
    }
    timing.total_seconds = started.elapsed().as_secs_f64();
    Ok((
        Sensitivity {
            measure: options.measure.name().to_owned(),
            selection: options.selection.clone(),
            scenarios: cases.iter().map(|c| c.label.to_owned()).collect(),
            mip_gap: options.plan.mip_gap,
            base,
            assumptions: swings,
        },
        timing,
    ))
}

/// How many solves [`sensitivity`] makes (for progress bars).
pub fn count_solves(subject: &Scenario, others: usize, only: &[String]) -> usize {
    let assumptions = if only.is_empty() {
        subject.assumptions.len()
    } else {
        only.len()
    };
    (1 + others) * (1 + 2 * assumptions)
}

/// Indices of the subject's assumptions to vary, in file order.
fn chosen_assumptions(subject: &Scenario, only: &[String]) -> Result<Vec<usize>, SensitivityError> {
    if subject.assumptions.is_empty() {
        return Err(SensitivityError::NoAssumptions);
    }
    if only.is_empty() {
        return Ok((0..subject.assumptions.len()).collect());
    }
    let mut chosen = Vec::new();
    for id in only {
        match subject.assumptions.iter().position(|a| &a.id == id) {
            Some(i) if !chosen.contains(&i) => chosen.push(i),
            Some(_) => {}
            None => return Err(SensitivityError::UnknownAssumption(id.clone())),
        }
    }
    chosen.sort_unstable();
    Ok(chosen)
}

/// Refuses a selection naming a demand or end user that no scenario has
/// (a typo would otherwise measure nothing and rank every assumption 0).
fn check_selection(cases: &[Case<'_>], selection: &Selection) -> Result<(), SensitivityError> {
    for demand in &selection.demands {
        let known = cases
            .iter()
            .any(|c| c.scenario.demands.iter().any(|d| &d.id == demand));
        if !known {
            return Err(SensitivityError::UnknownSelection(demand.clone()));
        }
    }
    for user in &selection.end_users {
        let known = cases
            .iter()
            .any(|c| c.scenario.actors.iter().any(|a| &a.id == user));
        if !known {
            return Err(SensitivityError::UnknownSelection(user.clone()));
        }
    }
    Ok(())
}

/// Plans `base` (point 0 must be `None`: the base itself) and every other
/// point (`None`: the base again, already known), warm from the base's
/// solution when `options.resolve` asks for it. Returns the outcomes in
/// point order, how each was solved and the seconds spent building.
fn plan_points(
    base: &Scenario,
    points: &[Option<Scenario>],
    options: &SensitivityOptions,
    on_done: &(dyn Fn() + Sync),
) -> (Vec<Outcome>, Vec<How>, f64) {
    let plan_options = one_thread(&options.plan);
    let outcome_of = |scenario: &Scenario, plan: &caisson_planner::Plan| {
        on_done();
        Outcome::of(scenario, plan)
    };
    let todo: Vec<(usize, &Scenario)> = points
        .iter()
        .enumerate()
        .skip(1)
        .filter_map(|(i, p)| Some((i, p.as_ref()?)))
        .collect();
    let built = std::time::Instant::now();
    let resolver = (options.resolve != Resolve::Cold).then(|| Resolver::for_edits(base));
    let build_seconds = built.elapsed().as_secs_f64();
    let mut first = resolver.as_ref().and_then(|r| r.worker(&plan_options).ok());
    // The base: solved on the reused model when there is one, so that its
    // solution can start every other point.
    let mut baseline = None;
    let mut base_how = How::Cold;
    let mut base_outcome = None;
    if let (Some(resolver), Some(worker)) = (resolver.as_ref(), first.as_mut()) {
        if let Ok(bounds) = resolver.bounds(caisson_planner::Case::Base) {
            let start = if plan_options.greedy_start {
                caisson_planner::Start::Greedy(base)
            } else {
                caisson_planner::Start::None
            };
            let solved = worker.solve_with(&bounds, start);
            if solved.status.has_solution() {
                let plan = solved.plan(base, &solved.flows);
                base_outcome = Some(outcome_of(base, &plan));
                base_how = How::Reused { started: false };
                if options.resolve == Resolve::WarmStart {
                    baseline = Some(solved);
                }
            }
        }
    }
    let base_outcome = match base_outcome {
        Some(outcome) => outcome,
        None => {
            if resolver.is_some() {
                base_how = How::Fallback;
            }
            let plan = crate::solve_one_thread(base, &plan_options);
            outcome_of(base, &plan)
        }
    };
    let results = on_workers(
        todo.len(),
        resolver.as_ref(),
        &plan_options,
        first,
        &|i, worker| {
            let scenario = todo[i].1;
            let (plan, how) = plan_case(
                scenario,
                resolver.as_ref(),
                worker,
                baseline.as_ref(),
                &plan_options,
            );
            (outcome_of(scenario, &plan), how)
        },
    );
    let mut hows = vec![base_how];
    let mut solved: Vec<Option<Outcome>> = vec![None; points.len()];
    for ((index, _), (outcome, how)) in todo.iter().zip(results) {
        solved[*index] = Some(outcome);
        hows.push(how);
    }
    let outcomes = solved
        .into_iter()
        .enumerate()
        .map(|(i, o)| match (i, o) {
            (_, Some(o)) => o,
            _ => base_outcome.clone(),
        })
        .collect();
    (outcomes, hows, build_seconds)
}

#[cfg(test)]
mod tests;
