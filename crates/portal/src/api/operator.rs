//! Operator API (SPEC §7, O1), and the operator use cases it shares with `meterport admin`.
//!
//! The file has two halves:
//! - **Use cases** ([`create_tenant`], [`create_user`], ...): validate the input with the
//!   domain's policies, call the store, write the audit log. The HTTP handlers below and the
//!   command line (`cli::admin`) both call these, so the two front doors cannot disagree on
//!   a rule. They return [`AdminError`], which each front door renders in its own way.
//! - **Handlers**: authenticate the operator, parse the request, call a use case, shape the
//!   answer. JSON shapes are the `*_json` functions, which `meterport admin --json` prints too.
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
use meterport_domain::policy::{self, FieldError, MAX_GROUPS_PER_TENANT};
use meterport_store::audit::AuditEntry;
use meterport_store::counters::GroupFilter;
use meterport_store::devices::{Device, Page, UnknownSerial};
use meterport_store::groups::{Group, GroupError, GroupProblem};
use meterport_store::tenants::{DEFAULT_RETENTION_MONTHS, Tenant};
use meterport_store::tokens::{TokenInfo, TokenKind};
use meterport_store::users::{User, hash_password};
use meterport_store::{Store, StoreError};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{ApiError, ApiResult, bearer};
use crate::app::AppState;

/// The audit log's actor for changes made through this API.
pub const API_ACTOR: &str = "operator-api";

/// The longest data retention an operator may set: 50 years.
pub const MAX_RETENTION_MONTHS: i64 = 600;

// =============================================================================================
// Use cases, shared with `meterport admin`
// =============================================================================================

/// Why an operator action was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The tenant, or the user, device, group or token of the tenant, does not exist.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// The input breaks rules; `fields` names each one.
    #[error("{}", invalid_text(.message, .fields))]
    Invalid {
        message: String,
        fields: Vec<FieldError>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid_text(message: &str, fields: &[FieldError]) -> String {
    let mut s = message.to_string();
    for f in fields {
        s.push_str(&format!("\n  {}: {}", f.field, f.message));
    }
    s
}

impl AdminError {
    fn invalid(message: impl Into<String>, fields: Vec<FieldError>) -> AdminError {
        AdminError::Invalid {
            message: message.into(),
            fields,
        }
    }

    /// Maps the store's `NotFound` to a 404 that says what was missing.
    fn missing(what: &'static str) -> impl FnOnce(StoreError) -> AdminError {
        move |e| match e {
            StoreError::NotFound => AdminError::NotFound(what),
            other => AdminError::Store(other),
        }
    }
}

impl From<AdminError> for ApiError {
    fn from(e: AdminError) -> ApiError {
        match e {
            AdminError::NotFound(what) => ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("no such {what}"),
            ),
            AdminError::Invalid { message, fields } => ApiError::invalid(message, &fields),
            AdminError::Store(e) => e.into(),
        }
    }
}

pub type AdminResult<T> = Result<T, AdminError>;

/// Appends to the audit log. The action it records has already happened, so a failure to
/// write the entry is logged loudly but does not turn a done action into an error answer
/// (the client would retry and be refused as a duplicate).
async fn audit(
    store: &Store,
    tenant_id: Option<i64>,
    actor: &str,
    action: &str,
    detail: Value,
    now: i64,
) {
    if let Err(e) = store
        .record_audit(tenant_id, actor, action, &detail.to_string(), now)
        .await
    {
        tracing::error!(error = %e, action, actor, "could not write the audit log");
    }
}

/// The tenant, or [`AdminError::NotFound`].
pub async fn require_tenant(store: &Store, tenant_id: i64) -> AdminResult<Tenant> {
    store
        .tenant(tenant_id)
        .await
        .map_err(AdminError::missing("tenant"))
}

