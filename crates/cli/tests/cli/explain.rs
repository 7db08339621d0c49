//! End-to-end runs of `caisson explain` on the built binary, on the spec's
//! example scenario (a copy in `tests/fixtures/example.toml`).

use std::process::Output;

use serde_json::Value;

use crate::support::{caisson, fixture};

fn example() -> std::path::PathBuf {
    fixture("example.toml")
}

fn explain(args: &[&str]) -> Output {
    caisson()
        .arg("explain")
        .arg(example())
        .args(args)
        .output()
        .expect("run caisson")
}

/// Runs `explain` expecting success; returns stdout.
fn ok(args: &[&str]) -> String {
    let out = explain(args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    stdout
}

fn json(args: &[&str]) -> Value {
    let mut args = args.to_vec();
    args.extend(["--format", "json"]);
    serde_json::from_str(&ok(&args)).expect("valid JSON")
}

#[test]
fn direct_purchase_by_ukraine_is_denied_by_serbian_neutrality() {
    let out = ok(&["--facility", "srb-plant", "--demand", "ukr-direct"]);
    assert!(
        out.starts_with("shipment srb-plant -> ukr-direct: DENIED"),
        "{out}"
    );
    assert!(
        out.contains("exporter  SRB (Serbia), at facility srb-plant"),
        "{out}"
    );
    assert!(
        out.contains(
            "✗ srb-neutrality (scope SRB) deny_export [\"belligerent\"] selects UKR via \"belligerent\"  <- decides"
        ),
        "{out}"
    );
    assert!(out.contains("same actor: rule does not apply"), "{out}");
    assert!(
        out.contains("verdict: denied: srb-neutrality deny_export: SRB may not export to UKR"),
        "{out}"
    );
}

#[test]
fn re_transfer_via_czechia_is_allowed() {
    let out = ok(&["--facility", "srb-plant", "--demand", "ukr-mortar"]);
    assert!(
        out.starts_with("shipment srb-plant -> ukr-mortar: ALLOWED"),
        "{out}"
    );
    // Every rule is listed, in order.
    let r1 = out
        .find("rule 1: leg exporter -> buyer: SRB -> CZE")
        .expect("rule 1");
    let r2 = out
        .find("rule 2: re-transfer leg buyer -> end user: CZE -> UKR")
        .expect("rule 2");
    let r3 = out
        .find("rule 3: exporter's end-use controls: SRB -> UKR")
        .expect("rule 3");
    assert!(r1 < r2 && r2 < r3, "{out}");
    assert!(
        out.contains("eu-sanctions (scope EU) deny_import [\"RUS\"] does not select SRB"),
        "{out}"
    );
    assert!(out.contains("verdict: allowed: no policy applies"), "{out}");
}

#[test]
fn shipment_json_names_the_deciding_policy_and_list() {
    let v = json(&["--facility", "srb-plant", "--demand", "ukr-direct"]);
    assert_eq!(v["kind"], "shipment");
    assert_eq!(v["allowed"], false);
    assert_eq!(v["held"], true);
    assert_eq!(
        (v["exporter"].as_str(), v["buyer"].as_str()),
        (Some("SRB"), Some("UKR"))
    );
    let d = &v["decided_by"];
    assert_eq!(d["policy"], "srb-neutrality");
    assert_eq!(d["list"], "deny_export");
    assert_eq!(d["rule"], "exporter_to_buyer");
    assert_eq!(d["selector"], "belligerent");
    let rules = v["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), 3);
    assert_eq!(rules[1]["applies"], false);
    assert_eq!(rules[0]["checks"][0]["decisive"], true);
    let reason = v["reason"].as_str().expect("reason");
    assert!(
        reason.contains("srb-neutrality") && reason.contains("deny_export"),
        "{reason}"
    );

    let v = json(&["--facility", "srb-plant", "--demand", "ukr-mortar"]);
    assert_eq!(v["allowed"], true);
    assert_eq!(v["decided_by"], Value::Null);
    assert_eq!(v["reason"], "no policy applies");
}

#[test]
fn a_facility_that_does_not_hold_the_product_is_noted() {
    let out = ok(&["--facility", "cze-tnt", "--demand", "ukr-155"]);
    assert!(
        out.contains("note: cze-tnt does not hold shell-155"),
        "{out}"
    );
}

#[test]
fn component_transfer_qualifies_and_finished_goods_abroad_do_not() {
    let out = ok(&["--from", "cze-tnt", "--to", "deu-plant", "--product", "tnt"]);
    assert!(
        out.starts_with("transfer cze-tnt -> deu-plant: ALLOWED"),
        "{out}"
    );
    assert!(
        out.contains("product tnt: qualifies: it is an input of a product made at the receiver"),
        "{out}"
    );

    let v = json(&[
        "--from",
        "srb-plant",
        "--to",
        "deu-plant",
        "--product",
        "shell-155",
    ]);
    assert_eq!(v["kind"], "transfer");
    assert_eq!(v["allowed"], true);
    assert_eq!(v["product"]["qualifies"], false);
    assert_eq!(v["qualifying_products"], serde_json::json!(["tnt"]));

    let out = ok(&["--from", "deu-plant", "--to", "deu-depot"]);
    assert!(out.contains("same actor: rule does not apply"), "{out}");
    assert!(
        out.contains("products that qualify for this transfer: shell-155"),
        "{out}"
    );
}

#[test]
fn matrix_marks_allowed_denied_and_meaningless_pairs() {
    let out = ok(&["--matrix"]);
    let row = |name: &str| -> Vec<String> {
        out.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("row {name}: {out}"))
            .split_whitespace()
            .skip(1)
            .map(str::to_owned)
            .collect()
    };
    // Columns: ukr-155, ukr-mortar, ukr-direct, deu-stockpile.
    assert_eq!(row("srb-plant"), ["✓", "✓", "✗1", "✓"]);
    assert_eq!(row("cze-tnt"), ["·", "·", "·", "·"]);
    assert!(
        out.contains("✗1  srb-neutrality deny_export: SRB may not export to UKR"),
        "{out}"
    );
    assert!(out.contains("transfers (rows: from, columns: to"), "{out}");

    let v = json(&["--matrix"]);
    let shipments = v["shipments"].as_array().expect("shipments");
    // Only pairs where the facility holds the product.
    assert!(shipments.iter().all(|c| c["facility"] != "cze-tnt"));
    let denied: Vec<_> = shipments.iter().filter(|c| c["allowed"] == false).collect();
    assert_eq!(denied.len(), 1);
    assert_eq!(
        (denied[0]["facility"].as_str(), denied[0]["demand"].as_str()),
        (Some("srb-plant"), Some("ukr-direct"))
    );
    let transfers = v["transfers"].as_array().expect("transfers");
    assert!(transfers.iter().any(|t| t["from"] == "cze-tnt"
        && t["to"] == "deu-plant"
        && t["products"] == serde_json::json!(["tnt"])));
}

#[test]
fn unknown_ids_are_invalid_input_with_a_suggestion() {
    let out = explain(&["--facility", "srb-plnt", "--demand", "ukr-direct"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no facility `srb-plnt` (did you mean `srb-plant`?)"),
        "{stderr}"
    );
}

#[test]
fn a_question_is_required_and_modes_do_not_mix() {
    assert_eq!(explain(&[]).status.code(), Some(2));
    assert_eq!(explain(&["--facility", "srb-plant"]).status.code(), Some(2));
    assert_eq!(
        explain(&["--matrix", "--from", "cze-tnt", "--to", "deu-plant"])
            .status
            .code(),
        Some(2)
    );
}
