//! The independent checker: re-verifies a solution against the wire-format
//! problem, trusting nothing from the solver.
//!
//! It deliberately shares no code with validation, the model, the candidate
//! generator, the solver or the explainer: it has its own id maps, its own
//! strict date parsing and its own haversine, so that a bug in one of those
//! cannot hide itself. Every code it reports is listed in `docs/checker.md`.
//!
//! # How reasons are interpreted
//!
//! For an unfilled slot (demand `d`, date `t`), with distances as in rule 5
//! (override, else haversine) and the rule 5 comparison allowing
//! [`TOL_KM`]:
//!
//! * `R` = workers whose travel limit reaches `d` (rule 5), over all workers.
//! * `S` = workers of `R` with every required skill (rule 6).
//! * `E` = workers of `S` available on `t` (rule 1; rule 2 holds because the
//!   slot is in the demand's range). `E` is the set of **eligible** workers:
//!   rules 1, 2, 5 and 6 hold. Rule 7 (`excluded_farms`) is *not* part of
//!   eligibility, because the spec lists it among the things that rule
//!   eligible workers out.
//!
//! The code is the first that applies:
//!
//! 1. `no_worker_in_range` if `R` is empty. `nearest_km` is the distance to
//!    the nearest worker that has the skills (rule 6, ignoring range and
//!    availability), absent when no worker has them.
//! 2. `no_worker_with_skills` if `S` is empty. `closest_skill_gap` maps
//!    required skills to `{needed, best}`, `best` being the highest level of
//!    that skill among `R` (0 if none). Every required skill with
//!    `best < needed` must appear; skills without a gap may appear or not.
//! 3. `no_worker_available` if `E` is empty.
//! 4. **`worker_limits` if at least one eligible worker has no assignment at
//!    all on `t`** (so, in a solution that is optimal at level 1, something
//!    rules them out: `excluded_farms`, `max_days`, `max_consecutive_days` or
//!    a crew mate working elsewhere that date).
//! 5. **`taken_by_other_demands` otherwise: every eligible worker is assigned
//!    on `t`**, to another demand or to this very slot. `eligible` is `|E|`
//!    (including workers assigned to this slot); `taken_by` lists distinct
//!    other demands that took an eligible worker on `t`, as many as there
//!    are up to 5, in any order (the explainer is advised to list them by
//!    ascending id). It is empty when the only eligible workers are on this
//!    slot already.
//!
//! A field belonging to another code is reported as `reason_unexpected_field`.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::format::{
    Assignment, Location, Problem, Reason, ReasonCode, Solution, SolvedAssignment, Standby, Summary,
};

/// Mean Earth radius in km, as rule 5 of the spec fixes it.
pub const CHECK_EARTH_RADIUS_KM: f64 = 6371.0088;

/// Tolerance in km when comparing distances (and rule 5's limit).
pub const TOL_KM: f64 = 1e-6;

/// Above this many worker-slot pairs, unfilled reasons and the completeness
/// of standby lists are not verified (each costs a scan of the workers).
pub const VERIFY_BUDGET: u64 = 50_000_000;

/// One broken rule or wrong figure found by [`check`].
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// Stable code, e.g. `rule_5_too_far` or `summary_mismatch`.
    pub code: String,
    /// JSON path in the solution, e.g. `assignments[12]`.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

/// The checker's verdict.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    /// True when no violation was found.
    pub ok: bool,
    /// Every violation found.
    pub violations: Vec<Violation>,
    /// The summary recomputed from the assignments (absent when the problem
    /// itself is invalid). `elapsed_ms`, `optimal` and `weighted_fill_bound`
    /// are copied from the solution (the last is only checked to be at
    /// least the weighted fill).
    pub recomputed: Option<Summary>,
    /// True when every `unfilled[].reason` was recomputed and compared (and
    /// the level-1 improvement test run). False when that was skipped because
    /// workers x unfilled exceeds 50,000,000 or the problem is not sane.
    #[serde(default)]
    pub reasons_verified: bool,
    /// True when every standby list was checked to hold exactly the nearest
    /// eligible free workers (each listed worker is always checked). False
    /// when skipped because workers x slots exceeds 50,000,000 or the problem
    /// is not sane.
    #[serde(default)]
    pub standby_verified: bool,
}

impl CheckReport {
    /// The violations with this code.
    pub fn with_code<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a Violation> + 'a {
        self.violations.iter().filter(move |v| v.code == code)
    }
}

/// Re-verifies every hard rule and every summary figure of `solution`.
///
/// Never panics: ids that do not resolve and dates that do not parse are
/// reported, and whatever depends on them is skipped.
pub fn check(problem: &Problem, solution: &Solution) -> CheckReport {
    let mut out = Vec::new();
    // An exact repeat of a previous assignment counts once, as validation
    // says ("it is kept once") and the solver does.
    let previous = unique(&problem.previous);
    let ix = Index::build(problem, &previous, &mut out);
    let problem_sane = out.is_empty();

    let asg = check_assignments(&ix, solution, &mut out);
    check_locked(&ix, &asg, &mut out);
    // The level-1 improvement test needs a feasible solution to extend.
    let hard_ok = out.is_empty();
    check_assignment_order(&solution.assignments, &mut out);

    let fills = slot_fills(&ix, &asg);
    check_unfilled(&ix, &fills, solution, &mut out);
    let recomputed = problem_sane.then(|| recompute_summary(&ix, &asg, &fills, solution));
    let reasons_verified = problem_sane
        && verify_reasons(&ix, &asg, &fills, solution, recomputed.as_ref(), hard_ok, &mut out);
    let standby_verified = check_standby(&ix, &asg, solution, problem_sane, &mut out);
    check_dropped_previous(&previous, solution, &mut out);
    if let Some(summary) = &recomputed {
        compare_summary(summary, &solution.summary, &mut out);
    }
    // The bound must cover the fill actually achieved, not the one claimed.
    let fill = recomputed.as_ref().map_or(solution.summary.weighted_fill, |r| r.weighted_fill);
    if solution.summary.weighted_fill_bound < fill {
        push(
            &mut out,
            "summary_bound_below_fill",
            "summary.weighted_fill_bound".into(),
            format!(
                "weighted_fill_bound {} is below the weighted fill {fill}",
                solution.summary.weighted_fill_bound
            ),
        );
    }

    CheckReport {
        ok: out.is_empty(),
        violations: out,
        recomputed,
        reasons_verified,
        standby_verified,
    }
}

// ---------------------------------------------------------------------------
// Helpers shared by every part.

fn push(out: &mut Vec<Violation>, code: &str, path: String, message: String) {
    out.push(Violation { code: code.to_string(), path, message });
}

/// Parses a strict `YYYY-MM-DD` date into a day number (days from the
/// common era), refusing chrono's lenient forms such as `2024-5-1`.
fn parse_date(text: &str) -> Option<i32> {
    let b = text.as_bytes();
    let shape_ok = b.len() == 10
        && b.iter()
            .enumerate()
            .all(|(i, c)| if i == 4 || i == 7 { *c == b'-' } else { c.is_ascii_digit() });
    if !shape_ok {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().map(|d| d.num_days_from_ce())
}

fn day_string(day: i32) -> String {
    NaiveDate::from_num_days_from_ce_opt(day)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| format!("day {day}"))
}

/// Great-circle distance in km (the haversine formula on a sphere of
/// radius [`CHECK_EARTH_RADIUS_KM`]), written here rather than borrowed so
/// that the checker shares no distance code with the solver.
pub fn check_haversine_km(a: Location, b: Location) -> f64 {
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let half_dlat = (b.lat - a.lat).to_radians() / 2.0;
    let half_dlon = (b.lon - a.lon).to_radians() / 2.0;
    let h = half_dlat.sin().powi(2) + lat1.cos() * lat2.cos() * half_dlon.sin().powi(2);
    2.0 * CHECK_EARTH_RADIUS_KM * h.clamp(0.0, 1.0).sqrt().asin()
}

