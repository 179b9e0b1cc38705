//! Primal network simplex for one date's circulation, with lexicographic
//! [`Cost`]s. The tree bookkeeping (parent, thread, last successor, the
//! strongly feasible leaving-arc rule that prevents cycling, and block-search
//! pricing) follows LEMON's `NetworkSimplex`, a standard of the field.
//!
//! The network: workers, demands and the merged source/sink `ST`; arcs
//! `ST -> w` (one per worker), `w -> d` (the candidates) and one `d -> ST`
//! arc per unit of each demand, costing that unit's marginal. Every arc has
//! capacity 1. An artificial root with a zero-cost arc from every node makes
//! the first basis; no circulation can use those arcs, as they all end at
//! the root.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::flow::{Cancelled, Scale, SxCost, Ties, Transport, Units, NONE};

const UP: i8 = 1;
const DOWN: i8 = -1;
const TREE: i8 = 0;
const LOWER: i8 = 1;
const UPPER: i8 = -1;
/// Capacity of the artificial arcs.
const INF: i32 = i32::MAX;
/// Pivots one [`Simplex::run`] may take: [`MIN_PIVOTS`] and
/// [`PIVOTS_PER_ARC`] for each arc. The strongly feasible tree rules out
/// cycling and no date measured comes near (a cold national date takes
/// about 3 pivots an arc), so reaching it means a bug; `run` then stops as
/// at a deadline, with the feasible plan it holds, not proven optimal,
/// instead of never ending.
const MIN_PIVOTS: u64 = 1_000_000;
const PIVOTS_PER_ARC: u64 = 100;

impl<C: SxCost> Simplex<C> {
    /// The network of `t` without candidate arcs, at its first basis.
    pub(crate) fn new(t: &Transport, units: &Units, scale: &Scale, ties: Ties) -> Simplex<C> {
        let n_w = t.n_workers();
        let n_d = t.n_demands();
        let st = (n_w + n_d) as u32;
        let n = n_w + n_d + 1;
        let root = n as u32;
        let mut s = Simplex {
            source: Vec::new(),
            target: Vec::new(),
            cost: Vec::new(),
            cap: Vec::new(),
            flow: Vec::new(),
            state: Vec::new(),
            pi: vec![C::ZERO; n + 1],
            parent: vec![0; n + 1],
            pred: vec![0; n + 1],
            pred_dir: vec![UP; n + 1],
            thread: vec![0; n + 1],
            rev_thread: vec![0; n + 1],
            succ_num: vec![1; n + 1],
            last_succ: vec![0; n + 1],
            dirty_revs: Vec::new(),
            n_w,
            unit_first: Vec::with_capacity(n_d + 1),
            first_real: n,
            next_arc: n,
            in_arc: 0,
            join: 0,
            u_in: 0,
            v_in: 0,
            u_out: 0,
            delta: 0,
            ties,
            max_pivots: None,
        };
        // The first basis: every node hangs from the root by an artificial
        // arc (arcs 0..n, never priced: no circulation can use them).
        for u in 0..n {
            s.push_fixed(u as u32, root, C::ZERO, INF, TREE);
            s.parent[u] = root;
            s.pred[u] = u as u32;
            s.pred_dir[u] = UP;
            s.thread[u] = u as u32 + 1;
            s.rev_thread[u + 1] = u as u32;
            s.last_succ[u] = u as u32;
        }
        s.parent[n] = NONE;
        s.pred[n] = NONE;
        s.thread[n] = 0;
        s.rev_thread[0] = root;
        s.succ_num[n] = n as u32 + 1;
        s.last_succ[n] = root - 1;
        for w in 0..n_w {
            s.push_fixed(st, w as u32, C::ZERO, 1, LOWER);
        }
        for d in 0..n_d {
            s.unit_first.push(s.source.len() as u32);
            for k in 1..=t.modelled_units(d) {
                let cost = C::from_cost(units.unit(t, d, t.base[d] + k), scale);
                s.push_fixed((n_w + d) as u32, st, cost, 1, LOWER);
            }
        }
        s.unit_first.push(s.source.len() as u32);
        s
    }

