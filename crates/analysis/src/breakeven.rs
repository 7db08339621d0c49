//! `caisson breakeven`: sign contracts with a supplier that may turn away,
//! or put the same money into a bloc's own ramp-ups?
//!
//! For every yearly probability of a sweep (overriding the `hazard` of one
//! political `[[uncertainty]]` entry), with the same samples' seed for
//! every probability (each entry draws from its own stream, so the other
//! entries draw exactly the same and a higher hazard switches no later):
//!
//! - **deal**: `recommend --samples` with candidate contracts only between
//!   the supplier's facilities and the bloc's members, and no expansion: the contracts to sign, their
//!   volumes, how much each lowers the end user's expected shortage (the
//!   portfolio evaluated without it), the expected total cost and the end
//!   user's expected shortage. Its money M is the price of the committed
//!   volume.
//! - **ramp-up**: the same program with the supplier's candidates offered
//!   at the spot price only (nothing committed: it sells as in the deal's
//!   futures, at the spot price) and the bloc's expansions funded with at
//!   most M.
//!
//! The break-even probability of a measure (the end user's expected
//! shortage, the expected total cost) is the smallest probability of the
//! sweep, interpolated linearly between sweep points, at which the ramp-up
//! is at least as good as the deal.
//!
//! Plain computation: no terminal, no files (the CSV is returned as text).

use std::time::Instant;

use caisson_model::{ActorId, Scenario, SwitchTiming, UncertaintyKind};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::recommend::portfolio::{Evaluation, PortfolioContract, PortfolioExpansion};
use crate::recommend::{recommend_for, Grouping, RecommendError, SaaMethod, SaaOptions};
use crate::simulate::{draw, SimulateError};

/// What `caisson breakeven` compares and how.
#[derive(Debug, Clone)]
pub struct BreakevenOptions {
    /// Id of the political `[[uncertainty]]` entry whose hazard is swept.
    pub entry: String,
    /// The supplier (actor id) whose contracts are the deal.
    pub supplier: String,
    /// The bloc whose expansions the same money may fund instead.
    pub bloc: String,
    /// The end user (actor id) whose shortage is compared.
    pub end_user: String,
    /// The yearly probabilities swept: each in [0, 1], increasing.
    pub hazards: Vec<f64>,
    /// The two-stage program: samples, seed, price, spot price, contract
    /// penalty, grouping, solver. Its candidate, budget, expansion and
    /// measure settings are the comparison's own and are overridden.
    pub saa: SaaOptions,
}

/// Why the comparison cannot run.
#[derive(Debug, Error)]
pub enum BreakevenError {
    /// A named entity is not in the scenario.
    #[error("{field}: {message}")]
    Unknown {
        /// The option (`entry`, `supplier`, `bloc`, `end_user`).
        field: &'static str,
        /// What is wrong and what would be right.
        message: String,
    },
    /// The sweep is empty, out of [0, 1] or not increasing.
    #[error("hazards: {0}")]
    BadHazards(String),
    /// A two-stage program failed (or its options are out of range).
    #[error(transparent)]
    Recommend(#[from] RecommendError),
    /// The samples could not be drawn.
    #[error("drawing the samples: {0}")]
    Samples(SimulateError),
}

/// The whole sweep and its break-even probabilities (the `analysis` of a
/// `caisson-breakeven/1` file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Breakeven {
    /// The scenario's name.
    pub scenario: String,
    /// The political entry swept.
    pub entry: String,
    /// The supplier of the deal.
    pub supplier: String,
    /// The bloc of the ramp-ups.
    pub bloc: String,
    /// Whose shortage is compared.
    pub end_user: String,
    /// Samples per probability.
    pub samples: usize,
    /// Their seed (the same for every probability).
    pub seed: u64,
    /// Price per unit committed.
    pub price: f64,
    /// Price per unit shipped beyond a commitment.
    pub spot_price: f64,
    /// How commitments are grouped over time.
    pub grouping: Grouping,
    /// The relative MIP gap the programs stop at.
    pub mip_gap: f64,
    /// How the programs were asked to be solved (`auto`, `extensive`,
    /// `benders`).
    #[serde(default = "auto")]
    pub method: String,
    /// One comparison per probability, in sweep order.
    pub points: Vec<Point>,
    /// Where the ramp-up becomes at least as good in the end user's
    /// expected shortage.
    pub shortage: Crossing,
    /// Where it becomes at least as good in expected total cost.
    pub cost: Crossing,
    /// Wall-clock seconds of the sweep.
    pub seconds: f64,
}

