//! Re-solving one built model for many variants of a scenario.
//!
//! `risk` re-plans a scenario many times with one supplier lost or one
//! policy lifted. Each of those variants is the base model with some flows
//! closed or opened, so instead of building and loading a model per variant
//! the [`Resolver`] builds one *superset* model (every shipment and transfer
//! that holds a product, denied ones included with upper bound 0), and each
//! [`Worker`] loads it once into HiGHS and re-solves it with the variant's
//! bounds. A closed flow is a column fixed at 0, a lifted denial a column
//! freed, a removed facility's stock balance a free row: HiGHS's presolve
//! removes what is fixed, so the optimum is that of the variant's own model.
//!
//! A variant whose model has the base's structure and differs only in
//! right-hand sides (demands, capacities, initial stock, contract
//! quantities), costs and expansion capacities ([`Case::Edited`]: what
//! `simulate` draws and many of `compare`'s variants) is a change of bounds,
//! costs and a few matrix values of the same model: the superset model has
//! a capacity row and production columns for every line and period and a
//! row for every contract period, whatever the quantities, so that an
//! outage or a zero commitment does not remove them (see `Columns`).
//! Anything else is refused with a [`ResolveError`], and the caller plans
//! the variant from scratch.
//!
//! A re-solve never depends on earlier ones: every solve sets the whole
//! variant's bounds (not a change relative to the previous variant) and
//! clears HiGHS's previous solution, which HiGHS would otherwise use as a
//! starting point. An optional start ([`Worker::solve`]) is derived from the
//! baseline solution only.

use std::collections::HashMap;
use std::time::Instant;

use caisson_model::{ContractId, DemandId, FacilityId, ProductId, Scenario};
use highs::{HighsModelStatus, HighsSolutionStatus, Model, Sense};

use crate::build::{Columns, Formulation, Pooling};
use crate::error::PlanError;
use crate::ffi;
use crate::options::PlanOptions;
use crate::solve::{apply_options, read_flows, status_of};
use crate::vars::{RowKey, Var};
use crate::warm::{WarmBasis, Warmed};
use caisson_plan::clean;
use caisson_plan::{Flows, SolutionInfo};
use caisson_plan::{ModelStats, Plan, PlanStatus};
use caisson_plan::{Network, Open};

/// Why a variant cannot be solved as a bound change of the base model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolveError {
    /// The variant changes more than policies and contracts.
    #[error(
        "the variant differs from the base scenario in more than its policies and contracts; \
         plan it on its own"
    )]
    NotBoundsOnly,
    /// The variant has a contract the base does not have.
    #[error("contract `{0}` of the variant is not a contract of the base scenario")]
    NewContract(String),
    /// A facility index outside the scenario.
    #[error("facility index {0} is out of range")]
    NoFacility(usize),
    /// The variant's model does not have the base model's structure (other
    /// entities, bills of materials, line products or rates, expansion
    /// terms, route lead times, ...): it is not an edit of quantities and
    /// costs.
    #[error("the variant's model has another structure than the base's ({0}); plan it on its own")]
    Structure(String),
}

