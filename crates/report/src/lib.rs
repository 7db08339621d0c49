//! Plan output of Caisson: the `caisson-plan/1` JSON document of spec
//! section 6 and a CSV export (one file per record array).
//!
//! The document itself, its row types and its reading back live in
//! `caisson-plan` ([`caisson_plan::document::PlanDocument`]); this crate
//! writes it to files and streams, and writes the same rows as CSV. It
//! knows no solver.

#![warn(missing_docs)]

mod csv_out;
mod shortages;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use caisson_plan::document::PlanDocument;

pub use csv_out::{csv_tables, write_csv_dir, CSV_TABLES};
pub use shortages::explanations_json;

/// What can go wrong writing a plan.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file or directory could not be created or written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// JSON encoding failed.
    #[error("cannot encode the plan as JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// CSV encoding failed.
    #[error("cannot write {path} as CSV: {source}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: csv::Error,
    },
}

/// Writes the plan as pretty-printed `caisson-plan/1` JSON to `out`.
pub fn write_json(
    scenario: &caisson_model::Scenario,
    plan: &caisson_plan::Plan,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let document = PlanDocument::new(scenario, plan);
    serde_json::to_writer_pretty(&mut *out, &document)?;
    out.write_all(b"\n").map_err(serde_json::Error::io)?;
    Ok(())
}

/// Writes the plan as `caisson-plan/1` JSON to the file at `path`.
pub fn write_json_file(
    scenario: &caisson_model::Scenario,
    plan: &caisson_plan::Plan,
    path: &Path,
) -> Result<(), ReportError> {
    let io = |source| ReportError::Io {
        path: path.to_owned(),
        source,
    };
    let mut out = BufWriter::new(File::create(path).map_err(io)?);
    write_json(scenario, plan, &mut out)?;
    out.flush().map_err(io)
}

/// The plan as a JSON value (e.g. to embed in another document).
pub fn to_json_value(
    scenario: &caisson_model::Scenario,
    plan: &caisson_plan::Plan,
) -> Result<serde_json::Value, ReportError> {
    Ok(serde_json::to_value(PlanDocument::new(scenario, plan))?)
}
