//! Reading a workers sheet and a demands sheet into a valid [`Problem`].
//!
//! The read goes in three steps, and reports every issue of all three at once:
//! decode the bytes ([`crate::decode`]), split the text into a header and rows
//! and turn every cell into its wire value, then run [`farmhand::validate`] on
//! the problem and map each of its JSON paths back to a file, line and column.
//! A cell that cannot be read gets a placeholder so that the rest of its row
//! can still be validated; validation issues about such a placeholder are
//! dropped, so each bad cell is reported once.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashSet};

use farmhand::{DateRange, Demand, Instance, Issue, Location, Options, Problem, Worker};

use crate::decode::{decode, Encoding};
use crate::issue::{show, Issues, SheetErrors, SheetIssue};

/// One spreadsheet file: a name for messages and its raw bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SheetInput {
    /// The file name shown in every issue, e.g. `workers.csv`.
    pub name: String,
    /// The file's bytes, in any [`Encoding`] that [`ReadOptions::encoding`]
    /// accepts.
    pub bytes: Vec<u8>,
}

impl SheetInput {
    /// A sheet from its name and bytes.
    pub fn new(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Self {
        Self { name: name.into(), bytes: bytes.into() }
    }
}

/// How to read spreadsheets.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadOptions {
    /// The files' character encoding; `Auto` by default.
    pub encoding: Encoding,
    /// The problem's options (spreadsheets carry none); the spec's defaults
    /// by default.
    pub options: Options,
}

/// Spreadsheets read into a problem that passed validation.
#[derive(Debug, Clone)]
pub struct Sheets {
    /// The problem, workers and demands in row order.
    pub problem: Problem,
    /// The validated problem, ready for [`farmhand::solve_instance`].
    pub instance: Instance,
    /// Validation warnings (suspicious but legal input), each pointing at its
    /// row and column.
    pub warnings: Vec<SheetIssue>,
}

/// The documented header of the workers sheet, in its documented order.
pub const WORKERS_HEADER: &str = "id,lat,lon,max_travel_km,skills,availability,max_days,\
                                  max_consecutive_days,excluded_farms,preferred_farms,crew";

/// The documented header of the demands sheet, in its documented order.
pub const DEMANDS_HEADER: &str =
    "id,farm_id,lat,lon,start,end,workers_per_day,required_skills,priority";

/// Reads a workers sheet and a demands sheet into a problem with
/// `opts.options`, and validates it.
///
/// All or nothing: either a problem that passed [`farmhand::validate`], or
/// every issue found (encoding, header, cells, and validation issues mapped
/// back to their row and column). See [`read_sheets`] for the validated
/// instance and the warnings.
pub fn read_problem(
    workers: &SheetInput,
    demands: &SheetInput,
    opts: &ReadOptions,
) -> Result<Problem, SheetErrors> {
    read_sheets(workers, demands, opts).map(|sheets| sheets.problem)
}

/// Like [`read_problem`], and also returns the validated instance (so the
/// caller does not validate twice) and the warnings, located in the sheets.
pub fn read_sheets(
    workers: &SheetInput,
    demands: &SheetInput,
    opts: &ReadOptions,
) -> Result<Sheets, SheetErrors> {
    let mut issues = Issues::default();
    let worker_rows = load(workers, &WORKER_COLUMNS, opts.encoding, &mut issues)
        .map(|table| build_workers(&table, &mut issues));
    let demand_rows = load(demands, &DEMAND_COLUMNS, opts.encoding, &mut issues)
        .map(|table| build_demands(&table, &mut issues));

    // A file that could not be read at all (encoding, header) counts as
    // empty, so the other one is still validated: the issues of one file
    // depend only on that file.
    let (workers_list, worker_lines) = worker_rows.unwrap_or_default();
    let (demands_list, demand_lines) = demand_rows.unwrap_or_default();
    let problem = Problem {
        workers: workers_list,
        demands: demands_list,
        options: opts.options.clone(),
        ..Problem::default()
    };
    let source = SourceMap {
        workers_file: &workers.name,
        demands_file: &demands.name,
        worker_lines,
        demand_lines,
    };

    let placeholders: HashSet<(String, u64, Option<String>)> = issues
        .placeholders
        .into_iter()
        .map(|(file, line, column)| (file, line, Some(column)))
        .collect();
    let mut issues = issues.issues;
    match farmhand::validate(&problem) {
        Ok(instance) if issues.is_empty() => {
            let warnings = instance.warnings().iter().map(|w| source.locate(w, &problem)).collect();
            return Ok(Sheets { problem, instance, warnings });
        }
        Ok(_) => {}
        Err(err) => {
            for issue in &err.issues {
                let located = source.locate(issue, &problem);
                let key = (located.file.clone(), located.line, located.column.clone());
                // A one-day range with a bad date has a bad start and a bad
                // end, which read the same in a sheet: say it once.
                if !placeholders.contains(&key) && issues.last() != Some(&located) {
                    issues.push(located);
                }
            }
        }
    }
    // Stable: the issues of one row keep the order in which they were found
    // (cells left to right, then validation).
    issues.sort_by_key(|i| (source.file_rank(&i.file), i.line));
    Err(SheetErrors { issues })
}

