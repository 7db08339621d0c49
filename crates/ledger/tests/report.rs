//! ATT report rows and lot traces from a small recorded ledger, checked by
//! hand: Serbian 120 mm bombs shipped to Czechia, received, partly
//! re-exported to Ukraine and received there the next year.

mod common;

use std::collections::BTreeMap;

use caisson_ledger::export::MemoryLedger;
use caisson_ledger::lots::{Direction, Lots, TraceFrom, TraceQuery};
use caisson_ledger::report::{att_report, AttRow, ProductInfo};
use caisson_ledger::{Content, FullEntry, Kind, Leaf, Stage};
use serde_json::{json, Value};

struct Log {
    ledger: MemoryLedger,
    minutes: u64,
}

impl Log {
    fn new() -> Log {
        Log {
            ledger: MemoryLedger::new(common::key()),
            minutes: 0,
        }
    }

    /// Records `content` (request form) by `organisation`; returns the
    /// assigned id, if any.
    fn record(&mut self, kind: Kind, organisation: &str, content: Value) -> Option<String> {
        let mut content = Content::parse(kind, &content, Stage::Request).expect("valid content");
        let ids = content.assign_ids().expect("random");
        self.minutes += 1;
        let leaf = Leaf::new(
            &content,
            organisation,
            "user",
            Some("r1"),
            common::time(self.minutes),
        )
        .expect("leaf");
        self.ledger.append(&leaf).expect("append");
        ids.into_iter().next().map(|(_, id)| id)
    }

    fn entries(&self) -> &[FullEntry] {
        self.ledger.entries()
    }
}

fn euc(number: &str, exporter: (&str, &str), consignee: &str, quantity: u32) -> Value {
    json!({"number": number, "exporter": exporter.0, "exporter_organisation": exporter.1,
           "consignee": consignee, "end_user": consignee,
           "goods": [{"product": "mortar-120", "quantity": quantity}],
           "end_use": "armed forces", "reexport": "permitted",
           "issued": "2026-01-01", "expires": "2027-12-31"})
}

/// The sample: entries 0 EUC CZ-1, 1 shipment 5000 (2026-03-02), 2 receipt
/// 5000 (2026-03-05), 3 EUC UA-1, 4 re-export 3000 (2026-04-01), 5 receipt
/// 3000 (2027-01-02), 6 a second shipment 1000 (2026-06-01).
fn sample() -> (Log, String, String) {
    let mut log = Log::new();
    let cz = log
        .record(
            Kind::EucIssued,
            "cze",
            euc("CZ-1", ("SRB", "krusik"), "CZE", 6000),
        )
        .expect("euc");
    let lot = log
        .record(
            Kind::TransferShipped,
            "krusik",
            json!({"facility": "krusik:krusik", "consignee": "CZE", "product": "mortar-120",
                   "quantity": 5000, "date": "2026-03-02", "euc": cz}),
        )
        .expect("lot");
    log.record(
        Kind::TransferReceived,
        "cze",
        json!({"lot": lot, "quantity": 5000, "date": "2026-03-05"}),
    );
    let ua = log
        .record(
            Kind::EucIssued,
            "ukr",
            euc("UA-1", ("CZE", "cze"), "UKR", 3000),
        )
        .expect("euc");
    let onward = log
        .record(
            Kind::TransferReexported,
            "cze",
            json!({"lot": lot, "to": "UKR", "quantity": 3000, "date": "2026-04-01", "euc": ua}),
        )
        .expect("new lot");
    log.record(
        Kind::TransferReceived,
        "ukr",
        json!({"lot": onward, "quantity": 3000, "date": "2027-01-02"}),
    );
    log.record(
        Kind::TransferShipped,
        "krusik",
        json!({"facility": "krusik:krusik", "consignee": "CZE", "product": "mortar-120",
               "quantity": 1000, "date": "2026-06-01", "euc": cz}),
    );
    (log, lot, onward)
}

fn products() -> BTreeMap<String, ProductInfo> {
    BTreeMap::from([(
        "mortar-120".to_owned(),
        ProductInfo {
            category: Some("ammunition".into()),
            description: "120 mm mortar bomb".into(),
        },
    )])
}

