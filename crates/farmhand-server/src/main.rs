//! `farmhand-server`: the farmhand match API over HTTP.

use clap::Parser;

/// Serves the farmhand match API over HTTP (see /openapi.json once running).
#[derive(Debug, Parser)]
#[command(name = "farmhand-server", version, about)]
struct Cli {
    #[command(flatten)]
    serve: farmhand_server::ServeArgs,
}

fn main() -> anyhow::Result<()> {
    farmhand_server::run(Cli::parse().serve)
}
