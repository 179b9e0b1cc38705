//! `farmhand check`: verify a solution against its problem.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use crate::input::{read_problem, read_solution, ParseFailure};
use crate::render;

/// Arguments of `farmhand check`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The problem (JSON), or - to read stdin.
    #[arg(value_name = "PROBLEM.json")]
    problem: PathBuf,

    /// The solution to verify (JSON).
    #[arg(value_name = "SOLUTION.json")]
    solution: PathBuf,

    /// Print the checker's report as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: &Args) -> Result<ExitCode> {
    if crate::is_std(&args.problem) && crate::is_std(&args.solution) {
        eprintln!("error: only one of PROBLEM.json and SOLUTION.json can be read from stdin (-)");
        return Ok(ExitCode::from(2));
    }
    let problem = read_problem(&args.problem).map_err(ParseFailure::into_error)?;
    let solution = read_solution(&args.solution).map_err(ParseFailure::into_error)?;
    let report = farmhand::check(&problem, &solution);

    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else if report.ok {
        writeln!(out, "ok")?;
        if let Some(summary) = &report.recomputed {
            for line in render::headline(summary) {
                writeln!(out, "  {line}")?;
            }
        }
    } else {
        for v in &report.violations {
            writeln!(out, "{}: {} [{}]", v.path, v.message, v.code)?;
        }
        eprintln!("{} violation(s)", report.violations.len());
    }
    Ok(if report.ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
