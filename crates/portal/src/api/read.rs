//! Customer read API (SPEC §7, B2): a user's read token sees what that user sees, which is
//! the user's tenant and nothing else (T1).

use meterport_domain::ids::{DeviceId, TenantId};
use std::collections::HashMap;

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use meterport_store::counters::GroupFilter;
use meterport_store::devices::Device;
use meterport_store::supplies::SupplyReport;
use meterport_store::tenants::Tenant;
use meterport_store::tokens::TokenKind;
use serde_json::{Value, json};

use super::openapi;
use super::{ApiError, ApiResult, authenticate};
use crate::app::AppState;
use crate::i18n;
use crate::service::counters::{self, Prepared, QueryError, json_chunks};
use crate::service::operator::require_tenant;
use crate::service::{ServiceError, devices, supplies};
use crate::shapes::iso;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/devices", get(devices))
        .route("/api/v1/devices/{id}", get(device))
        .route("/api/v1/counters", get(counters).layer(compression()))
        .route(
            "/api/v1/counters.csv",
            get(counters_csv).layer(compression()),
        )
}

/// Gzip for the counters answers when the client asks for it (`Accept-Encoding: gzip`):
/// a fleet's table repeats its names and periods on every device, so a billing system's
/// Total 1 of 10,000 devices goes from megabytes to a few hundred kilobytes. The fastest
/// level: the answers are streamed, and a slower one costs more time than it saves bytes.
fn compression() -> tower_http::compression::CompressionLayer {
    tower_http::compression::CompressionLayer::new()
        .quality(tower_http::compression::CompressionLevel::Fastest)
}

/// The tenant of a read token.
async fn reader(state: &AppState, headers: &HeaderMap) -> ApiResult<Tenant> {
    let owner = authenticate(state, headers, TokenKind::Read).await?;
    Ok(require_tenant(&state.services, TenantId(owner.tenant_id)).await?)
}

fn group_json(g: &Option<(i64, String)>) -> Value {
    match g {
        Some((id, name)) => json!({"id": id, "name": name}),
        None => Value::Null,
    }
}

/// Whether a device reports (`"ok"` or `"late"`, "not reporting"), and when the portal last
/// heard from it; both null for a device never heard from.
fn reporting_json(tenant: &Tenant, d: &Device, now: i64) -> (Value, Value) {
    (
        devices::reporting(tenant, d, now).map_or(Value::Null, |r| Value::from(r.as_str())),
        iso(d.last_report_at),
    )
}

fn device_summary(tenant: &Tenant, d: &Device, now: i64) -> Value {
    let (reporting, last_report_at) = reporting_json(tenant, d, now);
    json!({
        "id": d.id, "serial": d.serial, "name": d.name, "product": d.product,
        "device_type": d.device_type.as_str(), "status": d.status.as_str(), "building": d.building,
        "location": d.location, "group": group_json(&d.group),
        "last_reading_at": iso(d.last_reading_at), "last_mail_at": iso(d.last_mail_at),
        "reporting": reporting, "last_report_at": last_report_at,
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/devices",
    operation_id = "read_devices",
    tag = "read",
    summary = "The user's devices",
    security(("read_token" = [])),
    params(("group" = Option<String>, Query, description = "`all` (default), `none` or a group id.")),
    responses(
        (status = 200, description = "The devices.", body = openapi::DeviceList),
        (status = 422, description = "A rule is broken: each field named, nothing changed.", body = openapi::Error),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn devices(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let tenant = reader(&state, &headers).await?;
    let group = match params.get("group") {
        None => GroupFilter::All,
        Some(g) => GroupFilter::parse(g).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_query",
                i18n::api("api-invalid-group"),
            )
            .with_details(vec![
                json!({"field": "group", "message": i18n::api("param-choice-group")}),
            ])
        })?,
    };
    let list = match devices::list(&state.services, TenantId(tenant.id), group).await {
        Err(ServiceError::NotFound(_)) => return Err(ApiError::not_found()),
        other => other?,
    };
    let now = state.now_ms();
    Ok(Json(json!({
        "devices": list.iter().map(|d| device_summary(&tenant, d, now)).collect::<Vec<_>>()
    })))
}

#[utoipa::path(
    get,
    path = "/api/v1/devices/{id}",
    operation_id = "read_device",
    tag = "read",
    summary = "A device with its conditions and supplies",
    security(("read_token" = [])),
    params(("id" = i64, Path, description = "The device.")),
    responses(
        (status = 200, description = "The device.", body = openapi::DeviceDetail),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn device(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let tenant = reader(&state, &headers).await?;
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    let devices::DeviceState {
        device: d,
        conditions,
        supplies: report,
    } = devices::state(&state.services, TenantId(tenant.id), DeviceId(id)).await?;
    // The same device fields as the operator API (one place decides them), plus its open
    // conditions.
    let mut body = super::operator::device_json(&d);
    let (reporting, last_report_at) = reporting_json(&tenant, &d, state.now_ms());
    body["reporting"] = reporting;
    body["last_report_at"] = last_report_at;
    body["conditions"] = conditions
        .iter()
        .map(|c| {
            json!({
                "code": c.code, "severity": c.severity, "message": c.message,
                "since": iso(Some(c.since)),
            })
        })
        .collect();
    // Its latest supply list (empty when it never reported one), each with the state the
    // screens show (`Supply::state`) and the day it is expected to run out (B1; null when
    // there is not enough data or the level does not fall).
    let report = report.unwrap_or(SupplyReport {
        reported_at: 0,
        supplies: Vec::new(),
    });
    let forecasts = supplies::forecasts(
        &state.services,
        &tenant,
        &[(DeviceId(id), &report)],
        state.now_ms(),
    )
    .await?
    .pop()
    .unwrap_or_default();
    body["supplies"] = report
        .supplies
        .iter()
        .zip(forecasts)
        .map(|(s, forecast)| {
            json!({
                "name": s.name, "kind": s.kind.as_str(), "color": s.color,
                "level_percent": s.level_percent, "state": s.state().as_str(),
                "expected_empty": forecast.date().map(|d| d.to_string()),
            })
        })
        .collect();
    Ok(Json(body))
}

/// A refused query parameter in the API's words.
fn param_message(e: &counters::ParamError) -> String {
    i18n::param_problem(i18n::Lang::En, e)
}

/// Parses and prepares a counters query; 422 names every bad parameter, 404 an unknown
/// device or group.
pub async fn prepare(
    state: &AppState,
    tenant: &Tenant,
    params: &HashMap<String, String>,
) -> ApiResult<Prepared> {
    counters::prepare(&state.services, tenant, params, state.now_ms())
        .await
        .map_err(|e| match e {
            QueryError::Invalid(errors) => {
                let message = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, param_message(e)))
                    .collect::<Vec<_>>()
                    .join("; ");
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_query", message)
                    .with_details(
                        errors
                            .iter()
                            .map(|e| json!({"field": e.field, "message": param_message(e)}))
                            .collect(),
                    )
            }
            QueryError::NoSuchGroup | QueryError::NoSuchDevice => ApiError::not_found(),
            QueryError::Store(e) => e.into(),
        })
}

