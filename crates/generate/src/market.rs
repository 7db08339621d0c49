//! Demands and contracts: who needs what, for whom, and who has promised it.

use caisson_model::{ActorId, Contract, Demand, FacilityId, ProductId, Scenario};

use crate::geo::{Geo, Role};
use crate::industry::{Plant, Products};
use crate::names::Tier;
use crate::rng::{round, Rng};
use crate::Shape;

/// Who buys, for whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The defender buys for itself (neutral exporters deny it).
    DefenderDirect,
    /// An ally buys for the defender (a re-transfer leg).
    ReTransfer,
    /// An ally stockpiles.
    Domestic,
    /// A neutral state stockpiles.
    Neutral,
    /// The aggressor buys for itself.
    Aggressor,
}

/// `shape.demands` demands, each for a finished good that at least one
/// plant may legally ship to it. The first three are a direct purchase by
/// the defender (for a product a neutral plant makes, when one does: a
/// denial), a re-transfer via an ally and the aggressor's own demand.
pub(crate) fn demands(
    rng: &mut Rng,
    geo: &Geo,
    products: &Products,
    plants: &[Plant],
    shape: &Shape,
) -> Vec<Demand> {
    let finished = products.of_tier(Tier::Finished);
    let periods = shape.periods;
    // Demand scale per product: missiles are bought by the hundred, shells
    // by the ten thousand.
    let scale: Vec<f64> = (0..products.list.len())
        .map(|_| rng.range(0.05, 1.0))
        .collect();
    let mut count = vec![0usize; products.list.len()];
    let mut ids: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for i in 0..shape.demands {
        let kind = match i {
            0 => Kind::DefenderDirect,
            1 => Kind::ReTransfer,
            2 => Kind::Aggressor,
            _ => *pick_weighted(
                rng,
                &[
                    (Kind::DefenderDirect, 2),
                    (Kind::ReTransfer, 3),
                    (Kind::Domestic, 3),
                    (Kind::Neutral, 1),
                    (Kind::Aggressor, 1),
                ],
            ),
        };
        let defender = geo.first(Role::Defender);
        let (buyer, end_user) = match kind {
            Kind::DefenderDirect => (defender, defender),
            Kind::ReTransfer => (
                rng.pick(&geo.with_role(Role::Alliance)).unwrap_or(defender),
                defender,
            ),
            Kind::Domestic => {
                let a = rng.pick(&geo.with_role(Role::Alliance)).unwrap_or(defender);
                (a, a)
            }
            Kind::Neutral => {
                let a = rng.pick(&geo.with_role(Role::Neutral)).unwrap_or(defender);
                (a, a)
            }
            Kind::Aggressor => {
                let a = geo.first(Role::Aggressor);
                (a, a)
            }
        };
        let servable = |p: ProductId| {
            plants
                .iter()
                .any(|f| f.makes(p) && geo.shipment_ok(f.actor, buyer, end_user))
        };
        let mut candidates: Vec<ProductId> =
            finished.iter().copied().filter(|&p| servable(p)).collect();
        if kind == Kind::DefenderDirect && i == 0 {
            // Prefer what a neutral plant makes: that pair is denied.
            let neutral_made: Vec<ProductId> = candidates
                .iter()
                .copied()
                .filter(|&p| {
                    plants
                        .iter()
                        .any(|f| f.makes(p) && geo.roles[f.actor.index()] == Role::Neutral)
                })
                .collect();
            if !neutral_made.is_empty() {
                candidates = neutral_made;
            }
        }
        let (buyer, end_user, product) =
            match candidates.iter().copied().min_by_key(|p| count[p.index()]) {
                Some(p) => (buyer, end_user, p),
                // Nobody may serve this buyer: a domestic demand at a plant's
                // home is always allowed (no leg at all).
                None => {
                    let plant = plants.iter().find(|f| {
                        f.lines
                            .iter()
                            .any(|l| l.products.iter().any(|lp| finished.contains(&lp.product)))
                    });
                    match plant.and_then(|f| {
                        finished
                            .iter()
                            .copied()
                            .find(|&p| f.makes(p))
                            .map(|p| (f.actor, p))
                    }) {
                        Some((a, p)) => (a, a, p),
                        None => continue,
                    }
                }
            };
        count[product.index()] += 1;
        let level = round(rng.range(300.0, 3000.0) * scale[product.index()], 0).max(10.0);
        out.push(Demand {
            id: unique_id(
                &mut ids,
                demand_id(buyer, end_user, &products.list[product.index()].id),
            ),
            buyer,
            end_user,
            product,
            quantity: schedule(rng, level, periods),
            penalty: round(products.value[product.index()] * rng.range(3.0, 8.0), 0).max(1.0),
            backlog: rng.chance(0.7),
        });
    }
    out
}

