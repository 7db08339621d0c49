//! The kinds of field of `[[uncertainty]]` entries (an extension of the
//! spec, see `docs/uncertainty.md`; its fields are in `schema.rs`). Only
//! what one file shows is checked here: types, ranges and names; which
//! fields fit which `kind` is checked on the merged scenario, since a
//! variant may replace an entry whole.

use super::Reader;
use crate::diagnostic::{nearest, Code, Problem};
use crate::raw::{Field, RawTargets, Sp};
use crate::tree::{Entry, Value};

impl Reader<'_> {
    /// A string that must be one of `choices`.
    pub(super) fn choice<T: Copy>(
        &mut self,
        entry: &Entry,
        choices: &[(&str, T)],
        entity: &str,
    ) -> Field<T> {
        let Field::Valid(sp) = self.string(entry, entity) else {
            return Field::Invalid;
        };
        if let Some(&(_, value)) = choices.iter().find(|(name, _)| *name == sp.value) {
            return Field::Valid(Sp { value, at: sp.at });
        }
        let names: Vec<String> = choices.iter().map(|(n, _)| format!("\"{n}\"")).collect();
        let hint = match nearest(&sp.value, choices.iter().map(|(n, _)| *n)) {
            Some(near) => format!("did you mean \"{near}\"?"),
            None => format!("use one of {}", names.join(", ")),
        };
        self.push(
            Problem::error(
                Code::UnknownKind,
                sp.at,
                format!(
                    "`{}` must be one of {}, found \"{}\"",
                    entry.key,
                    names.join(", "),
                    sp.value
                ),
            )
            .entity(entity)
            .hint(hint),
        );
        Field::Invalid
    }

    /// `"*"` or a list of ids.
    pub(super) fn targets(&mut self, entry: &Entry, entity: &str) -> Field<RawTargets> {
        if let Value::String(s) = &entry.node.value {
            if s == "*" {
                return Field::Valid(Sp {
                    value: RawTargets::All,
                    at: self.loc(entry.node.span),
                });
            }
            self.wrong_type(&entry.node, &entry.key, "\"*\" or a list of ids", entity);
            return Field::Invalid;
        }
        match self.string_list(entry, true, entity) {
            Field::Valid(sp) => Field::Valid(Sp {
                value: RawTargets::Only(sp.value),
                at: sp.at,
            }),
            Field::Invalid => Field::Invalid,
            Field::Missing => Field::Missing,
        }
    }

    /// A whole number of periods `n` or an inclusive range `[min, max]`,
    /// each at least `least`.
    pub(super) fn period_range(
        &mut self,
        entry: &Entry,
        least: u32,
        entity: &str,
    ) -> Field<(u32, u32)> {
        let at = self.loc(entry.node.span);
        let (lo, hi) = match &entry.node.value {
            Value::Number { .. } => match self.integer(entry, entity) {
                Field::Valid(sp) => (sp.value, sp.value),
                _ => return Field::Invalid,
            },
            Value::Array(array) if array.items.len() == 2 => {
                let items = &array.items;
                let mut bounds = [0u32; 2];
                for (slot, item) in bounds.iter_mut().zip(items) {
                    let bound = Entry {
                        key: entry.key.clone(),
                        key_span: entry.key_span,
                        node: item.clone(),
                    };
                    match self.integer(&bound, entity) {
                        Field::Valid(sp) => *slot = sp.value,
                        _ => return Field::Invalid,
                    }
                }
                (bounds[0], bounds[1])
            }
            _ => {
                self.wrong_type(
                    &entry.node,
                    &entry.key,
                    "an integer or a list [min, max] of two integers",
                    entity,
                );
                return Field::Invalid;
            }
        };
        if lo < least {
            self.error(
                Code::OutOfRange,
                entry.node.span,
                entity,
                format!(
                    "`{}` must be at least {least} period, found {lo}",
                    entry.key
                ),
            );
            return Field::Invalid;
        }
        if lo > hi {
            self.push(
                Problem::error(
                    Code::RangeOrder,
                    at,
                    format!(
                        "`{}`: the minimum ({lo}) is greater than the maximum ({hi})",
                        entry.key
                    ),
                )
                .entity(entity)
                .hint("write [min, max] with min <= max"),
            );
            return Field::Invalid;
        }
        Field::Valid(Sp {
            value: (lo, hi),
            at,
        })
    }
}
