//! Re-solving one built model by bound changes ([`Resolver`]) against
//! planning each edited scenario from scratch: same optimum, whatever was
//! solved before on the same HiGHS instance.
//!
//! The edits are those of `risk`: an actor exporting nothing (a policy
//! denying all its exports, its foreign contracts dropped) and a policy
//! lifted. Facility losses are checked in `caisson-analysis`, which owns the
//! scenario edit they are compared with.

mod support;

use caisson_generate::{generate, GenerateOptions, Size};
use caisson_model::{ActorId, Party, Policy, Scenario, Selector};
use caisson_plan::{verify, Plan};
use caisson_planner::{plan, Case, PlanOptions, ResolveError, Resolved, Resolver, Start};
use support::{all_fixtures, fixture};

/// Relative tolerance of an objective at the default MIP gap (1e-6) plus
/// round-off.
fn agree(a: f64, b: f64) -> bool {
    (a - b).abs() <= 2e-6 * a.abs().max(b.abs()).max(1.0)
}

fn objective(plan: &Plan) -> f64 {
    plan.objective.unwrap_or(f64::NAN)
}

/// The scenario in which `actor` exports nothing, built here independently
/// of `caisson-analysis`'s `whatif`.
fn without_exporter(s: &Scenario, actor: ActorId) -> Scenario {
    let mut edited = s.clone();
    edited.policies.push(Policy {
        id: "test:lost".into(),
        name: "lost".into(),
        scope: Party::Actor(actor),
        deny_export: vec![Selector::All],
        deny_import: Vec::new(),
        deny_end_use: Vec::new(),
        window: None,
    });
    edited
        .contracts
        .retain(|c| s.facilities[c.facility.index()].actor != actor || c.buyer == actor);
    edited
}

/// Every edit `risk` makes of `s` that is a variant of the same entities.
fn variants(s: &Scenario) -> Vec<(String, Scenario)> {
    let mut out = Vec::new();
    let mut actors: Vec<ActorId> = s.facilities.iter().map(|f| f.actor).collect();
    actors.sort();
    actors.dedup();
    for a in actors {
        out.push((
            format!("without exports of {}", s.actors[a.index()].id),
            without_exporter(s, a),
        ));
    }
    for (p, policy) in s.policies.iter().enumerate() {
        let mut edited = s.clone();
        edited.policies.remove(p);
        out.push((format!("without policy {}", policy.id), edited));
    }
    out
}

fn scenarios() -> Vec<(String, Scenario)> {
    let mut all: Vec<(String, Scenario)> = all_fixtures()
        .into_iter()
        .map(|name| {
            let s = fixture(&name);
            (name, s)
        })
        .collect();
    for seed in 0..3 {
        all.push((
            format!("generated small seed {seed}"),
            generate(&GenerateOptions {
                size: Size::Small,
                seed,
            }),
        ));
    }
    all
}

/// Solves `case` on `worker` and derives the plan of `scenario`.
fn resolve_plan(
    worker: &mut caisson_planner::Worker<'_, '_>,
    resolver: &Resolver<'_>,
    case: Case<'_>,
    scenario: &Scenario,
    start: Option<&Resolved>,
) -> (Resolved, Plan) {
    let bounds = match resolver.bounds(case) {
        Ok(bounds) => bounds,
        Err(error) => panic!("{error}"),
    };
    let resolved = worker.solve(&bounds, start);
    let plan = resolved.plan(scenario, &resolved.flows);
    (resolved, plan)
}

