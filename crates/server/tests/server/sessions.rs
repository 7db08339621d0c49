use caisson_platform::Role;
use caisson_server::auth::AuthConfig;
use caisson_server::ratelimit::{AuthLimits, Limit};
use caisson_server::store;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::both;
use crate::support::{client, coordinator, producer, Answer, Backend, Party, TestApp, REFERENCE};

/// A user made for the test, with its password.
struct Login {
    org: String,
    user: String,
    password: String,
}

/// Adds `org` (if new) and a user of `role` named `user`.
async fn login(
    app: &TestApp,
    org: caisson_platform::Organisation,
    user: &str,
    role: Role,
) -> Login {
    if store::org_get(&app.db.pool, &org.id)
        .await
        .expect("db")
        .is_none()
    {
        store::org_add(&app.db, &org).await.expect("org add");
    }
    let password = store::user_add(&app.db, &org.id, user, role)
        .await
        .expect("user add");
    Login {
        org: org.id,
        user: user.to_owned(),
        password,
    }
}

/// The answer to `POST /session` and its `Set-Cookie` header.
async fn try_sign_in(app: &TestApp, org: &str, user: &str, password: &str) -> (Answer, String) {
    let response = client()
        .post(format!("{}/api/v1/session", app.url))
        .json(&json!({"organisation": org, "user": user, "password": password}))
        .send()
        .await
        .expect("the server answers");
    let cookie = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join("\n");
    (answer(response).await, cookie)
}

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = response.text().await.expect("body");
    Answer {
        status,
        content_type,
        text,
    }
}

/// A browser signed in with the session cookie.
struct Browser {
    url: String,
    secret: String,
    csrf: String,
    info: Value,
}

/// Which CSRF token a browser request carries.
#[derive(Clone, Copy)]
enum Csrf {
    None,
    Wrong,
    Right,
}

impl Browser {
    async fn sign_in(app: &TestApp, login: &Login) -> Browser {
        let (answer, cookie) = try_sign_in(app, &login.org, &login.user, &login.password).await;
        let info = answer.expect(200).json();
        let secret = cookie
            .strip_prefix("caisson_session=")
            .and_then(|rest| rest.split(';').next())
            .expect("a session cookie")
            .to_owned();
        Browser {
            url: app.url.clone(),
            csrf: info["csrf"].as_str().expect("csrf").to_owned(),
            secret,
            info,
        }
    }

    async fn send(&self, method: Method, path: &str, body: Option<Value>, csrf: Csrf) -> Answer {
        let mut request = client()
            .request(method, format!("{}/api/v1{path}", self.url))
            .header(
                "cookie",
                format!("theme=dark; caisson_session={}", self.secret),
            );
        match csrf {
            Csrf::None => {}
            Csrf::Wrong => request = request.header("x-csrf-token", "0".repeat(64)),
            Csrf::Right => request = request.header("x-csrf-token", &self.csrf),
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request.send().await.expect("the server answers")).await
    }

    async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None, Csrf::None).await
    }

    async fn post_toml(&self, path: &str, text: &str, csrf: Csrf) -> Answer {
        let mut request = client()
            .post(format!("{}/api/v1{path}", self.url))
            .header("cookie", format!("caisson_session={}", self.secret))
            .header("content-type", "application/toml")
            .body(text.to_owned());
        match csrf {
            Csrf::None => {}
            Csrf::Wrong => request = request.header("x-csrf-token", "x"),
            Csrf::Right => request = request.header("x-csrf-token", &self.csrf),
        }
        answer(request.send().await.expect("the server answers")).await
    }
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql)
        .fetch_one(&app.db.pool)
        .await
        .expect("count");
    n
}

fn limits(sign_in_per_ip: u32, sign_in_per_user: u32, failed_auth_per_ip: u32) -> AuthConfig {
    // Windows of an hour: nothing refills while a test runs.
    let limit = |n| Limit::per_seconds(n, 3600).expect("limit");
    AuthConfig {
        limits: AuthLimits {
            sign_in_per_ip: limit(sign_in_per_ip),
            sign_in_per_user: limit(sign_in_per_user),
            failed_auth_per_ip: limit(failed_auth_per_ip),
        },
        ..AuthConfig::default()
    }
}

