//! Reading `[[assumption]]` entries (an extension of the spec, see
//! `docs/assumptions.md`): the raw entry type and its reader. Only what one
//! file shows is checked here (types, ranges, id syntax); references, the
//! range's order and the required fields are checked on the merged
//! scenario (`validate/assumption.rs`), since a variant may replace an
//! entry whole.

use super::{Range, Reader};
use crate::merge::Keyed;
use crate::raw::{Field, Sp};
use crate::source::Loc;
use crate::tree::Node;

/// The target fields of an entry, in the order they are read, written and
/// applied: the name in the file and what each id names.
pub(crate) const TARGET_FIELDS: [(&str, TargetField); 10] = [
    ("capacity", TargetField::Capacity),
    ("costs", TargetField::Costs),
    ("stock", TargetField::Stock),
    ("holding", TargetField::Holding),
    ("expansions", TargetField::Expansions),
    ("capex", TargetField::Capex),
    ("demands", TargetField::Demands),
    ("penalties", TargetField::Penalties),
    ("contracts", TargetField::Contracts),
    ("inputs", TargetField::Inputs),
];

/// Every field an `[[assumption]]` may have (for unknown-field hints).
pub(crate) const FIELDS: &[&str] = &[
    "id",
    "reason",
    "low",
    "high",
    "capacity",
    "costs",
    "stock",
    "holding",
    "expansions",
    "capex",
    "demands",
    "penalties",
    "contracts",
    "inputs",
];

/// What the ids of one target field name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TargetField {
    /// `"facility.line"`: the line's capacity schedule.
    Capacity,
    /// `"facility.line"`: the unit cost of every product of the line.
    Costs,
    /// `"facility"` or `"facility.product"`: initial stock.
    Stock,
    /// `"facility"`: holding cost.
    Holding,
    /// Expansion id: capacity added.
    Expansions,
    /// Expansion id: capex.
    Capex,
    /// Demand id: quantity schedule.
    Demands,
    /// Demand id: penalty.
    Penalties,
    /// Contract id: quantity schedule.
    Contracts,
    /// `"product.input"`: input quantity per unit.
    Inputs,
}

/// `[[assumption]]` as written.
#[derive(Debug, Clone)]
pub(crate) struct RawAssumption {
    pub at: Loc,
    pub entity: String,
    pub id: Field<String>,
    pub reason: Field<String>,
    pub low: Field<f64>,
    pub high: Field<f64>,
    /// Each target field written validly, in [`TARGET_FIELDS`] order.
    pub targets: Vec<(TargetField, Sp<Vec<Sp<String>>>)>,
}

impl Keyed for RawAssumption {
    fn key(&self) -> Option<String> {
        self.id.get().cloned()
    }
}

impl Reader<'_> {
    pub(super) fn assumption(&mut self, node: &Node, index: usize) -> Option<RawAssumption> {
        let fallback = || format!("assumption #{}", index + 1);
        let entries = self.item(node, "assumption", fallback)?;
        let entity = Self::entity_name(entries, "assumption", index);
        let mut a = RawAssumption {
            at: self.loc(node.span),
            entity: entity.clone(),
            id: Field::Missing,
            reason: Field::Missing,
            low: Field::Missing,
            high: Field::Missing,
            targets: Vec::new(),
        };
        for entry in entries {
            let e = &entity;
            match &*entry.key {
                "id" => a.id = self.id(entry, e),
                "reason" => a.reason = self.string(entry, e),
                "low" => a.low = self.number(entry, Range::NonNegative, e),
                "high" => a.high = self.number(entry, Range::NonNegative, e),
                key => match TARGET_FIELDS.iter().find(|(name, _)| *name == key) {
                    Some(&(_, field)) => {
                        if let Field::Valid(list) = self.string_list(entry, true, e) {
                            a.targets.push((field, list));
                        }
                    }
                    None => self.unknown_field(entry, FIELDS, e, "[[assumption]]"),
                },
            }
        }
        let order = |field: &TargetField| TARGET_FIELDS.iter().position(|(_, f)| f == field);
        a.targets.sort_by_key(|(field, _)| order(field));
        Some(a)
    }
}
