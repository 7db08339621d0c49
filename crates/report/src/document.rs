//! The `caisson-plan/1` document: labelled records borrowed from a scenario
//! and a plan.

use caisson_model::Scenario;
use caisson_planner::{ModelStats, Plan};
use serde::Serialize;

use crate::explain::{
    demands_info, facilities_info, plan_explanation_rows, DemandInfoRow, ExplanationRow,
    FacilityInfoRow,
};

/// The format tag of plan documents.
pub const FORMAT: &str = "caisson-plan/1";

/// The objective split (spec section 6, `cost`).
#[derive(Debug, Clone, Serialize)]
pub struct CostRow {
    /// Demand penalties.
    pub shortage: f64,
    /// Production costs.
    pub production: f64,
    /// Transport costs.
    pub transport: f64,
    /// Holding costs.
    pub holding: f64,
    /// Expansion capex.
    pub capex: f64,
    /// Contract penalties.
    pub contract: f64,
}

/// A production record.
#[derive(Debug, Clone, Serialize)]
pub struct ProductionRow<'a> {
    /// Facility id.
    pub facility: &'a str,
    /// Line id.
    pub line: &'a str,
    /// Product id.
    pub product: &'a str,
    /// Period label.
    pub period: String,
    /// Units made.
    pub quantity: f64,
}

/// A shipment record.
#[derive(Debug, Clone, Serialize)]
pub struct ShipmentRow<'a> {
    /// Facility id.
    pub facility: &'a str,
    /// Demand id.
    pub demand: &'a str,
    /// Product id.
    pub product: &'a str,
    /// Departure period label.
    pub period: String,
    /// Arrival period label.
    pub arrival: String,
    /// Units shipped.
    pub quantity: f64,
}

/// A transfer record.
#[derive(Debug, Clone, Serialize)]
pub struct TransferRow<'a> {
    /// Sending facility id.
    pub from: &'a str,
    /// Receiving facility id.
    pub to: &'a str,
    /// Product id.
    pub product: &'a str,
    /// Departure period label.
    pub period: String,
    /// Arrival period label.
    pub arrival: String,
    /// Units moved.
    pub quantity: f64,
}

/// A stock record (end of period).
#[derive(Debug, Clone, Serialize)]
pub struct StockRow<'a> {
    /// Facility id.
    pub facility: &'a str,
    /// Product id.
    pub product: &'a str,
    /// Period label.
    pub period: String,
    /// Units in stock.
    pub quantity: f64,
}

/// An expansion record.
#[derive(Debug, Clone, Serialize)]
pub struct ExpansionRow<'a> {
    /// Expansion id.
    pub expansion: &'a str,
    /// Facility id.
    pub facility: &'a str,
    /// Line id.
    pub line: &'a str,
    /// Decision period label.
    pub decided: String,
    /// First period of use (may lie after the horizon).
    pub available: String,
    /// Fraction taken.
    pub fraction: f64,
}

/// A demand record.
#[derive(Debug, Clone, Serialize)]
pub struct DemandRow<'a> {
    /// Demand id.
    pub demand: &'a str,
    /// Period label.
    pub period: String,
    /// q[d,t].
    pub required: f64,
    /// Arrivals.
    pub delivered: f64,
    /// End-of-period backlog.
    pub backlog: f64,
    /// Units lost.
    pub lost: f64,
}

/// A contract record.
#[derive(Debug, Clone, Serialize)]
pub struct ContractRow<'a> {
    /// Contract id.
    pub contract: &'a str,
    /// Period label.
    pub period: String,
    /// Units committed.
    pub committed: f64,
    /// Units shipped.
    pub shipped: f64,
    /// `max(0, committed - shipped)`.
    pub shortfall: f64,
}

/// A shipment compliance record.
#[derive(Debug, Clone, Serialize)]
pub struct ComplianceRow<'a> {
    /// Facility id.
    pub facility: &'a str,
    /// Demand id.
    pub demand: &'a str,
    /// Whether shipments are allowed.
    pub allowed: bool,
    /// The deciding policy and list, or "no policy applies".
    pub reason: String,
}

