//! Ledger entries (spec section 5): the six kinds with exactly the spec's
//! content keys, the leaf object and its hash, and the full and public
//! forms readers get.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::canonical::{check_f64, to_canonical_bytes, CanonicalError};
use crate::hash::{is_lower_hex, to_hex, Hash};
use crate::time::{Date, Timestamp};

/// The kind of an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Kind {
    /// `contract.signed`: written by the server when a contract is signed.
    #[serde(rename = "contract.signed")]
    ContractSigned,
    /// `euc.issued`: an end-user certificate.
    #[serde(rename = "euc.issued")]
    EucIssued,
    /// `transfer.shipped`: a shipment from a facility, creating a lot.
    #[serde(rename = "transfer.shipped")]
    TransferShipped,
    /// `transfer.received`: receipt of (part of) a lot by its consignee.
    #[serde(rename = "transfer.received")]
    TransferReceived,
    /// `transfer.reexported`: a holder passing on (part of) a lot.
    #[serde(rename = "transfer.reexported")]
    TransferReexported,
    /// `consent.given`: the origin state's consent to a re-export.
    #[serde(rename = "consent.given")]
    ConsentGiven,
}

impl Kind {
    /// Every kind, in the spec's table order.
    pub const ALL: [Kind; 6] = [
        Kind::ContractSigned,
        Kind::EucIssued,
        Kind::TransferShipped,
        Kind::TransferReceived,
        Kind::TransferReexported,
        Kind::ConsentGiven,
    ];

    /// The kind as written in entries.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ContractSigned => "contract.signed",
            Kind::EucIssued => "euc.issued",
            Kind::TransferShipped => "transfer.shipped",
            Kind::TransferReceived => "transfer.received",
            Kind::TransferReexported => "transfer.reexported",
            Kind::ConsentGiven => "consent.given",
        }
    }

    /// Parses a kind name.
    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Whether clients may record this kind (`contract.signed` is the
    /// server's own, section 5).
    pub fn recordable_by_clients(self) -> bool {
        self != Kind::ContractSigned
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A quantity of goods: a finite number > 0 and at most 2^53.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Quantity(f64);

impl Quantity {
    /// Checks and wraps a quantity.
    pub fn new(value: f64) -> Result<Self, String> {
        check_f64(value).map_err(|e| e.to_string())?;
        if value <= 0.0 {
            return Err(format!("quantity {value} is not positive"));
        }
        Ok(Self(value))
    }

    /// The number.
    pub fn get(self) -> f64 {
        self.0
    }
}

/// Writes an `f64` as a JSON integer when it is one, so that stored content
/// reads as the client wrote it (`100`, not `100.0`); RFC 8785 writes both
/// the same way, so leaf bytes do not depend on this.
fn serialize_number<S: serde::Serializer>(value: f64, s: S) -> Result<S::Ok, S::Error> {
    if value.fract() == 0.0 && value.abs() <= crate::canonical::MAX_EXACT {
        // Exact: |value| <= 2^53 and integral.
        #[allow(clippy::cast_possible_truncation)]
        return s.serialize_i64(value as i64);
    }
    s.serialize_f64(value)
}

impl Serialize for Quantity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_number(self.0, s)
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Quantity::new(f64::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// An amount of money or a committed quantity: finite, >= 0, at most 2^53.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Amount(f64);

impl Amount {
    /// Checks and wraps an amount.
    pub fn new(value: f64) -> Result<Self, String> {
        check_f64(value).map_err(|e| e.to_string())?;
        if value < 0.0 {
            return Err(format!("{value} is negative"));
        }
        Ok(Self(value))
    }

    /// The number.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl Serialize for Amount {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_number(self.0, s)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Amount::new(f64::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

/// A model schedule (model spec section 1): one number for every period, or
/// a table of period labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Schedule {
    /// The same value in every period.
    Constant(Amount),
    /// Values from the given period labels on.
    ByPeriod(BTreeMap<String, Amount>),
}

/// An EUC's re-export clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reexport {
    /// No re-export at all.
    Prohibited,
    /// Re-export needs the origin state's `consent.given`.
    WithConsent,
    /// Re-export allowed (the model's rules still apply).
    Permitted,
}

impl Reexport {
    /// The clause as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Reexport::Prohibited => "prohibited",
            Reexport::WithConsent => "with_consent",
            Reexport::Permitted => "permitted",
        }
    }
}

