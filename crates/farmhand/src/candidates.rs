//! Candidates: for one date, the (worker, demand) pairs allowed by hard rules
//! 1-7, with their distances and level-3 costs, as a [`Transport`] problem.
//!
//! A spatial index over the date's active demands keeps the work proportional
//! to the pairs within reach, not to workers x demands.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::flow::Transport;
use crate::geo_util::{cos_lat, haversine_km_with};
use crate::index::SpatialIndex;
use crate::model::{Day, DemandM, Fixed, Instance, WorkerM};

/// Fixed-point scale of level-3 costs: 1 unit = 1 mm.
pub(crate) const KM_SCALE: f64 = 1e6;

/// Largest magnitude of one arc's level-3 cost, so that potentials (sums of
/// at most a few million arc costs) can never overflow an `i64`. It is a
/// million km: larger bonuses or distances are clamped, without changing
/// the order of any realistic alternatives.
pub(crate) const MAX_ARC_COST: i64 = 1_000_000_000_000;

/// Which workers may take a new assignment on a date (besides rules 1-7).
pub(crate) struct DayRules<'a> {
    /// Per worker: may work today (available, not locked, within limits).
    pub(crate) allowed: &'a [bool],
    /// Workers that may only go to one demand today (crews).
    pub(crate) forced: &'a HashMap<u32, u32>,
}

/// One date's candidate pairs and its transportation problem.
pub(crate) struct DayCandidates {
    /// Global index of each local worker (ascending).
    pub(crate) workers: Vec<u32>,
    /// Global index of each local demand (ascending).
    pub(crate) demands: Vec<u32>,
    /// The flow problem.
    pub(crate) transport: Transport,
}

/// Workers per parallel chunk of the candidate generator.
const CHUNK: usize = 512;

/// The arcs of one chunk of workers, in order.
#[derive(Default)]
struct Chunk {
    /// Per worker: its number of arcs.
    count: Vec<u32>,
    /// Local demand of each arc.
    demand: Vec<u32>,
    /// Level-3 cost of each arc.
    cost: Vec<i64>,
}

/// Per-instance data reused by every date.
pub(crate) struct CandidateContext {
    /// Per worker: travel overrides as (farm, km), sorted by farm.
    overrides: Vec<Vec<(u32, f64)>>,
    /// Per farm: its demands, ascending.
    farm_demands: Vec<Vec<u32>>,
    /// Per demand and per worker: the cosine of its latitude (see
    /// `haversine_km_with`).
    pub(crate) demand_cos: Vec<f64>,
    pub(crate) worker_cos: Vec<f64>,
    /// The whole season's [`WindowArcs`], when kept
    /// ([`CandidateContext::with_season`]): every date's candidates are
    /// then a filter of them.
    season: Option<WindowArcs>,
}

/// Most workers x demands for which [`CandidateContext::with_season`]
/// keeps the season's arcs: 8 bytes an arc, so at most 400 MB even if
/// every pair were eligible (the county preset has 3 million pairs and
/// about 2 million arcs).
const SEASON_MAX_PAIRS: usize = 50_000_000;

impl CandidateContext {
    pub(crate) fn new(inst: &Instance) -> Self {
        let mut overrides = vec![Vec::new(); inst.workers.len()];
        for (&(w, farm), &km) in &inst.travel {
            overrides[w as usize].push((farm, km));
        }
        for o in &mut overrides {
            o.sort_by_key(|a| a.0);
        }
        let mut farm_demands = vec![Vec::new(); inst.farms.len()];
        for (d, dem) in inst.demands.iter().enumerate() {
            farm_demands[dem.farm as usize].push(d as u32);
        }
        let demand_cos = inst.demands.iter().map(|d| cos_lat(d.location)).collect();
        let worker_cos = inst.workers.iter().map(|w| cos_lat(w.location)).collect();
        Self { overrides, farm_demands, demand_cos, worker_cos, season: None }
    }

