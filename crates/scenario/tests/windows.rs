//! Time windows of policies and routes (`docs/windows.md`) and political
//! switches in `[[uncertainty]]` (`docs/uncertainty.md`): what they become
//! in the model, their diagnostics (code, line, entity), and `to_toml`'s
//! round trip.

use caisson_model::{PoliticalEffect, SwitchTiming, UncertaintyKind, Window};
use caisson_scenario::{load_str, to_toml, Diagnostic};

const WORLD: &str = "\
[scenario]
name = \"w\"
start = \"2026-01\"
periods = 6
[[actor]]
id = \"AAA\"
blocs = [\"EU\"]
[[actor]]
id = \"BBB\"
blocs = [\"EU\"]
[[actor]]
id = \"SRB\"
[[product]]
id = \"shell\"
[[facility]]
id = \"plant\"
actor = \"SRB\"
stock = { shell = 5 }
[[demand]]
id = \"front\"
buyer = \"BBB\"
product = \"shell\"
quantity = 1
penalty = 10
[[policy]]
id = \"ban\"
scope = \"SRB\"
deny_export = [\"EU\"]
";

fn load(body: &str) -> caisson_model::Scenario {
    load_str(&format!("{WORLD}{body}"), "case.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario
}

fn diagnostics(body: &str) -> Vec<Diagnostic> {
    match load_str(&format!("{WORLD}{body}"), "case.toml") {
        Ok(loaded) => loaded.warnings,
        Err(error) => error.diagnostics().to_vec(),
    }
}

/// The one diagnostic of `body`: its code, line (counted in `body`) and
/// entity.
fn one(body: &str) -> (String, usize, String) {
    let all = diagnostics(body);
    assert_eq!(all.len(), 1, "{}", caisson_scenario::render(&all));
    let d = &all[0];
    let line = d.line.unwrap_or(0) - WORLD.lines().count();
    (
        d.code.as_str().to_owned(),
        line,
        d.entity.clone().unwrap_or_default(),
    )
}

fn round_trip(s: &caisson_model::Scenario) {
    let text = to_toml(s);
    let back = load_str(&text, "written.toml")
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
        .scenario;
    assert_eq!(&back, s, "{text}");
}

#[test]
fn windows_become_half_open_period_ranges_and_round_trip() {
    let s = load(
        "\
[[policy]]
id = \"later\"
scope = \"AAA\"
deny_import = [\"SRB\"]
from = \"2026-03\"
until = \"2026-04\"
[[policy]]
id = \"open-ended\"
scope = \"BBB\"
deny_import = [\"SRB\"]
from = \"2026-05\"
[[route]]
from = \"SRB\"
to = \"BBB\"
lead_time = 1
until = \"2026-02\"
",
    );
    assert_eq!(s.policies[0].window, None);
    assert_eq!(s.policies[1].window, Some(Window { start: 2, end: 4 }));
    assert_eq!(s.policies[2].window, Some(Window { start: 4, end: 6 }));
    assert_eq!(s.routes[0].window, Some(Window { start: 0, end: 2 }));
    assert!(s.policies[1].binds_in(3) && !s.policies[1].binds_in(4));
    assert!(s.route_open(s.routes[0].from, s.routes[0].to, 1));
    assert!(!s.route_open(s.routes[0].from, s.routes[0].to, 2));
    round_trip(&s);
}

#[test]
fn a_window_without_windows_writes_nothing_new() {
    let s = load("");
    let text = to_toml(&s);
    assert!(!text.contains("until") && !text.contains("since"), "{text}");
}

#[test]
fn window_diagnostics_are_located_with_stable_codes() {
    let (code, line, entity) =
        one("[[policy]]\nid = \"p\"\nscope = \"AAA\"\nfrom = \"2026-05\"\nuntil = \"2026-02\"\n");
    assert_eq!(
        (code.as_str(), line, entity.as_str()),
        ("window-order", 4, "policy \"p\"")
    );
    let (code, line, _) = one("[[policy]]\nid = \"p\"\nscope = \"AAA\"\nfrom = \"2026-Q2\"\n");
    assert_eq!((code.as_str(), line), ("wrong-label-kind", 4));
    let (code, line, _) = one("[[route]]\nfrom = \"AAA\"\nto = \"BBB\"\nsince = \"May\"\n");
    assert_eq!((code.as_str(), line), ("bad-label", 4));
    // Wholly outside the horizon: a warning, and the window holds nothing.
    let body = "[[policy]]\nid = \"p\"\nscope = \"AAA\"\nfrom = \"2030-01\"\n";
    let (code, line, _) = one(body);
    assert_eq!((code.as_str(), line), ("window-outside", 4));
    let s = load(body);
    assert!(s.policies[1].window.is_some_and(|w| w.is_empty()));
    assert!(!s.policies[1].binds_somewhere());
    round_trip(&s);
}

const TURN: &str = "\
[[uncertainty]]
id = \"u\"
kind = \"political\"
hazard = 0.2
since = \"2026-02\"
exporter = \"SRB\"
stops_exporting_to = [\"EU\"]
end_policies = [\"ban\"]
close_routes = [\"SRB->AAA\"]
";

#[test]
fn a_political_switch_becomes_its_model_entry_and_round_trips() {
    let s = load(TURN);
    let UncertaintyKind::Political {
        timing,
        window,
        effects,
    } = &s.uncertainty[0].kind
    else {
        panic!("{:?}", s.uncertainty[0].kind)
    };
    assert_eq!(*timing, SwitchTiming::Hazard(0.2));
    assert_eq!(*window, Window { start: 1, end: 6 });
    assert_eq!(effects.len(), 3);
    assert!(matches!(effects[0], PoliticalEffect::EndPolicy(p) if p.index() == 0));
    assert!(matches!(effects[1], PoliticalEffect::StopExports { .. }));
    assert!(matches!(effects[2], PoliticalEffect::CloseRoute { .. }));
    round_trip(&s);
    let chance = load(&TURN.replace("hazard = 0.2", "probability = 1"));
    round_trip(&chance);
}

#[test]
fn political_diagnostics_are_located_with_stable_codes() {
    let cases: [(&str, &str, usize); 6] = [
        ("end_policies = [\"ban\"]", "end_policies = [\"bna\"]", 8),
        (
            "close_routes = [\"SRB->AAA\"]",
            "close_routes = [\"SRB-AAA\"]",
            9,
        ),
        ("hazard = 0.2", "hazard = 0.2\nprobability = 0.5", 5),
        (
            "since = \"2026-02\"",
            "since = \"2026-04\"\nuntil = \"2026-02\"",
            5,
        ),
        ("hazard = 0.2", "hazard = 0.2\nduration = 2", 5),
        ("stops_exporting_to = [\"EU\"]\n", "", 6),
    ];
    let codes = [
        "unknown-policy",
        "bad-route",
        "conflicting-fields",
        "window-order",
        "field-not-applicable",
        "missing-field",
    ];
    for ((from, to, line), code) in cases.into_iter().zip(codes) {
        let body = TURN.replace(from, to);
        let (found, at, entity) = one(&body);
        assert_eq!(
            (found.as_str(), at, entity.as_str()),
            (code, line, "uncertainty \"u\""),
            "{body}"
        );
    }
}