/// The deal and the ramp-up at one yearly probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// The yearly probability that the switch happens.
    pub hazard: f64,
    /// Samples in which it happened within the horizon.
    pub switched: usize,
    /// Contracts with the supplier.
    pub deal: Side,
    /// The bloc's expansions funded with the deal's money.
    pub ramp_up: Side,
    /// The ramp-up's expected shortage minus the deal's (positive: the
    /// deal leaves the end user less short).
    pub shortage_advantage: f64,
    /// The ramp-up's expected total cost minus the deal's (positive: the
    /// deal is cheaper).
    pub cost_advantage: f64,
}

/// One side of the comparison at one probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Side {
    /// The program's status (`optimal` or `feasible`).
    pub status: String,
    /// Its relative MIP gap.
    pub mip_gap: f64,
    /// Money spent now: the committed volume's price, or the expansions'
    /// capex.
    pub money: f64,
    /// The end user's shortage over the samples (unit-periods of backlog
    /// plus lost units).
    pub shortage: Spread,
    /// Total cost over the samples (money now plus each sample's second
    /// stage).
    pub cost: Spread,
    /// Contracts signed (the deal), each with `drop_shortage`: how much the
    /// end user's expected shortage rises without it.
    pub contracts: Vec<PortfolioContract>,
    /// Expansions funded (the ramp-up).
    pub expansions: Vec<PortfolioExpansion>,
}

pub use crate::recommend::portfolio::Spread;

/// A break-even probability.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "probability", rename_all = "kebab-case")]
pub enum Crossing {
    /// The ramp-up is already at least as good at the lowest probability
    /// swept: the deal never pays off within the sweep.
    AtOrBelow(f64),
    /// The deal is better below this probability, interpolated linearly
    /// between the two sweep points around it.
    At(f64),
    /// The deal stays better over the whole sweep, up to this probability
    /// (the highest swept).
    Above(f64),
}

impl Crossing {
    /// The probability itself (the bound of the sweep when it lies outside).
    pub fn probability(self) -> f64 {
        match self {
            Crossing::AtOrBelow(h) | Crossing::At(h) | Crossing::Above(h) => h,
        }
    }

    /// The crossing of `advantage` (the deal's advantage at each hazard,
    /// positive: the deal is better): the first hazard at which it is at
    /// most `tolerance`, interpolated from the previous one.
    pub fn of(hazards: &[f64], advantage: &[f64], tolerance: f64) -> Crossing {
        let mut previous: Option<(f64, f64)> = None;
        for (&h, &a) in hazards.iter().zip(advantage) {
            if a <= tolerance {
                return match previous {
                    None => Crossing::AtOrBelow(h),
                    Some((h0, a0)) => {
                        // a0 > tolerance >= a: the line from (h0, a0) to
                        // (h, a) crosses 0 at most at h.
                        let t = if a0 - a > 0.0 {
                            (a0 / (a0 - a)).clamp(0.0, 1.0)
                        } else {
                            1.0
                        };
                        Crossing::At(h0 + (h - h0) * t)
                    }
                };
            }
            previous = Some((h, a));
        }
        Crossing::Above(hazards.last().copied().unwrap_or(0.0))
    }
}

/// Advantages within this share of the larger side count as a tie (the
/// ramp-up is then "at least as good").
const TIE: f64 = 1e-6;

