//! Request bodies: read within the 16 MiB limit (413 `payload_too_large`
//! in the error envelope above it), scenario documents by media type (415
//! otherwise), JSON bodies strictly (unknown fields refused).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use caisson_platform::MediaType;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The largest body accepted: 16 MiB.
pub const MAX_BODY: usize = 16 * 1024 * 1024;

/// The body's bytes, within the limit (413 above it).
pub(crate) async fn bytes<S: Send + Sync>(request: Request, state: &S) -> Result<Bytes, ApiError> {
    Bytes::from_request(request, state)
        .await
        .map_err(|rejection| match rejection.status() {
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
            _ => ApiError::bad_request(format!("reading the body: {}", rejection.body_text())),
        })
}

/// A scenario document (reference part or fragment) with its media type.
#[derive(Debug)]
pub struct ScenarioBody {
    /// `application/toml` or `application/json`.
    pub media: MediaType,
    /// The document's text.
    pub text: String,
}

impl<S: Send + Sync> FromRequest<S> for ScenarioBody {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        // The body is read (within the limit) before its media type is
        // judged: answering before reading it made the server close the
        // connection with the body unread, and the client's next request on
        // that kept-alive connection failed without an answer (found by
        // tests/server/fuzz.rs).
        let bytes = bytes(request, state).await?;
        let media = MediaType::from_content_type(&content_type).ok_or_else(|| {
            ApiError::UnsupportedMediaType(format!(
                "a scenario document is application/toml or application/json, not `{content_type}`"
            ))
        })?;
        let text = String::from_utf8(bytes.to_vec())
            .map_err(|_| ApiError::bad_request("the document is not UTF-8 text"))?;
        Ok(ScenarioBody { media, text })
    }
}

/// A JSON body whose fields are checked strictly by `T`'s `Deserialize`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let content_type = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        // Read first, as for a scenario document: the connection stays usable.
        let bytes = bytes(request, state).await?;
        if MediaType::from_content_type(&content_type) != Some(MediaType::Json) {
            return Err(ApiError::UnsupportedMediaType(format!(
                "this endpoint reads application/json, not `{content_type}`"
            )));
        }
        let value = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))?;
        // A NUL in a string would reach the database as a bound value,
        // which PostgreSQL's text refuses (500): no field of the platform
        // holds one. Only a body that spells it (`\u0000`) is walked.
        let spelled = bytes
            .windows(6)
            .any(|w| w[0] == b'\\' && w[1] == b'u' && w[2..].iter().all(|&b| b == b'0'));
        if spelled {
            let tree: serde_json::Value = serde_json::from_slice(&bytes)
                .map_err(|e| ApiError::bad_request(format!("invalid JSON body: {e}")))?;
            if holds_nul(&tree) {
                return Err(ApiError::bad_request(
                    "a JSON string may not hold the NUL character (\\u0000)",
                ));
            }
        }
        Ok(JsonBody(value))
    }
}

/// Whether a string or key anywhere in `value` holds a NUL character.
fn holds_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(holds_nul),
        serde_json::Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
        _ => false,
    }
}

/// The media type an `Accept` header asks for among the two scenario
/// types: `None` when absent or when it names neither (the document is
/// then answered as stored).
pub fn accepted(headers: &axum::http::HeaderMap) -> Option<MediaType> {
    let accept = headers.get(axum::http::header::ACCEPT)?.to_str().ok()?;
    accept.split(',').find_map(MediaType::from_content_type)
}
