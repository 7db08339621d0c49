//! Time windows of policies and routes (`docs/windows.md`): hand-solved
//! cases (a policy starting mid-horizon, a shipment leaving before the window
//! and arriving inside it, a route closing mid-horizon) and properties (a
//! window over the whole horizon plans like no window; a window holding only
//! a period in which nothing can depart plans like no policy at all).

mod support;

use caisson_model::{Route, Scenario, Window};
use caisson_plan::{verify, Plan, PlanStatus};
use caisson_planner::{plan, PlanOptions};
use proptest::prelude::*;
use support::{close, load_toml};

/// Exporter E (plant `fe`, 10 units in stock) and buyer B, which needs 2
/// units in each of 4 months (penalty 100 per unit-period, backlog); the
/// route E -> B has lead time `lead` and costs 1 per unit. `extra` adds
/// TOML (a policy, a route window).
fn world(lead: u32, route_extra: &str, extra: &str) -> Scenario {
    let text = format!(
        r#"
[scenario]
name = "windows"
start = "2025-01"
periods = 4

[[actor]]
id = "E"

[[actor]]
id = "B"

[[product]]
id = "shell"

[[facility]]
id = "fe"
actor = "E"
stock = {{ shell = 10 }}

[[route]]
from = "E"
to = "B"
lead_time = {lead}
unit_cost = 1
{route_extra}

[[demand]]
id = "need"
buyer = "B"
product = "shell"
quantity = 2
penalty = 100
backlog = false
{extra}
"#
    );
    load_toml(&text, "windows")
}

fn solve(s: &Scenario) -> Plan {
    let p = plan(s, &PlanOptions::default());
    assert_eq!(p.status, PlanStatus::Optimal, "{:?}", p.message);
    let violations = verify(s, &p);
    assert!(violations.is_empty(), "{violations:?}");
    p
}

/// Units shipped per departure period.
fn departures(s: &Scenario, p: &Plan) -> Vec<f64> {
    let mut out = vec![0.0; s.periods()];
    for r in &p.shipments {
        out[r.period] += r.quantity;
    }
    out
}

const EMBARGO_FROM_MARCH: &str = r#"
[[policy]]
id = "embargo"
scope = "E"
deny_export = ["B"]
from = "2025-03"
"#;

#[test]
fn a_policy_starting_mid_horizon_denies_departures_from_its_first_period_on() {
    let s = world(0, "", EMBARGO_FROM_MARCH);
    let p = solve(&s);
    // Lead time 0: January and February are served (2 units each, cost 1
    // each); March and April are lost (2 x 100 each).
    assert_eq!(departures(&s, &p), vec![2.0, 2.0, 0.0, 0.0]);
    assert!(close(p.objective.unwrap_or(f64::NAN), 4.0 + 400.0));
    // The record says "not allowed throughout" and names the open periods.
    let record = &caisson_plan::PlanDocument::new(&s, &p).compliance[0];
    assert!(!record.allowed);
    assert!(
        record.reason.contains("embargo") && record.reason.ends_with("2025-01..2025-02 only"),
        "{}",
        record.reason
    );
}

#[test]
fn a_shipment_leaving_before_the_window_is_allowed_though_it_arrives_inside_it() {
    // Lead time 1: what leaves in January arrives in February, what leaves
    // in February arrives in March, inside the embargo: allowed, since a
    // shipment is judged in its departure period. Nothing may leave in March
    // (embargo) and nothing leaving in April could arrive.
    let s = world(1, "", EMBARGO_FROM_MARCH);
    let p = solve(&s);
    assert_eq!(departures(&s, &p), vec![2.0, 2.0, 0.0, 0.0]);
    let arrivals: Vec<usize> = p.shipments.iter().map(|r| r.arrival).collect();
    assert!(
        arrivals.contains(&2),
        "the February departure arrives in March"
    );
    // Demand in January (nothing can arrive) and April lost: 400; shipping 4.
    assert!(close(p.objective.unwrap_or(f64::NAN), 404.0));
    // A shipment leaving inside the window is refused by verify.
    let mut bad = p.clone();
    bad.shipments[0].period = 2;
    bad.shipments[0].arrival = 3;
    let violations = verify(&s, &bad);
    assert!(
        violations.iter().any(|v| v.constraint == "compliance"),
        "{violations:?}"
    );
}

