//! The source texts of a load (a file and its `extends` bases) and how
//! byte spans map to lines and columns.

use crate::tree::Span;

/// Index of a file in [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileId(pub usize);

/// A place in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Loc {
    pub file: FileId,
    pub span: Span,
}

struct Source {
    name: String,
    text: String,
}

/// Every file read by one load, so diagnostics can quote them.
#[derive(Default)]
pub(crate) struct Sources {
    files: Vec<Source>,
}

/// A resolved place: line, column and the line's text.
pub(crate) struct Position {
    pub line: usize,
    pub column: usize,
    pub width: usize,
    pub text: String,
}

impl Sources {
    /// Registers a file (its display name and text).
    pub fn add(&mut self, name: &str, text: String) -> FileId {
        self.files.push(Source {
            name: name.to_owned(),
            text,
        });
        FileId(self.files.len() - 1)
    }

    /// The display name of a file.
    pub fn name(&self, file: FileId) -> &str {
        self.files.get(file.0).map_or("", |f| f.name.as_str())
    }

    /// The text of a file.
    pub fn text(&self, file: FileId) -> &str {
        self.files.get(file.0).map_or("", |f| f.text.as_str())
    }

    /// Line, column and snippet of a place (`None` if the file has no text).
    pub fn position(&self, at: Loc) -> Option<Position> {
        let text = self.text(at.file);
        if text.is_empty() && at.span.start == 0 {
            return None;
        }
        let start = floor_char_boundary(text, at.span.start.min(text.len()));
        let end = floor_char_boundary(text, at.span.end.clamp(start, text.len()));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = text[..start].matches('\n').count() + 1;
        let column = text[line_start..start].chars().count() + 1;
        let width = text[start..end.min(line_end).max(start)].chars().count();
        let line_text = text[line_start..line_end].trim_end_matches('\r').to_owned();
        Some(Position {
            line,
            column,
            width,
            text: line_text,
        })
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}
