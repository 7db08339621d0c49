use reqwest::Method;

use crate::both;
use crate::support::{coordinator, Backend, TestApp};

async fn health_and_me(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let anonymous = app.anonymous();
    let health = anonymous.get("/health").await.expect(200).json();
    assert_eq!(health, serde_json::json!({"status": "ok"}));
    let coord = app.party(coordinator()).await;
    let me = coord.get("/me").await.expect(200).json();
    assert_eq!(me["organisation"], "coord");
    assert_eq!(me["kind"], "coordinator");
    assert_eq!(me["role"], "editor");
    app.stop().await;
}
both!(health_and_me);

async fn missing_unknown_and_revoked_tokens_are_401(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let anonymous = app.anonymous();
    let answer = anonymous.get("/me").await.expect(401);
    assert_eq!(answer.code(), "unauthenticated");
    let answer = anonymous
        .send_with(
            Method::GET,
            "/me",
            None,
            &[("authorization", "Bearer caisson_nope")],
        )
        .await
        .expect(401);
    assert_eq!(answer.code(), "unauthenticated");
    let answer = anonymous
        .send_with(
            Method::GET,
            "/rounds",
            None,
            &[("authorization", "Basic abc")],
        )
        .await
        .expect(401);
    assert_eq!(answer.code(), "unauthenticated");

    let coord = app.party(coordinator()).await;
    coord.get("/me").await.expect(200);
    caisson_server::store::token_revoke(&app.db, &coord.token)
        .await
        .expect("revoke");
    let answer = coord.get("/me").await.expect(401);
    assert_eq!(answer.code(), "unauthenticated");
    // A revoked token writes nothing either.
    let answer = coord
        .send(
            Method::POST,
            "/rounds",
            Some(("application/toml", crate::support::REFERENCE)),
        )
        .await
        .expect(401);
    assert_eq!(answer.code(), "unauthenticated");
    let rounds: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM rounds")
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    assert_eq!(rounds.0, 0);
    app.stop().await;
}
both!(missing_unknown_and_revoked_tokens_are_401);

#[tokio::test]
async fn admin_commands_print_what_the_spec_says() {
    use caisson_server::cli::{admin_on, AdminCommand, OrgCommand, TokenCommand, UserCommand};
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}", dir.path().join("admin.db").display());
    let db = caisson_server::db::Db::open(&url).await.expect("open");
    let out = admin_on(
        &db,
        &AdminCommand::Org(OrgCommand::Add {
            id: "srb".into(),
            kind: "state".into(),
            actor: Some("SRB".into()),
            buys_for: vec![],
            blocs: vec![],
            group: None,
            name: Some("Serbia".into()),
        }),
    )
    .await
    .expect("org add");
    assert!(out.contains("srb"));
    // A state without an actor breaks spec section 1.
    assert!(admin_on(
        &db,
        &AdminCommand::Org(OrgCommand::Add {
            id: "x".into(),
            kind: "state".into(),
            actor: None,
            buys_for: vec![],
            blocs: vec![],
            group: None,
            name: None,
        }),
    )
    .await
    .is_err());
    let password = admin_on(
        &db,
        &AdminCommand::User(UserCommand::Add {
            org: "srb".into(),
            user: "ana".into(),
            role: "admin".into(),
        }),
    )
    .await
    .expect("user add");
    assert_eq!(password.trim().len(), 24);
    let token = admin_on(
        &db,
        &AdminCommand::Token(TokenCommand::Add {
            org: "srb".into(),
            user: "ana".into(),
        }),
    )
    .await
    .expect("token add");
    // Only the token, on one line.
    assert_eq!(token.lines().count(), 1);
    assert!(token.starts_with("caisson_"));
    let listed = admin_on(&db, &AdminCommand::Token(TokenCommand::List { org: None }))
        .await
        .expect("list");
    assert!(listed.contains("active") && !listed.contains(token.trim()));
    // Only the hash is stored.
    let stored: (String,) = sqlx::query_as("SELECT token_hash FROM api_tokens")
        .fetch_one(&db.pool)
        .await
        .expect("row");
    assert_ne!(stored.0, token.trim());
    let id = listed.split('\t').next().expect("id").to_owned();
    admin_on(
        &db,
        &AdminCommand::Token(TokenCommand::Revoke { token: id }),
    )
    .await
    .expect("revoke");
    let listed = admin_on(&db, &AdminCommand::Token(TokenCommand::List { org: None }))
        .await
        .expect("list");
    assert!(listed.contains("revoked"));
    let hash: (String,) = sqlx::query_as("SELECT password_hash FROM users")
        .fetch_one(&db.pool)
        .await
        .expect("row");
    assert!(hash.0.starts_with("$argon2id$"));
}
