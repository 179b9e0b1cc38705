//! Spreadsheets over HTTP with the real library: `POST /v1/sheets/problem`
//! reads the example CSV pair (UTF-8 and CP949) into the problem
//! farmhand-sheets reads, or lists every issue with its file, line and
//! column; the export routes answer exactly the bytes farmhand-sheets
//! writes, as downloads.

use base64::Engine as _;
use farmhand::{Problem, Solution};
use farmhand_server::Config;
use farmhand_sheets::{ReadOptions, SheetInput};
use serde_json::{json, Value};

use crate::support::{config, small_problem, TestServer};

const EXPORTS: [&str; 4] = [
    "/v1/export/assignments.csv",
    "/v1/export/unfilled.csv",
    "/v1/export/standby.csv",
    "/v1/export/geojson",
];

fn example(name: &str) -> Vec<u8> {
    let path = format!("{}/../../examples/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn sheets_body(workers: &[u8], demands: &[u8], encoding: &str) -> Value {
    json!({
        "workers": {"name": "workers.csv", "base64": b64(workers)},
        "demands": {"name": "demands.csv", "base64": b64(demands)},
        "encoding": encoding,
    })
}

fn cp949(bytes: &[u8]) -> Vec<u8> {
    // Excel's CP949 files have no byte order mark; the examples' UTF-8 one
    // is not CP949 text.
    let text = std::str::from_utf8(bytes).unwrap();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (encoded, _, unmappable) = encoding_rs::EUC_KR.encode(text);
    assert!(!unmappable, "the example is not CP949 text");
    encoded.into_owned()
}

/// The problem farmhand-sheets itself reads from the example pair.
fn example_problem() -> Problem {
    farmhand_sheets::read_problem(
        &SheetInput::new("workers.csv", example("workers.csv")),
        &SheetInput::new("demands.csv", example("demands.csv")),
        &ReadOptions::default(),
    )
    .expect("the examples are valid")
}

async fn read_sheets(server: &TestServer, body: &Value) -> (u16, Value) {
    let response = server.post_json("/v1/sheets/problem", body).await;
    let status = response.status().as_u16();
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    (status, response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_csv_pair_reads_into_the_problem_and_solves() {
    let server = TestServer::real(config()).await;
    let body = sheets_body(&example("workers.csv"), &example("demands.csv"), "auto");
    let (status, problem) = read_sheets(&server, &body).await;
    assert_eq!(status, 200, "{problem}");
    let problem: Problem = serde_json::from_value(problem).unwrap();
    assert_eq!(problem, example_problem());
    assert!(problem.workers.iter().any(|w| w.id == "전주-01"), "Korean ids survive");

    // The answer is a problem /v1/match takes as it is.
    let response = server.post_json("/v1/match", &problem).await;
    assert_eq!(response.status(), 200);
    let solution: Solution = response.json().await.unwrap();
    assert!(farmhand::check(&problem, &solution).ok);
    assert!(!solution.assignments.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cp949_pair_reads_the_same_detected_or_forced() {
    let server = TestServer::real(config()).await;
    let (workers, demands) = (cp949(&example("workers.csv")), cp949(&example("demands.csv")));
    assert_ne!(workers, example("workers.csv"), "the example has Korean text to encode");
    for encoding in ["auto", "cp949", "euc-kr"] {
        let (status, problem) =
            read_sheets(&server, &sheets_body(&workers, &demands, encoding)).await;
        assert_eq!(status, 200, "{encoding}: {problem}");
        assert_eq!(serde_json::from_value::<Problem>(problem).unwrap(), example_problem());
    }
    // Forced UTF-8, the same bytes are no text: an issue naming the line.
    let (status, body) = read_sheets(&server, &sheets_body(&workers, &demands, "utf-8")).await;
    assert_eq!(status, 422, "{body}");
    let detail = &body["details"][0];
    assert_eq!(detail["code"], "invalid_encoding", "{body}");
    assert_eq!(detail["file"], "workers.csv");
    assert!(detail["line"].as_u64().unwrap() >= 2, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_rows_are_422_with_file_line_and_column() {
    let server = TestServer::real(config()).await;
    let workers = "id,lat,lon,availability\n\
                   w-봉동-1,35.9,127.1,2027-04-05\n\
                   w-봉동-2,95,east,2027-04-05\n\
                   w-봉동-1,35.9,127.1,2027-04-31\n";
    // No name given: the issues say demands.csv.
    let body = json!({
        "workers": {"name": "일손-workers.csv", "base64": b64(workers.as_bytes())},
        "demands": {"base64": b64(&example("demands.csv"))},
    });
    let (status, body) = read_sheets(&server, &body).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"], "invalid_problem");
    assert!(body["message"].as_str().unwrap().contains("issue"), "{body}");
    let details = body["details"].as_array().unwrap();
    let find = |line: u64, column: &str| {
        details
            .iter()
            .find(|d| d["line"] == line && d["column_name"] == column)
            .unwrap_or_else(|| panic!("no issue at line {line}, column {column}: {body}"))
    };
    let lat = find(3, "lat");
    assert_eq!(lat["path"], "일손-workers.csv:3:lat");
    assert_eq!(lat["file"], "일손-workers.csv");
    assert_eq!(lat["code"], "coordinate_out_of_range");
    assert!(lat["message"].as_str().unwrap().contains("95"), "{lat}");
    assert_eq!(find(3, "lon")["code"], "invalid_number");
    assert_eq!(find(4, "id")["code"], "duplicate_id");
    assert_eq!(find(4, "availability")["code"], "invalid_date");
    for d in details {
        // `column` stays the JSON column of malformed_json: never a name.
        assert!(d.get("column").is_none(), "{d}");
        assert!(d["path"].is_string() && d["message"].is_string() && d["code"].is_string());
    }

    // A missing column is an issue of the header line.
    let body = json!({
        "workers": {"base64": b64(b"id,lat,availability\nw-1,35.9,2027-04-05\n")},
        "demands": {"base64": b64(&example("demands.csv"))},
    });
    let (status, body) = read_sheets(&server, &body).await;
    assert_eq!(status, 422, "{body}");
    let missing = body["details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "missing_column")
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(missing["file"], "workers.csv");
    assert_eq!(missing["line"], 1);
    assert_eq!(missing["column_name"], "lon");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_base64_and_unknown_encodings_are_400_naming_the_field() {
    let server = TestServer::real(config()).await;
    let body = json!({
        "workers": {"name": "w.csv", "base64": "aWQs$bGF0"},
        "demands": {"base64": b64(&example("demands.csv"))},
    });
    let (status, body) = read_sheets(&server, &body).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "malformed_json");
    let detail = &body["details"][0];
    assert_eq!(detail["path"], "workers.base64", "{body}");
    assert!(detail["message"].as_str().unwrap().contains("base64"), "{body}");
    assert_eq!(detail["line"], 1);
    assert!(detail["column"].is_u64(), "{body}");

    let mut body = sheets_body(b"", b"", "latin-1");
    let (status, answer) = read_sheets(&server, &body).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["details"][0]["path"], "encoding");

    // Line breaks (as `base64` writes them) and missing padding are fine.
    let wrapped = b64(&example("workers.csv"))
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    body["workers"]["base64"] = json!(wrapped);
    body["demands"]["base64"] = json!(b64(&example("demands.csv")).trim_end_matches('='));
    body["encoding"] = json!("auto");
    let (status, problem) = read_sheets(&server, &body).await;
    assert_eq!(status, 200, "{problem}");
}

/// The example problem with two stand-ins per slot and its solution, from
/// the server, as the export routes take them.
async fn example_plan(server: &TestServer) -> (Problem, Solution, Value) {
    let mut problem = example_problem();
    problem.options.standby_per_slot = 2;
    let response = server.post_json("/v1/match", &problem).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let solution: Solution = serde_json::from_str(&text).unwrap();
    let body =
        json!({"problem": problem, "solution": serde_json::from_str::<Value>(&text).unwrap()});
    (problem, solution, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_are_the_sheets_writers_bytes_as_downloads() {
    let server = TestServer::real(config()).await;
    let (problem, solution, body) = example_plan(&server).await;
    assert!(solution.standby.as_ref().is_some_and(|s| !s.is_empty()));
    type Writer = fn(&Problem, &Solution, &mut Vec<u8>) -> std::io::Result<()>;
    let writers: [(&str, &str, Writer); 3] = [
        ("/v1/export/assignments.csv", "farmhand-assignments.csv", |p, s, w| {
            farmhand_sheets::write_assignments_csv(p, s, w)
        }),
        ("/v1/export/unfilled.csv", "farmhand-unfilled.csv", |p, s, w| {
            farmhand_sheets::write_unfilled_csv(p, s, w)
        }),
        ("/v1/export/standby.csv", "farmhand-standby.csv", |p, s, w| {
            farmhand_sheets::write_standby_csv(p, s, w)
        }),
    ];
    for (path, file, write) in writers {
        let response = server.post_json(path, &body).await;
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], "text/csv; charset=utf-8", "{path}");
        assert_eq!(
            headers["content-disposition"],
            format!("attachment; filename=\"{file}\"").as_str(),
            "{path}"
        );
        let bytes = response.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBFdate,demand_id,farm_id,"), "{path}: no BOM");
        assert!(bytes.ends_with(b"\r\n"), "{path}");
        let mut expected = Vec::new();
        write(&problem, &solution, &mut expected).unwrap();
        assert_eq!(bytes.as_ref(), expected.as_slice(), "{path}");
        assert!(bytes.len() > 200, "{path}: rows were written");
    }

    let response = server.post_json("/v1/export/geojson", &body).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/geo+json");
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"farmhand-plan.geojson\""
    );
    let bytes = response.bytes().await.unwrap();
    let mut expected = Vec::new();
    farmhand_sheets::write_geojson(&problem, &solution, &mut expected).unwrap();
    assert_eq!(bytes.as_ref(), expected.as_slice());
    let map: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(map["type"], "FeatureCollection");
    let features = map["features"].as_array().unwrap();
    let kind = |k: &str| features.iter().filter(|f| f["properties"]["kind"] == k).count();
    assert_eq!(kind("worker"), problem.workers.len());
    assert_eq!(kind("assignment"), solution.assignments.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_validate_the_problem_first() {
    let server = TestServer::real(config()).await;
    let mut problem = small_problem();
    let solution = farmhand::solve(&problem).unwrap();
    problem.workers[1].location.lat = 123.5;
    let body = json!({"problem": problem, "solution": solution});
    for path in EXPORTS {
        let response = server.post_json(path, &body).await;
        assert_eq!(response.status(), 422, "{path}");
        assert!(response.headers().get("content-disposition").is_none(), "{path}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["error"], "invalid_problem", "{path}");
        assert_eq!(answer["details"][0]["path"], "workers[1].location.lat", "{path}");
    }
    // Not {problem, solution}: 400, as for /v1/check.
    let response = server.post_json(EXPORTS[0], &json!({"problem": problem})).await;
    assert_eq!(response.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sheet_routes_need_the_token_when_auth_is_on() {
    let server =
        TestServer::real(Config { api_token: Some("tok-sheets".into()), ..config() }).await;
    let sheets = sheets_body(&example("workers.csv"), &example("demands.csv"), "auto");
    let problem = small_problem();
    let solution = farmhand::solve(&problem).unwrap();
    let export = json!({"problem": problem, "solution": solution});
    let routes = std::iter::once(("/v1/sheets/problem", &sheets))
        .chain(EXPORTS.iter().map(|path| (*path, &export)));
    for (path, body) in routes {
        let without = server.post_json(path, body).await;
        assert_eq!(without.status(), 401, "{path}");
        assert_eq!(without.headers()["www-authenticate"], "Bearer", "{path}");
        let answer: Value = without.json().await.unwrap();
        assert_eq!(answer["error"], "unauthorized", "{path}");
        let wrong =
            server.client.post(server.url(path)).bearer_auth("tok-other").json(body).send().await;
        assert_eq!(wrong.unwrap().status(), 401, "{path}");
        let right =
            server.client.post(server.url(path)).bearer_auth("tok-sheets").json(body).send().await;
        assert_eq!(right.unwrap().status(), 200, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_body_limit_and_media_type_apply_as_on_the_other_routes() {
    let server = TestServer::real(Config { body_limit: 4 << 10, ..config() }).await;
    // The example pair is over 4 KiB in base64.
    let body = sheets_body(&example("workers.csv"), &example("demands.csv"), "auto");
    let (status, answer) = read_sheets(&server, &body).await;
    assert_eq!(status, 413, "{answer}");
    assert_eq!(answer["error"], "payload_too_large");

    for path in std::iter::once("/v1/sheets/problem").chain(EXPORTS) {
        let response = server
            .client
            .post(server.url(path))
            .header("content-type", "text/csv")
            .body("id,lat,lon\n")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 415, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_solution_of_another_problem_or_with_huge_counts_still_exports() {
    // The exports write the solution as given (POST /v1/check verifies it):
    // unknown ids and absurd counts are written, never a 500.
    let server = TestServer::real(config()).await;
    let problem = small_problem();
    let mut solution = serde_json::to_value(farmhand::solve(&problem).unwrap()).unwrap();
    let huge = json!({"demand_id": "orchard", "date": "2025-06-02", "missing": i64::MAX});
    let stranger = json!({"demand_id": "nowhere", "date": "2025-06-02", "missing": -3});
    solution["unfilled"] = json!([huge, huge, huge, stranger]);
    solution["assignments"][0]["worker_id"] = json!("nobody");
    let body = json!({"problem": problem, "solution": solution});
    for path in EXPORTS {
        let response = server.post_json(path, &body).await;
        let status = response.status();
        assert_eq!(status, 200, "{path}: {}", response.text().await.unwrap());
    }
}
