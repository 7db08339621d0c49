//! Reading one entity sheet: matching its header row to the layout and
//! turning cells into TOML values, reporting every bad cell.

use caisson_model::{Calendar, PeriodKind};

use caisson_scenario::{toml_number as number, toml_string as string};

use super::doc::Origin;
use super::Problems;
use crate::dates::month_label;
use crate::error::{ColumnRef, SheetError};
use crate::layout::{header_base, header_key, Field, Kind, SheetSpec};
use crate::sheet::{number_text, Cell, Sheet};

/// An entity sheet with its columns matched to the layout.
pub(crate) struct Table<'a> {
    pub sheet: &'a Sheet,
    pub spec: &'static SheetSpec,
    /// Column index of each of `spec.fields` (None: no such column).
    fields: Vec<Option<usize>>,
    /// Column index of each horizon period, when the sheet has period
    /// columns and the horizon is known.
    periods: Vec<Option<usize>>,
}

/// A cell's value as TOML, and where it is.
pub(crate) struct Value {
    pub toml: String,
    pub origin: Origin,
}

impl<'a> Table<'a> {
    /// Matches the header row of `sheet` against `spec`, reporting unknown,
    /// duplicate and missing columns. `calendar` is the scenario's horizon
    /// when the settings sheet gives a valid one.
    pub fn new(
        sheet: &'a Sheet,
        spec: &'static SheetSpec,
        calendar: Option<&Calendar>,
        problems: &mut Problems,
    ) -> Table<'a> {
        let mut fields = vec![None; spec.fields.len()];
        let periods_count = match (spec.periods, calendar) {
            (Some(_), Some(c)) => c.periods,
            _ => 0,
        };
        let mut periods: Vec<Option<usize>> = vec![None; periods_count];
        let width = sheet
            .rows
            .iter()
            .map(Vec::len)
            .chain([sheet.columns.len()])
            .max()
            .unwrap_or(0);
        let name = sheet.name.as_str();
        for index in 0..width {
            let header = sheet.columns.get(index).map_or("", |c| c.header.as_str());
            let at = ColumnRef::new(index, header);
            let error = |code: &str, message: String| {
                SheetError::new(code, message)
                    .in_sheet(name)
                    .at_row(1)
                    .at_column(at.clone())
            };
            if header.trim().is_empty() {
                let used = sheet
                    .rows
                    .iter()
                    .position(|row| row.get(index).is_some_and(|c| !c.is_blank()));
                if let Some(first) = used {
                    problems.push(
                        error(
                            "missing-header",
                            "a column with values has no header".into(),
                        )
                        .hint(format!(
                            "name it in row 1 (its first value is in row {}), or clear the column",
                            Sheet::row_number(first)
                        )),
                    );
                }
                continue;
            }
            let key = header_key(header);
            if let Some(f) = spec.fields.iter().position(|f| f.name == key) {
                if fields[f].is_some() {
                    problems.push(error(
                        "duplicate-column",
                        format!("a second `{key}` column"),
                    ));
                } else {
                    fields[f] = Some(index);
                }
                continue;
            }
            if spec.periods.is_some() {
                let label = header_base(header);
                if let Ok((kind, absolute)) = PeriodKind::parse_any(label) {
                    let Some(calendar) = calendar else { continue };
                    if kind != calendar.kind {
                        problems.push(
                            error(
                                "wrong-label-kind",
                                format!(
                                    "`{label}` is a {kind} label but this scenario's periods are {}s",
                                    calendar.kind
                                ),
                            )
                            .hint(format!(
                                "period columns are labelled like `{}`",
                                calendar.kind.example_label()
                            )),
                        );
                        continue;
                    }
                    let offset = absolute - calendar.start;
                    match usize::try_from(offset)
                        .ok()
                        .filter(|&t| t < calendar.periods)
                    {
                        Some(t) if periods[t].is_some() => problems.push(error(
                            "duplicate-column",
                            format!("a second column for period {label}"),
                        )),
                        Some(t) => periods[t] = Some(index),
                        None => problems.push(
                            error(
                                "label-outside-horizon",
                                format!(
                                    "period {label} is outside the horizon; its column is ignored"
                                ),
                            )
                            .warning()
                            .hint(format!(
                                "the horizon is {}..{} (scenario sheet: start, periods)",
                                calendar.label(0),
                                calendar.label(calendar.periods - 1)
                            )),
                        ),
                    }
                    continue;
                }
            }
            let known: Vec<&str> = spec.fields.iter().map(|f| f.name).collect();
            let mut hint = match nearest(&key, &known) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("the columns of this sheet are {}", known.join(", ")),
            };
            if let (Some(unit), Some(c)) = (spec.period_unit(), calendar) {
                hint.push_str(&format!(
                    "; period columns are headed by their label, e.g. `{}`, in {unit}",
                    c.label(0)
                ));
            }
            problems.push(error("unknown-column", format!("unknown column `{header}`")).hint(hint));
        }
        for (field, column) in spec.fields.iter().zip(&fields) {
            if field.required && column.is_none() {
                problems.push(
                    SheetError::new("missing-column", format!("no `{}` column", field.name))
                        .in_sheet(name)
                        .at_row(1)
                        .hint(format!("add a column headed `{}` in row 1", field.name)),
                );
            }
        }
        if let (Some(unit), Some(calendar)) = (spec.period_unit(), calendar) {
            let missing: Vec<usize> = (0..periods.len())
                .filter(|&t| periods[t].is_none())
                .collect();
            if let (Some(&first), Some(&last)) = (missing.first(), missing.last()) {
                let which = if missing.len() == 1 {
                    format!("period {}", calendar.label(first))
                } else {
                    format!(
                        "{} periods ({}..{})",
                        missing.len(),
                        calendar.label(first),
                        calendar.label(last)
                    )
                };
                problems.push(
                    SheetError::new("missing-column", format!("no column for {which}"))
                        .in_sheet(name)
                        .at_row(1)
                        .hint(format!(
                            "every period of the horizon needs a column headed by its label, \
                             e.g. `{}` ({unit}; an empty cell counts as 0)",
                            calendar.label(first)
                        )),
                );
            }
        }
        Table {
            sheet,
            spec,
            fields,
            periods,
        }
    }

    /// The rows that hold any value, with their spreadsheet row numbers.
    pub fn rows(&self) -> impl Iterator<Item = (usize, &'a [Cell])> {
        self.sheet
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| row.iter().any(|c| !c.is_blank()))
            .map(|(i, row)| (Sheet::row_number(i), row.as_slice()))
    }

    fn field(&self, name: &str) -> Option<(&'static Field, usize)> {
        let f = self.spec.fields.iter().position(|f| f.name == name)?;
        Some((&self.spec.fields[f], self.fields[f]?))
    }

    fn column_ref(&self, index: usize) -> ColumnRef {
        let header = self
            .sheet
            .columns
            .get(index)
            .map_or("", |c| c.header.as_str());
        ColumnRef::new(index, header)
    }

    /// The origin of `row`'s cell in column `name` (or of the row, when the
    /// sheet has no such column).
    pub fn origin(&self, row: usize, name: &str) -> Origin {
        match self.field(name) {
            Some((_, index)) => Origin::cell(&self.sheet.name, row, self.column_ref(index)),
            None => Origin::row(&self.sheet.name, row),
        }
    }

    /// The trimmed text of an id cell, for grouping child rows under their
    /// parent; `None` when blank or not text. Reports nothing: `value`
    /// checks the same cell.
    pub fn id(&self, cells: &[Cell], name: &str) -> Option<String> {
        let (_, index) = self.field(name)?;
        let text = match cells.get(index)? {
            Cell::Text(text) => text.trim().to_owned(),
            Cell::Number(value) => number_text(*value),
            _ => return None,
        };
        (!text.is_empty()).then_some(text)
    }

    fn missing(&self, row: usize, field: &Field, index: usize) -> SheetError {
        SheetError::new("missing-value", format!("`{}` is required", field.name))
            .in_sheet(&self.sheet.name)
            .at_row(row)
            .at_column(self.column_ref(index))
            .hint(format!("fill in the `{}` cell", field.name))
    }

    /// The TOML value of `row`'s cell in column `name`: `None` when the
    /// column or the value is absent (an absent required value is
    /// reported). A cell of the wrong type is reported and written as a
    /// TOML string, so that the loader still sees the field.
    pub fn value(
        &self,
        problems: &mut Problems,
        row: usize,
        cells: &[Cell],
        name: &str,
        kind: Option<PeriodKind>,
    ) -> Option<Value> {
        let (field, index) = self.field(name)?;
        let cell = cells.get(index).unwrap_or(&Cell::Empty);
        let origin = Origin::cell(&self.sheet.name, row, self.column_ref(index));
        match literal(field.kind, cell, kind) {
            Ok(Some(toml)) => Some(Value { toml, origin }),
            Ok(None) => {
                if field.required {
                    problems.push(self.missing(row, field, index));
                }
                None
            }
            Err(bad) => {
                problems.push(bad.at(&self.sheet.name, row, self.column_ref(index)));
                Some(Value {
                    toml: string(&cell.display()),
                    origin,
                })
            }
        }
    }

    /// The values of `row`'s period columns, one per horizon period (an
    /// empty cell is 0; a bad cell is reported and written as a string).
    pub fn schedule(
        &self,
        problems: &mut Problems,
        row: usize,
        cells: &[Cell],
    ) -> Vec<Option<Value>> {
        self.periods
            .iter()
            .map(|column| {
                let index = (*column)?;
                let cell = cells.get(index).unwrap_or(&Cell::Empty);
                let origin = Origin::cell(&self.sheet.name, row, self.column_ref(index));
                let toml = match literal(Kind::Number, cell, None) {
                    Ok(Some(toml)) => toml,
                    Ok(None) => "0".to_owned(),
                    Err(bad) => {
                        problems.push(bad.at(&self.sheet.name, row, self.column_ref(index)));
                        string(&cell.display())
                    }
                };
                Some(Value { toml, origin })
            })
            .collect()
    }
}

