//! The JSON extractor and responder: the same error shape for a malformed body
//! as for everything else.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::{ApiError, ErrorDetail};
use crate::state::AppState;

/// A JSON body in (checked content type, size limit, line and column of any
/// error) or out.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        check_content_type(req.headers())?;
        let limit = state.config().body_limit;
        // The request timeout covers the upload too: a client that stalls
        // must not hold its place among the admitted requests for ever.
        let timeout = state.config().request_timeout;
        let bytes = match tokio::time::timeout(timeout, Bytes::from_request(req, state)).await {
            Ok(read) => read.map_err(|r| bytes_rejection(r, limit))?,
            Err(_) => {
                return Err(ApiError::BadRequest(format!(
                    "the body did not arrive within the request timeout of {} s",
                    timeout.as_secs()
                )))
            }
        };
        parse(&bytes).map(Json)
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        match serde_json::to_vec(&self.0) {
            Ok(bytes) => {
                ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], bytes)
                    .into_response()
            }
            Err(err) => {
                ApiError::Internal(format!("serialising a response: {err}")).into_response()
            }
        }
    }
}

/// Parses a JSON document into `T`. A body that is not JSON is one error at
/// its line and column; JSON of the wrong shape lists every wrong type,
/// unknown and missing field found (`farmhand::parse_json`), each with its
/// JSON path, the first also with its line and column.
pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    farmhand::parse_json_slice(bytes).map_err(|errors| {
        ApiError::MalformedJson(
            errors
                .errors
                .into_iter()
                .map(|e| ErrorDetail {
                    path: e.path,
                    message: e.message,
                    code: Some(e.kind.as_str().to_owned()),
                    line: e.line,
                    column: e.column,
                    ..ErrorDetail::default()
                })
                .collect(),
        )
    })
}

/// Accepts `application/json` and `application/<anything>+json`, with any
/// parameters (`charset=utf-8`).
fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return Err(ApiError::UnsupportedMediaType("(none)".into()));
    };
    let text = value.to_str().unwrap_or("(not text)");
    let essence = text.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let is_json = essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"));
    if is_json {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(text.chars().take(100).collect()))
    }
}

fn bytes_rejection(rejection: BytesRejection, limit: usize) -> ApiError {
    // axum reports a body over `DefaultBodyLimit` as 413; keep that status
    // but give it our shape. Anything else is a broken upload.
    if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge { limit }
    } else {
        ApiError::BadRequest(rejection.body_text())
    }
}
