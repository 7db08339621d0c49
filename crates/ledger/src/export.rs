//! The export format (section 5) and its offline verification.
//!
//! An export is JSON lines: one entry per line in index order, each in its
//! full or public form as the caller may read it, then the latest signed
//! checkpoint on the last line. [`verify_export`] checks it with nothing but
//! the pinned public key; [`verify_against_state`] adds consistency with the
//! checkpoints and leaf hashes a verifier kept from earlier runs.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::checkpoint::{Checkpoint, LedgerKey, PublicKey};
use crate::entry::{Content, FullEntry, Leaf, LeafError, PublicEntry, Stage};
use crate::hash::Hash;
use crate::merkle::{self, MemoryStore};
use crate::time::Timestamp;

/// One entry line of an export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ExportEntry {
    /// The full form, for the entry's readers.
    Full(FullEntry),
    /// The public form `{"index", "time", "leaf_hash"}`.
    Public(PublicEntry),
}

impl ExportEntry {
    /// The entry's index.
    pub fn index(&self) -> u64 {
        match self {
            ExportEntry::Full(e) => e.index,
            ExportEntry::Public(e) => e.index,
        }
    }

    /// The entry's time.
    pub fn time(&self) -> &Timestamp {
        match self {
            ExportEntry::Full(e) => &e.time,
            ExportEntry::Public(e) => &e.time,
        }
    }

    /// The leaf hash the entry claims.
    pub fn leaf_hash(&self) -> Hash {
        match self {
            ExportEntry::Full(e) => e.leaf_hash,
            ExportEntry::Public(e) => e.leaf_hash,
        }
    }
}

/// Writes an export: entry lines, then the checkpoint line.
pub fn write_export<'a>(
    entries: impl IntoIterator<Item = &'a ExportEntry>,
    checkpoint: &Checkpoint,
) -> String {
    let mut text = String::new();
    for entry in entries {
        // Entries and checkpoints hold only strings, integers and JSON values
        // that came from JSON: they always serialise.
        text.push_str(&serde_json::to_string(entry).unwrap_or_default());
        text.push('\n');
    }
    text.push_str(&serde_json::to_string(checkpoint).unwrap_or_default());
    text.push('\n');
    text
}

/// Where and why verification failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {why}", match index { Some(i) => format!("index {i}"), None => "checkpoint".to_owned() })]
pub struct VerifyFailure {
    /// The first entry index that fails; `None` when the checkpoint itself
    /// (its signature or its line) fails.
    pub index: Option<u64>,
    /// What is wrong.
    pub why: String,
}

fn fail<T>(index: Option<u64>, why: impl Into<String>) -> Result<T, VerifyFailure> {
    Err(VerifyFailure {
        index,
        why: why.into(),
    })
}

/// What a verified export holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Number of entries (the checkpoint's size).
    pub size: u64,
    /// Entries in full form, whose content was checked against its leaf.
    pub full_entries: u64,
    /// Entries in public form.
    pub public_entries: u64,
    /// The verified checkpoint.
    pub checkpoint: Checkpoint,
    /// Every leaf hash, in index order.
    pub leaf_hashes: Vec<Hash>,
}

