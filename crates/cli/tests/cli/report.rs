//! End-to-end tests of `caisson report`: runs the binary on fixtures (a plan of the spec's example, its scenario, one file per
//! analysis section) and checks exit codes and the page written.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::support::{self, both as text, fixture, temp_dir};

fn caisson(args: &[&Path]) -> Output {
    let mut command = support::caisson();
    command.arg("report");
    for a in args {
        command.arg(a);
    }
    command.output().expect("run caisson")
}

/// The report document embedded in a page.
fn embedded(page: &str) -> Value {
    let start =
        page.find("id=\"caisson-data\">").expect("data element") + "id=\"caisson-data\">".len();
    let end = start + page[start..].find("</script>").expect("end of data");
    serde_json::from_str(&page[start..end]).expect("embedded JSON")
}

#[test]
fn a_plan_file_alone_gives_a_report() {
    let dir = temp_dir();
    let out = dir.path().join("report.html");
    let result = caisson(&[&fixture("example-plan.json"), Path::new("--out"), &out]);
    assert!(result.status.success(), "{}", text(&result));
    assert!(
        text(&result).contains("report written to"),
        "{}",
        text(&result)
    );
    let page = std::fs::read_to_string(&out).expect("page");
    assert!(page.starts_with("<!DOCTYPE html>"));
    let doc = embedded(&page);
    assert_eq!(doc["format"], "caisson-report/1");
    assert_eq!(doc["title"], "Caisson plan report: example");
    assert_eq!(doc["plan"]["with_scenario"], false);
    assert_eq!(doc["plan"]["flow_levels"]["source"], "facility");
    assert!(doc.get("comparison").is_none());
}

#[test]
fn a_plan_with_its_scenario_and_every_analysis() {
    let dir = temp_dir();
    let out = dir.path().join("report.html");
    let json = dir.path().join("report.json");
    let result = caisson(&[
        &fixture("example-plan.json"),
        &fixture("comparison.json"),
        &fixture("criticality.json"),
        &fixture("simulation.json"),
        Path::new("--scenario"),
        &fixture("example.toml"),
        Path::new("--title"),
        Path::new("Example <all views>"),
        Path::new("--out"),
        &out,
        Path::new("--json"),
        &json,
    ]);
    assert!(result.status.success(), "{}", text(&result));
    let page = std::fs::read_to_string(&out).expect("page");
    assert!(page.contains("<title>Example &lt;all views&gt;</title>"));
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&json).expect("json")).expect("JSON");
    assert_eq!(doc, embedded(&page));
    assert_eq!(doc["plan"]["utilisation_known"], true);
    assert_eq!(doc["plan"]["flow_levels"]["source"], "actor");
    assert_eq!(
        doc["comparison"]["variants"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        doc["criticality"]["items"].as_array().map(Vec::len),
        Some(4)
    );
    assert_eq!(doc["simulation"]["runs"], 200);
}

#[test]
fn a_scenario_is_planned_first_with_shortage_explanations() {
    let dir = temp_dir();
    let out = dir.path().join("report.html");
    let result = caisson(&[&fixture("example.toml"), Path::new("--out"), &out]);
    assert!(result.status.success(), "{}", text(&result));
    let doc = embedded(&std::fs::read_to_string(&out).expect("page"));
    assert_eq!(doc["plan"]["status"], "optimal");
    assert_eq!(doc["plan"]["with_scenario"], true);
    let explanations = doc["plan"]["explanations"]
        .as_array()
        .expect("explanations");
    assert!(
        explanations.iter().any(|e| e["subject"] == "ukr-direct"),
        "every short demand is explained: {explanations:?}"
    );
}

#[test]
fn shortage_explanations_are_in_whole_units() {
    let dir = temp_dir();
    let scenario = fixture("fractional_shortage.toml");
    let heading_of = |page: &Path| {
        let doc = embedded(&std::fs::read_to_string(page).expect("page"));
        doc["plan"]["explanations"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    // Planned from the scenario.
    let out = dir.path().join("planned.html");
    let result = caisson(&[&scenario, Path::new("--out"), &out]);
    assert!(result.status.success(), "{}", text(&result));
    let heading = heading_of(&out);
    assert!(
        heading.contains("(3 period(s), 14 units lost)"),
        "{heading}"
    );

    // A plan file (exact sentences) with its scenario.
    let plan = dir.path().join("plan.json");
    let planned = support::caisson()
        .arg("plan")
        .arg(&scenario)
        .arg("--out")
        .arg(&plan)
        .output()
        .expect("run caisson");
    assert!(planned.status.success(), "{}", text(&planned));
    let out = dir.path().join("from-plan.html");
    let result = caisson(&[
        &plan,
        Path::new("--scenario"),
        &scenario,
        Path::new("--out"),
        &out,
    ]);
    assert!(result.status.success(), "{}", text(&result));
    let heading = heading_of(&out);
    assert!(
        heading.contains("(3 period(s), 14 units lost)"),
        "{heading}"
    );
    let file = std::fs::read_to_string(&plan).expect("plan JSON");
    assert!(
        file.contains("14.25 units lost"),
        "the plan file is unchanged"
    );
}

#[test]
fn a_report_of_analyses_alone() {
    let dir = temp_dir();
    let out = dir.path().join("report.html");
    let result = caisson(&[&fixture("criticality.json"), Path::new("--out"), &out]);
    assert!(result.status.success(), "{}", text(&result));
    let doc = embedded(&std::fs::read_to_string(&out).expect("page"));
    assert!(doc.get("plan").is_none());
    assert_eq!(doc["criticality"]["measure"], "objective increase if lost");
}

#[test]
fn bad_inputs_are_refused_with_exit_code_1() {
    let dir = temp_dir();
    let out = dir.path().join("report.html");
    let bad_comparison = dir.path().join("bad-comparison.json");
    std::fs::write(
        &bad_comparison,
        r#"{"format": "caisson-comparison/1", "base": "b", "variants": ["v"], "metrics": [{"label": "x", "base": 1, "values": [1, 2]}]}"#,
    )
    .expect("write");
    let not_json = dir.path().join("broken.json");
    std::fs::write(&not_json, "{").expect("write");
    let plan = fixture("example-plan.json");
    let criticality = fixture("criticality.json");
    let scenario = fixture("example.toml");
    let cases: Vec<(Vec<&Path>, &str)> = vec![
        (vec![&bad_comparison], "2 values for 1 variants"),
        (vec![&not_json], "not valid JSON"),
        (vec![&plan, &plan], "a second plan or scenario"),
        (
            vec![&criticality, Path::new("--scenario"), &scenario],
            "--scenario",
        ),
        (vec![Path::new("/nonexistent/plan.json")], "cannot read"),
    ];
    for (inputs, expected) in cases {
        let mut args = inputs.clone();
        args.push(Path::new("--out"));
        args.push(&out);
        let result = caisson(&args);
        assert_eq!(
            result.status.code(),
            Some(1),
            "{inputs:?}: {}",
            text(&result)
        );
        assert!(
            text(&result).contains(expected),
            "{inputs:?}: {}",
            text(&result)
        );
        assert!(!out.exists(), "no report for bad input");
    }
}
