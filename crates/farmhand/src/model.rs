//! The solver's own model: dense indices, day numbers and bitsets.
//!
//! An [`Instance`] can only be built by [`crate::validate`]; holding one means
//! every id resolved, every date parsed and every number is in range. The
//! solver, the candidate generator and the explainer read only this model.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::format::{Location, Options};
use crate::validate::Issue;

/// Day number: days since [`Instance::first_date`].
pub(crate) type Day = u32;

/// A set of days as a bitset over the instance horizon.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct DaySet {
    words: Vec<u64>,
}

impl DaySet {
    pub(crate) fn new(n_days: u32) -> Self {
        Self { words: vec![0; (n_days as usize).div_ceil(64)] }
    }

    /// Marks days `start..=end` (clamped to the horizon by the caller).
    pub(crate) fn insert_range(&mut self, start: Day, end: Day) {
        for day in start..=end {
            self.words[(day / 64) as usize] |= 1 << (day % 64);
        }
    }

    /// Days `start..start + len` (`len` at most 64) as bits, day `start`
    /// in bit 0.
    pub(crate) fn window(&self, start: Day, len: u32) -> u64 {
        debug_assert!(len <= 64);
        let (i, off) = ((start / 64) as usize, start % 64);
        let lo = self.words.get(i).copied().unwrap_or(0) >> off;
        let hi =
            if off > 0 { self.words.get(i + 1).copied().unwrap_or(0) << (64 - off) } else { 0 };
        let bits = lo | hi;
        if len < 64 {
            bits & ((1u64 << len) - 1)
        } else {
            bits
        }
    }

    pub(crate) fn contains(&self, day: Day) -> bool {
        self.words.get((day / 64) as usize).is_some_and(|w| w & (1 << (day % 64)) != 0)
    }

    /// Length of the run of days in the set through `day`, counting `day`
    /// itself as if it were in the set.
    pub(crate) fn run_through(&self, day: Day, n_days: u32) -> u32 {
        let mut run = 1;
        let mut d = day;
        while d > 0 && self.contains(d - 1) {
            run += 1;
            d -= 1;
        }
        let mut d = day + 1;
        while d < n_days && self.contains(d) {
            run += 1;
            d += 1;
        }
        run
    }
}

/// A validated worker.
#[derive(Debug, Clone)]
pub(crate) struct WorkerM {
    pub(crate) id: String,
    pub(crate) location: Location,
    /// Own limit or the default; finite and > 0.
    pub(crate) max_km: f64,
    /// (skill index, level), sorted by skill index.
    pub(crate) skills: Vec<(u32, u8)>,
    /// Days the worker is available, within the horizon.
    pub(crate) available: DaySet,
    pub(crate) max_days: Option<u32>,
    pub(crate) max_consecutive: Option<u32>,
    /// Farm indices, sorted and deduplicated.
    pub(crate) excluded: Vec<u32>,
    /// Farm indices, sorted and deduplicated.
    pub(crate) preferred: Vec<u32>,
    pub(crate) crew: Option<u32>,
}

impl WorkerM {
    pub(crate) fn skill_level(&self, skill: u32) -> u8 {
        match self.skills.binary_search_by_key(&skill, |&(s, _)| s) {
            Ok(i) => self.skills[i].1,
            Err(_) => 0,
        }
    }

    /// Rule 6: every required skill at the required level or higher.
    pub(crate) fn has_skills(&self, required: &[(u32, u8)]) -> bool {
        required.iter().all(|&(s, level)| self.skill_level(s) >= level)
    }

    pub(crate) fn excludes(&self, farm: u32) -> bool {
        self.excluded.binary_search(&farm).is_ok()
    }

    pub(crate) fn prefers(&self, farm: u32) -> bool {
        self.preferred.binary_search(&farm).is_ok()
    }
}

/// A validated demand.
#[derive(Debug, Clone)]
pub(crate) struct DemandM {
    pub(crate) id: String,
    pub(crate) farm: u32,
    pub(crate) location: Location,
    pub(crate) start: Day,
    pub(crate) end: Day,
    pub(crate) per_day: u32,
    /// (skill index, minimum level), sorted by skill index.
    pub(crate) required: Vec<(u32, u8)>,
    pub(crate) priority: u32,
}

