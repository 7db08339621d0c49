//! `caisson explain`.

use std::process::ExitCode;

use crate::exit::CmdResult;

/// Arguments of `caisson explain`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `caisson explain`.
pub fn run(_args: &Args) -> CmdResult {
    Ok(ExitCode::SUCCESS)
}
