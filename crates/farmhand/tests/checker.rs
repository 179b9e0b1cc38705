//! The independent checker against a small hand-solved problem: the correct
//! solution passes, and each violation code is provoked by one mutation.

use farmhand::{
    check, Assignment, DateRange, Demand, Location, Problem, Reason, ReasonCode, SkillGap,
    Solution, SolvedAssignment, Standby, StandbyWorker, Summary, TravelOverride, Unfilled, Worker,
};

const HOME: Location = Location { lat: 45.0, lon: 5.0 };

/// A's distance to every farm at `HOME`: 0.1 degree of latitude.
fn a_km() -> f64 {
    6371.0088 * 0.1_f64.to_radians()
}

fn travel(worker: &str, farm: &str, km: f64) -> TravelOverride {
    TravelOverride { worker_id: worker.into(), farm_id: farm.into(), km }
}

fn days(start: &str, end: &str) -> Vec<DateRange> {
    vec![DateRange::new(start, end)]
}

/// Six demands, one per situation the checker must recognise:
///
/// * D1 (farm F1, 2024-05-01..03, 2 a day, pruning 2, priority 3): filled by
///   A and B on the 1st and 2nd; on the 3rd B has used its `max_days`, so
///   the slot is short with `worker_limits`.
/// * D2 (F2, 2024-05-02, 1 a day): filled by C; G stands by.
/// * D3 (F3, far north, pruning 5): `no_worker_in_range`, the nearest
///   pruner being E at 1000 km (travel override).
/// * D4 (F4, driving 2): `no_worker_with_skills`; A drives at level 1.
/// * D5 (F5, 2024-05-04): `no_worker_available` (E is out of range).
/// * D6 (F6, 2024-05-02, pruning 2): `taken_by_other_demands`, A and B are on D1.
fn problem() -> Problem {
    let mut a = Worker::new("A", Location::new(45.1, 5.0), days("2024-05-01", "2024-05-03"));
    a.skills.insert("pruning".into(), 3);
    a.skills.insert("driving".into(), 1);
    a.preferred_farms = vec!["F1".into()];
    a.crew = Some("c1".into());
    let mut b = Worker::new("B", HOME, days("2024-05-01", "2024-05-03"));
    b.skills.insert("pruning".into(), 2);
    b.max_days = Some(2);
    let c = Worker::new("C", HOME, days("2024-05-02", "2024-05-02"));
    let mut e = Worker::new("E", Location::new(50.0, 5.0), days("2024-05-01", "2024-05-10"));
    e.skills.insert("pruning".into(), 5);
    let g = Worker::new("G", HOME, days("2024-05-02", "2024-05-03"));

    let mut d1 = Demand::new("D1", "F1", HOME, "2024-05-01", "2024-05-03", 2);
    d1.required_skills.insert("pruning".into(), 2);
    d1.priority = 3;
    let d2 = Demand::new("D2", "F2", HOME, "2024-05-02", "2024-05-02", 1);
    let mut d3 = Demand::new("D3", "F3", Location::new(60.0, 5.0), "2024-05-01", "2024-05-01", 1);
    d3.required_skills.insert("pruning".into(), 5);
    let mut d4 = Demand::new("D4", "F4", HOME, "2024-05-01", "2024-05-01", 1);
    d4.required_skills.insert("driving".into(), 2);
    let d5 = Demand::new("D5", "F5", HOME, "2024-05-04", "2024-05-04", 1);
    let mut d6 = Demand::new("D6", "F6", HOME, "2024-05-02", "2024-05-02", 1);
    d6.required_skills.insert("pruning".into(), 2);

    let mut p = Problem {
        workers: vec![a, b, c, e, g],
        demands: vec![d1, d2, d3, d4, d5, d6],
        locked: vec![Assignment::new("A", "D1", "2024-05-01")],
        previous: vec![
            Assignment::new("B", "D1", "2024-05-01"),
            Assignment::new("C", "D1", "2024-05-02"),
        ],
        travel: vec![
            travel("B", "F1", 5.0),
            travel("B", "F2", 7.0),
            travel("C", "F2", 3.0),
            travel("G", "F2", 4.0),
            travel("E", "F3", 1000.0),
        ],
        ..Problem::default()
    };
    p.options.standby_per_slot = 1;
    p
}

