//! A plan (`caisson-plan/1` JSON) as sheets: a summary, one sheet per
//! record array and the KPI tables, all named `plan_*`.
//!
//! The plan is read as `caisson_plan`'s typed document, and every sheet's
//! columns are its row type's fields in order: the only thing this module
//! adds is how each kind of field is shown (its unit and cell style).

use caisson_plan::document::{ExplanationRow, PlanDocument};
use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::Serialize;
use serde_json::Value;

use crate::error::FileError;
use crate::layout::PLAN_PREFIX;
use crate::sheet::{number_text, Cell, Column, Sheet, Style};

const UNITS: Option<&str> = Some("units");
const PERIOD: Option<&str> = Some("period");

/// How a field of the record array `array` is shown: the unit in its
/// header (`$` stands for the plan's currency) and its cell style.
fn display(array: &str, key: &str) -> (Option<&'static str>, Style) {
    match (array, key) {
        ("demands_info" | "facilities_info", _) => (None, Style::General),
        ("stock", "quantity") => (Some("units, end of period"), Style::Quantity),
        (
            _,
            "quantity" | "required" | "delivered" | "final_backlog" | "lost" | "backlog"
            | "committed" | "shipped" | "shortfall",
        ) => (UNITS, Style::Quantity),
        (_, "shortage") => (Some("unit-periods"), Style::Quantity),
        (_, "fill_rate" | "share" | "fraction") => (None, Style::Percent),
        ("shipments" | "transfers", "period") => (Some("leaves"), Style::Text),
        (_, "arrival" | "decided" | "available") => (PERIOD, Style::Text),
        (_, "shadow_price") => (Some("$/capacity unit"), Style::Money),
        (_, "allowed") => (None, Style::General),
        _ => (None, Style::Text),
    }
}

/// Lays a `caisson-plan/1` document out as sheets: `plan_summary` (status,
/// objective and the cost split), the KPI sheets `plan_kpi_demands`,
/// `plan_kpi_products` and `plan_kpi_end_users`, one `plan_NAME` sheet per
/// record array (production, shipments, ..., capacity duals and the
/// `demands_info` and `facilities_info` extras) and `plan_explanations`
/// (one row per cause of a shortage). Headers carry units, money in the
/// plan's currency.
pub fn plan_to_sheets(plan: &Value) -> Result<Vec<Sheet>, FileError> {
    let plan =
        PlanDocument::from_value(plan).map_err(|error| FileError::NotAPlan(error.to_string()))?;
    let currency = if plan.currency.is_empty() {
        "EUR"
    } else {
        plan.currency.as_str()
    };
    let k = &plan.kpis;
    let duals = plan.capacity_duals.as_deref().unwrap_or_default();
    let sheets = vec![
        summary(&plan, currency),
        records_sheet("kpi_demands", &k.demands, currency),
        records_sheet("kpi_products", &k.products, currency),
        records_sheet("kpi_end_users", &k.end_users, currency),
        records_sheet("production", &plan.production, currency),
        records_sheet("shipments", &plan.shipments, currency),
        records_sheet("transfers", &plan.transfers, currency),
        records_sheet("stock", &plan.stock, currency),
        records_sheet("expansions", &plan.expansions, currency),
        records_sheet("demand", &plan.demand, currency),
        records_sheet("contracts", &plan.contracts, currency),
        records_sheet("compliance", &plan.compliance, currency),
        records_sheet("transfer_compliance", &plan.transfer_compliance, currency),
        records_sheet("capacity_duals", duals, currency),
        records_sheet("demands_info", &plan.demands_info, currency),
        records_sheet("facilities_info", &plan.facilities_info, currency),
        explanations(&plan.explanations),
    ];
    Ok(sheets)
}

fn header(key: &str, unit: Option<&str>, currency: &str) -> String {
    match unit {
        Some(unit) => format!("{key} ({})", unit.replace('$', currency)),
        None => key.to_owned(),
    }
}

fn summary(plan: &PlanDocument, currency: &str) -> Sheet {
    let mut sheet = Sheet::new(
        format!("{PLAN_PREFIX}summary"),
        vec![
            Column::new("field", Style::Text),
            Column::new("value", Style::Money),
        ],
    );
    let mut row = |field: String, value: Cell| sheet.rows.push(vec![Cell::text(field), value]);
    let texts = [
        ("scenario", plan.scenario.as_str()),
        ("status", plan.status.name()),
        ("method", plan.method.as_str()),
        ("currency", plan.currency.as_str()),
    ];
    for (key, value) in texts.into_iter().filter(|(_, v)| !v.is_empty()) {
        row(key.to_owned(), Cell::text(value));
    }
    let first = plan.periods.first().map_or("", String::as_str);
    let last = plan.periods.last().map_or("", String::as_str);
    row(
        "horizon".to_owned(),
        Cell::text(format!("{first}..{last} ({} periods)", plan.periods.len())),
    );
    let number = |value: Option<f64>| value.map_or(Cell::Empty, Cell::Number);
    row(
        header("objective", Some("$"), currency),
        number(plan.objective),
    );
    row("mip_gap".to_owned(), number(plan.mip_gap));
    if let Some(cost) = plan.cost {
        for (key, value) in cells_of(&cost) {
            row(header(&format!("cost.{key}"), Some("$"), currency), value);
        }
    }
    sheet
}

/// A row's fields in declaration order, as cells.
fn cells_of<T: Serialize>(row: &T) -> Vec<(String, Cell)> {
    match serde_json::to_value(row) {
        Ok(Value::Object(fields)) => fields.into_iter().map(|(k, v)| (k, cell(&v))).collect(),
        _ => Vec::new(),
    }
}

