//! Dates that couple: the date-ordered pass (or, under a time limit, the
//! repair of the relaxed optimum) and the improvement phase; the greedy plan
//! of dates the time limit left unsolved (`greedy.rs`) repairs with
//! [`repair`] too.
//!
//! They all work on a [`Grid`], who works where on every date, so a date can
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

use rayon::prelude::*;

use crate::candidates::{locked_on, CandidateContext, DayCandidates, DayRules, KM_SCALE};
use crate::flow::{solve_transport_warm, Cancelled, Ids, Ties, Transport, NONE};
use crate::model::{Day, Fixed, Instance};
use crate::simplex::{ArcKey, NodeKey, WarmBasis};
use crate::solve::{
    locked_only, priced_candidates, solve_candidates_warm, weighted, DayResult, Tracker,
};

pub(crate) use crate::candidates::MAX_ARC_COST;

/// Extra solves a date may spend trying each demand for a split crew before
/// the remaining split crews are pinned by majority all at once.
const CREW_BRANCH_SOLVES: usize = 4;

/// Rounds of the improvement phase at most. On the county preset a round
/// costs about two date-ordered passes and later rounds gain less; the
/// bound keeps runs without a time limit predictable.
pub(crate) const MAX_ROUNDS: usize = 3;

/// Who works where on every date: `cell[day * n_w + w]` is a demand or
/// [`NONE`]; `count[w]` the worker's assigned dates.
#[derive(Clone)]
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

    /// The grid of a whole plan, its locked assignments included.
    pub(crate) fn of_plan(inst: &Instance, days: &[DayResult]) -> Grid {
        let mut grid = Grid::new(inst);
        for d in days {
            grid.replace(&locked_only(inst, d.day), d);
        }
        grid
    }

    /// Proposed schedules (per worker: (date, demand) of each date it
    /// works) as a grid, for their continuity credits.
    pub(crate) fn from_schedules(inst: &Instance, schedules: &[crate::bound::Schedule]) -> Grid {
        let mut grid = Grid::new(inst);
        for (w, s) in schedules.iter().enumerate() {
            for &(day, d) in s {
                if grid.get(i64::from(day), w as u32) == NONE {
                    grid.set(day, w as u32, d);
                }
            }
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
    pub(crate) fn allowed(&self, inst: &Instance, day: Day) -> Vec<bool> {
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
        let mut cost = 0i64;
        for &(w, d, km) in &r.assignments {
            cost += base_mm(inst, w, d, r.day, km);
            for nb in [i64::from(r.day) - 1, i64::from(r.day) + 1] {
                if grid.get(nb, w) == d {
                    cost -= c;
                }
            }
        }
        DayKey { fill: -r.weighted_fill, imbalance: imbalance(inst, r), cost }
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

/// A date's shortage imbalance (level 2); 0 when `share_shortage` is off,
/// so that the searches across dates, like each date's flow, rank by the
/// km right after the fill.
pub(crate) fn imbalance(inst: &Instance, r: &DayResult) -> f64 {
    if !inst.options.share_shortage {
        return 0.0;
    }
    let mut fill: HashMap<u32, u32> = HashMap::new();
    for &(_, d, _) in &r.assignments {
        *fill.entry(d).or_default() += 1;
    }
    let mut imbalance = 0.0;
    for (d, dem) in inst.demands.iter().enumerate() {
        if dem.is_active(r.day) {
            let f = fill.get(&(d as u32)).copied().unwrap_or(0);
            let short = f64::from(dem.per_day.saturating_sub(f));
            imbalance += short * short / f64::from(dem.per_day);
        }
    }
    imbalance
}

/// A plan's weighted fill and shortage imbalance over every date.
pub(crate) fn levels_1_2(inst: &Instance, days: &[DayResult]) -> (i64, f64) {
    days.iter().fold((0, 0.0), |(f, i), r| (f + r.weighted_fill, i + imbalance(inst, r)))
}

/// Whether plan `a` is strictly better than `b` over every date: weighted
/// fill, then shortage imbalance, then the level-3 cost. Imbalances equal
/// to 1e-9 of their size count as equal: the totals are float sums over
/// thousands of slots in different orders, real differences are fractions
/// with small denominators.
pub(crate) fn plan_better(inst: &Instance, a: &[DayResult], b: &[DayResult]) -> bool {
    let (fa, ia) = levels_1_2(inst, a);
    let (fb, ib) = levels_1_2(inst, b);
    if fa != fb {
        return fa > fb;
    }
    if (ia - ib).abs() > 1e-9 * (ia.abs() + ib.abs()).max(1.0) {
        return ia < ib;
    }
    crate::solve::objective_mm(inst, a) < crate::solve::objective_mm(inst, b)
}

/// What the date-ordered pass credits for the side of a continuity pair
/// on the neighbouring date it has not planned yet.
pub(crate) enum Hint {
    /// Calendar order: the full bonus where the relaxation's schedule
    /// stays on into the next date.
    Schedules(Grid),
    /// Calendar order: the relaxation's value of a stay into the next date.
    Ahead(crate::bound::StayCredits),
    /// Backwards: the relaxation's value of a stay from the date before.
    Behind(crate::bound::StayCredits),
}

/// Plans `day` exactly with every other date of `grid` fixed: day limits,
/// crews and continuity with both neighbours.
///
/// The flow knows nothing of crews. When its plan splits a crew (the lowest
/// crew index first), the date is solved once per demand the crew's members
/// took, with the crew pinned to it, and the best of those plans is kept;
/// then the next split crew, until none is split. Past
/// [`CREW_BRANCH_SOLVES`] extra solves, the split crews left are pinned
/// together, both to the demand most of their members took and where most
/// of them fit ([`pin_by_fit`]), the better kept, so a date costs a few
/// solves at most.
///
/// With `hint`, the next date's side of the continuity credit comes from
/// it (proposed schedules) instead of `grid` (the date-ordered pass, whose
/// next date is not planned yet).
pub(crate) fn plan_day(
    inst: &Instance,
    ctx: &CandidateContext,
    grid: &Grid,
    day: Day,
    warm: Option<&WarmBasis>,
    hint: Option<&Hint>,
    tracker: &Tracker<'_>,
) -> Result<(DayResult, Option<WarmBasis>), Cancelled> {
    plan_day_with(inst, ctx, grid, day, warm, hint, Tweaks::default(), tracker)
}

/// [`plan_day`] with split crews pinned where they fit ([`pin_by_fit`])
/// instead of tried on each demand their members took: one solve per
/// round of splits.
pub(crate) fn plan_day_fitted(
    inst: &Instance,
    ctx: &CandidateContext,
    grid: &Grid,
    day: Day,
    warm: Option<&WarmBasis>,
    tracker: &Tracker<'_>,
) -> Result<(DayResult, Option<WarmBasis>), Cancelled> {
    let tweaks = Tweaks { fit: true, ..Tweaks::default() };
    plan_day_with(inst, ctx, grid, day, warm, None, tweaks, tracker)
}

/// [`plan_day`] with worker `w` kept off the date (for perturbations).
pub(crate) fn plan_day_without(
    inst: &Instance,
    ctx: &CandidateContext,
    grid: &Grid,
    day: Day,
    w: u32,
    tracker: &Tracker<'_>,
) -> Result<DayResult, Cancelled> {
    let tweaks = Tweaks { force: Some((w, false)), ..Tweaks::default() };
    plan_day_with(inst, ctx, grid, day, None, None, tweaks, tracker).map(|r| r.0)
}

/// What the moves of the improvement rounds change in a date's plan.
#[derive(Default, Clone, Copy)]
struct Tweaks<'a> {
    /// One worker's permission for the date, set instead of by the grid
    /// (see [`improve_calendars`]).
    force: Option<(u32, bool)>,
    /// The date's candidates for everyone available, priced for the grid
    /// without a hint: filtered to the workers allowed today instead of
    /// built anew.
    superset: Option<&'a DayCandidates>,
    /// A crew pinned to a demand (see [`improve_crews`]).
    pin: Option<(u32, u32)>,
    /// Split crews are pinned where they fit ([`pin_by_fit`]), all in one
    /// solve, instead of tried on each demand their members took.
    fit: bool,
}

/// [`plan_day`] with [`Tweaks`].
#[allow(clippy::too_many_arguments)]
fn plan_day_with(
    inst: &Instance,
    ctx: &CandidateContext,
    grid: &Grid,
    day: Day,
    warm: Option<&WarmBasis>,
    hint: Option<&Hint>,
    tweaks: Tweaks<'_>,
    tracker: &Tracker<'_>,
) -> Result<(DayResult, Option<WarmBasis>), Cancelled> {
    let Tweaks { force, superset, pin, fit } = tweaks;
    let mut allowed = grid.allowed(inst, day);
    if let Some((w, on)) = force {
        allowed[w as usize] = on;
    }
    let c = continuity_mm(inst);
    let (prev, next) = (i64::from(day) - 1, i64::from(day) + 1);
    let stay = |other: i64, w: u32, d: u32| c * i64::from(grid.get(other, w) == d);
    // The unplanned side from the credits, unless the grid already has
    // the worker there (a locked assignment).
    let side = |other: i64, w: u32, d: u32, credits: &crate::bound::StayCredits| {
        if grid.get(other, w) == NONE {
            credits.get(day, w, d)
        } else {
            stay(other, w, d)
        }
    };
    let credit = |w: u32, d: u32| match hint {
        None => stay(prev, w, d) + stay(next, w, d),
        Some(Hint::Schedules(g)) => stay(prev, w, d) + c * i64::from(g.get(next, w) == d),
        Some(Hint::Ahead(a)) => stay(prev, w, d) + side(next, w, d, a),
        Some(Hint::Behind(b)) => side(prev, w, d, b) + stay(next, w, d),
    };
    // Crew members of a member locked today may only join that demand.
    let mut crew_target: HashMap<u32, u32> = HashMap::new();
    for f in locked_on(inst, day) {
        if let Some(crew) = inst.workers[f.worker as usize].crew {
            crew_target.insert(crew, f.demand);
        }
    }
    if let Some((crew, d)) = pin {
        crew_target.entry(crew).or_insert(d);
    }
    // Candidates are built once; pinning a crew only removes arcs.
    let rules = DayRules { allowed: &allowed, forced: &HashMap::new() };
    let cands = match superset {
        Some(sup) => keep_workers(sup, |w| allowed[w as usize]),
        None => priced_candidates(inst, ctx, None, day, &rules, &credit),
    };
    let solve_pinned = |targets: &HashMap<u32, u32>, warm: Option<&WarmBasis>| {
        let forced: HashMap<u32, u32> = inst
            .workers
            .iter()
            .enumerate()
            .filter_map(|(w, wk)| {
                wk.crew.and_then(|crew| targets.get(&crew)).map(|&t| (w as u32, t))
            })
            .collect();
        if forced.is_empty() {
            solve_candidates_warm(inst, day, &cands, warm, Ties::Kept, tracker)
        } else {
            solve_candidates_warm(inst, day, &restrict(&cands, &forced), warm, Ties::Kept, tracker)
        }
    };
    // The first solve's final basis is what the next solve of this date
    // (or the next date) starts from, and what each crew option starts
    // from: pinning a crew only removes arcs, so most of it still stands.
    let (mut result, basis) = solve_pinned(&crew_target, warm)?;
    let mut budget = CREW_BRANCH_SOLVES;
    loop {
        let splits = split_crews(inst, &result, &crew_target);
        let Some((crew, dems)) = splits.first().cloned() else {
            return Ok((result, basis));
        };
        if fit {
            pin_by_fit(inst, &cands, &splits, &mut crew_target);
            result = solve_pinned(&crew_target, basis.as_ref())?.0;
            continue;
        }
        let mut options = dems.clone();
        options.dedup();
        if options.len() > budget {
            // Out of budget: every split crew pinned at once, two ways side
            // by side, the better kept (ties to the first): to the demand
            // most of its members took (ties: the lowest index), and where
            // most of them fit ([`pin_by_fit`]). Either alone loses
            // somewhere: the first 55-103 weighted worker-days on the county
            // default, the second a little imbalance on Wanju.
            let mut by_majority = crew_target.clone();
            for (crew, members) in &splits {
                by_majority.insert(*crew, majority(members));
            }
            let mut by_fit = crew_target.clone();
            pin_by_fit(inst, &cands, &splits, &mut by_fit);
            let (a, b) = rayon::join(
                || solve_pinned(&by_majority, basis.as_ref()),
                || solve_pinned(&by_fit, basis.as_ref()),
            );
            let (a, b) = (a?.0, b?.0);
            if DayKey::of(inst, grid, &b).better_than(&DayKey::of(inst, grid, &a)) {
                crew_target = by_fit;
                result = b;
            } else {
                crew_target = by_majority;
                result = a;
            }
            continue;
        }
        budget -= options.len();
        // Each option solved in parallel; the best kept, ties to the first.
        let tried: Vec<Result<DayResult, Cancelled>> = options
            .par_iter()
            .map(|&target| {
                let mut targets = crew_target.clone();
                targets.insert(crew, target);
                solve_pinned(&targets, basis.as_ref()).map(|(r, _)| r)
            })
            .collect();
        let mut best: Option<(DayKey, u32, DayResult)> = None;
        for (r, &target) in tried.into_iter().zip(&options) {
            let r = r?;
            let key = DayKey::of(inst, grid, &r);
            if best.as_ref().is_none_or(|(k, _, _)| key.better_than(k)) {
                best = Some((key, target, r));
            }
        }
        let (_, target, r) = best.expect("a split crew took two demands");
        crew_target.insert(crew, target);
        result = r;
    }
}

/// Pins each crew of `splits` to the demand where it alone would place
/// the most members (as many as have an arc to it, up to the places it has
/// left), then the highest priority, then the least arc cost, then the
/// lowest demand index; larger crews choose first, and each choice takes
/// its places from the next. The flow then moves others to the places the
/// members left. Crews the new plan splits are pinned the same way in the
/// next round ([`split_crews`] looks again).
///
/// Pinning a split crew to a demand its members took (as [`plan_day`]
/// does) leaves idle the members that demand has no place for: most
/// demands take one worker a day. On a county-day request (85 crew members
/// in 24 crews) that lost 12 of the relaxed optimum's 4,187 weighted fill;
/// pinned where most members fit, the plan reaches 4,187 and the relaxed
/// optimum's imbalance, as an exact MIP does. Ranking by priority times
/// members placed instead lost 17: a worker kept working is worth more
/// than a better demand for part of a crew, since the flow refills the
/// better demand with someone else.
fn pin_by_fit(
    inst: &Instance,
    cands: &DayCandidates,
    splits: &[(u32, Vec<u32>)],
    targets: &mut HashMap<u32, u32>,
) {
    let t = &cands.transport;
    let mut left: Vec<u32> = t.cap.clone();
    // Per split crew: its size and its members' rows today, in one pass.
    let mut rows: HashMap<u32, (usize, Vec<usize>)> =
        splits.iter().map(|(crew, _)| (*crew, (0, Vec::new()))).collect();
    for wk in &inst.workers {
        if let Some(entry) = wk.crew.and_then(|c| rows.get_mut(&c)) {
            entry.0 += 1;
        }
    }
    for (lw, &w) in cands.workers.iter().enumerate() {
        if let Some(entry) = inst.workers[w as usize].crew.and_then(|c| rows.get_mut(&c)) {
            entry.1.push(lw);
        }
    }
    let mut order: Vec<(usize, u32)> = rows.iter().map(|(&crew, e)| (e.0, crew)).collect();
    order.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, crew) in order {
        // (local demand, arc cost) of each member's arcs today.
        let mut reach: Vec<(u32, i64)> = Vec::new();
        for &lw in &rows[&crew].1 {
            let arcs = t.start[lw] as usize..t.start[lw + 1] as usize;
            reach.extend(arcs.map(|a| (t.arc_demand[a], t.arc_cost[a])));
        }
        reach.sort_unstable();
        let best = reach
            .chunk_by(|a, b| a.0 == b.0)
            .map(|arcs| {
                let ld = arcs[0].0;
                // Sorted by demand, then cost: the cheapest members first.
                let fits = arcs.len().min(left[ld as usize] as usize);
                let cost: i64 = arcs[..fits].iter().map(|a| a.1).sum();
                ((fits as u64, u64::from(t.priority[ld as usize])), cost, ld, fits)
            })
            .min_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        if let Some((_, _, ld, fits)) = best {
            left[ld as usize] -= fits as u32;
            targets.insert(crew, cands.demands[ld as usize]);
        }
    }
}

/// The candidates without the arcs that `forced` rules out.
fn restrict(cands: &DayCandidates, forced: &HashMap<u32, u32>) -> DayCandidates {
    let t = &cands.transport;
    let mut out = Transport {
        start: vec![0],
        arc_demand: Vec::new(),
        arc_cost: Vec::new(),
        cap: t.cap.clone(),
        base: t.base.clone(),
        per_day: t.per_day.clone(),
        priority: t.priority.clone(),
        share_shortage: t.share_shortage,
    };
    for (lw, &w) in cands.workers.iter().enumerate() {
        let target = forced.get(&w).copied();
        for a in t.start[lw] as usize..t.start[lw + 1] as usize {
            if target.is_none_or(|d| cands.demands[t.arc_demand[a] as usize] == d) {
                out.arc_demand.push(t.arc_demand[a]);
                out.arc_cost.push(t.arc_cost[a]);
            }
        }
        out.start.push(out.arc_demand.len() as u32);
    }
    DayCandidates { workers: cands.workers.clone(), demands: cands.demands.clone(), transport: out }
}

/// The candidates of the workers `keep` accepts (the others' rows gone).
fn keep_workers(cands: &DayCandidates, keep: impl Fn(u32) -> bool) -> DayCandidates {
    let t = &cands.transport;
    let mut out = Transport {
        start: vec![0],
        arc_demand: Vec::with_capacity(t.arc_demand.len()),
        arc_cost: Vec::with_capacity(t.arc_cost.len()),
        cap: t.cap.clone(),
        base: t.base.clone(),
        per_day: t.per_day.clone(),
        priority: t.priority.clone(),
        share_shortage: t.share_shortage,
    };
    let mut workers = Vec::with_capacity(cands.workers.len());
    for (lw, &w) in cands.workers.iter().enumerate() {
        if !keep(w) {
            continue;
        }
        let arcs = t.start[lw] as usize..t.start[lw + 1] as usize;
        out.arc_demand.extend_from_slice(&t.arc_demand[arcs.clone()]);
        out.arc_cost.extend_from_slice(&t.arc_cost[arcs]);
        out.start.push(out.arc_demand.len() as u32);
        workers.push(w);
    }
    DayCandidates { workers, demands: cands.demands.clone(), transport: out }
}

/// The demand most members took; ties go to the lowest demand index.
/// `members` is sorted.
fn majority(members: &[u32]) -> u32 {
    let mut best = (0usize, u32::MAX);
    for chunk in members.chunk_by(|a, b| a == b) {
        if chunk.len() > best.0 {
            best = (chunk.len(), chunk[0]);
        }
    }
    best.1
}

/// The crews without a target that `r` splits, lowest crew first, each with
/// the demands its members took (sorted, one entry per member).
fn split_crews(
    inst: &Instance,
    r: &DayResult,
    targets: &HashMap<u32, u32>,
) -> Vec<(u32, Vec<u32>)> {
    let mut by_crew: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
    for &(w, d, _) in &r.assignments {
        if let Some(crew) = inst.workers[w as usize].crew {
            by_crew.entry(crew).or_default().push(d);
        }
    }
    by_crew
        .into_iter()
        .filter_map(|(crew, mut dems)| {
            dems.sort_unstable();
            (dems.first() != dems.last() && !targets.contains_key(&crew)).then_some((crew, dems))
        })
        .collect()
}

/// The date-ordered pass: its plans, and each date's final basis (for the
/// improvement phase's first re-plan of that date to start from).
pub(crate) struct Ordered {
    pub(crate) days: Vec<DayResult>,
    pub(crate) bases: Vec<Option<WarmBasis>>,
}

/// Dates in calendar order (or, with `backward`, from the last), each
/// planned exactly given the dates planned before it (and every locked
/// date). Dates past the deadline keep only their locked assignments and
/// are marked incomplete. `starts` holds each date's relaxed basis (or is
/// empty): a date starts from it, else from the date planned before it.
pub(crate) fn solve_in_order(
    inst: &Instance,
    ctx: &CandidateContext,
    grid: &mut Grid,
    starts: Vec<Option<WarmBasis>>,
    hint: Option<&Hint>,
    backward: bool,
    tracker: &Tracker<'_>,
) -> Result<Ordered, Cancelled> {
    let n = inst.n_days as usize;
    let mut days: Vec<Option<DayResult>> = vec![None; n];
    let mut bases: Vec<Option<WarmBasis>> = vec![None; n];
    let mut last: Option<usize> = None;
    let order: Vec<Day> =
        if backward { (0..inst.n_days).rev().collect() } else { (0..inst.n_days).collect() };
    for day in order {
        tracker.cancelled()?;
        let (result, basis) = if tracker.past_deadline() {
            (locked_only(inst, day), None)
        } else {
            // From the date's relaxed optimum (the same date with the
            // coupling relaxed), else from the date planned before.
            let own = starts.get(day as usize).and_then(Option::as_ref);
            let warm = own.or(last.and_then(|l| bases[l].as_ref()));
            plan_day(inst, ctx, grid, day, warm, hint, tracker)?
        };
        grid.replace(&locked_only(inst, day), &result);
        days[day as usize] = Some(result);
        bases[day as usize] = basis;
        last = Some(day as usize);
        tracker.date_done();
    }
    let days = days.into_iter().map(|d| d.expect("every date planned")).collect();
    Ok(Ordered { days, bases })
}

/// Makes the relaxed per-date optimum obey the coupling rules by dropping
/// assignments, never adding any: a split crew keeps the members on the
/// demand of its locked member, else on the demand most of them took (ties:
/// the lowest index); then each worker keeps their dates in calendar order
/// while `max_days` and `max_consecutive_days` allow, locked dates always
/// (validation made sure they fit together). The improvement phase then
/// fills what was dropped, with every other date in view; that costs far
/// less than planning the dates one after another from scratch.
pub(crate) fn repair(inst: &Instance, days: &mut [DayResult]) {
    let is_locked = |w: u32, d: u32, day: Day| {
        inst.locked.binary_search(&Fixed { worker: w, demand: d, day }).is_ok()
    };
    for r in days.iter_mut() {
        let mut by_crew: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
        let mut locked_target: HashMap<u32, u32> = HashMap::new();
        for &(w, d, _) in &r.assignments {
            if let Some(crew) = inst.workers[w as usize].crew {
                by_crew.entry(crew).or_default().push(d);
                if is_locked(w, d, r.day) {
                    locked_target.insert(crew, d);
                }
            }
        }
        let mut target: HashMap<u32, u32> = HashMap::new();
        for (crew, mut dems) in by_crew {
            dems.sort_unstable();
            let t = locked_target.get(&crew).copied().unwrap_or_else(|| majority(&dems));
            target.insert(crew, t);
        }
        r.assignments.retain(|&(w, d, _)| {
            inst.workers[w as usize].crew.is_none_or(|crew| target[&crew] == d)
        });
    }
    // Per worker: their dates, then which of them stay.
    let n_w = inst.workers.len();
    let mut dates: Vec<Vec<(Day, bool)>> = vec![Vec::new(); n_w];
    for r in days.iter() {
        for &(w, d, _) in &r.assignments {
            dates[w as usize].push((r.day, is_locked(w, d, r.day)));
        }
    }
    let mut dropped: std::collections::HashSet<(u32, Day)> = Default::default();
    for (w, wk) in inst.workers.iter().enumerate() {
        if wk.max_days.is_none() && wk.max_consecutive.is_none() {
            continue;
        }
        let list = &dates[w];
        let n_locked = list.iter().filter(|x| x.1).count() as u32;
        let mut free_days = wk.max_days.map_or(u32::MAX, |m| m.saturating_sub(n_locked));
        let mut kept: Vec<Day> = Vec::new();
        for (i, &(day, locked)) in list.iter().enumerate() {
            if locked {
                kept.push(day);
                continue;
            }
            let mut before = 0;
            while kept.len() > before && kept[kept.len() - 1 - before] + 1 + before as Day == day {
                before += 1;
            }
            let mut after = 0;
            while list.get(i + 1 + after).is_some_and(|&(d, l)| l && d == day + 1 + after as Day) {
                after += 1;
            }
            let run = (before + 1 + after) as u32;
            if free_days > 0 && wk.max_consecutive.is_none_or(|m| run <= m) {
                free_days -= 1;
                kept.push(day);
            } else {
                dropped.insert((w as u32, day));
            }
        }
    }
    for r in days.iter_mut() {
        r.assignments.retain(|&(w, _, _)| !dropped.contains(&(w, r.day)));
        r.weighted_fill = weighted(inst, &r.assignments);
    }
}

/// What the improvement phase did.
#[derive(Debug, Default, Clone)]
pub(crate) struct Improved {
    /// Per date: the final basis of its last plan (to start a later
    /// improvement phase from).
    pub(crate) bases: Vec<Option<WarmBasis>>,
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
///
/// `ordered` is the date-ordered pass that made `days`, if it did: its bases
/// start the first re-plans, and (unless it ran `backward`) its last date
/// is not re-planned in the first round, because it was planned with every
/// other date as it is now (the same inputs give the same plan, so that
/// re-plan could not be better). A start repaired from the relaxed plan
/// re-plans every date.
///
/// With `calendars`, `days` is the end of an improvement phase already
/// (no date re-plans better on its own), and each round also moves whole
/// calendars of workers the day limits hold back ([`improve_calendars`]);
/// only the dates those moves and the pairs change (and their neighbours)
/// are re-planned.
#[allow(clippy::too_many_arguments)]
pub(crate) fn improve(
    inst: &Instance,
    ctx: &CandidateContext,
    days: &mut [DayResult],
    grid: &mut Grid,
    ordered: Option<Vec<Option<WarmBasis>>>,
    backward: bool,
    calendars: bool,
    tracker: &Tracker<'_>,
) -> Result<Improved, Cancelled> {
    let n = days.len();
    let mut stats = Improved::default();
    let mut dirty = vec![!calendars; n];
    // Re-planned in the first round only if a date before it changes (a
    // backward pass planned its first date last, but rounds run forward,
    // so nothing is skipped after it).
    // (Not when a deadline stopped its plan before it was proven.)
    let mut last_settled =
        !backward && ordered.is_some() && days.last().is_some_and(|d| d.complete && d.proven);
    let mut memo = PairMemo::new(n);
    // Per date: the final basis of its last plan, to start the next.
    let mut bases: Vec<Option<WarmBasis>> = ordered.unwrap_or_else(|| vec![None; n]);
    // Progress: each round is one more pass over the dates (the total grows
    // as a round starts; the number of rounds is not known in advance).
    'rounds: for _ in 0..MAX_ROUNDS {
        stats.rounds += 1;
        tracker.add_pass();
        let mut again = vec![false; n];
        let mut changed = false;
        for day in 0..n {
            if !dirty[day] || (day + 1 == n && last_settled && !changed) {
                tracker.date_done();
                continue;
            }
            tracker.cancelled()?;
            if tracker.past_deadline() {
                break 'rounds;
            }
            // Warm from this date's last basis, else the previous date's.
            let warm = bases[day].as_ref().or(day.checked_sub(1).and_then(|p| bases[p].as_ref()));
            let (new, basis) = plan_day(inst, ctx, grid, day as Day, warm, None, tracker)?;
            bases[day] = basis;
            tracker.date_done();
            let better = !days[day].complete
                || DayKey::of(inst, grid, &new).better_than(&DayKey::of(inst, grid, &days[day]));
            if better {
                grid.replace(&days[day], &new);
                days[day] = new;
                memo.bump(day as Day);
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
        last_settled = false;
        // Joint moves on two dates for workers the day limits hold back,
        // then whole calendars of such workers and whole crews.
        let mut moved = improve_pairs(inst, ctx, days, grid, &mut memo, &bases, tracker)?;
        if calendars {
            let mut whole =
                improve_calendars(inst, ctx, days, grid, &mut bases, &mut memo, tracker)?;
            whole.extend(improve_crews(inst, ctx, days, grid, &bases, &mut memo, tracker)?);
            whole.sort_unstable();
            whole.dedup();
            moved.extend(whole);
        }
        for day in moved {
            let day = day as usize;
            stats.moves += 1;
            changed = true;
            again[day] = true;
            if day > 0 {
                again[day - 1] = true;
            }
            if day + 1 < n {
                again[day + 1] = true;
            }
        }
        if !changed {
            stats.converged = true;
            break;
        }
        dirty = again;
    }
    tracker.pass_over();
    stats.bases = bases;
    Ok(stats)
}

/// Pairs of dates tried jointly per round at most (see [`improve_pairs`]).
/// Every pair on problems of five dates or fewer (the exact tests), a
/// quarter of the dates on long horizons: on the county preset a pair costs
/// about two dates' solves, and the rounds stay near the cost of a pass.
/// Small problems get more, up to [`PAIR_WORK`] workers and demands over
/// all the pairs of a round: on the `small` preset (65 of them) every pair,
/// which the exact MIP showed day limits need (BENCHMARKS.md), at a few
/// milliseconds a round.
fn max_pairs(n_days: usize, size: usize) -> usize {
    (n_days / 4 + 6).max(10).max(PAIR_WORK / size.max(1))
}

/// See [`max_pairs`]: about 300 pairs a round on `small`, 47 on Wanju, and
/// the quarter of the dates on the county.
const PAIR_WORK: usize = 20_000;

/// Date solves a round of [`improve_calendars`] may spend, times the
/// workers and demands of the problem: every held-back worker on `small`
/// and Wanju, a few on the county.
const CALENDAR_WORK: usize = 1_000_000;

/// Date solves a round of [`improve_crews`] may spend, times the workers
/// and demands of the problem.
const CREW_WORK: usize = 1_000_000;

/// Which pairs of dates were tried, at which versions of the two dates
/// (a date's version counts the times its plan was replaced).
#[derive(Default)]
struct PairMemo {
    version: Vec<u64>,
    tried: HashMap<(Day, Day), (u64, u64)>,
    /// Per worker priced by [`improve_calendars`]: the versions of the
    /// dates that priced it.
    calendars: HashMap<u32, Vec<u64>>,
    /// The worker [`improve_calendars`] starts from in the next round.
    calendar_next: u32,
    /// Per date tried by [`improve_crews`]: the versions of it and its
    /// neighbours then.
    crews_tried: HashMap<Day, (u64, u64, u64)>,
    /// The date [`improve_crews`] starts from in the next round.
    crew_next: u32,
}

impl PairMemo {
    fn new(n_days: usize) -> PairMemo {
        PairMemo {
            version: vec![0; n_days],
            tried: HashMap::new(),
            calendars: HashMap::new(),
            calendar_next: 0,
            crews_tried: HashMap::new(),
            crew_next: 0,
        }
    }

    fn bump(&mut self, day: Day) {
        self.version[day as usize] += 1;
    }

    fn versions(&self, a: Day, b: Day) -> (u64, u64) {
        (self.version[a as usize], self.version[b as usize])
    }
}

/// Joint moves on two dates, for workers the day limits hold back: a
/// worker who is refused on date `b` only because of `max_days` or
/// `max_consecutive_days`, and works on date `a`, may be better used on `b`.
/// Both dates are solved as one flow in which such a worker has a single
/// supply with the arcs of both dates (so the flow picks the date where the
/// worker is worth most), everyone else a supply per date. Kept only when
/// the two dates' part of the objective gets strictly better.
fn improve_pairs(
    inst: &Instance,
    ctx: &CandidateContext,
    days: &mut [DayResult],
    grid: &mut Grid,
    memo: &mut PairMemo,
    bases: &[Option<WarmBasis>],
    tracker: &Tracker<'_>,
) -> Result<Vec<Day>, Cancelled> {
    let n = days.len();
    // Pairs (a, b) with a held-back worker, most such workers first.
    let mut count: HashMap<(Day, Day), u32> = HashMap::new();
    for b in 0..n as Day {
        let allowed = grid.allowed(inst, b);
        for (w, wk) in inst.workers.iter().enumerate() {
            let w32 = w as u32;
            if allowed[w] || !wk.available.contains(b) || grid.get(i64::from(b), w32) != NONE {
                continue;
            }
            if grid.locked[b as usize].contains(&w32) {
                continue;
            }
            for a in 0..n as Day {
                if grid.get(i64::from(a), w32) != NONE && !grid.locked[a as usize].contains(&w32) {
                    *count.entry((a.min(b), a.max(b))).or_default() += 1;
                }
            }
        }
    }
    // A pair tried before, neither date changed since, would give the same.
    let mut pairs: Vec<((Day, Day), u32)> = count
        .into_iter()
        .filter(|&((a, b), _)| memo.tried.get(&(a, b)) != Some(&memo.versions(a, b)))
        .collect();
    pairs.sort_by_key(|&((a, b), k)| (std::cmp::Reverse(k), a, b));
    pairs.truncate(max_pairs(n, inst.workers.len() + inst.demands.len()));
    let mut changed = Vec::new();
    for ((a, b), _) in pairs {
        tracker.cancelled()?;
        if tracker.past_deadline() {
            break;
        }
        let warm = [bases[a as usize].as_ref(), bases[b as usize].as_ref()];
        let (ra, rb) = plan_pair(inst, ctx, grid, days, (a, b), warm, tracker)?;
        let old = pair_key(inst, grid, &days[a as usize], &days[b as usize]);
        let mut trial = grid.clone();
        trial.replace(&days[a as usize], &ra);
        trial.replace(&days[b as usize], &rb);
        let new = pair_key(inst, &trial, &ra, &rb);
        if new.better_than(&old) {
            *grid = trial;
            days[a as usize] = ra;
            days[b as usize] = rb;
            changed.extend([a, b]);
            memo.bump(a);
            memo.bump(b);
        }
        memo.tried.insert((a, b), memo.versions(a, b));
    }
    Ok(changed)
}

/// A change to a plan, larger is better: the weighted fill it gains and the
/// shortage imbalance and level-3 cost it saves.
#[derive(Debug, Clone, Copy, Default)]
struct Gain {
    fill: i64,
    imbalance: f64,
    cost: i64,
}

impl Gain {
    /// From a plan keyed `from` to one keyed `to`.
    fn between(from: &DayKey, to: &DayKey) -> Gain {
        Gain {
            fill: from.fill - to.fill,
            imbalance: from.imbalance - to.imbalance,
            cost: from.cost - to.cost,
        }
    }

    fn plus(self, o: Gain) -> Gain {
        Gain {
            fill: self.fill + o.fill,
            imbalance: self.imbalance + o.imbalance,
            cost: self.cost + o.cost,
        }
    }

    /// Strictly larger, imbalances within 1e-9 equal (as [`DayKey`]).
    fn above(&self, o: &Gain) -> bool {
        if self.fill != o.fill {
            return self.fill > o.fill;
        }
        if (self.imbalance - o.imbalance).abs() > 1e-9 {
            return self.imbalance > o.imbalance;
        }
        self.cost > o.cost
    }
}

/// What a calendar may do on a date.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Slot {
    /// Not available (or nothing to gain): never works.
    Off,
    /// Locked: always works.
    On,
    /// Works or not, as the gains say.
    Free,
}

/// The dates a worker should work: the most total gain over the dates it
/// works, within `max_days` and `max_consecutive_days` (a dynamic
/// programme over dates, days used so far and the current run). Ties go to
/// the calendar found first (working later rather than earlier).
fn best_calendar(
    gain: &[Gain],
    slot: &[Slot],
    max_days: Option<u32>,
    max_run: Option<u32>,
) -> Option<(Vec<bool>, Gain)> {
    let n = gain.len();
    let nu = max_days.map_or(1, |m| m as usize + 1);
    let nr = max_run.map_or(1, |k| k as usize + 1);
    let at = |u: usize, r: usize| u * nr + r;
    // val[t][state]: the best gain over the first t dates; from[t][state]:
    // (previous state, worked on date t - 1).
    let mut val: Vec<Vec<Option<Gain>>> = vec![vec![None; nu * nr]; n + 1];
    let mut from: Vec<Vec<(usize, bool)>> = vec![vec![(0, false); nu * nr]; n + 1];
    val[0][at(0, 0)] = Some(Gain::default());
    for t in 0..n {
        for u in 0..nu {
            for r in 0..nr {
                let Some(v) = val[t][at(u, r)] else { continue };
                let mut offer = |s: usize, g: Gain, worked: bool| {
                    if val[t + 1][s].is_none_or(|old| g.above(&old)) {
                        val[t + 1][s] = Some(g);
                        from[t + 1][s] = (at(u, r), worked);
                    }
                };
                if slot[t] != Slot::On {
                    offer(at(u, 0), v, false);
                }
                if slot[t] != Slot::Off {
                    let u2 = if max_days.is_some() { u + 1 } else { 0 };
                    let r2 = if max_run.is_some() { r + 1 } else { 0 };
                    if u2 < nu && r2 < nr {
                        offer(at(u2, r2), v.plus(gain[t]), true);
                    }
                }
            }
        }
    }
    let mut best: Option<(usize, Gain)> = None;
    for (s, v) in val[n].iter().enumerate() {
        if let Some(v) = v {
            if best.is_none_or(|(_, b)| v.above(&b)) {
                best = Some((s, *v));
            }
        }
    }
    let (mut s, total) = best?;
    let mut works = vec![false; n];
    for t in (1..=n).rev() {
        let (prev, worked) = from[t][s];
        works[t - 1] = worked;
        s = prev;
    }
    Some((works, total))
}

/// Calendar moves for workers the day limits hold back: a worker's dates
/// chosen again all at once. Each date the worker may work is re-planned
/// with the worker's permission flipped (out where they work, in where
/// they do not), every other date fixed, which prices the worker on each
/// date; the best calendar within `max_days` and `max_consecutive_days`
/// for those prices (`best_calendar`) is then planned date by date, the
/// dates it leaves first, and kept when those dates' part of the objective
/// (continuity pairs with their neighbours included) gets strictly
/// better. Pairs of dates ([`improve_pairs`]) move one date of a worker at
/// a time; a limit on consecutive dates can need a whole run moved.
fn improve_calendars(
    inst: &Instance,
    ctx: &CandidateContext,
    days: &mut [DayResult],
    grid: &mut Grid,
    bases: &mut [Option<WarmBasis>],
    memo: &mut PairMemo,
    tracker: &Tracker<'_>,
) -> Result<Vec<Day>, Cancelled> {
    let n = days.len();
    let allowed: Vec<Vec<bool>> = (0..n as Day).map(|t| grid.allowed(inst, t)).collect();
    let held: Vec<u32> = (0..inst.workers.len() as u32)
        .filter(|&w| {
            let wk = &inst.workers[w as usize];
            (wk.max_days.is_some() || wk.max_consecutive.is_some())
                && (0..n as Day).any(|t| {
                    wk.available.contains(t)
                        && !allowed[t as usize][w as usize]
                        && grid.get(i64::from(t), w) == NONE
                        && !grid.locked[t as usize].contains(&w)
                })
        })
        .collect();
    // From where the last round stopped, as far as the budget goes.
    let first = held.partition_point(|&w| w < memo.calendar_next);
    let size = inst.workers.len() + inst.demands.len();
    let mut budget = CALENDAR_WORK / size.max(1);
    let mut changed = Vec::new();
    let mut cache: Vec<Option<DayCandidates>> = (0..n).map(|_| None).collect();
    for i in 0..held.len() {
        let w = held[(first + i) % held.len()];
        tracker.cancelled()?;
        if tracker.past_deadline() {
            break;
        }
        let wk = &inst.workers[w as usize];
        let free = (0..n as Day).filter(|&t| wk.available.contains(t)).count();
        if free > budget {
            memo.calendar_next = w;
            break;
        }
        memo.calendar_next = w + 1;
        // Priced before, and none of its dates (or their neighbours) changed
        // since: the same prices, the same calendar.
        let seen: Vec<u64> = (0..n as Day)
            .filter(|&t| {
                (t.saturating_sub(1)..=t + 1).any(|u| u < n as Day && wk.available.contains(u))
            })
            .map(|t| memo.version[t as usize])
            .collect();
        if memo.calendars.get(&w) == Some(&seen) {
            continue;
        }
        memo.calendars.insert(w, seen);
        budget -= free;
        let works: Vec<bool> = (0..n).map(|t| grid.get(t as i64, w) != NONE).collect();
        let slot: Vec<Slot> = (0..n as Day)
            .map(|t| {
                if grid.locked[t as usize].contains(&w) {
                    Slot::On
                } else if wk.available.contains(t) {
                    Slot::Free
                } else {
                    Slot::Off
                }
            })
            .collect();
        // Each free date with the worker's permission flipped, from the
        // date's candidates for everyone available (built once a round).
        let missing: Vec<usize> =
            (0..n).filter(|&t| slot[t] == Slot::Free && cache[t].is_none()).collect();
        // Building them takes about as long as pricing: the deadline stops
        // both (on the county a worker's dates are seconds of work).
        let built: Vec<(usize, DayCandidates)> = missing
            .into_par_iter()
            .filter(|_| !tracker.past_deadline())
            .map(|t| (t, superset_candidates(inst, ctx, grid, t as Day)))
            .collect();
        for (t, c) in built {
            cache[t] = Some(c);
        }
        if tracker.past_deadline() {
            memo.calendars.remove(&w);
            break;
        }
        let g: &Grid = grid;
        let d: &[DayResult] = days;
        let b: &[Option<WarmBasis>] = bases;
        let cached: &[Option<DayCandidates>] = &cache;
        let priced: Vec<Result<Gain, Cancelled>> = (0..n)
            .into_par_iter()
            .map(|t| {
                if slot[t] != Slot::Free || tracker.past_deadline() {
                    return Ok(Gain::default());
                }
                let force = Some((w, !works[t]));
                let warm = b[t].as_ref();
                let tweaks = Tweaks { force, superset: cached[t].as_ref(), pin: None, fit: false };
                let (r, _) = plan_day_with(inst, ctx, g, t as Day, warm, None, tweaks, tracker)?;
                let (now, other) = (DayKey::of(inst, g, &d[t]), DayKey::of(inst, g, &r));
                Ok(if works[t] {
                    // What working here is worth: from the plan without.
                    Gain::between(&other, &now)
                } else if r.assignments.iter().any(|a| a.0 == w) {
                    Gain::between(&now, &other)
                } else {
                    // A plan that leaves the worker out gains nothing by them.
                    Gain::default()
                })
            })
            .collect();
        let mut gain = Vec::with_capacity(n);
        for p in priced {
            gain.push(p?);
        }
        // Prices cut short by the deadline are not the worker's: no move.
        if tracker.past_deadline() {
            memo.calendars.remove(&w);
            break;
        }
        let current = (0..n).filter(|&t| works[t]).fold(Gain::default(), |s, t| s.plus(gain[t]));
        let Some((want, total)) = best_calendar(&gain, &slot, wk.max_days, wk.max_consecutive)
        else {
            continue;
        };
        if !total.above(&current) {
            continue;
        }
        // Plan the dates it leaves, then the dates it takes.
        let leave = (0..n).filter(|&t| works[t] && !want[t] && slot[t] == Slot::Free);
        let take = (0..n).filter(|&t| !works[t] && want[t]);
        let touched: Vec<usize> = leave.chain(take).collect();
        let mut order = touched.clone();
        order.sort_unstable();
        let old: Vec<&DayResult> = order.iter().map(|&t| &days[t]).collect();
        let before = window_key(inst, grid, &old);
        let mut trial = grid.clone();
        let mut planned = Vec::with_capacity(touched.len());
        for &t in &touched {
            let tweaks = Tweaks { force: Some((w, want[t])), ..Tweaks::default() };
            let warm = bases[t].as_ref();
            let (r, basis) =
                plan_day_with(inst, ctx, &trial, t as Day, warm, None, tweaks, tracker)?;
            trial.replace(&days[t], &r);
            planned.push((t, r, basis));
        }
        let mut new: Vec<&DayResult> = planned.iter().map(|p| &p.1).collect();
        new.sort_unstable_by_key(|r| r.day);
        let after = window_key(inst, &trial, &new);
        if after.better_than(&before) {
            *grid = trial;
            for (t, r, basis) in planned {
                days[t] = r;
                bases[t] = basis;
                memo.bump(t as Day);
                changed.push(t as Day);
                // The neighbours' continuity credits changed.
                for u in [t.wrapping_sub(1), t + 1] {
                    if let Some(c) = cache.get_mut(u) {
                        *c = None;
                    }
                }
            }
        }
    }
    changed.sort_unstable();
    changed.dedup();
    Ok(changed)
}

/// Crew moves: a crew sent as a whole to another demand on a date. A date's
/// plan tries a crew that its flow splits on each demand the members took,
/// but a crew that stays together where only some of its members fit is
/// never tried elsewhere: on `small` seed 3 the exact optimum sends a crew
/// of four to a demand none of them took, where three fit, for one more
/// weighted worker-day. So each crew with a member allowed on a date (and
/// none locked there) is pinned to each other demand some member can reach
/// that day, the date re-planned with every other date fixed, and the best
/// plan kept when strictly better. Dates in turn from where the last round
/// stopped, as far as [`CREW_WORK`] goes; a date whose neighbourhood has
/// not changed since it was tried is skipped.
fn improve_crews(
    inst: &Instance,
    ctx: &CandidateContext,
    days: &mut [DayResult],
    grid: &mut Grid,
    bases: &[Option<WarmBasis>],
    memo: &mut PairMemo,
    tracker: &Tracker<'_>,
) -> Result<Vec<Day>, Cancelled> {
    let n = days.len();
    let mut crews: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
    for (w, wk) in inst.workers.iter().enumerate() {
        if let Some(crew) = wk.crew {
            crews.entry(crew).or_default().push(w as u32);
        }
    }
    let mut changed = Vec::new();
    if crews.is_empty() || n == 0 {
        return Ok(changed);
    }
    let size = inst.workers.len() + inst.demands.len();
    let mut budget = CREW_WORK / size.max(1);
    let first = memo.crew_next as usize % n;
    for step in 0..n {
        let t = (first + step) % n;
        tracker.cancelled()?;
        if tracker.past_deadline() {
            break;
        }
        let around = |memo: &PairMemo| {
            let v = |u: i64| if u < 0 || u >= n as i64 { 0 } else { memo.version[u as usize] };
            (v(t as i64 - 1), v(t as i64), v(t as i64 + 1))
        };
        let seen = around(memo);
        if memo.crews_tried.get(&(t as Day)) == Some(&seen) {
            continue;
        }
        let allowed = grid.allowed(inst, t as Day);
        let sup = superset_candidates(inst, ctx, grid, t as Day);
        let row: HashMap<u32, usize> =
            sup.workers.iter().enumerate().map(|(lw, &w)| (w, lw)).collect();
        let tr = &sup.transport;
        let mut options: Vec<(u32, u32)> = Vec::new();
        for (&crew, members) in &crews {
            if members.iter().any(|w| grid.locked[t].contains(w)) {
                continue;
            }
            let now = days[t]
                .assignments
                .iter()
                .find(|a| inst.workers[a.0 as usize].crew == Some(crew))
                .map(|a| a.1);
            let mut reach: Vec<u32> = members
                .iter()
                .filter(|&&w| allowed[w as usize])
                .filter_map(|w| row.get(w))
                .flat_map(|&lw| tr.start[lw] as usize..tr.start[lw + 1] as usize)
                .map(|a| sup.demands[tr.arc_demand[a] as usize])
                .filter(|&d| Some(d) != now)
                .collect();
            reach.sort_unstable();
            reach.dedup();
            options.extend(reach.into_iter().map(|d| (crew, d)));
        }
        if options.len() > budget {
            memo.crew_next = t as u32;
            break;
        }
        budget -= options.len();
        memo.crew_next = t as u32 + 1;
        let g: &Grid = grid;
        let warm = bases[t].as_ref();
        // Each option checks the deadline: on a problem of one date every
        // option is tried at once, and the whole batch overran a 10 ms
        // limit threefold. (Which options ran then depends on timing, as
        // everything under a time limit may.)
        let tried: Vec<Result<Option<DayResult>, Cancelled>> = options
            .par_iter()
            .map(|&pin| {
                if tracker.past_deadline() {
                    return Ok(None);
                }
                let tweaks = Tweaks { superset: Some(&sup), pin: Some(pin), ..Tweaks::default() };
                plan_day_with(inst, ctx, g, t as Day, warm, None, tweaks, tracker)
                    .map(|r| Some(r.0))
            })
            .collect();
        let mut best: (DayKey, Option<DayResult>) = (DayKey::of(inst, grid, &days[t]), None);
        for r in tried {
            let Some(r) = r? else { continue };
            let key = DayKey::of(inst, grid, &r);
            if key.better_than(&best.0) {
                best = (key, Some(r));
            }
        }
        if let (_, Some(r)) = best {
            grid.replace(&days[t], &r);
            days[t] = r;
            memo.bump(t as Day);
            changed.push(t as Day);
        }
        let seen = around(memo);
        memo.crews_tried.insert(t as Day, seen);
    }
    Ok(changed)
}

/// A date's candidates for every worker available and not locked that
/// day, whatever their day limits, priced with the continuity credits of
/// `grid`'s neighbouring dates (as [`plan_day`] without a hint).
fn superset_candidates(
    inst: &Instance,
    ctx: &CandidateContext,
    grid: &Grid,
    day: Day,
) -> DayCandidates {
    let mut allowed: Vec<bool> = inst.workers.iter().map(|wk| wk.available.contains(day)).collect();
    for &w in &grid.locked[day as usize] {
        allowed[w as usize] = false;
    }
    let c = continuity_mm(inst);
    let (prev, next) = (i64::from(day) - 1, i64::from(day) + 1);
    let credit = |w: u32, d: u32| {
        c * (i64::from(grid.get(prev, w) == d) + i64::from(grid.get(next, w) == d))
    };
    let rules = DayRules { allowed: &allowed, forced: &HashMap::new() };
    priced_candidates(inst, ctx, None, day, &rules, &credit)
}

/// The part of the objective on the dates of `touched` (plans in date
/// order): their weighted fill, imbalance and level-3 cost, each continuity
/// pair with a neighbouring date counted once.
fn window_key(inst: &Instance, grid: &Grid, touched: &[&DayResult]) -> DayKey {
    let c = continuity_mm(inst);
    let mut key = DayKey { fill: 0, imbalance: 0.0, cost: 0 };
    for (i, r) in touched.iter().enumerate() {
        let t = r.day;
        key.fill -= r.weighted_fill;
        key.imbalance += imbalance(inst, r);
        let prev_touched = i > 0 && touched[i - 1].day + 1 == t;
        for &(w, d, km) in &r.assignments {
            key.cost += base_mm(inst, w, d, t, km);
            if !prev_touched && grid.get(i64::from(t) - 1, w) == d {
                key.cost -= c;
            }
            if grid.get(i64::from(t) + 1, w) == d {
                key.cost -= c;
            }
        }
    }
    key
}

/// Two dates' part of the objective; a continuity pair between them (when
/// adjacent) counts once.
fn pair_key(inst: &Instance, grid: &Grid, ra: &DayResult, rb: &DayResult) -> DayKey {
    let (ka, kb) = (DayKey::of(inst, grid, ra), DayKey::of(inst, grid, rb));
    let mut cost = ka.cost + kb.cost;
    if ra.day.abs_diff(rb.day) == 1 {
        let c = continuity_mm(inst);
        for &(w, d, _) in &ra.assignments {
            if grid.get(i64::from(rb.day), w) == d {
                cost += c;
            }
        }
    }
    DayKey { fill: ka.fill + kb.fill, imbalance: ka.imbalance + kb.imbalance, cost }
}

/// Dates `a` and `b` solved as one flow, every other date fixed. Crews that
/// the joint plan splits are pinned to their majority demand and the pair is
/// solved again.
///
/// The joint flow starts from the two dates' last bases, side by side.
fn plan_pair(
    inst: &Instance,
    ctx: &CandidateContext,
    grid: &Grid,
    days: &[DayResult],
    (a, b): (Day, Day),
    warm: [Option<&WarmBasis>; 2],
    tracker: &Tracker<'_>,
) -> Result<(DayResult, DayResult), Cancelled> {
    let start = joint_basis(inst, warm);
    let mut g = grid.clone();
    g.replace(&days[a as usize], &locked_only(inst, a));
    g.replace(&days[b as usize], &locked_only(inst, b));
    let allowed = [g.allowed(inst, a), g.allowed(inst, b)];
    // Workers allowed on each date alone but not on both.
    let one_of: Vec<bool> = (0..inst.workers.len())
        .map(|w| {
            if !(allowed[0][w] && allowed[1][w]) {
                return false;
            }
            let wk = &inst.workers[w];
            let w32 = w as u32;
            let mut both = wk.max_days.is_none_or(|m| g.count[w] + 2 <= m);
            if let Some(m) = wk.max_consecutive {
                g.set(a, w32, 0);
                both &= g.run_through(b, w32) <= m;
                g.set(a, w32, NONE);
            }
            !both
        })
        .collect();
    let c = continuity_mm(inst);
    let mut targets: [HashMap<u32, u32>; 2] = [HashMap::new(), HashMap::new()];
    for (i, day) in [a, b].into_iter().enumerate() {
        for f in locked_on(inst, day) {
            if let Some(crew) = inst.workers[f.worker as usize].crew {
                targets[i].insert(crew, f.demand);
            }
        }
    }
    loop {
        let mut cands = Vec::new();
        for (i, day) in [a, b].into_iter().enumerate() {
            let forced: HashMap<u32, u32> = inst
                .workers
                .iter()
                .enumerate()
                .filter_map(|(w, wk)| {
                    wk.crew.and_then(|crew| targets[i].get(&crew)).map(|&t| (w as u32, t))
                })
                .collect();
            let rules = DayRules { allowed: &allowed[i], forced: &forced };
            let (prev, next) = (i64::from(day) - 1, i64::from(day) + 1);
            let credit = |w: u32, d: u32| {
                c * (i64::from(g.get(prev, w) == d) + i64::from(g.get(next, w) == d))
            };
            cands.push(priced_candidates(inst, ctx, None, day, &rules, &credit));
        }
        let joint = merge(inst, &cands, &one_of);
        let ids = Ids { workers: &joint.worker_key, demands: &joint.demand_key };
        let (sol, _) = solve_transport_warm(
            &joint.transport,
            ids,
            start.as_ref(),
            Ties::Kept,
            tracker.cancel_flag(),
            tracker.deadline(),
        )?;
        let mut results = [locked_only(inst, a), locked_only(inst, b)];
        for r in &mut results {
            r.complete = true;
            r.proven = sol.proven;
            r.exact = sol.proven;
        }
        for (row, &arc) in sol.assigned.iter().enumerate() {
            if arc == NONE {
                continue;
            }
            let (i, src) = joint.source[arc as usize];
            let cand = &cands[i];
            let w = joint.worker[row];
            let d = cand.demands[cand.transport.arc_demand[src as usize] as usize];
            results[i].assignments.push((w, d, inst.distance_km(w, d)));
            results[i].flow_cost += cand.transport.arc_cost[src as usize];
        }
        let mut split = false;
        for i in 0..2 {
            results[i].weighted_fill = weighted(inst, &results[i].assignments);
            for (crew, members) in split_crews(inst, &results[i], &targets[i]) {
                targets[i].insert(crew, majority(&members));
                split = true;
            }
        }
        if !split {
            let [ra, rb] = results;
            return Ok((ra, rb));
        }
    }
}

/// Two dates' candidates as one transportation problem.
struct Joint {
    transport: Transport,
    /// Per row: the global worker.
    worker: Vec<u32>,
    /// Per arc: (which date, arc index in that date's candidates).
    source: Vec<(usize, u32)>,
    /// Per row and per joint demand: its name in a joint basis (see
    /// [`joint_basis`]), ascending.
    worker_key: Vec<u32>,
    demand_key: Vec<u32>,
}

/// The names of a pair's rows and demands in a joint basis: worker `w`'s
/// row on the first date is `2w`, on the second `2w + 1` (a row shared by
/// both dates is `2w`); a demand of the first date keeps its index, one of
/// the second date is shifted past every demand. So each date's basis
/// renamed lands on that date's part of the joint flow only, and the rows
/// and demands of [`merge`] are in ascending order of their names.
fn joint_worker(w: u32, date: usize) -> u32 {
    2 * w + date as u32
}

fn joint_demand(inst: &Instance, d: u32, date: usize) -> u32 {
    if date == 0 {
        d
    } else {
        inst.demands.len() as u32 + d
    }
}

/// The two dates' bases renamed for their joint flow and put side by side
/// (each tree without the merged source/sink's own arc, as regions are
/// joined: the pieces share no node but `ST`, so the union is a forest).
fn joint_basis(inst: &Instance, warm: [Option<&WarmBasis>; 2]) -> Option<WarmBasis> {
    if warm.iter().all(Option::is_none) {
        return None;
    }
    let mut out = WarmBasis::default();
    for (date, basis) in warm.into_iter().enumerate() {
        let Some(basis) = basis else { continue };
        let w = |g: u32| joint_worker(g, date);
        let d = |g: u32| joint_demand(inst, g, date);
        for &(node, arc) in &basis.tree {
            let node = match node {
                NodeKey::St => continue,
                NodeKey::Worker(g) => NodeKey::Worker(w(g)),
                NodeKey::Demand(g) => NodeKey::Demand(d(g)),
            };
            let arc = match arc {
                ArcKey::Source(g) => ArcKey::Source(w(g)),
                ArcKey::Unit(g, k) => ArcKey::Unit(d(g), k),
                ArcKey::Cand(gw, gd) => ArcKey::Cand(w(gw), d(gd)),
            };
            out.tree.push((node, arc));
        }
        out.plan.extend(basis.plan.iter().map(|&(gw, gd)| (w(gw), d(gd))));
    }
    Some(out)
}

fn merge(inst: &Instance, cands: &[DayCandidates], one_of: &[bool]) -> Joint {
    let offset = cands[0].demands.len() as u32;
    let (t0, t1) = (&cands[0].transport, &cands[1].transport);
    let mut t = Transport {
        start: vec![0],
        arc_demand: Vec::new(),
        arc_cost: Vec::new(),
        cap: [t0.cap.clone(), t1.cap.clone()].concat(),
        base: [t0.base.clone(), t1.base.clone()].concat(),
        per_day: [t0.per_day.clone(), t1.per_day.clone()].concat(),
        priority: [t0.priority.clone(), t1.priority.clone()].concat(),
        share_shortage: t0.share_shortage,
    };
    let mut worker = Vec::new();
    let mut worker_key = Vec::new();
    let mut source = Vec::new();
    let (mut i0, mut i1) = (0usize, 0usize);
    let (w0, w1) = (&cands[0].workers, &cands[1].workers);
    let push_arcs = |t: &mut Transport, source: &mut Vec<(usize, u32)>, i: usize, lw: usize| {
        let tr = &cands[i].transport;
        for arc in tr.start[lw] as usize..tr.start[lw + 1] as usize {
            let off = if i == 0 { 0 } else { offset };
            t.arc_demand.push(tr.arc_demand[arc] + off);
            t.arc_cost.push(tr.arc_cost[arc]);
            source.push((i, arc as u32));
        }
    };
    // Rows in global worker order; a one-of worker's two rows become one.
    while i0 < w0.len() || i1 < w1.len() {
        let next0 = w0.get(i0).copied().unwrap_or(u32::MAX);
        let next1 = w1.get(i1).copied().unwrap_or(u32::MAX);
        let w = next0.min(next1);
        let (in0, in1) = (next0 == w, next1 == w);
        if in0 && in1 && one_of[w as usize] {
            push_arcs(&mut t, &mut source, 0, i0);
            push_arcs(&mut t, &mut source, 1, i1);
            t.start.push(t.arc_demand.len() as u32);
            worker.push(w);
            worker_key.push(joint_worker(w, 0));
        } else {
            if in0 {
                push_arcs(&mut t, &mut source, 0, i0);
                t.start.push(t.arc_demand.len() as u32);
                worker.push(w);
                worker_key.push(joint_worker(w, 0));
            }
            if in1 {
                push_arcs(&mut t, &mut source, 1, i1);
                t.start.push(t.arc_demand.len() as u32);
                worker.push(w);
                worker_key.push(joint_worker(w, 1));
            }
        }
        i0 += usize::from(in0);
        i1 += usize::from(in1);
    }
    let demand_key = (0..2)
        .flat_map(|date| cands[date].demands.iter().map(move |&d| (d, date)))
        .map(|(d, date)| joint_demand(inst, d, date))
        .collect();
    Joint { transport: t, worker, source, worker_key, demand_key }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{generate, Preset};
    use crate::SolveConfig;
    use std::time::Instant;

    /// The calendar programme against every subset of dates: on random
    /// gains (ties in fill and imbalance frequent, negative gains too),
    /// forced and closed dates and limits, its calendar obeys the limits
    /// and the forced dates, its total is that calendar's, and no subset
    /// that obeys them gains more.
    #[test]
    fn best_calendar_matches_every_subset() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let run_ok = |works: &[bool], k: Option<u32>| {
            let mut run = 0;
            works.iter().all(|&x| {
                run = if x { run + 1 } else { 0 };
                k.is_none_or(|k| run <= k)
            })
        };
        for _ in 0..2_000 {
            let n = rng.gen_range(1..=9);
            let gain: Vec<Gain> = (0..n)
                .map(|_| Gain {
                    fill: rng.gen_range(-1..=2),
                    imbalance: f64::from(rng.gen_range(-2..=2)) / 4.0,
                    cost: rng.gen_range(-50..=50),
                })
                .collect();
            let slot: Vec<Slot> = (0..n)
                .map(|_| match rng.gen_range(0..10) {
                    0 => Slot::On,
                    1 | 2 => Slot::Off,
                    _ => Slot::Free,
                })
                .collect();
            let max_days = rng.gen_bool(0.7).then(|| rng.gen_range(1..=n as u32));
            let max_run = rng.gen_bool(0.7).then(|| rng.gen_range(1..=4));
            let feasible = |works: &[bool]| {
                let days = works.iter().filter(|&&x| x).count() as u32;
                max_days.is_none_or(|m| days <= m)
                    && run_ok(works, max_run)
                    && works.iter().zip(&slot).all(|(&x, &s)| match s {
                        Slot::On => x,
                        Slot::Off => !x,
                        Slot::Free => true,
                    })
            };
            let total = |works: &[bool]| {
                (0..n).filter(|&t| works[t]).fold(Gain::default(), |s, t| s.plus(gain[t]))
            };
            let mut best: Option<Gain> = None;
            for mask in 0u32..1 << n {
                let works: Vec<bool> = (0..n).map(|t| mask >> t & 1 == 1).collect();
                if feasible(&works) {
                    let g = total(&works);
                    if best.is_none_or(|b| g.above(&b)) {
                        best = Some(g);
                    }
                }
            }
            let found = best_calendar(&gain, &slot, max_days, max_run);
            match (found, best) {
                (None, None) => {}
                (Some((works, g)), Some(b)) => {
                    assert!(feasible(&works), "{works:?} {slot:?} {max_days:?} {max_run:?}");
                    let t = total(&works);
                    assert!(!t.above(&g) && !g.above(&t), "reported {g:?}, worth {t:?}");
                    assert!(!b.above(&g), "{g:?} below {b:?}");
                }
                (f, b) => panic!("programme {f:?}, subsets {b:?}"),
            }
        }
    }

    /// A pair of dates started from their two bases side by side reaches the
    /// same optimum as the pair solved cold: same fill, imbalance and flow
    /// cost on each of many pairs (not adjacent, so the flow's cost is the
    /// whole of the pair's; no crews, so no pinning can differ).
    #[test]
    fn pairs_started_from_both_dates_bases_reach_the_cold_optimum() {
        let mut compared = 0;
        for seed in [2, 5, 9] {
            let mut p = generate(Preset::Small, seed);
            for w in &mut p.workers {
                w.crew = None;
                // Tight day limits give the pair flow one-of workers.
                w.max_days = Some(w.max_days.unwrap_or(2).min(2));
            }
            let inst = crate::validate(&p).unwrap();
            let ctx = CandidateContext::new(&inst);
            let config = SolveConfig::default();
            let tracker = Tracker::new(&config, inst.n_days, Instant::now(), None);
            let mut grid = Grid::new(&inst);
            let ordered =
                solve_in_order(&inst, &ctx, &mut grid, Vec::new(), None, false, &tracker).unwrap();
            let n = inst.n_days;
            for a in 0..n {
                for b in (a + 2)..n {
                    let warm =
                        [ordered.bases[a as usize].as_ref(), ordered.bases[b as usize].as_ref()];
                    assert!(warm.iter().all(Option::is_some));
                    let plan = |warm| {
                        plan_pair(&inst, &ctx, &grid, &ordered.days, (a, b), warm, &tracker)
                            .unwrap()
                    };
                    let (wa, wb) = plan(warm);
                    let (ca, cb) = plan([None, None]);
                    let key = |x: &DayResult, y: &DayResult| {
                        let (kx, ky) = (DayKey::of(&inst, &grid, x), DayKey::of(&inst, &grid, y));
                        (kx.fill + ky.fill, kx.imbalance + ky.imbalance, x.flow_cost + y.flow_cost)
                    };
                    let (kw, kc) = (key(&wa, &wb), key(&ca, &cb));
                    assert_eq!((kw.0, kw.2), (kc.0, kc.2), "seed {seed}, dates {a} and {b}");
                    assert!((kw.1 - kc.1).abs() < 1e-9, "seed {seed}, dates {a} and {b}");
                    compared += 1;
                }
            }
        }
        assert!(compared >= 20, "only {compared} pairs");
    }
}
