use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use caisson_planner::PlanOptions;
use serde_json::Value;

use crate::both;
use crate::support::{Backend, Party, TestApp};

/// The plan of a scenario as the `caisson-plan/1` JSON the server stores.
fn plan_json(scenario: &caisson_model::Scenario) -> Value {
    let options = PlanOptions {
        // As a run plans: one HiGHS thread.
        threads: Some(1),
        ..PlanOptions::default()
    };
    let plan = caisson_planner::plan(scenario, &options);
    let mut out = Vec::new();
    caisson_report::write_json(scenario, &plan, &mut out).expect("writes");
    serde_json::from_slice(&out).expect("JSON")
}

/// base.toml and its plan, solved once for both backends' tests.
fn one_file() -> &'static (caisson_model::Scenario, Value) {
    static ONE_FILE: OnceLock<(caisson_model::Scenario, Value)> = OnceLock::new();
    ONE_FILE.get_or_init(|| {
        let base = caisson_scenario::load_path(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/europe-2025/base.toml"),
        )
        .expect("base.toml loads")
        .scenario;
        let plan = plan_json(&base);
        (base, plan)
    })
}

/// `ORG:X` as `X` (the platform's qualified ids mapped back to the file's);
/// contract ids through `contracts`.
fn unqualify(value: &mut Value, contracts: &BTreeMap<String, String>) {
    match value {
        Value::String(text) => {
            if let Some(original) = contracts.get(text.as_str()) {
                *text = original.clone();
            } else if let Some((_, local)) = text.split_once(':') {
                *text = local.to_owned();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| unqualify(v, contracts)),
        Value::Object(map) => map.values_mut().for_each(|v| unqualify(v, contracts)),
        _ => {}
    }
}

/// The European example contributed party by party over HTTP (`make
/// platform`'s seeding, its contracts proposed and signed through the API)
/// and planned by one of two separate worker processes plans like the one
/// file: the same objective within the gap, and once ids
/// `O:X` are mapped back to `X` the plan passes the independent check on
/// base.toml itself; on the frozen scenario it passes the check too and is
/// the planner's plan of that scenario record for record.
async fn the_european_example_plans_as_one_file(backend: Backend) {
    // One server that computes nothing itself, two `caisson-server worker`
    // processes sharing its database.
    let app = TestApp::start(backend, 0).await;
    let mut workers = [
        crate::support::spawn_worker(&app.database, &[]),
        crate::support::spawn_worker(&app.database, &[]),
    ];
    let seeded = caisson_server::example::seed_europe(&app.db, &app.url)
        .await
        .expect("the example seeds over HTTP");
    let coordinator = Party::new(&app.url, &seeded.sign_ins[0].token);
    let info = coordinator.wait_for_run(&seeded.run).await;
    assert_eq!(info["status"], "succeeded", "{info}");
    let served_text = coordinator
        .get(&format!("/runs/{}/plan", seeded.run))
        .await
        .expect(200)
        .text;
    let frozen_text = coordinator
        .get(&format!("/runs/{}/scenario", seeded.run))
        .await
        .expect(200)
        .text;
    let frozen = caisson_scenario::load_str(&frozen_text, "frozen.toml")
        .expect("the frozen scenario loads")
        .scenario;

    // The independent check, on the plan as served.
    let served_plan = caisson_plan::PlanDocument::from_json(&served_text)
        .expect("a caisson-plan/1 document")
        .to_plan(&frozen)
        .expect("labels of the frozen scenario");
    let violations = caisson_plan::verify(&frozen, &served_plan);
    assert!(violations.is_empty(), "{violations:?}");

    // Record for record the planner's plan of the frozen scenario.
    let mut served: Value = serde_json::from_str(&served_text).expect("JSON");
    let local = plan_json(&frozen);
    for part in [
        "production",
        "shipments",
        "transfers",
        "stock",
        "expansions",
        "demand",
        "contracts",
    ] {
        assert_eq!(
            served[part], local[part],
            "{part} differs from the planner's plan"
        );
    }

    // The one file: the same objective within the gap, the same
    // deliveries per demand.
    let (base, one_file) = one_file();
    let (a, b) = (
        served["objective"].as_f64().expect("objective"),
        one_file["objective"].as_f64().expect("objective"),
    );
    let gap = 2e-6 * a.abs().max(b.abs()).max(1.0);
    assert!(
        (a - b).abs() <= gap,
        "objective {a} (platform) vs {b} (one file)"
    );

    // Contract ids are the server's: map each back by what it commits.
    let key = |c: &caisson_model::Contract, s: &caisson_model::Scenario| {
        format!(
            "{}|{}|{}",
            s.facilities[c.facility.index()]
                .id
                .rsplit(':')
                .next()
                .unwrap_or_default(),
            s.actors[c.buyer.index()].id,
            s.products[c.product.index()].id
        )
    };
    let by_key: BTreeMap<String, String> = base
        .contracts
        .iter()
        .map(|c| (key(c, base), c.id.clone()))
        .collect();
    let contracts: BTreeMap<String, String> = frozen
        .contracts
        .iter()
        .map(|c| (c.id.clone(), by_key[&key(c, &frozen)].clone()))
        .collect();
    assert_eq!(
        contracts.len(),
        base.contracts.len(),
        "every contract signed"
    );
    // With ids mapped back, the platform's plan is a plan of the one file:
    // it passes the independent check on base.toml, at the same objective,
    // so it is an optimal plan of the one file. (Records may differ from
    // the one-file run's: the example has alternative optima, and the
    // assembled scenario lists entities in another order, so HiGHS may end
    // at another optimal vertex; docs/spec-readings.md.)
    unqualify(&mut served, &contracts);
    let as_one_file = caisson_plan::PlanDocument::from_json(&served.to_string())
        .expect("still a caisson-plan/1 document")
        .to_plan(base)
        .expect("every id, mapped back, is one of base.toml's");
    let violations = caisson_plan::verify(base, &as_one_file);
    assert!(violations.is_empty(), "{violations:?}");
    let recomputed = as_one_file.objective.expect("objective");
    assert!((recomputed - b).abs() <= gap, "{recomputed} vs {b}");
    for worker in &mut workers {
        worker.kill().await.expect("stop a worker");
    }
    app.stop().await;
}
both!(the_european_example_plans_as_one_file);
