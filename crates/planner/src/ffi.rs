//! The few HiGHS calls the safe `highs` crate does not wrap: naming columns
//! and rows, writing the model file, turning a solved MIP into an LP with its
//! integer decisions fixed (for capacity duals), and changing many bounds at
//! once, changing costs and matrix coefficients, and forgetting a previous
//! solve (for re-solves, `crate::resolve`), and reading and setting a
//! simplex basis and counting a run's simplex iterations (for warm
//! re-plans, `crate::warm`, and the relaxation first, `crate::relax`),
//! making columns integer again, copying an instance's LP into a new
//! instance (for a branch's LP on another thread, `crate::relax`), and
//! presolving an LP as HiGHS presolves a MIP, then postsolving a primal
//! solution, and reading an interior-point run's primal-dual objective
//! error (for the relaxation from its support, `crate::support`).
//!
//! `unsafe` is allowed in this module only. Every call here is sound because:
//! - the pointer comes from `highs::Model::as_mut_ptr`, which owns a live
//!   HiGHS instance for as long as the `&mut Model` borrow we hold;
//! - every string passed is a `CString` that outlives the call (HiGHS copies
//!   names and reads the file name only during the call);
//! - every index is checked against the model's column or row count first,
//!   and array arguments point to slices of exactly the length HiGHS reads.
#![allow(unsafe_code)]

use std::ffi::CString;
use std::os::raw::c_void;
use std::path::Path;

use highs::Model;
use highs_sys::HighsInt;

/// Why a raw HiGHS call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FfiError {
    /// A name or path contains a NUL byte.
    #[error("`{0}` contains a NUL byte")]
    Nul(String),
    /// An index does not fit HiGHS's integer type or the model.
    #[error("index {0} is out of range for the model")]
    Index(usize),
    /// HiGHS returned an error status.
    #[error("HiGHS call {0} failed")]
    Highs(&'static str),
}

fn check(status: HighsInt, call: &'static str) -> Result<(), FfiError> {
    if status == highs_sys::STATUS_ERROR {
        Err(FfiError::Highs(call))
    } else {
        Ok(())
    }
}

fn index(i: usize, len: usize) -> Result<HighsInt, FfiError> {
    if i >= len {
        return Err(FfiError::Index(i));
    }
    HighsInt::try_from(i).map_err(|_| FfiError::Index(i))
}

fn c_string(text: &str) -> Result<CString, FfiError> {
    CString::new(text).map_err(|_| FfiError::Nul(text.to_owned()))
}

/// Gives every column and row its name. `columns` and `rows` must hold one
/// name per column and row.
pub(crate) fn pass_names(
    model: &mut Model,
    columns: impl Iterator<Item = String>,
    rows: impl Iterator<Item = String>,
) -> Result<(), FfiError> {
    let (num_cols, num_rows) = (model.num_cols(), model.num_rows());
    let ptr: *mut c_void = model.as_mut_ptr();
    for (i, name) in columns.enumerate() {
        let col = index(i, num_cols)?;
        let name = c_string(&name)?;
        // SAFETY: see the module comment; `col < num_cols`.
        check(
            unsafe { highs_sys::Highs_passColName(ptr, col, name.as_ptr()) },
            "Highs_passColName",
        )?;
    }
    for (i, name) in rows.enumerate() {
        let row = index(i, num_rows)?;
        let name = c_string(&name)?;
        // SAFETY: see the module comment; `row < num_rows`.
        check(
            unsafe { highs_sys::Highs_passRowName(ptr, row, name.as_ptr()) },
            "Highs_passRowName",
        )?;
    }
    Ok(())
}

/// Writes the model to `path`; HiGHS picks the format from the extension
/// (`.mps`, `.lp`).
pub(crate) fn write_model(model: &mut Model, path: &Path) -> Result<(), FfiError> {
    let text = path.to_string_lossy();
    let name = c_string(&text)?;
    // SAFETY: see the module comment.
    check(
        unsafe { highs_sys::Highs_writeModel(model.as_mut_ptr(), name.as_ptr()) },
        "Highs_writeModel",
    )
}

