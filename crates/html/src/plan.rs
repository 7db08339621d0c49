//! Builds the plan section of a report from a `caisson-plan/1` document
//! (spec section 6, read as `caisson_plan`'s typed [`PlanDocument`]) and,
//! optionally, the scenario it was planned from.

use std::collections::HashMap;

use caisson_model::Scenario;
use caisson_plan::document::{DocumentError, ExplanationRow, PlanDocument};
use caisson_plan::CostSplit;
use serde::Deserialize;
use serde_json::Value;

use crate::context::Context;
use crate::document::{
    ComplianceCell, Concentration, ContractTotal, CostItem, DemandSeries, DependencyShare,
    EndUserSeries, ExpansionMark, Explanation, Flow, FlowLevels, LineUse, PlanSection, ProductFill,
    TransferDenial,
};
use crate::ReportError;

/// Builds the plan section from a plan document and, when given, its
/// scenario (which must have the plan's periods).
///
/// Without a scenario, buyers and exporting actors come from the optional
/// top-level plan fields `demands_info` and `facilities_info` when present
/// (else the Sankey shows facilities and demands), and lines show units
/// made instead of utilisation.
pub fn plan_section(plan: &Value, scenario: Option<&Scenario>) -> Result<PlanSection, ReportError> {
    let document = read(plan)?;
    let context = match scenario {
        Some(s) => Context::from_scenario(s),
        None => Context::from_plan_hints(&document),
    };
    let mut section = Builder::new(&document, context)?.build()?;
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

/// The horizon alone, read first so that a document without one is refused
/// for that rather than for its first other missing field.
#[derive(Deserialize)]
struct Horizon {
    periods: Option<Value>,
}

/// Reads the document, naming the field at fault.
fn read(plan: &Value) -> Result<PlanDocument, ReportError> {
    let document = PlanDocument::from_value(plan).map_err(|error| match error {
        DocumentError::NoFormat => ReportError::NotAPlan("no `format` field".to_owned()),
        DocumentError::Format(format) => ReportError::NotAPlan(format!("format is `{format}`")),
        DocumentError::Json { path, source } => {
            let periods = Horizon::deserialize(plan).ok().and_then(|h| h.periods);
            match periods {
                None => field("periods", "missing array of period labels"),
                Some(_) if path == "periods" || path.starts_with("periods[") => {
                    field("periods", "period labels must be text")
                }
                Some(_) => ReportError::Field {
                    field: path,
                    problem: source.to_string(),
                },
            }
        }
        DocumentError::Labels(labels) => ReportError::Field {
            field: "labels".to_owned(),
            problem: labels.to_string(),
        },
    })?;
    Ok(document)
}

/// Reads records of a plan document, naming the record in errors.
struct Builder<'a> {
    plan: &'a PlanDocument,
    context: Context,
    periods: Vec<String>,
    period_index: HashMap<String, usize>,
}

/// A record's position, for error messages.
fn at(array: &str, index: usize, problem: String) -> ReportError {
    ReportError::Field {
        field: format!("{array}[{index}]"),
        problem,
    }
}

