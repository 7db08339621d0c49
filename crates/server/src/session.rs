//! Browser sessions (spec section 6: the web UI signs in with a session
//! cookie, HttpOnly and SameSite=Strict, with CSRF protection on every
//! state-changing request): the `sessions` table, the cookie, the CSRF
//! token and password verification. [`crate::auth`] turns a session into
//! the same `Caller` as a bearer token.
//!
//! The cookie holds a random 256-bit secret; the database keeps only its
//! SHA-256 (like API tokens), the user, the CSRF token (random per session)
//! and three times. A session ends at sign-out, after [`SessionConfig::idle`]
//! without a request, or [`SessionConfig::lifetime`] after sign-in,
//! whichever comes first; a session whose user is deleted ends with it.

use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::Argon2;
use axum::http::HeaderMap;
use sqlx::FromRow;
use subtle::ConstantTimeEq;

use crate::db::{now_ms, random_bytes, Db};
use crate::store::token_hash;

/// The session cookie's name.
pub const COOKIE: &str = "caisson_session";

/// The header carrying the CSRF token on cookie-authenticated writes.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How often at most a session's last use is written back: idle expiry
/// is measured to within this, and a busy page does not write on every
/// request.
const TOUCH_EVERY: Duration = Duration::from_secs(60);

/// Random bytes in the form of an Argon2id hash with the parameters of
/// [`crate::store::hash_password`] (no password is known to match them):
/// verified against when
/// the organisation or user of a sign-in does not exist, so that such an
/// attempt takes as long as a wrong password of a real user.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$y9kHEO5ULhT9ccpZAOSQcQ$lMYVv8hPF6V93/CrcuoUOCWTknQQ/Y0X0rxoVPcf/Jk";

/// How sessions behave (`caisson serve --session-idle-minutes`,
/// `--session-hours`, `--secure-cookie`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    /// A session unused this long ends (default 2 hours).
    pub idle: Duration,
    /// A session ends this long after sign-in, however used (default 12
    /// hours: one working day).
    pub lifetime: Duration,
    /// Mark the cookie `Secure` (the server is reached over https, usually
    /// through a TLS-terminating proxy).
    pub secure_cookie: bool,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            idle: Duration::from_secs(2 * 3600),
            lifetime: Duration::from_secs(12 * 3600),
            secure_cookie: false,
        }
    }
}

/// A session just opened: what the client gets, once.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The cookie's secret.
    pub secret: String,
    /// The session's CSRF token.
    pub csrf: String,
}

/// A live session and who it acts as.
#[derive(Debug, Clone, FromRow)]
pub struct SessionUser {
    /// The SHA-256 of the session's secret (its key).
    pub secret_hash: String,
    /// The session's CSRF token.
    pub csrf: String,
    /// When it was last used (ms).
    pub last_seen_at: i64,
    /// The user's internal id.
    pub user_id: String,
    /// The user's name.
    pub user_name: String,
    /// The user's role, as text.
    pub role: String,
    /// The user's organisation.
    pub organisation: String,
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Opens a session for `user_id`; only the secret's hash is stored.
/// Sessions that have ended are deleted on the way.
pub async fn create(
    db: &Db,
    user_id: &str,
    config: &SessionConfig,
) -> Result<NewSession, sqlx::Error> {
    let secret = hex::encode(random_bytes::<32>());
    let csrf = hex::encode(random_bytes::<32>());
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now)
        .bind(now.saturating_sub(millis(config.idle)))
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO sessions (secret_hash, user_id, csrf, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash(&secret))
    .bind(user_id)
    .bind(&csrf)
    .bind(now)
    .bind(now)
    .bind(now.saturating_add(millis(config.lifetime)))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(NewSession { secret, csrf })
}

/// The live session whose cookie holds `secret`, with its user; `None`
/// when unknown, ended or its user gone. Records the use (at most once
/// a minute).
pub async fn lookup(
    db: &Db,
    secret: &str,
    config: &SessionConfig,
) -> Result<Option<SessionUser>, sqlx::Error> {
    let now = now_ms();
    let found: Option<SessionUser> = sqlx::query_as(
        "SELECT s.secret_hash AS secret_hash, s.csrf AS csrf, s.last_seen_at AS last_seen_at, \
                u.id AS user_id, u.name AS user_name, u.role AS role, \
                u.organisation AS organisation \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.secret_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3",
    )
    .bind(token_hash(secret))
    .bind(now)
    .bind(now.saturating_sub(millis(config.idle)))
    .fetch_optional(&db.pool)
    .await?;
    if let Some(session) = &found {
        if now.saturating_sub(session.last_seen_at) >= millis(TOUCH_EVERY) {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE secret_hash = $2")
                .bind(now)
                .bind(&session.secret_hash)
                .execute(&db.pool)
                .await?;
        }
    }
    Ok(found)
}

