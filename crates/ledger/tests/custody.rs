//! Chain of custody over the seed's case (tests/fixtures/custody.toml):
//! shipments judged by the model's rules 1-3, re-exports by rules 1-2 and
//! the end-use controls of holder and origin, EUC clauses along the chain,
//! consents, and quantities that never exceed a lot.

use caisson_ledger::custody::ContractRecord;
use caisson_ledger::custody::{
    Context, Effects, EucRecord, Lot, Mode, Refusal, RefusalCode, SeesEverything, State, Visibility,
};
use caisson_ledger::{Content, Kind, Stage};
use caisson_model::Scenario;
use proptest::prelude::*;
use serde_json::{json, Value};

fn scenario() -> Scenario {
    let text = include_str!("fixtures/custody.toml");
    caisson_scenario::load_str(text, "custody.toml")
        .unwrap_or_else(|e| panic!("fixture: {e}"))
        .scenario
}

/// A ledger's custody state with the recorded contents, for replay.
struct Book {
    scenario: Scenario,
    state: State,
    recorded: Vec<(Content, String)>,
}

impl Book {
    fn new() -> Self {
        Self {
            scenario: scenario(),
            state: State::new(),
            recorded: Vec::new(),
        }
    }

    /// Records `content` of `kind` by `org` as the server would: parse the
    /// request, assign ids, check, apply. Returns the new id, if any.
    fn record(&mut self, kind: Kind, org: &str, content: Value) -> Result<Option<String>, Refusal> {
        self.record_seen_by(kind, org, content, &SeesEverything)
    }

    fn record_seen_by(
        &mut self,
        kind: Kind,
        org: &str,
        content: Value,
        visibility: &dyn Visibility,
    ) -> Result<Option<String>, Refusal> {
        let mut content = Content::parse(kind, &content, Stage::Request)
            .unwrap_or_else(|e| panic!("test content: {e}"));
        let ids = content.assign_ids().expect("random ids");
        let ctx = Context {
            scenario: &self.scenario,
            organisation: org,
            visibility,
            mode: Mode::Record,
        };
        let effects: Effects = self.state.check(&content, &ctx)?;
        self.state.apply(effects);
        self.recorded.push((content, org.to_owned()));
        Ok(ids.into_iter().next().map(|(_, id)| id))
    }

    fn euc(&mut self, issuer: &str, number: &str, fields: Value) -> String {
        let mut content = json!({
            "number": number, "exporter": "SRB", "exporter_organisation": "srb-arms",
            "consignee": "CZE", "end_user": "CZE",
            "goods": [{"product": "mortar-120", "quantity": 5000}],
            "end_use": "armed forces", "reexport": "permitted",
            "issued": "2026-01-10", "expires": "2026-12-31"
        });
        for (k, v) in fields.as_object().into_iter().flatten() {
            content[k] = v.clone();
        }
        self.record(Kind::EucIssued, issuer, content)
            .unwrap_or_else(|r| panic!("EUC {number}: {r}"))
            .expect("euc id")
    }

    fn ship(
        &mut self,
        euc: &str,
        consignee: &str,
        quantity: f64,
    ) -> Result<Option<String>, Refusal> {
        self.record(
            Kind::TransferShipped,
            "srb-arms",
            json!({"facility": "srb-arms:plant", "consignee": consignee, "product": "mortar-120",
                   "quantity": quantity, "date": "2026-02-01", "euc": euc}),
        )
    }

    fn receive(&mut self, org: &str, lot: &str, quantity: f64) -> Result<Option<String>, Refusal> {
        self.record(
            Kind::TransferReceived,
            org,
            json!({"lot": lot, "quantity": quantity, "date": "2026-02-10"}),
        )
    }

    fn reexport(
        &mut self,
        org: &str,
        lot: &str,
        to: &str,
        quantity: f64,
        euc: &str,
    ) -> Result<Option<String>, Refusal> {
        self.record(
            Kind::TransferReexported,
            org,
            json!({"lot": lot, "to": to, "quantity": quantity, "date": "2026-03-01", "euc": euc}),
        )
    }