/// One line of an EUC's goods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Goods {
    /// Product (model id).
    pub product: String,
    /// Quantity certified.
    pub quantity: Quantity,
}

/// `contract.signed`: the contract as signed, with its supplier and buyer
/// organisations. Written by the server only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractSigned {
    /// The contract's opaque id.
    pub contract: String,
    /// The supplier organisation.
    pub supplier_organisation: String,
    /// The organisation owning the buyer actor.
    pub buyer_organisation: String,
    /// The supplier facility (qualified id).
    pub facility: String,
    /// The buying actor.
    pub buyer: String,
    /// The product.
    pub product: String,
    /// The committed quantity schedule.
    pub quantity: Schedule,
    /// Penalty per unit of shortfall per period.
    pub penalty: Amount,
    /// Price per unit.
    pub price: Amount,
}

/// `euc.issued`: an end-user certificate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EucIssued {
    /// Server-assigned EUC id (absent in a request, present as stored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub euc: Option<String>,
    /// The certificate's number, unique per issuer.
    pub number: String,
    /// The exporting actor.
    pub exporter: String,
    /// The exporting organisation.
    pub exporter_organisation: String,
    /// The consignee actor.
    pub consignee: String,
    /// The end-user actor.
    pub end_user: String,
    /// What may be delivered, and how much in total.
    pub goods: Vec<Goods>,
    /// The contract it belongs to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<String>,
    /// The stated end use (free text).
    pub end_use: String,
    /// The re-export clause.
    pub reexport: Reexport,
    /// Date of issue.
    pub issued: Date,
    /// Last date of validity.
    pub expires: Date,
}

/// `transfer.shipped`: a shipment from a facility, creating a lot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferShipped {
    /// Server-assigned lot id (absent in a request, present as stored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lot: Option<String>,
    /// The shipping facility (qualified id).
    pub facility: String,
    /// The consignee actor.
    pub consignee: String,
    /// The product.
    pub product: String,
    /// Quantity shipped.
    pub quantity: Quantity,
    /// Date shipped.
    pub date: Date,
    /// The EUC it ships under.
    pub euc: String,
}

/// `transfer.received`: receipt of (part of) a lot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferReceived {
    /// The lot.
    pub lot: String,
    /// Quantity received.
    pub quantity: Quantity,
    /// Date received.
    pub date: Date,
}

/// `transfer.reexported`: a holder passing on (part of) a lot.
///
/// The spec's answer adds `lot` (the new lot) while the request's `lot` is
/// the source lot; one JSON object cannot hold both, so the stored content
/// names the new lot `new_lot` (docs/spec-readings.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferReexported {
    /// The lot re-exported from.
    pub lot: String,
    /// Server-assigned id of the new lot (absent in a request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_lot: Option<String>,
    /// The receiving actor.
    pub to: String,
    /// Quantity re-exported.
    pub quantity: Quantity,
    /// Date re-exported.
    pub date: Date,
    /// The new EUC it passes under.
    pub euc: String,
}

/// `consent.given`: the origin state's consent to re-export part of a lot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentGiven {
    /// The lot.
    pub lot: String,
    /// The actor it may go to.
    pub to: String,
    /// Quantity consented.
    pub quantity: Quantity,
    /// The new EUC the re-export must pass under.
    pub euc: String,
}

/// The content of an entry, typed by kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    /// `contract.signed`.
    ContractSigned(ContractSigned),
    /// `euc.issued`.
    EucIssued(EucIssued),
    /// `transfer.shipped`.
    TransferShipped(TransferShipped),
    /// `transfer.received`.
    TransferReceived(TransferReceived),
    /// `transfer.reexported`.
    TransferReexported(TransferReexported),
    /// `consent.given`.
    ConsentGiven(ConsentGiven),
}

/// Whether content comes from a client (server-assigned ids absent) or
/// from storage (present).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// A recording request: `euc`/`lot`/`new_lot` ids must be absent.
    Request,
    /// Content as stored: the server-assigned ids are present.
    Stored,
}

