//! Chain of custody (spec section 5, "Custody"): an in-memory state over
//! the recorded entries (contracts, EUCs, lots, consents) and the rules that
//! decide whether a new entry may be recorded.
//!
//! The server keeps one [`State`] per ledger: it calls [`State::check`] with
//! the round's assembled scenario before appending an entry, appends it, and
//! then [`State::apply`]s the returned [`Effects`]; on start it rebuilds the
//! state with [`State::replay`] over the stored entries. Appends are
//! serialised by the server, so check-then-apply never races.
//!
//! Compliance verdicts come from `caisson-compliance`, so a refusal names
//! the policy and list exactly as the planner's plans do. Who may record
//! which kind (the spec's "recorded by" column) and who may view which id
//! are the server's to decide: it answers the latter through [`Visibility`],
//! and an id the caller may not view is refused exactly like a missing one.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use caisson_compliance::{end_use_at, leg_at, Rule, Verdict};
use caisson_model::{ActorId, Scenario};

use crate::entry::{
    ConsentGiven, Content, ContractSigned, EucIssued, Reexport, TransferReceived,
    TransferReexported, TransferShipped,
};
use crate::time::Date;

/// The stable code of a refusal (section 6's error codes; 422 at the HTTP
/// edge unless noted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefusalCode {
    /// A model compliance rule denies the transfer.
    ComplianceDenied,
    /// More than a lot holds (shipped, received or not yet passed on).
    CustodyExceeded,
    /// The entry does not fit its EUC (parties, goods, quantity, dates,
    /// re-export clause, missing consent).
    EucMismatch,
    /// An id (EUC, lot, contract, facility, actor, product) that does not
    /// exist or that the caller may not view: the same answer for both.
    Unknown,
    /// An id or EUC number already used (409).
    Conflict,
}

impl RefusalCode {
    /// The code as written in error bodies.
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalCode::ComplianceDenied => "compliance_denied",
            RefusalCode::CustodyExceeded => "custody_exceeded",
            RefusalCode::EucMismatch => "euc_mismatch",
            RefusalCode::Unknown => "unknown",
            RefusalCode::Conflict => "conflict",
        }
    }
}

/// Why an entry may not be recorded: a stable code and the rule's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", code.as_str())]
pub struct Refusal {
    /// The stable code.
    pub code: RefusalCode,
    /// The rule's text (for compliance, the planner's verdict text).
    pub message: String,
}

fn refuse<T>(code: RefusalCode, message: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal {
        code,
        message: message.into(),
    })
}

fn unknown<T>(what: &str, id: &str) -> Result<T, Refusal> {
    refuse(RefusalCode::Unknown, format!("unknown {what} {id:?}"))
}

/// A recorded EUC and how much of its goods has been used.
#[derive(Debug, Clone, PartialEq)]
pub struct EucRecord {
    /// The server-assigned id.
    pub id: String,
    /// The issuing (recording) organisation.
    pub issuer: String,
    /// The certificate as recorded.
    pub content: EucIssued,
    /// Quantity shipped or re-exported under it, per product.
    pub used: BTreeMap<String, f64>,
}

impl EucRecord {
    fn label(&self) -> String {
        format!("EUC {} of {}", self.content.number, self.issuer)
    }
}

/// A lot: goods shipped from a facility, or re-exported from another lot.
#[derive(Debug, Clone, PartialEq)]
pub struct Lot {
    /// The server-assigned id.
    pub id: String,
    /// The actor of the producing facility.
    pub origin: String,
    /// The producing facility (qualified id).
    pub facility: String,
    /// The actor that sent this lot (the origin, or the previous holder).
    pub sender: String,
    /// The organisation that recorded the shipment or re-export.
    pub sender_organisation: String,
    /// The consignee; the lot's holder once (part of) it is received.
    pub consignee: String,
    /// The product.
    pub product: String,
    /// Quantity shipped in this lot.
    pub quantity: f64,
    /// Quantity received so far.
    pub received: f64,
    /// Quantity passed on (re-exported or delivered) so far.
    pub passed_on: f64,
    /// The EUCs the goods passed under, oldest first; the last one covers
    /// this lot.
    pub chain: Vec<String>,
    /// The lot this one was re-exported from.
    pub parent: Option<String>,
    /// Date shipped or re-exported.
    pub date: Date,
}