fn close_km(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOL_KM
}

fn close_float(a: f64, b: f64) -> bool {
    // The tolerance grows with the larger value, so an infinity would allow
    // any other; a non-finite value is close only to itself.
    if !a.is_finite() || !b.is_finite() {
        return a == b;
    }
    (a - b).abs() <= 1e-6 + 1e-9 * a.abs().max(b.abs())
}

// ---------------------------------------------------------------------------
// The checker's own view of the problem.

struct WorkerC<'a> {
    id: &'a str,
    location: Location,
    max_km: f64,
    skills: &'a std::collections::BTreeMap<String, i64>,
    /// Merged, sorted inclusive day ranges.
    available: Vec<(i32, i32)>,
    max_days: Option<i64>,
    max_consecutive: Option<i64>,
    excluded: HashSet<u32>,
    preferred: HashSet<u32>,
    crew: Option<u32>,
}

impl WorkerC<'_> {
    fn is_available(&self, day: i32) -> bool {
        let i = self.available.partition_point(|&(start, _)| start <= day);
        i > 0 && self.available[i - 1].1 >= day
    }
}

struct DemandC<'a> {
    id: &'a str,
    farm_id: &'a str,
    farm: u32,
    location: Location,
    /// Inclusive day range; `None` when a date does not parse.
    range: Option<(i32, i32)>,
    per_day: i64,
    priority: i64,
    required: &'a std::collections::BTreeMap<String, i64>,
}

impl DemandC<'_> {
    fn has_day(&self, day: i32) -> bool {
        self.range.is_some_and(|(s, e)| s <= day && day <= e)
    }
}

struct Index<'a> {
    workers: Vec<WorkerC<'a>>,
    demands: Vec<DemandC<'a>>,
    worker_of: HashMap<&'a str, u32>,
    demand_of: HashMap<&'a str, u32>,
    travel: HashMap<(u32, u32), f64>,
    options: &'a crate::format::Options,
    locked: &'a [crate::format::Assignment],
    previous: &'a [crate::format::Assignment],
}

impl<'a> Index<'a> {
    fn build(p: &'a Problem, previous: &'a [Assignment], out: &mut Vec<Violation>) -> Self {
        let mut farms: HashMap<&'a str, u32> = HashMap::new();
        let mut farm = |id: &'a str| {
            let n = farms.len() as u32;
            *farms.entry(id).or_insert(n)
        };
        let mut crews: HashMap<&'a str, u32> = HashMap::new();
        let o = &p.options;
        if !(o.default_max_travel_km.is_finite() && o.default_max_travel_km > 0.0) {
            push(
                out,
                "problem_bad_value",
                "problem.options.default_max_travel_km".into(),
                format!("must be finite and > 0, got {}", o.default_max_travel_km),
            );
        }
        for (name, v) in [
            ("continuity_bonus_km", o.continuity_bonus_km),
            ("preference_bonus_km", o.preference_bonus_km),
            ("stability_bonus_km", o.stability_bonus_km),
        ] {
            if !(v.is_finite() && v >= 0.0) {
                push(
                    out,
                    "problem_bad_value",
                    format!("problem.options.{name}"),
                    format!("must be finite and >= 0, got {v}"),
                );
            }
        }
        if !(0..=20).contains(&o.standby_per_slot) {
            push(
                out,
                "problem_bad_value",
                "problem.options.standby_per_slot".into(),
                format!("must be within 0..=20, got {}", o.standby_per_slot),
            );
        }

        let mut worker_of = HashMap::with_capacity(p.workers.len());
        let mut workers = Vec::with_capacity(p.workers.len());
        for (i, w) in p.workers.iter().enumerate() {
            let path = format!("problem.workers[{i}]");
            if worker_of.insert(w.id.as_str(), i as u32).is_some() {
                push(
                    out,
                    "problem_duplicate_id",
                    path.clone(),
                    format!("worker id {:?} repeats", w.id),
                );
            }
            check_location(w.location, &path, out);
            let max_km = w.max_travel_km.unwrap_or(o.default_max_travel_km);
            if !(max_km.is_finite() && max_km > 0.0) {
                push(
                    out,
                    "problem_bad_value",
                    format!("{path}.max_travel_km"),
                    format!("must be finite and > 0, got {max_km}"),
                );
            }
            if w.max_days.is_some_and(|m| m < 0) {
                push(out, "problem_bad_value", format!("{path}.max_days"), "must be >= 0".into());
            }
            if w.max_consecutive_days.is_some_and(|m| m < 1) {
                push(
                    out,
                    "problem_bad_value",
                    format!("{path}.max_consecutive_days"),
                    "must be >= 1".into(),
                );
            }
            let mut available = Vec::with_capacity(w.availability.len());
            for (k, r) in w.availability.iter().enumerate() {
                if let Some(range) =
                    parse_range(&r.start, &r.end, &format!("{path}.availability[{k}]"), out)
                {
                    available.push(range);
                }
            }
            available.sort_unstable();
            let mut merged: Vec<(i32, i32)> = Vec::with_capacity(available.len());
            for (s, e) in available {
                match merged.last_mut() {
                    Some(last) if s <= last.1.saturating_add(1) => last.1 = last.1.max(e),
                    _ => merged.push((s, e)),
                }
            }
            let crew = w.crew.as_deref().map(|c| {
                let n = crews.len() as u32;
                *crews.entry(c).or_insert(n)
            });
            workers.push(WorkerC {
                id: &w.id,
                location: w.location,
                max_km,
                skills: &w.skills,
                available: merged,
                max_days: w.max_days,
                max_consecutive: w.max_consecutive_days,
                excluded: w.excluded_farms.iter().map(|f| farm(f)).collect(),
                preferred: w.preferred_farms.iter().map(|f| farm(f)).collect(),
                crew,
            });
        }

        let mut demand_of = HashMap::with_capacity(p.demands.len());
        let mut demands = Vec::with_capacity(p.demands.len());
        for (i, d) in p.demands.iter().enumerate() {
            let path = format!("problem.demands[{i}]");
            if demand_of.insert(d.id.as_str(), i as u32).is_some() {
                push(
                    out,
                    "problem_duplicate_id",
                    path.clone(),
                    format!("demand id {:?} repeats", d.id),
                );
            }
            check_location(d.location, &path, out);
            if d.workers_per_day < 1 {
                push(
                    out,
                    "problem_bad_value",
                    format!("{path}.workers_per_day"),
                    format!("must be >= 1, got {}", d.workers_per_day),
                );
            }
            if !(1..=100).contains(&d.priority) {
                push(
                    out,
                    "problem_bad_value",
                    format!("{path}.priority"),
                    format!("must be within 1..=100, got {}", d.priority),
                );
            }
            demands.push(DemandC {
                id: &d.id,
                farm_id: &d.farm_id,
                farm: farm(&d.farm_id),
                location: d.location,
                range: parse_range(&d.start, &d.end, &path, out),
                per_day: d.workers_per_day.max(1),
                priority: d.priority,
                required: &d.required_skills,
            });
        }

