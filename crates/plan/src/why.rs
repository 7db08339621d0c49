//! "Why short?": for every demand a plan leaves short, the facts of the
//! plan that kept supply from it.
//!
//! Every [`Cause`] is a statement about the plan and the scenario that can
//! be checked against them: a line named as capacity-bound used its whole
//! capacity in the named periods; a denied facility's shipment to the
//! demand is denied by the named policy entry; a lead time is longer than
//! the named periods' index; an input is named as missing only when its
//! stock at the facility was 0 at the end of the named periods while the
//! line had capacity left. Causes are *candidates* for why the optimiser
//! (or heuristic) could not do better; several usually act together.
//!
//! Which lines are examined: those making the demand's product at a
//! facility allowed to ship to it, and those reaching such a facility in
//! one or two steps of the network (a line making one of its inputs, a
//! facility allowed to transfer the product or an input to it). A line's
//! periods are the demand's short periods shifted back by the lead time
//! from the line's facility to the buyer, i.e. the periods whose output
//! would have arrived when the demand was short.
//!
//! Ranking (most important first): no allowed source; periods no allowed
//! route can reach; capacity-bound lines with a positive shadow price (or,
//! without duals, lines making the product at an allowed source); denied
//! facilities that had spare stock or capacity; missing inputs; other
//! capacity-bound lines; allowed sources with spare stock that arrived too
//! late or was not sent; denied facilities with nothing spare. Within a
//! group, larger quantities and prices first.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use caisson_compliance::Verdict;
use caisson_model::{ActorId, DemandId, FacilityId, LineId, ProductId, Scenario, Window};

use crate::network::Network;
use crate::plan::Plan;
use crate::quantity::Quantities;

/// Shortages, stock and slack at or below this are treated as 0 (the plan
/// tolerance of spec section 7 is 1e-6 relative).
const TOL: f64 = 1e-6;

/// How many steps (an input, a transfer) away from an allowed source a
/// line is still examined.
const MAX_DEPTH: u8 = 2;

/// Options of [`explain_shortages_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhyOptions {
    /// The most causes kept per demand, most important first; the rest are
    /// counted in [`ShortageExplanation::omitted`].
    pub max_causes: usize,
}

impl Default for WhyOptions {
    fn default() -> Self {
        Self { max_causes: 12 }
    }
}

/// When and how much a demand was short.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShortPeriods {
    /// The first period with a backlog or a lost quantity.
    pub first: usize,
    /// The last such period.
    pub last: usize,
    /// How many periods were short.
    pub count: usize,
    /// Backlog summed over the periods (unit-periods) for a backlog demand,
    /// lost units for a lost demand: the demand's KPI `shortage`.
    pub total_shortage: f64,
}

/// What a facility had left that it could not or did not use for a demand.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Spare {
    /// The most units of the product it held at the end of one of the
    /// periods considered.
    pub stock: f64,
    /// Units of the product its lines could still have made in those
    /// periods with their unused capacity (capacity shared with other
    /// products counts in full for each).
    pub unused_capacity: f64,
}

impl Spare {
    /// Whether anything was spare.
    pub fn any(&self) -> bool {
        self.stock > TOL || self.unused_capacity > TOL
    }

    fn total(&self) -> f64 {
        self.stock + self.unused_capacity
    }

    fn describe(&self, unit: &str, quantities: Quantities) -> String {
        let qty = |x: f64| quantities.units(x);
        match (self.stock > TOL, self.unused_capacity > TOL) {
            (true, true) => format!(
                "{} {unit} in stock and capacity for {} more",
                qty(self.stock),
                qty(self.unused_capacity)
            ),
            (true, false) => format!("{} {unit} in stock", qty(self.stock)),
            (false, true) => format!("capacity for {} {unit}", qty(self.unused_capacity)),
            (false, false) => "nothing spare".to_owned(),
        }
    }
}

