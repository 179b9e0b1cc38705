//! Problems whose dates couple (continuity, day limits, crews) against an
//! exact optimum found by dynamic programming over the dates, and the hard
//! rules that couple dates under generated problems.
//!
//! The oracle reads only the wire format: its own eligibility, distances
//! (through the public haversine) and objective. Its state after a date is,
//! per worker, the demand they worked that date, the dates worked so far
//! (for `max_days`) and the current run (for `max_consecutive_days`); each
//! date's plans are enumerated worker by worker. That is exact, and small
//! enough for the tiny preset.

use std::collections::{BTreeSet, HashMap};

use farmhand::generate::{generate, make_separable, Preset};
use farmhand::{check, haversine_km, solve, Assignment, Problem, Solution};
use proptest::prelude::*;

use crate::solve_checked;

/// The optimum as (weighted fill, shortage imbalance, objective km).
type Key = (i64, f64, f64);

/// Fill up, then imbalance down, then km down, with float ties.
fn better(a: Key, b: Key) -> bool {
    if a.0 != b.0 {
        return a.0 > b.0;
    }
    if (a.1 - b.1).abs() > 1e-9 {
        return a.1 < b.1;
    }
    a.2 < b.2 - 1e-9
}

fn all_dates(problem: &Problem) -> Vec<String> {
    let parse = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let first = problem.demands.iter().map(|d| parse(&d.start)).min().unwrap();
    let last = problem.demands.iter().map(|d| parse(&d.end)).max().unwrap();
    let mut out = Vec::new();
    let mut d = first;
    while d <= last {
        out.push(d.format("%Y-%m-%d").to_string());
        d = d.succ_opt().unwrap();
    }
    out
}

/// One date's feasible plan: per worker a demand index + 1, or 0.
struct DayPlan {
    pick: Vec<u16>,
    fill: i64,
    imbalance: f64,
    km: f64,
}

/// The exact lexicographic optimum of a small problem, every rule obeyed.
fn exact_optimum(problem: &Problem) -> Key {
    let opts = &problem.options;
    let dates = all_dates(problem);
    let (workers, demands) = (&problem.workers, &problem.demands);
    let km = |w: usize, d: usize| {
        let (wk, dem) = (&workers[w], &demands[d]);
        problem
            .travel
            .iter()
            .find(|t| t.worker_id == wk.id && t.farm_id == dem.farm_id)
            .map_or_else(|| haversine_km(wk.location, dem.location), |t| t.km)
    };
    let eligible = |w: usize, d: usize, date: &str| {
        let (wk, dem) = (&workers[w], &demands[d]);
        wk.availability.iter().any(|r| r.start.as_str() <= date && date <= r.end.as_str())
            && dem.start.as_str() <= date
            && date <= dem.end.as_str()
            && km(w, d) <= wk.max_travel_km.unwrap_or(opts.default_max_travel_km) + 1e-9
            && dem.required_skills.iter().all(|(s, &l)| wk.skills.get(s).is_some_and(|&h| h >= l))
            && !wk.excluded_farms.contains(&dem.farm_id)
    };
    let has = |list: &[Assignment], w: usize, d: usize, date: &str| {
        list.iter()
            .any(|a| a.worker_id == workers[w].id && a.demand_id == demands[d].id && a.date == date)
    };
    // Per date, every feasible plan (rules 1-7, 9, 10).
    let mut plans_by_date: Vec<Vec<DayPlan>> = Vec::new();
    for date in &dates {
        let choices: Vec<Vec<u16>> = (0..workers.len())
            .map(|w| {
                let locked = (0..demands.len()).find(|&d| has(&problem.locked, w, d, date));
                match locked {
                    Some(d) => vec![d as u16 + 1],
                    None => std::iter::once(0)
                        .chain(
                            (0..demands.len())
                                .filter(|&d| eligible(w, d, date))
                                .map(|d| d as u16 + 1),
                        )
                        .collect(),
                }
            })
            .collect();
        let mut plans = Vec::new();
        let mut idx = vec![0usize; workers.len()];
        loop {
            let pick: Vec<u16> = idx.iter().zip(&choices).map(|(&i, c)| c[i]).collect();
            if let Some(plan) = price(problem, &pick, date, &km, &has) {
                plans.push(plan);
            }
            let mut i = 0;
            while i < idx.len() {
                idx[i] += 1;
                if idx[i] < choices[i].len() {
                    break;
                }
                idx[i] = 0;
                i += 1;
            }
            if i == idx.len() {
                break;
            }
        }
        plans_by_date.push(plans);
    }
    // Dynamic programming over dates. State per worker: (yesterday's
    // demand + 1 or 0, dates worked, current run).
    let mut states: HashMap<Vec<(u16, u16, u16)>, Key> = HashMap::new();
    states.insert(vec![(0, 0, 0); workers.len()], (0, 0.0, 0.0));
    for plans in &plans_by_date {
        let mut next: HashMap<Vec<(u16, u16, u16)>, Key> = HashMap::new();
        for (state, &value) in &states {
            'plans: for plan in plans {
                let mut new_state = Vec::with_capacity(workers.len());
                let mut pairs = 0;
                for (w, wk) in workers.iter().enumerate() {
                    let (yesterday, count, run) = state[w];
                    let today = plan.pick[w];
                    if today == 0 {
                        new_state.push((0, count, 0));
                        continue;
                    }
                    if wk.max_days.is_some_and(|m| i64::from(count) + 1 > m)
                        || wk.max_consecutive_days.is_some_and(|m| i64::from(run) + 1 > m)
                    {
                        continue 'plans;
                    }
                    if today == yesterday {
                        pairs += 1;
                    }
                    // Only limited workers need their counts in the state.
                    let count = if wk.max_days.is_some() { count + 1 } else { 0 };
                    let run = if wk.max_consecutive_days.is_some() { run + 1 } else { 0 };
                    new_state.push((today, count, run));
                }
                let v = (
                    value.0 + plan.fill,
                    value.1 + plan.imbalance,
                    value.2 + plan.km - opts.continuity_bonus_km * f64::from(pairs),
                );
                let slot = next.entry(new_state).or_insert((i64::MIN, 0.0, 0.0));
                if better(v, *slot) {
                    *slot = v;
                }
            }
        }
        states = next;
    }
    states.into_values().reduce(|a, b| if better(a, b) { a } else { b }).unwrap()
}

