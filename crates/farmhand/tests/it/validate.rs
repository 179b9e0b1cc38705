//! Validation through the public API: one case per code, all issues in one
//! pass, warnings, the built instance, and no panic on any input.

use farmhand::{
    validate, Assignment, DateRange, Demand, Issue, Location, Problem, TravelOverride, Worker,
};
use proptest::prelude::*;

/// A small valid problem with no warnings. Every case below breaks one thing.
///
/// Workers `ana` and `ben` form crew `north`; `cai` has a travel override to
/// `farm-a`. Demand `d-a` (farm-a, May 1-10, 2 a day, pruning 2) and `d-b`
/// (farm-b, May 3-12, 1 a day). `ana` is locked on `d-a` on May 2 and `ben`
/// was on `d-a` on May 3 in the previous plan.
fn base() -> Problem {
    let mut ana = Worker::new(
        "ana",
        Location::new(45.0, 7.0),
        vec![DateRange::new("2026-04-20", "2026-05-31")],
    );
    ana.skills.insert("pruning".into(), 3);
    ana.crew = Some("north".into());
    ana.max_days = Some(20);
    ana.max_consecutive_days = Some(10);

    let mut ben = Worker::new(
        "ben",
        Location::new(45.01, 7.01),
        vec![DateRange::new("2026-05-01", "2026-05-10")],
    );
    ben.skills.insert("pruning".into(), 2);
    ben.skills.insert("driving".into(), 1);
    ben.crew = Some("north".into());

    let mut cai = Worker::new(
        "cai",
        Location::new(45.1, 7.1),
        vec![
            DateRange::new("2026-05-01", "2026-05-04"),
            DateRange::new("2026-05-03", "2026-05-12"),
        ],
    );
    cai.max_travel_km = Some(50.0);
    cai.excluded_farms = vec!["farm-b".into()];
    cai.preferred_farms = vec!["farm-a".into()];
    cai.skills.insert("pruning".into(), 5);

    let mut d_a =
        Demand::new("d-a", "farm-a", Location::new(45.02, 7.02), "2026-05-01", "2026-05-10", 2);
    d_a.required_skills.insert("pruning".into(), 2);
    d_a.priority = 10;
    let d_b =
        Demand::new("d-b", "farm-b", Location::new(45.05, 7.05), "2026-05-03", "2026-05-12", 1);

    Problem {
        workers: vec![ana, ben, cai],
        demands: vec![d_a, d_b],
        locked: vec![Assignment::new("ana", "d-a", "2026-05-02")],
        previous: vec![Assignment::new("ben", "d-a", "2026-05-03")],
        travel: vec![TravelOverride {
            worker_id: "cai".into(),
            farm_id: "farm-a".into(),
            km: 12.0,
        }],
        options: Default::default(),
    }
}

/// Errors of the base problem after `mutate` (empty when it is valid).
fn errors_after(mutate: impl FnOnce(&mut Problem)) -> Vec<Issue> {
    let mut problem = base();
    mutate(&mut problem);
    match validate(&problem) {
        Ok(_) => Vec::new(),
        Err(e) => {
            assert!(!e.issues.is_empty(), "an error value must list at least one issue");
            e.issues
        }
    }
}

/// Warnings of the base problem after `mutate`, which must stay valid.
fn warnings_after(mutate: impl FnOnce(&mut Problem)) -> Vec<Issue> {
    let mut problem = base();
    mutate(&mut problem);
    match validate(&problem) {
        Ok(instance) => instance.warnings().to_vec(),
        Err(e) => panic!("expected a valid problem, got {:#?}", e.issues),
    }
}

fn has(issues: &[Issue], code: &str, path: &str) -> bool {
    issues.iter().any(|i| i.code == code && i.path == path)
}

type Case = (fn(&mut Problem), &'static str, &'static str);

