//! Reading `[[assumption]]` entries (an extension of the spec, see
//! `docs/assumptions.md`): the target fields of an entry. The entry's
//! fields and their reader are its table in `schema.rs`. Only what one
//! file shows is checked here (types, ranges, id syntax); references, the
//! range's order and the required fields are checked on the merged
//! scenario (`validate/assumption.rs`), since a variant may replace an
//! entry whole.

use crate::raw::{RawAssumption, Sp};

/// The target fields of an entry, in the order they are read, written and
/// applied (the order of `schema::ASSUMPTION`): the name in the file and
/// what each id names.
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

impl RawAssumption {
    /// Each target field written validly, in [`TARGET_FIELDS`] order.
    pub(crate) fn targets(&self) -> Vec<(TargetField, &Sp<Vec<Sp<String>>>)> {
        let fields = [
            &self.capacity,
            &self.costs,
            &self.stock,
            &self.holding,
            &self.expansions,
            &self.capex,
            &self.demands,
            &self.penalties,
            &self.contracts,
            &self.inputs,
        ];
        TARGET_FIELDS
            .iter()
            .zip(fields)
            .filter_map(|(&(_, target), field)| Some((target, field.sp()?)))
            .collect()
    }
}
