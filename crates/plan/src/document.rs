//! The `caisson-plan/1` document (spec section 6): the plan with labels
//! (scenario ids and period labels) instead of typed indices, the one
//! vocabulary every tool writes and reads plans in.
//!
//! [`PlanDocument::new`] labels a [`Plan`] of a [`Scenario`];
//! [`PlanDocument::from_json`] reads any tool's document (the fields the
//! spec lists are required, the extras of Caisson default to empty);
//! [`PlanDocument::to_plan`] resolves the labels against a scenario and
//! gives the [`Plan`] back, naming every record whose label is unknown.
//! Field order is serialisation order: changing it changes every plan file.

mod resolve;

use caisson_compliance::Verdict;
use caisson_model::{ActorId, DemandId, FacilityId, LineId, ProductId, Scenario};
use serde::{Deserialize, Serialize};

use crate::dependency::{Role, NO_BLOC};
use crate::plan::{CostSplit, ModelStats, Plan, PlanStatus};
use crate::quantity::Quantities;
use crate::why::{explain_shortages, Cause, ShortageExplanation, Spare};

pub use resolve::{DocumentError, LabelError, RecordError, RecordRef};

/// The format tag of plan documents.
pub const FORMAT: &str = "caisson-plan/1";

/// A production record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductionRow {
    /// Facility id.
    pub facility: String,
    /// Line id.
    pub line: String,
    /// Product id.
    pub product: String,
    /// Period label.
    pub period: String,
    /// Units made.
    pub quantity: f64,
}

/// A shipment record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShipmentRow {
    /// Facility id.
    pub facility: String,
    /// Demand id.
    pub demand: String,
    /// Product id.
    pub product: String,
    /// Departure period label.
    pub period: String,
    /// Arrival period label.
    pub arrival: String,
    /// Units shipped.
    pub quantity: f64,
}

/// A transfer record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferRow {
    /// Sending facility id.
    pub from: String,
    /// Receiving facility id.
    pub to: String,
    /// Product id.
    pub product: String,
    /// Departure period label.
    pub period: String,
    /// Arrival period label.
    pub arrival: String,
    /// Units moved.
    pub quantity: f64,
}

/// A stock record (end of period).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StockRow {
    /// Facility id.
    pub facility: String,
    /// Product id.
    pub product: String,
    /// Period label.
    pub period: String,
    /// Units in stock.
    pub quantity: f64,
}

/// An expansion record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpansionRow {
    /// Expansion id.
    pub expansion: String,
    /// Facility id.
    pub facility: String,
    /// Line id.
    pub line: String,
    /// Decision period label.
    pub decided: String,
    /// First period of use (may lie after the horizon).
    pub available: String,
    /// Fraction taken.
    pub fraction: f64,
}

/// A demand record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandRow {
    /// Demand id.
    pub demand: String,
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractRow {
    /// Contract id.
    pub contract: String,
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplianceRow {
    /// Facility id.
    pub facility: String,
    /// Demand id.
    pub demand: String,
    /// Whether shipments are allowed.
    pub allowed: bool,
    /// The deciding policy and list, or "no policy applies".
    pub reason: String,
}

/// The reason of a compliance record: the verdict's, and for a pair open in
/// some departure periods only (time-windowed policies or routes,
/// `docs/windows.md`) the periods it is open in. `allowed` stays "allowed in
/// every period". Scenarios without windows keep the spec's reason.
fn windowed_reason(s: &Scenario, verdict: Verdict, open: impl FnOnce() -> crate::Open) -> String {
    let reason = verdict.reason(s);
    if !s.has_windows() {
        return reason;
    }
    match open().describe(&s.calendar) {
        Some(periods) => format!("{reason}; open for departures in {periods} only"),
        None => reason,
    }
}

/// A transfer compliance record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferComplianceRow {
    /// Sending facility id.
    pub from: String,
    /// Receiving facility id.
    pub to: String,
    /// Whether transfers are allowed.
    pub allowed: bool,
    /// The deciding policy and list, or "no policy applies".
    pub reason: String,
}

