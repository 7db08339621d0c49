//! Schedule semantics (spec section 1) and JSON input equivalent to TOML.

use caisson_scenario::{load_source, load_str, Format};

/// The demand quantity vector of a one-demand scenario with `quantity`.
fn quantity(period: &str, start: &str, periods: usize, quantity: &str) -> (Vec<f64>, Vec<String>) {
    let source = format!(
        "[scenario]\nname = \"s\"\nperiod = \"{period}\"\nstart = \"{start}\"\nperiods = {periods}\n\
         [[actor]]\nid = \"A\"\n[[product]]\nid = \"p\"\n\
         [[demand]]\nid = \"d\"\nbuyer = \"A\"\nproduct = \"p\"\nquantity = {quantity}\npenalty = 1\n"
    );
    let loaded = load_str(&source, "s.toml").unwrap_or_else(|e| panic!("{e}"));
    let warnings = loaded
        .warnings
        .iter()
        .map(|w| w.code.as_str().to_owned())
        .collect();
    (loaded.scenario.demands[0].quantity.clone(), warnings)
}

#[test]
fn a_number_is_the_same_in_every_period() {
    assert_eq!(quantity("month", "2026-01", 3, "7").0, [7.0, 7.0, 7.0]);
    assert_eq!(quantity("month", "2026-01", 2, "2.5").0, [2.5, 2.5]);
}

