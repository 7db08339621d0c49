//! Spec section 3 row by row: the viewers of each entity, the scenario and
//! the errors as each caller sees them, what a caller may do, and the
//! capacity aggregates.

mod common;

use caisson_platform::visibility::{
    owner_of, shows_product_figures, stand_in_for_facility, FacilityRef,
};
use caisson_platform::{
    assemble, assemble_as, capacity_aggregates, check_fragment, visible_scenario, Access,
    Aggregate, Assembled, Fragment, MediaType, OrgKind, Organisation, Parties, ReferencePart, Role,
    Schedule, SignedContract, Viewer,
};
use common::*;
use toml::{Table, Value};

/// The small round: coordinator `eu` (buys for EUJ), a second coordinator
/// `nspa` (speaks for nothing here), states `deu` and `srb`, producers
/// `krusik` and `sloboda` (one group) and `rhm` (DEU).
struct Round {
    parties: Parties,
    members: Vec<(Organisation, Fragment)>,
    contracts: Vec<SignedContract>,
}

fn round() -> Round {
    let mut nspa = org("nspa", OrgKind::Coordinator, None);
    nspa.name = "NSPA".into();
    let members = vec![
        (eu(), demand("ukr", "EUJ", "shell")),
        (nspa, String::new()),
        (state("deu", "DEU"), demand("stock", "DEU", "shell")),
        (
            state("srb", "SRB"),
            format!(
                "{}[[policy]]\nid = \"neutral\"\nscope = \"SRB\"\ndeny_export = [\"belligerent\"]\n",
                demand("army", "SRB", "mortar")
            ),
        ),
        (producer("krusik", "SRB", Some("yugo")), facility("plant", "SRB", "mortar", 100.0)),
        (producer("sloboda", "SRB", Some("yugo")), facility("plant", "SRB", "shell", 40.0)),
        (producer("rhm", "DEU", None), facility("unterluess", "DEU", "shell", 300.0)),
    ];
    let members: Vec<(Organisation, Fragment)> = members
        .into_iter()
        .map(|(org, text)| {
            let fragment = check_fragment(&org, &text, MediaType::Toml).expect("owned");
            (org, fragment)
        })
        .collect();
    let contracts = vec![SignedContract {
        id: "9f2c".into(),
        supplier: "krusik".into(),
        facility: "krusik:plant".into(),
        buyer: "DEU".into(),
        product: "mortar".into(),
        quantity: Schedule::Constant(10.0),
        penalty: 5.0,
        price: 500.0,
    }];
    let parties = Parties::new(eu(), members.iter().map(|(o, _)| o.clone()).collect());
    Round {
        parties,
        members,
        contracts,
    }
}

impl Round {
    fn refs(&self) -> Vec<(&Organisation, Option<&Fragment>)> {
        self.members.iter().map(|(o, f)| (o, Some(f))).collect()
    }

    fn assembled(&self) -> Assembled {
        assemble(&reference(), &self.refs(), &self.contracts).expect("valid round")
    }

    fn viewer(&self, id: &str, role: Role) -> Viewer {
        let organisation = self
            .parties
            .member(id)
            .cloned()
            .unwrap_or_else(|| org(id, OrgKind::Observer, None));
        Viewer { organisation, role }
    }
}

/// Which of the callers see the entity, in this order.
const CALLERS: &[&str] = &[
    "eu", "nspa", "deu", "srb", "krusik", "sloboda", "rhm", "ngo",
];

fn who(round: &Round, sees: impl Fn(&Viewer) -> bool) -> Vec<&'static str> {
    CALLERS
        .iter()
        .copied()
        .filter(|id| sees(&round.viewer(id, Role::Viewer)))
        .collect()
}

#[test]
fn row_reference_part_and_policies_every_member() {
    let round = round();
    let members = ["eu", "nspa", "deu", "srb", "krusik", "sloboda", "rhm"];
    assert_eq!(who(&round, |v| v.views_reference(&round.parties)), members);
    assert_eq!(who(&round, |v| v.views_policy(&round.parties)), members);
    assert_eq!(who(&round, |v| v.views_round(&round.parties)), members);
}

#[test]
fn row_facility_its_producer_the_coordinator_the_state_of_its_actor() {
    let round = round();
    let krusik_plant = FacilityRef {
        id: "krusik:plant",
        actor: "SRB",
    };
    // Not sloboda, although of the same group; not the other coordinator.
    assert_eq!(
        who(&round, |v| v.views_facility(&round.parties, krusik_plant)),
        ["eu", "srb", "krusik"]
    );
    let unterluess = FacilityRef {
        id: "rhm:unterluess",
        actor: "DEU",
    };
    assert_eq!(
        who(&round, |v| v.views_facility(&round.parties, unterluess)),
        ["eu", "deu", "rhm"]
    );
    assert_eq!(owner_of("rhm:unterluess"), Some("rhm"));
}

