//! Links sent by mail: the forgotten password (S4) and the confirmation of a new e-mail
//! address (S26). A link is single use and works for a limited time; using it is the atomic
//! step, so of two submissions racing with one link, one goes on.

use meterport_store::email_tokens::{EmailLink, LinkPurpose};
use meterport_store::sessions::random_token;
use meterport_store::tenants::Tenant;
use meterport_store::users::{User, hash_password};
use serde_json::json;

use super::ServiceResult;
use super::Services;
use super::audit::{self, AuditAction};
use crate::mail::{Mailer, domain_of, messages};

/// How long a reset link works (S4).
pub const RESET_LINK_MS: i64 = 60 * 60 * 1000;

/// How long an address confirmation link works.
pub const CONFIRM_LINK_MS: i64 = 24 * 3600 * 1000;

/// A second request for the same account within this time sends no second mail: a stranger
/// who knows a user name cannot fill that user's mailbox.
const RESEND_AFTER_MS: i64 = 60 * 1000;

/// Why a link does not work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    Expired,
    Used,
    Unknown,
}

impl LinkProblem {
    fn of(link: Option<&EmailLink>, now: i64) -> LinkProblem {
        match link {
            Some(l) if l.used_at.is_none() && now >= l.expires_at => LinkProblem::Expired,
            Some(_) => LinkProblem::Used,
            None => LinkProblem::Unknown,
        }
    }

    /// The message id of the page that says so.
    pub fn message_id(self) -> &'static str {
        match self {
            LinkProblem::Expired => "link-expired",
            LinkProblem::Used => "link-used",
            LinkProblem::Unknown => "link-unknown",
        }
    }
}

/// Where links in mails lead: the portal's public address and the mail sender to wake.
#[derive(Clone, Copy)]
pub struct Links<'a> {
    pub public_base: &'a str,
    pub mailer: &'a Mailer,
}

