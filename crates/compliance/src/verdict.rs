//! Verdicts: the outcome of a check and the policy entry that decided it.

use caisson_model::{ActorId, PolicyId, PolicyList, Scenario, Selector};

/// Which rule of spec section 3 a check belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Shipment rule 1: the leg exporter -> buyer.
    ExporterToBuyer,
    /// Shipment rule 2: the re-transfer leg buyer -> end user.
    BuyerToEndUser,
    /// Shipment rule 3: the exporter's end-use controls.
    EndUse,
    /// A transfer between two facilities' actors.
    Transfer,
}

impl Rule {
    /// A short description of the rule for explanations.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::ExporterToBuyer => "rule 1: leg exporter -> buyer",
            Rule::BuyerToEndUser => "rule 2: re-transfer leg buyer -> end user",
            Rule::EndUse => "rule 3: exporter's end-use controls",
            Rule::Transfer => "transfer leg between facilities",
        }
    }
}

/// The policy entry that denied a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Denial {
    /// The rule whose check failed.
    pub rule: Rule,
    /// The deciding policy.
    pub policy: PolicyId,
    /// The list of that policy that matched.
    pub list: PolicyList,
    /// The sending actor of the checked leg (the exporter for end use).
    pub from: ActorId,
    /// The receiving actor of the checked leg (the end user for end use).
    pub to: ActorId,
}

impl Denial {
    /// The actor the deciding policy binds: the receiver for `deny_import`,
    /// otherwise the sender (exporter).
    pub fn bound(&self) -> ActorId {
        match self.list {
            PolicyList::DenyImport => self.to,
            PolicyList::DenyExport | PolicyList::DenyEndUse => self.from,
        }
    }

    /// The actor looked up in the deciding list: the sender for
    /// `deny_import`, otherwise the receiver (end user).
    pub fn subject(&self) -> ActorId {
        match self.list {
            PolicyList::DenyImport => self.from,
            PolicyList::DenyExport | PolicyList::DenyEndUse => self.to,
        }
    }

    /// The first selector of the deciding list that selects the subject.
    ///
    /// Recomputed rather than stored so that `Denial` stays a small `Copy`
    /// value; `None` only if the denial does not come from `scenario`.
    pub fn selector(&self, scenario: &Scenario) -> Option<Selector> {
        let policy = scenario.policies.get(self.policy.index())?;
        first_match(scenario, policy.list(self.list), self.subject())
    }
}

/// The first selector of `list` that selects `actor`.
pub(crate) fn first_match(
    scenario: &Scenario,
    list: &[Selector],
    actor: ActorId,
) -> Option<Selector> {
    list.iter().copied().find(|&s| scenario.selects(s, actor))
}

/// The outcome of a compliance check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// No policy denies the flow.
    Allowed,
    /// The first matching policy entry, in the spec's checking order.
    Denied(Denial),
}

impl Verdict {
    /// Whether the flow is allowed.
    pub fn is_allowed(self) -> bool {
        matches!(self, Verdict::Allowed)
    }

    /// The denial, if the flow is denied.
    pub fn denial(self) -> Option<Denial> {
        match self {
            Verdict::Allowed => None,
            Verdict::Denied(denial) => Some(denial),
        }
    }

    /// The reason text written to plans (spec sections 6 and 7): `"no policy
    /// applies"` when allowed; otherwise it names the policy id, the list,
    /// the actors of the leg, the matching selector and the rule, e.g.
    /// `srb-neutrality deny_export: SRB may not export to UKR (selector
    /// "belligerent"; rule 1: leg exporter -> buyer)`. A time-windowed policy
    /// adds its window: `(...; rule 1: leg exporter -> buyer; binds
    /// 2026-03..2026-06)`.
    pub fn reason(self, scenario: &Scenario) -> String {
        let Verdict::Denied(denial) = self else {
            return "no policy applies".to_owned();
        };
        let policy = &scenario.policies[denial.policy.index()];
        let from = &scenario.actors[denial.from.index()].id;
        let to = &scenario.actors[denial.to.index()].id;
        let what = match denial.list {
            PolicyList::DenyExport => format!("{from} may not export to {to}"),
            PolicyList::DenyImport => format!("{to} may not import from {from}"),
            PolicyList::DenyEndUse => format!("{from}'s exports may not be used by {to}"),
        };
        let selector = denial
            .selector(scenario)
            .map(|s| format!("selector \"{}\"; ", scenario.selector_text(s)))
            .unwrap_or_default();
        // A time-windowed policy names its window (docs/windows.md), so
        // that every output quoting the reason shows when it binds; a policy
        // without one keeps the spec's text.
        let window = policy
            .window
            .map(|w| format!("; binds {}", w.describe(&scenario.calendar)))
            .unwrap_or_default();
        format!(
            "{} {}: {what} ({selector}{}{window})",
            policy.id,
            denial.list.field_name(),
            denial.rule.describe()
        )
    }
}
