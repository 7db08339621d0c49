//! `caisson`: the command-line interface of the Caisson planning system.
//!
//! This binary is an edge of the architecture: it parses arguments, calls the
//! library crates, renders their results for a terminal or as JSON, and maps
//! outcomes to documented exit codes. No planning logic lives here.

mod cmd;
mod exit;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::exit::Failure;

const EXIT_CODES: &str = "\
Exit codes:
  0  success (for `validate`: the scenario is valid; warnings do not fail)
  1  invalid input: a scenario or input file failed to load or validate
  2  usage error: bad command-line arguments
  3  internal failure: solver error, an unexpected solver status, or an
     output file that could not be written";

/// Shared defence-industrial production and procurement planning.
#[derive(Debug, Parser)]
#[command(name = "caisson", version, about, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check scenario files and summarise what they hold.
    #[command(after_help = EXIT_CODES)]
    Validate(cmd::validate::Args),
    /// Compute the optimal plan of a scenario (spec sections 4 and 6).
    #[command(after_help = EXIT_CODES)]
    Plan(cmd::plan::Args),
    /// Explain compliance verdicts: why a flow is allowed or denied.
    #[command(after_help = EXIT_CODES)]
    Explain(cmd::explain::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Validate(args) => cmd::validate::run(args),
        Command::Plan(args) => cmd::plan::run(args),
        Command::Explain(args) => cmd::explain::run(args),
    };
    match result {
        Ok(code) => code,
        Err(failure) => failure.report(),
    }
}
