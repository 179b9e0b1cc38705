//! The integration tests of farmhand-server, in one binary.

mod e2e;
mod handlers;
mod openapi;
mod sheets;
mod support;
