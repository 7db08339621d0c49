use caisson_model::{ActorId, Distribution, Scenario, UncertaintyKind};
use caisson_planner::PlanOptions;

use super::draw::{apply, sample, stream};
use super::*;

/// One plant (capacity 10 per period) in AAA shipping to a buyer in BBB
/// one period away; demand 8 per period for 4 periods.
const TINY: &str = r#"
[scenario]
name = "tiny"
start = "2026-01"
periods = 4
default_lead_time = 1

[[actor]]
id = "AAA"
[[actor]]
id = "BBB"

[[product]]
id = "shell"

[[facility]]
id = "plant"
actor = "AAA"
[[facility.line]]
id = "l"
capacity = 10
products = { shell = { cost = 1 } }

[[demand]]
id = "front"
buyer = "BBB"
product = "shell"
quantity = 8
penalty = 100
"#;

/// A lognormal demand surge on every demand and a 20% chance of a one- or
/// two-period outage of every plant.
const SURGE_AND_FIRE: &str = r#"
[[uncertainty]]
id = "surge"
kind = "demand"
demands = "*"
distribution = "lognormal"
median = 1
sigma = 0.4
[[uncertainty]]
id = "fire"
kind = "outage"
facilities = "*"
probability = 0.2
duration = [1, 2]
"#;

