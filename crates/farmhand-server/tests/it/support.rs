//! Shared test helpers: a scripted engine whose timing tests control, a
//! real server on a loopback port, small problems.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use farmhand::{
    CheckReport, DateRange, Demand, Issue, Location, Problem, Progress, Solution, SolveConfig,
    SolveError, Summary, ValidationError, Worker,
};
use farmhand_server::{AppState, Config, Engine};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// An engine standing in for the library where a test needs control over
/// timing. The first worker's id picks the behaviour:
/// - `invalid`: validation fails with two issues and a warning;
/// - `panic`: every call panics;
/// - `block`: the solve runs until cancelled (30 s at most);
/// - anything else: the solve takes `delay`, reporting progress over `dates`.
#[derive(Debug)]
pub struct ScriptedEngine {
    pub delay: Duration,
    pub dates: u32,
    /// Solves started.
    pub started: AtomicUsize,
    /// Solves that returned because they saw the cancel flag.
    pub cancelled: AtomicUsize,
    /// Solves running now.
    pub running: AtomicUsize,
}

impl ScriptedEngine {
    pub fn new(delay: Duration, dates: u32) -> Arc<Self> {
        Arc::new(Self {
            delay,
            dates,
            started: AtomicUsize::new(0),
            cancelled: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
        })
    }