/// Ends the session of this secret hash (signing out).
pub async fn end(db: &Db, secret_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE secret_hash = $1")
        .bind(secret_hash)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Ends every session of `user_id` but `keep` (after a password change:
/// whoever else was signed in with the old password is signed out).
pub async fn end_others(db: &Db, user_id: &str, keep: Option<&str>) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND secret_hash <> $2")
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// The `Set-Cookie` value that hands out a session: a browser-session
/// cookie (no `Max-Age`: closing the browser drops it; the server ends it
/// anyway after the idle or absolute limit).
pub fn set_cookie(secret: &str, config: &SessionConfig) -> String {
    let secure = if config.secure_cookie { "; Secure" } else { "" };
    format!("{COOKIE}={secret}; HttpOnly; SameSite=Strict; Path=/{secure}")
}

/// The `Set-Cookie` value that clears the session cookie.
pub fn clear_cookie(config: &SessionConfig) -> String {
    let secure = if config.secure_cookie { "; Secure" } else { "" };
    format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0{secure}")
}

/// The session secret of the request's `Cookie` headers, if any (empty
/// values count as none).
pub fn cookie_secret(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim().trim_matches('"'))
        .filter(|value| !value.is_empty())
}

/// Whether the request's `X-CSRF-Token` is the session's, compared in
/// constant time (a byte-by-byte comparison that stops early would tell an
/// attacker how much of a guess is right).
pub fn csrf_matches(expected: &str, headers: &HeaderMap) -> bool {
    let Some(given) = headers.get(CSRF_HEADER).map(|v| v.as_bytes()) else {
        return false;
    };
    !expected.is_empty() && bool::from(expected.as_bytes().ct_eq(given))
}

/// Whether `password` matches the Argon2id `hash`; with no hash (no such
/// organisation or user) it is verified against a dummy hash and refused,
/// taking the same time. Runs on the blocking pool: a verification takes
/// tens of milliseconds of CPU.
pub async fn verify_password(hash: Option<String>, password: String) -> bool {
    let outcome = tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let matches = PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        known && matches
    })
    .await;
    outcome.unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dummy_hash_has_the_parameters_of_real_ones() {
        let real = crate::store::hash_password("a password").expect("hash");
        let real = PasswordHash::new(&real).expect("parses");
        let dummy = PasswordHash::new(DUMMY_HASH).expect("parses");
        assert_eq!(real.algorithm, dummy.algorithm);
        assert_eq!(real.version, dummy.version);
        assert_eq!(real.params, dummy.params);
        assert_eq!(
            real.hash.map(|h| h.len()),
            dummy.hash.map(|h| h.len()),
            "the same output length"
        );
    }

    #[tokio::test]
    async fn passwords_verify_and_unknown_users_never_do() {
        let hash = crate::store::hash_password("correct horse").expect("hash");
        assert!(verify_password(Some(hash.clone()), "correct horse".into()).await);
        assert!(!verify_password(Some(hash), "wrong".into()).await);
        assert!(!verify_password(None, "correct horse".into()).await);
        assert!(!verify_password(Some("not a hash".into()), "x".into()).await);
    }

    #[test]
    fn the_cookie_is_read_among_others() {
        let mut headers = HeaderMap::new();
        assert_eq!(cookie_secret(&headers), None);
        headers.insert(
            axum::http::header::COOKIE,
            "theme=dark; caisson_session=abc123; other=1"
                .parse()
                .expect("header"),
        );
        assert_eq!(cookie_secret(&headers), Some("abc123"));
        headers.insert(
            axum::http::header::COOKIE,
            "caisson_session=".parse().expect("header"),
        );
        assert_eq!(cookie_secret(&headers), None);
    }

    #[test]
    fn csrf_tokens_must_match_exactly() {
        let mut headers = HeaderMap::new();
        assert!(!csrf_matches("abcd", &headers));
        headers.insert(CSRF_HEADER, "abce".parse().expect("header"));
        assert!(!csrf_matches("abcd", &headers));
        headers.insert(CSRF_HEADER, "abc".parse().expect("header"));
        assert!(!csrf_matches("abcd", &headers));
        headers.insert(CSRF_HEADER, "abcd".parse().expect("header"));
        assert!(csrf_matches("abcd", &headers));
        assert!(!csrf_matches("", &HeaderMap::new()));
    }

    #[test]
    fn cookies_carry_the_contracts_attributes() {
        let mut config = SessionConfig::default();
        assert_eq!(
            set_cookie("s3cret", &config),
            "caisson_session=s3cret; HttpOnly; SameSite=Strict; Path=/"
        );
        config.secure_cookie = true;
        assert!(set_cookie("s3cret", &config).ends_with("; Secure"));
        assert!(clear_cookie(&config).contains("Max-Age=0"));
    }
}
