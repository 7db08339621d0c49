//! End-to-end tests of the `caisson` binary: one test binary, one module per
//! subject, shared helpers in [`support`]. Fixtures live in
//! `crates/cli/tests/fixtures/` (or come from the repository's public
//! `docs/spec/example.toml` and `examples/`), never from another crate's
//! test folders.

/// Shared helpers: the `caisson` command, fixture paths, temp dirs, output.
mod support;

/// `compare` and `risk`: outputs, exit codes, solver-limit checks.
mod analysis;
/// `bench`: the shape of the measurements, never how fast anything is.
mod bench;
/// `breakeven`: the deal-or-ramp-up document, CSV, HTML, determinism, errors.
mod breakeven;
/// `demo`: the main job's outputs, its base plan checked and re-planned.
mod demo;
/// `explain`: shipment, transfer and matrix verdicts of the spec example.
mod explain;
/// `generate`: seeded scenarios that validate, TOML and JSON alike.
mod generate;
/// `ledger key` and `ledger verify --log`: signed exports, tampering.
mod ledger;
/// `plan`: the plan document, CSV, summary, explanations, greedy, aggregate.
mod plan;
/// `recommend`: recommended contracts are honoured and cost nothing.
mod recommend;
/// `recommend --samples`: the two-stage portfolio, its figures and variant.
mod recommend_saa;
/// `report`: the HTML page from plans, scenarios and analysis sections.
mod report;
/// `report` in headless Chromium (tests/browser/report.test.mjs).
mod report_browser;
/// `sensitivity`: the ranked tornado, the difference measure, plans ignore
/// assumptions.
mod sensitivity;
/// `export` and `import`: scenario and plan sheets, round trips, errors.
mod sheets;
/// The reporter: stdout/stderr split, closed pipes, exit codes, help.
mod shell;
/// `simulate`: determinism, zero uncertainty, report input, bad entries.
mod simulate;
/// `validate`: summaries, diagnostics, JSON, exit codes.
mod validate;
/// `verify`: a clean plan passes; each kind of tampering is found by record.
mod verify;
/// Time-windowed policies and routes, political switches: every command
/// that shows or checks them, on a hand-solved scenario.
mod windows;
