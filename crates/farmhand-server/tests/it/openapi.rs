//! The OpenAPI document: 3.1, every route and schema, every example accepted.

use serde_json::Value;

use crate::support::{config, TestServer};

const ROUTES: [(&str, &str); 17] = [
    ("/v1/match", "post"),
    ("/v1/validate", "post"),
    ("/v1/check", "post"),
    ("/v1/sheets/problem", "post"),
    ("/v1/export/assignments.csv", "post"),
    ("/v1/export/unfilled.csv", "post"),
    ("/v1/export/standby.csv", "post"),
    ("/v1/export/geojson", "post"),
    ("/v1/jobs", "post"),
    ("/v1/jobs/{id}", "get"),
    ("/v1/jobs/{id}", "delete"),
    ("/v1/jobs/{id}/events", "get"),
    ("/v1/jobs/{id}/solution", "get"),
    ("/healthz", "get"),
    ("/readyz", "get"),
    ("/metrics", "get"),
    ("/openapi.json", "get"),
];

async fn document(server: &TestServer) -> Value {
    let response = server.get("/openapi.json").await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_is_openapi_3_1_with_every_route_and_schema() {
    let server = TestServer::real(config()).await;
    let doc = document(&server).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in ROUTES {
        assert!(paths.get(path).and_then(|p| p.get(method)).is_some(), "{method} {path} missing");
    }
    let n_operations: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(n_operations, ROUTES.len(), "a route is documented that the test does not know");
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "Problem",
        "Worker",
        "Demand",
        "Options",
        "Solution",
        "Summary",
        "Reason",
        "Issue",
        "CheckReport",
        "CheckRequest",
        "ValidateResponse",
        "ErrorBody",
        "ErrorDetail",
        "JobStatus",
        "JobState",
        "JobProgress",
        "Health",
        "SheetsRequest",
        "SheetFile",
        "SheetEncoding",
        "ExportRequest",
    ] {
        assert!(schemas.contains_key(name), "schema {name} missing");
    }
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    // Every error status the service answers is documented on /v1/match.
    let responses = doc["paths"]["/v1/match"]["post"]["responses"].as_object().unwrap();
    for status in ["200", "400", "401", "413", "415", "422", "503", "504"] {
        assert!(responses.contains_key(status), "/v1/match lacks {status}");
    }
    // The sheets' routes document their downloads and every error they answer.
    for path in ["/v1/sheets/problem", "/v1/export/assignments.csv", "/v1/export/geojson"] {
        let responses = doc["paths"][path]["post"]["responses"].as_object().unwrap();
        for status in ["200", "400", "401", "413", "415", "422", "503"] {
            assert!(responses.contains_key(status), "{path} lacks {status}");
        }
    }
    let csv = &doc["paths"]["/v1/export/unfilled.csv"]["post"]["responses"]["200"];
    assert!(csv["content"].get("text/csv; charset=utf-8").is_some(), "{csv}");
    assert!(csv["headers"].get("content-disposition").is_some(), "{csv}");
    let geojson = &doc["paths"]["/v1/export/geojson"]["post"]["responses"]["200"];
    assert!(geojson["content"].get("application/geo+json").is_some(), "{geojson}");
    let base64 = &schemas["SheetFile"]["properties"]["base64"];
    assert_eq!(base64["contentEncoding"], "base64", "{base64}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_example_in_the_document_is_accepted() {
    let server = TestServer::real(config()).await;
    let doc = document(&server).await;
    let mut n_examples = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let Some(example) = operation.pointer("/requestBody/content/application~1json/example")
            else {
                continue;
            };
            assert_eq!(method, "post", "{path}");
            let response = server.post_json(path, example).await;
            let status = response.status();
            let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
            let text = response.text().await.unwrap();
            assert!(status.is_success(), "{path}: {status} {text}");
            // The answer has the content type the document gives it.
            let documented = &operation["responses"][status.as_u16().to_string()]["content"];
            assert!(documented.get(&content_type).is_some(), "{path}: {content_type}");
            if path.ends_with(".csv") {
                assert!(text.starts_with('\u{feff}'), "{path}: no byte order mark");
                n_examples += 1;
                continue;
            }
            let body: Value = serde_json::from_str(&text).unwrap();
            if path == "/v1/check" {
                assert_eq!(
                    body["ok"], true,
                    "the check example must be a correct solution: {body}"
                );
            }
            n_examples += 1;
        }
    }
    assert_eq!(
        n_examples, 9,
        "match, validate, check, jobs, sheets and the four exports each have an example"
    );
}
