//! Explanations: every rule and policy list examined for one flow, in the
//! spec's checking order, with the selector that matched.
//!
//! Unlike the fast path in `rules`, an explanation does not stop at the
//! first denial: it records every check, so that a reader also learns what
//! else would deny the flow once the deciding policy is lifted. The verdict
//! is still the first denial in checking order, and equals the fast path's.

use caisson_model::{ActorId, DemandId, FacilityId, PolicyId, PolicyList, Scenario, Selector};

use crate::verdict::{first_match, Denial, Rule, Verdict};

/// One policy list examined while checking a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyCheck {
    /// The policy examined.
    pub policy: PolicyId,
    /// Which of its lists.
    pub list: PolicyList,
    /// The actor the policy binds here: the sender for `deny_export` and
    /// `deny_end_use`, the receiver for `deny_import`.
    pub bound: ActorId,
    /// The actor looked up in the list.
    pub subject: ActorId,
    /// The first selector of the list that selects `subject`, if any.
    pub matched: Option<Selector>,
}

/// What checking one rule found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleOutcome {
    /// Both ends are the same actor: the rule does not apply.
    SameActor,
    /// The rule applies; every policy list that binds the relevant actor
    /// and is not empty, in checking order (for a leg: `deny_export` of the
    /// policies binding the sender, then `deny_import` of those binding the
    /// receiver; policies in file order).
    Checked(Vec<PolicyCheck>),
}

/// The check of one rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleTrace {
    /// The rule checked.
    pub rule: Rule,
    /// The sender of the leg (the exporter for the end-use rule).
    pub from: ActorId,
    /// The receiver of the leg (the end user for the end-use rule).
    pub to: ActorId,
    /// What was examined.
    pub outcome: RuleOutcome,
    /// This rule's own verdict: its first matching check.
    pub verdict: Verdict,
}

impl RuleTrace {
    /// The checks made, empty when the rule did not apply.
    pub fn checks(&self) -> &[PolicyCheck] {
        match &self.outcome {
            RuleOutcome::SameActor => &[],
            RuleOutcome::Checked(checks) => checks,
        }
    }
}

/// Every rule checked for one flow, in order, and the overall verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// The rules in checking order (1, 2, 3 for a shipment; one for a
    /// transfer).
    pub rules: Vec<RuleTrace>,
    /// The first denial in checking order, or allowed.
    pub verdict: Verdict,
}

impl Trace {
    fn from_rules(rules: Vec<RuleTrace>) -> Self {
        let verdict = rules
            .iter()
            .map(|r| r.verdict)
            .find(|v| !v.is_allowed())
            .unwrap_or(Verdict::Allowed);
        Self { rules, verdict }
    }

    /// Whether `check` is the one that decided the verdict.
    pub fn is_decisive(&self, rule: Rule, check: &PolicyCheck) -> bool {
        self.verdict
            .denial()
            .is_some_and(|d| d.rule == rule && d.policy == check.policy && d.list == check.list)
    }
}

/// The explanation of a shipment verdict (spec section 3, rules 1-3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentExplanation {
    /// The shipping facility.
    pub facility: FacilityId,
    /// The demand shipped to.
    pub demand: DemandId,
    /// The facility's actor.
    pub exporter: ActorId,
    /// The demand's buyer.
    pub buyer: ActorId,
    /// The demand's end user.
    pub end_user: ActorId,
    /// Whether the facility holds the demand's product (spec section 4);
    /// if not, no shipment variable exists whatever the verdict.
    pub held: bool,
    /// The rules checked (every policy that binds in some period).
    pub trace: Trace,
    /// The verdict in each departure period, when it differs between
    /// periods (time-windowed policies, `docs/windows.md`); `None`: the
    /// trace's verdict holds in every period.
    pub by_period: Option<Vec<Verdict>>,
}

/// The explanation of a transfer verdict between two facilities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferExplanation {
    /// The sending facility.
    pub from: FacilityId,
    /// The receiving facility.
    pub to: FacilityId,
    /// The sending facility's actor.
    pub sender: ActorId,
    /// The receiving facility's actor.
    pub receiver: ActorId,
    /// The rule checked (one transfer leg).
    pub trace: Trace,
    /// The verdict in each departure period, when it differs between
    /// periods; `None`: the trace's verdict holds in every period.
    pub by_period: Option<Vec<Verdict>>,
}