/// Content that does not have the spec's shape (422 at the HTTP edge).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContentError {
    /// The content is not a JSON object.
    #[error("content must be an object")]
    NotAnObject,
    /// A key with the value null (optional keys are left out instead).
    #[error("key {0:?} is null; leave optional keys out")]
    Null(String),
    /// A key or value that does not fit the kind's content.
    #[error("{kind} content: {message}")]
    Shape {
        /// The entry kind.
        kind: Kind,
        /// serde's message (names the unknown key, missing field or bad value).
        message: String,
    },
    /// A required text value is empty.
    #[error("key {0:?} is empty")]
    Empty(String),
    /// A server-assigned id sent by the client, or missing in stored content.
    #[error("key {key:?} is assigned by the server: {problem}")]
    AssignedId {
        /// The key.
        key: &'static str,
        /// "must be absent in a request" or "missing in stored content".
        problem: &'static str,
    },
    /// A number the canonical form refuses.
    #[error(transparent)]
    Canonical(#[from] CanonicalError),
}

fn refuse_nulls(value: &Value, path: &str) -> Result<(), ContentError> {
    match value {
        Value::Null => Err(ContentError::Null(path.to_owned())),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| refuse_nulls(v, &format!("{path}/{i}"))),
        Value::Object(map) => map
            .iter()
            .try_for_each(|(k, v)| refuse_nulls(v, &format!("{path}/{k}"))),
        _ => Ok(()),
    }
}

fn typed<T: DeserializeOwned>(kind: Kind, value: &Value) -> Result<T, ContentError> {
    serde_json::from_value(value.clone()).map_err(|e| ContentError::Shape {
        kind,
        message: e.to_string(),
    })
}

fn assigned(key: &'static str, id: &Option<String>, stage: Stage) -> Result<(), ContentError> {
    match (stage, id) {
        (Stage::Request, Some(_)) => Err(ContentError::AssignedId {
            key,
            problem: "must be absent in a request",
        }),
        (Stage::Stored, None) => Err(ContentError::AssignedId {
            key,
            problem: "missing in stored content",
        }),
        (Stage::Stored, Some(id)) if id.is_empty() => Err(ContentError::Empty(key.to_owned())),
        _ => Ok(()),
    }
}

fn non_empty(pairs: &[(&str, &str)]) -> Result<(), ContentError> {
    match pairs.iter().find(|(_, v)| v.is_empty()) {
        Some((k, _)) => Err(ContentError::Empty((*k).to_owned())),
        None => Ok(()),
    }
}

impl Content {
    /// Parses and checks content of `kind` (unknown or null keys refused,
    /// dates `YYYY-MM-DD`, quantities finite and > 0).
    pub fn parse(kind: Kind, value: &Value, stage: Stage) -> Result<Content, ContentError> {
        if !value.is_object() {
            return Err(ContentError::NotAnObject);
        }
        refuse_nulls(value, "")?;
        crate::canonical::check_numbers(value)?;
        let content = match kind {
            Kind::ContractSigned => {
                let c: ContractSigned = typed(kind, value)?;
                non_empty(&[
                    ("contract", &c.contract),
                    ("supplier_organisation", &c.supplier_organisation),
                    ("buyer_organisation", &c.buyer_organisation),
                    ("facility", &c.facility),
                    ("buyer", &c.buyer),
                    ("product", &c.product),
                ])?;
                Content::ContractSigned(c)
            }
            Kind::EucIssued => {
                let c: EucIssued = typed(kind, value)?;
                assigned("euc", &c.euc, stage)?;
                non_empty(&[
                    ("number", &c.number),
                    ("exporter", &c.exporter),
                    ("exporter_organisation", &c.exporter_organisation),
                    ("consignee", &c.consignee),
                    ("end_user", &c.end_user),
                ])?;
                if c.goods.is_empty() {
                    return Err(ContentError::Empty("goods".into()));
                }
                if c.goods.iter().any(|g| g.product.is_empty()) {
                    return Err(ContentError::Empty("goods/product".into()));
                }
                if c.contract.as_deref() == Some("") {
                    return Err(ContentError::Empty("contract".into()));
                }
                Content::EucIssued(c)
            }
            Kind::TransferShipped => {
                let c: TransferShipped = typed(kind, value)?;
                assigned("lot", &c.lot, stage)?;
                non_empty(&[
                    ("facility", &c.facility),
                    ("consignee", &c.consignee),
                    ("product", &c.product),
                    ("euc", &c.euc),
                ])?;
                Content::TransferShipped(c)
            }
            Kind::TransferReceived => {
                let c: TransferReceived = typed(kind, value)?;
                non_empty(&[("lot", &c.lot)])?;
                Content::TransferReceived(c)
            }
            Kind::TransferReexported => {
                let c: TransferReexported = typed(kind, value)?;
                assigned("new_lot", &c.new_lot, stage)?;
                non_empty(&[("lot", &c.lot), ("to", &c.to), ("euc", &c.euc)])?;
                Content::TransferReexported(c)
            }
            Kind::ConsentGiven => {
                let c: ConsentGiven = typed(kind, value)?;
                non_empty(&[("lot", &c.lot), ("to", &c.to), ("euc", &c.euc)])?;
                Content::ConsentGiven(c)
            }
        };
        Ok(content)
    }

