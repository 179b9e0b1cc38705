//! Dates that couple: the date-ordered pass, the improvement phase and the
//! greedy plan of dates the time limit left unsolved.
//!
//! All three work on a [`Grid`], who works where on every date, so a date can
//! be planned with both of its neighbours fixed:
//!
//! * a worker may take a new assignment on a date only if `max_days` and
//!   `max_consecutive_days` still hold given every other date of the grid;
//! * each arc `(worker, demand)` earns the continuity bonus once for each
//!   neighbouring date on which the worker works that same demand;
//! * crews get a target demand when the exact plan splits them, and the date
//!   is solved again (as many times as crews split; each time one more crew
//!   is pinned, so it ends).
//!
//! The improvement phase re-plans one date at a time, in calendar order, and
//! keeps the new plan only when the date's part of the objective (its
//! weighted fill, its shortage imbalance, its km less bonuses and the
//! continuity pairs it forms with its neighbours) is lexicographically
//! better. Every other date's part is unchanged by the move, so **the
//! objective never gets worse and every hard rule holds after every move**.
//! Rounds repeat over the dates whose neighbourhood changed, at most
//! [`MAX_ROUNDS`] times, so the phase ends in predictable time.

use std::collections::HashMap;

use crate::candidates::{locked_on, CandidateContext, DayRules, KM_SCALE};
use crate::flow::{Cancelled, NONE};
use crate::index::SpatialIndex;
use crate::model::{Day, Fixed, Instance};
use crate::solve::{locked_only, solve_day, DayResult, Tracker};

/// The clamp of one arc's level-3 cost, as in `candidates.rs` (kept equal
/// by hand: that module is owned elsewhere and keeps its constant private).
pub(crate) const MAX_ARC_COST: i64 = 1_000_000_000_000;

/// Rounds of the improvement phase at most. Nearly all the gain comes in
/// the first two; the bound keeps runs without a time limit predictable.
pub(crate) const MAX_ROUNDS: usize = 4;

/// Who works where on every date: `cell[day * n_w + w]` is a demand or
/// [`NONE`]; `count[w]` the worker's assigned dates.
pub(crate) struct Grid {
    n_w: usize,
    n_days: u32,
    cell: Vec<u32>,
    count: Vec<u32>,
    /// Per date: which workers are locked that date.
    locked: Vec<Vec<u32>>,
}

impl Grid {
    /// A grid with the locked assignments only.
    pub(crate) fn new(inst: &Instance) -> Grid {
        let n_w = inst.workers.len();
        let mut grid = Grid {
            n_w,
            n_days: inst.n_days,
            cell: vec![NONE; n_w * inst.n_days as usize],
            count: vec![0; n_w],
            locked: vec![Vec::new(); inst.n_days as usize],
        };
        for f in &inst.locked {
            grid.set(f.day, f.worker, f.demand);
            grid.locked[f.day as usize].push(f.worker);
        }
        grid
    }

    /// The demand `w` works on `day`, or [`NONE`] (also outside the horizon).
    pub(crate) fn get(&self, day: i64, w: u32) -> u32 {
        if day < 0 || day >= i64::from(self.n_days) {
            return NONE;
        }
        self.cell[day as usize * self.n_w + w as usize]
    }

    fn set(&mut self, day: Day, w: u32, demand: u32) {
        let c = &mut self.cell[day as usize * self.n_w + w as usize];
        match (*c == NONE, demand == NONE) {
            (true, false) => self.count[w as usize] += 1,
            (false, true) => self.count[w as usize] -= 1,
            _ => {}
        }
        *c = demand;
    }

    /// Replaces the plan of one date.
    pub(crate) fn replace(&mut self, old: &DayResult, new: &DayResult) {
        for &(w, _, _) in &old.assignments {
            self.set(old.day, w, NONE);
        }
        for &(w, d, _) in &new.assignments {
            self.set(new.day, w, d);
        }
    }

    /// The run of worked dates through `day` if `w` worked on `day`.
    fn run_through(&self, day: Day, w: u32) -> u32 {
        let mut run = 1;
        let mut d = i64::from(day) - 1;
        while self.get(d, w) != NONE {
            run += 1;
            d -= 1;
        }
        let mut d = i64::from(day) + 1;
        while self.get(d, w) != NONE {
            run += 1;
            d += 1;
        }
        run
    }

