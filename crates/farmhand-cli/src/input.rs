//! Reading problems and solutions from files or stdin, and writing output.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;

use anyhow::{Context, Result};
use farmhand::{Problem, Solution};
use serde_json::error::Category;

use crate::is_std;

/// Why a file could not be turned into a value.
pub(crate) enum ParseFailure {
    /// The file could not be read at all.
    Io(anyhow::Error),
    /// The text is not JSON, or not JSON of the expected shape.
    Json { message: String },
}

impl ParseFailure {
    pub(crate) fn into_error(self) -> anyhow::Error {
        match self {
            ParseFailure::Io(err) => err,
            ParseFailure::Json { message } => anyhow::anyhow!(message),
        }
    }
}

/// Reads the whole file, or stdin for `-`.
pub(crate) fn read_text(path: &Path, what: &str) -> Result<String> {
    let mut text = String::new();
    if is_std(path) {
        io::stdin()
            .read_to_string(&mut text)
            .with_context(|| format!("cannot read {what} from stdin"))?;
    } else {
        File::open(path)
            .and_then(|mut f| f.read_to_string(&mut text))
            .with_context(|| format!("cannot read {what} file {}", path.display()))?;
    }
    Ok(text)
}

/// Reads the whole file, or stdin for `-`, as bytes (spreadsheets may be in
/// any encoding).
pub(crate) fn read_bytes(path: &Path, what: &str) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    if is_std(path) {
        io::stdin()
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {what} from stdin"))?;
    } else {
        File::open(path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .with_context(|| format!("cannot read {what} file {}", path.display()))?;
    }
    Ok(bytes)
}

/// Reads and parses a problem.
pub(crate) fn read_problem(path: &Path) -> Result<Problem, ParseFailure> {
    let text = read_text(path, "problem").map_err(ParseFailure::Io)?;
    Problem::from_json(&text).map_err(|e| json_failure(path, "problem", &e))
}

/// Reads and parses a solution.
pub(crate) fn read_solution(path: &Path) -> Result<Solution, ParseFailure> {
    let text = read_text(path, "solution").map_err(ParseFailure::Io)?;
    Solution::from_json(&text).map_err(|e| json_failure(path, "solution", &e))
}

/// A message that names the file, the line and the column, and says whether
/// the text is not JSON at all or JSON of the wrong shape.
fn json_failure(path: &Path, what: &str, err: &serde_json::Error) -> ParseFailure {
    let name = if is_std(path) { "<stdin>".to_string() } else { path.display().to_string() };
    let kind = match err.classify() {
        Category::Syntax | Category::Eof => "malformed JSON".to_string(),
        Category::Data => format!("not a valid {what}"),
        Category::Io => "cannot read".to_string(),
    };
    // serde_json appends " at line L column C"; say it once, up front.
    let full = err.to_string();
    let detail = full.rsplit_once(" at line ").map_or(full.as_str(), |(head, _)| head);
    ParseFailure::Json {
        message: format!(
            "{name}: {kind} at line {}, column {}: {detail}",
            err.line(),
            err.column()
        ),
    }
}

/// Writes `write` to the file, or stdout for `None` or `-`, buffered.
pub(crate) fn write_output(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    match path {
        Some(p) if !is_std(p) => {
            let file = File::create(p).with_context(|| format!("cannot create {}", p.display()))?;
            let mut out = BufWriter::new(file);
            write(&mut out)
                .and_then(|()| out.flush())
                .with_context(|| format!("cannot write {}", p.display()))
        }
        _ => {
            let stdout = io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            write(&mut out).and_then(|()| out.flush()).context("cannot write to stdout")
        }
    }
}
