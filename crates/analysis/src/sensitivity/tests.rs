//! A hand-made case whose ranking is known.
//!
//! One period, one actor, one product without inputs. Supply: `plant1`
//! makes 10, `plant2` makes 5, `depot` holds 4 in stock; the demand asks
//! for 30 at a penalty (100) far above any cost, so every unit available is
//! delivered and the shortage (one period of backlog) is 30 - 19 = 11.
//!
//! Worked by hand, each assumption at low / high (shortage = need - supply):
//!
//! | id    | scales             | low, high | at low          | at high         | span    |
//! |-------|--------------------|-----------|-----------------|-----------------|---------|
//! | cap1  | plant1 capacity    | 0.5, 1.5  | 30 - 14 = 16    | 30 - 24 = 6     | 16-6=10 |
//! | cap2  | plant2 capacity    | 0.2, 2.0  | 30 - 15 = 15    | 30 - 24 = 6     | 15-6=9  |
//! | need  | demand quantity    | 0.9, 1.1  | 27 - 19 = 8     | 33 - 19 = 14    | 14-8=6  |
//! | stock | depot stock        | 0, 1      | 30 - 15 = 15    | 11 (base)       | 15-11=4 |
//! | cost  | plant1 unit cost   | 0.5, 2    | 11 (cost << penalty) | 11         | 0       |
//!
//! So the ranking by span is cap1, cap2, need, stock, cost.
//!
//! With the difference measure against `OTHER` (the same world with a need
//! of 25 and without the `stock` assumption, so its stock stays at 4):
//! base 11 - 6 = 5. Capacity changes move both shortages alike while both
//! stay short (cap1: 16 - 11 = 5 and 6 - 1 = 5; cap2: 15 - 10 = 5 and
//! 6 - 1 = 5): span 0. need: 8 - (22.5 - 19) = 4.5 and 14 - (27.5 - 19) =
//! 5.5: span 1. stock: 15 - 6 = 9 and 11 - 6 = 5: span 4. cost: 0. Ranking:
//! stock, need, then the zeros by id: cap1, cap2, cost.

use caisson_model::Scenario;
use caisson_planner::PlanOptions;

use super::*;
use crate::compare::Variant as Case;
use crate::resolve::Resolve;

const WORLD: &str = r#"
[scenario]
name = "hand"
start = "2026-01"
periods = 1
[[actor]]
id = "A"
[[product]]
id = "shell"
[[facility]]
id = "plant1"
actor = "A"
[[facility.line]]
id = "l"
capacity = 10
products = { shell = { cost = 1 } }
[[facility]]
id = "plant2"
actor = "A"
[[facility.line]]
id = "l"
capacity = 5
products = { shell = { cost = 1 } }
[[facility]]
id = "depot"
actor = "A"
stock = { shell = 4 }
[[demand]]
id = "need"
buyer = "A"
product = "shell"
quantity = NEED
penalty = 100
[[assumption]]
id = "cost"
reason = "no price published"
low = 0.5
high = 2
costs = ["plant1.l"]
[[assumption]]
id = "cap1"
reason = "plant1's output is a claim"
low = 0.5
high = 1.5
capacity = ["plant1.l"]
[[assumption]]
id = "cap2"
reason = "plant2's output is a guess"
low = 0.2
high = 2
capacity = ["plant2.l"]
[[assumption]]
id = "need"
reason = "the requirement is stated, not measured"
low = 0.9
high = 1.1
demands = ["need"]
"#;

const STOCK: &str = r#"
[[assumption]]
id = "stock"
reason = "warehouses are full, no quantity"
low = 0
high = 1
stock = ["depot"]
"#;

