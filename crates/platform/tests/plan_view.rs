//! The European example's plan as each party sees it (spec section 3, the
//! plan table): the assembled scenario is planned once, then viewed by the
//! coordinator (which also buys for EUJ), producers, a state with demands,
//! a state without, a coordinator that is not the round's, and an observer.
//! Expectations are restated from the spec (a producer views the facilities
//! it contributed, a state those of its actor), not asked of the predicates.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use caisson_model::Scenario;
use caisson_plan::document::{CauseRow, PlanDocument};
use caisson_planner::{plan, PlanOptions};
use caisson_platform::{
    assemble, europe_round, visible_plan, EuropeRound, OrgKind, Organisation, Role, Viewer,
};
use serde_json::Value;

struct Planned {
    round: EuropeRound,
    scenario: Scenario,
    plan: PlanDocument,
}

/// The round, its assembled scenario and its plan, made once for all tests.
fn planned() -> &'static Planned {
    static PLANNED: OnceLock<Planned> = OnceLock::new();
    PLANNED.get_or_init(|| {
        let round = europe_round();
        let scenario = assemble(&round.reference, &round.member_refs(), &round.contracts)
            .expect("the example assembles")
            .scenario;
        let solved = plan(&scenario, &PlanOptions::default());
        assert!(solved.status.has_solution(), "{:?}", solved.status);
        let plan = PlanDocument::new(&scenario, &solved);
        Planned {
            round,
            scenario,
            plan,
        }
    })
}

impl Planned {
    fn organisation(&self, id: &str) -> Organisation {
        self.round
            .parties
            .member(id)
            .or_else(|| self.round.observers.iter().find(|o| o.id == id))
            .cloned()
            .unwrap_or_else(|| panic!("{id} is an organisation of the example"))
    }

    fn view(&self, id: &str) -> PlanDocument {
        let viewer = Viewer {
            organisation: self.organisation(id),
            role: Role::Viewer,
        };
        visible_plan(&self.plan, &self.scenario, &viewer, &self.round.parties)
    }

    fn facility_actor(&self, facility: &str) -> &str {
        let f = self
            .scenario
            .facilities
            .iter()
            .find(|f| f.id == facility)
            .unwrap_or_else(|| panic!("{facility} is a facility"));
        &self.scenario.actors[f.actor.index()].id
    }

    /// Section 3 restated: a producer views the facilities it contributed,
    /// a state those of its actor; other non-coordinators none.
    fn views_facility(&self, id: &str, facility: &str) -> bool {
        let org = self.organisation(id);
        match org.kind {
            OrgKind::Producer => facility.starts_with(&format!("{id}:")),
            OrgKind::State => Some(self.facility_actor(facility)) == org.actor.as_deref(),
            _ => false,
        }
    }

    /// A demand is viewed by the member that contributed it (the member
    /// owning its buyer contributes it: ids are qualified by their owner).
    fn views_demand(&self, id: &str, demand: &str) -> bool {
        demand.starts_with(&format!("{id}:"))
    }
}

/// Every non-coordinator party the tests look through.
const OTHERS: &[&str] = &[
    "krusik",
    "rheinmetall-de",
    "nitrochemie-ch",
    "deu",
    "ukr",
    "che",
    "kor",
    "nato-nspa",
    "ep-sede",
];

#[test]
fn the_coordinator_sees_the_whole_plan() {
    let p = planned();
    assert_eq!(p.view("eu-jp"), p.plan);
    // The coordinator buys for EUJ: its demands are in the plan.
    assert!(p.plan.demand.iter().any(|r| r.demand.starts_with("eu-jp:")));
}

#[test]
fn others_get_no_totals_end_users_or_dependencies() {
    let p = planned();
    assert!(p.plan.objective.is_some() && p.plan.cost.is_some());
    assert!(!p.plan.kpis.end_users.is_empty() && !p.plan.kpis.dependencies.is_empty());
    for id in OTHERS {
        let view = p.view(id);
        assert_eq!(
            (view.objective, view.mip_gap, view.cost.is_none()),
            (None, None, true),
            "{id}"
        );
        assert!(view.kpis.end_users.is_empty(), "{id}");
        assert!(view.kpis.dependencies.is_empty(), "{id}");
        assert_eq!(view.periods, p.plan.periods, "{id}");
    }
}

