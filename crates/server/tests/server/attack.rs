//! The attack suite (spec section 3, issue 15): a round of a coordinator,
//! four producers (three in AAA, two of them one group; one in BBB), two
//! states and an observer, where one producer (`mkd`) declares capacities,
//! costs, stock and an expansion of unusual numbers under unusual ids.
//! Every GET endpoint of the OpenAPI document is then asked with every
//! known id of the right type in its parameters, by every organisation's
//! token, anonymously and with a revoked token: no answer may carry the
//! marked numbers (in their common renderings) or the marked ids to a
//! caller section 3 does not let see them. Every endpoint answers a
//! hidden object exactly as a missing one; injection and traversal strings
//! in every parameter answer 4xx; oversize, deeply nested and path-naming
//! bodies are refused without reading a file; and every answer carrying
//! the marked producer's data to another organisation is in its access log.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};

use caisson_platform::{OrgKind, Organisation};
use futures_util::StreamExt;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::both;
use crate::support::{client, Backend, Party, TestApp, PLANT};

const REFERENCE: &str = r#"
[scenario]
name = "attack-round"
start = "2026-01"
periods = 2

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

/// The marked producer's fragment: every figure and id below is unusual,
/// so that finding one in an answer means the answer carries this
/// producer's data.
const MARKED: &str = r#"
[[facility]]
id = "qzworks"
actor = "AAA"
stock = { shell = 2917.25 }

[[facility.line]]
id = "qzline"
capacity = 7341.5
products = { shell = { rate = 1, cost = 613.37 } }

[[facility.expansion]]
id = "qzboost"
line = "qzline"
capacity = 1583.75
lead_time = 1
capex = 88123.5
"#;

/// Its second version (a name added), so that versions and diffs exist.
const MARKED_V2: &str = r#"
[[facility]]
id = "qzworks"
name = "Marked works"
actor = "AAA"
stock = { shell = 2917.25 }

[[facility.line]]
id = "qzline"
capacity = 7341.5
products = { shell = { rate = 1, cost = 613.37 } }

[[facility.expansion]]
id = "qzboost"
line = "qzline"
capacity = 1583.75
lead_time = 1
capex = 88123.5
"#;

fn plant(id: &str, actor: &str, capacity: f64, cost: f64) -> String {
    format!(
        "[[facility]]\nid = \"{id}\"\nactor = \"{actor}\"\n\n[[facility.line]]\nid = \"l1\"\n\
         capacity = {capacity}\nproducts = {{ shell = {{ rate = 1, cost = {cost} }} }}\n"
    )
}

fn demand(id: &str, buyer: &str) -> String {
    format!(
        "[[demand]]\nid = \"{id}\"\nbuyer = \"{buyer}\"\nproduct = \"shell\"\nquantity = 3000\npenalty = 1000\n"
    )
}

const POLICY: &str = r#"
[[policy]]
id = "open"
name = "No exports to belligerents"
scope = "AAA"
deny_export = ["belligerent"]
"#;

/// A fragment another organisation tries to write in someone else's name.
const INTRUDER: &str = r#"
[[facility]]
id = "intruded"
actor = "AAA"

[[facility.line]]
id = "l1"
capacity = 1
products = { shell = { rate = 1, cost = 1 } }
"#;

/// Who section 3 lets see the marked producer's facility, its lines,
/// figures and expansions: the producer, the coordinator, the state of the
/// facility's actor (spec section 3, first table).
const FACILITY_VIEWERS: &[&str] = &["coord", "mkd", "statea"];
/// Who may see the facility's id: its viewers, and the buyer it delivers
/// to (shipments to a demand the buyer views; the contract it signed with
/// the producer; the ledger's shipment under its EUC).
const DELIVERY_VIEWERS: &[&str] = &["coord", "mkd", "statea", "stateb"];

/// A marked text and who may read it.
struct Marker {
    text: &'static str,
    /// Whether it is a number (matched between non-digits only).
    number: bool,
    viewers: &'static [&'static str],
}

/// The marked figures in the renderings an answer may use (JSON, CSV,
/// grouped thousands, whole units), and the marked ids.
fn markers() -> Vec<Marker> {
    let numbers = [
        "7341.5", "7,341.5", "7341.50", "7,341.50", "7342", "7,342", "613.37", "2917.25",
        "2,917.25", "2917", "2,917", "1583.75", "1,583.75", "1584", "1,584", "88123.5", "88,123.5",
        "88124", "88,124",
    ];
    let mut markers: Vec<Marker> = numbers
        .into_iter()
        .map(|text| Marker {
            text,
            number: true,
            viewers: FACILITY_VIEWERS,
        })
        .collect();
    for text in ["qzline", "qzboost"] {
        markers.push(Marker {
            text,
            number: false,
            viewers: FACILITY_VIEWERS,
        });
    }
    markers.push(Marker {
        text: "qzworks",
        number: false,
        viewers: DELIVERY_VIEWERS,
    });
    markers
}

/// Whether `text` contains `number` as a number of its own: not inside a
/// longer number or word (`17342`, `7342.1`, a hex hash).
fn contains_number(text: &str, number: &str) -> bool {
    let bytes = text.as_bytes();
    text.match_indices(number).any(|(at, _)| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + number.len()).copied();
        let after2 = bytes.get(at + number.len() + 1).copied();
        let glued_before = before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'.');
        let glued_after = after.is_some_and(|b| b.is_ascii_alphanumeric())
            || (matches!(after, Some(b'.' | b',')) && after2.is_some_and(|b| b.is_ascii_digit()));
        !glued_before && !glued_after
    })
}

/// The markers `text` carries that `org` may not read.
fn leaks(text: &str, org: &str) -> Vec<&'static str> {
    markers()
        .into_iter()
        .filter(|m| !m.viewers.contains(&org))
        .filter(|m| {
            if m.number {
                contains_number(text, m.text)
            } else {
                text.contains(m.text)
            }
        })
        .map(|m| m.text)
        .collect()
}

/// The markers `text` carries.
fn found_markers(text: &str) -> Vec<&'static str> {
    markers()
        .into_iter()
        .filter(|m| {
            if m.number {
                contains_number(text, m.text)
            } else {
                text.contains(m.text)
            }
        })
        .map(|m| m.text)
        .collect()
}

/// Whether `text` carries any marker.
fn carries_marked_data(text: &str) -> bool {
    !found_markers(text).is_empty()
}

fn org(id: &str, kind: OrgKind, actor: Option<&str>, group: Option<&str>) -> Organisation {
    Organisation {
        id: id.into(),
        name: id.to_uppercase(),
        kind,
        actor: actor.map(str::to_owned),
        buys_for: if kind == OrgKind::Coordinator {
            vec!["CCC".into()]
        } else {
            Vec::new()
        },
        blocs: if kind == OrgKind::Coordinator {
            vec!["EU".into()]
        } else {
            Vec::new()
        },
        group: group.map(str::to_owned),
    }
}

