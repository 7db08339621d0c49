//! The HTTP API under `/api/v1` (spec section 6): the router, built with
//! its OpenAPI document from the same declarations, and the layers every
//! request passes (request id, trace, body limit, timeout).

mod compliance;
mod contracts;
mod examples;
mod exports;
mod ledger;
mod organisations;
mod rounds;
mod runs;
mod session;
mod system;
mod workbooks;

use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::response::IntoResponse;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::body::MAX_BODY;
use crate::error::ApiError;
use crate::state::AppState;

pub use contracts::signed_contracts;

/// The OpenAPI document's fixed parts; the paths come from the handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Caisson platform API",
        description = "Rounds, contributions and runs of the shared planning platform \
                       (docs/spec/platform.md). Errors are {\"error\": {\"code\", \"message\"}}.",
    ),
    modifiers(&BearerAuth),
    components(schemas(crate::error::ErrorEnvelope))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // The web UI's session cookie (POST /session); writes with it also
        // need the session's X-CSRF-Token header.
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::session::COOKIE))),
        );
    }
}

/// The API's routes with their OpenAPI document.
fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(system::health))
        .routes(routes!(system::openapi_json))
        .routes(routes!(system::me))
        .routes(routes!(system::access_log))
        .routes(routes!(
            session::sign_in,
            session::current,
            session::sign_out
        ))
        .routes(routes!(session::change_password))
        .routes(routes!(organisations::list_users, organisations::add_user))
        .routes(routes!(
            organisations::list_tokens,
            organisations::add_token
        ))
        .routes(routes!(organisations::revoke_token))
        .routes(routes!(rounds::create_round, rounds::list_rounds))
        .routes(routes!(rounds::get_round))
        .routes(routes!(rounds::get_reference, rounds::put_reference))
        .routes(routes!(rounds::reference_versions))
        .routes(routes!(rounds::add_member, rounds::list_members))
        .routes(routes!(rounds::remove_member))
        .routes(routes!(rounds::put_contribution, rounds::get_contribution))
        .routes(routes!(rounds::contribution_versions))
        .routes(routes!(rounds::check_contribution))
        .routes(routes!(rounds::contribution_version))
        .routes(routes!(rounds::contribution_diff))
        .routes(routes!(workbooks::get_workbook, workbooks::put_workbook))
        .routes(routes!(rounds::scenario))
        .routes(routes!(contracts::propose, contracts::list))
        .routes(routes!(contracts::get))
        .routes(routes!(contracts::accept))
        .routes(routes!(contracts::decline))
        .routes(routes!(contracts::withdraw))
        .routes(routes!(compliance::matrix))
        .routes(routes!(compliance::explain))
        .routes(routes!(runs::start_run, runs::list_runs))
        .routes(routes!(runs::get_run))
        .routes(routes!(runs::run_events))
        .routes(routes!(runs::cancel_run))
        .routes(routes!(exports::run_plan))
        .routes(routes!(exports::run_plan_csv))
        .routes(routes!(exports::run_report))
        .routes(routes!(runs::run_result))
        .routes(routes!(runs::run_scenario))
        .routes(routes!(runs::publish_run))
        .routes(routes!(runs::list_published))
        .routes(routes!(runs::get_published))
        .routes(routes!(ledger::record))
        .routes(routes!(ledger::get_entry))
        .routes(routes!(ledger::get_checkpoint))
        .routes(routes!(ledger::inclusion))
        .routes(routes!(ledger::consistency))
        .routes(routes!(ledger::export))
        .routes(routes!(ledger::att_report))
        .routes(routes!(ledger::trace))
        .routes(routes!(examples::europe_reference))
        .routes(routes!(examples::europe_organisations))
}

/// The OpenAPI document of every endpoint.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = api().split_for_parts();
    doc.paths.paths = doc
        .paths
        .paths
        .into_iter()
        .map(|(path, item)| (format!("/api/v1{path}"), item))
        .collect();
    doc
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

/// No id or query value of the platform holds a NUL character, and
/// PostgreSQL's text cannot store one (binding it fails the query): a path
/// naming one names nothing (404, as any unknown id), a query holding one
/// is malformed (400). In a URI a NUL can only be written `%00`.
async fn refuse_nul(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let uri = request.uri();
    if uri.path().contains("%00") {
        return ApiError::NotFound.into_response();
    }
    if uri.query().is_some_and(|q| q.contains("%00")) {
        return ApiError::bad_request("a query value may not hold the NUL character")
            .into_response();
    }
    next.run(request).await
}

