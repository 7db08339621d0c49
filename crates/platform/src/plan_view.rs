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

use std::collections::{HashMap, HashSet};

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
    parties: &'a Parties,
    /// Facility id -> its actor id.
    facility_actor: HashMap<&'a str, &'a str>,
    /// Demand id -> its buyer actor id.
    demand_buyer: HashMap<&'a str, &'a str>,
    /// Contract id -> (supplier facility id, buyer actor id).
    contract_parties: HashMap<&'a str, (&'a str, &'a str)>,
    /// What the caller views, asked of the policies once per entity.
    seen: Seen<'a>,
}

/// The ids of the entities a caller views.
#[derive(Default)]
struct Seen<'a> {
    facilities: HashSet<&'a str>,
    demands: HashSet<&'a str>,
    contracts: HashSet<&'a str>,
}

impl<'a> Seen<'a> {
    fn new(
        viewer: &Viewer,
        parties: &Parties,
        facility_actor: &HashMap<&'a str, &'a str>,
        demand_buyer: &HashMap<&'a str, &'a str>,
        contract_parties: &HashMap<&'a str, (&'a str, &'a str)>,
    ) -> Self {
        let facilities = facility_actor
            .iter()
            .filter(|(id, actor)| viewer.views_facility(parties, FacilityRef { id, actor }))
            .map(|(id, _)| *id)
            .collect();
        let demands = demand_buyer
            .iter()
            .filter(|(_, buyer)| viewer.views_demand(parties, buyer))
            .map(|(id, _)| *id)
            .collect();
        let contracts = contract_parties
            .iter()
            .filter(|(_, (facility, buyer))| {
                let actor = facility_actor.get(facility).copied().unwrap_or("");
                viewer.views_contract(parties, owner_of(facility).unwrap_or(""), buyer, actor)
            })
            .map(|(id, _)| *id)
            .collect();
        Seen {
            facilities,
            demands,
            contracts,
        }
    }
}

impl<'a> Sight<'a> {
    fn new(scenario: &'a Scenario, viewer: &Viewer, parties: &'a Parties) -> Self {
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
        let demand_buyer = demand_buyers(scenario);
        let seen = Seen::new(
            viewer,
            parties,
            &facility_actor,
            &demand_buyer,
            &contract_parties,
        );
        Sight {
            scenario,
            parties,
            facility_actor,
            demand_buyer,
            contract_parties,
            seen,
        }
    }

    fn facility(&self, id: &str) -> bool {
        self.seen.facilities.contains(id)
    }

    fn demand(&self, id: &str) -> bool {
        self.seen.demands.contains(id)
    }

