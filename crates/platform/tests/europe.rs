//! The European example split into parties (`examples/europe-2025/platform/`)
//! assembles back to `examples/europe-2025/base.toml` and plans to the same
//! objective.

use caisson_planner::{plan, PlanOptions};
use caisson_platform::example::europe_round;
use caisson_platform::{
    assemble, check_fragment, check_member, convert, europe_example, MediaType, OrgKind,
    ReferencePart,
};
use toml::{Table, Value};

const BASE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/europe-2025/base.toml"
);

fn base() -> caisson_model::Scenario {
    caisson_scenario::load_path(std::path::Path::new(BASE))
        .expect("base.toml loads")
        .scenario
}

/// A scenario as a TOML value tree with `ORG:X` ids written `X` and the
/// entity arrays sorted by id, so that two scenarios that differ only in
/// qualification and entity order compare equal.
fn normalised(scenario: &caisson_model::Scenario, organisations: &[String]) -> Table {
    let text = caisson_scenario::to_toml(scenario);
    let mut table: Table = toml::from_str(&text).expect("to_toml writes TOML");
    // The ranges of assumed figures (`[[assumption]]`) are the analyst's, for
    // `caisson sensitivity`: like `[[uncertainty]]`, part of no contribution.
    table.remove("assumption");
    fn unqualify(value: &mut Value, organisations: &[String]) {
        match value {
            Value::String(text) => {
                if let Some((prefix, local)) = text.split_once(':') {
                    if organisations.iter().any(|o| o == prefix) {
                        *text = local.to_owned();
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| unqualify(v, organisations)),
            Value::Table(table) => table
                .iter_mut()
                .for_each(|(_, v)| unqualify(v, organisations)),
            _ => {}
        }
    }
    for (_, value) in table.iter_mut() {
        unqualify(value, organisations);
    }
    for key in ["facility", "demand", "policy", "contract"] {
        if let Some(Value::Array(items)) = table.get_mut(key) {
            items.sort_by_key(|item| {
                item.get("id")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned()
            });
        }
    }
    table
}

#[test]
fn europe_example_assembles_to_base() {
    let (reference, members, contracts) = europe_example();
    let refs: Vec<_> = members
        .iter()
        .map(|(org, fragment)| (org, Some(fragment)))
        .collect();
    let assembled = assemble(&reference, &refs, &contracts).expect("the example assembles");
    let organisations: Vec<String> = members.iter().map(|(org, _)| org.id.clone()).collect();
    let ours = normalised(&assembled.scenario, &organisations);
    let theirs = normalised(&base(), &organisations);
    for key in theirs.keys().chain(ours.keys()) {
        assert_eq!(ours.get(key), theirs.get(key), "`{key}` differs");
    }
    assert_eq!(ours, theirs);
    // Every facility, demand and policy of base.toml is someone's, qualified.
    assert!(assembled
        .scenario
        .facilities
        .iter()
        .all(|f| f.id.contains(':')));
    assert_eq!(assembled.scenario.contracts.len(), contracts.len());
}

#[test]
fn europe_example_in_json_assembles_to_the_same_scenario() {
    let round = europe_round();
    let toml_assembled =
        assemble(&round.reference, &round.member_refs(), &round.contracts).expect("assembles");
    let reference_json = convert(round.reference.text(), MediaType::Toml, MediaType::Json)
        .expect("the reference converts");
    let reference = ReferencePart::parse(&reference_json, MediaType::Json).expect("valid in JSON");
    let fragments: Vec<_> = round
        .members
        .iter()
        .map(|(org, fragment)| {
            let json =
                convert(fragment.text(), MediaType::Toml, MediaType::Json).expect("converts");
            let from_json = check_fragment(org, &json, MediaType::Json).expect("owned in JSON");
            assert_eq!(from_json.ids("facility"), fragment.ids("facility"));
            (org, from_json)
        })
        .collect();
    let refs: Vec<_> = fragments
        .iter()
        .map(|(org, fragment)| (*org, Some(fragment)))
        .collect();
    let json_assembled =
        assemble(&reference, &refs, &round.contracts).expect("assembles from JSON");
    assert_eq!(json_assembled.scenario, toml_assembled.scenario);
    assert_eq!(json_assembled.toml, toml_assembled.toml);
}

#[test]
fn europe_members_satisfy_the_member_rules() {
    let round = europe_round();
    let mut added = Vec::new();
    for (org, _) in &round.members {
        check_member(&round.reference, &added, org).unwrap_or_else(|e| panic!("{}: {e}", org.id));
        added.push(org.clone());
    }
    for observer in &round.observers {
        assert_eq!(observer.kind, OrgKind::Observer);
        assert!(check_member(&round.reference, &added, observer).is_err());
    }
    // Every buyer of a demand or contract has exactly one member.
    for demand in &round.members {
        for id in demand.1.ids("demand") {
            assert!(id.starts_with(&format!("{}:", demand.0.id)));
        }
    }
    for contract in &round.contracts {
        assert!(
            round.parties.buyer_member(&contract.buyer).is_some(),
            "{}",
            contract.buyer
        );
        assert!(contract.facility_is_suppliers(), "{}", contract.id);
    }
    // Groups: Rheinmetall's national subsidiaries count as one producer.
    let groups: Vec<&str> = round
        .members
        .iter()
        .filter(|(org, _)| org.group.as_deref() == Some("rheinmetall"))
        .map(|(org, _)| org.id.as_str())
        .collect();
    assert!(groups.len() >= 3, "{groups:?}");
}

#[test]
fn europe_example_plans_to_base_objective() {
    let (reference, members, contracts) = europe_example();
    let refs: Vec<_> = members
        .iter()
        .map(|(org, fragment)| (org, Some(fragment)))
        .collect();
    let assembled = assemble(&reference, &refs, &contracts).expect("the example assembles");
    let options = PlanOptions::default();
    let ours = plan(&assembled.scenario, &options);
    let theirs = plan(&base(), &options);
    let (Some(a), Some(b)) = (ours.objective, theirs.objective) else {
        panic!("both plan: {:?} / {:?}", ours.status, theirs.status)
    };
    // Each is within the relative gap of the optimum, so they are within
    // twice the gap of each other.
    let gap = ours
        .mip_gap
        .unwrap_or(0.0)
        .max(theirs.mip_gap.unwrap_or(0.0))
        .max(options.mip_gap);
    assert!(
        (a - b).abs() <= 2.0 * gap * a.abs().max(b.abs()) + 1e-6,
        "objectives {a} and {b} differ beyond the gap {gap}"
    );
}