/// Fixes each listed column at its value and drops all integrality, so the
/// next run solves an LP whose row duals are defined.
pub(crate) fn fix_and_relax(model: &mut Model, fixed: &[(usize, f64)]) -> Result<(), FfiError> {
    let num_cols = model.num_cols();
    let ptr = model.as_mut_ptr();
    for &(col, value) in fixed {
        let col = index(col, num_cols)?;
        // SAFETY: see the module comment; `col < num_cols`.
        check(
            unsafe { highs_sys::Highs_changeColBounds(ptr, col, value, value) },
            "Highs_changeColBounds",
        )?;
    }
    // SAFETY: see the module comment.
    check(
        unsafe { highs_sys::Highs_clearIntegrality(ptr) },
        "Highs_clearIntegrality",
    )
}

/// Drops all integrality: the next run solves the LP relaxation.
pub(crate) fn clear_integrality(model: &mut Model) -> Result<(), FfiError> {
    // SAFETY: see the module comment.
    check(
        unsafe { highs_sys::Highs_clearIntegrality(model.as_mut_ptr()) },
        "Highs_clearIntegrality",
    )
}

/// Makes the listed columns integer again (after [`clear_integrality`]).
pub(crate) fn set_integer(model: &mut Model, cols: &[usize]) -> Result<(), FfiError> {
    let num_cols = model.num_cols();
    let set: Vec<HighsInt> = cols
        .iter()
        .map(|&col| index(col, num_cols))
        .collect::<Result<_, _>>()?;
    if set.is_empty() {
        return Ok(());
    }
    let integrality = vec![highs_sys::VAR_TYPE_INTEGER; set.len()];
    // SAFETY: see the module comment; every index is below `num_cols` and
    // both arrays hold exactly `set.len()` entries.
    check(
        unsafe {
            highs_sys::Highs_changeColsIntegralityBySet(
                model.as_mut_ptr(),
                count(set.len())?,
                set.as_ptr(),
                integrality.as_ptr(),
            )
        },
        "Highs_changeColsIntegralityBySet",
    )
}

/// A simplex basis: HiGHS's basis status of every column and row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Basis {
    cols: Vec<HighsInt>,
    rows: Vec<HighsInt>,
}

/// An instance's LP as it stands (costs, bounds, the matrix column-wise,
/// no integrality), to be loaded into a new instance by [`load_lp`]: a
/// HiGHS instance cannot move to another thread (`highs::Model` is not
/// `Send`), its data can. The layout is HiGHS's own, so the copy's simplex
/// from a basis takes the path the original's would.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LpCopy {
    offset: f64,
    col_cost: Vec<f64>,
    col_lower: Vec<f64>,
    col_upper: Vec<f64>,
    row_lower: Vec<f64>,
    row_upper: Vec<f64>,
    a_start: Vec<HighsInt>,
    a_index: Vec<HighsInt>,
    a_value: Vec<f64>,
}

/// Copies the LP `model` holds (see [`LpCopy`]).
pub(crate) fn copy_lp(model: &Model) -> Result<LpCopy, FfiError> {
    copy(model, Source::Held)
}

/// Copies `source`'s LP of `model`.
fn copy(model: &Model, source: Source) -> Result<LpCopy, FfiError> {
    // First the sizes, then the arrays sized by them.
    let sizes = get_lp(model, source, None)?;
    if sizes.sense != highs_sys::OBJECTIVE_SENSE_MINIMIZE {
        return Err(FfiError::Highs("Highs_getLp (not a minimisation)"));
    }
    let size = |n: HighsInt| usize::try_from(n).map_err(|_| FfiError::Index(0));
    let (cols, rows, nz) = (size(sizes.cols)?, size(sizes.rows)?, size(sizes.nonzeros)?);
    let mut lp = LpCopy {
        offset: sizes.offset,
        col_cost: vec![0.0; cols],
        col_lower: vec![0.0; cols],
        col_upper: vec![0.0; cols],
        row_lower: vec![0.0; rows],
        row_upper: vec![0.0; rows],
        // HiGHS writes one start per column (not the final one).
        a_start: vec![0; cols],
        a_index: vec![0; nz],
        a_value: vec![0.0; nz],
    };
    let copied = get_lp(model, source, Some(&mut lp))?;
    if (copied.cols, copied.rows, copied.nonzeros) != (sizes.cols, sizes.rows, sizes.nonzeros) {
        return Err(FfiError::Highs("Highs_getLp (the LP changed)"));
    }
    Ok(lp)
}

