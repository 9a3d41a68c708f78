//! The web portal: server-rendered pages for customer users (SPEC §3).
//!
//! One page, one typed template (`templates/`); every page gets a [`PageCtx`] (language,
//! menu, CSRF token, asset URLs). A logged-in request carries a [`Viewer`], taken from the
//! session cookie; pages that need a login take it as an extractor, which sends everyone
//! else to the login screen.
//!
//! Modules: [`form`] (what every form shares: repeated fields, messages by field),
//! [`widgets`] (numbers, page links), [`assets`] (embedded, hashed), [`security`]
//! (headers), [`session`] (cookies, timeouts, CSRF), and one module per screen area. The
//! words come from [`crate::i18n`].

pub mod account;
pub mod assets;
pub mod auth;
pub mod counters;
pub mod devices;
pub mod email;
pub mod form;
pub mod groups;
pub mod links;
pub mod manual;
pub mod recovery;
pub mod redirect;
pub mod security;
pub mod session;
pub mod settings;
pub mod widgets;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::app::AppState;
pub use crate::i18n::Lang;
// The screens' submodules reach the messages as `super::i18n`.
use crate::i18n;
pub use session::Viewer;

/// A menu entry: its message key, address and id (for `aria-current`).
pub struct MenuItem {
    pub label: &'static str,
    pub href: &'static str,
    pub id: &'static str,
}

pub struct MenuSection {
    pub title: &'static str,
    pub items: &'static [MenuItem],
}

/// The left menu of SPEC §3, in the seed's order.
pub const MENU: &[MenuSection] = &[
    MenuSection {
        title: "menu-devices",
        items: &[
            MenuItem {
                label: "menu-device-list",
                href: "/devices",
                id: "devices",
            },
            MenuItem {
                label: "menu-counters",
                href: "/counters",
                id: "counters",
            },
            MenuItem {
                label: "menu-department-counters",
                href: "/department-counters",
                id: "department-counters",
            },
            MenuItem {
                label: "menu-supplies",
                href: "/supplies",
                id: "supplies",
            },
        ],
    },
    MenuSection {
        title: "menu-settings",
        items: &[
            MenuItem {
                label: "menu-notifications",
                href: "/settings/notifications",
                id: "notifications",
            },
            MenuItem {
                label: "menu-groups",
                href: "/settings/groups",
                id: "groups",
            },
            MenuItem {
                label: "menu-paper-sizes",
                href: "/settings/paper-sizes",
                id: "paper-sizes",
            },
        ],
    },
    MenuSection {
        title: "menu-login-user",
        items: &[
            MenuItem {
                label: "menu-user-info",
                href: "/account/profile",
                id: "profile",
            },
            MenuItem {
                label: "menu-change-password",
                href: "/account/password",
                id: "password",
            },
            MenuItem {
                label: "menu-change-email",
                href: "/account/email",
                id: "email",
            },
        ],
    },
];

/// What every page template needs.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub lang: Lang,
    /// The session's CSRF token (or the login form's double-submit token).
    pub csrf: String,
    /// The menu entry to highlight.
    pub active: &'static str,
    /// The manual's section for this screen.
    pub topic: &'static str,
    pub user_name: String,
    /// Only the change-password screen is open (S3): no menu.
    pub restricted: bool,
    /// The password expires within the warning period: the date, said on every screen.
    pub expiry_warning: Option<String>,
    /// This page's path, for the language switch on pages without a login.
    pub here: String,
    pub css: String,
    pub js: String,
    pub favicon: String,
}

impl PageCtx {
    pub fn new(lang: Lang, csrf: String, active: &'static str, topic: &'static str) -> PageCtx {
        PageCtx {
            lang,
            csrf,
            active,
            topic,
            user_name: String::new(),
            restricted: false,
            expiry_warning: None,
            here: "/".into(),
            css: assets::url("app.css"),
            js: assets::url("app.js"),
            favicon: assets::url("favicon.svg"),
        }
    }

    pub fn t(&self, key: &str) -> String {
        i18n::t(self.lang, key)
    }

