//! The web application in a real browser: starts `caisson-server serve
//! --example europe --empty` (SQLite), then runs
//! `tests/browser/platform.test.mjs` (and, each on a server of its own,
//! `tests/browser/runs.test.mjs` and `tests/browser/admin.test.mjs`)
//! (Node.js + playwright-core driving
//! Debian's headless Chromium), which walks the European example as its
//! parties and fails on any console error, failed request, unexpected API
//! error or request to another origin. Screenshots are kept under
//! `target/browser-artifacts/platform/`.
//!
//! Needs `node` and `/usr/bin/chromium` (Debian packages `nodejs`, `npm`,
//! `chromium`); without them the test fails and says what to install.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

use crate::support::server_binary;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root")
}

fn chromium() -> String {
    std::env::var("CAISSON_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned())
}

/// Checks the tools, installing the npm packages if needed.
fn prerequisites() {
    let path = chromium();
    assert!(
        Path::new(&path).exists(),
        "the browser test needs Chromium at {path}: install the Debian package `chromium` \
         (`apt-get install -y chromium`), or set CAISSON_CHROMIUM to a Chromium binary"
    );
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.is_ok_and(|o| o.status.success()),
        "the browser test needs Node.js: install the Debian packages `nodejs` and `npm`"
    );
    if !root()
        .join("node_modules/playwright-core/package.json")
        .exists()
    {
        let status = Command::new("npm")
            .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
            .current_dir(root())
            .status()
            .expect("run npm ci (install the Debian package `npm`)");
        assert!(status.success(), "npm ci failed in {}", root().display());
    }
}

/// The server process, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads what `serve --example europe --empty` prints: the URL, then a
/// line "N parties; ..." and N lines `ORG KIND USER PASSWORD TOKEN`.
fn read_sign_ins(lines: &mut impl Iterator<Item = String>) -> (String, Vec<Value>) {
    let url = lines.next().expect("the server prints its URL");
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let count = lines
        .by_ref()
        .find_map(|line| {
            line.split_once(" parties; ")
                .and_then(|(n, _)| n.trim().parse::<usize>().ok())
        })
        .expect("the server prints the number of parties");
    let sign_ins = lines
        .take(count)
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(fields.len(), 5, "a sign-in line: {line}");
            json!({
                "organisation": fields[0],
                "kind": fields[1],
                "user": fields[2],
                "password": fields[3],
                "token": fields[4],
            })
        })
        .collect::<Vec<_>>();
    assert_eq!(sign_ins.len(), count, "the server printed fewer sign-ins");
    (url, sign_ins)
}

/// Starts `serve --example europe --empty` on a fresh SQLite database and
/// runs the walk `script` (under `tests/browser/`) against it, with
/// screenshots in `target/browser-artifacts/{artifacts}/`; fails with the
/// walk's output unless it succeeds. Returns the artifacts directory.
fn walk(script: &str, artifacts: &str) -> PathBuf {
    prerequisites();
    let dir = tempfile::tempdir().expect("temp dir");
    let artifacts = root().join("target/browser-artifacts").join(artifacts);
    std::fs::create_dir_all(&artifacts).expect("artifacts dir");
    let log = std::fs::File::create(artifacts.join("server.log")).expect("server log");
    let mut child = Command::new(server_binary())
        .args(["serve", "--listen", "127.0.0.1:0", "--workers", "1"])
        .arg("--database")
        .arg(format!(
            "sqlite://{}",
            dir.path().join("caisson.db").display()
        ))
        .arg("--ledger-key")
        .arg(dir.path().join("ledger.key"))
        .args(["--example", "europe", "--empty"])
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .expect("spawn caisson-server");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
    let (url, sign_ins) = read_sign_ins(&mut lines);
    for kind in ["coordinator", "producer", "state", "observer"] {
        assert!(
            sign_ins.iter().any(|s| s["kind"] == kind),
            "no {kind} among the sign-ins"
        );
    }
    let admins = read_admins(&mut lines);
    assert_eq!(admins.len(), sign_ins.len(), "one admin per organisation");
    let sign_ins_file = dir.path().join("sign-ins.json");
    std::fs::write(&sign_ins_file, Value::Array(sign_ins).to_string()).expect("write sign-ins");
    let admins_file = dir.path().join("admins.json");
    std::fs::write(&admins_file, Value::Array(admins).to_string()).expect("write admins");
    let result = Command::new("node")
        .arg(root().join("tests/browser").join(script))
        .arg(&url)
        .arg(&sign_ins_file)
        .arg(&artifacts)
        .arg(&admins_file)
        .current_dir(root())
        .output()
        .expect("run node");
    drop(server);
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );
    assert!(
        result.status.success(),
        "browser walk {script} failed (server log: {}):\n{out}",
        artifacts.join("server.log").display()
    );
    assert!(out.contains("ok: "), "{out}");
    artifacts
}