/// Verifies an export with only the `pinned` public key: every line parses,
/// indices run 0, 1, ... without gaps, times never decrease, full entries'
/// content matches their leaf hash (and has its kind's shape), the
/// checkpoint is signed by the pinned key, covers every entry and its root
/// is the root of the leaf hashes.
pub fn verify_export(text: &str, pinned: &PublicKey) -> Result<Summary, VerifyFailure> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let Some((last, entry_lines)) = lines.split_last() else {
        return fail(None, "the export is empty: no checkpoint line");
    };
    let checkpoint: Checkpoint = serde_json::from_str(last).map_err(|e| VerifyFailure {
        index: None,
        why: format!("the last line is not a checkpoint: {e}"),
    })?;
    checkpoint.verify(pinned).map_err(|e| VerifyFailure {
        index: None,
        why: e.to_string(),
    })?;
    let mut leaves = Vec::with_capacity(entry_lines.len());
    let mut full_entries = 0;
    let mut previous: Option<Timestamp> = None;
    for (position, line) in entry_lines.iter().enumerate() {
        let expected = position as u64;
        let value: Value = serde_json::from_str(line).map_err(|e| VerifyFailure {
            index: Some(expected),
            why: format!("line {} is not JSON: {e}", position + 1),
        })?;
        let entry = parse_entry(&value).map_err(|why| VerifyFailure {
            index: Some(expected),
            why,
        })?;
        if entry.index() != expected {
            return fail(
                Some(expected),
                format!(
                    "expected index {expected}, found {} (an entry is missing or out of order)",
                    entry.index()
                ),
            );
        }
        if let Some(before) = &previous {
            if entry.time() < before {
                return fail(
                    Some(expected),
                    format!(
                        "time {} is before the previous entry's {before}",
                        entry.time()
                    ),
                );
            }
        }
        previous = Some(entry.time().clone());
        if let ExportEntry::Full(full) = &entry {
            check_full_entry(full).map_err(|why| VerifyFailure {
                index: Some(expected),
                why,
            })?;
            full_entries += 1;
        }
        leaves.push(entry.leaf_hash());
    }
    let size = leaves.len() as u64;
    if checkpoint.size != size {
        return fail(
            Some(size.min(checkpoint.size)),
            format!(
                "the checkpoint covers {} entries, the export has {size}",
                checkpoint.size
            ),
        );
    }
    let root = merkle::root_of(&leaves);
    if root != checkpoint.root_hash {
        return fail(
            None,
            format!(
                "the root of the exported leaf hashes {root} is not the checkpoint's {}",
                checkpoint.root_hash
            ),
        );
    }
    if let Some(last_time) = &previous {
        if checkpoint.time < *last_time {
            return fail(None, "the checkpoint is older than the last entry");
        }
    }
    Ok(Summary {
        size,
        full_entries,
        public_entries: size - full_entries,
        checkpoint,
        leaf_hashes: leaves,
    })
}

/// Reads an entry line as the full form when it has a `content` key, the
/// public form otherwise (so that a malformed full entry is not silently
/// read as public).
fn parse_entry(value: &Value) -> Result<ExportEntry, String> {
    if value.get("content").is_some() {
        serde_json::from_value(value.clone())
            .map(ExportEntry::Full)
            .map_err(|e| format!("not a full-form entry: {e}"))
    } else {
        serde_json::from_value(value.clone())
            .map(ExportEntry::Public)
            .map_err(|e| format!("not a public-form entry: {e}"))
    }
}

fn check_full_entry(full: &FullEntry) -> Result<(), String> {
    let computed = full.leaf().hash().map_err(|e: LeafError| e.to_string())?;
    if computed != full.leaf_hash {
        return Err(format!(
            "the content does not match the leaf: recomputed leaf hash {computed}, stated {}",
            full.leaf_hash
        ));
    }
    Content::parse(full.kind, &full.content, Stage::Stored)
        .map_err(|e| format!("the content does not have its kind's shape: {e}"))?;
    Ok(())
}

/// The format of a verifier's state file.
pub const STATE_FORMAT: &str = "caisson-ledger-state/1";

/// What a verifier keeps between runs: the pinned key, every checkpoint it
/// verified, and the leaf hashes of the largest tree it saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifierState {
    /// Always [`STATE_FORMAT`].
    pub format: String,
    /// The pinned public key the checkpoints were verified with.
    pub key: String,
    /// Checkpoints verified before, by increasing size.
    pub checkpoints: Vec<Checkpoint>,
    /// Leaf hashes of the largest tree verified, in index order.
    pub leaf_hashes: Vec<Hash>,
}

impl VerifierState {
    /// An empty state for `key`.
    pub fn new(key: &PublicKey) -> Self {
        Self {
            format: STATE_FORMAT.into(),
            key: key.to_hex(),
            checkpoints: Vec::new(),
            leaf_hashes: Vec::new(),
        }
    }
}

/// A state file that cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateFileError {
    /// Reading or writing failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Not a state file.
    #[error("{path} is not a ledger state file: {why}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
}