/// A transfer compliance record.
#[derive(Debug, Clone, Serialize)]
pub struct TransferComplianceRow<'a> {
    /// Sending facility id.
    pub from: &'a str,
    /// Receiving facility id.
    pub to: &'a str,
    /// Whether transfers are allowed.
    pub allowed: bool,
    /// The deciding policy and list, or "no policy applies".
    pub reason: String,
}

/// Demand KPIs.
#[derive(Debug, Clone, Serialize)]
pub struct DemandKpiRow<'a> {
    /// Demand id.
    pub demand: &'a str,
    /// Product id.
    pub product: &'a str,
    /// End user actor id.
    pub end_user: &'a str,
    /// Sum of q.
    pub required: f64,
    /// Sum of arrivals.
    pub delivered: f64,
    /// delivered / required, null when nothing is required.
    pub fill_rate: Option<f64>,
    /// Backlog at the last period.
    pub final_backlog: f64,
    /// Units lost.
    pub lost: f64,
    /// Unit-periods of backlog or lost units.
    pub shortage: f64,
}

/// Product KPIs.
#[derive(Debug, Clone, Serialize)]
pub struct ProductKpiRow<'a> {
    /// Product id.
    pub product: &'a str,
    /// Sum of q over its demands.
    pub required: f64,
    /// Sum of arrivals.
    pub delivered: f64,
    /// delivered / required, null when nothing is required.
    pub fill_rate: Option<f64>,
    /// Summed shortage.
    pub shortage: f64,
}

/// End-user KPIs.
#[derive(Debug, Clone, Serialize)]
pub struct EndUserKpiRow<'a> {
    /// End user actor id.
    pub end_user: &'a str,
    /// Product id.
    pub product: &'a str,
    /// Exporting actor id.
    pub exporter: &'a str,
    /// Units delivered.
    pub delivered: f64,
    /// Share of the end user's deliveries of the product.
    pub share: f64,
}

/// The `kpis` object.
#[derive(Debug, Clone, Serialize)]
pub struct KpisDoc<'a> {
    /// Per demand.
    pub demands: Vec<DemandKpiRow<'a>>,
    /// Per demanded product.
    pub products: Vec<ProductKpiRow<'a>>,
    /// Per (end user, product, exporter).
    pub end_users: Vec<EndUserKpiRow<'a>>,
    /// Dependency profiles per (role, receiver, product) (an extra, non-spec
    /// array).
    pub dependencies: Vec<DependencyRow<'a>>,
}

/// The dependency profile of one receiver for one product.
#[derive(Debug, Clone, Serialize)]
pub struct DependencyRow<'a> {
    /// `end_user` or `buyer`.
    pub role: &'static str,
    /// Receiving actor id.
    pub receiver: &'a str,
    /// Product id.
    pub product: &'a str,
    /// Units delivered to the receiver.
    pub delivered: f64,
    /// Units and share by exporting actor, largest first.
    pub by_exporter: Vec<ShareRow<'a>>,
    /// Units and share by exporters' bloc, largest first (`"(no bloc)"` for
    /// exporters in none); may sum above 1.
    pub by_bloc: Vec<ShareRow<'a>>,
    /// Herfindahl-Hirschman index of the exporter mix (0-10,000).
    pub hhi: f64,
    /// Share from exporters sharing no bloc with the receiver.
    pub unaligned_share: f64,
}

/// One part of a mix.
#[derive(Debug, Clone, Serialize)]
pub struct ShareRow<'a> {
    /// Actor or bloc id.
    pub id: &'a str,
    /// Units.
    pub units: f64,
    /// Fraction of the receiver's deliveries.
    pub share: f64,
}

