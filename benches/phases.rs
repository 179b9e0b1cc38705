//! criterion benchmarks of farmhand's phases on fixed, seeded instances.
//!
//! Run with `cargo bench -p farmhand --bench phases`. Each benchmark works on
//! one busy date (the middle of the season) of the county and province
//! presets, made date-separable, so that a sample takes seconds, not hours;
//! whole-run figures come from `benches/run.sh`.
//!
//! The `county-day` group follows one request of the HTTP benchmark (the
//! county preset restricted to its busiest date, default options) through
//! every phase: parse, validate, solve without and with explanations (the
//! difference is the explain phase), and write.

// criterion's macros define undocumented functions.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use farmhand::generate::{generate, make_separable, restrict_to_busiest_date, Preset};
use farmhand::{bench_api, solve_instance, validate, Problem, SolveConfig};

fn problem(preset: Preset) -> Problem {
    let mut p = generate(preset, 1);
    make_separable(&mut p);
    p
}

fn phases(c: &mut Criterion) {
    for preset in [Preset::County, Preset::Province] {
        let p = problem(preset);
        let name = preset.name();
        let text = serde_json::to_string(&p).unwrap();
        let mut g = c.benchmark_group(name);
        g.sample_size(10);
        g.bench_function("parse", |b| b.iter(|| Problem::from_json(&text).unwrap()));
        g.bench_function("validate", |b| b.iter(|| validate(&p).unwrap()));
        let inst = validate(&p).unwrap();
        let day = inst.n_days() / 2;
        g.bench_function("candidates_one_day", |b| {
            b.iter(|| bench_api::candidates(&inst, day).n_arcs())
        });
        let cands = bench_api::candidates(&inst, day);
        g.bench_function("solve_one_day", |b| b.iter(|| cands.solve()));
        g.finish();
    }
}

fn county_day(c: &mut Criterion) {
    let mut p = generate(Preset::County, 1);
    restrict_to_busiest_date(&mut p);
    let text = serde_json::to_string(&p).unwrap();
    let mut g = c.benchmark_group("county-day");
    g.sample_size(20);
    g.bench_function("parse", |b| b.iter(|| Problem::from_json(&text).unwrap()));
    g.bench_function("validate", |b| b.iter(|| validate(&p).unwrap()));
    let config = SolveConfig::default();
    let mut quiet = p.clone();
    quiet.options.explain = false;
    let quiet = validate(&quiet).unwrap();
    g.bench_function("solve_without_explain", |b| {
        b.iter(|| solve_instance(&quiet, &config).unwrap())
    });
    let inst = validate(&p).unwrap();
    g.bench_function("solve_with_explain", |b| b.iter(|| solve_instance(&inst, &config).unwrap()));
    let solution = solve_instance(&inst, &config).unwrap();
    g.bench_function("write", |b| b.iter(|| serde_json::to_vec(&solution).unwrap()));
    g.finish();
}

criterion_group!(benches, phases, county_day);
criterion_main!(benches);
