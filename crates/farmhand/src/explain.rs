//! Explanations and stand-ins: why each short slot is short, and who could
//! step in for a cancellation.
//!
//! The reason of a slot is the first code of the spec's table that applies,
//! read as follows (the checker reads it the same way):
//!
//! * *in range*: workers whose rule-5 distance to the demand is within their
//!   limit; none → `no_worker_in_range`.
//! * *skilled*: of those, the ones with every required skill (rule 6); none →
//!   `no_worker_with_skills`.
//! * *eligible*: of those, the ones available that date (rule 1); none →
//!   `no_worker_available`.
//! * some eligible worker has no assignment that date, so only
//!   `excluded_farms`, `max_days`, `max_consecutive_days` or a crew can have
//!   kept them away → `worker_limits`;
//! * otherwise every eligible worker works that date, on other demands or on
//!   this slot → `taken_by_other_demands`, with `eligible` counting all of
//!   them and `taken_by` the other demands, most workers taken first.
//!
//! This is the reading documented in `docs/checker.md`.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::candidates::CandidateContext;
use crate::flow::NONE;
use crate::format::{Reason, ReasonCode, SkillGap, Standby, StandbyWorker, Unfilled};
use crate::geo_util::{haversine_km, haversine_km_with};
use crate::index::{chord2_for_km, chord2_surely_within_km, SkillIndexes, SpatialIndex};
use crate::model::{Day, DaySet, Instance};

/// Unfilled slots with reasons, and stand-ins when asked for.
pub(crate) struct Explained {
    pub(crate) unfilled: Vec<Unfilled>,
    pub(crate) standby: Option<Vec<Standby>>,
}

/// A worker's travel limit as squared chords (see `index`).
struct ChordLimits {
    /// Beyond this, surely out of range.
    beyond: f64,
    /// Below this, surely in range.
    within: f64,
}

/// The travel limits of everyone, for the range queries.
struct Ranges {
    /// The largest: no worker is in range beyond it.
    max_km: f64,
    /// Per worker.
    limits: Vec<ChordLimits>,
}

impl Ranges {
    fn new(inst: &Instance) -> Ranges {
        let limits = inst
            .workers
            .iter()
            .map(|w| ChordLimits {
                beyond: chord2_for_km(w.max_km),
                within: chord2_surely_within_km(w.max_km),
            })
            .collect();
        let max_km = inst.workers.iter().map(|w| w.max_km).fold(0.0, f64::max);
        Ranges { max_km, limits }
    }
}

/// What a demand can reach, independent of the date.
struct Reach {
    /// In range and skilled (rules 5 and 6), as (worker, km), nearest
    /// first when stand-ins are asked for; otherwise in no order, and `km`
    /// may be NaN (only stand-ins report it).
    skilled: Vec<(u32, f64)>,
    /// In range (rule 5), the same way, read only when no one in range is
    /// skilled (otherwise empty): what the skill gap is measured on.
    in_range: Vec<(u32, f64)>,
    /// Per skilled worker: their availability over the demand's dates as
    /// bits (the demand's first date in bit 0), read once so that the
    /// reasons of its dates test a bit, not the worker's own set; empty
    /// when the demand spans more than 64 dates.
    skilled_avail: Vec<u64>,
}