// ---------------------------------------------------------------------------
// Columns and tables.
// ---------------------------------------------------------------------------

/// A documented column: its name and whether the header must have it.
struct Column {
    name: &'static str,
    required: bool,
}

const fn col(name: &'static str, required: bool) -> Column {
    Column { name, required }
}

const WORKER_COLUMNS: [Column; 11] = [
    col("id", true),
    col("lat", true),
    col("lon", true),
    col("max_travel_km", false),
    col("skills", false),
    col("availability", true),
    col("max_days", false),
    col("max_consecutive_days", false),
    col("excluded_farms", false),
    col("preferred_farms", false),
    col("crew", false),
];

const DEMAND_COLUMNS: [Column; 9] = [
    col("id", true),
    col("farm_id", true),
    col("lat", true),
    col("lon", true),
    col("start", true),
    col("end", true),
    col("workers_per_day", true),
    col("required_skills", false),
    col("priority", false),
];

/// A header whose column is read by nobody: people's names, which
/// counsellors keep beside the ids.
const IGNORED_COLUMNS: &[&str] = &["name"];

/// One file split into rows, with the position of each documented column.
struct Table<'a> {
    file: &'a str,
    columns: &'a [Column],
    /// For each documented column, the index of its cell in a row.
    position: Vec<Option<usize>>,
    rows: Vec<Row>,
}

struct Row {
    /// 1-based line where the row starts.
    line: u64,
    /// Trimmed cells.
    cells: Vec<String>,
}

impl Table<'_> {
    /// The trimmed cell of `column` in `row`; empty when the column or the
    /// cell is absent.
    fn cell<'r>(&self, row: &'r Row, column: &str) -> &'r str {
        let k = self.columns.iter().position(|c| c.name == column).expect("a documented column");
        self.position[k].and_then(|p| row.cells.get(p)).map_or("", String::as_str)
    }
}