/// What one re-solve changes against the base scenario.
#[derive(Debug, Clone, Copy)]
pub enum Case<'v> {
    /// The base scenario itself.
    Base,
    /// A scenario with the base's actors, products, facilities, lines,
    /// expansions, routes and demands whose policies differ and whose
    /// contracts are a subset of the base's (matched by id): an exporter
    /// lost through a policy, or a policy lifted.
    Variant(&'v Scenario),
    /// The base without one facility: its production, stock, expansions,
    /// shipments and transfers (in and out), and the contracts it supplies.
    /// The solution keeps the base's indices; the caller maps it onto the
    /// scenario without the facility.
    WithoutFacility(FacilityId),
    /// A scenario whose model has the base's structure (same entities in
    /// the same order, bills of materials, line products and rates,
    /// expansion terms, route lead times, stock products, demands' and
    /// contracts' parties) and differs in quantities (demand, capacity,
    /// initial stock, contract quantities, expansion capacities), costs
    /// (production, routes, holding, penalties, capex) and policies: a
    /// `simulate` sample without route delays, or a `compare` variant.
    Edited(&'v Scenario),
}

/// The bounds of one case, computed by [`Resolver::bounds`].
#[derive(Debug, Clone, PartialEq)]
pub struct Bounds {
    pub(crate) col_upper: Vec<f64>,
    row_bounds: Vec<(f64, f64)>,
    /// Per facility: its stock balance rows are free (the facility is gone).
    facility_gone: Vec<bool>,
    /// Per contract: its shortfall rows are free (the contract is dropped).
    contract_gone: Vec<bool>,
    /// Every column's objective cost.
    col_cost: Vec<f64>,
    /// The values of the model's expansion entries (`Formulation`'s
    /// `expansion_entries`, in order).
    coefficients: Vec<f64>,
    /// Whether quantities or costs differ from the base's (the base
    /// solution then cannot be adapted here; HiGHS completes it).
    pub(crate) edited: bool,
}

impl Bounds {
    /// Whether every column open in `other` is open here too, so a solution
    /// of `other` fits these bounds unchanged.
    pub(crate) fn opens_all_of(&self, other: &Bounds) -> bool {
        self.loosens(other)
            && self.row_bounds == other.row_bounds
            && self.col_cost == other.col_cost
    }

    /// Whether these bounds are nowhere tighter than `other`'s, with the
    /// same coefficients (costs may differ): the values of a basis solved
    /// for `other` then stay within these bounds, so the basis is a
    /// primal feasible start here (a policy lifted, a facility kept).
    pub(crate) fn loosens(&self, other: &Bounds) -> bool {
        self.col_upper
            .iter()
            .zip(&other.col_upper)
            .all(|(mine, theirs)| mine >= theirs)
            && self
                .row_bounds
                .iter()
                .zip(&other.row_bounds)
                .all(|(mine, theirs)| mine.0 <= theirs.0 && mine.1 >= theirs.1)
            && self.coefficients == other.coefficients
    }
}

/// One model built for a base scenario and its variants; see the module
/// documentation. Shared (by reference) by every [`Worker`].
#[derive(Debug)]
pub struct Resolver<'s> {
    pub(crate) scenario: &'s Scenario,
    pub(crate) formulation: Formulation,
    /// Which columns and rows the model has.
    columns: Columns,
    /// s[f,p,t] column by `(f, p, t)`.
    stock: HashMap<(usize, usize, u32), usize>,
    /// The b or u column of demand `d` in period `t`, at `d * n + t`.
    slack: Vec<usize>,
    /// v[c,t] column by `(c, t)`.
    shortfall: HashMap<(usize, u32), usize>,
    /// Send and receive columns of each pooled transfer by `(pool, t)`.
    pooled: HashMap<(u32, u32), (Vec<usize>, Vec<usize>)>,
    pub(crate) base: Bounds,
}

impl<'s> Resolver<'s> {
    /// Builds the superset model of `scenario` for [`Case::Variant`] and
    /// [`Case::WithoutFacility`] (`risk`'s edits). [`Case::Edited`] works
    /// too, but refuses what removes rows or columns of `scenario`'s model
    /// (an outage, a commitment dropped to 0): use [`Resolver::for_edits`].
    pub fn new(scenario: &'s Scenario) -> Self {
        Self::with_columns(scenario, Columns::Superset)
    }

    /// Builds the superset model of `scenario` with every capacity row,
    /// production column and contract row, whatever the quantities, so that
    /// any [`Case::Edited`] of the same structure is a change of bounds,
    /// costs and expansion coefficients (`simulate`, `compare`).
    pub fn for_edits(scenario: &'s Scenario) -> Self {
        Self::with_columns(scenario, Columns::Edits)
    }

    fn with_columns(scenario: &'s Scenario, columns: Columns) -> Self {
        let formulation = Formulation::build_with(scenario, columns, Pooling::Pooled);
        let n = scenario.periods();
        let mut stock = HashMap::new();
        let mut slack = vec![usize::MAX; scenario.demands.len() * n];
        let mut shortfall = HashMap::new();
        let mut pooled: HashMap<(u32, u32), (Vec<usize>, Vec<usize>)> = HashMap::new();
        for (i, var) in formulation.cols.iter().enumerate() {
            match *var {
                Var::Send { pool, t, .. } => pooled.entry((pool, t)).or_default().0.push(i),
                Var::Receive { pool, t, .. } => pooled.entry((pool, t)).or_default().1.push(i),
                Var::S {
                    facility,
                    product,
                    t,
                } => {
                    stock.insert((facility.index(), product.index(), t), i);
                }
                Var::B { demand, t } | Var::U { demand, t } => {
                    slack[demand.index() * n + t as usize] = i;
                }
                Var::V { contract, t } => {
                    shortfall.insert((contract.index(), t), i);
                }
                _ => {}
            }
        }
        let base = Bounds {
            col_upper: formulation.col_upper.clone(),
            row_bounds: formulation.row_bounds.clone(),
            facility_gone: vec![false; scenario.facilities.len()],
            contract_gone: vec![false; scenario.contracts.len()],
            col_cost: formulation.col_cost.clone(),
            coefficients: formulation.expansion_entries.iter().map(|e| e.2).collect(),
            edited: false,
        };
        Self {
            scenario,
            formulation,
            columns,
            stock,
            slack,
            shortfall,
            pooled,
            base,
        }
    }

    /// Size and build time of the superset model (its columns include the
    /// denied flows, so they are not what `caisson plan` reports).
    pub fn stats(&self) -> &ModelStats {
        &self.formulation.stats
    }

