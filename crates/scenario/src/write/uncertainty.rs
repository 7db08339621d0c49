//! Writing `[[uncertainty]]` entries (an extension of the spec, see
//! `docs/uncertainty.md`) in the form `read/uncertainty.rs` reads back.

use std::fmt::Write;

use caisson_model::{
    Distribution, FacilityId, PeriodRange, PoliticalEffect, Scenario, SwitchTiming, Targets,
    UncertaintyKind,
};

use super::{number, put, string};
use crate::schema::{uncertainty, UNCERTAINTY};

/// One `[[uncertainty]]` entry (an extension of the spec).
pub(super) fn write_uncertainty(
    out: &mut String,
    s: &Scenario,
    u: &caisson_model::Uncertainty,
) -> std::fmt::Result {
    writeln!(out, "\n{}", UNCERTAINTY.table)?;
    put(out, &uncertainty::id, string(&u.id))?;
    let facility_ids =
        |targets: &Targets<FacilityId>| targets_text(targets, |f| &s.facilities[f.index()].id);
    match &u.kind {
        UncertaintyKind::DemandMultiplier {
            demands,
            distribution,
            shared,
        } => {
            put(out, &uncertainty::kind, string("demand"))?;
            let text = targets_text(demands, |d| &s.demands[d.index()].id);
            put(out, &uncertainty::demands, text)?;
            write_distribution(out, distribution)?;
            put(out, &uncertainty::shared, shared)?;
        }
        UncertaintyKind::FacilityOutage {
            facilities,
            probability,
            duration,
        } => {
            put(out, &uncertainty::kind, string("outage"))?;
            put(out, &uncertainty::facilities, facility_ids(facilities))?;
            put(out, &uncertainty::probability, number(*probability))?;
            put(out, &uncertainty::duration, period_range(*duration))?;
        }
        UncertaintyKind::CapacityYield {
            facilities,
            distribution,
            shared,
        } => {
            put(out, &uncertainty::kind, string("yield"))?;
            put(out, &uncertainty::facilities, facility_ids(facilities))?;
            write_distribution(out, distribution)?;
            put(out, &uncertainty::shared, shared)?;
        }
        UncertaintyKind::RouteDelay {
            from,
            to,
            probability,
            extra,
            shared,
        } => {
            put(out, &uncertainty::kind, string("delay"))?;
            if let Some(a) = from {
                put(out, &uncertainty::from, string(&s.actors[a.index()].id))?;
            }
            if let Some(a) = to {
                put(out, &uncertainty::to, string(&s.actors[a.index()].id))?;
            }
            put(out, &uncertainty::probability, number(*probability))?;
            put(out, &uncertainty::extra, period_range(*extra))?;
            put(out, &uncertainty::shared, shared)?;
        }
        UncertaintyKind::Political {
            timing,
            window,
            effects,
        } => {
            put(out, &uncertainty::kind, string("political"))?;
            match *timing {
                SwitchTiming::Hazard(h) => put(out, &uncertainty::hazard, number(h))?,
                SwitchTiming::Chance(p) => put(out, &uncertainty::probability, number(p))?,
            }
            let whole = window.start == 0 && window.end == s.periods();
            if !whole {
                let (first, last) = super::window_labels(&s.calendar, *window);
                put(out, &uncertainty::since, string(&first))?;
                put(out, &uncertainty::until, string(&last))?;
            }
            let policy_ids = |start: bool| -> Vec<String> {
                effects
                    .iter()
                    .filter_map(|e| match (e, start) {
                        (PoliticalEffect::StartPolicy(p), true)
                        | (PoliticalEffect::EndPolicy(p), false) => {
                            Some(string(&s.policies[p.index()].id))
                        }
                        _ => None,
                    })
                    .collect()
            };
            for (field, ids) in [
                (&uncertainty::start_policies, policy_ids(true)),
                (&uncertainty::end_policies, policy_ids(false)),
            ] {
                if !ids.is_empty() {
                    put(out, field, format!("[{}]", ids.join(", ")))?;
                }
            }
            // The format holds one exporter per entry (the validator reads
            // one); the first is written.
            if let Some((exporter, to)) = effects.iter().find_map(|e| match e {
                PoliticalEffect::StopExports { exporter, to } => Some((exporter, to)),
                _ => None,
            }) {
                put(
                    out,
                    &uncertainty::exporter,
                    string(&s.actors[exporter.index()].id),
                )?;
                let items: Vec<String> =
                    to.iter().map(|&sel| string(s.selector_text(sel))).collect();
                put(
                    out,
                    &uncertainty::stops_exporting_to,
                    format!("[{}]", items.join(", ")),
                )?;
            }
            let routes: Vec<String> = effects
                .iter()
                .filter_map(|e| match e {
                    PoliticalEffect::CloseRoute { from, to } => Some(string(&format!(
                        "{}->{}",
                        s.actors[from.index()].id,
                        s.actors[to.index()].id
                    ))),
                    _ => None,
                })
                .collect();
            if !routes.is_empty() {
                put(
                    out,
                    &uncertainty::close_routes,
                    format!("[{}]", routes.join(", ")),
                )?;
            }
        }
    }
    Ok(())
}

fn targets_text<'s, T: Copy>(targets: &Targets<T>, id: impl Fn(T) -> &'s str) -> String {
    match targets {
        Targets::All => "\"*\"".to_owned(),
        Targets::Only(list) => {
            let items: Vec<String> = list.iter().map(|&t| string(id(t))).collect();
            format!("[{}]", items.join(", "))
        }
    }
}

fn write_distribution(out: &mut String, distribution: &Distribution) -> std::fmt::Result {
    match *distribution {
        Distribution::Lognormal { median, sigma } => {
            put(out, &uncertainty::distribution, string("lognormal"))?;
            put(out, &uncertainty::median, number(median))?;
            put(out, &uncertainty::sigma, number(sigma))
        }
        Distribution::Triangular { min, mode, max } => {
            put(out, &uncertainty::distribution, string("triangular"))?;
            put(out, &uncertainty::min, number(min))?;
            put(out, &uncertainty::mode, number(mode))?;
            put(out, &uncertainty::max, number(max))
        }
        Distribution::Uniform { min, max } => {
            put(out, &uncertainty::distribution, string("uniform"))?;
            put(out, &uncertainty::min, number(min))?;
            put(out, &uncertainty::max, number(max))
        }
    }
}

fn period_range(range: PeriodRange) -> String {
    if range.min == range.max {
        range.min.to_string()
    } else {
        format!("[{}, {}]", range.min, range.max)
    }
}
