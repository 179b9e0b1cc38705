//! The exact per-date transportation solver: the product's heart.
//!
//! One date is a bipartite min-cost flow: each worker has supply 1, each
//! demand takes up to `cap` more workers with convex per-unit costs, and the
//! worker-to-demand arcs cost travel (minus bonuses). The objective is
//! lexicographic (weighted fill, then shortage imbalance, then km), so costs
//! are [`Cost`] triples compared lexicographically. The simplex runs on one
//! integer instead (`i64`, else `i128`) when weights that preserve the sign
//! of every cycle fit, which is several times faster; see [`Scale`].
//!
//! The source and the sink are one node `ST`, so a flow is a circulation:
//! arcs `ST -> w` (supply 1), `w -> d` (travel cost) and one `d -> ST` arc
//! per unit of each demand, costing that unit's marginal (convex, so units
//! fill in order).
//!
//! [`solve_transport`] first solves on each worker's few cheapest arcs, then
//! checks every other arc against the optimal potentials (a negative reduced
//! cost means the arc could improve the plan), adds the violated ones and
//! resumes, until none is violated: the result is optimal for all arcs.
//!
//! Two exact algorithms implement a round, and the tests hold both to brute
//! force: the primal network simplex of `simplex.rs` (used: it warm-starts
//! between rounds) and successive shortest paths (kept as an independent
//! cross-check): demand units are added most valuable first (the greedy order
//! of a matroid) and each addition cancels the cheapest negative cycle
//! through it, found by a backward Dijkstra over reduced costs that stops at
//! `ST`.
//!
//! Invariant: after every step, every residual arc has a non-negative reduced
//! cost `c(u, v) + h(u) - h(v)`.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::ops::{Add, Sub};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use crate::simplex::{ArcKey, NodeKey, Simplex, WarmBasis};

/// A lexicographic cost: weighted fill (negated), shortage imbalance (in
/// fixed point, see [`Units`]), then km in fixed point.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Cost {
    pub(crate) fill: i64,
    pub(crate) share: i128,
    pub(crate) km: i64,
}

impl Cost {
    pub(crate) const ZERO: Cost = Cost { fill: 0, share: 0, km: 0 };

    pub(crate) fn km(km: i64) -> Cost {
        Cost { fill: 0, share: 0, km }
    }
}

impl Add for Cost {
    type Output = Cost;
    fn add(self, o: Cost) -> Cost {
        Cost { fill: self.fill + o.fill, share: self.share + o.share, km: self.km + o.km }
    }
}

impl Sub for Cost {
    type Output = Cost;
    fn sub(self, o: Cost) -> Cost {
        Cost { fill: self.fill - o.fill, share: self.share - o.share, km: self.km - o.km }
    }
}

/// A cost type the network simplex can run on: the lexicographic [`Cost`]
/// itself, or a single integer that orders every cycle of the date's network
/// exactly as [`Cost`] does (see [`Scale`]). The integers are several times
/// faster: pricing is most of the simplex's time, and it compares costs.
pub(crate) trait SxCost:
    Copy + Ord + Add<Output = Self> + Sub<Output = Self> + std::fmt::Debug + Send + Sync
{
    const ZERO: Self;
    /// A level-3 (km) cost.
    fn km(km: i64) -> Self;
    /// `c` in this type, under `scale`.
    fn from_cost(c: Cost, scale: &Scale) -> Self;
    /// `self` times `sign` (-1, 0 or 1).
    fn times(self, sign: i8) -> Self;
}

impl SxCost for Cost {
    const ZERO: Cost = Cost::ZERO;
    fn km(km: i64) -> Cost {
        Cost::km(km)
    }
    fn from_cost(c: Cost, _: &Scale) -> Cost {
        c
    }
    fn times(self, sign: i8) -> Cost {
        match sign {
            0 => Cost::ZERO,
            1.. => self,
            _ => Cost::ZERO - self,
        }
    }
}

impl SxCost for i128 {
    const ZERO: i128 = 0;
    fn km(km: i64) -> i128 {
        i128::from(km)
    }
    fn from_cost(c: Cost, s: &Scale) -> i128 {
        i128::from(c.fill) * s.fill + c.share * s.share + i128::from(c.km)
    }
    fn times(self, sign: i8) -> i128 {
        self * i128::from(sign)
    }
}

/// A 64-bit cost whose sums wrap around instead of overflowing: the
/// simplex on it keeps every potential modulo 2^64, and the values it
/// compares (reduced costs, which are costs of simple cycles) are exact
/// as long as they fit, which [`Scale::for_date`] makes sure of.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct W64(pub(crate) i64);

impl Add for W64 {
    type Output = W64;
    fn add(self, o: W64) -> W64 {
        W64(self.0.wrapping_add(o.0))
    }
}

impl Sub for W64 {
    type Output = W64;
    fn sub(self, o: W64) -> W64 {
        W64(self.0.wrapping_sub(o.0))
    }
}

impl SxCost for W64 {
    const ZERO: W64 = W64(0);
    fn km(km: i64) -> W64 {
        W64(km)
    }
    fn from_cost(c: Cost, s: &Scale) -> W64 {
        // `Scale::for_date` chose this width only if every arc's cost fits.
        W64((i128::from(c.fill) * s.fill + c.share * s.share + i128::from(c.km)) as i64)
    }
    fn times(self, sign: i8) -> W64 {
        W64(self.0.wrapping_mul(i64::from(sign)))
    }
}

/// Weights that fold a [`Cost`] into one integer `fill * w1 + share * w2 +
/// km` without changing the sign of any cycle's cost in the date's network,
/// so the simplex's optimum is the lexicographic optimum. (The same holds
/// for the level-2 rounding of [`Units`].)
///
/// A simple cycle passes the merged source/sink once, so it uses at most two
/// unit arcs (the only arcs with fill or share costs) and at most
/// `2 * min(workers, demands) + 2` candidate arcs. With `K` the largest arc
/// km cost and `S` the largest unit share cost, `w2 > (2n + 2) K` makes the
/// km part too small to outweigh one share unit, and `w1 > 2 S w2 + w2`
/// does the same for one fill unit.
///
/// Of the two arcs at the source/sink, a unit arc costs at most `f` fill
/// units (`f` the largest priority) and a source arc none, and a cycle
/// through both of a demand's unit arcs or two unit arcs of different
/// demands goes one of them backwards, so a simple cycle costs less than
/// `(f + 1) w1` in all. Every value the simplex compares is such a cycle's
/// cost: the reduced cost of an arc is the cost of the cycle it closes in
/// the tree (whose arcs to the artificial root cost nothing). A potential
/// is the cost of a simple tree path from the root, which passes the
/// source/sink at most once, into it by one arc and out by another, so it
/// is below `(f + 1) w1` too. Only a partial sum such as an arc's cost plus
/// one potential can go beyond; [`W64`] wraps instead of overflowing, so
/// every result that fits, which is every value compared, is exact when
/// `(f + 1) w1` fits in an `i64`. On the national preset that is the
/// difference between `i64` and `i128` (`f` = 100; the bound used before,
/// `(5 f + 4) w1`, was 3.5 times over `i64::MAX`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    pub(crate) fill: i128,
    pub(crate) share: i128,
}

/// Which integer type a date's simplex can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Width {
    I64,
    I128,
    /// The weights do not fit: keep the lexicographic triple.
    Lexicographic,
}

impl Scale {
    pub(crate) fn for_date(t: &Transport, units: &Units) -> (Scale, Width) {
        let k_max = t.arc_cost.iter().map(|c| i128::from(c.unsigned_abs())).max().unwrap_or(0);
        let mut s_max: i128 = 0;
        let mut f_max: i128 = 0;
        for d in 0..t.n_demands() {
            if t.cap[d] == 0 {
                continue;
            }
            // The first open unit has the largest share and the fill is the
            // same for every unit of a demand.
            let u = units.unit(t, d, t.base[d] + 1);
            s_max = s_max.max(u.share.abs());
            f_max = f_max.max(i128::from(u.fill).abs());
        }
        let n = t.n_workers().min(t.n_demands()) as i128;
        let lex = (Scale { fill: 0, share: 0 }, Width::Lexicographic);
        let Some(w2) = (2 * n + 2).checked_mul(k_max).and_then(|v| v.checked_add(1)) else {
            return lex;
        };
        let Some(w1) = s_max.checked_mul(2 * w2).and_then(|v| v.checked_add(w2 + 1)) else {
            return lex;
        };
        // Cycle costs and potentials are below `(f + 1) w1` (see above):
        // on wrapping i64 that is all that needs to fit. On i128 partial
        // sums do not wrap, so they must fit too: a generous bound.
        let (Some(wide), Some(cycle)) = (w1.checked_mul(5 * f_max + 4), w1.checked_mul(f_max + 2))
        else {
            return lex;
        };
        let scale = Scale { fill: w1, share: w2 };
        if cycle < i128::from(i64::MAX) {
            (scale, Width::I64)
        } else if wide < i128::MAX {
            (scale, Width::I128)
        } else {
            lex
        }
    }
}

/// Marker for an absent arc.
pub(crate) const NONE: u32 = u32::MAX;

