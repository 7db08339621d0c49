//! One-change re-plans: the base scenario with one capacity, one demand
//! quantity or one policy changed, planned from scratch and warm from the
//! base's simplex bases; what the platform's what-ifs do, and what issue 18
//! asks to take at most a second on the European base.
//!
//! [`one_change_cases`] is the one definition of the cases (the
//! `replan` example and `caisson bench --replan` both use it); [`replan`]
//! plans them under one [`Resolve`] mode, one solve at a time, and says
//! where the time went. See `docs/performance.md`, "One-change re-plans".

use std::convert::Infallible;

use caisson_model::Scenario;
use caisson_plan::PlanStatus;
use caisson_planner::PlanOptions;

use crate::resolve::{Change, Changes, Driver, Guess, How, Job, Settings};
use crate::{Resolve, ResolveTiming};

/// How many capacities, demands and policies [`one_change_cases`] changes
/// by default, each in its own case (twelve cases in all when the scenario
/// has that many of each).
pub const CHANGES_PER_KIND: usize = 4;

/// The fraction of its capacity a line keeps in a capacity case.
pub const CAPACITY_FACTOR: f64 = 0.8;

/// The factor on a demand's quantities in a demand case.
pub const DEMAND_FACTOR: f64 = 1.2;

/// What a one-change case changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// One line's capacity, every period, at [`CAPACITY_FACTOR`].
    Capacity,
    /// One demand's quantity, every period, at [`DEMAND_FACTOR`].
    Demand,
    /// One policy lifted (removed from the scenario).
    Policy,
}

impl ChangeKind {
    /// The kind's name in reports: `capacity`, `demand` or `policy`.
    pub fn name(self) -> &'static str {
        match self {
            ChangeKind::Capacity => "capacity",
            ChangeKind::Demand => "demand",
            ChangeKind::Policy => "policy",
        }
    }
}

/// One case: the base with one change.
#[derive(Debug, Clone)]
pub struct OneChange {
    /// What changed, in words (`capacity of F/L at 80%`).
    pub label: String,
    /// What kind of change it is.
    pub kind: ChangeKind,
    /// The base with the change made.
    pub scenario: Scenario,
}

/// The one-change cases of `base`: up to `per_kind` lines' capacity at
/// 80%, as many demands' quantity at 120%, as many policies lifted; picked
/// evenly over each list (its first entry, then every `len / per_kind`-th),
/// capacities first, then demands, then policies.
pub fn one_change_cases(base: &Scenario, per_kind: usize) -> Vec<OneChange> {
    let pick = |len: usize| -> Vec<usize> {
        let step = (len / per_kind.max(1)).max(1);
        (0..len).step_by(step).take(per_kind).collect()
    };
    let mut cases = Vec::new();
    for i in pick(base.lines.len()) {
        let mut scenario = base.clone();
        scenario.lines[i]
            .capacity
            .iter_mut()
            .for_each(|c| *c *= CAPACITY_FACTOR);
        let line = &base.lines[i];
        let facility = &base.facilities[line.facility.index()].id;
        cases.push(OneChange {
            label: format!(
                "capacity of {facility}/{} at {:.0}%",
                line.id,
                CAPACITY_FACTOR * 100.0
            ),
            kind: ChangeKind::Capacity,
            scenario,
        });
    }
    for i in pick(base.demands.len()) {
        let mut scenario = base.clone();
        scenario.demands[i]
            .quantity
            .iter_mut()
            .for_each(|q| *q *= DEMAND_FACTOR);
        cases.push(OneChange {
            label: format!(
                "demand {} at {:.0}%",
                base.demands[i].id,
                DEMAND_FACTOR * 100.0
            ),
            kind: ChangeKind::Demand,
            scenario,
        });
    }
    for i in pick(base.policies.len()) {
        let mut scenario = base.clone();
        scenario.policies.remove(i);
        cases.push(OneChange {
            label: format!("policy {} lifted", base.policies[i].id),
            kind: ChangeKind::Policy,
            scenario,
        });
    }
    cases
}

