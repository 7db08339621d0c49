use caisson_model::Scenario;
use caisson_planner::PlanOptions;

use super::*;

/// Two years. Serbia-like supplier S (20 a year, free to make) may stop
/// exporting to the EU bloc from the second year; E, in the EU, buys for
/// the end user U (20 a year, lost when short, penalty 50 a unit) and can
/// ramp up: 15 a year from the first year for a capex of 150.
const TWO_YEARS: &str = r#"
[scenario]
name = "two-years"
start = "2025"
period = "year"
periods = 2
[[actor]]
id = "S"
[[actor]]
id = "E"
blocs = ["EU"]
[[actor]]
id = "U"
[[product]]
id = "p"
[[facility]]
id = "s-plant"
actor = "S"
[[facility.line]]
id = "main"
capacity = 20
products = { p = { cost = 0 } }
[[facility]]
id = "e-plant"
actor = "E"
[[facility.line]]
id = "main"
capacity = 0
products = { p = { cost = 0 } }
[[facility.expansion]]
id = "e-up"
line = "main"
capacity = 15
lead_time = 0
capex = 150
[[demand]]
id = "u-need"
buyer = "E"
end_user = "U"
product = "p"
quantity = 20
penalty = 50
backlog = false
[[uncertainty]]
id = "s-turns-away"
kind = "political"
hazard = 0.1
since = "2026"
exporter = "S"
stops_exporting_to = ["EU"]
"#;

