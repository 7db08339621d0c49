//! Transfer pools: an exact reduction of the transfer columns.
//!
//! Spec section 4 gives a transfer column w[g,h,p,t] to every allowed pair
//! of facilities where p is held at g and either is an input of a product
//! made at h, or g and h belong to the same actor and p is held at h. A
//! pair's verdict, lead time and unit cost depend on the two facilities'
//! actors only (sections 2 and 3), and the qualification splits into a
//! condition on g and one on h. So all transfers of a product p out of one
//! actor A's facilities form a complete bipartite network: every sender
//! (a facility of A holding p) may send to every receiver (an allowed
//! facility using p, or a facility of A holding p), and what a unit costs
//! and when it arrives depends on the receiver alone. Its |S| x |R|
//! columns per period can then be replaced by |S| + |R| columns and one
//! balance row, a *pool*:
//!
//! ```text
//! send[g,t] (g in S, cost 0)   receive[h,t] (h in R, cost k(A, actor h))
//! sum_g send[g,t] - sum_h receive[h,t] = 0
//! ```
//!
//! where send[g,t] leaves g's stock in t and receive[h,t] enters h's stock
//! in t + L(A, actor h). Any pairwise flow sums to a pool flow of the same
//! cost; any pool flow splits into pairwise flows of the same cost (all
//! pairs exist and a pair's cost is its receiver's: [`split`] does it
//! greedily), so the optimum, its objective and every other variable are
//! unchanged. Plans still list transfers facility to facility.
//!
//! A facility of A is both a sender and a receiver, so a pool also lets it
//! "transfer" to itself. With A's domestic lead time L(A,A) = 0 that is a
//! no-op costing k(A,A) >= 0, which an optimum never needs and the split
//! drops, so the optimum is again unchanged. With L(A,A) > 0 it would be
//! storage at a price that could undercut the holding cost, so A's
//! domestic transfers then stay pairwise and its pools hold foreign
//! receivers only.

use std::collections::BTreeMap;

use caisson_model::{ActorId, FacilityId, ProductId, Scenario};

use caisson_plan::{Network, Open};

/// A facility a pool delivers to, with what a unit costs to reach it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Receiver {
    pub facility: FacilityId,
    /// Whether the leg from the pool's actor is allowed in some period
    /// (always, at home).
    pub allowed: bool,
    /// The departure periods in which it is open (time windows,
    /// `docs/windows.md`).
    pub open: Open,
    pub lead: usize,
    pub cost: f64,
}

/// One pool: the transfers of one product out of one actor's facilities.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pool {
    pub actor: ActorId,
    pub product: ProductId,
    /// Facilities of `actor` holding the product, ascending.
    pub senders: Vec<FacilityId>,
    /// Facilities it may go to (denied ones too, for a superset model),
    /// ascending.
    pub receivers: Vec<Receiver>,
}

impl Pool {
    /// Pairwise columns per period this pool stands for, counting allowed
    /// receivers only and leaving out a facility's pair with itself.
    pub fn pairs(&self) -> usize {
        self.receivers
            .iter()
            .filter(|r| r.allowed)
            .map(|r| self.senders_to(r))
            .sum()
    }

    /// Senders that may send to `receiver`: all but the receiver itself.
    pub fn senders_to(&self, receiver: &Receiver) -> usize {
        self.senders.len() - usize::from(self.senders.contains(&receiver.facility))
    }

    /// Allowed receivers.
    fn allowed_receivers(&self) -> usize {
        self.receivers.iter().filter(|r| r.allowed).count()
    }

    /// Pooling pays when the pairs outnumber the pool's columns and row.
    fn pays(&self) -> bool {
        self.pairs() > self.senders.len() + self.allowed_receivers() + 1
    }

    /// The shortest lead time to an allowed receiver (to any, with
    /// `denied_too`): a unit sent later than `periods - 1 - lead` arrives
    /// nowhere in the horizon.
    pub fn min_lead(&self, denied_too: bool) -> usize {
        self.receivers
            .iter()
            .filter(|r| r.allowed || denied_too)
            .map(|r| r.lead)
            .min()
            .unwrap_or(0)
    }
}

/// Every pool of a network, and which (pair, product) they cover.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pools {
    pub list: Vec<Pool>,
    by_key: BTreeMap<(ActorId, ProductId), u32>,
    /// Actors whose domestic transfers stay pairwise (lead time above 0).
    domestic_pairwise: Vec<bool>,
}