    /// Adds an arc of the fixed network (artificial, source or unit arc);
    /// they all come before the candidates.
    fn push_fixed(&mut self, from: u32, to: u32, cost: C, cap: i32, state: i8) {
        self.push_arc(from, to, cost, cap, state);
    }

    fn push_arc(&mut self, from: u32, to: u32, cost: C, cap: i32, state: i8) -> usize {
        self.source.push(from);
        self.target.push(to);
        self.cost.push(cost);
        self.cap.push(cap);
        self.flow.push(0);
        self.state.push(state);
        self.source.len() - 1
    }

    /// Adds the candidate arc worker -> local demand, empty; the basis stays
    /// feasible. Returns its index.
    pub(crate) fn add_candidate(&mut self, worker: u32, demand: u32, km_cost: i64) -> u32 {
        let to = self.n_w as u32 + demand;
        self.push_arc(worker, to, C::km(km_cost), 1, LOWER) as u32
    }

    /// Pivots until no arc has a negative reduced cost (returns true) or
    /// until `deadline` or the pivot cap (returns false; the flow is
    /// feasible at every pivot).
    pub(crate) fn run(
        &mut self,
        cancel: Option<&AtomicBool>,
        deadline: Option<Instant>,
    ) -> Result<bool, Cancelled> {
        let m = self.source.len();
        let root = (m.saturating_sub(self.first_real) as f64).sqrt();
        let block = (match self.ties {
            // LEMON's block; the searches across dates were tuned on the
            // optima it returns.
            Ties::Kept => root,
            // A third of it is faster now that most of a pivot's work is
            // the pricing (BENCHMARKS.md, "The per-date solver").
            Ties::Any => root / 3.0,
        } as usize)
            .max(10);
        let max_pivots = self.max_pivots.unwrap_or(MIN_PIVOTS + PIVOTS_PER_ARC * m as u64);
        let mut pivots = 0u64;
        loop {
            pivots += 1;
            if pivots > max_pivots {
                self.normalize_potentials();
                return Ok(false);
            }
            if pivots % 1024 == 0 {
                if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
                    return Err(Cancelled);
                }
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    self.normalize_potentials();
                    return Ok(false);
                }
            }
            match self.find_entering_arc(block) {
                Some(e) => self.in_arc = e,
                None => {
                    self.normalize_potentials();
                    return Ok(true);
                }
            }
            self.find_join_node();
            let change = self.find_leaving_arc();
            self.change_flow(change);
            if change {
                self.update_tree_structure();
                self.update_potential();
            }
        }
    }

    /// Sets the pivots a run may take (tests of the cap).
    #[cfg(test)]
    pub(crate) fn set_max_pivots(&mut self, pivots: u64) {
        self.max_pivots = Some(pivots);
    }

    /// Node potentials: workers, then demands, then `ST` (then the root).
    /// Each is the cost of its tree path from the root, whose own is zero.
    pub(crate) fn pi(&self) -> &[C] {
        &self.pi
    }

    pub(crate) fn carries_flow(&self, arc: usize) -> bool {
        self.flow[arc] > 0
    }
}

