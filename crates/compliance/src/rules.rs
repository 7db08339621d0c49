//! The rules of spec section 3 as plain functions: the fast path used by
//! the planner, which stops at the first denial.
//!
//! Policies may bind only in a window of periods (`docs/windows.md`). The
//! `*_at` functions answer for one period; the others give the verdict
//! "allowed in every period": a policy counts when it binds in some period
//! of the horizon, so without windows both are the spec's verdict.

use caisson_model::{ActorId, DemandId, FacilityId, PolicyId, PolicyList, Scenario};

use crate::verdict::{Denial, Rule, Verdict};

/// Whether `policy` is consulted: in period `t`, or (`None`) in some period.
fn consulted(policy: &caisson_model::Policy, period: Option<usize>) -> bool {
    match period {
        Some(t) => policy.binds_in(t),
        None => policy.binds_somewhere(),
    }
}

/// The first policy (file order) that binds `bound` (in `period`, or in
/// some period when `None`) and whose `list` selects `subject`.
pub(crate) fn first_policy(
    scenario: &Scenario,
    list: PolicyList,
    bound: ActorId,
    subject: ActorId,
    period: Option<usize>,
) -> Option<PolicyId> {
    scenario
        .policies
        .iter()
        .position(|policy| {
            consulted(policy, period)
                && scenario.is_in(bound, policy.scope)
                && policy
                    .list(list)
                    .iter()
                    .any(|&s| scenario.selects(s, subject))
        })
        .map(PolicyId::new)
}

/// The deciding entry of a leg `from -> to`, regardless of the rule it is
/// checked for: the sender's `deny_export` before the receiver's
/// `deny_import`, policies in file order.
pub(crate) fn leg_entry(
    scenario: &Scenario,
    from: ActorId,
    to: ActorId,
    period: Option<usize>,
) -> Option<(PolicyId, PolicyList)> {
    first_policy(scenario, PolicyList::DenyExport, from, to, period)
        .map(|p| (p, PolicyList::DenyExport))
        .or_else(|| {
            first_policy(scenario, PolicyList::DenyImport, to, from, period)
                .map(|p| (p, PolicyList::DenyImport))
        })
}

fn leg_in(
    scenario: &Scenario,
    from: ActorId,
    to: ActorId,
    rule: Rule,
    period: Option<usize>,
) -> Verdict {
    match leg_entry(scenario, from, to, period) {
        Some((policy, list)) => Verdict::Denied(Denial {
            rule,
            policy,
            list,
            from,
            to,
        }),
        None => Verdict::Allowed,
    }
}

/// Checks a leg from actor `from` to actor `to`: the sender's `deny_export`
/// before the receiver's `deny_import`, policies in file order.
///
/// The caller decides whether the leg exists at all (`from != to`); for
/// `from == to` this still looks the pair up, which is what a policy
/// binding an actor that denies itself would mean, but no rule of the spec
/// asks for it.
pub fn leg(scenario: &Scenario, from: ActorId, to: ActorId, rule: Rule) -> Verdict {
    leg_in(scenario, from, to, rule, None)
}

/// [`leg`] in period `t`: only the policies binding in `t` are consulted.
pub fn leg_at(scenario: &Scenario, from: ActorId, to: ActorId, rule: Rule, t: usize) -> Verdict {
    leg_in(scenario, from, to, rule, Some(t))
}

fn end_use_in(
    scenario: &Scenario,
    exporter: ActorId,
    end_user: ActorId,
    period: Option<usize>,
) -> Verdict {
    match first_policy(scenario, PolicyList::DenyEndUse, exporter, end_user, period) {
        Some(policy) => Verdict::Denied(Denial {
            rule: Rule::EndUse,
            policy,
            list: PolicyList::DenyEndUse,
            from: exporter,
            to: end_user,
        }),
        None => Verdict::Allowed,
    }
}

