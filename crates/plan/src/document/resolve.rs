//! A document back to a [`Plan`]: every label resolved against the
//! scenario, every unknown one reported with the record it sits in.

use std::collections::HashMap;
use std::fmt;

use caisson_model::{ContractId, DemandId, ExpansionId, FacilityId, LineId, ProductId, Scenario};

use super::PlanDocument;
use crate::kpi;
use crate::plan::{
    CapacityDual, ComplianceRecord, ContractRecord, DemandRecord, ExpansionRecord, Kpis, Plan,
    ProductionRecord, ShipmentRecord, StockRecord, TransferComplianceRecord, TransferRecord,
};

/// Where a record sits in a plan document: `shipments[12]`, or a top-level
/// field such as `cost` (no index).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordRef {
    /// The array (or field) name, as in the document (`shipments`,
    /// `kpis.demands`, `cost`).
    pub array: &'static str,
    /// The record's position in the array; `None` for a top-level field.
    pub index: Option<usize>,
}

impl RecordRef {
    /// The record at `index` of `array`.
    pub fn at(array: &'static str, index: usize) -> Self {
        Self {
            array,
            index: Some(index),
        }
    }

    /// A top-level field.
    pub fn field(name: &'static str) -> Self {
        Self {
            array: name,
            index: None,
        }
    }
}

impl fmt::Display for RecordRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.index {
            Some(i) => write!(f, "{}[{i}]", self.array),
            None => f.write_str(self.array),
        }
    }
}

/// One field of a document that does not fit the scenario: an unknown
/// label, a period before the horizon, or a statement the rules
/// contradict (a compliance record's `allowed`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// The record.
    pub record: RecordRef,
    /// The field, e.g. `facility`; empty for the record as a whole.
    pub field: &'static str,
    /// What is wrong, e.g. `unknown facility "x"`.
    pub problem: String,
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}: {}", self.record, self.problem)
        } else {
            write!(f, "{}.{}: {}", self.record, self.field, self.problem)
        }
    }
}

/// The labels of a document that did not resolve (one line each).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelError(pub Vec<RecordError>);

impl fmt::Display for LabelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

/// Why a plan document could not be read or resolved.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The text is not JSON of the document's shape.
    #[error("not a caisson-plan/1 document: {path}: {source}")]
    Json {
        /// Where in the document (`shipments[3].quantity`; `.` for the top).
        path: String,
        /// What is wrong there.
        source: serde_json::Error,
    },
    /// The document has no `format` field.
    #[error("not a caisson-plan/1 document: no `format` field")]
    NoFormat,
    /// The `format` field names another format.
    #[error("format is \"{0}\", expected \"{expected}\"", expected = super::FORMAT)]
    Format(String),
    /// Labels the scenario does not define (every one of them).
    #[error("{count} field(s) of the plan do not match the scenario:\n{0}", count = .0.0.len())]
    Labels(LabelError),
}

impl DocumentError {
    /// A JSON error of the document as a whole.
    pub(crate) fn at_top(source: serde_json::Error) -> Self {
        DocumentError::Json {
            path: ".".to_owned(),
            source,
        }
    }
}

/// Label lookups of one scenario, collecting every failure.
struct Lookup<'a> {
    s: &'a Scenario,
    facilities: HashMap<&'a str, FacilityId>,
    products: HashMap<&'a str, ProductId>,
    demands: HashMap<&'a str, DemandId>,
    contracts: HashMap<&'a str, ContractId>,
    expansions: HashMap<&'a str, ExpansionId>,
    lines: HashMap<(FacilityId, &'a str), LineId>,
    errors: Vec<RecordError>,
}

fn index<'a, I>(
    ids: impl Iterator<Item = &'a String>,
    make: fn(usize) -> I,
) -> HashMap<&'a str, I> {
    ids.enumerate()
        .map(|(i, id)| (id.as_str(), make(i)))
        .collect()
}

