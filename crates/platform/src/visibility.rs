//! What each party sees (spec section 3), as pure functions: the viewers
//! of every entity, what a caller may do, the scenario and the errors as a
//! caller may see them, and the capacity aggregates.
//!
//! The server's handlers never decide access themselves: they build a
//! [`Viewer`] and the round's [`Parties`] and ask the predicates here. A
//! request for something a caller may not view is answered as if it did
//! not exist ([`Access::NotFound`]); 403 only when the caller views it but
//! may not act ([`Access::Forbidden`]).

use std::collections::{BTreeMap, BTreeSet};

use caisson_model::Scenario;
use serde::Serialize;
use toml::{Table, Value};

use crate::assemble::{assemble, describe, Assembled};
use crate::authorize::{self, Action, Resource};
use crate::contract::SignedContract;
use crate::error::{Document, PlatformError, ScenarioDiagnostic};
use crate::fragment::{entities, Fragment};
use crate::media::Writer;
use crate::org::{OrgKind, Organisation, Role};
use crate::reference::ReferencePart;

/// The organisation that contributed an entity with qualified id `ORG:X`.
pub fn owner_of(qualified_id: &str) -> Option<&str> {
    qualified_id.split_once(':').map(|(owner, _)| owner)
}

/// The parties of a round: its coordinator (the organisation that created
/// it) and its members (the coordinator among them).
#[derive(Debug, Clone, PartialEq)]
pub struct Parties {
    coordinator: String,
    members: Vec<Organisation>,
}

impl Parties {
    /// The parties of a round created by `coordinator` with the other
    /// `members` (the coordinator is added to the members when absent).
    pub fn new(coordinator: Organisation, members: Vec<Organisation>) -> Self {
        let id = coordinator.id.clone();
        let mut all = members;
        if !all.iter().any(|m| m.id == id) {
            all.insert(0, coordinator);
        }
        Parties {
            coordinator: id,
            members: all,
        }
    }

    /// The id of the round's coordinator.
    pub fn coordinator(&self) -> &str {
        &self.coordinator
    }

    /// Every member, the coordinator included.
    pub fn members(&self) -> &[Organisation] {
        &self.members
    }

    /// The member with this id.
    pub fn member(&self, id: &str) -> Option<&Organisation> {
        self.members.iter().find(|m| m.id == id)
    }

    /// The member owning a buyer actor: the state of that actor, or the
    /// coordinator listing it in `buys_for`.
    pub fn buyer_member(&self, actor: &str) -> Option<&Organisation> {
        self.members
            .iter()
            .find(|m| m.buyer_actors().contains(&actor))
    }

    /// The state member of an actor.
    pub fn state_of(&self, actor: &str) -> Option<&Organisation> {
        self.members
            .iter()
            .find(|m| m.kind == OrgKind::State && m.actor.as_deref() == Some(actor))
    }

    /// The producer group an organisation counts as in aggregates (its
    /// `group`, or itself; an organisation that is no member counts alone).
    pub fn producer_group<'a>(&'a self, organisation: &'a str) -> &'a str {
        self.member(organisation)
            .map_or(organisation, Organisation::producer_group)
    }
}

/// Who asks: an organisation and the role of the user (or token) acting.
#[derive(Debug, Clone, PartialEq)]
pub struct Viewer {
    /// The caller's organisation.
    pub organisation: Organisation,
    /// The caller's role in it.
    pub role: Role,
}

/// The answer to "may this caller do this?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Go ahead.
    Allowed,
    /// The caller sees the object but may not do this (403 `forbidden`).
    Forbidden,
    /// The caller may not see the object: answer exactly as for one that
    /// does not exist (404 `not_found`).
    NotFound,
}

/// A facility as visibility needs it: its qualified id (whose prefix is its
/// producer) and its actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FacilityRef<'a> {
    /// Qualified id `PRODUCER:X`.
    pub id: &'a str,
    /// The facility's actor.
    pub actor: &'a str,
}

impl Viewer {
    fn id(&self) -> &str {
        &self.organisation.id
    }