/// Checks the end-use rule: no policy binding `exporter` lists `end_user`
/// in `deny_end_use`.
pub fn end_use(scenario: &Scenario, exporter: ActorId, end_user: ActorId) -> Verdict {
    end_use_in(scenario, exporter, end_user, None)
}

/// [`end_use`] in period `t`.
pub fn end_use_at(scenario: &Scenario, exporter: ActorId, end_user: ActorId, t: usize) -> Verdict {
    end_use_in(scenario, exporter, end_user, Some(t))
}

fn shipment_by_actors_in(
    scenario: &Scenario,
    exporter: ActorId,
    buyer: ActorId,
    end_user: ActorId,
    period: Option<usize>,
) -> Verdict {
    if exporter != buyer {
        if let denied @ Verdict::Denied(_) =
            leg_in(scenario, exporter, buyer, Rule::ExporterToBuyer, period)
        {
            return denied;
        }
    }
    if end_user != buyer {
        if let denied @ Verdict::Denied(_) =
            leg_in(scenario, buyer, end_user, Rule::BuyerToEndUser, period)
        {
            return denied;
        }
    }
    if end_user != exporter {
        return end_use_in(scenario, exporter, end_user, period);
    }
    Verdict::Allowed
}

/// Checks a shipment from an exporter to a buyer for an end user (spec
/// section 3, rules 1-3 in order); same-actor legs are skipped.
pub fn shipment_by_actors(
    scenario: &Scenario,
    exporter: ActorId,
    buyer: ActorId,
    end_user: ActorId,
) -> Verdict {
    shipment_by_actors_in(scenario, exporter, buyer, end_user, None)
}

/// [`shipment_by_actors`] for a shipment departing in period `t`: a
/// shipment is judged by the policies binding in its departure period.
pub fn shipment_by_actors_at(
    scenario: &Scenario,
    exporter: ActorId,
    buyer: ActorId,
    end_user: ActorId,
    t: usize,
) -> Verdict {
    shipment_by_actors_in(scenario, exporter, buyer, end_user, Some(t))
}

/// Checks a shipment from `facility` to `demand` (spec section 3, rules 1-3
/// in order).
pub fn shipment(scenario: &Scenario, facility: FacilityId, demand: DemandId) -> Verdict {
    let exporter = scenario.facilities[facility.index()].actor;
    let d = &scenario.demands[demand.index()];
    shipment_by_actors(scenario, exporter, d.buyer, d.end_user)
}

/// [`shipment`] for a shipment departing in period `t`.
pub fn shipment_at(
    scenario: &Scenario,
    facility: FacilityId,
    demand: DemandId,
    t: usize,
) -> Verdict {
    let exporter = scenario.facilities[facility.index()].actor;
    let d = &scenario.demands[demand.index()];
    shipment_by_actors_at(scenario, exporter, d.buyer, d.end_user, t)
}

/// Checks a transfer from facility `from` to facility `to`: allowed within
/// one actor, otherwise decided by the leg between the two actors.
pub fn transfer(scenario: &Scenario, from: FacilityId, to: FacilityId) -> Verdict {
    transfer_in(scenario, from, to, None)
}

/// [`transfer`] for a transfer departing in period `t`.
pub fn transfer_at(scenario: &Scenario, from: FacilityId, to: FacilityId, t: usize) -> Verdict {
    transfer_in(scenario, from, to, Some(t))
}

fn transfer_in(
    scenario: &Scenario,
    from: FacilityId,
    to: FacilityId,
    period: Option<usize>,
) -> Verdict {
    let a = scenario.facilities[from.index()].actor;
    let b = scenario.facilities[to.index()].actor;
    if a == b {
        Verdict::Allowed
    } else {
        leg_in(scenario, a, b, Rule::Transfer, period)
    }
}