impl Lot {
    /// The holder: the consignee once anything was received.
    pub fn holder(&self) -> Option<&str> {
        (self.received > 0.0).then_some(self.consignee.as_str())
    }
}

/// A recorded consent and how much of it has been used.
#[derive(Debug, Clone, PartialEq)]
pub struct Consent {
    /// Position in [`State::consents`].
    pub position: usize,
    /// The consenting organisation.
    pub organisation: String,
    /// The consent as recorded.
    pub content: ConsentGiven,
    /// Quantity re-exported under it so far.
    pub used: f64,
}

/// A recorded contract.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractRecord {
    /// The contract as signed.
    pub content: ContractSigned,
}

/// Which ids the caller may view; the server implements it with its
/// visibility rules (section 3 and 5). Ids that fail it are "unknown".
pub trait Visibility {
    /// Whether the caller may view this EUC.
    fn may_view_euc(&self, euc: &EucRecord) -> bool;
    /// Whether the caller may view this lot.
    fn may_view_lot(&self, lot: &Lot) -> bool;
    /// Whether the caller may view this contract.
    fn may_view_contract(&self, contract: &ContractRecord) -> bool;
}

/// Sees everything: for replay, tests and single-party use.
#[derive(Debug, Clone, Copy, Default)]
pub struct SeesEverything;

impl Visibility for SeesEverything {
    fn may_view_euc(&self, _: &EucRecord) -> bool {
        true
    }
    fn may_view_lot(&self, _: &Lot) -> bool {
        true
    }
    fn may_view_contract(&self, _: &ContractRecord) -> bool {
        true
    }
}

/// How much an entry is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Recording a new entry: every rule, compliance included.
    Record,
    /// Rebuilding the state from stored entries: custody and id bookkeeping
    /// only. Compliance was checked at recording time and is never
    /// re-checked (section 5); the scenario is used only to find a
    /// facility's actor.
    Replay,
}

/// What the entry is checked against.
pub struct Context<'a> {
    /// The round's assembled scenario.
    pub scenario: &'a Scenario,
    /// The recording organisation.
    pub organisation: &'a str,
    /// What the recording caller may view.
    pub visibility: &'a dyn Visibility,
    /// Record or replay.
    pub mode: Mode,
}

/// The changes an accepted entry makes to the state; apply them with
/// [`State::apply`] once the entry is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Effects {
    change: Change,
}

#[derive(Debug, Clone, PartialEq)]
enum Change {
    Contract(ContractRecord),
    Euc(EucRecord),
    Ship {
        lot: Lot,
        euc: String,
    },
    Receive {
        lot: String,
        quantity: f64,
    },
    Reexport {
        lot: Lot,
        from: String,
        charge_euc: bool,
        consents: Vec<(usize, f64)>,
    },
    Consent(Consent),
}

impl Effects {
    /// The lot the entry creates, if any.
    pub fn new_lot(&self) -> Option<&Lot> {
        match &self.change {
            Change::Ship { lot, .. } | Change::Reexport { lot, .. } => Some(lot),
            _ => None,
        }
    }

    /// Whether the re-export is a delivery to the current EUC's end user
    /// (section 5: not a re-export, so no EUC clause applies).
    pub fn is_delivery(&self) -> bool {
        matches!(
            &self.change,
            Change::Reexport {
                charge_euc: false,
                ..
            }
        )
    }
}

/// The custody state of a ledger.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct State {
    contracts: BTreeMap<String, ContractRecord>,
    eucs: BTreeMap<String, EucRecord>,
    euc_numbers: BTreeSet<(String, String)>,
    lots: BTreeMap<String, Lot>,
    consents: Vec<Consent>,
}

fn actor(scenario: &Scenario, id: &str) -> Result<ActorId, Refusal> {
    scenario
        .actor_id(id)
        .map_or_else(|| unknown("actor", id), Ok)
}

/// The organisation owning a facility: the prefix of its qualified id
/// (`O:X`, section 2); an unqualified id (a single-party scenario) belongs
/// to the recording organisation.
fn facility_organisation<'a>(facility: &'a str, recorder: &'a str) -> &'a str {
    facility.split_once(':').map_or(recorder, |(org, _)| org)
}

