//! Reading sheets: the cell formats, the header rules, and issues with their
//! file, line and column.

use std::collections::BTreeMap;

use farmhand::{DateRange, Options};
use farmhand_sheets::{read_sheets, ReadOptions, SheetInput, DEMANDS_HEADER, WORKERS_HEADER};

use super::{assert_issues, issues, read, DEMANDS, WORKERS};

fn skills(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|&(k, v)| (k.to_owned(), v)).collect()
}

#[test]
fn every_worker_column_is_read() {
    let workers = format!(
        "{WORKERS_HEADER}\n\
         w-1,35.91,127.07,25,harvest:3;pruning:1,2027-04-05..2027-04-07;2027-04-09,4,2,f-2;f-3,f-1,crew-a\n"
    );
    let problem = read(&workers, DEMANDS).unwrap();
    let w = &problem.workers[0];
    assert_eq!(w.id, "w-1");
    assert_eq!((w.location.lat, w.location.lon), (35.91, 127.07));
    assert_eq!(w.max_travel_km, Some(25.0));
    assert_eq!(w.skills, skills(&[("harvest", 3), ("pruning", 1)]));
    assert_eq!(
        w.availability,
        vec![
            DateRange::new("2027-04-05", "2027-04-07"),
            DateRange::new("2027-04-09", "2027-04-09")
        ]
    );
    assert_eq!((w.max_days, w.max_consecutive_days), (Some(4), Some(2)));
    assert_eq!(w.excluded_farms, ["f-2", "f-3"]);
    assert_eq!(w.preferred_farms, ["f-1"]);
    assert_eq!(w.crew.as_deref(), Some("crew-a"));
}

#[test]
fn every_demand_column_is_read() {
    let demands = format!(
        "{DEMANDS_HEADER}\nd-1,f-1,35.90,127.08,2027-04-05,2027-04-09,3,harvest:2;tractor:1,7\n"
    );
    let problem = read(WORKERS, &demands).unwrap();
    let d = &problem.demands[0];
    assert_eq!((d.id.as_str(), d.farm_id.as_str()), ("d-1", "f-1"));
    assert_eq!((d.location.lat, d.location.lon), (35.90, 127.08));
    assert_eq!((d.start.as_str(), d.end.as_str()), ("2027-04-05", "2027-04-09"));
    assert_eq!(d.workers_per_day, 3);
    assert_eq!(d.required_skills, skills(&[("harvest", 2), ("tractor", 1)]));
    assert_eq!(d.priority, 7);
}

#[test]
fn empty_optional_cells_and_missing_optional_columns_take_the_defaults() {
    let empty_cells = format!("{WORKERS_HEADER}\nw-1,35.91,127.07,,,2027-04-05,,,,,\n");
    let no_columns = "id,lat,lon,availability\nw-1,35.91,127.07,2027-04-05\n";
    for workers in [empty_cells.as_str(), no_columns] {
        let w = &read(workers, DEMANDS).unwrap().workers[0];
        assert_eq!(w.max_travel_km, None);
        assert!(w.skills.is_empty());
        assert_eq!((w.max_days, w.max_consecutive_days), (None, None));
        assert!(w.excluded_farms.is_empty() && w.preferred_farms.is_empty());
        assert_eq!(w.crew, None);
    }
    let demands = format!("{DEMANDS_HEADER}\nd-1,f-1,35.90,127.08,2027-04-05,2027-04-09,2,,\n");
    let d = &read(WORKERS, &demands).unwrap().demands[0];
    assert!(d.required_skills.is_empty());
    assert_eq!(d.priority, 1);
}

#[test]
fn skills_and_lists_tolerate_spaces_and_stray_separators() {
    let workers = "id,lat,lon,skills,availability,preferred_farms\n\
                   w-1,35.91,127.07, harvest : 3 ;; pruning:1 ; ,2027-04-05,\" f-1 ; ;f-2;\"\n";
    let w = &read(workers, DEMANDS).unwrap().workers[0];
    assert_eq!(w.skills, skills(&[("harvest", 3), ("pruning", 1)]));
    assert_eq!(w.preferred_farms, ["f-1", "f-2"]);
}

