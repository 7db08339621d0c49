//! The plan: a domain description of a solution (spec section 6), with
//! typed indices instead of labels. Its labelled form is
//! [`crate::document::PlanDocument`]; the few types without indices (status,
//! cost split, model statistics) serialise as they are, once.

use caisson_compliance::Verdict;
use caisson_model::{ActorId, ContractId, DemandId, ExpansionId, FacilityId, LineId, ProductId};
use serde::{Deserialize, Serialize};

/// How a planning run ended (spec section 7); written as its
/// [`PlanStatus::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// Solved to the requested gap.
    Optimal,
    /// Stopped early (e.g. at the time limit) with a solution; see `mip_gap`.
    Feasible,
    /// Stopped at the time limit without a solution.
    TimeLimit,
    /// The solver declared the model infeasible: always a bug, since the
    /// model of spec section 4 is feasible by construction.
    Infeasible,
    /// The solver failed.
    Error,
}

impl PlanStatus {
    /// The status's name in plan files.
    pub fn name(self) -> &'static str {
        match self {
            PlanStatus::Optimal => "optimal",
            PlanStatus::Feasible => "feasible",
            PlanStatus::TimeLimit => "time_limit",
            PlanStatus::Infeasible => "infeasible",
            PlanStatus::Error => "error",
        }
    }

    /// Whether a plan with this status carries a solution (objective, cost
    /// and records).
    pub fn has_solution(self) -> bool {
        matches!(self, PlanStatus::Optimal | PlanStatus::Feasible)
    }
}

impl std::fmt::Display for PlanStatus {
    /// The status's [`PlanStatus::name`] (padded as asked).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

/// The objective split into its terms (spec section 6, `cost`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CostSplit {
    /// Demand penalties: backlog per period, or lost units.
    pub shortage: f64,
    /// Production unit costs.
    pub production: f64,
    /// Route unit costs of shipments and transfers.
    pub transport: f64,
    /// Holding costs of end-of-period stock.
    pub holding: f64,
    /// One-off expansion costs (times the decided fraction).
    pub capex: f64,
    /// Contract shortfall penalties.
    pub contract: f64,
}

impl CostSplit {
    /// The sum of all terms: the objective.
    pub fn total(&self) -> f64 {
        self.shortage + self.production + self.transport + self.holding + self.capex + self.contract
    }
}

/// Production of a product on a line in a period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProductionRecord {
    /// The line's facility.
    pub facility: FacilityId,
    /// The line.
    pub line: LineId,
    /// The product made.
    pub product: ProductId,
    /// The period.
    pub period: usize,
    /// Units made.
    pub quantity: f64,
}

/// A shipment from a facility to a demand.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShipmentRecord {
    /// The shipping facility.
    pub facility: FacilityId,
    /// The demand served.
    pub demand: DemandId,
    /// The demand's product.
    pub product: ProductId,
    /// The period it leaves.
    pub period: usize,
    /// The period it arrives (`period` + route lead time).
    pub arrival: usize,
    /// Units shipped.
    pub quantity: f64,
}

/// A transfer between two facilities.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransferRecord {
    /// The sending facility.
    pub from: FacilityId,
    /// The receiving facility.
    pub to: FacilityId,
    /// The product moved.
    pub product: ProductId,
    /// The period it leaves.
    pub period: usize,
    /// The period it arrives.
    pub arrival: usize,
    /// Units moved.
    pub quantity: f64,
}

/// Stock at the end of a period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StockRecord {
    /// The facility.
    pub facility: FacilityId,
    /// The product.
    pub product: ProductId,
    /// The period.
    pub period: usize,
    /// Units in stock at the end of the period.
    pub quantity: f64,
}

