//! End-to-end tests of the platform server: the real server on a random
//! loopback port with a fresh database (an SQLite file, or a new
//! PostgreSQL database per test when `CAISSON_TEST_POSTGRES_URL` is set),
//! driven over HTTP by clients of each party. Every test runs on both
//! databases (`sqlite` and `postgres` variants).

/// `TestApp`, parties, the small round every test uses, backends.
mod support;

/// The attack suite: every endpoint x every id x every party's token, no
/// leak of another party's data; hidden answers as missing; hostile input.
mod attack;
/// Tokens: missing, unknown and revoked ones; who am I; health.
mod auth;
/// The web application walked in headless Chromium by the example's parties;
/// the example endpoints a coordinator starts a round from.
mod browser;
/// The compliance explorer (matrix and per-pair trace per member) and the
/// HTML reports of analysis runs.
mod compliance;
/// Contracts between parties: proposed, signed, declined, withdrawn.
mod contracts;
/// The European example contributed party by party plans as the one file.
mod europe;
/// Processes killed with SIGKILL: a worker mid-run, the server mid-burst.
mod faults;
/// Mutated and random fragments against the contribution endpoint.
mod fuzz;
/// The ledger: recording with custody and compliance (the seed's case, on
/// a small round and on the European example), entries in each caller's
/// form, proofs, tampering, a server killed mid-burst, two servers,
/// concurrent clients never exceeding a lot, traces and ATT reports per
/// viewer.
mod ledger;
/// Removing a member: refused with signed contracts, hidden as missing,
/// its part no longer assembled but kept.
mod members;
/// The OpenAPI document against the router.
mod openapi;
/// Rounds, members, contributions: the happy path and every bad input.
mod rounds;
/// Runs as jobs: a plan end to end, cancel, publish, the published view.
mod runs;
/// Browser sessions, CSRF, rate limits on authentication, organisation
/// administration (users, tokens, passwords) over HTTP.
mod sessions;
/// A contribution as an xlsx workbook: download, upload, located
/// diagnostics, who may do what.
mod workbooks;
