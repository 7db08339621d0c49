//! Golden tests: the `caisson-plan/1` JSON of small fixtures, compared with
//! reviewed snapshots under `tests/snapshots/` (update with
//! `cargo insta review` or `INSTA_UPDATE=always`, then review the diff).
//!
//! The `model` object (timings) is left out: it changes run to run.

use std::path::Path;

use caisson_planner::{greedy, plan, PlanOptions, PlanStatus};
use serde_json::Value;

fn scenario(name: &str) -> caisson_model::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../planner/tests/fixtures")
        .join(name);
    caisson_scenario::load_path(&path)
        .unwrap_or_else(|e| panic!("{name} loads: {e:?}"))
        .scenario
}

fn stable_json(scenario: &caisson_model::Scenario, plan: &caisson_planner::Plan) -> String {
    let mut value = caisson_report::to_json_value(scenario, plan).expect("plan serialises");
    if let Value::Object(map) = &mut value {
        map.remove("model");
    }
    serde_json::to_string_pretty(&value).expect("value prints")
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
    insta::assert_snapshot!(optimal("example.toml"));
}

#[test]
fn neutral_retransfer_plan() {
    insta::assert_snapshot!(optimal("neutral_retransfer.toml"));
}

#[test]
fn contract_shortfall_plan() {
    insta::assert_snapshot!(optimal("contract_shortfall.toml"));
}

#[test]
fn greedy_plan_of_the_spec_example() {
    let s = scenario("example.toml");
    insta::assert_snapshot!(stable_json(&s, &greedy(&s)));
}
