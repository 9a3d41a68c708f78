//! Forgotten password (SPEC S4): ask for a link by user name, then set a new password
//! through it.
//!
//! - `GET/POST /forgot-password`: the form before login (double-submit CSRF like the login
//!   form, and the login form's per-address attempt counter). The answer is the same page,
//!   after about the same time, whether the account exists, has no confirmed address or got
//!   a mail: the screen must not tell who has an account (S1). Accounts without an address
//!   are told to ask their sales or service representative, who resets it (O1).
//! - `GET/POST /reset-password/{token}`: the mailed link (60 minutes, single use). Success
//!   sets the password, ends every session of the user and leads to the login screen.

use std::net::SocketAddr;
use std::time::Duration;

use askama::Template;
use axum::extract::{ConnectInfo, Form, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use meterport_domain::policy::check_password;
use meterport_store::email_tokens::{EmailLink, LinkPurpose};
use meterport_store::sessions::random_token;
use meterport_store::users::{User, hash_password, verify_password};
use serde_json::json;

use super::account::FieldErrors;
use super::auth::{client_addr, guest_csrf_cookie, guest_csrf_ok, new_guest_csrf};
use super::session::LOGIN_CSRF_COOKIE;
use super::{Lang, PageCtx, PageError, guest_lang, render};
use crate::app::AppState;
use crate::mail::{domain_of, messages};
use crate::service::audit::{self, AuditAction};

/// How long a reset link works (S4).
pub const RESET_LINK_MS: i64 = 60 * 60 * 1000;

/// A second request for the same account within this time sends no second mail: a stranger
/// who knows a user name cannot fill that user's mailbox.
const RESEND_AFTER_MS: i64 = 60 * 1000;

/// Every answer to the forgot-password form takes at least this long, so that the time it
/// takes does not tell an account with an address (a link and a mail are stored) from one
/// without or from no account at all. Well above the work it hides, which is a few queries.
const FORGOT_MIN_DURATION: Duration = Duration::from_millis(400);

#[derive(Template)]
#[template(path = "forgot.html")]
struct ForgotPage {
    ctx: PageCtx,
    username: String,
    errors: FieldErrors,
    sent: bool,
}

/// The forgot-password page with a fresh double-submit token.
fn forgot_page(
    state: &AppState,
    lang: Lang,
    username: String,
    errors: FieldErrors,
    sent: bool,
    status: StatusCode,
) -> Response {
    let csrf = new_guest_csrf();
    let mut ctx = PageCtx::new(lang, csrf.clone(), "", "login");
    ctx.here = "/forgot-password".into();
    let page = ForgotPage {
        ctx,
        username,
        errors,
        sent,
    };
    (
        status,
        [(header::SET_COOKIE, guest_csrf_cookie(state, &csrf))],
        render(&page),
    )
        .into_response()
}

pub async fn forgot_form(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let lang = guest_lang(&headers);
    forgot_page(
        &state,
        lang,
        String::new(),
        FieldErrors::default(),
        false,
        StatusCode::OK,
    )
}

#[derive(serde::Deserialize)]
pub struct ForgotForm {
    csrf: String,
    username: String,
}

pub async fn forgot_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    peer: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    Form(form): Form<ForgotForm>,
) -> Response {
    let started = tokio::time::Instant::now();
    let lang = guest_lang(&headers);
    let now = state.now_ms();
    let refuse = |field: &'static str, key: &str, status: StatusCode| {
        let mut errors = FieldErrors::default();
        errors.add(field, super::i18n::t(lang, key));
        forgot_page(&state, lang, form.username.clone(), errors, false, status)
    };
    if !guest_csrf_ok(&headers, &form.csrf) {
        return refuse("form", "csrf-failed", StatusCode::FORBIDDEN);
    }
    let addr = client_addr(&headers, peer.map(|c| c.0.0), state.trust_proxy);
    match super::auth::address_allowed(&state, addr, now).await {
        Ok(true) => {}
        Ok(false) => {
            return refuse(
                "form",
                "login-too-many-attempts",
                StatusCode::TOO_MANY_REQUESTS,
            );
        }
        Err(e) => return super::PageError::internal(e).into_response(),
    }
    let username = form.username.trim().to_lowercase();
    if username.is_empty() {
        return refuse(
            "username",
            "forgot-username-required",
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    // A failure is logged, not shown: an error page only for accounts with an address would
    // tell who has one.
    if let Err(e) = request_reset(&state, &username, now).await {
        tracing::error!(error = %e, "a password reset request failed");
    }
    tokio::time::sleep_until(started + FORGOT_MIN_DURATION).await;
    forgot_page(
        &state,
        lang,
        String::new(),
        FieldErrors::default(),
        true,
        StatusCode::OK,
    )
}

/// Mails a reset link if the account exists and has a confirmed address, and records the
/// request in the audit log either way.
async fn request_reset(state: &AppState, username: &str, now: i64) -> anyhow::Result<()> {
    let store = &state.store;
    let Some(user) = store.user_by_username_any_tenant(username).await? else {
        // The name someone typed, cut short: it names no account, so it is no one's data.
        let typed: String = username.chars().take(64).collect();
        audit::record(
            &state.store,
            None,
            &typed,
            AuditAction::PasswordResetRequested,
            &json!({"result": "unknown_user"}).to_string(),
            now,
        )
        .await;
        return Ok(());
    };
    let Some(address) = user.email.clone() else {
        audit::record(
            &state.store,
            Some(user.tenant_id),
            &user.username,
            AuditAction::PasswordResetRequested,
            &json!({"result": "no_address"}).to_string(),
            now,
        )
        .await;
        return Ok(());
    };
    let pending = store
        .pending_email_link(user.tenant_id, user.id, LinkPurpose::ResetPassword, now)
        .await?;
    if pending.is_some_and(|p| now - p.created_at < RESEND_AFTER_MS) {
        audit::record(
            &state.store,
            Some(user.tenant_id),
            &user.username,
            AuditAction::PasswordResetRequested,
            &json!({"result": "recently_sent"}).to_string(),
            now,
        )
        .await;
        return Ok(());
    }
    let tenant = store.tenant(user.tenant_id).await?;
    let token = random_token();
    let expires_at = now + RESET_LINK_MS;
    let link = format!("{}/reset-password/{token}", public_base(state));
    let to = messages::Recipient::user(&user, &tenant, &address);
    let mail = messages::reset_password(&to, &link, expires_at);
    store
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
    state.mail.wake();
    let detail = json!({"result": "mailed", "domain": domain_of(&address)});
    audit::record(
        &state.store,
        Some(user.tenant_id),
        &user.username,
        AuditAction::PasswordResetRequested,
        &detail.to_string(),
        now,
    )
    .await;
    Ok(())
}

/// The portal's public address without a trailing slash, for links in mails.
pub fn public_base(state: &AppState) -> &str {
    state.web.public_url.trim_end_matches('/')
}

// ---- The link

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    ctx: PageCtx,
    token: String,
    username: String,
    errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "link_invalid.html")]
