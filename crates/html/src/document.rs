//! The report document (`caisson-report/1`): everything the page draws,
//! already aggregated, so that the page's script only lays it out.
//!
//! These types are the JSON contract between the producers of analyses
//! (`compare`, `risk`, `simulate`) and the page; see the crate docs for the
//! JSON shape of each section.

use serde::{Deserialize, Serialize};

/// The format tag of report documents.
pub const FORMAT: &str = "caisson-report/1";

/// Everything one HTML report shows. Every section is optional; the page
/// shows the views of the sections present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportDocument {
    /// Always [`FORMAT`].
    pub format: String,
    /// The page title.
    pub title: String,
    /// What wrote the document (e.g. `"caisson 0.1.0"`).
    #[serde(default)]
    pub generator: String,
    /// The views of one plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanSection>,
    /// Side-by-side deltas of variants against a base (from `compare`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Comparison>,
    /// A ranked criticality measure (from `risk`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criticality: Option<Criticality>,
    /// Percentile bands of quantities over time (from `simulate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub simulation: Option<Simulation>,
    /// How far each assumption moves an answer: a tornado (from
    /// `sensitivity`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<Sensitivity>,
    /// A supplier's contracts against a bloc's ramp-ups over a swept
    /// political hazard (from `breakeven`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breakeven: Option<Breakeven>,
}

impl ReportDocument {
    /// An empty document with a title.
    pub fn new(title: &str) -> Self {
        Self {
            format: FORMAT.to_owned(),
            title: title.to_owned(),
            generator: concat!("caisson ", env!("CARGO_PKG_VERSION")).to_owned(),
            plan: None,
            comparison: None,
            criticality: None,
            simulation: None,
            sensitivity: None,
            breakeven: None,
        }
    }
}

/// The views of one plan, derived from its `caisson-plan/1` JSON and, when
/// available, from its scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanSection {
    /// Scenario name.
    pub scenario: String,
    /// Plan status (`optimal`, `feasible`, `time_limit`, `infeasible`, `error`).
    pub status: String,
    /// What made the plan, when known.
    #[serde(default)]
    pub method: Option<String>,
    /// Why the run failed, when it did.
    #[serde(default)]
    pub message: Option<String>,
    /// The objective (null without a solution).
    #[serde(default)]
    pub objective: Option<f64>,
    /// The relative MIP gap (null without a solution).
    #[serde(default)]
    pub mip_gap: Option<f64>,
    /// Currency of every cost.
    pub currency: String,
    /// Period labels of the horizon.
    pub periods: Vec<String>,
    /// Whether the scenario was available (capacities, buyers and exporting
    /// actors are then known exactly).
    pub with_scenario: bool,
    /// The objective split, in the spec's order (empty without a solution).
    pub cost: Vec<CostItem>,
    /// Fill rates per demanded product.
    pub products: Vec<ProductFill>,
    /// Series per demand.
    pub demands: Vec<DemandSeries>,
    /// Series per (end user, product): the sum of that end user's demands.
    pub end_users: Vec<EndUserSeries>,
    /// What the three Sankey levels are.
    pub flow_levels: FlowLevels,
    /// Shipped units per (product, exporter, buyer, end user).
    pub flows: Vec<Flow>,
    /// Whether `lines` carry capacities (utilisation) or only units made.
    pub utilisation_known: bool,
    /// Use of every line over time.
    pub lines: Vec<LineUse>,
    /// Expansion decisions.
    pub expansions: Vec<ExpansionMark>,
    /// Shipment compliance verdicts (facility × demand).
    pub compliance: Vec<ComplianceCell>,
    /// Denied transfer pairs.
    pub transfer_denials: Vec<TransferDenial>,
    /// Who supplies each end user, per product.
    pub dependency: Vec<DependencyShare>,
    /// How concentrated and how aligned each receiver's supply is (from the
    /// plan's `kpis.dependencies`; empty for plans written without it).
    #[serde(default)]
    pub concentration: Vec<Concentration>,
    /// Why demands remain short, when the plan carries explanations.
    pub explanations: Vec<Explanation>,
    /// Contract totals over the plan's periods.
    pub contracts: Vec<ContractTotal>,
    /// The scenario's `[[assumption]]` entries with their ranges (an
    /// extension of the spec, `docs/assumptions.md`): the figures this plan
    /// rests on. Empty without a scenario or without entries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assumptions: Vec<AssumptionRange>,
}