    /// Whether the caller is the round's coordinator.
    pub fn is_coordinator(&self, parties: &Parties) -> bool {
        self.id() == parties.coordinator()
    }

    /// Whether the caller's organisation is a member of the round.
    pub fn is_member(&self, parties: &Parties) -> bool {
        parties.member(self.id()).is_some()
    }

    /// The round itself, its reference part and its member list: every member.
    pub fn views_round(&self, parties: &Parties) -> bool {
        authorize::allows(self, Some(parties), Action::View, Resource::Round)
    }

    /// The reference part: every member.
    pub fn views_reference(&self, parties: &Parties) -> bool {
        self.views_round(parties)
    }

    /// A policy: every member.
    pub fn views_policy(&self, parties: &Parties) -> bool {
        self.views_round(parties)
    }

    /// A facility (its lines, capacities, costs, stock, expansions): its
    /// producer, the round's coordinator, the state of the facility's actor.
    pub fn views_facility(&self, parties: &Parties, facility: FacilityRef<'_>) -> bool {
        authorize::allows(
            self,
            Some(parties),
            Action::View,
            Resource::Facility {
                producer: owner_of(facility.id).unwrap_or(""),
                actor: facility.actor,
            },
        )
    }

    /// A demand: the member owning its buyer actor, the round's coordinator.
    pub fn views_demand(&self, parties: &Parties, buyer: &str) -> bool {
        let owner = parties.buyer_member(buyer).map(|m| m.id.as_str());
        authorize::allows(
            self,
            Some(parties),
            Action::View,
            Resource::Demand { owner },
        )
    }

    /// A contract: its supplier organisation, the member owning its buyer
    /// actor, the state of the supplier facility's actor, the round's coordinator.
    pub fn views_contract(
        &self,
        parties: &Parties,
        supplier: &str,
        buyer: &str,
        facility_actor: &str,
    ) -> bool {
        let contract = ContractParties {
            supplier,
            buyer,
            facility_actor,
            proposer: None,
        };
        authorize::allows(
            self,
            Some(parties),
            Action::View,
            contract.resource(parties),
        )
    }

    /// A contribution as a whole (`GET .../contributions/{org}` and its
    /// versions): its organisation, the round's coordinator and, for a
    /// producer's contribution, the state of its actor (every facility in it
    /// has that actor). Policies and demands in a contribution are read
    /// through the assembled scenario.
    pub fn views_contribution(&self, parties: &Parties, organisation: &str) -> bool {
        authorize::allows(
            self,
            Some(parties),
            Action::View,
            contribution(parties, organisation),
        )
    }

    /// Creating a round: a coordinator's editor.
    pub fn may_create_round(&self) -> Access {
        if authorize::allows(self, None, Action::CreateRound, Resource::Platform) {
            Access::Allowed
        } else {
            Access::Forbidden
        }
    }

    /// An action of the round's coordinator (add a member, change the
    /// reference part, start a run, publish a run) by an editor of it.
    pub fn may_coordinate(&self, parties: &Parties) -> Access {
        self.decide(
            self.views_round(parties),
            parties,
            Action::Coordinate,
            Resource::Round,
        )
    }

    /// Writing the contribution of `organisation`: an editor of it, a member.
    pub fn may_contribute(&self, parties: &Parties, organisation: &str) -> Access {
        self.decide(
            self.views_contribution(parties, organisation),
            parties,
            Action::Contribute,
            contribution(parties, organisation),
        )
    }

    /// Proposing a contract in the round: an editor of a member (which
    /// side of the proposal it is on is the proposal's own check).
    pub fn may_propose(&self, parties: &Parties) -> Access {
        self.decide(
            self.views_round(parties),
            parties,
            Action::Propose,
            Resource::Round,
        )
    }

    /// Answering a proposal: accepting or declining it (an editor of the
    /// side that did not propose it) or withdrawing it (an editor of its
    /// proposer).
    pub fn may_answer(
        &self,
        parties: &Parties,
        contract: ContractParties<'_>,
        answer: Answer,
    ) -> Access {
        let viewed = authorize::allows(
            self,
            Some(parties),
            Action::View,
            ContractParties {
                proposer: None,
                ..contract
            }
            .resource(parties),
        );
        let action = match answer {
            Answer::Accept => Action::Accept,
            Answer::Decline => Action::Decline,
            Answer::Withdraw => Action::Withdraw,
        };
        self.decide(viewed, parties, action, contract.resource(parties))
    }