/// Checks a tenant's time zone and returns its canonical IANA name (`asia/tokyo` becomes
/// `Asia/Tokyo`). Periods are computed in this zone (T3), so it must be one jiff knows.
fn check_timezone(raw: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty());
    let Some(name) = raw else {
        return Some("Asia/Tokyo".to_string());
    };
    match jiff::tz::TimeZone::get(name) {
        Ok(tz) => Some(tz.iana_name().unwrap_or(name).to_string()),
        Err(_) => {
            errors.push(FieldError::new(
                "timezone",
                "invalid_timezone",
                "must be an IANA time zone name such as Asia/Tokyo or Europe/Berlin",
                "Asia/Tokyo のような IANA タイムゾーン名を指定してください。",
            ));
            None
        }
    }
}

/// Creates a tenant (O1). `retention_months`: absent (`None`) gives the default of 39
/// months; `Some(None)` keeps every reading; `Some(Some(n))` keeps `n` months, 1 to 600.
pub async fn create_tenant(
    store: &Store,
    actor: &str,
    name: &str,
    timezone: Option<&str>,
    retention_months: Option<Option<i64>>,
    now: i64,
) -> AdminResult<Tenant> {
    let mut errors = Vec::new();
    let name = policy::check_tenant_name(name)
        .map_err(|e| errors.extend(e))
        .ok();
    let timezone = check_timezone(timezone, &mut errors);
    let retention = retention_months.unwrap_or(Some(DEFAULT_RETENTION_MONTHS));
    if let Some(n) = retention
        && !(1..=MAX_RETENTION_MONTHS).contains(&n)
    {
        errors.push(FieldError::new(
            "retention_months",
            "out_of_range",
            format!(
                "must be a number of months from 1 to {MAX_RETENTION_MONTHS}, or null to keep \
                 every reading"
            ),
            format!("1～{MAX_RETENTION_MONTHS}の月数を指定してください（null はすべて保持）。"),
        ));
    }
    let (Some(name), Some(timezone), true) = (name, timezone, errors.is_empty()) else {
        return Err(AdminError::invalid("the tenant was not created", errors));
    };
    let tenant = store
        .create_tenant(&name, &timezone, retention, now)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AdminError::invalid(
                "the tenant was not created",
                vec![FieldError::new(
                    "name",
                    "taken",
                    "another tenant already has this name",
                    "この名前のテナントは既に登録されています。",
                )],
            ),
            other => other.into(),
        })?;
    audit(
        store,
        Some(tenant.id),
        actor,
        "tenant_created",
        json!({"tenant_id": tenant.id, "name": tenant.name, "timezone": tenant.timezone,
               "retention_months": tenant.retention_months}),
        now,
    )
    .await;
    Ok(tenant)
}

/// S24's password rules, reported on the field `password` (the policy calls it
/// `new_password`, as on the change-password screen).
fn check_initial_password(password: &str, errors: &mut Vec<FieldError>) {
    if let Err(e) = policy::check_password(password, None, None) {
        errors.extend(e.into_iter().map(|f| FieldError {
            field: "password",
            ..f
        }));
    }
}

async fn hash(password: &str) -> AdminResult<String> {
    let password = password.to_string();
    // Argon2id is slow on purpose; keep it off the async workers.
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| AdminError::Store(StoreError::Failed(format!("password hashing: {e}"))))
}

/// The display languages (S25).
pub const LANGUAGES: [&str; 2] = ["ja", "en"];

fn username_taken() -> FieldError {
    FieldError::new(
        "username",
        "taken",
        "is already in use (user names are unique across the portal)",
        "このユーザー名は既に使用されています。",
    )
}

/// A new customer user, as the API and the command line receive it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    pub username: Option<String>,
    pub password: Option<String>,
    pub email: Option<String>,
    pub language: Option<String>,
}

