//! The demo's answer in plain words, computed from the comparison and the
//! risk analysis of the built-in scenario.
//!
//! The question: should Europe integrate Serbia's ammunition capacity through
//! long-term contracts, or lose it, and what does each choice mean for
//! Ukraine's shortages and for Europe's dependence on Serbia?

use std::fmt::Write as _;

use caisson_analysis::compare::Comparison;
use caisson_analysis::outcome::Outcome;
use caisson_analysis::risk::{RiskReport, Subject};
use caisson_model::Scenario;
use caisson_plan::Role;

use crate::format::{fmt_delta, fmt_rate, fmt_units, fmt_units_delta};

const END_USER: &str = "UKR";
const SUPPLIER: &str = "SRB";
const NEUTRALITY_POLICY: &str = "srb-neutrality";
const EUROPE: &str = "EU";

/// Key numbers of one scenario, per product, for the end user.
struct Supply {
    product: String,
    required: f64,
    delivered: f64,
    shortage: f64,
    supplier_share: f64,
}

fn supply(outcome: &Outcome) -> Vec<Supply> {
    let mut rows: Vec<Supply> = Vec::new();
    for d in outcome
        .demands
        .iter()
        .map(|d| &d.kpi)
        .filter(|d| d.end_user == END_USER)
    {
        let row = match rows.iter_mut().position(|r| r.product == d.product) {
            Some(i) => &mut rows[i],
            None => {
                let supplier_share = outcome
                    .dependency
                    .iter()
                    .find(|p| {
                        p.role == Role::EndUser && p.receiver == END_USER && p.product == d.product
                    })
                    .and_then(|p| p.by_exporter.iter().find(|s| s.id == SUPPLIER))
                    .map_or(0.0, |s| s.share);
                rows.push(Supply {
                    product: d.product.clone(),
                    required: 0.0,
                    delivered: 0.0,
                    shortage: 0.0,
                    supplier_share,
                });
                rows.last_mut().expect("just pushed")
            }
        };
        row.required += d.required;
        row.delivered += d.delivered;
        row.shortage += d.shortage;
    }
    rows
}

/// Share of units bought by members of `EUROPE` that come from `SUPPLIER`,
/// per product (only products with any such purchase).
fn europe_dependence(scenario: &Scenario, outcome: &Outcome) -> Vec<(String, f64)> {
    let in_europe = |id: &str| {
        scenario
            .actors
            .iter()
            .find(|a| a.id == id)
            .is_some_and(|a| {
                a.blocs
                    .iter()
                    .any(|&b| scenario.blocs[b.index()].id == EUROPE)
            })
    };
    let mut totals: Vec<(String, f64, f64)> = Vec::new();
    for p in outcome
        .dependency
        .iter()
        .filter(|p| p.role == Role::Buyer && in_europe(&p.receiver))
    {
        let from_supplier = p
            .by_exporter
            .iter()
            .find(|s| s.id == SUPPLIER)
            .map_or(0.0, |s| s.units);
        match totals.iter_mut().find(|t| t.0 == p.product) {
            Some(t) => {
                t.1 += from_supplier;
                t.2 += p.delivered;
            }
            None => totals.push((p.product.clone(), from_supplier, p.delivered)),
        }
    }
    totals
        .into_iter()
        .filter(|t| t.2 > 0.0)
        .map(|(product, from, total)| (product, from / total))
        .collect()
}

/// The computed answer.
pub struct Answer<'a> {
    scenario: &'a Scenario,
    comparison: &'a Comparison,
    risk: &'a RiskReport,
}

impl<'a> Answer<'a> {
    /// Collects what the answer needs.
    pub fn new(scenario: &'a Scenario, comparison: &'a Comparison, risk: &'a RiskReport) -> Self {
        Self {
            scenario,
            comparison,
            risk,
        }
    }

