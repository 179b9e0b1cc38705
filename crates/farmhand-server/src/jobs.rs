//! Jobs: problems solved in the background, polled or followed by the client.
//!
//! A job is `queued` until a solve slot frees, then `running`, then `done`,
//! `failed` or `cancelled`. **Memory stays bounded**: at most
//! `max_queued_jobs` wait, at most `max_concurrent_solves` run, and finished
//! jobs are dropped after `job_ttl` or when more than `max_finished_jobs` are
//! held (oldest first).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use farmhand::{Problem, Progress, SolveConfig, SolveError};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::config::Config;
use crate::error::ApiError;
use crate::routes::solve_in_slot;
use crate::state::AppState;

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for a free solve slot.
    Queued,
    /// Being solved.
    Running,
    /// Solved; the solution is at `solution_url`.
    Done,
    /// The solve failed (a bug on the server; `error` says little more).
    Failed,
    /// Cancelled by `DELETE` or by server shutdown.
    Cancelled,
}

impl JobState {
    /// The state as it appears in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }

    /// True for `done`, `failed` and `cancelled`.
    pub fn is_finished(self) -> bool {
        matches!(self, JobState::Done | JobState::Failed | JobState::Cancelled)
    }
}

/// Dates solved out of dates to solve (both 0 before the solver starts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobProgress {
    /// Date solves done so far, over every pass.
    pub dates_done: u32,
    /// Date solves to do: the dates, at first; a problem whose dates couple
    /// plans them again, pass after pass, and each pass adds the number of
    /// dates as it starts, so this grows and `dates_done` never goes back.
    pub dates_total: u32,
}

/// What the service says about a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct JobStatus {
    /// The job's id.
    pub id: String,
    /// Where the job is in its life.
    pub status: JobState,
    /// Dates solved out of dates to solve.
    pub progress: JobProgress,
    /// Milliseconds since the job was submitted (until it finished, once it has).
    pub elapsed_ms: f64,
    /// This job's URL (`GET` for status, `DELETE` to cancel).
    pub url: String,
    /// Server-sent events with progress and the final status.
    pub events_url: String,
    /// The solution, once `status` is `done`.
    pub solution_url: String,
    /// Why the job failed (`failed` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A job's changing part, published through a watch channel so that event
/// streams see every change.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    pub(crate) state: JobState,
    progress: JobProgress,
    finished: Option<Instant>,
    /// The solution as JSON, serialised once on the blocking pool.
    solution: Option<Bytes>,
    error: Option<String>,
}

/// One job.
#[derive(Debug)]
pub(crate) struct Job {
    id: String,
    created: Instant,
    cancel: Arc<AtomicBool>,
    snapshot: watch::Sender<Snapshot>,
}

impl Job {
    pub(crate) fn status(&self) -> JobStatus {
        self.render(&self.snapshot.borrow())
    }

    pub(crate) fn render(&self, s: &Snapshot) -> JobStatus {
        let end = s.finished.unwrap_or_else(Instant::now);
        let url = format!("/v1/jobs/{}", self.id);
        JobStatus {
            id: self.id.clone(),
            status: s.state,
            progress: s.progress,
            elapsed_ms: end.duration_since(self.created).as_secs_f64() * 1e3,
            events_url: format!("{url}/events"),
            solution_url: format!("{url}/solution"),
            url,
            error: s.error.clone(),
        }
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<Snapshot> {
        self.snapshot.subscribe()
    }

    /// The solution JSON when done, else the status.
    pub(crate) fn solution(&self) -> Result<Bytes, Box<JobStatus>> {
        let s = self.snapshot.borrow();
        match (&s.solution, s.state) {
            (Some(bytes), JobState::Done) => Ok(bytes.clone()),
            _ => Err(Box::new(self.render(&s))),
        }
    }

    /// Cancels a queued or running job; cancelling a cancelled job is a no-op.
    pub(crate) fn cancel(&self) -> Result<JobStatus, ApiError> {
        self.cancel.store(true, Ordering::Relaxed);
        self.snapshot.send_if_modified(|s| match s.state {
            JobState::Queued | JobState::Running => {
                s.state = JobState::Cancelled;
                s.finished = Some(Instant::now());
                true
            }
            _ => false,
        });
        let status = self.status();
        match status.status {
            JobState::Done | JobState::Failed => Err(ApiError::JobFinished(Box::new(status))),
            _ => Ok(status),
        }
    }

    /// Queued to running; false when the job was cancelled meanwhile.
    fn start(&self) -> bool {
        self.snapshot.send_if_modified(|s| {
            let start = s.state == JobState::Queued;
            if start {
                s.state = JobState::Running;
            }
            start
        })
    }

    fn progress(&self, p: Progress) {
        // Solver threads report out of order; progress never goes back.
        self.snapshot.send_if_modified(|s| {
            let newer = s.state == JobState::Running
                && (p.dates_done > s.progress.dates_done
                    || p.dates_total != s.progress.dates_total);
            if newer {
                s.progress = JobProgress {
                    dates_done: p.dates_done.max(s.progress.dates_done),
                    dates_total: p.dates_total,
                };
            }
            newer
        });
    }

    /// Running to done, failed or cancelled; a job cancelled meanwhile stays
    /// cancelled.
    fn finish(&self, outcome: Result<Bytes, Option<String>>) {
        self.snapshot.send_if_modified(|s| {
            if s.state != JobState::Running {
                return false;
            }
            s.finished = Some(Instant::now());
            match outcome {
                Ok(bytes) => {
                    s.state = JobState::Done;
                    s.progress.dates_done = s.progress.dates_total;
                    s.solution = Some(bytes);
                }
                Err(Some(error)) => {
                    s.state = JobState::Failed;
                    s.error = Some(error);
                }
                Err(None) => s.state = JobState::Cancelled,
            }
            true
        });
    }
}

/// Every job the service holds.
#[derive(Debug)]
pub(crate) struct JobStore {
    jobs: Mutex<HashMap<String, Arc<Job>>>,
    ttl: Duration,
    max_finished: usize,
    max_queued: usize,
}

impl JobStore {
    pub(crate) fn new(config: &Config) -> Self {
        Self {
            jobs: Mutex::default(),
            ttl: config.job_ttl,
            max_finished: config.max_finished_jobs,
            max_queued: config.max_queued_jobs,
        }
    }