/// Demand KPIs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandKpiRow {
    /// Demand id.
    pub demand: String,
    /// Product id.
    pub product: String,
    /// End user actor id.
    pub end_user: String,
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
///
/// A party that may not see a product's figures (platform spec section 3:
/// fewer than 3 buyer members' demands make them up) reads the row with
/// `withheld` set: each figure is then written as the string
/// `"withheld"`, and the numbers in the row are 0 (`fill_rate` none) and
/// mean nothing. A document with any figure `"withheld"` reads back so.
/// Rows that are not withheld are written exactly as before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "ProductKpiWire", from = "ProductKpiWire")]
pub struct ProductKpiRow {
    /// Product id.
    pub product: String,
    /// Sum of q over its demands.
    pub required: f64,
    /// Sum of arrivals.
    pub delivered: f64,
    /// delivered / required, null when nothing is required.
    pub fill_rate: Option<f64>,
    /// Summed shortage.
    pub shortage: f64,
    /// Whether the figures are withheld from the reader (never written as
    /// a field: the figures say it).
    pub withheld: bool,
}

impl ProductKpiRow {
    /// The row with its figures withheld: the product alone is kept.
    pub fn withhold(&self) -> Self {
        Self {
            product: self.product.clone(),
            required: 0.0,
            delivered: 0.0,
            fill_rate: None,
            shortage: 0.0,
            withheld: true,
        }
    }
}

/// A figure as written: a value or the word `"withheld"`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(untagged)]
enum Figure<T> {
    Shown(T),
    Withheld(WithheldWord),
}

/// The string `"withheld"`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
enum WithheldWord {
    #[serde(rename = "withheld")]
    Withheld,
}

impl<T> Figure<T> {
    fn of(value: T, withheld: bool) -> Self {
        if withheld {
            Figure::Withheld(WithheldWord::Withheld)
        } else {
            Figure::Shown(value)
        }
    }

    fn is_withheld(&self) -> bool {
        matches!(self, Figure::Withheld(_))
    }

    fn shown_or(self, default: T) -> T {
        match self {
            Figure::Shown(value) => value,
            Figure::Withheld(_) => default,
        }
    }
}

/// [`ProductKpiRow`] as written: same fields, same order.
#[derive(Serialize, Deserialize)]
struct ProductKpiWire {
    product: String,
    required: Figure<f64>,
    delivered: Figure<f64>,
    fill_rate: Figure<Option<f64>>,
    shortage: Figure<f64>,
}

impl From<ProductKpiRow> for ProductKpiWire {
    fn from(row: ProductKpiRow) -> Self {
        let w = row.withheld;
        Self {
            product: row.product,
            required: Figure::of(row.required, w),
            delivered: Figure::of(row.delivered, w),
            fill_rate: Figure::of(row.fill_rate, w),
            shortage: Figure::of(row.shortage, w),
        }
    }
}

impl From<ProductKpiWire> for ProductKpiRow {
    fn from(wire: ProductKpiWire) -> Self {
        let withheld = wire.required.is_withheld()
            || wire.delivered.is_withheld()
            || wire.fill_rate.is_withheld()
            || wire.shortage.is_withheld();
        let row = Self {
            product: wire.product,
            required: wire.required.shown_or(0.0),
            delivered: wire.delivered.shown_or(0.0),
            fill_rate: wire.fill_rate.shown_or(None),
            shortage: wire.shortage.shown_or(0.0),
            withheld,
        };
        if withheld {
            row.withhold()
        } else {
            row
        }
    }
}

/// End-user KPIs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndUserKpiRow {
    /// End user actor id.
    pub end_user: String,
    /// Product id.
    pub product: String,
    /// Exporting actor id.
    pub exporter: String,
    /// Units delivered.
    pub delivered: f64,
    /// Share of the end user's deliveries of the product.
    pub share: f64,
}

/// The `kpis` object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KpiRows {
    /// Per demand.
    #[serde(default)]
    pub demands: Vec<DemandKpiRow>,
    /// Per demanded product.
    #[serde(default)]
    pub products: Vec<ProductKpiRow>,
    /// Per (end user, product, exporter).
    #[serde(default)]
    pub end_users: Vec<EndUserKpiRow>,
    /// Dependency profiles per (role, receiver, product) (an extra, non-spec
    /// array; empty when a document lacks it).
    #[serde(default)]
    pub dependencies: Vec<DependencyRow>,
}

