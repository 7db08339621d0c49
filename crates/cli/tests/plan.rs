//! End-to-end tests of `caisson plan`: runs the binary on fixtures and
//! checks exit codes, the plan JSON's shape and the CSV export.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../planner/tests/fixtures")
        .join(name)
}

fn caisson() -> Command {
    Command::new(env!("CARGO_BIN_EXE_caisson"))
}

#[test]
fn plan_writes_a_caisson_plan_document() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("plan.json");
    let csv = dir.path().join("csv");
    let mps = dir.path().join("model.mps");
    let result = caisson()
        .arg("plan")
        .arg(fixture("example.toml"))
        .arg("--out")
        .arg(&out)
        .arg("--csv")
        .arg(&csv)
        .arg("--write-model")
        .arg(&mps)
        .output()
        .expect("run caisson");
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        result.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(stdout.contains("status    optimal"), "{stdout}");
    assert!(
        stdout.contains("deu-shells-2"),
        "expansions are summarised: {stdout}"
    );
    assert!(
        stdout.contains("cze-srb-mortar"),
        "contracts short are summarised: {stdout}"
    );

    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("plan file")).expect("JSON");
    assert_eq!(doc["format"], "caisson-plan/1");
    assert_eq!(doc["scenario"], "example");
    assert_eq!(doc["status"], "optimal");
    let objective = doc["objective"].as_f64().expect("objective");
    assert!((objective - 33_856_432_668.074_07).abs() <= 1e-6 * objective);
    assert_eq!(doc["mip_gap"].as_f64().map(|g| g <= 1e-6), Some(true));
    assert_eq!(doc["periods"].as_array().map(Vec::len), Some(12));
    assert_eq!(doc["periods"][0], "2026-01");
    let cost = &doc["cost"];
    let sum: f64 = [
        "shortage",
        "production",
        "transport",
        "holding",
        "capex",
        "contract",
    ]
    .iter()
    .map(|k| cost[k].as_f64().expect("cost term"))
    .sum();
    assert!((sum - objective).abs() <= 1e-6 * objective);

    let fields: &[(&str, &[&str])] = &[
        (
            "production",
            &["facility", "line", "product", "period", "quantity"],
        ),
        (
            "shipments",
            &[
                "facility", "demand", "product", "period", "arrival", "quantity",
            ],
        ),
        (
            "transfers",
            &["from", "to", "product", "period", "arrival", "quantity"],
        ),
        ("stock", &["facility", "product", "period", "quantity"]),
        (
            "expansions",
            &[
                "expansion",
                "facility",
                "line",
                "decided",
                "available",
                "fraction",
            ],
        ),
        (
            "demand",
            &[
                "demand",
                "period",
                "required",
                "delivered",
                "backlog",
                "lost",
            ],
        ),
        (
            "contracts",
            &["contract", "period", "committed", "shipped", "shortfall"],
        ),
        ("compliance", &["facility", "demand", "allowed", "reason"]),
        ("transfer_compliance", &["from", "to", "allowed", "reason"]),
    ];
    for (array, keys) in fields {
        let records = doc[array]
            .as_array()
            .unwrap_or_else(|| panic!("{array} is not an array"));
        assert!(!records.is_empty(), "{array} is empty");
        for record in records {
            for key in *keys {
                assert!(
                    record.get(key).is_some(),
                    "{array} record lacks {key}: {record}"
                );
            }
        }
    }
    // Serbia's neutrality denies the direct sale to Ukraine, naming the policy.
    let denied = doc["compliance"]
        .as_array()
        .and_then(|c| {
            c.iter()
                .find(|r| r["facility"] == "srb-plant" && r["demand"] == "ukr-direct")
        })
        .expect("srb-plant -> ukr-direct verdict");
    assert_eq!(denied["allowed"], false);
    assert!(denied["reason"]
        .as_str()
        .is_some_and(|r| r.contains("srb-neutrality") && r.contains("deny_export")));
    // The expansion is decided in the first half and available six months later.
    assert_eq!(doc["expansions"][0]["available"], "2026-07");
    let kpis = &doc["kpis"];
    assert_eq!(kpis["demands"].as_array().map(Vec::len), Some(4));
    assert_eq!(kpis["products"].as_array().map(Vec::len), Some(2));
    assert!(kpis["end_users"].as_array().is_some_and(|e| !e.is_empty()));

    assert!(csv.join("production.csv").exists() && csv.join("kpi_demands.csv").exists());
    let mps_text = std::fs::read_to_string(&mps).expect("model file");
    assert!(mps_text.contains("cap[deu-plant/shells,2026-01]"));
}

#[test]
fn plan_prints_json_on_request() {
    let result = caisson()
        .args(["plan", "--format", "json"])
        .arg(fixture("contract_shortfall.toml"))
        .output()
        .expect("run caisson");
    assert!(result.status.success());
    let doc: Value = serde_json::from_slice(&result.stdout).expect("JSON on stdout");
    assert_eq!(doc["status"], "optimal");
    assert_eq!(
        doc["objective"].as_f64().map(|o| (o - 42.0).abs() < 1e-6),
        Some(true)
    );
    assert_eq!(doc["mip_gap"].as_f64(), Some(0.0));
    // Only the contract's periods in the plan (2 of 3) have records.
    assert_eq!(doc["contracts"].as_array().map(Vec::len), Some(2));
}

#[test]
fn invalid_scenario_exits_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[scenario]\nname = \"x\"\nstart = \"2026-01\"\nperiods = 0\nbogus = 1\n",
    )
    .expect("write");
    let out = dir.path().join("plan.json");
    let result = caisson()
        .arg("plan")
        .arg(&bad)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run caisson");
    assert_eq!(
        result.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(!result.stderr.is_empty());
    assert!(!out.exists(), "no plan for an invalid scenario");
}

#[test]
fn bad_options_exit_1() {
    let result = caisson()
        .args(["plan", "--time-limit=0"])
        .arg(fixture("example.toml"))
        .output()
        .expect("run caisson");
    assert_eq!(result.status.code(), Some(1));
}
