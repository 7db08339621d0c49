//! Rounds, their reference part, members, contributions and the assembled
//! scenario (spec section 2).

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use caisson_platform::{check_fragment, check_member, MediaType, Organisation, ReferencePart};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::access::{self, RoundAction, RoundCtx};
use crate::auth::Caller;
use crate::body::{accepted, JsonBody, ScenarioBody};
use crate::db::{format_time, now_ms, random_id};
use crate::documents::{self, Doc, RoundDocuments, Version};
use crate::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::state::AppState;

use super::system::record_access;

/// `{"id"}` of a created object.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    /// The new object's opaque id.
    pub id: String,
}

/// `{"version"}` of a stored document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Stored {
    /// The version now in force (unchanged for an identical body).
    pub version: i64,
}

/// A round as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundSummary {
    /// The round's id.
    pub id: String,
    /// Its name (the reference part's `[scenario] name`).
    pub name: String,
    /// The coordinating organisation.
    pub coordinator: String,
    /// When it was created.
    pub created: String,
}

/// A member of a round.
#[derive(Debug, Serialize, ToSchema)]
pub struct Member {
    /// The organisation's id.
    pub organisation: String,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: String,
    /// Its actor (states, producers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The actors it buys for (coordinators).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub buys_for: Vec<String>,
}

impl From<&Organisation> for Member {
    fn from(org: &Organisation) -> Self {
        Member {
            organisation: org.id.clone(),
            name: org.name.clone(),
            kind: org.kind.as_str().to_owned(),
            actor: org.actor.clone(),
            buys_for: org.buys_for.clone(),
        }
    }
}

/// A round with its members.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundInfo {
    /// The round's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The coordinating organisation.
    pub coordinator: String,
    /// When it was created.
    pub created: String,
    /// The reference part's version in force.
    pub reference_version: i64,
    /// Its members (the coordinator included).
    pub members: Vec<Member>,
}

/// A version of a document as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionInfo {
    /// Its number, from 1.
    pub version: i64,
    /// When it was stored.
    pub time: String,
    /// Who stored it.
    pub user: String,
}

impl From<&Version> for VersionInfo {
    fn from(v: &Version) -> Self {
        VersionInfo {
            version: v.version,
            time: format_time(v.created_at),
            user: v.user_name.clone(),
        }
    }
}

/// A document answered as submitted, or converted to what `Accept` asks.
fn document(headers: &HeaderMap, version: &Version) -> ApiResult<Response> {
    let stored = version.media()?;
    let wanted = accepted(headers).unwrap_or(stored);
    let text = caisson_platform::convert(&version.body, stored, wanted)?;
    Ok((
        [
            (header::CONTENT_TYPE, wanted.content_type().to_owned()),
            (
                header::HeaderName::from_static("x-caisson-version"),
                version.version.to_string(),
            ),
        ],
        text,
    )
        .into_response())
}

/// The reference part's name: `[scenario] name`.
fn round_name(reference: &ReferencePart) -> String {
    caisson_platform::convert(reference.text(), reference.media(), MediaType::Toml)
        .ok()
        .and_then(|text| toml::from_str::<toml::Table>(&text).ok())
        .and_then(|table| {
            table
                .get("scenario")
                .and_then(|s| s.get("name"))
                .and_then(|n| n.as_str())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "round".to_owned())
}

/// Creates a round from its reference part; the caller's organisation (a
/// coordinator) is its coordinator and first member.
#[utoipa::path(post, path = "/rounds", tag = "rounds", security(("bearer" = [])),
    request_body(description = "the reference part: [scenario] (no extends), [[actor]], [[product]], [[route]]",
        content((String = "application/toml"), (Object = "application/json"))),
    responses(
        (status = 201, description = "created", body = Created),
        (status = 400, description = "`bad_request` (the body is not UTF-8 text)", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden` (not a coordinator's editor) or `not_owned` (a table the reference part may not hold)", body = ErrorEnvelope),
        (status = 413, description = "`payload_too_large`", body = ErrorEnvelope),
        (status = 415, description = "`unsupported_media_type`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_scenario` with diagnostics, or `invalid_member`", body = ErrorEnvelope),
    ))]
