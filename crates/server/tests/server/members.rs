//! Removing a member from a round (`DELETE /rounds/{round}/members/{org}`,
//! an extension of the spec: docs/spec-readings.md).

use reqwest::Method;
use serde_json::{json, Value};

use crate::both;
use crate::support::{observer, Backend, TestApp};

async fn count(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    n
}

fn offer() -> Value {
    json!({
        "supplier": "prod", "buyer": "BBB", "product": "shell",
        "quantity": 30, "penalty": 5, "price": 100, "facility": "plant"
    })
}

/// A member with a signed contract stays; who may remove; hidden and
/// missing members answer 404; a refused removal changes nothing.
async fn removal_is_refused_and_hidden(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let round = app.contributed_round().await;
    let id = round
        .state
        .post_json(&format!("/rounds/{}/contracts", round.id), &offer())
        .await
        .expect(201)
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    round
        .prod
        .send(Method::POST, &format!("/contracts/{id}/accept"), None)
        .await
        .expect(200);
    let members = "SELECT COUNT(*) FROM members";
    let path = |org: &str| format!("/rounds/{}/members/{org}", round.id);
    // Both sides of the signed contract: 409, nothing changed.
    for org in ["prod", "stateb"] {
        let answer = round.coord.send(Method::DELETE, &path(org), None).await;
        let answer = answer.expect(409);
        assert_eq!(answer.code(), "conflict");
        assert!(answer.text.contains(&id), "{}", answer.text);
    }
    // The coordinator cannot leave its own round.
    round
        .coord
        .send(Method::DELETE, &path("coord"), None)
        .await
        .expect(409);
    // Another member sees the round but may not remove: 403.
    let answer = round
        .prod
        .send(Method::DELETE, &path("stateb"), None)
        .await
        .expect(403);
    assert_eq!(answer.code(), "forbidden");
    // An observer does not see the round: 404, as for a missing round.
    let ngo = app.party(observer()).await;
    let hidden = ngo
        .send(Method::DELETE, &path("prod"), None)
        .await
        .expect(404);
    let missing = ngo
        .send(
            Method::DELETE,
            "/rounds/00000000000000000000000000000000/members/prod",
            None,
        )
        .await
        .expect(404);
    assert_eq!(hidden.text, missing.text);
    // Not a member (an existing organisation, an unknown one): 404.
    round
        .coord
        .send(Method::DELETE, &path("ngo"), None)
        .await
        .expect(404);
    round
        .coord
        .send(Method::DELETE, &path("nobody"), None)
        .await
        .expect(404);
    assert_eq!(count(&app, members).await, 3);
    let signed = "SELECT COUNT(*) FROM contracts WHERE status = 'signed'";
    assert_eq!(count(&app, signed).await, 1);
    app.stop().await;
}
both!(removal_is_refused_and_hidden);

/// A member without signed contracts is removed: its contribution stays
/// stored but is no longer assembled, its proposals are withdrawn, it no
/// longer sees the round, and its access log says who removed it.
async fn member_without_contracts_is_removed(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let round = app.contributed_round().await;
    let id = round
        .state
        .post_json(&format!("/rounds/{}/contracts", round.id), &offer())
        .await
        .expect(201)
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let scenario = format!("/rounds/{}/scenario", round.id);
    let before = round.coord.get(&scenario).await.expect(200).text;
    assert!(before.contains("prod:plant"), "{before}");
    round
        .coord
        .send(
            Method::DELETE,
            &format!("/rounds/{}/members/prod", round.id),
            None,
        )
        .await
        .expect(204);
    let info = round
        .coord
        .get(&format!("/rounds/{}", round.id))
        .await
        .expect(200)
        .json();
    let members: Vec<&str> = info["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(|m| m["organisation"].as_str())
        .collect();
    assert_eq!(members, ["coord", "stateb"]);
    // Its part is no longer assembled, but stays stored.
    let after = round.coord.get(&scenario).await.expect(200).text;
    assert!(!after.contains("prod:plant"), "{after}");
    let stored = "SELECT COUNT(*) FROM contributions WHERE organisation = 'prod'";
    assert_eq!(count(&app, stored).await, 1);
    // Its pending proposal is withdrawn.
    let contract = round
        .state
        .get(&format!("/contracts/{id}"))
        .await
        .expect(200)
        .json();
    assert_eq!(contract["status"], "withdrawn");
    // It no longer sees the round.
    round
        .prod
        .get(&format!("/rounds/{}", round.id))
        .await
        .expect(404);
    round
        .prod
        .put_toml(
            &format!("/rounds/{}/contributions/prod", round.id),
            crate::support::PLANT,
        )
        .await
        .expect(404);
    // Its access log names the removal.
    let log = round.prod.get("/access-log").await.expect(200).json();
    assert!(
        log.as_array()
            .is_some_and(|rows| rows.iter().any(|r| r["endpoint"] == "DELETE member")),
        "{log}"
    );
    // Removed twice: 404. Added again: its stored part is assembled again.
    round
        .coord
        .send(
            Method::DELETE,
            &format!("/rounds/{}/members/prod", round.id),
            None,
        )
        .await
        .expect(404);
    round
        .coord
        .post_json(
            &format!("/rounds/{}/members", round.id),
            &json!({"organisation": "prod"}),
        )
        .await
        .expect(201);
    let again = round.coord.get(&scenario).await.expect(200).text;
    assert!(again.contains("prod:plant"), "{again}");
    app.stop().await;
}
both!(member_without_contracts_is_removed);
