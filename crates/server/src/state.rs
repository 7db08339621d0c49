//! What every handler shares.

use std::sync::Arc;
use std::time::Duration;

use caisson_ledger::LedgerKey;
use tokio::sync::Notify;

use crate::auth::AuthState;
use crate::db::Db;

/// The state of a running server.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Wakes the in-process workers when a run is queued.
    pub wake: Arc<Notify>,
    /// How long a handler may take before it answers 503 `timeout`.
    pub handler_timeout: Duration,
    /// The key that signs the ledger's checkpoints (from the key file).
    pub ledger_key: Arc<LedgerKey>,
    /// Sessions and the rate limits on authentication.
    pub auth: Arc<AuthState>,
}