/// Runs the sweep on `scenario`; `progress` names each step as it starts.
pub fn breakeven(
    scenario: &Scenario,
    options: &BreakevenOptions,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Breakeven, BreakevenError> {
    let started = Instant::now();
    let entry = find_entry(scenario, &options.entry)?;
    let supplier = find_actor(scenario, "supplier", &options.supplier)?;
    let end_user = find_actor(scenario, "end_user", &options.end_user)?;
    let bloc_members = find_bloc(scenario, &options.bloc)?;
    check_hazards(&options.hazards)?;
    if !scenario
        .facilities
        .iter()
        .any(|facility| facility.actor == supplier)
    {
        return Err(BreakevenError::Unknown {
            field: "supplier",
            message: format!(
                "actor `{}` has no facility, so there is no contract to sign with it",
                options.supplier
            ),
        });
    }
    let in_bloc: Vec<bool> = scenario
        .expansions
        .iter()
        .map(|e| {
            let facility = scenario.lines[e.line.index()].facility;
            bloc_members.contains(&scenario.facilities[facility.index()].actor)
        })
        .collect();

    let mut points = Vec::with_capacity(options.hazards.len());
    for &hazard in &options.hazards {
        let mut world = scenario.clone();
        if let UncertaintyKind::Political { timing, .. } = &mut world.uncertainty[entry].kind {
            *timing = SwitchTiming::Hazard(hazard);
        }
        progress(&format!("hazard {hazard}: drawing the samples"));
        let (samples, switched) = draw_counting(&world, options.saa.seed, options.saa.samples)?;

        progress(&format!("hazard {hazard}: the deal"));
        let mut deal_options = options.saa.clone();
        deal_options.suppliers = Some(vec![supplier]);
        deal_options.buyers = Some(bloc_members.clone());
        deal_options.spot_only = false;
        deal_options.budget = None;
        deal_options.expansions_allowed = Some(vec![false; scenario.expansions.len()]);
        deal_options.end_users = Some(vec![end_user]);
        deal_options.drop_values = true;
        deal_options.out_of_sample = 0;
        let deal = recommend_for(&world, &samples, &[], &deal_options, &|step| {
            progress(&format!("hazard {hazard}: the deal: {step}"))
        })?;
        let money = deal.in_sample.first_stage_cost;

        progress(&format!("hazard {hazard}: the ramp-up"));
        let ramp_options = SaaOptions {
            suppliers: Some(vec![supplier]),
            spot_only: true,
            budget: Some(money),
            expansions_allowed: Some(in_bloc.clone()),
            drop_values: false,
            ..deal_options.clone()
        };
        let ramp = recommend_for(&world, &samples, &[], &ramp_options, &|step| {
            progress(&format!("hazard {hazard}: the ramp-up: {step}"))
        })?;

        let deal = side(
            deal.status,
            deal.mip_gap,
            &deal.in_sample,
            deal.contracts,
            Vec::new(),
        );
        let ramp_up = side(
            ramp.status,
            ramp.mip_gap,
            &ramp.in_sample,
            Vec::new(),
            ramp.expansions,
        );
        points.push(Point {
            hazard,
            switched,
            shortage_advantage: ramp_up.shortage.mean - deal.shortage.mean,
            cost_advantage: ramp_up.cost.mean - deal.cost.mean,
            deal,
            ramp_up,
        });
    }

    let hazards: Vec<f64> = points.iter().map(|p| p.hazard).collect();
    let crossing = |advantage: &dyn Fn(&Point) -> f64, scale: &dyn Fn(&Point) -> f64| {
        let advantages: Vec<f64> = points
            .iter()
            .map(|p| {
                // A tie within TIE of the larger side is no advantage.
                let a = advantage(p);
                if a.abs() <= TIE * scale(p).max(1.0) {
                    0.0
                } else {
                    a
                }
            })
            .collect();
        Crossing::of(&hazards, &advantages, 0.0)
    };
    let shortage = crossing(&|p| p.shortage_advantage, &|p| {
        p.deal
            .shortage
            .mean
            .abs()
            .max(p.ramp_up.shortage.mean.abs())
    });
    let cost = crossing(&|p| p.cost_advantage, &|p| {
        p.deal.cost.mean.abs().max(p.ramp_up.cost.mean.abs())
    });
    Ok(Breakeven {
        scenario: scenario.name.clone(),
        entry: options.entry.clone(),
        supplier: options.supplier.clone(),
        bloc: options.bloc.clone(),
        end_user: options.end_user.clone(),
        samples: usize::try_from(options.saa.samples).unwrap_or(usize::MAX),
        seed: options.saa.seed,
        price: options.saa.price,
        spot_price: options.saa.spot_price.unwrap_or(options.saa.price),
        grouping: options.saa.grouping,
        mip_gap: options.saa.plan.mip_gap,
        method: method_name(options.saa.method).to_owned(),
        points,
        shortage,
        cost,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The `--method` value of a solver choice.
fn method_name(method: SaaMethod) -> &'static str {
    match method {
        SaaMethod::Auto => "auto",
        SaaMethod::Extensive => "extensive",
        SaaMethod::Benders => "benders",
    }
}

/// The method of a run saved before the field existed.
fn auto() -> String {
    "auto".to_owned()
}

fn side(
    status: String,
    mip_gap: f64,
    evaluation: &Evaluation,
    contracts: Vec<PortfolioContract>,
    expansions: Vec<PortfolioExpansion>,
) -> Side {
    Side {
        status,
        mip_gap,
        money: evaluation.first_stage_cost,
        shortage: evaluation.shortage.clone(),
        cost: evaluation.cost.clone(),
        contracts,
        expansions,
    }
}

/// The samples (as `recommend --samples` draws them) and how many of them
/// switched a political entry.
fn draw_counting(
    scenario: &Scenario,
    seed: u64,
    count: u64,
) -> Result<(Vec<Scenario>, usize), BreakevenError> {
    let mut samples = Vec::new();
    let mut switched = 0;
    for sample in 0..count {
        let (world, drawn) = draw::apply(scenario, seed, sample).map_err(|e| {
            BreakevenError::Samples(SimulateError::NotFinite {
                id: scenario.uncertainty[e.entry].id.clone(),
                sample,
            })
        })?;
        if drawn.switches > 0 {
            switched += 1;
        }
        samples.push(world);
    }
    Ok((samples, switched))
}

/// Ids joined for a hint, or `none`.
fn listed<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    let ids: Vec<&str> = ids.collect();
    if ids.is_empty() {
        "none".to_owned()
    } else {
        ids.join(", ")
    }
}

fn find_entry(scenario: &Scenario, id: &str) -> Result<usize, BreakevenError> {
    let political = || {
        listed(
            scenario
                .uncertainty
                .iter()
                .filter(|u| matches!(u.kind, UncertaintyKind::Political { .. }))
                .map(|u| u.id.as_str()),
        )
    };
    match scenario.uncertainty.iter().position(|u| u.id == id) {
        Some(e)
            if matches!(
                scenario.uncertainty[e].kind,
                UncertaintyKind::Political { .. }
            ) =>
        {
            Ok(e)
        }
        Some(_) => Err(BreakevenError::Unknown {
            field: "entry",
            message: format!(
                "[[uncertainty]] entry `{id}` is not of kind \"political\" (political entries: {})",
                political()
            ),
        }),
        None => Err(BreakevenError::Unknown {
            field: "entry",
            message: format!(
                "no [[uncertainty]] entry `{id}` in the scenario (political entries: {}; \
                 see docs/uncertainty.md, \"Political switches\")",
                political()
            ),
        }),
    }
}

fn find_actor(
    scenario: &Scenario,
    field: &'static str,
    id: &str,
) -> Result<ActorId, BreakevenError> {
    scenario
        .actors
        .iter()
        .position(|a| a.id == id)
        .map(ActorId::new)
        .ok_or_else(|| BreakevenError::Unknown {
            field,
            message: format!(
                "no actor `{id}` in the scenario (actors: {})",
                listed(scenario.actors.iter().map(|a| a.id.as_str()))
            ),
        })
}

fn find_bloc(scenario: &Scenario, id: &str) -> Result<Vec<ActorId>, BreakevenError> {
    scenario
        .blocs
        .iter()
        .find(|b| b.id == id)
        .map(|b| b.members.clone())
        .ok_or_else(|| BreakevenError::Unknown {
            field: "bloc",
            message: format!(
                "no bloc `{id}` in the scenario (blocs: {})",
                listed(scenario.blocs.iter().map(|b| b.id.as_str()))
            ),
        })
}

fn check_hazards(hazards: &[f64]) -> Result<(), BreakevenError> {
    if hazards.is_empty() {
        return Err(BreakevenError::BadHazards(
            "the sweep is empty; give yearly probabilities such as 0,0.05,0.1".to_owned(),
        ));
    }
    if let Some(bad) = hazards.iter().find(|h| !(0.0..=1.0).contains(*h)) {
        return Err(BreakevenError::BadHazards(format!(
            "{bad} is not a yearly probability in [0, 1]"
        )));
    }
    if hazards.windows(2).any(|w| w[1] <= w[0]) {
        return Err(BreakevenError::BadHazards(
            "the probabilities must increase (e.g. 0,0.05,0.1)".to_owned(),
        ));
    }
    Ok(())
}

impl Breakeven {
    /// One CSV row per probability: both sides' money, the end user's
    /// expected shortage (mean and 95th percentile), the expected total
    /// cost, and the deal's advantage in each.
    pub fn to_csv(&self) -> Result<String, csv::Error> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "hazard",
            "switched",
            "deal_contracts",
            "deal_volume",
            "deal_money",
            "deal_shortage_mean",
            "deal_shortage_p95",
            "deal_cost_mean",
            "ramp_up_expansions",
            "ramp_up_money",
            "ramp_up_shortage_mean",
            "ramp_up_shortage_p95",
            "ramp_up_cost_mean",
            "shortage_advantage",
            "cost_advantage",
        ])?;
        for p in &self.points {
            let volume: f64 = p
                .deal
                .contracts
                .iter()
                .flat_map(|c| &c.volumes)
                .map(|v| v.volume)
                .sum();
            let expansions: Vec<&str> = p
                .ramp_up
                .expansions
                .iter()
                .map(|x| x.expansion.as_str())
                .collect();
            w.write_record([
                p.hazard.to_string(),
                p.switched.to_string(),
                p.deal.contracts.len().to_string(),
                volume.to_string(),
                p.deal.money.to_string(),
                p.deal.shortage.mean.to_string(),
                p.deal.shortage.p95.to_string(),
                p.deal.cost.mean.to_string(),
                expansions.join(";"),
                p.ramp_up.money.to_string(),
                p.ramp_up.shortage.mean.to_string(),
                p.ramp_up.shortage.p95.to_string(),
                p.ramp_up.cost.mean.to_string(),
                p.shortage_advantage.to_string(),
                p.cost_advantage.to_string(),
            ])?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

#[cfg(test)]
mod tests;
