//! `caisson simulate`: Monte Carlo over the scenario's `[[uncertainty]]`.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use caisson_analysis::simulate::{self, stats, Percentiles, SimulateError, SimulateOptions};

use crate::cmd::analysis_args::AnalysisArgs;
use crate::exit::{CmdResult, Exit, Failure};
use crate::format::{fmt_num, fmt_rate, fmt_units};
use crate::load;
use crate::shell::Shell;

/// Arguments of `caisson simulate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario to simulate (its `[[uncertainty]]` entries are drawn).
    pub scenario: PathBuf,
    /// Number of samples (one plan each).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    pub samples: u64,
    /// Seed of the draws: the same seed gives the same numbers.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Fill rate below which a demand counts as failed in a sample.
    #[arg(long, default_value_t = 0.9, value_parser = unit_interval)]
    pub threshold: f64,
    /// Quantiles of the percentile tables and fan charts, increasing, in
    /// [0, 1].
    #[arg(long, value_delimiter = ',', default_value = "0.05,0.5,0.95", value_parser = unit_interval)]
    pub quantiles: Vec<f64>,
    /// Draw every entry but the political switches (`kind = "political"`):
    /// the distribution with the policies and routes as written, to set
    /// beside a run with them (same seed: the other entries draw the same).
    #[arg(long)]
    pub without_political: bool,
    /// Write the per-sample results as CSV (one row per sample and demand).
    #[arg(long)]
    pub csv: Option<PathBuf>,
    #[command(flatten)]
    pub common: AnalysisArgs,
}

fn unit_interval(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number"))?;
    if (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("{value} is not between 0 and 1"))
    }
}

/// Runs `caisson simulate`.
pub fn run(args: &Args, shell: &mut Shell) -> CmdResult {
    if args.quantiles.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Failure::Usage(
            "--quantiles must increase, e.g. 0.05,0.5,0.95".to_owned(),
        ));
    }
    let loaded = load::scenario(shell, &args.scenario)?;
    let scenario = &loaded.scenario;
    if scenario.uncertainty.is_empty() {
        shell.warn(format_args!(
            "{} has no [[uncertainty]] entry: every sample is the deterministic plan",
            args.scenario.display()
        ));
    }
    let options = SimulateOptions {
        samples: args.samples,
        seed: args.seed,
        threshold: args.threshold,
        quantiles: args.quantiles.clone(),
        plan: args.common.plan_options()?,
        draws: if args.without_political {
            simulate::Draws::WithoutPolitical
        } else {
            simulate::Draws::All
        },
    };
    let bar = shell.bar(args.samples as usize, "simulating");
    let result = simulate::simulate(scenario, &options, &|| bar.inc(1));
    bar.finish_and_clear();
    let simulation = match result {
        Ok(simulation) => simulation,
        Err(e @ SimulateError::NotFinite { .. }) => {
            return Err(Failure::InvalidInputMessage(e.to_string()))
        }
        Err(e) => return Err(Failure::Internal(e.into())),
    };
    if let Some(path) = &args.csv {
        let text = simulation.to_csv().context("writing CSV")?;
        std::fs::write(path, text)
            .with_context(|| format!("writing {}", path.display()))
            .map_err(Failure::Internal)?;
    }
    args.common.emit(shell, &simulation, render)?;
    Ok(if simulation.solved < simulation.runs {
        shell.warn(format_args!(
            "{} of {} samples have no solution; the statistics cover the others",
            simulation.runs - simulation.solved,
            simulation.runs
        ));
        Exit::Internal
    } else {
        Exit::Success
    })
}

/// `p5 / p50 / p95` of a summary, formatted by `fmt`.
fn bands(p: Option<&Percentiles>, fmt: &dyn Fn(f64) -> String) -> String {
    match p {
        Some(p) => p
            .quantiles
            .iter()
            .map(|(_, v)| fmt(*v))
            .collect::<Vec<_>>()
            .join(" / "),
        None => "-".to_owned(),
    }
}

/// The simulation as terminal text.
pub fn render(s: &simulate::Simulation) -> String {
    let mut out = String::new();
    let labels: Vec<String> = s.quantiles.iter().map(|&q| stats::label(q)).collect();
    let labels = labels.join(" / ");
    let _ = writeln!(
        out,
        "simulation of \"{}\": {} samples (seed {}), {} solved",
        s.scenario, s.runs, s.seed, s.solved
    );
    if !s.sources.is_empty() {
        let sources: Vec<String> = s
            .sources
            .iter()
            .map(|u| {
                if u.skipped {
                    format!("{} ({}, not drawn: --without-political)", u.id, u.kind)
                } else {
                    format!("{} ({})", u.id, u.kind)
                }
            })
            .collect();
        let _ = writeln!(out, "uncertainty: {}", sources.join(", "));
    }
    let rate = |v: f64| fmt_rate(Some(v));
    let _ = writeln!(out, "\nall demands ({labels}):");
    let _ = writeln!(
        out,
        "  shortage (unit-periods)  {}",
        bands(s.total.shortage.as_ref(), &fmt_units)
    );
    let _ = writeln!(
        out,
        "  fill rate                {}",
        bands(s.total.fill_rate.as_ref(), &rate)
    );
    let _ = writeln!(
        out,
        "  objective                {}",
        bands(s.total.objective.as_ref(), &fmt_num)
    );
    let _ = writeln!(
        out,
        "\nper demand ({labels}; P = share of samples with fill rate below {}):",
        fmt_rate(Some(s.threshold))
    );
    let width = s.demands.iter().map(|d| d.demand.len()).max().unwrap_or(0);
    for d in &s.demands {
        let _ = writeln!(
            out,
            "  {:width$}  shortage {}  fill rate {}  P {}",
            d.demand,
            bands(d.shortage.as_ref(), &fmt_units),
            bands(d.fill_rate.as_ref(), &rate),
            fmt_rate(d.below_threshold),
        );
    }
    out
}