    /// A Ukrainian EUC for goods coming from Czechia.
    fn ukrainian_euc(&mut self, number: &str, quantity: f64) -> String {
        self.euc(
            "ua-state",
            number,
            json!({"exporter": "CZE", "exporter_organisation": "cz-state", "consignee": "UKR",
                   "end_user": "UKR", "goods": [{"product": "mortar-120", "quantity": quantity}]}),
        )
    }

    /// A Czech EUC with the given clause, a shipment of 5000 under it,
    /// received in full: returns the lot.
    fn czech_lot(&mut self, number: &str, clause: &str) -> String {
        let euc = self.euc("cz-state", number, json!({"reexport": clause}));
        let lot = self
            .ship(&euc, "CZE", 5000.0)
            .expect("shipment to Czechia")
            .expect("lot");
        self.receive("cz-state", &lot, 5000.0).expect("receipt");
        lot
    }
}

fn refusal(result: Result<Option<String>, Refusal>) -> (RefusalCode, String) {
    match result {
        Ok(id) => panic!("expected a refusal, got {id:?}"),
        Err(r) => (r.code, r.message),
    }
}

#[test]
fn direct_shipment_to_a_belligerent_is_refused_naming_the_neutrality_policy() {
    let mut book = Book::new();
    let euc = book.euc(
        "ua-state",
        "UA-1",
        json!({"consignee": "UKR", "end_user": "UKR"}),
    );
    let (code, message) = refusal(book.ship(&euc, "UKR", 1000.0));
    assert_eq!(code, RefusalCode::ComplianceDenied);
    assert!(
        message.contains("srb-state:neutrality deny_export"),
        "{message}"
    );
    assert!(message.contains("SRB may not export to UKR"), "{message}");
    assert!(message.contains("rule 1"), "{message}");
    assert!(book.state.lots().is_empty());
}

#[test]
fn via_czechia_with_reexport_permitted_the_goods_reach_ukraine() {
    let mut book = Book::new();
    let lot = book.czech_lot("CZ-1", "permitted");
    let ua = book.ukrainian_euc("UA-2", 5000.0);
    let new_lot = book
        .reexport("cz-state", &lot, "UKR", 3000.0, &ua)
        .unwrap_or_else(|r| panic!("{r}"))
        .expect("new lot");
    let l = &book.state.lots()[&new_lot];
    assert_eq!(
        (l.origin.as_str(), l.sender.as_str(), l.consignee.as_str()),
        ("SRB", "CZE", "UKR")
    );
    assert_eq!(l.quantity, 3000.0);
    assert_eq!(l.chain.len(), 2);
    assert_eq!(l.parent.as_deref(), Some(lot.as_str()));
    assert_eq!(book.state.lots()[&lot].passed_on, 3000.0);
    // Traces: forwards from the Serbian lot, backwards from the Ukrainian one.
    let forward: Vec<&str> = book
        .state
        .descendants(&lot)
        .iter()
        .map(|l| l.id.as_str())
        .collect();
    assert_eq!(forward, [new_lot.as_str()]);
    let backward: Vec<&str> = book
        .state
        .ancestors(&new_lot)
        .iter()
        .map(|l| l.id.as_str())
        .collect();
    assert_eq!(backward, [lot.as_str()]);
    // Ukraine receives it.
    book.receive("ua-state", &new_lot, 3000.0)
        .expect("receipt in Ukraine");
}

#[test]
fn reexport_prohibited_is_refused() {
    let mut book = Book::new();
    let lot = book.czech_lot("CZ-P", "prohibited");
    let ua = book.ukrainian_euc("UA-3", 5000.0);
    let (code, message) = refusal(book.reexport("cz-state", &lot, "UKR", 3000.0, &ua));
    assert_eq!(code, RefusalCode::EucMismatch);
    assert!(
        message.contains("EUC CZ-P of cz-state prohibits re-export"),
        "{message}"
    );
}