/// Creates a user of the tenant (O1). Every broken rule is reported at once: user name,
/// password (S24), e-mail address, language, and a user name already taken.
pub async fn create_user(
    store: &Store,
    actor: &str,
    tenant_id: i64,
    input: UserInput,
    now: i64,
) -> AdminResult<User> {
    require_tenant(store, tenant_id).await?;
    let mut errors = Vec::new();
    let username = policy::normalize_username(input.username.as_deref().unwrap_or(""))
        .map_err(|e| errors.extend(e))
        .ok();
    let password = input.password.unwrap_or_default();
    check_initial_password(&password, &mut errors);
    let email = match input.email.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => policy::check_email(raw).map_err(|e| errors.extend(e)).ok(),
    };
    let language = match input.language.as_deref().map(str::trim) {
        None | Some("") => "ja".to_string(),
        Some(l) if LANGUAGES.contains(&l) => l.to_string(),
        Some(_) => {
            errors.push(FieldError::new(
                "language",
                "invalid_choice",
                "must be one of: ja, en",
                "次のいずれかを指定してください: ja, en",
            ));
            String::new()
        }
    };
    if let Some(name) = &username
        && store.user_by_username_any_tenant(name).await?.is_some()
    {
        errors.push(username_taken());
    }
    let Some(username) = username.filter(|_| errors.is_empty()) else {
        return Err(AdminError::invalid("the user was not created", errors));
    };
    let password_hash = hash(&password).await?;
    let user = store
        .create_user(
            tenant_id,
            &username,
            &password_hash,
            email.as_deref(),
            &language,
            now,
        )
        .await
        .map_err(|e| match e {
            // Taken between the check and the insert.
            StoreError::Conflict(_) => {
                AdminError::invalid("the user was not created", vec![username_taken()])
            }
            other => other.into(),
        })?;
    audit(
        store,
        Some(tenant_id),
        actor,
        "user_created",
        json!({"user_id": user.id, "username": user.username}),
        now,
    )
    .await;
    Ok(user)
}

/// Deletes a user; the user's read tokens are revoked with it.
pub async fn delete_user(
    store: &Store,
    actor: &str,
    tenant_id: i64,
    user_id: i64,
    now: i64,
) -> AdminResult<User> {
    require_tenant(store, tenant_id).await?;
    let user = store
        .delete_user(tenant_id, user_id, now)
        .await
        .map_err(AdminError::missing("user"))?;
    audit(
        store,
        Some(tenant_id),
        actor,
        "user_deleted",
        json!({"user_id": user.id, "username": user.username}),
        now,
    )
    .await;
    Ok(user)
}

/// Sets a new password chosen by the operator (O1). The user must change it at the next
/// login, so that only the user knows the password in use; a lockout ends with it.
pub async fn reset_password(
    store: &Store,
    actor: &str,
    tenant_id: i64,
    user_id: i64,
    password: &str,
    now: i64,
) -> AdminResult<User> {
    require_tenant(store, tenant_id).await?;
    let user = store
        .user(tenant_id, user_id)
        .await
        .map_err(AdminError::missing("user"))?;
    let mut errors = Vec::new();
    check_initial_password(password, &mut errors);
    if !errors.is_empty() {
        return Err(AdminError::invalid("the password was not changed", errors));
    }
    let password_hash = hash(password).await?;
    store
        .set_password(tenant_id, user_id, &password_hash, now, true)
        .await
        .map_err(AdminError::missing("user"))?;
    // Whoever was logged in with the old password is logged out.
    store.delete_other_sessions(user_id, None).await?;
    audit(
        store,
        Some(tenant_id),
        actor,
        "password_reset",
        json!({"user_id": user.id, "username": user.username}),
        now,
    )
    .await;
    store
        .user(tenant_id, user_id)
        .await
        .map_err(AdminError::missing("user"))
}

/// Lifts a lockout (S2).
pub async fn unlock_user(
    store: &Store,
    actor: &str,
    tenant_id: i64,
    user_id: i64,
    now: i64,
) -> AdminResult<User> {
    require_tenant(store, tenant_id).await?;
    store
        .unlock_user(tenant_id, user_id)
        .await
        .map_err(AdminError::missing("user"))?;
    let user = store
        .user(tenant_id, user_id)
        .await
        .map_err(AdminError::missing("user"))?;
    audit(
        store,
        Some(tenant_id),
        actor,
        "user_unlocked",
        json!({"user_id": user.id, "username": user.username}),
        now,
    )
    .await;
    Ok(user)
}