fn row(state: &str, origin: &str, items: f64, comments: &str) -> AttRow {
    AttRow {
        category: "ammunition".into(),
        state: state.into(),
        state_of_origin: origin.into(),
        number_of_items: items,
        description: "120 mm mortar bomb (mortar-120)".into(),
        comments: comments.into(),
    }
}

#[test]
fn att_rows_of_each_state_and_year_are_the_recorded_transfers() {
    let (log, _, _) = sample();
    let report = |state: &str, year: u32| att_report(log.entries(), &products(), state, year);

    let srb = report("SRB", 2026);
    assert_eq!(
        srb.exports,
        [row(
            "CZE",
            "",
            6000.0,
            "EUC CZ-1 of cze; ledger entries 1, 6"
        )]
    );
    assert!(srb.imports.is_empty());

    let cze = report("CZE", 2026);
    assert_eq!(
        cze.exports,
        [row(
            "UKR",
            "SRB",
            3000.0,
            "re-export; EUC UA-1 of ukr; ledger entries 4"
        )]
    );
    // Only what was received counts as imported: entry 6 was never received.
    assert_eq!(
        cze.imports,
        [row("SRB", "", 5000.0, "EUC CZ-1 of cze; ledger entries 2")]
    );

    // Ukraine received in 2027, so its 2026 report is empty.
    let ukr = report("UKR", 2026);
    assert!(ukr.exports.is_empty() && ukr.imports.is_empty());
    assert_eq!(
        report("UKR", 2027).imports,
        [row(
            "CZE",
            "SRB",
            3000.0,
            "re-export; EUC UA-1 of ukr; ledger entries 5"
        )]
    );
    // Nothing in another year.
    assert!(report("SRB", 2025).exports.is_empty());
}

#[test]
fn a_product_without_att_category_has_an_empty_category() {
    let (log, _, _) = sample();
    let report = att_report(log.entries(), &BTreeMap::new(), "SRB", 2026);
    assert_eq!(report.exports.len(), 1);
    assert_eq!(report.exports[0].category, "");
    assert_eq!(report.exports[0].description, "mortar-120");
}

#[test]
fn a_reader_sees_only_the_rows_of_the_entries_it_reads() {
    let (log, _, _) = sample();
    // Ukraine reads its EUC, the re-export and its receipt (not Serbia's
    // shipment to Czechia): it sees its import, without the origin.
    let readable: Vec<FullEntry> = log
        .entries()
        .iter()
        .filter(|e| [3, 4, 5].contains(&e.index))
        .cloned()
        .collect();
    let ukr = att_report(&readable, &products(), "UKR", 2027);
    assert_eq!(ukr.imports.len(), 1);
    assert_eq!(ukr.imports[0].state, "CZE");
    assert_eq!(ukr.imports[0].state_of_origin, "");
    assert_eq!(ukr.imports[0].number_of_items, 3000.0);
    // Without the source lot, the product comes from the EUC's goods.
    let cze = att_report(&readable, &products(), "CZE", 2026);
    assert_eq!(cze.exports.len(), 1);
    assert_eq!(
        cze.exports[0].description,
        "120 mm mortar bomb (mortar-120)"
    );
    // Without the EUC either, nothing says what moved: it is left out.
    let only_moves: Vec<FullEntry> = readable.into_iter().filter(|e| e.index != 3).collect();
    assert!(att_report(&only_moves, &products(), "CZE", 2026)
        .exports
        .is_empty());
}