/// An expansion decision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExpansionRecord {
    /// The expansion option.
    pub expansion: ExpansionId,
    /// Its facility.
    pub facility: FacilityId,
    /// Its line.
    pub line: LineId,
    /// The period it is decided.
    pub decided: usize,
    /// The first period the capacity can be used (may lie after the horizon).
    pub available: usize,
    /// The fraction taken: exactly 0 or 1 for integer expansions.
    pub fraction: f64,
}

/// A demand's state in one period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemandRecord {
    /// The demand.
    pub demand: DemandId,
    /// The period.
    pub period: usize,
    /// Units newly required in this period, q[d,t].
    pub required: f64,
    /// Units arriving in this period.
    pub delivered: f64,
    /// Backlog at the end of the period (0 for lost demands).
    pub backlog: f64,
    /// Units lost in this period (0 for backlog demands).
    pub lost: f64,
}

/// A contract's state in one of its periods in the plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContractRecord {
    /// The contract.
    pub contract: ContractId,
    /// The period (shipments leaving in it count).
    pub period: usize,
    /// Units committed.
    pub committed: f64,
    /// Units the supplier ships to the buyer's demands for the product.
    pub shipped: f64,
    /// `max(0, committed - shipped)`.
    pub shortfall: f64,
}

/// The compliance verdict of a (facility, demand) pair where the facility
/// holds the demand's product.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ComplianceRecord {
    /// The facility.
    pub facility: FacilityId,
    /// The demand.
    pub demand: DemandId,
    /// The verdict; `Verdict::reason` gives the text.
    pub verdict: Verdict,
}

/// The compliance verdict of a transfer pair (spec section 6).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransferComplianceRecord {
    /// The sending facility.
    pub from: FacilityId,
    /// The receiving facility.
    pub to: FacilityId,
    /// The verdict; `Verdict::reason` gives the text.
    pub verdict: Verdict,
}

/// Key figures of one demand over the horizon.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemandKpi {
    /// The demand.
    pub demand: DemandId,
    /// Its product.
    pub product: ProductId,
    /// Its end user.
    pub end_user: ActorId,
    /// Sum of q over the horizon.
    pub required: f64,
    /// Sum of arrivals.
    pub delivered: f64,
    /// `delivered / required`; `None` when nothing is required.
    pub fill_rate: Option<f64>,
    /// Backlog at the last period (0 for lost demands).
    pub final_backlog: f64,
    /// Sum of lost units (0 for backlog demands).
    pub lost: f64,
    /// Unit-periods of backlog, or lost units.
    pub shortage: f64,
}

/// Key figures of one product that some demand asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProductKpi {
    /// The product.
    pub product: ProductId,
    /// Sum of its demands' requirements.
    pub required: f64,
    /// Sum of its demands' deliveries.
    pub delivered: f64,
    /// `delivered / required`; `None` when nothing is required.
    pub fill_rate: Option<f64>,
    /// Sum of its demands' shortages.
    pub shortage: f64,
}

/// Deliveries of one product to one end user from one exporting actor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EndUserKpi {
    /// The end user.
    pub end_user: ActorId,
    /// The product.
    pub product: ProductId,
    /// The actor of the shipping facilities.
    pub exporter: ActorId,
    /// Units delivered (arrived in the horizon).
    pub delivered: f64,
    /// Share of all units of the product delivered to the end user.
    pub share: f64,
}

/// The KPI arrays of spec section 6.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Kpis {
    /// One per demand, in scenario order.
    pub demands: Vec<DemandKpi>,
    /// One per demanded product, in product order.
    pub products: Vec<ProductKpi>,
    /// One per (end user, product, exporter) with deliveries.
    pub end_users: Vec<EndUserKpi>,
    /// Dependency profiles: one per (role, receiver, product) with
    /// deliveries, for end users and for buyers.
    pub dependencies: Vec<crate::dependency::DependencyKpi>,
}

