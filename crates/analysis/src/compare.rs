//! `compare`: a base scenario and its variants, planned independently and in
//! parallel, side by side with deltas against the base.
//!
//! The result ([`Comparison`]: each plan summarised as an [`Outcome`], with
//! deltas against the base) is plain data and needs no solver; planning the
//! cases (`compare`, `compare_with`, `compare_and_plan`, in `run`) needs the `solve` feature.

use caisson_plan::CostSplit;
use serde::{Deserialize, Serialize};

use crate::outcome::Outcome;

#[cfg(feature = "solve")]
mod run;

#[cfg(feature = "solve")]
pub use run::{compare, compare_and_plan, compare_with, Variant};

/// The base and every variant, with their deltas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The base scenario's outcome.
    pub base: Outcome,
    /// Each variant's outcome and its difference from the base.
    pub variants: Vec<VariantOutcome>,
}

/// A variant's outcome and its deltas (variant minus base).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantOutcome {
    /// The variant's outcome.
    pub outcome: Outcome,
    /// Variant minus base.
    pub delta: Delta,
}

/// Differences of a variant from the base (variant minus base).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    /// Objective difference (`None` if either has no solution).
    pub objective: Option<f64>,
    /// Cost split difference.
    pub cost: Option<CostSplit>,
    /// Per product present in either, the differences of its totals.
    pub products: Vec<FigureDelta>,
    /// Per demand present in both, the differences of its figures.
    pub demands: Vec<FigureDelta>,
    /// Expansions chosen in the variant but not in the base.
    pub expansions_added: Vec<String>,
    /// Expansions chosen in the base but not in the variant.
    pub expansions_dropped: Vec<String>,
}

/// The differences of one product's or demand's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FigureDelta {
    /// Product or demand id.
    pub id: String,
    /// Units delivered.
    pub delivered: f64,
    /// Fill rate (`None` when either side requires nothing).
    pub fill_rate: Option<f64>,
    /// Backlog at the end.
    pub final_backlog: f64,
    /// Shortage in unit-periods (and lost units).
    pub shortage: f64,
}

/// Variant minus base.
pub fn delta(base: &Outcome, variant: &Outcome) -> Delta {
    let objective = base.objective.zip(variant.objective).map(|(b, v)| v - b);
    let cost = base.cost.zip(variant.cost).map(|(b, v)| CostSplit {
        shortage: v.shortage - b.shortage,
        production: v.production - b.production,
        transport: v.transport - b.transport,
        holding: v.holding - b.holding,
        capex: v.capex - b.capex,
        contract: v.contract - b.contract,
    });
    let mut product_ids: Vec<&str> = base
        .products
        .iter()
        .map(|p| p.kpi.product.as_str())
        .collect();
    for p in &variant.products {
        if !product_ids.contains(&p.kpi.product.as_str()) {
            product_ids.push(&p.kpi.product);
        }
    }
    let products = product_ids
        .into_iter()
        .map(|id| {
            let b = base.products.iter().find(|p| p.kpi.product == id);
            let v = variant.products.iter().find(|p| p.kpi.product == id);
            let get =
                |o: Option<&crate::outcome::ProductOutcome>,
                 f: fn(&crate::outcome::ProductOutcome) -> f64| o.map_or(0.0, f);
            FigureDelta {
                id: id.to_owned(),
                delivered: get(v, |p| p.kpi.delivered) - get(b, |p| p.kpi.delivered),
                fill_rate: b
                    .and_then(|p| p.kpi.fill_rate)
                    .zip(v.and_then(|p| p.kpi.fill_rate))
                    .map(|(b, v)| v - b),
                final_backlog: get(v, |p| p.final_backlog) - get(b, |p| p.final_backlog),
                shortage: get(v, |p| p.kpi.shortage) - get(b, |p| p.kpi.shortage),
            }
        })
        .collect();
    let demands = base
        .demands
        .iter()
        .filter_map(|b| {
            let (b, v) = (&b.kpi, &variant.demand(&b.kpi.demand)?.kpi);
            Some(FigureDelta {
                id: b.demand.clone(),
                delivered: v.delivered - b.delivered,
                fill_rate: b.fill_rate.zip(v.fill_rate).map(|(b, v)| v - b),
                final_backlog: v.final_backlog - b.final_backlog,
                shortage: v.shortage - b.shortage,
            })
        })
        .collect();
    let chosen =
        |o: &Outcome| -> Vec<String> { o.expansions.iter().map(|e| e.expansion.clone()).collect() };
    let (in_base, in_variant) = (chosen(base), chosen(variant));
    Delta {
        objective,
        cost,
        products,
        demands,
        expansions_added: in_variant
            .iter()
            .filter(|e| !in_base.contains(e))
            .cloned()
            .collect(),
        expansions_dropped: in_base
            .iter()
            .filter(|e| !in_variant.contains(e))
            .cloned()
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `caisson compare --format json` writes for a base with one
    /// demand, read without a solver.
    const BASE: &str = r#"{
        "scenario": "base", "status": "optimal", "objective": 120.5,
        "cost": {"shortage": 100, "production": 20.5, "transport": 0,
                 "holding": 0, "capex": 0, "contract": 0},
        "products": [{"product": "shell", "required": 30, "delivered": 20,
                      "fill_rate": 0.6667, "shortage": 10, "final_backlog": 10}],
        "demands": [{"demand": "d", "product": "shell", "end_user": "U",
                     "required": 30, "delivered": 20, "fill_rate": 0.6667,
                     "final_backlog": 10, "lost": 0, "shortage": 10, "buyer": "B"}],
        "expansions": [],
        "dependency": []
    }"#;

    #[test]
    fn a_comparison_reads_back_and_its_deltas_subtract_the_base() {
        let base: Outcome = serde_json::from_str(BASE).expect("an outcome reads");
        assert_eq!(base.demands[0].buyer, "B");
        assert_eq!(base.demands[0].kpi.shortage, 10.0);
        assert_eq!(base.products[0].final_backlog, 10.0);
        let mut variant = base.clone();
        variant.demands[0].kpi.shortage = 4.0;
        variant.products[0].kpi.shortage = 4.0;
        let comparison = Comparison {
            variants: vec![VariantOutcome {
                delta: delta(&base, &variant),
                outcome: variant,
            }],
            base,
        };
        let json = serde_json::to_string(&comparison).expect("serialises");
        let back: Comparison = serde_json::from_str(&json).expect("reads back");
        assert_eq!(back, comparison);
        assert_eq!(back.variants[0].delta.demands[0].shortage, -6.0);
        assert_eq!(back.variants[0].delta.products[0].shortage, -6.0);
    }
}
