//! The solver: per-date exact min-cost flow, run in parallel over dates.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use crate::format::{Problem, Solution};
use crate::model::Instance;
use crate::validate::{validate, ValidationError};

/// Progress of a solve: dates done out of dates total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// Dates solved so far.
    pub dates_done: u32,
    /// Dates to solve.
    pub dates_total: u32,
}

/// How a solve is run (not what it optimises: that is `Options`).
#[derive(Clone, Default)]
pub struct SolveConfig {
    /// Set to true to stop the solve promptly; it then returns
    /// [`SolveError::Cancelled`].
    pub cancel: Option<Arc<AtomicBool>>,
    /// Called from solver threads as dates finish.
    pub progress: Option<Arc<dyn Fn(Progress) + Send + Sync>>,
}

impl std::fmt::Debug for SolveConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SolveConfig")
            .field("cancel", &self.cancel)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// Why a solve returned no solution.
#[derive(Debug, thiserror::Error)]
pub enum SolveError {
    /// The problem is invalid; nothing was solved.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The solve was cancelled through [`SolveConfig::cancel`].
    #[error("the solve was cancelled")]
    Cancelled,
}

/// Validates and solves a problem with the default configuration.
pub fn solve(problem: &Problem) -> Result<Solution, SolveError> {
    solve_with(problem, &SolveConfig::default())
}

/// Validates and solves a problem.
pub fn solve_with(problem: &Problem, config: &SolveConfig) -> Result<Solution, SolveError> {
    let instance = validate(problem)?;
    solve_instance(&instance, config)
}

/// Solves a validated instance.
pub fn solve_instance(instance: &Instance, config: &SolveConfig) -> Result<Solution, SolveError> {
    let _ = (instance, config);
    unimplemented!("the solver is being written")
}
