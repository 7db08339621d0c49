//! A workbook with bad content gives errors that name the sheet, the row
//! and the column, all of them in one pass, and never panics.

use std::path::Path;

use caisson_sheets::{
    read_csv_dir, read_xlsx, scenario_to_sheets, sheets_to_scenario, write_csv_dir, Cell, Sheet,
    SheetError,
};
use proptest::prelude::*;

fn example_sheets() -> Vec<Sheet> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cli/tests/fixtures/example.toml");
    let scenario = caisson_scenario::load_path(&path)
        .expect("fixture")
        .scenario;
    scenario_to_sheets(&scenario).expect("exportable")
}

fn sheet<'a>(sheets: &'a mut [Sheet], name: &str) -> &'a mut Sheet {
    sheets.iter_mut().find(|s| s.name == name).expect("sheet")
}

/// The index of the column whose header starts with `prefix`.
fn col(sheet: &Sheet, prefix: &str) -> usize {
    sheet
        .columns
        .iter()
        .position(|c| c.header.starts_with(prefix))
        .expect("column")
}

fn errors(sheets: &[Sheet]) -> Vec<SheetError> {
    let problems = sheets_to_scenario(sheets).expect_err("invalid");
    problems.into_iter().filter(SheetError::is_error).collect()
}

/// Sheet, row, column letter and code of each error, for comparing.
fn places(errors: &[SheetError]) -> Vec<(String, usize, String, String)> {
    errors
        .iter()
        .map(|e| {
            (
                e.sheet.clone().unwrap_or_default(),
                e.row.unwrap_or(0),
                e.column
                    .as_ref()
                    .map_or(String::new(), |c| c.letter.clone()),
                e.code.clone(),
            )
        })
        .collect()
}

fn place(sheet: &str, row: usize, column: &str, code: &str) -> (String, usize, String, String) {
    (sheet.into(), row, column.into(), code.into())
}

#[test]
fn every_bad_cell_is_reported_at_its_place_in_one_pass() {
    let mut sheets = example_sheets();
    let demands = sheet(&mut sheets, "demands");
    let penalty = col(demands, "penalty");
    let product = col(demands, "product");
    demands.rows[1][penalty] = Cell::text("lots");
    demands.rows[0][product] = Cell::text("shel-155");
    let lines = sheet(&mut sheets, "lines");
    let first_period = col(lines, "2026-02");
    lines.rows[0][first_period] = Cell::Number(-5.0);
    let stock = sheet(&mut sheets, "stock");
    stock.rows[0][0] = Cell::text("nowhere");

    let errors = errors(&sheets);
    assert_eq!(
        places(&errors),
        [
            place("stock", 2, "A", "unknown-parent"),
            place("lines", 2, "D", "out-of-range"),
            place("demands", 2, "D", "unknown-product"),
            place("demands", 3, "E", "not-a-number"),
        ]
    );
    let text = |i: usize| errors[i].to_string();
    assert!(
        text(1).contains("column D (2026-02 (capacity units))"),
        "{}",
        text(1)
    );
    assert!(
        text(2).contains("did you mean \"shell-155\"?"),
        "{}",
        text(2)
    );
    assert!(
        text(3).starts_with(
            "error: sheet \"demands\", row 3, column E (penalty (EUR/unit/period)): \
             expected a number, found text \"lots\""
        ),
        "{}",
        text(3)
    );
}

