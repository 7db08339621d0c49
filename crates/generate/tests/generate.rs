//! Generated scenarios: deterministic, valid, sized as asked, interesting.

use std::collections::HashSet;

use caisson_compliance::ComplianceMatrix;
use caisson_generate::{generate, GenerateOptions, Shape, Size};
use caisson_model::{ActorId, DemandId, FacilityId, Held, Party, Scenario, Selector};

fn small(seed: u64) -> Scenario {
    generate(&GenerateOptions {
        size: Size::Small,
        seed,
    })
}

/// Every invariant the model documents and the spec's section 7 asks of a
/// loaded scenario, checked directly on the model.
fn assert_valid(s: &Scenario) {
    let n = s.periods();
    let unique = |ids: Vec<&str>, kind: &str| {
        let set: HashSet<&str> = ids.iter().copied().collect();
        assert_eq!(set.len(), ids.len(), "duplicate {kind} id");
        for id in ids {
            assert!(
                !id.is_empty()
                    && id
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_.:-".contains(c)),
                "bad {kind} id {id:?}"
            );
            assert!(id != "belligerent" && id != "*");
        }
    };
    unique(s.actors.iter().map(|a| a.id.as_str()).collect(), "actor");
    unique(s.blocs.iter().map(|b| b.id.as_str()).collect(), "bloc");
    unique(
        s.products.iter().map(|p| p.id.as_str()).collect(),
        "product",
    );
    unique(
        s.facilities.iter().map(|f| f.id.as_str()).collect(),
        "facility",
    );
    unique(
        s.expansions.iter().map(|e| e.id.as_str()).collect(),
        "expansion",
    );
    unique(s.demands.iter().map(|d| d.id.as_str()).collect(), "demand");
    unique(
        s.contracts.iter().map(|c| c.id.as_str()).collect(),
        "contract",
    );
    unique(s.policies.iter().map(|p| p.id.as_str()).collect(), "policy");
    for b in &s.blocs {
        assert!(s.actor_id(&b.id).is_none(), "bloc {} is an actor id", b.id);
        let members: Vec<ActorId> = (0..s.actors.len())
            .map(ActorId::new)
            .filter(|a| {
                s.actors[a.index()]
                    .blocs
                    .iter()
                    .any(|&x| s.blocs[x.index()].id == b.id)
            })
            .collect();
        assert_eq!(b.members, members);
        assert!(!members.is_empty());
    }
    // Blocs in order of first mention.
    let mut mentioned = Vec::new();
    for a in &s.actors {
        for &b in &a.blocs {
            if !mentioned.contains(&b.index()) {
                mentioned.push(b.index());
            }
        }
    }
    assert_eq!(mentioned, (0..s.blocs.len()).collect::<Vec<_>>());
    // Acyclic: every input comes earlier in the product list.
    for (p, product) in s.products.iter().enumerate() {
        for &(input, q) in &product.inputs {
            assert!(input.index() < p && q > 0.0 && q.is_finite());
        }
        let inputs: HashSet<_> = product.inputs.iter().map(|x| x.0).collect();
        assert_eq!(inputs.len(), product.inputs.len());
    }
    let schedule = |v: &[f64]| v.len() == n && v.iter().all(|x| x.is_finite() && *x >= 0.0);
    let mut line = 0;
    let mut expansion = 0;
    for (f, facility) in s.facilities.iter().enumerate() {
        assert!(facility.holding_cost >= 0.0);
        for &l in &facility.lines {
            assert_eq!(l.index(), line, "lines grouped by facility");
            line += 1;
            let l = &s.lines[l.index()];
            assert_eq!(l.facility.index(), f);
            assert!(schedule(&l.capacity));
            assert!(!l.products.is_empty());
            for lp in &l.products {
                assert!(lp.rate > 0.0 && lp.cost >= 0.0);
            }
        }
        let line_ids: HashSet<_> = facility
            .lines
            .iter()
            .map(|&l| &s.lines[l.index()].id)
            .collect();
        assert_eq!(line_ids.len(), facility.lines.len());
        for &e in &facility.expansions {
            assert_eq!(e.index(), expansion, "expansions grouped by facility");
            expansion += 1;
            let e = &s.expansions[e.index()];
            assert_eq!(e.facility.index(), f);
            assert!(facility.lines.contains(&e.line));
            assert!(e.capacity >= 0.0 && e.capex >= 0.0);
            let (a, b) = e.window.expect("window inside the horizon");
            assert!(a <= b && b < n);
        }
        for &(_, q) in &facility.stock {
            assert!(q >= 0.0 && q.is_finite());
        }
    }
    assert_eq!(line, s.lines.len());
    assert_eq!(expansion, s.expansions.len());
    let routes: HashSet<_> = s.routes.iter().map(|r| (r.from, r.to)).collect();
    assert_eq!(routes.len(), s.routes.len());
    for r in &s.routes {
        assert!(r.unit_cost >= 0.0);
    }
    for d in &s.demands {
        assert!(schedule(&d.quantity) && d.penalty > 0.0);
    }
    let mut keys = HashSet::new();
    for c in &s.contracts {
        assert!(keys.insert((c.facility, c.buyer, c.product)));
        assert!(schedule(&c.quantity) && c.penalty >= 0.0 && c.price >= 0.0);
        assert!(
            s.demands
                .iter()
                .any(|d| d.buyer == c.buyer && d.product == c.product),
            "contract {} has no demand",
            c.id
        );
    }
    for p in &s.policies {
        if let Party::Bloc(b) = p.scope {
            assert!(b.index() < s.blocs.len());
        }
        for sel in p
            .deny_export
            .iter()
            .chain(&p.deny_import)
            .chain(&p.deny_end_use)
        {
            if let Selector::Actor(a) = sel {
                assert!(a.index() < s.actors.len());
            }
        }
    }
}