#[test]
fn every_record_is_one_the_party_views() {
    let p = planned();
    for id in OTHERS {
        let view = p.view(id);
        let facility = |f: &str| p.views_facility(id, f);
        let demand = |d: &str| p.views_demand(id, d);
        assert!(
            view.production.iter().all(|r| facility(&r.facility)),
            "{id}"
        );
        assert!(view.stock.iter().all(|r| facility(&r.facility)), "{id}");
        assert!(
            view.expansions.iter().all(|r| facility(&r.facility)),
            "{id}"
        );
        assert!(
            view.transfers
                .iter()
                .all(|r| facility(&r.from) && facility(&r.to)),
            "{id}"
        );
        assert!(
            view.shipments
                .iter()
                .all(|r| facility(&r.facility) || demand(&r.demand)),
            "{id}"
        );
        assert!(view.demand.iter().all(|r| demand(&r.demand)), "{id}");
        assert!(view.kpis.demands.iter().all(|r| demand(&r.demand)), "{id}");
        assert!(
            view.compliance
                .iter()
                .all(|r| facility(&r.facility) && demand(&r.demand)),
            "{id}"
        );
        assert!(view.explanations.iter().all(|x| demand(&x.demand)), "{id}");
        // And none is lost: the rows of viewed entities are all there.
        let kept = |n: usize, of: usize| assert_eq!(n, of, "{id}");
        kept(
            view.production.len(),
            p.plan
                .production
                .iter()
                .filter(|r| facility(&r.facility))
                .count(),
        );
        kept(
            view.demand.len(),
            p.plan.demand.iter().filter(|r| demand(&r.demand)).count(),
        );
        kept(
            view.shipments.len(),
            p.plan
                .shipments
                .iter()
                .filter(|r| facility(&r.facility) || demand(&r.demand))
                .count(),
        );
    }
}

#[test]
fn a_producer_sees_its_own_facilities_only() {
    let p = planned();
    let view = p.view("krusik");
    assert!(!view.production.is_empty());
    assert!(view
        .production
        .iter()
        .all(|r| r.facility.starts_with("krusik:")));
    // Other producers made things the producer does not see.
    assert!(p
        .plan
        .production
        .iter()
        .any(|r| !r.facility.starts_with("krusik:")));
    assert!(view.stock.iter().all(|r| r.facility.starts_with("krusik:")));
    assert!(view.demand.is_empty() && view.kpis.demands.is_empty());
    assert!(view.explanations.is_empty());
    assert!(view
        .shipments
        .iter()
        .all(|r| r.facility.starts_with("krusik:")));
    // Its contracts, and only those.
    let its: BTreeSet<&str> = p
        .round
        .contracts
        .iter()
        .filter(|c| c.supplier == "krusik")
        .map(|c| c.id.as_str())
        .collect();
    let seen: BTreeSet<&str> = view.contracts.iter().map(|r| r.contract.as_str()).collect();
    let planned: BTreeSet<&str> = p
        .plan
        .contracts
        .iter()
        .map(|r| r.contract.as_str())
        .filter(|c| its.contains(c))
        .collect();
    assert_eq!(seen, planned);
}

#[test]
fn a_state_with_demands_sees_who_delivers_to_them() {
    let p = planned();
    let view = p.view("deu");
    let own: Vec<_> = p
        .plan
        .demand
        .iter()
        .filter(|r| r.demand.starts_with("deu:"))
        .cloned()
        .collect();
    assert!(!own.is_empty());
    assert_eq!(view.demand, own);
    // Every shipment to its demands, facility (and so producer) included.
    let delivered: Vec<_> = p
        .plan
        .shipments
        .iter()
        .filter(|r| r.demand.starts_with("deu:"))
        .collect();
    assert!(!delivered.is_empty());
    for shipment in delivered {
        assert!(view.shipments.contains(shipment), "{shipment:?}");
    }
    // The production of German facilities, of every German producer.
    let producers: BTreeSet<&str> = view
        .production
        .iter()
        .filter_map(|r| r.facility.split_once(':').map(|(o, _)| o))
        .collect();
    assert!(producers.len() >= 2, "{producers:?}");
    assert!(view
        .production
        .iter()
        .all(|r| p.facility_actor(&r.facility) == "DEU"));
}

#[test]
fn a_state_without_demands_sees_its_facilities_and_no_demand() {
    let p = planned();
    for (id, actor) in [("che", "CHE"), ("kor", "KOR")] {
        let view = p.view(id);
        assert!(
            view.demand.is_empty() && view.kpis.demands.is_empty(),
            "{id}"
        );
        assert!(view.explanations.is_empty(), "{id}");
        assert!(
            view.production
                .iter()
                .all(|r| p.facility_actor(&r.facility) == actor),
            "{id}"
        );
        let planned = p
            .plan
            .production
            .iter()
            .filter(|r| p.facility_actor(&r.facility) == actor)
            .count();
        assert_eq!(view.production.len(), planned, "{id}");
    }
}