/// The dependency profile of one receiver for one product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DependencyRow {
    /// End user or buyer.
    pub role: Role,
    /// Receiving actor id.
    pub receiver: String,
    /// Product id.
    pub product: String,
    /// Units delivered to the receiver.
    pub delivered: f64,
    /// Units and share by exporting actor, largest first.
    pub by_exporter: Vec<ShareRow>,
    /// Units and share by exporters' bloc, largest first (`"(no bloc)"` for
    /// exporters in none); may sum above 1.
    pub by_bloc: Vec<ShareRow>,
    /// Herfindahl-Hirschman index of the exporter mix (0-10,000).
    pub hhi: f64,
    /// Share from exporters sharing no bloc with the receiver.
    pub unaligned_share: f64,
}

/// One part of a mix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareRow {
    /// Actor or bloc id.
    pub id: String,
    /// Units.
    pub units: f64,
    /// Fraction of the receiver's deliveries.
    pub share: f64,
}

/// A capacity shadow price (an extra, non-spec array).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CapacityDualRow {
    /// Facility id.
    pub facility: String,
    /// Line id.
    pub line: String,
    /// Period label.
    pub period: String,
    /// Objective decrease per extra capacity unit.
    pub shadow_price: f64,
}

/// Why one demand was short (an entry of the extra `explanations` array).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplanationRow {
    /// Demand id.
    pub demand: String,
    /// The explanation's heading sentence.
    pub text: String,
    /// Label of the first short period.
    pub first_short: String,
    /// Label of the last short period.
    pub last_short: String,
    /// How many periods were short.
    pub short_periods: usize,
    /// Unit-periods of backlog (backlog demands) or units lost (lost demands).
    pub total_shortage: f64,
    /// Causes, most important first.
    pub causes: Vec<CauseRow>,
    /// Causes found but left out.
    pub omitted: usize,
}

/// One cause of a shortage, with ids and period labels: an object with
/// `kind`, `text` (its sentence) and the cause's key fields.
///
/// In a plan as a party sees it (platform spec section 3), a cause naming
/// a facility the party may not view names instead the facility's actor
/// or `"another party"` (in `facility`, and `actor` for a denial), and its
/// quantities and line are null; its sentence is rebuilt without them.
/// Whole plans always fill them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CauseRow {
    /// No facility holding the product may ship it to the demand.
    NoSource {
        /// The cause's sentence.
        text: String,
        /// Product id.
        product: String,
        /// Facilities holding the product whose shipment is denied.
        denied_holders: usize,
    },
    /// Nothing shipped from the facility could arrive in the periods.
    LeadTime {
        /// The cause's sentence.
        text: String,
        /// Facility id.
        facility: String,
        /// Product id.
        product: String,
        /// The route's lead time in periods (null when removed).
        lead_time: Option<usize>,
        /// Period labels.
        periods: Vec<String>,
        /// Whether no allowed source at all could reach them.
        every_source: bool,
        /// Units the facility held spare (null when removed).
        spare_stock: Option<f64>,
        /// Units its lines could still have made (null when removed).
        spare_capacity: Option<f64>,
    },
    /// A line that could serve the demand used all its capacity.
    CapacityBound {
        /// The cause's sentence.
        text: String,
        /// Facility id.
        facility: String,
        /// Line id (null when removed).
        line: Option<String>,
        /// Product id.
        product: String,
        /// Period labels.
        periods: Vec<String>,
        /// Capacity units used in the periods, summed (null when removed).
        used: Option<f64>,
        /// Capacity in the periods, summed (null when removed).
        capacity: Option<f64>,
        /// The highest shadow price, null without duals (or when removed).
        shadow_price: Option<f64>,
    },
    /// A facility holding the product may not ship it to the demand.
    Denied {
        /// The cause's sentence.
        text: String,
        /// Facility id.
        facility: String,
        /// The facility's actor id.
        actor: String,
        /// Product id.
        product: String,
        /// The deciding policy's id.
        policy: Option<String>,
        /// The deciding list (`deny_export`, `deny_import`, `deny_end_use`).
        list: Option<String>,
        /// The verdict's reason.
        reason: String,
        /// Units the facility held spare (null when removed).
        spare_stock: Option<f64>,
        /// Units its lines could still have made (null when removed).
        spare_capacity: Option<f64>,
    },
    /// A line had capacity but its facility had none of an input left.
    InputShortage {
        /// The cause's sentence.
        text: String,
        /// Facility id.
        facility: String,
        /// Line id (null when removed).
        line: Option<String>,
        /// Product id.
        product: String,
        /// The missing input's product id.
        input: String,
        /// Period labels.
        periods: Vec<String>,
    },
    /// An allowed source held stock it did not send.
    SpareUnshipped {
        /// The cause's sentence.
        text: String,
        /// Facility id.
        facility: String,
        /// Product id.
        product: String,
        /// Period labels.
        periods: Vec<String>,
        /// The most units held at the end of one of them (null when removed).
        stock: Option<f64>,
    },
}

