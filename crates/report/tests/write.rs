//! Writing plans without a solver: the JSON document and the CSV directory
//! of greedy plans (the golden documents of optimal plans are checked in
//! `caisson-planner`'s tests, which link HiGHS).

use std::path::Path;

use caisson_plan::document::PlanDocument;
use caisson_plan::{greedy, PlanStatus};

fn scenario(name: &str) -> caisson_model::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../planner/tests/fixtures")
        .join(name);
    caisson_scenario::load_path(&path)
        .unwrap_or_else(|e| panic!("{name} loads: {e:?}"))
        .scenario
}

#[test]
fn json_is_the_typed_document() {
    let s = scenario("example.toml");
    let plan = greedy(&s);
    let mut written = Vec::new();
    caisson_report::write_json(&s, &plan, &mut written).expect("writes");
    let text = String::from_utf8(written).expect("UTF-8");
    assert!(text.ends_with("}\n"));
    let document = PlanDocument::from_json(&text).expect("reads back");
    assert_eq!(document, PlanDocument::new(&s, &plan));
    assert_eq!(
        caisson_report::to_json_value(&s, &plan).expect("value"),
        serde_json::to_value(&document).expect("value")
    );
}

#[test]
fn csv_directory_holds_every_array_and_the_causes() {
    let s = scenario("why-denied.toml");
    let plan = greedy(&s);
    assert_eq!(plan.status, PlanStatus::Feasible);
    let dir = tempfile::tempdir().expect("temp dir");
    caisson_report::write_csv_dir(&s, &plan, dir.path()).expect("CSV");
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).expect(name);
    let summary = read("summary.csv");
    assert!(
        summary.starts_with(
            "scenario,status,method,objective,mip_gap,shortage,production,transport,holding,capex,contract\n"
        ),
        "{summary}"
    );
    assert!(summary.contains(",feasible,greedy,"), "{summary}");
    let causes = read("explanations.csv");
    assert!(causes.starts_with("demand,kind,text\n"), "{causes}");
    assert!(causes.contains("ukr-army,denied,"), "{causes}");
    let compliance = read("compliance.csv");
    assert!(
        compliance.starts_with("facility,demand,allowed,reason\n"),
        "{compliance}"
    );
    assert_eq!(
        caisson_report::explanations_json(&s, &plan, caisson_plan::Quantities::Exact),
        serde_json::to_value(PlanDocument::new(&s, &plan).explanations).expect("value")
    );
}
