//! `farmhand validate`: list every issue and warning of a problem.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use farmhand::Issue;

use crate::input::{read_problem, ParseFailure};
use crate::sheets::{self, SheetArgs};

/// Arguments of `farmhand validate`.
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

    /// Print `{"valid": bool, "errors": [...], "warnings": [...]}` on stdout.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: &Args) -> Result<ExitCode> {
    if let Some((workers, demands)) = args.sheets.paths() {
        return run_sheets(args, workers, demands);
    }
    let path = args.problem.as_deref().expect("clap requires a problem or spreadsheets");
    let (errors, warnings, counts) = match read_problem(path) {
        Ok(problem) => match farmhand::validate(&problem) {
            Ok(instance) => (
                Vec::new(),
                instance.warnings().to_vec(),
                Some((instance.n_workers(), instance.n_demands(), instance.n_days())),
            ),
            Err(err) => (err.issues, err.warnings, None),
        },
        // With --json a program is reading: a malformed file is one more
        // error in the same shape. Without it, the plain error message.
        Err(ParseFailure::Json { errors, .. }) if args.json => {
            let issues = errors
                .errors
                .iter()
                .map(|e| {
                    let message = match (e.line, e.column) {
                        (Some(line), Some(column)) => {
                            format!("line {line}, column {column}: {}", e.message)
                        }
                        _ => e.message.clone(),
                    };
                    Issue { path: e.path.clone(), code: "malformed_json".to_string(), message }
                })
                .collect();
            (issues, Vec::new(), None)
        }
        Err(failure) => return Err(failure.into_error()),
    };
    let valid = errors.is_empty();

    let mut out = std::io::stdout().lock();
    if args.json {
        let report = serde_json::json!({"valid": valid, "errors": errors, "warnings": warnings});
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        for issue in &errors {
            writeln!(out, "{issue}")?;
        }
        for warning in &warnings {
            writeln!(out, "warning: {warning}")?;
        }
        match counts {
            Some((workers, demands, days)) => eprintln!(
                "valid: {workers} workers, {demands} demands over {days} days, {} warning(s)",
                warnings.len()
            ),
            None => eprintln!("invalid: {} issue(s), {} warning(s)", errors.len(), warnings.len()),
        }
    }
    Ok(if valid { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `validate --workers --demands`: the same report, each issue located in
/// the spreadsheets (`file:line: column X: message [code]`).
fn run_sheets(args: &Args, workers: &Path, demands: &Path) -> Result<ExitCode> {
    let (errors, warnings, counts) =
        match sheets::read(workers, demands, args.sheets.encoding, farmhand::Options::default())? {
            Ok(read) => {
                let i = &read.instance;
                (Vec::new(), read.warnings, Some((i.n_workers(), i.n_demands(), i.n_days())))
            }
            Err(err) => (err.issues, Vec::new(), None),
        };
    let valid = errors.is_empty();
    let mut out = std::io::stdout().lock();
    if args.json {
        let report = serde_json::json!({"valid": valid, "errors": errors, "warnings": warnings});
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        write!(out, "{}", sheets::lines(&errors))?;
        for warning in &warnings {
            writeln!(out, "warning: {warning}")?;
        }
        match counts {
            Some((workers, demands, days)) => eprintln!(
                "valid: {workers} workers, {demands} demands over {days} days, {} warning(s)",
                warnings.len()
            ),
            None => eprintln!("invalid: {} issue(s)", errors.len()),
        }
    }
    Ok(if valid { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
