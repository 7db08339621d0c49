//! `caisson report`: one self-contained HTML page (scripts, styles and
//! data inlined; nothing fetched) with the charts and tables of a plan and,
//! when given, of `compare`, `risk` and `simulate` results.
//!
//! Inputs, classified by content: a `caisson-plan/1` plan, a scenario
//! (`.toml`, or `.json` without a known `format`: it is planned first), a
//! whole `caisson-report/1` document, or one analysis section
//! (`caisson-comparison/1`, `caisson-criticality/1`,
//! `caisson-simulation/1`, `caisson-sensitivity/1`, `caisson-breakeven/1`; shapes in the `caisson-html` crate docs). At most
//! one plan or scenario; `--scenario` gives a plan's scenario for the views
//! a plan file alone cannot draw (line utilisation, buyers, exporters).
//!
//! Exit codes: 0 written; 1 an input failed to load; 2 usage; 3 the report
//! could not be written, or planning a scenario ended without a plan (the
//! report, showing the status, is still written).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use caisson_html::{
    Breakeven, Comparison, Criticality, InputKind, ReportDocument, Sensitivity, Simulation,
};
use caisson_model::Scenario;
use caisson_plan::document::PlanDocument;
use caisson_plan::{Plan, Quantities};
use serde_json::Value;

use crate::exit::{CmdResult, Exit, Failure};
use crate::format::Format;
use crate::shell::Shell;
use crate::solver::SolverArgs;

/// Arguments of `caisson report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Plan JSON, scenario, or compare/risk/simulate JSON files (see above).
    #[arg(value_name = "INPUT", required = true)]
    pub inputs: Vec<PathBuf>,
    /// Write the HTML report to this file.
    #[arg(long, value_name = "FILE.html")]
    pub out: PathBuf,
    /// The scenario of a plan given as JSON (adds utilisation, buyers and
    /// exporting states).
    #[arg(long, value_name = "SCENARIO")]
    pub scenario: Option<PathBuf>,
    /// The page title (default: from the scenario's name).
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// Also write the report document (`caisson-report/1` JSON) to this file.
    #[arg(long, value_name = "FILE.json")]
    pub json: Option<PathBuf>,
    /// What to print on stdout: a line of text, or a JSON summary (the
    /// report's path, size and the views it holds).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// No progress spinner while planning a scenario.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub solver: SolverArgs,
}

/// One classified input.
enum Input {
    Plan(PathBuf, Value),
    Scenario(PathBuf),
    Report(PathBuf, Box<ReportDocument>),
    Comparison(PathBuf, Comparison),
    Criticality(PathBuf, Criticality),
    Simulation(PathBuf, Simulation),
    Sensitivity(PathBuf, Sensitivity),
    Breakeven(PathBuf, Breakeven),
}

fn invalid(path: &Path, problem: impl std::fmt::Display) -> Failure {
    Failure::InvalidInputMessage(format!("{}: {problem}", path.display()))
}

fn read_json(path: &Path) -> Result<Value, Failure> {
    let text = fs::read_to_string(path).map_err(|e| invalid(path, format!("cannot read: {e}")))?;
    serde_json::from_str(&text).map_err(|e| invalid(path, format!("not valid JSON: {e}")))
}