impl DemandM {
    pub(crate) fn is_active(&self, day: Day) -> bool {
        self.start <= day && day <= self.end
    }
}

/// A (worker, demand, day) triple from `locked` or `previous`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Fixed {
    pub(crate) worker: u32,
    pub(crate) demand: u32,
    pub(crate) day: Day,
}

/// A validated problem, ready for the solver.
///
/// Built only by [`crate::validate`]. Cheap to share between threads.
#[derive(Debug, Clone)]
pub struct Instance {
    /// Day 0. Every demand date lies in `first_date .. first_date + n_days`.
    pub(crate) first_date: NaiveDate,
    pub(crate) n_days: u32,
    pub(crate) workers: Vec<WorkerM>,
    pub(crate) demands: Vec<DemandM>,
    /// Farm index to farm id; farms come from demands, excluded/preferred
    /// lists and travel overrides.
    pub(crate) farms: Vec<String>,
    /// Skill index to skill name.
    pub(crate) skills: Vec<String>,
    /// Crew index to crew name (for messages and tests).
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) crews: Vec<String>,
    /// Locked assignments, sorted and deduplicated; all obey rules 1-9.
    pub(crate) locked: Vec<Fixed>,
    /// Previous assignments that resolve to known ids and dates, sorted and
    /// deduplicated (they may be impossible to keep).
    pub(crate) previous: Vec<Fixed>,
    /// `previous` entries in input order, for `dropped_previous`.
    pub(crate) previous_raw: Vec<crate::format::Assignment>,
    /// (worker, farm) to km.
    pub(crate) travel: HashMap<(u32, u32), f64>,
    pub(crate) options: Options,
    /// Suspicious but legal things in the problem.
    pub(crate) warnings: Vec<Issue>,
}

impl Instance {
    /// Warnings found while validating (suspicious but legal input).
    pub fn warnings(&self) -> &[Issue] {
        &self.warnings
    }

    /// Number of workers.
    pub fn n_workers(&self) -> usize {
        self.workers.len()
    }

    /// Number of demands.
    pub fn n_demands(&self) -> usize {
        self.demands.len()
    }

    /// Number of days in the horizon (first demand date to last).
    pub fn n_days(&self) -> u32 {
        self.n_days
    }

    /// The options of the problem, with defaults applied.
    pub fn options(&self) -> &Options {
        &self.options
    }

    pub(crate) fn date(&self, day: Day) -> NaiveDate {
        self.first_date + chrono::Days::new(u64::from(day))
    }

    pub(crate) fn date_string(&self, day: Day) -> String {
        self.date(day).format("%Y-%m-%d").to_string()
    }

    /// Rule 5 distance for a (worker, demand) pair: the override if any, else
    /// haversine.
    pub(crate) fn distance_km(&self, worker: u32, demand: u32) -> f64 {
        let d = &self.demands[demand as usize];
        match self.travel.get(&(worker, d.farm)) {
            Some(&km) => km,
            None => {
                crate::geo_util::haversine_km(self.workers[worker as usize].location, d.location)
            }
        }
    }

    /// True when the problem splits into independent dates (no continuity
    /// bonus, no day limits, no crews), so the per-date solve is exact.
    pub(crate) fn splits_by_date(&self) -> bool {
        self.options.continuity_bonus_km == 0.0
            && self
                .workers
                .iter()
                .all(|w| w.max_days.is_none() && w.max_consecutive.is_none() && w.crew.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_matches_contains() {
        let n_days = 200;
        let mut set = DaySet::new(n_days);
        for (a, b) in [(0, 3), (60, 70), (127, 129), (190, 199)] {
            set.insert_range(a, b);
        }
        for start in 0..n_days {
            for len in [1, 5, 63, 64] {
                let bits = set.window(start, len);
                for i in 0..len {
                    let day = start + i;
                    let want = day < n_days && set.contains(day);
                    assert_eq!((bits >> i) & 1 == 1, want, "start {start} len {len} day {day}");
                }
                if len < 64 {
                    assert_eq!(bits >> len, 0, "no bits past the window");
                }
            }
        }
    }
}