/// Whether a list (`locked`, `previous`) holds (worker, demand, date).
type Listed<'a> = dyn Fn(&[Assignment], usize, usize, &str) -> bool + 'a;

/// A date's plan priced, or None when it breaks a slot's headcount or a crew.
fn price(
    problem: &Problem,
    pick: &[u16],
    date: &str,
    km: &dyn Fn(usize, usize) -> f64,
    has: &Listed<'_>,
) -> Option<DayPlan> {
    let opts = &problem.options;
    let mut filled = vec![0i64; problem.demands.len()];
    let mut crew_on: HashMap<&str, u16> = HashMap::new();
    let (mut fill, mut cost) = (0, 0.0);
    for (w, &p) in pick.iter().enumerate() {
        if p == 0 {
            continue;
        }
        let d = usize::from(p - 1);
        let (wk, dem) = (&problem.workers[w], &problem.demands[d]);
        filled[d] += 1;
        if filled[d] > dem.workers_per_day {
            return None;
        }
        if let Some(c) = &wk.crew {
            if *crew_on.entry(c.as_str()).or_insert(p) != p {
                return None;
            }
        }
        fill += dem.priority;
        cost += km(w, d);
        if wk.preferred_farms.contains(&dem.farm_id) {
            cost -= opts.preference_bonus_km;
        }
        if has(&problem.previous, w, d, date) {
            cost -= opts.stability_bonus_km;
        }
    }
    // Level 2 counts only when shortage is shared (the spec's objective).
    let mut imbalance = 0.0;
    for (d, dem) in problem.demands.iter().enumerate() {
        if opts.share_shortage && dem.start.as_str() <= date && date <= dem.end.as_str() {
            let short = (dem.workers_per_day - filled[d]) as f64;
            imbalance += short * short / dem.workers_per_day as f64;
        }
    }
    Some(DayPlan { pick: pick.to_vec(), fill, imbalance, km: cost })
}