/// One fact of the plan that kept supply from a short demand.
#[derive(Debug, Clone, PartialEq)]
pub enum Cause {
    /// No facility holding the product may ship it to the demand.
    NoSource {
        /// The demanded product.
        product: ProductId,
        /// Facilities holding the product whose shipment is denied.
        denied_holders: usize,
    },
    /// Nothing shipped from `facility` could arrive in `periods`: they come
    /// before its route's lead time.
    LeadTime {
        /// The allowed source.
        facility: FacilityId,
        /// The demanded product.
        product: ProductId,
        /// Its route's lead time to the buyer, in periods.
        lead_time: usize,
        /// Short periods `t < lead_time`.
        periods: Vec<usize>,
        /// Whether this is the shortest lead time of every allowed source,
        /// so that nothing at all could arrive in `periods`.
        every_source: bool,
        /// What the facility had spare in the periods it could not reach.
        spare: Spare,
    },
    /// A line that could serve the demand used all its capacity.
    CapacityBound {
        /// The line.
        line: LineId,
        /// The product it would make for the demand: the demand's product,
        /// or an input of it.
        product: ProductId,
        /// Production periods (short periods shifted back by the lead time
        /// to the buyer) in which it used all its capacity.
        periods: Vec<usize>,
        /// Capacity units it used in those periods, summed.
        used: f64,
        /// Its capacity in those periods (with expansions taken), summed.
        capacity: f64,
        /// The highest shadow price of its capacity in those periods, when
        /// the plan carries capacity duals (0 when not binding).
        shadow_price: Option<f64>,
    },
    /// A facility holding the product may not ship it to the demand.
    Denied {
        /// The facility.
        facility: FacilityId,
        /// The demanded product.
        product: ProductId,
        /// The verdict that denies it ([`Verdict::reason`] names the policy
        /// and its list).
        verdict: Verdict,
        /// What it had spare in the short periods.
        spare: Spare,
    },
    /// A facility whose shipments every policy allows could not ship to
    /// the demand in the short periods' departure periods: its route to the
    /// buyer is closed then (a time-windowed route, docs/windows.md).
    RouteClosed {
        /// The facility.
        facility: FacilityId,
        /// The demanded product.
        product: ProductId,
        /// The demand's buyer (the route's destination).
        buyer: ActorId,
        /// The route's window: the departure periods it is open in.
        window: Window,
        /// What it had spare in the short periods.
        spare: Spare,
    },
    /// A line had capacity to make the product (or one of its inputs) but
    /// its facility had none of an input left.
    InputShortage {
        /// The facility of the line.
        facility: FacilityId,
        /// The line with unused capacity.
        line: LineId,
        /// The product the line could have made.
        product: ProductId,
        /// The input the facility had no stock of at the end of `periods`.
        input: ProductId,
        /// Production periods with unused capacity and no stock of the input.
        periods: Vec<usize>,
    },
    /// An allowed source whose route arrives in time held stock at the end
    /// of the departure periods, yet did not send it: the plan found it
    /// worth more elsewhere, or not worth its cost.
    SpareUnshipped {
        /// The allowed source.
        facility: FacilityId,
        /// The demanded product.
        product: ProductId,
        /// Departure periods (short periods minus the lead time) at whose
        /// end the facility still held the product.
        periods: Vec<usize>,
        /// The most units held at the end of one of them.
        stock: f64,
    },
}