/// Decodes a file and splits it into a header and rows. Returns `None` (with
/// the issues reported) when the file cannot be read as a table of these
/// columns: bad encoding, no header, unknown, duplicate or missing columns.
fn load<'a>(
    input: &'a SheetInput,
    columns: &'a [Column],
    encoding: Encoding,
    issues: &mut Issues,
) -> Option<Table<'a>> {
    let file = input.name.as_str();
    let text = decode(file, &input.bytes, encoding, issues)?;
    // Excel's "Unicode text" is tab-separated: a header with tabs and no
    // comma is read that way.
    let first_line = text.lines().next().unwrap_or("");
    let delimiter =
        if first_line.contains('\t') && !first_line.contains(',') { b'\t' } else { b',' };
    // The CSV reader takes a quote that never closes as one cell running to
    // the end of the file, so the rows after it would vanish unreported.
    if let Some(line) = unclosed_quote(&text, delimiter) {
        issues.push(
            file,
            line,
            None,
            "malformed_csv",
            "a cell opens a double quote here that is never closed, so every line after it \
             would be read as part of that cell; close the quote, or double it (\"\") for a \
             quote inside a cell"
                .to_owned(),
        );
        return None;
    }
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());

    let mut lines = LineCounter { text: &text, pos: 0, line: 1 };
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(err)) => {
            let line = err.position().map_or(1, |p| lines.line_at(p.byte()));
            issues.push(file, line, None, "malformed_csv", format!("cannot be read as CSV: {err}"));
            return None;
        }
        None => {
            let expected = header_of(columns);
            issues.push(
                file,
                1,
                None,
                "empty_file",
                format!("is empty; the first line must be the header, e.g. {expected}"),
            );
            return None;
        }
    };
    let header_line = header.position().map_or(1, |p| lines.line_at(p.byte()));
    let mut position: Vec<Option<usize>> = vec![None; columns.len()];
    let mut unnamed = Vec::new();
    for (p, raw) in header.iter().enumerate() {
        let name = raw.trim().trim_start_matches('\u{feff}').trim().to_lowercase();
        if name.is_empty() {
            unnamed.push(p);
        } else if IGNORED_COLUMNS.contains(&name.as_str()) || name.starts_with('#') {
            // Kept by people, read by nobody.
        } else if let Some(k) = columns.iter().position(|c| c.name == name) {
            if position[k].is_some() {
                issues.push(
                    file,
                    header_line,
                    Some(columns[k].name),
                    "duplicate_column",
                    "appears twice in the header; keep one of the two columns".to_owned(),
                );
            } else {
                position[k] = Some(p);
            }
        } else {
            let hint =
                closest(&name, columns).map(|c| format!("did you mean {c}? ")).unwrap_or_default();
            issues.push(
                file,
                header_line,
                Some(&name),
                "unknown_column",
                format!(
                    "is not a column of this sheet; {hint}the columns are {} (a `name` column, \
                     and columns whose header starts with #, are ignored)",
                    header_of(columns).replace(',', ", ")
                ),
            );
        }
    }
    // A required column missing leaves no rows to read; an unknown or a
    // repeated header does not (the column is left out, or its first
    // copy read), so the rows' own issues are listed beside it, not after
    // the header is fixed.
    let mut missing_required = false;
    for (k, column) in columns.iter().enumerate() {
        if column.required && position[k].is_none() {
            missing_required = true;
            issues.push(
                file,
                header_line,
                Some(column.name),
                "missing_column",
                format!(
                    "the header has no {} column, which is required; the header must name at \
                     least {}",
                    column.name,
                    columns
                        .iter()
                        .filter(|c| c.required)
                        .map(|c| c.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
    if missing_required {
        return None;
    }

    let mut rows = Vec::new();
    for record in records {
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                let line = err.position().map_or(0, |p| lines.line_at(p.byte()));
                issues.push(file, line, None, "malformed_csv", format!("cannot be read: {err}"));
                return None;
            }
        };
        let line = record.position().map_or(0, |p| lines.line_at(p.byte()));
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
        if cells.iter().all(String::is_empty) {
            // Excel keeps rows that were only formatted as `,,,,`.
            continue;
        }
        let extra = cells.iter().skip(header.len()).filter(|c| !c.is_empty()).count();
        if extra > 0 {
            issues.push(
                file,
                line,
                None,
                "extra_cells",
                format!(
                    "has {} cells but the header has {}; put a cell with a comma in double \
                     quotes, or add a header for the extra column",
                    cells.len(),
                    header.len()
                ),
            );
        }
        for &p in &unnamed {
            if cells.get(p).is_some_and(|c| !c.is_empty()) {
                issues.push(
                    file,
                    line,
                    None,
                    "unnamed_column",
                    format!(
                        "has a value in column {} whose header is empty; name the column or \
                         move the value",
                        p + 1
                    ),
                );
            }
        }
        rows.push(Row { line, cells });
    }
    Some(Table { file, columns, position, rows })
}

/// The line of a double quote that opens a cell and is never closed, if
/// any, read as the CSV reader reads: a quote opens a quoted cell only as
/// the cell's first character, and inside one a doubled quote is a quote.
fn unclosed_quote(text: &str, delimiter: u8) -> Option<u64> {
    let bytes = text.as_bytes();
    let (mut line, mut opened) = (1u64, 0u64);
    let (mut cell_start, mut quoted) = (true, false);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if quoted {
            if b == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
        } else if b == b'"' && cell_start {
            quoted = true;
            opened = line;
        }
        line += u64::from(b == b'\n');
        cell_start = !quoted && (b == delimiter || b == b'\n' || b == b'\r');
        i += 1;
    }
    quoted.then_some(opened)
}

/// The line where a record starts, from the byte offset the CSV reader gives.
///
/// The reader's own line numbers go wrong after blank lines, CRLF and line
/// breaks inside quoted cells, and its offset may point at the line break
/// before the record; so lines are counted here, past those breaks.
/// Records come in order, so counting resumes where it stopped.
struct LineCounter<'a> {
    text: &'a str,
    pos: usize,
    line: u64,
}

