//! A run's results as each party may see them (spec section 3): the plan
//! (`caisson-plan/1`) restricted record by record, and the analysis results,
//! which are the coordinator's alone.
//!
//! The plan is redacted on the typed [`PlanDocument`], never on its text:
//! every record is kept or dropped by the predicates of
//! [`crate::visibility`] (looked up in the run's frozen assembled scenario,
//! so that a record naming an entity the scenario does not know is
//! dropped), figures only the coordinator sees become null or empty, a
//! product's KPIs are withheld unless demands of at least 3 buyer members
//! make them up, and a shortage cause naming a facility the caller may not
//! view names the facility's actor (or `"another party"`) instead, without
//! its quantities, in a sentence rebuilt from what is left.

use std::collections::HashMap;

use caisson_model::Scenario;
use caisson_plan::document::{CauseRow, ExplanationRow, KpiRows, PlanDocument, ProductKpiRow};

use crate::visibility::{
    owner_of, shows_product_figures, stand_in_for_facility, FacilityRef, Parties, Viewer,
};

/// What [`stand_in_for_facility`] answers when fewer than 3 producers have
/// facilities in the actor.
const ANOTHER_PARTY: &str = "another party";

/// `plan` (a run's result) as `viewer` may see it, by spec section 3's plan
/// table; `scenario` is the run's frozen assembled scenario, which says
/// each facility's actor, each demand's buyer and each contract's parties.
///
/// The coordinator gets the whole document. Everyone else gets the same
/// format with:
/// - `objective`, `mip_gap`, `cost`, `kpis.end_users`, `kpis.dependencies`
///   (the dependency figures) and the extra `model` statistics null or
///   empty;
/// - `production`, `stock`, `expansions` and the extra `capacity_duals`
///   only for facilities it views;
/// - `transfers` and `transfer_compliance` only between two facilities it
///   views;
/// - `shipments` from a facility it views or to a demand it views;
/// - `demand`, `kpis.demands`, `explanations` and the extra `demands_info`
///   only for demands it views; in an explanation, a cause naming a
///   facility it may not view is redacted (see [`CauseRow`]);
/// - `contracts` only for contracts it views;
/// - `compliance` only where it views both the facility and the demand;
/// - `kpis.products` as [`visible_product_kpis`] gives it;
/// - the extra `facilities_info` for the facilities it views or that a
///   shipment it sees names (a buyer sees who delivers to it);
/// - `message` (why a run failed) only when it names no facility, demand
///   or contract the viewer may not view.
///
/// A caller that is no member of the round views no entity: it gets the
/// format, status and periods and the product KPIs under the publication
/// rule (ask [`Viewer::may_read_run`] first: a member reads plans, an
/// observer only published figures).
pub fn visible_plan(
    plan: &PlanDocument,
    scenario: &Scenario,
    viewer: &Viewer,
    parties: &Parties,
) -> PlanDocument {
    if viewer.is_coordinator(parties) {
        return plan.clone();
    }
    let sight = Sight::new(scenario, viewer, parties);
    let shipments: Vec<_> = plan
        .shipments
        .iter()
        .filter(|r| sight.facility(&r.facility) || sight.demand(&r.demand))
        .cloned()
        .collect();
    let facilities_info = plan
        .facilities_info
        .iter()
        .filter(|f| {
            sight.facility(&f.facility) || shipments.iter().any(|s| s.facility == f.facility)
        })
        .cloned()
        .collect();
    // Every field is named (no `..plan.clone()`), so that a field added to
    // the document does not reach other parties before someone decides who
    // may see it.
    PlanDocument {
        format: plan.format.clone(),
        scenario: plan.scenario.clone(),
        status: plan.status,
        method: plan.method.clone(),
        message: plan
            .message
            .clone()
            .filter(|message| !sight.names_hidden(message)),
        objective: None,
        mip_gap: None,
        currency: plan.currency.clone(),
        periods: plan.periods.clone(),
        cost: None,
        production: kept(&plan.production, |r| sight.facility(&r.facility)),
        shipments,
        transfers: kept(&plan.transfers, |r| {
            sight.facility(&r.from) && sight.facility(&r.to)
        }),
        stock: kept(&plan.stock, |r| sight.facility(&r.facility)),
        expansions: kept(&plan.expansions, |r| sight.facility(&r.facility)),
        demand: kept(&plan.demand, |r| sight.demand(&r.demand)),
        contracts: kept(&plan.contracts, |r| sight.contract(&r.contract)),
        compliance: kept(&plan.compliance, |r| {
            sight.facility(&r.facility) && sight.demand(&r.demand)
        }),
        transfer_compliance: kept(&plan.transfer_compliance, |r| {
            sight.facility(&r.from) && sight.facility(&r.to)
        }),
        kpis: KpiRows {
            demands: kept(&plan.kpis.demands, |r| sight.demand(&r.demand)),
            products: visible_product_kpis(plan, scenario, parties),
            end_users: Vec::new(),
            dependencies: Vec::new(),
        },
        model: None,
        capacity_duals: plan
            .capacity_duals
            .as_ref()
            .map(|duals| kept(duals, |r| sight.facility(&r.facility))),
        explanations: plan
            .explanations
            .iter()
            .filter(|x| sight.demand(&x.demand))
            .map(|x| sight.explanation(x, &plan.periods))
            .collect(),
        demands_info: kept(&plan.demands_info, |r| sight.demand(&r.demand)),
        facilities_info,
    }
}

