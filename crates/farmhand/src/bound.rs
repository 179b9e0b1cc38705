//! A lower bound on `objective_km` for problems coupled only by the
//! continuity bonus, strong enough to measure how far a plan is from the
//! optimum (issue 4's quality figures), and the hints the date-ordered pass
//! plans by (`solve.rs`): each worker's schedule at the best multipliers,
//! and what a stay is worth there ([`StayCredits`]).
//!
//! Among the plans with the optimal weighted fill and imbalance (levels 1
//! and 2), which on such problems are the plans optimal at those levels on
//! every date (see [`crate::flow::Face`]), the level-3 cost is at least the
//! Lagrangian bound of this relaxation: drop the demands' headcounts
//! (dualised with a multiplier `lambda` per demand and date), so that every
//! worker chooses a schedule on their own: one allowed demand or nothing on
//! each date, paying the arc's cost plus `lambda` and earning the continuity
//! bonus for each next-day stay, by a dynamic programme over the dates; each
//! date then takes the headcounts within its face's ranges, with the
//! weighted fill every plan of the face gives it, that `lambda` favours
//! most (a fractional knapsack). Every `lambda` gives a valid bound; deflected
//! subgradient steps (Polyak's rule toward a level above the best bound so
//! far, or for the hints toward a plan's cost) raise it toward the linear
//! programme of worker schedules, which sees the continuity bonus whole,
//! unlike the solver's own bound (half the bonus to each side of every pair
//! that could form).

use std::collections::HashMap;

use rayon::prelude::*;

use crate::candidates::{day_candidates, CandidateContext, DayRules, KM_SCALE};
use crate::flow::{level12_face, NONE};
use crate::improve::continuity_mm;
use crate::model::Instance;
use crate::solve::Tracker;

/// The share of the last step's direction kept in the next (0 is plain
/// subgradient steps). On the county continuity variant 0, 0.5, 0.7, 0.8
/// and 0.9 gave plans of 8,693, 8,276, 8,988, 6,203 and 7,017 km; 0.8 also
/// gave the county default's three seeds a fill as high or higher
/// (BENCHMARKS.md, "Across dates").
const DEFLECTION: f64 = 0.8;

/// How the steps are sized (Polyak's rule: the gap to an estimate of the
/// best bound over the squared direction).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Steps {
    /// Aimed at the target, a plan's cost, with a share of the gap that
    /// starts at 1 and is halved after [`TARGET_STALL`] steps without a
    /// better bound.
    Target,
    /// Aimed at a level above the best bound so far (a variable target
    /// value): [`LEVEL`] of the way to the target at first, its height
    /// halved after [`STALL`] steps without a better bound.
    Level,
}

/// The first level's height above the first bound, as a share of the gap
/// to the target. The target (a plan's cost) can lie far above the best
/// multipliers' bound (on the county continuity variant 6,203 km against
/// about -21,400), so steps aimed at it overshoot until their share has
/// been halved a few times: on that variant 300 steps reached -26,633 km
/// aimed at the target and -22,128 aimed at the level (BENCHMARKS.md,
/// "Across dates").
const LEVEL: f64 = 0.25;

/// Steps without a better bound before the level's height is halved.
const STALL: usize = 20;

/// Steps without a better bound before [`Steps::Target`]'s share is halved.
const TARGET_STALL: usize = 40;

/// One date's allowed arcs by global worker.
struct DateArcs {
    /// Per global worker: its row, or [`NONE`].
    row: Vec<u32>,
    /// Arcs of row `r` are `start[r]..start[r + 1]`, by demand ascending.
    start: Vec<u32>,
    /// Per arc: index into `lambda` (demand and date), and global demand.
    slot: Vec<u32>,
    demand: Vec<u32>,
    /// Per arc: level-3 cost in millimetres.
    cost: Vec<f64>,
    /// Per arc: in every plan of the face (-1) or free (0).
    forced: Vec<bool>,
    /// Per arc: the index, within the same worker's row on the date before
    /// (the previous entry of the dates' list), of its arc to the same
    /// demand, or [`NONE`]. Filled by [`link_stays`]: the programmes find
    /// a stay by it rather than by merging the two rows at every step.
    stay: Vec<u32>,
    /// Per row: -1 must work, 0 free, 1 must not.
    must: Vec<i8>,
}

impl DateArcs {
    /// No rows yet, for `n_w` workers.
    fn empty(n_w: usize) -> DateArcs {
        DateArcs {
            row: vec![NONE; n_w],
            start: vec![0],
            slot: Vec::new(),
            demand: Vec::new(),
            cost: Vec::new(),
            forced: Vec::new(),
            stay: Vec::new(),
            must: Vec::new(),
        }
    }
}

/// Fills every arc's [`DateArcs::stay`], each date against the one before
/// it in `dates` (consecutive calendar dates).
fn link_stays(dates: &mut [DateArcs]) {
    let stays: Vec<Vec<u32>> = (0..dates.len())
        .into_par_iter()
        .map(|t| {
            let date = &dates[t];
            let mut stay = vec![NONE; date.slot.len()];
            let Some(prev) = t.checked_sub(1).map(|p| &dates[p]) else { return stay };
            for (w, &r) in date.row.iter().enumerate() {
                let pr = prev.row[w];
                if r == NONE || pr == NONE {
                    continue;
                }
                let theirs = prev.start[pr as usize] as usize..prev.start[pr as usize + 1] as usize;
                let mine = date.start[r as usize] as usize..date.start[r as usize + 1] as usize;
                let mut j = theirs.start;
                for (link, &d) in stay[mine.clone()].iter_mut().zip(&date.demand[mine]) {
                    while j < theirs.end && prev.demand[j] < d {
                        j += 1;
                    }
                    if j < theirs.end && prev.demand[j] == d {
                        *link = (j - theirs.start) as u32;
                    }
                }
            }
            stay
        })
        .collect();
    for (date, stay) in dates.iter_mut().zip(stays) {
        date.stay = stay;
    }
}

/// A slot: one demand on one date, with the face's headcount range and
/// the demand's priority.
struct Slot {
    lo: f64,
    hi: f64,
    priority: f64,
    day: u32,
    demand: u32,
}

/// The best bound found and its iterations.
#[derive(Debug, Clone, Copy)]
pub struct PathBound {
    /// Lower bound on `objective_km` among plans with the optimal weighted
    /// fill and imbalance.
    pub km: f64,
    /// Subgradient iterations run.
    pub iterations: usize,
}

/// The bound after `iterations` subgradient steps aimed at `target_km` (a
/// plan's objective). `None` when the problem has more than continuity to
/// couple its dates (day limits, crews, locked assignments), where the
/// relaxation would not hold.
pub fn path_lower_bound(inst: &Instance, iterations: usize, target_km: f64) -> Option<PathBound> {
    bound_and_schedules(inst, iterations, target_km, None).map(|(b, _)| b)
}

/// A worker's schedule: (date, global demand) of each date it works, in
/// date order.
pub(crate) type Schedule = Vec<(u32, u32)>;

/// [`path_lower_bound`], and every worker's schedule at the best
/// multipliers: per worker, (date, global demand) of each date it works.
pub(crate) fn bound_and_schedules(
    inst: &Instance,
    iterations: usize,
    target_km: f64,
    tracker: Option<&Tracker<'_>>,
) -> Option<(PathBound, Hints)> {
    if !inst.locked.is_empty() || has_limits(inst) {
        return None;
    }
    run(inst, iterations, target_km, tracker, Steps::Level)
}