impl Cause {
    /// A stable machine name of the cause's kind, e.g. `"capacity_bound"`.
    pub fn kind(&self) -> &'static str {
        match self {
            Cause::NoSource { .. } => "no_source",
            Cause::LeadTime { .. } => "lead_time",
            Cause::CapacityBound { .. } => "capacity_bound",
            // A closed route denies the flow as a policy would; the
            // document records both as `denied` rows.
            Cause::Denied { .. } | Cause::RouteClosed { .. } => "denied",
            Cause::InputShortage { .. } => "input_shortage",
            Cause::SpareUnshipped { .. } => "spare_unshipped",
        }
    }

    /// One sentence in plain words, with ids and period labels; unit
    /// counts (stock, capacity) and prices written as `quantities` says
    /// (prices never rounded beyond the cent).
    pub fn describe(&self, scenario: &Scenario, quantities: Quantities) -> String {
        let s = scenario;
        let qty = |x: f64| quantities.units(x);
        let product = |p: ProductId| &s.products[p.index()];
        let facility = |f: FacilityId| &s.facilities[f.index()].id;
        let line_name = |l: LineId| {
            let line = &s.lines[l.index()];
            format!("{}/{}", s.facilities[line.facility.index()].id, line.id)
        };
        match self {
            Cause::NoSource {
                product: p,
                denied_holders: 0,
            } => format!(
                "no facility holds {} (none has stock or a line making it)",
                product(*p).id
            ),
            Cause::NoSource {
                product: p,
                denied_holders,
            } => format!(
                "every facility holding {} ({denied_holders}) is denied shipping it to this demand",
                product(*p).id
            ),
            Cause::LeadTime {
                facility: f,
                lead_time,
                periods,
                every_source: true,
                ..
            } => format!(
                "nothing can arrive in {}: the shortest allowed route, from {}, takes \
                 {lead_time} period(s)",
                periods_text(s, periods),
                facility(*f)
            ),
            Cause::LeadTime {
                facility: f,
                product: p,
                lead_time,
                periods,
                spare,
                ..
            } => format!(
                "{} had {} but its route takes {lead_time} period(s): too late for {}",
                facility(*f),
                spare.describe(&product(*p).unit, quantities),
                periods_text(s, periods)
            ),
            Cause::CapacityBound {
                line,
                product: made,
                periods,
                used,
                capacity,
                shadow_price,
            } => {
                let mut text = if *capacity <= TOL {
                    format!(
                        "line {} (makes {}) had no capacity in {}",
                        line_name(*line),
                        product(*made).id,
                        periods_text(s, periods)
                    )
                } else {
                    format!(
                        "line {} (makes {}) ran at full capacity in {} ({} of {} capacity units)",
                        line_name(*line),
                        product(*made).id,
                        periods_text(s, periods),
                        qty(*used),
                        qty(*capacity)
                    )
                };
                if let Some(price) = shadow_price {
                    let _ = write!(
                        text,
                        "; one more capacity unit would save up to {} {}",
                        quantities.money(*price),
                        s.currency
                    );
                }
                text
            }
            Cause::Denied {
                facility: f,
                product: p,
                verdict,
                spare,
            } => format!(
                "{} ({}) had {} but may not ship it: {}",
                facility(*f),
                s.actors[s.facilities[f.index()].actor.index()].id,
                spare.describe(&product(*p).unit, quantities),
                verdict.reason(s)
            ),
            Cause::RouteClosed {
                facility: f,
                product: p,
                buyer,
                window,
                spare,
            } => format!(
                "{} ({}) had {} but may not ship it: {}",
                facility(*f),
                s.actors[s.facilities[f.index()].actor.index()].id,
                spare.describe(&product(*p).unit, quantities),
                route_closed_reason(s, *f, *buyer, *window)
            ),
            Cause::InputShortage {
                facility: f,
                line,
                product: made,
                input,
                periods,
            } => format!(
                "line {} had capacity to make {} in {} but {} had no {} left",
                line_name(*line),
                product(*made).id,
                periods_text(s, periods),
                facility(*f),
                product(*input).id
            ),
            Cause::SpareUnshipped {
                facility: f,
                product: p,
                periods,
                stock,
            } => format!(
                "{} still held {} {} at the end of {} but did not send it (kept for later \
                 use, or costlier than the shortage)",
                facility(*f),
                qty(*stock),
                product(*p).unit,
                periods_text(s, periods)
            ),
        }
    }
}

/// Why one demand was short, with its causes ranked.
#[derive(Debug, Clone, PartialEq)]
pub struct ShortageExplanation {
    /// The short demand.
    pub demand: DemandId,
    /// When and how much it was short.
    pub short_periods: ShortPeriods,
    /// Causes found, most important first (see the module docs).
    pub causes: Vec<Cause>,
    /// Causes found beyond [`WhyOptions::max_causes`] and left out.
    pub omitted: usize,
}

impl ShortageExplanation {
    /// A heading sentence, e.g. `demand ukr-155 (shell-155 for UKR) short
    /// in 2026-01..2026-03 (3 periods, shortage 120)`, its shortage
    /// written as `quantities` says.
    pub fn describe(&self, scenario: &Scenario, quantities: Quantities) -> String {
        let d = &scenario.demands[self.demand.index()];
        let span = &self.short_periods;
        let what = if d.backlog {
            "unit-periods of backlog"
        } else {
            "units lost"
        };
        format!(
            "demand {} ({} for {}) short in {} ({} period(s), {} {what})",
            d.id,
            scenario.products[d.product.index()].id,
            scenario.actors[d.end_user.index()].id,
            span_text(scenario, span.first, span.last),
            span.count,
            quantities.units(span.total_shortage)
        )
    }
}

