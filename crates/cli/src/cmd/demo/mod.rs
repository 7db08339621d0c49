//! `caisson demo`: the main job on the built-in European ammunition scenario.
//!
//! Writes the built-in scenario files to the output directory, validates
//! them, plans the base, compares it with every variant, runs the risk
//! analysis, writes the HTML report and prints a short answer in plain words
//! with the key numbers.

mod analysis_doc;
mod answer;
mod breakeven_doc;
mod sensitivity_doc;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use caisson_analysis::compare::{compare_and_plan, Variant};
use caisson_analysis::risk::{analyse, count_replans, RiskOptions};
use caisson_planner::PlanOptions;

use crate::cmd::analysis_args::write_json;
use crate::exit::{CmdResult, Exit, Failure};
use crate::format::Format;
use crate::shell::Shell;
use crate::{load, sections};

/// The built-in scenario: (file name, contents), base first.
const FILES: [(&str, &str); 5] = [
    (
        "base.toml",
        include_str!("../../../../../examples/europe-2025/base.toml"),
    ),
    (
        "serbia-integrated.toml",
        include_str!("../../../../../examples/europe-2025/serbia-integrated.toml"),
    ),
    (
        "serbia-lost.toml",
        include_str!("../../../../../examples/europe-2025/serbia-lost.toml"),
    ),
    (
        "explosives-shock.toml",
        include_str!("../../../../../examples/europe-2025/explosives-shock.toml"),
    ),
    (
        "us-withdraws.toml",
        include_str!("../../../../../examples/europe-2025/us-withdraws.toml"),
    ),
];

/// The MIP gap of the risk re-plans: they rank losses and policies whose
/// effects are orders of magnitude above it, and the default 1e-6 would
/// triple the demo's run time. The plans and comparison use the default.
const RISK_MIP_GAP: f64 = 1e-4;

/// Arguments of `caisson demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory for the scenario files, plans, comparison, risk analysis,
    /// answer and HTML report.
    #[arg(long, default_value = "caisson-demo")]
    pub out: PathBuf,
    /// No progress bars.
    #[arg(long, short)]
    pub quiet: bool,
    /// Also write the analysis document (the answer, every variant, the
    /// dependency shares, the most critical suppliers, the price of each
    /// policy and the caveats) to this Markdown file; this is how
    /// `docs/europe-2025.md` is made (`scripts/europe-2025-doc.sh`).
    #[arg(long, value_name = "FILE.md")]
    pub analysis_doc: Option<PathBuf>,
    /// A saved `caisson sensitivity` run (`caisson-sensitivity/1` JSON) of
    /// the integrate-or-lose answer, for the analysis document's section on
    /// assumptions and the report's tornado; the run itself is too long
    /// for the demo (`scripts/europe-2025-doc.sh` makes it).
    #[arg(long, value_name = "FILE.json")]
    pub sensitivity: Option<PathBuf>,
    /// A saved `caisson breakeven` run (`caisson-breakeven/1` JSON) of
    /// Serbian contracts against EU ramp-ups under political risk, for the
    /// analysis document's section and the report's chart; the run is too
    /// long for the demo (`scripts/europe-2025-doc.sh` makes it).
    #[arg(long, value_name = "FILE.json")]
    pub breakeven: Option<PathBuf>,
    /// What to print on stdout: the answer as text, or a JSON summary (the
    /// answer's Markdown, the report's path and every file written).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Runs `caisson demo`.
