//! A seeded generator of realistic problems (towns, a city, farms in the
//! countryside), for tests, benchmarks and demos.
//!
//! The same preset and seed give the same [`Problem`], byte for byte once
//! serialised, on any machine: all randomness comes from one
//! `ChaCha8Rng::seed_from_u64(seed)`, nothing iterates a hash map, and every
//! float is rounded before it is stored.
//!
//! The shape is what drives the benchmarks, so it is deliberately lopsided
//! the way real seasons are: workers live in a city and a few towns, farms
//! are spread over the countryside, most people have one or two skills at a
//! low level, most demands want one to four hands, and the season asks for
//! about a quarter more worker-days than people offer, so some slots go
//! unfilled and the explanations have something to say.
//!
//! ```
//! use farmhand::generate::{generate, sizes, Preset};
//!
//! let problem = generate(Preset::Small, 7);
//! assert_eq!(problem, generate("small".parse().unwrap(), 7));
//! assert!(sizes(&problem).worker_days_needed > 0);
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::format::{DateRange, Demand, Location, Options, Problem, Worker};

/// Instance sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    /// A handful of workers and demands over a few days in a small area, for
    /// brute-force oracle tests: few eligible (worker, demand, date) triples.
    Tiny,
    /// About 40 workers and 25 demands over 14 days.
    Small,
    /// About 2,000 workers and 1,500 demands over 60 days in one county.
    County,
    /// About 20,000 workers and 15,000 demands over 90 days in a province.
    Province,
    /// About 200,000 workers and 150,000 demands over 120 days across South
    /// Korea.
    National,
    /// The bundled example: a spring season in Wanju county, Jeollabuk-do,
    /// with readable ids (about 300 workers, 110 demands, 28 days).
    Wanju,
}

impl Preset {
    /// Every preset, smallest first (Wanju last).
    pub const ALL: [Preset; 6] = [
        Preset::Tiny,
        Preset::Small,
        Preset::County,
        Preset::Province,
        Preset::National,
        Preset::Wanju,
    ];

