//! `caisson ledger`: the transparency ledger's offline tools (platform spec
//! section 5).
//!
//! - `caisson ledger key --ledger-key FILE` prints the public key of the
//!   signing-key file (creating the file, mode 0600, when it is missing);
//! - `caisson ledger verify --log EXPORT.jsonl --key PUBLIC_KEY [--state FILE]`
//!   checks an export with only the pinned public key;
//! - `caisson ledger verify --server URL --key PUBLIC_KEY [--token T]
//!   [--state FILE]` fetches the export, checkpoint and proofs from a server's
//!   endpoints and checks them the same way;
//! - `caisson ledger export --server URL [--token T] [--out FILE]` writes the
//!   server's export;
//! - `caisson ledger record KIND --server URL --token T --round R
//!   (--content JSON | --content-file FILE)` records an entry;
//! - `caisson ledger trace (--server URL [--token T] | --log EXPORT.jsonl)
//!   (--lot ID [--backward] | --origin ACTOR | --holder ACTOR) [--product P]`
//!   traces lots forwards or backwards over the entries one may read;
//! - `caisson ledger report att (--server URL [--token T] | --log EXPORT.jsonl
//!   [--scenario FILE]) [--state ACTOR] --year Y --out FILE.csv|FILE.xlsx`
//!   writes a state's exports and imports in the ATT annual report's columns.
//!
//! Exit codes: 0 verified, 1 verification failed (naming the first failing
//! index and why) or unreadable input, 2 usage error, 3 internal failure.

use std::path::PathBuf;

use anyhow::Context;

use caisson_ledger::checkpoint::{load_or_create_key_file, Checkpoint, PublicKey};
use caisson_ledger::export::ExportEntry;
use caisson_ledger::export::{read_state, verify_with_state, write_state, VerifierState};
use caisson_ledger::lots::{Direction, Lots, Trace, TraceFrom, TraceQuery};
use caisson_ledger::merkle::{self, ConsistencyProof, InclusionProof};
use caisson_ledger::report::{
    att_report, reconciliation, AttReport, AttRow, Planned, ProductInfo, ReconciliationRow,
    EXPORT_COLUMNS, IMPORT_COLUMNS,
};
use caisson_ledger::{verify_export, FullEntry, Summary, VerifyFailure};
use caisson_sheets::{Cell, Column, Sheet, Style};
use std::collections::BTreeMap;

use crate::exit::{CmdResult, Exit, Failure};
use crate::shell::Shell;

/// Arguments of `caisson ledger`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: LedgerCommand,
}

#[derive(Debug, clap::Subcommand)]
enum LedgerCommand {
    /// Print the public key of a ledger signing-key file (created with a new
    /// key, mode 0600, when missing).
    Key(KeyArgs),
    /// Verify a ledger export or a server's ledger with only the pinned
    /// public key; exit 1 naming the first index that fails.
    Verify(VerifyArgs),
    /// Write a server's ledger export (JSON lines, each entry in the form
    /// the token may read, the latest checkpoint last).
    Export(ExportArgs),
    /// Record an entry on a server (`POST /api/v1/ledger/entries`); prints
    /// the answer (`{"index"}` plus an assigned `euc` or `lot`).
    Record(RecordArgs),
    /// Trace lots forwards (where did the goods end up) or backwards (where
    /// did they come from), over the entries one may read.
    Trace(TraceArgs),
    /// Reports from the ledger.
    Report(ReportArgs),
}

/// Arguments of `caisson ledger record`.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("body").required(true).args(["content", "content_file"]))]
struct RecordArgs {
    /// The entry kind: `euc.issued`, `transfer.shipped`, `transfer.received`,
    /// `transfer.reexported` or `consent.given`.
    #[arg(value_name = "KIND")]
    kind: String,
    /// A Caisson server's base URL.
    #[arg(long, value_name = "URL")]
    server: String,
    /// The API token of an editor of the recording organisation.
    #[arg(long, value_name = "T")]
    token: String,
    /// The round whose scenario the entry is checked against.
    #[arg(long, value_name = "ROUND")]
    round: String,
    /// The content, a JSON object with the kind's keys (docs/ledger.md).
    #[arg(long, value_name = "JSON")]
    content: Option<String>,
    /// A file holding the content (`-` for standard input).
    #[arg(long, value_name = "FILE")]
    content_file: Option<PathBuf>,
}