impl<'a> Lookup<'a> {
    fn new(s: &'a Scenario) -> Self {
        Self {
            s,
            facilities: index(s.facilities.iter().map(|f| &f.id), FacilityId::new),
            products: index(s.products.iter().map(|p| &p.id), ProductId::new),
            demands: index(s.demands.iter().map(|d| &d.id), DemandId::new),
            contracts: index(s.contracts.iter().map(|c| &c.id), ContractId::new),
            expansions: index(s.expansions.iter().map(|e| &e.id), ExpansionId::new),
            lines: s
                .lines
                .iter()
                .enumerate()
                .map(|(l, line)| ((line.facility, line.id.as_str()), LineId::new(l)))
                .collect(),
            errors: Vec::new(),
        }
    }

    fn fail(&mut self, record: RecordRef, field: &'static str, problem: String) {
        self.errors.push(RecordError {
            record,
            field,
            problem,
        });
    }

    fn find<I: Copy>(
        &mut self,
        table: fn(&Self) -> &HashMap<&'a str, I>,
        kind: &str,
        record: RecordRef,
        field: &'static str,
        label: &str,
    ) -> Option<I> {
        let found = table(self).get(label).copied();
        if found.is_none() {
            self.fail(record, field, format!("unknown {kind} \"{label}\""));
        }
        found
    }

    fn facility(&mut self, r: RecordRef, field: &'static str, label: &str) -> Option<FacilityId> {
        self.find(|l| &l.facilities, "facility", r, field, label)
    }

    fn product(&mut self, r: RecordRef, field: &'static str, label: &str) -> Option<ProductId> {
        self.find(|l| &l.products, "product", r, field, label)
    }

    fn demand(&mut self, r: RecordRef, label: &str) -> Option<DemandId> {
        self.find(|l| &l.demands, "demand", r, "demand", label)
    }

    fn contract(&mut self, r: RecordRef, label: &str) -> Option<ContractId> {
        self.find(|l| &l.contracts, "contract", r, "contract", label)
    }

    fn expansion(&mut self, r: RecordRef, label: &str) -> Option<ExpansionId> {
        self.find(|l| &l.expansions, "expansion", r, "expansion", label)
    }

    /// The line `label` of `facility` (line ids are unique per facility
    /// only); nothing more is reported when the facility is unknown.
    fn line(&mut self, r: RecordRef, facility: Option<FacilityId>, label: &str) -> Option<LineId> {
        let facility = facility?;
        let found = self.lines.get(&(facility, label)).copied();
        if found.is_none() {
            let at = &self.s.facilities[facility.index()].id;
            self.fail(
                r,
                "line",
                format!("unknown line \"{label}\" at facility \"{at}\""),
            );
        }
        found
    }

    /// The period index of `label`: at or after the horizon's start (a
    /// period after its end is kept, for `verify` to judge).
    fn period(&mut self, r: RecordRef, field: &'static str, label: &str) -> Option<usize> {
        match self.s.calendar.offset(label) {
            Ok(offset) => match usize::try_from(offset) {
                Ok(t) => Some(t),
                Err(_) => {
                    let first = self.s.calendar.label(0);
                    self.fail(
                        r,
                        field,
                        format!("period \"{label}\" lies before the horizon's first, {first}"),
                    );
                    None
                }
            },
            Err(error) => {
                self.fail(r, field, format!("not a period of the scenario: {error}"));
                None
            }
        }
    }
}