fn pick_weighted<'a, T>(rng: &mut Rng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.below(total as usize) as u32;
    for (item, w) in items {
        if x < *w {
            return item;
        }
        x -= w;
    }
    &items[0].0
}

fn demand_id(buyer: ActorId, end_user: ActorId, product: &str) -> String {
    let b = crate::names::state(buyer.index()).0.to_lowercase();
    if buyer == end_user {
        format!("{b}-{product}")
    } else {
        let u = crate::names::state(end_user.index()).0.to_lowercase();
        format!("{b}-for-{u}-{product}")
    }
}

fn unique_id(taken: &mut Vec<String>, id: String) -> String {
    let mut candidate = id.clone();
    let mut n = 1;
    while taken.contains(&candidate) {
        n += 1;
        candidate = format!("{id}-{n}");
    }
    taken.push(candidate.clone());
    candidate
}

/// A requirement that starts at or after period 0 (most from the start),
/// runs at 50-90% of `level`, then steps up to `level`.
fn schedule(rng: &mut Rng, level: f64, periods: usize) -> Vec<f64> {
    let start = if rng.chance(0.75) {
        0
    } else {
        rng.below(periods / 3 + 1)
    };
    let step = rng.between(start, periods - 1);
    let early = round(level * rng.range(0.5, 0.9), 0);
    (0..periods)
        .map(|t| {
            if t < start {
                0.0
            } else if t < step {
                early
            } else {
                level
            }
        })
        .collect()
}

/// About one contract per six demands: a plant that may ship to a
/// demand's buyer commits part of that demand every period. At most one
/// per (facility, buyer, product), and the buyer always has a demand for
/// the product.
pub(crate) fn contracts(
    rng: &mut Rng,
    geo: &Geo,
    products: &Products,
    plants: &[Plant],
    demands: &[Demand],
    shape: &Shape,
) -> Vec<Contract> {
    let wanted = (shape.demands / 6).max(1);
    let mut out: Vec<Contract> = Vec::new();
    for _ in 0..wanted * 4 {
        if out.len() >= wanted {
            break;
        }
        let Some(d) = rng
            .pick(&(0..demands.len()).collect::<Vec<_>>())
            .map(|d| &demands[d])
        else {
            break;
        };
        let suppliers: Vec<usize> = (0..plants.len())
            .filter(|&f| {
                plants[f].makes(d.product) && geo.shipment_ok(plants[f].actor, d.buyer, d.end_user)
            })
            .collect();
        let Some(f) = rng.pick(&suppliers) else {
            continue;
        };
        let facility = FacilityId::new(f);
        if out
            .iter()
            .any(|c| c.facility == facility && c.buyer == d.buyer && c.product == d.product)
        {
            continue;
        }
        let share = rng.range(0.1, 0.35);
        let cost = plants[f]
            .lines
            .iter()
            .flat_map(|l| &l.products)
            .find(|lp| lp.product == d.product)
            .map_or(1.0, |lp| lp.cost);
        let buyer = crate::names::state(d.buyer.index()).0.to_lowercase();
        out.push(Contract {
            id: format!(
                "{}-to-{buyer}-{}",
                plants[f].id,
                products.list[d.product.index()].id
            ),
            facility,
            buyer: d.buyer,
            product: d.product,
            quantity: d.quantity.iter().map(|q| round(q * share, 0)).collect(),
            penalty: round(d.penalty * rng.range(0.05, 0.2), 0),
            price: round(cost * rng.range(1.5, 3.0), 0),
        });
    }
    out
}

/// Moves demands and contracts into `scenario`.
pub(crate) fn install(scenario: &mut Scenario, demands: Vec<Demand>, contracts: Vec<Contract>) {
    scenario.demands = demands;
    scenario.contracts = contracts;
}
