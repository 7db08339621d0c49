//! Generated scenarios written as TOML load back, valid and equal.

use caisson_generate::{generate, GenerateOptions, Shape, Size};

fn round_trip(options: &GenerateOptions) {
    let scenario = generate(options);
    let text = caisson_scenario::to_toml(&scenario);
    assert_eq!(
        text,
        caisson_scenario::to_toml(&generate(options)),
        "same seed, same text"
    );
    let loaded = caisson_scenario::load_str(&text, "generated.toml")
        .unwrap_or_else(|e| panic!("{:?} does not load:\n{}", options, e.render()));
    assert!(
        loaded.warnings.is_empty(),
        "{options:?} warns:\n{}",
        caisson_scenario::render(&loaded.warnings)
    );
    assert_eq!(loaded.scenario, scenario, "{options:?} reloads differently");
}

#[test]
fn small_scenarios_round_trip() {
    for seed in 0..10 {
        round_trip(&GenerateOptions {
            size: Size::Small,
            seed,
        });
    }
}

#[test]
fn medium_and_large_scenarios_round_trip() {
    round_trip(&GenerateOptions {
        size: Size::Medium,
        seed: 1,
    });
    round_trip(&GenerateOptions {
        size: Size::Large,
        seed: 2,
    });
}

#[test]
fn edge_shapes_round_trip() {
    for (facilities, periods) in [(3, 1), (10, 240)] {
        let shape = Shape {
            facilities,
            products: 3,
            demands: 2,
            periods,
        };
        round_trip(&GenerateOptions {
            size: Size::Custom(shape),
            seed: 3,
        });
    }
}
