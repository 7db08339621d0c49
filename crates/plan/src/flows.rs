//! Raw decision values, independent of any solver: the input from which a
//! [`crate::Plan`] is derived. The HiGHS solve produces them from its column
//! values; a heuristic can produce them from its own allocation.

use caisson_model::{DemandId, ExpansionId, FacilityId, LineId, ProductId};

/// Units of `product` made on `line` in `period` (x[l,p,t]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProductionFlow {
    /// The line.
    pub line: LineId,
    /// The product.
    pub product: ProductId,
    /// The period.
    pub period: usize,
    /// Units made.
    pub quantity: f64,
}

/// Units shipped from `facility` to `demand`, leaving in `period` (z[f,d,t]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShipmentFlow {
    /// The shipping facility.
    pub facility: FacilityId,
    /// The demand served.
    pub demand: DemandId,
    /// The period it leaves.
    pub period: usize,
    /// Units shipped.
    pub quantity: f64,
}

/// Units of `product` moved from `from` to `to`, leaving in `period`
/// (w[g,h,p,t]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TransferFlow {
    /// The sending facility.
    pub from: FacilityId,
    /// The receiving facility.
    pub to: FacilityId,
    /// The product.
    pub product: ProductId,
    /// The period it leaves.
    pub period: usize,
    /// Units moved.
    pub quantity: f64,
}

/// The fraction of `expansion` decided in `period` (y[e,t]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExpansionFlow {
    /// The expansion option.
    pub expansion: ExpansionId,
    /// The decision period.
    pub period: usize,
    /// Fraction taken (0 or 1 for integer expansions).
    pub fraction: f64,
}

/// All primary decisions of a plan. Stock, backlog, lost demand and contract
/// shortfall follow from these through the equations of spec section 4, so a
/// producer never states them. Entries may repeat a key (they are summed)
/// and may come in any order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flows {
    /// Production decisions.
    pub production: Vec<ProductionFlow>,
    /// Shipments to demands.
    pub shipments: Vec<ShipmentFlow>,
    /// Transfers between facilities.
    pub transfers: Vec<TransferFlow>,
    /// Expansion decisions.
    pub expansions: Vec<ExpansionFlow>,
}

/// How a producer's run ended, to attach to a plan derived from flows.
#[derive(Debug, Clone, PartialEq)]
pub struct SolutionInfo {
    /// `Optimal` or `Feasible` (a plan from flows always has a solution).
    pub status: crate::PlanStatus,
    /// What made the plan (e.g. `"greedy"`).
    pub method: String,
    /// Relative MIP gap (0 for an LP; a heuristic may give its own bound's gap
    /// or `f64::INFINITY` when unknown).
    pub mip_gap: f64,
}
