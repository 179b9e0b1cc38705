//! The one error type of the service and the one place that maps each case to
//! a status code and a JSON body.
//!
//! Every error answer, the fallback 404 and 405 included, has the shape
//! `{"error": code, "message": text, "details": [...]}`. A 5xx tells the
//! client little and logs the real cause.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::jobs::JobStatus;

/// An error answer's body.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `invalid_problem`.
    pub error: String,
    /// What went wrong, for a person.
    pub message: String,
    /// Every individual problem (may be empty).
    pub details: Vec<ErrorDetail>,
    /// For `invalid_problem`: the warnings found alongside the errors
    /// (suspicious but legal input), in the shape of `details`. Left out
    /// when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<ErrorDetail>,
    /// For `job_not_done`: the job's current status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<JobStatus>,
}

/// One problem of a request.
///
/// `path` and `message` are always there. A problem found in a spreadsheet
/// (`POST /v1/sheets/problem`) also has `file`, `line` (when it is about a
/// row) and `column_name` (when it is about a cell or a column), and its
/// `path` reads `file:line:column_name`, e.g. `workers.csv:7:lat`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// JSON path of the offending value, e.g. `workers[3].location.lat`;
    /// empty for the document as a whole. For a spreadsheet, the cell:
    /// `workers.csv:7:lat` (file, line, column), `workers.csv:1` (the
    /// header line) or `workers.csv` (the file).
    pub path: String,
    /// What is wrong and how to fix it.
    pub message: String,
    /// Stable code of the library's validation (`invalid_problem`; for a
    /// spreadsheet also the reading codes of farmhand-sheets, such as
    /// `invalid_number`), or the kind of JSON error (`syntax`, `data`, `eof`)
    /// for `malformed_json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The spreadsheet at fault, by the name the request gave it
    /// (`POST /v1/sheets/problem` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Line, from 1: of the JSON error for `malformed_json`; of the row in
    /// the spreadsheet `file` (the header is line 1) for a spreadsheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// Column of the JSON error, from 1 (`malformed_json` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// The spreadsheet column's header name, e.g. `lat`, when the problem is
    /// about one cell or one column (`POST /v1/sheets/problem` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column_name: Option<String>,
}

impl ErrorDetail {
    /// A spreadsheet issue as a detail: the cell as `path`, and the same
    /// apart as `file`, `line` and `column_name`.
    fn from_sheet_issue(issue: farmhand_sheets::SheetIssue) -> Self {
        let mut path = issue.file.clone();
        if issue.line > 0 {
            path.push_str(&format!(":{}", issue.line));
        }
        if let Some(column) = &issue.column {
            path.push(':');
            path.push_str(column);
        }
        ErrorDetail {
            path,
            message: issue.message,
            code: Some(issue.code),
            file: Some(issue.file),
            line: (issue.line > 0).then(|| usize::try_from(issue.line).unwrap_or(usize::MAX)),
            column: None,
            column_name: issue.column,
        }
    }
}

/// Everything that can go wrong with a request.
#[derive(Debug)]
pub enum ApiError {
    /// 400: the body is not JSON of the expected shape.
    MalformedJson(Vec<ErrorDetail>),
    /// 400: the body could not be read.
    BadRequest(String),
    /// 401: auth is on and the bearer token is missing or wrong.
    Unauthorized,
    /// 404: no such route.
    NoRoute,
    /// 404: no such job (never existed, or dropped after its retention time).
    JobNotFound,
    /// 405: the route exists, the method does not.
    MethodNotAllowed,
    /// 409: the job has no solution (yet); carries its status.
    JobNotDone(Box<JobStatus>),
    /// 409: the job finished before it could be cancelled.
    JobFinished(Box<JobStatus>),
    /// 413: the body is larger than the limit.
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// 413: the problem has more slots than the server solves.
    ProblemTooLarge {
        /// The problem's slots.
        slots: u64,
        /// The limit (`--max-slots`).
        limit: u64,
    },
    /// 415: the body is not declared as JSON.
    UnsupportedMediaType(String),
    /// 422: the problem breaks the spec; every issue found, and the
    /// warnings found alongside.
    InvalidProblem(farmhand::ValidationError),
    /// 422: spreadsheets that do not make a valid problem; every issue
    /// found, each with its file, line and column.
    InvalidSheets(Vec<farmhand_sheets::SheetIssue>),
    /// 503: every solve slot and waiting place is taken.
    Overloaded,
    /// 503: the server is shutting down.
    ShuttingDown,
    /// 504: the synchronous solve took longer than the request timeout.
    Timeout(Duration),
    /// 500: a bug; the cause is logged, not sent.
    Internal(String),
}

/// The error code of a response, left in its extensions for the metrics layer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ErrorCode(pub(crate) &'static str);

