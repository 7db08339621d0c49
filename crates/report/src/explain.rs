//! The extra, non-spec arrays of a plan document: `explanations` ("why
//! short?", from [`caisson_planner::explain_shortages`]), `demands_info` and
//! `facilities_info` (what a reader of the plan file alone needs to name
//! buyers and exporting states). Every record uses ids and period labels,
//! never indices.

use caisson_model::{FacilityId, LineId, ProductId, Scenario};
use caisson_planner::{Cause, Plan, ShortageExplanation, Spare};
use serde::Serialize;
use serde_json::{json, Map, Value};

/// Why one demand was short (an entry of the extra `explanations` array).
#[derive(Debug, Clone, Serialize)]
pub struct ExplanationRow<'a> {
    /// Demand id.
    pub demand: &'a str,
    /// The explanation's heading sentence.
    pub text: String,
    /// Label of the first short period.
    pub first_short: String,
    /// Label of the last short period.
    pub last_short: String,
    /// How many periods were short.
    pub short_periods: usize,
    /// Unit-periods of backlog (backlog demands) or units lost (lost demands).
    pub total_shortage: f64,
    /// Causes, most important first: objects with `kind`, `text` and the
    /// cause's key fields (ids and period labels).
    pub causes: Vec<Value>,
    /// Causes found but left out.
    pub omitted: usize,
}

/// A demand's parties (an entry of the extra `demands_info` array).
#[derive(Debug, Clone, Serialize)]
pub struct DemandInfoRow<'a> {
    /// Demand id.
    pub demand: &'a str,
    /// Buying actor id.
    pub buyer: &'a str,
    /// End user actor id.
    pub end_user: &'a str,
    /// Product id.
    pub product: &'a str,
    /// Whether unmet demand is backlogged (false: lost).
    pub backlog: bool,
}

/// A facility's owner (an entry of the extra `facilities_info` array).
#[derive(Debug, Clone, Serialize)]
pub struct FacilityInfoRow<'a> {
    /// Facility id.
    pub facility: &'a str,
    /// Actor (state) id.
    pub actor: &'a str,
}

/// A flat, CSV-friendly cause: one row per cause (`explanations.csv`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CauseCsvRow<'a> {
    pub demand: &'a str,
    pub kind: String,
    pub text: String,
}

/// Labels explanations computed by [`caisson_planner::explain_shortages`].
pub(crate) fn explanation_rows<'a>(
    s: &'a Scenario,
    explanations: &[ShortageExplanation],
) -> Vec<ExplanationRow<'a>> {
    explanations
        .iter()
        .map(|x| ExplanationRow {
            demand: &s.demands[x.demand.index()].id,
            text: x.describe(s),
            first_short: s.calendar.label(x.short_periods.first),
            last_short: s.calendar.label(x.short_periods.last),
            short_periods: x.short_periods.count,
            total_shortage: x.short_periods.total_shortage,
            causes: x.causes.iter().map(|c| cause_json(s, c)).collect(),
            omitted: x.omitted,
        })
        .collect()
}

/// The explanations of `plan`'s short demands as rows (none without a
/// solution).
pub(crate) fn plan_explanation_rows<'a>(s: &'a Scenario, plan: &Plan) -> Vec<ExplanationRow<'a>> {
    if !plan.status.has_solution() {
        return Vec::new();
    }
    explanation_rows(s, &caisson_planner::explain_shortages(s, plan))
}

fn field(cause: &Value, key: &str) -> String {
    cause
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// One row per cause of every explanation, for `explanations.csv`.
pub(crate) fn cause_csv_rows<'a>(rows: &[ExplanationRow<'a>]) -> Vec<CauseCsvRow<'a>> {
    rows.iter()
        .flat_map(|x| {
            x.causes.iter().map(|c| CauseCsvRow {
                demand: x.demand,
                kind: field(c, "kind"),
                text: field(c, "text"),
            })
        })
        .collect()
}

pub(crate) fn demands_info(s: &Scenario) -> Vec<DemandInfoRow<'_>> {
    s.demands
        .iter()
        .map(|d| DemandInfoRow {
            demand: &d.id,
            buyer: &s.actors[d.buyer.index()].id,
            end_user: &s.actors[d.end_user.index()].id,
            product: &s.products[d.product.index()].id,
            backlog: d.backlog,
        })
        .collect()
}