/// An answer with its body as bytes and, for text or xlsx, as text.
#[derive(Debug, Clone)]
struct Reply {
    status: StatusCode,
    text: String,
}

/// Sends one request on a fresh connection; xlsx bodies are read back to
/// their cells' text.
async fn request(
    url: &str,
    token: &str,
    method: Method,
    path_and_query: &str,
    body: Option<(&str, String)>,
    accept: Option<&str>,
) -> Reply {
    let mut builder = client().request(method, format!("{url}/api/v1{path_and_query}"));
    if !token.is_empty() {
        builder = builder.bearer_auth(token);
    }
    if let Some(accept) = accept {
        builder = builder.header("accept", accept);
    }
    if let Some((content_type, text)) = body {
        builder = builder.header("content-type", content_type).body(text);
    }
    let response = builder.send().await.expect("the server answers");
    let status = response.status();
    let xlsx = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.contains("spreadsheetml"));
    let bytes = response.bytes().await.expect("the body reads");
    let text = if xlsx && status.is_success() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("plan.xlsx");
        std::fs::write(&path, &bytes).expect("write xlsx");
        let sheets = caisson_sheets::read_xlsx(&path).expect("the workbook reads back");
        format!("{sheets:?}")
    } else {
        String::from_utf8_lossy(&bytes).into_owned()
    };
    Reply { status, text }
}

/// The attack round: its ids and every organisation's client.
struct Attack {
    url: String,
    round: String,
    /// A round of the coordinator's alone: hidden from every other party.
    hidden_round: String,
    /// (organisation id, token); `anonymous` has the empty token.
    tokens: Vec<(String, String)>,
    /// A revoked token of the marked producer.
    revoked: String,
    /// Published plan run, unpublished plan run, risk run (the
    /// coordinator's alone).
    plan_run: String,
    plan_run2: String,
    risk_run: String,
    /// The signed contract between `stateb` (buyer) and `mkd`.
    signed: String,
    /// The contract the coordinator proposed to `bprod`, not yet signed.
    proposed: String,
    euc: String,
    lot: String,
    /// The ledger's size after the setup.
    ledger_size: u64,
}

/// A random id of the server's form that names nothing.
const MISSING: &str = "0123456789abcdef0123456789abcdef";

impl Attack {
    fn token(&self, org: &str) -> &str {
        self.tokens
            .iter()
            .find(|(o, _)| o == org)
            .map(|(_, t)| t.as_str())
            .expect("known organisation")
    }

    fn party(&self, org: &str) -> Party {
        Party::new(&self.url, self.token(org))
    }

    /// Every known value of a parameter, plus one that names nothing.
    fn values(&self, name: &str) -> Vec<Option<String>> {
        let some = |v: Vec<String>| v.into_iter().map(Some).collect::<Vec<_>>();
        let size = self.ledger_size;
        match name {
            "round" => some(vec![
                self.round.clone(),
                self.hidden_round.clone(),
                MISSING.into(),
            ]),
            "org" => some(
                [
                    "coord", "mkd", "grpa", "grpb", "bprod", "statea", "stateb", "ngo", "nobody",
                ]
                .map(str::to_owned)
                .to_vec(),
            ),
            "run" => some(vec![
                self.plan_run.clone(),
                self.plan_run2.clone(),
                self.risk_run.clone(),
                MISSING.into(),
            ]),
            "id" => some(vec![
                self.signed.clone(),
                self.proposed.clone(),
                MISSING.into(),
            ]),
            "index" => some((0..size).chain([size + 3]).map(|i| i.to_string()).collect()),
            "version" | "from" | "to" => some(vec!["1".into(), "2".into(), "99".into()]),
            "table" => some(
                caisson_report::CSV_TABLES
                    .iter()
                    .map(|t| (*t).to_owned())
                    .chain(["nope.csv".to_owned()])
                    .collect(),
            ),
            "size" => some(vec!["1".into(), size.to_string(), (size + 5).to_string()]),
            "lot" => some(vec![self.lot.clone(), MISSING.into()]),
            "direction" => some(vec!["forward".into(), "backward".into()]),
            "state" | "origin" | "holder" | "end_user" => {
                some(vec!["AAA".into(), "BBB".into(), "ZZZ".into()])
            }
            "product" => some(vec!["shell".into(), "nothing".into()]),
            "year" => some(vec!["2026".into(), "1999".into()]),
            other => panic!(
                "the attack suite does not know the parameter `{other}`: teach it its values"
            ),
        }
    }
}

/// One operation of the OpenAPI document.
#[derive(Debug, Clone)]
struct Operation {
    method: Method,
    path: String,
    /// (name, in path?, required?)
    params: Vec<(String, bool, bool)>,
    /// Whether it reads a request body.
    has_body: bool,
}