/// The plan's `kpis.products` as everyone but the coordinator sees them,
/// in a member's view of the plan and in a published run (spec section 3):
/// a product's figures are shown only when demands of at least 3 buyer
/// members make them up, otherwise they are `"withheld"`
/// ([`ProductKpiRow::withheld`]). The demands making up a product's figures
/// are its demands in `kpis.demands` that require something (a demand of
/// nothing adds nothing to them); `scenario` gives each one's buyer.
pub fn visible_product_kpis(
    plan: &PlanDocument,
    scenario: &Scenario,
    parties: &Parties,
) -> Vec<ProductKpiRow> {
    let buyer_of = demand_buyers(scenario);
    plan.kpis
        .products
        .iter()
        .map(|row| {
            let buyers = plan
                .kpis
                .demands
                .iter()
                .filter(|d| d.product == row.product && d.required > 0.0)
                .filter_map(|d| buyer_of.get(d.demand.as_str()).copied());
            if !row.withheld && shows_product_figures(parties, buyers) {
                row.clone()
            } else {
                row.withhold()
            }
        })
        .collect()
}

/// An analysis result (`compare`, `risk`, `simulate`, `recommend`) as
/// `viewer` may see it: whole for the round's coordinator, nothing for
/// anyone else (spec section 3: analysis results are the coordinator's
/// alone, so there is nothing to redact). `None` is answered as 404, the
/// same as for a run that does not exist (as [`Viewer::may_read_run`]).
pub fn visible_analysis<'r, T>(result: &'r T, viewer: &Viewer, parties: &Parties) -> Option<&'r T> {
    viewer.is_coordinator(parties).then_some(result)
}

fn kept<T: Clone>(rows: &[T], keep: impl Fn(&T) -> bool) -> Vec<T> {
    rows.iter().filter(|r| keep(r)).cloned().collect()
}

fn demand_buyers(scenario: &Scenario) -> HashMap<&str, &str> {
    scenario
        .demands
        .iter()
        .filter_map(|d| {
            let buyer = scenario.actors.get(d.buyer.index())?;
            Some((d.id.as_str(), buyer.id.as_str()))
        })
        .collect()
}

