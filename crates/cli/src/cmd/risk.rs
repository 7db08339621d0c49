//! `caisson risk`: supplier criticality and the price of each policy.

use std::path::PathBuf;

use caisson_analysis::risk::{analyse, count_replans, Impact, RiskOptions, RiskReport};

use crate::cmd::analysis_args::AnalysisArgs;
use crate::exit::{CmdResult, Exit};
use crate::format::{fmt_delta, fmt_num, fmt_units_delta};
use crate::load;
use crate::sections::{self, subject_text};
use crate::shell::Shell;

/// Arguments of `caisson risk`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario to analyse.
    pub scenario: PathBuf,
    /// Also rank single facilities (one re-plan each).
    #[arg(long)]
    pub facilities: bool,
    /// Also price each list (deny_export, deny_import, deny_end_use) of each
    /// policy separately.
    #[arg(long)]
    pub lists: bool,
    #[command(flatten)]
    pub common: AnalysisArgs,
}

/// Runs `caisson risk`.
pub fn run(args: &Args, shell: &mut Shell) -> CmdResult {
    let loaded = load::scenario(shell, &args.scenario)?;
    let options = RiskOptions {
        facilities: args.facilities,
        policy_lists: args.lists,
        plan: args.common.plan_options()?,
    };
    let bar = shell.bar(count_replans(&loaded.scenario, &options), "re-planning");
    let report = analyse(&loaded.scenario, &options, &|| bar.inc(1));
    bar.finish_and_clear();
    let file = sections::SectionFile::criticality(sections::criticality(&report), &report);
    args.common.emit(shell, &file, |_| render(&report))?;
    let unsolved = !report.baseline.solved()
        || report
            .criticality
            .iter()
            .chain(&report.policies)
            .any(|i| !i.edited.solved());
    Ok(if unsolved {
        Exit::Internal
    } else {
        Exit::Success
    })
}

fn impact_rows(s: &mut String, impacts: &[Impact], width: usize) {
    use std::fmt::Write as _;
    for impact in impacts {
        let shortage: Vec<String> = impact
            .shortage
            .iter()
            .filter(|p| p.shortage.abs() > 1e-6)
            .map(|p| format!("{} {}", p.product, fmt_units_delta(p.shortage)))
            .collect();
        let _ = writeln!(
            s,
            "  {:width$}  {:>18}  {}",
            subject_text(&impact.subject),
            impact.cost.map_or_else(|| "-".into(), fmt_delta),
            if shortage.is_empty() {
                "no change in shortage".to_owned()
            } else {
                shortage.join(", ")
            }
        );
    }
}

/// The report as terminal text.
pub fn render(report: &RiskReport) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    // Labels are 40 wide unless one is longer (a time-windowed policy
    // names its window), so that the columns stay aligned.
    let width = report
        .criticality
        .iter()
        .chain(&report.policies)
        .map(|i| subject_text(&i.subject).chars().count())
        .fold(40, usize::max);
    let _ = writeln!(
        s,
        "baseline: {} objective {}",
        report.baseline.status,
        report
            .baseline
            .objective
            .map_or_else(|| "-".into(), fmt_num)
    );
    let _ = writeln!(
        s,
        "\nsupplier criticality (re-plan without it; extra cost, extra shortage in unit-periods):"
    );
    impact_rows(&mut s, &report.criticality, width);
    let _ = writeln!(
        s,
        "\nprice of each policy (what it costs, against a re-plan without it):"
    );
    impact_rows(&mut s, &report.policies, width);
    s
}
