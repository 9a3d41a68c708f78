//! Operator API (SPEC §7, O1): authenticate the operator, parse the request, call a use case
//! of `service::operator`, `service::groups` or `service::announcements` (the same ones
//! `meterport admin` calls), shape the answer. JSON shapes are the `*_json` functions, which
//! `meterport admin --json` prints too.
//!
//! Authentication: `Authorization: Bearer <operator token>`, the token coming from the
//! configuration (`METERPORT_OPERATOR_TOKEN`). Without a configured token the operator API is
//! switched off and every route answers 404, as if it did not exist.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{get, post};
use meterport_domain::device::DeviceInput;
use meterport_domain::ids::{DeviceId, GroupId, TenantId, UserId};
use meterport_domain::ingest::ItemProblem;
use meterport_domain::policy::{FieldError, Problem};
use meterport_store::devices::Page;
use meterport_store::tenants::Tenant;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::openapi;
use super::{ApiError, ApiResult, bearer};
use crate::app::AppState;
use crate::i18n::{self, Lang};
use crate::service::ServiceError;
use crate::service::groups::{create_group, delete_groups, update_group};
use crate::service::operator as ops;
pub use crate::service::operator::{
    IssuedToken, UserInput, create_device, create_tenant, create_user, delete_device, delete_user,
    issue_ingest_token, issue_read_token, require_tenant, reset_password, revoke_token,
    unlock_user,
};
pub use crate::shapes::{
    audit_json, device_json, group_json, iso, issued_token_json, tenant_json, token_json,
    unknown_serial_json, user_json,
};

/// The audit log's actor for changes made through this API.
pub const API_ACTOR: &str = "operator-api";

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> ApiError {
        match e {
            ServiceError::NotFound(what) => ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                i18n::api_args("api-no-such", &[("what", i18n::missing(Lang::En, what))]),
            ),
            ServiceError::Invalid { refused, fields } => {
                ApiError::invalid(i18n::refused(Lang::En, refused), &fields)
            }
            ServiceError::Group { refused, refusal } => ApiError::invalid(
                i18n::refused(Lang::En, refused),
                &crate::service::groups::refusal_fields(&refusal),
            ),
            ServiceError::Store(e) => e.into(),
            ServiceError::Internal(cause) => ApiError::internal(cause),
        }
    }
}

// =============================================================================================
// HTTP
// =============================================================================================

pub fn routes() -> Router<AppState> {
    const T: &str = "/api/v1/admin/tenants/{tenant_id}";
    Router::new()
        .route("/api/v1/admin/tenants", get(list_tenants).post(post_tenant))
        .route(T, get(get_tenant))
        .route(&format!("{T}/users"), get(list_users).post(post_user))
        .route(&format!("{T}/users/{{id}}"), get(get_user).delete(del_user))
        .route(
            &format!("{T}/users/{{id}}/reset-password"),
            post(post_reset),
        )
        .route(&format!("{T}/users/{{id}}/unlock"), post(post_unlock))
        .route(&format!("{T}/devices"), get(list_devices).post(post_device))
        .route(
            &format!("{T}/devices/{{id}}"),
            get(get_device).delete(del_device),
        )
        .route(&format!("{T}/groups"), get(list_groups).post(post_group))
        .route(
            &format!("{T}/groups/{{id}}"),
            axum::routing::patch(patch_group).delete(del_group),
        )
        .route(&format!("{T}/ingest-tokens"), post(post_ingest_token))
        .route(&format!("{T}/api-tokens"), post(post_api_token))
        .route(&format!("{T}/tokens"), get(list_tokens))
        .route(
            &format!("{T}/tokens/{{id}}"),
            axum::routing::delete(del_token),
        )
        .route(&format!("{T}/unknown-serials"), get(unknown_serials))
}

/// Proof that the request carries the operator token. Taken first by every handler, so that
/// nothing about a route is revealed to a caller without it.
pub struct Operator;

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Operator> {
        let Some(expected) = state.operator_token.as_deref() else {
            return Err(ApiError::not_found());
        };
        let given = bearer(&parts.headers).ok_or_else(ApiError::unauthorized)?;
        if same_secret(given, expected) {
            Ok(Operator)
        } else {
            Err(ApiError::unauthorized())
        }
    }
}

