//! The ledger's endpoints (spec sections 5 and 6): recording entries
//! (editors, per the spec's "recorded by" column), reading entries in the
//! form the caller may read, checkpoints, proofs and the export (anyone,
//! no token needed).
//!
//! Custody and compliance are checked with `caisson-ledger`'s
//! [`custody::State`], rebuilt under the append lock from the stored
//! entries of the entry's round, against the round's scenario assembled at
//! recording time. Ids (EUCs, lots, contracts) resolve within the round.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{LazyLock, Mutex};

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use caisson_ledger::custody::{self, ContractRecord, EucRecord, Lot, Refusal, RefusalCode};
use caisson_ledger::export::{write_export, ExportEntry};
use caisson_ledger::lots::{Direction, Lots, Trace, TraceFrom, TraceQuery};
use caisson_ledger::merkle::{consistency_proof, inclusion_proof, MemoryStore};
use caisson_ledger::report::{AttReport, ProductInfo};
use caisson_ledger::{Content, FullEntry, Kind, Stage};
use caisson_platform::visibility::owner_of;
use caisson_platform::{Access, Organisation};
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::AnyConnection;
use utoipa::{IntoParams, ToSchema};

use crate::access::{self, RoundAction, RoundCtx};
use crate::auth::{Caller, MaybeCaller};
use crate::body::JsonBody;
use crate::documents::RoundDocuments;
use crate::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::ledger::{self as store, EntryRow, Head, NewEntry};
use crate::state::AppState;

/// A recording request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Recording {
    /// `euc.issued`, `transfer.shipped`, `transfer.received`,
    /// `transfer.reexported` or `consent.given`.
    pub kind: String,
    /// The round whose scenario the entry is checked against.
    pub round: String,
    /// The content (section 5's keys for the kind).
    #[schema(value_type = Object)]
    pub content: Value,
}

/// `?size=N`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SizeQuery {
    /// A tree size (default: the latest).
    pub size: Option<u64>,
}

/// `?index=I&size=N`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct InclusionQuery {
    /// The entry's index.
    pub index: u64,
    /// The tree size.
    pub size: u64,
}

/// `?from=M&to=N`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ConsistencyQuery {
    /// The older tree size (>= 1).
    pub from: u64,
    /// The newer tree size.
    pub to: u64,
}

fn query<T>(query: Result<Query<T>, QueryRejection>) -> ApiResult<T> {
    query
        .map(|Query(q)| q)
        .map_err(|e| ApiError::bad_request(e.body_text()))
}

/// A refusal as the API answers it: 409 for `conflict`, 422 otherwise.
fn refused(refusal: Refusal) -> ApiError {
    match refusal.code {
        RefusalCode::Conflict => ApiError::Conflict(refusal.message),
        code => ApiError::Unprocessable {
            code: code.as_str(),
            message: refusal.message,
        },
    }
}

fn unknown(what: &str, id: &str) -> ApiError {
    refused(Refusal {
        code: RefusalCode::Unknown,
        message: format!("unknown {what} {id:?}"),
    })
}

/// Who reads the full form of the entries that created each id of a round
/// (EUC, lot, contract): the ids' readers, for [`custody::Visibility`] and
/// for the parties of entries that refer to them.
#[derive(Debug, Default)]
struct Readers {
    by_id: HashMap<String, BTreeSet<String>>,
}

impl Readers {
    fn of(&self, id: &str) -> BTreeSet<String> {
        self.by_id.get(id).cloned().unwrap_or_default()
    }
}

/// The custody visibility of one organisation: it views an id when it
/// reads the entry that created it.
struct ViewerOf<'a> {
    organisation: &'a str,
    readers: &'a Readers,
    /// When the origin's state consents to re-exporting this lot: it also
    /// views the EUCs its holder exports under (it could not consent to a
    /// re-export under an EUC it may not name otherwise).
    consenting_for: Option<&'a Lot>,
}

impl ViewerOf<'_> {
    fn views(&self, id: &str) -> bool {
        self.readers
            .by_id
            .get(id)
            .is_some_and(|r| r.contains(self.organisation))
    }
}

