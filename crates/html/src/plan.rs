//! Builds the plan section of a report from `caisson-plan/1` JSON (spec
//! section 6) and, optionally, the scenario it was planned from.

use std::collections::HashMap;

use caisson_model::Scenario;
use serde_json::Value;

use crate::context::Context;
use crate::document::{
    ComplianceCell, Concentration, ContractTotal, CostItem, DemandSeries, DependencyShare,
    EndUserSeries, ExpansionMark, Explanation, Flow, FlowLevels, LineUse, PlanSection, ProductFill,
    TransferDenial,
};
use crate::ReportError;

/// The format tag of plan documents (spec section 6).
pub const PLAN_FORMAT: &str = "caisson-plan/1";

/// The six cost terms, in the spec's order.
const COST_TERMS: [&str; 6] = [
    "shortage",
    "production",
    "transport",
    "holding",
    "capex",
    "contract",
];

/// Builds the plan section from a plan document and, when given, its
/// scenario (which must have the plan's periods).
///
/// Without a scenario, buyers and exporting actors come from the optional
/// top-level plan fields `demands_info` and `facilities_info` when present
/// (else the Sankey shows facilities and demands), and lines show units
/// made instead of utilisation.
pub fn plan_section(plan: &Value, scenario: Option<&Scenario>) -> Result<PlanSection, ReportError> {
    let format = plan.get("format").and_then(Value::as_str).unwrap_or("");
    if format != PLAN_FORMAT {
        return Err(ReportError::NotAPlan(if format.is_empty() {
            "no `format` field".to_owned()
        } else {
            format!("format is `{format}`")
        }));
    }
    let context = match scenario {
        Some(s) => Context::from_scenario(s),
        None => Context::from_plan_hints(plan),
    };
    let mut section = Builder::new(plan, context)?.build()?;
    if let Some(s) = scenario {
        section.assumptions = s
            .assumptions
            .iter()
            .map(|a| crate::document::AssumptionRange {
                id: a.id.clone(),
                reason: a.reason.clone(),
                low: a.low,
                high: a.high,
                targets: a.targets.iter().map(|t| t.describe(s)).collect(),
            })
            .collect();
    }
    Ok(section)
}

/// Reads records of a plan document, naming the record in errors.
struct Builder<'a> {
    plan: &'a Value,
    context: Context,
    periods: Vec<String>,
    period_index: HashMap<String, usize>,
}

/// Field access on one record, for error messages.
struct Rec<'a> {
    array: &'static str,
    index: usize,
    value: &'a Value,
}

impl<'a> Rec<'a> {
    fn error(&self, problem: String) -> ReportError {
        ReportError::Field {
            field: format!("{}[{}]", self.array, self.index),
            problem,
        }
    }

    fn text(&self, key: &str) -> Result<&'a str, ReportError> {
        self.value
            .get(key)
            .and_then(Value::as_str)
            .ok_or_else(|| self.error(format!("missing text field `{key}`")))
    }

    fn num(&self, key: &str) -> Result<f64, ReportError> {
        match self.value.get(key) {
            Some(Value::Number(n)) => n
                .as_f64()
                .ok_or_else(|| self.error(format!("`{key}` is not a finite number"))),
            _ => Err(self.error(format!("missing number field `{key}`"))),
        }
    }

    /// A number that may be null (e.g. a fill rate).
    fn opt_num(&self, key: &str) -> Option<f64> {
        self.value.get(key).and_then(Value::as_f64)
    }

    fn flag(&self, key: &str) -> Result<bool, ReportError> {
        self.value
            .get(key)
            .and_then(Value::as_bool)
            .ok_or_else(|| self.error(format!("missing true/false field `{key}`")))
    }
}

impl<'a> Builder<'a> {
    fn new(plan: &'a Value, context: Context) -> Result<Self, ReportError> {
        let periods: Vec<String> = match plan.get("periods") {
            Some(Value::Array(labels)) => labels
                .iter()
                .map(|l| l.as_str().map(str::to_owned))
                .collect::<Option<_>>()
                .ok_or_else(|| field("periods", "period labels must be text"))?,
            _ => return Err(field("periods", "missing array of period labels")),
        };
        if context.from_scenario && context.periods != periods {
            return Err(ReportError::ScenarioMismatch(format!(
                "the plan has {} periods from {}, the scenario {} from {}",
                periods.len(),
                periods.first().map_or("-", String::as_str),
                context.periods.len(),
                context.periods.first().map_or("-", String::as_str),
            )));
        }
        let period_index = periods
            .iter()
            .enumerate()
            .map(|(i, l)| (l.clone(), i))
            .collect();
        Ok(Self {
            plan,
            context,
            periods,
            period_index,
        })
    }

