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
//! `--generated SIZE` plans a generated scenario (`small`, `medium`) with the
//! uncertainty section of the re-solve tests (`tests/support`): demand
//! multipliers, outages, yields and one shared route delay in about one
//! sample in three (those samples are planned from scratch in every mode).

// A measuring script: its report on the terminal is its purpose.
#![allow(clippy::disallowed_macros)]

mod support;
#[path = "../tests/support/mod.rs"]
mod uncertain;

use std::process::ExitCode;

use caisson_analysis::compare::{compare_with, Comparison, Variant};
use caisson_analysis::simulate::{simulate_with, SimulateOptions, Simulation};
use caisson_analysis::{Resolve, ResolveTiming};
use caisson_generate::Size;
use caisson_model::Scenario;
use caisson_planner::PlanOptions;
use support::{cpu_seconds, relative};

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
            "--modes" => value("a list")
                .and_then(|list| support::parse_modes(&list).map(|list| modes = list)),
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
        (None, Some(size)) => (
            format!("generated {size:?} seed {}", options.seed),
            uncertain::uncertain(size, options.seed),
        ),
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
        let base = Variant {
            label: &name,
            scenario: &scenario,
        };
        let cases: Vec<Variant<'_>> = others
            .iter()
            .map(|(label, scenario)| Variant { label, scenario })
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

/// The load averages of `/proc/loadavg` (Linux only).
fn uptime() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
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