#[test]
fn availability_takes_ranges_single_dates_and_excel_dates() {
    let workers = "id,lat,lon,availability\n\
                   w-1,35.91,127.07,2027-04-01..2027-04-10;2027-04-15; 2027/4/20 ~ 2027.4.22 \n";
    let w = &read(workers, DEMANDS).unwrap().workers[0];
    assert_eq!(
        w.availability,
        vec![
            DateRange::new("2027-04-01", "2027-04-10"),
            DateRange::new("2027-04-15", "2027-04-15"),
            DateRange::new("2027-04-20", "2027-04-22"),
        ]
    );
    let demands =
        "id,farm_id,lat,lon,start,end,workers_per_day\nd-1,f-1,35.9,127.1,2027/4/5,2027.4.9,1\n";
    let d = &read(WORKERS, demands).unwrap().demands[0];
    assert_eq!((d.start.as_str(), d.end.as_str()), ("2027-04-05", "2027-04-09"));
}

#[test]
fn headers_are_case_insensitive_trimmed_in_any_order_and_names_are_ignored() {
    let workers = " Availability ,LON, Name ,#phone, ID ,lat\n\
                   2027-04-05,127.07,김민준,010-1234-5678,w-1,35.91\n";
    let w = &read(workers, DEMANDS).unwrap().workers[0];
    assert_eq!((w.id.as_str(), w.location.lat, w.location.lon), ("w-1", 35.91, 127.07));
}

#[test]
fn korean_ids_names_and_farms_are_kept() {
    let workers = "id,name,lat,lon,availability,preferred_farms,crew\n\
                   봉동-김영희,김영희,35.94,127.16,2027-04-05,삼례 딸기농장,삼례반\n";
    let demands = "id,farm_id,lat,lon,start,end,workers_per_day\n\
                   딸기-수확-1,삼례 딸기농장,35.91,127.07,2027-04-05,2027-04-05,1\n";
    let problem = read(workers, demands).unwrap();
    assert_eq!(problem.workers[0].id, "봉동-김영희");
    assert_eq!(problem.workers[0].preferred_farms, ["삼례 딸기농장"]);
    assert_eq!(problem.workers[0].crew.as_deref(), Some("삼례반"));
    assert_eq!(problem.demands[0].id, "딸기-수확-1");
    let solution = farmhand::solve(&problem).unwrap();
    assert_eq!(solution.assignments[0].worker_id, "봉동-김영희");
}

#[test]
fn blank_rows_are_skipped_and_tab_separated_text_is_read() {
    let workers = "id,lat,lon,availability\n,,,\n\nw-1,35.91,127.07,2027-04-05\n , , , \n";
    assert_eq!(read(workers, DEMANDS).unwrap().workers.len(), 1);
    let tabbed = "id\tlat\tlon\tavailability\nw-1\t35.91\t127.07\t2027-04-05;2027-04-07\n";
    let w = &read(tabbed, DEMANDS).unwrap().workers[0];
    assert_eq!(w.availability.len(), 2);
}

#[test]
fn a_bad_number_names_the_cell() {
    let workers = "id,lat,lon,availability,max_travel_km,max_days\n\
                   w-1,35.91,127.07,2027-04-05,,\n\
                   w-3,abc,127.07,2027-04-05,20km,3.5\n";
    assert_issues(
        &issues(workers, DEMANDS),
        &[
            "workers.csv:3: column lat: must be a number such as 35.82 (a dot for decimals), got \"abc\" [invalid_number]",
            "workers.csv:3: column max_travel_km: must be a number such as 35.82",
            "workers.csv:3: column max_days: must be a whole number such as 3, got \"3.5\" [invalid_integer]",
        ],
    );
}

