//! Dependency metrics: where each receiver's deliveries come from, with
//! the scenario's ids. They are part of every plan's KPIs
//! (`caisson_plan::dependencies` computes them with typed ids) and of its
//! document (`kpis.dependencies`, rows of
//! [`caisson_plan::document::DependencyRow`]); this module labels them for
//! the analyses.
//!
//! For every receiver (an end user, or a buyer) and product, the share of
//! delivered units by exporting actor and by bloc, the Herfindahl-Hirschman
//! index (HHI) of the exporter mix, and the share that comes from exporters
//! sharing no bloc with the receiver. Units of different products are never
//! added together (spec section 6).

use caisson_model::Scenario;
use caisson_plan::document::DependencyRow;
use caisson_plan::{DependencyKpi, Plan};

/// The dependency profiles of a plan (its `kpis.dependencies`), labelled.
pub fn of_plan(scenario: &Scenario, plan: &Plan) -> Vec<DependencyRow> {
    label(scenario, &plan.kpis.dependencies)
}

/// Replaces the profiles' typed ids by the scenario's ids.
pub fn label(scenario: &Scenario, profiles: &[DependencyKpi]) -> Vec<DependencyRow> {
    DependencyRow::label(scenario, profiles)
}
