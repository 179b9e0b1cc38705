//! Handler tests through `tower::ServiceExt::oneshot` on the router: the
//! error shapes and the middleware, without a socket.

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use farmhand_server::{app, AppState, Config};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::support::{config, scripted, ScriptedEngine};

fn router(config: Config) -> Router {
    app(AppState::with_engine(config, ScriptedEngine::new(Duration::ZERO, 2)))
}

/// Sends one request; returns status, headers and the body as JSON (or as a
/// JSON string when it is not JSON).
async fn send(
    router: Router,
    method: Method,
    uri: &str,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let mut req = Request::builder().method(method).uri(uri);
    if let Some(ct) = content_type {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    let response = router.oneshot(req.body(body.into()).unwrap()).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let value = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, headers, value)
}

async fn post(router: Router, uri: &str, body: &str) -> (StatusCode, axum::http::HeaderMap, Value) {
    send(router, Method::POST, uri, Some("application/json"), body.to_owned()).await
}

fn assert_error_shape(body: &Value, code: &str) {
    assert_eq!(body["error"], code, "{body}");
    assert!(body["message"].is_string(), "{body}");
    assert!(body["details"].is_array(), "{body}");
}

#[tokio::test]
async fn health_answers_json_with_a_request_id() {
    let (status, headers, body) =
        send(router(config()), Method::GET, "/healthz", None, Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"status": "ok"}));
    assert!(!headers["x-request-id"].is_empty());
}

#[tokio::test]
async fn a_given_request_id_is_echoed() {
    let req =
        Request::get("/healthz").header("x-request-id", "abc-123").body(Body::empty()).unwrap();
    let response = router(config()).oneshot(req).await.unwrap();
    assert_eq!(response.headers()["x-request-id"], "abc-123");
}

