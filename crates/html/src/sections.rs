//! The report sections of analysis results (`caisson-analysis`'s result
//! types, read without a solver): a comparison's metrics and a risk
//! report's criticality ranking. One conversion, used by the CLI (`compare`,
//! `risk`, `demo`) and by the platform server (`GET /runs/{run}/report` of
//! an analysis run), so both draw the same charts from the same figures. A
//! simulation needs none: its `caisson-simulation/1` JSON is the section.

use caisson_analysis::compare::Comparison as Compared;
use caisson_analysis::outcome::Outcome;
use caisson_analysis::risk::{Impact, RiskReport, Subject};

use crate::document::{
    Comparison, ComparisonMetric, ComparisonWindow, Criticality, CriticalityItem,
};

/// The comparison as report metrics: objective, then per product delivered
/// units, fill rate and shortage.
pub fn comparison_section(comparison: &Compared) -> Comparison {
    let outcomes: Vec<&Outcome> = comparison.variants.iter().map(|v| &v.outcome).collect();
    let metric =
        |label: String, unit: &str, better: &str, get: &dyn Fn(&Outcome) -> Option<f64>| {
            ComparisonMetric {
                label,
                unit: unit.to_owned(),
                better: Some(better.to_owned()),
                base: get(&comparison.base),
                values: outcomes.iter().map(|o| get(o)).collect(),
            }
        };
    let mut metrics = vec![metric("objective".into(), "cost", "lower", &|o| {
        o.objective
    })];
    for product in &comparison.base.products {
        let id = product.kpi.product.as_str();
        let of = |o: &Outcome| {
            o.products
                .iter()
                .find(|p| p.kpi.product == id)
                .map(|p| p.kpi.clone())
        };
        metrics.push(metric(format!("{id} delivered"), "units", "higher", &|o| {
            of(o).map(|p| p.delivered)
        }));
        metrics.push(metric(format!("{id} fill rate"), "%", "higher", &|o| {
            of(o).and_then(|p| p.fill_rate).map(|r| r * 100.0)
        }));
        metrics.push(metric(
            format!("{id} shortage"),
            "unit-periods",
            "lower",
            &|o| of(o).map(|p| p.shortage),
        ));
    }
    Comparison {
        base: comparison.base.scenario.clone(),
        variants: outcomes.iter().map(|o| o.scenario.clone()).collect(),
        metrics,
        windows: comparison_windows(&comparison.base, &outcomes),
    }
}

/// One row per policy or route with a time window in some case.
fn comparison_windows(base: &Outcome, variants: &[&Outcome]) -> Vec<ComparisonWindow> {
    let mut subjects: Vec<&str> = Vec::new();
    for w in std::iter::once(base)
        .chain(variants.iter().copied())
        .flat_map(|o| &o.windows)
    {
        if !subjects.contains(&w.subject.as_str()) {
            subjects.push(&w.subject);
        }
    }
    let periods = |o: &Outcome, subject: &str| {
        o.windows
            .iter()
            .find(|w| w.subject == subject)
            .map(|w| w.periods.clone())
    };
    subjects
        .into_iter()
        .map(|subject| ComparisonWindow {
            subject: subject.to_owned(),
            base: periods(base, subject),
            values: variants.iter().map(|o| periods(o, subject)).collect(),
        })
        .collect()
}

/// Display text of what a risk re-plan lost or lifted.
pub fn subject_text(subject: &Subject) -> String {
    match subject {
        Subject::Exporter { actor } => format!("exporter {actor}"),
        Subject::Facility { facility } => format!("facility {facility}"),
        Subject::Policy { policy, window } => format!("policy {policy}{}", binds(window)),
        Subject::PolicyList {
            policy,
            list,
            window,
        } => format!("policy {policy} {list}{}", binds(window)),
    }
}

/// `" (binds 2026-03..2026-06)"` for a time-windowed policy, nothing for
/// one binding over the whole horizon (whose label stays as it was).
fn binds(window: &Option<String>) -> String {
    window
        .as_deref()
        .map(|w| format!(" (binds {w})"))
        .unwrap_or_default()
}

fn subject_kind(subject: &Subject) -> &'static str {
    match subject {
        Subject::Exporter { .. } => "exporter",
        Subject::Facility { .. } => "facility",
        Subject::Policy { .. } | Subject::PolicyList { .. } => "policy",
    }
}

/// The risk report as a ranked bar chart of extra shortage (losses and
/// policies together, ranked by harm).
pub fn criticality_section(report: &RiskReport) -> Criticality {
    let item = |impact: &Impact| {
        let per_product: Vec<String> = impact
            .shortage
            .iter()
            .filter(|p| p.shortage.abs() > 1e-6)
            .map(|p| format!("{} {:+.0}", p.product, p.shortage))
            .collect();
        CriticalityItem {
            name: subject_text(&impact.subject),
            kind: subject_kind(&impact.subject).to_owned(),
            value: impact.shortage.iter().map(|p| p.shortage).sum(),
            detail: Some(format!(
                "extra cost {}; {}",
                impact
                    .cost
                    .map_or_else(|| "-".into(), |c| format!("{c:+.0}")),
                if per_product.is_empty() {
                    "no change in shortage".to_owned()
                } else {
                    per_product.join(", ")
                }
            )),
        }
    };
    let mut items: Vec<CriticalityItem> = report
        .criticality
        .iter()
        .chain(&report.policies)
        .map(item)
        .collect();
    items.sort_by(|a, b| b.value.total_cmp(&a.value));
    Criticality {
        measure: "extra shortage when the supplier is lost, or caused by the policy".to_owned(),
        unit: "unit-periods (all products)".to_owned(),
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_windowed_policy_label_names_its_window_and_others_stay_as_they_were() {
        let plain = Subject::Policy {
            policy: "p".into(),
            window: None,
        };
        assert_eq!(subject_text(&plain), "policy p");
        let windowed = Subject::PolicyList {
            policy: "p".into(),
            list: "deny_export".into(),
            window: Some("2026-03..2026-06".into()),
        };
        assert_eq!(
            subject_text(&windowed),
            "policy p deny_export (binds 2026-03..2026-06)"
        );
        // The JSON of a policy without a window has no `window` key.
        let json = serde_json::to_value(&plain).expect("serialises");
        assert_eq!(json, serde_json::json!({"kind": "policy", "policy": "p"}));
    }
}
