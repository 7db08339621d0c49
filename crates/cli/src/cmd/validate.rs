//! `caisson validate`: check scenario files and summarise what they hold.
//!
//! Text output: for each file a summary on stdout (or its diagnostics on
//! stderr, rustc style); warnings go to stderr too. JSON output
//! (`--format json`): one array on stdout with one object per file, each
//! with `file`, `valid`, `summary` (null when invalid) and `diagnostics`.

use std::path::PathBuf;

use caisson_model::Scenario;
use caisson_scenario::{Diagnostic, Severity};
use serde_json::{json, Value};

use crate::exit::{CmdResult, Exit, Failure};
use crate::format::Format;
use crate::shell::Shell;

/// Arguments of `caisson validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario files to check (`.json` is read as JSON, others as TOML).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// The outcome for one file.
struct Outcome {
    file: String,
    scenario: Option<Scenario>,
    diagnostics: Vec<Diagnostic>,
}

/// Runs `caisson validate`.
pub fn run(args: &Args, shell: &mut Shell) -> CmdResult {
    let outcomes: Vec<Outcome> = args
        .files
        .iter()
        .map(|path| {
            let file = path.display().to_string();
            match caisson_scenario::load_path(path) {
                Ok(loaded) => Outcome {
                    file,
                    scenario: Some(loaded.scenario),
                    diagnostics: loaded.warnings,
                },
                Err(error) => Outcome {
                    file,
                    scenario: None,
                    diagnostics: error.diagnostics().to_vec(),
                },
            }
        })
        .collect();
    match args.format {
        Format::Text => print_text(shell, &outcomes)?,
        Format::Json => shell.print_json(&json_outcomes(&outcomes))?,
    }
    if outcomes.iter().all(|o| o.scenario.is_some()) {
        Ok(Exit::Success)
    } else {
        Err(Failure::InvalidInput)
    }
}

fn print_text(shell: &mut Shell, outcomes: &[Outcome]) -> Result<(), Failure> {
    for outcome in outcomes {
        if !outcome.diagnostics.is_empty() {
            shell.diagnostics(&format!(
                "{}\n",
                caisson_scenario::render(&outcome.diagnostics)
            ));
        }
        let count = |severity| {
            outcome
                .diagnostics
                .iter()
                .filter(|d| d.severity == severity)
                .count()
        };
        let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
        match &outcome.scenario {
            Some(scenario) => {
                let summary = Summary::of(scenario);
                shell.print(format_args!(
                    "{}: valid scenario \"{}\"{}\n",
                    outcome.file,
                    scenario.name,
                    plural_suffix(warnings, "warning")
                ))?;
                shell.print(format_args!(
                    "  horizon: {}..{} ({} {}s)\n",
                    summary.first, summary.last, summary.periods, summary.period
                ))?;
                // The `[[uncertainty]]` extension is named only when used.
                let counts: Vec<String> = summary
                    .counts
                    .iter()
                    .filter(|(kind, n)| *kind != "uncertainty" || *n > 0)
                    .map(|(kind, n)| format!("{kind}: {n}"))
                    .collect();
                shell.print(format_args!("  {}\n", counts.join(", ")))?;
            }
            None => {
                shell.print(format_args!(
                    "{}: invalid ({} error{}{})\n",
                    outcome.file,
                    errors,
                    if errors == 1 { "" } else { "s" },
                    if warnings > 0 {
                        format!(
                            ", {warnings} warning{}",
                            if warnings == 1 { "" } else { "s" }
                        )
                    } else {
                        String::new()
                    }
                ))?;
            }
        }
    }
    Ok(())
}

fn plural_suffix(n: usize, word: &str) -> String {
    match n {
        0 => String::new(),
        1 => format!(" (1 {word})"),
        n => format!(" ({n} {word}s)"),
    }
}

fn json_outcomes(outcomes: &[Outcome]) -> Vec<Value> {
    outcomes
        .iter()
        .map(|outcome| {
            let summary = outcome.scenario.as_ref().map(|s| {
                let summary = Summary::of(s);
                let counts: serde_json::Map<String, Value> = summary
                    .counts
                    .iter()
                    .map(|(kind, n)| ((*kind).to_owned(), json!(n)))
                    .collect();
                json!({
                    "name": s.name,
                    "period": summary.period,
                    "first": summary.first,
                    "last": summary.last,
                    "periods": summary.periods,
                    "counts": counts,
                })
            });
            json!({
                "file": outcome.file,
                "valid": outcome.scenario.is_some(),
                "summary": summary,
                "diagnostics": outcome.diagnostics,
            })
        })
        .collect()
}

/// What the summary of a valid scenario shows.
struct Summary {
    period: &'static str,
    first: String,
    last: String,
    periods: usize,
    counts: [(&'static str, usize); 11],
}

impl Summary {
    fn of(s: &Scenario) -> Self {
        let periods = s.periods();
        Summary {
            period: s.calendar.kind.name(),
            first: s.calendar.label(0),
            last: s.calendar.label(periods.saturating_sub(1)),
            periods,
            counts: [
                ("actors", s.actors.len()),
                ("blocs", s.blocs.len()),
                ("products", s.products.len()),
                ("facilities", s.facilities.len()),
                ("lines", s.lines.len()),
                ("expansions", s.expansions.len()),
                ("routes", s.routes.len()),
                ("demands", s.demands.len()),
                ("contracts", s.contracts.len()),
                ("policies", s.policies.len()),
                ("uncertainty", s.uncertainty.len()),
            ],
        }
    }
}