/// One date's transportation problem in compressed sparse rows.
#[derive(Debug, Default, Clone)]
pub(crate) struct Transport {
    /// Arcs of worker `w` are `start[w]..start[w + 1]`.
    pub(crate) start: Vec<u32>,
    /// Local demand index of each arc.
    pub(crate) arc_demand: Vec<u32>,
    /// Level-3 cost of each arc in fixed point (see `KM_SCALE`).
    pub(crate) arc_cost: Vec<i64>,
    /// Per demand: how many more workers it can take.
    pub(crate) cap: Vec<u32>,
    /// Per demand: workers it already has (locked), for the marginal costs.
    pub(crate) base: Vec<u32>,
    /// Per demand: `workers_per_day`.
    pub(crate) per_day: Vec<u32>,
    /// Per demand: priority.
    pub(crate) priority: Vec<u32>,
    /// Whether objective level 2 is on.
    pub(crate) share_shortage: bool,
}

impl Transport {
    pub(crate) fn n_workers(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    /// The units of demand `d` a solve models: its places, but no more than
    /// the workers' number and one. No demand can take more workers than
    /// the date has, and units cost more the later they come, so the first
    /// that can never be used bounds the potentials as all the others would
    /// (the duals and the face stay those of the whole headcount, which a
    /// headcount of a million would otherwise pay for in arcs).
    pub(crate) fn modelled_units(&self, d: usize) -> u32 {
        self.cap[d].min(self.n_workers() as u32 + 1)
    }

    pub(crate) fn n_demands(&self) -> usize {
        self.cap.len()
    }

    /// An empty problem with the same options: no workers, demands or arcs.
    fn clone_demands_empty(&self) -> Transport {
        Transport { share_shortage: self.share_shortage, ..Transport::default() }
    }

    /// A copy with the demands' data and no arcs.
    fn clone_demands(&self) -> Transport {
        Transport {
            start: Vec::new(),
            arc_demand: Vec::new(),
            arc_cost: Vec::new(),
            cap: self.cap.clone(),
            base: self.base.clone(),
            per_day: self.per_day.clone(),
            priority: self.priority.clone(),
            share_shortage: self.share_shortage,
        }
    }

    /// The worker of arc `a` (a binary search over `start`).
    fn arc_worker(&self, a: usize) -> u32 {
        (self.start.partition_point(|&s| s as usize <= a) - 1) as u32
    }

    pub(crate) fn arcs(&self, w: usize) -> std::ops::Range<usize> {
        self.start[w] as usize..self.start[w + 1] as usize
    }
}

/// The optimum of one date.
#[derive(Debug, Clone)]
pub(crate) struct TransportSolution {
    /// Per worker: the arc it is assigned along, or [`NONE`].
    pub(crate) assigned: Vec<u32>,
    /// False when a deadline stopped the search before optimality was proven.
    pub(crate) proven: bool,
}

/// The solve was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cancelled;

/// Which of a date's optimal plans a solve may return. Every one is exact;
/// they differ only in how ties between equally good plans fall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ties {
    /// Any optimum: the date's plan is the answer (problems that split by
    /// date), so the simplex prices in its fastest way.
    Any,
    /// The optima the searches across dates were tuned on: they start from
    /// these plans, and another tie-break moves their results like noise
    /// (BENCHMARKS.md, "The per-date solver").
    Kept,
}

/// How many of its cheapest arcs each worker starts with in
/// [`solve_transport`]; the rest join only if the optimality check asks.
/// Tuned on the county and province presets (see BENCHMARKS.md).
const SPARSE_ARCS: usize = 8;

/// [`SPARSE_ARCS`] for a date started from the previous date's basis, whose
/// plan and tree arcs join the start set too (BENCHMARKS.md, "The per-date
/// solver": 2 beat 1, 3, 4, 8 and 12).
const WARM_SPARSE_ARCS: usize = 2;

/// How many of its most violated arcs a worker offers per round of the check.
const ADD_PER_WORKER: usize = 32;

/// How many of the offered arcs into one demand join per round.
const ADD_PER_DEMAND: usize = 16;

/// Solves one date exactly. Deterministic: it depends only on `t`.
///
/// It first solves on each worker's few cheapest arcs, then checks every
/// other arc against the optimal potentials (a negative reduced cost means
/// the arc could improve the solution), adds the ones that fail, and solves
/// again until none fails: the answer is optimal for the full graph.
///
/// Past `deadline` it stops early with the best plan so far: the simplex
/// keeps a feasible plan at every pivot, so it is sound, but not proven
/// optimal (`proven` is false).
pub(crate) fn solve_transport(
    t: &Transport,
    cancel: Option<&AtomicBool>,
    deadline: Option<Instant>,
) -> Result<TransportSolution, Cancelled> {
    solve_by_region(t, |part| {
        solve_sparse(part, SPARSE_ARCS, Method::Simplex(None, Ties::Kept), cancel, deadline)
    })
}

/// A date's global numbering, to carry a basis from one date to the next.
#[derive(Clone, Copy)]
pub(crate) struct Ids<'a> {
    /// Global index of each local worker, ascending.
    pub(crate) workers: &'a [u32],
    /// Global index of each local demand, ascending.
    pub(crate) demands: &'a [u32],
}

/// [`solve_transport`], started from another date's final basis when one is
/// given (the result is as exact: only the start differs), and returning
/// this date's final basis for the next date. A date that splits into
/// independent regions is solved cold, region by region, and returns none.
pub(crate) fn solve_transport_warm(
    t: &Transport,
    ids: Ids<'_>,
    warm: Option<&WarmBasis>,
    ties: Ties,
    cancel: Option<&AtomicBool>,
    deadline: Option<Instant>,
) -> Result<(TransportSolution, Option<WarmBasis>), Cancelled> {
    let k = if warm.is_some() { WARM_SPARSE_ARCS } else { SPARSE_ARCS };
    let regions = regions(t);
    if regions.len() > 1 {
        return solve_regions_warm(t, &regions, ids, warm, k, ties, cancel, deadline);
    }
    let warm = Warm { ids, basis: warm };
    let (sol, basis) =
        solve_sparse_with(t, k, Method::Simplex(None, ties), Some(warm), cancel, deadline)?;
    Ok((sol, basis))
}

/// The regions of a date, each started from the previous date's basis
/// (restricted to the region's workers and demands, as any warm start is)
/// and solved in parallel; their plans joined, and their final bases joined
/// into one for the next date. The bases share only the merged source/sink,
/// whose tree arc is dropped (it hangs from the root), so the join is a
/// forest and the next warm start's tree stays a tree.
#[allow(clippy::too_many_arguments)]
fn solve_regions_warm(
    t: &Transport,
    regions: &[Region],
    ids: Ids<'_>,
    warm: Option<&WarmBasis>,
    k: usize,
    ties: Ties,
    cancel: Option<&AtomicBool>,
    deadline: Option<Instant>,
) -> Result<(TransportSolution, Option<WarmBasis>), Cancelled> {
    let solved: Vec<Result<(TransportSolution, Option<WarmBasis>), Cancelled>> = regions
        .par_iter()
        .map(|r| {
            let workers: Vec<u32> = r.workers.iter().map(|&w| ids.workers[w as usize]).collect();
            let demands: Vec<u32> = r.demands.iter().map(|&d| ids.demands[d as usize]).collect();
            let warm = Warm { ids: Ids { workers: &workers, demands: &demands }, basis: warm };
            let method = Method::Simplex(None, ties);
            solve_sparse_with(&r.transport, k, method, Some(warm), cancel, deadline)
        })
        .collect();
    let mut out = TransportSolution { assigned: vec![NONE; t.n_workers()], proven: true };
    let mut basis = WarmBasis::default();
    for (r, solved) in regions.iter().zip(solved) {
        let (sol, part) = solved?;
        out.proven &= sol.proven;
        for (local, &a) in sol.assigned.iter().enumerate() {
            if a != NONE {
                out.assigned[r.workers[local] as usize] = r.arcs[a as usize];
            }
        }
        if let Some(part) = part {
            basis.tree.extend(part.tree.into_iter().filter(|&(node, _)| node != NodeKey::St));
            basis.plan.extend(part.plan);
        }
    }
    Ok((out, Some(basis)))
}

/// The warm-start side of [`solve_sparse_with`].
#[derive(Clone, Copy)]
struct Warm<'a> {
    ids: Ids<'a>,
    basis: Option<&'a WarmBasis>,
}

/// Splits the date into its independent regions (connected components of
/// the candidate graph: no worker of one can reach a demand of another),
/// solves them in parallel with `solve`, and joins the plans. The optimum of
/// independent parts is the union of their optima; a date that is one
/// region is solved whole.
fn solve_by_region(
    t: &Transport,
    solve: impl Fn(&Transport) -> Result<TransportSolution, Cancelled> + Sync,
) -> Result<TransportSolution, Cancelled> {
    let regions = regions(t);
    if regions.len() <= 1 {
        return solve(t);
    }
    solve_regions(t, &regions, solve)
}

/// Solves each of `regions` (at least two) with `solve`, in parallel, and
/// joins their plans.
fn solve_regions(
    t: &Transport,
    regions: &[Region],
    solve: impl Fn(&Transport) -> Result<TransportSolution, Cancelled> + Sync,
) -> Result<TransportSolution, Cancelled> {
    let solved: Vec<Result<TransportSolution, Cancelled>> =
        regions.par_iter().map(|r| solve(&r.transport)).collect();
    let mut out = TransportSolution { assigned: vec![NONE; t.n_workers()], proven: true };
    for (r, sol) in regions.iter().zip(solved) {
        let sol = sol?;
        out.proven &= sol.proven;
        for (local, &a) in sol.assigned.iter().enumerate() {
            if a != NONE {
                out.assigned[r.workers[local] as usize] = r.arcs[a as usize];
            }
        }
    }
    Ok(out)
}