/// What one (non-coordinator) caller views, with the scenario's entities
/// indexed by id. An id the scenario does not know is not viewed.
struct Sight<'a> {
    scenario: &'a Scenario,
    viewer: &'a Viewer,
    parties: &'a Parties,
    /// Facility id -> its actor id.
    facility_actor: HashMap<&'a str, &'a str>,
    /// Demand id -> its buyer actor id.
    demand_buyer: HashMap<&'a str, &'a str>,
    /// Contract id -> (supplier facility id, buyer actor id).
    contract_parties: HashMap<&'a str, (&'a str, &'a str)>,
}

impl<'a> Sight<'a> {
    fn new(scenario: &'a Scenario, viewer: &'a Viewer, parties: &'a Parties) -> Self {
        let actor = |index: usize| scenario.actors.get(index).map(|a| a.id.as_str());
        let facility_actor = scenario
            .facilities
            .iter()
            .filter_map(|f| Some((f.id.as_str(), actor(f.actor.index())?)))
            .collect();
        let contract_parties = scenario
            .contracts
            .iter()
            .filter_map(|c| {
                let facility = scenario.facilities.get(c.facility.index())?;
                Some((
                    c.id.as_str(),
                    (facility.id.as_str(), actor(c.buyer.index())?),
                ))
            })
            .collect();
        Sight {
            scenario,
            viewer,
            parties,
            facility_actor,
            demand_buyer: demand_buyers(scenario),
            contract_parties,
        }
    }

    fn facility(&self, id: &str) -> bool {
        self.facility_actor.get(id).is_some_and(|actor| {
            self.viewer
                .views_facility(self.parties, FacilityRef { id, actor })
        })
    }

    fn demand(&self, id: &str) -> bool {
        self.demand_buyer
            .get(id)
            .is_some_and(|buyer| self.viewer.views_demand(self.parties, buyer))
    }

    fn contract(&self, id: &str) -> bool {
        self.contract_parties
            .get(id)
            .is_some_and(|(facility, buyer)| {
                let actor = self.facility_actor.get(facility).copied().unwrap_or("");
                self.viewer.views_contract(
                    self.parties,
                    owner_of(facility).unwrap_or(""),
                    buyer,
                    actor,
                )
            })
    }

    /// Whether `text` names a facility, demand or contract the caller may
    /// not view.
    fn names_hidden(&self, text: &str) -> bool {
        let hidden = |id: &&str| text.contains(*id);
        self.facility_actor
            .keys()
            .filter(|id| !self.facility(id))
            .any(hidden)
            || self
                .demand_buyer
                .keys()
                .filter(|id| !self.demand(id))
                .any(hidden)
            || self
                .contract_parties
                .keys()
                .filter(|id| !self.contract(id))
                .any(hidden)
    }

    /// An explanation of a demand the caller views, its causes redacted.
    fn explanation(&self, x: &ExplanationRow, periods: &[String]) -> ExplanationRow {
        ExplanationRow {
            causes: x
                .causes
                .iter()
                .map(|cause| self.cause(cause, periods))
                .collect(),
            ..x.clone()
        }
    }