/// A network simplex over one date's network; candidate arcs can be added
/// between runs (the basis stays feasible, so each run warm-starts).
pub(crate) struct Simplex<C> {
    source: Vec<u32>,
    target: Vec<u32>,
    cost: Vec<C>,
    cap: Vec<i32>,
    flow: Vec<i32>,
    state: Vec<i8>,
    pi: Vec<C>,
    parent: Vec<u32>,
    pred: Vec<u32>,
    pred_dir: Vec<i8>,
    thread: Vec<u32>,
    rev_thread: Vec<u32>,
    succ_num: Vec<u32>,
    last_succ: Vec<u32>,
    dirty_revs: Vec<u32>,
    n_w: usize,
    /// Per demand: its first unit arc (and one past the last demand's).
    unit_first: Vec<u32>,
    /// Arcs before this index are artificial and never priced.
    first_real: usize,
    next_arc: usize,
    in_arc: usize,
    join: u32,
    u_in: u32,
    v_in: u32,
    u_out: u32,
    delta: i32,
    /// Which optimum the pricing may steer to (it sets the block size).
    ties: Ties,
    /// Pivots a run may take, when not the default (tests).
    max_pivots: Option<u64>,
}

fn signed<C: SxCost>(sign: i8, c: C) -> C {
    if sign >= 0 {
        c
    } else {
        C::ZERO - c
    }
}

impl<C: SxCost> Simplex<C> {
    fn cost(&self, e: usize) -> C {
        self.cost[e]
    }

    /// Block search: the most negative reduced cost in the first block (from
    /// where the last search stopped) that has a negative one.
    ///
    /// This loop is most of the solve's time, so it is branch-free: an arc's
    /// state (+1 at lower bound, -1 at upper, 0 in the tree) multiplies its
    /// reduced cost, so tree arcs score 0 and never win.
    fn find_entering_arc(&mut self, block: usize) -> Option<usize> {
        let (lo, m) = (self.first_real, self.source.len());
        if lo == m {
            return None;
        }
        let total = m - lo;
        let mut start = self.next_arc.clamp(lo, m - 1);
        let mut searched = 0;
        let mut min = C::ZERO;
        let mut best = usize::MAX;
        let pi = &self.pi;
        while searched < total {
            let end = (start + block.min(total - searched)).min(m);
            let arcs = self.source[start..end]
                .iter()
                .zip(&self.target[start..end])
                .zip(&self.cost[start..end])
                .zip(&self.state[start..end]);
            for (i, (((&u, &v), &c), &state)) in arcs.enumerate() {
                let rc = (c + pi[u as usize] - pi[v as usize]).times(state);
                if rc < min {
                    min = rc;
                    best = start + i;
                }
            }
            searched += end - start;
            start = if end == m { lo } else { end };
            if best != usize::MAX {
                self.next_arc = start;
                return Some(best);
            }
        }
        self.next_arc = start;
        None
    }

    fn find_join_node(&mut self) {
        let mut u = self.source[self.in_arc];
        let mut v = self.target[self.in_arc];
        while u != v {
            if self.succ_num[u as usize] < self.succ_num[v as usize] {
                u = self.parent[u as usize];
            } else {
                v = self.parent[v as usize];
            }
        }
        self.join = u;
    }

    /// The leaving arc by the strongly feasible rule; false when the
    /// entering arc itself is the bottleneck (it just flips bound).
    fn find_leaving_arc(&mut self) -> bool {
        let (first, second) = if self.state[self.in_arc] == LOWER {
            (self.source[self.in_arc], self.target[self.in_arc])
        } else {
            (self.target[self.in_arc], self.source[self.in_arc])
        };
        self.delta = self.cap[self.in_arc];
        let mut result = 0;
        let mut u = first;
        while u != self.join {
            let e = self.pred[u as usize] as usize;
            let mut d = self.flow[e];
            if self.pred_dir[u as usize] == DOWN {
                d = if self.cap[e] == INF { INF } else { self.cap[e] - d };
            }
            if d < self.delta {
                self.delta = d;
                self.u_out = u;
                result = 1;
            }
            u = self.parent[u as usize];
        }
        let mut u = second;
        while u != self.join {
            let e = self.pred[u as usize] as usize;
            let mut d = self.flow[e];
            if self.pred_dir[u as usize] == UP {
                d = if self.cap[e] == INF { INF } else { self.cap[e] - d };
            }
            if d <= self.delta {
                self.delta = d;
                self.u_out = u;
                result = 2;
            }
            u = self.parent[u as usize];
        }
        if result == 1 {
            self.u_in = first;
            self.v_in = second;
        } else {
            self.u_in = second;
            self.v_in = first;
        }
        result != 0
    }

