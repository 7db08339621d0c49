//! `recommend`: long-term contracts drawn from the optimal plan.
//!
//! The optimal plan (or, given sampled plans, a quantile of them) says how
//! much each facility ships to each buyer's demands for each product. This
//! module turns those volumes into contracts a supplier can plan production
//! against: a flat per-period rate within each calendar year (or quarter,
//! or period), by default capped in each period at what the base plan
//! ships then, so that signing costs nothing ([`Shape`]). It then proves
//! that they are honoured: it re-plans the scenario with the contracts
//! signed and lowers every commitment the re-plan falls short of to what it
//! shipped, for a bounded number of rounds, until a re-plan shows no
//! shortfall at all. The result carries the contracts, the rounds and the comparison of
//! the plan with and without them; [`variant_toml`] writes them as a
//! variant file.
//!
//! Triples (facility, buyer, product) that already have a contract in the
//! scenario are left alone: the spec allows one contract per triple, and
//! the existing one may carry terms (price, penalty) that a recommendation
//! must not silently replace. They are listed in
//! [`Recommendation::already_contracted`].
//!
//! The result ([`Recommendation`]) and its variant file ([`variant_toml`])
//! need no solver; recommending and proving (`recommend`, `plan_base`, in
//! `run`) needs the `solve` feature.
//!
//! `recommend --samples` is another method: contracts (and expansions)
//! chosen once for every sampled future by a two-stage stochastic program,
//! solved by sample average approximation (`saa`, `solve` feature; the
//! result, [`StochasticRecommendation`], and its variant file,
//! [`portfolio_toml`], in [`portfolio`]).

use caisson_model::{Contract, Scenario};
use serde::{Deserialize, Serialize};

use crate::compare::Comparison;

pub mod portfolio;
#[cfg(feature = "solve")]
mod run;
#[cfg(feature = "solve")]
mod saa;

pub use portfolio::{portfolio_toml, StochasticRecommendation};
#[cfg(feature = "solve")]
pub use run::{plan_base, recommend, RecommendOptions};
#[cfg(feature = "solve")]
pub use saa::{draw_samples, recommend_for, recommend_samples, SaaMethod, SaaOptions};

/// How commitments are grouped over time: within a group the commitment is
/// one flat rate per period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// One flat rate per calendar year (a yearly volume spread evenly).
    Year,
    /// One flat rate per calendar quarter (per year with yearly periods).
    Quarter,
    /// Every period on its own: the plan's shipments as they are.
    Period,
}

impl Grouping {
    /// The grouping's name (`year`, `quarter`, `period`).
    pub fn name(self) -> &'static str {
        match self {
            Grouping::Year => "year",
            Grouping::Quarter => "quarter",
            Grouping::Period => "period",
        }
    }
}

/// How a group's flat rate meets the optimal plan's period-to-period
/// variation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// Each period's commitment is the group's flat rate, capped at what
    /// the base plan ships in that period: the optimal plan already honours
    /// the contracts, so signing them costs nothing.
    Capped,
    /// The group's flat rate in every period, lowered only where a re-plan
    /// falls short: steadier commitments, which may cost more to honour
    /// (the comparison shows how much).
    Flat,
}

impl Shape {
    /// The shape's name (`capped`, `flat`).
    pub fn name(self) -> &'static str {
        match self {
            Shape::Capped => "capped",
            Shape::Flat => "flat",
        }
    }
}

