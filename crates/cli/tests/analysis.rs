//! End-to-end tests of the analysis commands (`compare`, `risk`) on the spec
//! example and a variant of it.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn run_json(args: &[&str]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_caisson"))
        .args(args)
        .output()
        .expect("the binary runs");
    assert!(
        output.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

#[test]
fn lifting_a_policy_never_raises_the_objective() {
    let base = fixture("example.toml");
    let variant = fixture("example-no-neutrality.toml");
    let json = run_json(&[
        "compare",
        base.to_str().expect("utf-8 path"),
        variant.to_str().expect("utf-8 path"),
        "--format",
        "json",
        "--quiet",
    ]);
    let base_objective = json["base"]["objective"].as_f64().expect("objective");
    let delta = json["variants"][0]["delta"]["objective"]
        .as_f64()
        .expect("delta");
    // The variant only removes constraints, so its optimum cannot be worse.
    assert!(delta <= 1e-6 * base_objective.abs(), "delta {delta}");
    // Without the rule Serbia may sell to Ukraine directly.
    let direct = json["variants"][0]["delta"]["demands"]
        .as_array()
        .expect("demand deltas")
        .iter()
        .find(|d| d["id"] == "ukr-direct")
        .expect("ukr-direct compared");
    assert!(direct["delivered"].as_f64().expect("number") > 0.0);
    assert_eq!(
        json["variants"][0]["outcome"]["scenario"],
        "example-no-neutrality"
    );
}

#[test]
fn risk_ranks_exporters_and_prices_the_neutrality_rule() {
    let scenario = fixture("example.toml");
    let json = run_json(&[
        "risk",
        scenario.to_str().expect("utf-8 path"),
        "--format",
        "json",
        "--quiet",
    ]);
    let losses = json["criticality"].as_array().expect("criticality");
    let exporters: Vec<&str> = losses
        .iter()
        .filter_map(|i| i["subject"]["actor"].as_str())
        .collect();
    for actor in ["DEU", "CZE", "SRB"] {
        assert!(exporters.contains(&actor), "{actor} in {exporters:?}");
    }
    // Losses are ranked by extra shortage, largest first.
    let harm = |i: &Value| -> f64 {
        i["shortage"]
            .as_array()
            .expect("per product")
            .iter()
            .map(|p| p["shortage"].as_f64().expect("number"))
            .sum()
    };
    for pair in losses.windows(2) {
        assert!(harm(&pair[0]) >= harm(&pair[1]) - 1e-6);
    }
    let neutrality = json["policies"]
        .as_array()
        .expect("policies")
        .iter()
        .find(|i| i["subject"]["policy"] == "srb-neutrality")
        .expect("the neutrality rule is priced");
    // What the rule costs: the optimum with it minus without it, >= 0.
    assert!(neutrality["cost"].as_f64().expect("cost") >= -1e-6);
}
