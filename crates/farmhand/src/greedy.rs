//! The greedy plan: what a date gets when the time limit leaves it unsolved.
//! Demands priority by priority, highest first; within one, one hand each
//! in turn, nearest allowed worker first, from nearby before from farther
//! away; within every hard rule. Sound, quick, not optimal.
//!
//! Most of its time used to go to nearest-neighbour reads of each date's
//! index of allowed workers, repeated for every date a demand is active.
//! What a demand is offered on a date is its nearest *eligible* workers
//! (rules 5-7, which do not depend on the date) who are *allowed* that day
//! (which does). So each demand reads its nearest eligible workers once,
//! into a list of bounded length ([`LIST_BATCHES`]), the first time a date
//! needs it, and every date filters that list; only a demand that runs
//! through its list reads the date's own index (built then, for that date).
//! Memory stays linear in the demands (the lists have a bounded length, not
//! everyone in reach).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::candidates::CandidateContext;
use crate::improve::{repair, DayKey, Grid};
use crate::index::{chord2_for_km, SkillIndexes, SpatialIndex};
use crate::model::{Day, Instance};
use crate::solve::{locked_only, DayResult};

/// Plans the dates still incomplete (past the deadline) greedily, if any. The
/// dates are planned in parallel, each against the plan of the dates
/// already complete; the day limits that planning them apart can break are
/// then restored by [`repair`] (dropping assignments). With day limits or
/// crews, the dates are then topped up one at a time until the instant
/// `top_up_until` gives for the repaired plan, or all of them if it gives
/// none ([`top_up`]).
pub(crate) fn greedy_fill(
    inst: &Instance,
    ctx: &CandidateContext,
    near: &Nearby,
    days: &mut [DayResult],
    grid: &mut Grid,
    top_up_until: &dyn Fn(&[DayResult]) -> Option<Instant>,
) {
    let todo: Vec<usize> = (0..days.len()).filter(|&d| !days[d].complete).collect();
    if !todo.is_empty() {
        let planned: Vec<DayResult> =
            todo.par_iter().map(|&day| greedy_day(inst, ctx, grid, near, day as Day)).collect();
        for (&day, new) in todo.iter().zip(planned) {
            days[day] = new;
        }
        repair(inst, days);
        *grid = Grid::of_plan(inst, days);
    }
    if !crate::bound::has_limits(inst) {
        return;
    }
    let end = top_up_until(days);
    top_up(inst, ctx, near, days, grid, end);
}

/// A date the time limit stopped in the middle of its exact solve keeps
/// the plan of the simplex's last pivot: sound, but it can hold far fewer
/// hands than the greedy plan (the county-day request under a 100 ms
/// limit: 2,030 weighted against the greedy plan's 4,165). So each such
/// date (complete, not proven) takes the best, by [`DayKey`], of that
/// plan, that plan topped up greedily, and the date's own greedy plan
/// (alone and topped up),
/// each given every other date's plan in `grid`; dates in turn, so that
/// day limits and continuity see the dates already settled. A greedy plan
/// taken counts as planned greedily (`complete` false), as it was.
pub(crate) fn floor_cut_dates(
    inst: &Instance,
    ctx: &CandidateContext,
    near: &Nearby,
    days: &mut [DayResult],
    grid: &mut Grid,
) {
    for slot in days.iter_mut().filter(|d| d.complete && !d.proven) {
        let topped = greedy_day_from(inst, ctx, grid, near, slot.clone());
        let fresh = greedy_day(inst, ctx, grid, near, slot.day);
        // A second pass over the fresh plan, as the top-up after the
        // greedy plan of dates a limit skipped makes (a one-date problem of
        // 8,000 workers with crews: 16,281 weighted without it, 16,510
        // with, as when the date is skipped).
        let fresh_topped = greedy_day_from(inst, ctx, grid, near, fresh.clone());
        let mut key = DayKey::of(inst, grid, slot);
        let mut best = None;
        for plan in [topped, fresh, fresh_topped] {
            let k = DayKey::of(inst, grid, &plan);
            if k.better_than(&key) {
                key = k;
                best = Some(plan);
            }
        }
        if let Some(best) = best {
            grid.replace(slot, &best);
            *slot = best;
        }
    }
}

