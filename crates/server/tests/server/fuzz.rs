//! The contribution endpoint (`PUT /rounds/{round}/contributions/{org}`)
//! against random and mutated fragments: never a 5xx or a dropped
//! connection, every 4xx in the error envelope with a documented code, and
//! a refused write changes nothing (the versions list and the latest
//! version stay as they were).
//!
//! The cases come from a seeded generator (SplitMix64), so a failure is
//! reproducible: its message names the seed and the case number. `make
//! test` runs `DEFAULT_CASES` per database with `DEFAULT_SEED`; a longer
//! run is `CAISSON_FUZZ_CASES=5000 CAISSON_FUZZ_SEED=7 cargo test
//! --workspace --test server fuzz` (docs/platform-server.md, Tests).

use std::collections::BTreeMap;
use std::path::PathBuf;

use reqwest::header::CONTENT_TYPE;
use reqwest::Method;
use serde_json::Value;

use crate::both;
use crate::support::{Backend, TestApp, NEED, PLANT};

/// Cases per database in `make test` (both databases together take well
/// under a minute on two cores).
const DEFAULT_CASES: u64 = 300;
/// The generator's seed unless `CAISSON_FUZZ_SEED` says otherwise.
const DEFAULT_SEED: u64 = 0x00ca_1550_2026;

/// The codes the endpoint may answer a 4xx with (docs/platform-server.md,
/// Errors). `bad_request` is a body that is not UTF-8.
const DOCUMENTED_CODES: &[&str] = &[
    "bad_request",
    "unauthenticated",
    "forbidden",
    "not_owned",
    "not_found",
    "payload_too_large",
    "unsupported_media_type",
    "invalid_scenario",
];

/// SplitMix64: a tiny seeded generator, enough for picking mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Values of the wrong type, out of range, or otherwise hostile, as TOML.
const HOSTILE_VALUES: &[&str] = &[
    "\"text\"",
    "\"\"",
    "[1, 2, 3]",
    "[]",
    "{ a = 1 }",
    "{}",
    "true",
    "-1",
    "0",
    "-0.0",
    "1e308",
    "1.7976931348623157e308",
    "9223372036854775807",
    "-9223372036854775808",
    "nan",
    "+inf",
    "-inf",
    "\"NaN\"",
    "\"Infinity\"",
    "\"1e999\"",
    "2026-01-01T00:00:00Z",
    "\"2026-13\"",
    "\"0000-00\"",
    "\"\\u0000\"",
    "\"\u{202e}evil\u{202c}\"",
    "\"\u{1f4a3}\"",
    "\"e\u{301}\u{301}\u{301}\"",
    "\"\u{feff}\"",
    "\"/etc/passwd\"",
    "\"../../../../etc/passwd\"",
    "\"other:X\"",
    "\"prod:plant\"",
    "\"stateb:need\"",
    "\":\"",
    "\"a:b:c\"",
];

/// Keys that exist somewhere in a scenario, and some that exist nowhere.
const KEYS: &[&str] = &[
    "id",
    "actor",
    "buyer",
    "product",
    "quantity",
    "penalty",
    "capacity",
    "rate",
    "cost",
    "extends",
    "blocs",
    "scope",
    "supplier",
    "facility",
    "line",
    "start",
    "periods",
    "colour",
    "\"\u{1f4a3}\"",
    "\"\"",
    "a.b.c",
];

/// Tables a fragment may or may not hold.
const TABLES: &[&str] = &[
    "[[facility]]",
    "[[facility.line]]",
    "[[facility.expansion]]",
    "[[demand]]",
    "[[contract]]",
    "[[policy]]",
    "[[stock]]",
    "[scenario]",
    "[[actor]]",
    "[[product]]",
    "[[route]]",
    "[solver]",
    "[[unknown]]",
];

/// The European example's fragments: valid for their own round, foreign
/// (mostly `not_owned` or `invalid_scenario`) in the test round, and
/// realistic material for mutations.
fn europe_fragments() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/europe-2025/platform/fragments");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| {
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        })
        .collect()
}

/// A request body: its content type (`None`: no header) and bytes.
#[derive(Debug)]
struct Body {
    content_type: Option<String>,
    bytes: Vec<u8>,
    /// What the case did, for the failure message.
    how: Vec<String>,
}

