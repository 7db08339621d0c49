//! A plan (`caisson-plan/1` JSON) as sheets: a summary, one sheet per
//! record array and the KPI tables, all named `plan_*`.

use serde_json::{Map, Value};

use crate::error::FileError;
use crate::layout::PLAN_PREFIX;
use crate::sheet::{number_text, Cell, Column, Sheet, Style};

/// One known column of a record array: its key, unit and display.
struct Col {
    key: &'static str,
    /// Unit shown in the header; `$` stands for the plan's currency.
    unit: Option<&'static str>,
    style: Style,
}

const fn c(key: &'static str, unit: Option<&'static str>, style: Style) -> Col {
    Col { key, unit, style }
}

const ID: Style = Style::Text;
const QTY: Style = Style::Quantity;
const UNITS: Option<&str> = Some("units");
const PERIOD: Option<&str> = Some("period");

/// The record arrays of spec section 6 (and the project's extras), in
/// workbook order: the JSON path, the sheet name after `plan_`, and the
/// columns in reading order. Keys a record has beyond these are added at
/// the end, so nothing is dropped.
const RECORDS: &[(&str, &str, &[Col])] = &[
    (
        "kpis.demands",
        "kpi_demands",
        &[
            c("demand", None, ID),
            c("product", None, ID),
            c("end_user", None, ID),
            c("required", UNITS, QTY),
            c("delivered", UNITS, QTY),
            c("fill_rate", None, Style::Percent),
            c("final_backlog", UNITS, QTY),
            c("lost", UNITS, QTY),
            c("shortage", Some("unit-periods"), QTY),
        ],
    ),
    (
        "kpis.products",
        "kpi_products",
        &[
            c("product", None, ID),
            c("required", UNITS, QTY),
            c("delivered", UNITS, QTY),
            c("fill_rate", None, Style::Percent),
            c("shortage", Some("unit-periods"), QTY),
        ],
    ),
    (
        "kpis.end_users",
        "kpi_end_users",
        &[
            c("end_user", None, ID),
            c("product", None, ID),
            c("exporter", None, ID),
            c("delivered", UNITS, QTY),
            c("share", None, Style::Percent),
        ],
    ),
    (
        "production",
        "production",
        &[
            c("facility", None, ID),
            c("line", None, ID),
            c("product", None, ID),
            c("period", None, ID),
            c("quantity", UNITS, QTY),
        ],
    ),
    (
        "shipments",
        "shipments",
        &[
            c("facility", None, ID),
            c("demand", None, ID),
            c("product", None, ID),
            c("period", Some("leaves"), ID),
            c("arrival", PERIOD, ID),
            c("quantity", UNITS, QTY),
        ],
    ),
    (
        "transfers",
        "transfers",
        &[
            c("from", None, ID),
            c("to", None, ID),
            c("product", None, ID),
            c("period", Some("leaves"), ID),
            c("arrival", PERIOD, ID),
            c("quantity", UNITS, QTY),
        ],
    ),
    (
        "stock",
        "stock",
        &[
            c("facility", None, ID),
            c("product", None, ID),
            c("period", None, ID),
            c("quantity", Some("units, end of period"), QTY),
        ],
    ),
    (
        "expansions",
        "expansions",
        &[
            c("expansion", None, ID),
            c("facility", None, ID),
            c("line", None, ID),
            c("decided", PERIOD, ID),
            c("available", PERIOD, ID),
            c("fraction", None, Style::Percent),
        ],
    ),
    (
        "demand",
        "demand",
        &[
            c("demand", None, ID),
            c("period", None, ID),
            c("required", UNITS, QTY),
            c("delivered", UNITS, QTY),
            c("backlog", UNITS, QTY),
            c("lost", UNITS, QTY),
        ],
    ),
    (
        "contracts",
        "contracts",
        &[
            c("contract", None, ID),
            c("period", None, ID),
            c("committed", UNITS, QTY),
            c("shipped", UNITS, QTY),
            c("shortfall", UNITS, QTY),
        ],
    ),
    (
        "compliance",
        "compliance",
        &[
            c("facility", None, ID),
            c("demand", None, ID),
            c("allowed", None, Style::General),
            c("reason", None, Style::Text),
        ],
    ),
    (
        "transfer_compliance",
        "transfer_compliance",
        &[
            c("from", None, ID),
            c("to", None, ID),
            c("allowed", None, Style::General),
            c("reason", None, Style::Text),
        ],
    ),
    (
        "capacity_duals",
        "capacity_duals",
        &[
            c("facility", None, ID),
            c("line", None, ID),
            c("period", None, ID),
            c("shadow_price", Some("$/capacity unit"), Style::Money),
        ],
    ),
];