#[test]
fn layout_problems_name_the_header_cell() {
    let mut sheets = example_sheets();
    let demands = sheet(&mut sheets, "demands");
    let penalty = col(demands, "penalty");
    demands.columns[penalty].header = "penalti (EUR)".into();
    // Drop the last period column: that period has no values now.
    demands.columns.pop();
    for row in &mut demands.rows {
        row.pop();
    }
    sheet(&mut sheets, "routes").name = "roads".into();
    let errors = errors(&sheets);
    let found = places(&errors);
    assert!(
        found.contains(&place("demands", 1, "E", "unknown-column")),
        "{found:?}"
    );
    assert!(
        found.contains(&place("demands", 1, "", "missing-column")),
        "{found:?}"
    );
    assert!(
        found.contains(&place("roads", 0, "", "unknown-sheet")),
        "{found:?}"
    );
    let unknown = errors
        .iter()
        .find(|e| e.code == "unknown-column")
        .expect("unknown");
    assert_eq!(
        unknown
            .hint
            .as_deref()
            .map(|h| h.starts_with("did you mean `penalty`?")),
        Some(true)
    );
    let missing: Vec<&SheetError> = errors
        .iter()
        .filter(|e| e.code == "missing-column")
        .collect();
    assert!(missing.iter().any(|e| e.message == "no `penalty` column"));
    assert!(missing
        .iter()
        .any(|e| e.message == "no column for period 2026-12"));
}

#[test]
fn duplicates_point_back_to_the_first_row() {
    let mut sheets = example_sheets();
    let demands = sheet(&mut sheets, "demands");
    let first = demands.rows[0].clone();
    demands.rows.push(first);
    let row = demands.rows.len() + 1;
    let stock = sheet(&mut sheets, "stock");
    let first = stock.rows[0].clone();
    stock.rows.push(first);
    let stock_row = stock.rows.len() + 1;

    let errors = errors(&sheets);
    let duplicate = errors
        .iter()
        .find(|e| e.code == "duplicate-id")
        .expect("duplicate id");
    assert_eq!(
        (duplicate.sheet.as_deref(), duplicate.row),
        (Some("demands"), Some(row))
    );
    assert_eq!(
        duplicate.hint.as_deref(),
        Some("first defined at sheet \"demands\", row 2"),
        "the hint names the first row, not a line of the generated TOML"
    );
    let entry = errors
        .iter()
        .find(|e| e.code == "duplicate-entry")
        .expect("duplicate stock");
    assert_eq!(
        (entry.sheet.as_deref(), entry.row),
        (Some("stock"), Some(stock_row))
    );
}

#[test]
fn a_workbook_without_settings_or_with_a_bad_horizon_is_refused() {
    let mut sheets = example_sheets();
    sheets.retain(|s| s.name != "scenario");
    let missing = errors(&sheets);
    assert_eq!(missing[0].code, "missing-sheet");

    let mut sheets = example_sheets();
    let settings = sheet(&mut sheets, "scenario");
    let periods = settings
        .rows
        .iter()
        .position(|r| r[0] == Cell::text("periods"))
        .expect("periods row");
    settings.rows[periods][1] = Cell::text("twelve");
    let found = places(&errors(&sheets));
    let row = periods + 2;
    assert_eq!(found[0], place("scenario", row, "B", "not-a-number"));
}

