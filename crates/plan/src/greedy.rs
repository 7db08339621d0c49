//! The greedy baseline: a priority-ordered allocation heuristic of the kind
//! planners build in spreadsheets, producing [`Flows`] and thus a [`Plan`]
//! that obeys every constraint of spec section 4.
//!
//! # The rule
//!
//! Demand periods are served one at a time, **highest penalty first, then
//! earliest period first** (then scenario order). For each, the units still
//! owed (this period's requirement, plus the backlog of a backlog demand)
//! are sought from the facilities whose shipment to the demand is allowed
//! and whose route can arrive in that period, **cheapest first** (route
//! cost plus an estimate of the unit's production cost; a supplier under a
//! contract for the pair ranks as if its shortfall penalty were saved):
//!
//! 1. **from stock** first: units already at a facility at the departure
//!    period and not promised to anything served earlier;
//! 2. then **new supply**: production on the facility's lines in the
//!    departure period or, when those are full, in earlier periods (latest
//!    first, to hold stock as briefly as possible), cheapest line first;
//!    then transfers from other facilities whose transfer is allowed (a
//!    domestic plant refilling a depot, or components to a plant), which
//!    serve from their stock or their own production.
//!
//! A unit is only made when its inputs (bill of materials) are at the
//! facility in the production period: from its stock, its own production
//! of the input, or component transfers, found by the same rule. Line
//! capacity is shared by every product the line makes.
//!
//! A source is skipped when its estimated unit cost is not below what a
//! delivery saves (a lost demand's penalty, or a backlog demand's penalty
//! times the periods left), so the heuristic never buys a delivery that
//! costs more than the shortage it removes (by its estimate; holding costs
//! are not estimated).
//!
//! **Expansions are never taken**: the heuristic plans with the installed
//! capacity only, which is what a spreadsheet plan does before anyone
//! costs a ramp-up. Contracts only influence the ranking of sources.
//!
//! # Speed
//!
//! Allowed sources per demand and allowed feeders per (facility, product)
//! are computed once from the compliance rules. Stock is kept as a
//! projected end-of-period level per held (facility, product): taking `q`
//! in period `t` is allowed when every level from `t` to the horizon's end
//! stays >= 0, so units promised to later periods are never taken. A
//! (facility, product) found unable to supply more by some period is
//! remembered as exhausted up to it, since resources only shrink as the
//! heuristic proceeds; this keeps short demands from rescanning the whole
//! network.

use caisson_model::{DemandId, FacilityId, LineId, ProductId, Scenario};

use crate::flows::{Flows, ProductionFlow, ShipmentFlow, SolutionInfo, TransferFlow};
use crate::network::{Network, Open};
use crate::plan::{Plan, PlanStatus};

/// The `method` of plans made by [`greedy`].
pub const GREEDY_METHOD: &str = "greedy";

/// Quantities at or below this are treated as nothing.
const EPS: f64 = 1e-9;

/// Marks "not held" in the dense slot table.
const NOT_HELD: u32 = u32::MAX;

/// Plans `scenario` with the greedy baseline (see the module docs): a
/// feasible plan with status `feasible`, method `"greedy"` and an unknown
/// gap (`f64::INFINITY`).
pub fn greedy(scenario: &Scenario) -> Plan {
    let network = Network::new(scenario);
    let flows = Greedy::new(scenario, &network).run();
    let info = SolutionInfo {
        status: PlanStatus::Feasible,
        method: GREEDY_METHOD.to_owned(),
        mip_gap: f64::INFINITY,
    };
    Plan::from_flows_with(scenario, &network, &flows, info)
}

/// The raw decisions of the greedy baseline, for callers that derive the
/// plan themselves.
pub fn greedy_flows(scenario: &Scenario) -> Flows {
    let network = Network::new(scenario);
    greedy_flows_with(scenario, &network)
}

/// [`greedy_flows`] with the scenario's allowed-flow structure already
/// computed (the solver's greedy start reuses its model's).
pub fn greedy_flows_with(scenario: &Scenario, network: &Network) -> Flows {
    Greedy::new(scenario, network).run()
}

