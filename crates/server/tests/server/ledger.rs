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
    let second = app.second_server().await;
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
    // Each server keeps its tree's frontier between appends and catches up
    // with the other's: every size's signed root is that of its leaves.
    for n in 1..=60usize {
        let checkpoint: Checkpoint = serde_json::from_value(
            app.anonymous()
                .get(&format!("/ledger/checkpoint?size={n}"))
                .await
                .expect(200)
                .json(),
        )
        .expect("checkpoint");
        assert_eq!(
            checkpoint.root_hash,
            caisson_ledger::merkle::root_of(&summary.leaf_hashes[..n]),
            "size {n}"
        );
    }
    second.stop().await.expect("stop the second server");
    app.stop().await;
}
both!(two_servers_never_share_an_index);

/// A small deterministic generator of test quantities (the property test
/// runs several seeds; no timing or randomness the test cannot replay).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Sends `bodies` as concurrent recordings, each from its own client,
/// alternating between two servers; returns (quantity, status, code) of
/// every answer.
async fn concurrently(
    party: &Party,
    urls: [&str; 2],
    round: &str,
    kind: &str,
    contents: Vec<Value>,
) -> Vec<(f64, u16, String)> {
    let mut tasks = Vec::new();
    for (n, content) in contents.into_iter().enumerate() {
        let party = party.at(urls[n % 2]);
        let body = json!({"kind": kind, "round": round, "content": content});
        tasks.push(tokio::spawn(async move {
            let quantity = body["content"]["quantity"].as_f64().expect("quantity");
            let answer = party.post_json("/ledger/entries", &body).await;
            let code = if answer.status.as_u16() == 201 {
                String::new()
            } else {
                answer.code()
            };
            (quantity, answer.status.as_u16(), code)
        }));
    }
    let mut out = Vec::new();
    for task in tasks {
        out.push(task.await.expect("client"));
    }
    out
}

/// Checks one burst against its limit: accepted quantities sum to at most
/// `limit`, every refusal has `code`, and every refused quantity would
/// indeed have exceeded what was left at the end (so nothing was refused
/// that fitted). Returns the accepted total.
fn within(limit: f64, answers: &[(f64, u16, String)], code: &str) -> f64 {
    let accepted: f64 = answers
        .iter()
        .filter(|(_, status, _)| *status == 201)
        .map(|(q, _, _)| q)
        .sum();
    assert!(
        accepted <= limit,
        "{accepted} accepted of {limit}: {answers:?}"
    );
    for (q, status, got) in answers {
        if *status != 201 {
            assert_eq!((*status, got.as_str()), (422, code), "{answers:?}");
            assert!(
                *q > limit - accepted,
                "{q} was refused with {} left",
                limit - accepted
            );
        }
    }
    accepted
}