    /// Also keeps the whole season's date-independent arcs, for problems
    /// whose dates are planned many times over (coupled ones), when
    /// workers x demands is at most [`SEASON_MAX_PAIRS`].
    pub(crate) fn with_season(inst: &Instance) -> Self {
        let mut ctx = Self::new(inst);
        if inst.workers.len() * inst.demands.len() <= SEASON_MAX_PAIRS {
            ctx.season = window_arcs(inst, &ctx, 0..inst.n_days, true);
        }
        ctx
    }

    /// Whether the season's arcs are kept.
    pub(crate) fn has_season(&self) -> bool {
        self.season.is_some()
    }

    pub(crate) fn override_km(&self, worker: u32, farm: u32) -> Option<f64> {
        let o = &self.overrides[worker as usize];
        o.binary_search_by_key(&farm, |&(f, _)| f).ok().map(|i| o[i].1)
    }
}

/// Locked assignments of one date.
pub(crate) fn locked_on(inst: &Instance, day: Day) -> impl Iterator<Item = &Fixed> {
    inst.locked.iter().filter(move |f| f.day == day)
}

/// What every way of building a date's candidates shares: its active
/// demands (global index, ascending), their local numbers, the
/// transport's per-demand rows (locked headcount, capacity left), and the
/// date's own rules for an arc ([`Frame::open`], [`Frame::arc_cost`]).
struct Frame {
    day: Day,
    /// The stability bonus, in cost units.
    stab: i64,
    demands: Vec<u32>,
    /// Per global demand: its local number, or `u32::MAX` when inactive.
    local: Vec<u32>,
    base: Vec<u32>,
    per_day: Vec<u32>,
    cap: Vec<u32>,
    priority: Vec<u32>,
}

impl Frame {
    fn new(inst: &Instance, day: Day) -> Frame {
        let demands: Vec<u32> = (0..inst.demands.len() as u32)
            .filter(|&d| inst.demands[d as usize].is_active(day))
            .collect();
        let mut local = vec![u32::MAX; inst.demands.len()];
        for (i, &d) in demands.iter().enumerate() {
            local[d as usize] = i as u32;
        }
        let mut base = vec![0u32; demands.len()];
        for f in locked_on(inst, day) {
            base[local[f.demand as usize] as usize] += 1;
        }
        let per_day: Vec<u32> = demands.iter().map(|&d| inst.demands[d as usize].per_day).collect();
        let cap: Vec<u32> = per_day.iter().zip(&base).map(|(n, b)| n.saturating_sub(*b)).collect();
        let priority = demands.iter().map(|&d| inst.demands[d as usize].priority).collect();
        let stab = (inst.options.stability_bonus_km * KM_SCALE).round() as i64;
        Frame { day, stab, demands, local, base, per_day, cap, priority }
    }

    /// The local number of demand `d` (global) when the date lets a worker
    /// pinned to `forced` (if any) take it: active, with a place left
    /// after locked assignments, and the pin's demand.
    fn open(&self, d: u32, forced: Option<u32>) -> Option<u32> {
        let l = self.local[d as usize];
        (l != u32::MAX && self.cap[l as usize] > 0 && forced.is_none_or(|f| f == d)).then_some(l)
    }

    /// The cost of worker `w`'s arc to demand `d` on this date from the
    /// pair's own ([`pair_cost`]): less the stability bonus when `previous`
    /// had it, clamped.
    fn arc_cost(&self, inst: &Instance, w: u32, d: u32, cost: i64) -> i64 {
        let kept = !inst.previous.is_empty()
            && inst.previous.binary_search(&Fixed { worker: w, demand: d, day: self.day }).is_ok();
        let cost = if kept { cost - self.stab } else { cost };
        cost.clamp(-MAX_ARC_COST, MAX_ARC_COST)
    }

