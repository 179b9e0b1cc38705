//! Rendering results for a person (stderr) in a compact, aligned form.

use std::collections::BTreeMap;

use farmhand::{ReasonCode, Solution, Summary};

/// `1234567` as `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A signed count with thousands separators.
pub(crate) fn thousands_i(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", thousands(n.unsigned_abs()))
}

/// The headline figures shared by `match` and `check`, one per line.
pub(crate) fn headline(summary: &Summary) -> Vec<String> {
    let mut lines = vec![
        format!(
            "fill        {:.1}% ({} of {} worker-days, {} slots)",
            summary.fill_rate * 100.0,
            thousands(summary.worker_days_filled),
            thousands(summary.worker_days_needed),
            thousands(summary.slots),
        ),
        format!(
            "weighted    {} of at most {}",
            thousands_i(summary.weighted_fill),
            thousands_i(summary.weighted_fill_bound)
        ),
        format!(
            "travel      {:.1} km in all, objective {:.1} km",
            summary.total_distance_km, summary.objective_km
        ),
    ];
    if summary.continuity_pairs + summary.preferred_assignments + summary.previous_kept > 0 {
        lines.push(format!(
            "bonuses     {} consecutive days kept, {} preferred farms, {} previous kept",
            thousands(summary.continuity_pairs),
            thousands(summary.preferred_assignments),
            thousands(summary.previous_kept),
        ));
    }
    lines
}

/// The summary `farmhand match` prints on stderr. `warnings` are the
/// solution's, or for spreadsheets the same located in the sheets.
pub(crate) fn match_summary(solution: &Solution, warnings: &[String]) -> String {
    let s = &solution.summary;
    let mut out =
        format!("farmhand: {} workers, {} demands\n", thousands(s.workers), thousands(s.demands));
    for line in headline(s) {
        out += &format!("  {line}\n");
    }
    let optimal = match s.optimal {
        Some(true) => "yes (proven)",
        Some(false) => "not proven (continuity, day limits, crews or a time limit couple the dates; weighted fill is within the bound above)",
        None => "unknown",
    };
    out += &format!("  optimal     {optimal}\n");
    out += &format!("  time        {}\n", duration(s.elapsed_ms));

    if solution.unfilled.is_empty() {
        out += "  unfilled    none\n";
    } else {
        // Grouped by reason, in the spec's order; slots without a reason
        // (options.explain = false) last.
        let mut by_reason: BTreeMap<Option<ReasonCode>, (u64, u64)> = BTreeMap::new();
        for u in &solution.unfilled {
            let entry = by_reason.entry(u.reason.as_ref().map(|r| r.code)).or_default();
            entry.0 += 1;
            entry.1 += u.missing.max(0) as u64;
        }
        let missing: u64 = by_reason.values().map(|v| v.1).sum();
        out += &format!(
            "  unfilled    {} slots, {} worker-days short:\n",
            thousands(solution.unfilled.len() as u64),
            thousands(missing)
        );
        let mut rows: Vec<_> = by_reason.into_iter().collect();
        rows.sort_by_key(|(code, _)| (code.is_none(), *code));
        for (code, (slots, days)) in rows {
            let name = code.map_or("(not explained)", ReasonCode::as_str);
            out += &format!(
                "    {name:<24} {:>9} slots {:>10} worker-days\n",
                thousands(slots),
                thousands(days)
            );
        }
    }
    if !warnings.is_empty() {
        out += &format!("  warnings    {}\n", thousands(warnings.len() as u64));
        const SHOWN: usize = 3;
        for w in warnings.iter().take(SHOWN) {
            out += &format!("    - {w}\n");
        }
        if warnings.len() > SHOWN {
            out += &format!(
                "    ... and {} more; `farmhand validate` lists them all\n",
                warnings.len() - SHOWN
            );
        }
    }
    out
}

/// Milliseconds as `850 ms` or `12.3 s`.
pub(crate) fn duration(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands_i(-4200), "-4,200");
    }

    fn unfilled(demand: &str, missing: i64, code: Option<ReasonCode>) -> farmhand::Unfilled {
        farmhand::Unfilled {
            demand_id: demand.into(),
            date: "2026-04-06".into(),
            missing,
            reason: code.map(|code| farmhand::Reason {
                code,
                message: String::new(),
                nearest_km: None,
                closest_skill_gap: None,
                eligible: None,
                taken_by: None,
            }),
        }
    }

    #[test]
    fn match_summary_groups_unfilled_slots_by_reason() {
        let summary = Summary {
            workers: 1200,
            demands: 3,
            slots: 10,
            worker_days_needed: 20,
            worker_days_filled: 15,
            fill_rate: 0.75,
            weighted_fill: 15,
            weighted_fill_bound: 15,
            total_distance_km: 123.456,
            shortage_imbalance: 1.0,
            continuity_pairs: 0,
            preferred_assignments: 0,
            previous_kept: 0,
            objective_km: 100.0,
            optimal: Some(true),
            elapsed_ms: 1500.0,
        };
        let solution = Solution {
            assignments: Vec::new(),
            unfilled: vec![
                unfilled("b", 2, Some(ReasonCode::TakenByOtherDemands)),
                unfilled("a", 1, Some(ReasonCode::NoWorkerInRange)),
                unfilled("c", 2, Some(ReasonCode::TakenByOtherDemands)),
                unfilled("d", 1, None),
            ],
            standby: None,
            dropped_previous: Vec::new(),
            summary,
            warnings: (1..=5).map(|i| format!("warning {i}")).collect(),
        };
        let text = match_summary(&solution, &solution.warnings);
        for expected in [
            "1,200 workers",
            "fill        75.0% (15 of 20 worker-days, 10 slots)",
            "123.5 km in all",
            "optimal     yes",
            "time        1.5 s",
            "unfilled    4 slots, 6 worker-days short:",
            "warning 3",
            "and 2 more",
        ] {
            assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
        }
        let order: Vec<usize> = ["no_worker_in_range", "taken_by_other_demands", "(not explained)"]
            .iter()
            .map(|code| text.find(code).expect(code))
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
        assert!(!text.contains("warning 4"), "{text}");
    }

    #[test]
    fn durations_switch_to_seconds() {
        assert_eq!(duration(12.4), "12 ms");
        assert_eq!(duration(12_345.0), "12.3 s");
    }
}
