use caisson_generate::{generate, GenerateOptions, Size};
use caisson_model::{Distribution, Scenario, Targets, Uncertainty, UncertaintyKind};
use caisson_planner::PlanOptions;

use super::*;

/// One year; S makes p (capacity 100, cost 1 a unit) for B, whose demand
/// (lost when short, penalty 50) is 20 in the base scenario.
const ONE_YEAR: &str = r#"
[scenario]
name = "one-year"
start = "2025"
period = "year"
periods = 1
[[actor]]
id = "S"
[[actor]]
id = "B"
[[product]]
id = "p"
[[facility]]
id = "f"
actor = "S"
[[facility.line]]
id = "main"
capacity = 100
products = { p = { cost = 1 } }
[[demand]]
id = "d"
buyer = "B"
product = "p"
quantity = 20
penalty = 50
backlog = false
"#;

fn load(source: &str) -> Scenario {
    match caisson_scenario::load_str(source, "test.toml") {
        Ok(loaded) => loaded.scenario,
        Err(error) => panic!("test scenario invalid:\n{error}"),
    }
}

fn with_demand(base: &Scenario, quantity: f64) -> Scenario {
    let mut world = base.clone();
    world.demands[0].quantity = vec![quantity];
    world
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * a.abs().max(b.abs()).max(1.0)
}

fn hand_options() -> SaaOptions {
    SaaOptions {
        samples: 2,
        price: 2.0,
        spot_price: Some(5.0),
        penalty: Some(50.0),
        drop_values: true,
        ..SaaOptions::default()
    }
}

/// Two equally likely futures, demand 10 or 30. A committed rate r costs
/// 2 r now; in a future with demand q the supplier ships q at cost q, buys
/// what exceeds r at the spot price 5 and pays 50 per unit of r not
/// shipped. Expected cost: 120 - 3 r for r <= 10, 24.5 r - 155 for
/// 10 <= r <= 30: the optimum commits r = 10 at cost 90 (10 + 0 in the
/// low future, 30 + 5 * 20 in the high one, plus 20 now). The deterministic
/// recommendation (base demand 20) commits 20, which costs 40 + (10 + 500)
/// and 40 + (30 + 50) in the two futures: 335 on average, a VSS of 245.
/// Dropping the contract (r = 0) costs 120: its drop value is 30.
#[test]
fn hand_solved_two_sample_portfolio() {
    let base = load(ONE_YEAR);
    let samples = [with_demand(&base, 10.0), with_demand(&base, 30.0)];
    let result = recommend_for(&base, &samples, &[], &hand_options(), &|_| {});
    let Ok(result) = result else {
        panic!("{result:?}");
    };
    assert_eq!(result.candidates, 1);
    assert_eq!(result.contracts.len(), 1);
    let contract = &result.contracts[0];
    assert_eq!(contract.id, "rec:f:B:p");
    assert!(close(contract.volumes[0].rate, 10.0, 1e-9), "{contract:?}");
    assert_eq!(contract.volumes[0].periods, 1);
    assert!(close(result.objective, 90.0, 1e-9), "{}", result.objective);
    assert!(close(result.in_sample.objective, 90.0, 1e-9));
    assert!(close(result.in_sample.first_stage_cost, 20.0, 1e-9));
    assert!(close(result.in_sample.cost.cvar, 150.0, 1e-9));
    assert_eq!(result.in_sample.shortage.mean, 0.0);
    // The rate is strictly inside its bounds [0, 30]: no marginal value.
    assert_eq!(contract.volumes[0].marginal_value.map(f64::abs), Some(0.0));
    assert!(close(contract.drop_value.unwrap_or(f64::NAN), 30.0, 1e-9));

    assert_eq!(result.deterministic.contracts, 1);
    assert!(close(result.deterministic.volume, 20.0, 1e-9));
    assert!(close(result.deterministic.objective, 60.0, 1e-9));
    assert!(close(result.deterministic.in_sample.objective, 335.0, 1e-9));
    assert!(close(result.vss, 245.0, 1e-9));
    // The committed schedule is what a `[[contract]]` signs.
    assert_eq!(result.model_contracts()[0].quantity.len(), 1);
    assert!(close(result.model_contracts()[0].quantity[0], 10.0, 1e-9));
    assert_eq!(result.model_contracts()[0].price, 2.0);
}

