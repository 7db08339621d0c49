//! Times `risk` with each way of re-solving (cold, reuse, reuse + warm
//! start) on one scenario and checks that they agree: the figures of
//! `docs/performance.md`, "Re-solves: reuse and warm start".
//!
//! ```text
//! cargo run --release -p caisson-analysis --example risk_resolve -- \
//!     examples/europe-2025/base.toml --mip-gap 1e-4 [--facilities] [--modes cold,reuse,warm]
//! ```

// A measuring script: its report on the terminal is its purpose.
#![allow(clippy::disallowed_macros)]

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
            "--modes" => {
                let Some(list) = args.next() else {
                    return usage("--modes needs a list");
                };
                let parsed: Option<Vec<Resolve>> = list
                    .split(',')
                    .map(|m| match m {
                        "cold" => Some(Resolve::Cold),
                        "reuse" => Some(Resolve::Reuse),
                        "warm" => Some(Resolve::WarmStart),
                        _ => None,
                    })
                    .collect();
                match parsed {
                    Some(list) => modes = list,
                    None => return usage("modes are cold, reuse and warm"),
                }
            }
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
        let cpu = cpu_seconds();
        let report = analyse_with(&scenario, &options, mode, &|| {});
        let cpu = cpu_seconds().zip(cpu).map(|(after, before)| after - before);
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
         [--modes cold,reuse,warm]"
    );
    ExitCode::from(2)
}

fn impacts(report: &RiskReport) -> impl Iterator<Item = &Impact> {
    report.criticality.iter().chain(&report.policies)
}

/// CPU seconds of this process so far (all threads; Linux only): on a
/// shared machine a fairer measure of work than wall time.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are
    // fields 14 and 15 of the whole line, in clock ticks (100 per second).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    Some((ticks(11)? + ticks(12)?) / 100.0)
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
         {} re-solves ({} warm-started, {} cold fallbacks): mean {mean:.2} s, \
         median {median:.2} s, max {max:.2} s",
        timing.total_seconds,
        cpu.unwrap_or(f64::NAN),
        timing.build_seconds,
        timing.baseline_seconds,
        timing.solves,
        timing.warm_started,
        timing.fallbacks,
    );
}

/// Reports how far `other` is from `first`: ranking and objectives.
fn agree(first: &RiskReport, other: &RiskReport) {
    let order = |r: &RiskReport| -> Vec<String> {
        impacts(r)
            .map(|i| format!("{:?}", i.subject))
            .collect::<Vec<_>>()
    };
    let same_order = order(first) == order(other);
    let base = first.baseline.objective.unwrap_or(f64::NAN);
    let mut worst = (other.baseline.objective.unwrap_or(f64::NAN) - base).abs() / base.abs();
    for a in impacts(first) {
        if let Some(b) = impacts(other).find(|b| b.subject == a.subject) {
            let (x, y) = (
                a.edited.objective.unwrap_or(f64::NAN),
                b.edited.objective.unwrap_or(f64::NAN),
            );
            worst = worst.max((x - y).abs() / x.abs().max(1.0));
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