impl<'a> Builder<'a> {
    fn new(plan: &'a PlanDocument, context: Context) -> Result<Self, ReportError> {
        let periods = plan.periods.clone();
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

    /// The index of period `label` of record `index` of `array`.
    fn period(
        &self,
        array: &str,
        index: usize,
        key: &str,
        label: &str,
    ) -> Result<usize, ReportError> {
        self.period_index.get(label).copied().ok_or_else(|| {
            at(
                array,
                index,
                format!("`{key}` names `{label}`, not a period of the plan"),
            )
        })
    }

    fn zeros(&self) -> Vec<f64> {
        vec![0.0; self.periods.len()]
    }

    fn build(self) -> Result<PlanSection, ReportError> {
        let plan = self.plan;
        let cost = plan.cost.map(cost_items).unwrap_or_default();
        let demands = self.demands()?;
        let end_users = end_users(&demands);
        let (flow_levels, flows) = self.flows(&demands);
        let expansions = self.expansions();
        let (utilisation_known, lines) = self.lines(&expansions)?;
        Ok(PlanSection {
            scenario: plan.scenario.clone(),
            status: plan.status.name().to_owned(),
            method: (!plan.method.is_empty()).then(|| plan.method.clone()),
            message: plan.message.clone(),
            objective: plan.objective,
            mip_gap: plan.mip_gap,
            currency: plan.currency.clone(),
            with_scenario: self.context.from_scenario,
            cost,
            products: self.products(),
            demands,
            end_users,
            flow_levels,
            flows,
            utilisation_known,
            lines,
            expansions,
            compliance: self.compliance(),
            transfer_denials: self.transfer_denials(),
            dependency: self.dependency(),
            concentration: self.concentration(),
            explanations: explanations(&plan.explanations),
            contracts: self.contracts(),
            periods: self.periods,
            assumptions: Vec::new(),
        })
    }

    fn products(&self) -> Vec<ProductFill> {
        self.plan
            .kpis
            .products
            .iter()
            .map(|r| ProductFill {
                product: r.product.clone(),
                required: r.required,
                delivered: r.delivered,
                fill_rate: r.fill_rate,
                shortage: r.shortage,
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
        let kpis = &self.plan.kpis.demands;
        for r in kpis {
            blank(&r.demand, &mut order);
        }
        let records = &self.plan.demand;
        for r in records {
            blank(&r.demand, &mut order);
        }
        let known_kind: HashMap<&str, bool> = self
            .context
            .demands
            .iter()
            .filter_map(|(id, i)| i.backlog.map(|b| (id.as_str(), b)))
            .collect();
        for r in kpis {
            // Every demand of the KPIs got a blank series above.
            let Some(s) = series.get_mut(&r.demand) else {
                continue;
            };
            if s.product.is_empty() {
                s.product = r.product.clone();
            }
            if s.end_user.is_empty() {
                s.end_user = r.end_user.clone();
            }
            s.fill_rate = r.fill_rate;
            if !known_kind.contains_key(s.demand.as_str()) && r.lost > 0.0 {
                s.backlog_kind = false;
            }
        }
        for (i, r) in records.iter().enumerate() {
            let t = self.period("demand", i, "period", &r.period)?;
            let Some(s) = series.get_mut(&r.demand) else {
                continue;
            };
            s.required[t] = r.required;
            s.delivered[t] = r.delivered;
            s.backlog[t] = r.backlog;
            s.lost[t] = r.lost;
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

    fn flows(&self, demands: &[DemandSeries]) -> (FlowLevels, Vec<Flow>) {
        let by_id: HashMap<&str, &DemandSeries> =
            demands.iter().map(|d| (d.demand.as_str(), d)).collect();
        let records = &self.plan.shipments;
        let exporters_known = records
            .iter()
            .all(|r| self.context.facility_actor.contains_key(&r.facility));
        let buyers_known = records.iter().all(|r| {
            by_id
                .get(r.demand.as_str())
                .is_some_and(|s| s.buyer.is_some())
        });
        let mut flows: Vec<Flow> = Vec::new();
        let mut index: HashMap<(String, String, String, String), usize> = HashMap::new();
        for r in records {
            let d = by_id.get(r.demand.as_str());
            let exporter = match self.context.facility_actor.get(&r.facility) {
                Some(actor) if exporters_known => actor.clone(),
                _ => r.facility.clone(),
            };
            let buyer = match (buyers_known, d.and_then(|d| d.buyer.clone())) {
                (true, Some(b)) => b,
                _ => r.demand.clone(),
            };
            let end_user =
                d.map_or_else(|| "(unknown end user)".to_owned(), |d| d.end_user.clone());
            let key = (r.product.clone(), exporter, buyer, end_user);
            match index.get(&key) {
                Some(&i) => flows[i].quantity += r.quantity,
                None => {
                    index.insert(key.clone(), flows.len());
                    flows.push(Flow {
                        product: key.0,
                        exporter: key.1,
                        buyer: key.2,
                        end_user: key.3,
                        quantity: r.quantity,
                    });
                }
            }
        }
        let levels = FlowLevels {
            source: if exporters_known { "actor" } else { "facility" }.to_owned(),
            middle: if buyers_known { "actor" } else { "demand" }.to_owned(),
        };
        (levels, flows)
    }

    fn expansions(&self) -> Vec<ExpansionMark> {
        self.plan
            .expansions
            .iter()
            .map(|r| ExpansionMark {
                capacity: self.context.expansion_capacity.get(&r.expansion).copied(),
                expansion: r.expansion.clone(),
                facility: r.facility.clone(),
                line: r.line.clone(),
                decided: r.decided.clone(),
                available: r.available.clone(),
                fraction: r.fraction,
            })
            .collect()
    }

    fn lines(&self, expansions: &[ExpansionMark]) -> Result<(bool, Vec<LineUse>), ReportError> {
        let production = &self.plan.production;
        let mut duals: HashMap<(String, String), Vec<f64>> = HashMap::new();
        let has_duals = self.plan.capacity_duals.is_some();
        for (i, r) in self.plan.capacity_duals.iter().flatten().enumerate() {
            let t = self.period("capacity_duals", i, "period", &r.period)?;
            let key = (r.facility.clone(), r.line.clone());
            duals.entry(key).or_insert_with(|| self.zeros())[t] = r.shadow_price;
        }
        let dual_of = |key: &(String, String)| {
            has_duals.then(|| duals.get(key).cloned().unwrap_or_else(|| self.zeros()))
        };

        let Some(infos) = &self.context.lines else {
            // Without capacities: units made per line, in order of appearance.
            let mut out: Vec<LineUse> = Vec::new();
            let mut index: HashMap<(String, String), usize> = HashMap::new();
            for (n, r) in production.iter().enumerate() {
                let key = (r.facility.clone(), r.line.clone());
                let t = self.period("production", n, "period", &r.period)?;
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
                out[i].used[t] += r.quantity;
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
        for (n, r) in production.iter().enumerate() {
            let t = self.period("production", n, "period", &r.period)?;
            let i = *index
                .get(&(r.facility.clone(), r.line.clone()))
                .ok_or_else(|| {
                    at(
                        "production",
                        n,
                        format!("line {}/{} is not in the scenario", r.facility, r.line),
                    )
                })?;
            let rate = infos[i].rates.get(&r.product).copied().ok_or_else(|| {
                at(
                    "production",
                    n,
                    format!(
                        "line {}/{} does not make {} in the scenario",
                        r.facility, r.line, r.product
                    ),
                )
            })?;
            out[i].used[t] += rate * r.quantity;
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

    fn compliance(&self) -> Vec<ComplianceCell> {
        self.plan
            .compliance
            .iter()
            .map(|r| ComplianceCell {
                facility: r.facility.clone(),
                demand: r.demand.clone(),
                allowed: r.allowed,
                reason: r.reason.clone(),
            })
            .collect()
    }

    fn transfer_denials(&self) -> Vec<TransferDenial> {
        self.plan
            .transfer_compliance
            .iter()
            .filter(|r| !r.allowed)
            .map(|r| TransferDenial {
                from: r.from.clone(),
                to: r.to.clone(),
                reason: r.reason.clone(),
            })
            .collect()
    }

    fn dependency(&self) -> Vec<DependencyShare> {
        self.plan
            .kpis
            .end_users
            .iter()
            .map(|r| DependencyShare {
                end_user: r.end_user.clone(),
                product: r.product.clone(),
                exporter: r.exporter.clone(),
                delivered: r.delivered,
                share: r.share,
            })
            .collect()
    }

    fn concentration(&self) -> Vec<Concentration> {
        self.plan
            .kpis
            .dependencies
            .iter()
            .map(|r| {
                let top = r.by_exporter.first();
                Concentration {
                    role: r.role.name().to_owned(),
                    receiver: r.receiver.clone(),
                    product: r.product.clone(),
                    delivered: r.delivered,
                    hhi: r.hhi,
                    unaligned_share: r.unaligned_share,
                    top_exporter: top.map_or_else(String::new, |t| t.id.clone()),
                    top_share: top.map_or(0.0, |t| t.share),
                }
            })
            .collect()
    }

    fn contracts(&self) -> Vec<ContractTotal> {
        let mut out: Vec<ContractTotal> = Vec::new();
        for r in &self.plan.contracts {
            let i = match out.iter().position(|c| c.contract == r.contract) {
                Some(i) => i,
                None => {
                    out.push(ContractTotal {
                        contract: r.contract.clone(),
                        committed: 0.0,
                        shipped: 0.0,
                        shortfall: 0.0,
                    });
                    out.len() - 1
                }
            };
            out[i].committed += r.committed;
            out[i].shipped += r.shipped;
            out[i].shortfall += r.shortfall;
        }
        out
    }
}

/// The six cost terms, in the spec's order.
fn cost_items(cost: CostSplit) -> Vec<CostItem> {
    [
        ("shortage", cost.shortage),
        ("production", cost.production),
        ("transport", cost.transport),
        ("holding", cost.holding),
        ("capex", cost.capex),
        ("contract", cost.contract),
    ]
    .into_iter()
    .map(|(term, value)| CostItem {
        term: term.to_owned(),
        value,
    })
    .collect()
}

fn field(name: &str, problem: &str) -> ReportError {
    ReportError::Field {
        field: name.to_owned(),
        problem: problem.to_owned(),
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

/// The shortage explanations as the page shows them: the heading sentence
/// with its demand, and each cause's sentence.
fn explanations(rows: &[ExplanationRow]) -> Vec<Explanation> {
    rows.iter()
        .map(|x| Explanation {
            subject: Some(x.demand.clone()),
            text: x.text.clone(),
            causes: x.causes.iter().map(|c| c.text().to_owned()).collect(),
        })
        .collect()
}