        let mut travel = HashMap::with_capacity(p.travel.len());
        for (i, t) in p.travel.iter().enumerate() {
            let path = format!("problem.travel[{i}]");
            if !(t.km.is_finite() && t.km >= 0.0) {
                push(
                    out,
                    "problem_bad_value",
                    format!("{path}.km"),
                    format!("must be finite and >= 0, got {}", t.km),
                );
            }
            match worker_of.get(t.worker_id.as_str()) {
                None => push(
                    out,
                    "problem_unknown_id",
                    path,
                    format!("unknown worker {:?}", t.worker_id),
                ),
                Some(&w) => {
                    if travel.insert((w, farm(&t.farm_id)), t.km).is_some() {
                        push(
                            out,
                            "problem_duplicate_travel",
                            path,
                            format!("a second override for ({:?}, {:?})", t.worker_id, t.farm_id),
                        );
                    }
                }
            }
        }

        for (list, name) in [(&p.locked, "locked"), (&p.previous, "previous")] {
            for (i, a) in list.iter().enumerate() {
                let path = format!("problem.{name}[{i}]");
                // A previous entry may name a worker or demand since taken
                // out of the problem: it cannot be kept, and must be listed
                // in dropped_previous like any other entry not kept.
                let may_be_gone = name == "previous";
                if !may_be_gone && !worker_of.contains_key(a.worker_id.as_str()) {
                    push(
                        out,
                        "problem_unknown_id",
                        path.clone(),
                        format!("unknown worker {:?}", a.worker_id),
                    );
                }
                if !may_be_gone && !demand_of.contains_key(a.demand_id.as_str()) {
                    push(
                        out,
                        "problem_unknown_id",
                        path.clone(),
                        format!("unknown demand {:?}", a.demand_id),
                    );
                }
                if parse_date(&a.date).is_none() {
                    push(
                        out,
                        "problem_bad_date",
                        path,
                        format!("{:?} is not a YYYY-MM-DD date", a.date),
                    );
                }
            }
        }

        Index {
            workers,
            demands,
            worker_of,
            demand_of,
            travel,
            options: o,
            locked: &p.locked,
            previous,
        }
    }

    /// Rule 5 distance: the override for (worker, farm) if any, else haversine.
    fn distance(&self, w: u32, d: u32) -> f64 {
        let demand = &self.demands[d as usize];
        if !self.travel.is_empty() {
            if let Some(&km) = self.travel.get(&(w, demand.farm)) {
                return km;
            }
        }
        check_haversine_km(self.workers[w as usize].location, demand.location)
    }

    fn in_range(&self, w: u32, dist: f64) -> bool {
        dist <= self.workers[w as usize].max_km + TOL_KM
    }

    fn has_skills(&self, w: u32, d: u32) -> bool {
        let skills = self.workers[w as usize].skills;
        self.demands[d as usize]
            .required
            .iter()
            .all(|(s, &level)| skills.get(s).is_some_and(|&have| have >= level))
    }

    fn missing_skill(&self, w: u32, d: u32) -> Option<String> {
        let skills = self.workers[w as usize].skills;
        self.demands[d as usize].required.iter().find_map(|(s, &level)| {
            let have = skills.get(s).copied().unwrap_or(0);
            (have < level).then(|| format!("{s} needs level {level}, worker has {have}"))
        })
    }
}

fn check_location(l: Location, path: &str, out: &mut Vec<Violation>) {
    let ok = l.lat.is_finite() && l.lon.is_finite() && l.lat.abs() <= 90.0 && l.lon.abs() <= 180.0;
    if !ok {
        push(
            out,
            "problem_bad_value",
            format!("{path}.location"),
            format!(
                "coordinates must be finite, lat in [-90, 90], lon in [-180, 180], got ({}, {})",
                l.lat, l.lon
            ),
        );
    }
}

fn parse_range(start: &str, end: &str, path: &str, out: &mut Vec<Violation>) -> Option<(i32, i32)> {
    let s = parse_date(start);
    let e = parse_date(end);
    if s.is_none() {
        push(
            out,
            "problem_bad_date",
            format!("{path}.start"),
            format!("{start:?} is not a YYYY-MM-DD date"),
        );
    }
    if e.is_none() {
        push(
            out,
            "problem_bad_date",
            format!("{path}.end"),
            format!("{end:?} is not a YYYY-MM-DD date"),
        );
    }
    let (s, e) = (s?, e?);
    if s > e {
        push(
            out,
            "problem_bad_date",
            path.to_string(),
            format!("start {start} is after end {end}"),
        );
        return None;
    }
    Some((s, e))
}

// ---------------------------------------------------------------------------
// Assignments: rules 1-10 and order.

/// An assignment whose worker, demand and date all resolved.
#[derive(Clone, Copy)]
struct Resolved {
    worker: u32,
    demand: u32,
    day: i32,
    /// Index in `solution.assignments`.
    idx: usize,
    /// The checker's own distance.
    dist: f64,
}

/// What the later checks need to know about the assignments.
struct Assigned {
    resolved: Vec<Resolved>,
    /// (worker, day) -> demand of the first assignment that date.
    on_day: HashMap<(u32, i32), u32>,
    /// Per worker, sorted distinct assigned days.
    days: Vec<Vec<i32>>,
    /// (crew, day) -> (demand of the first member seen, split between demands).
    crew_day: HashMap<(u32, i32), (u32, bool)>,
}

fn check_assignments(ix: &Index<'_>, s: &Solution, out: &mut Vec<Violation>) -> Assigned {
    let mut resolved = Vec::with_capacity(s.assignments.len());
    for (i, a) in s.assignments.iter().enumerate() {
        if let Some(r) = check_one_assignment(ix, i, a, out) {
            resolved.push(r);
        }
    }

    // Rule 3: count per slot, reporting each assignment beyond the headcount.
    let mut per_slot: HashMap<(u32, i32), i64> = HashMap::with_capacity(resolved.len());
    for r in &resolved {
        let n = per_slot.entry((r.demand, r.day)).or_insert(0);
        *n += 1;
        let d = &ix.demands[r.demand as usize];
        if *n > d.per_day && d.has_day(r.day) {
            push(
                out,
                "rule_3_slot_overfilled",
                format!("assignments[{}]", r.idx),
                format!(
                    "demand {} on {} needs {} workers and gets at least {}",
                    d.id,
                    day_string(r.day),
                    d.per_day,
                    n
                ),
            );
        }
    }

    // Rule 4 and exact duplicates: sort by (worker, day, demand), then
    // rule 8 over each worker's distinct calendar days.
    let mut by_worker = resolved.clone();
    by_worker.sort_unstable_by_key(|r| (r.worker, r.day, r.demand, r.idx));
    let mut on_day = HashMap::with_capacity(by_worker.len());
    let mut days: Vec<Vec<i32>> = vec![Vec::new(); ix.workers.len()];
    for group in by_worker.chunk_by(|x, y| x.worker == y.worker) {
        // (day, index of its first assignment) for this worker.
        let mut distinct: Vec<(i32, usize)> = Vec::new();
        for (k, r) in group.iter().enumerate() {
            let same_day = k.checked_sub(1).map(|p| group[p]).filter(|p| p.day == r.day);
            match same_day {
                Some(p) if p.demand == r.demand => push(
                    out,
                    "duplicate_assignment",
                    format!("assignments[{}]", r.idx),
                    format!("repeats assignments[{}]", p.idx),
                ),
                Some(p) => push(
                    out,
                    "rule_4_double_booked",
                    format!("assignments[{}]", r.idx),
                    format!(
                        "worker {} already works on demand {} on {} (assignments[{}])",
                        ix.workers[r.worker as usize].id,
                        ix.demands[p.demand as usize].id,
                        day_string(r.day),
                        p.idx
                    ),
                ),
                None => {
                    on_day.insert((r.worker, r.day), r.demand);
                    distinct.push((r.day, r.idx));
                }
            }
        }
        let w = group[0].worker as usize;
        check_rule_8(&ix.workers[w], &distinct, out);
        days[w] = distinct.into_iter().map(|(day, _)| day).collect();
    }

    // Rule 9: crew members on the same date on the same demand.
    let mut crew_day: HashMap<(u32, i32), (u32, bool)> = HashMap::new();
    let mut crew_first: HashMap<(u32, i32), usize> = HashMap::new();
    for r in &resolved {
        let Some(crew) = ix.workers[r.worker as usize].crew else { continue };
        let entry = crew_day.entry((crew, r.day)).or_insert((r.demand, false));
        let first = *crew_first.entry((crew, r.day)).or_insert(r.idx);
        if entry.0 != r.demand {
            entry.1 = true;
            push(
                out,
                "rule_9_crew_split",
                format!("assignments[{}]", r.idx),
                format!(
                    "worker {} works on demand {} on {} while crew mates work on demand {} (assignments[{first}])",
                    ix.workers[r.worker as usize].id,
                    ix.demands[r.demand as usize].id,
                    day_string(r.day),
                    ix.demands[entry.0 as usize].id,
                ),
            );
        }
    }

    Assigned { resolved, on_day, days, crew_day }
}

