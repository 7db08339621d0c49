//! Runs as jobs: workers claim queued runs with a lease, keep the lease
//! alive while they compute, and store the result with a compare-and-set
//! on the lease, so that a run is never executed by two workers at once
//! and its result is stored exactly once (spec section 4).
//!
//! Claiming is one statement: `UPDATE ... WHERE id = (SELECT ... LIMIT 1)
//! RETURNING`, with `FOR UPDATE SKIP LOCKED` in the sub-select on
//! PostgreSQL (concurrent claimers skip each other's rows) and SQLite's
//! single writer making it atomic there. A run whose lease expired (its
//! worker died) is claimable again.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::FromRow;
use tokio::sync::{watch, Notify};

use crate::db::{now_ms, random_id, Backend, Db};
use crate::runs::{self, RunError, RunRequest};

/// How a worker behaves.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// The worker's id, recorded as the lease owner.
    pub id: String,
    /// How long a claim lasts without renewal; renewed every third of it.
    pub lease: Duration,
    /// How often an idle worker looks for queued runs.
    pub poll: Duration,
    /// Fault injection for tests: hold a claimed run this long (renewing
    /// the lease) before computing it, so that a test can kill the worker
    /// in the middle of a run.
    pub hold_after_claim: Option<Duration>,
}

impl WorkerConfig {
    /// A worker with a new id (host-independent, random) and the given lease.
    pub fn new(lease: Duration) -> WorkerConfig {
        WorkerConfig {
            id: format!("worker-{}-{}", std::process::id(), &random_id()[..8]),
            lease,
            poll: Duration::from_millis(500),
            hold_after_claim: None,
        }
    }
}

/// A claimed run.
#[derive(Debug, FromRow)]
struct Claimed {
    id: String,
    options: String,
    scenario: String,
    attempts: i64,
}

/// Claims the oldest claimable run for `worker`, if any.
async fn claim(db: &Db, config: &WorkerConfig) -> Result<Option<Claimed>, sqlx::Error> {
    let now = now_ms();
    let lease_ms = i64::try_from(config.lease.as_millis()).unwrap_or(i64::MAX);
    let skip_locked = match db.backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE runs SET status = 'running', lease_owner = $1, lease_expires = $2, \
                attempts = attempts + 1, started_at = COALESCE(started_at, $3) \
         WHERE id = (SELECT id FROM runs \
                     WHERE status = 'queued' OR (status = 'running' AND lease_expires < $3) \
                     ORDER BY created_at, id LIMIT 1{skip_locked}) \
           AND (status = 'queued' OR (status = 'running' AND lease_expires < $3)) \
         RETURNING id, options, scenario, attempts"
    );
    sqlx::query_as(&sql)
        .bind(&config.id)
        .bind(now.saturating_add(lease_ms))
        .bind(now)
        .fetch_optional(&db.pool)
        .await
}

