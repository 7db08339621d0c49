//! What a plan file does not say but a scenario does: who buys and who
//! finally uses each demand, whose territory each facility is in, and the
//! capacity of every line.

use std::collections::HashMap;

use caisson_model::Scenario;
use caisson_plan::document::PlanDocument;

/// A demand's parties and kind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DemandInfo {
    pub buyer: Option<String>,
    pub end_user: Option<String>,
    pub product: Option<String>,
    pub backlog: Option<bool>,
}

/// A line's capacity and rates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LineInfo {
    pub facility: String,
    pub line: String,
    /// Capacity units per period, before expansions.
    pub capacity: Vec<f64>,
    /// Capacity units used per unit of each product.
    pub rates: HashMap<String, f64>,
}

/// Everything known beyond the plan's records.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Context {
    /// Whether this came from a scenario (else from optional plan fields).
    pub from_scenario: bool,
    /// Demand ids in scenario order (empty without a scenario).
    pub demand_order: Vec<String>,
    pub demands: HashMap<String, DemandInfo>,
    pub facility_actor: HashMap<String, String>,
    /// Every line, in scenario order (`None` without a scenario).
    pub lines: Option<Vec<LineInfo>>,
    /// Capacity added by each expansion taken whole.
    pub expansion_capacity: HashMap<String, f64>,
    /// The scenario's period labels (empty without a scenario).
    pub periods: Vec<String>,
}

impl Context {
    /// Everything the scenario says.
    pub fn from_scenario(s: &Scenario) -> Self {
        let actor = |a: caisson_model::ActorId| s.actors[a.index()].id.clone();
        let demands = s
            .demands
            .iter()
            .map(|d| {
                (
                    d.id.clone(),
                    DemandInfo {
                        buyer: Some(actor(d.buyer)),
                        end_user: Some(actor(d.end_user)),
                        product: Some(s.products[d.product.index()].id.clone()),
                        backlog: Some(d.backlog),
                    },
                )
            })
            .collect();
        let facility_actor = s
            .facilities
            .iter()
            .map(|f| (f.id.clone(), actor(f.actor)))
            .collect();
        let lines = s
            .lines
            .iter()
            .map(|l| LineInfo {
                facility: s.facilities[l.facility.index()].id.clone(),
                line: l.id.clone(),
                capacity: l.capacity.clone(),
                rates: l
                    .products
                    .iter()
                    .map(|p| (s.products[p.product.index()].id.clone(), p.rate))
                    .collect(),
            })
            .collect();
        Self {
            from_scenario: true,
            demand_order: s.demands.iter().map(|d| d.id.clone()).collect(),
            demands,
            facility_actor,
            lines: Some(lines),
            expansion_capacity: s
                .expansions
                .iter()
                .map(|e| (e.id.clone(), e.capacity))
                .collect(),
            periods: s.calendar.labels(),
        }
    }

    /// What a plan file may add as extra, optional top-level fields:
    /// `demands_info` (records with `demand` and, each optional, `buyer`,
    /// `end_user`, `product`, `backlog`) and `facilities_info` (records
    /// with `facility`, `actor`).
    pub fn from_plan_hints(plan: &PlanDocument) -> Self {
        let mut context = Self::default();
        for r in &plan.demands_info {
            context.demands.insert(
                r.demand.clone(),
                DemandInfo {
                    buyer: r.buyer.clone(),
                    end_user: r.end_user.clone(),
                    product: r.product.clone(),
                    backlog: r.backlog,
                },
            );
        }
        for r in &plan.facilities_info {
            context
                .facility_actor
                .insert(r.facility.clone(), r.actor.clone());
        }
        context
    }
}