/// Variables removed by the model reductions of spec section 4, counted
/// against the full index sets (a measure of how much the rules prune).
/// Written as the `removed` object of a plan's `model`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reductions {
    /// (f, d, t) with the product held at f but the pair denied.
    pub shipments_denied: u64,
    /// (f, d, t) of allowed pairs whose arrival would fall after the horizon.
    pub shipments_beyond_horizon: u64,
    /// (f, d, t) where f does not hold d's product.
    pub shipments_not_held: u64,
    /// (g, h, p, t) qualifying for a transfer but with the pair denied.
    pub transfers_denied: u64,
    /// (g, h, p, t) of allowed qualifying transfers arriving after the horizon.
    pub transfers_beyond_horizon: u64,
    /// (g, h, p, t), g != h, where p does not qualify for a transfer.
    pub transfers_not_qualifying: u64,
    /// Allowed (g, h, p, t) transfers within the horizon that have no
    /// column of their own: a transfer pool carries them (`crate::pool`,
    /// an exact reduction; the plan still lists them pair by pair).
    pub transfers_pooled: u64,
    /// (f, p, t) where p is not held at f: no stock variable.
    pub stock_not_held: u64,
    /// (e, t) outside the clipped decision window.
    pub expansions_outside_window: u64,
    /// (l, p, t) where the line has no capacity and no expansion can be
    /// available yet: the production variable would be fixed at 0.
    pub production_without_capacity: u64,
    /// (c, t) contract periods outside the plan (arrival after the horizon)
    /// or with nothing committed: no shortfall variable.
    pub contract_periods_without_row: u64,
}

/// Size and timing of the optimisation model (absent for plans not made by
/// the solver, e.g. a heuristic's). Written as a plan's extra `model`
/// object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelStats {
    /// Columns (variables).
    pub columns: usize,
    /// Rows (constraints).
    pub rows: usize,
    /// Nonzero matrix coefficients.
    pub nonzeros: usize,
    /// Integer (binary) columns.
    pub integer_columns: usize,
    /// Columns per variable family, in the order x, y, z, w, s, b, u, v
    /// (written as an object keyed by the family's letter).
    #[serde(with = "columns_by_kind")]
    pub columns_by_kind: [(char, usize); 8],
    /// Variables removed by the reductions.
    #[serde(rename = "removed")]
    pub reductions: Reductions,
    /// Seconds spent building the sparse matrix.
    pub build_seconds: f64,
    /// Seconds spent passing the model to HiGHS.
    pub load_seconds: f64,
    /// Seconds HiGHS spent solving.
    pub solve_seconds: f64,
    /// Seconds spent on the LP re-solve for capacity duals of a MIP.
    pub dual_seconds: f64,
    /// Seconds spent making the greedy start of a MIP (`crate::start`).
    pub start_seconds: f64,
    /// Whether HiGHS was given the greedy plan as a start.
    #[serde(rename = "greedy_start")]
    pub started: bool,
    /// The solver's own objective value, for cross-checking the recomputed one.
    pub solver_objective: Option<f64>,
    /// Seconds spent on the LP relaxation first and its rounding (a MIP
    /// planned with `PlanOptions::relax_first`; 0 otherwise).
    #[serde(default)]
    pub relaxation_seconds: f64,
    /// Whether the relaxation and its rounding proved the plan within the
    /// MIP gap, so that no branch and bound ran.
    #[serde(default)]
    pub proven_by_relaxation: bool,
}

/// `ModelStats::columns_by_kind` as a JSON object `{"x": 12, "y": 0, ...}`
/// in the array's order.
mod columns_by_kind {
    use serde::de::{Error, MapAccess, Visitor};
    use serde::ser::SerializeMap;
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(kinds: &[(char, usize); 8], out: S) -> Result<S::Ok, S::Error> {
        let mut map = out.serialize_map(Some(kinds.len()))?;
        for (kind, count) in kinds {
            map.serialize_entry(&kind.to_string(), count)?;
        }
        map.end()
    }

    struct Kinds;

