//! Reading problems and solutions from files or stdin, and writing output.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use farmhand::{JsonError, JsonErrors, Problem, Solution};

use crate::is_std;

/// Why a file could not be turned into a value.
pub(crate) enum ParseFailure {
    /// The file could not be read at all.
    Io(anyhow::Error),
    /// The text is not JSON, or not JSON of the expected shape: every place
    /// found, the first with its line and column.
    Json { name: String, what: &'static str, errors: JsonErrors },
}

impl ParseFailure {
    pub(crate) fn into_error(self) -> anyhow::Error {
        match self {
            ParseFailure::Io(err) => err,
            ParseFailure::Json { name, what, errors } => {
                anyhow::anyhow!(json_message(&name, what, &errors))
            }
        }
    }
}

/// `NAME: malformed JSON at line L, column C: ...` for text that is not
/// JSON; `NAME: not a valid problem at line L, column C, PATH: ...` for one
/// error of shape, and a list of them, one a line, for several.
fn json_message(name: &str, what: &str, errors: &JsonErrors) -> String {
    let first = errors.first();
    let place = |e: &JsonError| {
        let mut at = String::new();
        if let (Some(line), Some(column)) = (e.line, e.column) {
            at = format!("line {line}, column {column}");
        }
        if !e.path.is_empty() {
            at = if at.is_empty() { e.path.clone() } else { format!("{at}, {}", e.path) };
        }
        at
    };
    if errors.is_syntax() {
        return format!("{name}: malformed JSON at {}: {}", place(first), first.message);
    }
    if errors.errors.len() == 1 {
        return format!("{name}: not a valid {what} at {}: {}", place(first), first.message);
    }
    let more = if errors.truncated { " (the first ones)" } else { "" };
    let mut text = format!("{name}: not a valid {what}: {} errors{more}:", errors.errors.len());
    for e in &errors.errors {
        match place(e) {
            at if at.is_empty() => text.push_str(&format!("\n  {}", e.message)),
            at => text.push_str(&format!("\n  {at}: {}", e.message)),
        }
    }
    text
}

/// Reads the whole file, or stdin for `-`, as UTF-8 text. A byte-order
/// mark (Windows editors write one) is skipped; a byte that is not UTF-8 is
/// reported at its line and column.
pub(crate) fn read_text(path: &Path, what: &str) -> Result<String> {
    let mut bytes = read_bytes(path, what)?;
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|err| {
        let bytes = err.as_bytes();
        let at = err.utf8_error().valid_up_to();
        let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
        let line_start = bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = 1 + String::from_utf8_lossy(&bytes[line_start..at]).chars().count();
        let name = if is_std(path) { "<stdin>".to_string() } else { path.display().to_string() };
        anyhow::anyhow!(
            "{name}: the {what} is not UTF-8 text: byte {at} (line {line}, column {column}) \
             is 0x{:02X}; save the file as UTF-8",
            bytes[at]
        )
    })
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
    Problem::parse_json(&text).map_err(|errors| json_failure(path, "problem", errors))
}

/// Reads and parses a solution.
pub(crate) fn read_solution(path: &Path) -> Result<Solution, ParseFailure> {
    let text = read_text(path, "solution").map_err(ParseFailure::Io)?;
    Solution::parse_json(&text).map_err(|errors| json_failure(path, "solution", errors))
}

fn json_failure(path: &Path, what: &'static str, errors: JsonErrors) -> ParseFailure {
    let name = if is_std(path) { "<stdin>".to_string() } else { path.display().to_string() };
    ParseFailure::Json { name, what, errors }
}

/// A file written under a temporary name beside its destination and moved
/// into place by [`Staged::commit`], once every output of a command is
/// ready; dropped uncommitted, it is removed. So a command that fails part
/// way leaves every file it would have written as it was.
///
/// A destination that exists and is no regular file (`/dev/null`, a named
/// pipe, a terminal) is written directly: moving a file into its place
/// would replace the device itself (run as root, `-o /dev/null` turned
/// `/dev/null` into a plain file that later programs read back).
pub(crate) struct Staged {
    tmp: PathBuf,
    dest: PathBuf,
    file: Option<File>,
    committed: bool,
    /// Written in place (a device or a pipe): nothing to move or remove.
    direct: bool,
}

impl Staged {
    /// Creates the temporary file: whatever keeps the destination from
    /// being written (no such directory, no permission, a directory in the
    /// way) fails here, before any work.
    pub(crate) fn create(dest: &Path) -> Result<Staged> {
        if dest.is_dir() {
            anyhow::bail!("cannot write {}: it is a directory; give a file name", dest.display());
        }
        if std::fs::metadata(dest).is_ok_and(|m| !m.is_file()) {
            let file = File::options()
                .write(true)
                .open(dest)
                .with_context(|| format!("cannot write {}", dest.display()))?;
            let dest = dest.to_path_buf();
            return Ok(Staged {
                tmp: dest.clone(),
                dest,
                file: Some(file),
                committed: false,
                direct: true,
            });
        }
        let name = dest
            .file_name()
            .with_context(|| format!("cannot write {}: it names no file", dest.display()))?;
        let tmp = dest.with_file_name(format!(
            ".{}.{}.farmhand-tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        let file =
            File::create(&tmp).with_context(|| format!("cannot create {}", dest.display()))?;
        Ok(Staged {
            tmp,
            dest: dest.to_path_buf(),
            file: Some(file),
            committed: false,
            direct: false,
        })
    }

    /// Writes the contents, buffered.
    pub(crate) fn write(
        &mut self,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<()> {
        let file = self.file.take().context("a staged file is written once")?;
        let mut out = BufWriter::new(file);
        write(&mut out)
            .and_then(|()| out.flush())
            .with_context(|| format!("cannot write {}", self.dest.display()))
    }

    /// Moves the file into place.
    pub(crate) fn commit(mut self) -> Result<()> {
        if self.direct {
            self.committed = true;
            return Ok(());
        }
        std::fs::rename(&self.tmp, &self.dest)
            .with_context(|| format!("cannot write {}", self.dest.display()))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed && !self.direct {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Writes `write` to the file (all or nothing, see [`Staged`]), or stdout
/// for `None` or `-`, buffered.
pub(crate) fn write_output(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<()> {
    match path {
        Some(p) if !is_std(p) => {
            let mut staged = Staged::create(p)?;
            staged.write(write)?;
            staged.commit()
        }
        _ => {
            let stdout = io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            write(&mut out).and_then(|()| out.flush()).context("cannot write to stdout")
        }
    }
}
