//! Spreadsheets in, spreadsheets and maps out: the edge between farmhand and
//! the Excel files a job centre keeps.
//!
//! [`read_problem`] turns a workers sheet and a demands sheet (CSV) into a
//! valid [`farmhand::Problem`], or lists every issue with its file, line and
//! column. [`write_assignments_csv`], [`write_unfilled_csv`] and
//! [`write_standby_csv`] turn a solution back into sheets that open cleanly in
//! Excel, and [`geojson`] / [`write_geojson`] into a map for QGIS or
//! geojson.io.
//!
//! ```
//! use farmhand_sheets::{read_problem, write_assignments_csv, ReadOptions, SheetInput};
//!
//! let workers = SheetInput::new(
//!     "workers.csv",
//!     "id,name,lat,lon,skills,availability\n\
//!      w-봉동-1,김민준,35.94,127.16,harvest:3,2027-04-05..2027-04-06\n",
//! );
//! let demands = SheetInput::new(
//!     "demands.csv",
//!     "id,farm_id,lat,lon,start,end,workers_per_day,required_skills\n\
//!      d-1,딸기농장,35.93,127.15,2027-04-05,2027-04-06,1,harvest:2\n",
//! );
//! let problem = read_problem(&workers, &demands, &ReadOptions::default())?;
//! let solution = farmhand::solve(&problem)?;
//! assert_eq!(solution.summary.worker_days_filled, 2);
//!
//! let mut sheet = Vec::new();
//! write_assignments_csv(&problem, &solution, &mut sheet)?;
//! assert!(sheet.starts_with(b"\xEF\xBB\xBFdate,demand_id,farm_id,worker_id,crew,distance_km\r\n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The sheets
//!
//! The first line is the header. Header names are matched without regard to
//! case or surrounding spaces; columns may come in any order; cells are
//! trimmed; rows whose cells are all empty are skipped. A header that is not
//! a column below is an error (to catch typos), except `name` (people's
//! names, which counsellors keep beside the ids) and any header starting
//! with `#` (notes, phone numbers): those columns are ignored. A header with
//! tabs and no comma (Excel's "Unicode text") is read tab-separated.
//!
//! Workers (header [`WORKERS_HEADER`]); `id`, `lat`, `lon` and
//! `availability` are required columns, the others may be left out:
//!
//! | column | cell | example |
//! |---|---|---|
//! | `id` | text, required | `w-봉동-01` |
//! | `lat`, `lon` | degrees, required | `35.94`, `127.16` |
//! | `max_travel_km` | number; empty: the problem's default | `25` |
//! | `skills` | `skill:level` items separated by `;`, levels 1 to 5 | `harvest:3;pruning:1` |
//! | `availability` | dates and inclusive ranges `start..end` (or `start~end`) separated by `;` | `2027-04-01..2027-04-10;2027-04-15` |
//! | `max_days` | whole number >= 0 | `10` |
//! | `max_consecutive_days` | whole number >= 1 | `5` |
//! | `excluded_farms`, `preferred_farms` | farm ids separated by `;` | `f-12;f-30` |
//! | `crew` | text | `crew-삼례` |
//!
//! Demands (header [`DEMANDS_HEADER`]); all columns but `required_skills`
//! and `priority` are required:
//!
//! | column | cell | example |
//! |---|---|---|
//! | `id`, `farm_id` | text | `d-01`, `f-딸기-1` |
//! | `lat`, `lon` | degrees | `35.91`, `127.07` |
//! | `start`, `end` | dates, inclusive | `2027-04-05` |
//! | `workers_per_day` | whole number >= 1 | `4` |
//! | `required_skills` | as `skills` | `pruning:2` |
//! | `priority` | whole number 1 to 100; empty: 1 | `3` |
//!
//! Dates are `YYYY-MM-DD`; `YYYY/M/D` and `YYYY.M.D` (as Excel may write
//! them) are read too. Numbers use a dot for decimals. An empty optional cell
//! means the field's default. The meaning of every field is the wire
//! format's (`shared/spec/format.md`).
//!
//! # Encodings
//!
//! With [`Encoding::Auto`] (the default) a UTF-8 or UTF-16 byte order mark
//! decides; without one, a file that is valid UTF-8 is read as UTF-8 and any
//! other as CP949 (Excel's "CSV (comma delimited)" on a Korean Windows; a
//! superset of EUC-KR). A file that is neither is an `invalid_encoding`
//! issue naming the line of the first bad byte. [`Encoding::Utf8`] and
//! [`Encoding::Cp949`] force one.
//!
//! # Issues
//!
//! Reading is all or nothing: a problem that passed [`farmhand::validate`],
//! or a [`SheetErrors`] listing every [`SheetIssue`] of both files at once,
//! each with its file, line (the header is line 1) and column. Reading
//! issues have these codes:
//!
//! | code | what |
//! |---|---|
//! | `invalid_encoding` | the bytes are not text in the encoding |
//! | `empty_file` | no header line |
//! | `malformed_csv` | the text is not CSV (a quote that opens a cell and never closes, for one) |
//! | `missing_column` | a required column is not in the header |
//! | `unknown_column` | a header is no column of the sheet (a close one is suggested) |
//! | `duplicate_column` | a column appears twice |
//! | `extra_cells`, `unnamed_column` | a value in a column without a header |
//! | `missing_value` | a required cell is empty |
//! | `invalid_number`, `invalid_integer` | a number cell is not a number |
//! | `invalid_date` | a date or an availability item is not a date or range |
//! | `invalid_skill`, `invalid_skill_level`, `duplicate_skill` | a skills cell is not `skill:level;...` |
//!
//! Once every cell is read, the problem is validated, and each validation
//! issue (codes in `docs/errors.md`) is mapped from its JSON path to the row
//! and column: `workers[3].location.lat` is column `lat` of the fourth
//! worker's row. A cell with a reading issue is not reported again by
//! validation. Options come from the caller ([`ReadOptions::options`]); an
//! invalid one is an issue of file `options`, line 0.

mod decode;
mod geojson;
mod issue;
mod read;
mod write;

pub use decode::{Encoding, UnknownEncoding};
pub use geojson::{geojson, write_geojson};
pub use issue::{SheetErrors, SheetIssue};
pub use read::{
    read_problem, read_sheets, ReadOptions, SheetInput, Sheets, DEMANDS_HEADER, WORKERS_HEADER,
};
pub use write::{write_assignments_csv, write_standby_csv, write_unfilled_csv};
