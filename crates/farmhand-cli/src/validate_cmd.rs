//! `farmhand validate`: list every issue and warning of a problem.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use farmhand::Issue;

use crate::input::{read_problem, ParseFailure};

/// Arguments of `farmhand validate`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// The problem (JSON), or - to read stdin.
    #[arg(value_name = "PROBLEM.json")]
    problem: PathBuf,

    /// Print `{"valid": bool, "errors": [...], "warnings": [...]}` on stdout.
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: &Args) -> Result<ExitCode> {
    let (errors, warnings, counts) = match read_problem(&args.problem) {
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
        Err(ParseFailure::Json { message }) if args.json => {
            let issue = Issue { path: String::new(), code: "malformed_json".to_string(), message };
            (vec![issue], Vec::new(), None)
        }
        Err(failure) => return Err(failure.into_error()),
    };
    let valid = errors.is_empty();

    if args.json {
        let report = serde_json::json!({"valid": valid, "errors": errors, "warnings": warnings});
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for issue in &errors {
            println!("{issue}");
        }
        for warning in &warnings {
            println!("warning: {warning}");
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
