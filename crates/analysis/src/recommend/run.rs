//! Recommending contracts from plans and proving them by re-planning.

use std::collections::BTreeMap;

use caisson_model::{ActorId, Contract, ContractId, FacilityId, PeriodKind, ProductId, Scenario};
use caisson_plan::{Plan, SolutionInfo};
use caisson_planner::PlanOptions;

use super::{
    with_contracts, GroupVolume, Grouping, Lowering, RecommendError, Recommendation,
    RecommendedContract, Round, Shape,
};
use crate::compare::{delta, Comparison, VariantOutcome};
use crate::outcome::Outcome;
use crate::solve_one_thread;

/// What `recommend` computes and how.
#[derive(Debug, Clone)]
pub struct RecommendOptions {
    /// How commitments are grouped over time.
    pub grouping: Grouping,
    /// Whether flat rates are capped at the base plan's shipments.
    pub shape: Shape,
    /// With several plans: the quantile (0..=1) of each group's volume over
    /// the plans. Low values give commitments met in most futures.
    pub quantile: f64,
    /// A group's volume below this gets no commitment; a triple with no
    /// committed group gets no contract.
    pub min_volume: f64,
    /// Penalty per unit of shortfall per period written into each contract;
    /// `None`: the highest penalty among the buyer's demands for the product
    /// (a shortfall then weighs like the buyer's own shortage).
    pub penalty: Option<f64>,
    /// Price per unit written into each contract (reported, not optimised).
    pub price: f64,
    /// Re-plans allowed to reach a recommendation with no shortfall.
    pub max_rounds: usize,
    /// Solver options of every re-plan.
    pub plan: PlanOptions,
}

impl Default for RecommendOptions {
    fn default() -> Self {
        Self {
            grouping: Grouping::Year,
            shape: Shape::Capped,
            quantile: 0.5,
            min_volume: 0.0,
            penalty: None,
            price: 0.0,
            max_rounds: 5,
            plan: PlanOptions::default(),
        }
    }
}

/// Plans `scenario` the way [`recommend`] re-plans it (HiGHS on one
/// thread), for the base plan a command passes in.
pub fn plan_base(scenario: &Scenario, options: &PlanOptions) -> Plan {
    solve_one_thread(scenario, options)
}