/// Solves, checks, and compares with the exact optimum: the same weighted
/// fill and imbalance, and `objective_km` within 0.5 % (or 1 m) of it.
fn assert_near_optimal(problem: &Problem, what: &str) -> Solution {
    let s = solve(problem).unwrap();
    let report = check(problem, &s);
    assert!(report.ok, "{what}: {:#?}", &report.violations[..report.violations.len().min(5)]);
    let opt = exact_optimum(problem);
    let sum = &s.summary;
    assert_eq!(sum.weighted_fill, opt.0, "{what}: weighted fill");
    if problem.options.share_shortage {
        assert!(
            (sum.shortage_imbalance - opt.1).abs() < 1e-9,
            "{what}: imbalance {sum:?} vs {opt:?}"
        );
    }
    let slack = 0.005 * opt.2.abs() + 1e-3;
    assert!(
        sum.objective_km <= opt.2 + slack,
        "{what}: objective {} vs {}",
        sum.objective_km,
        opt.2
    );
    // Never better than the optimum (the oracle would be wrong).
    assert!(sum.objective_km >= opt.2 - 1e-6, "{what}: objective below the optimum");
    if sum.optimal == Some(true) {
        assert!((sum.objective_km - opt.2).abs() < 1e-3, "{what}: optimal claimed");
    }
    s
}

/// Tiny problems with one coupling feature at a time (and all of them).
fn variants(seed: u64) -> Vec<(String, Problem)> {
    let full = generate(Preset::Tiny, seed);
    let mut sep = full.clone();
    make_separable(&mut sep);
    let mut out = Vec::new();
    let mut continuity = sep.clone();
    continuity.options.continuity_bonus_km = 10.0;
    out.push(("continuity".to_string(), continuity));
    let mut max_days = sep.clone();
    let mut max_consecutive = sep.clone();
    let mut crews = sep.clone();
    for (i, w) in full.workers.iter().enumerate() {
        max_days.workers[i].max_days = w.max_days.or((i % 2 == 0).then_some(1));
        max_consecutive.workers[i].max_consecutive_days =
            w.max_consecutive_days.or((i % 2 == 1).then_some(1));
        crews.workers[i].crew = w.crew.clone().or((i < 2).then(|| "crew-test".to_string()));
    }
    out.push(("max_days".to_string(), max_days));
    out.push(("max_consecutive_days".to_string(), max_consecutive));
    out.push(("crew".to_string(), crews));
    out.push(("all".to_string(), full));
    out.into_iter().map(|(name, p)| (format!("seed {seed} {name}"), p)).collect()
}

#[test]
fn continuity_is_optimised_like_brute_force() {
    let mut proven = 0;
    for seed in 0..25 {
        let (what, p) = &variants(seed)[0];
        let s = assert_near_optimal(p, what);
        proven += usize::from(s.summary.optimal == Some(true));
    }
    // The schedules bound is tight on these, so every plan is proven
    // optimal (and `assert_near_optimal` holds every claim to the oracle).
    assert_eq!(proven, 25, "only {proven} of 25 proven optimal");
}

#[test]
fn max_days_fill_equals_brute_force() {
    for seed in 0..25 {
        let (what, p) = &variants(seed)[1];
        assert_near_optimal(p, what);
    }
}

#[test]
fn max_consecutive_days_fill_equals_brute_force() {
    for seed in 0..25 {
        let (what, p) = &variants(seed)[2];
        assert_near_optimal(p, what);
    }
}

#[test]
fn crews_fill_equals_brute_force() {
    for seed in 0..25 {
        let (what, p) = &variants(seed)[3];
        assert_near_optimal(p, what);
    }
}

#[test]
fn every_coupling_rule_at_once_equals_brute_force() {
    for seed in 0..25 {
        let (what, p) = &variants(seed)[4];
        let mut p = p.clone();
        // Yesterday's plan as `previous` and a locked assignment too.
        let first = solve(&p).unwrap();
        for (i, a) in first.assignments.iter().enumerate() {
            let a = Assignment::new(&a.worker_id, &a.demand_id, &a.date);
            if i % 2 == 0 {
                p.previous.push(a.clone());
            }
            if i == 1 {
                p.locked.push(a);
            }
        }
        assert_near_optimal(&p, what);
    }
}