#[test]
fn a_bad_date_names_the_cell() {
    let workers = "id,lat,lon,availability\n\
                   w-1,35.91,127.07,2027-04-05..2027-04-31;4월 5일\n\
                   w-2,35.91,127.07,2027-04-05..2027-04-03\n";
    let demands = "id,farm_id,lat,lon,start,end,workers_per_day\n\
                   d-1,f-1,35.9,127.1,2027-04-05,next week,1\n\
                   d-2,f-1,35.9,127.1,2027-04-09,2027-04-05,1\n";
    assert_issues(
        &issues(workers, demands),
        &[
            "workers.csv:2: column availability: \"4월 5일\" is not a date or a range of dates; write 2027-04-01..2027-04-10",
            "workers.csv:2: column availability: range 1 (2027-04-05..2027-04-31) end: \"2027-04-31\" is not a day of the calendar; use a real date [invalid_date]",
            "workers.csv:3: column availability: range 1 (2027-04-05..2027-04-03) end: must be on or after start 2027-04-05",
            "demands.csv:2: column end: must be a date such as 2027-04-01, got \"next week\" [invalid_date]",
            "demands.csv:3: column end: must be on or after start 2027-04-09",
        ],
    );
    // A date that is not on the calendar is caught by validation, on its range.
    // A bad single date is one issue, not one for its start and one for its end.
    let workers = "id,lat,lon,availability\n\
                   w-1,35.91,127.07,2027-04-05;2027-02-29..2027-03-01\n\
                   w-2,35.91,127.07,2027-02-30\n";
    assert_issues(
        &issues(workers, DEMANDS),
        &[
            "workers.csv:2: column availability: range 2 (2027-02-29..2027-03-01) start: \"2027-02-29\" is not a day of the calendar; use a real date [invalid_date]",
            "workers.csv:3: column availability: range 1 (2027-02-30): \"2027-02-30\" is not a day of the calendar",
        ],
    );
}

#[test]
fn bad_skills_name_the_cell() {
    let workers = "id,lat,lon,availability,skills\n\
                   w-1,35.91,127.07,2027-04-05,harvest:x;pruning\n\
                   w-2,35.91,127.07,2027-04-05,harvest:9;:2;harvest:1\n";
    let demands = "id,farm_id,lat,lon,start,end,workers_per_day,required_skills\n\
                   d-1,f-1,35.9,127.1,2027-04-05,2027-04-05,1,pruning:0\n";
    assert_issues(
        &issues(workers, demands),
        &[
            "workers.csv:2: column skills: the level of harvest must be a whole number 1 to 5, got \"x\" [invalid_skill_level]",
            "workers.csv:2: column skills: \"pruning\" is not skill:level; write skills as harvest:3;pruning:1 [invalid_skill]",
            "workers.csv:3: column skills: \":2\" has no skill name before the colon [invalid_skill]",
            "workers.csv:3: column skills: harvest is listed twice; keep one level [duplicate_skill]",
            "workers.csv:3: column skills: skill harvest: must be a level within [1, 5], got 9",
            "demands.csv:2: column required_skills: skill pruning: must be a level within [1, 5], got 0",
        ],
    );
    // A level out of range with no reading issue on its cell is validation's.
    let workers = "id,lat,lon,availability,skills\nw-1,35.91,127.07,2027-04-05,harvest:9\n";
    assert_issues(
        &issues(workers, DEMANDS),
        &["workers.csv:2: column skills: skill harvest: must be a level within [1, 5], got 9; leave the skill out for none [skill_level_out_of_range]"],
    );
}

#[test]
fn an_unknown_column_is_rejected_with_the_known_ones_and_a_suggestion() {
    let workers = "id,lat,lon,availabilty,phone\nw-1,35.91,127.07,2027-04-05,010\n";
    let lines = issues(workers, DEMANDS);
    assert_issues(
        &lines,
        &[
            "workers.csv:1: column availabilty: is not a column of this sheet; did you mean availability? the columns are id, lat, lon, max_travel_km, skills, availability,",
            "workers.csv:1: column phone: is not a column of this sheet; the columns are id, lat,",
            "workers.csv:1: column availability: the header has no availability column, which is required; the header must name at least id, lat, lon, availability [missing_column]",
        ],
    );
    assert!(
        lines[1].contains("a `name` column, and columns whose header starts with #, are ignored")
    );
}

