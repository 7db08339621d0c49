//! The LP/MIP of spec section 4 as a column-wise sparse matrix.
//!
//! All rows are created first (their right-hand sides are known from the
//! scenario), then every column in one pass with its coefficients pushed
//! into a reused buffer, so no allocation happens per matrix term. Only the
//! variables the spec allows are created; what the rules remove is counted
//! in [`Reductions`].

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::time::Instant;

use caisson_model::{ContractId, DemandId, ExpansionId, FacilityId, LineId, ProductId, Scenario};
use highs::{ColProblem, Row};

use crate::pool::Pools;
use crate::vars::{RowKey, Var};
use caisson_plan::Network;
use caisson_plan::{ModelStats, Reductions};

/// Marks "no row" in the dense row-lookup tables.
const NONE: u32 = u32::MAX;

/// The built model: the HiGHS problem plus the typed maps from its columns
/// and rows back to the scenario.
#[derive(Debug)]
pub struct Formulation {
    pub(crate) problem: ColProblem,
    pub(crate) network: Network,
    /// The transfer pools the `Send`/`Receive` columns refer to.
    pub(crate) pools: Pools,
    pub(crate) cols: Vec<Var>,
    pub(crate) rows: Vec<RowKey>,
    pub(crate) has_integer: bool,
    pub(crate) stats: ModelStats,
    /// Upper bound of every column as built (lower bounds are all 0), so a
    /// re-solve can restore them (see `crate::resolve`).
    pub(crate) col_upper: Vec<f64>,
    /// `(lower, upper)` of every row as built.
    pub(crate) row_bounds: Vec<(f64, f64)>,
    /// Objective cost of every column as built.
    pub(crate) col_cost: Vec<f64>,
    /// The coefficients of expansion columns in capacity rows, `(row,
    /// column, value)` in column order: the only matrix entries that depend
    /// on a quantity (an expansion's capacity), so a re-solve may change
    /// their values (see `crate::resolve`).
    pub(crate) expansion_entries: Vec<(usize, usize, f64)>,
    /// A hash of everything else in the matrix (every entry's row and
    /// value, the rows of the expansion entries, every column's
    /// integrality): two models with equal keys and fingerprints differ
    /// only in bounds, costs and the expansion entries' values.
    pub(crate) fingerprint: u64,
}

/// Which columns the builder creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Columns {
    /// Only those the spec allows (what users see).
    Allowed,
    /// Also every shipment and transfer the policies deny, with upper
    /// bound 0: the same model, but one in which lifting a policy is a
    /// bound change.
    Superset,
    /// [`Columns::Superset`] plus a capacity row and production columns for
    /// every line and period (a line without capacity gets right-hand side
    /// 0) and a contract row for every period of a contract in the plan
    /// (without a commitment or penalty it constrains nothing): the same
    /// optimum, but a model in which an outage or a changed quantity is a
    /// change of bounds, not of structure.
    Edits,
}

/// A column's matrix entries: (row, coefficient).
pub(crate) type Entries = Vec<(Row, f64)>;

/// How one sample's block of a two-stage model (`crate::twostage`) differs
/// from the plain model, and what the builder hands back for linking it to
/// the first-stage columns.
#[derive(Debug, Default)]
pub(crate) struct Stage {
    /// Multiplies every column's cost in the objective (the sample's
    /// probability); the costs kept in [`Formulation::col_cost`] are the
    /// model's own.
    pub weight: f64,
    /// A row that every column with a cost enters with minus that cost (the
    /// sample's CVaR row), if any.
    pub cost_row: Option<Row>,
    /// Contracts from this index on are first-stage contracts: each of
    /// their periods in the plan gets the row `sum z + v - o = 0`, into which
    /// the caller adds `-r` (the committed rate, a first-stage column), and
    /// a spot column `o` (units shipped beyond the commitment).
    pub first_contract: usize,
    /// Spot price per unit of each first-stage contract (by index from
    /// `first_contract`).
    pub spot: Vec<f64>,
    /// Out: the entries each `y[e,t]` column would have had, without its
    /// `once` row (the first stage holds one shared column per (e, t)).
    pub y_entries: Vec<(ExpansionId, usize, Entries)>,
    /// Out: the rows of the first-stage contracts, `(contract -
    /// first_contract, t, row)`.
    pub contract_rows: Vec<(usize, usize, Row)>,
}

