//! Errors: problems in a workbook's content (located by sheet, row and
//! column) and failures to read or write the files themselves.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::sheet::column_letter;

pub use caisson_scenario::Severity;

/// A column of a sheet, as a spreadsheet shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnRef {
    /// The column letter, e.g. `C`.
    pub letter: String,
    /// The header text of the column (empty if the header cell is empty).
    pub header: String,
}

impl ColumnRef {
    /// The column at 0-based `index` with `header`.
    pub fn new(index: usize, header: &str) -> ColumnRef {
        ColumnRef {
            letter: column_letter(index),
            header: header.to_owned(),
        }
    }
}

/// A problem in the content of a workbook, located where a spreadsheet
/// user would look for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SheetError {
    /// Error (the workbook cannot be imported) or warning.
    pub severity: Severity,
    /// A stable code naming the rule, e.g. `not-a-number` or, for problems
    /// the scenario loader found, its code (`unknown-product`, ...).
    pub code: String,
    /// The sheet (in a CSV directory: the file name without `.csv`), when
    /// the problem belongs to one.
    pub sheet: Option<String>,
    /// 1-based row as the spreadsheet shows it (the header is row 1).
    pub row: Option<usize>,
    /// The column, when the problem is in one cell or column.
    pub column: Option<ColumnRef>,
    /// What is wrong, in one lowercase sentence.
    pub message: String,
    /// How to fix it, when there is something to say.
    pub hint: Option<String>,
}

impl SheetError {
    /// An error with `code` and `message`, not yet located.
    pub fn new(code: &str, message: impl Into<String>) -> SheetError {
        SheetError {
            severity: Severity::Error,
            code: code.to_owned(),
            sheet: None,
            row: None,
            column: None,
            message: message.into(),
            hint: None,
        }
    }

    /// Makes it a warning.
    pub fn warning(mut self) -> SheetError {
        self.severity = Severity::Warning;
        self
    }

    /// Places it in `sheet`.
    pub fn in_sheet(mut self, sheet: &str) -> SheetError {
        self.sheet = Some(sheet.to_owned());
        self
    }

    /// Places it on 1-based `row`.
    pub fn at_row(mut self, row: usize) -> SheetError {
        self.row = Some(row);
        self
    }

    /// Places it in a column.
    pub fn at_column(mut self, column: ColumnRef) -> SheetError {
        self.column = Some(column);
        self
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> SheetError {
        self.hint = Some(hint.into());
        self
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The place as text, e.g. `sheet "demands", row 5, column C (penalty)`.
    pub fn place(&self) -> String {
        let mut parts = Vec::new();
        if let Some(sheet) = &self.sheet {
            parts.push(format!("sheet \"{sheet}\""));
        }
        if let Some(row) = self.row {
            parts.push(format!("row {row}"));
        }
        if let Some(column) = &self.column {
            if column.header.is_empty() {
                parts.push(format!("column {}", column.letter));
            } else {
                parts.push(format!("column {} ({})", column.letter, column.header));
            }
        }
        parts.join(", ")
    }
}

impl fmt::Display for SheetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = self.place();
        if place.is_empty() {
            write!(f, "{}: {}", self.severity, self.message)?;
        } else {
            write!(f, "{}: {place}: {}", self.severity, self.message)?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Renders problems one after another, as the CLI prints them.
pub fn render(problems: &[SheetError]) -> String {
    problems.iter().map(|p| format!("{p}\n")).collect()
}

/// Why a workbook or CSV directory could not be read or written (the file
/// itself, not its content).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// Reading or writing a file or directory failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done (`read`, `write`, `create directory`).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The xlsx writer failed.
    #[error("cannot write workbook {}: {source}", path.display())]
    XlsxWrite {
        /// The workbook.
        path: PathBuf,
        /// The cause.
        source: rust_xlsxwriter::XlsxError,
    },
    /// The file is not a workbook the reader understands.
    #[error("cannot read workbook {}: {source}", path.display())]
    XlsxRead {
        /// The workbook.
        path: PathBuf,
        /// The cause.
        source: calamine::Error,
    },
    /// A CSV file is malformed (e.g. not UTF-8).
    #[error("cannot read {}: {source}", path.display())]
    Csv {
        /// The CSV file.
        path: PathBuf,
        /// The cause.
        source: csv::Error,
    },
    /// A JSON document given as a plan is not a `caisson-plan/1` plan.
    #[error("not a plan: {0}")]
    NotAPlan(String),
    /// A sheet cannot be stored in the chosen layout.
    #[error("{0}")]
    Unsupported(String),
}
