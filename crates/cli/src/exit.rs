//! Outcomes of a command and their exit codes (documented in `--help`).

use std::io::{self, Write};
use std::process::ExitCode;

/// Exit code for input that failed to load or validate.
pub const INVALID_INPUT: u8 = 1;
/// Exit code for internal failures (solver, I/O on outputs).
pub const INTERNAL: u8 = 3;

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// The user's input is wrong; the diagnostics were already printed.
    InvalidInput,
    /// The user's input is wrong; print this message.
    InvalidInputMessage(String),
    /// The solver ended without a plan (time limit, solver error): exit 3
    /// like an internal failure, but said plainly.
    NoPlan(String),
    /// Something failed that is not the user's input.
    Internal(anyhow::Error),
}

impl Failure {
    /// Prints what has not been printed yet and gives the exit code.
    pub fn report(self) -> ExitCode {
        let mut stderr = io::stderr().lock();
        match self {
            Failure::InvalidInput => ExitCode::from(INVALID_INPUT),
            Failure::InvalidInputMessage(message) => {
                let _ = writeln!(stderr, "error: {message}");
                ExitCode::from(INVALID_INPUT)
            }
            Failure::NoPlan(message) => {
                let _ = writeln!(stderr, "error: no plan: {message}");
                ExitCode::from(INTERNAL)
            }
            Failure::Internal(error) => {
                let _ = writeln!(stderr, "internal error: {error:#}");
                ExitCode::from(INTERNAL)
            }
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Failure::Internal(error)
    }
}

/// The result of a command.
pub type CmdResult = Result<ExitCode, Failure>;
