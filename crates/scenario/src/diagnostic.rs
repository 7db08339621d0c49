//! Diagnostics: what is wrong (or suspicious) in a scenario, and where.

use std::fmt;

use serde::Serialize;

use crate::source::{Loc, Sources};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The scenario is invalid: it cannot be planned.
    Error,
    /// The scenario is valid, but something is probably not what was meant.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident = $text:literal,)*) => {
        /// A stable, machine-readable identifier of the rule a diagnostic
        /// reports (its text form is what `--format json` prints).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum Code {
            $($(#[$doc])* #[serde(rename = $text)] $name,)*
        }

        impl Code {
            /// The code's stable text, e.g. `"unknown-field"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$name => $text,)*
                }
            }

            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$name,)*];
        }
    };
}

codes! {
    /// A file could not be read.
    ReadFailed = "read-failed",
    /// TOML or JSON syntax error.
    Syntax = "syntax",
    /// A field that the format does not define.
    UnknownField = "unknown-field",
    /// A top-level table that the format does not define.
    UnknownTable = "unknown-table",
    /// A value of the wrong type (e.g. a string where a number belongs).
    WrongType = "wrong-type",
    /// `nan` or `inf` where a number belongs.
    NotFinite = "not-finite",
    /// A fraction where an integer belongs (TOML `1.0` included).
    NotInteger = "not-integer",
    /// A number outside its allowed range.
    OutOfRange = "out-of-range",
    /// A required field is absent (checked on the merged scenario).
    MissingField = "missing-field",
    /// An id that is empty or has characters outside `[A-Za-z0-9_.:-]`.
    InvalidId = "invalid-id",
    /// `belligerent` or `*` used as an actor or bloc id.
    ReservedId = "reserved-id",
    /// A bloc id equal to an actor id.
    BlocIsActor = "bloc-is-actor",
    /// Two entities of one kind share an id.
    DuplicateId = "duplicate-id",
    /// Two routes share (from, to).
    DuplicateRoute = "duplicate-route",
    /// Two contracts share (facility, buyer, product).
    DuplicateContract = "duplicate-contract",
    /// The same id twice in one list (ignored).
    DuplicateEntry = "duplicate-entry",
    /// A reference to an actor that does not exist.
    UnknownActor = "unknown-actor",
    /// A reference to a product that does not exist.
    UnknownProduct = "unknown-product",
    /// A reference to a facility that does not exist.
    UnknownFacility = "unknown-facility",
    /// An expansion's `line` that is not a line of its facility.
    UnknownLine = "unknown-line",
    /// A policy `scope` that names no actor or bloc.
    UnknownScope = "unknown-scope",
    /// A policy scope of `belligerent` or `*`.
    InvalidScope = "invalid-scope",
    /// A policy selector that names no actor or bloc.
    UnknownSelector = "unknown-selector",
    /// Products whose inputs form a cycle.
    BomCycle = "bom-cycle",
    /// A string that is not a period label.
    BadLabel = "bad-label",
    /// A period label of another kind than the scenario's `period`.
    WrongLabelKind = "wrong-label-kind",
    /// A `period` other than month, quarter or year.
    BadPeriod = "bad-period",
    /// A schedule key after the horizon (ignored).
    LabelAfterHorizon = "label-after-horizon",
    /// An expansion whose `earliest` is after its `latest`.
    WindowOrder = "window-order",
    /// An expansion window wholly outside the horizon (no decision).
    WindowOutside = "window-outside",
    /// A contract whose buyer has no demand for its product.
    ContractWithoutDemand = "contract-without-demand",
    /// An `extends` chain that comes back to a file already in it.
    ExtendsCycle = "extends-cycle",
    /// An `extends` base file that cannot be found or read.
    ExtendsNotFound = "extends-not-found",
    /// A `[remove]` table in a scenario without `extends`.
    RemoveWithoutExtends = "remove-without-extends",
    /// A `[remove]` entry that names nothing of the base.
    RemoveMissing = "remove-missing",
    /// A reference to a demand that does not exist (`[[uncertainty]]`).
    UnknownDemand = "unknown-demand",
    /// An uncertainty `kind` or `distribution` that is not one of the names
    /// the format defines.
    UnknownKind = "unknown-kind",
    /// A field that does not apply to an uncertainty entry's `kind` or
    /// `distribution`.
    FieldNotApplicable = "field-not-applicable",
    /// Two fields that exclude each other (e.g. `median` and `mean`).
    ConflictingFields = "conflicting-fields",
    /// A minimum greater than its maximum (or a triangular mode outside
    /// [min, max]).
    RangeOrder = "range-order",
    /// An uncertainty entry whose targets are empty (it affects nothing).
    EmptyTargets = "empty-targets",
    /// An `[[assumption]]` target that names no line, facility, stock,
    /// expansion, demand, contract or product input of the scenario.
    UnknownTarget = "unknown-target",
    /// A political switch naming a policy that does not exist.
    UnknownPolicy = "unknown-policy",
    /// A political switch's `close_routes` entry that is not `"FROM->TO"`
    /// with two actor ids.
    BadRoute = "bad-route",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in a scenario, located and ready to show.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The rule, as a stable code.
    pub code: Code,
    /// What is wrong, in one lowercase sentence without a trailing period.
    pub message: String,
    /// Display path of the file that holds the problem (in a variant: the
    /// file of the `extends` chain that wrote it).
    pub file: String,
    /// 1-based line, when the problem has a place in the file.
    pub line: Option<usize>,
    /// 1-based column (in characters), when the problem has a place.
    pub column: Option<usize>,
    /// The whole source line at `line`, for showing a caret under it.
    pub source_line: Option<String>,
    /// Width of the underlined span on `source_line`, in characters (>= 1).
    pub width: usize,
    /// The entity it belongs to, e.g. `facility "krusik" line "mortar-a"`.
    pub entity: Option<String>,
    /// How to fix it, when there is something to say.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A problem as recorded while reading: located by byte span, resolved to
/// a [`Diagnostic`] (lines, columns, snippet) once all files are known.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub at: Option<Loc>,
    pub entity: Option<String>,
    pub hint: Option<String>,
    /// Another place worth naming in the hint (e.g. the first definition of
    /// a duplicate), appended as "file:line".
    pub related: Option<(&'static str, Loc)>,
}

impl Problem {
    /// An error at `at`.
    pub fn error(code: Code, at: Loc, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Error,
            code,
            message: message.into(),
            at: Some(at),
            entity: None,
            hint: None,
            related: None,
        }
    }

    /// A warning at `at`.
    pub fn warning(code: Code, at: Loc, message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(code, at, message)
        }
    }

    /// Names the entity the problem belongs to.
    pub fn entity(mut self, entity: &str) -> Self {
        if !entity.is_empty() {
            self.entity = Some(entity.to_owned());
        }
        self
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a hint if there is one.
    pub fn maybe_hint(mut self, hint: Option<String>) -> Self {
        if hint.is_some() {
            self.hint = hint;
        }
        self
    }

    /// Names a related place (`what` is e.g. "first defined at").
    pub fn related(mut self, what: &'static str, at: Loc) -> Self {
        self.related = Some((what, at));
        self
    }

    /// Resolves spans to lines, columns and the source snippet.
    pub fn resolve(&self, sources: &Sources) -> Diagnostic {
        let mut diagnostic = Diagnostic {
            severity: self.severity,
            code: self.code,
            message: self.message.clone(),
            file: String::new(),
            line: None,
            column: None,
            source_line: None,
            width: 1,
            entity: self.entity.clone(),
            hint: self.hint.clone(),
        };
        if let Some(at) = self.at {
            diagnostic.file = sources.name(at.file).to_owned();
            if let Some(position) = sources.position(at) {
                diagnostic.line = Some(position.line);
                diagnostic.column = Some(position.column);
                diagnostic.source_line = Some(position.text);
                diagnostic.width = position.width.max(1);
            }
        }
        if let Some((what, at)) = self.related {
            let place = match sources.position(at) {
                Some(p) => format!("{}:{}", sources.name(at.file), p.line),
                None => sources.name(at.file).to_owned(),
            };
            let extra = format!("{what} {place}");
            diagnostic.hint = Some(match diagnostic.hint.take() {
                Some(hint) => format!("{hint}; {extra}"),
                None => extra,
            });
        }
        diagnostic
    }
}

/// The nearest of `candidates` to `name`, if one is close enough to be a
/// likely typo (or differs only in case).
pub(crate) fn nearest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        let distance = if candidate.to_lowercase() == lower {
            0
        } else {
            strsim::damerau_levenshtein(name, candidate)
        };
        if best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    let limit = (name.chars().count() / 3).max(1);
    best.filter(|&(d, _)| d <= limit).map(|(_, c)| c)
}

/// A "did you mean" hint, or a list of what exists when it is short.
pub(crate) fn suggest<'a>(
    name: &str,
    what: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
) -> Option<String> {
    if let Some(near) = nearest(name, candidates.clone()) {
        return Some(format!("did you mean \"{near}\"?"));
    }
    let all: Vec<&str> = candidates.into_iter().collect();
    match all.len() {
        0 => Some(format!("no {what} is defined")),
        1..=12 => Some(format!(
            "known {what}: {}",
            all.iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )),
        _ => None,
    }
}
