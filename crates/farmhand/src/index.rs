//! Spatial index over points on the Earth. The only module that names the
//! spatial-index crate (`rstar`).
//!
//! Points are stored as unit vectors in 3-D, where straight-line (chord)
//! distance grows with great-circle distance, so a ball query with the chord
//! of a radius returns a superset of the points within that great-circle
//! radius; callers then filter with the exact distance.

use rstar::primitives::GeomWithData;
use rstar::{RStarInsertionStrategy, RTree, RTreeParams};

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::format::Location;
use crate::geo_util::EARTH_RADIUS_KM;
use crate::model::Instance;

type Entry = GeomWithData<[f64; 3], u32>;

/// Nodes of 6-16 entries instead of rstar's default 3-6: fewer nodes to
/// visit per query (province separable, 42.7 to 38.9 s of CPU; other sizes
/// in BENCHMARKS.md).
struct Params;

impl RTreeParams for Params {
    const MIN_SIZE: usize = 6;
    const MAX_SIZE: usize = 16;
    const REINSERTION_COUNT: usize = 2;
    type DefaultInsertionStrategy = RStarInsertionStrategy;
}

/// Points with `u32` payloads (worker or demand indices).
pub(crate) struct SpatialIndex {
    tree: RTree<Entry, Params>,
}

impl SpatialIndex {
    /// Bulk-loads the points.
    pub(crate) fn new(points: impl IntoIterator<Item = (u32, Location)>) -> Self {
        let entries = points.into_iter().map(|(i, loc)| Entry::new(unit_vector(loc), i)).collect();
        Self { tree: RTree::bulk_load_with_params(entries) }
    }

    /// Calls `f` with every point within `km` great-circle distance of `at`,
    /// plus possibly a few just outside (filter with the exact distance).
    pub(crate) fn for_each_within(&self, at: Location, km: f64, mut f: impl FnMut(u32)) {
        let r = chord_for_km(km);
        for e in self.tree.locate_within_distance(unit_vector(at), r * r) {
            f(e.data);
        }
    }

    /// Like [`Self::for_each_within`], with each point's squared chord
    /// distance (see [`chord2_for_km`]) for a cheap first filter.
    pub(crate) fn for_each_within_chord2(
        &self,
        at: Location,
        km: f64,
        mut f: impl FnMut(u32, f64),
    ) {
        let (r, q) = (chord_for_km(km), unit_vector(at));
        for e in self.tree.locate_within_distance(q, r * r) {
            f(e.data, dist2(e.geom(), &q));
        }
    }

    /// Like [`Self::nearest`], with each point's squared chord distance.
    pub(crate) fn nearest_chord2(&self, at: Location) -> impl Iterator<Item = (u32, f64)> + '_ {
        let q = unit_vector(at);
        self.tree.nearest_neighbor_iter(&q).map(move |e| (e.data, dist2(e.geom(), &q)))
    }

    /// Removes the point `i` at `at` (as it was added); false if absent.
    pub(crate) fn remove(&mut self, i: u32, at: Location) -> bool {
        self.tree.remove(&Entry::new(unit_vector(at), i)).is_some()
    }

    /// Points ordered by distance from `at`, nearest first.
    pub(crate) fn nearest(&self, at: Location) -> impl Iterator<Item = u32> + '_ {
        self.tree.nearest_neighbor_iter(&unit_vector(at)).map(|e| e.data)
    }
}

/// Per (skill, level) some demand requires: how many workers hold the
/// skill at that level or higher, and their index, built the first time it
/// is read. A query for a demand reads the index of its rarest requirement,
/// which holds every worker with the demand's skills: a demand for a rare
/// skill would otherwise read most workers in range to find its few
/// (the county's greedy lists read 359 workers each, on average, before).
pub(crate) struct SkillIndexes {
    by_skill: HashMap<(u32, u8), (usize, OnceLock<SpatialIndex>)>,
}

impl SkillIndexes {
    pub(crate) fn new(inst: &Instance) -> SkillIndexes {
        let mut by_skill: HashMap<(u32, u8), (usize, OnceLock<SpatialIndex>)> = inst
            .demands
            .iter()
            .flat_map(|d| d.required.iter().map(|&r| (r, (0, OnceLock::new()))))
            .collect();
        for w in &inst.workers {
            for &(s, level) in &w.skills {
                for l in 1..=level {
                    if let Some((n, _)) = by_skill.get_mut(&(s, l)) {
                        *n += 1;
                    }
                }
            }
        }
        SkillIndexes { by_skill }
    }

