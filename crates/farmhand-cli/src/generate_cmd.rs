//! `farmhand generate`: write a seeded example problem.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use farmhand::generate::{generate, make_separable, sizes, Preset};

use crate::input::write_output;
use crate::render::{duration, thousands};

/// Arguments of `farmhand generate`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Which problem size and shape.
    #[arg(
        long,
        value_parser = PossibleValuesParser::new(Preset::ALL.map(Preset::name))
            .map(|s| s.parse::<Preset>().expect("only listed names get here")),
    )]
    preset: Preset,

    /// The seed; the same preset and seed give the same file.
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// Write the problem here instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Make the problem split by date (no continuity bonus, day limits or
    /// crews), so each date can be solved on its own.
    #[arg(long)]
    separable: bool,
}

pub(crate) fn run(args: &Args, quiet: bool) -> Result<ExitCode> {
    let start = Instant::now();
    let mut problem = generate(args.preset, args.seed);
    if args.separable {
        make_separable(&mut problem);
    }
    let generated_ms = start.elapsed().as_secs_f64() * 1000.0;

    // Pretty JSON where people will read it; compact where size matters.
    let pretty = matches!(args.preset, Preset::Tiny | Preset::Small | Preset::Wanju);
    write_output(args.output.as_deref(), |out| {
        if pretty {
            serde_json::to_writer_pretty(&mut *out, &problem)?;
        } else {
            serde_json::to_writer(&mut *out, &problem)?;
        }
        out.write_all(b"\n")
    })?;

    if !quiet {
        let s = sizes(&problem);
        eprintln!(
            "farmhand: generated {} (seed {}{}): {} workers, {} demands, {} days, {} slots, \
             {} worker-days needed, {} offered ({:.2}x); generated in {}, written in {}",
            args.preset,
            args.seed,
            if args.separable { ", separable" } else { "" },
            thousands(s.workers as u64),
            thousands(s.demands as u64),
            s.days,
            thousands(s.slots),
            thousands(s.worker_days_needed),
            thousands(s.worker_days_available),
            s.worker_days_needed as f64 / s.worker_days_available.max(1) as f64,
            duration(generated_ms),
            duration(start.elapsed().as_secs_f64() * 1000.0 - generated_ms),
        );
    }
    Ok(ExitCode::SUCCESS)
}
