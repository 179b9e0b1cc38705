//! End-to-end tests of the `farmhand` binary: generate, usage errors,
//! unreadable and malformed input, matching files and spreadsheets.

use std::path::Path;
use std::process::{Command, Output};

fn farmhand(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_farmhand")).args(args).output().expect("the binary runs")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn generate_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    for path in [&a, &b] {
        let out = farmhand(&[
            "generate",
            "--preset",
            "small",
            "--seed",
            "7",
            "-o",
            path.to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(stderr(&out).contains("40 workers"), "{}", stderr(&out));
    }
    let (a, b) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    assert_eq!(a, b);
    let problem = farmhand::Problem::from_json(std::str::from_utf8(&a).unwrap()).unwrap();
    assert_eq!(problem, farmhand::generate::generate(farmhand::generate::Preset::Small, 7));
}

#[test]
fn generate_writes_stdout_and_obeys_quiet() {
    let out = farmhand(&["generate", "--preset", "tiny", "--seed", "3", "-q"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(farmhand::Problem::from_json(&text).is_ok());
}

#[test]
fn generate_separable_drops_what_couples_dates() {
    let out = farmhand(&["generate", "--preset", "wanju", "--separable", "-q"]);
    assert_eq!(out.status.code(), Some(0));
    let problem = farmhand::Problem::from_json(std::str::from_utf8(&out.stdout).unwrap()).unwrap();
    assert_eq!(problem.options.continuity_bonus_km, 0.0);
    assert!(problem.workers.iter().all(|w| w.crew.is_none() && w.max_days.is_none()));
}

#[test]
fn the_bundled_example_is_what_the_generator_makes() {
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/wanju-spring.json");
    let out = farmhand(&["generate", "--preset", "wanju", "--seed", "1", "-q"]);
    assert_eq!(std::fs::read(bundled).unwrap(), out.stdout);
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["generate", "--preset", "huge"][..],
        &["generate"],
        &["match"],
        &["match", "p.json", "--threads", "0"],
        // A problem file and spreadsheets are two inputs; sheets come in pairs.
        &["match", "p.json", "--workers", "w.csv", "--demands", "d.csv"],
        &["match", "--workers", "w.csv"],
        &["match", "--demands", "d.csv"],
        &["match", "p.json", "--encoding", "cp949"],
        &["match", "p.json", "--standby", "2"],
        &["match", "--workers", "w.csv", "--demands", "d.csv", "--encoding", "latin1"],
        &["match", "--workers", "w.csv", "--demands", "d.csv", "--format", "xlsx"],
        &["match", "--workers", "w.csv", "--demands", "d.csv", "--format", "csv", "-o", "-"],
        &["validate", "p.json", "--workers", "w.csv", "--demands", "d.csv"],
        // Two files from one stdin; a report over the input or the output.
        &["check", "-", "-"],
        &["match", "p.json", "--report", "p.json"],
        &["match", "p.json", "-o", "out.json", "--report", "./out.json"],
        // An output over an input, or a report over a sheet of the plan.
        &["match", "p.json", "-o", "p.json"],
        &["match", "p.json", "-o", "./p.json", "--format", "geojson"],
        &["match", "--workers", "w.csv", "--demands", "d.csv", "-o", "w.csv"],
        &[
            "match",
            "--workers",
            "plan/standby.csv",
            "--demands",
            "d.csv",
            "--format",
            "csv",
            "-o",
            "plan",
        ],
        &["match", "p.json", "--format", "csv", "-o", "plan", "--report", "plan/unfilled.csv"],
        &["frobnicate"],
        &[],
    ] {
        let out = farmhand(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn help_explains_every_subcommand() {
    let out = farmhand(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8(out.stdout).unwrap();
    for cmd in ["match", "validate", "check", "generate", "Exit codes"] {
        assert!(help.contains(cmd), "{cmd} missing from:\n{help}");
    }
    for cmd in ["match", "validate", "check", "generate"] {
        let out = farmhand(&[cmd, "--help"]);
        assert_eq!(out.status.code(), Some(0));
        assert!(String::from_utf8(out.stdout).unwrap().contains("Examples:"), "{cmd}");
    }
}

#[test]
fn malformed_json_exits_1_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "bad.json", "{\n  \"workers\": [],\n  \"demands\": [}\n");
    for cmd in ["match", "validate"] {
        let out = farmhand(&[cmd, &path]);
        assert_eq!(out.status.code(), Some(1), "{cmd}");
        let err = stderr(&out);
        assert!(err.contains("malformed JSON"), "{cmd}: {err}");
        assert!(err.contains("line 3, column 15"), "{cmd}: {err}");
        assert!(err.contains("bad.json"), "{cmd}: {err}");
    }
}

#[test]
fn validate_json_reports_malformed_input_as_an_error_value() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "bad.json", "{\"workers\": [");
    let out = farmhand(&["validate", "--json", &path]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(report["errors"][0]["code"], "malformed_json");
}

#[test]
fn every_wrong_type_is_listed_not_only_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let text = r#"{"workers": [
  {"id": "a", "location": {"lat": "35.9", "lon": 127.1}, "availability": []},
  {"id": "b", "location": {"lat": 35.9, "lon": 127.1}, "availability": [], "max_dayz": 3}
], "demands": []}"#;
    let path = write(dir.path(), "typos.json", text);
    let out = farmhand(&["match", &path, "-o", &dir.path().join("plan.json").to_string_lossy()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("typos.json: not a valid problem: 2 errors:"), "{err}");
    assert!(err.contains("line 2, column 40, workers[0].location.lat: expected a number"), "{err}");
    assert!(err.contains("workers[1].max_dayz: unknown field `max_dayz`"), "{err}");
    assert!(!dir.path().join("plan.json").exists());

    let out = farmhand(&["validate", "--json", &path]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{report}");
    assert_eq!(errors[0]["path"], "workers[0].location.lat");
    assert_eq!(errors[1]["path"], "workers[1].max_dayz");
    assert!(errors.iter().all(|e| e["code"] == "malformed_json"));
}

#[test]
fn unknown_fields_are_reported_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "typo.json", "{\"workers\": [], \"demand\": []}");
    let out = farmhand(&["match", &path]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("not a valid problem"), "{err}");
    assert!(err.contains("unknown field `demand`"), "{err}");
    assert!(err.contains("line 1, column"), "{err}");
}

