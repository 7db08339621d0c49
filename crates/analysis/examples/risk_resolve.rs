//! Times `risk` with each way of re-solving (cold, reuse, reuse + warm
//! start) on one scenario and checks that they agree: the figures of
//! `docs/performance.md`, "Re-solves: reuse and warm start".
//!
//! ```text
//! cargo run --release -p caisson-analysis --example risk_resolve -- \
//!     examples/europe-2025/base.toml --mip-gap 1e-4 [--facilities] [--modes cold,reuse,warm,basis]
//! ```

// A measuring script: its report on the terminal is its purpose.
#![allow(clippy::disallowed_macros)]

mod support;

use std::process::ExitCode;

use caisson_analysis::risk::{analyse_with, Impact, Resolve, RiskOptions, RiskReport};
use caisson_planner::PlanOptions;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut path = None;
    let mut options = RiskOptions {
        plan: PlanOptions {
            mip_gap: 1e-4,
            ..PlanOptions::default()
        },
        ..RiskOptions::default()
    };
    let mut modes = vec![Resolve::Cold, Resolve::Reuse, Resolve::WarmStart];
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--facilities" => options.facilities = true,
            "--lists" => options.policy_lists = true,
            "--mip-gap" => match args.next().and_then(|g| g.parse().ok()) {
                Some(gap) => options.plan.mip_gap = gap,
                None => return usage("--mip-gap needs a number"),
            },
            "--modes" => match args.next().map(|list| support::parse_modes(&list)) {
                Some(Ok(list)) => modes = list,
                Some(Err(problem)) => return usage(&problem),
                None => return usage("--modes needs a list"),
            },
            _ if path.is_none() => path = Some(arg),
            _ => return usage("one scenario only"),
        }
    }
    let Some(path) = path else {
        return usage("give a scenario file");
    };
    let scenario = match caisson_scenario::load_path(std::path::Path::new(&path)) {
        Ok(loaded) => loaded.scenario,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "{path}: mip gap {:e}, facilities {}, {} threads",
        options.plan.mip_gap,
        options.facilities,
        rayon::current_num_threads()
    );
    let mut reference: Option<RiskReport> = None;
    for mode in modes {
        let cpu = support::cpu_seconds();
        let report = analyse_with(&scenario, &options, mode, &|| {});
        let cpu = support::cpu_seconds()
            .zip(cpu)
            .map(|(after, before)| after - before);
        summarise(mode, &report, cpu);
        match &reference {
            None => reference = Some(report),
            Some(first) => agree(first, &report),
        }
    }
    ExitCode::SUCCESS
}

fn usage(problem: &str) -> ExitCode {
    eprintln!(
        "{problem}\nusage: risk_resolve SCENARIO [--mip-gap G] [--facilities] [--lists] \
         [--modes cold,reuse,warm,basis]"
    );
    ExitCode::from(2)
}

fn impacts(report: &RiskReport) -> impl Iterator<Item = &Impact> {
    report.criticality.iter().chain(&report.policies)
}

fn summarise(mode: Resolve, report: &RiskReport, cpu: Option<f64>) {
    let timing = report.timing.clone().unwrap_or_default();
    let mut solves: Vec<f64> = impacts(report).filter_map(|i| i.solve_seconds).collect();
    solves.sort_by(f64::total_cmp);
    let mean = solves.iter().sum::<f64>() / solves.len().max(1) as f64;
    let median = solves.get(solves.len() / 2).copied().unwrap_or(0.0);
    let max = solves.last().copied().unwrap_or(0.0);
    println!(
        "{mode:?}: total {:.1} s wall, {:.1} s CPU (build {:.2} s, baseline {:.1} s), \
         {} re-solves ({} warm-started, {} proven by warm LPs, {} cold fallbacks, {} skipped): \
         mean {mean:.2} s, \
         median {median:.2} s, max {max:.2} s",
        timing.total_seconds,
        cpu.unwrap_or(f64::NAN),
        timing.build_seconds,
        timing.baseline_seconds,
        // The baseline is one of the driver's solves.
        timing.solves.saturating_sub(1),
        timing.started,
        timing.warm,
        timing.fallbacks,
        timing.skipped,
    );
    let mut slowest: Vec<(f64, String)> = impacts(report)
        .filter_map(|i| Some((i.solve_seconds?, format!("{:?}", i.subject))))
        .collect();
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (seconds, subject) in slowest.iter().take(3) {
        println!("  slowest: {seconds:.2} s  {subject}");
    }
}

/// Reports how far `other` is from `first`: ranking and objectives.
fn agree(first: &RiskReport, other: &RiskReport) {
    let order = |r: &RiskReport| -> Vec<String> {
        impacts(r)
            .map(|i| format!("{:?}", i.subject))
            .collect::<Vec<_>>()
    };
    let same_order = order(first) == order(other);
    let mut worst = support::relative(first.baseline.objective, other.baseline.objective);
    for a in impacts(first) {
        if let Some(b) = impacts(other).find(|b| b.subject == a.subject) {
            worst = worst.max(support::relative(a.edited.objective, b.edited.objective));
        }
    }
    println!(
        "  against the first mode: same ranking {same_order}, largest relative objective \
         difference {worst:.2e}"
    );
    if !same_order {
        for (a, b) in order(first).iter().zip(order(other)) {
            if *a != b {
                println!("    {a}  vs  {b}");
            }
        }
    }
}
