//! Dependency metrics: where each receiver's deliveries come from, with
//! the scenario's ids (the planner computes them with typed ids as part of
//! every plan's KPIs; see `caisson_planner::dependencies`).
//!
//! For every receiver (an end user, or a buyer) and product, the share of
//! delivered units by exporting actor and by bloc, the Herfindahl-Hirschman
//! index (HHI) of the exporter mix, and the share that comes from exporters
//! sharing no bloc with the receiver. Units of different products are never
//! added together (spec section 6).

use caisson_model::Scenario;
use caisson_planner::{DependencyKpi, Plan, Role as PlannerRole};
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
pub use caisson_planner::NO_BLOC;

/// The dependency profiles of a plan (its `kpis.dependencies`), labelled.
pub fn of_plan(scenario: &Scenario, plan: &Plan) -> Vec<Dependency> {
    label(scenario, &plan.kpis.dependencies)
}

/// Replaces the planner's typed ids by the scenario's ids.
pub fn label(scenario: &Scenario, profiles: &[DependencyKpi]) -> Vec<Dependency> {
    profiles
        .iter()
        .map(|p| Dependency {
            role: match p.role {
                PlannerRole::EndUser => Role::EndUser,
                PlannerRole::Buyer => Role::Buyer,
            },
            receiver: scenario.actors[p.receiver.index()].id.clone(),
            product: scenario.products[p.product.index()].id.clone(),
            delivered: p.delivered,
            by_exporter: p
                .by_exporter
                .iter()
                .map(|s| Share {
                    id: scenario.actors[s.key.index()].id.clone(),
                    units: s.units,
                    share: s.share,
                })
                .collect(),
            by_bloc: p
                .by_bloc
                .iter()
                .map(|s| Share {
                    id: s.key.map_or_else(
                        || NO_BLOC.to_owned(),
                        |b| scenario.blocs[b.index()].id.clone(),
                    ),
                    units: s.units,
                    share: s.share,
                })
                .collect(),
            hhi: p.hhi,
            unaligned_share: p.unaligned_share,
        })
        .collect()
}
