//! Products, plants, depots and lines: what can be made where, and how
//! much.

use caisson_model::{
    ActorId, Demand, Expansion, ExpansionId, Facility, FacilityId, Line, LineId, LineProduct,
    Product, ProductId, Scenario,
};

use crate::geo::{Geo, Role};
use crate::names::{self, Tier};
use crate::rng::{round, Rng};

/// The generated products with what the generator needs to know of them.
pub(crate) struct Products {
    /// In file order: raw materials, then components, then finished goods.
    pub list: Vec<Product>,
    /// Tier of each product.
    pub tier: Vec<Tier>,
    /// Production cost per unit on a line (inputs excluded).
    pub cost: Vec<f64>,
    /// Cost of one unit including its inputs: what a shortage should cost
    /// several times over.
    pub value: Vec<f64>,
}

impl Products {
    pub(crate) fn of_tier(&self, tier: Tier) -> Vec<ProductId> {
        (0..self.list.len())
            .filter(|&p| self.tier[p] == tier)
            .map(ProductId::new)
            .collect()
    }
}

/// What a facility is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Makes raw materials.
    Raw,
    /// Makes components.
    Parts,
    /// Assembles finished goods.
    Assembly,
    /// Holds finished goods; no line.
    Depot,
}

/// A facility before it becomes a model `Facility`.
pub(crate) struct Plant {
    pub id: String,
    pub name: String,
    pub actor: ActorId,
    pub kind: Kind,
    pub holding_cost: f64,
    pub lines: Vec<LinePlan>,
}

impl Plant {
    pub(crate) fn makes(&self, p: ProductId) -> bool {
        self.lines
            .iter()
            .any(|l| l.products.iter().any(|lp| lp.product == p))
    }
}

/// A line before it becomes a model `Line`.
pub(crate) struct LinePlan {
    pub id: String,
    pub products: Vec<LineProduct>,
    /// Capacity per period (empty until sized).
    pub capacity: Vec<f64>,
    /// Capacity over planned load (set when sized): below 1, the line is a
    /// bottleneck.
    pub slack: f64,
}

/// An expansion of line `line` (an index into its plant's lines).
pub(crate) struct ExpansionPlan {
    pub facility: usize,
    pub line: usize,
    pub expansion: Expansion,
}

/// `count` (>= 3) products in three tiers: a fifth raw materials, three
/// tenths components made of one or two raw materials, the rest finished
/// goods made of one to three components and sometimes a raw material
/// directly (a filling). Inputs always point to a lower tier, so the
/// bill of materials is acyclic.
pub(crate) fn products(rng: &mut Rng, count: usize) -> Products {
    let raw = ((count as f64 * 0.2).round() as usize).max(1);
    let components = ((count as f64 * 0.3).round() as usize).max(1);
    let finished = count.saturating_sub(raw + components).max(1);
    let mut out = Products {
        list: Vec::new(),
        tier: Vec::new(),
        cost: Vec::new(),
        value: Vec::new(),
    };
    for (tier, n) in [
        (Tier::Raw, raw),
        (Tier::Component, components),
        (Tier::Finished, finished),
    ] {
        let below: Vec<ProductId> = (0..out.list.len()).map(ProductId::new).collect();
        let raws: Vec<ProductId> = below
            .iter()
            .copied()
            .filter(|p| out.tier[p.index()] == Tier::Raw)
            .collect();
        let parts: Vec<ProductId> = below
            .iter()
            .copied()
            .filter(|p| out.tier[p.index()] == Tier::Component)
            .collect();
        for i in 0..n {
            let (id, name, unit) = names::product(tier, i);
            let mut inputs: Vec<(ProductId, f64)> = Vec::new();
            let mut add = |p: Option<ProductId>, q: f64| {
                if let Some(p) = p {
                    if !inputs.iter().any(|&(x, _)| x == p) {
                        inputs.push((p, q));
                    }
                }
            };
            let cost = match tier {
                Tier::Raw => round(rng.range(200.0, 2000.0), 0),
                Tier::Component => {
                    for _ in 0..rng.between(1, 2) {
                        add(rng.pick(&raws), round(rng.range(0.05, 1.5), 3));
                    }
                    round(rng.range(20.0, 400.0), 0)
                }
                Tier::Finished => {
                    for _ in 0..rng.between(1, 3) {
                        add(rng.pick(&parts), rng.between(1, 3) as f64);
                    }
                    if rng.chance(0.4) {
                        add(rng.pick(&raws), round(rng.range(0.001, 0.02), 4));
                    }
                    round(rng.range(100.0, 3000.0), 0)
                }
            };
            let value = cost
                + inputs
                    .iter()
                    .map(|&(p, q)| q * out.value[p.index()])
                    .sum::<f64>();
            out.list.push(Product {
                id,
                name,
                unit,
                inputs,
                att_category: None,
            });
            out.tier.push(tier);
            out.cost.push(cost);
            out.value.push(value);
        }
    }
    out
}

