//! The assembled scenario of a round (spec section 2): the reference part,
//! the members' latest contributions in byte order of organisation id,
//! the signed contracts in byte order of contract id, validated by the
//! model's loader, with its diagnostics located in the submitted documents.

use caisson_model::Scenario;
use caisson_scenario::{Diagnostic, Format, Severity};
use toml::{Table, Value};

use crate::contract::SignedContract;
use crate::error::{Document, PlatformError, ScenarioDiagnostic};
use crate::fragment::Fragment;
use crate::media::{self, line_column, locate, MediaType, Origin, Step, Writer};
use crate::org::{OrgKind, Organisation};
use crate::reference::ReferencePart;

/// The display name of the assembled text in the loader's diagnostics
/// (rewritten to the submitted documents before anyone sees them).
const ASSEMBLED_NAME: &str = "assembled.toml";

/// The entity tables of contributions, in the order they are written
/// (within a kind, members in byte order of organisation id).
const CONTRIBUTED_TABLES: &[&str] = &["facility", "demand", "policy"];

/// A round's assembled scenario.
#[derive(Debug, Clone)]
pub struct Assembled {
    /// The validated scenario (ids qualified `ORG:X`).
    pub scenario: Scenario,
    /// The exact assembled text (TOML) that loads to `scenario`: what a run freezes.
    pub toml: String,
    /// The loader's warnings, located like errors.
    pub warnings: Vec<ScenarioDiagnostic>,
    /// `toml` parsed, for the views of it.
    pub(crate) table: Table,
}

impl Assembled {
    /// Loads a frozen assembled text again (a run's scenario). A text with
    /// `extends` is refused before the loader sees it: the platform never
    /// reads a file, whatever text it is given.
    pub fn from_frozen(text: &str) -> Result<Self, PlatformError> {
        let table = media::parse(text, MediaType::Toml, &Document::Assembled)?;
        refuse_extends(&table)?;
        match caisson_scenario::load_source(text, ASSEMBLED_NAME, Format::Toml) {
            Ok(loaded) => Ok(Assembled {
                scenario: loaded.scenario,
                toml: text.to_owned(),
                warnings: Vec::new(),
                table,
            }),
            Err(error) => Err(PlatformError::InvalidScenario {
                diagnostics: error
                    .diagnostics()
                    .iter()
                    .map(|d| {
                        let mut diagnostic = ScenarioDiagnostic::error(
                            d.code.as_str(),
                            d.message.clone(),
                            Document::Assembled,
                            d.line.zip(d.column),
                        );
                        diagnostic.entity = d.entity.clone();
                        diagnostic
                    })
                    .collect(),
            }),
        }
    }
}

/// Refuses a document whose `[scenario]` has `extends`: the only key that
/// would make the loader open a path.
pub(crate) fn refuse_extends(table: &Table) -> Result<(), PlatformError> {
    match table.get("scenario") {
        Some(Value::Table(header)) if header.contains_key("extends") => Err(PlatformError::not_owned(
            "the round's coordinator",
            "[scenario] extends",
            "a round's scenario never extends another file: the platform never reads a file named by a client",
        )),
        _ => Ok(()),
    }
}

/// Assembles and validates a round's scenario. `members` pairs each member
/// with its latest contribution (`None`: nothing contributed yet), in any
/// order; `contracts` are the signed contracts, in any order. The
/// assembled text never holds `extends` (a reference part cannot), so the
/// loader never opens a file.
///
/// Errors: `invalid_member` when a fragment is paired with another
/// organisation; `invalid_contract` when a contract's facility is not its
/// supplier's or its supplier is no producer member; `invalid_scenario`
/// with every diagnostic of the model located in the document (reference,
/// contribution or contract) that wrote the part it is about. These
/// diagnostics are complete: answer a member with
/// [`crate::visibility::assemble_as`], which hides what the member may not see.
pub fn assemble(
    reference: &ReferencePart,
    members: &[(&Organisation, Option<&Fragment>)],
    contracts: &[SignedContract],
) -> Result<Assembled, PlatformError> {
    // Unreachable through `ReferencePart::parse`; kept so that no future
    // constructor can make the loader follow a client's path.
    refuse_extends(&reference.table)?;
    for (org, fragment) in members {
        if let Some(fragment) = fragment {
            if fragment.organisation() != org.id {
                return Err(PlatformError::InvalidMember(format!(
                    "the contribution of `{}` was given for member `{}`",
                    fragment.organisation(),
                    org.id
                )));
            }
        }
    }
    for contract in contracts {
        let supplier_is_producer = members
            .iter()
            .any(|(org, _)| org.id == contract.supplier && org.kind == OrgKind::Producer);
        if !supplier_is_producer {
            return Err(PlatformError::InvalidContract(format!(
                "contract `{}`: supplier `{}` is not a producer member of the round",
                contract.id, contract.supplier
            )));
        }
        if !contract.facility_is_suppliers() {
            return Err(PlatformError::InvalidContract(format!(
                "contract `{}`: facility `{}` is not a facility of its supplier `{}`",
                contract.id, contract.facility, contract.supplier
            )));
        }
    }
    let mut ordered: Vec<&(&Organisation, Option<&Fragment>)> = members.iter().collect();
    ordered.sort_by(|a, b| a.0.id.as_bytes().cmp(b.0.id.as_bytes()));
    let mut signed: Vec<&SignedContract> = contracts.iter().collect();
    signed.sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));

    let mut writer = Writer::default();
    writer.document(&reference.table, &Document::Reference, &mut Vec::new());
    for table in CONTRIBUTED_TABLES {
        for (org, fragment) in &ordered {
            let Some(fragment) = fragment else { continue };
            if let Some(Value::Array(items)) = fragment.table.get(*table) {
                let document = Document::Contribution {
                    organisation: org.id.clone(),
                };
                writer.entities(
                    table,
                    items,
                    &document,
                    &mut vec![Step::Key((*table).to_owned())],
                );
            }
        }
    }
    for contract in &signed {
        let document = Document::Contract {
            id: contract.id.clone(),
        };
        writer.entity("contract", &contract.to_table(), &document, &mut Vec::new());
    }

    let locator = Locator {
        reference,
        members,
        contracts,
        lines: &writer.lines,
    };
    match caisson_scenario::load_source(&writer.out, ASSEMBLED_NAME, Format::Toml) {
        Ok(loaded) => Ok(Assembled {
            scenario: loaded.scenario,
            warnings: loaded
                .warnings
                .iter()
                .map(|d| locator.relocate(d))
                .collect(),
            table: media::parse(&writer.out, MediaType::Toml, &Document::Assembled)?,
            toml: writer.out,
        }),
        Err(error) => Err(PlatformError::InvalidScenario {
            diagnostics: error
                .diagnostics()
                .iter()
                .map(|d| locator.relocate(d))
                .collect(),
        }),
    }
}