#[test]
fn a_non_coordinating_member_and_an_observer_see_no_record() {
    let p = planned();
    for id in ["nato-nspa", "ep-sede"] {
        let view = p.view(id);
        let json = serde_json::to_value(&view).expect("JSON");
        for key in [
            "production",
            "shipments",
            "transfers",
            "stock",
            "expansions",
            "demand",
            "contracts",
            "compliance",
            "transfer_compliance",
            "explanations",
            "demands_info",
            "facilities_info",
        ] {
            assert_eq!(json[key], Value::Array(Vec::new()), "{id}: {key}");
        }
        assert_eq!(json["kpis"]["demands"], Value::Array(Vec::new()), "{id}");
        // Only the product figures under the publication rule remain.
        assert_eq!(view.kpis.products.len(), p.plan.kpis.products.len(), "{id}");
    }
}

#[test]
fn product_figures_are_withheld_unless_three_buyer_members_make_them_up() {
    let p = planned();
    for product in &p.plan.kpis.products {
        let members: BTreeSet<&str> = p
            .plan
            .kpis
            .demands
            .iter()
            .filter(|d| d.product == product.product && d.required > 0.0)
            .filter_map(|d| d.demand.split_once(':').map(|(owner, _)| owner))
            .collect();
        for id in OTHERS {
            let view = p.view(id);
            let seen = view
                .kpis
                .products
                .iter()
                .find(|r| r.product == product.product)
                .expect("every product row stays");
            if members.len() >= 3 {
                assert_eq!(seen, product, "{id}: {members:?}");
            } else {
                assert!(seen.withheld, "{id}: {} {members:?}", product.product);
                let json = serde_json::to_value(seen).expect("JSON");
                assert_eq!(json["required"], "withheld");
                assert_eq!(json["fill_rate"], "withheld");
            }
        }
    }
}

#[test]
fn hidden_causes_name_an_actor_or_another_party() {
    let p = planned();
    let actors: BTreeSet<&str> = p.scenario.actors.iter().map(|a| a.id.as_str()).collect();
    let mut redacted = 0;
    for id in OTHERS {
        for x in p.view(id).explanations {
            for cause in &x.causes {
                let facility = match cause {
                    CauseRow::NoSource { .. } => continue,
                    CauseRow::LeadTime { facility, .. }
                    | CauseRow::CapacityBound { facility, .. }
                    | CauseRow::Denied { facility, .. }
                    | CauseRow::InputShortage { facility, .. }
                    | CauseRow::SpareUnshipped { facility, .. } => facility,
                };
                // A cause names a facility only when the party views it.
                if p.scenario.facilities.iter().any(|f| f.id == *facility) {
                    assert!(p.views_facility(id, facility), "{id}: {facility}");
                    continue;
                }
                redacted += 1;
                assert!(
                    facility == "another party" || actors.contains(facility.as_str()),
                    "{id}: {facility}"
                );
                let quantities = match cause {
                    CauseRow::LeadTime {
                        spare_stock,
                        spare_capacity,
                        lead_time,
                        ..
                    } => [*spare_stock, *spare_capacity, lead_time.map(|l| l as f64)],
                    CauseRow::CapacityBound {
                        used,
                        capacity,
                        shadow_price,
                        ..
                    } => [*used, *capacity, *shadow_price],
                    CauseRow::Denied {
                        spare_stock,
                        spare_capacity,
                        ..
                    } => [*spare_stock, *spare_capacity, None],
                    CauseRow::SpareUnshipped { stock, .. } => [*stock, None, None],
                    _ => [None, None, None],
                };
                assert_eq!(quantities, [None, None, None], "{id}: {cause:?}");
                assert!(
                    !p.scenario
                        .facilities
                        .iter()
                        .any(|f| !p.views_facility(id, &f.id) && cause.text().contains(&f.id)),
                    "{id}: {}",
                    cause.text()
                );
            }
        }
    }
    // The example has short demands whose causes lie with other parties.
    assert!(redacted > 0);
}

/// Every number in a JSON value.
fn numbers(value: &Value, out: &mut Vec<f64>) {
    match value {
        Value::Number(n) => out.extend(n.as_f64()),
        Value::Array(items) => items.iter().for_each(|v| numbers(v, out)),
        Value::Object(fields) => fields.values().for_each(|v| numbers(v, out)),
        _ => {}
    }
}

