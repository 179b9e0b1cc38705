//! Configuration: the command-line flags (each also an environment variable)
//! and the limits the service runs with.

use std::net::SocketAddr;
use std::time::Duration;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    Pretty,
    /// One JSON object per line, for a log collector.
    Json,
}

/// Flags of `farmhand-server` and `farmhand serve`.
///
/// Every flag can also be given as the environment variable named in
/// `--help`; a flag wins over its variable.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "FARMHAND_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Largest request body accepted, in bytes, or with a suffix: KiB, MiB, GiB
    /// (e.g. `64MiB`). Larger bodies get 413.
    #[arg(long, env = "FARMHAND_BODY_LIMIT", default_value = "64MiB", value_parser = parse_size)]
    pub body_limit: usize,

    /// Largest problem solved, in slots (demand, date pairs: the sum over
    /// demands of the days from `start` to `end`). A problem's work and the
    /// size of its solution grow with its slots, and a small body can ask
    /// for many (one demand over ten years is 3,653). Larger problems sent
    /// to `/v1/match` or `/v1/jobs` get 413 `problem_too_large`.
    #[arg(long, env = "FARMHAND_MAX_SLOTS", default_value_t = DEFAULT_MAX_SLOTS,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_slots: u64,

    /// Solves (synchronous matches and jobs) that run at once, at least 1.
    /// Default: the number of CPUs.
    #[arg(long, env = "FARMHAND_MAX_CONCURRENT_SOLVES", value_parser = at_least_one)]
    pub max_concurrent_solves: Option<usize>,

    /// Synchronous requests (match, validate, check, sheets, exports) that
    /// may wait for a free solve beyond those running; more get 503 with
    /// `Retry-After`.
    #[arg(long, env = "FARMHAND_MAX_WAITING", default_value_t = 64)]
    pub max_waiting: usize,

    /// Jobs that may wait in the queue; more get 503 with `Retry-After`.
    #[arg(long, env = "FARMHAND_MAX_QUEUED_JOBS", default_value_t = 64)]
    pub max_queued_jobs: usize,

    /// Seconds a synchronous `POST /v1/match` may take (waiting included)
    /// before the solve is cancelled and the client gets 504.
    #[arg(long, env = "FARMHAND_REQUEST_TIMEOUT", default_value_t = 120,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout: u64,

    /// Seconds a finished job (and its solution) is kept.
    #[arg(long, env = "FARMHAND_JOB_TTL", default_value_t = 600)]
    pub job_ttl: u64,

    /// Finished jobs kept at most; the oldest are dropped first.
    #[arg(long, env = "FARMHAND_MAX_FINISHED_JOBS", default_value_t = 100)]
    pub max_finished_jobs: usize,

    /// Seconds running requests get to finish after SIGTERM or Ctrl-C.
    #[arg(long, env = "FARMHAND_SHUTDOWN_GRACE", default_value_t = 30)]
    pub shutdown_grace: u64,

    /// Log format.
    #[arg(long, env = "FARMHAND_LOG_FORMAT", value_enum, default_value = "pretty")]
    pub log_format: LogFormat,

    /// Bearer token every `/v1/` request must carry. Prefer the environment
    /// variable: a flag shows in the process list. Unset: no authentication.
    #[arg(long, env = "FARMHAND_API_TOKEN", hide_env_values = true)]
    pub api_token: Option<String>,
}

/// The limits and settings of a running service (no address, no logging).
///
/// Built from [`ServeArgs`] by [`ServeArgs::config`]; tests build it directly.
#[derive(Debug, Clone)]
pub struct Config {
    /// Largest request body in bytes.
    pub body_limit: usize,
    /// Largest problem solved, in slots.
    pub max_slots: u64,
    /// Solves that run at once (0 counts as 1).
    pub max_concurrent_solves: usize,
    /// Synchronous requests that may wait for a solve beyond those running.
    pub max_waiting: usize,
    /// Jobs that may wait in the queue.
    pub max_queued_jobs: usize,
    /// Time limit of a synchronous match.
    pub request_timeout: Duration,
    /// How long a finished job is kept.
    pub job_ttl: Duration,
    /// Finished jobs kept at most.
    pub max_finished_jobs: usize,
    /// Time running requests get to finish on shutdown.
    pub shutdown_grace: Duration,
    /// Bearer token for `/v1/` routes; `None` turns authentication off.
    pub api_token: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            body_limit: 64 << 20,
            max_slots: DEFAULT_MAX_SLOTS,
            max_concurrent_solves: default_concurrency(),
            max_waiting: 64,
            max_queued_jobs: 64,
            request_timeout: Duration::from_secs(120),
            job_ttl: Duration::from_secs(600),
            max_finished_jobs: 100,
            shutdown_grace: Duration::from_secs(30),
            api_token: None,
        }
    }
}