/// With `share_shortage` off, level 2 does not exist: the searches across
/// dates must rank by km right after the fill, as each date's flow does.
/// They used to keep ranking by imbalance, and dropped a `previous`
/// assignment (a person to call) to fill a later date more evenly.
#[test]
fn without_shared_shortage_the_km_decide_after_the_fill() {
    let text = r#"{"workers": [
        {"id": "A", "location": {"lat": 35.9, "lon": 127.1},
         "availability": [{"start": "2026-05-04", "end": "2026-05-05"}]},
        {"id": "B", "location": {"lat": 35.9, "lon": 127.11},
         "availability": [{"start": "2026-05-04", "end": "2026-05-06"}], "max_consecutive_days": 2}],
      "demands": [{"id": "d1", "farm_id": "f1", "location": {"lat": 35.91, "lon": 127.1},
         "start": "2026-05-04", "end": "2026-05-06", "workers_per_day": 2}],
      "previous": [{"worker_id": "B", "demand_id": "d1", "date": "2026-05-04"},
                   {"worker_id": "B", "demand_id": "d1", "date": "2026-05-05"}],
      "options": {"share_shortage": false, "continuity_bonus_km": 0}}"#;
    let problem = Problem::from_json(text).unwrap();
    let s = assert_near_optimal(&problem, "two workers, share_shortage off");
    assert!(s.dropped_previous.is_empty(), "{:?}", s.dropped_previous);
    for seed in 0..25 {
        let (what, p) = &variants(seed)[4];
        let mut p = p.clone();
        p.options.share_shortage = false;
        let first = solve(&p).unwrap();
        for a in first.assignments.iter().step_by(2) {
            p.previous.push(Assignment::new(&a.worker_id, &a.demand_id, &a.date));
        }
        assert_near_optimal(&p, &format!("{what}, share_shortage off"));
    }
}

/// Members of a crew who work on a date work on one demand, read straight
/// from the output.
fn crews_are_whole(problem: &Problem, s: &Solution) -> bool {
    let crew_of: HashMap<&str, &str> = problem
        .workers
        .iter()
        .filter_map(|w| w.crew.as_deref().map(|c| (w.id.as_str(), c)))
        .collect();
    let mut seen: HashMap<(&str, &str), &str> = HashMap::new();
    s.assignments.iter().all(|a| match crew_of.get(a.worker_id.as_str()) {
        Some(&c) => *seen.entry((c, a.date.as_str())).or_insert(&a.demand_id) == a.demand_id,
        None => true,
    })
}

#[test]
fn crews_are_never_split() {
    let mut crews_seen = 0;
    for seed in 0..4 {
        // The small preset has standing crews of 2-5 neighbours.
        let p = generate(Preset::Small, seed);
        let s = solve(&p).unwrap();
        assert!(crews_are_whole(&p, &s), "seed {seed}");
        let crews: BTreeSet<&str> = p.workers.iter().filter_map(|w| w.crew.as_deref()).collect();
        crews_seen += crews.len();
    }
    assert!(crews_seen > 0, "the test must meet crews");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Coupled generated problems: every solution passes the checker, crews
    /// stay whole, and the fill never exceeds its bound.
    #[test]
    fn coupled_solutions_pass_the_checker(
        seed in 0u64..10_000,
        small in any::<bool>(),
        // No bonus a quarter of the time: day limits without it take their
        // own path (the ordered pass, then calendar moves and kicks).
        continuity in prop_oneof![1 => Just(0.0f64), 3 => 0.0f64..40.0],
        limit_share in 0u32..3,
        // A time limit now and then, short enough to cut the search of the
        // small preset: the dates it reached are merged with the repaired
        // plan's, which must still keep every rule.
        time_limit in prop_oneof![3 => Just(None), 1 => (1i64..60).prop_map(Some)],
    ) {
        let mut p = generate(if small { Preset::Small } else { Preset::Tiny }, seed);
        p.options.continuity_bonus_km = continuity;
        p.options.time_limit_ms = time_limit;
        for (i, w) in p.workers.iter_mut().enumerate() {
            if (i as u32) % 3 < limit_share {
                w.max_days = w.max_days.or(Some(2));
                w.max_consecutive_days = w.max_consecutive_days.or(Some(2));
            }
        }
        let s = solve(&p).unwrap();
        let report = check(&p, &s);
        prop_assert!(report.ok, "{:#?}", &report.violations[..report.violations.len().min(5)]);
        prop_assert!(crews_are_whole(&p, &s));
        prop_assert!(s.summary.weighted_fill <= s.summary.weighted_fill_bound);
    }
}

