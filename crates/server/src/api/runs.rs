//! Runs (spec section 4): start, follow, cancel, read the plan, the result
//! and the frozen scenario, publish; published runs for every signed-in user.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use caisson_platform::MediaType;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::{self, RoundAction, RunAction, RunRow, RUN_COLUMNS};
use crate::auth::Caller;
use crate::body::{accepted, JsonBody};
use crate::db::{format_time, now_ms, random_id};
use crate::documents::RoundDocuments;
use crate::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::runs::{RunError, RunRequest};
use crate::state::AppState;

use super::rounds::Created;
use super::system::record_access;

/// A run's status.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunInfo {
    /// The run's id.
    pub id: String,
    /// Its round.
    pub round: String,
    /// `plan`, `compare`, `risk`, `simulate` or `recommend`.
    pub kind: String,
    /// `queued`, `running`, `succeeded`, `failed` or `cancelled`.
    pub status: String,
    /// From 0 to 1.
    pub progress: f64,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The versions it froze: `{"reference": n, "contributions": {"ORG": n}}`.
    #[schema(value_type = Object)]
    pub frozen: serde_json::Value,
    /// When it was queued.
    pub created: String,
    /// When a worker first claimed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started: Option<String>,
    /// When it ended.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished: Option<String>,
    /// When it was published.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// How many times a worker claimed it (more than 1 after a worker died).
    pub attempts: i64,
}

impl From<&RunRow> for RunInfo {
    fn from(row: &RunRow) -> Self {
        RunInfo {
            id: row.id.clone(),
            round: row.round.clone(),
            kind: row.kind.clone(),
            status: row.status.clone(),
            progress: row.progress,
            error: row.error.clone(),
            frozen: serde_json::json!({
                "reference": row.reference_version,
                "contributions": serde_json::from_str::<serde_json::Value>(&row.frozen_versions)
                    .unwrap_or(serde_json::Value::Null),
            }),
            created: format_time(row.created_at),
            started: row.started_at.map(format_time),
            finished: row.finished_at.map(format_time),
            published: row.published_at.map(format_time),
            attempts: row.attempts,
        }
    }
}

/// `{"id", "status"}` after a change of state.
#[derive(Debug, Serialize, ToSchema)]
pub struct RunState {
    /// The run's id.
    pub id: String,
    /// Its status now.
    pub status: String,
}

fn run_error(error: RunError) -> ApiError {
    match error {
        RunError::BadOption(message) => ApiError::bad_request(message),
        RunError::InvalidScenario {
            message,
            diagnostics,
        } => ApiError::InvalidScenario {
            message,
            diagnostics,
        },
        RunError::Failed(message) => ApiError::Internal(anyhow::anyhow!(message)),
    }
}

/// Starts a run on the round's assembled scenario as it is now: the
/// reference and contribution versions are frozen with it.
#[utoipa::path(post, path = "/rounds/{round}/runs", tag = "runs", security(("bearer" = [])),
    params(("round" = String, Path, description = "the round's id")),
    request_body(content = RunRequest, content_type = "application/json"),
    responses(
        (status = 202, description = "queued", body = Created),
        (status = 400, description = "`bad_request`: malformed JSON, unknown field or option out of range", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not the round's coordinator", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 415, description = "`unsupported_media_type`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_scenario`: a variant or the uncertainty does not load", body = ErrorEnvelope),
    ))]
pub async fn start_run(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
    JsonBody(request): JsonBody<RunRequest>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let mut tx = state.db.begin_write().await?;
    let round = access::round(&mut tx, &caller, &round, RoundAction::Manage).await?;
    let documents = RoundDocuments::latest(&mut tx, &round).await?;
    let assembled = documents.assemble(&access::viewer(&caller), &round)?;
    request.check(&assembled.toml).map_err(run_error)?;
    let id = random_id();
    let options = serde_json::to_string(&request).map_err(anyhow::Error::from)?;
    sqlx::query(
        "INSERT INTO runs (id, round, kind, options, status, progress, scenario, \
                reference_version, frozen_versions, created_at, created_by, attempts) \
         VALUES ($1, $2, $3, $4, 'queued', 0.0, $5, $6, $7, $8, $9, 0)",
    )
    .bind(&id)
    .bind(&round.id)
    .bind(request.kind().as_str())
    .bind(options)
    .bind(&assembled.toml)
    .bind(documents.reference.version)
    .bind(documents.frozen_versions().to_string())
    .bind(now_ms())
    .bind(&caller.user_id)
    .execute(&mut *tx)
    .await?;
    // A long simulation is split into chunks any worker may claim (the
    // run's own worker merges them once all have succeeded).
    for (chunk, samples) in request.chunks().into_iter().enumerate() {
        sqlx::query(
            "INSERT INTO run_chunks (run, chunk, first_sample, samples, status, attempts) \
             VALUES ($1, $2, $3, $4, 'queued', 0)",
        )
        .bind(&id)
        .bind(i64::try_from(chunk).map_err(anyhow::Error::from)?)
        .bind(i64::try_from(samples.start).map_err(anyhow::Error::from)?)
        .bind(i64::try_from(samples.end - samples.start).map_err(anyhow::Error::from)?)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    state.wake.notify_waiters();
    Ok((StatusCode::ACCEPTED, Json(Created { id })))
}

/// The round's runs the caller may see (all for the coordinator, `plan`
/// runs for other members), newest first.
#[utoipa::path(get, path = "/rounds/{round}/runs", tag = "runs", security(("bearer" = [])),
    params(("round" = String, Path, description = "the round's id")),
    responses(
        (status = 200, description = "the runs", body = [RunInfo]),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
    ))]