    /// Workers who may take a new assignment on `day` given every other date.
    fn allowed(&self, inst: &Instance, day: Day) -> Vec<bool> {
        let mut allowed: Vec<bool> = inst
            .workers
            .iter()
            .enumerate()
            .map(|(w, wk)| {
                let here = u32::from(self.get(i64::from(day), w as u32) != NONE);
                wk.available.contains(day)
                    && wk.max_days.is_none_or(|m| self.count[w] - here < m)
                    && wk.max_consecutive.is_none_or(|m| self.run_through(day, w as u32) <= m)
            })
            .collect();
        for &w in &self.locked[day as usize] {
            allowed[w as usize] = false;
        }
        allowed
    }
}

/// The continuity bonus in millimetres (clamped like arc costs).
pub(crate) fn continuity_mm(inst: &Instance) -> i64 {
    let c = (inst.options.continuity_bonus_km * KM_SCALE).round();
    if c >= MAX_ARC_COST as f64 {
        MAX_ARC_COST
    } else {
        c as i64
    }
}

/// Level-3 cost of one assignment without continuity, in millimetres, as
/// the candidates price it.
pub(crate) fn base_mm(inst: &Instance, w: u32, d: u32, day: Day, km: f64) -> i64 {
    let opts = &inst.options;
    let mut cost = (km * KM_SCALE).round() as i64;
    if inst.workers[w as usize].prefers(inst.demands[d as usize].farm) {
        cost -= (opts.preference_bonus_km * KM_SCALE).round() as i64;
    }
    if inst.previous.binary_search(&Fixed { worker: w, demand: d, day }).is_ok() {
        cost -= (opts.stability_bonus_km * KM_SCALE).round() as i64;
    }
    cost.clamp(-MAX_ARC_COST, MAX_ARC_COST)
}

/// A date's part of the objective, smaller is better: minus its weighted
/// fill, its shortage imbalance, and its level-3 cost including every
/// continuity pair it forms with the neighbouring dates of `grid`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DayKey {
    fill: i64,
    imbalance: f64,
    cost: i64,
}

impl DayKey {
    pub(crate) fn of(inst: &Instance, grid: &Grid, r: &DayResult) -> DayKey {
        let c = continuity_mm(inst);
        let mut fill: HashMap<u32, u32> = HashMap::new();
        let mut cost = 0i64;
        for &(w, d, km) in &r.assignments {
            *fill.entry(d).or_default() += 1;
            cost += base_mm(inst, w, d, r.day, km);
            for nb in [i64::from(r.day) - 1, i64::from(r.day) + 1] {
                if grid.get(nb, w) == d {
                    cost -= c;
                }
            }
        }
        let mut imbalance = 0.0;
        for (d, dem) in inst.demands.iter().enumerate() {
            if dem.is_active(r.day) {
                let f = fill.get(&(d as u32)).copied().unwrap_or(0);
                let short = f64::from(dem.per_day.saturating_sub(f));
                imbalance += short * short / f64::from(dem.per_day);
            }
        }
        DayKey { fill: -r.weighted_fill, imbalance, cost }
    }

    /// Strictly better; imbalances within 1e-9 count as equal (they are sums
    /// of fractions with small denominators, so real differences are larger).
    pub(crate) fn better_than(&self, o: &DayKey) -> bool {
        if self.fill != o.fill {
            return self.fill < o.fill;
        }
        if (self.imbalance - o.imbalance).abs() > 1e-9 {
            return self.imbalance < o.imbalance;
        }
        self.cost < o.cost
    }
}

