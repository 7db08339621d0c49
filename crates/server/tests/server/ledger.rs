use std::collections::BTreeMap;
use std::sync::Arc;

use caisson_ledger::checkpoint::load_key_file;
use caisson_ledger::merkle::{ConsistencyProof, InclusionProof};
use caisson_ledger::{verify_export, Checkpoint, PublicKey};
use caisson_platform::{OrgKind, Organisation};
use reqwest::Method;
use serde_json::{json, Value};
use tokio::sync::Mutex;

use crate::both;
use crate::support::{Backend, Party, TestApp, PLANT};

/// The seed's case: a neutral producer state (AAA) whose policy denies
/// exports to belligerents, a non-belligerent buyer (BBB) and a
/// belligerent (CCC).
const REFERENCE: &str = r#"
[scenario]
name = "ledger-round"
start = "2026-01"
periods = 3

[[actor]]
id = "AAA"

[[actor]]
id = "BBB"

[[actor]]
id = "CCC"
belligerent = true

[[product]]
id = "shell"
"#;

const NEUTRAL: &str = r#"
[[policy]]
id = "neutral"
name = "No exports to belligerents"
scope = "AAA"
deny_export = ["belligerent"]
"#;

fn org(id: &str, kind: OrgKind, actor: Option<&str>) -> Organisation {
    Organisation {
        id: id.into(),
        name: id.to_uppercase(),
        kind,
        actor: actor.map(str::to_owned),
        buys_for: Vec::new(),
        blocs: Vec::new(),
        group: None,
    }
}

/// The parties of the ledger round.
struct Parties {
    round: String,
    coord: Party,
    prod: Party,
    /// The neutral producer's state (AAA).
    neutral: Party,
    /// The non-belligerent buyer (BBB).
    buyer: Party,
    /// The belligerent (CCC).
    belligerent: Party,
    observer: Party,
}

async fn ledger_round(app: &TestApp) -> Parties {
    let coord = app.party(org("coord", OrgKind::Coordinator, None)).await;
    let prod = app.party(org("prod", OrgKind::Producer, Some("AAA"))).await;
    let neutral = app.party(org("statea", OrgKind::State, Some("AAA"))).await;
    let buyer = app.party(org("stateb", OrgKind::State, Some("BBB"))).await;
    let belligerent = app.party(org("statec", OrgKind::State, Some("CCC"))).await;
    let observer = app.party(org("ngo", OrgKind::Observer, None)).await;
    let round = coord
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
    for member in ["prod", "statea", "stateb", "statec"] {
        coord
            .post_json(
                &format!("/rounds/{round}/members"),
                &json!({"organisation": member}),
            )
            .await
            .expect(201);
    }
    prod.put_toml(&format!("/rounds/{round}/contributions/prod"), PLANT)
        .await
        .expect(200);
    neutral
        .put_toml(&format!("/rounds/{round}/contributions/statea"), NEUTRAL)
        .await
        .expect(200);
    Parties {
        round,
        coord,
        prod,
        neutral,
        buyer,
        belligerent,
        observer,
    }
}

impl Parties {
    async fn record(&self, party: &Party, kind: &str, content: Value) -> crate::support::Answer {
        party
            .post_json(
                "/ledger/entries",
                &json!({"kind": kind, "round": self.round, "content": content}),
            )
            .await
    }

    /// Records and expects 201; returns the answer.
    async fn ok(&self, party: &Party, kind: &str, content: Value) -> Value {
        self.record(party, kind, content).await.expect(201).json()
    }

    /// An EUC issued by `issuer` for goods of 100 shells.
    async fn euc(
        &self,
        issuer: &Party,
        number: &str,
        exporter: (&str, &str),
        end_user: &str,
        reexport: &str,
    ) -> String {
        let answer = self
            .ok(
                issuer,
                "euc.issued",
                json!({
                    "number": number, "exporter": exporter.0,
                    "exporter_organisation": exporter.1,
                    "consignee": end_user, "end_user": end_user,
                    "goods": [{"product": "shell", "quantity": 100}],
                    "end_use": "artillery", "reexport": reexport,
                    "issued": "2026-01-01", "expires": "2026-12-31"
                }),
            )
            .await;
        answer["euc"].as_str().expect("euc id").to_owned()
    }

