//! File-format types: what one scenario file says, with where it says it.
//!
//! These mirror the format of spec sections 1 and 2 field by field, before
//! defaults, references or the `extends` chain are dealt with. Only this
//! crate knows them; the validated model (`caisson_model`) has no spans.

use caisson_model::PeriodKind;

use crate::source::Loc;

/// A value with the place it was written.
#[derive(Debug, Clone)]
pub(crate) struct Sp<T> {
    pub value: T,
    pub at: Loc,
}

/// A field of an entity as read from a file.
#[derive(Debug, Clone, Default)]
pub(crate) enum Field<T> {
    /// Not written.
    #[default]
    Missing,
    /// Written, but wrong (already reported): later checks skip it and the
    /// required-field check does not report it again.
    Invalid,
    /// Written and well-formed.
    Valid(Sp<T>),
}

impl<T> Field<T> {
    /// The value, if valid.
    pub fn get(&self) -> Option<&T> {
        match self {
            Field::Valid(sp) => Some(&sp.value),
            _ => None,
        }
    }

    /// The value with its place, if valid.
    pub fn sp(&self) -> Option<&Sp<T>> {
        match self {
            Field::Valid(sp) => Some(sp),
            _ => None,
        }
    }

    /// Whether the field was written at all.
    pub fn is_present(&self) -> bool {
        !matches!(self, Field::Missing)
    }
}

/// A schedule (spec section 1): one number, or label = number steps.
#[derive(Debug, Clone)]
pub(crate) enum Schedule {
    Constant(f64),
    Steps(Vec<(Sp<String>, f64)>),
}

/// `[scenario]`.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawHeader {
    pub name: Field<String>,
    pub start: Field<String>,
    pub period: Field<PeriodKind>,
    pub periods: Field<u32>,
    pub currency: Field<String>,
    pub description: Field<String>,
    pub default_lead_time: Field<u32>,
    pub default_unit_cost: Field<f64>,
    pub extends: Field<String>,
}

/// `[[actor]]`.
#[derive(Debug, Clone)]
pub(crate) struct RawActor {
    pub at: Loc,
    pub entity: String,
    pub id: Field<String>,
    pub name: Field<String>,
    pub blocs: Field<Vec<Sp<String>>>,
    pub belligerent: Field<bool>,
}

/// `[[product]]`.
#[derive(Debug, Clone)]
pub(crate) struct RawProduct {
    pub at: Loc,
    pub entity: String,
    pub id: Field<String>,
    pub name: Field<String>,
    pub unit: Field<String>,
    pub inputs: Field<Vec<(Sp<String>, f64)>>,
}

/// `[[facility]]` with its lines and expansions.
#[derive(Debug, Clone)]
pub(crate) struct RawFacility {
    pub at: Loc,
    pub entity: String,
    pub id: Field<String>,
    pub name: Field<String>,
    pub actor: Field<String>,
    pub holding_cost: Field<f64>,
    pub stock: Field<Vec<(Sp<String>, f64)>>,
    pub lines: Vec<RawLine>,
    pub expansions: Vec<RawExpansion>,
}

/// `[[facility.line]]`.
#[derive(Debug, Clone)]
pub(crate) struct RawLine {
    pub at: Loc,
    pub entity: String,
    pub id: Field<String>,
    pub capacity: Field<Schedule>,
    pub products: Field<Vec<RawLineProduct>>,
}

/// One entry of a line's `products`.
#[derive(Debug, Clone)]
pub(crate) struct RawLineProduct {
    pub product: Sp<String>,
    pub rate: Option<f64>,
    pub cost: Option<f64>,
}

/// `[[facility.expansion]]`.
#[derive(Debug, Clone)]
pub(crate) struct RawExpansion {
    pub at: Loc,
    pub entity: String,
    pub id: Field<String>,
    pub line: Field<String>,
    pub capacity: Field<f64>,
    pub lead_time: Field<u32>,
    pub capex: Field<f64>,
    pub earliest: Field<String>,
    pub latest: Field<String>,
    pub integer: Field<bool>,
}

