//! Sheets as an xlsx workbook (written with `rust_xlsxwriter`, read with
//! `calamine`, which also reads xls, xlsb and ods).

use std::path::{Path, PathBuf};

use calamine::{open_workbook_auto, Data, Reader};
use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet, XlsxError};

use crate::error::FileError;
use crate::sheet::{Cell, Column, Sheet, Style};

/// Widest column set, in characters (long descriptions wrap beyond it).
const MAX_WIDTH: usize = 60;

/// Writes `sheets` as an xlsx workbook at `path`: a bold header row that
/// stays in view (and leading id columns where a sheet says so), an
/// autofilter, column widths that fit the content, and number formats
/// per column (text for ids and labels, so that a typed `2025-01` is not
/// turned into a date).
pub fn write_xlsx(path: &Path, sheets: &[Sheet]) -> Result<(), FileError> {
    let wrap = |source| FileError::XlsxWrite {
        path: path.to_owned(),
        source,
    };
    let mut workbook = Workbook::new();
    for sheet in sheets {
        let worksheet = workbook.add_worksheet();
        write_sheet(worksheet, sheet).map_err(wrap)?;
    }
    workbook.save(path).map_err(wrap)
}

/// The workbook of `sheets` as the bytes of an xlsx file, for answers that
/// are not written to disk (the platform server's exports).
pub fn xlsx_bytes(sheets: &[Sheet]) -> Result<Vec<u8>, FileError> {
    let wrap = |source| FileError::XlsxWrite {
        path: "(in memory)".into(),
        source,
    };
    let mut workbook = Workbook::new();
    for sheet in sheets {
        let worksheet = workbook.add_worksheet();
        write_sheet(worksheet, sheet).map_err(wrap)?;
    }
    workbook.save_to_buffer().map_err(wrap)
}

fn style_format(style: Style) -> Option<Format> {
    let format = Format::new();
    match style {
        Style::General => None,
        Style::Text => Some(format.set_num_format("@")),
        Style::Integer => Some(format.set_num_format("0")),
        Style::Money | Style::Quantity => Some(format.set_num_format("#,##0.00")),
        Style::Percent => Some(format.set_num_format("0.0%")),
    }
}

fn write_sheet(ws: &mut Worksheet, sheet: &Sheet) -> Result<(), XlsxError> {
    ws.set_name(&sheet.name)?;
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border_bottom(FormatBorder::Thin);
    let width = sheet
        .rows
        .iter()
        .map(Vec::len)
        .chain([sheet.columns.len()])
        .max()
        .unwrap_or(0);
    for (c, column) in sheet.columns.iter().enumerate() {
        let col = to_col(c)?;
        if let Some(format) = style_format(column.style) {
            ws.set_column_format(col, &format)?;
        }
        ws.write_string_with_format(0, col, &column.header, &header)?;
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let at = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, cell) in row.iter().enumerate() {
            let col = to_col(c)?;
            // Cells take their column's format (set above).
            match cell {
                Cell::Empty => {}
                Cell::Text(text) => {
                    ws.write_string(at, col, text)?;
                }
                Cell::Number(value) => {
                    ws.write_number(at, col, *value)?;
                }
                Cell::Bool(value) => {
                    ws.write_boolean(at, col, *value)?;
                }
                Cell::Date(value) => {
                    let date = Format::new().set_num_format("yyyy-mm-dd");
                    ws.write_number_with_format(at, col, *value, &date)?;
                }
            }
        }
    }
    for c in 0..width {
        let chars = sheet
            .columns
            .get(c)
            .map_or(0, |col| col.header.chars().count())
            .max(
                sheet
                    .rows
                    .iter()
                    .filter_map(|row| row.get(c))
                    .map(display_width)
                    .max()
                    .unwrap_or(0),
            );
        ws.set_column_width(to_col(c)?, (chars.clamp(6, MAX_WIDTH) + 2) as f64)?;
    }
    let frozen = u16::try_from(sheet.frozen_columns).unwrap_or(0);
    ws.set_freeze_panes(1, frozen)?;
    if !sheet.columns.is_empty() {
        let last_row = u32::try_from(sheet.rows.len()).unwrap_or(u32::MAX);
        ws.autofilter(0, 0, last_row.max(1), to_col(sheet.columns.len() - 1)?)?;
    }
    Ok(())
}

/// Characters a cell needs on screen (numbers as a general format shows
/// them, at most 11 significant digits).
fn display_width(cell: &Cell) -> usize {
    match cell {
        Cell::Number(value) => cell.display().len().min(12) + usize::from(value.abs() >= 1e4),
        other => other.display().chars().count(),
    }
}

fn to_col(index: usize) -> Result<u16, XlsxError> {
    u16::try_from(index).map_err(|_| XlsxError::RowColumnLimitError)
}

