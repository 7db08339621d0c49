//! `caisson import`: a scenario from a spreadsheet (an xlsx/ods workbook
//! or a directory of CSV files in the layout `caisson export` writes),
//! validated and written as TOML.
//!
//! Problems are reported by sheet, row and column (text on stderr, or
//! with `--format json` an object on stdout with `valid`, `errors` and
//! `warnings`); on success the JSON also has `output`, `scenario` and
//! `sheets`. Exit codes: 0 imported; 1 the input is unreadable or invalid;
//! 2 usage; 3 the output could not be written.

use std::fs;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use caisson_sheets::{Sheet, SheetError};
use serde_json::{json, Value};

use crate::exit::{CmdResult, Failure};
use crate::format::Format;
use crate::progress;

/// Arguments of `caisson import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// An xlsx workbook (also xlsm, xlsb, xls, ods) or a directory of CSV
    /// files (`scenario.csv`, `actors.csv`, ...).
    #[arg(value_name = "FILE.xlsx|DIR")]
    pub input: PathBuf,
    /// Write the scenario (TOML) to this file.
    #[arg(long, value_name = "FILE.toml")]
    pub out: PathBuf,
    /// What to print: text, or a JSON summary (or the errors) on stdout.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Print nothing on success but warnings (errors still go to stderr).
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs `caisson import`.
pub fn run(args: &Args) -> CmdResult {
    let spinner = progress::spinner("reading sheets", args.quiet || args.format == Format::Json);
    let read = if args.input.is_dir() {
        caisson_sheets::read_csv_dir(&args.input)
    } else {
        caisson_sheets::read_xlsx(&args.input)
    };
    spinner.finish_and_clear();
    let sheets = match read {
        Ok(sheets) => sheets,
        Err(error) => {
            let problem = SheetError::new("read-failed", error.to_string());
            report_problems(args, &[problem], &[])?;
            return Err(Failure::InvalidInput);
        }
    };
    let imported = match caisson_sheets::sheets_to_scenario(&sheets) {
        Ok(imported) => imported,
        Err(problems) => {
            report_problems(args, &problems, &sheets)?;
            return Err(Failure::InvalidInput);
        }
    };
    let scenario = &imported.scenario;
    let text = format!(
        "# Imported by `caisson import` from {}.\n{}",
        args.input.display(),
        caisson_scenario::to_toml(scenario)
    );
    // The file must mean what the sheets meant: check before writing, so a
    // field the TOML writer cannot express is never silently dropped.
    let same = caisson_scenario::load_str(&text, &args.out.display().to_string())
        .is_ok_and(|loaded| &loaded.scenario == scenario);
    if !same {
        return Err(Failure::Internal(anyhow::anyhow!(
            "the scenario read from {} would not load back equal from TOML; nothing written",
            args.input.display()
        )));
    }
    fs::write(&args.out, text)
        .with_context(|| format!("cannot write {}", args.out.display()))
        .map_err(Failure::Internal)?;

    let printed = match args.format {
        Format::Json => print(&json!({
            "input": args.input.display().to_string(),
            "output": args.out.display().to_string(),
            "valid": true,
            "scenario": scenario.name,
            "sheets": super::export::sheets_json(&sheets),
            "errors": [],
            "warnings": imported.warnings,
        })),
        Format::Text => {
            if !imported.warnings.is_empty() {
                eprint!("{}", caisson_sheets::render(&imported.warnings));
            }
            if args.quiet {
                Ok(())
            } else {
                let mut stdout = io::stdout().lock();
                writeln!(
                    stdout,
                    "imported scenario \"{}\" from {} ({} actors, {} products, {} facilities, \
                     {} lines, {} demands, {} contracts, {} policies); wrote {}",
                    scenario.name,
                    args.input.display(),
                    scenario.actors.len(),
                    scenario.products.len(),
                    scenario.facilities.len(),
                    scenario.lines.len(),
                    scenario.demands.len(),
                    scenario.contracts.len(),
                    scenario.policies.len(),
                    args.out.display()
                )
                .and_then(|()| stdout.flush())
            }
        }
    };
    match printed {
        Err(error) if error.kind() != io::ErrorKind::BrokenPipe => {
            Err(Failure::Internal(error.into()))
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

/// Prints the problems of an input that cannot be imported.
fn report_problems(args: &Args, problems: &[SheetError], sheets: &[Sheet]) -> Result<(), Failure> {
    let printed = match args.format {
        Format::Json => {
            let (errors, warnings): (Vec<&SheetError>, Vec<&SheetError>) =
                problems.iter().partition(|p| p.is_error());
            print(&json!({
                "input": args.input.display().to_string(),
                "valid": false,
                "sheets": super::export::sheets_json(sheets),
                "errors": errors,
                "warnings": warnings,
            }))
        }
        Format::Text => {
            let mut stderr = io::stderr().lock();
            let errors = problems.iter().filter(|p| p.is_error()).count();
            write!(stderr, "{}", caisson_sheets::render(problems)).and_then(|()| {
                writeln!(
                    stderr,
                    "{}: cannot import ({errors} error{})",
                    args.input.display(),
                    if errors == 1 { "" } else { "s" }
                )
            })
        }
    };
    match printed {
        Err(error) if error.kind() != io::ErrorKind::BrokenPipe => {
            Err(Failure::Internal(error.into()))
        }
        _ => Ok(()),
    }
}

fn print(value: &Value) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, value).map_err(io::Error::from)?;
    writeln!(stdout)?;
    stdout.flush()
}