/// `count` (>= 3) facilities: raw-material plants, parts plants, assembly
/// plants and depots, spread over the states; every product is made by at
/// least one plant (outside the aggressor's camp, for finished goods).
pub(crate) fn facilities(
    rng: &mut Rng,
    geo: &Geo,
    products: &Products,
    count: usize,
) -> Vec<Plant> {
    let raw = ((count as f64 * 0.18).round() as usize).max(1);
    let parts = ((count as f64 * 0.25).round() as usize).max(1);
    let depots = if count >= 6 {
        (count as f64 * 0.12).round() as usize
    } else {
        0
    };
    let assembly = count.saturating_sub(raw + parts + depots).max(1);

    // Assembly: the aggressor makes its own, a neutral makes something the
    // defender would like to buy (a denial), the defender has a plant.
    let mut assembly_actors = vec![geo.first(Role::Aggressor)];
    let fixed = [
        geo.with_role(Role::Neutral).first().copied(),
        Some(geo.first(Role::Defender)),
        rng.pick(&geo.with_role(Role::Alliance)),
    ];
    assembly_actors.extend(fixed.into_iter().flatten());
    assembly_actors.truncate(assembly);
    while assembly_actors.len() < assembly {
        assembly_actors.push(weighted_actor(rng, geo, &[4, 1, 1, 2, 1]));
    }
    let mut plants = Vec::new();
    let mut counter = vec![[0usize; 4]; geo.actors()];
    let mut push = |plants: &mut Vec<Plant>, rng: &mut Rng, actor: ActorId, kind: Kind| {
        let k = kind as usize;
        counter[actor.index()][k] += 1;
        let n = counter[actor.index()][k];
        let (state_id, state_name) = names::state(actor.index());
        let (slug, noun) = match kind {
            Kind::Raw => ("raw", "materials plant"),
            Kind::Parts => ("parts", "parts plant"),
            Kind::Assembly => ("plant", "assembly plant"),
            Kind::Depot => ("depot", "depot"),
        };
        plants.push(Plant {
            id: format!("{}-{slug}-{n}", state_id.to_lowercase()),
            name: format!("{state_name} {noun} {n}"),
            actor,
            kind,
            holding_cost: round(rng.range(0.0, 2.0), 1),
            lines: Vec::new(),
        });
    };
    for _ in 0..raw {
        let a = weighted_actor(rng, geo, &[4, 1, 2, 2, 1]);
        push(&mut plants, rng, a, Kind::Raw);
    }
    for _ in 0..parts {
        let a = weighted_actor(rng, geo, &[4, 1, 2, 2, 1]);
        push(&mut plants, rng, a, Kind::Parts);
    }
    for &a in &assembly_actors {
        push(&mut plants, rng, a, Kind::Assembly);
    }
    for _ in 0..depots {
        let a = rng.pick(&assembly_actors).unwrap_or(assembly_actors[0]);
        push(&mut plants, rng, a, Kind::Depot);
    }

    for (kind, tier, max_lines, max_products) in [
        (Kind::Raw, Tier::Raw, 1, 2),
        (Kind::Parts, Tier::Component, 2, 2),
        (Kind::Assembly, Tier::Finished, 2, 3),
    ] {
        let camp = |p: &Plant| !matches!(geo.roles[p.actor.index()], Role::Aggressor | Role::Pact);
        let of_kind: Vec<usize> = (0..plants.len())
            .filter(|&f| plants[f].kind == kind)
            .collect();
        // Coverage: every product of the tier by some plant, finished goods
        // by a plant outside the aggressor's camp.
        let coverers: Vec<usize> = if kind == Kind::Assembly {
            let free: Vec<usize> = of_kind
                .iter()
                .copied()
                .filter(|&f| camp(&plants[f]))
                .collect();
            if free.is_empty() {
                of_kind.clone()
            } else {
                free
            }
        } else {
            of_kind.clone()
        };
        for &f in &of_kind {
            for l in 0..rng.between(1, max_lines) {
                plants[f].lines.push(LinePlan {
                    id: format!("l{}", l + 1),
                    products: Vec::new(),
                    capacity: Vec::new(),
                    slack: 1.0,
                });
            }
        }
        let mut tier_products = products.of_tier(tier);
        rng.shuffle(&mut tier_products);
        for (j, &p) in tier_products.iter().enumerate() {
            let f = coverers[j % coverers.len()];
            add_product(rng, products, &mut plants[f], 0, p);
        }
        for &f in &of_kind {
            for l in 0..plants[f].lines.len() {
                let target = rng.between(1, max_products);
                for _ in 0..target {
                    if plants[f].lines[l].products.len() >= target {
                        break;
                    }
                    if let Some(p) = rng.pick(&tier_products) {
                        if !plants[f].makes(p) {
                            add_product(rng, products, &mut plants[f], l, p);
                        }
                    }
                }
            }
            // A line left without products (its picks were all taken)
            // is dropped; ids are renumbered to stay `l1`, `l2`, ...
            plants[f].lines.retain(|l| !l.products.is_empty());
            for (i, line) in plants[f].lines.iter_mut().enumerate() {
                line.id = format!("l{}", i + 1);
            }
        }
    }
    plants
}

