//! `caisson explain`: why a flow is allowed or denied (spec section 3).
//!
//! Three questions, one per mode: a shipment (`--facility F --demand D`), a
//! transfer between facilities (`--from G --to H [--product P]`), or the
//! whole matrix (`--matrix`). The compliance crate computes; this module
//! only resolves ids and hands the results to a renderer.

mod json;
mod text;

use std::path::PathBuf;

use caisson_compliance::{
    explain_shipment, explain_transfer, qualify, ComplianceMatrix, Qualification,
    ShipmentExplanation, TransferCandidates, TransferExplanation,
};
use caisson_model::{DemandId, FacilityId, Held, ProductId, Scenario};

use crate::exit::{CmdResult, Exit, Failure};
use crate::format::Format;
use crate::shell::Shell;

/// Arguments of `caisson explain`.
#[derive(Debug, clap::Args)]
#[command(group(
    clap::ArgGroup::new("question")
        .required(true)
        .args(["facility", "from", "matrix"])
))]
pub struct Args {
    /// The scenario file (TOML or JSON).
    pub scenario: PathBuf,
    /// Explain a shipment from this facility (with `--demand`).
    #[arg(long, value_name = "F", requires = "demand")]
    pub facility: Option<String>,
    /// The demand shipped to (with `--facility`).
    #[arg(long, value_name = "D", requires = "facility")]
    pub demand: Option<String>,
    /// Explain a transfer from this facility (with `--to`).
    #[arg(long, value_name = "G", requires = "to")]
    pub from: Option<String>,
    /// The facility receiving the transfer (with `--from`).
    #[arg(long, value_name = "H", requires = "from")]
    pub to: Option<String>,
    /// For a transfer: also say whether this product would qualify for it
    /// (spec section 4); without it, every qualifying product is listed.
    #[arg(long, value_name = "P", requires = "from")]
    pub product: Option<String>,
    /// Print every shipment and transfer verdict of the scenario.
    #[arg(long)]
    pub matrix: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// A transfer explanation with the product question answered.
pub(crate) struct TransferAnswer {
    /// The compliance explanation.
    pub explanation: TransferExplanation,
    /// The asked product and its qualification, with `--product`.
    pub asked: Option<(ProductId, Qualification)>,
    /// Every product that qualifies for the transfer.
    pub qualifying: Vec<ProductId>,
}

/// The shipment and transfer matrices and which cells are meaningful.
pub(crate) struct MatrixAnswer {
    /// Every verdict.
    pub matrix: ComplianceMatrix,
    /// Which products are held where (shipment cells are meaningful only
    /// where the facility holds the demand's product).
    pub held: Held,
    /// Which facility pairs some product qualifies for.
    pub candidates: TransferCandidates,
}

/// Runs `caisson explain`.
pub fn run(args: &Args, shell: &mut Shell) -> CmdResult {
    let scenario = crate::load::scenario(shell, &args.scenario)?.scenario;
    let out = if let (Some(f), Some(d)) = (&args.facility, &args.demand) {
        let answer = shipment(&scenario, f, d)?;
        match args.format {
            Format::Text => text::shipment(&scenario, &answer),
            Format::Json => json::shipment(&scenario, &answer),
        }
    } else if let (Some(g), Some(h)) = (&args.from, &args.to) {
        let answer = transfer(&scenario, g, h, args.product.as_deref())?;
        match args.format {
            Format::Text => text::transfer(&scenario, &answer),
            Format::Json => json::transfer(&scenario, &answer),
        }
    } else {
        let held = Held::new(&scenario);
        let answer = MatrixAnswer {
            matrix: ComplianceMatrix::new(&scenario),
            candidates: TransferCandidates::new(&scenario, &held),
            held,
        };
        match args.format {
            Format::Text => text::matrix(&scenario, &answer),
            Format::Json => json::matrix(&scenario, &answer),
        }
    };
    shell.print(out)?;
    Ok(Exit::Success)
}

fn shipment(
    scenario: &Scenario,
    facility: &str,
    demand: &str,
) -> Result<ShipmentExplanation, Failure> {
    let f = facility_id(scenario, facility)?;
    let d = find(
        "demand",
        demand,
        scenario.demands.iter().map(|d| d.id.as_str()),
    )
    .map(DemandId::new)?;
    let held = Held::new(scenario).is_held(f, scenario.demands[d.index()].product);
    Ok(explain_shipment(scenario, f, d, held))
}

fn transfer(
    scenario: &Scenario,
    from: &str,
    to: &str,
    product: Option<&str>,
) -> Result<TransferAnswer, Failure> {
    let g = facility_id(scenario, from)?;
    let h = facility_id(scenario, to)?;
    let held = Held::new(scenario);
    let asked = match product {
        Some(p) => {
            let p = find(
                "product",
                p,
                scenario.products.iter().map(|p| p.id.as_str()),
            )
            .map(ProductId::new)?;
            Some((p, qualify(scenario, &held, g, h, p)))
        }
        None => None,
    };
    let qualifying = (0..scenario.products.len())
        .map(ProductId::new)
        .filter(|&p| qualify(scenario, &held, g, h, p).qualifies())
        .collect();
    Ok(TransferAnswer {
        explanation: explain_transfer(scenario, g, h),
        asked,
        qualifying,
    })
}

fn facility_id(scenario: &Scenario, id: &str) -> Result<FacilityId, Failure> {
    find(
        "facility",
        id,
        scenario.facilities.iter().map(|f| f.id.as_str()),
    )
    .map(FacilityId::new)
}

/// The position of `id` among `ids`, or an invalid-input failure that
/// suggests the nearest id.
fn find<'a>(
    kind: &str,
    id: &str,
    ids: impl Iterator<Item = &'a str> + Clone,
) -> Result<usize, Failure> {
    if let Some(i) = ids.clone().position(|x| x == id) {
        return Ok(i);
    }
    let nearest = ids
        .map(|x| (strsim::levenshtein(x, id), x))
        .filter(|&(distance, _)| distance <= id.len().max(3) / 2)
        .min();
    let hint = nearest.map_or(String::new(), |(_, x)| format!(" (did you mean `{x}`?)"));
    Err(Failure::InvalidInputMessage(format!(
        "the scenario has no {kind} `{id}`{hint}"
    )))
}