/// The repair drops what the dates planned apart broke together (a worker
/// past their `max_days`, a crew split), leaving slots short that others
/// could fill. Each date in turn, given every other date's plan, keeps its
/// plan and adds hands to its short slots where the day limits and crews
/// now allow (greedily, as [`greedy_day`] does), until `end` (if any):
/// the dates are planned one after another, so this is not done in
/// parallel, and it only adds. On the county, every date greedy, it added
/// 930 worker-days to 43,548 (weighted fill 164,760 to 166,455) in 32 ms.
fn top_up(
    inst: &Instance,
    ctx: &CandidateContext,
    near: &Nearby,
    days: &mut [DayResult],
    grid: &mut Grid,
    end: Option<Instant>,
) {
    for slot in days.iter_mut() {
        if end.is_some_and(|end| Instant::now() >= end) {
            return;
        }
        let day = slot.day;
        let wanted: u32 = inst.demands.iter().filter(|d| d.is_active(day)).map(|d| d.per_day).sum();
        if slot.assignments.len() as u32 >= wanted {
            continue;
        }
        let new = greedy_day_from(inst, ctx, grid, near, slot.clone());
        if new.assignments.len() > slot.assignments.len() {
            grid.replace(slot, &new);
            *slot = new;
        }
    }
}

/// A generous prediction of [`greedy_fill`]'s time if every date were left
/// to it: the busiest date planned twice (on an empty grid, thrown away),
/// first reading its demands' lists, then with them read. Reading lists is
/// scaled to every demand, planning with them to every date, all divided
/// among the threads. The lists read stay in `near` for the real plan.
pub(crate) fn predict_greedy(inst: &Instance, ctx: &CandidateContext, near: &Nearby) -> Duration {
    let Some(busiest) = (0..inst.n_days).max_by_key(|&day| {
        let active = inst.demands.iter().filter(|d| d.is_active(day)).count();
        (active, std::cmp::Reverse(day))
    }) else {
        return Duration::ZERO;
    };
    let active = inst.demands.iter().filter(|d| d.is_active(busiest)).count().max(1);
    let grid = Grid::new(inst);
    let started = Instant::now();
    let _ = greedy_day(inst, ctx, &grid, near, busiest);
    let first = started.elapsed();
    let started = Instant::now();
    let _ = greedy_day(inst, ctx, &grid, near, busiest);
    let again = started.elapsed();
    let lists = first.saturating_sub(again).mul_f64(inst.demands.len() as f64 / active as f64);
    let threads = rayon::current_num_threads().max(1) as f64;
    (lists + again.mul_f64(f64::from(inst.n_days))).div_f64(threads)
}

/// How long a demand's list of nearest eligible workers is, in first
/// batches (`2 x workers_per_day + 8`, see [`batch`]): long enough that a
/// date's allowed workers among them cover the first batch and most later
/// reads, so few demands read a date's index.
const LIST_BATCHES: usize = 6;

/// What the greedy plan needs beyond the instance, built once per solve and
/// shared by every date.
pub(crate) struct Nearby {
    /// Per farm: (worker, km) of its travel overrides, by worker.
    overrides: Vec<Vec<(u32, f64)>>,
    /// The largest travel limit of anyone: no one is eligible beyond it.
    max_km: f64,
    /// Per worker: the squared chord of their travel limit, a cheap test
    /// before the exact distance.
    limit2: Vec<f64>,
    /// Every worker, for the lists of demands that require no skill.
    everyone: SpatialIndex,
    /// The holders of each required skill, for the lists of demands that
    /// require one.
    by_skill: SkillIndexes,
    /// Per demand: its list, read the first time a date needs it.
    lists: Vec<OnceLock<List>>,
    /// The lists' length in first batches ([`LIST_BATCHES`]; tests shorten it).
    list_batches: usize,
}

