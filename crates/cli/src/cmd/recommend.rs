//! `caisson recommend`: long-term contracts drawn from the optimal plan,
//! proved by re-planning with them signed, optionally written as a variant.

use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use anyhow::{anyhow, Context};
use caisson_analysis::recommend::{
    plan_base, portfolio_toml, recommend, recommend_samples, variant_toml, Grouping,
    RecommendError, RecommendOptions, Recommendation, SaaMethod, SaaOptions, Shape,
    StochasticRecommendation,
};
use caisson_analysis::simulate::{sample_plans, SimulateOptions};

use crate::cmd::analysis_args::AnalysisArgs;
use crate::exit::{CmdResult, Exit, Failure};
use crate::format::{fmt_num, fmt_units};
use crate::load;
use crate::shell::Shell;

/// Arguments of `caisson recommend`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario to recommend contracts for.
    pub scenario: PathBuf,
    /// Write the contracts as a variant file extending the scenario.
    #[arg(long, value_name = "OUT.toml")]
    pub toml: Option<PathBuf>,
    /// How commitments are grouped: one flat rate per calendar year, per
    /// quarter, or every period on its own.
    #[arg(long, value_enum, default_value_t = GroupingArg::Year)]
    pub grouping: GroupingArg,
    /// Keep one flat rate per group even in periods where the optimal plan
    /// ships less (by default the rate is capped there, so that signing
    /// costs nothing); the effect shows what the steadier schedule costs.
    #[arg(long)]
    pub flat: bool,
    /// A year's (quarter's, period's) volume below this gets no commitment.
    #[arg(long, default_value_t = 0.0, value_parser = non_negative)]
    pub min_volume: f64,
    /// Penalty per unit of shortfall per period written into the contracts
    /// [default: the highest penalty of the buyer's demands for the product].
    #[arg(long, value_parser = non_negative)]
    pub penalty: Option<f64>,
    /// Price per unit written into the contracts.
    #[arg(long, default_value_t = 0.0, value_parser = non_negative)]
    pub price: f64,
    /// Re-plans allowed to reach contracts with no shortfall.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..))]
    pub rounds: u16,
    /// Choose contracts and expansions once for N Monte Carlo samples of
    /// the scenario's `[[uncertainty]]` (as `simulate` draws them): a
    /// two-stage stochastic program solved by sample average approximation.
    /// With `--quantile`, the former heuristic instead: each group's volume
    /// is that quantile of the sampled plans' volumes.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub samples: Option<u64>,
    /// Seed of the samples (same seed, same samples as `simulate`).
    #[arg(long, default_value_t = 0, requires = "samples")]
    pub seed: u64,
    /// With `--samples`: commit this quantile of the sampled plans' volumes
    /// (the heuristic, proved on the optimal plan) instead of solving the
    /// two-stage program.
    #[arg(long, requires = "samples", value_parser = unit_interval)]
    pub quantile: Option<f64>,
    /// Weight of the CVaR of the samples' costs in the two-stage objective
    /// (0: expected cost only).
    #[arg(long, value_name = "LAMBDA", default_value_t = 0.0, requires = "samples", value_parser = non_negative)]
    pub risk_aversion: f64,
    /// Level of that CVaR: the mean of the worst 1 - alpha of the samples.
    #[arg(long, value_name = "ALPHA", default_value_t = 0.95, requires = "samples", value_parser = below_one)]
    pub cvar_alpha: f64,
    /// Evaluate the portfolio and the deterministic recommendation on M
    /// fresh samples (seed + 1).
    #[arg(long, value_name = "M", default_value_t = 0, requires = "samples")]
    pub out_of_sample: u64,
    /// Price per unit a supplier ships beyond the commitment, in the
    /// samples' second stage [default: the contract price].
    #[arg(long, value_name = "P", requires = "samples", value_parser = non_negative)]
    pub spot_price: Option<f64>,
    /// Also evaluate the portfolio without each contract in turn (one
    /// evaluation on the samples per contract).
    #[arg(long, requires = "samples")]
    pub drop_values: bool,
    /// How the two-stage program is solved: one model holding every sample
    /// (extensive), the L-shaped decomposition with one warm re-solved
    /// model per sample (benders), or by the extensive form's size (auto).
    #[arg(long, value_enum, default_value_t = MethodArg::Auto, requires = "samples")]
    pub method: MethodArg,
    /// Only these actors' facilities get candidate contracts
    /// (comma-separated actor ids; default: every facility).
    #[arg(
        long,
        value_name = "ACTOR,...",
        value_delimiter = ',',
        requires = "samples"
    )]
    pub suppliers: Vec<String>,
    #[command(flatten)]
    pub common: AnalysisArgs,
}