fn asg(worker: &str, demand: &str, farm: &str, date: &str, km: f64) -> SolvedAssignment {
    SolvedAssignment {
        worker_id: worker.into(),
        demand_id: demand.into(),
        farm_id: farm.into(),
        date: date.into(),
        distance_km: km,
    }
}

fn reason(code: ReasonCode) -> Reason {
    Reason {
        code,
        message: format!("{} (test)", code.as_str()),
        nearest_km: None,
        closest_skill_gap: None,
        eligible: None,
        taken_by: None,
    }
}

fn unfilled(demand: &str, date: &str, missing: i64, reason: Reason) -> Unfilled {
    Unfilled { demand_id: demand.into(), date: date.into(), missing, reason: Some(reason) }
}

/// The summary of [`solution`], computed by hand.
fn hand_summary() -> Summary {
    let total = 3.0 * a_km() + 2.0 * 5.0 + 3.0;
    Summary {
        workers: 5,
        demands: 6,
        slots: 8,
        worker_days_needed: 11,
        worker_days_filled: 6,
        fill_rate: 6.0 / 11.0,
        weighted_fill: 5 * 3 + 1,
        weighted_fill_bound: 16,
        total_distance_km: total,
        // D1 on the 3rd: 1^2 / 2; D3..D6 empty: 1^2 / 1 each.
        shortage_imbalance: 0.5 + 4.0,
        // A on D1 1st-2nd and 2nd-3rd, B on D1 1st-2nd.
        continuity_pairs: 3,
        // A on F1, three times.
        preferred_assignments: 3,
        // B on D1 on the 1st.
        previous_kept: 1,
        // Distance - 5 x 3 preferred - 50 x 1 kept - 10 x 3 pairs.
        objective_km: total - 15.0 - 50.0 - 30.0,
        optimal: Some(true),
        elapsed_ms: 1.5,
    }
}

/// The correct solution of [`problem`].
fn solution() -> Solution {
    let a = a_km();
    let mut in_range = reason(ReasonCode::NoWorkerInRange);
    in_range.nearest_km = Some(1000.0);
    let mut skills = reason(ReasonCode::NoWorkerWithSkills);
    skills.closest_skill_gap =
        Some([("driving".to_string(), SkillGap { needed: 2, best: 1 })].into_iter().collect());
    let mut taken = reason(ReasonCode::TakenByOtherDemands);
    taken.eligible = Some(2);
    taken.taken_by = Some(vec!["D1".into()]);
    Solution {
        assignments: vec![
            asg("A", "D1", "F1", "2024-05-01", a),
            asg("B", "D1", "F1", "2024-05-01", 5.0),
            asg("A", "D1", "F1", "2024-05-02", a),
            asg("B", "D1", "F1", "2024-05-02", 5.0),
            asg("C", "D2", "F2", "2024-05-02", 3.0),
            asg("A", "D1", "F1", "2024-05-03", a),
        ],
        unfilled: vec![
            unfilled("D3", "2024-05-01", 1, in_range),
            unfilled("D4", "2024-05-01", 1, skills),
            unfilled("D6", "2024-05-02", 1, taken),
            unfilled("D1", "2024-05-03", 1, reason(ReasonCode::WorkerLimits)),
            unfilled("D5", "2024-05-04", 1, reason(ReasonCode::NoWorkerAvailable)),
        ],
        standby: Some(vec![Standby {
            demand_id: "D2".into(),
            date: "2024-05-02".into(),
            workers: vec![StandbyWorker { worker_id: "G".into(), distance_km: 4.0 }],
        }]),
        dropped_previous: vec![Assignment::new("C", "D1", "2024-05-02")],
        summary: hand_summary(),
        warnings: vec![],
    }
}

#[test]
fn correct_solution_passes() {
    let report = check(&problem(), &solution());
    assert_eq!(report.violations, vec![]);
    assert!(report.ok);
    assert!(report.reasons_verified);
    assert!(report.standby_verified);
}