/// Where entries are read from: a server (with the token's rights) or an
/// export file.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("entries").required(true).args(["log", "server"]))]
struct Source {
    /// A Caisson server's base URL.
    #[arg(long, value_name = "URL")]
    server: Option<String>,
    /// An API token: only entries it may read are used.
    #[arg(long, value_name = "T", requires = "server")]
    token: Option<String>,
    /// An export (JSON lines); only its full-form entries are used.
    #[arg(long, value_name = "EXPORT.jsonl")]
    log: Option<PathBuf>,
    /// With `--log`: the pinned public key; the export is verified first
    /// (as `caisson ledger verify --log` does) and nothing is reported from
    /// an export that fails.
    #[arg(long, value_name = "PUBLIC_KEY", requires = "log")]
    key: Option<String>,
}

/// Arguments of `caisson ledger trace`.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("start").required(true).args(["lot", "origin", "holder"]))]
struct TraceArgs {
    #[command(flatten)]
    source: Source,
    /// Trace this lot (forwards unless `--backward`).
    #[arg(long, value_name = "ID")]
    lot: Option<String>,
    /// With `--lot`: trace backwards, to where the lot came from.
    #[arg(long, requires = "lot")]
    backward: bool,
    /// Trace forwards every lot shipped from this actor's facilities.
    #[arg(long, value_name = "ACTOR")]
    origin: Option<String>,
    /// Trace backwards every lot sent to this actor.
    #[arg(long, value_name = "ACTOR")]
    holder: Option<String>,
    /// Only lots of this product.
    #[arg(long, value_name = "PRODUCT")]
    product: Option<String>,
    /// `text` (default) or `json`.
    #[arg(long, value_name = "FORMAT", default_value = "text")]
    format: OutputFormat,
}

/// How `trace` prints.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum OutputFormat {
    /// One line per lot.
    Text,
    /// The traces as JSON.
    Json,
}

/// Arguments of `caisson ledger report`.
#[derive(Debug, clap::Args)]
struct ReportArgs {
    #[command(subcommand)]
    report: ReportKind,
}

#[derive(Debug, clap::Subcommand)]
enum ReportKind {
    /// A state's exports and imports of a calendar year in the columns of
    /// the Arms Trade Treaty annual report (CSV or xlsx by `--out`'s
    /// extension).
    Att(AttArgs),
    /// A published plan against the recorded transfers: planned, shipped
    /// and received per facility, buyer, product and period (`.csv`, or
    /// `.html`: the plan's report with the reconciliation as a table and a
    /// chart).
    Reconciliation(ReconciliationArgs),
}

