//! Key figures of a plan (spec section 6, `kpis`), from its records.

use std::collections::BTreeMap;

use caisson_model::{ActorId, ProductId, Scenario};

use crate::derive::clean;
use crate::plan::{DemandKpi, DemandRecord, EndUserKpi, Kpis, ProductKpi, ShipmentRecord};

/// `delivered / required`, or `None` when nothing is required.
fn fill_rate(delivered: f64, required: f64) -> Option<f64> {
    (required > 0.0).then(|| delivered / required)
}

/// Computes the KPIs from a plan's shipment and demand records.
pub(crate) fn compute(
    scenario: &Scenario,
    shipments: &[ShipmentRecord],
    demand_records: &[DemandRecord],
) -> Kpis {
    let n = scenario.periods();
    let mut demands: Vec<DemandKpi> = scenario
        .demands
        .iter()
        .enumerate()
        .map(|(d, dem)| DemandKpi {
            demand: caisson_model::DemandId::new(d),
            product: dem.product,
            end_user: dem.end_user,
            // Summed over the scenario, not the records, so that periods
            // without a record still count their requirement.
            required: dem.quantity.iter().sum(),
            delivered: 0.0,
            fill_rate: None,
            final_backlog: 0.0,
            lost: 0.0,
            shortage: 0.0,
        })
        .collect();
    for r in demand_records {
        let k = &mut demands[r.demand.index()];
        k.delivered += r.delivered;
        k.lost += r.lost;
        k.shortage += r.backlog + r.lost;
        if r.period + 1 == n {
            k.final_backlog = r.backlog;
        }
    }
    for k in &mut demands {
        k.required = clean(k.required);
        k.delivered = clean(k.delivered);
        k.lost = clean(k.lost);
        k.shortage = clean(k.shortage);
        k.fill_rate = fill_rate(k.delivered, k.required);
    }

    let mut by_product: BTreeMap<ProductId, ProductKpi> = BTreeMap::new();
    for k in &demands {
        let entry = by_product.entry(k.product).or_insert(ProductKpi {
            product: k.product,
            required: 0.0,
            delivered: 0.0,
            fill_rate: None,
            shortage: 0.0,
        });
        entry.required += k.required;
        entry.delivered += k.delivered;
        entry.shortage += k.shortage;
    }
    let products = by_product
        .into_values()
        .map(|mut k| {
            k.fill_rate = fill_rate(k.delivered, k.required);
            k
        })
        .collect();

    let mut delivered: BTreeMap<(ActorId, ProductId, ActorId), f64> = BTreeMap::new();
    let mut totals: BTreeMap<(ActorId, ProductId), f64> = BTreeMap::new();
    for s in shipments.iter().filter(|s| s.arrival < n) {
        let dem = &scenario.demands[s.demand.index()];
        let exporter = scenario.facilities[s.facility.index()].actor;
        *delivered
            .entry((dem.end_user, dem.product, exporter))
            .or_default() += s.quantity;
        *totals.entry((dem.end_user, dem.product)).or_default() += s.quantity;
    }
    let end_users = delivered
        .into_iter()
        .filter(|&(_, units)| clean(units) > 0.0)
        .map(|((end_user, product, exporter), units)| {
            let total = totals.get(&(end_user, product)).copied().unwrap_or(units);
            EndUserKpi {
                end_user,
                product,
                exporter,
                delivered: units,
                share: if total > 0.0 { units / total } else { 0.0 },
            }
        })
        .collect();

    Kpis {
        demands,
        products,
        end_users,
        dependencies: crate::dependency::dependencies(scenario, shipments),
    }
}
