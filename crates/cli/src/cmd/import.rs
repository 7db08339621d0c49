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
use std::path::PathBuf;

use anyhow::Context;
use caisson_sheets::{Sheet, SheetError};
use serde_json::json;

use crate::exit::{CmdResult, Exit, Failure};
use crate::format::Format;
use crate::shell::Shell;

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
pub fn run(args: &Args, shell: &mut Shell) -> CmdResult {
    let spinner = if args.format == Format::Json {
        indicatif::ProgressBar::hidden()
    } else {
        shell.spinner("reading sheets")
    };
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
            report_problems(shell, args, &[problem], &[])?;
            return Err(Failure::InvalidInput);
        }
    };
    let imported = match caisson_sheets::sheets_to_scenario(&sheets) {
        Ok(imported) => imported,
        Err(problems) => {
            report_problems(shell, args, &problems, &sheets)?;
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

    match args.format {
        Format::Json => shell.print_json(&json!({
            "input": args.input.display().to_string(),
            "output": args.out.display().to_string(),
            "valid": true,
            "scenario": scenario.name,
            "sheets": super::export::sheets_json(&sheets),
            "errors": [],
            "warnings": imported.warnings,
        }))?,
        Format::Text => {
            if !imported.warnings.is_empty() {
                shell.diagnostics(&caisson_sheets::render(&imported.warnings));
            }
            if !args.quiet {
                shell.print(format_args!(
                    "imported scenario \"{}\" from {} ({} actors, {} products, {} facilities, \
                     {} lines, {} demands, {} contracts, {} policies); wrote {}\n",
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
                ))?;
            }
        }
    }
    Ok(Exit::Success)
}

/// Prints the problems of an input that cannot be imported.
fn report_problems(
    shell: &mut Shell,
    args: &Args,
    problems: &[SheetError],
    sheets: &[Sheet],
) -> Result<(), Failure> {
    match args.format {
        Format::Json => {
            let (errors, warnings): (Vec<&SheetError>, Vec<&SheetError>) =
                problems.iter().partition(|p| p.is_error());
            shell.print_json(&json!({
                "input": args.input.display().to_string(),
                "valid": false,
                "sheets": super::export::sheets_json(sheets),
                "errors": errors,
                "warnings": warnings,
            }))
        }
        Format::Text => {
            let errors = problems.iter().filter(|p| p.is_error()).count();
            shell.diagnostics(&caisson_sheets::render(problems));
            shell.note(format_args!(
                "{}: cannot import ({errors} error{})",
                args.input.display(),
                if errors == 1 { "" } else { "s" }
            ));
            Ok(())
        }
    }
}