#[test]
fn malformed_solution_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let problem = write(dir.path(), "p.json", "{\"workers\": [], \"demands\": []}");
    let solution = write(dir.path(), "s.json", "{\"assignments\": [");
    let out = farmhand(&["check", &problem, &solution]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("s.json: malformed JSON at line 1"), "{}", stderr(&out));
}

#[test]
fn missing_file_exits_1_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.json");
    let missing = missing.to_str().unwrap();
    for args in [vec!["match", missing], vec!["validate", missing], vec!["check", missing, missing]]
    {
        let out = farmhand(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains("cannot read problem file"), "{args:?}: {err}");
        assert!(err.contains("nope.json"), "{args:?}: {err}");
    }
}

#[test]
fn unwritable_output_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("no-such-dir").join("out.json");
    let out = farmhand(&["generate", "--preset", "tiny", "-o", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot create"), "{}", stderr(&out));
}

#[test]
fn match_then_check_the_bundled_example() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.json");
    let plan = plan.to_str().unwrap();
    let out = farmhand(&["match", "../../examples/wanju-spring.json", "-o", plan]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let summary = stderr(&out);
    assert!(summary.contains("fill"), "{summary}");
    assert!(summary.contains("unfilled"), "{summary}");
    let out = farmhand(&["check", "../../examples/wanju-spring.json", plan]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn invalid_problem_lists_every_issue_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad.json",
        r#"{"workers": [{"id": "w1", "location": {"lat": 123.5, "lon": 127.0}, "availability": []}],
            "demands": [{"id": "d1", "farm_id": "f1", "location": {"lat": 35.8, "lon": 127.0},
                         "start": "2026-04-10", "end": "2026-04-01", "workers_per_day": 0}]}"#,
    );
    let out = farmhand(&["match", &bad]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for path in ["workers[0].location.lat", "demands[0].end", "demands[0].workers_per_day"] {
        assert!(err.contains(path), "{path} missing from: {err}");
    }
}

#[test]
fn thread_count_does_not_change_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let problem = dir.path().join("small.json");
    let problem = problem.to_str().unwrap();
    assert_eq!(
        farmhand(&["generate", "--preset", "small", "--seed", "4", "-o", problem, "-q"])
            .status
            .code(),
        Some(0)
    );
    let plan = |threads: &str| {
        let out = farmhand(&["match", problem, "--threads", threads, "-q"]);
        assert_eq!(out.status.code(), Some(0));
        let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v["summary"]["elapsed_ms"] = serde_json::Value::Null;
        v
    };
    assert_eq!(plan("1"), plan("2"));
}

