//! `caisson breakeven`: contracts with a supplier that may turn away, or
//! the same money in a bloc's ramp-ups? Sweeps the yearly probability of a
//! political `[[uncertainty]]` entry and finds where the deal stops paying
//! off (the computation is `caisson_analysis::breakeven`).
//!
//! Writes a `caisson-breakeven/1` file: the report's section (the chart's
//! data, flattened at the top level, so that `caisson report` reads it) and
//! the whole `analysis`.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{anyhow, Context};
use caisson_analysis::breakeven::{
    breakeven, Breakeven, BreakevenError, BreakevenOptions, Crossing,
};
use caisson_analysis::recommend::{RecommendError, SaaOptions};
use serde::Serialize;

use crate::cmd::analysis_args::AnalysisArgs;
use crate::cmd::recommend::{GroupingArg, MethodArg};
use crate::exit::{CmdResult, Exit, Failure};
use crate::format::{fmt_delta, fmt_num, fmt_units, fmt_units_delta};
use crate::load;
use crate::shell::Shell;

/// Arguments of `caisson breakeven`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario, with the political `[[uncertainty]]` entry to sweep.
    pub scenario: PathBuf,
    /// Id of the political entry whose yearly `hazard` is swept.
    #[arg(long, value_name = "ID")]
    pub entry: String,
    /// The supplier (actor id) whose contracts are the deal.
    #[arg(long, value_name = "ACTOR")]
    pub supplier: String,
    /// The bloc whose expansions the deal's money may fund instead.
    #[arg(long, value_name = "BLOC", default_value = "EU")]
    pub bloc: String,
    /// The end user (actor id) whose expected shortage is compared.
    #[arg(long, value_name = "ACTOR", default_value = "UKR")]
    pub end_user: String,
    /// The yearly probabilities swept, increasing, each in [0, 1] (they
    /// override the entry's `hazard`).
    #[arg(
        long,
        value_name = "H,H,...",
        value_delimiter = ',',
        default_value = "0,0.05,0.1,0.15,0.2,0.25,0.3",
        allow_hyphen_values = true
    )]
    pub hazards: Vec<f64>,
    /// Samples of the two-stage programs at every probability.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
    pub samples: u64,
    /// Seed of the samples (the same for every probability).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Price per unit committed in a contract with the supplier.
    #[arg(long, value_parser = non_negative)]
    pub price: f64,
    /// Price per unit the supplier ships beyond a commitment (and, in the
    /// ramp-up, per unit it ships at all) [default: the contract price].
    #[arg(long, value_name = "P", value_parser = non_negative)]
    pub spot_price: Option<f64>,
    /// Penalty per unit of a contract's shortfall per period [default: the
    /// highest penalty of the buyer's demands for the product].
    #[arg(long, value_parser = non_negative)]
    pub penalty: Option<f64>,
    /// How commitments are grouped: one flat rate per calendar year, per
    /// quarter, or every period on its own.
    #[arg(long, value_enum, default_value_t = GroupingArg::Year)]
    pub grouping: GroupingArg,
    /// How each two-stage program is solved (as `recommend --method`).
    #[arg(long, value_enum, default_value_t = MethodArg::Auto)]
    pub method: MethodArg,
    /// Write one CSV row per probability to this file.
    #[arg(long, value_name = "FILE.csv")]
    pub csv: Option<PathBuf>,
    /// Write an HTML report with the chart to this file.
    #[arg(long, value_name = "FILE.html")]
    pub html: Option<PathBuf>,
    #[command(flatten)]
    pub common: AnalysisArgs,
}

/// A finite number >= 0.
fn non_negative(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() && value >= 0.0 => Ok(value),
        _ => Err(format!("`{text}` is not a finite number >= 0")),
    }
}

/// The `caisson-breakeven/1` file.
#[derive(Debug, Serialize)]
struct BreakevenFile<'a> {
    format: &'static str,
    #[serde(flatten)]
    section: &'a caisson_html::Breakeven,
    analysis: &'a Breakeven,
}