/// A time limit the search never reaches changes nothing: the same plan
/// as without one. It used to skip the search under any limit and
/// improve the repaired relaxed plan instead, so a generous limit gave a
/// worse plan than none (Wanju, continuity only: 4,150.7 km against
/// 1,685.0). The tiny problems are below the size of the searches only
/// run without a limit (`subsets`).
#[test]
fn a_generous_time_limit_plans_like_none() {
    for seed in 0..8 {
        for (what, p) in variants(seed) {
            let none = solve_checked(&p);
            let mut limited = p.clone();
            limited.options.time_limit_ms = Some(60_000);
            let s = solve_checked(&limited);
            assert_eq!(s.assignments, none.assignments, "{what}");
            assert_eq!(s.summary.objective_km, none.summary.objective_km, "{what}");
            assert_eq!(s.summary.optimal, none.summary.optimal, "{what}");
            // A limit that cut nothing says nothing.
            assert!(
                !s.warnings.iter().any(|w| w.contains("time limit")),
                "{what}: {:?}",
                s.warnings
            );
        }
    }
}

/// A plan that the time limit made differ from the plan without one says
/// so in a warning, whatever the limit cut: dates left to the greedy plan,
/// a date's solve, the search across dates skipped or stopped.
#[test]
fn a_limit_that_changed_the_plan_says_so() {
    let mut changed = 0;
    for seed in 1..=4 {
        let p = generate(Preset::Small, seed);
        let none = solve_checked(&p);
        for limit in [1, 5, 20, 60] {
            let mut limited = p.clone();
            limited.options.time_limit_ms = Some(limit);
            let s = solve_checked(&limited);
            if s.assignments != none.assignments {
                changed += 1;
                let said = s.warnings.iter().any(|w| w.contains("time limit"));
                assert!(said, "seed {seed} at {limit} ms: {:?}", s.warnings);
            }
        }
    }
    assert!(changed > 0, "no limit changed any plan: the test tests nothing");
}

/// The schedules bound (`bench_api::path_lower_bound`) never exceeds the
/// exact optimum of a problem coupled only by continuity, and on these tiny
/// problems reaches it.
#[test]
fn the_schedules_bound_is_below_the_optimum() {
    let mut gaps = Vec::new();
    for seed in 0..25 {
        let (what, p) = &variants(seed)[0];
        let opt = exact_optimum(p);
        let inst = farmhand::validate(p).unwrap();
        let s = solve(p).unwrap();
        let Some(b) = farmhand::bench_api::path_lower_bound(&inst, 300, s.summary.objective_km)
        else {
            continue;
        };
        assert!(b.km <= opt.2 + 1e-6, "{what}: bound {} above the optimum {}", b.km, opt.2);
        // And tight here: the schedules' relaxation loses nothing on these.
        assert!(
            opt.2 - b.km <= 0.01 * opt.2.abs() + 0.05,
            "{what}: bound {} far below {}",
            b.km,
            opt.2
        );
        gaps.push(opt.2 - b.km);
    }
    assert!(gaps.len() >= 20, "the bound applies to continuity-only problems");
}

/// The fill bound with day limits (`bench_api::fill_upper_bound`) is never
/// below the exact optimum's weighted fill, whatever couples the dates,
/// and on these tiny problems mostly reaches it.
#[test]
fn the_fill_bound_with_day_limits_is_above_the_optimum() {
    let (mut tight, mut n) = (0, 0);
    for seed in 0..25 {
        for (what, p) in &variants(seed) {
            let opt = exact_optimum(p);
            let inst = farmhand::validate(p).unwrap();
            let Some(b) = farmhand::bench_api::fill_upper_bound(&inst, 2000, opt.0 as f64) else {
                continue;
            };
            assert!(b.weighted >= opt.0 as i64, "{what}: bound {} below {}", b.weighted, opt.0);
            n += 1;
            tight += usize::from(b.weighted == opt.0 as i64);
        }
    }
    assert!(n >= 100, "the bound applies to problems without locked assignments ({n})");
    assert!(tight * 10 >= n * 9, "only {tight} of {n} tight");
}