/// Why no recommendation could be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecommendError {
    /// An option is out of its range.
    #[error("option `{option}` is {value}, but it must be {expected}")]
    BadOption {
        /// The option's name.
        option: &'static str,
        /// Its value.
        value: f64,
        /// The allowed range, in words.
        expected: &'static str,
    },
    /// The base plan has no solution to draw volumes from.
    #[error("the base plan has no solution (status {status})")]
    BaseUnsolved {
        /// The plan's status.
        status: &'static str,
    },
    /// A sampled plan has no solution.
    #[error("sampled plan {index} has no solution (status {status})")]
    SampleUnsolved {
        /// Its position in the list of plans (from 0).
        index: usize,
        /// Its status.
        status: &'static str,
    },
    /// Re-planning with the contracts signed gave no solution.
    #[error("re-planning with the recommended contracts gave no solution in round {round} (status {status})")]
    VariantUnsolved {
        /// The round (from 1).
        round: usize,
        /// The plan's status.
        status: &'static str,
    },
    /// The samples could not be drawn.
    #[error("drawing the samples: {0}")]
    Samples(crate::simulate::SimulateError),
    /// A two-stage program (or a sample's evaluation) has no solution.
    #[error("{what} has no solution (status {status}){}", if message.is_empty() { String::new() } else { format!(": {message}") })]
    Unsolved {
        /// What was solved.
        what: &'static str,
        /// The solve's status.
        status: &'static str,
        /// The solver's message, if any.
        message: String,
    },
    /// A plan re-derived under commitments lowered to its own shipments
    /// still fell short (an internal error).
    #[error("after {rounds} rounds the plan still falls short of {contracts:?}")]
    NotHonoured {
        /// Rounds run.
        rounds: usize,
        /// Ids of the contracts still short.
        contracts: Vec<String>,
    },
}

/// The recommended contracts, how they were proved and their effect.
///
/// Serialised, not read back: its model contracts (indices into the
/// scenario, what [`Recommendation::variant`] signs) are not in the JSON,
/// so a recommendation read from a file could not be signed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recommendation {
    /// The scenario's name.
    pub scenario: String,
    /// How commitments are grouped over time.
    pub grouping: Grouping,
    /// Whether flat rates were capped at the base plan's shipments.
    pub shape: Shape,
    /// How many plans the volumes were drawn from.
    pub plans: usize,
    /// The quantile taken over the plans (`None` with one plan).
    pub quantile: Option<f64>,
    /// The contracts, in (facility, buyer, product) order.
    pub contracts: Vec<RecommendedContract>,
    /// Ids of existing contracts whose triple shipped something and was
    /// therefore left alone.
    pub already_contracted: Vec<String>,
    /// Every re-plan, the last one with no shortfall.
    pub rounds: Vec<Round>,
    /// The plan without (base) and with (variant) the contracts.
    pub comparison: Comparison,
    /// The contracts as model entities (indices into the scenario).
    #[serde(skip)]
    model: Vec<Contract>,
}

impl Recommendation {
    /// The contracts as model entities whose indices refer to the scenario
    /// they were recommended for; add them to it to sign them.
    pub fn model_contracts(&self) -> &[Contract] {
        &self.model
    }

    /// `scenario` with the recommended contracts signed.
    pub fn variant(&self, scenario: &Scenario) -> Scenario {
        with_contracts(scenario, &self.model)
    }
}

/// One recommended contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecommendedContract {
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
    /// Price per unit.
    pub price: f64,
    /// Volumes per group (calendar year by default), in time order.
    pub volumes: Vec<GroupVolume>,
    /// The committed quantity of every period of the horizon.
    pub schedule: Vec<f64>,
}

/// A contract's volume in one group of periods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupVolume {
    /// The group's label (`2026`, `2026-Q1` or a period label).
    pub group: String,
    /// Periods of the group in the contract's plan (whose shipments can
    /// arrive within the horizon).
    pub periods: usize,
    /// Units the plan (or the quantile over plans) ships in the group.
    pub planned: f64,
    /// The committed volume: the schedule summed over those periods.
    pub volume: f64,
    /// The commitment per period when it is the same in all of them
    /// (`None` when a re-plan lowered some periods).
    pub flat_rate: Option<f64>,
}

