//! The one integration-test binary of the core crate: a module per area.

mod coupled;
mod replan;
mod solve;
mod validate;

use farmhand::{check, solve, Problem, Solution};

/// Solves and asserts the checker finds nothing wrong.
pub(crate) fn solve_checked(problem: &Problem) -> Solution {
    let solution = solve(problem).expect("the problem is valid");
    let report = check(problem, &solution);
    assert!(
        report.ok,
        "checker violations: {:#?}",
        &report.violations[..report.violations.len().min(10)]
    );
    solution
}