    /// The entry kind of this content.
    pub fn kind(&self) -> Kind {
        match self {
            Content::ContractSigned(_) => Kind::ContractSigned,
            Content::EucIssued(_) => Kind::EucIssued,
            Content::TransferShipped(_) => Kind::TransferShipped,
            Content::TransferReceived(_) => Kind::TransferReceived,
            Content::TransferReexported(_) => Kind::TransferReexported,
            Content::ConsentGiven(_) => Kind::ConsentGiven,
        }
    }

    /// Fills the server-assigned ids (`euc`, `lot`, `new_lot`) with fresh
    /// opaque random ids; returns them as (key of the answer, id) pairs.
    /// The answer key of a re-export's new lot is `lot` (section 5).
    pub fn assign_ids(&mut self) -> Result<Vec<(&'static str, String)>, getrandom::Error> {
        let mut ids = Vec::new();
        match self {
            Content::EucIssued(c) => {
                let id = new_id()?;
                c.euc = Some(id.clone());
                ids.push(("euc", id));
            }
            Content::TransferShipped(c) => {
                let id = new_id()?;
                c.lot = Some(id.clone());
                ids.push(("lot", id));
            }
            Content::TransferReexported(c) => {
                let id = new_id()?;
                c.new_lot = Some(id.clone());
                ids.push(("lot", id));
            }
            Content::ContractSigned(_)
            | Content::TransferReceived(_)
            | Content::ConsentGiven(_) => {}
        }
        Ok(ids)
    }

    /// The content as a JSON value (optional keys absent).
    pub fn to_value(&self) -> Value {
        let value = match self {
            Content::ContractSigned(c) => serde_json::to_value(c),
            Content::EucIssued(c) => serde_json::to_value(c),
            Content::TransferShipped(c) => serde_json::to_value(c),
            Content::TransferReceived(c) => serde_json::to_value(c),
            Content::TransferReexported(c) => serde_json::to_value(c),
            Content::ConsentGiven(c) => serde_json::to_value(c),
        };
        // These structs hold only strings, checked numbers, lists and maps
        // with string keys: serialisation to a Value cannot fail.
        value.unwrap_or(Value::Null)
    }
}

/// A new opaque id: 16 random bytes (128 bits) as 32 hex digits.
pub fn new_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(to_hex(&bytes))
}

/// A new salt: 32 random bytes as 64 hex digits.
pub fn new_salt() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(to_hex(&bytes))
}

/// The leaf object of an entry: exactly the keys `content`, `kind`,
/// `organisation`, `round`, `salt`, `time`, `user` (section 5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Leaf {
    /// The content as stored.
    pub content: Value,
    /// The entry kind.
    pub kind: Kind,
    /// The recording organisation.
    pub organisation: String,
    /// The round, or null.
    pub round: Option<String>,
    /// 32 random bytes, lowercase hex.
    pub salt: String,
    /// UTC time of recording.
    pub time: Timestamp,
    /// The recording user.
    pub user: String,
}

/// A leaf that cannot be hashed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeafError {
    /// The salt is not 64 lowercase hex digits.
    #[error("salt must be 32 bytes of lowercase hex")]
    Salt,
    /// A number the canonical form refuses.
    #[error(transparent)]
    Canonical(#[from] CanonicalError),
}

impl Leaf {
    /// A leaf for new content, with a fresh salt.
    pub fn new(
        content: &Content,
        organisation: &str,
        user: &str,
        round: Option<&str>,
        time: Timestamp,
    ) -> Result<Leaf, getrandom::Error> {
        Ok(Leaf {
            content: content.to_value(),
            kind: content.kind(),
            organisation: organisation.to_owned(),
            round: round.map(str::to_owned),
            salt: new_salt()?,
            time,
            user: user.to_owned(),
        })
    }

