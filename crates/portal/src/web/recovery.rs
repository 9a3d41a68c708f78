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

use super::form::FieldErrors;
use super::links::{LinkInvalidPage, links};
use super::session::{
    LOGIN_CSRF_COOKIE, client_addr, guest_csrf_cookie, guest_csrf_ok, new_guest_csrf,
};
use super::{Lang, PageCtx, PageError, guest_lang, render};
use crate::app::AppState;
use crate::service::account;
use crate::service::login;
use crate::service::recovery::{self, LinkProblem};

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
    match login::address_allowed(&state.services, addr, now).await {
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
    let username = login::normalise_username(&form.username);
    if username.is_empty() {
        return refuse(
            "username",
            "forgot-username-required",
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    // A failure is logged, not shown: an error page only for accounts with an address would
    // tell who has one.
    if let Err(e) = recovery::request_reset(&state.services, links(&state), &username, now).await {
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

// ---- The link

#[derive(Template)]
#[template(path = "reset.html")]
struct ResetPage {
    ctx: PageCtx,
    token: String,
    username: String,
    errors: FieldErrors,
}

fn reset_invalid(lang: Lang, problem: LinkProblem) -> Response {
    let mut ctx = PageCtx::new(lang, String::new(), "", "login");
    ctx.here = "/forgot-password".into();
    let page = LinkInvalidPage {
        ctx,
        body: problem.message_id(),
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

pub async fn reset_form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let lang = guest_lang(&headers);
    let now = state.now_ms();
    Ok(
        match recovery::reset_link_user(&state.services, &token, now).await? {
            Ok(user) => reset_page(&state, lang, &token, &user.username, FieldErrors::default()),
            Err(problem) => reset_invalid(lang, problem),
        },
    )
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
    let user = match recovery::reset_link_user(&state.services, &token, now).await? {
        Ok(user) => user,
        Err(problem) => return Ok(reset_invalid(lang, problem)),
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
            if account::is_current_password(&user, &form.new_password).await? {
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
    let now = state.now_ms();
    if let Err(problem) =
        recovery::reset_by_link(&state.services, &token, &user, &form.new_password, now).await?
    {
        return Ok(reset_invalid(lang, problem));
    }
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
