//! The operator's use cases (O1): tenants, users, devices and tokens, shared by the operator
//! API and `meterport admin`. Each validates its input with the domain's policies, calls the
//! store and records the audit entry.

use meterport_domain::device::DeviceInput;
use meterport_domain::ids::{DeviceId, TenantId, UserId};
use meterport_domain::policy::{self, FieldError, Problem};
use meterport_store::devices::Device;
use meterport_store::tenants::{DEFAULT_RETENTION_MONTHS, Tenant};
use meterport_store::tokens::{TokenInfo, TokenKind};
use meterport_store::users::{User, hash_password};
use meterport_store::{Store, StoreError};
use serde::Deserialize;
use serde_json::json;

use super::Missing;
use super::Services;
use super::audit::{self, AuditAction};
use super::{Refused, ServiceError, ServiceResult};

/// The longest data retention an operator may set: 50 years.
pub const MAX_RETENTION_MONTHS: i64 = 600;

/// The tenant, or [`ServiceError::NotFound`].
pub async fn require_tenant(svc: &Services, tenant_id: TenantId) -> ServiceResult<Tenant> {
    let store = svc.store();
    let tenant_id = tenant_id.get();
    store
        .tenant(tenant_id)
        .await
        .map_err(ServiceError::missing(Missing::Tenant))
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
            errors.push(FieldError::new("timezone", Problem::InvalidTimezone));
            None
        }
    }
}

/// Creates a tenant (O1). `retention_months`: absent (`None`) gives the default of 39
/// months; `Some(None)` keeps every reading; `Some(Some(n))` keeps `n` months, 1 to 600.
pub async fn create_tenant(
    svc: &Services,
    actor: &str,
    name: &str,
    timezone: Option<&str>,
    retention_months: Option<Option<i64>>,
    now: i64,
) -> ServiceResult<Tenant> {
    let store = svc.store();
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
            Problem::RetentionOutOfRange {
                max: MAX_RETENTION_MONTHS,
            },
        ));
    }
    let (Some(name), Some(timezone), true) = (name, timezone, errors.is_empty()) else {
        return Err(ServiceError::invalid(Refused::TenantNotCreated, errors));
    };
    let mut change = store.change().await?;
    let tenant = change
        .create_tenant(&name, &timezone, retention, now)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => ServiceError::invalid(
                Refused::TenantNotCreated,
                vec![FieldError::new("name", Problem::TenantNameTaken)],
            ),
            other => other.into(),
        })?;
    audit::record(
        &mut change,
        Some(tenant.id),
        actor,
        AuditAction::TenantCreated,
        &json!({"tenant_id": tenant.id, "name": tenant.name, "timezone": tenant.timezone,
               "retention_months": tenant.retention_months})
        .to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    Ok(tenant)
}

