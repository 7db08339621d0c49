//! `caisson bench --replan FILE`: one-change re-plans of a scenario, cold
//! and warm, against issue 18's goal (every warm re-plan within a second,
//! with the optimum of a cold plan).
//!
//! The cases are the analysis library's one-change cases (a few line
//! capacities at 80%, demands at 120%, policies lifted). Each is planned
//! twice in this process, one solve at a time (two threads each, for HiGHS
//! and for an expansion's two branches side by side) and
//! no capacity shadow prices: from scratch (`Resolve::Cold`, the solve of
//! `caisson plan`) and warm from the base's simplex bases
//! (`Resolve::WarmBasis`). Unlike the size cases, the re-plans run in the
//! parent process: a warm re-plan needs the base's solution and bases in
//! memory, which is what a long-lived process (the platform's server)
//! holds, and the cold solves run in the same process so that both modes
//! are measured under the same conditions. The base's preparation (its
//! solve on the reused model and its two LPs) is reported on its own line,
//! paid once, and is in no case's time.

use caisson_analysis::replan::{self, OneChange, ReplanRun, Replanned, CHANGES_PER_KIND};
use caisson_analysis::Resolve;
use caisson_model::Scenario;
use caisson_planner::PlanOptions;
use serde::Serialize;

use crate::exit::Failure;

/// The goal of issue 18 for one warm re-plan, in seconds.
pub const GOAL_SECONDS: f64 = 1.0;

/// The re-plan benchmark's part of the JSON document.
#[derive(Debug, Serialize)]
pub struct ReplanDoc {
    /// The scenario file, as given.
    pub scenario: String,
    /// The MIP gap of every solve.
    pub mip_gap: f64,
    /// Capacities, demands and policies changed, each in its own case.
    pub changes_per_kind: usize,
    /// The base's preparation in each mode.
    pub base: BaseDoc,
    /// One entry per case, in the library's order.
    pub cases: Vec<CaseDoc>,
    /// The verdict on the goal.
    pub goal: GoalDoc,
}

/// The base's preparation.
#[derive(Debug, Serialize)]
pub struct BaseDoc {
    /// Planning the base from scratch (what each cold case pays again).
    pub cold_seconds: f64,
    /// Solving the base on the reused model and its two LPs' bases (paid
    /// once for every warm case).
    pub warm_seconds: f64,
    /// The base's status in the warm run.
    pub status: &'static str,
    /// The base's objective, cold and warm.
    pub cold_objective: Option<f64>,
    /// The base's objective in the warm run.
    pub warm_objective: Option<f64>,
}

/// One case in both modes.
#[derive(Debug, Serialize)]
pub struct CaseDoc {
    /// What changed, in words.
    pub case: String,
    /// `capacity`, `demand` or `policy`.
    pub kind: &'static str,
    /// Planned from scratch.
    pub cold: ModeDoc,
    /// Warm from the base's simplex bases.
    pub warm: ModeDoc,
    /// `|cold - warm| / max(|cold|, |warm|, 1)` of the objectives.
    pub relative_difference: f64,
    /// Whether both plans agree within the MIP gap.
    pub within_gap: bool,
}

/// One case's re-plan in one mode.
#[derive(Debug, Serialize)]
pub struct ModeDoc {
    /// Seconds of the re-plan alone.
    pub seconds: f64,
    /// The plan's status.
    pub status: &'static str,
    /// Its objective, when it has a solution.
    pub objective: Option<f64>,
    /// `cold`, `reused` or `fallback` (planned from scratch although the
    /// mode reuses the model).
    pub how: &'static str,
    /// Whether the two warm LPs proved the plan without a MIP run.
    pub proven_by_lps: bool,
}

/// The verdict: every warm re-plan within [`GOAL_SECONDS`] and every pair
/// of objectives within the MIP gap.
#[derive(Debug, Serialize)]
pub struct GoalDoc {
    /// The time goal of one warm re-plan.
    pub seconds: f64,
    /// The slowest warm re-plan.
    pub max_warm_seconds: f64,
    /// The slowest cold re-plan, for comparison.
    pub max_cold_seconds: f64,
    /// Cases the warm LPs proved without a MIP run.
    pub proven_by_lps: usize,
    /// Whether every warm re-plan took at most [`GOAL_SECONDS`].
    pub time_met: bool,
    /// Whether every case's objectives agree within the MIP gap.
    pub same_optimum: bool,
    /// Both.
    pub met: bool,
}