    /// The leaf object as a JSON value.
    pub fn to_value(&self) -> Value {
        let mut map = Map::new();
        map.insert("content".into(), self.content.clone());
        map.insert("kind".into(), Value::String(self.kind.as_str().into()));
        map.insert(
            "organisation".into(),
            Value::String(self.organisation.clone()),
        );
        map.insert(
            "round".into(),
            self.round.clone().map_or(Value::Null, Value::String),
        );
        map.insert("salt".into(), Value::String(self.salt.clone()));
        map.insert("time".into(), Value::String(self.time.as_str().into()));
        map.insert("user".into(), Value::String(self.user.clone()));
        Value::Object(map)
    }

    /// The leaf bytes: RFC 8785 canonical JSON of the leaf object.
    pub fn bytes(&self) -> Result<Vec<u8>, LeafError> {
        if !is_lower_hex(&self.salt, 32) {
            return Err(LeafError::Salt);
        }
        Ok(to_canonical_bytes(&self.to_value())?)
    }

    /// The leaf hash: SHA-256(0x00 || leaf bytes).
    pub fn hash(&self) -> Result<Hash, LeafError> {
        Ok(Hash::leaf(&self.bytes()?))
    }
}

/// An entry in its full form (section 5), as its readers get it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FullEntry {
    /// Position in the log.
    pub index: u64,
    /// Time of recording.
    pub time: Timestamp,
    /// The kind.
    pub kind: Kind,
    /// The recording organisation.
    pub organisation: String,
    /// The recording user.
    pub user: String,
    /// The round, or null.
    pub round: Option<String>,
    /// The content as stored.
    pub content: Value,
    /// The salt.
    pub salt: String,
    /// The leaf hash.
    pub leaf_hash: Hash,
}

/// An entry in its public form: what anyone may read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicEntry {
    /// Position in the log.
    pub index: u64,
    /// Time of recording.
    pub time: Timestamp,
    /// The leaf hash.
    pub leaf_hash: Hash,
}

impl FullEntry {
    /// The full form of the entry at `index` with `leaf`.
    pub fn new(index: u64, leaf: &Leaf) -> Result<FullEntry, LeafError> {
        Ok(FullEntry {
            index,
            time: leaf.time.clone(),
            kind: leaf.kind,
            organisation: leaf.organisation.clone(),
            user: leaf.user.clone(),
            round: leaf.round.clone(),
            content: leaf.content.clone(),
            salt: leaf.salt.clone(),
            leaf_hash: leaf.hash()?,
        })
    }

    /// The leaf this entry claims to be.
    pub fn leaf(&self) -> Leaf {
        Leaf {
            content: self.content.clone(),
            kind: self.kind,
            organisation: self.organisation.clone(),
            round: self.round.clone(),
            salt: self.salt.clone(),
            time: self.time.clone(),
            user: self.user.clone(),
        }
    }