fn classify(path: &Path) -> Result<Input, Failure> {
    let is_json = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if !is_json {
        return Ok(Input::Scenario(path.to_owned()));
    }
    let value = read_json(path)?;
    let bad = |e: caisson_html::ReportError| invalid(path, e);
    Ok(match InputKind::of(&value) {
        Some(InputKind::Plan) => Input::Plan(path.to_owned(), value),
        Some(InputKind::Report) => Input::Report(
            path.to_owned(),
            Box::new(ReportDocument::from_json(&value).map_err(bad)?),
        ),
        Some(InputKind::Comparison) => {
            Input::Comparison(path.to_owned(), Comparison::from_json(&value).map_err(bad)?)
        }
        Some(InputKind::Criticality) => Input::Criticality(
            path.to_owned(),
            Criticality::from_json(&value).map_err(bad)?,
        ),
        Some(InputKind::Simulation) => {
            Input::Simulation(path.to_owned(), Simulation::from_json(&value).map_err(bad)?)
        }
        Some(InputKind::Sensitivity) => Input::Sensitivity(
            path.to_owned(),
            Sensitivity::from_json(&value).map_err(bad)?,
        ),
        Some(InputKind::Breakeven) => {
            Input::Breakeven(path.to_owned(), Breakeven::from_json(&value).map_err(bad)?)
        }
        None => Input::Scenario(path.to_owned()),
    })
}

/// The plan document of `plan` as the HTML report reads it: the plan JSON,
/// with its shortage explanations' sentences in whole units like the rest
/// of the page (the plan JSON files written to disk keep exact values).
pub(crate) fn plan_for_report(scenario: &Scenario, plan: &Plan) -> anyhow::Result<Value> {
    let mut value = caisson_report::to_json_value(scenario, plan).context("encoding the plan")?;
    set_whole_unit_explanations(&mut value, scenario, plan);
    Ok(value)
}

/// A plan file's explanations re-derived in whole units for the page, when
/// its scenario is given and its records resolve against it (to the same
/// plan, capacity duals included, so to the same causes). A document that
/// carries no `explanations`, or does not resolve, is left as it is: the
/// section reports its problems itself.
fn explain_in_whole_units(value: &mut Value, scenario: &Scenario) {
    if value.get("explanations").is_none() {
        return;
    }
    if let Ok(plan) = PlanDocument::from_value(value).and_then(|doc| doc.to_plan(scenario)) {
        set_whole_unit_explanations(value, scenario, &plan);
    }
}

/// Replaces the document's `explanations` with `plan`'s, in whole units.
fn set_whole_unit_explanations(value: &mut Value, scenario: &Scenario, plan: &Plan) {
    if let Some(object) = value.as_object_mut() {
        object.insert(
            "explanations".to_owned(),
            caisson_report::explanations_json(scenario, plan, Quantities::Whole),
        );
    }
}

