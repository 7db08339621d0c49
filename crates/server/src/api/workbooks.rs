//! A contribution as a spreadsheet (an extension of spec section 6): the
//! latest version downloaded as an xlsx workbook, and a workbook uploaded
//! as a new version. `caisson-sheets` lays the workbook out (the sheets of
//! the organisation's parts, the scenario workbook's columns) and reads it
//! back into fragment TOML, which then takes exactly the path of a TOML
//! `PUT .../contributions/{org}`: the same checks, the same diagnostics,
//! each placed at the sheet, row and column that wrote it.

use axum::extract::{Path, Request, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use caisson_platform::{
    allowed_tables, check_fragment, Document, MediaType, Organisation, PlatformError,
    ReferencePart, ScenarioDiagnostic,
};
use caisson_sheets::{ImportedFragment, Part, SheetError};
use serde_json::{json, Value};

use crate::access::{self, RoundAction};
use crate::auth::Caller;
use crate::body::ScenarioBody;
use crate::documents::{self, Doc};
use crate::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::state::AppState;

use super::rounds::{store_contribution, Stored};
use super::system::record_access;

/// The media type of an xlsx workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The workbook parts an organisation's kind may contribute.
fn parts(org: &Organisation) -> Vec<Part> {
    allowed_tables(org.kind)
        .iter()
        .filter_map(|table| match *table {
            "facility" => Some(Part::Facilities),
            "demand" => Some(Part::Demands),
            "policy" => Some(Part::Policies),
            _ => None,
        })
        .collect()
}

/// `ORG:X` written back as `X` (what the organisation typed; the server
/// qualifies it again on upload).
fn local<'a>(id: &'a str, org: &str) -> &'a str {
    id.strip_prefix(org)
        .and_then(|rest| rest.strip_prefix(':'))
        .unwrap_or(id)
}

/// The round's reference part in force.
async fn reference(conn: &mut sqlx::AnyConnection, round: &str) -> ApiResult<ReferencePart> {
    let version = documents::version(conn, round, Doc::Reference, None)
        .await?
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("round {round} has no reference")))?;
    Ok(ReferencePart::parse(&version.body, version.media()?)?)
}

/// The latest contribution of `org` as an xlsx workbook: one sheet per
/// part its kind contributes (facilities, stock, lines, line_products,
/// expansions; or demands and policies), the round's periods as columns.
/// Same readers and 404s as `GET .../contributions/{org}`.
#[utoipa::path(get, path = "/rounds/{round}/contributions/{org}/workbook", tag = "contributions",
    security(("bearer" = []), ("session" = [])),
    params(("round" = String, Path, description = "the round's id"),
           ("org" = String, Path, description = "the contributing organisation")),
    responses(
        (status = 200, description = "the latest version as a workbook; its number in `X-Caisson-Version`",
            content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 404, description = "`not_found` (also when nothing was contributed yet)", body = ErrorEnvelope),
    ))]
