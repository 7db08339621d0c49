//! Quarterly aggregation of a monthly scenario: a quick strategic look at a
//! model a third of the size, clearly an approximation.
//!
//! Three months become one quarter. Quantities per period add up (line
//! capacities, demand and contract schedules, expansion capacities); costs
//! per unit and period scale with the months they cover (holding costs and
//! backlog penalties are charged per unit-quarter, three unit-months); lead
//! times and expansion windows are divided by three and rounded to the
//! nearest quarter. The plan of the aggregated scenario is exact for that
//! scenario but only approximates the monthly one: within a quarter it can
//! use capacity before the month it appears, ship before a one-month route
//! would let it arrive, and it cannot see a ramp-up's month. Shortages come
//! out in unit-quarters.

use caisson_model::{Calendar, PeriodKind, Scenario};

/// Months per quarter.
const MONTHS: usize = 3;

/// Why a scenario cannot be aggregated to quarters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AggregateError {
    /// Only monthly scenarios are aggregated.
    #[error(
        "the scenario's periods are {0}s; only a monthly scenario can be aggregated to quarters"
    )]
    NotMonthly(PeriodKind),
    /// The first month does not open a quarter.
    #[error(
        "the horizon starts in {0}; quarters need a horizon starting in January, April, July \
         or October"
    )]
    Unaligned(String),
}

/// A lead time in months as whole quarters, to the nearest (half a quarter
/// rounds up).
fn quarters(months: u32) -> u32 {
    (months + 1) / 3
}

/// Sums a monthly schedule in groups of three (the last group may be
/// shorter when the horizon is not a whole number of quarters).
fn sum_by_quarter(monthly: &[f64]) -> Vec<f64> {
    monthly
        .chunks(MONTHS)
        .map(|months| months.iter().sum())
        .collect()
}

/// The scenario aggregated to quarters (see the module documentation for
/// what is approximated). Its name says it is an aggregate.
pub fn to_quarters(scenario: &Scenario) -> Result<Scenario, AggregateError> {
    let calendar = scenario.calendar;
    if calendar.kind != PeriodKind::Month {
        return Err(AggregateError::NotMonthly(calendar.kind));
    }
    if calendar.start.rem_euclid(MONTHS as i64) != 0 {
        return Err(AggregateError::Unaligned(calendar.label(0)));
    }
    let factor = MONTHS as f64;
    let mut out = scenario.clone();
    out.name = format!("{} (aggregated to quarters)", scenario.name);
    out.calendar = Calendar {
        kind: PeriodKind::Quarter,
        start: calendar.start.div_euclid(MONTHS as i64),
        periods: calendar.periods.div_ceil(MONTHS),
    };
    out.default_lead_time = quarters(scenario.default_lead_time);
    for facility in &mut out.facilities {
        facility.holding_cost *= factor;
    }
    for line in &mut out.lines {
        line.capacity = sum_by_quarter(&line.capacity);
    }
    for expansion in &mut out.expansions {
        expansion.capacity *= factor;
        expansion.lead_time = quarters(expansion.lead_time);
        expansion.window = expansion
            .window
            .map(|(earliest, latest)| (earliest / MONTHS, latest / MONTHS));
    }
    for route in &mut out.routes {
        route.lead_time = quarters(route.lead_time);
    }
    for demand in &mut out.demands {
        demand.quantity = sum_by_quarter(&demand.quantity);
        // A unit owed for a quarter is owed for three months; a lost unit
        // is lost once, whatever the period's length.
        if demand.backlog {
            demand.penalty *= factor;
        }
    }
    for contract in &mut out.contracts {
        contract.quantity = sum_by_quarter(&contract.quantity);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lead_times_round_to_the_nearest_quarter() {
        let rounded: Vec<u32> = (0..8).map(quarters).collect();
        assert_eq!(rounded, [0, 0, 1, 1, 1, 2, 2, 2]);
    }

    #[test]
    fn schedules_sum_by_quarter_with_a_short_last_quarter() {
        assert_eq!(
            sum_by_quarter(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]),
            [6.0, 15.0, 7.0]
        );
    }
}
