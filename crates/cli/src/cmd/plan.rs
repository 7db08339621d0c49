//! `caisson plan`: solve a scenario and write its plan.
//!
//! `--method optimal` (default) solves the model with HiGHS; `--method
//! greedy` runs the greedy baseline heuristic instead (a feasible plan,
//! status `feasible`, method `greedy`, an unknown gap written as `null`).
//!
//! Text output (default): a concise summary on stdout (method, status,
//! objective and cost split, per-demand fill rate and final backlog, "why
//! short?" with each short demand's top causes, expansions chosen, contracts
//! short); scenario warnings go to stderr. `--format json` prints
//! the `caisson-plan/1` document on stdout instead. `--out` and `--csv`
//! write files whatever the format.
//!
//! Exit codes: 0 with a plan (`optimal` or `feasible`), 1 when the scenario
//! fails to load, 3 when the solver ends without a plan (`time_limit`,
//! `infeasible`, `error`) or an output cannot be written. Outputs are
//! written before a solver failure is reported, so the status is on file.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Context;
use caisson_model::Scenario;
use caisson_plan::{Plan, PlanStatus, Quantities, ShortageExplanation};
use caisson_planner::Formulation;

use crate::exit::{CmdResult, Exit, Failure};
use crate::format::{fmt_num as num, fmt_units as units, Format};
use crate::shell::Shell;
use crate::solver::SolverArgs;

/// How many causes the terminal summary shows per short demand.
const CAUSES_SHOWN: usize = 3;

/// Arguments of `caisson plan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (`.json` is read as JSON, others as TOML).
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// How to plan: `optimal` solves the model with HiGHS; `greedy` runs the
    /// fast greedy baseline heuristic, whose plan has status `feasible`,
    /// method `greedy` and `mip_gap` null (its gap is unknown); the solver
    /// options (--time-limit, --mip-gap, --threads) do not apply to it.
    #[arg(long, value_enum, default_value_t = Method::Optimal)]
    pub method: Method,
    /// Write the plan as `caisson-plan/1` JSON to this file.
    #[arg(long, value_name = "PLAN.json")]
    pub out: Option<PathBuf>,
    /// Write the plan as CSV files (one per record array) into this directory.
    #[arg(long, value_name = "DIR")]
    pub csv: Option<PathBuf>,
    /// Write the model with readable names (`.mps`, or `.lp` for LP format).
    #[arg(long, value_name = "FILE.mps")]
    pub write_model: Option<PathBuf>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// No progress spinner.
    #[arg(long, short)]
    pub quiet: bool,
    /// Plan an approximation on coarser periods (a monthly scenario summed
    /// into quarters: about a third of the model) for a quick strategic
    /// look; the output says it is an approximation and its shortages are
    /// in unit-quarters.
    #[arg(long, value_enum, value_name = "PERIOD")]
    pub aggregate: Option<Aggregate>,
    #[command(flatten)]
    pub solver: SolverArgs,
}

/// Coarser periods for `--aggregate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Aggregate {
    /// Three months to a quarter.
    Quarter,
}

/// What `plan` records in the plan's `method` when it planned an aggregate.
const AGGREGATE_NOTE: &str = "aggregated to quarters: an approximation of the monthly scenario";

/// How `plan` makes the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// Solve the model to optimality (within --mip-gap) with HiGHS.
    Optimal,
    /// The greedy baseline heuristic: feasible, fast, not optimal.
    Greedy,
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::Optimal => "optimal",
            Method::Greedy => "greedy",
        }
    }
}