    /// Whether the model has integer columns.
    pub fn is_mip(&self) -> bool {
        self.formulation.has_integer
    }

    /// The bounds of `case`.
    pub fn bounds(&self, case: Case<'_>) -> Result<Bounds, ResolveError> {
        let base = self.scenario;
        match case {
            Case::Base => Ok(self.base.clone()),
            Case::Variant(variant) => {
                let contract_gone = kept_contracts(base, variant)?;
                let mut probe = variant.clone();
                probe.policies.clone_from(&base.policies);
                probe.contracts.clone_from(&base.contracts);
                if probe != *base {
                    return Err(ResolveError::NotBoundsOnly);
                }
                let network = Network::new(variant);
                Ok(self.bounds_for(&network, vec![false; base.facilities.len()], contract_gone))
            }
            Case::WithoutFacility(facility) => {
                if facility.index() >= base.facilities.len() {
                    return Err(ResolveError::NoFacility(facility.index()));
                }
                let mut gone = vec![false; base.facilities.len()];
                gone[facility.index()] = true;
                let contract_gone = base
                    .contracts
                    .iter()
                    .map(|c| c.facility == facility)
                    .collect();
                Ok(self.bounds_for(&self.formulation.network, gone, contract_gone))
            }
            Case::Edited(variant) => self.edited(variant),
        }
    }

    /// Whether `variant` may be an [`Case::Edited`] case: the cheap,
    /// entity-level half of the check [`Resolver::bounds`] makes (which
    /// also compares the built models).
    pub fn check_structure(&self, variant: &Scenario) -> Result<(), ResolveError> {
        crate::structure::same_structure(self.scenario, variant).map_err(ResolveError::Structure)
    }

    /// The bounds, costs and coefficients of `variant`, read from its own
    /// superset model after checking that the model has the base model's
    /// columns, rows and matrix (all but the expansion entries' values).
    fn edited(&self, variant: &Scenario) -> Result<Bounds, ResolveError> {
        let base = self.scenario;
        crate::structure::same_structure(base, variant).map_err(ResolveError::Structure)?;
        let own = &self.formulation;
        let f = Formulation::build_with(variant, self.columns, Pooling::Pooled);
        let differs = |what: &str| Err(ResolveError::Structure(what.to_owned()));
        if f.cols != own.cols {
            return differs("the model's columns");
        }
        if f.rows != own.rows {
            return differs("the model's rows");
        }
        if f.fingerprint != own.fingerprint || f.has_integer != own.has_integer {
            return differs("the model's matrix");
        }
        let positions = |f: &Formulation| -> Vec<(usize, usize)> {
            f.expansion_entries.iter().map(|e| (e.0, e.1)).collect()
        };
        if positions(&f) != positions(own) {
            return differs("the expansions' entries in the matrix");
        }
        let pool_shape = |f: &Formulation| -> Vec<_> {
            f.pools
                .list
                .iter()
                .map(|p| {
                    let receivers: Vec<_> =
                        p.receivers.iter().map(|r| (r.facility, r.lead)).collect();
                    (p.actor, p.product, p.senders.clone(), receivers)
                })
                .collect()
        };
        if pool_shape(&f) != pool_shape(own) {
            return differs("the transfer pools");
        }
        Ok(Bounds {
            col_upper: f.col_upper,
            row_bounds: f.row_bounds,
            facility_gone: vec![false; base.facilities.len()],
            contract_gone: vec![false; base.contracts.len()],
            col_cost: f.col_cost,
            coefficients: f.expansion_entries.iter().map(|e| e.2).collect(),
            edited: true,
        })
    }