    /// A cause as the caller may see it: whole when it names no facility
    /// or one the caller views; otherwise the facility's stand-in instead
    /// of the facility, no line, no quantities, and a sentence saying only
    /// that.
    fn cause(&self, cause: &CauseRow, periods: &[String]) -> CauseRow {
        let facility = match cause {
            CauseRow::NoSource { .. } => return cause.clone(),
            CauseRow::LeadTime { facility, .. }
            | CauseRow::CapacityBound { facility, .. }
            | CauseRow::Denied { facility, .. }
            | CauseRow::InputShortage { facility, .. }
            | CauseRow::SpareUnshipped { facility, .. } => facility,
        };
        if self.facility(facility) {
            return cause.clone();
        }
        let stand_in = self.facility_actor.get(facility.as_str()).map_or_else(
            || ANOTHER_PARTY.to_owned(),
            |actor| stand_in_for_facility(self.scenario, self.parties, actor),
        );
        let named_actor = stand_in != ANOTHER_PARTY;
        let a_facility = if named_actor {
            format!("a facility in {stand_in}")
        } else {
            format!("a facility of {ANOTHER_PARTY}")
        };
        let a_line = if named_actor {
            format!("a line in {stand_in}")
        } else {
            format!("a line of {ANOTHER_PARTY}")
        };
        let when = |labels: &[String]| periods_text(labels, periods);
        match cause {
            CauseRow::LeadTime {
                product,
                periods: short,
                every_source,
                ..
            } => CauseRow::LeadTime {
                text: if *every_source {
                    format!(
                        "nothing can arrive in {}: the shortest allowed route, from {a_facility}, \
                         takes too long",
                        when(short)
                    )
                } else {
                    format!(
                        "{a_facility} could not deliver in time for {}: its route takes too long",
                        when(short)
                    )
                },
                facility: stand_in,
                product: product.clone(),
                lead_time: None,
                periods: short.clone(),
                every_source: *every_source,
                spare_stock: None,
                spare_capacity: None,
            },
            CauseRow::CapacityBound {
                product,
                periods: made,
                ..
            } => CauseRow::CapacityBound {
                text: format!(
                    "{a_line} (makes {product}) had no capacity left in {}",
                    when(made)
                ),
                facility: stand_in,
                line: None,
                product: product.clone(),
                periods: made.clone(),
                used: None,
                capacity: None,
                shadow_price: None,
            },
            CauseRow::Denied {
                product,
                policy,
                list,
                reason,
                ..
            } => {
                // With "another party" standing in, the deciding policy
                // (whose scope every member sees) and the reason (which
                // names the exporter) would tell the actor: drop them.
                let (policy, reason) = if named_actor {
                    (policy.clone(), reason.clone())
                } else {
                    (None, "a policy denies it".to_owned())
                };
                CauseRow::Denied {
                    text: format!("{a_facility} may not ship {product} to this demand: {reason}"),
                    facility: stand_in.clone(),
                    actor: stand_in,
                    product: product.clone(),
                    policy,
                    list: list.clone(),
                    reason,
                    spare_stock: None,
                    spare_capacity: None,
                }
            }
            CauseRow::InputShortage {
                product,
                input,
                periods: made,
                ..
            } => CauseRow::InputShortage {
                text: format!(
                    "{a_line} had capacity to make {product} in {} but its facility had no \
                     {input} left",
                    when(made)
                ),
                facility: stand_in,
                line: None,
                product: product.clone(),
                input: input.clone(),
                periods: made.clone(),
            },
            CauseRow::SpareUnshipped {
                product,
                periods: held,
                ..
            } => CauseRow::SpareUnshipped {
                text: format!(
                    "{a_facility} still held {product} at the end of {} but did not send it \
                     (kept for later use, or costlier than the shortage)",
                    when(held)
                ),
                facility: stand_in,
                product: product.clone(),
                periods: held.clone(),
                stock: None,
            },
            CauseRow::NoSource { .. } => cause.clone(),
        }
    }
}

/// Period labels with runs of consecutive periods of the horizon joined
/// (`2026-01..2026-03, 2026-05`), as the planner writes them; a label the
/// horizon does not know stands alone.
fn periods_text(labels: &[String], horizon: &[String]) -> String {
    let position = |label: &String| horizon.iter().position(|p| p == label);
    let mut runs: Vec<(&String, &String)> = Vec::new();
    let mut previous: Option<usize> = None;
    for label in labels {
        let here = position(label);
        match (runs.last_mut(), previous, here) {
            (Some((_, end)), Some(p), Some(h)) if h == p + 1 => *end = label,
            _ => runs.push((label, label)),
        }
        previous = here;
    }
    runs.iter()
        .map(|(first, last)| {
            if first == last {
                (*first).clone()
            } else {
                format!("{first}..{last}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}
