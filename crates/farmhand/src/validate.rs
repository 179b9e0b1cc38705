//! Validation: the one door from the wire format to the solver's model.
//!
//! [`validate`] walks the whole problem once and collects *every* problem it
//! finds, each with its JSON path, a stable code (listed in `docs/errors.md`)
//! and a message that says how to fix it. It never panics on user input.
//!
//! The work is done in sections that mirror the JSON (options, workers,
//! demands, travel, locked, previous). Each section checks its own fields and
//! keeps the values it could parse, so later sections can check references
//! and the hard rules of locked assignments without re-parsing, and so a bad
//! value is reported once rather than again by every check that reads it.
//! The [`Instance`] is built only when no error was found.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::format::{Assignment, Location, Problem, Worker};
use crate::geo_util::haversine_km;
use crate::model::{DaySet, DemandM, Fixed, Instance, WorkerM};

/// One problem (or warning) found in the input.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// JSON path of the offending value, e.g. `workers[3].location.lat`.
    pub path: String,
    /// Stable machine-readable code, e.g. `coordinate_out_of_range`.
    pub code: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} [{}]", self.path, self.message, self.code)
    }
}

/// An invalid problem: every issue found, in input order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid problem: {} issue(s); first: {}", .issues.len(), .issues.first().map(|i| i.to_string()).unwrap_or_default())]
pub struct ValidationError {
    /// Every issue found (never empty).
    pub issues: Vec<Issue>,
    /// Warnings found alongside (suspicious but legal input).
    pub warnings: Vec<Issue>,
}

/// Checks a problem against the spec and builds the solver's model.
///
/// Returns every issue found, or an [`Instance`] whose
/// [`warnings`](Instance::warnings) list suspicious but legal input.
pub fn validate(problem: &Problem) -> Result<Instance, ValidationError> {
    let mut report = Report::default();
    let default_max_km = check_options(problem, &mut report);
    let workers = check_workers(problem, default_max_km, &mut report);
    let demands = check_demands(problem, &mut report);
    let horizon = check_horizon(problem, &demands, &mut report);
    let travel = check_travel(problem, &workers, &demands, &mut report);
    let ctx = Ctx { problem, workers: &workers, demands: &demands, travel: &travel };
    let (locked, locked_on) = check_locked(&ctx, &mut report);
    let previous = check_previous(&ctx, &locked_on, &mut report);
    warn_workers(problem, &workers, &demands, horizon, &mut report);
    warn_demand_skills(problem, &mut report);
    let warnings = report.finish()?;
    Ok(build(&ctx, horizon, &locked, &previous, warnings))
}

/// Longest horizon accepted, in days (about ten years). The model keeps one
/// bitset over the horizon per worker, so an absurd span (a typo such as
/// `2206` for `2026`) would otherwise exhaust memory instead of being reported.
const MAX_HORIZON_DAYS: i64 = 3660;

/// Largest `workers_per_day` accepted. The spec sets no upper bound; this one
/// keeps every headcount sum far from overflow and catches typos.
const MAX_WORKERS_PER_DAY: i64 = 1_000_000;

/// Largest bonus or travel override accepted, in km (25 times round the
/// Earth). The spec sets no upper bound; this one keeps every sum of the
/// objective finite (two bonuses of 1e308 km made `objective_km` infinite,
/// which JSON writes as null) and catches typos.
const MAX_KM: f64 = 1_000_000.0;

/// A number as a message shows it: as written for everyday sizes, in
/// exponent form past them, so that 1e308 is not 309 digits.
struct Num(f64);

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.0;
        if v.is_finite() && v != 0.0 && !(1e-6..1e15).contains(&v.abs()) {
            write!(f, "{v:e}")
        } else {
            write!(f, "{v}")
        }
    }
}

/// A distance beyond a limit, to one decimal where that shows it is
/// beyond (31.2 beyond 30), to as many as it takes otherwise (30.04 beyond
/// 30, not 30.0), and in full when even six do not.
struct Beyond(f64, f64);

impl std::fmt::Display for Beyond {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Beyond(km, limit) = *self;
        for decimals in 1..=6 {
            let text = format!("{km:.decimals$}");
            if text.parse::<f64>().is_ok_and(|shown| shown > limit) {
                return f.write_str(&text);
            }
        }
        write!(f, "{}", Num(km))
    }
}

/// Ids, farm ids and crew names are 1..=128 characters.
const MAX_ID_CHARS: usize = 128;

/// Declares the issue codes once: the enum, its strings and the full list
/// (which the documentation test walks), so a code cannot be used without
/// being listed.
macro_rules! codes {
    ($( $severity:ident $variant:ident = $text:literal, )*) => {
        /// A stable issue code; see `docs/errors.md`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        enum Code { $( $variant, )* }

        impl Code {
            #[cfg(test)]
            const ALL: &'static [Code] = &[$( Code::$variant, )*];

            fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $text, )* }
            }

            fn severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$severity, )* }
            }
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Severity {
    Error,
    Warning,
}

codes! {
    Error EmptyId = "empty_id",
    Error IdTooLong = "id_too_long",
    Error DuplicateId = "duplicate_id",
    Error InvalidDate = "invalid_date",
    Error StartAfterEnd = "start_after_end",
    Error HorizonTooLong = "horizon_too_long",
    Error CoordinateOutOfRange = "coordinate_out_of_range",
    Error InvalidTravelLimit = "invalid_travel_limit",
    Error SkillLevelOutOfRange = "skill_level_out_of_range",
    Error InvalidWorkersPerDay = "invalid_workers_per_day",
    Error PriorityOutOfRange = "priority_out_of_range",
    Error InvalidMaxDays = "invalid_max_days",
    Error InvalidMaxConsecutiveDays = "invalid_max_consecutive_days",
    Error UnknownWorker = "unknown_worker",
    Error UnknownDemand = "unknown_demand",
    Error UnknownFarm = "unknown_farm",
    Error InvalidTravelKm = "invalid_travel_km",
    Error DuplicateTravel = "duplicate_travel",
    Error OptionOutOfRange = "option_out_of_range",
    Error LockedWorkerUnavailable = "locked_worker_unavailable",
    Error LockedOutsideDemandDates = "locked_outside_demand_dates",
    Error LockedOverCapacity = "locked_over_capacity",
    Error LockedDoubleBooked = "locked_double_booked",
    Error LockedTooFar = "locked_too_far",
    Error LockedMissingSkills = "locked_missing_skills",
    Error LockedExcludedFarm = "locked_excluded_farm",
    Error LockedMaxDays = "locked_max_days",
    Error LockedMaxConsecutiveDays = "locked_max_consecutive_days",
    Error LockedCrewSplit = "locked_crew_split",
    Warning DuplicateLocked = "duplicate_locked",
    Warning DuplicatePrevious = "duplicate_previous",
    Warning PreviousNotKeepable = "previous_not_keepable",
    Warning PreviousUnknownId = "previous_unknown_id",
    Warning EmptyAvailability = "empty_availability",
    Warning NoAvailabilityInHorizon = "no_availability_in_horizon",
    Warning RequiredSkillUnmatched = "required_skill_unmatched",
    Warning FarmNotInDemands = "farm_not_in_demands",
    Warning EmptySkillName = "empty_skill_name",
    Warning PreferredAndExcluded = "preferred_and_excluded",
}

/// Collects errors and warnings as the sections find them.
#[derive(Default)]
struct Report {
    issues: Vec<Issue>,
    warnings: Vec<Issue>,
}