/// Recommends contracts from `base` (the scenario's optimal plan) or, when
/// `samples` is not empty, from the quantile of the samples' volumes, and
/// proves them by re-planning. `on_round` is called after every re-plan
/// with what it found (for progress displays).
pub fn recommend(
    scenario: &Scenario,
    base: &Plan,
    samples: &[Plan],
    options: &RecommendOptions,
    on_round: &(dyn Fn(&Round) + Sync),
) -> Result<Recommendation, RecommendError> {
    check_options(options)?;
    if !base.status.has_solution() {
        return Err(RecommendError::BaseUnsolved {
            status: base.status.name(),
        });
    }
    if let Some((index, plan)) = samples
        .iter()
        .enumerate()
        .find(|(_, p)| !p.status.has_solution())
    {
        return Err(RecommendError::SampleUnsolved {
            index,
            status: plan.status.name(),
        });
    }
    let sources = if samples.is_empty() {
        std::slice::from_ref(base)
    } else {
        samples
    };
    let groups = Groups::of(scenario, options.grouping);
    let labels = scenario.calendar.labels();
    let volumes = planned_volumes(scenario, &groups, sources, options.quantile);
    let base_shipped = shipped_per_group(scenario, &Groups::of(scenario, Grouping::Period), base);

    let mut already_contracted = Vec::new();
    let mut drafts = Vec::new();
    let mut used_ids: Vec<String> = scenario.contracts.iter().map(|c| c.id.clone()).collect();
    for (&triple, planned) in &volumes {
        if let Some(existing) = scenario
            .contracts
            .iter()
            .find(|c| (c.facility, c.buyer, c.product) == triple)
        {
            if planned.iter().any(|&v| v > EPSILON) {
                already_contracted.push(existing.id.clone());
            }
            continue;
        }
        let cap = match options.shape {
            Shape::Capped => Some(base_shipped.get(&triple).map_or(&[][..], Vec::as_slice)),
            Shape::Flat => None,
        };
        let draft = Draft::new(
            scenario,
            &groups,
            triple,
            planned,
            cap,
            options,
            &mut used_ids,
        );
        if draft.committed() {
            drafts.push(draft);
        }
    }

    if drafts.is_empty() {
        // Nothing to sign: the variant is the scenario itself.
        let unchanged = with_contracts(scenario, &[]);
        return Ok(Recommendation {
            scenario: scenario.name.clone(),
            grouping: options.grouping,
            shape: options.shape,
            plans: sources.len(),
            quantile: (sources.len() > 1).then_some(options.quantile),
            contracts: Vec::new(),
            already_contracted,
            rounds: Vec::new(),
            comparison: comparison(scenario, base, &unchanged, base),
            model: Vec::new(),
        });
    }
    let first = scenario.contracts.len();
    let mut rounds = Vec::new();
    let mut previous: Option<Plan> = None;
    // One round more than the re-plans allowed: if the last re-plan still
    // fell short, its own plan honours the commitments lowered to what it
    // shipped, and re-deriving it under them is the proof (see `Round`).
    for round in 1..=options.max_rounds + 1 {
        drafts.retain(Draft::committed);
        let contracts: Vec<Contract> = drafts.iter().map(Draft::contract).collect();
        let variant = with_contracts(scenario, &contracts);
        let replanned = round <= options.max_rounds;
        let plan = match (&previous, replanned) {
            (Some(previous), false) => rederive(&variant, previous),
            _ => solve_one_thread(&variant, &options.plan),
        };
        if !plan.status.has_solution() {
            return Err(RecommendError::VariantUnsolved {
                round,
                status: plan.status.name(),
            });
        }
        let mut shortfall = 0.0;
        let mut lowered = Vec::new();
        for (i, draft) in drafts.iter_mut().enumerate() {
            let id = ContractId::new(first + i);
            let mut shipped = vec![0.0; scenario.calendar.periods];
            for r in plan.contracts.iter().filter(|r| r.contract == id) {
                shipped[r.period] = r.shipped;
                if is_short(r.committed, r.shipped) {
                    shortfall += r.shortfall;
                }
            }
            lowered.extend(draft.lower_to(&groups, &shipped, options.min_volume, &labels));
        }
        let done = lowered.is_empty();
        rounds.push(Round {
            round,
            replanned,
            objective: plan.objective,
            shortfall,
            lowered,
        });
        if let Some(last) = rounds.last() {
            on_round(last);
        }
        if done {
            let comparison = comparison(scenario, base, &variant, &plan);
            return Ok(Recommendation {
                scenario: scenario.name.clone(),
                grouping: options.grouping,
                shape: options.shape,
                plans: sources.len(),
                quantile: (sources.len() > 1).then_some(options.quantile),
                contracts: drafts.iter().map(|d| d.record(scenario, &groups)).collect(),
                already_contracted,
                rounds,
                comparison,
                model: contracts,
            });
        }
        if !replanned {
            break;
        }
        previous = Some(plan);
    }
    // Only reachable if a re-derived plan fell short of commitments lowered
    // to its own shipments, i.e. a bug.
    let mut contracts: Vec<String> = rounds
        .last()
        .map(|r| r.lowered.iter().map(|l| l.contract.clone()).collect())
        .unwrap_or_default();
    contracts.dedup();
    Err(RecommendError::NotHonoured {
        rounds: rounds.len(),
        contracts,
    })
}

/// `plan`'s decisions re-derived under `variant`'s contracts: the same
/// production, shipments, transfers and expansions, with contract records
/// and costs recomputed (spec section 4 fixes everything else).
fn rederive(variant: &Scenario, plan: &Plan) -> Plan {
    let info = SolutionInfo {
        method: format!("{} (re-derived)", plan.method),
        mip_gap: plan.mip_gap.unwrap_or(0.0),
        ..plan.solution_info()
    };
    Plan::from_flows(variant, &plan.flows(), info)
}

/// Volumes below this are numerical noise, not shipments.
const EPSILON: f64 = 1e-6;

/// Whether a contract record is short beyond solver tolerance (spec
/// section 7: 1e-6 relative, absolute below 1).
fn is_short(committed: f64, shipped: f64) -> bool {
    committed - shipped > 1e-6 * committed.max(1.0)
}

fn check_options(options: &RecommendOptions) -> Result<(), RecommendError> {
    let bad = |option, value: f64, expected| RecommendError::BadOption {
        option,
        value,
        expected,
    };
    if !(0.0..=1.0).contains(&options.quantile) {
        return Err(bad("quantile", options.quantile, "between 0 and 1"));
    }
    let non_negative = [
        ("min_volume", Some(options.min_volume)),
        ("penalty", options.penalty),
        ("price", Some(options.price)),
    ];
    for (option, value) in non_negative {
        if let Some(value) = value {
            if !value.is_finite() || value < 0.0 {
                return Err(bad(option, value, "a finite number >= 0"));
            }
        }
    }
    if options.max_rounds == 0 {
        return Err(bad("max_rounds", 0.0, "at least 1"));
    }
    Ok(())
}