    pub fn t_args(&self, key: &str, args: &[(&'static str, String)]) -> String {
        i18n::t_args(self.lang, key, args)
    }

    pub fn menu(&self) -> &'static [MenuSection] {
        MENU
    }

    /// The language switch: each language named in itself.
    pub fn languages(&self) -> [(&'static str, String); 2] {
        [
            ("ja", self.t("language-name-ja")),
            ("en", self.t("language-name-en")),
        ]
    }
}

/// Renders a template, or a plain 500 if rendering fails (a bug: logged).
pub fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A form shown again with what was wrong in it: 422, so that a refused submission reads as
/// a refusal to every client, also one that does not read the page. The page is the same.
pub fn refused(mut response: Response) -> Response {
    if response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

#[derive(Template)]
#[template(path = "coming_soon.html")]
struct ComingSoon {
    ctx: PageCtx,
    title: &'static str,
    /// What the screen will do, and where to look meanwhile.
    body: &'static str,
    /// A screen that already answers part of the question: (address, message key).
    instead: Option<(&'static str, &'static str)>,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub ctx: PageCtx,
    pub title: &'static str,
    pub body: &'static str,
}

/// An error page for a logged-in user, inside the layout with the menu.
#[derive(Template)]
#[template(path = "error_in_layout.html")]
pub struct ErrorInLayout {
    pub ctx: PageCtx,
    pub title: &'static str,
    pub body: &'static str,
}

/// A page error: "not found" for anything a user may not see, or a generic failure. It
/// carries no language: [`errors_in_layout`] renders every error page once, in the
/// viewer's language (a guest's from the language cookie or the browser), so handlers
/// only say what went wrong, with `?`.
#[derive(Debug)]
pub enum PageError {
    NotFound,
    Internal(String),
}

impl PageError {
    pub fn internal(cause: impl std::fmt::Display) -> PageError {
        PageError::Internal(cause.to_string())
    }
}

impl From<meterport_store::StoreError> for PageError {
    fn from(e: meterport_store::StoreError) -> PageError {
        PageError::internal(e)
    }
}

/// A blocking task (password hashing) that did not finish.
impl From<tokio::task::JoinError> for PageError {
    fn from(e: tokio::task::JoinError) -> PageError {
        PageError::internal(e)
    }
}

impl From<crate::service::ServiceError> for PageError {
    fn from(e: crate::service::ServiceError) -> PageError {
        match e {
            crate::service::ServiceError::NotFound(_) => PageError::NotFound,
            other => PageError::internal(other),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, title, body) = match self {
            PageError::NotFound => (StatusCode::NOT_FOUND, "not-found-title", "not-found-body"),
            PageError::Internal(cause) => {
                tracing::error!(error = %cause, "page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "error-title",
                    "error-body",
                )
            }
        };
        // Rendered here in the default language only for a response that bypasses the
        // middleware; the middleware renders it again for the viewer.
        let page = ErrorPage {
            ctx: PageCtx::new(Lang::default(), String::new(), "", "top"),
            title,
            body,
        };
        let mut response = (status, render(&page)).into_response();
        response.extensions_mut().insert(BareError { title, body });
        response
    }
}

/// Marks an error page rendered without the menu (a handler does not always know its
/// viewer when it fails): [`errors_in_layout`] renders it again inside the layout when the
/// request comes from a logged-in user.
#[derive(Debug, Clone, Copy)]
struct BareError {
    title: &'static str,
    body: &'static str,
}

/// Middleware of the screens: an error page for a logged-in user keeps the menu and speaks
/// the user's language, so the way on is one click away, whichever screen failed.
pub async fn errors_in_layout(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let mut headers = HeaderMap::new();
    for name in [header::COOKIE, header::ACCEPT_LANGUAGE] {
        for value in request.headers().get_all(&name).iter() {
            headers.append(name.clone(), value.clone());
        }
    }
    let response = next.run(request).await;
    let Some(bare) = response.extensions().get::<BareError>().copied() else {
        return response;
    };
    let status = response.status();
    match session::current(&state, &headers).await {
        Some(viewer) => {
            let page = ErrorInLayout {
                ctx: viewer.ctx("", "top"),
                title: bare.title,
                body: bare.body,
            };
            (status, render(&page)).into_response()
        }
        None => {
            let page = ErrorPage {
                ctx: PageCtx::new(guest_lang(&headers), String::new(), "", "top"),
                title: bare.title,
                body: bare.body,
            };
            (status, render(&page)).into_response()
        }
    }
}

/// Screens of the menu that come with a later part of the product: an honest page, never a
/// broken link.
fn coming_soon_page(viewer: &Viewer, path: &str) -> Response {
    let (active, title) = MENU
        .iter()
        .flat_map(|s| s.items.iter())
        .find(|i| i.href == path)
        .map(|i| (i.id, i.label))
        .unwrap_or(("", "coming-soon-title"));
    let (body, instead) = match path {
        "/department-counters" => (
            "coming-soon-department-counters",
            Some(("/counters", "menu-counters")),
        ),
        _ => ("coming-soon-body", None),
    };
    render(&ComingSoon {
        ctx: viewer.ctx(active, active),
        title,
        body,
        instead,
    })
}

/// Menu entries whose screens are not built yet answer with the coming-soon page.
pub fn coming_soon_routes(paths: &[&'static str]) -> Router<AppState> {
    let mut r = Router::new();
    for path in paths {
        let p: &'static str = path;
        r = r.route(
            p,
            get(move |viewer: Viewer| async move { coming_soon_page(&viewer, p) }),
        );
    }
    r
}

#[derive(serde::Deserialize)]
struct LangQuery {
    next: Option<String>,
}

/// Switches the language before login (a cookie), then goes back where the user was.
async fn switch_lang(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let lang = Lang::parse(&code).unwrap_or_default();
    let next = redirect::local_or(q.next.as_deref(), "/login");
    (
        // HttpOnly and Secure over TLS like every cookie of ours: no script needs it.
        axum::response::AppendHeaders([
            (
                header::SET_COOKIE,
                state
                    .web
                    .cookie("mp_lang", lang.as_str(), Some(365 * 86_400)),
            ),
            // A choice made now, for this browser session: the next login saves it to the
            // profile (see `auth::submit`), then forgets it, so that it never overrides
            // the setting of a later user of the same browser.
            (
                header::SET_COOKIE,
                state.web.cookie(LANG_CHOSEN_COOKIE, lang.as_str(), None),
            ),
        ]),
        Redirect::to(&next),
    )
        .into_response()
}

/// The language a guest chose with the switch of the guest screens in this browser session,
/// not yet saved to a profile.
pub const LANG_CHOSEN_COOKIE: &str = "mp_lang_chosen";

/// The language of a request without a login: the language cookie, else the browser's.
pub fn guest_lang(headers: &HeaderMap) -> Lang {
    session::cookie(headers, "mp_lang")
        .and_then(|c| Lang::parse(&c))
        .unwrap_or_else(|| {
            i18n::from_accept_language(
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok()),
            )
        })
}

async fn root(State(state): State<AppState>, headers: HeaderMap) -> Redirect {
    match session::current(&state, &headers).await {
        Some(_) => Redirect::to("/welcome"),
        None => Redirect::to("/login"),
    }
}

/// An address the portal does not have; [`errors_in_layout`] renders it in the guest's language,
/// or inside the layout with the menu in the user's language.
async fn not_found() -> Response {
    PageError::NotFound.into_response()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(root))
        .route("/static/{file}", get(assets::serve))
        .route("/lang/{code}", get(switch_lang))
        .merge(manual::routes())
        .route("/login", get(auth::show).post(auth::submit))
        .route("/logout", axum::routing::post(auth::logout))
        .route("/welcome", get(account::welcome))
        .route(
            "/account/password",
            get(account::password_form).post(account::password_submit),
        )
        .route("/account/password/saved", get(account::password_saved))
        .route(
            "/account/profile",
            get(account::profile_form).post(account::profile_submit),
        )
        .route("/account/profile/saved", get(account::profile_saved))
        .route(
            "/account/language",
            axum::routing::post(account::language_submit),
        )
        .route(
            "/forgot-password",
            get(recovery::forgot_form).post(recovery::forgot_submit),
        )
        .route(
            "/reset-password/{token}",
            get(recovery::reset_form).post(recovery::reset_submit),
        )
        .route(
            "/account/email",
            get(email::email_form).post(email::email_submit),
        )
        .route("/account/email/sent", get(email::email_sent))
        .route("/account/email/confirm/{token}", get(email::email_confirm))
        .route("/account/email/confirmed", get(email::email_confirmed))
        .merge(counters::routes())
        .route("/devices", get(devices::list))
        .route("/devices/{id}", get(devices::show).post(devices::save))
        .route("/supplies", get(devices::supplies))
        .route("/settings/groups", get(groups::list))
        .route(
            "/settings/groups/new",
            get(groups::new_form).post(groups::create),
        )
        .route(
            "/settings/groups/delete",
            axum::routing::post(groups::delete),
        )
        .route(
            "/settings/groups/{id}",
            get(groups::edit_form).post(groups::update),
        )
        .route(
            "/settings/paper-sizes",
            get(settings::paper_form).post(settings::paper_submit),
        )
        .route(
            "/settings/notifications",
            get(settings::notifications_form).post(settings::notifications_submit),
        )
        .merge(coming_soon_routes(&["/department-counters"]))
        .fallback(not_found)
}