/// Whether transfers go through pools (`crate::pool`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pooling {
    /// Pool them: the same optimum with far fewer columns (the default).
    Pooled,
    /// One column per facility pair, product and period, as spec section 4
    /// writes the model (for checks against the literal formulation).
    Pairwise,
}

/// Row lookup tables, by dense index.
struct Rows {
    handles: Vec<Row>,
    keys: Vec<RowKey>,
    bounds: Vec<(f64, f64)>,
    /// `l * n + t` -> row index or [`NONE`].
    capacity: Vec<u32>,
    /// `(f * products + p)` -> index of the held pair or [`NONE`].
    held: Vec<u32>,
    /// First balance row; pair `k`, period `t` is at `balance + k * n + t`.
    balance: usize,
    /// First demand row; demand `d`, period `t` is at `demand + d * n + t`.
    demand: usize,
    /// `c * n + t` -> row index or [`NONE`].
    contract: Vec<u32>,
    /// `e` -> row index or [`NONE`].
    once: Vec<u32>,
    /// Pool `i`, period `t` is at `pool[i] + t` (only pools with columns).
    pool: Vec<u32>,
    n: usize,
    products: usize,
}

impl Rows {
    fn add(&mut self, problem: &mut ColProblem, key: RowKey, lower: f64, upper: f64) -> u32 {
        let index = self.handles.len() as u32;
        self.handles.push(problem.add_row(lower..=upper));
        self.keys.push(key);
        self.bounds.push((lower, upper));
        index
    }

    fn balance(&self, f: FacilityId, p: ProductId, t: usize) -> Option<Row> {
        let k = self.held[f.index() * self.products + p.index()];
        (k != NONE).then(|| self.handles[self.balance + k as usize * self.n + t])
    }

    fn demand(&self, d: DemandId, t: usize) -> Row {
        self.handles[self.demand + d.index() * self.n + t]
    }

    fn get(&self, index: u32) -> Option<Row> {
        (index != NONE).then(|| self.handles[index as usize])
    }
}

/// The bounds and integrality of a new column.
#[derive(Clone, Copy)]
enum Kind {
    /// `[0, inf)`, continuous.
    Free,
    /// `[0, 0]`: a denied flow kept only in a superset model.
    Closed,
    /// `[0, 1]`, integer or not (expansion decisions).
    Fraction(bool),
}

impl Kind {
    fn upper(self) -> f64 {
        match self {
            Kind::Free => f64::INFINITY,
            Kind::Closed => 0.0,
            Kind::Fraction(_) => 1.0,
        }
    }
}

impl Formulation {
    /// Builds the model of spec section 4 for `scenario`.
    pub fn build(scenario: &Scenario) -> Self {
        Self::build_with(scenario, Columns::Allowed, Pooling::Pooled)
    }

    /// Builds the model of spec section 4, pooling transfers or not.
    pub fn build_pooling(scenario: &Scenario, pooling: Pooling) -> Self {
        Self::build_with(scenario, Columns::Allowed, pooling)
    }

    /// Builds the model with the columns `columns` asks for. Denied pairs
    /// are counted in [`Reductions`] either way.
    pub(crate) fn build_with(scenario: &Scenario, columns: Columns, pooling: Pooling) -> Self {
        let mut problem = ColProblem::default();
        let mut formulation = Self::build_into(&mut problem, scenario, columns, pooling, None);
        formulation.problem = problem;
        formulation
    }

