//! The welcome screen (S5, with the fleet at a glance), change password (S24) and user
//! information (S25).
//!
//! A refused form is shown again with each message next to its field, in the user's language,
//! and nothing is changed.

use meterport_domain::ids::{TenantId, UserId};
use std::sync::LazyLock;

use askama::Template;
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use meterport_domain::policy::check_password;
use meterport_domain::status::Status;
use meterport_store::announcements::Announcement;
use meterport_store::supplies::LOW_LEVEL_PERCENT;

use super::form::FieldErrors;
use super::session::Viewer;
use super::widgets::group_digits;
use super::{Lang, PageCtx, PageError, render};
use crate::app::AppState;
use crate::service::{account, devices};

// ---- Welcome (S5)

/// One figure of the fleet summary: a count that links to the list it counts.
pub struct FleetFigure {
    /// `service_call`, ..., `late`, `low`, `empty`: its CSS class (`fig-...`) and id.
    pub kind: &'static str,
    pub label: String,
    pub count: String,
    /// What else the figure says ("on 3 devices").
    pub detail: Option<String>,
    pub href: String,
    /// Something needs attention (a non-zero count of a kind that does).
    pub attention: bool,
}

#[derive(Template)]
#[template(path = "welcome.html")]
struct WelcomePage {
    ctx: PageCtx,
    username: String,
    previous_login: Option<String>,
    announcements: Vec<(String, String)>,
    total_devices: String,
    statuses: Vec<FleetFigure>,
    supplies: Vec<FleetFigure>,
}

/// The welcome screen's figures: devices by status, most severe first, then not reporting;
/// low and empty supplies. Each links to the device list or toner/ink screen it counts.
fn fleet_figures(
    lang: Lang,
    summary: &devices::FleetSummary,
) -> (Vec<FleetFigure>, Vec<FleetFigure>) {
    use super::i18n::{t, t_args};
    let counts = &summary.statuses;
    let mut statuses: Vec<FleetFigure> = [Status::ServiceCall, Status::Error, Status::Warning]
        .into_iter()
        .map(|s| FleetFigure {
            kind: s.as_str(),
            label: crate::i18n::status_label(s, lang),
            count: group_digits(counts.get(s)),
            detail: None,
            href: format!("/devices?status={}", s.as_str()),
            attention: counts.get(s) > 0,
        })
        .collect();
    statuses.push(FleetFigure {
        kind: "late",
        label: t(lang, "devices-not-reporting"),
        count: group_digits(counts.late),
        detail: None,
        href: "/devices?reporting=late".into(),
        attention: counts.late > 0,
    });
    statuses.extend(
        [Status::Unknown, Status::Normal]
            .into_iter()
            .map(|s| FleetFigure {
                kind: s.as_str(),
                label: crate::i18n::status_label(s, lang),
                count: group_digits(counts.get(s)),
                detail: None,
                href: format!("/devices?status={}", s.as_str()),
                attention: false,
            }),
    );
    let s = &summary.supplies;
    let on_devices = |n: i64| {
        t_args(
            lang,
            "welcome-fleet-on-devices",
            &[("count", group_digits(n))],
        )
    };
    let supplies = vec![
        FleetFigure {
            kind: "low",
            label: t_args(
                lang,
                "welcome-fleet-low",
                &[("limit", LOW_LEVEL_PERCENT.to_string())],
            ),
            count: group_digits(s.low_supplies),
            detail: Some(on_devices(s.low_devices)),
            href: "/supplies?supply=low".into(),
            attention: s.low_supplies > 0,
        },
        FleetFigure {
            kind: "empty",
            label: t(lang, "welcome-fleet-empty"),
            count: group_digits(s.empty_supplies),
            detail: Some(on_devices(s.empty_devices)),
            href: "/supplies?supply=empty".into(),
            attention: s.empty_supplies > 0,
        },
    ];
    (statuses, supplies)
}

pub async fn welcome(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    let now = state.now_ms();
    let lang = viewer.lang;
    let announcements: Vec<Announcement> =
        account::current_announcements(&state.services, now).await?;
    let summary = devices::fleet_summary(&state.services, TenantId(viewer.tenant.id), now).await?;
    let (statuses, supplies) = fleet_figures(lang, &summary);
    let page = WelcomePage {
        ctx: viewer.ctx("welcome", "welcome"),
        total_devices: group_digits(summary.statuses.total()),
        statuses,
        supplies,
        username: viewer.user.username.clone(),
        previous_login: viewer.user.previous_login_at.map(|t| viewer.datetime(t)),
        announcements: announcements
            .into_iter()
            .map(|a| {
                let text = match lang {
                    Lang::Ja => a.text_ja,
                    Lang::En => a.text_en,
                };
                (viewer.date(a.shown_from), text)
            })
            .collect(),
    };
    Ok(render(&page))
}

