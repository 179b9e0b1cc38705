//! The state shared by every handler: configuration, the engine, the limits,
//! the jobs and the metrics.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};

use crate::config::Config;
use crate::engine::{Engine, Library};
use crate::error::ApiError;
use crate::jobs::JobStore;
use crate::metrics::Metrics;

/// Shared state of the service; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    engine: Arc<dyn Engine>,
    metrics: Metrics,
    jobs: JobStore,
    /// Permits for synchronous requests, running or waiting for a solve:
    /// `max_concurrent_solves + max_waiting`. None left means 503.
    admission: Arc<Semaphore>,
    /// Permits for job submissions being read and validated at once:
    /// `max_queued_jobs`. None left means 503, before the body is read.
    uploads: Arc<Semaphore>,
    /// Permits for solves running on the blocking pool.
    solves: Arc<Semaphore>,
    /// Flips to true once when shutdown begins.
    shutdown: watch::Sender<bool>,
}

impl AppState {
    /// State running the real library.
    pub fn new(config: Config) -> Self {
        Self::with_engine(config, Arc::new(Library))
    }

    /// State running the given engine (tests substitute a controllable one).
    pub fn with_engine(config: Config, engine: Arc<dyn Engine>) -> Self {
        let solves = config.max_concurrent_solves.max(1);
        Self {
            inner: Arc::new(Inner {
                admission: Arc::new(Semaphore::new(solves + config.max_waiting)),
                uploads: Arc::new(Semaphore::new(config.max_queued_jobs.max(1))),
                solves: Arc::new(Semaphore::new(solves)),
                jobs: JobStore::new(&config),
                config,
                engine,
                metrics: Metrics::default(),
                shutdown: watch::channel(false).0,
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub(crate) fn engine(&self) -> Arc<dyn Engine> {
        Arc::clone(&self.inner.engine)
    }

    pub(crate) fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    pub(crate) fn jobs(&self) -> &JobStore {
        &self.inner.jobs
    }

    pub(crate) fn solve_slots(&self) -> Arc<Semaphore> {
        Arc::clone(&self.inner.solves)
    }

    /// Solves running now.
    pub(crate) fn solves_running(&self) -> usize {
        self.inner.config.max_concurrent_solves.max(1) - self.inner.solves.available_permits()
    }

    /// Begins shutdown: readiness fails, new work is refused, jobs are
    /// cancelled and event streams end. Running requests go on.
    pub fn begin_shutdown(&self) {
        if !self.inner.shutdown.send_replace(true) {
            tracing::info!("shutdown begun: refusing new work, cancelling jobs");
            self.inner.jobs.cancel_all();
        }
    }

    /// Resolves once no synchronous request holds a place: every admitted
    /// one has been answered.
    pub(crate) async fn admitted_done(&self) {
        let places = self.inner.config.max_concurrent_solves.max(1) + self.inner.config.max_waiting;
        // Every place back, taken for good: shutdown admits nothing more.
        let places = u32::try_from(places).unwrap_or(u32::MAX);
        if let Ok(all) = self.inner.admission.acquire_many(places).await {
            all.forget();
        }
    }

    /// True once shutdown has begun.
    pub fn is_shutting_down(&self) -> bool {
        *self.inner.shutdown.borrow()
    }

    /// Resolves once shutdown has begun.
    pub async fn shutdown_begun(&self) {
        let mut rx = self.inner.shutdown.subscribe();
        // The sender lives in `self`, so the channel cannot close first.
        let _ = rx.wait_for(|&down| down).await;
    }
}

/// A place among the synchronous requests the service takes on; extracting it
/// fails with 503 when none is left, before the body is read.
pub(crate) struct Admitted(#[allow(dead_code)] pub(crate) OwnedSemaphorePermit);

/// A place among the job submissions being read and validated: extracting
/// it fails with 503 when the job queue is full or too many submissions are
/// already on their way in, before the body is read. Without it, a flood of
/// large submissions would all be held in memory at once.
pub(crate) struct Uploading(#[allow(dead_code)] pub(crate) OwnedSemaphorePermit);

impl FromRequestParts<AppState> for Uploading {
    type Rejection = ApiError;

    async fn from_request_parts(_: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if state.is_shutting_down() {
            return Err(ApiError::ShuttingDown);
        }
        state.jobs().check_room()?;
        Arc::clone(&state.inner.uploads)
            .try_acquire_owned()
            .map(Uploading)
            .map_err(|_| ApiError::Overloaded)
    }
}

impl FromRequestParts<AppState> for Admitted {
    type Rejection = ApiError;

    async fn from_request_parts(_: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if state.is_shutting_down() {
            return Err(ApiError::ShuttingDown);
        }
        Arc::clone(&state.inner.admission)
            .try_acquire_owned()
            .map(Admitted)
            .map_err(|_| ApiError::Overloaded)
    }
}
