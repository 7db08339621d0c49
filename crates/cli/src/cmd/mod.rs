//! One module per subcommand, each with its `Args` and `run`.

pub mod analysis_args;
pub mod bench;
pub mod breakeven;
pub mod compare;
pub mod demo;
pub mod explain;
pub mod export;
pub mod generate;
pub mod import;
pub mod ledger;
pub mod plan;
pub mod recommend;
pub mod report;
pub mod risk;
pub mod sensitivity;
pub mod simulate;
pub mod validate;
pub mod verify;