#[test]
fn recomputed_summary_matches_hand_values() {
    let report = check(&problem(), &solution());
    let real = report.recomputed.expect("a sane problem gets a recomputed summary");
    let hand = hand_summary();
    let close = |a: f64, b: f64| (a - b).abs() < 1e-9;
    assert_eq!(
        (real.workers, real.demands, real.slots, real.worker_days_needed, real.worker_days_filled),
        (5, 6, 8, 11, 6)
    );
    assert_eq!((real.weighted_fill, real.continuity_pairs), (16, 3));
    assert_eq!((real.preferred_assignments, real.previous_kept), (3, 1));
    assert!(close(real.fill_rate, 6.0 / 11.0));
    assert!(close(real.shortage_imbalance, 4.5), "{}", real.shortage_imbalance);
    assert!(close(real.total_distance_km, hand.total_distance_km));
    assert!(close(real.objective_km, 3.0 * a_km() + 13.0 - 95.0), "{}", real.objective_km);
    assert_eq!((real.optimal, real.elapsed_ms, real.weighted_fill_bound), (Some(true), 1.5, 16));
}

#[test]
fn explain_false_needs_no_reasons() {
    let mut p = problem();
    p.options.explain = false;
    let mut s = solution();
    for u in &mut s.unfilled {
        u.reason = None;
    }
    let report = check(&p, &s);
    assert_eq!(report.violations, vec![]);
}

#[test]
fn fill_rate_is_one_when_nothing_is_needed() {
    let p = Problem { workers: problem().workers, ..Problem::default() };
    let mut summary = hand_summary();
    summary.demands = 0;
    summary.slots = 0;
    summary.worker_days_needed = 0;
    summary.worker_days_filled = 0;
    summary.fill_rate = 1.0;
    summary.weighted_fill = 0;
    summary.weighted_fill_bound = 0;
    summary.total_distance_km = 0.0;
    summary.shortage_imbalance = 0.0;
    summary.continuity_pairs = 0;
    summary.preferred_assignments = 0;
    summary.previous_kept = 0;
    summary.objective_km = 0.0;
    let s = Solution {
        assignments: vec![],
        unfilled: vec![],
        standby: None,
        dropped_previous: vec![],
        summary,
        warnings: vec![],
    };
    assert_eq!(check(&p, &s).violations, vec![]);
}

#[test]
fn garbage_never_panics() {
    let mut p = problem();
    p.workers[0].location = Location::new(f64::NAN, 500.0);
    p.workers[1].availability = vec![DateRange::new("2024-05-03", "2024-05-01")];
    p.demands[0].start = "tomorrow".into();
    p.demands[1].workers_per_day = -3;
    p.options.default_max_travel_km = f64::INFINITY;
    let mut s = solution();
    s.assignments.push(asg("", "", "", "", f64::NAN));
    s.unfilled.push(Unfilled {
        demand_id: "D9".into(),
        date: "x".into(),
        missing: -1,
        reason: None,
    });
    let report = check(&p, &s);
    assert!(!report.ok);
    assert!(report.recomputed.is_none());
    assert!(!report.reasons_verified);
}

/// One mutation of the correct problem and solution, and the code it must
/// provoke.
type Case = (&'static str, fn(&mut Problem, &mut Solution));

fn add_worker_h(p: &mut Problem) {
    p.workers.push(Worker::new("H", HOME, days("2024-05-02", "2024-05-02")));
    p.travel.push(travel("H", "F2", 2.0));
}

fn reason_of<'a>(s: &'a mut Solution, demand: &str) -> &'a mut Reason {
    let u = s.unfilled.iter_mut().find(|u| u.demand_id == demand).expect("slot is unfilled");
    u.reason.as_mut().expect("has a reason")
}