#[test]
fn match_writes_a_self_contained_report() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.json");
    let report = dir.path().join("report.html");
    let out = farmhand(&[
        "match",
        "../../examples/wanju-spring.json",
        "-o",
        plan.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("report written to"), "{}", stderr(&out));
    // The normal output is still written.
    let solution = farmhand::Solution::from_json(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.starts_with("<!doctype html>"), "{}", &html[..100]);
    assert!(html.contains(r#"<meta charset="utf-8">"#));

    // Self-contained: nothing is fetched, from anywhere.
    let lower = html.to_ascii_lowercase();
    for needle in ["<script src", "<link href", "@import", "<iframe", "<img"] {
        assert!(!lower.contains(needle), "the report contains {needle:?}");
    }
    // No CSS `url(...)` (the script's `URL.createObjectURL(` is no request).
    let css_url = lower
        .match_indices("url(")
        .any(|(at, _)| !lower[..at].ends_with(|c: char| c.is_ascii_alphanumeric()));
    assert!(!css_url, "the report has a CSS url(");
    for attr in ["src=", "href="] {
        for (at, _) in lower.match_indices(attr) {
            let value = lower[at + attr.len()..].trim_start_matches(['"', '\'']);
            assert!(
                !value.starts_with("http:")
                    && !value.starts_with("https:")
                    && !value.starts_with("//"),
                "an external {attr} at byte {at}: {}",
                &html[at..(at + 80).min(html.len())]
            );
        }
    }
    assert!(lower.contains("content-security-policy"), "the report forbids requests itself");

    // The embedded data is the problem and exactly this solution.
    let open = r#"<script type="application/json" id="farmhand-data">"#;
    let start = html.find(open).expect("the data element") + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    let data: serde_json::Value = serde_json::from_str(&html[start..end]).unwrap();
    assert_eq!(data["problem"]["workers"].as_array().unwrap().len(), 300);
    let embedded: farmhand::Solution = serde_json::from_value(data["solution"].clone()).unwrap();
    assert_eq!(embedded.assignments, solution.assignments);
    assert_eq!(embedded.unfilled, solution.unfilled);
}

#[test]
fn an_invalid_problem_writes_no_report() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad.json",
        r#"{"workers": [], "demands": [], "options": {"standby_per_slot": 99}}"#,
    );
    let report = dir.path().join("report.html");
    let out = farmhand(&["match", &bad, "--report", report.to_str().unwrap(), "-q"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!report.exists());
}

const WORKERS_CSV: &str = "../../examples/workers.csv";
const DEMANDS_CSV: &str = "../../examples/demands.csv";

/// The example spreadsheets as the problem the CLI solves.
fn example_sheets_problem() -> farmhand::Problem {
    let input = |path: &str| farmhand_sheets::SheetInput::new(path, std::fs::read(path).unwrap());
    farmhand_sheets::read_problem(
        &input(WORKERS_CSV),
        &input(DEMANDS_CSV),
        &farmhand_sheets::ReadOptions::default(),
    )
    .unwrap()
}

/// The data rows of a CSV the CLI wrote (UTF-8 with BOM, CRLF).
fn csv_rows(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap();
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").expect("a BOM")).unwrap();
    assert!(text.ends_with("\r\n"), "{text}");
    text.split_terminator("\r\n").skip(1).map(str::to_owned).collect()
}

#[test]
fn match_the_example_sheets_as_json_csv_and_geojson() {
    let dir = tempfile::tempdir().unwrap();
    let sheets = ["match", "--workers", WORKERS_CSV, "--demands", DEMANDS_CSV];

    // JSON: a sound plan of the problem the sheets describe.
    let out = farmhand(&[&sheets[..], &["-q"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    let solution =
        farmhand::Solution::from_json(std::str::from_utf8(&out.stdout).unwrap()).unwrap();
    let problem = example_sheets_problem();
    assert!(farmhand::check(&problem, &solution).ok);
    assert!(!solution.assignments.is_empty() && !solution.unfilled.is_empty());

    // CSV: into a directory that does not exist yet, each file named.
    let plan = dir.path().join("plan").join("april");
    let out = farmhand(
        &[&sheets[..], &["--format", "csv", "--standby", "2", "-o", plan.to_str().unwrap()]]
            .concat(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    for name in ["assignments.csv", "unfilled.csv", "standby.csv"] {
        assert!(err.contains(&format!("wrote {}", plan.join(name).display())), "{name}: {err}");
    }
    assert!(err.contains("fill "), "the summary is still printed: {err}");
    let assignments = csv_rows(&plan.join("assignments.csv"));
    assert_eq!(assignments.len(), solution.assignments.len());
    let first = &solution.assignments[0];
    assert!(assignments[0].starts_with(&format!(
        "{},{},{},{},",
        first.date, first.demand_id, first.farm_id, first.worker_id
    )));
    assert_eq!(csv_rows(&plan.join("unfilled.csv")).len(), solution.unfilled.len());
    assert!(!csv_rows(&plan.join("standby.csv")).is_empty());

    // Without --standby, standby.csv is its header alone: the stand-ins of
    // the plan written there before do not stay beside the new plan. -q
    // prints nothing.
    let out =
        farmhand(&[&sheets[..], &["--format", "csv", "-q", "-o", plan.to_str().unwrap()]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    assert!(plan.join("assignments.csv").exists());
    assert!(csv_rows(&plan.join("standby.csv")).is_empty());

    // GeoJSON: one file with a feature per worker, farm and assignment.
    let map = dir.path().join("plan.geojson");
    let out = farmhand(
        &[&sheets[..], &["--format", "geojson", "-q", "-o", map.to_str().unwrap()]].concat(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let map: serde_json::Value = serde_json::from_slice(&std::fs::read(map).unwrap()).unwrap();
    assert_eq!(map["type"], "FeatureCollection");
    let count = |kind: &str| {
        map["features"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["properties"]["kind"] == kind)
            .count()
    };
    assert_eq!(count("worker"), problem.workers.len());
    assert_eq!(count("assignment"), solution.assignments.len());
    assert!(count("farm") > 0);
}

#[test]
fn a_problem_file_can_be_written_as_sheets_too() {
    let dir = tempfile::tempdir().unwrap();
    let problem = write(
        dir.path(),
        "p.json",
        r#"{"workers": [{"id": "w1", "location": {"lat": 35.9, "lon": 127.0}, "availability": [{"start": "2026-04-06", "end": "2026-04-06"}]}],
            "demands": [{"id": "d1", "farm_id": "f1", "location": {"lat": 35.9, "lon": 127.01}, "start": "2026-04-06", "end": "2026-04-06", "workers_per_day": 2}]}"#,
    );
    let out =
        farmhand(&["match", &problem, "--format", "csv", "-q", "-o", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(csv_rows(&dir.path().join("assignments.csv")).len(), 1);
    let unfilled = csv_rows(&dir.path().join("unfilled.csv"));
    assert_eq!(unfilled.len(), 1);
    assert!(unfilled[0].starts_with("2026-04-06,d1,f1,1,"), "{unfilled:?}");
}

#[test]
fn cp949_sheets_give_the_same_plan_detected_or_forced() {
    let data = "../farmhand-sheets/tests/data";
    let plan = |args: &[&str]| {
        let out = farmhand(args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        farmhand::Solution::from_json(std::str::from_utf8(&out.stdout).unwrap())
            .unwrap()
            .assignments
    };
    let workers = format!("{data}/workers-cp949.csv");
    let demands = format!("{data}/demands-cp949.csv");
    let utf8 = plan(&["match", "-q", "--workers", WORKERS_CSV, "--demands", DEMANDS_CSV]);
    let auto = plan(&["match", "-q", "--workers", &workers, "--demands", &demands]);
    let forced =
        plan(&["match", "-q", "--workers", &workers, "--demands", &demands, "--encoding", "cp949"]);
    assert_eq!(auto, utf8);
    assert_eq!(forced, utf8);
    assert!(utf8.iter().any(|a| a.farm_id.contains("딸기")));
}

#[test]
fn bad_sheets_exit_1_with_every_issue_and_solve_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let workers = write(
        dir.path(),
        "workers.csv",
        "id,name,lat,lon,skills,availability\n\
         w-1,김민준,35.91,127.07,harvest:3,2027-04-05..2027-04-09\n\
         w-2,이서연,35.91,east,harvest:high,2027-04-05\n\
         w-1,박영수,95.0,127.07,,2027-04-05\n",
    );
    let demands = write(
        dir.path(),
        "demands.csv",
        "id,farm_id,lat,lon,start,end,workers_per_day\nd-1,f-1,35.9,127.1,2027-04-09,2027-04-05,2\n",
    );
    let plan = dir.path().join("plan");
    let out = farmhand(&[
        "match",
        "--workers",
        &workers,
        "--demands",
        &demands,
        "--format",
        "csv",
        "-o",
        plan.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("the spreadsheets are invalid (5 issue(s)); nothing was solved"), "{err}");
    for line in [
        format!("{workers}:3: column lon: must be a number such as 35.82 (a dot for decimals), got \"east\" [invalid_number]"),
        format!("{workers}:3: column skills: the level of harvest must be a whole number 1 to 5, got \"high\" [invalid_skill_level]"),
        format!("{workers}:4: column id: worker id \"w-1\" is already used by {workers} line 2;"),
        format!("{workers}:4: column lat: must be within [-90, 90], got 95 [coordinate_out_of_range]"),
        format!("{demands}:2: column end: must be on or after start 2027-04-09"),
    ] {
        assert!(err.contains(&line), "{line} missing from:\n{err}");
    }
    assert!(!plan.exists(), "nothing is written for bad input");

    let out = farmhand(&["validate", "--workers", &workers, "--demands", &demands]);
    assert_eq!(out.status.code(), Some(1));
    let report = String::from_utf8(out.stdout).unwrap();
    assert_eq!(report.lines().count(), 5, "{report}");
    assert!(report.starts_with(&format!("{workers}:3: column lon:")), "{report}");

    let out = farmhand(&["validate", "--json", "--workers", &workers, "--demands", &demands]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["valid"], false);
    assert_eq!(report["errors"][0]["file"], workers.as_str());
    assert_eq!(report["errors"][0]["line"], 3);
    assert_eq!(report["errors"][0]["column"], "lon");
    assert_eq!(report["errors"][0]["code"], "invalid_number");
}

#[test]
fn validate_sheets_lists_warnings_at_their_rows() {
    let dir = tempfile::tempdir().unwrap();
    let workers = write(
        dir.path(),
        "w.csv",
        "id,lat,lon,availability,preferred_farms\nw-1,35.91,127.07,2027-04-05,f-typo\n",
    );
    let demands = write(
        dir.path(),
        "d.csv",
        "id,farm_id,lat,lon,start,end,workers_per_day\nd-1,f-1,35.9,127.1,2027-04-05,2027-04-05,1\n",
    );
    let out = farmhand(&["validate", "--workers", &workers, "--demands", &demands]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        report.starts_with(&format!("warning: {workers}:2: column preferred_farms: \"f-typo\"")),
        "{report}"
    );
    assert!(stderr(&out).contains("valid: 1 workers, 1 demands over 1 days, 1 warning(s)"));
}

#[test]
fn match_writes_a_report_from_the_example_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.html");
    let map = dir.path().join("plan.geojson");
    let out = farmhand(&[
        "match",
        "--workers",
        WORKERS_CSV,
        "--demands",
        DEMANDS_CSV,
        "--standby",
        "2",
        "--format",
        "geojson",
        "-o",
        map.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("report written to"), "{}", stderr(&out));
    // The chosen output is still written, next to the report.
    let geojson: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&map).unwrap()).unwrap();
    assert_eq!(geojson["type"], "FeatureCollection");

    // The report embeds the problem the sheets describe (Korean ids and all)
    // and a plan of it with the stand-ins asked for.
    let html = std::fs::read_to_string(&report).unwrap();
    let open = r#"<script type="application/json" id="farmhand-data">"#;
    let start = html.find(open).expect("the data element") + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    let data: serde_json::Value = serde_json::from_str(&html[start..end]).unwrap();
    let mut problem = example_sheets_problem();
    problem.options.standby_per_slot = 2;
    let embedded: farmhand::Problem = serde_json::from_value(data["problem"].clone()).unwrap();
    assert_eq!(embedded, problem);
    let solution: farmhand::Solution = serde_json::from_value(data["solution"].clone()).unwrap();
    assert!(farmhand::check(&problem, &solution).ok);
    assert!(solution.standby.is_some_and(|s| !s.is_empty()));
    assert!(html.contains("f-봉동-생강"), "Korean farm ids are embedded as they are");
}

/// Progress lines on stderr when asked for (stderr is a pipe here, where the
/// default shows lines only after 2 s), none with -q.
#[test]
fn progress_lines_and_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let problem = dir.path().join("small.json");
    let problem = problem.to_str().unwrap();
    let out = farmhand(&["generate", "--preset", "small", "--seed", "3", "-o", problem, "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let plan = dir.path().join("plan.json");
    let plan = plan.to_str().unwrap();

    let out = farmhand(&["match", problem, "-o", plan, "--progress", "lines"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("dates solved (100%)"), "{err}");
    assert!(err.contains("fill"), "the summary follows: {err}");

    let out = farmhand(&["match", problem, "-o", plan, "--progress", "lines", "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "-q prints nothing");

    let out = farmhand(&["match", problem, "-o", plan, "--progress", "none"]);
    assert!(!stderr(&out).contains("dates solved"), "{}", stderr(&out));
}

#[test]
fn compact_output_is_the_same_solution_on_one_line() {
    let example = "../../examples/wanju-spring.json";
    let pretty = farmhand(&["match", example, "-q"]);
    let compact = farmhand(&["match", example, "-q", "--compact"]);
    assert_eq!(pretty.status.code(), Some(0), "{}", stderr(&pretty));
    assert_eq!(compact.status.code(), Some(0), "{}", stderr(&compact));
    let text = String::from_utf8(compact.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "one line and a newline");
    assert!(text.len() < pretty.stdout.len());
    let value = |bytes: &[u8]| {
        let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        v["summary"]["elapsed_ms"] = serde_json::Value::Null;
        v
    };
    assert_eq!(value(text.as_bytes()), value(&pretty.stdout));
    // It shapes JSON only.
    let out = farmhand(&["match", example, "--compact", "--format", "geojson"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--compact"), "{}", stderr(&out));
}

#[test]
fn a_closed_pipe_stops_quietly_without_a_panic() {
    // `farmhand generate ... | head -c 1`: the reader goes away. The county
    // preset's JSON is far larger than a pipe's buffer, so the writer must
    // meet the closed pipe whenever the reader closes it.
    let mut child = Command::new(env!("CARGO_BIN_EXE_farmhand"))
        .args(["generate", "--preset", "county", "-q"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
    assert_eq!(out.status.code(), Some(141), "as a program stopped by SIGPIPE");
}

/// A run that fails part way changes no file: every output is staged
/// beside its destination and moved into place only when all are written.
#[test]
fn a_failed_write_leaves_every_output_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let problem = dir.path().join("p.json");
    let out = farmhand(&[
        "generate",
        "--preset",
        "tiny",
        "--seed",
        "1",
        "-q",
        "-o",
        problem.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let p = problem.to_str().unwrap();
    // The report exists; the solution cannot be written.
    let report = write(dir.path(), "keep.html", "KEEP");
    let nowhere = dir.path().join("no-such-dir").join("s.json");
    let out = farmhand(&["match", "-q", p, "-o", nowhere.to_str().unwrap(), "--report", &report]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&report).unwrap(), "KEEP");
    // A directory where the second sheet goes: the first is not written.
    let sheets = dir.path().join("sheets");
    std::fs::create_dir_all(sheets.join("unfilled.csv")).unwrap();
    let out = farmhand(&["match", "-q", p, "--format", "csv", "-o", sheets.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("unfilled.csv: it is a directory"), "{}", stderr(&out));
    let mut left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .chain(std::fs::read_dir(&sheets).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["keep.html", "p.json", "sheets", "unfilled.csv"]);
    // A file where the sheets' directory goes: said so.
    let out = farmhand(&["match", "-q", p, "--format", "csv", "-o", &report]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("give -o a directory"), "{}", stderr(&out));
}

/// A byte-order mark before the JSON is skipped; a byte that is not UTF-8
/// is reported at its line and column.
#[test]
fn a_byte_order_mark_is_skipped_and_bad_utf8_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let out = farmhand(&["generate", "--preset", "tiny", "--seed", "1", "-q"]);
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(&out.stdout);
    let bom = dir.path().join("bom.json");
    std::fs::write(&bom, &bytes).unwrap();
    let out = farmhand(&["validate", bom.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, b"{\"workers\": [\n  {\"id\": \"\xFF\"}]}").unwrap();
    let out = farmhand(&["validate", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not UTF-8 text: byte 24 (line 2, column 11) is 0xFF"),
        "{}",
        stderr(&out)
    );
}

/// An output that exists and is no regular file (`/dev/null`, a named
/// pipe) is written in place: moving a staged file onto it would replace
/// the device or the pipe with a plain file (as root, `-o /dev/null` did).
/// A named pipe stands in for the device here, so a failure breaks nothing.
#[cfg(target_os = "linux")]
#[test]
fn an_output_that_is_a_pipe_is_written_in_place() {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let dir = tempfile::tempdir().unwrap();
    let problem = dir.path().join("p.json");
    let problem = problem.to_str().unwrap();
    let out = farmhand(&["generate", "--preset", "tiny", "--seed", "1", "-o", problem, "-q"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let fifo = dir.path().join("plan.fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(made.success());
    // Our end opened first, without blocking (O_NONBLOCK), so farmhand's
    // open for writing does not wait; the tiny plan fits the pipe's buffer.
    let mut pipe = std::fs::OpenOptions::new().read(true).custom_flags(0o4000).open(&fifo).unwrap();
    let out = farmhand(&["match", problem, "-o", fifo.to_str().unwrap(), "-q"]);
    let mut text = String::new();
    std::io::Read::read_to_string(&mut pipe, &mut text).unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo(), "the pipe was replaced");
    let solution = farmhand::Solution::from_json(&text).expect("the plan came through the pipe");
    assert!(!solution.assignments.is_empty());
}
