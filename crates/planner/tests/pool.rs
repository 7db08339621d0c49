//! Transfer pools (an exact reduction of the transfer columns): the pooled
//! model has the optimum of the spec's pairwise model, fewer columns, and
//! its plans list transfers facility to facility.

mod support;

use caisson_generate::{generate, GenerateOptions, Shape, Size};
use caisson_model::Scenario;
use caisson_plan::{verify, Plan, PlanStatus};
use caisson_planner::{Formulation, PlanOptions, Pooling};
use support::fixture;

fn solve(scenario: &Scenario, pooling: Pooling) -> (Plan, usize, u64) {
    let formulation = Formulation::build_pooling(scenario, pooling);
    let columns = formulation.stats().columns;
    let pooled = formulation.stats().reductions.transfers_pooled;
    let model = match formulation.load() {
        Ok(model) => model,
        Err(error) => panic!("{}: {error}", scenario.name),
    };
    let plan = model.solve(scenario, &PlanOptions::default());
    assert_eq!(
        plan.status,
        PlanStatus::Optimal,
        "{}: {:?}",
        scenario.name,
        plan.message
    );
    let violations = verify(scenario, &plan);
    assert!(violations.is_empty(), "{}: {violations:#?}", scenario.name);
    (plan, columns, pooled)
}

fn objective(plan: &Plan) -> f64 {
    plan.objective.unwrap_or(f64::NAN)
}

#[test]
fn a_pool_reaches_the_hand_worked_optimum_and_lists_pairs() {
    let s = fixture("pooled_transfers.toml");
    let (pooled, pooled_columns, pairs) = solve(&s, Pooling::Pooled);
    let (pairwise, pairwise_columns, none) = solve(&s, Pooling::Pairwise);
    assert!(
        (objective(&pooled) - 510.0).abs() < 1e-6,
        "{}",
        objective(&pooled)
    );
    assert!((objective(&pairwise) - 510.0).abs() < 1e-6);
    // CZE's pool: 9 CZE -> DEU pairs in the one period whose transfers
    // arrive in time, and 6 pairs within CZE in each of the 2 periods.
    assert_eq!((pairs, none), (9 + 12, 0));
    assert!(pooled_columns < pairwise_columns);
    let facility = |id: &str| {
        s.facilities
            .iter()
            .position(|f| f.id == id)
            .unwrap_or_else(|| panic!("no facility {id}"))
    };
    // Transfers at home cost nothing, so the optimum may pass TNT and
    // shells around within a country: what each plant nets in TNT is
    // determined.
    let tnt = s.products.iter().position(|p| p.id == "tnt");
    let net = |id: &str| -> f64 {
        let f = facility(id);
        let flows: Vec<_> = pooled
            .transfers
            .iter()
            .filter(|t| Some(t.product.index()) == tnt)
            .collect();
        let inflow: f64 = flows
            .iter()
            .filter(|t| t.to.index() == f)
            .map(|t| t.quantity)
            .sum();
        let outflow: f64 = flows
            .iter()
            .filter(|t| t.from.index() == f)
            .map(|t| t.quantity)
            .sum();
        inflow - outflow
    };
    for id in ["cze-a", "cze-b", "cze-c"] {
        assert!((net(id) + 10.0).abs() < 1e-6, "{id} nets {}", net(id));
    }
    for id in ["deu-x", "deu-y", "deu-z"] {
        assert!((net(id) - 10.0).abs() < 1e-6, "{id} nets {}", net(id));
    }
    let across: f64 = pooled
        .transfers
        .iter()
        .filter(|t| s.facilities[t.from.index()].actor != s.facilities[t.to.index()].actor)
        .map(|t| t.quantity)
        .sum();
    assert!((across - 30.0).abs() < 1e-6, "{across} crossed the border");
}

#[test]
fn pooled_and_pairwise_models_have_the_same_optimum() {
    let mut pooled_somewhere = false;
    for seed in 0..4 {
        let shape = Shape {
            facilities: 24,
            products: 6,
            demands: 8,
            periods: 6,
        };
        let s = generate(&GenerateOptions {
            size: Size::Custom(shape),
            seed,
        });
        let (pooled, pooled_columns, pairs) = solve(&s, Pooling::Pooled);
        let (pairwise, pairwise_columns, _) = solve(&s, Pooling::Pairwise);
        let (a, b) = (objective(&pooled), objective(&pairwise));
        assert!(
            (a - b).abs() <= 2e-6 * a.abs().max(b.abs()).max(1.0),
            "seed {seed}: pooled {a}, pairwise {b}"
        );
        if pairs > 0 {
            pooled_somewhere = true;
            assert!(
                pooled_columns < pairwise_columns,
                "seed {seed}: {pooled_columns} >= {pairwise_columns}"
            );
        }
    }
    assert!(pooled_somewhere, "no generated scenario had a pool");
}