/// What `Highs_getLp` reports besides the arrays.
struct LpSizes {
    cols: HighsInt,
    rows: HighsInt,
    nonzeros: HighsInt,
    sense: HighsInt,
    offset: f64,
}

/// Where `Highs_getLp` copies the LP's arrays: all null (it then writes
/// the sizes only), or an [`LpCopy`]'s.
struct LpArrays {
    col_cost: *mut f64,
    col_lower: *mut f64,
    col_upper: *mut f64,
    row_lower: *mut f64,
    row_upper: *mut f64,
    a_start: *mut HighsInt,
    a_index: *mut HighsInt,
    a_value: *mut f64,
}

impl LpArrays {
    fn null() -> Self {
        let (f, i) = (std::ptr::null_mut(), std::ptr::null_mut());
        LpArrays {
            col_cost: f,
            col_lower: f,
            col_upper: f,
            row_lower: f,
            row_upper: f,
            a_start: i,
            a_index: i,
            a_value: f,
        }
    }

    fn of(lp: &mut LpCopy) -> Self {
        LpArrays {
            col_cost: lp.col_cost.as_mut_ptr(),
            col_lower: lp.col_lower.as_mut_ptr(),
            col_upper: lp.col_upper.as_mut_ptr(),
            row_lower: lp.row_lower.as_mut_ptr(),
            row_upper: lp.row_upper.as_mut_ptr(),
            a_start: lp.a_start.as_mut_ptr(),
            a_index: lp.a_index.as_mut_ptr(),
            a_value: lp.a_value.as_mut_ptr(),
        }
    }
}

/// Which LP of an instance [`get_lp`] copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// The LP it holds (`Highs_getLp`).
    Held,
    /// Its presolved LP after `Highs_presolve` (`Highs_getPresolvedLp`).
    Presolved,
}

/// `Highs_getLp` (or `Highs_getPresolvedLp`, after `source`) on `model`:
/// the sizes only (`into` is `None`), or the arrays too, into `into`, whose
/// arrays must have the lengths the sizes give.
fn get_lp(model: &Model, source: Source, into: Option<&mut LpCopy>) -> Result<LpSizes, FfiError> {
    let mut sizes = LpSizes {
        cols: 0,
        rows: 0,
        nonzeros: 0,
        sense: 0,
        offset: 0.0,
    };
    let arrays = into.map_or_else(LpArrays::null, LpArrays::of);
    // SAFETY: see the module comment; every array pointer is null (HiGHS
    // checks each before copying and then writes only the scalars) or
    // points to an array of exactly the length HiGHS copies into it (the
    // sizes of an earlier call on the same unchanged LP; `copy_lp` checks
    // they are still the same); the integrality pointer is null.
    let get = match source {
        Source::Held => highs_sys::Highs_getLp,
        Source::Presolved => highs_sys::Highs_getPresolvedLp,
    };
    check(
        unsafe {
            get(
                model.as_ptr(),
                highs_sys::MATRIX_FORMAT_COLUMN_WISE,
                &raw mut sizes.cols,
                &raw mut sizes.rows,
                &raw mut sizes.nonzeros,
                &raw mut sizes.sense,
                &raw mut sizes.offset,
                arrays.col_cost,
                arrays.col_lower,
                arrays.col_upper,
                arrays.row_lower,
                arrays.row_upper,
                arrays.a_start,
                arrays.a_index,
                arrays.a_value,
                std::ptr::null_mut(),
            )
        },
        match source {
            Source::Held => "Highs_getLp",
            Source::Presolved => "Highs_getPresolvedLp",
        },
    )?;
    Ok(sizes)
}

