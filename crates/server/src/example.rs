//! `caisson serve --example europe`: the European example as a round on a
//! running server. Every organisation of the example gets an editor with a
//! token, and an admin (`ORG-admin`, for the organisation page's users and
//! tokens); the coordinator creates the round and adds the members, and each
//! party contributes its part of `examples/europe-2025/base.toml` over
//! HTTP, exactly as a client would. With `--empty` only the organisations
//! and their users are made, for a coordinator to start the round in the
//! browser. Every user has a password (for the web application's sign-in)
//! and a token (for API clients).

use std::fmt::Write as _;

use caisson_platform::{europe_round, OrgKind, Role};
use serde_json::{json, Value};

use crate::db::Db;
use crate::store;

/// One party's sign-in.
#[derive(Debug, Clone)]
pub struct SignIn {
    /// The organisation.
    pub organisation: String,
    /// Its kind.
    pub kind: OrgKind,
    /// The user's name.
    pub user: String,
    /// The user's password (for signing in to the web application).
    pub password: String,
    /// The user's API token.
    pub token: String,
}

/// One organisation's admin (manages its users and tokens): a password
/// only (an admin makes its own tokens in the browser or over the API).
#[derive(Debug, Clone)]
pub struct AdminSignIn {
    /// The organisation.
    pub organisation: String,
    /// The admin's name, `ORG-admin`.
    pub user: String,
    /// Its password.
    pub password: String,
}

/// Prints the admins after the parties' sign-ins, as a table of their own
/// (the count first): organisation, user, password.
fn write_admins(out: &mut String, admins: &[AdminSignIn]) {
    let _ = writeln!(
        out,
        "{} admins (users and API tokens of their organisation, on the Organisation page):",
        admins.len()
    );
    for a in admins {
        let _ = writeln!(
            out,
            "  {:<16} {:<24} {}",
            a.organisation, a.user, a.password
        );
    }
}

/// Prints each party's sign-in: organisation, kind, user, password, token
/// (the count first, so that a reader knows when the list ends).
fn write_sign_ins(out: &mut String, sign_ins: &[SignIn]) {
    let _ = writeln!(
        out,
        "{} parties; sign in (browser: organisation, user, password; API: Authorization: Bearer TOKEN):",
        sign_ins.len()
    );
    for s in sign_ins {
        let _ = writeln!(
            out,
            "  {:<16} {:<12} {:<24} {:<24} {}",
            s.organisation,
            s.kind.as_str(),
            s.user,
            s.password,
            s.token
        );
    }
}

/// The parties of the example without a round (`serve --example europe
/// --empty`).
#[derive(Debug, Clone)]
pub struct Registered {
    /// Every party's sign-in, coordinators first.
    pub sign_ins: Vec<SignIn>,
    /// Every organisation's admin, in the same order.
    pub admins: Vec<AdminSignIn>,
}

impl Registered {
    /// What `serve --example europe --empty` prints.
    pub fn describe(&self, url: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "the European example's organisations and users, no round yet: open {url}/ and sign in as a coordinator to create it"
        );
        write_sign_ins(&mut out, &self.sign_ins);
        write_admins(&mut out, &self.admins);
        out
    }
}

/// What seeding made.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// The round's id.
    pub round: String,
    /// The plan run started on it.
    pub run: String,
    /// Every party's sign-in, coordinator first.
    pub sign_ins: Vec<SignIn>,
    /// Every organisation's admin, in the same order.
    pub admins: Vec<AdminSignIn>,
}

impl Seeded {
    /// What `serve --example` prints.
    pub fn describe(&self, url: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "round {} (European example), plan run {}",
            self.round, self.run
        );
        let _ = writeln!(
            out,
            "open {url}/ in a browser, or call the API with a token"
        );
        write_sign_ins(&mut out, &self.sign_ins);
        write_admins(&mut out, &self.admins);
        let _ = writeln!(
            out,
            "e.g. curl -H 'Authorization: Bearer {}' {url}/api/v1/rounds/{}/scenario",
            self.sign_ins.first().map_or("TOKEN", |s| s.token.as_str()),
            self.round
        );
        out
    }
}

