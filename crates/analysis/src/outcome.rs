//! A plan summarised by labels: what `compare` and `risk` put side by side.
//!
//! An [`Outcome`] is derived from the plan's `caisson-plan/1` rows (its
//! KPIs, expansions and dependency profiles), so the same figures come out
//! of a [`Plan`] in memory ([`Outcome::of`]) and of a plan file read
//! without a solver ([`Outcome::of_document`]).

use std::collections::HashMap;

use caisson_model::Scenario;
use caisson_plan::document::{
    DemandKpiRow, DependencyRow, ExpansionRow, KpiRows, PlanDocument, ProductKpiRow,
};
use caisson_plan::{CostSplit, Plan, PlanStatus};
use serde::{Deserialize, Serialize};

/// The key figures of one plan, with ids and labels instead of indices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// The scenario's name.
    pub scenario: String,
    /// Solver status (`optimal`, `feasible`, …).
    pub status: PlanStatus,
    /// Optimal (or best found) objective.
    pub objective: Option<f64>,
    /// The objective split by kind of cost.
    pub cost: Option<CostSplit>,
    /// Totals per demanded product (units of different products are never
    /// added together).
    pub products: Vec<ProductOutcome>,
    /// Figures per demand.
    pub demands: Vec<DemandOutcome>,
    /// Expansions chosen (fraction > 0).
    pub expansions: Vec<ExpansionChoice>,
    /// Dependency profiles of end users and buyers.
    pub dependency: Vec<DependencyRow>,
    /// The time windows of the scenario's policies and routes
    /// (docs/windows.md), so that cases differing only in when a policy
    /// binds say so side by side; absent without windows (and from a plan
    /// document read without its scenario).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<ScenarioWindow>,
}

/// A policy or route of the scenario with a time window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioWindow {
    /// `"policy ID"` or `"route FROM -> TO"`.
    pub subject: String,
    /// The periods it binds (a policy) or is open for departures (a
    /// route): `"2026-03..2026-06"`, one label, or `"no period"`.
    pub periods: String,
}

impl ScenarioWindow {
    /// The windows of `scenario`'s policies, then of its routes, in file
    /// order.
    pub fn of(scenario: &Scenario) -> Vec<Self> {
        let describe = |w: caisson_model::Window| w.describe(&scenario.calendar);
        let policies = scenario.policies.iter().filter_map(|p| {
            p.window.map(|w| ScenarioWindow {
                subject: format!("policy {}", p.id),
                periods: describe(w),
            })
        });
        let routes = scenario.routes.iter().filter_map(|r| {
            r.window.map(|w| ScenarioWindow {
                subject: format!(
                    "route {} -> {}",
                    scenario.actors[r.from.index()].id,
                    scenario.actors[r.to.index()].id
                ),
                periods: describe(w),
            })
        });
        policies.chain(routes).collect()
    }
}

/// Totals of one product over its demands: the plan's own KPI row (as in
/// the plan document's `kpis.products`) and the backlog its demands leave
/// at the end, which the KPI row lacks.
///
/// Serialised flat: the row's fields, then `final_backlog`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductOutcome {
    /// The product's KPIs, as in the plan document.
    #[serde(flatten)]
    pub kpi: ProductKpiRow,
    /// Backlog left at the end of the horizon, summed over its demands.
    pub final_backlog: f64,
}

/// Figures of one demand: the plan's own KPI row (the same row type as the
/// plan document's `kpis.demands`, so the figures cannot drift apart) and
/// the demand's buyer, which a comparison groups by and the KPI row lacks.
///
/// Serialised flat: the row's fields, then `buyer`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandOutcome {
    /// The demand's KPIs, as in the plan document.
    #[serde(flatten)]
    pub kpi: DemandKpiRow,
    /// Buyer id (empty when a plan document does not name it).
    pub buyer: String,
}

/// An expansion the plan decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

