//! What a published run shows every signed-in user (spec section 3): the
//! plan's `kpis.products`, each product's figures kept only when demands
//! of at least 3 buyer members make them up, `"withheld"` otherwise.
//!
//! This is the server's own reading of the publication rule until
//! `caisson-platform` provides the section-3 views; it needs only the
//! frozen scenario's demands and the round's members.

use std::collections::{BTreeMap, BTreeSet};

use crate::access::RoundCtx;
use crate::error::{ApiError, ApiResult};

/// The fewest buyer members whose demands make up a product's published
/// figures.
pub const MIN_BUYERS: usize = 3;

/// The published `kpis.products` of a plan document.
pub fn products(
    plan_json: &str,
    scenario_toml: &str,
    round: &RoundCtx,
) -> ApiResult<serde_json::Value> {
    let internal = |e: String| ApiError::Internal(anyhow::anyhow!(e));
    let plan: serde_json::Value =
        serde_json::from_str(plan_json).map_err(|e| internal(format!("stored plan: {e}")))?;
    let scenario: toml::Table =
        toml::from_str(scenario_toml).map_err(|e| internal(format!("frozen scenario: {e}")))?;
    let mut buyers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let demands = scenario
        .get("demand")
        .and_then(|d| d.as_array())
        .cloned()
        .unwrap_or_default();
    for demand in &demands {
        let (Some(buyer), Some(product)) = (
            demand.get("buyer").and_then(|b| b.as_str()),
            demand.get("product").and_then(|p| p.as_str()),
        ) else {
            continue;
        };
        if let Some(member) = round
            .members
            .iter()
            .find(|m| m.buyer_actors().contains(&buyer))
        {
            buyers
                .entry(product.to_owned())
                .or_default()
                .insert(member.id.clone());
        }
    }
    let rows = plan["kpis"]["products"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let published: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|mut row| {
            let product = row["product"].as_str().unwrap_or("").to_owned();
            let count = buyers.get(&product).map_or(0, BTreeSet::len);
            if count < MIN_BUYERS {
                if let Some(fields) = row.as_object_mut() {
                    for (key, value) in fields.iter_mut() {
                        if key != "product" {
                            *value = serde_json::Value::String("withheld".into());
                        }
                    }
                }
            }
            row
        })
        .collect();
    Ok(serde_json::Value::Array(published))
}