/// Mails a reset link if the account exists and has a confirmed address, and records the
/// request in the audit log either way. The caller answers the same whatever happened here.
pub async fn request_reset(
    svc: &Services,
    links: Links<'_>,
    username: &str,
    now: i64,
) -> ServiceResult<()> {
    let store = svc.store();
    let Some(user) = store.user_by_username_any_tenant(username).await? else {
        // The name someone typed, cut short: it names no account, so it is no one's data.
        let typed: String = username.chars().take(64).collect();
        let detail = json!({"result": "unknown_user"}).to_string();
        audit::record_alone(
            store,
            None,
            &typed,
            AuditAction::PasswordResetRequested,
            &detail,
            now,
        )
        .await?;
        return Ok(());
    };
    let requested = |result: &str| json!({"result": result}).to_string();
    let Some(address) = user.email.clone() else {
        audit::record_alone(
            store,
            Some(user.tenant_id),
            &user.username,
            AuditAction::PasswordResetRequested,
            &requested("no_address"),
            now,
        )
        .await?;
        return Ok(());
    };
    let pending = store
        .pending_email_link(user.tenant_id, user.id, LinkPurpose::ResetPassword, now)
        .await?;
    if pending.is_some_and(|p| now - p.created_at < RESEND_AFTER_MS) {
        audit::record_alone(
            store,
            Some(user.tenant_id),
            &user.username,
            AuditAction::PasswordResetRequested,
            &requested("recently_sent"),
            now,
        )
        .await?;
        return Ok(());
    }
    let tenant = store.tenant(user.tenant_id).await?;
    let token = random_token();
    let expires_at = now + RESET_LINK_MS;
    let link = format!("{}/reset-password/{token}", links.public_base);
    let to = messages::Recipient::user(&user, &tenant, &address);
    let mail = messages::reset_password(&to, &link, expires_at);
    let mut change = store.change().await?;
    change
        .create_email_link(
            user.tenant_id,
            user.id,
            LinkPurpose::ResetPassword,
            &address,
            &token,
            now,
            expires_at,
            &mail,
        )
        .await?;
    let detail = json!({"result": "mailed", "domain": domain_of(&address)});
    audit::record(
        &mut change,
        Some(user.tenant_id),
        &user.username,
        AuditAction::PasswordResetRequested,
        &detail.to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    links.mailer.wake();
    Ok(())
}

/// The user of a reset link that works now, or why it does not.
pub async fn reset_link_user(
    svc: &Services,
    token: &str,
    now: i64,
) -> ServiceResult<Result<User, LinkProblem>> {
    let store = svc.store();
    let link = store.email_link(LinkPurpose::ResetPassword, token).await?;
    Ok(match link {
        Some(link) if link.is_usable(now) => Ok(store.user(link.tenant_id, link.user_id).await?),
        other => Err(LinkProblem::of(other.as_ref(), now)),
    })
}

/// Sets the password through the link (already checked against the policy): the link is
/// used up, and whoever was logged in with the old password is logged out.
pub async fn reset_by_link(
    svc: &Services,
    token: &str,
    user: &User,
    new_password: &str,
    now: i64,
) -> ServiceResult<Result<(), LinkProblem>> {
    let store = svc.store();
    let new = new_password.to_string();
    let hash = tokio::task::spawn_blocking(move || hash_password(&new)).await?;
    let mut change = store.change().await?;
    let Some(link) = change
        .use_email_link(LinkPurpose::ResetPassword, token, now)
        .await?
    else {
        drop(change);
        let link = store.email_link(LinkPurpose::ResetPassword, token).await?;
        return Ok(Err(LinkProblem::of(link.as_ref(), now)));
    };
    change
        .set_password(link.tenant_id, link.user_id, &hash, now, false)
        .await?;
    // Whoever was logged in with the old password is logged out.
    change.delete_other_sessions(link.user_id, None).await?;
    audit::record(
        &mut change,
        Some(link.tenant_id),
        &user.username,
        AuditAction::PasswordResetByLink,
        &json!({"user_id": link.user_id}).to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    Ok(Ok(()))
}

/// An address waiting for its confirmation link to be opened, and until when the link works.
pub async fn pending_email(
    svc: &Services,
    user: &User,
    now: i64,
) -> ServiceResult<Option<(String, i64)>> {
    let store = svc.store();
    Ok(store
        .pending_email_link(user.tenant_id, user.id, LinkPurpose::ConfirmEmail, now)
        .await?
        .map(|l| (l.email, l.expires_at)))
}

/// Mails a confirmation link to a new address (already checked); the account keeps its old
/// address until the link is opened, and a newer request retires the links sent before.
pub async fn request_email_change(
    svc: &Services,
    links: Links<'_>,
    user: &User,
    tenant: &Tenant,
    email: &str,
    now: i64,
) -> ServiceResult<()> {
    let store = svc.store();
    let token = random_token();
    let expires_at = now + CONFIRM_LINK_MS;
    let link = format!("{}/account/email/confirm/{token}", links.public_base);
    let to = messages::Recipient::user(user, tenant, email);
    let mail = messages::confirm_email(&to, &link, expires_at);
    let mut change = store.change().await?;
    change
        .create_email_link(
            tenant.id,
            user.id,
            LinkPurpose::ConfirmEmail,
            email,
            &token,
            now,
            expires_at,
            &mail,
        )
        .await?;
    audit::record(
        &mut change,
        Some(tenant.id),
        &user.username,
        AuditAction::EmailChangeRequested,
        &json!({"new_domain": domain_of(email)}).to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    links.mailer.wake();
    Ok(())
}

/// Makes the link's address the account's and tells the old address about it.
pub async fn confirm_email_change(
    svc: &Services,
    links: Links<'_>,
    token: &str,
    now: i64,
) -> ServiceResult<Result<(), LinkProblem>> {
    let store = svc.store();
    let mut change = store.change().await?;
    let Some((link, old)) = change.confirm_email_link(token, now).await? else {
        drop(change);
        let link = store.email_link(LinkPurpose::ConfirmEmail, token).await?;
        return Ok(Err(LinkProblem::of(link.as_ref(), now)));
    };
    let user = store.user(link.tenant_id, link.user_id).await?;
    let detail = json!({
        "old_domain": old.as_deref().map(domain_of),
        "new_domain": domain_of(&link.email),
    });
    audit::record(
        &mut change,
        Some(link.tenant_id),
        &user.username,
        AuditAction::EmailChanged,
        &detail.to_string(),
        now,
    )
    .await?;
    change.commit().await?;
    // The old mailbox hears of the change: if someone else made it, its owner can act.
    if let Some(old) = old.filter(|o| *o != link.email) {
        let tenant = store.tenant(link.tenant_id).await?;
        let to = messages::Recipient::user(&user, &tenant, &old);
        if let Err(e) = links
            .mailer
            .enqueue(&messages::email_changed(&to, now))
            .await
        {
            // The change is made; a lost notice is logged rather than shown as a failure.
            tracing::error!(error = %e, "could not queue the address-change notice");
        }
    }
    Ok(Ok(()))
}
