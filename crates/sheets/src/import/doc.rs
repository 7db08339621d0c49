//! The TOML document an import builds, one key per line, remembering for
//! every line which cell it came from so that the loader's diagnostics
//! (which name TOML lines) can be reported as sheet, row and column.

use std::fmt::Write;

use crate::error::ColumnRef;

/// Where a piece of a document built from sheets came from: a sheet, and
/// a row and column of it where known.
#[derive(Debug, Clone, PartialEq)]
pub struct Origin {
    /// The sheet's name as the workbook spells it.
    pub sheet: String,
    /// 1-based row as the spreadsheet shows it (the header is row 1).
    pub row: Option<usize>,
    /// The column, when one cell wrote the piece.
    pub column: Option<ColumnRef>,
}

impl Origin {
    /// A whole row.
    pub fn row(sheet: &str, row: usize) -> Origin {
        Origin {
            sheet: sheet.to_owned(),
            row: Some(row),
            column: None,
        }
    }

    /// One cell.
    pub fn cell(sheet: &str, row: usize, column: ColumnRef) -> Origin {
        Origin {
            sheet: sheet.to_owned(),
            row: Some(row),
            column: Some(column),
        }
    }
}

/// A TOML document under construction.
#[derive(Default)]
pub(crate) struct Doc {
    text: String,
    /// Per line (index = line - 1): the origins of the line's parts, by the
    /// 1-based character column where each part starts.
    lines: Vec<Vec<(usize, Origin)>>,
}

impl Doc {
    /// A table header line such as `[[demand]]` or `[demand.quantity]`.
    pub fn header(&mut self, header: &str, origin: Origin) {
        let _ = writeln!(self.text, "{header}");
        self.lines.push(vec![(1, origin)]);
    }

    /// `key = value` where both come from one place.
    pub fn field(&mut self, key: &str, value: &str, origin: Origin) {
        self.pair(key, origin.clone(), value, origin);
    }

    /// `key = value` where the key and the value come from different cells
    /// (e.g. a stock row: the product cell is the key, the quantity the
    /// value). `key` and `value` are already TOML.
    pub fn pair(&mut self, key: &str, key_origin: Origin, value: &str, value_origin: Origin) {
        let _ = writeln!(self.text, "{key} = {value}");
        let value_column = key.chars().count() + 4;
        self.lines
            .push(vec![(1, key_origin), (value_column, value_origin)]);
    }

    /// The origin of 1-based `line` and `column` of the document.
    pub fn origin(&self, line: usize, column: Option<usize>) -> Option<&Origin> {
        let parts = self.lines.get(line.checked_sub(1)?)?;
        let column = column.unwrap_or(1);
        parts
            .iter()
            .rev()
            .find(|(start, _)| *start <= column)
            .or_else(|| parts.first())
            .map(|(_, origin)| origin)
    }

    /// The document's text.
    pub fn text(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use caisson_scenario::toml_string as string;

    #[test]
    fn origins_follow_lines_and_columns() {
        let mut doc = Doc::default();
        doc.header("[[demand]]", Origin::row("demands", 2));
        doc.pair(
            &string("shell"),
            Origin::cell("stock", 3, ColumnRef::new(1, "product")),
            "5",
            Origin::cell("stock", 3, ColumnRef::new(2, "quantity")),
        );
        assert_eq!(doc.text(), "[[demand]]\n\"shell\" = 5\n");
        assert_eq!(doc.origin(1, Some(4)), Some(&Origin::row("demands", 2)));
        let key = doc.origin(2, Some(1)).and_then(|o| o.column.clone());
        assert_eq!(key.map(|c| c.letter), Some("B".to_owned()));
        let value = doc.origin(2, Some(11)).and_then(|o| o.column.clone());
        assert_eq!(value.map(|c| c.letter), Some("C".to_owned()));
        assert_eq!(doc.origin(3, None), None);
    }
}
