//! Spreadsheet input (`--workers`, `--demands`, `--encoding`) shared by
//! `match` and `validate`, and the output formats of `match`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use farmhand::Options;
use farmhand_sheets::{Encoding, ReadOptions, SheetErrors, SheetInput, SheetIssue, Sheets};

use crate::input::read_bytes;

/// The two spreadsheets that replace a problem file.
#[derive(clap::Args, Debug)]
pub(crate) struct SheetArgs {
    /// Workers spreadsheet (CSV), given with --demands instead of PROBLEM.json.
    /// Header (id, lat, lon and availability required; a `name` column is
    /// ignored):
    /// id,lat,lon,max_travel_km,skills,availability,max_days,max_consecutive_days,excluded_farms,preferred_farms,crew
    #[arg(long, value_name = "workers.csv", requires = "demands")]
    pub(crate) workers: Option<PathBuf>,

    /// Demands spreadsheet (CSV), given with --workers. Header:
    /// id,farm_id,lat,lon,start,end,workers_per_day,required_skills,priority.
    #[arg(long, value_name = "demands.csv", requires = "workers")]
    pub(crate) demands: Option<PathBuf>,

    /// Character encoding of the spreadsheets [default: auto: UTF-8 with or
    /// without BOM, else CP949 as Korean Excel saves "CSV (comma delimited)"].
    #[arg(long, value_enum, conflicts_with = "problem")]
    pub(crate) encoding: Option<EncodingArg>,
}

/// `--encoding`.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub(crate) enum EncodingArg {
    /// A byte order mark, else UTF-8 if valid, else CP949.
    Auto,
    /// UTF-8, with or without a byte order mark.
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// CP949 / EUC-KR (Korean Excel's "CSV (comma delimited)").
    #[value(name = "cp949", alias = "euc-kr")]
    Cp949,
}

impl From<EncodingArg> for Encoding {
    fn from(arg: EncodingArg) -> Self {
        match arg {
            EncodingArg::Auto => Encoding::Auto,
            EncodingArg::Utf8 => Encoding::Utf8,
            EncodingArg::Cp949 => Encoding::Cp949,
        }
    }
}

impl SheetArgs {
    /// The two paths when spreadsheets were given (clap makes sure both are).
    pub(crate) fn paths(&self) -> Option<(&Path, &Path)> {
        Some((self.workers.as_deref()?, self.demands.as_deref()?))
    }
}

/// Reads the spreadsheets; `Err` for a file that cannot be read, `Ok(Err)`
/// for spreadsheets with issues.
pub(crate) fn read(
    workers: &Path,
    demands: &Path,
    encoding: Option<EncodingArg>,
    options: Options,
) -> Result<Result<Sheets, SheetErrors>> {
    let input = |path: &Path, what: &str| -> Result<SheetInput> {
        let bytes = read_bytes(path, what)?;
        let name = if crate::is_std(path) { "<stdin>".into() } else { path.display().to_string() };
        Ok(SheetInput::new(name, bytes))
    };
    let workers = input(workers, "workers")?;
    let demands = input(demands, "demands")?;
    let encoding = encoding.map_or(Encoding::Auto, Encoding::from);
    Ok(farmhand_sheets::read_sheets(&workers, &demands, &ReadOptions { encoding, options }))
}

/// `file:line: column X: message [code]`, one per line.
pub(crate) fn lines(issues: &[SheetIssue]) -> String {
    issues.iter().map(|i| format!("{i}\n")).collect()
}

/// The directory for `--format csv`, created when missing.
pub(crate) fn output_dir(dir: Option<&Path>) -> Result<PathBuf> {
    let dir = dir.map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    if dir.exists() && !dir.is_dir() {
        anyhow::bail!(
            "--format csv writes its sheets into a directory, and {} is a file: give -o a directory",
            dir.display()
        );
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}