/// Why a cell's content does not fit its column.
pub(crate) struct Bad {
    code: &'static str,
    message: String,
    hint: &'static str,
}

impl Bad {
    pub(crate) fn at(self, sheet: &str, row: usize, column: ColumnRef) -> SheetError {
        SheetError::new(self.code, self.message)
            .in_sheet(sheet)
            .at_row(row)
            .at_column(column)
            .hint(self.hint)
    }
}

fn describe(cell: &Cell) -> String {
    match cell {
        Cell::Empty => "an empty cell".to_owned(),
        Cell::Text(text) => format!("text \"{text}\""),
        Cell::Number(value) => format!("the number {}", number_text(*value)),
        Cell::Bool(value) => (if *value { "TRUE" } else { "FALSE" }).to_owned(),
        Cell::Date(serial) => format!("a date ({})", month_label(*serial)),
    }
}

/// The TOML literal of `cell` in a column of `kind`; `Ok(None)` for a
/// blank cell. `period` is the scenario's period kind, for reading dates
/// in label cells.
pub(crate) fn literal(
    kind: Kind,
    cell: &Cell,
    period: Option<PeriodKind>,
) -> Result<Option<String>, Bad> {
    // Free text keeps white space (a name may be a space); elsewhere a
    // cell of spaces is as good as empty.
    let blank = match (kind, cell) {
        (Kind::Text, Cell::Text(text)) => text.is_empty(),
        _ => cell.is_blank(),
    };
    if blank {
        return Ok(None);
    }
    let wrong = |code: &'static str, expected: &str, hint: &'static str| Bad {
        code,
        message: format!("expected {expected}, found {}", describe(cell)),
        hint,
    };
    let value = match (kind, cell) {
        (Kind::Id, Cell::Text(text)) => string(text.trim()),
        (Kind::Id | Kind::Text, Cell::Number(value)) => string(&number_text(*value)),
        (Kind::Id, _) => {
            return Err(wrong("not-an-id", "an id", "write the id as text"));
        }
        // `""` is the empty string; quotes only, one pair less (see export).
        (Kind::Text, Cell::Text(text)) if text.len() >= 2 && text.chars().all(|c| c == '"') => {
            string(&text[2..])
        }
        (Kind::Text, Cell::Text(text)) => string(text),
        (Kind::Text, Cell::Bool(value)) => string(&value.to_string()),
        (Kind::Text, _) => {
            return Err(wrong(
                "not-text",
                "text",
                "format the cell as text and retype it",
            ));
        }
        (Kind::Number | Kind::Integer, Cell::Number(value)) => number(*value),
        (Kind::Number | Kind::Integer, Cell::Text(text)) => match text.trim().parse::<f64>() {
            Ok(value) => number(value),
            Err(_) => {
                return Err(wrong(
                    "not-a-number",
                    if kind == Kind::Integer { "a whole number" } else { "a number" },
                    "write digits only, with `.` as the decimal point and no thousands separators or units",
                ));
            }
        },
        (Kind::Number | Kind::Integer, _) => {
            return Err(wrong(
                "not-a-number",
                if kind == Kind::Integer {
                    "a whole number"
                } else {
                    "a number"
                },
                "format the cell as a number and retype it",
            ));
        }
        (Kind::Bool, Cell::Bool(value)) => value.to_string(),
        (Kind::Bool, Cell::Number(value)) if *value == 0.0 || *value == 1.0 => {
            (*value == 1.0).to_string()
        }
        (Kind::Bool, Cell::Text(text)) => match text.trim().to_lowercase().as_str() {
            "true" | "yes" | "1" => "true".to_owned(),
            "false" | "no" | "0" => "false".to_owned(),
            _ => {
                return Err(wrong(
                    "not-a-boolean",
                    "TRUE or FALSE",
                    "write TRUE or FALSE (or leave it empty for the default)",
                ));
            }
        },
        (Kind::Bool, _) => {
            return Err(wrong(
                "not-a-boolean",
                "TRUE or FALSE",
                "write TRUE or FALSE (or leave it empty for the default)",
            ));
        }
        (Kind::List, Cell::Text(text)) => {
            let items: Vec<String> = text
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(string)
                .collect();
            format!("[{}]", items.join(", "))
        }
        (Kind::List, Cell::Number(value)) => format!("[{}]", string(&number_text(*value))),
        (Kind::List, _) => {
            return Err(wrong(
                "not-a-list",
                "a comma-separated list of ids",
                "write the ids separated by commas, e.g. `EU, NATO`",
            ));
        }
        (Kind::Targets, Cell::Text(text)) if text.trim() == "*" => string("*"),
        (Kind::Targets, _) => return literal(Kind::List, cell, period),
        (Kind::Range, Cell::Number(value)) => number(*value),
        (Kind::Range, Cell::Text(text)) => {
            let parse = |t: &str| t.trim().parse::<f64>().ok().map(number);
            let parsed = match text.split_once("..") {
                Some((min, max)) => parse(min)
                    .zip(parse(max))
                    .map(|(min, max)| format!("[{min}, {max}]")),
                None => parse(text),
            };
            match parsed {
                Some(toml) => toml,
                None => {
                    return Err(wrong(
                        "not-a-range",
                        "a number of periods or a range like 2..6",
                        "write one whole number, or MIN..MAX",
                    ));
                }
            }
        }
        (Kind::Range, _) => {
            return Err(wrong(
                "not-a-range",
                "a number of periods or a range like 2..6",
                "write one whole number, or MIN..MAX",
            ));
        }
        (Kind::Label, Cell::Text(text)) => string(text.trim()),
        (Kind::Label, Cell::Number(value)) if value.fract() == 0.0 => string(&number_text(*value)),
        (Kind::Label, Cell::Date(serial))
            if period != Some(PeriodKind::Year) && period != Some(PeriodKind::Quarter) =>
        {
            string(&month_label(*serial))
        }
        (Kind::Label, _) => {
            return Err(wrong(
                "bad-label",
                "a period label such as \"2025-01\"",
                "format the cell as text and type the label, e.g. 2025-01, 2025-Q1 or 2025",
            ));
        }
    };
    Ok(Some(value))
}

