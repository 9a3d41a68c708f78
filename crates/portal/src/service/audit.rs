//! The audit log's entries, named once (SPEC Q4): every use case that records what it did
//! goes through [`record`] with an [`AuditAction`], so the same action leaves the same entry
//! whether it came from a screen, the operator API or `meterport admin`.

use meterport_store::{Change, NewAuditEntry, Store, StoreError};

use crate::service::Services;

/// What happened. The stored name is [`AuditAction::as_str`]; it never changes once written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditAction {
    TenantCreated,
    UserCreated,
    UserDeleted,
    /// The operator set a new password that the user must change.
    PasswordReset,
    UserUnlocked,
    DeviceCreated,
    DeviceDeleted,
    GroupCreated,
    GroupUpdated,
    GroupDeleted,
    TokenIssued,
    TokenRevoked,
    AnnouncementCreated,
    AnnouncementDeleted,
    Login,
    Logout,
    LoginFailed,
    LoginRefusedLocked,
    AccountLocked,
    PasswordChanged,
    PasswordResetRequested,
    PasswordResetByLink,
    ProfileChanged,
    EmailChangeRequested,
    EmailChanged,
    DeviceSettingsChanged,
    PaperSizesChanged,
    /// The operator changed how a tenant's notifications are timed.
    NotifySettingsChanged,
    WebhookCreated,
    WebhookRevoked,
    /// The operator set or removed a device's own "not reporting" threshold.
    DeviceReportingChanged,
}

impl AuditAction {
    pub const ALL: [AuditAction; 31] = [
        AuditAction::TenantCreated,
        AuditAction::UserCreated,
        AuditAction::UserDeleted,
        AuditAction::PasswordReset,
        AuditAction::UserUnlocked,
        AuditAction::DeviceCreated,
        AuditAction::DeviceDeleted,
        AuditAction::GroupCreated,
        AuditAction::GroupUpdated,
        AuditAction::GroupDeleted,
        AuditAction::TokenIssued,
        AuditAction::TokenRevoked,
        AuditAction::AnnouncementCreated,
        AuditAction::AnnouncementDeleted,
        AuditAction::Login,
        AuditAction::Logout,
        AuditAction::LoginFailed,
        AuditAction::LoginRefusedLocked,
        AuditAction::AccountLocked,
        AuditAction::PasswordChanged,
        AuditAction::PasswordResetRequested,
        AuditAction::PasswordResetByLink,
        AuditAction::ProfileChanged,
        AuditAction::EmailChangeRequested,
        AuditAction::EmailChanged,
        AuditAction::DeviceSettingsChanged,
        AuditAction::PaperSizesChanged,
        AuditAction::NotifySettingsChanged,
        AuditAction::WebhookCreated,
        AuditAction::WebhookRevoked,
        AuditAction::DeviceReportingChanged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::TenantCreated => "tenant_created",
            AuditAction::UserCreated => "user_created",
            AuditAction::UserDeleted => "user_deleted",
            AuditAction::PasswordReset => "password_reset",
            AuditAction::UserUnlocked => "user_unlocked",
            AuditAction::DeviceCreated => "device_created",
            AuditAction::DeviceDeleted => "device_deleted",
            AuditAction::GroupCreated => "group_created",
            AuditAction::GroupUpdated => "group_updated",
            AuditAction::GroupDeleted => "group_deleted",
            AuditAction::TokenIssued => "token_issued",
            AuditAction::TokenRevoked => "token_revoked",
            AuditAction::AnnouncementCreated => "announcement_created",
            AuditAction::AnnouncementDeleted => "announcement_deleted",
            AuditAction::Login => "login",
            AuditAction::Logout => "logout",
            AuditAction::LoginFailed => "login_failed",
            AuditAction::LoginRefusedLocked => "login_refused_locked",
            AuditAction::AccountLocked => "account_locked",
            AuditAction::PasswordChanged => "password_changed",
            AuditAction::PasswordResetRequested => "password_reset_requested",
            AuditAction::PasswordResetByLink => "password_reset_by_link",
            AuditAction::ProfileChanged => "profile_changed",
            AuditAction::EmailChangeRequested => "email_change_requested",
            AuditAction::EmailChanged => "email_changed",
            AuditAction::DeviceSettingsChanged => "device_settings_changed",
            AuditAction::PaperSizesChanged => "paper_sizes_changed",
            AuditAction::NotifySettingsChanged => "notify_settings_changed",
            AuditAction::WebhookCreated => "webhook_created",
            AuditAction::WebhookRevoked => "webhook_revoked",
            AuditAction::DeviceReportingChanged => "device_reporting_changed",
        }
    }
}

/// Writes the entry of an action into the change that performs it: both are committed
/// together, or neither (`detail` is a JSON object's text or, for logins, a short note).
pub async fn record(
    change: &mut Change<'_>,
    tenant_id: Option<i64>,
    actor: &str,
    action: AuditAction,
    detail: &str,
    now: i64,
) -> Result<(), StoreError> {
    change
        .audit(&entry(tenant_id, actor, action, detail, now))
        .await
}

/// Records an event that changes nothing else (a refused login, a reset asked for an
/// unknown name): the entry is the whole change.
pub(in crate::service) async fn record_alone(
    store: &Store,
    tenant_id: Option<i64>,
    actor: &str,
    action: AuditAction,
    detail: &str,
    now: i64,
) -> Result<(), StoreError> {
    let mut change = store.change().await?;
    record(&mut change, tenant_id, actor, action, detail, now).await?;
    change.commit().await
}

fn entry(
    tenant_id: Option<i64>,
    actor: &str,
    action: AuditAction,
    detail: &str,
    now: i64,
) -> NewAuditEntry {
    NewAuditEntry {
        tenant_id,
        actor: actor.to_string(),
        action: action.as_str(),
        detail: detail.to_string(),
        at: now,
    }
}

/// The newest `limit` entries, newest first, of one tenant or (with `None`) of the whole
/// portal, which only the operator may see; with `since`, only entries at or after it.
pub async fn list(
    svc: &Services,
    tenant_id: Option<i64>,
    since: Option<i64>,
    limit: i64,
) -> Result<Vec<meterport_store::audit::AuditEntry>, meterport_store::StoreError> {
    let store = svc.store();
    store.list_audit(tenant_id, since, limit).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_its_own_name() {
        let names: std::collections::BTreeSet<&str> =
            AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        assert_eq!(names.len(), AuditAction::ALL.len());
    }
}