    fn change_flow(&mut self, change: bool) {
        if self.delta > 0 {
            let val = i32::from(self.state[self.in_arc]) * self.delta;
            self.flow[self.in_arc] += val;
            let mut u = self.source[self.in_arc];
            while u != self.join {
                let e = self.pred[u as usize] as usize;
                self.flow[e] -= i32::from(self.pred_dir[u as usize]) * val;
                u = self.parent[u as usize];
            }
            let mut u = self.target[self.in_arc];
            while u != self.join {
                let e = self.pred[u as usize] as usize;
                self.flow[e] += i32::from(self.pred_dir[u as usize]) * val;
                u = self.parent[u as usize];
            }
        }
        if change {
            self.state[self.in_arc] = TREE;
            let out = self.pred[self.u_out as usize] as usize;
            self.state[out] = if self.flow[out] == 0 { LOWER } else { UPPER };
        } else {
            self.state[self.in_arc] = -self.state[self.in_arc];
        }
    }

    fn update_tree_structure(&mut self) {
        let u_in = self.u_in as usize;
        let v_in = self.v_in as usize;
        let u_out = self.u_out as usize;
        let old_rev_thread = self.rev_thread[u_out] as usize;
        let old_succ_num = self.succ_num[u_out];
        let old_last_succ = self.last_succ[u_out] as usize;
        let v_out = self.parent[u_out] as usize;
        let in_arc = self.in_arc;

        if u_in == u_out {
            self.parent[u_in] = v_in as u32;
            self.pred[u_in] = in_arc as u32;
            self.pred_dir[u_in] = if u_in as u32 == self.source[in_arc] { UP } else { DOWN };
            if self.thread[v_in] as usize != u_out {
                let mut after = self.thread[old_last_succ] as usize;
                self.thread[old_rev_thread] = after as u32;
                self.rev_thread[after] = old_rev_thread as u32;
                after = self.thread[v_in] as usize;
                self.thread[v_in] = u_out as u32;
                self.rev_thread[u_out] = v_in as u32;
                self.thread[old_last_succ] = after as u32;
                self.rev_thread[after] = old_last_succ as u32;
            }
        } else {
            let thread_continue = if old_rev_thread == v_in {
                self.thread[old_last_succ] as usize
            } else {
                self.thread[v_in] as usize
            };
            let mut stem = u_in;
            let mut par_stem = v_in;
            let mut last = self.last_succ[u_in] as usize;
            let mut after = self.thread[last] as usize;
            self.thread[v_in] = u_in as u32;
            self.dirty_revs.clear();
            self.dirty_revs.push(v_in as u32);
            while stem != u_out {
                let next_stem = self.parent[stem] as usize;
                self.thread[last] = next_stem as u32;
                self.dirty_revs.push(last as u32);
                let before = self.rev_thread[stem] as usize;
                self.thread[before] = after as u32;
                self.rev_thread[after] = before as u32;
                self.parent[stem] = par_stem as u32;
                par_stem = stem;
                stem = next_stem;
                last = if self.last_succ[stem] == self.last_succ[par_stem] {
                    self.rev_thread[par_stem] as usize
                } else {
                    self.last_succ[stem] as usize
                };
                after = self.thread[last] as usize;
            }
            self.parent[u_out] = par_stem as u32;
            self.thread[last] = thread_continue as u32;
            self.rev_thread[thread_continue] = last as u32;
            self.last_succ[u_out] = last as u32;
            if old_rev_thread != v_in {
                self.thread[old_rev_thread] = after as u32;
                self.rev_thread[after] = old_rev_thread as u32;
            }
            for i in 0..self.dirty_revs.len() {
                let u = self.dirty_revs[i] as usize;
                let t = self.thread[u] as usize;
                self.rev_thread[t] = u as u32;
            }
            let mut tmp_sc = 0u32;
            let tmp_ls = self.last_succ[u_out];
            let mut u = u_out;
            while u != u_in {
                let p = self.parent[u] as usize;
                self.pred[u] = self.pred[p];
                self.pred_dir[u] = -self.pred_dir[p];
                tmp_sc = tmp_sc.wrapping_add(self.succ_num[u].wrapping_sub(self.succ_num[p]));
                self.succ_num[u] = tmp_sc;
                self.last_succ[p] = tmp_ls;
                u = p;
            }
            self.pred[u_in] = in_arc as u32;
            self.pred_dir[u_in] = if u_in as u32 == self.source[in_arc] { UP } else { DOWN };
            self.succ_num[u_in] = old_succ_num;
        }

        let join = self.join as usize;
        let up_limit_out = if self.last_succ[join] as usize == v_in { join as u32 } else { NONE };
        let last_succ_out = self.last_succ[u_out];
        let mut u = v_in as u32;
        while u != NONE && self.last_succ[u as usize] as usize == v_in {
            self.last_succ[u as usize] = last_succ_out;
            u = self.parent[u as usize];
        }
        if join != old_rev_thread && v_in != old_rev_thread {
            let mut u = v_out as u32;
            while u != up_limit_out && self.last_succ[u as usize] as usize == old_last_succ {
                self.last_succ[u as usize] = old_rev_thread as u32;
                u = self.parent[u as usize];
            }
        } else if last_succ_out as usize != old_last_succ {
            let mut u = v_out as u32;
            while u != up_limit_out && self.last_succ[u as usize] as usize == old_last_succ {
                self.last_succ[u as usize] = last_succ_out;
                u = self.parent[u as usize];
            }
        }
        let mut u = v_in;
        while u != join {
            self.succ_num[u] += old_succ_num;
            u = self.parent[u] as usize;
        }
        let mut u = v_out;
        while u != join {
            self.succ_num[u] -= old_succ_num;
            u = self.parent[u] as usize;
        }
    }

