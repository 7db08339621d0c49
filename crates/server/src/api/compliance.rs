//! The compliance explorer (an extension of the platform spec): why a flow
//! between two actors is allowed or denied, as a matrix and per pair.
//!
//! Verdicts depend only on actors, blocs and policies (spec section 3 of
//! the model), which are the reference part and the policies: every member
//! of the round views them (platform spec section 3). The answers are built
//! from the round's scenario as assembled for the caller and name only
//! actors, blocs, policies and their owners — never a facility or a demand.
//! The one use of confidential entities, `?product=P` narrowing the rows
//! and columns, goes through the caller's own viewing rights
//! (`caisson_platform`'s `Viewer`), so it only reflects what the caller may
//! see anyway; a read of another organisation's facilities or demands that
//! way is in that organisation's access log. Non-members get 404 as for
//! any round they may not see.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::Json;
use caisson_compliance::{shipment_by_actors, trace_end_use, trace_leg, Rule, RuleTrace, Verdict};
use caisson_model::{ActorId, FacilityId, Held, PolicyList, Scenario};
use caisson_platform::{FacilityRef, Parties, Viewer};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::access::{self, RoundAction, RoundCtx};
use crate::auth::Caller;
use crate::documents::RoundDocuments;
use crate::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::state::AppState;

use super::system::record_access;

/// `?product=P`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct MatrixQuery {
    /// Narrow the rows to the exporters of facilities holding the product
    /// and the columns to the buyers of demands for it, among those the
    /// caller may view (a side the caller views none of keeps every actor).
    /// The verdicts themselves do not depend on the product.
    pub product: Option<String>,
}

/// `?from=A&to=B&end_user=U`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ExplainQuery {
    /// The exporting actor.
    pub from: String,
    /// The buying actor.
    pub to: String,
    /// The end user (default: the buyer).
    pub end_user: Option<String>,
    /// Accepted for symmetry with the matrix; verdicts do not depend on it.
    pub product: Option<String>,
}

/// An actor of the round's reference part.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActorInfo {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The blocs it belongs to.
    pub blocs: Vec<String>,
    /// Whether it is a party to an armed conflict.
    pub belligerent: bool,
}

/// A policy of the round, with who contributed it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyInfo {
    /// Its id (qualified `ORG:X` when a member contributed it).
    pub id: String,
    /// Its name.
    pub name: String,
    /// The organisation that contributed it (the coordinator for the
    /// reference part's own policies).
    pub owner: String,
    /// The actor or bloc it binds.
    pub scope: String,
}

/// The policy list entry that denied a flow.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecidingPolicy {
    /// The rule whose check failed, e.g. `rule 1: leg exporter -> buyer`.
    pub rule: String,
    /// The deciding policy's id.
    pub policy: String,
    /// Its name.
    pub name: String,
    /// The organisation that contributed it.
    pub owner: String,
    /// `deny_export`, `deny_import` or `deny_end_use`.
    pub list: String,
    /// The selector of the list that matched (`belligerent`, an actor or
    /// bloc id, `*`).
    pub selector: Option<String>,
    /// The reason as plans write it (`srb-neutrality deny_export: SRB may
    /// not export to UKR (...)`).
    pub reason: String,
}

/// One cell of the matrix: a shipment from `exporter` to `buyer` for the
/// buyer's own use (rules 1 and 3).
#[derive(Debug, Serialize, ToSchema)]
pub struct MatrixCell {
    /// The exporting actor.
    pub exporter: String,
    /// The buying actor.
    pub buyer: String,
    /// Whether the policies allow it.
    pub allowed: bool,
    /// What denied it (absent when allowed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denied_by: Option<DecidingPolicy>,
}

/// The allowed/denied matrix of a round.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplianceMatrix {
    /// The round.
    pub round: String,
    /// The product narrowing the rows and columns, when given.
    pub product: Option<String>,
    /// Every actor of the round.
    pub actors: Vec<ActorInfo>,
    /// The rows: exporting actors.
    pub exporters: Vec<String>,
    /// The columns: buying actors.
    pub buyers: Vec<String>,
    /// Every policy of the round.
    pub policies: Vec<PolicyInfo>,
    /// One cell per (exporter, buyer) pair of distinct actors, row by row.
    pub cells: Vec<MatrixCell>,
}

