//! Reading JSON into the format's types, reporting every place where the
//! text does not fit the shape, not only the first.
//!
//! serde stops at the first value of the wrong type. A problem typed by hand
//! or exported from another system often has the same mistake in many
//! places (every latitude quoted, say), and fixing them one run at a time is
//! slow. So when the streaming parse fails on the shape (the text is JSON,
//! but not of the expected form), the text is read again as a
//! [`serde_json::Value`], and each element of each top-level array is
//! deserialised on its own beside the rest of the document. After each
//! error the offending value is set aside (an unknown field removed, a
//! value of the wrong type replaced by a harmless one of the right type)
//! and the element is tried again, until it passes or nothing more can be
//! learnt from it (a required field missing).
//!
//! Invariants:
//! - The happy path is one plain streaming parse: this costs nothing unless
//!   the input is wrong.
//! - The first error is the streaming parser's, with its line and column;
//!   the others carry their JSON path only.
//! - Every error is a real one: a placeholder put in place of a bad value is
//!   never reported, and a field this pass removed is never reported missing.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use serde_path_to_error::Segment;

/// At most this many errors are listed; [`JsonErrors::truncated`] says when
/// there were more.
pub const MAX_JSON_ERRORS: usize = 100;

/// What kind of failure a [`JsonError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JsonErrorKind {
    /// The text is not JSON (a missing comma, a stray character, bad UTF-8).
    Syntax,
    /// The text ends before the JSON does.
    Eof,
    /// JSON, but not of the expected shape: a wrong type, an unknown or a
    /// missing field.
    Data,
}

impl JsonErrorKind {
    /// The short name used in the HTTP service's error details.
    pub fn as_str(self) -> &'static str {
        match self {
            JsonErrorKind::Syntax => "syntax",
            JsonErrorKind::Eof => "eof",
            JsonErrorKind::Data => "data",
        }
    }
}

/// One place where the text does not fit the expected shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JsonError {
    /// JSON path of the offending value (`workers[3].location.lat`), empty
    /// for the document itself.
    pub path: String,
    /// What is wrong, in plain words.
    pub message: String,
    /// Syntax, early end, or wrong shape.
    pub kind: JsonErrorKind,
    /// Line of the error, from 1: known for the first error only.
    pub line: Option<usize>,
    /// Column of the error, from 1: known for the first error only.
    pub column: Option<usize>,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let (Some(line), Some(column)) = (self.line, self.column) {
            write!(f, "line {line}, column {column}: ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

/// Every place, up to [`MAX_JSON_ERRORS`], where a text failed to parse.
/// Never empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct JsonErrors {
    /// In the order found; the first is the streaming parser's.
    pub errors: Vec<JsonError>,
    /// True when there were more errors than listed.
    pub truncated: bool,
}

impl JsonErrors {
    /// The first error: the one with a line and column.
    pub fn first(&self) -> &JsonError {
        &self.errors[0]
    }

    /// Syntax or early end: the text is not JSON at all.
    pub fn is_syntax(&self) -> bool {
        self.first().kind != JsonErrorKind::Data
    }
}

impl fmt::Display for JsonErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first())?;
        let more = self.errors.len() - 1;
        match (more, self.truncated) {
            (0, false) => Ok(()),
            (n, false) => write!(f, " (and {n} more)"),
            (n, true) => write!(f, " (and more than {n} more)"),
        }
    }
}

/// Parses `text` into `T`, one of the format's object types (a problem, a
/// solution, a request body), listing every error found when it does not
/// fit. A document that is a list is refused: serde would read a struct
/// from a list by position, which the format does not allow. A byte-order
/// mark at the start (Windows editors write one) is skipped, as RFC 8259
/// allows, so a file reads the same from the command line and over HTTP.
pub fn parse_json<T: DeserializeOwned>(text: &str) -> Result<T, JsonErrors> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let parsed = serde_json::from_str::<T>(text);
    let body = text.trim_start_matches([' ', '\t', '\n', '\r']);
    if body.starts_with('[') {
        let before = &text[..text.len() - body.len()];
        let line = 1 + before.matches('\n').count();
        let column = 1 + before.rsplit('\n').next().map_or(0, str::len);
        let error = JsonError {
            path: String::new(),
            message: "expected an object {...}, got a list".to_owned(),
            kind: JsonErrorKind::Data,
            line: Some(line),
            column: Some(column),
        };
        return Err(JsonErrors { errors: vec![error], truncated: false });
    }
    parsed.map_err(|err| explain::<T>(text, &err))
}

/// [`parse_json`] on bytes: text that is not UTF-8 is one syntax error at
/// the line and column of its first bad byte.
pub fn parse_json_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, JsonErrors> {
    let bad = match std::str::from_utf8(bytes) {
        Ok(text) => return parse_json(text),
        Err(err) => err.valid_up_to(),
    };
    let line = 1 + bytes[..bad].iter().filter(|&&b| b == b'\n').count();
    let line_start = bytes[..bad].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let column = 1 + String::from_utf8_lossy(&bytes[line_start..bad]).chars().count();
    let error = JsonError {
        path: String::new(),
        message: format!(
            "byte {bad} (0x{:02X}) is not UTF-8 text; send or save the text as UTF-8",
            bytes[bad]
        ),
        kind: JsonErrorKind::Syntax,
        line: Some(line),
        column: Some(column),
    };
    Err(JsonErrors { errors: vec![error], truncated: false })
}

