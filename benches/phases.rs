//! criterion benchmarks of farmhand's phases on fixed, seeded instances.
//!
//! Run with `cargo bench -p farmhand --bench phases`. Each benchmark works on
//! one busy date (the middle of the season) of the county and province
//! presets, made date-separable, so that a sample takes seconds, not hours;
//! whole-run figures come from `benches/run.sh`.

// criterion's macros define undocumented functions.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use farmhand::generate::{generate, make_separable, Preset};
use farmhand::{bench_api, validate, Problem};

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

criterion_group!(benches, phases);
criterion_main!(benches);
