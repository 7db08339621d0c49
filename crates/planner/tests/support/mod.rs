//! Helpers shared by the greedy and "why short?" tests: fixtures, a writer
//! of small random scenario files, and an independent check that every
//! cause of an explanation holds in the plan.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use caisson_model::{DemandId, FacilityId, LineId, ProductId, Scenario};
use caisson_plan::{Cause, Plan, Quantities, ShortageExplanation};

/// The path of a fixture file.
pub fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Loads a fixture, panicking with the diagnostics when it is invalid.
pub fn fixture(name: &str) -> Scenario {
    match caisson_scenario::load_path(&fixture_path(name)) {
        Ok(loaded) => loaded.scenario,
        Err(error) => panic!("fixture {name} does not load:\n{error}"),
    }
}

/// Every fixture file name, sorted.
pub fn all_fixtures() -> Vec<String> {
    let dir = fixture_path("");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".toml"))
        .collect();
    names.sort();
    names
}

/// Loads scenario text, panicking with the text and diagnostics when invalid.
pub fn load_toml(text: &str, name: &str) -> Scenario {
    match caisson_scenario::load_str(text, name) {
        Ok(loaded) => loaded.scenario,
        Err(error) => panic!("{name} does not load:\n{error}\n{text}"),
    }
}

/// Whether `a` and `b` agree within the plan tolerance (spec section 7).
pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

/// A demand's id.
pub fn demand(s: &Scenario, id: &str) -> DemandId {
    s.demand_id(id).unwrap_or_else(|| panic!("no demand {id}"))
}

/// A facility's id.
pub fn facility(s: &Scenario, id: &str) -> FacilityId {
    s.facility_id(id)
        .unwrap_or_else(|| panic!("no facility {id}"))
}

/// The line `facility/line`.
pub fn line(s: &Scenario, facility_id: &str, line_id: &str) -> LineId {
    let f = facility(s, facility_id);
    s.facilities[f.index()]
        .lines
        .iter()
        .copied()
        .find(|l| s.lines[l.index()].id == line_id)
        .unwrap_or_else(|| panic!("no line {facility_id}/{line_id}"))
}

/// A product's id.
pub fn product(s: &Scenario, id: &str) -> ProductId {
    s.product_id(id)
        .unwrap_or_else(|| panic!("no product {id}"))
}

/// A small deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// A schedule: a constant, or a table of two or three steps.
fn schedule(r: &mut Rng, n: usize, max: usize) -> String {
    if r.chance(50) {
        return r.below(max + 1).to_string();
    }
    let mut steps = Vec::new();
    for t in 0..n {
        if t == 0 || r.chance(35) {
            steps.push(format!("\"2026-{:02}\" = {}", t + 1, r.below(max + 1)));
        }
    }
    format!("{{ {} }}", steps.join(", "))
}

