//! Login and logout (SPEC S1-S3, S6).
//!
//! The decision on an attempt is `meterport_domain::login::decide`; this module applies it:
//! records failures and locks, opens a session (a restricted one when the password must be
//! changed), and answers without telling whether the user exists (S1): an unknown user name
//! gets the same message, the same password-hash work and even the same lock after five
//! tries as a real one.

use meterport_domain::ids::TenantId;
use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use super::session::{
    LOGIN_CSRF_COOKIE, SESSION_COOKIE, Viewer, client_addr, cookie, guest_csrf_cookie,
    guest_csrf_ok, new_guest_csrf,
};
use super::{Lang, PageCtx, guest_lang, render};
use crate::app::AppState;
use crate::service::login::{self, Attempt, LoginOutcome};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ctx: PageCtx,
    next: String,
    username: String,
    error: Option<String>,
    info: Option<String>,
}

#[derive(serde::Deserialize, Default)]
pub struct LoginQuery {
    next: Option<String>,
    /// A message to show: `logged-out`, `expired`, `password-reset`.
    notice: Option<String>,
}

/// Only paths of this portal may follow a login (no open redirect: [`super::redirect`]).
fn safe_next(next: Option<&str>) -> String {
    super::redirect::local_or(next, "/welcome")
}

fn login_page(
    state: &AppState,
    lang: Lang,
    next: String,
    username: String,
    error: Option<String>,
    info: Option<String>,
    status: StatusCode,
) -> Response {
    let csrf = new_guest_csrf();
    let mut ctx = PageCtx::new(lang, csrf.clone(), "", "login");
    ctx.here = format!("/login?next={}", super::session::urlencode(&next));
    let page = LoginPage {
        ctx,
        next,
        username,
        error,
        info,
    };
    (
        status,
        [(header::SET_COOKIE, guest_csrf_cookie(state, &csrf))],
        render(&page),
    )
        .into_response()
}

pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<LoginQuery>,
) -> Response {
    if super::session::current(&state, &headers).await.is_some() {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    let lang = guest_lang(&headers);
    let info = q.notice.as_deref().and_then(|n| match n {
        "logged-out" => Some(super::i18n::t(lang, "login-logged-out")),
        "expired" => Some(super::i18n::t(lang, "login-session-expired")),
        "password-reset" => Some(super::i18n::t(lang, "login-password-was-reset")),
        _ => None,
    });
    login_page(
        &state,
        lang,
        safe_next(q.next.as_deref()),
        String::new(),
        None,
        info,
        StatusCode::OK,
    )
}

#[derive(serde::Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    csrf: String,
    next: Option<String>,
}

fn format_time(ms: i64, tz: &jiff::tz::TimeZone) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| {
            t.to_zoned_datetime(tz.clone())
                .strftime("%Y/%m/%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    peer: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    Form(form): Form<LoginForm>,
) -> Response {
    let lang = guest_lang(&headers);
    let now = state.now_ms();
    let next = safe_next(form.next.as_deref());
    let t = |key: &str| super::i18n::t(lang, key);
    let fail = |msg: String, status: StatusCode| {
        login_page(
            &state,
            lang,
            next.clone(),
            form.username.clone(),
            Some(msg),
            None,
            status,
        )
    };

    if !guest_csrf_ok(&headers, &form.csrf) {
        return fail(t("csrf-failed"), StatusCode::FORBIDDEN);
    }
    let addr = client_addr(&headers, peer.map(|c| c.0.0), state.trust_proxy);
    match login::address_allowed(&state.services, addr, now).await {
        Ok(true) => {}
        Ok(false) => return fail(t("login-too-many-attempts"), StatusCode::TOO_MANY_REQUESTS),
        Err(e) => return super::PageError::from(e).into_response(),
    }
    let carried = cookie(&headers, SESSION_COOKIE);
    let attempt = Attempt {
        username: &form.username,
        password: &form.password,
        replaces: carried.as_deref(),
    };
    let outcome = login::log_in(
        &state.services,
        &state.login_guard,
        attempt,
        state.web.limits(),
        now,
    )
    .await;
    match outcome {
        Err(e) => super::PageError::from(e).into_response(),
        Ok(LoginOutcome::Failed) => fail(t("login-failed"), StatusCode::UNAUTHORIZED),
        Ok(LoginOutcome::Locked { until, tz }) => {
            fail(lock_message(lang, until, &tz), StatusCode::UNAUTHORIZED)
        }
        Ok(LoginOutcome::LoggedIn {
            session_id,
            must_change_password,
        }) => {
            let target = if must_change_password {
                "/account/password".to_string()
            } else {
                next
            };
            // The language chosen on the login screen is the user's choice: it is saved to
            // the profile, so the screens after login keep it (then the choice is spent).
            let chosen = cookie(&headers, super::LANG_CHOSEN_COOKIE).and_then(|c| Lang::parse(&c));
            if let Some(chosen) = chosen
                && let Err(e) = crate::service::account::keep_language_chosen_at_login(
                    &state.services,
                    &session_id,
                    chosen.as_str(),
                    state.web.limits(),
                    now,
                )
                .await
            {
                return super::PageError::from(e).into_response();
            }
            let mut res = Redirect::to(&target).into_response();
            let h = res.headers_mut();
            if chosen.is_some() {
                h.append(
                    header::SET_COOKIE,
                    state
                        .web
                        .cookie(super::LANG_CHOSEN_COOKIE, "", Some(0))
                        .parse()
                        .expect("cookie"),
                );
            }
            h.append(
                header::SET_COOKIE,
                state
                    .web
                    .cookie(SESSION_COOKIE, &session_id, None)
                    .parse()
                    .expect("cookie"),
            );
            h.append(
                header::SET_COOKIE,
                state
                    .web
                    .cookie(LOGIN_CSRF_COOKIE, "", Some(0))
                    .parse()
                    .expect("cookie"),
            );
            res
        }
    }
}

fn lock_message(lang: Lang, until: i64, tz: &jiff::tz::TimeZone) -> String {
    super::i18n::t_args(lang, "login-locked", &[("until", format_time(until, tz))])
}

#[derive(serde::Deserialize)]
pub struct LogoutForm {
    csrf: String,
}

/// Ends the session server-side and clears the cookie.
pub async fn logout(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<LogoutForm>,
) -> Response {
    if !viewer.csrf_ok(&form.csrf) {
        // A logout from another site's form: the session stays, and the user is told why.
        let page = super::ErrorInLayout {
            ctx: viewer.ctx("", "top"),
            title: "error-title",
            body: "csrf-failed",
        };
        return (StatusCode::FORBIDDEN, render(&page)).into_response();
    }
    let now = state.now_ms();
    if let Err(e) = login::log_out(
        &state.services,
        TenantId(viewer.tenant.id),
        &viewer.user.username,
        &viewer.session_id,
        now,
    )
    .await
    {
        return super::PageError::from(e).into_response();
    }
    let mut res = Redirect::to("/login?notice=logged-out").into_response();
    res.headers_mut().insert(
        header::SET_COOKIE,
        state
            .web
            .cookie(SESSION_COOKIE, "", Some(0))
            .parse()
            .expect("cookie"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_may_follow_a_login() {
        assert_eq!(
            safe_next(Some("/counters?unit=month")),
            "/counters?unit=month"
        );
        assert_eq!(safe_next(Some("//evil.example.com")), "/welcome");
        assert_eq!(safe_next(Some("https://evil.example.com")), "/welcome");
        assert_eq!(safe_next(Some("/\\evil")), "/welcome");
        assert_eq!(safe_next(None), "/welcome");
    }
}
