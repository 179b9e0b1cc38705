//! Integration tests of farmhand-sheets: reading sheets (every format rule and
//! every kind of issue), encodings, and golden files of what it writes.

mod encoding;
mod output;
mod read;

use farmhand::Problem;
use farmhand_sheets::{read_problem, Encoding, ReadOptions, SheetErrors, SheetInput};

/// A valid demands sheet for tests about workers.
const DEMANDS: &str = "id,farm_id,lat,lon,start,end,workers_per_day\n\
                       d-1,f-1,35.90,127.08,2027-04-05,2027-04-09,2\n";

/// A valid workers sheet for tests about demands.
const WORKERS: &str = "id,lat,lon,availability\nw-1,35.91,127.07,2027-04-05..2027-04-09\n";

/// Reads two sheets given as text, with the default options.
fn read(workers: &str, demands: &str) -> Result<Problem, SheetErrors> {
    read_bytes(workers.as_bytes(), demands.as_bytes(), Encoding::Auto)
}

fn read_bytes(workers: &[u8], demands: &[u8], encoding: Encoding) -> Result<Problem, SheetErrors> {
    read_problem(
        &SheetInput::new("workers.csv", workers),
        &SheetInput::new("demands.csv", demands),
        &ReadOptions { encoding, ..ReadOptions::default() },
    )
}

/// The issues of two sheets that must not read, as displayed.
fn issues(workers: &str, demands: &str) -> Vec<String> {
    match read(workers, demands) {
        Ok(problem) => panic!("expected issues, read {problem:?}"),
        Err(err) => err.issues.iter().map(ToString::to_string).collect(),
    }
}

/// Asserts that `lines` contains a line starting with each of `expected`, in
/// that order and nothing else.
#[track_caller]
fn assert_issues(lines: &[String], expected: &[&str]) {
    assert_eq!(lines.len(), expected.len(), "{lines:#?}");
    for (line, want) in lines.iter().zip(expected) {
        assert!(line.starts_with(want), "expected {want:?}, got {line:?} in {lines:#?}");
    }
}