    /// The public form of this entry.
    pub fn public(&self) -> PublicEntry {
        PublicEntry {
            index: self.index,
            time: self.time.clone(),
            leaf_hash: self.leaf_hash,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn shipped() -> Value {
        json!({"facility": "srb-arms:plant", "consignee": "CZE", "product": "mortar-120",
               "quantity": 5000, "date": "2026-03-02", "euc": "e1"})
    }

    #[test]
    fn content_keys_are_exactly_the_spec_ones() {
        let c = Content::parse(Kind::TransferShipped, &shipped(), Stage::Request).expect("valid");
        assert_eq!(c.kind(), Kind::TransferShipped);
        let mut extra = shipped();
        extra["colour"] = json!("red");
        let err =
            Content::parse(Kind::TransferShipped, &extra, Stage::Request).expect_err("unknown");
        assert!(err.to_string().contains("colour"), "{err}");
        let mut missing = shipped();
        missing.as_object_mut().map(|m| m.remove("euc"));
        let err =
            Content::parse(Kind::TransferShipped, &missing, Stage::Request).expect_err("missing");
        assert!(err.to_string().contains("euc"), "{err}");
    }

    #[test]
    fn null_keys_bad_dates_and_quantities_are_refused() {
        let euc = json!({"number": "CZ-1", "exporter": "SRB", "exporter_organisation": "srb-arms",
            "consignee": "CZE", "end_user": "CZE", "goods": [{"product": "mortar-120", "quantity": 10}],
            "end_use": "army", "reexport": "permitted", "issued": "2026-01-01", "expires": "2026-12-31"});
        assert!(Content::parse(Kind::EucIssued, &euc, Stage::Request).is_ok());
        let mut with_null = euc.clone();
        with_null["contract"] = Value::Null;
        assert_eq!(
            Content::parse(Kind::EucIssued, &with_null, Stage::Request),
            Err(ContentError::Null("/contract".into()))
        );
        let mut bad_date = euc.clone();
        bad_date["expires"] = json!("2026-02-30");
        assert!(Content::parse(Kind::EucIssued, &bad_date, Stage::Request).is_err());
        let mut bad_clause = euc.clone();
        bad_clause["reexport"] = json!("sometimes");
        assert!(Content::parse(Kind::EucIssued, &bad_clause, Stage::Request).is_err());
        for q in [json!(0), json!(-5), json!("10"), json!(-0.0)] {
            let mut bad = shipped();
            bad["quantity"] = q.clone();
            assert!(
                Content::parse(Kind::TransferShipped, &bad, Stage::Request).is_err(),
                "{q}"
            );
        }
        assert_eq!(
            Content::parse(Kind::TransferShipped, &json!([1]), Stage::Request),
            Err(ContentError::NotAnObject)
        );
    }

    #[test]
    fn server_assigned_ids_are_absent_in_requests_and_present_when_stored() {
        let mut with_lot = shipped();
        with_lot["lot"] = json!("abc");
        assert!(matches!(
            Content::parse(Kind::TransferShipped, &with_lot, Stage::Request),
            Err(ContentError::AssignedId { key: "lot", .. })
        ));
        assert!(Content::parse(Kind::TransferShipped, &with_lot, Stage::Stored).is_ok());
        assert!(Content::parse(Kind::TransferShipped, &shipped(), Stage::Stored).is_err());
        let mut c =
            Content::parse(Kind::TransferShipped, &shipped(), Stage::Request).expect("valid");
        let ids = c.assign_ids().expect("random");
        assert_eq!(ids.len(), 1);
        assert_eq!(ids[0].0, "lot");
        assert!(is_lower_hex(&ids[0].1, 16));
        let stored = c.to_value();
        assert_eq!(stored["lot"], json!(ids[0].1));
        // Integral quantities stay integers in stored content.
        assert_eq!(stored["quantity"].to_string(), "5000");
        assert_eq!(
            Content::parse(Kind::TransferShipped, &stored, Stage::Stored),
            Ok(c)
        );
    }

    #[test]
    fn leaf_bytes_are_canonical_json_of_exactly_seven_keys() {
        let content =
            Content::parse(Kind::TransferShipped, &shipped(), Stage::Request).expect("valid");
        let time = Timestamp::parse("2026-03-02T08:00:00.000Z").expect("time");
        let mut leaf = Leaf::new(&content, "srb-arms", "ana", None, time).expect("random");
        leaf.salt = "ab".repeat(32);
        let text = String::from_utf8(leaf.bytes().expect("bytes")).expect("utf-8");
        assert_eq!(
            text,
            format!(
                "{{\"content\":{{\"consignee\":\"CZE\",\"date\":\"2026-03-02\",\"euc\":\"e1\",\
                 \"facility\":\"srb-arms:plant\",\"product\":\"mortar-120\",\"quantity\":5000}},\
                 \"kind\":\"transfer.shipped\",\"organisation\":\"srb-arms\",\"round\":null,\
                 \"salt\":\"{}\",\"time\":\"2026-03-02T08:00:00.000Z\",\"user\":\"ana\"}}",
                "ab".repeat(32)
            )
        );
        let mut prefixed = vec![0u8];
        prefixed.extend_from_slice(text.as_bytes());
        use sha2::Digest;
        let expected: [u8; 32] = sha2::Sha256::digest(&prefixed).into();
        assert_eq!(leaf.hash(), Ok(Hash(expected)));
        leaf.salt = "AB".repeat(32);
        assert_eq!(leaf.hash(), Err(LeafError::Salt));
    }

    #[test]
    fn kinds_round_trip_and_contract_signed_is_server_only() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
            assert_eq!(serde_json::to_value(kind).ok(), Some(json!(kind.as_str())));
        }
        assert!(!Kind::ContractSigned.recordable_by_clients());
        assert!(Kind::EucIssued.recordable_by_clients());
    }
}