fn denied(context: &str, scenario: &Scenario, verdict: Verdict) -> Result<(), Refusal> {
    if verdict.is_allowed() {
        return Ok(());
    }
    refuse(
        RefusalCode::ComplianceDenied,
        format!("{context}: {}", verdict.reason(scenario)),
    )
}

impl State {
    /// An empty ledger's state.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every EUC, by id.
    pub fn eucs(&self) -> &BTreeMap<String, EucRecord> {
        &self.eucs
    }

    /// Every lot, by id.
    pub fn lots(&self) -> &BTreeMap<String, Lot> {
        &self.lots
    }

    /// Every consent, in recording order.
    pub fn consents(&self) -> &[Consent] {
        &self.consents
    }

    /// Every contract, by id.
    pub fn contracts(&self) -> &BTreeMap<String, ContractRecord> {
        &self.contracts
    }

    /// The lots that `lot` was (transitively) re-exported from, nearest
    /// first: a backward trace.
    pub fn ancestors(&self, lot: &str) -> Vec<&Lot> {
        let mut out = Vec::new();
        let mut current = self.lots.get(lot).and_then(|l| l.parent.as_deref());
        while let Some(id) = current {
            match self.lots.get(id) {
                Some(parent) => {
                    out.push(parent);
                    current = parent.parent.as_deref();
                }
                None => break,
            }
        }
        out
    }

    /// The lots (transitively) re-exported from `lot`, in id order per
    /// generation: a forward trace.
    pub fn descendants(&self, lot: &str) -> Vec<&Lot> {
        let mut out = Vec::new();
        let mut frontier = vec![lot.to_owned()];
        while let Some(id) = frontier.pop() {
            for child in self
                .lots
                .values()
                .filter(|l| l.parent.as_deref() == Some(&id))
            {
                frontier.push(child.id.clone());
                out.push(child);
            }
        }
        out
    }

    fn visible_euc(&self, id: &str, ctx: &Context<'_>) -> Result<&EucRecord, Refusal> {
        match self.eucs.get(id) {
            Some(e) if ctx.visibility.may_view_euc(e) => Ok(e),
            _ => unknown("euc", id),
        }
    }

    fn visible_lot(&self, id: &str, ctx: &Context<'_>) -> Result<&Lot, Refusal> {
        match self.lots.get(id) {
            Some(l) if ctx.visibility.may_view_lot(l) => Ok(l),
            _ => unknown("lot", id),
        }
    }

    /// Decides whether `content`, recorded by `ctx.organisation`, may be
    /// recorded; returns what it changes. Content must be in its stored
    /// form (server-assigned ids filled in).
    pub fn check(&self, content: &Content, ctx: &Context<'_>) -> Result<Effects, Refusal> {
        let change = match content {
            Content::ContractSigned(c) => self.check_contract(c)?,
            Content::EucIssued(c) => self.check_euc(c, ctx)?,
            Content::TransferShipped(c) => self.check_shipment(c, ctx)?,
            Content::TransferReceived(c) => self.check_receipt(c, ctx)?,
            Content::TransferReexported(c) => self.check_reexport(c, ctx)?,
            Content::ConsentGiven(c) => self.check_consent(c, ctx)?,
        };
        Ok(Effects { change })
    }

    /// Applies the effects of a checked and stored entry.
    pub fn apply(&mut self, effects: Effects) {
        match effects.change {
            Change::Contract(c) => {
                self.contracts.insert(c.content.contract.clone(), c);
            }
            Change::Euc(e) => {
                self.euc_numbers
                    .insert((e.issuer.clone(), e.content.number.clone()));
                self.eucs.insert(e.id.clone(), e);
            }
            Change::Ship { lot, euc } => {
                if let Some(e) = self.eucs.get_mut(&euc) {
                    *e.used.entry(lot.product.clone()).or_default() += lot.quantity;
                }
                self.lots.insert(lot.id.clone(), lot);
            }
            Change::Receive { lot, quantity } => {
                if let Some(l) = self.lots.get_mut(&lot) {
                    l.received += quantity;
                }
            }
            Change::Reexport {
                lot,
                from,
                charge_euc,
                consents,
            } => {
                if let Some(source) = self.lots.get_mut(&from) {
                    source.passed_on += lot.quantity;
                }
                if charge_euc {
                    if let Some(e) = lot.chain.last().and_then(|id| self.eucs.get_mut(id)) {
                        *e.used.entry(lot.product.clone()).or_default() += lot.quantity;
                    }
                }
                for (position, quantity) in consents {
                    if let Some(c) = self.consents.get_mut(position) {
                        c.used += quantity;
                    }
                }
                self.lots.insert(lot.id.clone(), lot);
            }
            Change::Consent(c) => self.consents.push(c),
        }
    }

