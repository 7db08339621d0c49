//! `caisson-server`: the platform's subcommands alone (`serve`, `worker`,
//! `admin`), the same as `caisson serve|worker|admin`. The server's
//! end-to-end tests start (and kill) this binary as separate processes.

// This binary's only output: the platform commands' results on stdout, an
// error on stderr (the `caisson` binary prints the same through its shell).
#![allow(clippy::disallowed_macros, clippy::disallowed_methods)]

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Caisson's shared platform.
#[derive(Debug, Parser)]
#[command(name = "caisson-server", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the platform's HTTP API (and execute runs).
    Serve(caisson_server::cli::ServeArgs),
    /// Execute runs from a shared database.
    Worker(caisson_server::cli::WorkerArgs),
    /// Manage organisations, users and tokens on the database.
    Admin(caisson_server::cli::AdminArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = |text: &str| -> anyhow::Result<()> {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(text.as_bytes())?;
        Ok(stdout.flush()?)
    };
    let result = match &cli.command {
        Command::Serve(args) => caisson_server::cli::serve(args, &mut out),
        Command::Worker(args) => caisson_server::cli::worker(args, &mut out),
        Command::Admin(args) => caisson_server::cli::admin(args).and_then(|text| out(&text)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}