/// A capacity shadow price (an extra, non-spec array).
#[derive(Debug, Clone, Serialize)]
pub struct CapacityDualRow<'a> {
    /// Facility id.
    pub facility: &'a str,
    /// Line id.
    pub line: &'a str,
    /// Period label.
    pub period: String,
    /// Objective decrease per extra capacity unit.
    pub shadow_price: f64,
}

/// Model statistics (an extra, non-spec field).
#[derive(Debug, Clone, Serialize)]
pub struct ModelDoc {
    /// Columns.
    pub columns: usize,
    /// Rows.
    pub rows: usize,
    /// Nonzeros.
    pub nonzeros: usize,
    /// Integer columns.
    pub integer_columns: usize,
    /// Columns per family letter.
    pub columns_by_kind: serde_json::Map<String, serde_json::Value>,
    /// Variables removed per reduction.
    pub removed: serde_json::Map<String, serde_json::Value>,
    /// Seconds building the matrix.
    pub build_seconds: f64,
    /// Seconds passing it to HiGHS.
    pub load_seconds: f64,
    /// Seconds solving.
    pub solve_seconds: f64,
    /// Seconds on the dual LP re-solve.
    pub dual_seconds: f64,
    /// Seconds making the greedy start of a MIP.
    pub start_seconds: f64,
    /// Whether HiGHS started from the greedy plan.
    pub greedy_start: bool,
    /// HiGHS's own objective.
    pub solver_objective: Option<f64>,
}

impl ModelDoc {
    fn new(m: &ModelStats) -> Self {
        let r = &m.reductions;
        let removed = [
            ("shipments_denied", r.shipments_denied),
            ("shipments_beyond_horizon", r.shipments_beyond_horizon),
            ("shipments_not_held", r.shipments_not_held),
            ("transfers_denied", r.transfers_denied),
            ("transfers_beyond_horizon", r.transfers_beyond_horizon),
            ("transfers_not_qualifying", r.transfers_not_qualifying),
            ("transfers_pooled", r.transfers_pooled),
            ("stock_not_held", r.stock_not_held),
            ("expansions_outside_window", r.expansions_outside_window),
            ("production_without_capacity", r.production_without_capacity),
            (
                "contract_periods_without_row",
                r.contract_periods_without_row,
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.into()))
        .collect();
        Self {
            columns: m.columns,
            rows: m.rows,
            nonzeros: m.nonzeros,
            integer_columns: m.integer_columns,
            columns_by_kind: m
                .columns_by_kind
                .iter()
                .map(|(k, v)| (k.to_string(), (*v).into()))
                .collect(),
            removed,
            build_seconds: m.build_seconds,
            load_seconds: m.load_seconds,
            solve_seconds: m.solve_seconds,
            dual_seconds: m.dual_seconds,
            start_seconds: m.start_seconds,
            greedy_start: m.started,
            solver_objective: m.solver_objective,
        }
    }
}

