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
/// fragments of scenario files.
pub fn toml_string(text: &str) -> String {
    string(text)
}

fn write_scenario(out: &mut String, s: &Scenario) -> std::fmt::Result {
    let calendar = &s.calendar;
    writeln!(out, "[scenario]")?;
    writeln!(out, "name = {}", string(&s.name))?;
    if let Some(description) = &s.description {
        writeln!(out, "description = {}", string(description))?;
    }
    writeln!(out, "start = {}", string(&calendar.label(0)))?;
    writeln!(out, "period = {}", string(calendar.kind.name()))?;
    writeln!(out, "periods = {}", calendar.periods)?;
    writeln!(out, "currency = {}", string(&s.currency))?;
    writeln!(out, "default_lead_time = {}", s.default_lead_time)?;
    writeln!(out, "default_unit_cost = {}", number(s.default_unit_cost))?;

    for actor in &s.actors {
        writeln!(out, "\n[[actor]]")?;
        writeln!(out, "id = {}", string(&actor.id))?;
        writeln!(out, "name = {}", string(&actor.name))?;
        if !actor.blocs.is_empty() {
            let blocs: Vec<String> = actor
                .blocs
                .iter()
                .map(|b| string(&s.blocs[b.index()].id))
                .collect();
            writeln!(out, "blocs = [{}]", blocs.join(", "))?;
        }
        if actor.belligerent {
            writeln!(out, "belligerent = true")?;
        }
    }

    for product in &s.products {
        writeln!(out, "\n[[product]]")?;
        writeln!(out, "id = {}", string(&product.id))?;
        writeln!(out, "name = {}", string(&product.name))?;
        writeln!(out, "unit = {}", string(&product.unit))?;
        if !product.inputs.is_empty() {
            let inputs: Vec<String> = product
                .inputs
                .iter()
                .map(|(p, q)| format!("{} = {}", string(&s.products[p.index()].id), number(*q)))
                .collect();
            writeln!(out, "inputs = {{ {} }}", inputs.join(", "))?;
        }
    }

    for facility in &s.facilities {
        writeln!(out, "\n[[facility]]")?;
        writeln!(out, "id = {}", string(&facility.id))?;
        writeln!(out, "name = {}", string(&facility.name))?;
        writeln!(
            out,
            "actor = {}",
            string(&s.actors[facility.actor.index()].id)
        )?;
        writeln!(out, "holding_cost = {}", number(facility.holding_cost))?;
        if !facility.stock.is_empty() {
            let stock: Vec<String> = facility
                .stock
                .iter()
                .map(|(p, q)| format!("{} = {}", string(&s.products[p.index()].id), number(*q)))
                .collect();
            writeln!(out, "stock = {{ {} }}", stock.join(", "))?;
        }
        for &l in &facility.lines {
            let line = &s.lines[l.index()];
            writeln!(out, "[[facility.line]]")?;
            writeln!(out, "id = {}", string(&line.id))?;
            writeln!(out, "capacity = {}", schedule(&line.capacity, calendar))?;
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
            writeln!(out, "products = {{ {} }}", products.join(", "))?;
        }
        for &e in &facility.expansions {
            let expansion = &s.expansions[e.index()];
            writeln!(out, "[[facility.expansion]]")?;
            writeln!(out, "id = {}", string(&expansion.id))?;
            writeln!(
                out,
                "line = {}",
                string(&s.lines[expansion.line.index()].id)
            )?;
            writeln!(out, "capacity = {}", number(expansion.capacity))?;
            writeln!(out, "lead_time = {}", expansion.lead_time)?;
            writeln!(out, "capex = {}", number(expansion.capex))?;
            match expansion.window {
                Some((earliest, latest)) => {
                    if earliest != 0 {
                        writeln!(out, "earliest = {}", string(&calendar.label(earliest)))?;
                    }
                    if latest + 1 != calendar.periods {
                        writeln!(out, "latest = {}", string(&calendar.label(latest)))?;
                    }
                }
                None => {
                    // No decision period: a window just after the horizon.
                    let after = string(&calendar.label(calendar.periods));
                    writeln!(out, "earliest = {after}")?;
                    writeln!(out, "latest = {after}")?;
                }
            }
            writeln!(out, "integer = {}", expansion.integer)?;
        }
    }

    for route in &s.routes {
        writeln!(out, "\n[[route]]")?;
        writeln!(out, "from = {}", string(&s.actors[route.from.index()].id))?;
        writeln!(out, "to = {}", string(&s.actors[route.to.index()].id))?;
        writeln!(out, "lead_time = {}", route.lead_time)?;
        writeln!(out, "unit_cost = {}", number(route.unit_cost))?;
    }

    for demand in &s.demands {
        writeln!(out, "\n[[demand]]")?;
        writeln!(out, "id = {}", string(&demand.id))?;
        writeln!(
            out,
            "buyer = {}",
            string(&s.actors[demand.buyer.index()].id)
        )?;
        writeln!(
            out,
            "end_user = {}",
            string(&s.actors[demand.end_user.index()].id)
        )?;
        writeln!(
            out,
            "product = {}",
            string(&s.products[demand.product.index()].id)
        )?;
        writeln!(out, "quantity = {}", schedule(&demand.quantity, calendar))?;
        writeln!(out, "penalty = {}", number(demand.penalty))?;
        writeln!(out, "backlog = {}", demand.backlog)?;
    }

    for contract in &s.contracts {
        write_contract(out, s, contract)?;
    }

    for policy in &s.policies {
        writeln!(out, "\n[[policy]]")?;
        writeln!(out, "id = {}", string(&policy.id))?;
        writeln!(out, "name = {}", string(&policy.name))?;
        writeln!(out, "scope = {}", string(s.party_text(policy.scope)))?;
        for (name, list) in [
            ("deny_export", &policy.deny_export),
            ("deny_import", &policy.deny_import),
            ("deny_end_use", &policy.deny_end_use),
        ] {
            if !list.is_empty() {
                let items: Vec<String> = list
                    .iter()
                    .map(|&sel| string(s.selector_text(sel)))
                    .collect();
                writeln!(out, "{name} = [{}]", items.join(", "))?;
            }
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
    writeln!(out, "\n[[contract]]")?;
    writeln!(out, "id = {}", string(&contract.id))?;
    writeln!(
        out,
        "facility = {}",
        string(&s.facilities[contract.facility.index()].id)
    )?;
    writeln!(
        out,
        "buyer = {}",
        string(&s.actors[contract.buyer.index()].id)
    )?;
    writeln!(
        out,
        "product = {}",
        string(&s.products[contract.product.index()].id)
    )?;
    writeln!(
        out,
        "quantity = {}",
        schedule(&contract.quantity, &s.calendar)
    )?;
    writeln!(out, "penalty = {}", number(contract.penalty))?;
    writeln!(out, "price = {}", number(contract.price))
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

/// A number that reads back as exactly the same `f64`: whole numbers as
/// TOML integers, others in Rust's shortest round-trip notation (which is
/// valid TOML, e.g. `0.0108` or `1e-7`).
fn number(value: f64) -> String {
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

/// A TOML basic string.
fn string(text: &str) -> String {
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