/// One assumption behind a plan, with its range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssumptionRange {
    /// Assumption id.
    pub id: String,
    /// Why the values are assumed.
    pub reason: String,
    /// Low multiplier of the values written.
    pub low: f64,
    /// High multiplier.
    pub high: f64,
    /// The values it scales, e.g. `capacity krusik.mortar`.
    pub targets: Vec<String>,
}

/// One term of the objective.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostItem {
    /// `shortage`, `production`, `transport`, `holding`, `capex` or `contract`.
    pub term: String,
    /// Its value, in the plan's currency.
    pub value: f64,
}

/// Fill rate of one demanded product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductFill {
    /// Product id.
    pub product: String,
    /// Units required over the horizon.
    pub required: f64,
    /// Units delivered.
    pub delivered: f64,
    /// `delivered / required`; null when nothing is required.
    pub fill_rate: Option<f64>,
    /// Unit-periods of backlog plus lost units.
    pub shortage: f64,
}

/// One demand over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemandSeries {
    /// Demand id.
    pub demand: String,
    /// Product id.
    pub product: String,
    /// Buyer actor id, when known.
    pub buyer: Option<String>,
    /// End user actor id.
    pub end_user: String,
    /// `true`: shortage stays owed (backlog); `false`: it is lost.
    pub backlog_kind: bool,
    /// Units newly required per period.
    pub required: Vec<f64>,
    /// Units arriving per period.
    pub delivered: Vec<f64>,
    /// Backlog at the end of each period.
    pub backlog: Vec<f64>,
    /// Units lost per period.
    pub lost: Vec<f64>,
    /// `delivered / required` over the horizon; null when nothing is required.
    pub fill_rate: Option<f64>,
}

/// The demands of one end user for one product, summed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndUserSeries {
    /// End user actor id.
    pub end_user: String,
    /// Product id.
    pub product: String,
    /// The demands summed.
    pub demands: Vec<String>,
    /// Units newly required per period.
    pub required: Vec<f64>,
    /// Units arriving per period.
    pub delivered: Vec<f64>,
    /// Backlog at the end of each period.
    pub backlog: Vec<f64>,
    /// Units lost per period.
    pub lost: Vec<f64>,
}

/// What the nodes of the Sankey levels name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowLevels {
    /// `"actor"` (exporting state) or `"facility"` (when actors are unknown).
    pub source: String,
    /// `"actor"` (buyer) or `"demand"` (when buyers are unknown).
    pub middle: String,
}

/// Units shipped along one exporter → buyer → end user path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flow {
    /// Product id.
    pub product: String,
    /// Exporting actor (or facility, see [`FlowLevels`]).
    pub exporter: String,
    /// Buyer actor (or demand, see [`FlowLevels`]).
    pub buyer: String,
    /// End user actor.
    pub end_user: String,
    /// Units shipped.
    pub quantity: f64,
}

/// One production line over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineUse {
    /// Facility id.
    pub facility: String,
    /// Line id.
    pub line: String,
    /// Capacity units available per period, expansions included (absent
    /// without the scenario).
    pub capacity: Option<Vec<f64>>,
    /// Capacity units used per period (with the scenario), else units made.
    pub used: Vec<f64>,
    /// `used / capacity` per period; null where the capacity is 0 (absent
    /// without the scenario).
    pub utilisation: Option<Vec<Option<f64>>>,
    /// Capacity shadow prices per period, when the plan carries them.
    pub shadow_price: Option<Vec<f64>>,
}

/// One expansion decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpansionMark {
    /// Expansion id.
    pub expansion: String,
    /// Facility id.
    pub facility: String,
    /// Line id.
    pub line: String,
    /// Period label of the decision.
    pub decided: String,
    /// Period label of first use (may lie after the horizon).
    pub available: String,
    /// Fraction taken.
    pub fraction: f64,
    /// Capacity units added per period when taken whole (with the scenario).
    pub capacity: Option<f64>,
}

/// One (facility, demand) verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComplianceCell {
    /// Facility id.
    pub facility: String,
    /// Demand id.
    pub demand: String,
    /// Whether shipments are allowed.
    pub allowed: bool,
    /// The deciding policy and list, or why it is allowed.
    pub reason: String,
}

