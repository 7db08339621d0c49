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

/// A claimed chunk of a run.
#[derive(Debug, FromRow)]
struct ClaimedChunk {
    run: String,
    chunk: i64,
    first_sample: i64,
    samples: i64,
}

/// Claims the oldest claimable chunk (of a run still queued or running),
/// if any: chunks go before whole runs, so that the workers share a long
/// simulation before they take the next run.
async fn claim_chunk(db: &Db, config: &WorkerConfig) -> Result<Option<ClaimedChunk>, sqlx::Error> {
    let now = now_ms();
    let lease_ms = i64::try_from(config.lease.as_millis()).unwrap_or(i64::MAX);
    let skip_locked = match db.backend {
        Backend::Postgres => " FOR UPDATE OF c SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let claimable = "(c.status = 'queued' OR (c.status = 'running' AND c.lease_expires < $3))";
    let sql = format!(
        "UPDATE run_chunks SET status = 'running', lease_owner = $1, lease_expires = $2, \
                attempts = attempts + 1 \
         WHERE (run, chunk) = (SELECT c.run, c.chunk FROM run_chunks c JOIN runs r ON r.id = c.run \
                               WHERE r.status IN ('queued', 'running') AND {claimable} \
                               ORDER BY r.created_at, r.id, c.chunk LIMIT 1{skip_locked}) \
           AND (status = 'queued' OR (status = 'running' AND lease_expires < $3)) \
         RETURNING run, chunk, first_sample, samples"
    );
    let claimed: Option<ClaimedChunk> = sqlx::query_as(&sql)
        .bind(&config.id)
        .bind(now.saturating_add(lease_ms))
        .bind(now)
        .fetch_optional(&db.pool)
        .await?;
    if let Some(chunk) = &claimed {
        // The run is running from its first chunk on; with no lease of its
        // own it is claimed (to merge) once its last chunk has succeeded.
        sqlx::query(
            "UPDATE runs SET status = 'running', started_at = COALESCE(started_at, $1), \
                    lease_owner = NULL, lease_expires = 0 \
             WHERE id = $2 AND status = 'queued'",
        )
        .bind(now)
        .bind(&chunk.run)
        .execute(&db.pool)
        .await?;
    }
    Ok(claimed)
}

/// Renews a chunk's lease; false when it is lost (the run was cancelled or
/// failed, or another worker claimed the chunk after the lease expired).
async fn renew_chunk(
    db: &Db,
    config: &WorkerConfig,
    chunk: &ClaimedChunk,
) -> Result<bool, sqlx::Error> {
    let lease_ms = i64::try_from(config.lease.as_millis()).unwrap_or(i64::MAX);
    let done = sqlx::query(
        "UPDATE run_chunks SET lease_expires = $1 \
         WHERE run = $2 AND chunk = $3 AND lease_owner = $4 AND status = 'running' \
           AND EXISTS (SELECT 1 FROM runs r WHERE r.id = $2 AND r.status IN ('queued', 'running'))",
    )
    .bind(now_ms().saturating_add(lease_ms))
    .bind(&chunk.run)
    .bind(chunk.chunk)
    .bind(&config.id)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives a chunk back to the queue (on shutdown).
async fn release_chunk(
    db: &Db,
    config: &WorkerConfig,
    chunk: &ClaimedChunk,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE run_chunks SET status = 'queued', lease_owner = NULL, lease_expires = NULL \
         WHERE run = $1 AND chunk = $2 AND lease_owner = $3 AND status = 'running'",
    )
    .bind(&chunk.run)
    .bind(chunk.chunk)
    .bind(&config.id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Stores a chunk's outcome if this worker still holds its lease: its
/// result and the run's progress, or, when it failed, the run's failure.
async fn finish_chunk(
    db: &Db,
    config: &WorkerConfig,
    chunk: &ClaimedChunk,
    outcome: &Result<String, RunError>,
) -> Result<bool, sqlx::Error> {
    let mut tx = db.begin_write().await?;
    let updated = sqlx::query(
        "UPDATE run_chunks SET status = $1, result = $2, lease_expires = NULL \
         WHERE run = $3 AND chunk = $4 AND lease_owner = $5 AND status = 'running'",
    )
    .bind(if outcome.is_ok() {
        "succeeded"
    } else {
        "failed"
    })
    .bind(outcome.as_ref().ok())
    .bind(&chunk.run)
    .bind(chunk.chunk)
    .bind(&config.id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    match outcome {
        Ok(_) => {
            let (done, total): (Option<i64>, Option<i64>) = sqlx::query_as(
                // PostgreSQL sums BIGINT as NUMERIC: cast back for both.
                "SELECT CAST(SUM(CASE WHEN status = 'succeeded' THEN samples ELSE 0 END) AS BIGINT), \
                        CAST(SUM(samples) AS BIGINT) \
                 FROM run_chunks WHERE run = $1",
            )
            .bind(&chunk.run)
            .fetch_one(&mut *tx)
            .await?;
            let progress = match (done, total) {
                (Some(done), Some(total)) if total > 0 => (done as f64 / total as f64).min(0.99),
                _ => 0.0,
            };
            sqlx::query("UPDATE runs SET progress = $1 WHERE id = $2 AND status = 'running'")
                .bind(progress)
                .bind(&chunk.run)
                .execute(&mut *tx)
                .await?;
        }
        Err(error) => {
            sqlx::query(
                "UPDATE runs SET status = 'failed', error = $1, finished_at = $2, \
                        lease_owner = NULL, lease_expires = NULL \
                 WHERE id = $3 AND status IN ('queued', 'running')",
            )
            .bind(format!(
                "samples {}..{}: {error}",
                chunk.first_sample,
                chunk.first_sample + chunk.samples
            ))
            .bind(now_ms())
            .bind(&chunk.run)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

/// The results of a chunked run's chunks, in order (empty for a run that
/// is not chunked).
async fn chunk_results(db: &Db, run: &str) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(Option<String>,)> =
        sqlx::query_as("SELECT result FROM run_chunks WHERE run = $1 ORDER BY chunk")
            .bind(run)
            .fetch_all(&db.pool)
            .await?;
    Ok(rows.into_iter().filter_map(|(r,)| r).collect())
}

/// Computes one claimed chunk on a blocking thread, renewing its lease
/// until it ends, then stores the outcome.
async fn execute_chunk(
    db: &Db,
    config: &WorkerConfig,
    chunk: ClaimedChunk,
    shutdown: &mut watch::Receiver<bool>,
) -> Result<(), sqlx::Error> {
    let renew_every = config.lease / 3;
    let run: Option<(String, String)> =
        sqlx::query_as("SELECT options, scenario FROM runs WHERE id = $1")
            .bind(&chunk.run)
            .fetch_optional(&db.pool)
            .await?;
    let Some((options, scenario)) = run else {
        return Ok(());
    };
    let first = u64::try_from(chunk.first_sample).unwrap_or(0);
    let range = first..first + u64::try_from(chunk.samples).unwrap_or(0);
    let computing = tokio::task::spawn_blocking(move || {
        let request: RunRequest = serde_json::from_str(&options)
            .map_err(|e| RunError::Failed(format!("stored options do not parse: {e}")))?;
        runs::execute_chunk(&request, &scenario, range, &AtomicU64::new(0))
    });
    tokio::pin!(computing);
    let outcome = loop {
        tokio::select! {
            joined = &mut computing => {
                break joined.unwrap_or_else(|panic| {
                    Err(RunError::Failed(format!("the computation panicked: {panic}")))
                });
            }
            _ = tokio::time::sleep(renew_every) => {
                if !renew_chunk(db, config, &chunk).await? {
                    tracing::info!(run = %chunk.run, chunk = chunk.chunk, "chunk lease lost; abandoning it");
                    return Ok(());
                }
            }
            _ = shutdown.changed() => {
                release_chunk(db, config, &chunk).await?;
                return Ok(());
            }
        }
    };
    if finish_chunk(db, config, &chunk, &outcome).await? {
        tracing::info!(run = %chunk.run, chunk = chunk.chunk, ok = outcome.is_ok(), "chunk finished");
    }
    Ok(())
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
                     WHERE (status = 'queued' OR (status = 'running' AND lease_expires < $3)) \
                       AND NOT EXISTS (SELECT 1 FROM run_chunks c \
                                       WHERE c.run = runs.id AND c.status <> 'succeeded') \
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
        match claim_chunk(&db, &config).await {
            Ok(Some(chunk)) => {
                tracing::info!(worker = %config.id, run = %chunk.run, chunk = chunk.chunk, "claimed chunk");
                if let Err(error) = execute_chunk(&db, &config, chunk, &mut shutdown).await {
                    tracing::error!(worker = %config.id, error = %error, "chunk bookkeeping failed");
                }
                continue;
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(worker = %config.id, error = %error, "claiming a chunk failed");
            }
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
    // A chunked run's samples are computed: only the merge is left.
    let chunks = chunk_results(db, &job.id).await?;
    if !chunks.is_empty() {
        let scenario = job.scenario.clone();
        let outcome =
            tokio::task::spawn_blocking(move || runs::merge_chunks(&request, &scenario, &chunks))
                .await
                .unwrap_or_else(|panic| {
                    Err(RunError::Failed(format!("merging panicked: {panic}")))
                });
        finish(db, config, &job.id, &outcome).await?;
        return Ok(());
    }
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
