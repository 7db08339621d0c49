//! The ledger's storage (spec section 5): entries in `ledger_entries`, one
//! signed checkpoint per tree size in `ledger_checkpoints`, appends
//! serialised through the one-row `ledger_head`.
//!
//! Appending takes the head's lock first ([`Head::lock`]: the write
//! transaction's lock on SQLite, `SELECT ... FOR UPDATE` on PostgreSQL), so
//! two servers sharing a database never assign one index twice, indices run
//! without gaps, and `time` never decreases (the later of now and the last
//! entry's time). The entry, its checkpoint and the new head commit in the
//! caller's transaction: a crash leaves either all of them or none.
//!
//! The entry formats, leaf bytes, tree and signatures are
//! `caisson-ledger`'s; this module only stores and loads them.

use std::collections::{BTreeSet, HashMap};
use std::sync::{LazyLock, Mutex};

use caisson_ledger::checkpoint::load_or_create_key_file;
use caisson_ledger::merkle::Frontier;
use caisson_ledger::{
    Checkpoint, Content, FullEntry, Hash, Kind, Leaf, LedgerKey, PublicEntry, Timestamp,
};
use serde_json::Value;
use sqlx::{AnyConnection, FromRow};

use crate::db::{now_ms, Db};
use crate::error::{ApiError, ApiResult};

/// A stored entry.
#[derive(Debug, Clone, FromRow)]
pub struct EntryRow {
    /// Its index.
    pub idx: i64,
    /// Its time as in the leaf.
    pub time: String,
    /// The same in milliseconds since the epoch.
    pub time_ms: i64,
    /// Its kind.
    pub kind: String,
    /// The recording organisation.
    pub organisation: String,
    /// The recording user's name.
    pub user_name: String,
    /// Its round.
    pub round: Option<String>,
    /// The content's JSON text as it entered the leaf.
    pub content: String,
    /// The salt (hex).
    pub salt: String,
    /// The leaf hash (hex).
    pub leaf_hash: String,
    /// The round's document versions it was checked against (JSON).
    pub checked_versions: Option<String>,
    /// The organisations that read its full form (JSON list).
    pub readers: String,
}

/// The columns of [`EntryRow`].
pub const ENTRY_COLUMNS: &str = "idx, time, time_ms, kind, organisation, user_name, round, \
    content, salt, leaf_hash, checked_versions, readers";

fn stored<T>(what: &str, result: Result<T, impl std::fmt::Display>) -> ApiResult<T> {
    result.map_err(|e| ApiError::Internal(anyhow::anyhow!("stored ledger {what}: {e}")))
}

impl EntryRow {
    /// The entry's index.
    pub fn index(&self) -> ApiResult<u64> {
        stored("index", u64::try_from(self.idx))
    }

    /// The organisations that read the full form.
    pub fn readers(&self) -> ApiResult<BTreeSet<String>> {
        stored("readers", serde_json::from_str(&self.readers))
    }

    /// Whether `organisation` (none: an anonymous caller) reads the full form.
    pub fn readable_by(&self, organisation: Option<&str>) -> ApiResult<bool> {
        match organisation {
            Some(org) => Ok(self.readers()?.contains(org)),
            None => Ok(false),
        }
    }

    /// The content as stored.
    pub fn content_value(&self) -> ApiResult<Value> {
        stored("content", serde_json::from_str(&self.content))
    }

