//! End-to-end tests of `caisson recommend --samples` (the two-stage
//! program): its JSON document, its text, and the variant file it writes,
//! which plans with every committed schedule as written.

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

#[test]
fn two_stage_portfolio_is_reported_and_plans_as_written() {
    let dir = temp_dir();
    let scenario = dir.path().join("example-uncertainty.toml");
    for name in ["example.toml", "example-uncertainty.toml"] {
        std::fs::copy(fixture(name), dir.path().join(name)).expect("copy fixture");
    }
    let variant = dir.path().join("variant.toml");
    // A spot price far above the contract price makes committing worth it.
    let args = [
        "recommend",
        text(&scenario),
        "--samples",
        "3",
        "--seed",
        "5",
        "--price",
        "100",
        "--spot-price",
        "2000",
        "--out-of-sample",
        "2",
        "--toml",
        text(&variant),
        "--format",
        "json",
        "--quiet",
    ];
    let output = succeed(&args);
    let json: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    assert_eq!(json["format"], "caisson-recommendation-saa/1");
    assert_eq!(json["samples"], 3);
    assert_eq!(json["method"], "extensive form");
    for figure in ["mean", "p95", "cvar"] {
        assert!(
            json["in_sample"]["shortage"][figure].is_number(),
            "{figure}"
        );
        assert!(json["in_sample"]["cost"][figure].is_number(), "{figure}");
    }
    let objective = json["in_sample"]["objective"].as_f64().expect("objective");
    let deterministic = json["deterministic"]["in_sample"]["objective"]
        .as_f64()
        .expect("deterministic objective");
    let gap = json["mip_gap"].as_f64().expect("gap");
    assert!(
        objective <= deterministic + (gap + 1e-6) * objective.abs(),
        "{objective} vs {deterministic}"
    );
    let vss = json["vss"].as_f64().expect("vss");
    assert!((vss - (deterministic - objective)).abs() <= 1e-6 * objective.abs());
    assert_eq!(json["out_of_sample"]["stochastic"]["samples"], 2);
    assert_eq!(json["out_of_sample"]["seed"], 6);

    let contracts = json["contracts"].as_array().expect("contracts");
    assert!(
        !contracts.is_empty(),
        "a spot price of 2000 makes contracts pay"
    );
    // The variant signs exactly the recommended schedules.
    succeed(&["validate", text(&variant)]);
    let plan_path = dir.path().join("plan.json");
    succeed(&["plan", text(&variant), "--out", text(&plan_path)]);
    let plan = read_json(&plan_path);
    let records = plan["contracts"].as_array().expect("contract records");
    for contract in contracts {
        let id = contract["id"].as_str().expect("id");
        let schedule = contract["schedule"].as_array().expect("schedule");
        let mine: Vec<&Value> = records.iter().filter(|r| r["contract"] == id).collect();
        assert!(!mine.is_empty(), "{id} is in the plan");
        for r in mine {
            let period = plan["periods"]
                .as_array()
                .and_then(|p| p.iter().position(|l| *l == r["period"]))
                .expect("period");
            let committed = r["committed"].as_f64().expect("committed");
            let written = schedule[period].as_f64().expect("schedule");
            assert!(
                (committed - written).abs() <= 1e-9 * written.max(1.0),
                "{id} {period}: {committed} vs {written}"
            );
        }
    }

    // The same run as text: the comparison table and the VSS line.
    let mut text_args: Vec<&str> = args.to_vec();
    text_args.retain(|a| *a != "json" && *a != "--format");
    let output = succeed(&text_args);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("value of the stochastic solution"),
        "{stdout}"
    );
    assert!(stdout.contains("deterministic, out of sample"), "{stdout}");
}

#[test]
fn two_stage_options_are_checked() {
    let scenario = fixture("example-uncertainty.toml");
    let output = caisson([
        "recommend",
        text(&scenario),
        "--samples",
        "2",
        "--cvar-alpha",
        "1",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let output = caisson(["recommend", text(&scenario), "--risk-aversion", "1"]);
    assert_eq!(output.status.code(), Some(2), "needs --samples");
    let output = caisson(["recommend", text(&scenario), "--samples", "0"]);
    assert_eq!(output.status.code(), Some(2));
}

/// `--method benders` gives the extensive form's optimum (within the gap
/// both prove) and says how it was solved; `--suppliers` limits the
/// candidates to the named actors' facilities and refuses an unknown
/// actor with the list of known ones.
#[test]
fn decomposed_program_matches_the_extensive_form_and_suppliers_filter() {
    let scenario = fixture("example-uncertainty.toml");
    let run = |method: &str, suppliers: Option<&str>| {
        let mut args = vec![
            "recommend",
            text(&scenario),
            "--samples",
            "3",
            "--seed",
            "5",
            "--price",
            "100",
            "--spot-price",
            "2000",
            "--mip-gap",
            "1e-6",
            "--method",
            method,
            "--format",
            "json",
            "--quiet",
        ];
        if let Some(suppliers) = suppliers {
            args.extend(["--suppliers", suppliers]);
        }
        let output = succeed(&args);
        let json: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
        json
    };
    let extensive = run("extensive", None);
    let benders = run("benders", None);
    assert_eq!(extensive["method"], "extensive form");
    assert!(
        benders["method"]
            .as_str()
            .is_some_and(|m| m.starts_with("L-shaped")),
        "{}",
        benders["method"]
    );
    assert!(benders["model"]["iterations"].as_u64().unwrap_or(0) > 0);
    let objective = |json: &Value| json["objective"].as_f64().expect("objective");
    let (a, b) = (objective(&extensive), objective(&benders));
    assert!((a - b).abs() <= 1e-4 * a.abs().max(1.0), "{a} vs {b}");
    let lower = benders["model"]["lower_bound"].as_f64().expect("bound");
    assert!(
        lower <= b + 1e-6 * b.abs(),
        "bound {lower} above answer {b}"
    );

    let serbian = run("auto", Some("SRB"));
    let candidates = serbian["candidates"].as_u64().expect("candidates");
    assert!(candidates > 0 && candidates < extensive["candidates"].as_u64().unwrap_or(0));
    for contract in serbian["contracts"].as_array().expect("contracts") {
        let facility = contract["facility"].as_str().expect("facility");
        assert_eq!(facility, "srb-plant");
    }

    let output = caisson([
        "recommend",
        text(&scenario),
        "--samples",
        "2",
        "--suppliers",
        "SRB,XXX",
    ]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "an option value out of range"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("`XXX`") && stderr.contains("hint"),
        "{stderr}"
    );
}