/// The horizon's periods in groups of one flat rate.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Groups {
    /// Group of each period.
    pub(super) of_period: Vec<usize>,
    /// Label of each group, in time order.
    pub(super) labels: Vec<String>,
}

impl Groups {
    pub(super) fn of(scenario: &Scenario, grouping: Grouping) -> Self {
        let calendar = &scenario.calendar;
        let per_year = i64::from(calendar.kind.per_year());
        let mut of_period = Vec::with_capacity(calendar.periods);
        let mut labels: Vec<String> = Vec::new();
        let mut last_key = None;
        for t in 0..calendar.periods {
            let absolute = calendar.start + t as i64;
            let (key, label) = match (grouping, calendar.kind) {
                (Grouping::Period, _)
                | (Grouping::Quarter, PeriodKind::Quarter | PeriodKind::Year) => {
                    (absolute, calendar.label(t))
                }
                (Grouping::Quarter, PeriodKind::Month) => {
                    let quarter = absolute.div_euclid(3);
                    let year = quarter.div_euclid(4);
                    (quarter, format!("{year:04}-Q{}", quarter.rem_euclid(4) + 1))
                }
                (Grouping::Year, _) => {
                    let year = absolute.div_euclid(per_year);
                    (year, format!("{year:04}"))
                }
            };
            if last_key != Some(key) {
                labels.push(label);
                last_key = Some(key);
            }
            of_period.push(labels.len() - 1);
        }
        Self { of_period, labels }
    }

    pub(super) fn len(&self) -> usize {
        self.labels.len()
    }
}

/// A contract's key: supplier, buyer, product.
type Triple = (FacilityId, ActorId, ProductId);

/// Per triple, the volume per group: one plan's shipments, or the quantile
/// over several plans (a plan where the triple ships nothing counts as 0).
fn planned_volumes(
    scenario: &Scenario,
    groups: &Groups,
    plans: &[Plan],
    quantile_level: f64,
) -> BTreeMap<Triple, Vec<f64>> {
    let per_plan: Vec<BTreeMap<Triple, Vec<f64>>> = plans
        .iter()
        .map(|plan| shipped_per_group(scenario, groups, plan))
        .collect();
    let mut triples: Vec<Triple> = per_plan.iter().flat_map(|m| m.keys().copied()).collect();
    triples.sort_unstable();
    triples.dedup();
    triples
        .into_iter()
        .map(|triple| {
            let volumes = (0..groups.len())
                .map(|g| {
                    let mut values: Vec<f64> = per_plan
                        .iter()
                        .map(|m| m.get(&triple).map_or(0.0, |v| v[g]))
                        .collect();
                    quantile(&mut values, quantile_level)
                })
                .collect();
            (triple, volumes)
        })
        .collect()
}

/// One plan's shipments summed per triple and group.
fn shipped_per_group(
    scenario: &Scenario,
    groups: &Groups,
    plan: &Plan,
) -> BTreeMap<Triple, Vec<f64>> {
    let mut totals: BTreeMap<Triple, Vec<f64>> = BTreeMap::new();
    for s in plan.shipments.iter().filter(|s| s.quantity > 0.0) {
        let buyer = scenario.demands[s.demand.index()].buyer;
        let Some(&group) = groups.of_period.get(s.period) else {
            continue;
        };
        totals
            .entry((s.facility, buyer, s.product))
            .or_insert_with(|| vec![0.0; groups.len()])[group] += s.quantity;
    }
    totals
}

/// The `level` quantile of `values` with linear interpolation between order
/// statistics (the common "type 7" definition: the median of an even count
/// is the mean of the middle two). 0 for no values.
fn quantile(values: &mut [f64], level: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let Some(last) = values.len().checked_sub(1) else {
        return 0.0;
    };
    let position = level.clamp(0.0, 1.0) * last as f64;
    let below = position.floor() as usize;
    let above = position.ceil() as usize;
    values[below] + (values[above] - values[below]) * (position - below as f64)
}

