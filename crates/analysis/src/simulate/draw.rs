//! Drawing one sample: a random stream per (seed, sample, entry) and the
//! scenario edits the draws make.
//!
//! Each uncertainty entry of each sample gets its own generator, seeded from
//! the run's seed, the sample's index and the entry's index alone: a sample
//! is the same whichever thread draws it and in whatever order, and adding
//! an entry does not change what the others draw.

use caisson_model::{
    ActorId, Distribution as Dist, FacilityId, Party, PeriodKind, PeriodRange, Policy,
    PoliticalEffect, Route, Scenario, SwitchTiming, Targets, UncertaintyKind, Window,
};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, LogNormal, Triangular};

/// The SplitMix64 finaliser: a bijective mix of 64 bits, so that nearby
/// (seed, sample, entry) triples give unrelated generator seeds.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator of one entry in one sample.
pub(crate) fn stream(seed: u64, sample: u64, entry: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(mix(mix(mix(seed) ^ sample) ^ entry))
}

/// One draw of a distribution. Degenerate distributions (sigma 0,
/// min = max) give their value exactly, so that "no uncertainty" leaves
/// every number of the scenario bit for bit as it was.
pub(crate) fn sample(distribution: &Dist, rng: &mut Xoshiro256PlusPlus) -> f64 {
    match *distribution {
        Dist::Lognormal { median, sigma } => {
            if sigma == 0.0 {
                return median;
            }
            match LogNormal::new(median.ln(), sigma) {
                Ok(d) => d.sample(rng),
                // Unreachable for validated parameters (median > 0,
                // sigma >= 0, both finite); the median is the safe answer.
                Err(_) => median,
            }
        }
        Dist::Triangular { min, mode, max } => {
            if min == max {
                return min;
            }
            match Triangular::new(min, max, mode) {
                Ok(d) => d.sample(rng),
                Err(_) => mode,
            }
        }
        Dist::Uniform { min, max } => {
            if min == max {
                return min;
            }
            rng.random_range(min..=max)
        }
    }
}

fn periods(range: PeriodRange, rng: &mut Xoshiro256PlusPlus) -> u32 {
    if range.min == range.max {
        range.min
    } else {
        rng.random_range(range.min..=range.max)
    }
}

/// What one sample drew, summarised for the per-sample output.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Drawn {
    /// Facility-periods of outage.
    pub outage_periods: usize,
    /// Actor pairs whose lead time grew.
    pub delayed_pairs: usize,
    /// Political entries that switched in this sample.
    pub switches: usize,
    /// Whether the sample drew some political entry (the scenario has one
    /// and the run draws them).
    pub political: bool,
}

/// Which entries a sample draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Draws {
    /// Every entry.
    #[default]
    All,
    /// Every entry but the political switches (the scenario's policies and
    /// routes as written): `simulate --without-political`.
    WithoutPolitical,
}

/// A scenario edit failed: a draw made a number that is not finite.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NotFinite {
    /// Index of the uncertainty entry.
    pub entry: usize,
}

/// Applies every uncertainty entry of `base` for sample `sample` and
/// returns the edited copy (its `uncertainty` emptied: it is one world).
/// Every entry is drawn, political switches included (`recommend
/// --samples` plans its samples so).
pub(crate) fn apply(
    base: &Scenario,
    seed: u64,
    sample: u64,
) -> Result<(Scenario, Drawn), NotFinite> {
    apply_with(base, seed, sample, Draws::All)
}

