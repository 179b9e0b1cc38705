//! `farmhand match`: read (a problem file or two spreadsheets), validate,
//! solve, write the solution (JSON, CSV sheets or a GeoJSON map), summarise.

use std::collections::HashSet;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use farmhand::{Instance, Options, Problem, Progress, Solution, SolveConfig};
use indicatif::{ProgressBar, ProgressStyle};

use crate::input::{read_problem, write_output, ParseFailure, Staged};
use crate::sheets::{self, SheetArgs};
use crate::{is_std, render};

/// Arguments of `farmhand match`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The problem (JSON), or - to read stdin; or give --workers and
    /// --demands instead.
    #[arg(
        value_name = "PROBLEM.json",
        required_unless_present_any = ["workers", "demands"],
        conflicts_with_all = ["workers", "demands"]
    )]
    problem: Option<PathBuf>,

    #[command(flatten)]
    sheets: SheetArgs,

    /// With spreadsheets: list up to N stand-ins per slot (standby.csv with
    /// --format csv). A problem file sets options.standby_per_slot itself.
    #[arg(long, value_name = "N", conflicts_with = "problem", value_parser = clap::value_parser!(u8).range(0..=20))]
    standby: Option<u8>,

    /// What to write: json (the solution), csv (assignments.csv,
    /// unfilled.csv and, with stand-ins, standby.csv into the directory -o),
    /// geojson (a map of workers, farms and assignments).
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,

    /// With --format json: write the solution on one line, without
    /// indentation: the same JSON, about 30 % smaller and faster to write
    /// (for programs and for problems with millions of assignments).
    #[arg(long)]
    compact: bool,

    /// Where to write: a file for json and geojson (default stdout), a
    /// directory for csv (default the current one; created if missing).
    #[arg(short, long, value_name = "PATH")]
    output: Option<PathBuf>,

    /// Solve with this many threads (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,

    /// Also write the plan as one self-contained HTML page (map, fill by
    /// date, unfilled slots, schedules) that opens offline in a browser.
    /// Works with a problem file and with spreadsheets alike.
    #[arg(long, value_name = "REPORT.html")]
    report: Option<PathBuf>,

    /// How to show progress on stderr: a bar on a terminal and plain lines
    /// (every 10 %, after the first 2 s) otherwise (auto), always a bar,
    /// always lines from the start, or none. -q also silences it. When the
    /// dates couple, the passes after the first have no known length: the
    /// bar turns into a spinner and the lines say the time so far.
    #[arg(long, value_enum, default_value_t = ProgressMode::Auto, env = "FARMHAND_PROGRESS")]
    progress: ProgressMode,
}

/// `--progress`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProgressMode {
    Auto,
    Bar,
    Lines,
    None,
}

/// `--format`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// The solution as pretty JSON (the wire format).
    Json,
    /// Spreadsheets for Excel: UTF-8 with BOM, CRLF.
    Csv,
    /// A GeoJSON FeatureCollection for QGIS or geojson.io.
    Geojson,
}