/// Runs `caisson plan`.
pub fn run(args: &Args, shell: &mut Shell) -> CmdResult {
    let options = args.solver.plan_options()?;
    let loaded = crate::load::scenario(shell, &args.scenario)?;
    let aggregated = match args.aggregate {
        Some(Aggregate::Quarter) => Some(
            caisson_analysis::aggregate::to_quarters(&loaded.scenario)
                .map_err(|e| Failure::InvalidInputMessage(format!("--aggregate quarter: {e}")))?,
        ),
        None => None,
    };
    let scenario = aggregated.as_ref().unwrap_or(&loaded.scenario);

    let plan = if args.method == Method::Optimal || args.write_model.is_some() {
        let mut model = Formulation::build(scenario)
            .load()
            .context("loading the model into HiGHS")?;
        if let Some(path) = &args.write_model {
            model
                .write_mps(scenario, path)
                .context("writing the model")?;
        }
        match args.method {
            Method::Optimal => {
                let spinner = shell.spinner(&format!(
                    "solving with HiGHS ({} columns, {} rows)",
                    model.stats().columns,
                    model.stats().rows
                ));
                let plan = model.solve(scenario, &options);
                spinner.finish_and_clear();
                plan
            }
            Method::Greedy => caisson_plan::greedy(scenario),
        }
    } else {
        caisson_plan::greedy(scenario)
    };

    let mut plan = plan;
    if aggregated.is_some() {
        plan.method = format!("{} ({AGGREGATE_NOTE})", plan.method);
    }

    if let Some(path) = &args.out {
        caisson_report::write_json_file(scenario, &plan, path)
            .with_context(|| format!("writing the plan to {}", path.display()))?;
    }
    if let Some(dir) = &args.csv {
        caisson_report::write_csv_dir(scenario, &plan, dir)
            .with_context(|| format!("writing CSV files to {}", dir.display()))?;
    }

    match args.format {
        Format::Text => shell.print_with(|out| print_summary(out, scenario, &plan, args.method))?,
        Format::Json => shell.print_with(|out| {
            // Keep the kind of an I/O error, so that a closed pipe is seen.
            caisson_report::write_json(scenario, &plan, out).map_err(|e| {
                match &e {
                    caisson_report::ReportError::Json(json) => json.io_error_kind(),
                    _ => None,
                }
                .map_or_else(|| io::Error::other(e.to_string()), io::Error::from)
            })
        })?,
    }

    if plan.status.has_solution() {
        Ok(Exit::Success)
    } else {
        Err(Failure::NoPlan(no_plan_message(&plan)))
    }
}

/// Why a plan has no solution, with what to try.
pub(crate) fn no_plan_message(plan: &Plan) -> String {
    match (plan.status, &plan.message) {
        (PlanStatus::TimeLimit, _) => "the solver reached its time limit before finding a \
            solution; raise --time-limit (and keep the greedy start: no --no-start)"
            .to_owned(),
        (status, Some(message)) => {
            format!("the solver ended with status {}: {message}", status.name())
        }
        (status, None) => format!("the solver ended with status {}", status.name()),
    }
}