/// A line that makes a product, with its rate and unit cost.
#[derive(Debug, Clone, Copy)]
struct Maker {
    line: LineId,
    rate: f64,
    cost: f64,
    /// Unit cost plus the estimated cost of the inputs: the ranking key.
    estimate: f64,
}

/// A facility allowed to transfer a product to another.
#[derive(Debug, Clone, Copy)]
struct Feeder {
    from: FacilityId,
    lead: usize,
    /// Index into `Greedy::windows` when the pair is open in some periods
    /// only (time windows); `None`: open in every period.
    window: Option<u32>,
    cost: f64,
    /// Route cost plus the feeder's own estimated unit cost.
    estimate: f64,
}

/// A facility allowed to ship to a demand.
#[derive(Debug, Clone, Copy)]
struct Source {
    facility: FacilityId,
    lead: usize,
    /// Index into `Greedy::windows`, as for [`Feeder`].
    window: Option<u32>,
    /// Route unit cost minus the penalty of a contract covering the pair.
    transport: f64,
    /// The facility's estimated cost of new supply of the product.
    supply: f64,
}

/// Dense per-(facility, product) tables over the held pairs.
struct Slots {
    products: usize,
    index: Vec<u32>,
    pairs: Vec<(FacilityId, ProductId)>,
}

impl Slots {
    fn new(scenario: &Scenario, network: &Network) -> Self {
        let products = scenario.products.len();
        let mut index = vec![NOT_HELD; scenario.facilities.len() * products];
        let mut pairs = Vec::new();
        for f in (0..scenario.facilities.len()).map(FacilityId::new) {
            for p in network.held.products_at(f) {
                index[f.index() * products + p.index()] = pairs.len() as u32;
                pairs.push((f, p));
            }
        }
        Self {
            products,
            index,
            pairs,
        }
    }

    fn get(&self, f: FacilityId, p: ProductId) -> Option<usize> {
        let k = *self.index.get(f.index() * self.products + p.index())?;
        (k != NOT_HELD).then_some(k as usize)
    }
}

/// Products with every input before the products that consume it.
fn topological_order(scenario: &Scenario) -> Vec<ProductId> {
    fn visit(scenario: &Scenario, p: usize, done: &mut [bool], order: &mut Vec<ProductId>) {
        if done[p] {
            return;
        }
        // Marked before the inputs: the validated input graph is acyclic, so
        // this only stops repeated visits.
        done[p] = true;
        for &(input, _) in &scenario.products[p].inputs {
            visit(scenario, input.index(), done, order);
        }
        order.push(ProductId::new(p));
    }
    let mut done = vec![false; scenario.products.len()];
    let mut order = Vec::with_capacity(scenario.products.len());
    for p in 0..scenario.products.len() {
        visit(scenario, p, &mut done, &mut order);
    }
    order
}

/// The heuristic's state: what is left of every resource, and the flows
/// decided so far.
pub(crate) struct Greedy<'a> {
    s: &'a Scenario,
    n: usize,
    slots: Slots,
    /// Projected end-of-period stock per slot and period (`slot * n + t`).
    level: Vec<f64>,
    /// The least of `level` from each period to the horizon's end: what
    /// can be taken in that period (kept up to date, since it is read far
    /// more often than stock changes).
    floor: Vec<f64>,
    /// Unused capacity per line and period (`l * n + t`).
    cap_left: Vec<f64>,
    /// Lines making each slot's product at its facility, cheapest first.
    makers: Vec<Vec<Maker>>,
    /// Allowed transfers of each slot's product into its facility, cheapest first.
    feeders: Vec<Vec<Feeder>>,
    /// Allowed sources per demand, cheapest route first (for stock).
    stock_sources: Vec<Vec<Source>>,
    /// Allowed sources per demand that can get new supply, cheapest
    /// route plus supply first.
    supply_sources: Vec<Vec<Source>>,
    /// Per slot, the latest period by which new supply is known to be
    /// impossible, with transfers in (`[1]`) and without (`[0]`).
    exhausted: Vec<[Option<usize>; 2]>,
    /// Per slot, the latest period up to which every production period has
    /// been tried to exhaustion.
    production_done: Vec<Option<usize>>,
    /// The open periods of the pairs open in some periods only.
    windows: Vec<Vec<bool>>,
    flows: Flows,
}