/// [`apply`], drawing the entries `draws` selects. A skipped entry's
/// stream is never used, so the others draw exactly what they would have.
pub(crate) fn apply_with(
    base: &Scenario,
    seed: u64,
    sample: u64,
    draws: Draws,
) -> Result<(Scenario, Drawn), NotFinite> {
    let mut s = base.clone();
    s.uncertainty = Vec::new();
    let mut drawn = Drawn::default();
    for (e, u) in base.uncertainty.iter().enumerate() {
        let mut rng = stream(seed, sample, e as u64);
        match &u.kind {
            UncertaintyKind::Political { .. } if draws == Draws::WithoutPolitical => {}
            UncertaintyKind::Political {
                timing,
                window,
                effects,
            } => {
                drawn.political = true;
                let switch = switch_period(*timing, *window, s.calendar.kind, &mut rng);
                if switch.is_some() {
                    drawn.switches += 1;
                }
                switch_effects(&mut s, &u.id, effects, switch);
            }
            UncertaintyKind::DemandMultiplier {
                demands,
                distribution,
                shared,
            } => {
                let targets = indices(demands, s.demands.len(), caisson_model::DemandId::index);
                let common = shared.then(|| sample_of(distribution, &mut rng));
                for d in targets {
                    let factor = common.unwrap_or_else(|| sample_of(distribution, &mut rng));
                    for q in &mut s.demands[d].quantity {
                        *q *= factor;
                    }
                    if !s.demands[d].quantity.iter().all(|q| q.is_finite()) {
                        return Err(NotFinite { entry: e });
                    }
                }
            }
            UncertaintyKind::FacilityOutage {
                facilities,
                probability,
                duration,
            } => {
                let n = s.periods();
                for f in indices(facilities, s.facilities.len(), FacilityId::index) {
                    let mut t = 0;
                    while t < n {
                        if rng.random_bool(*probability) {
                            let length = periods(*duration, &mut rng) as usize;
                            let end = (t + length).min(n);
                            for &l in &s.facilities[f].lines {
                                for c in &mut s.lines[l.index()].capacity[t..end] {
                                    *c = 0.0;
                                }
                            }
                            drawn.outage_periods += end - t;
                            t = end;
                        } else {
                            t += 1;
                        }
                    }
                }
            }
            UncertaintyKind::CapacityYield {
                facilities,
                distribution,
                shared,
            } => {
                let common = shared.then(|| sample_of(distribution, &mut rng));
                for f in indices(facilities, s.facilities.len(), FacilityId::index) {
                    let factor = common.unwrap_or_else(|| sample_of(distribution, &mut rng));
                    let facility = &s.facilities[f];
                    for &l in &facility.lines {
                        for c in &mut s.lines[l.index()].capacity {
                            *c *= factor;
                        }
                    }
                    for &x in &facility.expansions {
                        s.expansions[x.index()].capacity *= factor;
                    }
                    let finite = facility
                        .lines
                        .iter()
                        .all(|l| s.lines[l.index()].capacity.iter().all(|c| c.is_finite()))
                        && facility
                            .expansions
                            .iter()
                            .all(|x| s.expansions[x.index()].capacity.is_finite());
                    if !finite {
                        return Err(NotFinite { entry: e });
                    }
                }
            }
            UncertaintyKind::RouteDelay {
                from,
                to,
                probability,
                extra,
                shared,
            } => {
                let common = shared.then(|| delay(*probability, *extra, &mut rng));
                let n = s.actors.len();
                for a in (0..n).filter(|&a| from.is_none_or(|f| f.index() == a)) {
                    for b in (0..n).filter(|&b| b != a && to.is_none_or(|t| t.index() == b)) {
                        let periods =
                            common.unwrap_or_else(|| delay(*probability, *extra, &mut rng));
                        if periods > 0 {
                            lengthen(&mut s, ActorId::new(a), ActorId::new(b), periods);
                            drawn.delayed_pairs += 1;
                        }
                    }
                }
            }
        }
    }
    Ok((s, drawn))
}

/// Periods per year of a calendar's period kind.
fn periods_per_year(kind: PeriodKind) -> f64 {
    match kind {
        PeriodKind::Month => 12.0,
        PeriodKind::Quarter => 4.0,
        PeriodKind::Year => 1.0,
    }
}

/// The period a political switch happens in, or `None` when it does not
/// happen in the window. A yearly hazard `h` is a chance per period of
/// `1 - (1 - h)^(1 / periods per year)`, so that a year of periods switches
/// with chance `h`; the first period whose draw succeeds is the switch.
/// A `probability` p switches with chance p, in a period drawn uniformly
/// from the window. Exactly 0 never switches and exactly 1 always does
/// (at the window's first period, for a hazard).
pub(crate) fn switch_period(
    timing: SwitchTiming,
    window: Window,
    kind: PeriodKind,
    rng: &mut Xoshiro256PlusPlus,
) -> Option<usize> {
    if window.is_empty() {
        return None;
    }
    match timing {
        SwitchTiming::Hazard(h) => {
            if h <= 0.0 {
                return None;
            }
            let per_period = if h >= 1.0 {
                1.0
            } else {
                1.0 - (1.0 - h).powf(1.0 / periods_per_year(kind))
            };
            (window.start..window.end).find(|_| rng.random_bool(per_period.clamp(0.0, 1.0)))
        }
        SwitchTiming::Chance(p) => {
            if !rng.random_bool(p.clamp(0.0, 1.0)) {
                return None;
            }
            Some(rng.random_range(window.start..window.end))
        }
    }
}