/// One demand's nearest eligible workers (rules 5-7, travel overrides
/// included), nearest first (ties by worker).
struct List {
    workers: Vec<u32>,
    /// The list holds everyone eligible (it was not cut at its length).
    complete: bool,
}

impl Nearby {
    pub(crate) fn new(inst: &Instance) -> Nearby {
        Nearby::with_list_batches(inst, LIST_BATCHES)
    }

    fn with_list_batches(inst: &Instance, list_batches: usize) -> Nearby {
        let overrides = crate::explain::overrides_by_farm(inst);
        let max_km = inst.workers.iter().map(|w| w.max_km).fold(0.0, f64::max);
        let limit2 = inst.workers.iter().map(|w| chord2_for_km(w.max_km)).collect();
        let everyone = SpatialIndex::new(
            inst.workers.iter().enumerate().map(|(w, wk)| (w as u32, wk.location)),
        );
        let lists = (0..inst.demands.len()).map(|_| OnceLock::new()).collect();
        let by_skill = SkillIndexes::new(inst);
        Nearby { overrides, max_km, limit2, everyone, by_skill, lists, list_batches }
    }

    /// The index a list of demand `d` reads: the workers holding its rarest
    /// required skill at the required level (or everyone, if it requires
    /// none). It holds every eligible worker, so the list is the same
    /// whichever index it reads.
    fn index_for(&self, inst: &Instance, d: u32) -> &SpatialIndex {
        self.by_skill.rarest(inst, d).unwrap_or(&self.everyone)
    }

    /// Worker `w`'s distance to demand `d`: its travel override, if any,
    /// else the great-circle distance.
    fn km(&self, inst: &Instance, ctx: &CandidateContext, w: u32, d: u32) -> f64 {
        let farm = inst.demands[d as usize].farm as usize;
        match self.overrides[farm].binary_search_by_key(&w, |&(x, _)| x) {
            Ok(i) => self.overrides[farm][i].1,
            Err(_) => great_circle_km(inst, ctx, w, d),
        }
    }

    /// A travel override sets this pair's distance (it is listed apart).
    fn overridden(&self, inst: &Instance, w: u32, d: u32) -> bool {
        let farm = inst.demands[d as usize].farm;
        self.overrides[farm as usize].binary_search_by_key(&w, |&(x, _)| x).is_ok()
    }

    /// Demand `d`'s list, read now if no date has needed it yet.
    fn list(&self, inst: &Instance, ctx: &CandidateContext, d: u32) -> &List {
        self.lists[d as usize].get_or_init(|| {
            let want = self.list_batches * batch(inst, d);
            let mut found: Vec<(u32, f64)> = Vec::new();
            let dem = &inst.demands[d as usize];
            for &(w, km) in &self.overrides[dem.farm as usize] {
                if eligible(inst, w, d, km) {
                    found.push((w, km));
                }
            }
            let mut complete = true;
            let beyond = chord2_for_km(self.max_km);
            let mut read = 0;
            for (w, c2) in self.index_for(inst, d).nearest_chord2(dem.location) {
                if c2 > beyond {
                    break;
                }
                if c2 > self.limit2[w as usize] || self.overridden(inst, w, d) {
                    continue;
                }
                let km = great_circle_km(inst, ctx, w, d);
                if eligible(inst, w, d, km) {
                    found.push((w, km));
                    read += 1;
                    if read == want {
                        complete = false;
                        break;
                    }
                }
            }
            found.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            // Cut where the stream stopped: an override beyond the last
            // worker read could be behind workers not read, and so could a
            // worker as far as the last one read (they come after the list,
            // from a date's index, nearest first and ties by worker).
            if !complete {
                let edge = found
                    .iter()
                    .rev()
                    .find(|&&(w, _)| !self.overridden(inst, w, d))
                    .map_or(f64::INFINITY, |&(_, km)| km);
                found.retain(|&(_, km)| km < edge);
            }
            List { workers: found.into_iter().map(|(w, _)| w).collect(), complete }
        })
    }
}

