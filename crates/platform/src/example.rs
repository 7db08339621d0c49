//! The European example of `examples/europe-2025/base.toml` split into the
//! parties of a round (`examples/europe-2025/platform/`).

use crate::contract::SignedContract;
use crate::fragment::Fragment;
use crate::org::Organisation;
use crate::reference::ReferencePart;

/// The European example as a round: its reference part, every member with
/// its contribution, and the contracts of `base.toml` as signed contracts.
pub fn europe_example() -> (
    ReferencePart,
    Vec<(Organisation, Fragment)>,
    Vec<SignedContract>,
) {
    todo_example()
}

fn todo_example() -> (
    ReferencePart,
    Vec<(Organisation, Fragment)>,
    Vec<SignedContract>,
) {
    unimplemented!("the example files are being written")
}