/// `window` (`None`: the whole horizon) cut to the periods `start..end`;
/// an empty result is the one empty window at the horizon's end.
fn cut(window: Option<Window>, start: usize, end: usize, n: usize) -> Option<Window> {
    let (a, b) = window.map_or((0, n), |w| (w.start, w.end));
    let (a, b) = (a.max(start), b.min(end));
    Some(if a < b {
        Window { start: a, end: b }
    } else {
        Window { start: n, end: n }
    })
}

/// Applies a political entry's effects for a switch in `switch` (or none):
/// each becomes a time window of a policy or route (`docs/windows.md`), so
/// that any planner path handles the sample scenario.
fn switch_effects(s: &mut Scenario, id: &str, effects: &[PoliticalEffect], switch: Option<usize>) {
    let n = s.periods();
    for effect in effects {
        match *effect {
            PoliticalEffect::StartPolicy(p) => {
                // Without a switch the policy never binds.
                let from = switch.unwrap_or(n);
                let policy = &mut s.policies[p.index()];
                policy.window = cut(policy.window, from, n, n);
            }
            PoliticalEffect::EndPolicy(p) => {
                if let Some(t) = switch {
                    let policy = &mut s.policies[p.index()];
                    policy.window = cut(policy.window, 0, t, n);
                }
            }
            PoliticalEffect::StopExports { exporter, ref to } => {
                let Some(t) = switch else { continue };
                s.policies.push(Policy {
                    id: format!("political:{id}"),
                    name: format!("political switch {id}"),
                    scope: Party::Actor(exporter),
                    deny_export: to.clone(),
                    deny_import: Vec::new(),
                    deny_end_use: Vec::new(),
                    window: Some(Window { start: t, end: n }),
                });
                // Its contracts with the buyers it no longer exports to end.
                let ended: Vec<usize> = s
                    .contracts
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| {
                        s.facilities[c.facility.index()].actor == exporter
                            && c.buyer != exporter
                            && to.iter().any(|&sel| s.selects(sel, c.buyer))
                    })
                    .map(|(i, _)| i)
                    .collect();
                for i in ended {
                    for q in &mut s.contracts[i].quantity[t..] {
                        *q = 0.0;
                    }
                }
            }
            PoliticalEffect::CloseRoute { from, to } => {
                let Some(t) = switch else { continue };
                match s.routes.iter_mut().find(|r| r.from == from && r.to == to) {
                    Some(route) => route.window = cut(route.window, 0, t, n),
                    None => {
                        let (lead_time, unit_cost) = s.route(from, to);
                        s.routes.push(Route {
                            from,
                            to,
                            lead_time,
                            unit_cost,
                            window: cut(None, 0, t, n),
                        });
                    }
                }
            }
        }
    }
}

fn sample_of(distribution: &Dist, rng: &mut Xoshiro256PlusPlus) -> f64 {
    sample(distribution, rng)
}

/// Extra periods of one delay draw (0 when it does not happen).
fn delay(probability: f64, extra: PeriodRange, rng: &mut Xoshiro256PlusPlus) -> u32 {
    if rng.random_bool(probability) {
        periods(extra, rng)
    } else {
        0
    }
}

/// Adds `periods` to the lead time from `a` to `b`, making the default
/// route explicit first when there is none.
fn lengthen(s: &mut Scenario, a: ActorId, b: ActorId, periods: u32) {
    match s.routes.iter_mut().find(|r| r.from == a && r.to == b) {
        Some(route) => route.lead_time = route.lead_time.saturating_add(periods),
        None => {
            let (lead_time, unit_cost) = s.route(a, b);
            s.routes.push(Route {
                from: a,
                to: b,
                lead_time: lead_time.saturating_add(periods),
                unit_cost,
                window: None,
            });
        }
    }
}

/// The targeted indices in increasing order.
fn indices<T: Copy>(targets: &Targets<T>, len: usize, index: fn(T) -> usize) -> Vec<usize> {
    match targets {
        Targets::All => (0..len).collect(),
        Targets::Only(list) => {
            let mut v: Vec<usize> = list.iter().map(|&t| index(t)).collect();
            v.sort_unstable();
            v
        }
    }
}