/// A demand's first batch on a date: how many of its nearest eligible
/// allowed workers it is offered before reading on.
fn batch(inst: &Instance, d: u32) -> usize {
    2 * inst.demands[d as usize].per_day as usize + 8
}

/// One demand's eligible workers of the date (rules 5-7), nearest first,
/// offered one at a time: its list (those still allowed when reached),
/// then, for a demand that runs through a list cut at its length, one read
/// of the date's index for the nearest allowed workers beyond it.
#[derive(Default)]
struct Feed {
    /// Next entry of the demand's list to offer.
    pos: usize,
    /// How many of the list's entries were offered.
    offered: usize,
    /// The date's index was read (at most once a date and demand).
    read: bool,
    /// What that read found beyond the list, nearest first.
    beyond: Vec<u32>,
    /// Next entry of `beyond` to offer.
    next: usize,
}

impl Feed {
    /// The next worker still allowed (`free`), nearest first; None when
    /// there is no one more to offer. `want` is the demand's first batch:
    /// when the list offered fewer, the read beyond it looks for that many
    /// eligible workers however far (so a demand is always offered its
    /// first batch of nearest eligible allowed workers, whatever the lists'
    /// length); otherwise it reads at most `4 x want` allowed workers,
    /// eligible or not: a safety net bounds its time, so a demand whose
    /// nearest allowed workers are all ineligible gives up rather than read
    /// everyone in range. Without `far` the feed stops at the list's end.
    fn next(
        &mut self,
        g: &GreedyDay<'_>,
        d: u32,
        free: &[bool],
        want: usize,
        far: bool,
    ) -> Option<u32> {
        let list = g.near.list(g.inst, g.ctx, d);
        while let Some(&w) = list.workers.get(self.pos) {
            self.pos += 1;
            if free[w as usize] {
                self.offered += 1;
                return Some(w);
            }
        }
        if list.complete || !far {
            return None;
        }
        if !self.read {
            self.read = true;
            let (cap, eligible) =
                if self.offered < want { (None, Some(want)) } else { (Some(4 * want), None) };
            let mut beyond = g.read_index(d, free, cap, eligible).0;
            // The list's workers were offered already, or were not allowed
            // when reached (and are not now).
            let on_list: HashSet<u32> = list.workers.iter().copied().collect();
            beyond.retain(|w| !on_list.contains(w));
            self.beyond = beyond;
        }
        while let Some(&w) = self.beyond.get(self.next) {
            self.next += 1;
            if free[w as usize] {
                return Some(w);
            }
        }
        None
    }
}

/// One date of the greedy plan.
struct GreedyDay<'a> {
    inst: &'a Instance,
    ctx: &'a CandidateContext,
    near: &'a Nearby,
    /// The date's allowed workers, for the demands that run through their
    /// lists: built the first time one does (from the workers still free
    /// then), each worker taken after that removed.
    index: OnceLock<SpatialIndex>,
}