impl LineCounter<'_> {
    fn line_at(&mut self, byte: u64) -> u64 {
        let bytes = self.text.as_bytes();
        let mut end = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
        while end < bytes.len() && matches!(bytes[end], b'\r' | b'\n') {
            end += 1;
        }
        if end >= self.pos {
            self.line += bytes[self.pos..end].iter().filter(|&&b| b == b'\n').count() as u64;
            self.pos = end;
        }
        self.line
    }
}

fn header_of(columns: &[Column]) -> String {
    columns.iter().map(|c| c.name).collect::<Vec<_>>().join(",")
}

/// The documented column a typo most likely meant: the same name with spaces
/// or hyphens for underscores, or one at most two edits away.
fn closest(name: &str, columns: &[Column]) -> Option<&'static str> {
    let normal = name.replace([' ', '-'], "_");
    columns
        .iter()
        .map(|c| (edit_distance(&normal, c.name), c.name))
        .filter(|&(d, _)| d <= 2)
        .min()
        .map(|(_, name)| name)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

// ---------------------------------------------------------------------------
// Cells.
// ---------------------------------------------------------------------------

/// Reads the cells of one row, reporting each bad one.
struct Cells<'t, 'i> {
    table: &'t Table<'t>,
    row: &'t Row,
    issues: &'i mut Issues,
}

impl Cells<'_, '_> {
    fn cell(&self, column: &str) -> &str {
        self.table.cell(self.row, column)
    }

    fn report(&mut self, column: &str, code: &str, message: String) {
        self.issues.push(self.table.file, self.row.line, Some(column), code, message);
    }

    /// Marks the cell as holding a placeholder for a value that could not be
    /// read, so that validation's complaint about the placeholder is dropped.
    fn placeholder(&mut self, column: &str) {
        self.issues.placeholder(self.table.file, self.row.line, column);
    }

    /// The cell of a required column; reports an empty one.
    fn required(&mut self, column: &str) -> Option<String> {
        let text = self.cell(column).to_owned();
        if text.is_empty() {
            self.report(column, "missing_value", "is empty; every row needs one".to_owned());
            self.placeholder(column);
            return None;
        }
        Some(text)
    }

    fn text(&mut self, column: &str) -> String {
        self.required(column).unwrap_or_default()
    }

    fn optional_text(&self, column: &str) -> Option<String> {
        Some(self.cell(column).to_owned()).filter(|t| !t.is_empty())
    }

    /// A required number; NaN (which validation rejects, and whose issue is
    /// then dropped as a duplicate) when it is bad.
    fn number(&mut self, column: &str) -> f64 {
        let value = self.required(column).and_then(|text| self.parse_number(column, &text));
        value.unwrap_or_else(|| {
            self.placeholder(column);
            f64::NAN
        })
    }

    fn optional_number(&mut self, column: &str) -> Option<f64> {
        let text = self.optional_text(column)?;
        self.parse_number(column, &text)
    }

    fn parse_number(&mut self, column: &str, text: &str) -> Option<f64> {
        match text.parse::<f64>() {
            Ok(value) => Some(value),
            Err(_) => {
                self.report(
                    column,
                    "invalid_number",
                    format!(
                        "must be a number such as 35.82 (a dot for decimals), got {}",
                        show(text)
                    ),
                );
                None
            }
        }
    }

    fn integer(&mut self, column: &str) -> Option<i64> {
        let text = self.required(column)?;
        self.parse_integer(column, &text)
    }

    fn optional_integer(&mut self, column: &str) -> Option<i64> {
        let text = self.optional_text(column)?;
        self.parse_integer(column, &text)
    }

    fn parse_integer(&mut self, column: &str, text: &str) -> Option<i64> {
        match text.parse::<i64>() {
            Ok(value) => Some(value),
            Err(_) => {
                self.report(
                    column,
                    "invalid_integer",
                    format!("must be a whole number such as 3, got {}", show(text)),
                );
                None
            }
        }
    }