const CASES: &[Case] = &[
    // Problem sanity.
    ("problem_duplicate_id", |p, _| p.workers.push(p.workers[0].clone())),
    ("problem_bad_date", |p, _| p.demands[1].start = "2024/05/02".into()),
    ("problem_unknown_id", |p, _| p.locked.push(Assignment::new("Z", "D1", "2024-05-01"))),
    // A previous entry naming someone taken out is no problem error, but a
    // person to call: it must be listed in dropped_previous.
    ("dropped_previous_missing", |p, _| p.previous.push(Assignment::new("Z", "D1", "2024-05-01"))),
    ("problem_bad_value", |p, _| p.demands[0].workers_per_day = 0),
    ("problem_duplicate_travel", |p, _| p.travel.push(travel("B", "F1", 6.0))),
    // Assignments.
    ("unknown_worker", |_, s| s.assignments[0].worker_id = "nobody".into()),
    ("unknown_demand", |_, s| s.assignments[0].demand_id = "nothing".into()),
    ("bad_date", |_, s| s.assignments[0].date = "2024-5-01".into()),
    ("wrong_farm", |_, s| s.assignments[0].farm_id = "F2".into()),
    ("wrong_distance", |_, s| s.assignments[1].distance_km += 1e-5),
    ("rule_1_unavailable", |p, _| p.workers[2].availability = days("2024-05-03", "2024-05-03")),
    ("rule_2_outside_demand", |_, s| s.assignments[4].date = "2024-05-03".into()),
    ("rule_3_slot_overfilled", |_, s| {
        s.assignments.insert(5, asg("G", "D2", "F2", "2024-05-02", 4.0))
    }),
    ("rule_4_double_booked", |_, s| {
        s.assignments.insert(4, asg("A", "D2", "F2", "2024-05-02", a_km()))
    }),
    ("duplicate_assignment", |_, s| s.assignments.insert(0, s.assignments[0].clone())),
    ("rule_5_too_far", |p, _| p.workers[1].max_travel_km = Some(4.0)),
    ("rule_6_missing_skill", |p, _| {
        p.workers[1].skills.insert("pruning".into(), 1);
    }),
    ("rule_7_excluded_farm", |p, _| p.workers[0].excluded_farms = vec!["F1".into()]),
    ("rule_8_max_days", |p, _| p.workers[0].max_days = Some(2)),
    ("rule_8_max_consecutive_days", |p, _| p.workers[0].max_consecutive_days = Some(2)),
    ("rule_9_crew_split", |p, _| p.workers[2].crew = Some("c1".into())),
    ("rule_10_locked_missing", |p, _| p.locked.push(Assignment::new("G", "D2", "2024-05-02"))),
    ("assignments_not_sorted", |_, s| s.assignments.swap(0, 2)),
    // Unfilled.
    ("unfilled_not_sorted", |_, s| s.unfilled.swap(0, 4)),
    ("unfilled_duplicate", |_, s| s.unfilled.push(s.unfilled[0].clone())),
    ("unfilled_not_a_slot", |_, s| s.unfilled[0].date = "2024-05-09".into()),
    ("unfilled_slot_full", |_, s| {
        s.unfilled.insert(2, unfilled("D2", "2024-05-02", 1, reason(ReasonCode::WorkerLimits)))
    }),
    ("unfilled_wrong_missing", |_, s| s.unfilled[3].missing = 2),
    ("unfilled_missing_slot", |_, s| {
        s.unfilled.remove(3);
    }),
    // Reasons.
    ("reason_missing", |_, s| s.unfilled[0].reason = None),
    ("reason_wrong_code", |_, s| reason_of(s, "D1").code = ReasonCode::TakenByOtherDemands),
    ("reason_wrong_code", |_, s| reason_of(s, "D5").code = ReasonCode::WorkerLimits),
    ("reason_unexpected_field", |_, s| reason_of(s, "D1").eligible = Some(2)),
    ("reason_wrong_nearest_km", |_, s| reason_of(s, "D3").nearest_km = Some(999.0)),
    ("reason_wrong_nearest_km", |_, s| reason_of(s, "D3").nearest_km = None),
    ("reason_wrong_skill_gap", |_, s| {
        reason_of(s, "D4").closest_skill_gap =
            Some([("driving".to_string(), SkillGap { needed: 2, best: 2 })].into_iter().collect())
    }),
    ("reason_wrong_skill_gap", |_, s| {
        reason_of(s, "D4").closest_skill_gap = Some(Default::default())
    }),
    ("reason_wrong_eligible", |_, s| reason_of(s, "D6").eligible = Some(3)),
    ("reason_wrong_taken_by", |_, s| reason_of(s, "D6").taken_by = Some(vec!["D2".into()])),
    ("reason_wrong_taken_by", |_, s| reason_of(s, "D6").taken_by = Some(vec![])),
    // A free, unblocked, eligible worker proves the fill improvable.
    ("optimal_claim_false", |p, _| p.workers[1].max_days = None),
    ("summary_bound_too_low", |p, _| p.workers[1].max_days = None),
    // Standby.
    ("standby_unexpected", |p, _| p.options.standby_per_slot = 0),
    ("standby_missing", |_, s| s.standby = None),
    ("standby_not_a_slot", |_, s| s.standby.as_mut().unwrap()[0].date = "2024-05-05".into()),
    ("standby_duplicate", |_, s| {
        let list = s.standby.as_mut().unwrap();
        list.push(list[0].clone());
    }),
    ("standby_not_sorted", |_, s| {
        s.standby.as_mut().unwrap().push(Standby {
            demand_id: "D1".into(),
            date: "2024-05-01".into(),
            workers: vec![],
        })
    }),
    ("standby_too_many", |p, s| {
        add_worker_h(p);
        s.standby.as_mut().unwrap()[0]
            .workers
            .insert(0, StandbyWorker { worker_id: "H".into(), distance_km: 2.0 });
    }),
    ("standby_duplicate_worker", |p, s| {
        p.options.standby_per_slot = 2;
        let list = &mut s.standby.as_mut().unwrap()[0].workers;
        list.push(list[0].clone());
    }),
    ("standby_assigned", |_, s| {
        s.standby.as_mut().unwrap()[0].workers[0] =
            StandbyWorker { worker_id: "C".into(), distance_km: 3.0 }
    }),
    ("standby_not_eligible", |p, _| p.workers[4].excluded_farms = vec!["F2".into()]),
    ("standby_not_nearest_first", |p, s| {
        add_worker_h(p);
        p.options.standby_per_slot = 2;
        s.standby.as_mut().unwrap()[0]
            .workers
            .push(StandbyWorker { worker_id: "H".into(), distance_km: 2.0 });
    }),
    ("standby_incomplete", |_, s| s.standby.as_mut().unwrap()[0].workers.clear()),
    ("standby_not_nearest", |p, _| add_worker_h(p)),
    // Dropped previous assignments.
    ("dropped_previous_missing", |_, s| s.dropped_previous.clear()),
    ("dropped_previous_extra", |_, s| {
        s.dropped_previous.push(Assignment::new("B", "D1", "2024-05-01"))
    }),
    // Summary.
    ("summary_mismatch", |_, s| s.summary.objective_km += 0.01),
    ("summary_mismatch", |_, s| s.summary.continuity_pairs = 2),
    ("summary_mismatch", |_, s| s.summary.shortage_imbalance = 4.0),
    ("summary_bound_below_fill", |_, s| s.summary.weighted_fill_bound = 15),
];