#[test]
fn row_demand_the_member_owning_its_buyer_and_the_coordinator() {
    let round = round();
    assert_eq!(
        who(&round, |v| v.views_demand(&round.parties, "DEU")),
        ["eu", "deu"]
    );
    assert_eq!(
        who(&round, |v| v.views_demand(&round.parties, "SRB")),
        ["eu", "srb"]
    );
    // EUJ is bought for by the coordinator itself.
    assert_eq!(
        who(&round, |v| v.views_demand(&round.parties, "EUJ")),
        ["eu"]
    );
}

#[test]
fn row_contract_supplier_buyer_owner_state_of_the_facility_actor_coordinator() {
    let round = round();
    assert_eq!(
        who(&round, |v| v.views_contract(
            &round.parties,
            "krusik",
            "DEU",
            "SRB"
        )),
        ["eu", "deu", "srb", "krusik"]
    );
}

#[test]
fn contributions_as_a_whole() {
    let round = round();
    let p = &round.parties;
    assert_eq!(
        who(&round, |v| v.views_contribution(p, "krusik")),
        ["eu", "srb", "krusik"]
    );
    assert_eq!(
        who(&round, |v| v.views_contribution(p, "deu")),
        ["eu", "deu"]
    );
    // A non-member's contribution does not exist for anyone.
    assert!(who(&round, |v| v.views_contribution(p, "ngo")).is_empty());
}

#[test]
fn access_answers_404_for_what_the_caller_may_not_see_and_403_for_what_it_may_not_do() {
    let round = round();
    let p = &round.parties;
    assert_eq!(
        round
            .viewer("krusik", Role::Editor)
            .may_contribute(p, "krusik"),
        Access::Allowed
    );
    assert_eq!(
        round
            .viewer("krusik", Role::Admin)
            .may_contribute(p, "krusik"),
        Access::Allowed
    );
    assert_eq!(
        round
            .viewer("krusik", Role::Viewer)
            .may_contribute(p, "krusik"),
        Access::Forbidden
    );
    assert_eq!(
        round
            .viewer("sloboda", Role::Editor)
            .may_contribute(p, "krusik"),
        Access::NotFound
    );
    assert_eq!(
        round
            .viewer("srb", Role::Editor)
            .may_contribute(p, "krusik"),
        Access::Forbidden
    );
    assert_eq!(
        round.viewer("eu", Role::Editor).may_contribute(p, "krusik"),
        Access::Forbidden
    );
    assert_eq!(
        round
            .viewer("ngo", Role::Editor)
            .may_contribute(p, "krusik"),
        Access::NotFound
    );
    assert_eq!(
        round.viewer("eu", Role::Editor).may_coordinate(p),
        Access::Allowed
    );
    assert_eq!(
        round.viewer("eu", Role::Viewer).may_coordinate(p),
        Access::Forbidden
    );
    assert_eq!(
        round.viewer("nspa", Role::Admin).may_coordinate(p),
        Access::Forbidden
    );
    assert_eq!(
        round.viewer("ngo", Role::Admin).may_coordinate(p),
        Access::NotFound
    );
    assert_eq!(
        round.viewer("nspa", Role::Editor).may_create_round(),
        Access::Allowed
    );
    assert_eq!(
        round.viewer("deu", Role::Editor).may_create_round(),
        Access::Forbidden
    );
    assert_eq!(
        round.viewer("deu", Role::Viewer).may_read_run(p, true),
        Access::Allowed
    );
    assert_eq!(
        round.viewer("deu", Role::Viewer).may_read_run(p, false),
        Access::NotFound
    );
    assert_eq!(
        round.viewer("eu", Role::Viewer).may_read_run(p, false),
        Access::Allowed
    );
}