impl PlanDocument {
    /// The plan this document describes, with its labels resolved against
    /// `scenario`: records in the document's order (so that a record's
    /// position in the plan is its position in the document), compliance
    /// verdicts recomputed from the rules, and KPIs recomputed from the
    /// records (the document's own `kpis`, `explanations` and `*_info` are
    /// derived data and are not read back).
    ///
    /// Every unknown label, period before the horizon and compliance record
    /// whose `allowed` contradicts the rules is reported, each naming its
    /// record and field (`shipments[12].facility: unknown facility "x"`).
    /// The numbers are not checked: run [`crate::verify`] on the result.
    pub fn to_plan(&self, scenario: &Scenario) -> Result<Plan, DocumentError> {
        let s = scenario;
        let mut k = Lookup::new(s);
        if self.periods != s.calendar.labels() {
            k.fail(
                RecordRef::field("periods"),
                "",
                format!(
                    "the plan's horizon ({}) is not the scenario's ({})",
                    span(&self.periods),
                    span(&s.calendar.labels())
                ),
            );
        }
        if !self.currency.is_empty() && self.currency != s.currency {
            k.fail(
                RecordRef::field("currency"),
                "",
                format!(
                    "costs in {}, the scenario's currency is {}",
                    self.currency, s.currency
                ),
            );
        }

        let production: Vec<Option<ProductionRecord>> = self
            .production
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let at = RecordRef::at("production", i);
                let facility = k.facility(at, "facility", &r.facility);
                let line = k.line(at, facility, &r.line);
                let product = k.product(at, "product", &r.product);
                let period = k.period(at, "period", &r.period);
                Some(ProductionRecord {
                    facility: facility?,
                    line: line?,
                    product: product?,
                    period: period?,
                    quantity: r.quantity,
                })
            })
            .collect();
        let shipments: Vec<Option<ShipmentRecord>> = self
            .shipments
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let at = RecordRef::at("shipments", i);
                let facility = k.facility(at, "facility", &r.facility);
                let demand = k.demand(at, &r.demand);
                let product = k.product(at, "product", &r.product);
                let period = k.period(at, "period", &r.period);
                let arrival = k.period(at, "arrival", &r.arrival);
                Some(ShipmentRecord {
                    facility: facility?,
                    demand: demand?,
                    product: product?,
                    period: period?,
                    arrival: arrival?,
                    quantity: r.quantity,
                })
            })
            .collect();
        let transfers: Vec<Option<TransferRecord>> = self
            .transfers
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let at = RecordRef::at("transfers", i);
                let from = k.facility(at, "from", &r.from);
                let to = k.facility(at, "to", &r.to);
                let product = k.product(at, "product", &r.product);
                let period = k.period(at, "period", &r.period);
                let arrival = k.period(at, "arrival", &r.arrival);
                Some(TransferRecord {
                    from: from?,
                    to: to?,
                    product: product?,
                    period: period?,
                    arrival: arrival?,
                    quantity: r.quantity,
                })
            })
            .collect();
        let stock: Vec<Option<StockRecord>> = self
            .stock
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let at = RecordRef::at("stock", i);
                let facility = k.facility(at, "facility", &r.facility);
                let product = k.product(at, "product", &r.product);
                let period = k.period(at, "period", &r.period);
                Some(StockRecord {
                    facility: facility?,
                    product: product?,
                    period: period?,
                    quantity: r.quantity,
                })
            })
            .collect();
        let expansions: Vec<Option<ExpansionRecord>> = self
            .expansions
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let at = RecordRef::at("expansions", i);
                let expansion = k.expansion(at, &r.expansion);
                let facility = k.facility(at, "facility", &r.facility);
                let line = k.line(at, facility, &r.line);
                let decided = k.period(at, "decided", &r.decided);
                let available = k.period(at, "available", &r.available);
                Some(ExpansionRecord {
                    expansion: expansion?,
                    facility: facility?,
                    line: line?,
                    decided: decided?,
                    available: available?,
                    fraction: r.fraction,
                })
            })
            .collect();
        let demand: Vec<Option<DemandRecord>> = self
            .demand
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let at = RecordRef::at("demand", i);
                let demand = k.demand(at, &r.demand);
                let period = k.period(at, "period", &r.period);
                Some(DemandRecord {
                    demand: demand?,
                    period: period?,
                    required: r.required,
                    delivered: r.delivered,
                    backlog: r.backlog,
                    lost: r.lost,
                })
            })
            .collect();
        let contracts: Vec<Option<ContractRecord>> = self
            .contracts
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let at = RecordRef::at("contracts", i);
                let contract = k.contract(at, &r.contract);
                let period = k.period(at, "period", &r.period);
                Some(ContractRecord {
                    contract: contract?,
                    period: period?,
                    committed: r.committed,
                    shipped: r.shipped,
                    shortfall: r.shortfall,
                })
            })
            .collect();
        let compliance: Vec<Option<ComplianceRecord>> = self
            .compliance
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let at = RecordRef::at("compliance", i);
                let facility = k.facility(at, "facility", &r.facility);
                let demand = k.demand(at, &r.demand);
                let (facility, demand) = (facility?, demand?);
                let verdict = caisson_compliance::shipment(s, facility, demand);
                if verdict.is_allowed() != r.allowed {
                    k.fail(at, "allowed", contradiction(r.allowed, &verdict.reason(s)));
                }
                Some(ComplianceRecord {
                    facility,
                    demand,
                    verdict,
                })
            })
            .collect();
        let transfer_compliance: Vec<Option<TransferComplianceRecord>> = self
            .transfer_compliance
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let at = RecordRef::at("transfer_compliance", i);
                let from = k.facility(at, "from", &r.from);
                let to = k.facility(at, "to", &r.to);
                let (from, to) = (from?, to?);
                let verdict = caisson_compliance::transfer(s, from, to);
                if verdict.is_allowed() != r.allowed {
                    k.fail(at, "allowed", contradiction(r.allowed, &verdict.reason(s)));
                }
                Some(TransferComplianceRecord { from, to, verdict })
            })
            .collect();
        let capacity_duals: Option<Vec<Option<CapacityDual>>> =
            self.capacity_duals.as_ref().map(|duals| {
                duals
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let at = RecordRef::at("capacity_duals", i);
                        let facility = k.facility(at, "facility", &r.facility);
                        let line = k.line(at, facility, &r.line);
                        let period = k.period(at, "period", &r.period);
                        Some(CapacityDual {
                            line: line?,
                            period: period?,
                            shadow_price: r.shadow_price,
                        })
                    })
                    .collect()
            });
        if !k.errors.is_empty() {
            return Err(DocumentError::Labels(LabelError(k.errors)));
        }
        // Every record resolved (an unresolved one left an error above).
        let shipments: Vec<ShipmentRecord> = all(shipments);
        let demand: Vec<DemandRecord> = all(demand);
        let solved = self.status.has_solution();
        let kpis = if solved {
            kpi::compute(s, &shipments, &demand)
        } else {
            Kpis::default()
        };
        Ok(Plan {
            status: self.status,
            method: self.method.clone(),
            objective: self.objective,
            // A solved plan's gap written as null is unknown (a heuristic's).
            mip_gap: match self.mip_gap {
                None if solved => Some(f64::INFINITY),
                gap => gap,
            },
            cost: self.cost,
            message: self.message.clone(),
            production: all(production),
            shipments,
            transfers: all(transfers),
            stock: all(stock),
            expansions: all(expansions),
            demand,
            contracts: all(contracts),
            compliance: all(compliance),
            transfer_compliance: all(transfer_compliance),
            kpis,
            model: self.model.clone(),
            capacity_duals: capacity_duals.map(all),
        })
    }
}

/// The records of a list that resolved completely.
fn all<T>(records: Vec<Option<T>>) -> Vec<T> {
    records.into_iter().flatten().collect()
}

/// `first..last` of a list of period labels, for messages.
fn span(labels: &[String]) -> String {
    match (labels.first(), labels.last()) {
        (Some(first), Some(last)) => format!("{first}..{last}, {} periods", labels.len()),
        _ => "no periods".to_owned(),
    }
}

fn contradiction(allowed: bool, reason: &str) -> String {
    if allowed {
        format!("true, but the rules deny the pair ({reason})")
    } else {
        "false, but no policy denies the pair".to_owned()
    }
}