impl custody::Visibility for ViewerOf<'_> {
    fn may_view_euc(&self, euc: &EucRecord) -> bool {
        self.views(&euc.id)
            || self
                .consenting_for
                .is_some_and(|lot| euc.content.exporter == lot.consignee)
    }
    fn may_view_lot(&self, lot: &Lot) -> bool {
        self.views(&lot.id)
    }
    fn may_view_contract(&self, contract: &ContractRecord) -> bool {
        self.views(&contract.content.contract)
    }
}

/// A round's custody state and readers, as of its entries up to `applied`
/// (the index and leaf hash of the last entry applied).
#[derive(Debug, Default)]
struct RoundState {
    state: custody::State,
    readers: Readers,
    applied: Option<(i64, String)>,
}

/// Each round's custody state per server process (keyed by the address of
/// the server's signing key and the round), so that an append replays only
/// the round's entries recorded since, by this server or another sharing
/// the database, instead of the whole round.
static ROUND_STATES: LazyLock<Mutex<HashMap<(usize, String), RoundState>>> =
    LazyLock::new(Mutex::default);

fn round_cache_key(app: &AppState, round: &str) -> (usize, String) {
    (
        std::ptr::from_ref::<caisson_ledger::LedgerKey>(&app.ledger_key) as usize,
        round.to_owned(),
    )
}

impl RoundState {
    /// The cached state of a round (taken out of the cache: it goes back
    /// only once an append commits), or an empty one.
    fn take(app: &AppState, round: &str) -> RoundState {
        ROUND_STATES
            .lock()
            .ok()
            .and_then(|mut cache| cache.remove(&round_cache_key(app, round)))
            .unwrap_or_default()
    }

    fn put_back(self, app: &AppState, round: &str) {
        if let Ok(mut cache) = ROUND_STATES.lock() {
            cache.insert(round_cache_key(app, round), self);
        }
    }

    /// Brings the state up to the round's stored entries (the head is
    /// locked): when the last entry applied is no longer stored as it was,
    /// everything is replayed from the start.
    async fn catch_up(
        &mut self,
        conn: &mut AnyConnection,
        round: &str,
        scenario: &caisson_model::Scenario,
    ) -> ApiResult<()> {
        if let Some((index, leaf)) = &self.applied {
            let still: Option<(String,)> = sqlx::query_as(
                "SELECT leaf_hash FROM ledger_entries WHERE idx = $1 AND round = $2",
            )
            .bind(index)
            .bind(round)
            .fetch_optional(&mut *conn)
            .await?;
            if still.is_none_or(|(stored,)| stored != *leaf) {
                *self = RoundState::default();
            }
        }
        let after = self.applied.as_ref().map_or(-1, |(index, _)| *index);
        for row in store::round_entries_after(conn, round, after).await? {
            let content = row.content()?;
            self.state
                .replay(&content, &row.organisation, scenario)
                .map_err(|r| {
                    ApiError::Internal(anyhow::anyhow!(
                        "ledger entry {} does not replay: {r}",
                        row.idx
                    ))
                })?;
            if let Some(id) = created_id(&content) {
                self.readers.by_id.insert(id, row.readers()?);
            }
            self.applied = Some((row.idx, row.leaf_hash.clone()));
        }
        Ok(())
    }
}

/// The id an entry creates (contract, EUC or lot), if any.
fn created_id(content: &Content) -> Option<String> {
    match content {
        Content::ContractSigned(c) => Some(c.contract.clone()),
        Content::EucIssued(c) => c.euc.clone(),
        Content::TransferShipped(c) => c.lot.clone(),
        Content::TransferReexported(c) => c.new_lot.clone(),
        Content::TransferReceived(_) | Content::ConsentGiven(_) => None,
    }
}

/// Whether `org` is the member `found`.
fn is(org: &Organisation, found: Option<&Organisation>) -> bool {
    found.is_some_and(|f| f.id == org.id)
}