/// `value` rounded down to four significant digits, so that commitments
/// read as round figures and never exceed what was shipped.
fn round_down(value: f64) -> f64 {
    if !value.is_finite() || value <= 0.0 {
        return 0.0;
    }
    let digits = value.log10().floor() as i32;
    let decimals = 3 - digits;
    // The tiny relative nudge keeps values like 0.85 (stored as
    // 0.8499999…) from losing a digit; it is far below solver tolerance.
    let nudged = value * (1.0 + 1e-12);
    if decimals >= 0 {
        let scale = 10f64.powi(decimals);
        (nudged * scale).floor() / scale
    } else {
        let scale = 10f64.powi(-decimals);
        (nudged / scale).floor() * scale
    }
}

/// A contract being recommended: its triple, schedule and terms.
#[derive(Debug, Clone, PartialEq)]
struct Draft {
    id: String,
    triple: Triple,
    /// Units the plans ship per group.
    planned: Vec<f64>,
    /// Periods of each group in the contract's plan.
    periods: Vec<usize>,
    /// Committed quantity per period.
    quantity: Vec<f64>,
    /// Whether period t is in the contract's plan (t + L <= N-1).
    in_plan: Vec<bool>,
    penalty: f64,
    price: f64,
}

impl Draft {
    fn new(
        scenario: &Scenario,
        groups: &Groups,
        triple: Triple,
        planned: &[f64],
        cap: Option<&[f64]>,
        options: &RecommendOptions,
        used_ids: &mut Vec<String>,
    ) -> Self {
        let (facility, buyer, product) = triple;
        let n = scenario.calendar.periods;
        let (lead, _) = scenario.route(scenario.facilities[facility.index()].actor, buyer);
        let in_plan: Vec<bool> = (0..n).map(|t| t + (lead as usize) < n).collect();
        let mut periods = vec![0; groups.len()];
        for (t, &g) in groups.of_period.iter().enumerate() {
            if in_plan[t] {
                periods[g] += 1;
            }
        }
        let rates: Vec<f64> = planned
            .iter()
            .zip(&periods)
            .map(|(&volume, &count)| rate_for(volume, count, options.min_volume))
            .collect();
        // Periods outside the plan carry their group's rate, so that the
        // contract reads as one flat rate per group; the planner ignores
        // them (spec section 4).
        let mut quantity: Vec<f64> = groups.of_period.iter().map(|&g| rates[g]).collect();
        if let Some(cap) = cap {
            for (t, q) in quantity.iter_mut().enumerate() {
                if in_plan[t] {
                    *q = q.min(round_down(cap.get(t).copied().unwrap_or(0.0)));
                }
            }
        }
        let penalty = options.penalty.unwrap_or_else(|| {
            scenario
                .demands
                .iter()
                .filter(|d| d.buyer == buyer && d.product == product)
                .map(|d| d.penalty)
                .fold(0.0, f64::max)
        });
        let base_id = format!(
            "rec:{}:{}:{}",
            scenario.facilities[facility.index()].id,
            scenario.actors[buyer.index()].id,
            scenario.products[product.index()].id
        );
        let mut id = base_id.clone();
        let mut suffix = 2;
        while used_ids.contains(&id) {
            id = format!("{base_id}-{suffix}");
            suffix += 1;
        }
        used_ids.push(id.clone());
        let mut draft = Self {
            id,
            triple,
            planned: planned.to_vec(),
            periods,
            quantity,
            in_plan,
            penalty,
            price: options.price,
        };
        let all: Vec<usize> = (0..groups.len()).collect();
        draft.drop_small_groups(groups, &all, options.min_volume);
        draft
    }

    /// Zeroes the commitment of each of `which` groups whose committed
    /// volume is below `min_volume`.
    fn drop_small_groups(&mut self, groups: &Groups, which: &[usize], min_volume: f64) {
        for &g in which {
            if self.volume(groups, g) < min_volume {
                for (t, &group) in groups.of_period.iter().enumerate() {
                    if group == g {
                        self.quantity[t] = 0.0;
                    }
                }
            }
        }
    }

    fn committed(&self) -> bool {
        self.quantity
            .iter()
            .zip(&self.in_plan)
            .any(|(&q, &in_plan)| in_plan && q > 0.0)
    }

    fn contract(&self) -> Contract {
        let (facility, buyer, product) = self.triple;
        Contract {
            id: self.id.clone(),
            facility,
            buyer,
            product,
            quantity: self.quantity.clone(),
            penalty: self.penalty,
            price: self.price,
        }
    }

    /// Committed units of group `g` in the contract's plan.
    fn volume(&self, groups: &Groups, g: usize) -> f64 {
        groups
            .of_period
            .iter()
            .enumerate()
            .filter(|&(t, &group)| group == g && self.in_plan[t])
            .map(|(t, _)| self.quantity[t])
            .sum()
    }