/// One independent region of a date.
struct Region {
    /// The region's own problem (local worker and demand indices).
    transport: Transport,
    /// Global worker of each local worker.
    workers: Vec<u32>,
    /// Global demand of each local demand.
    demands: Vec<u32>,
    /// Global arc of each local arc.
    arcs: Vec<u32>,
}

/// The connected components of `t` that have at least one arc, in order of
/// their smallest worker; empty or a single region means "solve it whole".
fn regions(t: &Transport) -> Vec<Region> {
    let (n_w, n_d) = (t.n_workers(), t.n_demands());
    // Union-find over workers, then demands.
    let mut parent: Vec<u32> = (0..(n_w + n_d) as u32).collect();
    fn find(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let up = parent[parent[x as usize] as usize];
            parent[x as usize] = up;
            x = up;
        }
        x
    }
    for w in 0..n_w {
        // Each worker is seen once, so it is still its own root here; its
        // demands' regions join it (one find per arc).
        let x = find(&mut parent, w as u32);
        for a in t.arcs(w) {
            let y = find(&mut parent, (n_w + t.arc_demand[a] as usize) as u32);
            if x != y {
                parent[y as usize] = x;
            }
        }
    }
    // Number the regions with arcs by their first worker.
    let mut region_of_root = vec![NONE; n_w + n_d];
    let mut n_regions = 0u32;
    for w in 0..n_w {
        if !t.arcs(w).is_empty() {
            let root = find(&mut parent, w as u32) as usize;
            if region_of_root[root] == NONE {
                region_of_root[root] = n_regions;
                n_regions += 1;
            }
        }
    }
    if n_regions <= 1 {
        return Vec::new();
    }
    let mut regions: Vec<Region> = (0..n_regions)
        .map(|_| Region {
            transport: Transport { start: vec![0], ..t.clone_demands_empty() },
            workers: Vec::new(),
            demands: Vec::new(),
            arcs: Vec::new(),
        })
        .collect();
    let mut local_demand = vec![NONE; n_d];
    for (d, local) in local_demand.iter_mut().enumerate() {
        let root = find(&mut parent, (n_w + d) as u32) as usize;
        let r = region_of_root[root];
        if r != NONE {
            regions[r as usize].demands.push(d as u32);
            let rt = &mut regions[r as usize].transport;
            *local = rt.cap.len() as u32;
            rt.cap.push(t.cap[d]);
            rt.base.push(t.base[d]);
            rt.per_day.push(t.per_day[d]);
            rt.priority.push(t.priority[d]);
        }
    }
    for w in 0..n_w {
        if t.arcs(w).is_empty() {
            continue;
        }
        let root = find(&mut parent, w as u32) as usize;
        let region = &mut regions[region_of_root[root] as usize];
        region.workers.push(w as u32);
        for a in t.arcs(w) {
            region.transport.arc_demand.push(local_demand[t.arc_demand[a] as usize]);
            region.transport.arc_cost.push(t.arc_cost[a]);
            region.arcs.push(a as u32);
        }
        region.transport.start.push(region.transport.arc_demand.len() as u32);
    }
    regions
}

/// The exact algorithm run on each sparse sub-problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// Successive shortest paths, demand units in value order.
    #[cfg_attr(not(test), allow(dead_code))]
    ShortestPaths,
    /// Primal network simplex, on the given cost width (tests) or on the
    /// fastest one that is exact for the date.
    Simplex(Option<Width>, Ties),
}

fn solve_sparse(
    t: &Transport,
    sparse_arcs: usize,
    method: Method,
    cancel: Option<&AtomicBool>,
    deadline: Option<Instant>,
) -> Result<TransportSolution, Cancelled> {
    solve_sparse_with(t, sparse_arcs, method, None, cancel, deadline).map(|(sol, _)| sol)
}

/// [`solve_sparse`], with a warm start for the simplex: the arcs of the
/// given basis that exist today join the start set, the simplex starts from
/// that basis, and the final basis is returned (simplex only).
fn solve_sparse_with(
    t: &Transport,
    sparse_arcs: usize,
    method: Method,
    warm: Option<Warm<'_>>,
    cancel: Option<&AtomicBool>,
    deadline: Option<Instant>,
) -> Result<(TransportSolution, Option<WarmBasis>), Cancelled> {
    let n_w = t.n_workers();
    let units = Units::new(t);
    let mut keep = vec![false; t.arc_demand.len()];
    let mut by_cost: Vec<u32> = Vec::new();
    for w in 0..n_w {
        let arcs = t.arcs(w);
        if arcs.len() <= sparse_arcs {
            keep[arcs].fill(true);
            continue;
        }
        by_cost.clear();
        by_cost.extend(arcs.map(|a| a as u32));
        by_cost.select_nth_unstable_by_key(sparse_arcs - 1, |&a| (t.arc_cost[a as usize], a));
        for &a in &by_cost[..sparse_arcs] {
            keep[a as usize] = true;
        }
    }
    // A worker's nearest farms are often all taken by others; the arc it
    // takes in a quick greedy plan starts in the sparse set too, so the first
    // round already fills about as many places as the optimum.
    for a in greedy_start(t) {
        keep[a as usize] = true;
    }
    if let Some(basis) = warm.and_then(|w| w.basis.map(|b| (w.ids, b))) {
        for a in warm_arcs(t, basis.0, basis.1) {
            keep[a as usize] = true;
        }
    }
    let mut proven = true;
    let mut out_basis = None;
    let assigned = match method {
        Method::Simplex(force, ties) => {
            let (scale, auto) = Scale::for_date(t, &units);
            let width = force.unwrap_or(auto);
            let rounds = match width {
                Width::I64 => simplex_rounds::<W64>(
                    t, &units, &scale, &mut keep, warm, ties, cancel, deadline,
                )
                .map(|r| (r.assigned, r.proven, r.basis)),
                Width::I128 => simplex_rounds::<i128>(
                    t, &units, &scale, &mut keep, warm, ties, cancel, deadline,
                )
                .map(|r| (r.assigned, r.proven, r.basis)),
                Width::Lexicographic => simplex_rounds::<Cost>(
                    t, &units, &scale, &mut keep, warm, ties, cancel, deadline,
                )
                .map(|r| (r.assigned, r.proven, r.basis)),
            };
            let (assigned, done, basis) = rounds?;
            proven = done;
            out_basis = basis;
            assigned
        }
        Method::ShortestPaths => loop {
            // The sub-problem on the kept arcs, and its arcs' full indices.
            let mut sub = Transport { start: vec![0], ..t.clone_demands() };
            let mut full_arc: Vec<u32> = Vec::new();
            for w in 0..n_w {
                for a in t.arcs(w) {
                    if keep[a] {
                        sub.arc_demand.push(t.arc_demand[a]);
                        sub.arc_cost.push(t.arc_cost[a]);
                        full_arc.push(a as u32);
                    }
                }
                sub.start.push(sub.arc_demand.len() as u32);
            }
            let opt = shortest_paths(&sub, cancel)?;
            let fresh = violated_arcs(t, &keep, &opt.pi);
            if fresh.is_empty() {
                break opt
                    .assigned
                    .iter()
                    .map(|&a| if a == NONE { NONE } else { full_arc[a as usize] })
                    .collect();
            }
            for &a in &fresh {
                keep[a as usize] = true;
            }
        },
    };
    Ok((TransportSolution { assigned, proven }, out_basis))
}

/// The arcs of `t` that `basis` uses (its plan and its tree's candidate
/// arcs) and that exist today.
fn warm_arcs(t: &Transport, ids: Ids<'_>, basis: &WarmBasis) -> Vec<u32> {
    let pairs =
        basis.plan.iter().copied().chain(basis.tree.iter().filter_map(|&(_, arc)| match arc {
            ArcKey::Cand(w, d) => Some((w, d)),
            _ => None,
        }));
    pairs.filter_map(|(gw, gd)| local_arc(t, ids, gw, gd)).collect()
}

/// The arc of `t` from global worker `gw` to global demand `gd`, if any.
fn local_arc(t: &Transport, ids: Ids<'_>, gw: u32, gd: u32) -> Option<u32> {
    let w = ids.workers.binary_search(&gw).ok()?;
    let d = ids.demands.binary_search(&gd).ok()? as u32;
    arc_to(t, w as u32, d)
}

/// The arc of `t` from local worker `w` to local demand `d`, if any (a
/// worker's arcs are sorted by demand).
fn arc_to(t: &Transport, w: u32, d: u32) -> Option<u32> {
    let arcs = t.arcs(w as usize);
    let i = t.arc_demand[arcs.clone()].binary_search(&d).ok()?;
    Some((arcs.start + i) as u32)
}

