//! Organisations, users and API tokens in the database: what `caisson
//! admin` manages and what authentication reads.

use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::Argon2;
use caisson_platform::{OrgKind, Organisation, Role};
use sha2::{Digest, Sha256};
use sqlx::FromRow;

use crate::db::{now_ms, random_bytes, random_id, Db};

/// Why an administrative change was refused.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The organisation's fields break spec section 1.
    #[error(transparent)]
    Invalid(#[from] caisson_platform::PlatformError),
    /// An organisation with this id exists already.
    #[error("organisation `{0}` exists already")]
    OrgExists(String),
    /// No organisation has this id.
    #[error("no organisation `{0}`")]
    NoOrg(String),
    /// The organisation has a user of this name already.
    #[error("user `{1}` of `{0}` exists already")]
    UserExists(String, String),
    /// The organisation has no user of this name.
    #[error("no user `{1}` in organisation `{0}`")]
    NoUser(String, String),
    /// No token matches.
    #[error("no token `{0}`")]
    NoToken(String),
    /// A user name that is not an id.
    #[error("user name `{0}` must use only letters, digits, `_`, `.` and `-`")]
    InvalidName(String),
    /// Hashing a password failed.
    #[error("hashing the password: {0}")]
    Hash(String),
    /// The database failed.
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// An organisation as stored.
#[derive(Debug, Clone, FromRow)]
pub struct OrgRow {
    /// Its id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Its kind, as text.
    pub kind: String,
    /// Its actor (states, producers).
    pub actor: Option<String>,
    /// JSON array of actor ids (coordinators).
    pub buys_for: String,
    /// JSON array of bloc ids (coordinators).
    pub blocs: String,
    /// Its producer group.
    pub org_group: Option<String>,
}

impl OrgRow {
    /// The platform's organisation. A row that does not parse (only a
    /// hand-edited database has one) is an internal error.
    pub fn organisation(&self) -> anyhow::Result<Organisation> {
        let list = |text: &str| -> anyhow::Result<Vec<String>> { Ok(serde_json::from_str(text)?) };
        Ok(Organisation {
            id: self.id.clone(),
            name: self.name.clone(),
            kind: self
                .kind
                .parse::<OrgKind>()
                .map_err(|e| anyhow::anyhow!("organisation {}: {e}", self.id))?,
            actor: self.actor.clone(),
            buys_for: list(&self.buys_for)?,
            blocs: list(&self.blocs)?,
            group: self.org_group.clone(),
        })
    }
}

const ORG_COLUMNS: &str = "id, name, kind, actor, buys_for, blocs, org_group";

/// Adds an organisation after checking its fields (spec section 1).
pub async fn org_add(db: &Db, org: &Organisation) -> Result<(), AdminError> {
    org.validate()?;
    let mut tx = db.begin_write().await?;
    let exists: Option<(String,)> = sqlx::query_as("SELECT id FROM organisations WHERE id = $1")
        .bind(&org.id)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_some() {
        return Err(AdminError::OrgExists(org.id.clone()));
    }
    let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    sqlx::query(
        "INSERT INTO organisations (id, name, kind, actor, buys_for, blocs, org_group, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&org.id)
    .bind(&org.name)
    .bind(org.kind.as_str())
    .bind(org.actor.clone())
    .bind(json(&org.buys_for))
    .bind(json(&org.blocs))
    .bind(org.group.clone())
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every organisation, by id.
pub async fn org_list(db: &Db) -> Result<Vec<OrgRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {ORG_COLUMNS} FROM organisations ORDER BY id"
    ))
    .fetch_all(&db.pool)
    .await
}

/// One organisation.
pub async fn org_get<'e, E>(executor: E, id: &str) -> Result<Option<OrgRow>, sqlx::Error>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query_as(&format!(
        "SELECT {ORG_COLUMNS} FROM organisations WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(executor)
    .await
}

/// A user as listed.
#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    /// The user's internal id.
    pub id: String,
    /// Its organisation.
    pub organisation: String,
    /// Its name within the organisation.
    pub name: String,
    /// Its role, as text.
    pub role: String,
}

/// Adds a user with a new random password, stored as an Argon2id hash;
/// returns the password (shown once).
pub async fn user_add(db: &Db, org: &str, name: &str, role: Role) -> Result<String, AdminError> {
    if !caisson_platform::is_organisation_id(name) {
        return Err(AdminError::InvalidName(name.to_owned()));
    }
    let password = hex::encode(random_bytes::<12>());
    let hash = hash_password(&password)?;
    let mut tx = db.begin_write().await?;
    if org_get(&mut *tx, org).await?.is_none() {
        return Err(AdminError::NoOrg(org.to_owned()));
    }
    let exists: Option<(String,)> =
        sqlx::query_as("SELECT id FROM users WHERE organisation = $1 AND name = $2")
            .bind(org)
            .bind(name)
            .fetch_optional(&mut *tx)
            .await?;
    if exists.is_some() {
        return Err(AdminError::UserExists(org.to_owned(), name.to_owned()));
    }
    sqlx::query(
        "INSERT INTO users (id, organisation, name, role, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(random_id())
    .bind(org)
    .bind(name)
    .bind(role.as_str())
    .bind(hash)
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(password)
}

/// The users of one organisation, or of all.
pub async fn user_list(db: &Db, org: Option<&str>) -> Result<Vec<UserRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, organisation, name, role FROM users \
         WHERE ($1 IS NULL OR organisation = $1) ORDER BY organisation, name",
    )
    .bind(org.map(str::to_owned))
    .fetch_all(&db.pool)
    .await
}

