//! The exact per-date transportation solver: the product's heart.
//!
//! One date is a bipartite min-cost flow: each worker has supply 1, each
//! demand takes up to `cap` more workers with convex per-unit costs, and the
//! worker-to-demand arcs cost travel (minus bonuses). The objective is
//! lexicographic (weighted fill, then shortage imbalance, then km), so costs
//! are [`Cost`] triples compared lexicographically: exact, with no big-M
//! scaling that could overflow.
//!
//! Algorithm: successive shortest paths, one worker at a time (as in the
//! Hungarian / Jonker-Volgenant methods), with node potentials and Dijkstra
//! that stops as soon as it reaches the sink. The source and the sink are one
//! node `ST`, so a path may also end by *displacing* an assigned worker (who
//! is then left unassigned) when that is cheaper. After worker `i` is
//! processed the flow is optimal for workers `0..=i`: any new negative cycle
//! must use the new worker's supply arc, and the cheapest such cycle is
//! exactly the shortest path found. See `ARCHITECTURE.md`.
//!
//! Invariant: after every step, every residual arc has a non-negative reduced
//! cost `c(u, v) + h(u) - h(v)`.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::ops::{Add, Sub};
use std::sync::atomic::{AtomicBool, Ordering};

/// A lexicographic cost: weighted fill (negated), shortage imbalance (scaled
/// by the lcm of headcounts), then km in fixed point.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Cost {
    pub(crate) fill: i64,
    pub(crate) share: i128,
    pub(crate) km: i64,
}

impl Cost {
    pub(crate) const ZERO: Cost = Cost { fill: 0, share: 0, km: 0 };

    fn km(km: i64) -> Cost {
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

    pub(crate) fn n_demands(&self) -> usize {
        self.cap.len()
    }

    fn arcs(&self, w: usize) -> std::ops::Range<usize> {
        self.start[w] as usize..self.start[w + 1] as usize
    }
}

/// The optimum of one date.
#[derive(Debug, Clone)]
pub(crate) struct TransportSolution {
    /// Per worker: the arc it is assigned along, or [`NONE`].
    pub(crate) assigned: Vec<u32>,
    /// True when level 2 was computed exactly (the lcm of headcounts fit).
    pub(crate) exact: bool,
}

/// The solve was cancelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cancelled;

/// Solves one date exactly. Deterministic: it depends only on `t`.
pub(crate) fn solve_transport(
    t: &Transport,
    cancel: Option<&AtomicBool>,
) -> Result<TransportSolution, Cancelled> {
    let mut solver = Solver::new(t);
    for w in 0..t.n_workers() {
        if w % 256 == 0 && cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(Cancelled);
        }
        solver.add_worker(w);
    }
    Ok(TransportSolution { assigned: solver.assigned, exact: solver.units.exact })
}

/// Per-unit costs of filling demands: `unit(d, k)` is the cost of the k-th
/// worker (1-based, counting locked ones) on demand `d`.
struct Units {
    /// Level-2 scale: lcm of the headcounts (when `exact`), else a power of 2.
    scale: i128,
    exact: bool,
}

impl Units {
    fn new(t: &Transport) -> Units {
        if !t.share_shortage {
            return Units { scale: 0, exact: true };
        }
        // The lcm of all headcounts makes (2(n-k)+1)/n an integer multiple of
        // 1/scale. Past 2^64 it falls back to a fine rounding, which keeps the
        // order of all but pathological ties; the solution then says it may
        // not be optimal.
        let limit: u128 = 1 << 64;
        let mut l: u128 = 1;
        let mut exact = true;
        for (d, &n) in t.per_day.iter().enumerate() {
            if t.cap[d] == 0 {
                continue;
            }
            let n = u128::from(n);
            let g = gcd(l, n);
            match (l / g).checked_mul(n) {
                Some(v) if v <= limit => l = v,
                _ => {
                    exact = false;
                    break;
                }
            }
        }
        let scale = if exact { l as i128 } else { 1i128 << 64 };
        Units { scale, exact }
    }

