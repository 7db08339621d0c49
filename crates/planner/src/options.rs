//! Solver options.

/// How to solve a planning model.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanOptions {
    /// Wall-clock limit in seconds for the solve (`None`: no limit).
    pub time_limit: Option<f64>,
    /// Relative MIP gap at which a solution counts as optimal (default
    /// 1e-6, spec section 7).
    pub mip_gap: f64,
    /// HiGHS threads (`None`: HiGHS decides). Give 1 per solve when solving
    /// several scenarios in parallel.
    pub threads: Option<u32>,
    /// Compute capacity shadow prices (for a MIP this costs one extra LP
    /// solve with the expansion decisions fixed).
    pub capacity_duals: bool,
    /// Let HiGHS print its log to the console.
    pub verbose: bool,
    /// Give HiGHS the greedy baseline's plan as a first incumbent of a MIP,
    /// so that a run stopped by its time limit still has a plan (the
    /// optimum does not depend on it).
    pub greedy_start: bool,
    /// Whether to solve a MIP's LP relaxation first, round its expansion
    /// decisions and solve the LP with them fixed; when the two LPs are
    /// within [`PlanOptions::mip_gap`] that plan is the answer, without
    /// branch and bound (`crate::relax` explains why it is exact).
    /// Otherwise the MIP runs, started from the rounded plan.
    pub relax_first: RelaxFirst,
    /// Further HiGHS options by name, each value as HiGHS would read it
    /// from an options file (e.g. `("mip_lp_solver", "ipm")`), for experts
    /// tuning big models; set after the options above.
    pub highs: Vec<(String, String)>,
}

/// When [`PlanOptions::relax_first`] applies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RelaxFirst {
    /// For MIPs of at least [`RelaxFirst::AUTO_COLUMNS`] columns. Smaller
    /// ones solve in well under a second by branch and bound alone, which
    /// the relaxation first could only slow down (and, among equally good
    /// plans, may pick another one than before).
    #[default]
    Auto,
    /// For every MIP.
    Always,
    /// Never: branch and bound from the greedy start, as before.
    Never,
}

impl RelaxFirst {
    /// The model size from which [`RelaxFirst::Auto`] tries the relaxation
    /// first.
    pub const AUTO_COLUMNS: usize = 10_000;

    /// Whether to try the relaxation first on a MIP of `columns` columns.
    pub fn applies(self, columns: usize) -> bool {
        match self {
            RelaxFirst::Auto => columns >= Self::AUTO_COLUMNS,
            RelaxFirst::Always => true,
            RelaxFirst::Never => false,
        }
    }
}

impl PlanOptions {
    /// Checks [`PlanOptions::highs`] against HiGHS's own option table (on
    /// an empty model), so that a misspelt name or a bad value is reported
    /// before any work is done. The error names the first bad option.
    pub fn check_highs(&self) -> Result<(), String> {
        let mut model = highs::ColProblem::default().optimise(highs::Sense::Minimise);
        model.make_quiet();
        for (name, value) in &self.highs {
            model
                .try_set_option(name.as_str(), value.as_str())
                .map_err(|_| {
                    format!(
                        "HiGHS has no option `{name}` that accepts the value `{value}` \
                         (see https://ergo-code.github.io/HiGHS/stable/options/definitions/)"
                    )
                })?;
        }
        Ok(())
    }
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self {
            time_limit: None,
            mip_gap: 1e-6,
            threads: None,
            capacity_duals: true,
            verbose: false,
            greedy_start: true,
            relax_first: RelaxFirst::Auto,
            highs: Vec::new(),
        }
    }
}