    /// Column and row bounds when `network` decides which flows are
    /// allowed, the facilities of `facility_gone` are removed and the
    /// contracts of `contract_gone` dropped.
    fn bounds_for(
        &self,
        network: &Network,
        facility_gone: Vec<bool>,
        contract_gone: Vec<bool>,
    ) -> Bounds {
        let s = self.scenario;
        let (facilities, demands) = (s.facilities.len(), s.demands.len());
        // Which periods each pair is open in (policies' and routes' time
        // windows make it a matter of the departure period).
        let never = Open::Never;
        let mut ship_open: Vec<&Open> = vec![&never; facilities * demands];
        for pair in &network.ship_pairs {
            ship_open[pair.facility.index() * demands + pair.demand.index()] = &pair.open;
        }
        let mut transfer_open: Vec<&Open> = vec![&never; facilities * facilities];
        for pair in &network.transfer_pairs {
            transfer_open[pair.from.index() * facilities + pair.to.index()] = &pair.open;
        }
        // Every pair of a pool shares the openness of its actors' leg.
        let actors = s.actors.len();
        let mut leg_open: Vec<&Open> = vec![&never; actors * actors];
        for pair in &network.transfer_pairs {
            let (a, b) = (
                s.facilities[pair.from.index()].actor,
                s.facilities[pair.to.index()].actor,
            );
            leg_open[a.index() * actors + b.index()] = &pair.open;
        }
        let pools = &self.formulation.pools.list;
        let actor = |f: FacilityId| s.facilities[f.index()].actor;
        let receive_open = |pool: u32, to: FacilityId, t: u32| {
            let from = pools[pool as usize].actor;
            // At home no policy applies; only a route's window may close it.
            if from == actor(to) {
                return s.route_open(from, from, t as usize);
            }
            leg_open[from.index() * actors + actor(to).index()].at(t as usize)
        };
        let gone = |f: FacilityId| facility_gone[f.index()];
        let base = &self.base;
        let col_upper = self
            .formulation
            .cols
            .iter()
            .zip(&base.col_upper)
            .map(|(var, &upper)| {
                let open = match *var {
                    Var::X { line, .. } => !gone(s.lines[line.index()].facility),
                    Var::Y { expansion, .. } => !gone(s.expansions[expansion.index()].facility),
                    Var::Z {
                        facility,
                        demand,
                        t,
                    } => {
                        // An allowed shipment column has no upper bound
                        // (whether or not the base allowed it).
                        return if gone(facility)
                            || !ship_open[facility.index() * demands + demand.index()]
                                .at(t as usize)
                        {
                            0.0
                        } else {
                            f64::INFINITY
                        };
                    }
                    Var::W { from, to, t, .. } => {
                        return if gone(from)
                            || gone(to)
                            || !transfer_open[from.index() * facilities + to.index()].at(t as usize)
                        {
                            0.0
                        } else {
                            f64::INFINITY
                        };
                    }
                    Var::Send { from, .. } => {
                        return if gone(from) { 0.0 } else { f64::INFINITY };
                    }
                    Var::Receive { pool, to, t } => {
                        return if gone(to) || !receive_open(pool, to, t) {
                            0.0
                        } else {
                            f64::INFINITY
                        };
                    }
                    Var::S { facility, .. } => !gone(facility),
                    Var::B { .. } | Var::U { .. } => true,
                    Var::V { contract, .. } | Var::Spot { contract, .. } => {
                        !contract_gone[contract.index()]
                    }
                };
                if open {
                    upper
                } else {
                    0.0
                }
            })
            .collect();
        let free = (f64::NEG_INFINITY, f64::INFINITY);
        let row_bounds = self
            .formulation
            .rows
            .iter()
            .zip(&base.row_bounds)
            .map(|(key, &bounds)| match *key {
                RowKey::Balance { facility, .. } if gone(facility) => free,
                RowKey::Contract { contract, .. } if contract_gone[contract.index()] => free,
                _ => bounds,
            })
            .collect();
        Bounds {
            col_upper,
            row_bounds,
            facility_gone,
            contract_gone,
            col_cost: base.col_cost.clone(),
            coefficients: base.coefficients.clone(),
            edited: false,
        }
    }

    /// The plan of `scenario` (the case `resolved` solved) as
    /// [`plan`](crate::plan) would give it on its own: its flows, the
    /// model's figures (this model's: a superset of the scenario's own)
    /// and, when an LP proved it (the base of warm re-plans, or a case
    /// whose options ask for capacity duals), the
    /// capacity shadow prices of that LP, for the capacity rows the
    /// scenario's own model has. The LP is the one a plan of its own
    /// takes its duals from too: the LP with the integer decisions fixed
    /// (`crate::relax`), so they price capacity with the expansions as
    /// planned. On a degenerate optimum they may be another dual solution
    /// than a plan on its own finds, as the flows may be another of the
    /// optimal plans.
    pub fn own_plan(&self, resolved: &Resolved, scenario: &Scenario) -> Plan {
        let mut plan = resolved.plan(scenario, &resolved.flows);
        if !resolved.status.has_solution() {
            return plan;
        }
        let f = &self.formulation;
        plan.capacity_duals = resolved
            .row_duals
            .as_deref()
            .map(|duals| crate::solve::capacity_duals(f, scenario, duals));
        plan.model = Some(caisson_plan::ModelStats {
            solve_seconds: resolved.solve_seconds,
            started: resolved.started,
            solver_objective: resolved.objective,
            proven_by_relaxation: resolved.warm,
            ..f.stats.clone()
        });
        plan
    }

    /// Loads the model into a new HiGHS instance with `options` (threads,
    /// gap, time limit). Capacity duals cost no LP of their own here: a
    /// case keeps the row duals of the LP that proved it when
    /// `options.capacity_duals` asks (the base of warm re-plans always),
    /// for [`Resolver::own_plan`].
    pub fn worker(&self, options: &PlanOptions) -> Result<Worker<'_, 's>, PlanError> {
        let mut worker = Worker {
            resolver: self,
            options: options.clone(),
            model: None,
            held: Held::of(&self.formulation),
            lp: None,
        };
        worker.load()?;
        Ok(worker)
    }

