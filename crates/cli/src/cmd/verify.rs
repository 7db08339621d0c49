//! `caisson verify`: check any tool's `caisson-plan/1` plan against its
//! scenario, constraint by constraint (spec section 4).
//!
//! The plan's labels are resolved against the scenario (every unknown one is
//! reported with its record), then `caisson_plan::verify` recomputes every
//! constraint from the records: capacity, stock balance, backlog and lost
//! demand, contract shortfall, compliance, lead times, expansion windows
//! and fractions, one record per key, and that the cost split and the
//! objective agree with the records. Optimality is not checked: a feasible
//! plan with consistent costs passes, however expensive.
//!
//! Text output: one line per violation on stdout, each located by its
//! record (`shipments[12]`) and that record's labels, then a summary line.
//! JSON output (`--format json`): one object with `plan`, `scenario`,
//! `status`, `valid` and `violations` (each with `constraint`, `records`
//! (array, index, labels) and `detail`). Exit 0 when the plan is clean, 1
//! when anything is violated or the plan cannot be read.

use std::io::{self, Write};
use std::path::PathBuf;

use caisson_plan::document::{DocumentError, PlanDocument, RecordRef};
use caisson_plan::Violation;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::exit::{CmdResult, Exit, Failure};
use crate::format::Format;
use crate::shell::Shell;

/// Arguments of `caisson verify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario the plan was made for (TOML or JSON).
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// The plan: a `caisson-plan/1` JSON document from any tool.
    #[arg(value_name = "PLAN.json")]
    pub plan: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// Where a violation is, with the labels of the record there.
#[derive(Debug, Serialize)]
struct Located {
    array: &'static str,
    index: Option<usize>,
    /// The record's text fields (ids and period labels), in its order.
    labels: Map<String, Value>,
}

/// One violation as printed.
#[derive(Debug, Serialize)]
struct Finding {
    constraint: &'static str,
    records: Vec<Located>,
    detail: String,
}

/// The whole verdict, as `--format json` prints it.
#[derive(Debug, Serialize)]
struct Verdict {
    plan: String,
    scenario: String,
    status: String,
    valid: bool,
    violations: Vec<Finding>,
}

/// Runs `caisson verify`.
pub fn run(args: &Args, shell: &mut Shell) -> CmdResult {
    let loaded = crate::load::scenario(shell, &args.scenario)?;
    let scenario = &loaded.scenario;
    let plan_file = args.plan.display().to_string();
    let text = std::fs::read_to_string(&args.plan)
        .map_err(|e| Failure::InvalidInputMessage(format!("{plan_file}: cannot read: {e}")))?;
    let document = PlanDocument::from_json(&text)
        .map_err(|e| Failure::InvalidInputMessage(format!("{plan_file}: {e}")))?;
    let findings: Vec<Finding> = match document.to_plan(scenario) {
        Ok(plan) => caisson_plan::verify(scenario, &plan)
            .into_iter()
            .map(|v| finding(&document, v))
            .collect(),
        Err(DocumentError::Labels(labels)) => labels
            .0
            .into_iter()
            .map(|e| Finding {
                constraint: "label",
                records: vec![locate(&document, e.record)],
                detail: if e.field.is_empty() {
                    e.problem
                } else {
                    format!("{}: {}", e.field, e.problem)
                },
            })
            .collect(),
        Err(other) => {
            return Err(Failure::InvalidInputMessage(format!(
                "{plan_file}: {other}"
            )))
        }
    };
    let verdict = Verdict {
        plan: plan_file,
        scenario: scenario.name.clone(),
        status: document.status.name().to_owned(),
        valid: findings.is_empty(),
        violations: findings,
    };
    match args.format {
        Format::Text => shell.print_with(|out| print_text(out, &verdict))?,
        Format::Json => shell.print_json(&verdict)?,
    }
    Ok(if verdict.valid {
        Exit::Success
    } else {
        Exit::InvalidInput
    })
}

fn finding(document: &PlanDocument, violation: Violation) -> Finding {
    Finding {
        constraint: violation.constraint,
        records: violation
            .records
            .into_iter()
            .map(|r| locate(document, r))
            .collect(),
        detail: violation.detail,
    }
}

/// The record at `at` with its text fields, read from the document.
fn locate(document: &PlanDocument, at: RecordRef) -> Located {
    Located {
        array: at.array,
        index: at.index,
        labels: at
            .index
            .map(|i| labels(document, at.array, i))
            .unwrap_or_default(),
    }
}

/// The text fields of record `i` of `array` (ids and period labels).
fn labels(d: &PlanDocument, array: &str, i: usize) -> Map<String, Value> {
    fn texts<T: Serialize>(rows: &[T], i: usize) -> Map<String, Value> {
        let Some(Ok(Value::Object(fields))) = rows.get(i).map(serde_json::to_value) else {
            return Map::new();
        };
        fields.into_iter().filter(|(_, v)| v.is_string()).collect()
    }
    match array {
        "production" => texts(&d.production, i),
        "shipments" => texts(&d.shipments, i),
        "transfers" => texts(&d.transfers, i),
        "stock" => texts(&d.stock, i),
        "expansions" => texts(&d.expansions, i),
        "demand" => texts(&d.demand, i),
        "contracts" => texts(&d.contracts, i),
        "compliance" => texts(&d.compliance, i),
        "transfer_compliance" => texts(&d.transfer_compliance, i),
        "capacity_duals" => texts(d.capacity_duals.as_deref().unwrap_or_default(), i),
        _ => Map::new(),
    }
}

/// `shipments[12] (facility deu-plant, demand ukr-155, period 2026-03)`.
fn location_text(located: &Located) -> String {
    let at = RecordRef {
        array: located.array,
        index: located.index,
    };
    if located.labels.is_empty() {
        return at.to_string();
    }
    let labels: Vec<String> = located
        .labels
        .iter()
        .map(|(k, v)| format!("{k} {}", v.as_str().unwrap_or_default()))
        .collect();
    format!("{at} ({})", labels.join(", "))
}

fn print_text(out: &mut dyn Write, verdict: &Verdict) -> io::Result<()> {
    for v in &verdict.violations {
        let places: Vec<String> = v.records.iter().map(location_text).collect();
        if places.is_empty() {
            writeln!(out, "{}: {}", v.constraint, v.detail)?;
        } else {
            writeln!(out, "{}: {}: {}", places.join("; "), v.constraint, v.detail)?;
        }
    }
    if verdict.valid {
        writeln!(
            out,
            "{}: the plan (status {}) satisfies every constraint of scenario \"{}\"; \
             its cost split and objective agree with its records (optimality is not checked)",
            verdict.plan, verdict.status, verdict.scenario
        )
    } else {
        let n = verdict.violations.len();
        writeln!(
            out,
            "{}: {n} violation{} against scenario \"{}\"",
            verdict.plan,
            if n == 1 { "" } else { "s" },
            verdict.scenario
        )
    }
}
