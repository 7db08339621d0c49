//! The one error type at the HTTP edge: each variant has a status, a stable
//! code and a message for the client (`{"error": {"code", "message"}}`,
//! plus `diagnostics` for `invalid_scenario`). An internal error answers a
//! generic 500; its full cause goes to the server log only.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// An error answered to a client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid credentials (missing, unknown or revoked token; unknown or
    /// ended session): 401 `unauthenticated`.
    #[error("a valid API token (Authorization: Bearer TOKEN) or session cookie is required")]
    Unauthenticated,
    /// A sign-in with a wrong organisation, user or password: 401
    /// `unauthenticated`, the same answer whichever was wrong.
    #[error("wrong organisation, user or password")]
    BadCredentials,
    /// A cookie-authenticated write without the session's CSRF token in
    /// `X-CSRF-Token`: 403 `csrf_failed`.
    #[error("this request needs the session's CSRF token in the X-CSRF-Token header")]
    CsrfFailed,
    /// Too many sign-ins or invalid credentials: 429 `rate_limited`, with
    /// `Retry-After` (whole seconds, rounded up).
    #[error("too many attempts; retry after {} s", retry_after_seconds(*.0))]
    RateLimited(std::time::Duration),
    /// The caller sees the object but its role or kind may not act: 403.
    #[error("{0}")]
    Forbidden(String),
    /// A write names a table or entity the organisation may not contribute.
    #[error("{0}")]
    NotOwned(String),
    /// No such object, or one the caller may not see (the same answer).
    #[error("not found")]
    NotFound,
    /// The state of an object forbids the action now: 409.
    #[error("{0}")]
    Conflict(String),
    /// The body is larger than the server accepts (16 MiB): 413.
    #[error("the request body is larger than 16 MiB")]
    PayloadTooLarge,
    /// The body's media type is not one the endpoint reads: 415.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// A malformed request (bad JSON of a non-scenario body, bad parameter).
    #[error("{0}")]
    BadRequest(String),
    /// The scenario would be invalid: 422 with the located diagnostics.
    #[error("{message}")]
    InvalidScenario {
        /// A one-line summary.
        message: String,
        /// The model's diagnostics as JSON.
        diagnostics: serde_json::Value,
    },
    /// A domain rule refused the request: 422 with the rule's code.
    #[error("{message}")]
    Unprocessable {
        /// The stable code (for example `invalid_member`).
        code: &'static str,
        /// What rule was broken.
        message: String,
    },
    /// The request took longer than the handler timeout: 503.
    #[error("the request took too long and was abandoned")]
    Timeout,
    /// The path exists but not with this method: 405.
    #[error("method not allowed on this path")]
    MethodNotAllowed,
    /// A domain rule of `caisson-platform` refused the request (its code
    /// and status: `not_owned`, `invalid_scenario`, `invalid_member`, ...).
    #[error("{0}")]
    Platform(#[from] caisson_platform::PlatformError),
    /// Anything else: a generic 500 to the client, the cause in the log.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

/// The error envelope every error answer has.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    /// The error.
    pub error: ErrorBody,
}

/// The body of an error answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable code: `unauthenticated`, `forbidden`, `csrf_failed`,
    /// `not_owned`, `not_found`, `conflict`, `payload_too_large`,
    /// `unsupported_media_type`, `bad_request`, `invalid_scenario`,
    /// `invalid_member`, `method_not_allowed`, `rate_limited`, `timeout`,
    /// `internal`.
    pub code: String,
    /// A human-readable message.
    pub message: String,
    /// The model's located diagnostics (for `invalid_scenario` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub diagnostics: Option<serde_json::Value>,
}

impl ApiError {
    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated | ApiError::BadCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::NotOwned(_) | ApiError::CsrfFailed => {
                StatusCode::FORBIDDEN
            }
            ApiError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::InvalidScenario { .. } | ApiError::Unprocessable { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Platform(error) => {
                StatusCode::from_u16(error.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
            }
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthenticated | ApiError::BadCredentials => "unauthenticated",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::CsrfFailed => "csrf_failed",
            ApiError::RateLimited(_) => "rate_limited",
            ApiError::NotOwned(_) => "not_owned",
            ApiError::NotFound => "not_found",
            ApiError::Conflict(_) => "conflict",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::UnsupportedMediaType(_) => "unsupported_media_type",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::InvalidScenario { .. } => "invalid_scenario",
            ApiError::Unprocessable { code, .. } => code,
            ApiError::Timeout => "timeout",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Platform(error) => error.code(),
            ApiError::Internal(_) => "internal",
        }
    }

    /// A forbidden action, with why.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::Forbidden(message.into())
    }

    /// A conflict, with why.
    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::Conflict(message.into())
    }

    /// A bad request, with why.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::BadRequest(message.into())
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        ApiError::Internal(error.into())
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(error: anyhow::Error) -> Self {
        ApiError::Internal(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let diagnostics = match &self {
            ApiError::InvalidScenario { diagnostics, .. } => Some(diagnostics.clone()),
            ApiError::Platform(error) => error.diagnostics(),
            _ => None,
        };
        if let ApiError::Internal(cause) = &self {
            // The client learns nothing of the cause; the log gets all of it.
            tracing::error!(error = format!("{cause:#}"), "internal error");
        }
        let body = ErrorEnvelope {
            error: ErrorBody {
                code: self.code().to_owned(),
                message: self.to_string(),
                diagnostics,
            },
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let ApiError::RateLimited(wait) = &self {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after_seconds(*wait)),
            );
        }
        response
    }
}

/// A wait as `Retry-After` seconds: rounded up, at least 1.
fn retry_after_seconds(wait: std::time::Duration) -> u64 {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    seconds.max(1)
}

/// Result of a handler.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limited_answers_say_when_to_retry() {
        let response =
            ApiError::RateLimited(std::time::Duration::from_millis(2_100)).into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(
            response.headers().get(axum::http::header::RETRY_AFTER),
            Some(&axum::http::HeaderValue::from_static("3"))
        );
        assert_eq!(retry_after_seconds(std::time::Duration::ZERO), 1);
        assert_eq!(retry_after_seconds(std::time::Duration::from_secs(60)), 60);
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let error = ApiError::Internal(anyhow::anyhow!("password=hunter2 in row 7"));
        assert_eq!(error.to_string(), "internal error");
        assert_eq!(error.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }

    #[test]
    fn codes_match_statuses() {
        let cases = [
            (ApiError::Unauthenticated, 401, "unauthenticated"),
            (ApiError::NotOwned("x".into()), 403, "not_owned"),
            (ApiError::NotFound, 404, "not_found"),
            (ApiError::PayloadTooLarge, 413, "payload_too_large"),
            (ApiError::BadCredentials, 401, "unauthenticated"),
            (ApiError::CsrfFailed, 403, "csrf_failed"),
            (
                ApiError::RateLimited(std::time::Duration::from_secs(3)),
                429,
                "rate_limited",
            ),
        ];
        for (error, status, code) in cases {
            assert_eq!(error.status().as_u16(), status);
            assert_eq!(error.code(), code);
        }
    }
}