    fn contract(&self, id: &str) -> bool {
        self.seen.contracts.contains(id)
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

#[cfg(test)]
mod tests {
    //! Spec section 3's plan table row by row, on a small round and a
    //! hand-written plan whose every record names known entities.

    use caisson_plan::document::PlanDocument;
    use serde_json::{json, Value};

    use super::*;
    use crate::org::{OrgKind, Organisation, Role};
    use crate::{assemble, check_fragment, MediaType, ReferencePart, Schedule, SignedContract};

    const REFERENCE: &str = r#"[scenario]
name = "small"
start = "2026-01"
periods = 3

[[actor]]
id = "SRB"

[[actor]]
id = "DEU"

[[actor]]
id = "POL"

[[actor]]
id = "EUJ"

[[actor]]
id = "UKR"

[[product]]
id = "shell"

[[product]]
id = "mortar"
"#;

    fn org(id: &str, kind: OrgKind, actor: Option<&str>, group: Option<&str>) -> Organisation {
        Organisation {
            id: id.into(),
            name: id.into(),
            kind,
            actor: actor.map(str::to_owned),
            buys_for: if kind == OrgKind::Coordinator && id == "eu" {
                vec!["EUJ".into()]
            } else {
                Vec::new()
            },
            blocs: Vec::new(),
            group: group.map(str::to_owned),
        }
    }

    fn facility(actor: &str, product: &str) -> String {
        format!(
            "[[facility]]\nid = \"plant\"\nactor = \"{actor}\"\n\n[[facility.line]]\nid = \"main\"\n\
             capacity = 100\nproducts = {{ {product} = {{ rate = 1, cost = 10 }} }}\n"
        )
    }

    fn demand(id: &str, buyer: &str, product: &str) -> String {
        format!(
            "[[demand]]\nid = \"{id}\"\nbuyer = \"{buyer}\"\nend_user = \"UKR\"\nproduct = \
             \"{product}\"\nquantity = 5\npenalty = 1000\n"
        )
    }

    /// Coordinator `eu` (buys for EUJ), a second coordinator `nspa`, states
    /// `deu`, `pol` (demands) and `srb` (none), producers `krusik` and
    /// `sloboda` (SRB, one group), `rhm` (DEU) and three producers of
    /// three groups in POL; a contract krusik:plant -> DEU.
    struct Round {
        parties: Parties,
        scenario: Scenario,
    }

    fn round() -> Round {
        let members = vec![
            (
                org("eu", OrgKind::Coordinator, None, None),
                demand("ukr", "EUJ", "shell"),
            ),
            (org("nspa", OrgKind::Coordinator, None, None), String::new()),
            (
                org("deu", OrgKind::State, Some("DEU"), None),
                demand("stock", "DEU", "shell"),
            ),
            (
                org("pol", OrgKind::State, Some("POL"), None),
                format!(
                    "{}\n{}",
                    demand("army", "POL", "shell"),
                    demand("mortars", "POL", "mortar")
                ),
            ),
            (org("srb", OrgKind::State, Some("SRB"), None), String::new()),
            (
                org("krusik", OrgKind::Producer, Some("SRB"), Some("yugo")),
                facility("SRB", "mortar"),
            ),
            (
                org("sloboda", OrgKind::Producer, Some("SRB"), Some("yugo")),
                facility("SRB", "shell"),
            ),
            (
                org("rhm", OrgKind::Producer, Some("DEU"), None),
                facility("DEU", "shell"),
            ),
            (
                org("mesko", OrgKind::Producer, Some("POL"), None),
                facility("POL", "shell"),
            ),
            (
                org("dezamet", OrgKind::Producer, Some("POL"), None),
                facility("POL", "shell"),
            ),
            (
                org("niewiadow", OrgKind::Producer, Some("POL"), None),
                facility("POL", "shell"),
            ),
        ];
        let fragments: Vec<_> = members
            .iter()
            .map(|(o, text)| check_fragment(o, text, MediaType::Toml).expect("owned"))
            .collect();
        let refs: Vec<_> = members
            .iter()
            .zip(&fragments)
            .map(|((o, _), f)| (o, Some(f)))
            .collect();
        let contracts = [SignedContract {
            id: "9f2c".into(),
            supplier: "krusik".into(),
            facility: "krusik:plant".into(),
            buyer: "DEU".into(),
            product: "mortar".into(),
            quantity: Schedule::Constant(10.0),
            penalty: 5.0,
            price: 500.0,
        }];
        let reference = ReferencePart::parse(REFERENCE, MediaType::Toml).expect("reference");
        let scenario = assemble(&reference, &refs, &contracts)
            .expect("valid")
            .scenario;
        let coordinator = members[0].0.clone();
        let parties = Parties::new(coordinator, members.into_iter().map(|(o, _)| o).collect());
        Round { parties, scenario }
    }

    impl Round {
        fn viewer(&self, id: &str) -> Viewer {
            let organisation = self
                .parties
                .member(id)
                .cloned()
                .unwrap_or_else(|| org(id, OrgKind::Observer, None, None));
            Viewer {
                organisation,
                role: Role::Viewer,
            }
        }

        fn view(&self, id: &str, whole: &PlanDocument) -> PlanDocument {
            visible_plan(whole, &self.scenario, &self.viewer(id), &self.parties)
        }
    }

    fn cost() -> Value {
        json!({"shortage": 1.0, "production": 2.0, "transport": 3.0, "holding": 4.0,
               "capex": 5.0, "contract": 6.0})
    }

    fn demand_kpi(demand: &str, product: &str, required: f64) -> Value {
        json!({"demand": demand, "product": product, "end_user": "UKR", "required": required,
               "delivered": 5.0, "fill_rate": 0.5, "final_backlog": 0.0, "lost": 0.0,
               "shortage": 5.0})
    }

    fn product_kpi(product: &str) -> Value {
        json!({"product": product, "required": 30.0, "delivered": 20.0, "fill_rate": 0.667,
               "shortage": 10.0})
    }

    fn plan() -> Value {
        let period = |facility: &str| {
            json!({"facility": facility, "line": "main", "product": "shell", "period": "2026-01",
                   "quantity": 17.0})
        };
        let ship = |facility: &str, demand: &str| {
            json!({"facility": facility, "demand": demand, "product": "shell",
                   "period": "2026-01", "arrival": "2026-02", "quantity": 3.0})
        };
        let demand_row = |demand: &str| {
            json!({"demand": demand, "period": "2026-01", "required": 5.0, "delivered": 3.0,
                   "backlog": 2.0, "lost": 0.0})
        };
        let compliance = |facility: &str, demand: &str| {
            json!({"facility": facility, "demand": demand, "allowed": true,
                   "reason": "no policy applies"})
        };
        let periods = json!(["2026-02", "2026-03"]);
        let kpis = json!({
            "demands": [demand_kpi("eu:ukr", "shell", 10.0),
                        demand_kpi("deu:stock", "shell", 10.0),
                        demand_kpi("pol:army", "shell", 10.0),
                        demand_kpi("pol:mortars", "mortar", 10.0)],
            "products": [product_kpi("shell"), product_kpi("mortar")],
            "end_users": [{"end_user": "UKR", "product": "shell", "exporter": "DEU",
                           "delivered": 3.0, "share": 1.0}],
            "dependencies": [{"role": "end_user", "receiver": "UKR", "product": "shell",
                              "delivered": 3.0,
                              "by_exporter": [{"id": "DEU", "units": 3.0, "share": 1.0}],
                              "by_bloc": [], "hhi": 10000.0, "unaligned_share": 0.0}]
        });
        let explanations = json!([
                {"demand": "deu:stock", "text": "demand deu:stock short", "first_short": "2026-02",
                 "last_short": "2026-03", "short_periods": 2, "total_shortage": 4.0,
                 "omitted": 0, "causes": [
                    {"kind": "capacity_bound", "text": "line krusik:plant/main ran at full capacity (123 of 456)",
                     "facility": "krusik:plant", "line": "main", "product": "shell",
                     "periods": periods, "used": 123.0, "capacity": 456.0,
                     "shadow_price": 7.5},
                    {"kind": "spare_unshipped", "text": "rhm:plant still held 9 shell",
                     "facility": "rhm:plant", "product": "shell", "periods": periods,
                     "stock": 9.0},
                    {"kind": "denied", "text": "mesko:plant (POL) had 77 shell in stock",
                     "facility": "mesko:plant", "actor": "POL", "product": "shell",
                     "policy": "pol:ban", "list": "deny_export",
                     "reason": "pol:ban deny_export: POL may not export to DEU",
                     "spare_stock": 77.0, "spare_capacity": 0.0},
                    {"kind": "lead_time", "text": "sloboda:plant had 5 shell but its route takes 2 period(s)",
                     "facility": "sloboda:plant", "product": "shell", "lead_time": 2,
                     "periods": ["2026-01", "2026-03"], "every_source": false,
                     "spare_stock": 5.0, "spare_capacity": 1.0},
                    {"kind": "input_shortage", "text": "line krusik:plant/main had capacity",
                     "facility": "krusik:plant", "line": "main", "product": "mortar",
                     "input": "shell", "periods": periods},
                    {"kind": "no_source", "text": "every facility holding shell (2) is denied",
                     "product": "shell", "denied_holders": 2}]},
                {"demand": "eu:ukr", "text": "demand eu:ukr short", "first_short": "2026-02",
                 "last_short": "2026-02", "short_periods": 1, "total_shortage": 1.0,
                 "omitted": 0, "causes": []}]);
        json!({
            "format": "caisson-plan/1",
            "scenario": "small",
            "status": "optimal",
            "method": "highs-mip",
            "message": "solved",
            "objective": 21.0,
            "mip_gap": 0.0,
            "currency": "EUR",
            "periods": ["2026-01", "2026-02", "2026-03"],
            "cost": cost(),
            "production": [period("krusik:plant"), period("sloboda:plant"),
                           period("rhm:plant"), period("mesko:plant")],
            "shipments": [ship("krusik:plant", "deu:stock"), ship("rhm:plant", "eu:ukr"),
                          ship("sloboda:plant", "pol:army"), ship("mesko:plant", "eu:ukr")],
            "transfers": [
                {"from": "krusik:plant", "to": "sloboda:plant", "product": "shell",
                 "period": "2026-01", "arrival": "2026-01", "quantity": 4.0},
                {"from": "rhm:plant", "to": "krusik:plant", "product": "shell",
                 "period": "2026-01", "arrival": "2026-02", "quantity": 4.0}],
            "stock": [{"facility": "krusik:plant", "product": "mortar", "period": "2026-01",
                       "quantity": 8.0},
                      {"facility": "rhm:plant", "product": "shell", "period": "2026-01",
                       "quantity": 9.0}],
            "expansions": [{"expansion": "rhm:x", "facility": "rhm:plant", "line": "main",
                            "decided": "2026-01", "available": "2026-02", "fraction": 1.0}],
            "demand": [demand_row("eu:ukr"), demand_row("deu:stock"), demand_row("pol:army"),
                       demand_row("pol:mortars")],
            "contracts": [{"contract": "9f2c", "period": "2026-01", "committed": 10.0,
                           "shipped": 10.0, "shortfall": 0.0}],
            "compliance": [compliance("krusik:plant", "deu:stock"),
                           compliance("rhm:plant", "deu:stock"),
                           compliance("krusik:plant", "eu:ukr")],
            "transfer_compliance": [
                {"from": "krusik:plant", "to": "sloboda:plant", "allowed": true,
                 "reason": "no policy applies"}],
            "kpis": kpis,
            "capacity_duals": [{"facility": "rhm:plant", "line": "main", "period": "2026-01",
                                "shadow_price": 12.5},
                               {"facility": "krusik:plant", "line": "main",
                                "period": "2026-01", "shadow_price": 7.5}],
            "explanations": explanations,
            "demands_info": [
                {"demand": "eu:ukr", "buyer": "EUJ", "end_user": "UKR", "product": "shell", "backlog": true},
                {"demand": "deu:stock", "buyer": "DEU", "end_user": "UKR", "product": "shell", "backlog": true}],
            "facilities_info": [
                {"facility": "krusik:plant", "actor": "SRB"},
                {"facility": "sloboda:plant", "actor": "SRB"},
                {"facility": "rhm:plant", "actor": "DEU"},
                {"facility": "mesko:plant", "actor": "POL"}]
        })
    }

    fn document(value: &Value) -> PlanDocument {
        PlanDocument::from_value(value).expect("a valid plan document")
    }

    /// The ids of one record array of a view, by `key`.
    fn ids<T>(rows: &[T], key: impl Fn(&T) -> String) -> Vec<String> {
        rows.iter().map(key).collect()
    }

    #[test]
    fn the_coordinator_sees_the_whole_document() {
        let round = round();
        let whole = document(&plan());
        assert_eq!(round.view("eu", &whole), whole);
    }

    #[test]
    fn totals_end_users_dependencies_and_model_are_the_coordinators() {
        let round = round();
        let whole = document(&plan());
        for id in ["nspa", "deu", "pol", "srb", "krusik", "rhm", "ngo"] {
            let view = round.view(id, &whole);
            assert_eq!(view.objective, None, "{id}");
            assert_eq!(view.mip_gap, None, "{id}");
            assert_eq!(view.cost, None, "{id}");
            assert!(view.kpis.end_users.is_empty(), "{id}");
            assert!(view.kpis.dependencies.is_empty(), "{id}");
            assert_eq!(view.model, None, "{id}");
            // What the reference part says stays.
            assert_eq!(view.periods, whole.periods, "{id}");
            assert_eq!(view.status, whole.status, "{id}");
            let json = serde_json::to_value(&view).expect("JSON");
            assert_eq!(json["objective"], Value::Null);
            assert_eq!(json["cost"], Value::Null);
            assert_eq!(json["kpis"]["end_users"], json!([]));
        }
    }

    #[test]
    fn production_stock_expansions_and_duals_where_the_facility_is_viewed() {
        let round = round();
        let whole = document(&plan());
        let check = |id: &str, production: &[&str], stock: &[&str], expansions: &[&str]| {
            let view = round.view(id, &whole);
            assert_eq!(
                ids(&view.production, |r| r.facility.clone()),
                production,
                "{id}"
            );
            assert_eq!(ids(&view.stock, |r| r.facility.clone()), stock, "{id}");
            assert_eq!(
                ids(&view.expansions, |r| r.facility.clone()),
                expansions,
                "{id}"
            );
            let duals = view.capacity_duals.unwrap_or_default();
            assert!(
                duals
                    .iter()
                    .all(|d| production.contains(&d.facility.as_str())),
                "{id}"
            );
        };
        check("krusik", &["krusik:plant"], &["krusik:plant"], &[]);
        // Sloboda is of krusik's group but sees only its own facility.
        check("sloboda", &["sloboda:plant"], &[], &[]);
        check(
            "srb",
            &["krusik:plant", "sloboda:plant"],
            &["krusik:plant"],
            &[],
        );
        check("deu", &["rhm:plant"], &["rhm:plant"], &["rhm:plant"]);
        check("rhm", &["rhm:plant"], &["rhm:plant"], &["rhm:plant"]);
        check("nspa", &[], &[], &[]);
        check("ngo", &[], &[], &[]);
        check(
            "eu",
            &["krusik:plant", "sloboda:plant", "rhm:plant", "mesko:plant"],
            &["krusik:plant", "rhm:plant"],
            &["rhm:plant"],
        );
    }

    #[test]
    fn transfers_where_both_facilities_are_viewed() {
        let round = round();
        let whole = document(&plan());
        let check = |id: &str, transfers: &[&str], compliance: &[&str]| {
            let view = round.view(id, &whole);
            assert_eq!(
                ids(&view.transfers, |r| format!("{}>{}", r.from, r.to)),
                transfers,
                "{id}"
            );
            assert_eq!(
                ids(&view.transfer_compliance, |r| format!(
                    "{}>{}",
                    r.from, r.to
                )),
                compliance,
                "{id}"
            );
        };
        // The state of SRB views both Serbian facilities; each producer one.
        check(
            "srb",
            &["krusik:plant>sloboda:plant"],
            &["krusik:plant>sloboda:plant"],
        );
        check("krusik", &[], &[]);
        check("sloboda", &[], &[]);
        check("rhm", &[], &[]);
        check("deu", &[], &[]);
    }

    #[test]
    fn shipments_where_the_facility_or_the_demand_is_viewed() {
        let round = round();
        let whole = document(&plan());
        let check = |id: &str, shipments: &[&str], facilities: &[&str]| {
            let view = round.view(id, &whole);
            assert_eq!(
                ids(&view.shipments, |r| format!("{}>{}", r.facility, r.demand)),
                shipments,
                "{id}"
            );
            assert_eq!(
                ids(&view.facilities_info, |r| r.facility.clone()),
                facilities,
                "{id}"
            );
        };
        // A buyer sees who delivers to it, facility included.
        check(
            "deu",
            &["krusik:plant>deu:stock", "rhm:plant>eu:ukr"],
            &["krusik:plant", "rhm:plant"],
        );
        check(
            "pol",
            &["sloboda:plant>pol:army", "mesko:plant>eu:ukr"],
            &["sloboda:plant", "mesko:plant"],
        );
        check("krusik", &["krusik:plant>deu:stock"], &["krusik:plant"]);
        check("mesko", &["mesko:plant>eu:ukr"], &["mesko:plant"]);
        check("nspa", &[], &[]);
    }

    #[test]
    fn demand_rows_kpis_explanations_and_info_where_the_demand_is_viewed() {
        let round = round();
        let whole = document(&plan());
        let check = |id: &str, demands: &[&str], explained: &[&str]| {
            let view = round.view(id, &whole);
            assert_eq!(ids(&view.demand, |r| r.demand.clone()), demands, "{id}");
            assert_eq!(
                ids(&view.kpis.demands, |r| r.demand.clone()),
                demands,
                "{id}"
            );
            assert_eq!(
                ids(&view.explanations, |r| r.demand.clone()),
                explained,
                "{id}"
            );
            let info = ids(&view.demands_info, |r| r.demand.clone());
            assert!(info.iter().all(|d| demands.contains(&d.as_str())), "{id}");
        };
        check("deu", &["deu:stock"], &["deu:stock"]);
        check("pol", &["pol:army", "pol:mortars"], &[]);
        check("srb", &[], &[]);
        check("krusik", &[], &[]);
        check("nspa", &[], &[]);
        check("ngo", &[], &[]);
    }

    #[test]
    fn contracts_where_the_contract_is_viewed() {
        let round = round();
        let whole = document(&plan());
        for (id, sees) in [
            ("krusik", true), // its supplier
            ("deu", true),    // the member owning its buyer
            ("srb", true),    // the state of the supplier facility's actor
            ("sloboda", false),
            ("rhm", false),
            ("pol", false),
            ("nspa", false),
            ("ngo", false),
        ] {
            assert_eq!(
                round.view(id, &whole).contracts.len(),
                usize::from(sees),
                "{id}"
            );
        }
    }

    #[test]
    fn compliance_where_the_facility_and_the_demand_are_viewed() {
        let round = round();
        let whole = document(&plan());
        let check = |id: &str, rows: &[&str]| {
            let view = round.view(id, &whole);
            assert_eq!(
                ids(&view.compliance, |r| format!("{}>{}", r.facility, r.demand)),
                rows,
                "{id}"
            );
        };
        check("deu", &["rhm:plant>deu:stock"]);
        check("krusik", &[]);
        check("srb", &[]);
        check("rhm", &[]);
    }

    #[test]
    fn product_figures_only_where_three_buyer_members_make_them_up() {
        let round = round();
        let whole = document(&plan());
        for id in ["deu", "krusik", "nspa", "ngo"] {
            let view = round.view(id, &whole);
            let shell = &view.kpis.products[0];
            let mortar = &view.kpis.products[1];
            // shell: eu, deu and pol buy it; mortar: pol alone.
            assert!(!shell.withheld, "{id}");
            assert_eq!(shell, &whole.kpis.products[0], "{id}");
            assert!(mortar.withheld, "{id}");
            let json = serde_json::to_value(&view).expect("JSON");
            assert_eq!(
                json["kpis"]["products"][1],
                json!({"product": "mortar", "required": "withheld", "delivered": "withheld",
                       "fill_rate": "withheld", "shortage": "withheld"})
            );
            assert_eq!(json["kpis"]["products"][0], product_kpi("shell"));
        }
        // A demand of nothing does not count: with pol requiring no shell,
        // two buyer members make the figures up.
        let mut value = plan();
        value["kpis"]["demands"][2]["required"] = json!(0.0);
        let products = visible_product_kpis(&document(&value), &round.scenario, &round.parties);
        assert!(products[0].withheld);
        // The coordinator sees every figure.
        assert!(round
            .view("eu", &whole)
            .kpis
            .products
            .iter()
            .all(|p| !p.withheld));
    }

    #[test]
    fn a_withheld_view_reads_back_the_same() {
        let round = round();
        let view = round.view("deu", &document(&plan()));
        let text = serde_json::to_string(&view).expect("JSON");
        assert_eq!(PlanDocument::from_json(&text).expect("reads"), view);
    }

    #[test]
    fn hidden_causes_name_the_actor_or_another_party_without_quantities() {
        let round = round();
        let whole = document(&plan());
        let view = round.view("deu", &whole);
        let causes = &view.explanations[0].causes;
        let json = serde_json::to_value(causes).expect("JSON");
        // krusik:plant (SRB, one producer group there): another party.
        assert_eq!(
            json[0],
            json!({"kind": "capacity_bound",
                   "text": "a line of another party (makes shell) had no capacity left in 2026-02..2026-03",
                   "facility": "another party", "line": null, "product": "shell",
                   "periods": ["2026-02", "2026-03"], "used": null, "capacity": null,
                   "shadow_price": null})
        );
        // rhm:plant is DEU's: the state views it whole.
        assert_eq!(causes[1], whole.explanations[0].causes[1]);
        // mesko:plant (POL, three producer groups there): the actor, with the
        // policy and the reason, which name only POL.
        assert_eq!(
            json[2],
            json!({"kind": "denied",
                   "text": "a facility in POL may not ship shell to this demand: pol:ban deny_export: POL may not export to DEU",
                   "facility": "POL", "actor": "POL", "product": "shell", "policy": "pol:ban",
                   "list": "deny_export",
                   "reason": "pol:ban deny_export: POL may not export to DEU",
                   "spare_stock": null, "spare_capacity": null})
        );
        assert_eq!(
            json[3],
            json!({"kind": "lead_time",
                   "text": "a facility of another party could not deliver in time for 2026-01, 2026-03: its route takes too long",
                   "facility": "another party", "product": "shell", "lead_time": null,
                   "periods": ["2026-01", "2026-03"], "every_source": false,
                   "spare_stock": null, "spare_capacity": null})
        );
        assert_eq!(json[4]["kind"], "input_shortage");
        assert_eq!(json[4]["facility"], "another party");
        assert_eq!(json[4]["line"], Value::Null);
        // A cause naming no facility stays whole.
        assert_eq!(causes[5], whole.explanations[0].causes[5]);
        // No figure of a hidden facility survives anywhere in the causes.
        let text = json.to_string();
        for hidden in ["krusik", "sloboda", "mesko", "123", "456", "77", "7.5"] {
            assert!(!text.contains(hidden), "{hidden} in {text}");
        }
    }

    #[test]
    fn a_denial_by_another_party_names_no_policy() {
        let round = round();
        let mut value = plan();
        // A denial at krusik:plant: SRB has one producer group.
        value["explanations"][0]["causes"][2]["facility"] = json!("krusik:plant");
        value["explanations"][0]["causes"][2]["actor"] = json!("SRB");
        let view = round.view("deu", &document(&value));
        let json = serde_json::to_value(&view.explanations[0].causes[2]).expect("JSON");
        assert_eq!(json["facility"], "another party");
        assert_eq!(json["actor"], "another party");
        assert_eq!(json["policy"], Value::Null);
        assert_eq!(json["reason"], "a policy denies it");
        assert!(!json.to_string().contains("SRB"), "{json}");
    }

    #[test]
    fn a_failure_message_naming_a_hidden_entity_is_dropped() {
        let round = round();
        let mut value = plan();
        value["message"] = json!("line sloboda:plant/main has no capacity");
        let whole = document(&value);
        assert_eq!(round.view("deu", &whole).message, None);
        assert_eq!(round.view("srb", &whole).message, whole.message);
        assert_eq!(round.view("eu", &whole).message, whole.message);
    }

    #[test]
    fn a_record_naming_an_unknown_entity_is_dropped() {
        let round = round();
        let mut value = plan();
        value["production"][0]["facility"] = json!("ghost:plant");
        let view = round.view("srb", &document(&value));
        assert!(view.production.iter().all(|r| r.facility != "ghost:plant"));
    }

    #[test]
    fn analysis_results_are_the_coordinators_alone() {
        let round = round();
        let result = "a compare report";
        assert_eq!(
            visible_analysis(&result, &round.viewer("eu"), &round.parties),
            Some(&result)
        );
        for id in ["nspa", "deu", "krusik", "ngo"] {
            assert_eq!(
                visible_analysis(&result, &round.viewer(id), &round.parties),
                None
            );
        }
    }
}