    /// Ships 100 shells from the producer's plant to BBB under `euc` and
    /// records their receipt; returns the lot.
    async fn shipped_to_buyer(&self, euc: &str) -> String {
        let lot = self
            .ok(
                &self.prod,
                "transfer.shipped",
                json!({"facility": "prod:plant", "consignee": "BBB", "product": "shell",
                       "quantity": 100, "date": "2026-02-01", "euc": euc}),
            )
            .await["lot"]
            .as_str()
            .expect("lot id")
            .to_owned();
        self.ok(
            &self.buyer,
            "transfer.received",
            json!({"lot": lot, "quantity": 100, "date": "2026-02-03"}),
        )
        .await;
        lot
    }

    async fn reexport(&self, lot: &str, euc: &str) -> crate::support::Answer {
        self.record(
            &self.buyer,
            "transfer.reexported",
            json!({"lot": lot, "to": "CCC", "quantity": 40, "date": "2026-03-01", "euc": euc}),
        )
        .await
    }
}

fn public_key(app: &TestApp) -> PublicKey {
    load_key_file(&app.ledger_key)
        .expect("the server created its key file")
        .public()
}

async fn export(party: &Party) -> String {
    let answer = party.get("/ledger/export").await.expect(200);
    assert!(
        answer.content_type.contains("ndjson"),
        "{}",
        answer.content_type
    );
    answer.text
}

