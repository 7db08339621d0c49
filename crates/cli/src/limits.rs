//! Checks of the solver limits given on the command line, shared by every
//! command that solves.

use crate::exit::Failure;

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
