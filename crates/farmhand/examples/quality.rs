//! How close coupled plans come to their bounds, and where the time goes.
//!
//! ```sh
//! cargo run --release -p farmhand --example quality -- county wanju
//! TIME_LIMIT_MS=2000 cargo run --release -p farmhand --example quality -- county
//! LAGRANGE=8 cargo run --release -p farmhand --example quality -- county
//! PATHS=1500 cargo run --release -p farmhand --example quality -- wanju county
//! SEED=2 VARIANT=default cargo run --release -p farmhand --example quality -- county
//! FILLBOUND=3000 VARIANT=default cargo run --release -p farmhand --example quality -- county
//! ```
//!
//! With `LAGRANGE=N` the lower bound is the best of `N` Lagrangian
//! iterations (each solves every date again) instead of the solver's own
//! half-and-half bound. With `PATHS=N` it is the schedules bound
//! (`bench_api::path_lower_bound`, `N` subgradient steps; continuity
//! variants only), much the strongest.
//!
//! With `FILLBOUND=N` it also prints the upper bound on the weighted fill
//! that sees day limits (`bench_api::fill_upper_bound`, `N` subgradient
//! steps aimed at the plan's fill), next to the per-date bound.
//!
//! `SEED` picks the generator's seed (1 unless set), `VARIANT` runs only
//! `default` or only `continuity`.
//!
//! For each preset it solves two variants: `default` (continuity,
//! day limits, crews) and `continuity` (the continuity bonus only: day limits
//! and crews removed, so the weighted fill reaches its bound and the relaxed
//! lower bound on the cost applies). It prints one markdown row per run: the
//! fill against its bound, `objective_km` against the lower bound (the gap
//! only when the fill reached the bound, where the bound holds), the
//! improvement rounds and moves, the end of each phase in ms, and the
//! independent check.

use farmhand::bench_api::{
    fill_upper_bound, lagrangian_lower_bounds, path_lower_bound, solve_measured, Measured,
};
use farmhand::generate::{generate, Preset};
use farmhand::{check, validate, Problem, SolveConfig};

fn main() {
    let presets: Vec<String> = std::env::args().skip(1).collect();
    let limit: Option<i64> = std::env::var("TIME_LIMIT_MS").ok().and_then(|v| v.parse().ok());
    let seed: u64 = std::env::var("SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(1);
    let only: Option<String> = std::env::var("VARIANT").ok();
    println!(
        "| preset | variant | limit ms | weighted / bound | objective km | lower bound km | gap | rounds / moves | relaxed, repaired, improved, greedy, total ms | check |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for name in &presets {
        let preset = match name.as_str() {
            "tiny" => Preset::Tiny,
            "small" => Preset::Small,
            "county" => Preset::County,
            "province" => Preset::Province,
            "wanju" => Preset::Wanju,
            other => panic!("unknown preset {other}"),
        };
        let default = generate(preset, seed);
        let mut continuity = default.clone();
        for w in &mut continuity.workers {
            w.max_days = None;
            w.max_consecutive_days = None;
            w.crew = None;
        }
        for (variant, mut problem) in [("default", default), ("continuity", continuity)] {
            if only.as_deref().is_some_and(|o| o != variant) {
                continue;
            }
            problem.options.time_limit_ms = limit;
            row(name, variant, &problem, limit);
        }
    }
}

fn row(name: &str, variant: &str, problem: &Problem, limit: Option<i64>) {
    let inst = validate(problem).expect("generated problems are valid");
    let m: Measured = solve_measured(&inst, &SolveConfig::default()).expect("no cancel");
    let s = &m.solution.summary;
    let ok = if check(problem, &m.solution).ok { "ok" } else { "FAILED" };
    let iterations: usize =
        std::env::var("LAGRANGE").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    let paths: usize = std::env::var("PATHS").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    let fill_steps: usize =
        std::env::var("FILLBOUND").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    if fill_steps > 0 {
        let t = std::time::Instant::now();
        if let Some(b) = fill_upper_bound(&inst, fill_steps, s.weighted_fill as f64) {
            eprintln!(
                "{name} {variant}: fill bound with day limits {} (per-date bound {}, plan {}; {:.3} % above the plan) after {} iterations, {:.1} s",
                b.weighted,
                s.weighted_fill_bound,
                s.weighted_fill,
                100.0 * (b.weighted as f64 - s.weighted_fill as f64) / s.weighted_fill as f64,
                b.iterations,
                t.elapsed().as_secs_f64()
            );
        }
    }
    let lower = if paths > 0 {
        let t = std::time::Instant::now();
        let b = path_lower_bound(&inst, paths, s.objective_km);
        if let Some(b) = b {
            eprintln!(
                "{name} {variant}: path bound {:.1} km after {} iterations, {:.1} s",
                b.km,
                b.iterations,
                t.elapsed().as_secs_f64()
            );
        }
        b.map(|b| b.km)
    } else if iterations > 0 {
        lagrangian_lower_bounds(&inst, iterations).into_iter().reduce(f64::max)
    } else {
        m.lower_bound_km
    };
    let (lb, gap) = match lower {
        Some(lb) => {
            let gap = if s.weighted_fill == s.weighted_fill_bound {
                format!("{:.2} %", 100.0 * (s.objective_km - lb) / lb.abs().max(1.0))
            } else {
                "(fill below bound)".to_string()
            };
            (format!("{lb:.1}"), gap)
        }
        None => ("-".to_string(), "-".to_string()),
    };
    let p = m.phase_ms;
    println!(
        "| {name} | {variant} | {} | {} / {} | {:.1} | {lb} | {gap} | {} / {} | {:.0}, {:.0}, {:.0}, {:.0}, {:.0} | {ok} |",
        limit.map_or("-".to_string(), |l| l.to_string()),
        s.weighted_fill,
        s.weighted_fill_bound,
        s.objective_km,
        m.rounds,
        m.moves,
        p[0],
        p[1],
        p[2],
        p[3],
        p[4],
    );
}