fn tiny(uncertainty: &str) -> Scenario {
    caisson_scenario::load_str(&format!("{TINY}{uncertainty}"), "tiny.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario
}

fn options(samples: u64, seed: u64) -> SimulateOptions {
    SimulateOptions {
        samples,
        seed,
        plan: PlanOptions::default(),
        ..SimulateOptions::default()
    }
}

#[test]
fn streams_depend_only_on_seed_sample_and_entry() {
    let d = Distribution::Uniform { min: 0.0, max: 1.0 };
    let draws = |seed, s, e| {
        let mut rng = stream(seed, s, e);
        (0..4).map(|_| sample(&d, &mut rng)).collect::<Vec<f64>>()
    };
    assert_eq!(draws(7, 3, 1), draws(7, 3, 1));
    assert_ne!(draws(7, 3, 1), draws(8, 3, 1));
    assert_ne!(draws(7, 3, 1), draws(7, 4, 1));
    assert_ne!(draws(7, 3, 1), draws(7, 3, 2));
}

/// Mean of 20,000 draws, which is within 2% of the distribution's mean
/// for these (moderate) spreads.
fn mean_of(d: Distribution) -> f64 {
    let mut rng = stream(42, 0, 0);
    let n = 20_000;
    (0..n).map(|_| sample(&d, &mut rng)).sum::<f64>() / n as f64
}

#[test]
fn sample_means_match_the_distributions() {
    for d in [
        Distribution::Lognormal {
            median: 1.0,
            sigma: 0.3,
        },
        Distribution::Lognormal {
            median: 50.0,
            sigma: 0.1,
        },
        Distribution::Triangular {
            min: 0.5,
            mode: 0.9,
            max: 1.6,
        },
        Distribution::Uniform { min: 0.8, max: 1.2 },
    ] {
        let (got, want) = (mean_of(d), d.mean());
        assert!(
            (got - want).abs() <= 0.02 * want,
            "{d:?}: sample mean {got}, expected {want}"
        );
    }
}

#[test]
fn draws_stay_within_bounds() {
    let d = Distribution::Triangular {
        min: 0.5,
        mode: 0.9,
        max: 1.6,
    };
    let mut rng = stream(1, 2, 3);
    for _ in 0..5_000 {
        let x = sample(&d, &mut rng);
        assert!((0.5..=1.6).contains(&x), "{x}");
    }
}

#[test]
fn degenerate_distributions_give_their_value_exactly() {
    let mut rng = stream(1, 1, 1);
    for (d, v) in [
        (
            Distribution::Lognormal {
                median: 1.3,
                sigma: 0.0,
            },
            1.3,
        ),
        (
            Distribution::Triangular {
                min: 0.7,
                mode: 0.7,
                max: 0.7,
            },
            0.7,
        ),
        (Distribution::Uniform { min: 2.5, max: 2.5 }, 2.5),
    ] {
        assert_eq!(sample(&d, &mut rng), v);
    }
}

#[test]
fn zero_uncertainty_leaves_the_scenario_unchanged() {
    let base = tiny(
        r#"
[[uncertainty]]
id = "flat"
kind = "demand"
demands = "*"
distribution = "lognormal"
median = 1
sigma = 0
[[uncertainty]]
id = "never"
kind = "outage"
facilities = "*"
probability = 0
duration = 2
[[uncertainty]]
id = "no-delay"
kind = "delay"
probability = 0
extra = 3
"#,
    );
    let (world, drawn) = apply(&base, 9, 5).expect("finite");
    let mut expected = base.clone();
    expected.uncertainty.clear();
    assert_eq!(world, expected);
    assert_eq!(drawn.outage_periods, 0);
    assert_eq!(drawn.delayed_pairs, 0);
}

#[test]
fn certain_outage_delay_and_multiplier_edit_the_copy() {
    let base = tiny(
        r#"
[[uncertainty]]
id = "double"
kind = "demand"
demands = ["front"]
distribution = "uniform"
min = 2
max = 2
[[uncertainty]]
id = "fire"
kind = "outage"
actor = "AAA"
probability = 1
duration = 3
[[uncertainty]]
id = "half"
kind = "yield"
facilities = "*"
distribution = "triangular"
min = 0.5
mode = 0.5
max = 0.5
[[uncertainty]]
id = "strike"
kind = "delay"
from = "AAA"
to = "BBB"
extra = 2
"#,
    );
    let (world, drawn) = apply(&base, 0, 0).expect("finite");
    assert_eq!(world.demands[0].quantity, vec![16.0; 4]);
    // Down from period 0 for 3 periods, then (probability 1) down again
    // from period 3 to the end of the horizon; the yield halves zeros.
    assert_eq!(world.lines[0].capacity, vec![0.0; 4]);
    assert_eq!(drawn.outage_periods, 4);
    // The default lead time 1 became an explicit route of 1 + 2.
    assert_eq!(world.route(ActorId::new(0), ActorId::new(1)), (3, 0.0));
    assert_eq!(drawn.delayed_pairs, 1);
}

#[test]
fn zero_uncertainty_samples_equal_the_deterministic_plan() {
    let base = tiny(
        "[[uncertainty]]\nid = \"flat\"\nkind = \"demand\"\ndemands = \"*\"\ndistribution = \"uniform\"\nmin = 1\nmax = 1\n",
    );
    let plan = crate::solve_one_thread(&base, &PlanOptions::default());
    let k = &plan.kpis.demands[0];
    let sim = simulate(&base, &options(5, 3), &|| {}).expect("simulates");
    assert_eq!(sim.solved, 5);
    for s in &sim.samples {
        assert_eq!(s.objective, plan.objective);
        assert_eq!(s.shortage, k.shortage);
        assert_eq!(s.fill_rate, k.fill_rate);
    }
    let d = &sim.demands[0];
    assert_eq!(
        d.shortage.as_ref().and_then(|p| p.at(0.5)),
        Some(k.shortage)
    );
    // Capacity 10 against 8 per period, one period in transit: period 0's
    // need waits one period, so 30 of 32 units arrive in the horizon.
    assert_eq!(k.delivered, 30.0);
}

#[test]
fn a_plant_always_down_delivers_nothing() {
    let base = tiny(
        "[[uncertainty]]\nid = \"down\"\nkind = \"outage\"\nfacilities = [\"plant\"]\nprobability = 1\nduration = 4\n",
    );
    let sim = simulate(&base, &options(3, 0), &|| {}).expect("simulates");
    let d = &sim.demands[0];
    // Backlog 8, 16, 24, 32 unit-periods.
    assert_eq!(
        d.shortage.as_ref().map(|p| (p.min, p.max)),
        Some((80.0, 80.0))
    );
    assert_eq!(d.fill_rate.as_ref().map(|p| p.max), Some(0.0));
    assert_eq!(d.below_threshold, Some(1.0));
    // The fan of (BBB, shell) is the backlog over time in every quantile.
    assert_eq!(sim.series.len(), 1);
    assert_eq!(sim.series[0].name, "shortage BBB shell");
    for row in &sim.series[0].values {
        assert_eq!(row, &vec![8.0, 16.0, 24.0, 32.0]);
    }
}

#[test]
fn same_seed_same_numbers_whatever_the_thread_count() {
    let base = tiny(SURGE_AND_FIRE);
    let run = |threads: usize, seed: u64| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        pool.install(|| simulate(&base, &options(12, seed), &|| {}).expect("simulates"))
    };
    let one = run(1, 11);
    assert_eq!(one, run(2, 11));
    assert_eq!(one.to_csv().ok(), run(3, 11).to_csv().ok());
    assert_ne!(one.samples, run(2, 12).samples, "another seed, other draws");
    // The demand really varies across samples.
    let required = one.demands[0].required.as_ref().expect("required");
    assert!(required.min < required.max, "{required:?}");
}