async fn sign_in_sets_a_strict_http_only_cookie(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let ana = login(&app, coordinator(), "ana", Role::Editor).await;
    let (signed_in, cookie) = try_sign_in(&app, "coord", "ana", &ana.password).await;
    let info = signed_in.expect(200).json();
    assert_eq!(info["organisation"], "coord");
    assert_eq!(info["kind"], "coordinator");
    assert_eq!(info["user"], "ana");
    assert_eq!(info["role"], "editor");
    let csrf = info["csrf"].as_str().expect("csrf");
    assert_eq!(csrf.len(), 64);
    let attributes: Vec<&str> = cookie.split(';').map(str::trim).collect();
    assert!(attributes[0].starts_with("caisson_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(
            attributes.contains(&attribute),
            "{attribute} missing: {cookie}"
        );
    }
    assert!(
        !attributes.contains(&"Secure"),
        "no https configured: {cookie}"
    );
    let secret = attributes[0].trim_start_matches("caisson_session=");
    assert_eq!(secret.len(), 64);

    // Only the secret's SHA-256 is stored, beside the user and the CSRF token.
    let (stored, csrf_stored): (String, String) =
        sqlx::query_as("SELECT secret_hash, csrf FROM sessions")
            .fetch_one(&app.db.pool)
            .await
            .expect("one session");
    assert_ne!(stored, secret);
    assert_eq!(stored, store::token_hash(secret));
    assert_eq!(csrf_stored, csrf);

    // The cookie signs in on reads; the session answers its CSRF token again.
    let browser = Browser::sign_in(&app, &ana).await;
    let me = browser.get("/me").await.expect(200).json();
    assert_eq!(me["organisation"], "coord");
    assert_eq!(me["user"], "ana");
    let again = browser.get("/session").await.expect(200).json();
    assert_eq!(again, browser.info);
    browser.get("/rounds").await.expect(200);
    // A bearer token has no session to describe.
    let token = app.party(coordinator()).await;
    assert_eq!(
        token.get("/session").await.expect(401).code(),
        "unauthenticated"
    );
    app.stop().await;
}
both!(sign_in_sets_a_strict_http_only_cookie);