/// A small random scenario file (2-4 actors, 4 products with a two-level
/// bill of materials, 2-4 facilities with shared lines, stock and
/// expansions, routes with lead times, 1-4 demands, contracts and
/// policies) that the loader accepts, deterministic in `seed`.
pub fn random_toml(seed: u64) -> String {
    let mut r = Rng(seed);
    let n = 3 + r.below(4);
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "[scenario]\nname = \"random-{seed}\"\nstart = \"2026-01\"\nperiods = {n}\n\
         default_lead_time = {}\ndefault_unit_cost = {}\n",
        r.below(2),
        r.below(4)
    );
    let actors = 2 + r.below(3);
    for a in 0..actors {
        let blocs = if a == 0 || r.chance(40) {
            "[\"west\"]"
        } else {
            "[]"
        };
        let belligerent = r.chance(35);
        let _ = writeln!(
            w,
            "[[actor]]\nid = \"A{a}\"\nblocs = {blocs}\nbelligerent = {belligerent}\n"
        );
    }
    let _ = writeln!(w, "[[product]]\nid = \"P0\"\n");
    let _ = writeln!(
        w,
        "[[product]]\nid = \"P1\"\ninputs = {{ P0 = {} }}\n",
        1 + r.below(2)
    );
    let extra = if r.chance(50) { ", P0 = 1" } else { "" };
    let _ = writeln!(
        w,
        "[[product]]\nid = \"P2\"\ninputs = {{ P1 = 1{extra} }}\n"
    );
    let _ = writeln!(w, "[[product]]\nid = \"P3\"\n");
    let facilities = 2 + r.below(3);
    for f in 0..facilities {
        let mut stock = Vec::new();
        for p in 0..4 {
            if r.chance(30) {
                stock.push(format!("P{p} = {}", r.below(41)));
            }
        }
        let _ = writeln!(
            w,
            "[[facility]]\nid = \"F{f}\"\nactor = \"A{}\"\nholding_cost = {}\nstock = {{ {} }}\n",
            r.below(actors),
            if r.chance(50) { r.below(3) } else { 0 },
            stock.join(", ")
        );
        let lines = r.below(3);
        for l in 0..lines {
            let first = r.below(4);
            let mut made = vec![first];
            if r.chance(40) {
                made.push((first + 1 + r.below(3)) % 4);
            }
            let products: Vec<String> = made
                .iter()
                .map(|p| {
                    format!(
                        "P{p} = {{ rate = {}, cost = {} }}",
                        1 + r.below(2),
                        r.below(11)
                    )
                })
                .collect();
            let _ = writeln!(
                w,
                "[[facility.line]]\nid = \"L{l}\"\ncapacity = {}\nproducts = {{ {} }}\n",
                schedule(&mut r, n, 30),
                products.join(", ")
            );
        }
        if lines > 0 && r.chance(30) {
            let _ = writeln!(
                w,
                "[[facility.expansion]]\nid = \"E{f}\"\nline = \"L0\"\ncapacity = {}\n\
                 lead_time = {}\ncapex = {}\ninteger = {}\n",
                5 + r.below(16),
                r.below(3),
                r.below(301),
                r.chance(60)
            );
        }
    }
    for from in 0..actors {
        for to in 0..actors {
            if r.chance(30) {
                let _ = writeln!(
                    w,
                    "[[route]]\nfrom = \"A{from}\"\nto = \"A{to}\"\nlead_time = {}\nunit_cost = {}\n",
                    r.below(3),
                    r.below(6)
                );
            }
        }
    }
    let demands = 1 + r.below(4);
    let mut contracts = Vec::new();
    for d in 0..demands {
        let buyer = r.below(actors);
        let end_user = if r.chance(30) { r.below(actors) } else { buyer };
        let p = r.below(4);
        let _ = writeln!(
            w,
            "[[demand]]\nid = \"D{d}\"\nbuyer = \"A{buyer}\"\nend_user = \"A{end_user}\"\n\
             product = \"P{p}\"\nquantity = {}\npenalty = {}\nbacklog = {}\n",
            schedule(&mut r, n, 20),
            1 + r.below(200),
            r.chance(60)
        );
        if r.chance(30) {
            let key = (r.below(facilities), buyer, p);
            if !contracts.contains(&key) {
                contracts.push(key);
            }
        }
    }
    for (c, &(f, buyer, p)) in contracts.iter().enumerate() {
        let _ = writeln!(
            w,
            "[[contract]]\nid = \"C{c}\"\nfacility = \"F{f}\"\nbuyer = \"A{buyer}\"\n\
             product = \"P{p}\"\nquantity = {}\npenalty = {}\nprice = 10\n",
            schedule(&mut r, n, 10),
            r.below(51)
        );
    }
    let selectors = |r: &mut Rng| -> String {
        let mut list = Vec::new();
        if r.chance(50) {
            list.push("\"belligerent\"".to_owned());
        }
        if r.chance(40) {
            list.push(format!("\"A{}\"", r.below(actors)));
        }
        if r.chance(10) {
            list.push("\"west\"".to_owned());
        }
        format!("[{}]", list.join(", "))
    };
    for k in 0..r.below(3) {
        let scope = if r.chance(40) {
            "west".to_owned()
        } else {
            format!("A{}", r.below(actors))
        };
        let (export, import, end_use) = (selectors(&mut r), selectors(&mut r), selectors(&mut r));
        let _ = writeln!(
            w,
            "[[policy]]\nid = \"pol{k}\"\nscope = \"{scope}\"\ndeny_export = {export}\n\
             deny_import = {import}\ndeny_end_use = {end_use}\n"
        );
    }
    out
}

/// Per (line, period), capacity units used and capacity with expansions.
fn usage(s: &Scenario, plan: &Plan) -> (Vec<f64>, Vec<f64>) {
    let n = s.periods();
    let mut used = vec![0.0; s.lines.len() * n];
    for r in &plan.production {
        let rate = s.lines[r.line.index()]
            .products
            .iter()
            .find(|lp| lp.product == r.product)
            .map_or(f64::NAN, |lp| lp.rate);
        used[r.line.index() * n + r.period] += rate * r.quantity;
    }
    let mut cap: Vec<f64> = s.lines.iter().flat_map(|l| l.capacity.clone()).collect();
    for r in &plan.expansions {
        let e = &s.expansions[r.expansion.index()];
        for t in r.available.min(n)..n {
            cap[e.line.index() * n + t] += e.capacity * r.fraction;
        }
    }
    (used, cap)
}

/// End-of-period stock of `p` at `f` in `t`, from the plan's records.
fn stock(plan: &Plan, f: FacilityId, p: ProductId, t: usize) -> f64 {
    plan.stock
        .iter()
        .filter(|r| r.facility == f && r.product == p && r.period == t)
        .map(|r| r.quantity)
        .sum()
}