/// The whole `caisson-plan/1` document (spec section 6), plus the extra
/// top-level fields `method`, `message`, `currency`, `model`,
/// `capacity_duals`, `explanations`, `demands_info` and `facilities_info`.
///
/// `mip_gap` is null without a solution and when the gap is unknown
/// (infinite, as for the greedy heuristic's plans).
#[derive(Debug, Clone, Serialize)]
pub struct PlanDocument<'a> {
    /// Always [`FORMAT`].
    pub format: &'static str,
    /// Scenario name.
    pub scenario: &'a str,
    /// `optimal`, `feasible`, `time_limit`, `infeasible` or `error`.
    pub status: &'static str,
    /// What made the plan.
    pub method: &'a str,
    /// Why the run failed, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'a str>,
    /// The objective (null without a solution).
    pub objective: Option<f64>,
    /// Relative MIP gap (null without a solution).
    pub mip_gap: Option<f64>,
    /// Currency of all costs.
    pub currency: &'a str,
    /// Period labels of the horizon.
    pub periods: Vec<String>,
    /// The objective split (null without a solution).
    pub cost: Option<CostRow>,
    /// Production records.
    pub production: Vec<ProductionRow<'a>>,
    /// Shipment records.
    pub shipments: Vec<ShipmentRow<'a>>,
    /// Transfer records.
    pub transfers: Vec<TransferRow<'a>>,
    /// Stock records.
    pub stock: Vec<StockRow<'a>>,
    /// Expansion records.
    pub expansions: Vec<ExpansionRow<'a>>,
    /// Demand records.
    pub demand: Vec<DemandRow<'a>>,
    /// Contract records.
    pub contracts: Vec<ContractRow<'a>>,
    /// Shipment compliance records.
    pub compliance: Vec<ComplianceRow<'a>>,
    /// Transfer compliance records.
    pub transfer_compliance: Vec<TransferComplianceRow<'a>>,
    /// KPIs.
    pub kpis: KpisDoc<'a>,
    /// Model statistics, for solver-made plans.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelDoc>,
    /// Nonzero capacity shadow prices (absent when not computed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capacity_duals: Option<Vec<CapacityDualRow<'a>>>,
    /// Why demands were short ("why short?"): one entry per short demand,
    /// empty without a solution.
    pub explanations: Vec<ExplanationRow<'a>>,
    /// Each demand's buyer, end user, product and backlog flag.
    pub demands_info: Vec<DemandInfoRow<'a>>,
    /// Each facility's actor.
    pub facilities_info: Vec<FacilityInfoRow<'a>>,
}