/// Workers' schedules for a problem that day limits, crews or locked
/// assignments also couple: the same relaxation with those rules left out
/// (and each date's locked workers taken out of it), so no bound, but
/// where the continuity bonus would have each worker stay. `steps` as
/// [`hint_steps`] chooses them, or the level for the second search of a
/// problem with day limits (`solve::two_searches`).
pub(crate) fn relaxed_schedules(
    inst: &Instance,
    iterations: usize,
    target_km: f64,
    tracker: Option<&Tracker<'_>>,
    steps: Steps,
) -> Option<Hints> {
    run(inst, iterations, target_km, tracker, steps).map(|(_, s)| s)
}

/// How the hints' steps go by default. With day limits or crews they are
/// aimed at the target: the level's steps gave those problems' plans a
/// lower fill (in the one search they had then); with locked assignments
/// alone they aim at the level, which gave four of five re-plans lower km
/// (BENCHMARKS.md, "Across dates").
pub(crate) fn hint_steps(inst: &Instance) -> Steps {
    if has_limits(inst) {
        Steps::Target
    } else {
        Steps::Level
    }
}

/// Whether day limits or crews couple the dates (rules the relaxation
/// leaves out).
pub(crate) fn has_limits(inst: &Instance) -> bool {
    inst.workers
        .iter()
        .any(|w| w.max_days.is_some() || w.max_consecutive.is_some() || w.crew.is_some())
}

fn run(
    inst: &Instance,
    iterations: usize,
    target_km: f64,
    tracker: Option<&Tracker<'_>>,
    steps: Steps,
) -> Option<(PathBound, Hints)> {
    let ctx = CandidateContext::new(inst);
    let n_w = inst.workers.len();
    let limits = has_limits(inst);
    // Progress: a pass over the dates for the faces, one for the steps.
    if let Some(t) = tracker {
        t.add_pass();
        t.add_pass();
    }
    // Dates in parallel; each numbers its slots from 0, shifted after.
    let per_date: Vec<(DateArcs, Vec<Slot>, f64)> = (0..inst.n_days)
        .into_par_iter()
        .map(|day| {
            let mut allowed: Vec<bool> =
                inst.workers.iter().map(|w| w.available.contains(day)).collect();
            for f in inst.locked.iter().filter(|f| f.day == day) {
                allowed[f.worker as usize] = false;
            }
            let rules = DayRules { allowed: &allowed, forced: &HashMap::new() };
            let cands = day_candidates(inst, &ctx, day, &rules);
            let t = &cands.transport;
            let face = level12_face(t);
            let slots: Vec<Slot> = face
                .fill
                .iter()
                .zip(&cands.demands)
                .map(|(&(lo, hi), &d)| Slot {
                    lo: lo.into(),
                    hi: hi.into(),
                    priority: inst.demands[d as usize].priority.into(),
                    day,
                    demand: d,
                })
                .collect();
            let mut out = DateArcs::empty(n_w);
            for (lw, &w) in cands.workers.iter().enumerate() {
                out.row[w as usize] = out.must.len() as u32;
                out.must.push(face.worker[lw]);
                for a in t.start[lw] as usize..t.start[lw + 1] as usize {
                    if face.arc[a] <= 0 {
                        let d = t.arc_demand[a];
                        out.slot.push(d);
                        out.demand.push(cands.demands[d as usize]);
                        out.cost.push(t.arc_cost[a] as f64);
                        out.forced.push(face.arc[a] < 0);
                    }
                }
                out.start.push(out.slot.len() as u32);
            }
            if let Some(t) = tracker {
                t.date_done();
            }
            (out, slots, face.weighted as f64)
        })
        .collect();
    let mut slots: Vec<Slot> = Vec::new();
    let mut dates: Vec<DateArcs> = Vec::with_capacity(per_date.len());
    // Per date: its slots' range in `slots`, and the weighted fill every
    // plan of the face gives them together.
    let mut totals: Vec<(std::ops::Range<usize>, f64)> = Vec::with_capacity(per_date.len());
    for (mut date, date_slots, weighted) in per_date {
        let first = slots.len();
        date.slot.iter_mut().for_each(|s| *s += first as u32);
        slots.extend(date_slots);
        totals.push((first..slots.len(), weighted));
        dates.push(date);
    }
    link_stays(&mut dates);
    let refs: Vec<&DateArcs> = dates.iter().collect();
    // Day-limited workers: `max_days` is dualised too, with a multiplier
    // per such worker after the slots' in `lambda` (at `mu_at`), so that
    // the headcounts' multipliers see who can work how often; at the end
    // a schedule that breaks a limit is found again with the limits kept
    // (`schedule_within`). Keeping the limits in every step's programme
    // (dates used and run length as its state) gave the county default
    // the same plan 9 % slower; this, 3 % (BENCHMARKS.md, "Across
    // dates").
    let day_limits = day_limits(inst);
    let mut mu_at = vec![NONE; n_w];
    let mut n_mu = 0;
    for (w, l) in day_limits.iter().enumerate() {
        if l.is_some_and(|l| l.max_days.is_some()) {
            mu_at[w] = (slots.len() + n_mu) as u32;
            n_mu += 1;
        }
    }
    let mut best_lambda: Vec<f64> = Vec::new();
    let mut order: Vec<usize> = Vec::new();
    let mut fill = vec![0.0f64; slots.len()];
    let bonus = continuity_mm(inst) as f64;
    let mut lambda = vec![0.0f64; slots.len() + n_mu];
    let target = target_km * KM_SCALE;
    let mut best = f64::NEG_INFINITY;
    // Steps::Target: the share of the gap to the target. Steps::Level:
    // the level's height above the best bound, set at the first step.
    let mut theta = 1.0;
    let mut height = 0.0f64;
    let mut since_best = 0;
    let mut done = 0;
    let mut best_schedules: Vec<Vec<u32>> = Vec::new();
    let mut dir: Vec<f64> = Vec::new();
    let n_days = inst.n_days as usize;
    for step in 0..iterations {
        if tracker.is_some_and(|t| t.cancelled().is_err()) {
            return None;
        }
        // Under a time limit the steps stop at the phase's deadline, after
        // the first: the best multipliers so far still give a lower bound
        // and schedules.
        if step > 0 && tracker.is_some_and(|t| t.past_deadline()) {
            if let Some(t) = tracker {
                let share = |k: usize| k * n_days / iterations.max(1);
                for _ in share(step)..n_days {
                    t.date_done();
                }
            }
            break;
        }
        if let Some(t) = tracker {
            // This step's share of the pass (all of what is left at the end).
            let share = |k: usize| k * n_days / iterations.max(1);
            for _ in share(step)..share(step + 1) {
                t.date_done();
            }
        }
        done += 1;
        // Every worker's best schedule, and how many take each slot.
        let per_worker: Vec<(f64, Vec<u32>)> = (0..n_w as u32)
            .into_par_iter()
            .map_init(
                || (Scratch::default(), WithinScratch::default()),
                |(sc, within), w| match day_limits[w as usize] {
                    Some(_) => {
                        let mu = mu_at[w as usize];
                        let per_day = if mu == NONE { 0.0 } else { lambda[mu as usize] };
                        let free = DayLimits { max_days: None, max_run: None };
                        schedule_within(&refs, &lambda, bonus, w, free, per_day, within)
                    }
                    None => schedule(&refs, &lambda, bonus, w, true, sc),
                },
            )
            .collect();
        let mut used = vec![0.0f64; slots.len()];
        let mut value = 0.0;
        let mut grad = vec![0.0f64; lambda.len()];
        for (w, (v, taken)) in per_worker.iter().enumerate() {
            value += v;
            let mu = mu_at[w];
            if mu != NONE {
                let m = day_limits[w].and_then(|l| l.max_days).unwrap_or(0) as f64;
                value -= lambda[mu as usize] * m;
                grad[mu as usize] = taken.len() as f64 - m;
            }
            for &s in taken {
                used[s as usize] += 1.0;
            }
        }
        // Each date's headcounts: within their ranges, with the date's
        // weighted fill, the most lambda can gain (a fractional knapsack).
        // With day limits or crews a date may fill less than on its own,
        // so there each headcount is just the end of its range that
        // lambda favours.
        for (range, weighted) in &totals {
            if limits {
                for i in range.clone() {
                    fill[i] = if lambda[i] > 0.0 { slots[i].hi } else { slots[i].lo };
                }
                continue;
            }
            let mut left = *weighted;
            for i in range.clone() {
                fill[i] = slots[i].lo;
                left -= slots[i].priority * slots[i].lo;
            }
            order.clear();
            order.extend(range.clone().filter(|&i| slots[i].hi > slots[i].lo));
            order.sort_unstable_by(|&a, &b| {
                let (ra, rb) = (lambda[a] / slots[a].priority, lambda[b] / slots[b].priority);
                rb.total_cmp(&ra).then(a.cmp(&b))
            });
            for &i in &order {
                if left <= 0.0 {
                    break;
                }
                let s = &slots[i];
                let more = (s.hi - s.lo).min(left / s.priority);
                fill[i] += more;
                left -= more * s.priority;
            }
        }
        for i in 0..slots.len() {
            value -= lambda[i] * fill[i];
            grad[i] = used[i] - fill[i];
        }
        // Projected: a `max_days` multiplier at 0 that would go below stays.
        for (g, mu) in grad[slots.len()..].iter_mut().zip(&lambda[slots.len()..]) {
            if *mu <= 0.0 && *g < 0.0 {
                *g = 0.0;
            }
        }
        let norm: f64 = grad.iter().map(|g| g * g).sum();
        if best == f64::NEG_INFINITY {
            height = LEVEL * (target - value).max(0.01 * target.abs().max(KM_SCALE));
        }
        let stall = if steps == Steps::Level { STALL } else { TARGET_STALL };
        if best == f64::NEG_INFINITY || value > best + 1e-6 * best.abs().max(1.0) {
            best = value;
            best_schedules = per_worker.into_iter().map(|(_, taken)| taken).collect();
            best_lambda.clone_from(&lambda);
            since_best = 0;
        } else {
            since_best += 1;
            if since_best >= stall {
                theta /= 2.0;
                height /= 2.0;
                since_best = 0;
            }
        }
        let small = match steps {
            Steps::Target => theta < 1e-4,
            Steps::Level => height < 1.0,
        };
        if norm == 0.0 || small {
            // A schedule choice that meets every headcount is optimal for
            // the relaxation: the bound cannot rise further. Or the steps
            // have become too small to move it (for the level: within a
            // millimetre of the best bound).
            if let Some(t) = tracker {
                let share = |k: usize| k * n_days / iterations.max(1);
                for _ in share(step + 1)..n_days {
                    t.date_done();
                }
            }
            break;
        }
        // A deflected step: the subgradient plus most of the last step's
        // direction, which damps the zig-zag of plain steps.
        if dir.len() == grad.len() {
            for (d, g) in dir.iter_mut().zip(&grad) {
                *d = g + DEFLECTION * *d;
            }
        } else {
            dir = grad.clone();
        }
        let dnorm: f64 = dir.iter().map(|d| d * d).sum();
        let step = match steps {
            Steps::Target => {
                theta * (target - value).max(0.01 * target.abs().max(KM_SCALE)) / dnorm.max(1e-12)
            }
            // Toward the level: at least its height, more when this
            // step's bound fell below the best.
            Steps::Level => (best + height - value) / dnorm.max(1e-12),
        };
        for (l, g) in lambda.iter_mut().zip(&dir) {
            *l += step * g;
        }
        for mu in &mut lambda[slots.len()..] {
            *mu = mu.max(0.0);
        }
    }
    // The best multipliers' schedules may still break a day limit (a
    // dualised `max_days`, a run the steps left free): those workers'
    // schedules are found again with their limits kept.
    let over: Vec<(usize, Vec<u32>)> = best_schedules
        .par_iter()
        .enumerate()
        .filter_map(|(w, taken)| {
            let limits = day_limits[w]?;
            let mut days: Vec<u32> = taken.iter().map(|&s| slots[s as usize].day).collect();
            days.sort_unstable();
            let (mut longest, mut run) = (0, 0);
            for (k, &d) in days.iter().enumerate() {
                run = if k > 0 && days[k - 1] + 1 == d { run + 1 } else { 1 };
                longest = longest.max(run);
            }
            let broken = limits.max_days.is_some_and(|m| days.len() > m)
                || limits.max_run.is_some_and(|k| longest > k);
            broken.then(|| {
                let mut sc = WithinScratch::default();
                (w, schedule_within(&refs, &best_lambda, bonus, w as u32, limits, 0.0, &mut sc).1)
            })
        })
        .collect();
    for (w, taken) in over {
        best_schedules[w] = taken;
    }
    let schedules = best_schedules
        .into_iter()
        .map(|taken| {
            let mut v: Vec<(u32, u32)> =
                taken.iter().map(|&i| (slots[i as usize].day, slots[i as usize].demand)).collect();
            v.sort_unstable();
            v
        })
        .collect();
    // The plan uses the credits only where nothing but continuity couples
    // the dates (`solve.rs`); with day limits, the schedules.
    let (ahead, behind) = if limits {
        (StayCredits::none(dates.len()), StayCredits::none(dates.len()))
    } else {
        rayon::join(
            || stay_credits(&dates, &best_lambda, bonus, n_w, false),
            || stay_credits(&dates, &best_lambda, bonus, n_w, true),
        )
    };
    let hints = Hints { schedules, ahead, behind };
    Some((PathBound { km: best / KM_SCALE, iterations: done }, hints))
}