// ---- Change password (S24)

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    ctx: PageCtx,
    errors: FieldErrors,
    saved: bool,
    forced: bool,
}

pub async fn password_form(viewer: Viewer) -> Response {
    let forced = viewer.session.restricted;
    render(&PasswordPage {
        ctx: viewer.ctx("password", "password"),
        errors: FieldErrors::default(),
        saved: false,
        forced,
    })
}

#[derive(serde::Deserialize)]
pub struct PasswordForm {
    csrf: String,
    current_password: String,
    new_password: String,
    confirmation: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    let lang = viewer.lang;
    let mut errors = FieldErrors::default();
    if !viewer.csrf_ok(&form.csrf) {
        errors.add("form", super::i18n::t(lang, "csrf-failed"));
    }
    let current_ok = account::is_current_password(&viewer.user, &form.current_password).await?;
    if form.current_password.is_empty() {
        errors.add(
            "current_password",
            super::i18n::t(lang, "password-current-required"),
        );
    } else if !current_ok {
        errors.add(
            "current_password",
            super::i18n::t(lang, "password-current-wrong"),
        );
    }
    if let Err(policy) = check_password(
        &form.new_password,
        current_ok.then_some(form.current_password.as_str()),
        Some(&form.confirmation),
    ) {
        for (field, msg) in FieldErrors::from_policy(lang, &policy).0 {
            errors.add(field, msg);
        }
    }
    if !errors.is_empty() {
        let forced = viewer.session.restricted;
        return Ok(super::refused(render(&PasswordPage {
            ctx: viewer.ctx("password", "password"),
            errors,
            saved: false,
            forced,
        })));
    }
    account::change_password(
        &state.services,
        me(&viewer),
        &form.new_password,
        state.now_ms(),
    )
    .await?;
    Ok(Redirect::to("/account/password/saved").into_response())
}

pub async fn password_saved(viewer: Viewer) -> Response {
    render(&PasswordPage {
        ctx: viewer.ctx("password", "password"),
        errors: FieldErrors::default(),
        saved: true,
        forced: false,
    })
}

// ---- User information (S25)

/// Region and format choices (number and date formats follow them), each with the message
/// that names it (in its own language, whatever the page's).
pub const LOCALES: [(&str, &str); 4] = [
    ("ja-JP", "locale-name-ja-jp"),
    ("en-US", "locale-name-en-us"),
    ("en-GB", "locale-name-en-gb"),
    ("en-AU", "locale-name-en-au"),
];

/// The IANA zones the database knows, sorted.
static ZONES: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut zones: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.as_str().to_string())
        .filter(|n| n.contains('/') && !n.starts_with("Etc/") && !n.starts_with("SystemV/"))
        .collect();
    zones.push("UTC".into());
    zones.sort();
    zones.dedup();
    zones
});

/// The short list of the time-zone field, as the seed's screen offered it ("(UTC+09:00)
/// Osaka, Sapporo, Tokyo"): common zones of the portal's customers and their partners, each
/// with the message naming its cities (`tz-` and the zone's name in lower case, `/` and `_`
/// as `-`). Every other zone of the database follows in a second group.
pub const COMMON_ZONES: [&str; 26] = [
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/Mexico_City",
    "America/New_York",
    "America/Sao_Paulo",
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Athens",
    "Europe/Moscow",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Bangkok",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Australia/Perth",
    "Australia/Sydney",
    "Pacific/Auckland",
];

/// The message key of a common zone's cities.
pub fn zone_cities_key(zone: &str) -> String {
    format!("tz-{}", zone.to_ascii_lowercase().replace(['/', '_'], "-"))
}

