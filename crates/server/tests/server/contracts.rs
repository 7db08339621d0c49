use reqwest::Method;
use serde_json::{json, Value};

use crate::both;
use crate::support::{observer, Backend, Party, Round, TestApp};

async fn propose(party: &Party, round: &Round, body: &Value) -> crate::support::Answer {
    party
        .post_json(&format!("/rounds/{}/contracts", round.id), body)
        .await
}

async fn act(party: &Party, id: &str, action: &str) -> crate::support::Answer {
    party
        .send(Method::POST, &format!("/contracts/{id}/{action}"), None)
        .await
}

fn offer(facility: Option<&str>) -> Value {
    let mut body = json!({
        "supplier": "prod", "buyer": "BBB", "product": "shell",
        "quantity": 30, "penalty": 5, "price": 100
    });
    if let Some(facility) = facility {
        body["facility"] = json!(facility);
    }
    body
}

/// A buyer proposes, the supplier signs; the contract is then in the
/// assembled scenario and in the plan; every refusal names its rule.
async fn proposed_accepted_and_planned(backend: Backend) {
    let app = TestApp::start(backend, 1).await;
    let round = app.contributed_round().await;

    let proposed = propose(&round.state, &round, &offer(Some("plant")))
        .await
        .expect(201)
        .json();
    assert_eq!(proposed["status"], "proposed");
    let id = proposed["id"].as_str().expect("id").to_owned();
    assert_eq!(id.len(), 32, "128 random bits in hex: {id}");

    // The proposer cannot accept its own proposal; the supplier can, once.
    assert_eq!(
        act(&round.state, &id, "accept").await.expect(403).code(),
        "forbidden"
    );
    let signed = act(&round.prod, &id, "accept").await.expect(200).json();
    assert_eq!(signed, json!({"id": id, "status": "signed"}));
    assert_eq!(
        act(&round.prod, &id, "accept").await.expect(409).code(),
        "conflict"
    );
    assert_eq!(
        act(&round.state, &id, "withdraw").await.expect(409).code(),
        "conflict"
    );

    // Both sides and the coordinator list it, signed, with its facility.
    for party in [&round.state, &round.prod, &round.coord] {
        let listed = party
            .get(&format!("/rounds/{}/contracts", round.id))
            .await
            .expect(200)
            .json();
        assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
        assert_eq!(listed[0]["status"], "signed");
        assert_eq!(listed[0]["facility"], "prod:plant");
        assert_eq!(listed[0]["proposer"], "stateb");
    }

    // Signed contracts enter the assembled scenario, and the plan.
    let scenario = round
        .coord
        .send_with(
            Method::GET,
            &format!("/rounds/{}/scenario", round.id),
            None,
            &[("accept", "application/json")],
        )
        .await
        .expect(200)
        .json();
    assert_eq!(scenario["contract"][0]["id"], json!(id), "{scenario}");
    assert_eq!(scenario["contract"][0]["facility"], "prod:plant");
    let run = round.start_run(&json!({"kind": "plan"})).await;
    let info = round.coord.wait_for_run(&run).await;
    assert_eq!(info["status"], "succeeded", "{info}");
    let plan = round
        .coord
        .get(&format!("/runs/{run}/plan"))
        .await
        .expect(200)
        .json();
    let contracts = plan["contracts"].as_array().expect("contracts");
    assert!(
        contracts.iter().any(|c| c["contract"] == json!(id)),
        "the plan reports the signed contract: {contracts:?}"
    );
    app.stop().await;
}
both!(proposed_accepted_and_planned);