/// Every error of a text whose streaming parse failed with `err`.
fn explain<T: DeserializeOwned>(text: &str, err: &serde_json::Error) -> JsonErrors {
    // The path of the first error: the same parse again, tracking where it is.
    let mut de = serde_json::Deserializer::from_str(text);
    let path = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(tracked) => path_string(&segments(tracked.path())),
        // Trailing characters after a good document.
        Ok(_) => String::new(),
    };
    let first = first_error(err, path);
    let mut errors = vec![first.clone()];
    let mut truncated = false;
    if first.kind == JsonErrorKind::Data {
        let mut found = Vec::new();
        collect::<T>(text, &mut found);
        for more in found {
            if more.path == first.path && more.message == first.message {
                continue;
            }
            if errors.len() == MAX_JSON_ERRORS {
                truncated = true;
                break;
            }
            errors.push(more);
        }
    }
    JsonErrors { errors, truncated }
}

fn first_error(err: &serde_json::Error, path: String) -> JsonError {
    use serde_json::error::Category;
    let mut kind = match err.classify() {
        Category::Data => JsonErrorKind::Data,
        Category::Eof => JsonErrorKind::Eof,
        Category::Syntax | Category::Io => JsonErrorKind::Syntax,
    };
    // serde_json's Display appends " at line L column C"; those are fields.
    let full = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    let mut message = plain(full.strip_suffix(&suffix).unwrap_or(&full));
    // serde_json files a number too large for any number type (`1e400`)
    // under syntax, but the text is JSON: it is a value out of range, at
    // the path given.
    if message == "number out of range" {
        kind = JsonErrorKind::Data;
        message = "number out of range: it does not fit a 64-bit number; use a smaller one".into();
    }
    JsonError { path, message, kind, line: Some(err.line()), column: Some(err.column()) }
}

/// One step of a path into a [`Value`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Key(String),
    Index(usize),
    /// A step serde_path_to_error could not name (an enum variant): the
    /// value cannot be reached, so nothing is set aside past it.
    Other,
}

fn segments(path: &serde_path_to_error::Path) -> Vec<Step> {
    path.iter()
        .map(|segment| match segment {
            Segment::Map { key } => Step::Key(key.clone()),
            Segment::Seq { index } => Step::Index(*index),
            _ => Step::Other,
        })
        .collect()
}

/// The path in the validator's notation: `workers[3].skills["hand weeding"]`.
fn path_string(steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Key(key) => out = crate::validate::key_path(&out, key),
            Step::Index(i) => out.push_str(&format!("[{i}]")),
            Step::Other => out.push_str(".?"),
        }
    }
    out
}

/// The most text of one value (a top-level field, or one element of a
/// top-level list) read as a [`Value`] to look for errors: a `Value` takes
/// up to about 90 times its text, so a pathological body stays bounded
/// (about 20 MB at most at a time). A larger value is not looked into.
const LOOK_MAX: usize = 256 * 1024;

/// Finds the errors of a document that fails to be a `T`. Only the top
/// level is split, as borrowed slices of the text: each element of each
/// top-level list is read as a [`Value`] and tried on its own in a document
/// of just that one-element list, so one element's error never hides
/// another's, the work stays linear and the memory bounded; the other
/// top-level fields, with every list emptied, are tried last.
fn collect<T: DeserializeOwned>(text: &str, out: &mut Vec<JsonError>) {
    use serde_json::value::RawValue;
    let Ok(top) = serde_json::from_str::<BTreeMap<String, &RawValue>>(text) else {
        // Not an object at the top.
        if text.len() <= LOOK_MAX {
            if let Ok(mut value) = serde_json::from_str::<Value>(text) {
                settle::<T>(&mut value, &[], None, BTreeSet::new(), out);
            }
        }
        return;
    };
    let mut rest = serde_json::Map::new();
    let mut unread = BTreeSet::new();
    let mut lists = Vec::new();
    for (key, raw) in top {
        let json = raw.get();
        if json.starts_with('[') {
            rest.insert(key.clone(), Value::Array(Vec::new()));
            lists.push((key, raw));
        } else if json.len() <= LOOK_MAX {
            if let Ok(value) = serde_json::from_str::<Value>(json) {
                rest.insert(key, value);
            }
        } else {
            // Too large to look into: left out, and not missed.
            unread.insert((Vec::new(), key));
        }
    }
    let mut rest = Value::Object(rest);
    settle::<T>(&mut rest, &[], None, unread, out);
    for (key, raw) in lists {
        let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(raw.get()) else { continue };
        let prefix = [Step::Key(key.clone()), Step::Index(0)];
        let alone = |items: Vec<Value>| {
            let mut doc = serde_json::Map::new();
            doc.insert(key.clone(), Value::Array(items));
            Value::Object(doc)
        };
        // A field the type does not have: reported once, above.
        if let Err(err) = serde_path_to_error::deserialize::<_, T>(&alone(Vec::new())) {
            if segments(err.path()) == prefix[..1] {
                continue;
            }
        }
        for (i, item) in items.into_iter().enumerate() {
            if out.len() > MAX_JSON_ERRORS {
                return;
            }
            if item.get().len() > LOOK_MAX {
                continue;
            }
            let Ok(item) = serde_json::from_str::<Value>(item.get()) else { continue };
            let mut doc = alone(vec![item]);
            settle::<T>(&mut doc, &prefix, Some(i), BTreeSet::new(), out);
        }
    }
}

