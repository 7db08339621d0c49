use serde_json::{json, Value};

use crate::both;
use crate::support::{observer, Backend, TestApp, NEED};

/// State B's part: its demand and a policy denying exports to CCC.
fn need_and_policy() -> String {
    format!(
        "{NEED}\n[[policy]]\nid = \"no-ccc\"\nname = \"B: no exports to C\"\nscope = \"BBB\"\ndeny_export = [\"CCC\"]\n"
    )
}

/// The cell of the matrix for `exporter` -> `buyer`.
fn cell<'a>(matrix: &'a Value, exporter: &str, buyer: &str) -> &'a Value {
    matrix["cells"]
        .as_array()
        .expect("cells")
        .iter()
        .find(|c| c["exporter"] == exporter && c["buyer"] == buyer)
        .unwrap_or_else(|| panic!("no cell {exporter} -> {buyer}: {matrix}"))
}

/// The explorer's matrix and per-pair trace: every member reads them,
/// with the deciding policy and its owner; non-members and unknown
/// rounds get 404; no answer names a facility or demand the caller may
/// not see, with or without `?product=`.
async fn the_compliance_explorer(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let round = app.round().await;
    round
        .prod
        .put_toml(
            &format!("/rounds/{}/contributions/prod", round.id),
            crate::support::PLANT,
        )
        .await
        .expect(200);
    round
        .state
        .put_toml(
            &format!("/rounds/{}/contributions/stateb", round.id),
            &need_and_policy(),
        )
        .await
        .expect(200);
    let matrix_path = format!("/rounds/{}/compliance", round.id);
    let explain_path = format!("/rounds/{}/compliance/explain", round.id);

    for party in [&round.coord, &round.prod, &round.state] {
        let matrix = party.get(&matrix_path).await.expect(200).json();
        assert_eq!(matrix["exporters"], json!(["AAA", "BBB", "CCC"]));
        assert_eq!(matrix["buyers"], json!(["AAA", "BBB", "CCC"]));
        // Every ordered pair of distinct actors, nothing for an actor to itself.
        assert_eq!(
            matrix["cells"].as_array().map(Vec::len),
            Some(6),
            "{matrix}"
        );
        let denied = cell(&matrix, "BBB", "CCC");
        assert_eq!(denied["allowed"], false, "{denied}");
        assert_eq!(denied["denied_by"]["policy"], "stateb:no-ccc", "{denied}");
        assert_eq!(denied["denied_by"]["owner"], "stateb", "{denied}");
        assert_eq!(denied["denied_by"]["list"], "deny_export", "{denied}");
        assert!(
            denied["denied_by"]["reason"]
                .as_str()
                .is_some_and(|r| r.contains("BBB may not export to CCC")),
            "{denied}"
        );
        let allowed = cell(&matrix, "AAA", "BBB");
        assert_eq!(allowed["allowed"], true, "{allowed}");
        assert!(allowed.get("denied_by").is_none(), "{allowed}");
        let policies = matrix["policies"].as_array().expect("policies");
        assert_eq!(policies.len(), 1, "{matrix}");
        assert_eq!(policies[0]["owner"], "stateb");
        assert_eq!(policies[0]["scope"], "BBB");

        let trace = party
            .get(&format!("{explain_path}?from=BBB&to=CCC"))
            .await
            .expect(200)
            .json();
        assert_eq!(trace["allowed"], false, "{trace}");
        assert_eq!(trace["end_user"], "CCC");
        assert_eq!(trace["rules"].as_array().map(Vec::len), Some(3), "{trace}");
        // Rule 1 checked the policy and found it decisive; rule 2 is the
        // buyer to itself and does not apply.
        let rule1 = &trace["rules"][0];
        assert_eq!(rule1["applies"], true);
        assert_eq!(rule1["checks"][0]["policy"], "stateb:no-ccc", "{trace}");
        assert_eq!(rule1["checks"][0]["matched"], "CCC", "{trace}");
        assert_eq!(rule1["checks"][0]["decisive"], true, "{trace}");
        assert_eq!(trace["rules"][1]["applies"], false, "{trace}");
        let summary = trace["summary"].as_str().expect("summary");
        assert!(
            summary.contains("stateb:no-ccc") && summary.contains("stateb"),
            "{summary}"
        );
        // A shipment to BBB for use by CCC: rule 1 allows, rule 2 (the
        // re-transfer BBB -> CCC) denies by the same policy.
        let trace = party
            .get(&format!("{explain_path}?from=AAA&to=BBB&end_user=CCC"))
            .await
            .expect(200)
            .json();
        assert_eq!(trace["allowed"], false, "{trace}");
        assert_eq!(trace["rules"][0]["allowed"], true, "{trace}");
        assert_eq!(trace["rules"][1]["allowed"], false, "{trace}");
        assert!(
            trace["denied_by"]["rule"]
                .as_str()
                .is_some_and(|r| r.starts_with("rule 2")),
            "{trace}"
        );
        let trace = party
            .get(&format!("{explain_path}?from=AAA&to=BBB"))
            .await
            .expect(200)
            .json();
        assert_eq!(trace["allowed"], true, "{trace}");
        assert!(trace.get("denied_by").is_none(), "{trace}");
        // Bad input: an unknown actor or product is a bad request, named.
        let bad = party
            .get(&format!("{explain_path}?from=AAA&to=ZZZ"))
            .await
            .expect(400);
        assert!(bad.text.contains("ZZZ"), "{}", bad.text);
        party
            .get(&format!("{explain_path}?from=AAA"))
            .await
            .expect(400);
        party
            .get(&format!("{matrix_path}?product=nope"))
            .await
            .expect(400);
    }

    // `?product=` narrows by what the caller views: the producer its own
    // plant's actor as exporter (it views no demand: every buyer); the
    // state its own demand's buyer (it views no facility: every exporter).
    let prod_view = round
        .prod
        .get(&format!("{matrix_path}?product=shell"))
        .await
        .expect(200);
    assert_eq!(prod_view.json()["exporters"], json!(["AAA"]));
    assert_eq!(prod_view.json()["buyers"], json!(["AAA", "BBB", "CCC"]));
    let state_view = round
        .state
        .get(&format!("{matrix_path}?product=shell"))
        .await
        .expect(200);
    assert_eq!(state_view.json()["exporters"], json!(["AAA", "BBB", "CCC"]));
    assert_eq!(state_view.json()["buyers"], json!(["BBB"]));
    let coord_view = round
        .coord
        .get(&format!("{matrix_path}?product=shell"))
        .await
        .expect(200);
    assert_eq!(coord_view.json()["exporters"], json!(["AAA"]));
    assert_eq!(coord_view.json()["buyers"], json!(["BBB"]));
    // The coordinator's narrowing read the producer's plant and the state's
    // demand: each is in its owner's access log; the producer's own read
    // of its plant is in nobody's.
    for (owner, entity) in [
        (&round.prod, "facility prod:plant"),
        (&round.state, "demand stateb:need"),
    ] {
        let log = owner.get("/access-log").await.expect(200).json();
        let reads: Vec<&Value> = log
            .as_array()
            .expect("a list")
            .iter()
            .filter(|e| e["endpoint"] == "GET compliance matrix")
            .collect();
        assert_eq!(reads.len(), 1, "{log}");
        assert_eq!(reads[0]["reader_organisation"], "coord", "{log}");
        assert!(reads[0]["entities"].to_string().contains(entity), "{log}");
    }

    // No answer names an entity its caller may not see: the producer never
    // reads the state's demand, the state never the producer's plant.
    for path in [
        matrix_path.clone(),
        format!("{matrix_path}?product=shell"),
        format!("{explain_path}?from=AAA&to=BBB"),
        format!("{explain_path}?from=BBB&to=CCC&product=shell"),
    ] {
        let text = round.prod.get(&path).await.expect(200).text;
        assert!(!text.contains("need"), "{path}: {text}");
        let text = round.state.get(&path).await.expect(200).text;
        assert!(!text.contains("plant"), "{path}: {text}");
    }

    // Non-members and unknown rounds: 404, the same answer.
    let outsider = app.party(observer()).await;
    for path in [
        matrix_path.clone(),
        format!("{explain_path}?from=BBB&to=CCC"),
    ] {
        let answer = outsider.get(&path).await.expect(404);
        assert_eq!(answer.code(), "not_found");
    }
    let missing = round
        .coord
        .get("/rounds/0123456789abcdef0123456789abcdef/compliance")
        .await
        .expect(404);
    assert_eq!(missing.code(), "not_found");
    app.anonymous().get(&matrix_path).await.expect(401);
    app.stop().await;
}