/// The seed's case end to end: a direct shipment to the belligerent is
/// refused naming the neutral state's policy; goods shipped to BBB and
/// re-exported to the belligerent under its EUC are recorded when BBB's EUC
/// permits re-export, refused when it prohibits it, and refused until the
/// origin state consents when it asks for consent.
async fn custody_of_the_seed_case(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let p = ledger_round(&app).await;

    // Direct to the belligerent: its EUC is recorded, the shipment refused
    // by the neutral producer's policy.
    let direct = p
        .euc(&p.belligerent, "C-1", ("AAA", "prod"), "CCC", "prohibited")
        .await;
    let refused = p
        .record(
            &p.prod,
            "transfer.shipped",
            json!({"facility": "prod:plant", "consignee": "CCC", "product": "shell",
                   "quantity": 10, "date": "2026-02-01", "euc": direct}),
        )
        .await
        .expect(422);
    assert_eq!(refused.code(), "compliance_denied");
    let message = refused.json()["error"]["message"].to_string();
    assert!(message.contains("neutral"), "names the policy: {message}");
    assert!(message.contains("deny_export"), "names the list: {message}");

    // Via BBB under an EUC that permits re-export: recorded.
    let permitted = p
        .euc(&p.buyer, "B-1", ("AAA", "prod"), "BBB", "permitted")
        .await;
    let lot = p.shipped_to_buyer(&permitted).await;
    let onward = p
        .euc(
            &p.belligerent,
            "C-2",
            ("BBB", "stateb"),
            "CCC",
            "prohibited",
        )
        .await;
    let reexported = p.reexport(&lot, &onward).await.expect(201).json();
    assert!(reexported["lot"].as_str().is_some_and(|l| l.len() == 32));
    assert!(reexported["index"].as_u64().is_some());
    // Beyond what the lot still holds (100 - 40): refused.
    let too_much = p
        .record(
            &p.buyer,
            "transfer.reexported",
            json!({"lot": lot, "to": "CCC", "quantity": 61, "date": "2026-03-02", "euc": onward}),
        )
        .await
        .expect(422);
    assert!(
        ["custody_exceeded", "euc_mismatch"].contains(&too_much.code().as_str()),
        "{}",
        too_much.text
    );

    // Under an EUC that prohibits re-export: refused.
    let prohibited = p
        .euc(&p.buyer, "B-2", ("AAA", "prod"), "BBB", "prohibited")
        .await;
    let lot = p.shipped_to_buyer(&prohibited).await;
    let onward = p
        .euc(
            &p.belligerent,
            "C-3",
            ("BBB", "stateb"),
            "CCC",
            "prohibited",
        )
        .await;
    let refused = p.reexport(&lot, &onward).await.expect(422);
    assert_eq!(refused.code(), "euc_mismatch", "{}", refused.text);

    // With consent: refused until the origin state consents.
    let with_consent = p
        .euc(&p.buyer, "B-3", ("AAA", "prod"), "BBB", "with_consent")
        .await;
    let lot = p.shipped_to_buyer(&with_consent).await;
    let onward = p
        .euc(
            &p.belligerent,
            "C-4",
            ("BBB", "stateb"),
            "CCC",
            "prohibited",
        )
        .await;
    assert_eq!(
        p.reexport(&lot, &onward).await.expect(422).code(),
        "euc_mismatch"
    );
    let consent = json!({"lot": lot, "to": "CCC", "quantity": 40, "euc": onward});
    // Only the state of the lot's origin consents.
    p.record(&p.buyer, "consent.given", consent.clone())
        .await
        .expect(403);
    p.ok(&p.neutral, "consent.given", consent).await;
    p.reexport(&lot, &onward).await.expect(201);

    // A lot the caller may not view is as unknown as a missing one.
    let hidden = p
        .record(
            &p.belligerent,
            "transfer.received",
            json!({"lot": lot, "quantity": 1, "date": "2026-03-05"}),
        )
        .await
        .expect(422);
    let missing = p
        .record(
            &p.belligerent,
            "transfer.received",
            json!({"lot": "0".repeat(32), "quantity": 1, "date": "2026-03-05"}),
        )
        .await
        .expect(422);
    assert_eq!(hidden.code(), "unknown");
    assert_eq!(missing.code(), "unknown");
    // Who records what: only the producer of the facility ships; nobody
    // posts contract.signed; an EUC number is used once per issuer.
    p.record(
        &p.buyer,
        "transfer.shipped",
        json!({"facility": "prod:plant", "consignee": "BBB", "product": "shell",
               "quantity": 1, "date": "2026-02-01", "euc": permitted}),
    )
    .await
    .expect(403);
    let signed = p
        .record(&p.coord, "contract.signed", json!({}))
        .await
        .expect(403);
    assert_eq!(signed.code(), "forbidden");
    let again = p
        .record(
            &p.buyer,
            "euc.issued",
            json!({
                "number": "B-1", "exporter": "AAA", "exporter_organisation": "prod",
                "consignee": "BBB", "end_user": "BBB",
                "goods": [{"product": "shell", "quantity": 1}],
                "end_use": "x", "reexport": "permitted",
                "issued": "2026-01-01", "expires": "2026-12-31"
            }),
        )
        .await
        .expect(409);
    assert_eq!(again.code(), "conflict");
    // Unknown keys and nulls are refused.
    p.record(
        &p.buyer,
        "transfer.received",
        json!({"lot": lot, "quantity": 1, "date": "2026-03-05", "extra": 1}),
    )
    .await
    .expect(400);
    p.record(
        &p.buyer,
        "transfer.received",
        json!({"lot": lot, "quantity": null, "date": "2026-03-05"}),
    )
    .await
    .expect(400);
    // Without a token, nothing is recorded.
    app.anonymous()
        .post_json(
            "/ledger/entries",
            &json!({"kind": "consent.given", "round": p.round, "content": {}}),
        )
        .await
        .expect(401);

    // The whole log verifies under the pinned key.
    let text = export(&p.coord).await;
    let summary = verify_export(&text, &public_key(&app)).expect("the log verifies");
    assert_eq!(summary.size, 16, "{text}");
    app.stop().await;
}
both!(custody_of_the_seed_case);