/// `all` holds (day, demand, worker, km) of every assignment; `fill` the
/// workers per (demand, day).
pub(crate) fn explain(
    inst: &Instance,
    ctx: &CandidateContext,
    all: &[(Day, u32, u32, f64)],
    fill: &HashMap<(u32, Day), u32>,
    demand_rank: &[u32],
    cut: &[bool],
) -> Explained {
    let opts = &inst.options;
    let standby_k = opts.standby_per_slot.clamp(0, 20) as usize;
    let short = |d: usize, day: Day| {
        let n = inst.demands[d].per_day;
        n.saturating_sub(fill.get(&(d as u32, day)).copied().unwrap_or(0))
    };
    // Demands with something to say: a short slot, or every demand when
    // stand-ins are asked for.
    let needs: Vec<u32> = (0..inst.demands.len())
        .filter(|&d| {
            let dem = &inst.demands[d];
            standby_k > 0 || (dem.start..=dem.end).any(|day| short(d, day) > 0)
        })
        .map(|d| d as u32)
        .collect();
    if needs.is_empty() {
        return Explained { unfilled: Vec::new(), standby: (standby_k > 0).then(Vec::new) };
    }

    let workers =
        SpatialIndex::new(inst.workers.iter().enumerate().map(|(w, wk)| (w as u32, wk.location)));
    let farm_overrides = overrides_by_farm(inst);
    let ranges = Ranges::new(inst);
    let skills = SkillIndexes::new(inst);

    // Who works where on each date: per date, each worker's demand or
    // `NONE`. Dense (4 bytes a worker-date) because the reasons look up
    // every eligible worker of every short slot, billions of lookups on the
    // national preset: an array index, not a hash.
    let mut on_day: Vec<Vec<u32>> = vec![Vec::new(); inst.n_days as usize];
    for &(day, dem, w, _) in all {
        let row = &mut on_day[day as usize];
        if row.is_empty() {
            row.resize(inst.workers.len(), NONE);
        }
        row[w as usize] = dem;
    }
    let mut worked: Vec<DaySet> = Vec::new();
    let mut count = vec![0u32; inst.workers.len()];
    if standby_k > 0 {
        worked = vec![DaySet::new(inst.n_days); inst.workers.len()];
    }
    for &(day, _, w, _) in all {
        count[w as usize] += 1;
        if standby_k > 0 {
            worked[w as usize].insert_range(day, day);
        }
    }
    let works_on = |w: u32, day: Day| -> Option<u32> {
        let row = &on_day[day as usize];
        row.get(w as usize).copied().filter(|&d| d != NONE)
    };

    // One demand at a time per thread: a demand's reach (every worker in
    // range) can be large, so it lives only while its slots are explained.
    type Entries = (Vec<(Day, u32, Unfilled)>, Vec<(Day, u32, Standby)>);
    let per_demand: Vec<Entries> = needs
        .par_iter()
        .map(|&d| {
            let dem = &inst.demands[d as usize];
            let r = (opts.explain || standby_k > 0).then(|| {
                reach(inst, ctx, &workers, &skills, &farm_overrides, &ranges, d, standby_k > 0)
            });
            let (mut unfilled, mut standby) = (Vec::new(), Vec::new());
            for day in dem.start..=dem.end {
                let missing = short(d as usize, day);
                if missing > 0 {
                    let reason = match (&r, opts.explain) {
                        (Some(r), true) => Some(reason(
                            inst,
                            &workers,
                            &farm_overrides,
                            r,
                            d,
                            day,
                            &works_on,
                            cut[day as usize],
                            demand_rank,
                        )),
                        _ => None,
                    };
                    let u = Unfilled {
                        demand_id: dem.id.clone(),
                        date: inst.date_string(day),
                        missing: i64::from(missing),
                        reason,
                    };
                    unfilled.push((day, d, u));
                }
                if let (Some(r), true) = (&r, standby_k > 0) {
                    let list: Vec<StandbyWorker> = r
                        .skilled
                        .iter()
                        .filter(|&&(w, _)| {
                            let wk = &inst.workers[w as usize];
                            wk.available.contains(day)
                                && works_on(w, day).is_none()
                                && !wk.excludes(dem.farm)
                                && wk.max_days.is_none_or(|m| count[w as usize] < m)
                                && wk.max_consecutive.is_none_or(|m| {
                                    worked[w as usize].run_through(day, inst.n_days) <= m
                                })
                        })
                        .take(standby_k)
                        .map(|&(w, km)| StandbyWorker {
                            worker_id: inst.workers[w as usize].id.clone(),
                            distance_km: km,
                        })
                        .collect();
                    let entry = Standby {
                        demand_id: dem.id.clone(),
                        date: inst.date_string(day),
                        workers: list,
                    };
                    standby.push((day, d, entry));
                }
            }
            (unfilled, standby)
        })
        .collect();

    let (mut unfilled, mut standby): (Vec<_>, Vec<_>) = per_demand.into_iter().unzip();
    let mut unfilled: Vec<(Day, u32, Unfilled)> = unfilled.drain(..).flatten().collect();
    let mut standby: Vec<(Day, u32, Standby)> = standby.drain(..).flatten().collect();
    unfilled.sort_by_key(|&(day, d, _)| (day, demand_rank[d as usize]));
    standby.sort_by_key(|&(day, d, _)| (day, demand_rank[d as usize]));
    let unfilled = unfilled.into_iter().map(|(_, _, u)| u).collect();
    let standby = standby.into_iter().map(|(_, _, s)| s).collect();
    Explained { unfilled, standby: (standby_k > 0).then_some(standby) }
}