/// `value` without any object that names `facility` in one of its fields.
fn without(value: &Value, facility: &str) -> Value {
    match value {
        Value::Array(items) => Value::Array(
            items
                .iter()
                .filter(|item| {
                    !item
                        .as_object()
                        .is_some_and(|o| o.values().any(|v| v.as_str() == Some(facility)))
                })
                .map(|item| without(item, facility))
                .collect(),
        ),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), without(v, facility)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[test]
fn no_view_leaks_a_hidden_facility_or_its_figures() {
    let p = planned();
    let whole = serde_json::to_value(&p.plan).expect("JSON");
    for id in OTHERS {
        let view = p.view(id);
        let text = serde_json::to_string(&view).expect("JSON");
        // The hidden facility that made the most and ships to none of the
        // party's demands.
        let mut made: Vec<(&str, f64)> = Vec::new();
        for f in &p.scenario.facilities {
            let ships_to_party = p
                .plan
                .shipments
                .iter()
                .any(|s| s.facility == f.id && p.views_demand(id, &s.demand));
            if p.views_facility(id, &f.id) || ships_to_party {
                continue;
            }
            let total: f64 = p
                .plan
                .production
                .iter()
                .filter(|r| r.facility == f.id)
                .map(|r| r.quantity)
                .sum();
            made.push((&f.id, total));
        }
        made.sort_by(|a, b| b.1.total_cmp(&a.1));
        let (hidden, total) = made[0];
        assert!(total > 0.0, "{id}: {hidden}");
        assert!(!text.contains(hidden), "{id}: {hidden} in its view");
        // Its production quantities and line capacities that no record of
        // the plan naming another facility shares.
        let mut elsewhere = Vec::new();
        numbers(&without(&whole, hidden), &mut elsewhere);
        let facility = p
            .scenario
            .facilities
            .iter()
            .position(|f| f.id == hidden)
            .expect("a facility");
        let mut figures: Vec<f64> = p
            .plan
            .production
            .iter()
            .filter(|r| r.facility == hidden)
            .map(|r| r.quantity)
            .collect();
        figures.extend(
            p.scenario
                .lines
                .iter()
                .filter(|l| l.facility.index() == facility)
                .flat_map(|l| l.capacity.iter().copied()),
        );
        figures.retain(|x| *x != 0.0 && !elsewhere.contains(x));
        assert!(!figures.is_empty(), "{id}: {hidden} has figures of its own");
        let mut shown = Vec::new();
        numbers(&serde_json::to_value(&view).expect("JSON"), &mut shown);
        for figure in &figures {
            assert!(
                !shown.contains(figure),
                "{id}: {figure} of {hidden} in its view"
            );
        }
    }
}

/// The `contracts` row per role: a contract's records are kept for its
/// supplier, the member owning its buyer actor and the state of the
/// supplier facility's actor (restated from section 3's first table), and
/// for nobody else; `transfer_compliance` where both facilities are viewed.
#[test]
fn contracts_by_their_sides_and_the_suppliers_state_transfer_verdicts_by_both_ends() {
    let p = planned();
    assert!(!p.plan.contracts.is_empty(), "the example has contracts");
    let mut kept_somewhere = 0;
    for id in OTHERS {
        let org = p.organisation(id);
        let view = p.view(id);
        let views_contract = |contract: &str| {
            let c = p
                .round
                .contracts
                .iter()
                .find(|c| c.id == contract)
                .unwrap_or_else(|| panic!("{contract} is a contract of the round"));
            let member = p.round.parties.member(id).is_some();
            let actor = org.actor.as_deref();
            member
                && (c.supplier == *id
                    || (org.kind == OrgKind::State && actor == Some(c.buyer.as_str()))
                    || org.buys_for.contains(&c.buyer)
                    || (org.kind == OrgKind::State && actor == Some(p.facility_actor(&c.facility))))
        };
        let expected: Vec<_> = p
            .plan
            .contracts
            .iter()
            .filter(|r| views_contract(&r.contract))
            .cloned()
            .collect();
        assert_eq!(view.contracts, expected, "{id}");
        kept_somewhere += expected.len();
        let expected: Vec<_> = p
            .plan
            .transfer_compliance
            .iter()
            .filter(|r| p.views_facility(id, &r.from) && p.views_facility(id, &r.to))
            .cloned()
            .collect();
        assert_eq!(view.transfer_compliance, expected, "{id}");
    }
    // Some party other than the coordinator sees some contract.
    assert!(kept_somewhere > 0);
}