#[test]
fn lots_are_traced_forwards_from_the_origin_and_backwards_from_the_holder() {
    let (log, lot, onward) = sample();
    let lots = Lots::from_entries(log.entries());
    // Where did Serbian 120 mm bombs end up?
    let forward = lots.trace(&TraceQuery {
        from: TraceFrom::Origin("SRB".into()),
        product: Some("mortar-120".into()),
        direction: Direction::Forward,
    });
    assert_eq!(forward.len(), 2, "two shipments from Serbia");
    let first = forward
        .iter()
        .find(|t| t.lots[0].lot == lot)
        .expect("the first lot");
    let path: Vec<(&str, &str)> = first
        .lots
        .iter()
        .map(|l| (l.lot.as_str(), l.consignee.as_str()))
        .collect();
    assert_eq!(path, [(lot.as_str(), "CZE"), (onward.as_str(), "UKR")]);
    assert_eq!(first.lots[0].received, 5000.0);
    assert_eq!(first.lots[1].received, 3000.0);
    assert_eq!(first.lots[1].origin.as_deref(), Some("SRB"));

    // Where did what Ukraine received come from?
    let backward = lots.trace(&TraceQuery {
        from: TraceFrom::Holder("UKR".into()),
        product: None,
        direction: Direction::Backward,
    });
    assert_eq!(backward.len(), 1);
    let chain: Vec<Option<&str>> = backward[0]
        .lots
        .iter()
        .map(|l| l.sender.as_deref())
        .collect();
    assert_eq!(chain, [Some("CZE"), Some("SRB")]);
    assert_eq!(
        backward[0].lots[1].facility.as_deref(),
        Some("krusik:krusik")
    );

    // One lot, either way; an unknown lot traces to nothing.
    let one = |direction| {
        lots.trace(&TraceQuery {
            from: TraceFrom::Lot(onward.clone()),
            product: None,
            direction,
        })
    };
    assert_eq!(one(Direction::Backward)[0].lots.len(), 2);
    assert_eq!(one(Direction::Forward)[0].lots.len(), 1);
    assert!(lots
        .trace(&TraceQuery {
            from: TraceFrom::Lot("0".repeat(32)),
            product: None,
            direction: Direction::Forward,
        })
        .is_empty());
    // Another product: nothing.
    assert!(lots
        .trace(&TraceQuery {
            from: TraceFrom::Origin("SRB".into()),
            product: Some("shell-155".into()),
            direction: Direction::Forward,
        })
        .is_empty());
}

#[test]
fn reconciliation_sets_planned_against_shipped_and_received_per_period() {
    use caisson_ledger::report::{period_of, reconciliation, Planned, ReconciliationRow};
    use caisson_model::{Calendar, PeriodKind};

    let (log, _, _) = sample();
    let calendar = Calendar::new(PeriodKind::Month, 2026, 0, 12);
    let plan = |buyer: &str, period: &str, quantity: f64| Planned {
        facility: "krusik:krusik".into(),
        buyer: buyer.into(),
        product: "mortar-120".into(),
        period: period.into(),
        quantity,
    };
    let rows = reconciliation(
        log.entries(),
        &[
            plan("CZE", "2026-03", 6000.0),
            plan("CZE", "2026-06", 1000.0),
            plan("UKR", "2026-04", 500.0),
        ],
        &calendar,
    );
    let row =
        |buyer: &str, period: &str, planned: f64, shipped: f64, received: f64| ReconciliationRow {
            facility: "krusik:krusik".into(),
            buyer: buyer.into(),
            product: "mortar-120".into(),
            period: period.into(),
            planned,
            shipped,
            received,
        };
    // The re-export to Ukraine and its receipt are no part of the plan's
    // shipments from Krusik.
    assert_eq!(
        rows,
        [
            row("CZE", "2026-03", 6000.0, 5000.0, 5000.0),
            row("CZE", "2026-06", 1000.0, 1000.0, 0.0),
            row("UKR", "2026-04", 500.0, 0.0, 0.0),
        ]
    );
    let date = |text: &str| caisson_ledger::Date::parse(text).expect("date");
    assert_eq!(period_of(&calendar, &date("2026-12-31")), "2026-12");
    let quarters = Calendar::new(PeriodKind::Quarter, 2026, 0, 4);
    assert_eq!(period_of(&quarters, &date("2026-04-01")), "2026-Q2");
    assert_eq!(period_of(&quarters, &date("2026-03-31")), "2026-Q1");
    let years = Calendar::new(PeriodKind::Year, 2026, 0, 4);
    assert_eq!(period_of(&years, &date("2027-07-01")), "2027");
}