#[test]
fn bound_changes_give_the_optimum_of_the_edited_scenario() {
    let options = PlanOptions::default();
    for (name, s) in scenarios() {
        let resolver = Resolver::new(&s);
        let mut worker = match resolver.worker(&options) {
            Ok(worker) => worker,
            Err(error) => panic!("{name}: {error}"),
        };
        let cold_base = plan(&s, &options);
        let (base, base_plan) = resolve_plan(&mut worker, &resolver, Case::Base, &s, None);
        assert!(
            agree(objective(&base_plan), objective(&cold_base)),
            "{name}: base {} against cold {}",
            objective(&base_plan),
            objective(&cold_base)
        );
        assert!(
            agree(base.objective.unwrap_or(f64::NAN), objective(&cold_base)),
            "{name}: the solver's objective is the plan's"
        );
        assert!(verify(&s, &base_plan).is_empty(), "{name}: base verifies");
        // Warm re-plans from the base's relaxation basis: an exporter lost
        // closes columns (the dual simplex), a policy lifted only opens
        // them (the basis stays primal feasible: the primal simplex).
        let base_bounds = resolver
            .bounds(Case::Base)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let (_, warm) = worker.solve_base_warm(&base_bounds, Start::None);
        let Some(warm) = warm else {
            panic!("{name}: no warm basis");
        };

        for (what, edited) in variants(&s) {
            let cold = plan(&edited, &options);
            let bounds = resolver
                .bounds(Case::Variant(&edited))
                .unwrap_or_else(|e| panic!("{name}, {what}: {e}"));
            for (how, start) in [
                ("no start", Start::None),
                ("baseline start", Start::Baseline(&base)),
                ("warm basis", Start::Warm(&warm)),
            ] {
                let resolved = worker.solve_with(&bounds, start);
                let p = resolved.plan(&edited, &resolved.flows);
                assert!(
                    agree(objective(&p), objective(&cold)),
                    "{name}, {what}, {how}: re-solved {} against cold {}",
                    objective(&p),
                    objective(&cold)
                );
                let violations = verify(&edited, &p);
                assert!(violations.is_empty(), "{name}, {what}: {violations:?}");
            }
        }

        // Back to the base bounds after every variant: the very same
        // solution as the first solve (HiGHS keeps nothing between solves).
        let (again, _) = resolve_plan(&mut worker, &resolver, Case::Base, &s, None);
        assert_eq!(again.flows, base.flows, "{name}: reset restores the base");
        assert_eq!(again.objective, base.objective, "{name}");
    }
}

#[test]
fn a_solve_does_not_depend_on_the_solves_before_it() {
    let s = generate(&GenerateOptions {
        size: Size::Small,
        seed: 1,
    });
    let options = PlanOptions::default();
    let resolver = Resolver::new(&s);
    let cases = variants(&s);
    let fresh = |i: usize, start: Option<&Resolved>| {
        let mut worker = resolver.worker(&options).unwrap_or_else(|e| panic!("{e}"));
        resolve_plan(
            &mut worker,
            &resolver,
            Case::Variant(&cases[i].1),
            &cases[i].1,
            start,
        )
        .0
    };
    let mut worker = resolver.worker(&options).unwrap_or_else(|e| panic!("{e}"));
    let (base, _) = resolve_plan(&mut worker, &resolver, Case::Base, &s, None);
    // Solve every case in reverse order on one worker, and the first and
    // last on fresh workers: equal flows, bit for bit.
    let mut in_sequence = Vec::new();
    for (what, edited) in cases.iter().rev() {
        let (r, _) = resolve_plan(
            &mut worker,
            &resolver,
            Case::Variant(edited),
            edited,
            Some(&base),
        );
        in_sequence.push((what.clone(), r));
    }
    in_sequence.reverse();
    for i in [0, cases.len() - 1] {
        let alone = fresh(i, Some(&base));
        assert_eq!(alone.flows, in_sequence[i].1.flows, "{}", in_sequence[i].0);
        assert_eq!(alone.objective, in_sequence[i].1.objective);
    }
}