fn load(source: &str) -> Scenario {
    match caisson_scenario::load_str(source, "test.toml") {
        Ok(loaded) => loaded.scenario,
        Err(error) => panic!("test scenario invalid:\n{error}"),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

fn options(hazards: Vec<f64>) -> BreakevenOptions {
    BreakevenOptions {
        entry: "s-turns-away".to_owned(),
        supplier: "S".to_owned(),
        bloc: "EU".to_owned(),
        end_user: "U".to_owned(),
        hazards,
        saa: SaaOptions {
            samples: 2,
            seed: 7,
            price: 10.0,
            spot_price: Some(60.0),
            penalty: Some(0.0),
            plan: PlanOptions {
                threads: Some(1),
                ..PlanOptions::default()
            },
            ..SaaOptions::default()
        },
    }
}

/// Committing costs 10 a unit; the spot price (60) is above the end user's
/// penalty (50), so uncommitted Serbian units are never bought.
///
/// Probability 0 (S never turns away): the deal commits 20 in both years
/// (money 400): no shortage, cost 400. The ramp-up (budget 400) takes the
/// expansion (150): 5 short a year, shortage 10, cost 150 + 10 x 50 = 650.
/// The deal is better by 10 units and by 250.
///
/// Probability 1 (S turns away at the start of the second year): the deal
/// commits 20 in the first year only (money 200): shortage 20, cost
/// 200 + 20 x 50 = 1,200. The ramp-up (budget 200) still takes the
/// expansion: shortage 10, cost 650. The ramp-up is better by 10 units
/// and by 550.
///
/// Break-even, linear between 0 and 1: shortage 10 / (10 + 10) = 0.5;
/// cost 250 / (250 + 550) = 0.3125. Dropping the deal's one contract
/// leaves U 40 short: it lowers the shortage by 40 at probability 0 and
/// by 20 at probability 1.
#[test]
fn hand_solved_break_even() {
    let scenario = load(TWO_YEARS);
    let result = breakeven(&scenario, &options(vec![0.0, 1.0]), &|_| {});
    let result = match result {
        Ok(result) => result,
        Err(error) => panic!("{error}"),
    };
    let [never, always] = &result.points[..] else {
        panic!("two points: {:?}", result.points);
    };
    assert_eq!((never.switched, always.switched), (0, 2));

    assert!(close(never.deal.money, 400.0), "{}", never.deal.money);
    assert!(close(never.deal.shortage.mean, 0.0));
    assert!(
        close(never.deal.cost.mean, 400.0),
        "{}",
        never.deal.cost.mean
    );
    assert_eq!(never.deal.contracts.len(), 1);
    let contract = &never.deal.contracts[0];
    assert_eq!(
        (contract.facility.as_str(), contract.buyer.as_str()),
        ("s-plant", "E")
    );
    assert!(contract.volumes.iter().all(|v| close(v.volume, 20.0)));
    assert!(close(contract.drop_shortage.unwrap_or(f64::NAN), 40.0));
    assert!(never.deal.expansions.is_empty());
    assert_eq!(never.ramp_up.expansions.len(), 1);
    assert!(never.ramp_up.contracts.is_empty());
    assert!(close(never.ramp_up.money, 150.0));
    assert!(close(never.ramp_up.shortage.mean, 10.0));
    assert!(close(never.ramp_up.cost.mean, 650.0));
    assert!(close(never.shortage_advantage, 10.0));
    assert!(close(never.cost_advantage, 250.0));

    assert!(close(always.deal.money, 200.0), "{}", always.deal.money);
    assert!(close(always.deal.shortage.mean, 20.0));
    assert!(close(always.deal.cost.mean, 1200.0));
    let volumes: Vec<f64> = always.deal.contracts[0]
        .volumes
        .iter()
        .map(|v| v.volume)
        .collect();
    assert!(
        close(volumes[0], 20.0) && close(volumes[1], 0.0),
        "{volumes:?}"
    );
    assert!(close(
        always.deal.contracts[0].drop_shortage.unwrap_or(f64::NAN),
        20.0
    ));
    assert!(close(always.ramp_up.shortage.mean, 10.0));
    assert!(close(always.ramp_up.cost.mean, 650.0));
    assert!(close(always.shortage_advantage, -10.0));
    assert!(close(always.cost_advantage, -550.0));

    assert_eq!(result.shortage, Crossing::At(0.5));
    assert!(
        close(result.cost.probability(), 0.3125),
        "{:?}",
        result.cost
    );
    assert!(matches!(result.cost, Crossing::At(_)));
}

/// The same samples' seed for every probability: a probability swept twice
/// gives the same figures, and a sweep is reproducible.
#[test]
fn the_sweep_is_deterministic() {
    let scenario = load(TWO_YEARS);
    let run = || match breakeven(&scenario, &options(vec![0.0, 0.5, 1.0]), &|_| {}) {
        Ok(mut result) => {
            result.seconds = 0.0;
            result
        }
        Err(error) => panic!("{error}"),
    };
    let first = run();
    assert_eq!(first, run());
    assert!(first.points[1].switched <= 2);
}

#[test]
fn crossings_interpolate_between_sweep_points() {
    let h = [0.0, 0.1, 0.2];
    assert_eq!(
        Crossing::of(&h, &[-1.0, 2.0, 3.0], 0.0),
        Crossing::AtOrBelow(0.0)
    );
    assert_eq!(
        Crossing::of(&h, &[0.0, 2.0, 3.0], 0.0),
        Crossing::AtOrBelow(0.0)
    );
    assert_eq!(
        Crossing::of(&h, &[4.0, 2.0, 3.0], 0.0),
        Crossing::Above(0.2)
    );
    let Crossing::At(at) = Crossing::of(&h, &[4.0, 3.0, -1.0], 0.0) else {
        panic!("a crossing between 0.1 and 0.2");
    };
    assert!(close(at, 0.175), "{at}");
    // A tie at a sweep point is the crossing itself.
    assert_eq!(Crossing::of(&h, &[4.0, 0.0, -1.0], 0.0), Crossing::At(0.1));
}

#[test]
fn bad_options_name_the_field() {
    let scenario = load(TWO_YEARS);
    let cases: Vec<(BreakevenOptions, &str)> = vec![
        (
            BreakevenOptions {
                entry: "nope".to_owned(),
                ..options(vec![0.0])
            },
            "entry: no [[uncertainty]] entry `nope` in the scenario (political entries: s-turns-away",
        ),
        (
            BreakevenOptions {
                supplier: "X".to_owned(),
                ..options(vec![0.0])
            },
            "supplier: no actor `X` in the scenario (actors: S, E, U)",
        ),
        (
            BreakevenOptions {
                supplier: "U".to_owned(),
                ..options(vec![0.0])
            },
            "supplier: actor `U` has no facility",
        ),
        (
            BreakevenOptions {
                bloc: "NATO".to_owned(),
                ..options(vec![0.0])
            },
            "bloc: no bloc `NATO` in the scenario (blocs: EU)",
        ),
        (options(vec![0.0, 1.5]), "hazards: 1.5 is not a yearly probability in [0, 1]"),
        (options(vec![0.2, 0.1]), "hazards: the probabilities must increase"),
        (options(Vec::new()), "hazards: the sweep is empty"),
    ];
    for (options, expected) in cases {
        match breakeven(&scenario, &options, &|_| {}) {
            Ok(_) => panic!("{expected}: accepted"),
            Err(error) => assert!(
                error.to_string().starts_with(expected),
                "{error} does not start with {expected}"
            ),
        }
    }
}

/// The L-shaped decomposition reaches the same hand-solved break-evens.
#[test]
fn the_decomposition_gives_the_same_break_even() {
    let scenario = load(TWO_YEARS);
    let mut options = options(vec![0.0, 1.0]);
    options.saa.method = crate::recommend::SaaMethod::Benders;
    let result = match breakeven(&scenario, &options, &|_| {}) {
        Ok(result) => result,
        Err(error) => panic!("{error}"),
    };
    assert_eq!(result.shortage, Crossing::At(0.5));
    assert!(
        close(result.cost.probability(), 0.3125),
        "{:?}",
        result.cost
    );
}
