//! Writing a solution as spreadsheets that open cleanly in Excel: UTF-8 with
//! a byte order mark (without one, Excel reads UTF-8 as the system's code
//! page and garbles Korean), CRLF line ends, and cells quoted when they hold
//! a comma, a quote or a line break. Text that came from the problem (ids,
//! crews, skill names, and messages that quote them) is written so that a
//! spreadsheet never runs it as a formula: a cell that would start with `=`,
//! `+`, `-`, `@`, a tab or a carriage return gets a leading `'` (the
//! OWASP advice against CSV injection). Dates and numbers farmhand writes
//! itself are left as they are.

use std::collections::HashMap;
use std::io::{self, Write};

use farmhand::{Problem, Solution};

/// Writes one row per assignment, in the solution's order (date, demand,
/// worker): `date,demand_id,farm_id,worker_id,crew,distance_km`.
///
/// `crew` is the worker's standing crew from the problem (empty when none);
/// distances are in km with two decimals.
pub fn write_assignments_csv<W: Write>(
    problem: &Problem,
    solution: &Solution,
    w: W,
) -> io::Result<()> {
    let crew: HashMap<&str, &str> =
        problem.workers.iter().filter_map(|w| Some((w.id.as_str(), w.crew.as_deref()?))).collect();
    let mut out = excel_writer(w)?;
    out.write_record(["date", "demand_id", "farm_id", "worker_id", "crew", "distance_km"])?;
    for a in &solution.assignments {
        out.write_record([
            a.date.as_str(),
            &text(&a.demand_id),
            &text(&a.farm_id),
            &text(&a.worker_id),
            &text(crew.get(a.worker_id.as_str()).copied().unwrap_or("")),
            &km(a.distance_km),
        ])?;
    }
    out.flush()
}

/// Writes one row per slot short of workers, in the solution's order (date,
/// demand): `date,demand_id,farm_id,missing,reason_code,reason_message,
/// nearest_km,eligible,taken_by,skill_gap`.
///
/// The reason's extra fields are empty when the reason has none: `taken_by`
/// lists demand ids separated by `;`, `skill_gap` reads
/// `pruning: needs 3, best 2; ...`. `farm_id` comes from the problem (empty
/// for a demand the problem does not have).
pub fn write_unfilled_csv<W: Write>(
    problem: &Problem,
    solution: &Solution,
    w: W,
) -> io::Result<()> {
    let farm_of = farms(problem);
    let mut out = excel_writer(w)?;
    out.write_record([
        "date",
        "demand_id",
        "farm_id",
        "missing",
        "reason_code",
        "reason_message",
        "nearest_km",
        "eligible",
        "taken_by",
        "skill_gap",
    ])?;
    for u in &solution.unfilled {
        let reason = u.reason.as_ref();
        let gap = reason.and_then(|r| r.closest_skill_gap.as_ref()).map(|gaps| {
            gaps.iter()
                .map(|(skill, g)| format!("{skill}: needs {}, best {}", g.needed, g.best))
                .collect::<Vec<_>>()
                .join("; ")
        });
        out.write_record([
            u.date.as_str(),
            &text(&u.demand_id),
            &text(farm_of.get(u.demand_id.as_str()).copied().unwrap_or("")),
            &u.missing.to_string(),
            reason.map_or("", |r| r.code.as_str()),
            &text(reason.map_or("", |r| r.message.as_str())),
            &reason.and_then(|r| r.nearest_km).map(km).unwrap_or_default(),
            &reason.and_then(|r| r.eligible).map(|n| n.to_string()).unwrap_or_default(),
            &text(
                &reason.and_then(|r| r.taken_by.as_ref()).map(|t| t.join(";")).unwrap_or_default(),
            ),
            &text(&gap.unwrap_or_default()),
        ])?;
    }
    out.flush()
}

/// Writes one row per stand-in worker, slots in the solution's order (date,
/// demand) and stand-ins nearest first:
/// `date,demand_id,farm_id,rank,worker_id,distance_km`. Only the header when
/// the solution has no stand-ins (`options.standby_per_slot` is 0).
pub fn write_standby_csv<W: Write>(problem: &Problem, solution: &Solution, w: W) -> io::Result<()> {
    let farm_of = farms(problem);
    let mut out = excel_writer(w)?;
    out.write_record(["date", "demand_id", "farm_id", "rank", "worker_id", "distance_km"])?;
    for slot in solution.standby.iter().flatten() {
        let farm = farm_of.get(slot.demand_id.as_str()).copied().unwrap_or("");
        for (rank, s) in slot.workers.iter().enumerate() {
            out.write_record([
                slot.date.as_str(),
                &text(&slot.demand_id),
                &text(farm),
                &(rank + 1).to_string(),
                &text(&s.worker_id),
                &km(s.distance_km),
            ])?;
        }
    }
    out.flush()
}

/// A CSV writer for Excel, after writing the UTF-8 byte order mark.
fn excel_writer<W: Write>(mut w: W) -> io::Result<csv::Writer<W>> {
    w.write_all(b"\xEF\xBB\xBF")?;
    Ok(csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(w))
}

fn farms(problem: &Problem) -> HashMap<&str, &str> {
    problem.demands.iter().map(|d| (d.id.as_str(), d.farm_id.as_str())).collect()
}

/// Text from the problem as a cell no spreadsheet runs as a formula: a
/// leading `'` before `=`, `+`, `-`, `@`, a tab or a carriage return.
fn text(value: &str) -> std::borrow::Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}").into(),
        _ => value.into(),
    }
}

/// Kilometres with two decimals: metres are more than a spreadsheet needs.
fn km(value: f64) -> String {
    format!("{value:.2}")
}