/// Deserialises `value` as a `T` again and again, recording each error
/// under `prefix` (the element at index 0 of a one-element list standing
/// for element `index` of the real one) and setting its value aside, until
/// it parses or an error cannot be got past. A missing field is made up
/// (and whatever the made-up value lacks in turn, silently), so the fields
/// after it are still looked at. `removed` holds fields taken out before:
/// never reported missing.
fn settle<T: DeserializeOwned>(
    value: &mut Value,
    prefix: &[Step],
    index: Option<usize>,
    mut removed: BTreeSet<(Vec<Step>, String)>,
    out: &mut Vec<JsonError>,
) {
    // Values this pass made up: errors inside them are its own.
    let mut made: Vec<Vec<Step>> = Vec::new();
    // Each round removes, replaces or makes up one value, and made-up
    // values are small, so this is a backstop against a pathological one.
    for _ in 0..2_000 {
        let err = match serde_path_to_error::deserialize::<_, T>(&*value) {
            Ok(_) => return,
            Err(err) => err,
        };
        let steps = segments(err.path());
        if !steps.starts_with(prefix) {
            // Outside the element: the top-level pass reports it.
            return;
        }
        let message = err.inner().to_string();
        let own = made.iter().any(|m| steps.starts_with(m));
        if let Some(field) = quoted_field(&message, "missing field `") {
            if !own && !removed.contains(&(steps.clone(), field.clone())) {
                out.push(data_error(&steps, prefix, index, &message));
            }
            let mut at = steps.clone();
            at.push(Step::Key(field));
            if !make_up::<T>(value, &at) {
                return;
            }
            made.push(at);
            continue;
        }
        if !own {
            out.push(data_error(&steps, prefix, index, &message));
            if out.len() > MAX_JSON_ERRORS {
                return;
            }
        }
        if !set_aside::<T>(value, &steps, &message, &mut removed, &mut made) {
            return;
        }
    }
}

fn data_error(steps: &[Step], prefix: &[Step], index: Option<usize>, message: &str) -> JsonError {
    let mut steps = steps.to_vec();
    if let Some(i) = index {
        steps[prefix.len() - 1] = Step::Index(i);
    }
    JsonError {
        path: path_string(&steps),
        message: plain(message),
        kind: JsonErrorKind::Data,
        line: None,
        column: None,
    }
}

/// The name between the backticks after `lead`, if `message` starts so.
fn quoted_field(message: &str, lead: &str) -> Option<String> {
    let rest = message.strip_prefix(lead)?;
    rest.split_once('`').map(|(name, _)| name.to_owned())
}

/// Puts a value at `at` (a key of an object, or an element of a list) that
/// `T` takes there: the first of a string, a number, a list, an object and
/// a boolean that is not refused for its type where it stands (an object
/// that lacks fields is fine: those are made up next). False, with the
/// place as it was, when none is taken.
fn make_up<T: DeserializeOwned>(root: &mut Value, at: &[Step]) -> bool {
    let Some((last, parent)) = at.split_last() else { return false };
    let candidates = [
        Value::from(""),
        Value::from(0),
        Value::Array(Vec::new()),
        Value::Object(serde_json::Map::new()),
        Value::Bool(false),
    ];
    let before = reach(root, parent).and_then(|p| match (p, last) {
        (Value::Object(map), Step::Key(key)) => Some(map.get(key).cloned()),
        (Value::Array(items), Step::Index(i)) => items.get(*i).cloned().map(Some),
        _ => None,
    });
    let Some(before) = before else { return false };
    let put = |root: &mut Value, v: Option<Value>| match (reach(root, parent), last, v) {
        (Some(Value::Object(map)), Step::Key(key), Some(v)) => {
            map.insert(key.clone(), v);
        }
        (Some(Value::Object(map)), Step::Key(key), None) => {
            map.remove(key);
        }
        (Some(Value::Array(items)), Step::Index(i), Some(v)) => items[*i] = v,
        _ => {}
    };
    for candidate in candidates {
        put(root, Some(candidate));
        match serde_path_to_error::deserialize::<_, T>(&*root) {
            Ok(_) => return true,
            Err(err) => {
                let refused = segments(err.path()) == at
                    && quoted_field(&err.inner().to_string(), "missing field `").is_none();
                if !refused {
                    return true;
                }
            }
        }
    }
    put(root, before);
    false
}