/// Registers a device with all its fields (O1); the serial is unique across the portal (T2).
pub async fn create_device(
    store: &Store,
    actor: &str,
    tenant_id: i64,
    input: DeviceInput,
    now: i64,
) -> AdminResult<Device> {
    require_tenant(store, tenant_id).await?;
    let new = input
        .parse()
        .map_err(|errors| AdminError::invalid("the device was not registered", errors))?;
    let device = store
        .create_device(tenant_id, &new, now)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => AdminError::invalid(
                "the device was not registered",
                vec![FieldError::new(
                    "serial",
                    "taken",
                    "a device with this serial number is already registered (serial numbers \
                     are unique across the portal)",
                    "このシリアル番号の機器は既に登録されています。",
                )],
            ),
            other => other.into(),
        })?;
    audit(
        store,
        Some(tenant_id),
        actor,
        "device_created",
        json!({"device_id": device.id, "serial": device.serial}),
        now,
    )
    .await;
    Ok(device)
}

/// Deletes a device with its readings and conditions.
pub async fn delete_device(
    store: &Store,
    actor: &str,
    tenant_id: i64,
    device_id: i64,
    now: i64,
) -> AdminResult<()> {
    require_tenant(store, tenant_id).await?;
    let device = store
        .device(tenant_id, device_id)
        .await
        .map_err(AdminError::missing("device"))?;
    store
        .delete_device(tenant_id, device_id)
        .await
        .map_err(AdminError::missing("device"))?;
    audit(
        store,
        Some(tenant_id),
        actor,
        "device_deleted",
        json!({"device_id": device.id, "serial": device.serial}),
        now,
    )
    .await;
    Ok(())
}

/// The S22 rules a group change broke, one field error each (one per device in another
/// group, so that each is named).
fn group_refusal(message: &str, e: GroupError) -> AdminError {
    match e {
        GroupError::NotFound => AdminError::NotFound("group"),
        GroupError::Store(StoreError::NotFound) => AdminError::NotFound("tenant"),
        GroupError::Store(e) => AdminError::Store(e),
        GroupError::TooMany => AdminError::invalid(
            message,
            vec![FieldError::new(
                "name",
                "too_many_groups",
                format!(
                    "a tenant may have at most {MAX_GROUPS_PER_TENANT} device groups; delete \
                     one before creating another"
                ),
                format!(
                    "グループは{MAX_GROUPS_PER_TENANT}件まで登録できます。新しく作成するには\
                     既存のグループを削除してください。"
                ),
            )],
        ),
        GroupError::Refused(problems) => {
            let mut fields = Vec::new();
            for problem in problems {
                match problem {
                    GroupProblem::NameTaken => fields.push(FieldError::new(
                        "name",
                        "taken",
                        "another group of this tenant already has this name",
                        "同じ名前のグループが既に存在します。",
                    )),
                    GroupProblem::UnknownDevices(ids) => {
                        let ids = ids
                            .iter()
                            .map(i64::to_string)
                            .collect::<Vec<_>>()
                            .join(", ");
                        fields.push(FieldError::new(
                            "device_ids",
                            "unknown_device",
                            format!("no device of this tenant has the id(s) {ids}"),
                            format!("指定された機器が見つかりません（ID: {ids}）。"),
                        ));
                    }
                    GroupProblem::DevicesInOtherGroups(devices) => {
                        fields.extend(devices.into_iter().map(|d| {
                            FieldError::new(
                                "device_ids",
                                "in_other_group",
                                format!(
                                    "device {} (serial {}) is already in the group \"{}\"; a \
                                     device can be in only one group, so remove it from that \
                                     group first",
                                    d.device_id, d.serial, d.group_name
                                ),
                                format!(
                                    "機器 {}（シリアル番号 {}）は既にグループ「{}」に所属して\
                                     います。先にそのグループから外してください。",
                                    d.device_id, d.serial, d.group_name
                                ),
                            )
                        }));
                    }
                }
            }
            AdminError::invalid(message, fields)
        }
    }
}