/// A quick feasible plan to start from: each worker in turn takes, among
/// the demands with an open place, the one of highest priority, nearest
/// first. Returns the arcs taken.
fn greedy_start(t: &Transport) -> Vec<u32> {
    let mut open: Vec<u32> = t.cap.clone();
    let mut out = Vec::new();
    for w in 0..t.n_workers() {
        // The open demand of highest priority, then lowest cost, then
        // first arc (a strict improvement keeps the first of a tie): a
        // plain loop, as this runs over every arc of every date solved.
        let arcs = t.arcs(w);
        let (demands, costs) = (&t.arc_demand[arcs.clone()], &t.arc_cost[arcs.clone()]);
        let mut best: Option<(usize, u32, i64)> = None;
        for (i, (&d, &cost)) in demands.iter().zip(costs).enumerate() {
            if open[d as usize] == 0 {
                continue;
            }
            let p = t.priority[d as usize];
            if best.is_none_or(|(_, bp, bc)| p > bp || (p == bp && cost < bc)) {
                best = Some((arcs.start + i, p, cost));
            }
        }
        if let Some((a, _, _)) = best {
            open[t.arc_demand[a] as usize] -= 1;
            out.push(a as u32);
        }
    }
    out
}

/// What [`simplex_rounds`] ends with.
struct Rounds<C> {
    /// Per worker: its arc in the plan, or [`NONE`].
    assigned: Vec<u32>,
    /// False when the deadline stopped the rounds.
    proven: bool,
    /// The final basis, when a warm start was asked for.
    basis: Option<WarmBasis>,
    /// The final potentials (workers, demands, `ST`, the root).
    pi: Vec<C>,
}

/// The simplex rounds of [`solve_sparse`] on cost type `C`: the assigned
/// arc of each worker, and whether optimality was proven (false when the
/// deadline stopped it).
#[allow(clippy::too_many_arguments)]
fn simplex_rounds<C: SxCost>(
    t: &Transport,
    units: &Units,
    scale: &Scale,
    keep: &mut [bool],
    warm: Option<Warm<'_>>,
    ties: Ties,
    cancel: Option<&AtomicBool>,
    deadline: Option<Instant>,
) -> Result<Rounds<C>, Cancelled> {
    // One simplex for all rounds: arcs that fail the check join the current
    // basis, so each round starts where the last one ended.
    let mut sx = Simplex::<C>::new(t, units, scale, ties);
    // (simplex arc, arc of `t`) of every candidate added: kept per added
    // arc, not per arc of the date, so memory follows the sparse set.
    let mut added: Vec<(u32, u32)> = Vec::new();
    let mut fresh: Vec<u32> = (0..keep.len() as u32).filter(|&a| keep[a as usize]).collect();
    let mut proven = true;
    let mut first = true;
    loop {
        for &a in &fresh {
            let a = a as usize;
            let e = sx.add_candidate(t.arc_worker(a), t.arc_demand[a], t.arc_cost[a]);
            added.push((e, a as u32));
        }
        if first {
            first = false;
            if let Some((ids, basis)) = warm.and_then(|w| w.basis.map(|b| (w.ids, b))) {
                // `added` is sorted by arc of `t` here (one ascending batch).
                let find =
                    |a: u32| added.binary_search_by_key(&a, |&(_, x)| x).ok().map(|i| added[i].0);
                sx.warm_start(
                    basis,
                    |g| ids.workers.binary_search(&g).ok().map(|i| i as u32),
                    |g| ids.demands.binary_search(&g).ok().map(|i| i as u32),
                    |w, d| arc_to(t, w, d).and_then(find),
                );
            }
        }
        if !sx.run(cancel, deadline)? {
            proven = false;
            break;
        }
        fresh = violated_arcs(t, keep, sx.pi());
        if fresh.is_empty() {
            break;
        }
        for &a in &fresh {
            keep[a as usize] = true;
        }
    }
    let mut assigned = vec![NONE; t.n_workers()];
    for &(e, a) in &added {
        if sx.carries_flow(e as usize) {
            assigned[t.arc_worker(a as usize) as usize] = a;
        }
    }
    let basis = warm.map(|w| sx.export(w.ids.workers, w.ids.demands));
    Ok(Rounds { assigned, proven, basis, pi: sx.pi().to_vec() })
}

/// Which plans of a date are optimal at objective levels 1 and 2 (weighted
/// fill, then shortage imbalance), travel ignored: by complementary
/// slackness with one optimal dual of that problem, a plan is optimal
/// exactly when it uses every arc of negative reduced cost, no arc of
/// positive reduced cost, and any of the rest.
pub(crate) struct Face {
    /// Per arc of `t`: -1 in every such plan, 0 free, 1 in none.
    pub(crate) arc: Vec<i8>,
    /// Per worker: -1 assigned in every such plan, 0 free, 1 never.
    pub(crate) worker: Vec<i8>,
    /// Per demand: the fewest and most workers such a plan gives it.
    pub(crate) fill: Vec<(u32, u32)>,
    /// What every such plan gives all demands together: the sum over
    /// demands of priority times workers (level 1 is the same in all).
    pub(crate) weighted: u64,
    /// Per demand: its headcount's dual at level 1 (an optimal dual of
    /// the date's weighted fill), [`crate::bound::fill_upper_bound`]'s
    /// start.
    pub(crate) demand_dual: Vec<f64>,
}

/// The [`Face`] of the date `t`: its optimum with every travel cost zero,
/// on the lexicographic costs (exact), and the sign of every reduced cost
/// under the final potentials.
pub(crate) fn level12_face(t: &Transport) -> Face {
    let mut t0 = t.clone();
    t0.arc_cost.fill(0);
    let units = Units::new(&t0);
    let (scale, width) = Scale::for_date(&t0, &units);
    // A few arcs a worker to start; the optimality check adds the rest.
    let mut keep = vec![false; t0.arc_demand.len()];
    for w in 0..t0.n_workers() {
        let arcs = t0.arcs(w);
        let end = (arcs.start + SPARSE_ARCS).min(arcs.end);
        keep[arcs.start..end].fill(true);
    }
    for a in greedy_start(&t0) {
        keep[a as usize] = true;
    }
    // With no travel cost the weights always fit one i64 (`Scale`), and a
    // scaled cycle has the sign of the lexicographic one, so the scaled
    // problem has the same optimal plans and its duals the same face.
    if width != Width::I64 {
        let r =
            simplex_rounds::<Cost>(&t0, &units, &scale, &mut keep, None, Ties::Kept, None, None)
                .expect("no cancel, no deadline");
        let level1 = |c: Cost| c.fill as f64;
        return face_of(&t0, &units, &r.pi, &r.assigned, |c| c, level1, Cost::ZERO);
    }
    let r = simplex_rounds::<W64>(&t0, &units, &scale, &mut keep, None, Ties::Kept, None, None)
        .expect("no cancel, no deadline");
    // A potential is a simple path's cost, whose share and km parts stay
    // below half a fill unit (`Scale`), so rounding leaves the fill part.
    let level1 = |c: W64| (c.0 as f64 / scale.fill as f64).round();
    face_of(&t0, &units, &r.pi, &r.assigned, |c| W64::from_cost(c, &scale), level1, W64::ZERO)
}

/// The face from the final potentials `pi` of `t0`'s optimum `assigned`
/// (per worker: its arc or [`NONE`]) on cost type `C` (`conv` turns a
/// unit's cost into it).
fn face_of<C: SxCost>(
    t0: &Transport,
    units: &Units,
    pi: &[C],
    assigned: &[u32],
    conv: impl Fn(Cost) -> C,
    level1: impl Fn(C) -> f64,
    zero: C,
) -> Face {
    let n_w = t0.n_workers();
    let st = n_w + t0.n_demands();
    let sign = |rc: C| match rc.cmp(&zero) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    };
    let mut arc = vec![0i8; t0.arc_demand.len()];
    for w in 0..n_w {
        for a in t0.arcs(w) {
            arc[a] = sign(pi[w] - pi[n_w + t0.arc_demand[a] as usize]);
        }
    }
    let worker = (0..n_w).map(|w| sign(pi[st] - pi[w])).collect();
    let fill = (0..t0.n_demands())
        .map(|d| {
            let (mut lo, mut hi) = (0, 0);
            // The units of the simplex: the later ones can never be
            // filled, so no plan of the face has them.
            for k in 1..=t0.modelled_units(d) {
                let rc = conv(units.unit(t0, d, t0.base[d] + k)) + pi[n_w + d] - pi[st];
                match sign(rc) {
                    -1 => {
                        lo += 1;
                        hi += 1;
                    }
                    0 => hi += 1,
                    _ => {}
                }
            }
            (lo, hi)
        })
        .collect();
    let weighted = assigned
        .iter()
        .filter(|&&a| a != NONE)
        .map(|&a| u64::from(t0.priority[t0.arc_demand[a as usize] as usize]))
        .sum();
    // A demand's headcount dual in the weighted fill's unit, by
    // complementary slackness at level 1: its priority less its potential
    // above the source's, at least 0.
    let demand_dual = (0..t0.n_demands())
        .map(|d| (f64::from(t0.priority[d]) - level1(pi[n_w + d] - pi[st])).max(0.0))
        .collect();
    Face { arc, worker, fill, weighted, demand_dual }
}

