//! Authentication: who is calling. Bearer tokens now; the web UI's session
//! cookie (with CSRF protection) will be a second way into the same
//! [`Caller`], here and nowhere else.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use caisson_platform::{Organisation, Role};

use crate::error::ApiError;
use crate::state::AppState;
use crate::store;

/// The signed-in user of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user's internal id.
    pub user_id: String,
    /// The user's name within its organisation.
    pub user: String,
    /// The user's role.
    pub role: Role,
    /// The user's organisation.
    pub org: Organisation,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .ok_or(ApiError::Unauthenticated)?;
        let token = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthenticated)?;
        let found = store::token_user(&state.db, token)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        let org = store::org_get(&state.db.pool, &found.organisation)
            .await?
            .ok_or(ApiError::Unauthenticated)?
            .organisation()?;
        let role = found
            .role
            .parse::<Role>()
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("user {}: {e}", found.user_id)))?;
        Ok(Caller {
            user_id: found.user_id,
            user: found.user_name,
            role,
            org,
        })
    }
}

/// The caller when the request carries credentials, `None` when it carries
/// none: for endpoints anyone may read (the ledger's) that answer more to
/// signed-in parties. Credentials that are present but invalid are still
/// 401 `unauthenticated`, never read as anonymous.
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Caller>);

impl MaybeCaller {
    /// The caller's organisation id, if signed in.
    pub fn organisation(&self) -> Option<&str> {
        self.0.as_ref().map(|c| c.org.id.as_str())
    }
}

impl FromRequestParts<AppState> for MaybeCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if !parts
            .headers
            .contains_key(axum::http::header::AUTHORIZATION)
        {
            return Ok(MaybeCaller(None));
        }
        Caller::from_request_parts(parts, state)
            .await
            .map(|caller| MaybeCaller(Some(caller)))
    }
}