/// Creates a device group (S22) with devices that are in no group.
pub async fn create_group(
    store: &Store,
    actor: &str,
    tenant_id: i64,
    name: &str,
    device_ids: &[i64],
    now: i64,
) -> AdminResult<Group> {
    const REFUSED: &str = "the group was not created";
    require_tenant(store, tenant_id).await?;
    let name = policy::check_group_name(name).map_err(|e| AdminError::invalid(REFUSED, e))?;
    let group = store
        .create_group(tenant_id, &name, device_ids, now)
        .await
        .map_err(|e| group_refusal(REFUSED, e))?;
    audit(
        store,
        Some(tenant_id),
        actor,
        "group_created",
        json!({"group_id": group.id, "name": group.name, "device_ids": device_ids}),
        now,
    )
    .await;
    Ok(group)
}

/// Renames a group and/or replaces its members (S22), both or neither.
pub async fn update_group(
    store: &Store,
    actor: &str,
    tenant_id: i64,
    group_id: i64,
    name: Option<&str>,
    device_ids: Option<&[i64]>,
    now: i64,
) -> AdminResult<Group> {
    const REFUSED: &str = "the group was not changed";
    require_tenant(store, tenant_id).await?;
    if !store.group_exists(tenant_id, group_id).await? {
        return Err(AdminError::NotFound("group"));
    }
    if name.is_none() && device_ids.is_none() {
        return Err(AdminError::invalid(
            REFUSED,
            vec![FieldError::new(
                "name",
                "nothing_to_change",
                "give a new name, new device_ids, or both",
                "新しいグループ名または機器を指定してください。",
            )],
        ));
    }
    let name = name
        .map(policy::check_group_name)
        .transpose()
        .map_err(|e| AdminError::invalid(REFUSED, e))?;
    let group = store
        .update_group(tenant_id, group_id, name.as_deref(), device_ids)
        .await
        .map_err(|e| group_refusal(REFUSED, e))?;
    audit(
        store,
        Some(tenant_id),
        actor,
        "group_updated",
        json!({"group_id": group.id, "name": group.name, "device_ids": device_ids}),
        now,
    )
    .await;
    Ok(group)
}

/// Deletes groups (S22: several at once); their devices go to no group. If one id is
/// unknown, nothing is deleted.
pub async fn delete_groups(
    store: &Store,
    actor: &str,
    tenant_id: i64,
    group_ids: &[i64],
    now: i64,
) -> AdminResult<Vec<Group>> {
    require_tenant(store, tenant_id).await?;
    let deleted = store
        .delete_groups(tenant_id, group_ids)
        .await
        .map_err(|e| group_refusal("the groups were not deleted", e))?;
    for group in &deleted {
        audit(
            store,
            Some(tenant_id),
            actor,
            "group_deleted",
            json!({"group_id": group.id, "name": group.name}),
            now,
        )
        .await;
    }
    Ok(deleted)
}

/// A token issued, shown this once.
#[derive(Debug)]
pub struct IssuedToken {
    pub id: i64,
    pub kind: TokenKind,
    pub username: Option<String>,
    pub token: String,
}

/// Issues an ingest token for the tenant's devices and collectors.
pub async fn issue_ingest_token(
    store: &Store,
    actor: &str,
    tenant_id: i64,
    now: i64,
) -> AdminResult<IssuedToken> {
    require_tenant(store, tenant_id).await?;
    let (id, token) = store
        .issue_token(tenant_id, TokenKind::Ingest, None, now)
        .await?;
    audit(
        store,
        Some(tenant_id),
        actor,
        "token_issued",
        json!({"token_id": id, "kind": "ingest"}),
        now,
    )
    .await;
    Ok(IssuedToken {
        id,
        kind: TokenKind::Ingest,
        username: None,
        token,
    })
}