/// Meaningful shipment pairs (the facility holds the product): how many
/// are denied, and whether every demand has an allowed supplier.
fn compliance_summary(s: &Scenario) -> (usize, bool) {
    let held = Held::new(s);
    let m = ComplianceMatrix::new(s);
    let mut denied = 0;
    let mut all_served = true;
    for d in (0..s.demands.len()).map(DemandId::new) {
        let mut served = false;
        for f in (0..s.facilities.len()).map(FacilityId::new) {
            if held.is_made(f, s.demands[d.index()].product) {
                if m.shipment(f, d).is_allowed() {
                    served = true;
                } else {
                    denied += 1;
                }
            }
        }
        all_served &= served;
    }
    (denied, all_served)
}

#[test]
fn same_seed_same_scenario_other_seed_other_scenario() {
    assert_eq!(small(3), small(3));
    assert_ne!(small(3), small(4));
    let medium = |seed| {
        generate(&GenerateOptions {
            size: Size::Medium,
            seed,
        })
    };
    assert_eq!(medium(11), medium(11));
}

#[test]
fn preset_sizes_are_respected() {
    for size in [Size::Small, Size::Medium, Size::Large, Size::Xl] {
        let s = generate(&GenerateOptions { size, seed: 1 });
        let shape = size.shape();
        assert_eq!(s.facilities.len(), shape.facilities, "{size}");
        assert_eq!(s.products.len(), shape.products, "{size}");
        assert_eq!(s.demands.len(), shape.demands, "{size}");
        assert_eq!(s.periods(), shape.periods, "{size}");
    }
    let xl = Size::Xl.shape();
    assert!(xl.facilities >= 500 && xl.products >= 30 && xl.demands >= 100 && xl.periods >= 120);
}

