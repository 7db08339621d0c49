//! Who may do what: the one place that decides access, read like the
//! spec's tables (sections 1, 3 and 6). Handlers name the object and the
//! action; the functions here load the object and answer with it, with
//! 404 `not_found` when it is missing *or* the caller may not see it (one
//! code path for both, so that no answer reveals that a hidden object
//! exists), or 403 when the caller sees it but may not act.
//!
//! Section 3's finer rules (which parts of a scenario or plan a member
//! sees) are applied on top by the response filters; the predicates here
//! decide whole objects.

use caisson_platform::{Access, Organisation, Parties, Viewer};
use sqlx::{AnyConnection, FromRow};

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::runs::RunKind;
use crate::store::OrgRow;

/// A round with its coordinator and members (the coordinator included).
#[derive(Debug, Clone)]
pub struct RoundCtx {
    /// The round's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// When it was created (ms).
    pub created_at: i64,
    /// The organisation that created it.
    pub coordinator: Organisation,
    /// Every member, in byte order of organisation id.
    pub members: Vec<Organisation>,
    /// The same, as `caisson-platform`'s visibility predicates take them.
    pub parties: Parties,
}

impl RoundCtx {
    /// The member with this id.
    pub fn member(&self, id: &str) -> Option<&Organisation> {
        self.members.iter().find(|m| m.id == id)
    }
}

/// The caller as `caisson-platform`'s predicates see it.
pub fn viewer(caller: &Caller) -> Viewer {
    Viewer {
        organisation: caller.org.clone(),
        role: caller.role,
    }
}

/// An [`Access`] decision as the API answers it.
fn decide(access: Access, forbidden: &str) -> ApiResult<()> {
    match access {
        Access::Allowed => Ok(()),
        Access::Forbidden => Err(ApiError::forbidden(forbidden)),
        Access::NotFound => Err(ApiError::NotFound),
    }
}

