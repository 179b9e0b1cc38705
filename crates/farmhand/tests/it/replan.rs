//! The morning workflow of `examples/replan/`: yesterday's plan comes back
//! as `previous`, what already happened and today's confirmed hands as
//! `locked`, two workers cancel and a farm adds a demand. The new plan keeps
//! every locked assignment and all of the old plan it can, and
//! `dropped_previous` names exactly the people to call.

use std::collections::BTreeSet;

use farmhand::{check, solve, Problem};

#[test]
fn morning_replan_keeps_the_plan_and_names_the_people_to_call() {
    let text = include_str!("../../../../examples/replan/tuesday.json");
    let problem = Problem::from_json(text).unwrap();
    let s = solve(&problem).unwrap();
    let report = check(&problem, &s);
    assert!(report.ok, "{:#?}", &report.violations[..report.violations.len().min(5)]);

    // Locked assignments stand (the checker verifies rule 10 too).
    let planned: BTreeSet<(&str, &str, &str)> = s
        .assignments
        .iter()
        .map(|a| (a.worker_id.as_str(), a.demand_id.as_str(), a.date.as_str()))
        .collect();
    for l in &problem.locked {
        assert!(planned.contains(&(l.worker_id.as_str(), l.demand_id.as_str(), l.date.as_str())));
    }

    let dropped: Vec<String> = s
        .dropped_previous
        .iter()
        .map(|a| format!("{} {} {}", a.date, a.worker_id, a.demand_id))
        .collect();
    // w-city-002 is ill from today on and w-city-017 is away on 7-8 May:
    // their own dates go. Three more people change to cover the gaps and
    // the new harvest at farm-003.
    let want = [
        "2026-05-05 w-city-002 d-004-pruning",
        "2026-05-06 w-city-002 d-004-pruning",
        "2026-05-07 w-city-002 d-004-pruning",
        "2026-05-07 w-city-017 d-012-packing",
        "2026-05-07 w-town2-005 d-015-planting",
        "2026-05-08 w-city-017 d-012-packing",
        "2026-05-08 w-city-002 d-016-weeding",
        "2026-05-11 w-city-002 d-001-planting",
        "2026-05-11 w-city-016 d-016-weeding",
        "2026-05-12 w-city-002 d-016-weeding",
        "2026-05-13 w-city-001 d-005-packing",
        "2026-05-13 w-city-017 d-009-planting",
        "2026-05-13 w-city-002 d-016-weeding",
        "2026-05-14 w-city-002 d-016-weeding",
        "2026-05-15 w-city-002 d-016-weeding",
    ];
    assert_eq!(dropped, want);
    // Everything else of the old plan is kept.
    assert_eq!(s.summary.previous_kept as usize, problem.previous.len() - want.len());
    // The new demand is staffed on every date.
    let harvest = s.assignments.iter().filter(|a| a.demand_id == "d-026-harvest").count();
    assert_eq!(harvest, 6);
}
