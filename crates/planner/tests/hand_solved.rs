//! Small scenarios whose optimum is worked out by hand in each fixture's
//! header comment: the planner must reach it, and `verify` must accept the
//! plan.

use std::path::{Path, PathBuf};

use caisson_model::Scenario;
use caisson_plan::{verify, Plan, PlanStatus};
use caisson_planner::{plan, Formulation, PlanOptions};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn load(name: &str) -> Scenario {
    match caisson_scenario::load_path(&fixture(name)) {
        Ok(loaded) => loaded.scenario,
        Err(error) => panic!("fixture {name} does not load:\n{error}"),
    }
}

/// Solves a fixture and checks status, objective (1e-6 relative, the MIP
/// gap), the verifier and the cost split.
fn check(name: &str, expected: f64) -> (Scenario, Plan) {
    let scenario = load(name);
    let plan = plan(&scenario, &PlanOptions::default());
    assert_eq!(
        plan.status,
        PlanStatus::Optimal,
        "{name}: {:?}",
        plan.message
    );
    let objective = plan.objective.expect("optimal plans have an objective");
    assert!(
        (objective - expected).abs() <= 1e-6 * expected.abs().max(1.0),
        "{name}: objective {objective}, expected {expected}"
    );
    let violations = verify(&scenario, &plan);
    assert!(violations.is_empty(), "{name}: {violations:#?}");
    let cost = plan.cost.expect("optimal plans have a cost split");
    assert!((cost.total() - objective).abs() <= 1e-9 * objective.abs().max(1.0));
    let solver = plan
        .model
        .as_ref()
        .and_then(|m| m.solver_objective)
        .expect("solver objective");
    assert!(
        (solver - objective).abs() <= 1e-6 * objective.abs().max(1.0),
        "{name}: solver {solver}"
    );
    (scenario, plan)
}

fn reason(s: &Scenario, plan: &Plan, facility: &str, demand: &str) -> (bool, String) {
    let r = plan
        .compliance
        .iter()
        .find(|r| {
            s.facilities[r.facility.index()].id == facility
                && s.demands[r.demand.index()].id == demand
        })
        .unwrap_or_else(|| panic!("no compliance record {facility} -> {demand}"));
    (r.verdict.is_allowed(), r.verdict.reason(s))
}

fn delivered(s: &Scenario, plan: &Plan, demand: &str) -> f64 {
    plan.kpis
        .demands
        .iter()
        .find(|k| s.demands[k.demand.index()].id == demand)
        .map_or(0.0, |k| k.delivered)
}

#[test]
fn neutral_exporter_buyer_may_retransfer() {
    let (s, plan) = check("neutral_retransfer.toml", 600.0);
    let (allowed, why) = reason(&s, &plan, "srb-depot", "ukr-direct");
    assert!(
        !allowed && why.contains("srb-neutrality") && why.contains("deny_export"),
        "{why}"
    );
    assert_eq!(
        reason(&s, &plan, "srb-depot", "ukr-via-cze"),
        (true, "no policy applies".to_owned())
    );
    assert_eq!(delivered(&s, &plan, "ukr-via-cze"), 50.0);
    assert_eq!(
        plan.model.as_ref().map(|m| m.reductions.shipments_denied),
        Some(2)
    );
}

#[test]
fn end_use_denial_blocks_a_third_country_route() {
    let (s, plan) = check("end_use.toml", 50.0);
    let (allowed, why) = reason(&s, &plan, "deu-depot", "via-arm");
    assert!(
        !allowed && why.contains("eu-end-use") && why.contains("deny_end_use"),
        "{why}"
    );
    assert_eq!(delivered(&s, &plan, "arm-own"), 10.0);
}

#[test]
fn bloc_sanctions_bind_every_member() {
    let (s, plan) = check("bloc_sanctions.toml", 300.0);
    let (allowed, why) = reason(&s, &plan, "r-plant", "a2-need");
    assert!(
        !allowed && why.contains("west-sanctions") && why.contains("deny_import"),
        "{why}"
    );
    assert_eq!(delivered(&s, &plan, "a2-need"), 20.0);
    assert_eq!(delivered(&s, &plan, "n-need"), 30.0);
}

#[test]
fn two_level_bom_with_a_component_across_a_border() {
    let (s, plan) = check("bom_transfer.toml", 720.0);
    let moved: f64 = plan.transfers.iter().map(|t| t.quantity).sum();
    assert!((moved - 30.0).abs() < 1e-6, "{:?}", plan.transfers);
    for t in &plan.transfers {
        assert_eq!(t.arrival, t.period + 1);
        assert_eq!(s.products[t.product.index()].id, "tnt");
    }
    assert!(plan
        .transfer_compliance
        .iter()
        .any(|r| s.facilities[r.from.index()].id == "cze-tnt" && r.verdict.is_allowed()));
}