/// What a caller wants to do with a round.
#[derive(Debug, Clone, Copy)]
pub enum RoundAction<'a> {
    /// Read it, its members, its reference part, its assembled scenario
    /// (as section 3 lets it), its plan runs: every member.
    Read,
    /// Change it (members, reference part) and start runs: an editor of
    /// its coordinator.
    Manage,
    /// Write `org`'s contribution: an editor of `org`, a member.
    Contribute(&'a str),
    /// Read `org`'s contribution and its versions: its viewers.
    ReadContribution(&'a str),
}

#[derive(Debug, FromRow)]
struct RoundRow {
    id: String,
    name: String,
    created_at: i64,
    coordinator: String,
}

/// Loads a round with its members.
pub async fn load_round(conn: &mut AnyConnection, id: &str) -> ApiResult<Option<RoundCtx>> {
    let row: Option<RoundRow> =
        sqlx::query_as("SELECT id, name, created_at, coordinator FROM rounds WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(row) = row else { return Ok(None) };
    let members: Vec<OrgRow> = sqlx::query_as(
        "SELECT o.id AS id, o.name AS name, o.kind AS kind, o.actor AS actor, \
                o.buys_for AS buys_for, o.blocs AS blocs, o.org_group AS org_group \
         FROM members m JOIN organisations o ON o.id = m.organisation \
         WHERE m.round = $1 ORDER BY o.id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut members = members
        .iter()
        .map(OrgRow::organisation)
        .collect::<anyhow::Result<Vec<_>>>()?;
    // Byte order of ids, whatever the database's collation.
    members.sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
    let coordinator = members
        .iter()
        .find(|m| m.id == row.coordinator)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("round {} lacks its coordinator as member", row.id))?;
    Ok(Some(RoundCtx {
        id: row.id,
        name: row.name,
        created_at: row.created_at,
        parties: Parties::new(coordinator.clone(), members.clone()),
        coordinator,
        members,
    }))
}

/// The round, if `caller` may do `action` with it.
pub async fn round(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    action: RoundAction<'_>,
) -> ApiResult<RoundCtx> {
    let viewer = viewer(caller);
    // A missing round and one the caller may not see take the same path.
    let round = load_round(conn, id)
        .await?
        .filter(|r| viewer.views_round(&r.parties))
        .ok_or(ApiError::NotFound)?;
    let parties = &round.parties;
    match action {
        RoundAction::Read => {}
        RoundAction::Manage => decide(
            viewer.may_coordinate(parties),
            "only an editor of the round's coordinator may do this",
        )?,
        RoundAction::ReadContribution(org) => {
            if !viewer.views_contribution(parties, org) {
                return Err(ApiError::NotFound);
            }
        }
        RoundAction::Contribute(org) => decide(
            viewer.may_contribute(parties, org),
            "only an editor of the organisation may contribute for it",
        )?,
    }
    Ok(round)
}

/// A run as access decisions and handlers need it.
#[derive(Debug, Clone, FromRow)]
pub struct RunRow {
    /// Its id.
    pub id: String,
    /// Its round.
    pub round: String,
    /// Its kind, as text.
    pub kind: String,
    /// `queued`, `running`, `succeeded`, `failed` or `cancelled`.
    pub status: String,
    /// From 0 to 1.
    pub progress: f64,
    /// Why it failed.
    pub error: Option<String>,
    /// The options it was started with (JSON).
    pub options: String,
    /// The reference version it froze.
    pub reference_version: i64,
    /// The contribution versions it froze (JSON object).
    pub frozen_versions: String,
    /// When it was published (ms).
    pub published_at: Option<i64>,
    /// When it was queued (ms).
    pub created_at: i64,
    /// When a worker first claimed it (ms).
    pub started_at: Option<i64>,
    /// When it ended (ms).
    pub finished_at: Option<i64>,
    /// How many times a worker claimed it.
    pub attempts: i64,
}

/// The columns of [`RunRow`].
pub const RUN_COLUMNS: &str = "id, round, kind, status, progress, error, options, \
    reference_version, frozen_versions, published_at, created_at, started_at, finished_at, attempts";

/// What a caller wants to do with a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunAction {
    /// Status and progress: the coordinator; members for `plan` runs.
    Read,
    /// The plan (filtered per section 3): members, for `plan` runs.
    ReadPlan,
    /// The frozen scenario and analysis results: the coordinator.
    ReadAll,
    /// Cancel or publish: an editor of the coordinator.
    Manage,
}

/// The run and its round, if `caller` may do `action` with it.
pub async fn run(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    action: RunAction,
) -> ApiResult<(RunRow, RoundCtx)> {
    let row: Option<RunRow> =
        sqlx::query_as(&format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = $1"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(row) = row else {
        return Err(ApiError::NotFound);
    };
    let Some(round) = load_round(conn, &row.round).await? else {
        return Err(ApiError::NotFound);
    };
    let viewer = viewer(caller);
    let is_plan = RunKind::parse(&row.kind) == Some(RunKind::Plan);
    decide(viewer.may_read_run(&round.parties, is_plan), "")?;
    match action {
        RunAction::Read | RunAction::ReadPlan => {}
        RunAction::ReadAll => {
            if !viewer.is_coordinator(&round.parties) {
                return Err(ApiError::forbidden(
                    "only the round's coordinator reads a run's scenario and analysis results",
                ));
            }
        }
        RunAction::Manage => decide(
            viewer.may_coordinate(&round.parties),
            "only an editor of the round's coordinator may do this",
        )?,
    }
    Ok((row, round))
}

/// A published run: readable by every signed-in user, observers included
/// (spec section 3's publication rule). Unpublished runs are not found.
pub async fn published_run(
    conn: &mut AnyConnection,
    _caller: &Caller,
    id: &str,
) -> ApiResult<RunRow> {
    sqlx::query_as(&format!(
        "SELECT {RUN_COLUMNS} FROM runs WHERE id = $1 AND published_at IS NOT NULL"
    ))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(ApiError::NotFound)
}

/// Whether `caller` may create a round: an editor of a coordinator.
pub fn create_round(caller: &Caller) -> ApiResult<()> {
    decide(
        viewer(caller).may_create_round(),
        "only an editor of a coordinator creates rounds",
    )
}
