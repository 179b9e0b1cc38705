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
use crate::model::{Day, Fixed, Instance};

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
}

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
        Self { overrides, farm_demands, demand_cos, worker_cos }
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

/// Builds the candidates of `day`.
pub(crate) fn day_candidates(
    inst: &Instance,
    ctx: &CandidateContext,
    day: Day,
    rules: &DayRules<'_>,
) -> DayCandidates {
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
    let workers: Vec<u32> =
        (0..inst.workers.len() as u32).filter(|&w| rules.allowed[w as usize]).collect();

    let index = SpatialIndex::new(
        demands.iter().filter(|&&d| cap[local[d as usize] as usize] > 0).map(|&d| {
            let dem = &inst.demands[d as usize];
            (d, dem.location)
        }),
    );
    let opts = &inst.options;
    let pref = (opts.preference_bonus_km * KM_SCALE).round() as i64;
    let stab = (opts.stability_bonus_km * KM_SCALE).round() as i64;

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
                // The rules that need no distance come first: most pairs in
                // range fail one, and the distance is the costly part.
                let mut push = |d: u32, km: &dyn Fn() -> f64| {
                    let dem = &inst.demands[d as usize];
                    let l = local[d as usize];
                    if cap[l as usize] == 0
                        || forced.is_some_and(|f| f != d)
                        || !wk.has_skills(&dem.required)
                        || wk.excludes(dem.farm)
                    {
                        return;
                    }
                    let km = km();
                    if km > wk.max_km {
                        return;
                    }
                    let mut cost = (km * KM_SCALE).round() as i64;
                    if wk.prefers(dem.farm) {
                        cost -= pref;
                    }
                    if inst.previous.binary_search(&Fixed { worker: w, demand: d, day }).is_ok() {
                        cost -= stab;
                    }
                    row.push((l, cost.clamp(-MAX_ARC_COST, MAX_ARC_COST)));
                };
                let w_cos = ctx.worker_cos[w as usize];
                index.for_each_within(wk.location, wk.max_km, |d| {
                    let dem = &inst.demands[d as usize];
                    if ctx.override_km(w, dem.farm).is_none() {
                        let d_cos = ctx.demand_cos[d as usize];
                        push(d, &|| haversine_km_with(wk.location, w_cos, dem.location, d_cos));
                    }
                });
                for &(farm, km) in &ctx.overrides[w as usize] {
                    for &d in &ctx.farm_demands[farm as usize] {
                        if local[d as usize] != u32::MAX {
                            push(d, &|| km);
                        }
                    }
                }
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

    let n_arcs: usize = chunks.iter().map(|c| c.demand.len()).sum();
    let mut transport = Transport {
        start: Vec::with_capacity(workers.len() + 1),
        arc_demand: Vec::with_capacity(n_arcs),
        arc_cost: Vec::with_capacity(n_arcs),
        cap,
        base,
        per_day,
        priority,
        share_shortage: opts.share_shortage,
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
    DayCandidates { workers, demands, transport }
}