/// A random actor, weighted by role: `weights` for alliance, defender,
/// neutral, aggressor and pact.
fn weighted_actor(rng: &mut Rng, geo: &Geo, weights: &[u32; 5]) -> ActorId {
    let weight = |r: Role| match r {
        Role::Alliance => weights[0],
        Role::Defender => weights[1],
        Role::Neutral => weights[2],
        Role::Aggressor => weights[3],
        Role::Pact => weights[4],
    };
    let total: u32 = geo.roles.iter().map(|&r| weight(r)).sum();
    let mut x = rng.below(total as usize) as u32;
    for (a, &r) in geo.roles.iter().enumerate() {
        if x < weight(r) {
            return ActorId::new(a);
        }
        x -= weight(r);
    }
    ActorId::new(0)
}

fn add_product(rng: &mut Rng, products: &Products, plant: &mut Plant, line: usize, p: ProductId) {
    if plant.makes(p) {
        return;
    }
    let rate = match products.tier[p.index()] {
        Tier::Raw => 1.0,
        Tier::Component => round(rng.range(0.5, 1.5), 1),
        Tier::Finished => round(rng.range(0.5, 2.5), 1),
    };
    let cost = round(products.cost[p.index()] * rng.range(0.8, 1.2), 0);
    plant.lines[line].products.push(LineProduct {
        product: p,
        rate,
        cost,
    });
}

/// Sizes every line from the demand it can legally serve, and returns the
/// planned throughput per (facility, product) in units per period.
///
/// Each demand's peak is split over the plants allowed to ship to it;
/// each plant's input needs are split over the plants allowed to transfer
/// to it (a plant with no legal supplier gets a line of its own for the
/// input: vertical integration, as sanctioned industries do). Capacity is
/// then the planned load times a random slack: below 1 on some assembly
/// lines, so that some demand goes short unless an expansion is taken.
pub(crate) fn size_lines(
    rng: &mut Rng,
    geo: &Geo,
    products: &Products,
    plants: &mut [Plant],
    demands: &[Demand],
    periods: usize,
) -> Vec<f64> {
    let np = products.list.len();
    let mut thr = vec![0.0; plants.len() * np];
    for d in demands {
        let peak = d.quantity.iter().copied().fold(0.0, f64::max);
        let servers: Vec<usize> = (0..plants.len())
            .filter(|&f| {
                plants[f].makes(d.product) && geo.shipment_ok(plants[f].actor, d.buyer, d.end_user)
            })
            .collect();
        for &f in &servers {
            thr[f * np + d.product.index()] += peak / servers.len() as f64;
        }
    }
    for tier in [Tier::Component, Tier::Raw] {
        for h in 0..plants.len() {
            let mut need = vec![0.0; np];
            for q in (0..np).filter(|&q| plants[h].makes(ProductId::new(q))) {
                for &(input, per_unit) in &products.list[q].inputs {
                    if products.tier[input.index()] == tier {
                        need[input.index()] += thr[h * np + q] * per_unit;
                    }
                }
            }
            for (c, &amount) in need.iter().enumerate().filter(|(_, &a)| a > 0.0) {
                let c = ProductId::new(c);
                let to = plants[h].actor;
                let mut suppliers: Vec<usize> = (0..plants.len())
                    .filter(|&g| plants[g].makes(c) && geo.transfer_ok(plants[g].actor, to))
                    .collect();
                if suppliers.is_empty() {
                    let line = plants[h].lines.len();
                    plants[h].lines.push(LinePlan {
                        id: format!("l{}", line + 1),
                        products: Vec::new(),
                        capacity: Vec::new(),
                        slack: 1.0,
                    });
                    add_product(rng, products, &mut plants[h], line, c);
                    suppliers.push(h);
                }
                for &g in &suppliers {
                    thr[g * np + c.index()] += amount / suppliers.len() as f64;
                }
            }
        }
    }
    for (f, plant) in plants.iter_mut().enumerate() {
        for line in &mut plant.lines {
            let tier = line
                .products
                .first()
                .map_or(Tier::Raw, |lp| products.tier[lp.product.index()]);
            let slack = match tier {
                Tier::Finished => rng.range(0.7, 1.25),
                Tier::Component => rng.range(0.9, 1.4),
                Tier::Raw => rng.range(1.0, 1.5),
            };
            let load: f64 = line
                .products
                .iter()
                .map(|lp| thr[f * np + lp.product.index()] * lp.rate)
                .sum();
            // A line nobody needs still gets a modest capacity: it is an
            // alternative the planner may use.
            let base = round((load * slack).max(20.0), 0);
            let mut capacity = vec![base; periods];
            if periods > 1 && rng.chance(0.35) {
                let from = rng.between(1, periods - 1);
                let raised = round(base * rng.range(1.1, 1.4), 0);
                capacity[from..].fill(raised);
            }
            line.capacity = capacity;
            line.slack = slack;
        }
    }
    thr
}

