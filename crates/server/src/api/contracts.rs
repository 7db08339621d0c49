//! Contracts between parties of a round (spec sections 2 and 6): the buyer
//! side (the member owning the buyer actor) or the supplier (a producer
//! member) proposes; the other side accepts (`proposed` -> `signed`) or
//! declines; the proposer may withdraw while `proposed`. Only signed
//! contracts enter the assembled scenario, so signing is refused (422
//! `invalid_scenario`) when the scenario with the contract would be invalid.
//!
//! A contract is seen by its viewers only (section 3: its supplier, the
//! member owning its buyer actor, the state of the supplier facility's
//! actor, the round's coordinator); to anyone else it does not exist (404).

use std::collections::BTreeSet;

use axum::extract::{FromRequest, Path, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::Json;
use caisson_ledger::{Content, Kind, Stage};
use caisson_platform::{
    Access, Answer, ContractParties, OrgKind, Organisation, Schedule, SignedContract,
};
use serde::{Deserialize, Serialize};
use sqlx::{AnyConnection, FromRow};
use utoipa::ToSchema;

use crate::access::{self, RoundAction, RoundCtx};
use crate::auth::Caller;
use crate::body::JsonBody;
use crate::db::{format_time, now_ms, random_id};
use crate::documents::RoundDocuments;
use crate::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::ledger::{Head, NewEntry};
use crate::state::AppState;

use super::rounds::lock_round;

/// A contract's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ContractStatus {
    /// Proposed by one side, awaiting the other.
    Proposed,
    /// Accepted by the other side: part of the assembled scenario.
    Signed,
    /// Refused by the other side.
    Declined,
    /// Taken back by its proposer before the other side answered.
    Withdrawn,
}

impl ContractStatus {
    fn as_str(self) -> &'static str {
        match self {
            ContractStatus::Proposed => "proposed",
            ContractStatus::Signed => "signed",
            ContractStatus::Declined => "declined",
            ContractStatus::Withdrawn => "withdrawn",
        }
    }

    fn parse(text: &str) -> ApiResult<ContractStatus> {
        [
            ContractStatus::Proposed,
            ContractStatus::Signed,
            ContractStatus::Declined,
            ContractStatus::Withdrawn,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("stored contract status `{text}`")))
    }
}

/// A proposal: the model's `[[contract]]` fields plus the supplier
/// organisation; the id is the server's.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    /// The supplier organisation (a producer member of the round).
    pub supplier: String,
    /// The buyer actor (a model actor id of the round).
    pub buyer: String,
    /// The product.
    pub product: String,
    /// Units per period: one number, or `{"PERIOD": units, ...}` as a step
    /// function (the model's schedule).
    #[schema(value_type = Object)]
    pub quantity: Schedule,
    /// Cost per unit of shortfall per period (>= 0).
    pub penalty: f64,
    /// Price per unit (reported, not optimised; default 0).
    #[serde(default)]
    pub price: f64,
    /// The supplier's facility (`X` or `SUPPLIER:X`); the supplier may name
    /// it on acceptance instead.
    #[serde(default)]
    pub facility: Option<String>,
}

/// The body of `accept`: the supplier may name the facility then.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    /// The supplier's facility (`X` or `SUPPLIER:X`), when the proposal
    /// left it open (only the supplier may name it).
    #[serde(default)]
    pub facility: Option<String>,
}

/// A contract as its viewers see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Contract {
    /// The opaque id (the model's contract id once signed).
    pub id: String,
    /// The round.
    pub round: String,
    /// `proposed`, `signed`, `declined` or `withdrawn`.
    pub status: ContractStatus,
    /// The organisation that proposed it.
    pub proposer: String,
    /// The supplier organisation.
    pub supplier: String,
    /// The buyer actor.
    pub buyer: String,
    /// The supplier's facility, qualified (`null` until named).
    pub facility: Option<String>,
    /// The product.
    pub product: String,
    /// Units per period (the model's schedule).
    #[schema(value_type = Object)]
    pub quantity: Schedule,
    /// Cost per unit of shortfall per period.
    pub penalty: f64,
    /// Price per unit.
    pub price: f64,
    /// When it was proposed.
    pub proposed: String,
    /// When it was accepted, declined or withdrawn.
    pub decided: Option<String>,
}

/// `{"id", "status"}` after a proposal or a decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContractState {
    /// The contract's id.
    pub id: String,
    /// Its status now.
    pub status: ContractStatus,
}