/// An Argon2id hash of a password, in PHC string form.
pub fn hash_password(password: &str) -> Result<String, AdminError> {
    let salt = SaltString::encode_b64(&random_bytes::<16>())
        .map_err(|e| AdminError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AdminError::Hash(e.to_string()))
}

/// The SHA-256 of a token, hex: all the database keeps of it.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new API token for a user; returns `(token id, token)`. Only the
/// token's hash is stored.
pub async fn token_add(db: &Db, org: &str, user: &str) -> Result<(String, String), AdminError> {
    let token = format!("caisson_{}", hex::encode(random_bytes::<32>()));
    let id = random_id();
    let mut tx = db.begin_write().await?;
    let user_id: Option<(String,)> =
        sqlx::query_as("SELECT id FROM users WHERE organisation = $1 AND name = $2")
            .bind(org)
            .bind(user)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((user_id,)) = user_id else {
        return Err(AdminError::NoUser(org.to_owned(), user.to_owned()));
    };
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, token_hash, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(token_hash(&token))
    .bind(now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok((id, token))
}

/// Revokes a token named by its id (as `token list` shows it) or by the
/// token itself. Revoking a revoked token changes nothing.
pub async fn token_revoke(db: &Db, id_or_token: &str) -> Result<(), AdminError> {
    let hash = token_hash(id_or_token);
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) \
         WHERE id = $2 OR token_hash = $3",
    )
    .bind(now_ms())
    .bind(id_or_token)
    .bind(hash)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AdminError::NoToken(id_or_token.to_owned()));
    }
    tx.commit().await?;
    Ok(())
}

/// A token as listed (never the token itself).
#[derive(Debug, Clone, FromRow)]
pub struct TokenRow {
    /// The token's id.
    pub id: String,
    /// The organisation of its user.
    pub organisation: String,
    /// Its user's name.
    pub user_name: String,
    /// When it was made (ms).
    pub created_at: i64,
    /// When it was revoked (ms), if it was.
    pub revoked_at: Option<i64>,
}

/// The tokens of an organisation (or all), oldest first.
pub async fn token_list(db: &Db, org: Option<&str>) -> Result<Vec<TokenRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT t.id AS id, u.organisation AS organisation, u.name AS user_name, \
                t.created_at AS created_at, t.revoked_at AS revoked_at \
         FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE ($1 IS NULL OR u.organisation = $1) ORDER BY t.created_at, t.id",
    )
    .bind(org.map(str::to_owned))
    .fetch_all(&db.pool)
    .await
}

/// Who a live token acts as.
#[derive(Debug, Clone, FromRow)]
pub struct TokenUser {
    /// The user's internal id.
    pub user_id: String,
    /// The user's name.
    pub user_name: String,
    /// The user's role, as text.
    pub role: String,
    /// The user's organisation.
    pub organisation: String,
}

/// The user a token acts as, unless the token is unknown or revoked.
pub async fn token_user(db: &Db, token: &str) -> Result<Option<TokenUser>, sqlx::Error> {
    sqlx::query_as(
        "SELECT u.id AS user_id, u.name AS user_name, u.role AS role, \
                u.organisation AS organisation \
         FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
    )
    .bind(token_hash(token))
    .fetch_optional(&db.pool)
    .await
}

/// The shortest password `POST /me/password` accepts.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// The longest password `POST /me/password` accepts (Argon2 reads all of
/// it; nobody types more).
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// A user's id and stored password hash, for signing in.
#[derive(Debug, Clone, FromRow)]
pub struct UserCredentials {
    /// The user's internal id.
    pub id: String,
    /// The Argon2id hash in PHC string form.
    pub password_hash: String,
    /// The user's role, as text.
    pub role: String,
}

/// The credentials of user `name` of organisation `org`, if both exist.
pub async fn user_credentials(
    db: &Db,
    org: &str,
    name: &str,
) -> Result<Option<UserCredentials>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, password_hash, role FROM users WHERE organisation = $1 AND name = $2",
    )
    .bind(org)
    .bind(name)
    .fetch_optional(&db.pool)
    .await
}

/// The stored password hash of the user with this internal id.
pub async fn user_password_hash(db: &Db, user_id: &str) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.map(|(hash,)| hash))
}

/// Replaces the password of the user with this internal id (stored as a
/// new Argon2id hash).
pub async fn user_set_password(db: &Db, user_id: &str, password: &str) -> Result<(), AdminError> {
    let hash = hash_password(password)?;
    let done = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(user_id)
        .execute(&db.pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(AdminError::NoUser(String::new(), user_id.to_owned()));
    }
    Ok(())
}

/// Revokes the token with this id if its user belongs to `org` (an
/// organisation's admin revokes only its own tokens). Revoking a revoked
/// token changes nothing.
pub async fn token_revoke_in(db: &Db, org: &str, id: &str) -> Result<(), AdminError> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) \
         WHERE id = $2 AND user_id IN (SELECT id FROM users WHERE organisation = $3)",
    )
    .bind(now_ms())
    .bind(id)
    .bind(org)
    .execute(&db.pool)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AdminError::NoToken(id.to_owned()));
    }
    Ok(())
}
