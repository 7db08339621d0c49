//! Scenario -> sheets -> scenario is lossless, in memory, through an xlsx
//! workbook and through a CSV directory.

use std::path::Path;

use caisson_generate::{generate, GenerateOptions, Size};
use caisson_model::Scenario;
use caisson_sheets::{
    read_csv_dir, read_xlsx, scenario_to_sheets, sheets_to_scenario, write_csv_dir, write_xlsx,
};

fn load(path: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path);
    caisson_scenario::load_path(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .scenario
}

/// Asserts that `scenario` survives every route back unchanged.
fn check(scenario: &Scenario) {
    let sheets = scenario_to_sheets(scenario).expect("exportable");
    let dir = tempfile::tempdir().expect("temp dir");

    let direct =
        sheets_to_scenario(&sheets).unwrap_or_else(|e| panic!("{}", caisson_sheets::render(&e)));
    assert_eq!(&direct.scenario, scenario, "in memory");

    let xlsx = dir.path().join("s.xlsx");
    write_xlsx(&xlsx, &sheets).expect("write xlsx");
    let read = read_xlsx(&xlsx).expect("read xlsx");
    let back =
        sheets_to_scenario(&read).unwrap_or_else(|e| panic!("{}", caisson_sheets::render(&e)));
    assert_eq!(&back.scenario, scenario, "through xlsx");

    let csv = dir.path().join("csv");
    write_csv_dir(&csv, &sheets).expect("write csv");
    let read = read_csv_dir(&csv).expect("read csv");
    let back =
        sheets_to_scenario(&read).unwrap_or_else(|e| panic!("{}", caisson_sheets::render(&e)));
    assert_eq!(&back.scenario, scenario, "through csv");
}

#[test]
fn cli_fixture_round_trips() {
    check(&load("crates/cli/tests/fixtures/example.toml"));
}

#[test]
fn europe_example_round_trips() {
    check(&load("examples/europe-2025/base.toml"));
}

#[test]
fn assumption_entries_round_trip() {
    // The integrated variant's assumptions mix capacity, expansion and
    // contract targets in one entry; the base has every other target field.
    let s = load("examples/europe-2025/serbia-integrated.toml");
    let mixed = s
        .assumptions
        .iter()
        .find(|a| a.id == "serbia-mortar-output");
    assert_eq!(mixed.map(|a| a.targets.len()), Some(5));
    let sheets = scenario_to_sheets(&s).expect("exportable");
    let sheet = sheets
        .iter()
        .find(|sh| sh.name == caisson_sheets::ASSUMPTIONS)
        .expect("an assumptions sheet");
    assert_eq!(sheet.rows.len(), s.assumptions.len());
    check(&s);
}

#[test]
fn uncertainty_entries_round_trip() {
    use caisson_model::{
        ActorId, DemandId, Distribution, FacilityId, PeriodRange, Targets, Uncertainty,
        UncertaintyKind,
    };
    check(&load("examples/europe-2025/long-war-uncertainty.toml"));
    // The political variant: one hazard-timed switch stopping Serbian
    // exports to the EU bloc.
    check(&load("examples/europe-2025/serbia-political.toml"));
    let mut scenario = load("crates/cli/tests/fixtures/example.toml");
    let kinds = [
        UncertaintyKind::DemandMultiplier {
            demands: Targets::Only(vec![DemandId::new(1), DemandId::new(0)]),
            distribution: Distribution::Uniform { min: 0.5, max: 1.5 },
            shared: false,
        },
        UncertaintyKind::FacilityOutage {
            facilities: Targets::All,
            probability: 0.01,
            duration: PeriodRange { min: 2, max: 6 },
        },
        UncertaintyKind::CapacityYield {
            facilities: Targets::Only(vec![FacilityId::new(2)]),
            distribution: Distribution::Triangular {
                min: 0.7,
                mode: 0.9,
                max: 1.0,
            },
            shared: true,
        },
        UncertaintyKind::RouteDelay {
            from: None,
            to: Some(ActorId::new(0)),
            probability: 0.2,
            extra: PeriodRange { min: 1, max: 1 },
            shared: true,
        },
    ];
    for (i, kind) in kinds.into_iter().enumerate() {
        scenario.uncertainty.push(Uncertainty {
            id: format!("u{i}"),
            kind,
        });
    }
    check(&scenario);
}

#[test]
fn generated_scenarios_round_trip() {
    for seed in [0, 1, 7, 42] {
        check(&generate(&GenerateOptions {
            size: Size::Small,
            seed,
        }));
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Any text in a name or description and any number in a schedule or
    /// cost comes back bit for bit, through xlsx and CSV alike.
    #[test]
    fn any_text_and_number_round_trips(
        name in proptest::prop_oneof![
            proptest::strategy::Just(String::new()),
            proptest::strategy::Just(" ".to_owned()),
            proptest::strategy::Just("\"\"".to_owned()),
            "\\PC{0,12}",
        ],
        description in proptest::option::of("[\\PC\n\t\"\\\\,]{0,30}"),
        quantities in proptest::collection::vec(0.0..1e12f64, 12),
        cost in 0.0..1e-3f64,
        tiny in 0.0..1e-300f64,
    ) {
        let mut scenario = load("crates/cli/tests/fixtures/example.toml");
        scenario.actors[0].name = name;
        scenario.description = description;
        scenario.demands[0].quantity = quantities;
        scenario.lines[0].products[0].cost = cost;
        scenario.facilities[0].holding_cost = tiny;
        check(&scenario);
    }
}
