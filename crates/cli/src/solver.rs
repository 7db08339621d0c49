//! The solver options of every command that solves ([`SolverArgs`], one
//! flattened set of flags) and their checks.

use caisson_planner::{PlanOptions, RelaxFirst};

use crate::exit::Failure;

/// Solver flags shared by every command that solves (`plan`, `compare`,
/// `risk`, `simulate`, `recommend`, `report`, `bench`): same names,
/// defaults, help and checks everywhere.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Solver options")]
pub struct SolverArgs {
    /// Stop each solve after this many seconds (a MIP stopped early keeps
    /// its best plan, status `feasible` with its gap, or ends `time_limit`).
    #[arg(long, value_name = "S")]
    pub time_limit: Option<f64>,
    /// Relative MIP gap at which a solution counts as optimal.
    #[arg(long, value_name = "G", default_value_t = 1e-6)]
    pub mip_gap: f64,
    /// Solver threads (default: HiGHS decides). Commands that solve many
    /// plans (compare, risk, simulate, recommend) run this many solves at
    /// once instead, one HiGHS thread each.
    #[arg(long, value_name = "N")]
    pub threads: Option<u32>,
    /// Do not give HiGHS the greedy plan as a first solution of a MIP
    /// (by default it does, so that a run stopped early still has a plan).
    #[arg(long)]
    pub no_start: bool,
    /// Whether a MIP first tries its LP relaxation with rounded expansion
    /// decisions: a plan they prove within the gap needs no branch and
    /// bound (`auto`: for models of 10,000 columns and more; see
    /// docs/performance.md).
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = RelaxFirstArg::Auto)]
    pub relax_first: RelaxFirstArg,
    /// Set a HiGHS option (repeatable), e.g. `--highs mip_lp_solver=ipm`;
    /// names and values as in HiGHS's documentation.
    #[arg(long, value_name = "NAME=VALUE")]
    pub highs: Vec<String>,
}

/// `--relax-first` (see [`RelaxFirst`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RelaxFirstArg {
    /// For models of 10,000 columns and more.
    Auto,
    /// For every MIP.
    Always,
    /// Never: branch and bound from the greedy start.
    Never,
}

impl RelaxFirstArg {
    /// The flag's value, as typed.
    pub fn name(self) -> &'static str {
        match self {
            RelaxFirstArg::Auto => "auto",
            RelaxFirstArg::Always => "always",
            RelaxFirstArg::Never => "never",
        }
    }
}

impl From<RelaxFirst> for RelaxFirstArg {
    fn from(when: RelaxFirst) -> Self {
        match when {
            RelaxFirst::Auto => RelaxFirstArg::Auto,
            RelaxFirst::Always => RelaxFirstArg::Always,
            RelaxFirst::Never => RelaxFirstArg::Never,
        }
    }
}

impl From<RelaxFirstArg> for RelaxFirst {
    fn from(arg: RelaxFirstArg) -> Self {
        match arg {
            RelaxFirstArg::Auto => RelaxFirst::Auto,
            RelaxFirstArg::Always => RelaxFirst::Always,
            RelaxFirstArg::Never => RelaxFirst::Never,
        }
    }
}

impl SolverArgs {
    /// The options of one solve, once the flags are checked (a bad value is
    /// invalid input, exit 1).
    pub fn plan_options(&self) -> Result<PlanOptions, Failure> {
        check(self.time_limit, Some(self.mip_gap))?;
        Ok(PlanOptions {
            time_limit: self.time_limit,
            mip_gap: self.mip_gap,
            threads: self.threads,
            greedy_start: !self.no_start,
            relax_first: self.relax_first.into(),
            highs: highs_options(&self.highs)?,
            ..PlanOptions::default()
        })
    }

    /// The options of many solves run side by side: each solve has one
    /// HiGHS thread (the analysis crate sets it), and `--threads` sizes the
    /// pool of solves running at once.
    pub fn parallel_plan_options(&self) -> Result<PlanOptions, Failure> {
        let options = self.plan_options()?;
        if let Some(threads) = self.threads.filter(|&t| t > 0) {
            // Only fails when the pool already exists, i.e. never in this
            // one-command process; the solves then share rayon's default.
            let _ = rayon::ThreadPoolBuilder::new()
                .num_threads(threads as usize)
                .build_global();
        }
        Ok(PlanOptions {
            threads: Some(1),
            ..options
        })
    }
}

/// Splits `--highs NAME=VALUE` arguments and checks them against HiGHS's
/// option table.
fn highs_options(raw: &[String]) -> Result<Vec<(String, String)>, Failure> {
    let highs = raw
        .iter()
        .map(|arg| match arg.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => {
                Ok((name.trim().to_owned(), value.trim().to_owned()))
            }
            _ => Err(Failure::InvalidInputMessage(format!(
                "--highs expects NAME=VALUE (a HiGHS option, e.g. mip_lp_solver=ipm), not `{arg}`"
            ))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let options = PlanOptions {
        highs,
        ..PlanOptions::default()
    };
    options
        .check_highs()
        .map_err(|e| Failure::InvalidInputMessage(format!("--highs: {e}")))?;
    Ok(options.highs)
}

/// Refuses a time limit that is not a positive number of seconds and a MIP
/// gap that is not a number >= 0.
fn check(time_limit: Option<f64>, mip_gap: Option<f64>) -> Result<(), Failure> {
    if let Some(limit) = time_limit.filter(|l| !(l.is_finite() && *l > 0.0)) {
        return Err(Failure::InvalidInputMessage(format!(
            "--time-limit must be a positive number of seconds, not {limit}"
        )));
    }
    if let Some(gap) = mip_gap.filter(|g| !(g.is_finite() && *g >= 0.0)) {
        return Err(Failure::InvalidInputMessage(format!(
            "--mip-gap must be a number >= 0, not {gap}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(time_limit: Option<f64>, mip_gap: f64) -> SolverArgs {
        SolverArgs {
            time_limit,
            mip_gap,
            threads: None,
            no_start: false,
            relax_first: RelaxFirstArg::Auto,
            highs: Vec::new(),
        }
    }

    #[test]
    fn bad_limits_are_invalid_input() {
        for bad in [
            args(Some(0.0), 1e-6),
            args(Some(f64::NAN), 1e-6),
            args(None, -1.0),
        ] {
            assert!(matches!(
                bad.plan_options(),
                Err(Failure::InvalidInputMessage(_))
            ));
        }
        let good = args(Some(2.5), 0.0).plan_options();
        assert!(good.is_ok_and(|o| o.time_limit == Some(2.5) && o.mip_gap == 0.0 && o.greedy_start));
    }
}
