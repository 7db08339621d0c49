//! Building report documents from fixtures (a plan of the spec's example
//! scenario, with and without the scenario, and one file per analysis
//! section) and rendering them.

use std::path::{Path, PathBuf};

use caisson_html::{
    plan_section, render, Comparison, Criticality, InputKind, PlanSection, ReportDocument,
    ReportError, Simulation,
};
use caisson_model::Scenario;
use serde_json::{json, Value};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn json_fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture(name)).expect("fixture");
    serde_json::from_str(&text).expect("fixture JSON")
}

fn scenario() -> Scenario {
    caisson_scenario::load_path(&fixture("example.toml"))
        .expect("example scenario loads")
        .scenario
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1.0)
}

/// Units shipped per product in the plan's records.
fn shipped(plan: &Value, product: &str) -> f64 {
    plan["shipments"]
        .as_array()
        .expect("shipments")
        .iter()
        .filter(|s| s["product"] == product)
        .map(|s| s["quantity"].as_f64().expect("quantity"))
        .sum()
}

fn check_flows_sum_to_shipments(plan: &Value, section: &PlanSection) {
    for product in ["shell-155", "mortar-120"] {
        let flows: f64 = section
            .flows
            .iter()
            .filter(|f| f.product == product)
            .map(|f| f.quantity)
            .sum();
        assert!(
            close(flows, shipped(plan, product)),
            "{product}: Sankey flows {flows}, shipments {}",
            shipped(plan, product)
        );
    }
}

#[test]
fn plan_alone_gives_every_view_it_can() {
    let plan = json_fixture("example-plan.json");
    let s = plan_section(&plan, None).expect("plan section");
    assert!(!s.with_scenario);
    assert_eq!(s.status, "optimal");
    assert_eq!(s.periods.len(), 12);
    assert_eq!(s.cost.len(), 6);
    assert!(close(
        s.cost.iter().map(|c| c.value).sum(),
        plan["objective"].as_f64().expect("objective")
    ));
    // Demands in KPI order, every series one value per period.
    let ids: Vec<&str> = s.demands.iter().map(|d| d.demand.as_str()).collect();
    assert_eq!(
        ids,
        ["ukr-155", "ukr-mortar", "ukr-direct", "deu-stockpile"]
    );
    for d in &s.demands {
        for series in [&d.required, &d.delivered, &d.backlog, &d.lost] {
            assert_eq!(series.len(), 12, "{}", d.demand);
        }
        assert!(d.buyer.is_none(), "a plan file does not name buyers");
    }
    let mortar = &s.demands[1];
    assert!(!mortar.backlog_kind, "ukr-mortar loses its shortage");
    assert_eq!(mortar.end_user, "UKR");
    // Without actors, the Sankey goes facility -> demand -> end user.
    assert_eq!(s.flow_levels.source, "facility");
    assert_eq!(s.flow_levels.middle, "demand");
    check_flows_sum_to_shipments(&plan, &s);
    // Without capacities, lines show units made.
    assert!(!s.utilisation_known);
    assert!(s
        .lines
        .iter()
        .all(|l| l.capacity.is_none() && l.utilisation.is_none()));
    let made: f64 = plan["production"]
        .as_array()
        .expect("production")
        .iter()
        .map(|r| r["quantity"].as_f64().expect("quantity"))
        .sum();
    let drawn: f64 = s.lines.iter().flat_map(|l| &l.used).sum();
    assert!(close(drawn, made));
    // Compliance: every verdict, the denial with its reason.
    assert_eq!(s.compliance.len(), 8);
    let denied: Vec<_> = s.compliance.iter().filter(|c| !c.allowed).collect();
    assert_eq!(denied.len(), 1);
    assert_eq!(
        (denied[0].facility.as_str(), denied[0].demand.as_str()),
        ("srb-plant", "ukr-direct")
    );
    assert!(
        denied[0].reason.contains("deny_export"),
        "{}",
        denied[0].reason
    );
    // Dependency shares per (end user, product) sum to 1.
    for d in &s.dependency {
        let total: f64 = s
            .dependency
            .iter()
            .filter(|e| e.end_user == d.end_user && e.product == d.product)
            .map(|e| e.share)
            .sum();
        assert!(close(total, 1.0), "{} {}: {total}", d.end_user, d.product);
    }
    // Concentration: one profile per (role, receiver, product); for end
    // users the largest supplier's share is the largest dependency share.
    assert!(!s.concentration.is_empty());
    for c in s.concentration.iter().filter(|c| c.role == "end_user") {
        let largest = s
            .dependency
            .iter()
            .filter(|e| e.end_user == c.receiver && e.product == c.product)
            .map(|e| e.share)
            .fold(0.0, f64::max);
        assert!(close(c.top_share, largest), "{} {}", c.receiver, c.product);
        assert!((0.0..=10_000.0 + 1e-6).contains(&c.hhi));
        assert!((0.0..=1.0).contains(&c.unaligned_share));
    }
    assert_eq!(s.expansions.len(), 1);
    assert!(s.expansions[0].capacity.is_none());
    assert_eq!(s.contracts.len(), 1);
    assert!(close(s.contracts[0].shortfall, 50_000.0));
    // End users: the sums of their demands.
    let ukr_shells = s
        .end_users
        .iter()
        .find(|e| e.end_user == "UKR" && e.product == "shell-155")
        .expect("UKR shell-155");
    assert_eq!(ukr_shells.demands, ["ukr-155"]);
}

