//! Quarterly aggregation: the aggregate is a valid scenario with the same
//! totals, and on a scenario with no lead times and ample capacity the
//! quarterly plan delivers what the monthly one does.

// These tests plan with HiGHS: they need the `solve` feature.
#![cfg(feature = "solve")]

use std::path::Path;

use caisson_analysis::aggregate::{to_quarters, AggregateError};
use caisson_model::{PeriodKind, Scenario};
use caisson_plan::{verify, PlanStatus};
use caisson_planner::{plan, PlanOptions};

fn fixture(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../planner/tests/fixtures")
        .join(name);
    caisson_scenario::load_path(&path)
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
        .scenario
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn the_aggregate_is_a_valid_scenario_with_the_same_totals() {
    let monthly = fixture("example.toml");
    let quarterly = to_quarters(&monthly).expect("monthly from January");
    assert_eq!(quarterly.calendar.kind, PeriodKind::Quarter);
    assert_eq!(
        quarterly.calendar.periods,
        monthly.calendar.periods.div_ceil(3)
    );
    assert_eq!(quarterly.calendar.label(0), "2026-Q1");
    // It loads back through the scenario format: every rule of spec
    // section 7 holds.
    let text = caisson_scenario::to_toml(&quarterly);
    let reloaded = caisson_scenario::load_str(&text, "aggregate.toml")
        .unwrap_or_else(|e| panic!("the aggregate validates: {e:?}\n{text}"))
        .scenario;
    assert_eq!(reloaded, quarterly);
    for (m, q) in monthly.demands.iter().zip(&quarterly.demands) {
        assert!(close(
            m.quantity.iter().sum::<f64>(),
            q.quantity.iter().sum::<f64>()
        ));
    }
    for (m, q) in monthly.lines.iter().zip(&quarterly.lines) {
        assert!(close(
            m.capacity.iter().sum::<f64>(),
            q.capacity.iter().sum::<f64>()
        ));
    }
    // The aggregate plans and its plan checks against it.
    let p = plan(&quarterly, &PlanOptions::default());
    assert_eq!(p.status, PlanStatus::Optimal);
    assert!(verify(&quarterly, &p).is_empty());
}

#[test]
fn with_no_lead_times_and_ample_capacity_quarters_deliver_what_months_do() {
    let text = r#"
[scenario]
name = "ample"
periods = 12
start = "2026-01"

[[actor]]
id = "A"

[[product]]
id = "shell"

[[facility]]
id = "plant"
actor = "A"

[[facility.line]]
id = "l"
capacity = 1000
products = { "shell" = { rate = 1, cost = 5 } }

[[demand]]
id = "d"
buyer = "A"
product = "shell"
quantity = { "2026-01" = 300, "2026-07" = 600 }
penalty = 100
"#;
    let monthly = caisson_scenario::load_str(text, "ample.toml")
        .unwrap_or_else(|e| panic!("{e:?}"))
        .scenario;
    let quarterly = to_quarters(&monthly).expect("aligned");
    let m = plan(&monthly, &PlanOptions::default());
    let q = plan(&quarterly, &PlanOptions::default());
    assert!(close(
        m.kpis.demands[0].delivered,
        q.kpis.demands[0].delivered
    ));
    assert!(close(m.kpis.demands[0].shortage, 0.0));
    assert!(close(q.kpis.demands[0].shortage, 0.0));
    // Same units made at the same unit cost: the same objective.
    assert!(close(
        m.objective.unwrap_or(f64::NAN),
        q.objective.unwrap_or(f64::NAN)
    ));
}

#[test]
fn only_monthly_horizons_starting_a_quarter_aggregate() {
    let mut s = fixture("example.toml");
    s.calendar.start += 1;
    assert!(matches!(to_quarters(&s), Err(AggregateError::Unaligned(_))));
    let quarterly = to_quarters(&fixture("example.toml")).expect("aligned");
    assert!(matches!(
        to_quarters(&quarterly),
        Err(AggregateError::NotMonthly(PeriodKind::Quarter))
    ));
}
