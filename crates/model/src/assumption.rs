//! Ranges for assumed figures (`[[assumption]]`).
//!
//! This is an extension of the spec (`docs/assumptions.md`): the planning
//! model of spec section 4 never reads these entries. Each entry names the
//! values of the scenario that rest on one assumption (or on several that
//! share a reason), why they are assumed, and how far they may plausibly be
//! off, as multipliers of the values written: `low <= 1 <= high`.
//! `caisson sensitivity` re-plans with each entry at its low and at its high
//! bound, one at a time ([`Assumption::apply`] makes those copies).

use crate::{ContractId, DemandId, ExpansionId, FacilityId, LineId, ProductId, Scenario};

/// One assumption (or a group of values that share a reason) and its range.
#[derive(Debug, Clone, PartialEq)]
pub struct Assumption {
    /// Unique id among the assumption entries.
    pub id: String,
    /// Why the values are assumed and why the range is what it is.
    pub reason: String,
    /// The smallest plausible multiplier of every targeted value (`0 <= low <= 1`).
    pub low: f64,
    /// The largest plausible multiplier of every targeted value (`high >= 1`).
    pub high: f64,
    /// The values this assumption scales, in the order written (field by
    /// field, then id by id); never empty.
    pub targets: Vec<AssumptionTarget>,
}

/// One value (or schedule) of the scenario that an assumption scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssumptionTarget {
    /// Every period's capacity of a line (`capacity = ["facility.line"]`).
    LineCapacity(LineId),
    /// The unit cost of every product of a line (`costs = ["facility.line"]`).
    LineCost(LineId),
    /// A facility's initial stock: of one product, or of every product
    /// (`stock = ["facility"]` or `["facility.product"]`).
    Stock(FacilityId, Option<ProductId>),
    /// A facility's holding cost (`holding = ["facility"]`).
    Holding(FacilityId),
    /// The capacity an expansion adds (`expansions = ["id"]`).
    ExpansionCapacity(ExpansionId),
    /// An expansion's capex (`capex = ["id"]`).
    ExpansionCapex(ExpansionId),
    /// Every period's quantity of a demand (`demands = ["id"]`).
    DemandQuantity(DemandId),
    /// A demand's shortage penalty (`penalties = ["id"]`).
    DemandPenalty(DemandId),
    /// Every period's quantity of a contract (`contracts = ["id"]`).
    ContractQuantity(ContractId),
    /// The quantity of one input per unit of a product
    /// (`inputs = ["product.input"]`).
    Input {
        /// The product made.
        product: ProductId,
        /// The input consumed.
        input: ProductId,
    },
}

/// Which bound of an assumption's range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bound {
    /// `low`.
    Low,
    /// `high`.
    High,
}

impl Bound {
    /// `"low"` or `"high"`, as in the scenario file.
    pub fn name(self) -> &'static str {
        match self {
            Bound::Low => "low",
            Bound::High => "high",
        }
    }
}

impl AssumptionTarget {
    /// The target field that names this value in a scenario file
    /// (`capacity`, `costs`, `stock`, `holding`, `expansions`, `capex`,
    /// `demands`, `penalties`, `contracts` or `inputs`).
    pub fn field(&self) -> &'static str {
        match self {
            AssumptionTarget::LineCapacity(_) => "capacity",
            AssumptionTarget::LineCost(_) => "costs",
            AssumptionTarget::Stock(..) => "stock",
            AssumptionTarget::Holding(_) => "holding",
            AssumptionTarget::ExpansionCapacity(_) => "expansions",
            AssumptionTarget::ExpansionCapex(_) => "capex",
            AssumptionTarget::DemandQuantity(_) => "demands",
            AssumptionTarget::DemandPenalty(_) => "penalties",
            AssumptionTarget::ContractQuantity(_) => "contracts",
            AssumptionTarget::Input { .. } => "inputs",
        }
    }

    /// The id naming this value in its field, as a scenario file writes it
    /// (`"facility.line"`, `"facility"`, `"facility.product"`,
    /// `"product.input"` or an entity id). `scenario` must be the one the
    /// target indexes into.
    pub fn id_text(&self, scenario: &Scenario) -> String {
        let s = scenario;
        let facility = |f: FacilityId| s.facilities[f.index()].id.as_str();
        let product = |p: ProductId| s.products[p.index()].id.as_str();
        let line = |l: LineId| {
            let line = &s.lines[l.index()];
            format!("{}.{}", facility(line.facility), line.id)
        };
        match *self {
            AssumptionTarget::LineCapacity(l) | AssumptionTarget::LineCost(l) => line(l),
            AssumptionTarget::Stock(f, None) | AssumptionTarget::Holding(f) => {
                facility(f).to_owned()
            }
            AssumptionTarget::Stock(f, Some(p)) => format!("{}.{}", facility(f), product(p)),
            AssumptionTarget::ExpansionCapacity(e) | AssumptionTarget::ExpansionCapex(e) => {
                s.expansions[e.index()].id.clone()
            }
            AssumptionTarget::DemandQuantity(d) | AssumptionTarget::DemandPenalty(d) => {
                s.demands[d.index()].id.clone()
            }
            AssumptionTarget::ContractQuantity(c) => s.contracts[c.index()].id.clone(),
            AssumptionTarget::Input { product: p, input } => {
                format!("{}.{}", product(p), product(input))
            }
        }
    }

    /// `field id`, e.g. `capacity krusik.mortar` (for reports).
    pub fn describe(&self, scenario: &Scenario) -> String {
        format!("{} {}", self.field(), self.id_text(scenario))
    }
}