/// What a stay on the same demand across two dates is worth, worker by
/// worker, under multipliers `lambda`, for a pass that plans the dates in
/// calendar order (`behind` false) or backwards (`behind` true): the
/// credit, per date `t` and `(worker, demand)`, for being on `demand` on
/// `t` because of the unplanned date after it (or, backwards, before
/// it). It is how much cheaper the worker's best schedule from that date
/// to the end (or from the start to it) is when it may begin (or end)
/// with a stay there, at most the bonus, in the arc costs' unit.
fn stay_credits(
    dates: &[DateArcs],
    lambda: &[f64],
    bonus: f64,
    n_w: usize,
    behind: bool,
) -> StayCredits {
    let n = dates.len();
    if n == 0 || lambda.is_empty() {
        return StayCredits::none(n);
    }
    // The dynamic programme run from the far end toward the unplanned
    // side: its values are the best costs of the rest of the horizon.
    let order: Vec<&DateArcs> =
        if behind { dates.iter().collect() } else { dates.iter().rev().collect() };
    let per_worker: Vec<Vec<(u32, u32, u32, i64)>> = (0..n_w as u32)
        .into_par_iter()
        .map_init(Scratch::default, |sc, w| {
            schedule(&order, lambda, bonus, w, behind, sc);
            let mut out = Vec::new();
            for (t, date) in dates.iter().enumerate() {
                // `r`: the date in the programme's order; `to`: the date
                // that earns the credit.
                let (r, to) = match behind {
                    false if t > 0 => (n - 1 - t, t - 1),
                    true if t + 1 < n => (t, t + 1),
                    _ => continue,
                };
                let row = date.row[w as usize];
                if row == NONE {
                    continue;
                }
                let free = sc.best[r].0;
                let arcs = date.start[row as usize] as usize..date.start[row as usize + 1] as usize;
                for (i, a) in arcs.enumerate() {
                    let stay = sc.values[sc.off[r] + i] - bonus;
                    let credit = (free - stay).min(bonus);
                    if free.is_finite() && stay.is_finite() && credit >= 0.5 {
                        out.push((to as u32, w, date.demand[a], credit.round() as i64));
                    }
                }
            }
            out
        })
        .collect();
    let mut per_date: Vec<Vec<(u32, u32, i64)>> = vec![Vec::new(); n];
    for list in per_worker {
        for (t, w, d, c) in list {
            per_date[t as usize].push((w, d, c));
        }
    }
    StayCredits { per_date }
}

