//! `caisson compare`: a base scenario and its variants side by side.

use std::path::PathBuf;

use caisson_analysis::compare::{compare, Comparison, Variant};
use caisson_analysis::outcome::Outcome;

use crate::cmd::analysis_args::AnalysisArgs;
use crate::exit::{CmdResult, Exit};
use crate::format::{fmt_delta, fmt_num, fmt_rate, fmt_units, fmt_units_delta};
use crate::shell::Shell;
use crate::{load, sections};

/// Arguments of `caisson compare`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The base scenario.
    pub base: PathBuf,
    /// Variant scenarios (usually `extends` the base).
    #[arg(required = true)]
    pub variants: Vec<PathBuf>,
    #[command(flatten)]
    pub common: AnalysisArgs,
}

/// Runs `caisson compare`.
pub fn run(args: &Args, shell: &mut Shell) -> CmdResult {
    let base = load::scenario(shell, &args.base)?;
    let variants = args
        .variants
        .iter()
        .map(|path| load::scenario(shell, path))
        .collect::<Result<Vec<_>, _>>()?;
    let label = |path: &PathBuf| {
        path.file_stem().map_or_else(
            || path.display().to_string(),
            |s| s.to_string_lossy().into_owned(),
        )
    };
    let labels: Vec<String> = std::iter::once(&args.base)
        .chain(&args.variants)
        .map(label)
        .collect();
    let cases: Vec<Variant<'_>> = variants
        .iter()
        .zip(&labels[1..])
        .map(|(loaded, label)| Variant {
            label,
            scenario: &loaded.scenario,
        })
        .collect();
    let options = args.common.plan_options()?;
    let bar = shell.bar(cases.len() + 1, "planning");
    let comparison = compare(
        Variant {
            label: &labels[0],
            scenario: &base.scenario,
        },
        &cases,
        &options,
        &|| bar.inc(1),
    );
    bar.finish_and_clear();
    let file = sections::SectionFile::comparison(sections::comparison(&comparison), &comparison);
    args.common.emit(shell, &file, |_| render(&comparison))?;
    let unsolved = std::iter::once(&comparison.base)
        .chain(comparison.variants.iter().map(|v| &v.outcome))
        .any(|o| !o.solved());
    Ok(if unsolved {
        Exit::Internal
    } else {
        Exit::Success
    })
}

/// The comparison as terminal tables.
pub fn render(comparison: &Comparison) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let outcomes: Vec<_> = std::iter::once(&comparison.base)
        .chain(comparison.variants.iter().map(|v| &v.outcome))
        .collect();
    let width = outcomes
        .iter()
        .map(|o| o.scenario.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let _ = writeln!(
        s,
        "{:width$}  {:>10}  {:>16}  {:>16}",
        "scenario", "status", "objective", "delta"
    );
    for (i, o) in outcomes.iter().enumerate() {
        let delta = if i == 0 {
            String::new()
        } else {
            comparison.variants[i - 1]
                .delta
                .objective
                .map_or_else(|| "-".into(), fmt_delta)
        };
        let _ = writeln!(
            s,
            "{:width$}  {:>10}  {:>16}  {:>16}",
            o.scenario,
            o.status,
            o.objective.map_or_else(|| "-".into(), fmt_num),
            delta
        );
    }
    for product in &comparison.base.products {
        let _ = writeln!(s, "\nproduct {}", product.kpi.product);
        let _ = writeln!(
            s,
            "  {:width$}  {:>14}  {:>14}  {:>8}  {:>14}  {:>16}  {:>16}",
            "scenario", "required", "delivered", "fill", "final backlog", "shortage", "Δ shortage"
        );
        for (i, o) in outcomes.iter().enumerate() {
            let Some(p) = o
                .products
                .iter()
                .find(|p| p.kpi.product == product.kpi.product)
            else {
                continue;
            };
            let delta = if i == 0 {
                String::new()
            } else {
                comparison.variants[i - 1]
                    .delta
                    .products
                    .iter()
                    .find(|d| d.id == p.kpi.product)
                    .map_or_else(String::new, |d| fmt_units_delta(d.shortage))
            };
            let _ = writeln!(
                s,
                "  {:width$}  {:>14}  {:>14}  {:>8}  {:>14}  {:>16}  {:>16}",
                o.scenario,
                fmt_units(p.kpi.required),
                fmt_units(p.kpi.delivered),
                fmt_rate(p.kpi.fill_rate),
                fmt_units(p.final_backlog),
                fmt_units(p.kpi.shortage),
                delta
            );
        }
    }
    windows(&mut s, &outcomes, width);
    for v in &comparison.variants {
        let d = &v.delta;
        if !d.expansions_added.is_empty() || !d.expansions_dropped.is_empty() {
            let _ = writeln!(
                s,
                "\n{}: expansions added [{}], dropped [{}]",
                v.outcome.scenario,
                d.expansions_added.join(", "),
                d.expansions_dropped.join(", ")
            );
        }
    }
    s
}

/// The time windows of the cases' policies and routes (docs/windows.md),
/// one row per windowed policy or route, one column per case (`-`: no
/// window there); nothing when no case has one.
fn windows(s: &mut String, outcomes: &[&Outcome], width: usize) {
    use std::fmt::Write as _;
    let mut subjects: Vec<&str> = Vec::new();
    for w in outcomes.iter().flat_map(|o| &o.windows) {
        if !subjects.contains(&w.subject.as_str()) {
            subjects.push(&w.subject);
        }
    }
    if subjects.is_empty() {
        return;
    }
    let column = outcomes
        .iter()
        .flat_map(|o| o.windows.iter().map(|w| w.periods.len()))
        .chain(outcomes.iter().map(|o| o.scenario.len()))
        .max()
        .unwrap_or(0);
    let label = subjects
        .iter()
        .map(|x| x.len())
        .max()
        .unwrap_or(0)
        .max(width);
    let _ = writeln!(
        s,
        "\ntime windows (periods a policy binds, a route is open)"
    );
    let _ = write!(s, "  {:label$}", "");
    for o in outcomes {
        let _ = write!(s, "  {:column$}", o.scenario);
    }
    s.push('\n');
    for subject in subjects {
        let _ = write!(s, "  {subject:label$}");
        for o in outcomes {
            let periods = o
                .windows
                .iter()
                .find(|w| w.subject == subject)
                .map_or("-", |w| w.periods.as_str());
            let _ = write!(s, "  {periods:column$}");
        }
        s.push('\n');
    }
}
