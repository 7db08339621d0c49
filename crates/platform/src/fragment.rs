//! A member's contribution (spec sections 1-2): only the tables its kind
//! may contribute, only entities it owns, ids qualified by its organisation.

use toml::{Table, Value};

use crate::error::{Document, PlatformError, ScenarioDiagnostic};
use crate::media::{self, line_column, locate, MediaType, Step};
use crate::org::{OrgKind, Organisation};
use crate::reference::MODEL_TABLES;

/// A checked contribution: every table and entity in it is one its
/// organisation may contribute, and the ids of its facilities, expansions,
/// demands and policies are qualified `ORG:X`.
///
/// Whether it is valid *with* the rest of the round is [`crate::assemble`]'s
/// question; a fragment alone is not a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Fragment {
    organisation: String,
    text: String,
    media: MediaType,
    /// The document with qualified ids (same shape as the submitted text,
    /// so a path into it is a path into the text).
    pub(crate) table: Table,
}

impl Fragment {
    /// The contributing organisation's id.
    pub fn organisation(&self) -> &str {
        &self.organisation
    }

    /// The text as submitted (what `GET .../contributions/{org}` returns).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The media type it was submitted in.
    pub fn media(&self) -> MediaType {
        self.media
    }

    /// The qualified ids of the entities of one table (`"facility"`,
    /// `"demand"`, `"policy"`), in document order.
    pub fn ids(&self, table: &str) -> Vec<&str> {
        entities(&self.table, table)
            .filter_map(|e| e.get("id").and_then(Value::as_str))
            .collect()
    }

    /// The qualified ids of the facilities with their actor.
    pub fn facilities(&self) -> Vec<(&str, &str)> {
        entities(&self.table, "facility")
            .filter_map(|e| Some((e.get("id")?.as_str()?, e.get("actor")?.as_str()?)))
            .collect()
    }
}

pub(crate) fn entities<'t>(table: &'t Table, key: &str) -> impl Iterator<Item = &'t Table> {
    table
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_table)
}

