//! Writing `[[assumption]]` entries (an extension of the spec, see
//! `docs/assumptions.md`) in the form `read/assumption.rs` reads back.

use std::fmt::Write;

use caisson_model::{Assumption, AssumptionTarget, Scenario};

use super::{number, string};
use crate::read::{TargetField, TARGET_FIELDS};

/// One `[[assumption]]` entry.
pub(super) fn write_assumption(
    out: &mut String,
    s: &Scenario,
    a: &Assumption,
) -> std::fmt::Result {
    writeln!(out, "\n[[assumption]]")?;
    writeln!(out, "id = {}", string(&a.id))?;
    writeln!(out, "reason = {}", string(&a.reason))?;
    writeln!(out, "low = {}", number(a.low))?;
    writeln!(out, "high = {}", number(a.high))?;
    for (name, field) in TARGET_FIELDS {
        let ids: Vec<String> = a
            .targets
            .iter()
            .filter_map(|t| target_text(s, *t, field))
            .map(|text| string(&text))
            .collect();
        if !ids.is_empty() {
            writeln!(out, "{name} = [{}]", ids.join(", "))?;
        }
    }
    Ok(())
}

/// The id of `target` as written in `field`, if it belongs to that field.
pub(crate) fn target_text(s: &Scenario, target: AssumptionTarget, field: TargetField) -> Option<String> {
    let line = |l: caisson_model::LineId| {
        let line = &s.lines[l.index()];
        format!("{}.{}", s.facilities[line.facility.index()].id, line.id)
    };
    let text = match (target, field) {
        (AssumptionTarget::LineCapacity(l), TargetField::Capacity) => line(l),
        (AssumptionTarget::LineCost(l), TargetField::Costs) => line(l),
        (AssumptionTarget::Stock(f, None), TargetField::Stock) => s.facilities[f.index()].id.clone(),
        (AssumptionTarget::Stock(f, Some(p)), TargetField::Stock) => {
            format!("{}.{}", s.facilities[f.index()].id, s.products[p.index()].id)
        }
        (AssumptionTarget::Holding(f), TargetField::Holding) => s.facilities[f.index()].id.clone(),
        (AssumptionTarget::ExpansionCapacity(e), TargetField::Expansions)
        | (AssumptionTarget::ExpansionCapex(e), TargetField::Capex) => {
            s.expansions[e.index()].id.clone()
        }
        (AssumptionTarget::DemandQuantity(d), TargetField::Demands)
        | (AssumptionTarget::DemandPenalty(d), TargetField::Penalties) => {
            s.demands[d.index()].id.clone()
        }
        (AssumptionTarget::ContractQuantity(c), TargetField::Contracts) => {
            s.contracts[c.index()].id.clone()
        }
        (AssumptionTarget::Input { product, input }, TargetField::Inputs) => format!(
            "{}.{}",
            s.products[product.index()].id,
            s.products[input.index()].id
        ),
        _ => return None,
    };
    Some(text)
}

/// `target` as one phrase naming the field and the id as the scenario file
/// writes them, e.g. `capacity krusik.mortar` or `demands ukr-own-155`.
pub fn assumption_target_text(s: &Scenario, target: AssumptionTarget) -> String {
    TARGET_FIELDS
        .iter()
        .find_map(|&(name, field)| Some(format!("{name} {}", target_text(s, target, field)?)))
        .unwrap_or_default()
}