fn scenario(need: u32, with_stock: bool) -> Scenario {
    let mut text = WORLD.replace("NEED", &need.to_string());
    if with_stock {
        text.push_str(STOCK);
    }
    caisson_scenario::load_str(&text, "hand.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario
}

fn options(measure: Measure, resolve: Resolve) -> SensitivityOptions {
    SensitivityOptions {
        measure,
        resolve,
        plan: PlanOptions::default(),
        ..SensitivityOptions::default()
    }
}

fn ranking(s: &Sensitivity) -> Vec<(&str, f64, Option<f64>, Option<f64>)> {
    s.assumptions
        .iter()
        .map(|a| {
            (
                a.id.as_str(),
                round(a.span),
                a.at_low.value.map(round),
                a.at_high.value.map(round),
            )
        })
        .collect()
}

fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

#[test]
fn shortage_ranking_matches_the_hand_computation() {
    let subject = scenario(30, true);
    let case = Case {
        label: "hand",
        scenario: &subject,
    };
    let (s, timing) = sensitivity(
        case,
        &[],
        &options(Measure::Shortage, Resolve::WarmStart),
        &|| {},
    )
    .expect("runs");
    assert_eq!(s.base.value.map(round), Some(11.0));
    assert_eq!(
        ranking(&s),
        vec![
            ("cap1", 10.0, Some(16.0), Some(6.0)),
            ("cap2", 9.0, Some(15.0), Some(6.0)),
            ("need", 6.0, Some(8.0), Some(14.0)),
            ("stock", 4.0, Some(15.0), Some(11.0)),
            ("cost", 0.0, Some(11.0), Some(11.0)),
        ]
    );
    let ranks: Vec<usize> = s.assumptions.iter().map(|a| a.rank).collect();
    assert_eq!(ranks, [1, 2, 3, 4, 5]);
    assert_eq!(s.assumptions[0].targets, ["capacity plant1.l"]);
    assert_eq!(
        timing.solves, 11,
        "the base and two bounds of five assumptions"
    );
}

#[test]
fn every_resolve_mode_gives_the_same_figures() {
    let subject = scenario(30, true);
    let case = Case {
        label: "hand",
        scenario: &subject,
    };
    let run = |resolve| {
        let (s, _) =
            sensitivity(case, &[], &options(Measure::Shortage, resolve), &|| {}).expect("runs");
        ranking(&s)
            .into_iter()
            .map(|(id, span, l, h)| (id.to_owned(), span, l, h))
            .collect::<Vec<_>>()
    };
    let warm = run(Resolve::WarmStart);
    assert_eq!(run(Resolve::Cold), warm);
    assert_eq!(run(Resolve::Reuse), warm);
}

#[test]
fn difference_ranking_matches_the_hand_computation() {
    let (subject, other) = (scenario(30, true), scenario(25, false));
    let (s, _) = sensitivity(
        Case {
            label: "subject",
            scenario: &subject,
        },
        &[Case {
            label: "other",
            scenario: &other,
        }],
        &options(Measure::Difference, Resolve::WarmStart),
        &|| {},
    )
    .expect("runs");
    assert_eq!(s.base.value.map(round), Some(5.0));
    assert_eq!(
        s.base
            .shortages
            .iter()
            .map(|x| x.map(round))
            .collect::<Vec<_>>(),
        [Some(11.0), Some(6.0)]
    );
    assert_eq!(
        ranking(&s),
        vec![
            ("stock", 4.0, Some(9.0), Some(5.0)),
            ("need", 1.0, Some(4.5), Some(5.5)),
            ("cap1", 0.0, Some(5.0), Some(5.0)),
            ("cap2", 0.0, Some(5.0), Some(5.0)),
            ("cost", 0.0, Some(5.0), Some(5.0)),
        ]
    );
    let stock = &s.assumptions[0];
    assert_eq!(stock.missing_in, ["other"]);
}

#[test]
fn a_selection_counts_only_its_demands_and_bad_requests_are_refused() {
    let subject = scenario(30, true);
    let case = Case {
        label: "hand",
        scenario: &subject,
    };
    let mut opts = options(Measure::Shortage, Resolve::WarmStart);
    opts.only = vec!["need".to_owned()];
    opts.selection.end_users = vec!["A".to_owned()];
    let (s, _) = sensitivity(case, &[], &opts, &|| {}).expect("runs");
    assert_eq!(s.assumptions.len(), 1);
    assert_eq!(s.assumptions[0].span.round(), 6.0);

    opts.selection.end_users = vec!["B".to_owned()];
    assert!(matches!(
        sensitivity(case, &[], &opts, &|| {}),
        Err(SensitivityError::UnknownSelection(id)) if id == "B"
    ));
    opts.selection.end_users.clear();
    opts.only = vec!["nope".to_owned()];
    assert!(matches!(
        sensitivity(case, &[], &opts, &|| {}),
        Err(SensitivityError::UnknownAssumption(id)) if id == "nope"
    ));
    assert!(matches!(
        sensitivity(
            case,
            &[],
            &options(Measure::Difference, Resolve::Cold),
            &|| {}
        ),
        Err(SensitivityError::NoOther)
    ));
}
