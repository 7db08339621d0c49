use std::collections::BTreeMap;
use std::sync::Arc;

use reqwest::Method;
use serde_json::json;
use tokio::sync::Mutex;

use crate::both;
use crate::support::{spawn_worker, Backend, TestApp, PLANT};

/// A worker killed with SIGKILL while it holds a run: another worker
/// claims the run once the lease expires and completes it, once.
async fn a_killed_worker_loses_its_run_to_another(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let round = app.contributed_round().await;
    let id = round.start_run(&json!({"kind": "plan"})).await;
    // Worker A claims the run and holds it (renewing its 2 s lease) far
    // longer than the test: it can only lose the run by dying.
    let mut first = spawn_worker(&app.database, &["--hold-after-claim-ms", "600000"]);
    let mut claimed = false;
    for _ in 0..600 {
        let info = round
            .coord
            .get(&format!("/runs/{id}"))
            .await
            .expect(200)
            .json();
        if info["status"] == "running" {
            claimed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(claimed, "worker A never claimed the run");
    first.kill().await.expect("SIGKILL worker A");
    let mut second = spawn_worker(&app.database, &[]);
    let info = round.coord.wait_for_run(&id).await;
    assert_eq!(info["status"], "succeeded", "{info}");
    assert_eq!(info["attempts"], 2, "{info}");
    let (results,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM results WHERE run = $1")
        .bind(&id)
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(results, 1);
    let plan = round
        .coord
        .get(&format!("/runs/{id}/plan"))
        .await
        .expect(200)
        .json();
    assert_eq!(plan["status"], "optimal");
    second.kill().await.expect("stop worker B");
    app.stop().await;
}
both!(a_killed_worker_loses_its_run_to_another);

/// The server killed with SIGKILL during a burst of contribution writes:
/// after a restart every version answered 2xx is there with its exact
/// body, versions are numbered without gaps, and every stored version is
/// one that was sent (a write in flight at the kill may or may not have
/// committed, but never half).
async fn a_killed_server_keeps_every_answered_write(backend: Backend) {
    let mut app = TestApp::spawn(backend, 0).await;
    let round = app.round().await;
    let path = format!("/rounds/{}/contributions/prod", round.id);
    let answered: Arc<Mutex<BTreeMap<i64, String>>> = Arc::default();
    let sent: Arc<Mutex<Vec<String>>> = Arc::default();
    let (enough, mut enough_rx) = tokio::sync::watch::channel(false);
    let mut writers = Vec::new();
    for writer in 0..4 {
        let prod = round.prod.clone();
        let path = path.clone();
        let answered = Arc::clone(&answered);
        let sent = Arc::clone(&sent);
        let enough = enough.clone();
        writers.push(tokio::spawn(async move {
            for n in 0..200 {
                let body = PLANT.replace(
                    "capacity = 100",
                    &format!("capacity = {}", 1000 + writer * 1000 + n),
                );
                sent.lock().await.push(body.clone());
                let answer = prod
                    .try_send(Method::PUT, &path, Some(("application/toml", &body)), &[])
                    .await;
                let Ok(answer) = answer else { return };
                if answer.status.is_success() {
                    let version = answer.json()["version"].as_i64().expect("version");
                    let mut answered = answered.lock().await;
                    answered.insert(version, body);
                    if answered.len() >= 20 {
                        let _ = enough.send(true);
                    }
                }
            }
        }));
    }
    let _ = enough_rx.wait_for(|e| *e).await;
    app.kill_and_restart(0).await;
    for writer in writers {
        let _ = writer.await;
    }
    let answered = answered.lock().await.clone();
    let sent = sent.lock().await.clone();
    assert!(answered.len() >= 20);

    let prod = round.prod.at(&app.url);
    let versions = prod
        .get(&format!("{path}/versions"))
        .await
        .expect(200)
        .json();
    let numbers: Vec<i64> = versions
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|v| v["version"].as_i64())
        .collect();
    let expected: Vec<i64> = (1..=numbers.len() as i64).collect();
    assert_eq!(numbers, expected, "versions are numbered without gaps");
    for (version, body) in &answered {
        let stored = prod
            .get(&format!("{path}/versions/{version}"))
            .await
            .expect(200);
        assert_eq!(&stored.text, body, "version {version} changed");
    }
    for version in &numbers {
        let stored = prod
            .get(&format!("{path}/versions/{version}"))
            .await
            .expect(200);
        assert!(
            sent.contains(&stored.text),
            "version {version} holds a body never sent"
        );
    }
    app.stop().await;
}
both!(a_killed_server_keeps_every_answered_write);