impl<'a> Greedy<'a> {
    /// The index in `windows` of a pair's open periods, when it is open in
    /// some periods only.
    fn window_of(&mut self, open: &Open) -> Option<u32> {
        match open {
            Open::Periods(periods) => {
                self.windows.push(periods.clone());
                Some((self.windows.len() - 1) as u32)
            }
            Open::Always | Open::Never => None,
        }
    }

    /// Whether a pair with `window` may carry goods leaving in `t`.
    fn open(&self, window: Option<u32>, t: usize) -> bool {
        window.is_none_or(|w| self.windows[w as usize].get(t).copied().unwrap_or(false))
    }

    pub(crate) fn new(s: &'a Scenario, network: &Network) -> Self {
        let n = s.periods();
        let slots = Slots::new(s, network);
        let mut level = vec![0.0; slots.pairs.len() * n];
        for (f, facility) in s.facilities.iter().enumerate() {
            for &(p, quantity) in &facility.stock {
                if let Some(k) = slots.get(FacilityId::new(f), p) {
                    for t in 0..n {
                        level[k * n + t] += quantity;
                    }
                }
            }
        }
        let cap_left = s
            .lines
            .iter()
            .flat_map(|l| l.capacity.iter().copied())
            .collect();
        let mut greedy = Self {
            s,
            n,
            exhausted: vec![[None; 2]; slots.pairs.len()],
            production_done: vec![None; slots.pairs.len()],
            makers: vec![Vec::new(); slots.pairs.len()],
            feeders: vec![Vec::new(); slots.pairs.len()],
            stock_sources: vec![Vec::new(); s.demands.len()],
            supply_sources: vec![Vec::new(); s.demands.len()],
            slots,
            floor: level.clone(),
            level,
            cap_left,
            windows: Vec::new(),
            flows: Flows::default(),
        };
        greedy.index_network(network);
        greedy
    }

    /// Fills `makers`, `feeders` and `sources`, ranked by estimated cost.
    fn index_network(&mut self, network: &Network) {
        let s = self.s;
        for line in 0..s.lines.len() {
            let l = &s.lines[line];
            for lp in &l.products {
                if let Some(k) = self.slots.get(l.facility, lp.product) {
                    self.makers[k].push(Maker {
                        line: LineId::new(line),
                        rate: lp.rate,
                        cost: lp.cost,
                        estimate: lp.cost,
                    });
                }
            }
        }
        for pair in network.transfer_pairs.iter().filter(|p| p.open.somewhere()) {
            if pair.lead >= self.n {
                continue;
            }
            let window = self.window_of(&pair.open);
            for &p in &pair.products {
                if let Some(k) = self.slots.get(pair.to, p) {
                    self.feeders[k].push(Feeder {
                        from: pair.from,
                        lead: pair.lead,
                        window,
                        cost: pair.cost,
                        estimate: pair.cost,
                    });
                }
            }
        }
        let supply = self.estimate_costs();
        for pair in network.ship_pairs.iter().filter(|p| p.open.somewhere()) {
            if pair.lead >= self.n {
                continue;
            }
            let window = self.window_of(&pair.open);
            let demand = &s.demands[pair.demand.index()];
            let contract_penalty = s
                .contracts
                .iter()
                .filter(|c| {
                    c.facility == pair.facility
                        && c.buyer == demand.buyer
                        && c.product == demand.product
                })
                .map(|c| c.penalty)
                .sum::<f64>();
            let supply = self
                .slots
                .get(pair.facility, demand.product)
                .map_or(f64::INFINITY, |k| supply[k]);
            let source = Source {
                facility: pair.facility,
                lead: pair.lead,
                window,
                transport: pair.cost - contract_penalty,
                supply,
            };
            self.stock_sources[pair.demand.index()].push(source);
            if supply.is_finite() {
                self.supply_sources[pair.demand.index()].push(source);
            }
        }
        for sources in &mut self.stock_sources {
            sources.sort_by(|a, b| {
                a.transport
                    .total_cmp(&b.transport)
                    .then(a.facility.cmp(&b.facility))
            });
        }
        for sources in &mut self.supply_sources {
            sources.sort_by(|a, b| {
                (a.transport + a.supply)
                    .total_cmp(&(b.transport + b.supply))
                    .then(a.facility.cmp(&b.facility))
            });
        }
    }