    impl<'de> Visitor<'de> for Kinds {
        type Value = [(char, usize); 8];

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object of 8 one-letter variable families and their column counts")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut kinds = [(' ', 0); 8];
            let mut found = 0;
            while let Some((key, count)) = map.next_entry::<String, usize>()? {
                let mut letters = key.chars();
                let (Some(kind), None) = (letters.next(), letters.next()) else {
                    return Err(A::Error::custom(format!("\"{key}\" is not one letter")));
                };
                let slot = kinds
                    .get_mut(found)
                    .ok_or_else(|| A::Error::custom("more than 8 variable families"))?;
                *slot = (kind, count);
                found += 1;
            }
            if found == kinds.len() {
                Ok(kinds)
            } else {
                Err(A::Error::custom(format!(
                    "{found} variable families, expected 8"
                )))
            }
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        input: D,
    ) -> Result<[(char, usize); 8], D::Error> {
        input.deserialize_map(Kinds)
    }
}

/// The shadow price of one line's capacity in one period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CapacityDual {
    /// The line.
    pub line: LineId,
    /// The period.
    pub period: usize,
    /// Objective decrease per extra capacity unit (>= 0; 0 when the line has
    /// slack). For a MIP: of the LP with the expansion decisions fixed.
    pub shadow_price: f64,
}

/// A complete plan: status, objective, cost split, records and KPIs.
///
/// Records use typed indices; every record array holds at most one record
/// per key (spec section 7) and leaves out records whose numbers are all 0.
/// Build one from flows with [`crate::Plan::from_flows`].
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// How the run ended.
    pub status: PlanStatus,
    /// What made the plan (e.g. `"highs-mip"`, `"highs-lp"`, `"greedy"`).
    pub method: String,
    /// The objective; `None` unless the status has a solution.
    pub objective: Option<f64>,
    /// The relative MIP gap; 0 with no integer variable; `None` unless the
    /// status has a solution.
    pub mip_gap: Option<f64>,
    /// The objective split; `None` unless the status has a solution.
    pub cost: Option<CostSplit>,
    /// Why the run failed, for `infeasible` and `error`.
    pub message: Option<String>,
    /// Production records.
    pub production: Vec<ProductionRecord>,
    /// Shipment records.
    pub shipments: Vec<ShipmentRecord>,
    /// Transfer records.
    pub transfers: Vec<TransferRecord>,
    /// End-of-period stock records.
    pub stock: Vec<StockRecord>,
    /// Expansion decisions.
    pub expansions: Vec<ExpansionRecord>,
    /// Demand records per period.
    pub demand: Vec<DemandRecord>,
    /// Contract records per period in the plan.
    pub contracts: Vec<ContractRecord>,
    /// Shipment compliance verdicts.
    pub compliance: Vec<ComplianceRecord>,
    /// Transfer compliance verdicts.
    pub transfer_compliance: Vec<TransferComplianceRecord>,
    /// Key figures.
    pub kpis: Kpis,
    /// Model size and timing, for solver-made plans.
    pub model: Option<ModelStats>,
    /// Capacity shadow prices, when computed.
    pub capacity_duals: Option<Vec<CapacityDual>>,
}

impl Plan {
    /// A plan without a solution (status `time_limit`, `infeasible` or
    /// `error`): no objective, no cost, empty arrays.
    pub fn without_solution(status: PlanStatus, method: &str, message: Option<String>) -> Self {
        Self {
            status,
            method: method.to_owned(),
            objective: None,
            mip_gap: None,
            cost: None,
            message,
            production: Vec::new(),
            shipments: Vec::new(),
            transfers: Vec::new(),
            stock: Vec::new(),
            expansions: Vec::new(),
            demand: Vec::new(),
            contracts: Vec::new(),
            compliance: Vec::new(),
            transfer_compliance: Vec::new(),
            kpis: Kpis::default(),
            model: None,
            capacity_duals: None,
        }
    }
}