pub async fn create_round(
    State(state): State<AppState>,
    caller: Caller,
    body: ScenarioBody,
) -> ApiResult<(StatusCode, Json<Created>)> {
    access::create_round(&caller)?;
    let reference = ReferencePart::parse(&body.text, body.media)?;
    check_member(&reference, &[], &caller.org)?;
    let round = RoundCtx {
        id: random_id(),
        name: round_name(&reference),
        created_at: now_ms(),
        coordinator: caller.org.clone(),
        members: vec![caller.org.clone()],
        parties: caisson_platform::Parties::new(caller.org.clone(), Vec::new()),
    };
    let mut tx = state.db.begin_write().await?;
    sqlx::query(
        "INSERT INTO rounds (id, name, coordinator, created_at, created_by) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&round.id)
    .bind(&round.name)
    .bind(&caller.org.id)
    .bind(round.created_at)
    .bind(&caller.user_id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO members (round, organisation, added_at, added_by) VALUES ($1, $2, $3, $4)",
    )
    .bind(&round.id)
    .bind(&caller.org.id)
    .bind(round.created_at)
    .bind(&caller.user_id)
    .execute(&mut *tx)
    .await?;
    documents::insert(
        &mut tx,
        &round.id,
        Doc::Reference,
        body.media,
        &body.text,
        &caller.user_id,
    )
    .await?;
    // The empty round must assemble too (it is what a run would freeze).
    RoundDocuments::latest(&mut tx, &round)
        .await?
        .assemble(&access::viewer(&caller), &round)?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id: round.id })))
}

/// The rounds the caller's organisation coordinates or is a member of.
#[utoipa::path(get, path = "/rounds", tag = "rounds", security(("bearer" = [])),
    responses(
        (status = 200, description = "the caller's rounds, newest first", body = [RoundSummary]),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
    ))]
pub async fn list_rounds(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<RoundSummary>>> {
    let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT r.id, r.name, r.coordinator, r.created_at FROM rounds r \
         JOIN members m ON m.round = r.id WHERE m.organisation = $1 \
         ORDER BY r.created_at DESC, r.id",
    )
    .bind(&caller.org.id)
    .fetch_all(&state.db.pool)
    .await?;
    Ok(Json(
        rows.into_iter()
            .map(|(id, name, coordinator, created)| RoundSummary {
                id,
                name,
                coordinator,
                created: format_time(created),
            })
            .collect(),
    ))
}

/// A round with its members.
#[utoipa::path(get, path = "/rounds/{round}", tag = "rounds", security(("bearer" = [])),
    params(("round" = String, Path, description = "the round's id")),
    responses(
        (status = 200, description = "the round", body = RoundInfo),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
    ))]
pub async fn get_round(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
) -> ApiResult<Json<RoundInfo>> {
    let mut conn = state.db.pool.acquire().await?;
    let round = access::round(&mut conn, &caller, &round, RoundAction::Read).await?;
    let reference = documents::version(&mut conn, &round.id, Doc::Reference, None)
        .await?
        .map_or(0, |v| v.version);
    Ok(Json(RoundInfo {
        id: round.id.clone(),
        name: round.name.clone(),
        coordinator: round.coordinator.id.clone(),
        created: format_time(round.created_at),
        reference_version: reference,
        members: round.members.iter().map(Member::from).collect(),
    }))
}

/// The reference part in force (as submitted, or converted by `Accept`).
#[utoipa::path(get, path = "/rounds/{round}/reference", tag = "rounds", security(("bearer" = [])),
    params(("round" = String, Path, description = "the round's id")),
    responses(
        (status = 200, description = "the reference part; its version in `X-Caisson-Version`",
            content((String = "application/toml"), (Object = "application/json"))),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
    ))]
pub async fn get_reference(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let round = access::round(&mut conn, &caller, &round, RoundAction::Read).await?;
    let latest = documents::version(&mut conn, &round.id, Doc::Reference, None)
        .await?
        .ok_or(ApiError::NotFound)?;
    document(&headers, &latest)
}

/// Replaces the reference part (a new version), refused with nothing
/// stored when the assembled scenario would be invalid.
#[utoipa::path(put, path = "/rounds/{round}/reference", tag = "rounds", security(("bearer" = [])),
    params(("round" = String, Path, description = "the round's id")),
    request_body(description = "the reference part",
        content((String = "application/toml"), (Object = "application/json"))),
    responses(
        (status = 200, description = "stored", body = Stored),
        (status = 400, description = "`bad_request` (the body is not UTF-8 text)", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden` or `not_owned`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 413, description = "`payload_too_large`", body = ErrorEnvelope),
        (status = 415, description = "`unsupported_media_type`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_scenario` or `invalid_member`", body = ErrorEnvelope),
    ))]