/// Issues a read token acting as a user of this tenant (B2). A user name of another tenant
/// is refused exactly like an unknown one.
pub async fn issue_read_token(
    store: &Store,
    actor: &str,
    tenant_id: i64,
    username: &str,
    now: i64,
) -> AdminResult<IssuedToken> {
    require_tenant(store, tenant_id).await?;
    let unknown = || {
        AdminError::invalid(
            "no token was issued",
            vec![FieldError::new(
                "username",
                "unknown_user",
                "no user of this tenant has this name",
                "このテナントに該当するユーザーがいません。",
            )],
        )
    };
    let name = policy::normalize_username(username).map_err(|_| unknown())?;
    let user = store
        .user_by_username_any_tenant(&name)
        .await?
        .filter(|u| u.tenant_id == tenant_id)
        .ok_or_else(unknown)?;
    let (id, token) = store
        .issue_token(tenant_id, TokenKind::Read, Some(user.id), now)
        .await?;
    audit(
        store,
        Some(tenant_id),
        actor,
        "token_issued",
        json!({"token_id": id, "kind": "read", "user_id": user.id, "username": user.username}),
        now,
    )
    .await;
    Ok(IssuedToken {
        id,
        kind: TokenKind::Read,
        username: Some(user.username),
        token,
    })
}

/// Revokes a token at once; an already revoked token is not found.
pub async fn revoke_token(
    store: &Store,
    actor: &str,
    tenant_id: i64,
    token_id: i64,
    now: i64,
) -> AdminResult<()> {
    require_tenant(store, tenant_id).await?;
    store
        .revoke_token(tenant_id, token_id, now)
        .await
        .map_err(AdminError::missing("active token"))?;
    audit(
        store,
        Some(tenant_id),
        actor,
        "token_revoked",
        json!({"token_id": token_id}),
        now,
    )
    .await;
    Ok(())
}

// =============================================================================================
// JSON shapes, shared with `meterport admin --json`
// =============================================================================================

/// RFC 3339 in UTC, or null.
pub fn iso(ms: Option<i64>) -> Value {
    ms.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map(|t| Value::String(t.to_string()))
        .unwrap_or(Value::Null)
}

pub fn tenant_json(t: &Tenant) -> Value {
    json!({"id": t.id, "name": t.name, "timezone": t.timezone,
           "retention_months": t.retention_months})
}

/// A user, without the password hash.
pub fn user_json(u: &User) -> Value {
    json!({
        "id": u.id, "username": u.username, "email": u.email, "language": u.language,
        "must_change_password": u.must_change_password,
        "password_changed_at": iso(Some(u.password_changed_at)),
        "failed_logins": u.failed_logins, "locked_until": iso(u.locked_until),
        "last_login_at": iso(u.last_login_at), "created_at": iso(Some(u.created_at)),
    })
}

/// A device with the field names of the read API's device detail (§7).
pub fn device_json(d: &Device) -> Value {
    json!({
        "id": d.id, "serial": d.serial, "name": d.name, "product": d.product,
        "device_type": d.device_type, "protocol": d.protocol, "status": d.status.as_str(),
        "mac": d.mac, "host": d.host, "building": d.building, "location": d.location,
        "remote_ui_url": d.remote_ui_url, "lfp_unit": d.lfp_unit,
        "group": d.group.as_ref().map(|(id, name)| json!({"id": id, "name": name})),
        "toner_admin": d.toner_admin.as_ref()
            .map(|(id, name, email)| json!({"id": id, "name": name, "email": email})),
        "last_reading_at": iso(d.last_reading_at),
    })
}

pub fn group_json(g: &Group) -> Value {
    json!({"id": g.id, "name": g.name, "device_count": g.device_count})
}

/// A token as listed: never the token itself, which only its issuer saw.
pub fn token_json(t: &TokenInfo) -> Value {
    json!({"id": t.id, "kind": t.kind, "username": t.username,
           "created_at": iso(Some(t.created_at)), "revoked_at": iso(t.revoked_at)})
}

pub fn issued_token_json(t: &IssuedToken) -> Value {
    let kind = match t.kind {
        TokenKind::Ingest => "ingest",
        TokenKind::Read => "read",
    };
    json!({"id": t.id, "kind": kind, "username": t.username, "token": t.token})
}

pub fn unknown_serial_json(s: &UnknownSerial) -> Value {
    json!({"serial": s.serial, "first_seen": iso(Some(s.first_seen)),
           "last_seen": iso(Some(s.last_seen)), "attempts": s.attempts})
}