/// The verdict of one flow in every period of the horizon, when it differs
/// between periods; `None` when the scenario has no window (or the flow's
/// verdict is the same throughout), so callers keep the one static verdict.
pub fn by_period(
    scenario: &Scenario,
    verdict_at: impl Fn(usize) -> Verdict,
) -> Option<Vec<Verdict>> {
    if !scenario.policies.iter().any(|p| p.window.is_some()) {
        return None;
    }
    let verdicts: Vec<Verdict> = (0..scenario.periods()).map(verdict_at).collect();
    if verdicts.windows(2).all(|w| w[0] == w[1]) {
        None
    } else {
        Some(verdicts)
    }
}

#[cfg(test)]
mod tests {
    use caisson_model::{PolicyList, Scenario};

    use super::*;
    use crate::testkit::{act, dem, example, fac, Kit};

    /// Three actors A (bloc X), B (bloc X), C (belligerent), a product made
    /// by a facility of each, and demands of every (buyer, end user) pair;
    /// `policies` adds the policies under test.
    fn world(policies: impl FnOnce(Kit) -> Kit) -> Scenario {
        let kit = Kit::new()
            .actor("A", &["X"], false)
            .actor("B", &["X"], false)
            .actor("C", &[], true)
            .product("p", &[])
            .facility("fa", "A", &["p"], &[])
            .facility("fb", "B", &["p"], &[])
            .facility("fc", "C", &["p"], &[]);
        let mut kit = policies(kit);
        for buyer in ["A", "B", "C"] {
            for user in ["A", "B", "C"] {
                kit = kit.demand(&format!("{buyer}-{user}"), buyer, user, "p");
            }
        }
        kit.build()
    }

    /// The verdict of facility `f` shipping to demand `d`, as
    /// `(rule, policy id, list)` or `None` when allowed.
    fn ship(s: &Scenario, f: &str, d: &str) -> Option<(Rule, String, PolicyList)> {
        check(s, shipment(s, fac(s, f), dem(s, d)))
    }

    fn check(s: &Scenario, verdict: Verdict) -> Option<(Rule, String, PolicyList)> {
        let reason = verdict.reason(s);
        verdict.denial().map(|d| {
            let id = s.policies[d.policy.index()].id.clone();
            // Spec section 7: a denial's reason names the policy and the list.
            assert!(reason.contains(&id), "{reason}");
            assert!(reason.contains(d.list.field_name()), "{reason}");
            (d.rule, id, d.list)
        })
    }

    fn denied(rule: Rule, policy: &str, list: PolicyList) -> Option<(Rule, String, PolicyList)> {
        Some((rule, policy.to_owned(), list))
    }

    #[test]
    fn no_policy_allows_everything() {
        let s = world(|k| k);
        assert_eq!(ship(&s, "fa", "C-C"), None);
        assert_eq!(
            shipment(&s, fac(&s, "fa"), dem(&s, "C-C")).reason(&s),
            "no policy applies"
        );
    }

    #[test]
    fn export_denial_names_the_sender_policy() {
        let s = world(|k| k.policy("a-no-c", "A", &["C"], &[], &[]));
        assert_eq!(
            ship(&s, "fa", "C-C"),
            denied(Rule::ExporterToBuyer, "a-no-c", PolicyList::DenyExport)
        );
        // Only A is bound.
        assert_eq!(ship(&s, "fb", "C-C"), None);
    }

