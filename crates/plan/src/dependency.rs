//! Dependency metrics of a plan: where each receiver's deliveries come from.
//!
//! For every receiver (an end user, or a buyer) and product, the share of
//! delivered units by exporting actor and by bloc, the Herfindahl-Hirschman
//! index (HHI) of the exporter mix, and the share that comes from exporters
//! sharing no bloc with the receiver. Units of different products are never
//! added together (spec section 6).

use std::collections::BTreeMap;

use caisson_model::{ActorId, BlocId, ProductId, Scenario};
use serde::{Deserialize, Serialize};

use crate::plan::ShipmentRecord;

/// Whose dependency is measured: the actor finally using the goods, or the
/// actor receiving and paying for them. Written as its [`Role::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The demand's end user.
    EndUser,
    /// The demand's buyer.
    Buyer,
}

impl Role {
    /// The name used in outputs: `end_user` or `buyer`.
    pub fn name(self) -> &'static str {
        match self {
            Role::EndUser => "end_user",
            Role::Buyer => "buyer",
        }
    }
}

/// The dependency profile of one receiver for one product.
#[derive(Debug, Clone, PartialEq)]
pub struct DependencyKpi {
    /// End user or buyer.
    pub role: Role,
    /// The receiving actor.
    pub receiver: ActorId,
    /// The product.
    pub product: ProductId,
    /// Total units delivered to this receiver.
    pub delivered: f64,
    /// Units and share by exporting actor, largest first (ties in actor
    /// order).
    pub by_exporter: Vec<Share<ActorId>>,
    /// Units and share coming from members of each bloc, largest first
    /// (`None`: exporters in no bloc). An exporter in several blocs counts
    /// for each, so these shares may sum above 1.
    pub by_bloc: Vec<Share<Option<BlocId>>>,
    /// Herfindahl-Hirschman index of the exporter mix, on the usual
    /// 0-10,000 scale (10,000: one exporter supplies everything).
    pub hhi: f64,
    /// Share of units from exporters that share no bloc with the receiver
    /// (the receiver's own production counts as aligned).
    pub unaligned_share: f64,
}

/// How outputs label the exporters that belong to no bloc.
pub const NO_BLOC: &str = "(no bloc)";

/// One part of a mix.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Share<K> {
    /// Actor or bloc.
    pub key: K,
    /// Units.
    pub units: f64,
    /// Fraction of the receiver's delivered units (0..1).
    pub share: f64,
}

/// Computes the dependency profiles of every receiver, for both roles, in a
/// stable order (role, receiver in actor order, product in product order).
/// Receivers with nothing delivered are left out. Only shipments arriving
/// within the horizon count (in a plan, all do).
pub fn dependencies(scenario: &Scenario, shipments: &[ShipmentRecord]) -> Vec<DependencyKpi> {
    let periods = scenario.periods();
    // (role, receiver, product) -> exporter -> units
    let mut mix: BTreeMap<(Role, ActorId, ProductId), BTreeMap<ActorId, f64>> = BTreeMap::new();
    for shipment in shipments
        .iter()
        .filter(|s| s.quantity > 0.0 && s.arrival < periods)
    {
        let demand = &scenario.demands[shipment.demand.index()];
        let exporter = scenario.facilities[shipment.facility.index()].actor;
        for (role, receiver) in [
            (Role::EndUser, demand.end_user),
            (Role::Buyer, demand.buyer),
        ] {
            *mix.entry((role, receiver, demand.product))
                .or_default()
                .entry(exporter)
                .or_default() += shipment.quantity;
        }
    }
    mix.into_iter()
        .map(|((role, receiver, product), exporters)| {
            profile(scenario, role, receiver, product, &exporters)
        })
        .collect()
}

fn profile(
    scenario: &Scenario,
    role: Role,
    receiver: ActorId,
    product: ProductId,
    exporters: &BTreeMap<ActorId, f64>,
) -> DependencyKpi {
    let total: f64 = exporters.values().sum();
    let receiver_blocs = &scenario.actors[receiver.index()].blocs;
    let mut by_bloc: BTreeMap<Option<BlocId>, f64> = BTreeMap::new();
    let mut unaligned = 0.0;
    for (&exporter, &units) in exporters {
        let blocs = &scenario.actors[exporter.index()].blocs;
        if blocs.is_empty() {
            *by_bloc.entry(None).or_default() += units;
        }
        for &bloc in blocs {
            *by_bloc.entry(Some(bloc)).or_default() += units;
        }
        let aligned = exporter == receiver || blocs.iter().any(|b| receiver_blocs.contains(b));
        if !aligned {
            unaligned += units;
        }
    }
    let by_exporter = shares(exporters.iter().map(|(&a, &u)| (a, u)), total);
    let hhi = by_exporter.iter().map(|s| (s.share * 100.0).powi(2)).sum();
    DependencyKpi {
        role,
        receiver,
        product,
        delivered: total,
        by_exporter,
        by_bloc: shares(by_bloc.into_iter(), total),
        hhi,
        unaligned_share: unaligned / total,
    }
}

fn shares<K: Ord + Copy>(parts: impl Iterator<Item = (K, f64)>, total: f64) -> Vec<Share<K>> {
    let mut shares: Vec<Share<K>> = parts
        .map(|(key, units)| Share {
            key,
            units,
            share: units / total,
        })
        .collect();
    // Largest first; ties by key so the order is reproducible.
    shares.sort_by(|a, b| b.units.total_cmp(&a.units).then_with(|| a.key.cmp(&b.key)));
    shares
}