fn print_summary(out: &mut dyn Write, s: &Scenario, plan: &Plan, method: Method) -> io::Result<()> {
    writeln!(
        out,
        "scenario  {} ({} {}s from {})",
        s.name,
        s.periods(),
        s.calendar.kind,
        s.calendar.label(0)
    )?;
    if plan.method.contains(AGGREGATE_NOTE) {
        writeln!(
            out,
            "APPROXIMATION: planned on quarters summed from the monthly scenario; \
             shortages are in unit-quarters"
        )?;
    }
    if plan.method == method.name() {
        writeln!(out, "method    {}", method.name())?;
    } else {
        writeln!(out, "method    {} ({})", method.name(), plan.method)?;
    }
    write!(out, "status    {}", plan.status.name())?;
    if let Some(gap) = plan.mip_gap.filter(|_| plan.status == PlanStatus::Feasible) {
        if gap.is_finite() {
            write!(out, " (gap {:.4}%)", gap * 100.0)?;
        } else {
            write!(out, " (gap unknown)")?;
        }
    }
    writeln!(out)?;
    if let Some(message) = &plan.message {
        writeln!(out, "          {message}")?;
    }
    if let Some(m) = &plan.model {
        // Every stage HiGHS spent on this plan: the LP relaxation first (0
        // unless it ran), branch and bound (0 when the relaxation proved the
        // plan) and the capacity duals' LP.
        let solved = m.relaxation_seconds + m.solve_seconds + m.dual_seconds;
        writeln!(
            out,
            "model     {} columns ({} integer), {} rows, {} nonzeros; built in {:.2}s, solved in {:.2}s",
            m.columns, m.integer_columns, m.rows, m.nonzeros, m.build_seconds, solved
        )?;
        if m.proven_by_relaxation {
            writeln!(
                out,
                "          (the LP relaxation first, rounded and proven: no branch and bound)"
            )?;
        } else if m.relaxation_seconds > 0.0 {
            writeln!(
                out,
                "          (the LP relaxation first {:.2}s, then branch and bound {:.2}s, duals {:.2}s)",
                m.relaxation_seconds, m.solve_seconds, m.dual_seconds
            )?;
        }
    }
    let (Some(objective), Some(cost)) = (plan.objective, plan.cost) else {
        return Ok(());
    };
    writeln!(out, "objective {} {}", num(objective), s.currency)?;
    for (name, value) in [
        ("shortage", cost.shortage),
        ("production", cost.production),
        ("transport", cost.transport),
        ("holding", cost.holding),
        ("capex", cost.capex),
        ("contract", cost.contract),
    ] {
        writeln!(out, "  {name:<11} {:>20}", num(value))?;
    }

    if !plan.kpis.demands.is_empty() {
        writeln!(out, "\ndemands")?;
        let width = s
            .demands
            .iter()
            .map(|d| d.id.len())
            .max()
            .unwrap_or(6)
            .max(6);
        writeln!(
            out,
            "  {:<width$} {:>14} {:>14} {:>8} {:>14}",
            "demand", "required", "delivered", "fill", "final backlog"
        )?;
        for k in &plan.kpis.demands {
            let fill = k
                .fill_rate
                .map_or("-".to_owned(), |f| format!("{:.1}%", f * 100.0));
            let backlog = if s.demands[k.demand.index()].backlog {
                units(k.final_backlog)
            } else {
                format!("lost {}", units(k.lost))
            };
            writeln!(
                out,
                "  {:<width$} {:>14} {:>14} {:>8} {:>14}",
                s.demands[k.demand.index()].id,
                units(k.required),
                units(k.delivered),
                fill,
                backlog
            )?;
        }
    }

    print_why_short(out, s, &caisson_plan::explain_shortages(s, plan))?;

    if !plan.expansions.is_empty() {
        writeln!(out, "\nexpansions chosen")?;
        for e in &plan.expansions {
            let x = &s.expansions[e.expansion.index()];
            let fraction = if e.fraction == 1.0 {
                String::new()
            } else {
                format!(" ({:.1}%)", e.fraction * 100.0)
            };
            writeln!(
                out,
                "  {} on {}/{}: decided {}, available {}{fraction}",
                x.id,
                s.facilities[e.facility.index()].id,
                s.lines[e.line.index()].id,
                s.calendar.label(e.decided),
                s.calendar.label(e.available)
            )?;
        }
    }

    let mut short: Vec<(usize, f64, Vec<usize>)> = Vec::new();
    for r in plan.contracts.iter().filter(|r| r.shortfall > 0.0) {
        match short.iter_mut().find(|(c, _, _)| *c == r.contract.index()) {
            Some((_, total, periods)) => {
                *total += r.shortfall;
                periods.push(r.period);
            }
            None => short.push((r.contract.index(), r.shortfall, vec![r.period])),
        }
    }
    if !short.is_empty() {
        writeln!(out, "\ncontracts short")?;
        for (c, total, periods) in short {
            let first = periods
                .first()
                .map_or(String::new(), |&t| s.calendar.label(t));
            let last = periods
                .last()
                .map_or(String::new(), |&t| s.calendar.label(t));
            writeln!(
                out,
                "  {}: {} units short in {} period(s), {first} .. {last}",
                s.contracts[c].id,
                units(total),
                periods.len()
            )?;
        }
    }
    Ok(())
}

/// The "why short?" section: each short demand's heading and its top
/// [`CAUSES_SHOWN`] causes, in whole units like the rest of the terminal.
fn print_why_short(
    out: &mut dyn Write,
    s: &Scenario,
    explanations: &[ShortageExplanation],
) -> io::Result<()> {
    if explanations.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nwhy short?")?;
    for x in explanations {
        writeln!(out, "  {}", x.describe(s, Quantities::Whole))?;
        for cause in x.causes.iter().take(CAUSES_SHOWN) {
            writeln!(out, "    - {}", cause.describe(s, Quantities::Whole))?;
        }
        let more = x.causes.len().saturating_sub(CAUSES_SHOWN);
        match (more, x.omitted) {
            (0, 0) => {}
            (more, 0) => writeln!(out, "    (+{more} more in the plan JSON)")?,
            (more, omitted) => writeln!(
                out,
                "    (+{more} more in the plan JSON; {omitted} lesser cause(s) not listed)"
            )?,
        }
        if x.causes.is_empty() {
            writeln!(out, "    (no cause found)")?;
        }
    }
    Ok(())
}
