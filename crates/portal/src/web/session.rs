//! Web sessions (SPEC S6, Q4): the cookie, the timeouts, the restricted session of an
//! expired password, and CSRF.
//!
//! The cookie `mp_session` holds a random id (HttpOnly, SameSite=Lax, Secure when the portal's
//! public URL is https). The session lives in the database, so several instances share it. A
//! session ends on logout, after `idle` without a request, or `absolute` after login.
//! Every state-changing form carries the session's CSRF token; forms before login carry a
//! double-submit token (cookie `mp_csrf` and a hidden field).

use std::net::{IpAddr, SocketAddr};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::tz::TimeZone;
use meterport_store::sessions::Session;
use meterport_store::tenants::Tenant;
use meterport_store::users::User;

use super::{Lang, PageCtx};
use crate::app::AppState;
use crate::service::login::{self, SignedIn};

pub const SESSION_COOKIE: &str = "mp_session";
pub const LOGIN_CSRF_COOKIE: &str = "mp_csrf";

/// Session timeouts and cookie security.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// A session unused this long ends.
    pub idle_ms: i64,
    /// A session ends this long after login, used or not.
    pub absolute_ms: i64,
    /// The portal's public address (links in e-mails; `https` makes cookies Secure).
    pub public_url: String,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            idle_ms: 30 * 60 * 1000,
            absolute_ms: 12 * 3600 * 1000,
            public_url: "http://127.0.0.1:8080".into(),
        }
    }
}

impl WebConfig {
    pub fn limits(&self) -> crate::service::login::SessionLimits {
        crate::service::login::SessionLimits {
            idle_ms: self.idle_ms,
            absolute_ms: self.absolute_ms,
        }
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// A `Set-Cookie` value with our attributes.
    pub fn cookie(&self, name: &str, value: &str, max_age_s: Option<i64>) -> String {
        let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
        if let Some(age) = max_age_s {
            c.push_str(&format!("; Max-Age={age}"));
        }
        if self.secure_cookies() {
            c.push_str("; Secure");
        }
        c
    }
}

/// A cookie's value from the request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Compares two secrets in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A logged-in user, with the session, the tenant and the display language.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub session_id: String,
    pub session: Session,
    pub user: User,
    pub tenant: Tenant,
    pub lang: Lang,
    /// When the password expires, if that is within the warning period (S24).
    pub password_expires_soon: Option<i64>,
    /// The page's own address (path and query) when it was asked for with GET, where the
    /// header's language switch brings the user back; empty for a form's answer.
    pub here: String,
}

impl Viewer {
    pub fn ctx(&self, active: &'static str, topic: &'static str) -> PageCtx {
        let mut ctx = PageCtx::new(self.lang, self.session.csrf.clone(), active, topic);
        ctx.restricted = self.session.restricted;
        ctx.here = self.here.clone();
        // Said on every screen but the one where the password is changed.
        if active != "password" && !self.session.restricted {
            ctx.expiry_warning = self.password_expires_soon.map(|at| {
                super::i18n::t_args(
                    self.lang,
                    "password-expiry-warning",
                    &[("date", self.date(at))],
                )
            });
        }
        ctx.user_name = meterport_domain::person::display_name(
            self.lang.name_order(),
            &self.user.first_name,
            &self.user.last_name,
            &self.user.username,
        );
        ctx
    }

    /// The zone timestamps are shown in: the user's, else the tenant's (T3, S25).
    pub fn tz(&self) -> TimeZone {
        self.user
            .timezone
            .as_deref()
            .and_then(|z| TimeZone::get(z).ok())
            .unwrap_or_else(|| self.tenant.tz())
    }

    /// A moment as this user reads it: in the user's zone, written for the display language
    /// and region (S25): `2021/12/01 09:00:00`, `Dec 1, 2021 09:00:00` (en-US) or
    /// `1 Dec 2021 09:00:00`.
    pub fn datetime(&self, ms: i64) -> String {
        self.strftime(
            ms,
            "%Y/%m/%d %H:%M:%S",
            "%b %-d, %Y %H:%M:%S",
            "%-d %b %Y %H:%M:%S",
        )
    }