/// Reads the admins' table printed after the sign-ins: a line "N admins
/// ..." and N lines `ORG USER PASSWORD`.
fn read_admins(lines: &mut impl Iterator<Item = String>) -> Vec<Value> {
    let count = lines
        .by_ref()
        .find_map(|line| {
            line.split_once(" admins ")
                .and_then(|(n, _)| n.trim().parse::<usize>().ok())
        })
        .expect("the server prints the number of admins");
    let admins = lines
        .take(count)
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(fields.len(), 3, "an admin line: {line}");
            json!({"organisation": fields[0], "user": fields[1], "password": fields[2]})
        })
        .collect::<Vec<_>>();
    assert_eq!(admins.len(), count, "the server printed fewer admins");
    admins
}

#[test]
fn the_european_example_walked_in_chromium() {
    let artifacts = walk("platform.test.mjs", "platform");
    for shot in [
        "signin",
        "round-dashboard",
        "contribution-error",
        "run-report",
        "published",
        "ledger",
        "ledger-refused",
    ] {
        assert!(
            artifacts.join(format!("{shot}.png")).exists(),
            "no screenshot {shot}.png"
        );
    }
}

/// `tests/browser/runs.test.mjs`: runs with options (progress by events,
/// the plan's Sankey, a compare run's chart), the compliance explorer, the
/// observer's published totals, and the accessibility checks (labels,
/// contrast, overflow at desktop and tablet width, a keyboard-only walk).
#[test]
fn runs_compliance_and_accessibility_walked_in_chromium() {
    let artifacts = walk("runs.test.mjs", "runs");
    for shot in [
        "new-run",
        "new-run-tablet",
        "new-run-error",
        "run-plan",
        "run-compare",
        "compliance",
        "compliance-tablet",
        "published-run",
    ] {
        assert!(
            artifacts.join(format!("{shot}.png")).exists(),
            "no screenshot {shot}.png"
        );
    }
}

/// `tests/browser/admin.test.mjs`: an admin manages users and tokens, a new
/// user changes its one-time password, a producer downloads and uploads its
/// contribution as a spreadsheet, the coordinator removes a member.
/// Screenshots under `target/browser-artifacts/admin/`.
#[test]
fn administration_and_spreadsheets_walked_in_chromium() {
    let artifacts = walk("admin.test.mjs", "admin");
    for shot in [
        "organisation-admin",
        "organisation-password",
        "contribution-upload-refused",
        "contribution-uploaded",
        "round-member-removed",
    ] {
        assert!(
            artifacts.join(format!("{shot}.png")).exists(),
            "no screenshot {shot}.png"
        );
    }
}

/// The example's reference part and organisations are a coordinator's
/// (to start a round in the browser): others are refused, nobody
/// anonymous reads them, and the part creates a round as it is.
async fn the_example_is_for_coordinators(backend: crate::support::Backend) {
    use crate::support::{coordinator, producer, TestApp};
    let app = TestApp::start(backend, 0).await;
    // A coordinator buying for no actor: the test round's `CCC` is not one
    // of the example's.
    let mut example_coordinator = coordinator();
    example_coordinator.buys_for.clear();
    example_coordinator.blocs.clear();
    let coord = app.party(example_coordinator).await;
    let prod = app.party(producer()).await;
    let reference = coord.get("/examples/europe/reference").await.expect(200);
    assert!(
        reference.content_type.starts_with("application/toml"),
        "{}",
        reference.content_type
    );
    assert!(reference.text.contains("[scenario]"), "{}", reference.text);
    let organisations = coord
        .get("/examples/europe/organisations")
        .await
        .expect(200);
    let kinds: Vec<String> = organisations
        .json()
        .as_array()
        .expect("a list")
        .iter()
        .map(|o| o["kind"].as_str().unwrap_or_default().to_owned())
        .collect();
    for kind in ["coordinator", "producer", "state", "observer"] {
        assert!(kinds.iter().any(|k| k == kind), "no {kind}: {kinds:?}");
    }
    for path in [
        "/examples/europe/reference",
        "/examples/europe/organisations",
    ] {
        assert_eq!(prod.get(path).await.expect(403).code(), "forbidden");
        app.anonymous().get(path).await.expect(401);
    }
    let created = coord
        .send(
            reqwest::Method::POST,
            "/rounds",
            Some(("application/toml", reference.text.as_str())),
        )
        .await
        .expect(201);
    assert!(created.json()["id"].is_string());
    app.stop().await;
}

crate::both!(the_example_is_for_coordinators);
