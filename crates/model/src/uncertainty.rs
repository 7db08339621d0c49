//! Uncertainty sources for Monte Carlo simulation (`[[uncertainty]]`).
//!
//! This is an extension of the spec (`docs/uncertainty.md`): the planning
//! model of spec section 4 never reads these entries; `caisson simulate`
//! draws one value of each per sample, applies the draws to a copy of the
//! scenario and plans every copy. The types only describe *what* is
//! uncertain; sampling lives in `caisson-analysis` so that this crate stays
//! free of random number generators.

use crate::{ActorId, DemandId, FacilityId, PolicyId, Selector, Window};

/// One source of uncertainty.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertainty {
    /// Unique id among the uncertainty entries.
    pub id: String,
    /// What varies, where, and how it is distributed.
    pub kind: UncertaintyKind,
}

/// What an uncertainty entry makes vary.
#[derive(Debug, Clone, PartialEq)]
pub enum UncertaintyKind {
    /// Every period's quantity of the targeted demands is multiplied by a
    /// factor drawn once per sample (per demand, or one for all when
    /// `shared`).
    DemandMultiplier {
        /// The demands affected.
        demands: Targets<DemandId>,
        /// Distribution of the multiplier (values >= 0).
        distribution: Distribution,
        /// One draw for every target (`true`) or one per target.
        shared: bool,
    },
    /// In every period a targeted facility that is running goes down with
    /// `probability` and stays down (base line capacity 0) for a number of
    /// periods drawn from `duration`.
    FacilityOutage {
        /// The facilities affected.
        facilities: Targets<FacilityId>,
        /// Probability in [0, 1] that an outage starts in a given period.
        probability: f64,
        /// Outage length in periods (min >= 1).
        duration: PeriodRange,
    },
    /// The capacity of every line (and expansion) of the targeted facilities
    /// is multiplied by a factor drawn once per sample.
    CapacityYield {
        /// The facilities affected (all their lines).
        facilities: Targets<FacilityId>,
        /// Distribution of the factor (values >= 0).
        distribution: Distribution,
        /// One draw for every target (`true`) or one per facility.
        shared: bool,
    },
    /// With `probability`, the lead time of the matching actor pairs grows by
    /// a number of periods drawn from `extra`, for the whole horizon.
    RouteDelay {
        /// Origin actor; `None` matches every origin.
        from: Option<ActorId>,
        /// Destination actor; `None` matches every destination.
        to: Option<ActorId>,
        /// Probability in [0, 1] that the delay happens in a sample.
        probability: f64,
        /// Extra periods in transit when it happens.
        extra: PeriodRange,
        /// One draw for every matching pair (`true`) or one per pair.
        shared: bool,
    },
    /// A political switch (`kind = "political"`): at a period drawn once
    /// per sample (or never), every effect of the entry takes hold from that
    /// period on. Several effects in one entry switch together (correlated:
    /// one draw governs them all).
    Political {
        /// How the switch period is drawn.
        timing: SwitchTiming,
        /// The periods in which the switch may happen (`since` / `until`,
        /// clipped to the horizon; the whole horizon when absent).
        window: Window,
        /// What the switch does, in the order written (at least one).
        effects: Vec<PoliticalEffect>,
    },
}

/// How a political switch's period is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SwitchTiming {
    /// A yearly hazard in [0, 1]: the chance that the switch happens within
    /// a year, converted to a per-period chance `1 - (1 - h)^(1 / periods
    /// per year)`; the first period of the window whose draw succeeds is
    /// the switch.
    Hazard(f64),
    /// With this probability in [0, 1] the switch happens, in a period drawn
    /// uniformly from the window.
    Chance(f64),
}

/// One effect of a political switch, from the switch period on.
#[derive(Debug, Clone, PartialEq)]
pub enum PoliticalEffect {
    /// The policy binds only from the switch on (`start_policies`): as
    /// written it describes the world after the switch; without a switch it
    /// never binds.
    StartPolicy(PolicyId),
    /// The policy stops binding from the switch on (`end_policies`).
    EndPolicy(PolicyId),
    /// The exporter stops exporting to the selected actors from the switch
    /// on (`exporter` + `stops_exporting_to`), and its facilities'
    /// contracts with the selected buyers end then.
    StopExports {
        /// The exporting actor.
        exporter: ActorId,
        /// Whom it no longer exports to.
        to: Vec<Selector>,
    },
    /// The route from one actor to another closes from the switch on
    /// (`close_routes = ["FROM->TO"]`).
    CloseRoute {
        /// Origin actor.
        from: ActorId,
        /// Destination actor.
        to: ActorId,
    },
}

/// The entities an uncertainty entry applies to.
#[derive(Debug, Clone, PartialEq)]
pub enum Targets<T> {
    /// Every entity of the kind (`"*"`).
    All,
    /// These entities, in the order written, without duplicates.
    Only(Vec<T>),
}

impl<T: Copy + PartialEq> Targets<T> {
    /// Whether `item` is targeted.
    pub fn contains(&self, item: T) -> bool {
        match self {
            Targets::All => true,
            Targets::Only(list) => list.contains(&item),
        }
    }
}

/// A continuous distribution of a non-negative factor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    /// `exp(N(ln median, sigma²))`; median > 0, sigma >= 0 (0: always the median).
    Lognormal {
        /// Median of the factor (> 0).
        median: f64,
        /// Standard deviation of the factor's logarithm (>= 0).
        sigma: f64,
    },
    /// Triangular on [min, max] with peak at mode; 0 <= min <= mode <= max.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// Uniform on [min, max]; 0 <= min <= max.
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
}

impl Distribution {
    /// The expected value of the distribution.
    pub fn mean(&self) -> f64 {
        match *self {
            Distribution::Lognormal { median, sigma } => median * (sigma * sigma / 2.0).exp(),
            Distribution::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Distribution::Uniform { min, max } => (min + max) / 2.0,
        }
    }
}

/// An inclusive range of whole periods, drawn uniformly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodRange {
    /// Fewest periods.
    pub min: u32,
    /// Most periods (>= min).
    pub max: u32,
}