    /// Lowers every commitment the re-plan fell short of to what it
    /// shipped (rounded down), so that the re-plan honours the lowered
    /// contract in full; a group whose volume falls below `min_volume`
    /// loses its commitment. Other periods keep their commitment: the
    /// year's rate stays wherever it was met.
    fn lower_to(
        &mut self,
        groups: &Groups,
        shipped: &[f64],
        min_volume: f64,
        labels: &[String],
    ) -> Vec<Lowering> {
        let mut lowered = Vec::new();
        let mut touched = vec![false; groups.len()];
        for t in 0..self.quantity.len() {
            if !self.in_plan[t] || !is_short(self.quantity[t], shipped[t]) {
                continue;
            }
            let to = round_down(shipped[t]).min(self.quantity[t]);
            lowered.push(Lowering {
                contract: self.id.clone(),
                period: labels[t].clone(),
                from: self.quantity[t],
                to,
            });
            self.quantity[t] = to;
            touched[groups.of_period[t]] = true;
        }
        let touched: Vec<usize> = (0..groups.len()).filter(|&g| touched[g]).collect();
        self.drop_small_groups(groups, &touched, min_volume);
        lowered
    }

    fn record(&self, scenario: &Scenario, groups: &Groups) -> RecommendedContract {
        let (facility, buyer, product) = self.triple;
        RecommendedContract {
            id: self.id.clone(),
            facility: scenario.facilities[facility.index()].id.clone(),
            buyer: scenario.actors[buyer.index()].id.clone(),
            product: scenario.products[product.index()].id.clone(),
            penalty: self.penalty,
            price: self.price,
            volumes: (0..groups.len())
                .map(|g| {
                    let mut in_group = groups
                        .of_period
                        .iter()
                        .enumerate()
                        .filter(|&(t, &group)| group == g && self.in_plan[t])
                        .map(|(t, _)| self.quantity[t]);
                    let first = in_group.next();
                    let flat = first.filter(|&f| in_group.all(|q| q == f));
                    GroupVolume {
                        group: groups.labels[g].clone(),
                        periods: self.periods[g],
                        planned: self.planned[g],
                        volume: self.volume(groups, g),
                        flat_rate: flat,
                    }
                })
                .collect(),
            schedule: self.quantity.clone(),
        }
    }
}

/// The flat rate committing `volume` over `periods` periods: 0 when the
/// volume is below `min_volume` (or noise), else rounded down.
fn rate_for(volume: f64, periods: usize, min_volume: f64) -> f64 {
    if periods == 0 || volume <= EPSILON || volume < min_volume {
        return 0.0;
    }
    let rate = round_down(volume / periods as f64);
    if rate * (periods as f64) < min_volume {
        0.0
    } else {
        rate
    }
}

fn comparison(scenario: &Scenario, base: &Plan, variant: &Scenario, plan: &Plan) -> Comparison {
    let base = Outcome::of(scenario, base);
    let outcome = Outcome::of(variant, plan);
    Comparison {
        variants: vec![VariantOutcome {
            delta: delta(&base, &outcome),
            outcome,
        }],
        base,
    }
}

#[cfg(test)]
mod tests {
    use caisson_model::DemandId;
    use caisson_plan::{PlanStatus, ShipmentRecord};

    use super::*;
    use crate::recommend::contracts_toml;

    /// Half a year of 2025 and half of 2026, monthly; S ships to B with a
    /// lead time of 1, so the last period (2026-06) is outside the plan.
    const TINY: &str = r#"
        [scenario]
        name = "tiny"
        start = "2025-07"
        periods = 12
        [[actor]]
        id = "S"
        [[actor]]
        id = "B"
        [[product]]
        id = "p"
        [[facility]]
        id = "f"
        actor = "S"
        [[facility.line]]
        id = "main"
        capacity = 100
        products = { p = { cost = 1 } }
        [[route]]
        from = "S"
        to = "B"
        lead_time = 1
        [[demand]]
        id = "d"
        buyer = "B"
        product = "p"
        quantity = 10
        penalty = 5
        [[demand]]
        id = "d2"
        buyer = "B"
        product = "p"
        quantity = 1
        penalty = 7
    "#;

    fn load(source: &str) -> Scenario {
        match caisson_scenario::load_str(source, "test.toml") {
            Ok(loaded) => loaded.scenario,
            Err(error) => panic!("test scenario invalid:\n{error}"),
        }
    }

