//! The transparency ledger of the Caisson platform (platform spec section
//! 5), as a pure library: entry formats, canonical leaf bytes, the RFC 9162
//! Merkle tree with its proofs, signed checkpoints, the chain-of-custody
//! rules, and offline verification of an export.
//!
//! Nothing here knows HTTP or a database: the server stores entries and
//! serves the endpoints, backing [`merkle::LeafStore`] with its tables and
//! keeping a [`custody::State`] up to date; verifiers (`caisson ledger
//! verify`, `scripts/verify-ledger.py`) need only an export and the pinned
//! public key.
//!
//! Recording an entry, as the server does it (appends serialised):
//! 1. [`Content::parse`] the request body's `content` for its [`Kind`]
//!    ([`Stage::Request`]; refuse `contract.signed` from clients with
//!    [`Kind::recordable_by_clients`]);
//! 2. [`Content::assign_ids`] (the answer's `euc` / `lot`);
//! 3. [`custody::State::check`] against the round's assembled scenario with
//!    the caller's [`custody::Visibility`]: a [`custody::Refusal`] is a 422
//!    with its code and message;
//! 4. [`Leaf::new`] with a time no earlier than the previous entry's, store
//!    the [`FullEntry`] at the next index, sign a [`Checkpoint`] for the new
//!    size with [`LedgerKey::checkpoint`], commit;
//! 5. [`custody::State::apply`] the effects.
//!
//! ```
//! use caisson_ledger::merkle::{root, inclusion_proof, MemoryStore};
//! use caisson_ledger::Hash;
//! let mut store = MemoryStore::new();
//! for text in ["a", "b", "c"] {
//!     store.push(Hash::leaf(text.as_bytes()));
//! }
//! let head = root(&store, 3).unwrap();
//! inclusion_proof(&store, 1, 3).unwrap().verify(&head).unwrap();
//! ```

pub mod canonical;
mod hash;
pub mod merkle;

pub use hash::{from_hex_array, is_lower_hex, to_hex, Hash, HexError};
pub mod checkpoint;
pub mod custody;
pub mod entry;
pub mod export;
pub mod lots;
pub mod report;
mod time;

pub use checkpoint::{Checkpoint, LedgerKey, PublicKey};
pub use entry::{Content, FullEntry, Kind, Leaf, PublicEntry, Stage};
pub use export::{verify_against_state, verify_export, Summary, VerifierState, VerifyFailure};
pub use time::{Date, TimeError, Timestamp};