#[tokio::test]
async fn unknown_route_is_a_json_404() {
    let (status, headers, body) =
        send(router(config()), Method::GET, "/v2/nothing", None, Body::empty()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert_error_shape(&body, "not_found");
    assert!(headers.contains_key("x-request-id"));
}

#[tokio::test]
async fn wrong_method_is_a_json_405() {
    let (status, headers, body) =
        send(router(config()), Method::GET, "/v1/match", None, Body::empty()).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert_error_shape(&body, "method_not_allowed");
}

#[tokio::test]
async fn malformed_json_reports_line_and_column() {
    let body = "{\n  \"workers\": [],\n  \"demands\": [,]\n}";
    let (status, _, body) = post(router(config()), "/v1/match", body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error_shape(&body, "malformed_json");
    let detail = &body["details"][0];
    assert_eq!(detail["line"], 3, "{body}");
    assert_eq!(detail["column"], 15, "{body}");
    assert_eq!(detail["code"], "syntax");
}

#[tokio::test]
async fn a_wrong_type_reports_its_json_path() {
    let body = r#"{"workers": [{"id": "a", "location": {"lat": "north", "lon": 5}, "availability": []}], "demands": []}"#;
    let (status, _, body) = post(router(config()), "/v1/validate", body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["details"][0]["path"], "workers[0].location.lat", "{body}");
    assert_eq!(body["details"][0]["code"], "data");
}

#[tokio::test]
async fn every_wrong_type_is_a_detail() {
    let body = r#"{"workers": [
        {"id": "a", "location": {"lat": "north", "lon": 5}, "availability": []},
        {"id": "b", "location": {"lat": 1, "lon": 5}, "availability": [], "max_days": "3"}],
      "demands": [], "options": {"explain": "yes"}}"#;
    let (status, _, body) = post(router(config()), "/v1/match", body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error_shape(&body, "malformed_json");
    let details = body["details"].as_array().unwrap();
    let paths: Vec<&str> = details.iter().map(|d| d["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["workers[0].location.lat", "options.explain", "workers[1].max_days"]);
    // The first is located in the text; all are of shape, in plain words.
    assert_eq!((details[0]["line"].as_u64(), details[0]["column"].as_u64()), (Some(2), Some(47)));
    assert!(details.iter().all(|d| d["code"] == "data"), "{body}");
    assert!(details[2].get("line").is_none(), "{body}");
    assert_eq!(details[1]["message"], "expected true or false, got the string \"yes\"");
}

/// serde would read a struct from a list of its fields' values; the format
/// has objects only, in the request bodies that wrap a problem too.
#[tokio::test]
async fn a_list_in_place_of_an_object_is_malformed() {
    let worker = r#"{"id": "a", "location": [35.8, 127.1], "availability": []}"#;
    let problem = format!(r#"{{"workers": [{worker}], "demands": []}}"#);
    for (uri, body, path) in [
        ("/v1/match", problem.clone(), "workers[0].location"),
        ("/v1/check", r#"{"problem": [[], []], "solution": {}}"#.to_owned(), "problem"),
        (
            "/v1/export/geojson",
            r#"{"problem": {"workers": [], "demands": []}, "solution": [[], [], [], {}, []]}"#
                .to_owned(),
            "solution",
        ),
        (
            "/v1/sheets/problem",
            r#"{"workers": ["w.csv", "YQ=="], "demands": {}}"#.to_owned(),
            "workers",
        ),
    ] {
        let (status, _, body) = post(router(config()), uri, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
        assert_error_shape(&body, "malformed_json");
        let first = &body["details"][0];
        assert_eq!(first["path"], path, "{uri}: {body}");
        assert_eq!(first["message"], "expected an object {...}, got a list", "{uri}: {body}");
    }
}

#[tokio::test]
async fn a_job_id_that_is_not_text_is_no_job_in_json() {
    for (method, path) in [
        (Method::GET, "/v1/jobs/%FF"),
        (Method::GET, "/v1/jobs/%FF/events"),
        (Method::GET, "/v1/jobs/%FF/solution"),
        (Method::DELETE, "/v1/jobs/%FF"),
    ] {
        let (status, headers, body) =
            send(router(config()), method, path, None, Body::empty()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
        assert_error_shape(&body, "job_not_found");
    }
}

#[tokio::test]
async fn an_unknown_field_is_malformed() {
    let body = r#"{"workers": [], "demands": [], "optoins": {}}"#;
    let (status, _, body) = post(router(config()), "/v1/match", body).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["details"][0]["message"].as_str().unwrap().contains("optoins"), "{body}");
}

#[tokio::test]
async fn trailing_garbage_and_empty_bodies_are_malformed() {
    for text in ["{\"workers\": [], \"demands\": []} x", ""] {
        let (status, _, body) = post(router(config()), "/v1/match", text).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{text:?}");
        assert_error_shape(&body, "malformed_json");
    }
}

#[tokio::test]
async fn a_body_not_declared_json_is_415() {
    let problem = serde_json::to_string(&scripted("w")).unwrap();
    for ct in [None, Some("text/plain"), Some("application/x-www-form-urlencoded")] {
        let (status, _, body) =
            send(router(config()), Method::POST, "/v1/match", ct, problem.clone()).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{ct:?}");
        assert_error_shape(&body, "unsupported_media_type");
    }
    for ct in ["application/json; charset=utf-8", "application/problem+json"] {
        let (status, _, _) =
            send(router(config()), Method::POST, "/v1/validate", Some(ct), problem.clone()).await;
        assert_eq!(status, StatusCode::OK, "{ct}");
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let config = Config { body_limit: 1024, ..config() };
    let big = format!(r#"{{"workers": [], "demands": [], "pad": "{}"}}"#, "x".repeat(2048));
    let (status, _, body) = post(router(config), "/v1/match", &big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_error_shape(&body, "payload_too_large");
}

#[tokio::test]
async fn an_invalid_problem_is_422_with_every_detail() {
    let problem = serde_json::to_string(&scripted("invalid")).unwrap();
    for uri in ["/v1/match", "/v1/jobs"] {
        let (status, _, body) = post(router(config()), uri, &problem).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}");
        assert_error_shape(&body, "invalid_problem");
        let details = body["details"].as_array().unwrap();
        assert_eq!(details.len(), 2);
        assert_eq!(details[0]["path"], "workers[0].location.lat");
        assert_eq!(details[0]["code"], "coordinate_out_of_range");
        assert_eq!(details[1]["path"], "demands[0].workers_per_day");
        assert_eq!(
            body["warnings"],
            json!([{"path": "workers", "code": "few_workers", "message": "scripted warning"}]),
            "{uri}: the warnings found alongside are kept"
        );
    }
}

#[tokio::test]
async fn a_problem_over_the_slot_limit_is_413_and_never_solved() {
    // `scripted` has one demand over two dates: two slots.
    let problem = serde_json::to_string(&scripted("ok")).unwrap();
    for uri in ["/v1/match", "/v1/jobs"] {
        let engine = ScriptedEngine::new(Duration::ZERO, 2);
        let state = AppState::with_engine(Config { max_slots: 1, ..config() }, engine.clone());
        let (status, _, body) = post(app(state), uri, &problem).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{uri}");
        assert_error_shape(&body, "problem_too_large");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("2 slots") && message.contains("--max-slots"), "{message}");
        assert_eq!(engine.started.load(std::sync::atomic::Ordering::SeqCst), 0, "{uri}");

        let at_limit = AppState::with_engine(Config { max_slots: 2, ..config() }, engine.clone());
        let (status, _, body) = post(app(at_limit), uri, &problem).await;
        assert!(status.is_success(), "{uri}: {status} {body}");
    }
    // Over the limit and invalid (a typo in a date gives many slots): the
    // 422 that names the fix, not advice to raise the limit.
    let mut invalid = scripted("invalid");
    invalid.demands[0].end = "2206-06-03".into();
    let invalid = serde_json::to_string(&invalid).unwrap();
    for uri in ["/v1/match", "/v1/jobs"] {
        let (status, _, body) =
            post(router(Config { max_slots: 1000, ..config() }), uri, &invalid).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}: {body}");
        assert_error_shape(&body, "invalid_problem");
    }
    // Validation is not solving: it answers whatever the size.
    let (status, _, body) =
        post(router(Config { max_slots: 1, ..config() }), "/v1/validate", &problem).await;
    assert_eq!((status, &body["valid"]), (StatusCode::OK, &json!(true)), "{body}");
}

#[tokio::test]
async fn validate_lists_errors_and_warnings() {
    let (status, _, body) = post(
        router(config()),
        "/v1/validate",
        &serde_json::to_string(&scripted("invalid")).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["valid"], false);
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
    let (status, _, body) =
        post(router(config()), "/v1/validate", &serde_json::to_string(&scripted("ok")).unwrap())
            .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"valid": true, "errors": [], "warnings": [
        {"path": "workers", "code": "few_workers", "message": "scripted warning"}]})
    );
}

#[tokio::test]
async fn a_library_panic_is_a_terse_500() {
    let problem = serde_json::to_string(&scripted("panic")).unwrap();
    for uri in ["/v1/match", "/v1/validate"] {
        let (status, _, body) = post(router(config()), uri, &problem).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{uri}");
        assert_error_shape(&body, "internal");
        assert!(!body.to_string().contains("secret-internal-detail"), "{body}");
    }
}

#[tokio::test]
async fn an_unknown_job_is_404() {
    for uri in ["/v1/jobs/nope", "/v1/jobs/nope/solution", "/v1/jobs/nope/events"] {
        let (status, _, body) = send(router(config()), Method::GET, uri, None, Body::empty()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{uri}");
        assert_error_shape(&body, "job_not_found");
    }
    let (status, _, _) =
        send(router(config()), Method::DELETE, "/v1/jobs/nope", None, Body::empty()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn auth_guards_v1_and_leaves_ops_open() {
    let config = Config { api_token: Some("s3cret-token".into()), ..config() };
    let router = router(config);
    let problem = serde_json::to_string(&scripted("w")).unwrap();
    for auth in [
        None,
        Some("Bearer wrong"),
        Some("Bearer s3cret-tokenX"),
        Some("s3cret-token"),
        Some("Basic s3cret-token"),
    ] {
        let mut req =
            Request::post("/v1/validate").header(header::CONTENT_TYPE, "application/json");
        if let Some(a) = auth {
            req = req.header(header::AUTHORIZATION, a);
        }
        let response =
            router.clone().oneshot(req.body(Body::from(problem.clone())).unwrap()).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
        assert_eq!(response.headers()[header::WWW_AUTHENTICATE], "Bearer");
        let body: Value =
            serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes())
                .unwrap();
        assert_error_shape(&body, "unauthorized");
    }
    let req = Request::post("/v1/validate")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, "Bearer s3cret-token")
        .body(Body::from(problem))
        .unwrap();
    assert_eq!(router.clone().oneshot(req).await.unwrap().status(), StatusCode::OK);
    for open in ["/healthz", "/readyz", "/metrics", "/openapi.json"] {
        let (status, _, _) = send(router.clone(), Method::GET, open, None, Body::empty()).await;
        assert_eq!(status, StatusCode::OK, "{open}");
    }
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_rejections() {
    let router = router(Config { body_limit: 16, ..config() });
    let _ = post(router.clone(), "/v1/match", "{\"workers\": [], \"demands\": []}").await;
    let _ = send(router.clone(), Method::GET, "/v1/jobs/abc", None, Body::empty()).await;
    let (status, headers, text) = send(router, Method::GET, "/metrics", None, Body::empty()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/plain"));
    let text = text.as_str().unwrap();
    assert!(
        text.contains(
            r#"farmhand_http_requests_total{route="/v1/match",method="POST",status="413"} 1"#
        ),
        "{text}"
    );
    // The route template, never the id.
    assert!(text.contains(r#"route="/v1/jobs/{id}",method="GET",status="404""#), "{text}");
    assert!(
        text.contains(r#"farmhand_rejected_requests_total{reason="payload_too_large"} 1"#),
        "{text}"
    );
    assert!(text.contains(r#"farmhand_jobs{status="queued"} 0"#), "{text}");
}

#[tokio::test]
async fn the_web_page_is_html_and_needs_no_token() {
    let router = router(Config { api_token: Some("s3cret-token".into()), ..config() });
    let response =
        router.clone().oneshot(Request::get("/").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("connect-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let html = std::str::from_utf8(&bytes).unwrap();
    assert_eq!(html, farmhand_report::page_html());
    assert!(html.contains(r#"data-mode="page""#) && html.contains(r#"id="match-button""#));
    // The page is counted under its route like every other.
    let (_, _, metrics) = send(router, Method::GET, "/metrics", None, Body::empty()).await;
    assert!(
        metrics
            .as_str()
            .unwrap()
            .contains(r#"farmhand_http_requests_total{route="/",method="GET",status="200"} 1"#),
        "{metrics}"
    );
}

#[tokio::test]
async fn the_web_page_answers_get_only() {
    let (status, _, body) = send(router(config()), Method::POST, "/", None, Body::empty()).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_error_shape(&body, "method_not_allowed");
}
