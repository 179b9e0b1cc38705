//! What farmhand-sheets writes: golden files of the CSV sheets and the
//! GeoJSON map of a small solved problem, and the properties Excel and GIS
//! tools rely on.

use expect_test::expect_file;
use farmhand::{Options, Problem, Solution};
use farmhand_sheets::{
    geojson, read_problem, write_assignments_csv, write_geojson, write_standby_csv,
    write_unfilled_csv, ReadOptions, SheetInput,
};

/// Four workers around Samnye and one demand nobody is skilled for, one out
/// of everyone's reach, and a farm id with a comma (which must be quoted).
const WORKERS: &str = "\
id,name,lat,lon,max_travel_km,skills,availability,crew
삼례-01,김민준,35.9102,127.0688,20,harvest:3;pollination:2,2027-04-05..2027-04-07,삼례반
삼례-02,이서연,35.9121,127.0712,20,harvest:2,2027-04-05..2027-04-06,삼례반
w-jeonju-03,박영수,35.8240,127.1480,30,harvest:4;pruning:3,2027-04-06..2027-04-07,
w-bongdong-04,최미경,35.9410,127.1630,15,harvest:1,2027-04-05;2027-04-07,
";

const DEMANDS: &str = "\
id,farm_id,lat,lon,start,end,workers_per_day,required_skills,priority
d-딸기-1,\"f-삼례, 딸기\",35.9170,127.0620,2027-04-05,2027-04-07,2,harvest:2,3
d-배-1,f-이서-배,35.8210,127.0410,2027-04-06,2027-04-06,1,pollination:3,
d-사과-1,f-운주-사과,36.0880,127.2810,2027-04-07,2027-04-07,1,harvest:1,
";

fn solved() -> (Problem, Solution) {
    let opts = ReadOptions {
        options: Options { standby_per_slot: 2, ..Options::default() },
        ..ReadOptions::default()
    };
    let problem = read_problem(
        &SheetInput::new("workers.csv", WORKERS),
        &SheetInput::new("demands.csv", DEMANDS),
        &opts,
    )
    .unwrap();
    let solution = farmhand::solve(&problem).unwrap();
    assert!(farmhand::check(&problem, &solution).ok);
    (problem, solution)
}

/// The assignments, unfilled and standby sheets.
fn all_sheets(problem: &Problem, solution: &Solution) -> [Vec<u8>; 3] {
    let (mut a, mut u, mut s) = (Vec::new(), Vec::new(), Vec::new());
    write_assignments_csv(problem, solution, &mut a).unwrap();
    write_unfilled_csv(problem, solution, &mut u).unwrap();
    write_standby_csv(problem, solution, &mut s).unwrap();
    [a, u, s]
}

fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("UTF-8")
}

/// The text of a sheet for a golden file. expect-test reads golden files
/// with CRLF turned into LF, so they hold LF; the CRLF line ends are checked
/// by `sheets_open_in_excel_bom_crlf_and_quotes`.
fn golden(bytes: Vec<u8>) -> String {
    text(bytes).replace("\r\n", "\n")
}

#[test]
fn assignments_csv() {
    let (problem, solution) = solved();
    let mut out = Vec::new();
    write_assignments_csv(&problem, &solution, &mut out).unwrap();
    expect_file!["golden/assignments.csv"].assert_eq(&golden(out));
}

#[test]
fn unfilled_csv() {
    let (problem, solution) = solved();
    let mut out = Vec::new();
    write_unfilled_csv(&problem, &solution, &mut out).unwrap();
    expect_file!["golden/unfilled.csv"].assert_eq(&golden(out));
}

#[test]
fn standby_csv() {
    let (problem, solution) = solved();
    let mut out = Vec::new();
    write_standby_csv(&problem, &solution, &mut out).unwrap();
    expect_file!["golden/standby.csv"].assert_eq(&golden(out));
}

#[test]
fn map_geojson() {
    let (problem, solution) = solved();
    let mut out = Vec::new();
    write_geojson(&problem, &solution, &mut out).unwrap();
    expect_file!["golden/map.geojson"].assert_eq(&text(out));
}

#[test]
fn sheets_open_in_excel_bom_crlf_and_quotes() {
    let (problem, solution) = solved();
    for out in all_sheets(&problem, &solution) {
        let body = out.strip_prefix(b"\xEF\xBB\xBF").expect("a UTF-8 byte order mark");
        let body = std::str::from_utf8(body).unwrap();
        assert!(body.ends_with("\r\n"));
        assert_eq!(body.matches('\n').count(), body.matches("\r\n").count(), "{body}");
        // Every row has the header's number of cells, read back by a CSV reader.
        let mut reader = csv::ReaderBuilder::new().from_reader(body.as_bytes());
        let n = reader.headers().unwrap().len();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert!(rows.iter().all(|r| r.len() == n));
    }
    let mut out = Vec::new();
    write_assignments_csv(&problem, &solution, &mut out).unwrap();
    assert!(text(out).contains(",\"f-삼례, 딸기\","), "a farm id with a comma is quoted");
}