/// Arguments of `caisson ledger report reconciliation`.
#[derive(Debug, clap::Args)]
struct ReconciliationArgs {
    #[command(flatten)]
    source: Source,
    /// The plan (`caisson-plan/1` JSON, e.g. `GET /api/v1/runs/RUN/plan`).
    #[arg(long, value_name = "PLAN.json")]
    plan: PathBuf,
    /// The scenario the plan was made from (for demands' buyers and the
    /// calendar; e.g. `GET /api/v1/rounds/ROUND/scenario`).
    #[arg(long, value_name = "FILE")]
    scenario: PathBuf,
    /// Where to write: `.csv`, or `.html` for the report page.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// Arguments of `caisson ledger report att`.
#[derive(Debug, clap::Args)]
struct AttArgs {
    #[command(flatten)]
    source: Source,
    /// With `--log`: a scenario whose products carry `att_category` and
    /// names (without it, categories are empty and items are named by id).
    #[arg(long, value_name = "FILE", requires = "log")]
    scenario: Option<PathBuf>,
    /// The reporting state (an actor id); from a server, the token's actor
    /// by default.
    #[arg(long, value_name = "ACTOR")]
    state: Option<String>,
    /// The calendar year.
    #[arg(long, value_name = "Y")]
    year: u32,
    /// Where to write: `.csv` (both tables, a `table` column saying which)
    /// or `.xlsx` (sheets `Exports` and `Imports`).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// Arguments of `caisson ledger export`.
#[derive(Debug, clap::Args)]
struct ExportArgs {
    /// A Caisson server's base URL.
    #[arg(long, value_name = "URL")]
    server: String,
    /// An API token, so that entries it may read come in full form.
    #[arg(long, value_name = "T")]
    token: Option<String>,
    /// Where to write the export (standard output when absent).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

/// Arguments of `caisson ledger key`.
#[derive(Debug, clap::Args)]
struct KeyArgs {
    /// The signing-key file (JSON, format `caisson-ledger-key/1`).
    #[arg(long, value_name = "FILE")]
    ledger_key: PathBuf,
}

/// Arguments of `caisson ledger verify`.
#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["log", "server"]))]
struct VerifyArgs {
    /// An export (JSON lines, the checkpoint on the last line).
    #[arg(long, value_name = "EXPORT.jsonl")]
    log: Option<PathBuf>,
    /// A Caisson server's base URL (e.g. https://caisson.example.org).
    #[arg(long, value_name = "URL")]
    server: Option<String>,
    /// The pinned Ed25519 public key (64 hex digits), obtained out of band;
    /// never taken from the server.
    #[arg(long, value_name = "PUBLIC_KEY")]
    key: String,
    /// An API token, so that entries it may read are checked in full form.
    #[arg(long, value_name = "T", requires = "server")]
    token: Option<String>,
    /// A state file keeping every checkpoint verified before; the log must
    /// be consistent with them. Created when missing, updated on success.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
}

/// Runs `caisson ledger`.
pub fn run(args: &Args, shell: &mut Shell) -> CmdResult {
    match &args.command {
        LedgerCommand::Key(args) => key(args, shell),
        LedgerCommand::Verify(args) => verify(args, shell),
        LedgerCommand::Export(args) => export(args, shell),
        LedgerCommand::Record(args) => record(args, shell),
        LedgerCommand::Trace(args) => trace(args, shell),
        LedgerCommand::Report(args) => match &args.report {
            ReportKind::Att(args) => att(args, shell),
            ReportKind::Reconciliation(args) => reconcile(args, shell),
        },
    }
}

fn record(args: &RecordArgs, shell: &mut Shell) -> CmdResult {
    let text = match (&args.content, &args.content_file) {
        (Some(text), _) => text.clone(),
        (None, Some(path)) if path.as_os_str() == "-" => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .context("reading the content from standard input")?;
            text
        }
        (None, Some(path)) => std::fs::read_to_string(path)
            .map_err(|e| Failure::InvalidInputMessage(format!("{}: {e}", path.display())))?,
        (None, None) => return Err(Failure::Usage("give --content or --content-file".into())),
    };
    let content: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Failure::InvalidInputMessage(format!("the content is not JSON: {e}")))?;
    let body = serde_json::json!({"kind": args.kind, "round": args.round, "content": content});
    let answer = server::post_json(
        &format!("{}/api/v1/ledger/entries", server::base(&args.server)),
        &args.token,
        &body,
    )
    .map_err(Failure::InvalidInputMessage)?;
    shell.print(format_args!("{answer}\n"))?;
    Ok(Exit::Success)
}

/// The full-form entries of an export file (public lines carry nothing to
/// report or trace), verified first against `key` when one is pinned.
fn full_entries(path: &std::path::Path, key: Option<&str>) -> Result<Vec<FullEntry>, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::InvalidInputMessage(format!("reading {}: {e}", path.display())))?;
    if let Some(key) = key {
        let pinned = PublicKey::parse(key).map_err(|e| Failure::Usage(format!("--key: {e}")))?;
        verify_export(&text, &pinned).map_err(|failure| {
            Failure::InvalidInputMessage(format!(
                "{}: verification failed at {failure}",
                path.display()
            ))
        })?;
    }
    full_entries_of(&text, &path.display().to_string())
}

/// The entries the source gives in full: an export file's, or those of a
/// server's export that the token may read.
fn source_entries(source: &Source) -> Result<Vec<FullEntry>, Failure> {
    match (&source.log, &source.server) {
        (Some(path), _) => full_entries(path, source.key.as_deref()),
        (None, Some(url)) => {
            let text = server::fetch_export(url, source.token.as_deref())
                .map_err(Failure::InvalidInputMessage)?;
            full_entries_of(&text, url)
        }
        (None, None) => Err(Failure::Usage("give --log or --server".into())),
    }
}

fn full_entries_of(text: &str, name: &str) -> Result<Vec<FullEntry>, Failure> {
    let path = name;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let entry_lines = lines.split_last().map_or(&[][..], |(_, rest)| rest);
    let mut out = Vec::new();
    for (position, line) in entry_lines.iter().enumerate() {
        let entry: ExportEntry = serde_json::from_str(line).map_err(|e| {
            Failure::InvalidInputMessage(format!(
                "{path} line {}: not a ledger entry: {e}",
                position + 1
            ))
        })?;
        if let ExportEntry::Full(full) = entry {
            out.push(full);
        }
    }
    Ok(out)
}