/// One re-plan of the scenario with the contracts signed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    /// The round (from 1).
    pub round: usize,
    /// Whether the model was solved again. After the last re-plan allowed
    /// (`max_rounds`), a round that lowered commitments is followed by one
    /// that re-derives that re-plan's decisions under the lowered
    /// commitments instead: they are what it shipped, so it honours them,
    /// and a MIP solved only to a gap cannot trade them away again.
    pub replanned: bool,
    /// The re-plan's objective.
    pub objective: Option<f64>,
    /// Total shortfall over the recommended contracts (units).
    pub shortfall: f64,
    /// Commitments lowered after this round (empty in the last one).
    pub lowered: Vec<Lowering>,
}

/// A period's commitment lowered because a re-plan fell short of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lowering {
    /// Contract id.
    pub contract: String,
    /// The period's label.
    pub period: String,
    /// The commitment before.
    pub from: f64,
    /// The commitment after: what the re-plan shipped, rounded down.
    pub to: f64,
}

/// The recommended contracts as `[[contract]]` tables, each preceded by a
/// comment with its volumes, ready to paste into a variant of `scenario`.
pub fn contracts_toml(scenario: &Scenario, recommendation: &Recommendation) -> String {
    let mut out = String::new();
    for (record, contract) in recommendation.contracts.iter().zip(&recommendation.model) {
        let volumes = record.volumes.iter().map(|v| (v.group.as_str(), v.volume));
        let parties = [&record.facility, &record.buyer, &record.product];
        push_contract(
            &mut out,
            scenario,
            contract,
            parties.map(String::as_str),
            volumes,
        );
    }
    out
}

/// Appends `contract` as a `[[contract]]` table of `scenario`, preceded by
/// a comment naming its facility, buyer and product and its non-zero
/// volumes per group: the one way both recommendations write contracts.
pub(crate) fn push_contract<'a>(
    out: &mut String,
    scenario: &Scenario,
    contract: &Contract,
    [facility, buyer, product]: [&str; 3],
    volumes: impl Iterator<Item = (&'a str, f64)>,
) {
    let volumes: Vec<String> = volumes
        .filter(|(_, volume)| *volume > 0.0)
        .map(|(group, volume)| format!("{group} {volume}"))
        .collect();
    out.push_str(&format!(
        "\n# {facility} -> {buyer}, {product}: {}\n",
        volumes.join(", ")
    ));
    out.push_str(caisson_scenario::contract_toml(scenario, contract).trim_start());
}

/// A whole variant file: `[scenario] extends = "<extends>"` (the path of
/// the scenario's file relative to the variant's) and the contracts.
pub fn variant_toml(scenario: &Scenario, recommendation: &Recommendation, extends: &str) -> String {
    let quantile = recommendation.quantile.map_or_else(String::new, |q| {
        format!(", quantile {q} of {} plans", recommendation.plans)
    });
    format!(
        "# Long-term contracts recommended by `caisson recommend` \
         (grouping {}, {}{quantile}).\n\
         # {}\n\
         [scenario]\nextends = {}\nname = {}\n{}",
        recommendation.grouping.name(),
        recommendation.shape.name(),
        proof(recommendation),
        caisson_scenario::toml_string(extends),
        caisson_scenario::toml_string(&format!("{} + recommended contracts", scenario.name)),
        contracts_toml(scenario, recommendation)
    )
}

/// How the recommendation was proved, in one sentence.
fn proof(recommendation: &Recommendation) -> String {
    match recommendation.rounds.last() {
        None => "Nothing to sign.".to_owned(),
        Some(last) if last.replanned => format!(
            "Re-planned with them signed: no shortfall (round {}).",
            last.round
        ),
        Some(last) => format!(
            "Round {}'s re-plan ships every commitment (its short periods were lowered to \
             what it shipped).",
            last.round - 1
        ),
    }
}

/// `scenario` with `contracts` appended after its own.
fn with_contracts(scenario: &Scenario, contracts: &[Contract]) -> Scenario {
    let mut variant = scenario.clone();
    variant.name = format!("{} + recommended contracts", scenario.name);
    variant.contracts.extend_from_slice(contracts);
    variant
}
