//! `caisson bench`: measure each stage of planning, per scenario size.
//!
//! For each case (a preset size, a point of a scaling curve, a scenario
//! file, the greedy baseline or a big file to load) the scenario is
//! generated and written to a temporary TOML file (not timed); then a child
//! process (`caisson bench --one FILE`, hidden) loads and validates it,
//! builds the model, passes it to HiGHS, solves, derives the plan and writes
//! it as JSON, timing each stage and reading its resident memory from
//! `/proc/self`. One process per case makes the peak memory that case's
//! alone. The parent prints a table (or `--format json`) and writes the JSON
//! document with `--out`.
//!
//! With `--replan FILE` the bench also re-plans FILE's one-change cases
//! cold and warm from the base's simplex bases, in this process, and gives
//! the verdict on issue 18's re-plan goal (see [`replan`]). Rows of `large`,
//! `xl` and the European base get the verdicts on issue 18's other planning
//! goals (see [`goals`]).
//!
//! The overhead ratio is everything but HiGHS's runs over the end-to-end
//! time; "peak/HiGHS" is the process's peak over HiGHS's share of it (see
//! [`measure::Memory`] and `docs/performance.md` for the method).
//!
//! Exit codes: 0 when every case ran, 1 when a scenario file fails to load
//! or an option is invalid, 3 when a case's child process failed (the other
//! cases are still measured and printed).

mod cases;
mod goals;
mod machine;
mod measure;
mod memory;
mod render;
mod replan;
mod runner;

use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use caisson_generate::Size;
use caisson_planner::{PlanOptions, RelaxFirst};
use serde::Serialize;

use self::cases::{Group, Scaling, Selection, Source};
use self::machine::Machine;
use self::measure::{Measurement, Mode};
use crate::exit::{CmdResult, Exit, Failure};
use crate::format::Format;
use crate::shell::Shell;
use crate::solver::SolverArgs;

/// The JSON document's format tag.
const FORMAT: &str = "caisson-bench/1";

/// Arguments of `caisson bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Preset sizes to measure, comma-separated (`none` for none).
    #[arg(
        long,
        value_name = "SIZES",
        default_value = "small,medium,large,xl",
        value_parser = parse_sizes
    )]
    pub sizes: Sizes,
    /// Seed of the generated scenarios.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Runs per case; the table shows the run with the median end-to-end
    /// time and the largest peak memory.
    #[arg(long, value_name = "K", default_value_t = 1)]
    pub repeat: usize,
    /// Scaling curves: periods 12 to 240 at 40 facilities, facilities 10 to
    /// 1000 at 24 periods, both, or none.
    #[arg(long, value_enum, default_value_t = Scaling::None)]
    pub scaling: Scaling,
    /// Also run the greedy baseline on each size.
    #[arg(long)]
    pub greedy: bool,
    /// Also measure this scenario file (repeatable).
    #[arg(long = "scenario", value_name = "FILE")]
    pub scenarios: Vec<PathBuf>,
    /// Also measure loading (and validating) a generated file of about this
    /// many MB.
    #[arg(long, value_name = "MB")]
    pub load_mb: Option<f64>,
    /// Also re-plan this scenario's one-change cases (a few capacities at
    /// 80%, demands at 120%, policies lifted) from scratch and warm from the
    /// base's simplex bases, in this process, and report the re-plan goal.
    #[arg(long, value_name = "FILE")]
    pub replan: Option<PathBuf>,
    /// Also measure every solved case the way the planner solved it before
    /// issue 18's work (branch and bound alone from the greedy start:
    /// `--relax-first never`), its time limit capped at 240 s, in a row of
    /// its own marked `(before)`: both on the same machine in one run.
    #[arg(long)]
    pub before: bool,
    /// Stop every case after passing the model to HiGHS: no solve (for
    /// scaling curves whose biggest points take too long to solve).
    #[arg(long)]
    pub build_only: bool,
    /// Write the results as JSON to this file.
    #[arg(long, value_name = "FILE.json")]
    pub out: Option<PathBuf>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    /// Internal: measure one scenario file in this process and print the
    /// measurement as one JSON line.
    #[arg(long, value_name = "FILE", hide = true)]
    pub one: Option<PathBuf>,
    /// Internal: how much of the pipeline `--one` runs.
    #[arg(long, value_enum, default_value_t = Mode::Full, hide = true)]
    pub mode: Mode,
    #[command(flatten)]
    pub solver: SolverArgs,
}

/// A list of preset sizes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sizes(pub Vec<Size>);