/// Checks the spec's "recorded by" column for `content` and returns the
/// entry's parties (besides the coordinator and the recorder).
fn recorder_and_parties(
    caller: &Caller,
    round: &RoundCtx,
    content: &Content,
    state: &custody::State,
    readers: &Readers,
) -> ApiResult<BTreeSet<String>> {
    let org = &caller.org;
    let parties = &round.parties;
    let viewer = ViewerOf {
        organisation: &org.id,
        readers,
        consenting_for: None,
    };
    let lot = |id: &str| -> ApiResult<Lot> {
        state
            .lots()
            .get(id)
            .filter(|l| viewer.views(&l.id))
            .cloned()
            .ok_or_else(|| unknown("lot", id))
    };
    let states_of = |actors: &[&str]| -> BTreeSet<String> {
        actors
            .iter()
            .filter_map(|a| parties.state_of(a).map(|m| m.id.clone()))
            .collect()
    };
    let mut out = BTreeSet::new();
    match content {
        Content::ContractSigned(_) => {
            return Err(ApiError::forbidden(
                "contract.signed is recorded by the server when a contract is signed",
            ));
        }
        Content::EucIssued(c) => {
            if !(is(org, parties.buyer_member(&c.end_user))
                || is(org, parties.buyer_member(&c.consignee)))
            {
                return Err(ApiError::forbidden(
                    "an EUC is issued by the state (or coordinator) owning its end user or consignee",
                ));
            }
            out.insert(c.exporter_organisation.clone());
            out.extend(states_of(&[&c.exporter, &c.consignee, &c.end_user]));
        }
        Content::TransferShipped(c) => {
            if owner_of(&c.facility) != Some(org.id.as_str()) {
                return Err(ApiError::forbidden(
                    "a shipment is recorded by the producer of its facility",
                ));
            }
            out.extend(readers.of(&c.euc));
        }
        Content::TransferReceived(c) => {
            let lot = lot(&c.lot)?;
            if !is(org, parties.buyer_member(&lot.consignee)) {
                return Err(ApiError::forbidden(
                    "a receipt is recorded by the member owning the lot's consignee",
                ));
            }
            out.extend(readers.of(&lot.id));
        }
        Content::TransferReexported(c) => {
            let lot = lot(&c.lot)?;
            if !is(org, parties.buyer_member(&lot.consignee)) {
                return Err(ApiError::forbidden(
                    "a re-export is recorded by the member owning the lot's holder",
                ));
            }
            out.extend(readers.of(&lot.id));
            out.extend(readers.of(&c.euc));
        }
        Content::ConsentGiven(c) => {
            let lot = lot(&c.lot)?;
            if !is(org, parties.state_of(&lot.origin)) {
                return Err(ApiError::forbidden(
                    "consent is given by the state of the lot's origin",
                ));
            }
            out.extend(readers.of(&lot.id));
        }
    }
    Ok(out)
}

/// The document versions an entry is checked against.
fn checked_versions(documents: &RoundDocuments) -> Value {
    json!({
        "reference": documents.reference.version,
        "contributions": documents.frozen_versions(),
        "contracts": documents.contracts.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
    })
}

/// Records an entry.
#[utoipa::path(post, path = "/ledger/entries", tag = "ledger", security(("bearer" = [])),
    request_body(content = Recording, content_type = "application/json"),
    responses(
        (status = 201, description = "`{\"index\"}` plus the assigned `euc` or `lot`", body = Object),
        (status = 400, description = "`bad_request`: malformed body or content (unknown or null keys, bad dates or numbers)", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not who records this kind (or `contract.signed`)", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: the round", body = ErrorEnvelope),
        (status = 409, description = "`conflict`: an EUC number already used by its issuer", body = ErrorEnvelope),
        (status = 422, description = "`compliance_denied`, `custody_exceeded`, `euc_mismatch`, `unknown` (missing or not viewable ids), `invalid_scenario`", body = ErrorEnvelope),
    ))]
