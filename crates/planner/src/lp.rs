//! One LP run on a loaded HiGHS instance, optionally from a simplex basis:
//! what the warm re-plans (`crate::warm`) and the relaxation first
//! (`crate::relax`) both do.

use highs::{HighsModelStatus, Model};

use crate::ffi::{self, Basis};

/// An LP run that ended optimal.
pub(crate) struct Optimum {
    /// The objective value.
    pub objective: f64,
    /// Every column's value.
    pub values: Vec<f64>,
    /// Every row's dual value.
    pub row_duals: Vec<f64>,
    /// The optimal basis.
    pub basis: Basis,
    /// Simplex iterations the run took.
    pub iterations: u64,
}

/// Runs the LP `model` after forgetting its previous run, from `basis` when
/// given (HiGHS then skips presolve), else from scratch. The model comes
/// back with the optimum, or with the status it stopped with (a time limit,
/// or an optimal run whose basis HiGHS could not give, reported as
/// `Optimal`); `None` when HiGHS failed (the instance is gone).
pub(crate) fn run(
    model: Model,
    basis: Option<&Basis>,
) -> Option<(Model, Result<Optimum, HighsModelStatus>)> {
    run_within(model, basis, None)
}

/// HiGHS's option for the simplex iteration limit.
const ITERATION_LIMIT: &str = "simplex_iteration_limit";

/// [`run`], stopping after `iterations` simplex iterations when given
/// (status `ReachedIterationLimit`); the limit is lifted again after.
pub(crate) fn run_within(
    mut model: Model,
    basis: Option<&Basis>,
    iterations: Option<u64>,
) -> Option<(Model, Result<Optimum, HighsModelStatus>)> {
    ffi::reset_solver(&mut model).ok()?;
    if let Some(basis) = basis {
        ffi::set_basis(&mut model, basis).ok()?;
    }
    if let Some(n) = iterations {
        let n = i32::try_from(n).unwrap_or(i32::MAX);
        model.try_set_option(ITERATION_LIMIT, n).ok()?;
    }
    let solved = model.try_solve().ok()?;
    let status = solved.status();
    let outcome = (status == HighsModelStatus::Optimal).then(|| {
        let solution = solved.get_solution();
        (
            solved.objective_value(),
            solution.columns().to_vec(),
            solution.dual_rows().to_vec(),
        )
    });
    let mut model: Model = solved.into();
    if iterations.is_some() {
        model.try_set_option(ITERATION_LIMIT, i32::MAX).ok()?;
    }
    let Some((objective, values, row_duals)) = outcome else {
        return Some((model, Err(status)));
    };
    let iterations = ffi::simplex_iterations(&model).unwrap_or(0);
    let optimum = ffi::get_basis(&mut model).map(|basis| Optimum {
        objective,
        values,
        row_duals,
        basis,
        iterations,
    });
    Some((model, optimum.map_err(|_| status)))
}
