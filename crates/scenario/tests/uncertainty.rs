//! `[[uncertainty]]` (an extension of the spec, `docs/uncertainty.md`):
//! what a valid entry becomes in the model, one tiny bad entry per rule
//! with the diagnostic it must produce (code, words of the message, line,
//! entity), `extends` merging, and JSON.
//!
//! `check(body, expect)` prepends a small valid world (two actors, a
//! product, two facilities, two demands); its `line` is counted from the
//! first line of `body`.

use std::fs;

use caisson_model::{
    ActorId, DemandId, Distribution, FacilityId, PeriodRange, Targets, UncertaintyKind,
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
[[actor]]
id = \"CCC\"
[[product]]
id = \"shell\"
[[facility]]
id = \"plant\"
actor = \"AAA\"
[[facility.line]]
id = \"l\"
capacity = 10
products = { shell = {} }
[[facility]]
id = \"depot\"
actor = \"BBB\"
[[demand]]
id = \"front\"
buyer = \"BBB\"
product = \"shell\"
quantity = 5
penalty = 10
[[demand]]
id = \"reserve\"
buyer = \"AAA\"
product = \"shell\"
quantity = 2
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
/// entity must be `uncertainty "u"` (every case's entry has id `u`).
fn check(body: &str, expect: Expect) -> Diagnostic {
    let source = format!("{WORLD}{body}");
    let (valid, all) = diagnostics(&source);
    let shown = caisson_scenario::render(&all);
    assert_eq!(all.len(), 1, "expected one diagnostic, got:\n{shown}");
    let d = all[0].clone();
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
    assert_eq!(d.entity.as_deref(), Some("uncertainty \"u\""), "{shown}");
    assert!(d.column.is_some() && d.source_line.is_some(), "{shown}");
    d
}

fn load(body: &str) -> caisson_model::Scenario {
    load_str(&format!("{WORLD}{body}"), "case.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario
}

// ----- valid entries -----------------------------------------------------

#[test]
fn every_kind_becomes_its_model_entry() {
    let s = load(
        "\
[[uncertainty]]
id = \"surge\"
kind = \"demand\"
demands = [\"reserve\", \"front\"]
distribution = \"triangular\"
min = 0.8
mode = 1
max = 1.5
shared = true
[[uncertainty]]
id = \"fire\"
kind = \"outage\"
actor = \"AAA\"
probability = 0.1
duration = [1, 2]
[[uncertainty]]
id = \"scrap\"
kind = \"yield\"
facilities = \"*\"
distribution = \"uniform\"
min = 0.9
max = 1
[[uncertainty]]
id = \"strike\"
kind = \"delay\"
from = \"AAA\"
extra = 2
",
    );
    let kinds: Vec<&UncertaintyKind> = s.uncertainty.iter().map(|u| &u.kind).collect();
    assert_eq!(
        kinds,
        [
            &UncertaintyKind::DemandMultiplier {
                demands: Targets::Only(vec![DemandId::new(1), DemandId::new(0)]),
                distribution: Distribution::Triangular {
                    min: 0.8,
                    mode: 1.0,
                    max: 1.5
                },
                shared: true,
            },
            &UncertaintyKind::FacilityOutage {
                facilities: Targets::Only(vec![FacilityId::new(0)]),
                probability: 0.1,
                duration: PeriodRange { min: 1, max: 2 },
            },
            &UncertaintyKind::CapacityYield {
                facilities: Targets::All,
                distribution: Distribution::Uniform { min: 0.9, max: 1.0 },
                shared: false,
            },
            &UncertaintyKind::RouteDelay {
                from: Some(ActorId::new(0)),
                to: None,
                probability: 1.0,
                extra: PeriodRange { min: 2, max: 2 },
                shared: false,
            },
        ]
    );
    // Written back, it loads equal (the round trip of `to_toml`).
    let again = load_str(&to_toml(&s), "again.toml").expect("written scenario loads");
    assert_eq!(again.scenario, s);
}

#[test]
fn lognormal_mean_is_turned_into_its_median() {
    let s = load("[[uncertainty]]\nid = \"u\"\nkind = \"demand\"\ndemands = \"*\"\ndistribution = \"lognormal\"\nmean = 2\nsigma = 0.5\n");
    let UncertaintyKind::DemandMultiplier {
        distribution: Distribution::Lognormal { median, sigma },
        ..
    } = s.uncertainty[0].kind
    else {
        panic!("not a lognormal demand multiplier: {:?}", s.uncertainty[0]);
    };
    // mean = median * exp(sigma² / 2)
    assert!((median - 2.0 / (0.125f64).exp()).abs() < 1e-12, "{median}");
    assert_eq!(sigma, 0.5);
}

// ----- names, types and ranges -------------------------------------------

const DEMAND: &str = "[[uncertainty]]\nid = \"u\"\nkind = \"demand\"\n";

#[test]
fn unknown_kind_suggests_nearest() {
    let d = check(
        "[[uncertainty]]\nid = \"u\"\nkind = \"outages\"\n",
        error("unknown-kind", 3, "`kind` must be one of"),
    );
    assert_eq!(d.hint.as_deref(), Some("did you mean \"outage\"?"));
}

#[test]
fn unknown_distribution() {
    check(
        &format!("{DEMAND}demands = \"*\"\ndistribution = \"gamma\"\n"),
        error("unknown-kind", 5, "found \"gamma\""),
    );
}

#[test]
fn unknown_field_suggests_nearest() {
    let d = check(
        &format!("{DEMAND}demands = \"*\"\ndistribution = \"uniform\"\nmin = 1\nmax = 2\nshraed = true\n"),
        error("unknown-field", 8, "unknown field `shraed` in [[uncertainty]]"),
    );
    assert_eq!(d.hint.as_deref(), Some("did you mean `shared`?"));
}

#[test]
fn targets_must_be_star_or_a_list() {
    check(
        &format!("{DEMAND}demands = \"all\"\ndistribution = \"uniform\"\nmin = 1\nmax = 2\n"),
        error("wrong-type", 4, "expected \"*\" or a list of ids"),
    );
}

#[test]
fn probability_at_most_one() {
    check(
        "[[uncertainty]]\nid = \"u\"\nkind = \"outage\"\nfacilities = \"*\"\nprobability = 1.5\nduration = 1\n",
        error("out-of-range", 5, "`probability` must be between 0 and 1"),
    );
}

#[test]
fn sigma_non_negative() {
    check(
        &format!(
            "{DEMAND}demands = \"*\"\ndistribution = \"lognormal\"\nmedian = 1\nsigma = -0.1\n"
        ),
        error("out-of-range", 7, "`sigma` must be at least 0"),
    );
}

#[test]
fn median_positive() {
    check(
        &format!(
            "{DEMAND}demands = \"*\"\ndistribution = \"lognormal\"\nmedian = 0\nsigma = 0.1\n"
        ),
        error("out-of-range", 6, "`median` must be greater than 0"),
    );
}

#[test]
fn duration_at_least_one_period() {
    check(
        "[[uncertainty]]\nid = \"u\"\nkind = \"outage\"\nfacilities = \"*\"\nprobability = 0.5\nduration = 0\n",
        error("out-of-range", 6, "`duration` must be at least 1 period"),
    );
}

#[test]
fn duration_range_in_order() {
    check(
        "[[uncertainty]]\nid = \"u\"\nkind = \"outage\"\nfacilities = \"*\"\nprobability = 0.5\nduration = [3, 1]\n",
        error("range-order", 6, "the minimum (3) is greater than the maximum (1)"),
    );
}

#[test]
fn extra_must_be_whole_periods() {
    check(
        "[[uncertainty]]\nid = \"u\"\nkind = \"delay\"\nextra = 1.5\n",
        error("not-integer", 4, "`extra` must be an integer"),
    );
}

#[test]
fn triangular_mode_within_bounds() {
    check(
        &format!(
            "{DEMAND}demands = \"*\"\ndistribution = \"triangular\"\nmin = 1\nmode = 3\nmax = 2\n"
        ),
        error("range-order", 8, "`max` (2) is less than `mode` (3)"),
    );
}

#[test]
fn uniform_min_at_most_max() {
    check(
        &format!("{DEMAND}demands = \"*\"\ndistribution = \"uniform\"\nmin = 2\nmax = 1\n"),
        error("range-order", 7, "`max` (1) is less than `min` (2)"),
    );
}

// ----- fields per kind ----------------------------------------------------

#[test]
fn field_of_another_kind() {
    let d = check(
        &format!(
            "{DEMAND}demands = \"*\"\ndistribution = \"uniform\"\nmin = 1\nmax = 2\nduration = 2\n"
        ),
        error(
            "field-not-applicable",
            8,
            "`duration` does not apply to an uncertainty of kind \"demand\"",
        ),
    );
    assert!(d.hint.as_deref().unwrap_or("").contains("`demands`"));
}

#[test]
fn parameter_of_another_distribution() {
    check(
        &format!("{DEMAND}demands = \"*\"\ndistribution = \"lognormal\"\nmedian = 1\nsigma = 0.2\nmode = 1\n"),
        error("field-not-applicable", 8, "`mode` is not a parameter of a lognormal distribution"),
    );
}

#[test]
fn median_and_mean_conflict() {
    check(
        &format!("{DEMAND}demands = \"*\"\ndistribution = \"lognormal\"\nmedian = 1\nmean = 1.1\nsigma = 0.2\n"),
        error("conflicting-fields", 7, "`median` and `mean` are both written"),
    );
}

#[test]
fn facilities_and_actor_conflict() {
    check(
        "[[uncertainty]]\nid = \"u\"\nkind = \"outage\"\nfacilities = \"*\"\nactor = \"AAA\"\nprobability = 0.5\nduration = 1\n",
        error("conflicting-fields", 5, "`facilities` and `actor` are both written"),
    );
}

#[test]
fn kind_required() {
    check(
        "[[uncertainty]]\nid = \"u\"\ndemands = \"*\"\n",
        error("missing-field", 1, "missing required field `kind`"),
    );
}

#[test]
fn distribution_required() {
    check(
        &format!("{DEMAND}demands = \"*\"\n"),
        error("missing-field", 1, "missing required field `distribution`"),
    );
}

#[test]
fn sigma_required() {
    check(
        &format!("{DEMAND}demands = \"*\"\ndistribution = \"lognormal\"\nmedian = 1\n"),
        error("missing-field", 1, "missing required field `sigma`"),
    );
}

#[test]
fn outage_targets_required() {
    check(
        "[[uncertainty]]\nid = \"u\"\nkind = \"outage\"\nprobability = 0.5\nduration = 1\n",
        error("missing-field", 1, "missing required field `facilities`"),
    );
}

// ----- references ---------------------------------------------------------

#[test]
fn unknown_demand_suggests_nearest() {
    let d = check(
        &format!("{DEMAND}demands = [\"frnt\"]\ndistribution = \"uniform\"\nmin = 1\nmax = 2\n"),
        error("unknown-demand", 4, "unknown demand \"frnt\" in `demands`"),
    );
    assert_eq!(d.hint.as_deref(), Some("did you mean \"front\"?"));
}

#[test]
fn unknown_facility() {
    let d = check(
        "[[uncertainty]]\nid = \"u\"\nkind = \"yield\"\nfacilities = [\"plnt\"]\ndistribution = \"uniform\"\nmin = 0.5\nmax = 1\n",
        error("unknown-facility", 4, "unknown facility \"plnt\" in `facilities`"),
    );
    assert_eq!(d.hint.as_deref(), Some("did you mean \"plant\"?"));
}

#[test]
fn unknown_route_actor() {
    check(
        "[[uncertainty]]\nid = \"u\"\nkind = \"delay\"\nfrom = \"AAA\"\nto = \"DDD\"\nextra = 1\n",
        error("unknown-actor", 5, "unknown actor \"DDD\" in `to`"),
    );
}

#[test]
fn duplicate_id() {
    let body = "[[uncertainty]]\nid = \"u\"\nkind = \"delay\"\nextra = 1\n";
    check(
        &format!("{body}{body}"),
        error("duplicate-id", 6, "duplicate uncertainty id \"u\""),
    );
}

#[test]
fn target_listed_twice_warns() {
    check(
        &format!("{DEMAND}demands = [\"front\", \"front\"]\ndistribution = \"uniform\"\nmin = 1\nmax = 2\n"),
        warning("duplicate-entry", 4, "\"front\" is listed twice"),
    );
}

#[test]
fn actor_without_facilities_warns() {
    check(
        "[[uncertainty]]\nid = \"u\"\nkind = \"outage\"\nactor = \"CCC\"\nprobability = 0.5\nduration = 1\n",
        warning("empty-targets", 4, "actor \"CCC\" has no facility"),
    );
}

#[test]
fn empty_target_list_warns() {
    check(
        "[[uncertainty]]\nid = \"u\"\nkind = \"yield\"\nfacilities = []\ndistribution = \"uniform\"\nmin = 0.5\nmax = 1\n",
        warning("empty-targets", 4, "`facilities` is empty"),
    );
}

// ----- variants and JSON ----------------------------------------------------

#[test]
fn variants_replace_and_remove_entries_by_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = format!(
        "{WORLD}[[uncertainty]]\nid = \"a\"\nkind = \"delay\"\nextra = 1\n[[uncertainty]]\nid = \"b\"\nkind = \"delay\"\nextra = 2\n"
    );
    fs::write(dir.path().join("base.toml"), base).expect("write base");
    fs::write(
        dir.path().join("child.toml"),
        "[scenario]\nextends = \"base.toml\"\n[remove]\nuncertainty = [\"b\"]\n[[uncertainty]]\nid = \"a\"\nkind = \"delay\"\nextra = 5\n[[uncertainty]]\nid = \"c\"\nkind = \"delay\"\nextra = 3\n",
    )
    .expect("write child");
    let s = load_path(&dir.path().join("child.toml"))
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario;
    let summary: Vec<(String, u32)> = s
        .uncertainty
        .iter()
        .map(|u| match u.kind {
            UncertaintyKind::RouteDelay { extra, .. } => (u.id.clone(), extra.min),
            _ => panic!("not a delay"),
        })
        .collect();
    assert_eq!(summary, [("a".to_owned(), 5), ("c".to_owned(), 3)]);

    fs::write(
        dir.path().join("bad.toml"),
        "[scenario]\nextends = \"base.toml\"\n[remove]\nuncertainty = [\"z\"]\n",
    )
    .expect("write bad");
    let error = load_path(&dir.path().join("bad.toml")).expect_err("removes nothing");
    let d = &error.diagnostics()[0];
    assert_eq!(d.code.as_str(), "remove-missing");
    assert!(
        d.message.contains("no such uncertainty entry"),
        "{}",
        d.message
    );
}

#[test]
fn json_entries_get_located_diagnostics() {
    let json = r#"{
  "scenario": {"name": "j", "start": "2026-01", "periods": 2},
  "actor": [{"id": "AAA"}],
  "product": [{"id": "shell"}],
  "demand": [{"id": "d", "buyer": "AAA", "product": "shell", "quantity": 1, "penalty": 1}],
  "uncertainty": [
    {"id": "ok", "kind": "demand", "demands": ["d"], "distribution": "lognormal", "median": 1, "sigma": 0.3},
    {"id": "bad", "kind": "outage", "facilities": "*", "probability": -1, "duration": 1}
  ]
}"#;
    let error = load_source(json, "case.json", Format::Json).expect_err("probability -1");
    let all = error.diagnostics();
    assert_eq!(all.len(), 1, "{}", error);
    assert_eq!(all[0].code.as_str(), "out-of-range");
    assert_eq!(all[0].line, Some(8));
    assert_eq!(all[0].entity.as_deref(), Some("uncertainty \"bad\""));
    let fixed = json.replace("-1", "0.25");
    let s = load_source(&fixed, "case.json", Format::Json)
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario;
    assert_eq!(s.uncertainty.len(), 2);
}