/// Traces a leg `from -> to` checked for `rule`.
pub fn trace_leg(scenario: &Scenario, from: ActorId, to: ActorId, rule: Rule) -> RuleTrace {
    if from == to {
        return same_actor(rule, from, to);
    }
    let mut checks = list_checks(scenario, PolicyList::DenyExport, from, to);
    checks.extend(list_checks(scenario, PolicyList::DenyImport, to, from));
    checked(rule, from, to, checks)
}

/// Traces the end-use rule for `exporter` and `end_user`.
pub fn trace_end_use(scenario: &Scenario, exporter: ActorId, end_user: ActorId) -> RuleTrace {
    if exporter == end_user {
        return same_actor(Rule::EndUse, exporter, end_user);
    }
    let checks = list_checks(scenario, PolicyList::DenyEndUse, exporter, end_user);
    checked(Rule::EndUse, exporter, end_user, checks)
}

/// Explains a shipment from `facility` to `demand`; `held` tells whether
/// the facility holds the demand's product (see `caisson_model::Held`).
pub fn explain_shipment(
    scenario: &Scenario,
    facility: FacilityId,
    demand: DemandId,
    held: bool,
) -> ShipmentExplanation {
    let exporter = scenario.facilities[facility.index()].actor;
    let d = &scenario.demands[demand.index()];
    let (buyer, end_user) = (d.buyer, d.end_user);
    let rules = vec![
        trace_leg(scenario, exporter, buyer, Rule::ExporterToBuyer),
        trace_leg(scenario, buyer, end_user, Rule::BuyerToEndUser),
        trace_end_use(scenario, exporter, end_user),
    ];
    ShipmentExplanation {
        facility,
        demand,
        exporter,
        buyer,
        end_user,
        held,
        trace: Trace::from_rules(rules),
        by_period: crate::rules::by_period(scenario, |t| {
            crate::rules::shipment_at(scenario, facility, demand, t)
        }),
    }
}

/// Explains a transfer from facility `from` to facility `to`.
pub fn explain_transfer(
    scenario: &Scenario,
    from: FacilityId,
    to: FacilityId,
) -> TransferExplanation {
    let sender = scenario.facilities[from.index()].actor;
    let receiver = scenario.facilities[to.index()].actor;
    TransferExplanation {
        from,
        to,
        sender,
        receiver,
        trace: Trace::from_rules(vec![trace_leg(scenario, sender, receiver, Rule::Transfer)]),
        by_period: crate::rules::by_period(scenario, |t| {
            crate::rules::transfer_at(scenario, from, to, t)
        }),
    }
}

fn same_actor(rule: Rule, from: ActorId, to: ActorId) -> RuleTrace {
    RuleTrace {
        rule,
        from,
        to,
        outcome: RuleOutcome::SameActor,
        verdict: Verdict::Allowed,
    }
}

fn checked(rule: Rule, from: ActorId, to: ActorId, checks: Vec<PolicyCheck>) -> RuleTrace {
    let verdict = checks
        .iter()
        .find(|c| c.matched.is_some())
        .map_or(Verdict::Allowed, |c| {
            Verdict::Denied(Denial {
                rule,
                policy: c.policy,
                list: c.list,
                from,
                to,
            })
        });
    RuleTrace {
        rule,
        from,
        to,
        outcome: RuleOutcome::Checked(checks),
        verdict,
    }
}

