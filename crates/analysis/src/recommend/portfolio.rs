//! The result of `recommend --samples`: contracts (and expansions) chosen
//! once for every sampled future by a two-stage stochastic program solved
//! by sample average approximation (see `saa` and the planner's
//! `twostage` module for the formulation), with how it fares in and out
//! of sample against the deterministic recommendation.
//!
//! Plain data: no solver is needed to read, render or write it.

use caisson_model::{Contract, Scenario};
use serde::{Deserialize, Serialize};

use super::Grouping;
use crate::simulate::stats::percentile;

/// The `format` tag of the `--format json` document.
pub const FORMAT: &str = "caisson-recommendation-saa/1";

/// A portfolio recommended for every sampled future.
///
/// Serialised, not read back: its model contracts (what
/// [`StochasticRecommendation::variant`] signs) are not in the JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StochasticRecommendation {
    /// Always [`FORMAT`].
    pub format: String,
    /// The scenario's name.
    pub scenario: String,
    /// How the two-stage program was solved (`extensive form`).
    pub method: String,
    /// Samples of the program.
    pub samples: usize,
    /// Their seed.
    pub seed: u64,
    /// Weight of the CVaR in the objective (0: risk neutral).
    pub risk_aversion: f64,
    /// Level of the CVaR.
    pub cvar_alpha: f64,
    /// How commitments are grouped over time (one rate per group).
    pub grouping: Grouping,
    /// The solve's status (`optimal` or `feasible`).
    pub status: String,
    /// The program's objective: first-stage cost + mean second-stage cost
    /// + risk_aversion * CVaR of the samples' total costs.
    pub objective: f64,
    /// Relative MIP gap of the solve.
    pub mip_gap: f64,
    /// Candidate (facility, buyer, product) triples offered to the program.
    pub candidates: usize,
    /// The contracts, in (facility, buyer, product) order.
    pub contracts: Vec<PortfolioContract>,
    /// Expansions funded in the first stage.
    pub expansions: Vec<PortfolioExpansion>,
    /// Ids of existing contracts whose triple could ship (left alone).
    pub already_contracted: Vec<String>,
    /// The portfolio on its own samples.
    pub in_sample: Evaluation,
    /// The deterministic recommendation (the same program with the base
    /// scenario as its one sample) and its evaluations.
    pub deterministic: Deterministic,
    /// Value of the stochastic solution: the deterministic
    /// recommendation's objective on the samples minus the portfolio's.
    pub vss: f64,
    /// Both recommendations on fresh samples, when asked for.
    pub out_of_sample: Option<OutOfSample>,
    /// Size and times of the extensive form.
    pub model: ModelSize,
    /// Wall-clock seconds of the whole recommendation.
    pub seconds: f64,
    /// The contracts as model entities (indices into the scenario).
    #[serde(skip)]
    pub(crate) model_contracts: Vec<Contract>,
}

impl StochasticRecommendation {
    /// The contracts as model entities whose indices refer to the scenario
    /// they were recommended for.
    pub fn model_contracts(&self) -> &[Contract] {
        &self.model_contracts
    }

    /// `scenario` with the recommended contracts signed.
    pub fn variant(&self, scenario: &Scenario) -> Scenario {
        let mut variant = scenario.clone();
        variant.name = format!("{} + recommended contracts", scenario.name);
        variant.contracts.extend_from_slice(&self.model_contracts);
        variant
    }
}

