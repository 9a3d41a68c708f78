//! Change of the notification e-mail address (SPEC S26).
//!
//! `GET/POST /account/email`: new address, its confirmation and the current password. A
//! valid request mails a single-use link (24 hours) to the NEW address; the account keeps
//! its old address until the link is opened, so a typo never redirects the notifications to
//! a mailbox nobody reads. A newer request retires the links sent before.
//!
//! `GET /account/email/confirm/{token}` is opened from a mail client, with or without a
//! login: it makes the address the account's, tells the old address about it, and leads to
//! `/account/email/confirmed`, a page without personal data that a reload cannot repeat.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use meterport_domain::policy::check_email;
use meterport_store::email_tokens::LinkPurpose;
use meterport_store::sessions::random_token;
use meterport_store::users::verify_password;
use serde_json::json;

use super::account::FieldErrors;
use super::recovery::{LinkInvalidPage, link_problem, public_base};
use super::session::Viewer;
use super::{Lang, PageCtx, PageError, guest_lang, render};
use crate::app::AppState;
use crate::mail::{domain_of, messages};
use crate::service::audit::{self, AuditAction};

/// How long a confirmation link works.
pub const CONFIRM_LINK_MS: i64 = 24 * 3600 * 1000;

#[derive(Template)]
#[template(path = "email.html")]
struct EmailPage {
    ctx: PageCtx,
    /// The confirmed address, if any.
    current: Option<String>,
    /// An address waiting for its link to be opened, and a note on until when it works.
    pending: Option<(String, String)>,
    email: String,
    confirmation: String,
    errors: FieldErrors,
    sent: bool,
}

impl EmailPage {
    /// What the user typed into a field, shown again with the errors (never the password).
    fn typed(&self, field: &str) -> &str {
        match field {
            "email" => &self.email,
            "confirmation" => &self.confirmation,
            _ => "",
        }
    }
}

async fn email_page(
    state: &AppState,
    viewer: &Viewer,
    form: Option<&EmailForm>,
    errors: FieldErrors,
    sent: bool,
) -> Result<Response, PageError> {
    let now = state.now_ms();
    let pending = state
        .store
        .pending_email_link(
            viewer.tenant.id,
            viewer.user.id,
            LinkPurpose::ConfirmEmail,
            now,
        )
        .await?
        .map(|l| {
            let until = viewer.datetime(l.expires_at);
            let note = super::i18n::t_args(viewer.lang, "email-pending-until", &[("until", until)]);
            (l.email, note)
        });
    Ok(render(&EmailPage {
        ctx: viewer.ctx("email", "email"),
        current: viewer.user.email.clone(),
        pending,
        email: form.map(|f| f.email.clone()).unwrap_or_default(),
        confirmation: form.map(|f| f.confirmation.clone()).unwrap_or_default(),
        errors,
        sent,
    }))
}

pub async fn email_form(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    email_page(&state, &viewer, None, FieldErrors::default(), false).await
}

