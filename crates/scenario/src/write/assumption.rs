//! Writing `[[assumption]]` entries (an extension of the spec, see
//! `docs/assumptions.md`) in the form `read/assumption.rs` reads back.

use std::fmt::Write;

use caisson_model::{Assumption, Scenario};

use super::{number, string};
use crate::read::TARGET_FIELDS;

/// One `[[assumption]]` entry: each target field lists its ids in the
/// order the model holds them.
pub(super) fn write_assumption(out: &mut String, s: &Scenario, a: &Assumption) -> std::fmt::Result {
    writeln!(out, "\n[[assumption]]")?;
    writeln!(out, "id = {}", string(&a.id))?;
    writeln!(out, "reason = {}", string(&a.reason))?;
    writeln!(out, "low = {}", number(a.low))?;
    writeln!(out, "high = {}", number(a.high))?;
    for (name, _) in TARGET_FIELDS {
        let ids: Vec<String> = a
            .targets
            .iter()
            .filter(|t| t.field() == name)
            .map(|t| string(&t.id_text(s)))
            .collect();
        if !ids.is_empty() {
            writeln!(out, "{name} = [{}]", ids.join(", "))?;
        }
    }
    Ok(())
}