#[test]
fn reexport_with_consent_is_refused_until_the_origin_state_consents() {
    let mut book = Book::new();
    let lot = book.czech_lot("CZ-C", "with_consent");
    let ua = book.ukrainian_euc("UA-4", 5000.0);
    let (code, message) = refusal(book.reexport("cz-state", &lot, "UKR", 3000.0, &ua));
    assert_eq!(code, RefusalCode::EucMismatch);
    assert!(
        message.contains("consent of the origin state (SRB)"),
        "{message}"
    );
    book.record(
        Kind::ConsentGiven,
        "srb-state",
        json!({"lot": lot, "to": "UKR", "quantity": 3000, "euc": ua}),
    )
    .expect("consent");
    // More than consented is still refused; the consented quantity passes.
    assert_eq!(
        code_of(book.reexport("cz-state", &lot, "UKR", 3500.0, &ua)),
        RefusalCode::EucMismatch
    );
    book.reexport("cz-state", &lot, "UKR", 3000.0, &ua)
        .expect("consented re-export");
    // The consent is used up.
    assert_eq!(
        code_of(book.reexport("cz-state", &lot, "UKR", 1.0, &ua)),
        RefusalCode::EucMismatch
    );
}

fn code_of(result: Result<Option<String>, Refusal>) -> RefusalCode {
    refusal(result).0
}

#[test]
fn the_origins_deny_export_does_not_follow_the_goods_but_its_end_use_controls_do() {
    let mut book = Book::new();
    // Serbia -> Turkey is allowed (Turkey is neither belligerent nor Russian).
    let euc = book.euc(
        "tr-state",
        "TR-1",
        json!({"consignee": "TUR", "end_user": "TUR"}),
    );
    let lot = book
        .ship(&euc, "TUR", 2000.0)
        .expect("shipment to Turkey")
        .expect("lot");
    book.receive("tr-state", &lot, 2000.0).expect("receipt");
    // Turkey -> Ukraine: Serbia's deny_export of belligerents does not apply.
    let ua = book.euc(
        "ua-state",
        "UA-5",
        json!({"exporter": "TUR", "exporter_organisation": "tr-state", "consignee": "UKR", "end_user": "UKR"}),
    );
    book.reexport("tr-state", &lot, "UKR", 500.0, &ua)
        .expect("re-export to Ukraine");
    // Turkey -> Russia: Serbia's end-use control forbids Russian use.
    let ru = book.euc(
        "ru-state",
        "RU-1",
        json!({"exporter": "TUR", "exporter_organisation": "tr-state", "consignee": "RUS", "end_user": "RUS"}),
    );
    let (code, message) = refusal(book.reexport("tr-state", &lot, "RUS", 500.0, &ru));
    assert_eq!(code, RefusalCode::ComplianceDenied);
    assert!(
        message.contains("srb-state:no-russian-use deny_end_use"),
        "{message}"
    );
    assert!(message.contains("origin SRB"), "{message}");
}

#[test]
fn the_holders_rules_apply_to_a_reexport() {
    let mut book = Book::new();
    let lot = book.czech_lot("CZ-R", "permitted");
    let ru = book.euc(
        "ru-state",
        "RU-2",
        json!({"exporter": "CZE", "exporter_organisation": "cz-state", "consignee": "RUS", "end_user": "RUS"}),
    );
    let (code, message) = refusal(book.reexport("cz-state", &lot, "RUS", 100.0, &ru));
    assert_eq!(code, RefusalCode::ComplianceDenied);
    assert!(
        message.contains("eu:sanctions deny_export: CZE may not export to RUS"),
        "{message}"
    );
}