pub async fn list_runs(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
) -> ApiResult<Json<Vec<RunInfo>>> {
    let mut conn = state.db.pool.acquire().await?;
    let round = access::round(&mut conn, &caller, &round, RoundAction::Read).await?;
    let rows: Vec<RunRow> = sqlx::query_as(&format!(
        "SELECT {RUN_COLUMNS} FROM runs WHERE round = $1 ORDER BY created_at DESC, id"
    ))
    .bind(&round.id)
    .fetch_all(&mut *conn)
    .await?;
    let mut visible = Vec::new();
    for row in rows {
        // The same predicate as for one run, so that lists and single reads agree.
        if access::run(&mut conn, &caller, &row.id, RunAction::Read)
            .await
            .is_ok()
        {
            visible.push(RunInfo::from(&row));
        }
    }
    Ok(Json(visible))
}

/// A run's status and progress.
#[utoipa::path(get, path = "/runs/{run}", tag = "runs", security(("bearer" = [])),
    params(("run" = String, Path, description = "the run's id")),
    responses(
        (status = 200, description = "the run", body = RunInfo),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
    ))]
pub async fn get_run(
    State(state): State<AppState>,
    caller: Caller,
    Path(run): Path<String>,
) -> ApiResult<Json<RunInfo>> {
    let mut conn = state.db.pool.acquire().await?;
    let (row, _) = access::run(&mut conn, &caller, &run, RunAction::Read).await?;
    Ok(Json(RunInfo::from(&row)))
}

/// Server-sent events of a run's status: one `status` event (a [`RunInfo`])
/// at every change, the last when the run ends.
#[utoipa::path(get, path = "/runs/{run}/events", tag = "runs", security(("bearer" = [])),
    params(("run" = String, Path, description = "the run's id")),
    responses(
        (status = 200, description = "a text/event-stream of `status` events", content_type = "text/event-stream", body = String),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
    ))]
pub async fn run_events(
    State(state): State<AppState>,
    caller: Caller,
    Path(run): Path<String>,
) -> ApiResult<Response> {
    let first = {
        let mut conn = state.db.pool.acquire().await?;
        access::run(&mut conn, &caller, &run, RunAction::Read)
            .await?
            .0
    };
    let db = state.db.clone();
    let stream = async_stream(db, first);
    Ok(Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response())
}

fn async_stream(
    db: crate::db::Db,
    first: RunRow,
) -> impl futures_util::Stream<Item = Result<Event, Infallible>> {
    let (sender, receiver) = tokio::sync::mpsc::channel::<Event>(4);
    tokio::spawn(async move {
        let mut last: Option<(String, f64)> = None;
        let mut row = first;
        loop {
            let key = (row.status.clone(), row.progress);
            if last.as_ref() != Some(&key) {
                let event = Event::default()
                    .event("status")
                    .json_data(RunInfo::from(&row))
                    .unwrap_or_default();
                if sender.send(event).await.is_err() {
                    return;
                }
                last = Some(key);
            }
            if matches!(row.status.as_str(), "succeeded" | "failed" | "cancelled") {
                return;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
            let next: Result<Option<RunRow>, _> =
                sqlx::query_as(&format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = $1"))
                    .bind(&row.id)
                    .fetch_optional(&db.pool)
                    .await;
            match next {
                Ok(Some(next)) => row = next,
                _ => return,
            }
        }
    });
    tokio_stream_from(receiver)
}

/// A stream of what a channel receives, ending when its senders are gone.
fn tokio_stream_from(
    mut receiver: tokio::sync::mpsc::Receiver<Event>,
) -> impl futures_util::Stream<Item = Result<Event, Infallible>> {
    futures_util::stream::poll_fn(move |cx| receiver.poll_recv(cx).map(|e| e.map(Ok)))
}

/// Cancels a queued or running run.
#[utoipa::path(post, path = "/runs/{run}/cancel", tag = "runs", security(("bearer" = [])),
    params(("run" = String, Path, description = "the run's id")),
    responses(
        (status = 200, description = "cancelled", body = RunState),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 409, description = "`conflict`: the run has ended", body = ErrorEnvelope),
    ))]
