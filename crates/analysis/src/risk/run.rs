//! The re-plans of the risk analysis.
//!
//! Re-solves run in parallel with HiGHS on one thread each. By default they
//! re-solve one model built once (the [`Driver`] of [`crate::resolve`], with
//! [`Changes::Flows`]): every edit only closes or opens flows, so each is a
//! change of bounds, and a MIP re-solve starts from the baseline's simplex
//! bases and solution ([`Resolve::WarmBasis`]);
//! the edited scenario stays the reference its plan is derived from. What
//! is `risk`'s own: the edits (its cases), the skip of an exporter loss the
//! baseline does not feel, and the impacts and their ranking.

use std::convert::Infallible;

use caisson_model::{ActorId, FacilityId, PolicyId, PolicyList, Scenario};
use caisson_plan::Plan;
use caisson_planner::PlanOptions;

use super::{exporters, Impact, ProductImpact, RiskReport, Subject};
use crate::outcome::Outcome;
use crate::resolve::{Change, Changes, Driver, Guess, Job, Settings};
use crate::whatif;

pub use crate::resolve::Resolve;

/// What `risk` computes.
#[derive(Debug, Clone, Default)]
pub struct RiskOptions {
    /// Also rank single facilities, not only exporting actors.
    pub facilities: bool,
    /// Also price each non-empty list of each policy separately.
    pub policy_lists: bool,
    /// Solver options for every re-plan.
    pub plan: PlanOptions,
}

impl Impact {
    /// The ranking key: extra shortage summed over products (only to rank),
    /// then extra cost.
    fn rank_key(&self) -> (f64, f64) {
        (
            self.shortage.iter().map(|p| p.shortage).sum(),
            self.cost.unwrap_or(0.0),
        )
    }
}

/// Runs the supplier-criticality and policy-price analyses. `on_done` is
/// called once per finished re-plan; [`count_replans`] says how many.
///
/// Re-solves start from the baseline's simplex bases
/// ([`Resolve::WarmBasis`]): most edits keep the baseline's expansion
/// decisions and are then proven by two warm LPs without a MIP run; the
/// others run the MIP from the fixed LP's plan. Every impact stays within
/// the MIP gap of a cold re-plan (`docs/performance.md`, "`caisson demo`").
pub fn analyse(
    scenario: &Scenario,
    options: &RiskOptions,
    on_done: &(dyn Fn() + Sync),
) -> RiskReport {
    analyse_with(scenario, options, Resolve::WarmBasis, on_done)
}

/// [`analyse`], re-solving as `resolve` says.
///
/// The [`Driver`] plans the baseline first (it decides which edits need a
/// solve at all, and under [`Resolve::WarmStart`] its solution starts every
/// re-solve), then every edit as a case: a facility loss as
/// [`Change::WithoutFacility`], any other edit as [`Change::Policies`].
pub fn analyse_with(
    scenario: &Scenario,
    options: &RiskOptions,
    resolve: Resolve,
    on_done: &(dyn Fn() + Sync),
) -> RiskReport {
    let edits = edits(scenario, options);
    let settings = Settings {
        mode: resolve,
        options: options.plan.clone(),
        changes: Changes::Flows,
        guess: Guess::Nothing,
        solve_threads: 1,
    };
    let driver = Driver::new(scenario, &settings);
    let mut run = driver.start(on_done);
    let baseline_plan = run.solve_base().plan;
    let baseline = Outcome::of(scenario, &baseline_plan);
    let replanned: Result<_, Infallible> = run.solve_cases(
        edits.len(),
        &|i| {
            let edit = edits[i];
            let edited = edit.apply(scenario);
            if baseline_stays_optimal(scenario, &edited, &baseline_plan, &edit) {
                let unchanged = baseline.clone();
                return Ok(Job::Done(impact(
                    scenario,
                    &baseline,
                    &baseline_plan,
                    &edit,
                    unchanged,
                )));
            }
            let change = match edit {
                Edit::LoseFacility(f) => Change::WithoutFacility(f),
                _ => Change::Policies,
            };
            Ok(Job::Solve {
                scenario: edited,
                change,
                keep: edit,
            })
        },
        &|_, edited, edit, solved| {
            let outcome = Outcome::of(&edited, &solved.plan);
            let mut impact = impact(scenario, &baseline, &baseline_plan, &edit, outcome);
            impact.solve_seconds = Some(solved.seconds);
            impact
        },
    );
    let Ok((impacts, timing)) = replanned;
    let (mut criticality, mut policies): (Vec<_>, Vec<_>) = impacts
        .into_iter()
        .zip(&edits)
        .map(|(impact, edit)| (edit.is_loss(), impact))
        .partition(|(loss, _)| *loss);
    let by_harm = |a: &(bool, Impact), b: &(bool, Impact)| {
        let (ka, kb) = (a.1.rank_key(), b.1.rank_key());
        kb.0.total_cmp(&ka.0).then(kb.1.total_cmp(&ka.1))
    };
    criticality.sort_by(by_harm);
    policies.sort_by(by_harm);
    RiskReport {
        baseline,
        criticality: criticality.into_iter().map(|(_, i)| i).collect(),
        policies: policies.into_iter().map(|(_, i)| i).collect(),
        timing: Some(timing),
    }
}