pub async fn record(
    State(app): State<AppState>,
    caller: Caller,
    JsonBody(recording): JsonBody<Recording>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    if access::viewer(&caller).may_record_ledger_entry() != Access::Allowed {
        return Err(ApiError::forbidden("only editors record ledger entries"));
    }
    let kind = Kind::parse(&recording.kind)
        .ok_or_else(|| ApiError::bad_request(format!("unknown kind {:?}", recording.kind)))?;
    if !kind.recordable_by_clients() {
        return Err(ApiError::forbidden(
            "contract.signed is recorded by the server when a contract is signed",
        ));
    }
    let mut content = Content::parse(kind, &recording.content, Stage::Request)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let mut tx = app.db.begin_write().await?;
    // The append lock first: custody is checked and the entry appended
    // with no other append in between.
    let mut head = Head::lock(&mut tx, &app.db).await?;
    let round = access::round(&mut tx, &caller, &recording.round, RoundAction::Read).await?;
    let documents = RoundDocuments::latest(&mut tx, &round).await?;
    let assembled = documents.assemble(&access::viewer(&caller), &round)?;
    let mut cached = RoundState::take(&app, &round.id);
    cached
        .catch_up(&mut tx, &round.id, &assembled.scenario)
        .await?;
    let (state, readers) = (&cached.state, &cached.readers);
    let ids = content
        .assign_ids()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("random source: {e}")))?;
    let decided = (|| -> ApiResult<(BTreeSet<String>, custody::Effects)> {
        let entry_readers = recorder_and_parties(&caller, &round, &content, state, readers)?;
        // Reached only when the caller is who records this kind: for a
        // consent, the state of the lot's origin.
        let consenting_for = match &content {
            Content::ConsentGiven(c) => state.lots().get(&c.lot),
            _ => None,
        };
        let visibility = ViewerOf {
            organisation: &caller.org.id,
            readers,
            consenting_for,
        };
        let context = custody::Context {
            scenario: &assembled.scenario,
            organisation: &caller.org.id,
            visibility: &visibility,
            mode: custody::Mode::Record,
        };
        let effects = state.check(&content, &context).map_err(refused)?;
        Ok((entry_readers, effects))
    })();
    let (mut entry_readers, effects) = match decided {
        Ok(decided) => decided,
        Err(error) => {
            // A refusal changes nothing: the caught-up state stays valid.
            cached.put_back(&app, &round.id);
            return Err(error);
        }
    };
    entry_readers.insert(caller.org.id.clone());
    entry_readers.insert(round.coordinator.id.clone());
    let created_readers = entry_readers.clone();
    let full = head
        .append(
            &mut tx,
            &app.ledger_key,
            NewEntry {
                content: &content,
                organisation: &caller.org.id,
                user: &caller.user,
                round: Some(&round.id),
                checked_versions: Some(checked_versions(&documents)),
                readers: entry_readers,
            },
        )
        .await?;
    tx.commit().await?;
    // Committed: the cached state moves on by this entry and goes back.
    cached.state.apply(effects);
    if let Some(id) = created_id(&content) {
        cached.readers.by_id.insert(id, created_readers);
    }
    cached.applied = Some((
        i64::try_from(full.index).map_err(|e| ApiError::Internal(e.into()))?,
        full.leaf_hash.to_hex(),
    ));
    cached.put_back(&app, &round.id);
    let mut answer = serde_json::Map::new();
    answer.insert("index".into(), full.index.into());
    for (key, id) in ids {
        answer.insert(key.into(), id.into());
    }
    Ok((StatusCode::CREATED, Json(Value::Object(answer))))
}

/// One entry, in its full form for its readers, public otherwise.
#[utoipa::path(get, path = "/ledger/entries/{index}", tag = "ledger",
    params(("index" = u64, Path, description = "the entry's index")),
    responses(
        (status = 200, description = "the full form for its parties, the round's coordinator and the recorder; `{\"index\", \"time\", \"leaf_hash\"}` for anyone else", body = Object),
        (status = 401, description = "`unauthenticated`: a token was sent but is not valid", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
    ))]
pub async fn get_entry(
    State(app): State<AppState>,
    caller: MaybeCaller,
    index: Result<Path<u64>, PathRejection>,
) -> ApiResult<Json<Value>> {
    // An index that is no number names no entry.
    let Ok(Path(index)) = index else {
        return Err(ApiError::NotFound);
    };
    let mut conn = app.db.pool.acquire().await?;
    let row = store::entry(&mut conn, index)
        .await?
        .ok_or(ApiError::NotFound)?;
    log_full_reads(
        &mut conn,
        caller.0.as_ref(),
        std::slice::from_ref(&row),
        "GET ledger entry",
    )
    .await?;
    Ok(Json(row.form_for(caller.organisation())?))
}

