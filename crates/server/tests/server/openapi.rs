use reqwest::Method;

use crate::both;
use crate::support::{Backend, TestApp};

/// Every operation of the document is routed: without a token each answers
/// 401 (or, for the public ones and the ledger's reads, what they answer
/// anyone), never the router's 405.
async fn every_documented_operation_is_routed(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let anonymous = app.anonymous();
    let doc = anonymous.get("/openapi.json").await.expect(200).json();
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 20, "only {} paths", paths.len());
    for (path, item) in paths {
        let concrete = path
            .strip_prefix("/api/v1")
            .expect("under /api/v1")
            .split('/')
            .map(|s| if s.starts_with('{') { "1" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        for (method, operation) in item.as_object().expect("item") {
            let method: Method = method.to_uppercase().parse().expect("method");
            let answer = anonymous.send(method.clone(), &concrete, None).await;
            let public = concrete == "/health" || concrete == "/openapi.json";
            // The ledger is readable by anyone: its reads answer without a
            // token (here: the empty log's entry 404, proofs without their
            // parameters 400), never 401.
            let ledger_read = method == Method::GET && concrete.starts_with("/ledger/");
            // Signing in needs no credentials: an empty body is 415.
            let sign_in = method == Method::POST && concrete == "/session";
            if sign_in {
                assert_eq!(
                    answer.status.as_u16(),
                    415,
                    "{method} {path}: {}",
                    answer.text
                );
            } else if ledger_read {
                assert!(
                    [200, 400, 404].contains(&answer.status.as_u16()),
                    "{method} {path}: {} {}",
                    answer.status,
                    answer.text
                );
            } else {
                let expected = if public { 200 } else { 401 };
                assert_eq!(
                    answer.status.as_u16(),
                    expected,
                    "{method} {path}: {}",
                    answer.text
                );
            }
            let public = public || ledger_read;
            assert!(
                operation["responses"]
                    .as_object()
                    .is_some_and(|r| !r.is_empty()),
                "{method} {path} documents no response"
            );
            if !public {
                assert!(
                    operation["responses"]["401"].is_object(),
                    "{method} {path} does not document 401"
                );
            }
        }
    }
    // And what is not documented is not routed.
    anonymous.get("/nothing-here").await.expect(404);
    let answer = anonymous
        .send(Method::DELETE, "/health", None)
        .await
        .expect(405);
    assert_eq!(answer.code(), "method_not_allowed");
    app.stop().await;
}
both!(every_documented_operation_is_routed);
