//! The authorisation layer: every "may this caller see / do this?" of the
//! platform is a request to the Cedar policies of `policies.cedar`, built
//! here from typed values. The rules themselves live only in that file;
//! this module turns a [`Viewer`], the round's [`Parties`] and the object
//! asked about into Cedar entities and asks.
//!
//! Deny by default: a request that no policy permits, that a `forbid`
//! matches, or that cannot be built (which would be a bug here) is denied.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid,
    PolicySet, Request, RestrictedExpression,
};

use crate::org::Organisation;
use crate::visibility::{Parties, Viewer};

/// The policies, in Cedar's language: the one readable place of every rule.
pub const POLICIES: &str = include_str!("policies.cedar");

/// An action of the policies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    View,
    CreateRound,
    Coordinate,
    Contribute,
    Propose,
    Accept,
    Decline,
    Withdraw,
    RecordLedgerEntry,
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Action::View => "view",
            Action::CreateRound => "create_round",
            Action::Coordinate => "coordinate",
            Action::Contribute => "contribute",
            Action::Propose => "propose",
            Action::Accept => "accept",
            Action::Decline => "decline",
            Action::Withdraw => "withdraw",
            Action::RecordLedgerEntry => "record_ledger_entry",
        }
    }
}

/// What a request is about, with the facts the policies read.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Resource<'a> {
    /// The platform itself.
    Platform,
    /// The round of the [`Parties`] given.
    Round,
    /// A facility: its producer organisation and its actor.
    Facility { producer: &'a str, actor: &'a str },
    /// A demand: the member owning its buyer actor, if any.
    Demand { owner: Option<&'a str> },
    /// A contract: its supplier, the member owning its buyer actor, the
    /// supplier facility's actor and, for a proposal, its proposer.
    Contract {
        supplier: &'a str,
        buyer_owner: Option<&'a str>,
        facility_actor: &'a str,
        proposer: Option<&'a str>,
    },
    /// The contribution of a member (`None` when the organisation is no
    /// member of the round).
    Contribution {
        member: Option<&'a Organisation>,
        id: &'a str,
    },
    /// A run of a kind (`plan`, `compare`, ...).
    Run { kind: &'a str },
}

fn policies() -> &'static PolicySet {
    static SET: OnceLock<PolicySet> = OnceLock::new();
    // A policy text that does not parse would deny everything (an empty
    // set permits nothing); the unit tests make sure it parses.
    SET.get_or_init(|| POLICIES.parse().unwrap_or_else(|_| PolicySet::new()))
}

fn uid(kind: &str, id: &str) -> Option<EntityUid> {
    let name: EntityTypeName = format!("Caisson::{kind}").parse().ok()?;
    Some(EntityUid::from_type_name_and_id(name, EntityId::new(id)))
}

fn string(value: &str) -> RestrictedExpression {
    RestrictedExpression::new_string(value.to_owned())
}

/// The id standing for "nobody": organisation ids are never empty.
const NOBODY: &str = "";

/// Builds the entities of one request.
struct Builder {
    round: Option<EntityUid>,
    entities: HashMap<EntityUid, Entity>,
}

impl Builder {
    /// Adds an organisation with its attributes, in the round when it is
    /// a member.
    fn add_organisation(&mut self, org: &Organisation, member: bool) -> Option<EntityUid> {
        let uid = uid("Organisation", &org.id)?;
        let attrs = HashMap::from([
            ("kind".to_owned(), string(org.kind.as_str())),
            (
                "actor".to_owned(),
                string(org.actor.as_deref().unwrap_or("")),
            ),
        ]);
        let parents: HashSet<EntityUid> = match (&self.round, member) {
            (Some(round), true) => HashSet::from([round.clone()]),
            _ => HashSet::new(),
        };
        let entity = Entity::new(uid.clone(), attrs, parents).ok()?;
        self.entities.insert(uid.clone(), entity);
        Some(uid)
    }

