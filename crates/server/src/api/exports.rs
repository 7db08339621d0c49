//! A plan run's plan as the caller may see it (spec section 3), in every
//! format: the `caisson-plan/1` JSON, an xlsx workbook (by `Accept`), one
//! CSV table, and the HTML report. Every format is written from the same
//! view ([`read_visible_plan`]), so a format can carry no more than the
//! JSON does: one access check, one redaction, one access-log record per
//! answer.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use caisson_plan::PlanDocument;

use crate::access::{self, RunAction};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::state::AppState;

use super::runs::{frozen_scenario, load_frozen, log_run_read, result_document};
use super::system::record_access;

/// The xlsx media type (`Accept` on `GET /runs/{run}/plan`).
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A plan run's plan as one caller may see it.
struct VisiblePlan {
    /// The run's id.
    run: String,
    /// The `caisson-plan/1` JSON: as stored for the coordinator, the
    /// redacted view for everyone else.
    text: String,
    /// The run's frozen scenario: the coordinator's alone, when the format
    /// needs it (the report takes line capacities, demands and assumptions
    /// from it, which others may not see); `None` for everyone else.
    scenario: Option<caisson_model::Scenario>,
}

impl VisiblePlan {
    fn internal(&self, what: &str, e: &dyn std::fmt::Display) -> ApiError {
        ApiError::Internal(anyhow::anyhow!("run {}: {what}: {e}", self.run))
    }

    fn value(&self) -> ApiResult<serde_json::Value> {
        serde_json::from_str(&self.text).map_err(|e| self.internal("the plan view is not JSON", &e))
    }

    fn document(&self) -> ApiResult<PlanDocument> {
        PlanDocument::from_json(&self.text)
            .map_err(|e| self.internal("the plan view does not read back", &e))
    }
}

/// What a format needs besides the plan.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Needs {
    /// The plan alone.
    Plan,
    /// The frozen scenario too, when the caller may see it (the report).
    Scenario,
}

/// Loads the plan of `run` as `caller` may see it and records the read in
/// the access log under `endpoint`: 404 for a run the caller may not see,
/// a missing one or one of another kind; 409 until it has succeeded.
async fn read_visible_plan(
    state: &AppState,
    caller: &Caller,
    run: &str,
    endpoint: &str,
    needs: Needs,
) -> ApiResult<VisiblePlan> {
    let mut conn = state.db.pool.acquire().await?;
    let (row, round) = access::run(&mut conn, caller, run, RunAction::ReadPlan).await?;
    if row.kind != "plan" {
        return Err(ApiError::NotFound);
    }
    let document = result_document(&mut conn, &row).await?;
    let viewer = access::viewer(caller);
    if viewer.is_coordinator(&round.parties) {
        // The coordinator sees the whole document, exactly as stored.
        let scenario = match needs {
            Needs::Scenario => Some(load_frozen(
                &frozen_scenario(&mut conn, &row).await?,
                &row.id,
            )?),
            Needs::Plan => None,
        };
        log_run_read(&mut conn, caller, &row, endpoint).await?;
        return Ok(VisiblePlan {
            run: row.id,
            text: document,
            scenario,
        });
    }
    let scenario = load_frozen(&frozen_scenario(&mut conn, &row).await?, &row.id)?;
    // Every other member: the plan as section 3 lets it see it, filtered
    // on the typed document against the run's frozen scenario.
    let internal = |what: &str, e: &dyn std::fmt::Display| {
        ApiError::Internal(anyhow::anyhow!("run {}: {what}: {e}", row.id))
    };
    let plan = PlanDocument::from_json(&document)
        .map_err(|e| internal("the stored plan does not read back", &e))?;
    let view = caisson_platform::visible_plan(&plan, &scenario, &viewer, &round.parties);
    let text =
        serde_json::to_string_pretty(&view).map_err(|e| internal("writing the plan view", &e))?;
    log_view_read(&mut conn, caller, &row.id, &view, endpoint).await?;
    Ok(VisiblePlan {
        run: row.id,
        text,
        scenario: None,
    })
}