    /// The date's candidates from its workers' arcs, chunk after chunk.
    fn finish(self, workers: Vec<u32>, chunks: Vec<Chunk>, inst: &Instance) -> DayCandidates {
        let n_arcs: usize = chunks.iter().map(|c| c.demand.len()).sum();
        let mut transport = Transport {
            start: Vec::with_capacity(workers.len() + 1),
            arc_demand: Vec::with_capacity(n_arcs),
            arc_cost: Vec::with_capacity(n_arcs),
            cap: self.cap,
            base: self.base,
            per_day: self.per_day,
            priority: self.priority,
            share_shortage: inst.options.share_shortage,
        };
        transport.start.push(0);
        for chunk in chunks {
            for n in chunk.count {
                let end = transport.start.last().copied().unwrap_or(0) + n;
                transport.start.push(end);
            }
            transport.arc_demand.extend_from_slice(&chunk.demand);
            transport.arc_cost.extend_from_slice(&chunk.cost);
        }
        DayCandidates { workers, demands: self.demands, transport }
    }
}

/// Builds the candidates of `day`.
pub(crate) fn day_candidates(
    inst: &Instance,
    ctx: &CandidateContext,
    day: Day,
    rules: &DayRules<'_>,
) -> DayCandidates {
    if let Some(arcs) = ctx.season.as_ref().filter(|a| a.covers(day)) {
        return day_candidates_in(inst, arcs, day, rules);
    }
    let frame = Frame::new(inst, day);
    let (local, cap) = (&frame.local, &frame.cap);
    let demands = &frame.demands;
    let workers: Vec<u32> =
        (0..inst.workers.len() as u32).filter(|&w| rules.allowed[w as usize]).collect();

    let index = SpatialIndex::new(
        demands.iter().filter(|&&d| cap[local[d as usize] as usize] > 0).map(|&d| {
            let dem = &inst.demands[d as usize];
            (d, dem.location)
        }),
    );
    let pref = (inst.options.preference_bonus_km * KM_SCALE).round() as i64;

    // Arcs of each worker, built in parallel in fixed chunks and concatenated
    // in order, so the result does not depend on the thread count. A chunk
    // holds its workers' arc counts, demands and costs: 12 bytes an arc, the
    // same as the final arrays, so the peak is twice that while joining.
    // (Distances are not kept: the solver recomputes them for the few arcs
    // it assigns.)
    let chunks: Vec<Chunk> = workers
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut out = Chunk::default();
            let mut row: Vec<(u32, i64)> = Vec::new();
            for &w in chunk {
                row.clear();
                let wk = &inst.workers[w as usize];
                let forced = rules.forced.get(&w).copied();
                // The date's rules first, then the pair's own (the
                // distance last).
                let push = |d: u32, km: &dyn Fn() -> f64| {
                    let Some(l) = frame.open(d, forced) else { return };
                    if let Some(cost) = pair_cost(wk, &inst.demands[d as usize], pref, km) {
                        row.push((l, frame.arc_cost(inst, w, d, cost)));
                    }
                };
                each_in_reach(inst, ctx, &index, w, |d| local[d as usize] != u32::MAX, push);
                // Each demand appears once (the index skips farms with an
                // override), so an unstable sort gives the same order.
                row.sort_unstable_by_key(|&(l, _)| l);
                out.count.push(row.len() as u32);
                out.demand.extend(row.iter().map(|&(l, _)| l));
                out.cost.extend(row.iter().map(|&(_, c)| c));
            }
            out
        })
        .collect();

    frame.finish(workers, chunks, inst)
}

/// A pair's rules that need nothing but the worker and the demand
/// (skills and exclusions first, then the travel limit: most pairs in
/// range fail one of the first two, and the distance `km` is the costly
/// part), and if it passes, its cost before the stability bonus and the
/// clamp: the travel less the preference bonus `pref`.
fn pair_cost(wk: &WorkerM, dem: &DemandM, pref: i64, km: &dyn Fn() -> f64) -> Option<i64> {
    if !wk.has_skills(&dem.required) || wk.excludes(dem.farm) {
        return None;
    }
    let km = km();
    if km > wk.max_km {
        return None;
    }
    let cost = (km * KM_SCALE).round() as i64;
    Some(if wk.prefers(dem.farm) { cost - pref } else { cost })
}