both!(the_compliance_explorer);

/// The report of analysis runs: the coordinator reads the HTML report of
/// a `compare` run (the comparison section) and of a `risk` run (the
/// criticality ranking), built by caisson-html; members get 404 for them
/// as for the runs themselves; a `recommend` run has no report.
async fn analysis_runs_have_reports(backend: Backend) {
    let app = TestApp::start(backend, 1).await;
    let round = app.contributed_round().await;
    let compare = round
        .start_run(&json!({
            "kind": "compare",
            "variants": [{"label": "more-need", "changes": {"demand": [
                {"id": "stateb:need", "buyer": "BBB", "product": "shell", "quantity": 150, "penalty": 1000}
            ]}}],
        }))
        .await;
    // Solves at once: for analysis runs (here on two threads), not plans.
    let risk = round
        .start_run(&json!({"kind": "risk", "options": {"threads": 2}}))
        .await;
    let refused = round
        .coord
        .post_json(
            &format!("/rounds/{}/runs", round.id),
            &json!({"kind": "plan", "options": {"threads": 2}}),
        )
        .await
        .expect(400);
    assert!(refused.text.contains("threads"), "{}", refused.text);
    let recommend = round.start_run(&json!({"kind": "recommend"})).await;
    for run in [&compare, &risk, &recommend] {
        let info = round.coord.wait_for_run(run).await;
        assert_eq!(info["status"], "succeeded", "{info}");
    }
    for (run, section) in [(&compare, "\"comparison\""), (&risk, "\"criticality\"")] {
        let page = round
            .coord
            .get(&format!("/runs/{run}/report"))
            .await
            .expect(200);
        assert!(
            page.content_type.starts_with("text/html"),
            "{}",
            page.content_type
        );
        assert!(
            page.text.starts_with("<!DOCTYPE html>"),
            "{}",
            &page.text[..100]
        );
        assert!(page.text.contains(section), "no {section} in the report");
        assert!(page.text.contains("Content-Security-Policy"));
        for member in [&round.prod, &round.state] {
            let answer = member.get(&format!("/runs/{run}/report")).await.expect(404);
            assert_eq!(answer.code(), "not_found");
        }
    }
    let page = round
        .coord
        .get(&format!("/runs/{compare}/report"))
        .await
        .text;
    assert!(
        page.contains("more-need"),
        "the variant is not in the comparison"
    );
    round
        .coord
        .get(&format!("/runs/{recommend}/report"))
        .await
        .expect(404);
    app.stop().await;
}

both!(analysis_runs_have_reports);