pub async fn cancel_run(
    State(state): State<AppState>,
    caller: Caller,
    Path(run): Path<String>,
) -> ApiResult<Json<RunState>> {
    let mut tx = state.db.begin_write().await?;
    let (row, _) = access::run(&mut tx, &caller, &run, RunAction::Manage).await?;
    let done = sqlx::query(
        "UPDATE runs SET status = 'cancelled', finished_at = $1, lease_owner = NULL, lease_expires = NULL \
         WHERE id = $2 AND status IN ('queued', 'running')",
    )
    .bind(now_ms())
    .bind(&row.id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(ApiError::conflict(format!(
            "the run has ended ({})",
            row.status
        )));
    }
    tx.commit().await?;
    Ok(Json(RunState {
        id: row.id,
        status: "cancelled".into(),
    }))
}

pub(super) async fn result_document(
    conn: &mut sqlx::AnyConnection,
    row: &RunRow,
) -> ApiResult<String> {
    if row.status != "succeeded" {
        return Err(ApiError::conflict(format!(
            "the run has no result: it is {}",
            row.status
        )));
    }
    let document: Option<(String,)> = sqlx::query_as("SELECT document FROM results WHERE run = $1")
        .bind(&row.id)
        .fetch_optional(conn)
        .await?;
    document.map(|(d,)| d).ok_or_else(|| {
        ApiError::Internal(anyhow::anyhow!("run {} succeeded without result", row.id))
    })
}

pub(super) async fn log_run_read(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller,
    row: &RunRow,
    endpoint: &str,
) -> ApiResult<()> {
    let frozen: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&row.frozen_versions).unwrap_or_default();
    for (org, version) in frozen {
        record_access(
            conn,
            caller,
            &org,
            endpoint,
            &[format!("run {} (contribution version {version})", row.id)],
        )
        .await?;
    }
    Ok(())
}

/// The assembled scenario a run froze (TOML text).
pub(super) async fn frozen_scenario(
    conn: &mut sqlx::AnyConnection,
    row: &RunRow,
) -> ApiResult<String> {
    let (scenario,): (String,) = sqlx::query_as("SELECT scenario FROM runs WHERE id = $1")
        .bind(&row.id)
        .fetch_one(conn)
        .await?;
    Ok(scenario)
}

/// A run's frozen scenario, loaded: it loaded when the run was queued, so a
/// failure here is the server's (500), never the caller's.
pub(super) fn load_frozen(text: &str, run: &str) -> ApiResult<caisson_model::Scenario> {
    caisson_scenario::load_str(text, "frozen.toml")
        .map(|loaded| loaded.scenario)
        .map_err(|e| {
            ApiError::Internal(anyhow::anyhow!(
                "run {run}: the frozen scenario does not load: {e}"
            ))
        })
}

fn json_response(text: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], text).into_response()
}

/// The result of an analysis run (`compare`, `risk`, `simulate`,
/// `recommend`; for `plan` runs the plan): the coordinator's alone.
#[utoipa::path(get, path = "/runs/{run}/result", tag = "runs", security(("bearer" = [])),
    params(("run" = String, Path, description = "the run's id")),
    responses(
        (status = 200, description = "the result document (JSON)", body = Object),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 409, description = "`conflict`: not succeeded (yet)", body = ErrorEnvelope),
    ))]
pub async fn run_result(
    State(state): State<AppState>,
    caller: Caller,
    Path(run): Path<String>,
) -> ApiResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let (row, _) = access::run(&mut conn, &caller, &run, RunAction::ReadAll).await?;
    let document = result_document(&mut conn, &row).await?;
    log_run_read(&mut conn, &caller, &row, "GET run result").await?;
    Ok(json_response(document))
}

/// The exact scenario the run froze, so that its plan can be checked
/// independently (`caisson plan`/`verify` on it): the coordinator's.
#[utoipa::path(get, path = "/runs/{run}/scenario", tag = "runs", security(("bearer" = [])),
    params(("run" = String, Path, description = "the run's id")),
    responses(
        (status = 200, description = "the frozen assembled scenario (TOML, or JSON by Accept)",
            content((String = "application/toml"), (Object = "application/json"))),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
    ))]
