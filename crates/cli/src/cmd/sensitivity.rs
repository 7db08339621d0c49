//! `caisson sensitivity`: re-plans with each `[[assumption]]` of the
//! scenario at its low and at its high bound, one at a time, and ranks the
//! assumptions by how far they move the chosen answer (a tornado).
//!
//! The JSON (`--format json`, `--out`) is a `caisson-sensitivity/1` file:
//! the report's tornado section at the top level (`caisson report` draws
//! it) and the whole result under `analysis`. Exit codes: 0 done; 1 a
//! scenario failed to load, or names no assumption / an unknown one;
//! 2 usage; 3 a plan ended without a solution or an output could not be
//! written.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;
use caisson_analysis::compare::Variant as Case;
use caisson_analysis::sensitivity::{
    count_solves, sensitivity, Measure, Selection, Sensitivity, SensitivityOptions,
};
use caisson_analysis::Resolve;
use serde::Serialize;

use crate::cmd::analysis_args::AnalysisArgs;
use crate::exit::{CmdResult, Exit, Failure};
use crate::format::fmt_units;
use crate::load;
use crate::shell::Shell;

/// Arguments of `caisson sensitivity`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario whose `[[assumption]]` entries are varied.
    pub scenario: PathBuf,
    /// Another scenario planned at every point (repeatable); the first is
    /// subtracted by `--measure difference`. Each applies the assumptions
    /// it defines under the same ids (a variant that extends the same base
    /// defines them all).
    #[arg(long = "variant", value_name = "OTHER.toml")]
    pub variants: Vec<PathBuf>,
    /// The answer measured: the scenario's shortage, or the scenario's
    /// shortage minus the first variant's.
    #[arg(long, value_enum, default_value_t = MeasureArg::Shortage)]
    pub measure: MeasureArg,
    /// Count only these demands' shortage (repeatable; default: all).
    #[arg(long = "demand", value_name = "ID")]
    pub demands: Vec<String>,
    /// Count only the shortage of demands for these end users (repeatable;
    /// default: all).
    #[arg(long = "end-user", value_name = "ACTOR")]
    pub end_users: Vec<String>,
    /// Vary only these assumptions (repeatable; default: all).
    #[arg(long = "assumption", value_name = "ID")]
    pub assumptions: Vec<String>,
    /// How the re-plans are solved: warm from the base's solution (the
    /// default), on the reused model without a start, or from scratch.
    #[arg(long, value_enum, default_value_t = ResolveArg::Warm)]
    pub resolve: ResolveArg,
    /// Also write an HTML report with the tornado chart to this file.
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
    #[command(flatten)]
    pub common: AnalysisArgs,
}

/// `--measure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MeasureArg {
    /// The scenario's shortage (unit-periods plus lost units).
    Shortage,
    /// The scenario's shortage minus the first variant's.
    Difference,
}

/// `--resolve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ResolveArg {
    /// Re-solve the reused model from the base's solution.
    Warm,
    /// Re-solve the reused model without a start.
    Reuse,
    /// Plan every point from scratch.
    Cold,
}

/// The `caisson-sensitivity/1` file.
#[derive(Debug, Serialize)]
struct SensitivityFile<'a> {
    format: &'static str,
    #[serde(flatten)]
    section: &'a caisson_html::Sensitivity,
    analysis: &'a Sensitivity,
}

