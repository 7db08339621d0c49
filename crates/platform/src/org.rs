//! Organisations, roles and the member rules of a round (spec sections 1-2).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::PlatformError;
use crate::reference::ReferencePart;

/// What an organisation is, and so what it may contribute (spec section 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OrgKind {
    /// A government: ministry, export-licensing authority; at most one per actor.
    State,
    /// A company, or one national subsidiary of a group.
    Producer,
    /// A joint-procurement or planning agency.
    Coordinator,
    /// An analyst, parliament or NGO: contributes nothing, never a member.
    Observer,
}

impl OrgKind {
    /// The kind's name as written in the API and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::State => "state",
            OrgKind::Producer => "producer",
            OrgKind::Coordinator => "coordinator",
            OrgKind::Observer => "observer",
        }
    }
}

impl fmt::Display for OrgKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text that names no organisation kind or role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{text}` (expected one of: {expected})")]
pub struct UnknownName {
    what: &'static str,
    text: String,
    expected: &'static str,
}

impl FromStr for OrgKind {
    type Err = UnknownName;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "state" => Ok(OrgKind::State),
            "producer" => Ok(OrgKind::Producer),
            "coordinator" => Ok(OrgKind::Coordinator),
            "observer" => Ok(OrgKind::Observer),
            _ => Err(UnknownName {
                what: "organisation kind",
                text: text.to_owned(),
                expected: "state, producer, coordinator, observer",
            }),
        }
    }
}

/// A user's role within its organisation (spec section 1).
///
/// Roles are ordered: an admin may do whatever an editor may, an editor
/// whatever a viewer may (see `docs/spec-readings.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads.
    Viewer,
    /// Contributes, proposes and signs contracts, records ledger entries.
    Editor,
    /// Manages the organisation's users and tokens (and may edit).
    Admin,
}

impl Role {
    /// The role's name as written in the API and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Viewer => "viewer",
        }
    }

    /// Whether the role may write on its organisation's behalf
    /// (contribute, propose and sign, record): editor or admin.
    pub fn may_edit(self) -> bool {
        self >= Role::Editor
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = UnknownName;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "admin" => Ok(Role::Admin),
            "editor" => Ok(Role::Editor),
            "viewer" => Ok(Role::Viewer),
            _ => Err(UnknownName {
                what: "role",
                text: text.to_owned(),
                expected: "admin, editor, viewer",
            }),
        }
    }
}

/// An organisation of the platform (spec section 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    /// Model id syntax without `:` (the `:` separates it from its entities' ids).
    pub id: String,
    /// Display name.
    pub name: String,
    /// What it is.
    pub kind: OrgKind,
    /// The model actor of a state or producer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The actors a coordinator buys for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buys_for: Vec<String>,
    /// The blocs a coordinator speaks for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocs: Vec<String>,
    /// A producer's group: organisations of one group count as one producer
    /// in every aggregate of spec section 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// Whether `id` has the model's id syntax (`[A-Za-z0-9_.:-]+`).
pub(crate) fn is_model_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '-'))
}

/// Whether `id` is a valid organisation id: model syntax without `:`.
pub fn is_organisation_id(id: &str) -> bool {
    is_model_id(id) && !id.contains(':')
}

impl Organisation {
    /// The producer group it counts as in aggregates: its `group`, or itself.
    pub fn producer_group(&self) -> &str {
        self.group.as_deref().unwrap_or(&self.id)
    }

    /// Checks the id syntax and that only the fields its kind allows are set
    /// (spec section 1): `actor` exactly for states and producers,
    /// `buys_for` and `blocs` only for coordinators, `group` only for producers.
    pub fn validate(&self) -> Result<(), PlatformError> {
        let invalid = |message: String| Err(PlatformError::InvalidOrganisation(message));
        if !is_organisation_id(&self.id) {
            return invalid(format!(
                "organisation id `{}` must be non-empty and use only letters, digits, `_`, `.` and `-`",
                self.id
            ));
        }
        let kind = self.kind;
        match (kind, &self.actor) {
            (OrgKind::State | OrgKind::Producer, None) => {
                return invalid(format!("a {kind} organisation needs an `actor`"));
            }
            (OrgKind::Coordinator | OrgKind::Observer, Some(_)) => {
                return invalid(format!("a {kind} organisation has no `actor`"));
            }
            _ => {}
        }
        if kind != OrgKind::Coordinator && !self.buys_for.is_empty() {
            return invalid(format!("only a coordinator has `buys_for`, not a {kind}"));
        }
        if kind != OrgKind::Coordinator && !self.blocs.is_empty() {
            return invalid(format!("only a coordinator has `blocs`, not a {kind}"));
        }
        if kind != OrgKind::Producer && self.group.is_some() {
            return invalid(format!("only a producer has a `group`, not a {kind}"));
        }
        let ids = self
            .actor
            .iter()
            .chain(&self.buys_for)
            .chain(&self.blocs)
            .chain(&self.group);
        for id in ids {
            if !is_model_id(id) {
                return invalid(format!("`{id}` is not a valid id"));
            }
        }
        if let Some(group) = &self.group {
            if group.contains(':') {
                return invalid(format!("group `{group}` must not contain `:`"));
            }
        }
        Ok(())
    }