pub async fn put_reference(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
    body: ScenarioBody,
) -> ApiResult<Json<Stored>> {
    let reference = ReferencePart::parse(&body.text, body.media)?;
    let mut tx = state.db.begin_write().await?;
    let round = access::round(&mut tx, &caller, &round, RoundAction::Manage).await?;
    lock_round(&state, &mut tx, &round.id).await?;
    // Every member must still fit the new reference part.
    for (position, member) in round.members.iter().enumerate() {
        let others: Vec<Organisation> = round.members[..position].to_vec();
        check_member(&reference, &others, member)?;
    }
    let mut documents = RoundDocuments::latest(&mut tx, &round).await?;
    if documents.reference.sha256 == documents::sha256(&body.text) {
        return Ok(Json(Stored {
            version: documents.reference.version,
        }));
    }
    documents.reference.body = body.text.clone();
    documents.reference.media_type = body.media.content_type().to_owned();
    documents.assemble(&access::viewer(&caller), &round)?;
    let version = documents::insert(
        &mut tx,
        &round.id,
        Doc::Reference,
        body.media,
        &body.text,
        &caller.user_id,
    )
    .await?;
    tx.commit().await?;
    Ok(Json(Stored { version }))
}

/// The versions of the reference part.
#[utoipa::path(get, path = "/rounds/{round}/reference/versions", tag = "rounds", security(("bearer" = [])),
    params(("round" = String, Path, description = "the round's id")),
    responses(
        (status = 200, description = "every version, oldest first", body = [VersionInfo]),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
    ))]
pub async fn reference_versions(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
) -> ApiResult<Json<Vec<VersionInfo>>> {
    let mut conn = state.db.pool.acquire().await?;
    let round = access::round(&mut conn, &caller, &round, RoundAction::Read).await?;
    let versions = documents::versions(&mut conn, &round.id, Doc::Reference).await?;
    Ok(Json(versions.iter().map(VersionInfo::from).collect()))
}

/// `{"organisation"}`: the member to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    /// The organisation's id.
    pub organisation: String,
}

/// Serialises writers of one round: on PostgreSQL a row lock on the round
/// (SQLite's write transaction already holds its one write lock).
pub(crate) async fn lock_round(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    round: &str,
) -> ApiResult<()> {
    let sql = format!(
        "SELECT id FROM rounds WHERE id = $1{}",
        state.db.for_update()
    );
    let _: Option<(String,)> = sqlx::query_as(&sql)
        .bind(round)
        .fetch_optional(conn)
        .await?;
    Ok(())
}

/// Adds a member (spec section 2's member rules).
#[utoipa::path(post, path = "/rounds/{round}/members", tag = "rounds", security(("bearer" = [])),
    params(("round" = String, Path, description = "the round's id")),
    request_body(content = NewMember, content_type = "application/json"),
    responses(
        (status = 201, description = "added", body = Member),
        (status = 400, description = "`bad_request` (malformed JSON, unknown fields)", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`", body = ErrorEnvelope),
        (status = 404, description = "`not_found` (round or organisation)", body = ErrorEnvelope),
        (status = 409, description = "`conflict`: already a member", body = ErrorEnvelope),
        (status = 415, description = "`unsupported_media_type`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_member`", body = ErrorEnvelope),
    ))]
pub async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
    JsonBody(new): JsonBody<NewMember>,
) -> ApiResult<(StatusCode, Json<Member>)> {
    let mut tx = state.db.begin_write().await?;
    let round = access::round(&mut tx, &caller, &round, RoundAction::Manage).await?;
    lock_round(&state, &mut tx, &round.id).await?;
    let candidate = crate::store::org_get(&mut *tx, &new.organisation)
        .await?
        .ok_or(ApiError::NotFound)?
        .organisation()?;
    let reference_version = documents::version(&mut tx, &round.id, Doc::Reference, None)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("round without reference")))?;
    let reference = ReferencePart::parse(&reference_version.body, reference_version.media()?)?;
    check_member(&reference, &round.members, &candidate)?;
    sqlx::query(
        "INSERT INTO members (round, organisation, added_at, added_by) VALUES ($1, $2, $3, $4)",
    )
    .bind(&round.id)
    .bind(&candidate.id)
    .bind(now_ms())
    .bind(&caller.user_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Member::from(&candidate))))
}