/// Runs `caisson sensitivity`.
pub fn run(args: &Args, shell: &mut Shell) -> CmdResult {
    let subject = load::scenario(shell, &args.scenario)?;
    let others = args
        .variants
        .iter()
        .map(|path| load::scenario(shell, path))
        .collect::<Result<Vec<_>, _>>()?;
    let labels: Vec<String> = std::iter::once(&args.scenario)
        .chain(&args.variants)
        .map(|p| label(p))
        .collect();
    let measure = match args.measure {
        MeasureArg::Shortage => Measure::Shortage,
        MeasureArg::Difference => Measure::Difference,
    };
    if measure == Measure::Difference && others.is_empty() {
        return Err(Failure::InvalidInputMessage(
            "--measure difference needs a --variant to subtract".to_owned(),
        ));
    }
    let options = SensitivityOptions {
        measure,
        selection: Selection {
            demands: args.demands.clone(),
            end_users: args.end_users.clone(),
        },
        only: args.assumptions.clone(),
        plan: args.common.plan_options()?,
        resolve: match args.resolve {
            ResolveArg::Warm => Resolve::WarmStart,
            ResolveArg::Reuse => Resolve::Reuse,
            ResolveArg::Cold => Resolve::Cold,
        },
    };
    let cases: Vec<Case<'_>> = others
        .iter()
        .zip(&labels[1..])
        .map(|(loaded, label)| Case {
            label,
            scenario: &loaded.scenario,
        })
        .collect();
    let bar = shell.bar(
        count_solves(&subject.scenario, others.len(), &args.assumptions),
        "re-planning",
    );
    let result = sensitivity(
        Case {
            label: &labels[0],
            scenario: &subject.scenario,
        },
        &cases,
        &options,
        &|| bar.inc(1),
    );
    bar.finish_and_clear();
    let (result, _timing) = result.map_err(|e| Failure::InvalidInputMessage(e.to_string()))?;
    let section = tornado(&result);
    let file = SensitivityFile {
        format: caisson_html::SENSITIVITY_FORMAT,
        section: &section,
        analysis: &result,
    };
    if let Some(path) = &args.report {
        let mut doc =
            caisson_html::ReportDocument::new(&format!("Caisson sensitivity: {}", labels[0]));
        doc.sensitivity = Some(section.clone());
        std::fs::write(path, caisson_html::render(&doc))
            .with_context(|| format!("writing the report to {}", path.display()))
            .map_err(Failure::Internal)?;
    }
    args.common.emit(shell, &file, |_| render(&result))?;
    let unsolved = std::iter::once(&result.base)
        .chain(
            result
                .assumptions
                .iter()
                .flat_map(|a| [&a.at_low, &a.at_high]),
        )
        .any(|p| p.shortages.iter().any(Option::is_none));
    Ok(if unsolved {
        shell.warn(format_args!(
            "some plans have no solution; their bars are left out of the ranking"
        ));
        Exit::Internal
    } else {
        Exit::Success
    })
}

fn label(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// What the measure is, in words.
pub fn measure_text(s: &Sensitivity) -> String {
    let mut whose = String::from("shortage");
    if !s.selection.demands.is_empty() {
        let _ = write!(whose, " of demands {}", s.selection.demands.join(", "));
    }
    if !s.selection.end_users.is_empty() {
        let _ = write!(whose, " for {}", s.selection.end_users.join(", "));
    }
    match (s.measure.as_str(), s.scenarios.as_slice()) {
        ("difference", [a, b, ..]) => format!("{whose}: {a} minus {b}"),
        (_, [a, ..]) => format!("{whose} in {a}"),
        _ => whose,
    }
}

/// The report's tornado section.
pub fn tornado(s: &Sensitivity) -> caisson_html::Sensitivity {
    caisson_html::Sensitivity {
        measure: measure_text(s),
        unit: "unit-periods".to_owned(),
        base: s.base.value,
        bars: s
            .assumptions
            .iter()
            .map(|a| caisson_html::TornadoBar {
                id: a.id.clone(),
                reason: a.reason.clone(),
                low: a.low,
                high: a.high,
                at_low: a.at_low.value,
                at_high: a.at_high.value,
                targets: a.targets.clone(),
            })
            .collect(),
    }
}

/// The ranking as a terminal table, in whole units (both measures count
/// units: shortages or their difference; the JSON keeps exact values).
pub fn render(s: &Sensitivity) -> String {
    let mut out = String::new();
    let value = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), fmt_units);
    let _ = writeln!(
        out,
        "{}: {} at the values written",
        measure_text(s),
        value(s.base.value)
    );
    for (name, shortage) in s.scenarios.iter().zip(&s.base.shortages) {
        let _ = writeln!(out, "  {name}: shortage {}", value(*shortage));
    }
    let width = s
        .assumptions
        .iter()
        .map(|a| a.id.len())
        .max()
        .unwrap_or(10)
        .max(10);
    let _ = writeln!(
        out,
        "\n{:>4}  {:width$}  {:>13}  {:>18}  {:>18}  {:>16}",
        "rank", "assumption", "range", "at low", "at high", "span"
    );
    for a in &s.assumptions {
        let _ = writeln!(
            out,
            "{:>4}  {:width$}  {:>13}  {:>18}  {:>18}  {:>16}",
            a.rank,
            a.id,
            format!("x{}-x{}", a.low, a.high),
            value(a.at_low.value),
            value(a.at_high.value),
            fmt_units(a.span)
        );
    }
    out
}
