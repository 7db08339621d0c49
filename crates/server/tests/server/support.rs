use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use caisson_platform::{OrgKind, Organisation, Role};
use caisson_server::auth::AuthConfig;
use caisson_server::db::Db;
use caisson_server::serve::{self, Running, ServeConfig};
use caisson_server::store;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};

/// An HTTP client that opens a connection per request. A server answering
/// early (413 before reading a large body) closes the connection, and a
/// pooled client could send its next request on that closed connection
/// before it notices: the answer would then be lost to a race of the test,
/// not of the server.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("an HTTP client")
}

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs a test body on both databases: `both!(name)` makes `name::sqlite`
/// and `name::postgres` from `async fn name(backend: Backend)`.
#[macro_export]
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                super::$name($crate::support::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                if $crate::support::postgres_admin_url().is_some() {
                    super::$name($crate::support::Backend::Postgres).await
                }
            }
        }
    };
}

/// The PostgreSQL server's URL, when the tests have one. `make test`
/// always sets it (and `CAISSON_REQUIRE_POSTGRES`, under which a missing
/// URL fails the test instead of leaving the PostgreSQL variant out).
// The note that a variant was left out goes to the test's own output.
#[allow(clippy::disallowed_macros)]
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("CAISSON_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var_os("CAISSON_REQUIRE_POSTGRES").is_none(),
                "CAISSON_REQUIRE_POSTGRES is set but CAISSON_TEST_POSTGRES_URL is not"
            );
            eprintln!("PostgreSQL variant not run: CAISSON_TEST_POSTGRES_URL is not set (make test sets it)");
            None
        }
    }
}

/// A fresh database URL for one test.
pub async fn fresh_database(backend: Backend, dir: &tempfile::TempDir) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.path().join("caisson.db").display()),
        Backend::Postgres => {
            let admin = postgres_admin_url().expect("PostgreSQL URL");
            let name = format!("caisson_test_{}", caisson_server::db::random_id());
            sqlx::any::install_default_drivers();
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
                .await
                .expect("connect to PostgreSQL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create the test database");
            let base = admin
                .rsplit_once('/')
                .map(|(base, _)| base.to_owned())
                .expect("URL with a database");
            format!("{base}/{name}")
        }
    }
}

/// The round's reference part: three actors (two in bloc EU), one product.
pub const REFERENCE: &str = r#"
[scenario]
name = "test-round"
start = "2026-01"
periods = 3

[[actor]]
id = "AAA"
blocs = ["EU"]

[[actor]]
id = "BBB"
blocs = ["EU"]

[[actor]]
id = "CCC"

[[product]]
id = "shell"
"#;

/// The producer's fragment: one plant of 100 shells a month.
pub const PLANT: &str = r#"
[[facility]]
id = "plant"
actor = "AAA"

[[facility.line]]
id = "l1"
capacity = 100
products = { shell = { rate = 1, cost = 10 } }
"#;

/// The state's fragment: 50 shells a month for BBB.
pub const NEED: &str = r#"
[[demand]]
id = "need"
buyer = "BBB"
product = "shell"
quantity = 50
penalty = 1000
"#;

/// A running server (in this process, or a child process) and its database.
pub struct TestApp {
    pub url: String,
    pub database: String,
    /// The ledger's key file.
    pub ledger_key: PathBuf,
    pub db: Db,
    running: Option<Running>,
    child: Option<tokio::process::Child>,
    _dir: tempfile::TempDir,
    client: reqwest::Client,
}

/// A client signed in as one party.
#[derive(Clone)]
pub struct Party {
    pub token: String,
    url: String,
    client: reqwest::Client,
}

/// An answer: status, headers' content type, body text.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// The error code of an error answer.
    pub fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Answer {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.text);
        self
    }
}

/// The `caisson-server` binary.
pub fn server_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_caisson-server"))
}

impl TestApp {
    /// The server in this process with `workers` in-process workers.
    pub async fn start(backend: Backend, workers: usize) -> TestApp {
        TestApp::start_with_auth(backend, workers, AuthConfig::default()).await
    }