/// Plans `day` exactly with every other date of `grid` fixed: day limits,
/// crews and continuity with both neighbours.
pub(crate) fn plan_day(
    inst: &Instance,
    ctx: &CandidateContext,
    grid: &Grid,
    day: Day,
    tracker: &Tracker<'_>,
) -> Result<DayResult, Cancelled> {
    let allowed = grid.allowed(inst, day);
    let c = continuity_mm(inst);
    let (prev, next) = (i64::from(day) - 1, i64::from(day) + 1);
    let credit = |w: u32, d: u32| {
        c * (i64::from(grid.get(prev, w) == d) + i64::from(grid.get(next, w) == d))
    };
    // Crew members of a member locked today may only join that demand.
    let mut crew_target: HashMap<u32, u32> = HashMap::new();
    for f in locked_on(inst, day) {
        if let Some(crew) = inst.workers[f.worker as usize].crew {
            crew_target.insert(crew, f.demand);
        }
    }
    let mut forced: HashMap<u32, u32> = HashMap::new();
    loop {
        forced.clear();
        for (w, wk) in inst.workers.iter().enumerate() {
            if let Some(&target) = wk.crew.and_then(|crew| crew_target.get(&crew)) {
                forced.insert(w as u32, target);
            }
        }
        let rules = DayRules { allowed: &allowed, forced: &forced };
        let result = solve_day(inst, ctx, day, &rules, &credit, tracker)?;
        // A crew split over demands gets a target: the demand with most of
        // its members (ties: the lowest demand index); solve again.
        let mut by_crew: HashMap<u32, Vec<u32>> = HashMap::new();
        for &(w, d, _) in &result.assignments {
            if let Some(crew) = inst.workers[w as usize].crew {
                by_crew.entry(crew).or_default().push(d);
            }
        }
        let mut crews: Vec<_> = by_crew.into_iter().collect();
        crews.sort_by_key(|(crew, _)| *crew);
        let mut split = false;
        for (crew, mut dems) in crews {
            dems.sort_unstable();
            if dems.first() != dems.last() && !crew_target.contains_key(&crew) {
                let mut best = (0usize, u32::MAX);
                for chunk in dems.chunk_by(|a, b| a == b) {
                    if chunk.len() > best.0 {
                        best = (chunk.len(), chunk[0]);
                    }
                }
                crew_target.insert(crew, best.1);
                split = true;
            }
        }
        if !split {
            return Ok(result);
        }
    }
}

/// Dates in calendar order, each planned exactly given the dates before it
/// (and every locked date). Dates past the deadline keep only their locked
/// assignments and are marked incomplete.
pub(crate) fn solve_in_order(
    inst: &Instance,
    ctx: &CandidateContext,
    grid: &mut Grid,
    tracker: &Tracker<'_>,
) -> Result<Vec<DayResult>, Cancelled> {
    let mut results = Vec::with_capacity(inst.n_days as usize);
    for day in 0..inst.n_days {
        tracker.cancelled()?;
        let result = if tracker.past_deadline() {
            locked_only(inst, day)
        } else {
            plan_day(inst, ctx, grid, day, tracker)?
        };
        grid.replace(&locked_only(inst, day), &result);
        results.push(result);
        tracker.date_done();
    }
    Ok(results)
}

/// What the improvement phase did.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Improved {
    /// Rounds started.
    pub(crate) rounds: usize,
    /// Dates whose plan was replaced by a better one.
    pub(crate) moves: usize,
    /// True when a round found nothing to improve (a local optimum for
    /// one-date moves), false when the round bound or the deadline stopped it.
    pub(crate) converged: bool,
}

/// Re-plans dates with both neighbours fixed, keeping strict improvements,
/// until a round changes nothing, [`MAX_ROUNDS`] or the deadline. A date the
/// time limit left incomplete takes any plan it gets.
pub(crate) fn improve(
    inst: &Instance,
    ctx: &CandidateContext,
    days: &mut [DayResult],
    grid: &mut Grid,
    tracker: &Tracker<'_>,
) -> Result<Improved, Cancelled> {
    let n = days.len();
    let mut stats = Improved::default();
    let mut dirty = vec![true; n];
    'rounds: for _ in 0..MAX_ROUNDS {
        stats.rounds += 1;
        let mut again = vec![false; n];
        let mut changed = false;
        for day in 0..n {
            if !dirty[day] {
                continue;
            }
            tracker.cancelled()?;
            if tracker.past_deadline() {
                break 'rounds;
            }
            let new = plan_day(inst, ctx, grid, day as Day, tracker)?;
            let better = !days[day].complete
                || DayKey::of(inst, grid, &new).better_than(&DayKey::of(inst, grid, &days[day]));
            if better {
                grid.replace(&days[day], &new);
                days[day] = new;
                stats.moves += 1;
                changed = true;
                // The neighbours' continuity credits changed.
                if day > 0 {
                    again[day - 1] = true;
                }
                if day + 1 < n {
                    dirty[day + 1] = true;
                    again[day + 1] = true;
                }
            }
        }
        if !changed {
            stats.converged = true;
            break;
        }
        dirty = again;
    }
    Ok(stats)
}