fn trace(args: &TraceArgs, shell: &mut Shell) -> CmdResult {
    let direction = if args.backward {
        Direction::Backward
    } else {
        Direction::Forward
    };
    let traces: Vec<Trace> = match (&args.source.log, &args.source.server) {
        (Some(path), _) => {
            let from = match (&args.lot, &args.origin, &args.holder) {
                (Some(lot), _, _) => TraceFrom::Lot(lot.clone()),
                (None, Some(origin), _) => TraceFrom::Origin(origin.clone()),
                (None, None, Some(holder)) => TraceFrom::Holder(holder.clone()),
                (None, None, None) => {
                    return Err(Failure::Usage("give --lot, --origin or --holder".into()))
                }
            };
            let lots = Lots::from_entries(&full_entries(path, args.source.key.as_deref())?);
            if let TraceFrom::Lot(id) = &from {
                if lots.lot(id).is_none() {
                    return Err(Failure::InvalidInputMessage(format!(
                        "lot {id} is not among the export's full entries"
                    )));
                }
            }
            lots.trace(&TraceQuery {
                from,
                product: args.product.clone(),
                direction,
            })
        }
        (None, Some(url)) => {
            let mut query = Vec::new();
            if let Some(lot) = &args.lot {
                query.push(("lot", lot.as_str()));
                if args.backward {
                    query.push(("direction", "backward"));
                }
            }
            if let Some(origin) = &args.origin {
                query.push(("origin", origin.as_str()));
            }
            if let Some(holder) = &args.holder {
                query.push(("holder", holder.as_str()));
            }
            if let Some(product) = &args.product {
                query.push(("product", product.as_str()));
            }
            let text = server::get_query(
                url,
                "/api/v1/ledger/trace",
                &query,
                args.source.token.as_deref(),
            )
            .map_err(Failure::InvalidInputMessage)?;
            serde_json::from_str(&text)
                .map_err(|e| Failure::InvalidInputMessage(format!("the server's trace: {e}")))?
        }
        (None, None) => return Err(Failure::Usage("give --log or --server".into())),
    };
    match args.format {
        OutputFormat::Json => shell.print_json(&traces)?,
        OutputFormat::Text => shell.print(trace_text(&traces))?,
    }
    Ok(Exit::Success)
}

/// One block per trace, one line per lot: who sent what to whom, when,
/// how much was received, and under which EUC.
fn trace_text(traces: &[Trace]) -> String {
    use std::fmt::Write as _;
    let unknown = "?";
    let mut out = String::new();
    if traces.is_empty() {
        out.push_str("no lots\n");
    }
    for trace in traces {
        let way = match trace.direction {
            Direction::Forward => "forward",
            Direction::Backward => "backward",
        };
        let _ = writeln!(
            out,
            "{way} from lot {}:",
            trace.lots.first().map_or(unknown, |l| l.lot.as_str())
        );
        for lot in &trace.lots {
            let _ = writeln!(
                out,
                "  {} {} {} {} -> {} ({} received) on {}, origin {}{}, EUC {} [entry {}]",
                lot.lot,
                lot.quantity,
                lot.product.as_deref().unwrap_or(unknown),
                lot.sender.as_deref().unwrap_or(unknown),
                lot.consignee,
                lot.received,
                lot.date,
                lot.origin.as_deref().unwrap_or(unknown),
                lot.facility
                    .as_deref()
                    .map(|f| format!(" ({f})"))
                    .unwrap_or_default(),
                lot.euc.as_deref().unwrap_or(unknown),
                lot.index,
            );
        }
    }
    out
}

/// Product categories and names of a scenario file.
fn scenario_products(path: &std::path::Path) -> Result<BTreeMap<String, ProductInfo>, Failure> {
    let loaded = caisson_scenario::load_path(path)
        .map_err(|e| Failure::InvalidInputMessage(format!("{}: {e}", path.display())))?;
    Ok(loaded
        .scenario
        .products
        .iter()
        .map(|p| {
            (
                p.id.clone(),
                ProductInfo {
                    category: p.att_category.clone(),
                    description: p.name.clone(),
                },
            )
        })
        .collect())
}

