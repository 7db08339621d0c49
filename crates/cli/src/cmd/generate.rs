//! `caisson generate`: write a synthetic scenario (see `caisson-generate`).

use std::fs;
use std::path::PathBuf;

use anyhow::Context;
use caisson_generate::{generate, GenerateOptions, Shape, Size};

use crate::exit::{CmdResult, Exit, Failure};
use crate::shell::Shell;

/// Arguments of `caisson generate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Preset size: small (8 facilities), medium (40), large (150) or xl
    /// (500 facilities, 30 products, 100 demands, 120 months).
    #[arg(long, default_value = "small", value_parser = parse_size)]
    pub size: Size,
    /// Seed: the same size and seed always give the same scenario.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Override the preset's number of facilities (at least 3).
    #[arg(long, value_name = "N")]
    pub facilities: Option<usize>,
    /// Override the preset's number of products (at least 3).
    #[arg(long, value_name = "N")]
    pub products: Option<usize>,
    /// Override the preset's number of demands (at least 1).
    #[arg(long, value_name = "N")]
    pub demands: Option<usize>,
    /// Override the preset's number of monthly periods (at least 1).
    #[arg(long, value_name = "N")]
    pub periods: Option<usize>,
    /// Write the scenario to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Encoding of the scenario: TOML, or JSON (the same tables and keys;
    /// the loader reads a `.json` file as JSON). Default: JSON when `--out`
    /// ends in `.json`, TOML otherwise.
    #[arg(long, value_enum)]
    pub format: Option<ScenarioFormat>,
}

/// How `generate` encodes the scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScenarioFormat {
    /// TOML, the scenario format of the spec.
    Toml,
    /// JSON with the same structure.
    Json,
}

impl ScenarioFormat {
    fn for_path(path: Option<&std::path::Path>) -> Self {
        match path.and_then(|p| p.extension()) {
            Some(ext) if ext.eq_ignore_ascii_case("json") => ScenarioFormat::Json,
            _ => ScenarioFormat::Toml,
        }
    }
}

/// The scenario's TOML re-encoded as JSON: `to_toml` is the one writer of
/// the scenario format, so JSON goes through it rather than a second one.
fn toml_to_json(text: &str) -> anyhow::Result<String> {
    let value: serde_json::Value = toml::from_str(text).context("re-reading the generated TOML")?;
    let mut json = serde_json::to_string_pretty(&value)?;
    json.push('\n');
    Ok(json)
}

fn parse_size(text: &str) -> Result<Size, String> {
    text.parse()
        .map_err(|e: caisson_generate::UnknownSize| e.to_string())
}

/// Runs `caisson generate`.
pub fn run(args: &Args, shell: &mut Shell) -> CmdResult {
    let preset = args.size.shape();
    let shape = Shape {
        facilities: args.facilities.unwrap_or(preset.facilities),
        products: args.products.unwrap_or(preset.products),
        demands: args.demands.unwrap_or(preset.demands),
        periods: args.periods.unwrap_or(preset.periods),
    };
    let size = if shape == preset {
        args.size
    } else {
        Size::Custom(shape)
    };
    let scenario = generate(&GenerateOptions {
        size,
        seed: args.seed,
    });
    let mut text = caisson_scenario::to_toml(&scenario);
    let format = args
        .format
        .unwrap_or_else(|| ScenarioFormat::for_path(args.out.as_deref()));
    if format == ScenarioFormat::Json {
        text = toml_to_json(&text).map_err(Failure::Internal)?;
    }
    match &args.out {
        Some(path) => {
            fs::write(path, text)
                .with_context(|| format!("cannot write {}", path.display()))
                .map_err(Failure::Internal)?;
        }
        None => shell.print(text)?,
    }
    Ok(Exit::Success)
}