#[test]
fn chunks_computed_apart_summarise_to_the_same_bytes() {
    let base = tiny(SURGE_AND_FIRE);
    let options = options(10, 5);
    let whole = serde_json::to_string(&simulate(&base, &options, &|| {}).expect("simulates"))
        .expect("JSON");
    // Three chunks, stored as JSON and read back, given out of order.
    let chunk = |samples: std::ops::Range<u64>| {
        let computed = simulate_chunk(&base, &options, samples, &|| {}).expect("a chunk");
        let text = serde_json::to_string(&computed).expect("JSON");
        serde_json::from_str::<SampleChunk>(&text).expect("reads back")
    };
    let chunks = vec![chunk(7..10), chunk(0..3), chunk(3..7)];
    let merged = summarise_chunks(&base, &options, chunks.clone()).expect("merges");
    assert_eq!(serde_json::to_string(&merged).expect("JSON"), whole);
    assert_eq!(
        merged.to_csv().ok(),
        simulate(&base, &options, &|| {})
            .expect("simulates")
            .to_csv()
            .ok()
    );
    // A missing or doubled chunk is refused, not summarised.
    assert!(matches!(
        summarise_chunks(&base, &options, chunks[..2].to_vec()),
        Err(SimulateError::IncompleteChunks { expected: 10 })
    ));
    let mut doubled = chunks.clone();
    doubled.push(chunks[1].clone());
    assert!(summarise_chunks(&base, &options, doubled).is_err());
}

#[test]
fn bad_options_are_refused() {
    let base = tiny("");
    let run = |o: SimulateOptions| simulate(&base, &o, &|| {}).err();
    assert_eq!(run(options(0, 0)), Some(SimulateError::NoSamples));
    let mut o = options(1, 0);
    o.quantiles = vec![0.5, 0.05];
    assert!(matches!(run(o), Some(SimulateError::BadQuantiles(_))));
    let mut o = options(1, 0);
    o.threshold = 1.5;
    assert_eq!(run(o), Some(SimulateError::BadThreshold(1.5)));
}

