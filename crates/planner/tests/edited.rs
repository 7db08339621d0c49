//! Re-solving one built model for variants that change quantities and
//! costs ([`Case::Edited`]: `simulate`'s samples, `compare`'s variants)
//! against planning each edited scenario from scratch: same optimum,
//! whatever was solved before on the same HiGHS instance and whatever the
//! start; structural changes are refused.

mod support;

use caisson_generate::{generate, GenerateOptions, Shape, Size};
use caisson_model::Scenario;
use caisson_plan::{verify, Plan};
use caisson_planner::{
    plan, Case, PlanOptions, RelaxFirst, ResolveError, Resolved, Resolver, Start, Worker,
};
use support::{all_fixtures, fixture};

/// Relative tolerance of an objective at the default MIP gap (1e-6) plus
/// round-off.
fn agree(a: f64, b: f64) -> bool {
    (a - b).abs() <= 2e-6 * a.abs().max(b.abs()).max(1.0)
}

fn objective(plan: &Plan) -> f64 {
    plan.objective.unwrap_or(f64::NAN)
}

fn scenarios() -> Vec<(String, Scenario)> {
    let mut all: Vec<(String, Scenario)> = all_fixtures()
        .into_iter()
        .map(|name| {
            let s = fixture(&name);
            (name, s)
        })
        .collect();
    for seed in 0..2 {
        all.push((
            format!("generated small seed {seed}"),
            generate(&GenerateOptions {
                size: Size::Small,
                seed,
            }),
        ));
    }
    // Enough facilities per actor for transfer pools.
    let shape = Shape {
        facilities: 24,
        products: 6,
        demands: 8,
        periods: 6,
    };
    all.push((
        "generated pooled seed 2".to_owned(),
        generate(&GenerateOptions {
            size: Size::Custom(shape),
            seed: 2,
        }),
    ));
    all
}

/// Every demand quantity times `factor`.
fn demand_times(s: &Scenario, factor: f64) -> Scenario {
    let mut e = s.clone();
    for d in &mut e.demands {
        for q in &mut d.quantity {
            *q *= factor;
        }
    }
    e
}

/// The edits `simulate` draws and cost changes `compare`'s variants make,
/// each keeping the model's structure.
fn edits(s: &Scenario) -> Vec<(&'static str, Scenario)> {
    let n = s.periods();
    let mut out = vec![
        ("demand x1.4", demand_times(s, 1.4)),
        ("demand x0.5", demand_times(s, 0.5)),
    ];
    // Outages: every facility of the first actor with lines down in the
    // first half, and the first line down throughout.
    let mut outage = s.clone();
    let first_actor = s.facilities.first().map(|f| f.actor);
    for f in &s.facilities {
        if Some(f.actor) == first_actor {
            for l in &f.lines {
                for c in &mut outage.lines[l.index()].capacity[..n.div_ceil(2)] {
                    *c = 0.0;
                }
            }
        }
    }
    if let Some(line) = outage.lines.first_mut() {
        line.capacity.iter_mut().for_each(|c| *c = 0.0);
    }
    out.push(("outages", outage));
    // Yields: lines and expansions scaled, per facility.
    let mut yields = s.clone();
    for (i, f) in s.facilities.iter().enumerate() {
        let factor = 0.7 + 0.05 * (i % 6) as f64;
        for l in &f.lines {
            yields.lines[l.index()]
                .capacity
                .iter_mut()
                .for_each(|c| *c *= factor);
        }
        for x in &f.expansions {
            yields.expansions[x.index()].capacity *= factor;
        }
    }
    out.push(("yields", yields));
    let mut costs = s.clone();
    for line in &mut costs.lines {
        for p in &mut line.products {
            p.cost = p.cost * 1.5 + 1.0;
        }
    }
    for r in &mut costs.routes {
        r.unit_cost = r.unit_cost * 2.0 + 0.5;
    }
    costs.default_unit_cost = costs.default_unit_cost * 2.0 + 0.5;
    for f in &mut costs.facilities {
        f.holding_cost *= 0.5;
    }
    for d in &mut costs.demands {
        d.penalty *= 1.2;
    }
    for c in &mut costs.contracts {
        c.penalty *= 3.0;
    }
    for x in &mut costs.expansions {
        x.capex *= 0.25;
    }
    out.push(("costs", costs));
    let mut quantities = s.clone();
    for f in &mut quantities.facilities {
        for (_, q) in &mut f.stock {
            *q *= 0.5;
        }
    }
    for c in &mut quantities.contracts {
        for q in &mut c.quantity {
            *q *= 2.0;
        }
    }
    out.push(("stock and contracts", quantities));
    // Everything at once, and commitments dropped to zero.
    let mut all = demand_times(&out[3].1, 1.2);
    all.lines = out[2].1.lines.clone();
    all.expansions = out[3].1.expansions.clone();
    for x in &mut all.expansions {
        x.capacity *= 1.3;
    }
    for c in &mut all.contracts {
        c.quantity.iter_mut().for_each(|q| *q = 0.0);
    }
    out.push(("all at once", all));
    out
}