impl GreedyDay<'_> {
    /// The eligible free workers of the date's index, nearest first: until
    /// `cap` free workers were read (eligible or not) or `want` eligible
    /// ones were found. Also returns whether everyone in range was read.
    fn read_index(
        &self,
        d: u32,
        free: &[bool],
        cap: Option<usize>,
        want: Option<usize>,
    ) -> (Vec<u32>, bool) {
        let (inst, near) = (self.inst, self.near);
        let index = self.index.get_or_init(|| {
            SpatialIndex::new(
                (0..inst.workers.len())
                    .filter(|&w| free[w])
                    .map(|w| (w as u32, inst.workers[w].location)),
            )
        });
        let dem = &inst.demands[d as usize];
        let mut list: Vec<(u32, f64)> = near.overrides[dem.farm as usize]
            .iter()
            .copied()
            .filter(|&(w, km)| free[w as usize] && eligible(inst, w, d, km))
            .collect();
        let beyond = chord2_for_km(near.max_km);
        let mut all = true;
        let mut found = 0;
        for (read, (w, c2)) in index.nearest_chord2(dem.location).enumerate() {
            if c2 > beyond {
                break;
            }
            if cap == Some(read) || want == Some(found) {
                all = false;
                break;
            }
            if c2 <= near.limit2[w as usize] && free[w as usize] && !near.overridden(inst, w, d) {
                let km = great_circle_km(inst, self.ctx, w, d);
                if eligible(inst, w, d, km) {
                    list.push((w, km));
                    found += 1;
                }
            }
        }
        list.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        (list.into_iter().map(|(w, _)| w).collect(), all)
    }
}

pub(crate) fn greedy_day(
    inst: &Instance,
    ctx: &CandidateContext,
    grid: &Grid,
    near: &Nearby,
    day: Day,
) -> DayResult {
    greedy_day_from(inst, ctx, grid, near, locked_only(inst, day))
}

/// The greedy plan of `from`'s date: `from`'s assignments kept, hands
/// added to its short slots, given every other date's plan in `grid`.
fn greedy_day_from(
    inst: &Instance,
    ctx: &CandidateContext,
    grid: &Grid,
    near: &Nearby,
    from: DayResult,
) -> DayResult {
    let day = from.day;
    let mut allowed = grid.allowed(inst, day);
    for &(w, _, _) in &from.assignments {
        allowed[w as usize] = false;
    }
    let mut g = GreedyDay { inst, ctx, near, index: OnceLock::new() };
    let mut result = from;
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
    // The demands' lists in parallel, for those no date has read yet.
    order.par_iter().for_each(|&d| {
        near.list(inst, ctx, d);
    });
    let mut feeds: Vec<Feed> = order.iter().map(|_| Feed::default()).collect();
    // One priority at a time, highest first: a worker fills one slot
    // wherever they go, and a slot of a higher priority weighs more. Within
    // a priority, one hand each in turn, first from the demands' lists
    // only, then reading beyond them: no demand takes a worker from farther
    // away while others still have nearer ones to take (on the county this
    // filled 9 % more weight over 36 % fewer km than one pass over every
    // demand, each reading on as soon as its list ran short).
    let priority = |d: u32| inst.demands[d as usize].priority;
    let mut start = 0;
    for tier in order.chunk_by(|&a, &b| priority(a) == priority(b)) {
        let feeds = &mut feeds[start..start + tier.len()];
        start += tier.len();
        for far in [false, true] {
            let mut any = true;
            while any {
                any = false;
                for (&d, feed) in tier.iter().zip(feeds.iter_mut()) {
                    if need.get(&d).copied().unwrap_or(0) >= inst.demands[d as usize].per_day {
                        continue;
                    }
                    while let Some(w) = feed.next(&g, d, &allowed, batch(inst, d), far) {
                        let crew = inst.workers[w as usize].crew;
                        if crew.is_some_and(|c| crew_on.get(&c).is_some_and(|&t| t != d)) {
                            continue;
                        }
                        allowed[w as usize] = false;
                        if let Some(index) = g.index.get_mut() {
                            index.remove(w, inst.workers[w as usize].location);
                        }
                        if let Some(c) = crew {
                            crew_on.insert(c, d);
                        }
                        *need.entry(d).or_default() += 1;
                        result.assignments.push((w, d, near.km(inst, ctx, w, d)));
                        any = true;
                        break;
                    }
                }
            }
        }
    }
    result.weighted_fill = result
        .assignments
        .iter()
        .map(|&(_, d, _)| i64::from(inst.demands[d as usize].priority))
        .sum();
    result
}