pub async fn get_workbook(
    State(state): State<AppState>,
    caller: Caller,
    Path((round, org)): Path<(String, String)>,
) -> ApiResult<Response> {
    let mut conn = state.db.pool.acquire().await?;
    let round = access::round(
        &mut conn,
        &caller,
        &round,
        RoundAction::ReadContribution(&org),
    )
    .await?;
    let member = round.member(&org).cloned().ok_or(ApiError::NotFound)?;
    let found = documents::version(&mut conn, &round.id, Doc::Contribution(&org), None)
        .await?
        .ok_or(ApiError::NotFound)?;
    let reference = reference(&mut conn, &round.id).await?;
    let fragment = check_fragment(&member, &found.body, found.media()?)?;
    // The reference part with this contribution alone: its scenario holds
    // exactly the contribution's entities.
    let mut scenario =
        caisson_platform::assemble(&reference, &[(&member, Some(&fragment))], &[])?.scenario;
    for facility in &mut scenario.facilities {
        facility.id = local(&facility.id, &org).to_owned();
    }
    for expansion in &mut scenario.expansions {
        expansion.id = local(&expansion.id, &org).to_owned();
    }
    for demand in &mut scenario.demands {
        demand.id = local(&demand.id, &org).to_owned();
    }
    for policy in &mut scenario.policies {
        policy.id = local(&policy.id, &org).to_owned();
    }
    let sheets = caisson_sheets::fragment_to_sheets(&scenario, &parts(&member));
    let bytes = caisson_sheets::xlsx_bytes(&sheets).map_err(|e| ApiError::Internal(e.into()))?;
    record_access(
        &mut conn,
        &caller,
        &org,
        "GET contribution workbook",
        &[format!(
            "round {} contribution version {}",
            round.id, found.version
        )],
    )
    .await?;
    let filename = format!("{org}-contribution-v{}.xlsx", found.version);
    Ok((
        [
            (header::CONTENT_TYPE, XLSX.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (
                header::HeaderName::from_static("x-caisson-version"),
                found.version.to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// A problem of the workbook itself, as a diagnostic of the answer.
fn sheet_diagnostic(problem: &SheetError, org: &str) -> Value {
    json!({
        "severity": if problem.is_error() { "error" } else { "warning" },
        "code": problem.code,
        "message": problem.message,
        "hint": problem.hint,
        "document": {"kind": "contribution", "organisation": org},
        "sheet": problem.sheet,
        "row": problem.row,
        "column": problem.column.as_ref().map(|c| c.letter.clone()),
        "header": problem.column.as_ref().map(|c| c.header.clone()),
        "place": problem.place(),
    })
}

/// The last key of the first `path` a message quotes, when it is a
/// quoted key (`capacity."2026-01"` gives `"2026-01"`).
fn named_key(message: &str) -> Option<String> {
    let path = message.split('`').nth(1)?;
    let inner = path.strip_suffix('"')?;
    let start = inner.rfind('"')?;
    Some(format!("{}\"", &inner[start..]))
}

/// A diagnostic about the fragment's text, placed at the cell that wrote
/// its line (the line and character column of the generated TOML mean
/// nothing to the uploader and are dropped).
fn placed(diagnostic: &ScenarioDiagnostic, org: &str, fragment: &ImportedFragment) -> Value {
    let mut value = serde_json::to_value(diagnostic).unwrap_or(Value::Null);
    let ours = matches!(&diagnostic.document,
        Document::Contribution { organisation } if organisation == org);
    let origin = diagnostic.line.filter(|_| ours).and_then(|line| {
        let at = fragment.place(line, diagnostic.column)?;
        // Located at a table (a schedule's header) while naming one of
        // its keys (`capacity."2026-01"`): that key's cell.
        if at.column.is_none() {
            if let Some(key) = named_key(&diagnostic.message) {
                return fragment.place_of_key(line, &key).or(Some(at));
            }
        }
        Some(at)
    });
    if let Some(object) = value.as_object_mut() {
        if ours {
            object.insert("line".into(), Value::Null);
            object.insert("column".into(), Value::Null);
        }
        if let Some(origin) = origin {
            let mut problem = SheetError::new(&diagnostic.code, diagnostic.message.clone());
            problem.sheet = Some(origin.sheet.clone());
            problem.row = origin.row;
            problem.column = origin.column.clone();
            object.insert("sheet".into(), json!(origin.sheet));
            object.insert("row".into(), json!(origin.row));
            object.insert(
                "column".into(),
                json!(origin.column.as_ref().map(|c| c.letter.clone())),
            );
            object.insert(
                "header".into(),
                json!(origin.column.as_ref().map(|c| c.header.clone())),
            );
            object.insert("place".into(), json!(problem.place()));
        }
    }
    value
}

/// Stores an uploaded xlsx workbook as `org`'s new contribution: read by
/// `caisson-sheets` into fragment TOML (the text stored as the version),
/// then checked and stored exactly as a TOML `PUT .../contributions/{org}`.
/// Every diagnostic names its sheet, row and column (`sheet`, `row`,
/// `column` letter, `header`, and `place` in words).
#[utoipa::path(put, path = "/rounds/{round}/contributions/{org}/workbook", tag = "contributions",
    security(("bearer" = []), ("session" = [])),
    params(("round" = String, Path, description = "the round's id"),
           ("org" = String, Path, description = "the contributing organisation")),
    request_body(description = "the workbook (xlsx, or xls/xlsb/ods)",
        content((Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses(
        (status = 200, description = "stored (the same version when nothing changed)", body = Stored),
        (status = 400, description = "`bad_request`: not a workbook", body = ErrorEnvelope),
        (status = 401, description = "`unauthenticated`", body = ErrorEnvelope),
        (status = 403, description = "`forbidden`, `not_owned` or `csrf_failed`", body = ErrorEnvelope),
        (status = 404, description = "`not_found`", body = ErrorEnvelope),
        (status = 413, description = "`payload_too_large`", body = ErrorEnvelope),
        (status = 415, description = "`unsupported_media_type`: not a spreadsheet media type", body = ErrorEnvelope),
        (status = 422, description = "`invalid_scenario` with diagnostics placed by sheet, row and column", body = ErrorEnvelope),
    ))]
pub async fn put_workbook(
    State(state): State<AppState>,
    caller: Caller,
    Path((round, org)): Path<(String, String)>,
    request: Request,
) -> ApiResult<Json<Stored>> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let bytes = crate::body::bytes(request, &state).await?;
    // Who may write is decided before the body is looked at.
    let calendar = {
        let mut conn = state.db.pool.acquire().await?;
        let round =
            access::round(&mut conn, &caller, &round, RoundAction::Contribute(&org)).await?;
        let reference = reference(&mut conn, &round.id).await?;
        caisson_platform::assemble(&reference, &[], &[])?
            .scenario
            .calendar
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let spreadsheet = [
        XLSX,
        "application/vnd.ms-excel",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/octet-stream",
    ];
    if !spreadsheet.contains(&essence.as_str()) {
        return Err(ApiError::UnsupportedMediaType(format!(
            "a workbook is {XLSX}, not `{content_type}`"
        )));
    }
    let sheets = caisson_sheets::read_xlsx_bytes(&bytes, "the upload")
        .map_err(|e| ApiError::bad_request(format!("the body is not a workbook: {e}")))?;
    let fragment = caisson_sheets::sheets_to_fragment(&sheets, calendar).map_err(|problems| {
        let errors = problems.iter().filter(|p| p.is_error()).count();
        ApiError::InvalidScenario {
            message: format!(
                "the workbook has {errors} problem{}",
                if errors == 1 { "" } else { "s" }
            ),
            diagnostics: Value::Array(problems.iter().map(|p| sheet_diagnostic(p, &org)).collect()),
        }
    })?;
    let body = ScenarioBody {
        media: MediaType::Toml,
        text: fragment.toml().to_owned(),
    };
    match store_contribution(&state, &caller, &round, &org, &body).await {
        Ok(stored) => Ok(Json(stored)),
        Err(ApiError::Platform(PlatformError::InvalidScenario { diagnostics })) => {
            let message = PlatformError::InvalidScenario {
                diagnostics: diagnostics.clone(),
            }
            .to_string();
            Err(ApiError::InvalidScenario {
                message,
                diagnostics: Value::Array(
                    diagnostics
                        .iter()
                        .map(|d| placed(d, &org, &fragment))
                        .collect(),
                ),
            })
        }
        Err(other) => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::named_key;

    #[test]
    fn the_key_a_message_names() {
        assert_eq!(
            named_key("`capacity.\"2026-01\"` must be at least 0, found -5").as_deref(),
            Some("\"2026-01\"")
        );
        assert_eq!(named_key("`capacity` must be a number"), None);
        assert_eq!(named_key("no path here"), None);
    }
}