pub fn audit_json(e: &AuditEntry) -> Value {
    // The detail is stored as JSON text; show it as the object it is.
    let detail = serde_json::from_str(&e.detail).unwrap_or_else(|_| Value::from(&*e.detail));
    json!({"id": e.id, "at": iso(Some(e.at)), "tenant_id": e.tenant_id, "actor": e.actor,
           "action": e.action, "detail": detail})
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
    Ok(require_tenant(&state.store, path_id(raw)?).await?)
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
            format!("{} is given more than once", dup.path),
        )
        .with_details(vec![json!({
            "field": dup.path,
            "code": "duplicate_key",
            "message": meterport_domain::json::DUPLICATE_MESSAGE,
        })]));
    }
    serde_json::from_slice(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ApiError::invalid(
            "the request body does not have the expected fields",
            &[FieldError::new(
                "body",
                "invalid_json",
                e.to_string(),
                "リクエストの内容が正しくありません。",
            )],
        ),
        _ => ApiError::bad_request(format!("the body is not valid JSON: {e}")),
    })
}

type Created = (StatusCode, Json<Value>);

fn created(v: Value) -> Created {
    (StatusCode::CREATED, Json(v))
}

async fn list_tenants(_: Operator, State(state): State<AppState>) -> ApiResult<Json<Value>> {
    let tenants = state.store.list_tenants_all().await?;
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

async fn post_tenant(
    _: Operator,
    State(state): State<AppState>,
    bytes: Bytes,
) -> ApiResult<Created> {
    let b: TenantBody = body(&bytes)?;
    let tenant = create_tenant(
        &state.store,
        API_ACTOR,
        b.name.as_deref().unwrap_or(""),
        b.timezone.as_deref(),
        b.retention_months,
        state.now_ms(),
    )
    .await?;
    Ok(created(tenant_json(&tenant)))
}

async fn get_tenant(
    _: Operator,
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
) -> ApiResult<Json<Value>> {
    Ok(Json(tenant_json(&tenant_of(&state, &tenant_id).await?)))
}

async fn list_users(
    _: Operator,
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let users = state.store.list_users(tenant.id).await?;
    Ok(Json(
        json!({"users": users.iter().map(user_json).collect::<Vec<_>>()}),
    ))
}

async fn post_user(
    _: Operator,
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
    bytes: Bytes,
) -> ApiResult<Created> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let input: UserInput = body(&bytes)?;
    let user = create_user(&state.store, API_ACTOR, tenant.id, input, state.now_ms()).await?;
    Ok(created(user_json(&user)))
}

async fn get_user(
    _: Operator,
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let user = state
        .store
        .user(tenant.id, path_id(&id)?)
        .await
        .map_err(AdminError::missing("user"))?;
    Ok(Json(user_json(&user)))
}

async fn del_user(
    _: Operator,
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    delete_user(
        &state.store,
        API_ACTOR,
        tenant.id,
        path_id(&id)?,
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

async fn post_reset(
    _: Operator,
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
    bytes: Bytes,
) -> ApiResult<Json<Value>> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let id = path_id(&id)?;
    let b: PasswordBody = body(&bytes)?;
    let user = reset_password(
        &state.store,
        API_ACTOR,
        tenant.id,
        id,
        b.password.as_deref().unwrap_or(""),
        state.now_ms(),
    )
    .await?;
    Ok(Json(user_json(&user)))
}

async fn post_unlock(
    _: Operator,
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let user = unlock_user(
        &state.store,
        API_ACTOR,
        tenant.id,
        path_id(&id)?,
        state.now_ms(),
    )
    .await?;
    Ok(Json(user_json(&user)))
}

async fn list_devices(
    _: Operator,
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let devices = state
        .store
        .list_devices(tenant.id, GroupFilter::All)
        .await?;
    Ok(Json(
        json!({"devices": devices.iter().map(device_json).collect::<Vec<_>>()}),
    ))
}

async fn post_device(
    _: Operator,
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
    bytes: Bytes,
) -> ApiResult<Created> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let input: DeviceInput = body(&bytes)?;
    let device = create_device(&state.store, API_ACTOR, tenant.id, input, state.now_ms()).await?;
    Ok(created(device_json(&device)))
}

