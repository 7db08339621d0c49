//! The built-in European example for coordinators starting a round in the
//! browser: its reference part (to create the round from) and its
//! organisations (to invite). Both are the files `caisson serve --example
//! europe` seeds from; nothing here is stored or confidential.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use caisson_platform::{europe_round, MediaType, OrgKind};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorEnvelope};

/// An organisation of the example, as a coordinator picks members.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExampleOrganisation {
    /// Its id (the one `serve --example europe` registers).
    pub organisation: String,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: String,
}

/// Only a coordinator's users start rounds, so only they need the example.
fn coordinator_only(caller: &Caller) -> ApiResult<()> {
    if caller.org.kind == OrgKind::Coordinator {
        Ok(())
    } else {
        Err(ApiError::forbidden(
            "only a coordinator's users start rounds from the example",
        ))
    }
}

/// The European example's reference part, as TOML, to create a round from.
#[utoipa::path(get, path = "/examples/europe/reference", tag = "examples", security(("bearer" = [])),
    responses(
        (status = 200, description = "the reference part", content_type = "application/toml", body = String),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not a coordinator", body = ErrorEnvelope),
    ))]
pub async fn europe_reference(caller: Caller) -> ApiResult<Response> {
    coordinator_only(&caller)?;
    let reference = europe_round().reference;
    let text = caisson_platform::convert(reference.text(), reference.media(), MediaType::Toml)?;
    Ok((
        [(header::CONTENT_TYPE, MediaType::Toml.content_type())],
        text,
    )
        .into_response())
}

/// The European example's organisations other than the caller's, members
/// first (states, coordinators, producers), then observers.
#[utoipa::path(get, path = "/examples/europe/organisations", tag = "examples", security(("bearer" = [])),
    responses(
        (status = 200, description = "the organisations", body = [ExampleOrganisation]),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`: not a coordinator", body = ErrorEnvelope),
    ))]
pub async fn europe_organisations(caller: Caller) -> ApiResult<Json<Vec<ExampleOrganisation>>> {
    coordinator_only(&caller)?;
    let example = europe_round();
    let organisations = example
        .members
        .iter()
        .map(|(org, _)| org)
        .chain(&example.observers)
        .filter(|org| org.id != caller.org.id)
        .map(|org| ExampleOrganisation {
            organisation: org.id.clone(),
            name: org.name.clone(),
            kind: org.kind.as_str().to_owned(),
        })
        .collect();
    Ok(Json(organisations))
}
