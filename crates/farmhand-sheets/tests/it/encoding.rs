//! Encodings: UTF-8 with and without a byte order mark, CP949 detected and
//! forced, UTF-16, and clear issues for bytes that are text in none.

use std::path::{Path, PathBuf};

use farmhand_sheets::Encoding;

use super::{read_bytes, DEMANDS, WORKERS};

const KOREAN_WORKERS: &str = "id,name,lat,lon,availability,crew\n\
                              똠양-01,김똠순,35.91,127.07,2027-04-05,삼례반\n";

fn cp949(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::EUC_KR.encode(text);
    assert!(!unmappable, "{text} is not CP949");
    bytes.into_owned()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

#[test]
fn utf8_with_and_without_a_byte_order_mark_reads_the_same() {
    let plain = read_bytes(KOREAN_WORKERS.as_bytes(), DEMANDS.as_bytes(), Encoding::Auto).unwrap();
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), KOREAN_WORKERS.as_bytes()].concat();
    for encoding in [Encoding::Auto, Encoding::Utf8] {
        let problem = read_bytes(&with_bom, DEMANDS.as_bytes(), encoding).unwrap();
        assert_eq!(problem, plain);
    }
    assert_eq!(plain.workers[0].id, "똠양-01");
}

#[test]
fn cp949_is_detected_and_can_be_forced() {
    // 똠 is outside EUC-KR's 2,350 syllables: only CP949 has it.
    let bytes = cp949(KOREAN_WORKERS);
    assert!(std::str::from_utf8(&bytes).is_err());
    let expected =
        read_bytes(KOREAN_WORKERS.as_bytes(), DEMANDS.as_bytes(), Encoding::Auto).unwrap();
    for encoding in [Encoding::Auto, Encoding::Cp949] {
        let problem = read_bytes(&bytes, DEMANDS.as_bytes(), encoding).unwrap();
        assert_eq!(problem, expected, "{encoding:?}");
    }
}

#[test]
fn forcing_the_wrong_encoding_says_which_line_and_what_to_do() {
    let bytes = cp949(
        "id,lat,lon,availability\nw-1,35.91,127.07,2027-04-05\n김-2,35.91,127.07,2027-04-05\n",
    );
    let err = read_bytes(&bytes, DEMANDS.as_bytes(), Encoding::Utf8).unwrap_err();
    assert_eq!(err.issues.len(), 1);
    assert_eq!(
        err.issues[0].to_string(),
        "workers.csv:3: is not valid UTF-8 from this line on; if Excel saved it as plain \"CSV \
         (comma delimited)\" on a Korean Windows it is CP949: use encoding cp949 or auto \
         [invalid_encoding]"
    );

    let with_bom = [b"\xEF\xBB\xBF".as_slice(), WORKERS.as_bytes()].concat();
    let err = read_bytes(&with_bom, DEMANDS.as_bytes(), Encoding::Cp949).unwrap_err();
    assert!(err.issues[0]
        .to_string()
        .starts_with("workers.csv:1: starts with a UTF-8 byte order mark"));
}

#[test]
fn bytes_that_are_neither_utf8_nor_cp949_are_an_issue_with_their_line() {
    // 0xFF is never a byte of UTF-8 or of CP949.
    let demands = [DEMANDS.as_bytes(), b"d-2,f-\xFF,35.9,127.1,2027-04-05,2027-04-09,1\n"].concat();
    for encoding in [Encoding::Auto, Encoding::Cp949] {
        let err = read_bytes(WORKERS.as_bytes(), &demands, encoding).unwrap_err();
        assert_eq!(err.issues.len(), 1, "{:?}", err.issues);
        let issue = &err.issues[0];
        assert_eq!(
            (issue.file.as_str(), issue.line, issue.code.as_str()),
            ("demands.csv", 3, "invalid_encoding")
        );
    }
}

#[test]
fn utf16_with_a_byte_order_mark_is_read() {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in KOREAN_WORKERS.replace(',', "\t").encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let problem = read_bytes(&bytes, DEMANDS.as_bytes(), Encoding::Auto).unwrap();
    assert_eq!(problem.workers[0].crew.as_deref(), Some("삼례반"));
    // Forced to another encoding, the mark is named, not the bytes after it.
    for (forced, name) in [(Encoding::Utf8, "UTF-8"), (Encoding::Cp949, "CP949")] {
        let err = read_bytes(&bytes, DEMANDS.as_bytes(), forced).unwrap_err();
        assert_eq!(err.issues.len(), 1, "{:?}", err.issues);
        assert_eq!(
            err.issues[0].to_string(),
            format!(
                "workers.csv:1: starts with a UTF-16LE byte order mark, so it is UTF-16LE \
                 (Excel's \"Unicode text\"), not {name}; use encoding auto [invalid_encoding]"
            )
        );
    }
}

#[test]
fn encoding_names_parse() {
    for (name, encoding) in [
        ("auto", Encoding::Auto),
        ("UTF-8", Encoding::Utf8),
        ("utf8", Encoding::Utf8),
        ("cp949", Encoding::Cp949),
        ("EUC-KR", Encoding::Cp949),
    ] {
        assert_eq!(name.parse::<Encoding>().unwrap(), encoding);
    }
    assert!("latin1"
        .parse::<Encoding>()
        .unwrap_err()
        .to_string()
        .contains("use auto, utf-8 or cp949"));
}

/// The CP949 copies under `tests/data` are the bundled examples, encoded.
/// `UPDATE_EXPECT=1` rewrites them after the examples change.
#[test]
fn cp949_copies_of_the_examples_read_like_the_examples() {
    let mut read = Vec::new();
    for name in ["workers.csv", "demands.csv"] {
        let text = std::fs::read_to_string(repo().join("examples").join(name)).unwrap();
        // The examples start with a byte order mark for Excel; CP949 has none.
        let text = text.strip_prefix('\u{feff}').expect("a UTF-8 byte order mark").to_owned();
        let copy = data(&name.replace(".csv", "-cp949.csv"));
        let encoded = cp949(&text);
        if std::env::var_os("UPDATE_EXPECT").is_some() {
            std::fs::write(&copy, &encoded).unwrap();
        }
        let committed = std::fs::read(&copy).unwrap();
        assert!(committed == encoded, "{} is stale; run with UPDATE_EXPECT=1", copy.display());
        read.push((text.into_bytes(), committed));
    }
    let utf8 = read_bytes(&read[0].0, &read[1].0, Encoding::Auto).unwrap();
    let auto = read_bytes(&read[0].1, &read[1].1, Encoding::Auto).unwrap();
    let forced = read_bytes(&read[0].1, &read[1].1, Encoding::Cp949).unwrap();
    assert_eq!(auto, utf8);
    assert_eq!(forced, utf8);
    assert!(utf8.workers.iter().any(|w| w.id.starts_with("전주-")));
}

/// The templates in `examples/templates` read, and their example rows solve.
#[test]
fn the_templates_read_into_a_valid_problem() {
    let templates = repo().join("examples/templates");
    let read = |name: &str| std::fs::read(templates.join(name)).unwrap();
    let problem =
        read_bytes(&read("workers-template.csv"), &read("demands-template.csv"), Encoding::Auto)
            .unwrap();
    assert_eq!((problem.workers.len(), problem.demands.len()), (1, 1));
    assert_eq!(problem.workers[0].id, "w-봉동-01");
    let solution = farmhand::solve(&problem).unwrap();
    assert_eq!(solution.summary.worker_days_filled, 5);
}