/// With the CVaR at 0.5 of two samples (the worse one) weighted 1, the
/// objective is the mean plus the high future's cost: 90 + 150 at r = 10,
/// which stays optimal (the linearised CVaR agrees with the exact one).
#[test]
fn cvar_enters_the_objective_linearised() {
    let base = load(ONE_YEAR);
    let samples = [with_demand(&base, 10.0), with_demand(&base, 30.0)];
    let options = SaaOptions {
        risk_aversion: 1.0,
        cvar_alpha: 0.5,
        drop_values: false,
        ..hand_options()
    };
    let result = recommend_for(&base, &samples, &[], &options, &|_| {});
    let Ok(result) = result else {
        panic!("{result:?}");
    };
    assert!(close(result.objective, 240.0, 1e-9), "{}", result.objective);
    assert!(close(result.in_sample.objective, 240.0, 1e-9));
    assert!(close(result.contracts[0].volumes[0].rate, 10.0, 1e-9));
}

/// A small generated scenario with uncertain demand and yields.
fn uncertain(seed: u64) -> Scenario {
    let mut scenario = generate(&GenerateOptions {
        size: Size::Small,
        seed,
    });
    scenario.uncertainty = vec![
        Uncertainty {
            id: "demand".to_owned(),
            kind: UncertaintyKind::DemandMultiplier {
                demands: Targets::All,
                distribution: Distribution::Lognormal {
                    median: 1.0,
                    sigma: 0.3,
                },
                shared: false,
            },
        },
        Uncertainty {
            id: "yield".to_owned(),
            kind: UncertaintyKind::CapacityYield {
                facilities: Targets::All,
                distribution: Distribution::Triangular {
                    min: 0.6,
                    mode: 0.9,
                    max: 1.0,
                },
                shared: true,
            },
        },
    ];
    scenario
}

fn priced(samples: u64, seed: u64) -> SaaOptions {
    SaaOptions {
        samples,
        seed,
        price: 100.0,
        spot_price: Some(400.0),
        plan: PlanOptions {
            threads: Some(1),
            ..PlanOptions::default()
        },
        ..SaaOptions::default()
    }
}

/// The stochastic solution, optimal for the samples, is never worse on
/// them than the deterministic recommendation (within the MIP gap); and the
/// extensive form's objective is what its first and second stages cost.
#[test]
fn stochastic_solution_is_never_worse_than_the_deterministic_one() {
    for seed in 1..=3 {
        let scenario = uncertain(seed);
        let mut options = priced(4, seed);
        if seed == 2 {
            options.risk_aversion = 0.5;
            options.cvar_alpha = 0.75;
        }
        let result = recommend_samples(&scenario, &options, &|_| {});
        let Ok(result) = result else {
            panic!("seed {seed}: {result:?}");
        };
        let tolerance = (result.mip_gap + 1e-6) * result.objective.abs().max(1.0);
        assert!(
            result.in_sample.objective <= result.deterministic.in_sample.objective + tolerance,
            "seed {seed}: stochastic {} vs deterministic {}",
            result.in_sample.objective,
            result.deterministic.in_sample.objective
        );
        assert!(result.vss >= -tolerance, "seed {seed}: vss {}", result.vss);
        assert!(
            close(result.in_sample.objective, result.objective, 1e-6),
            "seed {seed}: evaluated {} vs solved {}",
            result.in_sample.objective,
            result.objective
        );
        assert!(result.candidates > 0);
    }
}

