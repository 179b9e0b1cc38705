//! `farmhand match`: validate, solve, write the solution, summarise.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use farmhand::{Progress, SolveConfig};
use indicatif::{ProgressBar, ProgressStyle};

use crate::input::{read_problem, write_output, ParseFailure};
use crate::render;

/// Arguments of `farmhand match`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The problem (JSON), or - to read stdin.
    #[arg(value_name = "PROBLEM.json")]
    problem: PathBuf,

    /// Write the solution here instead of stdout.
    #[arg(short, long, value_name = "SOLUTION.json")]
    output: Option<PathBuf>,

    /// Solve with this many threads (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    threads: Option<u16>,

    /// Also write the plan as one self-contained HTML page (map, fill by
    /// date, unfilled slots, schedules) that opens offline in a browser.
    #[arg(long, value_name = "REPORT.html")]
    report: Option<PathBuf>,
}

pub(crate) fn run(args: &Args, quiet: bool) -> Result<ExitCode> {
    let problem = read_problem(&args.problem).map_err(ParseFailure::into_error)?;
    let instance = match farmhand::validate(&problem) {
        Ok(instance) => instance,
        Err(err) => {
            eprintln!("error: the problem is invalid ({} issue(s)):", err.issues.len());
            for issue in &err.issues {
                eprintln!("{issue}");
            }
            return Ok(ExitCode::from(1));
        }
    };
    // Created before the solve, so that a report that cannot be written
    // fails at once rather than after a long solve.
    let report = match &args.report {
        Some(path) => Some((
            path,
            std::fs::File::create(path)
                .with_context(|| format!("cannot create the report {}", path.display()))?,
        )),
        None => None,
    };
    // Unless a report needs it, the wire problem is no longer needed: free it
    // before the solve, which matters for the national preset.
    let problem = args.report.is_some().then_some(problem);

    let reporter = Reporter::new(quiet);
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

    write_output(args.output.as_deref(), |out| {
        serde_json::to_writer_pretty(&mut *out, &solution)?;
        out.write_all(b"\n")
    })?;
    if let (Some((path, mut file)), Some(problem)) = (report, &problem) {
        let html = farmhand_report::render_report(problem, &solution);
        file.write_all(html.as_bytes())
            .with_context(|| format!("cannot write the report {}", path.display()))?;
    }
    if !quiet {
        eprint!("{}", render::match_summary(&solution));
        if let Some(path) = &args.report {
            eprintln!("farmhand: report written to {}", path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Shows progress on stderr: a bar on a terminal, otherwise a plain line
/// every 10% once the solve has run for a while (short solves stay silent),
/// nothing with `-q`.
enum Reporter {
    Silent,
    Bar(ProgressBar),
    Lines { start: Instant, last_tenth: Arc<Mutex<u32>> },
}

impl Reporter {
    /// Plain progress lines start only after this long.
    const QUIET_START: Duration = Duration::from_secs(2);

    fn new(quiet: bool) -> Self {
        if quiet {
            Reporter::Silent
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "solving {bar:30.cyan/blue} {pos}/{len} dates, {elapsed} (eta {eta})",
                )
                .expect("a valid template"),
            );
            Reporter::Bar(bar)
        } else {
            Reporter::Lines { start: Instant::now(), last_tenth: Arc::new(Mutex::new(0)) }
        }
    }

    fn callback(&self) -> Option<Arc<dyn Fn(Progress) + Send + Sync>> {
        match self {
            Reporter::Silent => None,
            Reporter::Bar(bar) => {
                let bar = bar.clone();
                Some(Arc::new(move |p: Progress| {
                    bar.set_length(u64::from(p.dates_total));
                    bar.set_position(u64::from(p.dates_done));
                }))
            }
            Reporter::Lines { start, last_tenth } => {
                let (start, last_tenth) = (*start, Arc::clone(last_tenth));
                Some(Arc::new(move |p: Progress| {
                    let tenth = p.dates_done * 10 / p.dates_total.max(1);
                    let mut last = last_tenth.lock().unwrap_or_else(|e| e.into_inner());
                    if tenth > *last {
                        *last = tenth;
                        if start.elapsed() >= Self::QUIET_START {
                            eprintln!(
                                "farmhand: {}/{} dates solved ({}%)",
                                p.dates_done,
                                p.dates_total,
                                tenth * 10
                            );
                        }
                    }
                }))
            }
        }
    }

    fn finish(&self) {
        if let Reporter::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}