    /// Shifts the potentials of the subtree just re-hung below `v_in` by
    /// what makes the entering arc's reduced cost zero, or, when that
    /// subtree holds more than half the nodes, every other node's by the
    /// opposite: only differences of potentials are ever read, and the
    /// thread is a cycle through the root, so the rest of it is the
    /// complement. [`Simplex::run`] makes the root's potential zero again
    /// before it returns.
    fn update_potential(&mut self) {
        let u_in = self.u_in as usize;
        let sigma = self.pi[self.v_in as usize]
            - self.pi[u_in]
            - signed(self.pred_dir[u_in], self.cost(self.in_arc));
        let end = self.thread[self.last_succ[u_in] as usize];
        if 2 * self.succ_num[u_in] as usize <= self.pi.len() {
            let mut u = u_in as u32;
            while u != end {
                self.pi[u as usize] = self.pi[u as usize] + sigma;
                u = self.thread[u as usize];
            }
        } else {
            let mut u = end;
            while u as usize != u_in {
                self.pi[u as usize] = self.pi[u as usize] - sigma;
                u = self.thread[u as usize];
            }
        }
    }

    /// Potentials as path costs from the root again (the root at zero), as
    /// [`Simplex::pi`] promises, after [`Simplex::update_potential`] may
    /// have shifted them all.
    fn normalize_potentials(&mut self) {
        let root = self.pi[self.first_real];
        if root != C::ZERO {
            for p in &mut self.pi {
                *p = *p - root;
            }
        }
    }
}

/// A node of a date's network named across dates: workers and demands by
/// their global index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NodeKey {
    Worker(u32),
    Demand(u32),
    St,
}