/// One text mutation of `text`.
fn mutate_text(rng: &mut Rng, text: &str, how: &mut Vec<String>) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    match rng.below(12) {
        0 => {
            let at = rng.below(lines.len());
            how.push(format!("duplicate line {at}"));
            let line = lines[at].clone();
            lines.insert(at, line);
        }
        1 => {
            let at = rng.below(lines.len());
            how.push(format!("remove line {at}"));
            lines.remove(at);
        }
        2 => {
            let at = rng.below(lines.len() + 1);
            let line = format!("{} = {}", rng.pick(KEYS), rng.pick(HOSTILE_VALUES));
            how.push(format!("insert `{line}` at {at}"));
            lines.insert(at, line);
        }
        3 | 4 => {
            // A value of the wrong type, out of range or hostile in place
            // of an existing one.
            let candidates: Vec<usize> = (0..lines.len())
                .filter(|&i| lines[i].contains(" = "))
                .collect();
            if candidates.is_empty() {
                return lines.join("\n");
            }
            let at = *rng.pick(&candidates);
            let key = lines[at].split(" = ").next().unwrap_or_default().to_owned();
            let value = rng.pick(HOSTILE_VALUES);
            how.push(format!("line {at}: {key} = {value}"));
            lines[at] = format!("{key} = {value}");
        }
        5 => {
            let at = rng.below(lines.len() + 1);
            let table = rng.pick(TABLES);
            how.push(format!("insert table {table} at {at}"));
            lines.insert(at, table.to_string());
        }
        6 => {
            // Ids of another organisation, or of none.
            let prefix = rng.pick(&["other:", "stateb:", "prod:", "coord:", ":", "prod::", ""]);
            let id = rng.pick(&["X", "plant", "need", "", "\u{1f4a3}", "../x"]);
            let dash = if rng.chance(50) { "-" } else { "" };
            how.push(format!("ids become {prefix}{id}{dash}..."));
            return text.replace("id = \"", &format!("id = \"{prefix}{id}{dash}"));
        }
        7 => {
            let target = rng.pick(&[
                "/etc/passwd",
                "../../base.toml",
                "base.toml",
                "https://example.org/x.toml",
                "",
            ]);
            how.push(format!("extends = {target:?}"));
            lines.insert(0, format!("extends = \"{target}\""));
        }
        8 => {
            // Deep nesting: arrays or inline tables.
            let depth = *rng.pick(&[50, 200, 1_000, 20_000]);
            let key = rng.pick(KEYS);
            let value = if rng.chance(50) {
                format!("{}1{}", "[".repeat(depth), "]".repeat(depth))
            } else {
                format!("{}1{}", "{ a = ".repeat(depth), " }".repeat(depth))
            };
            how.push(format!("{key} nested {depth} deep"));
            let at = rng.below(lines.len() + 1);
            lines.insert(at, format!("{key} = {value}"));
        }
        9 if text.len() < 64 * 1024 => {
            // Many entities: a long but legal-looking fragment (bodies
            // stay far below the 16 MiB limit: a body above it is refused
            // while the client is still sending, rounds.rs tests that).
            let copies = *rng.pick(&[10, 100, 1_000]);
            how.push(format!("{copies} copies"));
            return (0..copies)
                .map(|i| text.replace("id = \"", &format!("id = \"c{i}-")))
                .collect::<Vec<_>>()
                .join("\n");
        }
        10 => {
            let insert = rng.pick(&[
                "\u{0}",
                "\u{feff}",
                "\u{202e}",
                "\u{1f4a3}",
                "\r",
                "\t",
                "\"",
                "'''",
                "\\",
                "#",
                "=",
                "[",
                "]]",
            ]);
            let at = rng.below(lines.len());
            let line = &mut lines[at];
            let boundaries: Vec<usize> = (0..=line.len())
                .filter(|&i| line.is_char_boundary(i))
                .collect();
            let cut = *rng.pick(&boundaries);
            how.push(format!("line {at}: insert {insert:?} at {cut}"));
            line.insert_str(cut, insert);
        }
        _ => {
            // Random keys with random values, in random tables.
            let n = 1 + rng.below(5);
            how.push(format!("{n} random lines"));
            for _ in 0..n {
                let line = if rng.chance(30) {
                    rng.pick(TABLES).to_string()
                } else {
                    format!("{} = {}", rng.pick(KEYS), rng.pick(HOSTILE_VALUES))
                };
                let at = rng.below(lines.len() + 1);
                lines.insert(at, line);
            }
        }
    }
    lines.join("\n")
}