    /// The buyer actors this organisation owns in a round: a state's actor,
    /// a coordinator's `buys_for`, nothing for producers and observers.
    pub fn buyer_actors(&self) -> Vec<&str> {
        match self.kind {
            OrgKind::State => self.actor.as_deref().into_iter().collect(),
            OrgKind::Coordinator => self.buys_for.iter().map(String::as_str).collect(),
            OrgKind::Producer | OrgKind::Observer => Vec::new(),
        }
    }
}

/// Checks that `candidate` may be added to a round whose reference part is
/// `reference` and whose members are `members` (spec section 2): a valid
/// organisation, not an observer, not already a member (409 `conflict`);
/// its `actor`, `buys_for` actors and `blocs` exist in the reference part;
/// no buyer actor would belong to two members (at most one state per actor,
/// and an actor a state owns is bought for by no coordinator).
pub fn check_member(
    reference: &ReferencePart,
    members: &[Organisation],
    candidate: &Organisation,
) -> Result<(), PlatformError> {
    candidate.validate()?;
    let id = &candidate.id;
    if candidate.kind == OrgKind::Observer {
        return Err(PlatformError::InvalidMember(format!(
            "`{id}` is an observer: observers are never members of a round"
        )));
    }
    if members.iter().any(|m| m.id == *id) {
        return Err(PlatformError::Conflict(format!(
            "`{id}` is already a member of the round"
        )));
    }
    if let Some(actor) = &candidate.actor {
        if !reference.has_actor(actor) {
            return Err(PlatformError::InvalidMember(format!(
                "actor `{actor}` of `{id}` is not an actor of the round's reference part"
            )));
        }
    }
    for actor in &candidate.buys_for {
        if !reference.has_actor(actor) {
            return Err(PlatformError::InvalidMember(format!(
                "`{id}` buys for `{actor}`, which is not an actor of the round's reference part"
            )));
        }
    }
    for bloc in &candidate.blocs {
        if !reference.has_bloc(bloc) {
            return Err(PlatformError::InvalidMember(format!(
                "`{id}` speaks for bloc `{bloc}`, which is not a bloc of the round's reference part"
            )));
        }
    }
    let claimed = candidate.buyer_actors();
    for (position, actor) in claimed.iter().enumerate() {
        if claimed[..position].contains(actor) {
            return Err(PlatformError::InvalidMember(format!(
                "`{id}` lists buyer actor `{actor}` twice"
            )));
        }
        if let Some(owner) = members.iter().find(|m| m.buyer_actors().contains(actor)) {
            return Err(PlatformError::InvalidMember(format!(
                "buyer actor `{actor}` already belongs to member `{}`: every buyer actor belongs to exactly one member",
                owner.id
            )));
        }
    }
    Ok(())
}

/// Checks every member of a round against a (new) reference part, as if
/// they were added one by one in the order given: what a change of the
/// reference part must keep true (a member's actor, buyers and blocs still
/// exist). The assembled scenario is checked separately by [`crate::assemble`].
pub fn check_members(
    reference: &ReferencePart,
    members: &[Organisation],
) -> Result<(), PlatformError> {
    for (position, member) in members.iter().enumerate() {
        check_member(reference, &members[..position], member)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn org(id: &str, kind: OrgKind, actor: Option<&str>) -> Organisation {
        Organisation {
            id: id.to_owned(),
            name: id.to_owned(),
            kind,
            actor: actor.map(str::to_owned),
            buys_for: Vec::new(),
            blocs: Vec::new(),
            group: None,
        }
    }

    #[test]
    fn kinds_and_roles_parse_and_print_lowercase() {
        for kind in [
            OrgKind::State,
            OrgKind::Producer,
            OrgKind::Coordinator,
            OrgKind::Observer,
        ] {
            assert_eq!(kind.as_str().parse::<OrgKind>(), Ok(kind));
            assert_eq!(
                serde_json::to_string(&kind).ok(),
                Some(format!("\"{kind}\""))
            );
        }
        for role in [Role::Admin, Role::Editor, Role::Viewer] {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("State".parse::<OrgKind>().is_err());
        assert!(Role::Admin.may_edit() && Role::Editor.may_edit() && !Role::Viewer.may_edit());
    }

    #[test]
    fn organisation_fields_follow_their_kind() {
        assert!(org("srb", OrgKind::State, Some("SRB")).validate().is_ok());
        assert!(org("srb", OrgKind::State, None).validate().is_err());
        assert!(org("a:b", OrgKind::Producer, Some("SRB"))
            .validate()
            .is_err());
        assert!(org("", OrgKind::Observer, None).validate().is_err());
        assert!(org("ngo", OrgKind::Observer, Some("SRB"))
            .validate()
            .is_err());
        let mut producer = org("krusik", OrgKind::Producer, Some("SRB"));
        producer.group = Some("yugoimport".into());
        assert!(producer.validate().is_ok());
        producer.buys_for = vec!["SRB".into()];
        assert!(producer.validate().is_err());
        let mut coordinator = org("eu", OrgKind::Coordinator, None);
        coordinator.buys_for = vec!["EUJ".into()];
        coordinator.blocs = vec!["EU".into()];
        assert!(coordinator.validate().is_ok());
        coordinator.group = Some("g".into());
        assert!(coordinator.validate().is_err());
        let mut state = org("deu", OrgKind::State, Some("DEU"));
        state.blocs = vec!["EU".into()];
        assert!(state.validate().is_err());
    }
}