    /// The kind.
    pub fn kind(&self) -> ApiResult<Kind> {
        Kind::parse(&self.kind).ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("stored ledger kind `{}`", self.kind))
        })
    }

    /// The content, typed (for custody replay).
    pub fn content(&self) -> ApiResult<Content> {
        stored(
            "content",
            Content::parse(
                self.kind()?,
                &self.content_value()?,
                caisson_ledger::Stage::Stored,
            ),
        )
    }

    /// The full form.
    pub fn full(&self) -> ApiResult<FullEntry> {
        Ok(FullEntry {
            index: self.index()?,
            time: stored("time", Timestamp::parse(&self.time))?,
            kind: self.kind()?,
            organisation: self.organisation.clone(),
            user: self.user_name.clone(),
            round: self.round.clone(),
            content: self.content_value()?,
            salt: self.salt.clone(),
            leaf_hash: stored("leaf hash", Hash::from_hex(&self.leaf_hash))?,
        })
    }

    /// The public form `{"index", "time", "leaf_hash"}`.
    pub fn public(&self) -> ApiResult<PublicEntry> {
        Ok(PublicEntry {
            index: self.index()?,
            time: stored("time", Timestamp::parse(&self.time))?,
            leaf_hash: stored("leaf hash", Hash::from_hex(&self.leaf_hash))?,
        })
    }

    /// The form `organisation` may read, as JSON.
    pub fn form_for(&self, organisation: Option<&str>) -> ApiResult<Value> {
        let value = if self.readable_by(organisation)? {
            serde_json::to_value(self.full()?)
        } else {
            serde_json::to_value(self.public()?)
        };
        value.map_err(|e| ApiError::Internal(e.into()))
    }
}

/// An entry to append.
#[derive(Debug)]
pub struct NewEntry<'a> {
    /// The content in its stored form (server-assigned ids filled in).
    pub content: &'a Content,
    /// The recording organisation.
    pub organisation: &'a str,
    /// The recording user's name.
    pub user: &'a str,
    /// The round.
    pub round: Option<&'a str>,
    /// The versions the entry was checked against.
    pub checked_versions: Option<Value>,
    /// Who reads the full form (parties, coordinator, recorder).
    pub readers: BTreeSet<String>,
}

/// The ledger's head, locked for an append until the transaction ends.
#[derive(Debug, Clone, Copy, FromRow)]
pub struct Head {
    /// Entries so far.
    pub size: i64,
    /// The last entry's time (ms).
    pub time_ms: i64,
}

impl Head {
    /// Locks the head for the rest of the transaction (begun with
    /// [`Db::begin_write`]) and reads it.
    pub async fn lock(conn: &mut AnyConnection, db: &Db) -> ApiResult<Head> {
        Ok(sqlx::query_as(&format!(
            "SELECT size, time_ms FROM ledger_head WHERE id = 1{}",
            db.for_update()
        ))
        .fetch_one(&mut *conn)
        .await?)
    }

    /// Appends an entry at the next index with its checkpoint; the head
    /// moves on. Commit the transaction to make it count.
    pub async fn append(
        &mut self,
        conn: &mut AnyConnection,
        key: &LedgerKey,
        entry: NewEntry<'_>,
    ) -> ApiResult<FullEntry> {
        let index = u64::try_from(self.size).map_err(|e| ApiError::Internal(e.into()))?;
        let time_ms = now_ms().max(self.time_ms);
        let time = Timestamp::from_unix_millis(u64::try_from(time_ms).unwrap_or(0))
            .map_err(|e| ApiError::Internal(e.into()))?;
        let leaf = Leaf::new(
            entry.content,
            entry.organisation,
            entry.user,
            entry.round,
            time.clone(),
        )
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("random source: {e}")))?;
        let full = FullEntry::new(index, &leaf).map_err(|e| ApiError::Internal(e.into()))?;
        let content = serde_json::to_string(&leaf.content).map_err(anyhow::Error::from)?;
        let readers = serde_json::to_string(&entry.readers).map_err(anyhow::Error::from)?;
        let checked = entry
            .checked_versions
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(anyhow::Error::from)?;
        sqlx::query(&format!(
            "INSERT INTO ledger_entries ({ENTRY_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        ))
        .bind(self.size)
        .bind(time.as_str())
        .bind(time_ms)
        .bind(full.kind.as_str())
        .bind(entry.organisation)
        .bind(entry.user)
        .bind(entry.round)
        .bind(content)
        .bind(&full.salt)
        .bind(full.leaf_hash.to_hex())
        .bind(checked)
        .bind(readers)
        .execute(&mut *conn)
        .await?;
        let size = self.size + 1;
        let mut frontier = frontier_at(&mut *conn, key, self.size).await?;
        frontier.push(full.leaf_hash);
        let checkpoint = key.checkpoint(index + 1, frontier.root(), time);
        // Kept before the commit: if the transaction rolls back, the next
        // append finds the cached tree unlike the stored one and rebuilds.
        cache_frontier(key, frontier);
        insert_checkpoint(&mut *conn, &checkpoint, false).await?;
        sqlx::query("UPDATE ledger_head SET size = $1, time_ms = $2 WHERE id = 1")
            .bind(size)
            .bind(time_ms)
            .execute(&mut *conn)
            .await?;
        self.size = size;
        self.time_ms = time_ms;
        Ok(full)
    }
}