/// A program whose one sample is the base scenario is the deterministic
/// recommendation; without prices it is the planner's own optimum.
#[test]
fn one_sample_of_the_base_is_the_deterministic_recommendation() {
    let mut scenario = generate(&GenerateOptions {
        size: Size::Small,
        seed: 5,
    });
    scenario.uncertainty = Vec::new();
    assert!(!scenario.expansions.is_empty(), "the test needs expansions");
    let options = priced(1, 0);
    let Ok(result) = recommend_samples(&scenario, &options, &|_| {}) else {
        panic!("recommends");
    };
    assert!(
        close(result.objective, result.deterministic.objective, 1e-9),
        "{} vs {}",
        result.objective,
        result.deterministic.objective
    );
    assert!(close(
        result.in_sample.objective,
        result.deterministic.in_sample.objective,
        1e-6
    ));

    let free = SaaOptions {
        price: 0.0,
        spot_price: Some(0.0),
        ..options
    };
    let Ok(result) = recommend_samples(&scenario, &free, &|_| {}) else {
        panic!("recommends");
    };
    let plan = caisson_planner::plan(&scenario, &PlanOptions::default());
    let planned = plan.objective.unwrap_or(f64::NAN);
    assert!(
        close(result.objective, planned, 1e-5),
        "two-stage {} vs plan {planned}",
        result.objective
    );
}

/// The out-of-sample figures (and the whole recommendation) are the same
/// for a seed at one and two threads.
#[test]
fn out_of_sample_figures_do_not_depend_on_the_thread_count() {
    let scenario = uncertain(7);
    let options = SaaOptions {
        out_of_sample: 6,
        out_of_sample_seed: 99,
        ..priced(3, 4)
    };
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        let result = pool.install(|| recommend_samples(&scenario, &options, &|_| {}));
        let Ok(result) = result else {
            panic!("{result:?}");
        };
        result
    };
    let one = run(1);
    let two = run(2);
    let oos = one.out_of_sample.as_ref().expect("out of sample");
    assert_eq!(oos.stochastic.samples, 6);
    assert_eq!(oos.seed, 99);
    assert_eq!(one.out_of_sample, two.out_of_sample);
    assert_eq!(one.contracts, two.contracts);
    assert_eq!(one.deterministic, two.deterministic);
    // Fresh samples are other futures than the program's.
    assert_ne!(oos.stochastic.cost, one.in_sample.cost);
}

#[test]
fn bad_options_are_refused() {
    let base = load(ONE_YEAR);
    for options in [
        SaaOptions {
            cvar_alpha: 1.0,
            ..SaaOptions::default()
        },
        SaaOptions {
            risk_aversion: -1.0,
            ..SaaOptions::default()
        },
        SaaOptions {
            samples: 0,
            ..SaaOptions::default()
        },
        SaaOptions {
            spot_price: Some(f64::NAN),
            ..SaaOptions::default()
        },
    ] {
        let result = recommend_samples(&base, &options, &|_| {});
        assert!(
            matches!(result, Err(RecommendError::BadOption { .. })),
            "{result:?}"
        );
    }
}

/// The hand-solved portfolio again, by the L-shaped method: the same
/// commitment, objective, VSS and drop value.
#[test]
fn the_decomposition_solves_the_hand_solved_portfolio() {
    let base = load(ONE_YEAR);
    let samples = [with_demand(&base, 10.0), with_demand(&base, 30.0)];
    for (risk_aversion, expected) in [(0.0, 90.0), (1.0, 240.0)] {
        let options = SaaOptions {
            method: SaaMethod::Benders,
            risk_aversion,
            cvar_alpha: 0.5,
            ..hand_options()
        };
        let result = recommend_for(&base, &samples, &[], &options, &|_| {});
        let Ok(result) = result else {
            panic!("{result:?}");
        };
        assert!(result.method.starts_with("L-shaped"), "{}", result.method);
        let contract = &result.contracts[0];
        assert!(close(contract.volumes[0].rate, 10.0, 1e-6), "{contract:?}");
        assert!(
            close(result.objective, expected, 1e-6),
            "{}",
            result.objective
        );
        assert!(close(result.in_sample.objective, expected, 1e-6));
        if risk_aversion == 0.0 {
            assert!(close(result.vss, 245.0, 1e-6), "{}", result.vss);
            assert!(close(contract.drop_value.unwrap_or(f64::NAN), 30.0, 1e-6));
            // At the kink r = 10 the expected cost falls by 3 per unit to
            // the left and rises by 24.5 to the right: the derivative
            // reported is one of them or between.
            let marginal = contract.volumes[0].marginal_value.unwrap_or(f64::NAN);
            assert!(
                (-24.5 - 1e-6..=3.0 + 1e-6).contains(&marginal),
                "{marginal}"
            );
        }
    }
}

