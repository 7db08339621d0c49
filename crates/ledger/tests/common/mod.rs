//! Shared helpers: a small signed ledger with entries of every client kind.

#![allow(dead_code)]

use caisson_ledger::export::MemoryLedger;
use caisson_ledger::{Content, Kind, Leaf, LedgerKey, Stage, Timestamp};
use serde_json::json;

/// The signing key of the test ledgers.
pub fn key() -> LedgerKey {
    LedgerKey::from_seed([42; 32])
}

/// The time `minutes` after 2026-03-02T08:00Z.
pub fn time(minutes: u64) -> Timestamp {
    Timestamp::from_unix_millis(1_772_438_400_000 + minutes * 60_000).expect("time")
}

/// The leaf of entry `n` of the sample log (a distinct, valid entry per n).
pub fn sample_leaf(n: u64) -> Leaf {
    let (kind, content) = match n % 3 {
        0 => (
            Kind::EucIssued,
            json!({"euc": format!("{n:032x}"), "number": format!("CZ-{n}"), "exporter": "SRB",
                   "exporter_organisation": "srb-arms", "consignee": "CZE", "end_user": "CZE",
                   "goods": [{"product": "mortar-120", "quantity": 5000}], "end_use": "armed forces — \"army\"",
                   "reexport": "with_consent", "issued": "2026-01-10", "expires": "2026-12-31"}),
        ),
        1 => (
            Kind::TransferShipped,
            json!({"lot": format!("{n:032x}"), "facility": "srb-arms:plant", "consignee": "CZE",
                   "product": "mortar-120", "quantity": 1250.5, "date": "2026-02-01", "euc": "e"}),
        ),
        _ => (
            Kind::TransferReceived,
            json!({"lot": format!("{n:032x}"), "quantity": 0.25, "date": "2026-02-10"}),
        ),
    };
    let content = Content::parse(kind, &content, Stage::Stored).expect("sample content");
    let round = n.is_multiple_of(2).then_some("r1");
    Leaf::new(&content, "cz-state", "jana", round, time(n)).expect("random salt")
}

/// A ledger of `n` sample entries.
pub fn sample_ledger(n: u64) -> MemoryLedger {
    let mut ledger = MemoryLedger::new(key());
    for i in 0..n {
        ledger.append(&sample_leaf(i)).expect("append");
    }
    ledger
}