/// `[[route]]`.
#[derive(Debug, Clone)]
pub(crate) struct RawRoute {
    pub at: Loc,
    pub entity: String,
    pub from: Field<String>,
    pub to: Field<String>,
    pub lead_time: Field<u32>,
    pub unit_cost: Field<f64>,
}

/// `[[demand]]`.
#[derive(Debug, Clone)]
pub(crate) struct RawDemand {
    pub at: Loc,
    pub entity: String,
    pub id: Field<String>,
    pub buyer: Field<String>,
    pub end_user: Field<String>,
    pub product: Field<String>,
    pub quantity: Field<Schedule>,
    pub penalty: Field<f64>,
    pub backlog: Field<bool>,
}

/// `[[contract]]`.
#[derive(Debug, Clone)]
pub(crate) struct RawContract {
    pub at: Loc,
    pub entity: String,
    pub id: Field<String>,
    pub facility: Field<String>,
    pub buyer: Field<String>,
    pub product: Field<String>,
    pub quantity: Field<Schedule>,
    pub penalty: Field<f64>,
    pub price: Field<f64>,
}

/// `[[policy]]`.
#[derive(Debug, Clone)]
pub(crate) struct RawPolicy {
    pub at: Loc,
    pub entity: String,
    pub id: Field<String>,
    pub name: Field<String>,
    pub scope: Field<String>,
    pub deny_export: Field<Vec<Sp<String>>>,
    pub deny_import: Field<Vec<Sp<String>>>,
    pub deny_end_use: Field<Vec<Sp<String>>>,
}

/// `[[uncertainty]]` (an extension of the spec, `docs/uncertainty.md`).
/// Which fields apply depends on `kind` and `distribution`; that is
/// checked on the merged scenario.
#[derive(Debug, Clone)]
pub(crate) struct RawUncertainty {
    pub at: Loc,
    pub entity: String,
    pub id: Field<String>,
    pub kind: Field<UncertaintyKindName>,
    pub demands: Field<RawTargets>,
    pub facilities: Field<RawTargets>,
    pub actor: Field<String>,
    pub from: Field<String>,
    pub to: Field<String>,
    pub distribution: Field<DistributionName>,
    pub median: Field<f64>,
    pub mean: Field<f64>,
    pub sigma: Field<f64>,
    pub min: Field<f64>,
    pub mode: Field<f64>,
    pub max: Field<f64>,
    pub shared: Field<bool>,
    pub probability: Field<f64>,
    pub duration: Field<(u32, u32)>,
    pub extra: Field<(u32, u32)>,
}

/// The `kind` of an uncertainty entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UncertaintyKindName {
    Demand,
    Outage,
    Yield,
    Delay,
}

impl UncertaintyKindName {
    pub const ALL: [(&'static str, UncertaintyKindName); 4] = [
        ("demand", UncertaintyKindName::Demand),
        ("outage", UncertaintyKindName::Outage),
        ("yield", UncertaintyKindName::Yield),
        ("delay", UncertaintyKindName::Delay),
    ];

    pub fn name(self) -> &'static str {
        match self {
            UncertaintyKindName::Demand => "demand",
            UncertaintyKindName::Outage => "outage",
            UncertaintyKindName::Yield => "yield",
            UncertaintyKindName::Delay => "delay",
        }
    }
}

/// The `distribution` of an uncertainty entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DistributionName {
    Lognormal,
    Triangular,
    Uniform,
}

impl DistributionName {
    pub const ALL: [(&'static str, DistributionName); 3] = [
        ("lognormal", DistributionName::Lognormal),
        ("triangular", DistributionName::Triangular),
        ("uniform", DistributionName::Uniform),
    ];

    pub fn name(self) -> &'static str {
        match self {
            DistributionName::Lognormal => "lognormal",
            DistributionName::Triangular => "triangular",
            DistributionName::Uniform => "uniform",
        }
    }
}

/// A target list: `"*"` or a list of ids.
#[derive(Debug, Clone)]
pub(crate) enum RawTargets {
    All,
    Only(Vec<Sp<String>>),
}

