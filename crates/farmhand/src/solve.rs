//! The solver: per-date exact min-cost flow, run in parallel over dates, and
//! a date-by-date pass that respects the rules that couple dates.
//!
//! * Problems that split by date (no continuity bonus, no day limits, no
//!   crews) are solved exactly, each date on its own, in parallel.
//! * Other problems first get the same per-date optimum with the coupling
//!   rules relaxed: its weighted fill is `weighted_fill_bound`. When that
//!   relaxed optimum obeys every coupling rule it is the answer; otherwise the
//!   dates are solved in order, each exactly, with the workers that the day
//!   limits and crews still allow.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::candidates::{day_candidates, locked_on, CandidateContext, DayRules};
use crate::explain::explain;
use crate::flow::{solve_transport, Cancelled, NONE};
use crate::format::{Assignment, Problem, Solution, SolvedAssignment, Summary};
use crate::model::{Day, DaySet, Fixed, Instance};
use crate::validate::{validate, ValidationError};

/// Progress of a solve: dates done out of dates total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Dates solved so far.
    pub dates_done: u32,
    /// Dates to solve.
    pub dates_total: u32,
}

/// How a solve is run (not what it optimises: that is `Options`).
///
/// The number of threads is rayon's: run the solve inside a
/// `rayon::ThreadPool::install` to choose it. The result does not depend on
/// it.
#[derive(Clone, Default)]
pub struct SolveConfig {
    /// Set to true to stop the solve promptly; it then returns
    /// [`SolveError::Cancelled`].
    pub cancel: Option<Arc<AtomicBool>>,
    /// Called from solver threads as dates finish.
    pub progress: Option<Arc<dyn Fn(Progress) + Send + Sync>>,
}

impl std::fmt::Debug for SolveConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SolveConfig")
            .field("cancel", &self.cancel)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// Why a solve returned no solution.
#[derive(Debug, thiserror::Error)]
pub enum SolveError {
    /// The problem is invalid; nothing was solved.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The solve was cancelled through [`SolveConfig::cancel`].
    #[error("the solve was cancelled")]
    Cancelled,
}

impl From<Cancelled> for SolveError {
    fn from(_: Cancelled) -> Self {
        SolveError::Cancelled
    }
}

/// Validates and solves a problem with the default configuration.
pub fn solve(problem: &Problem) -> Result<Solution, SolveError> {
    solve_with(problem, &SolveConfig::default())
}

/// Validates and solves a problem.
pub fn solve_with(problem: &Problem, config: &SolveConfig) -> Result<Solution, SolveError> {
    let instance = validate(problem)?;
    solve_instance(&instance, config)
}

/// Solves a validated instance.
pub fn solve_instance(inst: &Instance, config: &SolveConfig) -> Result<Solution, SolveError> {
    let started = Instant::now();
    let deadline = inst
        .options
        .time_limit_ms
        .map(|ms| started + std::time::Duration::from_millis(ms.max(0) as u64));
    let ctx = CandidateContext::new(inst);
    let tracker = Tracker::new(config, inst.n_days, deadline);
    let mut warnings: Vec<String> = inst.warnings.iter().map(|w| w.to_string()).collect();

    let relaxed = solve_dates_independently(inst, &ctx, &tracker)?;
    // The relaxed per-date optimum bounds the weighted fill; a date the time
    // limit cut short or skipped is bounded by filling every slot instead.
    let bound: i64 = relaxed
        .iter()
        .map(|d| if d.proven { d.weighted_fill } else { all_filled(inst, d.day) })
        .sum();
    let mut exact = relaxed.iter().all(|d| d.exact && d.complete);
    let days = if inst.splits_by_date() || coupling_holds(inst, &relaxed) {
        relaxed
    } else {
        exact = false;
        tracker.add_pass();
        solve_dates_in_order(inst, &ctx, &tracker)?
    };
    let cut_short = days.iter().filter(|d| d.complete && !d.proven).count();
    if cut_short > 0 {
        warnings.push(format!(
            "time limit of {} ms reached: {cut_short} date(s) stopped before their plan was proven optimal",
            inst.options.time_limit_ms.unwrap_or_default()
        ));
    }
    let skipped = days.iter().filter(|d| !d.complete).count();
    if skipped > 0 {
        warnings.push(format!(
            "time limit of {} ms reached: {skipped} of {} dates kept only their locked assignments",
            inst.options.time_limit_ms.unwrap_or_default(),
            inst.n_days
        ));
    }
    // Exact per-date optima are the optimum when nothing couples the dates
    // in the objective; continuity is not optimised yet.
    let optimal = Some(exact && inst.options.continuity_bonus_km == 0.0);

    let mut solution = assemble(inst, &ctx, &days, bound, optimal, warnings);
    solution.summary.elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(solution)
}