impl Assumption {
    /// The multiplier of `bound`.
    pub fn factor(&self, bound: Bound) -> f64 {
        match bound {
            Bound::Low => self.low,
            Bound::High => self.high,
        }
    }

    /// Multiplies every value this assumption targets in `scenario` by
    /// `factor` (>= 0). The scenario must be the one the assumption was
    /// validated with (or a copy of it): targets are indices into it.
    /// A target that does not exist in `scenario` is skipped, so a bad
    /// index never panics.
    pub fn apply(&self, scenario: &mut Scenario, factor: f64) {
        let factor = if factor.is_finite() {
            factor.max(0.0)
        } else {
            1.0
        };
        for target in &self.targets {
            match *target {
                AssumptionTarget::LineCapacity(line) => {
                    if let Some(line) = scenario.lines.get_mut(line.index()) {
                        line.capacity.iter_mut().for_each(|c| *c *= factor);
                    }
                }
                AssumptionTarget::LineCost(line) => {
                    if let Some(line) = scenario.lines.get_mut(line.index()) {
                        line.products.iter_mut().for_each(|p| p.cost *= factor);
                    }
                }
                AssumptionTarget::Stock(facility, product) => {
                    if let Some(facility) = scenario.facilities.get_mut(facility.index()) {
                        for (held, quantity) in &mut facility.stock {
                            if product.is_none_or(|p| p == *held) {
                                *quantity *= factor;
                            }
                        }
                    }
                }
                AssumptionTarget::Holding(facility) => {
                    if let Some(facility) = scenario.facilities.get_mut(facility.index()) {
                        facility.holding_cost *= factor;
                    }
                }
                AssumptionTarget::ExpansionCapacity(expansion) => {
                    if let Some(expansion) = scenario.expansions.get_mut(expansion.index()) {
                        expansion.capacity *= factor;
                    }
                }
                AssumptionTarget::ExpansionCapex(expansion) => {
                    if let Some(expansion) = scenario.expansions.get_mut(expansion.index()) {
                        expansion.capex *= factor;
                    }
                }
                AssumptionTarget::DemandQuantity(demand) => {
                    if let Some(demand) = scenario.demands.get_mut(demand.index()) {
                        demand.quantity.iter_mut().for_each(|q| *q *= factor);
                    }
                }
                AssumptionTarget::DemandPenalty(demand) => {
                    // A penalty must stay > 0 (spec section 2).
                    if let Some(demand) = scenario.demands.get_mut(demand.index()) {
                        if factor > 0.0 {
                            demand.penalty *= factor;
                        }
                    }
                }
                AssumptionTarget::ContractQuantity(contract) => {
                    if let Some(contract) = scenario.contracts.get_mut(contract.index()) {
                        contract.quantity.iter_mut().for_each(|q| *q *= factor);
                    }
                }
                AssumptionTarget::Input { product, input } => {
                    // An input quantity must stay > 0 (spec section 2).
                    if let Some(product) = scenario.products.get_mut(product.index()) {
                        for (held, quantity) in &mut product.inputs {
                            if *held == input && factor > 0.0 {
                                *quantity *= factor;
                            }
                        }
                    }
                }
            }
        }
    }

    /// A copy of `scenario` with this assumption at `bound`.
    pub fn at_bound(&self, scenario: &Scenario, bound: Bound) -> Scenario {
        let mut copy = scenario.clone();
        self.apply(&mut copy, self.factor(bound));
        copy
    }
}