/// The most stock of `p` at `f` in any of `periods`.
fn most_held(plan: &Plan, f: FacilityId, p: ProductId, periods: &[usize]) -> f64 {
    periods
        .iter()
        .map(|&t| stock(plan, f, p, t))
        .fold(0.0, f64::max)
}

/// Backlog plus lost of demand `d` in period `t`, from the plan's records.
fn short(plan: &Plan, d: DemandId, t: usize) -> f64 {
    plan.demand
        .iter()
        .filter(|r| r.demand == d && r.period == t)
        .map(|r| r.backlog + r.lost)
        .sum()
}

/// Checks that the explanations cover exactly the short demands and that
/// every cause is true of the plan, recomputing each from the records and
/// the compliance rules. Returns what does not hold.
pub fn check_explanations(
    s: &Scenario,
    plan: &Plan,
    explanations: &[ShortageExplanation],
) -> Vec<String> {
    let n = s.periods();
    let mut problems = Vec::new();
    let explained: Vec<DemandId> = explanations.iter().map(|e| e.demand).collect();
    for d in (0..s.demands.len()).map(DemandId::new) {
        let is_short = (0..n).any(|t| short(plan, d, t) > 1e-6);
        if is_short != explained.contains(&d) {
            problems.push(format!(
                "demand {} short {is_short} but explained {}",
                s.demands[d.index()].id,
                !is_short
            ));
        }
    }
    let (used, cap) = usage(s, plan);
    for e in explanations {
        let d = e.demand;
        let dem = &s.demands[d.index()];
        let span = e.short_periods;
        let short_periods: Vec<usize> = (0..n).filter(|&t| short(plan, d, t) > 1e-6).collect();
        if short_periods.first() != Some(&span.first)
            || short_periods.last() != Some(&span.last)
            || short_periods.len() != span.count
        {
            problems.push(format!(
                "{}: short periods {short_periods:?}, explanation {span:?}",
                dem.id
            ));
        }
        let kpi = plan
            .kpis
            .demands
            .iter()
            .find(|k| k.demand == d)
            .map_or(f64::NAN, |k| k.shortage);
        if !close(kpi, span.total_shortage) {
            problems.push(format!(
                "{}: total shortage {} but KPI {kpi}",
                dem.id, span.total_shortage
            ));
        }
        for cause in &e.causes {
            if let Err(why) = check_cause(s, plan, d, &short_periods, cause, &used, &cap) {
                problems.push(format!("{}: {} ({cause:?})", dem.id, why));
            }
            if cause.describe(s, Quantities::Exact).is_empty() {
                problems.push(format!("{}: empty description", dem.id));
            }
        }
    }
    problems
}

