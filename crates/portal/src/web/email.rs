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

use super::form::FieldErrors;
use super::links::{LinkInvalidPage, links};
use super::session::Viewer;
use super::{Lang, PageCtx, PageError, guest_lang, render};
use crate::app::AppState;
use crate::service::account;
use crate::service::recovery;

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
    let pending = recovery::pending_email(&state.services, &viewer.user, now)
        .await?
        .map(|(email, expires_at)| {
            let until = viewer.datetime(expires_at);
            let note = super::i18n::t_args(viewer.lang, "email-pending-until", &[("until", until)]);
            (email, note)
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
        let ok = account::is_current_password(&viewer.user, &form.password).await?;
        if !ok {
            errors.add("password", t("password-current-wrong"));
        }
    }
    let (Some(email), true) = (email, errors.is_empty()) else {
        return email_page(&state, &viewer, Some(&form), errors, false)
            .await
            .map(super::refused);
    };

    recovery::request_email_change(
        &state.services,
        links(&state),
        &viewer.user,
        &viewer.tenant,
        &email,
        state.now_ms(),
    )
    .await?;
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
    if let Err(problem) =
        recovery::confirm_email_change(&state.services, links(&state), &token, now).await?
    {
        let mut ctx = PageCtx::new(lang, String::new(), "", "email");
        ctx.here = "/account/email".into();
        let page = LinkInvalidPage {
            ctx,
            body: problem.message_id(),
            again_href: "/account/email",
            again_label: "link-confirm-again",
        };
        return Ok((StatusCode::GONE, render(&page)).into_response());
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
