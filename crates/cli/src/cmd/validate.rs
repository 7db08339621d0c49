//! `caisson validate`: check scenario files and summarise what they hold.
//!
//! Text output: for each file a summary on stdout (or its diagnostics on
//! stderr, rustc style); warnings go to stderr too. JSON output
//! (`--format json`): one array on stdout with one object per file, each
//! with `file`, `valid`, `summary` (null when invalid) and `diagnostics`.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use caisson_model::Scenario;
use caisson_scenario::{Diagnostic, Severity};
use serde_json::{json, Value};

use crate::exit::{CmdResult, Failure};
use crate::format::Format;

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
pub fn run(args: &Args) -> CmdResult {
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
    let printed = match args.format {
        Format::Text => print_text(&outcomes),
        Format::Json => print_json(&outcomes),
    };
    match printed {
        // A closed pipe (e.g. `| head`) is not a failure of validation.
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => {}
        Err(error) => return Err(Failure::Internal(error.into())),
        Ok(()) => {}
    }
    if outcomes.iter().all(|o| o.scenario.is_some()) {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(Failure::InvalidInput)
    }
}

fn print_text(outcomes: &[Outcome]) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    let mut stderr = io::stderr().lock();
    for outcome in outcomes {
        if !outcome.diagnostics.is_empty() {
            writeln!(stderr, "{}", caisson_scenario::render(&outcome.diagnostics))?;
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
                writeln!(
                    stdout,
                    "{}: valid scenario \"{}\"{}",
                    outcome.file,
                    scenario.name,
                    plural_suffix(warnings, "warning")
                )?;
                writeln!(
                    stdout,
                    "  horizon: {}..{} ({} {}s)",
                    summary.first, summary.last, summary.periods, summary.period
                )?;
                // The `[[uncertainty]]` extension is named only when used.
                let counts: Vec<String> = summary
                    .counts
                    .iter()
                    .filter(|(kind, n)| *kind != "uncertainty" || *n > 0)
                    .map(|(kind, n)| format!("{kind}: {n}"))
                    .collect();
                writeln!(stdout, "  {}", counts.join(", "))?;
            }
            None => {
                writeln!(
                    stdout,
                    "{}: invalid ({} error{}{})",
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
                )?;
            }
        }
    }
    stdout.flush()
}

fn plural_suffix(n: usize, word: &str) -> String {
    match n {
        0 => String::new(),
        1 => format!(" (1 {word})"),
        n => format!(" ({n} {word}s)"),
    }
}

fn print_json(outcomes: &[Outcome]) -> io::Result<()> {
    let values: Vec<Value> = outcomes
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
        .collect();
    let mut stdout = io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &values).map_err(io::Error::from)?;
    writeln!(stdout)?;
    stdout.flush()
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
