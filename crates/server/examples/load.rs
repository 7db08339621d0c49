#![allow(clippy::disallowed_macros)]
//! A bounded load benchmark of the platform server on loopback: latency
//! (p50, p90, p99, max) and throughput of
//!
//! - `read`: `GET /rounds/{round}/scenario`, the assembled European
//!   scenario as the coordinator sees it;
//! - `write`: `PUT /rounds/{round}/contributions/{org}`, each client
//!   writing its own member's fragment and alternating between two bodies
//!   so that every write is a new version (assembled and validated, then
//!   stored);
//!
//! on SQLite or PostgreSQL. The server runs in this process
//! (`serve::start` on 127.0.0.1:0, no workers) on a fresh database seeded
//! with the European example (`example::seed_europe`); clients are
//! reqwest tasks on the same tokio runtime, each sending its next request
//! when the previous one is answered. Any answer other than 2xx is an
//! error: it is counted and the first ones are printed, and the exit code
//! is 1 when there was any.
//!
//! ```sh
//! # --workspace: the workspace's feature set, so HiGHS is not built again
//! cargo build --release --workspace --example load
//! target/release/examples/load --database sqlite
//! target/release/examples/load --database postgres \
//!     --postgres-url "$(bash scripts/ensure-postgres.sh)"
//! ```
//!
//! Options: `--database sqlite|postgres`, `--postgres-url URL` (an admin
//! URL: a database `caisson_load_<random>` is created and dropped; default
//! `CAISSON_TEST_POSTGRES_URL`), `--clients N` (default 8), `--seconds S`
//! per case (default 20, at most 60), `--case read|write|both` (default
//! both).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use caisson_platform::europe_round;
use caisson_server::example::seed_europe;
use caisson_server::serve::{self, ServeConfig};
use tokio::sync::Mutex;

/// What to measure, from the command line.
struct Options {
    database: String,
    postgres_url: Option<String>,
    clients: usize,
    seconds: u64,
    cases: Vec<Case>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    Read,
    Write,
}

impl Case {
    fn name(self) -> &'static str {
        match self {
            Case::Read => "read  GET  /rounds/{round}/scenario",
            Case::Write => "write PUT  /rounds/{round}/contributions/{org}",
        }
    }
}

fn options() -> anyhow::Result<Options> {
    let mut options = Options {
        database: "sqlite".into(),
        postgres_url: std::env::var("CAISSON_TEST_POSTGRES_URL")
            .ok()
            .filter(|url| !url.is_empty()),
        clients: 8,
        seconds: 20,
        cases: vec![Case::Read, Case::Write],
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--database" => options.database = value()?,
            "--postgres-url" => options.postgres_url = Some(value()?),
            "--clients" => options.clients = value()?.parse().context("--clients")?,
            "--seconds" => options.seconds = value()?.parse().context("--seconds")?,
            "--case" => {
                options.cases = match value()?.as_str() {
                    "read" => vec![Case::Read],
                    "write" => vec![Case::Write],
                    "both" => vec![Case::Read, Case::Write],
                    other => bail!("--case read|write|both, not {other}"),
                }
            }
            other => bail!("unknown option {other} (see the example's doc comment)"),
        }
    }
    if !(1..=60).contains(&options.seconds) {
        bail!("--seconds is 1 to 60");
    }
    if options.clients == 0 {
        bail!("--clients is at least 1");
    }
    Ok(options)
}

/// A fresh database: an SQLite file in `dir`, or a new PostgreSQL
/// database (returned too, to be dropped at the end).
async fn fresh_database(
    options: &Options,
    dir: &tempfile::TempDir,
) -> anyhow::Result<(String, Option<(String, String)>)> {
    match options.database.as_str() {
        "sqlite" => Ok((
            format!("sqlite://{}", dir.path().join("caisson.db").display()),
            None,
        )),
        "postgres" => {
            let admin = options
                .postgres_url
                .clone()
                .context("--postgres-url (or CAISSON_TEST_POSTGRES_URL) is needed")?;
            let name = format!("caisson_load_{}", caisson_server::db::random_id());
            sqlx::any::install_default_drivers();
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin).await?;
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await?;
            let base = admin
                .rsplit_once('/')
                .map(|(base, _)| base.to_owned())
                .context("a PostgreSQL URL ending in /DATABASE")?;
            Ok((format!("{base}/{name}"), Some((admin, name))))
        }
        other => bail!("--database sqlite|postgres, not {other}"),
    }
}