/// Runs the one-change cases of `base` cold and warm; `progress` is called
/// once per solve (`2 * (cases + 1)` in all, see [`solves`]).
pub fn run(
    label: &str,
    base: &Scenario,
    options: &PlanOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<ReplanDoc, Failure> {
    let cases = replan::one_change_cases(base, CHANGES_PER_KIND);
    let solve = |mode| {
        replan::replan(base, &cases, mode, options, progress)
            .map_err(|e| Failure::Internal(anyhow::Error::new(e)))
    };
    let cold = solve(Resolve::Cold)?;
    let warm = solve(Resolve::WarmBasis)?;
    Ok(document(label, options.mip_gap, &cases, &cold, &warm))
}

/// How many solves [`run`] makes for `base` (for a progress bar).
pub fn solves(base: &Scenario) -> usize {
    2 * (replan::one_change_cases(base, CHANGES_PER_KIND).len() + 1)
}

fn document(
    label: &str,
    mip_gap: f64,
    cases: &[OneChange],
    cold: &ReplanRun,
    warm: &ReplanRun,
) -> ReplanDoc {
    let rows: Vec<CaseDoc> = cases
        .iter()
        .zip(cold.cases.iter().zip(&warm.cases))
        .map(|(case, (c, w))| CaseDoc {
            case: case.label.clone(),
            kind: case.kind.name(),
            cold: mode_doc(c),
            warm: mode_doc(w),
            relative_difference: replan::relative_difference(c.objective, w.objective),
            within_gap: replan::agree(c, w, mip_gap),
        })
        .collect();
    let max = |pick: fn(&CaseDoc) -> f64| rows.iter().map(pick).fold(0.0, f64::max);
    let max_warm_seconds = max(|r| r.warm.seconds);
    let time_met = max_warm_seconds <= GOAL_SECONDS;
    let same_optimum = rows.iter().all(|r| r.within_gap);
    ReplanDoc {
        scenario: label.to_owned(),
        mip_gap,
        changes_per_kind: CHANGES_PER_KIND,
        base: BaseDoc {
            cold_seconds: cold.base_seconds,
            warm_seconds: warm.base_seconds,
            status: warm.base_status.name(),
            cold_objective: cold.base_objective,
            warm_objective: warm.base_objective,
        },
        goal: GoalDoc {
            seconds: GOAL_SECONDS,
            max_warm_seconds,
            max_cold_seconds: max(|r| r.cold.seconds),
            proven_by_lps: rows.iter().filter(|r| r.warm.proven_by_lps).count(),
            time_met,
            same_optimum,
            met: time_met && same_optimum,
        },
        cases: rows,
    }
}

fn mode_doc(r: &Replanned) -> ModeDoc {
    use caisson_analysis::resolve::How;
    ModeDoc {
        seconds: r.seconds,
        status: r.status.name(),
        objective: r.objective,
        how: match r.how {
            How::Cold => "cold",
            How::Reused { .. } => "reused",
            How::Fallback(_) => "fallback",
        },
        proven_by_lps: r.proven_by_lps(),
    }
}

/// The re-plan table and its verdict as text.
pub fn text(doc: &ReplanDoc) -> String {
    let yes_no = |b: bool| if b { "yes" } else { "no" };
    let header = ["case", "cold s", "warm s", "proven by LPs", "rel. diff"];
    let rows: Vec<[String; 5]> = doc
        .cases
        .iter()
        .map(|r| {
            [
                r.case.clone(),
                format!("{:.3}", r.cold.seconds),
                format!("{:.3}", r.warm.seconds),
                yes_no(r.warm.proven_by_lps).to_owned(),
                format!("{:.1e}", r.relative_difference),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 5]| {
        let mut out = format!("{:<w$}", cells[0], w = widths[0]);
        for (cell, width) in cells.iter().zip(widths).skip(1) {
            out.push_str(&format!("  {cell:>width$}"));
        }
        out.push('\n');
        out
    };
    let mut text = format!(
        "one-change re-plans of {} (MIP gap {:e}; one solve at a time, two threads each, \
         in this process)\n",
        doc.scenario, doc.mip_gap
    );
    text.push_str(&format!(
        "base: planned from scratch {:.3} s; warm preparation (its solve and its two LPs, \
         paid once) {:.3} s; {}\n",
        doc.base.cold_seconds, doc.base.warm_seconds, doc.base.status
    ));
    text.push_str(&line(header));
    for row in &rows {
        text.push_str(&line(
            [&row[0], &row[1], &row[2], &row[3], &row[4]].map(String::as_str),
        ));
    }
    let g = &doc.goal;
    text.push_str(&format!(
        "goal (issue 18): every warm re-plan <= {:.0} s: {} (slowest {:.3} s warm, {:.3} s cold); \
         same optimum as cold within the MIP gap: {}; {} of {} proven by the warm LPs: {}\n",
        g.seconds,
        if g.time_met { "met" } else { "NOT met" },
        g.max_warm_seconds,
        g.max_cold_seconds,
        if g.same_optimum { "met" } else { "NOT met" },
        g.proven_by_lps,
        doc.cases.len(),
        if g.met { "goal met" } else { "goal NOT met" },
    ));
    text
}