#[derive(Debug, Clone, FromRow)]
struct ContractRow {
    id: String,
    round: String,
    proposer: String,
    supplier: String,
    buyer: String,
    facility: Option<String>,
    product: String,
    quantity: String,
    penalty: f64,
    price: f64,
    status: String,
    created_at: i64,
    decided_at: Option<i64>,
}

const CONTRACT_COLUMNS: &str = "id, round, proposer, supplier, buyer, facility, product, \
    quantity, penalty, price, status, created_at, decided_at";

impl ContractRow {
    fn status(&self) -> ApiResult<ContractStatus> {
        ContractStatus::parse(&self.status)
    }

    fn quantity(&self) -> ApiResult<Schedule> {
        serde_json::from_str(&self.quantity)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored contract quantity: {e}")))
    }

    fn to_contract(&self) -> ApiResult<Contract> {
        Ok(Contract {
            id: self.id.clone(),
            round: self.round.clone(),
            status: self.status()?,
            proposer: self.proposer.clone(),
            supplier: self.supplier.clone(),
            buyer: self.buyer.clone(),
            facility: self.facility.clone(),
            product: self.product.clone(),
            quantity: self.quantity()?,
            penalty: self.penalty,
            price: self.price,
            proposed: format_time(self.created_at),
            decided: self.decided_at.map(format_time),
        })
    }

    /// The contract as the assembly takes it (signed contracts only have
    /// their facility named).
    fn signed(&self) -> ApiResult<SignedContract> {
        Ok(SignedContract {
            id: self.id.clone(),
            supplier: self.supplier.clone(),
            facility: self.facility.clone().ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!(
                    "signed contract {} lacks a facility",
                    self.id
                ))
            })?,
            buyer: self.buyer.clone(),
            product: self.product.clone(),
            quantity: self.quantity()?,
            penalty: self.penalty,
            price: self.price,
        })
    }

    /// Whether `caller` views it (spec section 3's contract row). The
    /// supplier facility's actor is the supplier's actor: a producer
    /// contributes only facilities of its own actor.
    fn viewed_by(&self, caller: &Caller, round: &RoundCtx) -> bool {
        let facility_actor = round
            .member(&self.supplier)
            .and_then(|s| s.actor.as_deref())
            .unwrap_or("");
        access::viewer(caller).views_contract(
            &round.parties,
            &self.supplier,
            &self.buyer,
            facility_actor,
        )
    }

    /// The organisation on the other side from `org`'s.
    fn is_supplier_side(&self, org: &str) -> bool {
        self.supplier == org
    }
}

/// The signed contracts of a round, in byte order of id (the assembly's
/// order).
pub async fn signed_contracts(
    conn: &mut AnyConnection,
    round: &str,
) -> ApiResult<Vec<SignedContract>> {
    let rows: Vec<ContractRow> = sqlx::query_as(&format!(
        "SELECT {CONTRACT_COLUMNS} FROM contracts WHERE round = $1 AND status = 'signed'"
    ))
    .bind(round)
    .fetch_all(conn)
    .await?;
    let mut signed = rows
        .iter()
        .map(ContractRow::signed)
        .collect::<ApiResult<Vec<_>>>()?;
    signed.sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
    Ok(signed)
}

/// A 422 for a proposal that breaks a contract rule.
fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::Unprocessable {
        code: "invalid_contract",
        message: message.into(),
    }
}

/// `X` or `SUPPLIER:X` as `SUPPLIER:X`; another prefix is not the
/// supplier's facility.
fn qualify(facility: &str, supplier: &str) -> ApiResult<String> {
    match facility.split_once(':') {
        None if !facility.is_empty() => Ok(format!("{supplier}:{facility}")),
        Some((prefix, local)) if prefix == supplier && !local.is_empty() => {
            Ok(facility.to_owned())
        }
        _ => Err(invalid(format!(
            "facility `{facility}` is not one of the supplier `{supplier}`'s (write X or {supplier}:X)"
        ))),
    }
}

