//! Loading scenarios for commands: diagnostics go to stderr, failures map to
//! the "invalid input" exit code.

use std::path::Path;

use caisson_scenario::Loaded;

use crate::exit::Failure;
use crate::shell::Shell;

/// Loads and validates the scenario at `path`, printing its warnings (or its
/// diagnostics, on failure) on stderr.
pub fn scenario(shell: &mut Shell, path: &Path) -> Result<Loaded, Failure> {
    match caisson_scenario::load_path(path) {
        Ok(loaded) => {
            if !loaded.warnings.is_empty() {
                shell.diagnostics(&caisson_scenario::render(&loaded.warnings));
            }
            Ok(loaded)
        }
        Err(error) => {
            shell.diagnostics(&error.to_string());
            Err(Failure::InvalidInput)
        }
    }
}