/// The non-empty `list`s of the policies binding `bound`, in file order,
/// each looked up for `subject`.
fn list_checks(
    scenario: &Scenario,
    list: PolicyList,
    bound: ActorId,
    subject: ActorId,
) -> Vec<PolicyCheck> {
    scenario
        .policies
        .iter()
        .enumerate()
        .filter(|(_, policy)| {
            // A policy whose window lies outside the horizon binds nowhere.
            policy.binds_somewhere()
                && !policy.list(list).is_empty()
                && scenario.is_in(bound, policy.scope)
        })
        .map(|(i, policy)| PolicyCheck {
            policy: PolicyId::new(i),
            list,
            bound,
            subject,
            matched: first_match(scenario, policy.list(list), subject),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use caisson_model::{PolicyList, Selector};

    use super::*;
    use crate::testkit::{act, dem, example, fac, Kit};
    use crate::{shipment, transfer};

    #[test]
    fn direct_purchase_by_a_belligerent_is_traced_to_neutrality() {
        let s = example();
        let e = explain_shipment(&s, fac(&s, "srb-plant"), dem(&s, "ukr-direct"), true);
        assert_eq!(
            (e.exporter, e.buyer, e.end_user),
            (act(&s, "SRB"), act(&s, "UKR"), act(&s, "UKR"))
        );
        let [r1, r2, r3] = &e.trace.rules[..] else {
            panic!("three rules: {:?}", e.trace.rules)
        };
        assert_eq!(r1.rule, Rule::ExporterToBuyer);
        let neutrality = s.policy_id("srb-neutrality").expect("policy");
        assert_eq!(
            r1.checks(),
            [PolicyCheck {
                policy: neutrality,
                list: PolicyList::DenyExport,
                bound: act(&s, "SRB"),
                subject: act(&s, "UKR"),
                matched: Some(Selector::Belligerent),
            }]
        );
        assert!(e.trace.is_decisive(Rule::ExporterToBuyer, &r1.checks()[0]));
        assert_eq!(r2.outcome, RuleOutcome::SameActor);
        // SRB's only policy has no deny_end_use list: nothing to check.
        assert_eq!(r3.outcome, RuleOutcome::Checked(vec![]));
        assert_eq!(e.trace.verdict, shipment(&s, e.facility, e.demand));
    }

    #[test]
    fn re_transfer_via_czechia_checks_eu_lists_without_match() {
        let s = example();
        let e = explain_shipment(&s, fac(&s, "srb-plant"), dem(&s, "ukr-mortar"), true);
        assert!(e.trace.verdict.is_allowed());
        let sanctions = s.policy_id("eu-sanctions").expect("policy");
        // Rule 1 SRB -> CZE: SRB's export list, then the EU's import list.
        let lists: Vec<_> = e.trace.rules[0]
            .checks()
            .iter()
            .map(|c| (c.policy, c.list, c.matched))
            .collect();
        assert_eq!(
            lists,
            [
                (
                    s.policy_id("srb-neutrality").expect("policy"),
                    PolicyList::DenyExport,
                    None
                ),
                (sanctions, PolicyList::DenyImport, None),
            ]
        );
        // Rule 2 CZE -> UKR: the EU's export list only (UKR has no policy).
        let lists: Vec<_> = e.trace.rules[1]
            .checks()
            .iter()
            .map(|c| (c.policy, c.list))
            .collect();
        assert_eq!(lists, [(sanctions, PolicyList::DenyExport)]);
    }

    #[test]
    fn every_match_is_recorded_but_the_first_decides() {
        let s = Kit::new()
            .actor("A", &["X"], false)
            .actor("B", &[], true)
            .product("p", &[])
            .facility("fa", "A", &["p"], &[])
            .demand("d", "B", "B", "p")
            .policy("imp", "B", &[], &["*"], &[])
            .policy("bloc", "X", &["B"], &[], &[])
            .policy("own", "A", &["belligerent"], &[], &["B"])
            .build();
        let e = explain_shipment(&s, fac(&s, "fa"), dem(&s, "d"), true);
        let matched: Vec<_> = e
            .trace
            .rules
            .iter()
            .flat_map(|r| {
                r.checks()
                    .iter()
                    .map(move |c| (r.rule, c.policy.index(), c.matched))
            })
            .collect();
        assert_eq!(
            matched,
            [
                (
                    Rule::ExporterToBuyer,
                    1,
                    Some(Selector::Actor(act(&s, "B")))
                ),
                (Rule::ExporterToBuyer, 2, Some(Selector::Belligerent)),
                (Rule::ExporterToBuyer, 0, Some(Selector::All)),
                (Rule::EndUse, 2, Some(Selector::Actor(act(&s, "B")))),
            ]
        );
        let denial = e.trace.verdict.denial().expect("denied");
        assert_eq!(
            (denial.policy.index(), denial.list),
            (1, PolicyList::DenyExport)
        );
        assert_eq!(e.trace.verdict, shipment(&s, e.facility, e.demand));
        assert_eq!(
            e.trace.rules[2].verdict.denial().map(|d| d.rule),
            Some(Rule::EndUse)
        );
    }

    #[test]
    fn transfer_trace_matches_the_fast_path() {
        let s = example();
        for g in 0..s.facilities.len() {
            for h in 0..s.facilities.len() {
                let (g, h) = (
                    caisson_model::FacilityId::new(g),
                    caisson_model::FacilityId::new(h),
                );
                let e = explain_transfer(&s, g, h);
                assert_eq!(e.trace.verdict, transfer(&s, g, h));
                assert_eq!(e.trace.rules.len(), 1);
            }
        }
        let e = explain_transfer(&s, fac(&s, "deu-plant"), fac(&s, "deu-depot"));
        assert_eq!(e.trace.rules[0].outcome, RuleOutcome::SameActor);
    }
}
