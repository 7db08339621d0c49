//! CSV export: one file per record array, three KPI files and a summary.

use std::fs;
use std::path::Path;

use caisson_model::Scenario;
use caisson_plan::document::PlanDocument;
use caisson_plan::Plan;
use serde::Serialize;

use crate::shortages::cause_csv_rows;
use crate::ReportError;

fn write_rows<T: Serialize>(dir: &Path, name: &str, rows: &[T]) -> Result<(), ReportError> {
    let path = dir.join(name);
    let csv_error = |source| ReportError::Csv {
        path: path.clone(),
        source,
    };
    let mut writer = csv::Writer::from_path(&path).map_err(csv_error)?;
    for row in rows {
        writer.serialize(row).map_err(csv_error)?;
    }
    writer.flush().map_err(|source| ReportError::Io {
        path: path.clone(),
        source,
    })
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
    write_rows(dir, "summary.csv", &[summary])?;
    write_rows(dir, "production.csv", &doc.production)?;
    write_rows(dir, "shipments.csv", &doc.shipments)?;
    write_rows(dir, "transfers.csv", &doc.transfers)?;
    write_rows(dir, "stock.csv", &doc.stock)?;
    write_rows(dir, "expansions.csv", &doc.expansions)?;
    write_rows(dir, "demand.csv", &doc.demand)?;
    write_rows(dir, "contracts.csv", &doc.contracts)?;
    write_rows(dir, "compliance.csv", &doc.compliance)?;
    write_rows(dir, "transfer_compliance.csv", &doc.transfer_compliance)?;
    write_rows(dir, "kpi_demands.csv", &doc.kpis.demands)?;
    write_rows(dir, "kpi_products.csv", &doc.kpis.products)?;
    write_rows(dir, "kpi_end_users.csv", &doc.kpis.end_users)?;
    write_rows(dir, "explanations.csv", &cause_csv_rows(&doc.explanations))?;
    if let Some(duals) = &doc.capacity_duals {
        write_rows(dir, "capacity_duals.csv", duals)?;
    }
    Ok(())
}
