//! Whether two scenarios have models of the same structure (for
//! `crate::resolve`'s [`Case::Edited`](crate::Case::Edited)).
//!
//! Two scenarios have the same model structure, in a superset build
//! (`Columns::Edits`), when everything that decides which columns and
//! rows exist and what the matrix holds is equal: the calendar, the ids and
//! order of every kind of entity, each product's inputs and their ratios,
//! each facility's actor, lines, expansions and the products of its initial
//! stock, each line's products and rates, each expansion's line, lead time,
//! window, integrality and whether its capacity is positive, the parties
//! and products of demands and contracts, whether a demand is backlogged,
//! and the lead time between every two actors. What may differ: demand,
//! capacity, stock and contract quantities, expansion capacities (positive
//! on both sides), every cost and penalty, and the policies (and actors'
//! blocs), which only open or close flows. This check names the first
//! difference it finds; `crate::resolve` also compares the built models.

use caisson_model::{ActorId, Scenario};

/// `Err` with what differs when `variant`'s model cannot have `base`'s
/// structure.
pub(crate) fn same_structure(base: &Scenario, variant: &Scenario) -> Result<(), String> {
    let differ = |what: String| Err(what);
    if base.calendar != variant.calendar {
        return differ("the calendar".to_owned());
    }
    if base.actors.len() != variant.actors.len()
        || base
            .actors
            .iter()
            .zip(&variant.actors)
            .any(|(a, b)| a.id != b.id)
    {
        return differ("the actors".to_owned());
    }
    if base.products.len() != variant.products.len() {
        return differ("the number of products".to_owned());
    }
    for (a, b) in base.products.iter().zip(&variant.products) {
        if a.id != b.id || a.inputs != b.inputs {
            return differ(format!("product `{}` or its inputs", a.id));
        }
    }
    if base.facilities.len() != variant.facilities.len() {
        return differ("the number of facilities".to_owned());
    }
    for (a, b) in base.facilities.iter().zip(&variant.facilities) {
        let stocked =
            |f: &caisson_model::Facility| -> Vec<_> { f.stock.iter().map(|&(p, _)| p).collect() };
        if a.id != b.id
            || a.actor != b.actor
            || a.lines != b.lines
            || a.expansions != b.expansions
            || stocked(a) != stocked(b)
        {
            return differ(format!(
                "facility `{}`: its actor, lines, expansions or stocked products",
                a.id
            ));
        }
    }
    if base.lines.len() != variant.lines.len() {
        return differ("the number of lines".to_owned());
    }
    for (a, b) in base.lines.iter().zip(&variant.lines) {
        let made = |l: &caisson_model::Line| -> Vec<_> {
            l.products.iter().map(|p| (p.product, p.rate)).collect()
        };
        if a.id != b.id || a.facility != b.facility || made(a) != made(b) {
            return differ(format!("line `{}`: its products or rates", a.id));
        }
    }
    if base.expansions.len() != variant.expansions.len() {
        return differ("the number of expansions".to_owned());
    }
    for (a, b) in base.expansions.iter().zip(&variant.expansions) {
        if a.id != b.id
            || a.facility != b.facility
            || a.line != b.line
            || a.lead_time != b.lead_time
            || a.window != b.window
            || a.integer != b.integer
            || (a.capacity > 0.0) != (b.capacity > 0.0)
        {
            return differ(format!(
                "expansion `{}`: its line, lead time, window, integrality or a capacity of 0",
                a.id
            ));
        }
    }
    if base.demands.len() != variant.demands.len() {
        return differ("the number of demands".to_owned());
    }
    for (a, b) in base.demands.iter().zip(&variant.demands) {
        if a.id != b.id
            || a.buyer != b.buyer
            || a.end_user != b.end_user
            || a.product != b.product
            || a.backlog != b.backlog
        {
            return differ(format!("demand `{}`: its parties, product or kind", a.id));
        }
    }
    if base.contracts.len() != variant.contracts.len() {
        return differ("the number of contracts".to_owned());
    }
    for (a, b) in base.contracts.iter().zip(&variant.contracts) {
        if a.id != b.id || a.facility != b.facility || a.buyer != b.buyer || a.product != b.product
        {
            return differ(format!(
                "contract `{}`: its facility, buyer or product",
                a.id
            ));
        }
    }
    let (base_leads, variant_leads) = (lead_times(base), lead_times(variant));
    if let Some(i) = (0..base_leads.len()).find(|&i| base_leads[i] != variant_leads[i]) {
        let n = base.actors.len();
        return differ(format!(
            "the lead time from `{}` to `{}`",
            base.actors[i / n].id,
            base.actors[i % n].id
        ));
    }
    Ok(())
}

/// The lead time between every two actors, `from * actors + to` (as
/// `Scenario::route` gives it, without its quadratic search).
fn lead_times(s: &Scenario) -> Vec<u32> {
    let n = s.actors.len();
    let mut leads = vec![s.default_lead_time; n * n];
    for a in 0..n {
        leads[a * n + a] = 0;
    }
    // The first route of a pair wins, as in `Scenario::route`.
    for route in s.routes.iter().rev() {
        let (from, to) = (route.from.index(), route.to.index());
        if from < n && to < n {
            leads[from * n + to] = route.lead_time;
        }
    }
    debug_assert!(
        (0..n * n).all(|i| { leads[i] == s.route(ActorId::new(i / n), ActorId::new(i % n)).0 })
    );
    leads
}
