//! The reference part of a round (spec section 2): `[scenario]` without
//! `extends`, actors, products and routes, owned by the round's coordinator.

use toml::{Table, Value};

use crate::error::{Document, PlatformError};
use crate::media::{self, MediaType};

/// The tables a reference part holds.
pub(crate) const REFERENCE_TABLES: &[&str] = &["scenario", "actor", "product", "route"];

/// Every top-level table of the model (a name outside this list is left
/// to the loader, which reports it as unknown with a suggestion).
pub(crate) const MODEL_TABLES: &[&str] = &[
    "scenario",
    "actor",
    "product",
    "facility",
    "route",
    "demand",
    "contract",
    "policy",
    "uncertainty",
    "remove",
];

/// A checked reference part: parsed, holding only what a reference part
/// may hold, and valid on its own as a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferencePart {
    text: String,
    media: MediaType,
    pub(crate) table: Table,
    actors: Vec<String>,
    blocs: Vec<String>,
}

impl ReferencePart {
    /// Parses and checks a reference part. A table other than `[scenario]`,
    /// `[[actor]]`, `[[product]]` and `[[route]]`, or an `extends`, is
    /// refused as `not_owned`; a part that is not a valid scenario on its
    /// own is `invalid_scenario`, located in `text`.
    pub fn parse(text: &str, media: MediaType) -> Result<Self, PlatformError> {
        let table = media::parse(text, media, &Document::Reference)?;
        let owner = "the round's coordinator";
        for key in table.keys() {
            if MODEL_TABLES.contains(&key.as_str()) && !REFERENCE_TABLES.contains(&key.as_str()) {
                return Err(PlatformError::NotOwned {
                    organisation: owner.to_owned(),
                    entity: format!("[{key}]"),
                    rule: "a reference part holds only [scenario], [[actor]], [[product]] and [[route]]; \
                           the other tables are contributed by members"
                        .to_owned(),
                });
            }
        }
        crate::assemble::refuse_extends(&table)?;
        let mut actors = Vec::new();
        let mut blocs: Vec<String> = Vec::new();
        if let Some(Value::Array(items)) = table.get("actor") {
            for actor in items.iter().filter_map(Value::as_table) {
                if let Some(id) = actor.get("id").and_then(Value::as_str) {
                    actors.push(id.to_owned());
                }
                if let Some(Value::Array(listed)) = actor.get("blocs") {
                    for bloc in listed.iter().filter_map(Value::as_str) {
                        if !blocs.iter().any(|b| b == bloc) {
                            blocs.push(bloc.to_owned());
                        }
                    }
                }
            }
        }
        let reference = ReferencePart {
            text: text.to_owned(),
            media,
            table,
            actors,
            blocs,
        };
        // Valid on its own: the loader checks every rule of the model on it.
        crate::assemble::assemble(&reference, &[], &[])?;
        Ok(reference)
    }

    /// The actor ids, in file order.
    pub fn actors(&self) -> &[String] {
        &self.actors
    }

    /// The bloc ids (every id listed in some actor's `blocs`), in order of
    /// first mention.
    pub fn blocs(&self) -> &[String] {
        &self.blocs
    }

    /// Whether `id` is an actor of the reference part.
    pub fn has_actor(&self, id: &str) -> bool {
        self.actors.iter().any(|a| a == id)
    }

    /// Whether `id` is a bloc of the reference part.
    pub fn has_bloc(&self, id: &str) -> bool {
        self.blocs.iter().any(|b| b == id)
    }

    /// The text as submitted.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The media type it was submitted in.
    pub fn media(&self) -> MediaType {
        self.media
    }
}