#[utoipa::path(
    get,
    path = "/api/v1/counters",
    operation_id = "read_counters",
    tag = "read",
    summary = "Usage or cumulative counters per device and period",
    security(("read_token" = [])),
    params(("unit" = Option<String>, Query, description = "`month` or `day`."), ("from" = Option<String>, Query, description = "First period, `YYYY-MM` or `YYYY-MM-DD` (S12 limits: 12 months, 3 months of days)."), ("to" = Option<String>, Query, description = "Last period, same form as `from`."), ("kind" = Option<String>, Query, description = "`usage` (default) or `cumulative`."), ("group" = Option<String>, Query, description = "`all` (default), `none` or a group id."), ("class" = Option<String>, Query, description = "`mfp` (default) or `lfp`."), ("device" = Option<i64>, Query, description = "One device over the periods (S16)."), ("period" = Option<String>, Query, description = "One period for every device (S17); `from`/`to` not needed."), ("oldest" = Option<String>, Query, description = "`include` (default) or `exclude`: whether totals count oldest-period values (C5)."), ("keys" = Option<String>, Query, description = "Comma-separated counter names to answer (default: every key of the class), e.g. `total1,color`.")),
    responses(
        (status = 200, description = "The table (streamed).", body = openapi::CountersAnswer),
        (status = 422, description = "A rule is broken: each field named, nothing changed.", body = openapi::Error),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn counters(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let tenant = reader(&state, &headers).await?;
    let prepared = prepare(&state, &tenant, &params).await?;
    let body = Body::from_stream(json_chunks(state.services.clone(), prepared));
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

#[utoipa::path(
    get,
    path = "/api/v1/counters.csv",
    operation_id = "read_counters_csv",
    tag = "read",
    summary = "The same as CSV, laid out as the screen it mirrors (S19)",
    security(("read_token" = [])),
    params(("unit" = Option<String>, Query, description = "`month` or `day`."), ("from" = Option<String>, Query, description = "First period, `YYYY-MM` or `YYYY-MM-DD` (S12 limits: 12 months, 3 months of days)."), ("to" = Option<String>, Query, description = "Last period, same form as `from`."), ("kind" = Option<String>, Query, description = "`usage` (default) or `cumulative`."), ("group" = Option<String>, Query, description = "`all` (default), `none` or a group id."), ("class" = Option<String>, Query, description = "`mfp` (default) or `lfp`."), ("device" = Option<i64>, Query, description = "One device over the periods (S16)."), ("period" = Option<String>, Query, description = "One period for every device (S17); `from`/`to` not needed."), ("oldest" = Option<String>, Query, description = "`include` (default) or `exclude`: whether totals count oldest-period values (C5)."), ("keys" = Option<String>, Query, description = "Comma-separated counter names to answer (default: every key of the class), e.g. `total1,color`."), ("view" = Option<String>, Query, description = "`counter`, `paper`, `color_mode` or `function` (S16 tabs)."), ("encoding" = Option<String>, Query, description = "`utf-8` (with BOM, default) or `shift_jis`."), ("lang" = Option<String>, Query, description = "Headings in `ja` or `en`.")),
    responses(
        (status = 200, description = "The CSV file.", content_type = "text/csv", body = String),
        (status = 422, description = "A rule is broken: each field named, nothing changed.", body = openapi::Error),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn counters_csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let tenant = reader(&state, &headers).await?;
    let prepared = prepare(&state, &tenant, &params).await?;
    crate::csv_export::respond(
        &state,
        &tenant,
        prepared,
        &params,
        crate::csv_export::Region(""),
    )
    .await
}