impl Report {
    fn push(&mut self, code: Code, path: String, message: String) {
        let issue = Issue { path, code: code.as_str().to_owned(), message };
        match code.severity() {
            Severity::Error => self.issues.push(issue),
            Severity::Warning => self.warnings.push(issue),
        }
    }

    /// Sorts both lists into input order (sections run in an order that
    /// suits the checks, not the JSON) and returns the warnings, or
    /// everything when there is an error.
    fn finish(mut self) -> Result<Vec<Issue>, ValidationError> {
        // The sort is stable, so issues of one entry keep the order in which
        // they were found.
        self.issues.sort_by_cached_key(|i| input_order(&i.path));
        self.warnings.sort_by_cached_key(|i| input_order(&i.path));
        if self.issues.is_empty() {
            Ok(self.warnings)
        } else {
            Err(ValidationError { issues: self.issues, warnings: self.warnings })
        }
    }
}

/// (section in JSON order, index in the section) of a path.
fn input_order(path: &str) -> (u8, usize) {
    let section = path.split(['[', '.']).next().unwrap_or("");
    let rank = match section {
        "workers" => 0,
        "demands" => 1,
        "locked" => 2,
        "previous" => 3,
        "travel" => 4,
        "options" => 5,
        _ => 6,
    };
    let index = path
        .strip_prefix(section)
        .and_then(|rest| rest.strip_prefix('['))
        .and_then(|rest| rest.split(']').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    (rank, index)
}

// ---------------------------------------------------------------------------
// Sections. Each checks its fields and returns what it could parse.
// ---------------------------------------------------------------------------

/// Checks `options`; returns the default travel limit when it is valid.
fn check_options(problem: &Problem, report: &mut Report) -> Option<f64> {
    let o = &problem.options;
    let km = o.default_max_travel_km;
    let default_ok = km.is_finite() && km > 0.0;
    if !default_ok {
        report.push(
            Code::OptionOutOfRange,
            "options.default_max_travel_km".into(),
            format!("must be a finite number of km > 0, got {}; the spec's default is 30", Num(km)),
        );
    }
    for (name, value) in [
        ("continuity_bonus_km", o.continuity_bonus_km),
        ("preference_bonus_km", o.preference_bonus_km),
        ("stability_bonus_km", o.stability_bonus_km),
    ] {
        if !(0.0..=MAX_KM).contains(&value) {
            report.push(
                Code::OptionOutOfRange,
                format!("options.{name}"),
                format!(
                    "must be a number of km within [0, {MAX_KM}], got {}; use 0 to turn it off",
                    Num(value)
                ),
            );
        }
    }
    if !(0..=20).contains(&o.standby_per_slot) {
        report.push(
            Code::OptionOutOfRange,
            "options.standby_per_slot".into(),
            format!("must be within [0, 20], got {}", o.standby_per_slot),
        );
    }
    if let Some(ms) = o.time_limit_ms {
        if ms < 1 {
            report.push(
                Code::OptionOutOfRange,
                "options.time_limit_ms".into(),
                format!("must be at least 1 (milliseconds), got {ms}; leave it out for no limit"),
            );
        }
    }
    default_ok.then_some(km)
}

/// What the worker section could parse of one worker.
struct ParsedWorker {
    location_ok: bool,
    /// Own limit or the default; `None` when either is invalid.
    max_km: Option<f64>,
    /// The availability ranges that parsed, with `start <= end`.
    ranges: Vec<(NaiveDate, NaiveDate)>,
    /// True when every availability range parsed.
    ranges_ok: bool,
    skills_ok: bool,
    /// Saturated to `u32`; `None` when absent or invalid.
    max_days: Option<u32>,
    max_consecutive: Option<u32>,
}

struct Workers<'a> {
    /// Worker id to index of its first occurrence.
    by_id: HashMap<&'a str, u32>,
    parsed: Vec<ParsedWorker>,
}

fn check_workers<'a>(
    problem: &'a Problem,
    default_max_km: Option<f64>,
    report: &mut Report,
) -> Workers<'a> {
    let mut by_id: HashMap<&str, u32> = HashMap::with_capacity(problem.workers.len());
    let mut parsed = Vec::with_capacity(problem.workers.len());
    for (i, w) in problem.workers.iter().enumerate() {
        let base = format!("workers[{i}]");
        check_id(&w.id, || format!("{base}.id"), "worker", report);
        if !w.id.is_empty() {
            match by_id.get(w.id.as_str()) {
                Some(&first) => report.push(
                    Code::DuplicateId,
                    format!("{base}.id"),
                    format!(
                        "worker id {} is already used by workers[{first}]; worker ids must be \
                         unique, so rename one or merge the two entries",
                        show(&w.id)
                    ),
                ),
                None => {
                    by_id.insert(w.id.as_str(), i as u32);
                }
            }
        }
        let location_ok = check_location(w.location, &base, report);

        let max_km = match w.max_travel_km {
            Some(km) if km.is_finite() && km > 0.0 => Some(km),
            Some(km) => {
                report.push(
                    Code::InvalidTravelLimit,
                    format!("{base}.max_travel_km"),
                    format!(
                        "must be a finite number of km > 0, got {}; leave it out to use \
                         options.default_max_travel_km",
                        Num(km)
                    ),
                );
                None
            }
            None => default_max_km,
        };

        let skills_ok = check_skill_levels(&w.skills, &base, "skills", report);

        let mut ranges = Vec::with_capacity(w.availability.len());
        let mut ranges_ok = true;
        for (j, r) in w.availability.iter().enumerate() {
            let path = || format!("{base}.availability[{j}]");
            match check_range(&r.start, &r.end, path, report) {
                Some(range) => ranges.push(range),
                None => ranges_ok = false,
            }
        }

        let max_days = w.max_days.and_then(|v| {
            if v < 0 {
                report.push(
                    Code::InvalidMaxDays,
                    format!("{base}.max_days"),
                    format!("must be >= 0, got {v}; leave it out for no limit"),
                );
                None
            } else {
                Some(u32::try_from(v).unwrap_or(u32::MAX))
            }
        });
        let max_consecutive = w.max_consecutive_days.and_then(|v| {
            if v < 1 {
                report.push(
                    Code::InvalidMaxConsecutiveDays,
                    format!("{base}.max_consecutive_days"),
                    format!("must be >= 1, got {v}; leave it out for no limit"),
                );
                None
            } else {
                Some(u32::try_from(v).unwrap_or(u32::MAX))
            }
        });

        if let Some(crew) = &w.crew {
            check_id(crew, || format!("{base}.crew"), "crew name", report);
        }

        parsed.push(ParsedWorker {
            location_ok,
            max_km,
            ranges,
            ranges_ok,
            skills_ok,
            max_days,
            max_consecutive,
        });
    }
    Workers { by_id, parsed }
}

/// What the demand section could parse of one demand.
struct ParsedDemand {
    /// `start..=end` when both parsed and `start <= end`.
    dates: Option<(NaiveDate, NaiveDate)>,
    location_ok: bool,
    per_day: Option<u32>,
    skills_ok: bool,
}

struct Demands<'a> {
    /// Demand id to index of its first occurrence.
    by_id: HashMap<&'a str, u32>,
    /// Every valid demand farm id.
    farms: HashSet<&'a str>,
    parsed: Vec<ParsedDemand>,
}