/// The nearest of `candidates` to `name`, if it is a likely typo.
pub(crate) fn nearest<'c>(name: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), *c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(kind: Kind, cell: Cell) -> Result<Option<String>, String> {
        literal(kind, &cell, Some(PeriodKind::Month)).map_err(|bad| bad.message)
    }

    #[test]
    fn cells_become_toml_by_column_kind() {
        assert_eq!(
            lit(Kind::Number, Cell::text(" 2.5 ")),
            Ok(Some("2.5".into()))
        );
        assert_eq!(lit(Kind::Integer, Cell::Number(3.0)), Ok(Some("3".into())));
        assert_eq!(
            lit(Kind::Number, Cell::text("12 t")),
            Err("expected a number, found text \"12 t\"".into())
        );
        assert_eq!(
            lit(Kind::Id, Cell::text(" DEU ")),
            Ok(Some("\"DEU\"".into()))
        );
        assert_eq!(
            lit(Kind::Id, Cell::Number(155.0)),
            Ok(Some("\"155\"".into()))
        );
        assert_eq!(lit(Kind::Text, Cell::text("\"\"")), Ok(Some("\"\"".into())));
        assert_eq!(lit(Kind::Text, Cell::text("  ")), Ok(Some("\"  \"".into())));
        assert_eq!(lit(Kind::Text, Cell::text("")), Ok(None));
        assert_eq!(
            lit(Kind::Text, Cell::text("\"\"\"\"")),
            Ok(Some(r#""\"\"""#.into()))
        );
        assert_eq!(lit(Kind::Id, Cell::text("  ")), Ok(None));
        assert_eq!(lit(Kind::Bool, Cell::text("yes")), Ok(Some("true".into())));
        assert_eq!(lit(Kind::Bool, Cell::Number(0.0)), Ok(Some("false".into())));
        assert!(lit(Kind::Bool, Cell::text("maybe")).is_err());
        assert_eq!(
            lit(Kind::List, Cell::text("EU, NATO,,")),
            Ok(Some("[\"EU\", \"NATO\"]".into()))
        );
        assert_eq!(
            lit(Kind::Label, Cell::Number(2025.0)),
            Ok(Some("\"2025\"".into()))
        );
        assert_eq!(
            lit(Kind::Label, Cell::Date(45_658.0)),
            Ok(Some("\"2025-01\"".into()))
        );
        assert!(lit(Kind::Number, Cell::Date(45_658.0)).is_err());
        assert_eq!(
            lit(Kind::Targets, Cell::text(" * ")),
            Ok(Some("\"*\"".into()))
        );
        assert_eq!(
            lit(Kind::Targets, Cell::text("a, b")),
            Ok(Some("[\"a\", \"b\"]".into()))
        );
        assert_eq!(
            lit(Kind::Range, Cell::text("2..6")),
            Ok(Some("[2, 6]".into()))
        );
        assert_eq!(lit(Kind::Range, Cell::Number(3.0)), Ok(Some("3".into())));
        assert!(lit(Kind::Range, Cell::text("2-6")).is_err());
    }

    #[test]
    fn nearest_names_typos_only() {
        assert_eq!(nearest("penalti", &["penalty", "price"]), Some("penalty"));
        assert_eq!(nearest("colour", &["penalty", "price"]), None);
    }
}