#[test]
fn csv_has_one_row_per_sample_and_demand() {
    let base = tiny("");
    let sim = simulate(&base, &options(2, 0), &|| {}).expect("simulates");
    let csv = sim.to_csv().expect("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 2);
    assert!(lines[0].starts_with("sample,status,objective,demand,"));
    assert!(lines[1].starts_with("0,optimal,"), "{}", lines[1]);
    assert!(lines[2].starts_with("1,optimal,"), "{}", lines[2]);
}

#[test]
fn removing_a_facility_keeps_uncertainty_targets_valid() {
    let base = tiny(
        r#"
[[facility]]
id = "second"
actor = "AAA"
[[facility.line]]
id = "l"
capacity = 5
products = { shell = {} }
[[uncertainty]]
id = "fire"
kind = "outage"
facilities = ["plant", "second"]
probability = 0.5
duration = 1
"#,
    );
    let edited = crate::whatif::without_facility(&base, caisson_model::FacilityId::new(0));
    let UncertaintyKind::FacilityOutage { facilities, .. } = &edited.uncertainty[0].kind else {
        panic!("not an outage");
    };
    assert_eq!(
        facilities,
        &caisson_model::Targets::Only(vec![caisson_model::FacilityId::new(0)])
    );
    assert_eq!(edited.facilities[0].id, "second");
}

// ----- political switches (docs/uncertainty.md) --------------------------

/// AAA stops exporting to BBB from February (probability 1, window of one
/// period): only January's production can leave.
const TURN_AWAY: &str = r#"
[[uncertainty]]
id = "turn"
kind = "political"
probability = 1
since = "2026-02"
until = "2026-02"
exporter = "AAA"
stops_exporting_to = ["BBB"]
"#;

#[test]
fn a_yearly_hazard_becomes_a_per_period_chance() {
    use caisson_model::{PeriodKind, SwitchTiming, Window};
    let year = Window { start: 0, end: 12 };
    let switched = |timing, kind, samples: u64| {
        (0..samples)
            .filter(|&i| draw::switch_period(timing, year, kind, &mut stream(5, i, 0)).is_some())
            .count() as f64
            / samples as f64
    };
    // Twelve months of a yearly hazard 0.5 switch with chance 0.5.
    let share = switched(SwitchTiming::Hazard(0.5), PeriodKind::Month, 4000);
    assert!((share - 0.5).abs() < 0.03, "{share}");
    // ... and twelve quarters (three years) with chance 1 - 0.5^3.
    let share = switched(SwitchTiming::Hazard(0.5), PeriodKind::Quarter, 4000);
    assert!((share - 0.875).abs() < 0.03, "{share}");
    assert_eq!(
        switched(SwitchTiming::Hazard(0.0), PeriodKind::Month, 500),
        0.0
    );
    assert_eq!(
        switched(SwitchTiming::Chance(0.0), PeriodKind::Month, 500),
        0.0
    );
    assert_eq!(
        switched(SwitchTiming::Chance(1.0), PeriodKind::Month, 500),
        1.0
    );
    // Hazard 1 switches at the window's first period.
    let at = draw::switch_period(
        SwitchTiming::Hazard(1.0),
        Window { start: 3, end: 12 },
        PeriodKind::Month,
        &mut stream(1, 2, 3),
    );
    assert_eq!(at, Some(3));
}

#[test]
fn political_draws_are_reproducible_and_never_or_always_switch_at_the_extremes() {
    let always = tiny(TURN_AWAY);
    let never = tiny(&TURN_AWAY.replace("probability = 1", "hazard = 0"));
    for sample in 0..50 {
        let (a, drawn) = apply(&always, 9, sample).expect("draws");
        assert_eq!(drawn.switches, 1);
        let added = a.policies.last().expect("the switch's policy");
        assert_eq!(added.id, "political:turn");
        assert_eq!(
            added.window,
            Some(caisson_model::Window { start: 1, end: 4 })
        );
        assert_eq!(apply(&always, 9, sample).expect("draws").0, a, "same draws");
        let (n, drawn) = apply(&never, 9, sample).expect("draws");
        assert_eq!(drawn.switches, 0);
        assert!(n.policies.is_empty());
    }
}

#[test]
fn one_entry_switches_all_its_effects_together() {
    let base = tiny(
        r#"
[[policy]]
id = "old"
scope = "AAA"
deny_export = ["BBB"]
[[uncertainty]]
id = "both"
kind = "political"
probability = 0.5
end_policies = ["old"]
close_routes = ["AAA->BBB"]
"#,
    );
    let (mut on, mut off) = (0, 0);
    for sample in 0..200 {
        let (s, _) = apply(&base, 3, sample).expect("draws");
        let ended = s.policies[0].window.is_some();
        let closed = s.routes.iter().any(|r| r.window.is_some());
        assert_eq!(
            ended, closed,
            "sample {sample}: the effects switch together"
        );
        if ended {
            // The same period for both.
            let policy_end = s.policies[0].window.map(|w| w.end);
            let route_end = s.routes[0].window.map(|w| w.end);
            assert!(policy_end == route_end || route_end == Some(4), "{s:?}");
            on += 1;
        } else {
            off += 1;
        }
    }
    assert!(on > 50 && off > 50, "{on} switched, {off} did not");
}

#[test]
fn a_switch_creates_the_hand_checked_shortage_and_without_political_removes_it() {
    // With the switch: only January's 10 units leave (arriving in February):
    // backlog 8, 6, 14, 22 = 50 unit-periods, fill rate 10/32. Without it:
    // 10 units arrive in each of February..April: 8, 6, 4, 2 = 20, fill
    // rate 30/32.
    let base = tiny(TURN_AWAY);
    let with = simulate(&base, &options(4, 1), &|| {}).expect("simulates");
    let d = &with.demands[0];
    assert_eq!(
        d.shortage.as_ref().map(|p| (p.min, p.max)),
        Some((50.0, 50.0))
    );
    assert_eq!(d.below_threshold, Some(1.0));
    assert_eq!(with.sources[0].kind, "political");
    let without = simulate(
        &base,
        &SimulateOptions {
            draws: Draws::WithoutPolitical,
            ..options(4, 1)
        },
        &|| {},
    )
    .expect("simulates");
    let d = &without.demands[0];
    assert_eq!(
        d.shortage.as_ref().map(|p| (p.min, p.max)),
        Some((20.0, 20.0))
    );
    assert_eq!(d.below_threshold, Some(0.0));
}

#[test]
fn political_simulations_are_the_same_whatever_the_thread_count() {
    let base = tiny(&format!(
        "{SURGE_AND_FIRE}{}",
        TURN_AWAY
            .replace("probability = 1", "hazard = 0.9")
            .replace("until = \"2026-02\"", "until = \"2026-04\"")
    ));
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool");
        pool.install(|| simulate(&base, &options(10, 4), &|| {}).expect("simulates"))
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one.to_csv().ok(), run(3).to_csv().ok());
}