impl CauseRow {
    /// The cause's kind, as written in `kind` (e.g. `"capacity_bound"`).
    pub fn kind(&self) -> &'static str {
        match self {
            CauseRow::NoSource { .. } => "no_source",
            CauseRow::LeadTime { .. } => "lead_time",
            CauseRow::CapacityBound { .. } => "capacity_bound",
            CauseRow::Denied { .. } => "denied",
            CauseRow::InputShortage { .. } => "input_shortage",
            CauseRow::SpareUnshipped { .. } => "spare_unshipped",
        }
    }

    /// The cause's sentence.
    pub fn text(&self) -> &str {
        match self {
            CauseRow::NoSource { text, .. }
            | CauseRow::LeadTime { text, .. }
            | CauseRow::CapacityBound { text, .. }
            | CauseRow::Denied { text, .. }
            | CauseRow::InputShortage { text, .. }
            | CauseRow::SpareUnshipped { text, .. } => text,
        }
    }

    /// Labels `cause` with the scenario's ids and period labels, its
    /// sentence's unit counts written as `quantities` says (the plan
    /// document's are [`Quantities::Exact`]).
    pub fn new(s: &Scenario, cause: &Cause, quantities: Quantities) -> Self {
        let fac = |f: FacilityId| s.facilities[f.index()].id.clone();
        let prod = |p: ProductId| s.products[p.index()].id.clone();
        let labels = |periods: &[usize]| -> Vec<String> {
            periods.iter().map(|&t| s.calendar.label(t)).collect()
        };
        let text = cause.describe(s, quantities);
        let spare = |spare: &Spare| (Some(spare.stock), Some(spare.unused_capacity));
        match cause {
            Cause::NoSource {
                product,
                denied_holders,
            } => CauseRow::NoSource {
                text,
                product: prod(*product),
                denied_holders: *denied_holders,
            },
            Cause::LeadTime {
                facility,
                product,
                lead_time,
                periods,
                every_source,
                spare: sp,
            } => {
                let (spare_stock, spare_capacity) = spare(sp);
                CauseRow::LeadTime {
                    text,
                    facility: fac(*facility),
                    product: prod(*product),
                    lead_time: Some(*lead_time),
                    periods: labels(periods),
                    every_source: *every_source,
                    spare_stock,
                    spare_capacity,
                }
            }
            Cause::CapacityBound {
                line,
                product,
                periods,
                used,
                capacity,
                shadow_price,
            } => {
                let line = &s.lines[line.index()];
                CauseRow::CapacityBound {
                    text,
                    facility: fac(line.facility),
                    line: Some(line.id.clone()),
                    product: prod(*product),
                    periods: labels(periods),
                    used: Some(*used),
                    capacity: Some(*capacity),
                    shadow_price: *shadow_price,
                }
            }
            Cause::Denied {
                facility,
                product,
                verdict,
                spare: sp,
            } => {
                let (spare_stock, spare_capacity) = spare(sp);
                let actor = s.facilities[facility.index()].actor;
                let denial = verdict.denial();
                CauseRow::Denied {
                    text,
                    facility: fac(*facility),
                    actor: s.actors[actor.index()].id.clone(),
                    product: prod(*product),
                    policy: denial.map(|d| s.policies[d.policy.index()].id.clone()),
                    list: denial.map(|d| d.list.field_name().to_owned()),
                    reason: verdict.reason(s),
                    spare_stock,
                    spare_capacity,
                }
            }
            Cause::RouteClosed {
                facility,
                product,
                buyer,
                window,
                spare: sp,
            } => {
                // A closed route is recorded as a denial no policy decides:
                // `policy` and `list` are absent, the reason names the route.
                let (spare_stock, spare_capacity) = spare(sp);
                let actor = s.facilities[facility.index()].actor;
                CauseRow::Denied {
                    text,
                    facility: fac(*facility),
                    actor: s.actors[actor.index()].id.clone(),
                    product: prod(*product),
                    policy: None,
                    list: None,
                    reason: crate::why::route_closed_reason(s, *facility, *buyer, *window),
                    spare_stock,
                    spare_capacity,
                }
            }
            Cause::InputShortage {
                facility,
                line,
                product,
                input,
                periods,
            } => CauseRow::InputShortage {
                text,
                facility: fac(*facility),
                line: Some(s.lines[line.index()].id.clone()),
                product: prod(*product),
                input: prod(*input),
                periods: labels(periods),
            },
            Cause::SpareUnshipped {
                facility,
                product,
                periods,
                stock,
            } => CauseRow::SpareUnshipped {
                text,
                facility: fac(*facility),
                product: prod(*product),
                periods: labels(periods),
                stock: Some(*stock),
            },
        }
    }
}