    /// A solved plan holding only the given (demand, period, quantity)
    /// shipments from facility 0.
    fn plan_with(shipments: &[(usize, usize, f64)]) -> Plan {
        let mut plan = Plan::without_solution(PlanStatus::Optimal, "test", None);
        plan.objective = Some(0.0);
        plan.shipments = shipments
            .iter()
            .map(|&(demand, period, quantity)| ShipmentRecord {
                facility: FacilityId::new(0),
                demand: DemandId::new(demand),
                product: ProductId::new(0),
                period,
                arrival: period + 1,
                quantity,
            })
            .collect();
        plan
    }

    fn triple() -> Triple {
        (FacilityId::new(0), ActorId::new(1), ProductId::new(0))
    }

    #[test]
    fn shipments_add_up_per_calendar_year_and_spread_over_planned_periods() {
        let scenario = load(TINY);
        let groups = Groups::of(&scenario, Grouping::Year);
        assert_eq!(groups.labels, ["2025", "2026"]);
        // 2025: 60 + 60; 2026: 5 x 10 to d plus 7 to d2.
        let mut shipments = vec![(0, 0, 60.0), (0, 3, 60.0), (1, 8, 7.0)];
        shipments.extend((6..=10).map(|t| (0, t, 10.0)));
        let plan = plan_with(&shipments);
        let volumes = planned_volumes(&scenario, &groups, std::slice::from_ref(&plan), 0.5);
        assert_eq!(volumes.len(), 1);
        assert_eq!(volumes[&triple()], [120.0, 57.0]);

        let mut ids = Vec::new();
        let options = RecommendOptions::default();
        let draft = Draft::new(
            &scenario,
            &groups,
            triple(),
            &volumes[&triple()],
            None,
            &options,
            &mut ids,
        );
        assert_eq!(draft.id, "rec:f:B:p");
        // 2026-06 + lead 1 lies past the horizon: 5 periods of 2026 count.
        assert_eq!(draft.periods, [6, 5]);
        let mut expected = vec![20.0; 6];
        expected.extend([11.4; 6]);
        assert_eq!(draft.quantity, expected);
        // The buyer's highest demand penalty.
        assert_eq!(draft.penalty, 7.0);
        let record = draft.record(&scenario, &groups);
        assert_eq!(record.volumes[0].volume, 120.0);
        assert!((record.volumes[1].volume - 57.0).abs() < 1e-9);
        assert_eq!(record.volumes[1].flat_rate, Some(11.4));
    }

    #[test]
    fn quantile_is_taken_per_group_over_plans_counting_absent_as_zero() {
        let scenario = load(TINY);
        let groups = Groups::of(&scenario, Grouping::Year);
        let plans = [
            plan_with(&[]),
            plan_with(&[(0, 1, 100.0), (0, 7, 40.0)]),
            plan_with(&[(0, 2, 300.0)]),
        ];
        let at = |q| planned_volumes(&scenario, &groups, &plans, q)[&triple()].clone();
        assert_eq!(at(0.5), [100.0, 0.0]);
        assert_eq!(at(0.25), [50.0, 0.0]);
        assert_eq!(at(1.0), [300.0, 40.0]);
        assert_eq!(at(0.0), [0.0, 0.0]);
    }

    #[test]
    fn quantile_interpolates_between_order_statistics() {
        assert_eq!(quantile(&mut [3.0, 1.0, 2.0, 4.0], 0.5), 2.5);
        assert_eq!(quantile(&mut [5.0], 0.9), 5.0);
        assert_eq!(quantile(&mut [], 0.5), 0.0);
        assert_eq!(quantile(&mut [10.0, 0.0], 0.2), 2.0);
    }

    #[test]
    fn commitments_round_down_to_four_significant_digits() {
        assert_eq!(round_down(1234.56), 1234.0);
        assert_eq!(round_down(12345.6), 12340.0);
        assert_eq!(round_down(0.85), 0.85);
        assert_eq!(round_down(0.012_349), 0.01234);
        assert_eq!(round_down(11.4), 11.4);
        assert_eq!(round_down(0.0), 0.0);
        assert_eq!(round_down(-3.0), 0.0);
        for value in [0.3, 7.77, 1e6 / 7.0, 123.456, 99_999.9] {
            assert!(round_down(value) <= value, "{value}");
        }
    }