/// Initial stock: depots hold one or two finished goods made at home,
/// some assembly plants hold a buffer of one of their inputs.
pub(crate) fn stock(
    rng: &mut Rng,
    products: &Products,
    plants: &[Plant],
    demands: &[Demand],
    thr: &[f64],
) -> Vec<Vec<(ProductId, f64)>> {
    let np = products.list.len();
    let peak_demand = |p: ProductId| -> f64 {
        demands
            .iter()
            .filter(|d| d.product == p)
            .map(|d| d.quantity.iter().copied().fold(0.0, f64::max))
            .sum()
    };
    plants
        .iter()
        .enumerate()
        .map(|(f, plant)| {
            let mut stock: Vec<(ProductId, f64)> = Vec::new();
            match plant.kind {
                Kind::Depot => {
                    let domestic: Vec<ProductId> = products
                        .of_tier(Tier::Finished)
                        .into_iter()
                        .filter(|&p| plants.iter().any(|g| g.actor == plant.actor && g.makes(p)))
                        .collect();
                    let candidates = if domestic.is_empty() {
                        products.of_tier(Tier::Finished)
                    } else {
                        domestic
                    };
                    for _ in 0..rng.between(1, 2) {
                        if let Some(p) = rng.pick(&candidates) {
                            if !stock.iter().any(|&(x, _)| x == p) {
                                let q = round((peak_demand(p) * rng.range(0.3, 1.5)).max(100.0), 0);
                                stock.push((p, q));
                            }
                        }
                    }
                }
                Kind::Assembly if rng.chance(0.4) => {
                    let inputs: Vec<(ProductId, f64)> = (0..np)
                        .map(ProductId::new)
                        .filter(|&q| plant.makes(q))
                        .flat_map(|q| {
                            products.list[q.index()]
                                .inputs
                                .iter()
                                .map(move |&(c, per)| (c, per * thr[f * np + q.index()]))
                        })
                        .collect();
                    if let Some((c, per_period)) = rng.pick(&inputs) {
                        stock.push((c, round(per_period * rng.range(1.0, 3.0), 1)));
                    }
                }
                _ => {}
            }
            stock
        })
        .collect()
}

