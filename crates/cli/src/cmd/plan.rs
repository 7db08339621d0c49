//! `caisson plan`.

use std::process::ExitCode;

use crate::exit::CmdResult;

/// Arguments of `caisson plan`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `caisson plan`.
pub fn run(_args: &Args) -> CmdResult {
    Ok(ExitCode::SUCCESS)
}
