//! Scenarios and plans as spreadsheets: xlsx workbooks and directories of
//! CSV files, both ways.
//!
//! A scenario is laid out as one sheet per entity kind (`scenario`
//! settings as field/value rows, `actors`, `products`, `inputs`,
//! `facilities`, `stock`, `lines`, `line_products`, `expansions`,
//! `routes`, `demands`, `contracts`, `policies`, `uncertainty`,
//! `assumptions`), with schedules as one
//! column per period and units in the headers. [`scenario_to_sheets`] and
//! [`sheets_to_scenario`] are inverse: the round trip is lossless (the
//! scenario read back equals the one written). Importing goes through the
//! scenario loader, so a workbook is checked by exactly the rules of a
//! scenario file, and every problem names its sheet, row and column.
//!
//! A contribution to a platform round (a scenario fragment: facilities,
//! demands, policies) is laid out by [`fragment_to_sheets`] as the same
//! sheets, only those of its parts and without the settings sheet, and
//! read back into fragment TOML by [`sheets_to_fragment`] (the round's
//! server then checks it as any contribution).
//!
//! A plan (`caisson-plan/1` JSON) is laid out by [`plan_to_sheets`] as
//! `plan_*` sheets, which an import skips.
//!
//! ```
//! use caisson_sheets::{scenario_to_sheets, sheets_to_scenario};
//!
//! let loaded = caisson_scenario::load_str(
//!     r#"
//! [scenario]
//! name = "tiny"
//! start = "2026-01"
//! periods = 3
//!
//! [[actor]]
//! id = "DEU"
//!
//! [[product]]
//! id = "shell"
//!
//! [[demand]]
//! id = "d"
//! buyer = "DEU"
//! product = "shell"
//! quantity = { "2026-02" = 10 }
//! penalty = 100
//! "#,
//!     "tiny.toml",
//! )
//! .expect("valid scenario");
//! let mut sheets = scenario_to_sheets(&loaded.scenario).expect("no uncertainty");
//! let back = sheets_to_scenario(&sheets).expect("valid sheets");
//! assert_eq!(back.scenario, loaded.scenario);
//!
//! // Text in a number cell is reported where a spreadsheet shows it.
//! let demands = sheets.iter_mut().find(|s| s.name == "demands").expect("sheet");
//! demands.rows[0][4] = caisson_sheets::Cell::text("a lot");
//! let errors = sheets_to_scenario(&sheets).unwrap_err();
//! assert_eq!(
//!     errors[0].to_string(),
//!     "error: sheet \"demands\", row 2, column E (penalty (EUR/unit/period)): \
//!      expected a number, found text \"a lot\"\n  hint: write digits only, with `.` \
//!      as the decimal point and no thousands separators or units"
//! );
//! ```

mod csv_dir;
mod dates;
mod error;
mod export;
mod fragment;
mod import;
mod layout;
mod plan;
mod sheet;
mod xlsx;

pub use csv_dir::{read_csv_dir, write_csv_dir};
pub use error::{render, ColumnRef, FileError, Severity, SheetError};
pub use export::scenario_to_sheets;
pub use fragment::{fragment_to_sheets, Part, FRAGMENT_SHEETS};
pub use import::{sheets_to_fragment, sheets_to_scenario, Imported, ImportedFragment, Origin};
pub use layout::{
    ACTORS, ASSUMPTIONS, CONTRACTS, DEMANDS, EXPANSIONS, FACILITIES, INPUTS, LINES, LINE_PRODUCTS,
    PLAN_PREFIX, POLICIES, PRODUCTS, ROUTES, SCENARIO, STOCK, UNCERTAINTY,
};
pub use plan::plan_to_sheets;
pub use sheet::{column_letter, number_text, Cell, Column, Sheet, Style};
pub use xlsx::{read_xlsx, read_xlsx_bytes, write_xlsx, xlsx_bytes};