/// Compares two secrets in time that does not depend on where they differ: both are hashed
/// first, so a guess learns nothing from timing about the token's bytes or its length, and
/// the digests are compared without an early exit.
fn same_secret(given: &str, expected: &str) -> bool {
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    let diff = a
        .iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// An id from the path; one that is not a number names nothing, hence 404.
fn path_id(raw: &str) -> ApiResult<i64> {
    raw.parse().map_err(|_| ApiError::not_found())
}

/// The tenant named by the path, or 404.
async fn tenant_of(state: &AppState, raw: &str) -> ApiResult<Tenant> {
    let tenant = require_tenant(&state.services, TenantId(path_id(raw)?)).await?;
    crate::telemetry::note_tenant(tenant.id);
    Ok(tenant)
}

/// Parses a JSON body. Malformed JSON is a 400; well-formed JSON of the wrong shape (a
/// string where a number belongs, an unknown field) is a 422 that quotes the problem. An
/// empty body is read as `{}`, so that missing fields are reported as required.
pub(crate) fn body<T: DeserializeOwned>(bytes: &Bytes) -> ApiResult<T> {
    let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    // A key given twice is refused by name, whatever the target type would keep.
    if let Ok(text) = std::str::from_utf8(text)
        && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
        && let Some(dup) = meterport_domain::json::find_duplicate_key(text)
    {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            i18n::api_args("api-duplicate-key", &[("field", dup.path.clone())]),
        )
        .with_details(vec![json!({
            "field": dup.path,
            "code": "duplicate_key",
            "message": i18n::item_problem(Lang::En, &ItemProblem::DuplicateKey),
        })]));
    }
    serde_json::from_slice(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ApiError::invalid(
            i18n::api("api-unexpected-fields"),
            &[FieldError::new(
                "body",
                Problem::InvalidJson {
                    detail: e.to_string(),
                },
            )],
        ),
        _ => ApiError::bad_request(i18n::api_args(
            "api-invalid-json",
            &[("detail", e.to_string())],
        )),
    })
}

type Created = (StatusCode, Json<Value>);

fn created(v: Value) -> Created {
    (StatusCode::CREATED, Json(v))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/tenants",
    operation_id = "list_tenants",
    tag = "operator",
    summary = "Every tenant",
    security(("operator_token" = [])),
    responses(
        (status = 200, description = "The tenants.", body = openapi::TenantList),
        openapi::Refusals
    )
)]
pub(crate) async fn list_tenants(
    _: Operator,
    State(state): State<AppState>,
) -> ApiResult<Json<Value>> {
    let tenants = ops::list_tenants(&state.services).await?;
    Ok(Json(
        json!({"tenants": tenants.iter().map(tenant_json).collect::<Vec<_>>()}),
    ))
}

