//! End-to-end tests of the analysis commands (`compare`, `risk`) on the spec
//! example and a variant of it.

use serde_json::Value;

use crate::support::{caisson, fixture, run, temp_dir};

fn run_json(args: &[&str]) -> Value {
    let output = run(args);
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
    let document = run_json(&[
        "compare",
        base.to_str().expect("utf-8 path"),
        variant.to_str().expect("utf-8 path"),
        "--format",
        "json",
        "--quiet",
    ]);
    assert_eq!(document["format"], "caisson-comparison/1");
    let json = &document["analysis"];
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
    let document = run_json(&[
        "risk",
        scenario.to_str().expect("utf-8 path"),
        "--format",
        "json",
        "--quiet",
    ]);
    assert_eq!(document["format"], "caisson-criticality/1");
    let json = &document["analysis"];
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

/// What `compare --out` and `risk --out` write is what `caisson report`
/// reads: the files carry the report sections' formats.
#[test]
fn analysis_outputs_feed_the_html_report() {
    let dir = temp_dir();
    let base = fixture("example.toml");
    let variant = fixture("example-no-neutrality.toml");
    let comparison = dir.path().join("comparison.json");
    let criticality = dir.path().join("risk.json");
    let caisson = |args: &[&std::ffi::OsStr]| {
        let status = run(args);
        assert!(
            status.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&status.stderr)
        );
        status.stdout
    };
    caisson(&[
        "compare".as_ref(),
        base.as_os_str(),
        variant.as_os_str(),
        "--quiet".as_ref(),
        "--out".as_ref(),
        comparison.as_os_str(),
    ]);
    caisson(&[
        "risk".as_ref(),
        base.as_os_str(),
        "--quiet".as_ref(),
        "--out".as_ref(),
        criticality.as_os_str(),
    ]);
    for (input, view) in [(&comparison, "comparison"), (&criticality, "criticality")] {
        let html = dir.path().join(format!("{view}.html"));
        let stdout = caisson(&[
            "report".as_ref(),
            input.as_os_str(),
            "--out".as_ref(),
            html.as_os_str(),
            "--format".as_ref(),
            "json".as_ref(),
        ]);
        let summary: Value = serde_json::from_slice(&stdout).expect("JSON summary");
        assert_eq!(summary["views"], serde_json::json!([view]), "{summary}");
        assert!(html.exists());
    }
}

/// Solver limits are checked before any solve, for every analysis command.
#[test]
fn bad_solver_limits_are_refused_before_solving() {
    let base = fixture("example.toml");
    for args in [
        // compare takes the base and one variant (here the base again).
        vec![
            "compare",
            "--mip-gap=-1",
            base.to_str().expect("utf-8 path"),
        ],
        vec!["risk", "--time-limit=0"],
        vec!["simulate", "--mip-gap=NaN"],
        vec!["recommend", "--time-limit=-5"],
    ] {
        let output = caisson()
            .args(&args)
            .arg(&base)
            .arg("--quiet")
            .output()
            .expect("caisson runs");
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("--mip-gap") || stderr.contains("--time-limit"),
            "{args:?}: {stderr}"
        );
    }
}