/// One byte-level mutation: bit flips or a truncation (possibly inside a
/// UTF-8 sequence).
fn mutate_bytes(rng: &mut Rng, mut bytes: Vec<u8>, how: &mut Vec<String>) -> Vec<u8> {
    if bytes.is_empty() {
        return bytes;
    }
    if rng.chance(50) {
        let flips = 1 + rng.below(8);
        how.push(format!("{flips} bit flips"));
        for _ in 0..flips {
            let at = rng.below(bytes.len());
            bytes[at] ^= 1 << rng.below(8);
        }
    } else {
        let at = rng.below(bytes.len());
        how.push(format!("truncate at {at}"));
        bytes.truncate(at);
    }
    bytes
}

/// A random JSON value of bounded size, of any type.
fn random_json(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 3 { 5 } else { 7 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => serde_json::json!(rng.pick(&[-1i64, 0, 1, i64::MAX, i64::MIN])),
        3 => serde_json::json!(rng.pick(&[1e308, -1e-308, 0.5, f64::MAX])),
        4 => Value::String(
            rng.pick(&["", "NaN", "1e999", "other:X", "\u{1f4a3}", "2026-01"])
                .to_string(),
        ),
        5 => Value::Array(
            (0..rng.below(3))
                .map(|_| random_json(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let mut map = serde_json::Map::new();
            for _ in 0..rng.below(3) {
                map.insert(rng.pick(KEYS).to_string(), random_json(rng, depth + 1));
            }
            Value::Object(map)
        }
    }
}

/// A random node of `node`'s tree (`node` itself or below).
fn random_node<'a>(rng: &mut Rng, node: &'a mut Value) -> &'a mut Value {
    let children = match node {
        Value::Array(items) => items.len(),
        Value::Object(map) => map.len(),
        _ => 0,
    };
    if children == 0 || rng.chance(30) {
        return node;
    }
    let i = rng.below(children);
    match node {
        Value::Array(items) => random_node(rng, &mut items[i]),
        Value::Object(map) => {
            let child = map.values_mut().nth(i).expect("i is below the length");
            random_node(rng, child)
        }
        _ => unreachable!("only arrays and objects have children"),
    }
}

/// One mutation of a JSON document's tree, at a random node.
fn mutate_json(rng: &mut Rng, value: &mut Value, how: &mut Vec<String>) {
    let node = random_node(rng, value);
    match rng.below(4) {
        0 => {
            how.push("json: replace a node".into());
            *node = random_json(rng, 0);
        }
        1 => {
            if let Value::Object(map) = node {
                how.push("json: add a key".into());
                map.insert(rng.pick(KEYS).to_string(), random_json(rng, 0));
            }
        }
        2 => {
            if let Value::Object(map) = node {
                if let Some(key) = map.keys().nth(rng.below(map.len().max(1))).cloned() {
                    how.push(format!("json: remove {key}"));
                    map.remove(&key);
                }
            }
        }
        _ => {
            how.push("json: wrap a node in an array".into());
            *node = Value::Array(vec![node.take()]);
        }
    }
}

/// The TOML document as JSON (the server reads both).
fn to_json(text: &str) -> Option<Value> {
    let value: toml::Value = toml::from_str(text).ok()?;
    serde_json::to_value(value).ok()
}

