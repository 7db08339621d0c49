//! Signed contracts: the model's `[[contract]]` made between parties of a
//! round (spec section 2).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use toml::{Table, Value};

/// A schedule as the model writes it (spec section 1): one number for
/// every period, or period label = number read as a step function.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Schedule {
    /// The same value in every period.
    Constant(f64),
    /// Label = value, from that period on (labels of one kind sort in time order).
    Steps(BTreeMap<String, f64>),
}

impl Schedule {
    fn to_value(&self) -> Value {
        match self {
            Schedule::Constant(value) => number(*value),
            Schedule::Steps(steps) => Value::Table(
                steps
                    .iter()
                    .map(|(label, value)| (label.clone(), number(*value)))
                    .collect(),
            ),
        }
    }
}

/// An integer-valued number as a TOML integer (as people write it), any
/// other as a float.
fn number(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        // Exact: the value is an integer well inside i64's range.
        #[allow(clippy::cast_possible_truncation)]
        Value::Integer(value as i64)
    } else {
        Value::Float(value)
    }
}

/// A signed contract of a round: the model's `[[contract]]` fields with the
/// facility's id qualified by its producer, plus the opaque id the server
/// assigned and the supplier organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedContract {
    /// The opaque id assigned by the server; the model's contract id in the
    /// assembled scenario.
    pub id: String,
    /// The supplier organisation (a producer member of the round).
    pub supplier: String,
    /// The supplier facility, qualified `SUPPLIER:X`.
    pub facility: String,
    /// The buyer actor.
    pub buyer: String,
    /// The product.
    pub product: String,
    /// Units the supplier is committed to ship to the buyer per period.
    pub quantity: Schedule,
    /// Cost per unit of shortfall per period (>= 0).
    pub penalty: f64,
    /// Price per unit (reported, not optimised).
    #[serde(default)]
    pub price: f64,
}

impl SignedContract {
    /// The `[[contract]]` table of the assembled scenario.
    pub(crate) fn to_table(&self) -> Table {
        let mut table = Table::new();
        table.insert("id".into(), Value::String(self.id.clone()));
        table.insert("facility".into(), Value::String(self.facility.clone()));
        table.insert("buyer".into(), Value::String(self.buyer.clone()));
        table.insert("product".into(), Value::String(self.product.clone()));
        table.insert("quantity".into(), self.quantity.to_value());
        table.insert("penalty".into(), number(self.penalty));
        table.insert("price".into(), number(self.price));
        table
    }

    /// Whether the facility is one of the supplier's (its id carries the
    /// supplier's prefix).
    pub fn facility_is_suppliers(&self) -> bool {
        self.facility
            .split_once(':')
            .is_some_and(|(prefix, local)| prefix == self.supplier && !local.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_read_a_number_or_a_table() {
        let constant: Schedule = serde_json::from_str("12.5").expect("number");
        assert_eq!(constant, Schedule::Constant(12.5));
        let steps: Schedule =
            serde_json::from_str(r#"{"2025-01": 10, "2026-01": 0}"#).expect("table");
        let Schedule::Steps(steps) = steps else {
            panic!("a table is a step schedule")
        };
        assert_eq!(steps.len(), 2);
        assert_eq!(number(3.0), Value::Integer(3));
        assert_eq!(number(0.5), Value::Float(0.5));
    }

    #[test]
    fn a_contract_names_its_suppliers_facility() {
        let contract = SignedContract {
            id: "c1".into(),
            supplier: "krusik".into(),
            facility: "krusik:plant".into(),
            buyer: "DEU".into(),
            product: "mortar-120".into(),
            quantity: Schedule::Constant(10.0),
            penalty: 1.0,
            price: 2.5,
        };
        assert!(contract.facility_is_suppliers());
        let other = SignedContract {
            facility: "sloboda:plant".into(),
            ..contract.clone()
        };
        assert!(!other.facility_is_suppliers());
        let table = contract.to_table();
        assert_eq!(table.get("price"), Some(&Value::Float(2.5)));
        assert_eq!(table.get("quantity"), Some(&Value::Integer(10)));
    }
}