/// Explains every short demand of `plan` with the default options.
pub fn explain_shortages(scenario: &Scenario, plan: &Plan) -> Vec<ShortageExplanation> {
    explain_shortages_with(scenario, plan, &WhyOptions::default())
}

/// Explains every demand of `plan` with a backlog or lost quantity in some
/// period, in scenario order. A plan without a solution has none.
pub fn explain_shortages_with(
    scenario: &Scenario,
    plan: &Plan,
    options: &WhyOptions,
) -> Vec<ShortageExplanation> {
    if !plan.status.has_solution() {
        return Vec::new();
    }
    let facts = Facts::new(scenario, plan);
    let mut out = Vec::new();
    for d in (0..scenario.demands.len()).map(DemandId::new) {
        let short = &facts.short[d.index()];
        let periods: Vec<usize> = (0..facts.n).filter(|&t| short[t] > TOL).collect();
        let (Some(&first), Some(&last)) = (periods.first(), periods.last()) else {
            continue;
        };
        let mut ranked = facts.causes(d, &periods);
        ranked.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
        let omitted = ranked.len().saturating_sub(options.max_causes);
        out.push(ShortageExplanation {
            demand: d,
            short_periods: ShortPeriods {
                first,
                last,
                count: periods.len(),
                total_shortage: short.iter().sum(),
            },
            causes: ranked
                .into_iter()
                .take(options.max_causes)
                .map(|(_, _, cause)| cause)
                .collect(),
            omitted,
        });
    }
    out
}

/// A cause with its ranking group (lower first) and magnitude (larger first).
type Ranked = (u8, f64, Cause);

/// A (facility, product) reached from a demand's allowed sources.
#[derive(Debug, Clone, Copy)]
struct Reach {
    facility: FacilityId,
    product: ProductId,
    /// Least total lead time from the facility to the buyer.
    offset: usize,
    /// Steps (inputs, transfers) from an allowed source.
    depth: u8,
}

/// The plan's figures in dense, scenario-indexed form.
struct Facts<'a> {
    s: &'a Scenario,
    n: usize,
    network: Network,
    /// Backlog plus lost per demand and period.
    short: Vec<Vec<f64>>,
    /// Capacity units used per line and period (`l * n + t`).
    used: Vec<f64>,
    /// Capacity per line and period, with expansions taken (`l * n + t`).
    capacity: Vec<f64>,
    /// End-of-period stock per (facility, product) with any.
    stock: HashMap<(FacilityId, ProductId), Vec<f64>>,
    /// Shadow prices per (line, period), when the plan has duals.
    duals: Option<HashMap<(LineId, usize), f64>>,
    /// Indices into `network.ship_pairs` per demand.
    pairs_of: Vec<Vec<usize>>,
    /// Allowed transfers into each (facility, product): (from, lead).
    feeders: HashMap<(FacilityId, ProductId), Vec<(FacilityId, usize)>>,
}

