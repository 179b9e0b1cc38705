//! Examples shown in the OpenAPI document (and posted by the tests, which
//! check that the server accepts every one).

use base64::Engine as _;
use serde_json::{json, Value};

/// A tiny problem: two workers, one demand over two dates.
pub(crate) fn problem() -> Value {
    json!({
        "workers": [
            {
                "id": "ana",
                "location": {"lat": 52.090, "lon": 5.120},
                "skills": {"picking": 3},
                "availability": [{"start": "2025-06-02", "end": "2025-06-06"}]
            },
            {
                "id": "ben",
                "location": {"lat": 52.160, "lon": 5.390},
                "max_travel_km": 40.0,
                "availability": [{"start": "2025-06-02", "end": "2025-06-03"}],
                "max_days": 10
            }
        ],
        "demands": [
            {
                "id": "orchard-june",
                "farm_id": "orchard",
                "location": {"lat": 52.100, "lon": 5.200},
                "start": "2025-06-02",
                "end": "2025-06-03",
                "workers_per_day": 2,
                "priority": 3
            }
        ],
        "options": {"standby_per_slot": 1}
    })
}

/// Two one-row spreadsheets, as `POST /v1/sheets/problem` takes them:
/// Korean ids, a skill, an availability range.
pub(crate) fn sheets_request() -> Value {
    let base64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    json!({
        "workers": {
            "name": "workers.csv",
            "base64": base64(
                "id,name,lat,lon,skills,availability\n\
                 w-봉동-01,김민준,35.941,127.163,harvest:3,2027-04-05..2027-04-06\n"
            ),
        },
        "demands": {
            "name": "demands.csv",
            "base64": base64(
                "id,farm_id,lat,lon,start,end,workers_per_day,required_skills\n\
                 d-01,f-봉동-딸기,35.952,127.178,2027-04-05,2027-04-06,1,harvest:2\n"
            ),
        },
        "encoding": "auto"
    })
}

/// A one-slot problem and its solution: one worker at the farm itself.
pub(crate) fn check_request() -> Value {
    json!({
        "problem": {
            "workers": [{
                "id": "w1",
                "location": {"lat": 52.0, "lon": 5.0},
                "availability": [{"start": "2025-06-02", "end": "2025-06-02"}]
            }],
            "demands": [{
                "id": "d1",
                "farm_id": "f1",
                "location": {"lat": 52.0, "lon": 5.0},
                "start": "2025-06-02",
                "end": "2025-06-02",
                "workers_per_day": 1
            }]
        },
        "solution": {
            "assignments": [{
                "worker_id": "w1", "demand_id": "d1", "farm_id": "f1",
                "date": "2025-06-02", "distance_km": 0.0
            }],
            "unfilled": [],
            "dropped_previous": [],
            "summary": {
                "workers": 1, "demands": 1, "slots": 1,
                "worker_days_needed": 1, "worker_days_filled": 1, "fill_rate": 1.0,
                "weighted_fill": 1, "weighted_fill_bound": 1,
                "total_distance_km": 0.0, "shortage_imbalance": 0.0,
                "continuity_pairs": 0, "preferred_assignments": 0, "previous_kept": 0,
                "objective_km": 0.0, "optimal": true, "elapsed_ms": 0.1
            },
            "warnings": []
        }
    })
}