/// Reads a state file; a missing file is an empty state for `key`.
pub fn read_state(path: &Path, key: &PublicKey) -> Result<VerifierState, StateFileError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(VerifierState::new(key)),
        Err(source) => {
            return Err(StateFileError::Io {
                action: "reading",
                path: path.to_owned(),
                source,
            })
        }
    };
    let state: VerifierState = serde_json::from_str(&text).map_err(|e| StateFileError::Format {
        path: path.to_owned(),
        why: e.to_string(),
    })?;
    if state.format != STATE_FORMAT {
        return Err(StateFileError::Format {
            path: path.to_owned(),
            why: format!("format {:?}, expected {STATE_FORMAT:?}", state.format),
        });
    }
    Ok(state)
}

/// Writes a state file (through a temporary file, so a crash leaves the
/// old state or the new one, never half of one).
pub fn write_state(path: &Path, state: &VerifierState) -> Result<(), StateFileError> {
    let io = |action, source| StateFileError::Io {
        action,
        path: path.to_owned(),
        source,
    };
    let text = serde_json::to_string_pretty(state).map_err(|e| StateFileError::Format {
        path: path.to_owned(),
        why: e.to_string(),
    })?;
    let mut temp = path.as_os_str().to_owned();
    temp.push(".tmp");
    let temp = PathBuf::from(temp);
    std::fs::write(&temp, text + "\n").map_err(|e| io("writing", e))?;
    std::fs::rename(&temp, path).map_err(|e| io("writing", e))
}

/// Checks a verified export against the state kept from earlier runs, and
/// returns the state to keep next.
///
/// Every earlier checkpoint must be signed by the pinned key and be a
/// prefix of the new log: its size at most the new size and its root the
/// root of the new log's first `size` leaves. The failing index is the first
/// leaf that differs from the leaf hashes kept (a changed, deleted or moved
/// entry), or the new size when the log was truncated.
pub fn verify_against_state(
    summary: &Summary,
    state: &VerifierState,
    pinned: &PublicKey,
) -> Result<VerifierState, VerifyFailure> {
    if state.key != pinned.to_hex() {
        return fail(
            None,
            format!(
                "the state file was kept for key {}, not the pinned key",
                state.key
            ),
        );
    }
    let new = &summary.leaf_hashes;
    let first_difference = state
        .leaf_hashes
        .iter()
        .zip(new)
        .position(|(a, b)| a != b)
        .map(|i| i as u64);
    for old in &state.checkpoints {
        old.verify(pinned).map_err(|e| VerifyFailure {
            index: None,
            why: format!("a checkpoint kept in the state file fails: {e}"),
        })?;
        if old.size > summary.size {
            let index = first_difference.unwrap_or(summary.size);
            return fail(
                Some(index),
                format!(
                    "the log has {} entries, fewer than the {} of a checkpoint seen before",
                    summary.size, old.size
                ),
            );
        }
        let Ok(prefix) = usize::try_from(old.size) else {
            return fail(None, "a checkpoint kept in the state file is too large");
        };
        if merkle::root_of(&new[..prefix]) != old.root_hash {
            let index = first_difference
                .filter(|&i| i < old.size)
                .unwrap_or(old.size - 1);
            return fail(
                Some(index),
                format!(
                    "the log is not consistent with the checkpoint of size {} seen before (at {})",
                    old.size, old.time
                ),
            );
        }
    }
    let mut next = state.clone();
    if !next.checkpoints.contains(&summary.checkpoint) {
        next.checkpoints.push(summary.checkpoint.clone());
        next.checkpoints.sort_by_key(|c| c.size);
    }
    if new.len() >= next.leaf_hashes.len() {
        next.leaf_hashes = new.clone();
    }
    Ok(next)
}