    /// The baseline solution `start` adapted to `bounds`: closed flows set
    /// to 0 and what they carried left in stock at the sender, and as
    /// backlog, lost demand or contract shortfall at the receiver. `None`
    /// when a lost transfer leaves its receiver short of an input it had no
    /// stock of (HiGHS would then have to complete the start with a solve of
    /// its own).
    pub(crate) fn start_for(&self, start: &[f64], bounds: &Bounds) -> Option<Vec<f64>> {
        let s = self.scenario;
        let n = s.periods();
        let mut values = start.to_vec();
        for (i, var) in self.formulation.cols.iter().enumerate() {
            let q = values[i];
            if q == 0.0 || bounds.col_upper[i] >= q {
                continue;
            }
            if matches!(var, Var::Send { .. } | Var::Receive { .. }) {
                // Closed as whole pairs, below.
                continue;
            }
            values[i] = 0.0;
            match *var {
                Var::Z {
                    facility,
                    demand,
                    t,
                } => {
                    let d = &s.demands[demand.index()];
                    if !bounds.facility_gone[facility.index()] {
                        self.shift_stock(&mut values, facility, d.product, t as usize, q)?;
                    }
                    let actor = s.facilities[facility.index()].actor;
                    let arrives = t as usize + s.route(actor, d.buyer).0 as usize;
                    let periods = if d.backlog {
                        arrives..n
                    } else {
                        arrives..arrives + 1
                    };
                    for later in periods {
                        let col = *self.slack.get(demand.index() * n + later)?;
                        *values.get_mut(col)? += q;
                    }
                    if let Some(c) = contract_of(s, facility, demand) {
                        if !bounds.contract_gone[c.index()] {
                            if let Some(&v) = self.shortfall.get(&(c.index(), t)) {
                                values[v] += q;
                            }
                        }
                    }
                }
                Var::W {
                    from,
                    to,
                    product,
                    t,
                } => {
                    if !bounds.facility_gone[from.index()] {
                        self.shift_stock(&mut values, from, product, t as usize, q)?;
                    }
                    if !bounds.facility_gone[to.index()] {
                        let (from_actor, to_actor) = (
                            s.facilities[from.index()].actor,
                            s.facilities[to.index()].actor,
                        );
                        let arrives = t as usize + s.route(from_actor, to_actor).0 as usize;
                        self.shift_stock(&mut values, to, product, arrives, -q)?;
                    }
                }
                // Production, expansions and stock of a removed facility,
                // and shortfalls of dropped contracts, sit only in rows
                // that are free now.
                Var::Send { .. }
                | Var::Receive { .. }
                | Var::X { .. }
                | Var::Y { .. }
                | Var::S { .. }
                | Var::V { .. }
                | Var::Spot { .. }
                | Var::B { .. }
                | Var::U { .. } => {}
            }
        }
        self.close_pooled(start, &mut values, bounds)?;
        Some(values)
    }

    /// Closes the pooled transfers `bounds` closes, pair by pair as for a
    /// w column: the baseline's pool flows are split into facility pairs
    /// (as a plan lists them), every pair with a closed end is taken out
    /// (left in stock at the sender, missing at the receiver), and the
    /// pool's columns carry what remains.
    fn close_pooled(&self, start: &[f64], values: &mut [f64], bounds: &Bounds) -> Option<()> {
        let cols = &self.formulation.cols;
        let closed = |i: usize| bounds.col_upper[i] < start[i];
        let mut keys: Vec<&(u32, u32)> = self.pooled.keys().collect();
        keys.sort_unstable();
        for key in keys {
            let (sends, receives) = &self.pooled[key];
            if !sends.iter().chain(receives).any(|&i| closed(i)) {
                continue;
            }
            let (pool_index, t) = *key;
            let pool = &self.formulation.pools.list[pool_index as usize];
            let side = |list: &[usize]| -> Vec<(FacilityId, f64)> {
                list.iter()
                    .filter_map(|&i| match cols[i] {
                        Var::Send { from: f, .. } | Var::Receive { to: f, .. } => {
                            Some((f, start[i]))
                        }
                        _ => None,
                    })
                    .collect()
            };
            let (sent, received) = (side(sends), side(receives));
            let column_of = |list: &[usize], f: FacilityId| {
                list.iter().copied().find(|&i| {
                    matches!(cols[i], Var::Send { from, .. } if from == f)
                        || matches!(cols[i], Var::Receive { to, .. } if to == f)
                })
            };
            for &i in sends.iter().chain(receives) {
                values[i] = 0.0;
            }
            for (from, to, q) in crate::pool::split(&sent, &received) {
                let (send, receive) = (column_of(sends, from)?, column_of(receives, to)?);
                if !closed(send) && !closed(receive) {
                    values[send] += q;
                    values[receive] += q;
                    continue;
                }
                if !bounds.facility_gone[from.index()] {
                    self.shift_stock(values, from, pool.product, t as usize, q)?;
                }
                if !bounds.facility_gone[to.index()] {
                    let lead = pool
                        .receivers
                        .iter()
                        .find(|r| r.facility == to)
                        .map_or(0, |r| r.lead);
                    self.shift_stock(values, to, pool.product, t as usize + lead, -q)?;
                }
            }
        }
        Some(())
    }

