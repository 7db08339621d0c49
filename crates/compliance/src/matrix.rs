//! The whole allowed/denied matrix of a scenario, computed once.
//!
//! Verdicts depend only on actors, and many facilities and demands share
//! them, so legs and end-use checks are cached per actor pair and shipment
//! verdicts are stored per (exporter actor, demand).

use caisson_model::{ActorId, DemandId, FacilityId, PolicyId, PolicyList, Scenario};

use crate::rules::{first_policy, leg_entry};
use crate::verdict::{Denial, Rule, Verdict};

/// A cached policy lookup: not yet computed, no denial, or the deciding entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    Unknown,
    Clear,
    Denied(PolicyId, PolicyList),
}

/// Leg and end-use lookups per ordered actor pair, computed on first use.
#[derive(Debug, Clone)]
struct PairCache {
    actors: usize,
    legs: Vec<Cell>,
    end_use: Vec<Cell>,
}

impl PairCache {
    fn new(actors: usize) -> Self {
        Self {
            actors,
            legs: vec![Cell::Unknown; actors * actors],
            end_use: vec![Cell::Unknown; actors * actors],
        }
    }

    fn leg(&mut self, scenario: &Scenario, from: ActorId, to: ActorId, rule: Rule) -> Verdict {
        let cell = &mut self.legs[from.index() * self.actors + to.index()];
        if *cell == Cell::Unknown {
            *cell = match leg_entry(scenario, from, to, None) {
                Some((policy, list)) => Cell::Denied(policy, list),
                None => Cell::Clear,
            };
        }
        to_verdict(*cell, rule, from, to)
    }

    fn end_use(&mut self, scenario: &Scenario, exporter: ActorId, end_user: ActorId) -> Verdict {
        let cell = &mut self.end_use[exporter.index() * self.actors + end_user.index()];
        if *cell == Cell::Unknown {
            *cell = match first_policy(scenario, PolicyList::DenyEndUse, exporter, end_user, None) {
                Some(policy) => Cell::Denied(policy, PolicyList::DenyEndUse),
                None => Cell::Clear,
            };
        }
        to_verdict(*cell, Rule::EndUse, exporter, end_user)
    }

    /// Spec section 3, rules 1-3 in order, as in `rules::shipment_by_actors`.
    fn shipment(
        &mut self,
        scenario: &Scenario,
        exporter: ActorId,
        buyer: ActorId,
        end_user: ActorId,
    ) -> Verdict {
        if exporter != buyer {
            let v = self.leg(scenario, exporter, buyer, Rule::ExporterToBuyer);
            if !v.is_allowed() {
                return v;
            }
        }
        if end_user != buyer {
            let v = self.leg(scenario, buyer, end_user, Rule::BuyerToEndUser);
            if !v.is_allowed() {
                return v;
            }
        }
        if end_user != exporter {
            return self.end_use(scenario, exporter, end_user);
        }
        Verdict::Allowed
    }
}

fn to_verdict(cell: Cell, rule: Rule, from: ActorId, to: ActorId) -> Verdict {
    match cell {
        Cell::Denied(policy, list) => Verdict::Denied(Denial {
            rule,
            policy,
            list,
            from,
            to,
        }),
        Cell::Unknown | Cell::Clear => Verdict::Allowed,
    }
}

/// Every shipment verdict (facility × demand) and transfer verdict
/// (facility × facility) of a scenario.
///
/// Equal, pair by pair, to [`crate::shipment`] and [`crate::transfer`];
/// whether a pair is meaningful (the product is held, some product
/// qualifies for a transfer) is a separate question: see
/// `caisson_model::Held` and [`crate::TransferCandidates`].
#[derive(Debug, Clone)]
pub struct ComplianceMatrix {
    facility_actor: Vec<ActorId>,
    actors: usize,
    demands: usize,
    /// Shipment verdicts per (exporter actor, demand); rows of actors
    /// without a facility are never computed nor read.
    shipments: Vec<Verdict>,
    /// Transfer verdicts per (sender actor, receiver actor).
    transfers: Vec<Verdict>,
}