#[test]
fn a_warm_start_is_used_when_the_baseline_fits() {
    // Lifting a policy only opens flows: the baseline solution is feasible
    // as it is, so HiGHS gets it as a start.
    let s = fixture("example.toml");
    assert!(!s.policies.is_empty());
    let resolver = Resolver::new(&s);
    assert!(resolver.is_mip(), "the fixture has integer expansions");
    let options = PlanOptions::default();
    let mut worker = resolver.worker(&options).unwrap_or_else(|e| panic!("{e}"));
    let (base, _) = resolve_plan(&mut worker, &resolver, Case::Base, &s, None);
    let mut lifted = s.clone();
    lifted.policies.clear();
    let (r, _) = resolve_plan(
        &mut worker,
        &resolver,
        Case::Variant(&lifted),
        &lifted,
        Some(&base),
    );
    assert!(r.started, "the baseline solution was passed as a start");
}

#[test]
fn variants_that_are_not_bound_changes_are_refused() {
    let s = fixture("contract_shortfall.toml");
    let resolver = Resolver::new(&s);

    let mut more_demand = s.clone();
    more_demand.demands[0].quantity[0] += 1.0;
    assert_eq!(
        resolver.bounds(Case::Variant(&more_demand)),
        Err(ResolveError::NotBoundsOnly)
    );

    let mut new_contract = s.clone();
    let mut contract = new_contract.contracts[0].clone();
    contract.id = "brand-new".into();
    new_contract.contracts.push(contract);
    assert_eq!(
        resolver.bounds(Case::Variant(&new_contract)),
        Err(ResolveError::NewContract("brand-new".into()))
    );

    let mut changed_contract = s.clone();
    changed_contract.contracts[0].penalty += 1.0;
    assert_eq!(
        resolver.bounds(Case::Variant(&changed_contract)),
        Err(ResolveError::NotBoundsOnly)
    );

    let missing = caisson_model::FacilityId::new(s.facilities.len());
    assert_eq!(
        resolver.bounds(Case::WithoutFacility(missing)),
        Err(ResolveError::NoFacility(s.facilities.len()))
    );

    // Dropping a contract is a bound change.
    let mut dropped = s.clone();
    dropped.contracts.clear();
    assert!(resolver.bounds(Case::Variant(&dropped)).is_ok());
}

/// A policy lifted, re-planned warm: its LP with the base's decisions
/// fixed runs beside its relaxation (on a copy of the instance) when the
/// solve may use two threads, and after it on one. The same LP from the
/// same basis: the same plan either way.
#[test]
fn a_lifted_policy_re_plans_the_same_beside_its_relaxation_and_after_it() {
    let replan = |threads: Option<u32>| {
        // On a thread of its own: HiGHS's thread pool, once started on a
        // thread, keeps its size there.
        std::thread::scope(|scope| {
            scope
                .spawn(move || {
                    let options = PlanOptions {
                        threads,
                        ..PlanOptions::default()
                    };
                    let mut out = Vec::new();
                    for (name, s) in scenarios() {
                        let resolver = Resolver::new(&s);
                        let mut worker = resolver
                            .worker(&options)
                            .unwrap_or_else(|e| panic!("{name}: {e}"));
                        let base_bounds = resolver
                            .bounds(Case::Base)
                            .unwrap_or_else(|e| panic!("{name}: {e}"));
                        let (_, warm) = worker.solve_base_warm(&base_bounds, Start::None);
                        let Some(warm) = warm else {
                            continue;
                        };
                        for (what, edited) in variants(&s) {
                            if !what.starts_with("without policy") {
                                continue;
                            }
                            let bounds = resolver
                                .bounds(Case::Variant(&edited))
                                .unwrap_or_else(|e| panic!("{name}, {what}: {e}"));
                            let resolved = worker.solve_with(&bounds, Start::Warm(&warm));
                            out.push((
                                format!("{name}, {what}"),
                                resolved.objective,
                                resolved.flows,
                            ));
                        }
                    }
                    out
                })
                .join()
                .expect("the re-plans ran")
        })
    };
    let (beside, after) = (replan(None), replan(Some(1)));
    assert!(!beside.is_empty(), "some scenario has a policy to lift");
    assert_eq!(beside.len(), after.len());
    for (a, b) in beside.iter().zip(&after) {
        assert_eq!(a, b, "{}", a.0);
    }
}
