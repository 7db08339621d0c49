//! Options shared by the analysis commands (`compare`, `risk`, `simulate`,
//! `recommend`).

use std::path::{Path, PathBuf};

use anyhow::Context;
use caisson_planner::PlanOptions;
use serde::Serialize;

use crate::exit::Failure;
use crate::format::Format;
use crate::shell::Shell;
use crate::solver::SolverArgs;

/// Output and solver options of an analysis command.
#[derive(Debug, clap::Args)]
pub struct AnalysisArgs {
    /// Also write the result as JSON to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub solver: SolverArgs,
}

impl AnalysisArgs {
    /// The solver options of the analysis's parallel solves, once the
    /// flags are checked.
    pub fn plan_options(&self) -> Result<PlanOptions, Failure> {
        self.solver.parallel_plan_options()
    }

    /// Writes `result` to `--out` (if given) and to stdout, as JSON or as the
    /// text `render` makes of it.
    pub fn emit<T: Serialize>(
        &self,
        shell: &mut Shell,
        result: &T,
        render: impl Fn(&T) -> String,
    ) -> Result<(), Failure> {
        if let Some(path) = &self.out {
            write_json(path, result)?;
        }
        match self.format {
            Format::Json => shell.print_json(result),
            Format::Text => shell.print(render(result)),
        }
    }
}

/// Writes `value` as pretty JSON (with a final newline) to `path`.
pub fn write_json(path: &Path, value: &impl Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).context("serialising JSON")?;
    std::fs::write(path, text + "\n")
        .with_context(|| format!("writing {}", path.display()))
        .map_err(Failure::Internal)
}
