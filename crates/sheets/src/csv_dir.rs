//! Sheets as a directory of CSV files, one `NAME.csv` per sheet.
//!
//! CSV has no types: every value is written as text (numbers in their
//! shortest exact form) and read back as text; the import parses each
//! column as its layout says.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::FileError;
use crate::sheet::{Cell, Column, Sheet, Style};

/// Writes each sheet to `dir/NAME.csv` (creating `dir`), header first,
/// every row padded to the header's width.
pub fn write_csv_dir(dir: &Path, sheets: &[Sheet]) -> Result<(), FileError> {
    fs::create_dir_all(dir).map_err(|source| FileError::Io {
        action: "create directory",
        path: dir.to_owned(),
        source,
    })?;
    for sheet in sheets {
        if sheet.name.is_empty() || sheet.name.contains(['/', '\\']) || sheet.name.starts_with('.')
        {
            return Err(FileError::Unsupported(format!(
                "sheet name \"{}\" cannot be a CSV file name",
                sheet.name
            )));
        }
        let path = dir.join(format!("{}.csv", sheet.name));
        let io = |source: std::io::Error| FileError::Io {
            action: "write",
            path: path.clone(),
            source,
        };
        let mut writer = csv::WriterBuilder::new()
            .flexible(true)
            .from_path(&path)
            .map_err(|e| io(e.into()))?;
        let width = sheet.columns.len();
        writer
            .write_record(sheet.columns.iter().map(|c| c.header.as_str()))
            .map_err(|e| io(e.into()))?;
        for row in &sheet.rows {
            let mut fields: Vec<String> = row.iter().map(Cell::display).collect();
            if fields.len() < width {
                fields.resize(width, String::new());
            }
            writer.write_record(&fields).map_err(|e| io(e.into()))?;
        }
        writer.flush().map_err(io)?;
    }
    Ok(())
}

/// Reads every `*.csv` file of `dir` (other files are ignored) as a sheet
/// named after the file, in file-name order. Cells are text (empty fields
/// are empty cells); a UTF-8 byte order mark, as spreadsheet programs
/// write it, is dropped.
pub fn read_csv_dir(dir: &Path) -> Result<Vec<Sheet>, FileError> {
    let entries = fs::read_dir(dir).map_err(|source| FileError::Io {
        action: "read directory",
        path: dir.to_owned(),
        source,
    })?;
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| FileError::Io {
            action: "read directory",
            path: dir.to_owned(),
            source,
        })?;
        let path = entry.path();
        let is_csv = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        if let (true, Some(stem)) = (is_csv, path.file_stem().and_then(|s| s.to_str())) {
            files.push((stem.to_owned(), path.clone()));
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|(name, path)| read_csv(name, &path))
        .collect()
}

fn read_csv(name: String, path: &Path) -> Result<Sheet, FileError> {
    let wrap = |source| FileError::Csv {
        path: path.to_owned(),
        source,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .map_err(wrap)?;
    let mut records = Vec::new();
    for record in reader.records() {
        let record = record.map_err(wrap)?;
        let mut cells: Vec<Cell> = record
            .iter()
            .map(|field| {
                if field.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(field.to_owned())
                }
            })
            .collect();
        // Trailing empty cells go; white space stays (it may be a value).
        while cells.last().is_some_and(Cell::is_empty) {
            cells.pop();
        }
        records.push(cells);
    }
    let mut records = records.into_iter();
    let columns = records
        .next()
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, cell)| {
            let text = cell.display();
            let text = if i == 0 {
                text.trim_start_matches('\u{feff}').to_owned()
            } else {
                text
            };
            Column::new(text, Style::General)
        })
        .collect();
    Ok(Sheet {
        name,
        columns,
        rows: records.collect(),
        frozen_columns: 0,
    })
}
