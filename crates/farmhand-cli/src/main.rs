//! The `farmhand` command line: match workers to farms, validate and check
//! files, and generate example problems.
//!
//! This crate is thin on purpose: it parses arguments and files, calls the
//! `farmhand` library, and renders the result for a person (stderr) or a
//! program (stdout, files). Exit codes: 0 ok, 1 invalid input or a failed
//! check, 2 usage error.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod check_cmd;
mod generate_cmd;
mod input;
mod match_cmd;
mod render;
mod sheets;
mod validate_cmd;

/// Command-line arguments.
#[derive(Parser, Debug)]
#[command(
    name = "farmhand",
    version,
    about = "Match seasonal farm workers to farms short of hands, by date, distance and skill.",
    long_about = "Match seasonal farm workers to farms short of hands, by date, distance and skill.\n\n\
        A problem file (or a workers and a demands spreadsheet) lists workers (home, \
        skills, availability, travel limit) and farm \
        demands (place, dates, headcount, required skills, priority); see the format \
        specification. `farmhand match` fills as many worker-days as possible, spreads any \
        shortage fairly, then minimises travel, and explains every slot it could not fill.\n\n\
        Exit codes: 0 ok, 1 invalid input or failed check, 2 usage error.",
    after_help = "Examples:\n  \
        farmhand match examples/wanju-spring.json -o plan.json\n  \
        farmhand match --workers examples/workers.csv --demands examples/demands.csv --format csv -o plan/\n  \
        farmhand validate problem.json\n  \
        farmhand check problem.json plan.json\n  \
        farmhand generate --preset county --seed 7 -o county.json"
)]
struct Cli {
    /// Print no summary or progress on stderr (errors are still printed).
    #[arg(short, long, global = true)]
    quiet: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Solve a problem: who goes to which farm on which date.
    #[command(
        long_about = "Solve a problem: who goes to which farm on which date.\n\n\
            Reads PROBLEM (a file, or - for stdin), or two spreadsheets (--workers and \
            --demands, CSV as Excel saves it, UTF-8 or CP949), validates it (an invalid \
            problem is rejected with every issue listed, for spreadsheets as \
            `file:line: column X: message [code]`, exit 1), solves it exactly and writes \
            the solution to -o or stdout: as pretty JSON, as CSV sheets for Excel \
            (--format csv: assignments.csv, unfilled.csv, standby.csv in the directory -o), \
            or as a GeoJSON map (--format geojson). A summary for a person goes to stderr: \
            fill rate, travel, and the unfilled slots grouped by reason. --report also writes \
            the plan as one HTML page to open in a browser, offline: a map, fill by date, the \
            unfilled slots with their reasons, and every worker's schedule.",
        after_help = "Examples:\n  \
            farmhand match examples/wanju-spring.json -o plan.json\n  \
            farmhand match examples/wanju-spring.json -o plan.json --report plan.html\n  \
            farmhand match --workers examples/workers.csv --demands examples/demands.csv \
            --format csv -o plan/\n  \
            farmhand match --workers w.csv --demands d.csv --encoding cp949 --standby 3 --format csv\n  \
            farmhand match --workers workers.csv --demands demands.csv --format geojson -o plan.geojson\n  \
            farmhand match --workers w.csv --demands d.csv -q -o plan.json --report plan.html\n  \
            farmhand match --threads 2 -q county.json > plan.json\n  \
            cat problem.json | farmhand match - -o plan.json"
    )]
    Match(match_cmd::Args),
    /// Check a problem file, or two spreadsheets, without solving.
    #[command(
        long_about = "Check a problem file, or two spreadsheets, without solving.\n\n\
            Prints every issue as `path: message [code]` (for spreadsheets \
            `file:line: column X: message [code]`) and every warning. A file that is JSON \
            but not of the format's shape (a quoted number, an unknown or missing field) \
            gets every such place listed, the first with its line and column. Exit 0 when \
            the problem is valid, 1 when it is not.",
        after_help = "Examples:\n  \
            farmhand validate problem.json\n  \
            farmhand validate --workers workers.csv --demands demands.csv\n  \
            farmhand validate --json problem.json | jq .errors"
    )]
    Validate(validate_cmd::Args),
    /// Verify a solution against its problem, independently of the solver.
    #[command(
        long_about = "Verify a solution against its problem, independently of the solver.\n\n\
            Re-checks every hard rule (availability, dates, headcount, one job a day, travel \
            limit, skills, exclusions, day limits, crews, locked assignments) and every \
            summary figure. Prints the violations, or `ok` and the recomputed figures. Exit 0 \
            when the solution is sound, 1 when it is not.",
        after_help = "Examples:\n  \
            farmhand check problem.json plan.json\n  \
            farmhand check --json problem.json plan.json"
    )]
    Check(check_cmd::Args),
    /// Generate a realistic example problem from a seed.
    #[command(
        long_about = "Generate a realistic example problem from a seed.\n\n\
            Workers live in a city and towns, farms are spread over the countryside, and the \
            season asks for more worker-days than people offer, so some slots stay unfilled. \
            The same preset and seed give the same file on any machine. Presets: tiny (a \
            handful, for brute-force tests), small (40 workers), county (2,000), province \
            (20,000), national (200,000), wanju (the bundled spring example, ~300 workers).",
        after_help = "Examples:\n  \
            farmhand generate --preset wanju --seed 1 -o examples/wanju-spring.json\n  \
            farmhand generate --preset national --seed 3 -o national.json\n  \
            farmhand generate --preset small --seed 9 --separable | farmhand match -"
    )]
    Generate(generate_cmd::Args),
    /// Serve the match API over HTTP (the same server as `farmhand-server`).
    #[command(
        long_about = "Serve the match API over HTTP (the same server as `farmhand-server`).\n\n\
            Endpoints: GET / (the web page); POST /v1/match, /v1/validate, /v1/check, \
            /v1/jobs; GET /healthz, /readyz, /metrics, /openapi.json. Every flag can also be set by the environment \
            variable shown; stops gracefully on Ctrl-C or SIGTERM.",
        after_help = "Examples:\n  \
            farmhand serve\n  \
            FARMHAND_API_TOKEN=secret farmhand serve --addr 0.0.0.0:8080"
    )]
    Serve(farmhand_server::ServeArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Match(args) => match_cmd::run(&args, cli.quiet),
        Command::Validate(args) => validate_cmd::run(&args),
        Command::Check(args) => check_cmd::run(&args),
        Command::Generate(args) => generate_cmd::run(&args, cli.quiet),
        Command::Serve(args) => farmhand_server::run(args).map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        // The reader went away (`farmhand check ... | head -1`): stop
        // quietly, as a program killed by SIGPIPE would (128 + 13).
        Err(err) if is_broken_pipe(&err) => ExitCode::from(141),
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// A path argument where `-` means stdin or stdout.
pub(crate) fn is_std(path: &std::path::Path) -> bool {
    path == std::path::Path::new("-")
}
