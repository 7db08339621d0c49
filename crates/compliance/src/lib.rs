//! Compliance rules of spec section 3: which flows the policies allow.
//!
//! Pure functions over a validated [`Scenario`]; no solver, no I/O. Every
//! verdict names the policy and the list that decided it, so that a denied
//! flow can always be traced to the rule that denied it.

use caisson_model::{ActorId, DemandId, FacilityId, PolicyId, PolicyList, Scenario};

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

    /// The reason text written to plans: names the policy and the list.
    pub fn reason(self, scenario: &Scenario) -> String {
        match self {
            Verdict::Allowed => "no policy applies".to_owned(),
            Verdict::Denied(denial) => {
                let policy = &scenario.policies[denial.policy.index()];
                let from = &scenario.actors[denial.from.index()].id;
                let to = &scenario.actors[denial.to.index()].id;
                let what = match denial.list {
                    PolicyList::DenyExport => format!("export {from} -> {to} denied"),
                    PolicyList::DenyImport => format!("import {from} -> {to} denied"),
                    PolicyList::DenyEndUse => format!("end use by {to} of {from}'s exports denied"),
                };
                format!(
                    "denied by policy {} ({}): {what} ({})",
                    policy.id,
                    denial.list.field_name(),
                    denial.rule.describe()
                )
            }
        }
    }
}

/// Checks a leg from actor `from` to actor `to` (`from != to`): the sender's
/// `deny_export` before the receiver's `deny_import`, policies in file order.
pub fn leg(scenario: &Scenario, from: ActorId, to: ActorId, rule: Rule) -> Verdict {
    let find = |list: PolicyList, bound: ActorId, other: ActorId| {
        scenario.policies.iter().enumerate().find_map(|(i, policy)| {
            let matches = scenario.is_in(bound, policy.scope)
                && policy
                    .list(list)
                    .iter()
                    .any(|&s| scenario.selects(s, other));
            matches.then(|| Denial {
                rule,
                policy: PolicyId::new(i),
                list,
                from,
                to,
            })
        })
    };
    find(PolicyList::DenyExport, from, to)
        .or_else(|| find(PolicyList::DenyImport, to, from))
        .map_or(Verdict::Allowed, Verdict::Denied)
}

/// Checks the end-use rule: no policy binding `exporter` lists `end_user`
/// in `deny_end_use`.
pub fn end_use(scenario: &Scenario, exporter: ActorId, end_user: ActorId) -> Verdict {
    scenario
        .policies
        .iter()
        .enumerate()
        .find(|(_, policy)| {
            scenario.is_in(exporter, policy.scope)
                && policy
                    .deny_end_use
                    .iter()
                    .any(|&s| scenario.selects(s, end_user))
        })
        .map_or(Verdict::Allowed, |(i, _)| {
            Verdict::Denied(Denial {
                rule: Rule::EndUse,
                policy: PolicyId::new(i),
                list: PolicyList::DenyEndUse,
                from: exporter,
                to: end_user,
            })
        })
}

/// Checks a shipment from `facility` to `demand` (spec section 3, rules 1-3
/// in order).
pub fn shipment(scenario: &Scenario, facility: FacilityId, demand: DemandId) -> Verdict {
    let exporter = scenario.facilities[facility.index()].actor;
    let d = &scenario.demands[demand.index()];
    let (buyer, end_user) = (d.buyer, d.end_user);
    if exporter != buyer {
        if let denied @ Verdict::Denied(_) = leg(scenario, exporter, buyer, Rule::ExporterToBuyer)
        {
            return denied;
        }
    }
    if end_user != buyer {
        if let denied @ Verdict::Denied(_) = leg(scenario, buyer, end_user, Rule::BuyerToEndUser) {
            return denied;
        }
    }
    if end_user != exporter {
        return end_use(scenario, exporter, end_user);
    }
    Verdict::Allowed
}

/// Checks a transfer from facility `from` to facility `to`.
pub fn transfer(scenario: &Scenario, from: FacilityId, to: FacilityId) -> Verdict {
    let a = scenario.facilities[from.index()].actor;
    let b = scenario.facilities[to.index()].actor;
    if a == b {
        Verdict::Allowed
    } else {
        leg(scenario, a, b, Rule::Transfer)
    }
}