fn solve(
    worker: &mut Worker<'_, '_>,
    resolver: &Resolver<'_>,
    scenario: &Scenario,
    start: Start<'_>,
) -> (Resolved, Plan) {
    let bounds = match resolver.bounds(Case::Edited(scenario)) {
        Ok(bounds) => bounds,
        Err(error) => panic!("{error}"),
    };
    let resolved = worker.solve_with(&bounds, start);
    let plan = resolved.plan(scenario, &resolved.flows);
    (resolved, plan)
}

#[test]
fn edited_quantities_and_costs_give_the_optimum_of_the_edited_scenario() {
    let options = PlanOptions::default();
    for (name, s) in scenarios() {
        let resolver = Resolver::for_edits(&s);
        let mut worker = resolver
            .worker(&options)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        // The base as an edit of itself is the base.
        let (base, base_plan) = solve(&mut worker, &resolver, &s, Start::None);
        assert!(
            agree(objective(&base_plan), objective(&plan(&s, &options))),
            "{name}: base"
        );
        // The base by its relaxation first, keeping the relaxation's basis
        // for warm re-plans.
        let base_bounds = resolver
            .bounds(Case::Base)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let (warm_base, warm) = worker.solve_base_warm(&base_bounds, Start::None);
        assert!(
            agree(
                warm_base.objective.unwrap_or(f64::NAN),
                objective(&base_plan)
            ),
            "{name}: the base by its relaxation first {:?}",
            warm_base.objective
        );
        let Some(warm) = warm else {
            panic!("{name}: no warm basis");
        };
        for (what, edited) in edits(&s) {
            let cold = plan(&edited, &options);
            for (how, start) in [
                ("no start", Start::None),
                ("baseline start", Start::Baseline(&base)),
                ("greedy start", Start::Greedy(&edited)),
                ("warm basis", Start::Warm(&warm)),
            ] {
                let (r, p) = solve(&mut worker, &resolver, &edited, start);
                assert!(
                    agree(objective(&p), objective(&cold)),
                    "{name}, {what}, {how}: re-solved {} against cold {}",
                    objective(&p),
                    objective(&cold)
                );
                assert!(
                    agree(r.objective.unwrap_or(f64::NAN), objective(&cold)),
                    "{name}, {what}, {how}: the solver's objective {:?} is the plan's",
                    r.objective
                );
                let violations = verify(&edited, &p);
                assert!(violations.is_empty(), "{name}, {what}: {violations:?}");
            }
        }
    }
}

