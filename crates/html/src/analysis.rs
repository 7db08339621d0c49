//! Reading the optional analysis sections (`comparison`, `criticality`,
//! `simulation`, `sensitivity`, `breakeven`) from the JSON files of their producers, and checking their
//! shape so that the page never draws nonsense.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::document::{
    Breakeven, Comparison, Criticality, ReportDocument, Sensitivity, Simulation,
};
use crate::{ReportError, FORMAT};
use caisson_plan::FORMAT as PLAN_FORMAT;

/// The format tag of a standalone comparison file.
pub const COMPARISON_FORMAT: &str = "caisson-comparison/1";
/// The format tag of a standalone criticality file.
pub const CRITICALITY_FORMAT: &str = "caisson-criticality/1";
/// The format tag of a standalone simulation file.
pub const SIMULATION_FORMAT: &str = "caisson-simulation/1";
/// The format tag of a standalone sensitivity (tornado) file.
pub const SENSITIVITY_FORMAT: &str = "caisson-sensitivity/1";
/// The format tag of a standalone break-even (deal against ramp-up) file.
pub const BREAKEVEN_FORMAT: &str = "caisson-breakeven/1";

/// What a JSON input to the report is, by its top-level `format` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A `caisson-plan/1` plan (spec section 6).
    Plan,
    /// A whole `caisson-report/1` document.
    Report,
    /// A `caisson-comparison/1` section.
    Comparison,
    /// A `caisson-criticality/1` section.
    Criticality,
    /// A `caisson-simulation/1` section.
    Simulation,
    /// A `caisson-sensitivity/1` section.
    Sensitivity,
    /// A `caisson-breakeven/1` section.
    Breakeven,
}

impl InputKind {
    /// Classifies a JSON document by its `format` field; `None` when it has
    /// none or an unknown one (a JSON scenario, for instance).
    pub fn of(value: &Value) -> Option<Self> {
        match value.get("format").and_then(Value::as_str)? {
            PLAN_FORMAT => Some(InputKind::Plan),
            FORMAT => Some(InputKind::Report),
            COMPARISON_FORMAT => Some(InputKind::Comparison),
            CRITICALITY_FORMAT => Some(InputKind::Criticality),
            SIMULATION_FORMAT => Some(InputKind::Simulation),
            SENSITIVITY_FORMAT => Some(InputKind::Sensitivity),
            BREAKEVEN_FORMAT => Some(InputKind::Breakeven),
            _ => None,
        }
    }
}

fn parse<T: DeserializeOwned>(value: &Value, what: &'static str) -> Result<T, ReportError> {
    T::deserialize(value).map_err(|e| ReportError::Section {
        section: what,
        problem: e.to_string(),
    })
}

fn problem(section: &'static str, text: String) -> ReportError {
    ReportError::Section {
        section,
        problem: text,
    }
}

impl Comparison {
    /// Reads and checks a comparison (extra fields such as `format` are ignored).
    pub fn from_json(value: &Value) -> Result<Self, ReportError> {
        let c: Self = parse(value, "comparison")?;
        c.check()?;
        Ok(c)
    }

