//! farmhand matches seasonal farm workers to farms short of hands, by date,
//! distance and skill, exactly.
//!
//! The contract is the wire format of `shared/spec/format.md`, mirrored by the
//! types in [`format`](mod@format). The flow is: [`validate`] a [`Problem`] into an
//! [`Instance`], [`solve`] it into a [`Solution`], and [`check`] any solution
//! independently.
//!
//! ```
//! use farmhand::{check, solve, DateRange, Demand, Location, Problem, Worker};
//!
//! let week = vec![DateRange::new("2026-04-06", "2026-04-10")];
//! let problem = Problem {
//!     workers: vec![
//!         Worker::new("w-jeonju-1", Location::new(35.82, 127.15), week.clone()),
//!         Worker::new("w-samnye-1", Location::new(35.91, 127.07), week),
//!     ],
//!     demands: vec![Demand::new(
//!         "d-strawberry", "farm-samnye-3", Location::new(35.90, 127.08),
//!         "2026-04-06", "2026-04-07", 2,
//!     )],
//!     ..Problem::default()
//! };
//! let solution = solve(&problem)?;
//! assert_eq!(solution.summary.worker_days_filled, 4);
//! assert!(check(&problem, &solution).ok);
//! # Ok::<(), farmhand::SolveError>(())
//! ```

mod bound;
mod candidates;
mod check;
mod explain;
mod flow;
pub mod format;
pub mod generate;
mod geo_util;
mod greedy;
mod improve;
mod index;
mod json;
mod model;
mod simplex;
mod solve;
mod validate;

pub use check::{check, CheckReport, Violation};
pub use format::*;
pub use geo_util::{haversine_km, EARTH_RADIUS_KM};
pub use json::{
    parse_json, parse_json_slice, JsonError, JsonErrorKind, JsonErrors, MAX_JSON_ERRORS,
};
pub use model::Instance;
pub use solve::{solve, solve_instance, solve_with, Progress, SolveConfig, SolveError};
pub use validate::{show as quote_input, validate, Issue, ValidationError};

/// Entry points for the criterion benchmarks under `benches/`: one phase of
/// one date at a time. Not part of the stable API.
#[doc(hidden)]
pub mod bench_api {
    use std::collections::HashMap;

    pub use crate::bound::{fill_upper_bound, path_lower_bound, FillBound, PathBound};
    use crate::candidates::{day_candidates, CandidateContext, DayRules};
    use crate::model::Instance;
    pub use crate::solve::{lagrangian_lower_bounds, solve_measured, Measured};

    /// The arcs of one date, as the solver would build them (all workers
    /// available that date allowed).
    pub struct Day(crate::candidates::DayCandidates);

    /// Builds the candidates of day `day` (0-based from the first demand date).
    pub fn candidates(inst: &Instance, day: u32) -> Day {
        let ctx = CandidateContext::new(inst);
        let allowed: Vec<bool> = inst.workers.iter().map(|w| w.available.contains(day)).collect();
        let rules = DayRules { allowed: &allowed, forced: &HashMap::new() };
        Day(day_candidates(inst, &ctx, day, &rules))
    }

    impl Day {
        /// Number of (worker, demand) arcs.
        pub fn n_arcs(&self) -> usize {
            self.0.transport.arc_demand.len()
        }

        /// Solves the date exactly; returns how many workers were assigned.
        pub fn solve(&self) -> usize {
            let s = crate::flow::solve_transport(&self.0.transport, None, None).expect("no cancel");
            s.assigned.iter().filter(|&&a| a != crate::flow::NONE).count()
        }

        /// Solves the date exactly, started from another date's final basis
        /// when one is given; returns how many workers were assigned and
        /// this date's final basis.
        pub fn solve_warm(&self, warm: Option<&Basis>) -> (usize, Basis) {
            let c = &self.0;
            let ids = crate::flow::Ids { workers: &c.workers, demands: &c.demands };
            let (s, basis) = crate::flow::solve_transport_warm(
                &c.transport,
                ids,
                warm.map(|b| &b.0),
                crate::flow::Ties::Any,
                None,
                None,
            )
            .expect("no cancel");
            let n = s.assigned.iter().filter(|&&a| a != crate::flow::NONE).count();
            (n, Basis(basis.unwrap_or_default()))
        }
    }

    /// A date's final simplex basis, to warm-start the next date from.
    pub struct Basis(crate::simplex::WarmBasis);

    impl Basis {
        /// Nodes of the basis tree not hanging from the root.
        pub fn tree_len(&self) -> usize {
            self.0.tree.len()
        }
    }
}
