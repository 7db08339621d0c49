//! Dependency metrics: where each receiver's deliveries come from.
//!
//! For every receiver (an end user, or a buyer) and product, the share of
//! delivered units by exporting actor and by bloc, the Herfindahl-Hirschman
//! index (HHI) of the exporter mix, and the share that comes from exporters
//! sharing no bloc with the receiver. Units of different products are never
//! added together (spec section 6).

use std::collections::BTreeMap;

use caisson_model::{ActorId, DemandId, FacilityId, ProductId, Scenario};
use serde::Serialize;

/// Whose dependency is measured: the actor finally using the goods, or the
/// actor receiving and paying for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The demand's end user.
    EndUser,
    /// The demand's buyer.
    Buyer,
}

/// One delivery: units shipped from a facility to a demand (all shipments in
/// a plan arrive within the horizon).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Delivery {
    /// The shipping facility.
    pub facility: FacilityId,
    /// The receiving demand.
    pub demand: DemandId,
    /// Units shipped.
    pub quantity: f64,
}

/// The dependency profile of one receiver for one product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dependency {
    /// End user or buyer.
    pub role: Role,
    /// The receiving actor's id.
    pub receiver: String,
    /// The product's id.
    pub product: String,
    /// Total units delivered to this receiver.
    pub delivered: f64,
    /// Share of units by exporting actor, largest first.
    pub by_exporter: Vec<Share>,
    /// Share of units coming from members of each bloc, largest first. An
    /// exporter in several blocs counts for each, so these may sum above 1;
    /// exporters in no bloc are listed under `"(no bloc)"`.
    pub by_bloc: Vec<Share>,
    /// Herfindahl-Hirschman index of the exporter mix, on the usual 0-10,000
    /// scale (10,000: one exporter supplies everything).
    pub hhi: f64,
    /// Share of units from exporters that share no bloc with the receiver
    /// (the receiver's own production counts as aligned).
    pub unaligned_share: f64,
}

/// One part of a mix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Share {
    /// Actor or bloc id.
    pub id: String,
    /// Units.
    pub units: f64,
    /// Fraction of the receiver's delivered units (0..1).
    pub share: f64,
}

/// Label used for exporters that belong to no bloc.
pub const NO_BLOC: &str = "(no bloc)";

/// Computes the dependency profiles of every receiver, for both roles, in a
/// stable order (role, receiver in actor order, product in product order).
/// Receivers with nothing delivered are left out.
pub fn dependencies(scenario: &Scenario, deliveries: &[Delivery]) -> Vec<Dependency> {
    // (role, receiver, product) -> exporter -> units
    let mut mix: BTreeMap<(Role, ActorId, ProductId), BTreeMap<ActorId, f64>> = BTreeMap::new();
    for delivery in deliveries.iter().filter(|d| d.quantity > 0.0) {
        let demand = &scenario.demands[delivery.demand.index()];
        let exporter = scenario.facilities[delivery.facility.index()].actor;
        for (role, receiver) in [
            (Role::EndUser, demand.end_user),
            (Role::Buyer, demand.buyer),
        ] {
            *mix.entry((role, receiver, demand.product))
                .or_default()
                .entry(exporter)
                .or_default() += delivery.quantity;
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
) -> Dependency {
    let total: f64 = exporters.values().sum();
    let receiver_blocs = &scenario.actors[receiver.index()].blocs;
    let mut by_bloc: BTreeMap<String, f64> = BTreeMap::new();
    let mut unaligned = 0.0;
    for (&exporter, &units) in exporters {
        let blocs = &scenario.actors[exporter.index()].blocs;
        if blocs.is_empty() {
            *by_bloc.entry(NO_BLOC.to_owned()).or_default() += units;
        }
        for bloc in blocs {
            *by_bloc
                .entry(scenario.blocs[bloc.index()].id.clone())
                .or_default() += units;
        }
        let aligned = exporter == receiver || blocs.iter().any(|b| receiver_blocs.contains(b));
        if !aligned {
            unaligned += units;
        }
    }
    let by_exporter = shares(
        exporters
            .iter()
            .map(|(a, &u)| (scenario.actors[a.index()].id.clone(), u)),
        total,
    );
    let hhi = by_exporter.iter().map(|s| (s.share * 100.0).powi(2)).sum();
    Dependency {
        role,
        receiver: scenario.actors[receiver.index()].id.clone(),
        product: scenario.products[product.index()].id.clone(),
        delivered: total,
        by_exporter,
        by_bloc: shares(by_bloc.into_iter(), total),
        hhi,
        unaligned_share: unaligned / total,
    }
}

fn shares(parts: impl Iterator<Item = (String, f64)>, total: f64) -> Vec<Share> {
    let mut shares: Vec<Share> = parts
        .map(|(id, units)| Share {
            id,
            units,
            share: units / total,
        })
        .collect();
    // Largest first; ties by id so the order is reproducible.
    shares.sort_by(|a, b| b.units.total_cmp(&a.units).then_with(|| a.id.cmp(&b.id)));
    shares
}