/// Whether the baseline plan is still optimal after `edit`, so that no
/// re-solve is needed. True for an exporter loss that denies none of the
/// baseline's flows and drops no contract: the edited model only loses
/// columns the baseline left at zero, so its optimum cannot be lower, and the
/// baseline (still feasible, same objective) attains it.
fn baseline_stays_optimal(
    scenario: &Scenario,
    edited: &Scenario,
    baseline: &Plan,
    edit: &Edit,
) -> bool {
    let Edit::LoseExporter(_) = edit else {
        return false;
    };
    baseline.status == caisson_plan::PlanStatus::Optimal
        && edited.contracts.len() == scenario.contracts.len()
        && baseline
            .shipments
            .iter()
            .all(|s| caisson_compliance::shipment(edited, s.facility, s.demand).is_allowed())
        && baseline
            .transfers
            .iter()
            .all(|t| caisson_compliance::transfer(edited, t.from, t.to).is_allowed())
}

/// Number of plans [`analyse`] solves (the baseline included).
pub fn count_replans(scenario: &Scenario, options: &RiskOptions) -> usize {
    edits(scenario, options).len() + 1
}

/// One edit of the scenario.
#[derive(Debug, Clone, Copy)]
enum Edit {
    LoseExporter(ActorId),
    LoseFacility(FacilityId),
    LiftPolicy(PolicyId),
    LiftList(PolicyId, PolicyList),
}

impl Edit {
    fn is_loss(self) -> bool {
        matches!(self, Edit::LoseExporter(_) | Edit::LoseFacility(_))
    }

    fn apply(self, scenario: &Scenario) -> Scenario {
        match self {
            Edit::LoseExporter(a) => whatif::without_exporter(scenario, a),
            Edit::LoseFacility(f) => whatif::without_facility(scenario, f),
            Edit::LiftPolicy(p) => whatif::without_policy(scenario, p),
            Edit::LiftList(p, l) => whatif::without_policy_list(scenario, p, l),
        }
    }

    fn subject(self, scenario: &Scenario) -> Subject {
        match self {
            Edit::LoseExporter(a) => Subject::Exporter {
                actor: scenario.actors[a.index()].id.clone(),
            },
            Edit::LoseFacility(f) => Subject::Facility {
                facility: scenario.facilities[f.index()].id.clone(),
            },
            Edit::LiftPolicy(p) => Subject::Policy {
                policy: scenario.policies[p.index()].id.clone(),
                window: window_of(scenario, p),
            },
            Edit::LiftList(p, l) => Subject::PolicyList {
                policy: scenario.policies[p.index()].id.clone(),
                list: l.field_name().to_owned(),
                window: window_of(scenario, p),
            },
        }
    }
}

/// A time-windowed policy's window as labels, so that the price of a
/// policy binding only in some periods says which (docs/windows.md).
fn window_of(scenario: &Scenario, policy: PolicyId) -> Option<String> {
    scenario.policies[policy.index()]
        .window
        .map(|w| w.describe(&scenario.calendar))
}

fn edits(scenario: &Scenario, options: &RiskOptions) -> Vec<Edit> {
    let mut edits: Vec<Edit> = exporters(scenario)
        .into_iter()
        .map(Edit::LoseExporter)
        .collect();
    if options.facilities {
        edits
            .extend((0..scenario.facilities.len()).map(|f| Edit::LoseFacility(FacilityId::new(f))));
    }
    for (p, policy) in scenario.policies.iter().enumerate() {
        let id = PolicyId::new(p);
        edits.push(Edit::LiftPolicy(id));
        if options.policy_lists {
            for list in [
                PolicyList::DenyExport,
                PolicyList::DenyImport,
                PolicyList::DenyEndUse,
            ] {
                if !policy.list(list).is_empty() {
                    edits.push(Edit::LiftList(id, list));
                }
            }
        }
    }
    edits
}

fn impact(
    scenario: &Scenario,
    baseline: &Outcome,
    baseline_plan: &Plan,
    edit: &Edit,
    edited: Outcome,
) -> Impact {
    // For a loss the harm is edited - baseline; for a policy it is what the
    // policy costs, baseline - edited (the edited world has no policy).
    let sign = if edit.is_loss() { 1.0 } else { -1.0 };
    let shortage = baseline
        .products
        .iter()
        .map(|p| ProductImpact {
            product: p.kpi.product.clone(),
            shortage: sign * (edited.shortage_of(&p.kpi.product) - p.kpi.shortage),
        })
        .collect();
    let cost = baseline
        .objective
        .zip(edited.objective)
        .map(|(b, e)| sign * (e - b));
    let baseline_deliveries = match *edit {
        Edit::LoseExporter(a) => Some(
            baseline_plan
                .shipments
                .iter()
                .filter(|s| {
                    scenario.facilities[s.facility.index()].actor == a
                        && scenario.demands[s.demand.index()].buyer != a
                })
                .map(|s| s.quantity)
                .sum(),
        ),
        Edit::LoseFacility(f) => Some(
            baseline_plan
                .shipments
                .iter()
                .filter(|s| s.facility == f)
                .map(|s| s.quantity)
                .sum(),
        ),
        Edit::LiftPolicy(_) | Edit::LiftList(..) => None,
    };
    Impact {
        subject: edit.subject(scenario),
        status: edited.status,
        shortage,
        cost,
        baseline_deliveries,
        edited,
        solve_seconds: None,
    }
}
