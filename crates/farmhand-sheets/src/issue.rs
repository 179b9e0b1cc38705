//! Issues found in spreadsheets: where (file, line, column), what (a stable
//! code) and how to fix it (a message).

use std::fmt;

use serde::{Deserialize, Serialize};

/// One problem found in a spreadsheet, pointing at the cell to fix.
///
/// `line` is the 1-based line of the file where the row starts (the header is
/// line 1), so it matches what a text editor shows and, for files without
/// line breaks inside quoted cells, the row number Excel shows. `line` is 0
/// for an issue that belongs to no row of a file: a problem option passed by
/// the caller (then `file` is `"options"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetIssue {
    /// The file's name as given in [`SheetInput::name`](crate::SheetInput).
    pub file: String,
    /// 1-based line where the row starts; 1 is the header, 0 none.
    pub line: u64,
    /// The column's header name (lower case, as documented), when the issue
    /// is about one cell or one column.
    pub column: Option<String>,
    /// A stable machine-readable code: one of the CSV codes listed in the
    /// crate documentation, or a validation code of `docs/errors.md`.
    pub code: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for SheetIssue {
    /// `workers.csv:7: column availability: ... [invalid_date]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
        }
        write!(f, ": ")?;
        if let Some(column) = &self.column {
            write!(f, "column {column}: ")?;
        }
        write!(f, "{} [{}]", self.message, self.code)
    }
}

/// Spreadsheets that could not be turned into a valid problem: every issue
/// found, in file order (workers, then demands, then options) and line order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("the spreadsheets have {} issue(s); first: {}", .issues.len(), .issues.first().map(ToString::to_string).unwrap_or_default())]
pub struct SheetErrors {
    /// Every issue found (never empty).
    pub issues: Vec<SheetIssue>,
}

/// Collects issues of one read.
#[derive(Default)]
pub(crate) struct Issues {
    pub(crate) issues: Vec<SheetIssue>,
    /// Cells (file, line, column) that could not be read and hold a
    /// placeholder value in the problem.
    pub(crate) placeholders: Vec<(String, u64, String)>,
}

impl Issues {
    pub(crate) fn placeholder(&mut self, file: &str, line: u64, column: &str) {
        self.placeholders.push((file.to_owned(), line, column.to_owned()));
    }

    pub(crate) fn push(
        &mut self,
        file: &str,
        line: u64,
        column: Option<&str>,
        code: &str,
        message: String,
    ) {
        self.issues.push(SheetIssue {
            file: file.to_owned(),
            line,
            column: column.map(str::to_owned),
            code: code.to_owned(),
            message,
        });
    }
}

/// A user's text for a message: quoted, and cut short so a huge cell does not
/// flood the report (the core's own rule, so sheets and JSON read alike).
pub(crate) use farmhand::quote_input as show;