impl ExplanationRow {
    /// Labels one shortage explanation, its sentences' unit counts written
    /// as `quantities` says (the plan document's are
    /// [`Quantities::Exact`]).
    pub fn new(s: &Scenario, x: &ShortageExplanation, quantities: Quantities) -> Self {
        Self {
            demand: s.demands[x.demand.index()].id.clone(),
            text: x.describe(s, quantities),
            first_short: s.calendar.label(x.short_periods.first),
            last_short: s.calendar.label(x.short_periods.last),
            short_periods: x.short_periods.count,
            total_shortage: x.short_periods.total_shortage,
            causes: x
                .causes
                .iter()
                .map(|c| CauseRow::new(s, c, quantities))
                .collect(),
            omitted: x.omitted,
        }
    }

    /// The explanations of `plan`'s short demands (none without a
    /// solution), with unit counts written as `quantities` says.
    pub fn of_plan(s: &Scenario, plan: &Plan, quantities: Quantities) -> Vec<Self> {
        if !plan.status.has_solution() {
            return Vec::new();
        }
        explain_shortages(s, plan)
            .iter()
            .map(|x| Self::new(s, x, quantities))
            .collect()
    }
}

/// A demand's parties (an entry of the extra `demands_info` array). Caisson
/// writes every field; a reader takes what another tool gives as hints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandInfoRow {
    /// Demand id.
    pub demand: String,
    /// Buying actor id.
    pub buyer: Option<String>,
    /// End user actor id.
    pub end_user: Option<String>,
    /// Product id.
    pub product: Option<String>,
    /// Whether unmet demand is backlogged (false: lost).
    pub backlog: Option<bool>,
}

/// A facility's owner (an entry of the extra `facilities_info` array).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FacilityInfoRow {
    /// Facility id.
    pub facility: String,
    /// Actor (state) id.
    pub actor: String,
}

