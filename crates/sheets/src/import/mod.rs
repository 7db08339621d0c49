//! Sheets back to a scenario.
//!
//! The sheets are turned into the TOML text the scenario loader reads (one
//! key per line, each line remembering its cell), and the loader validates
//! it: every rule of the spec is checked exactly as for a scenario file,
//! and each diagnostic is reported at the cell it came from. Problems only
//! a workbook can have (unknown sheets or columns, text in a number cell, a
//! child row whose parent is missing) are found here first; a loader
//! diagnostic on a cell already reported is dropped.

mod doc;
mod table;

use std::collections::{HashMap, HashSet};

use caisson_model::{Calendar, PeriodKind, Scenario};
use caisson_scenario::{Code, Diagnostic};

use crate::dates::month_label;
use crate::error::{ColumnRef, SheetError};
use crate::layout::{self, header_key, SETTINGS, SHEETS};
use crate::sheet::{number_text, Cell, Sheet};
use caisson_scenario::schema::{self, facility, line, product, EntitySchema, FieldSchema};
use caisson_scenario::toml_string as string;
use doc::Doc;
pub use doc::Origin;
use table::{literal, nearest, Table};

/// The name the generated TOML has in loader diagnostics (never shown:
/// every place is translated back to a cell).
const SOURCE: &str = "<workbook>";

/// A scenario read from sheets.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The validated scenario.
    pub scenario: Scenario,
    /// Warnings (the scenario is valid despite them), located by cell.
    pub warnings: Vec<SheetError>,
}

/// Every problem found so far, and the cells and rows they are on (so
/// that the loader's view of the same cell is not reported twice).
#[derive(Default)]
pub(crate) struct Problems {
    list: Vec<SheetError>,
    cells: HashSet<(String, usize, String)>,
    rows: HashSet<(String, usize)>,
}

impl Problems {
    pub fn push(&mut self, problem: SheetError) {
        if let (Some(sheet), Some(row)) = (&problem.sheet, problem.row) {
            if problem.is_error() {
                self.rows.insert((sheet.clone(), row));
                if let Some(column) = &problem.column {
                    self.cells
                        .insert((sheet.clone(), row, column.letter.clone()));
                }
            }
        }
        self.list.push(problem);
    }

    /// Whether an error of ours already covers where `problem` is.
    fn covers(&self, problem: &SheetError) -> bool {
        match (&problem.sheet, problem.row, &problem.column) {
            (Some(sheet), Some(row), Some(column)) => {
                self.cells
                    .contains(&(sheet.clone(), row, column.letter.clone()))
            }
            (Some(sheet), Some(row), None) => self.rows.contains(&(sheet.clone(), row)),
            _ => false,
        }
    }
}

/// Reads a scenario from `sheets` (as [`crate::read_xlsx`] or
/// [`crate::read_csv_dir`] give them; sheet names are matched ignoring
/// case, `plan_*` sheets are skipped).
///
/// On success the scenario is valid (the loader checked every rule of the
/// spec). Otherwise every problem found is returned, errors and warnings,
/// each naming its sheet, row and column where it has one, in sheet order.
pub fn sheets_to_scenario(sheets: &[Sheet]) -> Result<Imported, Vec<SheetError>> {
    let mut problems = Problems::default();
    let known: Vec<&'static str> = [layout::SCENARIO]
        .into_iter()
        .chain(SHEETS.iter().map(|s| s.name))
        .collect();
    let by_name = index(sheets, &known, "a scenario workbook", &mut problems);
    let mut doc = Doc::default();
    let calendar = match by_name.get(layout::SCENARIO) {
        Some(sheet) => settings(&mut doc, sheet, &mut problems),
        None => {
            problems.push(
                SheetError::new(
                    "missing-sheet",
                    "the workbook has no `scenario` sheet".to_owned(),
                )
                .hint(
                    "add a sheet named `scenario` with two columns, field and value, \
                     and rows for at least name, start and periods",
                ),
            );
            None
        }
    };
    let mut tables: HashMap<&str, Table> = HashMap::new();
    for spec in SHEETS {
        if let Some(sheet) = by_name.get(spec.name) {
            tables.insert(
                spec.name,
                Table::new(sheet, spec, calendar.as_ref(), &mut problems),
            );
        }
    }
    let mut writer = Writer {
        doc: &mut doc,
        problems: &mut problems,
        tables: &tables,
        calendar,
    };
    writer.entities(layout::ACTORS);
    writer.products();
    writer.facilities();
    writer.entities(layout::ROUTES);
    writer.entities(layout::DEMANDS);
    writer.entities(layout::CONTRACTS);
    writer.entities(layout::POLICIES);
    writer.entities(layout::UNCERTAINTY);
    writer.entities(layout::ASSUMPTIONS);

    // Without settings the loader would only add noise (every `[scenario]`
    // field missing) to the error already given.
    let loaded = by_name
        .contains_key(layout::SCENARIO)
        .then(|| caisson_scenario::load_str(doc.text(), SOURCE));
    let diagnostics: Vec<Diagnostic> = match &loaded {
        Some(Ok(loaded)) => loaded.warnings.clone(),
        Some(Err(error)) => error.diagnostics().to_vec(),
        None => Vec::new(),
    };
    for diagnostic in &diagnostics {
        let problem = translate(diagnostic, &doc);
        if !problems.covers(&problem) {
            problems.push(problem);
        }
    }
    let list = sorted(problems.list);
    match loaded {
        Some(Ok(loaded)) if !list.iter().any(SheetError::is_error) => Ok(Imported {
            scenario: loaded.scenario,
            warnings: list,
        }),
        _ => Err(list),
    }
}

