//! A customer user's own account: the welcome screen's announcements, a password change
//! (S24) and the profile (S25). The checks of the form (the password policy, the names and
//! zone) are the domain's; these are the changes and their audit entries.

use meterport_domain::ids::{TenantId, UserId};
use meterport_store::StoreError;
use meterport_store::announcements::Announcement;
use meterport_store::users::{User, hash_password};

use super::ServiceResult;
use super::Services;
use super::audit::{self, AuditAction};

/// The operator's announcements shown at `now`, newest first (S5).
pub async fn current_announcements(
    svc: &Services,
    now: i64,
) -> Result<Vec<Announcement>, StoreError> {
    let store = svc.store();
    store.current_announcements(now).await
}

/// Who changes what: the user, of its tenant, in its session.
#[derive(Debug, Clone, Copy)]
pub struct Me<'a> {
    pub tenant_id: TenantId,
    pub user_id: UserId,
    pub username: &'a str,
    pub session_id: &'a str,
}

/// Whether `password` is the user's current one (the password and e-mail forms ask for it;
/// a new password must differ from it, S24).
pub async fn is_current_password(user: &User, password: &str) -> ServiceResult<bool> {
    super::login::matches_hash(password, Some(user)).await
}

/// Sets a new password (already checked against the policy and the current one): the
/// expiry starts again (S3), the user's other sessions end (another browser, a stolen
/// cookie), and this session, restricted while the password had to change, opens fully.
pub async fn change_password(
    svc: &Services,
    me: Me<'_>,
    new_password: &str,
    now: i64,
) -> ServiceResult<()> {
    let store = svc.store();
    let new = new_password.to_string();
    let hash = tokio::task::spawn_blocking(move || hash_password(&new)).await?;
    let mut change = store.change().await?;
    change
        .set_password(me.tenant_id.get(), me.user_id.get(), &hash, now, false)
        .await?;
    change
        .delete_other_sessions(me.user_id.get(), Some(me.session_id))
        .await?;
    change.unrestrict_session(me.session_id).await?;
    audit::record(
        &mut change,
        Some(me.tenant_id.get()),
        me.username,
        AuditAction::PasswordChanged,
        "",
        now,
    )
    .await?;
    change.commit().await?;
    Ok(())
}

/// A user's profile as the form sends it, checked.
#[derive(Debug, Clone, Copy)]
pub struct Profile<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub language: &'a str,
    pub locale: &'a str,
    /// `None`: the tenant's zone, followed when the tenant's zone changes.
    pub timezone: Option<&'a str>,
}

pub async fn update_profile(
    svc: &Services,
    me: Me<'_>,
    profile: Profile<'_>,
    now: i64,
) -> ServiceResult<()> {
    let store = svc.store();
    let mut change = store.change().await?;
    change
        .update_profile(
            me.tenant_id.get(),
            me.user_id.get(),
            profile.first_name,
            profile.last_name,
            profile.language,
            profile.locale,
            profile.timezone,
        )
        .await?;
    audit::record(
        &mut change,
        Some(me.tenant_id.get()),
        me.username,
        AuditAction::ProfileChanged,
        "",
        now,
    )
    .await?;
    change.commit().await?;
    Ok(())
}

/// Sets the user's display language alone (the header's language switch, S25). `language`
/// is one of the portal's languages, checked by the front door.
pub async fn set_language(
    svc: &Services,
    me: Me<'_>,
    language: &str,
    now: i64,
) -> ServiceResult<()> {
    let store = svc.store();
    let mut change = store.change().await?;
    change
        .set_language(me.tenant_id.get(), me.user_id.get(), language)
        .await?;
    audit::record(
        &mut change,
        Some(me.tenant_id.get()),
        me.username,
        AuditAction::ProfileChanged,
        &format!("language={language}"),
        now,
    )
    .await?;
    change.commit().await?;
    Ok(())
}

/// A language chosen on the login screen (the guest screens' switch) before logging in is
/// the user's choice: it is saved to the profile of the session just opened, when it differs
/// from the profile's, so that the screens after login keep speaking it. A language the
/// login screen only took from the browser is not a choice and changes nothing.
pub async fn keep_language_chosen_at_login(
    svc: &Services,
    session_id: &str,
    language: &str,
    limits: super::login::SessionLimits,
    now: i64,
) -> ServiceResult<()> {
    let Some(signed_in) = super::login::current_session(svc, session_id, limits, now).await else {
        return Ok(());
    };
    let user = &signed_in.user;
    if user.language == language {
        return Ok(());
    }
    let me = Me {
        tenant_id: TenantId(user.tenant_id),
        user_id: UserId(user.id),
        username: &user.username,
        session_id,
    };
    set_language(svc, me, language, now).await
}