pub async fn email_sent(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Response, PageError> {
    email_page(&state, &viewer, None, FieldErrors::default(), true).await
}

#[derive(serde::Deserialize)]
pub struct EmailForm {
    csrf: String,
    email: String,
    confirmation: String,
    password: String,
}

pub async fn email_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<EmailForm>,
) -> Result<Response, PageError> {
    let lang = viewer.lang;
    let t = |key: &str| super::i18n::t(lang, key);
    let mut errors = FieldErrors::default();
    if !viewer.csrf_ok(&form.csrf) {
        errors.add("form", t("csrf-failed"));
    }
    let email = match check_email(&form.email) {
        Ok(email) => Some(email),
        Err(policy) => {
            for (field, msg) in FieldErrors::from_policy(lang, &policy).0 {
                errors.add(field, msg);
            }
            None
        }
    };
    if form.confirmation.trim().is_empty() {
        errors.add("confirmation", t("email-confirmation-required"));
    } else if form.confirmation.trim() != form.email.trim() {
        errors.add("confirmation", t("email-confirmation-mismatch"));
    }
    if let Some(email) = &email
        && viewer.user.email.as_deref() == Some(email.as_str())
    {
        errors.add("email", t("email-same-as-current"));
    }
    if form.password.is_empty() {
        errors.add("password", t("password-current-required"));
    } else {
        let (password, hash) = (form.password.clone(), viewer.user.password_hash.clone());
        let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
            .await
            .unwrap_or(false);
        if !ok {
            errors.add("password", t("password-current-wrong"));
        }
    }
    let (Some(email), true) = (email, errors.is_empty()) else {
        return email_page(&state, &viewer, Some(&form), errors, false)
            .await
            .map(super::refused);
    };

    let now = state.now_ms();
    let token = random_token();
    let expires_at = now + CONFIRM_LINK_MS;
    let link = format!("{}/account/email/confirm/{token}", public_base(&state));
    let to = messages::Recipient::user(&viewer.user, &viewer.tenant, &email);
    let mail = messages::confirm_email(&to, &link, expires_at);
    let store = &state.store;
    store
        .create_email_link(
            viewer.tenant.id,
            viewer.user.id,
            LinkPurpose::ConfirmEmail,
            &email,
            &token,
            now,
            expires_at,
            &mail,
        )
        .await?;
    state.mail.wake();
    audit::record(
        store,
        Some(viewer.tenant.id),
        &viewer.user.username,
        AuditAction::EmailChangeRequested,
        &json!({"new_domain": domain_of(&email)}).to_string(),
        now,
    )
    .await;
    Ok(Redirect::to("/account/email/sent").into_response())
}

/// The language of a page reached from a mail: the user's if logged in, else the browser's.
async fn page_lang(state: &AppState, headers: &HeaderMap) -> Lang {
    match super::session::current(state, headers).await {
        Some(viewer) => viewer.lang,
        None => guest_lang(headers),
    }
}

pub async fn email_confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let lang = page_lang(&state, &headers).await;
    let now = state.now_ms();
    let store = &state.store;
    let confirmed = store.confirm_email_link(&token, now).await?;
    let Some((link, old)) = confirmed else {
        let link = store.email_link(LinkPurpose::ConfirmEmail, &token).await?;
        let mut ctx = PageCtx::new(lang, String::new(), "", "email");
        ctx.here = "/account/email".into();
        let page = LinkInvalidPage {
            ctx,
            body: link_problem(link.as_ref(), now),
            again_href: "/account/email",
            again_label: "link-confirm-again",
        };
        return Ok((StatusCode::GONE, render(&page)).into_response());
    };
    let user = store.user(link.tenant_id, link.user_id).await?;
    let detail = json!({
        "old_domain": old.as_deref().map(domain_of),
        "new_domain": domain_of(&link.email),
    });
    audit::record(
        store,
        Some(link.tenant_id),
        &user.username,
        AuditAction::EmailChanged,
        &detail.to_string(),
        now,
    )
    .await;
    // The old mailbox hears of the change: if someone else made it, its owner can act.
    if let Some(old) = old.filter(|o| *o != link.email) {
        let tenant = store.tenant(link.tenant_id).await?;
        let to = messages::Recipient::user(&user, &tenant, &old);
        if let Err(e) = state.mail.enqueue(&messages::email_changed(&to, now)).await {
            // The change is made; a lost notice is logged rather than shown as a failure.
            tracing::error!(error = %e, "could not queue the address-change notice");
        }
    }
    Ok(Redirect::to("/account/email/confirmed").into_response())
}

#[derive(Template)]
#[template(path = "email_confirmed.html")]
struct ConfirmedPage {
    ctx: PageCtx,
}

pub async fn email_confirmed(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let lang = page_lang(&state, &headers).await;
    let mut ctx = PageCtx::new(lang, String::new(), "", "email");
    ctx.here = "/account/email/confirmed".into();
    render(&ConfirmedPage { ctx })
}
