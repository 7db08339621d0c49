//! "Why short?" explanations: on scenarios whose cause is known by
//! construction the explanation names it first, and on random and
//! generated scenarios every cause given is true of the plan (checked
//! against the records by `support::check_explanations`).

mod support;

use caisson_generate::{generate, GenerateOptions, Size};
use caisson_model::Scenario;
use caisson_plan::{
    explain_shortages, explain_shortages_with, greedy, Cause, Plan, PlanStatus, Quantities,
    ShortageExplanation, WhyOptions,
};
use caisson_planner::{plan, PlanOptions};
use proptest::prelude::*;

use support::{
    check_explanations, close, demand, facility, fixture, line, load_toml, product, random_toml,
};

/// Solves a fixture, explains it, checks every cause against the plan and
/// returns the scenario, plan and explanations.
fn explain(name: &str) -> (Scenario, Plan, Vec<ShortageExplanation>) {
    let s = fixture(name);
    let p = plan(&s, &PlanOptions::default());
    assert_eq!(p.status, PlanStatus::Optimal, "{name}: {:?}", p.message);
    let explanations = explain_shortages(&s, &p);
    let problems = check_explanations(&s, &p, &explanations);
    assert!(problems.is_empty(), "{name}: {problems:#?}");
    (s, p, explanations)
}

/// The one explanation of a scenario with a single short demand.
fn only(explanations: &[ShortageExplanation]) -> &ShortageExplanation {
    assert_eq!(explanations.len(), 1, "{explanations:#?}");
    &explanations[0]
}

#[test]
fn a_full_line_is_capacity_bound_with_its_shadow_price() {
    let (s, p, explanations) = explain("why-capacity.toml");
    assert!(close(p.objective.unwrap_or(f64::NAN), 1530.0));
    let e = only(&explanations);
    assert_eq!(
        (
            e.short_periods.first,
            e.short_periods.last,
            e.short_periods.count
        ),
        (0, 2, 3)
    );
    assert!(close(e.short_periods.total_shortage, 15.0));
    match &e.causes[0] {
        Cause::CapacityBound {
            line: l,
            periods,
            used,
            shadow_price,
            ..
        } => {
            assert_eq!(*l, line(&s, "deu-plant", "shells"));
            assert_eq!(periods, &[0, 1, 2]);
            assert!(close(*used, 30.0));
            assert!(
                shadow_price.is_some_and(|price| close(price, 99.0)),
                "{shadow_price:?}"
            );
        }
        other => panic!("expected a capacity bound first, got {other:?}"),
    }
    let text = e.causes[0].describe(&s, Quantities::Exact);
    assert!(
        text.contains("deu-plant/shells") && text.contains("2026-01..2026-03"),
        "{text}"
    );
    assert!(text.contains("99"), "{text}");
    let heading = e.describe(&s, Quantities::Exact);
    assert!(
        heading.contains("deu-army") && heading.contains("15 units lost"),
        "{heading}"
    );
}

#[test]
fn a_neutral_exporter_with_spare_stock_is_denied_by_its_policy() {
    let (s, _, explanations) = explain("why-denied.toml");
    let e = only(&explanations);
    let denied = e
        .causes
        .iter()
        .find(|c| matches!(c, Cause::Denied { .. }))
        .unwrap_or_else(|| panic!("no denial in {:#?}", e.causes));
    let Cause::Denied {
        facility: f,
        spare,
        verdict,
        ..
    } = denied
    else {
        unreachable!()
    };
    assert_eq!(*f, facility(&s, "srb-depot"));
    assert!(close(spare.stock, 100.0));
    assert!(!verdict.is_allowed());
    let text = denied.describe(&s, Quantities::Exact);
    assert!(
        text.contains("srb-neutrality") && text.contains("deny_export"),
        "{text}"
    );
    assert!(text.contains("100 unit in stock"), "{text}");
    // The allowed plant is at full capacity, a binding constraint: it ranks
    // first, then the denied stock.
    assert!(
        matches!(e.causes[0], Cause::CapacityBound { shadow_price: Some(price), .. } if close(price, 48.0))
    );
    assert!(
        matches!(e.causes[1], Cause::Denied { .. }),
        "{:#?}",
        e.causes
    );
}

#[test]
fn a_lead_time_longer_than_the_first_short_periods() {
    let (s, p, explanations) = explain("why-lead.toml");
    assert!(close(p.objective.unwrap_or(f64::NAN), 300.0));
    let e = only(&explanations);
    assert_eq!((e.short_periods.first, e.short_periods.last), (0, 1));
    match &e.causes[0] {
        Cause::LeadTime {
            facility: f,
            lead_time,
            periods,
            every_source,
            ..
        } => {
            assert_eq!(*f, facility(&s, "deu-depot"));
            assert_eq!(
                (*lead_time, periods.as_slice(), *every_source),
                (2, &[0, 1][..], true)
            );
        }
        other => panic!("expected a lead time first, got {other:?}"),
    }
    let text = e.causes[0].describe(&s, Quantities::Exact);
    assert!(
        text.contains("nothing can arrive in 2026-01..2026-02") && text.contains("2 period"),
        "{text}"
    );
    // The far depot's lead time exceeds the horizon: its stock never helps.
    let far = facility(&s, "usa-depot");
    assert!(
        e.causes.iter().any(|c| matches!(c,
            Cause::LeadTime { facility: f, lead_time: 5, every_source: false, spare, .. }
                if *f == far && close(spare.stock, 50.0))),
        "{:#?}",
        e.causes
    );
}