    fn unit(&self, t: &Transport, d: usize, k: u32) -> Cost {
        let n = i128::from(t.per_day[d]);
        let k = i128::from(k);
        let share = if self.scale == 0 {
            0
        } else if self.exact {
            // -(2(n-k)+1)/n, times scale.
            -(2 * (n - k) + 1) * (self.scale / n)
        } else {
            let num = (2 * (n - k) + 1) * self.scale;
            -((num + n / 2) / n)
        };
        Cost { fill: -i64::from(t.priority[d]), share, km: 0 }
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
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
    /// Per demand: units we added (on top of `base`).
    fill: Vec<u32>,
    /// Worker of each arc.
    arc_worker: Vec<u32>,
    // Dijkstra scratch, reused across searches.
    dist: Vec<Cost>,
    stamp: Vec<u32>,
    done: Vec<u32>,
    pred: Vec<u32>,
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
        let mut h = vec![Cost::ZERO; st + 1];
        // Feasible initial potentials with h(ST) = 0: d -> ST needs
        // unit + h(d) - h(ST) >= 0.
        for d in 0..n_d {
            if t.cap[d] > 0 {
                h[n_w + d] = Cost::ZERO - units.unit(t, d, t.base[d] + 1);
            }
        }
        let mut arc_worker = vec![0u32; t.arc_demand.len()];
        for w in 0..n_w {
            for a in t.arcs(w) {
                arc_worker[a] = w as u32;
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
            dist: vec![Cost::ZERO; st + 1],
            stamp: vec![0; st + 1],
            done: vec![0; st + 1],
            pred: vec![NONE; st + 1],
            round: 0,
            settled: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    fn demand_node(&self, d: u32) -> usize {
        self.n_w + d as usize
    }

    /// Cost of the next unit on demand `d`, if it has room.
    fn next_unit(&self, d: usize) -> Option<Cost> {
        (self.fill[d] < self.t.cap[d])
            .then(|| self.units.unit(self.t, d, self.t.base[d] + self.fill[d] + 1))
    }

    fn add_worker(&mut self, w: usize) {
        let t = self.t;
        let arcs = t.arcs(w);
        if arcs.is_empty() {
            return;
        }
        // The smallest potential that keeps every arc out of w non-negative.
        let mut hw: Option<Cost> = None;
        for a in arcs.clone() {
            let v = self.h[self.demand_node(t.arc_demand[a])] - Cost::km(t.arc_cost[a]);
            if hw.is_none_or(|x| v > x) {
                hw = Some(v);
            }
        }
        let hw = hw.expect("arcs is not empty");
        self.h[w] = hw;
        let cut = hw - self.h[self.st];
        if cut <= Cost::ZERO {
            // No augmenting cycle through w can be negative.
            return;
        }
        match self.search(w, cut) {
            Some(found) => {
                self.update_potentials(found);
                self.augment(w);
            }
            None => self.update_potentials(cut),
        }
    }

    /// Dijkstra from worker `w` over reduced costs, stopping at `ST` or once
    /// every remaining label is at least `cut`. Returns the distance to `ST`
    /// when it is below `cut`.
    fn search(&mut self, w: usize, cut: Cost) -> Option<Cost> {
        self.round += 1;
        let round = self.round;
        self.settled.clear();
        self.heap.clear();
        self.label(w, Cost::ZERO, NONE);
        while let Some(Reverse((d_u, u))) = self.heap.pop() {
            let u = u as usize;
            if self.done[u] == round || d_u != self.dist[u] {
                continue;
            }
            if d_u >= cut {
                return None;
            }
            if u == self.st {
                return Some(d_u);
            }
            self.done[u] = round;
            self.settled.push(u as u32);
            let h_u = self.h[u];
            if u < self.n_w {
                // Worker: forward arcs to demands, and the exit to ST (left
                // unassigned) when it is assigned.
                let own = self.assigned[u];
                for a in self.t.arcs(u) {
                    if a as u32 == own {
                        continue;
                    }
                    let v = self.demand_node(self.t.arc_demand[a]);
                    let rc = Cost::km(self.t.arc_cost[a]) + h_u - self.h[v];
                    self.relax(v, d_u + rc, a as u32);
                }
                if own != NONE {
                    let rc = h_u - self.h[self.st];
                    self.relax(self.st, d_u + rc, u as u32);
                }
            } else {
                // Demand: reverse arcs to its workers, and the next unit to ST.
                let d = u - self.n_w;
                for i in 0..self.members[d].len() {
                    let a = self.members[d][i] as usize;
                    let v = self.arc_worker[a] as usize;
                    let rc = Cost::ZERO - Cost::km(self.t.arc_cost[a]) + h_u - self.h[v];
                    self.relax(v, d_u + rc, a as u32);
                }
                if let Some(unit) = self.next_unit(d) {
                    let rc = unit + h_u - self.h[self.st];
                    self.relax(self.st, d_u + rc, u as u32);
                }
            }
        }
        None
    }

    fn label(&mut self, v: usize, dist: Cost, pred: u32) {
        self.stamp[v] = self.round;
        self.dist[v] = dist;
        self.pred[v] = pred;
        self.heap.push(Reverse((dist, v as u32)));
    }

    fn relax(&mut self, v: usize, dist: Cost, pred: u32) {
        if self.done[v] == self.round {
            return;
        }
        if self.stamp[v] != self.round || dist < self.dist[v] {
            self.label(v, dist, pred);
        }
    }

    /// h(v) += dist(v) - threshold for every settled node: keeps all reduced
    /// costs non-negative and makes the shortest path's arcs tight.
    fn update_potentials(&mut self, threshold: Cost) {
        for &v in &self.settled {
            let v = v as usize;
            self.h[v] = self.h[v] + self.dist[v] - threshold;
        }
    }

    /// Flips the path to `ST` found by the last search, which started at
    /// worker `from`.
    fn augment(&mut self, from: usize) {
        let last = self.pred[self.st] as usize;
        // Where the walk continues: a demand node that gained a worker.
        let mut d_node = if last >= self.n_w {
            self.fill[last - self.n_w] += 1;
            last
        } else {
            // The path ends by displacing worker `last`.
            let old = self.assigned[last];
            self.assigned[last] = NONE;
            let d = self.t.arc_demand[old as usize] as usize;
            self.remove_member(d, old);
            self.n_w + d
        };
        loop {
            let a = self.pred[d_node];
            let w = self.arc_worker[a as usize] as usize;
            let d = d_node - self.n_w;
            let old = self.assigned[w];
            self.assigned[w] = a;
            self.members[d].push(a);
            if w == from {
                debug_assert_eq!(old, NONE);
                break;
            }
            let prev_d = self.t.arc_demand[old as usize] as usize;
            self.remove_member(prev_d, old);
            d_node = self.n_w + prev_d;
        }
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
    fn total(t: &Transport, assigned: &[u32]) -> Cost {
        let units = Units::new(t);
        let mut fill = vec![0u32; t.n_demands()];
        let mut c = Cost::ZERO;
        for &a in assigned {
            if a != NONE {
                let d = t.arc_demand[a as usize] as usize;
                fill[d] += 1;
                c = c + Cost::km(t.arc_cost[a as usize]) + units.unit(t, d, t.base[d] + fill[d]);
            }
        }
        c
    }

    /// Every assignment of workers to arcs (or none), exhaustively.
    fn brute(t: &Transport) -> Cost {
        fn go(t: &Transport, w: usize, cur: &mut Vec<u32>, best: &mut Option<Cost>) {
            if w == t.n_workers() {
                let mut fill = vec![0u32; t.n_demands()];
                for &a in cur.iter() {
                    if a != NONE {
                        fill[t.arc_demand[a as usize] as usize] += 1;
                    }
                }
                if fill.iter().zip(&t.cap).all(|(f, c)| f <= c) {
                    let c = total(t, cur);
                    if best.is_none_or(|b| c < b) {
                        *best = Some(c);
                    }
                }
                return;
            }
            cur.push(NONE);
            go(t, w + 1, cur, best);
            cur.pop();
            for a in t.arcs(w) {
                cur.push(a as u32);
                go(t, w + 1, cur, best);
                cur.pop();
            }
        }
        let mut best = None;
        go(t, 0, &mut Vec::new(), &mut best);
        best.unwrap()
    }

    #[test]
    fn nearest_worker_first_is_not_optimal_but_this_is() {
        // Worker 0 is close to both demands, worker 1 only reaches demand 0.
        // Greedy sends worker 0 to demand 0 and leaves demand 1 empty.
        let t = transport(&[&[(0, 1), (1, 5)], &[(0, 3)]], &[1, 1], &[1, 1], &[1, 1], true);
        let s = solve_transport(&t, None).unwrap();
        assert_eq!(s.assigned, vec![1, 2]);
        assert_eq!(total(&t, &s.assigned), brute(&t));
    }

    #[test]
    fn displacement_frees_a_worker_when_cheaper() {
        // One slot; the second worker is nearer and must replace the first.
        let t = transport(&[&[(0, 9)], &[(0, 2)]], &[1], &[1], &[1], true);
        let s = solve_transport(&t, None).unwrap();
        assert_eq!(s.assigned, vec![NONE, 1]);
    }

    #[test]
    fn shortage_is_shared() {
        // Two demands of 2, three workers who reach both at equal cost: the
        // balanced split 2+1 beats nothing; with sharing off any split is ok.
        let arcs: &[&[(u32, i64)]] = &[&[(0, 1), (1, 1)], &[(0, 1), (1, 1)], &[(0, 1), (1, 1)]];
        let t = transport(arcs, &[2, 2], &[2, 2], &[1, 1], true);
        let s = solve_transport(&t, None).unwrap();
        assert_eq!(s.assigned.iter().filter(|&&a| a != NONE).count(), 3);
        // Four demands of 1 and 4 vs one of 4: share gives each at least one.
        let arcs: &[&[(u32, i64)]] = &[&[(0, 1), (1, 5)], &[(0, 1), (1, 5)]];
        let t = transport(arcs, &[2, 1], &[2, 1], &[1, 1], true);
        let s = solve_transport(&t, None).unwrap();
        let mut fill = [0, 0];
        for &a in &s.assigned {
            fill[t.arc_demand[a as usize] as usize] += 1;
        }
        // (2-1)^2/2 + 0 = 0.5 beats (2-2)^2/2 + 1 = 1, despite 4 km more.
        assert_eq!(fill, [1, 1]);
        assert_eq!(total(&t, &s.assigned), brute(&t));
    }

    #[test]
    fn priority_wins_over_distance() {
        let t = transport(&[&[(0, 1), (1, 1000)]], &[1, 1], &[1, 1], &[1, 3], true);
        let s = solve_transport(&t, None).unwrap();
        assert_eq!(t.arc_demand[s.assigned[0] as usize], 1);
    }

    /// A tiny deterministic generator (no dependency needed for this oracle).
    fn lcg(state: &mut u64) -> u64 {
        *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        *state >> 33
    }

    #[test]
    fn matches_brute_force_on_random_tiny_instances() {
        let mut s = 42u64;
        for case in 0..400 {
            let n_w = 1 + (lcg(&mut s) % 5) as usize;
            let n_d = 1 + (lcg(&mut s) % 3) as usize;
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
            let per_day: Vec<u32> = (0..n_d).map(|_| 1 + (lcg(&mut s) % 3) as u32).collect();
            let base: Vec<u32> = per_day.iter().map(|&n| (lcg(&mut s) % 2) as u32 % n).collect();
            let cap: Vec<u32> = per_day.iter().zip(&base).map(|(n, b)| n - b).collect();
            let priority: Vec<u32> = (0..n_d).map(|_| 1 + (lcg(&mut s) % 3) as u32).collect();
            let refs: Vec<&[(u32, i64)]> = per_worker.iter().map(|v| v.as_slice()).collect();
            let mut t = transport(&refs, &cap, &per_day, &priority, case % 4 != 0);
            t.base = base;
            let sol = solve_transport(&t, None).unwrap();
            assert_eq!(total(&t, &sol.assigned), brute(&t), "case {case}: {t:?}");
        }
    }
}