    /// A policy binding from the second of three periods: a shipment is
    /// judged in its departure period, the static verdict means "allowed in
    /// every period", and the reason names the window.
    #[test]
    fn a_windowed_policy_denies_only_departures_inside_its_window() {
        let mut s = world(|k| k.policy("a-no-c", "A", &["C"], &[], &[]));
        s.policies[0].window = Some(caisson_model::Window { start: 1, end: 3 });
        let (f, d) = (fac(&s, "fa"), dem(&s, "C-C"));
        assert!(shipment_at(&s, f, d, 0).is_allowed());
        assert!(!shipment_at(&s, f, d, 1).is_allowed());
        assert!(!shipment_at(&s, f, d, 2).is_allowed());
        assert_eq!(
            ship(&s, "fa", "C-C"),
            denied(Rule::ExporterToBuyer, "a-no-c", PolicyList::DenyExport)
        );
        let reason = shipment(&s, f, d).reason(&s);
        assert!(reason.ends_with("; binds 2025-02..2025-03)"), "{reason}");
        let periods = by_period(&s, |t| shipment_at(&s, f, d, t)).expect("differs by period");
        assert_eq!(
            periods.iter().map(|v| v.is_allowed()).collect::<Vec<_>>(),
            [true, false, false]
        );
        // A flow the policy does not touch has one verdict throughout.
        assert_eq!(
            by_period(&s, |t| shipment_at(&s, fac(&s, "fb"), d, t)),
            None
        );
    }

    /// A window wholly outside the horizon binds in no period.
    #[test]
    fn a_policy_bound_nowhere_denies_nothing() {
        let mut s = world(|k| k.policy("a-no-c", "A", &["C"], &[], &[]));
        s.policies[0].window = Some(caisson_model::Window { start: 3, end: 3 });
        assert_eq!(ship(&s, "fa", "C-C"), None);
        assert!((0..3).all(|t| shipment_at(&s, fac(&s, "fa"), dem(&s, "C-C"), t).is_allowed()));
    }

    #[test]
    fn import_denial_names_the_receiver_policy() {
        let s = world(|k| k.policy("c-no-a", "C", &[], &["A"], &[]));
        assert_eq!(
            ship(&s, "fa", "C-C"),
            denied(Rule::ExporterToBuyer, "c-no-a", PolicyList::DenyImport)
        );
        assert_eq!(ship(&s, "fb", "C-C"), None);
        // An import ban binds the receiver only: C may still export to A.
        assert_eq!(ship(&s, "fc", "A-A"), None);
    }

    #[test]
    fn end_use_denial_checks_the_end_user() {
        let s = world(|k| k.policy("a-eu", "A", &[], &[], &["C"]));
        assert_eq!(
            ship(&s, "fa", "B-C"),
            denied(Rule::EndUse, "a-eu", PolicyList::DenyEndUse)
        );
        assert_eq!(
            ship(&s, "fa", "C-C"),
            denied(Rule::EndUse, "a-eu", PolicyList::DenyEndUse)
        );
        // The buyer alone does not matter for end use.
        assert_eq!(ship(&s, "fa", "C-B"), None);
        assert_eq!(ship(&s, "fb", "B-C"), None);
    }

    #[test]
    fn bloc_scope_binds_every_member() {
        let s = world(|k| k.policy("x-no-c", "X", &["C"], &[], &[]));
        for f in ["fa", "fb"] {
            assert_eq!(
                ship(&s, f, "C-C"),
                denied(Rule::ExporterToBuyer, "x-no-c", PolicyList::DenyExport)
            );
        }
        assert_eq!(ship(&s, "fc", "A-A"), None);
    }

    #[test]
    fn bloc_selector_selects_every_member() {
        let s = world(|k| k.policy("c-no-x", "C", &["X"], &[], &[]));
        for d in ["A-A", "B-B"] {
            assert_eq!(
                ship(&s, "fc", d),
                denied(Rule::ExporterToBuyer, "c-no-x", PolicyList::DenyExport)
            );
        }
    }

    #[test]
    fn belligerent_selector_selects_belligerents_only() {
        let s = world(|k| k.policy("a-neutral", "A", &["belligerent"], &[], &[]));
        assert_eq!(
            ship(&s, "fa", "C-C"),
            denied(Rule::ExporterToBuyer, "a-neutral", PolicyList::DenyExport)
        );
        assert_eq!(ship(&s, "fa", "B-B"), None);
    }