/// One sheet of records, one column per field of the row type (so an empty
/// array still shows its headers).
fn records_sheet<'de, T: Serialize + Deserialize<'de>>(
    name: &str,
    records: &[T],
    currency: &str,
) -> Sheet {
    let keys = field_names::<T>();
    let columns = keys
        .iter()
        .map(|&key| {
            let (unit, style) = display(name, key);
            Column::new(header(key, unit, currency), style)
        })
        .collect();
    let mut sheet = Sheet::new(format!("{PLAN_PREFIX}{name}"), columns);
    for record in records {
        let mut cells = cells_of(record);
        sheet.rows.push(
            keys.iter()
                .map(|key| {
                    cells
                        .iter_mut()
                        .find(|(k, _)| k == key)
                        .map_or(Cell::Empty, |(_, c)| std::mem::replace(c, Cell::Empty))
                })
                .collect(),
        );
    }
    sheet
}

/// The field names of a struct, in declaration order, as its `Deserialize`
/// implementation announces them.
fn field_names<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut fields: &'static [&'static str] = &[];
    // The deserializer only records the names and then fails on purpose.
    let _ = T::deserialize(FieldNames(&mut fields));
    fields
}

/// A deserializer that records the fields a struct asks for.
struct FieldNames<'a>(&'a mut &'static [&'static str]);

impl<'de> Deserializer<'de> for FieldNames<'_> {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("only a struct's field names are read"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        *self.0 = fields;
        Err(de::Error::custom("only a struct's field names are read"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map enum identifier ignored_any
    }
}

fn explanations(rows: &[ExplanationRow]) -> Sheet {
    let mut sheet = Sheet::new(
        format!("{PLAN_PREFIX}explanations"),
        vec![
            Column::new("demand", Style::Text),
            Column::new("kind", Style::Text),
            Column::new("periods", Style::Text),
            Column::new("text", Style::Text),
        ],
    );
    for explanation in rows {
        let demand = Cell::text(explanation.demand.as_str());
        sheet.rows.push(vec![
            demand.clone(),
            Cell::text("summary"),
            Cell::text(format!(
                "{}..{}",
                explanation.first_short, explanation.last_short
            )),
            Cell::text(explanation.text.as_str()),
        ]);
        for cause in &explanation.causes {
            let periods = cells_of(cause)
                .into_iter()
                .find(|(k, _)| k == "periods")
                .map_or(Cell::Empty, |(_, c)| c);
            sheet.rows.push(vec![
                demand.clone(),
                Cell::text(cause.kind()),
                periods,
                Cell::text(cause.text()),
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
    fn records_become_sheets_with_units() {
        let plan = json!({
            "format": "caisson-plan/1",
            "scenario": "s",
            "status": "optimal",
            "currency": "USD",
            "objective": 12.5,
            "mip_gap": 0.0,
            "cost": {"shortage": 10.0, "production": 2.5, "transport": 0.0,
                     "holding": 0.0, "capex": 0.0, "contract": 0.0},
            "periods": ["2026-01", "2026-02"],
            "production": [{"facility": "f", "line": "l", "product": "p",
                            "period": "2026-01", "quantity": 3.0}],
            "kpis": {"demands": [{"demand": "d", "product": "p", "end_user": "A",
                                  "required": 0.0, "delivered": 0.0, "fill_rate": null,
                                  "final_backlog": 0.0, "lost": 0.0, "shortage": 0.0}],
                     "products": [], "end_users": []},
            "facilities_info": [{"facility": "f", "actor": "A"}],
            "explanations": [{"demand": "d", "text": "short", "first_short": "2026-01",
                              "last_short": "2026-02", "short_periods": 2,
                              "total_shortage": 4.0, "omitted": 0,
                              "causes": [{"kind": "spare_unshipped", "text": "held 3",
                                          "facility": "f", "product": "p",
                                          "periods": ["2026-01", "2026-02"], "stock": 3.0}]}],
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
            ["facility", "line", "product", "period", "quantity (units)"]
        );
        assert_eq!(production.rows[0][4], Cell::Number(3.0));
        let shipments = find("plan_shipments");
        assert!(shipments.rows.is_empty());
        assert_eq!(shipments.columns[3].header, "period (leaves)");
        let kpi = find("plan_kpi_demands");
        assert_eq!(kpi.rows[0][0], Cell::text("d"));
        assert_eq!(kpi.rows[0][5], Cell::Empty);
        assert_eq!(kpi.columns[8].header, "shortage (unit-periods)");
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
        let why = find("plan_explanations");
        assert_eq!(why.rows.len(), 2);
        assert_eq!(why.rows[1][1], Cell::text("spare_unshipped"));
        assert_eq!(why.rows[1][2], Cell::text("2026-01, 2026-02"));
    }

    #[test]
    fn other_documents_are_refused() {
        assert!(plan_to_sheets(&json!([1, 2])).is_err());
        assert!(plan_to_sheets(&json!({"format": "caisson-report/1"})).is_err());
        let error = plan_to_sheets(&json!({"format": "caisson-plan/1", "status": "optimal",
            "periods": [], "shipments": [{"facility": "f"}]}))
        .expect_err("a record without its fields");
        assert!(error.to_string().contains("shipments[0]"), "{error}");
    }

    #[test]
    fn field_names_come_from_the_row_types() {
        assert_eq!(
            field_names::<caisson_plan::document::StockRow>(),
            ["facility", "product", "period", "quantity"]
        );
    }
}
