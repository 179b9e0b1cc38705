//! Prometheus metrics, kept by hand: a few counters and one histogram do not
//! need a metrics framework.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds (seconds) of the solve duration histogram's buckets.
const SOLVE_BUCKETS: [f64; 14] =
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0];

/// The service's counters.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// (route, method, status) to count.
    requests: BTreeMap<(String, String, u16), u64>,
    /// Reason to count.
    rejected: BTreeMap<&'static str, u64>,
    /// (kind, outcome) to histogram.
    solves: BTreeMap<(&'static str, &'static str), Histogram>,
}

#[derive(Debug, Default, Clone)]
struct Histogram {
    /// Cumulative counts per bucket of [`SOLVE_BUCKETS`].
    buckets: [u64; SOLVE_BUCKETS.len()],
    count: u64,
    sum: f64,
}

impl Metrics {
    pub(crate) fn record_request(&self, route: &str, method: &str, status: u16) {
        let mut inner = self.lock();
        *inner.requests.entry((route.to_owned(), method.to_owned(), status)).or_default() += 1;
    }

    pub(crate) fn record_rejected(&self, reason: &'static str) {
        *self.lock().rejected.entry(reason).or_default() += 1;
    }

    /// Records one solve; `kind` is `sync` or `job`, `outcome` is `ok`,
    /// `invalid`, `cancelled` or `panic`, and for `sync` also `timeout`
    /// (504) or `abandoned` (the client went away first).
    pub(crate) fn record_solve(&self, kind: &'static str, outcome: &'static str, took: Duration) {
        let secs = took.as_secs_f64();
        let mut inner = self.lock();
        let h = inner.solves.entry((kind, outcome)).or_default();
        for (count, &bound) in h.buckets.iter_mut().zip(SOLVE_BUCKETS.iter()) {
            if secs <= bound {
                *count += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
    }

    /// The Prometheus text exposition; `jobs` is (status, count) and
    /// `solves_running` the solves in progress, read by the caller.
    pub(crate) fn render(&self, jobs: &[(&str, usize)], solves_running: usize) -> String {
        let inner = self.lock();
        let mut out = String::new();
        out.push_str(
            "# HELP farmhand_http_requests_total HTTP requests by route, method and status.\n",
        );
        out.push_str("# TYPE farmhand_http_requests_total counter\n");
        for ((route, method, status), n) in &inner.requests {
            let _ = writeln!(
                out,
                "farmhand_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                escape(route),
                escape(method)
            );
        }
        out.push_str("# HELP farmhand_rejected_requests_total Requests refused before any work: overload, size, type, auth.\n");
        out.push_str("# TYPE farmhand_rejected_requests_total counter\n");
        for (reason, n) in &inner.rejected {
            let _ = writeln!(out, "farmhand_rejected_requests_total{{reason=\"{reason}\"}} {n}");
        }
        out.push_str(
            "# HELP farmhand_solve_duration_seconds Wall time of solves on the blocking pool.\n",
        );
        out.push_str("# TYPE farmhand_solve_duration_seconds histogram\n");
        for ((kind, outcome), h) in &inner.solves {
            let labels = format!("kind=\"{kind}\",outcome=\"{outcome}\"");
            for (count, bound) in h.buckets.iter().zip(SOLVE_BUCKETS.iter()) {
                let _ = writeln!(
                    out,
                    "farmhand_solve_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "farmhand_solve_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(out, "farmhand_solve_duration_seconds_sum{{{labels}}} {}", h.sum);
            let _ = writeln!(out, "farmhand_solve_duration_seconds_count{{{labels}}} {}", h.count);
        }
        out.push_str("# HELP farmhand_jobs Jobs held, by status.\n");
        out.push_str("# TYPE farmhand_jobs gauge\n");
        for (status, n) in jobs {
            let _ = writeln!(out, "farmhand_jobs{{status=\"{status}\"}} {n}");
        }
        out.push_str("# HELP farmhand_solves_running Solves running now (synchronous and jobs).\n");
        out.push_str("# TYPE farmhand_solves_running gauge\n");
        let _ = writeln!(out, "farmhand_solves_running {solves_running}");
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock leaves counters that are still
        // meaningful; keep serving them.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