async fn wrong_password_and_unknown_user_are_one_answer(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let ana = login(&app, coordinator(), "ana", Role::Editor).await;
    let (wrong_password, cookie) = try_sign_in(&app, "coord", "ana", "not-her-password").await;
    assert!(
        cookie.is_empty(),
        "no cookie for a refused sign-in: {cookie}"
    );
    let (unknown_user, _) = try_sign_in(&app, "coord", "nobody", &ana.password).await;
    let (unknown_org, _) = try_sign_in(&app, "nowhere", "ana", &ana.password).await;
    let (empty, _) = try_sign_in(&app, "", "", "").await;
    let wrong_password = wrong_password.expect(401);
    assert_eq!(wrong_password.code(), "unauthenticated");
    for other in [unknown_user, unknown_org, empty] {
        let other = other.expect(401);
        assert_eq!(other.text, wrong_password.text);
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sessions").await, 0);
    // Malformed sign-ins are the usual errors.
    let anonymous = app.anonymous();
    let answer = anonymous
        .post_json(
            "/session",
            &json!({"organisation": "coord", "user": "ana", "password": "x", "extra": 1}),
        )
        .await
        .expect(400);
    assert_eq!(answer.code(), "bad_request");
    anonymous
        .send(Method::POST, "/session", Some(("text/plain", "ana")))
        .await
        .expect(415);
    app.stop().await;
}
both!(wrong_password_and_unknown_user_are_one_answer);

async fn cookie_writes_need_the_csrf_token(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let ana = login(&app, coordinator(), "ana", Role::Editor).await;
    let browser = Browser::sign_in(&app, &ana).await;
    for csrf in [Csrf::None, Csrf::Wrong] {
        let refused = browser
            .post_toml("/rounds", REFERENCE, csrf)
            .await
            .expect(403);
        assert_eq!(refused.code(), "csrf_failed");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM rounds").await, 0);
    let round = browser
        .post_toml("/rounds", REFERENCE, Csrf::Right)
        .await
        .expect(201)
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(count(&app, "SELECT COUNT(*) FROM rounds").await, 1);

    // A JSON write on the round: refused without the token, nothing added.
    let prod = login(&app, producer(), "pat", Role::Editor).await;
    let members = format!("/rounds/{round}/members");
    let body = json!({"organisation": prod.org});
    for csrf in [Csrf::None, Csrf::Wrong] {
        let refused = browser
            .send(Method::POST, &members, Some(body.clone()), csrf)
            .await
            .expect(403);
        assert_eq!(refused.code(), "csrf_failed");
    }
    let listed = browser.get(&members).await.expect(200).json();
    assert_eq!(listed.as_array().map(Vec::len), Some(0), "{listed}");
    browser
        .send(Method::POST, &members, Some(body), Csrf::Right)
        .await
        .expect(201);
    let listed = browser.get(&members).await.expect(200).json();
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");

    // A request carrying a token and the cookie is judged by the token: a
    // valid one needs no CSRF token, an invalid one is 401 whatever the cookie.
    let token = app.party(coordinator()).await;
    let both_ways = |bearer: String| {
        let browser = &browser;
        async move {
            let response = client()
                .post(format!("{}/api/v1/rounds", browser.url))
                .header("cookie", format!("caisson_session={}", browser.secret))
                .header("authorization", format!("Bearer {bearer}"))
                .header("content-type", "application/toml")
                .body(REFERENCE)
                .send()
                .await
                .expect("answer");
            answer(response).await
        }
    };
    both_ways(token.token.clone()).await.expect(201);
    let refused = both_ways("caisson_forged".into()).await.expect(401);
    assert_eq!(refused.code(), "unauthenticated");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM rounds").await, 2);
    app.stop().await;
}
both!(cookie_writes_need_the_csrf_token);

async fn sign_out_makes_the_cookie_useless(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let ana = login(&app, coordinator(), "ana", Role::Editor).await;
    let browser = Browser::sign_in(&app, &ana).await;
    let other = Browser::sign_in(&app, &ana).await;
    // Signing out is a write: without the CSRF token nothing ends.
    let refused = browser
        .send(Method::DELETE, "/session", None, Csrf::None)
        .await
        .expect(403);
    assert_eq!(refused.code(), "csrf_failed");
    browser.get("/me").await.expect(200);
    let response = client()
        .delete(format!("{}/api/v1/session", app.url))
        .header("cookie", format!("caisson_session={}", browser.secret))
        .header("x-csrf-token", &browser.csrf)
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let cleared = response
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(
        cleared.starts_with("caisson_session=;") && cleared.contains("Max-Age=0"),
        "{cleared}"
    );
    let gone = browser.get("/me").await.expect(401);
    assert_eq!(gone.code(), "unauthenticated");
    browser.get("/session").await.expect(401);
    // The same user's other session lives on.
    other.get("/me").await.expect(200);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sessions").await, 1);
    app.stop().await;
}
both!(sign_out_makes_the_cookie_useless);

async fn revoked_tokens_and_removed_users_are_refused(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let admin = login(&app, coordinator(), "root", Role::Admin).await;
    let admin = Browser::sign_in(&app, &admin).await;
    let made = admin
        .send(
            Method::POST,
            "/organisations/coord/tokens",
            Some(json!({"user": "root"})),
            Csrf::Right,
        )
        .await
        .expect(201)
        .json();
    let token = Party::new(&app.url, made["token"].as_str().expect("token"));
    token.get("/me").await.expect(200);
    let id = made["id"].as_str().expect("id");
    admin
        .send(
            Method::DELETE,
            &format!("/organisations/coord/tokens/{id}"),
            None,
            Csrf::Right,
        )
        .await
        .expect(204);
    assert_eq!(token.get("/me").await.expect(401).code(), "unauthenticated");

    // A session of a user that no longer exists signs in nobody.
    let temp = login(&app, coordinator(), "temp", Role::Viewer).await;
    let temp = Browser::sign_in(&app, &temp).await;
    temp.get("/me").await.expect(200);
    sqlx::query("DELETE FROM users WHERE name = 'temp'")
        .execute(&app.db.pool)
        .await
        .expect("delete the user");
    assert_eq!(temp.get("/me").await.expect(401).code(), "unauthenticated");
    app.stop().await;
}
both!(revoked_tokens_and_removed_users_are_refused);

async fn sign_in_is_rate_limited(backend: Backend) {
    let app = TestApp::start_with_auth(backend, 0, limits(100, 3, 100)).await;
    let ana = login(&app, coordinator(), "ana", Role::Editor).await;
    let bob = login(&app, coordinator(), "bob", Role::Editor).await;
    for _ in 0..3 {
        let (refused, _) = try_sign_in(&app, "coord", "ana", "guess").await;
        assert_eq!(refused.expect(401).code(), "unauthenticated");
    }
    // Past the limit, the right password is refused too, before it is checked.
    let response = client()
        .post(format!("{}/api/v1/session", app.url))
        .json(&json!({"organisation": "coord", "user": "ana", "password": ana.password}))
        .send()
        .await
        .expect("answer");
    let retry_after: u64 = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After in seconds");
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    let limited = answer(response).await.expect(429);
    assert_eq!(limited.code(), "rate_limited");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sessions").await, 0);
    // The limit is per user: bob signs in from the same address.
    Browser::sign_in(&app, &bob)
        .await
        .get("/me")
        .await
        .expect(200);
    app.stop().await;

    // Per address: whoever is named, the address runs out.
    let app = TestApp::start_with_auth(backend, 0, limits(2, 100, 100)).await;
    let ana = login(&app, coordinator(), "ana", Role::Editor).await;
    for user in ["x", "y"] {
        try_sign_in(&app, "coord", user, "guess")
            .await
            .0
            .expect(401);
    }
    let (limited, _) = try_sign_in(&app, "coord", "ana", &ana.password).await;
    assert_eq!(limited.expect(429).code(), "rate_limited");
    app.stop().await;
}
both!(sign_in_is_rate_limited);

async fn invalid_credentials_are_rate_limited_per_address(backend: Backend) {
    let app = TestApp::start_with_auth(backend, 0, limits(100, 100, 3)).await;
    let coord = app.party(coordinator()).await;
    // Valid tokens and requests without credentials are never counted.
    for _ in 0..10 {
        coord.get("/me").await.expect(200);
        app.anonymous().get("/me").await.expect(401);
    }
    let forged = Party::new(&app.url, "caisson_forged");
    for _ in 0..3 {
        assert_eq!(
            forged.get("/me").await.expect(401).code(),
            "unauthenticated"
        );
    }
    let limited = forged.get("/me").await.expect(429);
    assert_eq!(limited.code(), "rate_limited");
    // While the address is blocked a valid token is refused as well (a
    // guess that hits gets no answer either), and so is a session cookie.
    assert_eq!(coord.get("/me").await.expect(429).code(), "rate_limited");
    let cookie = app
        .anonymous()
        .send_with(
            Method::GET,
            "/me",
            None,
            &[("cookie", "caisson_session=0123")],
        )
        .await
        .expect(429);
    assert_eq!(cookie.code(), "rate_limited");
    // Anonymous reads go on.
    app.anonymous().get("/health").await.expect(200);
    app.anonymous().get("/ledger/checkpoint").await.expect(200);
    app.stop().await;
}
both!(invalid_credentials_are_rate_limited_per_address);

async fn admins_manage_their_organisations_users_and_tokens(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let admin = app.party_with_role(coordinator(), Role::Admin).await;
    let editor = app.party_with_role(coordinator(), Role::Editor).await;
    let viewer = app.party_with_role(coordinator(), Role::Viewer).await;
    let other_admin = app.party_with_role(producer(), Role::Admin).await;

    let users = admin
        .get("/organisations/coord/users")
        .await
        .expect(200)
        .json();
    let names: Vec<&str> = users
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|u| u["user"].as_str())
        .collect();
    assert_eq!(names.len(), 3, "{users}");
    assert!(users
        .as_array()
        .expect("array")
        .iter()
        .any(|u| u["role"] == "admin"));

    let made = admin
        .post_json(
            "/organisations/coord/users",
            &json!({"user": "bob", "role": "editor"}),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(made["user"], "bob");
    assert_eq!(made["role"], "editor");
    let password = made["password"].as_str().expect("password").to_owned();
    let bob = Login {
        org: "coord".into(),
        user: "bob".into(),
        password,
    };
    let me = Browser::sign_in(&app, &bob)
        .await
        .get("/me")
        .await
        .expect(200)
        .json();
    assert_eq!(me["user"], "bob");
    let again = admin
        .post_json(
            "/organisations/coord/users",
            &json!({"user": "bob", "role": "viewer"}),
        )
        .await
        .expect(409);
    assert_eq!(again.code(), "conflict");
    for bad in [
        json!({"user": "carl", "role": "owner"}),
        json!({"user": "no spaces", "role": "viewer"}),
        json!({"user": "carl"}),
    ] {
        let refused = admin
            .post_json("/organisations/coord/users", &bad)
            .await
            .expect(400);
        assert_eq!(refused.code(), "bad_request", "{bad}");
    }

    let made = admin
        .post_json("/organisations/coord/tokens", &json!({"user": "bob"}))
        .await
        .expect(201)
        .json();
    assert_eq!(made["user"], "bob");
    let bob_token = Party::new(&app.url, made["token"].as_str().expect("token"));
    assert_eq!(bob_token.get("/me").await.expect(200).json()["user"], "bob");
    let id = made["id"].as_str().expect("id").to_owned();
    let missing = admin
        .post_json("/organisations/coord/tokens", &json!({"user": "nobody"}))
        .await
        .expect(404);
    assert_eq!(missing.code(), "not_found");

    let listed = admin.get("/organisations/coord/tokens").await;
    let tokens = listed.json();
    let row = tokens
        .as_array()
        .expect("array")
        .iter()
        .find(|t| t["id"] == id.as_str())
        .expect("the new token is listed")
        .clone();
    assert_eq!(row["user"], "bob");
    assert!(row["created"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert!(row["revoked"].is_null());
    let mut keys: Vec<&str> = row
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["created", "id", "revoked", "user"]);
    // Never a token or its hash.
    assert!(!listed.text.contains(&bob_token.token));
    assert!(!listed.text.contains(&store::token_hash(&bob_token.token)));
    assert!(!listed.text.contains(&admin.token));

    // Other roles of the organisation: 403; another organisation's admin: 404.
    let revoke = format!("/organisations/coord/tokens/{id}");
    for (who, status, code) in [
        (&editor, 403, "forbidden"),
        (&viewer, 403, "forbidden"),
        (&other_admin, 404, "not_found"),
    ] {
        for path in ["/organisations/coord/users", "/organisations/coord/tokens"] {
            assert_eq!(who.get(path).await.expect(status).code(), code, "{path}");
        }
        let refused = who
            .post_json(
                "/organisations/coord/users",
                &json!({"user": "mallory", "role": "admin"}),
            )
            .await
            .expect(status);
        assert_eq!(refused.code(), code);
        let refused = who
            .post_json("/organisations/coord/tokens", &json!({"user": "bob"}))
            .await
            .expect(status);
        assert_eq!(refused.code(), code);
        let refused = who.send(Method::DELETE, &revoke, None).await.expect(status);
        assert_eq!(refused.code(), code);
    }
    // An organisation that does not exist answers as another's.
    admin.get("/organisations/nowhere/users").await.expect(404);
    // The producer's admin cannot reach coord's token through its own path.
    other_admin
        .send(
            Method::DELETE,
            &format!("/organisations/prod/tokens/{id}"),
            None,
        )
        .await
        .expect(404);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM users WHERE name = 'mallory'").await,
        0
    );
    bob_token.get("/me").await.expect(200);

    admin.send(Method::DELETE, &revoke, None).await.expect(204);
    assert_eq!(
        bob_token.get("/me").await.expect(401).code(),
        "unauthenticated"
    );
    let tokens = admin
        .get("/organisations/coord/tokens")
        .await
        .expect(200)
        .json();
    let row = tokens
        .as_array()
        .expect("array")
        .iter()
        .find(|t| t["id"] == id.as_str())
        .expect("still listed")
        .clone();
    assert!(row["revoked"].as_str().is_some(), "{row}");
    admin
        .send(Method::DELETE, "/organisations/coord/tokens/nope", None)
        .await
        .expect(404);

    // An admin signed in with the cookie needs the CSRF token to add a user.
    let root = login(&app, coordinator(), "root", Role::Admin).await;
    let browser = Browser::sign_in(&app, &root).await;
    let body = json!({"user": "dora", "role": "viewer"});
    let refused = browser
        .send(
            Method::POST,
            "/organisations/coord/users",
            Some(body.clone()),
            Csrf::None,
        )
        .await
        .expect(403);
    assert_eq!(refused.code(), "csrf_failed");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM users WHERE name = 'dora'").await,
        0
    );
    browser
        .send(
            Method::POST,
            "/organisations/coord/users",
            Some(body),
            Csrf::Right,
        )
        .await
        .expect(201);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM users WHERE name = 'dora'").await,
        1
    );
    app.stop().await;
}
both!(admins_manage_their_organisations_users_and_tokens);