pub struct LinkInvalidPage {
    pub ctx: PageCtx,
    pub body: &'static str,
    /// Where to ask for a new link, and the words of that link.
    pub again_href: &'static str,
    pub again_label: &'static str,
}

/// Why a link does not work, as the page says it.
pub fn link_problem(link: Option<&EmailLink>, now: i64) -> &'static str {
    match link {
        Some(l) if l.used_at.is_none() && now >= l.expires_at => "link-expired",
        Some(_) => "link-used",
        None => "link-unknown",
    }
}

fn reset_invalid(lang: Lang, link: Option<&EmailLink>, now: i64) -> Response {
    let mut ctx = PageCtx::new(lang, String::new(), "", "login");
    ctx.here = "/forgot-password".into();
    let page = LinkInvalidPage {
        ctx,
        body: link_problem(link, now),
        again_href: "/forgot-password",
        again_label: "link-reset-again",
    };
    (StatusCode::GONE, render(&page)).into_response()
}

fn reset_page(
    state: &AppState,
    lang: Lang,
    token: &str,
    username: &str,
    errors: FieldErrors,
) -> Response {
    let csrf = new_guest_csrf();
    let mut ctx = PageCtx::new(lang, csrf.clone(), "", "login");
    ctx.here = format!("/reset-password/{token}");
    let page = ResetPage {
        ctx,
        token: token.to_string(),
        username: username.to_string(),
        errors,
    };
    (
        [(header::SET_COOKIE, guest_csrf_cookie(state, &csrf))],
        render(&page),
    )
        .into_response()
}