/// Removes a member from a round (an extension of spec section 6, which
/// only adds members; docs/spec-readings.md). Refused with 409 while the
/// member is a side of a signed contract of the round (the contract is in
/// the assembled scenario and the ledger) and for the coordinator itself.
/// Otherwise, in one transaction: the membership ends, so its
/// contributions are no longer assembled (they stay stored with their
/// versions, and come back should it be added again), and the proposals it
/// is a side of are withdrawn (neither side could conclude them). Runs
/// already started keep the versions they froze. The removal is recorded
/// in the removed organisation's access log.
#[utoipa::path(delete, path = "/rounds/{round}/members/{org}", tag = "rounds",
    security(("bearer" = []), ("session" = [])),
    params(("round" = String, Path, description = "the round's id"),
           ("org" = String, Path, description = "the member's organisation id")),
    responses(
        (status = 204, description = "removed"),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not an editor of the round's coordinator; `csrf_failed`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: the round is not shown to the caller, or the organisation is not a member", body = ErrorEnvelope),
        (status = 409, description = "`conflict`: the member is a side of a signed contract, or is the coordinator", body = ErrorEnvelope),
        (status = 422, description = "`invalid_scenario`: the round would not assemble without it", body = ErrorEnvelope),
    ))]
pub async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((round, org)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let mut tx = state.db.begin_write().await?;
    let round = access::round(&mut tx, &caller, &round, RoundAction::Manage).await?;
    lock_round(&state, &mut tx, &round.id).await?;
    // Re-read under the lock: a concurrent removal or signing is seen.
    let round = access::load_round(&mut tx, &round.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    let member = round.member(&org).cloned().ok_or(ApiError::NotFound)?;
    if member.id == round.coordinator.id {
        return Err(ApiError::conflict(
            "the coordinator is a member of its round for as long as the round exists",
        ));
    }
    let is_side = |supplier: &str, buyer: &str| {
        supplier == member.id
            || round
                .parties
                .buyer_member(buyer)
                .is_some_and(|m| m.id == member.id)
    };
    let signed = super::signed_contracts(&mut tx, &round.id).await?;
    if let Some(contract) = signed.iter().find(|c| is_side(&c.supplier, &c.buyer)) {
        return Err(ApiError::conflict(format!(
            "`{}` is a side of the signed contract {}; a member with signed contracts stays in the round",
            member.id, contract.id
        )));
    }
    let proposed: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, supplier, buyer FROM contracts WHERE round = $1 AND status = 'proposed'",
    )
    .bind(&round.id)
    .fetch_all(&mut *tx)
    .await?;
    let now = now_ms();
    for (id, _, _) in proposed.iter().filter(|(_, s, b)| is_side(s, b)) {
        sqlx::query(
            "UPDATE contracts SET status = 'withdrawn', decided_at = $1, decided_by = $2 \
             WHERE id = $3 AND status = 'proposed'",
        )
        .bind(now)
        .bind(&caller.user_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("DELETE FROM members WHERE round = $1 AND organisation = $2")
        .bind(&round.id)
        .bind(&member.id)
        .execute(&mut *tx)
        .await?;
    // The round must still assemble without it (a safety net: the rules
    // of section 2 make one member's part independent of the others').
    let remaining = access::load_round(&mut tx, &round.id)
        .await?
        .ok_or(ApiError::NotFound)?;
    RoundDocuments::latest(&mut tx, &remaining)
        .await?
        .assemble(&access::viewer(&caller), &remaining)?;
    record_access(
        &mut tx,
        &caller,
        &member.id,
        "DELETE member",
        &[format!("round {} membership", round.id)],
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The round's members.
#[utoipa::path(get, path = "/rounds/{round}/members", tag = "rounds", security(("bearer" = [])),
    params(("round" = String, Path, description = "the round's id")),
    responses(
        (status = 200, description = "the members, by organisation id", body = [Member]),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
    ))]
pub async fn list_members(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
) -> ApiResult<Json<Vec<Member>>> {
    let mut conn = state.db.pool.acquire().await?;
    let round = access::round(&mut conn, &caller, &round, RoundAction::Read).await?;
    Ok(Json(round.members.iter().map(Member::from).collect()))
}

/// Stores the caller's organisation's fragment as a new version; refused
/// with nothing stored when it holds what the organisation may not
/// contribute (403 `not_owned`) or the assembled scenario would be invalid
/// (422 `invalid_scenario`). An identical body creates no version.
#[utoipa::path(put, path = "/rounds/{round}/contributions/{org}", tag = "contributions", security(("bearer" = [])),
    params(("round" = String, Path, description = "the round's id"),
           ("org" = String, Path, description = "the contributing organisation")),
    request_body(description = "the fragment",
        content((String = "application/toml"), (Object = "application/json"))),
    responses(
        (status = 200, description = "stored", body = Stored),
        (status = 400, description = "`bad_request` (the body is not UTF-8 text)", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden` or `not_owned`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 413, description = "`payload_too_large`", body = ErrorEnvelope),
        (status = 415, description = "`unsupported_media_type`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_scenario` with located diagnostics", body = ErrorEnvelope),
    ))]
pub async fn put_contribution(
    State(state): State<AppState>,
    caller: Caller,
    Path((round, org)): Path<(String, String)>,
    body: ScenarioBody,
) -> ApiResult<Json<Stored>> {
    {
        // Who may write is decided before the body is looked at, so that a
        // refusal reveals nothing about the document's checks.
        let mut conn = state.db.pool.acquire().await?;
        access::round(&mut conn, &caller, &round, RoundAction::Contribute(&org)).await?;
    }
    store_contribution(&state, &caller, &round, &org, &body)
        .await
        .map(Json)
}

/// Checks and stores `body` as `org`'s contribution (the one path of
/// every contribution write, whatever format it came in): nothing stored
/// when it is refused.
pub(crate) async fn store_contribution(
    state: &AppState,
    caller: &Caller,
    round: &str,
    org: &str,
    body: &ScenarioBody,
) -> ApiResult<Stored> {
    check_fragment(&caller.org, &body.text, body.media)?;
    let mut tx = state.db.begin_write().await?;
    let round = access::round(&mut tx, caller, round, RoundAction::Contribute(org)).await?;
    lock_round(state, &mut tx, &round.id).await?;
    let mut documents = RoundDocuments::latest(&mut tx, &round).await?;
    if let Some(unchanged) = put_candidate(&mut documents, caller, org, body)? {
        return Ok(Stored { version: unchanged });
    }
    documents.assemble(&access::viewer(caller), &round)?;
    let version = documents::insert(
        &mut tx,
        &round.id,
        Doc::Contribution(org),
        body.media,
        &body.text,
        &caller.user_id,
    )
    .await?;
    tx.commit().await?;
    Ok(Stored { version })
}

/// Puts `body` in place of `org`'s latest contribution in `documents`, as
/// the version a write would store; `Some(version)` when it is identical to
/// the latest one (nothing to store or check).
fn put_candidate(
    documents: &mut RoundDocuments,
    caller: &Caller,
    org: &str,
    body: &ScenarioBody,
) -> ApiResult<Option<i64>> {
    let hash = documents::sha256(&body.text);
    let slot = documents
        .contributions
        .iter_mut()
        .find(|(member, _)| member.id == org)
        .ok_or(ApiError::NotFound)?;
    if let Some(latest) = &slot.1 {
        if latest.sha256 == hash && latest.media_type == body.media.content_type() {
            return Ok(Some(latest.version));
        }
    }
    slot.1 = Some(Version {
        version: 0,
        media_type: body.media.content_type().to_owned(),
        body: body.text.clone(),
        sha256: hash,
        created_at: 0,
        user_name: caller.user.clone(),
    });
    Ok(None)
}

/// `{"valid": true}`: the checked contribution would be stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct Checked {
    /// Always `true` (a contribution that is not valid answers 422).
    pub valid: bool,
}