/// A new, quiet HiGHS instance holding `lp` (HiGHS's default options).
pub(crate) fn load_lp(lp: &LpCopy) -> Result<Model, FfiError> {
    let mut model = highs::ColProblem::default()
        .try_optimise(highs::Sense::Minimise)
        .map_err(|_| FfiError::Highs("Highs_create"))?;
    model.make_quiet();
    let num_col = count(lp.col_cost.len())?;
    let num_row = count(lp.row_lower.len())?;
    let num_nz = count(lp.a_value.len())?;
    // SAFETY: see the module comment; the arrays have the lengths HiGHS
    // reads for `num_col`, `num_row` and `num_nz` (one start per column),
    // as `copy_lp` made them, and HiGHS copies them during the call.
    check(
        unsafe {
            highs_sys::Highs_passLp(
                model.as_mut_ptr(),
                num_col,
                num_row,
                num_nz,
                highs_sys::MATRIX_FORMAT_COLUMN_WISE,
                highs_sys::OBJECTIVE_SENSE_MINIMIZE,
                lp.offset,
                lp.col_cost.as_ptr(),
                lp.col_lower.as_ptr(),
                lp.col_upper.as_ptr(),
                lp.row_lower.as_ptr(),
                lp.row_upper.as_ptr(),
                lp.a_start.as_ptr(),
                lp.a_index.as_ptr(),
                lp.a_value.as_ptr(),
            )
        },
        "Highs_passLp",
    )?;
    Ok(model)
}

impl LpCopy {
    /// How many columns the LP has.
    pub(crate) fn num_cols(&self) -> usize {
        self.col_cost.len()
    }

    /// How many rows the LP has.
    pub(crate) fn num_rows(&self) -> usize {
        self.row_lower.len()
    }

    /// The largest absolute cost of a column (0 without columns).
    pub(crate) fn max_abs_cost(&self) -> f64 {
        self.col_cost
            .iter()
            .fold(0.0, |max, cost| max.max(cost.abs()))
    }

    /// The objective's constant term.
    #[cfg(test)]
    pub(crate) fn offset(&self) -> f64 {
        self.offset
    }

    /// Column `col`'s cost, lower and upper bound.
    pub(crate) fn col(&self, col: usize) -> (f64, f64, f64) {
        (self.col_cost[col], self.col_lower[col], self.col_upper[col])
    }

    /// The reduced cost of column `col` under `row_duals` (HiGHS's
    /// convention: `c_j - a_j' y`). `row_duals` must hold one value per row.
    pub(crate) fn reduced_cost(&self, col: usize, row_duals: &[f64]) -> f64 {
        let start = usize::try_from(self.a_start[col]).unwrap_or(0);
        let end = self
            .a_start
            .get(col + 1)
            .map_or(self.a_index.len(), |&e| usize::try_from(e).unwrap_or(0));
        let priced: f64 = (start..end)
            .map(|k| {
                let row = usize::try_from(self.a_index[k]).unwrap_or(0);
                self.a_value[k] * row_duals.get(row).copied().unwrap_or(0.0)
            })
            .sum();
        self.col_cost[col] - priced
    }
}

/// Presolves `model`'s LP (loaded by [`load_lp`], with the caller's
/// options set) as HiGHS presolves a MIP, and copies the presolved LP out.
/// An LP's own presolve keeps what a dual and basis postsolve need; a MIP's
/// presolve does not, and on this project's models the LP it leaves solves
/// about twice as fast (docs/performance.md). To have it, one empty
/// integer column (no rows, cost 0) is added: the LP's own columns stay
/// continuous, so no reduction relies on integrality and the presolved LP's
/// optimum is the LP's. Its solution comes back by
/// [`postsolve_primal`], primal values only.
pub(crate) fn presolve_as_mip(model: &mut Model) -> Result<LpCopy, FfiError> {
    let cols = model.num_cols();
    let dummy = count(cols)?;
    // SAFETY: see the module comment; the new column has no nonzeros, so
    // the index and value pointers are not read.
    check(
        unsafe {
            highs_sys::Highs_addCol(
                model.as_mut_ptr(),
                0.0,
                0.0,
                1.0,
                0,
                std::ptr::null(),
                std::ptr::null(),
            )
        },
        "Highs_addCol",
    )?;
    // SAFETY: see the module comment; `dummy` is the column just added.
    check(
        unsafe {
            highs_sys::Highs_changeColIntegrality(
                model.as_mut_ptr(),
                dummy,
                highs_sys::kHighsVarTypeInteger,
            )
        },
        "Highs_changeColIntegrality",
    )?;
    // SAFETY: see the module comment.
    check(
        unsafe { highs_sys::Highs_presolve(model.as_mut_ptr()) },
        "Highs_presolve",
    )?;
    // SAFETY: see the module comment.
    let presolved_cols = unsafe { highs_sys::Highs_getPresolvedNumCol(model.as_ptr()) };
    if presolved_cols <= 0 {
        return Err(FfiError::Highs("Highs_presolve (nothing left to solve)"));
    }
    copy(model, Source::Presolved)
}

