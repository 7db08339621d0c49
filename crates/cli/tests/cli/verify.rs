//! End-to-end tests of `caisson verify`: a plan made by `caisson plan`
//! passes; the same plan tampered with, one kind of violation at a time,
//! fails with exit code 1 and names the record at fault.

use std::path::Path;

use crate::support::{caisson, fixture};

use serde_json::{json, Value};

/// The optimal plan of the spec's example, as `caisson plan` writes it.
fn planned(dir: &Path) -> Value {
    let out = dir.join("plan.json");
    let result = caisson()
        .arg("plan")
        .arg(fixture("example.toml"))
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run caisson plan");
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(&out).expect("plan file")).expect("JSON")
}

/// Runs `caisson verify` on `plan`: exit code and stdout.
fn verify(dir: &Path, plan: &Value, extra: &[&str]) -> (Option<i32>, String) {
    let file = dir.join("candidate.json");
    std::fs::write(&file, serde_json::to_string_pretty(plan).expect("JSON")).expect("write");
    let result = caisson()
        .arg("verify")
        .arg(fixture("example.toml"))
        .arg(&file)
        .args(extra)
        .output()
        .expect("run caisson verify");
    let stdout = String::from_utf8_lossy(&result.stdout).into_owned();
    (result.status.code(), stdout)
}

/// Checks that `plan` fails and that some line names `record` and
/// `constraint`.
fn fails_at(dir: &Path, plan: &Value, record: &str, constraint: &str) -> String {
    let (code, stdout) = verify(dir, plan, &[]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with(record) && l.contains(&format!(": {constraint}: "))),
        "no `{constraint}` violation at {record}:\n{stdout}"
    );
    stdout
}

/// The index of the first record of `array` matching `pick`.
fn find(plan: &Value, array: &str, pick: impl Fn(&Value) -> bool) -> usize {
    plan[array]
        .as_array()
        .expect("records")
        .iter()
        .position(pick)
        .unwrap_or_else(|| panic!("no such record in {array}"))
}

#[test]
fn a_plan_of_caisson_passes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = planned(dir.path());
    let (code, stdout) = verify(dir.path(), &plan, &[]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(stdout.contains("satisfies every constraint"), "{stdout}");
    assert!(stdout.contains("optimality is not checked"), "{stdout}");

    let (code, stdout) = verify(dir.path(), &plan, &["--format", "json"]);
    assert_eq!(code, Some(0), "{stdout}");
    let verdict: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(verdict["valid"], true);
    assert_eq!(verdict["status"], "optimal");
    assert_eq!(verdict["violations"], json!([]));
}

#[test]
fn over_capacity_names_the_production_records() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut plan = planned(dir.path());
    let i = find(&plan, "production", |r| r["quantity"].as_f64() > Some(0.0));
    let quantity = plan["production"][i]["quantity"].as_f64().expect("number");
    plan["production"][i]["quantity"] = json!(quantity * 1000.0);
    let period = plan["production"][i]["period"]
        .as_str()
        .expect("label")
        .to_owned();
    let stdout = fails_at(dir.path(), &plan, &format!("production[{i}]"), "capacity");
    // The record's labels are printed with it.
    assert!(stdout.contains(&format!("period {period}")), "{stdout}");
}

#[test]
fn a_denied_shipment_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut plan = planned(dir.path());
    let denied = find(&plan, "compliance", |r| r["allowed"] == false);
    let pair = plan["compliance"][denied].clone();
    let template = plan["shipments"][0].clone();
    let mut shipment = template.clone();
    shipment["facility"] = pair["facility"].clone();
    shipment["demand"] = pair["demand"].clone();
    let shipments = plan["shipments"].as_array_mut().expect("records");
    shipments.push(shipment);
    let index = shipments.len() - 1;
    let stdout = fails_at(
        dir.path(),
        &plan,
        &format!("shipments[{index}]"),
        "compliance",
    );
    assert!(stdout.contains("the pair is denied"), "{stdout}");
}

#[test]
fn a_broken_stock_balance_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut plan = planned(dir.path());
    let i = find(&plan, "stock", |r| r["quantity"].as_f64() > Some(0.0));
    let quantity = plan["stock"][i]["quantity"].as_f64().expect("number");
    plan["stock"][i]["quantity"] = json!(quantity + 1000.0);
    fails_at(dir.path(), &plan, &format!("stock[{i}]"), "stock balance");
}

#[test]
fn a_wrong_backlog_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut plan = planned(dir.path());
    let i = find(&plan, "demand", |r| r["backlog"].as_f64() > Some(0.0));
    let backlog = plan["demand"][i]["backlog"].as_f64().expect("number");
    plan["demand"][i]["backlog"] = json!(backlog / 2.0);
    fails_at(dir.path(), &plan, &format!("demand[{i}]"), "backlog");
}

#[test]
fn a_wrong_lead_time_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut plan = planned(dir.path());
    let i = find(&plan, "shipments", |r| r["period"] != r["arrival"]);
    plan["shipments"][i]["arrival"] = plan["shipments"][i]["period"].clone();
    fails_at(dir.path(), &plan, &format!("shipments[{i}]"), "lead time");
}

#[test]
fn a_duplicate_record_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut plan = planned(dir.path());
    let copy = plan["transfers"][0].clone();
    let transfers = plan["transfers"].as_array_mut().expect("records");
    transfers.push(copy);
    let index = transfers.len() - 1;
    let stdout = fails_at(dir.path(), &plan, &format!("transfers[{index}]"), "record");
    assert!(stdout.contains("same key as transfers[0]"), "{stdout}");
}

#[test]
fn a_cost_split_that_does_not_add_up_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut plan = planned(dir.path());
    let production = plan["cost"]["production"].as_f64().expect("number");
    plan["cost"]["production"] = json!(production + 1_000_000.0);
    let stdout = fails_at(dir.path(), &plan, "cost", "cost");
    assert!(stdout.contains("production cost"), "{stdout}");
    assert!(
        stdout.contains("objective"),
        "the objective no longer matches: {stdout}"
    );
}

#[test]
fn every_unknown_label_is_named_and_json_lists_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut plan = planned(dir.path());
    plan["shipments"][3]["facility"] = json!("atlantis");
    plan["contracts"][0]["contract"] = json!("no-such-contract");
    let (code, stdout) = verify(dir.path(), &plan, &[]);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("shipments[3]")
            && stdout.contains("facility: unknown facility \"atlantis\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("contracts[0]")
            && stdout.contains("contract: unknown contract \"no-such-contract\""),
        "{stdout}"
    );
    assert!(stdout.contains("2 violations"), "{stdout}");

    let (code, stdout) = verify(dir.path(), &plan, &["--format", "json"]);
    assert_eq!(code, Some(1), "{stdout}");
    let verdict: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(verdict["valid"], false);
    let violations = verdict["violations"].as_array().expect("violations");
    assert_eq!(violations.len(), 2, "{stdout}");
    assert_eq!(violations[0]["constraint"], "label");
    assert_eq!(violations[0]["records"][0]["array"], "shipments");
    assert_eq!(violations[0]["records"][0]["index"], 3);
    assert_eq!(
        violations[0]["records"][0]["labels"]["facility"],
        "atlantis"
    );
}

#[test]
fn a_file_that_is_not_a_plan_fails_with_exit_code_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (code, _) = verify(dir.path(), &json!({"format": "caisson-report/1"}), &[]);
    assert_eq!(code, Some(1));
}
