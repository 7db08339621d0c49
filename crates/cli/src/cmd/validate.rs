//! `caisson validate`.

use std::process::ExitCode;

use crate::exit::CmdResult;

/// Arguments of `caisson validate`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `caisson validate`.
pub fn run(_args: &Args) -> CmdResult {
    Ok(ExitCode::SUCCESS)
}