/// "Serbia turns away" in small: one draw ends AAA's old policy, bans its
/// exports to the EU and ends its contracts with EU members, all from the
/// same period; its contract with a non-member stays.
#[test]
fn an_exporter_turning_away_bans_its_exports_and_ends_its_contracts_together() {
    let base = tiny(
        r#"
[[actor]]
id = "CCC"
blocs = ["EU"]

[[demand]]
id = "eu-need"
buyer = "CCC"
product = "shell"
quantity = 1
penalty = 100

[[contract]]
id = "to-eu"
facility = "plant"
buyer = "CCC"
product = "shell"
quantity = 2
penalty = 5

[[contract]]
id = "to-bbb"
facility = "plant"
buyer = "BBB"
product = "shell"
quantity = 3
penalty = 5

[[policy]]
id = "old"
scope = "AAA"
deny_export = ["BBB"]

[[uncertainty]]
id = "aaa-turns-away"
kind = "political"
probability = 1.0
since = "2026-03"
until = "2026-03"
exporter = "AAA"
stops_exporting_to = ["EU"]
end_policies = ["old"]
"#,
    );
    let (s, drawn) = apply(&base, 5, 0).expect("draws");
    assert_eq!(drawn.switches, 1);
    let window = |id: &str| {
        s.policies
            .iter()
            .find(|p| p.id == id)
            .unwrap_or_else(|| panic!("policy {id}"))
            .window
    };
    // The switch period is 2026-03 (index 2), the only one of its window.
    assert_eq!(
        window("old"),
        Some(caisson_model::Window { start: 0, end: 2 })
    );
    assert_eq!(
        window("political:aaa-turns-away"),
        Some(caisson_model::Window { start: 2, end: 4 })
    );
    let quantity = |id: &str| {
        s.contracts
            .iter()
            .find(|c| c.id == id)
            .unwrap_or_else(|| panic!("contract {id}"))
            .quantity
            .clone()
    };
    assert_eq!(quantity("to-eu"), vec![2.0, 2.0, 0.0, 0.0]);
    assert_eq!(quantity("to-bbb"), vec![3.0; 4]);
    // The ban judges departures: CCC may be served before the switch only.
    let plant = caisson_model::FacilityId::new(0);
    let eu = s
        .demands
        .iter()
        .position(|d| d.id == "eu-need")
        .map(caisson_model::DemandId::new)
        .expect("demand");
    let open: Vec<bool> = (0..4)
        .map(|t| caisson_compliance::shipment_at(&s, plant, eu, t).is_allowed())
        .collect();
    assert_eq!(open, [true, true, false, false]);
}
