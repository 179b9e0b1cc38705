//! The greedy plan: what a date gets when the time limit leaves it unsolved.
//! Demands by priority, one hand each in turn, nearest allowed worker first,
//! within every hard rule. Sound, quick, not optimal.
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

use std::collections::HashMap;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::candidates::CandidateContext;
use crate::improve::{repair, Grid};
use crate::index::{chord2_for_km, SpatialIndex};
use crate::model::{Day, Instance};
use crate::solve::{locked_only, DayResult};

/// Plans the dates still incomplete (past the deadline) greedily. The
/// dates are planned in parallel, each against the plan of the dates
/// already complete; the day limits that planning them apart can break are
/// then restored by [`repair`] (dropping assignments).
pub(crate) fn greedy_fill(
    inst: &Instance,
    ctx: &CandidateContext,
    near: &Nearby,
    days: &mut [DayResult],
    grid: &mut Grid,
) {
    let todo: Vec<usize> = (0..days.len()).filter(|&d| !days[d].complete).collect();
    if todo.is_empty() {
        return;
    }
    let planned: Vec<DayResult> =
        todo.par_iter().map(|&day| greedy_day(inst, ctx, grid, near, day as Day)).collect();
    for (&day, new) in todo.iter().zip(planned) {
        days[day] = new;
    }
    repair(inst, days);
    *grid = Grid::of_plan(inst, days);
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
    /// Every worker, for the demands' lists.
    everyone: SpatialIndex,
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
        Nearby { overrides, max_km, limit2, everyone, lists, list_batches }
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
            for (w, c2) in self.everyone.nearest_chord2(dem.location) {
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
            // worker read could be behind workers not read.
            if !complete {
                let edge = found
                    .iter()
                    .rev()
                    .find(|&&(w, _)| !self.overridden(inst, w, d))
                    .map_or(f64::INFINITY, |&(_, km)| km);
                found.retain(|&(_, km)| km <= edge);
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

/// One demand's eligible workers of the date (rules 5-7), nearest first:
/// first a short batch (most demands fill from it), and for a demand that
/// uses it up, one more read of those in range still free.
struct Feed {
    /// Workers, nearest first.
    list: Vec<u32>,
    /// Next entry of `list` to offer.
    next: usize,
    /// Nothing more to read: `list` is all this demand will be offered.
    complete: bool,
    /// Reads after the first batch.
    reads: u32,
}

impl Feed {
    /// The first batch: the `want` nearest eligible workers allowed today,
    /// from the demand's list (or, past its end, the date's index).
    fn new(g: &GreedyDay<'_>, d: u32, free: &[bool], want: usize) -> Feed {
        let list = g.near.list(g.inst, g.ctx, d);
        let mut feed = Feed { list: Vec::new(), next: 0, complete: false, reads: 0 };
        for &w in &list.workers {
            if free[w as usize] {
                feed.list.push(w);
                if feed.list.len() == want {
                    return feed;
                }
            }
        }
        if list.complete {
            feed.complete = true;
            return feed;
        }
        // Past the list: the date's own index, nearest first.
        let (list, all) = g.read_index(d, free, None, Some(want));
        feed.list = list;
        feed.complete = all;
        feed
    }

    /// Replaces the list by the eligible workers still free, nearest first:
    /// at most `cap` of them, from the demand's list (or, past its end, the
    /// date's index, where at most `cap` free workers are read, eligible or
    /// not: a safety net bounds its time, so a demand whose nearest free
    /// workers are all ineligible gives up rather than read everyone in
    /// range). A demand reads on at most [`GREEDY_READS`] times. Returns
    /// whether there is anyone.
    fn rest(&mut self, g: &GreedyDay<'_>, d: u32, free: &[bool], cap: usize) -> bool {
        if self.complete {
            return false;
        }
        self.reads += 1;
        let reads = self.reads;
        let list = g.near.list(g.inst, g.ctx, d);
        let mut out: Vec<u32> = Vec::new();
        let mut complete = list.complete;
        for &w in &list.workers {
            if free[w as usize] {
                out.push(w);
                if out.len() == cap {
                    complete = false;
                    break;
                }
            }
        }
        if out.len() < cap && !list.complete {
            let (read, all) = g.read_index(d, free, Some(cap), None);
            out = read;
            complete = all;
        }
        *self = Feed { list: out, next: 0, complete: complete || reads >= GREEDY_READS, reads };
        !self.list.is_empty()
    }
}

/// How many times a demand of the greedy plan reads the nearest free
/// workers after its first batch.
const GREEDY_READS: u32 = 1;

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

fn greedy_day(
    inst: &Instance,
    ctx: &CandidateContext,
    grid: &Grid,
    near: &Nearby,
    day: Day,
) -> DayResult {
    let mut allowed = grid.allowed(inst, day);
    let mut g = GreedyDay { inst, ctx, near, index: OnceLock::new() };
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
    // Each demand's first batch in parallel (it depends only on the demand
    // and the date's allowed workers); a demand that uses it up reads on.
    let mut feeds: Vec<Feed> =
        order.par_iter().map(|&d| Feed::new(&g, d, &allowed, batch(inst, d))).collect();
    loop {
        let mut any = false;
        for (i, &d) in order.iter().enumerate() {
            let have = need.get(&d).copied().unwrap_or(0);
            if have >= inst.demands[d as usize].per_day {
                continue;
            }
            let feed = &mut feeds[i];
            loop {
                if feed.next == feed.list.len() && !feed.rest(&g, d, &allowed, 4 * batch(inst, d)) {
                    break;
                }
                let w = feed.list[feed.next];
                feed.next += 1;
                let crew = inst.workers[w as usize].crew;
                if allowed[w as usize]
                    && crew.is_none_or(|c| crew_on.get(&c).is_none_or(|&t| t == d))
                {
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
fn eligible(inst: &Instance, w: u32, d: u32, km: f64) -> bool {
    let (wk, dem) = (&inst.workers[w as usize], &inst.demands[d as usize]);
    km <= wk.max_km && wk.has_skills(&dem.required) && !wk.excludes(dem.farm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::TravelOverride;
    use crate::generate::{generate, Preset};
    use crate::validate;

    /// A demand's first batch is its nearest eligible workers allowed that
    /// date (travel overrides included), read from its list or, past the
    /// list's end, the date's index: the same as sorting everyone, whatever
    /// the lists' length.
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
                        let feed = Feed::new(&g, d, &allowed, want);
                        let n = want.min(all.len());
                        assert!(feed.list.len() >= n, "seed {seed} day {day} demand {d}");
                        let expected: Vec<u32> = all[..n].iter().map(|&(w, _)| w).collect();
                        assert_eq!(
                            feed.list[..n],
                            expected[..],
                            "seed {seed} day {day} demand {d}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 100, "only {checked} demand-dates compared");
    }
}
