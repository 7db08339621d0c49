//! Analysis results turned into the HTML report's sections.

use caisson_analysis::compare::Comparison;
use caisson_analysis::outcome::Outcome;
use caisson_analysis::risk::{Impact, RiskReport, Subject};
use caisson_html::{ComparisonMetric, Criticality, CriticalityItem};
use serde::Serialize;

/// The JSON that an analysis command prints and writes: the report section
/// `caisson report` draws (with its `format` tag, at the top level) and the
/// full analysis result under `analysis`, so one file serves both the
/// report and scripts.
#[derive(Debug, Serialize)]
pub struct SectionFile<'a, S, A> {
    format: &'static str,
    #[serde(flatten)]
    section: S,
    analysis: &'a A,
}

impl<'a, A: Serialize> SectionFile<'a, caisson_html::Comparison, A> {
    /// A `caisson-comparison/1` file.
    pub fn comparison(section: caisson_html::Comparison, analysis: &'a A) -> Self {
        SectionFile {
            format: caisson_html::COMPARISON_FORMAT,
            section,
            analysis,
        }
    }
}

impl<'a, A: Serialize> SectionFile<'a, Criticality, A> {
    /// A `caisson-criticality/1` file.
    pub fn criticality(section: Criticality, analysis: &'a A) -> Self {
        SectionFile {
            format: caisson_html::CRITICALITY_FORMAT,
            section,
            analysis,
        }
    }
}

/// The comparison as report metrics: objective, then per product delivered
/// units, fill rate and shortage.
pub fn comparison(comparison: &Comparison) -> caisson_html::Comparison {
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
    caisson_html::Comparison {
        base: comparison.base.scenario.clone(),
        variants: outcomes.iter().map(|o| o.scenario.clone()).collect(),
        metrics,
    }
}

/// Display text of what a risk re-plan lost or lifted.
pub fn subject_text(subject: &Subject) -> String {
    match subject {
        Subject::Exporter { actor } => format!("exporter {actor}"),
        Subject::Facility { facility } => format!("facility {facility}"),
        Subject::Policy { policy } => format!("policy {policy}"),
        Subject::PolicyList { policy, list } => format!("policy {policy} {list}"),
    }
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
pub fn criticality(report: &RiskReport) -> Criticality {
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
