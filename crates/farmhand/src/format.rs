//! The wire format: serde types that mirror `shared/spec/format.md` field for
//! field.
//!
//! These types are deliberately loose (ids and dates are strings, integers are
//! `i64`) so that *every* mistake in a problem reaches [`crate::validate`] and
//! is reported with its JSON path, instead of failing deserialisation at the
//! first bad value. The solver never sees these types: validation turns them
//! into the dense internal model.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A point on the Earth, in degrees.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// Latitude in degrees, within [-90, 90].
    pub lat: f64,
    /// Longitude in degrees, within [-180, 180].
    pub lon: f64,
}

impl Location {
    /// A location from latitude and longitude in degrees.
    pub fn new(lat: f64, lon: f64) -> Self {
        Self { lat, lon }
    }
}

/// An inclusive range of calendar dates (`YYYY-MM-DD`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateRange {
    /// First date of the range.
    pub start: String,
    /// Last date of the range (inclusive).
    pub end: String,
}

impl DateRange {
    /// A range from two `YYYY-MM-DD` dates.
    pub fn new(start: impl Into<String>, end: impl Into<String>) -> Self {
        Self { start: start.into(), end: end.into() }
    }
}

/// One person who can be sent to farms.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Worker {
    /// Unique among workers, 1..=128 characters.
    pub id: String,
    /// Where the worker starts the day (home or pickup point).
    #[serde(deserialize_with = "object::one")]
    pub location: Location,
    /// The farthest one-way distance the worker accepts; `None` means
    /// `options.default_max_travel_km`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_travel_km: Option<f64>,
    /// Skill name to level 1..=5.
    #[cfg_attr(feature = "openapi", schema(nullable))]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty", deserialize_with = "skill_map")]
    pub skills: BTreeMap<String, i64>,
    /// Inclusive date ranges the worker can work; they may overlap.
    #[serde(deserialize_with = "object::list")]
    pub availability: Vec<DateRange>,
    /// At most this many assigned days in the whole problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_days: Option<i64>,
    /// At most this many assigned calendar days in a row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_consecutive_days: Option<i64>,
    /// Farms this worker is never sent to.
    #[cfg_attr(feature = "openapi", schema(nullable))]
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_default")]
    pub excluded_farms: Vec<String>,
    /// Farms this worker returns to (rewarded by `preference_bonus_km`).
    #[cfg_attr(feature = "openapi", schema(nullable))]
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "null_default")]
    pub preferred_farms: Vec<String>,
    /// Standing crew: members working on the same date work on the same demand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crew: Option<String>,
}

impl Worker {
    /// A worker with the required fields and every optional one at its default.
    pub fn new(id: impl Into<String>, location: Location, availability: Vec<DateRange>) -> Self {
        Self {
            id: id.into(),
            location,
            max_travel_km: None,
            skills: BTreeMap::new(),
            availability,
            max_days: None,
            max_consecutive_days: None,
            excluded_farms: Vec::new(),
            preferred_farms: Vec::new(),
            crew: None,
        }
    }
}

/// One farm's request for hands over a date range.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Demand {
    /// Unique among demands, 1..=128 characters.
    pub id: String,
    /// The farm; several demands may share one.
    pub farm_id: String,
    /// Where the work is.
    #[serde(deserialize_with = "object::one")]
    pub location: Location,
    /// First date (inclusive).
    pub start: String,
    /// Last date (inclusive).
    pub end: String,
    /// Headcount needed on every date of the range (>= 1).
    pub workers_per_day: i64,
    /// Skill name to minimum level 1..=5 every worker sent must have.
    #[cfg_attr(feature = "openapi", schema(nullable))]
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty", deserialize_with = "skill_map")]
    pub required_skills: BTreeMap<String, i64>,
    /// Weight of each filled worker-day, 1..=100.
    #[cfg_attr(feature = "openapi", schema(nullable))]
    #[serde(default = "default_priority", deserialize_with = "null_priority")]
    pub priority: i64,
}

fn default_priority() -> i64 {
    1
}