impl<'a> Facts<'a> {
    fn new(s: &'a Scenario, plan: &Plan) -> Self {
        let n = s.periods();
        let network = Network::new(s);
        let mut short = vec![vec![0.0; n]; s.demands.len()];
        for r in plan.demand.iter().filter(|r| r.period < n) {
            short[r.demand.index()][r.period] += r.backlog + r.lost;
        }
        let mut used = vec![0.0; s.lines.len() * n];
        for r in plan.production.iter().filter(|r| r.period < n) {
            let line = &s.lines[r.line.index()];
            let rate = line
                .products
                .iter()
                .find(|lp| lp.product == r.product)
                .map_or(0.0, |lp| lp.rate);
            used[r.line.index() * n + r.period] += rate * r.quantity;
        }
        let mut capacity: Vec<f64> = s.lines.iter().flat_map(|l| l.capacity.clone()).collect();
        for r in &plan.expansions {
            let e = &s.expansions[r.expansion.index()];
            for t in r.available.min(n)..n {
                capacity[e.line.index() * n + t] += e.capacity * r.fraction;
            }
        }
        let mut stock: HashMap<(FacilityId, ProductId), Vec<f64>> = HashMap::new();
        for r in plan.stock.iter().filter(|r| r.period < n) {
            stock
                .entry((r.facility, r.product))
                .or_insert_with(|| vec![0.0; n])[r.period] += r.quantity;
        }
        let duals = plan.capacity_duals.as_ref().map(|duals| {
            duals
                .iter()
                .map(|x| ((x.line, x.period), x.shadow_price))
                .collect()
        });
        let mut pairs_of = vec![Vec::new(); s.demands.len()];
        for (i, pair) in network.ship_pairs.iter().enumerate() {
            pairs_of[pair.demand.index()].push(i);
        }
        let mut feeders: HashMap<(FacilityId, ProductId), Vec<(FacilityId, usize)>> =
            HashMap::new();
        for pair in network.transfer_pairs.iter().filter(|p| p.open.somewhere()) {
            for &p in &pair.products {
                feeders
                    .entry((pair.to, p))
                    .or_default()
                    .push((pair.from, pair.lead));
            }
        }
        Self {
            s,
            n,
            network,
            short,
            used,
            capacity,
            stock,
            duals,
            pairs_of,
            feeders,
        }
    }

    fn stock_at(&self, f: FacilityId, p: ProductId, t: usize) -> f64 {
        self.stock.get(&(f, p)).map_or(0.0, |levels| levels[t])
    }

    /// Whether line `l` used all its capacity in period `t`.
    fn is_full(&self, l: LineId, t: usize) -> bool {
        let (used, cap) = (
            self.used[l.index() * self.n + t],
            self.capacity[l.index() * self.n + t],
        );
        used >= cap - TOL * cap.max(1.0)
    }

    /// What `f` had spare of `p` over `periods`.
    fn spare(&self, f: FacilityId, p: ProductId, periods: &[usize]) -> Spare {
        let stock = periods
            .iter()
            .map(|&t| self.stock_at(f, p, t))
            .fold(0.0, f64::max);
        let mut unused_capacity = 0.0;
        for &l in &self.s.facilities[f.index()].lines {
            let line = &self.s.lines[l.index()];
            let Some(lp) = line.products.iter().find(|lp| lp.product == p) else {
                continue;
            };
            for &t in periods {
                let slack =
                    self.capacity[l.index() * self.n + t] - self.used[l.index() * self.n + t];
                if slack > TOL {
                    unused_capacity += slack / lp.rate;
                }
            }
        }
        Spare {
            stock,
            unused_capacity,
        }
    }

    /// Every cause found for demand `d`, short in `periods`, with its rank.
    fn causes(&self, d: DemandId, periods: &[usize]) -> Vec<Ranked> {
        let demand = &self.s.demands[d.index()];
        let pairs: Vec<_> = self.pairs_of[d.index()]
            .iter()
            .map(|&i| &self.network.ship_pairs[i])
            .collect();
        // A pair open in some periods (time windows) is a source; if a
        // policy denies it in others, it is also named as a denial below.
        let allowed: Vec<(FacilityId, usize)> = pairs
            .iter()
            .filter(|p| p.open.somewhere())
            .map(|p| (p.facility, p.lead))
            .collect();
        let mut out = Vec::new();
        if allowed.is_empty() {
            let cause = Cause::NoSource {
                product: demand.product,
                denied_holders: pairs.len(),
            };
            out.push((0, 0.0, cause));
        }
        // Whether a source may send in departure period t (time windows).
        let open = |f: FacilityId, t: usize| pairs.iter().any(|p| p.facility == f && p.open.at(t));
        self.lead_times(d, &allowed, &open, periods, &mut out);
        self.lines(demand.product, &allowed, periods, &mut out);
        // Sources every policy allows whose route is closed in some short
        // period's departure period.
        for pair in pairs.iter().filter(|p| p.verdict.is_allowed()) {
            let Some(window) = self
                .s
                .route_window(self.s.facilities[pair.facility.index()].actor, demand.buyer)
            else {
                continue;
            };
            let closed = periods
                .iter()
                .any(|&t| t >= pair.lead && !pair.open.at(t - pair.lead));
            if !closed {
                continue;
            }
            // Spare over every short period, as for a policy's denial.
            let spare = self.spare(pair.facility, demand.product, periods);
            let group = if spare.any() { 3 } else { 7 };
            out.push((
                group,
                spare.total(),
                Cause::RouteClosed {
                    facility: pair.facility,
                    product: demand.product,
                    buyer: demand.buyer,
                    window,
                    spare,
                },
            ));
        }
        for pair in pairs.iter().filter(|p| !p.verdict.is_allowed()) {
            let spare = self.spare(pair.facility, demand.product, periods);
            let group = if spare.any() { 3 } else { 7 };
            out.push((
                group,
                spare.total(),
                Cause::Denied {
                    facility: pair.facility,
                    product: demand.product,
                    verdict: pair.verdict,
                    spare,
                },
            ));
        }
        out
    }