    /// A required date, normalised to `YYYY-MM-DD`; the raw text when it is
    /// bad (validation's issue about it is then dropped as a duplicate).
    fn date(&mut self, column: &str) -> String {
        let Some(text) = self.required(column) else { return String::new() };
        match normalise_date(&text) {
            Some(date) => date,
            None => {
                self.report(
                    column,
                    "invalid_date",
                    format!("must be a date such as 2027-04-01, got {}", show(&text)),
                );
                self.placeholder(column);
                text
            }
        }
    }

    /// `harvest:3;pruning:1`.
    fn skills(&mut self, column: &str) -> BTreeMap<String, i64> {
        let mut skills = BTreeMap::new();
        let text = self.cell(column).to_owned();
        for piece in items(&text) {
            let Some((name, level)) = piece.split_once(':') else {
                self.report(
                    column,
                    "invalid_skill",
                    format!(
                        "{} is not skill:level; write skills as harvest:3;pruning:1",
                        show(piece)
                    ),
                );
                continue;
            };
            let (name, level) = (name.trim(), level.trim());
            if name.is_empty() {
                self.report(
                    column,
                    "invalid_skill",
                    format!("{} has no skill name before the colon", show(piece)),
                );
                continue;
            }
            let Ok(level) = level.parse::<i64>() else {
                self.report(
                    column,
                    "invalid_skill_level",
                    format!(
                        "the level of {name} must be a whole number 1 to 5, got {}",
                        show(level)
                    ),
                );
                continue;
            };
            match skills.entry(name.to_owned()) {
                Entry::Vacant(entry) => {
                    entry.insert(level);
                }
                Entry::Occupied(_) => self.report(
                    column,
                    "duplicate_skill",
                    format!("{name} is listed twice; keep one level"),
                ),
            }
        }
        skills
    }

    /// `2027-04-01..2027-04-10;2027-04-15`: ranges (also `a~b`) and single
    /// dates.
    fn availability(&mut self, column: &str) -> Vec<DateRange> {
        let mut ranges = Vec::new();
        let text = self.cell(column).to_owned();
        for piece in items(&text) {
            let (start, end) =
                piece.split_once("..").or_else(|| piece.split_once('~')).unwrap_or((piece, piece));
            match (normalise_date(start.trim()), normalise_date(end.trim())) {
                (Some(start), Some(end)) => ranges.push(DateRange::new(start, end)),
                _ => self.report(
                    column,
                    "invalid_date",
                    format!(
                        "{} is not a date or a range of dates; write 2027-04-01..2027-04-10 for \
                         a range, 2027-04-15 for one day, and separate them with ;",
                        show(piece)
                    ),
                ),
            }
        }
        ranges
    }

    /// `farm-1;farm-2`.
    fn list(&self, column: &str) -> Vec<String> {
        items(self.cell(column)).map(str::to_owned).collect()
    }
}

/// The non-empty, trimmed `;`-separated items of a cell.
fn items(text: &str) -> impl Iterator<Item = &str> {
    text.split(';').map(str::trim).filter(|s| !s.is_empty())
}

/// `2027-04-01`, and the forms Excel and people write: `2027/4/1`,
/// `2027.4.1`, `2027-4-1`, as `YYYY-MM-DD`. Whether the day exists is left
/// to validation.
fn normalise_date(text: &str) -> Option<String> {
    let sep = text.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let mut parts = text.split(sep);
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str, lens: std::ops::RangeInclusive<usize>| {
        lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if parts.next().is_some() || !digits(y, 4..=4) || !digits(m, 1..=2) || !digits(d, 1..=2) {
        return None;
    }
    Some(format!("{y}-{m:0>2}-{d:0>2}"))
}

fn build_workers(table: &Table, issues: &mut Issues) -> (Vec<Worker>, Vec<u64>) {
    let mut workers = Vec::with_capacity(table.rows.len());
    let mut lines = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let mut c = Cells { table, row, issues };
        let id = c.text("id");
        let location = Location::new(c.number("lat"), c.number("lon"));
        let mut worker = Worker::new(id, location, Vec::new());
        worker.max_travel_km = c.optional_number("max_travel_km");
        worker.skills = c.skills("skills");
        worker.availability = c.availability("availability");
        worker.max_days = c.optional_integer("max_days");
        worker.max_consecutive_days = c.optional_integer("max_consecutive_days");
        worker.excluded_farms = c.list("excluded_farms");
        worker.preferred_farms = c.list("preferred_farms");
        worker.crew = c.optional_text("crew");
        workers.push(worker);
        lines.push(row.line);
    }
    (workers, lines)
}