    /// A day as this user reads it: `2022/03/01`, `Mar 1, 2022` (en-US) or `1 Mar 2022`.
    pub fn date(&self, ms: i64) -> String {
        self.strftime(ms, "%Y/%m/%d", "%b %-d, %Y", "%-d %b %Y")
    }

    /// A calendar day as this user reads it, in the formats of [`Viewer::date`].
    pub fn day(&self, d: jiff::civil::Date) -> String {
        let format = match self.lang {
            Lang::Ja => "%Y/%m/%d",
            Lang::En if self.user.locale == "en-US" => "%b %-d, %Y",
            Lang::En => "%-d %b %Y",
        };
        d.strftime(format).to_string()
    }

    fn strftime(&self, ms: i64, ja: &str, en_us: &str, en: &str) -> String {
        let format = match self.lang {
            Lang::Ja => ja,
            Lang::En if self.user.locale == "en-US" => en_us,
            Lang::En => en,
        };
        jiff::Timestamp::from_millisecond(ms)
            .map(|t| t.to_zoned_datetime(self.tz()).strftime(format).to_string())
            .unwrap_or_default()
    }

    /// The CSRF token of a submitted form is this session's.
    pub fn csrf_ok(&self, submitted: &str) -> bool {
        same_secret(&self.session.csrf, submitted)
    }
}

/// The viewer of a request, if its session is valid now (and touches it).
pub async fn current(state: &AppState, headers: &HeaderMap) -> Option<Viewer> {
    let id = cookie(headers, SESSION_COOKIE)?;
    let now = state.now_ms();
    let SignedIn {
        session,
        user,
        tenant,
    } = login::current_session(&state.services, &id, state.web.limits(), now).await?;
    crate::telemetry::note_tenant(tenant.id);
    let lang = Lang::parse(&user.language).unwrap_or_default();
    let expires = meterport_domain::login::expires_at(user.password_changed_at);
    let password_expires_soon =
        (now >= expires - meterport_domain::login::WARN_DAYS * 86_400_000).then_some(expires);
    Some(Viewer {
        session_id: id,
        session,
        user,
        tenant,
        lang,
        password_expires_soon,
        here: String::new(),
    })
}

/// Paths a restricted session (password to change) may reach.
const RESTRICTED_ALLOWED: &[&str] = &[
    "/account/password",
    "/account/language",
    "/logout",
    "/manual",
];

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let path = parts.uri.path().to_string();
        match current(state, &parts.headers).await {
            None => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_else(|| "/".into());
                let target = format!("/login?next={}", urlencode(&next));
                Err(Redirect::to(&target).into_response())
            }
            Some(v) if v.session.restricted && !RESTRICTED_ALLOWED.contains(&path.as_str()) => {
                Err(Redirect::to("/account/password").into_response())
            }
            Some(mut v) => {
                if parts.method == axum::http::Method::GET {
                    v.here = parts
                        .uri
                        .path_and_query()
                        .map(|p| p.as_str().to_string())
                        .unwrap_or_default();
                }
                Ok(v)
            }
        }
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
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
    crate::service::login::new_secret()
}

pub(crate) fn guest_csrf_cookie(state: &AppState, csrf: &str) -> String {
    state.web.cookie(LOGIN_CSRF_COOKIE, csrf, Some(3600))
}

/// Whether a form shown before login came back with the token of its cookie.
pub(crate) fn guest_csrf_ok(headers: &HeaderMap, submitted: &str) -> bool {
    let expected = cookie(headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    !expected.is_empty() && same_secret(&expected, submitted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_name_among_several() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; mp_session=abc; mp_lang=en".parse().unwrap(),
        );
        assert_eq!(cookie(&h, "mp_session").as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "mp_lang").as_deref(), Some("en"));
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn secrets_compare_equal_only_when_equal() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "ab"));
    }

    #[test]
    fn session_cookies_are_http_only_and_secure_over_tls() {
        let mut cfg = WebConfig::default();
        let c = cfg.cookie(SESSION_COOKIE, "x", None);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && !c.contains("Secure"));
        cfg.public_url = "https://portal.example.com".into();
        assert!(cfg.cookie(SESSION_COOKIE, "x", None).contains("; Secure"));
    }
}
