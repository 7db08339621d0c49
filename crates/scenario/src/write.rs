//! Writing a model scenario back as a complete TOML scenario file.
//!
//! The output loads back into an equal `Scenario`: every schedule is
//! compressed to a single number or to a step table keyed at the periods
//! where the value changes, and defaults are written out only where that
//! keeps the file short without changing what it means.

use std::fmt::Write;

mod assumption;
mod uncertainty;

use caisson_model::{Calendar, Contract, Scenario};

use crate::schema::{
    actor, contract, demand, expansion, facility, line, policy, product, route, scenario,
    FieldSchema, ACTOR, CONTRACT, DEMAND, EXPANSION, FACILITY, LINE, POLICY, PRODUCT, ROUTE,
    SCENARIO,
};

// The short names the writers here use.
use self::{toml_number as number, toml_string as string};

/// Writes `scenario` as TOML in the format of spec sections 1 and 2.
///
/// Loading the result (e.g. with [`crate::load_str`]) gives a scenario equal
/// to this one. An expansion without a decision window (`window: None`) is
/// written with a window after the horizon, which loads back as `None` with
/// a warning.
pub fn to_toml(scenario: &Scenario) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail, hence the ignored results below.
    let _ = write_scenario(&mut out, scenario);
    out
}

/// The inclusive labels of a policy's or route's window. An empty window
/// (one that lay wholly outside the horizon) is written as the period after
/// the horizon, which loads back as the same empty window, with a warning.
pub(crate) fn window_labels(
    calendar: &Calendar,
    window: caisson_model::Window,
) -> (String, String) {
    if window.is_empty() {
        let after = calendar.label(calendar.periods);
        (after.clone(), after)
    } else {
        (calendar.label(window.start), calendar.label(window.end - 1))
    }
}

/// Writes one `[[contract]]` table (preceded by a blank line) in the format
/// of [`to_toml`], so that tools proposing contracts (e.g. a variant file of
/// recommended contracts) write exactly what a whole scenario would. The
/// contract's indices refer to `scenario`, whose ids and calendar are used.
pub fn contract_toml(scenario: &Scenario, contract: &Contract) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_contract(&mut out, scenario, contract);
    out
}