#[test]
fn plan_with_scenario_gives_utilisation_buyers_and_exporters() {
    let plan = json_fixture("example-plan.json");
    let scenario = scenario();
    let s = plan_section(&plan, Some(&scenario)).expect("plan section");
    assert!(s.with_scenario && s.utilisation_known);
    assert_eq!(s.flow_levels.source, "actor");
    assert_eq!(s.flow_levels.middle, "actor");
    check_flows_sum_to_shipments(&plan, &s);
    assert!(s
        .flows
        .iter()
        .any(|f| f.exporter == "DEU" && f.buyer == "CZE" && f.end_user == "UKR"));
    // Every line of the scenario, utilisation within [0, 1].
    assert_eq!(s.lines.len(), scenario.lines.len());
    for l in &s.lines {
        let utilisation = l.utilisation.as_ref().expect("utilisation");
        let capacity = l.capacity.as_ref().expect("capacity");
        for (t, u) in utilisation.iter().enumerate() {
            match u {
                Some(u) => assert!(
                    (-1e-9..=1.0 + 1e-6).contains(u),
                    "{}/{} t={t}: {u}",
                    l.facility,
                    l.line
                ),
                None => assert_eq!(capacity[t], 0.0),
            }
        }
    }
    // The line steps from 20,000 to 25,000 in 2026-07, and the expansion
    // decided in 2026-01 adds 10,000 from then on.
    let shells = s
        .lines
        .iter()
        .find(|l| l.facility == "deu-plant" && l.line == "shells")
        .expect("deu-plant/shells");
    let capacity = shells.capacity.as_ref().expect("capacity");
    assert!(
        close(capacity[5], 20_000.0) && close(capacity[6], 35_000.0),
        "{capacity:?}"
    );
    assert_eq!(s.expansions[0].capacity, Some(10_000.0));
    assert!(
        shells.shadow_price.is_some(),
        "the plan carries capacity duals"
    );
    // Buyers are known: CZE buys for UKR.
    let d = s
        .demands
        .iter()
        .find(|d| d.demand == "ukr-155")
        .expect("ukr-155");
    assert_eq!(
        (d.buyer.as_deref(), d.end_user.as_str()),
        (Some("CZE"), "UKR")
    );
}

#[test]
fn plan_hints_name_buyers_and_exporters_without_the_scenario() {
    let mut plan = json_fixture("example-plan.json");
    plan["facilities_info"] = json!([
        {"facility": "deu-plant", "actor": "DEU"},
        {"facility": "deu-depot", "actor": "DEU"},
        {"facility": "srb-plant", "actor": "SRB"},
    ]);
    plan["demands_info"] = json!([
        {"demand": "ukr-155", "buyer": "CZE", "end_user": "UKR"},
        {"demand": "ukr-mortar", "buyer": "CZE", "end_user": "UKR", "backlog": false},
        {"demand": "ukr-direct", "buyer": "UKR"},
        {"demand": "deu-stockpile", "buyer": "DEU"},
    ]);
    let s = plan_section(&plan, None).expect("plan section");
    assert_eq!(
        (s.flow_levels.source.as_str(), s.flow_levels.middle.as_str()),
        ("actor", "actor")
    );
    check_flows_sum_to_shipments(&plan, &s);
    assert!(!s.utilisation_known);
}