    /// Adds `q` to the stock of `product` at `facility` from `t` on; `None`
    /// when that would make some stock negative.
    fn shift_stock(
        &self,
        values: &mut [f64],
        facility: FacilityId,
        product: ProductId,
        t: usize,
        q: f64,
    ) -> Option<()> {
        let n = self.scenario.periods();
        let cols: Vec<usize> = (t..n)
            .map(|later| {
                self.stock
                    .get(&(facility.index(), product.index(), later as u32))
                    .copied()
            })
            .collect::<Option<_>>()?;
        if cols.iter().any(|&c| values[c] + q < -1e-9) {
            return None;
        }
        for c in cols {
            values[c] = (values[c] + q).max(0.0);
        }
        Some(())
    }
}

/// The contract a shipment from `facility` to `demand` counts towards (the
/// first matching one, as in the model).
fn contract_of(s: &Scenario, facility: FacilityId, demand: DemandId) -> Option<ContractId> {
    let d = &s.demands[demand.index()];
    s.contracts
        .iter()
        .position(|c| c.facility == facility && c.buyer == d.buyer && c.product == d.product)
        .map(ContractId::new)
}

/// Per base contract: whether `variant` dropped it. Every contract of the
/// variant must be one of the base's, unchanged.
fn kept_contracts(base: &Scenario, variant: &Scenario) -> Result<Vec<bool>, ResolveError> {
    let mut gone = vec![true; base.contracts.len()];
    for contract in &variant.contracts {
        let Some(i) = base.contracts.iter().position(|c| c.id == contract.id) else {
            return Err(ResolveError::NewContract(contract.id.clone()));
        };
        if base.contracts[i] != *contract {
            return Err(ResolveError::NotBoundsOnly);
        }
        gone[i] = false;
    }
    Ok(gone)
}

/// One HiGHS instance holding the resolver's model; it re-solves the model
/// for one case after another. HiGHS instances cannot move between threads,
/// so each thread makes its own worker.
#[derive(Debug)]
pub struct Worker<'r, 's> {
    pub(crate) resolver: &'r Resolver<'s>,
    pub(crate) options: PlanOptions,
    /// `None` after HiGHS failed to run (the instance is then gone).
    model: Option<Model>,
    /// The bounds, costs and expansion coefficients currently in `model`.
    held: Held,
    /// The model's LP relaxation for warm re-plans (`crate::warm`), loaded
    /// on first use, with what it currently holds.
    pub(crate) lp: Option<(Model, Held)>,
}

/// The bounds, costs and expansion coefficients a loaded HiGHS instance
/// currently holds, so that a re-solve changes only what differs.
#[derive(Debug, Clone)]
pub(crate) struct Held {
    col_upper: Vec<f64>,
    row_bounds: Vec<(f64, f64)>,
    col_cost: Vec<f64>,
    coefficients: Vec<f64>,
}

impl Held {
    /// What a freshly loaded instance of `f` holds.
    pub(crate) fn of(f: &Formulation) -> Self {
        Self {
            col_upper: f.col_upper.clone(),
            row_bounds: f.row_bounds.clone(),
            col_cost: f.col_cost.clone(),
            coefficients: f.expansion_entries.iter().map(|e| e.2).collect(),
        }
    }

    /// Brings `model`'s bounds, costs and expansion coefficients to
    /// `bounds`, changing only those that differ from what it holds.
    pub(crate) fn set(
        &mut self,
        model: &mut Model,
        bounds: &Bounds,
        entries: &[(usize, usize, f64)],
    ) -> Result<(), ffi::FfiError> {
        let (mut set, mut lower, mut upper) = (Vec::new(), Vec::new(), Vec::new());
        for (i, (&now, &want)) in self.col_upper.iter().zip(&bounds.col_upper).enumerate() {
            if now != want {
                set.push(i);
                lower.push(0.0);
                upper.push(want);
            }
        }
        ffi::change_col_bounds(model, &set, &lower, &upper)?;
        self.col_upper.clone_from(&bounds.col_upper);
        let (mut set, mut lower, mut upper) = (Vec::new(), Vec::new(), Vec::new());
        for (i, (&now, &want)) in self.row_bounds.iter().zip(&bounds.row_bounds).enumerate() {
            if now != want {
                set.push(i);
                lower.push(want.0);
                upper.push(want.1);
            }
        }
        ffi::change_row_bounds(model, &set, &lower, &upper)?;
        self.row_bounds.clone_from(&bounds.row_bounds);
        let (mut set, mut cost) = (Vec::new(), Vec::new());
        for (i, (&now, &want)) in self.col_cost.iter().zip(&bounds.col_cost).enumerate() {
            if now != want {
                set.push(i);
                cost.push(want);
            }
        }
        ffi::change_col_costs(model, &set, &cost)?;
        self.col_cost.clone_from(&bounds.col_cost);
        let changed: Vec<(usize, usize, f64)> = entries
            .iter()
            .zip(self.coefficients.iter().zip(&bounds.coefficients))
            .filter(|(_, (now, want))| now != want)
            .map(|(&(row, col, _), (_, &want))| (row, col, want))
            .collect();
        ffi::change_coefficients(model, &changed)?;
        self.coefficients.clone_from(&bounds.coefficients);
        Ok(())
    }
}