    /// Recording a ledger entry: an editor (which kinds it may record is
    /// the ledger's rule, checked with the entry).
    pub fn may_record_ledger_entry(&self) -> Access {
        if authorize::allows(self, None, Action::RecordLedgerEntry, Resource::Platform) {
            Access::Allowed
        } else {
            Access::Forbidden
        }
    }

    /// Reading a run: the coordinator any run, members `plan` runs.
    pub fn may_read_run(&self, parties: &Parties, is_plan: bool) -> Access {
        let kind = if is_plan { "plan" } else { "analysis" };
        if authorize::allows(self, Some(parties), Action::View, Resource::Run { kind }) {
            Access::Allowed
        } else {
            Access::NotFound
        }
    }

    /// 404 when the caller does not view the object, 403 when it does and
    /// the policies refuse the action.
    fn decide(
        &self,
        viewed: bool,
        parties: &Parties,
        action: Action,
        resource: Resource<'_>,
    ) -> Access {
        if !viewed {
            Access::NotFound
        } else if authorize::allows(self, Some(parties), action, resource) {
            Access::Allowed
        } else {
            Access::Forbidden
        }
    }
}

fn contribution<'a>(parties: &'a Parties, organisation: &'a str) -> Resource<'a> {
    Resource::Contribution {
        member: parties.member(organisation),
        id: organisation,
    }
}

/// The parties of a contract as the policies read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContractParties<'a> {
    /// The supplier organisation.
    pub supplier: &'a str,
    /// The buyer actor.
    pub buyer: &'a str,
    /// The actor of the supplier facility.
    pub facility_actor: &'a str,
    /// The organisation that proposed it, for a proposal.
    pub proposer: Option<&'a str>,
}

impl<'a> ContractParties<'a> {
    fn resource(self, parties: &'a Parties) -> Resource<'a> {
        Resource::Contract {
            supplier: self.supplier,
            buyer_owner: parties.buyer_member(self.buyer).map(|m| m.id.as_str()),
            facility_actor: self.facility_actor,
            proposer: self.proposer,
        }
    }
}

/// An answer to a contract proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Sign it (the other side).
    Accept,
    /// Refuse it (the other side).
    Decline,
    /// Take it back (the proposer).
    Withdraw,
}

/// The assembled scenario as `viewer` may see it (`GET
/// /rounds/{round}/scenario`), as TOML (convert it with
/// [`crate::convert`] for JSON): the reference part and the policies;
/// only the facilities (with their lines and expansions), demands and
/// contracts it views. A contract it views may name a facility it does
/// not: the text is then a view, not a loadable scenario. A caller that is
/// no member gets an empty document (ask [`Viewer::views_round`] first and
/// answer 404).
pub fn visible_scenario(assembled: &Assembled, viewer: &Viewer, parties: &Parties) -> String {
    if !viewer.views_round(parties) {
        return String::new();
    }
    let mut table = assembled.table.clone();
    let facility_actor = facility_actors(&assembled.table);
    retain(&mut table, "facility", |facility| {
        let id = text(facility, "id");
        viewer.views_facility(
            parties,
            FacilityRef {
                id,
                actor: text(facility, "actor"),
            },
        )
    });
    retain(&mut table, "demand", |demand| {
        viewer.views_demand(parties, text(demand, "buyer"))
    });
    retain(&mut table, "contract", |contract| {
        let facility = text(contract, "facility");
        let actor = facility_actor.get(facility).map_or("", String::as_str);
        viewer.views_contract(
            parties,
            owner_of(facility).unwrap_or(""),
            text(contract, "buyer"),
            actor,
        )
    });
    let mut writer = Writer::default();
    writer.document(&table, &Document::Assembled, &mut Vec::new());
    writer.out
}

fn text<'t>(table: &'t Table, key: &str) -> &'t str {
    table.get(key).and_then(Value::as_str).unwrap_or("")
}