fn att(args: &AttArgs, shell: &mut Shell) -> CmdResult {
    let report: AttReport = match (&args.source.log, &args.source.server) {
        (Some(path), _) => {
            let state = args
                .state
                .clone()
                .ok_or_else(|| Failure::Usage("--state is required with --log".into()))?;
            let products = match &args.scenario {
                Some(file) => scenario_products(file)?,
                None => BTreeMap::new(),
            };
            let entries = full_entries(path, args.source.key.as_deref())?;
            att_report(&entries, &products, &state, args.year)
        }
        (None, Some(url)) => {
            let year = args.year.to_string();
            let mut query = vec![("year", year.as_str())];
            if let Some(state) = &args.state {
                query.push(("state", state.as_str()));
            }
            let text = server::get_query(
                url,
                "/api/v1/ledger/reports/att",
                &query,
                args.source.token.as_deref(),
            )
            .map_err(Failure::InvalidInputMessage)?;
            serde_json::from_str(&text).map_err(|e| {
                Failure::InvalidInputMessage(format!("the server's ATT report: {e}"))
            })?
        }
        (None, None) => return Err(Failure::Usage("give --log or --server".into())),
    };
    let xlsx = args
        .out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if xlsx {
        caisson_sheets::write_xlsx(&args.out, &att_sheets(&report))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    } else {
        write_att_csv(&args.out, &report)?;
    }
    shell.status(format_args!(
        "wrote {} ({} export rows, {} import rows of {} in {})",
        args.out.display(),
        report.exports.len(),
        report.imports.len(),
        report.state,
        report.year
    ));
    Ok(Exit::Success)
}

/// One CSV row: the table it belongs to, then the ATT columns.
#[derive(serde::Serialize)]
struct AttCsvRow<'a> {
    reporting_state: &'a str,
    year: u32,
    table: &'static str,
    category: &'a str,
    /// Exports: the final importing State; imports: the exporting State.
    partner_state: &'a str,
    state_of_origin: &'a str,
    number_of_items: f64,
    description: &'a str,
    comments: &'a str,
}

