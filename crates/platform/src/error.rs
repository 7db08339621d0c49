//! Errors of the platform's domain rules, each with a stable code.
//!
//! | code | status | when |
//! |---|---|---|
//! | `not_owned` | 403 | a table or entity the organisation may not contribute (names the entity and the rule) |
//! | `invalid_scenario` | 422 | a syntax error, or the assembled scenario breaks the model (with located `diagnostics`) |
//! | `invalid_organisation` | 422 | an organisation's fields break spec section 1 |
//! | `invalid_member` | 422 | adding a member would break a member rule of spec section 2 |
//! | `invalid_contract` | 422 | a signed contract's supplier or facility does not fit the round |
//! | `conflict` | 409 | a member added twice |
//! | `unsupported_media_type` | 415 | a body that is neither TOML nor JSON |

use serde::Serialize;

/// Where a diagnostic of a round's scenario lies: which document of the
/// round wrote the part it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Document {
    /// The round's reference part.
    Reference,
    /// The contribution (fragment) of an organisation.
    Contribution {
        /// The organisation's id.
        organisation: String,
    },
    /// A signed contract.
    Contract {
        /// The contract's opaque id.
        id: String,
    },
    /// The assembled scenario as a whole (a rule about several documents,
    /// e.g. a missing bloc).
    Assembled,
}

/// One problem of a round's scenario, located relative to the document
/// that was submitted (line and column in its text) where possible.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioDiagnostic {
    /// `"error"` or `"warning"`.
    pub severity: &'static str,
    /// The model's stable rule code (e.g. `"unknown-field"`), or one of
    /// this crate's (`"not-a-table"`, `"syntax"`).
    pub code: String,
    /// What is wrong, one lowercase sentence.
    pub message: String,
    /// The document that holds the problem.
    pub document: Document,
    /// 1-based line in that document's text, when known.
    pub line: Option<usize>,
    /// 1-based column (characters) in that document's text, when known.
    pub column: Option<usize>,
    /// The entity it belongs to, e.g. `facility "krusik:krusik" line "mortar"`.
    pub entity: Option<String>,
    /// How to fix it, when there is something to say (and nothing hidden to name).
    pub hint: Option<String>,
}

impl ScenarioDiagnostic {
    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == "error"
    }

    /// An error of this crate's own (not the model loader's).
    pub(crate) fn error(
        code: &str,
        message: impl Into<String>,
        document: Document,
        place: Option<(usize, usize)>,
    ) -> Self {
        ScenarioDiagnostic {
            severity: "error",
            code: code.to_owned(),
            message: message.into(),
            document,
            line: place.map(|p| p.0),
            column: place.map(|p| p.1),
            entity: None,
            hint: None,
        }
    }
}

/// A refused platform operation. Every variant has a stable [`code`]
/// (spec section 6 where it defines one) and an HTTP [`status`].
///
/// [`code`]: PlatformError::code
/// [`status`]: PlatformError::status
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlatformError {
    /// A document contributes a table or entity its organisation may not
    /// (403 `not_owned`).
    #[error("{entity} is not owned by {organisation}: {rule}")]
    NotOwned {
        /// The contributing organisation.
        organisation: String,
        /// The entity or table refused, e.g. `facility "krusik"` or `[[route]]`.
        entity: String,
        /// The rule that refuses it, in words.
        rule: String,
    },
    /// The document, or the assembled scenario with it, is invalid
    /// (422 `invalid_scenario`).
    #[error("invalid scenario: {}", summary(.diagnostics))]
    InvalidScenario {
        /// Every problem found, located where possible.
        diagnostics: Vec<ScenarioDiagnostic>,
    },
    /// An organisation's own fields break spec section 1 (422 `invalid_organisation`).
    #[error("invalid organisation: {0}")]
    InvalidOrganisation(String),
    /// Adding a member would break a member rule of spec section 2
    /// (422 `invalid_member`).
    #[error("invalid member: {0}")]
    InvalidMember(String),
    /// A signed contract does not fit its round (422 `invalid_contract`).
    #[error("invalid contract: {0}")]
    InvalidContract(String),
    /// The state already holds what is asked (409 `conflict`), e.g. a member
    /// added twice.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A body whose media type the platform does not read (415
    /// `unsupported_media_type`).
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
}

fn summary(diagnostics: &[ScenarioDiagnostic]) -> String {
    let errors: Vec<&ScenarioDiagnostic> = diagnostics.iter().filter(|d| d.is_error()).collect();
    match errors.first() {
        None => "no error".to_owned(),
        Some(first) if errors.len() == 1 => first.message.clone(),
        Some(first) => format!("{} (and {} more)", first.message, errors.len() - 1),
    }
}

impl PlatformError {
    /// The stable error code of spec section 6 (or this crate's addition).
    pub fn code(&self) -> &'static str {
        match self {
            PlatformError::NotOwned { .. } => "not_owned",
            PlatformError::InvalidScenario { .. } => "invalid_scenario",
            PlatformError::InvalidOrganisation(_) => "invalid_organisation",
            PlatformError::InvalidMember(_) => "invalid_member",
            PlatformError::InvalidContract(_) => "invalid_contract",
            PlatformError::Conflict(_) => "conflict",
            PlatformError::UnsupportedMediaType(_) => "unsupported_media_type",
        }
    }

    /// The HTTP status the code stands for.
    pub fn status(&self) -> u16 {
        match self {
            PlatformError::NotOwned { .. } => 403,
            PlatformError::Conflict(_) => 409,
            PlatformError::UnsupportedMediaType(_) => 415,
            PlatformError::InvalidScenario { .. }
            | PlatformError::InvalidOrganisation(_)
            | PlatformError::InvalidMember(_)
            | PlatformError::InvalidContract(_) => 422,
        }
    }

    /// The located diagnostics of an `invalid_scenario` error, as the JSON
    /// array the error body carries under `"diagnostics"`; `None` for other codes.
    pub fn diagnostics(&self) -> Option<serde_json::Value> {
        match self {
            PlatformError::InvalidScenario { diagnostics } => {
                serde_json::to_value(diagnostics).ok()
            }
            _ => None,
        }
    }

    /// The typed diagnostics of an `invalid_scenario` error (empty otherwise).
    pub fn scenario_diagnostics(&self) -> &[ScenarioDiagnostic] {
        match self {
            PlatformError::InvalidScenario { diagnostics } => diagnostics,
            _ => &[],
        }
    }

    pub(crate) fn not_owned(
        organisation: &str,
        entity: impl Into<String>,
        rule: impl Into<String>,
    ) -> Self {
        PlatformError::NotOwned {
            organisation: organisation.to_owned(),
            entity: entity.into(),
            rule: rule.into(),
        }
    }

    pub(crate) fn invalid(diagnostic: ScenarioDiagnostic) -> Self {
        PlatformError::InvalidScenario {
            diagnostics: vec![diagnostic],
        }
    }
}
