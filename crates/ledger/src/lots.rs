//! Lots as a reader sees them: the movements of goods (shipments, receipts,
//! re-exports) and the graph of lots they form, built only from the entries
//! the reader may read in full.
//!
//! The server's [`crate::custody::State`] decides what may be recorded and
//! sees every entry of a round; this view serves the ATT report
//! ([`crate::report`]) and lot traces, which must show each reader only what
//! it may read. It is therefore tolerant: an entry that refers to a lot or
//! EUC the reader may not read is kept with what the entry itself says, and
//! what it does not say (an origin, a product) is left unknown. Nothing here
//! judges whether the log is right; that is the verifier's and custody's job.
//!
//! Ids (EUCs, lots) resolve within an entry's round, as custody does.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::entry::{Content, FullEntry, Stage};
use crate::time::Date;

/// An id qualified by the round it resolves in.
type RoundId = (Option<String>, String);

/// What an EUC says that lots need.
#[derive(Debug, Clone, PartialEq)]
struct EucView {
    number: String,
    issuer: String,
    exporter: String,
    /// The product, when the EUC covers exactly one.
    only_product: Option<String>,
}

/// A lot, as far as the reader can see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LotView {
    /// The lot's id.
    pub lot: String,
    /// The round it was recorded in.
    pub round: Option<String>,
    /// Index of the entry that created it (`transfer.shipped` or
    /// `transfer.reexported`).
    pub index: u64,
    /// The actor whose facility made the goods, when the reader can see it.
    pub origin: Option<String>,
    /// The producing facility (qualified id), when the reader can see it.
    pub facility: Option<String>,
    /// The actor that sent the lot (the facility's actor, or the holder
    /// that re-exported it), when the reader can see it.
    pub sender: Option<String>,
    /// The actor it was sent to.
    pub consignee: String,
    /// The product, when the reader can see it.
    pub product: Option<String>,
    /// Quantity sent in this lot.
    pub quantity: f64,
    /// Quantity received, over the receipts the reader may read.
    pub received: f64,
    /// Date shipped or re-exported.
    pub date: Date,
    /// The EUC it moved under (its number and issuer), when visible.
    pub euc: Option<String>,
    /// The lot it was re-exported from (`None` for a shipment).
    pub parent: Option<String>,
    /// The lots re-exported from it, in recording order.
    pub children: Vec<String>,
}

/// Whether a movement leaves or enters its sender's hands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    /// `transfer.shipped`: from a facility to its consignee.
    Shipped,
    /// `transfer.reexported`: from a holder to another actor.
    Reexported,
    /// `transfer.received`: the consignee's receipt.
    Received,
}

/// One recorded movement of goods between actors.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Movement {
    /// What happened.
    pub kind: MovementKind,
    /// The entry's index.
    pub index: u64,
    /// The lot moved (for a re-export, the new lot).
    pub lot: String,
    /// The sending actor, when the reader can see it.
    pub from: Option<String>,
    /// The receiving actor.
    pub to: String,
    /// The origin of the goods, when the reader can see it.
    pub origin: Option<String>,
    /// The facility that made the goods, when the reader can see it.
    pub facility: Option<String>,
    /// The product, when the reader can see it.
    pub product: Option<String>,
    /// Quantity moved.
    pub quantity: f64,
    /// The movement's date.
    pub date: Date,
    /// The EUC it moved under (number and issuer), when visible.
    pub euc: Option<String>,
}

/// The lots and movements of a set of readable entries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lots {
    lots: BTreeMap<RoundId, LotView>,
    movements: Vec<Movement>,
}

