//! What a published run shows every signed-in user (spec section 3): the
//! plan's `kpis.products` under the 3-buyer rule and the producers'
//! capacity aggregates of the run's frozen scenario. The rules are
//! `caisson-platform`'s (`visible_product_kpis`, `capacity_aggregates`);
//! this module reads the stored documents they apply to.

use caisson_model::Scenario;
use caisson_platform::{capacity_aggregates, visible_product_kpis, CapacityAggregate};

use crate::access::RoundCtx;
use crate::error::{ApiError, ApiResult};

/// The public figures of a published run.
#[derive(Debug)]
pub struct PublicFigures {
    /// The plan's `kpis.products` (plan runs only), each product's figures
    /// `"withheld"` unless demands of at least 3 buyer members make them up.
    pub products: Option<serde_json::Value>,
    /// Capacity totals per (actor, product, period) of the frozen scenario,
    /// `"withheld"` unless at least 3 producers make a total up and none
    /// more than half of it.
    pub capacity: Vec<CapacityAggregate>,
}

/// The public figures of a run with this frozen scenario and, for plan
/// runs, this result (`plan_json`).
pub fn figures(
    plan_json: Option<&str>,
    scenario: &Scenario,
    round: &RoundCtx,
) -> ApiResult<PublicFigures> {
    let internal = |what: &str, e: &dyn std::fmt::Display| {
        ApiError::Internal(anyhow::anyhow!("published run: {what}: {e}"))
    };
    let products = match plan_json {
        Some(text) => {
            let plan = caisson_plan::PlanDocument::from_json(text)
                .map_err(|e| internal("the stored plan does not read back", &e))?;
            let rows = visible_product_kpis(&plan, scenario, &round.parties);
            Some(serde_json::to_value(rows).map_err(|e| internal("writing the figures", &e))?)
        }
        None => None,
    };
    Ok(PublicFigures {
        products,
        capacity: capacity_aggregates(scenario, &round.parties),
    })
}