impl ComplianceMatrix {
    /// Computes every verdict of `scenario`.
    pub fn new(scenario: &Scenario) -> Self {
        let actors = scenario.actors.len();
        let demands = scenario.demands.len();
        let facility_actor: Vec<ActorId> = scenario.facilities.iter().map(|f| f.actor).collect();
        let mut has_facility = vec![false; actors];
        for a in &facility_actor {
            has_facility[a.index()] = true;
        }
        let exporters: Vec<ActorId> = (0..actors)
            .filter(|&a| has_facility[a])
            .map(ActorId::new)
            .collect();

        let mut cache = PairCache::new(actors);
        let mut shipments = vec![Verdict::Allowed; actors * demands];
        let mut transfers = vec![Verdict::Allowed; actors * actors];
        for &e in &exporters {
            for (d, demand) in scenario.demands.iter().enumerate() {
                shipments[e.index() * demands + d] =
                    cache.shipment(scenario, e, demand.buyer, demand.end_user);
            }
            for &r in exporters.iter().filter(|&&r| r != e) {
                transfers[e.index() * actors + r.index()] =
                    cache.leg(scenario, e, r, Rule::Transfer);
            }
        }
        Self {
            facility_actor,
            actors,
            demands,
            shipments,
            transfers,
        }
    }

    /// Number of facilities (rows).
    pub fn facilities(&self) -> usize {
        self.facility_actor.len()
    }

    /// Number of demands (columns of the shipment matrix).
    pub fn demands(&self) -> usize {
        self.demands
    }

    /// The verdict of a shipment from `facility` to `demand`.
    pub fn shipment(&self, facility: FacilityId, demand: DemandId) -> Verdict {
        let exporter = self.facility_actor[facility.index()];
        self.shipments[exporter.index() * self.demands + demand.index()]
    }

    /// The verdict of a transfer from facility `from` to facility `to`
    /// (allowed within one actor).
    pub fn transfer(&self, from: FacilityId, to: FacilityId) -> Verdict {
        let sender = self.facility_actor[from.index()];
        let receiver = self.facility_actor[to.index()];
        self.transfers[sender.index() * self.actors + receiver.index()]
    }
}

#[cfg(test)]
mod tests {
    use caisson_model::{DemandId, FacilityId, Scenario};

    use super::*;
    use crate::testkit::{example, Kit};
    use crate::{explain_shipment, shipment, transfer};

    fn assert_matches_fast_path(s: &Scenario) {
        let m = ComplianceMatrix::new(s);
        assert_eq!(
            (m.facilities(), m.demands()),
            (s.facilities.len(), s.demands.len())
        );
        for f in (0..s.facilities.len()).map(FacilityId::new) {
            for d in (0..s.demands.len()).map(DemandId::new) {
                assert_eq!(m.shipment(f, d), shipment(s, f, d), "{f:?} {d:?}");
                assert_eq!(
                    m.shipment(f, d),
                    explain_shipment(s, f, d, true).trace.verdict
                );
            }
            for h in (0..s.facilities.len()).map(FacilityId::new) {
                assert_eq!(m.transfer(f, h), transfer(s, f, h), "{f:?} {h:?}");
            }
        }
    }

    #[test]
    fn matrix_equals_single_checks_on_the_example() {
        assert_matches_fast_path(&example());
    }

    #[test]
    fn matrix_equals_single_checks_with_shared_actors_and_many_policies() {
        let mut kit = Kit::new()
            .actor("A", &["X", "Y"], false)
            .actor("B", &["X"], true)
            .actor("C", &["Y"], false)
            .actor("D", &[], true)
            .actor("E", &[], false)
            .product("p", &[]);
        for (i, actor) in ["A", "A", "B", "C", "C", "D"].iter().enumerate() {
            kit = kit.facility(&format!("f{i}"), actor, &["p"], &[]);
        }
        for buyer in ["A", "B", "C", "D", "E"] {
            for user in ["A", "B", "C", "D", "E"] {
                kit = kit.demand(&format!("{buyer}{user}"), buyer, user, "p");
            }
        }
        let s = kit
            .policy("y", "Y", &["belligerent"], &[], &["E"])
            .policy("b", "B", &[], &["Y"], &[])
            .policy("d", "D", &["*"], &["C"], &["X"])
            .policy("x", "X", &["E"], &["D"], &[])
            .build();
        assert_matches_fast_path(&s);
        let m = ComplianceMatrix::new(&s);
        let denied = (0..s.facilities.len())
            .flat_map(|f| (0..s.demands.len()).map(move |d| (f, d)))
            .filter(|&(f, d)| {
                !m.shipment(FacilityId::new(f), DemandId::new(d))
                    .is_allowed()
            })
            .count();
        assert!(denied > 10, "the policies deny something: {denied}");
    }
}