/// See [`stay_credits`].
pub(crate) struct StayCredits {
    /// Per date: `(worker, demand, credit)`, sorted.
    per_date: Vec<Vec<(u32, u32, i64)>>,
}

impl StayCredits {
    fn none(n_days: usize) -> StayCredits {
        StayCredits { per_date: vec![Vec::new(); n_days] }
    }

    /// The credit for `w` on `demand` on `day`.
    pub(crate) fn get(&self, day: u32, w: u32, demand: u32) -> i64 {
        let list = &self.per_date[day as usize];
        list.binary_search_by(|&(lw, ld, _)| (lw, ld).cmp(&(w, demand))).map_or(0, |i| list[i].2)
    }
}

/// The relaxation's guidance for a plan: each worker's schedule at the
/// best multipliers, and the credits of [`stay_credits`] there for a pass
/// in calendar order (`ahead`) and one backwards (`behind`).
pub(crate) struct Hints {
    pub(crate) schedules: Vec<Schedule>,
    pub(crate) ahead: StayCredits,
    pub(crate) behind: StayCredits,
}

/// Ternary-search steps for each worker's `max_days` multiplier in
/// [`fill_upper_bound`].
const MU_SEARCH: usize = 40;

/// A worker's best dates: value, dates worked, slots taken.
type Picked = (f64, u32, Vec<u32>);

/// Per worker: its allowed arcs on one date as (slot, priority).
type DateChoices = Vec<Vec<(u32, f64)>>;

/// An upper bound on the weighted fill when day limits couple the dates.
#[derive(Debug, Clone, Copy)]
pub struct FillBound {
    /// No plan that keeps every hard rule fills more (weighted).
    pub weighted: i64,
    /// Subgradient iterations run.
    pub iterations: usize,
}

/// An upper bound on the weighted fill that sees `max_days` and
/// `max_consecutive_days`, which the per-date bound (`weighted_fill_bound`)
/// leaves out: the headcounts and each worker's `max_days` are dualised
/// (multipliers `lambda` per demand and date, `mu` per worker, both at
/// least 0), so every worker picks the dates to work on its own: on each
/// date its best allowed demand at priority less `lambda` less `mu`, runs
/// no longer than `max_consecutive_days`, by a dynamic programme over the
/// run's length. Crews are left out (a relaxation). Every multiplier gives
/// a valid bound. Each worker's `mu` is the one that minimises its own
/// part at the current `lambda`; `lambda` takes projected subgradient
/// steps (Polyak's rule toward `target`, a plan's weighted fill), in two
/// descents (from each date's own duals and from zero), the lower bound
/// kept. `None` with locked assignments (not modelled here). For the
/// quality figures, not the solve path.
pub fn fill_upper_bound(inst: &Instance, iterations: usize, target: f64) -> Option<FillBound> {
    if !inst.locked.is_empty() {
        return None;
    }
    let ctx = CandidateContext::new(inst);
    let n_w = inst.workers.len();
    let n_days = inst.n_days as usize;
    // Per date: per global worker its arcs as (slot, priority); slots
    // numbered date by date with their headcounts.
    let per_date: Vec<(DateChoices, Vec<f64>, Vec<f64>)> = (0..inst.n_days)
        .into_par_iter()
        .map(|day| {
            let allowed: Vec<bool> =
                inst.workers.iter().map(|w| w.available.contains(day)).collect();
            let rules = DayRules { allowed: &allowed, forced: &HashMap::new() };
            let cands = day_candidates(inst, &ctx, day, &rules);
            let t = &cands.transport;
            let mut arcs: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n_w];
            for (lw, &w) in cands.workers.iter().enumerate() {
                arcs[w as usize] = t
                    .arcs(lw)
                    .map(|a| {
                        let d = t.arc_demand[a] as usize;
                        (d as u32, f64::from(t.priority[d]))
                    })
                    .collect();
            }
            let caps = (0..t.n_demands()).map(|d| f64::from(t.cap[d])).collect();
            // Start each headcount's multiplier where the date's own
            // optimum prices it (its dual at level 1), so the steps start
            // at the per-date bound.
            let face = level12_face(t);
            let start = face.demand_dual;
            (arcs, caps, start)
        })
        .collect();
    let mut caps: Vec<f64> = Vec::new();
    let mut lambda: Vec<f64> = Vec::new();
    // Per worker, per date: its arcs with slots numbered globally.
    let mut by_worker: Vec<Vec<Vec<(u32, f64)>>> = vec![Vec::with_capacity(n_days); n_w];
    for (arcs, date_caps, start) in per_date {
        let first = caps.len() as u32;
        caps.extend(date_caps);
        lambda.extend(start);
        for (w, list) in arcs.into_iter().enumerate() {
            by_worker[w].push(list.into_iter().map(|(d, p)| (d + first, p)).collect());
        }
    }
    let max_days: Vec<Option<f64>> =
        inst.workers.iter().map(|w| w.max_days.map(f64::from)).collect();
    // Two descents, each a valid bound, the lower kept: from the dates'
    // own duals (which start at the per-date bound), and from zero
    // (BENCHMARKS.md, "Across dates").
    let descend = |mut lambda: Vec<f64>, iterations: usize| -> (f64, usize) {
        let mut best = f64::INFINITY;
        let mut theta = 1.0;
        let mut since_best = 0;
        let mut done = 0;
        for _ in 0..iterations {
            done += 1;
            // Every worker's best dates: value, dates worked, slots taken;
            // with `max_days`, at the multiplier that gives it the least
            // value plus multiplier times `max_days` (convex in it: a
            // ternary search; any multiplier gives a valid bound).
            let picks: Vec<(Picked, f64)> = (0..n_w)
                .into_par_iter()
                .map(|w| {
                    let k = inst.workers[w].max_consecutive.map_or(usize::MAX, |k| k as usize);
                    let Some(m) = max_days[w] else {
                        return (best_dates(&by_worker[w], &lambda, 0.0, k), 0.0);
                    };
                    let at = |mu: f64| best_dates(&by_worker[w], &lambda, mu, k).0 + mu * m;
                    let (mut lo, mut hi) = (0.0f64, 0.0f64);
                    for arcs in &by_worker[w] {
                        for &(sl, p) in arcs {
                            hi = hi.max(p - lambda[sl as usize]);
                        }
                    }
                    for _ in 0..MU_SEARCH {
                        let (a, b) = (lo + (hi - lo) / 3.0, hi - (hi - lo) / 3.0);
                        if at(a) <= at(b) {
                            hi = b;
                        } else {
                            lo = a;
                        }
                    }
                    let mu = if at(lo) <= at(hi) { lo } else { hi };
                    (best_dates(&by_worker[w], &lambda, mu, k), mu)
                })
                .collect();
            let mut used = vec![0.0f64; caps.len()];
            let mut value = 0.0;
            for (w, ((v, _, taken), mu)) in picks.iter().enumerate() {
                value += v + mu * max_days[w].unwrap_or(0.0);
                for &s in taken {
                    used[s as usize] += 1.0;
                }
            }
            let mut g_lambda = vec![0.0f64; caps.len()];
            for i in 0..caps.len() {
                value += lambda[i] * caps[i];
                g_lambda[i] = used[i] - caps[i];
            }
            if value < best - 1e-9 {
                best = value;
                since_best = 0;
            } else {
                since_best += 1;
                if since_best >= TARGET_STALL {
                    theta /= 2.0;
                    since_best = 0;
                }
            }
            // Projected: a multiplier at 0 that would go below stays.
            let mut norm = 0.0;
            for (g, l) in g_lambda.iter_mut().zip(&lambda) {
                if *l <= 0.0 && *g < 0.0 {
                    *g = 0.0;
                }
                norm += *g * *g;
            }
            if norm == 0.0 || theta < 1e-6 || best.floor() <= target {
                break;
            }
            let step = theta * (value - target).max(1.0) / norm;
            for (l, g) in lambda.iter_mut().zip(&g_lambda) {
                *l = (*l + step * g).max(0.0);
            }
        }
        (best, done)
    };
    let half = iterations.div_ceil(2);
    let zero = vec![0.0f64; lambda.len()];
    let ((from_duals, a), (from_zero, b)) =
        rayon::join(|| descend(lambda, half), || descend(zero, iterations - half));
    let (best, done) = (from_duals.min(from_zero), a + b);
    // Fills are whole numbers, so the bound rounds down (a hair of
    // tolerance for the sums' rounding).
    Some(FillBound { weighted: (best + 1e-6).floor() as i64, iterations: done })
}