/// What [`explain`] costs, timed on a sample of demands: to predict its
/// time under a time limit, first for every slot of every demand (before
/// the plan is known), then for the plan's own short slots.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ExplainCost {
    /// Building its indexes (done again by `explain` itself).
    setup: Duration,
    /// A demand's reach, on one thread.
    per_demand: Duration,
    /// A slot's reason (or stand-ins), on one thread, with every eligible
    /// worker free.
    per_slot: Duration,
    /// ... and with every eligible worker working elsewhere, the costlier
    /// reading (the demands they work on are counted and sorted).
    per_busy_slot: Duration,
    /// Stand-ins are asked for: every slot of every demand has some.
    standby: bool,
}

impl ExplainCost {
    /// Explaining `demands` demands with `slots` short slots among them
    /// (every slot when stand-ins are asked for), over the threads, each
    /// slot as costly as when every eligible worker works elsewhere.
    pub(crate) fn predict(&self, inst: &Instance, demands: usize, slots: usize) -> Duration {
        let (demands, slots) =
            if self.standby { (inst.demands.len(), all_slots(inst)) } else { (demands, slots) };
        self.over_threads(demands, self.per_busy_slot.mul_f64(slots as f64))
    }

    /// Explaining every slot of every demand, as if nothing were filled
    /// (and everyone eligible free): generous in the slots, before the
    /// plan is known.
    pub(crate) fn predict_all(&self, inst: &Instance) -> Duration {
        self.over_threads(inst.demands.len(), self.per_slot.mul_f64(all_slots(inst) as f64))
    }

    fn over_threads(&self, demands: usize, slots: Duration) -> Duration {
        let threads = rayon::current_num_threads().max(1) as f64;
        self.setup * 2 + (self.per_demand.mul_f64(demands as f64) + slots).div_f64(threads)
    }
}

/// Every slot (demand and date) of the problem.
fn all_slots(inst: &Instance) -> usize {
    inst.demands.iter().map(|d| (d.end - d.start + 1) as usize).sum()
}

/// [`ExplainCost`] timed on 64 demands spread over the problem (every date
/// short, so every eligible worker is looked at: once with everyone free,
/// once with everyone working elsewhere). 256 took
/// 35 ms of a 200 ms limit on the county, for about the same prediction.
pub(crate) fn cost(inst: &Instance, ctx: &CandidateContext) -> ExplainCost {
    let standby_k = inst.options.standby_per_slot.clamp(0, 20) as usize;
    let n = inst.demands.len();
    if n == 0 || (!inst.options.explain && standby_k == 0) {
        return ExplainCost::default();
    }
    let started = Instant::now();
    let workers =
        SpatialIndex::new(inst.workers.iter().enumerate().map(|(w, wk)| (w as u32, wk.location)));
    let farm_overrides = overrides_by_farm(inst);
    let ranges = Ranges::new(inst);
    let skills = SkillIndexes::new(inst);
    let demand_rank = crate::solve::rank_by_id(inst.demands.iter().map(|d| d.id.as_str()));
    let setup = started.elapsed();
    let step = n.div_ceil(64);
    let nobody = |_: u32, _: Day| None;
    // Everyone on some other demand, spread over many.
    let elsewhere = |w: u32, _: Day| Some(w % n as u32);
    let (mut reaching, mut reasoning, mut busy) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let (mut sampled, mut slots) = (0usize, 0usize);
    for d in (0..n as u32).step_by(step) {
        sampled += 1;
        let t = Instant::now();
        let r = reach(inst, ctx, &workers, &skills, &farm_overrides, &ranges, d, standby_k > 0);
        reaching += t.elapsed();
        let dem = &inst.demands[d as usize];
        slots += (dem.end - dem.start + 1) as usize;
        // The reasons of every date of the demand, with who works where.
        let reasons = |works_on: &dyn Fn(u32, Day) -> Option<u32>| {
            let t = Instant::now();
            for day in dem.start..=dem.end {
                let why = reason(
                    inst,
                    &workers,
                    &farm_overrides,
                    &r,
                    d,
                    day,
                    &works_on,
                    false,
                    &demand_rank,
                );
                std::hint::black_box(why);
            }
            t.elapsed()
        };
        reasoning += reasons(&nobody);
        busy += reasons(&elsewhere);
    }
    ExplainCost {
        setup,
        per_demand: reaching.div_f64(sampled as f64),
        per_slot: reasoning.div_f64(slots.max(1) as f64),
        per_busy_slot: busy.div_f64(slots.max(1) as f64),
        standby: standby_k > 0,
    }
}