/// Top-level keys that are not record arrays of their own.
const NOT_RECORDS: &[&str] = &["periods", "kpis", "explanations", "cost", "model"];

/// Lays a `caisson-plan/1` document out as sheets: `plan_summary` (status,
/// objective and the cost split), the KPI sheets `plan_kpi_demands`,
/// `plan_kpi_products` and `plan_kpi_end_users`, one `plan_NAME` sheet per
/// record array (production, shipments, ..., and any further array of
/// records the plan holds) and `plan_explanations` (one row per cause of a
/// shortage). Headers carry units, money in the plan's currency.
pub fn plan_to_sheets(plan: &Value) -> Result<Vec<Sheet>, FileError> {
    let Some(top) = plan.as_object() else {
        return Err(FileError::NotAPlan("the plan is not a JSON object".into()));
    };
    match top.get("format").and_then(Value::as_str) {
        Some("caisson-plan/1") => {}
        other => {
            return Err(FileError::NotAPlan(format!(
                "expected format \"caisson-plan/1\", found {}",
                other.map_or("none".to_owned(), |f| format!("\"{f}\""))
            )))
        }
    }
    let currency = top.get("currency").and_then(Value::as_str).unwrap_or("EUR");
    let mut sheets = vec![summary(top, currency)];
    for (path, name, columns) in RECORDS {
        let records = path
            .split('.')
            .try_fold(plan, |value, key| value.get(key))
            .and_then(Value::as_array);
        sheets.push(records_sheet(
            name,
            columns,
            records.map_or(&[][..], Vec::as_slice),
            currency,
        ));
    }
    for (key, value) in top {
        let known = RECORDS.iter().any(|(path, _, _)| path == key);
        if known || NOT_RECORDS.contains(&key.as_str()) {
            continue;
        }
        if let Some(records) = value.as_array().filter(|a| a.iter().all(Value::is_object)) {
            if !records.is_empty() {
                sheets.push(records_sheet(key, &[], records, currency));
            }
        }
    }
    sheets.push(explanations(top.get("explanations")));
    Ok(sheets)
}

fn header(key: &str, unit: Option<&str>, currency: &str) -> String {
    match unit {
        Some(unit) => format!("{key} ({})", unit.replace('$', currency)),
        None => key.to_owned(),
    }
}

fn summary(top: &Map<String, Value>, currency: &str) -> Sheet {
    let mut sheet = Sheet::new(
        format!("{PLAN_PREFIX}summary"),
        vec![
            Column::new("field", Style::Text),
            Column::new("value", Style::Money),
        ],
    );
    let mut row = |field: String, value: Cell| sheet.rows.push(vec![Cell::text(field), value]);
    for key in ["scenario", "status", "method", "currency"] {
        if let Some(value) = top.get(key) {
            row(key.to_owned(), cell(value));
        }
    }
    if let Some(periods) = top.get("periods").and_then(Value::as_array) {
        let label = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_owned();
        row(
            "horizon".to_owned(),
            Cell::text(format!(
                "{}..{} ({} periods)",
                label(periods.first()),
                label(periods.last()),
                periods.len()
            )),
        );
    }
    row(
        header("objective", Some("$"), currency),
        top.get("objective").map_or(Cell::Empty, cell),
    );
    row(
        "mip_gap".to_owned(),
        top.get("mip_gap").map_or(Cell::Empty, cell),
    );
    if let Some(cost) = top.get("cost").and_then(Value::as_object) {
        for (key, value) in cost {
            row(
                header(&format!("cost.{key}"), Some("$"), currency),
                cell(value),
            );
        }
    }
    sheet
}

fn records_sheet(name: &str, known: &[Col], records: &[Value], currency: &str) -> Sheet {
    let mut keys: Vec<&str> = known.iter().map(|c| c.key).collect();
    let mut extra: Vec<&str> = records
        .iter()
        .filter_map(Value::as_object)
        .flat_map(|r| r.keys().map(String::as_str))
        .filter(|k| !keys.contains(k))
        .collect();
    extra.sort_unstable();
    extra.dedup();
    keys.extend(extra);
    let columns = keys
        .iter()
        .map(|&key| match known.iter().find(|c| c.key == key) {
            Some(col) => Column::new(header(key, col.unit, currency), col.style),
            None => Column::new(key, Style::General),
        })
        .collect();
    let mut sheet = Sheet::new(format!("{PLAN_PREFIX}{name}"), columns);
    for record in records {
        sheet.rows.push(
            keys.iter()
                .map(|key| record.get(*key).map_or(Cell::Empty, cell))
                .collect(),
        );
    }
    sheet
}