/// One denied transfer pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransferDenial {
    /// Sending facility id.
    pub from: String,
    /// Receiving facility id.
    pub to: String,
    /// The deciding policy and list.
    pub reason: String,
}

/// Deliveries of one product to one end user from one exporting actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DependencyShare {
    /// End user actor id.
    pub end_user: String,
    /// Product id.
    pub product: String,
    /// Exporting actor id.
    pub exporter: String,
    /// Units delivered.
    pub delivered: f64,
    /// Share of the end user's deliveries of the product, in [0, 1].
    pub share: f64,
}

/// The concentration of one receiver's supply of one product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Concentration {
    /// `end_user` or `buyer`.
    pub role: String,
    /// Receiving actor id.
    pub receiver: String,
    /// Product id.
    pub product: String,
    /// Units delivered.
    pub delivered: f64,
    /// Herfindahl-Hirschman index of the exporter mix (0-10,000).
    pub hhi: f64,
    /// Share from exporters sharing no bloc with the receiver, in [0, 1].
    pub unaligned_share: f64,
    /// The largest exporter's id.
    pub top_exporter: String,
    /// The largest exporter's share, in [0, 1].
    pub top_share: f64,
}

/// Why a demand is short: one explanation with its causes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// What it is about (a demand id, when given).
    pub subject: Option<String>,
    /// The explanation.
    pub text: String,
    /// Its causes, most important first.
    pub causes: Vec<String>,
}

/// A contract's totals over its periods in the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContractTotal {
    /// Contract id.
    pub contract: String,
    /// Units committed.
    pub committed: f64,
    /// Units shipped.
    pub shipped: f64,
    /// Units short.
    pub shortfall: f64,
}

/// Side-by-side deltas of variants against a base (`compare`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The base's name.
    pub base: String,
    /// The variants' names, in column order.
    pub variants: Vec<String>,
    /// One row per compared quantity.
    pub metrics: Vec<ComparisonMetric>,
    /// The time windows of the cases' policies and routes, one row per
    /// windowed policy or route (docs/windows.md); absent when no case has
    /// one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<ComparisonWindow>,
}

/// When one policy binds or one route is open, in each compared case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonWindow {
    /// `"policy ID"` or `"route FROM -> TO"`.
    pub subject: String,
    /// Its periods in the base (`"2026-03..2026-06"`); null: no window
    /// there.
    pub base: Option<String>,
    /// Its periods in each variant, in `variants` order.
    pub values: Vec<Option<String>>,
}

/// One compared quantity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonMetric {
    /// Display label, e.g. `"Objective"` or `"Fill rate shell-155"`.
    pub label: String,
    /// Unit, e.g. `"EUR"`, `"units"` or `"%"` (empty when none).
    #[serde(default)]
    pub unit: String,
    /// `"lower"` or `"higher"`: which direction is better (colours deltas).
    #[serde(default)]
    pub better: Option<String>,
    /// The base's value (null when not defined).
    pub base: Option<f64>,
    /// One value per variant, in `variants` order (null when not defined).
    pub values: Vec<Option<f64>>,
}

/// A ranked criticality measure (`risk`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Criticality {
    /// What the value measures, e.g. `"objective increase if lost"`.
    pub measure: String,
    /// Its unit, e.g. `"EUR"` (empty when none).
    #[serde(default)]
    pub unit: String,
    /// The ranked items (the page sorts them by value, largest first).
    pub items: Vec<CriticalityItem>,
}

/// One ranked item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriticalityItem {
    /// What is ranked: a facility, actor, line or route id.
    pub name: String,
    /// Its kind, e.g. `"facility"` (empty when not given).
    #[serde(default)]
    pub kind: String,
    /// The measure.
    pub value: f64,
    /// A short explanation.
    #[serde(default)]
    pub detail: Option<String>,
}