#[test]
fn explanations_come_from_the_typed_rows() {
    let mut plan = json_fixture("example-plan.json");
    plan["explanations"] = json!([
        {"demand": "ukr-155", "text": "short all year", "first_short": "2026-01",
         "last_short": "2026-12", "short_periods": 12, "total_shortage": 5.0, "omitted": 0,
         "causes": [
            {"kind": "no_source", "text": "a", "product": "shell-155", "denied_holders": 1},
            {"kind": "spare_unshipped", "text": "b", "facility": "deu-depot",
             "product": "shell-155", "periods": ["2026-01"], "stock": 2.0},
         ]},
    ]);
    let s = plan_section(&plan, None).expect("plan section");
    let texts: Vec<(&Option<String>, &str, &[String])> = s
        .explanations
        .iter()
        .map(|e| (&e.subject, e.text.as_str(), e.causes.as_slice()))
        .collect();
    assert_eq!(
        texts,
        [(
            &Some("ukr-155".to_owned()),
            "short all year",
            &["a".to_owned(), "b".to_owned()][..]
        )]
    );
    // An entry that is not an explanation of the plan format is refused,
    // named by its position.
    plan["explanations"] = json!(["plain text"]);
    let error = plan_section(&plan, None).expect_err("refused").to_string();
    assert!(error.contains("explanations[0]"), "{error}");
}

#[test]
fn malformed_plans_are_refused_with_the_field_named() {
    let check = |plan: Value, expected: &str| {
        let error = plan_section(&plan, None).expect_err("refused").to_string();
        assert!(
            error.contains(expected),
            "{error} should mention {expected}"
        );
    };
    check(
        json!({"format": "caisson-plan/2", "periods": []}),
        "caisson-plan/2",
    );
    check(json!({"periods": []}), "no `format`");
    check(json!({"format": "caisson-plan/1"}), "periods");
    check(
        json!({"format": "caisson-plan/1", "status": "optimal", "periods": ["2026-01"],
               "shipments": {}}),
        "shipments",
    );
    check(
        json!({"format": "caisson-plan/1", "status": "optimal", "periods": ["2026-01"], "demand": [
            {"demand": "d", "period": "2027-01", "required": 1, "delivered": 0, "backlog": 1, "lost": 0}
        ]}),
        "demand[0]",
    );
    check(
        json!({"format": "caisson-plan/1", "status": "optimal", "periods": ["2026-01"],
               "shipments": [
            {"facility": "f", "demand": "d", "product": "p", "period": "2026-01",
             "arrival": "2026-01"}
        ]}),
        "quantity",
    );
    check(
        json!({"format": "caisson-plan/1", "periods": ["2026-01"]}),
        "status",
    );
}

#[test]
fn a_scenario_of_another_horizon_is_refused() {
    let mut plan = json_fixture("example-plan.json");
    plan["periods"] = json!(["2030-01"]);
    let error = plan_section(&plan, Some(&scenario())).expect_err("mismatch");
    assert!(matches!(error, ReportError::ScenarioMismatch(_)), "{error}");
}

#[test]
fn a_plan_without_solution_still_renders() {
    let plan = json!({
        "format": "caisson-plan/1", "scenario": "x", "status": "time_limit",
        "objective": null, "mip_gap": null, "cost": null, "periods": ["2026-01"],
        "production": [], "shipments": [], "kpis": {"demands": [], "products": [], "end_users": []},
    });
    let s = plan_section(&plan, None).expect("plan section");
    assert!(s.cost.is_empty() && s.flows.is_empty());
    let mut doc = ReportDocument::new("x");
    doc.plan = Some(s);
    assert!(render(&doc).contains("time_limit"));
}

#[test]
fn analysis_fixtures_are_classified_and_read() {
    let comparison = json_fixture("comparison.json");
    let criticality = json_fixture("criticality.json");
    let simulation = json_fixture("simulation.json");
    assert_eq!(InputKind::of(&comparison), Some(InputKind::Comparison));
    assert_eq!(InputKind::of(&criticality), Some(InputKind::Criticality));
    assert_eq!(InputKind::of(&simulation), Some(InputKind::Simulation));
    assert_eq!(
        InputKind::of(&json_fixture("example-plan.json")),
        Some(InputKind::Plan)
    );
    assert_eq!(InputKind::of(&json!({"scenario": {"name": "x"}})), None);
    let c = Comparison::from_json(&comparison).expect("comparison");
    assert_eq!(c.variants.len(), 2);
    assert_eq!(c.metrics[2].values[1], None);
    assert_eq!(
        Criticality::from_json(&criticality)
            .expect("criticality")
            .items
            .len(),
        4
    );
    let s = Simulation::from_json(&simulation).expect("simulation");
    assert_eq!(s.series[0].values.len(), s.quantiles.len());
    // Per-demand percentiles come along when given.
    assert_eq!(s.threshold, Some(0.9));
    assert_eq!(s.demands.len(), 2);
    assert_eq!(s.demands[0].below_threshold, Some(1.0));
    let fill = s.demands[0].fill_rate.as_ref().expect("fill rate spread");
    assert!(fill["p5"] <= fill["p50"] && fill["p50"] <= fill["p95"]);
}

