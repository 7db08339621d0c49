//! Starting and stopping the server and its in-process workers.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

use crate::auth::{AuthConfig, AuthState};
use crate::db::Db;
use crate::jobs::{self, WorkerConfig};
use crate::state::AppState;

/// How to run the server.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// The address to listen on (`127.0.0.1:0` picks a free port).
    pub listen: String,
    /// The database URL (`sqlite://PATH` or `postgres://...`).
    pub database: String,
    /// In-process workers (0: runs wait for `caisson worker` processes).
    pub workers: usize,
    /// The job lease.
    pub lease: Duration,
    /// How long a handler may take.
    pub handler_timeout: Duration,
    /// The ledger's signing key file (created with a new key when missing).
    pub ledger_key: PathBuf,
    /// Sessions and the rate limits on authentication.
    pub auth: AuthConfig,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            listen: "127.0.0.1:8080".into(),
            database: "sqlite://caisson.db".into(),
            workers: 2,
            lease: Duration::from_secs(30),
            handler_timeout: Duration::from_secs(60),
            ledger_key: PathBuf::from(crate::cli::DEFAULT_LEDGER_KEY),
            auth: AuthConfig::default(),
        }
    }
}

/// A running server.
#[derive(Debug)]
pub struct Running {
    /// The URL it serves (`http://ADDR`).
    pub url: String,
    /// The address it listens on.
    pub addr: SocketAddr,
    /// Its database.
    pub db: Db,
    shutdown: watch::Sender<bool>,
    server: JoinHandle<std::io::Result<()>>,
    workers: Vec<JoinHandle<()>>,
}

/// Opens (creating or migrating) the database, binds the address and
/// starts serving and the in-process workers.
pub async fn start(config: &ServeConfig) -> anyhow::Result<Running> {
    let ledger_key = Arc::new(crate::ledger::load_key(&config.ledger_key)?);
    let db = Db::open(&config.database).await?;
    crate::ledger::ensure_genesis(&db, &ledger_key)
        .await
        .map_err(|e| anyhow::anyhow!("signing the empty ledger's checkpoint: {e:?}"))?;
    let listener = tokio::net::TcpListener::bind(&config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("listening on {}: {e}", config.listen))?;
    let addr = listener.local_addr()?;
    let wake = Arc::new(Notify::new());
    let state = AppState {
        db: db.clone(),
        wake: Arc::clone(&wake),
        handler_timeout: config.handler_timeout,
        ledger_key,
        auth: AuthState::new(&config.auth),
    };
    let (shutdown, receiver) = watch::channel(false);
    let mut server_shutdown = receiver.clone();
    let app = crate::api::router(state);
    let server = tokio::spawn(async move {
        // The peer's address is what the rate limits count by.
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = server_shutdown.wait_for(|stop| *stop).await;
        })
        .await
    });
    let workers = (0..config.workers)
        .map(|_| {
            tokio::spawn(jobs::worker(
                db.clone(),
                WorkerConfig::new(config.lease),
                receiver.clone(),
                Arc::clone(&wake),
            ))
        })
        .collect();
    Ok(Running {
        url: format!("http://{addr}"),
        addr,
        db,
        shutdown,
        server,
        workers,
    })
}

impl Running {
    /// Stops accepting requests, lets those in flight finish, and gives
    /// the runs the in-process workers hold back to the queue.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(true);
        for worker in self.workers {
            worker.await?;
        }
        self.server.await??;
        self.db.pool.close().await;
        Ok(())
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(terminate) => terminate,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