/// Which side of a proposal the caller is on, if any.
fn side_of<'r>(
    caller: &Caller,
    round: &'r RoundCtx,
    proposal: &Proposal,
) -> ApiResult<&'r Organisation> {
    let supplier = round
        .member(&proposal.supplier)
        .filter(|m| m.kind == OrgKind::Producer)
        .ok_or_else(|| {
            invalid(format!(
                "supplier `{}` is no producer member of the round",
                proposal.supplier
            ))
        })?;
    let buyer_member = round.parties.buyer_member(&proposal.buyer).ok_or_else(|| {
        invalid(format!(
            "buyer `{}` is no buyer actor of the round (no member buys for it)",
            proposal.buyer
        ))
    })?;
    if caller.org.id != supplier.id && caller.org.id != buyer_member.id {
        return Err(ApiError::forbidden(
            "only the buyer side (the member owning the buyer actor) or the supplier proposes a contract",
        ));
    }
    Ok(supplier)
}

/// Proposes a contract.
#[utoipa::path(post, path = "/rounds/{round}/contracts", tag = "contracts", security(("bearer" = [])),
    params(("round" = String, Path, description = "the round's id")),
    request_body(content = Proposal, content_type = "application/json"),
    responses(
        (status = 201, description = "proposed", body = ContractState),
        (status = 400, description = "`bad_request` (malformed JSON, unknown fields, negative numbers)", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: a viewer, or neither side", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 415, description = "`unsupported_media_type`", body = ErrorEnvelope),
        (status = 422, description = "`invalid_contract`: supplier, buyer or facility", body = ErrorEnvelope),
    ))]
pub async fn propose(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
    JsonBody(proposal): JsonBody<Proposal>,
) -> ApiResult<(StatusCode, Json<ContractState>)> {
    let schedule_ok = match &proposal.quantity {
        Schedule::Constant(q) => q.is_finite() && *q >= 0.0,
        Schedule::Steps(steps) => steps.values().all(|q| q.is_finite() && *q >= 0.0),
    };
    if !(schedule_ok && proposal.penalty >= 0.0 && proposal.penalty.is_finite()) {
        return Err(ApiError::bad_request(
            "quantity and penalty must be finite and non-negative",
        ));
    }
    if !(proposal.price >= 0.0 && proposal.price.is_finite()) {
        return Err(ApiError::bad_request(
            "price must be finite and non-negative",
        ));
    }
    let mut tx = state.db.begin_write().await?;
    let round = access::round(&mut tx, &caller, &round, RoundAction::Read).await?;
    if access::viewer(&caller).may_propose(&round.parties) != Access::Allowed {
        return Err(ApiError::forbidden("only an editor proposes contracts"));
    }
    let supplier = side_of(&caller, &round, &proposal)?;
    let facility = proposal
        .facility
        .as_deref()
        .map(|f| qualify(f, &supplier.id))
        .transpose()?;
    let id = random_id();
    sqlx::query(
        "INSERT INTO contracts (id, round, proposer, supplier, buyer, facility, product, quantity, \
                                penalty, price, status, created_at, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'proposed', $11, $12)",
    )
    .bind(&id)
    .bind(&round.id)
    .bind(&caller.org.id)
    .bind(&supplier.id)
    .bind(&proposal.buyer)
    .bind(facility)
    .bind(&proposal.product)
    .bind(serde_json::to_string(&proposal.quantity).map_err(anyhow::Error::from)?)
    .bind(proposal.penalty)
    .bind(proposal.price)
    .bind(now_ms())
    .bind(&caller.user_id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(ContractState {
            id,
            status: ContractStatus::Proposed,
        }),
    ))
}

/// The contracts of a round the caller views.
#[utoipa::path(get, path = "/rounds/{round}/contracts", tag = "contracts", security(("bearer" = [])),
    params(("round" = String, Path, description = "the round's id")),
    responses(
        (status = 200, description = "the contracts the caller views, oldest first", body = [Contract]),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
    ))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
) -> ApiResult<Json<Vec<Contract>>> {
    let mut conn = state.db.pool.acquire().await?;
    let round = access::round(&mut conn, &caller, &round, RoundAction::Read).await?;
    let rows: Vec<ContractRow> = sqlx::query_as(&format!(
        "SELECT {CONTRACT_COLUMNS} FROM contracts WHERE round = $1 ORDER BY created_at, id"
    ))
    .bind(&round.id)
    .fetch_all(&mut *conn)
    .await?;
    let seen = rows
        .iter()
        .filter(|row| row.viewed_by(&caller, &round))
        .map(ContractRow::to_contract)
        .collect::<ApiResult<Vec<_>>>()?;
    for contract in &seen {
        log_read(&mut conn, &caller, contract, "GET contracts").await?;
    }
    Ok(Json(seen))
}