/// A worker's most valuable dates under `lambda` and `mu` (its `max_days`
/// multiplier), in runs of at most `k` consecutive dates: the value, the
/// dates worked and the slots taken. `dates[t]` holds its allowed arcs on
/// date `t` as (slot, priority); none when it cannot work that date.
fn best_dates(dates: &[Vec<(u32, f64)>], lambda: &[f64], mu: f64, k: usize) -> Picked {
    // Each date's best arc and its value (None: idle only).
    let gain: Vec<Option<(f64, u32)>> = dates
        .iter()
        .map(|arcs| {
            arcs.iter()
                .map(|&(s, p)| (p - lambda[s as usize] - mu, s))
                .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
                .filter(|g| g.0 > 0.0)
        })
        .collect();
    if k >= dates.len() {
        // No run can be too long: every date with a gain.
        let taken: Vec<u32> = gain.iter().rev().filter_map(|g| g.map(|g| g.1)).collect();
        let total = gain.iter().filter_map(|g| g.map(|g| g.0)).sum();
        return (total, taken.len() as u32, taken);
    }
    let k = k.max(1);
    // v[r]: the best value so far ending in a run of length r (0: idle
    // that date); from_idle[t]: the run length before an idle date t.
    let argmax = |v: &[f64]| {
        v.iter()
            .enumerate()
            .fold((0, f64::NEG_INFINITY), |b, (r, &x)| if x > b.1 { (r, x) } else { b })
    };
    let mut v = vec![f64::NEG_INFINITY; k + 1];
    v[0] = 0.0;
    let mut from_idle: Vec<usize> = Vec::with_capacity(dates.len());
    for g in &gain {
        let (arg, top) = argmax(&v);
        let mut next = vec![f64::NEG_INFINITY; k + 1];
        next[0] = top;
        from_idle.push(arg);
        if let Some((x, _)) = g {
            for r in 1..=k {
                next[r] = v[r - 1] + x;
            }
        }
        v = next;
    }
    // Back from the best end state.
    let (mut r, total) = argmax(&v);
    let mut taken = Vec::new();
    let mut worked = 0;
    for t in (0..dates.len()).rev() {
        if r == 0 {
            r = from_idle[t];
        } else {
            taken.push(gain[t].expect("worked on a date with a gain").1);
            worked += 1;
            r -= 1;
        }
    }
    (total, worked, taken)
}

/// Buffers of [`schedule`], reused across the workers of a thread.
#[derive(Default)]
struct Scratch {
    /// The values of every date's arc states, date after date.
    values: Vec<f64>,
    /// For each: whether it came from the same demand the day before (else
    /// from the best state then).
    stayed: Vec<bool>,
    /// Per date: where its states start in `values`.
    off: Vec<usize>,
    /// Per date: the best state's value and which (arc index or NONE: idle).
    best: Vec<(f64, u32)>,
}

/// A worker's day limits as the schedules see them: the dates it may
/// still work (`max_days` less its locked dates) and its longest run.
#[derive(Debug, Clone, Copy)]
struct DayLimits {
    max_days: Option<usize>,
    max_run: Option<usize>,
}

/// Per worker: its day limits, `None` for a worker without any. Locked
/// dates are outside the schedules (each date's locked workers are taken
/// out of it), so they come off `max_days`; a worker with locked dates
/// keeps no run limit, as its runs would pass through dates the schedule
/// does not see (a relaxation: these are hints, not a bound).
fn day_limits(inst: &Instance) -> Vec<Option<DayLimits>> {
    let mut locked = vec![0usize; inst.workers.len()];
    for f in &inst.locked {
        locked[f.worker as usize] += 1;
    }
    inst.workers
        .iter()
        .zip(&locked)
        .map(|(w, &l)| {
            let limits = DayLimits {
                max_days: w.max_days.map(|m| (m as usize).saturating_sub(l)),
                max_run: w.max_consecutive.filter(|_| l == 0).map(|k| k as usize),
            };
            (limits.max_days.is_some() || limits.max_run.is_some()).then_some(limits)
        })
        .collect()
}

