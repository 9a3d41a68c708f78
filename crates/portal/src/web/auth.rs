//! Login and logout (SPEC S1-S3, S6).
//!
//! The decision on an attempt is `meterport_domain::login::decide`; this module applies it:
//! records failures and locks, opens a session (a restricted one when the password must be
//! changed), and answers without telling whether the user exists (S1): an unknown user name
//! gets the same message, the same password-hash work and even the same lock after five
//! tries as a real one.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

use askama::Template;
use axum::extract::{ConnectInfo, Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use meterport_domain::login::{self, LoginDecision, LoginState};
use meterport_store::sessions::random_token;
use meterport_store::users::{hash_password, verify_password};

use super::session::{LOGIN_CSRF_COOKIE, SESSION_COOKIE, Viewer, cookie, same_secret};
use super::{Lang, PageCtx, guest_lang, render};
use crate::app::AppState;
use crate::service::audit::{self, AuditAction};

/// Attempts allowed from one client address per window (login and forgotten password).
const ADDRESS_ATTEMPTS: i64 = 30;
const ADDRESS_WINDOW_MS: i64 = 10 * 60 * 1000;

/// Counts an attempt from a client address against the limit kept in the database (so it
/// holds across restarts and instances); `false` when it is over. The forgot-password form
/// counts here too: both are ways to probe accounts.
pub(crate) async fn address_allowed(
    state: &AppState,
    addr: IpAddr,
    now: i64,
) -> Result<bool, meterport_store::StoreError> {
    state
        .store
        .throttle_attempt(&addr.to_string(), now, ADDRESS_ATTEMPTS, ADDRESS_WINDOW_MS)
        .await
}

/// Per-instance memory of failures of unknown user names, so that they lock like real ones
/// and reveal nothing.
#[derive(Debug, Default)]
pub struct LoginGuard {
    unknown_users: Mutex<HashMap<String, LoginState>>,
}

impl LoginGuard {
    fn unknown_state(&self, username: &str) -> LoginState {
        self.unknown_users
            .lock()
            .expect("not poisoned")
            .get(username)
            .copied()
            .unwrap_or(LoginState {
                failed_logins: 0,
                locked_until: None,
                password_changed_at: 0,
                must_change_password: false,
            })
    }

    fn set_unknown_state(&self, username: &str, state: LoginState) {
        let mut map = self.unknown_users.lock().expect("not poisoned");
        if map.len() > 100_000 {
            map.clear();
        }
        map.insert(username.to_string(), state);
    }
}

/// The client's address: the connection's peer (the portal is reached directly or through a
/// proxy that the operator trusts to set `X-Forwarded-For`, see `METERPORT_TRUST_PROXY`).
pub(crate) fn client_addr(
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    trust_proxy: bool,
) -> IpAddr {
    if trust_proxy
        && let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return ip;
    }
    peer.map(|p| p.ip())
        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST))
}

/// A fresh double-submit token for a form shown before login (login, forgotten password):
/// the hidden field carries it, and [`guest_csrf_cookie`] sets the cookie it must match.
pub(crate) fn new_guest_csrf() -> String {
    random_token()
}

pub(crate) fn guest_csrf_cookie(state: &AppState, csrf: &str) -> String {
    state.web.cookie(LOGIN_CSRF_COOKIE, csrf, Some(3600))
}

