//! Browser sessions: sign in, who the session is, sign out, and a user's
//! own password (spec section 6's session cookie; the contract the web UI
//! builds on is in `docs/platform-server.md`, Sessions).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{Authenticated, Caller};
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::ratelimit::ClientIp;
use crate::session;
use crate::state::AppState;
use crate::store::{self, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS};

/// `{"organisation", "user", "password"}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// The organisation's id.
    pub organisation: String,
    /// The user's name in it.
    pub user: String,
    /// The user's password.
    pub password: String,
}

/// The signed-in user, with the session's CSRF token.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    /// The user's organisation.
    pub organisation: String,
    /// The organisation's kind.
    pub kind: String,
    /// The user's name.
    pub user: String,
    /// The user's role.
    pub role: String,
    /// The token to send as `X-CSRF-Token` with every request of this
    /// session other than GET, HEAD and OPTIONS.
    pub csrf: String,
}

impl SessionInfo {
    fn new(caller: &Caller, csrf: String) -> SessionInfo {
        SessionInfo {
            organisation: caller.org.id.clone(),
            kind: caller.org.kind.as_str().to_owned(),
            user: caller.user.clone(),
            role: caller.role.as_str().to_owned(),
            csrf,
        }
    }
}

/// Signs in with a password: a session cookie and the session's CSRF token.
#[utoipa::path(post, path = "/session", tag = "session",
    request_body(content = SignIn, content_type = "application/json"),
    responses(
        (status = 200, description = "signed in; `Set-Cookie: caisson_session=...; HttpOnly; SameSite=Strict; Path=/`",
            body = SessionInfo),
        (status = 400, description = "`bad_request` (malformed JSON, unknown fields)", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`: wrong organisation, user or password (one answer for all three)", body = ErrorEnvelope),
        (status = 415, description = "`unsupported_media_type`", body = ErrorEnvelope),
        (status = 429, description = "`rate_limited`: too many attempts from this address or for this user; see `Retry-After`", body = ErrorEnvelope),
    ))]
pub async fn sign_in(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    JsonBody(request): JsonBody<SignIn>,
) -> ApiResult<Response> {
    state
        .auth
        .limiters
        .sign_in(ip, &request.organisation, &request.user)
        .map_err(ApiError::RateLimited)?;
    let user = store::user_credentials(&state.db, &request.organisation, &request.user).await?;
    // An unknown organisation or user costs a verification too (against a
    // dummy hash): the answer's time does not tell which was wrong.
    let hash = user.as_ref().map(|user| user.password_hash.clone());
    if !session::verify_password(hash, request.password).await {
        return Err(ApiError::BadCredentials);
    }
    let user = user.ok_or(ApiError::BadCredentials)?;
    let org = store::org_get(&state.db.pool, &request.organisation)
        .await?
        .ok_or(ApiError::BadCredentials)?
        .organisation()?;
    let role = user
        .role
        .parse()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("user {}: {e}", user.id)))?;
    let opened = session::create(&state.db, &user.id, &state.auth.session).await?;
    let caller = Caller {
        user_id: user.id,
        user: request.user,
        role,
        org,
    };
    Ok((
        [(
            header::SET_COOKIE,
            session::set_cookie(&opened.secret, &state.auth.session),
        )],
        Json(SessionInfo::new(&caller, opened.csrf)),
    )
        .into_response())
}

/// The session of the request's cookie: who it is, with its CSRF token.
#[utoipa::path(get, path = "/session", tag = "session", security(("session" = [])),
    responses(
        (status = 200, description = "the session's user and CSRF token", body = SessionInfo),
        (status = 401, description = "`unauthenticated`: no live session cookie (a bearer token has no session)", body = ErrorEnvelope),
        (status = 429, description = "`rate_limited`", body = ErrorEnvelope),
    ))]
pub async fn current(authenticated: Authenticated) -> ApiResult<Json<SessionInfo>> {
    let session = authenticated.session.ok_or(ApiError::Unauthenticated)?;
    Ok(Json(SessionInfo::new(&authenticated.caller, session.csrf)))
}

/// Signs out: the session ends and the cookie is cleared.
#[utoipa::path(delete, path = "/session", tag = "session", security(("session" = [])),
    params(("X-CSRF-Token" = String, Header, description = "the session's CSRF token")),
    responses(
        (status = 204, description = "signed out; the cookie is cleared"),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`csrf_failed`", body = ErrorEnvelope),
        (status = 429, description = "`rate_limited`", body = ErrorEnvelope),
    ))]
pub async fn sign_out(
    State(state): State<AppState>,
    authenticated: Authenticated,
) -> ApiResult<Response> {
    if let Some(active) = &authenticated.session {
        session::end(&state.db, &active.secret_hash).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(
            header::SET_COOKIE,
            session::clear_cookie(&state.auth.session),
        )],
    )
        .into_response())
}

/// `{"current", "new"}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The password now in force.
    pub current: String,
    /// The new password (12 to 1024 characters).
    pub new: String,
}

/// Changes the caller's own password. The caller's other sessions end
/// (the one making the change stays); API tokens are not touched.
#[utoipa::path(post, path = "/me/password", tag = "session",
    security(("bearer" = []), ("session" = [])),
    request_body(content = PasswordChange, content_type = "application/json"),
    responses(
        (status = 204, description = "changed"),
        (status = 400, description = "`bad_request`: malformed JSON, or a new password shorter than 12 or longer than 1024 characters", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: the current password is wrong; `csrf_failed`", body = ErrorEnvelope),
        (status = 415, description = "`unsupported_media_type`", body = ErrorEnvelope),
        (status = 429, description = "`rate_limited`: too many password checks for this user", body = ErrorEnvelope),
    ))]
pub async fn change_password(
    State(state): State<AppState>,
    authenticated: Authenticated,
    JsonBody(change): JsonBody<PasswordChange>,
) -> ApiResult<StatusCode> {
    let caller = &authenticated.caller;
    let length = change.new.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&length) {
        return Err(ApiError::bad_request(format!(
            "the new password must have {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"
        )));
    }
    // Checking the current password is a guess like a sign-in's: it counts
    // against the same per-user limit.
    state
        .auth
        .limiters
        .password_check(&caller.org.id, &caller.user)
        .map_err(ApiError::RateLimited)?;
    let hash = store::user_password_hash(&state.db, &caller.user_id).await?;
    if !session::verify_password(hash, change.current).await {
        return Err(ApiError::forbidden("the current password is wrong"));
    }
    store::user_set_password(&state.db, &caller.user_id, &change.new)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let keep = authenticated
        .session
        .as_ref()
        .map(|active| active.secret_hash.as_str());
    session::end_others(&state.db, &caller.user_id, keep).await?;
    Ok(StatusCode::NO_CONTENT)
}