pub(crate) fn run(args: &Args, quiet: bool) -> Result<ExitCode> {
    if args.compact && args.format != Format::Json {
        eprintln!("error: --compact shapes the JSON solution; it does not apply to --format csv or geojson");
        return Ok(ExitCode::from(2));
    }
    if args.format == Format::Csv && args.output.as_deref().is_some_and(is_std) {
        eprintln!("error: --format csv writes files into a directory; give -o DIR, not -o -");
        return Ok(ExitCode::from(2));
    }
    // No output may land on an input or on another output: all of them
    // are written only after a long solve, and a clash would lose a file.
    let (workers, demands) = args.sheets.paths().unzip();
    let inputs: Vec<&Path> =
        [args.problem.as_deref(), workers, demands].into_iter().flatten().collect();
    let outputs: Vec<PathBuf> = match args.format {
        Format::Csv => {
            let dir = args.output.clone().unwrap_or_else(|| PathBuf::from("."));
            SHEETS.iter().map(|name| dir.join(name)).collect()
        }
        _ => args.output.iter().cloned().collect(),
    };
    for out in &outputs {
        if let Some(input) = inputs.iter().find(|p| same_file(p, out)) {
            eprintln!(
                "error: the output {} would overwrite the input {}; give -o another path",
                out.display(),
                input.display()
            );
            return Ok(ExitCode::from(2));
        }
    }
    if let Some(report) = &args.report {
        let others = inputs.iter().copied().chain(outputs.iter().map(PathBuf::as_path));
        if let Some(other) = others.into_iter().find(|p| same_file(p, report)) {
            eprintln!(
                "error: --report {} would overwrite {}; give the report a file of its own",
                report.display(),
                other.display()
            );
            return Ok(ExitCode::from(2));
        }
    }
    let Some(input) = read_input(args)? else { return Ok(ExitCode::from(1)) };
    // Every output is staged before the solve, so that one that cannot be
    // written fails at once rather than after a long solve, and moved into
    // place only when all are written: a failure changes no file.
    let report = args.report.as_deref().map(Staged::create).transpose()?;
    let output = match args.output.as_deref() {
        Some(path) if args.format != Format::Csv && !is_std(path) => Some(Staged::create(path)?),
        _ => None,
    };
    let dir = (args.format == Format::Csv)
        .then(|| sheets::output_dir(args.output.as_deref()))
        .transpose()?;
    // The wire problem is needed again only to write sheets, a map or a
    // report; free it before the solve otherwise, which matters for the
    // national preset.
    let problem = (args.format != Format::Json || report.is_some()).then_some(input.problem);
    let instance = input.instance;

    let limit = instance.options().time_limit_ms.map(|ms| Duration::from_millis(ms.max(0) as u64));
    let reporter = Reporter::new(quiet, args.progress, limit);
    let config = SolveConfig { progress: reporter.callback(), ..SolveConfig::default() };
    let solve = || farmhand::solve_instance(&instance, &config);
    let result = match args.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(usize::from(n))
            .build()
            .context("cannot start the solver's threads")?
            .install(solve),
        None => solve(),
    };
    reporter.finish();
    let solution = result.context("the solve failed")?;

    let mut staged: Vec<(Staged, Option<String>)> = Vec::new();
    match (args.format, &problem, dir) {
        (Format::Csv, Some(problem), Some(dir)) => {
            staged.extend(write_sheets(&dir, problem, &solution)?);
        }
        (Format::Geojson, Some(problem), _) => emit(output, &mut staged, |out| {
            farmhand_sheets::write_geojson(problem, &solution, out)
        })?,
        _ => emit(output, &mut staged, |out| {
            if args.compact {
                serde_json::to_writer(&mut *out, &solution)?;
            } else {
                serde_json::to_writer_pretty(&mut *out, &solution)?;
            }
            out.write_all(b"\n")
        })?,
    }
    if let (Some(mut report), Some(problem)) = (report, &problem) {
        let html = farmhand_report::render_report(problem, &solution);
        report.write(|out| out.write_all(html.as_bytes()))?;
        staged.push((report, None));
    }
    for (file, line) in staged {
        file.commit()?;
        if let (Some(line), false) = (line, quiet) {
            eprintln!("{line}");
        }
    }
    if !quiet {
        // Validation warnings of spreadsheets point at rows; the solver's own
        // warnings (time limits) follow as they are.
        let warnings = match &input.sheet_warnings {
            Some(located) => {
                let known: HashSet<String> =
                    instance.warnings().iter().map(ToString::to_string).collect();
                let solver = solution.warnings.iter().filter(|w| !known.contains(*w)).cloned();
                located.iter().map(ToString::to_string).chain(solver).collect()
            }
            None => solution.warnings.clone(),
        };
        eprint!("{}", render::match_summary(&solution, &warnings));
        if let Some(path) = &args.report {
            eprintln!("farmhand: report written to {}", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A validated problem, from a file or from spreadsheets.
struct Input {
    problem: Problem,
    instance: Instance,
    /// Validation warnings located in the spreadsheets; `None` for a file.
    sheet_warnings: Option<Vec<farmhand_sheets::SheetIssue>>,
}

/// Reads and validates the input; `None` after printing every issue of an
/// invalid one.
fn read_input(args: &Args) -> Result<Option<Input>> {
    if let Some((workers, demands)) = args.sheets.paths() {
        let options =
            Options { standby_per_slot: args.standby.map_or(0, i64::from), ..Options::default() };
        return match sheets::read(workers, demands, args.sheets.encoding, options)? {
            Ok(read) => Ok(Some(Input {
                problem: read.problem,
                instance: read.instance,
                sheet_warnings: Some(read.warnings),
            })),
            Err(err) => {
                eprintln!(
                    "error: the spreadsheets are invalid ({} issue(s)); nothing was solved:",
                    err.issues.len()
                );
                eprint!("{}", sheets::lines(&err.issues));
                Ok(None)
            }
        };
    }
    let path = args.problem.as_deref().expect("clap requires a problem or spreadsheets");
    let problem = read_problem(path).map_err(ParseFailure::into_error)?;
    match farmhand::validate(&problem) {
        Ok(instance) => Ok(Some(Input { problem, instance, sheet_warnings: None })),
        Err(err) => {
            eprintln!("error: the problem is invalid ({} issue(s)):", err.issues.len());
            for issue in &err.issues {
                eprintln!("{issue}");
            }
            Ok(None)
        }
    }
}

/// Writes to `output`, staged for the caller to commit, or to stdout when
/// there is none.
fn emit(
    output: Option<Staged>,
    staged: &mut Vec<(Staged, Option<String>)>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    match output {
        Some(mut file) => {
            file.write(write)?;
            staged.push((file, None));
            Ok(())
        }
        None => write_output(None, write),
    }
}

/// `--format csv`: the sheets for the directory `dir`, staged, each with
/// the line that names it on stderr once it is in place.
/// The sheets `--format csv` writes, every one every time: a folder never
/// holds a sheet of an earlier plan beside the new ones.
const SHEETS: [&str; 3] = ["assignments.csv", "unfilled.csv", "standby.csv"];

fn write_sheets(
    dir: &Path,
    problem: &Problem,
    solution: &Solution,
) -> Result<Vec<(Staged, Option<String>)>> {
    let mut staged = Vec::new();
    let mut file = |name: &str, rows: usize, write: &dyn Fn(&mut dyn Write) -> io::Result<()>| {
        let path = dir.join(name);
        let mut file = Staged::create(&path)?;
        file.write(write)?;
        staged.push((file, Some(format!("wrote {} ({rows} rows)", path.display()))));
        anyhow::Ok(())
    };
    let [assignments, unfilled, standby] = SHEETS;
    file(assignments, solution.assignments.len(), &|out| {
        farmhand_sheets::write_assignments_csv(problem, solution, out)
    })?;
    file(unfilled, solution.unfilled.len(), &|out| {
        farmhand_sheets::write_unfilled_csv(problem, solution, out)
    })?;
    // Its header alone when no stand-ins were asked for.
    let rows = solution.standby.iter().flatten().map(|slot| slot.workers.len()).sum();
    file(standby, rows, &|out| farmhand_sheets::write_standby_csv(problem, solution, out))?;
    Ok(staged)
}

/// Whether two paths name the same file: the same path, or the same file
/// once resolved (the file itself when it exists, else its directory).
fn same_file(a: &Path, b: &Path) -> bool {
    if is_std(a) || is_std(b) {
        return false;
    }
    let resolve = |p: &Path| {
        p.canonicalize().ok().or_else(|| {
            let parent = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
            Some(parent.canonicalize().ok()?.join(p.file_name()?))
        })
    };
    a == b || matches!((resolve(a), resolve(b)), (Some(x), Some(y)) if x == y)
}

/// Shows progress on stderr: a bar on a terminal, otherwise a plain line
/// every 10 % once the solve has run for a while (short solves stay silent),
/// nothing with `-q`.
///
/// The first pass over the dates has a known length, and the bar and the
/// lines count its dates. Coupled problems then plan their dates again, pass
/// after pass (searches, improvement rounds), until the plan stops improving
/// or the time limit comes, and how long that takes is not known in
/// advance. So after the first pass the bar turns into a spinner that
/// shows the time so far and the time limit, if any, and the lines into one
/// line at most every [`Reporter::LINE_GAP`] saying the same: never a count
/// stuck near 100 %.
enum Reporter {
    Silent,
    Bar { bar: ProgressBar, state: Arc<Mutex<LineState>>, limit: Option<Duration> },
    Lines { start: Instant, after: Duration, state: Arc<Mutex<LineState>>, limit: Option<Duration> },
}

/// What the progress shows: the first pass's dates, or a later pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    /// The first pass has reached this percentage of its dates.
    Percent(u32),
    /// A later pass over the dates is running.
    Improving,
}

/// What the progress showed last.
#[derive(Default)]
struct LineState {
    /// Tenth of the first pass reached.
    tenth: u32,
    /// The total of the first report: the first pass's dates (0 before).
    first_total: u32,
    printed_at: Option<Instant>,
    /// A later pass was shown (the first such line is due at once).
    improving: bool,
}

impl LineState {
    /// Which pass `p` is in: 1 while the total is the first pass's, then
    /// one more for each pass's worth of dates added.
    fn pass(&self, p: Progress) -> u32 {
        if self.first_total == 0 || p.dates_total <= self.first_total {
            1
        } else {
            p.dates_total.div_ceil(self.first_total)
        }
    }

    /// The line to print for `p` at `now`, if one is due: each new tenth of
    /// the first pass, then a later pass's line at most every `LINE_GAP`.
    /// `shown` is false while lines are held back (the first seconds of a
    /// run).
    fn next_line(&mut self, p: Progress, now: Instant, shown: bool) -> Option<Shown> {
        if self.first_total == 0 {
            self.first_total = p.dates_total;
        }
        let pass = self.pass(p);
        if pass > 1 {
            let gap_over =
                self.printed_at.is_none_or(|t| now.duration_since(t) >= Reporter::LINE_GAP);
            if !shown || (self.improving && !gap_over) {
                return None;
            }
            self.printed_at = Some(now);
            self.improving = true;
            return Some(Shown::Improving);
        }
        let tenth = p.dates_done * 10 / p.dates_total.max(1);
        if tenth <= self.tenth {
            return None;
        }
        self.tenth = tenth;
        if !shown {
            return None;
        }
        self.printed_at = Some(now);
        Some(Shown::Percent(tenth * 10))
    }
}

/// `12.3 s` or `4 min 05 s`.
fn duration_words(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 60.0 {
        format!("{s:.1} s")
    } else {
        let whole = s.round() as u64;
        format!("{} min {:02} s", whole / 60, whole % 60)
    }
}

/// What the passes after the first say: `improving the plan across dates,
/// 4.1 s so far (time limit 30.0 s)`.
fn improving_words(elapsed: Duration, limit: Option<Duration>) -> String {
    format!(
        "improving the plan across dates, {} so far{}",
        duration_words(elapsed),
        limit_words(limit)
    )
}

/// ` (time limit 30.0 s)`, or nothing without a limit.
fn limit_words(limit: Option<Duration>) -> String {
    limit.map(|l| format!(" (time limit {})", duration_words(l))).unwrap_or_default()
}

impl Reporter {
    /// Automatic plain progress lines start only after this long.
    const QUIET_START: Duration = Duration::from_secs(2);

    /// Lines of the passes after the first come at most this often.
    const LINE_GAP: Duration = Duration::from_secs(2);

    fn new(quiet: bool, mode: ProgressMode, limit: Option<Duration>) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let state = || Arc::new(Mutex::new(LineState::default()));
        let lines = |after| Reporter::Lines { start: Instant::now(), after, state: state(), limit };
        match mode {
            _ if quiet => Reporter::Silent,
            ProgressMode::None => Reporter::Silent,
            ProgressMode::Lines => lines(Duration::ZERO),
            ProgressMode::Auto if !terminal => lines(Self::QUIET_START),
            ProgressMode::Auto | ProgressMode::Bar => {
                let bar = ProgressBar::new(0);
                bar.set_style(
                    ProgressStyle::with_template(
                        "solving {bar:30.cyan/blue} {pos}/{len} dates, {elapsed} (eta {eta})",
                    )
                    .expect("a valid template"),
                );
                Reporter::Bar { bar, state: state(), limit }
            }
        }
    }

    fn callback(&self) -> Option<Arc<dyn Fn(Progress) + Send + Sync>> {
        match self {
            Reporter::Silent => None,
            Reporter::Bar { bar, state, limit } => {
                let (bar, state, limit) = (bar.clone(), Arc::clone(state), *limit);
                Some(Arc::new(move |p: Progress| {
                    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
                    if st.first_total == 0 {
                        st.first_total = p.dates_total;
                    }
                    let pass = st.pass(p);
                    if pass == 1 {
                        bar.set_length(u64::from(p.dates_total));
                        bar.set_position(u64::from(p.dates_done));
                        return;
                    }
                    if !st.improving {
                        // The first pass is over: a spinner from now on,
                        // ticking by itself (a pass can take seconds
                        // between reports).
                        bar.set_style(
                            ProgressStyle::with_template(
                                "{spinner} improving the plan across dates, {elapsed} so far{msg}",
                            )
                            .expect("a valid template"),
                        );
                        bar.set_message(limit_words(limit));
                        bar.enable_steady_tick(Duration::from_millis(120));
                        st.improving = true;
                    }
                }))
            }
            Reporter::Lines { start, after, state, limit } => {
                let (start, after, state, limit) = (*start, *after, Arc::clone(state), *limit);
                Some(Arc::new(move |p: Progress| {
                    let mut st = state.lock().unwrap_or_else(|e| e.into_inner());
                    let now = Instant::now();
                    match st.next_line(p, now, now >= start + after) {
                        Some(Shown::Percent(percent)) => eprintln!(
                            "farmhand: {}/{} dates solved ({percent}%)",
                            p.dates_done, p.dates_total
                        ),
                        Some(Shown::Improving) => eprintln!(
                            "farmhand: {}",
                            improving_words(now.duration_since(start), limit)
                        ),
                        None => {}
                    }
                }))
            }
        }
    }

    fn finish(&self) {
        if let Reporter::Bar { bar, .. } = self {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(done: u32, total: u32) -> Progress {
        Progress { dates_done: done, dates_total: total }
    }

    /// Every tenth of the first pass, then, once passes are added, one
    /// line at most every `LINE_GAP`, never a percentage of the grown total.
    #[test]
    fn lines_go_on_after_the_total_grows() {
        let mut st = LineState::default();
        let t0 = Instant::now();
        let first: Vec<Option<Shown>> =
            (1..=14).map(|d| st.next_line(at(d, 14), t0, true)).collect();
        assert_eq!(first.iter().flatten().count(), 10, "{first:?}");
        assert_eq!(first.last(), Some(&Some(Shown::Percent(100))));
        // A second pass: said at once, then not again too soon.
        assert_eq!(st.next_line(at(14, 28), t0, true), Some(Shown::Improving));
        assert_eq!(st.next_line(at(15, 28), t0, true), None);
        assert_eq!(st.next_line(at(20, 28), t0 + Duration::from_millis(500), true), None);
        // Later on, again.
        let later = t0 + Reporter::LINE_GAP;
        assert_eq!(st.next_line(at(23, 28), later, true), Some(Shown::Improving));
        assert_eq!(st.next_line(at(28, 42), later, true), None);
        let later = later + Reporter::LINE_GAP;
        assert_eq!(st.next_line(at(29, 42), later, true), Some(Shown::Improving));
        assert_eq!((st.pass(at(14, 14)), st.pass(at(15, 28)), st.pass(at(30, 43))), (1, 2, 4));
    }

    #[test]
    fn the_later_passes_say_the_time_so_far_and_the_limit() {
        let words = improving_words(Duration::from_millis(4_120), Some(Duration::from_secs(90)));
        assert_eq!(words, "improving the plan across dates, 4.1 s so far (time limit 1 min 30 s)");
        let words = improving_words(Duration::from_secs(125), None);
        assert_eq!(words, "improving the plan across dates, 2 min 05 s so far");
    }

    /// Held back (the first seconds), nothing prints, and the tenths still count.
    #[test]
    fn held_back_lines_are_skipped_not_queued() {
        let mut st = LineState::default();
        let t0 = Instant::now();
        assert_eq!(st.next_line(at(5, 10), t0, false), None);
        assert_eq!(st.next_line(at(6, 10), t0, true), Some(Shown::Percent(60)));
    }
}
