//! `caisson risk`: supplier criticality and the price of each policy.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use caisson_analysis::risk::{analyse, count_replans, Impact, RiskOptions, RiskReport, Subject};
use caisson_planner::PlanOptions;

use crate::exit::{CmdResult, Failure};
use crate::format::{fmt_delta, fmt_num, Format};
use crate::{load, progress};

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
    /// Also write the report as JSON to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Relative MIP gap at which each solve stops.
    #[arg(long, default_value_t = 1e-6)]
    pub mip_gap: f64,
    /// Time limit per solve, in seconds.
    #[arg(long)]
    pub time_limit: Option<f64>,
}

/// Runs `caisson risk`.
pub fn run(args: &Args) -> CmdResult {
    let loaded = load::scenario(&args.scenario)?;
    let options = RiskOptions {
        facilities: args.facilities,
        policy_lists: args.lists,
        plan: PlanOptions {
            mip_gap: args.mip_gap,
            time_limit: args.time_limit,
            ..PlanOptions::default()
        },
    };
    let bar = progress::bar(
        count_replans(&loaded.scenario, &options),
        "re-planning",
        args.quiet,
    );
    let report = analyse(&loaded.scenario, &options, &|| bar.inc(1));
    bar.finish_and_clear();
    if let Some(path) = &args.out {
        let json = serde_json::to_string_pretty(&report).context("serialising risk report")?;
        std::fs::write(path, json + "\n")
            .with_context(|| format!("writing {}", path.display()))
            .map_err(Failure::Internal)?;
    }
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &report).context("writing JSON")?;
            let _ = writeln!(out);
        }
        Format::Text => {
            let _ = write!(out, "{}", render(&report));
        }
    }
    let unsolved = !report.baseline.solved()
        || report
            .criticality
            .iter()
            .chain(&report.policies)
            .any(|i| !i.edited.solved());
    Ok(if unsolved {
        ExitCode::from(crate::exit::INTERNAL)
    } else {
        ExitCode::SUCCESS
    })
}

fn subject_text(subject: &Subject) -> String {
    match subject {
        Subject::Exporter { actor } => format!("exporter {actor}"),
        Subject::Facility { facility } => format!("facility {facility}"),
        Subject::Policy { policy } => format!("policy {policy}"),
        Subject::PolicyList { policy, list } => format!("policy {policy} {list}"),
    }
}

fn impact_rows(s: &mut String, impacts: &[Impact]) {
    use std::fmt::Write as _;
    for impact in impacts {
        let shortage: Vec<String> = impact
            .shortage
            .iter()
            .filter(|p| p.shortage.abs() > 1e-6)
            .map(|p| format!("{} {}", p.product, fmt_delta(p.shortage)))
            .collect();
        let _ = writeln!(
            s,
            "  {:40}  {:>18}  {}",
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
    impact_rows(&mut s, &report.criticality);
    let _ = writeln!(
        s,
        "\nprice of each policy (what it costs, against a re-plan without it):"
    );
    impact_rows(&mut s, &report.policies);
    s
}