impl ApiError {
    /// The status code and stable code of each case: the one mapping.
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::MalformedJson(_) => (StatusCode::BAD_REQUEST, "malformed_json"),
            ApiError::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::NoRoute => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::JobNotFound => (StatusCode::NOT_FOUND, "job_not_found"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            ApiError::JobNotDone(_) => (StatusCode::CONFLICT, "job_not_done"),
            ApiError::JobFinished(_) => (StatusCode::CONFLICT, "job_finished"),
            ApiError::PayloadTooLarge { .. } => {
                (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
            }
            ApiError::ProblemTooLarge { .. } => {
                (StatusCode::PAYLOAD_TOO_LARGE, "problem_too_large")
            }
            ApiError::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            ApiError::InvalidProblem(_) | ApiError::InvalidSheets(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "invalid_problem")
            }
            ApiError::Overloaded => (StatusCode::SERVICE_UNAVAILABLE, "overloaded"),
            ApiError::ShuttingDown => (StatusCode::SERVICE_UNAVAILABLE, "shutting_down"),
            ApiError::Timeout(_) => (StatusCode::GATEWAY_TIMEOUT, "timeout"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    fn message(&self) -> String {
        match self {
            ApiError::MalformedJson(details) => format!(
                "the body is not JSON of the expected shape: {}",
                details.first().map_or("", |d| d.message.as_str())
            ),
            ApiError::BadRequest(why) => format!("the request body could not be read: {why}"),
            ApiError::Unauthorized => {
                "missing or wrong bearer token (header `Authorization: Bearer <token>`)".into()
            }
            ApiError::NoRoute => "no such route; see /openapi.json".into(),
            ApiError::JobNotFound => {
                "no such job: it never existed or was dropped after its retention time".into()
            }
            ApiError::MethodNotAllowed => "method not allowed on this route".into(),
            ApiError::JobNotDone(job) => {
                format!("the job is {}; it has no solution", job.status.as_str())
            }
            ApiError::JobFinished(job) => {
                format!("the job is already {}; it cannot be cancelled", job.status.as_str())
            }
            ApiError::PayloadTooLarge { limit } => {
                format!("the body is larger than the limit of {limit} bytes")
            }
            ApiError::ProblemTooLarge { slots, limit } => format!(
                "the problem has {slots} slots (demand, date pairs) and this server solves at \
                 most {limit}; split it by date or by region, or raise the server's \
                 --max-slots"
            ),
            ApiError::UnsupportedMediaType(got) => {
                format!("the body must be `application/json`, got `{got}`")
            }
            ApiError::InvalidProblem(err) => {
                format!("the problem is invalid: {} issue(s)", err.issues.len())
            }
            ApiError::InvalidSheets(issues) => format!(
                "the spreadsheets do not make a valid problem: {} issue(s)",
                issues.len()
            ),
            ApiError::Overloaded => "the server is at capacity; retry later".into(),
            ApiError::ShuttingDown => "the server is shutting down; retry elsewhere".into(),
            ApiError::Timeout(limit) => format!(
                "the solve took longer than {} s and was cancelled; submit it as a job (POST /v1/jobs)",
                limit.as_secs_f64()
            ),
            // The cause is logged where the response is built, never sent.
            ApiError::Internal(_) => "internal error; the server log has the cause".into(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let ApiError::Internal(cause) = &self {
            tracing::error!(%cause, "internal error");
        }
        let message = self.message();
        let as_detail = |issue: farmhand::Issue| ErrorDetail {
            path: issue.path,
            message: issue.message,
            code: Some(issue.code),
            ..ErrorDetail::default()
        };
        let (details, warnings, job) = match self {
            ApiError::MalformedJson(details) => (details, Vec::new(), None),
            ApiError::InvalidProblem(err) => (
                err.issues.into_iter().map(as_detail).collect(),
                err.warnings.into_iter().map(as_detail).collect(),
                None,
            ),
            ApiError::InvalidSheets(issues) => {
                (issues.into_iter().map(ErrorDetail::from_sheet_issue).collect(), Vec::new(), None)
            }
            ApiError::JobNotDone(job) | ApiError::JobFinished(job) => {
                (Vec::new(), Vec::new(), Some(*job))
            }
            _ => (Vec::new(), Vec::new(), None),
        };
        let body = ErrorBody { error: code.to_owned(), message, details, warnings, job };
        // Serialising these plain structs cannot fail; fall back to a fixed
        // body rather than panic if it ever did.
        let bytes = serde_json::to_vec(&body).unwrap_or_else(|_| {
            br#"{"error":"internal","message":"internal error","details":[]}"#.to_vec()
        });
        let mut response = (status, bytes).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if status == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response.extensions_mut().insert(ErrorCode(code));
        response
    }
}