    /// [`TestApp::start`] with these sessions and rate limits.
    pub async fn start_with_auth(backend: Backend, workers: usize, auth: AuthConfig) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = fresh_database(backend, &dir).await;
        let config = ServeConfig {
            listen: "127.0.0.1:0".into(),
            database: database.clone(),
            workers,
            lease: Duration::from_secs(30),
            handler_timeout: Duration::from_secs(60),
            ledger_key: dir.path().join("ledger.key"),
            auth,
        };
        let running = serve::start(&config).await.expect("server starts");
        TestApp {
            ledger_key: config.ledger_key.clone(),
            url: running.url.clone(),
            db: running.db.clone(),
            database,
            running: Some(running),
            child: None,
            _dir: dir,
            client: client(),
        }
    }

    /// A second server in this process on the same database and ledger key
    /// file, without workers (servers scaled out behind one database).
    pub async fn second_server(&self) -> Running {
        serve::start(&ServeConfig {
            listen: "127.0.0.1:0".into(),
            database: self.database.clone(),
            workers: 0,
            lease: Duration::from_secs(30),
            handler_timeout: Duration::from_secs(60),
            ledger_key: self.ledger_key.clone(),
            auth: AuthConfig::default(),
        })
        .await
        .expect("a second server starts")
    }

    /// The server as a child process (`caisson-server serve`), to be killed.
    pub async fn spawn(backend: Backend, workers: usize) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = fresh_database(backend, &dir).await;
        let ledger_key = dir.path().join("ledger.key");
        let (child, url) = spawn_server(&database, &ledger_key, workers).await;
        let db = Db::open(&database).await.expect("open database");
        TestApp {
            ledger_key,
            url,
            db,
            database,
            running: None,
            child: Some(child),
            _dir: dir,
            client: client(),
        }
    }

    /// Kills the child server with SIGKILL and starts it again on the same database.
    pub async fn kill_and_restart(&mut self, workers: usize) {
        let mut child = self.child.take().expect("a child server");
        child.kill().await.expect("SIGKILL");
        let (child, url) = spawn_server(&self.database, &self.ledger_key, workers).await;
        self.child = Some(child);
        self.url = url;
    }

    /// Stops the server (gracefully when in process).
    pub async fn stop(mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await.expect("graceful stop");
        }
        if let Some(mut child) = self.child.take() {
            let _ = child.kill().await;
        }
        self.db.pool.close().await;
    }

    /// Adds an organisation with an editor and returns a client for it.
    pub async fn party(&self, org: Organisation) -> Party {
        self.party_with_role(org, Role::Editor).await
    }

    /// Adds an organisation (if new) and a user of `role`, with a token.
    pub async fn party_with_role(&self, org: Organisation, role: Role) -> Party {
        if store::org_get(&self.db.pool, &org.id)
            .await
            .expect("db")
            .is_none()
        {
            store::org_add(&self.db, &org).await.expect("org add");
        }
        let user = format!(
            "{}-{}",
            role.as_str(),
            &caisson_server::db::random_id()[..6]
        );
        store::user_add(&self.db, &org.id, &user, role)
            .await
            .expect("user add");
        let (_, token) = store::token_add(&self.db, &org.id, &user)
            .await
            .expect("token");
        Party {
            token,
            url: self.url.clone(),
            client: self.client.clone(),
        }
    }

    /// A client without a token.
    pub fn anonymous(&self) -> Party {
        Party {
            token: String::new(),
            url: self.url.clone(),
            client: self.client.clone(),
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.start_kill();
        }
    }
}