/// Checks a contribution exactly as `PUT .../contributions/{org}` would
/// (who may write it, what the organisation may contribute, the assembled
/// scenario with it) and stores nothing: the web editor's live validation.
#[utoipa::path(post, path = "/rounds/{round}/contributions/{org}/check", tag = "contributions", security(("bearer" = [])),
    params(("round" = String, Path, description = "the round's id"),
           ("org" = String, Path, description = "the contributing organisation")),
    request_body(description = "the fragment",
        content((String = "application/toml"), (Object = "application/json"))),
    responses(
        (status = 200, description = "it would be stored", body = Checked),
        (status = 400, description = "`bad_request` (the body is not UTF-8 text)", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden` or `not_owned`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 413, description = "`payload_too_large`", body = ErrorEnvelope),
        (status = 415, description = "`unsupported_media_type`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_scenario` with located diagnostics", body = ErrorEnvelope),
    ))]
pub async fn check_contribution(
    State(state): State<AppState>,
    caller: Caller,
    Path((round, org)): Path<(String, String)>,
    body: ScenarioBody,
) -> ApiResult<Json<Checked>> {
    let mut conn = state.db.pool.acquire().await?;
    // Who may write is decided before the body is looked at, as for PUT.
    let round = access::round(&mut conn, &caller, &round, RoundAction::Contribute(&org)).await?;
    check_fragment(&caller.org, &body.text, body.media)?;
    let mut documents = RoundDocuments::latest(&mut conn, &round).await?;
    if put_candidate(&mut documents, &caller, &org, &body)?.is_none() {
        documents.assemble(&access::viewer(&caller), &round)?;
    }
    Ok(Json(Checked { valid: true }))
}

