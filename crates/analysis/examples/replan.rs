//! Times one-change re-plans of a scenario: each of a few capacities,
//! demand quantities and policies changed alone, planned from scratch
//! (`Resolve::Cold`, what `caisson plan` does) and warm from the base's
//! simplex bases (`Resolve::WarmBasis`), one solve at a time; checks that
//! both reach the same objective within the MIP gap. The figures of
//! `docs/performance.md`, "One-change re-plans".
//!
//! ```text
//! cargo run --release -p caisson-analysis --example replan -- \
//!     examples/europe-2025/base.toml [--mip-gap 1e-6] [--modes cold,basis]
//! ```

// A measuring script: its report on the terminal is its purpose.
#![allow(clippy::disallowed_macros)]

mod support;

use std::convert::Infallible;
use std::process::ExitCode;

use caisson_analysis::resolve::{Change, Changes, Driver, Guess, How, Job, Settings};
use caisson_analysis::Resolve;
use caisson_model::Scenario;
use caisson_planner::PlanOptions;

/// Capacities, demands and policies changed, each in its own case.
const EDITS_PER_KIND: usize = 4;

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
    let cases = edits(&base);
    println!(
        "{path}: mip gap {:e}, {} one-change cases, one solve at a time",
        options.mip_gap,
        cases.len()
    );
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
        Ok(pool) => pool,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let mut first: Option<Vec<Option<f64>>> = None;
    for mode in modes {
        let settings = Settings {
            mode,
            options: options.clone(),
            changes: Changes::Quantities,
            guess: Guess::Greedy,
        };
        let cpu = support::cpu_seconds();
        let (results, timing) = pool.install(|| {
            let driver = Driver::new(&base, &settings);
            let solved: Result<_, Infallible> = driver.solve_cases(
                cases.len(),
                &|i| {
                    Ok(Job::Solve {
                        scenario: &cases[i].1,
                        change: Change::Edited,
                        keep: (),
                    })
                },
                &|_, _, (), solved| {
                    let warm = matches!(solved.how, How::Reused { warm: true, .. });
                    (solved.plan.objective, solved.seconds, warm)
                },
                &|| {},
            );
            let Ok(solved) = solved;
            solved
        });
        let cpu = support::cpu_seconds()
            .zip(cpu)
            .map(|(after, before)| after - before);
        let mut seconds: Vec<f64> = results.iter().map(|r| r.1).collect();
        seconds.sort_by(f64::total_cmp);
        println!(
            "{mode:?}: {:.1} s CPU in all; base and bases {:.2} s; re-plans median {:.2} s, \
             max {:.2} s, {} of {} proven by the warm LPs",
            cpu.unwrap_or(f64::NAN),
            timing.baseline_seconds,
            seconds[seconds.len() / 2],
            seconds[seconds.len() - 1],
            timing.warm,
            cases.len()
        );
        for ((label, _), (objective, seconds, warm)) in cases.iter().zip(&results) {
            println!(
                "  {label:<48} {seconds:>7.2} s  {}  objective {}",
                if *warm { "warm" } else { "    " },
                objective.map_or("-".to_owned(), |o| format!("{o:.6e}"))
            );
        }
        let objectives: Vec<Option<f64>> = results.iter().map(|r| r.0).collect();
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

/// The one-change cases: a few lines' capacity at 80%, a few demands'
/// quantity at 120%, a few policies lifted; picked evenly over each list.
fn edits(base: &Scenario) -> Vec<(String, Scenario)> {
    let pick = |len: usize| -> Vec<usize> {
        let step = (len / EDITS_PER_KIND).max(1);
        (0..len).step_by(step).take(EDITS_PER_KIND).collect()
    };
    let mut cases = Vec::new();
    for i in pick(base.lines.len()) {
        let mut s = base.clone();
        s.lines[i].capacity.iter_mut().for_each(|c| *c *= 0.8);
        let line = &base.lines[i];
        let facility = &base.facilities[line.facility.index()].id;
        cases.push((format!("capacity of {facility}/{} at 80%", line.id), s));
    }
    for i in pick(base.demands.len()) {
        let mut s = base.clone();
        s.demands[i].quantity.iter_mut().for_each(|q| *q *= 1.2);
        cases.push((format!("demand {} at 120%", base.demands[i].id), s));
    }
    for i in pick(base.policies.len()) {
        let mut s = base.clone();
        s.policies.remove(i);
        cases.push((format!("policy {} lifted", base.policies[i].id), s));
    }
    cases
}

fn usage(problem: &str) -> ExitCode {
    eprintln!("{problem}\nusage: replan SCENARIO [--mip-gap G] [--modes cold,basis]");
    ExitCode::from(2)
}