/// What a re-solve starts from ([`Worker::solve_with`]).
#[derive(Debug, Clone, Copy, Default)]
pub enum Start<'a> {
    /// No start: HiGHS searches from scratch.
    #[default]
    None,
    /// A solution of the base case, adapted to the case: for flows closed
    /// by a policy or a lost facility, lost flows are left in stock and as
    /// backlog (see [`Resolver`]); for an [`Case::Edited`] variant it is
    /// passed as it is, and when it does not fit the edited bounds HiGHS
    /// keeps its expansion decisions and completes them with one LP solve
    /// (`Highs::completeSolutionFromDiscreteAssignment`).
    Baseline(&'a Resolved),
    /// The greedy baseline plan of this scenario (the case's scenario, as
    /// a cold `caisson plan` starts from it).
    Greedy(&'a Scenario),
    /// The base case's simplex bases ([`Worker::warm_basis`]): the case's
    /// LP relaxation and its LP with the integer decisions fixed at the
    /// base's are solved from them; when their objectives are within the
    /// MIP gap, the fixed LP's solution is the case's plan, proven without
    /// a MIP run (`crate::warm`). Otherwise the MIP starts from that
    /// solution, or from the base's as [`Start::Baseline`] would.
    Warm(&'a WarmBasis),
}

/// The result of one re-solve.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// How the solve ended.
    pub status: PlanStatus,
    /// Why there is no solution, when there is none.
    pub message: Option<String>,
    /// The primary decisions, in the base scenario's indices (empty without
    /// a solution).
    pub flows: Flows,
    /// The solver's objective (`None` without a solution).
    pub objective: Option<f64>,
    /// Relative MIP gap reached (0 for an LP).
    pub mip_gap: f64,
    /// Seconds spent in HiGHS, setting bounds and start included.
    pub solve_seconds: f64,
    /// Whether a start solution was passed to HiGHS.
    pub started: bool,
    /// Whether the warm LPs of [`Start::Warm`] proved the solution within
    /// the gap, without a MIP run.
    pub warm: bool,
    /// `highs-mip` or `highs-lp`, as for a plan solved on its own.
    pub(crate) method: &'static str,
    /// Every column's value, to derive starts for later cases.
    pub(crate) values: Vec<f64>,
    /// Every row's dual value in the LP that proved the plan, when one did
    /// and it was the base of warm re-plans or the options ask for capacity
    /// duals ([`Resolver::own_plan`]).
    pub(crate) row_duals: Option<Vec<f64>>,
}

impl Resolved {
    fn failed(status: PlanStatus, message: String, started: Instant) -> Self {
        Self {
            status,
            message: Some(message),
            flows: Flows::default(),
            objective: None,
            mip_gap: f64::INFINITY,
            solve_seconds: started.elapsed().as_secs_f64(),
            started: false,
            warm: false,
            method: "highs",
            values: Vec::new(),
            row_duals: None,
        }
    }

    /// The plan of `scenario` made of `flows`: the re-solve's own
    /// [`Resolved::flows`] for the base and variants, or those flows mapped
    /// onto the scenario without the facility for
    /// [`Case::WithoutFacility`]. Without a solution, a plan with this
    /// status and message.
    pub fn plan(&self, scenario: &Scenario, flows: &Flows) -> Plan {
        if !self.status.has_solution() {
            return Plan::without_solution(self.status, self.method, self.message.clone());
        }
        let info = SolutionInfo {
            status: self.status,
            method: self.method.to_owned(),
            mip_gap: self.mip_gap,
        };
        Plan::from_flows(scenario, flows, info)
    }
}

impl Worker<'_, '_> {
    fn load(&mut self) -> Result<(), PlanError> {
        let f = &self.resolver.formulation;
        let mut model = f
            .problem
            .clone()
            .try_optimise(Sense::Minimise)
            .map_err(|status| PlanError::Load(format!("{status:?}")))?;
        model.make_quiet();
        apply_options(&mut model, &self.options, f.has_integer).map_err(PlanError::Load)?;
        self.model = Some(model);
        self.held = Held::of(f);
        Ok(())
    }

    /// Solves the model with `bounds`. With `start` (a solution of the
    /// base case), a MIP starts from it, adapted to the case (see
    /// [`Resolver`]'s module documentation): HiGHS then has an incumbent
    /// before its first node. The result depends only on `bounds` and
    /// `start`, never on earlier solves of this worker.
    pub fn solve(&mut self, bounds: &Bounds, start: Option<&Resolved>) -> Resolved {
        self.solve_with(bounds, start.map_or(Start::None, Start::Baseline))
    }

    /// Solves the model with `bounds`, starting a MIP from `start`. The
    /// result depends only on `bounds` and `start`, never on earlier solves
    /// of this worker.
    pub fn solve_with(&mut self, bounds: &Bounds, start: Start<'_>) -> Resolved {
        let started = Instant::now();
        let resolver = self.resolver;
        let is_mip = resolver.formulation.has_integer;
        let mut warm_start = None;
        if let Start::Warm(warm) = start {
            match self.solve_warm(bounds, warm, started) {
                Warmed::Proven(resolved, _) => return *resolved,
                Warmed::Start(values) => warm_start = Some(values),
                Warmed::Nothing => {}
            }
        }
        let start_values = match start {
            _ if !is_mip => None,
            Start::Warm(_) if warm_start.is_some() => warm_start,
            Start::Warm(w) if bounds.edited || bounds.opens_all_of(&resolver.base) => {
                Some(w.values.clone())
            }
            Start::Warm(w) => resolver.start_for(&w.values, bounds),
            Start::None => None,
            Start::Baseline(s) if !s.status.has_solution() || s.values.is_empty() => None,
            Start::Baseline(s) if bounds.edited || bounds.opens_all_of(&resolver.base) => {
                Some(s.values.clone())
            }
            Start::Baseline(s) => resolver.start_for(&s.values, bounds),
            Start::Greedy(scenario) => crate::start::greedy_start_with(
                &resolver.formulation,
                &Network::new(scenario),
                scenario,
            ),
        };
        self.run_mip(bounds, start_values, started)
    }

    /// Runs HiGHS on the model with `bounds`, a MIP from `start_values`
    /// when given.
    pub(crate) fn run_mip(
        &mut self,
        bounds: &Bounds,
        start_values: Option<Vec<f64>>,
        started: Instant,
    ) -> Resolved {
        let resolver = self.resolver;
        let is_mip = resolver.formulation.has_integer;
        if self.model.is_none() {
            if let Err(error) = self.load() {
                return Resolved::failed(PlanStatus::Error, error.to_string(), started);
            }
        }
        let Some(mut model) = self.model.take() else {
            return Resolved::failed(PlanStatus::Error, "no HiGHS model".to_owned(), started);
        };
        let entries = &resolver.formulation.expansion_entries;
        if let Err(error) = self.held.set(&mut model, bounds, entries) {
            // The instance's bounds are unknown now: load afresh next time.
            return Resolved::failed(PlanStatus::Error, error.to_string(), started);
        }
        if let Err(error) = ffi::reset_solver(&mut model) {
            return Resolved::failed(PlanStatus::Error, error.to_string(), started);
        }
        let costs = &bounds.col_cost;
        let run = match crate::solve::run_highs(model, start_values.as_deref(), costs) {
            Ok(run) => run,
            Err(message) => return Resolved::failed(PlanStatus::Error, message, started),
        };
        let (solved, passed, own_objective) = (run.solved, run.started, run.own_objective);
        let highs_status = solved.status();
        let has_primal = highs_status == HighsModelStatus::ModelEmpty
            || solved.primal_solution_status() == HighsSolutionStatus::Feasible;
        let (mut status, message) = status_of(highs_status, has_primal);
        if status == PlanStatus::Feasible && !is_mip {
            status = PlanStatus::TimeLimit;
        }
        let mut resolved = Resolved {
            status,
            message,
            flows: Flows::default(),
            objective: None,
            mip_gap: 0.0,
            solve_seconds: 0.0,
            started: passed,
            warm: false,
            method: if is_mip { "highs-mip" } else { "highs-lp" },
            values: Vec::new(),
            row_duals: None,
        };
        if status.has_solution() {
            let values = solved.get_solution().columns().to_vec();
            resolved.flows = read_flows(&resolver.formulation, resolver.scenario, &values);
            resolved.objective = Some(own_objective.unwrap_or_else(|| solved.objective_value()));
            resolved.mip_gap = match own_objective {
                Some(_) => f64::INFINITY,
                None => crate::solve::reported_gap(&solved, is_mip),
            };
            resolved.values = values.into_iter().map(clean).collect();
        }
        self.model = Some(solved.into());
        resolved.solve_seconds = started.elapsed().as_secs_f64();
        resolved
    }
}