/// A real arc named across dates: `ST -> worker`, the `k`-th open unit of
/// a demand (1-based), or a candidate (worker, demand).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArcKey {
    Source(u32),
    Unit(u32, u32),
    Cand(u32, u32),
}

/// One date's final basis in global names, for the next date of a chain to
/// start from: the tree arc of every node that does not hang from the root,
/// and the plan. Most workers and demands persist from one date to the
/// next, so most of the tree (and its potentials) stays right.
#[derive(Debug, Clone, Default)]
pub(crate) struct WarmBasis {
    pub(crate) tree: Vec<(NodeKey, ArcKey)>,
    /// (global worker, global demand) of each assignment.
    pub(crate) plan: Vec<(u32, u32)>,
}

impl<C: SxCost> Simplex<C> {
    /// Arcs before this index are artificial, source or unit arcs.
    fn first_candidate(&self) -> usize {
        *self.unit_first.last().expect("one entry past the last demand") as usize
    }

    /// The current basis in global names (`workers` and `demands`: global
    /// index of each local one).
    pub(crate) fn export(&self, workers: &[u32], demands: &[u32]) -> WarmBasis {
        let n = self.first_real;
        let n_w = self.n_w;
        let n_d = self.unit_first.len() - 1;
        let first_cand = self.first_candidate();
        let node_key = |u: usize| {
            if u < n_w {
                NodeKey::Worker(workers[u])
            } else if u < n_w + n_d {
                NodeKey::Demand(demands[u - n_w])
            } else {
                NodeKey::St
            }
        };
        let arc_key = |e: usize| {
            if e < n + n_w {
                ArcKey::Source(workers[e - n])
            } else if e < first_cand {
                let d = self.unit_first.partition_point(|&f| f as usize <= e) - 1;
                ArcKey::Unit(demands[d], (e - self.unit_first[d] as usize) as u32 + 1)
            } else {
                let d = self.target[e] as usize - n_w;
                ArcKey::Cand(workers[self.source[e] as usize], demands[d])
            }
        };
        let tree = (0..n)
            .filter(|&u| self.pred[u] as usize >= n)
            .map(|u| (node_key(u), arc_key(self.pred[u] as usize)))
            .collect();
        let plan = (first_cand..self.source.len())
            .filter(|&e| self.flow[e] > 0)
            .map(|e| (workers[self.source[e] as usize], demands[self.target[e] as usize - n_w]))
            .collect();
        WarmBasis { tree, plan }
    }

