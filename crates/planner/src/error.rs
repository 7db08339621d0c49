//! Errors of the planner library.

use std::path::PathBuf;

/// What can go wrong outside the solve itself (a failed solve is a plan
/// with status `error`, not an `Err`).
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// HiGHS rejected the model when it was passed in.
    #[error("HiGHS rejected the model: {0}")]
    Load(String),
    /// The model file could not be written.
    #[error("cannot write the model to {path}: {reason}")]
    WriteModel {
        /// The requested file.
        path: PathBuf,
        /// Why it failed.
        reason: String,
    },
}