/// Problems in sheet order (settings first, then the layout's order), then
/// by row and column.
fn sorted(mut list: Vec<SheetError>) -> Vec<SheetError> {
    let order = |p: &SheetError| {
        let sheet = p.sheet.as_deref().map_or(usize::MAX, |name| {
            let key = header_key(name);
            if key == layout::SCENARIO {
                0
            } else {
                SHEETS
                    .iter()
                    .position(|s| s.name == key)
                    .map_or(usize::MAX - 1, |i| i + 1)
            }
        });
        let column = p
            .column
            .as_ref()
            .map(|c| (c.letter.len(), c.letter.clone()));
        (sheet, p.row, column)
    };
    list.sort_by_key(order);
    list
}

/// The sheets by canonical name among `known`, reporting unknown and
/// repeated ones (`what` names the kind of workbook in the hint).
fn index<'s>(
    sheets: &'s [Sheet],
    known: &[&'static str],
    what: &str,
    problems: &mut Problems,
) -> HashMap<&'static str, &'s Sheet> {
    let mut by_name = HashMap::new();
    for sheet in sheets {
        let key = header_key(&sheet.name);
        if key.starts_with(layout::PLAN_PREFIX) {
            continue;
        }
        let Some(&canonical) = known.iter().find(|&&k| k == key) else {
            let hint = match nearest(&key, known) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!(
                    "{what} has the sheets {}; remove or rename this one",
                    known.join(", ")
                ),
            };
            problems.push(
                SheetError::new("unknown-sheet", format!("unknown sheet `{}`", sheet.name))
                    .in_sheet(&sheet.name)
                    .hint(hint),
            );
            continue;
        };
        if by_name.insert(canonical, sheet).is_some() {
            problems.push(
                SheetError::new("duplicate-sheet", format!("a second `{canonical}` sheet"))
                    .in_sheet(&sheet.name)
                    .hint("merge the two sheets into one"),
            );
        }
    }
    by_name
}