/// A misspelt optional column does not hide the rows' own issues: they are
/// listed with it, so one run shows everything to fix.
#[test]
fn an_unknown_column_does_not_hide_the_rows_issues() {
    let workers = "id,lat,lon,availability,skils,max_days\n\
                   w1,35.8,east,2027-04-05,harvest:2,1.5\n\
                   w1,95,127.1,2027-04-05,,\n";
    assert_issues(
        &issues(workers, DEMANDS),
        &[
            "workers.csv:1: column skils: is not a column of this sheet; did you mean skills?",
            "workers.csv:2: column lon: must be a number",
            "workers.csv:2: column max_days: must be a whole number",
            "workers.csv:3: column id: worker id \"w1\" is already used",
            "workers.csv:3: column lat: must be within [-90, 90], got 95",
        ],
    );
}

#[test]
fn a_missing_or_duplicate_column_is_rejected() {
    let demands =
        "id,farm_id,lat,lon,start,workers_per_day,LAT\nd-1,f-1,35.9,127.1,2027-04-05,1,35.9\n";
    assert_issues(
        &issues(WORKERS, demands),
        &[
            "demands.csv:1: column lat: appears twice in the header; keep one of the two columns [duplicate_column]",
            "demands.csv:1: column end: the header has no end column, which is required",
        ],
    );
}

#[test]
fn empty_required_cells_and_values_outside_the_header_are_reported() {
    let workers = "id,lat,lon,availability,\n\
                   ,35.91,,2027-04-05,\n\
                   w-2,35.91,127.07,2027-04-05,oops\n\
                   w-3,35,91,127.07,,2027-04-05\n";
    assert_issues(
        &issues(workers, DEMANDS),
        &[
            "workers.csv:2: column id: is empty; every row needs one [missing_value]",
            "workers.csv:2: column lon: is empty; every row needs one [missing_value]",
            "workers.csv:3: has a value in column 5 whose header is empty; name the column or move the value [unnamed_column]",
            "workers.csv:4: has 6 cells but the header has 5; put a cell with a comma in double quotes",
            "workers.csv:4: column availability: \"127.07\" is not a date or a range of dates",
        ],
    );
    assert_issues(&issues("", DEMANDS), &["workers.csv:1: is empty; the first line must be the header, e.g. id,lat,lon,max_travel_km"]);
}

#[test]
fn every_issue_of_both_files_is_reported_at_once_with_its_line() {
    // A quoted cell with a line break makes a row span two lines; blank rows
    // are skipped but still counted.
    let workers = "id,name,lat,lon,availability,max_days\n\
                   w-1,\"김민준\n(반장)\",35.91,127.07,2027-04-05,\n\
                   \n\
                   w-2,,95.5,127.07,2027-04-05,-1\n\
                   w-1,,35.91,127.07,2027-04-05,x\n";
    let demands = "id,farm_id,lat,lon,start,end,workers_per_day,priority\n\
                   d-1,f-1,35.9,127.1,2027-04-05,2027-04-09,0,1\n\
                   d-2,f-1,35.9,127.1,2027-04-05,2027-04-09,2,high\n\
                   d-3,,35.9,127.1,2027-04-05,2027-04-09,2,101\n";
    assert_issues(
        &issues(workers, demands),
        &[
            "workers.csv:5: column lat: must be within [-90, 90], got 95.5 [coordinate_out_of_range]",
            "workers.csv:5: column max_days: must be >= 0, got -1",
            "workers.csv:6: column max_days: must be a whole number such as 3, got \"x\" [invalid_integer]",
            "workers.csv:6: column id: worker id \"w-1\" is already used by workers.csv line 2; worker ids must be unique",
            "demands.csv:2: column workers_per_day: must be within [1, 1000000], got 0",
            "demands.csv:3: column priority: must be a whole number such as 3, got \"high\" [invalid_integer]",
            "demands.csv:4: column farm_id: is empty; every row needs one [missing_value]",
            "demands.csv:4: column priority: must be within [1, 100], got 101",
        ],
    );
}

#[test]
fn a_bad_cell_is_reported_once_not_again_by_validation() {
    // "abc" for lat is a reading issue; validation would also reject the
    // placeholder, and that second issue must not appear.
    let workers = "id,lat,lon,availability\nw-1,abc,127.07,2027-04-05\n";
    let lines = issues(workers, DEMANDS);
    assert_issues(&lines, &["workers.csv:2: column lat: must be a number"]);
    let demands = "id,farm_id,lat,lon,start,end,workers_per_day\nd-1,f-1,35.9,127.1,2027-04-05,2027-04-09,two\n";
    assert_issues(
        &issues(WORKERS, demands),
        &["demands.csv:2: column workers_per_day: must be a whole number"],
    );
}