/// Beyond the tiny oracle: the `small` preset (seed 1) with `max_days` its
/// only day limit (no `max_consecutive_days`, no crews; continuity on). Its
/// exact optimum fills 737, found by the MIP of `benches/exact_mip.py`
/// (HiGHS, proven optimal; its plan passes `farmhand check`), where
/// farmhand's plan used to fill 735. Either change of session 7 reaches
/// 737 on its own: every pair of dates tried jointly in a round on
/// problems this small, or the second search with graded credits.
#[test]
fn max_days_on_the_small_preset_fill_like_the_mip() {
    let mut p = generate(Preset::Small, 1);
    for w in &mut p.workers {
        w.max_consecutive_days = None;
        w.crew = None;
    }
    assert_eq!(p.workers.iter().filter(|w| w.max_days.is_some()).count(), 4);
    let s = solve_checked(&p);
    assert_eq!(s.summary.weighted_fill, 737);
}

/// Where `max_consecutive_days` binds, the fill can need a worker's whole
/// run of dates moved, which pairs of dates cannot do: on the `small`
/// preset seed 1 (every rule, and `max_consecutive_days` as the only
/// limit) the plans were one weighted worker-day short of the exact MIP
/// optimum (732 and 754). Whole calendars priced date by date and chosen
/// by a dynamic programme (`improve::improve_calendars`) reach its fill,
/// and with every rule its shortage imbalance too.
#[test]
fn calendar_moves_reach_the_mip_fill_where_runs_bind() {
    let every_rule = generate(Preset::Small, 1);
    let mut runs_only = every_rule.clone();
    for w in &mut runs_only.workers {
        w.max_days = None;
        w.crew = None;
    }
    let s = solve_checked(&every_rule);
    assert_eq!(s.summary.weighted_fill, 733);
    assert!((s.summary.shortage_imbalance - 105.258_333).abs() < 1e-5);
    let s = solve_checked(&runs_only);
    assert_eq!(s.summary.weighted_fill, 755);
}

/// The `small` preset with every rule (seed 2) and with crews as its only
/// coupling rule besides continuity (seed 3): the exact MIP of
/// `benches/exact_mip.py` (HiGHS, each level proven optimal, its plan
/// passing `farmhand check`) gives the optimum's fill, imbalance and
/// objective_km below. The plans used to end 12.5 % and 51 % above it in
/// km; with the day-limited and crew workers kept on their dates and the
/// rest searched again (`solve::fixed_calendars`) both reach it. Seed 3
/// with every rule was one weighted worker-day short until crews could be
/// sent whole to a demand none of their members took
/// (`improve::improve_crews`); now it is the optimum too. Seed 1, with
/// every rule and with `max_consecutive_days` alone, reached the optimum's
/// fill with the calendar moves but not its km (29 % and 14 % above) until
/// the kicks (`solve::kicks`); now both are the optimum. Seed 1 with crews
/// alone went from 117.9 to 103.6 km with the turns of calendar moves and
/// fixed calendars (`solve::limits_polish`), and reaches the optimum's
/// 100.3 only with the re-searches of random three quarters of the workers
/// (`solve::subsets`): the optimum moves 18 workers at once.
#[test]
fn small_presets_with_limits_reach_the_mip_optimum() {
    let mut runs_only = generate(Preset::Small, 1);
    for w in &mut runs_only.workers {
        w.max_days = None;
        w.crew = None;
    }
    let mut crews_only = generate(Preset::Small, 3);
    for w in &mut crews_only.workers {
        w.max_days = None;
        w.max_consecutive_days = None;
    }
    let mut crews_only_1 = generate(Preset::Small, 1);
    for w in &mut crews_only_1.workers {
        w.max_days = None;
        w.max_consecutive_days = None;
    }
    let mut days_only = generate(Preset::Small, 1);
    for w in &mut days_only.workers {
        w.max_consecutive_days = None;
        w.crew = None;
    }
    // Day limits without the continuity bonus take the same calendar
    // moves and kicks (they once stopped after the improvement rounds,
    // one weighted worker-day short).
    let mut runs_no_bonus = runs_only.clone();
    runs_no_bonus.options.continuity_bonus_km = 0.0;
    let cases = [
        ("small seed 1, days limit only", days_only, (737, 101.258_333, 43.396)),
        (
            "small seed 1, consecutive days only, no bonus",
            runs_no_bonus,
            (755, 86.058_333, 2280.647),
        ),
        ("small seed 2, every rule", generate(Preset::Small, 2), (582, 24.166_667, -654.792)),
        ("small seed 3, crews only", crews_only, (444, 69.625, -265.280)),
        ("small seed 1, crews only", crews_only_1, (760, 81.516_667, 100.328)),
        ("small seed 3, every rule", generate(Preset::Small, 3), (441, 71.125, -241.818)),
        ("small seed 1, every rule", generate(Preset::Small, 1), (733, 105.258_333, 139.489)),
        ("small seed 1, consecutive days only", runs_only, (755, 86.058_333, 119.291)),
    ];
    for (what, p, (fill, imbalance, km)) in cases {
        let s = solve_checked(&p);
        assert_eq!(s.summary.weighted_fill, fill, "{what}");
        assert!(
            (s.summary.shortage_imbalance - imbalance).abs() < 1e-5,
            "{what}: {}",
            s.summary.shortage_imbalance
        );
        // Within 0.5 % of the optimum, the issue's target.
        let gap = (s.summary.objective_km - km) / f64::abs(km);
        assert!(gap <= 0.005, "{what}: {} km against {km}", s.summary.objective_km);
    }
}

