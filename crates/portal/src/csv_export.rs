//! CSV export (SPEC S19).

use std::collections::HashMap;

use axum::http::StatusCode;
use axum::response::Response;
use meterport_store::tenants::Tenant;

use crate::api::{ApiError, ApiResult};
use crate::app::AppState;
use crate::service::counters::Prepared;

pub async fn respond(
    _state: &AppState,
    _tenant: &Tenant,
    _prepared: Prepared,
    _params: &HashMap<String, String>,
) -> ApiResult<Response> {
    Err(ApiError::new(
        StatusCode::NOT_IMPLEMENTED,
        "not_implemented",
        "CSV export is being built",
    ))
}
