//! `caisson demo`, the main job, end to end on the built-in European
//! scenario: every output it promises, a base plan that passes the
//! independent check and costs what a plan on its own costs, and a JSON
//! summary that names the files it wrote.

use serde_json::Value;

use crate::support::{both, path, read_json, run, stdout, temp_dir};

/// The variants the demo compares with the base, in its order.
const VARIANTS: [&str; 4] = [
    "serbia-integrated",
    "serbia-lost",
    "explosives-shock",
    "us-withdraws",
];

#[test]
fn the_demo_writes_every_output_with_a_verified_optimal_base_plan() {
    let dir = temp_dir();
    let out = dir.path().join("demo");
    let demo = run(["demo", "--out", path(&out), "--quiet", "--format", "json"]);
    assert_eq!(demo.status.code(), Some(0), "{}", both(&demo));
    let summary: Value = serde_json::from_str(&stdout(&demo)).expect("JSON summary");

    // The summary names the files it wrote, and they exist.
    let outputs = &summary["outputs"];
    for key in [
        "scenarios",
        "plan",
        "plan_csv",
        "comparison",
        "risk",
        "answer",
    ] {
        let written = outputs[key].as_str().unwrap_or_default();
        assert!(
            std::path::Path::new(written).exists(),
            "{key}: {written} missing"
        );
    }
    assert!(outputs["analysis_doc"].is_null(), "not asked for");
    let answer = std::fs::read_to_string(out.join("answer.md")).expect("answer.md");
    assert_eq!(summary["answer"], answer.as_str());
    assert!(
        answer.starts_with("# Serbia's capacity: integrate or lose?"),
        "{answer}"
    );
    let report = std::fs::read_to_string(out.join("report.html")).expect("report.html");
    assert!(report.contains("Caisson: European ammunition 2025-2030"));

    // The base plan passes the independent check...
    let base = out.join("scenarios/base.toml");
    let plan_file = out.join("plan-base.json");
    let verify = run(["verify", path(&base), path(&plan_file)]);
    assert_eq!(verify.status.code(), Some(0), "{}", both(&verify));
    // ...and costs what a plan of the base on its own costs (both proven
    // within the default MIP gap of 1e-6), with capacity shadow prices.
    let plan = read_json(&plan_file);
    assert_eq!(plan["status"], "optimal");
    assert!(
        plan["capacity_duals"]
            .as_array()
            .is_some_and(|d| !d.is_empty()),
        "the demo's plan is priced"
    );
    let alone_file = dir.path().join("alone.json");
    let alone = run([
        "plan",
        path(&base),
        "--out",
        path(&alone_file),
        "--threads",
        "1",
    ]);
    assert_eq!(alone.status.code(), Some(0), "{}", both(&alone));
    let alone = read_json(&alone_file);
    let (demo_cost, alone_cost) = (
        plan["objective"].as_f64().unwrap_or(f64::NAN),
        alone["objective"].as_f64().unwrap_or(f64::NAN),
    );
    assert!(
        (demo_cost - alone_cost).abs() <= 2e-6 * alone_cost.abs(),
        "demo {demo_cost} against a plan on its own {alone_cost}"
    );

    // The comparison has every variant, the risk analysis its rankings.
    let comparison = read_json(&out.join("comparison.json"));
    assert_eq!(comparison["format"], "caisson-comparison/1");
    assert_eq!(comparison["variants"], serde_json::json!(VARIANTS));
    let risk = read_json(&out.join("risk.json"));
    assert_eq!(risk["format"], "caisson-criticality/1");
    let ranked = |key: &str| risk["analysis"][key].as_array().map_or(0, Vec::len);
    assert!(
        ranked("criticality") > 0 && ranked("policies") > 0,
        "{risk:#}"
    );
}