/// [`schedule`] for a worker with day limits: its cheapest schedule under
/// `lambda`, each date worked costing `per_day` more, that works at most `max_days` dates, in runs of at most
/// `max_run` consecutive dates. State per date: idle with `u` dates used,
/// or on a demand (an arc) in a run of length `r` with `u` dates used (a
/// dimension only for a limit the worker has). The faces' forced arcs and
/// workers are not imposed here: with day limits a date may fill less
/// than its face, and imposing them could leave no schedule at all. Only
/// day-limited workers pay for the larger state.
fn schedule_within(
    dates: &[&DateArcs],
    lambda: &[f64],
    bonus: f64,
    w: u32,
    limits: DayLimits,
    per_day: f64,
    sc: &mut WithinScratch,
) -> (f64, Vec<u32>) {
    // `n_u` counts of dates used (0..=max_days), or one when unlimited;
    // `n_r` run lengths (1..=max_run), or one when unlimited.
    let n_u = limits.max_days.map_or(1, |m| m + 1);
    let n_r = limits.max_run.map_or(1, |k| k.max(1));
    let limited_u = limits.max_days.is_some();
    let limited_r = limits.max_run.is_some();
    // Per date, from `sc.off[t]`: its states' values and predecessors (a
    // state index on the date before, or NONE for the start). States:
    // idle at `u` (index `u`), then arc `i`, run `r`, used `u` at `n_u +
    // (i * n_r + r) * n_u + u`.
    sc.values.clear();
    sc.preds.clear();
    sc.off.clear();
    // The previous date's best state at each `u` (value, index), and its
    // idle states (the start before the first date).
    sc.best_at.clear();
    sc.best_at.resize(n_u, (f64::INFINITY, NONE));
    sc.best_at[0] = (0.0, NONE);
    sc.idle_before.clone_from(&sc.best_at);
    let mut prev_arcs: Option<std::ops::Range<usize>> = None;
    for (t, date) in dates.iter().enumerate() {
        let row = date.row[w as usize];
        let arcs = if row == NONE {
            0..0
        } else {
            date.start[row as usize] as usize..date.start[row as usize + 1] as usize
        };
        let here_at = sc.values.len();
        sc.off.push(here_at);
        let n_states = n_u + arcs.len() * n_r * n_u;
        sc.values.resize(here_at + n_states, f64::INFINITY);
        sc.preds.resize(here_at + n_states, NONE);
        for u in 0..n_u {
            (sc.values[here_at + u], sc.preds[here_at + u]) = sc.best_at[u];
        }
        let prev_at = if t > 0 { sc.off[t - 1] } else { 0 };
        if !limited_u && !limited_r {
            // No limit (the relaxation's steps): one state per arc, `1 +
            // i`, from the best state of the day before or a stay. The
            // same sums as below, over the row without its bookkeeping.
            let from = sc.best_at[0];
            let (done, here_vals) = sc.values.split_at_mut(here_at + 1);
            let yesterday =
                prev_arcs.as_ref().map_or(&[][..], |pa| &done[prev_at + 1..][..pa.len()]);
            let here_preds = &mut sc.preds[here_at + 1..];
            for (i, a) in arcs.clone().enumerate() {
                let here = date.cost[a] + lambda[date.slot[a] as usize] + per_day;
                let mut best = (f64::INFINITY, NONE);
                if from.0 < best.0 {
                    best = from;
                }
                let j = date.stay[a];
                if let Some(&y) = yesterday.get(j as usize) {
                    let stay = y - bonus;
                    if stay < best.0 {
                        best = (stay, 1 + j);
                    }
                }
                here_vals[i] = best.0 + here;
                here_preds[i] = best.1;
            }
        } else {
            // The previous date's best working state at each (run, used).
            sc.best_work.clear();
            sc.best_work.resize(n_r * n_u, (f64::INFINITY, NONE));
            if let Some(pa) = &prev_arcs {
                for k in 0..pa.len() * n_r * n_u {
                    let v = sc.values[prev_at + n_u + k];
                    let b = &mut sc.best_work[k % (n_r * n_u)];
                    if v < b.0 {
                        *b = (v, (n_u + k) as u32);
                    }
                }
            }
            for (i, a) in arcs.clone().enumerate() {
                // Yesterday's arc on the same demand, if any.
                let same =
                    (prev_arcs.is_some() && date.stay[a] != NONE).then(|| date.stay[a] as usize);
                let here = date.cost[a] + lambda[date.slot[a] as usize] + per_day;
                for r in 0..n_r {
                    for u in 0..n_u {
                        // Dates used before this one.
                        let before = match (limited_u, u) {
                            (false, _) => 0,
                            (true, 0) => continue,
                            (true, u) => u - 1,
                        };
                        let mut best = (f64::INFINITY, NONE);
                        // A run of length r + 1 continues yesterday's run of
                        // length r; a run of 1 starts after an idle date.
                        // Without a run limit any state will do.
                        if !limited_r || r == 0 {
                            let from =
                                if limited_r { sc.idle_before[before] } else { sc.best_at[before] };
                            if from.0 < best.0 {
                                best = from;
                            }
                        }
                        if limited_r && r > 0 {
                            let from = sc.best_work[(r - 1) * n_u + before];
                            if from.0 < best.0 {
                                best = from;
                            }
                        }
                        // A stay continues yesterday's run.
                        let pr = if limited_r { r.checked_sub(1) } else { Some(0) };
                        if let (Some(j), Some(pr)) = (same, pr) {
                            let s = n_u + (j * n_r + pr) * n_u + before;
                            let stay = sc.values[prev_at + s] - bonus;
                            if stay < best.0 {
                                best = (stay, s as u32);
                            }
                        }
                        let s = here_at + n_u + (i * n_r + r) * n_u + u;
                        sc.values[s] = best.0 + here;
                        sc.preds[s] = best.1;
                    }
                }
            }
        }
        // This date's idle and best states at each `u`, for tomorrow.
        for u in 0..n_u {
            sc.idle_before[u] = (sc.values[here_at + u], u as u32);
            sc.best_at[u] = (sc.values[here_at + u], u as u32);
        }
        for k in n_u..n_states {
            let u = (k - n_u) % n_u;
            let v = sc.values[here_at + k];
            if v < sc.best_at[u].0 {
                sc.best_at[u] = (v, k as u32);
            }
        }
        prev_arcs = (!arcs.is_empty()).then_some(arcs);
    }
    // Back from the last date's best state.
    let Some(&last_at) = sc.off.last() else { return (0.0, Vec::new()) };
    let last = &sc.values[last_at..];
    let mut s = (0..last.len()).min_by(|&a, &b| last[a].total_cmp(&last[b])).unwrap_or(0);
    let total = last[s];
    let mut taken = Vec::new();
    let mut t = dates.len();
    while t > 0 {
        t -= 1;
        let date = dates[t];
        if s >= n_u {
            let i = (s - n_u) / (n_r * n_u);
            let r = date.row[w as usize] as usize;
            taken.push(date.slot[date.start[r] as usize + i]);
        }
        let p = sc.preds[sc.off[t] + s];
        if p == NONE {
            break;
        }
        s = p as usize;
    }
    (total, taken)
}

/// Buffers of [`schedule_within`], reused across the workers of a thread.
#[derive(Default)]
struct WithinScratch {
    values: Vec<f64>,
    preds: Vec<u32>,
    off: Vec<usize>,
    best_at: Vec<(f64, u32)>,
    idle_before: Vec<(f64, u32)>,
    best_work: Vec<(f64, u32)>,
}