impl Lots {
    /// Builds the view from `entries` (full forms, in index order); entries
    /// whose content does not parse are skipped (a verifier reports them).
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = &'a FullEntry>) -> Lots {
        let mut eucs: BTreeMap<RoundId, EucView> = BTreeMap::new();
        let mut out = Lots::default();
        for entry in entries {
            let Ok(content) = Content::parse(entry.kind, &entry.content, Stage::Stored) else {
                continue;
            };
            let key = |id: &str| (entry.round.clone(), id.to_owned());
            match content {
                Content::EucIssued(c) => {
                    if let Some(id) = &c.euc {
                        eucs.insert(
                            key(id),
                            EucView {
                                number: c.number.clone(),
                                issuer: entry.organisation.clone(),
                                exporter: c.exporter.clone(),
                                only_product: match c.goods.as_slice() {
                                    [one] => Some(one.product.clone()),
                                    _ => None,
                                },
                            },
                        );
                    }
                }
                Content::TransferShipped(c) => {
                    let Some(lot) = c.lot else { continue };
                    let euc = eucs.get(&key(&c.euc));
                    // Custody checked that the EUC's exporter is the
                    // facility's actor; a shipment's readers read its EUC.
                    let sender = euc.map(|e| e.exporter.clone());
                    let view = LotView {
                        lot: lot.clone(),
                        round: entry.round.clone(),
                        index: entry.index,
                        origin: sender.clone(),
                        facility: Some(c.facility.clone()),
                        sender: sender.clone(),
                        consignee: c.consignee.clone(),
                        product: Some(c.product.clone()),
                        quantity: c.quantity.get(),
                        received: 0.0,
                        date: c.date.clone(),
                        euc: euc.map(euc_label),
                        parent: None,
                        children: Vec::new(),
                    };
                    out.movements.push(Movement {
                        kind: MovementKind::Shipped,
                        index: entry.index,
                        lot: lot.clone(),
                        from: sender.clone(),
                        to: c.consignee.clone(),
                        origin: sender,
                        facility: Some(c.facility.clone()),
                        product: Some(c.product.clone()),
                        quantity: c.quantity.get(),
                        date: c.date.clone(),
                        euc: view.euc.clone(),
                    });
                    out.lots.insert(key(&lot), view);
                }
                Content::TransferReceived(c) => {
                    let lot = out.lots.get_mut(&key(&c.lot));
                    let (from, origin, facility, product, euc, to) = match lot {
                        Some(l) => {
                            l.received += c.quantity.get();
                            (
                                l.sender.clone(),
                                l.origin.clone(),
                                l.facility.clone(),
                                l.product.clone(),
                                l.euc.clone(),
                                l.consignee.clone(),
                            )
                        }
                        // A receipt's readers read its lot; without it the
                        // receiving actor is unknown, so nothing is shown.
                        None => continue,
                    };
                    out.movements.push(Movement {
                        kind: MovementKind::Received,
                        index: entry.index,
                        lot: c.lot.clone(),
                        from,
                        to,
                        origin,
                        facility,
                        product,
                        quantity: c.quantity.get(),
                        date: c.date.clone(),
                        euc,
                    });
                }
                Content::TransferReexported(c) => {
                    let Some(new_lot) = c.new_lot else { continue };
                    let source = out.lots.get(&key(&c.lot)).cloned();
                    let new_euc = eucs.get(&key(&c.euc));
                    let sender = source
                        .as_ref()
                        .map(|s| s.consignee.clone())
                        .or_else(|| new_euc.map(|e| e.exporter.clone()));
                    // Without the source lot, an EUC of one product still
                    // says what moved (custody checked that it covers it).
                    let product = source
                        .as_ref()
                        .and_then(|s| s.product.clone())
                        .or_else(|| new_euc.and_then(|e| e.only_product.clone()));
                    let origin = source.as_ref().and_then(|s| s.origin.clone());
                    let euc = new_euc
                        .map(euc_label)
                        .or_else(|| source.as_ref().and_then(|s| s.euc.clone()));
                    let view = LotView {
                        lot: new_lot.clone(),
                        round: entry.round.clone(),
                        index: entry.index,
                        origin: origin.clone(),
                        facility: source.as_ref().and_then(|s| s.facility.clone()),
                        sender: sender.clone(),
                        consignee: c.to.clone(),
                        product: product.clone(),
                        quantity: c.quantity.get(),
                        received: 0.0,
                        date: c.date.clone(),
                        euc: euc.clone(),
                        parent: Some(c.lot.clone()),
                        children: Vec::new(),
                    };
                    if let Some(parent) = out.lots.get_mut(&key(&c.lot)) {
                        parent.children.push(new_lot.clone());
                    }
                    out.movements.push(Movement {
                        kind: MovementKind::Reexported,
                        index: entry.index,
                        lot: new_lot.clone(),
                        from: sender,
                        to: c.to.clone(),
                        origin,
                        facility: view.facility.clone(),
                        product,
                        quantity: c.quantity.get(),
                        date: c.date.clone(),
                        euc,
                    });
                    out.lots.insert(key(&new_lot), view);
                }
                Content::ContractSigned(_) | Content::ConsentGiven(_) => {}
            }
        }
        out
    }

    /// Every movement, in index order.
    pub fn movements(&self) -> &[Movement] {
        &self.movements
    }

    /// Every lot the reader can see, in (round, id) order.
    pub fn lots(&self) -> impl Iterator<Item = &LotView> {
        self.lots.values()
    }

    /// The lot `id` (in any round: lot ids are 128-bit random strings).
    pub fn lot(&self, id: &str) -> Option<&LotView> {
        self.lots.values().find(|l| l.lot == id)
    }

    fn in_round(&self, round: &Option<String>, id: &str) -> Option<&LotView> {
        self.lots.get(&(round.clone(), id.to_owned()))
    }

    /// A forward trace: `start` and every lot (transitively) re-exported
    /// from it, parents before children.
    pub fn forward<'a>(&'a self, start: &'a LotView) -> Vec<&'a LotView> {
        let mut out = Vec::new();
        let mut stack = vec![start];
        while let Some(lot) = stack.pop() {
            out.push(lot);
            for child in lot.children.iter().rev() {
                if let Some(c) = self.in_round(&lot.round, child) {
                    stack.push(c);
                }
            }
        }
        out
    }

    /// A backward trace: `start` and the lots it was (transitively)
    /// re-exported from that the reader can see, nearest first.
    pub fn backward<'a>(&'a self, start: &'a LotView) -> Vec<&'a LotView> {
        let mut out = vec![start];
        let mut current = start;
        // A chain is at most as long as the number of lots (each step goes
        // to an earlier entry), which also guards against a forged cycle.
        while let Some(parent) = current
            .parent
            .as_deref()
            .and_then(|p| self.in_round(&current.round, p))
            .filter(|p| p.index < current.index)
        {
            out.push(parent);
            current = parent;
        }
        out
    }

    /// The lots matching `query`, each with its trace: forwards from lots
    /// first shipped by `origin` (where did its goods end up), or backwards
    /// from lots sent to `holder` (where did what it received come from).
    pub fn trace(&self, query: &TraceQuery) -> Vec<Trace> {
        let product_ok = |lot: &LotView| {
            query
                .product
                .as_deref()
                .is_none_or(|p| lot.product.as_deref() == Some(p))
        };
        let mut out = Vec::new();
        for lot in self.lots.values() {
            let start = match &query.from {
                TraceFrom::Lot(id) => lot.lot == *id,
                TraceFrom::Origin(actor) => {
                    lot.parent.is_none() && lot.origin.as_deref() == Some(actor.as_str())
                }
                TraceFrom::Holder(actor) => lot.consignee == *actor,
            };
            if !start || !product_ok(lot) {
                continue;
            }
            let (direction, lots) = match &query.from {
                TraceFrom::Holder(_) => (Direction::Backward, self.backward(lot)),
                TraceFrom::Origin(_) => (Direction::Forward, self.forward(lot)),
                TraceFrom::Lot(_) => (
                    query.direction,
                    match query.direction {
                        Direction::Forward => self.forward(lot),
                        Direction::Backward => self.backward(lot),
                    },
                ),
            };
            out.push(Trace {
                direction,
                lots: lots.into_iter().cloned().collect(),
            });
        }
        out
    }
}

fn euc_label(e: &EucView) -> String {
    format!("{} of {}", e.number, e.issuer)
}

/// Which way a trace goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// From a lot to the lots re-exported from it.
    Forward,
    /// From a lot to the lots it came from.
    Backward,
}

/// Where a trace starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceFrom {
    /// One lot (by id), traced in the query's direction.
    Lot(String),
    /// Every lot shipped from facilities of this actor, traced forwards.
    Origin(String),
    /// Every lot sent to this actor, traced backwards.
    Holder(String),
}

/// A trace request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceQuery {
    /// Where it starts.
    pub from: TraceFrom,
    /// Only lots of this product.
    pub product: Option<String>,
    /// The direction for [`TraceFrom::Lot`] (the others have their own).
    pub direction: Direction,
}

/// One traced chain of lots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// Which way it goes.
    pub direction: Direction,
    /// The lots, the starting lot first.
    pub lots: Vec<LotView>,
}