/// Gets the value at `steps` out of the way of the next try: an unknown
/// field is removed; a value of the wrong type is replaced by a plain one
/// of the type expected, or by one made up ([`make_up`]); failing that it
/// is removed (the field may be optional; if it is required, its absence
/// is not reported) or, in a list, cut off with the elements after it.
/// False when nothing could be done.
fn set_aside<T: DeserializeOwned>(
    root: &mut Value,
    steps: &[Step],
    message: &str,
    removed: &mut BTreeSet<(Vec<Step>, String)>,
    made: &mut Vec<Vec<Step>>,
) -> bool {
    // serde_path_to_error puts an unknown field's key at the end of the
    // path; older versions stop at the object. Name it from the message.
    let unknown = quoted_field(message, "unknown field `");
    let (parent_steps, last) = match (&unknown, steps.last()) {
        (Some(field), Some(Step::Key(key))) if key == field => {
            (&steps[..steps.len() - 1], Step::Key(field.clone()))
        }
        (Some(field), _) => (steps, Step::Key(field.clone())),
        (None, Some(last)) => (&steps[..steps.len() - 1], last.clone()),
        (None, None) => return false,
    };
    if unknown.is_none() {
        if let Some(p) = placeholder(message) {
            if let Some(slot) = reach(root, steps) {
                *slot = p;
                return true;
            }
        }
        if make_up::<T>(root, steps) {
            made.push(steps.to_vec());
            return true;
        }
    }
    let Some(parent) = reach(root, parent_steps) else { return false };
    match (parent, last) {
        (Value::Object(map), Step::Key(key)) => {
            if map.remove(&key).is_none() {
                return false;
            }
            removed.insert((parent_steps.to_vec(), key));
            true
        }
        // Removing it alone would shift the later elements' paths, so the
        // list is cut short here: the fields after it are still looked at.
        (Value::Array(items), Step::Index(i)) if i < items.len() => {
            items.truncate(i);
            true
        }
        _ => false,
    }
}

