//! Writing `[[uncertainty]]` entries (an extension of the spec, see
//! `docs/uncertainty.md`) in the form `read/uncertainty.rs` reads back.

use std::fmt::Write;

use caisson_model::{Distribution, FacilityId, PeriodRange, Scenario, Targets, UncertaintyKind};

use super::{number, string};

/// One `[[uncertainty]]` entry (an extension of the spec).
pub(super) fn write_uncertainty(
    out: &mut String,
    s: &Scenario,
    u: &caisson_model::Uncertainty,
) -> std::fmt::Result {
    writeln!(out, "\n[[uncertainty]]")?;
    writeln!(out, "id = {}", string(&u.id))?;
    let facility_ids =
        |targets: &Targets<FacilityId>| targets_text(targets, |f| &s.facilities[f.index()].id);
    match &u.kind {
        UncertaintyKind::DemandMultiplier {
            demands,
            distribution,
            shared,
        } => {
            writeln!(out, "kind = \"demand\"")?;
            let text = targets_text(demands, |d| &s.demands[d.index()].id);
            writeln!(out, "demands = {text}")?;
            write_distribution(out, distribution)?;
            writeln!(out, "shared = {shared}")?;
        }
        UncertaintyKind::FacilityOutage {
            facilities,
            probability,
            duration,
        } => {
            writeln!(out, "kind = \"outage\"")?;
            writeln!(out, "facilities = {}", facility_ids(facilities))?;
            writeln!(out, "probability = {}", number(*probability))?;
            writeln!(out, "duration = {}", period_range(*duration))?;
        }
        UncertaintyKind::CapacityYield {
            facilities,
            distribution,
            shared,
        } => {
            writeln!(out, "kind = \"yield\"")?;
            writeln!(out, "facilities = {}", facility_ids(facilities))?;
            write_distribution(out, distribution)?;
            writeln!(out, "shared = {shared}")?;
        }
        UncertaintyKind::RouteDelay {
            from,
            to,
            probability,
            extra,
            shared,
        } => {
            writeln!(out, "kind = \"delay\"")?;
            if let Some(a) = from {
                writeln!(out, "from = {}", string(&s.actors[a.index()].id))?;
            }
            if let Some(a) = to {
                writeln!(out, "to = {}", string(&s.actors[a.index()].id))?;
            }
            writeln!(out, "probability = {}", number(*probability))?;
            writeln!(out, "extra = {}", period_range(*extra))?;
            writeln!(out, "shared = {shared}")?;
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
            writeln!(out, "distribution = \"lognormal\"")?;
            writeln!(out, "median = {}", number(median))?;
            writeln!(out, "sigma = {}", number(sigma))
        }
        Distribution::Triangular { min, mode, max } => {
            writeln!(out, "distribution = \"triangular\"")?;
            writeln!(out, "min = {}", number(min))?;
            writeln!(out, "mode = {}", number(mode))?;
            writeln!(out, "max = {}", number(max))
        }
        Distribution::Uniform { min, max } => {
            writeln!(out, "distribution = \"uniform\"")?;
            writeln!(out, "min = {}", number(min))?;
            writeln!(out, "max = {}", number(max))
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