/// The demands with a short slot and the short slots of a plan, for
/// [`ExplainCost::predict`].
pub(crate) fn short_slots(inst: &Instance, days: &[crate::solve::DayResult]) -> (usize, usize) {
    let mut filled = vec![0u32; inst.demands.len()];
    let mut short_demand = vec![false; inst.demands.len()];
    let mut slots = 0;
    for r in days {
        for &(_, d, _) in &r.assignments {
            filled[d as usize] += 1;
        }
        for (d, dem) in inst.demands.iter().enumerate() {
            if dem.is_active(r.day) && filled[d] < dem.per_day {
                slots += 1;
                short_demand[d] = true;
            }
        }
        for &(_, d, _) in &r.assignments {
            filled[d as usize] = 0;
        }
    }
    (short_demand.iter().filter(|&&s| s).count(), slots)
}

/// Per farm: (worker, km) of its travel overrides.
pub(crate) fn overrides_by_farm(inst: &Instance) -> Vec<Vec<(u32, f64)>> {
    let mut by_farm = vec![Vec::new(); inst.farms.len()];
    for (&(w, farm), &km) in &inst.travel {
        by_farm[farm as usize].push((w, km));
    }
    for v in &mut by_farm {
        v.sort_by_key(|&(w, _)| w);
    }
    by_farm
}

#[allow(clippy::too_many_arguments)]
fn reach(
    inst: &Instance,
    ctx: &CandidateContext,
    workers: &SpatialIndex,
    skills: &SkillIndexes,
    farm_overrides: &[Vec<(u32, f64)>],
    ranges: &Ranges,
    d: u32,
    sorted: bool,
) -> Reach {
    let dem = &inst.demands[d as usize];
    let overridden = &farm_overrides[dem.farm as usize];
    // The workers of `index` in range (rule 5), with the travel overrides:
    // only those with the demand's skills when `skilled` (rule 6), checked
    // on the index's workers when `check` (all of them hold the skills when
    // it is the holders' index of the demand's only required skill).
    let in_range_of = |index: &SpatialIndex, skilled: bool, check: bool| {
        let has_skills = |w: u32| inst.workers[w as usize].has_skills(&dem.required);
        let mut found: Vec<(u32, f64)> = Vec::new();
        // The squared chord settles most workers at once: clearly beyond
        // their limit, or (when no distance is reported) clearly within
        // it; only the thin band between takes the exact distance.
        index.for_each_within_chord2(dem.location, ranges.max_km, |w, c2| {
            let lim = &ranges.limits[w as usize];
            if c2 > lim.beyond
                || overridden.binary_search_by_key(&w, |&(x, _)| x).is_ok()
                || (check && !has_skills(w))
            {
                return;
            }
            if !sorted && c2 < lim.within {
                found.push((w, f64::NAN));
                return;
            }
            let (w_loc, w_cos) = (inst.workers[w as usize].location, ctx.worker_cos[w as usize]);
            let km = haversine_km_with(w_loc, w_cos, dem.location, ctx.demand_cos[d as usize]);
            if km <= inst.workers[w as usize].max_km {
                found.push((w, km));
            }
        });
        for &(w, km) in overridden {
            if km <= inst.workers[w as usize].max_km && (!skilled || has_skills(w)) {
                found.push((w, km));
            }
        }
        // Nearest first only matters for stand-ins; reasons count.
        if sorted {
            found.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        }
        found
    };
    // The skilled from the holders of the rarest required skill (the
    // others checked), or everyone when no skill is required; everyone in
    // range only when no one skilled is.
    let skilled = match skills.rarest(inst, d) {
        Some(holders) => in_range_of(holders, true, dem.required.len() > 1),
        None => in_range_of(workers, false, false),
    };
    let in_range = if skilled.is_empty() && !dem.required.is_empty() {
        in_range_of(workers, false, false)
    } else {
        Vec::new()
    };
    let span = dem.end - dem.start + 1;
    let skilled_avail = if span <= 64 {
        skilled
            .iter()
            .map(|&(w, _)| inst.workers[w as usize].available.window(dem.start, span))
            .collect()
    } else {
        Vec::new()
    };
    Reach { in_range, skilled, skilled_avail }
}