/// Every demand in worker `w`'s reach, each once with its distance
/// (computed only when asked for): the demands of `index` within the
/// worker's travel limit as the crow flies, except on farms the worker
/// has a travel override for, and the demands of those farms that
/// `listed` accepts, at the override's distance.
fn each_in_reach(
    inst: &Instance,
    ctx: &CandidateContext,
    index: &SpatialIndex,
    w: u32,
    listed: impl Fn(u32) -> bool,
    mut visit: impl FnMut(u32, &dyn Fn() -> f64),
) {
    let wk = &inst.workers[w as usize];
    let w_cos = ctx.worker_cos[w as usize];
    index.for_each_within(wk.location, wk.max_km, |d| {
        let dem = &inst.demands[d as usize];
        if ctx.override_km(w, dem.farm).is_none() {
            let d_cos = ctx.demand_cos[d as usize];
            visit(d, &|| haversine_km_with(wk.location, w_cos, dem.location, d_cos));
        }
    });
    for &(farm, km) in &ctx.overrides[w as usize] {
        for &d in &ctx.farm_demands[farm as usize] {
            if listed(d) {
                visit(d, &|| km);
            }
        }
    }
}

/// The part of every worker's candidate arcs that does not depend on the
/// date, for a window of consecutive dates: each demand active on one of
/// them that the worker may take (skills, exclusions, travel limit; rules
/// 3-7) with its travel less the preference bonus. A date of the window
/// then takes its candidates from these rows ([`day_candidates_in`]): a
/// filter instead of a spatial query and a great-circle distance a pair,
/// the same arcs as [`day_candidates`] in the same order.
pub(crate) struct WindowArcs {
    days: std::ops::Range<Day>,
    /// Rows for every worker, not only those available in the window.
    every_worker: bool,
    /// Worker `w`'s arcs are row `w % CHUNK` of chunk `w / CHUNK`, kept as
    /// built (no copy into one array: on the national preset a window
    /// holds about 70 million arcs). A chunk's `count` holds the end of
    /// each row; its `demand` is global and ascending within a row, its
    /// `cost` the level-3 cost before the stability bonus and the clamp.
    /// A worker available on no date of the window has no arcs.
    chunks: Vec<WindowChunk>,
}

/// A chunk of [`WindowArcs`]: as [`Chunk`], with `count` the end of each
/// row and costs in 4 bytes (8 bytes an arc: on the national preset a
/// window holds about 70 million arcs, and a chain in flight keeps one).
#[derive(Default)]
struct WindowChunk {
    count: Vec<u32>,
    demand: Vec<u32>,
    cost: Vec<i32>,
    /// A cost did not fit in `i32` (over 2,147 km): the window is not used.
    wide: bool,
}

/// Builds [`WindowArcs`] for the dates `days`: rows for the workers
/// available on one of them, or for every worker (`every_worker`, so that
/// any rules may allow anyone). `None` when an arc's cost is beyond
/// 2,147 km (a travel limit or override that long), which the window's
/// 4-byte costs cannot hold: the dates then take the spatial query.
pub(crate) fn window_arcs(
    inst: &Instance,
    ctx: &CandidateContext,
    days: std::ops::Range<Day>,
    every_worker: bool,
) -> Option<WindowArcs> {
    let in_window = |d: &DemandM| d.start < days.end && d.end >= days.start && !days.is_empty();
    let index = SpatialIndex::new(
        inst.demands
            .iter()
            .enumerate()
            .filter(|(_, d)| in_window(d))
            .map(|(i, d)| (i as u32, d.location)),
    );
    let pref = (inst.options.preference_bonus_km * KM_SCALE).round() as i64;
    let all: Vec<u32> = (0..inst.workers.len() as u32).collect();
    let chunks: Vec<WindowChunk> = all
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut out = WindowChunk::default();
            let mut row: Vec<(u32, i64)> = Vec::new();
            for &w in chunk {
                row.clear();
                let wk = &inst.workers[w as usize];
                if every_worker || days.clone().any(|t| wk.available.contains(t)) {
                    let push = |d: u32, km: &dyn Fn() -> f64| {
                        if let Some(cost) = pair_cost(wk, &inst.demands[d as usize], pref, km) {
                            row.push((d, cost));
                        }
                    };
                    let listed = |d: u32| in_window(&inst.demands[d as usize]);
                    each_in_reach(inst, ctx, &index, w, listed, push);
                    row.sort_unstable_by_key(|&(d, _)| d);
                }
                out.demand.extend(row.iter().map(|&(d, _)| d));
                for &(_, c) in &row {
                    out.wide |= i32::try_from(c).is_err();
                    out.cost.push(c as i32);
                }
                out.count.push(out.demand.len() as u32);
            }
            // Kept for the window's life: no room to spare.
            out.demand.shrink_to_fit();
            out.cost.shrink_to_fit();
            out
        })
        .collect();
    (!chunks.iter().any(|c| c.wide)).then_some(WindowArcs { days, every_worker, chunks })
}