    /// Lead-time causes, and allowed sources whose spare stock in time was
    /// not sent.
    fn lead_times(
        &self,
        d: DemandId,
        allowed: &[(FacilityId, usize)],
        open: &dyn Fn(FacilityId, usize) -> bool,
        periods: &[usize],
        out: &mut Vec<Ranked>,
    ) {
        let p = self.s.demands[d.index()].product;
        let Some(&(fastest, shortest)) = allowed.iter().min_by_key(|(f, lead)| (*lead, *f)) else {
            return;
        };
        let unreachable: Vec<usize> = periods.iter().copied().filter(|&t| t < shortest).collect();
        if !unreachable.is_empty() {
            let shortage = unreachable.iter().map(|&t| self.short[d.index()][t]).sum();
            out.push((
                1,
                shortage,
                Cause::LeadTime {
                    facility: fastest,
                    product: p,
                    lead_time: shortest,
                    spare: self.spare(fastest, p, &unreachable),
                    periods: unreachable,
                    every_source: true,
                },
            ));
        }
        for &(f, lead) in allowed {
            let late: Vec<usize> = periods.iter().copied().filter(|&t| t < lead).collect();
            let spare = self.spare(f, p, &late);
            if lead > shortest && !late.is_empty() && spare.any() {
                out.push((
                    6,
                    spare.total(),
                    Cause::LeadTime {
                        facility: f,
                        product: p,
                        lead_time: lead,
                        periods: late,
                        every_source: false,
                        spare,
                    },
                ));
            }
            let departures: Vec<usize> = periods
                .iter()
                .filter(|&&t| t >= lead)
                .map(|&t| t - lead)
                .filter(|&t| open(f, t) && self.stock_at(f, p, t) > TOL)
                .collect();
            if !departures.is_empty() {
                let stock = departures
                    .iter()
                    .map(|&t| self.stock_at(f, p, t))
                    .fold(0.0, f64::max);
                out.push((
                    6,
                    stock,
                    Cause::SpareUnshipped {
                        facility: f,
                        product: p,
                        periods: departures,
                        stock,
                    },
                ));
            }
        }
    }

    /// The (facility, product) pairs within [`MAX_DEPTH`] steps of the
    /// allowed sources, nearest first, with the least lead time to the buyer.
    fn reach(&self, p: ProductId, allowed: &[(FacilityId, usize)]) -> Vec<Reach> {
        let mut best: HashMap<(FacilityId, ProductId), usize> = HashMap::new();
        let mut order: Vec<Reach> = Vec::new();
        let mut frontier: Vec<Reach> = Vec::new();
        let mut visit = |r: Reach, frontier: &mut Vec<Reach>| {
            let known = best.entry((r.facility, r.product)).or_insert(usize::MAX);
            if r.offset < *known {
                *known = r.offset;
                order.push(r);
                frontier.push(r);
            }
        };
        for &(facility, offset) in allowed {
            let start = Reach {
                facility,
                product: p,
                offset,
                depth: 0,
            };
            visit(start, &mut frontier);
        }
        for depth in 1..=MAX_DEPTH {
            let current = std::mem::take(&mut frontier);
            for r in current {
                if self.network.held.is_made(r.facility, r.product) {
                    for &(input, _) in &self.s.products[r.product.index()].inputs {
                        let next = Reach {
                            product: input,
                            depth,
                            ..r
                        };
                        visit(next, &mut frontier);
                    }
                }
                for &(from, lead) in self
                    .feeders
                    .get(&(r.facility, r.product))
                    .into_iter()
                    .flatten()
                {
                    let next = Reach {
                        facility: from,
                        offset: r.offset + lead,
                        depth,
                        ..r
                    };
                    visit(next, &mut frontier);
                }
            }
        }
        // Keep the entry with the least lead time per pair.
        order.retain(|r| best.get(&(r.facility, r.product)) == Some(&r.offset));
        order.sort_by_key(|r| (r.depth, r.offset, r.facility, r.product));
        order.dedup_by_key(|r| (r.facility, r.product));
        order
    }

