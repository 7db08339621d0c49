//! Where the time of a run of re-solves went: plain data, kept by the
//! re-solve driver (`resolve`, with the `solve` feature) and carried by
//! results such as `risk`'s report.

/// Where the solves of one `risk`, `simulate` or `compare` run went. Not
/// serialised: timings differ from run to run, and reports should not.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResolveTiming {
    /// The whole run, wall clock.
    pub total_seconds: f64,
    /// Building the reused model (0 for a cold run, `Resolve::Cold`).
    pub build_seconds: f64,
    /// Solving the base scenario: for its plan (`risk`), or for its
    /// solution as every case's start (`Resolve::WarmStart`; in
    /// `compare` the base is also a case, solved once).
    pub baseline_seconds: f64,
    /// Plans solved: the cases and, in `risk`, the base (a base solved only
    /// as a start is not counted).
    pub solves: usize,
    /// Of those, solved on the reused model.
    pub reused: usize,
    /// Of those, with a start passed to HiGHS.
    pub started: usize,
    /// Of those, proven by the two warm LPs without a MIP run
    /// (`Resolve::WarmBasis`).
    pub warm: usize,
    /// Solved from scratch although the mode reuses the model (another
    /// structure, or HiGHS failed on the reused model).
    pub fallbacks: usize,
    /// Cases that needed no solve (`Job::Done`).
    pub skipped: usize,
}
