//! Reports from the ledger (platform spec section 5, "Reports"): one
//! state's exports and imports of a calendar year in the columns of the
//! Arms Trade Treaty annual report.
//!
//! The ATT reporting template (annex 2 of the provisional template, 2017)
//! has an exports table (category, final importing State, number of items,
//! description of item, comments on the transfer; a State of origin when
//! the goods were made elsewhere) and an imports table (the same with the
//! exporting State). Rows are *actual* transfers, as the ledger records
//! them: exports by the shipped or re-exported date, imports by the received
//! date. Rows with the same category, partner, origin and item are summed;
//! their comments list the ledger entries they come from, so that a reader
//! can check each row against the log.
//!
//! The rows are built from the entries the reader may read in full
//! ([`crate::lots::Lots`]), so a report never shows what its reader may not
//! see.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::entry::FullEntry;
use crate::lots::{Lots, Movement, MovementKind};

/// What a report needs to know of a product.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProductInfo {
    /// The product's `att_category` (the model extension of section 5).
    pub category: Option<String>,
    /// How the item is described: the product's name.
    pub description: String,
}

/// One row of the exports or imports table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttRow {
    /// The ATT category (the product's `att_category`; empty when the
    /// product has none or is not known).
    pub category: String,
    /// Exports: the final importing State; imports: the exporting State.
    pub state: String,
    /// The State of origin, when it is not the exporting State (re-exports).
    pub state_of_origin: String,
    /// Number of items.
    pub number_of_items: f64,
    /// Description of the item (the product's name and id).
    pub description: String,
    /// Comments on the transfer: re-export, the EUCs and the ledger entries
    /// the row sums.
    pub comments: String,
}

/// One state's ATT report for one calendar year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttReport {
    /// The reporting state (actor id).
    pub state: String,
    /// The calendar year.
    pub year: u32,
    /// Actual exports.
    pub exports: Vec<AttRow>,
    /// Actual imports.
    pub imports: Vec<AttRow>,
}

#[derive(Default)]
struct Sum {
    items: f64,
    reexport: bool,
    eucs: Vec<String>,
    entries: Vec<u64>,
}

type RowKey = (String, String, String, String);

fn add(rows: &mut BTreeMap<RowKey, Sum>, key: RowKey, m: &Movement, reexport: bool) {
    let sum = rows.entry(key).or_default();
    sum.items += m.quantity;
    sum.reexport |= reexport;
    if let Some(euc) = &m.euc {
        if !sum.eucs.contains(euc) {
            sum.eucs.push(euc.clone());
        }
    }
    sum.entries.push(m.index);
}

fn rows(rows: BTreeMap<RowKey, Sum>) -> Vec<AttRow> {
    rows.into_iter()
        .map(|((category, state, origin, description), sum)| {
            let mut comments = Vec::new();
            if sum.reexport {
                comments.push("re-export".to_owned());
            }
            if !sum.eucs.is_empty() {
                comments.push(format!("EUC {}", sum.eucs.join("; ")));
            }
            let entries: Vec<String> = sum.entries.iter().map(u64::to_string).collect();
            comments.push(format!("ledger entries {}", entries.join(", ")));
            AttRow {
                category,
                state,
                state_of_origin: origin,
                number_of_items: sum.items,
                description,
                comments: comments.join("; "),
            }
        })
        .collect()
}

/// The ATT report of `state` for `year` from the `entries` the reader may
/// read in full (in index order); `products` gives each product's category
/// and name. Movements whose sender or product the reader cannot see are
/// left out of exports (they cannot be attributed).
pub fn att_report<'a>(
    entries: impl IntoIterator<Item = &'a FullEntry>,
    products: &BTreeMap<String, ProductInfo>,
    state: &str,
    year: u32,
) -> AttReport {
    let lots = Lots::from_entries(entries);
    let mut exports = BTreeMap::new();
    let mut imports = BTreeMap::new();
    for m in lots.movements() {
        if m.date.year() != year {
            continue;
        }
        let Some(product) = &m.product else { continue };
        let Some(from) = &m.from else { continue };
        // A hand-over within one actor is no international transfer.
        if *from == m.to {
            continue;
        }
        let info = products.get(product);
        let category = info.and_then(|i| i.category.clone()).unwrap_or_default();
        let description = match info {
            Some(i) if i.description != *product => format!("{} ({product})", i.description),
            _ => product.clone(),
        };
        let origin = m.origin.clone().filter(|o| o != from).unwrap_or_default();
        match m.kind {
            MovementKind::Shipped | MovementKind::Reexported if from == state => {
                let key = (category, m.to.clone(), origin.clone(), description);
                add(&mut exports, key, m, !origin.is_empty());
            }
            MovementKind::Received if m.to == state => {
                let key = (category, from.clone(), origin.clone(), description);
                add(&mut imports, key, m, !origin.is_empty());
            }
            _ => {}
        }
    }
    AttReport {
        state: state.to_owned(),
        year,
        exports: rows(exports),
        imports: rows(imports),
    }
}