fn parse_sizes(text: &str) -> Result<Sizes, String> {
    if text.trim() == "none" {
        return Ok(Sizes(Vec::new()));
    }
    text.split(',')
        .map(|name| name.trim().parse::<Size>().map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()
        .map(Sizes)
}

/// The JSON document.
#[derive(Debug, Serialize)]
struct Report {
    format: &'static str,
    caisson_version: &'static str,
    /// `release` or `debug`: debug figures are not representative.
    build: &'static str,
    /// Seconds since 1970-01-01 UTC when the run started.
    started_unix: u64,
    machine: Machine,
    options: OptionsDoc,
    cases: Vec<Row>,
    /// Issue 18's goals judged on the rows they apply to.
    goals: Vec<goals::Verdict>,
    /// The one-change re-plans, with `--replan`.
    #[serde(skip_serializing_if = "Option::is_none")]
    replan: Option<replan::ReplanDoc>,
}

#[derive(Debug, Serialize)]
struct OptionsDoc {
    seed: u64,
    repeat: usize,
    time_limit: Option<f64>,
    mip_gap: f64,
    threads: Option<u32>,
    capacity_duals: bool,
    greedy_start: bool,
    /// `--relax-first`: auto, always or never.
    relax_first: &'static str,
    /// Whether `(before)` rows measure the earlier path too.
    before: bool,
    highs: Vec<String>,
}

/// One case's result.
#[derive(Debug, Serialize)]
struct Row {
    case: String,
    group: Group,
    mode: Mode,
    /// Generated cases: the generator's counts.
    shape: Option<ShapeDoc>,
    runs: usize,
    #[serde(flatten)]
    measurement: Measurement,
    /// Why the case failed, if it did.
    error: Option<String>,
}

#[derive(Debug, Serialize)]
struct ShapeDoc {
    facilities: usize,
    products: usize,
    demands: usize,
    periods: usize,
}

/// Runs `caisson bench`.
pub fn run(args: &Args, shell: &mut Shell) -> CmdResult {
    // The options of `caisson plan`, capacity shadow prices included, so
    // that the end-to-end time is that of `plan`.
    let options = args.solver.plan_options()?;
    if let Some(path) = &args.one {
        return run_one(shell, path, args.mode, &options);
    }
    if args.repeat == 0 {
        return Err(Failure::InvalidInputMessage(
            "--repeat must be at least 1".to_owned(),
        ));
    }
    if let Some(mb) = args.load_mb {
        if !(mb.is_finite() && mb > 0.0) {
            return Err(Failure::InvalidInputMessage(format!(
                "--load-mb must be a positive number of MB, not {mb}"
            )));
        }
    }
    for path in &args.scenarios {
        if !path.is_file() {
            return Err(Failure::InvalidInputMessage(format!(
                "--scenario {}: no such file",
                path.display()
            )));
        }
    }
    let selection = Selection {
        sizes: args.sizes.0.clone(),
        scaling: args.scaling,
        greedy: args.greedy,
        scenarios: args.scenarios.clone(),
        load_mb: args.load_mb,
        build_only: args.build_only,
    };
    let list = cases::cases(&selection);
    if list.is_empty() && args.replan.is_none() {
        return Err(Failure::InvalidInputMessage(
            "nothing to measure: give --sizes, --scaling, --scenario, --load-mb or --replan"
                .to_owned(),
        ));
    }
    // Loaded before anything is measured: a bad file fails at once.
    let replan_base = match &args.replan {
        Some(path) => Some((path, crate::load::scenario(shell, path)?.scenario)),
        None => None,
    };

    let mut machine = Machine::read();
    let started_unix = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let dir = tempfile::tempdir().context("creating a temporary directory")?;
    let solved = list.iter().filter(|case| case.mode == Mode::Full).count();
    let measured = list.len() + if args.before { solved } else { 0 };
    let bar = shell.bar(measured * args.repeat, "benchmark");
    let mut rows = Vec::with_capacity(list.len());
    let mut failed = false;
    // The earlier path: branch and bound alone, stopped at 240 s at most.
    let before = PlanOptions {
        relax_first: RelaxFirst::Never,
        time_limit: Some(
            options
                .time_limit
                .map_or(BEFORE_LIMIT, |l| l.min(BEFORE_LIMIT)),
        ),
        ..options.clone()
    };
    for case in &list {
        bar.set_message(format!("{} {}", case.group.name(), case.label));
        let path = runner::scenario_file(case, args.seed, dir.path())?;
        let mut variants = vec![(case.label.clone(), &options)];
        if args.before && case.mode == Mode::Full {
            variants.push((format!("{}{BEFORE_SUFFIX}", case.label), &before));
        }
        for (label, options) in variants {
            let (row, error) = measure_case(shell, case, label, &path, options, args.repeat, &bar)?;
            failed |= error;
            rows.push(row);
        }
    }
    bar.finish_and_clear();
    let replan = match &replan_base {
        Some((path, base)) => {
            let bar = shell.bar(replan::solves(base), "re-plans");
            bar.set_message(format!("re-plans of {}", path.display()));
            let doc = replan::run(&path.display().to_string(), base, &options, &|| bar.inc(1));
            bar.finish_and_clear();
            Some(doc?)
        }
        None => None,
    };
    machine.load_after = machine::load_average();

    let report = Report {
        format: FORMAT,
        caisson_version: env!("CARGO_PKG_VERSION"),
        build: if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        started_unix,
        machine,
        options: OptionsDoc {
            seed: args.seed,
            repeat: args.repeat,
            time_limit: options.time_limit,
            mip_gap: options.mip_gap,
            threads: options.threads,
            capacity_duals: options.capacity_duals,
            greedy_start: options.greedy_start,
            relax_first: crate::solver::RelaxFirstArg::from(options.relax_first).name(),
            before: args.before,
            highs: options
                .highs
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect(),
        },
        goals: goals::judge(
            rows.iter()
                .filter(|row| row.error.is_none())
                .map(|row| (row.group, row.case.as_str(), &row.measurement)),
        ),
        cases: rows,
        replan,
    };
    if let Some(path) = &args.out {
        crate::cmd::analysis_args::write_json(path, &report)?;
    }
    match args.format {
        Format::Json => shell.print_json(&report)?,
        Format::Text => shell.print(text_report(&report))?,
    }
    Ok(if failed {
        Exit::Internal
    } else {
        Exit::Success
    })
}

/// The child's side: measure one file and print one JSON line.
fn run_one(
    shell: &mut Shell,
    path: &std::path::Path,
    mode: Mode,
    options: &PlanOptions,
) -> CmdResult {
    let measurement = measure::run_case(shell, path, mode, options)?;
    let line = serde_json::to_string(&measurement).context("serialising the measurement")?;
    shell.print(format_args!("{line}\n"))?;
    Ok(Exit::Success)
}

/// The time limit of a `--before` row: "no bound at 240 s" rather than
/// waiting for it.
const BEFORE_LIMIT: f64 = 240.0;

/// What a `--before` row's label ends with (after its case's label).
const BEFORE_SUFFIX: &str = " (before)";

/// Measures one case `repeat` times in child processes; the row and whether
/// a run failed.
fn measure_case(
    shell: &mut Shell,
    case: &cases::Case,
    label: String,
    path: &std::path::Path,
    options: &PlanOptions,
    repeat: usize,
    bar: &indicatif::ProgressBar,
) -> Result<(Row, bool), Failure> {
    let mut runs = Vec::with_capacity(repeat);
    let mut error = None;
    for _ in 0..repeat {
        match runner::run_child(shell, path, case.mode, options) {
            Ok(m) => runs.push(m),
            Err(Failure::Internal(e)) => {
                error = Some(format!("{e:#}"));
                break;
            }
            Err(other) => {
                bar.finish_and_clear();
                return Err(other);
            }
        }
        bar.inc(1);
    }
    let count = runs.len();
    let measurement = runner::median(runs).unwrap_or_else(|| Measurement {
        status: "failed".to_owned(),
        ..Measurement::default()
    });
    let failed = error.is_some();
    let row = Row {
        case: label,
        group: case.group,
        mode: case.mode,
        shape: match case.source {
            Source::Generated(size) => {
                let s = size.shape();
                Some(ShapeDoc {
                    facilities: s.facilities,
                    products: s.products,
                    demands: s.demands,
                    periods: s.periods,
                })
            }
            Source::File(_) => None,
        },
        runs: count,
        measurement,
        error,
    };
    Ok((row, failed))
}

fn text_report(report: &Report) -> String {
    let rows: Vec<render::TableRow<'_>> = report
        .cases
        .iter()
        .map(|row| render::TableRow {
            case: &row.case,
            group: row.group.name(),
            mode: row.mode.name(),
            measurement: &row.measurement,
        })
        .collect();
    let mut text = if rows.is_empty() {
        String::new()
    } else {
        format!(
            "{}generated scenarios: seed {} (`caisson generate --size SIZE --seed {}`)\n",
            render::table(&rows),
            report.options.seed,
            report.options.seed,
        )
    };
    for row in report.cases.iter().filter(|r| r.error.is_some()) {
        text.push_str(&format!(
            "failed: {}: {}\n",
            row.case,
            row.error.as_deref().unwrap_or_default()
        ));
    }
    if !rows.is_empty() {
        text.push_str(
            "overhead: end-to-end time outside HiGHS's runs (solve, duals); peak/HiGHS: the \
             process's peak memory over HiGHS's share of it (see docs/performance.md)\n",
        );
    }
    text.push_str(&goals::text(&report.goals));
    if let Some(replan) = &report.replan {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&replan::text(replan));
    }
    let m = &report.machine;
    let load =
        |l: Option<[f64; 3]>| l.map_or_else(|| "-".to_owned(), |[a, _, _]| format!("{a:.2}"));
    text.push_str(&format!(
        "{} build, {} CPUs{}, load average {} before, {} after\n",
        report.build,
        m.cpus,
        m.cpu_model
            .as_deref()
            .map_or_else(String::new, |c| format!(" ({c})")),
        load(m.load_before),
        load(m.load_after),
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_lists_parse_or_name_the_bad_size() {
        assert_eq!(
            parse_sizes("small, xl"),
            Ok(Sizes(vec![Size::Small, Size::Xl]))
        );
        assert_eq!(parse_sizes("none"), Ok(Sizes(Vec::new())));
        let error = parse_sizes("small,huge").err().unwrap_or_default();
        assert!(error.contains("huge"), "{error}");
    }
}
