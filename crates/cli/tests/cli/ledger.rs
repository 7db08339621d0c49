//! End-to-end runs of `caisson ledger key` and `caisson ledger verify --log`
//! on the built binary: a key file made by the CLI signs a log written with
//! the ledger crate; the untouched export verifies, a forged one fails at the
//! right index against the state kept by the first run.

use crate::support::{path as text, run, stdout};

use caisson_ledger::checkpoint::load_key_file;
use caisson_ledger::export::MemoryLedger;
use caisson_ledger::{Content, Kind, Leaf, Stage, Timestamp};
use serde_json::json;

fn leaf(n: u64) -> Leaf {
    let content = Content::parse(
        Kind::TransferReceived,
        &json!({"lot": format!("{n:032x}"), "quantity": 10 + n, "date": "2026-02-10"}),
        Stage::Stored,
    )
    .expect("content");
    let time = Timestamp::from_unix_millis(1_772_438_400_000 + n * 1000).expect("time");
    Leaf::new(&content, "cz-state", "jana", Some("r1"), time).expect("salt")
}

#[test]
fn key_prints_the_public_key_and_verify_checks_an_export_with_state() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key_file = dir.path().join("ledger.key");
    let first = run(["ledger", "key", "--ledger-key", text(&key_file)]);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let public = stdout(&first).trim().to_owned();
    assert_eq!(public.len(), 64, "{public}");
    let again = run(["ledger", "key", "--ledger-key", text(&key_file)]);
    assert_eq!(stdout(&again).trim(), public);

    let key = load_key_file(&key_file).expect("the CLI's key file loads");
    assert_eq!(key.public().to_hex(), public);
    let mut ledger = MemoryLedger::new(key);
    let leaves: Vec<Leaf> = (0..6).map(leaf).collect();
    for l in &leaves {
        ledger.append(l).expect("append");
    }
    let checkpoint_time = Timestamp::from_unix_millis(1_772_438_500_000).expect("time");
    let export = dir.path().join("export.jsonl");
    std::fs::write(&export, ledger.export(|_| true, checkpoint_time.clone())).expect("write");
    let state = dir.path().join("state.json");

    let out = run([
        "ledger",
        "verify",
        "--log",
        text(&export),
        "--key",
        &public,
        "--state",
        text(&state),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).contains("ok: 6 entries (6 full, 0 public)"),
        "{}",
        stdout(&out)
    );
    assert!(state.exists());

    // The operator deletes entry 2 and re-signs with the real key.
    let mut forged = MemoryLedger::new(load_key_file(&key_file).expect("key"));
    for (i, l) in leaves.iter().enumerate() {
        if i != 2 {
            forged.append(l).expect("append");
        }
    }
    let forged_export = dir.path().join("forged.jsonl");
    std::fs::write(&forged_export, forged.export(|_| true, checkpoint_time)).expect("write");
    // On its own the forgery is self-consistent ...
    let alone = run([
        "ledger",
        "verify",
        "--log",
        text(&forged_export),
        "--key",
        &public,
    ]);
    assert_eq!(alone.status.code(), Some(0), "{}", stdout(&alone));
    // ... but not with the state kept from the first run.
    let out = run([
        "ledger",
        "verify",
        "--log",
        text(&forged_export),
        "--key",
        &public,
        "--state",
        text(&state),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("verification failed at index 2"),
        "{}",
        stdout(&out)
    );

    // Another pinned key: the checkpoint fails.
    let other = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    let out = run(["ledger", "verify", "--log", text(&export), "--key", other]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("verification failed at checkpoint"),
        "{}",
        stdout(&out)
    );
    // A malformed key is a usage error.
    let out = run([
        "ledger",
        "verify",
        "--log",
        text(&export),
        "--key",
        "nothex",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// A loopback stand-in for the server's ledger endpoints (platform spec
/// section 6), serving a `MemoryLedger` with the spec's formats. The real
/// server is tested by its own crate; this checks the `--server` client.
mod fake_server {
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    use caisson_ledger::export::MemoryLedger;
    use caisson_ledger::merkle::{consistency_proof, inclusion_proof};
    use caisson_ledger::Timestamp;

    /// What the fake server serves and what it saw.
    pub struct Shared {
        pub ledger: MemoryLedger,
        /// Flip a byte of the inclusion path for this index.
        pub corrupt_inclusion: Option<u64>,
        /// Authorization headers received.
        pub authorizations: Vec<String>,
    }

    fn query(path: &str, name: &str) -> u64 {
        path.split(['?', '&'])
            .find_map(|p| p.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or(u64::MAX)
    }

    fn answer(shared: &mut Shared, path: &str) -> String {
        let time = Timestamp::from_unix_millis(1_772_438_500_000).expect("time");
        let ledger = &shared.ledger;
        if path == "/api/v1/ledger/export" {
            ledger.export(|_| true, time)
        } else if path.starts_with("/api/v1/ledger/checkpoint") {
            serde_json::to_string(&ledger.checkpoint(time)).expect("json")
        } else if path.starts_with("/api/v1/ledger/proof/inclusion") {
            let index = query(path, "index");
            let mut proof =
                inclusion_proof(ledger.store(), index, query(path, "size")).expect("proof");
            if shared.corrupt_inclusion == Some(index) {
                if let Some(first) = proof.path.first_mut() {
                    first.0[0] ^= 1;
                }
            }
            serde_json::to_string(&proof).expect("json")
        } else if path.starts_with("/api/v1/ledger/proof/consistency") {
            let proof = consistency_proof(ledger.store(), query(path, "from"), query(path, "to"))
                .expect("proof");
            serde_json::to_string(&proof).expect("json")
        } else {
            String::new()
        }
    }

    /// Serves on a random loopback port until the process ends; returns the
    /// base URL.
    pub fn start(shared: Arc<Mutex<Shared>>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    continue;
                }
                let path = request.split_whitespace().nth(1).unwrap_or("").to_owned();
                let mut shared = shared.lock().expect("lock");
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
                        break;
                    }
                    if header.to_ascii_lowercase().starts_with("authorization:") {
                        shared.authorizations.push(header.trim().to_owned());
                    }
                }
                let body = answer(&mut shared, &path);
                let status = if body.is_empty() {
                    "404 Not Found"
                } else {
                    "200 OK"
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        url
    }
}

#[test]
fn verify_against_a_server_checks_every_proof_and_consistency_with_the_state() {
    use std::sync::{Arc, Mutex};

    let dir = tempfile::tempdir().expect("tempdir");
    let key_file = dir.path().join("ledger.key");
    let public = stdout(&run(["ledger", "key", "--ledger-key", text(&key_file)]))
        .trim()
        .to_owned();
    let mut ledger = MemoryLedger::new(load_key_file(&key_file).expect("key"));
    for n in 0..5 {
        ledger.append(&leaf(n)).expect("append");
    }
    let shared = Arc::new(Mutex::new(fake_server::Shared {
        ledger,
        corrupt_inclusion: None,
        authorizations: Vec::new(),
    }));
    let url = fake_server::start(Arc::clone(&shared));
    let state = dir.path().join("state.json");
    let verify = |extra: &[&str]| {
        let mut args = vec![
            "ledger",
            "verify",
            "--server",
            &url,
            "--key",
            &public,
            "--state",
            text(&state),
        ];
        args.extend_from_slice(extra);
        run(&args)
    };

    let out = verify(&["--token", "secret-token"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout(&out).contains("ok: 5 entries"), "{}", stdout(&out));
    assert!(shared
        .lock()
        .expect("lock")
        .authorizations
        .iter()
        .any(|h| h.split_once(':').map(|(_, v)| v.trim()) == Some("Bearer secret-token")));

    // The log grows: consistent with the checkpoint kept in the state.
    for n in 5..9 {
        shared
            .lock()
            .expect("lock")
            .ledger
            .append(&leaf(n))
            .expect("append");
    }
    let out = verify(&[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout(&out).contains("ok: 9 entries"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("consistent with 2 checkpoint(s)"),
        "{}",
        stdout(&out)
    );

    // `ledger export` writes what `ledger verify --log` accepts.
    let exported = dir.path().join("exported.jsonl");
    let out = run([
        "ledger",
        "export",
        "--server",
        &url,
        "--out",
        text(&exported),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run([
        "ledger",
        "verify",
        "--log",
        text(&exported),
        "--key",
        &public,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("ok: 9 entries"), "{}", stdout(&out));

    // A wrong inclusion proof is caught at its index.
    shared.lock().expect("lock").corrupt_inclusion = Some(6);
    let out = verify(&[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("verification failed at index 6: inclusion proof"),
        "{}",
        stdout(&out)
    );
}

/// `caisson ledger verify --server` against `caisson serve`: the untouched
/// log verifies (every proof, with the state kept), and after one byte of
/// a stored entry's content is changed in the database it fails naming that
/// entry's index.
#[test]
fn verify_against_caisson_serve_catches_a_changed_entry() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let dir = tempfile::tempdir().expect("tempdir");
    let database = format!("sqlite://{}", text(&dir.path().join("platform.db")));
    let key_file = dir.path().join("ledger.key");
    let admin = |args: &[&str]| {
        let mut all = vec!["admin", "--database", &database];
        all.extend_from_slice(args);
        let out = run(&all);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout(&out).trim().to_owned()
    };
    admin(&["org", "add", "coord", "--kind", "coordinator"]);
    admin(&["org", "add", "stateb", "--kind", "state", "--actor", "BBB"]);
    admin(&["user", "add", "coord", "ana", "--role", "editor"]);
    admin(&["user", "add", "stateb", "jana", "--role", "editor"]);
    let coord = admin(&["token", "add", "coord", "ana"]);
    let state = admin(&["token", "add", "stateb", "jana"]);

    let mut server = crate::support::caisson()
        .args(["serve", "--listen", "127.0.0.1:0", "--workers", "0"])
        .args(["--database", &database, "--ledger-key", text(&key_file)])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start caisson serve");
    let mut url = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut url)
        .expect("the server prints its URL");
    let url = url.trim().to_owned();
    let post = |token: &str, path: &str, content_type: &str, body: String| -> serde_json::Value {
        let mut response = ureq::post(&format!("{url}/api/v1{path}"))
            .header("Authorization", &format!("Bearer {token}"))
            .header("Content-Type", content_type)
            .send(body)
            .expect("a 2xx answer");
        serde_json::from_str(&response.body_mut().read_to_string().expect("body")).expect("JSON")
    };
    let reference = "[scenario]\nname = \"r\"\nstart = \"2026-01\"\nperiods = 2\n\n\
                     [[actor]]\nid = \"AAA\"\n\n[[actor]]\nid = \"BBB\"\n\n[[product]]\nid = \"shell\"\n";
    let round = post(&coord, "/rounds", "application/toml", reference.to_owned())["id"]
        .as_str()
        .expect("round id")
        .to_owned();
    post(
        &coord,
        &format!("/rounds/{round}/members"),
        "application/json",
        json!({"organisation": "stateb"}).to_string(),
    );
    for n in 0..3 {
        let entry = json!({"kind": "euc.issued", "round": round, "content": {
            "number": format!("B-{n}"), "exporter": "AAA", "exporter_organisation": "coord",
            "consignee": "BBB", "end_user": "BBB",
            "goods": [{"product": "shell", "quantity": 100}],
            "end_use": "artillery", "reexport": "permitted",
            "issued": "2026-01-01", "expires": "2026-12-31"}});
        let answer = post(
            &state,
            "/ledger/entries",
            "application/json",
            entry.to_string(),
        );
        assert_eq!(answer["index"], n);
    }

    let public = stdout(&run(["ledger", "key", "--ledger-key", text(&key_file)]))
        .trim()
        .to_owned();
    let state_file = dir.path().join("state.json");
    let verify = || {
        run([
            "ledger",
            "verify",
            "--server",
            &url,
            "--key",
            &public,
            "--token",
            &state,
            "--state",
            text(&state_file),
        ])
    };
    let out = verify();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout(&out).contains("ok: 3 entries (3 full"),
        "{}",
        stdout(&out)
    );

    // One byte of entry 1's stored content changed.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let changed = runtime.block_on(async {
        let db = caisson_server::db::Db::open(&database).await.expect("open");
        let result = sqlx::query(
            "UPDATE ledger_entries SET content = REPLACE(content, '\"B-1\"', '\"B-7\"') WHERE idx = 1",
        )
        .execute(&db.pool)
        .await
        .expect("update")
        .rows_affected();
        db.pool.close().await;
        result
    });
    assert_eq!(changed, 1);
    let out = verify();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let said = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
    assert!(said.contains("verification failed at index 1"), "{said}");
    let _ = server.kill();
    let _ = server.wait();
}

/// A `caisson serve` on a fresh SQLite file with the seed's parties: a
/// producer (`prod`, actor AAA) whose state (`statea`) denies exports to
/// belligerents, a buyer state (`stateb`, BBB) and a belligerent
/// (`statec`, CCC); one round whose product has `att_category`.
struct Served {
    dir: tempfile::TempDir,
    server: std::process::Child,
    url: String,
    round: String,
    key_file: std::path::PathBuf,
    tokens: std::collections::BTreeMap<&'static str, String>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

fn serve_seed_round() -> Served {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let dir = tempfile::tempdir().expect("tempdir");
    let database = format!("sqlite://{}", text(&dir.path().join("platform.db")));
    let key_file = dir.path().join("ledger.key");
    let admin = |args: &[&str]| {
        let mut all = vec!["admin", "--database", &database];
        all.extend_from_slice(args);
        let out = run(&all);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout(&out).trim().to_owned()
    };
    let mut tokens = std::collections::BTreeMap::new();
    for (org, kind, actor) in [
        ("coord", "coordinator", None),
        ("prod", "producer", Some("AAA")),
        ("statea", "state", Some("AAA")),
        ("stateb", "state", Some("BBB")),
        ("statec", "state", Some("CCC")),
    ] {
        let mut args = vec!["org", "add", org, "--kind", kind];
        if let Some(actor) = actor {
            args.extend(["--actor", actor]);
        }
        admin(&args);
        admin(&["user", "add", org, "ed", "--role", "editor"]);
        tokens.insert(org, admin(&["token", "add", org, "ed"]));
    }
    let mut server = crate::support::caisson()
        .args(["serve", "--listen", "127.0.0.1:0", "--workers", "0"])
        .args(["--database", &database, "--ledger-key", text(&key_file)])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start caisson serve");
    let mut url = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut url)
        .expect("the server prints its URL");
    let url = url.trim().to_owned();
    let send = |method: &str, token: &str, path: &str, content_type: &str, body: String| {
        let url = format!("{url}/api/v1{path}");
        let request = match method {
            "PUT" => ureq::put(&url),
            _ => ureq::post(&url),
        };
        let mut response = request
            .header("Authorization", &format!("Bearer {token}"))
            .header("Content-Type", content_type)
            .send(body)
            .expect("a 2xx answer");
        serde_json::from_str::<serde_json::Value>(
            &response.body_mut().read_to_string().expect("body"),
        )
        .expect("JSON")
    };
    let reference = "[scenario]\nname = \"r\"\nstart = \"2026-01\"\nperiods = 3\n\n\
        [[actor]]\nid = \"AAA\"\n\n[[actor]]\nid = \"BBB\"\n\n[[actor]]\nid = \"CCC\"\nbelligerent = true\n\n\
        [[product]]\nid = \"shell\"\nname = \"155 mm shell\"\natt_category = \"ammunition\"\n";
    let round = send(
        "POST",
        &tokens["coord"],
        "/rounds",
        "application/toml",
        reference.into(),
    )["id"]
        .as_str()
        .expect("round id")
        .to_owned();
    for member in ["prod", "statea", "stateb", "statec"] {
        send(
            "POST",
            &tokens["coord"],
            &format!("/rounds/{round}/members"),
            "application/json",
            json!({"organisation": member}).to_string(),
        );
    }
    let plant = "[[facility]]\nid = \"plant\"\nactor = \"AAA\"\n\n[[facility.line]]\nid = \"l1\"\n\
                 capacity = 100\nproducts = { shell = { rate = 1, cost = 10 } }\n";
    send(
        "PUT",
        &tokens["prod"],
        &format!("/rounds/{round}/contributions/prod"),
        "application/toml",
        plant.into(),
    );
    let neutral =
        "[[policy]]\nid = \"neutral\"\nscope = \"AAA\"\ndeny_export = [\"belligerent\"]\n";
    send(
        "PUT",
        &tokens["statea"],
        &format!("/rounds/{round}/contributions/statea"),
        "application/toml",
        neutral.into(),
    );
    Served {
        dir,
        server,
        url,
        round,
        key_file,
        tokens,
    }
}

impl Served {
    /// `caisson ledger record KIND` by `org`: (exit code, stdout + stderr).
    fn record(&self, org: &str, kind: &str, content: serde_json::Value) -> (i32, String) {
        let out = run([
            "ledger",
            "record",
            kind,
            "--server",
            &self.url,
            "--token",
            &self.tokens[org],
            "--round",
            &self.round,
            "--content",
            &content.to_string(),
        ]);
        (
            out.status.code().unwrap_or(-1),
            format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr)),
        )
    }

    /// Records and expects success; returns the answer.
    fn ok(&self, org: &str, kind: &str, content: serde_json::Value) -> serde_json::Value {
        let (code, said) = self.record(org, kind, content);
        assert_eq!(code, 0, "{said}");
        serde_json::from_str(said.lines().next().expect("a line")).expect("the answer is JSON")
    }
}

/// `caisson ledger record`, `trace` and `report att` against `caisson
/// serve`: the seed's case recorded through the CLI (a refusal exits 1 with
/// the rule), traced forwards and backwards, and reported in ATT columns
/// (CSV and xlsx, from the server and from an export) with the rows the
/// entries give.
#[test]
fn record_trace_and_report_against_caisson_serve() {
    let s = serve_seed_round();
    let euc = |number: &str, exporter: (&str, &str), consignee: &str| {
        json!({"number": number, "exporter": exporter.0, "exporter_organisation": exporter.1,
               "consignee": consignee, "end_user": consignee,
               "goods": [{"product": "shell", "quantity": 100}], "end_use": "artillery",
               "reexport": "permitted", "issued": "2026-01-01", "expires": "2026-12-31"})
    };
    // Direct to the belligerent: refused naming the neutral policy.
    let direct = s.ok("statec", "euc.issued", euc("C-1", ("AAA", "prod"), "CCC"))["euc"]
        .as_str()
        .expect("euc")
        .to_owned();
    let (code, said) = s.record(
        "prod",
        "transfer.shipped",
        json!({"facility": "prod:plant", "consignee": "CCC", "product": "shell",
               "quantity": 10, "date": "2026-02-01", "euc": direct}),
    );
    assert_eq!(code, 1, "{said}");
    assert!(
        said.contains("compliance_denied") && said.contains("neutral"),
        "{said}"
    );
    // Via BBB: shipped, received, re-exported to CCC, received.
    let b1 = s.ok("stateb", "euc.issued", euc("B-1", ("AAA", "prod"), "BBB"))["euc"]
        .as_str()
        .expect("euc")
        .to_owned();
    let lot = s.ok(
        "prod",
        "transfer.shipped",
        json!({"facility": "prod:plant", "consignee": "BBB", "product": "shell",
               "quantity": 100, "date": "2026-02-01", "euc": b1}),
    )["lot"]
        .as_str()
        .expect("lot")
        .to_owned();
    s.ok(
        "stateb",
        "transfer.received",
        json!({"lot": lot, "quantity": 100, "date": "2026-02-03"}),
    );
    let c2 = s.ok("statec", "euc.issued", euc("C-2", ("BBB", "stateb"), "CCC"))["euc"]
        .as_str()
        .expect("euc")
        .to_owned();
    let onward = s.ok(
        "stateb",
        "transfer.reexported",
        json!({"lot": lot, "to": "CCC", "quantity": 40, "date": "2026-03-01", "euc": c2}),
    )["lot"]
        .as_str()
        .expect("new lot")
        .to_owned();
    s.ok(
        "statec",
        "transfer.received",
        json!({"lot": onward, "quantity": 40, "date": "2026-03-04"}),
    );
    // Beyond the lot: refused with custody's code.
    let (code, said) = s.record(
        "stateb",
        "transfer.reexported",
        json!({"lot": lot, "to": "CCC", "quantity": 61, "date": "2026-03-02", "euc": c2}),
    );
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("422"), "{said}");

    // Forwards from AAA, as the producer's state's... as the buyer sees it.
    let trace = |org: &str, args: &[&str]| {
        let mut all = vec![
            "ledger",
            "trace",
            "--server",
            &s.url,
            "--token",
            &s.tokens[org],
        ];
        all.extend_from_slice(args);
        let out = run(&all);
        (out.status.code(), stdout(&out))
    };
    let (code, forward) = trace("stateb", &["--origin", "AAA", "--format", "json"]);
    assert_eq!(code, Some(0), "{forward}");
    let forward: serde_json::Value = serde_json::from_str(&forward).expect("JSON");
    let path: Vec<&str> = forward[0]["lots"]
        .as_array()
        .expect("lots")
        .iter()
        .map(|l| l["consignee"].as_str().expect("consignee"))
        .collect();
    assert_eq!(path, ["BBB", "CCC"]);
    // Backwards from CCC, as CCC sees it: its lot came from BBB; the
    // shipment to BBB is not CCC's to read, so the chain stops there.
    let (code, backward) = trace("statec", &["--holder", "CCC"]);
    assert_eq!(code, Some(0), "{backward}");
    assert!(
        backward.contains(&format!("backward from lot {onward}")),
        "{backward}"
    );
    assert!(
        backward.contains("40 shell BBB -> CCC (40 received)"),
        "{backward}"
    );
    assert!(!backward.contains(&lot), "{backward}");
    // A lot one may not read is as unknown as a missing one.
    let (code, _) = trace("statec", &["--lot", &lot]);
    assert_eq!(code, Some(1));

    // The ATT report of AAA (as the producer reads it) and of BBB.
    let report = |org: &str, state: &str, out: &str| {
        let file = s.dir.path().join(out);
        let o = run([
            "ledger",
            "report",
            "att",
            "--server",
            &s.url,
            "--token",
            &s.tokens[org],
            "--state",
            state,
            "--year",
            "2026",
            "--out",
            text(&file),
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        file
    };
    let csv = std::fs::read_to_string(report("prod", "AAA", "aaa.csv")).expect("csv");
    assert_eq!(
        csv,
        "reporting_state,year,table,category,partner_state,state_of_origin,number_of_items,description,comments\n\
         AAA,2026,exports,ammunition,BBB,,100.0,155 mm shell (shell),EUC B-1 of stateb; ledger entries 2\n"
    );
    let csv = std::fs::read_to_string(report("stateb", "BBB", "bbb.csv")).expect("csv");
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(
        rows,
        [
            "BBB,2026,exports,ammunition,CCC,AAA,40.0,155 mm shell (shell),re-export; EUC C-2 of statec; ledger entries 5",
            "BBB,2026,imports,ammunition,AAA,,100.0,155 mm shell (shell),EUC B-1 of stateb; ledger entries 3",
        ]
    );
    let xlsx = report("stateb", "BBB", "bbb.xlsx");
    let sheets = caisson_sheets::read_xlsx(&xlsx).expect("the workbook reads");
    assert_eq!(sheets.len(), 2);
    assert_eq!(sheets[0].name, "Exports");
    assert_eq!(sheets[0].columns[1].header, "Final importing State");
    assert_eq!(sheets[1].columns[1].header, "Exporting State");
    assert_eq!(sheets[0].rows[0][3], caisson_sheets::Cell::Number(40.0));

    // The same from an export file, with the scenario for the categories.
    let export = s.dir.path().join("export.jsonl");
    let o = run([
        "ledger",
        "export",
        "--server",
        &s.url,
        "--token",
        &s.tokens["stateb"],
        "--out",
        text(&export),
    ]);
    assert_eq!(o.status.code(), Some(0));
    let public = stdout(&run(["ledger", "key", "--ledger-key", text(&s.key_file)]))
        .trim()
        .to_owned();
    let verified = run(["ledger", "verify", "--log", text(&export), "--key", &public]);
    assert_eq!(verified.status.code(), Some(0), "{}", stdout(&verified));
    let scenario = s.dir.path().join("products.toml");
    std::fs::write(
        &scenario,
        "[scenario]\nname = \"p\"\nstart = \"2026-01\"\nperiods = 1\n\n[[actor]]\nid = \"AAA\"\n\n\
         [[product]]\nid = \"shell\"\nname = \"155 mm shell\"\natt_category = \"ammunition\"\n",
    )
    .expect("write");
    // With the pinned key the export is verified first: a forged one is
    // refused.
    let forged = s.dir.path().join("forged.jsonl");
    let export_text = std::fs::read_to_string(&export).expect("export");
    std::fs::write(
        &forged,
        export_text.replacen("\"quantity\":40", "\"quantity\":4", 1),
    )
    .expect("write");
    let refused = run([
        "ledger",
        "report",
        "att",
        "--log",
        text(&forged),
        "--key",
        &public,
        "--state",
        "BBB",
        "--year",
        "2026",
        "--out",
        text(&s.dir.path().join("forged.csv")),
    ]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("verification failed at index"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let offline = s.dir.path().join("offline.csv");
    let o = run([
        "ledger",
        "report",
        "att",
        "--log",
        text(&export),
        "--key",
        &public,
        "--scenario",
        text(&scenario),
        "--state",
        "BBB",
        "--year",
        "2026",
        "--out",
        text(&offline),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(std::fs::read_to_string(offline).expect("csv"), csv);

    // Reconciliation: BBB's demand, a plan shipping 120 in 2026-02, against
    // the 100 recorded as shipped and received then (the re-export to CCC
    // is no part of the plan).
    let need = "[[demand]]\nid = \"need\"\nbuyer = \"BBB\"\nproduct = \"shell\"\n\
                quantity = 50\npenalty = 1000\n";
    let mut put = ureq::put(&format!(
        "{}/api/v1/rounds/{}/contributions/stateb",
        s.url, s.round
    ))
    .header("Authorization", &format!("Bearer {}", s.tokens["stateb"]))
    .header("Content-Type", "application/toml")
    .send(need)
    .expect("contributed");
    let _ = put.body_mut().read_to_string();
    let scenario_text = ureq::get(&format!("{}/api/v1/rounds/{}/scenario", s.url, s.round))
        .header("Authorization", &format!("Bearer {}", s.tokens["coord"]))
        .header("Accept", "application/toml")
        .call()
        .expect("the scenario")
        .body_mut()
        .read_to_string()
        .expect("text");
    let scenario = s.dir.path().join("round.toml");
    std::fs::write(&scenario, scenario_text).expect("write");
    let plan = s.dir.path().join("plan.json");
    let cost = json!({"shortage": 0, "production": 0, "transport": 0, "holding": 0,
                      "capex": 0, "contract": 0});
    std::fs::write(
        &plan,
        json!({"format": "caisson-plan/1", "scenario": "r", "status": "optimal",
               "objective": 0, "mip_gap": 0, "periods": ["2026-01", "2026-02", "2026-03"],
               "cost": cost,
               "shipments": [{"facility": "prod:plant", "demand": "stateb:need",
                              "product": "shell", "period": "2026-02", "arrival": "2026-02",
                              "quantity": 120}]})
        .to_string(),
    )
    .expect("write");
    let reconcile = |out: &str| {
        let file = s.dir.path().join(out);
        let o = run([
            "ledger",
            "report",
            "reconciliation",
            "--server",
            &s.url,
            "--token",
            &s.tokens["coord"],
            "--plan",
            text(&plan),
            "--scenario",
            text(&scenario),
            "--out",
            text(&file),
        ]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        std::fs::read_to_string(file).expect("written")
    };
    assert_eq!(
        reconcile("reconciliation.csv"),
        "facility,buyer,product,period,planned,shipped,received\n\
         prod:plant,BBB,shell,2026-02,120.0,100.0,100.0\n"
    );
    let page = reconcile("reconciliation.html");
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("\"base\":\"planned\""), "the comparison view");
    assert!(page.contains("prod:plant -"), "the table's row");
}

impl Served {
    /// Runs SQL statements on the server's database, as an operator with
    /// database access could.
    fn sql(&self, statements: &[&str]) {
        let database = format!("sqlite://{}", text(&self.dir.path().join("platform.db")));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let db = caisson_server::db::Db::open(&database).await.expect("open");
            for statement in statements {
                sqlx::query(statement)
                    .execute(&db.pool)
                    .await
                    .unwrap_or_else(|e| panic!("{statement}: {e}"));
            }
            db.pool.close().await;
        });
    }

    /// `caisson ledger verify --server` with the coordinator's token (it
    /// reads every entry) and a copy of `state`: (exit code, output).
    fn verify(&self, state: &std::path::Path) -> (Option<i32>, String) {
        let copy = self.dir.path().join("state-copy.json");
        if state.exists() {
            std::fs::copy(state, &copy).expect("copy the state");
        } else {
            let _ = std::fs::remove_file(&copy);
        }
        let public = stdout(&run([
            "ledger",
            "key",
            "--ledger-key",
            text(&self.key_file),
        ]))
        .trim()
        .to_owned();
        let out = run([
            "ledger",
            "verify",
            "--server",
            &self.url,
            "--key",
            &public,
            "--token",
            &self.tokens["coord"],
            "--state",
            text(&copy),
        ]);
        (
            out.status.code(),
            format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr)),
        )
    }
}

/// Tampering with a real server's database, with a state file saved
/// beforehand and a token that reads every entry: one byte of content
/// changed, an entry deleted, two entries swapped, the log truncated and
/// re-appended (the server signing the new log with the real key): `caisson
/// ledger verify --server` fails each time at the right index; the
/// untouched (restored) log verifies again.
#[test]
fn verify_catches_each_tampering_of_the_database_at_its_index() {
    let s = serve_seed_round();
    let euc = |n: u32| {
        json!({"number": format!("B-{n}"), "exporter": "AAA", "exporter_organisation": "prod",
               "consignee": "BBB", "end_user": "BBB",
               "goods": [{"product": "shell", "quantity": 100}], "end_use": "artillery",
               "reexport": "permitted", "issued": "2026-01-01", "expires": "2026-12-31"})
    };
    for n in 0..4 {
        s.ok("stateb", "euc.issued", euc(n));
    }
    // The state saved beforehand.
    let state = s.dir.path().join("state.json");
    let (code, said) = s.verify(&state);
    assert_eq!(code, Some(0), "{said}");
    std::fs::copy(s.dir.path().join("state-copy.json"), &state).expect("keep the state");

    let backup = "CREATE TABLE kept AS SELECT * FROM ledger_entries";
    let restore = [
        "DELETE FROM ledger_entries",
        "INSERT INTO ledger_entries SELECT * FROM kept",
        "DROP TABLE kept",
    ];
    let fails_at = |index: u64, tamper: &[&str]| {
        s.sql(&[backup]);
        s.sql(tamper);
        let (code, said) = s.verify(&state);
        assert_eq!(code, Some(1), "{said}");
        assert!(
            said.contains(&format!("verification failed at index {index}:")),
            "expected index {index}: {said}"
        );
        s.sql(&restore);
        let (code, said) = s.verify(&state);
        assert_eq!(code, Some(0), "restored: {said}");
    };
    fails_at(
        3,
        &["UPDATE ledger_entries SET content = REPLACE(content, '\"B-3\"', '\"B-8\"') WHERE idx = 3"],
    );
    fails_at(2, &["DELETE FROM ledger_entries WHERE idx = 2"]);
    fails_at(
        1,
        &[
            "UPDATE ledger_entries SET idx = -1 WHERE idx = 1",
            "UPDATE ledger_entries SET idx = 1 WHERE idx = 2",
            "UPDATE ledger_entries SET idx = 2 WHERE idx = -1",
        ],
    );

    // Truncated to two entries and re-appended through the server, which
    // signs the new log with the real key.
    s.sql(&[
        "DELETE FROM ledger_entries WHERE idx >= 2",
        "DELETE FROM ledger_checkpoints WHERE size > 2",
        "UPDATE ledger_head SET size = 2",
    ]);
    for n in 10..13 {
        s.ok("stateb", "euc.issued", euc(n));
    }
    let (code, said) = s.verify(&state);
    assert_eq!(code, Some(1), "{said}");
    assert!(said.contains("verification failed at index 2:"), "{said}");
    // Without the state, the re-signed log is self-consistent: only the
    // state kept from before catches it.
    let public = stdout(&run(["ledger", "key", "--ledger-key", text(&s.key_file)]))
        .trim()
        .to_owned();
    let fresh = run(["ledger", "verify", "--server", &s.url, "--key", &public]);
    assert_eq!(fresh.status.code(), Some(0), "{}", stdout(&fresh));
}
