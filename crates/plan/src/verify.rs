//! An independent check of a plan against every constraint of spec
//! section 4, from the plan's records alone.
//!
//! Deliberately shares no code with the model builder or the plan
//! derivation: it recomputes from the scenario and the compliance rules, so
//! a bug in either shows up here instead of being checked against itself.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use caisson_model::{ActorId, FacilityId, Held, ProductId, Scenario};

use crate::document::RecordRef;
use crate::plan::{CostSplit, Plan};

/// One violated rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// The rule, e.g. `"capacity"`, `"stock balance"`, `"compliance"`.
    pub constraint: &'static str,
    /// The records the violation is about, by their position in the plan's
    /// arrays (which is their position in its document): the offending
    /// record, every record a violated sum adds up (a line's production in
    /// a period), or the record that states a wrong result (a stock or
    /// demand record). Empty when no record exists to point at (a missing
    /// demand record); `cost` for the cost split.
    pub records: Vec<RecordRef>,
    /// What is wrong, with ids and period labels.
    pub detail: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, record) in self.records.iter().enumerate() {
            let separator = if i == 0 { "" } else { ", " };
            write!(f, "{separator}{record}")?;
        }
        if !self.records.is_empty() {
            f.write_str(": ")?;
        }
        write!(f, "{}: {}", self.constraint, self.detail)
    }
}

/// The tolerance of spec section 7: 1e-6 relative, absolute below 1.
fn tol(a: f64, b: f64) -> f64 {
    1e-6 * a.abs().max(b.abs()).max(1.0)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= tol(a, b)
}

struct Checker<'a> {
    s: &'a Scenario,
    out: Vec<Violation>,
}

impl Checker<'_> {
    fn fail(&mut self, constraint: &'static str, detail: String) {
        self.fail_at(Vec::new(), constraint, detail);
    }

    fn fail_at(&mut self, records: Vec<RecordRef>, constraint: &'static str, detail: String) {
        self.out.push(Violation {
            constraint,
            records,
            detail,
        });
    }

    fn label(&self, t: usize) -> String {
        self.s.calendar.label(t)
    }

    fn nonneg(&mut self, at: &[RecordRef], what: &str, value: f64) {
        if value < -tol(value, 0.0) || !value.is_finite() {
            self.fail_at(at.to_vec(), "nonnegativity", format!("{what} is {value}"));
        }
    }

    /// Reports every record whose key an earlier record of `array` has.
    fn unique<K: Eq + Hash>(&mut self, array: &'static str, keys: impl Iterator<Item = K>) {
        let mut first = HashMap::new();
        for (i, key) in keys.enumerate() {
            if let Some(&earlier) = first.get(&key) {
                self.fail_at(
                    vec![RecordRef::at(array, i)],
                    "record",
                    format!("same key as {array}[{earlier}] (one record per key)"),
                );
            } else {
                first.insert(key, i);
            }
        }
    }

    fn in_horizon(&mut self, at: RecordRef, what: &str, t: usize) -> bool {
        let ok = t < self.s.periods();
        if !ok {
            self.fail_at(
                vec![at],
                "horizon",
                format!("{what} in period {} beyond the horizon", self.label(t)),
            );
        }
        ok
    }
}