/// Lets `"retention_months": null` (keep everything) differ from a missing member
/// (the default): a present member, null or not, becomes `Some`.
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantBody {
    name: Option<String>,
    timezone: Option<String>,
    #[serde(default, deserialize_with = "present")]
    retention_months: Option<Option<i64>>,
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/tenants",
    operation_id = "create_tenant",
    tag = "operator",
    summary = "Create a tenant",
    security(("operator_token" = [])),
    request_body = openapi::NewTenant,
    responses(
        (status = 201, description = "Created.", body = openapi::Tenant),
        (status = 400, description = "Not JSON.", body = openapi::Error),
        (status = 422, description = "A rule is broken: each field named, nothing changed.", body = openapi::Error),
        openapi::Refusals
    )
)]
pub(crate) async fn post_tenant(
    _: Operator,
    State(state): State<AppState>,
    bytes: Bytes,
) -> ApiResult<Created> {
    let b: TenantBody = body(&bytes)?;
    let tenant = create_tenant(
        &state.services,
        API_ACTOR,
        b.name.as_deref().unwrap_or(""),
        b.timezone.as_deref(),
        b.retention_months,
        state.now_ms(),
    )
    .await?;
    Ok(created(tenant_json(&tenant)))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/tenants/{tenant_id}",
    operation_id = "get_tenant",
    tag = "operator",
    summary = "A tenant",
    security(("operator_token" = [])),
    params(("tenant_id" = i64, Path, description = "The tenant.")),
    responses(
        (status = 200, description = "The tenant.", body = openapi::Tenant),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn get_tenant(
    _: Operator,
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(tenant_json(&tenant_of(&state, &tenant_id).await?)))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/tenants/{tenant_id}/users",
    operation_id = "list_users",
    tag = "operator",
    summary = "The tenant's users",
    security(("operator_token" = [])),
    params(("tenant_id" = i64, Path, description = "The tenant.")),
    responses(
        (status = 200, description = "The users.", body = openapi::UserList),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn list_users(
    _: Operator,
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let users = ops::list_users(&state.services, TenantId(tenant.id)).await?;
    Ok(Json(
        json!({"users": users.iter().map(user_json).collect::<Vec<_>>()}),
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/tenants/{tenant_id}/users",
    operation_id = "create_user",
    tag = "operator",
    summary = "Create a user",
    security(("operator_token" = [])),
    params(("tenant_id" = i64, Path, description = "The tenant.")),
    request_body = openapi::NewUser,
    responses(
        (status = 201, description = "Created.", body = openapi::User),
        (status = 400, description = "Not JSON.", body = openapi::Error),
        (status = 422, description = "A rule is broken: each field named, nothing changed.", body = openapi::Error),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn post_user(
    _: Operator,
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
    bytes: Bytes,
) -> ApiResult<Created> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let input: UserInput = body(&bytes)?;
    let user = create_user(
        &state.services,
        API_ACTOR,
        TenantId(tenant.id),
        input,
        state.now_ms(),
    )
    .await?;
    Ok(created(user_json(&user)))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/tenants/{tenant_id}/users/{id}",
    operation_id = "get_user",
    tag = "operator",
    summary = "A user",
    security(("operator_token" = [])),
    params(("tenant_id" = i64, Path, description = "The tenant."), ("id" = i64, Path, description = "The user.")),
    responses(
        (status = 200, description = "The user.", body = openapi::User),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn get_user(
    _: Operator,
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let user = ops::user(&state.services, TenantId(tenant.id), UserId(path_id(&id)?)).await?;
    Ok(Json(user_json(&user)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/tenants/{tenant_id}/users/{id}",
    operation_id = "delete_user",
    tag = "operator",
    summary = "Delete a user",
    security(("operator_token" = [])),
    params(("tenant_id" = i64, Path, description = "The tenant."), ("id" = i64, Path, description = "The user.")),
    responses(
        (status = 204, description = "Deleted."),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn del_user(
    _: Operator,
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    delete_user(
        &state.services,
        API_ACTOR,
        TenantId(tenant.id),
        UserId(path_id(&id)?),
        state.now_ms(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordBody {
    password: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/tenants/{tenant_id}/users/{id}/reset-password",
    operation_id = "reset_password",
    tag = "operator",
    summary = "Set a new password the user must change",
    security(("operator_token" = [])),
    params(("tenant_id" = i64, Path, description = "The tenant."), ("id" = i64, Path, description = "The user.")),
    request_body = openapi::PasswordReset,
    responses(
        (status = 200, description = "The user.", body = openapi::User),
        (status = 400, description = "Not JSON.", body = openapi::Error),
        (status = 422, description = "A rule is broken: each field named, nothing changed.", body = openapi::Error),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn post_reset(
    _: Operator,
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
    bytes: Bytes,
) -> ApiResult<Json<Value>> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let id = path_id(&id)?;
    let b: PasswordBody = body(&bytes)?;
    let user = reset_password(
        &state.services,
        API_ACTOR,
        TenantId(tenant.id),
        UserId(id),
        b.password.as_deref().unwrap_or(""),
        state.now_ms(),
    )
    .await?;
    Ok(Json(user_json(&user)))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/tenants/{tenant_id}/users/{id}/unlock",
    operation_id = "unlock_user",
    tag = "operator",
    summary = "Unlock a locked account",
    security(("operator_token" = [])),
    params(("tenant_id" = i64, Path, description = "The tenant."), ("id" = i64, Path, description = "The user.")),
    responses(
        (status = 200, description = "The user.", body = openapi::User),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn post_unlock(
    _: Operator,
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let user = unlock_user(
        &state.services,
        API_ACTOR,
        TenantId(tenant.id),
        UserId(path_id(&id)?),
        state.now_ms(),
    )
    .await?;
    Ok(Json(user_json(&user)))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/tenants/{tenant_id}/devices",
    operation_id = "list_devices",
    tag = "operator",
    summary = "The tenant's devices",
    security(("operator_token" = [])),
    params(("tenant_id" = i64, Path, description = "The tenant.")),
    responses(
        (status = 200, description = "The devices.", body = openapi::OperatorDeviceList),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn list_devices(
    _: Operator,
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let devices = ops::list_devices(&state.services, TenantId(tenant.id)).await?;
    Ok(Json(
        json!({"devices": devices.iter().map(device_json).collect::<Vec<_>>()}),
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/tenants/{tenant_id}/devices",
    operation_id = "create_device",
    tag = "operator",
    summary = "Register a device",
    security(("operator_token" = [])),
    params(("tenant_id" = i64, Path, description = "The tenant.")),
    request_body = openapi::NewDevice,
    responses(
        (status = 201, description = "Created.", body = openapi::Device),
        (status = 400, description = "Not JSON.", body = openapi::Error),
        (status = 422, description = "A rule is broken: each field named, nothing changed.", body = openapi::Error),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn post_device(
    _: Operator,
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
    bytes: Bytes,
) -> ApiResult<Created> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let input: DeviceInput = body(&bytes)?;
    let device = create_device(
        &state.services,
        API_ACTOR,
        TenantId(tenant.id),
        input,
        state.now_ms(),
    )
    .await?;
    Ok(created(device_json(&device)))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/tenants/{tenant_id}/devices/{id}",
    operation_id = "get_device",
    tag = "operator",
    summary = "A device",
    security(("operator_token" = [])),
    params(("tenant_id" = i64, Path, description = "The tenant."), ("id" = i64, Path, description = "The device.")),
    responses(
        (status = 200, description = "The device.", body = openapi::Device),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn get_device(
    _: Operator,
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let device = ops::device(
        &state.services,
        TenantId(tenant.id),
        DeviceId(path_id(&id)?),
    )
    .await?;
    Ok(Json(device_json(&device)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/tenants/{tenant_id}/devices/{id}",
    operation_id = "delete_device",
    tag = "operator",
    summary = "Delete a device and its readings",
    security(("operator_token" = [])),
    params(("tenant_id" = i64, Path, description = "The tenant."), ("id" = i64, Path, description = "The device.")),
    responses(
        (status = 204, description = "Deleted."),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn del_device(
    _: Operator,
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    delete_device(
        &state.services,
        API_ACTOR,
        TenantId(tenant.id),
        DeviceId(path_id(&id)?),
        state.now_ms(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/tenants/{tenant_id}/groups",
    operation_id = "list_groups",
    tag = "operator",
    summary = "The tenant's device groups",
    security(("operator_token" = [])),
    params(("tenant_id" = i64, Path, description = "The tenant.")),
    responses(
        (status = 200, description = "The groups.", body = openapi::GroupList),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn list_groups(
    _: Operator,
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let groups = crate::service::groups::list_groups(&state.services, TenantId(tenant.id)).await?;
    Ok(Json(
        json!({"groups": groups.iter().map(group_json).collect::<Vec<_>>()}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupBody {
    name: Option<String>,
    device_ids: Option<Vec<i64>>,
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/tenants/{tenant_id}/groups",
    operation_id = "create_group",
    tag = "operator",
    summary = "Create a device group (S22)",
    security(("operator_token" = [])),
    params(("tenant_id" = i64, Path, description = "The tenant.")),
    request_body = openapi::GroupInput,
    responses(
        (status = 201, description = "Created.", body = openapi::Group),
        (status = 400, description = "Not JSON.", body = openapi::Error),
        (status = 422, description = "A rule is broken: each field named, nothing changed.", body = openapi::Error),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn post_group(
    _: Operator,
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
    bytes: Bytes,
) -> ApiResult<Created> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let b: GroupBody = body(&bytes)?;
    let group = create_group(
        &state.services,
        API_ACTOR,
        TenantId(tenant.id),
        b.name.as_deref().unwrap_or(""),
        b.device_ids.as_deref().unwrap_or(&[]),
        state.now_ms(),
    )
    .await?;
    Ok(created(group_json(&group)))
}

#[utoipa::path(
    patch,
    path = "/api/v1/admin/tenants/{tenant_id}/groups/{id}",
    operation_id = "update_group",
    tag = "operator",
    summary = "Rename a group or change its members",
    security(("operator_token" = [])),
    params(("tenant_id" = i64, Path, description = "The tenant."), ("id" = i64, Path, description = "The group.")),
    request_body = openapi::GroupInput,
    responses(
        (status = 200, description = "The group.", body = openapi::Group),
        (status = 400, description = "Not JSON.", body = openapi::Error),
        (status = 422, description = "A rule is broken: each field named, nothing changed.", body = openapi::Error),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn patch_group(
    _: Operator,
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
    bytes: Bytes,
) -> ApiResult<Json<Value>> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let id = path_id(&id)?;
    let b: GroupBody = body(&bytes)?;
    let group = update_group(
        &state.services,
        API_ACTOR,
        TenantId(tenant.id),
        GroupId(id),
        b.name.as_deref(),
        b.device_ids.as_deref(),
        state.now_ms(),
    )
    .await?;
    Ok(Json(group_json(&group)))
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/tenants/{tenant_id}/groups/{id}",
    operation_id = "delete_group",
    tag = "operator",
    summary = "Delete a group (its devices stay, in no group)",
    security(("operator_token" = [])),
    params(("tenant_id" = i64, Path, description = "The tenant."), ("id" = i64, Path, description = "The group.")),
    responses(
        (status = 204, description = "Deleted."),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn del_group(
    _: Operator,
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    delete_groups(
        &state.services,
        API_ACTOR,
        TenantId(tenant.id),
        &[path_id(&id)?],
        state.now_ms(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/tenants/{tenant_id}/ingest-tokens",
    operation_id = "issue_ingest_token",
    tag = "operator",
    summary = "Issue an ingest token",
    security(("operator_token" = [])),
    params(("tenant_id" = i64, Path, description = "The tenant.")),
    responses(
        (status = 201, description = "The token, shown this once.", body = openapi::IssuedToken),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn post_ingest_token(
    _: Operator,
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
) -> ApiResult<Created> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let issued = issue_ingest_token(
        &state.services,
        API_ACTOR,
        TenantId(tenant.id),
        state.now_ms(),
    )
    .await?;
    Ok(created(issued_token_json(&issued)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiTokenBody {
    username: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/tenants/{tenant_id}/api-tokens",
    operation_id = "issue_read_token",
    tag = "operator",
    summary = "Issue a read token acting as a user",
    security(("operator_token" = [])),
    params(("tenant_id" = i64, Path, description = "The tenant.")),
    request_body = openapi::ReadTokenRequest,
    responses(
        (status = 201, description = "The token, shown this once.", body = openapi::IssuedToken),
        (status = 400, description = "Not JSON.", body = openapi::Error),
        (status = 422, description = "A rule is broken: each field named, nothing changed.", body = openapi::Error),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn post_api_token(
    _: Operator,
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
    bytes: Bytes,
) -> ApiResult<Created> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let b: ApiTokenBody = body(&bytes)?;
    let issued = issue_read_token(
        &state.services,
        API_ACTOR,
        TenantId(tenant.id),
        b.username.as_deref().unwrap_or(""),
        state.now_ms(),
    )
    .await?;
    Ok(created(issued_token_json(&issued)))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/tenants/{tenant_id}/tokens",
    operation_id = "list_tokens",
    tag = "operator",
    summary = "The tenant's tokens (never the secrets)",
    security(("operator_token" = [])),
    params(("tenant_id" = i64, Path, description = "The tenant.")),
    responses(
        (status = 200, description = "The tokens.", body = openapi::TokenList),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn list_tokens(
    _: Operator,
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let tokens = ops::list_tokens(&state.services, TenantId(tenant.id)).await?;
    Ok(Json(
        json!({"tokens": tokens.iter().map(token_json).collect::<Vec<_>>()}),
    ))
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/tenants/{tenant_id}/tokens/{id}",
    operation_id = "revoke_token",
    tag = "operator",
    summary = "Revoke a token",
    security(("operator_token" = [])),
    params(("tenant_id" = i64, Path, description = "The tenant."), ("id" = i64, Path, description = "The token.")),
    responses(
        (status = 204, description = "Revoked."),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn del_token(
    _: Operator,
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    revoke_token(
        &state.services,
        API_ACTOR,
        TenantId(tenant.id),
        path_id(&id)?,
        state.now_ms(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub(crate) struct PageQuery {
    page: Option<String>,
    per_page: Option<String>,
}

/// `?page=&per_page=` (defaults 1 and 100), or a 422 naming the parameter.
fn page_of(q: &PageQuery) -> ApiResult<Page> {
    let number =
        |field: &'static str, raw: &Option<String>, default: i64, max: i64| match raw.as_deref() {
            None => Ok(default),
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| {
                    let problem = Problem::OutOfRange { min: 1, max };
                    ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "validation_failed",
                        i18n::api_args(
                            "api-out-of-range",
                            &[
                                ("field", field.to_string()),
                                ("min", 1.to_string()),
                                ("max", max.to_string()),
                            ],
                        ),
                    )
                    .with_details(vec![json!({"field": field, "code": problem.code(),
                        "message": i18n::problem(Lang::En, &problem)})])
                }),
        };
    let page = number("page", &q.page, 1, 1_000_000)?;
    let per_page = number("per_page", &q.per_page, 100, Page::MAX_PER_PAGE)?;
    Ok(Page::new(page, per_page).expect("checked above"))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/tenants/{tenant_id}/unknown-serials",
    operation_id = "list_unknown_serials",
    tag = "operator",
    summary = "Serials that tried to report unregistered",
    security(("operator_token" = [])),
    params(("tenant_id" = i64, Path, description = "The tenant."), ("page" = Option<i64>, Query, description = "From 1 (default 1)."), ("per_page" = Option<i64>, Query, description = "Default 100.")),
    responses(
        (status = 200, description = "One page.", body = openapi::UnknownSerialPage),
        (status = 422, description = "A rule is broken: each field named, nothing changed.", body = openapi::Error),
        openapi::RefusalsOrMissing
    )
)]
pub(crate) async fn unknown_serials(
    _: Operator,
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<Value>> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let page = page_of(&q)?;
    let list = ops::unknown_serials(&state.services, TenantId(tenant.id), page).await?;
    Ok(Json(json!({
        "serials": list.serials.iter().map(unknown_serial_json).collect::<Vec<_>>(),
        "total": list.total,
        "dropped": list.dropped,
        "page": page.page,
        "per_page": page.per_page,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_very_same_secret_matches() {
        assert!(same_secret("s3cret-token", "s3cret-token"));
        assert!(!same_secret("s3cret-tokem", "s3cret-token"));
        assert!(!same_secret("s3cret-token-and-more", "s3cret-token"));
        assert!(!same_secret("", "s3cret-token"));
    }

    #[test]
    fn a_refusal_reads_as_its_message_then_one_line_per_field() {
        let e = ServiceError::invalid(
            crate::service::Refused::UserNotCreated,
            vec![FieldError::new("username", Problem::InUse)],
        );

        assert_eq!(
            e.to_string(),
            "the user was not created\n  username: is already in use"
        );
    }
}