/// Changes how a tenant's notifications are timed; what is not given stays. Hold-down
/// 0 to 1,440 minutes, digest hour 0 to 23, "not reporting" after 1 to 8,760 hours.
pub async fn set_notify_settings(
    svc: &Services,
    actor: &str,
    tenant_id: TenantId,
    holddown_minutes: Option<i64>,
    toner_digest_hour: Option<i64>,
    late_after_hours: Option<i64>,
    now: i64,
) -> ServiceResult<Tenant> {
    let store = svc.store();
    let tenant = require_tenant(svc, tenant_id).await?;
    let mut notify = tenant.notify;
    let mut errors = Vec::new();
    for (field, value, min, max, slot) in [
        (
            "holddown_minutes",
            holddown_minutes,
            0,
            1_440,
            &mut notify.holddown_minutes,
        ),
        (
            "toner_digest_hour",
            toner_digest_hour,
            0,
            23,
            &mut notify.toner_digest_hour,
        ),
        (
            "late_after_hours",
            late_after_hours,
            1,
            8_760,
            &mut notify.late_after_hours,
        ),
    ] {
        match value {
            Some(v) if (min..=max).contains(&v) => *slot = v,
            Some(_) => errors.push(FieldError::new(field, Problem::OutOfRange { min, max })),
            None => {}
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::invalid(Refused::TenantNotChanged, errors));
    }
    let mut change = store.change().await?;
    change.set_notify_settings(tenant.id, notify).await?;
    audit::record(
        &mut change,
        Some(tenant.id),
        actor,
        AuditAction::NotifySettingsChanged,
        &json!({"holddown_minutes": notify.holddown_minutes,
               "toner_digest_hour": notify.toner_digest_hour,
               "late_after_hours": notify.late_after_hours})
        .to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    Ok(Tenant { notify, ..tenant })
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

async fn hash(password: &str) -> ServiceResult<String> {
    let password = password.to_string();
    // Argon2id is slow on purpose; keep it off the async workers.
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ServiceError::Store(StoreError::Failed(format!("password hashing: {e}"))))
}

/// The display languages (S25).
pub const LANGUAGES: [&str; 2] = ["ja", "en"];

fn username_taken() -> FieldError {
    FieldError::new("username", Problem::UsernameTaken)
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
    svc: &Services,
    actor: &str,
    tenant_id: TenantId,
    input: UserInput,
    now: i64,
) -> ServiceResult<User> {
    let store = svc.store();
    require_tenant(svc, tenant_id).await?;
    let tenant_id = tenant_id.get();
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
            errors.push(policy::invalid_choice("language", &LANGUAGES));
            String::new()
        }
    };
    if let Some(name) = &username
        && store.user_by_username_any_tenant(name).await?.is_some()
    {
        errors.push(username_taken());
    }
    let Some(username) = username.filter(|_| errors.is_empty()) else {
        return Err(ServiceError::invalid(Refused::UserNotCreated, errors));
    };
    let password_hash = hash(&password).await?;
    let mut change = store.change().await?;
    let user = change
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
                ServiceError::invalid(Refused::UserNotCreated, vec![username_taken()])
            }
            other => other.into(),
        })?;
    audit::record(
        &mut change,
        Some(tenant_id),
        actor,
        AuditAction::UserCreated,
        &json!({"user_id": user.id, "username": user.username}).to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    Ok(user)
}