/// Reads every sheet of the workbook at `path` (xlsx, xlsm, xlsb, xls or
/// ods), in workbook order.
///
/// Row 1 becomes the columns' headers; `rows[i]` is spreadsheet row
/// `i + 2`, blank rows included, so that positions in errors match what the
/// spreadsheet shows. Formula cells give their cached values; error cells
/// (`#N/A`, ...) become their text.
pub fn read_xlsx(path: &Path) -> Result<Vec<Sheet>, FileError> {
    let wrap = |source| FileError::XlsxRead {
        path: path.to_owned(),
        source,
    };
    let workbook = open_workbook_auto(path).map_err(wrap)?;
    read_workbook(workbook, wrap)
}

/// Reads every sheet of a workbook held in memory (an upload), as
/// [`read_xlsx`] reads a file; `name` stands for the file in errors.
pub fn read_xlsx_bytes(bytes: &[u8], name: &str) -> Result<Vec<Sheet>, FileError> {
    let wrap = |source| FileError::XlsxRead {
        path: PathBuf::from(name),
        source,
    };
    let workbook =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).map_err(wrap)?;
    read_workbook(workbook, wrap)
}

fn read_workbook<RS: std::io::Read + std::io::Seek>(
    mut workbook: calamine::Sheets<RS>,
    wrap: impl Fn(calamine::Error) -> FileError,
) -> Result<Vec<Sheet>, FileError> {
    let mut sheets = Vec::new();
    for name in workbook.sheet_names() {
        let range = workbook.worksheet_range(&name).map_err(&wrap)?;
        // The range starts at the first used cell: pad so that positions
        // are the spreadsheet's.
        let (top, left) = range.start().unwrap_or((0, 0));
        let (top, left) = (top as usize, left as usize);
        let mut grid: Vec<Vec<Cell>> = vec![Vec::new(); top];
        for row in range.rows() {
            let mut cells = vec![Cell::Empty; left];
            cells.extend(row.iter().map(cell_of));
            // Trailing empty cells go; white space stays (it may be a value).
            while cells.last().is_some_and(Cell::is_empty) {
                cells.pop();
            }
            grid.push(cells);
        }
        let mut grid = grid.into_iter();
        let columns = grid
            .next()
            .unwrap_or_default()
            .iter()
            .map(|cell| Column::new(header_text(cell), Style::General))
            .collect();
        let mut rows: Vec<Vec<Cell>> = grid.collect();
        while rows.last().is_some_and(|row| row.is_empty()) {
            rows.pop();
        }
        sheets.push(Sheet {
            name,
            columns,
            rows,
            frozen_columns: 0,
        });
    }
    Ok(sheets)
}

fn cell_of(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(text) => Cell::Text(text.clone()),
        Data::Float(value) => Cell::Number(*value),
        Data::Int(value) => Cell::Number(*value as f64),
        Data::Bool(value) => Cell::Bool(*value),
        Data::DateTime(date) => Cell::Date(date.as_f64()),
        Data::DateTimeIso(text) | Data::DurationIso(text) => Cell::Text(text.clone()),
        Data::Error(error) => Cell::Text(error.to_string()),
    }
}

/// A header cell as text; a date (Excel's reading of a typed `2025-01`)
/// becomes its month label.
fn header_text(cell: &Cell) -> String {
    match cell {
        Cell::Date(serial) => crate::dates::month_label(*serial),
        other => other.display(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// White space is text, not an empty cell, even at the end of a row.
    #[test]
    fn white_space_cells_survive_a_workbook() {
        let texts = ["\t", " ", "  x ", "\n", "a\tb"];
        let sheet = Sheet {
            name: "s".into(),
            columns: vec![Column::new("h", Style::Text)],
            rows: texts.iter().map(|t| vec![Cell::text(*t)]).collect(),
            frozen_columns: 0,
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("w.xlsx");
        write_xlsx(&path, std::slice::from_ref(&sheet)).expect("written");
        let back = read_xlsx(&path).expect("read");
        assert_eq!(back[0].rows, sheet.rows);
    }

    /// The workbook written in memory reads back as the one written to a
    /// file.
    #[test]
    fn a_workbook_in_memory_reads_back() {
        let sheet = Sheet {
            name: "s".into(),
            columns: vec![
                Column::new("h", Style::Text),
                Column::new("n", Style::Quantity),
            ],
            rows: vec![vec![Cell::text("a"), Cell::Number(7341.5)]],
            frozen_columns: 0,
        };
        let bytes = xlsx_bytes(std::slice::from_ref(&sheet)).expect("written");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("m.xlsx");
        std::fs::write(&path, bytes).expect("saved");
        let back = read_xlsx(&path).expect("read");
        assert_eq!(back[0].rows, sheet.rows);
    }
}