    /// Builds the model into `problem`, after the rows and columns it
    /// already has (the returned formulation's own `problem` is empty; its
    /// rows and columns are numbered from the block's first). With a
    /// `stage`, the model is one sample's block of a two-stage model.
    pub(crate) fn build_into(
        problem: &mut ColProblem,
        scenario: &Scenario,
        columns: Columns,
        pooling: Pooling,
        mut stage: Option<&mut Stage>,
    ) -> Self {
        let superset = columns != Columns::Allowed;
        let uniform = columns == Columns::Edits;
        let started = Instant::now();
        let network = Network::new(scenario);
        let pools = match pooling {
            Pooling::Pooled => Pools::new(scenario, &network),
            Pooling::Pairwise => Pools::default(),
        };
        let n = scenario.periods();
        let products = scenario.products.len();
        let facilities = scenario.facilities.len();
        let weight = stage.as_ref().map_or(1.0, |s| s.weight);
        let cost_row = stage.as_ref().and_then(|s| s.cost_row);
        let first_stage_contract = stage.as_ref().map(|s| s.first_contract);
        let mut red = Reductions::default();
        let inf = f64::INFINITY;

        let producible = producible(scenario, uniform);

        let mut rows = Rows {
            handles: Vec::new(),
            keys: Vec::new(),
            bounds: Vec::new(),
            capacity: vec![NONE; scenario.lines.len() * n],
            held: vec![NONE; facilities * products],
            balance: 0,
            demand: 0,
            contract: vec![NONE; scenario.contracts.len() * n],
            once: vec![NONE; scenario.expansions.len()],
            pool: vec![NONE; pools.list.len()],
            n,
            products,
        };

        for (l, line) in scenario.lines.iter().enumerate() {
            if line.products.is_empty() {
                continue;
            }
            for t in 0..n {
                if producible[l * n + t] {
                    let key = RowKey::Capacity {
                        line: LineId::new(l),
                        t: t as u32,
                    };
                    rows.capacity[l * n + t] = rows.add(problem, key, -inf, line.capacity[t]);
                }
            }
        }

        rows.balance = rows.handles.len();
        let mut held_pairs = Vec::new();
        for (f, facility) in scenario.facilities.iter().enumerate() {
            let fid = FacilityId::new(f);
            for p in network.held.products_at(fid) {
                rows.held[f * products + p.index()] = held_pairs.len() as u32;
                held_pairs.push((fid, p));
                let initial: f64 = facility
                    .stock
                    .iter()
                    .filter(|(q, _)| *q == p)
                    .map(|(_, v)| v)
                    .sum();
                for t in 0..n {
                    let rhs = if t == 0 { initial } else { 0.0 };
                    let key = RowKey::Balance {
                        facility: fid,
                        product: p,
                        t: t as u32,
                    };
                    rows.add(problem, key, rhs, rhs);
                }
            }
        }
        red.stock_not_held = ((facilities * products - held_pairs.len()) * n) as u64;

        rows.demand = rows.handles.len();
        for (d, demand) in scenario.demands.iter().enumerate() {
            for t in 0..n {
                let q = demand.quantity[t];
                let key = RowKey::Demand {
                    demand: DemandId::new(d),
                    t: t as u32,
                };
                rows.add(problem, key, q, q);
            }
        }

        for (c, contract) in scenario.contracts.iter().enumerate() {
            let actor = scenario.facilities[contract.facility.index()].actor;
            let (lead, _) = scenario.route(actor, contract.buyer);
            let in_plan = n.saturating_sub(lead as usize);
            // Without a penalty or a commitment the shortfall costs nothing
            // and constrains nothing, so it needs no row or variable.
            if first_stage_contract.is_some_and(|first| c >= first) {
                for t in 0..in_plan {
                    let key = RowKey::Contract {
                        contract: ContractId::new(c),
                        t: t as u32,
                    };
                    rows.contract[c * n + t] = rows.add(problem, key, 0.0, 0.0);
                    if let (Some(stage), Some(first)) = (stage.as_deref_mut(), first_stage_contract)
                    {
                        let row = rows.handles[rows.contract[c * n + t] as usize];
                        stage.contract_rows.push((c - first, t, row));
                    }
                }
                continue;
            }
            for t in 0..in_plan {
                let q = contract.quantity[t];
                if uniform || (q > 0.0 && contract.penalty > 0.0) {
                    let key = RowKey::Contract {
                        contract: ContractId::new(c),
                        t: t as u32,
                    };
                    rows.contract[c * n + t] = rows.add(problem, key, q, inf);
                } else {
                    red.contract_periods_without_row += 1;
                }
            }
            red.contract_periods_without_row += (n - in_plan) as u64;
        }

        for (e, expansion) in scenario.expansions.iter().enumerate() {
            if expansion.window.is_some() && stage.is_none() {
                let key = RowKey::Once {
                    expansion: ExpansionId::new(e),
                };
                rows.once[e] = rows.add(problem, key, -inf, 1.0);
            }
        }

        for (i, pool) in pools.list.iter().enumerate() {
            rows.pool[i] = rows.handles.len() as u32;
            for t in 0..n.saturating_sub(pool.min_lead(superset)) {
                let key = RowKey::Pool {
                    pool: i as u32,
                    t: t as u32,
                };
                rows.add(problem, key, 0.0, 0.0);
            }
        }

        let mut cols: Vec<Var> = Vec::new();
        let mut col_upper: Vec<f64> = Vec::new();
        let mut col_cost: Vec<f64> = Vec::new();
        let mut expansion_entries: Vec<(usize, usize, f64)> = Vec::new();
        let mut fingerprint = DefaultHasher::new();
        let mut buf: Vec<(Row, f64)> = Vec::with_capacity(2 * n + 8);
        let mut nonzeros = 0usize;
        let mut has_integer = false;
        let mut integer_columns = 0usize;
        let mut by_kind = [
            ('x', 0),
            ('y', 0),
            ('z', 0),
            ('w', 0),
            ('s', 0),
            ('b', 0),
            ('u', 0),
            ('v', 0),
        ];
        let mut add = |problem: &mut ColProblem,
                       var: Var,
                       cost: f64,
                       buf: &mut Vec<(Row, f64)>,
                       kind: Kind| {
            if let (Some(row), true) = (cost_row, cost != 0.0) {
                buf.push((row, -cost));
            }
            nonzeros += buf.len();
            buf.len().hash(&mut fingerprint);
            for (row, value) in buf.iter() {
                row.hash(&mut fingerprint);
                // Expansion entries (the only negative coefficients of a
                // capacity row) are compared by position only.
                if !(matches!(var, Var::Y { .. }) && *value < 0.0) {
                    value.to_bits().hash(&mut fingerprint);
                }
            }
            matches!(kind, Kind::Fraction(true)).hash(&mut fingerprint);
            match kind {
                Kind::Free => problem.add_column(cost * weight, 0.0.., buf.iter()),
                Kind::Closed => problem.add_column(cost * weight, 0.0..=0.0, buf.iter()),
                Kind::Fraction(integer) => problem.add_column_with_integrality(
                    cost * weight,
                    0.0..=1.0,
                    buf.iter(),
                    integer,
                ),
            }
            col_upper.push(kind.upper());
            col_cost.push(cost);
            if let Some(slot) = by_kind.iter_mut().find(|(k, _)| *k == var.kind()) {
                slot.1 += 1;
            }
            cols.push(var);
            buf.clear();
            cols.len() - 1
        };

        // x[l,p,t]
        for (l, line) in scenario.lines.iter().enumerate() {
            let f = line.facility;
            for lp in &line.products {
                for t in 0..n {
                    let Some(cap) = rows.get(rows.capacity[l * n + t]) else {
                        red.production_without_capacity += 1;
                        continue;
                    };
                    buf.push((cap, lp.rate));
                    if let Some(bal) = rows.balance(f, lp.product, t) {
                        buf.push((bal, -1.0));
                    }
                    for &(input, per_unit) in &scenario.products[lp.product.index()].inputs {
                        if let Some(bal) = rows.balance(f, input, t) {
                            buf.push((bal, per_unit));
                        }
                    }
                    let var = Var::X {
                        line: LineId::new(l),
                        product: lp.product,
                        t: t as u32,
                    };
                    add(problem, var, lp.cost, &mut buf, Kind::Free);
                }
            }
        }

        // y[e,t]: capacity_e enters every capacity row from t + lead on.
        for (e, expansion) in scenario.expansions.iter().enumerate() {
            let Some((first, last)) = expansion.window else {
                red.expansions_outside_window += n as u64;
                continue;
            };
            red.expansions_outside_window += (n - (last - first + 1)) as u64;
            for t in first..=last {
                let mut entries = Vec::new();
                if let Some(once) = rows.get(rows.once[e]) {
                    buf.push((once, 1.0));
                }
                if expansion.capacity > 0.0 {
                    for later in (t + expansion.lead_time as usize).min(n)..n {
                        let index = rows.capacity[expansion.line.index() * n + later];
                        if let Some(cap) = rows.get(index) {
                            buf.push((cap, -expansion.capacity));
                            entries.push(index as usize);
                        }
                    }
                }
                if let Some(stage) = stage.as_deref_mut() {
                    // The first stage adds one column per (e, t) shared by
                    // every sample, with these entries of each.
                    stage
                        .y_entries
                        .push((ExpansionId::new(e), t, std::mem::take(&mut buf)));
                    continue;
                }
                if expansion.integer {
                    has_integer = true;
                    integer_columns += 1;
                }
                let var = Var::Y {
                    expansion: ExpansionId::new(e),
                    t: t as u32,
                };
                let col = add(
                    problem,
                    var,
                    expansion.capex,
                    &mut buf,
                    Kind::Fraction(expansion.integer),
                );
                expansion_entries.extend(
                    entries
                        .into_iter()
                        .map(|row| (row, col, -expansion.capacity)),
                );
            }
        }

        // z[f,d,t]
        let contract_of = |f: FacilityId, d: DemandId| {
            let dem = &scenario.demands[d.index()];
            scenario
                .contracts
                .iter()
                .position(|c| c.facility == f && c.buyer == dem.buyer && c.product == dem.product)
        };
        red.shipments_not_held =
            ((facilities * scenario.demands.len() - network.ship_pairs.len()) * n) as u64;
        for pair in &network.ship_pairs {
            // A pair closed in every period gets no column (or closed ones,
            // in a superset model); a pair open in some periods only gets
            // columns in those (closed ones in the others, in a superset).
            if !pair.open.somewhere() {
                red.shipments_denied += n as u64;
                if !superset {
                    continue;
                }
            }
            let last = n.saturating_sub(pair.lead);
            red.shipments_beyond_horizon += (n - last) as u64;
            let product = scenario.demands[pair.demand.index()].product;
            let contract = contract_of(pair.facility, pair.demand);
            for t in 0..last {
                let kind = if pair.open.at(t) {
                    Kind::Free
                } else {
                    if pair.open.somewhere() {
                        red.shipments_denied += 1;
                    }
                    if !superset {
                        continue;
                    }
                    Kind::Closed
                };
                if let Some(bal) = rows.balance(pair.facility, product, t) {
                    buf.push((bal, 1.0));
                }
                buf.push((rows.demand(pair.demand, t + pair.lead), 1.0));
                if let Some(row) = contract.and_then(|c| rows.get(rows.contract[c * n + t])) {
                    buf.push((row, 1.0));
                }
                let var = Var::Z {
                    facility: pair.facility,
                    demand: pair.demand,
                    t: t as u32,
                };
                add(problem, var, pair.cost, &mut buf, kind);
            }
        }

        // w[g,h,p,t]
        let mut qualifying = 0u64;
        for pair in &network.transfer_pairs {
            qualifying += (pair.products.len() * n) as u64;
            if !pair.open.somewhere() {
                red.transfers_denied += (pair.products.len() * n) as u64;
                if !superset {
                    continue;
                }
            }
            let last = n.saturating_sub(pair.lead);
            red.transfers_beyond_horizon += (pair.products.len() * (n - last)) as u64;
            for &p in &pair.products {
                if pools.covers(scenario, pair.from, pair.to, p) {
                    continue;
                }
                for t in 0..last {
                    let kind = if pair.open.at(t) {
                        Kind::Free
                    } else {
                        if pair.open.somewhere() {
                            red.transfers_denied += 1;
                        }
                        if !superset {
                            continue;
                        }
                        Kind::Closed
                    };
                    if let Some(bal) = rows.balance(pair.from, p, t) {
                        buf.push((bal, 1.0));
                    }
                    if let Some(bal) = rows.balance(pair.to, p, t + pair.lead) {
                        buf.push((bal, -1.0));
                    }
                    let var = Var::W {
                        from: pair.from,
                        to: pair.to,
                        product: p,
                        t: t as u32,
                    };
                    add(problem, var, pair.cost, &mut buf, kind);
                }
            }
        }
        // Pooled w: into the pool from each sender, out to each receiver.
        for (i, pool) in pools.list.iter().enumerate() {
            let first_row = rows.pool[i] as usize;
            let sendable = n.saturating_sub(pool.min_lead(superset));
            red.transfers_pooled += pool
                .receivers
                .iter()
                .filter(|r| r.allowed)
                .map(|r| (pool.senders_to(r) * n.saturating_sub(r.lead)) as u64)
                .sum::<u64>();
            for &from in &pool.senders {
                for t in 0..sendable {
                    if let Some(bal) = rows.balance(from, pool.product, t) {
                        buf.push((bal, 1.0));
                    }
                    buf.push((rows.handles[first_row + t], 1.0));
                    let var = Var::Send {
                        pool: i as u32,
                        from,
                        t: t as u32,
                    };
                    add(problem, var, 0.0, &mut buf, Kind::Free);
                }
            }
            for receiver in &pool.receivers {
                if !receiver.allowed && !superset {
                    continue;
                }
                for t in 0..n.saturating_sub(receiver.lead).min(sendable) {
                    let kind = if receiver.open.at(t) {
                        Kind::Free
                    } else if superset {
                        Kind::Closed
                    } else {
                        continue;
                    };
                    if let Some(bal) =
                        rows.balance(receiver.facility, pool.product, t + receiver.lead)
                    {
                        buf.push((bal, -1.0));
                    }
                    buf.push((rows.handles[first_row + t], -1.0));
                    let var = Var::Receive {
                        pool: i as u32,
                        to: receiver.facility,
                        t: t as u32,
                    };
                    add(problem, var, receiver.cost, &mut buf, kind);
                }
            }
        }
        let all_transfers = (facilities * facilities.saturating_sub(1) * products * n) as u64;
        red.transfers_not_qualifying = all_transfers - qualifying;

        // s[f,p,t]
        for &(f, p) in &held_pairs {
            let holding = scenario.facilities[f.index()].holding_cost;
            for t in 0..n {
                if let Some(bal) = rows.balance(f, p, t) {
                    buf.push((bal, 1.0));
                }
                if t + 1 < n {
                    if let Some(bal) = rows.balance(f, p, t + 1) {
                        buf.push((bal, -1.0));
                    }
                }
                let var = Var::S {
                    facility: f,
                    product: p,
                    t: t as u32,
                };
                add(problem, var, holding, &mut buf, Kind::Free);
            }
        }

        // b[d,t] or u[d,t]
        for (d, demand) in scenario.demands.iter().enumerate() {
            let did = DemandId::new(d);
            for t in 0..n {
                buf.push((rows.demand(did, t), 1.0));
                let var = if demand.backlog {
                    if t + 1 < n {
                        buf.push((rows.demand(did, t + 1), -1.0));
                    }
                    Var::B {
                        demand: did,
                        t: t as u32,
                    }
                } else {
                    Var::U {
                        demand: did,
                        t: t as u32,
                    }
                };
                add(problem, var, demand.penalty, &mut buf, Kind::Free);
            }
        }

        // v[c,t]
        for (c, contract) in scenario.contracts.iter().enumerate() {
            for t in 0..n {
                if let Some(row) = rows.get(rows.contract[c * n + t]) {
                    buf.push((row, 1.0));
                    let var = Var::V {
                        contract: ContractId::new(c),
                        t: t as u32,
                    };
                    add(problem, var, contract.penalty, &mut buf, Kind::Free);
                    let spot = match (stage.as_deref(), first_stage_contract) {
                        (Some(stage), Some(first)) if c >= first => stage.spot.get(c - first),
                        _ => None,
                    };
                    if let Some(&spot) = spot {
                        buf.push((row, -1.0));
                        let var = Var::Spot {
                            contract: ContractId::new(c),
                            t: t as u32,
                        };
                        add(problem, var, spot, &mut buf, Kind::Free);
                    }
                }
            }
        }

        let stats = ModelStats {
            columns: cols.len(),
            rows: rows.keys.len(),
            nonzeros,
            integer_columns,
            columns_by_kind: by_kind,
            reductions: red,
            build_seconds: started.elapsed().as_secs_f64(),
            ..ModelStats::default()
        };
        Self {
            problem: ColProblem::default(),
            network,
            pools,
            cols,
            rows: rows.keys,
            has_integer,
            stats,
            col_upper,
            row_bounds: rows.bounds,
            col_cost,
            expansion_entries,
            fingerprint: fingerprint.finish(),
        }
    }