/// The whole `caisson-plan/1` document (spec section 6), plus the extra
/// top-level fields `method`, `message`, `currency`, `model`,
/// `capacity_duals`, `explanations`, `demands_info` and `facilities_info`
/// (absent or empty when another tool's document lacks them).
///
/// Reading is lenient where nothing is lost: an absent record or KPI array
/// reads as empty (a plan without a solution has none), an absent
/// `scenario` as empty; `format`, `status` and `periods` are required.
///
/// `mip_gap` is null without a solution and when the gap is unknown
/// (infinite, as for the greedy heuristic's plans).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanDocument {
    /// Always [`FORMAT`].
    pub format: String,
    /// Scenario name.
    #[serde(default)]
    pub scenario: String,
    /// How the run ended.
    pub status: PlanStatus,
    /// What made the plan.
    #[serde(default)]
    pub method: String,
    /// Why the run failed, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The objective (null without a solution).
    pub objective: Option<f64>,
    /// Relative MIP gap (null without a solution or when unknown).
    pub mip_gap: Option<f64>,
    /// Currency of all costs.
    #[serde(default)]
    pub currency: String,
    /// Period labels of the horizon.
    pub periods: Vec<String>,
    /// The objective split (null without a solution).
    pub cost: Option<CostSplit>,
    /// Production records.
    #[serde(default)]
    pub production: Vec<ProductionRow>,
    /// Shipment records.
    #[serde(default)]
    pub shipments: Vec<ShipmentRow>,
    /// Transfer records.
    #[serde(default)]
    pub transfers: Vec<TransferRow>,
    /// Stock records.
    #[serde(default)]
    pub stock: Vec<StockRow>,
    /// Expansion records.
    #[serde(default)]
    pub expansions: Vec<ExpansionRow>,
    /// Demand records.
    #[serde(default)]
    pub demand: Vec<DemandRow>,
    /// Contract records.
    #[serde(default)]
    pub contracts: Vec<ContractRow>,
    /// Shipment compliance records.
    #[serde(default)]
    pub compliance: Vec<ComplianceRow>,
    /// Transfer compliance records.
    #[serde(default)]
    pub transfer_compliance: Vec<TransferComplianceRow>,
    /// KPIs.
    #[serde(default)]
    pub kpis: KpiRows,
    /// Model statistics, for solver-made plans (another tool's `model`
    /// object of another shape reads as none).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_model"
    )]
    pub model: Option<ModelStats>,
    /// Nonzero capacity shadow prices (absent when not computed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_duals: Option<Vec<CapacityDualRow>>,
    /// Why demands were short ("why short?"): one entry per short demand,
    /// empty without a solution.
    #[serde(default)]
    pub explanations: Vec<ExplanationRow>,
    /// Each demand's buyer, end user, product and backlog flag.
    #[serde(default)]
    pub demands_info: Vec<DemandInfoRow>,
    /// Each facility's actor.
    #[serde(default)]
    pub facilities_info: Vec<FacilityInfoRow>,
}

/// Only the `format` of a document, read before the rest so that a
/// document of another format is refused for that.
#[derive(Deserialize)]
struct FormatTag {
    format: Option<String>,
}

impl FormatTag {
    fn check(self) -> Result<(), DocumentError> {
        match self.format {
            Some(format) if format == FORMAT => Ok(()),
            Some(format) => Err(DocumentError::Format(format)),
            None => Err(DocumentError::NoFormat),
        }
    }
}

/// Caisson's `model` statistics, or none for an object of another shape:
/// `model` is an extra, and another tool may fill it with its own.
fn lenient_model<'de, D: serde::Deserializer<'de>>(
    input: D,
) -> Result<Option<ModelStats>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(input)?;
    Ok(value.and_then(|v| serde_json::from_value(v).ok()))
}

/// Labels of a scenario's entities, by typed index.
struct Labels<'a>(&'a Scenario);

impl Labels<'_> {
    fn period(&self, t: usize) -> String {
        self.0.calendar.label(t)
    }
    fn facility(&self, f: FacilityId) -> String {
        self.0.facilities[f.index()].id.clone()
    }
    fn product(&self, p: ProductId) -> String {
        self.0.products[p.index()].id.clone()
    }
    fn demand(&self, d: DemandId) -> String {
        self.0.demands[d.index()].id.clone()
    }
    fn actor(&self, a: ActorId) -> String {
        self.0.actors[a.index()].id.clone()
    }
    fn line(&self, l: LineId) -> String {
        self.0.lines[l.index()].id.clone()
    }
}