/// One contract the caller views.
#[utoipa::path(get, path = "/contracts/{id}", tag = "contracts", security(("bearer" = [])),
    params(("id" = String, Path, description = "the contract's id")),
    responses(
        (status = 200, description = "the contract", body = Contract),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
    ))]
pub async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Contract>> {
    let mut conn = state.db.pool.acquire().await?;
    let (row, _) = load(&mut conn, &caller, &id).await?;
    let contract = row.to_contract()?;
    log_read(&mut conn, &caller, &contract, "GET contract").await?;
    Ok(Json(contract))
}

/// A read of a contract in the access log of both its sides' organisations
/// (the supplier and the proposer; the caller's own is left out).
async fn log_read(
    conn: &mut AnyConnection,
    caller: &Caller,
    contract: &Contract,
    endpoint: &str,
) -> ApiResult<()> {
    for owner in [&contract.supplier, &contract.proposer] {
        super::system::record_access(
            &mut *conn,
            caller,
            owner,
            endpoint,
            std::slice::from_ref(&contract.id),
        )
        .await?;
    }
    Ok(())
}

/// The contract and its round, when the caller views it (404 otherwise,
/// the same as for a missing one).
async fn load(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
) -> ApiResult<(ContractRow, RoundCtx)> {
    let row: Option<ContractRow> = sqlx::query_as(&format!(
        "SELECT {CONTRACT_COLUMNS} FROM contracts WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let row = row.ok_or(ApiError::NotFound)?;
    let round = access::round(conn, caller, &row.round, RoundAction::Read).await?;
    if !row.viewed_by(caller, &round) {
        return Err(ApiError::NotFound);
    }
    Ok((row, round))
}

async fn decide(
    state: &AppState,
    caller: &Caller,
    id: &str,
    decision: Answer,
    acceptance: Acceptance,
) -> ApiResult<Json<ContractState>> {
    let mut tx = state.db.begin_write().await?;
    let (row, round) = load(&mut tx, caller, id).await?;
    lock_round(state, &mut tx, &round.id).await?;
    // Re-read under the round's lock: two answers to one proposal are
    // serialised, and the second sees the first.
    let (mut row, round) = load(&mut tx, caller, &row.id).await?;
    let is_supplier = row.is_supplier_side(&caller.org.id);
    let facility_actor = round
        .member(&row.supplier)
        .and_then(|s| s.actor.as_deref())
        .unwrap_or("");
    let contract = ContractParties {
        supplier: &row.supplier,
        buyer: &row.buyer,
        facility_actor,
        proposer: Some(&row.proposer),
    };
    match access::viewer(caller).may_answer(&round.parties, contract, decision) {
        Access::Allowed => {}
        Access::NotFound => return Err(ApiError::NotFound),
        Access::Forbidden => {
            return Err(ApiError::forbidden(match decision {
                Answer::Accept | Answer::Decline => {
                    "only an editor of the other side accepts or declines a proposal"
                }
                Answer::Withdraw => "only an editor of the proposer withdraws a proposal",
            }))
        }
    }
    if row.status()? != ContractStatus::Proposed {
        return Err(ApiError::conflict(format!(
            "the contract is {}, no longer proposed",
            row.status
        )));
    }
    if let Some(facility) = &acceptance.facility {
        if !is_supplier {
            return Err(ApiError::bad_request(
                "only the supplier names the facility on acceptance",
            ));
        }
        row.facility = Some(qualify(facility, &row.supplier)?);
    }
    let status = match decision {
        Answer::Accept => ContractStatus::Signed,
        Answer::Decline => ContractStatus::Declined,
        Answer::Withdraw => ContractStatus::Withdrawn,
    };
    if status == ContractStatus::Signed {
        if row.facility.is_none() {
            return Err(invalid(
                "the contract names no facility: the supplier names it on acceptance",
            ));
        }
        // Only signed contracts enter the assembled scenario: the scenario
        // with this one must satisfy the model (refused, nothing stored,
        // otherwise; the diagnostics as the caller may see them).
        let mut documents = RoundDocuments::latest(&mut tx, &round).await?;
        documents.contracts.push(row.signed()?);
        documents
            .contracts
            .sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
        documents.assemble(&access::viewer(caller), &round)?;
    }
    sqlx::query(
        "UPDATE contracts SET status = $1, facility = $2, decided_at = $3, decided_by = $4 \
         WHERE id = $5 AND status = 'proposed'",
    )
    .bind(status.as_str())
    .bind(&row.facility)
    .bind(now_ms())
    .bind(&caller.user_id)
    .bind(&row.id)
    .execute(&mut *tx)
    .await?;
    if status == ContractStatus::Signed {
        record_signed(state, &mut tx, caller, &row, &round).await?;
    }
    tx.commit().await?;
    Ok(Json(ContractState { id: row.id, status }))
}

/// Appends `contract.signed` (spec section 5) in the signing transaction:
/// the contract as signed with its supplier and buyer organisations, read
/// in full by both and the round's coordinator.
async fn record_signed(
    state: &AppState,
    tx: &mut AnyConnection,
    caller: &Caller,
    row: &ContractRow,
    round: &RoundCtx,
) -> ApiResult<()> {
    let buyer_organisation = round
        .parties
        .buyer_member(&row.buyer)
        .map(|m| m.id.clone())
        .ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("contract {} has no buyer member", row.id))
        })?;
    let value = serde_json::json!({
        "contract": row.id,
        "supplier_organisation": row.supplier,
        "buyer_organisation": buyer_organisation,
        "facility": row.facility,
        "buyer": row.buyer,
        "product": row.product,
        "quantity": row.quantity()?,
        "penalty": row.penalty,
        "price": row.price,
    });
    let content = Content::parse(Kind::ContractSigned, &value, Stage::Stored)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("contract {}: {e}", row.id)))?;
    let readers: BTreeSet<String> = [
        row.supplier.clone(),
        buyer_organisation,
        round.coordinator.id.clone(),
        caller.org.id.clone(),
    ]
    .into_iter()
    .collect();
    let mut head = Head::lock(&mut *tx, &state.db).await?;
    head.append(
        tx,
        &state.ledger_key,
        NewEntry {
            content: &content,
            organisation: &caller.org.id,
            user: &caller.user,
            round: Some(&round.id),
            checked_versions: None,
            readers,
        },
    )
    .await?;
    Ok(())
}

