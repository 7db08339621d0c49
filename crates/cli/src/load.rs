//! Loading scenarios for commands: diagnostics go to stderr, failures map to
//! the "invalid input" exit code.

use std::path::Path;

use caisson_scenario::Loaded;

use crate::exit::Failure;

/// Loads and validates the scenario at `path`, printing its warnings (or its
/// diagnostics, on failure) to stderr.
pub fn scenario(path: &Path) -> Result<Loaded, Failure> {
    match caisson_scenario::load_path(path) {
        Ok(loaded) => {
            if !loaded.warnings.is_empty() {
                eprint!("{}", caisson_scenario::render(&loaded.warnings));
            }
            Ok(loaded)
        }
        Err(error) => {
            eprint!("{error}");
            Err(Failure::InvalidInput)
        }
    }
}