/// One or more mutations per error code: (mutation, expected code, expected path).
const ERROR_CASES: &[Case] = &[
    (|p| p.workers[1].id = String::new(), "empty_id", "workers[1].id"),
    (|p| p.demands[0].id = String::new(), "empty_id", "demands[0].id"),
    (|p| p.demands[1].farm_id = String::new(), "empty_id", "demands[1].farm_id"),
    (|p| p.workers[0].crew = Some(String::new()), "empty_id", "workers[0].crew"),
    (|p| p.demands[0].farm_id = "é".repeat(129), "id_too_long", "demands[0].farm_id"),
    (|p| p.workers[2].id = "x".repeat(129), "id_too_long", "workers[2].id"),
    (|p| p.workers[1].crew = Some("c".repeat(500)), "id_too_long", "workers[1].crew"),
    (|p| p.demands[1].id = "d".repeat(129), "id_too_long", "demands[1].id"),
    (|p| p.workers[2].id = "ana".into(), "duplicate_id", "workers[2].id"),
    (|p| p.demands[1].id = "d-a".into(), "duplicate_id", "demands[1].id"),
    (
        |p| p.workers[0].availability[0].start = "2026-02-30".into(),
        "invalid_date",
        "workers[0].availability[0].start",
    ),
    (|p| p.demands[0].end = "2026-5-10".into(), "invalid_date", "demands[0].end"),
    (|p| p.demands[1].start = "".into(), "invalid_date", "demands[1].start"),
    (|p| p.locked[0].date = "2026-05-02T08:00".into(), "invalid_date", "locked[0].date"),
    (|p| p.previous[0].date = "tomorrow".into(), "invalid_date", "previous[0].date"),
    (|p| p.demands[1].end = "2026-05-01".into(), "start_after_end", "demands[1].end"),
    (
        |p| p.workers[2].availability[1].end = "2026-05-02".into(),
        "start_after_end",
        "workers[2].availability[1].end",
    ),
    (|p| p.demands[1].end = "2206-05-12".into(), "horizon_too_long", "demands[1].end"),
    (|p| p.workers[0].location.lat = 123.5, "coordinate_out_of_range", "workers[0].location.lat"),
    (
        |p| p.demands[0].location.lon = f64::NAN,
        "coordinate_out_of_range",
        "demands[0].location.lon",
    ),
    (|p| p.workers[1].location.lon = -180.5, "coordinate_out_of_range", "workers[1].location.lon"),
    (
        |p| p.workers[2].max_travel_km = Some(0.0),
        "invalid_travel_limit",
        "workers[2].max_travel_km",
    ),
    (
        |p| p.workers[2].max_travel_km = Some(f64::INFINITY),
        "invalid_travel_limit",
        "workers[2].max_travel_km",
    ),
    (
        |p| *p.workers[0].skills.get_mut("pruning").unwrap() = 6,
        "skill_level_out_of_range",
        "workers[0].skills.pruning",
    ),
    (
        |p| *p.demands[0].required_skills.get_mut("pruning").unwrap() = 0,
        "skill_level_out_of_range",
        "demands[0].required_skills.pruning",
    ),
    (
        |p| {
            p.demands[1].required_skills.insert("fork lift".into(), 9);
        },
        "skill_level_out_of_range",
        "demands[1].required_skills[\"fork lift\"]",
    ),
    (|p| p.demands[0].workers_per_day = 0, "invalid_workers_per_day", "demands[0].workers_per_day"),
    (
        |p| p.demands[0].workers_per_day = i64::MAX,
        "invalid_workers_per_day",
        "demands[0].workers_per_day",
    ),
    (|p| p.demands[1].priority = 101, "priority_out_of_range", "demands[1].priority"),
    (|p| p.demands[1].priority = 0, "priority_out_of_range", "demands[1].priority"),
    (|p| p.workers[1].max_days = Some(-1), "invalid_max_days", "workers[1].max_days"),
    (
        |p| p.workers[1].max_consecutive_days = Some(0),
        "invalid_max_consecutive_days",
        "workers[1].max_consecutive_days",
    ),
    (|p| p.locked[0].worker_id = "zed".into(), "unknown_worker", "locked[0].worker_id"),
    (|p| p.travel[0].worker_id = "zed".into(), "unknown_worker", "travel[0].worker_id"),
    (|p| p.locked[0].demand_id = "d-z".into(), "unknown_demand", "locked[0].demand_id"),
    (|p| p.travel[0].farm_id = "farm-z".into(), "unknown_farm", "travel[0].farm_id"),
    (|p| p.travel[0].km = -1.0, "invalid_travel_km", "travel[0].km"),
    (|p| p.travel[0].km = f64::NAN, "invalid_travel_km", "travel[0].km"),
    // Finite but absurd: sums of such km would overflow to infinity.
    (|p| p.travel[0].km = 1e308, "invalid_travel_km", "travel[0].km"),
    (|p| p.travel.push(p.travel[0].clone()), "duplicate_travel", "travel[1]"),
    (
        |p| p.options.default_max_travel_km = 0.0,
        "option_out_of_range",
        "options.default_max_travel_km",
    ),
    (
        |p| p.options.continuity_bonus_km = -1.0,
        "option_out_of_range",
        "options.continuity_bonus_km",
    ),
    (
        |p| p.options.preference_bonus_km = f64::NAN,
        "option_out_of_range",
        "options.preference_bonus_km",
    ),
    (
        |p| p.options.stability_bonus_km = f64::INFINITY,
        "option_out_of_range",
        "options.stability_bonus_km",
    ),
    (
        |p| p.options.continuity_bonus_km = 1e308,
        "option_out_of_range",
        "options.continuity_bonus_km",
    ),
    (|p| p.options.standby_per_slot = 21, "option_out_of_range", "options.standby_per_slot"),
    (|p| p.options.standby_per_slot = -1, "option_out_of_range", "options.standby_per_slot"),
    (|p| p.options.time_limit_ms = Some(0), "option_out_of_range", "options.time_limit_ms"),
    // Rule 1: ben is available from May 5 only.
    (
        |p| {
            p.workers[1].availability[0].start = "2026-05-05".into();
            p.locked.push(Assignment::new("ben", "d-a", "2026-05-02"));
        },
        "locked_worker_unavailable",
        "locked[1].date",
    ),
    // Rule 2: ana is available on May 20, d-a ends on May 10.
    (|p| p.locked[0].date = "2026-05-20".into(), "locked_outside_demand_dates", "locked[0].date"),
    // Rule 3: d-b needs one worker a day.
    (
        |p| {
            p.locked.push(Assignment::new("ana", "d-b", "2026-05-04"));
            p.locked.push(Assignment::new("ben", "d-b", "2026-05-04"));
        },
        "locked_over_capacity",
        "locked[2]",
    ),
    // Rule 4.
    (
        |p| {
            p.locked.push(Assignment::new("ana", "d-a", "2026-05-04"));
            p.locked.push(Assignment::new("ana", "d-b", "2026-05-04"));
        },
        "locked_double_booked",
        "locked[2]",
    ),
    // Rule 5, by great-circle distance (about 2.7 km) and by override.
    (|p| p.workers[0].max_travel_km = Some(1.0), "locked_too_far", "locked[0]"),
    (
        |p| {
            p.travel.push(TravelOverride {
                worker_id: "ana".into(),
                farm_id: "farm-a".into(),
                km: 31.0,
            })
        },
        "locked_too_far",
        "locked[0]",
    ),
    // Rule 5 through the default limit.
    (|p| p.options.default_max_travel_km = 1.0, "locked_too_far", "locked[0]"),
    // Rule 6.
    (
        |p| *p.workers[0].skills.get_mut("pruning").unwrap() = 1,
        "locked_missing_skills",
        "locked[0]",
    ),
    (|p| p.workers[0].skills.clear(), "locked_missing_skills", "locked[0]"),
    // Rule 7.
    (|p| p.workers[0].excluded_farms = vec!["farm-a".into()], "locked_excluded_farm", "locked[0]"),
    // Rule 8.
    (|p| p.workers[0].max_days = Some(0), "locked_max_days", "locked[0]"),
    (
        |p| {
            p.workers[0].max_days = Some(1);
            p.locked.push(Assignment::new("ana", "d-b", "2026-05-07"));
        },
        "locked_max_days",
        "locked[1]",
    ),
    (
        |p| {
            p.workers[0].max_consecutive_days = Some(2);
            p.locked.push(Assignment::new("ana", "d-a", "2026-05-04"));
            p.locked.push(Assignment::new("ana", "d-b", "2026-05-03"));
        },
        "locked_max_consecutive_days",
        "locked[1]",
    ),
    // Rule 9: ana and ben are crew "north".
    (
        |p| {
            p.locked.push(Assignment::new("ana", "d-a", "2026-05-04"));
            p.locked.push(Assignment::new("ben", "d-b", "2026-05-04"));
        },
        "locked_crew_split",
        "locked[2]",
    ),
];