#[test]
fn delivery_to_the_eucs_own_end_user_is_not_a_reexport() {
    let mut book = Book::new();
    // A Czech EUC for Ukrainian end use, re-export prohibited.
    let euc = book.euc(
        "cz-state",
        "CZ-D",
        json!({"end_user": "UKR", "reexport": "prohibited"}),
    );
    let lot = book
        .ship(&euc, "CZE", 1000.0)
        .expect("shipment")
        .expect("lot");
    book.receive("cz-state", &lot, 1000.0).expect("receipt");
    let delivered = book
        .reexport("cz-state", &lot, "UKR", 1000.0, &euc)
        .expect("delivery to the end user")
        .expect("lot");
    assert_eq!(
        book.state.lots()[&delivered].chain,
        std::slice::from_ref(&euc)
    );
    // The EUC's goods were charged once, at shipment.
    assert_eq!(book.state.eucs()[&euc].used["mortar-120"], 1000.0);
}

#[test]
fn over_shipping_receiving_and_reexporting_are_refused() {
    let mut book = Book::new();
    let euc = book.euc("cz-state", "CZ-Q", json!({}));
    let lot = book
        .ship(&euc, "CZE", 4000.0)
        .expect("shipment")
        .expect("lot");
    // The EUC's 5000 are a cumulative limit.
    let (code, message) = refusal(book.ship(&euc, "CZE", 1001.0));
    assert_eq!(code, RefusalCode::EucMismatch);
    assert!(
        message.contains("covers 5000 of mortar-120 in total"),
        "{message}"
    );
    book.ship(&euc, "CZE", 1000.0).expect("the rest of the EUC");
    // Nothing is re-exported before it is received.
    let ua = book.ukrainian_euc("UA-Q", 10000.0);
    assert_eq!(
        code_of(book.reexport("cz-state", &lot, "UKR", 1.0, &ua)),
        RefusalCode::CustodyExceeded
    );
    book.receive("cz-state", &lot, 2500.0)
        .expect("part received");
    assert_eq!(
        code_of(book.receive("cz-state", &lot, 1501.0)),
        RefusalCode::CustodyExceeded
    );
    book.receive("cz-state", &lot, 1500.0)
        .expect("rest received");
    book.reexport("cz-state", &lot, "UKR", 3000.0, &ua)
        .expect("re-export");
    let (code, message) = refusal(book.reexport("cz-state", &lot, "UKR", 1001.0, &ua));
    assert_eq!(code, RefusalCode::CustodyExceeded);
    assert!(
        message.contains("1000 of mortar-120 received and not passed on"),
        "{message}"
    );
}

#[test]
fn shipments_must_fit_their_euc() {
    let mut book = Book::new();
    let euc = book.euc("cz-state", "CZ-M", json!({"expires": "2026-01-31"}));
    // Expired on the shipment date (2026-02-01).
    let (code, message) = refusal(book.ship(&euc, "CZE", 10.0));
    assert_eq!(code, RefusalCode::EucMismatch);
    assert!(
        message.contains("valid from 2026-01-10 to 2026-01-31"),
        "{message}"
    );
    let euc = book.euc("cz-state", "CZ-N", json!({}));
    // Wrong consignee.
    assert_eq!(
        code_of(book.ship(&euc, "DEU", 10.0)),
        RefusalCode::EucMismatch
    );
    // Wrong product.
    let wrong_product = book.record(
        Kind::TransferShipped,
        "srb-arms",
        json!({"facility": "srb-arms:plant", "consignee": "CZE", "product": "shell-155",
               "quantity": 10, "date": "2026-02-01", "euc": euc}),
    );
    assert_eq!(code_of(wrong_product), RefusalCode::EucMismatch);
    // Another producer's facility than the EUC's exporter organisation.
    let other = book.euc(
        "cz-state",
        "CZ-O",
        json!({"exporter_organisation": "someone-else"}),
    );
    assert_eq!(
        code_of(book.ship(&other, "CZE", 10.0)),
        RefusalCode::EucMismatch
    );
    // Shipping from another producer's facility is answered like shipping
    // from a facility that does not exist.
    let foreign = book
        .record(
            Kind::TransferShipped,
            "cz-arms",
            json!({"facility": "srb-arms:plant", "consignee": "CZE", "product": "mortar-120",
                   "quantity": 10, "date": "2026-02-01", "euc": euc}),
        )
        .expect_err("not its facility");
    let missing = book
        .record(
            Kind::TransferShipped,
            "cz-arms",
            json!({"facility": "srb-arms:nowhere", "consignee": "CZE", "product": "mortar-120",
                   "quantity": 10, "date": "2026-02-01", "euc": euc}),
        )
        .expect_err("no such facility");
    assert_eq!(foreign.code, RefusalCode::Unknown);
    assert_eq!(
        foreign.message.replace("plant", "X"),
        missing.message.replace("nowhere", "X")
    );
    // The EUC number is unique per issuer.
    let again = book.record(
        Kind::EucIssued,
        "cz-state",
        json!({"number": "CZ-N", "exporter": "SRB", "exporter_organisation": "srb-arms",
               "consignee": "CZE", "end_user": "CZE",
               "goods": [{"product": "mortar-120", "quantity": 1}], "end_use": "x",
               "reexport": "permitted", "issued": "2026-01-10", "expires": "2026-12-31"}),
    );
    assert_eq!(code_of(again), RefusalCode::Conflict);
}