/// Quantities under concurrent recording (a property over several seeds):
/// parallel clients on two servers sharing the database ship under one
/// EUC, receive one lot and re-export from it; no EUC is over-used and no
/// lot over-received or over-re-exported, and nothing that fitted is
/// refused.
async fn concurrent_recording_never_exceeds_a_lot(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let p = ledger_round(&app).await;
    let second = app.second_server().await;
    let urls = [app.url.as_str(), second.url.as_str()];
    for seed in 1..=3u64 {
        let mut rng = Lcg(seed);
        let euc = p
            .euc(
                &p.buyer,
                &format!("P-{seed}"),
                ("AAA", "prod"),
                "BBB",
                "permitted",
            )
            .await;
        // Shipments: 8 clients, 10..=30 each, against the EUC's 100.
        let shipments: Vec<Value> = (0..8)
            .map(|_| {
                json!({"facility": "prod:plant", "consignee": "BBB", "product": "shell",
                       "quantity": 10 + rng.below(21), "date": "2026-02-01", "euc": euc})
            })
            .collect();
        let answers = concurrently(&p.prod, urls, &p.round, "transfer.shipped", shipments).await;
        within(100.0, &answers, "euc_mismatch");

        // One lot of the biggest accepted shipment... simpler: a fresh EUC
        // and one lot of 100, received by 8 clients at once.
        let euc = p
            .euc(
                &p.buyer,
                &format!("Q-{seed}"),
                ("AAA", "prod"),
                "BBB",
                "permitted",
            )
            .await;
        let lot = p
            .ok(
                &p.prod,
                "transfer.shipped",
                json!({"facility": "prod:plant", "consignee": "BBB", "product": "shell",
                       "quantity": 100, "date": "2026-02-01", "euc": euc}),
            )
            .await["lot"]
            .as_str()
            .expect("lot")
            .to_owned();
        let receipts: Vec<Value> = (0..8)
            .map(|_| json!({"lot": lot, "quantity": 10 + rng.below(21), "date": "2026-02-03"}))
            .collect();
        let answers = concurrently(&p.buyer, urls, &p.round, "transfer.received", receipts).await;
        let received = within(100.0, &answers, "custody_exceeded");

        // Re-exports from what was received, 8 clients at once, under an
        // EUC big enough that only the lot limits them.
        let onward = p
            .ok(
                &p.belligerent,
                "euc.issued",
                json!({"number": format!("R-{seed}"), "exporter": "BBB",
                       "exporter_organisation": "stateb", "consignee": "CCC", "end_user": "CCC",
                       "goods": [{"product": "shell", "quantity": 1000}], "end_use": "artillery",
                       "reexport": "permitted", "issued": "2026-01-01", "expires": "2026-12-31"}),
            )
            .await["euc"]
            .as_str()
            .expect("euc")
            .to_owned();
        let reexports: Vec<Value> = (0..8)
            .map(|_| {
                json!({"lot": lot, "to": "CCC", "quantity": 5 + rng.below(21),
                       "date": "2026-03-01", "euc": onward})
            })
            .collect();
        let answers =
            concurrently(&p.buyer, urls, &p.round, "transfer.reexported", reexports).await;
        within(received, &answers, "custody_exceeded");
    }
    let summary = verify_export(&export(&p.coord).await, &public_key(&app)).expect("verifies");
    assert!(summary.size > 30);
    second.stop().await.expect("stop the second server");
    app.stop().await;
}
both!(concurrent_recording_never_exceeds_a_lot);