/// The original LP's column values from `values`, a solution of the LP
/// [`presolve_as_mip`] copied out of `model` (one value per presolved
/// column): HiGHS's primal postsolve, without the added integer column.
pub(crate) fn postsolve_primal(model: &mut Model, values: &[f64]) -> Result<Vec<f64>, FfiError> {
    // SAFETY: see the module comment.
    let presolved_cols = unsafe { highs_sys::Highs_getPresolvedNumCol(model.as_ptr()) };
    if usize::try_from(presolved_cols).ok() != Some(values.len()) {
        return Err(FfiError::Index(values.len()));
    }
    // SAFETY: see the module comment; `values` has one value per presolved
    // column, which is what HiGHS reads; the duals are not given (null).
    check(
        unsafe {
            highs_sys::Highs_postsolve(
                model.as_mut_ptr(),
                values.as_ptr(),
                std::ptr::null(),
                std::ptr::null(),
            )
        },
        "Highs_postsolve",
    )?;
    let cols = model.num_cols();
    let mut original = vec![0.0; cols];
    // SAFETY: see the module comment; HiGHS writes one value per column of
    // the model (the postsolved solution's size) into `original`, and
    // nothing through the null pointers.
    check(
        unsafe {
            highs_sys::Highs_getSolution(
                model.as_ptr(),
                original.as_mut_ptr(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            )
        },
        "Highs_getSolution",
    )?;
    // The added integer column is the last one.
    original.pop();
    Ok(original)
}

/// Simplex iterations of the last run on `model`.
pub(crate) fn simplex_iterations(model: &Model) -> Result<u64, FfiError> {
    let name = c_string("simplex_iteration_count")?;
    let mut value: HighsInt = 0;
    // SAFETY: see the module comment; HiGHS writes one integer to `value`.
    check(
        unsafe { highs_sys::Highs_getIntInfoValue(model.as_ptr(), name.as_ptr(), &raw mut value) },
        "Highs_getIntInfoValue",
    )?;
    Ok(u64::try_from(value).unwrap_or(0))
}

/// The relative difference between the primal and dual objectives of the
/// last run on `model` (HiGHS's `primal_dual_objective_error`).
pub(crate) fn objective_error(model: &Model) -> Result<f64, FfiError> {
    let name = c_string("primal_dual_objective_error")?;
    let mut value = 0.0;
    // SAFETY: see the module comment; HiGHS writes one double to `value`.
    check(
        unsafe {
            highs_sys::Highs_getDoubleInfoValue(model.as_ptr(), name.as_ptr(), &raw mut value)
        },
        "Highs_getDoubleInfoValue",
    )?;
    Ok(value)
}

/// The basis of the last LP run on `model` (valid after an optimal LP run).
pub(crate) fn get_basis(model: &mut Model) -> Result<Basis, FfiError> {
    let mut basis = Basis {
        cols: vec![0; model.num_cols()],
        rows: vec![0; model.num_rows()],
    };
    // SAFETY: see the module comment; the arrays have exactly one entry per
    // column and per row, which is what HiGHS writes.
    check(
        unsafe {
            highs_sys::Highs_getBasis(
                model.as_mut_ptr(),
                basis.cols.as_mut_ptr(),
                basis.rows.as_mut_ptr(),
            )
        },
        "Highs_getBasis",
    )?;
    Ok(basis)
}

/// Makes `basis` the starting basis of the next run (HiGHS then skips
/// presolve and starts its simplex there). The basis must come from a
/// model of the same size.
pub(crate) fn set_basis(model: &mut Model, basis: &Basis) -> Result<(), FfiError> {
    if basis.cols.len() != model.num_cols() {
        return Err(FfiError::Index(basis.cols.len()));
    }
    if basis.rows.len() != model.num_rows() {
        return Err(FfiError::Index(basis.rows.len()));
    }
    // SAFETY: see the module comment; the arrays have exactly one entry per
    // column and per row, which is what HiGHS reads.
    check(
        unsafe {
            highs_sys::Highs_setBasis(model.as_mut_ptr(), basis.cols.as_ptr(), basis.rows.as_ptr())
        },
        "Highs_setBasis",
    )
}

/// Sets the bounds of the listed columns (`set[i]` gets `lower[i]`,
/// `upper[i]`). The three slices must have the same length.
pub(crate) fn change_col_bounds(
    model: &mut Model,
    set: &[usize],
    lower: &[f64],
    upper: &[f64],
) -> Result<(), FfiError> {
    let set = checked_set(set, lower, upper, model.num_cols())?;
    if set.is_empty() {
        return Ok(());
    }
    // SAFETY: see the module comment; every index is below `num_cols` and
    // the three arrays hold exactly `set.len()` entries.
    check(
        unsafe {
            highs_sys::Highs_changeColsBoundsBySet(
                model.as_mut_ptr(),
                count(set.len())?,
                set.as_ptr(),
                lower.as_ptr(),
                upper.as_ptr(),
            )
        },
        "Highs_changeColsBoundsBySet",
    )
}

/// Sets the bounds of the listed rows, like [`change_col_bounds`].
pub(crate) fn change_row_bounds(
    model: &mut Model,
    set: &[usize],
    lower: &[f64],
    upper: &[f64],
) -> Result<(), FfiError> {
    let set = checked_set(set, lower, upper, model.num_rows())?;
    if set.is_empty() {
        return Ok(());
    }
    // SAFETY: as in `change_col_bounds`, with `num_rows`.
    check(
        unsafe {
            highs_sys::Highs_changeRowsBoundsBySet(
                model.as_mut_ptr(),
                count(set.len())?,
                set.as_ptr(),
                lower.as_ptr(),
                upper.as_ptr(),
            )
        },
        "Highs_changeRowsBoundsBySet",
    )
}

/// Sets the objective cost of the listed columns (`set[i]` gets
/// `cost[i]`). The two slices must have the same length.
pub(crate) fn change_col_costs(
    model: &mut Model,
    set: &[usize],
    cost: &[f64],
) -> Result<(), FfiError> {
    let set = checked_set(set, cost, cost, model.num_cols())?;
    if set.is_empty() {
        return Ok(());
    }
    // SAFETY: see the module comment; every index is below `num_cols` and
    // both arrays hold exactly `set.len()` entries.
    check(
        unsafe {
            highs_sys::Highs_changeColsCostBySet(
                model.as_mut_ptr(),
                count(set.len())?,
                set.as_ptr(),
                cost.as_ptr(),
            )
        },
        "Highs_changeColsCostBySet",
    )
}

/// Sets the matrix coefficients `(row, column, value)`. Every value must be
/// non-zero: HiGHS deletes an entry set to 0, which would change the
/// matrix's layout and so a later solve's path.
pub(crate) fn change_coefficients(
    model: &mut Model,
    entries: &[(usize, usize, f64)],
) -> Result<(), FfiError> {
    let (num_rows, num_cols) = (model.num_rows(), model.num_cols());
    let ptr = model.as_mut_ptr();
    for &(row, col, value) in entries {
        let (row, col) = (index(row, num_rows)?, index(col, num_cols)?);
        if value == 0.0 || !value.is_finite() {
            return Err(FfiError::Highs(
                "Highs_changeCoeff (zero or infinite value)",
            ));
        }
        // SAFETY: see the module comment; `row < num_rows`, `col < num_cols`.
        check(
            unsafe { highs_sys::Highs_changeCoeff(ptr, row, col, value) },
            "Highs_changeCoeff",
        )?;
    }
    Ok(())
}

/// Makes the next run independent of the previous ones: forgets the
/// previous solve's solution, basis and status (HiGHS otherwise starts a MIP
/// from a previous solution that still fits the new bounds, so a re-solve
/// would depend on what was solved before), and zeroes the clocks (they
/// add up over runs, and the time limit applies to the sum).
pub(crate) fn reset_solver(model: &mut Model) -> Result<(), FfiError> {
    let ptr = model.as_mut_ptr();
    // SAFETY: see the module comment.
    check(
        unsafe { highs_sys::Highs_clearSolver(ptr) },
        "Highs_clearSolver",
    )?;
    // SAFETY: see the module comment.
    check(
        unsafe { highs_sys::Highs_zeroAllClocks(ptr) },
        "Highs_zeroAllClocks",
    )
}

/// Converts a set of indices for HiGHS, checking them against `len` and the
/// value slices' lengths.
fn checked_set(
    set: &[usize],
    lower: &[f64],
    upper: &[f64],
    len: usize,
) -> Result<Vec<HighsInt>, FfiError> {
    if lower.len() != set.len() || upper.len() != set.len() {
        return Err(FfiError::Index(set.len()));
    }
    set.iter().map(|&i| index(i, len)).collect()
}

fn count(len: usize) -> Result<HighsInt, FfiError> {
    HighsInt::try_from(len).map_err(|_| FfiError::Index(len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use highs::{ColProblem, HighsModelStatus, Sense};

    /// min x + 2y + 3z subject to x + y >= 2, y + z >= 3, x + z <= 4 (a
    /// row with no column between them too), x, y, z in [0, 5]; worked
    /// optimum: y = 2 and z = 1 cost 7, against y = 3 at 6 (x = 0): 6.
    fn small() -> Model {
        let mut problem = ColProblem::default();
        let r1 = problem.add_row(2.0..);
        let r2 = problem.add_row(3.0..);
        let _empty = problem.add_row(..10.0);
        let r3 = problem.add_row(..4.0);
        problem.add_column(1.0, 0.0..5.0, [(r1, 1.0), (r3, 1.0)]);
        problem.add_column(2.0, 0.0..5.0, [(r1, 1.0), (r2, 1.0)]);
        problem.add_column(3.0, 0.0..5.0, [(r2, 1.0), (r3, 1.0)]);
        let mut model = problem.optimise(Sense::Minimise);
        model.make_quiet();
        model
    }

    #[test]
    fn a_copied_lp_is_the_same_lp_with_the_same_optimum() {
        let original = small();
        let copy = copy_lp(&original).expect("copied");
        assert_eq!(copy.col_cost, [1.0, 2.0, 3.0]);
        assert_eq!(copy.row_lower.len(), 4);
        assert_eq!(copy.a_value.len(), 6);
        let loaded = load_lp(&copy).expect("loaded");
        assert_eq!(copy_lp(&loaded).expect("copied again"), copy);
        let solved = loaded.solve();
        assert_eq!(solved.status(), HighsModelStatus::Optimal);
        assert!((solved.objective_value() - 6.0).abs() < 1e-9);
        let solved = original.solve();
        assert!((solved.objective_value() - 6.0).abs() < 1e-9);
    }

    #[test]
    fn a_copy_carries_changed_bounds() {
        let mut model = small();
        // y at most 1: x = 1, y = 1, z = 2 costs 1 + 2 + 6 = 9.
        change_col_bounds(&mut model, &[1], &[0.0], &[1.0]).expect("changed");
        let copy = copy_lp(&model).expect("copied");
        assert_eq!(copy.col_upper, [5.0, 1.0, 5.0]);
        let solved = load_lp(&copy).expect("loaded").solve();
        assert!((solved.objective_value() - 9.0).abs() < 1e-9);
    }
}