#[test]
fn a_file_with_a_bad_header_does_not_hide_the_other_files_issues() {
    let workers = "id,lat\nw-1,35.91\n";
    let demands = "id,farm_id,lat,lon,start,end,workers_per_day\nd-1,f-1,135.9,127.1,2027-04-05,2027-04-09,1\n";
    assert_issues(
        &issues(workers, demands),
        &[
            "workers.csv:1: column lon: the header has no lon column",
            "workers.csv:1: column availability: the header has no availability column",
            "demands.csv:2: column lat: must be within [-90, 90], got 135.9",
        ],
    );
}

#[test]
fn warnings_point_at_their_row_and_options_issues_at_the_options() {
    let workers = "id,lat,lon,availability,preferred_farms\n\
                   w-1,35.91,127.07,2027-04-05,f-1\n\
                   w-2,35.91,127.07,,f-typo\n";
    let sheets = read_sheets(
        &SheetInput::new("w.csv", workers),
        &SheetInput::new("d.csv", DEMANDS),
        &ReadOptions::default(),
    )
    .unwrap();
    let warnings: Vec<String> = sheets.warnings.iter().map(ToString::to_string).collect();
    assert_issues(
        &warnings,
        &[
            "w.csv:3: column availability: is empty, so the worker can never be assigned",
            "w.csv:3: column preferred_farms: \"f-typo\" is the farm_id of no demand",
        ],
    );
    assert_eq!(sheets.instance.n_workers(), 2);

    let options = Options { default_max_travel_km: -1.0, ..Options::default() };
    let err = read_sheets(
        &SheetInput::new("w.csv", workers),
        &SheetInput::new("d.csv", DEMANDS),
        &ReadOptions { options, ..ReadOptions::default() },
    )
    .unwrap_err();
    let lines: Vec<String> = err.issues.iter().map(ToString::to_string).collect();
    assert_issues(
        &lines,
        &["options: column default_max_travel_km: must be a finite number of km > 0, got -1"],
    );
    assert_eq!(err.issues[0].line, 0);
}

#[test]
fn issues_serialise_for_the_http_service() {
    let err = read("id,lat,lon,availability\nw-1,35.91,x,2027-04-05\n", DEMANDS).unwrap_err();
    let json = serde_json::to_value(&err).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"issues": [{
            "file": "workers.csv", "line": 2, "column": "lon", "code": "invalid_number",
            "message": "must be a number such as 35.82 (a dot for decimals), got \"x\"",
        }]})
    );
    assert!(err
        .to_string()
        .starts_with("the spreadsheets have 1 issue(s); first: workers.csv:2: column lon:"));
}

/// A quote that opens a cell and never closes would swallow every row after
/// it into one cell; it is reported at its line instead, and nothing is read.
#[test]
fn an_unclosed_quote_is_reported_at_its_line() {
    let workers = "id,lat,lon,availability,name\n\
                   w-1,35.91,127.07,2027-04-05,\"Kim \"\"Jr\"\", senior\"\n\
                   w-2,35.91,127.07,2027-04-05,\"Lee\n\
                   w-3,35.91,127.07,2027-04-05,Park\n";
    assert_issues(
        &issues(workers, DEMANDS),
        &["workers.csv:3: a cell opens a double quote here that is never closed"],
    );
    // Closed quotes, doubled quotes inside them, a line break inside one and
    // a quote inside an unquoted cell are all fine.
    let workers = "id,lat,lon,availability,name\n\
                   w-1,35.91,127.07,2027-04-05,\"Kim \"\"Jr\"\", senior\"\n\
                   w-2,35.91,127.07,2027-04-05,\"Lee\n(two lines)\"\n\
                   w-3,35.91,127.07,2027-04-05,Park 5\"3\n";
    assert_eq!(read(workers, DEMANDS).expect("valid").workers.len(), 3);
}