/// What a kind may contribute, in words (the rule a `not_owned` names).
fn contribution_rule(org: &Organisation) -> String {
    let actor = org.actor.as_deref().unwrap_or("");
    match org.kind {
        OrgKind::State => format!(
            "a state contributes only [[policy]] scoped to its actor `{actor}` and [[demand]] whose buyer is `{actor}`"
        ),
        OrgKind::Producer => format!(
            "a producer contributes only [[facility]] (with lines, stock and expansions) whose actor is `{actor}`"
        ),
        OrgKind::Coordinator => format!(
            "a coordinator contributes the reference part, [[policy]] scoped to a bloc it speaks for ({}) and [[demand]] whose buyer it buys for ({})",
            list(&org.blocs),
            list(&org.buys_for)
        ),
        OrgKind::Observer => "an observer contributes nothing".to_owned(),
    }
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items
            .iter()
            .map(|i| format!("`{i}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The tables of entities an organisation of `kind` may contribute (spec
/// section 1's table): `facility`, or `policy` and `demand`, or nothing.
pub fn allowed_tables(kind: OrgKind) -> &'static [&'static str] {
    match kind {
        OrgKind::State | OrgKind::Coordinator => &["policy", "demand"],
        OrgKind::Producer => &["facility"],
        OrgKind::Observer => &[],
    }
}

/// Checks a contribution of `org` (spec sections 1-2) and qualifies its
/// ids. Refused as `not_owned` (naming the entity and the rule): a table
/// its kind may not contribute (`[scenario]`, `extends`, `[remove]`,
/// actors, products, routes, contracts and uncertainty never), an entity
/// outside its actor, blocs or buyers, an id with another organisation's
/// prefix. A syntax error, or a table of entities that is not an array of
/// tables, is `invalid_scenario` located in `text`. Every other rule of the
/// model is checked when the round's scenario is assembled.
pub fn check_fragment(
    org: &Organisation,
    text: &str,
    media: MediaType,
) -> Result<Fragment, PlatformError> {
    org.validate()?;
    let document = Document::Contribution {
        organisation: org.id.clone(),
    };
    let mut table = media::parse(text, media, &document)?;
    let rule = || contribution_rule(org);
    let allowed = allowed_tables(org.kind);
    for key in table.keys() {
        if allowed.contains(&key.as_str()) {
            continue;
        }
        if MODEL_TABLES.contains(&key.as_str()) {
            let rule = if ["facility", "policy", "demand"].contains(&key.as_str()) {
                rule()
            } else {
                "[scenario], extends, [remove], actors, products, routes, contracts and uncertainty are never part of a contribution"
                    .to_owned()
            };
            let entity = if matches!(key.as_str(), "scenario" | "remove") {
                format!("[{key}]")
            } else {
                format!("[[{key}]]")
            };
            return Err(PlatformError::not_owned(&org.id, entity, rule));
        }
        // No table of the model at all: reported here, since a contribution
        // is written into the assembled scenario table by table.
        let path = [Step::Key(key.clone())];
        let place = locate(text, media, &path).map(|at| line_column(text, at.start));
        let mut diagnostic = ScenarioDiagnostic::error(
            "unknown-table",
            format!("unknown table `{key}`"),
            document.clone(),
            place,
        );
        let nearest = allowed
            .iter()
            .map(|name| (strsim::levenshtein(key, name), name))
            .min()
            .filter(|(distance, _)| *distance <= 2);
        diagnostic.hint = Some(match nearest {
            Some((_, name)) => format!("did you mean `{name}`?"),
            None => rule(),
        });
        return Err(PlatformError::invalid(diagnostic));
    }
    let not_array = |key: &str, path: &[Step]| {
        let place = locate(text, media, path).map(|at| line_column(text, at.start));
        PlatformError::invalid(ScenarioDiagnostic::error(
            "wrong-type",
            format!("`{key}` must be an array of tables ([[{key}]])"),
            document.clone(),
            place,
        ))
    };
    for key in allowed {
        let Some(value) = table.get_mut(*key) else {
            continue;
        };
        let Value::Array(items) = value else {
            return Err(not_array(key, &[Step::Key((*key).to_owned())]));
        };
        for (index, item) in items.iter_mut().enumerate() {
            let Value::Table(entity) = item else {
                return Err(not_array(
                    key,
                    &[Step::Key((*key).to_owned()), Step::Index(index)],
                ));
            };
            let path = [Step::Key((*key).to_owned()), Step::Index(index)];
            check_entity(org, key, entity, &rule)?;
            qualify(org, key, entity, text, media, &path)?;
            if *key == "facility" {
                if let Some(expansions) = entity.get_mut("expansion") {
                    let Value::Array(expansions) = expansions else {
                        let mut path = path.to_vec();
                        path.push(Step::Key("expansion".to_owned()));
                        return Err(not_array("facility.expansion", &path));
                    };
                    for (e_index, expansion) in expansions.iter_mut().enumerate() {
                        let mut path = path.to_vec();
                        path.extend([Step::Key("expansion".to_owned()), Step::Index(e_index)]);
                        let Value::Table(expansion) = expansion else {
                            return Err(not_array("facility.expansion", &path));
                        };
                        qualify(org, "expansion", expansion, text, media, &path)?;
                    }
                }
            }
        }
    }
    Ok(Fragment {
        organisation: org.id.clone(),
        text: text.to_owned(),
        media,
        table,
    })
}

/// The ownership rule of one entity: a facility's actor, a policy's scope,
/// a demand's buyer. An absent or mistyped field is left to the loader.
fn check_entity(
    org: &Organisation,
    key: &str,
    entity: &Table,
    rule: &dyn Fn() -> String,
) -> Result<(), PlatformError> {
    let field = match key {
        "facility" => "actor",
        "policy" => "scope",
        _ => "buyer",
    };
    let Some(value) = entity.get(field).and_then(Value::as_str) else {
        return Ok(());
    };
    let owned = match (org.kind, key) {
        (OrgKind::Producer, "facility") => org.actor.as_deref() == Some(value),
        (OrgKind::State, _) => org.actor.as_deref() == Some(value),
        (OrgKind::Coordinator, "policy") => org.blocs.iter().any(|b| b == value),
        (OrgKind::Coordinator, _) => org.buys_for.iter().any(|a| a == value),
        _ => false,
    };
    if owned {
        return Ok(());
    }
    let id = entity.get("id").and_then(Value::as_str).unwrap_or("");
    Err(PlatformError::not_owned(
        &org.id,
        format!("{key} \"{id}\" ({field} `{value}`)"),
        rule(),
    ))
}

/// Qualifies an entity's id in place: `X` and `ORG:X` become `ORG:X`;
/// another prefix is not owned. A missing or mistyped id is left to the loader.
fn qualify(
    org: &Organisation,
    key: &str,
    entity: &mut Table,
    text: &str,
    media: MediaType,
    path: &[Step],
) -> Result<(), PlatformError> {
    let Some(Value::String(id)) = entity.get("id") else {
        return Ok(());
    };
    let local = match id.split_once(':') {
        None => id.as_str(),
        Some((prefix, local)) if prefix == org.id => local,
        Some(_) => {
            return Err(PlatformError::not_owned(
                &org.id,
                format!("{key} \"{id}\""),
                format!(
                    "ids are qualified by their owner: `{}` writes `X` or `{}:X`, never another organisation's prefix",
                    org.id, org.id
                ),
            ))
        }
    };
    if local.is_empty() || local.contains(':') {
        let mut path = path.to_vec();
        path.push(Step::Key("id".to_owned()));
        let place = locate(text, media, &path).map(|at| line_column(text, at.start));
        let mut diagnostic = ScenarioDiagnostic::error(
            "invalid-id",
            format!(
                "id `{id}` must be `X` or `{}:X` with a non-empty X without `:`",
                org.id
            ),
            Document::Contribution {
                organisation: org.id.clone(),
            },
            place,
        );
        diagnostic.entity = Some(format!("{key} \"{id}\""));
        return Err(PlatformError::invalid(diagnostic));
    }
    let qualified = format!("{}:{local}", org.id);
    entity.insert("id".to_owned(), Value::String(qualified));
    Ok(())
}