fn build_demands(table: &Table, issues: &mut Issues) -> (Vec<Demand>, Vec<u64>) {
    let mut demands = Vec::with_capacity(table.rows.len());
    let mut lines = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let mut c = Cells { table, row, issues };
        let id = c.text("id");
        let farm_id = c.text("farm_id");
        let location = Location::new(c.number("lat"), c.number("lon"));
        let (start, end) = (c.date("start"), c.date("end"));
        let per_day = c.integer("workers_per_day").unwrap_or_else(|| {
            c.placeholder("workers_per_day");
            0
        });
        let mut demand = Demand::new(id, farm_id, location, start, end, per_day);
        demand.required_skills = c.skills("required_skills");
        demand.priority = c.optional_integer("priority").unwrap_or(1);
        demands.push(demand);
        lines.push(row.line);
    }
    (demands, lines)
}

// ---------------------------------------------------------------------------
// From JSON paths back to cells.
// ---------------------------------------------------------------------------

/// Where each worker and demand of the problem came from.
struct SourceMap<'a> {
    workers_file: &'a str,
    demands_file: &'a str,
    worker_lines: Vec<u64>,
    demand_lines: Vec<u64>,
}

impl SourceMap<'_> {
    /// Workers' file first, then demands', then anything else (options).
    fn file_rank(&self, file: &str) -> u8 {
        if file == self.workers_file {
            0
        } else if file == self.demands_file {
            1
        } else {
            2
        }
    }

    /// The file, line and column of a validation issue's JSON path, e.g.
    /// `workers[3].location.lat` is column `lat` of the fourth worker's row.
    /// What the column alone does not say (which range, which skill) starts
    /// the message, and references to other entries (`workers[0]`) become
    /// lines.
    fn locate(&self, issue: &Issue, problem: &Problem) -> SheetIssue {
        let message = self.rewrite_refs(&issue.message);
        let entry = |prefix: &str| {
            let rest = issue.path.strip_prefix(prefix)?;
            let (index, rest) = rest.split_once(']')?;
            Some((index.parse::<usize>().ok()?, rest.strip_prefix('.').unwrap_or(rest)))
        };
        let located = if let Some((i, rest)) = entry("workers[") {
            let worker = problem.workers.get(i);
            Some((self.workers_file, self.worker_lines.get(i), rest, worker))
        } else if let Some((i, rest)) = entry("demands[") {
            Some((self.demands_file, self.demand_lines.get(i), rest, None))
        } else {
            None
        };
        let Some((file, Some(&line), rest, worker)) = located else {
            // Options (the caller's, not the sheets') or a path this
            // mapping does not know: keep the path in the message.
            let (file, column) = match issue.path.strip_prefix("options.") {
                Some(option) => ("options".to_owned(), Some(option.to_owned())),
                None => ("problem".to_owned(), None),
            };
            let message = match &column {
                Some(_) => message,
                None => format!("{}: {message}", issue.path),
            };
            return SheetIssue { file, line: 0, column, code: issue.code.clone(), message };
        };

        let split = rest.find(['.', '[']).unwrap_or(rest.len());
        let (field, mut tail) = rest.split_at(split);
        let column = if field == "location" {
            let sub = tail.trim_start_matches('.');
            tail = "";
            sub
        } else {
            field
        };
        let detail = match field {
            "availability" => range_detail(tail, worker),
            "skills" | "required_skills" => key_of(tail).map(|name| format!("skill {name}")),
            _ => None,
        };
        SheetIssue {
            file: file.to_owned(),
            line,
            column: (!column.is_empty()).then(|| column.to_owned()),
            code: issue.code.clone(),
            message: match detail {
                Some(detail) => format!("{detail}: {message}"),
                None => message,
            },
        }
    }

    /// `workers[12]` and `demands[3]` in a message become `workers.csv line
    /// 14` and `demands.csv line 5`.
    fn rewrite_refs(&self, message: &str) -> String {
        let mut out = String::with_capacity(message.len());
        let mut rest = message;
        while let Some(at) = rest.find(['w', 'd']) {
            out.push_str(&rest[..at]);
            rest = &rest[at..];
            let mut replaced = false;
            for (prefix, file, lines) in [
                ("workers[", self.workers_file, &self.worker_lines),
                ("demands[", self.demands_file, &self.demand_lines),
            ] {
                let Some(after) = rest.strip_prefix(prefix) else { continue };
                let Some((index, tail)) = after.split_once(']') else { continue };
                let Some(&line) = index.parse::<usize>().ok().and_then(|i| lines.get(i)) else {
                    continue;
                };
                out.push_str(&format!("{file} line {line}"));
                rest = tail;
                replaced = true;
                break;
            }
            if !replaced {
                let ch = rest.chars().next().expect("found a character");
                out.push(ch);
                rest = &rest[ch.len_utf8()..];
            }
        }
        out.push_str(rest);
        out
    }
}