    fn outcome(&self, label: &str) -> Option<&'a Outcome> {
        if self.comparison.base.scenario == label {
            return Some(&self.comparison.base);
        }
        self.comparison
            .variants
            .iter()
            .map(|v| &v.outcome)
            .find(|o| o.scenario == label)
    }

    /// The answer as Markdown (also printed on the terminal).
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let calendar = &self.scenario.calendar;
        let _ = writeln!(
            s,
            "# Serbia's capacity: integrate or lose? ({} to {})\n",
            calendar.label(0),
            calendar.label(calendar.periods.saturating_sub(1))
        );
        let cases = [
            ("base", "today's arrangements"),
            (
                "serbia-integrated",
                "Serbia integrated by EU long-term contracts",
            ),
            ("serbia-lost", "Serbian exports to the EU and NATO stopped"),
        ];
        let outcomes: Vec<(&str, &Outcome)> = cases
            .iter()
            .filter_map(|(label, text)| self.outcome(label).map(|o| (*text, o)))
            .collect();
        if outcomes.is_empty() {
            return s;
        }
        let _ = writeln!(
            s,
            "Ukraine's ammunition over the horizon, by product (delivered / required, fill rate, \
             shortage in unit-months of backlog, Serbia's share of what arrives):\n"
        );
        let _ = writeln!(
            s,
            "| product | case | delivered | required | fill | shortage | from Serbia |"
        );
        let _ = writeln!(s, "|---|---|---:|---:|---:|---:|---:|");
        // Each case's per-product figures, computed once.
        let supplies: Vec<(&str, Vec<Supply>)> = outcomes
            .iter()
            .map(|(text, o)| (*text, supply(o)))
            .collect();
        for product in &supplies[0].1 {
            for (text, rows) in &supplies {
                if let Some(r) = rows.iter().find(|r| r.product == product.product) {
                    let _ = writeln!(
                        s,
                        "| {} | {} | {} | {} | {} | {} | {:.1}% |",
                        r.product,
                        text,
                        fmt_units(r.delivered),
                        fmt_units(r.required),
                        fmt_rate((r.required > 0.0).then(|| r.delivered / r.required)),
                        fmt_units(r.shortage),
                        r.supplier_share * 100.0
                    );
                }
            }
        }
        let total = |rows: &[Supply]| rows.iter().map(|r| r.shortage).sum::<f64>();
        let base_total = total(&supplies[0].1);
        let _ = writeln!(s, "\nIn plain words:\n");
        for (text, rows) in supplies.iter().skip(1) {
            let change = total(rows) - base_total;
            let relative = if base_total > 0.0 {
                format!(" ({:+.1}%)", change / base_total * 100.0)
            } else {
                String::new()
            };
            let _ = writeln!(
                s,
                "- With {text}, Ukraine's total shortage changes by {} unit-months{relative} \
                 against today's arrangements (all products; shortage counts every month a round \
                 is owed and not delivered).",
                fmt_units_delta(change)
            );
        }
        for (text, outcome) in &outcomes {
            let dependence = europe_dependence(self.scenario, outcome);
            let parts: Vec<String> = dependence
                .iter()
                .filter(|(_, share)| *share > 0.0005)
                .map(|(product, share)| format!("{product} {:.1}%", share * 100.0))
                .collect();
            let _ = writeln!(
                s,
                "- Europe's dependence on Serbia with {text}: share of rounds bought by EU \
                 members that Serbia makes: {}.",
                if parts.is_empty() {
                    "none".to_owned()
                } else {
                    parts.join(", ")
                }
            );
        }
        self.risk_lines(&mut s);
        let _ = writeln!(
            s,
            "\nEvery figure is the optimum of the planning model on the scenario's sourced and \
             assumed data (see docs/europe-2025-data.md for sources and assumptions); \
             the report shows why each shortage remains."
        );
        s
    }

    fn risk_lines(&self, s: &mut String) {
        let losses = &self.risk.criticality;
        if let Some((rank, impact)) = losses
            .iter()
            .enumerate()
            .find(|(_, i)| matches!(&i.subject, Subject::Exporter { actor } if actor == SUPPLIER))
        {
            let extra: f64 = impact.shortage.iter().map(|p| p.shortage).sum();
            let _ = writeln!(
                s,
                "- Losing Serbia as an exporter ranks {} of {} supplier losses: {} unit-months \
                 of extra shortage, {} extra cost.",
                rank + 1,
                losses.len(),
                fmt_units_delta(extra),
                impact.cost.map_or_else(|| "-".into(), fmt_delta)
            );
        }
        if let Some(top) = losses.first() {
            let extra: f64 = top.shortage.iter().map(|p| p.shortage).sum();
            let _ = writeln!(
                s,
                "- The most critical supplier is {}: losing it adds {} unit-months of shortage.",
                crate::sections::subject_text(&top.subject),
                fmt_units_delta(extra)
            );
        }
        if let Some(policy) = self.risk.policies.iter().find(
            |i| matches!(&i.subject, Subject::Policy { policy, .. } if policy == NEUTRALITY_POLICY),
        ) {
            let extra: f64 = policy.shortage.iter().map(|p| p.shortage).sum();
            let _ = writeln!(
                s,
                "- Serbia's neutrality rule (no exports to parties of the war; buyers may \
                 re-export) costs {} unit-months of shortage: the price of the policy, against a \
                 re-plan without it.",
                fmt_units_delta(extra)
            );
        }
    }
}