/// What an outcome is made of, borrowed from a document or labelled from
/// a plan.
struct Parts<'a> {
    scenario: String,
    status: PlanStatus,
    objective: Option<f64>,
    cost: Option<CostSplit>,
    kpis: KpiRows,
    expansions: Vec<ExpansionChoice>,
    windows: Vec<ScenarioWindow>,
    buyer_of: &'a dyn Fn(&str) -> String,
}

impl Outcome {
    /// Summarises `plan` of `scenario`.
    pub fn of(scenario: &Scenario, plan: &Plan) -> Self {
        let buyers: HashMap<&str, &str> = scenario
            .demands
            .iter()
            .map(|d| (d.id.as_str(), scenario.actors[d.buyer.index()].id.as_str()))
            .collect();
        let buyer_of = |demand: &str| buyers.get(demand).copied().unwrap_or_default().to_owned();
        Self::from_parts(Parts {
            scenario: scenario.name.clone(),
            status: plan.status,
            objective: plan.objective,
            cost: plan.cost,
            kpis: KpiRows::new(scenario, plan),
            expansions: plan
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
                .collect(),
            windows: ScenarioWindow::of(scenario),
            buyer_of: &buyer_of,
        })
    }

    /// Summarises a plan document, without its scenario: buyers come from
    /// its `demands_info` (empty when the document lacks it).
    pub fn of_document(document: &PlanDocument) -> Self {
        let buyer_of = |demand: &str| {
            document
                .demand_info(demand)
                .and_then(|d| d.buyer.clone())
                .unwrap_or_default()
        };
        Self::from_parts(Parts {
            scenario: document.scenario.clone(),
            status: document.status,
            objective: document.objective,
            cost: document.cost,
            kpis: document.kpis.clone(),
            expansions: document
                .expansions
                .iter()
                .filter(|e| e.fraction > 0.0)
                .map(ExpansionChoice::of_row)
                .collect(),
            windows: Vec::new(),
            buyer_of: &buyer_of,
        })
    }

    fn from_parts(parts: Parts<'_>) -> Self {
        let kpis = parts.kpis;
        let products = kpis
            .products
            .into_iter()
            .map(|k| ProductOutcome {
                final_backlog: kpis
                    .demands
                    .iter()
                    .filter(|d| d.product == k.product)
                    .map(|d| d.final_backlog)
                    .sum(),
                kpi: k,
            })
            .collect();
        let demands = kpis
            .demands
            .into_iter()
            .map(|k| DemandOutcome {
                buyer: (parts.buyer_of)(&k.demand),
                kpi: k,
            })
            .collect();
        Outcome {
            scenario: parts.scenario,
            status: parts.status,
            objective: parts.objective,
            cost: parts.cost,
            products,
            demands,
            expansions: parts.expansions,
            dependency: kpis.dependencies,
            windows: parts.windows,
        }
    }

    /// Whether the plan behind this outcome has a solution.
    pub fn solved(&self) -> bool {
        self.status.has_solution()
    }

    /// Total shortage (unit-periods plus lost units) of one product, 0 when
    /// no demand asks for it.
    pub fn shortage_of(&self, product: &str) -> f64 {
        self.products
            .iter()
            .find(|p| p.kpi.product == product)
            .map_or(0.0, |p| p.kpi.shortage)
    }

    /// Total shortage summed over products. Units of different products are
    /// added here only to rank alternatives, never reported as a quantity.
    pub fn shortage_index(&self) -> f64 {
        self.products.iter().map(|p| p.kpi.shortage).sum()
    }

    /// The outcome of one demand, by id.
    pub fn demand(&self, id: &str) -> Option<&DemandOutcome> {
        self.demands.iter().find(|d| d.kpi.demand == id)
    }
}

impl ExpansionChoice {
    /// The choice a document's expansion record states.
    pub fn of_row(row: &ExpansionRow) -> Self {
        Self {
            expansion: row.expansion.clone(),
            facility: row.facility.clone(),
            decided: row.decided.clone(),
            available: row.available.clone(),
            fraction: row.fraction,
        }
    }
}