#[test]
fn an_edited_solve_does_not_depend_on_the_solves_before_it() {
    let s = generate(&GenerateOptions {
        size: Size::Small,
        seed: 1,
    });
    assert!(!s.expansions.is_empty(), "a MIP, so that starts matter");
    let options = PlanOptions::default();
    let resolver = Resolver::for_edits(&s);
    let cases = edits(&s);
    let mut worker = resolver.worker(&options).unwrap_or_else(|e| panic!("{e}"));
    let (base, _) = solve(&mut worker, &resolver, &s, Start::None);
    let mut in_sequence = Vec::new();
    for (_, edited) in cases.iter().rev() {
        in_sequence.push(solve(&mut worker, &resolver, edited, Start::Baseline(&base)).0);
    }
    in_sequence.reverse();
    for (i, (what, edited)) in cases.iter().enumerate() {
        let mut fresh = resolver.worker(&options).unwrap_or_else(|e| panic!("{e}"));
        let alone = solve(&mut fresh, &resolver, edited, Start::Baseline(&base)).0;
        assert_eq!(alone.flows, in_sequence[i].flows, "{what}");
        assert_eq!(alone.objective, in_sequence[i].objective, "{what}");
    }
}

#[test]
fn structural_changes_are_refused() {
    let s = fixture("example.toml");
    let resolver = Resolver::for_edits(&s);
    let refused = |edited: &Scenario| match resolver.bounds(Case::Edited(edited)) {
        Err(ResolveError::Structure(what)) => what,
        other => panic!("not refused: {other:?}"),
    };
    assert!(resolver.bounds(Case::Edited(&s)).is_ok());

    let mut delayed = s.clone();
    delayed.default_lead_time += 1;
    assert!(refused(&delayed).contains("lead time"));

    let mut rate = s.clone();
    rate.lines[0].products[0].rate *= 2.0;
    assert!(refused(&rate).contains("line"));

    let mut inputs = s.clone();
    let with_inputs = inputs
        .products
        .iter()
        .position(|p| !p.inputs.is_empty())
        .unwrap_or_else(|| panic!("the fixture has a bill of materials"));
    inputs.products[with_inputs].inputs[0].1 *= 2.0;
    assert!(refused(&inputs).contains("product"));

    let mut gone = s.clone();
    gone.expansions[0].capacity = 0.0;
    assert!(refused(&gone).contains("expansion"));

    let mut window = s.clone();
    window.expansions[0].lead_time += 1;
    assert!(refused(&window).contains("expansion"));

    let mut extra = s.clone();
    let mut demand = extra.demands[0].clone();
    demand.id = "extra".into();
    extra.demands.push(demand);
    assert!(refused(&extra).contains("demands"));

    let mut kind = s.clone();
    kind.demands[0].backlog = !kind.demands[0].backlog;
    assert!(refused(&kind).contains("demand"));

    let mut stocked = s.clone();
    let product = caisson_model::ProductId::new(0);
    let f = stocked
        .facilities
        .iter()
        .position(|f| !f.stock.iter().any(|&(p, _)| p == product))
        .unwrap_or_else(|| panic!("a facility without stock of the first product"));
    stocked.facilities[f].stock.push((product, 1.0));
    assert!(refused(&stocked).contains("facility"));

    // Contracts: same ones, other quantities (an edit), or another one.
    let c = fixture("contract_shortfall.toml");
    let resolver = Resolver::for_edits(&c);
    let mut more = c.clone();
    more.contracts[0].quantity[0] += 5.0;
    more.contracts[0].penalty += 1.0;
    assert!(resolver.bounds(Case::Edited(&more)).is_ok());
    let mut fewer = c.clone();
    fewer.contracts.clear();
    assert!(matches!(
        resolver.bounds(Case::Edited(&fewer)),
        Err(ResolveError::Structure(_))
    ));
}