/// One generated case: a body derived from `base` (or a foreign fragment).
fn generate(rng: &mut Rng, base: &str, europe: &[String]) -> Body {
    let mut how = Vec::new();
    let base = if rng.chance(15) {
        how.push("a European fragment".into());
        rng.pick(europe).clone()
    } else {
        base.to_owned()
    };
    let mut content_type = Some("application/toml".to_owned());
    let mut bytes = if rng.chance(20) {
        // JSON: the fragment's tree mutated, or raw hostile JSON text.
        content_type = Some("application/json".to_owned());
        match to_json(&base) {
            Some(mut value) if rng.chance(75) => {
                for _ in 0..1 + rng.below(3) {
                    mutate_json(rng, &mut value, &mut how);
                }
                value.to_string().into_bytes()
            }
            _ if rng.chance(15) => {
                how.push("JSON nested 100000 deep".into());
                format!("{{\"facility\": {}", "[".repeat(100_000)).into_bytes()
            }
            _ => {
                let raw = rng.pick(&[
                    "{\"facility\": [{\"id\": \"x\", \"actor\": \"AAA\", \"capacity\": 1e999}]}",
                    "{\"demand\": [{\"quantity\": NaN}]}",
                    "{\"facility\": [], \"facility\": []}",
                    "[]",
                    "null",
                    "\"\"",
                    "{",
                    "",
                ]);
                how.push(format!("raw JSON {raw}"));
                raw.as_bytes().to_vec()
            }
        }
    } else {
        let mut text = base;
        for _ in 0..1 + rng.below(3) {
            text = mutate_text(rng, &text, &mut how);
        }
        text.into_bytes()
    };
    if rng.chance(15) {
        bytes = mutate_bytes(rng, bytes, &mut how);
    }
    if rng.chance(10) {
        let wrong = rng.pick(&[
            None,
            Some("text/plain"),
            Some("application/xml"),
            Some("application/x-toml"),
            Some("application/json"),
            Some("application/toml"),
            Some("application/toml; charset=latin1"),
            Some("APPLICATION/JSON"),
            Some("multipart/form-data; boundary=x"),
            Some(";;;"),
        ]);
        how.push(format!("content type {wrong:?}"));
        content_type = wrong.map(str::to_owned);
    }
    Body {
        content_type,
        bytes,
        how,
    }
}

/// An answer's status, content type and body.
struct Reply {
    status: u16,
    content_type: String,
    text: String,
}