    /// The lowercase name, as accepted by [`FromStr`].
    pub fn name(self) -> &'static str {
        match self {
            Preset::Tiny => "tiny",
            Preset::Small => "small",
            Preset::County => "county",
            Preset::Province => "province",
            Preset::National => "national",
            Preset::Wanju => "wanju",
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A preset name that is not one of [`Preset::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown preset {0:?}; expected one of tiny, small, county, province, national, wanju")]
pub struct UnknownPreset(pub String);

impl FromStr for Preset {
    type Err = UnknownPreset;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Preset::ALL.into_iter().find(|p| p.name() == s).ok_or_else(|| UnknownPreset(s.to_string()))
    }
}

/// Generates a problem of the given preset; the same seed gives the same problem.
pub fn generate(preset: Preset, seed: u64) -> Problem {
    let mut g = Gen::new(seed);
    match preset {
        Preset::Tiny => tiny(&mut g),
        Preset::Small => {
            let region = small_region(&mut g);
            regional(&mut g, &region)
        }
        Preset::County => {
            let region = county_region(&mut g);
            regional(&mut g, &region)
        }
        Preset::Province => {
            let region = province_region(&mut g);
            regional(&mut g, &region)
        }
        Preset::National => {
            let region = national_region(&mut g);
            regional(&mut g, &region)
        }
        Preset::Wanju => wanju(&mut g),
    }
}

/// Makes the problem split into independent dates: no continuity bonus and
/// no `max_days`, `max_consecutive_days` or `crew` on any worker.
///
/// Each date is then an exact min-cost flow problem on its own, which the
/// solver's tests use as an oracle for the whole-season solve.
pub fn make_separable(problem: &mut Problem) {
    problem.options.continuity_bonus_km = 0.0;
    for worker in &mut problem.workers {
        worker.max_days = None;
        worker.max_consecutive_days = None;
        worker.crew = None;
    }
}

/// Restricts a problem to the date on which most demands are active: every
/// demand active then becomes a one-date demand, and locked and previous
/// assignments of other dates or demands are dropped. The county preset so
/// restricted is the "county day" of the API benchmarks: one morning's
/// matching request.
pub fn restrict_to_busiest_date(problem: &mut Problem) {
    use std::collections::{BTreeMap, HashSet};
    let date = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let mut active: BTreeMap<chrono::NaiveDate, usize> = BTreeMap::new();
    for d in &problem.demands {
        let (Some(mut day), Some(end)) = (date(&d.start), date(&d.end)) else { continue };
        while day <= end {
            *active.entry(day).or_default() += 1;
            let Some(next) = day.succ_opt() else { break };
            day = next;
        }
    }
    let Some((&busiest, _)) = active.iter().max_by_key(|&(day, n)| (*n, std::cmp::Reverse(*day)))
    else {
        return;
    };
    let text = busiest.format("%Y-%m-%d").to_string();
    problem.demands.retain(|d| {
        date(&d.start).is_some_and(|s| s <= busiest) && date(&d.end).is_some_and(|e| busiest <= e)
    });
    for d in &mut problem.demands {
        d.start.clone_from(&text);
        d.end.clone_from(&text);
    }
    let kept: HashSet<&str> = problem.demands.iter().map(|d| d.id.as_str()).collect();
    problem.locked.retain(|a| a.date == text && kept.contains(a.demand_id.as_str()));
    problem.previous.retain(|a| a.date == text && kept.contains(a.demand_id.as_str()));
}

/// Headline sizes of a problem, for reports and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sizes {
    /// Number of workers.
    pub workers: usize,
    /// Number of demands.
    pub demands: usize,
    /// Calendar days from the first demand date to the last (0 without demands).
    pub days: u32,
    /// Number of (demand, date) pairs.
    pub slots: u64,
    /// Sum of `workers_per_day` over all slots.
    pub worker_days_needed: u64,
    /// Worker-days offered within the demands' horizon: available days,
    /// capped by `max_days`. Travel and skills are ignored.
    pub worker_days_available: u64,
}

/// Counts the sizes of a problem. Dates that do not parse are skipped, so
/// this works on unvalidated input too.
pub fn sizes(problem: &Problem) -> Sizes {
    let mut sizes = Sizes {
        workers: problem.workers.len(),
        demands: problem.demands.len(),
        ..Sizes::default()
    };
    let mut horizon: Option<(NaiveDate, NaiveDate)> = None;
    for demand in &problem.demands {
        let (Some(start), Some(end)) = (parse_date(&demand.start), parse_date(&demand.end)) else {
            continue;
        };
        if end < start {
            continue;
        }
        let n = (end - start).num_days() as u64 + 1;
        sizes.slots += n;
        sizes.worker_days_needed += n * demand.workers_per_day.max(0) as u64;
        horizon = Some(match horizon {
            None => (start, end),
            Some((a, b)) => (a.min(start), b.max(end)),
        });
    }
    let Some((first, last)) = horizon else {
        return sizes;
    };
    sizes.days = (last - first).num_days() as u32 + 1;
    sizes.worker_days_available = offered_days(&problem.workers, first, last);
    sizes
}

/// Worker-days offered within `first..=last`: available days, capped by
/// `max_days`.
fn offered_days(workers: &[Worker], first: NaiveDate, last: NaiveDate) -> u64 {
    let mut day_free = vec![false; (last - first).num_days() as usize + 1];
    let mut total = 0;
    for worker in workers {
        day_free.iter_mut().for_each(|d| *d = false);
        for range in &worker.availability {
            let (Some(start), Some(end)) = (parse_date(&range.start), parse_date(&range.end))
            else {
                continue;
            };
            let (start, end) = (start.max(first), end.min(last));
            if end < start {
                continue;
            }
            let from = (start - first).num_days() as usize;
            let to = (end - first).num_days() as usize;
            day_free[from..=to].iter_mut().for_each(|d| *d = true);
        }
        let free = day_free.iter().filter(|&&d| d).count() as u64;
        let cap = worker.max_days.map_or(u64::MAX, |m| m.max(0) as u64);
        total += free.min(cap);
    }
    total
}

/// Parses `YYYY-MM-DD` by hand: chrono's format-string parser dominated
/// the time of [`sizes`] on the national preset.
fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter()
            .try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}

// ---------------------------------------------------------------------------
// Randomness helpers.

/// The one source of randomness, with the few distributions the generator
/// needs (`rand_distr` is not worth a dependency for a gaussian).
struct Gen {
    rng: ChaCha8Rng,
}

impl Gen {
    fn new(seed: u64) -> Self {
        Self { rng: ChaCha8Rng::seed_from_u64(seed) }
    }

    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        self.rng.gen::<f64>()
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform integer in `lo..=hi`.
    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            self.rng.gen_range(lo..=hi)
        }
    }

    fn index(&mut self, len: usize) -> usize {
        self.rng.gen_range(0..len)
    }

    /// Standard normal (Box-Muller).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit(); // in (0, 1], so the log is finite
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Index drawn with probability proportional to `weights[i]`.
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    /// A small count with a long tail: `P(k >= x) = x^-alpha`, capped.
    fn pareto_count(&mut self, alpha: f64, cap: i64) -> i64 {
        let u = 1.0 - self.unit();
        (u.powf(-1.0 / alpha).floor() as i64).clamp(1, cap)
    }
}

// ---------------------------------------------------------------------------
// Geography and calendar.

const KM_PER_DEG_LAT: f64 = 111.32;

/// Moves `from` by `dx_km` east and `dy_km` north (flat-Earth, fine at the
/// scale of a county), rounded to 5 decimals (about a metre).
fn offset(from: Location, dx_km: f64, dy_km: f64) -> Location {
    let lat = from.lat + dy_km / KM_PER_DEG_LAT;
    let lon = from.lon + dx_km / (KM_PER_DEG_LAT * from.lat.to_radians().cos());
    Location::new(round_to(lat, 1e5), round_to(lon, 1e5))
}

/// Flat-Earth distance in km, good to a fraction of a percent over the few
/// km of "near home", and much cheaper than the haversine.
fn approx_km(a: Location, b: Location) -> f64 {
    let dy = (a.lat - b.lat) * KM_PER_DEG_LAT;
    let dx = (a.lon - b.lon) * KM_PER_DEG_LAT * a.lat.to_radians().cos();
    dx.hypot(dy)
}

fn round_to(x: f64, scale: f64) -> f64 {
    (x * scale).round() / scale
}

/// A point normally distributed around `centre` with `spread_km` standard
/// deviation in each direction.
fn gaussian_around(g: &mut Gen, centre: Location, spread_km: f64) -> Location {
    let (dx, dy) = (g.normal() * spread_km, g.normal() * spread_km);
    offset(centre, dx, dy)
}

/// A point uniform in the ring `r_min..r_max` km around `centre`.
fn in_ring(g: &mut Gen, centre: Location, r_min: f64, r_max: f64) -> Location {
    let r = (g.uniform(r_min * r_min, r_max * r_max)).sqrt();
    let a = g.uniform(0.0, std::f64::consts::TAU);
    offset(centre, r * a.cos(), r * a.sin())
}

/// The dates of a season: day 0 is `first`.
struct Season {
    first: NaiveDate,
    dates: Vec<String>,
}

impl Season {
    fn new(first: (i32, u32, u32), n_days: u32) -> Self {
        let first = NaiveDate::from_ymd_opt(first.0, first.1, first.2).expect("a valid first date");
        let dates = (0..n_days)
            .map(|d| (first + chrono::Days::new(u64::from(d))).format("%Y-%m-%d").to_string())
            .collect();
        Self { first, dates }
    }

    fn n_days(&self) -> i64 {
        self.dates.len() as i64
    }

    fn last(&self) -> NaiveDate {
        self.first + chrono::Days::new(self.dates.len() as u64 - 1)
    }

    /// Day of week of `day`, 0 = Monday.
    fn weekday(&self, day: i64) -> i64 {
        (i64::from(self.first.weekday().num_days_from_monday()) + day) % 7
    }

    /// The inclusive range of days `start..=end`, clamped to the season.
    fn range(&self, start: i64, end: i64) -> DateRange {
        let last = self.n_days() - 1;
        let (start, end) = (start.clamp(0, last), end.clamp(0, last));
        DateRange::new(self.dates[start as usize].clone(), self.dates[end as usize].clone())
    }
}

/// Where workers live: a city or a town.
#[derive(Clone)]
struct Settlement {
    name: String,
    centre: Location,
    /// Standard deviation of homes around the centre, in km.
    spread_km: f64,
    /// Relative share of the workers.
    weight: f64,
}

impl Settlement {
    fn new(name: &str, lat: f64, lon: f64, spread_km: f64, weight: f64) -> Self {
        Self { name: name.to_string(), centre: Location::new(lat, lon), spread_km, weight }
    }
}

/// The farms of a problem being generated.
struct Farms {
    ids: Vec<String>,
    locs: Vec<Location>,
    grid: FarmGrid,
}

impl Farms {
    fn new(ids: Vec<String>, locs: Vec<Location>, cell_km: f64) -> Self {
        let origin = locs.first().copied().unwrap_or(Location::new(0.0, 0.0));
        let grid = FarmGrid::new(origin, cell_km, &locs);
        Self { ids, locs, grid }
    }
}

/// A coarse grid of farms, to find farms near a worker's home without a
/// spatial-index crate (only `index` names that crate).
struct FarmGrid {
    origin: Location,
    cell_km: f64,
    cells: HashMap<(i32, i32), Vec<u32>>,
}

impl FarmGrid {
    fn new(origin: Location, cell_km: f64, farms: &[Location]) -> Self {
        let mut grid = Self { origin, cell_km, cells: HashMap::new() };
        for (i, &loc) in farms.iter().enumerate() {
            let key = grid.cell(loc);
            grid.cells.entry(key).or_default().push(i as u32);
        }
        grid
    }

    fn cell(&self, loc: Location) -> (i32, i32) {
        let y = (loc.lat - self.origin.lat) * KM_PER_DEG_LAT;
        let x = (loc.lon - self.origin.lon) * KM_PER_DEG_LAT * self.origin.lat.to_radians().cos();
        ((x / self.cell_km).floor() as i32, (y / self.cell_km).floor() as i32)
    }

    /// Farms in the 3x3 cells around `loc`, in a fixed order (the cells are
    /// looked up, never iterated, so the hash map's order does not leak).
    fn near(&self, loc: Location) -> Vec<u32> {
        let (cx, cy) = self.cell(loc);
        let mut out = Vec::new();
        for dy in -1..=1 {
            for dx in -1..=1 {
                if let Some(farms) = self.cells.get(&(cx + dx, cy + dy)) {
                    out.extend_from_slice(farms);
                }
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------
// Workers.

/// Skills with how common they are among workers.
const SKILLS: [(&str, f64); 9] = [
    ("harvest", 30.0),
    ("planting", 22.0),
    ("weeding", 14.0),
    ("thinning", 10.0),
    ("pruning", 8.0),
    ("packing", 8.0),
    ("pollination", 5.0),
    ("spraying", 4.0),
    ("tractor", 4.0),
];

/// Knobs of worker generation that differ between presets.
struct WorkerStyle {
    p_own_travel: f64,
    travel_km: (i64, i64),
    p_max_days: f64,
    p_max_consecutive: f64,
    p_preferred: f64,
    p_excluded: f64,
    /// Farms within this distance count as "near home" for preferences.
    near_km: f64,
    /// Share of workers in standing crews.
    crew_share: f64,
}

const DEFAULT_STYLE: WorkerStyle = WorkerStyle {
    p_own_travel: 0.25,
    travel_km: (10, 60),
    p_max_days: 0.10,
    p_max_consecutive: 0.10,
    p_preferred: 0.15,
    p_excluded: 0.05,
    near_km: 8.0,
    crew_share: 0.04,
};

/// Skills of one worker: many with one to three skills, levels skewed low.
fn worker_skills(g: &mut Gen) -> BTreeMap<String, i64> {
    let n = [0, 1, 1, 1, 2, 2, 2, 3, 3, 4][g.index(10)];
    let mut weights: Vec<f64> = SKILLS.iter().map(|s| s.1).collect();
    let mut skills = BTreeMap::new();
    for _ in 0..n {
        let i = g.weighted(&weights);
        weights[i] = 0.0;
        let level = 1 + g.weighted(&[45.0, 30.0, 14.0, 8.0, 3.0]) as i64;
        skills.insert(SKILLS[i].0.to_string(), level);
    }
    skills
}

/// When one worker is available: the whole season, weekdays over a stretch,
/// a few scattered weeks, weekends, or one block. Lengths are in weeks, not
/// fractions of the season, because people offer a few weeks whatever the
/// season's length.
fn availability(g: &mut Gen, season: &Season) -> Vec<DateRange> {
    let n = season.n_days();
    if n <= 7 {
        // Tiny seasons: one short range or two separate days.
        let mut ranges = Vec::new();
        if g.chance(0.7) {
            let len = g.int(1, 3.min(n));
            let start = g.int(0, n - len);
            ranges.push(season.range(start, start + len - 1));
        } else {
            let a = g.int(0, n - 1);
            let b = g.int(0, n - 1);
            ranges.push(season.range(a, a));
            if b != a {
                ranges.push(season.range(b, b));
            }
        }
        return ranges;
    }
    // A stretch of `weeks` weeks starting on a random day of the season.
    let stretch = |g: &mut Gen, weeks: i64| {
        let len = (weeks * 7).min(n);
        let start = g.int(0, n - len);
        (start, start + len - 1)
    };
    // The runs of days within `from..=to` whose weekday passes `keep`.
    let runs = |from: i64, to: i64, keep: &dyn Fn(i64) -> bool| {
        let mut out = Vec::new();
        let mut run_start = None;
        for d in from..=to + 1 {
            let inside = d <= to && keep(season.weekday(d));
            match (inside, run_start) {
                (true, None) => run_start = Some(d),
                (false, Some(s)) => {
                    out.push(season.range(s, d - 1));
                    run_start = None;
                }
                _ => {}
            }
        }
        out
    };
    let mut ranges = match g.weighted(&[15.0, 25.0, 20.0, 10.0, 30.0]) {
        0 => vec![season.range(0, n - 1)],
        1 => {
            let weeks = g.int(3, 8);
            let (a, b) = stretch(g, weeks);
            runs(a, b, &|wd| wd < 5)
        }
        2 => {
            let k = g.int(2, 5);
            let mut weeks: Vec<i64> = (0..k).map(|_| g.int(0, (n - 1) / 7)).collect();
            weeks.sort_unstable();
            weeks.dedup();
            let days_per_week = g.int(5, 7);
            weeks.into_iter().map(|w| season.range(w * 7, w * 7 + days_per_week - 1)).collect()
        }
        3 => {
            let weeks = g.int(4, 12);
            let (a, b) = stretch(g, weeks);
            runs(a, b, &|wd| wd >= 5)
        }
        _ => {
            let len = g.int(5, 30.min(n));
            let start = g.int(0, n - len);
            vec![season.range(start, start + len - 1)]
        }
    };
    if ranges.is_empty() {
        // A weekend stretch can miss every weekend only if the season is
        // shorter than a week, which was handled above; keep a day anyway.
        ranges.push(season.range(0, 0));
    }
    // A few people send overlapping ranges (legal, and worth exercising).
    if g.chance(0.01) {
        let r = ranges[0].clone();
        ranges.push(r);
    }
    ranges
}

/// Builds the workers of each settlement, numbered per settlement
/// (`w-<settlement>-<n>`), with crews formed among neighbours.
fn make_workers(
    g: &mut Gen,
    season: &Season,
    settlements: &[Settlement],
    counts: &[usize],
    farms: &Farms,
    style: &WorkerStyle,
) -> Vec<Worker> {
    let width = digits(counts.iter().copied().max().unwrap_or(0)).max(3);
    let mut workers = Vec::with_capacity(counts.iter().sum());
    for (s, settlement) in settlements.iter().enumerate() {
        let first_of_town = workers.len();
        for k in 0..counts[s] {
            let id = format!("w-{}-{:0width$}", settlement.name, k + 1);
            let home = gaussian_around(g, settlement.centre, settlement.spread_km);
            let mut w = Worker::new(id, home, availability(g, season));
            w.skills = worker_skills(g);
            if g.chance(style.p_own_travel) {
                w.max_travel_km = Some(g.int(style.travel_km.0, style.travel_km.1) as f64);
            }
            let n = season.n_days();
            if g.chance(style.p_max_days) {
                w.max_days = Some(g.int((n / 6).max(1), (n / 2).max(2)));
            }
            if g.chance(style.p_max_consecutive) {
                w.max_consecutive_days = Some(g.int(2.min(n), 6));
            }
            let wants_pref = g.chance(style.p_preferred);
            let wants_excl = g.chance(style.p_excluded);
            if wants_pref || wants_excl {
                let near: Vec<u32> = farms
                    .grid
                    .near(home)
                    .into_iter()
                    .filter(|&f| approx_km(home, farms.locs[f as usize]) <= style.near_km)
                    .collect();
                let pick = |g: &mut Gen, k: i64, taken: &[String]| -> Vec<String> {
                    let mut out: Vec<String> = Vec::new();
                    for _ in 0..k {
                        if near.is_empty() {
                            break;
                        }
                        let id = &farms.ids[near[g.index(near.len())] as usize];
                        if !out.contains(id) && !taken.contains(id) {
                            out.push(id.clone());
                        }
                    }
                    out
                };
                if wants_pref {
                    let k = g.int(1, 3);
                    w.preferred_farms = pick(g, k, &[]);
                }
                if wants_excl {
                    let k = g.int(1, 2);
                    w.excluded_farms = pick(g, k, &w.preferred_farms);
                }
            }
            workers.push(w);
        }
        form_crews(g, &mut workers[first_of_town..], &settlement.name, style.crew_share);
    }
    workers
}

/// Standing crews of 2-5 neighbours from the same settlement. Members share
/// the leader's availability, as crews that travel together do.
fn form_crews(g: &mut Gen, town: &mut [Worker], town_name: &str, share: f64) {
    let p_start = share / 3.5;
    let mut crew_no = 0;
    let mut i = 0;
    while i < town.len() {
        let size = g.int(2, 5) as usize;
        if g.chance(p_start) && i + size <= town.len() {
            crew_no += 1;
            let crew = format!("crew-{town_name}-{crew_no:02}");
            let availability = town[i].availability.clone();
            for member in &mut town[i..i + size] {
                member.crew = Some(crew.clone());
                member.availability = availability.clone();
            }
            i += size;
        } else {
            i += 1;
        }
    }
}

/// Splits `n` workers over settlements in proportion to their weights, in a
/// seeded way.
fn split_counts(g: &mut Gen, settlements: &[Settlement], n: usize) -> Vec<usize> {
    // Cumulative weights and a binary search: the national preset draws
    // 200,000 times from 300 settlements.
    let cumulative: Vec<f64> = settlements
        .iter()
        .scan(0.0, |acc, s| {
            *acc += s.weight;
            Some(*acc)
        })
        .collect();
    let total = cumulative.last().copied().unwrap_or(0.0);
    let mut counts = vec![0; settlements.len()];
    for _ in 0..n {
        let x = g.unit() * total;
        let i = cumulative.partition_point(|&c| c <= x).min(settlements.len() - 1);
        counts[i] += 1;
    }
    counts
}

fn digits(n: usize) -> usize {
    n.max(1).ilog10() as usize + 1
}

// ---------------------------------------------------------------------------
// Demands.

/// Tasks a farm asks for, with how common they are, and the skill each needs.
const TASKS: [(&str, f64); 9] = [
    ("harvest", 30.0),
    ("planting", 20.0),
    ("thinning", 12.0),
    ("pruning", 10.0),
    ("weeding", 10.0),
    ("pollination", 6.0),
    ("packing", 5.0),
    ("spraying", 4.0),
    ("tractor", 3.0),
];

/// A required level, skewed low.
fn required_level(g: &mut Gen) -> i64 {
    1 + g.weighted(&[55.0, 30.0, 11.0, 3.0, 1.0]) as i64
}

/// A priority: mostly 1, some 2-10, rarely up to 100.
fn priority(g: &mut Gen) -> i64 {
    match g.weighted(&[80.0, 18.0, 2.0]) {
        0 => 1,
        1 => g.int(2, 10),
        _ => [20, 30, 50, 100][g.index(4)],
    }
}

// ---------------------------------------------------------------------------
// Regional presets (small, county, province, national).

/// How farms are spread.
enum FarmArea {
    /// Uniform over a box of `half_w_km` x `half_h_km` around `centre`.
    Box { centre: Location, half_w_km: f64, half_h_km: f64 },
    /// `share_near` of the farms within `radius_km` of a random settlement
    /// (the countryside around towns), the rest uniform over the lat/lon box.
    Mixed { share_near: f64, radius_km: f64, lat: (f64, f64), lon: (f64, f64) },
}

struct Region {
    season: Season,
    settlements: Vec<Settlement>,
    farm_area: FarmArea,
    n_workers: usize,
    n_demands: usize,
    /// Worker-days needed over worker-days offered.
    shortage_ratio: f64,
    /// Longest demand in days.
    max_duration: i64,
    max_workers_per_day: i64,
    style: WorkerStyle,
}

/// Settlements at random places in a box: one city and `n_towns` towns.
fn random_settlements(
    g: &mut Gen,
    centre: Location,
    half_km: f64,
    cities: usize,
    towns: usize,
) -> Vec<Settlement> {
    let mut out = Vec::new();
    for c in 0..cities {
        let spot =
            offset(centre, g.uniform(-half_km, half_km) * 0.6, g.uniform(-half_km, half_km) * 0.6);
        let weight = if c == 0 { 8.0 } else { g.uniform(3.0, 6.0) };
        let name = if cities == 1 { "city".to_string() } else { format!("city{}", c + 1) };
        out.push(Settlement { name, centre: spot, spread_km: g.uniform(3.0, 5.0), weight });
    }
    for t in 0..towns {
        let spot = offset(centre, g.uniform(-half_km, half_km), g.uniform(-half_km, half_km));
        out.push(Settlement {
            name: format!("town{}", t + 1),
            centre: spot,
            spread_km: g.uniform(1.0, 2.5),
            weight: g.uniform(0.5, 1.5),
        });
    }
    out
}

fn small_region(g: &mut Gen) -> Region {
    let centre = Location::new(35.90, 127.10);
    Region {
        season: Season::new((2026, 5, 4), 14),
        settlements: random_settlements(g, centre, 8.0, 1, 2),
        farm_area: FarmArea::Box { centre, half_w_km: 10.0, half_h_km: 10.0 },
        n_workers: 40,
        n_demands: 25,
        shortage_ratio: 1.25,
        max_duration: 10,
        max_workers_per_day: 8,
        style: DEFAULT_STYLE,
    }
}

fn county_region(g: &mut Gen) -> Region {
    let centre = Location::new(35.90, 127.10);
    Region {
        season: Season::new((2026, 4, 6), 60),
        settlements: random_settlements(g, centre, 15.0, 1, 7),
        farm_area: FarmArea::Box { centre, half_w_km: 15.0, half_h_km: 15.0 },
        n_workers: 2_000,
        n_demands: 1_500,
        shortage_ratio: 1.25,
        max_duration: 35,
        max_workers_per_day: 30,
        style: DEFAULT_STYLE,
    }
}

fn province_region(g: &mut Gen) -> Region {
    // About Jeollabuk-do: 150 x 150 km around 35.7N 127.1E.
    let centre = Location::new(35.70, 127.10);
    let half = 75.0;
    let mut settlements = random_settlements(g, centre, half, 5, 35);
    settlements[0].weight = 15.0; // the provincial capital
    let lat_half = half / KM_PER_DEG_LAT;
    let lon_half = half / (KM_PER_DEG_LAT * centre.lat.to_radians().cos());
    Region {
        season: Season::new((2026, 3, 16), 90),
        settlements,
        farm_area: FarmArea::Mixed {
            share_near: 0.7,
            radius_km: 20.0,
            lat: (centre.lat - lat_half, centre.lat + lat_half),
            lon: (centre.lon - lon_half, centre.lon + lon_half),
        },
        n_workers: 20_000,
        n_demands: 15_000,
        shortage_ratio: 1.25,
        max_duration: 42,
        max_workers_per_day: 30,
        style: DEFAULT_STYLE,
    }
}

/// Cities of South Korea with a rough weight for their pool of seasonal
/// farm workers (not their population: Seoul sends few people to farms).
const KOREAN_CITIES: [(&str, f64, f64, f64); 50] = [
    ("seoul", 37.566, 126.978, 6.0),
    ("busan", 35.180, 129.076, 4.0),
    ("daegu", 35.871, 128.601, 4.0),
    ("incheon", 37.456, 126.705, 3.0),
    ("gwangju", 35.160, 126.851, 4.0),
    ("daejeon", 36.350, 127.385, 4.0),
    ("ulsan", 35.539, 129.311, 2.0),
    ("suwon", 37.263, 127.029, 3.0),
    ("cheongju", 36.642, 127.489, 4.0),
    ("jeonju", 35.824, 127.148, 4.0),
    ("chuncheon", 37.881, 127.730, 3.0),
    ("wonju", 37.342, 127.920, 3.0),
    ("gangneung", 37.752, 128.876, 2.5),
    ("cheonan", 36.815, 127.114, 3.0),
    ("pohang", 36.019, 129.343, 2.5),
    ("changwon", 35.228, 128.681, 3.0),
    ("jinju", 35.180, 128.108, 3.0),
    ("mokpo", 34.812, 126.392, 2.0),
    ("suncheon", 34.951, 127.487, 2.5),
    ("andong", 36.568, 128.730, 3.0),
    ("gyeongju", 35.856, 129.225, 2.5),
    ("gimcheon", 36.140, 128.114, 2.0),
    ("gumi", 36.120, 128.344, 2.0),
    ("sangju", 36.411, 128.159, 2.5),
    ("yeongju", 36.806, 128.624, 2.0),
    ("chungju", 36.991, 127.926, 2.5),
    ("jecheon", 37.133, 128.191, 2.0),
    ("iksan", 35.948, 126.958, 2.5),
    ("gunsan", 35.968, 126.737, 2.0),
    ("naju", 35.016, 126.711, 2.5),
    ("gimhae", 35.228, 128.889, 2.0),
    ("yeosu", 34.760, 127.662, 1.5),
    ("hongseong", 36.601, 126.661, 2.0),
    ("seosan", 36.785, 126.450, 2.0),
    ("nonsan", 36.187, 127.099, 2.5),
    ("gongju", 36.446, 127.119, 2.0),
    ("namwon", 35.416, 127.390, 2.0),
    ("jeongeup", 35.570, 126.856, 2.0),
    ("haenam", 34.573, 126.599, 2.0),
    ("goheung", 34.611, 127.285, 1.5),
    ("yeongcheon", 35.973, 128.939, 2.0),
    ("miryang", 35.504, 128.746, 2.0),
    ("geochang", 35.687, 127.910, 1.5),
    ("uiseong", 36.353, 128.697, 1.5),
    ("hongcheon", 37.697, 127.889, 1.5),
    ("icheon", 37.272, 127.435, 2.0),
    ("pyeongtaek", 36.992, 127.113, 2.0),
    ("yeongam", 34.800, 126.697, 1.5),
    ("boseong", 34.771, 127.080, 1.5),
    ("muan", 34.990, 126.482, 1.5),
];

fn national_region(g: &mut Gen) -> Region {
    let mut settlements: Vec<Settlement> = KOREAN_CITIES
        .iter()
        .map(|&(name, lat, lon, w)| Settlement::new(name, lat, lon, 5.0, w))
        .collect();
    // Market towns between 8 and 40 km from a city, each its own pool.
    for t in 0..250 {
        let city = g.index(KOREAN_CITIES.len());
        let centre = in_ring(g, settlements[city].centre, 8.0, 40.0);
        settlements.push(Settlement {
            name: format!("town{:03}", t + 1),
            centre,
            spread_km: g.uniform(1.0, 2.5),
            weight: g.uniform(0.2, 0.8),
        });
    }
    Region {
        season: Season::new((2026, 3, 2), 120),
        settlements,
        farm_area: FarmArea::Mixed {
            share_near: 0.75,
            radius_km: 25.0,
            lat: (34.5, 38.0),
            lon: (126.2, 129.4),
        },
        n_workers: 200_000,
        n_demands: 150_000,
        shortage_ratio: 1.25,
        max_duration: 42,
        max_workers_per_day: 30,
        style: DEFAULT_STYLE,
    }
}

fn regional(g: &mut Gen, region: &Region) -> Problem {
    let season = &region.season;
    let n_days = season.n_days();

    // Farms first, so that workers can prefer or exclude farms near home.
    let n_farms = ((region.n_demands as f64 / 1.6).round() as usize).clamp(1, region.n_demands);
    let farm_locs: Vec<Location> = (0..n_farms)
        .map(|_| match &region.farm_area {
            FarmArea::Box { centre, half_w_km, half_h_km } => offset(
                *centre,
                g.uniform(-half_w_km, *half_w_km),
                g.uniform(-half_h_km, *half_h_km),
            ),
            FarmArea::Mixed { share_near, radius_km, lat, lon } => {
                if g.chance(*share_near) {
                    let s = g.index(region.settlements.len());
                    in_ring(g, region.settlements[s].centre, 2.0, *radius_km)
                } else {
                    let (la, lo) = (g.uniform(lat.0, lat.1), g.uniform(lon.0, lon.1));
                    Location::new(round_to(la, 1e5), round_to(lo, 1e5))
                }
            }
        })
        .collect();
    let farm_width = digits(n_farms).max(3);
    let farm_ids: Vec<String> =
        (0..n_farms).map(|f| format!("farm-{:0farm_width$}", f + 1)).collect();
    let farms = Farms::new(farm_ids, farm_locs, region.style.near_km);

    let counts = split_counts(g, &region.settlements, region.n_workers);
    let workers = make_workers(g, season, &region.settlements, &counts, &farms, &region.style);
    let offered = offered_days(&workers, season.first, season.last());

    // Every farm gets one demand, the rest go to random farms.
    let mut farm_of_demand: Vec<usize> = (0..n_farms).collect();
    farm_of_demand.extend((n_farms..region.n_demands).map(|_| g.index(n_farms)));
    farm_of_demand.sort_unstable();

    // Headcounts first; then lognormal durations, scaled so that the season
    // asks for `shortage_ratio` times what the workers offer.
    let per_day: Vec<i64> =
        (0..region.n_demands).map(|_| g.pareto_count(1.4, region.max_workers_per_day)).collect();
    let max_duration = region.max_duration.min(n_days);
    let shape: Vec<f64> = (0..region.n_demands).map(|_| (0.6 * g.normal()).exp()).collect();
    let target = region.shortage_ratio * offered as f64;
    let scale = duration_scale(&shape, &per_day, max_duration, target);
    let durations: Vec<i64> =
        shape.iter().map(|&x| clamp_duration(scale * x, max_duration)).collect();

    let task_weights: Vec<f64> = TASKS.iter().map(|t| t.1).collect();
    let mut tasks_on_farm: BTreeMap<(usize, &str), usize> = BTreeMap::new();
    let mut demands = Vec::with_capacity(region.n_demands);
    for (d, &farm) in farm_of_demand.iter().enumerate() {
        let task = TASKS[g.weighted(&task_weights)].0;
        let seen = tasks_on_farm.entry((farm, task)).or_insert(0);
        *seen += 1;
        let suffix = if *seen > 1 { format!("-{seen}") } else { String::new() };
        let id = format!("d-{:0farm_width$}-{task}{suffix}", farm + 1);
        let duration = durations[d];
        let start = g.int(0, n_days - duration);
        let mut demand = Demand::new(
            id,
            farms.ids[farm].clone(),
            farms.locs[farm],
            season.dates[start as usize].clone(),
            season.dates[(start + duration - 1) as usize].clone(),
            per_day[d],
        );
        if g.chance(0.5) {
            demand.required_skills.insert(task.to_string(), required_level(g));
            if g.chance(0.1) {
                let extra = TASKS[g.weighted(&task_weights)].0;
                demand.required_skills.entry(extra.to_string()).or_insert(1);
            }
        }
        demand.priority = priority(g);
        demands.push(demand);
    }

    Problem { workers, demands, options: Options::default(), ..Problem::default() }
}

/// A demand's length in days from its unclamped size.
fn clamp_duration(x: f64, max_duration: i64) -> i64 {
    (x.round() as i64).clamp(2, max_duration)
}

/// The factor that turns the lognormal `shape`s into durations whose
/// worker-days (after clamping) come closest to `target`, by bisection: the
/// total only grows with the factor.
fn duration_scale(shape: &[f64], per_day: &[i64], max_duration: i64, target: f64) -> f64 {
    let total = |scale: f64| -> f64 {
        shape
            .iter()
            .zip(per_day)
            .map(|(&x, &k)| (clamp_duration(scale * x, max_duration) * k) as f64)
            .sum()
    };
    let (mut lo, mut hi) = (0.0, max_duration as f64 * 4.0);
    for _ in 0..40 {
        let mid = (lo + hi) / 2.0;
        if total(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

// ---------------------------------------------------------------------------
// Tiny.

/// A handful of workers and demands in an 8 km square over 3-5 days, with a
/// good chance of every feature (crew, limits, preferences, exclusions) so
/// brute-force oracle tests meet them, and few eligible triples.
fn tiny(g: &mut Gen) -> Problem {
    let n_days = g.int(3, 5);
    let season = Season::new((2026, 5, 4), n_days as u32);
    let centre = Location::new(35.90, 127.10);
    let villages = [
        Settlement {
            name: "east".into(),
            centre: offset(centre, 2.5, 0.5),
            spread_km: 0.8,
            weight: 1.0,
        },
        Settlement {
            name: "west".into(),
            centre: offset(centre, -2.5, -0.5),
            spread_km: 0.8,
            weight: 1.0,
        },
    ];
    let n_workers = g.int(4, 6) as usize;
    let n_demands = g.int(3, 4) as usize;
    let farm_locs: Vec<Location> = (0..n_demands)
        .map(|_| offset(centre, g.uniform(-4.0, 4.0), g.uniform(-4.0, 4.0)))
        .collect();
    let farm_ids: Vec<String> = (0..n_demands).map(|f| format!("farm-{:03}", f + 1)).collect();
    let style = WorkerStyle {
        p_own_travel: 0.4,
        travel_km: (3, 8),
        p_max_days: 0.3,
        p_max_consecutive: 0.3,
        p_preferred: 0.3,
        p_excluded: 0.2,
        near_km: 10.0,
        crew_share: 0.0,
    };
    let counts = split_counts(g, &villages, n_workers);
    let farms = Farms::new(farm_ids, farm_locs, 20.0);
    let mut workers = make_workers(g, &season, &villages, &counts, &farms, &style);
    // Half the tiny problems have a crew of two.
    if g.chance(0.5) {
        let a = g.index(n_workers);
        let b = (a + 1) % n_workers;
        for i in [a, b] {
            workers[i].crew = Some("crew-tiny-01".to_string());
        }
    }
    let task_weights: Vec<f64> = TASKS.iter().map(|t| t.1).collect();
    let demands = (0..n_demands)
        .map(|f| {
            let task = TASKS[g.weighted(&task_weights)].0;
            let len = g.int(1, 3.min(n_days));
            let start = g.int(0, n_days - len);
            let mut d = Demand::new(
                format!("d-{:03}-{task}", f + 1),
                farms.ids[f].clone(),
                farms.locs[f],
                season.dates[start as usize].clone(),
                season.dates[(start + len - 1) as usize].clone(),
                g.int(1, 2),
            );
            if g.chance(0.5) {
                d.required_skills.insert(task.to_string(), g.int(1, 2));
            }
            d.priority = [1, 1, 1, 2, 5][g.index(5)];
            d
        })
        .collect();
    Problem { workers, demands, options: Options::default(), ..Problem::default() }
}

// ---------------------------------------------------------------------------
// Wanju: the bundled example.

/// Where Wanju's seasonal workers live (Jeonju city and Wanju's towns), with
/// how many come from each.
const WANJU_TOWNS: [(&str, f64, f64, f64, usize); 9] = [
    ("jeonju", 35.824, 127.148, 3.0, 150),
    ("bongdong", 35.944, 127.167, 1.2, 35),
    ("samnye", 35.909, 127.075, 1.2, 30),
    ("yongjin", 35.904, 127.163, 1.0, 18),
    ("iseo", 35.836, 127.033, 1.0, 18),
    ("gosan", 36.029, 127.196, 1.0, 16),
    ("soyang", 35.872, 127.235, 1.0, 12),
    ("gui", 35.738, 127.122, 1.0, 12),
    ("hwasan", 36.056, 127.280, 0.8, 9),
];

/// Where the farms are: the myeon (township) centres the orchards and fields
/// spread around.
const WANJU_AREAS: [(&str, f64, f64); 12] = [
    ("samnye", 35.909, 127.075),
    ("bongdong", 35.944, 127.167),
    ("yongjin", 35.904, 127.163),
    ("iseo", 35.836, 127.033),
    ("gosan", 36.029, 127.196),
    ("soyang", 35.872, 127.235),
    ("gui", 35.738, 127.122),
    ("sanggwan", 35.762, 127.190),
    ("dongsang", 35.958, 127.324),
    ("hwasan", 36.056, 127.280),
    ("gyeongcheon", 36.026, 127.262),
    ("unju", 36.102, 127.339),
];

/// One task of a crop: when it happens (day offsets into the season), how
/// many hands, which skill at which level and how urgent.
struct TaskTemplate {
    task: &'static str,
    /// Chance that a farm of this crop asks for this task at all.
    p: f64,
    start: (i64, i64),
    duration: (i64, i64),
    per_day: (i64, i64),
    /// Chance of a skill requirement and its level range.
    p_skill: f64,
    level: (i64, i64),
    priority: (i64, i64),
}

struct CropTemplate {
    crop: &'static str,
    /// (area, number of farms).
    farms: &'static [(&'static str, usize)],
    /// How far from the area's centre the farms lie, in km.
    radius_km: f64,
    tasks: &'static [TaskTemplate],
}

// The crop table below reads best as one positional row per task; a struct
// literal per row would triple its length.
#[allow(clippy::too_many_arguments)]
const fn task(
    task: &'static str,
    p: f64,
    start: (i64, i64),
    duration: (i64, i64),
    per_day: (i64, i64),
    p_skill: f64,
    level: (i64, i64),
    priority: (i64, i64),
) -> TaskTemplate {
    TaskTemplate { task, p, start, duration, per_day, p_skill, level, priority }
}

/// The spring season 2026-04-06 (day 0, a Monday) to 2026-05-03 (day 27).
const WANJU_CROPS: [CropTemplate; 8] = [
    // Strawberries under plastic around Samnye: harvest runs all April.
    CropTemplate {
        crop: "strawberry",
        farms: &[("samnye", 11), ("bongdong", 2), ("iseo", 2)],
        radius_km: 3.0,
        tasks: &[
            task("harvest", 1.0, (0, 4), (18, 28), (3, 8), 0.6, (1, 2), (2, 3)),
            task("packing", 0.5, (0, 4), (18, 28), (1, 2), 0.5, (1, 1), (1, 1)),
        ],
    },
    // Pear orchards: a short, urgent pollination window in mid April, then
    // fruit thinning from late April.
    CropTemplate {
        crop: "pear",
        farms: &[("bongdong", 5), ("gosan", 4), ("soyang", 3), ("yongjin", 2), ("gyeongcheon", 1)],
        radius_km: 3.5,
        tasks: &[
            task("pollination", 1.0, (4, 8), (4, 7), (8, 20), 0.3, (1, 1), (5, 8)),
            task("thinning", 1.0, (16, 20), (7, 12), (4, 10), 0.5, (2, 3), (2, 2)),
        ],
    },
    // Apples in the uplands of Dongsang and Unju bloom later.
    CropTemplate {
        crop: "apple",
        farms: &[("dongsang", 2), ("unju", 3), ("hwasan", 1)],
        radius_km: 3.0,
        tasks: &[
            task("pruning", 0.7, (0, 2), (5, 8), (1, 3), 0.8, (2, 3), (1, 1)),
            task("pollination", 1.0, (15, 19), (4, 6), (4, 10), 0.3, (1, 1), (5, 5)),
        ],
    },
    // Persimmons for Gosan's dried persimmons: late pruning.
    CropTemplate {
        crop: "persimmon",
        farms: &[("gosan", 3), ("dongsang", 3), ("soyang", 2)],
        radius_km: 3.0,
        tasks: &[task("pruning", 1.0, (0, 4), (5, 10), (1, 4), 0.9, (2, 4), (1, 1))],
    },
    // Red peppers are transplanted in the last days of April.
    CropTemplate {
        crop: "pepper",
        farms: &[("iseo", 5), ("gui", 5), ("samnye", 3), ("sanggwan", 3), ("yongjin", 2)],
        radius_km: 3.5,
        tasks: &[task("planting", 1.0, (16, 23), (3, 6), (4, 12), 0.4, (1, 2), (1, 2))],
    },
    // Garlic fields need weeding and spraying through spring.
    CropTemplate {
        crop: "garlic",
        farms: &[("iseo", 4), ("gui", 3), ("bongdong", 3)],
        radius_km: 3.5,
        tasks: &[
            task("weeding", 1.0, (0, 20), (4, 8), (3, 8), 0.0, (1, 1), (1, 1)),
            task("spraying", 0.3, (5, 20), (2, 3), (1, 1), 1.0, (2, 3), (1, 1)),
        ],
    },
    // Rice fields: ploughing and seedbeds, a job for tractor drivers.
    CropTemplate {
        crop: "rice",
        farms: &[("iseo", 3), ("yongjin", 2), ("gui", 2), ("bongdong", 1)],
        radius_km: 3.0,
        tasks: &[
            task("tractor", 1.0, (12, 22), (2, 5), (1, 2), 1.0, (2, 3), (3, 3)),
            task("planting", 0.5, (18, 24), (3, 4), (2, 5), 0.0, (1, 1), (1, 1)),
        ],
    },
    // Leafy greens under plastic for the local-food markets: year-round work.
    CropTemplate {
        crop: "greens",
        farms: &[("iseo", 4), ("samnye", 2), ("yongjin", 2)],
        radius_km: 2.5,
        tasks: &[task("harvest", 1.0, (0, 6), (10, 28), (2, 4), 0.2, (1, 1), (1, 1))],
    },
];

fn wanju(g: &mut Gen) -> Problem {
    let season = Season::new((2026, 4, 6), 28);
    let n_days = season.n_days();

    // Farms and demands, crop by crop.
    let mut farm_ids = Vec::new();
    let mut farm_locs = Vec::new();
    let mut demands = Vec::new();
    for crop in &WANJU_CROPS {
        for &(area, n_farms) in crop.farms {
            let &(_, lat, lon) =
                WANJU_AREAS.iter().find(|a| a.0 == area).expect("every crop area is listed");
            for k in 1..=n_farms {
                let farm_id = format!("farm-{area}-{}-{k:02}", crop.crop);
                let loc = in_ring(g, Location::new(lat, lon), 0.5, crop.radius_km);
                for t in crop.tasks {
                    if !g.chance(t.p) {
                        continue;
                    }
                    let start = g.int(t.start.0, t.start.1);
                    let duration = g.int(t.duration.0, t.duration.1);
                    let end = (start + duration - 1).min(n_days - 1);
                    let id = format!("d-{area}-{}-{k:02}-{}", crop.crop, t.task);
                    let mut d = Demand::new(
                        id,
                        farm_id.clone(),
                        loc,
                        season.dates[start as usize].clone(),
                        season.dates[end as usize].clone(),
                        g.int(t.per_day.0, t.per_day.1),
                    );
                    if g.chance(t.p_skill) {
                        d.required_skills.insert(t.task.to_string(), g.int(t.level.0, t.level.1));
                    }
                    d.priority = g.int(t.priority.0, t.priority.1);
                    demands.push(d);
                }
                farm_ids.push(farm_id);
                farm_locs.push(loc);
            }
        }
    }
    // One orchard's owner is in hospital and pollination cannot wait: the
    // rare very high priority.
    if let Some(d) = demands.iter_mut().find(|d| d.id.ends_with("-pollination")) {
        d.priority = 20;
    }

    let towns: Vec<Settlement> = WANJU_TOWNS
        .iter()
        .map(|&(name, lat, lon, spread, _)| Settlement::new(name, lat, lon, spread, 1.0))
        .collect();
    let counts: Vec<usize> = WANJU_TOWNS.iter().map(|t| t.4).collect();
    let style = WorkerStyle { crew_share: 0.10, ..DEFAULT_STYLE };
    let farms = Farms::new(farm_ids, farm_locs, style.near_km);
    let workers = make_workers(g, &season, &towns, &counts, &farms, &style);

    Problem { workers, demands, options: Options::default(), ..Problem::default() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(preset: Preset, seed: u64) -> String {
        serde_json::to_string(&generate(preset, seed)).unwrap()
    }

    #[test]
    fn same_seed_same_json() {
        for preset in [Preset::Tiny, Preset::Small, Preset::Wanju, Preset::County] {
            assert_eq!(json(preset, 42), json(preset, 42), "{preset}");
        }
    }

    #[test]
    fn different_seeds_differ() {
        assert_ne!(json(Preset::Small, 1), json(Preset::Small, 2));
    }

    #[test]
    fn preset_names_round_trip() {
        for preset in Preset::ALL {
            assert_eq!(preset.to_string().parse::<Preset>(), Ok(preset));
        }
        assert!("Huge".parse::<Preset>().is_err());
    }

    #[test]
    fn dates_parse_by_hand_like_chrono() {
        assert_eq!(parse_date("2026-04-06"), NaiveDate::from_ymd_opt(2026, 4, 6));
        for bad in ["2026-02-30", "2026-4-06", "2026/04/06", "20a6-04-06", ""] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn tiny_is_tiny() {
        for seed in 0..50 {
            let s = sizes(&generate(Preset::Tiny, seed));
            assert!((4..=6).contains(&s.workers), "seed {seed}: {s:?}");
            assert!((3..=4).contains(&s.demands), "seed {seed}: {s:?}");
            assert!(s.days <= 5, "seed {seed}: {s:?}");
        }
    }

    /// Sizes within loose bounds, and a season that asks for more than the
    /// workers offer (the realistic shortage), but not absurdly more.
    fn assert_shape(preset: Preset, workers: usize, demands: usize, days: u32) {
        let s = sizes(&generate(preset, 3));
        assert_eq!((s.workers, s.demands), (workers, demands), "{preset}: {s:?}");
        assert!(s.days <= days && s.days + 7 >= days, "{preset}: {s:?}");
        let ratio = s.worker_days_needed as f64 / s.worker_days_available as f64;
        assert!((1.0..=1.6).contains(&ratio), "{preset}: ratio {ratio:.2} in {s:?}");
    }

    #[test]
    fn small_shape() {
        assert_shape(Preset::Small, 40, 25, 14);
    }

    #[test]
    fn county_shape() {
        assert_shape(Preset::County, 2_000, 1_500, 60);
    }

    #[test]
    fn wanju_shape() {
        let p = generate(Preset::Wanju, 1);
        let s = sizes(&p);
        assert!((280..=320).contains(&s.workers), "{s:?}");
        assert!((100..=150).contains(&s.demands), "{s:?}");
        assert_eq!(s.days, 28);
        assert!(p.workers.iter().any(|w| w.id == "w-jeonju-017"));
        assert!(p.demands.iter().any(|d| d.id == "d-samnye-strawberry-03-harvest"));
    }

    #[test]
    fn generated_problems_round_trip_through_json() {
        for preset in [Preset::Tiny, Preset::Small, Preset::County, Preset::Wanju] {
            for seed in 0..3 {
                let p = generate(preset, seed);
                let back = Problem::from_json(&p.to_json_pretty()).unwrap();
                assert_eq!(back, p, "{preset} seed {seed}");
            }
        }
    }

    #[test]
    fn generated_problems_have_the_advertised_features() {
        let p = generate(Preset::County, 5);
        let has = |f: &dyn Fn(&Worker) -> bool| p.workers.iter().filter(|w| f(w)).count();
        assert!(has(&|w| w.crew.is_some()) >= 10);
        assert!(has(&|w| w.max_days.is_some()) >= 50);
        assert!(has(&|w| w.max_consecutive_days.is_some()) >= 50);
        assert!(has(&|w| !w.preferred_farms.is_empty()) >= 50);
        assert!(has(&|w| !w.excluded_farms.is_empty()) >= 20);
        assert!(has(&|w| w.max_travel_km.is_some()) >= 200);
        let with_skills = p.demands.iter().filter(|d| !d.required_skills.is_empty()).count();
        assert!((500..=1000).contains(&with_skills), "{with_skills}");
        assert!(p.demands.iter().any(|d| d.workers_per_day >= 15));
        assert!(p.demands.iter().filter(|d| d.priority == 1).count() > 1000);
    }

    #[test]
    fn crews_live_in_one_town_and_share_availability() {
        let p = generate(Preset::County, 9);
        let mut crews: BTreeMap<&str, Vec<&Worker>> = BTreeMap::new();
        for w in &p.workers {
            if let Some(c) = &w.crew {
                crews.entry(c).or_default().push(w);
            }
        }
        assert!(!crews.is_empty());
        for (crew, members) in crews {
            assert!((2..=5).contains(&members.len()), "{crew}");
            let town = |w: &Worker| w.id.rsplit_once('-').unwrap().0.to_string();
            assert!(members.iter().all(|m| town(m) == town(members[0])), "{crew}");
            assert!(members.iter().all(|m| m.availability == members[0].availability), "{crew}");
        }
    }

    #[test]
    fn make_separable_removes_what_couples_dates() {
        let mut p = generate(Preset::County, 1);
        make_separable(&mut p);
        assert_eq!(p.options.continuity_bonus_km, 0.0);
        assert!(p
            .workers
            .iter()
            .all(|w| w.max_days.is_none() && w.max_consecutive_days.is_none() && w.crew.is_none()));
    }
}
