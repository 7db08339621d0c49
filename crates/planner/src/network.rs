//! Which flows the model allows (spec sections 3 and 4), computed once per
//! scenario and shared by the model builder and the plan derivation.

use caisson_compliance::Verdict;
use caisson_model::{DemandId, FacilityId, Held, ProductId, Scenario};

/// A (facility, demand) pair where the facility holds the demand's product.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ShipPair {
    pub facility: FacilityId,
    pub demand: DemandId,
    pub verdict: Verdict,
    pub lead: usize,
    pub cost: f64,
}

/// An ordered facility pair with at least one product qualifying for a
/// transfer (lead times aside).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TransferPair {
    pub from: FacilityId,
    pub to: FacilityId,
    pub verdict: Verdict,
    pub lead: usize,
    pub cost: f64,
    /// Qualifying products, in product order.
    pub products: Vec<ProductId>,
}

/// The allowed-flow structure of a scenario.
#[derive(Debug, Clone)]
pub(crate) struct Network {
    pub held: Held,
    /// Every (facility, demand) pair where the facility holds the demand's
    /// product, by facility then demand.
    pub ship_pairs: Vec<ShipPair>,
    pub transfer_pairs: Vec<TransferPair>,
}

impl Network {
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
