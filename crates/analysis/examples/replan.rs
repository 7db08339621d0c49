//! Times one-change re-plans of a scenario: each of a few capacities,
//! demand quantities and policies changed alone (the cases of
//! `caisson_analysis::replan::one_change_cases`, which `caisson bench
//! --replan` also runs), planned from scratch (`Resolve::Cold`, what
//! `caisson plan` does) and warm from the base's simplex bases
//! (`Resolve::WarmBasis`), one solve at a time; checks that both reach the
//! same objective within the MIP gap. The figures of `docs/performance.md`,
//! "One-change re-plans".
//!
//! ```text
//! cargo run --release -p caisson-analysis --example replan -- \
//!     examples/europe-2025/base.toml [--mip-gap 1e-6] [--modes cold,basis]
//! ```

// A measuring script: its report on the terminal is its purpose.
#![allow(clippy::disallowed_macros)]

mod support;

use std::process::ExitCode;

use caisson_analysis::replan::{one_change_cases, replan, CHANGES_PER_KIND};
use caisson_analysis::Resolve;
use caisson_planner::PlanOptions;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut path = None;
    let mut options = PlanOptions::default();
    let mut modes = vec![Resolve::Cold, Resolve::WarmBasis];
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--mip-gap" => match args.next().and_then(|g| g.parse().ok()) {
                Some(gap) => options.mip_gap = gap,
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
    let base = match caisson_scenario::load_path(std::path::Path::new(&path)) {
        Ok(loaded) => loaded.scenario,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let cases = one_change_cases(&base, CHANGES_PER_KIND);
    println!(
        "{path}: mip gap {:e}, {} one-change cases, one solve at a time",
        options.mip_gap,
        cases.len()
    );
    let mut first: Option<Vec<Option<f64>>> = None;
    for mode in modes {
        let cpu = support::cpu_seconds();
        let run = match replan(&base, &cases, mode, &options, &|| {}) {
            Ok(run) => run,
            Err(error) => {
                eprintln!("{error}");
                return ExitCode::FAILURE;
            }
        };
        let cpu = support::cpu_seconds()
            .zip(cpu)
            .map(|(after, before)| after - before);
        let mut seconds: Vec<f64> = run.cases.iter().map(|r| r.seconds).collect();
        seconds.sort_by(f64::total_cmp);
        let proven = run.cases.iter().filter(|r| r.proven_by_lps()).count();
        println!(
            "{mode:?}: {:.1} s CPU in all; base and bases {:.2} s; re-plans median {:.2} s, \
             max {:.2} s, {proven} of {} proven by the warm LPs",
            cpu.unwrap_or(f64::NAN),
            run.base_seconds,
            seconds.get(seconds.len() / 2).copied().unwrap_or(f64::NAN),
            seconds.last().copied().unwrap_or(f64::NAN),
            cases.len()
        );
        for (case, result) in cases.iter().zip(&run.cases) {
            println!(
                "  {:<48} {:>7.2} s  {}  objective {}",
                case.label,
                result.seconds,
                if result.proven_by_lps() {
                    "warm"
                } else {
                    "    "
                },
                result
                    .objective
                    .map_or("-".to_owned(), |o| format!("{o:.6e}"))
            );
        }
        let objectives: Vec<Option<f64>> = run.cases.iter().map(|r| r.objective).collect();
        match &first {
            None => first = Some(objectives),
            Some(reference) => {
                let worst = reference
                    .iter()
                    .zip(&objectives)
                    .map(|(a, b)| support::relative(*a, *b))
                    .fold(0.0, f64::max);
                println!(
                    "  largest relative objective difference from the first mode: {worst:.2e}"
                );
            }
        }
    }
    ExitCode::SUCCESS
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("{problem}\nusage: replan SCENARIO [--mip-gap G] [--modes cold,basis]");
    ExitCode::from(2)
}
