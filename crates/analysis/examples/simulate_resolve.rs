//! Times `simulate` (and optionally `compare`) with each way of solving
//! (cold, reuse, reuse + start from the base's solution) in one process and
//! checks that they agree, like `risk_resolve`.
//!
//! ```text
//! cargo run --release -p caisson-analysis --example simulate_resolve -- \
//!     examples/europe-2025/long-war-uncertainty.toml --samples 10 --mip-gap 1e-4 \
//!     [--compare examples/europe-2025/serbia-lost.toml ...] [--modes cold,reuse,warm]
//! cargo run --release -p caisson-analysis --example simulate_resolve -- \
//!     --generated medium --seed 3 --samples 10 --mip-gap 1e-4
//! ```
//!
//! `--generated SIZE` plans a generated scenario (`small`, `medium`) with an
//! uncertainty section added here: demand multipliers, outages, yields and
//! one shared route delay with probability 0.2 (those samples are planned
//! from scratch in every mode).

// A measuring script: its report on the terminal is its purpose.
#![allow(clippy::disallowed_macros)]

use std::process::ExitCode;

use caisson_analysis::compare::{compare_with, Case, Comparison};
use caisson_analysis::simulate::{simulate_with, SimulateOptions, Simulation};
use caisson_analysis::{Resolve, ResolveTiming};
use caisson_generate::{generate, GenerateOptions, Size};
use caisson_model::{Distribution, PeriodRange, Scenario, Targets, Uncertainty, UncertaintyKind};
use caisson_planner::PlanOptions;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut path = None;
    let mut generated = None;
    let mut variants = Vec::new();
    let mut options = SimulateOptions {
        samples: 10,
        seed: 1,
        plan: PlanOptions {
            mip_gap: 1e-4,
            ..PlanOptions::default()
        },
        ..SimulateOptions::default()
    };
    let mut modes = vec![Resolve::Cold, Resolve::Reuse, Resolve::WarmStart];
    while let Some(arg) = args.next() {
        let mut value = |what: &str| args.next().ok_or_else(|| format!("{arg} needs {what}"));
        let parsed = match arg.as_str() {
            "--samples" => value("a number").and_then(|v| {
                v.parse()
                    .map(|n| options.samples = n)
                    .map_err(|e| e.to_string())
            }),
            "--seed" => value("a number").and_then(|v| {
                v.parse()
                    .map(|n| options.seed = n)
                    .map_err(|e| e.to_string())
            }),
            "--mip-gap" => value("a number").and_then(|v| {
                v.parse()
                    .map(|g| options.plan.mip_gap = g)
                    .map_err(|e| e.to_string())
            }),
            "--generated" => value("a size").and_then(|v| {
                let size = match v.as_str() {
                    "small" => Size::Small,
                    "medium" => Size::Medium,
                    _ => return Err("sizes are small and medium".to_owned()),
                };
                generated = Some(size);
                Ok(())
            }),
            "--compare" => value("a file").map(|v| variants.push(v)),
            "--modes" => value("a list").and_then(|list| {
                list.split(',')
                    .map(|m| match m {
                        "cold" => Ok(Resolve::Cold),
                        "reuse" => Ok(Resolve::Reuse),
                        "warm" => Ok(Resolve::WarmStart),
                        _ => Err("modes are cold, reuse and warm".to_owned()),
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(|list| modes = list)
            }),
            _ if path.is_none() && !arg.starts_with('-') => {
                path = Some(arg.clone());
                Ok(())
            }
            _ => Err(format!("unexpected argument {arg}")),
        };
        if let Err(problem) = parsed {
            return usage(&problem);
        }
    }
    let (name, scenario) = match (path, generated) {
        (Some(path), None) => match load(&path) {
            Ok(s) => (path, s),
            Err(code) => return code,
        },
        (None, Some(size)) => {
            let mut s = generate(&GenerateOptions {
                size,
                seed: options.seed,
            });
            add_uncertainty(&mut s);
            (format!("generated {size:?} seed {}", options.seed), s)
        }
        _ => return usage("give one scenario file or --generated SIZE"),
    };
    let mut others = Vec::new();
    for v in &variants {
        match load(v) {
            Ok(s) => others.push((v.clone(), s)),
            Err(code) => return code,
        }
    }
    println!(
        "{name}: {} samples, seed {}, mip gap {:e}, {} threads",
        options.samples,
        options.seed,
        options.plan.mip_gap,
        rayon::current_num_threads()
    );
    println!("load averages at start: {}", uptime());
    let mut reference: Option<Simulation> = None;
    for &mode in &modes {
        let cpu = cpu_seconds();
        let (sim, timing) = match simulate_with(&scenario, &options, mode, &|| {}) {
            Ok(result) => result,
            Err(error) => {
                eprintln!("{error}");
                return ExitCode::FAILURE;
            }
        };
        let cpu = cpu_seconds().zip(cpu).map(|(after, before)| after - before);
        report("simulate", mode, &timing, cpu);
        match &reference {
            None => reference = Some(sim),
            Some(first) => agree_simulations(first, &sim),
        }
    }
    if !others.is_empty() {
        let base = Case {
            label: &name,
            scenario: &scenario,
        };
        let cases: Vec<Case<'_>> = others
            .iter()
            .map(|(label, scenario)| Case { label, scenario })
            .collect();
        let mut reference: Option<Comparison> = None;
        for &mode in &modes {
            let cpu = cpu_seconds();
            let (comparison, timing) = compare_with(base, &cases, &options.plan, mode, &|| {});
            let cpu = cpu_seconds().zip(cpu).map(|(after, before)| after - before);
            report("compare", mode, &timing, cpu);
            match &reference {
                None => reference = Some(comparison),
                Some(first) => agree_comparisons(first, &comparison),
            }
        }
    }
    println!("load averages at end: {}", uptime());
    ExitCode::SUCCESS
}

fn load(path: &str) -> Result<Scenario, ExitCode> {
    caisson_scenario::load_path(std::path::Path::new(path))
        .map(|loaded| loaded.scenario)
        .map_err(|error| {
            eprintln!("{error}");
            ExitCode::FAILURE
        })
}

fn usage(problem: &str) -> ExitCode {
    eprintln!(
        "{problem}\nusage: simulate_resolve (SCENARIO | --generated small|medium) [--samples N] \
         [--seed S] [--mip-gap G] [--compare VARIANT]... [--modes cold,reuse,warm]"
    );
    ExitCode::from(2)
}

/// Demand multipliers, outages, yields and a shared route delay.
fn add_uncertainty(s: &mut Scenario) {
    let entry = |id: &str, kind| Uncertainty {
        id: id.to_owned(),
        kind,
    };
    s.uncertainty = vec![
        entry(
            "demand",
            UncertaintyKind::DemandMultiplier {
                demands: Targets::All,
                distribution: Distribution::Lognormal {
                    median: 1.0,
                    sigma: 0.2,
                },
                shared: false,
            },
        ),
        entry(
            "outage",
            UncertaintyKind::FacilityOutage {
                facilities: Targets::All,
                probability: 0.01,
                duration: PeriodRange { min: 1, max: 3 },
            },
        ),
        entry(
            "yield",
            UncertaintyKind::CapacityYield {
                facilities: Targets::All,
                distribution: Distribution::Triangular {
                    min: 0.8,
                    mode: 0.95,
                    max: 1.0,
                },
                shared: false,
            },
        ),
        entry(
            "delay",
            UncertaintyKind::RouteDelay {
                from: None,
                to: None,
                probability: 0.2,
                extra: PeriodRange { min: 1, max: 1 },
                shared: true,
            },
        ),
    ];
}

/// The load averages of `/proc/loadavg` (Linux only).
fn uptime() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

/// CPU seconds of this process so far (all threads; Linux only).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

fn report(what: &str, mode: Resolve, timing: &ResolveTiming, cpu: Option<f64>) {
    println!(
        "{what} {mode:?}: {:.1} s wall, {:.1} s CPU (build {:.2} s, baseline {:.1} s), \
         {} solves: {} reused ({} with a start), {} cold fallbacks; load {}",
        timing.total_seconds,
        cpu.unwrap_or(f64::NAN),
        timing.build_seconds,
        timing.baseline_seconds,
        timing.solves,
        timing.reused,
        timing.started,
        timing.fallbacks,
        uptime(),
    );
}

fn relative(a: Option<f64>, b: Option<f64>) -> f64 {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() / a.abs().max(b.abs()).max(1.0),
        (None, None) => 0.0,
        _ => f64::INFINITY,
    }
}

fn agree_simulations(first: &Simulation, other: &Simulation) {
    let worst = first
        .samples
        .iter()
        .zip(&other.samples)
        .map(|(a, b)| relative(a.objective, b.objective))
        .fold(0.0, f64::max);
    let statuses = first
        .samples
        .iter()
        .zip(&other.samples)
        .all(|(a, b)| a.status == b.status);
    println!(
        "  against the first mode: same statuses {statuses}, largest relative objective \
         difference per sample {worst:.2e}, identical output {}",
        first == other
    );
}

fn agree_comparisons(first: &Comparison, other: &Comparison) {
    let mut worst = relative(first.base.objective, other.base.objective);
    for (a, b) in first.variants.iter().zip(&other.variants) {
        worst = worst.max(relative(a.outcome.objective, b.outcome.objective));
    }
    println!(
        "  against the first mode: largest relative objective difference {worst:.2e}, \
         identical output {}",
        first == other
    );
}