impl PlanDocument {
    /// Labels the plan's records with the scenario's ids and period labels.
    pub fn new(s: &Scenario, plan: &Plan) -> Self {
        let l = Labels(s);
        let solved = plan.status.has_solution();
        Self {
            format: FORMAT.to_owned(),
            scenario: s.name.clone(),
            status: plan.status,
            method: plan.method.clone(),
            message: plan.message.clone(),
            objective: plan.objective.filter(|_| solved),
            mip_gap: plan.mip_gap.filter(|g| solved && g.is_finite()),
            currency: s.currency.clone(),
            periods: s.calendar.labels(),
            cost: plan.cost.filter(|_| solved),
            production: plan
                .production
                .iter()
                .map(|r| ProductionRow {
                    facility: l.facility(r.facility),
                    line: l.line(r.line),
                    product: l.product(r.product),
                    period: l.period(r.period),
                    quantity: r.quantity,
                })
                .collect(),
            shipments: plan
                .shipments
                .iter()
                .map(|r| ShipmentRow {
                    facility: l.facility(r.facility),
                    demand: l.demand(r.demand),
                    product: l.product(r.product),
                    period: l.period(r.period),
                    arrival: l.period(r.arrival),
                    quantity: r.quantity,
                })
                .collect(),
            transfers: plan
                .transfers
                .iter()
                .map(|r| TransferRow {
                    from: l.facility(r.from),
                    to: l.facility(r.to),
                    product: l.product(r.product),
                    period: l.period(r.period),
                    arrival: l.period(r.arrival),
                    quantity: r.quantity,
                })
                .collect(),
            stock: plan
                .stock
                .iter()
                .map(|r| StockRow {
                    facility: l.facility(r.facility),
                    product: l.product(r.product),
                    period: l.period(r.period),
                    quantity: r.quantity,
                })
                .collect(),
            expansions: plan
                .expansions
                .iter()
                .map(|r| ExpansionRow {
                    expansion: s.expansions[r.expansion.index()].id.clone(),
                    facility: l.facility(r.facility),
                    line: l.line(r.line),
                    decided: l.period(r.decided),
                    available: l.period(r.available),
                    fraction: r.fraction,
                })
                .collect(),
            demand: plan
                .demand
                .iter()
                .map(|r| DemandRow {
                    demand: l.demand(r.demand),
                    period: l.period(r.period),
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
                    contract: s.contracts[r.contract.index()].id.clone(),
                    period: l.period(r.period),
                    committed: r.committed,
                    shipped: r.shipped,
                    shortfall: r.shortfall,
                })
                .collect(),
            compliance: plan
                .compliance
                .iter()
                .map(|r| ComplianceRow {
                    facility: l.facility(r.facility),
                    demand: l.demand(r.demand),
                    allowed: r.verdict.is_allowed(),
                    reason: windowed_reason(s, r.verdict, || {
                        crate::Open::of_shipment(s, r.facility, r.demand)
                    }),
                })
                .collect(),
            transfer_compliance: plan
                .transfer_compliance
                .iter()
                .map(|r| TransferComplianceRow {
                    from: l.facility(r.from),
                    to: l.facility(r.to),
                    allowed: r.verdict.is_allowed(),
                    reason: windowed_reason(s, r.verdict, || {
                        crate::Open::of_transfer(s, r.from, r.to)
                    }),
                })
                .collect(),
            kpis: KpiRows::new(s, plan),
            model: plan.model.clone(),
            capacity_duals: plan.capacity_duals.as_ref().map(|duals| {
                duals
                    .iter()
                    .map(|d| CapacityDualRow {
                        facility: l.facility(s.lines[d.line.index()].facility),
                        line: l.line(d.line),
                        period: l.period(d.period),
                        shadow_price: d.shadow_price,
                    })
                    .collect()
            }),
            // Exact: the sentences stay as every golden snapshot records them.
            explanations: ExplanationRow::of_plan(s, plan, Quantities::Exact),
            demands_info: s
                .demands
                .iter()
                .map(|d| DemandInfoRow {
                    demand: d.id.clone(),
                    buyer: Some(l.actor(d.buyer)),
                    end_user: Some(l.actor(d.end_user)),
                    product: Some(l.product(d.product)),
                    backlog: Some(d.backlog),
                })
                .collect(),
            facilities_info: s
                .facilities
                .iter()
                .map(|f| FacilityInfoRow {
                    facility: f.id.clone(),
                    actor: l.actor(f.actor),
                })
                .collect(),
        }
    }

