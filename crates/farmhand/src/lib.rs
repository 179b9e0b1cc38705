//! farmhand matches seasonal farm workers to farms short of hands, by date,
//! distance and skill, exactly.
//!
//! The contract is the wire format of `shared/spec/format.md`, mirrored by the
//! types in [`format`]. The flow is: [`validate`] a [`Problem`] into an
//! [`Instance`], [`solve`] it into a [`Solution`], and [`check`] any solution
//! independently.

mod candidates;
mod check;
mod explain;
mod flow;
pub mod format;
pub mod generate;
mod geo_util;
mod index;
mod model;
mod solve;
mod validate;

pub use check::{check, CheckReport, Violation};
pub use format::*;
pub use geo_util::{haversine_km, EARTH_RADIUS_KM};
pub use model::Instance;
pub use solve::{solve, solve_instance, solve_with, Progress, SolveConfig, SolveError};
pub use validate::{validate, Issue, ValidationError};