/// `[1].start` of availability: `range 2 (2027-04-15..2027-04-12) start`,
/// or `range 2 (2027-04-15)` for a single date.
fn range_detail(tail: &str, worker: Option<&Worker>) -> Option<String> {
    let (index, part) = tail.strip_prefix('[')?.split_once(']')?;
    let j: usize = index.parse().ok()?;
    let range = worker?.availability.get(j)?;
    let n = j + 1;
    if range.start == range.end {
        return Some(format!("range {n} ({})", range.start));
    }
    let part = part.trim_start_matches('.');
    let sep = if part.is_empty() { "" } else { " " };
    Some(format!("range {n} ({}..{}){sep}{part}", range.start, range.end))
}

/// The key of a path tail `.pruning` or `["two words"]`.
fn key_of(tail: &str) -> Option<String> {
    if let Some(name) = tail.strip_prefix('.') {
        return Some(name.to_owned());
    }
    let quoted = tail.strip_prefix('[')?.strip_suffix(']')?;
    serde_json::from_str::<String>(quoted).ok().map(|name| format!("{name:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_excel_forms_are_normalised() {
        assert_eq!(normalise_date("2027-04-01").as_deref(), Some("2027-04-01"));
        assert_eq!(normalise_date("2027/4/1").as_deref(), Some("2027-04-01"));
        assert_eq!(normalise_date("2027.12.31").as_deref(), Some("2027-12-31"));
        for bad in ["", "2027", "27-04-01", "2027-04", "2027-04-01-02", "2027-4-x", "2027-004-01"] {
            assert_eq!(normalise_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn typos_of_column_names_find_the_column() {
        assert_eq!(closest("max travel km", &WORKER_COLUMNS), Some("max_travel_km"));
        assert_eq!(closest("availabilty", &WORKER_COLUMNS), Some("availability"));
        assert_eq!(closest("phone", &WORKER_COLUMNS), None);
    }

    #[test]
    fn references_in_messages_become_lines() {
        let map = SourceMap {
            workers_file: "w.csv",
            demands_file: "d.csv",
            worker_lines: vec![2, 3, 5],
            demand_lines: vec![2],
        };
        assert_eq!(
            map.rewrite_refs("already used by workers[2]; and demands[0], not demands[9]"),
            "already used by w.csv line 5; and d.csv line 2, not demands[9]"
        );
        assert_eq!(map.rewrite_refs("작업자 workers"), "작업자 workers");
    }

    #[test]
    fn lines_are_counted_past_blank_lines_crlf_and_quoted_breaks() {
        for text in ["a,b\nx,\"1\n2\"\n\ny,3\r\n\r\nz,4\n", "a,b\r\nx,\"1\r\n2\"\r\n\r\ny,3\n\nz,4"]
        {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes());
            let mut lines = LineCounter { text, pos: 0, line: 1 };
            let found: Vec<u64> = reader
                .records()
                .map(|r| lines.line_at(r.unwrap().position().unwrap().byte()))
                .collect();
            assert_eq!(found, [1, 2, 5, 7], "{text:?}");
        }
    }

    #[test]
    fn headers_match_the_documented_columns() {
        assert_eq!(WORKERS_HEADER, header_of(&WORKER_COLUMNS));
        assert_eq!(DEMANDS_HEADER, header_of(&DEMAND_COLUMNS));
    }
}