/// Deletes a user; the user's read tokens are revoked with it.
pub async fn delete_user(
    svc: &Services,
    actor: &str,
    tenant_id: TenantId,
    user_id: UserId,
    now: i64,
) -> ServiceResult<User> {
    let store = svc.store();
    require_tenant(svc, tenant_id).await?;
    let tenant_id = tenant_id.get();
    let user_id = user_id.get();
    let mut change = store.change().await?;
    let user = change
        .delete_user(tenant_id, user_id, now)
        .await
        .map_err(ServiceError::missing(Missing::User))?;
    audit::record(
        &mut change,
        Some(tenant_id),
        actor,
        AuditAction::UserDeleted,
        &json!({"user_id": user.id, "username": user.username}).to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    Ok(user)
}

/// Sets a new password chosen by the operator (O1). The user must change it at the next
/// login, so that only the user knows the password in use; a lockout ends with it.
pub async fn reset_password(
    svc: &Services,
    actor: &str,
    tenant_id: TenantId,
    user_id: UserId,
    password: &str,
    now: i64,
) -> ServiceResult<User> {
    let store = svc.store();
    require_tenant(svc, tenant_id).await?;
    let tenant_id = tenant_id.get();
    let user_id = user_id.get();
    let user = tenant_user(store, tenant_id, user_id).await?;
    let mut errors = Vec::new();
    check_initial_password(password, &mut errors);
    if !errors.is_empty() {
        return Err(ServiceError::invalid(Refused::PasswordNotChanged, errors));
    }
    let password_hash = hash(password).await?;
    let mut change = store.change().await?;
    change
        .set_password(tenant_id, user_id, &password_hash, now, true)
        .await
        .map_err(ServiceError::missing(Missing::User))?;
    // Whoever was logged in with the old password is logged out.
    change.delete_other_sessions(user_id, None).await?;
    audit::record(
        &mut change,
        Some(tenant_id),
        actor,
        AuditAction::PasswordReset,
        &json!({"user_id": user.id, "username": user.username}).to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    tenant_user(store, tenant_id, user_id).await
}

/// A user of the tenant as stored now, or not found.
async fn tenant_user(store: &Store, tenant_id: i64, user_id: i64) -> ServiceResult<User> {
    store
        .user(tenant_id, user_id)
        .await
        .map_err(ServiceError::missing(Missing::User))
}

/// Lifts a lockout (S2).
pub async fn unlock_user(
    svc: &Services,
    actor: &str,
    tenant_id: TenantId,
    user_id: UserId,
    now: i64,
) -> ServiceResult<User> {
    let store = svc.store();
    require_tenant(svc, tenant_id).await?;
    let tenant_id = tenant_id.get();
    let user_id = user_id.get();
    let user = tenant_user(store, tenant_id, user_id).await?;
    let mut change = store.change().await?;
    change
        .unlock_user(tenant_id, user_id)
        .await
        .map_err(ServiceError::missing(Missing::User))?;
    audit::record(
        &mut change,
        Some(tenant_id),
        actor,
        AuditAction::UserUnlocked,
        &json!({"user_id": user.id, "username": user.username}).to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    tenant_user(store, tenant_id, user_id).await
}

/// Registers a device with all its fields (O1); the serial is unique across the portal (T2).
pub async fn create_device(
    svc: &Services,
    actor: &str,
    tenant_id: TenantId,
    input: DeviceInput,
    now: i64,
) -> ServiceResult<Device> {
    let store = svc.store();
    require_tenant(svc, tenant_id).await?;
    let tenant_id = tenant_id.get();
    let new = input
        .parse()
        .map_err(|errors| ServiceError::invalid(Refused::DeviceNotRegistered, errors))?;
    let mut change = store.change().await?;
    let device = change
        .create_device(tenant_id, &new, now)
        .await
        .map_err(|e| match e {
            StoreError::Conflict(_) => ServiceError::invalid(
                Refused::DeviceNotRegistered,
                vec![FieldError::new("serial", Problem::SerialTaken)],
            ),
            other => other.into(),
        })?;
    audit::record(
        &mut change,
        Some(tenant_id),
        actor,
        AuditAction::DeviceCreated,
        &json!({"device_id": device.id, "serial": device.serial}).to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    Ok(device)
}

/// Deletes a device with its readings and conditions.
pub async fn delete_device(
    svc: &Services,
    actor: &str,
    tenant_id: TenantId,
    device_id: DeviceId,
    now: i64,
) -> ServiceResult<()> {
    let store = svc.store();
    require_tenant(svc, tenant_id).await?;
    let tenant_id = tenant_id.get();
    let device_id = device_id.get();
    let device = store
        .device(tenant_id, device_id)
        .await
        .map_err(ServiceError::missing(Missing::Device))?;
    let mut change = store.change().await?;
    change
        .delete_device(tenant_id, device_id)
        .await
        .map_err(ServiceError::missing(Missing::Device))?;
    audit::record(
        &mut change,
        Some(tenant_id),
        actor,
        AuditAction::DeviceDeleted,
        &json!({"device_id": device.id, "serial": device.serial}).to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    Ok(())
}

/// Sets a device's own "not reporting" threshold in hours (`Some`), for a device known to
/// report less often than its tenant's threshold, or goes back to the tenant's (`None`):
/// 1 to 8,760 hours, as for the tenant (`meterport_domain::reporting`).
pub async fn set_device_late_after_hours(
    svc: &Services,
    actor: &str,
    tenant_id: TenantId,
    device_id: DeviceId,
    hours: Option<i64>,
    now: i64,
) -> ServiceResult<Device> {
    let store = svc.store();
    use meterport_domain::reporting::{
        LATE_AFTER_HOURS_MAX, LATE_AFTER_HOURS_MIN, is_valid_late_after_hours,
    };
    require_tenant(svc, tenant_id).await?;
    let (tenant_id, device_id) = (tenant_id.get(), device_id.get());
    if hours.is_some_and(|h| !is_valid_late_after_hours(h)) {
        return Err(ServiceError::invalid(
            Refused::DeviceNotChanged,
            vec![FieldError::new(
                "late_after_hours",
                Problem::OutOfRange {
                    min: LATE_AFTER_HOURS_MIN,
                    max: LATE_AFTER_HOURS_MAX,
                },
            )],
        ));
    }
    let mut change = store.change().await?;
    change
        .set_device_late_after_hours(tenant_id, device_id, hours)
        .await
        .map_err(ServiceError::missing(Missing::Device))?;
    audit::record(
        &mut change,
        Some(tenant_id),
        actor,
        AuditAction::DeviceReportingChanged,
        &json!({"device_id": device_id, "late_after_hours": hours}).to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    device(svc, TenantId(tenant_id), DeviceId(device_id)).await
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
    svc: &Services,
    actor: &str,
    tenant_id: TenantId,
    now: i64,
) -> ServiceResult<IssuedToken> {
    let store = svc.store();
    require_tenant(svc, tenant_id).await?;
    let tenant_id = tenant_id.get();
    let mut change = store.change().await?;
    let (id, token) = change
        .issue_token(tenant_id, TokenKind::Ingest, None, now)
        .await?;
    audit::record(
        &mut change,
        Some(tenant_id),
        actor,
        AuditAction::TokenIssued,
        &json!({"token_id": id, "kind": "ingest"}).to_string(),
        now,
    )
    .await?;
    change.commit().await?;
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
    svc: &Services,
    actor: &str,
    tenant_id: TenantId,
    username: &str,
    now: i64,
) -> ServiceResult<IssuedToken> {
    let store = svc.store();
    require_tenant(svc, tenant_id).await?;
    let tenant_id = tenant_id.get();
    let unknown = || {
        ServiceError::invalid(
            Refused::NoTokenIssued,
            vec![FieldError::new("username", Problem::UnknownUser)],
        )
    };
    let name = policy::normalize_username(username).map_err(|_| unknown())?;
    let user = store
        .user_by_username_any_tenant(&name)
        .await?
        .filter(|u| u.tenant_id == tenant_id)
        .ok_or_else(unknown)?;
    let mut change = store.change().await?;
    let (id, token) = change
        .issue_token(tenant_id, TokenKind::Read, Some(user.id), now)
        .await?;
    audit::record(
        &mut change,
        Some(tenant_id),
        actor,
        AuditAction::TokenIssued,
        &json!({"token_id": id, "kind": "read", "user_id": user.id, "username": user.username})
            .to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    Ok(IssuedToken {
        id,
        kind: TokenKind::Read,
        username: Some(user.username),
        token,
    })
}

/// Revokes a token at once; an already revoked token is not found.
pub async fn revoke_token(
    svc: &Services,
    actor: &str,
    tenant_id: TenantId,
    token_id: i64,
    now: i64,
) -> ServiceResult<()> {
    let store = svc.store();
    require_tenant(svc, tenant_id).await?;
    let tenant_id = tenant_id.get();
    let mut change = store.change().await?;
    change
        .revoke_token(tenant_id, token_id, now)
        .await
        .map_err(ServiceError::missing(Missing::ActiveToken))?;
    audit::record(
        &mut change,
        Some(tenant_id),
        actor,
        AuditAction::TokenRevoked,
        &json!({"token_id": token_id}).to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    Ok(())
}

// ---- What the operator reads --------------------------------------------------------------

/// Every tenant of the portal (the operator's view, across tenants by design).
pub async fn list_tenants(svc: &Services) -> ServiceResult<Vec<Tenant>> {
    let store = svc.store();
    Ok(store.list_tenants_all().await?)
}

pub async fn list_users(svc: &Services, tenant_id: TenantId) -> ServiceResult<Vec<User>> {
    let store = svc.store();
    let tenant_id = tenant_id.get();
    Ok(store.list_users(tenant_id).await?)
}

/// A user of the tenant, or not found.
pub async fn user(svc: &Services, tenant_id: TenantId, user_id: UserId) -> ServiceResult<User> {
    let store = svc.store();
    tenant_user(store, tenant_id.get(), user_id.get()).await
}

pub async fn list_devices(svc: &Services, tenant_id: TenantId) -> ServiceResult<Vec<Device>> {
    let store = svc.store();
    let tenant_id = tenant_id.get();
    Ok(store
        .list_devices(tenant_id, meterport_store::counters::GroupFilter::All)
        .await?)
}

/// A device of the tenant, or not found.
pub async fn device(
    svc: &Services,
    tenant_id: TenantId,
    device_id: DeviceId,
) -> ServiceResult<Device> {
    let store = svc.store();
    let tenant_id = tenant_id.get();
    let device_id = device_id.get();
    store
        .device(tenant_id, device_id)
        .await
        .map_err(ServiceError::missing(Missing::Device))
}

pub async fn list_tokens(svc: &Services, tenant_id: TenantId) -> ServiceResult<Vec<TokenInfo>> {
    let store = svc.store();
    let tenant_id = tenant_id.get();
    Ok(store.list_tokens(tenant_id).await?)
}

/// One page of the serials that tried to report to the tenant unregistered (I5).
pub async fn unknown_serials(
    svc: &Services,
    tenant_id: TenantId,
    page: meterport_store::devices::Page,
) -> ServiceResult<meterport_store::devices::UnknownSerials> {
    let store = svc.store();
    let tenant_id = tenant_id.get();
    Ok(store.unknown_serials(tenant_id, page).await?)
}