#[allow(clippy::too_many_arguments)]
fn reason(
    inst: &Instance,
    workers: &SpatialIndex,
    farm_overrides: &[Vec<(u32, f64)>],
    r: &Reach,
    d: u32,
    day: Day,
    works_on: &impl Fn(u32, Day) -> Option<u32>,
    cut: bool,
    demand_rank: &[u32],
) -> Reason {
    let dem = &inst.demands[d as usize];
    let blank = |code: ReasonCode, message: String| Reason {
        code,
        message,
        nearest_km: None,
        closest_skill_gap: None,
        eligible: None,
        taken_by: None,
    };
    if r.skilled.is_empty() && r.in_range.is_empty() {
        let nearest = nearest_skilled_km(inst, workers, farm_overrides, d);
        let message = match nearest {
            Some(km) => format!(
                "no worker's travel limit reaches this farm; the nearest worker with the skills is {km:.1} km away"
            ),
            None => "no worker's travel limit reaches this farm, and no worker has the skills".into(),
        };
        return Reason { nearest_km: nearest, ..blank(ReasonCode::NoWorkerInRange, message) };
    }
    if r.skilled.is_empty() {
        let mut gap = BTreeMap::new();
        for &(s, needed) in &dem.required {
            let best =
                r.in_range.iter().map(|&(w, _)| inst.workers[w as usize].skill_level(s)).max();
            let best = best.unwrap_or(0);
            if best < needed {
                gap.insert(
                    inst.skills[s as usize].clone(),
                    SkillGap { needed: i64::from(needed), best: i64::from(best) },
                );
            }
        }
        let detail: Vec<String> =
            gap.iter().map(|(s, g)| format!("{s} {} (best {})", g.needed, g.best)).collect();
        let message = format!(
            "{} worker(s) can reach this farm but none has the required skills: needs {}",
            r.in_range.len(),
            detail.join(", ")
        );
        return Reason {
            closest_skill_gap: Some(gap),
            ..blank(ReasonCode::NoWorkerWithSkills, message)
        };
    }
    // One pass over the skilled: available ones are eligible; of those,
    // count the free and note the other demands the rest work on.
    let mut eligible = 0usize;
    let mut free = 0usize;
    let mut others: Vec<u32> = Vec::new();
    // Without branches on who is available or free (they are as good as
    // random): these took most of explaining the county. Availability is a
    // bit of the demand's window, or (a demand over 64 dates) the worker's
    // own set.
    let shift = day - dem.start;
    others.resize(r.skilled.len(), NONE);
    let mut n = 0;
    for (i, &(w, _)) in r.skilled.iter().enumerate() {
        let avail = match r.skilled_avail.get(i) {
            Some(&bits) => (bits >> shift) & 1 == 1,
            None => inst.workers[w as usize].available.contains(day),
        };
        let on = works_on(w, day).unwrap_or(NONE);
        eligible += usize::from(avail);
        free += usize::from(avail & (on == NONE));
        others[n] = on;
        n += usize::from(avail & (on != NONE) & (on != d));
    }
    others.truncate(n);
    if eligible == 0 {
        let message = format!(
            "{} worker(s) with the skills can reach this farm but none is available on this date",
            r.skilled.len()
        );
        return blank(ReasonCode::NoWorkerAvailable, message);
    }
    if free > 0 {
        let message = if cut {
            format!(
                "{free} eligible worker(s) are free on this date: excluded_farms, max_days, max_consecutive_days or their crew rule them out, or the time limit stopped the search on this date before it placed them"
            )
        } else {
            format!(
                "{free} eligible worker(s) are free on this date but excluded_farms, max_days, max_consecutive_days or their crew rule them out"
            )
        };
        return blank(ReasonCode::WorkerLimits, message);
    }
    others.sort_unstable();
    let mut taken: Vec<(u32, u32)> =
        others.chunk_by(|a, b| a == b).map(|group| (group[0], group.len() as u32)).collect();
    // Most workers first, then by id (its rank: no string comparisons).
    taken.sort_unstable_by_key(|&(d, n)| (std::cmp::Reverse(n), demand_rank[d as usize]));
    let taken_by: Vec<String> =
        taken.iter().take(5).map(|&(d, _)| inst.demands[d as usize].id.clone()).collect();
    let message = if taken_by.is_empty() {
        format!("all {eligible} eligible worker(s) already work on this slot")
    } else {
        format!(
            "all {eligible} eligible worker(s) work on this date, on this slot or on others (mostly {})",
            taken_by.join(", ")
        )
    };
    Reason {
        eligible: Some(eligible as u64),
        taken_by: Some(taken_by),
        ..blank(ReasonCode::TakenByOtherDemands, message)
    }
}

