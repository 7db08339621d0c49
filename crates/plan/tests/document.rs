//! The `caisson-plan/1` document without a solver: written from a greedy
//! plan, read back into the same plan, and refused with every bad label
//! named by its record.

use std::path::Path;

use caisson_plan::document::{DocumentError, PlanDocument, RecordRef};
use caisson_plan::{greedy, verify, Plan, PlanStatus};
use serde_json::{json, Value};

fn scenario(name: &str) -> caisson_model::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../planner/tests/fixtures")
        .join(name);
    caisson_scenario::load_path(&path)
        .unwrap_or_else(|e| panic!("{name} loads: {e:?}"))
        .scenario
}

fn document_value(s: &caisson_model::Scenario, plan: &Plan) -> Value {
    serde_json::to_value(PlanDocument::new(s, plan)).expect("JSON")
}

/// The label errors of `value` resolved against `s`, one line each.
fn label_errors(s: &caisson_model::Scenario, value: &Value) -> Vec<String> {
    let doc = PlanDocument::from_value(value).expect("a document");
    match doc.to_plan(s) {
        Err(DocumentError::Labels(labels)) => labels.0.iter().map(ToString::to_string).collect(),
        Err(other) => panic!("not a label error: {other}"),
        Ok(_) => Vec::new(),
    }
}

#[test]
fn greedy_plans_read_back_unchanged() {
    for name in [
        "example.toml",
        "neutral_retransfer.toml",
        "contract_shortfall.toml",
        "bom_transfer.toml",
        "greedy-bom.toml",
        "why-denied.toml",
    ] {
        let s = scenario(name);
        let plan = greedy(&s);
        let text = serde_json::to_string_pretty(&PlanDocument::new(&s, &plan)).expect("JSON");
        let back = PlanDocument::from_json(&text)
            .expect("reads")
            .to_plan(&s)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        for (what, same) in [
            ("status", back.status == plan.status),
            ("method", back.method == plan.method),
            ("objective", back.objective == plan.objective),
            ("mip_gap", back.mip_gap == plan.mip_gap),
            ("cost", back.cost == plan.cost),
            (
                "records",
                back.production == plan.production
                    && back.shipments == plan.shipments
                    && back.transfers == plan.transfers
                    && back.stock == plan.stock
                    && back.expansions == plan.expansions
                    && back.demand == plan.demand
                    && back.contracts == plan.contracts,
            ),
            (
                "compliance",
                back.compliance == plan.compliance
                    && back.transfer_compliance == plan.transfer_compliance,
            ),
            ("kpis", back.kpis == plan.kpis),
        ] {
            assert!(same, "{name}: {what} differs");
        }
        assert_eq!(back, plan, "{name}");
        assert!(verify(&s, &back).is_empty(), "{name}");
    }
}

#[test]
fn field_order_is_the_spec_order() {
    let s = scenario("example.toml");
    let value = document_value(&s, &greedy(&s));
    let keys: Vec<&str> = value
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys[..10],
        [
            "format",
            "scenario",
            "status",
            "method",
            "objective",
            "mip_gap",
            "currency",
            "periods",
            "cost",
            "production"
        ]
    );
    assert_eq!(value["format"], caisson_plan::FORMAT);
    // The greedy gap is unknown: null, and read back as unknown.
    assert_eq!(value["mip_gap"], Value::Null);
}

#[test]
fn every_unknown_label_is_named_with_its_record() {
    let s = scenario("example.toml");
    let mut value = document_value(&s, &greedy(&s));
    value["shipments"][0]["facility"] = json!("atlantis");
    value["shipments"][1]["period"] = json!("1999-01");
    value["production"][0]["line"] = json!("no-such-line");
    value["demand"][2]["demand"] = json!("ghost");
    value["stock"][0]["period"] = json!("2026-Q1");
    let errors = label_errors(&s, &value);
    let facility = &value["production"][0]["facility"];
    let expected = [
        "shipments[0].facility: unknown facility \"atlantis\"".to_owned(),
        "shipments[1].period: period \"1999-01\" lies before the horizon's first, 2026-01"
            .to_owned(),
        format!(
            "production[0].line: unknown line \"no-such-line\" at facility \"{}\"",
            facility.as_str().expect("text")
        ),
        "demand[2].demand: unknown demand \"ghost\"".to_owned(),
    ];
    for line in &expected {
        assert!(errors.contains(line), "{line} in {errors:#?}");
    }
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("stock[0].period: not a period")),
        "{errors:#?}"
    );
    assert_eq!(errors.len(), 5, "{errors:#?}");
}