fn write_att_csv(path: &std::path::Path, report: &AttReport) -> Result<(), Failure> {
    let mut writer =
        csv::Writer::from_path(path).with_context(|| format!("writing {}", path.display()))?;
    let tables = [("exports", &report.exports), ("imports", &report.imports)];
    let mut any = false;
    for (table, rows) in tables {
        for row in rows {
            any = true;
            writer
                .serialize(AttCsvRow {
                    reporting_state: &report.state,
                    year: report.year,
                    table,
                    category: &row.category,
                    partner_state: &row.state,
                    state_of_origin: &row.state_of_origin,
                    number_of_items: row.number_of_items,
                    description: &row.description,
                    comments: &row.comments,
                })
                .with_context(|| format!("writing {}", path.display()))?;
        }
    }
    if !any {
        // A nil report still says what its columns are.
        writer
            .write_record([
                "reporting_state",
                "year",
                "table",
                "category",
                "partner_state",
                "state_of_origin",
                "number_of_items",
                "description",
                "comments",
            ])
            .with_context(|| format!("writing {}", path.display()))?;
    }
    writer
        .flush()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// The report as two sheets with the ATT template's headers.
fn att_sheets(report: &AttReport) -> Vec<Sheet> {
    let sheet = |name: &str, headers: [&str; 6], rows: &[AttRow]| {
        let styles = [
            Style::Text,
            Style::Text,
            Style::Text,
            Style::General,
            Style::Text,
            Style::Text,
        ];
        let mut sheet = Sheet::new(
            name,
            headers
                .iter()
                .zip(styles)
                .map(|(h, s)| Column::new(*h, s))
                .collect(),
        );
        for row in rows {
            sheet.rows.push(vec![
                Cell::text(row.category.clone()),
                Cell::text(row.state.clone()),
                Cell::text(row.state_of_origin.clone()),
                Cell::Number(row.number_of_items),
                Cell::text(row.description.clone()),
                Cell::text(row.comments.clone()),
            ]);
        }
        sheet
    };
    vec![
        sheet("Exports", EXPORT_COLUMNS, &report.exports),
        sheet("Imports", IMPORT_COLUMNS, &report.imports),
    ]
}

fn export(args: &ExportArgs, shell: &mut Shell) -> CmdResult {
    let text = server::fetch_export(&args.server, args.token.as_deref())
        .map_err(Failure::InvalidInputMessage)?;
    match &args.out {
        Some(path) => {
            std::fs::write(path, &text).with_context(|| format!("writing {}", path.display()))?
        }
        None => shell.print(&text)?,
    }
    Ok(Exit::Success)
}

fn key(args: &KeyArgs, shell: &mut Shell) -> CmdResult {
    let existed = args.ledger_key.exists();
    let key = load_or_create_key_file(&args.ledger_key)
        .map_err(|e| Failure::InvalidInputMessage(e.to_string()))?;
    if !existed {
        shell.status(format_args!(
            "created {} with a new key",
            args.ledger_key.display()
        ));
    }
    shell.print(format_args!("{}\n", key.public()))?;
    Ok(Exit::Success)
}

fn failed(failure: &VerifyFailure, shell: &mut Shell) -> CmdResult {
    shell.print(format_args!("verification failed at {failure}\n"))?;
    Ok(Exit::InvalidInput)
}

fn verify(args: &VerifyArgs, shell: &mut Shell) -> CmdResult {
    let pinned = PublicKey::parse(&args.key).map_err(|e| Failure::Usage(format!("--key: {e}")))?;
    let state = match &args.state {
        Some(path) => Some(
            read_state(path, &pinned).map_err(|e| Failure::InvalidInputMessage(e.to_string()))?,
        ),
        None => None,
    };
    let (text, server) = match (&args.log, &args.server) {
        (Some(path), _) => std::fs::read_to_string(path)
            .map(|text| (text, None))
            .map_err(|e| format!("reading {}: {e}", path.display())),
        (None, Some(url)) => {
            server::fetch_export(url, args.token.as_deref()).map(|text| (text, Some(url.as_str())))
        }
        (None, None) => Err("give --log or --server".to_owned()),
    }
    .map_err(Failure::InvalidInputMessage)?;
    let verified: Result<(Summary, Option<VerifierState>), VerifyFailure> = match &state {
        Some(state) => verify_with_state(&text, &pinned, state).map(|(s, n)| (s, Some(n))),
        None => verify_export(&text, &pinned).map(|s| (s, None)),
    };
    let (summary, next) = match verified {
        Ok(v) => v,
        Err(failure) => return failed(&failure, shell),
    };
    if let Some(url) = server {
        let earlier = state
            .as_ref()
            .map(|s| s.checkpoints.as_slice())
            .unwrap_or_default();
        if let Err(failure) = server::check_proofs(url, &summary, earlier) {
            return failed(&failure, shell);
        }
    }
    if let (Some(path), Some(next)) = (&args.state, &next) {
        write_state(path, next).map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let Checkpoint {
        size,
        root_hash,
        time,
        ..
    } = &summary.checkpoint;
    shell.print(format_args!(
        "ok: {size} entries ({} full, {} public), root {root_hash} at {time}, signed by the pinned key {pinned}\n",
        summary.full_entries, summary.public_entries
    ))?;
    if let Some(next) = &next {
        shell.print(format_args!(
            "consistent with {} checkpoint(s) kept in the state file\n",
            next.checkpoints.len()
        ))?;
    }
    Ok(Exit::Success)
}

/// The `--server` form, against the spec's section 6 endpoints (tested
/// against a loopback stand-in and against `caisson serve`).
mod server {
    use super::*;

    fn get(url: &str, token: Option<&str>) -> Result<String, String> {
        let mut request = ureq::get(url);
        if let Some(token) = token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        let mut response = request.call().map_err(|e| format!("GET {url}: {e}"))?;
        response
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_string()
            .map_err(|e| format!("GET {url}: {e}"))
    }

    /// The URL without a trailing slash.
    pub fn base(url: &str) -> &str {
        url.trim_end_matches('/')
    }

    /// The body of a non-2xx answer as a message: the error's code and
    /// message when it is the API's error envelope.
    fn refusal(status: u16, body: &str) -> String {
        let envelope: Option<serde_json::Value> = serde_json::from_str(body).ok();
        match envelope.as_ref().map(|v| &v["error"]) {
            Some(error) if error["code"].is_string() => format!(
                "{status} {}: {}",
                error["code"].as_str().unwrap_or_default(),
                error["message"].as_str().unwrap_or_default()
            ),
            _ => format!("{status}: {body}"),
        }
    }

    fn answer(
        url: &str,
        result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<String, String> {
        let mut response = result.map_err(|e| format!("{url}: {e}"))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_string()
            .map_err(|e| format!("{url}: {e}"))?;
        if (200..300).contains(&status) {
            Ok(body)
        } else {
            Err(refusal(status, &body))
        }
    }

    /// `POST url` with a JSON body and a bearer token; the answer's body, or
    /// the server's refusal (code and message) as the error.
    pub fn post_json(url: &str, token: &str, body: &serde_json::Value) -> Result<String, String> {
        let result = ureq::post(url)
            .config()
            .http_status_as_error(false)
            .build()
            .header("Authorization", &format!("Bearer {token}"))
            .header("Content-Type", "application/json")
            .send(body.to_string());
        answer(url, result)
    }

    /// `GET base + path ? query`; the body, or the server's refusal.
    pub fn get_query(
        url: &str,
        path: &str,
        query: &[(&str, &str)],
        token: Option<&str>,
    ) -> Result<String, String> {
        let url = format!("{}{path}", base(url));
        let mut request = ureq::get(&url).config().http_status_as_error(false).build();
        for (key, value) in query {
            request = request.query(key, value);
        }
        if let Some(token) = token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        answer(&url, request.call())
    }

    /// `GET /api/v1/ledger/export`.
    pub fn fetch_export(url: &str, token: Option<&str>) -> Result<String, String> {
        get(&format!("{}/api/v1/ledger/export", base(url)), token)
    }

    fn fail(index: Option<u64>, why: String) -> VerifyFailure {
        VerifyFailure { index, why }
    }

    /// Checks the server's checkpoint, every inclusion proof, and the
    /// consistency proof from every checkpoint kept before.
    pub fn check_proofs(
        url: &str,
        summary: &Summary,
        earlier: &[Checkpoint],
    ) -> Result<(), VerifyFailure> {
        let base = base(url);
        let size = summary.size;
        let text = get(
            &format!("{base}/api/v1/ledger/checkpoint?size={size}"),
            None,
        )
        .map_err(|e| fail(None, e))?;
        let checkpoint: Checkpoint = serde_json::from_str(&text)
            .map_err(|e| fail(None, format!("the server's checkpoint: {e}")))?;
        if checkpoint.root_hash != summary.checkpoint.root_hash || checkpoint.size != size {
            return Err(fail(
                None,
                "the server's checkpoint of this size differs from the export's".into(),
            ));
        }
        for index in 0..size {
            let text = get(
                &format!("{base}/api/v1/ledger/proof/inclusion?index={index}&size={size}"),
                None,
            )
            .map_err(|e| fail(Some(index), e))?;
            let proof: InclusionProof = serde_json::from_str(&text)
                .map_err(|e| fail(Some(index), format!("inclusion proof: {e}")))?;
            let leaf = summary.leaf_hashes.get(index as usize).copied();
            if proof.index != index || proof.size != size || Some(proof.leaf_hash) != leaf {
                return Err(fail(
                    Some(index),
                    "the inclusion proof is for another entry".into(),
                ));
            }
            proof
                .verify(&summary.checkpoint.root_hash)
                .map_err(|e| fail(Some(index), format!("inclusion proof: {e}")))?;
        }
        // The empty tree is consistent with every tree (and the server
        // answers 400 to a proof from size 0).
        for old in earlier.iter().filter(|c| c.size >= 1 && c.size <= size) {
            let text = get(
                &format!(
                    "{base}/api/v1/ledger/proof/consistency?from={}&to={size}",
                    old.size
                ),
                None,
            )
            .map_err(|e| fail(None, e))?;
            let proof: ConsistencyProof = serde_json::from_str(&text)
                .map_err(|e| fail(None, format!("consistency proof: {e}")))?;
            merkle::verify_consistency(
                old.size,
                size,
                &old.root_hash,
                &summary.checkpoint.root_hash,
                &proof.path,
            )
            .map_err(|e| {
                fail(
                    Some(old.size.saturating_sub(1)),
                    format!("consistency with the checkpoint of size {}: {e}", old.size),
                )
            })?;
        }
        Ok(())
    }
}

/// The plan's shipments as planned quantities per facility, buyer (the
/// demand's buyer in `scenario`), product and period.
fn planned_shipments(
    plan: &serde_json::Value,
    scenario: &caisson_model::Scenario,
) -> Result<Vec<Planned>, Failure> {
    let mut out = Vec::new();
    let shipments = plan["shipments"].as_array().map_or(&[][..], Vec::as_slice);
    for (n, record) in shipments.iter().enumerate() {
        let text = |key: &str| -> Result<String, Failure> {
            record[key].as_str().map(str::to_owned).ok_or_else(|| {
                Failure::InvalidInputMessage(format!("plan shipments[{n}].{key} is not text"))
            })
        };
        let demand = text("demand")?;
        let buyer = scenario
            .demands
            .iter()
            .find(|d| d.id == demand)
            .map(|d| scenario.actors[d.buyer.index()].id.clone())
            .ok_or_else(|| {
                Failure::InvalidInputMessage(format!(
                    "plan shipments[{n}]: demand {demand:?} is not in the scenario"
                ))
            })?;
        out.push(Planned {
            facility: text("facility")?,
            buyer,
            product: text("product")?,
            period: text("period")?,
            quantity: record["quantity"].as_f64().ok_or_else(|| {
                Failure::InvalidInputMessage(format!(
                    "plan shipments[{n}].quantity is not a number"
                ))
            })?,
        });
    }
    Ok(out)
}

fn reconcile(args: &ReconciliationArgs, shell: &mut Shell) -> CmdResult {
    let scenario = crate::load::scenario(shell, &args.scenario)?.scenario;
    let text = std::fs::read_to_string(&args.plan).map_err(|e| {
        Failure::InvalidInputMessage(format!("reading {}: {e}", args.plan.display()))
    })?;
    let plan: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Failure::InvalidInputMessage(format!("{}: not JSON: {e}", args.plan.display()))
    })?;
    let planned = planned_shipments(&plan, &scenario)?;
    let entries = source_entries(&args.source)?;
    let rows = reconciliation(&entries, &planned, &scenario.calendar);
    let html = args
        .out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html"));
    if html {
        let mut doc = caisson_html::ReportDocument::new(&format!(
            "Plan and recorded transfers: {}",
            scenario.name
        ));
        // The plan's own views when the plan reads (a plan as another
        // party sees it may not match the whole scenario: then without it).
        doc.plan = caisson_html::plan_section(&plan, Some(&scenario))
            .or_else(|_| caisson_html::plan_section(&plan, None))
            .ok();
        doc.comparison = Some(reconciliation_section(&rows));
        std::fs::write(&args.out, caisson_html::render(&doc).as_bytes())
            .with_context(|| format!("writing {}", args.out.display()))?;
    } else {
        write_reconciliation_csv(&args.out, &rows)?;
    }
    shell.status(format_args!(
        "wrote {} ({} rows: planned {}, shipped {}, received {})",
        args.out.display(),
        rows.len(),
        rows.iter().map(|r| r.planned).sum::<f64>(),
        rows.iter().map(|r| r.shipped).sum::<f64>(),
        rows.iter().map(|r| r.received).sum::<f64>(),
    ));
    Ok(Exit::Success)
}

/// The rows as CSV the way `caisson-report` writes records (serde, numbers
/// as `f64`), with the header even when there is no row.
fn write_reconciliation_csv(
    path: &std::path::Path,
    rows: &[ReconciliationRow],
) -> Result<(), Failure> {
    let mut writer =
        csv::Writer::from_path(path).with_context(|| format!("writing {}", path.display()))?;
    if rows.is_empty() {
        writer
            .write_record([
                "facility", "buyer", "product", "period", "planned", "shipped", "received",
            ])
            .with_context(|| format!("writing {}", path.display()))?;
    }
    for row in rows {
        writer
            .serialize(row)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    writer
        .flush()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// The reconciliation as the report's comparison view: "planned" is the
/// base and "shipped" and "received" the columns set against it, so the
/// page shows the table of values with deltas and the chart of each
/// row's shortfall or excess in percent of the plan.
fn reconciliation_section(rows: &[ReconciliationRow]) -> caisson_html::Comparison {
    caisson_html::Comparison {
        base: "planned".into(),
        variants: vec!["shipped".into(), "received".into()],
        metrics: rows
            .iter()
            .map(|r| caisson_html::ComparisonMetric {
                label: format!("{} -> {} {} {}", r.facility, r.buyer, r.product, r.period),
                unit: "units".into(),
                better: Some("higher".into()),
                base: Some(r.planned),
                values: vec![Some(r.shipped), Some(r.received)],
            })
            .collect(),
        windows: Vec::new(),
    }
}