async fn spawn_server(
    database: &str,
    ledger_key: &std::path::Path,
    workers: usize,
) -> (tokio::process::Child, String) {
    let mut child = tokio::process::Command::new(server_binary())
        .args(["serve", "--listen", "127.0.0.1:0", "--database", database])
        .arg("--ledger-key")
        .arg(ledger_key)
        .args(["--workers", &workers.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn caisson-server");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let url = lines
        .next_line()
        .await
        .expect("read stdout")
        .expect("the server prints its URL");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    (child, url)
}

/// A `caisson-server worker` process.
pub fn spawn_worker(database: &str, extra: &[&str]) -> tokio::process::Child {
    tokio::process::Command::new(server_binary())
        .args(["worker", "--database", database, "--lease-seconds", "2"])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn caisson-server worker")
}

/// Organisations of the test round.
pub fn coordinator() -> Organisation {
    Organisation {
        id: "coord".into(),
        name: "Joint procurement".into(),
        kind: OrgKind::Coordinator,
        actor: None,
        buys_for: vec!["CCC".into()],
        blocs: vec!["EU".into()],
        group: None,
    }
}

pub fn producer() -> Organisation {
    Organisation {
        id: "prod".into(),
        name: "Producer".into(),
        kind: OrgKind::Producer,
        actor: Some("AAA".into()),
        buys_for: Vec::new(),
        blocs: Vec::new(),
        group: None,
    }
}

pub fn state_b() -> Organisation {
    Organisation {
        id: "stateb".into(),
        name: "State B".into(),
        kind: OrgKind::State,
        actor: Some("BBB".into()),
        buys_for: Vec::new(),
        blocs: Vec::new(),
        group: None,
    }
}

pub fn observer() -> Organisation {
    Organisation {
        id: "ngo".into(),
        name: "Observer".into(),
        kind: OrgKind::Observer,
        actor: None,
        buys_for: Vec::new(),
        blocs: Vec::new(),
        group: None,
    }
}

/// The parties of a round with both fragments contributed.
pub struct Round {
    pub id: String,
    pub coord: Party,
    pub prod: Party,
    pub state: Party,
}

impl Round {
    /// The coordinator starts a run (`{"kind": ...}`); its id.
    pub async fn start_run(&self, body: &Value) -> String {
        self.coord
            .post_json(&format!("/rounds/{}/runs", self.id), body)
            .await
            .expect(202)
            .json()["id"]
            .as_str()
            .expect("run id")
            .to_owned()
    }
}

impl TestApp {
    /// A round with the producer and state B as members, before any contribution.
    pub async fn round(&self) -> Round {
        let coord = self.party(coordinator()).await;
        let prod = self.party(producer()).await;
        let state = self.party(state_b()).await;
        let id = coord
            .send(
                Method::POST,
                "/rounds",
                Some(("application/toml", REFERENCE)),
            )
            .await
            .expect(201)
            .json()["id"]
            .as_str()
            .expect("id")
            .to_owned();
        for org in ["prod", "stateb"] {
            coord
                .post_json(
                    &format!("/rounds/{id}/members"),
                    &serde_json::json!({"organisation": org}),
                )
                .await
                .expect(201);
        }
        Round {
            id,
            coord,
            prod,
            state,
        }
    }

    /// The round with both fragments contributed.
    pub async fn contributed_round(&self) -> Round {
        let round = self.round().await;
        round
            .prod
            .put_toml(&format!("/rounds/{}/contributions/prod", round.id), PLANT)
            .await
            .expect(200);
        round
            .state
            .put_toml(&format!("/rounds/{}/contributions/stateb", round.id), NEED)
            .await
            .expect(200);
        round
    }
}

impl Party {
    /// A party signing in with `token` at the server at `url`.
    pub fn new(url: &str, token: &str) -> Party {
        Party {
            token: token.to_owned(),
            url: url.to_owned(),
            client: client(),
        }
    }

    /// Reads the server-sent events at `/api/v1{path}` until the server
    /// ends the stream: each event's name and JSON data.
    pub async fn events(&self, path: &str) -> Vec<(String, Value)> {
        let mut response = self
            .client
            .get(format!("{}/api/v1{path}", self.url))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("the server answers");
        assert_eq!(response.status(), StatusCode::OK);
        let mut text = String::new();
        while let Some(chunk) = response.chunk().await.expect("the stream reads") {
            text.push_str(&String::from_utf8_lossy(&chunk));
        }
        text.split("\n\n")
            .filter_map(|block| {
                let mut name = None;
                let mut data = None;
                for line in block.lines() {
                    if let Some(n) = line.strip_prefix("event:") {
                        name = Some(n.trim().to_owned());
                    } else if let Some(d) = line.strip_prefix("data:") {
                        data = serde_json::from_str(d.trim()).ok();
                    }
                }
                Some((name?, data?))
            })
            .collect()
    }

    /// Sends a request to `/api/v1{path}` with an optional body.
    pub async fn send(&self, method: Method, path: &str, body: Option<(&str, &str)>) -> Answer {
        self.send_with(method, path, body, &[]).await
    }

    /// The same party at another server URL (after a restart).
    pub fn at(&self, url: &str) -> Party {
        Party {
            url: url.to_owned(),
            ..self.clone()
        }
    }

    /// [`Party::send`] with extra headers.
    pub async fn send_with(
        &self,
        method: Method,
        path: &str,
        body: Option<(&str, &str)>,
        headers: &[(&str, &str)],
    ) -> Answer {
        self.try_send(method, path, body, headers)
            .await
            .expect("the server answers")
    }

    /// A request that may fail to get an answer (the server was killed).
    pub async fn try_send(
        &self,
        method: Method,
        path: &str,
        body: Option<(&str, &str)>,
        headers: &[(&str, &str)],
    ) -> Result<Answer, reqwest::Error> {
        let mut request = self
            .client
            .request(method, format!("{}/api/v1{path}", self.url));
        if !self.token.is_empty() {
            request = request.bearer_auth(&self.token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some((content_type, text)) = body {
            request = request
                .header("content-type", content_type)
                .body(text.to_owned());
        }
        let response = request.send().await?;
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let text = response.text().await?;
        Ok(Answer {
            status,
            content_type,
            text,
        })
    }

    /// GET of a binary answer: status, content type, bytes.
    pub async fn get_bytes(&self, path: &str) -> (u16, String, Vec<u8>) {
        let response = self
            .client
            .get(format!("{}/api/v1{path}", self.url))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("the server answers");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let bytes = response.bytes().await.expect("the body").to_vec();
        (status, content_type, bytes)
    }

    /// PUT of a binary body with its media type.
    pub async fn put_bytes(&self, path: &str, content_type: &str, body: Vec<u8>) -> Answer {
        let response = self
            .client
            .put(format!("{}/api/v1{path}", self.url))
            .bearer_auth(&self.token)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("the server answers");
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let text = response.text().await.expect("the body");
        Answer {
            status,
            content_type,
            text,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    pub async fn put_toml(&self, path: &str, text: &str) -> Answer {
        self.send(Method::PUT, path, Some(("application/toml", text)))
            .await
    }

    pub async fn post_json(&self, path: &str, value: &Value) -> Answer {
        self.send(
            Method::POST,
            path,
            Some(("application/json", &value.to_string())),
        )
        .await
    }

    /// Polls a run until it has ended; returns its status document.
    pub async fn wait_for_run(&self, run: &str) -> Value {
        for _ in 0..1200 {
            let info = self.get(&format!("/runs/{run}")).await.expect(200).json();
            if matches!(
                info["status"].as_str(),
                Some("succeeded" | "failed" | "cancelled")
            ) {
                return info;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("run {run} did not end within two minutes");
    }
}
