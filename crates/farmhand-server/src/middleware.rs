//! Middleware: bearer-token auth, request metrics, request spans.

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

/// Refuses `/v1/` requests without the configured bearer token (when one is
/// configured). The comparison takes the same time wherever the first
/// difference is.
pub(crate) async fn require_token(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if let Some(expected) = &state.config().api_token {
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| bearer_token(v.as_bytes()))
            .unwrap_or_default();
        if !bool::from(given.ct_eq(expected.as_bytes())) {
            return ApiError::Unauthorized.into_response();
        }
    }
    next.run(req).await
}

/// The token of an `Authorization: Bearer <token>` header. The scheme's
/// name is case-insensitive (RFC 9110, section 11.1), the token is not.
fn bearer_token(value: &[u8]) -> Option<&[u8]> {
    let space = value.iter().position(|&b| b == b' ')?;
    let (scheme, rest) = value.split_at(space);
    scheme.eq_ignore_ascii_case(b"Bearer").then(|| rest.trim_ascii_start())
}

/// Counts every request by route template (never the raw path, which would
/// hold ids), method and status, and refusals by reason.
pub(crate) async fn record_metrics(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let response = next.run(req).await;
    state.metrics().record_request(&route, &method, response.status().as_u16());
    if let Some(ErrorCode(code)) = response.extensions().get::<ErrorCode>() {
        if matches!(
            *code,
            "unauthorized"
                | "payload_too_large"
                | "problem_too_large"
                | "unsupported_media_type"
                | "overloaded"
                | "shutting_down"
        ) {
            state.metrics().record_rejected(code);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn the_scheme_is_any_case_and_the_token_exact() {
        assert_eq!(bearer_token(b"Bearer s3cret"), Some(&b"s3cret"[..]));
        assert_eq!(bearer_token(b"bearer s3cret"), Some(&b"s3cret"[..]));
        assert_eq!(bearer_token(b"BEARER  s3cret"), Some(&b"s3cret"[..]));
        assert_eq!(bearer_token(b"Basic s3cret"), None);
        assert_eq!(bearer_token(b"Bearers3cret"), None);
        assert_eq!(bearer_token(b"Bearer S3CRET"), Some(&b"S3CRET"[..]));
    }
}