/// Entries in full for their parties, the coordinator and the recorder;
/// `{"index", "time", "leaf_hash"}` for everyone else, anonymous included;
/// a bad token is still 401.
async fn entries_are_read_in_the_callers_form(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let p = ledger_round(&app).await;
    let euc = p
        .ok(
            &p.buyer,
            "euc.issued",
            json!({
                "number": "B-1", "exporter": "AAA", "exporter_organisation": "prod",
                "consignee": "BBB", "end_user": "BBB",
                "goods": [{"product": "shell", "quantity": 100}],
                "end_use": "artillery", "reexport": "permitted",
                "issued": "2026-01-01", "expires": "2026-12-31"
            }),
        )
        .await;
    let index = euc["index"].as_u64().expect("index");
    let path = format!("/ledger/entries/{index}");
    // Parties: the issuer, the exporter organisation, the states of the
    // exporter and consignee; the coordinator.
    for reader in [&p.buyer, &p.prod, &p.neutral, &p.coord] {
        let full = reader.get(&path).await.expect(200).json();
        assert_eq!(full["kind"], "euc.issued");
        assert_eq!(full["organisation"], "stateb");
        assert_eq!(full["round"], p.round.as_str());
        assert_eq!(full["content"]["euc"], euc["euc"]);
        assert_eq!(full["content"]["goods"][0]["quantity"], 100);
        assert!(full["salt"].as_str().is_some_and(|s| s.len() == 64));
    }
    for outsider in [&p.belligerent, &p.observer, &app.anonymous()] {
        let public = outsider.get(&path).await.expect(200).json();
        let mut keys: Vec<&String> = public.as_object().expect("object").keys().collect();
        keys.sort();
        assert_eq!(keys, ["index", "leaf_hash", "time"], "{public}");
    }
    // The same in the export.
    let line = |text: &str| -> Value {
        serde_json::from_str(text.lines().next().expect("a line")).expect("JSON")
    };
    assert!(line(&export(&p.prod).await).get("content").is_some());
    assert!(line(&export(&p.observer).await).get("content").is_none());
    assert!(line(&export(&app.anonymous()).await)
        .get("content")
        .is_none());
    let forged = Party::new(&app.url, "not-a-token");
    assert_eq!(
        forged.get(&path).await.expect(401).code(),
        "unauthenticated"
    );
    forged.get("/ledger/export").await.expect(401);
    app.anonymous().get("/ledger/entries/99").await.expect(404);
    app.anonymous().get("/ledger/entries/x").await.expect(404);
    app.stop().await;
}
both!(entries_are_read_in_the_callers_form);

/// Signing a contract appends `contract.signed` in the same transaction,
/// read in full by both sides.
async fn signing_a_contract_records_it(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let round = app.contributed_round().await;
    let id = round
        .state
        .post_json(
            &format!("/rounds/{}/contracts", round.id),
            &json!({"supplier": "prod", "buyer": "BBB", "product": "shell",
                    "quantity": 30, "penalty": 5, "price": 100, "facility": "plant"}),
        )
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
    let entry = round
        .state
        .get("/ledger/entries/0")
        .await
        .expect(200)
        .json();
    assert_eq!(entry["kind"], "contract.signed");
    assert_eq!(
        entry["content"],
        json!({"contract": id, "supplier_organisation": "prod", "buyer_organisation": "stateb",
               "facility": "prod:plant", "buyer": "BBB", "product": "shell",
               "quantity": 30, "penalty": 5, "price": 100})
    );
    assert_eq!(
        round.prod.get("/ledger/entries/0").await.expect(200).json()["content"]["contract"],
        id.as_str()
    );
    let checkpoint = app
        .anonymous()
        .get("/ledger/checkpoint")
        .await
        .expect(200)
        .json();
    assert_eq!(checkpoint["size"], 1);
    app.stop().await;
}
both!(signing_a_contract_records_it);