/// The latest signed checkpoint, or that of tree size N.
#[utoipa::path(get, path = "/ledger/checkpoint", tag = "ledger",
    params(SizeQuery),
    responses(
        (status = 200, description = "`{\"size\", \"root_hash\", \"time\", \"key\", \"signature\"}`", body = Object),
        (status = 400, description = "`bad_request`: a size beyond the tree", body = ErrorEnvelope),
    ))]
pub async fn get_checkpoint(
    State(app): State<AppState>,
    params: Result<Query<SizeQuery>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    let params = query(params)?;
    let mut conn = app.db.pool.acquire().await?;
    if let Some(size) = params.size {
        beyond(&mut conn, size).await?;
    }
    let checkpoint = store::checkpoint(&mut conn, params.size)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Json(
        serde_json::to_value(checkpoint).map_err(anyhow::Error::from)?,
    ))
}

/// 400 when `size` is beyond the committed tree.
async fn beyond(conn: &mut AnyConnection, size: u64) -> ApiResult<u64> {
    let tree = store::tree_size(conn).await?;
    if size > tree {
        return Err(ApiError::bad_request(format!(
            "size {size} is beyond the tree's size {tree}"
        )));
    }
    Ok(tree)
}

async fn leaves(conn: &mut AnyConnection, size: u64) -> ApiResult<MemoryStore> {
    let size = i64::try_from(size).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(store::leaf_hashes(conn, size).await?.into_iter().collect())
}

/// The inclusion proof of entry I in the tree of size N.
#[utoipa::path(get, path = "/ledger/proof/inclusion", tag = "ledger",
    params(InclusionQuery),
    responses(
        (status = 200, description = "`{\"index\", \"size\", \"leaf_hash\", \"path\"}` (RFC 9162 section 2.1.3)", body = Object),
        (status = 400, description = "`bad_request`: `index >= size`, or a size beyond the tree", body = ErrorEnvelope),
    ))]
pub async fn inclusion(
    State(app): State<AppState>,
    params: Result<Query<InclusionQuery>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    let params = query(params)?;
    caisson_ledger::merkle::check_inclusion_request(params.index, params.size)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let mut conn = app.db.pool.acquire().await?;
    beyond(&mut conn, params.size).await?;
    let store = leaves(&mut conn, params.size).await?;
    let proof = inclusion_proof(&store, params.index, params.size)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    Ok(Json(
        serde_json::to_value(proof).map_err(anyhow::Error::from)?,
    ))
}

/// The consistency proof between the trees of sizes M and N.
#[utoipa::path(get, path = "/ledger/proof/consistency", tag = "ledger",
    params(ConsistencyQuery),
    responses(
        (status = 200, description = "`{\"from\", \"to\", \"path\"}` (RFC 9162 section 2.1.4)", body = Object),
        (status = 400, description = "`bad_request`: `from = 0`, `from > to`, or a size beyond the tree", body = ErrorEnvelope),
    ))]
pub async fn consistency(
    State(app): State<AppState>,
    params: Result<Query<ConsistencyQuery>, QueryRejection>,
) -> ApiResult<Json<Value>> {
    let params = query(params)?;
    caisson_ledger::merkle::check_consistency_request(params.from, params.to)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let mut conn = app.db.pool.acquire().await?;
    beyond(&mut conn, params.to).await?;
    let store = leaves(&mut conn, params.to).await?;
    let proof = consistency_proof(&store, params.from, params.to)
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    Ok(Json(
        serde_json::to_value(proof).map_err(anyhow::Error::from)?,
    ))
}

/// The log as JSON lines: every entry in the form the caller may read, then
/// the latest checkpoint.
#[utoipa::path(get, path = "/ledger/export", tag = "ledger",
    responses(
        (status = 200, description = "JSON lines: entries in index order (full or public form), the latest signed checkpoint last", content_type = "application/x-ndjson", body = String),
        (status = 401, description = "`unauthenticated`: a token was sent but is not valid", body = ErrorEnvelope),
    ))]