    fn add(
        &mut self,
        uid: EntityUid,
        attrs: HashMap<String, RestrictedExpression>,
    ) -> Option<EntityUid> {
        let entity = Entity::new(uid.clone(), attrs, HashSet::new()).ok()?;
        self.entities.insert(uid.clone(), entity);
        Some(uid)
    }

    fn entity_ref(&self, kind: &str, id: &str) -> Option<RestrictedExpression> {
        Some(RestrictedExpression::new_entity_uid(uid(kind, id)?))
    }
}

/// Whether the policies allow `viewer` the `action` on `resource` of the
/// round of `parties` (none for [`Resource::Platform`]).
pub(crate) fn allows(
    viewer: &Viewer,
    parties: Option<&Parties>,
    action: Action,
    resource: Resource<'_>,
) -> bool {
    ask(viewer, parties, action, resource).unwrap_or(false)
}

fn ask(
    viewer: &Viewer,
    parties: Option<&Parties>,
    action: Action,
    resource: Resource<'_>,
) -> Option<bool> {
    let mut b = Builder {
        round: uid("Round", "round"),
        entities: HashMap::new(),
    };
    let org = &viewer.organisation;
    let member = parties.is_some_and(|p| p.member(&org.id).is_some());
    if let Some(parties) = parties {
        let coordinator = b.entity_ref("Organisation", parties.coordinator())?;
        let round = b.round.clone()?;
        b.add(
            round,
            HashMap::from([("coordinator".to_owned(), coordinator)]),
        )?;
    }
    let org_uid = b.add_organisation(org, member)?;
    let caller = b.add(
        uid("Caller", "caller")?,
        HashMap::from([
            ("role".to_owned(), string(viewer.role.as_str())),
            (
                "organisation".to_owned(),
                RestrictedExpression::new_entity_uid(org_uid),
            ),
        ]),
    )?;
    let round = b.round.clone().map(RestrictedExpression::new_entity_uid);
    let round_ref = || round.clone();
    let resource_uid = match resource {
        Resource::Platform => b.add(uid("Platform", "platform")?, HashMap::new())?,
        Resource::Round => b.round.clone()?,
        Resource::Facility { producer, actor } => {
            let attrs = HashMap::from([
                ("round".to_owned(), round_ref()?),
                (
                    "producer".to_owned(),
                    b.entity_ref("Organisation", producer)?,
                ),
                ("actor".to_owned(), string(actor)),
            ]);
            b.add(uid("Facility", "facility")?, attrs)?
        }
        Resource::Demand { owner } => {
            let attrs = HashMap::from([
                ("round".to_owned(), round_ref()?),
                (
                    "owner".to_owned(),
                    b.entity_ref("Organisation", owner.unwrap_or(NOBODY))?,
                ),
            ]);
            b.add(uid("Demand", "demand")?, attrs)?
        }
        Resource::Contract {
            supplier,
            buyer_owner,
            facility_actor,
            proposer,
        } => {
            let attrs = HashMap::from([
                ("round".to_owned(), round_ref()?),
                (
                    "supplier".to_owned(),
                    b.entity_ref("Organisation", supplier)?,
                ),
                (
                    "buyer_owner".to_owned(),
                    b.entity_ref("Organisation", buyer_owner.unwrap_or(NOBODY))?,
                ),
                ("facility_actor".to_owned(), string(facility_actor)),
                (
                    "proposer".to_owned(),
                    b.entity_ref("Organisation", proposer.unwrap_or(NOBODY))?,
                ),
            ]);
            b.add(uid("Contract", "contract")?, attrs)?
        }
        Resource::Contribution { member: owner, id } => {
            let (kind, actor) = match owner {
                Some(o) => (o.kind.as_str(), o.actor.as_deref().unwrap_or("")),
                None => ("", ""),
            };
            // The contributing organisation is in the round only when it is
            // a member; the caller's own entity already says so for itself.
            if let Some(o) = owner.filter(|o| o.id != org.id) {
                b.add_organisation(o, true)?;
            }
            let attrs = HashMap::from([
                ("round".to_owned(), round_ref()?),
                ("organisation".to_owned(), b.entity_ref("Organisation", id)?),
                ("kind".to_owned(), string(kind)),
                ("actor".to_owned(), string(actor)),
            ]);
            b.add(uid("Contribution", "contribution")?, attrs)?
        }
        Resource::Run { kind } => {
            let attrs = HashMap::from([
                ("round".to_owned(), round_ref()?),
                ("kind".to_owned(), string(kind)),
            ]);
            b.add(uid("Run", "run")?, attrs)?
        }
    };
    let action_uid = uid("Action", action.name())?;
    let request = Request::new(caller, action_uid, resource_uid, Context::empty(), None).ok()?;
    let entities = Entities::from_entities(b.entities.into_values(), None).ok()?;
    let answer = Authorizer::new().is_authorized(&request, policies(), &entities);
    Some(answer.decision() == Decision::Allow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{OrgKind, Role};

    /// Whether `kind` is one of the organisation kinds the policies name.
    fn named_in_policies(kind: OrgKind) -> bool {
        POLICIES.contains(&format!("\"{}\"", kind.as_str()))
    }

    #[test]
    fn the_policies_parse_and_each_has_an_id() {
        let set: PolicySet = POLICIES.parse().expect("policies.cedar parses");
        let count = set.policies().count();
        assert_eq!(
            count,
            POLICIES.matches("@id(").count(),
            "every policy carries an @id"
        );
        assert!(count >= 12, "{count} policies");
    }

    #[test]
    fn the_kinds_the_policies_test_exist() {
        for kind in [OrgKind::State, OrgKind::Coordinator, OrgKind::Observer] {
            assert!(named_in_policies(kind), "{kind:?}");
        }
    }

    fn org(id: &str, kind: OrgKind, actor: Option<&str>) -> Organisation {
        Organisation {
            id: id.into(),
            name: id.into(),
            kind,
            actor: actor.map(Into::into),
            buys_for: vec![],
            blocs: vec![],
            group: None,
        }
    }

    #[test]
    fn nothing_is_allowed_outside_a_permit() {
        let coordinator = org("agency", OrgKind::Coordinator, None);
        let viewer = Viewer {
            organisation: coordinator.clone(),
            role: Role::Admin,
        };
        let parties = Parties::new(coordinator, vec![]);
        // No policy permits recording a ledger entry "on a round", nor
        // creating a round on a facility: deny by default.
        assert!(!allows(
            &viewer,
            Some(&parties),
            Action::RecordLedgerEntry,
            Resource::Round
        ));
        assert!(!allows(
            &viewer,
            Some(&parties),
            Action::CreateRound,
            Resource::Facility {
                producer: "x",
                actor: "SRB"
            }
        ));
        assert!(allows(
            &viewer,
            None,
            Action::CreateRound,
            Resource::Platform
        ));
    }

    #[test]
    fn a_viewer_role_acts_on_nothing_and_an_observer_never() {
        let coordinator = org("agency", OrgKind::Coordinator, None);
        let parties = Parties::new(coordinator.clone(), vec![]);
        let reader = Viewer {
            organisation: coordinator,
            role: Role::Viewer,
        };
        assert!(allows(
            &reader,
            Some(&parties),
            Action::View,
            Resource::Round
        ));
        assert!(!allows(
            &reader,
            Some(&parties),
            Action::Coordinate,
            Resource::Round
        ));
        assert!(!allows(
            &reader,
            None,
            Action::CreateRound,
            Resource::Platform
        ));
        let observer = Viewer {
            organisation: org("ngo", OrgKind::Observer, None),
            role: Role::Admin,
        };
        assert!(!allows(
            &observer,
            None,
            Action::RecordLedgerEntry,
            Resource::Platform
        ));
        assert!(!allows(
            &observer,
            Some(&parties),
            Action::View,
            Resource::Round
        ));
    }
}
