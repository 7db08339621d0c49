use reqwest::Method;
use serde_json::{json, Value};

use crate::both;
use crate::support::{observer, Backend, TestApp};

/// A plan run from start to plan, checked independently: the frozen
/// scenario the coordinator fetches, planned here, gives the same
/// objective, and the server's plan passes the model's checker.
async fn a_plan_run_end_to_end(backend: Backend) {
    let app = TestApp::start(backend, 1).await;
    let round = app.contributed_round().await;
    let runs = format!("/rounds/{}/runs", round.id);
    // Only the coordinator starts runs.
    let answer = round
        .prod
        .post_json(&runs, &json!({"kind": "plan"}))
        .await
        .expect(403);
    assert_eq!(answer.code(), "forbidden");
    let answer = round
        .coord
        .post_json(&runs, &json!({"kind": "plan", "method": "fast"}))
        .await
        .expect(400);
    assert_eq!(answer.code(), "bad_request");
    let id = round
        .coord
        .post_json(&runs, &json!({"kind": "plan"}))
        .await
        .expect(202)
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(id.len(), 32);
    let info = round.coord.wait_for_run(&id).await;
    assert_eq!(info["status"], "succeeded", "{info}");
    assert_eq!(info["progress"], 1.0);
    assert_eq!(info["attempts"], 1);
    assert_eq!(info["frozen"]["reference"], 1);
    assert_eq!(
        info["frozen"]["contributions"],
        json!({"prod": 1, "stateb": 1})
    );

    let plan_text = round
        .coord
        .get(&format!("/runs/{id}/plan"))
        .await
        .expect(200)
        .text;
    let plan: Value = serde_json::from_str(&plan_text).expect("JSON");
    assert_eq!(plan["format"], "caisson-plan/1");
    assert_eq!(plan["status"], "optimal");
    let scenario = round
        .coord
        .get(&format!("/runs/{id}/scenario"))
        .await
        .expect(200);
    let loaded = caisson_scenario::load_str(&scenario.text, "frozen.toml")
        .expect("the frozen scenario loads");
    // The served plan passes the independent check on the frozen scenario.
    let served = caisson_plan::PlanDocument::from_json(&plan_text)
        .expect("a caisson-plan/1 document")
        .to_plan(&loaded.scenario)
        .expect("its labels are the frozen scenario's");
    let violations = caisson_plan::verify(&loaded.scenario, &served);
    assert!(violations.is_empty(), "{violations:?}");
    let local = caisson_planner::plan(&loaded.scenario, &caisson_planner::PlanOptions::default());
    let objective = plan["objective"].as_f64().expect("objective");
    let expected = local.objective.expect("objective");
    assert!(
        (objective - expected).abs() <= 1e-6 * expected.abs().max(1.0),
        "{objective} vs {expected}"
    );
    // 50 a month needed, 100 a month made: nothing short, every period met.
    let rows = plan["demand"].as_array().expect("demand");
    assert_eq!(rows.len(), 3, "{rows:?}");
    for row in rows {
        assert_eq!(row["required"], 50.0, "{row}");
        assert_eq!(row["backlog"], 0.0, "{row}");
        assert_eq!(row["lost"], 0.0, "{row}");
    }

    // Members see plan runs and the plan as section 3 lets them: the state
    // buying BBB its demand and the shipments to it (the plant included),
    // the producer its plant's records; neither the objective nor the
    // other's records. The frozen scenario is the coordinator's.
    round.state.get(&format!("/runs/{id}")).await.expect(200);
    let buyer_view = round
        .state
        .get(&format!("/runs/{id}/plan"))
        .await
        .expect(200)
        .json();
    assert_eq!(buyer_view["format"], "caisson-plan/1");
    assert_eq!(buyer_view["objective"], Value::Null, "{buyer_view}");
    assert_eq!(buyer_view["cost"], Value::Null);
    assert_eq!(buyer_view["demand"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        buyer_view["production"],
        json!([]),
        "production is the producer's"
    );
    let shipments = buyer_view["shipments"].as_array().expect("shipments");
    assert!(!shipments.is_empty());
    assert!(shipments.iter().all(|r| r["facility"] == "prod:plant"));
    let producer_view = round
        .prod
        .get(&format!("/runs/{id}/plan"))
        .await
        .expect(200)
        .json();
    assert_eq!(producer_view["objective"], Value::Null);
    assert_eq!(
        producer_view["demand"],
        json!([]),
        "the demand is the buyer's"
    );
    assert!(!producer_view["production"]
        .as_array()
        .expect("rows")
        .is_empty());
    // The producer learns who read its records.
    let log = round.prod.get("/access-log").await.expect(200).json();
    assert!(
        log.as_array()
            .expect("entries")
            .iter()
            .any(|e| e.to_string().contains("stateb") && e.to_string().contains("GET run plan")),
        "{log}"
    );
    round
        .state
        .get(&format!("/runs/{id}/scenario"))
        .await
        .expect(403);
    let ngo = app.party(observer()).await;
    let hidden = ngo.get(&format!("/runs/{id}")).await.expect(404);
    let missing = ngo
        .get("/runs/0123456789abcdef0123456789abcdef")
        .await
        .expect(404);
    assert_eq!(hidden.text, missing.text);
    let listed = round
        .state
        .get(&format!("/rounds/{}/runs", round.id))
        .await
        .expect(200)
        .json();
    assert_eq!(listed.as_array().map(Vec::len), Some(1));

    // Publication: not yet published is not found; then every user reads it.
    ngo.get(&format!("/published/{id}")).await.expect(404);
    // A member sees the plan run but may not publish it.
    round
        .state
        .send(Method::POST, &format!("/runs/{id}/publish"), None)
        .await
        .expect(403);
    round
        .coord
        .send(Method::POST, &format!("/runs/{id}/publish"), None)
        .await
        .expect(200);
    let published = ngo
        .get(&format!("/published/{id}"))
        .await
        .expect(200)
        .json();
    // One buyer member only: the product's figures are withheld.
    assert_eq!(published["kpis_products"][0]["product"], "shell");
    assert_eq!(published["kpis_products"][0]["required"], "withheld");
    // One producer only: its capacity is withheld in every period, and the
    // plant's 100 a month appears nowhere.
    let capacity = published["capacity"].as_array().expect("aggregates");
    assert_eq!(capacity.len(), 3, "{published}");
    assert!(
        capacity.iter().all(|c| c.to_string().contains("withheld")),
        "{published}"
    );
    assert!(!published.to_string().contains("100"), "{published}");
    let list = ngo.get("/published").await.expect(200).json();
    assert_eq!(list[0]["id"], id.as_str());

    // A run that ended cannot be cancelled.
    let answer = round
        .coord
        .send(Method::POST, &format!("/runs/{id}/cancel"), None)
        .await
        .expect(409);
    assert_eq!(answer.code(), "conflict");
    app.stop().await;
}
both!(a_plan_run_end_to_end);

/// Without workers a run stays queued: its plan is a conflict, and it can
/// be cancelled once.
async fn queued_runs_conflict_and_cancel(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let round = app.contributed_round().await;
    let id = round.start_run(&json!({"kind": "plan"})).await;
    let info = round
        .coord
        .get(&format!("/runs/{id}"))
        .await
        .expect(200)
        .json();
    assert_eq!(info["status"], "queued");
    let answer = round
        .coord
        .get(&format!("/runs/{id}/plan"))
        .await
        .expect(409);
    assert_eq!(answer.code(), "conflict");
    round
        .coord
        .send(Method::POST, &format!("/runs/{id}/publish"), None)
        .await
        .expect(409);
    round
        .prod
        .send(Method::POST, &format!("/runs/{id}/cancel"), None)
        .await
        .expect(403);
    let cancelled = round
        .coord
        .send(Method::POST, &format!("/runs/{id}/cancel"), None)
        .await
        .expect(200)
        .json();
    assert_eq!(cancelled["status"], "cancelled");
    round
        .coord
        .send(Method::POST, &format!("/runs/{id}/cancel"), None)
        .await
        .expect(409);
    app.stop().await;
}
both!(queued_runs_conflict_and_cancel);

/// An analysis run: compare the round with a variant that doubles the need.
async fn a_compare_run(backend: Backend) {
    let app = TestApp::start(backend, 1).await;
    let round = app.contributed_round().await;
    let runs = format!("/rounds/{}/runs", round.id);
    let variant = json!({"kind": "compare", "variants": [{"label": "double", "changes": {
        "demand": [{"id": "stateb:need", "buyer": "BBB", "product": "shell", "quantity": 100, "penalty": 1000}]
    }}]});
    // A variant that does not load is refused before anything is queued.
    let broken = json!({"kind": "compare", "variants": [{"label": "broken", "changes": {
        "demand": [{"id": "x", "buyer": "ZZZ", "product": "shell", "quantity": 1, "penalty": 1}]
    }}]});
    let answer = round.coord.post_json(&runs, &broken).await.expect(422);
    assert_eq!(answer.code(), "invalid_scenario");
    let id = round
        .coord
        .post_json(&runs, &variant)
        .await
        .expect(202)
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let info = round.coord.wait_for_run(&id).await;
    assert_eq!(info["status"], "succeeded", "{info}");
    let result = round
        .coord
        .get(&format!("/runs/{id}/result"))
        .await
        .expect(200)
        .json();
    assert_eq!(
        result["variants"].as_array().map(Vec::len),
        Some(1),
        "{result}"
    );
    // Analysis results are the coordinator's alone; other members do not see the run.
    round.state.get(&format!("/runs/{id}")).await.expect(404);
    app.stop().await;
}
both!(a_compare_run);

/// A `simulate` run split into chunks, computed by two `caisson-server
/// worker` processes beside a server that computes nothing itself: the
/// merged result is byte for byte the one-process simulation with the same
/// seed, a plan run on the same workers completes too, and every chunk is
/// stored once.
async fn chunked_simulation_on_separate_workers(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let round = app.contributed_round().await;
    let mut workers = [
        crate::support::spawn_worker(&app.database, &[]),
        crate::support::spawn_worker(&app.database, &[]),
    ];
    let request = json!({
        "kind": "simulate", "samples": 10, "seed": 3, "chunk_samples": 3,
        "uncertainty": [{"id": "surge", "kind": "demand", "demands": "*",
                         "distribution": "lognormal", "median": 1, "sigma": 0.4}]
    });
    let simulation = round.start_run(&request).await;
    let plan = round.start_run(&json!({"kind": "plan"})).await;
    // Progress while it runs, as server-sent events: one `status` event at
    // every change, the last when the run ends.
    let events = round
        .coord
        .events(&format!("/runs/{simulation}/events"))
        .await;
    assert!(
        events.iter().all(|(name, _)| name == "status"),
        "{events:?}"
    );
    let (_, last) = events.last().expect("at least one event");
    assert_eq!(last["status"], "succeeded", "{events:?}");
    let progress: Vec<f64> = events
        .iter()
        .filter_map(|(_, e)| e["progress"].as_f64())
        .collect();
    assert!(
        progress.windows(2).all(|w| w[0] <= w[1]),
        "progress never goes back: {progress:?}"
    );
    for run in [&simulation, &plan] {
        let info = round.coord.wait_for_run(run).await;
        assert_eq!(info["status"], "succeeded", "{info}");
        assert_eq!(info["progress"], 1.0, "{info}");
    }
    let (chunks,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM run_chunks WHERE run = $1 AND status = 'succeeded' AND result IS NOT NULL",
    )
    .bind(&simulation)
    .fetch_one(&app.db.pool)
    .await
    .expect("count");
    assert_eq!(chunks, 4, "10 samples in chunks of 3");

    let merged = round
        .coord
        .get(&format!("/runs/{simulation}/result"))
        .await
        .expect(200)
        .text;
    let frozen = round
        .coord
        .get(&format!("/runs/{simulation}/scenario"))
        .await
        .expect(200)
        .text;
    let whole: caisson_server::runs::RunRequest =
        serde_json::from_value(request).expect("a run request");
    let alone =
        caisson_server::runs::execute(&whole, &frozen, &std::sync::atomic::AtomicU64::new(0))
            .expect("simulates in one process");
    assert_eq!(
        merged, alone,
        "the merged chunks are the one-process simulation"
    );
    for worker in &mut workers {
        worker.kill().await.expect("stop a worker");
    }
    app.stop().await;
}
both!(chunked_simulation_on_separate_workers);