/// The latest contribution of `org`, as submitted (or converted by `Accept`).
#[utoipa::path(get, path = "/rounds/{round}/contributions/{org}", tag = "contributions", security(("bearer" = [])),
    params(("round" = String, Path, description = "the round's id"),
           ("org" = String, Path, description = "the contributing organisation")),
    responses(
        (status = 200, description = "the latest version; its number in `X-Caisson-Version`",
            content((String = "application/toml"), (Object = "application/json"))),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found` (also when nothing was contributed yet)", body = ErrorEnvelope),
    ))]
pub async fn get_contribution(
    State(state): State<AppState>,
    caller: Caller,
    Path((round, org)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    read_contribution(&state, &caller, &round, &org, None, &headers).await
}

async fn read_contribution(
    state: &AppState,
    caller: &Caller,
    round: &str,
    org: &str,
    version: Option<i64>,
    headers: &HeaderMap,
) -> ApiResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let round = access::round(&mut conn, caller, round, RoundAction::ReadContribution(org)).await?;
    let found = documents::version(&mut conn, &round.id, Doc::Contribution(org), version)
        .await?
        .ok_or(ApiError::NotFound)?;
    let response = document(headers, &found)?;
    record_access(
        &mut conn,
        caller,
        org,
        "GET contribution",
        &[format!(
            "round {} contribution version {}",
            round.id, found.version
        )],
    )
    .await?;
    Ok(response)
}

/// The versions of `org`'s contribution.
#[utoipa::path(get, path = "/rounds/{round}/contributions/{org}/versions", tag = "contributions", security(("bearer" = [])),
    params(("round" = String, Path, description = "the round's id"),
           ("org" = String, Path, description = "the contributing organisation")),
    responses(
        (status = 200, description = "every version, oldest first", body = [VersionInfo]),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
    ))]
pub async fn contribution_versions(
    State(state): State<AppState>,
    caller: Caller,
    Path((round, org)): Path<(String, String)>,
) -> ApiResult<Json<Vec<VersionInfo>>> {
    let mut conn = state.db.pool.acquire().await?;
    let round = access::round(
        &mut conn,
        &caller,
        &round,
        RoundAction::ReadContribution(&org),
    )
    .await?;
    let versions = documents::versions(&mut conn, &round.id, Doc::Contribution(&org)).await?;
    Ok(Json(versions.iter().map(VersionInfo::from).collect()))
}

/// One version of `org`'s contribution.
#[utoipa::path(get, path = "/rounds/{round}/contributions/{org}/versions/{version}", tag = "contributions", security(("bearer" = [])),
    params(("round" = String, Path, description = "the round's id"),
           ("org" = String, Path, description = "the contributing organisation"),
           ("version" = i64, Path, description = "the version number")),
    responses(
        (status = 200, description = "that version",
            content((String = "application/toml"), (Object = "application/json"))),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
    ))]
pub async fn contribution_version(
    State(state): State<AppState>,
    caller: Caller,
    Path((round, org, version)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let version: i64 = version.parse().map_err(|_| ApiError::NotFound)?;
    read_contribution(&state, &caller, &round, &org, Some(version), &headers).await
}

/// `?from=A&to=B`: two version numbers.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    /// The older version.
    pub from: i64,
    /// The newer version.
    pub to: i64,
}

/// A line diff between two versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct Diff {
    /// The older version.
    pub from: i64,
    /// The newer version.
    pub to: i64,
    /// A unified diff of the two texts as submitted.
    pub diff: String,
}

/// The difference between two versions of `org`'s contribution.
#[utoipa::path(get, path = "/rounds/{round}/contributions/{org}/diff", tag = "contributions", security(("bearer" = [])),
    params(("round" = String, Path, description = "the round's id"),
           ("org" = String, Path, description = "the contributing organisation"),
           DiffQuery),
    responses(
        (status = 200, description = "a unified diff", body = Diff),
        (status = 400, description = "`bad_request`", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
    ))]
pub async fn contribution_diff(
    State(state): State<AppState>,
    caller: Caller,
    Path((round, org)): Path<(String, String)>,
    query: Result<Query<DiffQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Json<Diff>> {
    let Query(query) = query.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let mut conn = state.db.pool.acquire().await?;
    let round = access::round(
        &mut conn,
        &caller,
        &round,
        RoundAction::ReadContribution(&org),
    )
    .await?;
    let from = documents::version(
        &mut conn,
        &round.id,
        Doc::Contribution(&org),
        Some(query.from),
    )
    .await?
    .ok_or(ApiError::NotFound)?;
    let to = documents::version(
        &mut conn,
        &round.id,
        Doc::Contribution(&org),
        Some(query.to),
    )
    .await?
    .ok_or(ApiError::NotFound)?;
    let diff = similar::TextDiff::from_lines(&from.body, &to.body)
        .unified_diff()
        .header(
            &format!("version {}", from.version),
            &format!("version {}", to.version),
        )
        .to_string();
    record_access(
        &mut conn,
        &caller,
        &org,
        "GET contribution diff",
        &[format!(
            "round {} contribution versions {} and {}",
            round.id, from.version, to.version
        )],
    )
    .await?;
    Ok(Json(Diff {
        from: from.version,
        to: to.version,
        diff,
    }))
}

/// The assembled scenario as the caller may see it (section 3): the
/// reference part and the policies; the facilities, demands and contracts
/// it views. TOML, or JSON by `Accept`.
#[utoipa::path(get, path = "/rounds/{round}/scenario", tag = "rounds", security(("bearer" = [])),
    params(("round" = String, Path, description = "the round's id")),
    responses(
        (status = 200, description = "the assembled scenario",
            content((String = "application/toml"), (Object = "application/json"))),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
    ))]
pub async fn scenario(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let round = access::round(&mut conn, &caller, &round, RoundAction::Read).await?;
    let documents = RoundDocuments::latest(&mut conn, &round).await?;
    let viewer = access::viewer(&caller);
    let assembled = documents.assemble(&viewer, &round)?;
    let view = caisson_platform::visible_scenario(&assembled, &viewer, &round.parties);
    let wanted = accepted(&headers).unwrap_or(MediaType::Toml);
    let text = caisson_platform::convert(&view, MediaType::Toml, wanted)?;
    // One commit for the whole answer's access-log rows (a coordinator's
    // read names every contribution: one commit each cost a flush each).
    drop(conn);
    let mut log = state.db.begin_write().await?;
    for (org, version) in &documents.contributions {
        let seen = viewer.views_contribution(&round.parties, &org.id);
        if let Some(version) = version.as_ref().filter(|_| seen) {
            record_access(
                &mut log,
                &caller,
                &org.id,
                "GET scenario",
                &[format!(
                    "round {} contribution version {}",
                    round.id, version.version
                )],
            )
            .await?;
        }
    }
    // A signed contract the caller views names its supplier's facility:
    // the read is in the log of both its sides.
    for contract in &documents.contracts {
        let facility_actor = round
            .member(&contract.supplier)
            .and_then(|m| m.actor.as_deref())
            .unwrap_or("");
        if !viewer.views_contract(
            &round.parties,
            &contract.supplier,
            &contract.buyer,
            facility_actor,
        ) {
            continue;
        }
        let buyer = round
            .parties
            .buyer_member(&contract.buyer)
            .map(|m| m.id.as_str());
        for owner in std::iter::once(contract.supplier.as_str()).chain(buyer) {
            record_access(
                &mut log,
                &caller,
                owner,
                "GET scenario",
                &[format!("round {} contract {}", round.id, contract.id)],
            )
            .await?;
        }
    }
    log.commit().await?;
    Ok(([(header::CONTENT_TYPE, wanted.content_type())], text).into_response())
}
