//! `caisson`: the command-line interface of the Caisson planning system.
//!
//! This binary is an edge of the architecture: it parses arguments, calls the
//! library crates, renders their results for a terminal or as JSON, and maps
//! outcomes to documented exit codes. No planning logic lives here.

mod cmd;
mod exit;
mod format;
mod load;
mod sections;
mod shell;
mod solver;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::shell::Shell;

/// The exit codes as `--help` lists them (the numbers of [`exit::Exit`]).
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
    /// Check a `caisson-plan/1` plan from any tool against its scenario:
    /// every constraint of spec section 4 and the cost split (not optimality).
    #[command(after_help = EXIT_CODES)]
    Verify(cmd::verify::Args),
    /// Explain compliance verdicts: why a flow is allowed or denied.
    #[command(after_help = EXIT_CODES)]
    Explain(cmd::explain::Args),
    /// Write a synthetic scenario of a given size and seed (TOML).
    #[command(after_help = EXIT_CODES)]
    Generate(cmd::generate::Args),
    /// Write a self-contained HTML report of a plan (and of compare, risk
    /// or simulate results).
    #[command(after_help = EXIT_CODES)]
    Report(cmd::report::Args),
    /// Plan a base scenario and its variants and compare them side by side.
    #[command(after_help = EXIT_CODES)]
    Compare(cmd::compare::Args),
    /// Rank supplier losses and price each policy by re-planning without them.
    #[command(after_help = EXIT_CODES)]
    Risk(cmd::risk::Args),
    /// Monte Carlo over the scenario's `[[uncertainty]]`: percentiles of
    /// shortage and fill rate, and the chance each demand falls short.
    #[command(after_help = EXIT_CODES)]
    Simulate(cmd::simulate::Args),
    /// Re-plan with each `[[assumption]]` at its low and high bound and rank
    /// the assumptions by how far they move the answer (a tornado).
    #[command(after_help = EXIT_CODES)]
    Sensitivity(cmd::sensitivity::Args),
    /// Recommend long-term contracts from the optimal plan, prove them by
    /// re-planning, and write them as a variant.
    #[command(after_help = EXIT_CODES)]
    Recommend(cmd::recommend::Args),
    /// Contracts with a supplier that may turn away, or the same money in a
    /// bloc's ramp-ups? Sweeps a political entry's yearly probability and
    /// finds where the deal stops paying off.
    #[command(after_help = EXIT_CODES)]
    Breakeven(cmd::breakeven::Args),
    /// Run the main job on the built-in European scenario: validate, plan,
    /// compare the variants, analyse risks, write the report and answer.
    #[command(after_help = EXIT_CODES)]
    Demo(cmd::demo::Args),
    /// Write a scenario and/or a plan as a spreadsheet (xlsx or CSV files).
    #[command(after_help = EXIT_CODES)]
    Export(cmd::export::Args),
    /// Read a scenario from a spreadsheet (xlsx/ods or CSV directory) and
    /// write it as TOML.
    #[command(after_help = EXIT_CODES)]
    Import(cmd::import::Args),
    /// Measure each stage of planning (load, build, HiGHS, derive, write)
    /// and peak memory, per scenario size and along scaling curves.
    #[command(after_help = EXIT_CODES)]
    Bench(cmd::bench::Args),
    /// The transparency ledger: print the signing key's public key, verify
    /// an export or a server's ledger with only the pinned public key.
    Ledger(cmd::ledger::Args),
    /// Serve the shared platform's HTTP API and execute its runs.
    Serve(caisson_server::cli::ServeArgs),
    /// Execute the platform's runs from a database shared with `serve`.
    Worker(caisson_server::cli::WorkerArgs),
    /// Manage the platform's organisations, users and API tokens.
    Admin(caisson_server::cli::AdminArgs),
}

/// Runs a platform command (`serve`, `worker`, `admin`), its results
/// printed through the shell as they come; an error exits 1.
fn platform(
    shell: &mut Shell,
    command: impl FnOnce(caisson_server::cli::Out<'_>) -> anyhow::Result<()>,
) -> exit::CmdResult {
    let mut failed_output = None;
    let result = command(&mut |text: &str| {
        shell.print(text).map_err(|failure| {
            // The shell's own failure is what the command ends with; the
            // command only needs to stop.
            failed_output = Some(failure);
            anyhow::anyhow!("writing the output failed")
        })
    });
    if let Some(failure) = failed_output {
        return Err(failure);
    }
    result.map_err(|e| exit::Failure::InvalidInputMessage(format!("{e:#}")))?;
    Ok(exit::Exit::Success)
}

impl Command {
    /// Whether the command was given `-q` (no progress, no status lines).
    fn quiet(&self) -> bool {
        match self {
            Command::Plan(args) => args.quiet,
            Command::Report(args) => args.quiet,
            Command::Compare(args) => args.common.quiet,
            Command::Risk(args) => args.common.quiet,
            Command::Simulate(args) => args.common.quiet,
            Command::Sensitivity(args) => args.common.quiet,
            Command::Recommend(args) => args.common.quiet,
            Command::Breakeven(args) => args.common.quiet,
            Command::Demo(args) => args.quiet,
            Command::Export(args) => args.quiet,
            Command::Import(args) => args.quiet,
            Command::Bench(args) => args.quiet,
            Command::Validate(_)
            | Command::Explain(_)
            | Command::Generate(_)
            | Command::Ledger(_)
            | Command::Verify(_)
            | Command::Serve(_)
            | Command::Worker(_)
            | Command::Admin(_) => false,
        }
    }
}

fn main() -> ExitCode {
    let mut shell = Shell::new();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return shell.clap_exit(&error).into(),
    };
    shell.set_quiet(cli.command.quiet());
    let shell = &mut shell;
    let result = match &cli.command {
        Command::Validate(args) => cmd::validate::run(args, shell),
        Command::Plan(args) => cmd::plan::run(args, shell),
        Command::Verify(args) => cmd::verify::run(args, shell),
        Command::Explain(args) => cmd::explain::run(args, shell),
        Command::Generate(args) => cmd::generate::run(args, shell),
        Command::Report(args) => cmd::report::run(args, shell),
        Command::Compare(args) => cmd::compare::run(args, shell),
        Command::Risk(args) => cmd::risk::run(args, shell),
        Command::Simulate(args) => cmd::simulate::run(args, shell),
        Command::Sensitivity(args) => cmd::sensitivity::run(args, shell),
        Command::Recommend(args) => cmd::recommend::run(args, shell),
        Command::Breakeven(args) => cmd::breakeven::run(args, shell),
        Command::Demo(args) => cmd::demo::run(args, shell),
        Command::Export(args) => cmd::export::run(args, shell),
        Command::Import(args) => cmd::import::run(args, shell),
        Command::Bench(args) => cmd::bench::run(args, shell),
        Command::Ledger(args) => cmd::ledger::run(args, shell),
        Command::Serve(args) => platform(shell, |out| caisson_server::cli::serve(args, out)),
        Command::Worker(args) => platform(shell, |out| caisson_server::cli::worker(args, out)),
        Command::Admin(args) => platform(shell, |out| {
            caisson_server::cli::admin(args).and_then(|text| out(&text))
        }),
    };
    shell.finish(result).into()
}