pub fn run(args: &Args, shell: &mut Shell) -> CmdResult {
    let started = Instant::now();
    let sensitivity = args
        .sensitivity
        .as_deref()
        .map(sensitivity_doc::read)
        .transpose()?;
    let breakeven = args
        .breakeven
        .as_deref()
        .map(breakeven_doc::read)
        .transpose()?;
    let dir = &args.out;
    let scenario_dir = dir.join("scenarios");
    fs::create_dir_all(&scenario_dir)
        .with_context(|| format!("creating {}", scenario_dir.display()))?;
    for (name, text) in FILES {
        write(&scenario_dir.join(name), text)?;
    }
    shell.status("validating the built-in scenario and its variants");
    let loaded = FILES
        .iter()
        .map(|(name, _)| load::scenario(shell, &scenario_dir.join(name)))
        .collect::<Result<Vec<_>, _>>()?;
    let labels: Vec<&str> = FILES
        .iter()
        .map(|(name, _)| name.trim_end_matches(".toml"))
        .collect();
    let base = &loaded[0].scenario;

    shell.status(format_args!(
        "planning the base and every variant; risk analysis: supplier criticality and the \
         price of each policy (re-plans stop within a relative MIP gap of {RISK_MIP_GAP:e})"
    ));
    // One HiGHS thread per solve: solves run side by side, and HiGHS keeps
    // one thread pool per process, so every solve here must agree on it.
    let options = PlanOptions {
        threads: Some(1),
        ..PlanOptions::default()
    };
    let risk_options = RiskOptions {
        facilities: false,
        policy_lists: false,
        plan: PlanOptions {
            mip_gap: RISK_MIP_GAP,
            ..options.clone()
        },
    };
    let bar = shell.bar(FILES.len() + count_replans(base, &risk_options), "planning");
    let cases: Vec<Variant<'_>> = loaded[1..]
        .iter()
        .zip(&labels[1..])
        .map(|(l, label)| Variant {
            label,
            scenario: &l.scenario,
        })
        .collect();
    // The risk analysis runs beside the comparison: its baseline and the
    // baseline's simplex bases are prepared on one thread while the
    // comparison's solves keep the other cores busy. Every solve has one
    // HiGHS thread and its result does not depend on the thread that runs
    // it, so this changes the time only.
    let (comparison, plan, risk) = std::thread::scope(|scope| {
        let risk = scope.spawn(|| analyse(base, &risk_options, &|| bar.inc(1)));
        // The comparison's base case is the base's plan, with capacity
        // shadow prices for the explanations when its LPs proved it
        // (they do on the built-in scenario); else it is planned again in
        // full.
        let (comparison, plan) = compare_and_plan(
            Variant {
                label: labels[0],
                scenario: base,
            },
            &cases,
            &options,
            &|| bar.inc(1),
        );
        let plan = if plan.capacity_duals.is_some() {
            plan
        } else {
            caisson_planner::plan(base, &options)
        };
        match risk.join() {
            Ok(risk) => (comparison, plan, risk),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    });
    bar.finish_and_clear();

    if !plan.status.has_solution() {
        return Err(Failure::Internal(anyhow::anyhow!(
            "the base scenario ended with status {}",
            plan.status.name()
        )));
    }
    caisson_report::write_json_file(base, &plan, &dir.join("plan-base.json"))
        .context("writing the base plan")?;
    caisson_report::write_csv_dir(base, &plan, &dir.join("plan-base-csv"))
        .context("writing the base plan as CSV")?;

    let comparison_section = sections::comparison(&comparison);
    let criticality_section = sections::criticality(&risk);
    write_json(
        &dir.join("comparison.json"),
        &sections::SectionFile::comparison(comparison_section.clone(), &comparison),
    )?;
    write_json(
        &dir.join("risk.json"),
        &sections::SectionFile::criticality(criticality_section.clone(), &risk),
    )?;

    let plan_json =
        crate::cmd::report::plan_for_report(base, &plan).context("building the plan document")?;
    let mut doc = caisson_html::ReportDocument::new("Caisson: European ammunition 2025-2030");
    doc.plan = Some(
        caisson_html::plan_section(&plan_json, Some(base))
            .map_err(|e| Failure::Internal(anyhow::anyhow!("building the report: {e}")))?,
    );
    doc.comparison = Some(comparison_section);
    doc.criticality = Some(criticality_section);
    doc.sensitivity = sensitivity.as_ref().map(crate::cmd::sensitivity::tornado);
    doc.breakeven = breakeven.as_ref().map(|run| run.section.clone());
    let report_path = dir.join("report.html");
    write(&report_path, &caisson_html::render(&doc))?;

    let answer = answer::Answer::new(base, &comparison, &risk);
    let markdown = answer.markdown();
    write(&dir.join("answer.md"), &markdown)?;
    if let Some(path) = &args.analysis_doc {
        let document = analysis_doc::render(&analysis_doc::Inputs {
            fingerprint: analysis_doc::fingerprint(FILES),
            answer: &markdown,
            comparison: &comparison,
            risk: &risk,
            gaps: (options.mip_gap, RISK_MIP_GAP),
            sensitivity: sensitivity.as_ref(),
            breakeven: breakeven.as_ref(),
        });
        write(path, &document)?;
    }
    let seconds = started.elapsed().as_secs_f64();
    match args.format {
        Format::Text => {
            shell.print(format_args!(
                "{markdown}\nReport: {}  (plans, comparison and risk JSON beside it; {seconds:.0} s)\n",
                report_path.display()
            ))?;
        }
        Format::Json => {
            let summary = serde_json::json!({
                "answer": markdown,
                "report": report_path,
                "outputs": {
                    "scenarios": scenario_dir,
                    "plan": dir.join("plan-base.json"),
                    "plan_csv": dir.join("plan-base-csv"),
                    "comparison": dir.join("comparison.json"),
                    "risk": dir.join("risk.json"),
                    "answer": dir.join("answer.md"),
                    "analysis_doc": args.analysis_doc,
                },
                "seconds": seconds,
            });
            shell.print_json(&summary)?;
        }
    }
    Ok(Exit::Success)
}

fn write(path: &Path, text: &str) -> Result<(), Failure> {
    fs::write(path, text)
        .with_context(|| format!("writing {}", path.display()))
        .map_err(Failure::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `docs/europe-2025.md` is generated from these files; if they change,
    /// the document must be regenerated (`scripts/europe-2025-doc.sh`).
    #[test]
    fn the_analysis_document_was_generated_from_the_current_example_files() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/europe-2025.md");
        let text = fs::read_to_string(&path).expect("docs/europe-2025.md exists");
        let recorded = text
            .lines()
            .find_map(|l| l.strip_prefix(analysis_doc::FINGERPRINT_MARKER))
            .and_then(|rest| rest.strip_suffix(" -->"))
            .expect("the document records its inputs' fingerprint");
        assert_eq!(
            recorded,
            analysis_doc::fingerprint(FILES),
            "examples/europe-2025 changed since docs/europe-2025.md was generated: \
             run scripts/europe-2025-doc.sh"
        );
    }
}
