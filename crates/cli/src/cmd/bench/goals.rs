//! Issue 18's planning goals, judged from a bench run's rows: `large` to a
//! proven relative gap of 1e-4 within 60 s, `xl` to 1e-2 within 10 minutes
//! and 8 GiB, and the European base (a `--scenario` row of
//! `examples/europe-2025/base.toml`) planned within 3 s at the default gap.
//! The re-plan goal is judged by [`super::replan`].
//!
//! A goal is judged only on the rows a run has (`caisson bench --sizes
//! large,xl --scenario examples/europe-2025/base.toml` has them all), never
//! on a `(before)` row, and only from what the row measured: a row with no
//! proven gap (a time limit reached before any bound) does not meet it.

use serde::Serialize;

use super::cases::Group;
use super::measure::Measurement;

/// One goal of issue 18 for one case.
#[derive(Debug, Clone, Copy)]
struct Goal {
    /// The row it applies to.
    applies: fn(Group, &str) -> bool,
    /// What it asks, in words.
    asks: &'static str,
    /// The largest proven relative gap that meets it.
    max_gap: f64,
    /// The longest end-to-end time that meets it, in seconds.
    max_seconds: f64,
    /// The largest peak memory that meets it, in MiB, when it has one.
    max_peak_mib: Option<f64>,
}

/// The goals, in the order.
const GOALS: [Goal; 3] = [
    Goal {
        applies: |group, label| group == Group::Size && label == "large",
        asks: "large planned to a proven gap <= 1e-4 within 60 s",
        max_gap: 1e-4,
        max_seconds: 60.0,
        max_peak_mib: None,
    },
    Goal {
        applies: |group, label| group == Group::Size && label == "xl",
        asks: "xl planned to a proven gap <= 1e-2 within 10 minutes and 8 GiB",
        max_gap: 1e-2,
        max_seconds: 600.0,
        max_peak_mib: Some(8.0 * 1024.0),
    },
    Goal {
        applies: |group, label| {
            group == Group::Scenario && label.ends_with("europe-2025/base.toml")
        },
        asks: "the European base planned (gap <= 1e-6) within 3 s",
        max_gap: 1e-6,
        max_seconds: 3.0,
        max_peak_mib: None,
    },
];

/// A goal judged on one row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// What the goal asks.
    pub goal: &'static str,
    /// The row's case.
    pub case: String,
    /// Whether the row meets it.
    pub met: bool,
    /// What the row measured: its proven gap (or why it has none), its
    /// end-to-end time and peak memory.
    pub measured: String,
}

/// The verdict of every goal on every row it applies to (`group`, `label`
/// and what the row measured), in the rows' order.
pub fn judge<'a>(
    rows: impl IntoIterator<Item = (Group, &'a str, &'a Measurement)>,
) -> Vec<Verdict> {
    rows.into_iter()
        .filter(|(_, label, _)| !label.ends_with(super::BEFORE_SUFFIX))
        .flat_map(|(group, label, m)| {
            GOALS
                .iter()
                .filter(move |goal| (goal.applies)(group, label))
                .map(move |goal| verdict(goal, label, m))
        })
        .collect()
}

fn verdict(goal: &Goal, label: &str, m: &Measurement) -> Verdict {
    let peak_mib = m.memory.as_ref().map(|memory| memory.peak_mib);
    let gap_met = m.mip_gap.is_some_and(|gap| gap <= goal.max_gap) && m.objective.is_some();
    let time_met = m.total_seconds <= goal.max_seconds;
    // Without a memory figure a memory goal is not shown to be met.
    let memory_met = match goal.max_peak_mib {
        Some(max) => peak_mib.is_some_and(|peak| peak <= max),
        None => true,
    };
    let gap = match (m.mip_gap, m.objective) {
        (Some(gap), Some(_)) => format!("gap {gap:.1e}"),
        (None, Some(_)) => format!("{}, no proven gap", m.status),
        (_, None) => format!("{}, no plan", m.status),
    };
    let peak = peak_mib.map_or_else(String::new, |p| format!(", peak {:.1} GiB", p / 1024.0));
    Verdict {
        goal: goal.asks,
        case: label.to_owned(),
        met: gap_met && time_met && memory_met,
        measured: format!("{gap} at {:.1} s{peak}", m.total_seconds),
    }
}

/// The verdicts as text lines.
pub fn text(verdicts: &[Verdict]) -> String {
    verdicts
        .iter()
        .map(|v| {
            format!(
                "goal (issue 18): {}: {} ({})\n",
                v.goal,
                if v.met { "met" } else { "NOT met" },
                v.measured
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::bench::measure::Memory;

    fn measured(gap: Option<f64>, seconds: f64, peak_mib: f64) -> Measurement {
        Measurement {
            status: if gap.is_some() {
                "optimal"
            } else {
                "time_limit"
            }
            .to_owned(),
            mip_gap: gap,
            objective: Some(9.9e9),
            total_seconds: seconds,
            memory: Some(Memory {
                peak_mib,
                ..Memory::default()
            }),
            ..Measurement::default()
        }
    }

    #[test]
    fn each_goal_needs_its_gap_its_time_and_its_memory() {
        let within = measured(Some(5e-5), 59.0, 2000.0);
        let slow = measured(Some(5e-5), 61.0, 2000.0);
        let loose = measured(Some(2e-4), 30.0, 2000.0);
        let unproven = measured(None, 30.0, 2000.0);
        let xl_heavy = measured(Some(1e-3), 500.0, 9.7 * 1024.0);
        let xl_within = measured(Some(1e-3), 500.0, 7.0 * 1024.0);
        let rows = [
            (Group::Size, "large", &within),
            (Group::Size, "large", &slow),
            (Group::Size, "large", &loose),
            (Group::Size, "large", &unproven),
            (Group::Size, "xl", &xl_heavy),
            (Group::Size, "xl", &xl_within),
        ];
        let met: Vec<bool> = judge(rows).iter().map(|v| v.met).collect();
        assert_eq!(met, [true, false, false, false, false, true]);
    }

    #[test]
    fn goals_apply_to_their_rows_only_and_never_to_before_rows() {
        let fast = measured(Some(0.0), 2.5, 300.0);
        let rows = [
            (Group::Size, "medium", &fast),
            (Group::Size, "large (before)", &fast),
            (Group::Greedy, "large", &fast),
            (Group::Scenario, "examples/europe-2025/base.toml", &fast),
            (
                Group::Scenario,
                "examples/europe-2025/base.toml (before)",
                &fast,
            ),
        ];
        let verdicts = judge(rows);
        assert_eq!(verdicts.len(), 1, "{verdicts:?}");
        assert!(verdicts[0].met);
        assert!(verdicts[0].goal.contains("European base"));
        assert_eq!(verdicts[0].measured, "gap 0.0e0 at 2.5 s, peak 0.3 GiB");
    }

    #[test]
    fn a_row_without_a_plan_says_so() {
        let none = Measurement {
            status: "failed".to_owned(),
            total_seconds: 240.0,
            ..Measurement::default()
        };
        let verdicts = judge([(Group::Size, "large", &none)]);
        assert!(!verdicts[0].met);
        assert_eq!(verdicts[0].measured, "failed, no plan at 240.0 s");
        assert_eq!(
            text(&verdicts),
            "goal (issue 18): large planned to a proven gap <= 1e-4 within 60 s: NOT met \
             (failed, no plan at 240.0 s)\n"
        );
    }
}