pub(crate) fn facilities_info(s: &Scenario) -> Vec<FacilityInfoRow<'_>> {
    s.facilities
        .iter()
        .map(|f| FacilityInfoRow {
            facility: &f.id,
            actor: &s.actors[f.actor.index()].id,
        })
        .collect()
}

/// The `explanations` array of `plan` as JSON: one entry per short demand
/// (`demand`, `text`, `first_short`, `last_short`, `short_periods`,
/// `total_shortage`, `causes`, `omitted`); empty when the plan has no
/// solution. The same array as [`crate::PlanDocument::explanations`], for
/// callers that build their own documents.
pub fn explanations_json(scenario: &Scenario, plan: &Plan) -> Value {
    serde_json::to_value(plan_explanation_rows(scenario, plan)).unwrap_or(Value::Array(Vec::new()))
}

/// The cause as a JSON object: `kind`, `text` (its sentence) and its key
/// fields, with ids and period labels.
///
/// Fields per kind:
/// - `no_source`: `product`, `denied_holders`;
/// - `lead_time`: `facility`, `product`, `lead_time`, `periods`,
///   `every_source`, `spare_stock`, `spare_capacity`;
/// - `capacity_bound`: `facility`, `line`, `product`, `periods`, `used`,
///   `capacity`, `shadow_price` (null without duals);
/// - `denied`: `facility`, `actor`, `product`, `policy`, `list`, `reason`,
///   `spare_stock`, `spare_capacity`;
/// - `input_shortage`: `facility`, `line`, `product`, `input`, `periods`;
/// - `spare_unshipped`: `facility`, `product`, `periods`, `stock`.
pub fn cause_json(s: &Scenario, cause: &Cause) -> Value {
    let fac = |f: FacilityId| s.facilities[f.index()].id.as_str();
    let prod = |p: ProductId| s.products[p.index()].id.as_str();
    let labels = |periods: &[usize]| -> Vec<String> {
        periods.iter().map(|&t| s.calendar.label(t)).collect()
    };
    let line = |l: LineId| {
        let line = &s.lines[l.index()];
        (fac(line.facility), line.id.as_str())
    };
    let spare = |m: &mut Map<String, Value>, spare: &Spare| {
        m.insert("spare_stock".to_owned(), json!(spare.stock));
        m.insert("spare_capacity".to_owned(), json!(spare.unused_capacity));
    };
    let mut m = Map::new();
    m.insert("kind".to_owned(), json!(cause.kind()));
    m.insert("text".to_owned(), json!(cause.describe(s)));
    match cause {
        Cause::NoSource {
            product,
            denied_holders,
        } => {
            m.insert("product".to_owned(), json!(prod(*product)));
            m.insert("denied_holders".to_owned(), json!(denied_holders));
        }
        Cause::LeadTime {
            facility,
            product,
            lead_time,
            periods,
            every_source,
            spare: sp,
        } => {
            m.insert("facility".to_owned(), json!(fac(*facility)));
            m.insert("product".to_owned(), json!(prod(*product)));
            m.insert("lead_time".to_owned(), json!(lead_time));
            m.insert("periods".to_owned(), json!(labels(periods)));
            m.insert("every_source".to_owned(), json!(every_source));
            spare(&mut m, sp);
        }
        Cause::CapacityBound {
            line: l,
            product,
            periods,
            used,
            capacity,
            shadow_price,
        } => {
            let (facility, line_id) = line(*l);
            m.insert("facility".to_owned(), json!(facility));
            m.insert("line".to_owned(), json!(line_id));
            m.insert("product".to_owned(), json!(prod(*product)));
            m.insert("periods".to_owned(), json!(labels(periods)));
            m.insert("used".to_owned(), json!(used));
            m.insert("capacity".to_owned(), json!(capacity));
            m.insert("shadow_price".to_owned(), json!(shadow_price));
        }
        Cause::Denied {
            facility,
            product,
            verdict,
            spare: sp,
        } => {
            m.insert("facility".to_owned(), json!(fac(*facility)));
            let actor = s.facilities[facility.index()].actor;
            m.insert("actor".to_owned(), json!(s.actors[actor.index()].id));
            m.insert("product".to_owned(), json!(prod(*product)));
            let denial = verdict.denial();
            m.insert(
                "policy".to_owned(),
                json!(denial.map(|d| s.policies[d.policy.index()].id.as_str())),
            );
            m.insert(
                "list".to_owned(),
                json!(denial.map(|d| d.list.field_name())),
            );
            m.insert("reason".to_owned(), json!(verdict.reason(s)));
            spare(&mut m, sp);
        }
        Cause::InputShortage {
            facility,
            line: l,
            product,
            input,
            periods,
        } => {
            m.insert("facility".to_owned(), json!(fac(*facility)));
            m.insert("line".to_owned(), json!(line(*l).1));
            m.insert("product".to_owned(), json!(prod(*product)));
            m.insert("input".to_owned(), json!(prod(*input)));
            m.insert("periods".to_owned(), json!(labels(periods)));
        }
        Cause::SpareUnshipped {
            facility,
            product,
            periods,
            stock,
        } => {
            m.insert("facility".to_owned(), json!(fac(*facility)));
            m.insert("product".to_owned(), json!(prod(*product)));
            m.insert("periods".to_owned(), json!(labels(periods)));
            m.insert("stock".to_owned(), json!(stock));
        }
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use caisson_planner::{plan, PlanOptions};

    fn scenario() -> Scenario {
        let source = include_str!("../../planner/tests/fixtures/why-denied.toml");
        caisson_scenario::load_str(source, "why-denied.toml")
            .expect("fixture loads")
            .scenario
    }

    #[test]
    fn explanations_json_uses_ids_and_labels() {
        let s = scenario();
        let plan = plan(&s, &PlanOptions::default());
        assert!(plan.status.has_solution());
        let value = explanations_json(&s, &plan);
        let entries = value.as_array().expect("an array");
        assert_eq!(entries.len(), 1, "{value:#}");
        let x = &entries[0];
        assert_eq!(x["demand"], "ukr-army");
        assert_eq!(x["first_short"], "2026-01");
        assert_eq!(x["last_short"], "2026-02");
        assert_eq!(x["short_periods"], 2);
        assert!((x["total_shortage"].as_f64().expect("number") - 10.0).abs() < 1e-6);
        assert!(x["text"].as_str().is_some_and(|t| t.contains("ukr-army")));
        let causes = x["causes"].as_array().expect("causes");
        let denied = causes
            .iter()
            .find(|c| c["kind"] == "denied")
            .expect("a denied cause");
        assert_eq!(denied["facility"], "srb-depot");
        assert_eq!(denied["actor"], "SRB");
        assert_eq!(denied["product"], "shell");
        assert_eq!(denied["policy"], "srb-neutrality");
        assert_eq!(denied["list"], "deny_export");
        assert!(denied["spare_stock"].as_f64().is_some_and(|x| x > 0.0));
        let bound = causes
            .iter()
            .find(|c| c["kind"] == "capacity_bound")
            .expect("a capacity cause");
        assert_eq!(bound["facility"], "pol-plant");
        assert_eq!(bound["line"], "shells");
        assert_eq!(bound["periods"], json!(["2026-01", "2026-02"]));
        assert!(causes
            .iter()
            .all(|c| c["text"].as_str().is_some_and(|t| !t.is_empty())));
    }

    #[test]
    fn plan_document_carries_the_extra_arrays() {
        let s = scenario();
        let plan = plan(&s, &PlanOptions::default());
        let doc = crate::to_json_value(&s, &plan).expect("JSON");
        assert_eq!(doc["explanations"], explanations_json(&s, &plan));
        assert_eq!(
            doc["demands_info"],
            json!([{"demand": "ukr-army", "buyer": "UKR", "end_user": "UKR",
                    "product": "shell", "backlog": false}])
        );
        assert_eq!(
            doc["facilities_info"],
            json!([{"facility": "srb-depot", "actor": "SRB"},
                   {"facility": "pol-plant", "actor": "POL"}])
        );
        let dir = tempfile::tempdir().expect("temp dir");
        crate::write_csv_dir(&s, &plan, dir.path()).expect("CSV");
        let csv = std::fs::read_to_string(dir.path().join("explanations.csv")).expect("file");
        assert!(csv.starts_with("demand,kind,text\n"), "{csv}");
        assert!(csv.contains("ukr-army,denied,"), "{csv}");
    }

    #[test]
    fn unsolved_plans_have_no_explanations() {
        let s = scenario();
        let mut plan = plan(&s, &PlanOptions::default());
        plan.status = caisson_planner::PlanStatus::Infeasible;
        assert_eq!(explanations_json(&s, &plan), json!([]));
    }
}