impl ServeArgs {
    /// The service configuration these flags describe.
    pub fn config(&self) -> anyhow::Result<Config> {
        let api_token = match &self.api_token {
            // An empty token is almost always a deployment mistake; refusing
            // to start fails closed instead of silently serving without auth.
            Some(token) if token.trim().is_empty() => {
                anyhow::bail!("FARMHAND_API_TOKEN is set but empty; unset it to turn auth off")
            }
            // Header values reach the server trimmed, so no client could
            // ever send such a token.
            Some(token) if token.trim() != token => anyhow::bail!(
                "FARMHAND_API_TOKEN begins or ends with white space, which no client can send; \
                 remove it"
            ),
            other => other.clone(),
        };
        Ok(Config {
            body_limit: self.body_limit,
            max_slots: self.max_slots,
            max_concurrent_solves: self.max_concurrent_solves.unwrap_or_else(default_concurrency),
            max_waiting: self.max_waiting,
            max_queued_jobs: self.max_queued_jobs,
            request_timeout: Duration::from_secs(self.request_timeout),
            job_ttl: Duration::from_secs(self.job_ttl),
            max_finished_jobs: self.max_finished_jobs,
            shutdown_grace: Duration::from_secs(self.shutdown_grace),
            api_token,
        })
    }
}

/// The default `--max-slots`, in step with the default body limit: the
/// province preset (20,000 workers, 15,000 demands, 303,000 slots in 8 MB)
/// fits both with room, the national one (3.5 million slots in 84 MB)
/// neither. What it stops is a small body that asks for years of dates.
pub const DEFAULT_MAX_SLOTS: u64 = 2_000_000;

/// A count that must be at least 1.
fn at_least_one(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(err) => Err(format!("not a whole number: {err}")),
    }
}

fn default_concurrency() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Parses `1048576`, `512KiB`, `64MiB` or `1GiB` (also `KB`/`MB`/`GB` and
/// `K`/`M`/`G`, all powers of 1024).
fn parse_size(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let n: usize = digits.parse().map_err(|_| format!("not a size: {text:?}"))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        other => return Err(format!("unknown size unit {other:?}; use KiB, MiB or GiB")),
    };
    n.checked_mul(1 << shift).ok_or_else(|| format!("size too large: {text:?}"))
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn a_token_no_client_can_send_is_refused_at_start() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            serve: super::ServeArgs,
        }
        let with = |token: &str| {
            Cli::try_parse_from(["farmhand-server", "--api-token", token]).unwrap().serve.config()
        };
        assert!(with("s3cret").is_ok());
        for bad in ["", "   ", "s3cret ", " s3cret", "s3cret\t"] {
            assert!(with(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn limits_that_would_stop_all_work_are_refused_at_start() {
        use clap::Parser;
        #[derive(Parser)]
        struct Cli {
            #[command(flatten)]
            serve: super::ServeArgs,
        }
        for flag in ["--max-concurrent-solves", "--max-slots", "--request-timeout"] {
            let err = Cli::try_parse_from(["farmhand-server", flag, "0"]).err();
            assert!(err.is_some(), "{flag} 0 must be refused, not raised to 1");
            let ok = Cli::try_parse_from(["farmhand-server", flag, "3"]).unwrap().serve.config();
            assert!(ok.is_ok(), "{flag} 3");
        }
        let config = Cli::try_parse_from(["farmhand-server"]).unwrap().serve.config().unwrap();
        assert_eq!(config.max_slots, super::DEFAULT_MAX_SLOTS);
        assert!(config.max_concurrent_solves >= 1);
    }

    #[test]
    fn sizes_parse_with_binary_suffixes() {
        assert_eq!(parse_size("1024"), Ok(1024));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("2k"), Ok(2048));
        assert_eq!(parse_size("1 GiB"), Ok(1 << 30));
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("MiB").is_err());
    }
}
