//! The one integration-test binary of the core crate: a module per area.

mod coupled;
mod solve;
mod validate;