async fn request(
    client: &reqwest::Client,
    method: Method,
    url: &str,
    token: &str,
    body: Option<&Body>,
) -> Result<Reply, reqwest::Error> {
    let mut request = client.request(method, url).bearer_auth(token);
    if let Some(body) = body {
        if let Some(content_type) = &body.content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        request = request.body(body.bytes.clone());
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let text = response.text().await?;
    Ok(Reply {
        status,
        content_type,
        text,
    })
}

/// A party's contribution as seen from outside: its versions list and the
/// latest version's text.
async fn observed(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    context: &str,
) -> (Value, String) {
    let versions = request(client, Method::GET, &format!("{url}/versions"), token, None)
        .await
        .unwrap_or_else(|e| panic!("{context}: the versions list does not answer: {e}"));
    assert_eq!(versions.status, 200, "{}", versions.text);
    let latest = request(client, Method::GET, url, token, None)
        .await
        .unwrap_or_else(|e| panic!("{context}: the latest version does not answer: {e}"));
    assert_eq!(latest.status, 200, "{}", latest.text);
    (
        serde_json::from_str(&versions.text).expect("versions are JSON"),
        latest.text,
    )
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Checks one answer against the contribution before and after it.
fn check(
    context: &str,
    body: &Body,
    reply: &Reply,
    before: &(Value, String),
    after: &(Value, String),
) -> String {
    match reply.status {
        200 => {
            let stored: Value = serde_json::from_str(&reply.text)
                .unwrap_or_else(|e| panic!("{context}: 200 not JSON ({e}): {}", reply.text));
            let version = stored["version"].as_i64();
            let listed = after.0.as_array().expect("a versions list");
            let previous = before.0.as_array().map_or(0, Vec::len);
            assert_eq!(
                listed.last().and_then(|v| v["version"].as_i64()),
                version,
                "{context}: the stored version is not the last listed"
            );
            assert!(
                listed.len() == previous || listed.len() == previous + 1,
                "{context}: {previous} versions became {}",
                listed.len()
            );
            assert_eq!(
                after.1.as_bytes(),
                body.bytes.as_slice(),
                "{context}: the latest version is not the body stored"
            );
            "200".into()
        }
        400..=499 => {
            let envelope: Value = serde_json::from_str(&reply.text).unwrap_or_else(|e| {
                panic!(
                    "{context}: {} not in the error envelope ({e}): {}",
                    reply.status, reply.text
                )
            });
            assert!(
                reply.content_type.starts_with("application/json"),
                "{context}: {}",
                reply.content_type
            );
            let code = envelope["error"]["code"].as_str().unwrap_or_default();
            assert!(
                DOCUMENTED_CODES.contains(&code),
                "{context}: undocumented code {code:?}: {}",
                reply.text
            );
            assert!(
                envelope["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty()),
                "{context}: no message: {}",
                reply.text
            );
            assert_eq!(
                after, before,
                "{context}: a refused write changed the contribution"
            );
            format!("{} {code}", reply.status)
        }
        status => panic!("{context}: answered {status}: {}", reply.text),
    }
}

async fn mutated_contributions_are_refused_cleanly(backend: Backend) {
    let cases = env_number("CAISSON_FUZZ_CASES", DEFAULT_CASES);
    let seed = env_number("CAISSON_FUZZ_SEED", DEFAULT_SEED);
    let mut rng = Rng(seed);
    let europe = europe_fragments();
    let app = TestApp::start(backend, 0).await;
    let round = app.contributed_round().await;
    let client = reqwest::Client::new();
    let url_of = |org: &str| format!("{}/api/v1/rounds/{}/contributions/{org}", app.url, round.id);
    // Each party mutates its own valid fragment.
    let parties = [
        (url_of("prod"), round.prod.token.clone(), PLANT),
        (url_of("stateb"), round.state.token.clone(), NEED),
    ];
    let mut before = Vec::new();
    for (url, token, _) in &parties {
        before.push(observed(&client, url, token, "before").await);
    }
    let mut answers = BTreeMap::<String, usize>::new();
    for case in 0..cases {
        let which = rng.below(parties.len());
        let (url, token, base) = &parties[which];
        let body = generate(&mut rng, base, &europe);
        let context = format!(
            "seed {seed} case {case} ({url}, {:?}: {})",
            body.content_type,
            body.how.join(", ")
        );
        let reply = request(&client, Method::PUT, url, token, Some(&body))
            .await
            .unwrap_or_else(|e| panic!("{context}: no answer (did the server die?): {e}"));
        let after = observed(&client, url, token, &context).await;
        let answer = check(&context, &body, &reply, &before[which], &after);
        *answers.entry(answer).or_default() += 1;
        before[which] = after;
    }
    // The generator reaches every kind of answer it aims at.
    for expected in [
        "200",
        "403 not_owned",
        "422 invalid_scenario",
        "415 unsupported_media_type",
        "400 bad_request",
    ] {
        assert!(
            cases < DEFAULT_CASES || answers.contains_key(expected),
            "no {expected} in {cases} cases: {answers:?}"
        );
    }
    // The server still takes the valid fragments.
    for (url, token, base) in &parties {
        let body = Body {
            content_type: Some("application/toml".into()),
            bytes: base.as_bytes().to_vec(),
            how: Vec::new(),
        };
        let reply = request(&client, Method::PUT, url, token, Some(&body))
            .await
            .expect("the server answers");
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    app.stop().await;
}
both!(mutated_contributions_are_refused_cleanly);

/// Regression: a refused body the server had not read (415 on a 2 MiB
/// body) made it close the connection under the client, whose next
/// request on that pooled connection failed with no answer. The server now
/// reads the body before judging its media type, so the connection stays
/// usable.
async fn a_refused_large_body_keeps_the_connection(backend: Backend) {
    let app = TestApp::start(backend, 0).await;
    let round = app.contributed_round().await;
    let client = reqwest::Client::new();
    let url = format!("{}/api/v1/rounds/{}/contributions/prod", app.url, round.id);
    let big = format!("# {}\n{PLANT}", "x".repeat(2 * 1024 * 1024));
    for content_type in [Some("text/plain"), Some(";;;"), None] {
        for _ in 0..10 {
            let body = Body {
                content_type: content_type.map(str::to_owned),
                bytes: big.clone().into_bytes(),
                how: Vec::new(),
            };
            let reply = request(&client, Method::PUT, &url, &round.prod.token, Some(&body))
                .await
                .expect("the refusal answers");
            assert_eq!(reply.status, 415, "{}", reply.text);
            let versions = request(
                &client,
                Method::GET,
                &format!("{url}/versions"),
                &round.prod.token,
                None,
            )
            .await
            .unwrap_or_else(|e| panic!("the next request fails after a 415: {e}"));
            assert_eq!(versions.status, 200, "{}", versions.text);
        }
    }
    app.stop().await;
}
both!(a_refused_large_body_keeps_the_connection);