/// Maps the loader's diagnostics on the assembled text back to the
/// documents of the round.
struct Locator<'a> {
    reference: &'a ReferencePart,
    members: &'a [(&'a Organisation, Option<&'a Fragment>)],
    contracts: &'a [SignedContract],
    lines: &'a [Origin],
}

impl Locator<'_> {
    fn relocate(&self, diagnostic: &Diagnostic) -> ScenarioDiagnostic {
        let origin = diagnostic
            .line
            .and_then(|line| self.lines.get(line.wrapping_sub(1)))
            .filter(|origin| origin.document != Document::Assembled);
        let (document, place) = match origin {
            Some(origin) => (origin.document.clone(), self.place(origin)),
            None => (self.document_of_entity(diagnostic.entity.as_deref()), None),
        };
        ScenarioDiagnostic {
            severity: match diagnostic.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            code: diagnostic.code.as_str().to_owned(),
            message: self.rewrite_places(&diagnostic.message),
            document,
            line: place.map(|p| p.0),
            column: place.map(|p| p.1),
            entity: diagnostic.entity.clone(),
            hint: diagnostic.hint.as_deref().map(|h| self.rewrite_places(h)),
        }
    }

    /// The text and media type of a document, when it has a text.
    fn text_of(&self, document: &Document) -> Option<(&str, MediaType)> {
        match document {
            Document::Reference => Some((self.reference.text(), self.reference.media())),
            Document::Contribution { organisation } => self
                .members
                .iter()
                .find(|(org, _)| org.id == *organisation)
                .and_then(|(_, fragment)| *fragment)
                .map(|f| (f.text(), f.media())),
            Document::Contract { .. } | Document::Assembled => None,
        }
    }

    fn place(&self, origin: &Origin) -> Option<(usize, usize)> {
        let (text, media) = self.text_of(&origin.document)?;
        let at = locate(text, media, &origin.path)?;
        Some(line_column(text, at.start))
    }

    /// A diagnostic without a line (a rule of the merged scenario) belongs
    /// to the document its entity came from, read off the entity's id.
    fn document_of_entity(&self, entity: Option<&str>) -> Document {
        let Some(id) = entity.and_then(|e| e.split('"').nth(1)) else {
            return Document::Assembled;
        };
        if let Some(contract) = self.contracts.iter().find(|c| c.id == id) {
            return Document::Contract {
                id: contract.id.clone(),
            };
        }
        if let Some((prefix, _)) = id.split_once(':') {
            if self.members.iter().any(|(org, _)| org.id == prefix) {
                return Document::Contribution {
                    organisation: prefix.to_owned(),
                };
            }
        }
        Document::Assembled
    }

    /// Rewrites the loader's `assembled.toml:LINE` references (in hints
    /// such as "first defined at ...") to the document and line they mean.
    fn rewrite_places(&self, text: &str) -> String {
        let marker = format!("{ASSEMBLED_NAME}:");
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find(&marker) {
            out.push_str(&rest[..start]);
            let after = &rest[start + marker.len()..];
            let digits = after.chars().take_while(char::is_ascii_digit).count();
            let line: Option<usize> = after[..digits].parse().ok();
            let origin = line.and_then(|l| self.lines.get(l.wrapping_sub(1)));
            match origin {
                Some(origin) => {
                    out.push_str(&describe(&origin.document));
                    if let Some((line, _)) = self.place(origin) {
                        out.push_str(&format!(", line {line}"));
                    }
                }
                None => out.push_str("the assembled scenario"),
            }
            rest = &after[digits..];
        }
        out.push_str(rest);
        out
    }
}

/// A document in words, as messages name it.
pub(crate) fn describe(document: &Document) -> String {
    match document {
        Document::Reference => "the reference part".to_owned(),
        Document::Contribution { organisation } => format!("the contribution of {organisation}"),
        Document::Contract { id } => format!("contract {id}"),
        Document::Assembled => "the assembled scenario".to_owned(),
    }
}
