//! Derivation of a [`Plan`] from raw flows: the records of spec section 6,
//! the cost split and the KPIs. Solver-independent, so any producer of
//! [`Flows`] (the MIP, a heuristic) gets identical bookkeeping.

use std::collections::HashMap;

use caisson_model::{ActorId, ContractId, FacilityId, ProductId, Scenario};

use crate::flows::{
    ExpansionFlow, Flows, ProductionFlow, ShipmentFlow, SolutionInfo, TransferFlow,
};
use crate::kpi;
use crate::network::Network;
use crate::plan::{
    ComplianceRecord, ContractRecord, CostSplit, DemandRecord, ExpansionRecord, Plan,
    ProductionRecord, ShipmentRecord, StockRecord, TransferComplianceRecord, TransferRecord,
};

/// Values within this of 0 are written as 0 (spec section 7).
pub const ZERO: f64 = 1e-9;
/// Derived stock, backlog and lost quantities this slightly negative are
/// solver round-off within the constraint tolerance and are written as 0.
const ROUND_OFF: f64 = 1e-6;

/// Writes values within [`ZERO`] of 0 as 0 (also turning -0.0 into 0).
pub fn clean(value: f64) -> f64 {
    if value.abs() <= ZERO {
        0.0
    } else {
        value
    }
}

/// Like [`clean`], and also writes round-off negatives of a quantity that
/// must be >= 0 as 0.
fn clean_nonneg(value: f64) -> f64 {
    if (-ROUND_OFF..0.0).contains(&value) {
        0.0
    } else {
        clean(value)
    }
}

/// Sorts `items` by `key` and sums the values of equal keys, dropping sums
/// that clean to 0.
fn merge<T, K: Ord + Copy>(
    items: &[T],
    key: impl Fn(&T) -> K,
    value: impl Fn(&T) -> f64,
) -> Vec<(K, f64)> {
    let mut keyed: Vec<(K, f64)> = items.iter().map(|i| (key(i), value(i))).collect();
    keyed.sort_by_key(|k| k.0);
    let mut merged: Vec<(K, f64)> = Vec::with_capacity(keyed.len());
    for (k, v) in keyed {
        match merged.last_mut() {
            Some((last, sum)) if *last == k => *sum += v,
            _ => merged.push((k, v)),
        }
    }
    merged.retain_mut(|(_, v)| {
        *v = clean(*v);
        *v != 0.0
    });
    merged
}

impl Plan {
    /// The primary decisions behind the plan's records: the way back of
    /// [`Plan::from_flows`] (records out of the same flows give the same
    /// plan; stock, demand and contract records follow from these).
    pub fn flows(&self) -> Flows {
        Flows {
            production: self
                .production
                .iter()
                .map(|r| ProductionFlow {
                    line: r.line,
                    product: r.product,
                    period: r.period,
                    quantity: r.quantity,
                })
                .collect(),
            shipments: self
                .shipments
                .iter()
                .map(|r| ShipmentFlow {
                    facility: r.facility,
                    demand: r.demand,
                    period: r.period,
                    quantity: r.quantity,
                })
                .collect(),
            transfers: self
                .transfers
                .iter()
                .map(|r| TransferFlow {
                    from: r.from,
                    to: r.to,
                    product: r.product,
                    period: r.period,
                    quantity: r.quantity,
                })
                .collect(),
            expansions: self
                .expansions
                .iter()
                .map(|r| ExpansionFlow {
                    expansion: r.expansion,
                    period: r.decided,
                    fraction: r.fraction,
                })
                .collect(),
        }
    }

    /// How the run behind this plan ended, to derive another plan from its
    /// flows with (an unknown gap as infinite).
    pub fn solution_info(&self) -> SolutionInfo {
        SolutionInfo {
            status: self.status,
            method: self.method.clone(),
            mip_gap: self.mip_gap.unwrap_or(f64::INFINITY),
        }
    }

    /// Derives a complete plan from primary decisions: production, shipment,
    /// transfer and expansion records (one per key, summed), stock, demand
    /// and contract records through the equations of spec section 4, the
    /// cost split, the objective (the split's sum), compliance records and
    /// KPIs. `model` and `capacity_duals` are left empty for the caller.
    ///
    /// The flows are not checked against the rules: a flow on a denied pair
    /// or a shipment arriving after the horizon is recorded as given (an
    /// arrival after the horizon delivers nothing). Run [`crate::verify`] on
    /// the result to check a producer.
    pub fn from_flows(scenario: &Scenario, flows: &Flows, info: SolutionInfo) -> Plan {
        let network = Network::new(scenario);
        Self::from_flows_with(scenario, &network, flows, info)
    }