fn facility_actors(table: &Table) -> BTreeMap<String, String> {
    entities(table, "facility")
        .map(|f| (text(f, "id").to_owned(), text(f, "actor").to_owned()))
        .collect()
}

fn retain(table: &mut Table, key: &str, keep: impl Fn(&Table) -> bool) {
    if let Some(Value::Array(items)) = table.get_mut(key) {
        items.retain(|item| item.as_table().is_some_and(&keep));
        if items.is_empty() {
            table.remove(key);
        }
    }
}

/// [`assemble`] on behalf of `viewer` (a write by a member): the same
/// result, with an `invalid_scenario` error's diagnostics as the viewer may
/// see them. A diagnostic in a document it may not view keeps only its
/// code; one in a document it views loses its hint when the hint names an
/// entity it may not view (and its message and entity likewise).
pub fn assemble_as(
    viewer: &Viewer,
    parties: &Parties,
    reference: &ReferencePart,
    members: &[(&Organisation, Option<&Fragment>)],
    contracts: &[SignedContract],
) -> Result<Assembled, PlatformError> {
    assemble(reference, members, contracts).map_err(|error| match error {
        PlatformError::InvalidScenario { diagnostics } => PlatformError::InvalidScenario {
            diagnostics: redact(diagnostics, viewer, parties, members, contracts),
        },
        other => other,
    })
}

fn redact(
    diagnostics: Vec<ScenarioDiagnostic>,
    viewer: &Viewer,
    parties: &Parties,
    members: &[(&Organisation, Option<&Fragment>)],
    contracts: &[SignedContract],
) -> Vec<ScenarioDiagnostic> {
    // Every name the viewer may not see: hidden entities' qualified ids,
    // hidden contracts' ids, the phrases naming hidden documents.
    let mut hidden: Vec<String> = Vec::new();
    let mut facility_actor: BTreeMap<String, String> = BTreeMap::new();
    for (org, fragment) in members {
        let Some(fragment) = fragment else { continue };
        if !viewer.views_contribution(parties, &org.id) {
            hidden.push(describe(&Document::Contribution {
                organisation: org.id.clone(),
            }));
        }
        for facility in entities(&fragment.table, "facility") {
            let (id, actor) = (text(facility, "id"), text(facility, "actor"));
            facility_actor.insert(id.to_owned(), actor.to_owned());
            if !viewer.views_facility(parties, FacilityRef { id, actor }) {
                hidden.push(id.to_owned());
                hidden.extend(entities(facility, "expansion").map(|e| text(e, "id").to_owned()));
            }
        }
        for demand in entities(&fragment.table, "demand") {
            if !viewer.views_demand(parties, text(demand, "buyer")) {
                hidden.push(text(demand, "id").to_owned());
            }
        }
    }
    let views_contract = |contract: &SignedContract| {
        let actor = facility_actor
            .get(&contract.facility)
            .map_or("", String::as_str);
        viewer.views_contract(parties, &contract.supplier, &contract.buyer, actor)
    };
    for contract in contracts {
        if !views_contract(contract) {
            hidden.push(contract.id.clone());
            hidden.push(describe(&Document::Contract {
                id: contract.id.clone(),
            }));
        }
    }
    hidden.retain(|h| !h.is_empty());
    // The ids of other members' entities the viewer views: any other id
    // qualified by another member is treated as hidden, whether or not it
    // exists, so that a refusal never tells an existing hidden id from a
    // missing one (a message naming either is redacted alike).
    let mut viewed: BTreeSet<&str> = BTreeSet::new();
    for (org, fragment) in members {
        let Some(fragment) = fragment else { continue };
        if org.id == viewer.organisation.id {
            continue;
        }
        for facility in entities(&fragment.table, "facility") {
            let (id, actor) = (text(facility, "id"), text(facility, "actor"));
            if viewer.views_facility(parties, FacilityRef { id, actor }) {
                viewed.insert(id);
                viewed.extend(entities(facility, "expansion").map(|e| text(e, "id")));
            }
        }
        for demand in entities(&fragment.table, "demand") {
            if viewer.views_demand(parties, text(demand, "buyer")) {
                viewed.insert(text(demand, "id"));
            }
        }
    }
    let others: Vec<&str> = parties
        .members()
        .iter()
        .map(|m| m.id.as_str())
        .filter(|id| *id != viewer.organisation.id)
        .collect();
    let names_hidden = |text: &str| {
        hidden.iter().any(|h| text.contains(h.as_str()))
            || qualified_ids(text, &others).any(|id| !viewed.contains(id))
    };
    let mut out: Vec<ScenarioDiagnostic> = Vec::new();
    for mut diagnostic in diagnostics {
        let visible_document = match &diagnostic.document {
            Document::Reference | Document::Assembled => true,
            Document::Contribution { organisation } => {
                viewer.views_contribution(parties, organisation)
            }
            Document::Contract { id } => contracts
                .iter()
                .find(|c| c.id == *id)
                .is_some_and(views_contract),
        };
        if !visible_document || diagnostic.entity.as_deref().is_some_and(names_hidden) {
            diagnostic = ScenarioDiagnostic {
                severity: diagnostic.severity,
                message: format!(
                    "the change would make the scenario invalid in a part of another party ({})",
                    diagnostic.code
                ),
                code: diagnostic.code,
                document: Document::Assembled,
                line: None,
                column: None,
                entity: None,
                hint: None,
            };
        } else {
            if diagnostic.hint.as_deref().is_some_and(names_hidden) {
                diagnostic.hint = None;
            }
            if names_hidden(&diagnostic.message) {
                diagnostic.message = format!(
                    "the change conflicts with a part of another party ({})",
                    diagnostic.code
                );
            }
        }
        if !out.contains(&diagnostic) {
            out.push(diagnostic);
        }
    }
    out
}