/// A day limit that availability can never reach changes nothing and is no
/// limit to the solver either. A review's random problem (7 workers, 3
/// dates) missed its optimum by 24 km because `w4`'s `max_consecutive_days`
/// of 2 (for its 2 available dates) held it more tightly in the searches:
/// the plan kept `w1` and `w2` on `d2` instead of `w4` two days running.
#[test]
fn a_limit_that_cannot_bind_does_not_cost_the_optimum() {
    let problem: Problem = serde_json::from_str(PROBLEM_R107).unwrap();
    assert_reaches_the_optimum(&problem, "without the crew");
}

/// The same problem with its crew (`w1` and `w4`). The schedules that guide
/// the date-ordered pass once left day limits out: they gave `w6` a stay on
/// its preferred `d2` over two dates that its `max_days` of 1 forbids, and
/// `w4` none, so the plan put `w1` on `d2`; the fixed calendars then held
/// crew member `w4` to its empty plan, 24 km above the optimum.
#[test]
fn schedules_that_keep_day_limits_find_the_optimum_with_a_crew() {
    let mut problem: Problem = serde_json::from_str(PROBLEM_R107).unwrap();
    for w in &mut problem.workers {
        if w.id == "w1" || w.id == "w4" {
            w.crew = Some("c1".to_owned());
        }
    }
    assert_reaches_the_optimum(&problem, "with the crew");
}

fn assert_reaches_the_optimum(problem: &Problem, what: &str) {
    let opt = exact_optimum(problem);
    let s = solve_checked(problem);
    assert!(crews_are_whole(problem, &s), "{what}");
    assert_eq!(s.summary.weighted_fill, opt.0, "{what}");
    assert!(
        (s.summary.objective_km - opt.2).abs() < 1e-6,
        "{what}: {} against {}",
        s.summary.objective_km,
        opt.2
    );
}