fn check_cause(
    s: &Scenario,
    plan: &Plan,
    d: DemandId,
    short_periods: &[usize],
    cause: &Cause,
    used: &[f64],
    cap: &[f64],
) -> Result<(), String> {
    let n = s.periods();
    let dem = &s.demands[d.index()];
    let lead = |f: FacilityId| s.route(s.facilities[f.index()].actor, dem.buyer).0 as usize;
    let verdict = |f: FacilityId| caisson_compliance::shipment(s, f, d);
    let holders: Vec<FacilityId> = plan
        .compliance
        .iter()
        .filter(|r| r.demand == d)
        .map(|r| r.facility)
        .collect();
    let ensure = |ok: bool, what: &str| if ok { Ok(()) } else { Err(what.to_owned()) };
    match cause {
        Cause::NoSource {
            product,
            denied_holders,
        } => {
            ensure(*product == dem.product, "wrong product")?;
            ensure(
                holders.iter().all(|&f| !verdict(f).is_allowed()),
                "an allowed holder exists",
            )?;
            ensure(
                holders.len() == *denied_holders,
                "wrong count of denied holders",
            )
        }
        Cause::LeadTime {
            facility,
            product,
            lead_time,
            periods,
            every_source,
            spare,
        } => {
            ensure(*product == dem.product, "wrong product")?;
            ensure(
                holders.contains(facility) && verdict(*facility).is_allowed(),
                "not an allowed source",
            )?;
            ensure(lead(*facility) == *lead_time, "wrong lead time")?;
            ensure(
                !periods.is_empty()
                    && periods
                        .iter()
                        .all(|t| t < lead_time && short_periods.contains(t)),
                "a period is reachable or not short",
            )?;
            if *every_source {
                let reachable = holders
                    .iter()
                    .any(|&f| verdict(f).is_allowed() && lead(f) < *lead_time);
                ensure(!reachable, "a faster allowed source exists")?;
            }
            let held = periods
                .iter()
                .map(|&t| stock(plan, *facility, *product, t))
                .fold(0.0, f64::max);
            ensure(close(held, spare.stock), "wrong spare stock")
        }
        Cause::CapacityBound {
            line,
            periods,
            used: sum_used,
            capacity,
            shadow_price,
            product,
        } => {
            let l = &s.lines[line.index()];
            ensure(
                l.products.iter().any(|lp| lp.product == *product),
                "the line does not make the product",
            )?;
            ensure(!periods.is_empty(), "no periods")?;
            for &t in periods {
                let (u, c) = (used[line.index() * n + t], cap[line.index() * n + t]);
                ensure(
                    u >= c - 1e-6 * c.max(1.0),
                    &format!("line not full in period {t}: {u} of {c}"),
                )?;
            }
            let u: f64 = periods.iter().map(|&t| used[line.index() * n + t]).sum();
            let c: f64 = periods.iter().map(|&t| cap[line.index() * n + t]).sum();
            ensure(close(u, *sum_used) && close(c, *capacity), "wrong sums")?;
            let expected = plan.capacity_duals.as_ref().map(|duals| {
                duals
                    .iter()
                    .filter(|x| x.line == *line && periods.contains(&x.period))
                    .map(|x| x.shadow_price)
                    .fold(0.0, f64::max)
            });
            match (expected, shadow_price) {
                (None, None) => Ok(()),
                (Some(a), Some(b)) if close(a, *b) => Ok(()),
                _ => Err(format!(
                    "shadow price {shadow_price:?}, duals give {expected:?}"
                )),
            }
        }
        Cause::Denied {
            facility,
            product,
            verdict: v,
            spare,
        } => {
            ensure(*product == dem.product, "wrong product")?;
            ensure(
                holders.contains(facility),
                "the facility does not hold the product",
            )?;
            ensure(*v == verdict(*facility) && !v.is_allowed(), "wrong verdict")?;
            let reason = v.reason(s);
            let denial = v.denial().ok_or("no denial")?;
            ensure(
                reason.contains(&s.policies[denial.policy.index()].id)
                    && reason.contains(denial.list.field_name()),
                "reason names no policy and list",
            )?;
            let held = most_held(plan, *facility, *product, short_periods);
            ensure(close(held, spare.stock), "wrong spare stock")
        }
        Cause::RouteClosed {
            facility,
            product,
            buyer,
            window,
            spare,
        } => {
            ensure(*product == dem.product, "wrong product")?;
            ensure(*buyer == dem.buyer, "wrong buyer")?;
            ensure(verdict(*facility).is_allowed(), "a policy denies it")?;
            let from = s.facilities[facility.index()].actor;
            ensure(
                s.route_window(from, *buyer) == Some(*window),
                "not the route's window",
            )?;
            let lead = s.route(from, *buyer).0 as usize;
            ensure(
                short_periods
                    .iter()
                    .any(|&t| t >= lead && !window.contains(t - lead)),
                "the route is open in every departure period",
            )?;
            let held = most_held(plan, *facility, *product, short_periods);
            ensure(close(held, spare.stock), "wrong spare stock")
        }
        Cause::InputShortage {
            facility,
            line,
            product,
            input,
            periods,
        } => {
            let l = &s.lines[line.index()];
            ensure(l.facility == *facility, "the line is elsewhere")?;
            ensure(
                l.products.iter().any(|lp| lp.product == *product),
                "the line does not make the product",
            )?;
            ensure(
                s.products[product.index()]
                    .inputs
                    .iter()
                    .any(|(i, _)| i == input),
                "not an input",
            )?;
            ensure(!periods.is_empty(), "no periods")?;
            for &t in periods {
                ensure(
                    stock(plan, *facility, *input, t) <= 1e-6,
                    &format!("input in stock in period {t}"),
                )?;
                let (u, c) = (used[line.index() * n + t], cap[line.index() * n + t]);
                ensure(
                    u < c - 1e-6 * c.max(1.0),
                    &format!("line full in period {t}"),
                )?;
            }
            Ok(())
        }
        Cause::SpareUnshipped {
            facility,
            product,
            periods,
            stock: most,
        } => {
            ensure(*product == dem.product, "wrong product")?;
            ensure(
                holders.contains(facility) && verdict(*facility).is_allowed(),
                "not an allowed source",
            )?;
            ensure(!periods.is_empty(), "no periods")?;
            for &t in periods {
                ensure(
                    stock(plan, *facility, *product, t) > 1e-6,
                    &format!("no stock in period {t}"),
                )?;
                ensure(
                    short_periods.contains(&(t + lead(*facility))),
                    "would not arrive in a short period",
                )?;
            }
            let held = periods
                .iter()
                .map(|&t| stock(plan, *facility, *product, t))
                .fold(0.0, f64::max);
            ensure(close(held, *most), "wrong stock")
        }
    }
}