/// The ids in `text` qualified by one of `owners` (`OWNER:X`, starting
/// where no id character precedes), each as written.
fn qualified_ids<'t>(text: &'t str, owners: &[&str]) -> impl Iterator<Item = &'t str> + 't {
    let id_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    let owners: Vec<String> = owners.iter().map(|o| format!("{o}:")).collect();
    let mut found = Vec::new();
    for prefix in &owners {
        for (at, _) in text.match_indices(prefix.as_str()) {
            if text[..at].chars().next_back().is_some_and(id_char) {
                continue;
            }
            let rest = &text[at + prefix.len()..];
            let len = rest.find(|c: char| !id_char(c)).unwrap_or(rest.len());
            found.push(&text[at..at + prefix.len() + len]);
        }
    }
    found.into_iter()
}

/// An aggregate figure: a total, or `"withheld"` when too few producers
/// make it up (spec section 3).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Aggregate {
    /// The total.
    Total(f64),
    /// Not shown: fewer than 3 producers (groups) make it up, or one of
    /// them more than half.
    Withheld(Withheld),
}

/// The word `"withheld"` in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename = "withheld")]
pub enum Withheld {
    /// `"withheld"`.
    #[serde(rename = "withheld")]
    Withheld,
}

/// A producer capacity total per (actor, product, period) as others see it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityAggregate {
    /// The actor whose facilities make it up.
    pub actor: String,
    /// The product.
    pub product: String,
    /// The period label.
    pub period: String,
    /// Units per period, or withheld.
    pub capacity: Aggregate,
}

/// The fewest producers (groups counted once) whose facilities must make
/// up a shown total.
pub const MIN_PRODUCERS: usize = 3;

