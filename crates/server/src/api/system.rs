//! Health, the OpenAPI document, who am I, and the access log.

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use sqlx::FromRow;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::db::format_time;
use crate::error::{ApiResult, ErrorEnvelope};
use crate::state::AppState;

/// `{"status": "ok"}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`.
    pub status: &'static str,
}

/// Whether the server answers.
#[utoipa::path(get, path = "/health", tag = "system",
    responses((status = 200, description = "the server is up", body = Health)))]
pub async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// The OpenAPI 3 document of every endpoint.
#[utoipa::path(get, path = "/openapi.json", tag = "system",
    responses((status = 200, description = "the OpenAPI document", body = Object)))]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(super::openapi())
}

/// The signed-in user.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// The user's organisation.
    pub organisation: String,
    /// The organisation's kind.
    pub kind: String,
    /// The user's name.
    pub user: String,
    /// The user's role.
    pub role: String,
}

/// Who the token acts as.
#[utoipa::path(get, path = "/me", tag = "system", security(("bearer" = [])),
    responses(
        (status = 200, description = "the caller", body = Me),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
    ))]
pub async fn me(caller: Caller) -> Json<Me> {
    Json(Me {
        organisation: caller.org.id.clone(),
        kind: caller.org.kind.as_str().to_owned(),
        user: caller.user.clone(),
        role: caller.role.as_str().to_owned(),
    })
}

/// One read of an organisation's confidential data by another.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessEntry {
    /// When (RFC 3339 UTC).
    pub time: String,
    /// The reading organisation.
    pub reader_organisation: String,
    /// The reading user.
    pub reader_user: String,
    /// The endpoint (method and path).
    pub endpoint: String,
    /// Which of the owner's entities or documents were read.
    pub entities: Vec<String>,
}

#[derive(Debug, FromRow)]
struct AccessRow {
    time: i64,
    reader_org: String,
    reader_user: String,
    endpoint: String,
    entities: String,
}

/// The access log entries about the caller's organisation's data, newest
/// first (at most 1000).
#[utoipa::path(get, path = "/access-log", tag = "system", security(("bearer" = [])),
    responses(
        (status = 200, description = "reads of the caller's data", body = [AccessEntry]),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
    ))]
pub async fn access_log(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<AccessEntry>>> {
    let rows: Vec<AccessRow> = sqlx::query_as(
        "SELECT time, reader_org, reader_user, endpoint, entities FROM access_log \
         WHERE owner = $1 ORDER BY id DESC LIMIT 1000",
    )
    .bind(&caller.org.id)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| AccessEntry {
                time: format_time(r.time),
                reader_organisation: r.reader_org,
                reader_user: r.reader_user,
                endpoint: r.endpoint,
                entities: serde_json::from_str(&r.entities).unwrap_or_default(),
            })
            .collect(),
    ))
}

/// Records that `caller` read confidential data of `owner` (nothing when
/// the caller's own organisation is the owner).
pub async fn record_access(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller,
    owner: &str,
    endpoint: &str,
    entities: &[String],
) -> ApiResult<()> {
    if owner == caller.org.id {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO access_log (time, owner, reader_org, reader_user, endpoint, entities) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(crate::db::now_ms())
    .bind(owner)
    .bind(&caller.org.id)
    .bind(&caller.user)
    .bind(endpoint)
    .bind(serde_json::to_string(entities).unwrap_or_else(|_| "[]".into()))
    .execute(conn)
    .await?;
    Ok(())
}