fn explanations(value: Option<&Value>) -> Sheet {
    let mut sheet = Sheet::new(
        format!("{PLAN_PREFIX}explanations"),
        vec![
            Column::new("demand", Style::Text),
            Column::new("kind", Style::Text),
            Column::new("periods", Style::Text),
            Column::new("text", Style::Text),
        ],
    );
    let text = |v: &Value, key: &str| v.get(key).map_or(Cell::Empty, cell);
    for explanation in value
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
    {
        let demand = text(explanation, "demand");
        let span = match (
            explanation.get("first_short").and_then(Value::as_str),
            explanation.get("last_short").and_then(Value::as_str),
        ) {
            (Some(first), Some(last)) => Cell::text(format!("{first}..{last}")),
            _ => Cell::Empty,
        };
        sheet.rows.push(vec![
            demand.clone(),
            Cell::text("summary"),
            span,
            text(explanation, "text"),
        ]);
        let causes = explanation.get("causes").and_then(Value::as_array);
        for cause in causes.map_or(&[][..], Vec::as_slice) {
            sheet.rows.push(vec![
                demand.clone(),
                text(cause, "kind"),
                text(cause, "periods"),
                text(cause, "text"),
            ]);
        }
    }
    sheet
}

/// A JSON value as a cell: lists of scalars joined by commas, objects as
/// JSON text.
fn cell(value: &Value) -> Cell {
    match value {
        Value::Null => Cell::Empty,
        Value::Bool(b) => Cell::Bool(*b),
        Value::Number(n) => n.as_f64().map_or(Cell::Empty, Cell::Number),
        Value::String(s) => Cell::Text(s.clone()),
        Value::Array(items) => Cell::Text(
            items
                .iter()
                .map(|item| match item {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.as_f64().map(number_text).unwrap_or_default(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
        Value::Object(_) => Cell::Text(value.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn records_become_sheets_with_units_and_nothing_dropped() {
        let plan = json!({
            "format": "caisson-plan/1",
            "status": "optimal",
            "currency": "USD",
            "objective": 12.5,
            "cost": {"shortage": 10.0, "production": 2.5},
            "periods": ["2026-01", "2026-02"],
            "production": [{"facility": "f", "line": "l", "product": "p",
                            "period": "2026-01", "quantity": 3.0, "note": "x"}],
            "kpis": {"demands": [{"demand": "d", "fill_rate": null}]},
            "facilities_info": [{"facility": "f", "actor": "A"}],
        });
        let sheets = plan_to_sheets(&plan).expect("a plan");
        let find = |name: &str| sheets.iter().find(|s| s.name == name).expect(name);
        let production = find("plan_production");
        let headers: Vec<&str> = production
            .columns
            .iter()
            .map(|c| c.header.as_str())
            .collect();
        assert_eq!(
            headers,
            [
                "facility",
                "line",
                "product",
                "period",
                "quantity (units)",
                "note"
            ]
        );
        assert_eq!(production.rows[0][4], Cell::Number(3.0));
        assert_eq!(production.rows[0][5], Cell::text("x"));
        let kpi = find("plan_kpi_demands");
        assert_eq!(kpi.rows[0][0], Cell::text("d"));
        assert_eq!(kpi.rows[0][5], Cell::Empty);
        assert_eq!(find("plan_facilities_info").rows.len(), 1);
        let summary = find("plan_summary");
        assert!(summary
            .rows
            .iter()
            .any(|r| r[0] == Cell::text("cost.shortage (USD)") && r[1] == Cell::Number(10.0)));
        assert!(summary
            .rows
            .iter()
            .any(|r| r[1] == Cell::text("2026-01..2026-02 (2 periods)")));
    }

    #[test]
    fn other_documents_are_refused() {
        assert!(plan_to_sheets(&json!([1, 2])).is_err());
        assert!(plan_to_sheets(&json!({"format": "caisson-report/1"})).is_err());
    }
}