/// `--grouping` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupingArg {
    /// One flat rate per calendar year.
    Year,
    /// One flat rate per calendar quarter.
    Quarter,
    /// Every period on its own.
    Period,
}

impl From<GroupingArg> for Grouping {
    fn from(arg: GroupingArg) -> Self {
        match arg {
            GroupingArg::Year => Grouping::Year,
            GroupingArg::Quarter => Grouping::Quarter,
            GroupingArg::Period => Grouping::Period,
        }
    }
}

/// `--method` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MethodArg {
    /// The extensive form up to about 150,000 columns, Benders beyond.
    Auto,
    /// One model holding every sample.
    Extensive,
    /// The L-shaped (Benders) decomposition.
    Benders,
}

impl From<MethodArg> for SaaMethod {
    fn from(arg: MethodArg) -> Self {
        match arg {
            MethodArg::Auto => SaaMethod::Auto,
            MethodArg::Extensive => SaaMethod::Extensive,
            MethodArg::Benders => SaaMethod::Benders,
        }
    }
}

/// A finite number >= 0.
fn non_negative(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() && value >= 0.0 => Ok(value),
        _ => Err(format!("`{text}` is not a finite number >= 0")),
    }
}

/// A number in [0, 1].
fn unit_interval(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if (0.0..=1.0).contains(&value) => Ok(value),
        _ => Err(format!("`{text}` is not a number in [0, 1]")),
    }
}

/// A number in [0, 1).
fn below_one(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if (0.0..1.0).contains(&value) => Ok(value),
        _ => Err(format!("`{text}` is not a number in [0, 1)")),
    }
}

/// Runs `caisson recommend`.
pub fn run(args: &Args, shell: &mut Shell) -> CmdResult {
    let loaded = load::scenario(shell, &args.scenario)?;
    let scenario = &loaded.scenario;
    if let (Some(samples), None) = (args.samples, args.quantile) {
        return run_saa(args, shell, scenario, samples);
    }
    let options = RecommendOptions {
        grouping: args.grouping.into(),
        shape: if args.flat {
            Shape::Flat
        } else {
            Shape::Capped
        },
        min_volume: args.min_volume,
        penalty: args.penalty,
        price: args.price,
        max_rounds: usize::from(args.rounds),
        quantile: args.quantile.unwrap_or(0.1),
        plan: args.common.plan_options()?,
    };
    let samples = match args.samples {
        Some(n) => sampled_plans(shell, scenario, n, args, &options)?,
        None => Vec::new(),
    };
    let spinner = shell.spinner("planning the scenario");
    let base = plan_base(scenario, &options.plan);
    spinner.set_message("round 1: re-planning with the contracts signed");
    let result = recommend(scenario, &base, &samples, &options, &|round| {
        spinner.set_message(format!(
            "round {}: re-planning with {} period commitments lowered to what round {} shipped \
             (shortfall {})",
            round.round + 1,
            round.lowered.len(),
            round.round,
            fmt_units(round.shortfall)
        ));
    });
    spinner.finish_and_clear();
    let recommendation = result.map_err(|error| match error {
        RecommendError::BadOption { .. } => Failure::InvalidInputMessage(error.to_string()),
        other => Failure::Internal(anyhow!(other)),
    })?;
    if let Some(out) = &args.toml {
        write_variant(out, &args.scenario, scenario, &recommendation)?;
        shell.note(format_args!(
            "wrote {} (plan it with `caisson plan {}`)",
            out.display(),
            out.display()
        ));
    }
    args.common.emit(shell, &recommendation, render)?;
    Ok(Exit::Success)
}