#[test]
fn a_table_is_a_step_function_zero_before_the_first_key() {
    let (q, w) = quantity("month", "2026-01", 6, r#"{ "2026-03" = 5, "2026-05" = 2 }"#);
    assert_eq!(q, [0.0, 0.0, 5.0, 5.0, 2.0, 2.0]);
    assert!(w.is_empty());
}

#[test]
fn keys_may_be_written_in_any_order() {
    let (q, _) = quantity("month", "2026-01", 4, r#"{ "2026-03" = 2, "2026-01" = 1 }"#);
    assert_eq!(q, [1.0, 1.0, 2.0, 2.0]);
}

#[test]
fn keys_before_start_apply_from_start_latest_wins() {
    let (q, w) = quantity(
        "month",
        "2026-01",
        3,
        r#"{ "2025-01" = 9, "2025-11" = 4, "2026-02" = 1 }"#,
    );
    assert_eq!(q, [4.0, 1.0, 1.0]);
    assert!(w.is_empty());
}

#[test]
fn keys_after_horizon_are_ignored_with_a_warning() {
    let (q, w) = quantity("month", "2026-11", 3, r#"{ "2026-11" = 1, "2027-02" = 8 }"#);
    assert_eq!(q, [1.0, 1.0, 1.0]);
    assert_eq!(w, ["label-after-horizon"]);
}

#[test]
fn quarters_and_years_cross_year_boundaries() {
    let (q, _) = quantity("quarter", "2025-Q3", 4, r#"{ "2026-Q1" = 3 }"#);
    assert_eq!(q, [0.0, 0.0, 3.0, 3.0]);
    let (q, _) = quantity("year", "2025", 3, r#"{ "2024" = 1, "2027" = 2 }"#);
    assert_eq!(q, [1.0, 1.0, 2.0]);
}

#[test]
fn windows_are_clipped_to_the_horizon() {
    let source = |window: &str| {
        format!(
            "[scenario]\nname = \"s\"\nstart = \"2026-01\"\nperiods = 6\n[[actor]]\nid = \"A\"\n[[product]]\nid = \"p\"\n\
             [[facility]]\nid = \"f\"\nactor = \"A\"\n[[facility.line]]\nid = \"l\"\ncapacity = 1\nproducts = {{ p = {{}} }}\n\
             [[facility.expansion]]\nid = \"e\"\nline = \"l\"\ncapacity = 1\nlead_time = 0\ncapex = 0\n{window}"
        )
    };
    let window = |w: &str| {
        let loaded = load_str(&source(w), "s.toml").unwrap_or_else(|e| panic!("{e}"));
        (loaded.scenario.expansions[0].window, loaded.warnings.len())
    };
    assert_eq!(window(""), (Some((0, 5)), 0));
    assert_eq!(
        window("earliest = \"2025-06\"\nlatest = \"2026-03\""),
        (Some((0, 2)), 0)
    );
    assert_eq!(
        window("earliest = \"2026-04\"\nlatest = \"2030-01\""),
        (Some((3, 5)), 0)
    );
    assert_eq!(window("latest = \"2025-12\""), (None, 1));
    assert_eq!(window("earliest = \"2026-07\""), (None, 1));
}

const TOML: &str = r#"
[scenario]
name = "twin"
start = "2026-Q1"
period = "quarter"
periods = 4
description = "same in both formats"

[[actor]]
id = "A"
blocs = ["B1"]
belligerent = true

[[product]]
id = "x.y"
inputs = { "z:1" = 0.5 }

[[product]]
id = "z:1"

[[facility]]
id = "f"
actor = "A"
stock = { "z:1" = 3 }
[[facility.line]]
id = "l"
capacity = { "2026-Q2" = 10 }
products = { "x.y" = { rate = 2, cost = 1.5 } }

[[demand]]
id = "d"
buyer = "A"
product = "x.y"
quantity = 4
penalty = 2

[[policy]]
id = "p"
scope = "B1"
deny_export = ["*"]
"#;

const JSON: &str = r#"{
  "scenario": { "name": "twin", "start": "2026-Q1", "period": "quarter", "periods": 4,
                "description": "same in both formats" },
  "actor": [ { "id": "A", "blocs": ["B1"], "belligerent": true } ],
  "product": [ { "id": "x.y", "inputs": { "z:1": 0.5 } }, { "id": "z:1" } ],
  "facility": [ { "id": "f", "actor": "A", "stock": { "z:1": 3 },
                  "line": [ { "id": "l", "capacity": { "2026-Q2": 10 },
                              "products": { "x.y": { "rate": 2, "cost": 1.5 } } } ] } ],
  "demand": [ { "id": "d", "buyer": "A", "product": "x.y", "quantity": 4, "penalty": 2 } ],
  "policy": [ { "id": "p", "scope": "B1", "deny_export": ["*"] } ]
}"#;

#[test]
fn json_equivalent_loads_equal() {
    let toml = load_str(TOML, "twin.toml").unwrap_or_else(|e| panic!("{e}"));
    let json = load_source(JSON, "twin.json", Format::Json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(toml.scenario, json.scenario);
    assert_eq!(json.scenario.lines[0].capacity, [0.0, 10.0, 10.0, 10.0]);
}

#[test]
fn json_errors_are_located() {
    let bad = JSON
        .replace("\"penalty\": 2", "\"penalty\": \"2\"")
        .replace("\"rate\": 2", "\"rat\": 2");
    let error = load_source(&bad, "twin.json", Format::Json).expect_err("invalid");
    let d = error.diagnostics();
    assert_eq!(d.len(), 2, "{error}");
    assert_eq!(d[0].code.as_str(), "unknown-field");
    assert_eq!(d[0].line, Some(8));
    assert_eq!(d[0].hint.as_deref(), Some("did you mean `rate`?"));
    assert_eq!(d[1].code.as_str(), "wrong-type");
    assert_eq!(d[1].line, Some(9));
    assert_eq!(d[1].entity.as_deref(), Some("demand \"d\""));
    assert!(d[1].message.contains("expected a number, found a string"));
}

#[test]
fn json_integers_and_fractions_are_told_apart() {
    let bad = JSON.replace("\"periods\": 4", "\"periods\": 4.0");
    let error = load_source(&bad, "twin.json", Format::Json).expect_err("invalid");
    assert_eq!(error.diagnostics()[0].code.as_str(), "not-integer");
}

#[test]
fn json_syntax_errors_and_duplicate_keys() {
    let error = load_source(
        "{ \"scenario\": { \"name\": \"a\", \"name\": \"b\" } }",
        "d.json",
        Format::Json,
    )
    .expect_err("duplicate");
    assert_eq!(error.diagnostics()[0].code.as_str(), "syntax");
    assert!(error.diagnostics()[0].message.contains("duplicate key"));
    let error =
        load_source("{ \"scenario\": [1, 2,, ] }", "d.json", Format::Json).expect_err("syntax");
    assert_eq!(error.diagnostics()[0].column, Some(21));
}