/// Runs `caisson breakeven`.
pub fn run(args: &Args, shell: &mut Shell) -> CmdResult {
    let loaded = load::scenario(shell, &args.scenario)?;
    let scenario = &loaded.scenario;
    let options = BreakevenOptions {
        entry: args.entry.clone(),
        supplier: args.supplier.clone(),
        bloc: args.bloc.clone(),
        end_user: args.end_user.clone(),
        hazards: args.hazards.clone(),
        saa: SaaOptions {
            samples: args.samples,
            seed: args.seed,
            grouping: args.grouping.into(),
            penalty: args.penalty,
            price: args.price,
            spot_price: args.spot_price,
            method: args.method.into(),
            plan: args.common.plan_options()?,
            ..SaaOptions::default()
        },
    };
    let spinner = shell.spinner("checking the options");
    let result = breakeven(scenario, &options, &|step| {
        spinner.set_message(step.to_owned());
    });
    spinner.finish_and_clear();
    let result = result.map_err(|error| match error {
        BreakevenError::Unknown { field, message } => {
            Failure::InvalidInputMessage(format!("--{}: {message}", field.replace('_', "-")))
        }
        BreakevenError::BadHazards(message) => {
            Failure::InvalidInputMessage(format!("--hazards: {message}"))
        }
        BreakevenError::Recommend(e @ RecommendError::BadOption { .. }) => {
            Failure::InvalidInputMessage(e.to_string())
        }
        BreakevenError::Samples(e) => Failure::InvalidInputMessage(e.to_string()),
        other => Failure::Internal(anyhow!(other)),
    })?;
    let section = chart(&result, &scenario.currency);
    if let Some(path) = &args.csv {
        let text = result.to_csv().context("writing CSV")?;
        std::fs::write(path, text)
            .with_context(|| format!("writing {}", path.display()))
            .map_err(Failure::Internal)?;
    }
    if let Some(path) = &args.html {
        let mut doc = caisson_html::ReportDocument::new(&format!(
            "Caisson break-even: {} contracts or {} ramp-ups ({})",
            result.supplier, result.bloc, result.scenario
        ));
        doc.breakeven = Some(section.clone());
        std::fs::write(path, caisson_html::render(&doc))
            .with_context(|| format!("writing the report to {}", path.display()))
            .map_err(Failure::Internal)?;
    }
    let file = BreakevenFile {
        format: caisson_html::BREAKEVEN_FORMAT,
        section: &section,
        analysis: &result,
    };
    args.common.emit(shell, &file, |_| render(&result))?;
    Ok(Exit::Success)
}

/// The break-even of `measure` in words.
pub fn verdict(b: &Breakeven, crossing: Crossing, measure: &str) -> String {
    let pct = |h: f64| format!("{}%", fmt_num(h * 100.0));
    match crossing {
        Crossing::AtOrBelow(h) => format!(
            "In {measure}, {} ramp-ups are at least as good as {} contracts already at {} a year, \
             the lowest probability swept: the deal does not pay off within the sweep.",
            b.bloc,
            b.supplier,
            pct(h)
        ),
        Crossing::At(h) => format!(
            "In {measure}, {} contracts are better below a yearly probability of about {} that \
             `{}` happens; from there on {} ramp-ups with the same money are at least as good.",
            b.supplier,
            pct(h),
            b.entry,
            b.bloc
        ),
        Crossing::Above(h) => format!(
            "In {measure}, {} contracts stay better over the whole sweep, up to {} a year: the \
             break-even lies above it.",
            b.supplier,
            pct(h)
        ),
    }
}

fn crossing_value(crossing: Crossing) -> Option<f64> {
    match crossing {
        Crossing::AtOrBelow(h) | Crossing::At(h) => Some(h),
        Crossing::Above(_) => None,
    }
}