    /// Capacity-bound lines and missing inputs among the lines that could
    /// serve a demand for `p` from `allowed`, short in `periods`.
    fn lines(
        &self,
        p: ProductId,
        allowed: &[(FacilityId, usize)],
        periods: &[usize],
        out: &mut Vec<Ranked>,
    ) {
        let mut seen_lines = HashSet::new();
        for r in self.reach(p, allowed) {
            let shifted: Vec<usize> = periods
                .iter()
                .filter(|&&t| t >= r.offset)
                .map(|&t| t - r.offset)
                .collect();
            if shifted.is_empty() {
                continue;
            }
            for &l in &self.s.facilities[r.facility.index()].lines {
                let line = &self.s.lines[l.index()];
                if !line.products.iter().any(|lp| lp.product == r.product) {
                    continue;
                }
                if seen_lines.insert(l) {
                    self.capacity_bound(l, r, &shifted, out);
                }
                self.input_shortage(l, r, &shifted, out);
            }
        }
    }

    fn capacity_bound(&self, l: LineId, r: Reach, shifted: &[usize], out: &mut Vec<Ranked>) {
        let full: Vec<usize> = shifted
            .iter()
            .copied()
            .filter(|&t| self.is_full(l, t))
            .collect();
        if full.is_empty() {
            return;
        }
        let cell = |t: usize| l.index() * self.n + t;
        let used = full.iter().map(|&t| self.used[cell(t)]).sum();
        let capacity = full.iter().map(|&t| self.capacity[cell(t)]).sum();
        let shadow_price = self.duals.as_ref().map(|duals| {
            full.iter()
                .map(|&t| duals.get(&(l, t)).copied().unwrap_or(0.0))
                .fold(0.0, f64::max)
        });
        let (group, magnitude) = match shadow_price {
            Some(price) if price > TOL => (2, price),
            None if r.depth == 0 => (2, full.len() as f64),
            _ => (5, full.len() as f64),
        };
        out.push((
            group,
            magnitude,
            Cause::CapacityBound {
                line: l,
                product: r.product,
                periods: full,
                used,
                capacity,
                shadow_price,
            },
        ));
    }

    fn input_shortage(&self, l: LineId, r: Reach, shifted: &[usize], out: &mut Vec<Ranked>) {
        let spare: Vec<usize> = shifted
            .iter()
            .copied()
            .filter(|&t| !self.is_full(l, t))
            .collect();
        if spare.is_empty() {
            return;
        }
        for &(input, _) in &self.s.products[r.product.index()].inputs {
            let periods: Vec<usize> = spare
                .iter()
                .copied()
                .filter(|&t| self.stock_at(r.facility, input, t) <= TOL)
                .collect();
            if !periods.is_empty() {
                out.push((
                    4,
                    periods.len() as f64,
                    Cause::InputShortage {
                        facility: r.facility,
                        line: l,
                        product: r.product,
                        input,
                        periods,
                    },
                ));
            }
        }
    }
}

/// `first..last` as labels, or one label when they are equal.
fn span_text(scenario: &Scenario, first: usize, last: usize) -> String {
    let label = |t: usize| scenario.calendar.label(t);
    if first == last {
        label(first)
    } else {
        format!("{}..{}", label(first), label(last))
    }
}

