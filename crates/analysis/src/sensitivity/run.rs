//! The re-plans of a sensitivity run.
//!
//! Re-solves: each scenario's points go to the re-solve [`Driver`]
//! ([`crate::resolve`]): its model is built once and loaded once per
//! thread, its base is solved first and every bound is re-solved warm from
//! that solution; a bound that changes the model's matrix (an input per
//! unit) is planned from scratch. The figures do not
//! depend on the order or the threads (within the MIP gap).

use std::convert::Infallible;

use caisson_model::{Bound, Scenario};
use caisson_planner::PlanOptions;

use super::{Measure, Point, Selection, Sensitivity, SensitivityError, Swing};
use crate::compare::Variant as Case;
use crate::outcome::Outcome;
use crate::resolve::{Change, Changes, Driver, Guess, Job, Resolve, ResolveTiming, Settings};

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
        let (outcomes, case_timing) = plan_points(case.scenario, &points, options, on_done);
        add_timing(&mut timing, &case_timing);
        shortages.push(
            outcomes
                .iter()
                .map(|o| o.as_ref().and_then(|o| options.selection.shortage(o)))
                .collect(),
        );
        statuses.push(
            outcomes
                .iter()
                .map(|o| {
                    o.as_ref()
                        .map_or_else(String::new, |o| o.status.to_string())
                })
                .collect(),
        );
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
/// point (`None`: the base again, already known) with the re-solve
/// [`Driver`], warm from the base's solution when `options.resolve` asks
/// for it. Returns the outcomes in point order (each `Some`) and where the
/// time went.
fn plan_points(
    base: &Scenario,
    points: &[Option<Scenario>],
    options: &SensitivityOptions,
    on_done: &(dyn Fn() + Sync),
) -> (Vec<Option<Outcome>>, ResolveTiming) {
    let settings = Settings {
        mode: options.resolve,
        options: options.plan.clone(),
        changes: Changes::Quantities,
        guess: Guess::Greedy,
        solve_threads: 1,
    };
    let driver = Driver::new(base, &settings);
    // A point the scenario does not define is its base: known once the
    // base is solved, so it needs no solve of its own (`Job::Done(None)`).
    let solved: Result<_, Infallible> = driver.solve_cases(
        points.len(),
        &|i| {
            let scenario = match (i, &points[i]) {
                (0, _) => base,
                (_, Some(point)) => point,
                (_, None) => return Ok(Job::Done(None)),
            };
            Ok(Job::Solve {
                scenario,
                change: Change::Edited,
                keep: (),
            })
        },
        &|_, scenario: &Scenario, (), solved| Some(Outcome::of(scenario, &solved.plan)),
        on_done,
    );
    let Ok((outcomes, timing)) = solved;
    // Case 0 is always solved, so every point has its outcome.
    let base_outcome = outcomes.first().cloned().flatten();
    let outcomes = outcomes
        .into_iter()
        .map(|o| o.or_else(|| base_outcome.clone()))
        .collect();
    (outcomes, timing)
}

/// Adds the counts and seconds of `more` (one scenario's solves) to
/// `total`; `total_seconds` is left to the caller, which times the run.
fn add_timing(total: &mut ResolveTiming, more: &ResolveTiming) {
    total.build_seconds += more.build_seconds;
    total.baseline_seconds += more.baseline_seconds;
    total.solves += more.solves;
    total.reused += more.reused;
    total.started += more.started;
    total.fallbacks += more.fallbacks;
    total.skipped += more.skipped;
}
