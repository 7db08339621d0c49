//! A starting solution for HiGHS made from the greedy baseline.
//!
//! On a big MIP, HiGHS may run for minutes before its own heuristics find a
//! first feasible solution, and a time limit reached before then leaves no
//! plan at all. The greedy baseline (`caisson_plan::greedy`) is feasible by
//! construction and takes well under a second even on the largest
//! generated scenarios, so its plan, mapped onto the model's columns, gives
//! HiGHS an incumbent before its first node: a run stopped early still
//! returns a plan (status `feasible`, with its gap), and the search prunes
//! against the incumbent's cost from the start. The optimum itself does not
//! depend on the start.

use std::collections::HashMap;

use caisson_model::Scenario;

use crate::build::Formulation;
use caisson_plan::{Flows, SolutionInfo};

use crate::vars::Var;
use caisson_plan::Network;
use caisson_plan::{Plan, PlanStatus};

/// The greedy plan of `scenario` as a value for every column of `f`, or
/// `None` when some part of it has no column (the greedy plan uses a flow
/// the model does not have: a bug in one or the other, so no start).
pub(crate) fn greedy_start(f: &Formulation, scenario: &Scenario) -> Option<Vec<f64>> {
    greedy_start_with(f, &f.network, scenario)
}

/// [`greedy_start`] for a model `f` built for another scenario of the same
/// structure (a re-solve, `crate::resolve`): the greedy plan of `scenario`,
/// whose allowed flows are `network`, on `f`'s columns.
pub(crate) fn greedy_start_with(
    f: &Formulation,
    network: &Network,
    scenario: &Scenario,
) -> Option<Vec<f64>> {
    let flows = caisson_plan::greedy_flows_with(scenario, network);
    let info = SolutionInfo {
        status: PlanStatus::Feasible,
        method: caisson_plan::GREEDY_METHOD.to_owned(),
        mip_gap: f64::INFINITY,
    };
    let plan = Plan::from_flows_with(scenario, network, &flows, info);
    column_values(f, scenario, &flows, &plan)
}

/// Every column's value for `flows` and the plan derived from them.
fn column_values(
    f: &Formulation,
    scenario: &Scenario,
    flows: &Flows,
    plan: &Plan,
) -> Option<Vec<f64>> {
    let column: HashMap<Var, usize> = f.cols.iter().enumerate().map(|(i, &v)| (v, i)).collect();
    let mut values = vec![0.0; f.cols.len()];
    let mut set = |var: Var, q: f64| -> Option<()> {
        if q != 0.0 {
            values[*column.get(&var)?] += q;
        }
        Some(())
    };
    let t = |period: usize| u32::try_from(period).ok();
    for x in &flows.production {
        let var = Var::X {
            line: x.line,
            product: x.product,
            t: t(x.period)?,
        };
        set(var, x.quantity)?;
    }
    for y in &flows.expansions {
        let var = Var::Y {
            expansion: y.expansion,
            t: t(y.period)?,
        };
        set(var, y.fraction)?;
    }
    for z in &flows.shipments {
        let var = Var::Z {
            facility: z.facility,
            demand: z.demand,
            t: t(z.period)?,
        };
        set(var, z.quantity)?;
    }
    for w in &flows.transfers {
        let period = t(w.period)?;
        match f.pools.pool_of(scenario, w.from, w.to, w.product) {
            Some(pool) => {
                set(
                    Var::Send {
                        pool,
                        from: w.from,
                        t: period,
                    },
                    w.quantity,
                )?;
                set(
                    Var::Receive {
                        pool,
                        to: w.to,
                        t: period,
                    },
                    w.quantity,
                )?;
            }
            None => set(
                Var::W {
                    from: w.from,
                    to: w.to,
                    product: w.product,
                    t: period,
                },
                w.quantity,
            )?,
        }
    }
    for s in &plan.stock {
        let var = Var::S {
            facility: s.facility,
            product: s.product,
            t: t(s.period)?,
        };
        set(var, s.quantity)?;
    }
    for d in &plan.demand {
        let demand = &scenario.demands[d.demand.index()];
        let period = t(d.period)?;
        if demand.backlog {
            set(
                Var::B {
                    demand: d.demand,
                    t: period,
                },
                d.backlog,
            )?;
        } else {
            set(
                Var::U {
                    demand: d.demand,
                    t: period,
                },
                d.lost,
            )?;
        }
    }
    for c in &plan.contracts {
        let var = Var::V {
            contract: c.contract,
            t: t(c.period)?,
        };
        set(var, c.shortfall)?;
    }
    Some(values)
}

#[cfg(test)]
mod tests {
    use caisson_generate::{generate, GenerateOptions, Shape, Size};
    use highs::{HighsModelStatus, Sense};

    use super::*;

    /// Fixing every column at the start leaves a feasible model whose
    /// objective is the greedy plan's: the start is the greedy plan, column
    /// for column, pooled transfers included.
    #[test]
    fn the_greedy_start_is_the_greedy_plan_column_for_column() {
        for seed in 0..3 {
            let shape = Shape {
                facilities: 24,
                products: 6,
                demands: 8,
                periods: 6,
            };
            let scenario = generate(&GenerateOptions {
                size: Size::Custom(shape),
                seed,
            });
            let f = Formulation::build(&scenario);
            assert!(
                f.stats.reductions.transfers_pooled > 0,
                "seed {seed}: no pool"
            );
            let Some(values) = greedy_start(&f, &scenario) else {
                panic!("seed {seed}: a greedy flow has no column");
            };
            let greedy = caisson_plan::greedy(&scenario)
                .objective
                .unwrap_or(f64::NAN);
            let mut model = match f.problem.clone().try_optimise(Sense::Minimise) {
                Ok(model) => model,
                Err(status) => panic!("seed {seed}: {status:?}"),
            };
            model.make_quiet();
            let all: Vec<usize> = (0..values.len()).collect();
            if let Err(error) = crate::ffi::change_col_bounds(&mut model, &all, &values, &values) {
                panic!("seed {seed}: {error}");
            }
            let solved = match model.try_solve() {
                Ok(solved) => solved,
                Err(status) => panic!("seed {seed}: {status:?}"),
            };
            assert_eq!(solved.status(), HighsModelStatus::Optimal, "seed {seed}");
            let objective = solved.objective_value();
            assert!(
                (objective - greedy).abs() <= 1e-6 * greedy.abs().max(1.0),
                "seed {seed}: fixed start costs {objective}, greedy plan {greedy}"
            );
        }
    }
}
