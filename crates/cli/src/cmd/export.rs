//! `caisson export`: a scenario and/or a plan as a spreadsheet (an xlsx
//! workbook or a directory of CSV files), in the layout of the
//! `caisson-sheets` crate that `caisson import` reads back.
//!
//! Output: a line per file written (text), or with `--format json` one
//! object on stdout: `output`, `layout` (`xlsx` or `csv`) and `sheets`
//! (`name` and `rows` of each). Exit codes: 0 written; 1 an input failed
//! to load (or holds what a workbook cannot); 2 usage; 3 the output could
//! not be written.

use std::fs;
use std::path::{Path, PathBuf};

use caisson_sheets::Sheet;
use serde_json::{json, Value};

use crate::exit::{CmdResult, Exit, Failure};
use crate::format::Format;
use crate::shell::Shell;

/// Arguments of `caisson export`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A scenario (`.toml`, or `.json`), or a plan (`caisson-plan/1` JSON)
    /// to export alone.
    #[arg(value_name = "INPUT")]
    pub input: PathBuf,
    /// Also export this plan of the scenario (its records and KPIs, as
    /// `plan_*` sheets).
    #[arg(long, value_name = "PLAN.json")]
    pub plan: Option<PathBuf>,
    /// Write an xlsx workbook.
    #[arg(
        long,
        value_name = "FILE.xlsx",
        required_unless_present = "csv",
        conflicts_with = "csv"
    )]
    pub xlsx: Option<PathBuf>,
    /// Write one CSV file per sheet into this directory (created if needed).
    #[arg(long, value_name = "DIR")]
    pub csv: Option<PathBuf>,
    /// What to print on stdout: text, or a JSON summary of the sheets.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Print nothing on success (errors still go to stderr).
    #[arg(long, short)]
    pub quiet: bool,
}

fn invalid(path: &Path, problem: impl std::fmt::Display) -> Failure {
    Failure::InvalidInputMessage(format!("{}: {problem}", path.display()))
}

/// The JSON of `path` if it is a `caisson-plan/1` plan.
fn as_plan(path: &Path) -> Result<Option<Value>, Failure> {
    let is_json = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if !is_json {
        return Ok(None);
    }
    let text = fs::read_to_string(path).map_err(|e| invalid(path, format!("cannot read: {e}")))?;
    // Not JSON at all: the scenario loader says why, with a position.
    let Ok(value) = serde_json::from_str::<Value>(&text) else {
        return Ok(None);
    };
    let is_plan = value.get("format").and_then(Value::as_str) == Some(caisson_plan::FORMAT);
    Ok(is_plan.then_some(value))
}

fn read_plan(path: &Path) -> Result<Value, Failure> {
    let text = fs::read_to_string(path).map_err(|e| invalid(path, format!("cannot read: {e}")))?;
    serde_json::from_str(&text).map_err(|e| invalid(path, format!("not JSON: {e}")))
}

fn plan_sheets(path: &Path, plan: &Value) -> Result<Vec<Sheet>, Failure> {
    caisson_sheets::plan_to_sheets(plan).map_err(|e| invalid(path, e))
}

/// Runs `caisson export`.
pub fn run(args: &Args, shell: &mut Shell) -> CmdResult {
    let mut sheets = Vec::new();
    match as_plan(&args.input)? {
        Some(plan) => {
            if args.plan.is_some() {
                return Err(Failure::InvalidInputMessage(format!(
                    "{} is already a plan; give a scenario with --plan, or the plan alone",
                    args.input.display()
                )));
            }
            sheets.extend(plan_sheets(&args.input, &plan)?);
        }
        None => {
            let loaded = crate::load::scenario(shell, &args.input)?;
            let scenario_sheets = caisson_sheets::scenario_to_sheets(&loaded.scenario)
                .map_err(|e| invalid(&args.input, e))?;
            sheets.extend(scenario_sheets);
            if let Some(path) = &args.plan {
                let plan = read_plan(path)?;
                let of = plan.get("scenario").and_then(Value::as_str);
                if of.is_some_and(|name| name != loaded.scenario.name) && !args.quiet {
                    shell.warn(format_args!(
                        "{} is a plan of scenario \"{}\", not of \"{}\"",
                        path.display(),
                        of.unwrap_or_default(),
                        loaded.scenario.name
                    ));
                }
                sheets.extend(plan_sheets(path, &plan)?);
            }
        }
    }

    let spinner = if args.format == Format::Json {
        indicatif::ProgressBar::hidden()
    } else {
        shell.spinner("writing sheets")
    };
    let (output, layout, written) = match (&args.xlsx, &args.csv) {
        (Some(path), _) => (path, "xlsx", caisson_sheets::write_xlsx(path, &sheets)),
        (None, Some(dir)) => (dir, "csv", caisson_sheets::write_csv_dir(dir, &sheets)),
        // clap requires one of the two.
        (None, None) => {
            return Err(Failure::InvalidInputMessage(
                "give --xlsx FILE or --csv DIR".into(),
            ))
        }
    };
    spinner.finish_and_clear();
    written.map_err(|e| Failure::Internal(e.into()))?;

    match args.format {
        Format::Json => shell.print_json(&json!({
            "output": output.display().to_string(),
            "layout": layout,
            "sheets": sheets_json(&sheets),
        }))?,
        Format::Text if args.quiet => {}
        Format::Text => shell.print(text_summary(output, layout, &sheets))?,
    }
    Ok(Exit::Success)
}

/// Sheet names and their data row counts, as the JSON summaries give them.
pub(crate) fn sheets_json(sheets: &[Sheet]) -> Vec<Value> {
    sheets
        .iter()
        .map(|s| json!({ "name": s.name, "rows": s.data_rows() }))
        .collect()
}

/// The text summary: the file written and each sheet's row count.
fn text_summary(output: &Path, layout: &str, sheets: &[Sheet]) -> String {
    use std::fmt::Write as _;
    let mut text = String::new();
    let what = if layout == "xlsx" {
        "workbook"
    } else {
        "CSV directory"
    };
    let _ = writeln!(
        text,
        "wrote {what} {} ({} sheets)",
        output.display(),
        sheets.len()
    );
    let width = sheets.iter().map(|s| s.name.len()).max().unwrap_or(0);
    for sheet in sheets {
        let rows = sheet.data_rows();
        let plural = if rows == 1 { "" } else { "s" };
        let _ = writeln!(text, "  {:width$}  {rows} row{plural}", sheet.name);
    }
    text
}