/// One policy list examined for a rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckInfo {
    /// The policy's id.
    pub policy: String,
    /// Its name.
    pub name: String,
    /// The organisation that contributed it.
    pub owner: String,
    /// The list examined.
    pub list: String,
    /// The actor the policy binds here.
    pub bound: String,
    /// The actor looked up in the list.
    pub subject: String,
    /// The selector that selected the subject, if any.
    pub matched: Option<String>,
    /// Whether this check decided the verdict.
    pub decisive: bool,
}

/// One rule checked for the flow.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleInfo {
    /// The rule, e.g. `rule 2: re-transfer leg buyer -> end user`.
    pub rule: String,
    /// The sender of the leg (the exporter for the end-use rule).
    pub from: String,
    /// The receiver (the end user for the end-use rule).
    pub to: String,
    /// False when both ends are one actor: the rule does not apply.
    pub applies: bool,
    /// Every non-empty policy list binding the relevant actor, in the
    /// spec's checking order.
    pub checks: Vec<CheckInfo>,
    /// Whether this rule alone allows the flow.
    pub allowed: bool,
}

/// Why one flow is allowed or denied.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComplianceExplanation {
    /// The round.
    pub round: String,
    /// The exporter.
    pub from: String,
    /// The buyer.
    pub to: String,
    /// The end user.
    pub end_user: String,
    /// The verdict.
    pub allowed: bool,
    /// What denied it (absent when allowed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub denied_by: Option<DecidingPolicy>,
    /// The rules checked, in order (1, 2, 3).
    pub rules: Vec<RuleInfo>,
    /// The verdict in one plain sentence.
    pub summary: String,
}

fn query<T>(query: Result<Query<T>, QueryRejection>) -> ApiResult<T> {
    query
        .map(|Query(q)| q)
        .map_err(|e| ApiError::bad_request(e.body_text()))
}

/// The round's scenario as assembled for the caller (404 for non-members).
async fn assembled(
    state: &AppState,
    caller: &Caller,
    round: &str,
) -> ApiResult<(RoundCtx, Scenario)> {
    let mut conn = state.db.pool.acquire().await?;
    let round = access::round(&mut conn, caller, round, RoundAction::Read).await?;
    let documents = RoundDocuments::latest(&mut conn, &round).await?;
    let assembled = documents.assemble(&access::viewer(caller), &round)?;
    Ok((round, assembled.scenario))
}

/// Who contributed a policy: the prefix of its qualified id, else the
/// round's coordinator (the reference part's own).
fn owner(round: &RoundCtx, policy_id: &str) -> String {
    policy_id
        .split_once(':')
        .map(|(org, _)| org.to_owned())
        .unwrap_or_else(|| round.coordinator.id.clone())
}

fn list_name(list: PolicyList) -> String {
    list.field_name().to_owned()
}

fn deciding(round: &RoundCtx, s: &Scenario, verdict: Verdict) -> Option<DecidingPolicy> {
    let denial = verdict.denial()?;
    let policy = &s.policies[denial.policy.index()];
    Some(DecidingPolicy {
        rule: denial.rule.describe().to_owned(),
        policy: policy.id.clone(),
        name: policy.name.clone(),
        owner: owner(round, &policy.id),
        list: list_name(denial.list),
        selector: denial
            .selector(s)
            .map(|sel| s.selector_text(sel).to_owned()),
        reason: verdict.reason(s),
    })
}

fn actor(s: &Scenario, id: &str) -> ApiResult<ActorId> {
    s.actor_id(id)
        .ok_or_else(|| ApiError::bad_request(format!("unknown actor {id:?}")))
}