#[test]
fn base_problem_is_valid_without_warnings() {
    assert_eq!(errors_after(|_| {}), Vec::new());
    assert_eq!(warnings_after(|_| {}), Vec::new());
}

#[test]
fn each_error_case_reports_its_code_at_its_path() {
    let mut failures = Vec::new();
    for (i, &(mutate, code, path)) in ERROR_CASES.iter().enumerate() {
        let issues = errors_after(mutate);
        if !has(&issues, code, path) {
            failures.push(format!("case {i}: expected {code} at {path}, got {issues:#?}"));
        }
        for issue in &issues {
            if issue.message.trim().is_empty() {
                failures.push(format!("case {i}: empty message for {issue}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_documented_error_code_has_a_case() {
    let doc = include_str!("../../../../docs/errors.md");
    let errors = &doc[doc.find("## Errors").unwrap()..doc.find("## Warnings").unwrap()];
    for line in errors.lines() {
        if let Some(code) = line.strip_prefix("| `").and_then(|rest| rest.split('`').next()) {
            assert!(ERROR_CASES.iter().any(|c| c.1 == code), "no test case for {code}");
        }
    }
}

#[test]
fn one_pass_reports_every_problem_in_input_order() {
    let issues = errors_after(|p| {
        p.options.standby_per_slot = 99;
        p.travel[0].km = -3.0;
        p.locked.push(Assignment::new("nobody", "d-a", "2026-02-30"));
        p.demands[1].priority = 0;
        p.demands[0].start = "2026/05/01".into();
        p.workers[2].location.lat = 95.0;
        p.workers[2].location.lon = 45.0;
        p.workers[0].id = "ben".into();
    });
    let expected = [
        ("duplicate_id", "workers[1].id"),
        ("coordinate_out_of_range", "workers[2].location.lat"),
        ("invalid_date", "demands[0].start"),
        ("priority_out_of_range", "demands[1].priority"),
        ("unknown_worker", "locked[1].worker_id"),
        ("invalid_date", "locked[1].date"),
        ("invalid_travel_km", "travel[0].km"),
        ("option_out_of_range", "options.standby_per_slot"),
    ];
    for (code, path) in expected {
        assert!(has(&issues, code, path), "expected {code} at {path}, got {issues:#?}");
    }
    // Input order: each expected issue comes after the previous one.
    let positions: Vec<usize> = expected
        .iter()
        .map(|&(code, path)| issues.iter().position(|i| i.code == code && i.path == path).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{issues:#?}");
    // Renaming ana to "ben" leaves the locked entry of "ana" dangling too.
    assert!(has(&issues, "unknown_worker", "locked[0].worker_id"));
    let lat = issues.iter().find(|i| i.path == "workers[2].location.lat").unwrap();
    assert!(lat.message.contains("[-90, 90], got 95"), "{}", lat.message);
    assert!(lat.message.contains("swapped"), "{}", lat.message);
}

#[test]
fn duplicates_name_the_first_occurrence() {
    let issues = errors_after(|p| {
        p.workers.push(p.workers[1].clone());
    });
    let dup = issues.iter().find(|i| i.code == "duplicate_id").unwrap();
    assert_eq!(dup.path, "workers[3].id");
    assert!(dup.message.contains("workers[1]"), "{}", dup.message);
}

#[test]
fn ids_are_measured_in_characters_not_bytes() {
    // 128 two-byte characters are 256 bytes and still a valid id.
    let issues = errors_after(|p| {
        p.demands[0].farm_id = "é".repeat(128);
        p.travel[0].farm_id = "é".repeat(128);
    });
    assert_eq!(issues, Vec::new());
}

#[test]
fn a_bad_value_is_reported_once_not_again_by_the_rules_that_read_it() {
    // A broken location must not also produce a locked_too_far.
    let issues = errors_after(|p| p.workers[0].location.lat = f64::NAN);
    assert_eq!(issues.len(), 1, "{issues:#?}");
}

#[test]
fn warnings_are_reported_and_the_problem_stays_valid() {
    let warnings = warnings_after(|p| {
        p.locked.push(p.locked[0].clone());
        p.previous.push(p.previous[0].clone());
        p.previous.push(Assignment::new("cai", "d-b", "2026-05-05"));
        p.workers.push(Worker::new("dan", Location::new(45.0, 7.0), vec![]));
        p.workers.push(Worker::new(
            "eve",
            Location::new(45.0, 7.0),
            vec![DateRange::new("2025-05-01", "2025-05-10")],
        ));
        p.demands[1].required_skills.insert("grafting".into(), 4);
        p.workers[1].excluded_farms.push("farm-q".into());
        p.workers[1].skills.insert(String::new(), 1);
        p.workers[2].excluded_farms.push("farm-a".into());
    });
    let expected = [
        ("empty_skill_name", "workers[1].skills[\"\"]"),
        ("farm_not_in_demands", "workers[1].excluded_farms[0]"),
        ("preferred_and_excluded", "workers[2].preferred_farms[0]"),
        ("empty_availability", "workers[3].availability"),
        ("no_availability_in_horizon", "workers[4].availability"),
        ("required_skill_unmatched", "demands[1].required_skills.grafting"),
        ("duplicate_locked", "locked[1]"),
        ("duplicate_previous", "previous[1]"),
        ("previous_not_keepable", "previous[2]"),
    ];
    for (code, path) in expected {
        assert!(has(&warnings, code, path), "expected {code} at {path}, got {warnings:#?}");
    }
    assert_eq!(warnings.len(), expected.len(), "{warnings:#?}");
}

/// A demand with a bad date is left out of the demands' span, so a worker
/// available only on that demand's dates was once also warned that no
/// range of theirs overlaps the demands' dates: a false lead beside the
/// real error.
#[test]
fn a_bad_demand_date_brings_no_false_availability_warning() {
    let problem = Problem::from_json(
        r#"{"workers": [{"id": "w-1", "location": {"lat": 35.82, "lon": 127.15},
              "availability": [{"start": "2026-04-06", "end": "2026-04-07"}]}],
            "demands": [
              {"id": "d-1", "farm_id": "f-1", "location": {"lat": 35.9, "lon": 127.08},
               "start": "2026-04-06", "end": "2026-04-01", "workers_per_day": 1},
              {"id": "d-2", "farm_id": "f-2", "location": {"lat": 35.85, "lon": 127.12},
               "start": "2026-04-08", "end": "2026-04-12", "workers_per_day": 1}]}"#,
    )
    .unwrap();
    let Err(e) = validate(&problem) else { panic!("the bad end date is an error") };
    let codes: Vec<&str> = e.issues.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(codes, ["start_after_end"], "{:#?}", e.issues);
    assert_eq!(e.warnings, Vec::new());
}

#[test]
fn previous_entries_that_cannot_be_kept_say_why() {
    let warnings = warnings_after(|p| {
        p.previous[0].date = "2026-05-11".into();
    });
    let w = warnings.iter().find(|w| w.code == "previous_not_keepable").unwrap();
    assert!(w.message.contains("not available"), "{}", w.message);
    assert!(w.message.contains("outside the demand's dates"), "{}", w.message);
}

#[test]
fn a_previous_entry_naming_someone_taken_out_is_a_warning_and_a_call() {
    // Yesterday's plan names a worker who withdrew and a demand the farm
    // called off, both since taken out of the problem.
    let mut problem = base();
    problem.previous.push(Assignment::new("zed", "d-a", "2026-05-04"));
    problem.previous.push(Assignment::new("cai", "d-z", "2026-05-05"));
    problem.previous.push(Assignment::new("zed", "d-z", "2026-05-06"));
    let instance = validate(&problem).expect("unknown ids in previous are no error");
    let unknown: Vec<(&str, &str)> = instance
        .warnings()
        .iter()
        .filter(|w| w.code == "previous_unknown_id")
        .map(|w| (w.path.as_str(), w.message.as_str()))
        .collect();
    assert_eq!(unknown.len(), 3, "{unknown:#?}");
    assert_eq!(unknown[0].0, "previous[1].worker_id");
    assert!(
        unknown[0].1.contains("no worker \"zed\"") && unknown[0].1.contains("dropped_previous")
    );
    assert_eq!(unknown[1].0, "previous[2].demand_id");
    assert!(unknown[1].1.contains("no demand \"d-z\""), "{}", unknown[1].1);
    assert!(unknown[2].1.contains("no worker \"zed\" and no demand \"d-z\""), "{}", unknown[2].1);

    // Each is a person to call, and the independent checker agrees.
    let solution = farmhand::solve(&problem).unwrap();
    for a in &problem.previous[1..] {
        assert!(solution.dropped_previous.contains(a), "{a:?} not in the call list");
    }
    let report = farmhand::check(&problem, &solution);
    assert!(report.ok, "{:#?}", report.violations);

    // A bad date stays an error, whatever the ids.
    problem.previous[1].date = "2026-5-04".into();
    let Err(e) = validate(&problem) else { panic!("a bad date is an error") };
    assert_eq!(e.issues.len(), 1, "{:#?}", e.issues);
    assert_eq!(e.issues[0].path, "previous[1].date");
}

#[test]
fn a_previous_entry_clashing_with_a_locked_one_cannot_be_kept() {
    let warnings = warnings_after(|p| {
        p.previous.push(Assignment::new("ana", "d-b", "2026-05-04"));
        p.locked.push(Assignment::new("ana", "d-a", "2026-05-04"));
    });
    let w = warnings.iter().find(|w| w.path == "previous[1]").unwrap();
    assert_eq!(w.code, "previous_not_keepable");
    assert!(w.message.contains("locked[1]"), "{}", w.message);
}

#[test]
fn warnings_come_with_errors_too() {
    let mut problem = base();
    problem.options.standby_per_slot = -5;
    problem.locked.push(problem.locked[0].clone());
    let err = validate(&problem).unwrap_err();
    assert!(has(&err.issues, "option_out_of_range", "options.standby_per_slot"));
    assert!(has(&err.warnings, "duplicate_locked", "locked[1]"));
    assert!(err.to_string().contains("options.standby_per_slot"), "{err}");
}

#[test]
fn a_valid_problem_yields_an_instance() {
    let instance = validate(&base()).unwrap();
    assert_eq!(instance.n_workers(), 3);
    assert_eq!(instance.n_demands(), 2);
    // May 1 to May 12.
    assert_eq!(instance.n_days(), 12);
    assert!(instance.warnings().is_empty());
    assert_eq!(instance.options(), &base().options);
}

#[test]
fn an_empty_problem_is_valid_with_no_days() {
    let instance = validate(&Problem::default()).unwrap();
    assert_eq!((instance.n_workers(), instance.n_demands(), instance.n_days()), (0, 0, 0));
    // Workers with no demands are not warned about the horizon.
    let mut problem = base();
    problem.demands.clear();
    problem.locked.clear();
    problem.previous.clear();
    problem.travel.clear();
    problem.workers[2].excluded_farms.clear();
    problem.workers[2].preferred_farms.clear();
    let instance = validate(&problem).unwrap();
    assert_eq!(instance.n_days(), 0);
    assert!(instance.warnings().is_empty(), "{:#?}", instance.warnings());
}

#[test]
fn validation_reads_json_with_defaults() {
    let json = r#"{
        "workers": [{"id": "w", "location": {"lat": 1, "lon": 2},
                     "availability": [{"start": "2026-01-01", "end": "2026-01-31"}]}],
        "demands": [{"id": "d", "farm_id": "f", "location": {"lat": 1, "lon": 2},
                     "start": "2026-01-05", "end": "2026-01-06", "workers_per_day": 1}]
    }"#;
    let instance = validate(&Problem::from_json(json).unwrap()).unwrap();
    assert_eq!(instance.n_days(), 2);
}

/// JSON allows a repeated key; in a skills map the last would silently win,
/// so a skill named twice is an error with its place, in workers and
/// demands alike.
#[test]
fn a_skill_named_twice_is_an_error() {
    let worker = |skills: &str| {
        format!(
            r#"{{"workers": [{{"id": "w", "location": {{"lat": 1, "lon": 2}}, "skills": {skills},
                "availability": [{{"start": "2026-01-01", "end": "2026-01-31"}}]}}],
                "demands": []}}"#
        )
    };
    assert!(Problem::from_json(&worker(r#"{"pruning": 5, "driving": 1}"#)).is_ok());
    let err = Problem::from_json(&worker(r#"{"pruning": 5, "pruning": 1}"#)).unwrap_err();
    assert!(err.to_string().contains(r#"skill "pruning" is given twice"#), "{err}");
    assert_eq!(err.line(), 1);
    let demand = r#"{"workers": [], "demands": [{"id": "d", "farm_id": "f",
        "location": {"lat": 1, "lon": 2}, "start": "2026-01-05", "end": "2026-01-06",
        "workers_per_day": 1, "required_skills": {"a": 1, "a": 2}}]}"#;
    let err = Problem::from_json(demand).unwrap_err();
    assert!(err.to_string().contains(r#"skill "a" is given twice"#), "{err}");
    assert_eq!(err.line(), 3);
}

/// `null` for a field with a default is the default, as leaving the field
/// out is, for every such field; a required field is never `null`.
#[test]
fn null_means_the_default_everywhere() {
    let full = r#"{"workers": [{"id": "w", "location": {"lat": 1, "lon": 2},
        "availability": [{"start": "2026-01-05", "end": "2026-01-06"}],
        "max_travel_km": null, "skills": null, "max_days": null, "max_consecutive_days": null,
        "excluded_farms": null, "preferred_farms": null, "crew": null}],
      "demands": [{"id": "d", "farm_id": "f", "location": {"lat": 1, "lon": 2},
        "start": "2026-01-05", "end": "2026-01-06", "workers_per_day": 1,
        "required_skills": null, "priority": null}],
      "locked": null, "previous": null, "travel": null,
      "options": {"default_max_travel_km": null, "share_shortage": null,
        "continuity_bonus_km": null, "preference_bonus_km": null, "stability_bonus_km": null,
        "standby_per_slot": null, "time_limit_ms": null, "explain": null}}"#;
    let bare = r#"{"workers": [{"id": "w", "location": {"lat": 1, "lon": 2},
        "availability": [{"start": "2026-01-05", "end": "2026-01-06"}]}],
      "demands": [{"id": "d", "farm_id": "f", "location": {"lat": 1, "lon": 2},
        "start": "2026-01-05", "end": "2026-01-06", "workers_per_day": 1}]}"#;
    let with_nulls = Problem::from_json(full).unwrap();
    assert_eq!(with_nulls, Problem::from_json(bare).unwrap());
    assert_eq!(with_nulls.demands[0].priority, 1);
    assert_eq!(with_nulls.options, farmhand::Options::default());
    let options_null = format!(r#"{}, "options": null}}"#, bare.strip_suffix('}').unwrap());
    assert_eq!(Problem::from_json(&options_null).unwrap(), with_nulls);
    // Not for required fields.
    for (field, null) in [
        (r#""id": "w""#, r#""id": null"#),
        (r#""workers_per_day": 1"#, r#""workers_per_day": null"#),
        (
            r#""availability": [{"start": "2026-01-05", "end": "2026-01-06"}]"#,
            r#""availability": null"#,
        ),
    ] {
        let text = bare.replacen(field, null, 1);
        assert_ne!(text, bare);
        let err = farmhand::parse_json::<Problem>(&text).unwrap_err();
        assert!(err.first().message.ends_with("got null"), "{field}: {err}");
    }
}

/// One way of breaking a field of the base problem with an arbitrary value.
#[derive(Debug, Clone)]
enum Mutation {
    Lat(usize, f64),
    Lon(usize, f64),
    DemandLat(usize, f64),
    MaxKm(usize, f64),
    TravelKm(f64),
    DefaultKm(f64),
    Bonus(f64),
    WorkersPerDay(usize, i64),
    Priority(usize, i64),
    MaxDays(usize, i64),
    MaxConsecutive(usize, i64),
    SkillLevel(usize, i64),
    Standby(i64),
    TimeLimit(i64),
    WorkerId(usize, String),
    DemandId(usize, String),
    FarmId(usize, String),
    Crew(usize, String),
    SkillName(usize, String),
    AvailabilityStart(usize, String),
    AvailabilityEnd(usize, String),
    DemandStart(usize, String),
    DemandEnd(usize, String),
    LockedDate(String),
    LockedWorker(String),
    PreviousDate(String),
    ExcludedFarm(usize, String),
    AddLocked(usize, usize, String),
}

impl Mutation {
    fn apply(&self, p: &mut Problem) {
        let w = |i: &usize| i % 3;
        let d = |i: &usize| i % 2;
        match self {
            Mutation::Lat(i, v) => p.workers[w(i)].location.lat = *v,
            Mutation::Lon(i, v) => p.workers[w(i)].location.lon = *v,
            Mutation::DemandLat(i, v) => p.demands[d(i)].location.lat = *v,
            Mutation::MaxKm(i, v) => p.workers[w(i)].max_travel_km = Some(*v),
            Mutation::TravelKm(v) => p.travel[0].km = *v,
            Mutation::DefaultKm(v) => p.options.default_max_travel_km = *v,
            Mutation::Bonus(v) => p.options.continuity_bonus_km = *v,
            Mutation::WorkersPerDay(i, v) => p.demands[d(i)].workers_per_day = *v,
            Mutation::Priority(i, v) => p.demands[d(i)].priority = *v,
            Mutation::MaxDays(i, v) => p.workers[w(i)].max_days = Some(*v),
            Mutation::MaxConsecutive(i, v) => p.workers[w(i)].max_consecutive_days = Some(*v),
            Mutation::SkillLevel(i, v) => {
                p.workers[w(i)].skills.insert("pruning".into(), *v);
            }
            Mutation::Standby(v) => p.options.standby_per_slot = *v,
            Mutation::TimeLimit(v) => p.options.time_limit_ms = Some(*v),
            Mutation::WorkerId(i, s) => p.workers[w(i)].id = s.clone(),
            Mutation::DemandId(i, s) => p.demands[d(i)].id = s.clone(),
            Mutation::FarmId(i, s) => p.demands[d(i)].farm_id = s.clone(),
            Mutation::Crew(i, s) => p.workers[w(i)].crew = Some(s.clone()),
            Mutation::SkillName(i, s) => {
                p.demands[d(i)].required_skills.insert(s.clone(), 1);
            }
            Mutation::AvailabilityStart(i, s) => p.workers[w(i)].availability[0].start = s.clone(),
            Mutation::AvailabilityEnd(i, s) => p.workers[w(i)].availability[0].end = s.clone(),
            Mutation::DemandStart(i, s) => p.demands[d(i)].start = s.clone(),
            Mutation::DemandEnd(i, s) => p.demands[d(i)].end = s.clone(),
            Mutation::LockedDate(s) => p.locked[0].date = s.clone(),
            Mutation::LockedWorker(s) => p.locked[0].worker_id = s.clone(),
            Mutation::PreviousDate(s) => p.previous[0].date = s.clone(),
            Mutation::ExcludedFarm(i, s) => p.workers[w(i)].excluded_farms.push(s.clone()),
            Mutation::AddLocked(i, j, date) => {
                let (worker, demand) = (p.workers[w(i)].id.clone(), p.demands[d(j)].id.clone());
                p.locked.push(Assignment::new(worker, demand, date.clone()));
            }
        }
    }
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        proptest::num::f64::ANY,
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(-0.0),
        -200.0..200.0,
    ]
}

fn int() -> impl Strategy<Value = i64> {
    prop_oneof![any::<i64>(), Just(i64::MIN), Just(i64::MAX), -3i64..30]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        Just(String::new()),
        "[a-z]{0,3}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        "20(26|27|99)-0[1-9]-[0-3][0-9]",
        "2026-05-(0[1-9]|1[0-2])",
        "[0-9\\-]{0,12}",
        "\\PC{120,140}",
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let i = 0usize..6;
    prop_oneof![
        (i.clone(), float()).prop_map(|(i, v)| Mutation::Lat(i, v)),
        (i.clone(), float()).prop_map(|(i, v)| Mutation::Lon(i, v)),
        (i.clone(), float()).prop_map(|(i, v)| Mutation::DemandLat(i, v)),
        (i.clone(), float()).prop_map(|(i, v)| Mutation::MaxKm(i, v)),
        float().prop_map(Mutation::TravelKm),
        float().prop_map(Mutation::DefaultKm),
        float().prop_map(Mutation::Bonus),
        (i.clone(), int()).prop_map(|(i, v)| Mutation::WorkersPerDay(i, v)),
        (i.clone(), int()).prop_map(|(i, v)| Mutation::Priority(i, v)),
        (i.clone(), int()).prop_map(|(i, v)| Mutation::MaxDays(i, v)),
        (i.clone(), int()).prop_map(|(i, v)| Mutation::MaxConsecutive(i, v)),
        (i.clone(), int()).prop_map(|(i, v)| Mutation::SkillLevel(i, v)),
        int().prop_map(Mutation::Standby),
        int().prop_map(Mutation::TimeLimit),
        (i.clone(), text()).prop_map(|(i, s)| Mutation::WorkerId(i, s)),
        (i.clone(), text()).prop_map(|(i, s)| Mutation::DemandId(i, s)),
        (i.clone(), text()).prop_map(|(i, s)| Mutation::FarmId(i, s)),
        (i.clone(), text()).prop_map(|(i, s)| Mutation::Crew(i, s)),
        (i.clone(), text()).prop_map(|(i, s)| Mutation::SkillName(i, s)),
        (i.clone(), text()).prop_map(|(i, s)| Mutation::AvailabilityStart(i, s)),
        (i.clone(), text()).prop_map(|(i, s)| Mutation::AvailabilityEnd(i, s)),
        (i.clone(), text()).prop_map(|(i, s)| Mutation::DemandStart(i, s)),
        (i.clone(), text()).prop_map(|(i, s)| Mutation::DemandEnd(i, s)),
        text().prop_map(Mutation::LockedDate),
        text().prop_map(Mutation::LockedWorker),
        text().prop_map(Mutation::PreviousDate),
        (i.clone(), text()).prop_map(|(i, s)| Mutation::ExcludedFarm(i, s)),
        (i.clone(), i, text()).prop_map(|(i, j, s)| Mutation::AddLocked(i, j, s)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever the values, validation returns a value: an instance whose
    /// figures agree with the input, or a non-empty list of located issues.
    #[test]
    fn arbitrary_mutations_never_panic(mutations in proptest::collection::vec(mutation(), 1..8)) {
        let mut problem = base();
        for m in &mutations {
            m.apply(&mut problem);
        }
        match validate(&problem) {
            Ok(instance) => {
                prop_assert_eq!(instance.n_workers(), problem.workers.len());
                prop_assert_eq!(instance.n_demands(), problem.demands.len());
                prop_assert!(instance.n_days() >= 1);
            }
            Err(err) => {
                prop_assert!(!err.issues.is_empty());
                for issue in err.issues.iter().chain(&err.warnings) {
                    prop_assert!(!issue.path.is_empty() && !issue.code.is_empty());
                    prop_assert!(!issue.message.is_empty());
                }
            }
        }
    }
}

#[test]
fn generated_problems_are_valid() {
    use farmhand::generate::{generate, Preset};
    for preset in [Preset::Tiny, Preset::Small, Preset::County] {
        for seed in 0..3 {
            let problem = generate(preset, seed);
            let instance = validate(&problem).unwrap_or_else(|e| panic!("{preset:?}/{seed}: {e}"));
            assert_eq!(instance.n_workers(), problem.workers.len());
            assert_eq!(instance.n_demands(), problem.demands.len());
        }
    }
}

#[test]
fn slot_count_counts_every_demand_date_and_skips_bad_dates() {
    let problem = base();
    // d-a: May 1-10, d-b: May 3-12.
    assert_eq!(problem.slot_count(), 20);
    let solution = farmhand::solve(&problem).expect("the base problem is valid");
    assert_eq!(problem.slot_count(), solution.summary.slots);

    let mut bad = base();
    bad.demands[0].start = "2026-5-01".into();
    bad.demands[1].end = "2026-05-02".into();
    assert_eq!(bad.slot_count(), 0, "bad dates and reversed ranges count none");
    let mut long = base();
    long.demands[1].end = "2036-05-12".into();
    assert_eq!(long.slot_count(), 10 + 3663);
}