impl Demand {
    /// A demand with the required fields, no required skills and priority 1.
    pub fn new(
        id: impl Into<String>,
        farm_id: impl Into<String>,
        location: Location,
        start: impl Into<String>,
        end: impl Into<String>,
        workers_per_day: i64,
    ) -> Self {
        Self {
            id: id.into(),
            farm_id: farm_id.into(),
            location,
            start: start.into(),
            end: end.into(),
            workers_per_day,
            required_skills: BTreeMap::new(),
            priority: 1,
        }
    }
}

/// A worker on a demand on a date, as given in `locked` and `previous`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assignment {
    /// The worker's id.
    pub worker_id: String,
    /// The demand's id.
    pub demand_id: String,
    /// The date, `YYYY-MM-DD`.
    pub date: String,
}

impl Assignment {
    /// An assignment of a worker to a demand on a date.
    pub fn new(
        worker_id: impl Into<String>,
        demand_id: impl Into<String>,
        date: impl Into<String>,
    ) -> Self {
        Self { worker_id: worker_id.into(), demand_id: demand_id.into(), date: date.into() }
    }
}

/// The real one-way travel distance of one (worker, farm) pair.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TravelOverride {
    /// The worker's id.
    pub worker_id: String,
    /// The farm's id.
    pub farm_id: String,
    /// Distance in km, >= 0; replaces the great-circle distance.
    pub km: f64,
}

/// Solver options. Every field has the spec's default.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Options {
    /// `max_travel_km` of workers that give none (> 0).
    #[cfg_attr(feature = "openapi", schema(nullable))]
    #[serde(deserialize_with = "option_default_max_travel_km")]
    pub default_max_travel_km: f64,
    /// Spread shortage over demands (objective level 2).
    #[cfg_attr(feature = "openapi", schema(nullable))]
    #[serde(deserialize_with = "option_share_shortage")]
    pub share_shortage: bool,
    /// Bonus in km for each consecutive-date pair on the same demand.
    #[cfg_attr(feature = "openapi", schema(nullable))]
    #[serde(deserialize_with = "option_continuity_bonus_km")]
    pub continuity_bonus_km: f64,
    /// Bonus in km for each assignment to one of the worker's preferred farms.
    #[cfg_attr(feature = "openapi", schema(nullable))]
    #[serde(deserialize_with = "option_preference_bonus_km")]
    pub preference_bonus_km: f64,
    /// Bonus in km for each `previous` assignment kept.
    #[cfg_attr(feature = "openapi", schema(nullable))]
    #[serde(deserialize_with = "option_stability_bonus_km")]
    pub stability_bonus_km: f64,
    /// List up to this many stand-in workers per slot (0..=20).
    #[cfg_attr(feature = "openapi", schema(nullable))]
    #[serde(deserialize_with = "option_standby_per_slot")]
    pub standby_per_slot: i64,
    /// Stop improving after this many milliseconds (>= 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_limit_ms: Option<i64>,
    /// Include reasons for every unfilled slot.
    #[cfg_attr(feature = "openapi", schema(nullable))]
    #[serde(deserialize_with = "option_explain")]
    pub explain: bool,
}

/// `null` for an option means its default, as leaving it out does (see
/// [`null_default`]).
macro_rules! null_means_the_default_option {
    ($($name:ident => $field:ident: $ty:ty,)*) => {$(
        fn $name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
            Ok(Option::<$ty>::deserialize(d)?.unwrap_or_else(|| Options::default().$field))
        }
    )*};
}

null_means_the_default_option! {
    option_default_max_travel_km => default_max_travel_km: f64,
    option_share_shortage => share_shortage: bool,
    option_continuity_bonus_km => continuity_bonus_km: f64,
    option_preference_bonus_km => preference_bonus_km: f64,
    option_stability_bonus_km => stability_bonus_km: f64,
    option_standby_per_slot => standby_per_slot: i64,
    option_explain => explain: bool,
}

/// `null` where a field has a default means the default, as leaving the
/// field out does: JSON writers emit it for "not given" (Python's `None`,
/// JavaScript's `null`). The fields that are `Option`s read it so anyway.
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

fn null_priority<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(Option::<i64>::deserialize(d)?.unwrap_or_else(default_priority))
}