const PROBLEM_R107: &str = r#"{"workers": [{"id": "w0", "location": {"lat": 35.91626, "lon": 127.19446}, "skills": {"a": 2}, "availability": [{"start": "2026-04-01", "end": "2026-04-02"}], "max_consecutive_days": 1}, {"id": "w1", "location": {"lat": 35.85607, "lon": 127.06269}, "skills": {"a": 3, "b": 1}, "availability": [{"start": "2026-04-03", "end": "2026-04-03"}, {"start": "2026-04-01", "end": "2026-04-01"}], "max_days": 1, "max_consecutive_days": 1, "max_travel_km": 10.41146, "excluded_farms": ["f1"]}, {"id": "w2", "location": {"lat": 35.88686, "lon": 127.16448}, "skills": {"a": 2, "b": 2}, "availability": [{"start": "2026-04-02", "end": "2026-04-02"}], "preferred_farms": ["f1"], "excluded_farms": ["f1"]}, {"id": "w3", "location": {"lat": 35.84387, "lon": 127.01885}, "skills": {"b": 1}, "availability": [{"start": "2026-04-03", "end": "2026-04-03"}], "excluded_farms": ["f0"]}, {"id": "w4", "location": {"lat": 35.90246, "lon": 127.06858}, "skills": {"a": 3}, "availability": [{"start": "2026-04-01", "end": "2026-04-02"}], "max_consecutive_days": 2}, {"id": "w5", "location": {"lat": 35.98952, "lon": 127.14134}, "skills": {"b": 2}, "availability": [{"start": "2026-04-02", "end": "2026-04-03"}], "excluded_farms": ["f1"]}, {"id": "w6", "location": {"lat": 35.9795, "lon": 127.18596}, "skills": {"a": 2}, "availability": [{"start": "2026-04-02", "end": "2026-04-03"}], "max_days": 1, "max_consecutive_days": 1, "preferred_farms": ["f0"]}], "demands": [{"id": "d0", "farm_id": "f1", "location": {"lat": 35.81853, "lon": 127.17972}, "start": "2026-04-02", "end": "2026-04-02", "workers_per_day": 3, "priority": 2, "required_skills": {"b": 2}}, {"id": "d1", "farm_id": "f0", "location": {"lat": 35.97348, "lon": 127.17258}, "start": "2026-04-01", "end": "2026-04-01", "workers_per_day": 1, "priority": 5}, {"id": "d2", "farm_id": "f0", "location": {"lat": 35.81398, "lon": 127.1218}, "start": "2026-04-01", "end": "2026-04-03", "workers_per_day": 1, "priority": 5}], "options": {"continuity_bonus_km": 30, "share_shortage": true, "preference_bonus_km": 20}}"#;

/// One morning's request (the county preset on its busiest date, as the
/// API benchmark sends it): 85 workers in 24 crews. Its relaxed optimum
/// (crews ignored) splits 11 crews. Pinning each split crew to a demand
/// its members took left 12 of its 4,187 weighted fill idle; an exact MIP
/// (`benches/exact_mip.py`, 131 s for the fill level) reaches 4,187 with
/// every crew together, and so must the plan, with the relaxed optimum's
/// imbalance too.
#[test]
fn a_county_day_keeps_its_crews_whole_and_the_relaxed_fill() {
    let mut p = generate(Preset::County, 1);
    farmhand::generate::restrict_to_busiest_date(&mut p);
    let crewed = p.workers.iter().filter(|w| w.crew.is_some()).count();
    assert!(crewed > 50, "the test must meet crews: {crewed}");
    let s = solve_checked(&p);
    assert!(crews_are_whole(&p, &s));
    let mut relaxed = p.clone();
    for w in &mut relaxed.workers {
        w.crew = None;
    }
    let r = solve(&relaxed).unwrap();
    assert_eq!(r.summary.optimal, Some(true));
    assert_eq!(s.summary.weighted_fill_bound, r.summary.weighted_fill);
    assert_eq!(s.summary.weighted_fill, r.summary.weighted_fill);
    assert!((s.summary.shortage_imbalance - r.summary.shortage_imbalance).abs() < 1e-9);
    // The relaxed optimum's km bound the plan's from below.
    assert!(s.summary.objective_km >= r.summary.objective_km - 1e-6);
}

/// A continuity bonus no pair can earn (every demand lasts one date) is
/// no coupling: the plan is the one without the bonus, proven optimal.
#[test]
fn a_bonus_no_pair_can_earn_leaves_the_dates_apart() {
    for seed in 1..4 {
        let mut p = generate(Preset::Small, seed);
        farmhand::generate::restrict_to_busiest_date(&mut p);
        for w in &mut p.workers {
            w.crew = None;
        }
        p.options.continuity_bonus_km = 10.0;
        let with = solve_checked(&p);
        p.options.continuity_bonus_km = 0.0;
        let without = solve_checked(&p);
        assert_eq!(
            (with.summary.optimal, without.summary.optimal),
            (Some(true), Some(true)),
            "seed {seed}"
        );
        assert_eq!(with.assignments, without.assignments, "seed {seed}");
        assert_eq!(with.summary.objective_km, without.summary.objective_km, "seed {seed}");
    }
}