/// The actors on each side of the matrix for `product`: exporters of the
/// facilities holding it and buyers of the demands for it that `viewer`
/// views (every actor for a side it views none of, or without a product).
/// Also returns, per owning organisation (the prefix of the qualified
/// id), the facilities and demands whose actors it used: the narrowing
/// carries their data, so the reads go to the owners' access logs.
fn sides(
    s: &Scenario,
    viewer: &Viewer,
    parties: &Parties,
    product: Option<&str>,
) -> ApiResult<Sides> {
    let all: Vec<ActorId> = (0..s.actors.len()).map(ActorId::new).collect();
    let Some(product) = product else {
        return Ok((all.clone(), all, BTreeMap::new()));
    };
    let p = s
        .product_id(product)
        .ok_or_else(|| ApiError::bad_request(format!("unknown product {product:?}")))?;
    let held = Held::new(s);
    let mut read: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut note = |id: &str, what: &str| {
        if let Some((owner, _)) = id.split_once(':') {
            read.entry(owner.to_owned())
                .or_default()
                .insert(format!("{what} {id}"));
        }
    };
    let mut exporters: Vec<ActorId> = s
        .facilities
        .iter()
        .enumerate()
        .filter(|(i, f)| {
            held.is_held(FacilityId::new(*i), p)
                && viewer.views_facility(
                    parties,
                    FacilityRef {
                        id: &f.id,
                        actor: &s.actors[f.actor.index()].id,
                    },
                )
        })
        .map(|(_, f)| {
            note(&f.id, "facility");
            f.actor
        })
        .collect();
    let mut buyers: Vec<ActorId> = s
        .demands
        .iter()
        .filter(|d| d.product == p && viewer.views_demand(parties, &s.actors[d.buyer.index()].id))
        .map(|d| {
            note(&d.id, "demand");
            d.buyer
        })
        .collect();
    for side in [&mut exporters, &mut buyers] {
        side.sort_by_key(|a| a.index());
        side.dedup();
        if side.is_empty() {
            side.clone_from(&all);
        }
    }
    Ok((exporters, buyers, read))
}

/// The rows, the columns, and the entities read per owner.
type Sides = (
    Vec<ActorId>,
    Vec<ActorId>,
    BTreeMap<String, BTreeSet<String>>,
);

/// The allowed/denied matrix of shipments between the round's actors:
/// rows exporters, columns buyers, each denied cell with the deciding rule
/// and policy (and its owner). Members only.
#[utoipa::path(get, path = "/rounds/{round}/compliance", tag = "compliance", security(("bearer" = [])),
    params(("round" = String, Path, description = "the round's id"), MatrixQuery),
    responses(
        (status = 200, description = "the matrix", body = ComplianceMatrix),
        (status = 400, description = "`bad_request`: unknown product", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found` (also for non-members)", body = ErrorEnvelope),
        (status = 422, description = "`invalid_scenario`: the round does not assemble", body = ErrorEnvelope),
    ))]
pub async fn matrix(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
    params: Result<Query<MatrixQuery>, QueryRejection>,
) -> ApiResult<Json<ComplianceMatrix>> {
    let (round, s) = assembled(&state, &caller, &round).await?;
    let params = query(params)?;
    let viewer = access::viewer(&caller);
    let (exporters, buyers, read) = sides(&s, &viewer, &round.parties, params.product.as_deref())?;
    if !read.is_empty() {
        let mut log = state.db.begin_write().await?;
        for (owner, entities) in &read {
            let entities: Vec<String> = entities
                .iter()
                .map(|e| format!("round {} {e}", round.id))
                .collect();
            record_access(&mut log, &caller, owner, "GET compliance matrix", &entities).await?;
        }
        log.commit().await?;
    }
    let mut cells = Vec::new();
    for &e in &exporters {
        for &b in buyers.iter().filter(|&&b| b != e) {
            let verdict = shipment_by_actors(&s, e, b, b);
            cells.push(MatrixCell {
                exporter: s.actors[e.index()].id.clone(),
                buyer: s.actors[b.index()].id.clone(),
                allowed: verdict.is_allowed(),
                denied_by: deciding(&round, &s, verdict),
            });
        }
    }
    let ids = |side: &[ActorId]| {
        side.iter()
            .map(|a| s.actors[a.index()].id.clone())
            .collect()
    };
    Ok(Json(ComplianceMatrix {
        round: round.id.clone(),
        product: params.product.clone(),
        actors: s
            .actors
            .iter()
            .map(|a| ActorInfo {
                id: a.id.clone(),
                name: a.name.clone(),
                blocs: a
                    .blocs
                    .iter()
                    .map(|b| s.blocs[b.index()].id.clone())
                    .collect(),
                belligerent: a.belligerent,
            })
            .collect(),
        exporters: ids(&exporters),
        buyers: ids(&buyers),
        policies: s
            .policies
            .iter()
            .map(|p| PolicyInfo {
                id: p.id.clone(),
                name: p.name.clone(),
                owner: owner(&round, &p.id),
                scope: s.party_text(p.scope).to_owned(),
            })
            .collect(),
        cells,
    }))
}

fn rule_info(round: &RoundCtx, s: &Scenario, trace: &RuleTrace, deciding: Verdict) -> RuleInfo {
    let decisive = |policy, list| {
        deciding
            .denial()
            .is_some_and(|d| d.rule == trace.rule && d.policy == policy && d.list == list)
    };
    RuleInfo {
        rule: trace.rule.describe().to_owned(),
        from: s.actors[trace.from.index()].id.clone(),
        to: s.actors[trace.to.index()].id.clone(),
        applies: !matches!(trace.outcome, caisson_compliance::RuleOutcome::SameActor),
        checks: trace
            .checks()
            .iter()
            .map(|c| {
                let policy = &s.policies[c.policy.index()];
                CheckInfo {
                    policy: policy.id.clone(),
                    name: policy.name.clone(),
                    owner: owner(round, &policy.id),
                    list: list_name(c.list),
                    bound: s.actors[c.bound.index()].id.clone(),
                    subject: s.actors[c.subject.index()].id.clone(),
                    matched: c.matched.map(|m| s.selector_text(m).to_owned()),
                    decisive: decisive(c.policy, c.list),
                }
            })
            .collect(),
        allowed: trace.verdict.is_allowed(),
    }
}

/// Why a shipment from `from` to `to` (for `end_user`, default the buyer)
/// is allowed or denied: every rule and policy list examined in the spec's
/// order, the verdict and the deciding policy with its owner. Members only.
#[utoipa::path(get, path = "/rounds/{round}/compliance/explain", tag = "compliance", security(("bearer" = [])),
    params(("round" = String, Path, description = "the round's id"), ExplainQuery),
    responses(
        (status = 200, description = "the explanation", body = ComplianceExplanation),
        (status = 400, description = "`bad_request`: unknown actor", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found` (also for non-members)", body = ErrorEnvelope),
        (status = 422, description = "`invalid_scenario`: the round does not assemble", body = ErrorEnvelope),
    ))]
