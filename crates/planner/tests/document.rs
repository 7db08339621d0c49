//! The `caisson-plan/1` document of optimal plans: the shortage
//! explanations and extras it carries, and reading it back into the same
//! plan (solver-made plans carry model statistics and capacity duals, which
//! the greedy plans of `caisson-plan`'s own tests do not).

use std::path::Path;

use caisson_plan::document::{CauseRow, PlanDocument};
use caisson_plan::{verify, PlanStatus};
use caisson_planner::{plan, PlanOptions};
use serde_json::json;

fn scenario(name: &str) -> caisson_model::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    caisson_scenario::load_path(&path)
        .unwrap_or_else(|e| panic!("{name} loads: {e:?}"))
        .scenario
}

#[test]
fn explanations_use_ids_and_labels() {
    let s = scenario("why-denied.toml");
    let plan = plan(&s, &PlanOptions::default());
    assert!(plan.status.has_solution());
    let doc = PlanDocument::new(&s, &plan);
    assert_eq!(doc.explanations.len(), 1, "{:#?}", doc.explanations);
    let x = &doc.explanations[0];
    assert_eq!(x.demand, "ukr-army");
    assert_eq!(x.first_short, "2026-01");
    assert_eq!(x.last_short, "2026-02");
    assert_eq!(x.short_periods, 2);
    assert!((x.total_shortage - 10.0).abs() < 1e-6);
    assert!(x.text.contains("ukr-army"));
    let denied = x
        .causes
        .iter()
        .find_map(|c| match c {
            CauseRow::Denied {
                facility,
                actor,
                product,
                policy,
                list,
                spare_stock,
                ..
            } => Some((facility, actor, product, policy, list, spare_stock)),
            _ => None,
        })
        .expect("a denied cause");
    assert_eq!(denied.0, "srb-depot");
    assert_eq!(denied.1, "SRB");
    assert_eq!(denied.2, "shell");
    assert_eq!(denied.3.as_deref(), Some("srb-neutrality"));
    assert_eq!(denied.4.as_deref(), Some("deny_export"));
    assert!(denied.5.is_some_and(|stock| stock > 0.0));
    let bound = x
        .causes
        .iter()
        .find_map(|c| match c {
            CauseRow::CapacityBound {
                facility,
                line,
                periods,
                ..
            } => Some((facility, line, periods)),
            _ => None,
        })
        .expect("a capacity cause");
    assert_eq!(bound.0, "pol-plant");
    assert_eq!(bound.1.as_deref(), Some("shells"));
    assert_eq!(bound.2, &["2026-01", "2026-02"]);
    assert!(x.causes.iter().all(|c| !c.text().is_empty()));

    // The JSON keeps the cause's `kind` first, then `text`, then its fields.
    let value = serde_json::to_value(&doc).expect("JSON");
    let first = &value["explanations"][0]["causes"][0];
    let keys: Vec<&String> = first.as_object().expect("object").keys().collect();
    assert_eq!(keys[..2], ["kind", "text"]);
    assert_eq!(
        value["demands_info"],
        json!([{"demand": "ukr-army", "buyer": "UKR", "end_user": "UKR",
                "product": "shell", "backlog": false}])
    );
    assert_eq!(
        value["facilities_info"],
        json!([{"facility": "srb-depot", "actor": "SRB"},
               {"facility": "pol-plant", "actor": "POL"}])
    );
}

#[test]
fn unsolved_plans_have_no_explanations() {
    let s = scenario("why-denied.toml");
    let mut plan = plan(&s, &PlanOptions::default());
    plan.status = PlanStatus::Infeasible;
    assert!(PlanDocument::new(&s, &plan).explanations.is_empty());
}

#[test]
fn optimal_plans_read_back_unchanged() {
    for name in [
        "example.toml",
        "neutral_retransfer.toml",
        "contract_shortfall.toml",
        "bom_transfer.toml",
        "expansion_lead.toml",
        "pooled_transfers.toml",
        "why-capacity.toml",
    ] {
        let s = scenario(name);
        let planned = plan(&s, &PlanOptions::default());
        assert_eq!(planned.status, PlanStatus::Optimal, "{name}");
        assert!(planned.model.is_some() && planned.capacity_duals.is_some());
        let text = serde_json::to_string_pretty(&PlanDocument::new(&s, &planned)).expect("JSON");
        let read = PlanDocument::from_json(&text).expect("the document reads back");
        let back = read.to_plan(&s).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(back, planned, "{name}");
        assert!(verify(&s, &back).is_empty(), "{name}");
        // And the document of the plan read back is the same text.
        let again = serde_json::to_string_pretty(&PlanDocument::new(&s, &back)).expect("JSON");
        assert_eq!(again, text, "{name}");
    }
}