impl Default for Options {
    fn default() -> Self {
        Self {
            default_max_travel_km: 30.0,
            share_shortage: true,
            continuity_bonus_km: 10.0,
            preference_bonus_km: 5.0,
            stability_bonus_km: 50.0,
            standby_per_slot: 0,
            time_limit_ms: None,
            explain: true,
        }
    }
}

/// A matching problem: who can work, what is needed, and how to weigh it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    /// The people who can be sent.
    #[serde(deserialize_with = "object::list")]
    pub workers: Vec<Worker>,
    /// The farms' requests.
    #[serde(deserialize_with = "object::list")]
    pub demands: Vec<Demand>,
    /// Confirmed assignments that must be kept.
    #[cfg_attr(feature = "openapi", schema(nullable))]
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "object::list_or_null"
    )]
    pub locked: Vec<Assignment>,
    /// An earlier plan; keeping its assignments is rewarded.
    #[cfg_attr(feature = "openapi", schema(nullable))]
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "object::list_or_null"
    )]
    pub previous: Vec<Assignment>,
    /// Real travel distances replacing the great-circle ones.
    #[cfg_attr(feature = "openapi", schema(nullable))]
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "object::list_or_null"
    )]
    pub travel: Vec<TravelOverride>,
    /// Solver options.
    #[cfg_attr(feature = "openapi", schema(nullable))]
    #[serde(default, deserialize_with = "object::one_or_default")]
    pub options: Options,
}

impl Problem {
    /// Parses a problem from JSON text. Unknown fields are an error. Stops
    /// at the first error and reads no byte-order mark: for input from
    /// people or other programs, [`Problem::parse_json`] lists every error
    /// and skips the mark, as the CLI and the HTTP service do.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Parses a problem from JSON text, listing every value of the wrong
    /// type, unknown field and missing field (up to
    /// [`MAX_JSON_ERRORS`](crate::MAX_JSON_ERRORS)), not only the first.
    pub fn parse_json(text: &str) -> Result<Self, crate::JsonErrors> {
        crate::parse_json(text)
    }

    /// How many slots (demand, date pairs) the problem asks to fill: what
    /// the work of a solve and the size of its solution grow with. Cheap
    /// (no validation), for a service that bounds the work it accepts
    /// before solving. A demand whose dates do not parse, or that ends
    /// before it starts, counts none: validation reports it.
    pub fn slot_count(&self) -> u64 {
        use crate::validate::parse_date;
        self.demands
            .iter()
            .map(|d| match (parse_date(&d.start), parse_date(&d.end)) {
                (Ok(start), Ok(end)) if start <= end => {
                    u64::try_from((end - start).num_days()).map_or(0, |n| n + 1)
                }
                _ => 0,
            })
            .sum()
    }

    /// The problem as pretty JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a problem always serialises")
    }
}

/// One assignment of a solution.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SolvedAssignment {
    /// The worker's id.
    pub worker_id: String,
    /// The demand's id.
    pub demand_id: String,
    /// The demand's farm.
    pub farm_id: String,
    /// The date, `YYYY-MM-DD`.
    pub date: String,
    /// One-way distance in km (override or haversine).
    pub distance_km: f64,
}

/// Why a slot is short of workers (the spec's table, first that applies).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// No worker's travel limit reaches the demand at all.
    NoWorkerInRange,
    /// Workers reach it, none has the required skills.
    NoWorkerWithSkills,
    /// Reachable, skilled workers exist, none is available that date.
    NoWorkerAvailable,
    /// Eligible workers exist but limits, exclusions or crews rule them out.
    WorkerLimits,
    /// Eligible workers exist and are all assigned elsewhere that date.
    TakenByOtherDemands,
}

impl ReasonCode {
    /// The code as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::NoWorkerInRange => "no_worker_in_range",
            ReasonCode::NoWorkerWithSkills => "no_worker_with_skills",
            ReasonCode::NoWorkerAvailable => "no_worker_available",
            ReasonCode::WorkerLimits => "worker_limits",
            ReasonCode::TakenByOtherDemands => "taken_by_other_demands",
        }
    }
}

/// The best level of a required skill among the workers in range.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkillGap {
    /// The level the demand requires.
    pub needed: i64,
    /// The best level any worker in range has (0 when none has the skill).
    pub best: i64,
}