async fn password_change_then_sign_in_with_the_new_one(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let ana = login(&app, coordinator(), "ana", Role::Viewer).await;
    let browser = Browser::sign_in(&app, &ana).await;
    let elsewhere = Browser::sign_in(&app, &ana).await;
    let new_password = "a new and long passphrase";
    let change = |current: &str, new: &str| json!({"current": current, "new": new});

    let refused = browser
        .send(
            Method::POST,
            "/me/password",
            Some(change(&ana.password, new_password)),
            Csrf::None,
        )
        .await
        .expect(403);
    assert_eq!(refused.code(), "csrf_failed");
    let refused = browser
        .send(
            Method::POST,
            "/me/password",
            Some(change("wrong", new_password)),
            Csrf::Right,
        )
        .await
        .expect(403);
    assert_eq!(refused.code(), "forbidden");
    let refused = browser
        .send(
            Method::POST,
            "/me/password",
            Some(change(&ana.password, "short")),
            Csrf::Right,
        )
        .await
        .expect(400);
    assert_eq!(refused.code(), "bad_request");
    // Nothing changed so far.
    try_sign_in(&app, "coord", "ana", &ana.password)
        .await
        .0
        .expect(200);

    browser
        .send(
            Method::POST,
            "/me/password",
            Some(change(&ana.password, new_password)),
            Csrf::Right,
        )
        .await
        .expect(204);
    // The session that changed it lives on; the user's other sessions end.
    browser.get("/me").await.expect(200);
    elsewhere.get("/me").await.expect(401);
    try_sign_in(&app, "coord", "ana", &ana.password)
        .await
        .0
        .expect(401);
    let renewed = Login {
        password: new_password.into(),
        ..ana
    };
    Browser::sign_in(&app, &renewed)
        .await
        .get("/me")
        .await
        .expect(200);

    // With a bearer token, no CSRF token is needed.
    let (_, token) = store::token_add(&app.db, "coord", "ana")
        .await
        .expect("token");
    let token = Party::new(&app.url, &token);
    token
        .post_json(
            "/me/password",
            &change(new_password, "yet another passphrase"),
        )
        .await
        .expect(204);
    try_sign_in(&app, "coord", "ana", "yet another passphrase")
        .await
        .0
        .expect(200);
    app.stop().await;
}
both!(password_change_then_sign_in_with_the_new_one);
