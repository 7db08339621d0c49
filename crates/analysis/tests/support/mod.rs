//! What the re-solve tests (`reuse.rs`, `driver.rs`) and the timing example
//! `simulate_resolve` share: a generated scenario with every kind of
//! uncertainty, variants of a scenario, and agreement of objectives within
//! the MIP gap.

// Each test binary and the example use a part of this module.
#![allow(dead_code)]

use caisson_generate::{generate, GenerateOptions, Size};
use caisson_model::{Distribution, PeriodRange, Scenario, Targets, Uncertainty, UncertaintyKind};

/// Whether two objectives agree to the default MIP gap (1e-6) plus
/// round-off; a missing objective agrees with nothing.
pub fn agree(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 2e-6 * a.abs().max(b.abs()).max(1.0),
        _ => false,
    }
}

/// A generated scenario of `size` (with expansions: a MIP) and the
/// uncertainty of [`uncertainty`].
pub fn uncertain(size: Size, seed: u64) -> Scenario {
    let mut s = generate(&GenerateOptions { size, seed });
    s.uncertainty = uncertainty();
    s
}

/// Every kind of uncertainty: demand multipliers, outages, yields, and one
/// shared route delay in about one sample in three (such a sample changes
/// the model's structure and is planned from scratch).
pub fn uncertainty() -> Vec<Uncertainty> {
    let entry = |id: &str, kind| Uncertainty {
        id: id.to_owned(),
        kind,
    };
    vec![
        entry(
            "demand",
            UncertaintyKind::DemandMultiplier {
                demands: Targets::All,
                distribution: Distribution::Lognormal {
                    median: 1.0,
                    sigma: 0.3,
                },
                shared: false,
            },
        ),
        entry(
            "outage",
            UncertaintyKind::FacilityOutage {
                facilities: Targets::All,
                probability: 0.1,
                duration: PeriodRange { min: 1, max: 3 },
            },
        ),
        entry(
            "yield",
            UncertaintyKind::CapacityYield {
                facilities: Targets::All,
                distribution: Distribution::Uniform { min: 0.6, max: 1.0 },
                shared: false,
            },
        ),
        entry(
            "delay",
            UncertaintyKind::RouteDelay {
                from: None,
                to: None,
                probability: 0.35,
                extra: PeriodRange { min: 1, max: 2 },
                shared: true,
            },
        ),
    ]
}

/// Five variants of `s`, named: three that keep its model's structure
/// (more demand; dearer and smaller lines; no policies), then two that do
/// not (an extra demand; every default lead time one period longer).
pub fn variants(s: &Scenario) -> Vec<(&'static str, Scenario)> {
    let mut more = s.clone();
    for d in &mut more.demands {
        d.quantity.iter_mut().for_each(|q| *q *= 1.5);
    }
    let mut dearer = s.clone();
    for line in &mut dearer.lines {
        line.capacity.iter_mut().for_each(|c| *c *= 0.8);
        for p in &mut line.products {
            p.cost *= 2.0;
        }
    }
    let mut open = s.clone();
    open.policies.clear();
    let mut extra = s.clone();
    let mut demand = extra.demands[0].clone();
    demand.id = "extra".into();
    extra.demands.push(demand);
    let mut slower = s.clone();
    slower.default_lead_time += 1;
    vec![
        ("more demand", more),
        ("dearer and smaller", dearer),
        ("no policies", open),
        ("an extra demand", extra),
        ("slower", slower),
    ]
}