/// Period labels with consecutive runs joined, e.g. `2026-01..2026-03, 2026-05`.
/// Why a closed route carries nothing: `route DEU -> UKR is open for
/// departures in 2026-01..2026-04 only`.
pub(crate) fn route_closed_reason(
    s: &Scenario,
    facility: FacilityId,
    buyer: ActorId,
    window: Window,
) -> String {
    let from = s.facilities[facility.index()].actor;
    format!(
        "route {} -> {} is open for departures in {} only",
        s.actors[from.index()].id,
        s.actors[buyer.index()].id,
        window.describe(&s.calendar)
    )
}

fn periods_text(scenario: &Scenario, periods: &[usize]) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &t in periods {
        match runs.last_mut() {
            Some((_, end)) if t == *end + 1 => *end = t,
            Some((_, end)) if t == *end => {}
            _ => runs.push((t, t)),
        }
    }
    runs.iter()
        .map(|&(a, b)| span_text(scenario, a, b))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn why_capacity() -> Scenario {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../planner/tests/fixtures/why-capacity.toml");
        caisson_scenario::load_path(&path)
            .unwrap_or_else(|e| panic!("why-capacity.toml loads: {e:?}"))
            .scenario
    }

    /// Describes `cause` in both styles.
    fn both(s: &Scenario, cause: &Cause) -> (String, String) {
        (
            cause.describe(s, Quantities::Exact),
            cause.describe(s, Quantities::Whole),
        )
    }

    #[test]
    fn unit_counts_are_exact_for_the_document_and_whole_for_people() {
        let s = why_capacity();
        let unshipped = Cause::SpareUnshipped {
            facility: FacilityId::new(0),
            product: ProductId::new(0),
            periods: vec![0, 1],
            stock: 1234.56,
        };
        let (exact, whole) = both(&s, &unshipped);
        assert!(exact.contains("held 1234.56 "), "{exact}");
        assert!(whole.contains("held 1,235 "), "{whole}");
        assert!(whole.contains("2026-01..2026-02"), "{whole}");

        let heading = ShortageExplanation {
            demand: DemandId::new(0),
            short_periods: ShortPeriods {
                first: 0,
                last: 2,
                count: 3,
                total_shortage: 1234.56,
            },
            causes: vec![unshipped],
            omitted: 0,
        };
        let exact = heading.describe(&s, Quantities::Exact);
        let whole = heading.describe(&s, Quantities::Whole);
        assert!(
            exact.contains("(3 period(s), 1234.56 units lost)"),
            "{exact}"
        );
        assert!(whole.contains("(3 period(s), 1,235 units lost)"), "{whole}");
    }

    #[test]
    fn spare_stock_and_capacity_are_unit_counts() {
        let s = why_capacity();
        let lead = Cause::LeadTime {
            facility: FacilityId::new(0),
            product: ProductId::new(0),
            lead_time: 2,
            periods: vec![0],
            every_source: false,
            spare: Spare {
                stock: 1234.56,
                unused_capacity: 0.4,
            },
        };
        let (exact, whole) = both(&s, &lead);
        assert!(
            exact.contains("1234.56 unit in stock and capacity for 0.4 more"),
            "{exact}"
        );
        assert!(
            whole.contains("1,235 unit in stock and capacity for 0 more"),
            "{whole}"
        );
        // The lead time is a number of periods, not a count of units.
        assert!(whole.contains("takes 2 period(s)"), "{whole}");
    }

    #[test]
    fn prices_keep_their_cents_when_capacity_is_whole() {
        let s = why_capacity();
        let bound = Cause::CapacityBound {
            line: LineId::new(0),
            product: ProductId::new(0),
            periods: vec![0, 1, 2],
            used: 29999.5,
            capacity: 30000.0,
            shadow_price: Some(1234.56),
        };
        let (exact, whole) = both(&s, &bound);
        assert!(
            exact.contains("(29999.5 of 30000 capacity units)"),
            "{exact}"
        );
        assert!(
            whole.contains("(30,000 of 30,000 capacity units)"),
            "{whole}"
        );
        assert!(exact.contains("save up to 1234.56 "), "{exact}");
        assert!(whole.contains("save up to 1,234.56 "), "{whole}");
    }
}
