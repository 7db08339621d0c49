//! End-to-end tests of `caisson recommend`: the variant file it writes
//! validates, and planning it honours every recommended contract.

use std::path::Path;

use serde_json::Value;

use crate::support::{fixture, path as text, read_json, run as caisson, temp_dir};

fn succeed(args: &[&str]) -> std::process::Output {
    let output = caisson(args);
    assert!(
        output.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Plans `scenario` and returns the plan JSON.
fn plan(scenario: &Path, out: &Path) -> Value {
    succeed(&["plan", text(scenario), "--out", text(out)]);
    read_json(out)
}

/// Runs `recommend` on a copy of the example (so that the variant's
/// `extends` path is checked across directories), validates and plans the
/// variant, and checks every recommended contract for shortfall. Returns
/// the recommendation, the base plan and the variant's plan.
fn recommend_and_plan(extra: &[&str]) -> (Value, Value, Value) {
    let dir = temp_dir();
    let scenario = dir.path().join("example.toml");
    std::fs::copy(fixture("example.toml"), &scenario).expect("copy fixture");
    std::fs::create_dir(dir.path().join("out")).expect("out dir");
    let variant = dir.path().join("out/variant.toml");
    let mut args = vec![
        "recommend",
        text(&scenario),
        "--toml",
        text(&variant),
        "--format",
        "json",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    let output = succeed(&args);
    let recommendation: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");

    let toml = std::fs::read_to_string(&variant).expect("variant written");
    assert!(toml.contains("extends = \"../example.toml\""), "{toml}");
    succeed(&["validate", text(&variant)]);

    let base = plan(&scenario, &dir.path().join("base.json"));
    let planned = plan(&variant, &dir.path().join("variant.json"));
    let contracts = recommendation["contracts"].as_array().expect("contracts");
    assert!(
        !contracts.is_empty(),
        "the example ships enough to contract"
    );
    for contract in contracts {
        let id = contract["id"].as_str().expect("id");
        let records: Vec<&Value> = planned["contracts"]
            .as_array()
            .expect("contract records")
            .iter()
            .filter(|r| r["contract"] == id)
            .collect();
        assert!(!records.is_empty(), "{id} has records in the plan");
        for r in &records {
            let shortfall = r["shortfall"].as_f64().expect("shortfall");
            assert!(
                shortfall <= 1e-6,
                "{id} short in {}: {shortfall}",
                r["period"]
            );
        }
        // The records commit what the recommendation says, period by period.
        let committed: f64 = records
            .iter()
            .map(|r| r["committed"].as_f64().expect("committed"))
            .sum();
        let volume: f64 = contract["volumes"]
            .as_array()
            .expect("volumes")
            .iter()
            .map(|v| v["volume"].as_f64().expect("volume"))
            .sum();
        assert!(
            (committed - volume).abs() <= 1e-6 * volume.max(1.0),
            "{id}: records commit {committed}, recommendation {volume}"
        );
    }
    (recommendation, base, planned)
}

#[test]
fn recommended_contracts_are_honoured_and_cost_nothing() {
    let (recommendation, base, planned) = recommend_and_plan(&[]);
    // The existing contract's triple is left alone.
    assert_eq!(recommendation["already_contracted"][0], "cze-srb-mortar");
    let triple = |c: &Value| {
        (
            c["facility"].clone(),
            c["buyer"].clone(),
            c["product"].clone(),
        )
    };
    assert!(recommendation["contracts"]
        .as_array()
        .expect("contracts")
        .iter()
        .all(|c| triple(c) != ("srb-plant".into(), "CZE".into(), "mortar-120".into())));
    // Capped at the optimal plan's shipments, the contracts are met by the
    // optimum itself: without contract penalties the variant is no worse.
    let objective = |plan: &Value| plan["objective"].as_f64().expect("objective");
    let contract_cost = |plan: &Value| plan["cost"]["contract"].as_f64().expect("contract cost");
    let base_objective = objective(&base);
    let variant_without_penalty = objective(&planned) - contract_cost(&planned);
    let base_without_penalty = base_objective - contract_cost(&base);
    assert!(
        variant_without_penalty <= base_without_penalty + 1e-6 * base_objective.abs(),
        "variant {variant_without_penalty} vs base {base_without_penalty}"
    );
    // The comparison in the recommendation says the same.
    let delta = recommendation["comparison"]["variants"][0]["delta"]["objective"]
        .as_f64()
        .expect("delta");
    assert!(delta.abs() <= 1e-6 * base_objective.abs(), "delta {delta}");
    assert_eq!(recommendation["rounds"].as_array().map(Vec::len), Some(1));
}

#[test]
fn flat_yearly_rates_are_lowered_until_honoured() {
    let (recommendation, _, planned) = recommend_and_plan(&["--flat", "--penalty", "500"]);
    assert_eq!(recommendation["shape"], "flat");
    let rounds = recommendation["rounds"].as_array().expect("rounds");
    let last = rounds.last().expect("at least one round");
    assert_eq!(last["shortfall"], 0.0);
    assert!(last["lowered"].as_array().is_some_and(Vec::is_empty));
    // Every contract carries the penalty asked for.
    for contract in recommendation["contracts"].as_array().expect("contracts") {
        assert_eq!(contract["penalty"], 500.0);
    }
    // The plan's objective is the one the recommendation reports.
    let reported = recommendation["comparison"]["variants"][0]["outcome"]["objective"]
        .as_f64()
        .expect("objective");
    let objective = planned["objective"].as_f64().expect("objective");
    assert!((reported - objective).abs() <= 1e-6 * objective.abs());
}

#[test]
fn bad_options_are_usage_errors() {
    let scenario = fixture("example.toml");
    let output = caisson(["recommend", text(&scenario), "--penalty", "-3"]);
    assert_eq!(output.status.code(), Some(2));
    let output = caisson(["recommend", text(&scenario), "--rounds", "0"]);
    assert_eq!(output.status.code(), Some(2));
    let output = caisson(["recommend", "no-such-file.toml"]);
    assert_eq!(output.status.code(), Some(1));
}

/// The `contracts` of a `recommend --format json` run.
fn recommended(args: &[&str]) -> Value {
    let output = succeed(args);
    let json: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    json["contracts"].clone()
}

/// With zero uncertainty every sample is the deterministic plan, so any
/// quantile of the sampled volumes is the deterministic volume.
#[test]
fn samples_of_a_certain_world_recommend_what_the_optimal_plan_does() {
    let scenario = fixture("example-zero-uncertainty.toml");
    let common = ["recommend", text(&scenario), "--format", "json", "--quiet"];
    let deterministic = recommended(&common);
    let mut sampled_args = common.to_vec();
    sampled_args.extend(["--samples", "3", "--seed", "7", "--quantile", "0.2"]);
    let sampled = recommended(&sampled_args);
    assert!(
        deterministic.as_array().is_some_and(|c| !c.is_empty()),
        "{deterministic}"
    );
    assert_eq!(sampled, deterministic);
}

/// Sampled volumes under real uncertainty still give contracts the plan
/// honours; a scenario without uncertainty is refused with a hint.
#[test]
fn sampled_recommendations_are_honoured_and_need_uncertainty() {
    let dir = temp_dir();
    let scenario = dir.path().join("example-uncertainty.toml");
    for name in ["example.toml", "example-uncertainty.toml"] {
        std::fs::copy(fixture(name), dir.path().join(name)).expect("copy fixture");
    }
    let variant = dir.path().join("variant.toml");
    succeed(&[
        "recommend",
        text(&scenario),
        "--samples",
        "4",
        "--seed",
        "3",
        "--quantile",
        "0.25",
        "--toml",
        text(&variant),
        "--quiet",
    ]);
    let planned = plan(&variant, &dir.path().join("variant-plan.json"));
    let records = planned["contracts"].as_array().expect("contract records");
    let recommended: Vec<&Value> = records
        .iter()
        .filter(|r| {
            r["contract"]
                .as_str()
                .is_some_and(|c| c.starts_with("rec:"))
        })
        .collect();
    assert!(!recommended.is_empty(), "some contract recommended");
    for r in recommended {
        assert!(r["shortfall"].as_f64().unwrap_or(f64::NAN) <= 1e-6, "{r}");
    }

    let refused = caisson([
        "recommend",
        text(&fixture("example.toml")),
        "--samples",
        "2",
        "--quiet",
    ]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("uncertainty"));
}