    #[test]
    fn star_selects_everyone() {
        let s = world(|k| k.policy("a-embargo", "A", &["*"], &[], &[]));
        for d in ["B-B", "C-C", "B-A"] {
            assert_eq!(
                ship(&s, "fa", d),
                denied(Rule::ExporterToBuyer, "a-embargo", PolicyList::DenyExport),
                "{d}"
            );
        }
        // Selling at home has no leg; but a domestic buyer re-transferring
        // abroad is an export by A again (rule 2).
        assert_eq!(ship(&s, "fa", "A-A"), None);
        assert_eq!(
            ship(&s, "fa", "A-B"),
            denied(Rule::BuyerToEndUser, "a-embargo", PolicyList::DenyExport)
        );
    }

    #[test]
    fn export_is_checked_before_import() {
        let s = world(|k| {
            k.policy("c-no-a", "C", &[], &["A"], &[])
                .policy("a-no-c", "A", &["C"], &[], &[])
        });
        // The import policy comes first in the file, but a leg checks the
        // sender's deny_export first.
        assert_eq!(
            ship(&s, "fa", "C-C"),
            denied(Rule::ExporterToBuyer, "a-no-c", PolicyList::DenyExport)
        );
    }

    #[test]
    fn rules_are_checked_in_order_one_two_three() {
        // Each of rules 1, 2 and 3 would deny fa -> demand B-C on its own.
        let all = |k: Kit| {
            k.policy("end-use", "A", &[], &[], &["C"])
                .policy("re-transfer", "B", &["C"], &[], &[])
                .policy("export", "A", &["B"], &[], &[])
        };
        let s = world(all);
        assert_eq!(
            ship(&s, "fa", "B-C"),
            denied(Rule::ExporterToBuyer, "export", PolicyList::DenyExport)
        );
        let s = world(|k| {
            k.policy("end-use", "A", &[], &[], &["C"])
                .policy("re-transfer", "B", &["C"], &[], &[])
        });
        assert_eq!(
            ship(&s, "fa", "B-C"),
            denied(Rule::BuyerToEndUser, "re-transfer", PolicyList::DenyExport)
        );
        let s = world(|k| k.policy("end-use", "A", &[], &[], &["C"]));
        assert_eq!(
            ship(&s, "fa", "B-C"),
            denied(Rule::EndUse, "end-use", PolicyList::DenyEndUse)
        );
    }

    #[test]
    fn the_first_policy_in_file_order_decides() {
        let s = world(|k| {
            k.policy("second-by-bloc", "X", &["C"], &[], &[]).policy(
                "third-by-actor",
                "A",
                &["C"],
                &[],
                &[],
            )
        });
        assert_eq!(
            ship(&s, "fa", "C-C"),
            denied(
                Rule::ExporterToBuyer,
                "second-by-bloc",
                PolicyList::DenyExport
            )
        );
        let s = world(|k| {
            k.policy("first-by-actor", "A", &["belligerent"], &[], &[])
                .policy("then-by-bloc", "X", &["C"], &[], &[])
        });
        assert_eq!(
            ship(&s, "fa", "C-C"),
            denied(
                Rule::ExporterToBuyer,
                "first-by-actor",
                PolicyList::DenyExport
            )
        );
    }

    #[test]
    fn same_actor_legs_are_skipped() {
        // A policy that would deny A's own actor is never consulted for a
        // leg within A.
        let s = world(|k| k.policy("a-self", "A", &["*"], &["*"], &[]));
        assert_eq!(ship(&s, "fa", "A-A"), None);
        // Rule 1 (A -> A) is skipped; rule 2 is A's re-transfer to B.
        assert_eq!(
            ship(&s, "fa", "A-B"),
            denied(Rule::BuyerToEndUser, "a-self", PolicyList::DenyExport)
        );
        // Rule 2 (B -> B) is skipped; rule 1 A -> B is denied.
        assert_eq!(
            ship(&s, "fa", "B-B"),
            denied(Rule::ExporterToBuyer, "a-self", PolicyList::DenyExport)
        );
        // Exporter and buyer both B: only the re-transfer B -> A is a leg.
        assert_eq!(
            ship(&s, "fb", "B-A"),
            denied(Rule::BuyerToEndUser, "a-self", PolicyList::DenyImport)
        );
        // End use by the exporter itself is not checked (rule 3, U == E).
        let s = world(|k| k.policy("a-end-use", "A", &[], &[], &["*"]));
        assert_eq!(ship(&s, "fa", "B-A"), None);
        assert_eq!(ship(&s, "fa", "A-A"), None);
        assert_eq!(
            ship(&s, "fa", "A-B"),
            denied(Rule::EndUse, "a-end-use", PolicyList::DenyEndUse)
        );
    }