#[test]
fn every_unfilled_slot_and_assignment_has_a_row() {
    let (problem, solution) = solved();
    let rows = |bytes: Vec<u8>| text(bytes).lines().count() - 1;
    let (mut a, mut u) = (Vec::new(), Vec::new());
    write_assignments_csv(&problem, &solution, &mut a).unwrap();
    write_unfilled_csv(&problem, &solution, &mut u).unwrap();
    assert_eq!(rows(a), solution.assignments.len());
    assert_eq!(rows(u), solution.unfilled.len());
    assert!(!solution.unfilled.is_empty() && !solution.assignments.is_empty());
}

#[test]
fn the_map_is_geojson_with_lon_lat_points_and_lines() {
    let (problem, solution) = solved();
    let map = geojson(&problem, &solution);
    let mut out = Vec::new();
    write_geojson(&problem, &solution, &mut out).unwrap();
    // Compared as text parsed the same way: serde_json's float parsing may
    // differ from the value in the last bit.
    let parse = |bytes: &[u8]| serde_json::from_slice::<serde_json::Value>(bytes).unwrap();
    assert_eq!(parse(&out), parse(&serde_json::to_vec(&map).unwrap()));

    assert_eq!(map["type"], "FeatureCollection");
    let features = map["features"].as_array().unwrap();
    let kind = |k: &'static str| features.iter().filter(move |f| f["properties"]["kind"] == k);
    assert_eq!(kind("worker").count(), problem.workers.len());
    assert_eq!(kind("farm").count(), 3);
    assert_eq!(kind("assignment").count(), solution.assignments.len());

    let first = kind("worker").next().unwrap();
    assert_eq!(first["geometry"]["type"], "Point");
    assert_eq!(first["geometry"]["coordinates"], serde_json::json!([127.0688, 35.9102]));
    let line = kind("assignment").next().unwrap();
    assert_eq!(line["geometry"]["type"], "LineString");
    let a = &solution.assignments[0];
    let demand = problem.demands.iter().find(|d| d.id == a.demand_id).unwrap();
    assert_eq!(
        line["geometry"]["coordinates"][1],
        serde_json::json!([demand.location.lon, demand.location.lat])
    );

    // Farms add up: needed = filled + missing, filled = assignments.
    let filled: u64 =
        kind("farm").map(|f| f["properties"]["worker_days_filled"].as_u64().unwrap()).sum();
    let needed: u64 =
        kind("farm").map(|f| f["properties"]["worker_days_needed"].as_u64().unwrap()).sum();
    assert_eq!(filled, solution.summary.worker_days_filled);
    assert_eq!(needed, solution.summary.worker_days_needed);
}

#[test]
fn a_map_of_absurd_counts_saturates_instead_of_overflowing() {
    // A solution from elsewhere (the server's export routes take any) may
    // claim any number of missing workers; the map sums them without panic.
    let (problem, mut solution) = solved();
    let mut slot = solution.unfilled[0].clone();
    slot.missing = i64::MAX;
    solution.unfilled.extend([slot.clone(), slot.clone(), slot]);
    let map = geojson(&problem, &solution);
    let needed = map["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["kind"] == "farm")
        .map(|f| f["properties"]["worker_days_needed"].as_u64().unwrap())
        .max();
    assert_eq!(needed, Some(u64::MAX));
}

#[test]
fn text_from_the_problem_never_runs_as_a_formula() {
    // Ids and crews a spreadsheet would run as formulas (CSV injection):
    // every such cell gets a leading quote; numbers and dates farmhand
    // writes itself stay as they are.
    let workers = "\
id,name,lat,lon,max_travel_km,skills,availability,crew
=HYPERLINK(\"x\"),a,35.9102,127.0688,20,,2027-04-05..2027-04-06,@crew
+w2,b,35.9121,127.0712,20,,2027-04-05..2027-04-06,
";
    let demands = "\
id,farm_id,lat,lon,start,end,workers_per_day,required_skills,priority
-d1,=f1,35.9170,127.0620,2027-04-05,2027-04-06,3,,
";
    let opts = ReadOptions {
        options: Options { standby_per_slot: 2, ..Options::default() },
        ..ReadOptions::default()
    };
    let problem = read_problem(
        &SheetInput::new("workers.csv", workers),
        &SheetInput::new("demands.csv", demands),
        &opts,
    )
    .unwrap();
    let solution = farmhand::solve(&problem).unwrap();
    assert!(!solution.assignments.is_empty() && !solution.unfilled.is_empty());
    for sheet in all_sheets(&problem, &solution) {
        let text = text(sheet);
        let mut rows =
            csv::ReaderBuilder::new().from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        for row in rows.records() {
            for cell in row.unwrap().iter() {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "cell {cell:?} would run as a formula"
                );
            }
        }
    }
    let mut a = Vec::new();
    write_assignments_csv(&problem, &solution, &mut a).unwrap();
    let a = text(a);
    assert!(a.contains("'=HYPERLINK"), "{a}");
    assert!(a.contains("'-d1") && a.contains("'=f1") && a.contains("'@crew"), "{a}");
}