/// Worker `w`'s cheapest schedule under `lambda`: its value and the slots
/// it takes. State per date: the demand worked (an arc) or none.
///
/// `forward`: `dates` are consecutive entries of a list [`link_stays`]
/// linked, in that order (a sub-slice will do), so stays are read off the
/// links; otherwise (the reversed order of [`stay_credits`]) the rows are
/// merged to find them.
fn schedule(
    dates: &[&DateArcs],
    lambda: &[f64],
    bonus: f64,
    w: u32,
    forward: bool,
    sc: &mut Scratch,
) -> (f64, Vec<u32>) {
    sc.values.clear();
    sc.stayed.clear();
    sc.off.clear();
    sc.best.clear();
    let mut prev: Option<(usize, std::ops::Range<usize>)> = None;
    for (t, date) in dates.iter().enumerate() {
        let before = if t == 0 { 0.0 } else { sc.best[t - 1].0 };
        sc.off.push(sc.values.len());
        let r = date.row[w as usize];
        if r == NONE {
            sc.best.push((before, NONE));
            prev = None;
            continue;
        }
        let arcs = date.start[r as usize] as usize..date.start[r as usize + 1] as usize;
        let forced = date.forced[arcs.clone()].iter().position(|&f| f).map(|i| arcs.start + i);
        let must = date.must[r as usize];
        let mut top =
            if must < 0 || forced.is_some() { (f64::INFINITY, NONE) } else { (before, NONE) };
        if forward && must <= 0 && forced.is_none() {
            // The common case, every arc allowed, in calendar order: the
            // same sums as below over the row's slices, without bounds
            // checks or merging in the loop (most of the relaxation's
            // time).
            let here_at = sc.values.len();
            sc.values.resize(here_at + arcs.len(), 0.0);
            sc.stayed.resize(here_at + arcs.len(), false);
            let (done, here) = sc.values.split_at_mut(here_at);
            let yesterday = prev.as_ref().map_or(&[][..], |(pt, pr)| {
                let at = sc.off[*pt];
                &done[at..at + pr.len()]
            });
            let stayed = &mut sc.stayed[here_at..];
            let row =
                (&date.cost[arcs.clone()], &date.slot[arcs.clone()], &date.stay[arcs.clone()]);
            for (i, (((v_out, s_out), &cost), (&slot, &same))) in here
                .iter_mut()
                .zip(stayed.iter_mut())
                .zip(row.0)
                .zip(row.1.iter().zip(row.2))
                .enumerate()
            {
                let mut v = before;
                if let Some(&y) = yesterday.get(same as usize) {
                    let stay_v = y - bonus;
                    if stay_v < v {
                        v = stay_v;
                        *s_out = true;
                    }
                }
                v += cost + lambda[slot as usize];
                if v < top.0 {
                    top = (v, i as u32);
                }
                *v_out = v;
            }
            sc.best.push(top);
            prev = Some((t, arcs));
            continue;
        }
        // Yesterday's arcs by demand, to find a stay: by the links in
        // calendar order, by merging the two rows backwards.
        let mut j = 0;
        for (i, a) in arcs.clone().enumerate() {
            let allowed = must <= 0 && forced.is_none_or(|f| f == a);
            let mut v = f64::INFINITY;
            let mut s = false;
            if allowed {
                v = before;
                if let Some((pt, ref pr)) = prev {
                    let same = if forward {
                        date.stay[a]
                    } else {
                        let pd = dates[pt];
                        while pr.start + j < pr.end && pd.demand[pr.start + j] < date.demand[a] {
                            j += 1;
                        }
                        let found =
                            pr.start + j < pr.end && pd.demand[pr.start + j] == date.demand[a];
                        if found {
                            j as u32
                        } else {
                            NONE
                        }
                    };
                    if same != NONE {
                        let stay_v = sc.values[sc.off[pt] + same as usize] - bonus;
                        if stay_v < v {
                            v = stay_v;
                            s = true;
                        }
                    }
                }
                v += date.cost[a] + lambda[date.slot[a] as usize];
            }
            if v < top.0 {
                top = (v, i as u32);
            }
            sc.values.push(v);
            sc.stayed.push(s);
        }
        sc.best.push(top);
        prev = Some((t, arcs));
    }
    // Back from the last date: which slots the schedule takes.
    let mut taken = Vec::new();
    let total = sc.best.last().map_or(0.0, |b| b.0);
    let mut t = dates.len();
    // `follow`: the state to read on date t - 1 (an arc index, or NONE for
    // that date's best state).
    let mut follow = NONE;
    while t > 0 {
        t -= 1;
        let date = dates[t];
        let i = if follow == NONE { sc.best[t].1 } else { follow };
        follow = NONE;
        if i == NONE {
            continue;
        }
        let r = date.row[w as usize] as usize;
        let a = date.start[r] as usize + i as usize;
        taken.push(date.slot[a]);
        if sc.stayed[sc.off[t] + i as usize] {
            // Yesterday on the same demand: find its arc.
            follow = if forward {
                date.stay[a]
            } else {
                let pd = dates[t - 1];
                let pr = pd.row[w as usize] as usize;
                let arcs = pd.start[pr] as usize..pd.start[pr + 1] as usize;
                pd.demand[arcs].binary_search(&date.demand[a]).expect("a stay") as u32
            };
        }
    }
    (total, taken)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(s: &mut u64) -> u64 {
        *s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        *s >> 33
    }

    /// Every schedule of worker `w` over `dates` as (cost, demand on the
    /// first date, demand on the last; NONE when idle), by enumeration.
    fn all_schedules(
        dates: &[&DateArcs],
        lambda: &[f64],
        bonus: f64,
        w: u32,
    ) -> Vec<(f64, u32, u32)> {
        let mut out = Vec::new();
        let mut pick: Vec<Option<usize>> = Vec::new();
        fn rec(
            dates: &[&DateArcs],
            lambda: &[f64],
            bonus: f64,
            w: u32,
            pick: &mut Vec<Option<usize>>,
            out: &mut Vec<(f64, u32, u32)>,
        ) {
            let t = pick.len();
            if t == dates.len() {
                let cost = cost_of_picks(dates, lambda, bonus, pick);
                let end = |k: usize| pick[k].map_or(NONE, |a| dates[k].demand[a]);
                out.push((cost, end(0), end(t - 1)));
                return;
            }
            let d = dates[t];
            let r = d.row[w as usize];
            let mut options: Vec<Option<usize>> = Vec::new();
            if r == NONE {
                options.push(None);
            } else {
                let arcs = d.start[r as usize] as usize..d.start[r as usize + 1] as usize;
                let forced = arcs.clone().find(|&a| d.forced[a]);
                let must = d.must[r as usize];
                if must >= 0 && forced.is_none() {
                    options.push(None);
                }
                if must <= 0 {
                    options.extend(arcs.filter(|&a| forced.is_none_or(|f| f == a)).map(Some));
                }
            }
            for o in options {
                pick.push(o);
                rec(dates, lambda, bonus, w, pick, out);
                pick.pop();
            }
        }
        rec(dates, lambda, bonus, w, &mut pick, &mut out);
        out
    }

    /// The cost of a schedule given as one pick per date (an arc or idle):
    /// its arcs at `lambda`, less the bonus for each next-day stay.
    fn cost_of_picks(
        dates: &[&DateArcs],
        lambda: &[f64],
        bonus: f64,
        pick: &[Option<usize>],
    ) -> f64 {
        let mut cost = 0.0;
        let mut last: Option<(usize, u32)> = None;
        for (day, p) in pick.iter().enumerate() {
            if let Some(a) = *p {
                let d = dates[day];
                cost += d.cost[a] + lambda[d.slot[a] as usize];
                if day > 0 && last == Some((day - 1, d.demand[a])) {
                    cost -= bonus;
                }
                last = Some((day, d.demand[a]));
            }
        }
        cost
    }

    /// The credit `best of all - (best ending on `dem` - bonus)`, at most
    /// the bonus, 0 when either is infeasible or it rounds to nothing.
    fn credit(all: &[(f64, u32, u32)], end: impl Fn(&(f64, u32, u32)) -> u32, dem: u32) -> i64 {
        let bonus = 10.0;
        let free = all.iter().map(|a| a.0).fold(f64::INFINITY, f64::min);
        let stay =
            all.iter().filter(|a| end(a) == dem).map(|a| a.0 - bonus).fold(f64::INFINITY, f64::min);
        let want = (free - stay).min(bonus);
        if free.is_finite() && stay.is_finite() && want >= 0.5 {
            want as i64
        } else {
            0
        }
    }

    /// The credit of a stay is what enumerating every schedule says: the
    /// best cost from the next date on, less the best that starts with a
    /// stay on the demand (the bonus earned), at most the bonus.
    #[test]
    fn stay_credits_match_enumerated_schedules() {
        let mut s = 11u64;
        let bonus = 10.0;
        let mut checked = 0;
        for case in 0..300 {
            let n_w = 1 + (lcg(&mut s) % 2) as usize;
            let n_days = 1 + (lcg(&mut s) % 5) as usize;
            let mut dates = Vec::new();
            let mut n_slots = 0u32;
            for _ in 0..n_days {
                let mut d = DateArcs::empty(n_w);
                for w in 0..n_w {
                    if lcg(&mut s) % 5 == 0 {
                        continue;
                    }
                    d.row[w] = d.must.len() as u32;
                    d.must.push([0, 0, 0, 0, -1, 1][(lcg(&mut s) % 6) as usize]);
                    let force = lcg(&mut s) % 8 == 0;
                    let mut first = true;
                    for dem in 0..3u32 {
                        if lcg(&mut s) % 3 == 0 {
                            continue;
                        }
                        d.slot.push(n_slots + dem);
                        d.demand.push(dem);
                        d.cost.push((lcg(&mut s) % 30) as f64);
                        d.forced.push(force && first);
                        first = false;
                    }
                    d.start.push(d.slot.len() as u32);
                }
                n_slots += 3;
                dates.push(d);
            }
            link_stays(&mut dates);
            let lambda: Vec<f64> = (0..n_slots).map(|_| (lcg(&mut s) % 21) as f64 - 10.0).collect();
            let ahead = stay_credits(&dates, &lambda, bonus, n_w, false);
            let behind = stay_credits(&dates, &lambda, bonus, n_w, true);
            let refs: Vec<&DateArcs> = dates.iter().collect();
            for w in 0..n_w as u32 {
                for t in 0..n_days {
                    // From date t to the end, credited on t - 1; from the
                    // start to date t, credited on t + 1.
                    let to_end = all_schedules(&refs[t..], &lambda, bonus, w);
                    let from_start = all_schedules(&refs[..=t], &lambda, bonus, w);
                    for dem in 0..3u32 {
                        if t > 0 {
                            let want = credit(&to_end, |a| a.1, dem);
                            let got = ahead.get(t as u32 - 1, w, dem);
                            assert_eq!(
                                got, want,
                                "case {case}, ahead, worker {w}, date {t}, {dem}"
                            );
                            checked += usize::from(want > 0);
                        }
                        if t + 1 < n_days {
                            let want = credit(&from_start, |a| a.2, dem);
                            let got = behind.get(t as u32 + 1, w, dem);
                            assert_eq!(
                                got, want,
                                "case {case}, behind, worker {w}, date {t}, {dem}"
                            );
                            checked += usize::from(want > 0);
                        }
                    }
                }
            }
        }
        assert!(checked > 100, "only {checked} positive credits checked");
    }

    /// A day-limited worker's best schedule is the cheapest of every
    /// schedule within its limits, and the slots it takes cost what it
    /// says and keep the limits.
    #[test]
    fn schedules_within_day_limits_match_enumeration() {
        let mut s = 23u64;
        let bonus = 10.0;
        let mut bound_by_limits = 0;
        for case in 0..600 {
            let n_days = 1 + (lcg(&mut s) % 6) as usize;
            let mut dates = Vec::new();
            let mut n_slots = 0u32;
            for _ in 0..n_days {
                let mut d = DateArcs::empty(1);
                if lcg(&mut s) % 6 != 0 {
                    d.row[0] = 0;
                    d.must.push(0);
                    for dem in 0..3u32 {
                        if lcg(&mut s) % 3 == 0 {
                            continue;
                        }
                        d.slot.push(n_slots + dem);
                        d.demand.push(dem);
                        d.cost.push((lcg(&mut s) % 30) as f64);
                        d.forced.push(false);
                    }
                    d.start.push(d.slot.len() as u32);
                }
                n_slots += 3;
                dates.push(d);
            }
            link_stays(&mut dates);
            let lambda: Vec<f64> = (0..n_slots).map(|_| (lcg(&mut s) % 41) as f64 - 30.0).collect();
            let limits = DayLimits {
                max_days: (lcg(&mut s) % 3 > 0).then(|| (lcg(&mut s) % 4) as usize),
                max_run: (lcg(&mut s) % 3 > 0).then(|| 1 + (lcg(&mut s) % 3) as usize),
            };
            let refs: Vec<&DateArcs> = dates.iter().collect();
            // The cost of a set of picks (an arc or idle per date), or
            // None when it breaks a limit.
            let cost_of = |pick: &[Option<usize>]| -> Option<f64> {
                let (mut run, mut used) = (0, 0);
                for p in pick {
                    run = if p.is_some() { run + 1 } else { 0 };
                    used += usize::from(p.is_some());
                    if limits.max_run.is_some_and(|k| run > k)
                        || limits.max_days.is_some_and(|m| used > m)
                    {
                        return None;
                    }
                }
                Some(cost_of_picks(&refs, &lambda, bonus, pick))
            };
            let (mut want, mut unlimited) = (f64::INFINITY, f64::INFINITY);
            let mut pick: Vec<Option<usize>> = vec![None; n_days];
            // Every pick, as a number in mixed radix (idle or an arc).
            let radix: Vec<usize> = refs
                .iter()
                .map(|d| if d.row[0] == NONE { 1 } else { 1 + d.start[1] as usize })
                .collect();
            let total: usize = radix.iter().product();
            for mut code in 0..total {
                for (t, &r) in radix.iter().enumerate() {
                    let c = code % r;
                    code /= r;
                    pick[t] = (c > 0).then(|| c - 1);
                }
                if let Some(c) = cost_of(&pick) {
                    want = want.min(c);
                }
                unlimited = unlimited.min(cost_of_picks(&refs, &lambda, bonus, &pick));
            }
            bound_by_limits += usize::from(want > unlimited + 1e-9);
            let mut sc = WithinScratch::default();
            let (got, taken) = schedule_within(&refs, &lambda, bonus, 0, limits, 0.0, &mut sc);
            assert!((got - want).abs() < 1e-9, "case {case}: {got} against {want}, {limits:?}");
            // The slots taken, back as picks: they cost the value and keep
            // the limits.
            let mut back: Vec<Option<usize>> = vec![None; n_days];
            for &sl in &taken {
                let t = sl as usize / 3;
                let a = refs[t].slot.iter().position(|&x| x == sl).expect("a slot of the date");
                assert!(back[t].is_none(), "case {case}: two slots on date {t}");
                back[t] = Some(a);
            }
            let c =
                cost_of(&back).unwrap_or_else(|| panic!("case {case}: {taken:?} breaks a limit"));
            assert!((c - got).abs() < 1e-9, "case {case}: the slots cost {c}, not {got}");
        }
        assert!(bound_by_limits > 100, "only {bound_by_limits} cases where a limit cost something");
    }

    /// A worker's best dates with runs of at most k: what trying every
    /// set of dates says.
    #[test]
    fn best_dates_match_every_set_of_dates() {
        let mut s = 5u64;
        for case in 0..400 {
            let n = 1 + (lcg(&mut s) % 7) as usize;
            let k = 1 + (lcg(&mut s) % 4) as usize;
            let mut dates: Vec<Vec<(u32, f64)>> = Vec::new();
            for t in 0..n {
                let m = (lcg(&mut s) % 3) as u32;
                dates.push(
                    (0..m).map(|j| (t as u32 * 3 + j, (1 + lcg(&mut s) % 3) as f64)).collect(),
                );
            }
            let lambda: Vec<f64> = (0..3 * n).map(|_| (lcg(&mut s) % 5) as f64 * 0.5).collect();
            let mu = (lcg(&mut s) % 3) as f64 * 0.5;
            let gain = |t: usize| {
                dates[t]
                    .iter()
                    .map(|&(sl, p)| p - lambda[sl as usize] - mu)
                    .fold(f64::NEG_INFINITY, f64::max)
            };
            let mut want = 0.0f64;
            for set in 0u32..(1 << n) {
                let (mut run, mut ok, mut v) = (0, true, 0.0);
                for (t, arcs) in dates.iter().enumerate() {
                    if set >> t & 1 == 1 {
                        run += 1;
                        ok &= run <= k && !arcs.is_empty();
                        v += gain(t);
                    } else {
                        run = 0;
                    }
                }
                if ok {
                    want = want.max(v);
                }
            }
            let (got, worked, taken) = best_dates(&dates, &lambda, mu, k);
            assert!((got - want).abs() < 1e-9, "case {case}: {got} vs {want}");
            assert_eq!(worked as usize, taken.len(), "case {case}");
            // The slots taken add up to the value.
            let sum: f64 = taken
                .iter()
                .map(|&sl| {
                    let t = sl as usize / 3;
                    let p = dates[t].iter().find(|a| a.0 == sl).unwrap().1;
                    p - lambda[sl as usize] - mu
                })
                .sum();
            assert!((sum - got).abs() < 1e-9, "case {case}: slots {sum} vs {got}");
        }
    }
}