fn check_demands<'a>(problem: &'a Problem, report: &mut Report) -> Demands<'a> {
    let mut by_id: HashMap<&str, u32> = HashMap::with_capacity(problem.demands.len());
    let mut farms = HashSet::new();
    let mut parsed = Vec::with_capacity(problem.demands.len());
    for (i, d) in problem.demands.iter().enumerate() {
        let base = format!("demands[{i}]");
        check_id(&d.id, || format!("{base}.id"), "demand", report);
        if !d.id.is_empty() {
            match by_id.get(d.id.as_str()) {
                Some(&first) => report.push(
                    Code::DuplicateId,
                    format!("{base}.id"),
                    format!(
                        "demand id {} is already used by demands[{first}]; demand ids must be \
                         unique, so rename one (several demands may share a farm_id)",
                        show(&d.id)
                    ),
                ),
                None => {
                    by_id.insert(d.id.as_str(), i as u32);
                }
            }
        }
        if check_id(&d.farm_id, || format!("{base}.farm_id"), "farm", report) {
            farms.insert(d.farm_id.as_str());
        }
        let location_ok = check_location(d.location, &base, report);
        let dates = check_range(&d.start, &d.end, || base.clone(), report);

        let per_day = if (1..=MAX_WORKERS_PER_DAY).contains(&d.workers_per_day) {
            Some(d.workers_per_day as u32)
        } else {
            report.push(
                Code::InvalidWorkersPerDay,
                format!("{base}.workers_per_day"),
                format!(
                    "must be within [1, {MAX_WORKERS_PER_DAY}], got {}; a demand needs at \
                     least one worker a day (remove the demand if it needs none)",
                    d.workers_per_day
                ),
            );
            None
        };
        if !(1..=100).contains(&d.priority) {
            report.push(
                Code::PriorityOutOfRange,
                format!("{base}.priority"),
                format!("must be within [1, 100], got {}; 1 is the default", d.priority),
            );
        }
        let skills_ok = check_skill_levels(&d.required_skills, &base, "required_skills", report);
        parsed.push(ParsedDemand { dates, location_ok, per_day, skills_ok });
    }
    Demands { by_id, farms, parsed }
}

/// The horizon: earliest demand start to latest demand end, over the demands
/// whose dates parsed. `None` when there is no such demand.
fn check_horizon(
    problem: &Problem,
    demands: &Demands,
    report: &mut Report,
) -> Option<(NaiveDate, NaiveDate)> {
    let mut first: Option<(NaiveDate, usize)> = None;
    let mut last: Option<(NaiveDate, usize)> = None;
    for (i, p) in demands.parsed.iter().enumerate() {
        if let Some((start, end)) = p.dates {
            if first.is_none_or(|(f, _)| start < f) {
                first = Some((start, i));
            }
            if last.is_none_or(|(l, _)| end > l) {
                last = Some((end, i));
            }
        }
    }
    let ((first, first_i), (last, last_i)) = (first?, last?);
    let span = (last - first).num_days() + 1;
    if span > MAX_HORIZON_DAYS {
        report.push(
            Code::HorizonTooLong,
            format!("demands[{last_i}].end"),
            format!(
                "the demands span {span} days, from {first} (demands[{first_i}], id {}) to \
                 {last}; at most {MAX_HORIZON_DAYS} days are accepted, so check the years of \
                 these dates or split the problem",
                show(&problem.demands[first_i].id)
            ),
        );
    }
    Some((first, last))
}

/// Valid travel overrides: (worker index, farm id) to km.
type Travel<'a> = HashMap<(u32, &'a str), f64>;

fn check_travel<'a>(
    problem: &'a Problem,
    workers: &Workers,
    demands: &Demands,
    report: &mut Report,
) -> Travel<'a> {
    let mut travel = Travel::with_capacity(problem.travel.len());
    let mut first_of: HashMap<(&str, &str), usize> = HashMap::with_capacity(problem.travel.len());
    for (i, t) in problem.travel.iter().enumerate() {
        let base = format!("travel[{i}]");
        let worker = resolve_worker(&t.worker_id, workers, &base, report);
        let farm_ok = demands.farms.contains(t.farm_id.as_str());
        if !farm_ok {
            report.push(
                Code::UnknownFarm,
                format!("{base}.farm_id"),
                format!(
                    "{} is the farm_id of no demand; use a farm_id that appears in demands, or \
                     remove this override",
                    show(&t.farm_id)
                ),
            );
        }
        let km_ok = (0.0..=MAX_KM).contains(&t.km);
        if !km_ok {
            report.push(
                Code::InvalidTravelKm,
                format!("{base}.km"),
                format!("must be a number of km within [0, {MAX_KM}], got {}", Num(t.km)),
            );
        }
        match first_of.get(&(t.worker_id.as_str(), t.farm_id.as_str())) {
            Some(&first) => report.push(
                Code::DuplicateTravel,
                base,
                format!(
                    "travel[{first}] already gives the distance from worker {} to farm {}; keep \
                     one override per (worker, farm) pair",
                    show(&t.worker_id),
                    show(&t.farm_id)
                ),
            ),
            None => {
                first_of.insert((t.worker_id.as_str(), t.farm_id.as_str()), i);
                if let (Some(w), true, true) = (worker, farm_ok, km_ok) {
                    // `-0` is a distance of 0, written as one (+ 0.0
                    // turns -0.0 into 0.0 and leaves every other value).
                    travel.insert((w, t.farm_id.as_str()), t.km + 0.0);
                }
            }
        }
    }
    travel
}

/// Everything the locked and previous sections read.
struct Ctx<'a> {
    problem: &'a Problem,
    workers: &'a Workers<'a>,
    demands: &'a Demands<'a>,
    travel: &'a Travel<'a>,
}

/// An assignment entry whose ids and date resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Resolved {
    worker: u32,
    demand: u32,
    date: NaiveDate,
}

/// (worker, date) to (demand, index in `locked`) of the worker's first locked
/// assignment that date.
type LockedOn = HashMap<(u32, NaiveDate), (u32, usize)>;

