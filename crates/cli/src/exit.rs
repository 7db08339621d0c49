//! Outcomes of a command and their exit codes (documented in `--help` and
//! the README). The [`Shell`](crate::shell::Shell) prints a [`Failure`] and
//! turns every outcome into the process's exit code.

use std::process::ExitCode;

/// The documented exit codes of `caisson`: the only codes it ends with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: the command did what it was asked (also when stdout was closed
    /// early by its reader, e.g. `| head`).
    Success,
    /// 1: a scenario or input file failed to load or validate, or an option
    /// value is out of range.
    InvalidInput,
    /// 2: bad command-line arguments.
    Usage,
    /// 3: a solver error, an unexpected solver status, or an output that
    /// could not be written.
    Internal,
}

impl Exit {
    /// The number the process exits with.
    pub const fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::InvalidInput => 1,
            Exit::Usage => 2,
            Exit::Internal => 3,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

/// Why a command failed.
#[derive(Debug)]
pub enum Failure {
    /// The user's input is wrong; the diagnostics were already printed.
    InvalidInput,
    /// The user's input is wrong; print this message.
    InvalidInputMessage(String),
    /// The arguments do not fit together in a way clap cannot check; print
    /// this message.
    Usage(String),
    /// The solver ended without a plan (time limit, solver error): exit 3
    /// like an internal failure, but said plainly.
    NoPlan(String),
    /// Something failed that is not the user's input.
    Internal(anyhow::Error),
}

impl Failure {
    /// The exit code of this failure.
    pub fn exit(&self) -> Exit {
        match self {
            Failure::InvalidInput | Failure::InvalidInputMessage(_) => Exit::InvalidInput,
            Failure::Usage(_) => Exit::Usage,
            Failure::NoPlan(_) | Failure::Internal(_) => Exit::Internal,
        }
    }

    /// What to print on stderr, if anything is left to print.
    pub fn message(&self) -> Option<String> {
        match self {
            Failure::InvalidInput => None,
            Failure::InvalidInputMessage(message) | Failure::Usage(message) => {
                Some(format!("error: {message}"))
            }
            Failure::NoPlan(message) => Some(format!("error: no plan: {message}")),
            Failure::Internal(error) => Some(format!("internal error: {error:#}")),
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Failure::Internal(error)
    }
}

/// The result of a command: the exit code of a command that ran to its end
/// (which may still be [`Exit::Internal`], e.g. when some of an analysis's
/// solves failed), or why it stopped.
pub type CmdResult = Result<Exit, Failure>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_the_documented_numbers() {
        assert_eq!(Exit::Success.code(), 0);
        assert_eq!(Exit::InvalidInput.code(), 1);
        assert_eq!(Exit::Usage.code(), 2);
        assert_eq!(Exit::Internal.code(), 3);
        for exit in [
            Exit::Success,
            Exit::InvalidInput,
            Exit::Usage,
            Exit::Internal,
        ] {
            let line = format!("  {}  ", exit.code());
            assert!(
                crate::EXIT_CODES.contains(&line),
                "--help documents exit code {}",
                exit.code()
            );
        }
    }

    #[test]
    fn failures_map_to_their_codes_and_messages() {
        assert_eq!(Failure::InvalidInput.exit(), Exit::InvalidInput);
        assert_eq!(Failure::InvalidInput.message(), None);
        let usage = Failure::Usage("--quantiles must increase".into());
        assert_eq!(usage.exit(), Exit::Usage);
        assert_eq!(
            usage.message().as_deref(),
            Some("error: --quantiles must increase")
        );
        let internal = Failure::Internal(anyhow::anyhow!("disk full").context("writing x"));
        assert_eq!(internal.exit(), Exit::Internal);
        assert_eq!(
            internal.message().as_deref(),
            Some("internal error: writing x: disk full")
        );
        assert_eq!(Failure::NoPlan("t".into()).exit(), Exit::Internal);
    }
}