/// Writes `[scenario]` from the field/value sheet; gives the horizon when
/// `start`, `period` and `periods` are valid.
fn settings(doc: &mut Doc, sheet: &Sheet, problems: &mut Problems) -> Option<Calendar> {
    let name = sheet.name.as_str();
    let column = |index: usize| {
        ColumnRef::new(
            index,
            sheet.columns.get(index).map_or("", |c| c.header.as_str()),
        )
    };
    doc.header("[scenario]", Origin::row(name, 1));
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let (mut start, mut period, mut periods) = (None, None, None);
    for (i, cells) in sheet.rows.iter().enumerate() {
        let row = Sheet::row_number(i);
        let key_cell = cells.first().unwrap_or(&Cell::Empty);
        let value = cells.get(1).unwrap_or(&Cell::Empty);
        if let Some(extra) = cells.iter().skip(2).position(|c| !c.is_blank()) {
            problems.push(
                SheetError::new("unexpected-value", "a value beyond the value column")
                    .in_sheet(name)
                    .at_row(row)
                    .at_column(column(extra + 2))
                    .hint("the scenario sheet has two columns: field and value"),
            );
        }
        if key_cell.is_blank() {
            if !value.is_blank() {
                problems.push(
                    SheetError::new("missing-value", "a value without a field name")
                        .in_sheet(name)
                        .at_row(row)
                        .at_column(column(0))
                        .hint("write the field name (e.g. `currency`) in column A"),
                );
            }
            continue;
        }
        let key = header_key(&key_cell.display());
        let Some(field) = SETTINGS.iter().find(|f| f.name == key) else {
            let known: Vec<&str> = SETTINGS.iter().map(|f| f.name).collect();
            let hint = if key == "extends" {
                "a workbook holds a whole scenario; export the merged variant instead".to_owned()
            } else if let Some(near) = nearest(&key, &known) {
                format!("did you mean `{near}`?")
            } else {
                format!("the fields are {}", known.join(", "))
            };
            problems.push(
                SheetError::new(
                    "unknown-field",
                    format!("unknown field `{}`", key_cell.display()),
                )
                .in_sheet(name)
                .at_row(row)
                .at_column(column(0))
                .hint(hint),
            );
            continue;
        };
        if let Some(first) = seen.insert(field.name, row) {
            problems.push(
                SheetError::new(
                    "duplicate-field",
                    format!("`{}` is given twice", field.name),
                )
                .in_sheet(name)
                .at_row(row)
                .at_column(column(0))
                .hint(format!("keep one of rows {first} and {row}")),
            );
            continue;
        }
        let origin = Origin::cell(name, row, column(1));
        let toml = match literal(field.kind, value, None) {
            Ok(Some(toml)) => toml,
            // A description row with no value is an empty description;
            // other empty values take their default.
            Ok(None) if field.name == "description" => string(""),
            Ok(None) => {
                if field.required {
                    problems.push(
                        SheetError::new("missing-value", format!("`{}` is required", field.name))
                            .in_sheet(name)
                            .at_row(row)
                            .at_column(column(1)),
                    );
                }
                continue;
            }
            Err(bad) => {
                problems.push(bad_cell(bad, name, row, column(1)));
                string(&value.display())
            }
        };
        match field.name {
            "start" => start = plain_label(value),
            "period" => period = Some(value.display().trim().to_owned()),
            "periods" => periods = plain_number(value),
            _ => {}
        }
        doc.field(field.name, &toml, origin);
    }
    for field in SETTINGS.iter().filter(|f| f.required) {
        if !seen.contains_key(field.name) {
            problems.push(
                // Placed on the header row, where the loader's report of
                // the same missing field lands (and is then dropped).
                SheetError::new("missing-field", format!("no `{}` row", field.name))
                    .in_sheet(name)
                    .at_row(1)
                    .hint(format!(
                        "add a row with `{}` in column A and its value in column B",
                        field.name
                    )),
            );
        }
    }
    let kind = match &period {
        None => PeriodKind::Month,
        Some(text) => PeriodKind::from_name(text)?,
    };
    let (start_kind, start) = PeriodKind::parse_any(&start?).ok()?;
    let periods = periods?;
    let valid = start_kind == kind
        && periods.fract() == 0.0
        && periods >= 1.0
        && periods <= f64::from(caisson_scenario::MAX_PERIODS);
    valid.then_some(Calendar {
        kind,
        start,
        periods: periods as usize,
    })
}

fn bad_cell(bad: table::Bad, sheet: &str, row: usize, column: ColumnRef) -> SheetError {
    bad.at(sheet, row, column)
}

fn plain_label(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Text(text) => Some(text.trim().to_owned()),
        Cell::Number(value) => Some(number_text(*value)),
        Cell::Date(serial) => Some(month_label(*serial)),
        _ => None,
    }
}