/// The tree's frontier per server process (keyed by the address of the
/// server's signing key, which lives as long as the server), so that an
/// append hashes O(log n) nodes and reads only the leaves appended since,
/// by this server or another sharing the database.
static FRONTIERS: LazyLock<Mutex<HashMap<usize, Frontier>>> = LazyLock::new(Mutex::default);

fn frontier_key(key: &LedgerKey) -> usize {
    std::ptr::from_ref(key) as usize
}

fn cache_frontier(key: &LedgerKey, frontier: Frontier) {
    if let Ok(mut cache) = FRONTIERS.lock() {
        cache.insert(frontier_key(key), frontier);
    }
}

/// The frontier of the stored tree of `size` leaves (the head is locked):
/// the cached one when its root is the stored checkpoint's root for its
/// size (equal roots mean equal leaves), caught up with the leaves stored
/// since; otherwise rebuilt from every leaf.
async fn frontier_at(conn: &mut AnyConnection, key: &LedgerKey, size: i64) -> ApiResult<Frontier> {
    let cached = FRONTIERS
        .lock()
        .ok()
        .and_then(|cache| cache.get(&frontier_key(key)).cloned());
    if let Some(mut frontier) = cached {
        let cached_size = i64::try_from(frontier.size()).unwrap_or(i64::MAX);
        if cached_size <= size {
            let stored: Option<(String,)> =
                sqlx::query_as("SELECT root_hash FROM ledger_checkpoints WHERE size = $1")
                    .bind(cached_size)
                    .fetch_optional(&mut *conn)
                    .await?;
            if stored.is_some_and(|(root,)| root == frontier.root().to_hex()) {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "SELECT leaf_hash FROM ledger_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx",
                )
                .bind(cached_size)
                .bind(size)
                .fetch_all(&mut *conn)
                .await?;
                if i64::try_from(rows.len()).ok() == Some(size - cached_size) {
                    for (hex,) in rows {
                        frontier.push(stored_hash(&hex)?);
                    }
                    return Ok(frontier);
                }
            }
        }
    }
    Ok(Frontier::from_leaves(&leaf_hashes(&mut *conn, size).await?))
}

fn stored_hash(hex: &str) -> ApiResult<Hash> {
    stored("leaf hash", Hash::from_hex(hex))
}

async fn insert_checkpoint(
    conn: &mut AnyConnection,
    checkpoint: &Checkpoint,
    if_missing: bool,
) -> ApiResult<()> {
    let size = i64::try_from(checkpoint.size).map_err(|e| ApiError::Internal(e.into()))?;
    let conflict = if if_missing {
        " ON CONFLICT (size) DO NOTHING"
    } else {
        ""
    };
    sqlx::query(&format!(
        "INSERT INTO ledger_checkpoints (size, root_hash, time, key, signature) \
         VALUES ($1, $2, $3, $4, $5){conflict}"
    ))
    .bind(size)
    .bind(checkpoint.root_hash.to_hex())
    .bind(checkpoint.time.as_str())
    .bind(&checkpoint.key)
    .bind(&checkpoint.signature)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Signs and stores the checkpoint of the empty tree when there is none,
/// so that every tree size, 0 included, has one.
pub async fn ensure_genesis(db: &Db, key: &LedgerKey) -> ApiResult<()> {
    let time = Timestamp::from_unix_millis(u64::try_from(now_ms()).unwrap_or(0))
        .map_err(|e| ApiError::Internal(e.into()))?;
    let checkpoint = key.checkpoint(0, Hash::empty(), time);
    let mut conn = db.pool.acquire().await?;
    insert_checkpoint(&mut conn, &checkpoint, true).await
}

/// Loads the signing key file, creating it when missing.
pub fn load_key(path: &std::path::Path) -> anyhow::Result<LedgerKey> {
    load_or_create_key_file(path)
        .map_err(|e| anyhow::anyhow!("ledger key file {}: {e}", path.display()))
}

/// The leaf hashes of the first `size` entries, in index order.
pub async fn leaf_hashes(conn: &mut AnyConnection, size: i64) -> ApiResult<Vec<Hash>> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT leaf_hash FROM ledger_entries WHERE idx < $1 ORDER BY idx")
            .bind(size)
            .fetch_all(&mut *conn)
            .await?;
    let hashes = rows
        .iter()
        .map(|(hex,)| stored("leaf hash", Hash::from_hex(hex)))
        .collect::<ApiResult<Vec<_>>>()?;
    if i64::try_from(hashes.len()).ok() != Some(size) {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "the ledger has {} leaves below size {size}",
            hashes.len()
        )));
    }
    Ok(hashes)
}