/// The actors named by `--suppliers` (`None` when none are named).
fn suppliers(
    scenario: &caisson_model::Scenario,
    ids: &[String],
) -> Result<Option<Vec<caisson_model::ActorId>>, Failure> {
    if ids.is_empty() {
        return Ok(None);
    }
    let mut actors = Vec::with_capacity(ids.len());
    let mut unknown = Vec::new();
    for id in ids {
        match scenario.actors.iter().position(|a| a.id == *id) {
            Some(index) => actors.push(caisson_model::ActorId::new(index)),
            None => unknown.push(format!("`{id}`")),
        }
    }
    if unknown.is_empty() {
        Ok(Some(actors))
    } else {
        Err(Failure::InvalidInputMessage(format!(
            "--suppliers: no actor {} in the scenario\n  hint: the actors are {}",
            unknown.join(", "),
            scenario
                .actors
                .iter()
                .map(|a| a.id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )))
    }
}

/// `recommend --samples N` without `--quantile`: the two-stage program.
fn run_saa(
    args: &Args,
    shell: &mut Shell,
    scenario: &caisson_model::Scenario,
    samples: u64,
) -> CmdResult {
    refuse_without_uncertainty(scenario, args)?;
    if args.flat || args.rounds != 5 || args.min_volume != 0.0 {
        shell.warn(format_args!(
            "--flat, --rounds and --min-volume shape the heuristic's contracts; \
             the two-stage program (--samples without --quantile) ignores them"
        ));
    }
    let options = SaaOptions {
        samples,
        seed: args.seed,
        risk_aversion: args.risk_aversion,
        cvar_alpha: args.cvar_alpha,
        out_of_sample: args.out_of_sample,
        out_of_sample_seed: args.seed.wrapping_add(1),
        grouping: args.grouping.into(),
        penalty: args.penalty,
        price: args.price,
        spot_price: args.spot_price,
        drop_values: args.drop_values,
        suppliers: suppliers(scenario, &args.suppliers)?,
        budget: None,
        expansions_allowed: None,
        method: args.method.into(),
        end_users: None,
        spot_only: false,
        buyers: None,
        plan: args.common.plan_options()?,
    };
    let spinner = shell.spinner("drawing the samples");
    let result = recommend_samples(scenario, &options, &|step| {
        spinner.set_message(step.to_owned());
    });
    spinner.finish_and_clear();
    let recommendation = result.map_err(|error| match error {
        RecommendError::BadOption { .. } | RecommendError::Samples(_) => {
            Failure::InvalidInputMessage(error.to_string())
        }
        other => Failure::Internal(anyhow!(other)),
    })?;
    if let Some(out) = &args.toml {
        let extends = extends_path(out, &args.scenario)?;
        std::fs::write(out, portfolio_toml(scenario, &recommendation, &extends))
            .with_context(|| format!("writing {}", out.display()))
            .map_err(Failure::Internal)?;
        shell.note(format_args!(
            "wrote {} (plan it with `caisson plan {}`)",
            out.display(),
            out.display()
        ));
    }
    args.common.emit(shell, &recommendation, render_saa)?;
    Ok(Exit::Success)
}

/// Refuses `--samples` for a scenario without `[[uncertainty]]`.
fn refuse_without_uncertainty(
    scenario: &caisson_model::Scenario,
    args: &Args,
) -> Result<(), Failure> {
    if scenario.uncertainty.is_empty() {
        return Err(Failure::InvalidInputMessage(format!(
            "--samples: {} has no [[uncertainty]] entries, so every sample would be the \
             base scenario; add some (see docs/uncertainty.md) or leave --samples out",
            args.scenario.display()
        )));
    }
    Ok(())
}

/// The plans of `n` Monte Carlo samples, with a progress bar.
fn sampled_plans(
    shell: &mut Shell,
    scenario: &caisson_model::Scenario,
    n: u64,
    args: &Args,
    options: &RecommendOptions,
) -> Result<Vec<caisson_plan::Plan>, Failure> {
    refuse_without_uncertainty(scenario, args)?;
    let simulate_options = SimulateOptions {
        samples: n,
        seed: args.seed,
        plan: options.plan.clone(),
        ..SimulateOptions::default()
    };
    let bar = shell.bar(usize::try_from(n).unwrap_or(usize::MAX), "sampling");
    let plans = sample_plans(scenario, &simulate_options, &|| bar.inc(1));
    bar.finish_and_clear();
    plans.map_err(|e| Failure::InvalidInputMessage(e.to_string()))
}

/// Writes the variant file `out`, extending the scenario at `scenario_path`
/// by a path relative to `out`'s directory.
fn write_variant(
    out: &Path,
    scenario_path: &Path,
    scenario: &caisson_model::Scenario,
    recommendation: &Recommendation,
) -> Result<(), Failure> {
    let extends = extends_path(out, scenario_path)?;
    let text = variant_toml(scenario, recommendation, &extends);
    std::fs::write(out, text)
        .with_context(|| format!("writing {}", out.display()))
        .map_err(Failure::Internal)
}

/// The path of the scenario at `scenario_path` relative to the directory
/// of the variant file `out`.
fn extends_path(out: &Path, scenario_path: &Path) -> Result<String, Failure> {
    let target = scenario_path
        .canonicalize()
        .with_context(|| format!("resolving {}", scenario_path.display()))?;
    let dir = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dir = dir
        .canonicalize()
        .with_context(|| format!("resolving the directory of {}", out.display()))?;
    Ok(relative_path(&dir, &target))
}

/// `target` relative to the directory `from` (both absolute), with `/`
/// separators so that the variant file reads the same on every system.
fn relative_path(from: &Path, target: &Path) -> String {
    let from: Vec<Component<'_>> = from.components().collect();
    let to: Vec<Component<'_>> = target.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_owned(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// Groups beyond which the table lists volumes line by line.
const MAX_COLUMNS: usize = 8;

/// The recommendation as terminal text: the contracts, the rounds and the
/// effect of signing them.
pub fn render(r: &Recommendation) -> String {
    let mut s = String::new();
    let source = match r.quantile {
        Some(q) => format!("quantile {q} of {} plans", r.plans),
        None => "the optimal plan".to_owned(),
    };
    let shape = match r.shape {
        Shape::Capped => ", capped at the optimal plan's shipments",
        Shape::Flat => "",
    };
    let _ = writeln!(
        s,
        "Recommended contracts for {} (from {source}; one rate per {}{shape})",
        r.scenario,
        r.grouping.name()
    );
    if r.contracts.is_empty() {
        let _ = writeln!(s, "\nno contract to recommend");
    } else {
        render_contracts(&mut s, r);
    }
    if !r.already_contracted.is_empty() {
        let _ = writeln!(
            s,
            "\nalready under contract, left as is: {}",
            r.already_contracted.join(", ")
        );
    }
    if let Some(last) = r.rounds.last() {
        let lowered: usize = r.rounds.iter().map(|round| round.lowered.len()).sum();
        let how = if last.replanned {
            format!("re-planned with them signed in round {}", last.round)
        } else {
            format!(
                "round {}'s re-plan, with its shortfalls lowered to what it shipped",
                last.round - 1
            )
        };
        let _ = writeln!(
            s,
            "\nhonoured with no shortfall: {how} ({lowered} period commitments lowered on the way)"
        );
    }
    let _ = writeln!(s, "\neffect of signing them:");
    s.push_str(&crate::cmd::compare::render(&r.comparison));
    s
}

/// The two-stage recommendation as terminal text: the portfolio, the
/// expansions, and how it fares against the deterministic recommendation.
pub fn render_saa(r: &StochasticRecommendation) -> String {
    let mut s = String::new();
    let risk = if r.risk_aversion > 0.0 {
        format!(
            " + {} x CVaR {}",
            fmt_num(r.risk_aversion),
            fmt_num(r.cvar_alpha)
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        s,
        "Contracts for every future of {} ({} samples, seed {}; {} {}, gap {:.2e}; \
         objective: expected cost{risk})",
        r.scenario, r.samples, r.seed, r.method, r.status, r.mip_gap
    );
    let _ = writeln!(
        s,
        "{} candidate contracts, {} signed, {} expansions funded",
        r.candidates,
        r.contracts.len(),
        r.expansions.len()
    );
    if !r.contracts.is_empty() {
        let _ = writeln!(s);
        for c in &r.contracts {
            let volumes: Vec<String> = c
                .volumes
                .iter()
                .filter(|v| v.volume > 0.0)
                .map(|v| {
                    let marginal = v
                        .marginal_value
                        .filter(|m| m.abs() > 0.0)
                        .map(|m| format!(" (marginal {})", fmt_num(m)))
                        .unwrap_or_default();
                    format!("{} {}{marginal}", v.group, fmt_units(v.volume))
                })
                .collect();
            let drop = c
                .drop_value
                .map(|d| format!("; dropping it costs {}", fmt_num(d)))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "{} -> {}, {}: {} (price {}, spot {}, penalty {}{drop})",
                c.facility,
                c.buyer,
                c.product,
                volumes.join(", "),
                fmt_num(c.price),
                fmt_num(c.spot_price),
                fmt_num(c.penalty)
            );
        }
        let _ = writeln!(s, "(units per {})", r.grouping.name());
    }
    if !r.expansions.is_empty() {
        let _ = writeln!(s, "\nexpansions funded:");
        for x in &r.expansions {
            let _ = writeln!(
                s,
                "  {} ({} / {}) decided {}, capex {}",
                x.expansion,
                x.facility,
                x.line,
                x.decided,
                fmt_num(x.capex * x.fraction)
            );
        }
    }
    if !r.already_contracted.is_empty() {
        let _ = writeln!(
            s,
            "\nalready under contract, left as is: {}",
            r.already_contracted.join(", ")
        );
    }
    let _ = writeln!(
        s,
        "\n{:<28} {:>18} {:>18} {:>18} {:>14} {:>14} {:>14}",
        "",
        "objective",
        "expected cost",
        "CVaR cost",
        "E shortage",
        "p95 shortage",
        "CVaR shortage"
    );
    let mut row = |name: &str, e: &caisson_analysis::recommend::portfolio::Evaluation| {
        let _ = writeln!(
            s,
            "{:<28} {:>18} {:>18} {:>18} {:>14} {:>14} {:>14}",
            name,
            fmt_num(e.objective),
            fmt_num(e.cost.mean),
            fmt_num(e.cost.cvar),
            fmt_units(e.shortage.mean),
            fmt_units(e.shortage.p95),
            fmt_units(e.shortage.cvar)
        );
    };
    row("stochastic, in sample", &r.in_sample);
    row("deterministic, in sample", &r.deterministic.in_sample);
    if let Some(oos) = &r.out_of_sample {
        row("stochastic, out of sample", &oos.stochastic);
        row("deterministic, out of sample", &oos.deterministic);
    }
    let _ = writeln!(
        s,
        "\nvalue of the stochastic solution: {} in sample{}",
        fmt_num(r.vss),
        r.out_of_sample
            .as_ref()
            .map(|o| format!(
                ", {} on {} fresh samples (seed {})",
                fmt_num(o.vss),
                o.stochastic.samples,
                o.seed
            ))
            .unwrap_or_default()
    );
    let _ = writeln!(
        s,
        "deterministic recommendation: {} contracts, {} units, {} expansions",
        r.deterministic.contracts,
        fmt_units(r.deterministic.volume),
        r.deterministic.expansions.len()
    );
    let _ = writeln!(
        s,
        "{}: {} rows, {} columns ({} integer); built in {:.1} s, solved in {:.1} s; {:.1} s in all",
        if r.model.iterations > 0 {
            "subproblems together"
        } else {
            "extensive form"
        },
        r.model.rows,
        r.model.columns,
        r.model.integer_columns,
        r.model.build_seconds,
        r.model.solve_seconds,
        r.seconds
    );
    s
}

fn render_contracts(s: &mut String, r: &Recommendation) {
    let groups: Vec<&str> = r.contracts[0]
        .volumes
        .iter()
        .map(|v| v.group.as_str())
        .collect();
    let width = |f: fn(&caisson_analysis::recommend::RecommendedContract) -> &str, title: &str| {
        r.contracts
            .iter()
            .map(|c| f(c).len())
            .max()
            .unwrap_or(0)
            .max(title.len())
    };
    let (wf, wb, wp) = (
        width(|c| &c.facility, "facility"),
        width(|c| &c.buyer, "buyer"),
        width(|c| &c.product, "product"),
    );
    let lowered_any = r
        .contracts
        .iter()
        .flat_map(|c| &c.volumes)
        .any(|v| v.volume > 0.0 && v.flat_rate.is_none());
    if groups.len() <= MAX_COLUMNS {
        let _ = write!(
            s,
            "\n{:wf$}  {:wb$}  {:wp$}",
            "facility", "buyer", "product"
        );
        for g in &groups {
            let _ = write!(s, "  {g:>13}");
        }
        let _ = writeln!(s, "  {:>10}", "penalty");
        for c in &r.contracts {
            let _ = write!(s, "{:wf$}  {:wb$}  {:wp$}", c.facility, c.buyer, c.product);
            for v in &c.volumes {
                let mark = if v.volume > 0.0 && v.flat_rate.is_none() {
                    "*"
                } else {
                    " "
                };
                let _ = write!(s, "  {:>12}{mark}", fmt_units(v.volume));
            }
            let _ = writeln!(s, "  {:>10}", fmt_num(c.penalty));
        }
        let _ = writeln!(s, "(units per {})", r.grouping.name());
    } else {
        for c in &r.contracts {
            let _ = writeln!(
                s,
                "\n{} -> {}, {} (penalty {}):",
                c.facility,
                c.buyer,
                c.product,
                fmt_num(c.penalty)
            );
            for v in c.volumes.iter().filter(|v| v.volume > 0.0) {
                let mark = if v.flat_rate.is_none() { " *" } else { "" };
                let _ = writeln!(s, "  {:>10}  {:>12}{mark}", v.group, fmt_units(v.volume));
            }
        }
    }
    if lowered_any {
        let _ = writeln!(
            s,
            "* not one flat rate: some periods are capped or lowered to what the plans ship"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_to_the_common_ancestor() {
        let check = |from: &str, to: &str, expected: &str| {
            assert_eq!(relative_path(Path::new(from), Path::new(to)), expected);
        };
        check("/a/b", "/a/b/base.toml", "base.toml");
        check("/a/b/out", "/a/b/base.toml", "../base.toml");
        check("/a/x/y", "/a/b/base.toml", "../../b/base.toml");
    }

    #[test]
    fn only_finite_non_negative_numbers_pass() {
        assert_eq!(non_negative("2.5"), Ok(2.5));
        assert_eq!(non_negative("0"), Ok(0.0));
        for bad in ["-1", "nan", "inf", "x"] {
            assert!(non_negative(bad).is_err(), "{bad}");
        }
    }
}
