//! `caisson-server`: the platform's subcommands alone (`serve`, `worker`,
//! `admin`), the same as `caisson serve|worker|admin`. The server's
//! end-to-end tests start (and kill) this binary as separate processes.

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
    let result = match &cli.command {
        Command::Serve(args) => caisson_server::cli::serve(args),
        Command::Worker(args) => caisson_server::cli::worker(args),
        Command::Admin(args) => caisson_server::cli::admin(args).and_then(|out| {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(out.as_bytes())?;
            Ok(stdout.flush()?)
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}