    /// Estimates, per slot, the unit cost of new supply (production with
    /// inputs at their estimated cost, or a transfer from a feeder's stock
    /// or production), ranks makers and feeders by it, and returns it.
    /// Initial stock counts as free; holding costs are ignored.
    fn estimate_costs(&mut self) -> Vec<f64> {
        let s = self.s;
        let slots = self.slots.pairs.len();
        let mut produce = vec![f64::INFINITY; slots];
        let mut supply = vec![f64::INFINITY; slots];
        let mut has_stock = vec![false; slots];
        for (f, facility) in s.facilities.iter().enumerate() {
            for &(p, quantity) in &facility.stock {
                if let Some(k) = self.slots.get(FacilityId::new(f), p) {
                    has_stock[k] |= quantity > EPS;
                }
            }
        }
        let own = |k: usize, produce: &[f64]| if has_stock[k] { 0.0 } else { produce[k] };
        let mut by_product: Vec<Vec<usize>> = vec![Vec::new(); s.products.len()];
        for (k, &(_, p)) in self.slots.pairs.iter().enumerate() {
            by_product[p.index()].push(k);
        }
        for p in topological_order(s) {
            let inputs = &s.products[p.index()].inputs;
            // Inputs come earlier in the order, so their supply is final.
            for &k in &by_product[p.index()] {
                let f = self.slots.pairs[k].0;
                let input_cost: f64 = inputs
                    .iter()
                    .map(|&(i, per_unit)| {
                        per_unit * self.slots.get(f, i).map_or(f64::INFINITY, |ki| supply[ki])
                    })
                    .sum();
                for maker in &mut self.makers[k] {
                    maker.estimate = maker.cost + input_cost;
                }
                self.makers[k].sort_by(|a, b| a.estimate.total_cmp(&b.estimate));
                produce[k] = self.makers[k].first().map_or(f64::INFINITY, |m| m.estimate);
            }
            for &k in &by_product[p.index()] {
                for feeder in &mut self.feeders[k] {
                    let from = self.slots.get(feeder.from, p);
                    feeder.estimate =
                        feeder.cost + from.map_or(f64::INFINITY, |kg| own(kg, &produce));
                }
                self.feeders[k]
                    .sort_by(|a, b| a.estimate.total_cmp(&b.estimate).then(a.from.cmp(&b.from)));
                let fed = self.feeders[k]
                    .first()
                    .map_or(f64::INFINITY, |g| g.estimate);
                supply[k] = produce[k].min(fed);
            }
        }
        supply
    }

    /// Serves every demand period in priority order and returns the flows.
    pub(crate) fn run(mut self) -> Flows {
        let s = self.s;
        let n = self.n;
        let mut order: Vec<(DemandId, usize)> = (0..s.demands.len())
            .flat_map(|d| (0..n).map(move |t| (DemandId::new(d), t)))
            .collect();
        order.sort_by(|a, b| {
            let (pa, pb) = (
                s.demands[a.0.index()].penalty,
                s.demands[b.0.index()].penalty,
            );
            pb.total_cmp(&pa).then(a.1.cmp(&b.1)).then(a.0.cmp(&b.0))
        });
        // Units required so far minus units arriving so far, per demand;
        // periods of one demand are visited in increasing order.
        let mut owed = vec![0.0; s.demands.len()];
        for (d, t) in order {
            let demand = &s.demands[d.index()];
            let need = if demand.backlog {
                owed[d.index()] += demand.quantity[t];
                owed[d.index()]
            } else {
                demand.quantity[t]
            };
            if need <= EPS {
                continue;
            }
            let delivered = self.serve(d, t, need);
            if demand.backlog {
                owed[d.index()] -= delivered;
            }
        }
        self.flows
    }