/// The reason a slot is short, with the code's extra fields.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// The stable code.
    pub code: ReasonCode,
    /// A sentence for a person.
    pub message: String,
    /// `no_worker_in_range`: distance to the nearest worker with the skills.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nearest_km: Option<f64>,
    /// `no_worker_with_skills`: per required skill, needed and best level.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "object::option_map"
    )]
    pub closest_skill_gap: Option<BTreeMap<String, SkillGap>>,
    /// `taken_by_other_demands`: how many eligible workers exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eligible: Option<u64>,
    /// `taken_by_other_demands`: up to 5 demand ids that took them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_by: Option<Vec<String>>,
}

/// A slot that did not get all its workers.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unfilled {
    /// The demand.
    pub demand_id: String,
    /// The date.
    pub date: String,
    /// How many workers are missing.
    pub missing: i64,
    /// Why; absent when `options.explain` is false.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "object::option_one"
    )]
    pub reason: Option<Reason>,
}

/// A stand-in worker for a slot.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandbyWorker {
    /// The worker's id.
    pub worker_id: String,
    /// One-way distance in km.
    pub distance_km: f64,
}

/// Stand-in workers for one slot, nearest first.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Standby {
    /// The demand.
    pub demand_id: String,
    /// The date.
    pub date: String,
    /// Eligible workers with no assignment that date, nearest first.
    #[serde(deserialize_with = "object::list")]
    pub workers: Vec<StandbyWorker>,
}

/// Headline figures of a solution.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    /// Number of workers in the problem.
    pub workers: u64,
    /// Number of demands in the problem.
    pub demands: u64,
    /// Number of (demand, date) pairs.
    pub slots: u64,
    /// Sum of `workers_per_day` over all slots.
    pub worker_days_needed: u64,
    /// Number of assignments.
    pub worker_days_filled: u64,
    /// Filled over needed, 1 when nothing is needed.
    pub fill_rate: f64,
    /// Sum of priority over assignments.
    pub weighted_fill: i64,
    /// A proven upper bound on `weighted_fill`.
    pub weighted_fill_bound: i64,
    /// Sum of `distance_km` over assignments.
    pub total_distance_km: f64,
    /// Sum over slots of `(needed - filled)^2 / needed`.
    pub shortage_imbalance: f64,
    /// Consecutive-date pairs of the same worker on the same demand.
    pub continuity_pairs: u64,
    /// Assignments to one of the worker's preferred farms.
    pub preferred_assignments: u64,
    /// `previous` assignments kept.
    pub previous_kept: u64,
    /// Objective level 3: distance minus bonuses.
    pub objective_km: f64,
    /// `Some(true)` proven optimal, `Some(false)` may not be, `None` unknown.
    pub optimal: Option<bool>,
    /// Wall time of the solve in milliseconds.
    pub elapsed_ms: f64,
}

/// A solution: who goes where on which date, what is unfilled and why.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Solution {
    /// Sorted by (date, demand_id, worker_id).
    #[serde(deserialize_with = "object::list")]
    pub assignments: Vec<SolvedAssignment>,
    /// Sorted by (date, demand_id).
    #[serde(deserialize_with = "object::list")]
    pub unfilled: Vec<Unfilled>,
    /// Present only when `options.standby_per_slot > 0`; sorted by (date, demand_id).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "object::option_list"
    )]
    pub standby: Option<Vec<Standby>>,
    /// `previous` assignments not kept: the people to call.
    #[serde(deserialize_with = "object::list")]
    pub dropped_previous: Vec<Assignment>,
    /// Headline figures.
    #[serde(deserialize_with = "object::one")]
    pub summary: Summary,
    /// Suspicious but legal things noticed in the problem.
    pub warnings: Vec<String>,
}

impl Solution {
    /// Parses a solution from JSON text.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Parses a solution from JSON text, listing every error found (see
    /// [`Problem::parse_json`]).
    pub fn parse_json(text: &str) -> Result<Self, crate::JsonErrors> {
        crate::parse_json(text)
    }

    /// The solution as pretty JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a solution always serialises")
    }
}

