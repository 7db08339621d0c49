//! The annotated example of the spec loads into the expected scenario.

use std::path::Path;

use caisson_model::{Party, PeriodKind, Selector};

fn example() -> caisson_scenario::Loaded {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/spec/example.toml");
    match caisson_scenario::load_path(&path) {
        Ok(loaded) => loaded,
        Err(error) => panic!("example.toml failed to load:\n{error}"),
    }
}

#[test]
fn example_loads_with_expected_counts() {
    let loaded = example();
    assert!(
        loaded.warnings.is_empty(),
        "{}",
        caisson_scenario::render(&loaded.warnings)
    );
    let s = &loaded.scenario;
    assert_eq!(s.name, "example");
    assert_eq!(s.calendar.kind, PeriodKind::Month);
    assert_eq!(s.periods(), 12);
    assert_eq!(s.calendar.label(0), "2026-01");
    assert_eq!(s.currency, "EUR");
    assert_eq!(s.default_lead_time, 1);
    assert_eq!(s.default_unit_cost, 15.0);
    assert_eq!(s.actors.len(), 5);
    assert_eq!(s.blocs.len(), 2);
    assert_eq!(s.products.len(), 3);
    assert_eq!(s.facilities.len(), 4);
    assert_eq!(s.lines.len(), 4);
    assert_eq!(s.expansions.len(), 1);
    assert_eq!(s.routes.len(), 1);
    assert_eq!(s.demands.len(), 4);
    assert_eq!(s.contracts.len(), 1);
    assert_eq!(s.policies.len(), 2);
}

#[test]
fn example_values_are_converted() {
    let s = example().scenario;
    let eu = &s.blocs[0];
    assert_eq!(eu.id, "EU");
    assert_eq!(eu.members.len(), 2);
    assert_eq!(s.blocs[1].id, "NATO");
    assert!(s.actors[3].belligerent);
    assert_eq!(s.actors[2].name, "Serbia");

    let shell = s.product_id("shell-155").expect("shell");
    let tnt = s.product_id("tnt").expect("tnt");
    assert_eq!(s.products[shell.index()].inputs, vec![(tnt, 0.0108)]);
    assert_eq!(s.products[tnt.index()].unit, "t");

    // Step schedule: 20,000 until June, 25,000 from July.
    let shells = &s.lines[0];
    assert_eq!(shells.id, "shells");
    assert_eq!(shells.capacity[..6], [20000.0; 6]);
    assert_eq!(shells.capacity[6..], [25000.0; 6]);
    assert_eq!(shells.products[0].cost, 4000.0);
    assert_eq!(shells.products[0].rate, 1.0);

    // Line products keep file order: mortar first, then shells at rate 2.5.
    let mixed = &s.lines[2];
    assert_eq!(mixed.id, "mixed");
    assert_eq!(mixed.products[1].rate, 2.5);
    assert_eq!(s.lines[3].facility.index(), 3);

    let e = &s.expansions[0];
    assert_eq!(e.window, Some((0, 5)));
    assert_eq!(e.lead_time, 6);
    assert!(e.integer);
    assert_eq!(s.lines[e.line.index()].id, "shells");

    let stockpile = &s.demands[3];
    assert_eq!(stockpile.quantity[..3], [0.0; 3]);
    assert_eq!(stockpile.quantity[3..], [5000.0; 9]);
    assert_eq!(s.demands[2].end_user, s.demands[2].buyer);
    assert!(!s.demands[1].backlog);
    assert!(s.demands[0].backlog);

    assert_eq!(s.contracts[0].price, 650.0);
    let srb = s.actor_id("SRB").expect("SRB");
    assert_eq!(s.policies[0].scope, Party::Actor(srb));
    assert_eq!(s.policies[0].deny_export, vec![Selector::Belligerent]);
    assert_eq!(
        s.policies[1].scope,
        Party::Bloc(caisson_model::BlocId::new(0))
    );
    assert_eq!(
        s.policies[0].name,
        "Serbia: no exports to parties of the war"
    );
    assert_eq!(s.route(srb, s.actor_id("CZE").expect("CZE")), (1, 25.0));
}

#[test]
fn example_round_trips_through_to_toml() {
    let s = example().scenario;
    let text = caisson_scenario::to_toml(&s);
    let again =
        caisson_scenario::load_str(&text, "written.toml").unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(again.scenario, s);
}