#[test]
fn custom_shapes_sweep_and_clamp() {
    for (facilities, periods) in [(10, 12), (60, 240), (3, 1)] {
        let shape = Shape {
            facilities,
            products: 9,
            demands: 7,
            periods,
        };
        let s = generate(&GenerateOptions {
            size: Size::Custom(shape),
            seed: 5,
        });
        assert_eq!(
            (s.facilities.len(), s.periods(), s.demands.len()),
            (facilities, periods, 7)
        );
        assert_valid(&s);
    }
    let tiny = Size::Custom(Shape {
        facilities: 0,
        products: 0,
        demands: 0,
        periods: 0,
    });
    let s = generate(&GenerateOptions {
        size: tiny,
        seed: 0,
    });
    assert_eq!(
        (
            s.facilities.len(),
            s.products.len(),
            s.demands.len(),
            s.periods()
        ),
        (3, 3, 1, 1)
    );
    assert_valid(&s);
}

#[test]
fn generated_scenarios_are_valid_and_interesting() {
    for size in [Size::Small, Size::Medium, Size::Large] {
        for seed in 0..if size == Size::Small { 40 } else { 4 } {
            let s = generate(&GenerateOptions { size, seed });
            assert_valid(&s);
            let (denied, all_served) = compliance_summary(&s);
            assert!(denied > 0, "{size} seed {seed}: no denial");
            assert!(all_served, "{size} seed {seed}: a demand nobody may serve");
            assert!(s.demands.iter().any(|d| d.backlog) || s.demands.len() < 4);
            assert!(
                s.demands.iter().any(|d| d.end_user != d.buyer),
                "a re-transfer"
            );
            assert!(s.actors.iter().any(|a| a.belligerent));
            assert!(!s.expansions.is_empty() && !s.contracts.is_empty());
            assert!(
                s.lines.iter().any(|l| l.products.len() > 1),
                "a multi-product line"
            );
            assert!(
                s.products.iter().any(|p| p
                    .inputs
                    .iter()
                    .any(|&(i, _)| !s.products[i.index()].inputs.is_empty())),
                "two BOM levels"
            );
        }
    }
}

#[test]
fn larger_sizes_have_fractional_expansions_and_lead_times() {
    let s = generate(&GenerateOptions {
        size: Size::Medium,
        seed: 2,
    });
    assert!(s.expansions.iter().any(|e| !e.integer));
    assert!(s.expansions.iter().any(|e| e.integer));
    assert!(s.routes.iter().any(|r| r.lead_time > 0));
    assert!(s.demands.iter().any(|d| !d.backlog));
    assert!(s
        .policies
        .iter()
        .any(|p| p.deny_end_use.contains(&Selector::Belligerent)
            || p.deny_export.contains(&Selector::Belligerent)));
}

#[test]
fn xl_is_generated_quickly_enough_for_benchmarks() {
    let start = std::time::Instant::now();
    let s = generate(&GenerateOptions {
        size: Size::Xl,
        seed: 9,
    });
    assert_valid(&s);
    assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
}

#[test]
fn compliance_paths_agree_on_generated_scenarios() {
    // The fast path, the cached matrix and the explanation trace must give
    // the same verdict for every pair; generated policies use every kind of
    // selector and rule.
    for seed in 0..5 {
        let s = generate(&GenerateOptions {
            size: Size::Medium,
            seed,
        });
        let m = ComplianceMatrix::new(&s);
        for f in (0..s.facilities.len()).map(FacilityId::new) {
            for d in (0..s.demands.len()).map(DemandId::new) {
                let fast = caisson_compliance::shipment(&s, f, d);
                assert_eq!(m.shipment(f, d), fast);
                assert_eq!(
                    caisson_compliance::explain_shipment(&s, f, d, true)
                        .trace
                        .verdict,
                    fast
                );
            }
            for h in (0..s.facilities.len()).map(FacilityId::new) {
                let fast = caisson_compliance::transfer(&s, f, h);
                assert_eq!(m.transfer(f, h), fast);
                assert_eq!(
                    caisson_compliance::explain_transfer(&s, f, h).trace.verdict,
                    fast
                );
            }
        }
    }
}