    /// Checks that every metric has one value per variant.
    pub fn check(&self) -> Result<(), ReportError> {
        for m in &self.metrics {
            if m.values.len() != self.variants.len() {
                return Err(problem(
                    "comparison",
                    format!(
                        "metric `{}` has {} values for {} variants",
                        m.label,
                        m.values.len(),
                        self.variants.len()
                    ),
                ));
            }
            if let Some(b) = m
                .better
                .as_deref()
                .filter(|b| !matches!(*b, "lower" | "higher"))
            {
                return Err(problem(
                    "comparison",
                    format!(
                        "metric `{}`: `better` is `{b}`, not `lower` or `higher`",
                        m.label
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl Criticality {
    /// Reads and checks a criticality ranking.
    pub fn from_json(value: &Value) -> Result<Self, ReportError> {
        parse(value, "criticality")
    }
}

impl Simulation {
    /// Reads and checks a simulation's percentile bands.
    pub fn from_json(value: &Value) -> Result<Self, ReportError> {
        let s: Self = parse(value, "simulation")?;
        s.check()?;
        Ok(s)
    }

    /// Checks that quantiles increase within [0, 1] and that every series
    /// has one row per quantile and one value per period, non-decreasing
    /// across quantiles.
    pub fn check(&self) -> Result<(), ReportError> {
        let q = &self.quantiles;
        if q.is_empty()
            || q.iter().any(|x| !(0.0..=1.0).contains(x))
            || q.windows(2).any(|w| w[0] >= w[1])
        {
            return Err(problem(
                "simulation",
                "`quantiles` must be a non-empty increasing list of numbers in [0, 1]".to_owned(),
            ));
        }
        for s in &self.series {
            if s.values.len() != q.len() {
                return Err(problem(
                    "simulation",
                    format!(
                        "series `{}` has {} rows for {} quantiles",
                        s.name,
                        s.values.len(),
                        q.len()
                    ),
                ));
            }
            if let Some(row) = s.values.iter().find(|r| r.len() != self.periods.len()) {
                return Err(problem(
                    "simulation",
                    format!(
                        "series `{}` has a row of {} values for {} periods",
                        s.name,
                        row.len(),
                        self.periods.len()
                    ),
                ));
            }
            for t in 0..self.periods.len() {
                if s.values
                    .windows(2)
                    .any(|w| w[0][t] > w[1][t] + 1e-9 * w[1][t].abs().max(1.0))
                {
                    return Err(problem(
                        "simulation",
                        format!(
                            "series `{}`: quantiles decrease in period {}",
                            s.name, self.periods[t]
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

impl Sensitivity {
    /// Reads and checks a sensitivity tornado.
    pub fn from_json(value: &Value) -> Result<Self, ReportError> {
        let s: Self = parse(value, "sensitivity")?;
        s.check()?;
        Ok(s)
    }

    /// Checks that every bar's range holds its base value (`low <= 1 <=
    /// high`) and that every figure is finite.
    pub fn check(&self) -> Result<(), ReportError> {
        let finite = |x: Option<f64>| x.is_none_or(f64::is_finite);
        if !finite(self.base) {
            return Err(problem("sensitivity", "`base` is not finite".to_owned()));
        }
        for bar in &self.bars {
            if !(bar.low.is_finite() && bar.high.is_finite() && bar.low <= 1.0 && bar.high >= 1.0) {
                return Err(problem(
                    "sensitivity",
                    format!(
                        "bar `{}`: `low` ({}) and `high` ({}) must hold 1",
                        bar.id, bar.low, bar.high
                    ),
                ));
            }
            if !finite(bar.at_low) || !finite(bar.at_high) {
                return Err(problem(
                    "sensitivity",
                    format!("bar `{}`: a measure is not finite", bar.id),
                ));
            }
        }
        Ok(())
    }
}

impl Breakeven {
    /// Reads and checks a break-even comparison.
    pub fn from_json(value: &Value) -> Result<Self, ReportError> {
        let b: Self = parse(value, "breakeven")?;
        b.check()?;
        Ok(b)
    }

    /// Checks that the probabilities increase within [0, 1] and that every
    /// measure has one finite value per probability and side.
    pub fn check(&self) -> Result<(), ReportError> {
        let in_unit = |h: &f64| (0.0..=1.0).contains(h);
        if !self.hazards.iter().all(in_unit) || self.hazards.windows(2).any(|w| w[1] <= w[0]) {
            return Err(problem(
                "breakeven",
                "`hazards` must increase within [0, 1]".to_owned(),
            ));
        }
        for m in &self.measures {
            let n = self.hazards.len();
            if m.deal.len() != n || m.ramp_up.len() != n {
                return Err(problem(
                    "breakeven",
                    format!(
                        "measure `{}`: `deal` and `ramp_up` need one value per hazard ({n})",
                        m.name
                    ),
                ));
            }
            if !m.deal.iter().chain(&m.ramp_up).all(|v| v.is_finite())
                || !m.breakeven.is_none_or(|h| in_unit(&h))
            {
                return Err(problem(
                    "breakeven",
                    format!(
                        "measure `{}`: a value is not finite or out of range",
                        m.name
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl ReportDocument {
    /// Reads a whole report document and checks its analysis sections.
    pub fn from_json(value: &Value) -> Result<Self, ReportError> {
        let doc: Self = parse(value, "report")?;
        if let Some(c) = &doc.comparison {
            c.check()?;
        }
        if let Some(s) = &doc.simulation {
            s.check()?;
        }
        if let Some(s) = &doc.sensitivity {
            s.check()?;
        }
        if let Some(b) = &doc.breakeven {
            b.check()?;
        }
        Ok(doc)
    }
}