async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: &str,
    body: Option<(&str, String)>,
) -> anyhow::Result<Value> {
    let mut request = client.request(method, &url).bearer_auth(token);
    if let Some((content_type, text)) = body {
        request = request.header("content-type", content_type).body(text);
    }
    let response = request.send().await?;
    let status = response.status();
    let text = response.text().await?;
    if !status.is_success() {
        anyhow::bail!("{url}: {status}: {text}");
    }
    Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Registers every organisation of the European example with an editor
/// `ORG-editor` (a password and a token each) and an admin `ORG-admin` (a
/// password), coordinators first.
pub async fn register_europe(db: &Db) -> anyhow::Result<Registered> {
    let round_example = europe_round();
    let mut sign_ins = Vec::new();
    let mut admins = Vec::new();
    let organisations = round_example
        .members
        .iter()
        .map(|(org, _)| org)
        .chain(&round_example.observers);
    for org in organisations {
        store::org_add(db, org).await?;
        let user = format!("{}-editor", org.id);
        let password = store::user_add(db, &org.id, &user, Role::Editor).await?;
        let (_, token) = store::token_add(db, &org.id, &user).await?;
        sign_ins.push(SignIn {
            organisation: org.id.clone(),
            kind: org.kind,
            user,
            password,
            token,
        });
        let admin = format!("{}-admin", org.id);
        let password = store::user_add(db, &org.id, &admin, Role::Admin).await?;
        admins.push((
            org.kind,
            AdminSignIn {
                organisation: org.id.clone(),
                user: admin,
                password,
            },
        ));
    }
    sign_ins.sort_by_key(|s| (s.kind != OrgKind::Coordinator, s.organisation.clone()));
    admins.sort_by_key(|(kind, a)| (*kind != OrgKind::Coordinator, a.organisation.clone()));
    let admins = admins.into_iter().map(|(_, a)| a).collect();
    Ok(Registered { sign_ins, admins })
}

/// Seeds the European example on the server at `url` (database `db`).
pub async fn seed_europe(db: &Db, url: &str) -> anyhow::Result<Seeded> {
    let round_example = europe_round();
    let (reference, members, contracts) = (
        round_example.reference.clone(),
        round_example.members.clone(),
        round_example.contracts.clone(),
    );
    let Registered { sign_ins, admins } = register_europe(db).await?;
    let coordinator = sign_ins
        .iter()
        .find(|s| s.kind == OrgKind::Coordinator)
        .ok_or_else(|| anyhow::anyhow!("the example has no coordinator"))?
        .clone();
    let client = reqwest::Client::new();
    let api = format!("{url}/api/v1");
    let created = call(
        &client,
        reqwest::Method::POST,
        format!("{api}/rounds"),
        &coordinator.token,
        Some((
            reference.media().content_type(),
            reference.text().to_owned(),
        )),
    )
    .await?;
    let round = created["id"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no round id"))?
        .to_owned();
    for s in sign_ins
        .iter()
        .filter(|s| s.organisation != coordinator.organisation && s.kind != OrgKind::Observer)
    {
        call(
            &client,
            reqwest::Method::POST,
            format!("{api}/rounds/{round}/members"),
            &coordinator.token,
            Some((
                "application/json",
                json!({"organisation": s.organisation}).to_string(),
            )),
        )
        .await?;
    }
    for (org, fragment) in &members {
        let token = &sign_ins
            .iter()
            .find(|s| s.organisation == org.id)
            .ok_or_else(|| anyhow::anyhow!("no sign-in for {}", org.id))?
            .token;
        call(
            &client,
            reqwest::Method::PUT,
            format!("{api}/rounds/{round}/contributions/{}", org.id),
            token,
            Some((fragment.media().content_type(), fragment.text().to_owned())),
        )
        .await?;
    }
    // The contracts of base.toml, proposed by the buyer side (the member
    // owning the buyer actor) and signed by the supplier.
    let token_of = |org: &str| {
        sign_ins
            .iter()
            .find(|s| s.organisation == org)
            .map(|s| s.token.clone())
            .ok_or_else(|| anyhow::anyhow!("no sign-in for {org}"))
    };
    for contract in &contracts {
        let buyer_side = round_example
            .parties
            .buyer_member(&contract.buyer)
            .ok_or_else(|| anyhow::anyhow!("no member buys for {}", contract.buyer))?;
        let proposal = json!({
            "supplier": contract.supplier,
            "buyer": contract.buyer,
            "product": contract.product,
            "quantity": contract.quantity,
            "penalty": contract.penalty,
            "price": contract.price,
            "facility": contract.facility,
        });
        let proposed = call(
            &client,
            reqwest::Method::POST,
            format!("{api}/rounds/{round}/contracts"),
            &token_of(&buyer_side.id)?,
            Some(("application/json", proposal.to_string())),
        )
        .await?;
        let id = proposed["id"]
            .as_str()
            .ok_or_else(|| anyhow::anyhow!("no contract id"))?;
        call(
            &client,
            reqwest::Method::POST,
            format!("{api}/contracts/{id}/accept"),
            &token_of(&contract.supplier)?,
            None,
        )
        .await?;
    }
    let run = call(
        &client,
        reqwest::Method::POST,
        format!("{api}/rounds/{round}/runs"),
        &coordinator.token,
        Some(("application/json", json!({"kind": "plan"}).to_string())),
    )
    .await?["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    Ok(Seeded {
        round,
        run,
        sign_ins,
        admins,
    })
}
