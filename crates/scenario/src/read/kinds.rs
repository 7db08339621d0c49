//! How each kind of field is read: one type per kind, naming the Rust type
//! of its value and the [`FieldKind`] the schema shows. The tables of
//! `schema.rs` name one of these for every field.

use crate::raw::{
    DistributionName, Field, RawLineProduct, RawTargets, Schedule as Steps, Sp, UncertaintyKindName,
};
use crate::schema::{FieldKind, LINE_PRODUCT};
use crate::tree::Entry;
use caisson_model::PeriodKind;

use super::{is_valid_id, Reader, RESERVED};

/// The allowed range of a number.
#[derive(Clone, Copy)]
pub(crate) enum Range {
    /// `>= 0`.
    NonNegative,
    /// `> 0`.
    Positive,
    /// `>= 0` and `<= 1` (a probability).
    UnitInterval,
}

impl Range {
    pub(super) fn contains(self, value: f64) -> bool {
        match self {
            Range::NonNegative => value >= 0.0,
            Range::Positive => value > 0.0,
            Range::UnitInterval => (0.0..=1.0).contains(&value),
        }
    }
}

/// Reads one kind of field.
pub(crate) trait ReadField {
    /// The value of a well-formed field.
    type Out;
    /// What the schema shows.
    const KIND: FieldKind;
    /// Reads `entry`, recording its problems; `entity` names the entity.
    fn read(&self, reader: &mut Reader, entry: &Entry, entity: &str) -> Field<Self::Out>;
}

macro_rules! kind {
    ($(#[$meta:meta])* $name:ident $(($($arg:ty),*))?: $out:ty = $kind:expr,
        |$this:ident, $reader:ident, $entry:ident, $entity:ident| $read:expr) => {
        $(#[$meta])*
        pub(crate) struct $name $(($(pub $arg),*))?;

        impl ReadField for $name {
            type Out = $out;
            const KIND: FieldKind = $kind;
            #[allow(unused_variables)]
            fn read(&self, $reader: &mut Reader, $entry: &Entry, $entity: &str) -> Field<$out> {
                let $this = self;
                $read
            }
        }
    };
}

kind!(
    /// Free text.
    Text: String = FieldKind::Text,
    |this, r, entry, entity| r.string(entry, entity)
);
kind!(
    /// The entity's own id (id syntax).
    Id: String = FieldKind::Id,
    |this, r, entry, entity| r.id(entry, entity)
);
kind!(
    /// The id of another entity; resolved on the merged scenario.
    Reference: String = FieldKind::Reference,
    |this, r, entry, entity| r.string(entry, entity)
);
kind!(
    /// A period label; parsed on the merged scenario, which knows the
    /// period kind.
    Label: String = FieldKind::Label,
    |this, r, entry, entity| r.string(entry, entity)
);
kind!(
    /// A finite number within the range.
    Number(Range): f64 = FieldKind::Number,
    |this, r, entry, entity| r.number(entry, this.0, entity)
);
kind!(
    /// A whole number that fits in u32 (lead times).
    Integer: u32 = FieldKind::Integer,
    |this, r, entry, entity| r.integer(entry, entity)
);
kind!(
    /// A whole number between the two bounds (`periods`).
    Count(u32, u32): u32 = FieldKind::Integer,
    |this, r, entry, entity| r.count(entry, this.0, this.1, entity)
);
kind!(
    /// `true` or `false`.
    Bool: bool = FieldKind::Bool,
    |this, r, entry, entity| r.boolean(entry, entity)
);
kind!(
    /// An id that may name a party in a policy, so not a reserved selector
    /// word; the argument says what it is in messages ("an actor id").
    PartyId(&'static str): String = FieldKind::Id,
    |this, r, entry, entity| r.party_id(entry, this.0, entity)
);
kind!(
    /// A list of [`PartyId`]s (an actor's `blocs`).
    PartyIds(&'static str): Vec<Sp<String>> = FieldKind::List,
    |this, r, entry, entity| r.party_ids(entry, this.0, entity)
);
kind!(
    /// A list of strings (selectors, or ids to remove), checked later.
    List: Vec<Sp<String>> = FieldKind::List,
    |this, r, entry, entity| r.string_list(entry, false, entity)
);
kind!(
    /// A list of ids, each with id syntax (an assumption's targets).
    IdList: Vec<Sp<String>> = FieldKind::List,
    |this, r, entry, entity| r.string_list(entry, true, entity)
);
kind!(
    /// A schedule: a number, or a table of label = number.
    Schedule: Steps = FieldKind::Schedule,
    |this, r, entry, entity| r.schedule(entry, entity)
);
kind!(
    /// A table of id = number within the range (`inputs`, `stock`).
    Quantities(Range): Vec<(Sp<String>, f64)> = FieldKind::Quantities,
    |this, r, entry, entity| r.quantities(entry, this.0, entity)
);
kind!(
    /// A line's `products`.
    LineProducts: Vec<RawLineProduct> = FieldKind::Table(&LINE_PRODUCT),
    |this, r, entry, entity| r.line_products(entry, entity)
);
kind!(
    /// `[scenario] period`.
    PeriodName: PeriodKind = FieldKind::Choice(&["month", "quarter", "year"]),
    |this, r, entry, entity| r.period(entry, entity)
);
kind!(
    /// The `kind` of an uncertainty entry.
    KindField: UncertaintyKindName = FieldKind::Choice(&UncertaintyKindName::NAMES),
    |this, r, entry, entity| r.choice(entry, &UncertaintyKindName::ALL, entity)
);
kind!(
    /// The `distribution` of an uncertainty entry.
    DistributionField: DistributionName = FieldKind::Choice(&DistributionName::NAMES),
    |this, r, entry, entity| r.choice(entry, &DistributionName::ALL, entity)
);
kind!(
    /// `"*"` or a list of ids.
    Targets: RawTargets = FieldKind::Targets,
    |this, r, entry, entity| r.targets(entry, entity)
);
kind!(
    /// A whole number of periods or a range `[min, max]`, each at least
    /// the argument.
    PeriodRange(u32): (u32, u32) = FieldKind::PeriodRange,
    |this, r, entry, entity| r.period_range(entry, this.0, entity)
);

impl Reader<'_> {
    /// An id that is not a reserved word. Reserved words are checked
    /// first: "*" is also bad id syntax, but "reserved" says more.
    fn party_id(&mut self, entry: &Entry, role: &str, entity: &str) -> Field<String> {
        let field = self.string(entry, entity);
        if let Field::Valid(sp) = &field {
            if RESERVED.contains(&sp.value.as_str()) {
                self.reserved(&sp.value, sp.at, entity, role);
                return Field::Invalid;
            } else if !is_valid_id(&sp.value) {
                self.invalid_id(&sp.value, entry.node.span, entity);
                return Field::Invalid;
            }
        }
        field
    }

    /// A list of ids that are not reserved words.
    fn party_ids(&mut self, entry: &Entry, role: &str, entity: &str) -> Field<Vec<Sp<String>>> {
        let field = self.string_list(entry, false, entity);
        if let Field::Valid(sp) = &field {
            let mut ok = true;
            for id in &sp.value {
                if RESERVED.contains(&id.value.as_str()) {
                    self.reserved(&id.value, id.at, entity, role);
                    ok = false;
                } else if !is_valid_id(&id.value) {
                    self.invalid_id(&id.value, id.at.span, entity);
                    ok = false;
                }
            }
            if !ok {
                return Field::Invalid;
            }
        }
        field
    }
}