/// Rule 8 for one worker, given their distinct days in order with the index
/// of an assignment on each.
fn check_rule_8(worker: &WorkerC<'_>, days: &[(i32, usize)], out: &mut Vec<Violation>) {
    if let Some(max) = worker.max_days {
        if days.len() as i64 > max {
            let (_, idx) = days[max.max(0) as usize];
            push(
                out,
                "rule_8_max_days",
                format!("assignments[{idx}]"),
                format!("worker {} works {} days, max_days is {max}", worker.id, days.len()),
            );
        }
    }
    if let Some(max) = worker.max_consecutive {
        let mut run = 0i64;
        for (k, &(day, idx)) in days.iter().enumerate() {
            run = if k > 0 && days[k - 1].0 + 1 == day { run + 1 } else { 1 };
            if run == max + 1 {
                push(
                    out,
                    "rule_8_max_consecutive_days",
                    format!("assignments[{idx}]"),
                    format!(
                        "worker {} works more than {max} days in a row up to {}",
                        worker.id,
                        day_string(day)
                    ),
                );
            }
        }
    }
}

fn check_one_assignment(
    ix: &Index<'_>,
    i: usize,
    a: &SolvedAssignment,
    out: &mut Vec<Violation>,
) -> Option<Resolved> {
    let path = format!("assignments[{i}]");
    let w = ix.worker_of.get(a.worker_id.as_str()).copied();
    let d = ix.demand_of.get(a.demand_id.as_str()).copied();
    let day = parse_date(&a.date);
    if w.is_none() {
        push(out, "unknown_worker", path.clone(), format!("no worker has id {:?}", a.worker_id));
    }
    if d.is_none() {
        push(out, "unknown_demand", path.clone(), format!("no demand has id {:?}", a.demand_id));
    }
    if day.is_none() {
        push(out, "bad_date", path.clone(), format!("{:?} is not a YYYY-MM-DD date", a.date));
    }
    if let Some(d) = d {
        let demand = &ix.demands[d as usize];
        if a.farm_id != demand.farm_id {
            push(
                out,
                "wrong_farm",
                path.clone(),
                format!(
                    "farm_id is {:?} but demand {} is on farm {:?}",
                    a.farm_id, demand.id, demand.farm_id
                ),
            );
        }
        if let Some(day) = day {
            if demand.range.is_some() && !demand.has_day(day) {
                push(
                    out,
                    "rule_2_outside_demand",
                    path.clone(),
                    format!("demand {} does not run on {}", demand.id, a.date),
                );
            }
        }
    }
    let (w, d, day) = (w?, d?, day?);
    let worker = &ix.workers[w as usize];
    let demand = &ix.demands[d as usize];
    let dist = ix.distance(w, d);
    if !(a.distance_km.is_finite() && close_km(a.distance_km, dist)) {
        push(
            out,
            "wrong_distance",
            path.clone(),
            format!("distance_km is {} but the distance is {dist}", a.distance_km),
        );
    }
    if !worker.is_available(day) {
        push(
            out,
            "rule_1_unavailable",
            path.clone(),
            format!("worker {} is not available on {}", worker.id, a.date),
        );
    }
    if !ix.in_range(w, dist) {
        push(
            out,
            "rule_5_too_far",
            path.clone(),
            format!(
                "{dist} km to demand {} exceeds the worker's limit of {} km",
                demand.id, worker.max_km
            ),
        );
    }
    if let Some(gap) = ix.missing_skill(w, d) {
        push(out, "rule_6_missing_skill", path.clone(), format!("demand {}: {gap}", demand.id));
    }
    if worker.excluded.contains(&demand.farm) {
        push(
            out,
            "rule_7_excluded_farm",
            path,
            format!("worker {} excludes farm {}", worker.id, demand.farm_id),
        );
    }
    Some(Resolved { worker: w, demand: d, day, idx: i, dist })
}

fn check_locked(ix: &Index<'_>, asg: &Assigned, out: &mut Vec<Violation>) {
    if ix.locked.is_empty() {
        return;
    }
    let present: HashSet<(u32, u32, i32)> =
        asg.resolved.iter().map(|r| (r.worker, r.demand, r.day)).collect();
    for (i, a) in ix.locked.iter().enumerate() {
        let key = (
            ix.worker_of.get(a.worker_id.as_str()),
            ix.demand_of.get(a.demand_id.as_str()),
            parse_date(&a.date),
        );
        // A locked entry that does not resolve is already a problem_* violation.
        if let (Some(&w), Some(&d), Some(day)) = key {
            if !present.contains(&(w, d, day)) {
                push(
                    out,
                    "rule_10_locked_missing",
                    "assignments".into(),
                    format!(
                        "locked[{i}] ({}, {}, {}) is not in the solution",
                        a.worker_id, a.demand_id, a.date
                    ),
                );
            }
        }
    }
}

fn check_assignment_order(list: &[SolvedAssignment], out: &mut Vec<Violation>) {
    fn key(a: &SolvedAssignment) -> (&str, &str, &str) {
        (a.date.as_str(), a.demand_id.as_str(), a.worker_id.as_str())
    }
    for (i, pair) in list.windows(2).enumerate() {
        if key(&pair[0]) > key(&pair[1]) {
            push(
                out,
                "assignments_not_sorted",
                format!("assignments[{}]", i + 1),
                "assignments must be sorted by (date, demand_id, worker_id)".into(),
            );
        }
    }
}

fn check_slot_order<'s>(
    keys: impl Iterator<Item = (&'s str, &'s str)>,
    list: &str,
    code: &str,
    out: &mut Vec<Violation>,
) {
    let mut prev: Option<(&str, &str)> = None;
    for (i, key) in keys.enumerate() {
        if prev.is_some_and(|p| p > key) {
            push(
                out,
                code,
                format!("{list}[{i}]"),
                format!("{list} must be sorted by (date, demand_id)"),
            );
        }
        prev = Some(key);
    }
}

// ---------------------------------------------------------------------------
// Slots and unfilled.

/// Assignments per slot (demand, day), for slots inside the demand's range.
type Fills = HashMap<(u32, i32), i64>;

fn slot_fills(ix: &Index<'_>, asg: &Assigned) -> Fills {
    let mut fills = Fills::with_capacity(asg.resolved.len() / 2 + 1);
    for r in &asg.resolved {
        if ix.demands[r.demand as usize].has_day(r.day) {
            *fills.entry((r.demand, r.day)).or_insert(0) += 1;
        }
    }
    fills
}