    /// Checks (in [`Mode::Replay`] when rebuilding) and applies in one step.
    pub fn record(&mut self, content: &Content, ctx: &Context<'_>) -> Result<Effects, Refusal> {
        let effects = self.check(content, ctx)?;
        self.apply(effects.clone());
        Ok(effects)
    }

    /// Replays one stored entry recorded by `organisation`: custody
    /// bookkeeping without compliance. A refusal here means the stored log
    /// breaks the custody rules (it was altered, or recorded by a faulty
    /// server).
    pub fn replay(
        &mut self,
        content: &Content,
        organisation: &str,
        scenario: &Scenario,
    ) -> Result<(), Refusal> {
        let ctx = Context {
            scenario,
            organisation,
            visibility: &SeesEverything,
            mode: Mode::Replay,
        };
        self.record(content, &ctx).map(|_| ())
    }

    fn check_contract(&self, c: &ContractSigned) -> Result<Change, Refusal> {
        if self.contracts.contains_key(&c.contract) {
            return refuse(
                RefusalCode::Conflict,
                format!("contract {:?} is already recorded", c.contract),
            );
        }
        Ok(Change::Contract(ContractRecord { content: c.clone() }))
    }

    fn check_euc(&self, c: &EucIssued, ctx: &Context<'_>) -> Result<Change, Refusal> {
        let Some(id) = c.euc.clone() else {
            return refuse(RefusalCode::Unknown, "the EUC has no server-assigned id");
        };
        if self.eucs.contains_key(&id) {
            return refuse(
                RefusalCode::Conflict,
                format!("euc {id:?} is already recorded"),
            );
        }
        let issuer = ctx.organisation.to_owned();
        if self
            .euc_numbers
            .contains(&(issuer.clone(), c.number.clone()))
        {
            return refuse(
                RefusalCode::Conflict,
                format!("EUC number {:?} is already used by {issuer}", c.number),
            );
        }
        if ctx.mode == Mode::Record {
            let s = ctx.scenario;
            for a in [&c.exporter, &c.consignee, &c.end_user] {
                actor(s, a)?;
            }
            for g in &c.goods {
                if s.product_id(&g.product).is_none() {
                    return unknown("product", &g.product);
                }
            }
            if let Some(contract) = &c.contract {
                match self.contracts.get(contract) {
                    Some(k) if ctx.visibility.may_view_contract(k) => {
                        if k.content.supplier_organisation != c.exporter_organisation {
                            return refuse(
                                RefusalCode::EucMismatch,
                                format!(
                                    "the EUC's exporter organisation {} is not contract {contract}'s supplier {}",
                                    c.exporter_organisation, k.content.supplier_organisation
                                ),
                            );
                        }
                    }
                    _ => return unknown("contract", contract),
                }
            }
        }
        let mut products = BTreeSet::new();
        if let Some(g) = c
            .goods
            .iter()
            .find(|g| !products.insert(g.product.as_str()))
        {
            return refuse(
                RefusalCode::EucMismatch,
                format!("product {} is listed twice in the EUC's goods", g.product),
            );
        }
        if c.issued > c.expires {
            return refuse(
                RefusalCode::EucMismatch,
                format!(
                    "the EUC expires ({}) before it is issued ({})",
                    c.expires, c.issued
                ),
            );
        }
        Ok(Change::Euc(EucRecord {
            id,
            issuer,
            content: c.clone(),
            used: BTreeMap::new(),
        }))
    }