    #[test]
    fn neutral_exporter_denies_belligerent_buyer_but_allows_re_transfer() {
        let s = example();
        let srb = fac(&s, "srb-plant");
        let direct = shipment(&s, srb, dem(&s, "ukr-direct"));
        let denial = direct.denial().expect("SRB -> UKR is denied");
        assert_eq!(s.policies[denial.policy.index()].id, "srb-neutrality");
        assert_eq!(denial.list, PolicyList::DenyExport);
        assert_eq!((denial.from, denial.to), (act(&s, "SRB"), act(&s, "UKR")));
        let reason = direct.reason(&s);
        assert!(reason.contains("srb-neutrality deny_export"), "{reason}");
        assert!(reason.contains("\"belligerent\""), "{reason}");
        // Via the Czech buyer: SRB -> CZE allowed, CZE -> UKR allowed, and
        // Serbia's policy has no deny_end_use.
        assert!(shipment(&s, srb, dem(&s, "ukr-mortar")).is_allowed());
        assert!(shipment(&s, srb, dem(&s, "ukr-155")).is_allowed());
    }

    #[test]
    fn transfer_checks_the_leg_between_facility_actors() {
        let s = world(|k| k.policy("b-no-c", "B", &[], &["C"], &[]));
        let v = transfer(&s, fac(&s, "fc"), fac(&s, "fb"));
        assert_eq!(
            check(&s, v),
            denied(Rule::Transfer, "b-no-c", PolicyList::DenyImport)
        );
        assert!(transfer(&s, fac(&s, "fb"), fac(&s, "fc")).is_allowed());
        // Within one actor a transfer is always allowed.
        let s = world(|k| k.policy("a-self", "A", &["*"], &["*"], &[]));
        assert!(transfer(&s, fac(&s, "fa"), fac(&s, "fa")).is_allowed());
        assert!(!transfer(&s, fac(&s, "fa"), fac(&s, "fb")).is_allowed());
    }

    #[test]
    fn eu_sanctions_deny_russia_through_every_rule() {
        let s = Kit::new()
            .actor("DEU", &["EU"], false)
            .actor("CZE", &["EU"], false)
            .actor("RUS", &[], true)
            .actor("SRB", &[], false)
            .product("p", &[])
            .facility("deu", "DEU", &["p"], &[])
            .facility("rus", "RUS", &["p"], &[])
            .demand("rus", "RUS", "RUS", "p")
            .demand("srb-for-rus", "SRB", "RUS", "p")
            .demand("cze", "CZE", "CZE", "p")
            .policy("eu-sanctions", "EU", &["RUS"], &["RUS"], &["RUS"])
            .build();
        let v = |f: &str, d: &str| check(&s, shipment(&s, fac(&s, f), dem(&s, d)));
        assert_eq!(
            v("deu", "rus"),
            denied(
                Rule::ExporterToBuyer,
                "eu-sanctions",
                PolicyList::DenyExport
            )
        );
        assert_eq!(
            v("deu", "srb-for-rus"),
            denied(Rule::EndUse, "eu-sanctions", PolicyList::DenyEndUse)
        );
        assert_eq!(
            v("rus", "cze"),
            denied(
                Rule::ExporterToBuyer,
                "eu-sanctions",
                PolicyList::DenyImport
            )
        );
    }
}