/// Percentile bands over time (`simulate`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Simulation {
    /// Number of simulated runs.
    pub runs: u64,
    /// Period labels.
    pub periods: Vec<String>,
    /// The quantiles given, increasing, in [0, 1] (e.g. 0.05, 0.25, 0.5,
    /// 0.75, 0.95); the fan shades the bands between symmetric pairs and
    /// draws the median (or the middle quantile) as a line.
    pub quantiles: Vec<f64>,
    /// One fan per simulated quantity.
    pub series: Vec<FanSeries>,
    /// The fill-rate threshold of `below_threshold` (when given).
    #[serde(default)]
    pub threshold: Option<f64>,
    /// Per-demand percentiles and the chance of falling below the
    /// threshold (`simulate`'s `demands`; empty when not given).
    #[serde(default)]
    pub demands: Vec<SimulatedDemand>,
}

/// One demand across the simulated runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulatedDemand {
    /// Demand id.
    pub demand: String,
    /// Product id.
    #[serde(default)]
    pub product: String,
    /// End user id.
    #[serde(default)]
    pub end_user: String,
    /// Percentiles of the fill rate (absent when the demand requires
    /// nothing in any run).
    #[serde(default)]
    pub fill_rate: Option<Spread>,
    /// Percentiles of the shortage (unit-periods plus lost units).
    #[serde(default)]
    pub shortage: Option<Spread>,
    /// Share of runs whose fill rate falls below the threshold.
    #[serde(default)]
    pub below_threshold: Option<f64>,
}

/// The statistics of a simulated quantity as `simulate` writes them:
/// percentiles keyed `p5`, `p50`, `p95` (whichever `--quantiles` asked
/// for) and `count`, `mean`, `min`, `max`; the page shows the lowest, middle
/// and highest percentile given.
pub type Spread = std::collections::BTreeMap<String, Option<f64>>;

/// One simulated quantity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FanSeries {
    /// Display name, e.g. `"backlog ukr-155"`.
    pub name: String,
    /// Unit (empty when none).
    #[serde(default)]
    pub unit: String,
    /// `values[q][t]`: quantile `quantiles[q]` in period `t`.
    pub values: Vec<Vec<f64>>,
}

/// How far each assumption moves one answer (`sensitivity`): the bars of a
/// tornado chart, largest swing first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// What is measured, in words (e.g. "UKR shortage: serbia-integrated
    /// minus serbia-lost").
    pub measure: String,
    /// Unit of the measure (empty when none).
    #[serde(default)]
    pub unit: String,
    /// The measure at the values written (`None` when a plan it needs has
    /// no solution).
    pub base: Option<f64>,
    /// One bar per assumption, in rank order.
    pub bars: Vec<TornadoBar>,
}

/// One assumption at its two bounds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TornadoBar {
    /// Assumption id.
    pub id: String,
    /// Why it is assumed.
    #[serde(default)]
    pub reason: String,
    /// The low multiplier of the values written.
    pub low: f64,
    /// The high multiplier.
    pub high: f64,
    /// The measure with the assumption at its low bound.
    pub at_low: Option<f64>,
    /// The measure with the assumption at its high bound.
    pub at_high: Option<f64>,
    /// The values it scales, e.g. `capacity krusik.mortar`.
    #[serde(default)]
    pub targets: Vec<String>,
}

/// Contracts with a supplier that may turn away against the same money in
/// a bloc's ramp-ups, over a swept yearly probability (`breakeven`): one
/// line per side and measure, and where they cross.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Breakeven {
    /// The supplier of the deal (actor id).
    pub supplier: String,
    /// The bloc whose expansions the money funds instead.
    pub bloc: String,
    /// Whose shortage is compared (actor id).
    pub end_user: String,
    /// The political entry swept.
    pub entry: String,
    /// Samples per probability.
    pub samples: usize,
    /// The yearly probabilities swept, increasing.
    pub hazards: Vec<f64>,
    /// The compared measures (shortage, then cost).
    pub measures: Vec<BreakevenMeasure>,
}

/// One measure of the comparison at every swept probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakevenMeasure {
    /// What is measured, in words (e.g. "UKR expected shortage").
    pub name: String,
    /// Its unit (e.g. "unit-periods", "EUR").
    #[serde(default)]
    pub unit: String,
    /// The deal's value at each probability.
    pub deal: Vec<f64>,
    /// The ramp-up's value at each probability.
    pub ramp_up: Vec<f64>,
    /// The break-even probability (`None`: the deal stays better over the
    /// whole sweep).
    pub breakeven: Option<f64>,
    /// The break-even in words.
    pub verdict: String,
}