#[test]
fn a_missing_input_with_spare_line_capacity() {
    let (s, _, explanations) = explain("why-input.toml");
    let e = only(&explanations);
    // The 10 powder may be used in either period (same cost), but by the
    // end of the last one it is gone whatever the optimum chose.
    assert!(
        e.causes.iter().any(|c| matches!(c,
            Cause::InputShortage { facility: f, line: l, product: made, input, periods }
                if *f == facility(&s, "deu-plant")
                    && *l == line(&s, "deu-plant", "assembly")
                    && *made == product(&s, "shell")
                    && *input == product(&s, "powder")
                    && periods.contains(&1))),
        "{:#?}",
        e.causes
    );
    let text = e.causes[0].describe(&s, Quantities::Exact);
    assert!(text.contains("no powder left"), "{text}");
}

#[test]
fn no_allowed_source() {
    let s = load_toml(
        r#"
[scenario]
name = "no-source"
start = "2026-01"
periods = 2

[[actor]]
id = "SRB"

[[actor]]
id = "UKR"
belligerent = true

[[product]]
id = "shell"

[[product]]
id = "drone"

[[facility]]
id = "srb-depot"
actor = "SRB"
stock = { shell = 40 }

[[demand]]
id = "shells"
buyer = "UKR"
product = "shell"
quantity = 10
penalty = 50

[[demand]]
id = "drones"
buyer = "UKR"
product = "drone"
quantity = 1
penalty = 50

[[policy]]
id = "srb-neutrality"
scope = "SRB"
deny_export = ["belligerent"]
"#,
        "no-source.toml",
    );
    let p = plan(&s, &PlanOptions::default());
    let explanations = explain_shortages(&s, &p);
    assert!(check_explanations(&s, &p, &explanations).is_empty());
    assert_eq!(explanations.len(), 2);
    let shells = &explanations[0];
    assert_eq!(shells.demand, demand(&s, "shells"));
    assert!(matches!(
        shells.causes[0],
        Cause::NoSource {
            denied_holders: 1,
            ..
        }
    ));
    assert!(matches!(shells.causes[1], Cause::Denied { .. }));
    let drones = &explanations[1];
    assert_eq!(
        drones.causes,
        vec![Cause::NoSource {
            product: product(&s, "drone"),
            denied_holders: 0
        }]
    );
    assert!(drones.causes[0]
        .describe(&s, Quantities::Exact)
        .contains("no facility holds drone"));
}

#[test]
fn a_fully_served_plan_needs_no_explanation() {
    let s = fixture("greedy-bom.toml");
    let p = plan(&s, &PlanOptions::default());
    assert!(explain_shortages(&s, &p).is_empty());
}

#[test]
fn explanations_of_a_greedy_plan_name_the_denied_alternative() {
    let s = fixture("greedy-worse.toml");
    let p = greedy(&s);
    let explanations = explain_shortages(&s, &p);
    assert!(check_explanations(&s, &p, &explanations).is_empty());
    let e = only(&explanations);
    assert_eq!(e.demand, demand(&s, "low"));
    assert!(
        matches!(&e.causes[0], Cause::Denied { facility: f, spare, .. }
            if *f == facility(&s, "f2") && close(spare.stock, 10.0)),
        "{:#?}",
        e.causes
    );
}

#[test]
fn causes_are_capped_and_counted() {
    let s = generate(&GenerateOptions {
        size: Size::Medium,
        seed: 2,
    });
    let p = greedy(&s);
    let all = explain_shortages_with(
        &s,
        &p,
        &WhyOptions {
            max_causes: usize::MAX,
        },
    );
    let capped = explain_shortages_with(&s, &p, &WhyOptions { max_causes: 2 });
    assert_eq!(all.len(), capped.len());
    for (a, c) in all.iter().zip(&capped) {
        assert_eq!(c.causes.len(), a.causes.len().min(2));
        assert_eq!(c.causes.len() + c.omitted, a.causes.len());
        assert_eq!(
            c.causes[..],
            a.causes[..c.causes.len()],
            "the cap keeps the most important"
        );
    }
}

#[test]
fn causes_hold_on_generated_scenarios() {
    let options = WhyOptions {
        max_causes: usize::MAX,
    };
    for (size, seed) in [(Size::Small, 0), (Size::Small, 5), (Size::Medium, 0)] {
        let s = generate(&GenerateOptions { size, seed });
        for p in [plan(&s, &PlanOptions::default()), greedy(&s)] {
            let explanations = explain_shortages_with(&s, &p, &options);
            let problems = check_explanations(&s, &p, &explanations);
            assert!(
                problems.is_empty(),
                "{size} seed {seed} {}: {problems:#?}",
                p.method
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn causes_hold_on_random_scenarios(seed in any::<u64>()) {
        let text = random_toml(seed);
        let s = load_toml(&text, "random.toml");
        let options = WhyOptions { max_causes: usize::MAX };
        for p in [plan(&s, &PlanOptions::default()), greedy(&s)] {
            let explanations = explain_shortages_with(&s, &p, &options);
            let problems = check_explanations(&s, &p, &explanations);
            prop_assert!(problems.is_empty(), "{}: {problems:#?}\n{text}", p.method);
        }
    }
}