/// Checks `locked`: references, dates and hard rules 1-9. Returns the
/// resolved entries, deduplicated, in input order, and where each worker is
/// locked.
fn check_locked(ctx: &Ctx, report: &mut Report) -> (Vec<Resolved>, LockedOn) {
    let locked = &ctx.problem.locked;
    let mut first_of: HashMap<&Assignment, usize> = HashMap::with_capacity(locked.len());
    let mut resolved = Vec::with_capacity(locked.len());
    // Aggregates for rules 3, 4, 8 and 9, filled in input order so that each
    // error points at the entry that breaks the rule.
    let mut per_slot: HashMap<(u32, NaiveDate), u32> = HashMap::new();
    let mut worker_date = LockedOn::new();
    let mut crew_date: HashMap<(&str, NaiveDate), (u32, u32, usize)> = HashMap::new();
    let mut worker_days: HashMap<u32, Vec<(NaiveDate, usize)>> = HashMap::new();

    for (k, a) in locked.iter().enumerate() {
        let base = format!("locked[{k}]");
        if let Some(&first) = first_of.get(a) {
            report.push(
                Code::DuplicateLocked,
                base,
                format!("repeats locked[{first}] exactly; it is kept once, so remove the copy"),
            );
            continue;
        }
        first_of.insert(a, k);
        let Some(r) = resolve(a, ctx, &base, report) else { continue };
        resolved.push(r);
        let worker = &ctx.problem.workers[r.worker as usize];
        let demand = &ctx.problem.demands[r.demand as usize];

        for broken in broken_rules(ctx, r) {
            let (code, path, what, fix) = match broken {
                Broken::Unavailable => (
                    Code::LockedWorkerUnavailable,
                    format!("{base}.date"),
                    format!(
                        "worker {} is not available on {} (rule 1)",
                        show(&a.worker_id),
                        r.date
                    ),
                    format!("add the date to workers[{}].availability or unlock it", r.worker),
                ),
                Broken::OutsideDates(start, end) => (
                    Code::LockedOutsideDemandDates,
                    format!("{base}.date"),
                    format!(
                        "{} is outside demand {} ({start} to {end}) (rule 2)",
                        r.date,
                        show(&a.demand_id)
                    ),
                    "fix the date or the demand's start and end".to_owned(),
                ),
                Broken::TooFar { km, max_km } => (
                    Code::LockedTooFar,
                    base.clone(),
                    format!(
                        "worker {} is {} km from demand {}, beyond their max_travel_km \
                         {max_km} (rule 5)",
                        show(&a.worker_id),
                        Beyond(km, max_km),
                        show(&a.demand_id)
                    ),
                    "raise max_travel_km, give a travel override, or unlock it".to_owned(),
                ),
                Broken::MissingSkills(gaps) => (
                    Code::LockedMissingSkills,
                    base.clone(),
                    format!(
                        "worker {} lacks skills demand {} requires: {gaps} (rule 6)",
                        show(&a.worker_id),
                        show(&a.demand_id)
                    ),
                    "raise the worker's skill levels or unlock it".to_owned(),
                ),
                Broken::ExcludedFarm => (
                    Code::LockedExcludedFarm,
                    base.clone(),
                    format!(
                        "worker {} excludes farm {} of demand {} (rule 7)",
                        show(&a.worker_id),
                        show(&demand.farm_id),
                        show(&a.demand_id)
                    ),
                    "remove the farm from excluded_farms or unlock it".to_owned(),
                ),
            };
            report.push(code, path, format!("{what}; {fix}"));
        }

        // Rule 3: the slot's headcount, by locked entries alone.
        if let Some(cap) = ctx.demands.parsed[r.demand as usize].per_day {
            let count = per_slot.entry((r.demand, r.date)).or_insert(0);
            *count += 1;
            if *count == cap + 1 {
                report.push(
                    Code::LockedOverCapacity,
                    base.clone(),
                    format!(
                        "locks worker number {} on demand {} on {}, which needs only {cap} \
                         (workers_per_day, rule 3); unlock some or raise workers_per_day",
                        cap + 1,
                        show(&a.demand_id),
                        r.date
                    ),
                );
            }
        }

        // Rule 4: one assignment per worker and date. Exact repeats were
        // skipped above, so a second entry names another demand.
        match worker_date.get(&(r.worker, r.date)) {
            Some(&(other, first)) if other != r.demand => report.push(
                Code::LockedDoubleBooked,
                base.clone(),
                format!(
                    "worker {} is already locked on {} to demand {} by locked[{first}] (rule 4); \
                     a worker has one assignment per date, so keep one",
                    show(&a.worker_id),
                    r.date,
                    show(&ctx.problem.demands[other as usize].id)
                ),
            ),
            Some(_) => {}
            None => {
                worker_date.insert((r.worker, r.date), (r.demand, k));
                worker_days.entry(r.worker).or_default().push((r.date, k));
            }
        }

        // Rule 9: crew members working on a date work on the same demand.
        if let Some(crew) = worker.crew.as_deref() {
            match crew_date.get(&(crew, r.date)) {
                Some(&(other_worker, other_demand, first))
                    if other_demand != r.demand && other_worker != r.worker =>
                {
                    report.push(
                        Code::LockedCrewSplit,
                        base.clone(),
                        format!(
                            "worker {} and crew mate {} (crew {}) are locked to different \
                             demands on {}: {} here, {} by locked[{first}] (rule 9); lock them \
                             to the same demand or change the crew",
                            show(&a.worker_id),
                            show(&ctx.problem.workers[other_worker as usize].id),
                            show(crew),
                            r.date,
                            show(&a.demand_id),
                            show(&ctx.problem.demands[other_demand as usize].id)
                        ),
                    )
                }
                Some(_) => {}
                None => {
                    crew_date.insert((crew, r.date), (r.worker, r.demand, k));
                }
            }
        }
    }

    // Rule 8, once every locked day of each worker is known. Workers are
    // visited in index order so the report does not depend on hashing.
    let mut by_worker: Vec<_> = worker_days.into_iter().collect();
    by_worker.sort_unstable_by_key(|(w, _)| *w);
    for (w, mut days) in by_worker {
        let parsed = &ctx.workers.parsed[w as usize];
        let id = &ctx.problem.workers[w as usize].id;
        days.sort_unstable();
        if let Some(max) = parsed.max_days {
            if let Some(&(date, k)) = days.get(max as usize) {
                report.push(
                    Code::LockedMaxDays,
                    format!("locked[{k}]"),
                    format!(
                        "worker {} has {} locked days but max_days is {max} (rule 8); this \
                         entry on {date} is one too many, so unlock days or raise max_days",
                        show(id),
                        days.len()
                    ),
                );
            }
        }
        if let Some(max) = parsed.max_consecutive {
            let mut run = 0u32;
            let mut prev: Option<NaiveDate> = None;
            for &(date, k) in &days {
                run = match prev {
                    Some(p) if (date - p).num_days() == 1 => run + 1,
                    _ => 1,
                };
                prev = Some(date);
                if run == max.saturating_add(1) {
                    report.push(
                        Code::LockedMaxConsecutiveDays,
                        format!("locked[{k}]"),
                        format!(
                            "worker {} is locked {run} days in a row up to {date} but \
                             max_consecutive_days is {max} (rule 8); unlock a day in the run \
                             or raise max_consecutive_days",
                            show(id)
                        ),
                    );
                    break;
                }
            }
        }
    }
    (resolved, worker_date)
}