async fn timed_out(error: tower::BoxError) -> ApiError {
    if error.is::<tower::timeout::error::Elapsed>() {
        ApiError::Timeout
    } else {
        ApiError::Internal(anyhow::anyhow!("middleware: {error}"))
    }
}

/// The whole application: the API under `/api/v1`, the web application
/// (`caisson-web`: `/` and `/assets/`), everything else 404.
pub fn router(state: AppState) -> Router {
    let timeout: Duration = state.handler_timeout;
    let request_id = HeaderName::from_static("x-request-id");
    let (api, _) = api().split_for_parts();
    let api =
        api.method_not_allowed_fallback(|| async { ApiError::MethodNotAllowed.into_response() });
    Router::new()
        .nest("/api/v1", api)
        .merge(caisson_web::router())
        .fallback(not_found)
        .layer(axum::middleware::from_fn(refuse_nul))
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(request_id.clone(), MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(
                    |request: &Request<axum::body::Body>| {
                        let id = request
                            .headers()
                            .get("x-request-id")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("-");
                        // Method and path only: query strings and bodies may
                        // carry confidential values and are never logged.
                        tracing::info_span!(
                            "request",
                            id = %id,
                            method = %request.method(),
                            path = %request.uri().path(),
                        )
                    },
                ))
                .layer(PropagateRequestIdLayer::new(request_id))
                .layer(HandleErrorLayer::new(timed_out))
                .timeout(timeout),
        )
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every endpoint the spec's table names is in the document with its
    /// method.
    #[test]
    fn the_document_covers_the_spec_table() {
        let doc = openapi();
        let expected = [
            ("get", "/api/v1/health"),
            ("get", "/api/v1/openapi.json"),
            ("get", "/api/v1/me"),
            ("post", "/api/v1/rounds"),
            ("post", "/api/v1/rounds/{round}/members"),
            ("delete", "/api/v1/rounds/{round}/members/{org}"),
            ("put", "/api/v1/rounds/{round}/contributions/{org}"),
            ("get", "/api/v1/rounds/{round}/contributions/{org}"),
            ("get", "/api/v1/rounds/{round}/contributions/{org}/versions"),
            ("get", "/api/v1/rounds/{round}/contributions/{org}/workbook"),
            ("put", "/api/v1/rounds/{round}/contributions/{org}/workbook"),
            ("post", "/api/v1/rounds/{round}/contributions/{org}/check"),
            ("get", "/api/v1/rounds/{round}/scenario"),
            ("get", "/api/v1/rounds/{round}/compliance"),
            ("get", "/api/v1/rounds/{round}/compliance/explain"),
            ("get", "/api/v1/runs/{run}/report"),
            ("post", "/api/v1/rounds/{round}/contracts"),
            ("get", "/api/v1/rounds/{round}/contracts"),
            ("post", "/api/v1/contracts/{id}/accept"),
            ("post", "/api/v1/contracts/{id}/decline"),
            ("post", "/api/v1/contracts/{id}/withdraw"),
            ("post", "/api/v1/rounds/{round}/runs"),
            ("get", "/api/v1/runs/{run}"),
            ("get", "/api/v1/runs/{run}/plan"),
            ("post", "/api/v1/runs/{run}/publish"),
            ("post", "/api/v1/ledger/entries"),
            ("get", "/api/v1/ledger/entries/{index}"),
            ("get", "/api/v1/ledger/checkpoint"),
            ("get", "/api/v1/ledger/proof/inclusion"),
            ("get", "/api/v1/ledger/proof/consistency"),
            ("get", "/api/v1/ledger/export"),
            ("get", "/api/v1/ledger/reports/att"),
            ("get", "/api/v1/ledger/trace"),
            ("post", "/api/v1/session"),
            ("get", "/api/v1/session"),
            ("delete", "/api/v1/session"),
            ("post", "/api/v1/me/password"),
            ("get", "/api/v1/organisations/{org}/users"),
            ("post", "/api/v1/organisations/{org}/users"),
            ("get", "/api/v1/organisations/{org}/tokens"),
            ("post", "/api/v1/organisations/{org}/tokens"),
            ("delete", "/api/v1/organisations/{org}/tokens/{id}"),
        ];
        let json = serde_json::to_value(&doc).expect("serialises");
        for (method, path) in expected {
            assert!(
                json["paths"][path][method].is_object(),
                "{method} {path} is missing from the OpenAPI document"
            );
        }
        assert!(json["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.")));
    }
}