    /// The EUC rules shared by shipments and re-exports: parties, goods,
    /// cumulative quantity and dates.
    fn fits_euc(
        e: &EucRecord,
        exporter: &str,
        exporter_organisation: &str,
        consignee: &str,
        product: &str,
        quantity: f64,
        date: &Date,
    ) -> Result<(), Refusal> {
        let c = &e.content;
        let label = e.label();
        let mismatch = |message: String| refuse(RefusalCode::EucMismatch, message);
        if c.exporter != exporter {
            return mismatch(format!(
                "{label} names exporter {}, not {exporter}",
                c.exporter
            ));
        }
        if c.exporter_organisation != exporter_organisation {
            return mismatch(format!(
                "{label} names exporter organisation {}, not {exporter_organisation}",
                c.exporter_organisation
            ));
        }
        if c.consignee != consignee {
            return mismatch(format!(
                "{label} names consignee {}, not {consignee}",
                c.consignee
            ));
        }
        let Some(goods) = c.goods.iter().find(|g| g.product == product) else {
            return mismatch(format!("{label} does not cover product {product}"));
        };
        let used = e.used.get(product).copied().unwrap_or(0.0);
        if used + quantity > goods.quantity.get() {
            return mismatch(format!(
                "{label} covers {} of {product} in total; {used} already used, {quantity} more exceeds it",
                goods.quantity.get()
            ));
        }
        if *date < c.issued || *date > c.expires {
            return mismatch(format!(
                "{label} is valid from {} to {}, not on {date}",
                c.issued, c.expires
            ));
        }
        Ok(())
    }

    fn check_shipment(&self, c: &TransferShipped, ctx: &Context<'_>) -> Result<Change, Refusal> {
        let s = ctx.scenario;
        let Some(lot_id) = c.lot.clone() else {
            return refuse(
                RefusalCode::Unknown,
                "the shipment has no server-assigned lot id",
            );
        };
        if self.lots.contains_key(&lot_id) {
            return refuse(
                RefusalCode::Conflict,
                format!("lot {lot_id:?} is already recorded"),
            );
        }
        // Only the facility's producer records its shipments (section 5);
        // another organisation's facility is answered like a missing one,
        // so that a refusal never confirms that it exists.
        let owned = facility_organisation(&c.facility, ctx.organisation) == ctx.organisation;
        let e = self.visible_euc(&c.euc, ctx)?;
        let exporter = s
            .facility_id(&c.facility)
            .filter(|_| owned)
            .map(|f| s.facilities[f.index()].actor);
        let exporter_text = match (exporter, ctx.mode) {
            (Some(actor), _) => s.actors[actor.index()].id.clone(),
            // Replaying a stored shipment from a facility its producer has
            // since removed from the round: the shipment fitted its EUC when
            // it was recorded, so the EUC's exporter is the facility's actor
            // as it was then. Custody must not depend on today's scenario.
            (None, Mode::Replay) if owned => e.content.exporter.clone(),
            (None, _) => return unknown("facility", &c.facility),
        };
        if ctx.mode == Mode::Record {
            actor(s, &c.consignee)?;
            if s.product_id(&c.product).is_none() {
                return unknown("product", &c.product);
            }
        }
        Self::fits_euc(
            e,
            &exporter_text,
            facility_organisation(&c.facility, ctx.organisation),
            &c.consignee,
            &c.product,
            c.quantity.get(),
            &c.date,
        )?;
        if ctx.mode == Mode::Record {
            // Rules 1-3 with E = the facility's actor, B = the consignee,
            // U = the EUC's end user.
            let Some(exporter) = exporter else {
                return unknown("facility", &c.facility);
            };
            let buyer = actor(s, &c.consignee)?;
            let end_user = actor(s, &e.content.end_user)?;
            // Judged by the policies binding in the period of its date
            // (time-windowed policies, docs/windows.md).
            let t = period_of(s, &c.date);
            let verdict =
                caisson_compliance::shipment_by_actors_at(s, exporter, buyer, end_user, t);
            denied(
                &format!(
                    "shipment from {} to {} for end user {}",
                    c.facility, c.consignee, e.content.end_user
                ),
                s,
                verdict,
            )?;
        }
        Ok(Change::Ship {
            lot: Lot {
                id: lot_id,
                origin: exporter_text.clone(),
                facility: c.facility.clone(),
                sender: exporter_text,
                sender_organisation: ctx.organisation.to_owned(),
                consignee: c.consignee.clone(),
                product: c.product.clone(),
                quantity: c.quantity.get(),
                received: 0.0,
                passed_on: 0.0,
                chain: vec![e.id.clone()],
                parent: None,
                date: c.date.clone(),
            },
            euc: e.id.clone(),
        })
    }

