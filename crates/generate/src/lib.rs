//! Deterministic generator of synthetic Caisson scenarios.
//!
//! [`generate`] builds a valid [`Scenario`] (every rule of the spec's
//! sections 2 and 7 holds) that is also *interesting* to plan: two
//! belligerents and their blocs, neutral states whose policies deny some
//! pairs, multi-product lines, a two-level bill of materials (raw materials
//! → components → finished goods), integer and fractional expansions,
//! routes with lead times, backlog and lost demands, and contracts. Line
//! capacities are sized from the demand each line can legally serve, with
//! random slack, so that most demand is servable but some lines fall short
//! and some expansions pay off.
//!
//! The same options always give the same scenario, whatever the platform
//! or dependency versions.
//!
//! ```
//! use caisson_generate::{generate, GenerateOptions, Size};
//! let scenario = generate(&GenerateOptions { size: Size::Small, seed: 7 });
//! assert_eq!(scenario, generate(&GenerateOptions { size: Size::Small, seed: 7 }));
//! assert_eq!(scenario.facilities.len(), Size::Small.shape().facilities);
//! ```

mod geo;
mod industry;
mod market;
mod names;
mod rng;

use std::fmt;
use std::str::FromStr;

use caisson_model::{Calendar, PeriodKind, Scenario};

use crate::rng::Rng;

/// How many entities of each kind to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shape {
    /// Plants and depots (at least 3: one per product tier).
    pub facilities: usize,
    /// Products across all tiers (at least 3: one per tier).
    pub products: usize,
    /// Demands (at least 1).
    pub demands: usize,
    /// Monthly periods (at least 1).
    pub periods: usize,
}

impl Shape {
    /// This shape with every count raised to its minimum.
    pub fn clamped(self) -> Self {
        Self {
            facilities: self.facilities.max(3),
            products: self.products.max(3),
            demands: self.demands.max(1),
            periods: self.periods.max(1),
        }
    }
}

/// A preset scenario size, or a custom shape (for benchmark sweeps).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Size {
    /// 8 facilities, 6 products, 6 demands, 12 periods: unit and property
    /// tests.
    Small,
    /// 40 facilities, 12 products, 25 demands, 24 periods.
    Medium,
    /// 150 facilities, 20 products, 50 demands, 60 periods.
    Large,
    /// 500 facilities, 30 products, 100 demands, 120 periods.
    Xl,
    /// Any shape; counts below the minimums are raised to them.
    Custom(Shape),
}

impl Size {
    /// The preset names, in increasing size.
    pub const NAMES: [&'static str; 4] = ["small", "medium", "large", "xl"];

    /// The counts this size stands for (clamped to the minimums).
    pub fn shape(self) -> Shape {
        let (facilities, products, demands, periods) = match self {
            Size::Small => (8, 6, 6, 12),
            Size::Medium => (40, 12, 25, 24),
            Size::Large => (150, 20, 50, 60),
            Size::Xl => (500, 30, 100, 120),
            Size::Custom(shape) => return shape.clamped(),
        };
        Shape {
            facilities,
            products,
            demands,
            periods,
        }
    }
}

/// A size name that is not one of [`Size::NAMES`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown size `{0}` (expected small, medium, large or xl)")]
pub struct UnknownSize(pub String);

impl FromStr for Size {
    type Err = UnknownSize;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "small" => Ok(Size::Small),
            "medium" => Ok(Size::Medium),
            "large" => Ok(Size::Large),
            "xl" => Ok(Size::Xl),
            _ => Err(UnknownSize(s.to_owned())),
        }
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Size::Small => f.write_str("small"),
            Size::Medium => f.write_str("medium"),
            Size::Large => f.write_str("large"),
            Size::Xl => f.write_str("xl"),
            Size::Custom(s) => write!(
                f,
                "f{}-p{}-d{}-t{}",
                s.facilities, s.products, s.demands, s.periods
            ),
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GenerateOptions {
    /// How big.
    pub size: Size,
    /// The seed: equal options give equal scenarios.
    pub seed: u64,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self {
            size: Size::Small,
            seed: 0,
        }
    }
}

/// Generates a valid scenario; deterministic in `options`.
pub fn generate(options: &GenerateOptions) -> Scenario {
    let shape = options.size.shape();
    let mut rng = Rng::new(options.seed);
    let calendar = Calendar::new(PeriodKind::Month, 2026, 0, shape.periods);

    // Each stage draws from its own stream (see `Rng::fork`).
    let geo = geo::generate(&mut rng.fork(1), actor_count(shape.facilities));
    let products = industry::products(&mut rng.fork(2), shape.products);
    let mut plants = industry::facilities(&mut rng.fork(3), &geo, &products, shape.facilities);
    let demands = market::demands(&mut rng.fork(4), &geo, &products, &plants, &shape);
    let throughput = industry::size_lines(
        &mut rng.fork(5),
        &geo,
        &products,
        &mut plants,
        &demands,
        shape.periods,
    );
    let stock = industry::stock(&mut rng.fork(6), &products, &plants, &demands, &throughput);
    let expansions = industry::expansions(&mut rng.fork(7), &plants, &demands, shape.periods);
    let contracts = market::contracts(&mut rng.fork(8), &geo, &products, &plants, &demands, &shape);

    let mut scenario = Scenario {
        name: format!("generated-{}-{}", options.size, options.seed),
        description: Some(format!(
            "Synthetic scenario from `caisson generate --size {} --seed {}`; figures are invented.",
            options.size, options.seed
        )),
        calendar,
        currency: "EUR".into(),
        default_lead_time: 1,
        default_unit_cost: 40.0,
        actors: Vec::new(),
        blocs: Vec::new(),
        products: Vec::new(),
        facilities: Vec::new(),
        lines: Vec::new(),
        expansions: Vec::new(),
        routes: Vec::new(),
        demands: Vec::new(),
        contracts: Vec::new(),
        policies: Vec::new(),
        uncertainty: Vec::new(),
        assumptions: Vec::new(),
    };
    geo.install(&mut scenario);
    industry::install(&mut scenario, products, plants, stock, expansions);
    market::install(&mut scenario, demands, contracts);
    scenario
}

/// More facilities spread over more states, growing slower than the
/// facilities themselves (500 facilities: 33 states).
fn actor_count(facilities: usize) -> usize {
    let n = 4.0 + 1.3 * (facilities as f64).sqrt();
    (n as usize).clamp(5, 60)
}