    /// Refuses when the queue is full.
    pub(crate) fn check_room(&self) -> Result<(), ApiError> {
        self.room(&self.lock())
    }

    fn room(&self, jobs: &HashMap<String, Arc<Job>>) -> Result<(), ApiError> {
        let queued =
            jobs.values().filter(|j| j.snapshot.borrow().state == JobState::Queued).count();
        if queued >= self.max_queued {
            return Err(ApiError::Overloaded);
        }
        Ok(())
    }

    /// Creates a queued job, or refuses when the queue is full.
    pub(crate) fn create(&self) -> Result<Arc<Job>, ApiError> {
        let mut jobs = self.lock();
        self.prune(&mut jobs);
        self.room(&jobs)?;
        let job = Arc::new(Job {
            id: uuid::Uuid::new_v4().simple().to_string(),
            created: Instant::now(),
            cancel: Arc::default(),
            snapshot: watch::channel(Snapshot {
                state: JobState::Queued,
                progress: JobProgress::default(),
                finished: None,
                solution: None,
                error: None,
            })
            .0,
        });
        jobs.insert(job.id.clone(), Arc::clone(&job));
        Ok(job)
    }

    pub(crate) fn get(&self, id: &str) -> Option<Arc<Job>> {
        let mut jobs = self.lock();
        self.prune(&mut jobs);
        jobs.get(id).cloned()
    }

    /// Jobs by status, every status listed.
    pub(crate) fn counts(&self) -> Vec<(&'static str, usize)> {
        let mut jobs = self.lock();
        self.prune(&mut jobs);
        let states = [
            JobState::Queued,
            JobState::Running,
            JobState::Done,
            JobState::Failed,
            JobState::Cancelled,
        ];
        states
            .iter()
            .map(|&st| {
                (st.as_str(), jobs.values().filter(|j| j.snapshot.borrow().state == st).count())
            })
            .collect()
    }

    pub(crate) fn cancel_all(&self) {
        for job in self.lock().values() {
            let _ = job.cancel();
        }
    }

    /// Drops finished jobs past their time, then the oldest finished ones
    /// beyond the count.
    fn prune(&self, jobs: &mut HashMap<String, Arc<Job>>) {
        let now = Instant::now();
        jobs.retain(|_, j| {
            j.snapshot.borrow().finished.is_none_or(|at| now.duration_since(at) < self.ttl)
        });
        let mut finished: Vec<(Instant, String)> = jobs
            .values()
            .filter_map(|j| j.snapshot.borrow().finished.map(|at| (at, j.id.clone())))
            .collect();
        if finished.len() > self.max_finished {
            finished.sort();
            let excess = finished.len() - self.max_finished;
            for (_, id) in finished.into_iter().take(excess) {
                jobs.remove(&id);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Job>>> {
        self.jobs.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Runs a job in the background: waits for a solve slot (or cancellation),
/// solves on the blocking pool, publishes the outcome.
pub(crate) fn spawn(state: AppState, job: Arc<Job>, problem: Problem) {
    tokio::spawn(async move {
        let mut changes = job.subscribe();
        let permit = tokio::select! {
            permit = state.solve_slots().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return, // The semaphore is never closed.
            },
            _ = changes.wait_for(|s| s.state != JobState::Queued) => return,
        };
        if !job.start() {
            return;
        }
        let on_progress = Arc::clone(&job);
        let config = SolveConfig {
            cancel: Some(Arc::clone(&job.cancel)),
            progress: Some(Arc::new(move |p| on_progress.progress(p))),
        };
        let (result, took) = solve_in_slot(&state, permit, problem, config).await;
        let (outcome, metric) = match result {
            Ok(Ok(Ok(json))) => (Ok(Bytes::from(json)), "ok"),
            Ok(Err(SolveError::Cancelled)) => (Err(None), "cancelled"),
            Ok(Err(SolveError::Invalid(err))) => {
                // Submission validated the problem, so this is a bug.
                tracing::error!(job = %job.id, %err, "job problem invalid after validation");
                (Err(Some("the problem was found invalid while solving".into())), "invalid")
            }
            Ok(Ok(Err(err))) => {
                tracing::error!(job = %job.id, %err, "serialising a job's solution");
                (Err(Some("internal error".into())), "panic")
            }
            Err(err) => {
                tracing::error!(job = %job.id, cause = %err.0, "job failed");
                (Err(Some("internal error; the server log has the cause".into())), "panic")
            }
        };
        state.metrics().record_solve("job", metric, took);
        tracing::info!(job = %job.id, outcome = metric, took_ms = took.as_millis() as u64, "job finished");
        job.finish(outcome);
    });
}