/// Records, per owner, the confidential records of others a plan view
/// carries: the facilities and demands its records name (ids are
/// qualified by their owner, section 2).
async fn log_view_read(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller,
    run: &str,
    view: &PlanDocument,
    endpoint: &str,
) -> ApiResult<()> {
    let mut seen: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let facilities = view
        .production
        .iter()
        .map(|r| r.facility.as_str())
        .chain(view.shipments.iter().map(|r| r.facility.as_str()))
        .chain(view.stock.iter().map(|r| r.facility.as_str()))
        .chain(view.expansions.iter().map(|r| r.facility.as_str()))
        .chain(
            view.transfers
                .iter()
                .flat_map(|r| [r.from.as_str(), r.to.as_str()]),
        );
    let demands = view
        .demand
        .iter()
        .map(|r| r.demand.as_str())
        .chain(view.shipments.iter().map(|r| r.demand.as_str()));
    let contracts = view.contracts.iter().map(|r| r.contract.as_str());
    for id in facilities.chain(demands).chain(contracts) {
        if let Some((owner, _)) = id.split_once(':') {
            seen.entry(owner).or_default().insert(id);
        }
    }
    for (owner, ids) in seen {
        let entities: Vec<String> = ids
            .into_iter()
            .map(|id| format!("run {run}: {id}"))
            .collect();
        record_access(conn, caller, owner, endpoint, &entities).await?;
    }
    Ok(())
}

/// Whether `Accept` asks for the xlsx workbook.
fn wants_xlsx(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| {
            accept.split(',').any(|entry| {
                entry
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .eq_ignore_ascii_case(XLSX)
            })
        })
}

