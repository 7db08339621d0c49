//! End-to-end runs of `caisson export` and `caisson import` on the built
//! binary: scenario -> workbook -> scenario, plan sheets, and errors.

use std::path::Path;
use std::process::Output;

use caisson_sheets::Cell;

use crate::support::{fixture, run as caisson, temp_dir};

fn text(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

fn ok(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn load(path: &Path) -> caisson_model::Scenario {
    caisson_scenario::load_path(path)
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario
}

#[test]
fn export_then_import_gives_the_same_scenario_and_it_validates() {
    let dir = temp_dir();
    let scenario = fixture("example.toml");
    for (flag, out) in [("--xlsx", "s.xlsx"), ("--csv", "csv")] {
        let sheets = dir.path().join(out);
        let toml = dir.path().join(format!("{out}.toml"));
        ok(&caisson(["export", text(&scenario), flag, text(&sheets)]));
        let imported = caisson(["import", text(&sheets), "--out", text(&toml)]);
        ok(&imported);
        assert!(String::from_utf8_lossy(&imported.stdout).contains("imported scenario \"example\""));
        ok(&caisson(["validate", text(&toml)]));
        assert_eq!(load(&toml), load(&scenario), "{flag}");
    }
}

#[test]
fn json_summaries_list_sheets_and_rows() {
    let dir = temp_dir();
    let book = dir.path().join("s.xlsx");
    let out = caisson([
        "export",
        text(&fixture("example.toml")),
        "--xlsx",
        text(&book),
        "--format",
        "json",
    ]);
    ok(&out);
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(summary["layout"], "xlsx");
    let demands = summary["sheets"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["name"] == "demands"))
        .expect("demands sheet");
    let expected = load(&fixture("example.toml")).demands.len();
    assert_eq!(demands["rows"], expected);

    let toml = dir.path().join("back.toml");
    let out = caisson([
        "import",
        text(&book),
        "--out",
        text(&toml),
        "--format",
        "json",
    ]);
    ok(&out);
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(summary["valid"], true);
    assert_eq!(summary["scenario"], "example");

    // --quiet prints nothing on success.
    let quiet = caisson(["import", text(&book), "--out", text(&toml), "--quiet"]);
    ok(&quiet);
    assert!(quiet.stdout.is_empty());
}

#[test]
fn plan_export_writes_record_and_kpi_sheets() {
    let dir = temp_dir();
    let scenario = fixture("example.toml");
    let plan = dir.path().join("plan.json");
    ok(&caisson([
        "plan",
        text(&scenario),
        "--out",
        text(&plan),
        "--quiet",
    ]));

    // Scenario and plan in one workbook: it still imports (plan sheets are
    // skipped).
    let both = dir.path().join("both.xlsx");
    ok(&caisson([
        "export",
        text(&scenario),
        "--plan",
        text(&plan),
        "--xlsx",
        text(&both),
    ]));
    let toml = dir.path().join("both.toml");
    ok(&caisson(["import", text(&both), "--out", text(&toml)]));
    assert_eq!(load(&toml), load(&scenario));

    // The plan alone.
    let book = dir.path().join("plan.xlsx");
    ok(&caisson(["export", text(&plan), "--xlsx", text(&book)]));
    let sheets = caisson_sheets::read_xlsx(&book).expect("read back");
    let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
    for expected in [
        "plan_summary",
        "plan_kpi_demands",
        "plan_kpi_products",
        "plan_production",
        "plan_shipments",
        "plan_demand",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    let plan_json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan).expect("plan")).expect("json");
    let production = sheets
        .iter()
        .find(|s| s.name == "plan_production")
        .expect("sheet");
    let records = plan_json["production"].as_array().expect("records");
    assert_eq!(production.data_rows(), records.len());
    let quantity = production
        .columns
        .iter()
        .position(|c| c.header == "quantity (units)")
        .expect("quantity column with unit");
    assert_eq!(
        production.rows[0][quantity],
        Cell::Number(records[0]["quantity"].as_f64().expect("number"))
    );
    let kpis = sheets
        .iter()
        .find(|s| s.name == "plan_kpi_demands")
        .expect("kpis");
    assert_eq!(
        kpis.data_rows(),
        plan_json["kpis"]["demands"].as_array().map_or(0, Vec::len)
    );
    let summary = sheets
        .iter()
        .find(|s| s.name == "plan_summary")
        .expect("summary");
    assert!(summary
        .rows
        .iter()
        .any(|r| r.first() == Some(&Cell::text("objective (EUR)"))
            && r.get(1)
                == Some(&Cell::Number(
                    plan_json["objective"].as_f64().expect("objective")
                ))));
}

#[test]
fn a_bad_cell_fails_with_its_place_and_exit_code_1() {
    let dir = temp_dir();
    let csv = dir.path().join("csv");
    ok(&caisson([
        "export",
        text(&fixture("example.toml")),
        "--csv",
        text(&csv),
    ]));
    let file = csv.join("products.csv");
    let edited = std::fs::read_to_string(&file)
        .expect("products.csv")
        .replacen("\ntnt,", "\ntnt!,", 1);
    std::fs::write(&file, edited).expect("write");

    let toml = dir.path().join("bad.toml");
    let out = caisson(["import", text(&csv), "--out", text(&toml)]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("sheet \"products\", row "), "{stderr}");
    assert!(stderr.contains("column A (id)"), "{stderr}");
    assert!(!toml.exists(), "nothing is written for invalid input");

    let out = caisson([
        "import",
        text(&csv),
        "--out",
        text(&toml),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["valid"], false);
    let errors = report["errors"].as_array().expect("errors");
    assert!(errors
        .iter()
        .any(|e| e["sheet"] == "products" && e["column"]["letter"] == "A"));
}

#[test]
fn usage_and_unreadable_input() {
    // Neither --xlsx nor --csv, or both: usage errors.
    let scenario = fixture("example.toml");
    assert_eq!(caisson(["export", text(&scenario)]).status.code(), Some(2));
    assert_eq!(
        caisson(["export", text(&scenario), "--xlsx", "a.xlsx", "--csv", "d"])
            .status
            .code(),
        Some(2)
    );
    // Not a workbook.
    let dir = temp_dir();
    let out = caisson([
        "import",
        text(&scenario),
        "--out",
        text(&dir.path().join("x.toml")),
    ]);
    assert_eq!(out.status.code(), Some(1));
}