/// Renews the lease and records progress; false when the lease is lost
/// (the run was cancelled, or another worker claimed it after expiry).
async fn renew(
    db: &Db,
    config: &WorkerConfig,
    run: &str,
    progress: f64,
) -> Result<bool, sqlx::Error> {
    let lease_ms = i64::try_from(config.lease.as_millis()).unwrap_or(i64::MAX);
    let done = sqlx::query(
        "UPDATE runs SET lease_expires = $1, progress = $2 \
         WHERE id = $3 AND lease_owner = $4 AND status = 'running'",
    )
    .bind(now_ms().saturating_add(lease_ms))
    .bind(progress)
    .bind(run)
    .bind(&config.id)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives a run back to the queue (on shutdown).
async fn release(db: &Db, config: &WorkerConfig, run: &str) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE runs SET status = 'queued', lease_owner = NULL, lease_expires = NULL \
         WHERE id = $1 AND lease_owner = $2 AND status = 'running'",
    )
    .bind(run)
    .bind(&config.id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Stores the outcome if this worker still holds the lease: the run's
/// status and, on success, its result, in one transaction. Returns whether
/// it was stored.
async fn finish(
    db: &Db,
    config: &WorkerConfig,
    run: &str,
    outcome: &Result<String, RunError>,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let (status, error) = match outcome {
        Ok(_) => ("succeeded", None),
        Err(e) => ("failed", Some(e.to_string())),
    };
    let now = now_ms();
    let updated = sqlx::query(
        "UPDATE runs SET status = $1, error = $2, progress = 1.0, finished_at = $3, \
                lease_expires = NULL \
         WHERE id = $4 AND lease_owner = $5 AND status = 'running'",
    )
    .bind(status)
    .bind(error)
    .bind(now)
    .bind(run)
    .bind(&config.id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    if let Ok(document) = outcome {
        sqlx::query(
            "INSERT INTO results (run, document, worker, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(run)
        .bind(document)
        .bind(&config.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Runs a worker until `shutdown` turns true: claims runs, computes them,
/// stores their results. A run in progress at shutdown is given back to
/// the queue for another worker.
pub async fn worker(
    db: Db,
    config: WorkerConfig,
    mut shutdown: watch::Receiver<bool>,
    wake: Arc<Notify>,
) {
    tracing::info!(worker = %config.id, "worker started");
    loop {
        if *shutdown.borrow() {
            break;
        }
        match claim(&db, &config).await {
            Ok(Some(job)) => {
                tracing::info!(worker = %config.id, run = %job.id, attempt = job.attempts, "claimed run");
                if let Err(error) = execute(&db, &config, job, &mut shutdown).await {
                    tracing::error!(worker = %config.id, error = %error, "run bookkeeping failed");
                }
                continue;
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(worker = %config.id, error = %error, "claiming a run failed");
            }
        }
        tokio::select! {
            _ = shutdown.changed() => {}
            _ = wake.notified() => {}
            _ = tokio::time::sleep(config.poll) => {}
        }
    }
    tracing::info!(worker = %config.id, "worker stopped");
}

/// Computes one claimed run on a blocking thread, renewing the lease until
/// it ends, then stores the outcome.
async fn execute(
    db: &Db,
    config: &WorkerConfig,
    job: Claimed,
    shutdown: &mut watch::Receiver<bool>,
) -> Result<(), sqlx::Error> {
    let renew_every = config.lease / 3;
    if let Some(hold) = config.hold_after_claim {
        let until = tokio::time::Instant::now() + hold;
        while tokio::time::Instant::now() < until {
            tokio::time::sleep(renew_every.min(hold)).await;
            if !renew(db, config, &job.id, 0.0).await? {
                return Ok(());
            }
        }
    }
    let request: RunRequest = match serde_json::from_str(&job.options) {
        Ok(request) => request,
        Err(e) => {
            let outcome = Err(RunError::Failed(format!(
                "stored options do not parse: {e}"
            )));
            finish(db, config, &job.id, &outcome).await?;
            return Ok(());
        }
    };
    let done = Arc::new(AtomicU64::new(0));
    let steps = caisson_scenario::load_str(&job.scenario, "run.toml")
        .map(|loaded| request.steps(&loaded.scenario).max(1))
        .unwrap_or(1);
    let computing = {
        let done = Arc::clone(&done);
        let scenario = job.scenario.clone();
        tokio::task::spawn_blocking(move || runs::execute(&request, &scenario, &done))
    };
    tokio::pin!(computing);
    let outcome = loop {
        tokio::select! {
            joined = &mut computing => {
                break match joined {
                    Ok(outcome) => outcome,
                    Err(panic) => Err(RunError::Failed(format!("the computation panicked: {panic}"))),
                };
            }
            _ = tokio::time::sleep(renew_every) => {
                let progress = (done.load(Ordering::Relaxed) as f64 / steps as f64).min(0.99);
                if !renew(db, config, &job.id, progress).await? {
                    // Cancelled or claimed by another worker after our lease
                    // expired: the outcome is no longer ours to store.
                    tracing::info!(run = %job.id, "lease lost; abandoning the run");
                    return Ok(());
                }
            }
            _ = shutdown.changed() => {
                tracing::info!(run = %job.id, "shutting down: giving the run back to the queue");
                release(db, config, &job.id).await?;
                return Ok(());
            }
        }
    };
    if let Err(error) = &outcome {
        tracing::info!(run = %job.id, error = %error, "run failed");
    }
    if finish(db, config, &job.id, &outcome).await? {
        tracing::info!(run = %job.id, "run finished");
    } else {
        tracing::info!(run = %job.id, "run finished after losing its lease; result dropped");
    }
    Ok(())
}
