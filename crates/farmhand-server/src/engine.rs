//! The library calls the service makes, behind a trait so that tests can
//! substitute a solver whose timing they control (a slow solve to saturate the
//! limits, one that waits for cancellation). The service itself always runs
//! [`Library`].

use farmhand::{CheckReport, Issue, Problem, Solution, SolveConfig, SolveError, ValidationError};

/// What the service asks of the matching library. Every method runs on a
/// blocking thread and may panic; the service turns a panic into a 500.
pub trait Engine: Send + Sync + 'static {
    /// Validates a problem; `Ok` carries its warnings.
    fn validate(&self, problem: &Problem) -> Result<Vec<Issue>, ValidationError>;
    /// Validates and solves a problem.
    fn solve(&self, problem: &Problem, config: &SolveConfig) -> Result<Solution, SolveError>;
    /// Re-verifies a solution against its problem.
    fn check(&self, problem: &Problem, solution: &Solution) -> CheckReport;
}

/// The real engine: the `farmhand` library.
#[derive(Debug, Clone, Copy, Default)]
pub struct Library;

impl Engine for Library {
    fn validate(&self, problem: &Problem) -> Result<Vec<Issue>, ValidationError> {
        farmhand::validate(problem).map(|instance| instance.warnings().to_vec())
    }

    fn solve(&self, problem: &Problem, config: &SolveConfig) -> Result<Solution, SolveError> {
        farmhand::solve_with(problem, config)
    }

    fn check(&self, problem: &Problem, solution: &Solution) -> CheckReport {
        farmhand::check(problem, solution)
    }
}
