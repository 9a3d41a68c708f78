//! Settings: paper sizes (S21, seed 7-2) and e-mail notification (S23).
//!
//! Paper sizes are the tenant's (every user of a company sees the same paper-size tab);
//! notification choices are each user's own.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use meterport_domain::counters::Key;
use meterport_domain::ids::{TenantId, UserId};
use meterport_store::notifications::{Event, NotificationError, NotificationSettings, Scope};

use super::form::{FieldErrors, FormData};
use super::i18n::t;
use super::session::Viewer;
use super::{PageCtx, PageError, render};
use crate::app::AppState;
use crate::i18n::key_label;
use crate::service::groups;
use crate::service::settings::{self, PaperSizesRefusal};

// ---------------------------------------------------------------------------------------------
// Paper sizes (S21)
// ---------------------------------------------------------------------------------------------

/// The sizes listed until a tenant chooses (S21), as the `tenants.paper_sizes` column's
/// default also says.
pub const DEFAULT_PAPER_SIZES: [&str; 4] = ["a3", "a4", "b4", "b5"];

pub struct SizeChoice {
    pub value: &'static str,
    pub label: String,
    pub checked: bool,
    pub default: bool,
}

#[derive(Template)]
#[template(path = "paper_sizes.html")]
struct PaperSizesPage {
    ctx: PageCtx,
    sizes: Vec<SizeChoice>,
    defaults: String,
    errors: FieldErrors,
    saved: bool,
    showing_defaults: bool,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct PaperParams {
    saved: Option<String>,
    defaults: Option<String>,
}

fn paper_page(
    viewer: &Viewer,
    checked: &[&str],
    errors: FieldErrors,
    saved: bool,
    showing_defaults: bool,
) -> PaperSizesPage {
    let lang = viewer.lang;
    let sizes = Key::paper_sizes()
        .iter()
        .filter_map(|k| {
            let value = k.paper_size()?;
            Some(SizeChoice {
                value,
                label: key_label(*k, lang),
                checked: checked.contains(&value),
                default: DEFAULT_PAPER_SIZES.contains(&value),
            })
        })
        .collect();
    let defaults = DEFAULT_PAPER_SIZES
        .iter()
        .filter_map(|s| Key::from_name(&format!("paper_{s}")))
        .map(|k| key_label(k, lang))
        .collect::<Vec<_>>()
        .join(", ");
    PaperSizesPage {
        ctx: viewer.ctx("paper-sizes", "paper-sizes"),
        sizes,
        defaults,
        errors,
        saved,
        showing_defaults,
    }
}

pub async fn paper_form(viewer: Viewer, Query(p): Query<PaperParams>) -> Response {
    let showing_defaults = p.defaults.is_some();
    let stored: Vec<&str> = viewer
        .tenant
        .paper_sizes
        .iter()
        .map(String::as_str)
        .collect();
    let checked: &[&str] = if showing_defaults {
        &DEFAULT_PAPER_SIZES
    } else {
        &stored
    };
    render(&paper_page(
        &viewer,
        checked,
        FieldErrors::default(),
        p.saved.is_some(),
        showing_defaults,
    ))
}

pub async fn paper_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, PageError> {
    let lang = viewer.lang;
    let form = FormData::parse(&body);
    let chosen = form.all("size");
    let mut errors = FieldErrors::default();
    if !viewer.csrf_ok(form.value("csrf")) {
        errors.add("form", t(lang, "csrf-failed"));
    }
    let sizes = match settings::check_paper_sizes(&chosen) {
        Ok(sizes) => Some(sizes),
        Err(refusal) => {
            let key = match refusal {
                PaperSizesRefusal::Unknown => "paper-sizes-unknown",
                PaperSizesRefusal::None => "paper-sizes-none",
            };
            errors.add("size", t(lang, key));
            None
        }
    };
    let Some(sizes) = sizes.filter(|_| errors.is_empty()) else {
        let offered: Vec<&str> = Key::paper_sizes()
            .iter()
            .filter_map(|k| k.paper_size())
            .collect();
        let valid: Vec<&str> = chosen.into_iter().filter(|c| offered.contains(c)).collect();
        return Ok(super::refused(render(&paper_page(
            &viewer, &valid, errors, false, false,
        ))));
    };
    settings::set_paper_sizes(
        &state.services,
        TenantId(viewer.tenant.id),
        &viewer.user.username,
        &sizes,
        state.now_ms(),
    )
    .await?;
    Ok(Redirect::to("/settings/paper-sizes?saved=1").into_response())
}

// ---------------------------------------------------------------------------------------------
// E-mail notification (S23)
// ---------------------------------------------------------------------------------------------

pub struct GroupChoice {
    pub id: i64,
    pub name: String,
    pub checked: bool,
}

/// One event's choice on the screen.
pub struct EventRow {
    /// `service_call`, `error`, `warning`: the form fields' prefix.
    pub event: &'static str,
    pub label: String,
    pub desc: String,
    /// `off`, `all` or `groups`.
    pub scope: &'static str,
    pub groups: Vec<GroupChoice>,
    /// "Selected groups" with none left (the chosen groups were deleted).
    pub no_group_left: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    ctx: PageCtx,
    events: Vec<EventRow>,
    tell_toner_admins: bool,
    email: Option<String>,
    has_groups: bool,
    errors: FieldErrors,
    saved: bool,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SavedParam {
    saved: Option<String>,
}

fn event_keys(event: Event) -> (&'static str, &'static str) {
    match event {
        Event::ServiceCall => ("notify-service-call", "notify-service-call-desc"),
        Event::Error => ("notify-error", "notify-error-desc"),
        Event::Warning => ("notify-warning", "notify-warning-desc"),
        Event::Late => ("notify-late", "notify-late-desc"),
    }
}

async fn notifications_page(
    state: &AppState,
    viewer: &Viewer,
    settings: &NotificationSettings,
    errors: FieldErrors,
    saved: bool,
) -> Result<NotificationsPage, PageError> {
    let lang = viewer.lang;
    let groups = groups::list_groups(&state.services, TenantId(viewer.tenant.id)).await?;
    let events = Event::ALL
        .into_iter()
        .map(|event| {
            let scope = settings.scope(event);
            let chosen: &[i64] = match scope {
                Scope::Groups(ids) => ids,
                _ => &[],
            };
            let (label, desc) = event_keys(event);
            EventRow {
                event: event.as_str(),
                label: t(lang, label),
                desc: t(lang, desc),
                scope: match scope {
                    Scope::Off => "off",
                    Scope::AllDevices => "all",
                    Scope::Groups(_) => "groups",
                },
                no_group_left: matches!(scope, Scope::Groups(ids) if !ids.iter().any(|id| groups.iter().any(|g| g.id == *id))),
                groups: groups
                    .iter()
                    .map(|g| GroupChoice {
                        id: g.id,
                        name: g.name.clone(),
                        checked: chosen.contains(&g.id),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(NotificationsPage {
        ctx: viewer.ctx("notifications", "notifications"),
        events,
        tell_toner_admins: settings.tell_toner_admins,
        email: viewer.user.email.clone(),
        has_groups: !groups.is_empty(),
        errors,
        saved,
    })
}

pub async fn notifications_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(p): Query<SavedParam>,
) -> Result<Response, PageError> {
    let settings = settings::notification_settings(
        &state.services,
        TenantId(viewer.tenant.id),
        UserId(viewer.user.id),
    )
    .await?;
    let page = notifications_page(
        &state,
        &viewer,
        &settings,
        FieldErrors::default(),
        p.saved.is_some(),
    )
    .await?;
    Ok(render(&page))
}

pub async fn notifications_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    body: Bytes,
) -> Result<Response, PageError> {
    let lang = viewer.lang;
    let form = FormData::parse(&body);
    let mut errors = FieldErrors::default();
    if !viewer.csrf_ok(form.value("csrf")) {
        errors.add("form", t(lang, "csrf-failed"));
    }
    let mut settings = NotificationSettings {
        tell_toner_admins: form.value("toner_admins") == "1",
        ..NotificationSettings::default()
    };
    for event in Event::ALL {
        let field = event.as_str();
        let groups = form.ids(&format!("{field}_group"));
        let scope = match (form.value(&format!("{field}_scope")), groups) {
            ("off", _) => Scope::Off,
            ("all", _) => Scope::AllDevices,
            ("groups", Some(ids)) if ids.is_empty() => {
                errors.add(field, t(lang, "notify-choose-group"));
                Scope::Groups(ids)
            }
            ("groups", Some(ids)) => Scope::Groups(ids),
            ("groups", None) => {
                errors.add(field, t(lang, "notify-group-unknown"));
                Scope::Groups(Vec::new())
            }
            _ => {
                errors.add(field, t(lang, "notify-choose-scope"));
                Scope::Off
            }
        };
        *settings.scope_mut(event) = scope;
    }
    if errors.is_empty() {
        match settings::set_notification_settings(
            &state.services,
            TenantId(viewer.tenant.id),
            UserId(viewer.user.id),
            &settings,
            state.now_ms(),
        )
        .await
        {
            Ok(()) => return Ok(Redirect::to("/settings/notifications?saved=1").into_response()),
            Err(NotificationError::UnknownGroups(bad)) => {
                for (event, _) in bad {
                    errors.add(event.as_str(), t(lang, "notify-group-unknown"));
                }
            }
            Err(NotificationError::Store(e)) => return Err(PageError::internal(e)),
        }
    }
    let page = notifications_page(&state, &viewer, &settings, errors, false).await?;
    Ok(super::refused(render(&page)))
}
