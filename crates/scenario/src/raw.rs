//! File-format types: what one scenario file says, with where it says it.
//!
//! These mirror the format of spec sections 1 and 2 field by field, before
//! defaults, references or the `extends` chain are dealt with. Only this
//! crate knows them; the validated model (`caisson_model`) has no spans.

use crate::source::Loc;

// The structs of the entities, one `Field` per field, are made with their
// field tables in `schema.rs`.
pub(crate) use crate::schema::RawAssumption;
pub(crate) use crate::schema::{
    RawActor, RawContract, RawDemand, RawExpansion, RawFacility, RawHeader, RawPolicy, RawProduct,
    RawRemove, RawRoute, RawUncertainty,
};

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

/// One entry of a line's `products`.
#[derive(Debug, Clone)]
pub(crate) struct RawLineProduct {
    pub product: Sp<String>,
    pub rate: Option<f64>,
    pub cost: Option<f64>,
}

/// The names of a list of choices, for the schema.
const fn names<T: Copy, const N: usize>(all: [(&'static str, T); N]) -> [&'static str; N] {
    let mut out = [""; N];
    let mut i = 0;
    while i < N {
        out[i] = all[i].0;
        i += 1;
    }
    out
}

/// The `kind` of an uncertainty entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UncertaintyKindName {
    Demand,
    Outage,
    Yield,
    Delay,
    Political,
}

impl UncertaintyKindName {
    pub const ALL: [(&'static str, UncertaintyKindName); 5] = [
        ("demand", UncertaintyKindName::Demand),
        ("outage", UncertaintyKindName::Outage),
        ("yield", UncertaintyKindName::Yield),
        ("delay", UncertaintyKindName::Delay),
        ("political", UncertaintyKindName::Political),
    ];
    pub const NAMES: [&'static str; 5] = names(Self::ALL);

    pub fn name(self) -> &'static str {
        match self {
            UncertaintyKindName::Demand => "demand",
            UncertaintyKindName::Outage => "outage",
            UncertaintyKindName::Yield => "yield",
            UncertaintyKindName::Delay => "delay",
            UncertaintyKindName::Political => "political",
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
    pub const NAMES: [&'static str; 3] = names(Self::ALL);

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
    pub assumptions: Vec<RawAssumption>,
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
