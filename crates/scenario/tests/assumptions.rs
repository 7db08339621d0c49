//! `[[assumption]]` (an extension of the spec, `docs/assumptions.md`): what
//! a valid entry becomes in the model, one tiny bad entry per rule with the
//! diagnostic it must produce (code, words of the message, line, entity),
//! `extends` merging, writing back, and applying a bound.
//!
//! `check(body, expect)` prepends a small valid world; its `line` is
//! counted from the first line of `body`.

use std::fs;

use caisson_model::{
    AssumptionTarget, Bound, ContractId, DemandId, ExpansionId, FacilityId, LineId, ProductId,
};
use caisson_scenario::{load_path, load_source, load_str, to_toml, Diagnostic, Format, Severity};

const WORLD: &str = "\
[scenario]
name = \"t\"
start = \"2026-01\"
periods = 3
[[actor]]
id = \"AAA\"
[[actor]]
id = \"BBB\"
[[product]]
id = \"tnt\"
[[product]]
id = \"shell\"
inputs = { tnt = 0.01 }
[[facility]]
id = \"plant\"
actor = \"AAA\"
holding_cost = 2
stock = { shell = 100, tnt = 5 }
[[facility.line]]
id = \"l\"
capacity = { \"2026-01\" = 10, \"2026-03\" = 20 }
products = { shell = { cost = 4 } }
[[facility.line]]
id = \"fill\"
capacity = 1
products = { tnt = { cost = 100 } }
[[facility.expansion]]
id = \"up\"
line = \"l\"
capacity = 5
lead_time = 1
capex = 1000
[[demand]]
id = \"front\"
buyer = \"BBB\"
product = \"shell\"
quantity = 5
penalty = 10
[[contract]]
id = \"c\"
facility = \"plant\"
buyer = \"BBB\"
product = \"shell\"
quantity = 3
penalty = 1
";

struct Expect {
    code: &'static str,
    line: usize,
    message: &'static str,
    severity: Severity,
}

fn error(code: &'static str, line: usize, message: &'static str) -> Expect {
    Expect {
        code,
        line,
        message,
        severity: Severity::Error,
    }
}

fn warning(code: &'static str, line: usize, message: &'static str) -> Expect {
    Expect {
        severity: Severity::Warning,
        ..error(code, line, message)
    }
}

fn diagnostics(source: &str) -> (bool, Vec<Diagnostic>) {
    match load_str(source, "case.toml") {
        Ok(loaded) => (true, loaded.warnings),
        Err(error) => (false, error.diagnostics().to_vec()),
    }
}

/// The single diagnostic of `WORLD + body`, checked against `expect`; the
/// entity must be `assumption "a"` (every case's entry has id `a`).
fn check(body: &str, expect: Expect) {
    let source = format!("{WORLD}{body}");
    let (valid, all) = diagnostics(&source);
    let shown = caisson_scenario::render(&all);
    assert_eq!(all.len(), 1, "expected one diagnostic, got:\n{shown}");
    let d = &all[0];
    assert_eq!(d.code.as_str(), expect.code, "{shown}");
    assert_eq!(d.severity, expect.severity, "{shown}");
    assert_eq!(valid, expect.severity == Severity::Warning, "{shown}");
    assert!(
        d.message.contains(expect.message),
        "message {:?} lacks {:?}\n{shown}",
        d.message,
        expect.message
    );
    let offset = WORLD.lines().count();
    assert_eq!(d.line, Some(expect.line + offset), "{shown}");
    assert_eq!(d.entity.as_deref(), Some("assumption \"a\""), "{shown}");
}

fn load(body: &str) -> caisson_model::Scenario {
    load_str(&format!("{WORLD}{body}"), "case.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario
}

const ALL_FIELDS: &str = "
[[assumption]]
id = \"a\"
reason = \"no source\"
low = 0.5
high = 1.5
inputs = [\"shell.tnt\"]
capacity = [\"plant.l\", \"plant.fill\"]
costs = [\"plant.l\"]
stock = [\"plant.shell\"]
holding = [\"plant\"]
expansions = [\"up\"]
capex = [\"up\"]
demands = [\"front\"]
penalties = [\"front\"]
contracts = [\"c\"]
";

#[test]
fn every_target_field_becomes_its_model_target_in_field_order() {
    let s = load(ALL_FIELDS);
    assert_eq!(s.assumptions.len(), 1);
    let a = &s.assumptions[0];
    assert_eq!(
        (a.id.as_str(), a.reason.as_str(), a.low, a.high),
        ("a", "no source", 0.5, 1.5)
    );
    let (l, fill) = (LineId::new(0), LineId::new(1));
    assert_eq!(
        a.targets,
        vec![
            AssumptionTarget::LineCapacity(l),
            AssumptionTarget::LineCapacity(fill),
            AssumptionTarget::LineCost(l),
            AssumptionTarget::Stock(FacilityId::new(0), Some(ProductId::new(1))),
            AssumptionTarget::Holding(FacilityId::new(0)),
            AssumptionTarget::ExpansionCapacity(ExpansionId::new(0)),
            AssumptionTarget::ExpansionCapex(ExpansionId::new(0)),
            AssumptionTarget::DemandQuantity(DemandId::new(0)),
            AssumptionTarget::DemandPenalty(DemandId::new(0)),
            AssumptionTarget::ContractQuantity(ContractId::new(0)),
            AssumptionTarget::Input {
                product: ProductId::new(1),
                input: ProductId::new(0)
            },
        ]
    );
}

#[test]
fn a_bound_scales_every_targeted_value_and_nothing_else() {
    let s = load(ALL_FIELDS);
    let a = &s.assumptions[0];
    let low = a.at_bound(&s, Bound::Low);
    assert_eq!(low.lines[0].capacity, vec![5.0, 5.0, 10.0]);
    assert_eq!(low.lines[1].capacity, vec![0.5; 3]);
    assert_eq!(low.lines[0].products[0].cost, 2.0);
    assert_eq!(
        low.lines[1].products[0].cost, 100.0,
        "costs names only plant.l"
    );
    // Only the shell stock is named; the TNT stock stays.
    assert_eq!(
        low.facilities[0].stock,
        vec![(ProductId::new(1), 50.0), (ProductId::new(0), 5.0)]
    );
    assert_eq!(low.facilities[0].holding_cost, 1.0);
    assert_eq!(
        (low.expansions[0].capacity, low.expansions[0].capex),
        (2.5, 500.0)
    );
    assert_eq!(low.demands[0].quantity, vec![2.5; 3]);
    assert_eq!(low.demands[0].penalty, 5.0);
    assert_eq!(low.contracts[0].quantity, vec![1.5; 3]);
    assert_eq!(low.products[1].inputs, vec![(ProductId::new(0), 0.005)]);
    let high = a.at_bound(&s, Bound::High);
    assert_eq!(high.demands[0].quantity, vec![7.5; 3]);
    // The assumption entries themselves are carried over unchanged.
    assert_eq!(high.assumptions, s.assumptions);
}

#[test]
fn a_whole_stock_and_a_zero_low_bound() {
    let s = load(
        "[[assumption]]\nid = \"a\"\nreason = \"r\"\nlow = 0\nhigh = 1\nstock = [\"plant\"]\n",
    );
    let low = s.assumptions[0].at_bound(&s, Bound::Low);
    assert_eq!(
        low.facilities[0].stock,
        vec![(ProductId::new(1), 0.0), (ProductId::new(0), 0.0)]
    );
}

#[test]
fn written_back_it_loads_equal() {
    let s = load(ALL_FIELDS);
    let text = to_toml(&s);
    assert!(text.contains("[[assumption]]"), "{text}");
    let again = load_str(&text, "again.toml").unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(again.scenario, s);
}

#[test]
fn json_is_read_like_toml() {
    let json = r#"{"scenario": {"name": "j", "start": "2026-01", "periods": 2},
        "actor": [{"id": "A"}], "product": [{"id": "p"}],
        "demand": [{"id": "d", "buyer": "A", "product": "p", "quantity": 3, "penalty": 1}],
        "assumption": [{"id": "a", "reason": "r", "low": 0.5, "high": 2, "demands": ["d"]}]}"#;
    let s = load_source(json, "case.json", Format::Json)
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario;
    assert_eq!(
        s.assumptions[0].targets,
        vec![AssumptionTarget::DemandQuantity(DemandId::new(0))]
    );
}

// ----- one rule each -------------------------------------------------------

const HEAD: &str = "[[assumption]]\nid = \"a\"\nreason = \"r\"\n";

#[test]
fn missing_fields_are_reported() {
    check(
        "[[assumption]]\nid = \"a\"\nlow = 0.5\nhigh = 2\ndemands = [\"front\"]\n",
        error("missing-field", 1, "`reason`"),
    );
    check(
        &format!("{HEAD}high = 2\ndemands = [\"front\"]\n"),
        error("missing-field", 1, "`low`"),
    );
    check(
        &format!("{HEAD}low = 0.5\nhigh = 2\n"),
        error("missing-field", 1, "must name the values"),
    );
}

#[test]
fn the_value_written_must_lie_within_its_range() {
    check(
        &format!("{HEAD}low = 1.2\nhigh = 2\ndemands = [\"front\"]\n"),
        error("range-order", 4, "`low` must be at most 1"),
    );
    check(
        &format!("{HEAD}low = 0.5\nhigh = 0.9\ndemands = [\"front\"]\n"),
        error("range-order", 5, "`high` must be at least 1"),
    );
    check(
        &format!("{HEAD}low = -1\nhigh = 2\ndemands = [\"front\"]\n"),
        error("out-of-range", 4, "low"),
    );
}

#[test]
fn unknown_targets_are_reported_with_a_suggestion() {
    check(
        &format!("{HEAD}low = 0.5\nhigh = 2\ndemands = [\"frnt\"]\n"),
        error("unknown-target", 6, "\"frnt\""),
    );
    check(
        &format!("{HEAD}low = 0.5\nhigh = 2\ncapacity = [\"plant.x\"]\n"),
        error("unknown-target", 6, "lines"),
    );
    check(
        &format!("{HEAD}low = 0.5\nhigh = 2\ninputs = [\"tnt.shell\"]\n"),
        error("unknown-target", 6, "inputs"),
    );
    check(
        &format!("{HEAD}low = 0.5\nhigh = 2\nstock = [\"plant.nothing\"]\n"),
        error("unknown-target", 6, "stocks"),
    );
    check(
        &format!("{HEAD}low = 0.5\nhigh = 2\ncontracts = [\"up\"]\n"),
        error("unknown-target", 6, "contracts"),
    );
    check(
        &format!("{HEAD}low = 0.5\nhigh = 2\ndemands = [\"front\"]\nlines = [\"plant.l\"]\n"),
        error("unknown-field", 7, "lines"),
    );
}

#[test]
fn a_target_listed_twice_is_a_warning() {
    check(
        &format!("{HEAD}low = 0.5\nhigh = 2\ndemands = [\"front\", \"front\"]\n"),
        warning("duplicate-entry", 6, "listed twice"),
    );
}

#[test]
fn a_duplicate_id_is_an_error() {
    let body = format!("{HEAD}low = 0.5\nhigh = 2\ndemands = [\"front\"]\n");
    let (valid, all) = diagnostics(&format!("{WORLD}{body}{body}"));
    assert!(!valid);
    assert!(
        all.iter().any(|d| d.code.as_str() == "duplicate-id"),
        "{all:?}"
    );
}

#[test]
fn a_variant_replaces_an_assumption_whole_and_adds_new_ones() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = format!("{WORLD}{HEAD}low = 0.5\nhigh = 2\ndemands = [\"front\"]\n");
    fs::write(dir.path().join("base.toml"), base).expect("write base");
    fs::write(
        dir.path().join("child.toml"),
        "[scenario]\nextends = \"base.toml\"\n\
         [[assumption]]\nid = \"a\"\nreason = \"other\"\nlow = 0.9\nhigh = 1.1\ncapacity = [\"plant.l\"]\n\
         [[assumption]]\nid = \"b\"\nreason = \"new\"\nlow = 1\nhigh = 3\ncontracts = [\"c\"]\n",
    )
    .expect("write child");
    let s = load_path(&dir.path().join("child.toml"))
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario;
    let ids: Vec<&str> = s.assumptions.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    assert_eq!(s.assumptions[0].reason, "other");
    assert_eq!(
        s.assumptions[0].targets,
        vec![AssumptionTarget::LineCapacity(LineId::new(0))]
    );
}