/// Runs `caisson report`.
pub fn run(args: &Args, shell: &mut Shell) -> CmdResult {
    let options = args.solver.plan_options()?;
    let inputs = args
        .inputs
        .iter()
        .map(|p| classify(p))
        .collect::<Result<Vec<_>, _>>()?;

    let mut doc: Option<ReportDocument> = None;
    let mut base: Option<(PathBuf, Value)> = None;
    let mut scenario_path: Option<PathBuf> = None;
    let mut comparison = None;
    let mut criticality = None;
    let mut simulation = None;
    let mut sensitivity = None;
    let mut breakeven = None;
    let twice =
        |what: &str, path: &Path| invalid(path, format!("a second {what}: give at most one"));
    for input in inputs {
        match input {
            Input::Plan(path, value) => {
                if base.is_some() || scenario_path.is_some() {
                    return Err(twice("plan or scenario", &path));
                }
                base = Some((path, value));
            }
            Input::Scenario(path) => {
                if base.is_some() || scenario_path.is_some() {
                    return Err(twice("plan or scenario", &path));
                }
                scenario_path = Some(path);
            }
            Input::Report(path, d) => {
                if doc.is_some() {
                    return Err(twice("report document", &path));
                }
                doc = Some(*d);
            }
            Input::Comparison(path, c) => {
                if comparison.replace(c).is_some() {
                    return Err(twice("comparison", &path));
                }
            }
            Input::Criticality(path, c) => {
                if criticality.replace(c).is_some() {
                    return Err(twice("criticality ranking", &path));
                }
            }
            Input::Simulation(path, s) => {
                if simulation.replace(s).is_some() {
                    return Err(twice("simulation", &path));
                }
            }
            Input::Sensitivity(path, s) => {
                if sensitivity.replace(s).is_some() {
                    return Err(twice("sensitivity", &path));
                }
            }
            Input::Breakeven(path, b) => {
                if breakeven.replace(b).is_some() {
                    return Err(twice("break-even comparison", &path));
                }
            }
        }
    }
    if args.scenario.is_some() && base.is_none() {
        return Err(Failure::InvalidInputMessage(
            "--scenario gives the scenario of a plan file: give a plan (caisson-plan/1 JSON) as INPUT".to_owned(),
        ));
    }

    // The plan section: from a plan file (with its scenario when given), or
    // from planning a scenario.
    let mut solver_failure: Option<String> = None;
    let section = if let Some((path, value)) = &base {
        let scenario = args
            .scenario
            .as_deref()
            .map(|p| crate::load::scenario(shell, p).map(|l| l.scenario))
            .transpose()?;
        let mut value = value.clone();
        if let Some(scenario) = &scenario {
            explain_in_whole_units(&mut value, scenario);
        }
        Some(caisson_html::plan_section(&value, scenario.as_ref()).map_err(|e| invalid(path, e))?)
    } else if let Some(path) = &scenario_path {
        let scenario = crate::load::scenario(shell, path)?.scenario;
        let spinner = shell.spinner("planning the scenario");
        let plan = caisson_planner::plan(&scenario, &options);
        spinner.finish_and_clear();
        if !plan.status.has_solution() {
            solver_failure = Some(crate::cmd::plan::no_plan_message(&plan));
        }
        let value = plan_for_report(&scenario, &plan)?;
        Some(
            caisson_html::plan_section(&value, Some(&scenario))
                .context("building the report from the plan")?,
        )
    } else {
        None
    };

    let mut doc = doc.unwrap_or_else(|| ReportDocument::new("Caisson report"));
    if let Some(section) = section {
        if doc.plan.is_none() && args.title.is_none() {
            doc.title = format!("Caisson plan report: {}", section.scenario);
        }
        doc.plan = Some(section);
    }
    if comparison.is_some() {
        doc.comparison = comparison;
    }
    if criticality.is_some() {
        doc.criticality = criticality;
    }
    if simulation.is_some() {
        doc.simulation = simulation;
    }
    if sensitivity.is_some() {
        doc.sensitivity = sensitivity;
    }
    if breakeven.is_some() {
        doc.breakeven = breakeven;
    }
    if let Some(title) = &args.title {
        doc.title.clone_from(title);
    }

    let page = caisson_html::render(&doc);
    fs::write(&args.out, page.as_bytes())
        .with_context(|| format!("writing the report to {}", args.out.display()))?;
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&doc).context("encoding the report document")?;
        fs::write(path, text + "\n")
            .with_context(|| format!("writing the report document to {}", path.display()))?;
    }
    match args.format {
        Format::Text => {
            shell.print(format_args!(
                "report written to {} ({} KiB, self-contained)\n",
                args.out.display(),
                page.len().div_ceil(1024)
            ))?;
        }
        Format::Json => {
            let views: Vec<&str> = [
                ("plan", doc.plan.is_some()),
                ("comparison", doc.comparison.is_some()),
                ("criticality", doc.criticality.is_some()),
                ("simulation", doc.simulation.is_some()),
                ("sensitivity", doc.sensitivity.is_some()),
                ("breakeven", doc.breakeven.is_some()),
            ]
            .into_iter()
            .filter_map(|(name, present)| present.then_some(name))
            .collect();
            let summary = serde_json::json!({
                "report": args.out,
                "bytes": page.len(),
                "title": doc.title,
                "views": views,
                "solver_failure": solver_failure,
            });
            shell.print_json(&summary)?;
        }
    }

    match solver_failure {
        Some(message) => Err(Failure::NoPlan(message)),
        None => Ok(Exit::Success),
    }
}
