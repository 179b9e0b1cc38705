//! The load client of `benches/load/run.sh`.
//!
//! `load problem --out FILE [--seed N]` writes a county-day problem: the
//! generator's county preset (about 2,000 workers) restricted to its busiest
//! date. `load drive --url URL --body FILE --concurrency C --requests N`
//! posts the file N times from C concurrent clients and prints one markdown
//! table row: concurrency, requests, errors, requests/s, p50 and p99 latency.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use farmhand::generate::{generate, Preset};
use farmhand::Problem;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| -> Option<String> {
        args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
    };
    match args.first().map(String::as_str) {
        Some("problem") => {
            let out = flag("--out").context("--out FILE")?;
            let seed = flag("--seed").map_or(Ok(1), |s| s.parse()).context("--seed N")?;
            let problem = county_day(seed);
            eprintln!(
                "county-day problem: {} workers, {} demands on {}",
                problem.workers.len(),
                problem.demands.len(),
                problem.demands.first().map_or("-", |d| d.start.as_str())
            );
            std::fs::write(&out, serde_json::to_vec(&problem)?)?;
            Ok(())
        }
        Some("drive") => {
            let url = flag("--url").context("--url URL")?;
            let body = std::fs::read(flag("--body").context("--body FILE")?)?;
            let concurrency: usize = flag("--concurrency").context("--concurrency C")?.parse()?;
            let requests: usize = flag("--requests").context("--requests N")?.parse()?;
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()?;
            runtime.block_on(drive(url, body, concurrency.max(1), requests))
        }
        _ => bail!("usage: load problem --out FILE [--seed N] | load drive --url URL --body FILE --concurrency C --requests N"),
    }
}

/// The county preset restricted to the date on which most demands are
/// active (see `farmhand::generate::restrict_to_busiest_date`).
fn county_day(seed: u64) -> Problem {
    let mut problem = generate(Preset::County, seed);
    farmhand::generate::restrict_to_busiest_date(&mut problem);
    problem
}

async fn drive(
    url: String,
    body: Vec<u8>,
    concurrency: usize,
    requests: usize,
) -> anyhow::Result<()> {
    let client = reqwest::Client::builder().pool_max_idle_per_host(concurrency).build()?;
    let body = axum::body::Bytes::from(body);
    let next = Arc::new(AtomicUsize::new(0));
    let errors = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, url, body, next, errors) =
            (client.clone(), url.clone(), body.clone(), Arc::clone(&next), Arc::clone(&errors));
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while next.fetch_add(1, Ordering::Relaxed) < requests {
                let sent = Instant::now();
                let ok = match client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                {
                    Ok(response) => {
                        let status = response.status();
                        // Read the whole body: the latency includes it.
                        response.bytes().await.is_ok() && status.is_success()
                    }
                    Err(_) => false,
                };
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
                latencies.push(sent.elapsed());
            }
            latencies
        }));
    }
    let mut latencies: Vec<Duration> = Vec::with_capacity(requests);
    for task in tasks {
        latencies.extend(task.await?);
    }
    let wall = started.elapsed();
    latencies.sort();
    let pct = |p: f64| {
        let i = ((latencies.len() as f64 * p).ceil() as usize).clamp(1, latencies.len()) - 1;
        latencies[i].as_secs_f64() * 1e3
    };
    println!(
        "| {concurrency} | {} | {} | {:.2} | {:.0} | {:.0} |",
        latencies.len(),
        errors.load(Ordering::Relaxed),
        latencies.len() as f64 / wall.as_secs_f64(),
        pct(0.50),
        pct(0.99),
    );
    Ok(())
}
