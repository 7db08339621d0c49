//! CSV export: one file per record array, three KPI files and a summary.

use std::fs;
use std::path::Path;

use caisson_model::Scenario;
use caisson_plan::document::PlanDocument;
use caisson_plan::Plan;
use serde::Serialize;

use crate::shortages::cause_csv_rows;
use crate::ReportError;

/// One CSV table as bytes: a header from the first record, then a row per
/// record (an empty array gives no bytes at all).
fn table_bytes<T: Serialize>(name: &str, rows: &[T]) -> Result<Vec<u8>, ReportError> {
    let csv_error = |source| ReportError::Csv {
        path: name.into(),
        source,
    };
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer.serialize(row).map_err(csv_error)?;
    }
    writer
        .into_inner()
        .map_err(|e| csv_error(csv::Error::from(e.into_error())))
}

/// One-row overview of the plan, for `summary.csv`.
#[derive(Serialize)]
struct Summary<'a> {
    scenario: &'a str,
    status: &'static str,
    method: &'a str,
    objective: Option<f64>,
    mip_gap: Option<f64>,
    shortage: Option<f64>,
    production: Option<f64>,
    transport: Option<f64>,
    holding: Option<f64>,
    capex: Option<f64>,
    contract: Option<f64>,
}

/// Writes the plan into `dir` (created if missing): `summary.csv`,
/// `production.csv`, `shipments.csv`, `transfers.csv`, `stock.csv`,
/// `expansions.csv`, `demand.csv`, `contracts.csv`, `compliance.csv`,
/// `transfer_compliance.csv`, `kpi_demands.csv`, `kpi_products.csv`,
/// `kpi_end_users.csv`, `explanations.csv` (one row per cause of a short
/// demand: demand, kind, text) and, when computed, `capacity_duals.csv`. An empty
/// array gives an empty file (no header: the csv writer takes the header
/// from the first record).
pub fn write_csv_dir(scenario: &Scenario, plan: &Plan, dir: &Path) -> Result<(), ReportError> {
    fs::create_dir_all(dir).map_err(|source| ReportError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let doc = PlanDocument::new(scenario, plan);
    for (name, bytes) in csv_tables(&doc)? {
        let path = dir.join(name);
        fs::write(&path, bytes).map_err(|source| ReportError::Io { path, source })?;
    }
    Ok(())
}

/// The names of the CSV tables [`csv_tables`] writes, in order
/// (`capacity_duals.csv` only when the plan computed them).
pub const CSV_TABLES: [&str; 15] = [
    "summary.csv",
    "production.csv",
    "shipments.csv",
    "transfers.csv",
    "stock.csv",
    "expansions.csv",
    "demand.csv",
    "contracts.csv",
    "compliance.csv",
    "transfer_compliance.csv",
    "kpi_demands.csv",
    "kpi_products.csv",
    "kpi_end_users.csv",
    "explanations.csv",
    "capacity_duals.csv",
];

/// The CSV tables of a plan document, in memory: each file name of
/// [`write_csv_dir`] with its bytes (the same bytes the directory gets).
/// Used on a plan as a party may see it, so it reads the document only.
pub fn csv_tables(doc: &PlanDocument) -> Result<Vec<(&'static str, Vec<u8>)>, ReportError> {
    let cost = doc.cost.as_ref();
    let summary = Summary {
        scenario: &doc.scenario,
        status: doc.status.name(),
        method: &doc.method,
        objective: doc.objective,
        mip_gap: doc.mip_gap,
        shortage: cost.map(|c| c.shortage),
        production: cost.map(|c| c.production),
        transport: cost.map(|c| c.transport),
        holding: cost.map(|c| c.holding),
        capex: cost.map(|c| c.capex),
        contract: cost.map(|c| c.contract),
    };
    let mut tables = vec![
        ("summary.csv", table_bytes("summary.csv", &[summary])?),
        (
            "production.csv",
            table_bytes("production.csv", &doc.production)?,
        ),
        (
            "shipments.csv",
            table_bytes("shipments.csv", &doc.shipments)?,
        ),
        (
            "transfers.csv",
            table_bytes("transfers.csv", &doc.transfers)?,
        ),
        ("stock.csv", table_bytes("stock.csv", &doc.stock)?),
        (
            "expansions.csv",
            table_bytes("expansions.csv", &doc.expansions)?,
        ),
        ("demand.csv", table_bytes("demand.csv", &doc.demand)?),
        (
            "contracts.csv",
            table_bytes("contracts.csv", &doc.contracts)?,
        ),
        (
            "compliance.csv",
            table_bytes("compliance.csv", &doc.compliance)?,
        ),
        (
            "transfer_compliance.csv",
            table_bytes("transfer_compliance.csv", &doc.transfer_compliance)?,
        ),
        (
            "kpi_demands.csv",
            table_bytes("kpi_demands.csv", &doc.kpis.demands)?,
        ),
        (
            "kpi_products.csv",
            table_bytes("kpi_products.csv", &doc.kpis.products)?,
        ),
        (
            "kpi_end_users.csv",
            table_bytes("kpi_end_users.csv", &doc.kpis.end_users)?,
        ),
        (
            "explanations.csv",
            table_bytes("explanations.csv", &cause_csv_rows(&doc.explanations))?,
        ),
    ];
    if let Some(duals) = &doc.capacity_duals {
        tables.push((
            "capacity_duals.csv",
            table_bytes("capacity_duals.csv", duals)?,
        ));
    }
    Ok(tables)
}
