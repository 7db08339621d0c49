//! Caisson's shared platform server (docs/spec/platform.md sections 1, 2,
//! 4, 6 and 7): `caisson serve` (axum on tokio), its storage (sqlx over an
//! embedded SQLite file or PostgreSQL, one migrations folder each), the
//! administration commands, the HTTP API with its OpenAPI document, and
//! runs executed as leased jobs by in-process or separate workers.
//!
//! Domain rules (organisation kinds, fragments, ids `O:X`, member rules,
//! assembly) come from `caisson-platform`; this crate stores, serves and
//! schedules. Access decisions live in [`access`] only; errors at the HTTP
//! edge in [`error`] only.

pub mod access;
mod api;
pub mod auth;
pub mod body;
pub mod cli;
pub mod db;
pub mod documents;
pub mod error;
pub mod example;
pub mod jobs;
pub mod ledger;
pub mod publication;
pub mod ratelimit;
pub mod runs;
pub mod serve;
pub mod session;
pub mod state;
pub mod store;

pub use api::{openapi, router};
