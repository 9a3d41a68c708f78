//! The tenant's and the user's settings screens' use cases: the paper sizes listed in the
//! paper-size tab (S21) and a user's e-mail notification choices (S23).

use meterport_domain::counters::Key;
use meterport_domain::ids::{TenantId, UserId};
use meterport_store::StoreError;
use meterport_store::notifications::{NotificationError, NotificationSettings};
use serde_json::json;

use super::Services;
use super::audit::{self, AuditAction};

/// Why a paper-size choice was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaperSizesRefusal {
    /// A size that is not one of the offered ones.
    Unknown,
    /// None chosen: the tab would show Total 1 only.
    None,
}

/// The chosen sizes in the setting's order (C1), whatever order the form sent, or why
/// they are refused.
pub fn check_paper_sizes(chosen: &[&str]) -> Result<Vec<&'static str>, PaperSizesRefusal> {
    let sizes: Vec<&'static str> = Key::paper_sizes()
        .iter()
        .filter_map(|k| k.paper_size())
        .filter(|s| chosen.contains(s))
        .collect();
    if chosen.iter().any(|c| !sizes.contains(c)) {
        Err(PaperSizesRefusal::Unknown)
    } else if sizes.is_empty() {
        Err(PaperSizesRefusal::None)
    } else {
        Ok(sizes)
    }
}

/// Stores the tenant's paper sizes (already checked) and records who changed them.
pub async fn set_paper_sizes(
    svc: &Services,
    tenant_id: TenantId,
    actor: &str,
    sizes: &[&'static str],
    now: i64,
) -> Result<(), StoreError> {
    let store = svc.store();
    let tenant_id = tenant_id.get();
    let mut change = store.change().await?;
    change.set_paper_sizes(tenant_id, sizes).await?;
    audit::record(
        &mut change,
        Some(tenant_id),
        actor,
        AuditAction::PaperSizesChanged,
        &json!({ "paper_sizes": sizes }).to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    Ok(())
}

pub async fn notification_settings(
    svc: &Services,
    tenant_id: TenantId,
    user_id: UserId,
) -> Result<NotificationSettings, StoreError> {
    let store = svc.store();
    let tenant_id = tenant_id.get();
    let user_id = user_id.get();
    store.notification_settings(tenant_id, user_id).await
}

/// Stores a user's choices; groups of another tenant (or deleted ones) are refused by event.
pub async fn set_notification_settings(
    svc: &Services,
    tenant_id: TenantId,
    user_id: UserId,
    settings: &NotificationSettings,
    now: i64,
) -> Result<(), NotificationError> {
    let store = svc.store();
    let tenant_id = tenant_id.get();
    let user_id = user_id.get();
    store
        .set_notification_settings(tenant_id, user_id, settings, now)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_sizes_come_back_in_the_setting_s_order_and_unknown_or_no_sizes_are_refused() {
        assert_eq!(check_paper_sizes(&["b5", "a3"]), Ok(vec!["a3", "b5"]));
        assert_eq!(
            check_paper_sizes(&["a3", "a0"]),
            Err(PaperSizesRefusal::Unknown)
        );
        assert_eq!(check_paper_sizes(&[]), Err(PaperSizesRefusal::None));
    }
}
