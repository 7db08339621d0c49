//! Compliance rules of spec section 3: which flows the policies allow.
//!
//! Pure functions over a validated [`Scenario`](caisson_model::Scenario); no
//! solver, no I/O. Every verdict names the policy and the list that decided
//! it, so that a denied flow can always be traced to the rule that denied it.
//!
//! - [`shipment`], [`transfer`], [`leg`] and [`end_use`] give one verdict,
//!   stopping at the first denial (the planner's path);
//! - [`ComplianceMatrix`] gives every verdict of a scenario at once, caching
//!   per actor pair;
//! - [`explain_shipment`] and [`explain_transfer`] give a [`Trace`] of every
//!   rule and policy list examined, for `caisson explain`;
//! - [`qualify`] and [`TransferCandidates`] say which products would qualify
//!   for a transfer between two facilities (spec section 4).
//!
//! ```
//! use caisson_compliance::{Rule, Verdict};
//! assert_eq!(Rule::ExporterToBuyer.describe(), "rule 1: leg exporter -> buyer");
//! assert!(Verdict::Allowed.is_allowed());
//! ```

mod matrix;
mod qualify;
mod rules;
mod trace;
mod verdict;

#[cfg(test)]
mod testkit;

pub use matrix::ComplianceMatrix;
pub use qualify::{qualify, Qualification, TransferCandidates};
pub use rules::{
    by_period, end_use, end_use_at, leg, leg_at, shipment, shipment_at, shipment_by_actors,
    shipment_by_actors_at, transfer, transfer_at,
};
pub use trace::{
    explain_shipment, explain_transfer, trace_end_use, trace_leg, PolicyCheck, RuleOutcome,
    RuleTrace, ShipmentExplanation, Trace, TransferExplanation,
};
pub use verdict::{Denial, Rule, Verdict};