impl Pools {
    /// Groups the transfer pairs of `network` into pools and keeps those
    /// that pay. A group whose pairs are not all of senders x receivers
    /// (less self-pairs), or whose pairs to one receiver disagree on
    /// verdict, lead time or cost (neither happens under the spec's rules),
    /// stays pairwise.
    pub fn new(scenario: &Scenario, network: &Network) -> Self {
        struct Group {
            senders: Vec<FacilityId>,
            receivers: BTreeMap<FacilityId, Receiver>,
            pairs: usize,
            uniform: bool,
        }
        let actor = |f: FacilityId| scenario.facilities[f.index()].actor;
        let domestic_pairwise: Vec<bool> = (0..scenario.actors.len())
            .map(|a| {
                let a = ActorId::new(a);
                scenario.route(a, a).0 > 0
            })
            .collect();
        let mut groups: BTreeMap<(ActorId, ProductId), Group> = BTreeMap::new();
        for pair in &network.transfer_pairs {
            let (a, b) = (actor(pair.from), actor(pair.to));
            if a == b && domestic_pairwise[a.index()] {
                continue;
            }
            for &p in &pair.products {
                let group = groups.entry((a, p)).or_insert_with(|| Group {
                    senders: Vec::new(),
                    receivers: BTreeMap::new(),
                    pairs: 0,
                    uniform: true,
                });
                // Pairs come by sender, then receiver.
                if group.senders.last() != Some(&pair.from) {
                    group.senders.push(pair.from);
                }
                let receiver = Receiver {
                    facility: pair.to,
                    allowed: pair.open.somewhere(),
                    open: pair.open.clone(),
                    lead: pair.lead,
                    cost: pair.cost,
                };
                let known = group
                    .receivers
                    .entry(pair.to)
                    .or_insert_with(|| receiver.clone());
                group.uniform &= *known == receiver;
                group.pairs += 1;
            }
        }
        let mut pools = Pools {
            domestic_pairwise,
            ..Pools::default()
        };
        for ((actor_id, product), group) in groups {
            let mut senders = group.senders;
            // At home a receiver holds p, so it may send too.
            senders.extend(group.receivers.keys().filter(|&&h| actor(h) == actor_id));
            senders.sort_unstable();
            senders.dedup();
            let pool = Pool {
                actor: actor_id,
                product,
                senders,
                receivers: group.receivers.into_values().collect(),
            };
            let all_pairs: usize = pool.receivers.iter().map(|r| pool.senders_to(r)).sum();
            let complete = group.pairs == all_pairs;
            if group.uniform && complete && pool.pays() {
                let index = pools.list.len() as u32;
                pools.by_key.insert((actor_id, product), index);
                pools.list.push(pool);
            }
        }
        pools
    }

    /// Whether transfers of `product` from `from` to `to` go through a pool.
    pub fn covers(
        &self,
        scenario: &Scenario,
        from: FacilityId,
        to: FacilityId,
        product: ProductId,
    ) -> bool {
        self.pool_of(scenario, from, to, product).is_some()
    }

    /// The pool transfers of `product` from `from` to `to` go through.
    pub fn pool_of(
        &self,
        scenario: &Scenario,
        from: FacilityId,
        to: FacilityId,
        product: ProductId,
    ) -> Option<u32> {
        let (a, b) = (
            scenario.facilities[from.index()].actor,
            scenario.facilities[to.index()].actor,
        );
        let pairwise_at_home = self.domestic_pairwise.get(a.index()).copied();
        if a == b && pairwise_at_home.unwrap_or(true) {
            return None;
        }
        self.by_key.get(&(a, product)).copied()
    }
}

/// Splits one pool period's flows into facility-to-facility transfers:
/// senders' and receivers' amounts (both in facility order) are matched
/// greedily, the first sender filling the first receivers, and so on (the
/// "north-west corner" of a transportation table). Amounts the other side
/// cannot match (solver tolerance) are dropped.
pub(crate) fn split(
    sent: &[(FacilityId, f64)],
    received: &[(FacilityId, f64)],
) -> Vec<(FacilityId, FacilityId, f64)> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    let mut left_sent = sent.first().map_or(0.0, |s| s.1);
    let mut left_received = received.first().map_or(0.0, |r| r.1);
    while i < sent.len() && j < received.len() {
        let q = left_sent.min(left_received);
        if q > 0.0 {
            out.push((sent[i].0, received[j].0, q));
        }
        left_sent -= q;
        left_received -= q;
        if left_sent <= left_received {
            i += 1;
            left_sent = sent.get(i).map_or(0.0, |s| s.1);
        } else {
            j += 1;
            left_received = received.get(j).map_or(0.0, |r| r.1);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(i: usize) -> FacilityId {
        FacilityId::new(i)
    }

    #[test]
    fn split_matches_every_unit_in_facility_order() {
        let sent = [(f(0), 5.0), (f(1), 3.0)];
        let received = [(f(2), 2.0), (f(3), 6.0)];
        assert_eq!(
            split(&sent, &received),
            vec![(f(0), f(2), 2.0), (f(0), f(3), 3.0), (f(1), f(3), 3.0)]
        );
    }

    #[test]
    fn split_skips_empty_sides_and_drops_what_cannot_be_matched() {
        assert!(split(&[], &[(f(1), 1.0)]).is_empty());
        let sent = [(f(0), 0.0), (f(1), 4.0)];
        let received = [(f(2), 4.0 + 1e-12)];
        assert_eq!(split(&sent, &received), vec![(f(1), f(2), 4.0)]);
    }
}