pub async fn export(State(app): State<AppState>, caller: MaybeCaller) -> ApiResult<Response> {
    let mut conn = app.db.pool.acquire().await?;
    // The checkpoint first: every entry below its size is committed.
    let checkpoint = store::checkpoint(&mut conn, None)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the ledger has no checkpoint")))?;
    let rows: Vec<EntryRow> = store::entries(&mut conn, checkpoint.size).await?;
    let organisation = caller.organisation();
    let entries = rows
        .iter()
        .map(|row| {
            Ok(if row.readable_by(organisation)? {
                ExportEntry::Full(row.full()?)
            } else {
                ExportEntry::Public(row.public()?)
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    log_full_reads(&mut conn, caller.0.as_ref(), &rows, "GET ledger export").await?;
    let text = write_export(&entries, &checkpoint);
    Ok(([(CONTENT_TYPE, "application/x-ndjson")], text).into_response())
}

/// The entries of the committed tree that `caller` reads in full, in index
/// order; their reads go to the access log of each recording organisation.
async fn readable_entries(
    conn: &mut AnyConnection,
    caller: &MaybeCaller,
    endpoint: &str,
) -> ApiResult<Vec<FullEntry>> {
    // Without a token nothing is read in full.
    let Some(caller) = &caller.0 else {
        return Ok(Vec::new());
    };
    let size = store::tree_size(conn).await?;
    let mut rows = Vec::new();
    for row in store::entries(conn, size).await? {
        if row.readable_by(Some(&caller.org.id))? {
            rows.push(row);
        }
    }
    log_full_reads(conn, Some(caller), &rows, endpoint).await?;
    let out = rows
        .iter()
        .map(EntryRow::full)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(out)
}

/// Category and name of every product of the rounds of `entries`, from
/// each round's latest reference part (products are the reference part's,
/// which every member sees; nothing confidential is read).
async fn products_of(
    conn: &mut AnyConnection,
    entries: &[FullEntry],
) -> ApiResult<BTreeMap<String, ProductInfo>> {
    let rounds: BTreeSet<&str> = entries.iter().filter_map(|e| e.round.as_deref()).collect();
    let mut products = BTreeMap::new();
    for round in rounds {
        let Some(round) = access::load_round(conn, round).await? else {
            continue;
        };
        let documents = RoundDocuments::latest(conn, &round).await?;
        let format = match documents.reference.media()? {
            caisson_platform::MediaType::Json => caisson_scenario::Format::Json,
            caisson_platform::MediaType::Toml => caisson_scenario::Format::Toml,
        };
        // The reference part was a valid scenario when stored.
        let Ok(loaded) =
            caisson_scenario::load_source(&documents.reference.body, "reference", format)
        else {
            continue;
        };
        for product in &loaded.scenario.products {
            products
                .entry(product.id.clone())
                .or_insert_with(|| ProductInfo {
                    category: product.att_category.clone(),
                    description: product.name.clone(),
                });
        }
    }
    Ok(products)
}

/// `?year=Y[&state=ACTOR]`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AttQuery {
    /// The calendar year.
    pub year: u32,
    /// The reporting state (an actor id); default: the caller's actor.
    pub state: Option<String>,
}

/// A state's exports and imports of a year in the columns of the Arms
/// Trade Treaty annual report, from the entries the caller reads in full
/// (none without a token: like every ledger read, it answers anyone).
#[utoipa::path(get, path = "/ledger/reports/att", tag = "ledger",
    params(AttQuery),
    responses(
        (status = 200, description = "`{\"state\", \"year\", \"exports\": [row], \"imports\": [row]}`, rows `{\"category\", \"state\", \"state_of_origin\", \"number_of_items\", \"description\", \"comments\"}` (docs/ledger.md)", body = Object),
        (status = 400, description = "`bad_request`: no year, or no state for a caller without an actor", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`: a token was sent but is not valid", body = ErrorEnvelope),
    ))]
pub async fn att_report(
    State(app): State<AppState>,
    caller: MaybeCaller,
    params: Result<Query<AttQuery>, QueryRejection>,
) -> ApiResult<Json<AttReport>> {
    let params = query(params)?;
    let state = params
        .state
        .or_else(|| caller.0.as_ref().and_then(|c| c.org.actor.clone()))
        .ok_or_else(|| ApiError::bad_request("name the reporting state with `state`"))?;
    let mut conn = app.db.pool.acquire().await?;
    let entries = readable_entries(&mut conn, &caller, "GET ledger ATT report").await?;
    let products = products_of(&mut conn, &entries).await?;
    Ok(Json(caisson_ledger::report::att_report(
        &entries,
        &products,
        &state,
        params.year,
    )))
}

/// `?lot=ID[&direction=forward|backward]`, `?origin=ACTOR` or
/// `?holder=ACTOR`, each with an optional `&product=P`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TraceParams {
    /// One lot, traced in `direction`.
    pub lot: Option<String>,
    /// `forward` (default) or `backward`, for `lot`.
    pub direction: Option<String>,
    /// Every lot shipped from this actor's facilities, traced forwards.
    pub origin: Option<String>,
    /// Every lot sent to this actor, traced backwards.
    pub holder: Option<String>,
    /// Only lots of this product.
    pub product: Option<String>,
}

/// Traces lots forwards (where did the goods end up) or backwards (where
/// did they come from), over the entries the caller reads in full (none
/// without a token).
#[utoipa::path(get, path = "/ledger/trace", tag = "ledger",
    params(TraceParams),
    responses(
        (status = 200, description = "`[{\"direction\", \"lots\": [lot]}]`, each trace's starting lot first (docs/ledger.md)", body = Object),
        (status = 400, description = "`bad_request`: not exactly one of `lot`, `origin`, `holder`; a bad direction", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`: a token was sent but is not valid", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: a lot that does not exist or that the caller may not read", body = ErrorEnvelope),
    ))]
pub async fn trace(
    State(app): State<AppState>,
    caller: MaybeCaller,
    params: Result<Query<TraceParams>, QueryRejection>,
) -> ApiResult<Json<Vec<Trace>>> {
    let params = query(params)?;
    let direction = match params.direction.as_deref() {
        None | Some("forward") => Direction::Forward,
        Some("backward") => Direction::Backward,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "direction {other:?} is neither forward nor backward"
            )))
        }
    };
    let from = match (params.lot, params.origin, params.holder) {
        (Some(lot), None, None) => TraceFrom::Lot(lot),
        (None, Some(origin), None) => TraceFrom::Origin(origin),
        (None, None, Some(holder)) => TraceFrom::Holder(holder),
        _ => {
            return Err(ApiError::bad_request(
                "give exactly one of `lot`, `origin` and `holder`",
            ))
        }
    };
    let mut conn = app.db.pool.acquire().await?;
    let entries = readable_entries(&mut conn, &caller, "GET ledger trace").await?;
    let lots = Lots::from_entries(&entries);
    // A lot the caller may not read is answered like a missing one.
    if let TraceFrom::Lot(id) = &from {
        if lots.lot(id).is_none() {
            return Err(ApiError::NotFound);
        }
    }
    Ok(Json(lots.trace(&TraceQuery {
        from,
        product: params.product,
        direction,
    })))
}

/// Records the reads of entries in their full form in the access log of
/// each of their other readers (an entry's full form is its parties'
/// confidential data, spec section 3): one row per owner, naming the
/// entries. Public forms carry nothing confidential and are not recorded.
async fn log_full_reads(
    conn: &mut sqlx::AnyConnection,
    caller: Option<&Caller>,
    rows: &[EntryRow],
    endpoint: &str,
) -> ApiResult<()> {
    let Some(reader) = caller else {
        return Ok(());
    };
    let mut read: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for row in rows {
        let readers = row.readers()?;
        if !readers.contains(&reader.org.id) {
            continue;
        }
        for owner in readers {
            read.entry(owner)
                .or_default()
                .push(format!("ledger entry {}", row.index()?));
        }
    }
    for (owner, entities) in read {
        super::system::record_access(&mut *conn, reader, &owner, endpoint, &entities).await?;
    }
    Ok(())
}
