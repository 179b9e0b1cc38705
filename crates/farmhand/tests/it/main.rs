//! The one integration-test binary of the core crate: a module per area.

mod coupled;
mod replan;
mod solve;
mod validate;