/// One case's re-plan under one mode.
#[derive(Debug, Clone, PartialEq)]
pub struct Replanned {
    /// The plan's status.
    pub status: PlanStatus,
    /// Its objective, when it has a solution.
    pub objective: Option<f64>,
    /// Seconds the re-plan took (its bounds, start and solve; the base's
    /// preparation is not in it).
    pub seconds: f64,
    /// How the driver solved it.
    pub how: How,
}

impl Replanned {
    /// Whether the two warm LPs proved the plan without a MIP run
    /// ([`Resolve::WarmBasis`]).
    pub fn proven_by_lps(&self) -> bool {
        matches!(self.how, How::Reused { warm: true, .. })
    }
}

/// The cases re-planned under one mode.
#[derive(Debug, Clone)]
pub struct ReplanRun {
    /// The mode.
    pub mode: Resolve,
    /// Preparing the base, in seconds: its plan from scratch under
    /// [`Resolve::Cold`]; its solve on the reused model (and, under
    /// [`Resolve::WarmBasis`], its two LPs' optimal bases) otherwise.
    pub base_seconds: f64,
    /// The base's status.
    pub base_status: PlanStatus,
    /// The base's objective, when it has a solution.
    pub base_objective: Option<f64>,
    /// Each case's re-plan, in case order.
    pub cases: Vec<Replanned>,
    /// Where the time went (the base's solve counted as one solve).
    pub timing: ResolveTiming,
}

