//! The operator's announcements (お知らせ, SPEC S5, O1): posted in Japanese and English,
//! shown on every customer user's welcome screen between their dates, newest first.
//!
//! The use cases live in `service::announcements`; these handlers and
//! `meterport admin announcement ...` both call them.
//!
//! Routes (operator token, like every `/api/v1/admin` route):
//! - `POST /api/v1/admin/announcements` `{"text_ja", "text_en", "shown_from": RFC 3339,
//!   "shown_until"?: RFC 3339 | null}` → 201 with the announcement;
//! - `GET /api/v1/admin/announcements` → `{"announcements": [...]}`, newest first;
//! - `DELETE /api/v1/admin/announcements/{id}` → 204.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde_json::{Value, json};

use super::ApiResult;
use super::openapi;
use super::operator::{API_ACTOR, Operator, body};
use crate::app::AppState;
use crate::service::Missing;
use crate::service::ServiceError;
use crate::service::announcements::{
    AnnouncementInput, create_announcement, delete_announcement, list_announcements,
};
pub use crate::shapes::announcement_json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/admin/announcements", get(list).post(post))
        .route("/api/v1/admin/announcements/{id}", delete(del))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/announcements",
    operation_id = "create_announcement",
    tag = "operator",
    summary = "Post an announcement (S5)",
    security(("operator_token" = [])),
    request_body = openapi::NewAnnouncement,
    responses(
        (status = 201, description = "Created.", body = openapi::Announcement),
        (status = 400, description = "Not JSON.", body = openapi::Error),
        (status = 422, description = "A rule is broken: each field named, nothing changed.", body = openapi::Error),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn post(
    _: Operator,
    State(state): State<AppState>,
    bytes: Bytes,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let input: AnnouncementInput = body(&bytes)?;
    let a = create_announcement(&state.services, API_ACTOR, input, state.now_ms()).await?;
    Ok((StatusCode::CREATED, Json(announcement_json(&a))))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/announcements",
    operation_id = "list_announcements",
    tag = "operator",
    summary = "Every announcement, newest first",
    security(("operator_token" = [])),
    responses(
        (status = 200, description = "The announcements.", body = openapi::AnnouncementList),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn list(_: Operator, State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let all = list_announcements(&state.services).await?;
    Ok(Json(
        json!({"announcements": all.iter().map(announcement_json).collect::<Vec<_>>()}),
    ))
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/announcements/{id}",
    operation_id = "delete_announcement",
    tag = "operator",
    summary = "Delete an announcement",
    security(("operator_token" = [])),
    params(("id" = i64, Path, description = "The announcement.")),
    responses(
        (status = 204, description = "Deleted."),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn del(
    _: Operator,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    // An id that is not a number names nothing.
    let id: i64 = id
        .parse()
        .map_err(|_| ServiceError::NotFound(Missing::Announcement))?;
    delete_announcement(&state.services, API_ACTOR, id, state.now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}