/// Proposals that break a rule, decisions by the wrong side, and a
/// signature that would make the scenario invalid: each refused with its
/// code, nothing changed.
async fn bad_proposals_and_decisions(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let round = app.contributed_round().await;
    let path = format!("/rounds/{}/contracts", round.id);

    // Another producer's facility, a supplier that is no producer, a buyer
    // the caller does not own, unknown and negative fields.
    let code = |answer: crate::support::Answer| answer.code();
    assert_eq!(
        code(
            propose(&round.prod, &round, &offer(Some("other:plant")))
                .await
                .expect(422)
        ),
        "invalid_contract"
    );
    let mut not_producer = offer(None);
    not_producer["supplier"] = json!("stateb");
    assert_eq!(
        code(
            propose(&round.state, &round, &not_producer)
                .await
                .expect(422)
        ),
        "invalid_contract"
    );
    let mut not_mine = offer(None);
    not_mine["buyer"] = json!("CCC");
    assert_eq!(
        code(propose(&round.state, &round, &not_mine).await.expect(403)),
        "forbidden"
    );
    let mut unknown_field = offer(None);
    unknown_field["bonus"] = json!(1);
    assert_eq!(
        code(
            propose(&round.state, &round, &unknown_field)
                .await
                .expect(400)
        ),
        "bad_request"
    );
    let mut negative = offer(None);
    negative["penalty"] = json!(-1);
    assert_eq!(
        code(propose(&round.state, &round, &negative).await.expect(400)),
        "bad_request"
    );
    let nothing = round.coord.get(&path).await.expect(200).json();
    assert_eq!(nothing, json!([]), "refused proposals store nothing");

    // Left open, the facility is named by the supplier on acceptance; a
    // facility that does not exist makes the scenario invalid: refused,
    // the proposal still open.
    let id = propose(&round.state, &round, &offer(None))
        .await
        .expect(201)
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        code(act(&round.prod, &id, "accept").await.expect(422)),
        "invalid_contract",
        "no facility named"
    );
    let ghost = round
        .prod
        .post_json(
            &format!("/contracts/{id}/accept"),
            &json!({"facility": "ghost"}),
        )
        .await
        .expect(422);
    assert_eq!(ghost.code(), "invalid_scenario");
    assert!(
        ghost.json()["error"]["diagnostics"].is_array(),
        "{}",
        ghost.text
    );
    let open = round
        .coord
        .get(&format!("/contracts/{id}"))
        .await
        .expect(200)
        .json();
    assert_eq!(open["status"], "proposed");
    assert_eq!(open["facility"], Value::Null);
    // The buyer may not name the supplier's facility.
    round
        .state
        .post_json(
            &format!("/contracts/{id}/accept"),
            &json!({"facility": "plant"}),
        )
        .await
        .expect(403);
    round
        .prod
        .post_json(
            &format!("/contracts/{id}/accept"),
            &json!({"facility": "plant"}),
        )
        .await
        .expect(200);

    // Withdraw is the proposer's, decline the other side's.
    let second = propose(&round.prod, &round, &offer(Some("prod:plant")))
        .await
        .expect(201)
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    act(&round.state, &second, "withdraw").await.expect(403);
    act(&round.prod, &second, "decline").await.expect(403);
    assert_eq!(
        act(&round.state, &second, "decline")
            .await
            .expect(200)
            .json()["status"],
        "declined"
    );
    let third = propose(&round.prod, &round, &offer(Some("plant")))
        .await
        .expect(201)
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(
        act(&round.prod, &third, "withdraw")
            .await
            .expect(200)
            .json()["status"],
        "withdrawn"
    );

    // Only the signed contract is in the assembled scenario.
    let scenario = round
        .coord
        .get(&format!("/rounds/{}/scenario", round.id))
        .await
        .expect(200)
        .text;
    assert_eq!(scenario.matches("[[contract]]").count(), 1, "{scenario}");
    assert!(scenario.contains(&id));

    // An unknown contract and one the caller may not see read the same.
    let outsider = app.party(observer()).await;
    let hidden = act(&outsider, &id, "accept").await.expect(404);
    let missing = act(&round.prod, "0123456789abcdef0123456789abcdef", "accept")
        .await
        .expect(404);
    assert_eq!(hidden.text, missing.text);
    outsider.get(&format!("/contracts/{id}")).await.expect(404);
    app.stop().await;
}
both!(bad_proposals_and_decisions);
