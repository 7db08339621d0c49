//! The in-memory workbook: named sheets of typed cells under one header row.
//!
//! Both file layouts (an xlsx workbook, a directory of CSV files) are read
//! into and written from these types, so the scenario mapping never sees a
//! file format.

/// One cell's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// No value.
    Empty,
    /// Text, exactly as written.
    Text(String),
    /// A number (every spreadsheet number is an `f64`).
    Number(f64),
    /// TRUE or FALSE.
    Bool(bool),
    /// A date as a spreadsheet program stores it: days since 1899-12-30
    /// (what Excel makes of `2025-01` typed into a general cell).
    Date(f64),
}

impl Cell {
    /// Text of `value` (a convenience for building sheets).
    pub fn text(value: impl Into<String>) -> Cell {
        Cell::Text(value.into())
    }

    /// Whether the cell holds nothing at all (white space is something: a
    /// free-text field may be a tab).
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(text) => text.is_empty(),
            _ => false,
        }
    }

    /// Whether the cell holds nothing (or only white space).
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(text) => text.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text for display and CSV: numbers in their shortest
    /// form that reads back as the same `f64`, booleans as `true`/`false`.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(text) => text.clone(),
            Cell::Number(value) | Cell::Date(value) => number_text(*value),
            Cell::Bool(value) => value.to_string(),
        }
    }
}

/// `value` in the shortest decimal notation that parses back to exactly
/// the same `f64` (Rust's `Display` for floats), without a trailing `.0`.
pub fn number_text(value: f64) -> String {
    format!("{value}")
}

/// How a column's numbers are shown (the stored value is never rounded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// The spreadsheet's general format.
    General,
    /// Text (ids, names, labels): typed values stay text, so `2025-01`
    /// is not turned into a date.
    Text,
    /// Whole numbers (`0`).
    Integer,
    /// Money with thousands separators and two decimals.
    Money,
    /// Quantities of a plan, with thousands separators and two decimals.
    Quantity,
    /// A ratio shown as a percentage.
    Percent,
}

/// A column: its header (with the unit in parentheses where there is one)
/// and how its numbers are shown.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The header cell's text, e.g. `penalty (EUR/unit/period)`.
    pub header: String,
    /// Display format of the column's cells.
    pub style: Style,
}

impl Column {
    /// A column with `header` and `style`.
    pub fn new(header: impl Into<String>, style: Style) -> Column {
        Column {
            header: header.into(),
            style,
        }
    }
}

/// One sheet: a header row, then data rows.
///
/// `rows[i]` is the spreadsheet's row `i + 2` (row 1 is the header); a sheet
/// read from a file keeps blank rows so that this holds. A row may be
/// shorter or longer than `columns`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// Sheet name (in a CSV directory: the file name without `.csv`).
    pub name: String,
    /// The header row.
    pub columns: Vec<Column>,
    /// Data rows, in order.
    pub rows: Vec<Vec<Cell>>,
    /// Leading columns to keep in view when scrolling sideways (ids before
    /// a run of period columns); 0 for none.
    pub frozen_columns: usize,
}

impl Sheet {
    /// An empty sheet with `columns`.
    pub fn new(name: impl Into<String>, columns: Vec<Column>) -> Sheet {
        Sheet {
            name: name.into(),
            columns,
            rows: Vec::new(),
            frozen_columns: 0,
        }
    }

    /// The spreadsheet row number (1-based, header = 1) of `rows[index]`.
    pub fn row_number(index: usize) -> usize {
        index + 2
    }

    /// Number of rows that hold any value.
    pub fn data_rows(&self) -> usize {
        self.rows
            .iter()
            .filter(|row| row.iter().any(|c| !c.is_blank()))
            .count()
    }
}

/// The spreadsheet letter of a 0-based column index (`0` → `A`, `26` → `AA`).
pub fn column_letter(index: usize) -> String {
    let mut letters = Vec::new();
    let mut n = index + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_the_spreadsheet() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(51), "AZ");
        assert_eq!(column_letter(52), "BA");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn numbers_print_shortest_and_exact() {
        for value in [0.0, 1.0, 1e-7, 0.1 + 0.2, 123456789.125, 1e21, 5e-324] {
            let text = number_text(value);
            assert_eq!(text.parse::<f64>(), Ok(value), "{text}");
        }
        assert_eq!(number_text(1000.0), "1000");
        assert_eq!(number_text(0.5), "0.5");
    }
}
