//! farmhand-server: the farmhand match API over HTTP.
//!
//! A thin axum layer over the `farmhand` library: it parses, calls the
//! library on tokio's blocking pool, and renders. **No matching logic lives
//! here.** The routes, limits and error shapes are described in this crate's
//! README; the OpenAPI document is served at `/openapi.json`.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use farmhand_server::{serve_on, AppState, Config};
//!
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let state = AppState::new(Config::default());
//! serve_on(listener, state, async { let _ = tokio::signal::ctrl_c().await; }).await
//! # }
//! ```

mod config;
mod engine;
mod error;
mod examples;
mod extract;
mod jobs;
mod metrics;
mod middleware;
mod openapi;
mod routes;
mod server;
mod sheets;
mod state;

pub use config::{Config, LogFormat, ServeArgs};
pub use engine::{Engine, Library};
pub use error::{ErrorBody, ErrorDetail};
pub use jobs::{JobProgress, JobState, JobStatus};
pub use openapi::document as openapi_document;
pub use routes::{CheckRequest, Health, JobEvent, ValidateResponse};
pub use server::{app, init_tracing, run, serve, serve_on};
pub use sheets::{ExportRequest, SheetEncoding, SheetFile, SheetsRequest};
pub use state::AppState;