/// The first entry position whose leaf hash differs from the one kept in
/// `state` (or that is missing from the export), reading the lines leniently
/// so that it can be compared even when the export fails other checks.
fn first_difference_from_state(text: &str, state: &VerifierState) -> Option<u64> {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let entries = lines.len().saturating_sub(1);
    state
        .leaf_hashes
        .iter()
        .enumerate()
        .find_map(|(position, kept)| {
            let stated = (position < entries)
                .then(|| serde_json::from_str::<Value>(lines[position]).ok())
                .flatten()
                .and_then(|v| {
                    v.get("leaf_hash")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .and_then(|h| Hash::from_hex(&h).ok());
            (stated.as_ref() != Some(kept)).then_some(position as u64)
        })
}

/// [`verify_export`] and then [`verify_against_state`], reporting the first
/// failing index of either: an entry that differs from the log kept in the
/// state is named even when the export fails a later check (a re-signed
/// forgery whose times go backwards after the entry it moved).
pub fn verify_with_state(
    text: &str,
    pinned: &PublicKey,
    state: &VerifierState,
) -> Result<(Summary, VerifierState), VerifyFailure> {
    match verify_export(text, pinned) {
        Ok(summary) => {
            let next = verify_against_state(&summary, state, pinned)?;
            Ok((summary, next))
        }
        Err(failure) => {
            let earlier = first_difference_from_state(text, state)
                .filter(|&d| failure.index.is_some_and(|i| d < i));
            match earlier {
                Some(index) => fail(
                    Some(index),
                    format!(
                        "the leaf hash differs from the one kept in the state file (and later: {failure})"
                    ),
                ),
                None => Err(failure),
            }
        }
    }
}

/// A ledger held in memory: the reference implementation of appending,
/// checkpointing and exporting, for tests and small tools. The server does
/// the same with its database.
#[derive(Debug)]
pub struct MemoryLedger {
    key: LedgerKey,
    entries: Vec<FullEntry>,
    store: MemoryStore,
    frontier: merkle::Frontier,
}

/// An entry that cannot be appended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppendError {
    /// The leaf cannot be hashed.
    #[error(transparent)]
    Leaf(#[from] LeafError),
    /// The entry's time is before the previous entry's.
    #[error("time {time} is before the previous entry's {previous}")]
    TimeGoesBack {
        /// The new entry's time.
        time: Timestamp,
        /// The previous entry's time.
        previous: Timestamp,
    },
}

impl MemoryLedger {
    /// An empty ledger signing with `key`.
    pub fn new(key: LedgerKey) -> Self {
        Self {
            key,
            entries: Vec::new(),
            store: MemoryStore::new(),
            frontier: merkle::Frontier::new(),
        }
    }

    /// Appends a leaf; returns its full entry.
    pub fn append(&mut self, leaf: &Leaf) -> Result<&FullEntry, AppendError> {
        if let Some(previous) = self.entries.last() {
            if leaf.time < previous.time {
                return Err(AppendError::TimeGoesBack {
                    time: leaf.time.clone(),
                    previous: previous.time.clone(),
                });
            }
        }
        let index = self.entries.len() as u64;
        let entry = FullEntry::new(index, leaf)?;
        self.store.push(entry.leaf_hash);
        self.frontier.push(entry.leaf_hash);
        self.entries.push(entry);
        Ok(&self.entries[self.entries.len() - 1])
    }

    /// The entries in index order.
    pub fn entries(&self) -> &[FullEntry] {
        &self.entries
    }

    /// The leaf store.
    pub fn store(&self) -> &MemoryStore {
        &self.store
    }

    /// The signing key.
    pub fn key(&self) -> &LedgerKey {
        &self.key
    }

    /// The signed checkpoint of the current tree at `time`.
    pub fn checkpoint(&self, time: Timestamp) -> Checkpoint {
        self.key
            .checkpoint(self.frontier.size(), self.frontier.root(), time)
    }

    /// The export, each entry in full form when `full(entry)` holds and in
    /// public form otherwise, with a checkpoint at `time`.
    pub fn export(&self, full: impl Fn(&FullEntry) -> bool, time: Timestamp) -> String {
        let lines: Vec<ExportEntry> = self
            .entries
            .iter()
            .map(|e| {
                if full(e) {
                    ExportEntry::Full(e.clone())
                } else {
                    ExportEntry::Public(e.public())
                }
            })
            .collect();
        write_export(&lines, &self.checkpoint(time))
    }
}