/// A map of skill names to levels that rejects a skill named twice: JSON
/// allows a repeated key, and the last one would silently win where the
/// spec wants no typo ignored.
fn skill_map<'de, D: serde::Deserializer<'de>>(d: D) -> Result<BTreeMap<String, i64>, D::Error> {
    struct Skills;
    impl<'de> serde::de::Visitor<'de> for Skills {
        type Value = BTreeMap<String, i64>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object of skill names to levels, such as {\"pruning\": 3}")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut skills = BTreeMap::new();
            while let Some((name, level)) = map.next_entry::<String, i64>()? {
                if skills.contains_key(&name) {
                    return Err(serde::de::Error::custom(format!(
                        "skill {name:?} is given twice; keep one level for it"
                    )));
                }
                skills.insert(name, level);
            }
            Ok(skills)
        }
    }
    /// `null` is no skills, as leaving the field out is.
    struct OrNull;
    impl<'de> serde::de::Visitor<'de> for OrNull {
        type Value = BTreeMap<String, i64>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            serde::de::Visitor::expecting(&Skills, f)
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }

        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(Skills)
        }
    }
    d.deserialize_option(OrNull)
}

/// Objects only where the format has objects. serde's derived structs also
/// read a list, field by field in declaration order, so `[127.1, 35.8]`
/// for a location would be taken as latitude 127.1 and a worker written as
/// a list would pass with its fields guessed by position. These read a JSON
/// object into the type and refuse anything else with serde's own "invalid
/// type: sequence, expected struct ..." error, which the parser (`Problem::parse_json`) turns
/// into "expected an object {...}, got a list" at the value's path.
///
/// Public so that request types which embed the format's types (the HTTP
/// service's `{"problem": ..., "solution": ...}`) refuse lists the same way:
/// `#[serde(deserialize_with = "farmhand::format::object::one")]`.
pub mod object {
    use std::collections::BTreeMap;
    use std::marker::PhantomData;

    use serde::de::value::MapAccessDeserializer;
    use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

    /// A `T` read from a JSON object only.
    struct Obj<T>(T);

    impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct Only<T>(PhantomData<T>);
            impl<'de, T: Deserialize<'de>> Visitor<'de> for Only<T> {
                type Value = T;

                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    let name = std::any::type_name::<T>();
                    write!(f, "struct {}", name.rsplit("::").next().unwrap_or(name))
                }

                fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                    T::deserialize(MapAccessDeserializer::new(map))
                }
            }
            d.deserialize_map(Only(PhantomData)).map(Obj)
        }
    }

    fn unwrap<T>(items: Vec<Obj<T>>) -> Vec<T> {
        items.into_iter().map(|o| o.0).collect()
    }

    /// A `T` from an object.
    pub fn one<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<T, D::Error> {
        Ok(Obj::deserialize(d)?.0)
    }

    /// A `T` from an object; `null` is the default, as leaving the field
    /// out is.
    pub fn one_or_default<'de, D, T>(d: D) -> Result<T, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de> + Default,
    {
        Ok(Option::<Obj<T>>::deserialize(d)?.map(|o| o.0).unwrap_or_default())
    }

    /// A `T` from an object, or `None` for `null` or a field left out.
    pub fn option_one<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Ok(Option::<Obj<T>>::deserialize(d)?.map(|o| o.0))
    }

    /// A list of `T`s, each from an object.
    pub fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Ok(unwrap(Vec::deserialize(d)?))
    }

    /// A list of `T`s from objects; `null` is an empty list, as leaving
    /// the field out is.
    pub fn list_or_null<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Ok(Option::<Vec<Obj<T>>>::deserialize(d)?.map(unwrap).unwrap_or_default())
    }

    /// A list of `T`s from objects, or `None` for `null`.
    pub fn option_list<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Ok(Option::<Vec<Obj<T>>>::deserialize(d)?.map(unwrap))
    }

    /// An object of `T`s, each from an object, or `None` for `null`.
    pub fn option_map<'de, D, T>(d: D) -> Result<Option<BTreeMap<String, T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        let map = Option::<BTreeMap<String, Obj<T>>>::deserialize(d)?;
        Ok(map.map(|m| m.into_iter().map(|(k, v)| (k, v.0)).collect()))
    }
}