impl<'a> PlanDocument<'a> {
    /// Labels the plan's records with the scenario's ids and period labels.
    pub fn new(s: &'a Scenario, plan: &'a Plan) -> Self {
        let label = |t: usize| s.calendar.label(t);
        let fac = |f: caisson_model::FacilityId| s.facilities[f.index()].id.as_str();
        let prod = |p: caisson_model::ProductId| s.products[p.index()].id.as_str();
        let dem = |d: caisson_model::DemandId| s.demands[d.index()].id.as_str();
        let actor = |a: caisson_model::ActorId| s.actors[a.index()].id.as_str();
        let line = |l: caisson_model::LineId| s.lines[l.index()].id.as_str();
        let solved = plan.status.has_solution();
        Self {
            format: FORMAT,
            scenario: &s.name,
            status: plan.status.name(),
            method: &plan.method,
            message: plan.message.as_deref(),
            objective: plan.objective.filter(|_| solved),
            mip_gap: plan.mip_gap.filter(|g| solved && g.is_finite()),
            currency: &s.currency,
            periods: s.calendar.labels(),
            cost: plan.cost.filter(|_| solved).map(|c| CostRow {
                shortage: c.shortage,
                production: c.production,
                transport: c.transport,
                holding: c.holding,
                capex: c.capex,
                contract: c.contract,
            }),
            production: plan
                .production
                .iter()
                .map(|r| ProductionRow {
                    facility: fac(r.facility),
                    line: line(r.line),
                    product: prod(r.product),
                    period: label(r.period),
                    quantity: r.quantity,
                })
                .collect(),
            shipments: plan
                .shipments
                .iter()
                .map(|r| ShipmentRow {
                    facility: fac(r.facility),
                    demand: dem(r.demand),
                    product: prod(r.product),
                    period: label(r.period),
                    arrival: label(r.arrival),
                    quantity: r.quantity,
                })
                .collect(),
            transfers: plan
                .transfers
                .iter()
                .map(|r| TransferRow {
                    from: fac(r.from),
                    to: fac(r.to),
                    product: prod(r.product),
                    period: label(r.period),
                    arrival: label(r.arrival),
                    quantity: r.quantity,
                })
                .collect(),
            stock: plan
                .stock
                .iter()
                .map(|r| StockRow {
                    facility: fac(r.facility),
                    product: prod(r.product),
                    period: label(r.period),
                    quantity: r.quantity,
                })
                .collect(),
            expansions: plan
                .expansions
                .iter()
                .map(|r| ExpansionRow {
                    expansion: &s.expansions[r.expansion.index()].id,
                    facility: fac(r.facility),
                    line: line(r.line),
                    decided: label(r.decided),
                    available: label(r.available),
                    fraction: r.fraction,
                })
                .collect(),
            demand: plan
                .demand
                .iter()
                .map(|r| DemandRow {
                    demand: dem(r.demand),
                    period: label(r.period),
                    required: r.required,
                    delivered: r.delivered,
                    backlog: r.backlog,
                    lost: r.lost,
                })
                .collect(),
            contracts: plan
                .contracts
                .iter()
                .map(|r| ContractRow {
                    contract: &s.contracts[r.contract.index()].id,
                    period: label(r.period),
                    committed: r.committed,
                    shipped: r.shipped,
                    shortfall: r.shortfall,
                })
                .collect(),
            compliance: plan
                .compliance
                .iter()
                .map(|r| ComplianceRow {
                    facility: fac(r.facility),
                    demand: dem(r.demand),
                    allowed: r.verdict.is_allowed(),
                    reason: r.verdict.reason(s),
                })
                .collect(),
            transfer_compliance: plan
                .transfer_compliance
                .iter()
                .map(|r| TransferComplianceRow {
                    from: fac(r.from),
                    to: fac(r.to),
                    allowed: r.verdict.is_allowed(),
                    reason: r.verdict.reason(s),
                })
                .collect(),
            kpis: KpisDoc {
                demands: plan
                    .kpis
                    .demands
                    .iter()
                    .map(|k| DemandKpiRow {
                        demand: dem(k.demand),
                        product: prod(k.product),
                        end_user: actor(k.end_user),
                        required: k.required,
                        delivered: k.delivered,
                        fill_rate: k.fill_rate,
                        final_backlog: k.final_backlog,
                        lost: k.lost,
                        shortage: k.shortage,
                    })
                    .collect(),
                products: plan
                    .kpis
                    .products
                    .iter()
                    .map(|k| ProductKpiRow {
                        product: prod(k.product),
                        required: k.required,
                        delivered: k.delivered,
                        fill_rate: k.fill_rate,
                        shortage: k.shortage,
                    })
                    .collect(),
                end_users: plan
                    .kpis
                    .end_users
                    .iter()
                    .map(|k| EndUserKpiRow {
                        end_user: actor(k.end_user),
                        product: prod(k.product),
                        exporter: actor(k.exporter),
                        delivered: k.delivered,
                        share: k.share,
                    })
                    .collect(),
                dependencies: plan
                    .kpis
                    .dependencies
                    .iter()
                    .map(|k| DependencyRow {
                        role: k.role.name(),
                        receiver: actor(k.receiver),
                        product: prod(k.product),
                        delivered: k.delivered,
                        by_exporter: k
                            .by_exporter
                            .iter()
                            .map(|e| ShareRow {
                                id: actor(e.key),
                                units: e.units,
                                share: e.share,
                            })
                            .collect(),
                        by_bloc: k
                            .by_bloc
                            .iter()
                            .map(|b| ShareRow {
                                id: b.key.map_or(caisson_planner::NO_BLOC, |b| {
                                    s.blocs[b.index()].id.as_str()
                                }),
                                units: b.units,
                                share: b.share,
                            })
                            .collect(),
                        hhi: k.hhi,
                        unaligned_share: k.unaligned_share,
                    })
                    .collect(),
            },
            model: plan.model.as_ref().map(ModelDoc::new),
            capacity_duals: plan.capacity_duals.as_ref().map(|duals| {
                duals
                    .iter()
                    .map(|d| {
                        let l = &s.lines[d.line.index()];
                        CapacityDualRow {
                            facility: fac(l.facility),
                            line: &l.id,
                            period: label(d.period),
                            shadow_price: d.shadow_price,
                        }
                    })
                    .collect()
            }),
            explanations: plan_explanation_rows(s, plan),
            demands_info: demands_info(s),
            facilities_info: facilities_info(s),
        }
    }
}