    /// The holders of demand `d`'s rarest required skill at its level, or
    /// None when it requires no skill.
    pub(crate) fn rarest(&self, inst: &Instance, d: u32) -> Option<&SpatialIndex> {
        let (_, (skill, level), index) = inst.demands[d as usize]
            .required
            .iter()
            .filter_map(|r| self.by_skill.get(r).map(|e| (e.0, *r, &e.1)))
            .min_by_key(|&(n, r, _)| (n, r))?;
        Some(index.get_or_init(|| {
            SpatialIndex::new(
                inst.workers
                    .iter()
                    .enumerate()
                    .filter(|(_, w)| w.skill_level(skill) >= level)
                    .map(|(i, w)| (i as u32, w.location)),
            )
        }))
    }
}

fn unit_vector(loc: Location) -> [f64; 3] {
    let (lat, lon) = (loc.lat.to_radians(), loc.lon.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

fn dist2(a: &[f64; 3], b: &[f64; 3]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)
}

/// The squared chord of a great-circle distance, with the same slack as
/// the queries: a point whose squared chord exceeds it is farther than `km`.
pub(crate) fn chord2_for_km(km: f64) -> f64 {
    let r = chord_for_km(km);
    r * r
}

/// The squared chord of a distance a little under `km` (a relative 1e-7,
/// far beyond rounding), without slack: a point whose squared chord is
/// below it is surely within `km`, with no need for the exact distance.
pub(crate) fn chord2_surely_within_km(km: f64) -> f64 {
    let angle = (km * (1.0 - 1e-7) / EARTH_RADIUS_KM).min(std::f64::consts::PI);
    let c = 2.0 * (angle / 2.0).sin();
    c * c
}

/// Chord length on the unit sphere for a great-circle distance, with slack
/// so that rounding never drops a point that is exactly at the limit.
fn chord_for_km(km: f64) -> f64 {
    let angle = (km / EARTH_RADIUS_KM).min(std::f64::consts::PI);
    2.0 * (angle / 2.0).sin() * (1.0 + 1e-9) + 1e-12
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo_util::haversine_km;

    fn lcg(state: &mut u64) -> f64 {
        *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (*state >> 11) as f64 / (1u64 << 53) as f64
    }

    #[test]
    fn within_matches_a_linear_scan() {
        let mut s = 7;
        let pts: Vec<Location> = (0..2000)
            .map(|_| Location::new(35.0 + lcg(&mut s) * 2.0, 126.5 + lcg(&mut s) * 2.0))
            .collect();
        let index = SpatialIndex::new(pts.iter().enumerate().map(|(i, &p)| (i as u32, p)));
        for q in 0..50 {
            let at = Location::new(35.0 + lcg(&mut s) * 2.0, 126.5 + lcg(&mut s) * 2.0);
            let km = 5.0 + q as f64;
            let mut got = Vec::new();
            index.for_each_within(at, km, |i| {
                if haversine_km(at, pts[i as usize]) <= km {
                    got.push(i)
                }
            });
            got.sort();
            let want: Vec<u32> = (0..pts.len() as u32)
                .filter(|&i| haversine_km(at, pts[i as usize]) <= km)
                .collect();
            assert_eq!(got, want);
        }
    }

    #[test]
    fn nearest_is_ordered_by_great_circle_distance() {
        let mut s = 9;
        let pts: Vec<Location> = (0..300)
            .map(|_| Location::new(-60.0 + lcg(&mut s) * 120.0, -170.0 + lcg(&mut s) * 340.0))
            .collect();
        let index = SpatialIndex::new(pts.iter().enumerate().map(|(i, &p)| (i as u32, p)));
        let at = Location::new(10.0, 20.0);
        let order: Vec<f64> =
            index.nearest(at).map(|i| haversine_km(at, pts[i as usize])).collect();
        assert_eq!(order.len(), pts.len());
        assert!(order.windows(2).all(|w| w[0] <= w[1] + 1e-9));
    }
}