/// Checks `previous`: bad dates are errors; repeats, entries that cannot be
/// kept and entries naming a worker or demand the problem no longer has are
/// warnings. Returns the resolved entries, deduplicated, in input order, and
/// the indices of the raw entries kept (those with unknown ids among them,
/// so that they are listed in `dropped_previous`).
///
/// An unknown id is not an error because yesterday's plan is the input of a
/// re-plan: a worker who withdrew or a demand a farm called off is taken out
/// of the problem, and the people told about it still have to be called.
fn check_previous(
    ctx: &Ctx,
    locked_on: &LockedOn,
    report: &mut Report,
) -> (Vec<Resolved>, Vec<usize>) {
    let previous = &ctx.problem.previous;
    let mut first_of: HashMap<&Assignment, usize> = HashMap::with_capacity(previous.len());
    let mut resolved = Vec::with_capacity(previous.len());
    let mut raw_kept = Vec::with_capacity(previous.len());
    for (k, a) in previous.iter().enumerate() {
        let base = format!("previous[{k}]");
        if let Some(&first) = first_of.get(a) {
            report.push(
                Code::DuplicatePrevious,
                base,
                format!("repeats previous[{first}] exactly; it is kept once, so remove the copy"),
            );
            continue;
        }
        first_of.insert(a, k);
        let worker = ctx.workers.by_id.get(a.worker_id.as_str()).copied();
        let demand = ctx.demands.by_id.get(a.demand_id.as_str()).copied();
        let date = check_date(&a.date, || format!("{base}.date"), report);
        raw_kept.push(k);
        let (Some(worker), Some(demand)) = (worker, demand) else {
            let mut missing = Vec::new();
            if worker.is_none() {
                missing.push(format!("no worker {}", show(&a.worker_id)));
            }
            if demand.is_none() {
                missing.push(format!("no demand {}", show(&a.demand_id)));
            }
            let field = if worker.is_none() { "worker_id" } else { "demand_id" };
            report.push(
                Code::PreviousUnknownId,
                format!("{base}.{field}"),
                format!(
                    "cannot be kept: the problem has {} (taken out, or a typo?); it will be \
                     listed in dropped_previous, so tell the people concerned, or correct \
                     the id",
                    missing.join(" and ")
                ),
            );
            continue;
        };
        let Some(date) = date else { continue };
        let r = Resolved { worker, demand, date };
        resolved.push(r);
        let mut reasons: Vec<String> = broken_rules(ctx, r)
            .into_iter()
            .map(|b| match b {
                Broken::Unavailable => format!("the worker is not available on {}", r.date),
                Broken::OutsideDates(start, end) => {
                    format!("{} is outside the demand's dates ({start} to {end})", r.date)
                }
                Broken::TooFar { km, max_km } => {
                    format!(
                        "the demand is {} km away, beyond max_travel_km {max_km}",
                        Beyond(km, max_km)
                    )
                }
                Broken::MissingSkills(gaps) => format!("the worker lacks {gaps}"),
                Broken::ExcludedFarm => "the worker excludes the demand's farm".to_owned(),
            })
            .collect();
        if let Some(&(demand, first)) = locked_on.get(&(r.worker, r.date)) {
            if demand != r.demand {
                reasons.push(format!(
                    "the worker is locked to demand {} that date by locked[{first}]",
                    show(&ctx.problem.demands[demand as usize].id)
                ));
            }
        }
        if !reasons.is_empty() {
            report.push(
                Code::PreviousNotKeepable,
                base,
                format!(
                    "cannot be kept: {}; it will be listed in dropped_previous, so tell the \
                     worker, or fix the problem if the plan should stand",
                    reasons.join("; ")
                ),
            );
        }
    }
    (resolved, raw_kept)
}

/// Warnings about workers: availability and farm lists.
fn warn_workers(
    problem: &Problem,
    workers: &Workers,
    demands: &Demands,
    horizon: Option<(NaiveDate, NaiveDate)>,
    report: &mut Report,
) {
    for (i, (w, p)) in problem.workers.iter().zip(&workers.parsed).enumerate() {
        if w.availability.is_empty() {
            report.push(
                Code::EmptyAvailability,
                format!("workers[{i}].availability"),
                "is empty, so the worker can never be assigned; add the date ranges they can \
                 work, or remove the worker"
                    .to_owned(),
            );
        } else if let Some((first, last)) =
            horizon.filter(|_| demands.parsed.iter().all(|d| d.dates.is_some()))
        {
            // Only judged when every range and every demand's dates parsed (the
            // span leaves out a demand with a bad date); a bad date is an error
            // already.
            if p.ranges_ok && !p.ranges.iter().any(|&(s, e)| s <= last && e >= first) {
                report.push(
                    Code::NoAvailabilityInHorizon,
                    format!("workers[{i}].availability"),
                    format!(
                        "no range overlaps the demands' dates ({first} to {last}), so the \
                         worker can never be assigned; check the years of the ranges"
                    ),
                );
            }
        }
        warn_farm_list(&w.excluded_farms, &format!("workers[{i}].excluded_farms"), demands, report);
        warn_farm_list(
            &w.preferred_farms,
            &format!("workers[{i}].preferred_farms"),
            demands,
            report,
        );
        if !w.excluded_farms.is_empty() && !w.preferred_farms.is_empty() {
            let excluded: HashSet<&str> = w.excluded_farms.iter().map(String::as_str).collect();
            for (j, farm) in w.preferred_farms.iter().enumerate() {
                if excluded.contains(farm.as_str()) {
                    report.push(
                        Code::PreferredAndExcluded,
                        format!("workers[{i}].preferred_farms[{j}]"),
                        format!(
                            "farm {} is both preferred and excluded; exclusion wins, so remove \
                             it from one of the two lists",
                            show(farm)
                        ),
                    );
                }
            }
        }
    }
}

fn warn_farm_list(farms: &[String], path: &str, demands: &Demands, report: &mut Report) {
    for (j, farm) in farms.iter().enumerate() {
        if !demands.farms.contains(farm.as_str()) {
            report.push(
                Code::FarmNotInDemands,
                format!("{path}[{j}]"),
                format!(
                    "{} is the farm_id of no demand, so it has no effect; check the spelling",
                    show(farm)
                ),
            );
        }
    }
}

