//! Which flows the model allows (spec sections 3 and 4), computed once per
//! scenario and shared by the model builder (`caisson-planner`), the plan
//! derivation and the greedy baseline.

use caisson_compliance::Verdict;
use caisson_model::{DemandId, FacilityId, Held, ProductId, Scenario};

/// A (facility, demand) pair where the facility holds the demand's product.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShipPair {
    /// The shipping facility.
    pub facility: FacilityId,
    /// The demand.
    pub demand: DemandId,
    /// Whether shipments on the pair are allowed, and why.
    pub verdict: Verdict,
    /// The route's lead time in periods.
    pub lead: usize,
    /// The route's unit cost.
    pub cost: f64,
}

/// An ordered facility pair with at least one product qualifying for a
/// transfer (lead times aside).
#[derive(Debug, Clone, PartialEq)]
pub struct TransferPair {
    /// The sending facility.
    pub from: FacilityId,
    /// The receiving facility.
    pub to: FacilityId,
    /// Whether transfers on the pair are allowed, and why.
    pub verdict: Verdict,
    /// The route's lead time in periods.
    pub lead: usize,
    /// The route's unit cost.
    pub cost: f64,
    /// Qualifying products, in product order.
    pub products: Vec<ProductId>,
}

/// The allowed-flow structure of a scenario.
#[derive(Debug, Clone)]
pub struct Network {
    /// Which products each facility holds.
    pub held: Held,
    /// Every (facility, demand) pair where the facility holds the demand's
    /// product, by facility then demand.
    pub ship_pairs: Vec<ShipPair>,
    /// Every ordered facility pair with a qualifying product, by sender
    /// then receiver.
    pub transfer_pairs: Vec<TransferPair>,
}

impl Network {
    /// Computes the allowed-flow structure of `scenario`.
    pub fn new(scenario: &Scenario) -> Self {
        let held = Held::new(scenario);
        let mut ship_pairs = Vec::new();
        for (f, facility) in scenario.facilities.iter().enumerate() {
            let f = FacilityId::new(f);
            for (d, demand) in scenario.demands.iter().enumerate() {
                if !held.is_held(f, demand.product) {
                    continue;
                }
                let d = DemandId::new(d);
                let (lead, cost) = scenario.route(facility.actor, demand.buyer);
                ship_pairs.push(ShipPair {
                    facility: f,
                    demand: d,
                    verdict: caisson_compliance::shipment(scenario, f, d),
                    lead: lead as usize,
                    cost,
                });
            }
        }
        let mut transfer_pairs = Vec::new();
        let facilities = scenario.facilities.len();
        for g in 0..facilities {
            let g = FacilityId::new(g);
            let g_actor = scenario.facilities[g.index()].actor;
            for h in 0..facilities {
                let h = FacilityId::new(h);
                if g == h {
                    continue;
                }
                let h_actor = scenario.facilities[h.index()].actor;
                let domestic = g_actor == h_actor;
                let products: Vec<ProductId> = held
                    .products_at(g)
                    .filter(|&p| held.is_input_at(h, p) || (domestic && held.is_held(h, p)))
                    .collect();
                if products.is_empty() {
                    continue;
                }
                let (lead, cost) = scenario.route(g_actor, h_actor);
                transfer_pairs.push(TransferPair {
                    from: g,
                    to: h,
                    verdict: caisson_compliance::transfer(scenario, g, h),
                    lead: lead as usize,
                    cost,
                    products,
                });
            }
        }
        Self {
            held,
            ship_pairs,
            transfer_pairs,
        }
    }
}