    /// Size of the model, what the reductions removed and the build time.
    pub fn stats(&self) -> &ModelStats {
        &self.stats
    }

    /// Whether some column is integer (the model is a MIP).
    pub fn is_mip(&self) -> bool {
        self.has_integer
    }

    /// The readable name of every column, in column order (as written to MPS).
    pub fn column_names(&self, scenario: &Scenario) -> Vec<String> {
        self.cols
            .iter()
            .map(|v| v.name(scenario, &self.pools.list))
            .collect()
    }

    /// The readable name of every row, in row order (as written to MPS).
    pub fn row_names(&self, scenario: &Scenario) -> Vec<String> {
        self.rows
            .iter()
            .map(|r| r.name(scenario, &self.pools.list))
            .collect()
    }
}

/// Per line and period (`line * periods + t`): whether the model has a
/// capacity row and production columns there. A line can produce in `t`
/// when it has capacity then or some expansion of it, decided as early as
/// allowed, is available by `t`; with `uniform` (`Columns::Edits`) every
/// line can, so that any capacity edit is a change of bounds.
pub(crate) fn producible(scenario: &Scenario, uniform: bool) -> Vec<bool> {
    let n = scenario.periods();
    let mut producible = vec![false; scenario.lines.len() * n];
    for (l, line) in scenario.lines.iter().enumerate() {
        for t in 0..n {
            producible[l * n + t] = uniform || line.capacity[t] > 0.0;
        }
    }
    for e in &scenario.expansions {
        if let (Some((first, _)), true) = (e.window, e.capacity > 0.0) {
            for t in (first + e.lead_time as usize).min(n)..n {
                producible[e.line.index() * n + t] = true;
            }
        }
    }
    producible
}