#[test]
fn lead_times_limit_what_arrives() {
    let (_, plan) = check("lead_times.toml", 7020.0);
    assert!(plan
        .shipments
        .iter()
        .all(|z| z.arrival == z.period + 2 && z.arrival <= 3));
    assert_eq!(
        plan.model
            .as_ref()
            .map(|m| m.reductions.shipments_beyond_horizon),
        Some(2)
    );
    // The line is the bottleneck in periods 0 and 1: its capacity has a price.
    let duals = plan.capacity_duals.as_ref().expect("duals of an LP");
    assert!(
        duals.iter().any(|d| d.period == 0 && d.shadow_price > 0.0),
        "{duals:?}"
    );
}

#[test]
fn backlog_is_charged_every_period_lost_once() {
    let (s, plan) = check("backlog_vs_lost.toml", 50.0);
    assert_eq!(delivered(&s, &plan, "owed"), 10.0);
    assert_eq!(delivered(&s, &plan, "gone"), 0.0);
}

#[test]
fn expansion_lead_time_decides_its_worth() {
    let (s, plan) = check("expansion_lead.toml", 110.0);
    assert_eq!(plan.expansions.len(), 1, "{:?}", plan.expansions);
    let e = plan.expansions[0];
    assert_eq!(s.expansions[e.expansion.index()].id, "fast");
    assert_eq!((e.decided, e.available, e.fraction), (0, 2, 1.0));
    assert!(plan.mip_gap.is_some_and(|g| g <= 1e-6));
    assert_eq!(plan.method, "highs-mip");
}

#[test]
fn contract_shortfall_only_in_plan_periods() {
    let (_, plan) = check("contract_shortfall.toml", 42.0);
    let periods: Vec<usize> = plan.contracts.iter().map(|c| c.period).collect();
    assert_eq!(periods, [0, 1]);
    assert!(plan
        .contracts
        .iter()
        .all(|c| (c.shortfall - 3.0).abs() < 1e-9));
}

#[test]
fn example_is_optimal_and_verified() {
    let (_, plan) = check("example.toml", 33_856_432_668.074_07);
    assert!(plan.capacity_duals.as_ref().is_some_and(|d| !d.is_empty()));
}

#[test]
fn model_file_has_readable_names() {
    let scenario = load("example.toml");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("model.mps");
    let mut model = Formulation::build(&scenario).load().expect("load");
    model.write_mps(&scenario, &path).expect("write");
    let text = std::fs::read_to_string(&path).expect("read back");
    for name in [
        "x[deu-plant/shells,shell-155,2026-01]",
        "cap[deu-plant/shells,2026-01]",
        "y[deu-shells-2,2026-01]",
        "bal[deu-depot,shell-155,2026-12]",
    ] {
        assert!(text.contains(name), "{name} missing");
    }
    // Writing does not disturb solving.
    let plan = model.solve(&scenario, &PlanOptions::default());
    assert_eq!(plan.status, PlanStatus::Optimal);
}

#[test]
fn verify_catches_tampering() {
    let (s, plan) = check("lead_times.toml", 7020.0);
    let mut more = plan.clone();
    more.production[0].quantity += 5.0;
    let found = verify(&s, &more);
    assert!(
        found.iter().any(|v| v.constraint == "capacity"),
        "{found:?}"
    );
    assert!(
        found.iter().any(|v| v.constraint == "stock balance"),
        "{found:?}"
    );

    let mut cheap = plan.clone();
    if let Some(cost) = cheap.cost.as_mut() {
        cost.shortage -= 100.0;
    }
    assert!(verify(&s, &cheap).iter().any(|v| v.constraint == "cost"));

    let mut late = plan.clone();
    late.shipments[0].arrival += 1;
    assert!(verify(&s, &late)
        .iter()
        .any(|v| v.constraint == "lead time"));

    let (s, plan) = check("neutral_retransfer.toml", 600.0);
    let mut denied = plan.clone();
    let d = s.demand_id("ukr-direct").expect("demand");
    denied.shipments[0].demand = d;
    assert!(verify(&s, &denied)
        .iter()
        .any(|v| v.constraint == "compliance"));
}

#[test]
fn time_limit_options_are_accepted() {
    let scenario = load("example.toml");
    let options = PlanOptions {
        time_limit: Some(30.0),
        threads: Some(1),
        mip_gap: 1e-4,
        ..PlanOptions::default()
    };
    let plan = plan(&scenario, &options);
    assert!(plan.status.has_solution());
    assert!(verify(&scenario, &plan).is_empty());
}
