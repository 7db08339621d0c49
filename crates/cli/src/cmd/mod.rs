//! One module per subcommand, each with its `Args` and `run`.

pub mod explain;
pub mod plan;
pub mod validate;