/// One date's result: assignments as (worker, demand, km), locked included.
#[derive(Debug, Clone, Default)]
pub(crate) struct DayResult {
    pub(crate) day: Day,
    pub(crate) assignments: Vec<(u32, u32, f64)>,
    pub(crate) weighted_fill: i64,
    /// Level 2 was exact.
    pub(crate) exact: bool,
    /// False when the time limit skipped this date.
    pub(crate) complete: bool,
    /// False when the time limit stopped this date's search early (its plan
    /// is sound but may not be optimal).
    pub(crate) proven: bool,
}

/// Counts finished dates and reports progress; checks cancellation.
struct Tracker<'a> {
    config: &'a SolveConfig,
    done: AtomicU32,
    total: AtomicU32,
    n_days: u32,
    deadline: Option<Instant>,
}

impl<'a> Tracker<'a> {
    fn new(config: &'a SolveConfig, n_days: u32, deadline: Option<Instant>) -> Self {
        let total = AtomicU32::new(n_days);
        Tracker { config, done: AtomicU32::new(0), total, n_days, deadline }
    }

    fn past_deadline(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    fn cancelled(&self) -> Result<(), Cancelled> {
        match &self.config.cancel {
            Some(c) if c.load(Ordering::Relaxed) => Err(Cancelled),
            _ => Ok(()),
        }
    }

    fn cancel_flag(&self) -> Option<&AtomicBool> {
        self.config.cancel.as_deref()
    }

    fn date_done(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(p) = &self.config.progress {
            let total = self.total.load(Ordering::Relaxed);
            p(Progress { dates_done: done.min(total), dates_total: total });
        }
    }

    /// A second pass over every date follows: progress counts on, toward a
    /// larger total, so it never goes backwards.
    fn add_pass(&self) {
        self.total.fetch_add(self.n_days, Ordering::Relaxed);
    }
}

/// Every date on its own, in parallel: exact when the problem splits.
fn solve_dates_independently(
    inst: &Instance,
    ctx: &CandidateContext,
    tracker: &Tracker<'_>,
) -> Result<Vec<DayResult>, Cancelled> {
    let locked_by_day = locked_days(inst);
    (0..inst.n_days)
        .into_par_iter()
        .map(|day| {
            tracker.cancelled()?;
            let result = if tracker.past_deadline() {
                locked_only(inst, day)
            } else {
                let mut allowed: Vec<bool> =
                    inst.workers.iter().map(|w| w.available.contains(day)).collect();
                for f in &locked_by_day[day as usize] {
                    allowed[f.worker as usize] = false;
                }
                let rules = DayRules { allowed: &allowed, forced: &HashMap::new() };
                solve_day(inst, ctx, day, &rules, tracker)?
            };
            tracker.date_done();
            Ok(result)
        })
        .collect()
}

fn locked_days(inst: &Instance) -> Vec<Vec<Fixed>> {
    let mut by_day = vec![Vec::new(); inst.n_days as usize];
    for f in &inst.locked {
        by_day[f.day as usize].push(*f);
    }
    by_day
}

fn locked_only(inst: &Instance, day: Day) -> DayResult {
    let assignments: Vec<(u32, u32, f64)> = locked_on(inst, day)
        .map(|f| (f.worker, f.demand, inst.distance_km(f.worker, f.demand)))
        .collect();
    DayResult {
        day,
        weighted_fill: weighted(inst, &assignments),
        assignments,
        exact: false,
        complete: false,
        proven: false,
    }
}

/// The weighted fill of a date if every slot were full: a trivial bound.
fn all_filled(inst: &Instance, day: Day) -> i64 {
    inst.demands
        .iter()
        .filter(|d| d.is_active(day))
        .map(|d| i64::from(d.priority) * i64::from(d.per_day))
        .sum()
}

fn weighted(inst: &Instance, assignments: &[(u32, u32, f64)]) -> i64 {
    assignments.iter().map(|&(_, d, _)| i64::from(inst.demands[d as usize].priority)).sum()
}

/// Solves one date exactly under the given rules; locked assignments included.
fn solve_day(
    inst: &Instance,
    ctx: &CandidateContext,
    day: Day,
    rules: &DayRules<'_>,
    tracker: &Tracker<'_>,
) -> Result<DayResult, Cancelled> {
    let cands = day_candidates(inst, ctx, day, rules);
    let sol = solve_transport(&cands.transport, tracker.cancel_flag(), tracker.deadline)?;
    let mut assignments: Vec<(u32, u32, f64)> = locked_on(inst, day)
        .map(|f| (f.worker, f.demand, inst.distance_km(f.worker, f.demand)))
        .collect();
    for (lw, &a) in sol.assigned.iter().enumerate() {
        if a != NONE {
            let w = cands.workers[lw];
            let d = cands.demands[cands.transport.arc_demand[a as usize] as usize];
            assignments.push((w, d, inst.distance_km(w, d)));
        }
    }
    Ok(DayResult {
        day,
        weighted_fill: weighted(inst, &assignments),
        assignments,
        exact: sol.proven,
        complete: true,
        proven: sol.proven,
    })
}

/// True when per-date results obey day limits and crews.
fn coupling_holds(inst: &Instance, days: &[DayResult]) -> bool {
    let mut worked: Vec<DaySet> = vec![DaySet::new(inst.n_days); inst.workers.len()];
    let mut count = vec![0u32; inst.workers.len()];
    for d in days {
        let mut crew_demand: HashMap<u32, u32> = HashMap::new();
        for &(w, dem, _) in &d.assignments {
            worked[w as usize].insert_range(d.day, d.day);
            count[w as usize] += 1;
            if let Some(c) = inst.workers[w as usize].crew {
                if *crew_demand.entry(c).or_insert(dem) != dem {
                    return false;
                }
            }
        }
    }
    inst.workers.iter().enumerate().all(|(w, wk)| {
        wk.max_days.is_none_or(|m| count[w] <= m)
            && wk.max_consecutive.is_none_or(|m| longest_run(&worked[w], inst.n_days) <= m)
    })
}

fn longest_run(days: &DaySet, n_days: u32) -> u32 {
    let (mut best, mut run) = (0, 0);
    for day in 0..n_days {
        run = if days.contains(day) { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// Dates in calendar order, each solved exactly with the workers that the
/// day limits (given earlier dates and all locked dates) and crews allow.
fn solve_dates_in_order(
    inst: &Instance,
    ctx: &CandidateContext,
    tracker: &Tracker<'_>,
) -> Result<Vec<DayResult>, Cancelled> {
    let locked_by_day = locked_days(inst);
    let n_w = inst.workers.len();
    let mut worked: Vec<DaySet> = vec![DaySet::new(inst.n_days); n_w];
    let mut count = vec![0u32; n_w];
    for f in &inst.locked {
        worked[f.worker as usize].insert_range(f.day, f.day);
        count[f.worker as usize] += 1;
    }
    let mut results = Vec::with_capacity(inst.n_days as usize);
    for day in 0..inst.n_days {
        tracker.cancelled()?;
        if tracker.past_deadline() {
            results.push(locked_only(inst, day));
            tracker.date_done();
            continue;
        }
        let mut allowed = vec![false; n_w];
        for (w, wk) in inst.workers.iter().enumerate() {
            allowed[w] = wk.available.contains(day)
                && !worked[w].contains(day)
                && wk.max_days.is_none_or(|m| count[w] < m)
                && wk.max_consecutive.is_none_or(|m| worked[w].run_through(day, inst.n_days) <= m);
        }
        // Crew members of a member locked today may only join that demand.
        let mut forced: HashMap<u32, u32> = HashMap::new();
        let mut crew_target: HashMap<u32, u32> = HashMap::new();
        for f in &locked_by_day[day as usize] {
            if let Some(c) = inst.workers[f.worker as usize].crew {
                crew_target.insert(c, f.demand);
            }
        }
        let result = loop {
            forced.clear();
            for (w, wk) in inst.workers.iter().enumerate() {
                if let Some(&target) = wk.crew.and_then(|c| crew_target.get(&c)) {
                    forced.insert(w as u32, target);
                }
            }
            let rules = DayRules { allowed: &allowed, forced: &forced };
            let result = solve_day(inst, ctx, day, &rules, tracker)?;
            // A crew split over demands gets a target: the demand with most
            // of its members (ties: the lowest demand index); re-solve.
            let mut split = false;
            let mut by_crew: HashMap<u32, Vec<u32>> = HashMap::new();
            for &(w, dem, _) in &result.assignments {
                if let Some(c) = inst.workers[w as usize].crew {
                    by_crew.entry(c).or_default().push(dem);
                }
            }
            let mut crews: Vec<_> = by_crew.into_iter().collect();
            crews.sort_by_key(|(c, _)| *c);
            for (c, mut dems) in crews {
                dems.sort_unstable();
                if dems.first() != dems.last() && !crew_target.contains_key(&c) {
                    let mut best = (0usize, u32::MAX);
                    for chunk in dems.chunk_by(|a, b| a == b) {
                        if chunk.len() > best.0 {
                            best = (chunk.len(), chunk[0]);
                        }
                    }
                    crew_target.insert(c, best.1);
                    split = true;
                }
            }
            if !split {
                break result;
            }
        };
        for &(w, _, _) in &result.assignments {
            if !worked[w as usize].contains(day) {
                worked[w as usize].insert_range(day, day);
                count[w as usize] += 1;
            }
        }
        results.push(result);
        tracker.date_done();
    }
    Ok(results)
}

/// Builds the wire-format solution from per-date results.
fn assemble(
    inst: &Instance,
    ctx: &CandidateContext,
    days: &[DayResult],
    bound: i64,
    optimal: Option<bool>,
    warnings: Vec<String>,
) -> Solution {
    let demand_rank = rank_by_id(inst.demands.iter().map(|d| d.id.as_str()));
    let worker_rank = rank_by_id(inst.workers.iter().map(|w| w.id.as_str()));
    let mut all: Vec<(Day, u32, u32, f64)> = Vec::new();
    for d in days {
        for &(w, dem, km) in &d.assignments {
            all.push((d.day, dem, w, km));
        }
    }
    all.sort_by_key(|&(day, dem, w, _)| (day, demand_rank[dem as usize], worker_rank[w as usize]));

    let opts = &inst.options;
    let mut kept: Vec<Fixed> = Vec::new();
    let mut summary = Summary {
        workers: inst.workers.len() as u64,
        demands: inst.demands.len() as u64,
        slots: 0,
        worker_days_needed: 0,
        worker_days_filled: all.len() as u64,
        fill_rate: 1.0,
        weighted_fill: 0,
        weighted_fill_bound: bound,
        total_distance_km: 0.0,
        shortage_imbalance: 0.0,
        continuity_pairs: 0,
        preferred_assignments: 0,
        previous_kept: 0,
        objective_km: 0.0,
        optimal,
        elapsed_ms: 0.0,
    };
    // Per (demand, day) fill, for unfilled slots and the imbalance.
    let mut fill: HashMap<(u32, Day), u32> = HashMap::new();
    let mut on: std::collections::HashSet<(u32, u32, Day)> = std::collections::HashSet::new();
    for &(day, dem, w, km) in &all {
        let demand = &inst.demands[dem as usize];
        *fill.entry((dem, day)).or_default() += 1;
        on.insert((w, dem, day));
        summary.weighted_fill += i64::from(demand.priority);
        summary.total_distance_km += km;
        let wk = &inst.workers[w as usize];
        if wk.prefers(demand.farm) {
            summary.preferred_assignments += 1;
        }
        let f = Fixed { worker: w, demand: dem, day };
        if inst.previous.binary_search(&f).is_ok() {
            kept.push(f);
        }
    }
    for &(day, dem, w, _) in &all {
        if day + 1 < inst.n_days && on.contains(&(w, dem, day + 1)) {
            summary.continuity_pairs += 1;
        }
    }
    summary.previous_kept = kept.len() as u64;
    for (d, demand) in inst.demands.iter().enumerate() {
        for day in demand.start..=demand.end {
            let n = demand.per_day;
            let f = fill.get(&(d as u32, day)).copied().unwrap_or(0);
            summary.slots += 1;
            summary.worker_days_needed += u64::from(n);
            let short = f64::from(n.saturating_sub(f));
            summary.shortage_imbalance += short * short / f64::from(n);
        }
    }
    if summary.worker_days_needed > 0 {
        summary.fill_rate = summary.worker_days_filled as f64 / summary.worker_days_needed as f64;
    }
    summary.objective_km = summary.total_distance_km
        - opts.preference_bonus_km * summary.preferred_assignments as f64
        - opts.stability_bonus_km * summary.previous_kept as f64
        - opts.continuity_bonus_km * summary.continuity_pairs as f64;

    let assignments: Vec<SolvedAssignment> = all
        .iter()
        .map(|&(day, dem, w, km)| {
            let demand = &inst.demands[dem as usize];
            SolvedAssignment {
                worker_id: inst.workers[w as usize].id.clone(),
                demand_id: demand.id.clone(),
                farm_id: inst.farms[demand.farm as usize].clone(),
                date: inst.date_string(day),
                distance_km: km,
            }
        })
        .collect();

    // Previous assignments not kept, by their wire ids (some may name dates
    // outside the horizon, which no solution can keep).
    let chosen: std::collections::HashSet<(&str, &str, &str)> = assignments
        .iter()
        .map(|a| (a.worker_id.as_str(), a.demand_id.as_str(), a.date.as_str()))
        .collect();
    let mut dropped: Vec<Assignment> = inst
        .previous_raw
        .iter()
        .filter(|p| {
            !chosen.contains(&(p.worker_id.as_str(), p.demand_id.as_str(), p.date.as_str()))
        })
        .cloned()
        .collect();
    dropped.sort_by(|a, b| {
        (&a.date, &a.demand_id, &a.worker_id).cmp(&(&b.date, &b.demand_id, &b.worker_id))
    });
    dropped.dedup();

    let explained = explain(inst, ctx, &all, &fill, &demand_rank);
    Solution {
        assignments,
        unfilled: explained.unfilled,
        standby: explained.standby,
        dropped_previous: dropped,
        summary,
        warnings,
    }
}

/// Rank of each id in byte order, for sorting output as the spec says.
pub(crate) fn rank_by_id<'a>(ids: impl Iterator<Item = &'a str>) -> Vec<u32> {
    let ids: Vec<&str> = ids.collect();
    let mut order: Vec<u32> = (0..ids.len() as u32).collect();
    order.sort_by(|&a, &b| ids[a as usize].cmp(ids[b as usize]));
    let mut rank = vec![0u32; ids.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    rank
}