/// A workbook typed by hand (not by our writer): defaults, blank cells,
/// a month label that the spreadsheet turned into a date, and one bad cell.
#[test]
fn hand_written_workbook_is_read_with_positions() {
    use rust_xlsxwriter::{Format, Workbook};
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("hand.xlsx");
    let mut workbook = Workbook::new();
    let write = |workbook: &mut Workbook, name: &str, rows: &[&[&str]]| {
        let ws = workbook.add_worksheet();
        ws.set_name(name).expect("name");
        for (r, row) in rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match text.parse::<f64>() {
                    Ok(n) => ws.write_number(r, c, n).map(|_| ()),
                    Err(_) if text.is_empty() => Ok(()),
                    Err(_) => ws.write_string(r, c, *text).map(|_| ()),
                }
                .expect("write");
            }
        }
    };
    write(
        &mut workbook,
        "Scenario",
        &[
            &["field", "value"],
            &["name", "hand"],
            &["start", "2025-01"],
            &["periods", "2"],
        ],
    );
    write(
        &mut workbook,
        "Actors",
        &[&["id"], &["DEU"], &["", ""], &["UKR"]],
    );
    write(&mut workbook, "products", &[&["id"], &["shell"]]);
    write(
        &mut workbook,
        "demands",
        &[
            &[
                "id",
                "buyer",
                "end user",
                "product",
                "penalty (EUR/unit/period)",
            ],
            &["d", "DEU", "UKR", "shell", "100", "5", ""],
            &["e", "DEU", "", "shell", "100", "ten", "3"],
        ],
    );
    // The period headers: one a date (what Excel makes of a typed
    // `2025-01`), one text.
    let ws = workbook.worksheet_from_name("demands").expect("sheet");
    let date = Format::new().set_num_format("yyyy-mm");
    ws.write_number_with_format(0, 5, 45_658.0, &date)
        .expect("date");
    ws.write_string(0, 6, "2025-02 (units)").expect("label");
    workbook.save(&path).expect("save");

    let sheets = read_xlsx(&path).expect("read");
    let errors = errors(&sheets);
    assert_eq!(places(&errors), [place("demands", 3, "F", "not-a-number")]);
    assert_eq!(
        errors[0].column.as_ref().map(|c| c.header.as_str()),
        Some("2025-01"),
        "the date header reads as its month label"
    );

    // Fixed, it imports, with the defaults filled in and blanks as 0.
    let mut sheets = sheets;
    let demands = sheet(&mut sheets, "demands");
    demands.rows[1][5] = Cell::Number(10.0);
    let imported =
        sheets_to_scenario(&sheets).unwrap_or_else(|e| panic!("{}", caisson_sheets::render(&e)));
    let s = imported.scenario;
    assert_eq!(s.actors.len(), 2, "the blank row is skipped");
    assert_eq!(s.actors[0].name, "DEU");
    assert_eq!(s.demands[0].quantity, [5.0, 0.0]);
    assert_eq!(s.demands[1].quantity, [10.0, 3.0]);
    assert_eq!(s.demands[1].end_user, s.demands[1].buyer);
    assert!(s.demands[0].backlog);
    assert_eq!(s.currency, "EUR");
}

#[test]
fn an_edited_csv_file_gives_its_row_and_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_csv_dir(dir.path(), &example_sheets()).expect("write");
    let file = dir.path().join("routes.csv");
    let text = std::fs::read_to_string(&file).expect("routes.csv");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    // Row 2, column C: the lead time of the first route.
    let mut fields: Vec<String> = lines[1].split(',').map(str::to_owned).collect();
    fields[2] = "1.5".into();
    lines[1] = fields.join(",");
    std::fs::write(&file, lines.join("\n")).expect("write back");

    let sheets = read_csv_dir(dir.path()).expect("read");
    let errors = errors(&sheets);
    assert_eq!(places(&errors), [place("routes", 2, "C", "not-integer")]);
    assert_eq!(
        errors[0].column.as_ref().map(|c| c.header.as_str()),
        Some("lead_time (periods)")
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever lands in any cell, the import answers without panicking,
    /// and every error it gives is placed on a sheet.
    #[test]
    fn garbage_in_any_cell_never_panics(
        picks in proptest::collection::vec((0usize..14, 0usize..8, 0usize..20, any::<u8>(), ".{0,6}"), 1..6)
    ) {
        let mut sheets = example_sheets();
        for (s, r, c, kind, text) in picks {
            let s = s % sheets.len();
            let sheet = &mut sheets[s];
            if sheet.rows.is_empty() { continue; }
            let r = r % sheet.rows.len();
            let row = &mut sheet.rows[r];
            if row.is_empty() { continue; }
            let c = c % row.len();
            row[c] = match kind % 5 {
                0 => Cell::Empty,
                1 => Cell::Text(text),
                2 => Cell::Number(f64::from(kind) - 100.0),
                3 => Cell::Bool(kind % 2 == 0),
                _ => Cell::Date(f64::from(kind) * 300.0),
            };
        }
        match sheets_to_scenario(&sheets) {
            Ok(_) => {}
            Err(problems) => {
                prop_assert!(problems.iter().any(SheetError::is_error));
                for p in problems.iter().filter(|p| p.is_error()) {
                    prop_assert!(p.sheet.is_some() || p.code == "bom-cycle", "{p}");
                }
            }
        }
    }
}
