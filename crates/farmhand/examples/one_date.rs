//! Times one date's candidates and exact solve on a generated preset (made
//! date-separable), for presets too big for criterion's repeated samples:
//! `cargo run --release -p farmhand --example one_date -- national [DAY...]`.
//! The default day is the middle of the season.
#![allow(missing_docs)]
use farmhand::generate::{generate, make_separable, Preset};
use farmhand::{bench_api, validate};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let preset = match args.get(1).map_or("county", String::as_str) {
        "county" => Preset::County,
        "province" => Preset::Province,
        "national" => Preset::National,
        "small" => Preset::Small,
        other => {
            eprintln!("unknown preset {other:?}; expected small, county, province or national");
            std::process::exit(2);
        }
    };
    let t = Instant::now();
    let mut p = generate(preset, 1);
    make_separable(&mut p);
    let inst = validate(&p).unwrap();
    eprintln!("gen+validate {:?}", t.elapsed());
    let days: Vec<u32> = if args.len() > 2 {
        args[2..].iter().map(|s| s.parse().unwrap()).collect()
    } else {
        vec![inst.n_days() / 2]
    };
    // FARMHAND_WARM=1: each listed date starts from the previous one's basis.
    let warm = std::env::var("FARMHAND_WARM").is_ok_and(|v| v == "1");
    let mut basis = None;
    // FARMHAND_CANDIDATES_ONLY=1: build the candidates, do not solve.
    let candidates_only = std::env::var("FARMHAND_CANDIDATES_ONLY").is_ok_and(|v| v == "1");
    for day in days {
        let t = Instant::now();
        let c = bench_api::candidates(&inst, day);
        let tc = t.elapsed();
        if candidates_only {
            eprintln!("day {day}: arcs {} cand {tc:?}", c.n_arcs());
            continue;
        }
        let t = Instant::now();
        let n = if warm {
            let (n, b) = c.solve_warm(basis.as_ref());
            basis = Some(b);
            n
        } else {
            c.solve()
        };
        eprintln!(
            "day {day}: arcs {} cand {:?} solve {:?} assigned {n}",
            c.n_arcs(),
            tc,
            t.elapsed()
        );
    }
}