/// Traces and the ATT report within each viewer's rights: the producer and
/// the buyer, parties of the lot and so of its re-export, trace the shells
/// forwards to CCC; CCC, not a party of the shipment to BBB, traces what it
/// received back to BBB only; a lot one
/// may not read is 404 like a missing one; reports count only readable
/// entries, and another organisation's entries read are access-logged.
async fn traces_and_reports_follow_each_viewers_rights(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let p = ledger_round(&app).await;
    let euc = p
        .euc(&p.buyer, "B-1", ("AAA", "prod"), "BBB", "permitted")
        .await;
    let lot = p.shipped_to_buyer(&euc).await;
    let onward_euc = p
        .euc(
            &p.belligerent,
            "C-1",
            ("BBB", "stateb"),
            "CCC",
            "prohibited",
        )
        .await;
    let onward = p.reexport(&lot, &onward_euc).await.expect(201).json()["lot"]
        .as_str()
        .expect("lot")
        .to_owned();
    p.ok(
        &p.belligerent,
        "transfer.received",
        json!({"lot": onward, "quantity": 40, "date": "2026-03-03"}),
    )
    .await;

    let consignees = |trace: &Value| -> Vec<String> {
        trace["lots"]
            .as_array()
            .expect("lots")
            .iter()
            .map(|l| l["consignee"].as_str().expect("consignee").to_owned())
            .collect()
    };
    // Forwards from AAA: the lot's parties read the re-export too.
    let buyer = p
        .buyer
        .get("/ledger/trace?origin=AAA&product=shell")
        .await
        .expect(200)
        .json();
    assert_eq!(consignees(&buyer[0]), ["BBB", "CCC"]);
    assert_eq!(buyer[0]["direction"], "forward");
    let producer = p
        .prod
        .get("/ledger/trace?origin=AAA")
        .await
        .expect(200)
        .json();
    assert_eq!(consignees(&producer[0]), ["BBB", "CCC"]);
    assert_eq!(producer[0]["lots"][0]["received"], 100.0);
    assert_eq!(producer[0]["lots"][1]["received"], 40.0);
    // Nothing of another product; CCC ships nothing.
    let none = p
        .buyer
        .get("/ledger/trace?origin=AAA&product=other")
        .await
        .expect(200)
        .json();
    assert_eq!(none, json!([]));
    // Backwards from CCC: the belligerent reads its lot, not BBB's.
    let back = p
        .belligerent
        .get("/ledger/trace?holder=CCC")
        .await
        .expect(200)
        .json();
    assert_eq!(back.as_array().map(Vec::len), Some(1));
    assert_eq!(consignees(&back[0]), ["CCC"]);
    assert_eq!(back[0]["lots"][0]["sender"], "BBB");
    // The coordinator reads everything: CCC's shells came from AAA's plant.
    let coord = p
        .coord
        .get("/ledger/trace?holder=CCC")
        .await
        .expect(200)
        .json();
    assert_eq!(consignees(&coord[0]), ["CCC", "BBB"]);
    assert_eq!(coord[0]["lots"][1]["facility"], "prod:plant");
    // One lot; invisible and missing lots answer the same 404.
    let one = p
        .buyer
        .get(&format!("/ledger/trace?lot={onward}&direction=backward"))
        .await
        .expect(200)
        .json();
    assert_eq!(consignees(&one[0]), ["CCC", "BBB"]);
    let hidden = p
        .belligerent
        .get(&format!("/ledger/trace?lot={lot}"))
        .await
        .expect(404);
    let missing = p
        .belligerent
        .get(&format!("/ledger/trace?lot={}", "0".repeat(32)))
        .await
        .expect(404);
    assert_eq!(hidden.text, missing.text);
    p.observer
        .get(&format!("/ledger/trace?lot={lot}"))
        .await
        .expect(404);
    p.buyer.get("/ledger/trace").await.expect(400);
    p.buyer
        .get("/ledger/trace?origin=AAA&holder=BBB")
        .await
        .expect(400);
    p.buyer
        .get(&format!("/ledger/trace?lot={lot}&direction=up"))
        .await
        .expect(400);
    // Without a token nothing is read in full: nothing to trace, and a lot
    // is as unknown as a missing one.
    let anonymous = app.anonymous();
    assert_eq!(
        anonymous
            .get("/ledger/trace?origin=AAA")
            .await
            .expect(200)
            .json(),
        json!([])
    );
    anonymous
        .get(&format!("/ledger/trace?lot={lot}"))
        .await
        .expect(404);
    Party::new(&app.url, "not-a-token")
        .get("/ledger/trace?origin=AAA")
        .await
        .expect(401);

    // ATT: BBB's 2026 report, by its own state (the default state).
    let report = p
        .buyer
        .get("/ledger/reports/att?year=2026")
        .await
        .expect(200)
        .json();
    assert_eq!(report["state"], "BBB");
    assert_eq!(report["exports"].as_array().map(Vec::len), Some(1));
    let export_row = &report["exports"][0];
    assert_eq!(export_row["state"], "CCC");
    assert_eq!(export_row["state_of_origin"], "AAA");
    assert_eq!(export_row["number_of_items"], 40.0);
    assert_eq!(report["imports"][0]["state"], "AAA");
    assert_eq!(report["imports"][0]["number_of_items"], 100.0);
    // The belligerent does not read BBB's import: asked for BBB, it sees
    // only the re-export it is party to.
    let seen = p
        .belligerent
        .get("/ledger/reports/att?year=2026&state=BBB")
        .await
        .expect(200)
        .json();
    assert_eq!(seen["imports"], json!([]));
    assert_eq!(seen["exports"][0]["number_of_items"], 40.0);
    // Another year: nothing; no year: 400; an observer without an actor
    // must name the state, and then reads nothing.
    let anonymous = app
        .anonymous()
        .get("/ledger/reports/att?year=2026&state=BBB")
        .await
        .expect(200)
        .json();
    assert_eq!(
        (&anonymous["exports"], &anonymous["imports"]),
        (&json!([]), &json!([]))
    );
    app.anonymous()
        .get("/ledger/reports/att?year=2026")
        .await
        .expect(400);
    let empty = p
        .buyer
        .get("/ledger/reports/att?year=2025")
        .await
        .expect(200)
        .json();
    assert_eq!(empty["exports"], json!([]));
    p.buyer.get("/ledger/reports/att").await.expect(400);
    p.observer
        .get("/ledger/reports/att?year=2026")
        .await
        .expect(400);
    let nothing = p
        .observer
        .get("/ledger/reports/att?year=2026&state=BBB")
        .await
        .expect(200)
        .json();
    assert_eq!(nothing["exports"], json!([]));
    // The belligerent's reads of entries recorded by stateb are logged for
    // stateb.
    let log = p.buyer.get("/access-log").await.expect(200).json();
    assert!(
        log.as_array()
            .expect("log")
            .iter()
            .any(|e| e["reader_organisation"] == "statec"
                && e["endpoint"] == "GET ledger ATT report"),
        "{log}"
    );
    app.stop().await;
}
both!(traces_and_reports_follow_each_viewers_rights);