/// Every checkpoint is signed by the key file's key; inclusion and
/// consistency proofs verify with the ledger crate; bad proof requests are
/// 400; changing one byte of a stored entry's content makes verification
/// fail at that entry's index.
async fn proofs_verify_and_tampering_is_caught(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let p = ledger_round(&app).await;
    let key = public_key(&app);
    let anyone = app.anonymous();
    let empty: Checkpoint =
        serde_json::from_value(anyone.get("/ledger/checkpoint").await.expect(200).json())
            .expect("checkpoint");
    assert_eq!(empty.size, 0);
    empty
        .verify(&key)
        .expect("the empty tree's checkpoint is signed");

    let euc = p
        .euc(&p.buyer, "B-1", ("AAA", "prod"), "BBB", "permitted")
        .await;
    let mut shipments = Vec::new();
    for day in 1..=5 {
        let answer = p
            .ok(
                &p.prod,
                "transfer.shipped",
                json!({"facility": "prod:plant", "consignee": "BBB", "product": "shell",
                       "quantity": 10, "date": format!("2026-02-0{day}"), "euc": euc}),
            )
            .await;
        shipments.push(answer["index"].as_u64().expect("index"));
    }
    let size = 6u64;
    let mut checkpoints = BTreeMap::new();
    for n in 0..=size {
        let checkpoint: Checkpoint = serde_json::from_value(
            anyone
                .get(&format!("/ledger/checkpoint?size={n}"))
                .await
                .expect(200)
                .json(),
        )
        .expect("checkpoint");
        assert_eq!(checkpoint.size, n);
        checkpoint.verify(&key).expect("signed by the pinned key");
        checkpoints.insert(n, checkpoint);
    }
    for n in 1..=size {
        for index in 0..n {
            let proof: InclusionProof = serde_json::from_value(
                anyone
                    .get(&format!("/ledger/proof/inclusion?index={index}&size={n}"))
                    .await
                    .expect(200)
                    .json(),
            )
            .expect("inclusion proof");
            proof
                .verify(&checkpoints[&n].root_hash)
                .expect("inclusion verifies");
        }
        for from in 1..=n {
            let proof: ConsistencyProof = serde_json::from_value(
                anyone
                    .get(&format!("/ledger/proof/consistency?from={from}&to={n}"))
                    .await
                    .expect(200)
                    .json(),
            )
            .expect("consistency proof");
            proof
                .verify(&checkpoints[&from].root_hash, &checkpoints[&n].root_hash)
                .expect("consistency verifies");
        }
    }
    for bad in [
        "/ledger/proof/inclusion?index=3&size=3",
        "/ledger/proof/inclusion?index=0&size=7",
        "/ledger/proof/inclusion?index=0",
        "/ledger/proof/consistency?from=0&to=3",
        "/ledger/proof/consistency?from=4&to=3",
        "/ledger/proof/consistency?from=1&to=7",
        "/ledger/checkpoint?size=7",
    ] {
        let answer = anyone.get(bad).await.expect(400);
        assert_eq!(answer.code(), "bad_request", "{bad}");
    }

    // The untouched log verifies; one byte changed in a stored content
    // fails at that index, for a reader of the entry.
    verify_export(&export(&p.prod).await, &key).expect("untouched log verifies");
    let target = i64::try_from(shipments[2]).expect("index");
    let changed = sqlx::query(
        "UPDATE ledger_entries SET content = REPLACE(content, '\"quantity\":10', '\"quantity\":19') \
         WHERE idx = $1",
    )
    .bind(target)
    .execute(&app.db.pool)
    .await
    .expect("tamper")
    .rows_affected();
    assert_eq!(changed, 1);
    let failure = verify_export(&export(&p.prod).await, &key).expect_err("tampering is caught");
    assert_eq!(failure.index, Some(shipments[2]), "{failure}");
    app.stop().await;
}
both!(proofs_verify_and_tampering_is_caught);