#[test]
fn each_mutation_provokes_its_code() {
    let mut failures = Vec::new();
    for (i, (code, mutate)) in CASES.iter().enumerate() {
        let (mut p, mut s) = (problem(), solution());
        mutate(&mut p, &mut s);
        let report = check(&p, &s);
        if report.ok || report.with_code(code).next().is_none() {
            failures.push(format!("case {i} ({code}): got {:#?}", report.violations));
        }
        // Messages are for people: no Rust `Some(..)` or `None` in them.
        for v in &report.violations {
            if v.message.contains("Some(") || v.message.contains("None") {
                failures.push(format!("case {i} ({code}): {:?}", v.message));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn small_float_noise_is_tolerated() {
    let mut s = solution();
    s.assignments[0].distance_km += 5e-7;
    s.summary.objective_km += 5e-7;
    s.summary.total_distance_km -= 5e-7;
    assert_eq!(check(&problem(), &s).violations, vec![]);
}

/// The tolerance grows with the larger value, so an infinite summary
/// figure once passed as close to anything (JSON cannot carry one, a
/// `Solution` built in code can).
#[test]
fn infinite_summary_figures_are_mismatches() {
    type Set = fn(&mut Summary, f64);
    let cases: [(&str, Set); 4] = [
        ("objective_km", |s, x| s.objective_km = x),
        ("total_distance_km", |s, x| s.total_distance_km = x),
        ("fill_rate", |s, x| s.fill_rate = x),
        ("shortage_imbalance", |s, x| s.shortage_imbalance = x),
    ];
    for (field, set) in cases {
        for x in [f64::INFINITY, f64::NEG_INFINITY] {
            let mut s = solution();
            set(&mut s.summary, x);
            let report = check(&problem(), &s);
            let paths: Vec<&str> =
                report.with_code("summary_mismatch").map(|v| v.path.as_str()).collect();
            assert_eq!(paths, [format!("summary.{field}")], "{field} = {x}");
        }
    }
}

#[test]
fn violation_paths_point_into_the_solution() {
    let (mut p, s) = (problem(), solution());
    p.workers[1].max_travel_km = Some(4.0);
    let report = check(&p, &s);
    let paths: Vec<&str> = report.with_code("rule_5_too_far").map(|v| v.path.as_str()).collect();
    assert_eq!(paths, ["assignments[1]", "assignments[3]"]);
}

#[test]
fn crew_mates_elsewhere_do_not_disqualify_a_stand_in() {
    // Standby asks for rules 1-8 only: G may stand in on D2 while crew mate
    // A works on D1 that date.
    let mut p = problem();
    p.workers[4].crew = Some("c1".into());
    assert_eq!(check(&p, &solution()).violations, vec![]);
}

#[test]
fn taken_by_is_empty_when_the_slot_holds_every_eligible_worker() {
    // With 3 a day on D1, its only eligible workers (A and B) are on the
    // slot itself on the 1st and 2nd: no one is free, so the code is
    // taken_by_other_demands, with eligible 2 and no other demand.
    let mut p = problem();
    p.demands[0].workers_per_day = 3;
    let mut taken = reason(ReasonCode::TakenByOtherDemands);
    taken.eligible = Some(2);
    taken.taken_by = Some(vec![]);
    let mut s = solution();
    s.unfilled.insert(0, unfilled("D1", "2024-05-01", 1, taken.clone()));
    s.unfilled.insert(3, unfilled("D1", "2024-05-02", 1, taken));
    s.unfilled[5].missing = 2;
    let reason_codes = |s: &Solution| -> Vec<String> {
        let report = check(&p, s);
        report
            .violations
            .into_iter()
            .filter(|v| v.code.starts_with("reason_"))
            .map(|v| v.code)
            .collect()
    };
    assert_eq!(reason_codes(&s), Vec::<String>::new());
    s.unfilled[0].reason.as_mut().unwrap().taken_by = Some(vec!["D2".into()]);
    assert_eq!(reason_codes(&s), ["reason_wrong_taken_by"]);
}

#[test]
fn reasons_are_skipped_above_the_budget() {
    // 10,001 workers x 5,000 unfilled slots is just above 50,000,000.
    let workers = (0..10_001)
        .map(|i| Worker::new(format!("W{i:05}"), HOME, days("2024-05-01", "2024-05-01")))
        .collect();
    let demands = (0..5_000)
        .map(|i| {
            Demand::new(
                format!("D{i:04}"),
                "F",
                Location::new(-45.0, 5.0),
                "2024-05-01",
                "2024-05-01",
                1,
            )
        })
        .collect();
    let mut p = Problem { workers, demands, ..Problem::default() };
    p.options.explain = false;
    let summary = Summary {
        workers: 10_001,
        demands: 5_000,
        slots: 5_000,
        worker_days_needed: 5_000,
        worker_days_filled: 0,
        fill_rate: 0.0,
        weighted_fill: 0,
        weighted_fill_bound: 0,
        total_distance_km: 0.0,
        shortage_imbalance: 5_000.0,
        continuity_pairs: 0,
        preferred_assignments: 0,
        previous_kept: 0,
        objective_km: 0.0,
        optimal: None,
        elapsed_ms: 0.0,
    };
    let s = Solution {
        assignments: vec![],
        unfilled: (0..5_000)
            .map(|i| Unfilled {
                demand_id: format!("D{i:04}"),
                date: "2024-05-01".into(),
                missing: 1,
                reason: None,
            })
            .collect(),
        standby: None,
        dropped_previous: vec![],
        summary,
        warnings: vec![],
    };
    let report = check(&p, &s);
    assert_eq!(report.violations, vec![]);
    assert!(!report.reasons_verified);
}