/// Accepts a proposal: the contract is signed and enters the assembled
/// scenario.
#[utoipa::path(post, path = "/contracts/{id}/accept", tag = "contracts", security(("bearer" = [])),
    params(("id" = String, Path, description = "the contract's id")),
    request_body(content = Acceptance, content_type = "application/json",
        description = "optional (no body, no Content-Type): `{\"facility\": X}` when the supplier names its facility now"),
    responses(
        (status = 200, description = "signed", body = ContractState),
        (status = 400, description = "`bad_request`", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not the other side's editor", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 409, description = "`conflict`: no longer proposed", body = ErrorEnvelope),
        (status = 422, description = "`invalid_contract`, or `invalid_scenario` with the diagnostics", body = ErrorEnvelope),
    ))]
pub async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    request: Request,
) -> ApiResult<Json<ContractState>> {
    // The body is optional: none (and no Content-Type) accepts as proposed.
    let acceptance = if request.headers().contains_key(CONTENT_TYPE) {
        JsonBody::<Acceptance>::from_request(request, &state)
            .await?
            .0
    } else {
        Acceptance::default()
    };
    decide(&state, &caller, &id, Answer::Accept, acceptance).await
}

/// Declines a proposal.
#[utoipa::path(post, path = "/contracts/{id}/decline", tag = "contracts", security(("bearer" = [])),
    params(("id" = String, Path, description = "the contract's id")),
    responses(
        (status = 200, description = "declined", body = ContractState),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not the other side's editor", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 409, description = "`conflict`: no longer proposed", body = ErrorEnvelope),
    ))]
pub async fn decline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ContractState>> {
    decide(&state, &caller, &id, Answer::Decline, Acceptance::default()).await
}

/// Withdraws one's own proposal.
#[utoipa::path(post, path = "/contracts/{id}/withdraw", tag = "contracts", security(("bearer" = [])),
    params(("id" = String, Path, description = "the contract's id")),
    responses(
        (status = 200, description = "withdrawn", body = ContractState),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not the proposer's editor", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 409, description = "`conflict`: no longer proposed", body = ErrorEnvelope),
    ))]
pub async fn withdraw(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ContractState>> {
    decide(
        &state,
        &caller,
        &id,
        Answer::Withdraw,
        Acceptance::default(),
    )
    .await
}