/// A zone's offset from UTC at `now_ms`, as "UTC+09:00": computed from the time-zone
/// database at the current date, so that summer time shows as it is today.
pub fn utc_offset(zone: &str, now_ms: i64) -> String {
    let offset = jiff::tz::TimeZone::get(zone)
        .ok()
        .zip(jiff::Timestamp::from_millisecond(now_ms).ok())
        .map(|(tz, now)| tz.to_offset(now).seconds())
        .unwrap_or(0);
    let sign = if offset < 0 { '-' } else { '+' };
    let minutes = offset.abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

/// One choice of the time-zone field.
pub struct ZoneChoice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

/// The time-zone field's two groups: the common zones by their offset today with their
/// cities in the user's language, then every zone of the database by name, each with its
/// offset. The chosen zone is selected in the first group that has it.
fn zone_choices(lang: Lang, chosen: &str, now_ms: i64) -> (Vec<ZoneChoice>, Vec<ZoneChoice>) {
    let offset_seconds = |zone: &str| {
        jiff::tz::TimeZone::get(zone)
            .ok()
            .zip(jiff::Timestamp::from_millisecond(now_ms).ok())
            .map(|(tz, now)| tz.to_offset(now).seconds())
            .unwrap_or(0)
    };
    let mut common: Vec<(i32, usize, ZoneChoice)> = COMMON_ZONES
        .iter()
        .enumerate()
        .map(|(i, zone)| {
            let label = format!(
                "({}) {}",
                utc_offset(zone, now_ms),
                super::i18n::t(lang, &zone_cities_key(zone))
            );
            let choice = ZoneChoice {
                value: zone,
                label,
                selected: *zone == chosen,
            };
            (offset_seconds(zone), i, choice)
        })
        .collect();
    common.sort_by_key(|(offset, i, _)| (*offset, *i));
    let in_common = COMMON_ZONES.contains(&chosen);
    let all = ZONES
        .iter()
        .map(|zone| ZoneChoice {
            value: zone.as_str(),
            label: format!("({}) {zone}", utc_offset(zone, now_ms)),
            selected: !in_common && zone == chosen,
        })
        .collect();
    (common.into_iter().map(|(_, _, c)| c).collect(), all)
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    ctx: PageCtx,
    username: String,
    email: String,
    first_name: String,
    last_name: String,
    language: String,
    locale: String,
    /// The common zones, then every zone (see [`zone_choices`]).
    common_zones: Vec<ZoneChoice>,
    all_zones: Vec<ZoneChoice>,
    locales: Vec<(&'static str, String)>,
    errors: FieldErrors,
    saved: bool,
}

impl ProfilePage {
    /// The name fields in the order of the display language: family name first in Japanese,
    /// given name first in English (as the header shows the name).
    fn name_fields(&self) -> [(&'static str, &'static str, &'static str, &str); 2] {
        let last = (
            "last_name",
            "profile-last-name",
            "family-name",
            self.last_name.as_str(),
        );
        let first = (
            "first_name",
            "profile-first-name",
            "given-name",
            self.first_name.as_str(),
        );
        match self.ctx.lang {
            Lang::Ja => [last, first],
            Lang::En => [first, last],
        }
    }
}

fn profile_page(
    viewer: &Viewer,
    form: Option<&ProfileForm>,
    errors: FieldErrors,
    saved: bool,
    now_ms: i64,
) -> ProfilePage {
    let u = &viewer.user;
    let timezone = form.map(|f| f.timezone.clone()).unwrap_or_else(|| {
        u.timezone
            .clone()
            .unwrap_or_else(|| viewer.tenant.timezone.clone())
    });
    let (common_zones, all_zones) = zone_choices(viewer.lang, &timezone, now_ms);
    ProfilePage {
        ctx: viewer.ctx("profile", "profile"),
        username: u.username.clone(),
        email: u.email.clone().unwrap_or_default(),
        first_name: form
            .map(|f| f.first_name.clone())
            .unwrap_or_else(|| u.first_name.clone()),
        last_name: form
            .map(|f| f.last_name.clone())
            .unwrap_or_else(|| u.last_name.clone()),
        language: form
            .map(|f| f.language.clone())
            .unwrap_or_else(|| u.language.clone()),
        locale: form
            .map(|f| f.locale.clone())
            .unwrap_or_else(|| u.locale.clone()),
        common_zones,
        all_zones,
        locales: LOCALES
            .iter()
            .map(|(code, id)| (*code, super::i18n::t(viewer.lang, id)))
            .collect(),
        errors,
        saved,
    }
}

pub async fn profile_form(State(state): State<AppState>, viewer: Viewer) -> Response {
    let now = state.now_ms();
    render(&profile_page(
        &viewer,
        None,
        FieldErrors::default(),
        false,
        now,
    ))
}

pub async fn profile_saved(State(state): State<AppState>, viewer: Viewer) -> Response {
    let now = state.now_ms();
    render(&profile_page(
        &viewer,
        None,
        FieldErrors::default(),
        true,
        now,
    ))
}

#[derive(serde::Deserialize)]
pub struct ProfileForm {
    csrf: String,
    first_name: String,
    last_name: String,
    language: String,
    locale: String,
    timezone: String,
}

fn check_name(lang: Lang, field: &'static str, value: &str, errors: &mut FieldErrors) {
    let v = value.trim();
    if v.is_empty() {
        errors.add(field, super::i18n::t(lang, "profile-name-required"));
    } else if v.chars().count() > 50 {
        errors.add(field, super::i18n::t(lang, "profile-name-too-long"));
    } else if v.chars().any(meterport_domain::policy::is_control_char) {
        errors.add(field, super::i18n::t(lang, "profile-name-invalid"));
    }
}

pub async fn profile_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    Form(form): Form<ProfileForm>,
) -> Result<Response, PageError> {
    let lang = viewer.lang;
    let mut errors = FieldErrors::default();
    if !viewer.csrf_ok(&form.csrf) {
        errors.add("form", super::i18n::t(lang, "csrf-failed"));
    }
    check_name(lang, "first_name", &form.first_name, &mut errors);
    check_name(lang, "last_name", &form.last_name, &mut errors);
    if Lang::parse(&form.language).is_none() {
        errors.add("language", super::i18n::t(lang, "profile-choose-from-list"));
    }
    if !LOCALES.iter().any(|(code, _)| *code == form.locale) {
        errors.add("locale", super::i18n::t(lang, "profile-choose-from-list"));
    }
    if !ZONES.contains(&form.timezone) {
        errors.add("timezone", super::i18n::t(lang, "profile-choose-from-list"));
    }
    if !errors.is_empty() {
        return Ok(super::refused(render(&profile_page(
            &viewer,
            Some(&form),
            errors,
            false,
            state.now_ms(),
        ))));
    }
    // The tenant's zone is stored as "no zone of one's own", so that a change of the
    // tenant's zone carries over.
    let timezone = (form.timezone != viewer.tenant.timezone).then_some(form.timezone.as_str());
    let profile = account::Profile {
        first_name: form.first_name.trim(),
        last_name: form.last_name.trim(),
        language: &form.language,
        locale: &form.locale,
        timezone,
    };
    account::update_profile(&state.services, me(&viewer), profile, state.now_ms()).await?;
    Ok(Redirect::to("/account/profile/saved").into_response())
}

// ---- The header's language switch (S25)

#[derive(serde::Deserialize)]
pub struct LanguageForm {
    csrf: String,
    language: String,
    /// The page the switch was pressed on (empty on a form's answer).
    #[serde(default)]
    next: String,
}

/// Saves the display language chosen in the header to the profile and shows the same page
/// again in it: the page's own address, else the one the browser came from, else the
/// welcome screen. A refused switch (an expired form, a language the portal does not
/// have) changes nothing and is explained on the user information screen, by the field.
pub async fn language_submit(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    Form(form): Form<LanguageForm>,
) -> Result<Response, PageError> {
    let lang = viewer.lang;
    let mut errors = FieldErrors::default();
    if !viewer.csrf_ok(&form.csrf) {
        errors.add("form", super::i18n::t(lang, "csrf-failed"));
    }
    let chosen = Lang::parse(&form.language);
    if chosen.is_none() {
        errors.add("language", super::i18n::t(lang, "profile-choose-from-list"));
    }
    let Some(chosen) = chosen.filter(|_| errors.is_empty()) else {
        return Ok(super::refused(render(&profile_page(
            &viewer,
            None,
            errors,
            false,
            state.now_ms(),
        ))));
    };
    account::set_language(
        &state.services,
        me(&viewer),
        chosen.as_str(),
        state.now_ms(),
    )
    .await?;
    let referer = headers
        .get(axum::http::header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .map(|u| u[url::Position::BeforePath..].to_string());
    let candidate = Some(form.next.as_str())
        .filter(|n| !n.is_empty())
        .or(referer.as_deref());
    let next = super::redirect::local_or(candidate, "/welcome");
    // The guest screens (login, manual before login) speak it too after logout.
    Ok((
        [(
            axum::http::header::SET_COOKIE,
            state
                .web
                .cookie("mp_lang", chosen.as_str(), Some(365 * 86_400)),
        )],
        Redirect::to(&next),
    )
        .into_response())
}

/// The viewer as the account use cases name who acts.
fn me(viewer: &Viewer) -> account::Me<'_> {
    account::Me {
        tenant_id: TenantId(viewer.tenant.id),
        user_id: UserId(viewer.user.id),
        username: &viewer.user.username,
        session_id: &viewer.session_id,
    }
}