/// `text` as a TOML basic string (quoted and escaped), for tools writing
/// fragments of scenario files (also as keys, so that ids with `.` or `:`
/// stay one key).
pub fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn write_scenario(out: &mut String, s: &Scenario) -> std::fmt::Result {
    let calendar = &s.calendar;
    writeln!(out, "{}", SCENARIO.table)?;
    put(out, &scenario::name, string(&s.name))?;
    if let Some(description) = &s.description {
        put(out, &scenario::description, string(description))?;
    }
    put(out, &scenario::start, string(&calendar.label(0)))?;
    put(out, &scenario::period, string(calendar.kind.name()))?;
    put(out, &scenario::periods, calendar.periods)?;
    put(out, &scenario::currency, string(&s.currency))?;
    put(out, &scenario::default_lead_time, s.default_lead_time)?;
    put(
        out,
        &scenario::default_unit_cost,
        number(s.default_unit_cost),
    )?;

    for actor in &s.actors {
        writeln!(out, "\n{}", ACTOR.table)?;
        put(out, &actor::id, string(&actor.id))?;
        put(out, &actor::name, string(&actor.name))?;
        if !actor.blocs.is_empty() {
            let blocs: Vec<String> = actor
                .blocs
                .iter()
                .map(|b| string(&s.blocs[b.index()].id))
                .collect();
            put(out, &actor::blocs, format!("[{}]", blocs.join(", ")))?;
        }
        if actor.belligerent {
            put(out, &actor::belligerent, true)?;
        }
    }

    for product in &s.products {
        writeln!(out, "\n{}", PRODUCT.table)?;
        put(out, &product::id, string(&product.id))?;
        put(out, &product::name, string(&product.name))?;
        put(out, &product::unit, string(&product.unit))?;
        if !product.inputs.is_empty() {
            let inputs: Vec<String> = product
                .inputs
                .iter()
                .map(|(p, q)| format!("{} = {}", string(&s.products[p.index()].id), number(*q)))
                .collect();
            put(
                out,
                &product::inputs,
                format!("{{ {} }}", inputs.join(", ")),
            )?;
        }
        if let Some(category) = &product.att_category {
            put(out, &product::att_category, string(category))?;
        }
    }

    for facility in &s.facilities {
        writeln!(out, "\n{}", FACILITY.table)?;
        put(out, &facility::id, string(&facility.id))?;
        put(out, &facility::name, string(&facility.name))?;
        put(
            out,
            &facility::actor,
            string(&s.actors[facility.actor.index()].id),
        )?;
        put(out, &facility::holding_cost, number(facility.holding_cost))?;
        if !facility.stock.is_empty() {
            let stock: Vec<String> = facility
                .stock
                .iter()
                .map(|(p, q)| format!("{} = {}", string(&s.products[p.index()].id), number(*q)))
                .collect();
            put(out, &facility::stock, format!("{{ {} }}", stock.join(", ")))?;
        }
        for &l in &facility.lines {
            let line = &s.lines[l.index()];
            writeln!(out, "{}", LINE.table)?;
            put(out, &line::id, string(&line.id))?;
            put(out, &line::capacity, schedule(&line.capacity, calendar))?;
            let products: Vec<String> = line
                .products
                .iter()
                .map(|lp| {
                    format!(
                        "{} = {{ rate = {}, cost = {} }}",
                        string(&s.products[lp.product.index()].id),
                        number(lp.rate),
                        number(lp.cost)
                    )
                })
                .collect();
            put(
                out,
                &line::products,
                format!("{{ {} }}", products.join(", ")),
            )?;
        }
        for &e in &facility.expansions {
            let expansion = &s.expansions[e.index()];
            writeln!(out, "{}", EXPANSION.table)?;
            put(out, &expansion::id, string(&expansion.id))?;
            put(
                out,
                &expansion::line,
                string(&s.lines[expansion.line.index()].id),
            )?;
            put(out, &expansion::capacity, number(expansion.capacity))?;
            put(out, &expansion::lead_time, expansion.lead_time)?;
            put(out, &expansion::capex, number(expansion.capex))?;
            match expansion.window {
                Some((earliest, latest)) => {
                    if earliest != 0 {
                        put(out, &expansion::earliest, string(&calendar.label(earliest)))?;
                    }
                    if latest + 1 != calendar.periods {
                        put(out, &expansion::latest, string(&calendar.label(latest)))?;
                    }
                }
                None => {
                    // No decision period: a window just after the horizon.
                    let after = string(&calendar.label(calendar.periods));
                    put(out, &expansion::earliest, &after)?;
                    put(out, &expansion::latest, &after)?;
                }
            }
            put(out, &expansion::integer, expansion.integer)?;
        }
    }

    for route in &s.routes {
        writeln!(out, "\n{}", ROUTE.table)?;
        put(out, &route::from, string(&s.actors[route.from.index()].id))?;
        put(out, &route::to, string(&s.actors[route.to.index()].id))?;
        put(out, &route::lead_time, route.lead_time)?;
        put(out, &route::unit_cost, number(route.unit_cost))?;
        if let Some(window) = route.window {
            let (first, last) = window_labels(&s.calendar, window);
            put(out, &route::since, string(&first))?;
            put(out, &route::until, string(&last))?;
        }
    }

    for demand in &s.demands {
        writeln!(out, "\n{}", DEMAND.table)?;
        put(out, &demand::id, string(&demand.id))?;
        put(
            out,
            &demand::buyer,
            string(&s.actors[demand.buyer.index()].id),
        )?;
        put(
            out,
            &demand::end_user,
            string(&s.actors[demand.end_user.index()].id),
        )?;
        put(
            out,
            &demand::product,
            string(&s.products[demand.product.index()].id),
        )?;
        put(out, &demand::quantity, schedule(&demand.quantity, calendar))?;
        put(out, &demand::penalty, number(demand.penalty))?;
        put(out, &demand::backlog, demand.backlog)?;
    }

    for contract in &s.contracts {
        write_contract(out, s, contract)?;
    }

    for policy in &s.policies {
        writeln!(out, "\n{}", POLICY.table)?;
        put(out, &policy::id, string(&policy.id))?;
        put(out, &policy::name, string(&policy.name))?;
        put(out, &policy::scope, string(s.party_text(policy.scope)))?;
        for (field, list) in [
            (&policy::deny_export, &policy.deny_export),
            (&policy::deny_import, &policy.deny_import),
            (&policy::deny_end_use, &policy.deny_end_use),
        ] {
            if !list.is_empty() {
                let items: Vec<String> = list
                    .iter()
                    .map(|&sel| string(s.selector_text(sel)))
                    .collect();
                put(out, field, format!("[{}]", items.join(", ")))?;
            }
        }
        if let Some(window) = policy.window {
            let (first, last) = window_labels(&s.calendar, window);
            put(out, &policy::from, string(&first))?;
            put(out, &policy::until, string(&last))?;
        }
    }

    for u in &s.uncertainty {
        uncertainty::write_uncertainty(out, s, u)?;
    }
    for a in &s.assumptions {
        assumption::write_assumption(out, s, a)?;
    }
    Ok(())
}