fn plain_number(cell: &Cell) -> Option<f64> {
    match cell {
        Cell::Number(value) => Some(*value),
        Cell::Text(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// A loader diagnostic, placed at the cell its TOML line came from.
fn translate(diagnostic: &Diagnostic, doc: &Doc) -> SheetError {
    let origin = diagnostic
        .line
        .and_then(|line| doc.origin(line, diagnostic.column));
    let message = match (&diagnostic.entity, origin) {
        (Some(entity), None) => format!("{entity}: {}", diagnostic.message),
        _ => diagnostic.message.clone(),
    };
    let mut problem = SheetError::new(diagnostic.code.as_str(), message);
    problem.severity = diagnostic.severity;
    if let Some(origin) = origin {
        problem.sheet = Some(origin.sheet.clone());
        problem.row = origin.row;
        // A missing field belongs to the row, not to whichever cell the
        // entity's first line came from.
        if diagnostic.code != Code::MissingField {
            problem.column = origin.column.clone();
        }
    }
    problem.hint = diagnostic.hint.as_deref().map(|hint| places(hint, doc));
    problem
}

/// Rewrites `<workbook>:LINE` references in a hint as the cell's place.
fn places(hint: &str, doc: &Doc) -> String {
    let marker = format!("{SOURCE}:");
    let mut out = String::new();
    let mut rest = hint;
    while let Some(at) = rest.find(&marker) {
        out.push_str(&rest[..at]);
        let after = &rest[at + marker.len()..];
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        let place = after[..digits]
            .parse()
            .ok()
            .and_then(|line| doc.origin(line, None))
            .map(|origin| {
                let mut p = SheetError::new("", "");
                p.sheet = Some(origin.sheet.clone());
                p.row = origin.row;
                p.place()
            });
        out.push_str(&place.unwrap_or_else(|| "another row".to_owned()));
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

/// A contribution read from sheets: the fragment's TOML (as the platform's
/// contribution endpoint reads it) and where each of its lines came from.
pub struct ImportedFragment {
    doc: Doc,
}

impl ImportedFragment {
    /// The fragment as TOML: `[[facility]]` (with stock, lines, line
    /// products and expansions), `[[demand]]` and `[[policy]]` tables, in
    /// sheet order, schedules as one value per period of the horizon.
    pub fn toml(&self) -> &str {
        self.doc.text()
    }

    /// The cell that wrote 1-based `line` (and character `column`) of
    /// [`ImportedFragment::toml`], for placing a diagnostic about the text.
    pub fn place(&self, line: usize, column: Option<usize>) -> Option<&Origin> {
        self.doc.origin(line, column)
    }

    /// The cell of the value of `key` (as TOML writes it, e.g.
    /// `"2026-01"`) in the table whose header is on 1-based `line`: a
    /// diagnostic located at a table (a schedule) but naming one of its
    /// keys belongs to that key's cell.
    pub fn place_of_key(&self, line: usize, key: &str) -> Option<&Origin> {
        let prefix = format!("{key} = ");
        self.doc
            .text()
            .lines()
            .enumerate()
            .skip(line)
            .take_while(|(_, text)| !text.starts_with('['))
            .find(|(_, text)| text.starts_with(&prefix))
            .and_then(|(index, _)| self.doc.origin(index + 1, Some(prefix.chars().count() + 1)))
    }
}

/// Reads a contribution (a scenario fragment) from `sheets`, laid out as
/// [`crate::fragment_to_sheets`] writes it: only the sheets of facilities
/// (with stock, lines, line products, expansions), demands and policies;
/// no settings sheet, the period columns being those of `calendar` (the
/// round's horizon). Sheet names are matched ignoring case; `plan_*`
/// sheets are skipped; any other sheet is an error.
///
/// The fragment cannot be checked alone (it refers to the round's actors
/// and products): what is checked here is what only a workbook can get
/// wrong (unknown sheets and columns, text in a number cell, a child row
/// without its parent); the rules of the model are the caller's to check
/// on the TOML, placing each diagnostic with [`ImportedFragment::place`].
pub fn sheets_to_fragment(
    sheets: &[Sheet],
    calendar: Calendar,
) -> Result<ImportedFragment, Vec<SheetError>> {
    let mut problems = Problems::default();
    let known: Vec<&'static str> = SHEETS
        .iter()
        .map(|s| s.name)
        .filter(|name| crate::fragment::FRAGMENT_SHEETS.contains(name))
        .collect();
    let by_name = index(sheets, &known, "a contribution's workbook", &mut problems);
    let mut doc = Doc::default();
    let mut tables: HashMap<&str, Table> = HashMap::new();
    for spec in SHEETS {
        if let Some(sheet) = by_name.get(spec.name) {
            tables.insert(
                spec.name,
                Table::new(sheet, spec, Some(&calendar), &mut problems),
            );
        }
    }
    let mut writer = Writer {
        doc: &mut doc,
        problems: &mut problems,
        tables: &tables,
        calendar: Some(calendar),
    };
    writer.facilities();
    writer.entities(layout::DEMANDS);
    writer.entities(layout::POLICIES);
    let list = sorted(problems.list);
    if list.iter().any(SheetError::is_error) {
        Err(list)
    } else {
        Ok(ImportedFragment { doc })
    }
}

/// Writes the entity sheets into the document.
struct Writer<'w, 't> {
    doc: &'w mut Doc,
    problems: &'w mut Problems,
    tables: &'w HashMap<&'static str, Table<'t>>,
    calendar: Option<Calendar>,
}

/// Child rows grouped by their parent's key, in sheet order.
type Groups<'t> = HashMap<Vec<String>, Vec<(usize, &'t [Cell])>>;

impl<'t> Writer<'_, 't> {
    fn kind(&self) -> Option<PeriodKind> {
        self.calendar.map(|c| c.kind)
    }

    /// Writes every field of the row's own entity (the columns after its
    /// parent's) that `row` has, as `name = value`.
    fn fields(&mut self, table: &Table, row: usize, cells: &[Cell]) {
        for field in table.spec.own_fields() {
            let value = table.value(self.problems, row, cells, field.name, self.kind());
            if let Some(value) = value {
                self.doc.field(field.name, &value.toml, value.origin);
            }
        }
    }

    /// The `[[...]]` header of the entities of `table`'s rows.
    fn entity_header(&mut self, table: &Table, row: usize) {
        let header = table.spec.entity.map_or("", |e| e.table);
        self.doc.header(header, Origin::row(&table.sheet.name, row));
    }

    /// Top-level entities of one sheet: one `[[...]]` per row, every
    /// column a field, period columns as the schedule (`quantity`).
    fn entities(&mut self, sheet: &str) {
        let tables = self.tables;
        let Some(table) = tables.get(sheet) else {
            return;
        };
        for (row, cells) in table.rows() {
            self.entity_header(table, row);
            self.fields(table, row, cells);
            self.schedule(table, row, cells);
        }
    }

    /// The schedule of `table`'s period columns, if it has them: from
    /// `row`'s cells, as a table of every label of the horizon (so no
    /// step-function default applies).
    fn schedule(&mut self, table: &Table, row: usize, cells: &[Cell]) {
        let (Some(field), Some(entity)) = (table.spec.periods, table.spec.entity) else {
            return;
        };
        let field = field.name;
        // The section of the schedule under the entity's array of tables:
        // `[[facility.line]]` gives `[facility.line.capacity]`.
        let section = format!("{}.{field}", entity.table.trim_matches(['[', ']']));
        let Some(calendar) = self.calendar else {
            // The settings are invalid (and reported): a placeholder keeps
            // the loader from also calling the field missing.
            self.doc
                .field(field, "0", Origin::row(&table.sheet.name, row));
            return;
        };
        self.doc
            .header(&format!("[{section}]"), Origin::row(&table.sheet.name, row));
        for (t, value) in table
            .schedule(self.problems, row, cells)
            .into_iter()
            .enumerate()
        {
            if let Some(value) = value {
                self.doc.pair(
                    &string(&calendar.label(t)),
                    value.origin.clone(),
                    &value.toml,
                    value.origin,
                );
            }
        }
    }

    /// The ids of a parent sheet's rows, first occurrence only (a repeated
    /// id is the loader's to report).
    fn parents(&self, sheet: &str, key: &[&str]) -> Vec<(usize, &'t [Cell], Vec<String>)> {
        let Some(table) = self.tables.get(sheet) else {
            return Vec::new();
        };
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (row, cells) in table.rows() {
            let ids: Option<Vec<String>> = key.iter().map(|k| table.id(cells, k)).collect();
            if let Some(ids) = ids {
                if seen.insert(ids.clone()) {
                    out.push((row, cells, ids));
                }
            }
        }
        out
    }

    /// The rows of a child sheet grouped by the parent key in columns
    /// `key`; a row whose parent is not in `parents` is reported.
    fn children(
        &mut self,
        sheet: &str,
        key: &[&str],
        parents: &HashSet<Vec<String>>,
        parent_sheet: &str,
    ) -> Groups<'t> {
        let mut groups: Groups<'t> = HashMap::new();
        let tables = self.tables;
        let Some(table) = tables.get(sheet) else {
            return groups;
        };
        for (row, cells) in table.rows() {
            // Checks the key cells (reports empty or mistyped ones).
            for k in key {
                let _ = table.value(self.problems, row, cells, k, None);
            }
            let Some(ids) = key
                .iter()
                .map(|k| table.id(cells, k))
                .collect::<Option<Vec<String>>>()
            else {
                continue;
            };
            if !parents.contains(&ids) {
                let last = key.len() - 1;
                let what = if key.len() == 1 {
                    format!("no {} \"{}\" on sheet `{parent_sheet}`", key[0], ids[0])
                } else {
                    format!(
                        "no {} \"{}\" of {} \"{}\" on sheet `{parent_sheet}`",
                        key[last], ids[last], key[0], ids[0]
                    )
                };
                self.problems.push(
                    SheetError::new("unknown-parent", what)
                        .in_sheet(&table.sheet.name)
                        .at_row(row)
                        .at_column(
                            table
                                .origin(row, key[last])
                                .column
                                .unwrap_or_else(|| ColumnRef::new(0, "")),
                        )
                        .hint(format!(
                            "add it to `{parent_sheet}` first, or correct the id"
                        )),
                );
                continue;
            }
            groups.entry(ids).or_default().push((row, cells));
        }
        groups
    }

    /// `key = value` rows of a child table (inputs, stock), each key once.
    fn keyed(
        &mut self,
        sheet: &str,
        rows: &[(usize, &[Cell])],
        key: &str,
        value: &str,
        parent: &str,
    ) {
        let tables = self.tables;
        let Some(table) = tables.get(sheet) else {
            return;
        };
        let mut seen: HashMap<String, usize> = HashMap::new();
        for &(row, cells) in rows {
            let k = table.value(self.problems, row, cells, key, None);
            let v = table.value(self.problems, row, cells, value, None);
            let (Some(k), Some(v)) = (k, v) else { continue };
            if let Some(first) = seen.insert(k.toml.clone(), row) {
                self.problems.push(
                    SheetError::new(
                        "duplicate-entry",
                        format!("{key} {} is listed twice for {parent}", k.toml),
                    )
                    .in_sheet(&table.sheet.name)
                    .at_row(row)
                    .at_column(
                        k.origin
                            .column
                            .clone()
                            .unwrap_or_else(|| ColumnRef::new(0, "")),
                    )
                    .hint(format!("first on row {first}; keep one row")),
                );
                continue;
            }
            self.doc.pair(&k.toml, k.origin, &v.toml, v.origin);
        }
    }

    fn products(&mut self) {
        let parents = self.parents(layout::PRODUCTS, &["id"]);
        let ids: HashSet<Vec<String>> = parents.iter().map(|p| p.2.clone()).collect();
        let inputs = self.children(layout::INPUTS, &["product"], &ids, layout::PRODUCTS);
        let tables = self.tables;
        let Some(table) = tables.get(layout::PRODUCTS) else {
            return;
        };
        let first_rows: HashMap<usize, Vec<String>> = parents
            .into_iter()
            .map(|(row, _, ids)| (row, ids))
            .collect();
        for (row, cells) in table.rows() {
            self.entity_header(table, row);
            self.fields(table, row, cells);
            let Some(rows) = first_rows.get(&row).and_then(|ids| inputs.get(ids)) else {
                continue;
            };
            let header = child_table(&schema::PRODUCT, &product::inputs);
            self.doc
                .header(&header, Origin::row(&table.sheet.name, row));
            let parent = format!("product \"{}\"", first_rows[&row][0]);
            self.keyed(layout::INPUTS, rows, "input", "quantity", &parent);
        }
    }

    fn facilities(&mut self) {
        let parents = self.parents(layout::FACILITIES, &["id"]);
        let ids: HashSet<Vec<String>> = parents.iter().map(|p| p.2.clone()).collect();
        let stock = self.children(layout::STOCK, &["facility"], &ids, layout::FACILITIES);
        let lines = self.children(layout::LINES, &["facility"], &ids, layout::FACILITIES);
        let expansions = self.children(layout::EXPANSIONS, &["facility"], &ids, layout::FACILITIES);
        let line_ids: HashSet<Vec<String>> = self
            .parents(layout::LINES, &["facility", "id"])
            .into_iter()
            .filter(|(_, _, key)| ids.contains(&key[..1]))
            .map(|p| p.2)
            .collect();
        let line_products = self.children(
            layout::LINE_PRODUCTS,
            &["facility", "line"],
            &line_ids,
            layout::LINES,
        );
        let tables = self.tables;
        let Some(table) = tables.get(layout::FACILITIES) else {
            return;
        };
        let first_rows: HashMap<usize, Vec<String>> = parents
            .into_iter()
            .map(|(row, _, ids)| (row, ids))
            .collect();
        for (row, cells) in table.rows() {
            self.entity_header(table, row);
            self.fields(table, row, cells);
            let Some(key) = first_rows.get(&row) else {
                continue;
            };
            let parent = format!("facility \"{}\"", key[0]);
            if let Some(rows) = stock.get(key) {
                let header = child_table(&schema::FACILITY, &facility::stock);
                self.doc
                    .header(&header, Origin::row(&table.sheet.name, row));
                self.keyed(layout::STOCK, rows, "product", "quantity", &parent);
            }
            for &(line_row, line_cells) in lines.get(key).map_or(&[][..], Vec::as_slice) {
                self.line(line_row, line_cells, key, &line_products);
            }
            if let Some(expansion_table) = tables.get(layout::EXPANSIONS) {
                for &(e_row, e_cells) in expansions.get(key).map_or(&[][..], Vec::as_slice) {
                    self.entity_header(expansion_table, e_row);
                    self.fields(expansion_table, e_row, e_cells);
                }
            }
        }
    }

    fn line(&mut self, row: usize, cells: &[Cell], facility: &[String], products: &Groups<'t>) {
        let tables = self.tables;
        let Some(table) = tables.get(layout::LINES) else {
            return;
        };
        let sheet = table.sheet.name.as_str();
        self.entity_header(table, row);
        self.fields(table, row, cells);
        self.schedule(table, row, cells);
        let products_table = child_table(&schema::LINE, &line::products);
        self.doc.header(&products_table, Origin::row(sheet, row));
        let Some(id) = table.id(cells, "id") else {
            return;
        };
        let key = vec![facility[0].clone(), id.clone()];
        let Some(rows) = products.get(&key) else {
            return;
        };
        let Some(lp) = tables.get(layout::LINE_PRODUCTS) else {
            return;
        };
        let mut seen: HashMap<String, usize> = HashMap::new();
        for &(lp_row, lp_cells) in rows {
            let Some(product) = lp.value(self.problems, lp_row, lp_cells, "product", None) else {
                continue;
            };
            if let Some(first) = seen.insert(product.toml.clone(), lp_row) {
                self.problems.push(
                    SheetError::new(
                        "duplicate-entry",
                        format!(
                            "product {} is listed twice for line \"{id}\" of facility \"{}\"",
                            product.toml, facility[0]
                        ),
                    )
                    .in_sheet(&lp.sheet.name)
                    .at_row(lp_row)
                    .at_column(
                        product
                            .origin
                            .column
                            .clone()
                            .unwrap_or_else(|| ColumnRef::new(0, "")),
                    )
                    .hint(format!("first on row {first}; keep one row")),
                );
                continue;
            }
            let header = format!("{}.{}]", products_table.trim_end_matches(']'), product.toml);
            self.doc.header(&header, product.origin);
            self.fields(lp, lp_row, lp_cells);
        }
    }
}

/// The header of a table-valued field of an entity: `[facility.stock]`
/// for the `stock` of a `[[facility]]`.
fn child_table(entity: &EntitySchema, field: &FieldSchema) -> String {
    format!("[{}.{}]", entity.table.trim_matches(['[', ']']), field.name)
}