/// Ramp-up options on about a third of the lines, always including the
/// tightest assembly line (the likeliest bottleneck); most integer, some
/// fractional, priced so that those on short lines pay off.
pub(crate) fn expansions(
    rng: &mut Rng,
    plants: &[Plant],
    demands: &[Demand],
    periods: usize,
) -> Vec<ExpansionPlan> {
    let mean_penalty = demands.iter().map(|d| d.penalty).sum::<f64>() / demands.len().max(1) as f64;
    let mut out: Vec<ExpansionPlan> = Vec::new();
    let tightest = plants
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind == Kind::Assembly)
        .flat_map(|(f, p)| {
            p.lines
                .iter()
                .enumerate()
                .map(move |(l, line)| (f, l, line.slack))
        })
        .min_by(|a, b| a.2.total_cmp(&b.2))
        .map(|(f, l, _)| (f, l));
    for (f, plant) in plants.iter().enumerate() {
        for (l, line) in plant.lines.iter().enumerate() {
            let p = if plant.kind == Kind::Assembly {
                0.45
            } else {
                0.2
            };
            let is_tightest = Some((f, l)) == tightest;
            if is_tightest || rng.chance(p) {
                let mut e = expansion(rng, plants, demands, mean_penalty, f, l, line, periods);
                if is_tightest {
                    // Early and quick enough to matter within the horizon.
                    e.expansion.lead_time = e.expansion.lead_time.min(2);
                    e.expansion.window = Some((0, periods - 1));
                }
                out.push(e);
            }
        }
    }
    // At least one fractional option when there are two or more.
    if out.len() >= 2 && out.iter().all(|e| e.expansion.integer) {
        out[1].expansion.integer = false;
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn expansion(
    rng: &mut Rng,
    plants: &[Plant],
    demands: &[Demand],
    mean_penalty: f64,
    f: usize,
    l: usize,
    line: &LinePlan,
    periods: usize,
) -> ExpansionPlan {
    let base = line.capacity.first().copied().unwrap_or(20.0);
    let capacity = round((base * rng.range(0.2, 0.6)).max(5.0), 0);
    let lead_time = if periods > 1 {
        rng.between(1, (periods - 1).min(6))
    } else {
        0
    } as u32;
    let rate =
        line.products.iter().map(|lp| lp.rate).sum::<f64>() / line.products.len().max(1) as f64;
    let penalties: Vec<f64> = demands
        .iter()
        .filter(|d| line.products.iter().any(|lp| lp.product == d.product))
        .map(|d| d.penalty)
        .collect();
    // Upstream lines are valued at a fifth of the average shortage penalty.
    let penalty = if penalties.is_empty() {
        mean_penalty * 0.2
    } else {
        penalties.iter().sum::<f64>() / penalties.len() as f64
    };
    let capex = round(
        capacity / rate * penalty * periods as f64 * rng.range(0.01, 0.12) / 1000.0,
        0,
    ) * 1000.0;
    let window = if periods == 1 || rng.chance(0.6) {
        (0, periods - 1)
    } else {
        let earliest = rng.below(periods / 3 + 1).min(periods - 1);
        (earliest, rng.between(earliest, periods - 1))
    };
    ExpansionPlan {
        facility: f,
        line: l,
        expansion: Expansion {
            id: format!("{}-{}-x", plants[f].id, line.id),
            facility: FacilityId::new(f),
            line: LineId::new(0),
            capacity,
            lead_time,
            capex,
            window: Some(window),
            integer: rng.chance(0.7),
        },
    }
}

/// Moves products, facilities, lines and expansions into `scenario`,
/// grouping lines and expansions by facility as the model requires.
pub(crate) fn install(
    scenario: &mut Scenario,
    products: Products,
    plants: Vec<Plant>,
    stock: Vec<Vec<(ProductId, f64)>>,
    expansions: Vec<ExpansionPlan>,
) {
    scenario.products = products.list;
    let mut by_facility: Vec<Vec<ExpansionPlan>> = plants.iter().map(|_| Vec::new()).collect();
    for e in expansions {
        by_facility[e.facility].push(e);
    }
    for (f, ((plant, stock), plans)) in plants.into_iter().zip(stock).zip(by_facility).enumerate() {
        let first_line = scenario.lines.len();
        let mut facility = Facility {
            id: plant.id,
            name: plant.name,
            actor: plant.actor,
            holding_cost: plant.holding_cost,
            stock,
            lines: Vec::new(),
            expansions: Vec::new(),
        };
        for line in plant.lines {
            facility.lines.push(LineId::new(scenario.lines.len()));
            scenario.lines.push(Line {
                id: line.id,
                facility: FacilityId::new(f),
                capacity: line.capacity,
                products: line.products,
            });
        }
        for mut plan in plans {
            plan.expansion.line = LineId::new(first_line + plan.line);
            facility
                .expansions
                .push(ExpansionId::new(scenario.expansions.len()));
            scenario.expansions.push(plan.expansion);
        }
        scenario.facilities.push(facility);
    }
}
