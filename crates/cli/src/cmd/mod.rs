//! One module per subcommand, each with its `Args` and `run`.

pub mod analysis_args;
pub mod compare;
pub mod demo;
pub mod explain;
pub mod generate;
pub mod plan;
pub mod report;
pub mod risk;
pub mod validate;