    /// The records of a top-level array (absent or null: none).
    fn records(&self, array: &'static str) -> Result<Vec<Rec<'a>>, ReportError> {
        records_of(self.plan.get(array), array)
    }

    fn period(&self, rec: &Rec<'_>, key: &str) -> Result<usize, ReportError> {
        let label = rec.text(key)?;
        self.period_index
            .get(label)
            .copied()
            .ok_or_else(|| rec.error(format!("`{key}` names `{label}`, not a period of the plan")))
    }

    fn zeros(&self) -> Vec<f64> {
        vec![0.0; self.periods.len()]
    }

    fn build(self) -> Result<PlanSection, ReportError> {
        let plan = self.plan;
        let text = |k: &str| plan.get(k).and_then(Value::as_str).map(str::to_owned);
        let cost = match plan.get("cost") {
            Some(Value::Object(terms)) => COST_TERMS
                .iter()
                .map(|&term| CostItem {
                    term: term.to_owned(),
                    value: terms.get(term).and_then(Value::as_f64).unwrap_or(0.0),
                })
                .collect(),
            _ => Vec::new(),
        };
        let demands = self.demands()?;
        let end_users = end_users(&demands);
        let (flow_levels, flows) = self.flows(&demands)?;
        let expansions = self.expansions()?;
        let (utilisation_known, lines) = self.lines(&expansions)?;
        Ok(PlanSection {
            scenario: text("scenario").unwrap_or_default(),
            status: text("status").unwrap_or_else(|| "unknown".to_owned()),
            method: text("method"),
            message: text("message"),
            objective: plan.get("objective").and_then(Value::as_f64),
            mip_gap: plan.get("mip_gap").and_then(Value::as_f64),
            currency: text("currency").unwrap_or_default(),
            with_scenario: self.context.from_scenario,
            cost,
            products: self.products()?,
            demands,
            end_users,
            flow_levels,
            flows,
            utilisation_known,
            lines,
            expansions,
            compliance: self.compliance()?,
            transfer_denials: self.transfer_denials()?,
            dependency: self.dependency()?,
            concentration: self.concentration()?,
            explanations: explanations(plan.get("explanations")),
            contracts: self.contracts()?,
            periods: self.periods,
            assumptions: Vec::new(),
        })
    }

    fn kpis(&self, array: &'static str) -> Result<Vec<Rec<'a>>, ReportError> {
        records_of(self.plan.get("kpis").and_then(|k| k.get(array)), array)
    }

    fn products(&self) -> Result<Vec<ProductFill>, ReportError> {
        self.kpis("products")?
            .iter()
            .map(|r| {
                Ok(ProductFill {
                    product: r.text("product")?.to_owned(),
                    required: r.num("required")?,
                    delivered: r.num("delivered")?,
                    fill_rate: r.opt_num("fill_rate"),
                    shortage: r.num("shortage")?,
                })
            })
            .collect()
    }

    fn demands(&self) -> Result<Vec<DemandSeries>, ReportError> {
        // Order: the scenario's, else the KPI records', then any demand seen
        // only in the per-period records.
        let mut order: Vec<String> = self.context.demand_order.clone();
        let mut series: HashMap<String, DemandSeries> = HashMap::new();
        let mut blank = |id: &str, order: &mut Vec<String>| {
            if !series.contains_key(id) {
                if !order.iter().any(|d| d == id) {
                    order.push(id.to_owned());
                }
                let info = self.context.demands.get(id);
                series.insert(
                    id.to_owned(),
                    DemandSeries {
                        demand: id.to_owned(),
                        product: info.and_then(|i| i.product.clone()).unwrap_or_default(),
                        buyer: info.and_then(|i| i.buyer.clone()),
                        end_user: info.and_then(|i| i.end_user.clone()).unwrap_or_default(),
                        backlog_kind: info.and_then(|i| i.backlog).unwrap_or(true),
                        required: self.zeros(),
                        delivered: self.zeros(),
                        backlog: self.zeros(),
                        lost: self.zeros(),
                        fill_rate: None,
                    },
                );
            }
        };
        for id in self.context.demand_order.clone() {
            blank(&id, &mut order);
        }
        let kpis = self.kpis("demands")?;
        for r in &kpis {
            blank(r.text("demand")?, &mut order);
        }
        let records = self.records("demand")?;
        for r in &records {
            blank(r.text("demand")?, &mut order);
        }
        let known_kind: HashMap<&str, bool> = self
            .context
            .demands
            .iter()
            .filter_map(|(id, i)| i.backlog.map(|b| (id.as_str(), b)))
            .collect();
        for r in &kpis {
            let s = series
                .get_mut(r.text("demand")?)
                .ok_or_else(|| r.error("unknown demand".to_owned()))?;
            if s.product.is_empty() {
                s.product = r.text("product")?.to_owned();
            }
            if s.end_user.is_empty() {
                s.end_user = r.text("end_user")?.to_owned();
            }
            s.fill_rate = r.opt_num("fill_rate");
            if !known_kind.contains_key(s.demand.as_str()) && r.opt_num("lost").unwrap_or(0.0) > 0.0
            {
                s.backlog_kind = false;
            }
        }
        for r in &records {
            let t = self.period(r, "period")?;
            let s = series
                .get_mut(r.text("demand")?)
                .ok_or_else(|| r.error("unknown demand".to_owned()))?;
            s.required[t] = r.num("required")?;
            s.delivered[t] = r.num("delivered")?;
            s.backlog[t] = r.num("backlog")?;
            s.lost[t] = r.num("lost")?;
            if !known_kind.contains_key(s.demand.as_str()) && s.lost[t] > 0.0 {
                s.backlog_kind = false;
            }
        }
        let mut out: Vec<DemandSeries> = order.iter().filter_map(|id| series.remove(id)).collect();
        for s in &mut out {
            if s.fill_rate.is_none() {
                let required: f64 = s.required.iter().sum();
                if required > 0.0 {
                    s.fill_rate = Some(s.delivered.iter().sum::<f64>() / required);
                }
            }
            if s.end_user.is_empty() {
                s.end_user = s
                    .buyer
                    .clone()
                    .unwrap_or_else(|| "(unknown end user)".to_owned());
            }
        }
        Ok(out)
    }

    fn flows(&self, demands: &[DemandSeries]) -> Result<(FlowLevels, Vec<Flow>), ReportError> {
        let by_id: HashMap<&str, &DemandSeries> =
            demands.iter().map(|d| (d.demand.as_str(), d)).collect();
        let records = self.records("shipments")?;
        let exporters_known = records.iter().all(|r| {
            r.text("facility")
                .is_ok_and(|f| self.context.facility_actor.contains_key(f))
        });
        let buyers_known = records.iter().all(|r| {
            r.text("demand")
                .is_ok_and(|d| by_id.get(d).is_some_and(|s| s.buyer.is_some()))
        });
        let mut flows: Vec<Flow> = Vec::new();
        let mut index: HashMap<(String, String, String, String), usize> = HashMap::new();
        for r in &records {
            let facility = r.text("facility")?;
            let demand = r.text("demand")?;
            let quantity = r.num("quantity")?;
            let product = r.text("product")?.to_owned();
            let d = by_id.get(demand);
            let exporter = if exporters_known {
                self.context.facility_actor[facility].clone()
            } else {
                facility.to_owned()
            };
            let buyer = match (buyers_known, d.and_then(|d| d.buyer.clone())) {
                (true, Some(b)) => b,
                _ => demand.to_owned(),
            };
            let end_user =
                d.map_or_else(|| "(unknown end user)".to_owned(), |d| d.end_user.clone());
            let key = (product, exporter, buyer, end_user);
            match index.get(&key) {
                Some(&i) => flows[i].quantity += quantity,
                None => {
                    index.insert(key.clone(), flows.len());
                    flows.push(Flow {
                        product: key.0,
                        exporter: key.1,
                        buyer: key.2,
                        end_user: key.3,
                        quantity,
                    });
                }
            }
        }
        let levels = FlowLevels {
            source: if exporters_known { "actor" } else { "facility" }.to_owned(),
            middle: if buyers_known { "actor" } else { "demand" }.to_owned(),
        };
        Ok((levels, flows))
    }

    fn expansions(&self) -> Result<Vec<ExpansionMark>, ReportError> {
        self.records("expansions")?
            .iter()
            .map(|r| {
                let expansion = r.text("expansion")?.to_owned();
                Ok(ExpansionMark {
                    capacity: self.context.expansion_capacity.get(&expansion).copied(),
                    expansion,
                    facility: r.text("facility")?.to_owned(),
                    line: r.text("line")?.to_owned(),
                    decided: r.text("decided")?.to_owned(),
                    available: r.text("available")?.to_owned(),
                    fraction: r.num("fraction")?,
                })
            })
            .collect()
    }

    fn lines(&self, expansions: &[ExpansionMark]) -> Result<(bool, Vec<LineUse>), ReportError> {
        let production = self.records("production")?;
        let mut duals: HashMap<(String, String), Vec<f64>> = HashMap::new();
        for r in self.records("capacity_duals")? {
            let t = self.period(&r, "period")?;
            let key = (r.text("facility")?.to_owned(), r.text("line")?.to_owned());
            duals.entry(key).or_insert_with(|| self.zeros())[t] = r.num("shadow_price")?;
        }
        let has_duals = self.plan.get("capacity_duals").is_some_and(Value::is_array);
        let dual_of = |key: &(String, String)| {
            has_duals.then(|| duals.get(key).cloned().unwrap_or_else(|| self.zeros()))
        };

        let Some(infos) = &self.context.lines else {
            // Without capacities: units made per line, in order of appearance.
            let mut out: Vec<LineUse> = Vec::new();
            let mut index: HashMap<(String, String), usize> = HashMap::new();
            for r in &production {
                let key = (r.text("facility")?.to_owned(), r.text("line")?.to_owned());
                let t = self.period(r, "period")?;
                let i = *index.entry(key.clone()).or_insert_with(|| {
                    out.push(LineUse {
                        facility: key.0.clone(),
                        line: key.1.clone(),
                        capacity: None,
                        used: self.zeros(),
                        utilisation: None,
                        shadow_price: dual_of(&key),
                    });
                    out.len() - 1
                });
                out[i].used[t] += r.num("quantity")?;
            }
            return Ok((false, out));
        };

        let mut out: Vec<LineUse> = Vec::with_capacity(infos.len());
        let mut index: HashMap<(String, String), usize> = HashMap::new();
        for info in infos {
            let key = (info.facility.clone(), info.line.clone());
            index.insert(key.clone(), out.len());
            out.push(LineUse {
                facility: info.facility.clone(),
                line: info.line.clone(),
                capacity: Some(info.capacity.clone()),
                used: self.zeros(),
                utilisation: None,
                shadow_price: dual_of(&key),
            });
        }
        for r in &production {
            let key = (r.text("facility")?.to_owned(), r.text("line")?.to_owned());
            let product = r.text("product")?;
            let t = self.period(r, "period")?;
            let i = *index.get(&key).ok_or_else(|| {
                r.error(format!("line {}/{} is not in the scenario", key.0, key.1))
            })?;
            let rate = infos[i].rates.get(product).copied().ok_or_else(|| {
                r.error(format!(
                    "line {}/{} does not make {product} in the scenario",
                    key.0, key.1
                ))
            })?;
            out[i].used[t] += rate * r.num("quantity")?;
        }
        for e in expansions {
            let (Some(add), Some(&i), Some(&from)) = (
                e.capacity,
                index.get(&(e.facility.clone(), e.line.clone())),
                self.period_index.get(&e.available),
            ) else {
                continue;
            };
            if let Some(capacity) = out[i].capacity.as_mut() {
                for c in &mut capacity[from..] {
                    *c += add * e.fraction;
                }
            }
        }
        for line in &mut out {
            let capacity = line.capacity.as_deref().unwrap_or_default();
            line.utilisation = Some(
                line.used
                    .iter()
                    .zip(capacity)
                    .map(|(&u, &c)| (c > 0.0).then(|| u / c))
                    .collect(),
            );
        }
        Ok((true, out))
    }

    fn compliance(&self) -> Result<Vec<ComplianceCell>, ReportError> {
        self.records("compliance")?
            .iter()
            .map(|r| {
                Ok(ComplianceCell {
                    facility: r.text("facility")?.to_owned(),
                    demand: r.text("demand")?.to_owned(),
                    allowed: r.flag("allowed")?,
                    reason: r.text("reason")?.to_owned(),
                })
            })
            .collect()
    }

    fn transfer_denials(&self) -> Result<Vec<TransferDenial>, ReportError> {
        let mut out = Vec::new();
        for r in self.records("transfer_compliance")? {
            if !r.flag("allowed")? {
                out.push(TransferDenial {
                    from: r.text("from")?.to_owned(),
                    to: r.text("to")?.to_owned(),
                    reason: r.text("reason")?.to_owned(),
                });
            }
        }
        Ok(out)
    }

    fn dependency(&self) -> Result<Vec<DependencyShare>, ReportError> {
        self.kpis("end_users")?
            .iter()
            .map(|r| {
                Ok(DependencyShare {
                    end_user: r.text("end_user")?.to_owned(),
                    product: r.text("product")?.to_owned(),
                    exporter: r.text("exporter")?.to_owned(),
                    delivered: r.num("delivered")?,
                    share: r.num("share")?,
                })
            })
            .collect()
    }

    fn concentration(&self) -> Result<Vec<Concentration>, ReportError> {
        self.kpis("dependencies")?
            .iter()
            .map(|r| {
                let top = records_of(r.value.get("by_exporter"), "by_exporter")?;
                let top = top.first();
                Ok(Concentration {
                    role: r.text("role")?.to_owned(),
                    receiver: r.text("receiver")?.to_owned(),
                    product: r.text("product")?.to_owned(),
                    delivered: r.num("delivered")?,
                    hhi: r.num("hhi")?,
                    unaligned_share: r.num("unaligned_share")?,
                    top_exporter: top.map_or(Ok(""), |t| t.text("id"))?.to_owned(),
                    top_share: top.map_or(Ok(0.0), |t| t.num("share"))?,
                })
            })
            .collect()
    }

    fn contracts(&self) -> Result<Vec<ContractTotal>, ReportError> {
        let mut out: Vec<ContractTotal> = Vec::new();
        for r in self.records("contracts")? {
            let id = r.text("contract")?;
            let i = match out.iter().position(|c| c.contract == id) {
                Some(i) => i,
                None => {
                    out.push(ContractTotal {
                        contract: id.to_owned(),
                        committed: 0.0,
                        shipped: 0.0,
                        shortfall: 0.0,
                    });
                    out.len() - 1
                }
            };
            out[i].committed += r.num("committed")?;
            out[i].shipped += r.num("shipped")?;
            out[i].shortfall += r.num("shortfall")?;
        }
        Ok(out)
    }
}

fn field(name: &str, problem: &str) -> ReportError {
    ReportError::Field {
        field: name.to_owned(),
        problem: problem.to_owned(),
    }
}

fn records_of<'a>(
    value: Option<&'a Value>,
    array: &'static str,
) -> Result<Vec<Rec<'a>>, ReportError> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items
            .iter()
            .enumerate()
            .map(|(index, value)| Rec {
                array,
                index,
                value,
            })
            .collect()),
        Some(_) => Err(field(array, "not an array of records")),
    }
}

