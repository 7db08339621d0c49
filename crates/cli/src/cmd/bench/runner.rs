//! Running each case in a child process of its own, so that the child's
//! peak memory belongs to that case alone, and picking the median of the
//! repeats.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, Context};
use caisson_generate::{generate, GenerateOptions};
use caisson_planner::PlanOptions;

use super::cases::{Case, Source};
use super::measure::{Measurement, Mode};
use crate::exit::{Exit, Failure};
use crate::shell::Shell;
use crate::solver::RelaxFirstArg;

/// Writes a generated case's scenario into `dir` (not timed) or gives the
/// case's file.
pub fn scenario_file(case: &Case, seed: u64, dir: &Path) -> Result<PathBuf, Failure> {
    match &case.source {
        Source::File(path) => Ok(path.clone()),
        Source::Generated(size) => {
            let path = dir.join(format!("{size}-{seed}.toml"));
            if !path.exists() {
                let scenario = generate(&GenerateOptions { size: *size, seed });
                std::fs::write(&path, caisson_scenario::to_toml(&scenario))
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            Ok(path)
        }
    }
}

/// Runs the case once in a child process (`caisson bench --one FILE`) and
/// reads the measurement it prints.
pub fn run_child(
    shell: &mut Shell,
    path: &Path,
    mode: Mode,
    options: &PlanOptions,
) -> Result<Measurement, Failure> {
    let mut command = Command::new(own_executable()?);
    command
        .arg("bench")
        .arg("--one")
        .arg(path)
        .arg("--mode")
        .arg(mode.name())
        .arg("--mip-gap")
        .arg(options.mip_gap.to_string());
    if let Some(limit) = options.time_limit {
        command.arg("--time-limit").arg(limit.to_string());
    }
    if let Some(threads) = options.threads {
        command.arg("--threads").arg(threads.to_string());
    }
    if !options.greedy_start {
        command.arg("--no-start");
    }
    command
        .arg("--relax-first")
        .arg(RelaxFirstArg::from(options.relax_first).name());
    for (name, value) in &options.highs {
        command.arg("--highs").arg(format!("{name}={value}"));
    }
    let output = command
        .output()
        .context("starting the benchmark child process")?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        Some(0) => {}
        Some(code) if code == i32::from(Exit::InvalidInput.code()) => {
            shell.diagnostics(&stderr);
            return Err(Failure::InvalidInput);
        }
        _ => {
            return Err(Failure::Internal(anyhow!(
                "the benchmark of {} failed ({}): {}",
                path.display(),
                output.status,
                stderr.trim()
            )))
        }
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line)
        .with_context(|| format!("reading the benchmark child's output `{line}`"))
        .map_err(Failure::Internal)
}

/// This very binary. On Linux `/proc/self/exe` names it even after a
/// rebuild replaced the file on disk (a benchmark run can outlast a
/// `cargo build`), so children always run the parent's code.
fn own_executable() -> Result<PathBuf, Failure> {
    let proc_exe = Path::new("/proc/self/exe");
    if proc_exe.exists() {
        return Ok(proc_exe.to_owned());
    }
    Ok(std::env::current_exe().context("finding the caisson executable")?)
}

/// The run with the median end-to-end time (the lower median for an even
/// count), so that every figure of a row comes from one run; peak memory is
/// the largest of all runs'.
pub fn median(mut runs: Vec<Measurement>) -> Option<Measurement> {
    let peak = runs
        .iter()
        .filter_map(|m| m.memory.as_ref().map(|mem| mem.peak_mib))
        .fold(None, |top: Option<f64>, p| {
            Some(top.map_or(p, |t| t.max(p)))
        });
    runs.sort_by(|a, b| a.total_seconds.total_cmp(&b.total_seconds));
    let index = runs.len().checked_sub(1)? / 2;
    let mut chosen = runs.swap_remove(index);
    if let (Some(mem), Some(peak)) = (chosen.memory.as_mut(), peak) {
        mem.peak_mib = peak;
        mem.peak_over_highs = mem.highs_mib.filter(|&h| h > 0.0).map(|h| peak / h);
    }
    Some(chosen)
}

#[cfg(test)]
mod tests {
    use super::super::measure::Memory;
    use super::*;

    fn run(total: f64, peak: f64) -> Measurement {
        Measurement {
            total_seconds: total,
            memory: Some(Memory {
                peak_mib: peak,
                highs_mib: Some(10.0),
                ..Memory::default()
            }),
            ..Measurement::default()
        }
    }

    #[test]
    fn the_median_run_is_kept_with_the_largest_peak() {
        let chosen = median(vec![run(3.0, 50.0), run(1.0, 70.0), run(2.0, 60.0)]);
        let chosen = chosen.unwrap_or_default();
        assert_eq!(chosen.total_seconds, 2.0);
        let mem = chosen.memory.unwrap_or_default();
        assert_eq!(mem.peak_mib, 70.0);
        assert_eq!(mem.peak_over_highs, Some(7.0));
    }

    #[test]
    fn an_even_count_takes_the_lower_median_and_none_gives_none() {
        let chosen = median(vec![
            run(4.0, 1.0),
            run(1.0, 1.0),
            run(3.0, 1.0),
            run(2.0, 1.0),
        ]);
        assert_eq!(chosen.map(|m| m.total_seconds), Some(2.0));
        assert_eq!(median(Vec::new()), None);
    }
}