fn reach<'a>(root: &'a mut Value, steps: &[Step]) -> Option<&'a mut Value> {
    let mut at = root;
    for step in steps {
        at = match (at, step) {
            (Value::Object(map), Step::Key(key)) => map.get_mut(key)?,
            (Value::Array(items), Step::Index(i)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(at)
}

/// A value of the type an "invalid type"/"invalid value" message expects,
/// when that type is a plain one.
fn placeholder(message: &str) -> Option<Value> {
    let (_, expected) = message.split_once(", expected ")?;
    Some(match Expected::of(expected)? {
        Expected::Number => Value::from(0.0),
        Expected::Whole => Value::from(0),
        Expected::String => Value::from(""),
        Expected::Boolean => Value::Bool(false),
        Expected::List => Value::Array(Vec::new()),
        Expected::Object => Value::Object(serde_json::Map::new()),
    })
}

/// The plain JSON types behind serde's names for what it expected.
#[derive(Clone, Copy)]
enum Expected {
    Number,
    Whole,
    String,
    Boolean,
    List,
    Object,
}

impl Expected {
    fn of(serde_name: &str) -> Option<Expected> {
        Some(match serde_name {
            "f64" | "f32" => Expected::Number,
            "i64" | "i32" | "i16" | "i8" | "isize" | "u64" | "u32" | "u16" | "u8" | "usize" => {
                Expected::Whole
            }
            "a string" => Expected::String,
            "a boolean" => Expected::Boolean,
            "a sequence" => Expected::List,
            "a map" => Expected::Object,
            _ => return None,
        })
    }
}

/// serde's wording, in the words of the format: "expected a number, got the
/// string "35.9"" rather than "invalid type: string "35.9", expected f64".
fn plain(message: &str) -> String {
    // serde reads a struct from a list too, by position, and says so in
    // its own terms when the list is too short.
    if message.starts_with("invalid length ") && message.contains(", expected struct ") {
        return "expected an object {...}, got a list".to_owned();
    }
    let rest =
        message.strip_prefix("invalid type: ").or_else(|| message.strip_prefix("invalid value: "));
    let Some((got, expected)) = rest.and_then(|r| r.split_once(", expected ")) else {
        return message.to_owned();
    };
    let kind = Expected::of(expected);
    let want = match kind {
        Some(Expected::Number) => "a number",
        Some(Expected::Whole) => "a whole number",
        Some(Expected::String) => "a string in quotes",
        Some(Expected::Boolean) => "true or false",
        Some(Expected::List) => "a list [...]",
        Some(Expected::Object) => "an object {...}",
        None if expected.starts_with("struct ") => "an object {...}",
        None => expected,
    };
    let numeric = matches!(kind, Some(Expected::Number | Expected::Whole));
    let (got, hint) = if let Some(s) = got.strip_prefix("string ") {
        (format!("the string {s}"), if numeric { "; write the number without quotes" } else { "" })
    } else if let Some(n) = got.strip_prefix("integer ") {
        // A whole number where a whole number is expected: out of range.
        let hint = if matches!(kind, Some(Expected::Whole)) { "; it is too large" } else { "" };
        (format!("the number {}", n.trim_matches('`')), hint)
    } else if let Some(n) = got.strip_prefix("floating point ") {
        (format!("the number {}", n.trim_matches('`')), "")
    } else if let Some(b) = got.strip_prefix("boolean ") {
        (b.trim_matches('`').to_owned(), "")
    } else {
        let words = match got {
            "sequence" => "a list",
            "map" => "an object",
            other => other,
        };
        (words.to_owned(), "")
    };
    format!("expected {want}, got {got}{hint}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{Problem, Solution};

    fn errors(text: &str) -> JsonErrors {
        parse_json::<Problem>(text).expect_err("the text is not a problem")
    }

    const WORKER: &str =
        r#"{"id": "w", "location": {"lat": 35.9, "lon": 127.1}, "availability": []}"#;

    #[test]
    fn a_good_problem_parses_as_before() {
        let text = format!(r#"{{"workers": [{WORKER}], "demands": []}}"#);
        assert_eq!(parse_json::<Problem>(&text).unwrap(), Problem::from_json(&text).unwrap());
    }

    #[test]
    fn every_wrong_type_is_listed_with_its_path() {
        let text = r#"{"workers": [
            {"id": "a", "location": {"lat": "35.9", "lon": 127.1}, "availability": [], "max_days": "3"},
            {"id": "b", "location": {"lat": 35.9, "lon": 127.1}, "availability": []},
            {"id": 7, "location": {"lat": 35.9, "lon": true}, "availability": [], "colour": "red"}
          ],
          "demands": [{"id": "d", "farm_id": "f", "location": {"lat": 35.9, "lon": 127.1},
                       "start": "2026-04-01", "end": "2026-04-01", "workers_per_day": 1.5}],
          "options": {"explain": "yes"}}"#;
        let err = errors(text);
        let paths: Vec<&str> = err.errors.iter().map(|e| e.path.as_str()).collect();
        // The first is the streaming parser's, with its place in the text.
        assert_eq!(err.errors[0].path, "workers[0].location.lat");
        assert_eq!((err.errors[0].line, err.errors[0].column), (Some(2), Some(50)));
        assert_eq!(
            err.errors[0].message,
            "expected a number, got the string \"35.9\"; write the number without quotes"
        );
        let mut rest = paths[1..].to_vec();
        rest.sort_unstable();
        assert_eq!(
            rest,
            [
                "demands[0].workers_per_day",
                "options.explain",
                "workers[0].max_days",
                "workers[2].colour",
                "workers[2].id",
                "workers[2].location.lon",
            ],
            "{err:#?}"
        );
        assert!(err.errors[1..].iter().all(|e| e.line.is_none() && e.kind == JsonErrorKind::Data));
        assert!(!err.truncated);
        let by_path = |p: &str| &err.errors.iter().find(|e| e.path == p).unwrap().message;
        assert_eq!(by_path("workers[2].id"), "expected a string in quotes, got the number 7");
        assert_eq!(by_path("workers[2].location.lon"), "expected a number, got true");
        assert_eq!(
            by_path("demands[0].workers_per_day"),
            "expected a whole number, got the number 1.5"
        );
        assert!(by_path("workers[2].colour").starts_with("unknown field `colour`"));
    }

    #[test]
    fn a_bad_list_element_does_not_hide_the_others_or_the_fields_after_it() {
        // Dates where ranges belong: each is reported (a made-up range
        // stands in for it), and the field after the list is still checked.
        let text = r#"{"workers": [{"id": "a", "location": {"lat": 0, "lon": 0},
            "availability": ["2026-04-01", "2026-04-02"], "max_days": "3"}], "demands": []}"#;
        let err = errors(text);
        let found: Vec<(&str, &str)> =
            err.errors.iter().map(|e| (e.path.as_str(), e.message.as_str())).collect();
        assert_eq!(
            found,
            [
                (
                    "workers[0].availability[0]",
                    "expected an object {...}, got the string \"2026-04-01\""
                ),
                (
                    "workers[0].availability[1]",
                    "expected an object {...}, got the string \"2026-04-02\""
                ),
                (
                    "workers[0].max_days",
                    "expected a whole number, got the string \"3\"; write the number without quotes"
                ),
            ]
        );
    }

    #[test]
    fn every_missing_field_is_reported_and_nothing_made_up_is() {
        let err = errors("{}");
        let found: Vec<(&str, &str)> =
            err.errors.iter().map(|e| (e.path.as_str(), e.message.as_str())).collect();
        assert_eq!(found, [("", "missing field `workers`"), ("", "missing field `demands`")]);
        // A location without its longitude, then a wrong type after it.
        let text = r#"{"workers": [{"id": "w", "location": {"lat": 1}, "max_travel_km": "x",
            "availability": [1, 2, 3]}, {}], "demands": []}"#;
        let err = errors(text);
        let mut found: Vec<(&str, &str)> =
            err.errors.iter().map(|e| (e.path.as_str(), e.message.as_str())).collect();
        found.sort_unstable();
        assert_eq!(
            found,
            [
                ("workers[0].availability[0]", "expected an object {...}, got the number 1"),
                ("workers[0].availability[1]", "expected an object {...}, got the number 2"),
                ("workers[0].availability[2]", "expected an object {...}, got the number 3"),
                ("workers[0].location", "missing field `lon`"),
                (
                    "workers[0].max_travel_km",
                    "expected a number, got the string \"x\"; write the number without quotes"
                ),
                ("workers[1]", "missing field `availability`"),
                ("workers[1]", "missing field `id`"),
                ("workers[1]", "missing field `location`"),
            ],
            "{err:#?}"
        );
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let text =
            serde_json::to_string(&crate::generate::generate(crate::generate::Preset::Tiny, 1))
                .unwrap();
        let plain: Problem = parse_json(&text).unwrap();
        let marked = format!("\u{feff}{text}");
        assert_eq!(parse_json::<Problem>(&marked).unwrap(), plain);
        assert_eq!(parse_json_slice::<Problem>(marked.as_bytes()).unwrap(), plain);
        // Errors are still placed on the first line as in the text without it.
        let err = errors("\u{feff}{\"workers\": 1, \"demands\": []}");
        assert_eq!((err.first().line, err.first().column), (Some(1), Some(13)));
    }

    #[test]
    fn a_list_at_the_top_is_refused_at_its_place() {
        for text in ["[1, 2]", "\n  [[], []]"] {
            let err = errors(text);
            assert_eq!(err.errors.len(), 1);
            assert_eq!(err.first().message, "expected an object {...}, got a list");
        }
        let err = errors("\n  [[], []]");
        assert_eq!((err.first().line, err.first().column), (Some(2), Some(3)));
    }

    /// Paths of the objects below the top of a document.
    fn objects(value: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        let inner: Vec<(Step, &Value)> = match value {
            Value::Object(map) => map.iter().map(|(k, v)| (Step::Key(k.clone()), v)).collect(),
            Value::Array(items) => {
                items.iter().enumerate().map(|(i, v)| (Step::Index(i), v)).collect()
            }
            _ => Vec::new(),
        };
        if value.is_object() && !at.is_empty() {
            out.push(at.clone());
        }
        for (step, v) in inner {
            at.push(step);
            objects(v, at, out);
            at.pop();
        }
    }

    /// Every object below the top written as the list of its values (which
    /// serde's derived structs would read by position): refused there, and
    /// only there.
    fn every_object_written_as_a_list_is_refused<T: DeserializeOwned + fmt::Debug>(
        doc: &Value,
    ) -> usize {
        let mut places = Vec::new();
        objects(doc, &mut Vec::new(), &mut places);
        for place in &places {
            let mut value = doc.clone();
            let slot = reach(&mut value, place).unwrap();
            let fields: Vec<Value> = slot.as_object().unwrap().values().cloned().collect();
            *slot = Value::Array(fields);
            let text = serde_json::to_string(&value).unwrap();
            let err = parse_json::<T>(&text).expect_err(&path_string(place));
            assert_eq!(err.errors.len(), 1, "{}: {err:#?}", path_string(place));
            assert_eq!(err.first().path, path_string(place));
            assert!(err.first().message.starts_with("expected an object"), "{err:#?}");
            assert!(err.first().message.ends_with("got a list"), "{err:#?}");
        }
        places.len()
    }

    #[test]
    fn a_list_in_place_of_an_object_is_refused_at_its_place() {
        let mut problem = crate::generate::generate(crate::generate::Preset::Tiny, 3);
        problem.options.standby_per_slot = 2;
        problem.options.time_limit_ms = Some(60_000);
        let first = &problem.workers[0];
        let demand = &problem.demands[0];
        problem.previous.push(crate::Assignment::new(&first.id, &demand.id, &demand.start));
        problem.travel.push(crate::TravelOverride {
            worker_id: first.id.clone(),
            farm_id: demand.farm_id.clone(),
            km: 3.0,
        });
        let solution = crate::solve(&problem).unwrap();
        assert!(solution.unfilled.iter().any(|u| u.reason.is_some()), "no reasons to test");
        assert!(solution.standby.as_ref().is_some_and(|s| !s.is_empty()), "no stand-ins");
        let doc = serde_json::to_value(&problem).unwrap();
        assert!(every_object_written_as_a_list_is_refused::<Problem>(&doc) > 20);
        let doc = serde_json::to_value(&solution).unwrap();
        assert!(every_object_written_as_a_list_is_refused::<Solution>(&doc) > 10);
        // `null` still means the default where it did.
        let mut doc = serde_json::to_value(&problem).unwrap();
        doc["options"] = Value::Null;
        doc["locked"] = Value::Null;
        let parsed: Problem = parse_json(&doc.to_string()).unwrap();
        assert_eq!(parsed.options, crate::Options::default());
    }

    #[test]
    fn large_bodies_are_looked_into_a_bounded_piece_at_a_time() {
        // A huge list under a field the problem does not have: one error,
        // its elements never read one by one.
        let junk = vec![r#"{"a": 1}"#; 200_000].join(",");
        let err = errors(&format!(r#"{{"junk": [{junk}], "workers": [], "demands": []}}"#));
        let paths: Vec<&str> = err.errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["junk"]);
        // An element larger than LOOK_MAX is not looked into; the others are.
        let big = format!(
            r#"{{"id": "big", "location": {{"lat": "x", "lon": 0}}, "availability": [],
                "excluded_farms": [{}]}}"#,
            vec!["\"f\""; LOOK_MAX / 4].join(",")
        );
        let text = format!(
            r#"{{"workers": [{big}, {{"id": 5, "location": {{"lat": 0, "lon": 0}}, "availability": []}}],
                "demands": []}}"#
        );
        let err = errors(&text);
        let paths: Vec<&str> = err.errors.iter().map(|e| e.path.as_str()).collect();
        // The first error is the streaming parser's, found anyway.
        assert_eq!(paths, ["workers[0].location.lat", "workers[1].id"]);
    }

    #[test]
    fn a_missing_field_is_reported_and_a_removed_one_is_not() {
        // Worker 0 lacks its location; worker 1's location is of the wrong
        // shape (removed to get past it, so not reported missing as well).
        let text = r#"{"workers": [
            {"id": "a", "availability": []},
            {"id": "b", "location": "home", "availability": []}
          ], "demands": []}"#;
        let err = errors(text);
        let found: Vec<(&str, &str)> =
            err.errors.iter().map(|e| (e.path.as_str(), e.message.as_str())).collect();
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0], ("workers[0]", "missing field `location`"));
        assert_eq!(found[1].0, "workers[1].location");
        assert!(found[1].1.starts_with("expected an object {...}, got the string \"home\""));
    }

    #[test]
    fn a_top_level_error_does_not_hide_the_elements() {
        let text = format!(
            r#"{{"workers": [{WORKER}, {{"id": "x"}}], "demands": [], "options": {{"share_shortage": 1}}}}"#
        );
        let err = errors(&text);
        let paths: Vec<&str> = err.errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["workers[1]", "options.share_shortage", "workers[1]"], "{err:#?}");
        assert_eq!(err.errors[0].message, "missing field `location`");
        assert_eq!(err.errors[2].message, "missing field `availability`");
    }

    #[test]
    fn syntax_errors_stop_at_the_first() {
        let err = errors("{\n  \"workers\": [],\n  \"demands\": [,]\n}");
        assert_eq!(err.errors.len(), 1);
        assert!(err.is_syntax());
        assert_eq!((err.first().line, err.first().column), (Some(3), Some(15)));
        let eof = errors("{\"workers\": [");
        assert_eq!(eof.first().kind, JsonErrorKind::Eof);
        let not_utf8 = parse_json_slice::<Problem>(b"{\"workers\": [\"\xff\"]}").unwrap_err();
        assert_eq!(not_utf8.errors.len(), 1);
        assert!(not_utf8.is_syntax(), "{not_utf8:?}");
        assert_eq!((not_utf8.first().line, not_utf8.first().column), (Some(1), Some(15)));
    }

    #[test]
    fn a_number_out_of_range_is_a_data_error_at_its_path() {
        let text = format!(
            r#"{{"workers": [{WORKER}], "demands": [{{"id": "d", "farm_id": "f",
              "location": {{"lat": 1e400, "lon": 127.1}}, "start": "2026-05-01",
              "end": "2026-05-01", "workers_per_day": 1}}]}}"#
        );
        let err = errors(&text);
        assert_eq!(err.errors.len(), 1, "{err:#?}");
        let first = err.first();
        assert_eq!(first.kind, JsonErrorKind::Data, "{first:?}");
        assert!(!err.is_syntax());
        assert_eq!(first.path, "demands[0].location.lat");
        assert!(first.message.starts_with("number out of range"), "{}", first.message);
        assert_eq!(first.line, Some(2));
    }

    #[test]
    fn trailing_characters_are_one_error() {
        let err = errors("{\"workers\": [], \"demands\": []} x");
        assert_eq!(err.errors.len(), 1);
        assert_eq!(err.first().path, "");
        assert_eq!(err.first().message, "trailing characters");
    }

    #[test]
    fn the_list_is_capped() {
        let bad = r#"{"id": 1, "location": {"lat": 0, "lon": 0}, "availability": []}"#;
        let workers = vec![bad; MAX_JSON_ERRORS + 20].join(",");
        let err = errors(&format!(r#"{{"workers": [{workers}], "demands": []}}"#));
        assert_eq!(err.errors.len(), MAX_JSON_ERRORS);
        assert!(err.truncated);
        assert!(err
            .to_string()
            .ends_with(&format!("(and more than {} more)", MAX_JSON_ERRORS - 1)));
        assert_eq!(
            err.errors[MAX_JSON_ERRORS - 1].path,
            format!("workers[{}].id", MAX_JSON_ERRORS - 1)
        );
    }

    #[test]
    fn a_skill_named_twice_is_still_caught() {
        let text = r#"{"workers": [{"id": "a", "location": {"lat": 0, "lon": 0}, "availability": [],
            "skills": {"pruning": 2, "pruning": 3}}], "demands": []}"#;
        let err = errors(text);
        assert_eq!(err.first().path, "workers[0].skills");
        assert!(err.first().message.contains("pruning"), "{err:?}");
    }

    #[test]
    fn solutions_list_every_error_too() {
        let text = r#"{"assignments": [
            {"worker_id": "w", "demand_id": "d", "farm_id": "f", "date": "2026-04-01", "distance_km": "3"},
            {"worker_id": "w", "demand_id": "d", "farm_id": "f", "date": 20260402, "distance_km": 3}
          ], "unfilled": [], "dropped_previous": [], "warnings": []}"#;
        let err = parse_json::<Solution>(text).unwrap_err();
        let paths: Vec<&str> = err.errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["assignments[0].distance_km", "", "assignments[1].date"], "{err:#?}");
        assert_eq!(err.errors[1].message, "missing field `summary`");
    }

    /// Paths of the strings, numbers and booleans of a document.
    fn leaves(value: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
        match value {
            Value::Object(map) => {
                for (key, v) in map {
                    at.push(Step::Key(key.clone()));
                    leaves(v, at, out);
                    at.pop();
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    at.push(Step::Index(i));
                    leaves(v, at, out);
                    at.pop();
                }
            }
            Value::Null => {}
            _ => out.push(at.clone()),
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(96))]

        /// A generated problem with a few scalars swapped for a value of
        /// another JSON type: exactly those places are reported, once each,
        /// and the first agrees with serde's own error.
        #[test]
        fn every_wrong_scalar_is_reported_once(
            seed in 0u64..500,
            picks in proptest::collection::vec((proptest::prelude::any::<proptest::sample::Index>(), 0u8..2), 1..8),
        ) {
            let problem = crate::generate::generate(crate::generate::Preset::Tiny, seed);
            let mut value = serde_json::to_value(&problem).unwrap();
            let mut all = Vec::new();
            leaves(&value, &mut Vec::new(), &mut all);
            let mut chosen = BTreeSet::new();
            for (index, how) in picks {
                let leaf = index.get(&all).clone();
                if !chosen.insert(leaf.clone()) {
                    continue;
                }
                let slot = reach(&mut value, &leaf).unwrap();
                *slot = match (&*slot, how) {
                    (Value::String(_), 0) => Value::from(7),
                    (Value::Number(_), 0) => Value::from("x"),
                    (Value::Bool(_), 0) => Value::from("x"),
                    (Value::Bool(_), _) => Value::from(7),
                    _ => Value::Bool(true),
                };
            }
            let text = serde_json::to_string_pretty(&value).unwrap();
            let err = parse_json::<Problem>(&text).unwrap_err();
            let reported: Vec<String> = err.errors.iter().map(|e| e.path.clone()).collect();
            let mut sorted = reported.clone();
            sorted.sort();
            let mut expected: Vec<String> = chosen.iter().map(|p| path_string(p)).collect();
            expected.sort();
            proptest::prop_assert_eq!(sorted, expected, "{:#?}", err);
            let serde_err = serde_json::from_str::<Problem>(&text).unwrap_err();
            proptest::prop_assert_eq!(err.first().line, Some(serde_err.line()));
            proptest::prop_assert_eq!(err.first().column, Some(serde_err.column()));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        /// Text edited at random (JSON-ish pieces put in, bytes taken out):
        /// never a panic, an error exactly when serde errs, and the first
        /// error where serde puts it.
        #[test]
        fn edited_text_errs_as_serde_does(
            seed in 0u64..50,
            edits in proptest::collection::vec(
                (proptest::prelude::any::<proptest::sample::Index>(), 0usize..12), 1..6),
        ) {
            const PIECES: [&str; 11] =
                ["null", "[", "]", "{", "}", ",", "\"x\"", "1.5", "-3", "true", ":"];
            let problem = crate::generate::generate(crate::generate::Preset::Tiny, seed);
            let mut text = serde_json::to_string(&problem).unwrap().into_bytes();
            for (at, piece) in edits {
                let at = at.index(text.len());
                match PIECES.get(piece) {
                    Some(p) => {
                        text.splice(at..at, p.bytes());
                    }
                    None => {
                        text.remove(at);
                    }
                }
            }
            let serde = serde_json::from_slice::<Problem>(&text);
            let utf8 = std::str::from_utf8(&text).is_ok();
            match parse_json_slice::<Problem>(&text) {
                Ok(ours) => proptest::prop_assert_eq!(Some(ours), serde.ok()),
                // Not UTF-8: one error of ours, placed at the first bad byte.
                Err(err) if !utf8 => proptest::prop_assert_eq!(err.errors.len(), 1),
                // A list at the top: refused at its place, whatever serde says.
                Err(err) if text.trim_ascii_start().starts_with(b"[") => {
                    proptest::prop_assert_eq!(&err.first().message, "expected an object {...}, got a list");
                }
                Err(err) => {
                    let serde_err = serde.unwrap_err();
                    proptest::prop_assert!(!err.errors.is_empty());
                    proptest::prop_assert_eq!(err.first().line, Some(serde_err.line()));
                    proptest::prop_assert_eq!(err.first().column, Some(serde_err.column()));
                }
            }
        }
    }

    #[test]
    fn plain_words_for_serde_messages() {
        for (serde, plain_text) in [
            ("invalid type: map, expected a sequence", "expected a list [...], got an object"),
            ("invalid type: null, expected a string", "expected a string in quotes, got null"),
            (
                "invalid type: sequence, expected struct Location",
                "expected an object {...}, got a list",
            ),
            ("unknown field `x`, expected `a`", "unknown field `x`, expected `a`"),
            (
                "invalid value: integer `9223372036854775808`, expected i64",
                "expected a whole number, got the number 9223372036854775808; it is too large",
            ),
            (
                "invalid length 0, expected struct Problem with 6 elements",
                "expected an object {...}, got a list",
            ),
        ] {
            assert_eq!(plain(serde), plain_text);
        }
    }
}
