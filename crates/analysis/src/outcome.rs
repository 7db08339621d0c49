//! A plan summarised by labels: what `compare` and `risk` put side by side.

use caisson_model::{ActorId, Scenario};
use caisson_planner::{Plan, PlanStatus};
use serde::Serialize;

use crate::dependency::{self, Dependency};

/// The key figures of one plan, with ids and labels instead of indices.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    /// The scenario's name.
    pub scenario: String,
    /// Solver status (`optimal`, `feasible`, …).
    pub status: &'static str,
    /// Optimal (or best found) objective.
    pub objective: Option<f64>,
    /// The objective split by kind of cost.
    pub cost: Option<Cost>,
    /// Totals per demanded product (units of different products are never
    /// added together).
    pub products: Vec<ProductOutcome>,
    /// Figures per demand.
    pub demands: Vec<DemandOutcome>,
    /// Expansions chosen (fraction > 0).
    pub expansions: Vec<ExpansionChoice>,
    /// Dependency profiles of end users and buyers.
    pub dependency: Vec<Dependency>,
}

/// The objective split of spec section 6.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cost {
    /// Shortage penalties.
    pub shortage: f64,
    /// Production costs.
    pub production: f64,
    /// Transport costs.
    pub transport: f64,
    /// Holding costs.
    pub holding: f64,
    /// Expansion capex.
    pub capex: f64,
    /// Contract shortfall penalties.
    pub contract: f64,
}

/// Totals of one product over its demands.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductOutcome {
    /// Product id.
    pub product: String,
    /// Units required over the horizon.
    pub required: f64,
    /// Units delivered.
    pub delivered: f64,
    /// Delivered over required (`None` when nothing is required).
    pub fill_rate: Option<f64>,
    /// Backlog left at the end of the horizon.
    pub final_backlog: f64,
    /// Shortage in unit-periods (backlog) plus lost units.
    pub shortage: f64,
}

/// Figures of one demand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemandOutcome {
    /// Demand id.
    pub demand: String,
    /// Product id.
    pub product: String,
    /// Buyer id.
    pub buyer: String,
    /// End user id.
    pub end_user: String,
    /// Units required.
    pub required: f64,
    /// Units delivered.
    pub delivered: f64,
    /// Delivered over required.
    pub fill_rate: Option<f64>,
    /// Backlog at the end (0 for lost demands).
    pub final_backlog: f64,
    /// Lost units (0 for backlog demands).
    pub lost: f64,
    /// Unit-periods of backlog, or lost units.
    pub shortage: f64,
}

/// An expansion the plan decided.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpansionChoice {
    /// Expansion id.
    pub expansion: String,
    /// Facility id.
    pub facility: String,
    /// Period label of the decision.
    pub decided: String,
    /// Period label of first use (may lie past the horizon).
    pub available: String,
    /// Fraction taken (1 for integer expansions).
    pub fraction: f64,
}

impl Outcome {
    /// Summarises `plan` of `scenario`.
    pub fn of(scenario: &Scenario, plan: &Plan) -> Self {
        let actor = |a: ActorId| scenario.actors[a.index()].id.clone();
        let demands: Vec<DemandOutcome> = plan
            .kpis
            .demands
            .iter()
            .map(|k| {
                let d = &scenario.demands[k.demand.index()];
                DemandOutcome {
                    demand: d.id.clone(),
                    product: scenario.products[d.product.index()].id.clone(),
                    buyer: actor(d.buyer),
                    end_user: actor(d.end_user),
                    required: k.required,
                    delivered: k.delivered,
                    fill_rate: k.fill_rate,
                    final_backlog: k.final_backlog,
                    lost: k.lost,
                    shortage: k.shortage,
                }
            })
            .collect();
        let products = plan
            .kpis
            .products
            .iter()
            .map(|k| {
                let final_backlog = plan
                    .kpis
                    .demands
                    .iter()
                    .filter(|d| d.product == k.product)
                    .map(|d| d.final_backlog)
                    .sum();
                ProductOutcome {
                    product: scenario.products[k.product.index()].id.clone(),
                    required: k.required,
                    delivered: k.delivered,
                    fill_rate: k.fill_rate,
                    final_backlog,
                    shortage: k.shortage,
                }
            })
            .collect();
        let expansions = plan
            .expansions
            .iter()
            .filter(|e| e.fraction > 0.0)
            .map(|e| ExpansionChoice {
                expansion: scenario.expansions[e.expansion.index()].id.clone(),
                facility: scenario.facilities[e.facility.index()].id.clone(),
                decided: scenario.calendar.label(e.decided),
                available: scenario.calendar.label(e.available),
                fraction: e.fraction,
            })
            .collect();
        Outcome {
            scenario: scenario.name.clone(),
            status: plan.status.name(),
            objective: plan.objective,
            cost: plan.cost.map(|c| Cost {
                shortage: c.shortage,
                production: c.production,
                transport: c.transport,
                holding: c.holding,
                capex: c.capex,
                contract: c.contract,
            }),
            products,
            demands,
            expansions,
            dependency: dependency::of_plan(scenario, plan),
        }
    }

    /// Whether the plan behind this outcome has a solution.
    pub fn solved(&self) -> bool {
        self.status == PlanStatus::Optimal.name() || self.status == PlanStatus::Feasible.name()
    }

    /// Total shortage (unit-periods plus lost units) of one product, 0 when
    /// no demand asks for it.
    pub fn shortage_of(&self, product: &str) -> f64 {
        self.products
            .iter()
            .find(|p| p.product == product)
            .map_or(0.0, |p| p.shortage)
    }

    /// Total shortage summed over products. Units of different products are
    /// added here only to rank alternatives, never reported as a quantity.
    pub fn shortage_index(&self) -> f64 {
        self.products.iter().map(|p| p.shortage).sum()
    }

    /// The outcome of one demand, by id.
    pub fn demand(&self, id: &str) -> Option<&DemandOutcome> {
        self.demands.iter().find(|d| d.demand == id)
    }
}