async fn get_device(
    _: Operator,
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let device = state
        .store
        .device(tenant.id, path_id(&id)?)
        .await
        .map_err(AdminError::missing("device"))?;
    Ok(Json(device_json(&device)))
}

async fn del_device(
    _: Operator,
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    delete_device(
        &state.store,
        API_ACTOR,
        tenant.id,
        path_id(&id)?,
        state.now_ms(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_groups(
    _: Operator,
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let groups = state.store.list_groups(tenant.id).await?;
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

async fn post_group(
    _: Operator,
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
    bytes: Bytes,
) -> ApiResult<Created> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let b: GroupBody = body(&bytes)?;
    let group = create_group(
        &state.store,
        API_ACTOR,
        tenant.id,
        b.name.as_deref().unwrap_or(""),
        b.device_ids.as_deref().unwrap_or(&[]),
        state.now_ms(),
    )
    .await?;
    Ok(created(group_json(&group)))
}

async fn patch_group(
    _: Operator,
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
    bytes: Bytes,
) -> ApiResult<Json<Value>> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let id = path_id(&id)?;
    let b: GroupBody = body(&bytes)?;
    let group = update_group(
        &state.store,
        API_ACTOR,
        tenant.id,
        id,
        b.name.as_deref(),
        b.device_ids.as_deref(),
        state.now_ms(),
    )
    .await?;
    Ok(Json(group_json(&group)))
}

async fn del_group(
    _: Operator,
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    delete_groups(
        &state.store,
        API_ACTOR,
        tenant.id,
        &[path_id(&id)?],
        state.now_ms(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn post_ingest_token(
    _: Operator,
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
) -> ApiResult<Created> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let issued = issue_ingest_token(&state.store, API_ACTOR, tenant.id, state.now_ms()).await?;
    Ok(created(issued_token_json(&issued)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiTokenBody {
    username: Option<String>,
}

async fn post_api_token(
    _: Operator,
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
    bytes: Bytes,
) -> ApiResult<Created> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let b: ApiTokenBody = body(&bytes)?;
    let issued = issue_read_token(
        &state.store,
        API_ACTOR,
        tenant.id,
        b.username.as_deref().unwrap_or(""),
        state.now_ms(),
    )
    .await?;
    Ok(created(issued_token_json(&issued)))
}

async fn list_tokens(
    _: Operator,
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
) -> ApiResult<Json<Value>> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let tokens = state.store.list_tokens(tenant.id).await?;
    Ok(Json(
        json!({"tokens": tokens.iter().map(token_json).collect::<Vec<_>>()}),
    ))
}

async fn del_token(
    _: Operator,
    State(state): State<AppState>,
    Path((tenant_id, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    revoke_token(
        &state.store,
        API_ACTOR,
        tenant.id,
        path_id(&id)?,
        state.now_ms(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct PageQuery {
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
                    ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "validation_failed",
                        format!("{field} must be a whole number from 1 to {max}"),
                    )
                    .with_details(vec![json!({"field": field, "code": "out_of_range",
                        "message": format!("must be a whole number from 1 to {max}")})])
                }),
        };
    let page = number("page", &q.page, 1, 1_000_000)?;
    let per_page = number("per_page", &q.per_page, 100, Page::MAX_PER_PAGE)?;
    Ok(Page::new(page, per_page).expect("checked above"))
}

async fn unknown_serials(
    _: Operator,
    State(state): State<AppState>,
    Path(tenant_id): Path<String>,
    Query(q): Query<PageQuery>,
) -> ApiResult<Json<Value>> {
    let tenant = tenant_of(&state, &tenant_id).await?;
    let page = page_of(&q)?;
    let list = state.store.unknown_serials(tenant.id, page).await?;
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
        let e = AdminError::invalid(
            "the user was not created",
            vec![FieldError::new(
                "username",
                "taken",
                "is already in use",
                "",
            )],
        );

        assert_eq!(
            e.to_string(),
            "the user was not created\n  username: is already in use"
        );
    }
}
