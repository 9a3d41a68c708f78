//! Ingest API (SPEC §7, I1): readings and status from devices and collectors.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use meterport_domain::ids::TenantId;
use meterport_store::tokens::TokenKind;
use serde_json::{Value, json};

use super::openapi;
use super::{ApiError, ApiResult, authenticate};
use crate::app::AppState;
use crate::service::ingest::{IngestError, ingest_readings, ingest_status};
use crate::service::operator::require_tenant;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/ingest/readings", post(readings))
        .route("/api/v1/ingest/status", post(status))
}

impl From<IngestError> for ApiError {
    fn from(e: IngestError) -> ApiError {
        match e {
            IngestError::Malformed(e) => {
                ApiError::bad_request(crate::i18n::body_error(crate::i18n::Lang::En, &e))
            }
            IngestError::Invalid(items) => ApiError::invalid_items(items),
            IngestError::Store(e) => e.into(),
        }
    }
}

fn text(body: &Bytes) -> ApiResult<&str> {
    std::str::from_utf8(body).map_err(|_| ApiError::bad_request(crate::i18n::api("api-not-utf8")))
}

#[utoipa::path(
    post,
    path = "/api/v1/ingest/readings",
    operation_id = "ingest_readings",
    tag = "ingest",
    summary = "Store readings (all or nothing)",
    security(("ingest_token" = [])),
    request_body = openapi::Readings,
    responses(
        (status = 200, description = "Stored (after the commit).", body = openapi::IngestResult),
        (status = 400, description = "Not JSON.", body = openapi::Error),
        (status = 422, description = "Items refused: `details` names each (`index`, `field`); nothing stored.", body = openapi::Error),
        openapi::Refusals
    )
)]
pub(crate) async fn readings(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let owner = authenticate(&state, &headers, TokenKind::Ingest).await?;
    let tenant = require_tenant(&state.services, TenantId(owner.tenant_id)).await?;
    let stored = ingest_readings(
        &state.services,
        &state.ingest,
        &tenant,
        text(&body)?,
        state.now_ms(),
    )
    .await?;
    Ok(Json(
        json!({"accepted": stored.accepted, "duplicates": stored.duplicates}),
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/ingest/status",
    operation_id = "ingest_status",
    tag = "ingest",
    summary = "Report devices' conditions and supplies",
    security(("ingest_token" = [])),
    request_body = openapi::StatusReports,
    responses(
        (status = 200, description = "Applied.", body = openapi::StatusResult),
        (status = 400, description = "Not JSON.", body = openapi::Error),
        (status = 422, description = "A rule is broken: each field named, nothing changed.", body = openapi::Error),
        openapi::Refusals
    )
)]
pub(crate) async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let owner = authenticate(&state, &headers, TokenKind::Ingest).await?;
    let tenant = require_tenant(&state.services, TenantId(owner.tenant_id)).await?;
    let outcome = ingest_status(&state.services, &tenant, text(&body)?, state.now_ms()).await?;
    Ok((StatusCode::OK, Json(json!(outcome))))
}
