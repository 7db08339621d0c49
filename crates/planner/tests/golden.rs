//! Golden tests: the `caisson-plan/1` JSON of small fixtures, compared with
//! reviewed snapshots under `crates/report/tests/snapshots/` (update with
//! `cargo insta review` or `INSTA_UPDATE=always`, then review the diff).
//! They live here because the optimal plans need HiGHS, which
//! `caisson-report` does not link; the snapshots stay with the report.
//!
//! The `model` object (timings) is left out: it changes run to run.

use std::path::Path;

use caisson_plan::{greedy, PlanStatus};
use caisson_planner::{plan, PlanOptions};
use serde_json::Value;

fn scenario(name: &str) -> caisson_model::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    caisson_scenario::load_path(&path)
        .unwrap_or_else(|e| panic!("{name} loads: {e:?}"))
        .scenario
}

fn stable_json(scenario: &caisson_model::Scenario, plan: &caisson_plan::Plan) -> String {
    let document = caisson_plan::PlanDocument::new(scenario, plan);
    let mut value = serde_json::to_value(&document).expect("plan serialises");
    if let Value::Object(map) = &mut value {
        map.remove("model");
    }
    serde_json::to_string_pretty(&value).expect("value prints")
}

/// Checks `json` against the report's snapshot named after the test.
macro_rules! assert_golden {
    ($json:expr) => {
        insta::with_settings!({snapshot_path => "../../report/tests/snapshots"}, {
            insta::assert_snapshot!($json);
        })
    };
}

fn optimal(name: &str) -> String {
    let s = scenario(name);
    let options = PlanOptions {
        threads: Some(1),
        capacity_duals: false,
        ..PlanOptions::default()
    };
    let p = plan(&s, &options);
    assert_eq!(p.status, PlanStatus::Optimal);
    stable_json(&s, &p)
}

#[test]
fn spec_example_plan() {
    assert_golden!(optimal("example.toml"));
}

#[test]
fn neutral_retransfer_plan() {
    assert_golden!(optimal("neutral_retransfer.toml"));
}

#[test]
fn contract_shortfall_plan() {
    assert_golden!(optimal("contract_shortfall.toml"));
}

#[test]
fn greedy_plan_of_the_spec_example() {
    let s = scenario("example.toml");
    assert_golden!(stable_json(&s, &greedy(&s)));
}
