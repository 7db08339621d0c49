//! Which flows the model allows (spec sections 3 and 4), computed once per
//! scenario and shared by the model builder (`caisson-planner`), the plan
//! derivation and the greedy baseline.

use caisson_compliance::Verdict;
use caisson_model::{ActorId, DemandId, FacilityId, Held, ProductId, Scenario};

/// In which departure periods a pair may carry goods: its compliance
/// verdict in that period (time-windowed policies) and its route's window
/// (`docs/windows.md`). Without windows a pair is open always or never.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Open {
    /// In every period.
    Always,
    /// In no period (denied).
    Never,
    /// In the periods marked `true` (one entry per period of the horizon).
    Periods(Vec<bool>),
}

impl Open {
    /// Whether goods may leave in period `t`.
    pub fn at(&self, t: usize) -> bool {
        match self {
            Open::Always => true,
            Open::Never => false,
            Open::Periods(open) => open.get(t).copied().unwrap_or(false),
        }
    }

    /// Whether goods may leave in some period.
    pub fn somewhere(&self) -> bool {
        match self {
            Open::Always => true,
            Open::Never => false,
            Open::Periods(open) => open.iter().any(|&o| o),
        }
    }

    /// Whether goods may leave in every period.
    pub fn always(&self) -> bool {
        match self {
            Open::Always => true,
            Open::Never => false,
            Open::Periods(open) => open.iter().all(|&o| o),
        }
    }

    /// The open periods of shipments from `facility` to `demand`.
    pub fn of_shipment(scenario: &Scenario, facility: FacilityId, demand: DemandId) -> Self {
        let exporter = scenario.facilities[facility.index()].actor;
        let buyer = scenario.demands[demand.index()].buyer;
        let verdict = caisson_compliance::shipment(scenario, facility, demand);
        let by_period = caisson_compliance::by_period(scenario, |t| {
            caisson_compliance::shipment_at(scenario, facility, demand, t)
        });
        Self::of(scenario, exporter, buyer, verdict, by_period.as_deref())
    }

    /// The open periods of transfers from facility `from` to `to`.
    pub fn of_transfer(scenario: &Scenario, from: FacilityId, to: FacilityId) -> Self {
        let (a, b) = (
            scenario.facilities[from.index()].actor,
            scenario.facilities[to.index()].actor,
        );
        let verdict = caisson_compliance::transfer(scenario, from, to);
        let by_period = caisson_compliance::by_period(scenario, |t| {
            caisson_compliance::transfer_at(scenario, from, to, t)
        });
        Self::of(scenario, a, b, verdict, by_period.as_deref())
    }

    /// The open periods as runs of labels (`"2025-01..2025-03, 2025-07"`),
    /// when open in some periods only; `None` when always or never open.
    pub fn describe(&self, calendar: &caisson_model::Calendar) -> Option<String> {
        let Open::Periods(open) = self else {
            return None;
        };
        let mut runs = Vec::new();
        let mut t = 0;
        while t < open.len() {
            if !open[t] {
                t += 1;
                continue;
            }
            let first = t;
            while t + 1 < open.len() && open[t + 1] {
                t += 1;
            }
            runs.push(if first == t {
                calendar.label(first)
            } else {
                format!("{}..{}", calendar.label(first), calendar.label(t))
            });
            t += 1;
        }
        Some(runs.join(", "))
    }

    /// The periods of a flow between actors `from` and `to` whose verdict
    /// is `verdict` (the verdict in every period, `docs/windows.md`) or, per
    /// period, `by_period`.
    pub fn of(
        scenario: &Scenario,
        from: ActorId,
        to: ActorId,
        verdict: Verdict,
        by_period: Option<&[Verdict]>,
    ) -> Self {
        let routed = scenario
            .routes
            .iter()
            .any(|r| r.from == from && r.to == to && r.window.is_some());
        if by_period.is_none() && !routed {
            return if verdict.is_allowed() {
                Open::Always
            } else {
                Open::Never
            };
        }
        let open: Vec<bool> = (0..scenario.periods())
            .map(|t| {
                let allowed = by_period.map_or(verdict.is_allowed(), |v| v[t].is_allowed());
                allowed && scenario.route_open(from, to, t)
            })
            .collect();
        if open.iter().all(|&o| o) {
            Open::Always
        } else if open.iter().all(|&o| !o) {
            Open::Never
        } else {
            Open::Periods(open)
        }
    }
}

/// A (facility, demand) pair where the facility holds the demand's product.
#[derive(Debug, Clone, PartialEq)]
pub struct ShipPair {
    /// The shipping facility.
    pub facility: FacilityId,
    /// The demand.
    pub demand: DemandId,
    /// Whether shipments on the pair are allowed in every period, and why
    /// not (the first denial of a policy binding in some period).
    pub verdict: Verdict,
    /// The verdict per departure period, when it differs between periods.
    pub by_period: Option<Vec<Verdict>>,
    /// The departure periods in which shipments may leave (the verdict
    /// and the route's window together).
    pub open: Open,
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
    /// Whether transfers on the pair are allowed in every period, and why
    /// not.
    pub verdict: Verdict,
    /// The verdict per departure period, when it differs between periods.
    pub by_period: Option<Vec<Verdict>>,
    /// The departure periods in which transfers may leave.
    pub open: Open,
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
                let verdict = caisson_compliance::shipment(scenario, f, d);
                let by_period = caisson_compliance::by_period(scenario, |t| {
                    caisson_compliance::shipment_at(scenario, f, d, t)
                });
                let open = Open::of(
                    scenario,
                    facility.actor,
                    demand.buyer,
                    verdict,
                    by_period.as_deref(),
                );
                ship_pairs.push(ShipPair {
                    facility: f,
                    demand: d,
                    verdict,
                    by_period,
                    open,
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
                let verdict = caisson_compliance::transfer(scenario, g, h);
                let by_period = caisson_compliance::by_period(scenario, |t| {
                    caisson_compliance::transfer_at(scenario, g, h, t)
                });
                let open = Open::of(scenario, g_actor, h_actor, verdict, by_period.as_deref());
                transfer_pairs.push(TransferPair {
                    from: g,
                    to: h,
                    verdict,
                    by_period,
                    open,
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
