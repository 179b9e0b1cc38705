//! A solution as a GeoJSON map (RFC 7946): workers and farms as points,
//! assignments as lines from a worker's home to the farm.

use std::collections::{BTreeSet, HashMap};
use std::io::{self, Write};

use farmhand::{Location, Problem, Solution};
use serde::Serialize;

/// The map of a solution as a GeoJSON `FeatureCollection` value.
///
/// Features, in this order (each has a `kind` property):
/// - `worker`: a `Point` at each worker's location, in problem order, with
///   `id`, `assigned_days`, `demand_ids` (the demands they work on, sorted),
///   `max_travel_km` (their own or the default) and `crew` (when they have
///   one);
/// - `farm`: a `Point` per farm location, in order of first demand, with
///   `farm_id`, `demand_ids`, `worker_days_needed` and `worker_days_filled`
///   (demands of one farm at different places give one point per place);
/// - `assignment`: a `LineString` from the worker to the demand per
///   assignment, in solution order, with `worker_id`, `demand_id`,
///   `farm_id`, `date` and `distance_km`.
///
/// Coordinates are `[lon, lat]` as RFC 7946 requires. The key order of the
/// value depends on `serde_json`'s features; [`write_geojson`] writes a fixed
/// order.
pub fn geojson(problem: &Problem, solution: &Solution) -> serde_json::Value {
    serde_json::to_value(collection(problem, solution)).expect("a map always serialises")
}

/// Writes [`geojson`] with one feature per line (so a diff of two plans
/// reads feature by feature), keys in a fixed order (`type` first).
pub fn write_geojson<W: Write>(problem: &Problem, solution: &Solution, mut w: W) -> io::Result<()> {
    let map = collection(problem, solution);
    w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[")?;
    for (k, feature) in map.features.iter().enumerate() {
        w.write_all(if k == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut w, feature)?;
    }
    w.write_all(b"\n]}\n")?;
    w.flush()
}

#[derive(Serialize)]
struct FeatureCollection<'a> {
    r#type: &'static str,
    features: Vec<Feature<'a>>,
}

#[derive(Serialize)]
struct Feature<'a> {
    r#type: &'static str,
    geometry: Geometry,
    properties: Properties<'a>,
}

#[derive(Serialize)]
#[serde(tag = "type")]
enum Geometry {
    Point { coordinates: [f64; 2] },
    LineString { coordinates: [[f64; 2]; 2] },
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Properties<'a> {
    Worker {
        id: &'a str,
        assigned_days: u64,
        demand_ids: BTreeSet<&'a str>,
        max_travel_km: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        crew: Option<&'a str>,
    },
    Farm {
        farm_id: &'a str,
        demand_ids: Vec<&'a str>,
        worker_days_needed: u64,
        worker_days_filled: u64,
    },
    Assignment {
        worker_id: &'a str,
        demand_id: &'a str,
        farm_id: &'a str,
        date: &'a str,
        distance_km: f64,
    },
}

fn point(at: Location) -> [f64; 2] {
    [at.lon, at.lat]
}

fn collection<'a>(problem: &'a Problem, solution: &'a Solution) -> FeatureCollection<'a> {
    let feature = |geometry, properties| Feature { r#type: "Feature", geometry, properties };

    // Per worker: assigned days and demands.
    let mut by_worker: HashMap<&str, (u64, BTreeSet<&str>)> = HashMap::new();
    // Per demand: filled and missing worker-days. Every slot short of
    // workers is in `unfilled`, so needed = filled + missing. Sums saturate:
    // a solution from elsewhere may hold any count, and a map of it must
    // not overflow.
    let mut by_demand: HashMap<&str, (u64, u64)> = HashMap::new();
    for a in &solution.assignments {
        let entry = by_worker.entry(a.worker_id.as_str()).or_default();
        entry.0 = entry.0.saturating_add(1);
        entry.1.insert(a.demand_id.as_str());
        let filled = &mut by_demand.entry(a.demand_id.as_str()).or_default().0;
        *filled = filled.saturating_add(1);
    }
    for u in &solution.unfilled {
        let missing = &mut by_demand.entry(u.demand_id.as_str()).or_default().1;
        *missing = missing.saturating_add(u.missing.max(0).unsigned_abs());
    }

    let mut features = Vec::new();
    for w in &problem.workers {
        let (days, demands) = by_worker.remove(w.id.as_str()).unwrap_or_default();
        features.push(feature(
            Geometry::Point { coordinates: point(w.location) },
            Properties::Worker {
                id: &w.id,
                assigned_days: days,
                demand_ids: demands,
                max_travel_km: w.max_travel_km.unwrap_or(problem.options.default_max_travel_km),
                crew: w.crew.as_deref(),
            },
        ));
    }

    // Farms: one point per (farm, place), in order of first demand.
    let mut farm_index: HashMap<(&str, u64, u64), usize> = HashMap::new();
    let mut farms: Vec<(Location, &str, Vec<&str>, u64, u64)> = Vec::new();
    for d in &problem.demands {
        let key = (d.farm_id.as_str(), d.location.lat.to_bits(), d.location.lon.to_bits());
        let k = *farm_index.entry(key).or_insert_with(|| {
            farms.push((d.location, &d.farm_id, Vec::new(), 0, 0));
            farms.len() - 1
        });
        let (filled, missing) = by_demand.get(d.id.as_str()).copied().unwrap_or_default();
        let farm = &mut farms[k];
        farm.2.push(&d.id);
        farm.3 = farm.3.saturating_add(filled.saturating_add(missing));
        farm.4 = farm.4.saturating_add(filled);
    }
    for (location, farm_id, demand_ids, needed, filled) in farms {
        features.push(feature(
            Geometry::Point { coordinates: point(location) },
            Properties::Farm {
                farm_id,
                demand_ids,
                worker_days_needed: needed,
                worker_days_filled: filled,
            },
        ));
    }

    let worker_at: HashMap<&str, Location> =
        problem.workers.iter().map(|w| (w.id.as_str(), w.location)).collect();
    let demand_at: HashMap<&str, Location> =
        problem.demands.iter().map(|d| (d.id.as_str(), d.location)).collect();
    for a in &solution.assignments {
        // A solution of another problem may name unknown ids; such an
        // assignment has no place on the map.
        let (Some(&from), Some(&to)) =
            (worker_at.get(a.worker_id.as_str()), demand_at.get(a.demand_id.as_str()))
        else {
            continue;
        };
        features.push(feature(
            Geometry::LineString { coordinates: [point(from), point(to)] },
            Properties::Assignment {
                worker_id: &a.worker_id,
                demand_id: &a.demand_id,
                farm_id: &a.farm_id,
                date: &a.date,
                distance_km: a.distance_km,
            },
        ));
    }
    FeatureCollection { r#type: "FeatureCollection", features }
}