/// The report's section: one measure per chart.
pub fn chart(b: &Breakeven, currency: &str) -> caisson_html::Breakeven {
    let shortage_name = format!("{} expected shortage", b.end_user);
    let measures = vec![
        caisson_html::BreakevenMeasure {
            name: shortage_name.clone(),
            unit: "unit-periods".to_owned(),
            deal: b.points.iter().map(|p| p.deal.shortage.mean).collect(),
            ramp_up: b.points.iter().map(|p| p.ramp_up.shortage.mean).collect(),
            breakeven: crossing_value(b.shortage),
            verdict: verdict(b, b.shortage, &shortage_name),
        },
        caisson_html::BreakevenMeasure {
            name: "expected total cost".to_owned(),
            unit: currency.to_owned(),
            deal: b.points.iter().map(|p| p.deal.cost.mean).collect(),
            ramp_up: b.points.iter().map(|p| p.ramp_up.cost.mean).collect(),
            breakeven: crossing_value(b.cost),
            verdict: verdict(b, b.cost, "expected total cost"),
        },
    ];
    caisson_html::Breakeven {
        supplier: b.supplier.clone(),
        bloc: b.bloc.clone(),
        end_user: b.end_user.clone(),
        entry: b.entry.clone(),
        samples: b.samples,
        hazards: b.points.iter().map(|p| p.hazard).collect(),
        measures,
    }
}

/// The sweep as terminal text: one row per probability, the deal's
/// contracts, and both break-evens in words.
pub fn render(b: &Breakeven) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} contracts or {} ramp-ups, for {} ({} samples per probability, seed {}, price {}, \
         spot price {}, MIP gap {:e})",
        b.supplier,
        b.bloc,
        b.scenario,
        b.samples,
        b.seed,
        fmt_num(b.price),
        fmt_num(b.spot_price),
        b.mip_gap
    );
    let _ = writeln!(
        s,
        "\n{:>7} {:>8} | {:>14} {:>14} {:>16} | {:>14} {:>14} {:>16} | {:>12} {:>14}",
        "hazard",
        "switched",
        "deal money",
        format!("{} short", b.end_user),
        "cost",
        "ramp-up money",
        format!("{} short", b.end_user),
        "cost",
        "deal saves",
        "deal cheaper by"
    );
    for p in &b.points {
        let _ = writeln!(
            s,
            "{:>7} {:>8} | {:>14} {:>14} {:>16} | {:>14} {:>14} {:>16} | {:>12} {:>14}",
            format!("{}%", fmt_num(p.hazard * 100.0)),
            format!("{}/{}", p.switched, b.samples),
            fmt_num(p.deal.money),
            fmt_units(p.deal.shortage.mean),
            fmt_num(p.deal.cost.mean),
            fmt_num(p.ramp_up.money),
            fmt_units(p.ramp_up.shortage.mean),
            fmt_num(p.ramp_up.cost.mean),
            fmt_units_delta(p.shortage_advantage),
            fmt_delta(p.cost_advantage.round()),
        );
    }
    for p in &b.points {
        let _ = writeln!(s, "\nat {}%:", fmt_num(p.hazard * 100.0));
        if p.deal.contracts.is_empty() {
            let _ = writeln!(s, "  deal: no contract worth signing");
        }
        for c in &p.deal.contracts {
            let volume: f64 = c.volumes.iter().map(|v| v.volume).sum();
            let drop = c
                .drop_shortage
                .map(|d| format!(", lowers {} shortage by {}", b.end_user, fmt_units(d)))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "  deal: {} -> {} {}: {} units{drop}",
                c.facility,
                c.buyer,
                c.product,
                fmt_units(volume)
            );
        }
        let expansions: Vec<String> = p
            .ramp_up
            .expansions
            .iter()
            .map(|x| format!("{} ({})", x.expansion, x.decided))
            .collect();
        let _ = writeln!(
            s,
            "  ramp-up: {}",
            if expansions.is_empty() {
                "no expansion within the budget".to_owned()
            } else {
                expansions.join(", ")
            }
        );
    }
    let shortage_name = format!("{} expected shortage", b.end_user);
    let _ = writeln!(s, "\n{}", verdict(b, b.shortage, &shortage_name));
    let _ = writeln!(s, "{}", verdict(b, b.cost, "expected total cost"));
    s
}