#[test]
fn a_baseline_start_that_does_not_fit_is_completed_by_highs() {
    // More demand than before: the baseline violates the demand rows, so
    // HiGHS keeps its expansion decisions and completes them; the optimum
    // is unchanged and a start was passed.
    let s = fixture("example.toml");
    let resolver = Resolver::for_edits(&s);
    assert!(resolver.is_mip());
    let options = PlanOptions::default();
    let mut worker = resolver.worker(&options).unwrap_or_else(|e| panic!("{e}"));
    let (base, _) = solve(&mut worker, &resolver, &s, Start::None);
    let more = demand_times(&s, 1.25);
    let (r, p) = solve(&mut worker, &resolver, &more, Start::Baseline(&base));
    assert!(r.started);
    assert!(agree(objective(&p), objective(&plan(&more, &options))));
}

/// A warm re-plan (`Start::Warm`) whose edit changes which expansions pay
/// off: the base's decisions, fixed, do not prove it, the case's own
/// relaxation rounded does (one more warm LP, no MIP run). The base is
/// solved by the MIP and its basis made afterwards (`Worker::warm_basis`).
#[test]
fn a_warm_re_plan_rounds_its_own_relaxation_when_the_base_decisions_do_not_prove_it() {
    // Base (worked in the fixture): 10 due, not worth expanding, 1,000.
    let base_scenario = fixture("relax_fractional.toml");
    // 30 due: the expansion (capex 1,500, 20 more per period) saves 2,000
    // in penalties: 1,500 + 10 lost at 100 = 2,500 (without it: 3,000).
    let mut edited = base_scenario.clone();
    for quantity in edited.demands[0].quantity.iter_mut() {
        *quantity *= 3.0;
    }
    let options = PlanOptions::default();
    let resolver = Resolver::for_edits(&base_scenario);
    let mut worker = resolver.worker(&options).unwrap_or_else(|e| panic!("{e}"));
    let (base, base_plan) = solve(&mut worker, &resolver, &base_scenario, Start::None);
    assert!(agree(objective(&base_plan), 1000.0));
    let Some(warm) = worker.warm_basis(&base) else {
        panic!("the base's bases");
    };
    let (resolved, plan) = solve(&mut worker, &resolver, &edited, Start::Warm(&warm));
    assert!(resolved.warm, "proven by the warm LPs, without a MIP run");
    assert!(agree(objective(&plan), 2500.0), "{}", objective(&plan));
    assert!(agree(
        objective(&plan),
        objective(&caisson_planner::plan(&edited, &options))
    ));
    assert_eq!(plan.expansions.len(), 1);
    assert!(verify(&edited, &plan).is_empty());
}

/// The base of warm re-plans when its relaxation does not prove it: under
/// `relax_first: Never` it is solved by branch and bound from scratch (the
/// relaxation only gives the basis), under `Always` by branch and bound
/// from the rounded plan; a warm re-plan from either reaches the cold
/// optimum.
#[test]
fn the_base_of_warm_re_plans_honours_relax_first_never() {
    let base_scenario = fixture("relax_fractional.toml");
    let mut edited = base_scenario.clone();
    for quantity in edited.demands[0].quantity.iter_mut() {
        *quantity *= 3.0;
    }
    for relax_first in [RelaxFirst::Never, RelaxFirst::Always] {
        let options = PlanOptions {
            relax_first,
            ..PlanOptions::default()
        };
        let resolver = Resolver::for_edits(&base_scenario);
        let mut worker = resolver.worker(&options).unwrap_or_else(|e| panic!("{e}"));
        let bounds = resolver
            .bounds(Case::Base)
            .unwrap_or_else(|e| panic!("{e}"));
        let (base, warm) = worker.solve_base_warm(&bounds, Start::None);
        assert!(
            agree(base.objective.unwrap_or(f64::NAN), 1000.0),
            "{relax_first:?}"
        );
        // This base's relaxation is fractional and its rounding does not
        // prove it: under `Always` the MIP runs from the rounded plan,
        // under `Never` from scratch; neither is proven by LPs alone.
        assert!(!base.warm, "{relax_first:?}");
        assert!(base.mip_gap <= options.mip_gap, "{relax_first:?}");
        let Some(warm) = warm else {
            panic!("{relax_first:?}: the base's basis");
        };
        let (resolved, plan) = solve(&mut worker, &resolver, &edited, Start::Warm(&warm));
        assert!(resolved.warm, "{relax_first:?}");
        assert!(
            agree(objective(&plan), 2500.0),
            "{relax_first:?}: {}",
            objective(&plan)
        );
        assert!(verify(&edited, &plan).is_empty());
    }
}