fn operations() -> Vec<Operation> {
    let doc = serde_json::to_value(caisson_server::openapi()).expect("document");
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let method = match method.as_str() {
                "get" => Method::GET,
                "post" => Method::POST,
                "put" => Method::PUT,
                "delete" => Method::DELETE,
                "patch" => Method::PATCH,
                _ => continue,
            };
            let params = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        // Headers (the session's X-CSRF-Token) are not ids:
                        // the cookie suite tests them.
                        .filter(|p| p["in"] != "header")
                        .map(|p| {
                            (
                                p["name"].as_str().expect("name").to_owned(),
                                p["in"] == "path",
                                p["required"].as_bool().unwrap_or(false),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            operations.push(Operation {
                has_body: op["requestBody"].is_object(),
                method,
                path: path
                    .strip_prefix("/api/v1")
                    .expect("under /api/v1")
                    .to_owned(),
                params,
            });
        }
    }
    operations
}

/// Percent-encodes everything but unreserved characters.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The path (and query) of `op` with these parameter values; a value
/// given as `Raw` is put in the URL unencoded.
fn fill(op: &Operation, values: &BTreeMap<String, Option<String>>, raw: bool) -> String {
    let mut path = op.path.clone();
    let mut query = Vec::new();
    for (name, in_path, _) in &op.params {
        let Some(Some(value)) = values.get(name) else {
            continue;
        };
        let value = if raw { value.clone() } else { encode(value) };
        if *in_path {
            path = path.replace(&format!("{{{name}}}"), &value);
        } else {
            query.push(format!("{name}={value}"));
        }
    }
    if query.is_empty() {
        path
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

/// Every combination of the parameters' values.
fn combinations(
    params: &[(String, bool, bool)],
    values: &dyn Fn(&str) -> Vec<Option<String>>,
) -> Vec<BTreeMap<String, Option<String>>> {
    let mut all = vec![BTreeMap::new()];
    for (name, in_path, required) in params {
        let mut choices = values(name);
        if !in_path && !required {
            choices.push(None);
        }
        all = all
            .into_iter()
            .flat_map(|partial| {
                choices.iter().map(move |choice| {
                    let mut next = partial.clone();
                    next.insert(name.clone(), choice.clone());
                    next
                })
            })
            .collect();
    }
    all
}

/// Strings an attacker puts in ids and query parameters.
fn hostile_values() -> Vec<(String, bool)> {
    vec![
        ("' OR 1=1--".into(), false),
        ("1; DROP TABLE runs; --".into(), false),
        ("\" OR \"\"=\"".into(), false),
        ("../../etc/passwd".into(), false),
        ("..%2f..%2fcaisson.db".into(), true),
        ("%2e%2e%2f%2e%2e%2fetc%2fpasswd".into(), true),
        ("%00".into(), true),
        ("-1".into(), false),
        ("18446744073709551616".into(), false),
        ("x".repeat(4000), false),
    ]
}

/// A request body a write endpoint would accept, by path template, so that
/// a refusal is for the object named and not for the body.
fn body_for(op: &Operation) -> Option<(&'static str, String)> {
    match op.path.as_str() {
        "/rounds" | "/rounds/{round}/reference" => Some(("application/toml", REFERENCE.into())),
        "/rounds/{round}/members" => Some((
            "application/json",
            json!({"organisation": "grpa"}).to_string(),
        )),
        "/rounds/{round}/contributions/{org}" => Some(("application/toml", INTRUDER.into())),
        "/rounds/{round}/contracts" => Some((
            "application/json",
            json!({"supplier": "grpa", "buyer": "BBB", "product": "shell", "quantity": 1,
                   "penalty": 1, "price": 1, "facility": "gfa"})
            .to_string(),
        )),
        "/rounds/{round}/runs" => Some(("application/json", json!({"kind": "plan"}).to_string())),
        _ => None,
    }
}

async fn created(party: &Party, path: &str, content_type: &str, body: &str) -> String {
    party
        .send(Method::POST, path, Some((content_type, body)))
        .await
        .expect(201)
        .json()["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// Builds the round: members, contributions (two versions of the marked
/// one), a signed and a proposed contract, two plan runs (one published),
/// a risk run, an EUC and a lot in the ledger, and a hidden round.
async fn setup(app: &TestApp) -> Attack {
    let coord = app
        .party(org("coord", OrgKind::Coordinator, None, None))
        .await;
    let mkd = app
        .party(org("mkd", OrgKind::Producer, Some("AAA"), None))
        .await;
    let grpa = app
        .party(org("grpa", OrgKind::Producer, Some("AAA"), Some("grp")))
        .await;
    let grpb = app
        .party(org("grpb", OrgKind::Producer, Some("AAA"), Some("grp")))
        .await;
    let bprod = app
        .party(org("bprod", OrgKind::Producer, Some("BBB"), None))
        .await;
    let statea = app
        .party(org("statea", OrgKind::State, Some("AAA"), None))
        .await;
    let stateb = app
        .party(org("stateb", OrgKind::State, Some("BBB"), None))
        .await;
    let ngo = app.party(org("ngo", OrgKind::Observer, None, None)).await;
    let revoked = app
        .party(org("mkd", OrgKind::Producer, Some("AAA"), None))
        .await;
    caisson_server::store::token_revoke(&app.db, &revoked.token)
        .await
        .expect("revoke");

    let round = created(&coord, "/rounds", "application/toml", REFERENCE).await;
    for member in ["mkd", "grpa", "grpb", "bprod", "statea", "stateb"] {
        coord
            .post_json(
                &format!("/rounds/{round}/members"),
                &json!({"organisation": member}),
            )
            .await
            .expect(201);
    }
    let contribute = |party: &Party, org: &str, text: String| {
        let party = party.clone();
        let path = format!("/rounds/{round}/contributions/{org}");
        async move { party.put_toml(&path, &text).await.expect(200) }
    };
    contribute(&mkd, "mkd", MARKED.into()).await;
    contribute(&mkd, "mkd", MARKED_V2.into()).await;
    contribute(&grpa, "grpa", plant("gfa", "AAA", 5000.0, 700.0)).await;
    contribute(&grpb, "grpb", plant("gfb", "AAA", 4000.0, 800.0)).await;
    contribute(&bprod, "bprod", plant("bfac", "BBB", 3000.0, 650.0)).await;
    contribute(&statea, "statea", POLICY.into()).await;
    contribute(&stateb, "stateb", demand("need", "BBB")).await;
    contribute(&coord, "coord", demand("reserve", "CCC")).await;

    let offer = |supplier: &str, buyer: &str, facility: &str| {
        json!({"supplier": supplier, "buyer": buyer, "product": "shell", "quantity": 100,
               "penalty": 5, "price": 100, "facility": facility})
        .to_string()
    };
    let signed = created(
        &stateb,
        &format!("/rounds/{round}/contracts"),
        "application/json",
        &offer("mkd", "BBB", "qzworks"),
    )
    .await;
    mkd.send(Method::POST, &format!("/contracts/{signed}/accept"), None)
        .await
        .expect(200);
    let proposed = created(
        &coord,
        &format!("/rounds/{round}/contracts"),
        "application/json",
        &offer("bprod", "CCC", "bfac"),
    )
    .await;

    let mut runs = Vec::new();
    for body in [
        json!({"kind": "plan"}),
        json!({"kind": "plan", "method": "greedy"}),
        json!({"kind": "risk", "facilities": true}),
    ] {
        let id = coord
            .post_json(&format!("/rounds/{round}/runs"), &body)
            .await
            .expect(202)
            .json()["id"]
            .as_str()
            .expect("run id")
            .to_owned();
        let info = coord.wait_for_run(&id).await;
        assert_eq!(info["status"], "succeeded", "{body}: {info}");
        runs.push(id);
    }
    coord
        .send(Method::POST, &format!("/runs/{}/publish", runs[0]), None)
        .await
        .expect(200);

    let record = |party: &Party, kind: &str, content: Value| {
        let party = party.clone();
        let body = json!({"kind": kind, "round": round, "content": content});
        async move {
            party
                .post_json("/ledger/entries", &body)
                .await
                .expect(201)
                .json()
        }
    };
    let euc = record(
        &stateb,
        "euc.issued",
        json!({"number": "B-1", "exporter": "AAA", "exporter_organisation": "mkd",
               "consignee": "BBB", "end_user": "BBB",
               "goods": [{"product": "shell", "quantity": 100}],
               "end_use": "artillery", "reexport": "prohibited",
               "issued": "2026-01-01", "expires": "2026-12-31"}),
    )
    .await["euc"]
        .as_str()
        .expect("euc")
        .to_owned();
    let lot = record(
        &mkd,
        "transfer.shipped",
        json!({"facility": "mkd:qzworks", "consignee": "BBB", "product": "shell",
               "quantity": 60, "date": "2026-02-01", "euc": euc}),
    )
    .await["lot"]
        .as_str()
        .expect("lot")
        .to_owned();
    let checkpoint = coord.get("/ledger/checkpoint").await.expect(200).json();
    let ledger_size = checkpoint["size"].as_u64().expect("size");

    let hidden_round = created(&coord, "/rounds", "application/toml", REFERENCE).await;

    let tokens = [
        ("coord", &coord),
        ("mkd", &mkd),
        ("grpa", &grpa),
        ("grpb", &grpb),
        ("bprod", &bprod),
        ("statea", &statea),
        ("stateb", &stateb),
        ("ngo", &ngo),
    ]
    .into_iter()
    .map(|(o, p)| (o.to_owned(), p.token.clone()))
    .chain([("anonymous".to_owned(), String::new())])
    .collect();
    Attack {
        url: app.url.clone(),
        round,
        hidden_round,
        tokens,
        revoked: revoked.token,
        plan_run: runs[0].clone(),
        plan_run2: runs[1].clone(),
        risk_run: runs[2].clone(),
        signed,
        proposed,
        euc,
        lot,
        ledger_size,
    }
}

/// What the attack found, counted.
#[derive(Default)]
struct Findings {
    requests: AtomicUsize,
    leaks: std::sync::Mutex<Vec<String>>,
    failures: std::sync::Mutex<Vec<String>>,
    /// (organisation, path) of answers carrying the marked producer's data
    /// to another organisation that may see it: the access log must have
    /// recorded each.
    logged_reads: std::sync::Mutex<BTreeSet<(String, String, Option<&'static str>)>>,
    /// The markers answers carried to callers allowed to read them: that
    /// they are found at all shows that the search would find a leak.
    seen: std::sync::Mutex<BTreeSet<&'static str>>,
}

impl Findings {
    fn check(&self, org: &str, label: &str, accept: Option<&'static str>, reply: &Reply) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.seen
            .lock()
            .expect("lock")
            .extend(found_markers(&reply.text));
        let found = leaks(&reply.text, org);
        if !found.is_empty() {
            self.leaks
                .lock()
                .expect("lock")
                .push(format!("{org} {label} ({}): {found:?}", reply.status));
        }
        if reply.status.is_server_error() {
            self.failures
                .lock()
                .expect("lock")
                .push(format!("{org} {label}: {} {}", reply.status, reply.text));
        }
        if reply.status.is_success()
            && org != "mkd"
            && org != "anonymous"
            && carries_marked_data(&reply.text)
        {
            self.logged_reads.lock().expect("lock").insert((
                org.to_owned(),
                label.to_owned(),
                accept,
            ));
        }
    }
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Every GET endpoint x every known id x every token: no answer leaks.
async fn sweep(attack: &Attack, findings: &Findings) -> (usize, usize) {
    let mut jobs = Vec::new();
    let mut endpoints = 0;
    for op in operations()
        .into_iter()
        .filter(|op| op.method == Method::GET)
    {
        endpoints += 1;
        let values = |name: &str| attack.values(name);
        for combination in combinations(&op.params, &values) {
            let path = fill(&op, &combination, false);
            let accepts: &[Option<&'static str>] = if op.path == "/runs/{run}/plan" {
                &[None, Some(XLSX)]
            } else if op.path.ends_with("/scenario") || op.path.contains("/contributions/") {
                &[None, Some("application/json")]
            } else {
                &[None]
            };
            for accept in accepts {
                for (org, token) in attack
                    .tokens
                    .iter()
                    .map(|(o, t)| (o.as_str(), t.as_str()))
                    .chain([("revoked", attack.revoked.as_str())])
                {
                    jobs.push((org.to_owned(), token.to_owned(), path.clone(), *accept));
                }
            }
        }
    }
    let tried = jobs.len();
    futures_util::stream::iter(jobs)
        .for_each_concurrent(8, |(org, token, path, accept)| async move {
            let reply = request(&attack.url, &token, Method::GET, &path, None, accept).await;
            if org == "revoked" && reply.status != StatusCode::UNAUTHORIZED {
                // A revoked token is no token: it may reach only what
                // anyone may (health, the document, the public ledger).
                let anonymous = request(&attack.url, "", Method::GET, &path, None, accept).await;
                if anonymous.status != reply.status {
                    findings.failures.lock().expect("lock").push(format!(
                        "revoked token on {path}: {} (anonymous: {})",
                        reply.status, anonymous.status
                    ));
                }
            }
            findings.check(&org, &path, accept, &reply);
        })
        .await;
    (endpoints, tried)
}

/// Every parameter of every endpoint with hostile strings: 4xx (or a
/// public answer), never 5xx, never a leak.
async fn hostile(attack: &Attack, findings: &Findings) -> usize {
    let mut jobs = Vec::new();
    for op in operations() {
        for (name, _, _) in &op.params {
            for (value, raw) in hostile_values() {
                let mut combination: BTreeMap<String, Option<String>> = op
                    .params
                    .iter()
                    .map(|(n, _, _)| (n.clone(), attack.values(n).swap_remove(0)))
                    .collect();
                combination.insert(name.clone(), Some(value.clone()));
                let path = fill(&op, &combination, raw);
                for org in ["coord", "grpa", "anonymous"] {
                    jobs.push((op.clone(), org, path.clone()));
                }
            }
        }
    }
    let tried = jobs.len();
    futures_util::stream::iter(jobs)
        .for_each_concurrent(8, |(op, org, path)| async move {
            let reply = request(
                &attack.url,
                attack.token(org),
                op.method.clone(),
                &path,
                body_for(&op),
                None,
            )
            .await;
            if reply.status.is_success() && op.method != Method::GET {
                findings.failures.lock().expect("lock").push(format!(
                    "{org} {} {path}: a hostile id was accepted ({})",
                    op.method, reply.status
                ));
            }
            findings.check(org, &format!("{} {path}", op.method), None, &reply);
        })
        .await;
    tried
}

/// For every endpoint naming an object, the same answer for an object the
/// caller may not see as for one that does not exist (status and body, the
/// id aside). Returns the number of pairs compared.
async fn sameness(attack: &Attack, findings: &Findings) -> usize {
    let everyone = [
        "coord", "mkd", "grpa", "grpb", "bprod", "statea", "stateb", "ngo",
    ];
    // (parameter, hidden value, who may not see it)
    let hidden: Vec<(&str, String, Vec<&str>)> = vec![
        ("round", attack.hidden_round.clone(), everyone[1..].to_vec()),
        ("round", attack.round.clone(), vec!["ngo"]),
        ("run", attack.risk_run.clone(), everyone[1..].to_vec()),
        ("run", attack.plan_run2.clone(), vec!["ngo"]),
        (
            "id",
            attack.signed.clone(),
            vec!["grpa", "grpb", "bprod", "ngo"],
        ),
        (
            "id",
            attack.proposed.clone(),
            vec!["mkd", "grpa", "grpb", "statea", "ngo"],
        ),
    ];
    let mut pairs = 0;
    for op in operations() {
        for (param, value, blind) in &hidden {
            if !op.params.iter().any(|(n, _, _)| n == param) {
                continue;
            }
            for org in blind {
                let with = |v: &str| -> BTreeMap<String, Option<String>> {
                    op.params
                        .iter()
                        .map(|(n, _, _)| {
                            let value = if n == param {
                                v.to_owned()
                            } else if n == "org" {
                                (*org).to_owned()
                            } else {
                                attack.values(n).swap_remove(0).expect("a value")
                            };
                            (n.clone(), Some(value))
                        })
                        .collect()
                };
                let hidden_path = fill(&op, &with(value), false);
                let missing_path = fill(&op, &with(MISSING), false);
                let token = attack.token(org);
                let a = request(
                    &attack.url,
                    token,
                    op.method.clone(),
                    &hidden_path,
                    body_for(&op),
                    None,
                )
                .await;
                let b = request(
                    &attack.url,
                    token,
                    op.method.clone(),
                    &missing_path,
                    body_for(&op),
                    None,
                )
                .await;
                pairs += 1;
                findings.check(org, &format!("{} {hidden_path}", op.method), None, &a);
                findings.check(org, &format!("{} {missing_path}", op.method), None, &b);
                if a.status != b.status
                    || a.text.replace(value.as_str(), "ID") != b.text.replace(MISSING, "ID")
                {
                    findings.leaks.lock().expect("lock").push(format!(
                        "{org} {} {}: hidden answers {} {}, missing {} {}",
                        op.method, op.path, a.status, a.text, b.status, b.text
                    ));
                }
            }
        }
    }
    pairs
}

/// The ledger refuses a hidden EUC, lot or contract exactly as a missing
/// one (spec section 5).
async fn ledger_sameness(attack: &Attack, findings: &Findings) -> usize {
    let round = &attack.round;
    // (who, kind, content with ID where the hidden or missing id goes, hidden id)
    let cases: Vec<(&str, &str, Value, &str)> = vec![
        (
            "grpa",
            "transfer.shipped",
            json!({"facility": "grpa:gfa", "consignee": "BBB", "product": "shell",
                   "quantity": 1, "date": "2026-02-01", "euc": "ID"}),
            &attack.euc,
        ),
        (
            "bprod",
            "transfer.received",
            json!({"lot": "ID", "quantity": 1, "date": "2026-02-03"}),
            &attack.lot,
        ),
        (
            "grpb",
            "consent.given",
            json!({"lot": "ID", "to": "CCC", "quantity": 1,
                   "euc": "fedcba9876543210fedcba9876543210"}),
            &attack.lot,
        ),
        (
            "statea",
            "euc.issued",
            json!({"number": "A-9", "exporter": "BBB", "exporter_organisation": "bprod",
                   "consignee": "AAA", "end_user": "AAA",
                   "goods": [{"product": "shell", "quantity": 1}], "contract": "ID",
                   "end_use": "artillery", "reexport": "prohibited",
                   "issued": "2026-01-01", "expires": "2026-12-31"}),
            &attack.proposed,
        ),
    ];
    let mut pairs = 0;
    for (org, kind, content, hidden) in cases {
        let body = |id: &str| {
            let text = json!({"kind": kind, "round": round, "content": content}).to_string();
            Some((
                "application/json",
                text.replace("\"ID\"", &format!("\"{id}\"")),
            ))
        };
        let token = attack.token(org);
        let a = request(
            &attack.url,
            token,
            Method::POST,
            "/ledger/entries",
            body(hidden),
            None,
        )
        .await;
        let b = request(
            &attack.url,
            token,
            Method::POST,
            "/ledger/entries",
            body(MISSING),
            None,
        )
        .await;
        pairs += 1;
        findings.check(org, &format!("POST ledger {kind}"), None, &a);
        findings.check(org, &format!("POST ledger {kind}"), None, &b);
        if a.status.is_success()
            || a.status != b.status
            || a.text.replace(hidden, "ID") != b.text.replace(MISSING, "ID")
        {
            findings.leaks.lock().expect("lock").push(format!(
                "{org} POST ledger {kind}: hidden answers {} {}, missing {} {}",
                a.status, a.text, b.status, b.text
            ));
        }
    }
    pairs
}

/// Writes naming the marked producer's hidden facility by another party
/// answer as writes naming a facility that does not exist (the id aside),
/// and carry none of its figures: a refusal never confirms an entity.
async fn entity_sameness(attack: &Attack, findings: &Findings) -> usize {
    let round = &attack.round;
    let hidden = "qzworks";
    let missing = "qzabsent";
    // (who, method, path, content type, body with FAC where the id goes)
    let cases: Vec<(&str, Method, String, &str, String)> = vec![
        (
            "grpa",
            Method::POST,
            "/ledger/entries".into(),
            "application/json",
            json!({"kind": "transfer.shipped", "round": round, "content": {
                "facility": "mkd:FAC", "consignee": "BBB", "product": "shell",
                "quantity": 1, "date": "2026-02-01", "euc": attack.euc}})
            .to_string(),
        ),
        (
            "bprod",
            Method::POST,
            format!("/rounds/{round}/contracts"),
            "application/json",
            json!({"supplier": "mkd", "buyer": "BBB", "product": "shell", "quantity": 1,
                   "penalty": 1, "price": 1, "facility": "FAC"})
            .to_string(),
        ),
        (
            "coord",
            Method::POST,
            format!("/rounds/{round}/contracts"),
            "application/json",
            json!({"supplier": "grpa", "buyer": "CCC", "product": "shell", "quantity": 1,
                   "penalty": 1, "price": 1, "facility": "mkd:FAC"})
            .to_string(),
        ),
        (
            "grpb",
            Method::PUT,
            format!("/rounds/{round}/contributions/grpb"),
            "application/toml",
            INTRUDER.replace("\"intruded\"", "\"mkd:FAC\""),
        ),
        (
            "stateb",
            Method::PUT,
            format!("/rounds/{round}/contributions/stateb"),
            "application/toml",
            format!(
                "{}\n[[policy]]\nid = \"p\"\nscope = \"BBB\"\ndeny_import = [\"mkd:FAC\"]\n",
                demand("need", "BBB")
            ),
        ),
    ];
    let mut pairs = 0;
    for (org, method, path, content_type, body) in cases {
        let token = attack.token(org);
        let ask = |id: &str| {
            request(
                &attack.url,
                token,
                method.clone(),
                &path,
                Some((content_type, body.replace("FAC", id))),
                None,
            )
        };
        let a = ask(hidden).await;
        let b = ask(missing).await;
        pairs += 1;
        let a_text = a.text.replace(hidden, "ID");
        let b_text = b.text.replace(missing, "ID");
        findings.check(
            org,
            &format!("{method} {path} naming {hidden}"),
            None,
            &Reply {
                status: a.status,
                text: a_text.clone(),
            },
        );
        if a.status.is_success() || a.status != b.status || a_text != b_text {
            findings.leaks.lock().expect("lock").push(format!(
                "{org} {method} {path} naming mkd:{hidden}: {} {}; naming mkd:{missing}: {} {}",
                a.status, a.text, b.status, b.text
            ));
        }
    }
    pairs
}

/// What the coordinator sees of the round's state, to show that no
/// refused write changed anything.
async fn state_of(attack: &Attack) -> Vec<String> {
    let coord = attack.party("coord");
    let mut state = Vec::new();
    for path in [
        format!("/rounds/{}/members", attack.round),
        format!("/rounds/{}/contracts", attack.round),
        format!("/rounds/{}/runs", attack.round),
        format!("/rounds/{}/reference/versions", attack.round),
        format!("/rounds/{}/runs", attack.hidden_round),
        format!("/rounds/{}/members", attack.hidden_round),
        "/ledger/checkpoint".to_owned(),
        "/rounds".to_owned(),
    ] {
        let answer = coord.get(&path).await.expect(200);
        // The checkpoint's size alone: its time may be the time of asking.
        let text = if path == "/ledger/checkpoint" {
            answer.json()["size"].to_string()
        } else {
            answer.text
        };
        state.push(format!("{path}: {text}"));
    }
    for org in ["coord", "mkd", "grpa", "grpb", "bprod", "statea", "stateb"] {
        let path = format!("/rounds/{}/contributions/{org}/versions", attack.round);
        state.push(format!(
            "{path}: {}",
            coord.get(&path).await.expect(200).text
        ));
    }
    state
}

/// The access log: every answer that carried the marked producer's data
/// to another organisation is recorded for `mkd`. Asked again one by one,
/// each such read adds an entry.
async fn access_logged(app: &TestApp, attack: &Attack, findings: &Findings) -> usize {
    let reads: Vec<_> = findings
        .logged_reads
        .lock()
        .expect("lock")
        .iter()
        .cloned()
        .collect();
    // One read per (organisation, endpoint template, format).
    let mut seen = BTreeSet::new();
    let mut checked = 0;
    for (org, path, accept) in reads {
        let template = path
            .replace(&attack.round, "{round}")
            .replace(&attack.plan_run, "{run}")
            .replace(&attack.plan_run2, "{run}");
        let template = template.split('?').next().unwrap_or("").to_owned();
        if !seen.insert((org.clone(), template.clone(), accept)) {
            continue;
        }
        let count = || async {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM access_log WHERE owner = 'mkd' AND reader_org = $1",
            )
            .bind(&org)
            .fetch_one(&app.db.pool)
            .await
            .expect("count");
            n
        };
        let before = count().await;
        let reply = request(
            &attack.url,
            attack.token(&org),
            Method::GET,
            &path,
            None,
            accept,
        )
        .await;
        assert!(reply.status.is_success(), "{org} {path}: {}", reply.status);
        let after = count().await;
        checked += 1;
        if after <= before {
            findings.failures.lock().expect("lock").push(format!(
                "{org} read the marked producer's data at {path} ({accept:?}) without an access-log entry"
            ));
        }
    }
    checked
}

/// Section 3's aggregates both ways: with `grpa` and `grpb` one group, AAA
/// has two producers and its totals are withheld; the group dissolved,
/// three make them up, none more than half, and the total is shown, the
/// marked capacity only inside it.
async fn aggregates_both_ways(app: &TestApp, attack: &Attack) {
    let ngo = attack.party("ngo");
    let path = format!("/published/{}", attack.plan_run);
    let capacity = |published: &Value, actor: &str| -> Vec<Value> {
        published["capacity"]
            .as_array()
            .expect("capacity")
            .iter()
            .filter(|c| c["actor"] == actor)
            .map(|c| c["capacity"].clone())
            .collect()
    };
    let grouped = ngo.get(&path).await.expect(200).json();
    let aaa = capacity(&grouped, "AAA");
    assert!(!aaa.is_empty(), "{grouped}");
    assert!(aaa.iter().all(|c| c == "withheld"), "{grouped}");
    assert!(capacity(&grouped, "BBB").iter().all(|c| c == "withheld"));

    sqlx::query("UPDATE organisations SET org_group = NULL WHERE id = 'grpb'")
        .execute(&app.db.pool)
        .await
        .expect("dissolve the group");
    let apart = ngo.get(&path).await.expect(200);
    let aaa = capacity(&apart.json(), "AAA");
    assert!(
        aaa.iter()
            .all(|c| c.as_f64() == Some(7341.5 + 5000.0 + 4000.0)),
        "{}",
        apart.text
    );
    assert!(leaks(&apart.text, "ngo").is_empty(), "{}", apart.text);
    sqlx::query("UPDATE organisations SET org_group = 'grp' WHERE id = 'grpb'")
        .execute(&app.db.pool)
        .await
        .expect("restore the group");
}

/// The whole attack: setup, the sweep, hostile strings, refusal sameness,
/// nothing changed, the access log, the aggregates; counts printed.
async fn attack(backend: Backend) {
    let app = TestApp::start_with_auth(backend, 1, unlimited()).await;
    let attack = setup(&app).await;
    let before = state_of(&attack).await;
    let findings = Findings::default();

    let started = std::time::Instant::now();
    let (endpoints, swept) = sweep(&attack, &findings).await;
    let hostile = hostile(&attack, &findings).await;
    let pairs = sameness(&attack, &findings).await;
    let ledger_pairs = ledger_sameness(&attack, &findings).await;
    let entity_pairs = entity_sameness(&attack, &findings).await;
    // Writing another organisation's contribution: refused (403 when the
    // round is seen, 404 when not), whoever tries, in TOML or JSON.
    let mut intrusions = 0;
    for (org, token) in &attack.tokens {
        for target in ["mkd", "stateb", "coord"] {
            if org == target {
                continue;
            }
            for (content_type, body) in [
                ("application/toml", INTRUDER.to_owned()),
                (
                    "application/json",
                    json!({"facility": [{"id": "intruded", "actor": "AAA"}]}).to_string(),
                ),
            ] {
                let path = format!("/rounds/{}/contributions/{target}", attack.round);
                let reply = request(
                    &attack.url,
                    token,
                    Method::PUT,
                    &path,
                    Some((content_type, body)),
                    None,
                )
                .await;
                intrusions += 1;
                findings.check(org, &format!("PUT {path}"), None, &reply);
                assert!(
                    matches!(reply.status.as_u16(), 401 | 403 | 404),
                    "{org} wrote {target}'s contribution: {} {}",
                    reply.status,
                    reply.text
                );
            }
        }
    }
    let after = state_of(&attack).await;
    assert_eq!(before, after, "a refused write changed the round");
    let logged = access_logged(&app, &attack, &findings).await;
    aggregates_both_ways(&app, &attack).await;

    let leaks = findings.leaks.lock().expect("lock").clone();
    let failures = findings.failures.lock().expect("lock").clone();
    report(&format!(
        "attack suite ({backend:?}): {endpoints} GET endpoints x known ids x {} tokens = {swept} requests; \
         {hostile} hostile-parameter requests; {pairs} hidden/missing pairs on every method and \
         {ledger_pairs} in the ledger; {entity_pairs} writes naming the hidden facility; {intrusions} writes of others' contributions; {logged} reads checked in the access log; {} requests in all \
         in {:.1} s; leaks found: {}; server errors and other failures: {}",
        attack.tokens.len() + 1,
        findings.requests.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64(),
        leaks.len(),
        failures.len(),
    ));
    assert!(
        leaks.is_empty(),
        "{} leaks:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        logged > 0,
        "no read of the marked data by another party was seen"
    );
    // The search finds the marked data where it may be: every marked
    // figure and id in its plain rendering reached some allowed reader.
    let seen = findings.seen.lock().expect("lock").clone();
    for marker in [
        "7341.5", "613.37", "2917.25", "1583.75", "88123.5", "qzworks", "qzline", "qzboost",
    ] {
        assert!(
            seen.contains(marker),
            "no answer carried {marker} at all: {seen:?}"
        );
    }
    app.stop().await;
}

both!(attack);

/// Bodies no endpoint may choke on: above 16 MiB (413 on every endpoint
/// that reads a body), JSON and TOML nested 100,000 deep (4xx, the server
/// still answers), and every way of naming a file on the server (`extends`
/// in a contribution, a reference part, a new round, a variant): refused,
/// the file never read.
async fn hostile_bodies(backend: Backend) {
    let app = TestApp::start_with_auth(backend, 1, unlimited()).await;
    let round = app.contributed_round().await;
    let fill_ids = |op: &Operation| {
        let mut path = op.path.clone();
        for (name, value) in [
            ("round", round.id.as_str()),
            ("org", "prod"),
            ("run", MISSING),
            ("id", MISSING),
            ("index", "0"),
            ("version", "1"),
            ("table", "summary.csv"),
        ] {
            path = path.replace(&format!("{{{name}}}"), value);
        }
        path
    };
    let writes: Vec<Operation> = operations()
        .into_iter()
        .filter(|op| op.has_body && op.method != Method::GET)
        .collect();
    assert!(writes.len() >= 6, "{writes:?}");

    let huge = "x".repeat(16 * 1024 * 1024 + 1);
    let nested_json = format!("{{\"a\": {}1{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let nested_toml = format!("a = {}1{}\n", "[".repeat(100_000), "]".repeat(100_000));
    for op in &writes {
        let path = fill_ids(op);
        for content_type in ["application/json", "application/toml"] {
            let answer = round
                .coord
                .send(op.method.clone(), &path, Some((content_type, &huge)))
                .await;
            assert_eq!(
                answer.status,
                StatusCode::PAYLOAD_TOO_LARGE,
                "{} {path}: {}",
                op.method,
                answer.text
            );
            assert_eq!(answer.code(), "payload_too_large");
        }
        for (content_type, body) in [
            ("application/json", &nested_json),
            ("application/toml", &nested_toml),
        ] {
            let answer = round
                .coord
                .send(op.method.clone(), &path, Some((content_type, body)))
                .await;
            assert!(
                answer.status.is_client_error(),
                "{} {path} {content_type} nested: {} {}",
                op.method,
                answer.status,
                answer.text
            );
        }
    }
    // A NUL in a JSON string names nothing and is stored nowhere (the
    // database's text cannot hold it).
    let nul = "x\u{0}y";
    for (path, body) in [
        (
            format!("/rounds/{}/members", round.id),
            json!({"organisation": nul}),
        ),
        (
            format!("/rounds/{}/contracts", round.id),
            json!({"supplier": nul, "buyer": "BBB", "product": "shell", "quantity": 1,
                   "penalty": 1, "price": 1}),
        ),
        (
            "/ledger/entries".to_owned(),
            json!({"kind": "euc.issued", "round": nul, "content": {}}),
        ),
        (
            format!("/rounds/{}/runs", round.id),
            json!({"kind": "compare", "variants": [{"label": nul, "changes": {}}]}),
        ),
        ("/rounds".to_owned(), json!({"name": nul})),
    ] {
        let answer = round.coord.post_json(&path, &body).await;
        assert!(
            answer.status.is_client_error(),
            "POST {path} with a NUL: {} {}",
            answer.status,
            answer.text
        );
    }
    round.coord.get("/health").await.expect(200);

    // Files the server must never read for a client: a fragment of our
    // own (which would load, were it read), passwd, the database, the
    // ledger's key.
    let dir = tempfile::tempdir().expect("temp dir");
    let bait = dir.path().join("bait.toml");
    std::fs::write(
        &bait,
        PLANT.replace("\"plant\"", "\"baitfacility\"") + "# CAISSON-BAIT-7f3c\n",
    )
    .expect("bait written");
    let database = app
        .database
        .strip_prefix("sqlite://")
        .map(str::to_owned)
        .unwrap_or_else(|| "caisson.db".into());
    let targets = [
        bait.display().to_string(),
        "/etc/passwd".to_owned(),
        database,
        app.ledger_key.display().to_string(),
        "file:///etc/passwd".to_owned(),
        "../../../../../../etc/passwd".to_owned(),
    ];
    let contribution = format!("/rounds/{}/contributions/prod", round.id);
    let versions_before = round
        .coord
        .get(&format!("{contribution}/versions"))
        .await
        .expect(200)
        .text;
    let reference = format!("/rounds/{}/reference", round.id);
    let runs = format!("/rounds/{}/runs", round.id);
    let mut tried = 0;
    for target in &targets {
        let quoted = serde_json::to_string(target).expect("quoted");
        let attempts: Vec<(Method, &str, &str, String)> = vec![
            (
                Method::PUT,
                &contribution,
                "application/toml",
                format!("extends = {quoted}\n{PLANT}"),
            ),
            (
                Method::PUT,
                &contribution,
                "application/json",
                json!({"extends": target, "facility": []}).to_string(),
            ),
            (
                Method::PUT,
                &contribution,
                "application/toml",
                format!("[scenario]\nextends = {quoted}\n{PLANT}"),
            ),
            (
                Method::PUT,
                &reference,
                "application/toml",
                crate::support::REFERENCE
                    .replace("[scenario]\n", &format!("[scenario]\nextends = {quoted}\n")),
            ),
            (
                Method::POST,
                "/rounds",
                "application/toml",
                crate::support::REFERENCE
                    .replace("[scenario]\n", &format!("[scenario]\nextends = {quoted}\n")),
            ),
            (
                Method::POST,
                &runs,
                "application/json",
                json!({"kind": "compare", "variants": [
                    {"label": "v", "changes": {"scenario": {"extends": target}}}]})
                .to_string(),
            ),
            (
                Method::POST,
                &runs,
                "application/json",
                json!({"kind": "compare", "variants": [
                    {"label": "v", "changes": {"extends": target}}]})
                .to_string(),
            ),
        ];
        for (method, path, content_type, body) in attempts {
            let party = if path == contribution {
                &round.prod
            } else {
                &round.coord
            };
            let answer = party
                .send(method.clone(), path, Some((content_type, &body)))
                .await;
            tried += 1;
            assert!(
                answer.status.is_client_error(),
                "{method} {path} naming {target}: {} {}",
                answer.status,
                answer.text
            );
            for secret in ["CAISSON-BAIT", "baitfacility", "root:", "SQLite format"] {
                assert!(
                    !answer.text.contains(secret),
                    "{method} {path}: {}",
                    answer.text
                );
            }
        }
    }
    // Nothing was stored: the contribution is as it was, the scenario and
    // the rounds know no bait.
    assert_eq!(
        round
            .coord
            .get(&format!("{contribution}/versions"))
            .await
            .expect(200)
            .text,
        versions_before
    );
    let scenario = round
        .coord
        .get(&format!("/rounds/{}/scenario", round.id))
        .await
        .expect(200)
        .text;
    assert!(!scenario.contains("baitfacility"), "{scenario}");
    let listed = round.coord.get("/rounds").await.expect(200).json();
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    report(&format!(
        "hostile bodies ({backend:?}): {} write endpoints with 17 MiB and 100,000-deep bodies; \
         {tried} writes naming {} server files: all refused, none read",
        writes.len(),
        targets.len()
    ));
    app.stop().await;
}

both!(hostile_bodies);

/// The exports of a plan (xlsx, CSV tables, HTML report) follow the plan
/// view: the coordinator's carry everything, the buyer's who delivers to it
/// but no production; a caller who may not read the plan gets 404 from
/// each, as for a run that does not exist; each read is in the producer's
/// access log under its endpoint.
async fn exports_follow_the_plan_view(backend: Backend) {
    let app = TestApp::start_with_auth(backend, 1, unlimited()).await;
    let round = app.contributed_round().await;
    let ngo = app.party(crate::support::observer()).await;
    let run = round.start_run(&json!({"kind": "plan"})).await;
    assert_eq!(round.coord.wait_for_run(&run).await["status"], "succeeded");
    let csv = |table: &str| format!("/runs/{run}/plan/{table}");
    let report = format!("/runs/{run}/report");
    let plan = format!("/runs/{run}/plan");

    // The coordinator: the whole plan in every format, the CSV exactly the
    // CLI's tables of the stored document.
    let whole = round.coord.get(&plan).await.expect(200).text;
    let document = caisson_plan::PlanDocument::from_json(&whole).expect("a plan");
    let tables = caisson_report::csv_tables(&document).expect("tables");
    for (name, bytes) in &tables {
        let answer = round.coord.get(&csv(name)).await.expect(200);
        assert!(
            answer.content_type.starts_with("text/csv"),
            "{}",
            answer.content_type
        );
        assert_eq!(answer.text.as_bytes(), bytes.as_slice(), "{name}");
    }
    assert!(tables.iter().any(|(name, bytes)| *name == "production.csv"
        && String::from_utf8_lossy(bytes).contains("prod:plant")));
    let page = round.coord.get(&report).await.expect(200);
    assert!(
        page.content_type.starts_with("text/html"),
        "{}",
        page.content_type
    );
    assert!(page.text.contains("prod:plant"));
    let xlsx = request(
        &app.url,
        &round.coord.token,
        Method::GET,
        &plan,
        None,
        Some(XLSX),
    )
    .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(
        xlsx.text.contains("prod:plant") && xlsx.text.contains("plan_production"),
        "{}",
        xlsx.text
    );

    // The buyer state: who delivers to it, never the production itself.
    let shipments = round
        .state
        .get(&csv("shipments.csv"))
        .await
        .expect(200)
        .text;
    assert!(shipments.contains("prod:plant"), "{shipments}");
    let production = round
        .state
        .get(&csv("production.csv"))
        .await
        .expect(200)
        .text;
    assert!(!production.contains("prod:plant"), "{production}");
    let summary = round.state.get(&csv("summary.csv")).await.expect(200).text;
    let objective = document.objective.expect("an objective").to_string();
    assert!(!summary.contains(&objective), "{summary}");
    let page = round.state.get(&report).await.expect(200).text;
    assert!(
        !page.contains(&objective),
        "the objective reached the buyer's report"
    );
    let xlsx = request(
        &app.url,
        &round.state.token,
        Method::GET,
        &plan,
        None,
        Some(XLSX),
    )
    .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(!xlsx.text.contains(&objective), "{}", xlsx.text);

    // Unknown tables, and what the plan did not compute, do not exist.
    for table in ["nope.csv", "production", "summary", "..%2Fsummary.csv"] {
        round.coord.get(&csv(table)).await.expect(404);
    }
    // Who may not read the plan: 404 from every format, as for no run.
    for path in [plan.clone(), report.clone(), csv("summary.csv")] {
        let hidden = ngo.get(&path).await.expect(404);
        let missing = ngo.get(&path.replace(&run, MISSING)).await.expect(404);
        assert_eq!(hidden.text, missing.text);
    }
    let xlsx = request(&app.url, &ngo.token, Method::GET, &plan, None, Some(XLSX)).await;
    assert_eq!(xlsx.status, StatusCode::NOT_FOUND);
    round
        .state
        .get(&format!("/runs/{MISSING}/report"))
        .await
        .expect(404);

    // The producer's access log names each format the buyer read.
    let log = round.prod.get("/access-log").await.expect(200).json();
    let endpoints: BTreeSet<&str> = log
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["reader_organisation"] == "stateb")
        .filter_map(|e| e["endpoint"].as_str())
        .collect();
    for endpoint in [
        "GET run report",
        "GET run plan (csv)",
        "GET run plan (xlsx)",
    ] {
        assert!(
            endpoints.contains(endpoint),
            "{endpoint} not in {endpoints:?}"
        );
    }
    app.stop().await;
}

both!(exports_follow_the_plan_view);

#[test]
fn numbers_are_found_on_their_own_only() {
    assert!(contains_number("{\"capacity\": 7342}", "7342"));
    assert!(contains_number("7,342 units", "7,342"));
    assert!(contains_number("x=7342.", "7342"));
    assert!(!contains_number("17342", "7342"));
    assert!(!contains_number("73421", "7342"));
    assert!(!contains_number("7342.5", "7342"));
    assert!(!contains_number("0.7342", "7342"));
    assert!(!contains_number("ab7342cd", "7342"));
    assert_eq!(
        leaks("line qzline at 7341.5", "grpa"),
        vec!["7341.5", "qzline"]
    );
    assert!(leaks("line qzline at 7341.5", "statea").is_empty());
    assert_eq!(leaks("from mkd:qzworks", "ngo"), vec!["qzworks"]);
    assert!(leaks("from mkd:qzworks", "stateb").is_empty());
}

/// The suite's counts go to the test's output.
#[allow(clippy::disallowed_macros)]
fn report(line: &str) {
    println!("{line}");
}

/// Authentication without rate limits: the suite sends thousands of
/// requests with a revoked token from one address, which the limits (tested
/// in `sessions.rs`) would rightly cut short; here the answers themselves
/// are under test.
fn unlimited() -> caisson_server::auth::AuthConfig {
    let mut auth = caisson_server::auth::AuthConfig::default();
    let many = caisson_server::ratelimit::Limit {
        count: std::num::NonZeroU32::new(1_000_000).expect("non-zero"),
        per: std::time::Duration::from_secs(1),
    };
    auth.limits.failed_auth_per_ip = many;
    auth.limits.sign_in_per_ip = many;
    auth.limits.sign_in_per_user = many;
    auth
}