/// The header of the exports table, in the ATT template's words.
pub const EXPORT_COLUMNS: [&str; 6] = [
    "Category",
    "Final importing State",
    "State of origin (if not exporter)",
    "Number of items",
    "Description of item",
    "Comments on the transfer",
];

/// The header of the imports table, in the ATT template's words.
pub const IMPORT_COLUMNS: [&str; 6] = [
    "Category",
    "Exporting State",
    "State of origin (if not exporter)",
    "Number of items",
    "Description of item",
    "Comments on the transfer",
];

/// One planned shipment (from a plan's `shipments`, its demand's buyer
/// looked up in the scenario).
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    /// The shipping facility (its id in the round: qualified `O:X`).
    pub facility: String,
    /// The buying actor of the demand.
    pub buyer: String,
    /// The product.
    pub product: String,
    /// The period the shipment leaves (a label of the plan's calendar).
    pub period: String,
    /// Quantity planned.
    pub quantity: f64,
}

/// Planned against recorded quantities of one (facility, buyer, product,
/// period).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReconciliationRow {
    /// The shipping facility.
    pub facility: String,
    /// The buyer (for recorded transfers: the shipment's consignee).
    pub buyer: String,
    /// The product.
    pub product: String,
    /// The period label.
    pub period: String,
    /// Planned to leave the facility in the period.
    pub planned: f64,
    /// Recorded as shipped in the period (`transfer.shipped` dates).
    pub shipped: f64,
    /// Recorded as received by the consignee in the period
    /// (`transfer.received` dates of the shipment's lot).
    pub received: f64,
}

/// The period label of `date` in `calendar`'s kind (month `YYYY-MM`,
/// quarter `YYYY-Qn`, year `YYYY`), whether or not it lies in the horizon.
pub fn period_of(calendar: &caisson_model::Calendar, date: &crate::time::Date) -> String {
    let text = date.as_str();
    let month: i64 = text.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
    let per_year = i64::from(calendar.kind.per_year());
    let absolute = i64::from(date.year()) * per_year + (month - 1) * per_year / 12;
    calendar.label_of_absolute(absolute)
}

/// Reconciles a published plan with the recorded transfers the reader may
/// read: one row per (facility, buyer, product, period) that is planned,
/// shipped or received, in that order of keys. Only direct shipments from
/// facilities count (re-exports are no part of a plan); a period outside
/// the plan's horizon still gets its row, with nothing planned.
pub fn reconciliation<'a>(
    entries: impl IntoIterator<Item = &'a FullEntry>,
    planned: &[Planned],
    calendar: &caisson_model::Calendar,
) -> Vec<ReconciliationRow> {
    type Key = (String, String, String, i64, String);
    // Rows sort by period order, not label text (quarters and years sort
    // the same either way; this keeps a calendar's order explicit).
    let order = |label: &str| calendar.offset(label).unwrap_or(i64::MAX);
    let mut rows: BTreeMap<Key, [f64; 3]> = BTreeMap::new();
    let mut add =
        |facility: &str, buyer: &str, product: &str, period: String, slot: usize, q: f64| {
            let key = (
                facility.to_owned(),
                buyer.to_owned(),
                product.to_owned(),
                order(&period),
                period,
            );
            rows.entry(key).or_default()[slot] += q;
        };
    for p in planned {
        add(
            &p.facility,
            &p.buyer,
            &p.product,
            p.period.clone(),
            0,
            p.quantity,
        );
    }
    let lots = Lots::from_entries(entries);
    for m in lots.movements() {
        let slot = match m.kind {
            MovementKind::Shipped => 1,
            MovementKind::Received => 2,
            MovementKind::Reexported => continue,
        };
        // A receipt of a re-exported lot is no delivery of the plan's.
        if m.kind == MovementKind::Received && m.from != m.origin {
            continue;
        }
        let (Some(facility), Some(product)) = (&m.facility, &m.product) else {
            continue;
        };
        add(
            facility,
            &m.to,
            product,
            period_of(calendar, &m.date),
            slot,
            m.quantity,
        );
    }
    rows.into_iter()
        .map(
            |((facility, buyer, product, _, period), [planned, shipped, received])| {
                ReconciliationRow {
                    facility,
                    buyer,
                    product,
                    period,
                    planned,
                    shipped,
                    received,
                }
            },
        )
        .collect()
}