/// The base of warm re-plans, proven by its LPs, gives the plan a plan on
/// its own gives ([`Resolver::own_plan`]): the same cost, a plan that
/// verifies, the model's figures, and capacity shadow prices only for
/// capacity rows the scenario's own model has, equal to those of the plan
/// on its own (but for one degenerate row, where both are duals).
#[test]
fn the_own_plan_of_a_warm_base_prices_capacity_as_a_plan_on_its_own() {
    let options = PlanOptions::default();
    let mut priced = 0;
    for (name, s) in scenarios() {
        let resolver = Resolver::for_edits(&s);
        let mut worker = resolver
            .worker(&options)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let bounds = resolver
            .bounds(Case::Base)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let (base, _) = worker.solve_base_warm(&bounds, Start::None);
        let own = resolver.own_plan(&base, &s);
        let alone = plan(&s, &options);
        assert!(agree(objective(&own), objective(&alone)), "{name}");
        assert!(verify(&s, &own).is_empty(), "{name}");
        assert!(own.model.is_some(), "{name}: the model's figures");
        if !base.warm {
            // Branch and bound proved it: no LP's duals to give.
            assert!(own.capacity_duals.is_none(), "{name}");
            continue;
        }
        let Some(duals) = &own.capacity_duals else {
            panic!("{name}: proven by its LPs, so priced");
        };
        let Some(alone_duals) = &alone.capacity_duals else {
            panic!("{name}: a plan on its own is priced");
        };
        let n = s.periods();
        for dual in duals {
            let line = &s.lines[dual.line.index()];
            // A row of the scenario's own model: capacity then, or an
            // expansion of the line that could be available.
            let own_row = line.capacity[dual.period] > 0.0
                || s.expansions.iter().any(|e| {
                    e.line == dual.line
                        && e.capacity > 0.0
                        && e.window
                            .is_some_and(|(first, _)| first + (e.lead_time as usize) <= dual.period)
                });
            assert!(own_row && dual.period < n, "{name}: {dual:?}");
            let alone_price = alone_duals
                .iter()
                .find(|d| d.line == dual.line && d.period == dual.period)
                .map_or(0.0, |d| d.shadow_price);
            // Positive, and above HiGHS's dual tolerance (1e-7): round-off
            // is no price, or the two models would each report some of it.
            assert!(dual.shadow_price > 1e-7, "{name}: {dual:?}");
            // `expansion_lead.toml` in its last period is degenerate: the
            // expansion's 10 units exactly meet the 10 due, so any price
            // from 0 (one more unit is not needed) to 3 (one less is lost
            // at penalty 3) is a dual; the two models' LPs pick 2 and 0.
            let degenerate = name == "expansion_lead.toml" && dual.period == 3;
            assert!(
                degenerate
                    || (dual.shadow_price - alone_price).abs()
                        <= 1e-6 * dual.shadow_price.abs().max(1.0),
                "{name}: {dual:?} against {alone_price}"
            );
            priced += 1;
        }
        // And none the plan on its own prices is missing.
        for alone_dual in alone_duals {
            let degenerate = name == "expansion_lead.toml" && alone_dual.period == 3;
            assert!(
                degenerate
                    || duals
                        .iter()
                        .any(|d| d.line == alone_dual.line && d.period == alone_dual.period),
                "{name}: {alone_dual:?} missing"
            );
        }
    }
    assert!(priced > 0, "some capacity is priced");
}