    #[test]
    fn small_volumes_get_no_commitment() {
        assert_eq!(rate_for(120.0, 6, 0.0), 20.0);
        assert_eq!(rate_for(120.0, 6, 121.0), 0.0);
        assert_eq!(rate_for(1e-9, 6, 0.0), 0.0);
        assert_eq!(rate_for(50.0, 0, 0.0), 0.0);
    }

    #[test]
    fn quarters_group_months_by_calendar_quarter() {
        let scenario = load(TINY);
        let groups = Groups::of(&scenario, Grouping::Quarter);
        assert_eq!(groups.labels, ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]);
        assert_eq!(groups.of_period, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
        let periods = Groups::of(&scenario, Grouping::Period);
        assert_eq!(periods.labels.len(), 12);
        assert_eq!(periods.labels[6], "2026-01");
    }

    #[test]
    fn lowering_sets_short_periods_to_what_was_shipped() {
        let scenario = load(TINY);
        let groups = Groups::of(&scenario, Grouping::Year);
        let mut ids = Vec::new();
        let mut draft = Draft::new(
            &scenario,
            &groups,
            triple(),
            &[120.0, 50.0],
            None,
            &RecommendOptions::default(),
            &mut ids,
        );
        let mut shipped = vec![20.0; 12];
        shipped[1] = 5.5;
        shipped[7] = 0.0;
        shipped[11] = 0.0; // outside the plan: not checked
        let labels = scenario.calendar.labels();
        let lowered = draft.lower_to(&groups, &shipped, 0.0, &labels);
        let short: Vec<(&str, f64, f64)> = lowered
            .iter()
            .map(|l| (l.period.as_str(), l.from, l.to))
            .collect();
        assert_eq!(short, [("2025-08", 20.0, 5.5), ("2026-02", 10.0, 0.0)]);
        assert_eq!(draft.quantity[1], 5.5);
        assert_eq!(draft.quantity[11], 10.0);
        // A minimum volume drops a group that fell below it.
        shipped[6] = 1.0;
        draft.lower_to(&groups, &shipped, 39.0, &labels);
        assert!(draft.quantity[6..].iter().all(|&q| q == 0.0));
        assert_eq!(draft.volume(&groups, 0), 105.5);
    }

    #[test]
    fn existing_contracts_are_left_alone() {
        let source = format!(
            "{TINY}\n[[contract]]\nid = \"c\"\nfacility = \"f\"\nbuyer = \"B\"\n\
             product = \"p\"\nquantity = 3\npenalty = 1\n"
        );
        let scenario = load(&source);
        let base = plan_with(&[(0, 0, 60.0)]);
        let result = recommend(&scenario, &base, &[], &RecommendOptions::default(), &|_| {
            panic!("nothing to re-plan")
        });
        let Ok(result) = result else {
            panic!("{result:?}");
        };
        assert!(result.contracts.is_empty());
        assert_eq!(result.already_contracted, ["c"]);
        assert!(result.rounds.is_empty());
    }

    #[test]
    fn bad_options_are_rejected() {
        let scenario = load(TINY);
        let base = plan_with(&[]);
        for options in [
            RecommendOptions {
                quantile: 1.5,
                ..RecommendOptions::default()
            },
            RecommendOptions {
                penalty: Some(-1.0),
                ..RecommendOptions::default()
            },
            RecommendOptions {
                min_volume: f64::NAN,
                ..RecommendOptions::default()
            },
        ] {
            let result = recommend(&scenario, &base, &[], &options, &|_| {});
            assert!(
                matches!(result, Err(RecommendError::BadOption { .. })),
                "{result:?}"
            );
        }
        let unsolved = Plan::without_solution(PlanStatus::Error, "test", None);
        let result = recommend(
            &scenario,
            &unsolved,
            &[],
            &RecommendOptions::default(),
            &|_| {},
        );
        assert!(matches!(
            result,
            Err(RecommendError::BaseUnsolved { status: "error" })
        ));
    }