impl WindowArcs {
    /// Whether `day` is one of the window's dates.
    pub(crate) fn covers(&self, day: Day) -> bool {
        self.days.contains(&day)
    }

    /// Worker `w`'s arcs: global demands (ascending) and costs.
    fn row(&self, w: u32) -> (&[u32], &[i32]) {
        let (c, i) = (w as usize / CHUNK, w as usize % CHUNK);
        let chunk = &self.chunks[c];
        let start = if i == 0 { 0 } else { chunk.count[i - 1] as usize };
        let end = chunk.count[i] as usize;
        (&chunk.demand[start..end], &chunk.cost[start..end])
    }
}

/// [`day_candidates`] from a window's arcs: the same candidates, as long as
/// `day` is in the window and every worker `rules` allows has a row (is
/// available on `day`, as rule 2 asks, or the window has every worker).
pub(crate) fn day_candidates_in(
    inst: &Instance,
    arcs: &WindowArcs,
    day: Day,
    rules: &DayRules<'_>,
) -> DayCandidates {
    debug_assert!(arcs.covers(day));
    let frame = Frame::new(inst, day);
    let workers: Vec<u32> =
        (0..inst.workers.len() as u32).filter(|&w| rules.allowed[w as usize]).collect();
    let chunks: Vec<Chunk> = workers
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut out = Chunk::default();
            for &w in chunk {
                debug_assert!(
                    arcs.every_worker || inst.workers[w as usize].available.contains(day)
                );
                let forced = rules.forced.get(&w).copied();
                let before = out.demand.len();
                let (row_demand, row_cost) = arcs.row(w);
                for (&d, &c) in row_demand.iter().zip(row_cost) {
                    if let Some(l) = frame.open(d, forced) {
                        out.demand.push(l);
                        out.cost.push(frame.arc_cost(inst, w, d, i64::from(c)));
                    }
                }
                out.count.push((out.demand.len() - before) as u32);
            }
            out
        })
        .collect();
    frame.finish(workers, chunks, inst)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::{Assignment, TravelOverride};
    use crate::generate::{generate, Preset};
    use crate::validate::validate;

    fn same(a: &DayCandidates, b: &DayCandidates) -> bool {
        let (s, t) = (&a.transport, &b.transport);
        a.workers == b.workers
            && a.demands == b.demands
            && s.start == t.start
            && s.arc_demand == t.arc_demand
            && s.arc_cost == t.arc_cost
            && s.cap == t.cap
            && s.base == t.base
            && s.per_day == t.per_day
            && s.priority == t.priority
            && s.share_shortage == t.share_shortage
    }

    /// A window's candidates are the spatial generator's, arc for arc, on
    /// every date of every window: with travel overrides, excluded and
    /// preferred farms, locked and previous assignments, and crews pinned.
    #[test]
    fn window_candidates_are_the_dates_own() {
        for (preset, seed) in [(Preset::Small, 1), (Preset::Small, 2), (Preset::Wanju, 3)] {
            let mut p = generate(preset, seed);
            let mut farms: Vec<String> = p.demands.iter().map(|d| d.farm_id.clone()).collect();
            farms.sort();
            farms.dedup();
            assert!(farms.len() > 2);
            // Every 7th worker gets real travel to two farms (one far, one
            // near), every 5th excludes a farm, every 3rd prefers one.
            for (i, w) in p.workers.iter_mut().enumerate() {
                let f = &farms[i % farms.len()];
                if i % 7 == 0 {
                    p.travel.push(TravelOverride {
                        worker_id: w.id.clone(),
                        farm_id: f.clone(),
                        km: 1.5,
                    });
                    p.travel.push(TravelOverride {
                        worker_id: w.id.clone(),
                        farm_id: farms[(i + 1) % farms.len()].clone(),
                        km: 500.0,
                    });
                }
                if i % 5 == 0 {
                    w.excluded_farms.push(farms[(i + 2) % farms.len()].clone());
                }
                if i % 3 == 0 {
                    w.preferred_farms.push(farms[(i + 3) % farms.len()].clone());
                }
            }
            // Yesterday's plan as `previous`, a few of it `locked`.
            let plan = crate::solve::solve(&{
                let mut q = p.clone();
                q.options.time_limit_ms = Some(200);
                q
            })
            .expect("solves");
            for (k, a) in plan.assignments.iter().enumerate() {
                let a = Assignment::new(&a.worker_id, &a.demand_id, &a.date);
                if k % 10 == 0 {
                    p.locked.push(a.clone());
                }
                if k % 2 == 0 {
                    p.previous.push(a);
                }
            }
            let inst = validate(&p).expect("valid");
            let ctx = CandidateContext::new(&inst);
            let season = CandidateContext::with_season(&inst);
            assert!(season.has_season() && !ctx.has_season());
            let mut windows = 0;
            for width in [1, 3, 8] {
                let mut lo = 0;
                while lo < inst.n_days {
                    let hi = (lo + width).min(inst.n_days);
                    let arcs = window_arcs(&inst, &ctx, lo..hi, width == 3).expect("short trips");
                    windows += 1;
                    for day in lo..hi {
                        let mut allowed: Vec<bool> =
                            inst.workers.iter().map(|w| w.available.contains(day)).collect();
                        for f in locked_on(&inst, day) {
                            allowed[f.worker as usize] = false;
                        }
                        // Crews pinned to the demand of their first member's
                        // first arc, as a crew option would be.
                        let plain = DayRules { allowed: &allowed, forced: &HashMap::new() };
                        let free = day_candidates(&inst, &ctx, day, &plain);
                        let mut forced = HashMap::new();
                        let mut crew_demand = HashMap::new();
                        for (lw, &w) in free.workers.iter().enumerate() {
                            let t = &free.transport;
                            if let Some(crew) = inst.workers[w as usize].crew {
                                if t.start[lw] < t.start[lw + 1] {
                                    let d =
                                        free.demands[t.arc_demand[t.start[lw] as usize] as usize];
                                    forced.insert(w, *crew_demand.entry(crew).or_insert(d));
                                }
                            }
                        }
                        let pinned = DayRules { allowed: &allowed, forced: &forced };
                        for rules in [&plain, &pinned] {
                            let want = day_candidates(&inst, &ctx, day, rules);
                            assert!(same(&want, &day_candidates(&inst, &season, day, rules)));
                            let got = day_candidates_in(&inst, &arcs, day, rules);
                            assert!(
                                same(&want, &got),
                                "{preset:?} seed {seed}, window {lo}..{hi}, date {day}: {} arcs \
                                 against {}",
                                got.transport.arc_demand.len(),
                                want.transport.arc_demand.len()
                            );
                        }
                    }
                    lo = hi;
                }
            }
            assert!(windows > 3);
            // A trip beyond what 4-byte costs hold: no window, no season,
            // and the dates fall back to the spatial query.
            let mut far = p.clone();
            far.workers[1].max_travel_km = Some(5000.0);
            far.travel.push(TravelOverride {
                worker_id: far.workers[1].id.clone(),
                farm_id: farms[0].clone(),
                km: 3000.0,
            });
            let far = validate(&far).expect("valid");
            let far_ctx = CandidateContext::new(&far);
            assert!(window_arcs(&far, &far_ctx, 0..far.n_days, true).is_none());
            assert!(!CandidateContext::with_season(&far).has_season());
            assert!(
                !inst.previous.is_empty() && !inst.locked.is_empty() && !inst.travel.is_empty()
            );
        }
    }
}