/// The server killed with SIGKILL during a burst of appends: after a
/// restart every answered entry is at its index with its content, indices
/// run without gaps, and the log verifies.
async fn a_killed_server_keeps_every_answered_entry(backend: Backend) {
    let mut app = TestApp::spawn(backend, 0).await;
    let p = ledger_round(&app).await;
    let answered: Arc<Mutex<BTreeMap<u64, String>>> = Arc::default();
    let (enough, mut enough_rx) = tokio::sync::watch::channel(false);
    let mut writers = Vec::new();
    for writer in 0..4 {
        let buyer = p.buyer.clone();
        let round = p.round.clone();
        let answered = Arc::clone(&answered);
        let enough = enough.clone();
        writers.push(tokio::spawn(async move {
            for n in 0..200 {
                let number = format!("W{writer}-{n}");
                let body = json!({"kind": "euc.issued", "round": round, "content": {
                    "number": number, "exporter": "AAA", "exporter_organisation": "prod",
                    "consignee": "BBB", "end_user": "BBB",
                    "goods": [{"product": "shell", "quantity": 1}],
                    "end_use": "artillery", "reexport": "permitted",
                    "issued": "2026-01-01", "expires": "2026-12-31"}});
                let Ok(answer) = buyer
                    .try_send(
                        Method::POST,
                        "/ledger/entries",
                        Some(("application/json", &body.to_string())),
                        &[],
                    )
                    .await
                else {
                    return;
                };
                if answer.status.as_u16() == 201 {
                    let index = answer.json()["index"].as_u64().expect("index");
                    let mut answered = answered.lock().await;
                    answered.insert(index, number);
                    if answered.len() >= 20 {
                        let _ = enough.send(true);
                    }
                }
            }
        }));
    }
    let _ = enough_rx.wait_for(|e| *e).await;
    app.kill_and_restart(0).await;
    for writer in writers {
        let _ = writer.await;
    }
    let answered = answered.lock().await.clone();
    assert!(answered.len() >= 20);

    let coord = p.coord.at(&app.url);
    let text = export(&coord).await;
    let summary = verify_export(&text, &public_key(&app)).expect("the log verifies");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let entries = &lines[..lines.len() - 1];
    assert_eq!(summary.size, entries.len() as u64);
    for (position, entry) in entries.iter().enumerate() {
        assert_eq!(entry["index"], position, "no gaps");
    }
    for (index, number) in &answered {
        let entry = &entries[usize::try_from(*index).expect("index")];
        assert_eq!(entry["content"]["number"], number.as_str(), "entry {index}");
    }
    // Appends go on after the restart, at the next index.
    let next = p
        .buyer
        .at(&app.url)
        .post_json(
            "/ledger/entries",
            &json!({"kind": "euc.issued", "round": p.round, "content": {
                "number": "after", "exporter": "AAA", "exporter_organisation": "prod",
                "consignee": "BBB", "end_user": "BBB",
                "goods": [{"product": "shell", "quantity": 1}],
                "end_use": "artillery", "reexport": "permitted",
                "issued": "2026-01-01", "expires": "2026-12-31"}}),
        )
        .await
        .expect(201)
        .json();
    assert_eq!(next["index"], summary.size);
    app.stop().await;
}
both!(a_killed_server_keeps_every_answered_entry);

/// Two servers sharing one database and key file, appending at once: every
/// append is answered 201 with its own index, and the log runs without
/// gaps and verifies.
async fn two_servers_never_share_an_index(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let p = ledger_round(&app).await;
    let second = caisson_server::serve::start(&caisson_server::serve::ServeConfig {
        listen: "127.0.0.1:0".into(),
        database: app.database.clone(),
        workers: 0,
        lease: std::time::Duration::from_secs(30),
        handler_timeout: std::time::Duration::from_secs(60),
        ledger_key: app.ledger_key.clone(),
        auth: Default::default(),
    })
    .await
    .expect("a second server starts");
    let mut writers = Vec::new();
    for writer in 0..4 {
        let url = if writer % 2 == 0 {
            &app.url
        } else {
            &second.url
        };
        let buyer = p.buyer.at(url);
        let round = p.round.clone();
        writers.push(tokio::spawn(async move {
            let mut indices = Vec::new();
            for n in 0..15 {
                let answer = buyer
                    .post_json(
                        "/ledger/entries",
                        &json!({"kind": "euc.issued", "round": round, "content": {
                            "number": format!("W{writer}-{n}"), "exporter": "AAA",
                            "exporter_organisation": "prod", "consignee": "BBB", "end_user": "BBB",
                            "goods": [{"product": "shell", "quantity": 1}],
                            "end_use": "artillery", "reexport": "permitted",
                            "issued": "2026-01-01", "expires": "2026-12-31"}}),
                    )
                    .await
                    .expect(201);
                indices.push(answer.json()["index"].as_u64().expect("index"));
            }
            indices
        }));
    }
    let mut indices = Vec::new();
    for writer in writers {
        indices.extend(writer.await.expect("writer"));
    }
    indices.sort_unstable();
    assert_eq!(indices, (0..60).collect::<Vec<u64>>());
    let summary = verify_export(&export(&p.coord).await, &public_key(&app)).expect("verifies");
    assert_eq!(summary.size, 60);
    second.stop().await.expect("stop the second server");
    app.stop().await;
}
both!(two_servers_never_share_an_index);