    /// Demand starts in July: the optimum ships 100 a month from July. A
    /// flat 2025 rate of 50 cannot be met before July (deliveries never run
    /// ahead of requirements), so one round lowers January-June to 0 and the
    /// second round honours the rest. Capped at the optimal plan's
    /// shipments, the same schedule holds in the first round.
    #[test]
    fn unmet_flat_rates_are_lowered_until_a_replan_honours_them() {
        let scenario = load(
            r#"
            [scenario]
            name = "seasonal"
            start = "2025-01"
            periods = 12
            [[actor]]
            id = "S"
            [[actor]]
            id = "B"
            [[product]]
            id = "p"
            [[facility]]
            id = "f"
            actor = "S"
            [[facility.line]]
            id = "main"
            capacity = 100
            products = { p = { cost = 1 } }
            [[demand]]
            id = "d"
            buyer = "B"
            product = "p"
            quantity = { "2025-01" = 0, "2025-07" = 100 }
            penalty = 10
            "#,
        );
        let options = RecommendOptions {
            shape: Shape::Flat,
            ..RecommendOptions::default()
        };
        let base = plan_base(&scenario, &options.plan);
        assert_eq!(base.objective, Some(600.0));
        let plans = std::sync::atomic::AtomicUsize::new(0);
        let result = recommend(&scenario, &base, &[], &options, &|_| {
            plans.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        let Ok(result) = result else {
            panic!("{result:?}");
        };
        assert_eq!(plans.into_inner(), 2);
        assert_eq!(result.rounds.len(), 2);
        assert_eq!(result.rounds[0].shortfall, 300.0);
        assert_eq!(result.rounds[0].lowered.len(), 6);
        assert!(result.rounds[1].lowered.is_empty());
        assert_eq!(result.rounds[1].shortfall, 0.0);
        assert_eq!(result.contracts.len(), 1);
        let contract = &result.contracts[0];
        let mut expected = vec![0.0; 6];
        expected.extend([50.0; 6]);
        assert_eq!(contract.schedule, expected);
        assert_eq!(contract.volumes[0].planned, 600.0);
        assert_eq!(contract.volumes[0].volume, 300.0);
        assert_eq!(contract.volumes[0].flat_rate, None);
        assert_eq!(contract.penalty, 10.0);
        // Signing costs nothing here: the optimum already ships that much.
        let delta = &result.comparison.variants[0].delta;
        assert_eq!(delta.objective, Some(0.0));

        // The contracts written as TOML load back as the same contracts.
        let toml = caisson_scenario::to_toml(&scenario) + &contracts_toml(&scenario, &result);
        let reloaded = load(&toml);
        assert_eq!(reloaded.contracts, result.model_contracts());

        // With one re-plan allowed, that re-plan's decisions re-derived
        // under the lowered commitments are the proof.
        let once = RecommendOptions {
            max_rounds: 1,
            ..options.clone()
        };
        let result = recommend(&scenario, &base, &[], &once, &|_| {});
        let Ok(result) = result else {
            panic!("{result:?}");
        };
        let replanned: Vec<bool> = result.rounds.iter().map(|r| r.replanned).collect();
        assert_eq!(replanned, [true, false]);
        assert_eq!(result.rounds[1].shortfall, 0.0);
        assert_eq!(result.contracts[0].schedule, expected);
        assert_eq!(result.comparison.variants[0].outcome.objective, Some(600.0));

        let capped = recommend(&scenario, &base, &[], &RecommendOptions::default(), &|_| {});
        let Ok(capped) = capped else {
            panic!("{capped:?}");
        };
        assert_eq!(capped.rounds.len(), 1);
        assert_eq!(capped.contracts[0].schedule, expected);
    }

    #[test]
    fn capped_commitments_never_exceed_the_base_plans_shipments() {
        let scenario = load(TINY);
        let groups = Groups::of(&scenario, Grouping::Year);
        let mut cap = vec![30.0; 12];
        cap[2] = 4.25;
        cap[7] = 0.0;
        let mut ids = Vec::new();
        let draft = Draft::new(
            &scenario,
            &groups,
            triple(),
            &[120.0, 50.0],
            Some(&cap),
            &RecommendOptions::default(),
            &mut ids,
        );
        let mut expected = vec![20.0, 20.0, 4.25, 20.0, 20.0, 20.0];
        // 2026-06 lies outside the plan and keeps the year's rate.
        expected.extend([10.0, 0.0, 10.0, 10.0, 10.0, 10.0]);
        assert_eq!(draft.quantity, expected);
        assert_eq!(draft.volume(&groups, 1), 40.0);
        // A minimum volume applies to what is left after capping.
        let options = RecommendOptions {
            min_volume: 41.0,
            ..RecommendOptions::default()
        };
        let draft = Draft::new(
            &scenario,
            &groups,
            triple(),
            &[120.0, 50.0],
            Some(&cap),
            &options,
            &mut ids,
        );
        assert_eq!(draft.id, "rec:f:B:p-2");
        assert!(draft.quantity[6..].iter().all(|&q| q == 0.0));
        assert_eq!(draft.volume(&groups, 0), 104.25);
    }
}