    /// Reads a document from JSON text: `format` must be [`FORMAT`] and
    /// the fields the spec lists must be there (an absent record array
    /// reads as empty; the extras of Caisson are optional).
    pub fn from_json(text: &str) -> Result<Self, DocumentError> {
        let tag: FormatTag = serde_json::from_str(text).map_err(DocumentError::at_top)?;
        tag.check()?;
        Self::read(&mut serde_json::Deserializer::from_str(text))
    }

    /// Reads a document from a JSON value (e.g. one embedded in another
    /// document), as [`PlanDocument::from_json`].
    pub fn from_value(value: &serde_json::Value) -> Result<Self, DocumentError> {
        FormatTag::deserialize(value)
            .map_err(DocumentError::at_top)?
            .check()?;
        Self::read(value)
    }

    /// The whole document; errors name the field (`shipments[3]: missing
    /// field quantity`).
    fn read<'de, D>(input: D) -> Result<Self, DocumentError>
    where
        D: serde::Deserializer<'de, Error = serde_json::Error>,
    {
        serde_path_to_error::deserialize(input).map_err(|error| DocumentError::Json {
            path: error.path().to_string(),
            source: error.into_inner(),
        })
    }

    /// The demand's buyer, end user, product and backlog flag, from
    /// `demands_info`.
    pub fn demand_info(&self, demand: &str) -> Option<&DemandInfoRow> {
        self.demands_info.iter().find(|d| d.demand == demand)
    }

    /// The facility's actor, from `facilities_info`.
    pub fn facility_actor(&self, facility: &str) -> Option<&str> {
        self.facilities_info
            .iter()
            .find(|f| f.facility == facility)
            .map(|f| f.actor.as_str())
    }
}

impl KpiRows {
    /// Labels the plan's KPIs.
    pub fn new(s: &Scenario, plan: &Plan) -> Self {
        let l = Labels(s);
        Self {
            demands: plan
                .kpis
                .demands
                .iter()
                .map(|k| DemandKpiRow {
                    demand: l.demand(k.demand),
                    product: l.product(k.product),
                    end_user: l.actor(k.end_user),
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
                    product: l.product(k.product),
                    required: k.required,
                    delivered: k.delivered,
                    fill_rate: k.fill_rate,
                    shortage: k.shortage,
                    withheld: false,
                })
                .collect(),
            end_users: plan
                .kpis
                .end_users
                .iter()
                .map(|k| EndUserKpiRow {
                    end_user: l.actor(k.end_user),
                    product: l.product(k.product),
                    exporter: l.actor(k.exporter),
                    delivered: k.delivered,
                    share: k.share,
                })
                .collect(),
            dependencies: DependencyRow::label(s, &plan.kpis.dependencies),
        }
    }
}

impl DependencyRow {
    /// Labels dependency profiles computed by [`crate::dependencies`].
    pub fn label(s: &Scenario, profiles: &[crate::DependencyKpi]) -> Vec<Self> {
        let l = Labels(s);
        profiles
            .iter()
            .map(|k| DependencyRow {
                role: k.role,
                receiver: l.actor(k.receiver),
                product: l.product(k.product),
                delivered: k.delivered,
                by_exporter: k
                    .by_exporter
                    .iter()
                    .map(|e| ShareRow {
                        id: l.actor(e.key),
                        units: e.units,
                        share: e.share,
                    })
                    .collect(),
                by_bloc: k
                    .by_bloc
                    .iter()
                    .map(|b| ShareRow {
                        id: b
                            .key
                            .map_or_else(|| NO_BLOC.to_owned(), |b| s.blocs[b.index()].id.clone()),
                        units: b.units,
                        share: b.share,
                    })
                    .collect(),
                hhi: k.hhi,
                unaligned_share: k.unaligned_share,
            })
            .collect()
    }
}