/// Arcs not kept whose reduced cost under `pi` (workers, then demands) is
/// negative: each could improve the solution. Only the most violated few per
/// worker and per demand join each round, so the graph stays sparse while the
/// check converges; the check ends only when no arc at all is violated.
fn violated_arcs<C: SxCost>(t: &Transport, keep: &[bool], pi: &[C]) -> Vec<u32> {
    let n_w = t.n_workers();
    let mut all: Vec<(u32, C, u32)> = Vec::new();
    let mut violated: Vec<(C, u32)> = Vec::new();
    let (pi_w, pi_d) = pi.split_at(n_w);
    for (w, &pi_w) in pi_w.iter().enumerate() {
        violated.clear();
        // Over the row's slices, without bounds checks in the loop: this
        // scans every arc of the date each round.
        let arcs = t.arcs(w);
        let row = (&keep[arcs.clone()], &t.arc_demand[arcs.clone()], &t.arc_cost[arcs.clone()]);
        for (i, ((&kept, &d), &cost)) in row.0.iter().zip(row.1).zip(row.2).enumerate() {
            if !kept {
                let rc = C::km(cost) + pi_w - pi_d[d as usize];
                if rc < C::ZERO {
                    violated.push((rc, (arcs.start + i) as u32));
                }
            }
        }
        if violated.len() > ADD_PER_WORKER {
            violated.select_nth_unstable(ADD_PER_WORKER - 1);
            violated.truncate(ADD_PER_WORKER);
        }
        all.extend(violated.iter().map(|&(rc, a)| (t.arc_demand[a as usize], rc, a)));
    }
    // Violations crowd into the demands that are short: every worker in
    // range of one sees it. A few arcs per demand are enough to move it.
    all.sort_unstable();
    let mut out = Vec::new();
    for group in all.chunk_by(|x, y| x.0 == y.0) {
        out.extend(group.iter().take(ADD_PER_DEMAND).map(|&(_, _, a)| a));
    }
    out.sort_unstable();
    out
}

/// The optimum: the arc each worker takes (or [`NONE`]) and node potentials
/// (workers, then demands, then `ST`) under which every arc not carrying
/// flow has a non-negative reduced cost `c + pi(u) - pi(v)`.
struct Optimum {
    assigned: Vec<u32>,
    pi: Vec<Cost>,
}

/// Successive shortest paths on every arc of `t`.
fn shortest_paths(t: &Transport, cancel: Option<&AtomicBool>) -> Result<Optimum, Cancelled> {
    let mut solver = Solver::new(t);
    let mut order: Vec<(Cost, u32, u32)> = Vec::new();
    for d in 0..t.n_demands() {
        for k in 1..=t.cap[d] {
            order.push((solver.units.unit(t, d, t.base[d] + k), d as u32, k));
        }
    }
    order.sort_unstable();
    let mut dead = vec![false; t.n_demands()];
    for (i, &(unit, d, _)) in order.iter().enumerate() {
        if i % 256 == 0 && cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(Cancelled);
        }
        if !dead[d as usize] && !solver.add_unit(d as usize, unit) {
            dead[d as usize] = true;
        }
    }
    Ok(Optimum { assigned: solver.assigned, pi: solver.h })
}

/// Per-unit costs of filling demands: `unit(d, k)` is the cost of the k-th
/// worker (1-based, counting locked ones) on demand `d`.
///
/// Level 2 is `-(2(n-k)+1)/n` per unit, a rational; it is stored as an
/// integer rounded at scale `m = 4 h^2`, with `h` the largest headcount of
/// the date. That is exact where it matters: optimality is the absence of a
/// negative cycle, and a simple cycle passes the merged source/sink once, so
/// it compares at most two units. Two different unit values differ by at
/// least `1/(n1 n2) >= 1/h^2`, which the scale turns into at least 4, more
/// than the two roundings (at most 1/2 each) can hide; equal values round
/// equally. So every cycle keeps its sign, and the optimum is the exact one.
pub(crate) struct Units {
    /// Level-2 scale (0 when `share_shortage` is off).
    scale: i128,
}

impl Units {
    pub(crate) fn new(t: &Transport) -> Units {
        if !t.share_shortage {
            return Units { scale: 0 };
        }
        let h = (0..t.n_demands()).filter(|&d| t.cap[d] > 0).map(|d| t.per_day[d]).max();
        let h = i128::from(h.unwrap_or(1));
        Units { scale: 4 * h * h }
    }

    pub(crate) fn unit(&self, t: &Transport, d: usize, k: u32) -> Cost {
        let n = i128::from(t.per_day[d]);
        let k = i128::from(k);
        // -(2(n-k)+1)/n times scale, rounded to the nearest integer.
        let num = (2 * (n - k) + 1) * self.scale;
        let share = -((2 * num + n) / (2 * n));
        Cost { fill: -i64::from(t.priority[d]), share, km: 0 }
    }
}

struct Solver<'a> {
    t: &'a Transport,
    units: Units,
    n_w: usize,
    st: usize,
    /// Potentials of every node: workers, then demands, then `ST`.
    h: Vec<Cost>,
    /// Per worker: assigned arc or NONE.
    assigned: Vec<u32>,
    /// Per demand: arcs assigned to it (small: at most `cap`).
    members: Vec<Vec<u32>>,
    /// Per demand: units filled (on top of `base`).
    fill: Vec<u32>,
    /// Worker of each arc.
    arc_worker: Vec<u32>,
    /// Arcs into demand `d` are `in_arcs[in_start[d]..in_start[d + 1]]`.
    in_start: Vec<u32>,
    in_arcs: Vec<u32>,
    // Dijkstra scratch, reused across searches.
    dist: Vec<Cost>,
    stamp: Vec<u32>,
    done: Vec<u32>,
    /// Per labelled node: the arc (or, for `ST`, the node) toward the target.
    next: Vec<u32>,
    round: u32,
    settled: Vec<u32>,
    heap: BinaryHeap<Reverse<(Cost, u32)>>,
}