/// Whether a form shown before login came back with the token of its cookie.
pub(crate) fn guest_csrf_ok(headers: &HeaderMap, submitted: &str) -> bool {
    let expected = cookie(headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    !expected.is_empty() && same_secret(&expected, submitted)
}

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
    let username = form.username.trim().to_lowercase();
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
    match address_allowed(&state, addr, now).await {
        Ok(true) => {}
        Ok(false) => return fail(t("login-too-many-attempts"), StatusCode::TOO_MANY_REQUESTS),
        Err(e) => return super::PageError::internal(e).into_response(),
    }
    if username.is_empty() || form.password.is_empty() {
        return fail(t("login-failed"), StatusCode::UNAUTHORIZED);
    }

    let user = match state.store.user_by_username_any_tenant(&username).await {
        Ok(u) => u,
        Err(e) => return super::PageError::internal(e).into_response(),
    };
    // Hashing runs off the async threads; an unknown user costs the same work.
    let password = form.password.clone();
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let password_ok = tokio::task::spawn_blocking(move || match hash {
        Some(h) => verify_password(&password, &h),
        None => {
            let _ = verify_password(&password, &dummy_hash());
            false
        }
    })
    .await
    .unwrap_or(false);

    let Some(user) = user else {
        let st = state.login_guard.unknown_state(&username);
        let decision = login::decide(&st, false, now);
        let (next_state, message) = unknown_outcome(&st, decision, now, lang);
        state.login_guard.set_unknown_state(&username, next_state);
        audit::record(
            &state.store,
            None,
            &username,
            AuditAction::LoginFailed,
            "unknown user",
            now,
        )
        .await;
        return fail(message, StatusCode::UNAUTHORIZED);
    };

    let tenant = match state.store.tenant(user.tenant_id).await {
        Ok(t) => t,
        Err(e) => return super::PageError::internal(e).into_response(),
    };
    let tz = user
        .timezone
        .as_deref()
        .and_then(|z| jiff::tz::TimeZone::get(z).ok())
        .unwrap_or_else(|| tenant.tz());
    let st = LoginState {
        failed_logins: user.failed_logins,
        locked_until: user.locked_until,
        password_changed_at: user.password_changed_at,
        must_change_password: user.must_change_password,
    };
    match login::decide(&st, password_ok, now) {
        LoginDecision::Locked { until } => {
            audit::record(
                &state.store,
                Some(user.tenant_id),
                &username,
                AuditAction::LoginRefusedLocked,
                "",
                now,
            )
            .await;
            fail(lock_message(lang, until, &tz), StatusCode::UNAUTHORIZED)
        }
        LoginDecision::WrongPassword {
            failures,
            locks_now,
        } => {
            let until = locks_now.then_some(now + login::LOCK_MS);
            if let Err(e) = state
                .store
                .record_login_failure(user.tenant_id, user.id, failures, until)
                .await
            {
                return super::PageError::internal(e).into_response();
            }
            audit::record(
                &state.store,
                Some(user.tenant_id),
                &username,
                AuditAction::LoginFailed,
                &format!("failure {failures}"),
                now,
            )
            .await;
            match until {
                Some(until) => {
                    audit::record(
                        &state.store,
                        Some(user.tenant_id),
                        &username,
                        AuditAction::AccountLocked,
                        "",
                        now,
                    )
                    .await;
                    fail(lock_message(lang, until, &tz), StatusCode::UNAUTHORIZED)
                }
                None => fail(t("login-failed"), StatusCode::UNAUTHORIZED),
            }
        }
        decision @ (LoginDecision::MustChangePassword | LoginDecision::Ok { .. }) => {
            let restricted = decision == LoginDecision::MustChangePassword;
            if let Err(e) = state
                .store
                .record_login_success(user.tenant_id, user.id, now)
                .await
            {
                return super::PageError::internal(e).into_response();
            }
            // A session the browser already carries (another user's, or one planted by
            // someone else) ends here: the login gets a fresh id, never an old one.
            if let Some(old) = cookie(&headers, SESSION_COOKIE) {
                state.store.delete_session(&old).await.ok();
            }
            // Sessions past their timeouts are of no use to anyone: logins sweep them away,
            // so the table holds only live sessions without a background job.
            let cfg = &state.web;
            if let Err(e) = state
                .store
                .purge_sessions(now - cfg.idle_ms, now - cfg.absolute_ms)
                .await
            {
                tracing::warn!(error = %e, "could not purge expired sessions");
            }
            let (id, _csrf) = match state.store.create_session(user.id, restricted, now).await {
                Ok(s) => s,
                Err(e) => return super::PageError::internal(e).into_response(),
            };
            audit::record(
                &state.store,
                Some(user.tenant_id),
                &username,
                AuditAction::Login,
                if restricted {
                    "password must change"
                } else {
                    ""
                },
                now,
            )
            .await;
            let target = if restricted {
                "/account/password".to_string()
            } else {
                next
            };
            let mut res = Redirect::to(&target).into_response();
            let h = res.headers_mut();
            h.append(
                header::SET_COOKIE,
                state
                    .web
                    .cookie(SESSION_COOKIE, &id, None)
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

/// What an attempt on an unknown user name does to its in-memory state, and the message:
/// exactly what a real account would get.
fn unknown_outcome(
    st: &LoginState,
    decision: LoginDecision,
    now: i64,
    lang: Lang,
) -> (LoginState, String) {
    let tz = jiff::tz::TimeZone::get("Asia/Tokyo").unwrap_or(jiff::tz::TimeZone::UTC);
    match decision {
        LoginDecision::Locked { until } => (*st, lock_message(lang, until, &tz)),
        LoginDecision::WrongPassword {
            failures,
            locks_now,
        } => {
            let locked_until = locks_now.then_some(now + login::LOCK_MS);
            let next = LoginState {
                failed_logins: failures,
                locked_until,
                ..*st
            };
            let msg = match locked_until {
                Some(u) => lock_message(lang, u, &tz),
                None => super::i18n::t(lang, "login-failed"),
            };
            (next, msg)
        }
        _ => (*st, super::i18n::t(lang, "login-failed")),
    }
}

fn lock_message(lang: Lang, until: i64, tz: &jiff::tz::TimeZone) -> String {
    super::i18n::t_args(lang, "login-locked", &[("until", format_time(until, tz))])
}

/// A fixed Argon2id hash to verify against when the user does not exist.
fn dummy_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("not-a-real-password-1"))
        .clone()
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
    state.store.delete_session(&viewer.session_id).await.ok();
    audit::record(
        &state.store,
        Some(viewer.tenant.id),
        &viewer.user.username,
        AuditAction::Logout,
        "",
        now,
    )
    .await;
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