    /// Delivers up to `need` units arriving at demand `d` in period `t`:
    /// first from stock at every allowed source, then from new supply.
    /// Returns the units delivered.
    fn serve(&mut self, d: DemandId, t: usize, need: f64) -> f64 {
        let demand = &self.s.demands[d.index()];
        // What one more unit arriving in t saves.
        let value = if demand.backlog {
            demand.penalty * (self.n - t) as f64
        } else {
            demand.penalty
        };
        let mut delivered = 0.0;
        for new_supply in [false, true] {
            let sources = std::mem::take(if new_supply {
                &mut self.supply_sources[d.index()]
            } else {
                &mut self.stock_sources[d.index()]
            });
            for source in sources.iter().filter(|src| src.lead <= t) {
                if !self.open(source.window, t - source.lead) {
                    continue;
                }
                if need - delivered <= EPS {
                    break;
                }
                let unit_cost = source.transport + if new_supply { source.supply } else { 0.0 };
                if unit_cost < value {
                    delivered += self.ship(d, source, t, need - delivered, new_supply);
                }
            }
            if new_supply {
                self.supply_sources[d.index()] = sources;
            } else {
                self.stock_sources[d.index()] = sources;
            }
        }
        delivered
    }

    /// Ships up to `left` units from `source` to demand `d`, arriving in
    /// `t`: from stock, and with `new_supply` also from supply arranged for
    /// the purpose. Returns the units shipped.
    fn ship(&mut self, d: DemandId, source: &Source, t: usize, left: f64, new_supply: bool) -> f64 {
        let p = self.s.demands[d.index()].product;
        let Some(k) = self.slots.get(source.facility, p) else {
            return 0.0;
        };
        let leaves = t - source.lead;
        // Cheap necessary condition first: most facilities hold nothing.
        if !new_supply && self.level[k * self.n + leaves] <= EPS {
            return 0.0;
        }
        let on_hand = self.available(k, leaves);
        if new_supply && on_hand < left {
            self.make_available(source.facility, p, leaves, left - on_hand, true);
        }
        let q = left.min(self.available(k, leaves));
        if q <= EPS {
            return 0.0;
        }
        self.take(k, leaves, q);
        self.flows.shipments.push(ShipmentFlow {
            facility: source.facility,
            demand: d,
            period: leaves,
            quantity: q,
        });
        q
    }

    /// Units of slot `k` that can be taken in period `t` without leaving a
    /// later period short: the least projected level from `t` on.
    fn available(&self, k: usize, t: usize) -> f64 {
        self.floor[k * self.n + t].max(0.0)
    }

    /// Removes `q` units of slot `k` in period `t` (they are gone from then on).
    fn take(&mut self, k: usize, t: usize, q: f64) {
        self.shift(k, t, -q);
    }

    /// Adds `q` units of slot `k` in period `t` (they are there from then on).
    fn put(&mut self, k: usize, t: usize, q: f64) {
        self.shift(k, t, q);
    }

    /// Changes the level of slot `k` by `delta` from period `t` on, and
    /// updates the floors: those from `t` on move with the levels, earlier
    /// ones are recomputed backwards until one is unchanged (every earlier
    /// floor depends on the later ones only through it).
    fn shift(&mut self, k: usize, t: usize, delta: f64) {
        let (start, end) = (k * self.n, (k + 1) * self.n);
        for i in start + t..end {
            self.level[i] += delta;
            self.floor[i] += delta;
        }
        for i in (start..start + t).rev() {
            let floor = self.level[i].min(self.floor[i + 1]);
            if floor == self.floor[i] {
                break;
            }
            self.floor[i] = floor;
        }
    }

    /// Arranges up to `want` more units of `p` at `f` that can be taken in
    /// period `by`, by production at `f` in `by` or earlier and, when
    /// `transfers` is set, by transfers arriving by then. Returns the units
    /// arranged (they are added to the stock levels).
    ///
    /// Transfers of `p` are not chained (a feeder supplies from its own
    /// stock and production only), which also rules out cycles; inputs are
    /// other products, and the bill of materials is acyclic.
    fn make_available(
        &mut self,
        f: FacilityId,
        p: ProductId,
        by: usize,
        want: f64,
        transfers: bool,
    ) -> f64 {
        let Some(k) = self.slots.get(f, p) else {
            return 0.0;
        };
        // Without transfers there are fewer options, so exhaustion with
        // transfers implies exhaustion without.
        let known = |i: usize| self.exhausted[k][i].is_some_and(|e| by <= e);
        if want <= EPS || known(1) || (!transfers && known(0)) {
            return 0.0;
        }
        let mut got = self.produce_by(k, p, by, want);
        if transfers && want - got > EPS {
            got += self.transfer_in(k, f, p, by, want - got);
        }
        if want - got > EPS {
            let known = &mut self.exhausted[k][usize::from(transfers)];
            *known = Some(known.map_or(by, |e| e.max(by)));
        }
        got
    }