/// The committed tree size (that of the latest checkpoint).
pub async fn tree_size(conn: &mut AnyConnection) -> ApiResult<u64> {
    let (size,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(size), 0) FROM ledger_checkpoints")
        .fetch_one(&mut *conn)
        .await?;
    stored("size", u64::try_from(size))
}

#[derive(Debug, FromRow)]
struct CheckpointRow {
    size: i64,
    root_hash: String,
    time: String,
    key: String,
    signature: String,
}

/// The checkpoint of tree size `size` (the latest when `None`).
pub async fn checkpoint(
    conn: &mut AnyConnection,
    size: Option<u64>,
) -> ApiResult<Option<Checkpoint>> {
    let row: Option<CheckpointRow> = match size {
        Some(size) => {
            let Ok(size) = i64::try_from(size) else {
                return Ok(None);
            };
            sqlx::query_as(
                "SELECT size, root_hash, time, key, signature FROM ledger_checkpoints WHERE size = $1",
            )
            .bind(size)
            .fetch_optional(&mut *conn)
            .await?
        }
        None => {
            sqlx::query_as(
                "SELECT size, root_hash, time, key, signature FROM ledger_checkpoints \
                 ORDER BY size DESC LIMIT 1",
            )
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    row.map(|row| {
        Ok(Checkpoint {
            size: stored("size", u64::try_from(row.size))?,
            root_hash: stored("root hash", Hash::from_hex(&row.root_hash))?,
            time: stored("time", Timestamp::parse(&row.time))?,
            key: row.key,
            signature: row.signature,
        })
    })
    .transpose()
}

/// One entry.
pub async fn entry(conn: &mut AnyConnection, index: u64) -> ApiResult<Option<EntryRow>> {
    let Ok(index) = i64::try_from(index) else {
        return Ok(None);
    };
    Ok(sqlx::query_as(&format!(
        "SELECT {ENTRY_COLUMNS} FROM ledger_entries WHERE idx = $1"
    ))
    .bind(index)
    .fetch_optional(&mut *conn)
    .await?)
}

/// The first `size` entries, in index order.
pub async fn entries(conn: &mut AnyConnection, size: u64) -> ApiResult<Vec<EntryRow>> {
    let size = i64::try_from(size).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(sqlx::query_as(&format!(
        "SELECT {ENTRY_COLUMNS} FROM ledger_entries WHERE idx < $1 ORDER BY idx"
    ))
    .bind(size)
    .fetch_all(&mut *conn)
    .await?)
}

/// The entries of a round, in index order.
pub async fn round_entries(conn: &mut AnyConnection, round: &str) -> ApiResult<Vec<EntryRow>> {
    round_entries_after(conn, round, -1).await
}

/// The entries of a round after index `after`, in index order.
pub async fn round_entries_after(
    conn: &mut AnyConnection,
    round: &str,
    after: i64,
) -> ApiResult<Vec<EntryRow>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {ENTRY_COLUMNS} FROM ledger_entries WHERE round = $1 AND idx > $2 ORDER BY idx"
    ))
    .bind(round)
    .bind(after)
    .fetch_all(&mut *conn)
    .await?)
}
