//! Checks of the solver limits given on the command line, shared by every
//! command that solves.

use caisson_planner::PlanOptions;

use crate::exit::Failure;

/// Splits `--highs NAME=VALUE` arguments and checks them against HiGHS's
/// option table.
pub fn highs_options(raw: &[String]) -> Result<Vec<(String, String)>, Failure> {
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
pub fn check(time_limit: Option<f64>, mip_gap: Option<f64>) -> Result<(), Failure> {
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
