use reqwest::Method;

use crate::both;
use crate::support::{observer, producer, Backend, TestApp, NEED, PLANT, REFERENCE};

async fn count(app: &TestApp, table: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    n
}

async fn rounds_and_members(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let round = app.round().await;
    let info = round
        .coord
        .get(&format!("/rounds/{}", round.id))
        .await
        .expect(200)
        .json();
    assert_eq!(info["name"], "test-round");
    assert_eq!(info["reference_version"], 1);
    let members: Vec<&str> = info["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(|m| m["organisation"].as_str())
        .collect();
    assert_eq!(members, ["coord", "prod", "stateb"]);
    // Round ids are opaque 128-bit strings.
    assert_eq!(round.id.len(), 32);
    assert!(round.id.chars().all(|c| c.is_ascii_hexdigit()));

    // Listing: the members see the round, an observer does not.
    let listed = round.prod.get("/rounds").await.expect(200).json();
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    let ngo = app.party(observer()).await;
    assert_eq!(
        ngo.get("/rounds").await.expect(200).json(),
        serde_json::json!([])
    );
    // A round the caller may not see answers exactly like a missing one.
    let hidden = ngo.get(&format!("/rounds/{}", round.id)).await.expect(404);
    let missing = ngo
        .get("/rounds/00000000000000000000000000000000")
        .await
        .expect(404);
    assert_eq!(hidden.text, missing.text);

    let path = format!("/rounds/{}/members", round.id);
    // Twice: 409.
    let answer = round
        .coord
        .post_json(&path, &serde_json::json!({"organisation": "prod"}))
        .await
        .expect(409);
    assert_eq!(answer.code(), "conflict");
    // An observer is never a member: 422.
    let answer = round
        .coord
        .post_json(&path, &serde_json::json!({"organisation": "ngo"}))
        .await
        .expect(422);
    assert_eq!(answer.code(), "invalid_member");
    // An unknown organisation: 404.
    round
        .coord
        .post_json(&path, &serde_json::json!({"organisation": "nobody"}))
        .await
        .expect(404);
    // Unknown fields and malformed JSON: 400, nothing stored.
    let answer = round
        .coord
        .post_json(
            &path,
            &serde_json::json!({"organisation": "ngo", "role": "x"}),
        )
        .await
        .expect(400);
    assert_eq!(answer.code(), "bad_request");
    let answer = round
        .coord
        .send(
            Method::POST,
            &path,
            Some(("application/json", "{\"organisation\":")),
        )
        .await
        .expect(400);
    assert_eq!(answer.code(), "bad_request");
    // Only the coordinator adds members: another member sees the round (403).
    let answer = round
        .prod
        .post_json(&path, &serde_json::json!({"organisation": "ngo"}))
        .await
        .expect(403);
    assert_eq!(answer.code(), "forbidden");
    assert_eq!(count(&app, "members").await, 3);

    // Only a coordinator creates rounds.
    let answer = round
        .prod
        .send(
            Method::POST,
            "/rounds",
            Some(("application/toml", REFERENCE)),
        )
        .await
        .expect(403);
    assert_eq!(answer.code(), "forbidden");
    // A reference part with a facility is refused (not a reference table).
    let bad = format!("{REFERENCE}\n{PLANT}");
    let answer = round
        .coord
        .send(Method::POST, "/rounds", Some(("application/toml", &bad)))
        .await;
    assert!(answer.status.is_client_error(), "{}", answer.text);
    assert_eq!(count(&app, "rounds").await, 1);
    app.stop().await;
}
both!(rounds_and_members);

async fn contributions_are_versioned(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let round = app.round().await;
    let path = format!("/rounds/{}/contributions/prod", round.id);
    let v1 = round.prod.put_toml(&path, PLANT).await.expect(200).json();
    assert_eq!(v1["version"], 1);
    // An identical body makes no new version.
    let again = round.prod.put_toml(&path, PLANT).await.expect(200).json();
    assert_eq!(again["version"], 1);
    let changed = PLANT.replace("capacity = 100", "capacity = 120");
    let v2 = round
        .prod
        .put_toml(&path, &changed)
        .await
        .expect(200)
        .json();
    assert_eq!(v2["version"], 2);

    let versions = round
        .prod
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
    assert_eq!(numbers, [1, 2]);
    assert!(versions[0]["user"]
        .as_str()
        .is_some_and(|u| u.starts_with("editor-")));

    let latest = round.prod.get(&path).await.expect(200);
    assert_eq!(latest.text, changed);
    assert!(latest.content_type.starts_with("application/toml"));
    let first = round
        .prod
        .get(&format!("{path}/versions/1"))
        .await
        .expect(200);
    assert_eq!(first.text, PLANT);
    round
        .prod
        .get(&format!("{path}/versions/9"))
        .await
        .expect(404);
    let json = round
        .prod
        .send_with(Method::GET, &path, None, &[("accept", "application/json")])
        .await
        .expect(200);
    assert!(json.content_type.starts_with("application/json"));
    assert_eq!(json.json()["facility"][0]["line"][0]["capacity"], 120);
    let diff = round
        .prod
        .get(&format!("{path}/diff?from=1&to=2"))
        .await
        .expect(200)
        .json();
    let text = diff["diff"].as_str().expect("diff");
    assert!(
        text.contains("-capacity = 100") && text.contains("+capacity = 120"),
        "{text}"
    );

    // A JSON fragment is answered as JSON.
    let need_json = serde_json::json!({"demand": [{"id": "need", "buyer": "BBB", "product": "shell", "quantity": 50, "penalty": 1000}]});
    let state_path = format!("/rounds/{}/contributions/stateb", round.id);
    round
        .state
        .send(
            Method::PUT,
            &state_path,
            Some(("application/json", &need_json.to_string())),
        )
        .await
        .expect(200);
    let back = round.state.get(&state_path).await.expect(200);
    assert!(back.content_type.starts_with("application/json"));

    // The coordinator sees the whole assembled scenario, qualified ids.
    let scenario = round
        .coord
        .get(&format!("/rounds/{}/scenario", round.id))
        .await
        .expect(200);
    assert!(scenario.text.contains("prod:plant"), "{}", scenario.text);
    assert!(scenario.text.contains("stateb:need"));
    // State B does not view the producer's facility (its actor is AAA).
    let seen = round
        .state
        .get(&format!("/rounds/{}/scenario", round.id))
        .await
        .expect(200);
    assert!(!seen.text.contains("prod:plant"), "{}", seen.text);
    assert!(seen.text.contains("stateb:need"));
    // State B may not read the producer's contribution: 404, as if missing.
    let hidden = round.state.get(&path).await.expect(404);
    let missing = round
        .state
        .get(&format!("/rounds/{}/contributions/zzz", round.id))
        .await
        .expect(404);
    assert_eq!(hidden.text, missing.text);

    // The producer sees in its access log that the coordinator read its data.
    let log = round.prod.get("/access-log").await.expect(200).json();
    assert!(
        log.as_array()
            .expect("log")
            .iter()
            .any(|e| e["reader_organisation"] == "coord"),
        "{log}"
    );
    app.stop().await;
}
both!(contributions_are_versioned);

async fn bad_contributions_store_nothing(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let round = app.round().await;
    let path = format!("/rounds/{}/contributions/prod", round.id);
    let prod = &round.prod;

    let cases: Vec<(&str, String, u16, &str)> = vec![
        (
            "application/toml",
            "[[facility]\nid = ".into(),
            422,
            "invalid_scenario",
        ),
        (
            "application/json",
            "{\"facility\": [".into(),
            422,
            "invalid_scenario",
        ),
        (
            "application/toml",
            PLANT.replace("capacity = 100", "capacity = 100\ncolour = \"red\""),
            422,
            "invalid_scenario",
        ),
        // A facility of another actor, a table a producer may not write,
        // an id carrying another organisation's prefix: not owned.
        (
            "application/toml",
            PLANT.replace("actor = \"AAA\"", "actor = \"BBB\""),
            403,
            "not_owned",
        ),
        ("application/toml", NEED.to_owned(), 403, "not_owned"),
        (
            "application/toml",
            PLANT.replace("id = \"plant\"", "id = \"stateb:plant\""),
            403,
            "not_owned",
        ),
        (
            "application/toml",
            format!("[scenario]\nname = \"x\"\n{PLANT}"),
            403,
            "not_owned",
        ),
        // The assembled scenario would be invalid: a product nobody defined.
        (
            "application/toml",
            PLANT.replace("shell = {", "bullet = {"),
            422,
            "invalid_scenario",
        ),
        (
            "text/plain",
            PLANT.to_owned(),
            415,
            "unsupported_media_type",
        ),
    ];
    for (content_type, body, status, code) in &cases {
        let answer = prod
            .send(Method::PUT, &path, Some((content_type, body)))
            .await
            .expect(*status);
        assert_eq!(&answer.code(), code, "{body}: {}", answer.text);
        if *code == "invalid_scenario" {
            assert!(
                answer.json()["error"]["diagnostics"]
                    .as_array()
                    .is_some_and(|d| !d.is_empty()),
                "{}",
                answer.text
            );
        }
    }
    // Over 16 MiB: 413 in the error envelope.
    let huge = format!("# {}\n{PLANT}", "x".repeat(17 * 1024 * 1024));
    let answer = prod.put_toml(&path, &huge).await.expect(413);
    assert_eq!(answer.code(), "payload_too_large");
    // Unknown round, unknown organisation, another member's document.
    prod.put_toml(
        "/rounds/ffffffffffffffffffffffffffffffff/contributions/prod",
        PLANT,
    )
    .await
    .expect(404);
    prod.put_toml(&format!("/rounds/{}/contributions/nobody", round.id), PLANT)
        .await
        .expect(404);
    prod.put_toml(&format!("/rounds/{}/contributions/stateb", round.id), PLANT)
        .await
        .expect(404);
    // The coordinator views the producer's document but may not write it.
    let answer = round.coord.put_toml(&path, PLANT).await.expect(403);
    assert_eq!(answer.code(), "forbidden");
    // A viewer of the producer may not write either.
    let viewer = app
        .party_with_role(producer(), caisson_platform::Role::Viewer)
        .await;
    let answer = viewer.put_toml(&path, PLANT).await.expect(403);
    assert_eq!(answer.code(), "forbidden");
    assert_eq!(count(&app, "contributions").await, 0);

    // A refused write leaves the previous version in force.
    prod.put_toml(&path, PLANT).await.expect(200);
    prod.put_toml(&path, &PLANT.replace("shell = {", "bullet = {"))
        .await
        .expect(422);
    assert_eq!(prod.get(&path).await.expect(200).text, PLANT);
    assert_eq!(count(&app, "contributions").await, 1);
    app.stop().await;
}
both!(bad_contributions_store_nothing);

/// `POST .../contributions/{org}/check` answers exactly as the `PUT` of the
/// same body would (status, code, located diagnostics, who may) and stores
/// nothing, valid or not.
async fn checking_a_contribution_stores_nothing(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let round = app.round().await;
    let path = format!("/rounds/{}/contributions/prod", round.id);
    let check = format!("{path}/check");
    let prod = &round.prod;
    let cases: Vec<(&str, String)> = vec![
        ("application/toml", "[[facility]\nid = ".into()),
        (
            "application/toml",
            PLANT.replace("capacity = 100", "capacity = -5"),
        ),
        (
            "application/toml",
            PLANT.replace("actor = \"AAA\"", "actor = \"BBB\""),
        ),
        ("application/toml", PLANT.replace("shell = {", "bullet = {")),
        ("text/plain", PLANT.to_owned()),
    ];
    for (content_type, body) in &cases {
        let checked = prod
            .send(Method::POST, &check, Some((content_type, body)))
            .await;
        assert!(checked.status.as_u16() >= 400, "{body}: {}", checked.text);
        assert_eq!(count(&app, "contributions").await, 0, "{body}");
        let written = prod
            .send(Method::PUT, &path, Some((content_type, body)))
            .await;
        assert_eq!(
            (checked.status, checked.json()),
            (written.status, written.json()),
            "check and write answer alike for {body}"
        );
    }
    // The negative capacity is located at its line in the submitted text.
    let answer = prod
        .send(
            Method::POST,
            &check,
            Some((
                "application/toml",
                &PLANT.replace("capacity = 100", "capacity = -5"),
            )),
        )
        .await
        .expect(422);
    let diagnostics = answer.json()["error"]["diagnostics"].clone();
    assert!(
        diagnostics
            .as_array()
            .is_some_and(|d| d.iter().any(|d| d["line"].as_u64().is_some())),
        "{diagnostics}"
    );
    // A valid body: 200, and still nothing stored.
    let answer = prod
        .send(Method::POST, &check, Some(("application/toml", PLANT)))
        .await
        .expect(200);
    assert_eq!(answer.json()["valid"], true);
    assert_eq!(count(&app, "contributions").await, 0);
    // Who may check is who may write: 403 for the coordinator (it views
    // the document), 404 for another member's document.
    round
        .coord
        .send(Method::POST, &check, Some(("application/toml", PLANT)))
        .await
        .expect(403);
    prod.send(
        Method::POST,
        &format!("/rounds/{}/contributions/stateb/check", round.id),
        Some(("application/toml", PLANT)),
    )
    .await
    .expect(404);
    app.stop().await;
}
both!(checking_a_contribution_stores_nothing);
