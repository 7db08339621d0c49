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
}

impl Optimum {
    /// The objective and a copy of the values.
    pub fn clone_values(&self) -> (f64, Vec<f64>) {
        (self.objective, self.values.clone())
    }
}

/// Runs the LP `model` after forgetting its previous run, from `basis` when
/// given (HiGHS then skips presolve), else from scratch. The model comes
/// back with the optimum, or with the status it stopped with (a time limit,
/// or an optimal run whose basis HiGHS could not give, reported as
/// `Optimal`); `None` when HiGHS failed (the instance is gone).
pub(crate) fn run(
    mut model: Model,
    basis: Option<&Basis>,
) -> Option<(Model, Result<Optimum, HighsModelStatus>)> {
    ffi::reset_solver(&mut model).ok()?;
    if let Some(basis) = basis {
        ffi::set_basis(&mut model, basis).ok()?;
    }
    let solved = model.try_solve().ok()?;
    let status = solved.status();
    if status != HighsModelStatus::Optimal {
        return Some((solved.into(), Err(status)));
    }
    let objective = solved.objective_value();
    let solution = solved.get_solution();
    let values = solution.columns().to_vec();
    let row_duals = solution.dual_rows().to_vec();
    let mut model: Model = solved.into();
    let optimum = ffi::get_basis(&mut model).map(|basis| Optimum {
        objective,
        values,
        row_duals,
        basis,
    });
    Some((model, optimum.map_err(|_| status)))
}