/// Distance to the nearest worker with the demand's skills, whatever their
/// travel limit.
fn nearest_skilled_km(
    inst: &Instance,
    workers: &SpatialIndex,
    farm_overrides: &[Vec<(u32, f64)>],
    d: u32,
) -> Option<f64> {
    let dem = &inst.demands[d as usize];
    let overridden = &farm_overrides[dem.farm as usize];
    let mut best: Option<f64> = None;
    for &(w, km) in overridden {
        if inst.workers[w as usize].has_skills(&dem.required) && best.is_none_or(|b| km < b) {
            best = Some(km);
        }
    }
    for w in workers.nearest(dem.location) {
        let wk = &inst.workers[w as usize];
        if overridden.binary_search_by_key(&w, |&(x, _)| x).is_ok() || !wk.has_skills(&dem.required)
        {
            continue;
        }
        let km = haversine_km(wk.location, dem.location);
        if best.is_none_or(|b| km < b) {
            best = Some(km);
        }
        break;
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, Preset};
    use crate::validate;

    /// A demand's reach, read from the holders of its rarest required skill,
    /// is everyone in range with every skill (brute force over all
    /// workers), and everyone in range when no one skilled is; demands with
    /// two or three required skills, some that no one in range holds, and
    /// travel overrides.
    #[test]
    fn the_reach_of_a_demand_is_everyone_in_range_with_its_skills() {
        let mut compared = 0;
        for seed in [1, 2, 3] {
            let mut p = generate(Preset::Small, seed);
            let skills: Vec<String> =
                p.workers.iter().flat_map(|w| w.skills.keys().cloned()).collect();
            for (i, d) in p.demands.iter_mut().enumerate() {
                for k in 0..i % 3 {
                    let skill = skills[(i * 7 + k * 13) % skills.len()].clone();
                    d.required_skills.insert(skill, 1 + ((i + k) % 4) as i64);
                }
            }
            // Travel overrides, nearer and farther than the great circle.
            let farms: Vec<String> = p.demands.iter().map(|d| d.farm_id.clone()).collect();
            for (i, w) in p.workers.iter().enumerate().step_by(5) {
                let km = [0.5, 3.0, 12.0, 25.0, 80.0][i % 5];
                let farm_id = farms[(i * 11) % farms.len()].clone();
                p.travel.push(crate::format::TravelOverride {
                    worker_id: w.id.clone(),
                    farm_id,
                    km,
                });
            }
            p.travel.sort_by(|a, b| (&a.worker_id, &a.farm_id).cmp(&(&b.worker_id, &b.farm_id)));
            p.travel.dedup_by(|a, b| a.worker_id == b.worker_id && a.farm_id == b.farm_id);
            let inst = validate(&p).expect("valid");
            assert!(!inst.travel.is_empty());
            let ctx = CandidateContext::new(&inst);
            let workers = SpatialIndex::new(
                inst.workers.iter().enumerate().map(|(w, wk)| (w as u32, wk.location)),
            );
            let skill_indexes = SkillIndexes::new(&inst);
            let farm_overrides = overrides_by_farm(&inst);
            let ranges = Ranges::new(&inst);
            for d in 0..inst.demands.len() as u32 {
                let in_range: Vec<u32> = (0..inst.workers.len() as u32)
                    .filter(|&w| inst.distance_km(w, d) <= inst.workers[w as usize].max_km)
                    .collect();
                let required = &inst.demands[d as usize].required;
                let skilled: Vec<u32> = in_range
                    .iter()
                    .copied()
                    .filter(|&w| inst.workers[w as usize].has_skills(required))
                    .collect();
                for sorted in [false, true] {
                    let r = reach(
                        &inst,
                        &ctx,
                        &workers,
                        &skill_indexes,
                        &farm_overrides,
                        &ranges,
                        d,
                        sorted,
                    );
                    let ids = |v: &[(u32, f64)]| {
                        let mut ids: Vec<u32> = v.iter().map(|&(w, _)| w).collect();
                        ids.sort_unstable();
                        ids
                    };
                    assert_eq!(ids(&r.skilled), skilled, "seed {seed} demand {d}");
                    if skilled.is_empty() {
                        assert_eq!(ids(&r.in_range), in_range, "seed {seed} demand {d}");
                    }
                    if sorted {
                        assert!(
                            r.skilled.is_sorted_by(|a, b| a.1 <= b.1),
                            "seed {seed} demand {d}"
                        );
                    }
                }
                compared += usize::from(required.len() > 1);
            }
        }
        assert!(compared > 10, "only {compared} demands with two or more skills");
    }
}