fn write_contract(out: &mut String, s: &Scenario, contract: &Contract) -> std::fmt::Result {
    writeln!(out, "\n{}", CONTRACT.table)?;
    put(out, &contract::id, string(&contract.id))?;
    put(
        out,
        &contract::facility,
        string(&s.facilities[contract.facility.index()].id),
    )?;
    put(
        out,
        &contract::buyer,
        string(&s.actors[contract.buyer.index()].id),
    )?;
    put(
        out,
        &contract::product,
        string(&s.products[contract.product.index()].id),
    )?;
    put(
        out,
        &contract::quantity,
        schedule(&contract.quantity, &s.calendar),
    )?;
    put(out, &contract::penalty, number(contract.penalty))?;
    put(out, &contract::price, number(contract.price))
}

/// One `key = value` line; the key is the field's name in its table.
pub(super) fn put(
    out: &mut String,
    field: &FieldSchema,
    value: impl std::fmt::Display,
) -> std::fmt::Result {
    writeln!(out, "{} = {value}", field.name)
}

/// A schedule as one number when constant, else a step table with a key
/// at the start and at every change.
fn schedule(values: &[f64], calendar: &Calendar) -> String {
    match values.first() {
        None => "0".to_owned(),
        Some(&first) if values.iter().all(|&v| v == first) => number(first),
        Some(_) => {
            let mut steps = Vec::new();
            let mut previous = None;
            for (t, &value) in values.iter().enumerate() {
                if previous != Some(value) {
                    steps.push(format!(
                        "{} = {}",
                        string(&calendar.label(t)),
                        number(value)
                    ));
                    previous = Some(value);
                }
            }
            format!("{{ {} }}", steps.join(", "))
        }
    }
}

/// `value` as a TOML number that reads back as exactly the same `f64`:
/// whole numbers as TOML integers (so that a reader accepts them where an
/// integer belongs), others in Rust's shortest round-trip notation (which
/// is valid TOML, e.g. `0.0108` or `1e-7`), for tools writing fragments of
/// scenario files.
pub fn toml_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else if value.is_finite() {
        format!("{value:?}")
    } else if value.is_nan() {
        "nan".to_owned()
    } else if value > 0.0 {
        "inf".to_owned()
    } else {
        "-inf".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_numbers_are_valid_toml() {
        assert_eq!(toml_string("a\"b\\c\nd\u{1}"), r#""a\"b\\c\nd\u0001""#);
        assert_eq!(toml_number(3.0), "3");
        assert_eq!(toml_number(-0.0), "0");
        assert_eq!(toml_number(0.1), "0.1");
        assert_eq!(toml_number(1e-7), "1e-7");
        assert_eq!(toml_number(1e20), "1e20");
        assert_eq!(toml_number(f64::NAN), "nan");
        assert_eq!(toml_number(f64::NEG_INFINITY), "-inf");
    }
}