/// The seed's case on the seeded European round (`caisson serve --example
/// europe`): Serbia's neutrality policy denies Krusik's direct shipment of
/// 120 mm bombs to Ukraine, naming the policy; shipped to Czechia under a
/// Czech EUC with `reexport = "permitted"`, received, re-exported to
/// Ukraine under a Ukrainian EUC and received there; under `prohibited` the
/// re-export is refused; under `with_consent` it is refused until Serbia
/// consents. The goods trace from Serbia to Ukraine and back, and the ATT
/// reports of Serbia, Czechia and Ukraine are the recorded transfers.
async fn the_seed_case_on_the_european_example(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let seeded = caisson_server::example::seed_europe(&app.db, &app.url)
        .await
        .expect("the example seeds");
    let party = |org: &str| {
        let sign_in = seeded
            .sign_ins
            .iter()
            .find(|s| s.organisation == org)
            .unwrap_or_else(|| panic!("{org} signs in"));
        Party::new(&app.url, &sign_in.token)
    };
    let (krusik, srb, cze, ukr) = (party("krusik"), party("srb"), party("cze"), party("ukr"));
    let coordinator = party(&seeded.sign_ins[0].organisation);
    let round = seeded.round.clone();
    let record = |who: &Party, kind: &str, content: Value| {
        let who = who.clone();
        let body = json!({"kind": kind, "round": round, "content": content});
        async move { who.post_json("/ledger/entries", &body).await }
    };
    let euc = |number: &str, exporter: (&str, &str), consignee: &str, reexport: &str| {
        json!({"number": number, "exporter": exporter.0, "exporter_organisation": exporter.1,
               "consignee": consignee, "end_user": consignee,
               "goods": [{"product": "mortar-120", "quantity": 1000}],
               "end_use": "armed forces", "reexport": reexport,
               "issued": "2026-01-01", "expires": "2026-12-31"})
    };
    let id = |answer: crate::support::Answer, key: &str| -> String {
        answer.expect(201).json()[key]
            .as_str()
            .unwrap_or_else(|| panic!("{key}"))
            .to_owned()
    };
    let ship = |euc: &str, consignee: &str| {
        json!({"facility": "krusik:krusik", "consignee": consignee, "product": "mortar-120",
               "quantity": 1000, "date": "2026-02-02", "euc": euc})
    };

    // Direct to Ukraine: refused by Serbia's policy.
    let direct = id(
        record(
            &ukr,
            "euc.issued",
            euc("UA-1", ("SRB", "krusik"), "UKR", "prohibited"),
        )
        .await,
        "euc",
    );
    let refused = record(&krusik, "transfer.shipped", ship(&direct, "UKR"))
        .await
        .expect(422);
    assert_eq!(refused.code(), "compliance_denied");
    let message = refused.json()["error"]["message"].to_string();
    assert!(
        message.contains("srb-neutrality"),
        "names the policy: {message}"
    );

    // Via Czechia, re-export permitted.
    let shipped_to_czechia = |clause: &'static str, number: &'static str| {
        let (cze, krusik) = (cze.clone(), krusik.clone());
        let record = &record;
        async move {
            let e = id(
                record(
                    &cze,
                    "euc.issued",
                    euc(number, ("SRB", "krusik"), "CZE", clause),
                )
                .await,
                "euc",
            );
            let lot = id(
                record(&krusik, "transfer.shipped", ship(&e, "CZE")).await,
                "lot",
            );
            record(
                &cze,
                "transfer.received",
                json!({"lot": lot, "quantity": 1000, "date": "2026-02-09"}),
            )
            .await
            .expect(201);
            lot
        }
    };
    let onward = |number: &'static str| {
        let ukr = ukr.clone();
        let record = &record;
        async move {
            id(
                record(
                    &ukr,
                    "euc.issued",
                    euc(number, ("CZE", "cze"), "UKR", "prohibited"),
                )
                .await,
                "euc",
            )
        }
    };
    let reexport = |lot: &str, euc: &str| json!({"lot": lot, "to": "UKR", "quantity": 400, "date": "2026-03-02", "euc": euc});
    let permitted = shipped_to_czechia("permitted", "CZ-1").await;
    let ua2 = onward("UA-2").await;
    let to_ukraine = id(
        record(&cze, "transfer.reexported", reexport(&permitted, &ua2)).await,
        "lot",
    );
    record(
        &ukr,
        "transfer.received",
        json!({"lot": to_ukraine, "quantity": 400, "date": "2026-03-06"}),
    )
    .await
    .expect(201);

    // Prohibited: refused.
    let prohibited = shipped_to_czechia("prohibited", "CZ-2").await;
    let ua3 = onward("UA-3").await;
    let refused = record(&cze, "transfer.reexported", reexport(&prohibited, &ua3))
        .await
        .expect(422);
    assert_eq!(refused.code(), "euc_mismatch");
    assert!(refused.text.contains("prohibit"), "{}", refused.text);

    // With consent: refused until Serbia consents.
    let with_consent = shipped_to_czechia("with_consent", "CZ-3").await;
    let ua4 = onward("UA-4").await;
    let refused = record(&cze, "transfer.reexported", reexport(&with_consent, &ua4))
        .await
        .expect(422);
    assert_eq!(refused.code(), "euc_mismatch");
    assert!(refused.text.contains("consent"), "{}", refused.text);
    record(
        &srb,
        "consent.given",
        json!({"lot": with_consent, "to": "UKR", "quantity": 400, "euc": ua4}),
    )
    .await
    .expect(201);
    record(&cze, "transfer.reexported", reexport(&with_consent, &ua4))
        .await
        .expect(201);

    // Where did Serbian 120 mm bombs end up? Three lots to Czechia, two of
    // them passed on to Ukraine.
    let forward = coordinator
        .get("/ledger/trace?origin=SRB&product=mortar-120")
        .await
        .expect(200)
        .json();
    let mut ends: Vec<Vec<String>> = forward
        .as_array()
        .expect("traces")
        .iter()
        .map(|t| {
            t["lots"]
                .as_array()
                .expect("lots")
                .iter()
                .map(|l| l["consignee"].as_str().expect("consignee").to_owned())
                .collect()
        })
        .collect();
    ends.sort();
    assert_eq!(ends, [vec!["CZE"], vec!["CZE", "UKR"], vec!["CZE", "UKR"]]);
    // Where did what Ukraine received come from? (As the coordinator.)
    let backward = coordinator
        .get("/ledger/trace?holder=UKR")
        .await
        .expect(200)
        .json();
    for trace in backward.as_array().expect("traces") {
        let senders: Vec<&str> = trace["lots"]
            .as_array()
            .expect("lots")
            .iter()
            .map(|l| l["sender"].as_str().expect("sender"))
            .collect();
        assert_eq!(senders, ["CZE", "SRB"], "{trace}");
    }
    assert_eq!(backward.as_array().map(Vec::len), Some(2));

    // The ATT reports are the recorded transfers.
    let report = |who: &Party| {
        let who = who.clone();
        async move {
            who.get("/ledger/reports/att?year=2026")
                .await
                .expect(200)
                .json()
        }
    };
    let serbia = report(&srb).await;
    assert_eq!(serbia["exports"].as_array().map(Vec::len), Some(1));
    assert_eq!(serbia["exports"][0]["state"], "CZE");
    assert_eq!(serbia["exports"][0]["number_of_items"], 3000.0);
    // The European example's products carry no `att_category` (adding one
    // changes the inputs of the generated analysis document): the column
    // is empty, not invented.
    assert_eq!(serbia["exports"][0]["category"], "");
    let czechia = report(&cze).await;
    assert_eq!(czechia["imports"][0]["number_of_items"], 3000.0);
    assert_eq!(czechia["exports"][0]["state"], "UKR");
    assert_eq!(czechia["exports"][0]["state_of_origin"], "SRB");
    assert_eq!(czechia["exports"][0]["number_of_items"], 800.0);
    let ukraine = report(&ukr).await;
    // Only the first re-export was received.
    assert_eq!(ukraine["imports"][0]["state"], "CZE");
    assert_eq!(ukraine["imports"][0]["number_of_items"], 400.0);
    let summary = verify_export(&export(&coordinator).await, &public_key(&app)).expect("verifies");
    assert!(summary.size >= 20);
    app.stop().await;
}
both!(the_seed_case_on_the_european_example);