    fn check_receipt(&self, c: &TransferReceived, ctx: &Context<'_>) -> Result<Change, Refusal> {
        let lot = self.visible_lot(&c.lot, ctx)?;
        let q = c.quantity.get();
        if lot.received + q > lot.quantity {
            return refuse(
                RefusalCode::CustodyExceeded,
                format!(
                    "lot {} holds {} of {}; {} already received, {q} more exceeds it",
                    lot.id, lot.quantity, lot.product, lot.received
                ),
            );
        }
        Ok(Change::Receive {
            lot: lot.id.clone(),
            quantity: q,
        })
    }

    fn check_reexport(&self, c: &TransferReexported, ctx: &Context<'_>) -> Result<Change, Refusal> {
        let s = ctx.scenario;
        let Some(new_id) = c.new_lot.clone() else {
            return refuse(
                RefusalCode::Unknown,
                "the re-export has no server-assigned lot id",
            );
        };
        if self.lots.contains_key(&new_id) {
            return refuse(
                RefusalCode::Conflict,
                format!("lot {new_id:?} is already recorded"),
            );
        }
        let lot = self.visible_lot(&c.lot, ctx)?;
        let new_euc = self.visible_euc(&c.euc, ctx)?;
        if ctx.mode == Mode::Record {
            actor(s, &c.to)?;
        }
        let q = c.quantity.get();
        let available = lot.received - lot.passed_on;
        if q > available {
            return refuse(
                RefusalCode::CustodyExceeded,
                format!(
                    "lot {} has {} of {} received and not passed on; {q} exceeds it",
                    lot.id, available, lot.product
                ),
            );
        }
        let holder = lot.consignee.clone();
        let current = lot.chain.last().and_then(|id| self.eucs.get(id));
        // Delivery to the current EUC's own end user is not a re-export: it
        // passes under the same EUC, whose goods were charged at shipment.
        let delivery = current.is_some_and(|e| {
            e.id == new_euc.id && e.content.end_user == c.to && e.content.consignee == holder
        });
        let mut consents = Vec::new();
        if !delivery {
            Self::fits_euc(
                new_euc,
                &holder,
                ctx.organisation,
                &c.to,
                &lot.product,
                q,
                &c.date,
            )?;
            // Every EUC of the chain binds the goods.
            let mut needs_consent = None;
            for id in &lot.chain {
                let Some(e) = self.eucs.get(id) else {
                    return unknown("euc", id);
                };
                // An earlier EUC the caller may not view is not named.
                let label = if ctx.visibility.may_view_euc(e) {
                    e.label()
                } else {
                    "an end-user certificate earlier in the lot's chain".to_owned()
                };
                match e.content.reexport {
                    Reexport::Prohibited => {
                        return refuse(
                            RefusalCode::EucMismatch,
                            format!("{label} prohibits re-export (reexport = \"prohibited\")"),
                        );
                    }
                    Reexport::WithConsent => needs_consent = needs_consent.or(Some(label)),
                    Reexport::Permitted => {}
                }
            }
            if let Some(label) = needs_consent {
                consents = self.take_consents(&lot.id, &c.to, &new_euc.id, q);
                let covered: f64 = consents.iter().map(|(_, used)| used).sum();
                if covered < q {
                    return refuse(
                        RefusalCode::EucMismatch,
                        format!(
                            "{label} allows re-export only with the consent of the origin state ({}); \
                             unused consent for lot {} to {} under this EUC covers {covered}, not {q}",
                            lot.origin, lot.id, c.to
                        ),
                    );
                }
            }
        }
        if ctx.mode == Mode::Record {
            // Rules 1-2 with E = H, B = T, U = U'; end-use controls of H and
            // of the origin for U'. The origin's deny_export does not apply.
            let h = actor(s, &holder)?;
            let t = actor(s, &c.to)?;
            let u = actor(s, &new_euc.content.end_user)?;
            let origin = actor(s, &lot.origin)?;
            let what = format!(
                "re-export of lot {} by {holder} to {} for end user {}",
                lot.id, c.to, new_euc.content.end_user
            );
            let period = period_of(s, &c.date);
            if h != t {
                denied(&what, s, leg_at(s, h, t, Rule::ExporterToBuyer, period))?;
            }
            if u != t {
                denied(&what, s, leg_at(s, t, u, Rule::BuyerToEndUser, period))?;
            }
            if u != h {
                denied(&what, s, end_use_at(s, h, u, period))?;
            }
            if u != origin {
                denied(
                    &format!("{what} (end-use controls of the origin {})", lot.origin),
                    s,
                    end_use_at(s, origin, u, period),
                )?;
            }
        }
        let mut chain = lot.chain.clone();
        if !delivery {
            chain.push(new_euc.id.clone());
        }
        Ok(Change::Reexport {
            lot: Lot {
                id: new_id,
                origin: lot.origin.clone(),
                facility: lot.facility.clone(),
                sender: holder,
                sender_organisation: ctx.organisation.to_owned(),
                consignee: c.to.clone(),
                product: lot.product.clone(),
                quantity: q,
                received: 0.0,
                passed_on: 0.0,
                chain,
                parent: Some(lot.id.clone()),
                date: c.date.clone(),
            },
            from: lot.id.clone(),
            charge_euc: !delivery,
            consents,
        })
    }