pub async fn run_scenario(
    State(state): State<AppState>,
    caller: Caller,
    Path(run): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let (row, _) = access::run(&mut conn, &caller, &run, RunAction::ReadAll).await?;
    let scenario = frozen_scenario(&mut conn, &row).await?;
    let wanted = accepted(&headers).unwrap_or(MediaType::Toml);
    let text = caisson_platform::convert(&scenario, MediaType::Toml, wanted)?;
    log_run_read(&mut conn, &caller, &row, "GET run scenario").await?;
    Ok(([(header::CONTENT_TYPE, wanted.content_type())], text).into_response())
}

/// Publishes a succeeded run: every signed-in user may then read its
/// published view.
#[utoipa::path(post, path = "/runs/{run}/publish", tag = "runs", security(("bearer" = [])),
    params(("run" = String, Path, description = "the run's id")),
    responses(
        (status = 200, description = "published", body = RunState),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 409, description = "`conflict`: not succeeded", body = ErrorEnvelope),
    ))]
pub async fn publish_run(
    State(state): State<AppState>,
    caller: Caller,
    Path(run): Path<String>,
) -> ApiResult<Json<RunState>> {
    let mut tx = state.db.begin_write().await?;
    let (row, _) = access::run(&mut tx, &caller, &run, RunAction::Manage).await?;
    if row.status != "succeeded" {
        return Err(ApiError::conflict(format!(
            "only a succeeded run can be published; it is {}",
            row.status
        )));
    }
    sqlx::query("UPDATE runs SET published_at = COALESCE(published_at, $1) WHERE id = $2")
        .bind(now_ms())
        .bind(&row.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Json(RunState {
        id: row.id,
        status: row.status,
    }))
}

/// A published run as every signed-in user sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Published {
    /// The run's id.
    pub id: String,
    /// Its round.
    pub round: String,
    /// Its kind.
    pub kind: String,
    /// When it was published.
    pub published: String,
    /// The plan's `kpis.products` under section 3's rule: a product's
    /// figures are `"withheld"` unless demands of at least 3 buyer members
    /// make them up. `null` for runs of other kinds.
    #[schema(value_type = Option<Object>)]
    pub kpis_products: Option<serde_json::Value>,
    /// Producers' capacity per (actor, product, period) of the run's frozen
    /// scenario under section 3's aggregate rule (`"withheld"` unless at
    /// least 3 producers make a total up and none more than half of it).
    /// Absent in listings.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub capacity: Option<Vec<caisson_platform::CapacityAggregate>>,
}

/// The published runs, newest first.
#[utoipa::path(get, path = "/published", tag = "published", security(("bearer" = [])),
    responses(
        (status = 200, description = "published runs (without figures)", body = [Published]),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
    ))]
pub async fn list_published(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<Vec<Published>>> {
    let rows: Vec<RunRow> = sqlx::query_as(&format!(
        "SELECT {RUN_COLUMNS} FROM runs WHERE published_at IS NOT NULL ORDER BY published_at DESC, id"
    ))
    .fetch_all(&state.db.pool)
    .await?;
    Ok(Json(
        rows.iter()
            .map(|row| Published {
                id: row.id.clone(),
                round: row.round.clone(),
                kind: row.kind.clone(),
                published: row.published_at.map(format_time).unwrap_or_default(),
                kpis_products: None,
                capacity: None,
            })
            .collect(),
    ))
}

/// A published run's public figures.
#[utoipa::path(get, path = "/published/{run}", tag = "published", security(("bearer" = [])),
    params(("run" = String, Path, description = "the run's id")),
    responses(
        (status = 200, description = "the published view", body = Published),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found` (also when not published)", body = ErrorEnvelope),
    ))]
pub async fn get_published(
    State(state): State<AppState>,
    caller: Caller,
    Path(run): Path<String>,
) -> ApiResult<Json<Published>> {
    let mut conn = state.db.pool.acquire().await?;
    let row = access::published_run(&mut conn, &caller, &run).await?;
    let scenario = load_frozen(&frozen_scenario(&mut conn, &row).await?, &row.id)?;
    let round = access::load_round(&mut conn, &row.round)
        .await?
        .ok_or(ApiError::NotFound)?;
    let plan = if row.kind == "plan" {
        Some(result_document(&mut conn, &row).await?)
    } else {
        None
    };
    let figures = crate::publication::figures(plan.as_deref(), &scenario, &round)?;
    let kpis_products = figures.products;
    Ok(Json(Published {
        id: row.id.clone(),
        round: row.round.clone(),
        kind: row.kind.clone(),
        published: row.published_at.map(format_time).unwrap_or_default(),
        kpis_products,
        capacity: Some(figures.capacity),
    }))
}
