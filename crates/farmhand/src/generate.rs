//! A seeded generator of realistic problems (towns, a city, farms in the
//! countryside), for tests, benchmarks and demos.

use crate::format::Problem;

/// Instance sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    /// A handful of workers and demands, for brute-force tests.
    Tiny,
    /// Tens of workers.
    Small,
    /// About 2,000 workers and 1,500 demands over 60 days.
    County,
    /// About 20,000 workers and 15,000 demands over 90 days.
    Province,
    /// About 200,000 workers and 150,000 demands over 120 days.
    National,
}

/// Generates a problem of the given preset; the same seed gives the same problem.
pub fn generate(preset: Preset, seed: u64) -> Problem {
    let _ = (preset, seed);
    unimplemented!("the generator is being written")
}