/// Hides every lot and EUC: what a party outside the transfer sees.
struct SeesNothing;

impl Visibility for SeesNothing {
    fn may_view_euc(&self, _: &EucRecord) -> bool {
        false
    }
    fn may_view_lot(&self, _: &Lot) -> bool {
        false
    }
    fn may_view_contract(&self, _: &ContractRecord) -> bool {
        false
    }
}

#[test]
fn an_invisible_id_is_refused_exactly_like_a_missing_one() {
    let mut book = Book::new();
    let lot = book.czech_lot("CZ-V", "permitted");
    let hidden = book
        .record_seen_by(
            Kind::TransferReceived,
            "cz-state",
            json!({"lot": lot, "quantity": 1, "date": "2026-02-10"}),
            &SeesNothing,
        )
        .expect_err("hidden");
    let missing = book
        .record_seen_by(
            Kind::TransferReceived,
            "cz-state",
            json!({"lot": "0123456789abcdef0123456789abcdef", "quantity": 1, "date": "2026-02-10"}),
            &SeesEverything,
        )
        .expect_err("missing");
    assert_eq!(hidden.code, RefusalCode::Unknown);
    assert_eq!(missing.code, RefusalCode::Unknown);
    assert_eq!(
        hidden.message.replace(&lot, "ID"),
        missing
            .message
            .replace("0123456789abcdef0123456789abcdef", "ID")
    );
}

#[test]
fn replaying_the_recorded_entries_rebuilds_the_same_state() {
    let mut book = Book::new();
    let lot = book.czech_lot("CZ-1", "with_consent");
    let ua = book.ukrainian_euc("UA-2", 5000.0);
    book.record(
        Kind::ConsentGiven,
        "srb-state",
        json!({"lot": lot, "to": "UKR", "quantity": 2000, "euc": ua}),
    )
    .expect("consent");
    book.reexport("cz-state", &lot, "UKR", 2000.0, &ua)
        .expect("re-export");
    let mut rebuilt = State::new();
    for (content, org) in &book.recorded {
        // Stored content parses back to the same typed content.
        let stored =
            Content::parse(content.kind(), &content.to_value(), Stage::Stored).expect("stored");
        rebuilt
            .replay(&stored, org, &book.scenario)
            .unwrap_or_else(|r| panic!("{r}"));
    }
    assert_eq!(rebuilt, book.state);
    // Replaying a receipt beyond the lot is caught even without compliance.
    let over = Content::parse(
        Kind::TransferReceived,
        &json!({"lot": lot, "quantity": 1, "date": "2026-03-01"}),
        Stage::Stored,
    )
    .expect("content");
    assert_eq!(
        rebuilt
            .replay(&over, "cz-state", &book.scenario)
            .map_err(|r| r.code),
        Err(RefusalCode::CustodyExceeded)
    );
}