/// Plans the dates still incomplete (past the deadline) greedily: demands
/// by priority, one hand each in turn, nearest allowed worker first, within
/// every hard rule. Sound, quick, not optimal.
pub(crate) fn greedy_fill(
    inst: &Instance,
    ctx: &CandidateContext,
    days: &mut [DayResult],
    grid: &mut Grid,
) {
    let todo: Vec<usize> = (0..days.len()).filter(|&d| !days[d].complete).collect();
    if todo.is_empty() {
        return;
    }
    let reach = Reach::new(inst, ctx, todo.iter().map(|&d| d as Day));
    for day in todo {
        let new = greedy_day(inst, grid, &reach, day as Day);
        grid.replace(&days[day], &new);
        days[day] = new;
    }
}

/// Per demand: workers within range with the skills and not excluding the
/// farm (rules 5-7), as (worker, km), nearest first.
struct Reach {
    by_demand: HashMap<u32, Vec<(u32, f64)>>,
}

impl Reach {
    fn new(inst: &Instance, ctx: &CandidateContext, days: impl Iterator<Item = Day>) -> Reach {
        let days: Vec<Day> = days.collect();
        let index = SpatialIndex::new(
            inst.workers.iter().enumerate().map(|(w, wk)| (w as u32, wk.location)),
        );
        let max_km = inst.workers.iter().map(|w| w.max_km).fold(0.0, f64::max);
        let mut by_farm: Vec<Vec<(u32, f64)>> = vec![Vec::new(); inst.farms.len()];
        for (&(w, farm), &km) in &inst.travel {
            by_farm[farm as usize].push((w, km));
        }
        let mut by_demand = HashMap::new();
        for (d, dem) in inst.demands.iter().enumerate() {
            if !days.iter().any(|&day| dem.is_active(day)) {
                continue;
            }
            let ok = |w: u32, km: f64| {
                let wk = &inst.workers[w as usize];
                km <= wk.max_km && wk.has_skills(&dem.required) && !wk.excludes(dem.farm)
            };
            let mut list: Vec<(u32, f64)> = Vec::new();
            index.for_each_within(dem.location, max_km, |w| {
                if ctx.override_km(w, dem.farm).is_none() {
                    let km = inst.distance_km(w, d as u32);
                    if ok(w, km) {
                        list.push((w, km));
                    }
                }
            });
            list.extend(by_farm[dem.farm as usize].iter().copied().filter(|&(w, km)| ok(w, km)));
            list.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            by_demand.insert(d as u32, list);
        }
        Reach { by_demand }
    }
}

fn greedy_day(inst: &Instance, grid: &Grid, reach: &Reach, day: Day) -> DayResult {
    let mut allowed = grid.allowed(inst, day);
    let mut result = locked_only(inst, day);
    let mut crew_on: HashMap<u32, u32> = HashMap::new();
    let mut need: HashMap<u32, u32> = HashMap::new();
    for &(w, d, _) in &result.assignments {
        if let Some(crew) = inst.workers[w as usize].crew {
            crew_on.insert(crew, d);
        }
        *need.entry(d).or_default() += 1;
    }
    let mut order: Vec<u32> = (0..inst.demands.len() as u32)
        .filter(|&d| inst.demands[d as usize].is_active(day))
        .collect();
    order.sort_by_key(|&d| (std::cmp::Reverse(inst.demands[d as usize].priority), d));
    let mut next = vec![0usize; order.len()];
    loop {
        let mut any = false;
        for (i, &d) in order.iter().enumerate() {
            let have = need.get(&d).copied().unwrap_or(0);
            if have >= inst.demands[d as usize].per_day {
                continue;
            }
            let list = &reach.by_demand[&d];
            while next[i] < list.len() {
                let (w, km) = list[next[i]];
                next[i] += 1;
                let crew = inst.workers[w as usize].crew;
                if allowed[w as usize]
                    && crew.is_none_or(|c| crew_on.get(&c).is_none_or(|&t| t == d))
                {
                    allowed[w as usize] = false;
                    if let Some(c) = crew {
                        crew_on.insert(c, d);
                    }
                    *need.entry(d).or_default() += 1;
                    result.assignments.push((w, d, km));
                    any = true;
                    break;
                }
            }
        }
        if !any {
            break;
        }
    }
    result.weighted_fill = result
        .assignments
        .iter()
        .map(|&(_, d, _)| i64::from(inst.demands[d as usize].priority))
        .sum();
    result
}