/// One contract of the portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortfolioContract {
    /// Contract id (`rec:FACILITY:BUYER:PRODUCT`, made unique).
    pub id: String,
    /// Supplier facility id.
    pub facility: String,
    /// Buyer actor id.
    pub buyer: String,
    /// Product id.
    pub product: String,
    /// Penalty per unit of shortfall per period.
    pub penalty: f64,
    /// Price per unit committed (first stage).
    pub price: f64,
    /// Price per unit shipped beyond the commitment (second stage).
    pub spot_price: f64,
    /// Volumes per group, in time order.
    pub volumes: Vec<PortfolioVolume>,
    /// The committed quantity of every period of the horizon.
    pub schedule: Vec<f64>,
    /// How much the objective (on the program's samples) rises when this
    /// contract alone is dropped and the rest of the first stage kept
    /// (`None` unless asked for).
    pub drop_value: Option<f64>,
    /// How much the counted shortage (mean over the program's samples; the
    /// end users of `SaaOptions::end_users`) rises when this contract alone
    /// is dropped (`None` unless drop values were asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drop_shortage: Option<f64>,
}

/// A contract's commitment in one group of periods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortfolioVolume {
    /// The group's label (`2026`, `2026-Q1` or a period label).
    pub group: String,
    /// Periods of the group in the contract's plan (base lead time).
    pub periods: usize,
    /// The committed rate per period.
    pub rate: f64,
    /// The committed volume: rate times periods.
    pub volume: f64,
    /// Objective decrease per further unit of volume, from the reduced
    /// cost of the rate with the expansions fixed (0 inside the rate's
    /// bounds: at the optimum a unit more or less changes nothing; negative
    /// where more volume would cost). `None` when unavailable.
    pub marginal_value: Option<f64>,
}

/// An expansion funded in the first stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortfolioExpansion {
    /// Expansion id.
    pub expansion: String,
    /// Its facility.
    pub facility: String,
    /// Its line.
    pub line: String,
    /// Period of the decision.
    pub decided: String,
    /// Fraction taken (1 for integer expansions).
    pub fraction: f64,
    /// Its capex.
    pub capex: f64,
}

/// A first stage evaluated on a set of samples: each sample's second stage
/// solved with the first stage fixed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Samples.
    pub samples: usize,
    /// Mean total cost + risk_aversion * CVaR of the total costs.
    pub objective: f64,
    /// The first stage's cost (price of the volumes, capex).
    pub first_stage_cost: f64,
    /// Total cost per sample (first stage + second stage).
    pub cost: Spread,
    /// Shortage per sample (unit-periods of backlog plus lost units, all
    /// demands).
    pub shortage: Spread,
}

impl Evaluation {
    /// The evaluation of per-sample total costs and shortages.
    pub fn of(
        first_stage_cost: f64,
        costs: &[f64],
        shortages: &[f64],
        risk_aversion: f64,
        alpha: f64,
    ) -> Self {
        let cost = Spread::of(costs, alpha);
        Evaluation {
            samples: costs.len(),
            objective: cost.mean + risk_aversion * cost.cvar,
            first_stage_cost,
            cost,
            shortage: Spread::of(shortages, alpha),
        }
    }
}

/// Mean, 95th percentile and CVaR of per-sample figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// Mean.
    pub mean: f64,
    /// 95th percentile (interpolated between order statistics).
    pub p95: f64,
    /// CVaR at the recommendation's level: the mean of the worst
    /// `1 - alpha` of the samples (Rockafellar-Uryasev).
    pub cvar: f64,
}

impl Spread {
    /// The spread of `values` (all 0 for none).
    pub fn of(values: &[f64], alpha: f64) -> Self {
        if values.is_empty() {
            return Spread {
                mean: 0.0,
                p95: 0.0,
                cvar: 0.0,
            };
        }
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Spread {
            mean: values.iter().sum::<f64>() / values.len() as f64,
            p95: percentile(&sorted, 0.95).unwrap_or(0.0),
            cvar: cvar(values, alpha),
        }
    }
}

pub use caisson_planner::cvar;

/// The deterministic recommendation: the program with the base scenario
/// (no draw) as its only sample, prices in the first stage the same way.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deterministic {
    /// Its objective on the base scenario.
    pub objective: f64,
    /// Contracts it signs.
    pub contracts: usize,
    /// Units it commits, all contracts and groups added.
    pub volume: f64,
    /// Expansions it funds (ids).
    pub expansions: Vec<String>,
    /// Its first stage on the program's samples.
    pub in_sample: Evaluation,
}

