//! `caisson`: the command-line interface of the Caisson planning system.
//!
//! This binary is an edge of the architecture: it parses arguments, calls the
//! library crates, renders their results for a terminal or as JSON, and maps
//! outcomes to documented exit codes. No planning logic lives here.

mod cmd;
mod exit;
mod format;
mod limits;
mod load;
mod progress;
mod sections;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Validate(args) => cmd::validate::run(args),
        Command::Plan(args) => cmd::plan::run(args),
        Command::Explain(args) => cmd::explain::run(args),
        Command::Generate(args) => cmd::generate::run(args),
        Command::Report(args) => cmd::report::run(args),
        Command::Compare(args) => cmd::compare::run(args),
        Command::Risk(args) => cmd::risk::run(args),
        Command::Simulate(args) => cmd::simulate::run(args),
        Command::Sensitivity(args) => cmd::sensitivity::run(args),
        Command::Recommend(args) => cmd::recommend::run(args),
        Command::Demo(args) => cmd::demo::run(args),
        Command::Export(args) => cmd::export::run(args),
        Command::Import(args) => cmd::import::run(args),
        Command::Bench(args) => cmd::bench::run(args),
    };
    match result {
        Ok(code) => code,
        Err(failure) => failure.report(),
    }
}