/// The plan of a `plan` run (`caisson-plan/1`) as the caller may see it
/// (spec section 3): the coordinator reads the whole document as stored;
/// every other member the same format with each part restricted to the
/// records it may view (`caisson_platform::visible_plan`). With `Accept:
/// application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`, the
/// same view as an xlsx workbook (the sheets of `caisson export`).
#[utoipa::path(get, path = "/runs/{run}/plan", tag = "runs", security(("bearer" = [])),
    params(("run" = String, Path, description = "the run's id")),
    responses(
        (status = 200, description = "the caisson-plan/1 document, or the xlsx workbook of it by Accept",
            content((Object = "application/json"),
                    (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`", body = ErrorEnvelope),
        (status = 404, description = "`not_found` (also for runs of other kinds)", body = ErrorEnvelope),
        (status = 409, description = "`conflict`: not succeeded (yet)", body = ErrorEnvelope),
    ))]
pub async fn run_plan(
    State(state): State<AppState>,
    caller: Caller,
    Path(run): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    if wants_xlsx(&headers) {
        let plan =
            read_visible_plan(&state, &caller, &run, "GET run plan (xlsx)", Needs::Plan).await?;
        let sheets = caisson_sheets::plan_to_sheets(&plan.value()?)
            .map_err(|e| plan.internal("laying the plan out as sheets", &e))?;
        let bytes = caisson_sheets::xlsx_bytes(&sheets)
            .map_err(|e| plan.internal("writing the workbook", &e))?;
        return Ok(([(header::CONTENT_TYPE, XLSX)], bytes).into_response());
    }
    let plan = read_visible_plan(&state, &caller, &run, "GET run plan", Needs::Plan).await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], plan.text).into_response())
}

/// One CSV table of the plan as the caller may see it, with the columns of
/// `caisson plan --csv DIR` (`caisson_report::csv_tables`): `summary.csv`,
/// `production.csv`, `shipments.csv`, ... An empty table is an empty body.
#[utoipa::path(get, path = "/runs/{run}/plan/{table}", tag = "runs", security(("bearer" = [])),
    params(
        ("run" = String, Path, description = "the run's id"),
        ("table" = String, Path, description = "the table's file name, `NAME.csv`: summary, production, \
            shipments, transfers, stock, expansions, demand, contracts, compliance, transfer_compliance, \
            kpi_demands, kpi_products, kpi_end_users, explanations, capacity_duals"),
    ),
    responses(
        (status = 200, description = "the table", content((String = "text/csv"))),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: no such run or table", body = ErrorEnvelope),
        (status = 409, description = "`conflict`: not succeeded (yet)", body = ErrorEnvelope),
    ))]
pub async fn run_plan_csv(
    State(state): State<AppState>,
    caller: Caller,
    Path((run, table)): Path<(String, String)>,
) -> ApiResult<Response> {
    // An unknown table is refused before the run is read: the answer is
    // then the same whoever asks and whatever the run.
    let Some(&table) = caisson_report::CSV_TABLES.iter().find(|t| **t == table) else {
        return Err(ApiError::NotFound);
    };
    let plan = read_visible_plan(&state, &caller, &run, "GET run plan (csv)", Needs::Plan).await?;
    let tables = caisson_report::csv_tables(&plan.document()?)
        .map_err(|e| plan.internal("writing the CSV tables", &e))?;
    let bytes = tables
        .into_iter()
        .find(|(name, _)| *name == table)
        .map(|(_, bytes)| bytes)
        // `capacity_duals.csv` exists only when the plan computed them.
        .ok_or(ApiError::NotFound)?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], bytes).into_response())
}

/// The HTML report of a run's result (`caisson_html`, the charts of
/// `caisson report`). A `plan` run: the plan as the caller may see it; the
/// coordinator's report is built with the run's frozen scenario (line
/// utilisation, demand order, assumptions), everyone else's from its plan
/// view alone, so the report shows nothing the view does not carry (lines
/// as units made). An analysis run (the coordinator's alone, spec section
/// 3): `compare` as the comparison's deltas, `risk` as the criticality
/// ranking, `simulate` as fan charts; a `recommend` run has no chart (its
/// result is `GET /runs/{run}/result`): 404.
#[utoipa::path(get, path = "/runs/{run}/report", tag = "runs", security(("bearer" = [])),
    params(("run" = String, Path, description = "the run's id")),
    responses(
        (status = 200, description = "the report, one self-contained HTML page", content((String = "text/html"))),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: an analysis run, not the coordinator", body = ErrorEnvelope),
        (status = 404, description = "`not_found` (also for `recommend` runs)", body = ErrorEnvelope),
        (status = 409, description = "`conflict`: not succeeded (yet)", body = ErrorEnvelope),
    ))]
pub async fn run_report(
    State(state): State<AppState>,
    caller: Caller,
    Path(run): Path<String>,
) -> ApiResult<Response> {
    let kind = {
        let mut conn = state.db.pool.acquire().await?;
        access::run(&mut conn, &caller, &run, RunAction::Read)
            .await?
            .0
            .kind
    };
    let doc = if kind == "plan" {
        let plan =
            read_visible_plan(&state, &caller, &run, "GET run report", Needs::Scenario).await?;
        let section = caisson_html::plan_section(&plan.value()?, plan.scenario.as_ref())
            .map_err(|e| plan.internal("building the report", &e))?;
        let mut doc = caisson_html::ReportDocument::new(&format!(
            "Caisson plan report: {}",
            section.scenario
        ));
        doc.plan = Some(section);
        doc
    } else {
        analysis_report(&state, &caller, &run).await?
    };
    let page = caisson_html::render(&doc);
    Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response())
}

/// The report document of an analysis run's result: the coordinator's
/// alone, as `GET /runs/{run}/result`.
async fn analysis_report(
    state: &AppState,
    caller: &Caller,
    run: &str,
) -> ApiResult<caisson_html::ReportDocument> {
    let mut conn = state.db.pool.acquire().await?;
    let (row, _) = access::run(&mut conn, caller, run, RunAction::ReadAll).await?;
    if row.kind == "recommend" {
        return Err(ApiError::NotFound);
    }
    let text = result_document(&mut conn, &row).await?;
    let internal = |what: &str, e: &dyn std::fmt::Display| {
        ApiError::Internal(anyhow::anyhow!("run {}: {what}: {e}", row.id))
    };
    let mut doc = caisson_html::ReportDocument::new(&format!("Caisson {} report", row.kind));
    match row.kind.as_str() {
        "compare" => {
            let comparison: caisson_analysis::compare::Comparison = serde_json::from_str(&text)
                .map_err(|e| internal("the stored comparison does not read back", &e))?;
            doc.comparison = Some(caisson_html::comparison_section(&comparison));
        }
        "risk" => {
            let report: caisson_analysis::risk::RiskReport = serde_json::from_str(&text)
                .map_err(|e| internal("the stored risk report does not read back", &e))?;
            doc.criticality = Some(caisson_html::criticality_section(&report));
        }
        "simulate" => {
            let value: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| internal("the stored simulation is not JSON", &e))?;
            doc.simulation = Some(
                caisson_html::Simulation::from_json(&value)
                    .map_err(|e| internal("the stored simulation is no report section", &e))?,
            );
        }
        _ => return Err(ApiError::NotFound),
    }
    log_run_read(&mut conn, caller, &row, "GET run report").await?;
    Ok(doc)
}