/// Checks `plan` against `scenario` and returns every violation found
/// (empty when the plan is feasible and its cost split and objective agree
/// with its records). A plan without a solution must have no objective, no
/// cost and empty arrays.
pub fn verify(scenario: &Scenario, plan: &Plan) -> Vec<Violation> {
    let mut c = Checker {
        s: scenario,
        out: Vec::new(),
    };
    if !plan.status.has_solution() {
        let empty = plan.production.is_empty()
            && plan.shipments.is_empty()
            && plan.transfers.is_empty()
            && plan.stock.is_empty()
            && plan.expansions.is_empty()
            && plan.demand.is_empty()
            && plan.contracts.is_empty()
            && plan.compliance.is_empty()
            && plan.transfer_compliance.is_empty();
        if !empty || plan.objective.is_some() || plan.cost.is_some() || plan.mip_gap.is_some() {
            c.fail(
                "record",
                format!(
                    "a plan with status {} carries a solution",
                    plan.status.name()
                ),
            );
        }
        return c.out;
    }
    let s = scenario;
    let n = s.periods();
    let held = Held::new(s);
    let mut cost = CostSplit::default();
    let products = s.products.len();
    // Net stock change per (facility, product, period), dense.
    let cell = |f: FacilityId, p: ProductId, t: usize| (f.index() * products + p.index()) * n + t;
    let mut net = vec![0.0; s.facilities.len() * products * n];
    let mut usage = vec![0.0; s.lines.len() * n];
    let mut extra = vec![0.0; s.lines.len() * n];
    let mut delivered = vec![0.0; s.demands.len() * n];
    let mut shipped: HashMap<(FacilityId, caisson_model::ActorId, ProductId, usize), f64> =
        HashMap::new();

    c.unique(
        "production",
        plan.production
            .iter()
            .map(|r| (r.line, r.product, r.period)),
    );
    // The production records of each (line, period), for capacity.
    let mut made_on: HashMap<(usize, usize), Vec<RecordRef>> = HashMap::new();
    for (i, r) in plan.production.iter().enumerate() {
        let at = [RecordRef::at("production", i)];
        let line = &s.lines[r.line.index()];
        let what = format!(
            "production of {} on {}/{}",
            s.products[r.product.index()].id,
            s.facilities[line.facility.index()].id,
            line.id
        );
        if !c.in_horizon(at[0], &what, r.period) {
            continue;
        }
        c.nonneg(&at, &what, r.quantity);
        if r.facility != line.facility {
            c.fail_at(
                at.to_vec(),
                "record",
                format!("{what}: facility does not own the line"),
            );
        }
        let Some(lp) = line.products.iter().find(|lp| lp.product == r.product) else {
            c.fail_at(
                at.to_vec(),
                "record",
                format!("{what}: the line does not make the product"),
            );
            continue;
        };
        made_on
            .entry((r.line.index(), r.period))
            .or_default()
            .push(at[0]);
        usage[r.line.index() * n + r.period] += lp.rate * r.quantity;
        cost.production += lp.cost * r.quantity;
        net[cell(line.facility, r.product, r.period)] += r.quantity;
        for &(input, per_unit) in &s.products[r.product.index()].inputs {
            net[cell(line.facility, input, r.period)] -= per_unit * r.quantity;
        }
    }

    c.unique(
        "expansions",
        plan.expansions.iter().map(|r| (r.expansion, r.decided)),
    );
    let mut taken = vec![0.0; s.expansions.len()];
    let mut taken_by: Vec<Vec<RecordRef>> = vec![Vec::new(); s.expansions.len()];
    for (i, r) in plan.expansions.iter().enumerate() {
        let at = vec![RecordRef::at("expansions", i)];
        let e = &s.expansions[r.expansion.index()];
        let what = format!("expansion {} decided {}", e.id, c.label(r.decided));
        match e.window {
            Some((first, last)) if (first..=last).contains(&r.decided) => {}
            _ => c.fail_at(
                at.clone(),
                "expansion window",
                format!("{what} outside its window"),
            ),
        }
        if r.facility != e.facility
            || r.line != e.line
            || r.available != r.decided + e.lead_time as usize
        {
            c.fail_at(
                at.clone(),
                "record",
                format!("{what}: facility, line or availability wrong"),
            );
        }
        if !(0.0..=1.0).contains(&r.fraction)
            || (e.integer && r.fraction != 0.0 && r.fraction != 1.0)
        {
            c.fail_at(
                at.clone(),
                "expansion fraction",
                format!("{what}: fraction {}", r.fraction),
            );
        }
        taken[r.expansion.index()] += r.fraction;
        taken_by[r.expansion.index()].extend(at);
        cost.capex += e.capex * r.fraction;
        for t in r.available.min(n)..n {
            extra[e.line.index() * n + t] += e.capacity * r.fraction;
        }
    }
    for (e, &sum) in taken.iter().enumerate() {
        if sum > 1.0 + tol(sum, 1.0) {
            c.fail_at(
                taken_by[e].clone(),
                "expansion once",
                format!("expansion {} taken {sum} times", s.expansions[e].id),
            );
        }
    }
    for (l, line) in s.lines.iter().enumerate() {
        for t in 0..n {
            let (used, cap) = (usage[l * n + t], line.capacity[t] + extra[l * n + t]);
            if used > cap + tol(used, cap) {
                let f = &s.facilities[line.facility.index()].id;
                c.fail_at(
                    made_on.get(&(l, t)).cloned().unwrap_or_default(),
                    "capacity",
                    format!("{f}/{} in {}: uses {used} of {cap}", line.id, c.label(t)),
                );
            }
        }
    }

    c.unique(
        "shipments",
        plan.shipments
            .iter()
            .map(|r| (r.facility, r.demand, r.period)),
    );
    for (i, r) in plan.shipments.iter().enumerate() {
        let at = [RecordRef::at("shipments", i)];
        let d = &s.demands[r.demand.index()];
        let f = &s.facilities[r.facility.index()];
        let what = format!(
            "shipment {} -> {} leaving {}",
            f.id,
            d.id,
            c.label(r.period)
        );
        if !c.in_horizon(at[0], &what, r.period) {
            continue;
        }
        c.nonneg(&at, &what, r.quantity);
        let (lead, unit_cost) = s.route(f.actor, d.buyer);
        if r.product != d.product || !held.is_held(r.facility, d.product) {
            c.fail_at(
                at.to_vec(),
                "record",
                format!("{what}: product wrong or not held at the facility"),
            );
        }
        // Judged in its departure period (time-windowed policies and
        // routes, docs/windows.md).
        let verdict = caisson_compliance::shipment_at(s, r.facility, r.demand, r.period);
        if !verdict.is_allowed() {
            c.fail_at(
                at.to_vec(),
                "compliance",
                format!("{what}: the pair is denied ({})", verdict.reason(s)),
            );
        }
        if !s.route_open(f.actor, d.buyer, r.period) {
            c.fail_at(
                at.to_vec(),
                "route",
                format!(
                    "{what}: the route is closed in its departure period ({})",
                    route_window_text(s, f.actor, d.buyer)
                ),
            );
        }
        if r.arrival != r.period + lead as usize {
            c.fail_at(
                at.to_vec(),
                "lead time",
                format!(
                    "{what}: arrival {} is not departure + {lead}",
                    c.label(r.arrival)
                ),
            );
        }
        if r.arrival >= n {
            c.fail_at(
                at.to_vec(),
                "horizon",
                format!("{what}: arrives after the horizon"),
            );
        } else {
            delivered[r.demand.index() * n + r.arrival] += r.quantity;
        }
        cost.transport += unit_cost * r.quantity;
        net[cell(r.facility, d.product, r.period)] -= r.quantity;
        *shipped
            .entry((r.facility, d.buyer, d.product, r.period))
            .or_default() += r.quantity;
    }

    c.unique(
        "transfers",
        plan.transfers
            .iter()
            .map(|r| (r.from, r.to, r.product, r.period)),
    );
    for (i, r) in plan.transfers.iter().enumerate() {
        let at = [RecordRef::at("transfers", i)];
        let (g, h) = (&s.facilities[r.from.index()], &s.facilities[r.to.index()]);
        let what = format!(
            "transfer {} -> {} of {} leaving {}",
            g.id,
            h.id,
            s.products[r.product.index()].id,
            c.label(r.period)
        );
        if !c.in_horizon(at[0], &what, r.period) {
            continue;
        }
        c.nonneg(&at, &what, r.quantity);
        let qualifies = r.from != r.to
            && held.is_held(r.from, r.product)
            && (held.is_input_at(r.to, r.product)
                || (g.actor == h.actor && held.is_held(r.to, r.product)));
        if !qualifies {
            c.fail_at(
                at.to_vec(),
                "record",
                format!("{what}: the product does not qualify for this transfer"),
            );
        }
        let verdict = caisson_compliance::transfer_at(s, r.from, r.to, r.period);
        if !verdict.is_allowed() {
            c.fail_at(
                at.to_vec(),
                "compliance",
                format!("{what}: the pair is denied ({})", verdict.reason(s)),
            );
        }
        if !s.route_open(g.actor, h.actor, r.period) {
            c.fail_at(
                at.to_vec(),
                "route",
                format!(
                    "{what}: the route is closed in its departure period ({})",
                    route_window_text(s, g.actor, h.actor)
                ),
            );
        }
        let (lead, unit_cost) = s.route(g.actor, h.actor);
        if r.arrival != r.period + lead as usize {
            c.fail_at(
                at.to_vec(),
                "lead time",
                format!(
                    "{what}: arrival {} is not departure + {lead}",
                    c.label(r.arrival)
                ),
            );
        }
        cost.transport += unit_cost * r.quantity;
        net[cell(r.from, r.product, r.period)] -= r.quantity;
        if r.arrival >= n {
            c.fail_at(
                at.to_vec(),
                "horizon",
                format!("{what}: arrives after the horizon"),
            );
        } else {
            net[cell(r.to, r.product, r.arrival)] += r.quantity;
        }
    }

    c.unique(
        "stock",
        plan.stock.iter().map(|r| (r.facility, r.product, r.period)),
    );
    let mut level = vec![0.0; s.facilities.len() * products * n];
    let mut stock_record: HashMap<usize, RecordRef> = HashMap::new();
    for (i, r) in plan.stock.iter().enumerate() {
        let at = [RecordRef::at("stock", i)];
        let what = format!(
            "stock of {} at {}",
            s.products[r.product.index()].id,
            s.facilities[r.facility.index()].id
        );
        if !c.in_horizon(at[0], &what, r.period) {
            continue;
        }
        c.nonneg(&at, &what, r.quantity);
        if !held.is_held(r.facility, r.product) {
            c.fail_at(
                at.to_vec(),
                "record",
                format!("{what}: the product is not held there"),
            );
        }
        level[cell(r.facility, r.product, r.period)] += r.quantity;
        stock_record
            .entry(cell(r.facility, r.product, r.period))
            .or_insert(at[0]);
    }
    for (f, facility) in s.facilities.iter().enumerate() {
        let fid = FacilityId::new(f);
        for p in 0..products {
            let pid = ProductId::new(p);
            let initial: f64 = facility
                .stock
                .iter()
                .filter(|(q, _)| *q == pid)
                .map(|(_, v)| v)
                .sum();
            if !held.is_held(fid, pid) {
                // No stock variable: nothing may enter or leave.
                if (0..n).any(|t| net[cell(fid, pid, t)].abs() > tol(net[cell(fid, pid, t)], 0.0)) {
                    c.fail(
                        "stock balance",
                        format!(
                            "{} moves at {} where it is not held",
                            s.products[p].id, facility.id
                        ),
                    );
                }
                continue;
            }
            let mut previous = initial;
            for t in 0..n {
                let i = cell(fid, pid, t);
                let expected = previous + net[i];
                if !close(level[i], expected) {
                    c.fail_at(
                        stock_record.get(&i).copied().into_iter().collect(),
                        "stock balance",
                        format!(
                            "{} at {} in {}: stock {} but balance gives {expected}",
                            s.products[p].id,
                            facility.id,
                            c.label(t),
                            level[i]
                        ),
                    );
                }
                cost.holding += facility.holding_cost * level[i];
                previous = level[i];
            }
        }
    }

    c.unique("demand", plan.demand.iter().map(|r| (r.demand, r.period)));
    let mut demand_rows = vec![None; s.demands.len() * n];
    for (i, r) in plan.demand.iter().enumerate() {
        let what = format!("demand {}", s.demands[r.demand.index()].id);
        if c.in_horizon(RecordRef::at("demand", i), &what, r.period) {
            demand_rows[r.demand.index() * n + r.period].get_or_insert((i, *r));
        }
    }
    for (d, dem) in s.demands.iter().enumerate() {
        let mut previous = 0.0;
        for t in 0..n {
            let row = demand_rows[d * n + t];
            let (required, got, backlog, lost) = row.map_or((0.0, 0.0, 0.0, 0.0), |(_, r)| {
                (r.required, r.delivered, r.backlog, r.lost)
            });
            let at: Vec<RecordRef> = row
                .map(|(i, _)| RecordRef::at("demand", i))
                .into_iter()
                .collect();
            let what = format!("demand {} in {}", dem.id, c.label(t));
            if !close(required, dem.quantity[t]) {
                c.fail_at(
                    at.clone(),
                    "record",
                    format!(
                        "{what}: required {required}, scenario says {}",
                        dem.quantity[t]
                    ),
                );
            }
            if !close(got, delivered[d * n + t]) {
                c.fail_at(
                    at.clone(),
                    "record",
                    format!(
                        "{what}: delivered {got}, shipments give {}",
                        delivered[d * n + t]
                    ),
                );
            }
            c.nonneg(&at, &format!("{what} backlog"), backlog);
            c.nonneg(&at, &format!("{what} lost"), lost);
            let delivered_now = delivered[d * n + t];
            if dem.backlog {
                let expected = previous + dem.quantity[t] - delivered_now;
                if !close(backlog, expected) || lost != 0.0 {
                    c.fail_at(
                        at.clone(),
                        "backlog",
                        format!(
                            "{what}: backlog {backlog} (lost {lost}), equation gives {expected}"
                        ),
                    );
                }
                previous = backlog;
            } else {
                let expected = dem.quantity[t] - delivered_now;
                if !close(lost, expected) || backlog != 0.0 {
                    c.fail_at(
                        at.clone(),
                        "lost demand",
                        format!(
                            "{what}: lost {lost} (backlog {backlog}), equation gives {expected}"
                        ),
                    );
                }
            }
            cost.shortage += dem.penalty * (backlog + lost);
        }
    }

    c.unique(
        "contracts",
        plan.contracts.iter().map(|r| (r.contract, r.period)),
    );
    let mut contract_rows = vec![None; s.contracts.len() * n];
    for (i, r) in plan.contracts.iter().enumerate() {
        let what = format!("contract {}", s.contracts[r.contract.index()].id);
        if c.in_horizon(RecordRef::at("contracts", i), &what, r.period) {
            contract_rows[r.contract.index() * n + r.period].get_or_insert((i, *r));
        }
    }
    for (k, contract) in s.contracts.iter().enumerate() {
        let (lead, _) = s.route(
            s.facilities[contract.facility.index()].actor,
            contract.buyer,
        );
        for t in 0..n {
            let record = contract_rows[k * n + t];
            let at: Vec<RecordRef> = record
                .map(|(i, _)| RecordRef::at("contracts", i))
                .into_iter()
                .collect();
            let what = format!("contract {} in {}", contract.id, c.label(t));
            if t + lead as usize >= n {
                if record.is_some() {
                    c.fail_at(
                        at,
                        "contract",
                        format!("{what}: record outside the contract's periods in the plan"),
                    );
                }
                continue;
            }
            let (committed, sent, shortfall) = record.map_or((0.0, 0.0, 0.0), |(_, r)| {
                (r.committed, r.shipped, r.shortfall)
            });
            let actual = shipped
                .get(&(contract.facility, contract.buyer, contract.product, t))
                .copied()
                .unwrap_or(0.0);
            let expected = (contract.quantity[t] - actual).max(0.0);
            if !close(committed, contract.quantity[t])
                || !close(sent, actual)
                || !close(shortfall, expected)
            {
                c.fail_at(
                    at,
                    "contract",
                    format!("{what}: committed {committed}, shipped {sent}, shortfall {shortfall}; expected {}, {actual}, {expected}", contract.quantity[t]),
                );
            }
            cost.contract += contract.penalty * shortfall;
        }
    }

    let mut pairs = HashSet::new();
    for (i, r) in plan.compliance.iter().enumerate() {
        pairs.insert((r.facility, r.demand));
        if r.verdict != caisson_compliance::shipment(s, r.facility, r.demand) {
            c.fail_at(
                vec![RecordRef::at("compliance", i)],
                "compliance",
                format!(
                    "wrong verdict for {} -> {}",
                    s.facilities[r.facility.index()].id,
                    s.demands[r.demand.index()].id
                ),
            );
        }
    }
    let expected_pairs = (0..s.facilities.len())
        .flat_map(|f| {
            (0..s.demands.len()).map(move |d| (FacilityId::new(f), caisson_model::DemandId::new(d)))
        })
        .filter(|&(f, d)| held.is_held(f, s.demands[d.index()].product))
        .count();
    if pairs.len() != plan.compliance.len() || pairs.len() != expected_pairs {
        c.fail(
            "compliance",
            format!(
                "{} compliance records for {expected_pairs} held (facility, demand) pairs",
                plan.compliance.len()
            ),
        );
    }

    let cost_field = || vec![RecordRef::field("cost")];
    match plan.cost {
        None => c.fail_at(
            cost_field(),
            "cost",
            "a plan with a solution has no cost split".to_owned(),
        ),
        Some(split) => {
            let terms = [
                ("shortage", split.shortage, cost.shortage),
                ("production", split.production, cost.production),
                ("transport", split.transport, cost.transport),
                ("holding", split.holding, cost.holding),
                ("capex", split.capex, cost.capex),
                ("contract", split.contract, cost.contract),
            ];
            for (name, stated, recomputed) in terms {
                if !close(stated, recomputed) {
                    c.fail_at(
                        cost_field(),
                        "cost",
                        format!("{name} cost {stated}, records give {recomputed}"),
                    );
                }
            }
            match plan.objective {
                Some(objective)
                    if close(objective, split.total()) && close(objective, cost.total()) => {}
                other => c.fail_at(
                    vec![RecordRef::field("objective")],
                    "cost",
                    format!(
                        "objective {other:?}, cost split sums to {}, records give {}",
                        split.total(),
                        cost.total()
                    ),
                ),
            }
        }
    }
    c.out
}

/// `route DEU -> UKR is open for departures in 2026-01..2026-04 only`: why a
/// closed route refuses a flow (docs/windows.md).
fn route_window_text(s: &Scenario, from: ActorId, to: ActorId) -> String {
    let window = s
        .route_window(from, to)
        .map_or_else(|| "every period".to_owned(), |w| w.describe(&s.calendar));
    format!(
        "route {} -> {} is open for departures in {window} only",
        s.actors[from.index()].id,
        s.actors[to.index()].id
    )
}