/// The great-circle distance of worker `w` to demand `d`.
fn great_circle_km(inst: &Instance, ctx: &CandidateContext, w: u32, d: u32) -> f64 {
    crate::geo_util::haversine_km_with(
        inst.workers[w as usize].location,
        ctx.worker_cos[w as usize],
        inst.demands[d as usize].location,
        ctx.demand_cos[d as usize],
    )
}

/// Rules 5-7 for worker `w` on demand `d` at distance `km`.
pub(crate) fn eligible(inst: &Instance, w: u32, d: u32, km: f64) -> bool {
    let (wk, dem) = (&inst.workers[w as usize], &inst.demands[d as usize]);
    km <= wk.max_km && wk.has_skills(&dem.required) && !wk.excludes(dem.farm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::TravelOverride;
    use crate::generate::{generate, Preset};
    use crate::validate;

    /// A demand's first batch of offers is its nearest eligible workers
    /// allowed that date (travel overrides included), read from its list
    /// and, past the list's end, the date's index: the same as sorting
    /// everyone, whatever the lists' length.
    #[test]
    fn a_first_batch_is_the_nearest_eligible_allowed_workers() {
        let mut checked = 0;
        for seed in [1, 4] {
            // Travel overrides, some shorter and some longer than the
            // great circle, so overrides beyond a list's end are cut right.
            let mut p = generate(Preset::Small, seed);
            let farms: Vec<String> = p.demands.iter().map(|d| d.farm_id.clone()).collect();
            for (i, w) in p.workers.iter().enumerate().step_by(7) {
                let km = [0.5, 3.0, 12.0, 25.0][i % 4];
                let farm_id = farms[(i * 13) % farms.len()].clone();
                p.travel.push(TravelOverride { worker_id: w.id.clone(), farm_id, km });
            }
            p.travel.sort_by(|a, b| (&a.worker_id, &a.farm_id).cmp(&(&b.worker_id, &b.farm_id)));
            p.travel.dedup_by(|a, b| a.worker_id == b.worker_id && a.farm_id == b.farm_id);
            let inst = validate(&p).expect("valid");
            let ctx = CandidateContext::new(&inst);
            let grid = Grid::new(&inst);
            for list_batches in [1, LIST_BATCHES] {
                let near = Nearby::with_list_batches(&inst, list_batches);
                for day in (0..inst.n_days).step_by(3) {
                    let allowed = grid.allowed(&inst, day);
                    let g =
                        GreedyDay { inst: &inst, ctx: &ctx, near: &near, index: OnceLock::new() };
                    for d in 0..inst.demands.len() as u32 {
                        if !inst.demands[d as usize].is_active(day) {
                            continue;
                        }
                        let mut all: Vec<(u32, f64)> = (0..inst.workers.len() as u32)
                            .filter(|&w| allowed[w as usize])
                            .map(|w| (w, near.km(&inst, &ctx, w, d)))
                            .filter(|&(w, km)| eligible(&inst, w, d, km))
                            .collect();
                        all.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
                        let want = batch(&inst, d);
                        let mut feed = Feed::default();
                        let offered: Vec<u32> =
                            std::iter::from_fn(|| feed.next(&g, d, &allowed, want, true))
                                .take(want)
                                .collect();
                        let n = want.min(all.len());
                        let expected: Vec<u32> = all[..n].iter().map(|&(w, _)| w).collect();
                        assert_eq!(offered, expected, "seed {seed} day {day} demand {d}");
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 100, "only {checked} demand-dates compared");
    }

    /// A worker fills one slot wherever they go, so the greedy plan gives
    /// the higher priority all it can take first: two workers, a
    /// priority-3 demand for two and a priority-1 demand for one (nearer to
    /// both workers). Taking turns across priorities gave each one (weight
    /// 4); priority by priority gives both to the first (weight 6).
    #[test]
    fn a_higher_priority_takes_every_hand_it_can_first() {
        use crate::format::{DateRange, Demand, Location, Problem, Worker};
        let days = || vec![DateRange::new("2026-05-01", "2026-05-01")];
        let workers = (0..2)
            .map(|i| {
                Worker::new(
                    format!("w{i}"),
                    Location::new(35.80, 127.10 + 0.01 * f64::from(i)),
                    days(),
                )
            })
            .collect();
        let mut high = Demand::new(
            "d-high",
            "farm-a",
            Location::new(35.85, 127.10),
            "2026-05-01",
            "2026-05-01",
            2,
        );
        high.priority = 3;
        let low = Demand::new(
            "d-low",
            "farm-b",
            Location::new(35.80, 127.105),
            "2026-05-01",
            "2026-05-01",
            1,
        );
        let p = Problem { workers, demands: vec![low, high], ..Problem::default() };
        let inst = validate(&p).expect("valid");
        let ctx = CandidateContext::new(&inst);
        let near = Nearby::new(&inst);
        let day = greedy_day(&inst, &ctx, &Grid::new(&inst), &near, 0);
        assert_eq!(day.weighted_fill, 6, "{:?}", day.assignments);
        assert!(day.assignments.iter().all(|&(_, d, _)| inst.demands[d as usize].id == "d-high"));
    }

    /// Dates planned apart both send the nearest worker, whose `max_days`
    /// of 1 the repair then restores by dropping one date's assignment;
    /// the top-up gives that date to the farther worker, and only adds; a
    /// deadline already past stops it.
    #[test]
    fn the_top_up_fills_what_the_repair_dropped() {
        use crate::format::{DateRange, Demand, Location, Problem, Worker};
        let days = || vec![DateRange::new("2026-05-01", "2026-05-02")];
        let mut near_one = Worker::new("w-near", Location::new(35.80, 127.10), days());
        near_one.max_days = Some(1);
        let far_one = Worker::new("w-far", Location::new(35.80, 127.20), days());
        let at = Location::new(35.80, 127.11);
        let demands = vec![
            Demand::new("d-1", "farm-a", at, "2026-05-01", "2026-05-01", 1),
            Demand::new("d-2", "farm-a", at, "2026-05-02", "2026-05-02", 1),
        ];
        let p = Problem { workers: vec![near_one, far_one], demands, ..Problem::default() };
        let inst = validate(&p).expect("valid");
        let ctx = CandidateContext::new(&inst);
        let near = Nearby::new(&inst);
        let plan = |until: Option<Instant>| {
            let mut days: Vec<DayResult> =
                (0..inst.n_days).map(|d| locked_only(&inst, d)).collect();
            let mut grid = Grid::new(&inst);
            greedy_fill(&inst, &ctx, &near, &mut days, &mut grid, &|_| until);
            let mut all: Vec<(Day, u32, u32)> = days
                .iter()
                .flat_map(|d| d.assignments.iter().map(move |&(w, dem, _)| (d.day, w, dem)))
                .collect();
            all.sort_unstable();
            all
        };
        // A deadline already past adds nothing: the repaired plan.
        let repaired = plan(Some(Instant::now()));
        assert_eq!(repaired.len(), 1, "{repaired:?}");
        // No deadline (a limit shorter than the tail), or one far enough.
        let topped = plan(None);
        assert_eq!(topped.len(), 2, "{topped:?}");
        assert!(repaired.iter().all(|a| topped.contains(a)), "{repaired:?} {topped:?}");
        let works =
            |id: &str| topped.iter().filter(|a| inst.workers[a.1 as usize].id == id).count();
        assert_eq!((works("w-near"), works("w-far")), (1, 1), "{topped:?}");
        assert_eq!(plan(Some(Instant::now() + Duration::from_secs(60))), topped);
    }
}