    /// Unused consents for (lot, to, euc) covering up to `quantity`, oldest
    /// first: (position, quantity taken).
    fn take_consents(&self, lot: &str, to: &str, euc: &str, quantity: f64) -> Vec<(usize, f64)> {
        let mut left = quantity;
        let mut taken = Vec::new();
        for c in &self.consents {
            if left <= 0.0 {
                break;
            }
            let k = &c.content;
            if k.lot == lot && k.to == to && k.euc == euc {
                let free = k.quantity.get() - c.used;
                if free > 0.0 {
                    let take = free.min(left);
                    taken.push((c.position, take));
                    left -= take;
                }
            }
        }
        taken
    }

    fn check_consent(&self, c: &ConsentGiven, ctx: &Context<'_>) -> Result<Change, Refusal> {
        let lot = self.visible_lot(&c.lot, ctx)?;
        let e = self.visible_euc(&c.euc, ctx)?;
        if ctx.mode == Mode::Record {
            actor(ctx.scenario, &c.to)?;
        }
        if e.content.consignee != c.to {
            return refuse(
                RefusalCode::EucMismatch,
                format!(
                    "{} names consignee {}, not {}",
                    e.label(),
                    e.content.consignee,
                    c.to
                ),
            );
        }
        if !e.content.goods.iter().any(|g| g.product == lot.product) {
            return refuse(
                RefusalCode::EucMismatch,
                format!("{} does not cover product {}", e.label(), lot.product),
            );
        }
        Ok(Change::Consent(Consent {
            position: self.consents.len(),
            organisation: ctx.organisation.to_owned(),
            content: c.clone(),
            used: 0.0,
        }))
    }
}

impl fmt::Display for RefusalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The period of the scenario's calendar that holds `date` (the one whose
/// label is the date's month, quarter or year), for the policies binding
/// then (docs/windows.md). A date before the horizon reads as its first
/// period and one after it as its last: the nearest end, so a window that
/// reaches an end of the horizon keeps binding beyond it.
fn period_of(s: &caisson_model::Scenario, date: &Date) -> usize {
    let text = date.as_str();
    let (year, month) = (text.get(0..4).unwrap_or(""), text.get(5..7).unwrap_or(""));
    let label = match s.calendar.kind {
        caisson_model::PeriodKind::Month => format!("{year}-{month}"),
        caisson_model::PeriodKind::Quarter => {
            let m: u32 = month.parse().unwrap_or(1);
            format!("{year}-Q{}", (m.clamp(1, 12) - 1) / 3 + 1)
        }
        caisson_model::PeriodKind::Year => year.to_owned(),
    };
    let last = s.periods().saturating_sub(1);
    match s.calendar.offset(&label) {
        Ok(offset) => usize::try_from(offset.max(0)).unwrap_or(0).min(last),
        Err(_) => 0,
    }
}