impl<'a> Solver<'a> {
    fn new(t: &'a Transport) -> Solver<'a> {
        let n_w = t.n_workers();
        let n_d = t.n_demands();
        let st = n_w + n_d;
        let units = Units::new(t);
        let mut arc_worker = vec![0u32; t.arc_demand.len()];
        let mut in_start = vec![0u32; n_d + 1];
        for w in 0..n_w {
            for a in t.arcs(w) {
                arc_worker[a] = w as u32;
                in_start[t.arc_demand[a] as usize + 1] += 1;
            }
        }
        for d in 0..n_d {
            in_start[d + 1] += in_start[d];
        }
        let mut fill_at = in_start.clone();
        let mut in_arcs = vec![0u32; t.arc_demand.len()];
        for (a, &d) in t.arc_demand.iter().enumerate() {
            in_arcs[fill_at[d as usize] as usize] = a as u32;
            fill_at[d as usize] += 1;
        }
        // Feasible initial potentials for the empty circulation (no unit arcs
        // yet): h(ST) = h(w) = 0 and h(d) = the cheapest arc into d.
        let mut h = vec![Cost::ZERO; st + 1];
        for d in 0..n_d {
            let arcs = &in_arcs[in_start[d] as usize..in_start[d + 1] as usize];
            if let Some(min) = arcs.iter().map(|&a| t.arc_cost[a as usize]).min() {
                h[n_w + d] = Cost::km(min);
            }
        }
        Solver {
            t,
            units,
            n_w,
            st,
            h,
            assigned: vec![NONE; n_w],
            members: vec![Vec::new(); n_d],
            fill: vec![0; n_d],
            arc_worker,
            in_start,
            in_arcs,
            dist: vec![Cost::ZERO; st + 1],
            stamp: vec![0; st + 1],
            done: vec![0; st + 1],
            next: vec![NONE; st + 1],
            round: 0,
            settled: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    fn demand_node(&self, d: usize) -> usize {
        self.n_w + d
    }

    /// Adds the next unit arc of demand `d` (costing `unit`) and restores
    /// optimality. Returns false when the unit stays empty.
    fn add_unit(&mut self, d: usize, unit: Cost) -> bool {
        let node = self.demand_node(d);
        // The cycle ST -> ... -> d -> ST is negative iff the reduced distance
        // from ST to d is below `cut`.
        let cut = self.h[self.st] - self.h[node] - unit;
        if cut <= Cost::ZERO {
            return false;
        }
        match self.search(node, cut) {
            Some(found) => {
                self.update_potentials(found);
                self.augment(d);
                true
            }
            None => {
                self.update_potentials(cut);
                false
            }
        }
    }

    /// Backward Dijkstra: reduced distances *to* `target`, stopping at `ST`
    /// or once every remaining label is at least `cut`.
    fn search(&mut self, target: usize, cut: Cost) -> Option<Cost> {
        self.round += 1;
        self.settled.clear();
        self.heap.clear();
        self.label(target, Cost::ZERO, NONE);
        while let Some(Reverse((g_x, x))) = self.heap.pop() {
            let x = x as usize;
            if self.done[x] == self.round || g_x != self.dist[x] {
                continue;
            }
            if g_x >= cut {
                return None;
            }
            if x == self.st {
                return Some(g_x);
            }
            self.done[x] = self.round;
            self.settled.push(x as u32);
            let h_x = self.h[x];
            if x < self.n_w {
                // Into a worker: from ST when free, else from its demand
                // (the reverse of its arc: it would leave that demand).
                let own = self.assigned[x];
                if own == NONE {
                    let rc = self.h[self.st] - h_x;
                    self.relax(self.st, g_x + rc, x as u32);
                } else {
                    let y = self.demand_node(self.t.arc_demand[own as usize] as usize);
                    let rc = Cost::ZERO - Cost::km(self.t.arc_cost[own as usize]) + self.h[y] - h_x;
                    self.relax(y, g_x + rc, own);
                }
            } else {
                // Into a demand: from every worker not on it, and from ST by
                // emptying its last filled unit.
                let d = x - self.n_w;
                for i in self.in_start[d] as usize..self.in_start[d + 1] as usize {
                    let a = self.in_arcs[i];
                    let y = self.arc_worker[a as usize] as usize;
                    if self.assigned[y] == a {
                        continue;
                    }
                    let rc = Cost::km(self.t.arc_cost[a as usize]) + self.h[y] - h_x;
                    self.relax(y, g_x + rc, a);
                }
                if self.fill[d] > 0 {
                    let last = self.units.unit(self.t, d, self.t.base[d] + self.fill[d]);
                    let rc = Cost::ZERO - last + self.h[self.st] - h_x;
                    self.relax(self.st, g_x + rc, x as u32);
                }
            }
        }
        None
    }

    fn label(&mut self, v: usize, dist: Cost, next: u32) {
        self.stamp[v] = self.round;
        self.dist[v] = dist;
        self.next[v] = next;
        self.heap.push(Reverse((dist, v as u32)));
    }

    fn relax(&mut self, v: usize, dist: Cost, next: u32) {
        if self.done[v] == self.round {
            return;
        }
        if self.stamp[v] != self.round || dist < self.dist[v] {
            self.label(v, dist, next);
        }
    }

    /// h(v) += threshold - dist(v) for every settled node (distances are to
    /// the target): keeps all reduced costs non-negative and makes the
    /// shortest path's arcs tight.
    fn update_potentials(&mut self, threshold: Cost) {
        for &v in &self.settled {
            let v = v as usize;
            self.h[v] = self.h[v] + threshold - self.dist[v];
        }
    }

    /// Flips the path ST -> ... -> target found by the last search, and
    /// fills the target's new unit.
    fn augment(&mut self, target: usize) {
        let first = self.next[self.st] as usize;
        let mut at = first;
        if first >= self.n_w {
            // The path starts by emptying the last unit of demand `first`.
            self.fill[first - self.n_w] -= 1;
        }
        loop {
            if at < self.n_w {
                // A worker takes its arc toward the target.
                let a = self.next[at];
                self.assigned[at] = a;
                let d = self.t.arc_demand[a as usize] as usize;
                self.members[d].push(a);
                if d == target {
                    break;
                }
                at = self.demand_node(d);
            } else {
                // A demand gives one of its workers away.
                let d = at - self.n_w;
                let a = self.next[at];
                self.remove_member(d, a);
                at = self.arc_worker[a as usize] as usize;
            }
        }
        self.fill[target] += 1;
    }

    fn remove_member(&mut self, d: usize, arc: u32) {
        let m = &mut self.members[d];
        let i = m.iter().position(|&x| x == arc).expect("the arc is a member");
        m.swap_remove(i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a transport problem from dense per-worker arc lists.
    fn transport(
        arcs: &[&[(u32, i64)]],
        cap: &[u32],
        per_day: &[u32],
        priority: &[u32],
        share: bool,
    ) -> Transport {
        let mut t = Transport {
            start: vec![0],
            cap: cap.to_vec(),
            base: vec![0; cap.len()],
            per_day: per_day.to_vec(),
            priority: priority.to_vec(),
            share_shortage: share,
            ..Transport::default()
        };
        for ws in arcs {
            for &(d, c) in *ws {
                t.arc_demand.push(d);
                t.arc_cost.push(c);
            }
            t.start.push(t.arc_demand.len() as u32);
        }
        t
    }

    /// Total cost of an assignment, by brute force definitions.
    /// The exact objective of a plan: level 2 as a rational over the lcm of
    /// the headcounts (small in these tests), not the solver's rounding, so
    /// the oracle also checks that the rounding never changes the optimum.
    fn total(t: &Transport, assigned: &[u32]) -> Cost {
        let lcm = t.per_day.iter().fold(1i128, |l, &n| {
            let n = i128::from(n);
            let (mut a, mut b) = (l, n);
            while b != 0 {
                (a, b) = (b, a % b);
            }
            l / a * n
        });
        let mut fill = vec![0u32; t.n_demands()];
        let mut c = Cost::ZERO;
        for &a in assigned {
            if a != NONE {
                let d = t.arc_demand[a as usize] as usize;
                fill[d] += 1;
                let (n, k) = (i128::from(t.per_day[d]), i128::from(t.base[d] + fill[d]));
                let share = if t.share_shortage { -(2 * (n - k) + 1) * (lcm / n) } else { 0 };
                let unit = Cost { fill: -i64::from(t.priority[d]), share, km: 0 };
                c = c + Cost::km(t.arc_cost[a as usize]) + unit;
            }
        }
        c
    }

    /// Every feasible plan (per worker: an arc or none), exhaustively.
    fn plans(t: &Transport) -> Vec<Vec<u32>> {
        fn go(t: &Transport, w: usize, cur: &mut Vec<u32>, out: &mut Vec<Vec<u32>>) {
            if w == t.n_workers() {
                let mut fill = vec![0u32; t.n_demands()];
                for &a in cur.iter().filter(|&&a| a != NONE) {
                    fill[t.arc_demand[a as usize] as usize] += 1;
                }
                if fill.iter().zip(&t.cap).all(|(f, c)| f <= c) {
                    out.push(cur.clone());
                }
                return;
            }
            cur.push(NONE);
            go(t, w + 1, cur, out);
            cur.pop();
            for a in t.arcs(w) {
                cur.push(a as u32);
                go(t, w + 1, cur, out);
                cur.pop();
            }
        }
        let mut out = Vec::new();
        go(t, 0, &mut Vec::new(), &mut out);
        out
    }

    /// The optimum over every feasible plan.
    fn brute(t: &Transport) -> Cost {
        plans(t).iter().map(|p| total(t, p)).min().unwrap()
    }

    /// The face of a date is exactly its set of plans optimal at levels 1
    /// and 2: every feasible plan, enumerated, is in the face if and only
    /// if no plan has a better fill and imbalance.
    #[test]
    fn the_face_is_exactly_the_plans_optimal_at_levels_1_and_2() {
        let mut s = 7u64;
        let mut ties = 0;
        for case in 0..600 {
            let n_w = 1 + (lcg(&mut s) % 5) as usize;
            let n_d = 1 + (lcg(&mut s) % 3) as usize;
            let mut per_worker: Vec<Vec<(u32, i64)>> = vec![Vec::new(); n_w];
            for arcs in &mut per_worker {
                for d in 0..n_d as u32 {
                    if lcg(&mut s) % 3 != 0 {
                        arcs.push((d, (lcg(&mut s) % 40) as i64));
                    }
                }
            }
            let per_day: Vec<u32> = (0..n_d).map(|_| 1 + (lcg(&mut s) % 3) as u32).collect();
            let priority: Vec<u32> = (0..n_d).map(|_| 1 + (lcg(&mut s) % 2) as u32).collect();
            let refs: Vec<&[(u32, i64)]> = per_worker.iter().map(|v| v.as_slice()).collect();
            let t = transport(&refs, &per_day, &per_day, &priority, case % 3 != 0);
            let face = level12_face(&t);
            let all = plans(&t);
            let levels = |p: &[u32]| {
                let c = total(&t, p);
                (c.fill, c.share)
            };
            let best = all.iter().map(|p| levels(p)).min().unwrap();
            assert_eq!(-best.0, face.weighted as i64, "case {case}: {t:?}");
            // The headcount duals are optimal at level 1: the dual's
            // objective (each worker its best priority less a dual, at
            // least 0, plus the duals times the headcounts) is the fill.
            let dual: f64 = (0..t.n_workers())
                .map(|w| {
                    t.arcs(w)
                        .map(|a| {
                            let d = t.arc_demand[a] as usize;
                            f64::from(t.priority[d]) - face.demand_dual[d]
                        })
                        .fold(0.0f64, f64::max)
                })
                .sum::<f64>()
                + (0..t.n_demands())
                    .map(|d| face.demand_dual[d] * f64::from(t.cap[d]))
                    .sum::<f64>();
            assert!((dual - face.weighted as f64).abs() < 1e-9, "case {case}: dual {dual}: {t:?}");
            let mut optimal = 0;
            for p in &all {
                let mut fill = vec![0u32; t.n_demands()];
                let mut inside = true;
                for (w, &a) in p.iter().enumerate() {
                    inside &= face.worker[w] != if a == NONE { -1 } else { 1 };
                    if a != NONE {
                        fill[t.arc_demand[a as usize] as usize] += 1;
                    }
                }
                for a in 0..t.arc_demand.len() {
                    let used = p.contains(&(a as u32));
                    inside &= face.arc[a] != if used { 1 } else { -1 };
                }
                for (d, &f) in fill.iter().enumerate() {
                    inside &= face.fill[d].0 <= f && f <= face.fill[d].1;
                }
                let is_best = levels(p) == best;
                optimal += usize::from(is_best);
                assert_eq!(inside, is_best, "case {case}, plan {p:?}: {t:?}");
            }
            ties += usize::from(optimal > 1);
        }
        // Dates with several optimal plans test the free arcs and ranges.
        assert!(ties >= 100, "only {ties} cases with ties");
    }

    #[test]
    fn nearest_worker_first_is_not_optimal_but_this_is() {
        // Worker 0 is close to both demands, worker 1 only reaches demand 0.
        // Greedy sends worker 0 to demand 0 and leaves demand 1 empty.
        let t = transport(&[&[(0, 1), (1, 5)], &[(0, 3)]], &[1, 1], &[1, 1], &[1, 1], true);
        let s = solve_transport(&t, None, None).unwrap();
        assert_eq!(s.assigned, vec![1, 2]);
        assert_eq!(total(&t, &s.assigned), brute(&t));
    }

    #[test]
    fn displacement_frees_a_worker_when_cheaper() {
        // One slot; the second worker is nearer and must replace the first.
        let t = transport(&[&[(0, 9)], &[(0, 2)]], &[1], &[1], &[1], true);
        let s = solve_transport(&t, None, None).unwrap();
        assert_eq!(s.assigned, vec![NONE, 1]);
    }

    #[test]
    fn shortage_is_shared() {
        // Two demands of 2, three workers who reach both at equal cost: the
        // balanced split 2+1 beats nothing; with sharing off any split is ok.
        let arcs: &[&[(u32, i64)]] = &[&[(0, 1), (1, 1)], &[(0, 1), (1, 1)], &[(0, 1), (1, 1)]];
        let t = transport(arcs, &[2, 2], &[2, 2], &[1, 1], true);
        let s = solve_transport(&t, None, None).unwrap();
        assert_eq!(s.assigned.iter().filter(|&&a| a != NONE).count(), 3);
        // Four demands of 1 and 4 vs one of 4: share gives each at least one.
        let arcs: &[&[(u32, i64)]] = &[&[(0, 1), (1, 5)], &[(0, 1), (1, 5)]];
        let t = transport(arcs, &[2, 1], &[2, 1], &[1, 1], true);
        let s = solve_transport(&t, None, None).unwrap();
        let mut fill = [0, 0];
        for &a in &s.assigned {
            fill[t.arc_demand[a as usize] as usize] += 1;
        }
        // (2-1)^2/2 + 0 = 0.5 beats (2-2)^2/2 + 1 = 1, despite 4 km more.
        assert_eq!(fill, [1, 1]);
        assert_eq!(total(&t, &s.assigned), brute(&t));
    }

    #[test]
    fn a_date_with_no_worker_or_no_unit_solves_to_nothing() {
        // Regression: the simplex priced an empty arc range.
        let t = transport(&[], &[], &[], &[], true);
        assert!(solve_transport(&t, None, None).unwrap().assigned.is_empty());
        let t = transport(&[&[]], &[2], &[2], &[1], true);
        assert_eq!(solve_transport(&t, None, None).unwrap().assigned, vec![NONE]);
    }

    #[test]
    fn priority_wins_over_distance() {
        let t = transport(&[&[(0, 1), (1, 1000)]], &[1, 1], &[1, 1], &[1, 3], true);
        let s = solve_transport(&t, None, None).unwrap();
        assert_eq!(t.arc_demand[s.assigned[0] as usize], 1);
    }

    /// Costs so large that the old bound on potentials, `(2 f + 1) w1`,
    /// needed `i128`, while every cycle's cost and every potential fits an
    /// `i64`: `Scale::for_date` picks wrapping `i64` ([`W64`]) and the plans
    /// are still the exact optimum.
    #[test]
    fn costs_near_the_i64_limit_give_the_exact_optimum() {
        let mut s = 7u64;
        let mut compared = 0;
        for case in 0..400 {
            let n_w = 2 + (lcg(&mut s) % 5) as usize;
            let n_d = 1 + (lcg(&mut s) % 4) as usize;
            let share = case % 3 == 0;
            let per_day: Vec<u32> = (0..n_d).map(|_| 1 + (lcg(&mut s) % 3) as u32).collect();
            // The largest arc cost that leaves `(f + 2) w1` just inside an
            // i64, with f = 100 and the shortage share's weight.
            let n = n_w.min(n_d) as i64;
            let h = i64::from(*per_day.iter().max().unwrap());
            let s_max = if share { 4 * h * h * 2 } else { 0 };
            let k = i64::MAX / 102 / (2 * s_max + 2) / (2 * n + 2) * 9 / 10;
            let mut per_worker: Vec<Vec<(u32, i64)>> = Vec::new();
            for _ in 0..n_w {
                let mut v = Vec::new();
                for d in 0..n_d as u32 {
                    if lcg(&mut s) % 3 != 0 {
                        v.push((d, (lcg(&mut s) % 1000) as i64 * (k / 1000) - k / 5));
                    }
                }
                per_worker.push(v);
            }
            per_worker[0].push((0, k));
            per_worker[0].sort_unstable_by_key(|a| a.0);
            per_worker[0].dedup_by_key(|a| a.0);
            let priority: Vec<u32> = (0..n_d).map(|d| [1, 100, 3][d % 3]).collect();
            let refs: Vec<&[(u32, i64)]> = per_worker.iter().map(|v| v.as_slice()).collect();
            let t = transport(&refs, &per_day, &per_day, &priority, share);
            let units = Units::new(&t);
            let (scale, width) = Scale::for_date(&t, &units);
            if width != Width::I64
                || scale.fill.checked_mul(504).is_none_or(|v| v < i128::from(i64::MAX))
            {
                continue;
            }
            compared += 1;
            let want = brute(&t);
            let sol = solve_sparse(&t, 1, Method::Simplex(None, Ties::Kept), None, None).unwrap();
            assert_eq!(total(&t, &sol.assigned), want, "case {case}: {t:?}");
            // The potentials (here of the same optimum on i128) are path
            // costs: within `(f + 1) w1`, as `Scale` says.
            let mut keep = vec![true; t.arc_demand.len()];
            let wide =
                simplex_rounds::<i128>(&t, &units, &scale, &mut keep, None, Ties::Kept, None, None);
            let limit = 101 * scale.fill;
            let pi = wide.unwrap().pi;
            assert!(pi.iter().all(|p| p.abs() < limit), "case {case}: {pi:?} against {limit}");
        }
        assert!(compared > 100, "only {compared} cases in the regime");
    }

    /// A tiny deterministic generator (no dependency needed for this oracle).
    fn lcg(state: &mut u64) -> u64 {
        *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        *state >> 33
    }

    #[test]
    fn matches_brute_force_on_random_tiny_instances() {
        let mut s = 42u64;
        let mut split = 0;
        for case in 0..2000 {
            let n_w = 1 + (lcg(&mut s) % 6) as usize;
            let n_d = 1 + (lcg(&mut s) % 4) as usize;
            let mut per_worker: Vec<Vec<(u32, i64)>> = Vec::new();
            for _ in 0..n_w {
                let mut v = Vec::new();
                for d in 0..n_d as u32 {
                    if lcg(&mut s) % 3 != 0 {
                        // Negative costs model bonuses larger than the distance.
                        v.push((d, (lcg(&mut s) % 40) as i64 - 8));
                    }
                }
                per_worker.push(v);
            }
            // Headcounts up to 7 give level-2 values that differ by as
            // little as 1/42, to test the rounding of `Units`.
            let h_max = if case % 2 == 0 { 3 } else { 7 };
            let per_day: Vec<u32> = (0..n_d).map(|_| 1 + (lcg(&mut s) % h_max) as u32).collect();
            let base: Vec<u32> = per_day.iter().map(|&n| (lcg(&mut s) % 2) as u32 % n).collect();
            let cap: Vec<u32> = per_day.iter().zip(&base).map(|(n, b)| n - b).collect();
            let priority: Vec<u32> = (0..n_d).map(|_| 1 + (lcg(&mut s) % 3) as u32).collect();
            let refs: Vec<&[(u32, i64)]> = per_worker.iter().map(|v| v.as_slice()).collect();
            let mut t = transport(&refs, &cap, &per_day, &priority, case % 4 != 0);
            t.base = base;
            let want = brute(&t);
            // The same date split into its independent regions.
            split += usize::from(regions(&t).len() > 1);
            let by_region = solve_by_region(&t, |part| {
                solve_sparse(part, 1, Method::Simplex(None, Ties::Kept), None, None)
            })
            .unwrap();
            assert_eq!(total(&t, &by_region.assigned), want, "regions, case {case}: {t:?}");
            for method in [
                Method::ShortestPaths,
                Method::Simplex(None, Ties::Kept),
                Method::Simplex(None, Ties::Any),
                Method::Simplex(Some(Width::I64), Ties::Kept),
                Method::Simplex(Some(Width::I128), Ties::Any),
                Method::Simplex(Some(Width::Lexicographic), Ties::Kept),
            ] {
                let sol = solve_sparse(&t, usize::MAX, method, None, None).unwrap();
                assert_eq!(total(&t, &sol.assigned), want, "{method:?}, case {case}: {t:?}");
                // Starting from one arc per worker, the optimality check must
                // bring back every arc the optimum needs.
                let sol = solve_sparse(&t, 1, method, None, None).unwrap();
                assert_eq!(total(&t, &sol.assigned), want, "sparse {method:?}, {case}: {t:?}");
            }
        }
        // The region split must have been exercised, not just the whole solve.
        assert!(split >= 50, "only {split} cases split into regions");
    }

    /// A run that reaches its pivot cap stops as one past its deadline
    /// does: with a feasible plan, not proven optimal. The same simplex,
    /// uncapped, then ends at the optimum.
    #[test]
    fn the_pivot_cap_stops_a_run_with_a_feasible_plan() {
        let mut s = 5u64;
        let mut stopped = 0;
        for case in 0..300 {
            let n_w = 2 + (lcg(&mut s) % 5) as usize;
            let n_d = 1 + (lcg(&mut s) % 3) as usize;
            let mut per_worker: Vec<Vec<(u32, i64)>> = vec![Vec::new(); n_w];
            for arcs in &mut per_worker {
                for d in 0..n_d as u32 {
                    if lcg(&mut s) % 4 != 0 {
                        arcs.push((d, (lcg(&mut s) % 40) as i64));
                    }
                }
            }
            let per_day: Vec<u32> = (0..n_d).map(|_| 1 + (lcg(&mut s) % 3) as u32).collect();
            let priority: Vec<u32> = (0..n_d).map(|_| 1 + (lcg(&mut s) % 3) as u32).collect();
            let refs: Vec<&[(u32, i64)]> = per_worker.iter().map(|v| v.as_slice()).collect();
            let t = transport(&refs, &per_day, &per_day, &priority, case % 2 == 0);
            let units = Units::new(&t);
            let (scale, _) = Scale::for_date(&t, &units);
            let mut sx = Simplex::<Cost>::new(&t, &units, &scale, Ties::Kept);
            let arcs: Vec<u32> = (0..t.arc_demand.len())
                .map(|a| sx.add_candidate(t.arc_worker(a), t.arc_demand[a], t.arc_cost[a]))
                .collect();
            let plan = |sx: &Simplex<Cost>| {
                let mut assigned = vec![NONE; t.n_workers()];
                for (a, &e) in arcs.iter().enumerate() {
                    if sx.carries_flow(e as usize) {
                        let w = t.arc_worker(a) as usize;
                        assert_eq!(assigned[w], NONE, "case {case}: worker {w} twice");
                        assigned[w] = a as u32;
                    }
                }
                let mut filled = vec![0u32; t.n_demands()];
                for &a in assigned.iter().filter(|&&a| a != NONE) {
                    filled[t.arc_demand[a as usize] as usize] += 1;
                }
                assert!(filled.iter().zip(&t.cap).all(|(f, c)| f <= c), "case {case}: {t:?}");
                assigned
            };
            sx.set_max_pivots(1);
            if !sx.run(None, None).unwrap() {
                stopped += 1;
            }
            plan(&sx);
            sx.set_max_pivots(u64::MAX);
            assert!(sx.run(None, None).unwrap(), "case {case}");
            assert_eq!(total(&t, &plan(&sx)), brute(&t), "case {case}: {t:?}");
        }
        assert!(stopped >= 100, "only {stopped} runs reached the cap");
    }

    /// A chain of dates over a pool of workers and demands, each date with
    /// a random subset of both (in global numbering, ascending), pair costs
    /// fixed across dates and a few changed, like consecutive real dates.
    fn chain(
        s: &mut u64,
        dates: usize,
        pool_w: u32,
        pool_d: u32,
    ) -> Vec<(Transport, Vec<u32>, Vec<u32>)> {
        let cost: Vec<i64> = (0..pool_w * pool_d).map(|_| (lcg(s) % 40) as i64 - 8).collect();
        let reach: Vec<bool> = (0..pool_w * pool_d).map(|_| lcg(s) % 3 != 0).collect();
        let per_day: Vec<u32> = (0..pool_d).map(|_| 1 + (lcg(s) % 4) as u32).collect();
        let priority: Vec<u32> = (0..pool_d).map(|_| 1 + (lcg(s) % 3) as u32).collect();
        let share = lcg(s) % 4 != 0;
        let mut out = Vec::new();
        for _ in 0..dates {
            let workers: Vec<u32> = (0..pool_w).filter(|_| lcg(s) % 5 != 0).collect();
            let demands: Vec<u32> = (0..pool_d).filter(|_| lcg(s) % 5 != 0).collect();
            let mut t = Transport { start: vec![0], share_shortage: share, ..Transport::default() };
            for &d in &demands {
                let base = (lcg(s) % 4 == 0) as u32 % per_day[d as usize];
                t.per_day.push(per_day[d as usize]);
                t.base.push(base);
                t.cap.push(per_day[d as usize] - base);
                t.priority.push(priority[d as usize]);
            }
            for &w in &workers {
                for (ld, &d) in demands.iter().enumerate() {
                    let pair = (w * pool_d + d) as usize;
                    if reach[pair] {
                        t.arc_demand.push(ld as u32);
                        let c = if lcg(s) % 8 == 0 { (lcg(s) % 40) as i64 - 8 } else { cost[pair] };
                        t.arc_cost.push(c);
                    }
                }
                t.start.push(t.arc_demand.len() as u32);
            }
            out.push((t, workers, demands));
        }
        out
    }

    #[test]
    fn warm_starts_from_the_previous_date_match_brute_force() {
        let mut s = 7u64;
        let mut warm_used = 0;
        for case in 0..300 {
            let dates = chain(&mut s, 6, 6, 4);
            let width =
                [None, Some(Width::I64), Some(Width::I128), Some(Width::Lexicographic)][case % 4];
            let ties = if case % 3 == 0 { Ties::Any } else { Ties::Kept };
            let sparse = if case % 2 == 0 { 1 } else { usize::MAX };
            let mut basis: Option<WarmBasis> = None;
            for (i, (t, workers, demands)) in dates.iter().enumerate() {
                let ids = Ids { workers, demands };
                warm_used += usize::from(basis.as_ref().is_some_and(|b| !b.tree.is_empty()));
                let warm = Warm { ids, basis: basis.as_ref() };
                let (sol, next) = solve_sparse_with(
                    t,
                    sparse,
                    Method::Simplex(width, ties),
                    Some(warm),
                    None,
                    None,
                )
                .unwrap();
                assert_eq!(total(t, &sol.assigned), brute(t), "case {case}, date {i}: {t:?}");
                basis = next;
            }
        }
        assert!(warm_used >= 1000, "only {warm_used} dates started warm");
    }

    #[test]
    fn warm_starts_match_cold_solves_on_larger_chains() {
        let mut s = 11u64;
        let mut warm_used = 0;
        for case in 0..40 {
            let dates = chain(&mut s, 8, 60, 25);
            let mut basis: Option<WarmBasis> = None;
            for (i, (t, workers, demands)) in dates.iter().enumerate() {
                let ids = Ids { workers, demands };
                warm_used += usize::from(basis.as_ref().is_some_and(|b| !b.tree.is_empty()));
                // Warm with the faster pricing, cold with the other: two
                // pricing blocks (these dates have 1,000 arcs or so).
                let (sol, next) =
                    solve_transport_warm(t, ids, basis.as_ref(), Ties::Any, None, None).unwrap();
                let cold = solve_transport(t, None, None).unwrap();
                assert_eq!(
                    total(t, &sol.assigned),
                    total(t, &cold.assigned),
                    "case {case}, date {i}"
                );
                assert!(sol.proven);
                basis = next;
            }
        }
        assert!(warm_used >= 200, "only {warm_used} dates started warm");
    }

    /// Two chains side by side on disjoint pools (`b`'s workers and demands
    /// numbered after `a`'s pools): every date has at least two regions.
    fn side_by_side(
        a: Vec<(Transport, Vec<u32>, Vec<u32>)>,
        b: Vec<(Transport, Vec<u32>, Vec<u32>)>,
        pool_w: u32,
        pool_d: u32,
    ) -> Vec<(Transport, Vec<u32>, Vec<u32>)> {
        a.into_iter()
            .zip(b)
            .map(|((ta, wa, da), (tb, wb, db))| {
                let mut t = ta.clone();
                let n_d = ta.n_demands() as u32;
                t.cap.extend(&tb.cap);
                t.base.extend(&tb.base);
                t.per_day.extend(&tb.per_day);
                t.priority.extend(&tb.priority);
                for w in 0..tb.n_workers() {
                    for arc in tb.arcs(w) {
                        t.arc_demand.push(tb.arc_demand[arc] + n_d);
                        t.arc_cost.push(tb.arc_cost[arc]);
                    }
                    t.start.push(t.arc_demand.len() as u32);
                }
                let mut workers = wa;
                workers.extend(wb.iter().map(|&w| w + pool_w));
                let mut demands = da;
                demands.extend(db.iter().map(|&d| d + pool_d));
                (t, workers, demands)
            })
            .collect()
    }

    #[test]
    fn warm_starts_of_dates_in_regions_match_brute_force_and_cold_solves() {
        let mut s = 13u64;
        let (mut split, mut warm_used) = (0, 0);
        for case in 0..120 {
            let small = case % 2 == 0;
            let (pw, pd) = if small { (3, 2) } else { (40, 15) };
            let a = chain(&mut s, 6, pw, pd);
            let b = chain(&mut s, 6, pw, pd);
            let mut basis: Option<WarmBasis> = None;
            for (i, (t, workers, demands)) in side_by_side(a, b, pw, pd).iter().enumerate() {
                split += usize::from(regions(t).len() > 1);
                warm_used += usize::from(basis.as_ref().is_some_and(|b| !b.tree.is_empty()));
                let ids = Ids { workers, demands };
                let ties = if case % 4 < 2 { Ties::Any } else { Ties::Kept };
                let (sol, next) =
                    solve_transport_warm(t, ids, basis.as_ref(), ties, None, None).unwrap();
                let want = if small {
                    brute(t)
                } else {
                    total(t, &solve_transport(t, None, None).unwrap().assigned)
                };
                assert_eq!(total(t, &sol.assigned), want, "case {case}, date {i}: {t:?}");
                assert!(sol.proven);
                basis = next;
            }
        }
        assert!(split >= 300, "only {split} dates split into regions");
        assert!(warm_used >= 300, "only {warm_used} dates started warm");
    }
}
