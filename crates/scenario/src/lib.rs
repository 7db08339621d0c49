//! Scenario files of the Caisson planning model: loading, validation,
//! diagnostics and writing.
//!
//! A scenario is written in TOML (or the same structure in JSON) as fixed
//! by the planning model spec. [`load_path`] and [`load_str`] read it,
//! follow its `extends` chain, check every rule of the spec in one pass and
//! give a validated [`caisson_model::Scenario`], or a [`LoadError`] holding
//! every diagnostic with its file, line, entity and hint. [`to_toml`] writes
//! a scenario back.
//!
//! ```
//! let loaded = caisson_scenario::load_str(
//!     r#"
//! [scenario]
//! name = "tiny"
//! start = "2026-01"
//! periods = 3
//!
//! [[actor]]
//! id = "DEU"
//!
//! [[product]]
//! id = "shell"
//!
//! [[demand]]
//! id = "d"
//! buyer = "DEU"
//! product = "shell"
//! quantity = { "2026-02" = 10 }
//! penalty = 100
//! "#,
//!     "tiny.toml",
//! )
//! .expect("valid scenario");
//! assert_eq!(loaded.scenario.demands[0].quantity, vec![0.0, 10.0, 10.0]);
//!
//! let error = caisson_scenario::load_str("[scenario]\nnme = \"x\"\n", "bad.toml").unwrap_err();
//! assert!(error.to_string().contains("did you mean `name`?"));
//! ```
//!
//! File-format types with spans stay private to this crate; the model
//! crate knows nothing of files or serde.

mod diagnostic;
mod json;
mod load;
mod merge;
mod raw;
mod read;
mod render;
mod source;
mod tree;
mod validate;
mod write;

use std::path::{Path, PathBuf};

use caisson_model::Scenario;

pub use diagnostic::{Code, Diagnostic, Severity};
pub use render::render;
pub use write::{contract_toml, to_toml, toml_string};

/// The largest `periods` accepted: far beyond any planning horizon, and a
/// guard against a typo allocating gigabytes of per-period values.
pub const MAX_PERIODS: u32 = 100_000;

/// The syntax of a scenario file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// TOML (the usual form).
    Toml,
    /// The same structure in JSON.
    Json,
}

impl Format {
    /// JSON for a `.json` extension (any case), TOML otherwise.
    pub fn from_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("json") => Format::Json,
            _ => Format::Toml,
        }
    }
}

/// A successfully loaded and validated scenario.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The validated scenario.
    pub scenario: Scenario,
    /// Warnings (the scenario is valid despite them).
    pub warnings: Vec<Diagnostic>,
    /// Display names of every file read: the requested one first, then its
    /// `extends` bases in order.
    pub files: Vec<String>,
}

/// A scenario that failed to load or validate.
///
/// Holds every diagnostic found (errors and warnings), each already
/// carrying its source line, so it renders without the files.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", render(&self.diagnostics))]
pub struct LoadError {
    diagnostics: Vec<Diagnostic>,
}

impl LoadError {
    /// All diagnostics, errors and warnings, in file and line order.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }

    /// The diagnostics as text (the same as `to_string()`).
    pub fn render(&self) -> String {
        render(&self.diagnostics)
    }
}

/// Loads and validates the scenario file at `path` (`.json` is read as
/// JSON, anything else as TOML), following its `extends` chain.
pub fn load_path(path: &Path) -> Result<Loaded, LoadError> {
    let mut load = load::Load::default();
    let raw = load.path(path);
    finish(load, raw)
}

/// Loads and validates TOML text; `name` is the path shown in diagnostics.
/// An `extends` path is resolved relative to the current directory.
pub fn load_str(source: &str, name: &str) -> Result<Loaded, LoadError> {
    load_source(source, name, Format::Toml)
}

/// Loads and validates text of the given format; `name` is the path shown
/// in diagnostics. An `extends` path is resolved relative to the current
/// directory.
pub fn load_source(source: &str, name: &str, format: Format) -> Result<Loaded, LoadError> {
    let mut load = load::Load::default();
    let mut chain: Vec<PathBuf> = Vec::new();
    let raw = load.text(source.to_owned(), name, format, Path::new(""), &mut chain);
    finish(load, raw)
}

fn finish(mut load: load::Load, raw: Option<raw::RawScenario>) -> Result<Loaded, LoadError> {
    let scenario = match raw {
        Some(raw) if !load.broken => Some(validate::build(&raw, &mut load.problems)),
        _ => None,
    };
    // Problems are shown in file order (the requested file first, then its
    // bases), and by position within a file.
    let mut problems = load.problems;
    problems.sort_by_key(|p| p.at.map(|at| (at.file.0, at.span.start)));
    let diagnostics: Vec<Diagnostic> = problems.iter().map(|p| p.resolve(&load.sources)).collect();
    match scenario {
        Some(scenario) if !diagnostics.iter().any(Diagnostic::is_error) => Ok(Loaded {
            scenario,
            warnings: diagnostics,
            files: load.files,
        }),
        _ => Err(LoadError { diagnostics }),
    }
}