/// Sums the demands of each (end user, product), in order of appearance.
fn end_users(demands: &[DemandSeries]) -> Vec<EndUserSeries> {
    let mut out: Vec<EndUserSeries> = Vec::new();
    for d in demands {
        let i = match out
            .iter()
            .position(|e| e.end_user == d.end_user && e.product == d.product)
        {
            Some(i) => i,
            None => {
                let zeros = vec![0.0; d.required.len()];
                out.push(EndUserSeries {
                    end_user: d.end_user.clone(),
                    product: d.product.clone(),
                    demands: Vec::new(),
                    required: zeros.clone(),
                    delivered: zeros.clone(),
                    backlog: zeros.clone(),
                    lost: zeros,
                });
                out.len() - 1
            }
        };
        let e = &mut out[i];
        e.demands.push(d.demand.clone());
        add_into(&mut e.required, &d.required);
        add_into(&mut e.delivered, &d.delivered);
        add_into(&mut e.backlog, &d.backlog);
        add_into(&mut e.lost, &d.lost);
    }
    out
}

fn add_into(sum: &mut [f64], add: &[f64]) {
    for (s, a) in sum.iter_mut().zip(add) {
        *s += a;
    }
}

/// Reads the optional `explanations` array generically: each entry is a
/// string, or an object whose text is its first field among `text`,
/// `summary`, `message` and `explanation`, whose subject is its `demand`,
/// `subject` or `id`, and whose `causes` (or `reasons`) are strings or
/// objects read the same way.
fn explanations(value: Option<&Value>) -> Vec<Explanation> {
    fn text_of(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => [
                "text",
                "summary",
                "message",
                "explanation",
                "cause",
                "reason",
            ]
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_str).map(str::to_owned)),
            _ => None,
        }
    }
    let Some(Value::Array(entries)) = value else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|entry| {
            let subject = ["demand", "subject", "id"]
                .iter()
                .find_map(|k| entry.get(*k).and_then(Value::as_str).map(str::to_owned));
            let causes: Vec<String> = ["causes", "reasons"]
                .iter()
                .find_map(|k| entry.get(*k).and_then(Value::as_array))
                .map(|cs| cs.iter().filter_map(text_of).collect())
                .unwrap_or_default();
            let text = text_of(entry).or_else(|| (!causes.is_empty()).then(String::new))?;
            Some(Explanation {
                subject,
                text,
                causes,
            })
        })
        .collect()
}