/// Resolves the (demand_id, date) of an unfilled or standby entry to a slot,
/// reporting why it does not.
fn resolve_slot(
    ix: &Index<'_>,
    demand_id: &str,
    date: &str,
    path: &str,
    not_a_slot: &str,
    out: &mut Vec<Violation>,
) -> Option<(u32, i32)> {
    let d = ix.demand_of.get(demand_id).copied();
    let day = parse_date(date);
    if d.is_none() {
        push(out, "unknown_demand", path.to_string(), format!("no demand has id {demand_id:?}"));
    }
    if day.is_none() {
        push(out, "bad_date", path.to_string(), format!("{date:?} is not a YYYY-MM-DD date"));
    }
    let (d, day) = (d?, day?);
    let demand = &ix.demands[d as usize];
    // A demand whose dates do not parse was reported with the problem.
    demand.range?;
    if !demand.has_day(day) {
        push(
            out,
            not_a_slot,
            path.to_string(),
            format!("demand {demand_id} does not run on {date}"),
        );
        return None;
    }
    Some((d, day))
}

fn check_unfilled(ix: &Index<'_>, fills: &Fills, s: &Solution, out: &mut Vec<Violation>) {
    check_slot_order(
        s.unfilled.iter().map(|u| (u.date.as_str(), u.demand_id.as_str())),
        "unfilled",
        "unfilled_not_sorted",
        out,
    );
    let mut seen: HashSet<(u32, i32)> = HashSet::with_capacity(s.unfilled.len());
    let mut listed_short = 0u64;
    for (i, u) in s.unfilled.iter().enumerate() {
        let path = format!("unfilled[{i}]");
        if ix.options.explain && u.reason.is_none() {
            push(
                out,
                "reason_missing",
                format!("{path}.reason"),
                "options.explain is true but no reason is given".into(),
            );
        }
        let Some((d, day)) =
            resolve_slot(ix, &u.demand_id, &u.date, &path, "unfilled_not_a_slot", out)
        else {
            continue;
        };
        if !seen.insert((d, day)) {
            push(
                out,
                "unfilled_duplicate",
                path,
                format!("slot ({}, {}) is listed twice", u.demand_id, u.date),
            );
            continue;
        }
        let per_day = ix.demands[d as usize].per_day;
        let filled = fills.get(&(d, day)).copied().unwrap_or(0);
        if filled >= per_day {
            push(
                out,
                "unfilled_slot_full",
                path,
                format!("slot ({}, {}) has {filled} of {per_day} workers", u.demand_id, u.date),
            );
            continue;
        }
        listed_short += 1;
        if u.missing != per_day - filled {
            push(
                out,
                "unfilled_wrong_missing",
                format!("{path}.missing"),
                format!("missing is {} but the slot has {filled} of {per_day} workers", u.missing),
            );
        }
    }

    // Count the short slots arithmetically; enumerate them only to name the
    // ones that are missing, so a right answer costs no pass over all slots.
    let n_slots: u64 =
        ix.demands.iter().filter_map(|d| d.range).map(|(s, e)| (e - s + 1) as u64).sum();
    let n_full =
        fills.iter().filter(|(k, &f)| f >= ix.demands[k.0 as usize].per_day).count() as u64;
    if listed_short == n_slots - n_full {
        return;
    }
    for (d, demand) in ix.demands.iter().enumerate() {
        let Some((start, end)) = demand.range else { continue };
        for day in start..=end {
            let filled = fills.get(&(d as u32, day)).copied().unwrap_or(0);
            if filled < demand.per_day && !seen.contains(&(d as u32, day)) {
                push(
                    out,
                    "unfilled_missing_slot",
                    "unfilled".into(),
                    format!(
                        "slot ({}, {}) has {filled} of {} workers but is not listed",
                        demand.id,
                        day_string(day),
                        demand.per_day
                    ),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Reasons.

/// The workers relevant to one demand whatever the date.
struct Pool {
    /// |R|: workers whose limit reaches the demand.
    n_reach: usize,
    /// S: workers in range with the skills, and their distance.
    skilled: Vec<(u32, f64)>,
    /// Nearest worker with the skills, in range or not.
    nearest_skilled_km: Option<f64>,
}

fn build_pool(ix: &Index<'_>, d: u32) -> Pool {
    let mut pool = Pool { n_reach: 0, skilled: Vec::new(), nearest_skilled_km: None };
    for w in 0..ix.workers.len() as u32 {
        let dist = ix.distance(w, d);
        let skilled = ix.has_skills(w, d);
        if skilled {
            pool.nearest_skilled_km =
                Some(pool.nearest_skilled_km.map_or(dist, |n: f64| n.min(dist)));
        }
        if ix.in_range(w, dist) {
            pool.n_reach += 1;
            if skilled {
                pool.skilled.push((w, dist));
            }
        }
    }
    pool
}

/// The highest level of each required skill among workers in range.
fn best_levels<'a>(ix: &Index<'a>, d: u32) -> HashMap<&'a str, i64> {
    let demand = &ix.demands[d as usize];
    let mut best: HashMap<&str, i64> = demand.required.keys().map(|k| (k.as_str(), 0)).collect();
    for (w, worker) in ix.workers.iter().enumerate() {
        if !ix.in_range(w as u32, ix.distance(w as u32, d)) {
            continue;
        }
        for (skill, level) in best.iter_mut() {
            if let Some(&have) = worker.skills.get(*skill) {
                *level = (*level).max(have);
            }
        }
    }
    best
}

/// What the checker finds for one short slot.
struct SlotView {
    code: ReasonCode,
    eligible: u64,
    taken_by: BTreeSet<u32>,
    /// An eligible, free worker that no rule rules out: adding them is
    /// feasible and raises the weighted fill.
    improvable: Option<u32>,
}

fn view_slot(ix: &Index<'_>, asg: &Assigned, pool: &Pool, d: u32, day: i32) -> SlotView {
    let mut view = SlotView {
        code: ReasonCode::NoWorkerInRange,
        eligible: 0,
        taken_by: BTreeSet::new(),
        improvable: None,
    };
    if pool.n_reach == 0 {
        return view;
    }
    view.code = ReasonCode::NoWorkerWithSkills;
    if pool.skilled.is_empty() {
        return view;
    }
    let mut any_free = false;
    for &(w, _) in &pool.skilled {
        if !ix.workers[w as usize].is_available(day) {
            continue;
        }
        view.eligible += 1;
        match asg.on_day.get(&(w, day)) {
            None => {
                any_free = true;
                if view.improvable.is_none() && blocker(ix, asg, w, d, day).is_none() {
                    view.improvable = Some(w);
                }
            }
            Some(&other) if other != d => {
                view.taken_by.insert(other);
            }
            Some(_) => {}
        }
    }
    view.code = if view.eligible == 0 {
        ReasonCode::NoWorkerAvailable
    } else if any_free {
        ReasonCode::WorkerLimits
    } else {
        ReasonCode::TakenByOtherDemands
    };
    view
}

/// What stops free worker `w` from joining slot (`d`, `day`) beyond rules
/// 1-6: rule 7, rule 8 or rule 9. `None` when nothing does.
fn blocker(ix: &Index<'_>, asg: &Assigned, w: u32, d: u32, day: i32) -> Option<&'static str> {
    let worker = &ix.workers[w as usize];
    if worker.excluded.contains(&ix.demands[d as usize].farm) {
        return Some("excluded_farms");
    }
    if let Some(limit) = rule_8_blocks(ix, asg, w, day) {
        return Some(limit);
    }
    let crew = worker.crew?;
    asg.crew_day
        .get(&(crew, day))
        .is_some_and(|&(other, split)| split || other != d)
        .then_some("crew")
}

/// Which rule 8 limit one more day on `day` would break for worker `w`.
fn rule_8_blocks(ix: &Index<'_>, asg: &Assigned, w: u32, day: i32) -> Option<&'static str> {
    let worker = &ix.workers[w as usize];
    let days = &asg.days[w as usize];
    if worker.max_days.is_some_and(|m| days.len() as i64 + 1 > m) {
        return Some("max_days");
    }
    let max = worker.max_consecutive?;
    let at = days.partition_point(|&x| x < day);
    let left = (0..at).rev().take_while(|&k| days[k] == day - (at - k) as i32).count();
    let right = (at..days.len()).take_while(|&k| days[k] == day + (k - at + 1) as i32).count();
    ((left + 1 + right) as i64 > max).then_some("max_consecutive_days")
}

fn verify_reasons(
    ix: &Index<'_>,
    asg: &Assigned,
    fills: &Fills,
    s: &Solution,
    recomputed: Option<&Summary>,
    hard_ok: bool,
    out: &mut Vec<Violation>,
) -> bool {
    // First listing of each short slot; the rest were reported already.
    let mut seen = HashSet::new();
    let mut slots: Vec<(u32, i32, usize)> = Vec::new();
    for (i, u) in s.unfilled.iter().enumerate() {
        let (Some(&d), Some(day)) = (ix.demand_of.get(u.demand_id.as_str()), parse_date(&u.date))
        else {
            continue;
        };
        let demand = &ix.demands[d as usize];
        let short = fills.get(&(d, day)).copied().unwrap_or(0) < demand.per_day;
        if demand.has_day(day) && short && seen.insert((d, day)) {
            slots.push((d, day, i));
        }
    }
    if ix.workers.len() as u64 * slots.len() as u64 > VERIFY_BUDGET {
        return false;
    }
    slots.sort_unstable();

    let mut best_gain: Option<(i64, usize, u32)> = None;
    let mut k = 0;
    while k < slots.len() {
        let d = slots[k].0;
        let group_end = k + slots[k..].iter().take_while(|x| x.0 == d).count();
        let pool = build_pool(ix, d);
        for &(_, day, i) in &slots[k..group_end] {
            let view = view_slot(ix, asg, &pool, d, day);
            if let Some(reason) = &s.unfilled[i].reason {
                compare_reason(ix, &pool, d, &view, reason, &format!("unfilled[{i}].reason"), out);
            }
            if let Some(w) = view.improvable {
                let gain = ix.demands[d as usize].priority;
                if best_gain.is_none_or(|(g, _, _)| gain > g) {
                    best_gain = Some((gain, i, w));
                }
            }
        }
        k = group_end;
    }

    // A free, eligible, unblocked worker on a short slot can be added to a
    // feasible solution: the optimum is then above this weighted fill.
    if let (true, Some((gain, i, w)), Some(summary)) = (hard_ok, best_gain, recomputed) {
        let u = &s.unfilled[i];
        let witness = format!(
            "worker {} is eligible, free and not ruled out for ({}, {}); adding them raises weighted_fill by {gain}",
            ix.workers[w as usize].id, u.demand_id, u.date
        );
        if s.summary.optimal == Some(true) {
            push(out, "optimal_claim_false", "summary.optimal".into(), witness.clone());
        }
        let improved = summary.weighted_fill + gain;
        if s.summary.weighted_fill_bound < improved {
            push(
                out,
                "summary_bound_too_low",
                "summary.weighted_fill_bound".into(),
                format!(
                    "{witness}, to {improved}, above weighted_fill_bound {}",
                    s.summary.weighted_fill_bound
                ),
            );
        }
    }
    true
}

fn compare_reason(
    ix: &Index<'_>,
    pool: &Pool,
    d: u32,
    view: &SlotView,
    reason: &Reason,
    path: &str,
    out: &mut Vec<Violation>,
) {
    if reason.code != view.code {
        push(
            out,
            "reason_wrong_code",
            format!("{path}.code"),
            format!(
                "code is {} but the checker finds {}",
                reason.code.as_str(),
                view.code.as_str()
            ),
        );
        return;
    }
    let allowed: &[&str] = match view.code {
        ReasonCode::NoWorkerInRange => &["nearest_km"],
        ReasonCode::NoWorkerWithSkills => &["closest_skill_gap"],
        ReasonCode::NoWorkerAvailable | ReasonCode::WorkerLimits => &[],
        ReasonCode::TakenByOtherDemands => &["eligible", "taken_by"],
    };
    let present = [
        ("nearest_km", reason.nearest_km.is_some()),
        ("closest_skill_gap", reason.closest_skill_gap.is_some()),
        ("eligible", reason.eligible.is_some()),
        ("taken_by", reason.taken_by.is_some()),
    ];
    for (field, is_present) in present {
        if is_present && !allowed.contains(&field) {
            push(
                out,
                "reason_unexpected_field",
                format!("{path}.{field}"),
                format!("{field} does not belong to code {}", view.code.as_str()),
            );
        }
    }

    match view.code {
        ReasonCode::NoWorkerInRange => {
            let ok = match (reason.nearest_km, pool.nearest_skilled_km) {
                (Some(given), Some(real)) => close_km(given, real),
                (None, None) => true,
                _ => false,
            };
            if !ok {
                push(
                    out,
                    "reason_wrong_nearest_km",
                    format!("{path}.nearest_km"),
                    format!(
                        "nearest_km is {} but {}",
                        given_or_missing(reason.nearest_km),
                        pool.nearest_skilled_km.map_or_else(
                            || "no worker has the skills".to_owned(),
                            |km| format!("the nearest worker with the skills is at {km} km")
                        )
                    ),
                );
            }
        }
        ReasonCode::NoWorkerWithSkills => {
            let best = best_levels(ix, d);
            let required = ix.demands[d as usize].required;
            let gaps = reason.closest_skill_gap.as_ref();
            let mut problems = Vec::new();
            for (skill, gap) in gaps.into_iter().flatten() {
                match (required.get(skill), best.get(skill.as_str())) {
                    (Some(&needed), Some(&b)) if gap.needed == needed && gap.best == b => {}
                    (Some(&needed), Some(&b)) => {
                        problems.push(format!("{skill}: expected needed {needed}, best {b}"))
                    }
                    _ => problems.push(format!("{skill} is not a required skill")),
                }
            }
            for (skill, &needed) in required {
                let b = best.get(skill.as_str()).copied().unwrap_or(0);
                if b < needed && !gaps.is_some_and(|g| g.contains_key(skill)) {
                    problems.push(format!("{skill} (needed {needed}, best {b}) is missing"));
                }
            }
            if !problems.is_empty() {
                push(
                    out,
                    "reason_wrong_skill_gap",
                    format!("{path}.closest_skill_gap"),
                    problems.join("; "),
                );
            }
        }
        ReasonCode::NoWorkerAvailable | ReasonCode::WorkerLimits => {}
        ReasonCode::TakenByOtherDemands => {
            if reason.eligible != Some(view.eligible) {
                push(
                    out,
                    "reason_wrong_eligible",
                    format!("{path}.eligible"),
                    format!(
                        "eligible is {} but {} workers are eligible",
                        given_or_missing(reason.eligible),
                        view.eligible
                    ),
                );
            }
            let given = reason.taken_by.as_deref().unwrap_or_default();
            let expected_len = view.taken_by.len().min(5);
            let mut distinct = HashSet::new();
            let all_real = given.iter().all(|id| {
                distinct.insert(id.as_str())
                    && ix.demand_of.get(id.as_str()).is_some_and(|d| view.taken_by.contains(d))
            });
            if reason.taken_by.is_none() || given.len() != expected_len || !all_real {
                let real: Vec<&str> =
                    view.taken_by.iter().take(5).map(|&d| ix.demands[d as usize].id).collect();
                push(
                    out,
                    "reason_wrong_taken_by",
                    format!("{path}.taken_by"),
                    format!(
                        "taken_by must list {expected_len} distinct demands that took an eligible worker that date (e.g. {real:?}), got {given:?}"
                    ),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Standby.

/// Per slot: the standby entry's index and its resolved workers with the
/// checker's distance.
type Listed = HashMap<(u32, i32), (usize, Vec<(u32, f64)>)>;

fn check_standby(
    ix: &Index<'_>,
    asg: &Assigned,
    s: &Solution,
    sane: bool,
    out: &mut Vec<Violation>,
) -> bool {
    let k = ix.options.standby_per_slot;
    let entries: &[Standby] = match (&s.standby, k > 0) {
        (None, false) => return sane,
        (Some(_), false) => {
            push(
                out,
                "standby_unexpected",
                "standby".into(),
                "standby must be absent when standby_per_slot is 0".into(),
            );
            return sane;
        }
        (None, true) => {
            push(
                out,
                "standby_missing",
                "standby".into(),
                format!("standby_per_slot is {k} but standby is absent"),
            );
            return false;
        }
        (Some(list), true) => list,
    };
    check_slot_order(
        entries.iter().map(|e| (e.date.as_str(), e.demand_id.as_str())),
        "standby",
        "standby_not_sorted",
        out,
    );

    // Listed workers per slot, with the checker's distance.
    let mut listed: Listed = HashMap::with_capacity(entries.len());
    for (i, e) in entries.iter().enumerate() {
        let path = format!("standby[{i}]");
        let Some((d, day)) =
            resolve_slot(ix, &e.demand_id, &e.date, &path, "standby_not_a_slot", out)
        else {
            continue;
        };
        if listed.contains_key(&(d, day)) {
            push(
                out,
                "standby_duplicate",
                path,
                format!("slot ({}, {}) is listed twice", e.demand_id, e.date),
            );
            continue;
        }
        if e.workers.len() as i64 > k {
            push(
                out,
                "standby_too_many",
                format!("{path}.workers"),
                format!("{} workers listed, standby_per_slot is {k}", e.workers.len()),
            );
        }
        let mut mine = Vec::with_capacity(e.workers.len());
        let mut prev_km = f64::NEG_INFINITY;
        for (j, sw) in e.workers.iter().enumerate() {
            let wpath = format!("{path}.workers[{j}]");
            let Some(&w) = ix.worker_of.get(sw.worker_id.as_str()) else {
                push(out, "unknown_worker", wpath, format!("no worker has id {:?}", sw.worker_id));
                continue;
            };
            if mine.iter().any(|&(x, _)| x == w) {
                push(
                    out,
                    "standby_duplicate_worker",
                    wpath,
                    format!("worker {} is listed twice", sw.worker_id),
                );
                continue;
            }
            let dist = ix.distance(w, d);
            if !(sw.distance_km.is_finite() && close_km(sw.distance_km, dist)) {
                push(
                    out,
                    "wrong_distance",
                    wpath.clone(),
                    format!("distance_km is {} but the distance is {dist}", sw.distance_km),
                );
            }
            if dist < prev_km - TOL_KM {
                push(
                    out,
                    "standby_not_nearest_first",
                    wpath.clone(),
                    format!("{dist} km comes after {prev_km} km"),
                );
            }
            prev_km = prev_km.max(dist);
            if asg.on_day.contains_key(&(w, day)) {
                push(
                    out,
                    "standby_assigned",
                    wpath.clone(),
                    format!("worker {} has an assignment on {}", sw.worker_id, e.date),
                );
            }
            if let Some(why) = standby_ineligible(ix, asg, w, d, day, dist) {
                push(out, "standby_not_eligible", wpath, format!("worker {}: {why}", sw.worker_id));
            }
            mine.push((w, dist));
        }
        listed.insert((d, day), (i, mine));
    }

    // Completeness: each slot lists min(k, candidates) workers, and none
    // left out is nearer than one listed.
    let n_slots: u64 =
        ix.demands.iter().filter_map(|d| d.range).map(|(s, e)| (e - s + 1) as u64).sum();
    if !sane || ix.workers.len() as u64 * n_slots > VERIFY_BUDGET {
        return false;
    }
    for (d, demand) in ix.demands.iter().enumerate() {
        let d = d as u32;
        let Some((start, end)) = demand.range else { continue };
        let pool: Vec<(u32, f64)> = (0..ix.workers.len() as u32)
            .map(|w| (w, ix.distance(w, d)))
            .filter(|&(w, dist)| {
                ix.in_range(w, dist)
                    && ix.has_skills(w, d)
                    && !ix.workers[w as usize].excluded.contains(&demand.farm)
            })
            .collect();
        for day in start..=end {
            let (path, mine) = match listed.get(&(d, day)) {
                Some((i, mine)) => (format!("standby[{i}]"), mine.as_slice()),
                None => ("standby".to_string(), &[][..]),
            };
            let mut n_candidates = 0i64;
            let mut nearest_left_out = f64::INFINITY;
            for &(w, dist) in &pool {
                // The pool already holds rules 5, 6 and 7; crews (rule 9) do
                // not stop a stand-in.
                let eligible = ix.workers[w as usize].is_available(day)
                    && !asg.on_day.contains_key(&(w, day))
                    && rule_8_blocks(ix, asg, w, day).is_none();
                if !eligible {
                    continue;
                }
                n_candidates += 1;
                if !mine.iter().any(|&(x, _)| x == w) {
                    nearest_left_out = nearest_left_out.min(dist);
                }
            }
            let want = n_candidates.min(k);
            if (mine.len() as i64) < want {
                push(
                    out,
                    "standby_incomplete",
                    path.clone(),
                    format!(
                        "slot ({}, {}) lists {} stand-ins, {want} are eligible",
                        demand.id,
                        day_string(day),
                        mine.len()
                    ),
                );
            }
            let farthest = mine.iter().map(|&(_, km)| km).fold(f64::NEG_INFINITY, f64::max);
            if farthest > nearest_left_out + TOL_KM {
                push(
                    out,
                    "standby_not_nearest",
                    path,
                    format!("an eligible worker at {nearest_left_out} km is left out while one at {farthest} km is listed"),
                );
            }
        }
    }
    true
}

/// Why `w` may not stand in for slot (`d`, `day`) under rules 1-8 (rule 2
/// holds for any slot), or `None`.
fn standby_ineligible(
    ix: &Index<'_>,
    asg: &Assigned,
    w: u32,
    d: u32,
    day: i32,
    dist: f64,
) -> Option<String> {
    let worker = &ix.workers[w as usize];
    if !worker.is_available(day) {
        return Some("not available that date (rule 1)".into());
    }
    if !ix.in_range(w, dist) {
        return Some(format!("{dist} km exceeds the limit of {} km (rule 5)", worker.max_km));
    }
    if let Some(gap) = ix.missing_skill(w, d) {
        return Some(format!("{gap} (rule 6)"));
    }
    if worker.excluded.contains(&ix.demands[d as usize].farm) {
        return Some("excludes the farm (rule 7)".into());
    }
    rule_8_blocks(ix, asg, w, day).map(|limit| format!("one more day breaks {limit} (rule 8)"))
}

// ---------------------------------------------------------------------------
// Dropped previous assignments.

/// `previous` with each exact repeat left out, in order.
fn unique(previous: &[Assignment]) -> std::borrow::Cow<'_, [Assignment]> {
    let mut seen = HashSet::with_capacity(previous.len());
    if previous.iter().all(|a| seen.insert(a)) {
        return std::borrow::Cow::Borrowed(previous);
    }
    seen.clear();
    std::borrow::Cow::Owned(previous.iter().filter(|a| seen.insert(*a)).cloned().collect())
}

fn check_dropped_previous(previous: &[Assignment], s: &Solution, out: &mut Vec<Violation>) {
    if previous.is_empty() {
        for (i, _) in s.dropped_previous.iter().enumerate() {
            push(
                out,
                "dropped_previous_extra",
                format!("dropped_previous[{i}]"),
                "the problem has no previous assignments".into(),
            );
        }
        return;
    }
    let kept: HashSet<(&str, &str, &str)> = s
        .assignments
        .iter()
        .map(|a| (a.worker_id.as_str(), a.demand_id.as_str(), a.date.as_str()))
        .collect();
    let mut owed: HashMap<(&str, &str, &str), usize> = HashMap::new();
    for a in previous {
        let key = (a.worker_id.as_str(), a.demand_id.as_str(), a.date.as_str());
        if !kept.contains(&key) {
            *owed.entry(key).or_insert(0) += 1;
        }
    }
    for (i, a) in s.dropped_previous.iter().enumerate() {
        let key = (a.worker_id.as_str(), a.demand_id.as_str(), a.date.as_str());
        match owed.get_mut(&key) {
            Some(n) if *n > 0 => *n -= 1,
            _ => {
                let why = if kept.contains(&key) {
                    "is kept in assignments"
                } else {
                    "is not a previous assignment (or is listed too often)"
                };
                push(
                    out,
                    "dropped_previous_extra",
                    format!("dropped_previous[{i}]"),
                    format!("({}, {}, {}) {why}", a.worker_id, a.demand_id, a.date),
                );
            }
        }
    }
    let mut missing: Vec<_> = owed.into_iter().filter(|(_, n)| *n > 0).collect();
    missing.sort_unstable();
    for ((w, d, date), n) in missing {
        push(
            out,
            "dropped_previous_missing",
            "dropped_previous".into(),
            format!(
                "previous assignment ({w}, {d}, {date}) is not kept and not listed ({n} time(s))"
            ),
        );
    }
}

// ---------------------------------------------------------------------------
// Summary.

fn recompute_summary(ix: &Index<'_>, asg: &Assigned, fills: &Fills, s: &Solution) -> Summary {
    let o = ix.options;
    let mut slots = 0u64;
    let mut needed = 0u64;
    for d in &ix.demands {
        if let Some((start, end)) = d.range {
            let days = (end - start + 1) as u64;
            slots += days;
            needed = needed.saturating_add(days.saturating_mul(d.per_day as u64));
        }
    }

    // Level 2 per demand in exact integers: sum of (needed - filled)^2 over
    // its slots, divided once by workers_per_day.
    let mut squares: Vec<i128> = ix
        .demands
        .iter()
        .map(|d| {
            d.range.map_or(0, |(s, e)| {
                i128::from(e - s + 1) * i128::from(d.per_day) * i128::from(d.per_day)
            })
        })
        .collect();
    for (&(d, _), &filled) in fills {
        let per_day = i128::from(ix.demands[d as usize].per_day);
        let short = (per_day - i128::from(filled)).max(0);
        squares[d as usize] += short * short - per_day * per_day;
    }
    let shortage_imbalance: f64 =
        squares.iter().zip(&ix.demands).map(|(&sq, d)| sq as f64 / d.per_day as f64).sum();

    let mut weighted_fill = 0i64;
    let mut total_distance_km = 0.0;
    let mut preferred = 0u64;
    for r in &asg.resolved {
        let demand = &ix.demands[r.demand as usize];
        weighted_fill = weighted_fill.saturating_add(demand.priority);
        total_distance_km += r.dist;
        if ix.workers[r.worker as usize].preferred.contains(&demand.farm) {
            preferred += 1;
        }
    }

    let mut triples: Vec<(u32, u32, i32)> =
        asg.resolved.iter().map(|r| (r.worker, r.demand, r.day)).collect();
    triples.sort_unstable();
    triples.dedup();
    let continuity_pairs = triples
        .windows(2)
        .filter(|p| p[0].0 == p[1].0 && p[0].1 == p[1].1 && p[0].2 + 1 == p[1].2)
        .count() as u64;

    let kept: HashSet<(&str, &str, &str)> = if ix.previous.is_empty() {
        HashSet::new()
    } else {
        s.assignments
            .iter()
            .map(|a| (a.worker_id.as_str(), a.demand_id.as_str(), a.date.as_str()))
            .collect()
    };
    let previous_kept = ix
        .previous
        .iter()
        .filter(|a| kept.contains(&(a.worker_id.as_str(), a.demand_id.as_str(), a.date.as_str())))
        .count() as u64;

    let filled = s.assignments.len() as u64;
    Summary {
        workers: ix.workers.len() as u64,
        demands: ix.demands.len() as u64,
        slots,
        worker_days_needed: needed,
        worker_days_filled: filled,
        fill_rate: if needed == 0 { 1.0 } else { filled as f64 / needed as f64 },
        weighted_fill,
        weighted_fill_bound: s.summary.weighted_fill_bound,
        total_distance_km,
        shortage_imbalance,
        continuity_pairs,
        preferred_assignments: preferred,
        previous_kept,
        objective_km: total_distance_km
            - o.preference_bonus_km * preferred as f64
            - o.stability_bonus_km * previous_kept as f64
            - o.continuity_bonus_km * continuity_pairs as f64,
        optimal: s.summary.optimal,
        elapsed_ms: s.summary.elapsed_ms,
    }
}

fn compare_summary(real: &Summary, given: &Summary, out: &mut Vec<Violation>) {
    let ints = [
        ("workers", real.workers as i128, given.workers as i128),
        ("demands", real.demands as i128, given.demands as i128),
        ("slots", real.slots as i128, given.slots as i128),
        ("worker_days_needed", real.worker_days_needed as i128, given.worker_days_needed as i128),
        ("worker_days_filled", real.worker_days_filled as i128, given.worker_days_filled as i128),
        ("weighted_fill", real.weighted_fill as i128, given.weighted_fill as i128),
        ("continuity_pairs", real.continuity_pairs as i128, given.continuity_pairs as i128),
        (
            "preferred_assignments",
            real.preferred_assignments as i128,
            given.preferred_assignments as i128,
        ),
        ("previous_kept", real.previous_kept as i128, given.previous_kept as i128),
    ];
    for (field, r, g) in ints {
        if r != g {
            push(
                out,
                "summary_mismatch",
                format!("summary.{field}"),
                format!("{field} is {g}, recomputed {r}"),
            );
        }
    }
    let floats = [
        ("fill_rate", real.fill_rate, given.fill_rate),
        ("total_distance_km", real.total_distance_km, given.total_distance_km),
        ("shortage_imbalance", real.shortage_imbalance, given.shortage_imbalance),
        ("objective_km", real.objective_km, given.objective_km),
    ];
    for (field, r, g) in floats {
        if !close_float(r, g) {
            push(
                out,
                "summary_mismatch",
                format!("summary.{field}"),
                format!("{field} is {g}, recomputed {r}"),
            );
        }
    }
}

/// A value a solution gives, or "missing" where it gives none (never
/// Rust's `Some(..)`/`None` in a message for a person).
fn given_or_missing<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or_else(|| "missing".to_owned(), |v| v.to_string())
}
