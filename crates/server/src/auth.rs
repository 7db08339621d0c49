//! Authentication: who is calling, here and nowhere else. A request signs
//! in with `Authorization: Bearer TOKEN` (scripts) or with the session
//! cookie of [`crate::session`] (the web UI); both become the same
//! [`Caller`]. A request carrying both is judged by its token alone.
//!
//! Cookie-authenticated requests other than GET, HEAD and OPTIONS must
//! carry the session's CSRF token in `X-CSRF-Token` (403 `csrf_failed`
//! otherwise, before any handler runs, so nothing changes). Presented but
//! invalid credentials are counted per client address
//! ([`crate::ratelimit`]); past the limit the address gets 429
//! `rate_limited` for any credentials until its bucket refills.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::Method;
use caisson_platform::{Organisation, Role};

use crate::error::ApiError;
use crate::ratelimit::{AuthLimits, ClientIp, Limiters};
use crate::session::{self, SessionConfig};
use crate::state::AppState;
use crate::store;

/// How a server authenticates: its rate limits and its sessions
/// (`ServeConfig::auth`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthConfig {
    /// Limits on sign-ins and invalid credentials.
    pub limits: AuthLimits,
    /// Session lifetimes and the cookie's `Secure` flag.
    pub session: SessionConfig,
}

/// The authentication state of a running server, shared by its handlers.
#[derive(Debug)]
pub struct AuthState {
    /// Session lifetimes and the cookie's attributes.
    pub session: SessionConfig,
    /// The rate limiters (in this process's memory).
    pub limiters: Limiters,
}

impl AuthState {
    /// Fresh state (empty limiters) for `config`.
    pub fn new(config: &AuthConfig) -> Arc<AuthState> {
        Arc::new(AuthState {
            session: config.session.clone(),
            limiters: Limiters::new(&config.limits),
        })
    }
}

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

impl Caller {
    /// Allows an action on organisation `org`'s users and tokens: its
    /// admins only. Another organisation is not the caller's to see (404,
    /// whether it exists or not); the caller's own organisation with a role
    /// other than `admin` is 403 `forbidden` (spec sections 1 and 3).
    pub fn require_admin_of(&self, org: &str) -> Result<(), ApiError> {
        if self.org.id != org {
            return Err(ApiError::NotFound);
        }
        if self.role != Role::Admin {
            return Err(ApiError::forbidden(
                "only an admin of the organisation manages its users and tokens",
            ));
        }
        Ok(())
    }
}

/// The session a request was authenticated by.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    /// The SHA-256 of its secret (its key in the `sessions` table).
    pub secret_hash: String,
    /// Its CSRF token.
    pub csrf: String,
}

/// The caller and, when it signed in with the session cookie, the session.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// Who is calling.
    pub caller: Caller,
    /// The session, for cookie-authenticated requests.
    pub session: Option<ActiveSession>,
}

/// What a request presents to sign in.
enum Credentials<'a> {
    /// `Authorization: Bearer TOKEN`.
    Bearer(&'a str),
    /// An `Authorization` header that is not a bearer token.
    Malformed,
    /// The session cookie (and no `Authorization` header).
    Cookie(&'a str),
}

fn credentials(parts: &Parts) -> Option<Credentials<'_>> {
    if let Some(header) = parts.headers.get(axum::http::header::AUTHORIZATION) {
        let token = header
            .to_str()
            .ok()
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty());
        return Some(token.map_or(Credentials::Malformed, Credentials::Bearer));
    }
    session::cookie_secret(&parts.headers).map(Credentials::Cookie)
}

/// Methods that change nothing, which need no CSRF token.
fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Who acts as whom, before the organisation is read.
struct Found {
    user_id: String,
    user_name: String,
    role: String,
    organisation: String,
    session: Option<ActiveSession>,
}

/// The request's caller: `Ok(None)` when it carries no credentials,
/// 401 when they are invalid, 403 `csrf_failed` for a cookie write
/// without the session's CSRF token, 429 while the client's address is
/// blocked for invalid credentials.
async fn authenticate(parts: &Parts, state: &AppState) -> Result<Option<Authenticated>, ApiError> {
    let Some(credentials) = credentials(parts) else {
        return Ok(None);
    };
    let ClientIp(ip) = ClientIp::of(parts);
    state
        .auth
        .limiters
        .check_blocked(ip)
        .map_err(ApiError::RateLimited)?;
    let found = match credentials {
        Credentials::Bearer(token) => {
            store::token_user(&state.db, token)
                .await?
                .map(|user| Found {
                    user_id: user.user_id,
                    user_name: user.user_name,
                    role: user.role,
                    organisation: user.organisation,
                    session: None,
                })
        }
        Credentials::Cookie(secret) => session::lookup(&state.db, secret, &state.auth.session)
            .await?
            .map(|s| Found {
                user_id: s.user_id,
                user_name: s.user_name,
                role: s.role,
                organisation: s.organisation,
                session: Some(ActiveSession {
                    secret_hash: s.secret_hash,
                    csrf: s.csrf,
                }),
            }),
        Credentials::Malformed => None,
    };
    let Some(found) = found else {
        return Err(refused(state, ip));
    };
    if let Some(session) = &found.session {
        if !is_safe(&parts.method) && !session::csrf_matches(&session.csrf, &parts.headers) {
            return Err(ApiError::CsrfFailed);
        }
    }
    let Some(org) = store::org_get(&state.db.pool, &found.organisation).await? else {
        return Err(refused(state, ip));
    };
    let org = org.organisation()?;
    let role = found
        .role
        .parse::<Role>()
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("user {}: {e}", found.user_id)))?;
    Ok(Some(Authenticated {
        caller: Caller {
            user_id: found.user_id,
            user: found.user_name,
            role,
            org,
        },
        session: found.session,
    }))
}

/// Counts invalid credentials from `ip`: 401, or 429 once too many.
fn refused(state: &AppState, ip: IpAddr) -> ApiError {
    match state.auth.limiters.failed_auth(ip) {
        Ok(()) => ApiError::Unauthenticated,
        Err(wait) => ApiError::RateLimited(wait),
    }
}

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        authenticate(parts, state)
            .await?
            .ok_or(ApiError::Unauthenticated)
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Authenticated::from_request_parts(parts, state)
            .await
            .map(|authenticated| authenticated.caller)
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
        authenticate(parts, state)
            .await
            .map(|found| MaybeCaller(found.map(|a| a.caller)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(org: &str, role: Role) -> Caller {
        Caller {
            user_id: "u".into(),
            user: "ana".into(),
            role,
            org: Organisation {
                id: org.into(),
                name: org.into(),
                kind: caisson_platform::OrgKind::Observer,
                actor: None,
                buys_for: Vec::new(),
                blocs: Vec::new(),
                group: None,
            },
        }
    }

    #[test]
    fn only_an_organisations_admins_administer_it() {
        assert!(caller("a", Role::Admin).require_admin_of("a").is_ok());
        let cases = [
            (caller("a", Role::Editor), "a", "forbidden"),
            (caller("a", Role::Viewer), "a", "forbidden"),
            (caller("b", Role::Admin), "a", "not_found"),
            (caller("b", Role::Editor), "a", "not_found"),
        ];
        for (who, org, code) in cases {
            let error = who.require_admin_of(org).expect_err("refused");
            assert_eq!(error.code(), code, "{:?} on {org}", who.role);
        }
    }

    #[test]
    fn only_reads_are_safe_methods() {
        for method in [Method::GET, Method::HEAD, Method::OPTIONS] {
            assert!(is_safe(&method));
        }
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            assert!(!is_safe(&method));
        }
    }
}