#[test]
fn a_route_closing_mid_horizon_carries_nothing_after_it_closes() {
    let s = world(0, r#"until = "2025-02""#, "");
    let p = solve(&s);
    assert_eq!(departures(&s, &p), vec![2.0, 2.0, 0.0, 0.0]);
    assert!(close(p.objective.unwrap_or(f64::NAN), 404.0));
    // Without the window every month is served.
    let open = world(0, "", "");
    assert!(close(solve(&open).objective.unwrap_or(f64::NAN), 8.0));
    // "Why short?" names the closed route (its window), not the stock the
    // plant kept: it could not send it.
    let why = caisson_plan::explain_shortages(&s, &p);
    assert_eq!(why.len(), 1);
    assert!(
        why[0]
            .causes
            .iter()
            .any(|c| matches!(c, caisson_plan::Cause::RouteClosed { .. })),
        "{:?}",
        why[0].causes
    );
    assert!(
        !why[0]
            .causes
            .iter()
            .any(|c| matches!(c, caisson_plan::Cause::SpareUnshipped { .. })),
        "{:?}",
        why[0].causes
    );
    let text: Vec<String> = why[0]
        .causes
        .iter()
        .map(|c| c.describe(&s, caisson_plan::Quantities::Whole))
        .collect();
    let text = text.join("\n");
    assert!(
        text.contains("route E -> B is open for departures in 2025-01..2025-02 only"),
        "{text}"
    );
    assert!(support::check_explanations(&s, &p, &why).is_empty());
    // The document records it as a denial that no policy decides.
    let document = caisson_plan::PlanDocument::new(&s, &p);
    let row = serde_json::to_value(&document.explanations).expect("serialises");
    let causes = row[0]["causes"].as_array().expect("causes");
    assert!(
        causes
            .iter()
            .any(|c| c["kind"] == "denied" && c["policy"].is_null()),
        "{causes:?}"
    );
}

#[test]
fn a_policy_bound_nowhere_in_the_horizon_changes_nothing() {
    // Written for 2030: wholly after the horizon, it binds in no period.
    let s = world(
        0,
        "",
        &EMBARGO_FROM_MARCH.replace(r#"from = "2025-03""#, r#"from = "2030-01""#),
    );
    let p = solve(&s);
    assert!(close(p.objective.unwrap_or(f64::NAN), 8.0));
    assert!(caisson_plan::PlanDocument::new(&s, &p).compliance[0].allowed);
}

#[test]
fn a_window_over_the_whole_horizon_plans_like_no_window() {
    let windowed = world(
        0,
        r#"since = "2025-01""#,
        &EMBARGO_FROM_MARCH.replace(
            r#"from = "2025-03""#,
            "from = \"2025-01\"\nuntil = \"2025-04\"",
        ),
    );
    let plain = world(
        0,
        "",
        &EMBARGO_FROM_MARCH.replace(r#"from = "2025-03""#, ""),
    );
    let (a, b) = (solve(&windowed), solve(&plain));
    assert_eq!(a.objective, b.objective);
    assert_eq!(a.shipments, b.shipments);
}

// ----- properties over random scenarios --------------------------------

fn random(seed: u64) -> Scenario {
    load_toml(&support::random_toml(seed), "random")
}

/// Every lead time at least 1 (default, routes, and a route of lead 1 from
/// each actor to itself), so that nothing can depart in the last period.
fn slow(mut s: Scenario) -> Scenario {
    s.default_lead_time = s.default_lead_time.max(1);
    for r in &mut s.routes {
        r.lead_time = r.lead_time.max(1);
    }
    for a in 0..s.actors.len() {
        let a = caisson_model::ActorId::new(a);
        if !s.routes.iter().any(|r| r.from == a && r.to == a) {
            s.routes.push(Route {
                from: a,
                to: a,
                lead_time: 1,
                unit_cost: 0.0,
                window: None,
            });
        }
    }
    s
}

fn same_plan(a: &Plan, b: &Plan) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.status, b.status);
    let (x, y) = (a.objective.unwrap_or(0.0), b.objective.unwrap_or(0.0));
    prop_assert!(close(x, y), "objectives {} and {}", x, y);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// A policy bound over the whole horizon is today's static policy: the
    /// same model, so the same optimum and the same plan.
    #[test]
    fn a_whole_horizon_window_equals_no_window(seed in any::<u64>()) {
        let s = random(seed);
        let mut windowed = s.clone();
        let n = s.periods();
        for p in &mut windowed.policies {
            p.window = Some(Window { start: 0, end: n });
        }
        let (a, b) = (plan(&s, &PlanOptions::default()), plan(&windowed, &PlanOptions::default()));
        same_plan(&a, &b)?;
        prop_assert_eq!(&a.shipments, &b.shipments);
        prop_assert!(verify(&windowed, &b).is_empty());
    }

    /// A policy bound nowhere in the horizon (its window wholly outside
    /// it) changes nothing: the plan is that of the scenario without it.
    #[test]
    fn a_policy_bound_nowhere_equals_no_policy(seed in any::<u64>()) {
        let s = random(seed);
        let n = s.periods();
        let mut windowed = s.clone();
        for p in &mut windowed.policies {
            p.window = Some(Window { start: n, end: n });
        }
        let mut removed = s.clone();
        removed.policies.clear();
        let (a, b) = (plan(&windowed, &PlanOptions::default()), plan(&removed, &PlanOptions::default()));
        same_plan(&a, &b)?;
        prop_assert_eq!(&a.shipments, &b.shipments);
        prop_assert!(verify(&windowed, &a).is_empty());
    }

    /// With every lead time at least 1 nothing departs in the last period,
    /// so policies binding only then deny nothing: the plan is that of the
    /// scenario without them.
    #[test]
    fn a_window_where_nothing_can_depart_equals_no_policy(seed in any::<u64>()) {
        let s = slow(random(seed));
        let n = s.periods();
        let mut windowed = s.clone();
        for p in &mut windowed.policies {
            p.window = Some(Window { start: n - 1, end: n });
        }
        let mut removed = s.clone();
        removed.policies.clear();
        let (a, b) = (plan(&windowed, &PlanOptions::default()), plan(&removed, &PlanOptions::default()));
        same_plan(&a, &b)?;
        prop_assert!(verify(&windowed, &a).is_empty());
    }

    /// Policies binding in the first half of the horizon only: the plan
    /// obeys the verdicts of each departure period (verify), and costs no
    /// less than with no policy and no more than with the policies throughout.
    #[test]
    fn half_horizon_windows_lie_between_none_and_always(seed in any::<u64>()) {
        let s = random(seed);
        let n = s.periods();
        let mut windowed = s.clone();
        for p in &mut windowed.policies {
            p.window = Some(Window { start: 0, end: n.div_ceil(2) });
        }
        let mut removed = s.clone();
        removed.policies.clear();
        let o = PlanOptions::default();
        let (w, always, none) = (plan(&windowed, &o), plan(&s, &o), plan(&removed, &o));
        prop_assert!(verify(&windowed, &w).is_empty(), "{:?}", verify(&windowed, &w));
        let obj = |p: &Plan| p.objective.unwrap_or(f64::NAN);
        prop_assert!(obj(&none) <= obj(&w) + 1e-6 * obj(&w).abs().max(1.0));
        prop_assert!(obj(&w) <= obj(&always) + 1e-6 * obj(&always).abs().max(1.0));
    }
}