/// Warns about required skills no worker has at the required level. Cheap:
/// one pass for the best level of each skill, one lookup per requirement.
fn warn_demand_skills(problem: &Problem, report: &mut Report) {
    let mut best: HashMap<&str, i64> = HashMap::new();
    for w in &problem.workers {
        for (name, &level) in &w.skills {
            let entry = best.entry(name.as_str()).or_insert(0);
            *entry = (*entry).max(level.clamp(0, 5));
        }
    }
    for (i, d) in problem.demands.iter().enumerate() {
        for (name, &needed) in &d.required_skills {
            if !(1..=5).contains(&needed) {
                continue; // an error already
            }
            let have = best.get(name.as_str()).copied().unwrap_or(0);
            if have < needed {
                report.push(
                    Code::RequiredSkillUnmatched,
                    key_path(&format!("demands[{i}].required_skills"), name),
                    format!(
                        "no worker has {} at level {needed} or higher (best is {have}), so the \
                         demand cannot be filled; lower the level or add skilled workers",
                        show(name)
                    ),
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Building the instance (only when there is no error).
// ---------------------------------------------------------------------------

fn build(
    ctx: &Ctx,
    horizon: Option<(NaiveDate, NaiveDate)>,
    locked: &[Resolved],
    previous: &(Vec<Resolved>, Vec<usize>),
    warnings: Vec<Issue>,
) -> Instance {
    let problem = ctx.problem;
    // With no demand the horizon is empty and starts at 1970-01-01, which
    // is chrono's default date.
    let (first_date, last_date) = horizon.unwrap_or_default();
    let n_days = if horizon.is_some() { (last_date - first_date).num_days() as u32 + 1 } else { 0 };
    let day = |date: NaiveDate| (date - first_date).num_days();

    // Farms: demand farms in demand order first, then the farms only
    // workers' lists name. Travel farms are demand farms (checked).
    let mut farm_ids: Vec<String> = Vec::new();
    let mut farm_idx: HashMap<&str, u32> = HashMap::new();
    for d in &problem.demands {
        intern(&d.farm_id, &mut farm_ids, &mut farm_idx);
    }
    for w in &problem.workers {
        for farm in w.excluded_farms.iter().chain(&w.preferred_farms) {
            intern(farm, &mut farm_ids, &mut farm_idx);
        }
    }

    // Skills sorted by name so indices do not depend on input order.
    // Distinct names are few and mentions many: dedupe by hash, then sort.
    let mut skill_names: Vec<&str> = problem
        .workers
        .iter()
        .flat_map(|w| w.skills.keys())
        .chain(problem.demands.iter().flat_map(|d| d.required_skills.keys()))
        .map(String::as_str)
        .collect::<HashSet<&str>>()
        .into_iter()
        .collect();
    skill_names.sort_unstable();
    let skill_idx: HashMap<&str, u32> =
        skill_names.iter().enumerate().map(|(i, &s)| (s, i as u32)).collect();
    let skills: Vec<String> = skill_names.into_iter().map(str::to_owned).collect();
    // Levels are in 1..=5 (checked). BTreeMap order is name order, which is
    // skill-index order, so the lists come out sorted by index.
    let to_levels = |map: &std::collections::BTreeMap<String, i64>| -> Vec<(u32, u8)> {
        map.iter().map(|(name, &level)| (skill_idx[name.as_str()], level as u8)).collect()
    };

    let mut crews: Vec<String> = Vec::new();
    let mut crew_idx: HashMap<&str, u32> = HashMap::new();

    let workers = problem
        .workers
        .iter()
        .zip(&ctx.workers.parsed)
        .map(|(w, p): (&Worker, &ParsedWorker)| {
            let mut available = DaySet::new(n_days);
            if horizon.is_some() {
                for &(start, end) in &p.ranges {
                    let (s, e) = (day(start).max(0), day(end).min(i64::from(n_days) - 1));
                    if s <= e {
                        available.insert_range(s as u32, e as u32);
                    }
                }
            }
            let farms_of = |list: &[String]| -> Vec<u32> {
                let mut v: Vec<u32> = list.iter().map(|f| farm_idx[f.as_str()]).collect();
                v.sort_unstable();
                v.dedup();
                v
            };
            let crew = w.crew.as_deref().map(|c| intern(c, &mut crews, &mut crew_idx));
            // A day limit the worker's availability can never reach is no
            // limit: left out, so the solver plans the worker freely (day-
            // limited workers are held more tightly by its searches; a
            // random 7-worker problem missed its optimum by 24 km over a
            // `max_consecutive_days` of 2 for two available dates).
            let (mut count, mut run, mut longest) = (0u32, 0u32, 0u32);
            for t in 0..n_days {
                if available.contains(t) {
                    count += 1;
                    run += 1;
                    longest = longest.max(run);
                } else {
                    run = 0;
                }
            }
            WorkerM {
                id: w.id.clone(),
                location: w.location,
                // Present whenever there is no error (own or default limit).
                max_km: p.max_km.unwrap_or(problem.options.default_max_travel_km),
                skills: to_levels(&w.skills),
                available,
                max_days: p.max_days.filter(|&m| m < count),
                max_consecutive: p.max_consecutive.filter(|&m| m < longest),
                excluded: farms_of(&w.excluded_farms),
                preferred: farms_of(&w.preferred_farms),
                crew,
            }
        })
        .collect();

    let demands: Vec<DemandM> = problem
        .demands
        .iter()
        .zip(&ctx.demands.parsed)
        .map(|(d, p)| {
            let (start, end) = p.dates.unwrap_or((first_date, first_date));
            DemandM {
                id: d.id.clone(),
                farm: farm_idx[d.farm_id.as_str()],
                location: d.location,
                start: day(start) as u32,
                end: day(end) as u32,
                per_day: p.per_day.unwrap_or(1),
                required: to_levels(&d.required_skills),
                priority: d.priority as u32,
            }
        })
        .collect();

    let to_fixed = |entries: &[Resolved]| -> Vec<Fixed> {
        // Previous entries outside the horizon cannot be kept and have no
        // day number; they stay in `previous_raw` only.
        let mut v: Vec<Fixed> = entries
            .iter()
            .filter(|r| (0..i64::from(n_days)).contains(&day(r.date)))
            .map(|r| Fixed { worker: r.worker, demand: r.demand, day: day(r.date) as u32 })
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };

    let travel =
        ctx.travel.iter().map(|(&(worker, farm), &km)| ((worker, farm_idx[farm]), km)).collect();

    // Like a day limit no availability reaches, a continuity bonus no pair
    // can earn is no bonus: a pair is one worker on one demand on two
    // consecutive dates, so when every demand lasts one date (a problem of
    // one date, say) it is left out and the dates split, as they do
    // without it (a county-day request: 200 ms to 100 ms). The objective
    // is unchanged: it counts no pair either way.
    let mut options = problem.options.clone();
    if demands.iter().all(|d| d.start == d.end) {
        options.continuity_bonus_km = 0.0;
    }

    Instance {
        first_date,
        n_days,
        workers,
        demands,
        farms: farm_ids,
        skills,
        crews,
        locked: to_fixed(locked),
        previous: to_fixed(&previous.0),
        previous_raw: previous.1.iter().map(|&k| problem.previous[k].clone()).collect(),
        travel,
        options,
        warnings,
    }
}

// ---------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------

/// The index of `name` in `names`, appending it when new.
fn intern<'a>(name: &'a str, names: &mut Vec<String>, index: &mut HashMap<&'a str, u32>) -> u32 {
    *index.entry(name).or_insert_with(|| {
        names.push(name.to_owned());
        names.len() as u32 - 1
    })
}

/// A hard rule (1, 2, 5, 6 or 7) that one assignment breaks on its own.
enum Broken {
    Unavailable,
    OutsideDates(NaiveDate, NaiveDate),
    TooFar {
        km: f64,
        max_km: f64,
    },
    /// e.g. `pruning 2 < 3, grafting 0 < 1`.
    MissingSkills(String),
    ExcludedFarm,
}

/// The single-assignment hard rules `r` breaks. A rule whose inputs are
/// themselves invalid is skipped: that input is an error already.
fn broken_rules(ctx: &Ctx, r: Resolved) -> Vec<Broken> {
    let worker = &ctx.problem.workers[r.worker as usize];
    let demand = &ctx.problem.demands[r.demand as usize];
    let wp = &ctx.workers.parsed[r.worker as usize];
    let dp = &ctx.demands.parsed[r.demand as usize];
    let mut broken = Vec::new();
    if wp.ranges_ok && !wp.ranges.iter().any(|&(s, e)| s <= r.date && r.date <= e) {
        broken.push(Broken::Unavailable);
    }
    if let Some((start, end)) = dp.dates {
        if r.date < start || r.date > end {
            broken.push(Broken::OutsideDates(start, end));
        }
    }
    let km = match ctx.travel.get(&(r.worker, demand.farm_id.as_str())) {
        Some(&km) => Some(km),
        None if wp.location_ok && dp.location_ok => {
            Some(haversine_km(worker.location, demand.location))
        }
        None => None,
    };
    if let (Some(km), Some(max_km)) = (km, wp.max_km) {
        if km > max_km {
            broken.push(Broken::TooFar { km, max_km });
        }
    }
    if wp.skills_ok && dp.skills_ok {
        let gaps: Vec<String> = demand
            .required_skills
            .iter()
            .filter_map(|(name, &needed)| {
                let have = worker.skills.get(name).copied().unwrap_or(0);
                (have < needed).then(|| format!("{} {have} < {needed}", show(name)))
            })
            .collect();
        if !gaps.is_empty() {
            broken.push(Broken::MissingSkills(gaps.join(", ")));
        }
    }
    if worker.excluded_farms.contains(&demand.farm_id) {
        broken.push(Broken::ExcludedFarm);
    }
    broken
}

/// Resolves the ids and date of a locked or previous entry, reporting each
/// part that does not resolve.
fn resolve(a: &Assignment, ctx: &Ctx, base: &str, report: &mut Report) -> Option<Resolved> {
    let worker = resolve_worker(&a.worker_id, ctx.workers, base, report);
    let demand = ctx.demands.by_id.get(a.demand_id.as_str()).copied();
    if demand.is_none() {
        report.push(
            Code::UnknownDemand,
            format!("{base}.demand_id"),
            format!("{} is the id of no demand; use an id from demands", show(&a.demand_id)),
        );
    }
    let date = check_date(&a.date, || format!("{base}.date"), report);
    Some(Resolved { worker: worker?, demand: demand?, date: date? })
}

fn resolve_worker(id: &str, workers: &Workers, base: &str, report: &mut Report) -> Option<u32> {
    let worker = workers.by_id.get(id).copied();
    if worker.is_none() {
        report.push(
            Code::UnknownWorker,
            format!("{base}.worker_id"),
            format!("{} is the id of no worker; use an id from workers", show(id)),
        );
    }
    worker
}

/// Checks an id, farm id or crew name: 1..=128 characters. Returns true when
/// it is valid.
fn check_id(id: &str, path: impl FnOnce() -> String, what: &str, report: &mut Report) -> bool {
    if id.is_empty() {
        report.push(
            Code::EmptyId,
            path(),
            format!("must not be empty; give the {what} an id of 1 to {MAX_ID_CHARS} characters"),
        );
        return false;
    }
    // A string of at most 128 bytes has at most 128 characters; count only
    // longer ones.
    if id.len() > MAX_ID_CHARS {
        let n = id.chars().count();
        if n > MAX_ID_CHARS {
            report.push(
                Code::IdTooLong,
                path(),
                format!(
                    "must be at most {MAX_ID_CHARS} characters, got {n} ({}); use a shorter id",
                    show(id)
                ),
            );
            return false;
        }
    }
    true
}

/// Checks a location; returns true when it is valid.
fn check_location(loc: Location, base: &str, report: &mut Report) -> bool {
    let mut ok = true;
    // A latitude beyond 90 with a longitude within 90 is most often a swap.
    let swapped = loc.lat.abs() > 90.0 && loc.lat.abs() <= 180.0 && loc.lon.abs() <= 90.0;
    for (field, value, limit) in [("lat", loc.lat, 90.0), ("lon", loc.lon, 180.0)] {
        if !value.is_finite() {
            report.push(
                Code::CoordinateOutOfRange,
                format!("{base}.location.{field}"),
                format!("must be a finite number of degrees, got {}", Num(value)),
            );
            ok = false;
        } else if value.abs() > limit {
            let hint = if swapped && field == "lat" { " (are lat and lon swapped?)" } else { "" };
            report.push(
                Code::CoordinateOutOfRange,
                format!("{base}.location.{field}"),
                format!("must be within [-{limit}, {limit}], got {}{hint}", Num(value)),
            );
            ok = false;
        }
    }
    ok
}

/// Checks the skill levels (1..=5) of `base.field` and warns about empty
/// names. Returns true when every level is valid.
fn check_skill_levels(
    skills: &std::collections::BTreeMap<String, i64>,
    base: &str,
    field: &str,
    report: &mut Report,
) -> bool {
    // Paths are built only for an issue: this runs for every worker.
    let path = |name: &str| key_path(&format!("{base}.{field}"), name);
    let mut ok = true;
    for (name, &level) in skills {
        if name.is_empty() {
            report.push(
                Code::EmptySkillName,
                path(name),
                "a skill with an empty name matches only other empty names; name the skill"
                    .to_owned(),
            );
        }
        if !(1..=5).contains(&level) {
            report.push(
                Code::SkillLevelOutOfRange,
                path(name),
                format!("must be a level within [1, 5], got {level}; leave the skill out for none"),
            );
            ok = false;
        }
    }
    ok
}

/// Checks a `start`/`end` pair under the path `base` (built only for an
/// issue); returns it when both parse and `start <= end`.
fn check_range(
    start: &str,
    end: &str,
    base: impl Fn() -> String,
    report: &mut Report,
) -> Option<(NaiveDate, NaiveDate)> {
    let s = check_date(start, || format!("{}.start", base()), report);
    let e = check_date(end, || format!("{}.end", base()), report);
    let (s, e) = (s?, e?);
    if s > e {
        report.push(
            Code::StartAfterEnd,
            format!("{}.end", base()),
            format!("must be on or after start {s}, got {e}; swap them or fix the typo"),
        );
        return None;
    }
    Some((s, e))
}

fn check_date(text: &str, path: impl FnOnce() -> String, report: &mut Report) -> Option<NaiveDate> {
    match parse_date(text) {
        Ok(date) => Some(date),
        Err(DateError::Format) => {
            report.push(
                Code::InvalidDate,
                path(),
                format!("must be a date written YYYY-MM-DD (zero-padded), got {}", show(text)),
            );
            None
        }
        Err(DateError::NoSuchDay) => {
            report.push(
                Code::InvalidDate,
                path(),
                format!("{} is not a day of the calendar; use a real date", show(text)),
            );
            None
        }
    }
}

pub(crate) enum DateError {
    Format,
    NoSuchDay,
}

/// Strict `YYYY-MM-DD`: ten ASCII characters, zero-padded, a real date.
pub(crate) fn parse_date(text: &str) -> Result<NaiveDate, DateError> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(DateError::Format);
    }
    let number = |digits: &[u8]| -> Option<u32> {
        digits
            .iter()
            .try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    let (Some(y), Some(m), Some(d)) = (number(&b[0..4]), number(&b[5..7]), number(&b[8..10]))
    else {
        return Err(DateError::Format);
    };
    // y <= 9999, so the cast is exact.
    NaiveDate::from_ymd_opt(y as i32, m, d).ok_or(DateError::NoSuchDay)
}

/// A JSON path to a key of an object: `.name` for plain names (`name` at
/// the top, where `base` is empty), `["..."]` otherwise (empty names, dots,
/// spaces). Shared with the JSON error listing (`json.rs`).
pub(crate) fn key_path(base: &str, key: &str) -> String {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if plain && base.is_empty() {
        key.to_owned()
    } else if plain {
        format!("{base}.{key}")
    } else {
        format!("{base}[{}]", serde_json::Value::from(key))
    }
}

/// A user string for a message: quoted, and cut short so a huge value does
/// not flood the report. Shared with the spreadsheet reader, so both quote
/// input the same way.
pub fn show(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        format!("{text:?}")
    } else {
        let head: String = text.chars().take(MAX).collect();
        format!("{head:?}...")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = include_str!("../../../docs/errors.md");

    #[test]
    fn numbers_in_messages_stay_short() {
        let shown = |v: f64| Num(v).to_string();
        assert_eq!(shown(95.0), "95");
        assert_eq!(shown(-1.5), "-1.5");
        assert_eq!(shown(0.0), "0");
        assert_eq!(shown(1e308), "1e308");
        assert_eq!(shown(-2.5e20), "-2.5e20");
        assert_eq!(shown(1e-300), "1e-300");
        assert_eq!(shown(f64::NAN), "NaN");
        assert_eq!(shown(f64::INFINITY), "inf");
    }

    /// The part of the doc under a `## ` heading, up to the next one.
    fn section(heading: &str) -> &'static str {
        let start = DOC.find(heading).unwrap_or_else(|| panic!("docs/errors.md lacks {heading}"));
        let rest = &DOC[start + heading.len()..];
        &rest[..rest.find("\n## ").unwrap_or(rest.len())]
    }

    /// The codes of a doc table: the first cell of every row, in backticks.
    fn table_codes(text: &str) -> Vec<&str> {
        text.lines()
            .filter_map(|line| line.strip_prefix("| `"))
            .filter_map(|rest| rest.split('`').next())
            .collect()
    }

    #[test]
    fn every_code_is_documented_in_its_table_and_nothing_else_is() {
        let errors = table_codes(section("## Errors"));
        let warnings = table_codes(section("## Warnings"));
        for code in Code::ALL {
            let table = match code.severity() {
                Severity::Error => &errors,
                Severity::Warning => &warnings,
            };
            assert!(
                table.contains(&code.as_str()),
                "{} missing from docs/errors.md",
                code.as_str()
            );
        }
        let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        for code in errors.iter().chain(&warnings) {
            assert!(known.contains(code), "docs/errors.md lists {code}, which the code never uses");
        }
        assert_eq!(errors.len() + warnings.len(), Code::ALL.len(), "a code is listed twice");
    }

    #[test]
    fn codes_are_unique_snake_case() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            let s = code.as_str();
            assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{s}");
            assert!(seen.insert(s), "{s} used twice");
        }
    }

    #[test]
    fn dates_are_strict() {
        assert!(parse_date("2026-02-28").is_ok());
        assert!(parse_date("2028-02-29").is_ok());
        for bad in ["2026-02-30", "2026-13-01", "2026-00-10", "0000-00-00"] {
            assert!(matches!(parse_date(bad), Err(DateError::NoSuchDay)), "{bad}");
        }
        for bad in ["2026-2-28", "26-02-28", "2026/02/28", "2026-02-28T00", "", "２０２６-02-28"]
        {
            assert!(matches!(parse_date(bad), Err(DateError::Format)), "{bad}");
        }
        assert!(matches!(parse_date("+026-02-28"), Err(DateError::Format)));
    }

    #[test]
    fn paths_sort_in_input_order() {
        assert!(input_order("workers[2].id") < input_order("workers[10].id"));
        assert!(input_order("workers[10].id") < input_order("demands[0].id"));
        assert!(input_order("locked[3]") < input_order("travel[0].km"));
        assert!(input_order("travel[0].km") < input_order("options.standby_per_slot"));
    }

    #[test]
    fn builds_the_model_as_documented() {
        use crate::format::{DateRange, Demand, TravelOverride};
        let at = Location::new(45.0, 7.0);
        let mut w0 = Worker::new(
            "w0",
            at,
            vec![
                DateRange::new("2026-04-01", "2026-05-02"),
                DateRange::new("2026-05-04", "2026-09-01"),
            ],
        );
        w0.skills.insert("weeding".into(), 2);
        w0.skills.insert("driving".into(), 4);
        w0.excluded_farms = vec!["zz-farm".into(), "f2".into(), "f2".into()];
        w0.preferred_farms = vec!["f1".into()];
        w0.crew = Some("red".into());
        let mut w1 = Worker::new("w1", at, vec![DateRange::new("2026-05-01", "2026-05-01")]);
        w1.max_travel_km = Some(7.5);
        w1.max_days = Some(i64::MAX);
        w1.crew = Some("blue".into());
        let mut d0 = Demand::new("d0", "f2", at, "2026-05-03", "2026-05-05", 2);
        d0.required_skills.insert("apples".into(), 1);
        let d1 = Demand::new("d1", "f1", at, "2026-05-01", "2026-05-02", 1);
        let problem = Problem {
            workers: vec![w0, w1],
            demands: vec![d0, d1],
            locked: vec![
                Assignment::new("w0", "d1", "2026-05-02"),
                Assignment::new("w1", "d1", "2026-05-01"),
            ],
            previous: vec![
                Assignment::new("w0", "d0", "2026-05-04"),
                Assignment::new("w1", "d0", "2026-04-01"),
                Assignment::new("w0", "d0", "2026-05-04"),
            ],
            travel: vec![TravelOverride { worker_id: "w1".into(), farm_id: "f1".into(), km: 3.0 }],
            ..Problem::default()
        };
        let inst = validate(&problem).expect("valid");
        assert_eq!(inst.first_date, NaiveDate::from_ymd_opt(2026, 5, 1).unwrap());
        assert_eq!(inst.n_days, 5);
        assert_eq!(inst.farms, ["f2", "f1", "zz-farm"]);
        assert_eq!(inst.skills, ["apples", "driving", "weeding"]);
        assert_eq!(inst.crews, ["red", "blue"]);
        let (w0, w1) = (&inst.workers[0], &inst.workers[1]);
        assert_eq!(w0.skills, [(1, 4), (2, 2)]);
        assert_eq!(w0.excluded, [0, 2]);
        assert_eq!(w0.preferred, [1]);
        assert_eq!(w0.max_km, 30.0);
        assert_eq!(w1.max_km, 7.5);
        // i64::MAX days (clamped to u32::MAX) for one available date is
        // no limit at all.
        assert_eq!(w1.max_days, None);
        assert_eq!((w0.crew, w1.crew), (Some(0), Some(1)));
        let days = |w: &WorkerM| (0..7).filter(|&d| w.available.contains(d)).collect::<Vec<_>>();
        assert_eq!(days(w0), [0, 1, 3, 4]);
        assert_eq!(days(w1), [0]);
        let d0 = &inst.demands[0];
        assert_eq!((d0.farm, d0.start, d0.end, d0.per_day), (0, 2, 4, 2));
        assert_eq!(d0.required, [(0, 1)]);
        let fixed = |worker, demand, day| Fixed { worker, demand, day };
        assert_eq!(inst.locked, [fixed(0, 1, 1), fixed(1, 1, 0)]);
        // Entries that cannot be kept stay (w0 excludes f2 and lacks apples),
        // except the one dated before the horizon: it has no day number and
        // stays only in `previous_raw`.
        assert_eq!(inst.previous, [fixed(0, 0, 3)]);
        assert_eq!(inst.previous_raw, problem.previous[..2]);
        assert_eq!(inst.travel.get(&(1, 1)), Some(&3.0));
        assert_eq!(inst.travel.len(), 1);
        let codes: Vec<&str> = inst.warnings.iter().map(|w| w.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "farm_not_in_demands",
                "required_skill_unmatched",
                "previous_not_keepable",
                "previous_not_keepable",
                "duplicate_previous"
            ]
        );
    }

    #[test]
    fn distances_beyond_a_limit_show_that_they_are() {
        for (km, limit, shown) in [
            (31.24, 30.0, "31.2"),
            (30.04, 30.0, "30.04"),
            (30.0004, 30.0, "30.0004"),
            (30.000_000_1, 30.0, "30.0000001"),
            (1e20, 30.0, "100000000000000000000.0"),
        ] {
            assert_eq!(Beyond(km, limit).to_string(), shown, "{km} beyond {limit}");
        }
    }

    #[test]
    fn key_paths_quote_odd_names() {
        assert_eq!(key_path("w.skills", "pruning"), "w.skills.pruning");
        assert_eq!(key_path("w.skills", ""), "w.skills[\"\"]");
        assert_eq!(key_path("w.skills", "a.b"), "w.skills[\"a.b\"]");
    }
}