/// Capacity totals per (actor, product, period) of a (frozen) assembled
/// scenario, as spec section 3 lets everyone but the coordinator see them:
/// a line's capacity for a product is its capacity divided by that
/// product's rate (a line making several products counts for each); a
/// total is shown only when facilities of at least [`MIN_PRODUCERS`]
/// producers (an organisation's `group` counted once) make it up and none
/// contributes more than half of it, else it is withheld. A producer
/// "makes up" a total when its facilities add capacity > 0 to it. Cells
/// come in actor, product, period order, for every (actor, product) some
/// line in that actor makes.
pub fn capacity_aggregates(scenario: &Scenario, parties: &Parties) -> Vec<CapacityAggregate> {
    // (actor, product) -> per period, per producer group, capacity.
    let mut cells: BTreeMap<(usize, usize), Vec<BTreeMap<String, f64>>> = BTreeMap::new();
    let periods = scenario.periods();
    for line in &scenario.lines {
        let Some(facility) = scenario.facilities.get(line.facility.index()) else {
            continue;
        };
        let owner = owner_of(&facility.id).unwrap_or(&facility.id);
        let group = parties.producer_group(owner).to_owned();
        for made in &line.products {
            let cell = cells
                .entry((facility.actor.index(), made.product.index()))
                .or_insert_with(|| vec![BTreeMap::new(); periods]);
            for (t, by_group) in cell.iter_mut().enumerate() {
                let capacity = line.capacity.get(t).copied().unwrap_or(0.0) / made.rate;
                *by_group.entry(group.clone()).or_insert(0.0) += capacity;
            }
        }
    }
    let mut out = Vec::new();
    for ((actor, product), by_period) in cells {
        for (t, by_group) in by_period.iter().enumerate() {
            let total: f64 = by_group.values().sum();
            let contributors = by_group.values().filter(|c| **c > 0.0).count();
            let dominant = by_group.values().any(|c| *c > total / 2.0);
            let capacity = if contributors >= MIN_PRODUCERS && !dominant {
                Aggregate::Total(total)
            } else {
                Aggregate::Withheld(Withheld::Withheld)
            };
            out.push(CapacityAggregate {
                actor: scenario
                    .actors
                    .get(actor)
                    .map(|a| a.id.clone())
                    .unwrap_or_default(),
                product: scenario
                    .products
                    .get(product)
                    .map(|p| p.id.clone())
                    .unwrap_or_default(),
                period: scenario.calendar.label(t),
                capacity,
            });
        }
    }
    out
}

// Plan redaction (spec section 3, second table) is `crate::plan_view`: it
// keeps each record of a plan by the predicates above and replaces an
// explanation's hidden cause by `stand_in_for_facility`.

/// Whether a product's `kpis.products` figures may be shown to everyone:
/// demands of at least 3 buyer members make them up. `buyers` are the
/// buyer actors of the product's demands in the plan.
pub fn shows_product_figures<'a>(
    parties: &Parties,
    buyers: impl IntoIterator<Item = &'a str>,
) -> bool {
    let mut members: Vec<&str> = buyers
        .into_iter()
        .filter_map(|buyer| parties.buyer_member(buyer).map(|m| m.id.as_str()))
        .collect();
    members.sort_unstable();
    members.dedup();
    members.len() >= MIN_PRODUCERS
}

/// What an explanation names instead of a facility the caller may not view:
/// the facility's actor, or `"another party"` when fewer than 3 producers
/// (groups counted once) have facilities in that actor.
pub fn stand_in_for_facility(scenario: &Scenario, parties: &Parties, actor: &str) -> String {
    let mut groups: Vec<&str> = scenario
        .facilities
        .iter()
        .filter(|f| {
            scenario
                .actors
                .get(f.actor.index())
                .is_some_and(|a| a.id == actor)
        })
        .map(|f| parties.producer_group(owner_of(&f.id).unwrap_or(&f.id)))
        .collect();
    groups.sort_unstable();
    groups.dedup();
    if groups.len() >= MIN_PRODUCERS {
        actor.to_owned()
    } else {
        "another party".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::qualified_ids;

    #[test]
    fn qualified_ids_are_found_whole_and_only_after_a_boundary() {
        let text = "`deny_import`: \"mkd:qz-works.1\" and mkd:b, not xmkd:c nor stateb:d";
        let found: Vec<&str> = qualified_ids(text, &["mkd", "grpa"]).collect();
        assert_eq!(found, vec!["mkd:qz-works.1", "mkd:b"]);
        assert_eq!(
            qualified_ids("mkd:", &["mkd"]).collect::<Vec<_>>(),
            vec!["mkd:"]
        );
        assert_eq!(qualified_ids("nothing here", &["mkd"]).count(), 0);
    }
}