#[test]
fn malformed_analyses_are_refused() {
    let mut c = json_fixture("comparison.json");
    c["metrics"][0]["values"] = json!([1.0]);
    assert!(Comparison::from_json(&c)
        .expect_err("short")
        .to_string()
        .contains("2 variants"));
    let mut c = json_fixture("comparison.json");
    c["metrics"][0]["better"] = json!("bigger");
    assert!(Comparison::from_json(&c).is_err());
    let mut s = json_fixture("simulation.json");
    s["quantiles"] = json!([0.5, 0.25, 0.75, 0.9, 0.95]);
    assert!(Simulation::from_json(&s).is_err());
    let mut s = json_fixture("simulation.json");
    s["series"][0]["values"][0][3] = json!(1e9);
    assert!(Simulation::from_json(&s)
        .expect_err("crossing")
        .to_string()
        .contains("2026-04"));
    let mut s = json_fixture("simulation.json");
    s["series"][0]["values"][1] = json!([1, 2]);
    assert!(Simulation::from_json(&s).is_err());
    let mut k = json_fixture("criticality.json");
    k["items"][0]["value"] = json!("high");
    assert!(Criticality::from_json(&k).is_err());
}

/// The `src`/`href` attribute values of a page.
fn references(page: &str) -> Vec<String> {
    let mut out = Vec::new();
    let lower = page.to_ascii_lowercase();
    for attr in [" src=", " href=", " srcset=", "@import", "url("] {
        let mut from = 0;
        while let Some(at) = lower[from..].find(attr) {
            let start = from + at + attr.len();
            out.push(page[start..(start + 60).min(page.len())].to_owned());
            from = start;
        }
    }
    out
}

#[test]
fn the_page_is_self_contained() {
    let plan = json_fixture("example-plan.json");
    let mut doc = ReportDocument::new("Example");
    doc.plan = Some(plan_section(&plan, Some(&scenario())).expect("plan"));
    doc.comparison =
        Some(Comparison::from_json(&json_fixture("comparison.json")).expect("comparison"));
    doc.criticality =
        Some(Criticality::from_json(&json_fixture("criticality.json")).expect("criticality"));
    doc.simulation =
        Some(Simulation::from_json(&json_fixture("simulation.json")).expect("simulation"));
    let page = render(&doc);
    // The page around the ECharts bundle (whose code mentions tags in strings).
    let bundle_start = page.find("/* Apache ECharts").expect("bundle");
    let bundle_end = bundle_start + page[bundle_start..].find("</script>").expect("bundle end");
    let shell = format!("{}{}", &page[..bundle_start], &page[bundle_end..]);
    let lower = shell.to_ascii_lowercase();
    assert!(
        !page.to_ascii_lowercase().contains("<script src"),
        "no external script"
    );
    assert!(!lower.contains("<link"), "no linked resource");
    assert!(
        !lower.contains("<iframe") && !lower.contains("<img"),
        "no embedded fetch"
    );
    for reference in references(&shell) {
        assert!(
            !reference.contains("http://")
                && !reference.contains("https://")
                && !reference.starts_with("\"//"),
            "external reference: {reference}"
        );
    }
    assert!(page.contains("Content-Security-Policy\" content=\"default-src 'none'"));
    assert_eq!(lower.matches("<script").count(), 3, "data, ECharts, layout");
    assert_eq!(lower.matches("</script").count(), 3);
    // ECharts, with its licence header and the bundled notices.
    assert!(page.contains("Licensed to the Apache Software Foundation"));
    assert!(page.contains("Apache ECharts"));
    assert!(page.contains("zrender"));
    assert!(!caisson_html::echarts_version().is_empty());
    // The embedded document is the document's JSON, with `<`, `>` and `&`
    // escaped, and reads back as a valid document.
    let start =
        page.find("id=\"caisson-data\">").expect("data element") + "id=\"caisson-data\">".len();
    let end = start + page[start..].find("</script>").expect("end of data");
    let embedded = &page[start..end];
    let unescaped = embedded
        .replace("\\u003c", "<")
        .replace("\\u003e", ">")
        .replace("\\u0026", "&");
    assert_eq!(unescaped, serde_json::to_string(&doc).expect("JSON"));
    let value: Value = serde_json::from_str(embedded).expect("JSON");
    let back = ReportDocument::from_json(&value).expect("valid document");
    assert_eq!(back.title, doc.title);
    assert_eq!(
        back.plan.expect("plan").flows,
        doc.plan.as_ref().expect("plan").flows
    );
}