#[test]
fn a_compliance_record_the_rules_contradict_is_refused() {
    let s = scenario("why-denied.toml");
    let mut value = document_value(&s, &greedy(&s));
    let records = value["compliance"].as_array_mut().expect("records");
    let denied = records
        .iter_mut()
        .position(|r| r["allowed"] == false)
        .expect("a denied pair");
    value["compliance"][denied]["allowed"] = json!(true);
    let errors = label_errors(&s, &value);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].starts_with(&format!(
            "compliance[{denied}].allowed: true, but the rules deny"
        )),
        "{errors:#?}"
    );
}

#[test]
fn documents_of_other_formats_or_shapes_are_refused() {
    let no_format = PlanDocument::from_value(&json!({"status": "optimal", "periods": []}));
    assert!(matches!(no_format, Err(DocumentError::NoFormat)));
    let other = PlanDocument::from_value(&json!({"format": "caisson-plan/2"}));
    assert!(matches!(other, Err(DocumentError::Format(f)) if f == "caisson-plan/2"));
    let error = PlanDocument::from_value(&json!({
        "format": "caisson-plan/1", "status": "optimal", "periods": ["2026-01"],
        "shipments": [{"facility": "f", "demand": "d", "product": "p", "period": "2026-01",
                       "arrival": "2026-01"}],
    }))
    .expect_err("a shipment without quantity");
    let text = error.to_string();
    assert!(
        text.contains("shipments[0]") && text.contains("quantity"),
        "{text}"
    );
    let error = PlanDocument::from_value(&json!({
        "format": "caisson-plan/1", "status": "solved", "periods": [],
    }))
    .expect_err("an unknown status");
    assert!(error.to_string().contains("status"), "{error}");
}

#[test]
fn another_tools_spec_only_document_reads() {
    let s = scenario("example.toml");
    let plan = greedy(&s);
    let mut value = document_value(&s, &plan);
    let object = value.as_object_mut().expect("object");
    for extra in [
        "method",
        "currency",
        "explanations",
        "demands_info",
        "facilities_info",
    ] {
        object.remove(extra);
    }
    object["kpis"]
        .as_object_mut()
        .expect("kpis")
        .remove("dependencies");
    // Another tool's own `model` object is not Caisson's statistics.
    object.insert("model".to_owned(), json!({"solver": "other", "seconds": 1}));
    let doc = PlanDocument::from_value(&value).expect("reads");
    assert!(doc.model.is_none() && doc.explanations.is_empty());
    let back = doc.to_plan(&s).expect("resolves");
    assert_eq!(back.method, "");
    assert_eq!(back.shipments, plan.shipments);
    assert_eq!(back.kpis, plan.kpis, "KPIs are recomputed from the records");
    assert!(verify(&s, &back).is_empty());
}

#[test]
fn an_unsolved_plan_reads_back_without_records() {
    let s = scenario("example.toml");
    let plan = Plan::without_solution(PlanStatus::TimeLimit, "highs-mip", Some("stopped".into()));
    let value = document_value(&s, &plan);
    assert_eq!(value["status"], "time_limit");
    assert_eq!(value["message"], "stopped");
    let back = PlanDocument::from_value(&value)
        .expect("reads")
        .to_plan(&s)
        .expect("resolves");
    assert_eq!(back, plan);
    assert!(verify(&s, &back).is_empty());
}

#[test]
fn violations_name_their_records() {
    let s = scenario("example.toml");
    let mut plan = greedy(&s);
    let copy = plan.shipments[0];
    plan.shipments.push(copy);
    let duplicate = RecordRef::at("shipments", plan.shipments.len() - 1);
    let found = verify(&s, &plan);
    let record = found
        .iter()
        .find(|v| v.constraint == "record")
        .expect("a duplicate");
    assert_eq!(record.records, [duplicate]);
    assert!(record.detail.contains("shipments[0]"), "{}", record.detail);
    assert!(record
        .to_string()
        .starts_with(&format!("{duplicate}: record: ")));
    let cost = found
        .iter()
        .find(|v| v.constraint == "cost")
        .expect("the cost no longer adds up");
    assert_eq!(cost.records[0].array, "cost");
}

#[test]
fn flows_derive_the_same_plan_back() {
    let s = scenario("bom_transfer.toml");
    let plan = greedy(&s);
    let again = Plan::from_flows(&s, &plan.flows(), plan.solution_info());
    assert_eq!(again, plan);
}
