//! An organisation's users and API tokens, managed over HTTP by its admins
//! (spec section 1: the `admin` role manages its organisation's users and
//! tokens). Another organisation's are not the caller's to see (404); its
//! own, with a role other than `admin`, are 403 `forbidden`. The same
//! `store` functions serve `caisson admin`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use caisson_platform::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::body::JsonBody;
use crate::db::format_time;
use crate::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::state::AppState;
use crate::store::{self, AdminError};

/// A user as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserInfo {
    /// The user's name in the organisation.
    pub user: String,
    /// `admin`, `editor` or `viewer`.
    pub role: String,
}

/// `{"user", "role"}` of a new user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Its name (letters, digits, `_`, `.`, `-`).
    pub user: String,
    /// `admin`, `editor` or `viewer`.
    pub role: String,
}

/// A new user with its one-time password.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedUser {
    /// The user's name.
    pub user: String,
    /// Its role.
    pub role: String,
    /// Its password, shown this once (only an Argon2id hash is stored).
    pub password: String,
}

/// A token as listed: never the token or its hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenInfo {
    /// The token's id (what revoking names).
    pub id: String,
    /// The user it acts as.
    pub user: String,
    /// When it was made (RFC 3339 UTC).
    pub created: String,
    /// When it was revoked (RFC 3339 UTC), or `null` while it is live.
    pub revoked: Option<String>,
}

/// `{"user"}`: whom a new token acts as.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// A user of the organisation.
    pub user: String,
}

/// A new token, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    /// The token's id.
    pub id: String,
    /// The user it acts as.
    pub user: String,
    /// The token (`Authorization: Bearer TOKEN`); only its hash is stored.
    pub token: String,
}

/// The answer to an administrative refusal of `store`.
fn admin_error(error: AdminError) -> ApiError {
    match error {
        AdminError::UserExists(_, user) => {
            ApiError::conflict(format!("the organisation has a user `{user}` already"))
        }
        AdminError::InvalidName(_) => ApiError::bad_request(error.to_string()),
        AdminError::NoOrg(_) | AdminError::NoUser(..) | AdminError::NoToken(_) => {
            ApiError::NotFound
        }
        AdminError::Db(error) => error.into(),
        other => ApiError::Internal(other.into()),
    }
}

/// The organisation's users, by name.
#[utoipa::path(get, path = "/organisations/{org}/users", tag = "organisations",
    security(("bearer" = []), ("session" = [])),
    params(("org" = String, Path, description = "the organisation's id")),
    responses(
        (status = 200, description = "the users", body = [UserInfo]),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not an admin of the organisation", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: another organisation", body = ErrorEnvelope),
    ))]
pub async fn list_users(
    State(state): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
) -> ApiResult<Json<Vec<UserInfo>>> {
    caller.require_admin_of(&org)?;
    let users = store::user_list(&state.db, Some(&org)).await?;
    Ok(Json(
        users
            .into_iter()
            .map(|row| UserInfo {
                user: row.name,
                role: row.role,
            })
            .collect(),
    ))
}

/// Adds a user with a one-time password.
#[utoipa::path(post, path = "/organisations/{org}/users", tag = "organisations",
    security(("bearer" = []), ("session" = [])),
    params(("org" = String, Path, description = "the organisation's id")),
    request_body(content = NewUser, content_type = "application/json"),
    responses(
        (status = 201, description = "added; the password is shown this once", body = CreatedUser),
        (status = 400, description = "`bad_request`: malformed JSON, a bad user name or role", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not an admin of the organisation; `csrf_failed`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: another organisation", body = ErrorEnvelope),
        (status = 409, description = "`conflict`: the user exists", body = ErrorEnvelope),
        (status = 415, description = "`unsupported_media_type`", body = ErrorEnvelope),
    ))]
pub async fn add_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
    JsonBody(new): JsonBody<NewUser>,
) -> ApiResult<(StatusCode, Json<CreatedUser>)> {
    caller.require_admin_of(&org)?;
    let role = new
        .role
        .parse::<Role>()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let password = store::user_add(&state.db, &org, &new.user, role)
        .await
        .map_err(admin_error)?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser {
            user: new.user,
            role: role.as_str().to_owned(),
            password,
        }),
    ))
}

/// The organisation's tokens (live and revoked), oldest first: metadata
/// only, never a token or its hash.
#[utoipa::path(get, path = "/organisations/{org}/tokens", tag = "organisations",
    security(("bearer" = []), ("session" = [])),
    params(("org" = String, Path, description = "the organisation's id")),
    responses(
        (status = 200, description = "the tokens", body = [TokenInfo]),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not an admin of the organisation", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: another organisation", body = ErrorEnvelope),
    ))]
pub async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
) -> ApiResult<Json<Vec<TokenInfo>>> {
    caller.require_admin_of(&org)?;
    let tokens = store::token_list(&state.db, Some(&org)).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|row| TokenInfo {
                id: row.id,
                user: row.user_name,
                created: format_time(row.created_at),
                revoked: row.revoked_at.map(format_time),
            })
            .collect(),
    ))
}

/// Makes a token for a user of the organisation.
#[utoipa::path(post, path = "/organisations/{org}/tokens", tag = "organisations",
    security(("bearer" = []), ("session" = [])),
    params(("org" = String, Path, description = "the organisation's id")),
    request_body(content = NewToken, content_type = "application/json"),
    responses(
        (status = 201, description = "made; the token is shown this once", body = CreatedToken),
        (status = 400, description = "`bad_request`: malformed JSON", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not an admin of the organisation; `csrf_failed`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: another organisation, or no such user in it", body = ErrorEnvelope),
        (status = 415, description = "`unsupported_media_type`", body = ErrorEnvelope),
    ))]
pub async fn add_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(org): Path<String>,
    JsonBody(new): JsonBody<NewToken>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    caller.require_admin_of(&org)?;
    let (id, token) = store::token_add(&state.db, &org, &new.user)
        .await
        .map_err(admin_error)?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            id,
            user: new.user,
            token,
        }),
    ))
}

/// Revokes one of the organisation's tokens (revoking a revoked token
/// changes nothing).
#[utoipa::path(delete, path = "/organisations/{org}/tokens/{id}", tag = "organisations",
    security(("bearer" = []), ("session" = [])),
    params(
        ("org" = String, Path, description = "the organisation's id"),
        ("id" = String, Path, description = "the token's id"),
    ),
    responses(
        (status = 204, description = "revoked"),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not an admin of the organisation; `csrf_failed`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`: another organisation, or no such token of it", body = ErrorEnvelope),
    ))]
pub async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path((org, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    caller.require_admin_of(&org)?;
    store::token_revoke_in(&state.db, &org, &id)
        .await
        .map_err(admin_error)?;
    Ok(StatusCode::NO_CONTENT)
}
