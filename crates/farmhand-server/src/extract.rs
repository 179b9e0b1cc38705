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
        let bytes = Bytes::from_request(req, state).await.map_err(|r| bytes_rejection(r, limit))?;
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

/// Parses a JSON document into `T`, reporting the first error with its JSON
/// path, line and column.
pub(crate) fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        detail(if path == "." { String::new() } else { path }, err.inner())
    })?;
    // Trailing characters after the document are an error too.
    de.end().map_err(|err| detail(String::new(), &err))?;
    Ok(value)
}

fn detail(path: String, err: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    let code = match err.classify() {
        Category::Io => "io",
        Category::Syntax => "syntax",
        Category::Data => "data",
        Category::Eof => "eof",
    };
    // serde_json's Display appends " at line L column C"; those are separate
    // fields here.
    let full = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full).to_owned();
    ApiError::MalformedJson(vec![ErrorDetail {
        path,
        message,
        code: Some(code.to_owned()),
        line: Some(err.line()),
        column: Some(err.column()),
        ..ErrorDetail::default()
    }])
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