    /// Starts from `basis` (another date's) instead of the all-artificial
    /// tree. `worker` and `demand` give the local index of a global one
    /// present today, `cand` the simplex arc of a candidate already added.
    ///
    /// The start flow is the basis' plan restricted to what exists today
    /// (each demand filling its first units); the tree is the basis' tree
    /// restricted the same way, less the arcs that would break strong
    /// feasibility (each is at a bound, so it may leave the tree), every
    /// piece hanging from the root by its top node's artificial arc. A
    /// subset of a tree with tops re-hung from the root is a tree, so the
    /// result is a strongly feasible basis, and the run that follows is as
    /// exact as a cold one.
    pub(crate) fn warm_start(
        &mut self,
        basis: &WarmBasis,
        worker: impl Fn(u32) -> Option<u32>,
        demand: impl Fn(u32) -> Option<u32>,
        cand: impl Fn(u32, u32) -> Option<u32>,
    ) {
        let n = self.first_real;
        let n_w = self.n_w;
        let n_d = self.unit_first.len() - 1;
        let st = n - 1;
        let root = n;
        let n_cap = |d: usize| self.unit_first[d + 1] - self.unit_first[d];
        // The flow.
        let mut count = vec![0u32; n_d];
        for &(gw, gd) in &basis.plan {
            let (Some(w), Some(d)) = (worker(gw), demand(gd)) else { continue };
            let Some(e) = cand(w, d) else { continue };
            if count[d as usize] == n_cap(d as usize) || self.flow[n + w as usize] != 0 {
                continue;
            }
            count[d as usize] += 1;
            self.flow[e as usize] = 1;
            self.flow[n + w as usize] = 1;
        }
        for (d, &c) in count.iter().enumerate() {
            let first = self.unit_first[d] as usize;
            self.flow[first..first + c as usize].fill(1);
        }
        // The tree arcs.
        for u in 0..n {
            self.parent[u] = root as u32;
            self.pred[u] = u as u32;
            self.pred_dir[u] = UP;
        }
        for &(node, arc) in &basis.tree {
            let u = match node {
                NodeKey::Worker(g) => worker(g),
                NodeKey::Demand(g) => demand(g).map(|d| n_w as u32 + d),
                NodeKey::St => Some(st as u32),
            };
            let e = match arc {
                ArcKey::Source(g) => worker(g).map(|w| (n + w as usize) as u32),
                ArcKey::Unit(g, k) => demand(g)
                    .filter(|&d| k >= 1 && k <= n_cap(d as usize))
                    .map(|d| self.unit_first[d as usize] + k - 1),
                ArcKey::Cand(gw, gd) => match (worker(gw), demand(gd)) {
                    (Some(w), Some(d)) => cand(w, d),
                    _ => None,
                },
            };
            let (Some(u), Some(e)) = (u, e) else { continue };
            let e_us = e as usize;
            let (p, dir) = if self.source[e_us] == u {
                (self.target[e_us], UP)
            } else if self.target[e_us] == u {
                (self.source[e_us], DOWN)
            } else {
                continue;
            };
            // Strongly feasible: a positive flow can go from `u` up to the root.
            let up_ok =
                if dir == UP { self.flow[e_us] < self.cap[e_us] } else { self.flow[e_us] > 0 };
            if up_ok {
                self.parent[u as usize] = p;
                self.pred[u as usize] = e;
                self.pred_dir[u as usize] = dir;
            }
        }
        // Thread order (preorder from the root), subtree sizes, last
        // successors and potentials.
        let total = n + 1;
        let mut head = vec![NONE; total];
        let mut next = vec![NONE; total];
        for u in (0..n).rev() {
            let p = self.parent[u] as usize;
            next[u] = head[p];
            head[p] = u as u32;
        }
        let mut order: Vec<u32> = Vec::with_capacity(total);
        let mut stack = vec![root as u32];
        while let Some(u) = stack.pop() {
            order.push(u);
            let mut c = head[u as usize];
            while c != NONE {
                stack.push(c);
                c = next[c as usize];
            }
        }
        assert_eq!(order.len(), total, "a warm start's tree is a tree");
        let mut pos = vec![0u32; total];
        for (i, &u) in order.iter().enumerate() {
            pos[u as usize] = i as u32;
            self.thread[u as usize] = order[(i + 1) % total];
            self.rev_thread[order[(i + 1) % total] as usize] = u;
        }
        self.succ_num.fill(1);
        for &u in order[1..].iter().rev() {
            let p = self.parent[u as usize] as usize;
            self.succ_num[p] += self.succ_num[u as usize];
        }
        for &u in &order {
            let u = u as usize;
            self.last_succ[u] = order[pos[u] as usize + self.succ_num[u] as usize - 1];
        }
        self.pi[root] = C::ZERO;
        for &u in &order[1..] {
            let u = u as usize;
            let p = self.parent[u] as usize;
            let c = self.cost[self.pred[u] as usize];
            self.pi[u] = if self.pred_dir[u] == UP { self.pi[p] - c } else { self.pi[p] + c };
        }
        // Arc states.
        for e in 0..self.source.len() {
            self.state[e] = if self.flow[e] == 0 { LOWER } else { UPPER };
        }
        for u in 0..n {
            self.state[self.pred[u] as usize] = TREE;
        }
    }
}