pub async fn explain(
    State(state): State<AppState>,
    caller: Caller,
    Path(round): Path<String>,
    params: Result<Query<ExplainQuery>, QueryRejection>,
) -> ApiResult<Json<ComplianceExplanation>> {
    let (round, s) = assembled(&state, &caller, &round).await?;
    let params = query(params)?;
    if let Some(product) = params.product.as_deref() {
        s.product_id(product)
            .ok_or_else(|| ApiError::bad_request(format!("unknown product {product:?}")))?;
    }
    let exporter = actor(&s, &params.from)?;
    let buyer = actor(&s, &params.to)?;
    let end_user = match params.end_user.as_deref() {
        Some(id) => actor(&s, id)?,
        None => buyer,
    };
    let traces = [
        trace_leg(&s, exporter, buyer, Rule::ExporterToBuyer),
        trace_leg(&s, buyer, end_user, Rule::BuyerToEndUser),
        trace_end_use(&s, exporter, end_user),
    ];
    // The first denial in checking order, as the fast path decides it.
    let verdict = shipment_by_actors(&s, exporter, buyer, end_user);
    let denied_by = deciding(&round, &s, verdict);
    let name = |a: ActorId| s.actors[a.index()].id.clone();
    let summary = match &denied_by {
        None => format!(
            "{} may ship to {} for use by {}: no policy of the round denies it.",
            name(exporter),
            name(buyer),
            name(end_user)
        ),
        Some(d) => format!(
            "{} may not ship to {} for use by {}: policy {} ({}), contributed by {}, denies it by its {} list ({}).",
            name(exporter),
            name(buyer),
            name(end_user),
            d.policy,
            d.name,
            d.owner,
            d.list,
            d.rule
        ),
    };
    Ok(Json(ComplianceExplanation {
        round: round.id.clone(),
        from: name(exporter),
        to: name(buyer),
        end_user: name(end_user),
        allowed: verdict.is_allowed(),
        denied_by,
        rules: traces
            .iter()
            .map(|t| rule_info(&round, &s, t, verdict))
            .collect(),
        summary,
    }))
}