/// One client's request: method, URL, token, body.
struct Request {
    method: reqwest::Method,
    url: String,
    token: String,
    /// For writes, the two bodies alternated.
    bodies: Option<[String; 2]>,
}

/// What one case measured.
#[derive(Default)]
struct Outcome {
    /// Latencies of the answered requests, 2xx or not, in microseconds.
    latencies: Vec<u64>,
    errors: usize,
    first_errors: Vec<String>,
    elapsed: Duration,
}

async fn drive(requests: Vec<Request>, duration: Duration) -> Outcome {
    let client = reqwest::Client::new();
    let outcome = Arc::new(Mutex::new(Outcome::default()));
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::new();
    for request in requests {
        let client = client.clone();
        let outcome = Arc::clone(&outcome);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = Vec::new();
            let mut n = 0usize;
            while Instant::now() < deadline {
                let mut builder = client
                    .request(request.method.clone(), &request.url)
                    .bearer_auth(&request.token);
                if let Some(bodies) = &request.bodies {
                    builder = builder
                        .header("content-type", "application/toml")
                        .body(bodies[n % 2].clone());
                }
                n += 1;
                let sent = Instant::now();
                let answer = match builder.send().await {
                    Ok(response) => {
                        let status = response.status();
                        match response.bytes().await {
                            Ok(_) if status.is_success() => Ok(()),
                            Ok(body) => Err(format!(
                                "{status}: {}",
                                String::from_utf8_lossy(&body[..body.len().min(300)])
                            )),
                            Err(e) => Err(format!("reading the body: {e}")),
                        }
                    }
                    Err(e) => Err(format!("no answer: {e}")),
                };
                latencies.push(sent.elapsed().as_micros() as u64);
                if let Err(error) = answer {
                    errors.push(error);
                }
            }
            let mut outcome = outcome.lock().await;
            outcome.latencies.extend(latencies);
            outcome.errors += errors.len();
            let room = 5usize.saturating_sub(outcome.first_errors.len());
            outcome.first_errors.extend(errors.into_iter().take(room));
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    let mut outcome = std::mem::take(&mut *outcome.lock().await);
    outcome.elapsed = start.elapsed();
    outcome
}

/// The `q` quantile (0..=1) of sorted values, in milliseconds.
fn quantile(sorted: &[u64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let at = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[at] as f64 / 1000.0
}

fn report(database: &str, clients: usize, case: Case, mut outcome: Outcome) -> usize {
    outcome.latencies.sort_unstable();
    let n = outcome.latencies.len();
    let seconds = outcome.elapsed.as_secs_f64();
    println!(
        "{database:<8} {:<48} clients {clients:>3}  requests {n:>6}  errors {:>4}  {:>8.1} req/s  p50 {:>8.2} ms  p90 {:>8.2} ms  p99 {:>8.2} ms  max {:>8.2} ms",
        case.name(),
        outcome.errors,
        n as f64 / seconds,
        quantile(&outcome.latencies, 0.50),
        quantile(&outcome.latencies, 0.90),
        quantile(&outcome.latencies, 0.99),
        quantile(&outcome.latencies, 1.0),
    );
    for error in &outcome.first_errors {
        println!("    error: {error}");
    }
    outcome.errors
}

async fn access_log_rows(db: &caisson_server::db::Db) -> anyhow::Result<i64> {
    let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM access_log")
        .fetch_one(&db.pool)
        .await?;
    Ok(rows)
}

async fn run(options: Options) -> anyhow::Result<usize> {
    let dir = tempfile::tempdir()?;
    let (database, created) = fresh_database(&options, &dir).await?;
    let config = ServeConfig {
        listen: "127.0.0.1:0".into(),
        database,
        // No workers: the plan run the seeding queues stays queued and
        // takes no CPU from the requests measured.
        workers: 0,
        lease: Duration::from_secs(30),
        handler_timeout: Duration::from_secs(60),
        ledger_key: dir.path().join("ledger.key"),
        auth: Default::default(),
    };
    let running = serve::start(&config).await?;
    let seeding = Instant::now();
    let seeded = seed_europe(&running.db, &running.url).await?;
    eprintln!(
        "seeded the European round {} on {} in {:.1} s",
        seeded.round,
        options.database,
        seeding.elapsed().as_secs_f64()
    );
    let api = format!("{}/api/v1", running.url);
    let coordinator = seeded
        .sign_ins
        .first()
        .context("the example has a coordinator")?
        .token
        .clone();
    let round = europe_round();
    // Writers: one member each (so alternating two bodies makes every
    // write a new version), members with a fragment of their own.
    let writers: Vec<Request> = round
        .members
        .iter()
        .filter(|(_, fragment)| !fragment.text().trim().is_empty())
        .filter_map(|(org, fragment)| {
            let token = seeded
                .sign_ins
                .iter()
                .find(|s| s.organisation == org.id)?
                .token
                .clone();
            let text = fragment.text().to_owned();
            Some(Request {
                method: reqwest::Method::PUT,
                url: format!("{api}/rounds/{}/contributions/{}", seeded.round, org.id),
                token,
                bodies: Some([format!("{text}\n# load: body B\n"), text]),
            })
        })
        .take(options.clients)
        .collect();
    if writers.len() < options.clients && options.cases.contains(&Case::Write) {
        bail!(
            "the example has {} members with a fragment: at most that many writing clients",
            writers.len()
        );
    }
    let scenario_url = format!("{api}/rounds/{}/scenario", seeded.round);
    let size = reqwest::Client::new()
        .get(&scenario_url)
        .bearer_auth(&coordinator)
        .send()
        .await?
        .bytes()
        .await?
        .len();
    eprintln!(
        "the assembled scenario is {size} bytes; {} clients, {} s per case",
        options.clients, options.seconds
    );
    let mut errors = 0;
    let mut writers = Some(writers);
    for &case in &options.cases {
        let requests = match case {
            Case::Read => (0..options.clients)
                .map(|_| Request {
                    method: reqwest::Method::GET,
                    url: scenario_url.clone(),
                    token: coordinator.clone(),
                    bodies: None,
                })
                .collect(),
            Case::Write => writers.take().unwrap_or_default(),
        };
        let logged_before = access_log_rows(&running.db).await?;
        let outcome = drive(requests, Duration::from_secs(options.seconds)).await;
        let answered = outcome.latencies.len();
        errors += report(&options.database, options.clients, case, outcome);
        // Reads write too: one access-log row per contribution of another
        // organisation the scenario shows (the access log of spec section 3).
        let logged = access_log_rows(&running.db).await? - logged_before;
        if answered > 0 {
            println!(
                "    access-log rows written: {logged} ({:.1} per request)",
                logged as f64 / answered as f64
            );
        }
    }
    running.stop().await?;
    if let Some((admin, name)) = created {
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin).await?;
        sqlx::query(&format!("DROP DATABASE {name}"))
            .execute(&mut conn)
            .await?;
    }
    Ok(errors)
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(error) => {
            eprintln!("load: {error:#}");
            return ExitCode::from(2);
        }
    };
    match run(options).await {
        Ok(0) => ExitCode::SUCCESS,
        Ok(errors) => {
            eprintln!("load: {errors} requests failed");
            ExitCode::from(1)
        }
        Err(error) => {
            eprintln!("load: {error:#}");
            ExitCode::from(2)
        }
    }
}