    /// [`Plan::from_flows`] with the scenario's allowed-flow structure
    /// already computed (a solver that built it for its model reuses it).
    pub fn from_flows_with(
        scenario: &Scenario,
        network: &Network,
        flows: &Flows,
        info: SolutionInfo,
    ) -> Plan {
        let n = scenario.periods();
        let products = scenario.products.len();
        let mut cost = CostSplit::default();

        // Compact index of held (facility, product) pairs for stock sums.
        let mut held_index = vec![u32::MAX; scenario.facilities.len() * products];
        let mut held_pairs: Vec<(FacilityId, ProductId)> = Vec::new();
        for f in 0..scenario.facilities.len() {
            let f = FacilityId::new(f);
            for p in network.held.products_at(f) {
                held_index[f.index() * products + p.index()] = held_pairs.len() as u32;
                held_pairs.push((f, p));
            }
        }
        let slot = |f: FacilityId, p: ProductId, t: usize| -> Option<usize> {
            let k = *held_index.get(f.index() * products + p.index())?;
            (k != u32::MAX && t < n).then(|| k as usize * n + t)
        };
        let mut net = vec![0.0; held_pairs.len() * n];

        let production: Vec<ProductionRecord> = merge(
            &flows.production,
            |x| (x.line, x.product, x.period),
            |x| x.quantity,
        )
        .into_iter()
        .map(|((line, product, period), quantity)| {
            let facility = scenario.lines[line.index()].facility;
            let made = scenario.lines[line.index()]
                .products
                .iter()
                .find(|lp| lp.product == product);
            cost.production += made.map_or(0.0, |lp| lp.cost) * quantity;
            if let Some(s) = slot(facility, product, period) {
                net[s] += quantity;
            }
            for &(input, per_unit) in &scenario.products[product.index()].inputs {
                if let Some(s) = slot(facility, input, period) {
                    net[s] -= per_unit * quantity;
                }
            }
            ProductionRecord {
                facility,
                line,
                product,
                period,
                quantity,
            }
        })
        .collect();

        let contract_of: HashMap<(FacilityId, ActorId, ProductId), ContractId> = scenario
            .contracts
            .iter()
            .enumerate()
            .map(|(c, k)| ((k.facility, k.buyer, k.product), ContractId::new(c)))
            .collect();
        let mut delivered = vec![0.0; scenario.demands.len() * n];
        let mut shipped = vec![0.0; scenario.contracts.len() * n];
        let shipments: Vec<ShipmentRecord> = merge(
            &flows.shipments,
            |z| (z.facility, z.demand, z.period),
            |z| z.quantity,
        )
        .into_iter()
        .map(|((facility, demand, period), quantity)| {
            let d = &scenario.demands[demand.index()];
            let (lead, unit_cost) =
                scenario.route(scenario.facilities[facility.index()].actor, d.buyer);
            let arrival = period + lead as usize;
            cost.transport += unit_cost * quantity;
            if let Some(s) = slot(facility, d.product, period) {
                net[s] -= quantity;
            }
            if arrival < n {
                delivered[demand.index() * n + arrival] += quantity;
            }
            if let Some(c) = contract_of.get(&(facility, d.buyer, d.product)) {
                if period < n {
                    shipped[c.index() * n + period] += quantity;
                }
            }
            ShipmentRecord {
                facility,
                demand,
                product: d.product,
                period,
                arrival,
                quantity,
            }
        })
        .collect();

        let transfers: Vec<TransferRecord> = merge(
            &flows.transfers,
            |w| (w.from, w.to, w.product, w.period),
            |w| w.quantity,
        )
        .into_iter()
        .map(|((from, to, product, period), quantity)| {
            let (lead, unit_cost) = scenario.route(
                scenario.facilities[from.index()].actor,
                scenario.facilities[to.index()].actor,
            );
            let arrival = period + lead as usize;
            cost.transport += unit_cost * quantity;
            if let Some(s) = slot(from, product, period) {
                net[s] -= quantity;
            }
            if let Some(s) = slot(to, product, arrival) {
                net[s] += quantity;
            }
            TransferRecord {
                from,
                to,
                product,
                period,
                arrival,
                quantity,
            }
        })
        .collect();

        let expansions: Vec<ExpansionRecord> = merge(
            &flows.expansions,
            |y| (y.expansion, y.period),
            |y| y.fraction,
        )
        .into_iter()
        .filter_map(|((expansion, decided), fraction)| {
            let e = &scenario.expansions[expansion.index()];
            // Integer decisions are written as exactly 0 or 1 (spec section 7).
            let fraction = if e.integer && (fraction - fraction.round()).abs() <= ROUND_OFF {
                fraction.round()
            } else {
                fraction
            };
            cost.capex += e.capex * fraction;
            (fraction != 0.0).then_some(ExpansionRecord {
                expansion,
                facility: e.facility,
                line: e.line,
                decided,
                available: decided + e.lead_time as usize,
                fraction,
            })
        })
        .collect();

        // Stock: s[t] = s[t-1] + net[t], from the initial stock.
        let mut stock = Vec::new();
        for (k, &(f, p)) in held_pairs.iter().enumerate() {
            let facility = &scenario.facilities[f.index()];
            let mut level: f64 = facility
                .stock
                .iter()
                .filter(|(q, _)| *q == p)
                .map(|(_, v)| v)
                .sum();
            for t in 0..n {
                level += net[k * n + t];
                let quantity = clean_nonneg(level);
                cost.holding += facility.holding_cost * quantity;
                if quantity != 0.0 {
                    stock.push(StockRecord {
                        facility: f,
                        product: p,
                        period: t,
                        quantity,
                    });
                }
            }
        }
        // Stock records come out by (facility, product, period) already.

        let mut demand = Vec::new();
        for (d, dem) in scenario.demands.iter().enumerate() {
            let mut backlog_raw = 0.0;
            for t in 0..n {
                let required = dem.quantity[t];
                let arrived = clean(delivered[d * n + t]);
                let (backlog, lost) = if dem.backlog {
                    backlog_raw += required - arrived;
                    (clean_nonneg(backlog_raw), 0.0)
                } else {
                    (0.0, clean_nonneg(required - arrived))
                };
                cost.shortage += dem.penalty * (backlog + lost);
                if required != 0.0 || arrived != 0.0 || backlog != 0.0 || lost != 0.0 {
                    demand.push(DemandRecord {
                        demand: caisson_model::DemandId::new(d),
                        period: t,
                        required,
                        delivered: arrived,
                        backlog,
                        lost,
                    });
                }
            }
        }

        let mut contracts = Vec::new();
        for (c, k) in scenario.contracts.iter().enumerate() {
            let (lead, _) = scenario.route(scenario.facilities[k.facility.index()].actor, k.buyer);
            for t in 0..n.saturating_sub(lead as usize) {
                let committed = k.quantity[t];
                let sent = clean(shipped[c * n + t]);
                let shortfall = clean((committed - sent).max(0.0));
                cost.contract += k.penalty * shortfall;
                if committed != 0.0 || sent != 0.0 {
                    contracts.push(ContractRecord {
                        contract: ContractId::new(c),
                        period: t,
                        committed,
                        shipped: sent,
                        shortfall,
                    });
                }
            }
        }

        let compliance = network
            .ship_pairs
            .iter()
            .map(|pair| ComplianceRecord {
                facility: pair.facility,
                demand: pair.demand,
                verdict: pair.verdict,
            })
            .collect();
        let transfer_compliance = network
            .transfer_pairs
            .iter()
            .map(|pair| TransferComplianceRecord {
                from: pair.from,
                to: pair.to,
                verdict: pair.verdict,
            })
            .collect();

        let kpis = kpi::compute(scenario, &shipments, &demand);
        let cost = CostSplit {
            shortage: clean(cost.shortage),
            production: clean(cost.production),
            transport: clean(cost.transport),
            holding: clean(cost.holding),
            capex: clean(cost.capex),
            contract: clean(cost.contract),
        };
        Plan {
            status: info.status,
            method: info.method,
            objective: Some(clean(cost.total())),
            mip_gap: Some(clean(info.mip_gap)),
            cost: Some(cost),
            message: None,
            production,
            shipments,
            transfers,
            stock,
            expansions,
            demand,
            contracts,
            compliance,
            transfer_compliance,
            kpis,
            model: None,
            capacity_duals: None,
        }
    }
}