/// A producer removes a facility from its contribution after shipping from
/// it: the stored log still replays against the round's scenario of today
/// (custody does not depend on the facility still existing; the shipment
/// fitted its EUC, whose exporter is the facility's actor as it was), and
/// the lot keeps its origin.
#[test]
fn replay_survives_the_removal_of_the_producing_facility() {
    let mut book = Book::new();
    let lot = book.czech_lot("CZ-1", "permitted");
    let text = include_str!("fixtures/custody.toml").replace(
        "[[facility]]\nid = \"srb-arms:plant\"\nactor = \"SRB\"\nstock = { mortar-120 = 60000 }",
        "",
    );
    let without_plant = caisson_scenario::load_str(&text, "custody-without-plant.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario;
    assert!(without_plant.facility_id("srb-arms:plant").is_none());
    let mut rebuilt = State::new();
    for (content, org) in &book.recorded {
        let stored =
            Content::parse(content.kind(), &content.to_value(), Stage::Stored).expect("stored");
        rebuilt
            .replay(&stored, org, &without_plant)
            .unwrap_or_else(|r| panic!("{r}"));
    }
    assert_eq!(rebuilt, book.state);
    assert_eq!(rebuilt.lots()[&lot].origin, "SRB");
}

#[derive(Debug, Clone)]
enum Op {
    Ship(u16),
    Receive(usize, u16),
    Reexport(usize, u16),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (1u16..3000).prop_map(Op::Ship),
        (any::<usize>(), 1u16..3000).prop_map(|(l, q)| Op::Receive(l, q)),
        (any::<usize>(), 1u16..3000).prop_map(|(l, q)| Op::Reexport(l, q)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever sequence of shipments, receipts and re-exports is attempted,
    /// no lot is ever received or passed on beyond its quantity and no EUC
    /// is used beyond its goods.
    #[test]
    fn no_lot_ever_exceeds_its_quantity(ops in proptest::collection::vec(op(), 1..40)) {
        let mut book = Book::new();
        let cz = book.euc("cz-state", "CZ-P", json!({"goods": [{"product": "mortar-120", "quantity": 20000}]}));
        let ua = book.ukrainian_euc("UA-P", 15000.0);
        let mut lots: Vec<String> = Vec::new();
        for op in ops {
            let before = book.state.clone();
            let result = match op {
                Op::Ship(q) => book.ship(&cz, "CZE", f64::from(q)),
                Op::Receive(pick, q) if !lots.is_empty() => {
                    let lot = lots[pick % lots.len()].clone();
                    let org = if book.state.lots()[&lot].consignee == "CZE" { "cz-state" } else { "ua-state" };
                    book.receive(org, &lot, f64::from(q))
                }
                Op::Reexport(pick, q) if !lots.is_empty() => {
                    let lot = lots[pick % lots.len()].clone();
                    book.reexport("cz-state", &lot, "UKR", f64::from(q), &ua)
                }
                _ => continue,
            };
            match result {
                Ok(Some(id)) => lots.push(id),
                Ok(None) => {}
                // A refusal changes nothing.
                Err(_) => prop_assert_eq!(&book.state, &before),
            }
            for lot in book.state.lots().values() {
                prop_assert!(lot.received <= lot.quantity, "{lot:?}");
                prop_assert!(lot.passed_on <= lot.received, "{lot:?}");
            }
            for euc in book.state.eucs().values() {
                for goods in &euc.content.goods {
                    let used = euc.used.get(&goods.product).copied().unwrap_or(0.0);
                    prop_assert!(used <= goods.quantity.get(), "{euc:?}");
                }
            }
        }
    }
}

/// Sees everything but the EUCs with one number.
struct HidesEuc(&'static str);

impl Visibility for HidesEuc {
    fn may_view_euc(&self, euc: &EucRecord) -> bool {
        euc.content.number != self.0
    }
    fn may_view_lot(&self, _: &Lot) -> bool {
        true
    }
    fn may_view_contract(&self, _: &ContractRecord) -> bool {
        true
    }
}

#[test]
fn clauses_of_the_whole_chain_apply_and_an_unseen_euc_is_not_named() {
    let mut book = Book::new();
    let lot = book.czech_lot("CZ-H", "with_consent");
    let tr = book.euc(
        "tr-state",
        "TR-H",
        json!({"exporter": "CZE", "exporter_organisation": "cz-state", "consignee": "TUR", "end_user": "TUR"}),
    );
    book.record(
        Kind::ConsentGiven,
        "srb-state",
        json!({"lot": lot, "to": "TUR", "quantity": 1000, "euc": tr}),
    )
    .expect("consent");
    let turkish = book
        .reexport("cz-state", &lot, "TUR", 1000.0, &tr)
        .expect("consented re-export")
        .expect("lot");
    book.receive("tr-state", &turkish, 1000.0).expect("receipt");
    let ua = book.euc(
        "ua-state",
        "UA-H",
        json!({"exporter": "TUR", "exporter_organisation": "tr-state", "consignee": "UKR", "end_user": "UKR"}),
    );
    // The Czech EUC's with_consent clause still binds the goods in Turkey.
    let refused = book
        .record_seen_by(
            Kind::TransferReexported,
            "tr-state",
            json!({"lot": turkish, "to": "UKR", "quantity": 100, "date": "2026-03-01", "euc": ua}),
            &HidesEuc("CZ-H"),
        )
        .expect_err("needs consent");
    assert_eq!(refused.code, RefusalCode::EucMismatch);
    assert!(!refused.message.contains("CZ-H"), "{}", refused.message);
    assert!(
        refused.message.contains("earlier in the lot's chain"),
        "{}",
        refused.message
    );
}

/// Time-windowed policies (docs/windows.md): a shipment is checked against
/// the policies binding in the period of its date. Serbia's neutrality
/// binding from March only lets a February shipment to Ukraine through and
/// refuses one dated in March, naming the policy and its window.
#[test]
fn a_shipment_is_judged_by_the_policies_binding_in_the_period_of_its_date() {
    let mut book = Book::new();
    let neutrality = book
        .scenario
        .policies
        .iter()
        .position(|p| p.id == "srb-state:neutrality")
        .expect("the neutrality policy");
    let n = book.scenario.periods();
    book.scenario.policies[neutrality].window = Some(caisson_model::Window { start: 2, end: n });
    let euc = book.euc(
        "ua-state",
        "UA-W",
        json!({"consignee": "UKR", "end_user": "UKR", "expires": "2027-12-31"}),
    );
    let ship = |book: &mut Book, date: &str| {
        book.record(
            Kind::TransferShipped,
            "srb-arms",
            json!({"facility": "srb-arms:plant", "consignee": "UKR", "product": "mortar-120",
                   "quantity": 1000, "date": date, "euc": euc}),
        )
    };
    ship(&mut book, "2026-02-27").unwrap_or_else(|r| panic!("February is before the window: {r}"));
    let (code, message) = refusal(ship(&mut book, "2026-03-02"));
    assert_eq!(code, RefusalCode::ComplianceDenied);
    assert!(
        message.contains("srb-state:neutrality deny_export"),
        "{message}"
    );
    assert!(message.contains("binds 2026-03..2026-12"), "{message}");
    // A date after the horizon reads as its last period: still bound.
    let (code, _) = refusal(ship(&mut book, "2027-05-01"));
    assert_eq!(code, RefusalCode::ComplianceDenied);
    assert_eq!(book.state.lots().len(), 1);
}