fn ids(text: &str, table: &str) -> Vec<String> {
    let parsed: Table = toml::from_str(text).expect("a visible scenario is TOML");
    parsed
        .get(table)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.get("id").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn the_scenario_as_each_caller_sees_it() {
    let round = round();
    let assembled = round.assembled();
    let seen =
        |id: &str| visible_scenario(&assembled, &round.viewer(id, Role::Viewer), &round.parties);

    let all = seen("eu");
    assert_eq!(
        ids(&all, "facility"),
        ["krusik:plant", "rhm:unterluess", "sloboda:plant"]
    );
    assert_eq!(ids(&all, "demand").len(), 3);
    assert_eq!(ids(&all, "contract"), ["9f2c"]);
    // The coordinator's view is the whole scenario.
    let reloaded = caisson_scenario::load_str(&all, "view.toml").expect("loads");
    assert_eq!(reloaded.scenario, assembled.scenario);

    let krusik = seen("krusik");
    assert_eq!(ids(&krusik, "facility"), ["krusik:plant"]);
    assert!(ids(&krusik, "demand").is_empty());
    assert_eq!(ids(&krusik, "contract"), ["9f2c"]);
    assert_eq!(ids(&krusik, "policy"), ["srb:neutral"]);
    assert_eq!(
        ids(&krusik, "actor").len(),
        4,
        "the reference part is everyone's"
    );
    assert!(
        !krusik.contains("sloboda") && !krusik.contains("rhm:"),
        "{krusik}"
    );

    let srb = seen("srb");
    assert_eq!(ids(&srb, "facility"), ["krusik:plant", "sloboda:plant"]);
    assert_eq!(ids(&srb, "demand"), ["srb:army"]);
    assert_eq!(ids(&srb, "contract"), ["9f2c"]);

    let deu = seen("deu");
    assert_eq!(ids(&deu, "facility"), ["rhm:unterluess"]);
    assert_eq!(ids(&deu, "demand"), ["deu:stock"]);
    // The buyer sees its contract, which names a facility it does not see.
    assert_eq!(ids(&deu, "contract"), ["9f2c"]);

    let sloboda = seen("sloboda");
    assert_eq!(ids(&sloboda, "facility"), ["sloboda:plant"]);
    assert!(ids(&sloboda, "contract").is_empty());
    assert!(!sloboda.contains("krusik"), "{sloboda}");

    assert_eq!(seen("ngo"), "");
}

#[test]
fn errors_never_name_what_the_caller_may_not_see() {
    let round = round();
    // A reference part without the product `mortar`: krusik's facility,
    // srb's demand and the contract all break.
    let without_mortar = REFERENCE.replace("[[product]]\nid = \"mortar\"\n", "");
    let reference = ReferencePart::parse(&without_mortar, MediaType::Toml).expect("valid alone");
    let full = assemble(&reference, &round.refs(), &round.contracts).expect_err("refused");
    let named: Vec<_> = full
        .scenario_diagnostics()
        .iter()
        .filter_map(|d| d.entity.clone())
        .collect();
    assert!(named.iter().any(|e| e.contains("srb:army")), "{named:?}");

    let as_sloboda = assemble_as(
        &round.viewer("sloboda", Role::Editor),
        &round.parties,
        &reference,
        &round.refs(),
        &round.contracts,
    )
    .expect_err("refused");
    assert_eq!(as_sloboda.code(), "invalid_scenario");
    let body = as_sloboda.diagnostics().expect("diagnostics").to_string();
    for hidden in ["krusik", "srb:army", "9f2c", "mortar"] {
        assert!(!body.contains(hidden), "`{hidden}` in {body}");
    }
    assert!(!as_sloboda.scenario_diagnostics().is_empty());
    for diagnostic in as_sloboda.scenario_diagnostics() {
        assert_eq!(
            (diagnostic.line, &diagnostic.document),
            (None, &caisson_platform::Document::Assembled)
        );
        assert!(diagnostic.entity.is_none() && diagnostic.hint.is_none());
    }

    let as_krusik = assemble_as(
        &round.viewer("krusik", Role::Editor),
        &round.parties,
        &reference,
        &round.refs(),
        &round.contracts,
    )
    .expect_err("refused");
    let own = as_krusik
        .scenario_diagnostics()
        .iter()
        .find(|d| {
            d.entity
                .as_deref()
                .is_some_and(|e| e.contains("krusik:plant"))
        })
        .expect("krusik sees its own facility's diagnostic");
    assert_eq!(own.line, Some(8), "located in krusik's own text");
    let body = as_krusik.diagnostics().expect("diagnostics").to_string();
    assert!(!body.contains("srb:army"), "{body}");
    // The contract is krusik's (its supplier): its diagnostic stays.
    assert!(body.contains("9f2c"), "{body}");
}

#[test]
fn aggregates_need_three_producer_groups_and_none_above_half() {
    let mut round = round();
    let shell_srb = |assembled: &Assembled, parties: &Parties| {
        capacity_aggregates(&assembled.scenario, parties)
            .into_iter()
            .filter(|c| c.actor == "SRB" && c.product == "shell" && c.period == "2026-01")
            .map(|c| c.capacity)
            .collect::<Vec<_>>()
    };
    // SRB shell: sloboda only.
    assert!(matches!(
        shell_srb(&round.assembled(), &round.parties)[..],
        [Aggregate::Withheld(_)]
    ));

    // Add two more SRB shell producers: krusik (group yugo, like sloboda) and trayal.
    let krusik_text = format!(
        "{}{}",
        facility("plant", "SRB", "mortar", 100.0),
        facility("shells", "SRB", "shell", 30.0)
    );
    let trayal = producer("trayal", "SRB", None);
    let trayal_fragment = check_fragment(
        &trayal,
        &facility("t", "SRB", "shell", 50.0),
        MediaType::Toml,
    )
    .expect("owned");
    round.members[4].1 =
        check_fragment(&round.members[4].0, &krusik_text, MediaType::Toml).expect("owned");
    round.members.push((trayal.clone(), trayal_fragment));
    round.parties = Parties::new(eu(), round.members.iter().map(|(o, _)| o.clone()).collect());
    // Groups: yugo (40 + 30 = 70), trayal 50: two groups -> withheld.
    let assembled = round.assembled();
    assert!(matches!(
        shell_srb(&assembled, &round.parties)[..],
        [Aggregate::Withheld(_)]
    ));

    // Without the group, three producers 40 / 30 / 50 of 120, none above half: shown.
    let mut ungrouped = round.members.clone();
    for (org, _) in &mut ungrouped {
        org.group = None;
    }
    let parties = Parties::new(eu(), ungrouped.iter().map(|(o, _)| o.clone()).collect());
    assert_eq!(shell_srb(&assembled, &parties), [Aggregate::Total(120.0)]);
    assert_eq!(
        serde_json::to_string(
            &capacity_aggregates(&assembled.scenario, &round.parties)[0].capacity
        )
        .ok(),
        Some("\"withheld\"".to_owned())
    );

    // One producer above half: 40 / 30 / 80 of 150 -> withheld.
    let big = check_fragment(
        &trayal,
        &facility("t", "SRB", "shell", 80.0),
        MediaType::Toml,
    )
    .expect("owned");
    let mut members = ungrouped.clone();
    if let Some(last) = members.last_mut() {
        last.1 = big;
    }
    let refs: Vec<_> = members.iter().map(|(o, f)| (o, Some(f))).collect();
    let assembled = assemble(&reference(), &refs, &round.contracts).expect("valid");
    assert!(matches!(
        shell_srb(&assembled, &parties)[..],
        [Aggregate::Withheld(_)]
    ));
}

#[test]
fn aggregates_divide_capacity_by_rate_and_count_each_product_of_a_line() {
    let reference = reference();
    let mut members = Vec::new();
    for id in ["a", "b", "c"] {
        let org = producer(id, "DEU", None);
        let text = "[[facility]]\nid = \"f\"\nactor = \"DEU\"\n\n[[facility.line]]\nid = \"l\"\ncapacity = 10\nproducts = { shell = { rate = 0.5 }, mortar = { rate = 2 } }\n";
        let fragment = check_fragment(&org, text, MediaType::Toml).expect("owned");
        members.push((org, fragment));
    }
    let refs: Vec<_> = members.iter().map(|(o, f)| (o, Some(f))).collect();
    let assembled = assemble(&reference, &refs, &[]).expect("valid");
    let parties = Parties::new(eu(), members.iter().map(|(o, _)| o.clone()).collect());
    let cells = capacity_aggregates(&assembled.scenario, &parties);
    assert_eq!(cells.len(), 2 * 3, "two products over three periods");
    let first = |product: &str| {
        cells
            .iter()
            .find(|c| c.product == product)
            .map(|c| c.capacity)
            .expect("cell")
    };
    assert_eq!(first("shell"), Aggregate::Total(60.0));
    assert_eq!(first("mortar"), Aggregate::Total(15.0));
    assert_eq!(
        stand_in_for_facility(&assembled.scenario, &parties, "DEU"),
        "DEU"
    );
    assert_eq!(
        stand_in_for_facility(&assembled.scenario, &parties, "SRB"),
        "another party"
    );
}

#[test]
fn product_figures_need_three_buyer_members() {
    let round = round();
    let p = &round.parties;
    assert!(!shows_product_figures(p, ["DEU", "SRB"]));
    assert!(!shows_product_figures(p, ["DEU", "DEU", "SRB"]));
    assert!(shows_product_figures(p, ["DEU", "SRB", "EUJ"]));
    assert!(
        !shows_product_figures(p, ["DEU", "SRB", "UKR"]),
        "UKR has no member"
    );
}