    /// Production of up to `want` units for slot `k` in periods up to
    /// `by`, cheapest line first, latest period first.
    fn produce_by(&mut self, k: usize, p: ProductId, by: usize, want: f64) -> f64 {
        let from = self.production_done[k].map_or(0, |done| done + 1);
        if from > by {
            return 0.0;
        }
        let makers = std::mem::take(&mut self.makers[k]);
        let mut got = 0.0;
        'lines: for maker in &makers {
            for t in (from..=by).rev() {
                if want - got <= EPS {
                    break 'lines;
                }
                got += self.produce(k, maker, p, t, want - got);
            }
        }
        self.makers[k] = makers;
        if want - got > EPS {
            self.production_done[k] = Some(by);
        }
        got
    }

    /// Makes up to `want` units of `p` on `maker`'s line in period `t`,
    /// as far as capacity and inputs allow, and returns the units made.
    fn produce(&mut self, k: usize, maker: &Maker, p: ProductId, t: usize, want: f64) -> f64 {
        let s = self.s;
        let cap = |g: &Self| g.cap_left[maker.line.index() * g.n + t] / maker.rate;
        let mut x = want.min(cap(self));
        if x <= EPS {
            return 0.0;
        }
        let f = self.slots.pairs[k].0;
        let inputs = &s.products[p.index()].inputs;
        for &(input, per_unit) in inputs {
            let Some(ki) = self.slots.get(f, input) else {
                return 0.0;
            };
            let on_hand = self.available(ki, t);
            if on_hand < per_unit * x {
                let got = self.make_available(f, input, t, per_unit * x - on_hand, true);
                x = x.min((on_hand + got) / per_unit);
            }
            if x <= EPS {
                return 0.0;
            }
        }
        // Arranging one input may have used another (an input of an input)
        // or this line's capacity (a line making its own components), so
        // the quantity is settled on the state as it is now.
        x = x.min(cap(self));
        for &(input, per_unit) in inputs {
            if let Some(ki) = self.slots.get(f, input) {
                x = x.min(self.available(ki, t) / per_unit);
            }
        }
        if x <= EPS {
            return 0.0;
        }
        for &(input, per_unit) in inputs {
            if let Some(ki) = self.slots.get(f, input) {
                self.take(ki, t, per_unit * x);
            }
        }
        self.put(k, t, x);
        let cap_left = &mut self.cap_left[maker.line.index() * self.n + t];
        *cap_left = (*cap_left - maker.rate * x).max(0.0);
        self.flows.production.push(ProductionFlow {
            line: maker.line,
            product: p,
            period: t,
            quantity: x,
        });
        x
    }

    /// Transfers of up to `want` units of `p` into slot `k`'s facility `f`,
    /// arriving by `by`, cheapest feeder first.
    fn transfer_in(&mut self, k: usize, f: FacilityId, p: ProductId, by: usize, want: f64) -> f64 {
        let feeders = std::mem::take(&mut self.feeders[k]);
        let mut got = 0.0;
        for feeder in feeders.iter().filter(|g| g.lead <= by) {
            if !self.open(feeder.window, by - feeder.lead) {
                continue;
            }
            let left = want - got;
            if left <= EPS {
                break;
            }
            let Some(kg) = self.slots.get(feeder.from, p) else {
                continue;
            };
            let leaves = by - feeder.lead;
            let on_hand = self.available(kg, leaves);
            if on_hand < left {
                self.make_available(feeder.from, p, leaves, left - on_hand, false);
            }
            let q = left.min(self.available(kg, leaves));
            if q > EPS {
                self.take(kg, leaves, q);
                self.put(k, by, q);
                self.flows.transfers.push(TransferFlow {
                    from: feeder.from,
                    to: f,
                    product: p,
                    period: leaves,
                    quantity: q,
                });
                got += q;
            }
        }
        self.feeders[k] = feeders;
        got
    }
}