/// The link's user, if the link works now.
async fn usable_link(
    state: &AppState,
    lang: Lang,
    token: &str,
    now: i64,
) -> Result<Result<(EmailLink, User), Response>, PageError> {
    let link = state
        .store
        .email_link(LinkPurpose::ResetPassword, token)
        .await?;
    match link {
        Some(link) if link.is_usable(now) => {
            let user = state.store.user(link.tenant_id, link.user_id).await?;
            Ok(Ok((link, user)))
        }
        other => Ok(Err(reset_invalid(lang, other.as_ref(), now))),
    }
}

pub async fn reset_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let lang = guest_lang(&headers);
    let now = state.now_ms();
    Ok(match usable_link(&state, lang, &token, now).await? {
        Ok((_, user)) => reset_page(&state, lang, &token, &user.username, FieldErrors::default()),
        Err(invalid) => invalid,
    })
}

#[derive(serde::Deserialize)]
pub struct ResetForm {
    csrf: String,
    new_password: String,
    confirmation: String,
}

pub async fn reset_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> Result<Response, PageError> {
    let lang = guest_lang(&headers);
    let now = state.now_ms();
    let (_, user) = match usable_link(&state, lang, &token, now).await? {
        Ok(found) => found,
        Err(invalid) => return Ok(invalid),
    };
    let mut errors = FieldErrors::default();
    if !guest_csrf_ok(&headers, &form.csrf) {
        errors.add("form", super::i18n::t(lang, "csrf-failed"));
    }
    match check_password(&form.new_password, None, Some(&form.confirmation)) {
        Err(policy) => {
            for (field, msg) in FieldErrors::from_policy(lang, &policy).0 {
                errors.add(field, msg);
            }
        }
        Ok(()) => {
            // S24: the new password differs from the one it replaces, forgotten or not.
            let (new, hash) = (form.new_password.clone(), user.password_hash.clone());
            let same = tokio::task::spawn_blocking(move || verify_password(&new, &hash))
                .await
                .unwrap_or(false);
            if same {
                errors.add("new_password", super::i18n::t(lang, "reset-same-as-old"));
            }
        }
    }
    if !errors.is_empty() {
        return Ok(super::refused(reset_page(
            &state,
            lang,
            &token,
            &user.username,
            errors,
        )));
    }
    let new = form.new_password.clone();
    let hash = tokio::task::spawn_blocking(move || hash_password(&new)).await?;
    let store = &state.store;
    // Using the link is the atomic step: of two submissions racing with it, one goes on.
    let now = state.now_ms();
    let Some(link) = store
        .use_email_link(LinkPurpose::ResetPassword, &token, now)
        .await?
    else {
        let link = store.email_link(LinkPurpose::ResetPassword, &token).await?;
        return Ok(reset_invalid(lang, link.as_ref(), now));
    };
    store
        .set_password(link.tenant_id, link.user_id, &hash, now, false)
        .await?;
    // Whoever was logged in with the old password is logged out.
    store.delete_other_sessions(link.user_id, None).await?;
    audit::record(
        store,
        Some(link.tenant_id),
        &user.username,
        AuditAction::PasswordResetByLink,
        &json!({"user_id": link.user_id}).to_string(),
        now,
    )
    .await;
    let mut res = Redirect::to("/login?notice=password-reset").into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        state
            .web
            .cookie(LOGIN_CSRF_COOKIE, "", Some(0))
            .parse()
            .expect("a valid cookie"),
    );
    Ok(res)
}