/// Both recommendations on fresh samples (another seed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutOfSample {
    /// The fresh samples' seed.
    pub seed: u64,
    /// The stochastic portfolio.
    pub stochastic: Evaluation,
    /// The deterministic recommendation.
    pub deterministic: Evaluation,
    /// The deterministic objective minus the stochastic one.
    pub vss: f64,
}

/// Size and times of the extensive form (or, decomposed, of the samples'
/// subproblems together).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelSize {
    /// Rows.
    pub rows: usize,
    /// Columns.
    pub columns: usize,
    /// Integer columns (expansion decisions).
    pub integer_columns: usize,
    /// Seconds to build it.
    pub build_seconds: f64,
    /// Seconds to solve it.
    pub solve_seconds: f64,
    /// Iterations of the L-shaped method (0: the extensive form).
    pub iterations: usize,
    /// The L-shaped method's proven lower bound of the optimum (`None`:
    /// the extensive form, whose `mip_gap` says it).
    pub lower_bound: Option<f64>,
}

/// The portfolio's contracts as `[[contract]]` tables in a whole variant
/// file extending `extends` (the scenario's path relative to the file).
pub fn portfolio_toml(
    scenario: &Scenario,
    recommendation: &StochasticRecommendation,
    extends: &str,
) -> String {
    let mut out = format!(
        "# Long-term contracts recommended by `caisson recommend --samples {}` \
         (seed {}, sample average approximation, one rate per {}).\n\
         # Expected cost {:.2} against {:.2} for the deterministic recommendation \
         on the same samples.\n",
        recommendation.samples,
        recommendation.seed,
        recommendation.grouping.name(),
        recommendation.in_sample.objective,
        recommendation.deterministic.in_sample.objective,
    );
    if !recommendation.expansions.is_empty() {
        let funded: Vec<String> = recommendation
            .expansions
            .iter()
            .map(|x| format!("{} ({})", x.expansion, x.decided))
            .collect();
        out.push_str(&format!(
            "# Expansions funded with them (decisions, not scenario entries): {}\n",
            funded.join(", ")
        ));
    }
    out.push_str(&format!(
        "[scenario]\nextends = {}\nname = {}\n",
        caisson_scenario::toml_string(extends),
        caisson_scenario::toml_string(&format!("{} + recommended contracts", scenario.name)),
    ));
    for (record, contract) in recommendation
        .contracts
        .iter()
        .zip(&recommendation.model_contracts)
    {
        let volumes = record.volumes.iter().map(|v| (v.group.as_str(), v.volume));
        let parties = [&record.facility, &record.buyer, &record.product];
        super::push_contract(
            &mut out,
            scenario,
            contract,
            parties.map(String::as_str),
            volumes,
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cvar_is_the_mean_of_the_worst_tail() {
        let values = [1.0, 2.0, 3.0, 10.0];
        assert_eq!(cvar(&values, 0.75), 10.0);
        assert_eq!(cvar(&values, 0.5), 6.5);
        assert_eq!(cvar(&values, 0.0), 4.0);
        // A tail that splits a sample weighs it in part: worst 0.6 of four
        // samples = 10, 3 and 0.4 of 2.
        assert!((cvar(&values, 0.4) - (10.0 + 3.0 + 0.4 * 2.0) / 2.4).abs() < 1e-12);
        assert_eq!(cvar(&[], 0.9), 0.0);
        assert_eq!(cvar(&values, 1.0), 10.0);
    }

    #[test]
    fn spread_has_mean_p95_and_cvar() {
        let values: Vec<f64> = (1..=20).map(f64::from).collect();
        let spread = Spread::of(&values, 0.9);
        assert_eq!(spread.mean, 10.5);
        assert!((spread.p95 - 19.05).abs() < 1e-12);
        assert_eq!(spread.cvar, 19.5);
    }
}