/// `[remove]` of a variant.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawRemove {
    pub actors: Vec<Sp<String>>,
    pub products: Vec<Sp<String>>,
    pub facilities: Vec<Sp<String>>,
    pub demands: Vec<Sp<String>>,
    pub contracts: Vec<Sp<String>>,
    pub policies: Vec<Sp<String>>,
    pub routes: Vec<Sp<String>>,
    pub uncertainty: Vec<Sp<String>>,
}

/// One scenario file as written (or, after merging, a whole chain).
#[derive(Debug, Clone)]
pub(crate) struct RawScenario {
    /// Where the document starts (for problems with no better place).
    pub at: Loc,
    /// Where `[scenario]` is, if written.
    pub header_at: Option<Loc>,
    pub header: RawHeader,
    pub actors: Vec<RawActor>,
    pub products: Vec<RawProduct>,
    pub facilities: Vec<RawFacility>,
    pub routes: Vec<RawRoute>,
    pub demands: Vec<RawDemand>,
    pub contracts: Vec<RawContract>,
    pub policies: Vec<RawPolicy>,
    pub uncertainty: Vec<RawUncertainty>,
    /// `[[assumption]]` (an extension of the spec, `docs/assumptions.md`).
    pub assumptions: Vec<crate::read::RawAssumption>,
    /// `[remove]` and where it is.
    pub remove: Option<(Loc, RawRemove)>,
}

impl RawScenario {
    /// An empty document starting at `at`.
    pub fn empty(at: Loc) -> Self {
        RawScenario {
            at,
            header_at: None,
            header: RawHeader::default(),
            actors: Vec::new(),
            products: Vec::new(),
            facilities: Vec::new(),
            routes: Vec::new(),
            demands: Vec::new(),
            contracts: Vec::new(),
            policies: Vec::new(),
            uncertainty: Vec::new(),
            assumptions: Vec::new(),
            remove: None,
        }
    }
}

/// Field names per table, for unknown-field suggestions.
pub(crate) mod fields {
    pub const TOP: &[&str] = &[
        "scenario",
        "actor",
        "product",
        "facility",
        "route",
        "demand",
        "contract",
        "policy",
        "uncertainty",
        "assumption",
        "remove",
    ];
    pub const SCENARIO: &[&str] = &[
        "name",
        "start",
        "period",
        "periods",
        "currency",
        "description",
        "default_lead_time",
        "default_unit_cost",
        "extends",
    ];
    pub const ACTOR: &[&str] = &["id", "name", "blocs", "belligerent"];
    pub const PRODUCT: &[&str] = &["id", "name", "unit", "inputs"];
    pub const FACILITY: &[&str] = &[
        "id",
        "name",
        "actor",
        "holding_cost",
        "stock",
        "line",
        "expansion",
    ];
    pub const LINE: &[&str] = &["id", "capacity", "products"];
    pub const LINE_PRODUCT: &[&str] = &["rate", "cost"];
    pub const EXPANSION: &[&str] = &[
        "id",
        "line",
        "capacity",
        "lead_time",
        "capex",
        "earliest",
        "latest",
        "integer",
    ];
    pub const ROUTE: &[&str] = &["from", "to", "lead_time", "unit_cost"];
    pub const DEMAND: &[&str] = &[
        "id", "buyer", "end_user", "product", "quantity", "penalty", "backlog",
    ];
    pub const CONTRACT: &[&str] = &[
        "id", "facility", "buyer", "product", "quantity", "penalty", "price",
    ];
    pub const POLICY: &[&str] = &[
        "id",
        "name",
        "scope",
        "deny_export",
        "deny_import",
        "deny_end_use",
    ];
    pub const REMOVE: &[&str] = &[
        "actors",
        "products",
        "facilities",
        "demands",
        "contracts",
        "policies",
        "routes",
        "uncertainty",
    ];
    pub const UNCERTAINTY: &[&str] = &[
        "id",
        "kind",
        "demands",
        "facilities",
        "actor",
        "from",
        "to",
        "distribution",
        "median",
        "mean",
        "sigma",
        "min",
        "mode",
        "max",
        "shared",
        "probability",
        "duration",
        "extra",
    ];
}