/// A budget caps the first stage's cost: with 10 to spend at a price of 2
/// the rate is at most 5, where the expected cost is 120 - 3 * 5 = 105;
/// both methods find it.
#[test]
fn a_budget_caps_the_first_stage() {
    let base = load(ONE_YEAR);
    let samples = [with_demand(&base, 10.0), with_demand(&base, 30.0)];
    for method in [SaaMethod::Extensive, SaaMethod::Benders] {
        let options = SaaOptions {
            budget: Some(10.0),
            drop_values: false,
            method,
            ..hand_options()
        };
        let result = recommend_for(&base, &samples, &[], &options, &|_| {});
        let Ok(result) = result else {
            panic!("{method:?}: {result:?}");
        };
        assert!(
            close(result.contracts[0].volumes[0].rate, 5.0, 1e-6),
            "{method:?}"
        );
        assert!(
            close(result.objective, 105.0, 1e-6),
            "{method:?}: {}",
            result.objective
        );
        assert!(close(result.in_sample.first_stage_cost, 10.0, 1e-6));
    }
}

/// On generated scenarios with expansions, uncertain demand and yields,
/// the L-shaped method reaches the extensive form's optimum (within the
/// gap both prove), risk neutral and with a CVaR, with a budget and some
/// expansions forbidden.
#[test]
fn the_decomposition_reaches_the_extensive_forms_optimum() {
    for seed in 1..=3 {
        let scenario = uncertain(seed);
        let mut options = priced(3, seed);
        options.plan.mip_gap = 1e-6;
        match seed {
            2 => {
                options.risk_aversion = 0.5;
                options.cvar_alpha = 0.6;
            }
            3 => {
                options.budget = Some(5.0e4);
                options.expansions_allowed =
                    Some((0..scenario.expansions.len()).map(|e| e % 2 == 0).collect());
            }
            _ => {}
        }
        let solve = |method| {
            let options = SaaOptions {
                method,
                ..options.clone()
            };
            match recommend_samples(&scenario, &options, &|_| {}) {
                Ok(result) => result,
                Err(error) => panic!("seed {seed}, {method:?}: {error}"),
            }
        };
        let extensive = solve(SaaMethod::Extensive);
        let benders = solve(SaaMethod::Benders);
        assert!(benders.method.starts_with("L-shaped"));
        let tolerance = 1e-4 * extensive.objective.abs().max(1.0);
        assert!(
            (benders.objective - extensive.objective).abs() <= tolerance,
            "seed {seed}: L-shaped {} vs extensive {}",
            benders.objective,
            extensive.objective
        );
        // The evaluated figures of the answer are its objective.
        assert!(close(benders.in_sample.objective, benders.objective, 1e-6));
        // Evaluations on the kept, warm subproblems give what fresh ones
        // give: the same deterministic recommendation costs the same.
        assert!(
            close(
                benders.deterministic.in_sample.objective,
                extensive.deterministic.in_sample.objective,
                1e-7
            ),
            "seed {seed}: {} vs {}",
            benders.deterministic.in_sample.objective,
            extensive.deterministic.in_sample.objective
        );
        if let Some(allowed) = &options.expansions_allowed {
            for expansion in &benders.expansions {
                let e = scenario
                    .expansions
                    .iter()
                    .position(|x| x.id == expansion.expansion)
                    .unwrap_or(usize::MAX);
                assert!(allowed.get(e).copied().unwrap_or(false), "{expansion:?}");
            }
            assert!(benders.in_sample.first_stage_cost <= 5.0e4 + 1e-6);
        }
    }
}

/// The L-shaped answer is the same at one and two threads.
#[test]
fn the_decomposition_does_not_depend_on_the_thread_count() {
    let scenario = uncertain(8);
    let options = SaaOptions {
        method: SaaMethod::Benders,
        ..priced(3, 2)
    };
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        match pool.install(|| recommend_samples(&scenario, &options, &|_| {})) {
            Ok(result) => result,
            Err(error) => panic!("{threads} threads: {error}"),
        }
    };
    let one = run(1);
    let two = run(2);
    assert_eq!(one.contracts, two.contracts);
    assert_eq!(one.expansions, two.expansions);
    assert_eq!(one.objective, two.objective);
    assert_eq!(one.in_sample, two.in_sample);
}
