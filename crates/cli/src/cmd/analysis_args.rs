//! Options shared by the analysis commands (`compare`, `risk`).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use caisson_planner::PlanOptions;
use serde::Serialize;

use crate::exit::Failure;
use crate::format::Format;

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
    /// Relative MIP gap at which each solve stops.
    #[arg(long, default_value_t = 1e-6)]
    pub mip_gap: f64,
    /// Time limit per solve, in seconds.
    #[arg(long)]
    pub time_limit: Option<f64>,
}

impl AnalysisArgs {
    /// The solver options these arguments ask for, once their limits are
    /// checked.
    pub fn plan_options(&self) -> Result<PlanOptions, Failure> {
        crate::limits::check(self.time_limit, Some(self.mip_gap))?;
        Ok(PlanOptions {
            mip_gap: self.mip_gap,
            time_limit: self.time_limit,
            ..PlanOptions::default()
        })
    }

    /// Writes `result` to `--out` (if given) and to stdout, as JSON or as the
    /// text `render` makes of it.
    pub fn emit<T: Serialize>(
        &self,
        result: &T,
        render: impl Fn(&T) -> String,
    ) -> Result<(), Failure> {
        if let Some(path) = &self.out {
            write_json(path, result)?;
        }
        let mut out = std::io::stdout().lock();
        match self.format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut out, result).context("writing JSON")?;
                let _ = writeln!(out);
            }
            Format::Text => {
                let _ = write!(out, "{}", render(result));
            }
        }
        Ok(())
    }
}

/// Writes `value` as pretty JSON (with a final newline) to `path`.
pub fn write_json(path: &Path, value: &impl Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value).context("serialising JSON")?;
    std::fs::write(path, text + "\n")
        .with_context(|| format!("writing {}", path.display()))
        .map_err(Failure::Internal)
}
