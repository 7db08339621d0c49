//! The round's documents in the database (reference versions and
//! contribution versions) and the assembly of the round's scenario from
//! them through `caisson-platform`.

use caisson_platform::{
    assemble_as, check_fragment, Assembled, Fragment, MediaType, Organisation, ReferencePart,
    SignedContract, Viewer,
};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, FromRow};

use crate::access::RoundCtx;
use crate::error::{ApiError, ApiResult};

/// A stored version of a document.
#[derive(Debug, Clone, FromRow)]
pub struct Version {
    /// Its number, from 1.
    pub version: i64,
    /// Its media type as submitted.
    pub media_type: String,
    /// Its text as submitted.
    pub body: String,
    /// SHA-256 of the text, hex.
    pub sha256: String,
    /// When it was stored (ms).
    pub created_at: i64,
    /// The name of the user who stored it.
    pub user_name: String,
}

impl Version {
    /// The media type it was submitted as.
    pub fn media(&self) -> ApiResult<MediaType> {
        MediaType::from_content_type(&self.media_type).ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("stored media type {}", self.media_type))
        })
    }
}

/// SHA-256 of a text, hex.
pub fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Where a document lives: the round's reference part, or an organisation's
/// contribution.
#[derive(Debug, Clone, Copy)]
pub enum Doc<'a> {
    /// The reference part.
    Reference,
    /// The contribution of this organisation.
    Contribution(&'a str),
}

fn select(doc: Doc<'_>, filter: &str) -> String {
    let (table, extra) = match doc {
        Doc::Reference => ("reference_versions", ""),
        Doc::Contribution(_) => ("contributions", " AND d.organisation = $2"),
    };
    format!(
        "SELECT d.version AS version, d.media_type AS media_type, d.body AS body, \
                d.sha256 AS sha256, d.created_at AS created_at, u.name AS user_name \
         FROM {table} d JOIN users u ON u.id = d.created_by \
         WHERE d.round = $1{extra}{filter}"
    )
}

/// Every version of a document, oldest first.
pub async fn versions(
    conn: &mut AnyConnection,
    round: &str,
    doc: Doc<'_>,
) -> ApiResult<Vec<Version>> {
    let sql = select(doc, " ORDER BY d.version");
    let query = sqlx::query_as(&sql).bind(round);
    let query = match doc {
        Doc::Reference => query,
        Doc::Contribution(org) => query.bind(org),
    };
    Ok(query.fetch_all(conn).await?)
}

/// One version of a document (the latest when `version` is `None`).
pub async fn version(
    conn: &mut AnyConnection,
    round: &str,
    doc: Doc<'_>,
    version: Option<i64>,
) -> ApiResult<Option<Version>> {
    let (filter, param) = match (doc, version) {
        (_, None) => (" ORDER BY d.version DESC LIMIT 1".to_owned(), None),
        (Doc::Reference, Some(v)) => (" AND d.version = $2".to_owned(), Some(v)),
        (Doc::Contribution(_), Some(v)) => (" AND d.version = $3".to_owned(), Some(v)),
    };
    let sql = select(doc, &filter);
    let query = sqlx::query_as(&sql).bind(round);
    let query = match doc {
        Doc::Reference => query,
        Doc::Contribution(org) => query.bind(org),
    };
    let query = match param {
        Some(v) => query.bind(v),
        None => query,
    };
    Ok(query.fetch_optional(conn).await?)
}

/// Stores a new version of a document; returns its number.
pub async fn insert(
    conn: &mut AnyConnection,
    round: &str,
    doc: Doc<'_>,
    media: MediaType,
    text: &str,
    user_id: &str,
) -> ApiResult<i64> {
    let latest = version(&mut *conn, round, doc, None).await?;
    let next = latest.map_or(1, |v| v.version + 1);
    match doc {
        Doc::Reference => {
            sqlx::query(
                "INSERT INTO reference_versions (round, version, media_type, body, sha256, created_at, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(round)
            .bind(next)
            .bind(media.content_type())
            .bind(text)
            .bind(sha256(text))
            .bind(crate::db::now_ms())
            .bind(user_id)
            .execute(conn)
            .await?;
        }
        Doc::Contribution(org) => {
            sqlx::query(
                "INSERT INTO contributions (round, organisation, version, media_type, body, sha256, created_at, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(round)
            .bind(org)
            .bind(next)
            .bind(media.content_type())
            .bind(text)
            .bind(sha256(text))
            .bind(crate::db::now_ms())
            .bind(user_id)
            .execute(conn)
            .await?;
        }
    }
    Ok(next)
}

/// The documents a round's scenario is assembled from, at some versions.
#[derive(Debug, Clone)]
pub struct RoundDocuments {
    /// The reference part's version and text.
    pub reference: Version,
    /// Each member's latest contribution, if any.
    pub contributions: Vec<(Organisation, Option<Version>)>,
    /// The round's signed contracts, in byte order of id.
    pub contracts: Vec<SignedContract>,
}

impl RoundDocuments {
    /// The latest documents of a round.
    pub async fn latest(conn: &mut AnyConnection, round: &RoundCtx) -> ApiResult<RoundDocuments> {
        let reference = version(&mut *conn, &round.id, Doc::Reference, None)
            .await?
            .ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!("round {} has no reference", round.id))
            })?;
        let mut contributions = Vec::new();
        for member in &round.members {
            let latest =
                version(&mut *conn, &round.id, Doc::Contribution(&member.id), None).await?;
            contributions.push((member.clone(), latest));
        }
        let contracts = crate::api::signed_contracts(&mut *conn, &round.id).await?;
        Ok(RoundDocuments {
            reference,
            contributions,
            contracts,
        })
    }

    /// The versions frozen by a run: `{"ORG": version}` of each member
    /// that has contributed.
    pub fn frozen_versions(&self) -> serde_json::Value {
        let map: serde_json::Map<String, serde_json::Value> = self
            .contributions
            .iter()
            .filter_map(|(org, v)| v.as_ref().map(|v| (org.id.clone(), v.version.into())))
            .collect();
        serde_json::Value::Object(map)
    }

    /// Assembles and validates the round's scenario (spec section 2) on
    /// behalf of `viewer`: an `invalid_scenario` error's diagnostics are
    /// those the viewer may see.
    pub fn assemble(&self, viewer: &Viewer, round: &RoundCtx) -> ApiResult<Assembled> {
        let reference = ReferencePart::parse(&self.reference.body, self.reference.media()?)?;
        let mut fragments: Vec<(&Organisation, Option<Fragment>)> = Vec::new();
        for (org, version) in &self.contributions {
            let fragment = match version {
                Some(v) => Some(check_fragment(org, &v.body, v.media()?)?),
                None => None,
            };
            fragments.push((org, fragment));
        }
        let pairs: Vec<(&Organisation, Option<&Fragment>)> =
            fragments.iter().map(|(o, f)| (*o, f.as_ref())).collect();
        Ok(assemble_as(
            viewer,
            &round.parties,
            &reference,
            &pairs,
            &self.contracts,
        )?)
    }
}
