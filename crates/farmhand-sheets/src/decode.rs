//! Turning a file's bytes into text: UTF-8 (with or without a byte order
//! mark), UTF-16 with a byte order mark, or CP949.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::issue::Issues;

/// The character encoding of a spreadsheet file.
///
/// Excel on a Korean Windows saves "CSV (comma delimited)" in CP949 and
/// "CSV UTF-8" in UTF-8 with a byte order mark; both are read by `Auto`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Encoding {
    /// A byte order mark decides (UTF-8 or UTF-16); without one, UTF-8 when
    /// the bytes are valid UTF-8, CP949 otherwise.
    #[default]
    #[serde(rename = "auto")]
    Auto,
    /// UTF-8; a leading byte order mark is skipped.
    #[serde(rename = "utf-8")]
    Utf8,
    /// CP949 (Windows code page 949, Unified Hangul Code), a superset of
    /// EUC-KR, so EUC-KR files read too.
    #[serde(rename = "cp949")]
    Cp949,
}

impl Encoding {
    /// The name used on the command line and in JSON: `auto`, `utf-8`, `cp949`.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Auto => "auto",
            Encoding::Utf8 => "utf-8",
            Encoding::Cp949 => "cp949",
        }
    }
}

/// The error of [`Encoding::from_str`]: the name is none of the known ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown encoding {0:?}; use auto, utf-8 or cp949 (euc-kr)")]
pub struct UnknownEncoding(pub String);

impl FromStr for Encoding {
    type Err = UnknownEncoding;

    /// Accepts `auto`, `utf-8` / `utf8`, `cp949` / `euc-kr` / `ms949` /
    /// `windows-949`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(Encoding::Auto),
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "cp949" | "euc-kr" | "euckr" | "ms949" | "windows-949" => Ok(Encoding::Cp949),
            _ => Err(UnknownEncoding(s.to_owned())),
        }
    }
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Decodes a whole file, or reports why it is not text in `encoding` (with
/// the line of the first bad byte) and returns `None`.
pub(crate) fn decode(
    file: &str,
    bytes: &[u8],
    encoding: Encoding,
    issues: &mut Issues,
) -> Option<String> {
    let fail = |issues: &mut Issues, line: u64, message: String| {
        issues.push(file, line, None, "invalid_encoding", message);
        None
    };
    // A UTF-16 byte order mark says what the file is, whatever was forced:
    // say so rather than blame the bytes after it.
    let utf16 = encoding_rs::Encoding::for_bom(bytes)
        .map(|(enc, _)| enc)
        .filter(|&enc| enc != encoding_rs::UTF_8);
    if let (Some(enc), Encoding::Utf8 | Encoding::Cp949) = (utf16, encoding) {
        let forced = if encoding == Encoding::Utf8 { "UTF-8" } else { "CP949" };
        return fail(
            issues,
            1,
            format!(
                "starts with a {} byte order mark, so it is {} (Excel's \"Unicode text\"), not \
                 {forced}; use encoding auto",
                enc.name(),
                enc.name()
            ),
        );
    }
    match encoding {
        Encoding::Auto => {
            if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
                return match strict(enc, &bytes[bom_len..]) {
                    Ok(text) => Some(text),
                    Err(line) => fail(
                        issues,
                        line,
                        format!(
                            "the file starts with a {} byte order mark but is not valid {} from \
                             this line on; save it again as CSV UTF-8",
                            enc.name(),
                            enc.name()
                        ),
                    ),
                };
            }
            if let Ok(text) = std::str::from_utf8(bytes) {
                return Some(text.to_owned());
            }
            match strict(encoding_rs::EUC_KR, bytes) {
                Ok(text) => Some(text),
                Err(line) => fail(
                    issues,
                    line,
                    "is neither UTF-8 nor CP949 (EUC-KR): this line has bytes that are text in \
                     neither; save the file again from Excel as CSV UTF-8, or pass the \
                     encoding explicitly"
                        .to_owned(),
                ),
            }
        }
        Encoding::Utf8 => {
            let body = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
            match std::str::from_utf8(body) {
                Ok(text) => Some(text.to_owned()),
                Err(err) => fail(
                    issues,
                    line_at(body, err.valid_up_to()),
                    "is not valid UTF-8 from this line on; if Excel saved it as plain \"CSV \
                     (comma delimited)\" on a Korean Windows it is CP949: use encoding cp949 or \
                     auto"
                        .to_owned(),
                ),
            }
        }
        Encoding::Cp949 => {
            if bytes.starts_with(UTF8_BOM) {
                return fail(
                    issues,
                    1,
                    "starts with a UTF-8 byte order mark, so it is UTF-8, not CP949; use \
                     encoding utf-8 or auto"
                        .to_owned(),
                );
            }
            match strict(encoding_rs::EUC_KR, bytes) {
                Ok(text) => Some(text),
                Err(line) => fail(
                    issues,
                    line,
                    "is not valid CP949 (EUC-KR) from this line on; use encoding utf-8 or auto \
                     if the file is UTF-8"
                        .to_owned(),
                ),
            }
        }
    }
}

/// Decodes without replacing anything; on failure, the 1-based line of the
/// first malformed sequence.
fn strict(enc: &'static encoding_rs::Encoding, bytes: &[u8]) -> Result<String, u64> {
    if let Some(text) = enc.decode_without_bom_handling_and_without_replacement(bytes) {
        return Ok(text.into_owned());
    }
    // Decode again with replacement characters to find the first malformed
    // sequence; the line count of the text before it is the file's, as line
    // breaks are ASCII in every supported encoding.
    let (lossy, _) = enc.decode_without_bom_handling(bytes);
    let bad = lossy.find('\u{FFFD}').unwrap_or(lossy.len());
    Err(line_at(lossy.as_bytes(), bad))
}

/// The 1-based line of byte `offset`.
fn line_at(bytes: &[u8], offset: usize) -> u64 {
    bytes[..offset.min(bytes.len())].iter().filter(|&&b| b == b'\n').count() as u64 + 1
}