/// Why [`replan`] could not run.
#[derive(Debug, thiserror::Error)]
pub enum ReplanError {
    /// The one-thread pool that makes the solves one at a time did not
    /// start.
    #[error("starting the re-plan thread: {0}")]
    Pool(#[from] rayon::ThreadPoolBuildError),
}

/// Plans the base, then each case, under `mode`, one solve at a time
/// (each with two threads, for HiGHS and for an expansion's two branches
/// side by side; no capacity shadow prices: the driver's settings), each case from the base's preparation: under
/// [`Resolve::Cold`] every case is planned from scratch, as `caisson plan`
/// plans it; under [`Resolve::WarmBasis`] the base is solved once on the
/// reused model with its two LPs, and every case starts from them.
/// `progress` is called once for the base and once per case.
pub fn replan(
    base: &Scenario,
    cases: &[OneChange],
    mode: Resolve,
    options: &PlanOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<ReplanRun, ReplanError> {
    let settings = Settings {
        mode,
        options: options.clone(),
        changes: Changes::Quantities,
        guess: Guess::Greedy,
        solve_threads: 2,
    };
    // One solve at a time: the figures are those of one re-plan alone (on
    // two cores), as a what-if on the platform runs it.
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    Ok(pool.install(|| {
        let driver = Driver::new(base, &settings);
        let mut run = driver.start(progress);
        // The base first, on its own: its preparation is paid once, and is
        // then in no case's time.
        let prepared = run.solve_base();
        let solved: Result<_, Infallible> = run.solve_cases(
            cases.len(),
            &|i| {
                Ok(Job::Solve {
                    scenario: &cases[i].scenario,
                    change: Change::Edited,
                    keep: (),
                })
            },
            &|_, _, (), solved| Replanned {
                status: solved.plan.status,
                objective: solved.plan.objective,
                seconds: solved.seconds,
                how: solved.how,
            },
        );
        let Ok((replanned, timing)) = solved;
        ReplanRun {
            mode,
            base_seconds: timing.baseline_seconds,
            base_status: prepared.plan.status,
            base_objective: prepared.plan.objective,
            cases: replanned,
            timing,
        }
    }))
}

/// The relative difference of two objectives: `|a - b| / max(|a|, |b|, 1)`;
/// 0 when neither exists, infinite when only one does.
pub fn relative_difference(a: Option<f64>, b: Option<f64>) -> f64 {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() / a.abs().max(b.abs()).max(1.0),
        (None, None) => 0.0,
        _ => f64::INFINITY,
    }
}

/// Whether two re-plans of one case agree: the same status class (both
/// with a solution, or both without) and objectives whose relative
/// difference is within `mip_gap` (two plans each proven within the gap of
/// the optimum are within about the gap of each other).
pub fn agree(a: &Replanned, b: &Replanned, mip_gap: f64) -> bool {
    // A rounding margin: the objectives are sums of many terms.
    const ROUNDING: f64 = 1e-9;
    a.status.has_solution() == b.status.has_solution()
        && relative_difference(a.objective, b.objective) <= mip_gap + ROUNDING
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Scenario {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/spec/example.toml");
        caisson_scenario::load_path(&path)
            .expect("the specification's example loads")
            .scenario
    }

    #[test]
    fn each_case_makes_exactly_its_one_change() {
        let base = example();
        let cases = one_change_cases(&base, 2);
        assert!(!cases.is_empty());
        for case in &cases {
            let s = &case.scenario;
            match case.kind {
                ChangeKind::Capacity => {
                    let changed: Vec<usize> = (0..base.lines.len())
                        .filter(|&i| s.lines[i].capacity != base.lines[i].capacity)
                        .collect();
                    assert_eq!(changed.len(), 1, "{}", case.label);
                    let i = changed[0];
                    for (new, old) in s.lines[i].capacity.iter().zip(&base.lines[i].capacity) {
                        assert!((new - old * CAPACITY_FACTOR).abs() <= 1e-9 * old.abs());
                    }
                    assert_eq!(s.demands, base.demands);
                    assert_eq!(s.policies, base.policies);
                }
                ChangeKind::Demand => {
                    let changed = (0..base.demands.len())
                        .filter(|&i| s.demands[i].quantity != base.demands[i].quantity)
                        .count();
                    assert!(changed <= 1, "{}", case.label);
                    assert_eq!(s.lines, base.lines);
                    assert_eq!(s.policies, base.policies);
                }
                ChangeKind::Policy => {
                    assert_eq!(s.policies.len() + 1, base.policies.len(), "{}", case.label);
                    assert_eq!(s.lines, base.lines);
                    assert_eq!(s.demands, base.demands);
                }
            }
        }
        let kinds = |kind| cases.iter().filter(|c| c.kind == kind).count();
        assert_eq!(kinds(ChangeKind::Capacity), base.lines.len().min(2));
        assert_eq!(kinds(ChangeKind::Demand), base.demands.len().min(2));
        assert_eq!(kinds(ChangeKind::Policy), base.policies.len().min(2));
    }

    #[test]
    fn cold_and_warm_basis_re_plans_agree_within_the_gap() {
        let base = example();
        let cases = one_change_cases(&base, 2);
        let options = PlanOptions::default();
        let cold = replan(&base, &cases, Resolve::Cold, &options, &|| {}).expect("a pool");
        let warm = replan(&base, &cases, Resolve::WarmBasis, &options, &|| {}).expect("a pool");
        assert_eq!(cold.cases.len(), cases.len());
        assert_eq!(warm.cases.len(), cases.len());
        assert!(cold.cases.iter().all(|c| c.how == How::Cold));
        assert!(warm
            .cases
            .iter()
            .all(|c| matches!(c.how, How::Reused { .. })));
        assert!(relative_difference(cold.base_objective, warm.base_objective) <= 1e-6);
        for (label, (c, w)) in cases
            .iter()
            .map(|c| &c.label)
            .zip(cold.cases.iter().zip(&warm.cases))
        {
            assert!(c.status.has_solution(), "{label}: {c:?}");
            assert!(agree(c, w, options.mip_gap), "{label}: {c:?} vs {w:?}");
        }
        // The base plus every case.
        assert_eq!(warm.timing.solves, cases.len() + 1);
    }
}