    /// Waits (up to 5 s) until `n` solves have started.
    pub async fn wait_started(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.started.load(Ordering::SeqCst) < n {
            assert!(Instant::now() < deadline, "solve {n} never started");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Waits (up to 5 s) until `n` solves have seen their cancellation.
    pub async fn wait_cancelled(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.cancelled.load(Ordering::SeqCst) < n {
            assert!(Instant::now() < deadline, "the solver did not stop after cancellation");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

fn first_id(problem: &Problem) -> &str {
    problem.workers.first().map_or("", |w| w.id.as_str())
}

impl Engine for ScriptedEngine {
    fn validate(&self, problem: &Problem) -> Result<Vec<Issue>, ValidationError> {
        match first_id(problem) {
            "invalid" => Err(ValidationError {
                issues: vec![
                    Issue {
                        path: "workers[0].location.lat".into(),
                        code: "coordinate_out_of_range".into(),
                        message: "must be within [-90, 90], got 123.5".into(),
                    },
                    Issue {
                        path: "demands[0].workers_per_day".into(),
                        code: "out_of_range".into(),
                        message: "must be at least 1, got 0".into(),
                    },
                ],
                warnings: vec![Issue {
                    path: "workers".into(),
                    code: "few_workers".into(),
                    message: "scripted warning".into(),
                }],
            }),
            "panic" => panic!("scripted panic: secret-internal-detail"),
            _ => Ok(vec![Issue {
                path: "workers".into(),
                code: "few_workers".into(),
                message: "scripted warning".into(),
            }]),
        }
    }

    fn solve(&self, problem: &Problem, config: &SolveConfig) -> Result<Solution, SolveError> {
        self.validate(problem)?;
        self.started.fetch_add(1, Ordering::SeqCst);
        self.running.fetch_add(1, Ordering::SeqCst);
        let result = self.run(first_id(problem) == "block", config);
        self.running.fetch_sub(1, Ordering::SeqCst);
        if result.is_err() {
            self.cancelled.fetch_add(1, Ordering::SeqCst);
        }
        result
    }

    fn check(&self, problem: &Problem, _solution: &Solution) -> CheckReport {
        if first_id(problem) == "panic" {
            panic!("scripted panic");
        }
        // Through JSON, so that fields the library adds later take their
        // defaults instead of breaking this stand-in.
        serde_json::from_value(
            serde_json::json!({"ok": true, "violations": [], "recomputed": null}),
        )
        .expect("a minimal report")
    }
}

impl ScriptedEngine {
    fn run(&self, block: bool, config: &SolveConfig) -> Result<Solution, SolveError> {
        let cancelled = || config.cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed));
        let started = Instant::now();
        let total = if block { Duration::from_secs(30) } else { self.delay };
        let mut reported = 0;
        loop {
            if cancelled() {
                return Err(SolveError::Cancelled);
            }
            let elapsed = started.elapsed();
            if elapsed >= total {
                break;
            }
            if !block && self.dates > 0 {
                let done =
                    ((elapsed.as_secs_f64() / total.as_secs_f64()) * f64::from(self.dates)) as u32;
                if done > reported {
                    reported = done.min(self.dates);
                    if let Some(progress) = &config.progress {
                        progress(Progress { dates_done: reported, dates_total: self.dates });
                    }
                }
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        if let Some(progress) = &config.progress {
            progress(Progress { dates_done: self.dates, dates_total: self.dates });
        }
        Ok(empty_solution())
    }
}

pub fn empty_solution() -> Solution {
    Solution {
        assignments: vec![],
        unfilled: vec![],
        standby: None,
        dropped_previous: vec![],
        summary: Summary {
            workers: 0,
            demands: 0,
            slots: 0,
            worker_days_needed: 0,
            worker_days_filled: 0,
            fill_rate: 1.0,
            weighted_fill: 0,
            weighted_fill_bound: 0,
            total_distance_km: 0.0,
            shortage_imbalance: 0.0,
            continuity_pairs: 0,
            preferred_assignments: 0,
            previous_kept: 0,
            objective_km: 0.0,
            optimal: Some(true),
            elapsed_ms: 0.0,
        },
        warnings: vec![],
    }
}

/// A problem whose first worker has the given id (which scripts the engine).
pub fn scripted(first_worker: &str) -> Problem {
    Problem {
        workers: vec![Worker::new(
            first_worker,
            Location::new(52.0, 5.0),
            vec![DateRange::new("2025-06-02", "2025-06-03")],
        )],
        demands: vec![Demand::new(
            "d1",
            "f1",
            Location::new(52.01, 5.01),
            "2025-06-02",
            "2025-06-03",
            1,
        )],
        ..Problem::default()
    }
}

/// A small real problem: three workers around a town, a farm over three
/// dates that two of them fill, one worker out of range, and a demand far
/// away that no one reaches (so one slot is unfilled, for a clear reason).
pub fn small_problem() -> Problem {
    let week = || vec![DateRange::new("2025-06-02", "2025-06-04")];
    let mut far_worker = Worker::new("cas", Location::new(52.40, 5.60), week());
    far_worker.max_travel_km = Some(10.0);
    Problem {
        workers: vec![
            Worker::new("ana", Location::new(52.09, 5.12), week()),
            Worker::new("ben", Location::new(52.16, 5.39), week()),
            far_worker,
        ],
        demands: vec![
            Demand::new(
                "orchard",
                "f-orchard",
                Location::new(52.10, 5.20),
                "2025-06-02",
                "2025-06-04",
                2,
            ),
            Demand::new(
                "island",
                "f-island",
                Location::new(53.50, 7.00),
                "2025-06-03",
                "2025-06-03",
                1,
            ),
        ],
        ..Problem::default()
    }
}

/// A config with small, test-friendly limits.
pub fn config() -> Config {
    Config {
        max_concurrent_solves: 2,
        max_waiting: 4,
        max_queued_jobs: 4,
        request_timeout: Duration::from_secs(30),
        shutdown_grace: Duration::from_secs(5),
        ..Config::default()
    }
}

/// A real server on a free loopback port.
pub struct TestServer {
    pub base: String,
    pub state: AppState,
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    pub async fn start(state: AppState) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(farmhand_server::serve_on(listener, state.clone(), async {
            let _ = rx.await;
        }));
        Self {
            base,
            state,
            client: reqwest::Client::new(),
            shutdown: Some(tx),
            handle: Some(handle),
        }
    }

    pub async fn with_engine(config: Config, engine: Arc<dyn Engine>) -> Self {
        Self::start(AppState::with_engine(config, engine)).await
    }

    pub async fn real(config: Config) -> Self {
        Self::start(AppState::new(config)).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn post_json(&self, path: &str, body: &impl serde::Serialize) -> reqwest::Response {
        self.client.post(self.url(path)).json(body).send().await.expect("request sent")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request sent")
    }

    /// Triggers shutdown and waits for the server to stop.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.handle.take().unwrap().await.expect("server task")
    }

    pub fn trigger_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    pub async fn stopped(mut self) -> std::io::Result<()> {
        self.handle.take().unwrap().await.expect("server task")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(handle) = &self.handle {
            handle.abort();
        }
    }
}

/// Polls a job until it is finished (30 s at most); returns its status JSON.
pub async fn wait_finished(server: &TestServer, url: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let status: serde_json::Value = server.get(url).await.json().await.unwrap();
        let s = status["status"].as_str().unwrap().to_owned();
        if matches!(s.as_str(), "done" | "failed" | "cancelled") {
            return status;
        }
        assert!(Instant::now() < deadline, "job never finished: {status}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
