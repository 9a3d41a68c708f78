//! The device list (S7-S10), the device information screen (S11) and the toner/ink stock
//! screen (S28), plus what the settings screens share with them: the group selector, the
//! device-type-and-status icon, paging, and forms whose fields repeat (checkbox lists).
//!
//! Every list is one page of rows from the store (sorted and counted in SQL), so a fleet of
//! 10,000 devices costs the same as one of ten. The conditions of a list (group, filter,
//! status, sort, page) live in the URL: a list can be bookmarked, shared and reloaded.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use meterport_domain::counters::{DeviceClass, Key};
use meterport_domain::device::{DeviceType, Protocol};
use meterport_domain::ids::{DeviceId, TenantId};
use meterport_domain::labels::{self, View};
use meterport_domain::person::display_name;
use meterport_domain::reporting::Reporting;
use meterport_domain::status::{Severity, Status};
use meterport_domain::supply_forecast::Forecast;
use meterport_store::counters::GroupFilter;
use meterport_store::device_settings::{DeviceListQuery, DeviceSort};
use meterport_store::groups::Group;
use meterport_store::supplies::{
    LOW_LEVEL_PERCENT, Supply, SupplyFilter, SupplyKind, SupplyReport, SupplyState,
};

use super::form::{FieldErrors, FormData};
use super::i18n::{self, t};
use super::session::{Viewer, urlencode};
use super::widgets::{group_digits, number, page_bounds, pages_to_link};
use super::{Lang, PageCtx, PageError, render};
use crate::app::AppState;
use crate::service::devices::{self, SaveError};
use crate::service::groups;
use crate::service::supplies as supply_forecasts;

/// Rows per page of the device list and the supplies screen.
pub const PAGE_SIZE: i64 = 100;

// ---------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------

/// A choice of the group selector (S7): all devices, devices in no group, or a group.
pub struct GroupOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The selector's options, `selected` marked; the groups in their list order (by name).
pub fn group_options(lang: Lang, groups: &[Group], selected: GroupFilter) -> Vec<GroupOption> {
    let mut options = vec![
        GroupOption {
            value: "all".into(),
            label: t(lang, "group-all-devices"),
            selected: selected == GroupFilter::All,
        },
        GroupOption {
            value: "none".into(),
            label: t(lang, "group-no-group-devices"),
            selected: selected == GroupFilter::NoGroup,
        },
    ];
    options.extend(groups.iter().map(|g| GroupOption {
        value: g.id.to_string(),
        label: g.name.clone(),
        selected: selected == GroupFilter::Group(g.id),
    }));
    options
}

/// The group selection of a query parameter. A group that is not one of the tenant's
/// (deleted since the link was made, or another tenant's) falls back to all devices, and
/// the page says so: the same answer whether the group exists elsewhere or not (T1).
pub fn group_selection(raw: Option<&str>, groups: &[Group]) -> (GroupFilter, bool) {
    match raw.map(GroupFilter::parse) {
        None => (GroupFilter::All, false),
        Some(Some(GroupFilter::Group(id))) if !groups.iter().any(|g| g.id == id) => {
            (GroupFilter::All, true)
        }
        Some(Some(filter)) => (filter, false),
        Some(None) => (GroupFilter::All, true),
    }
}

pub fn group_param(filter: GroupFilter) -> String {
    match filter {
        GroupFilter::All => "all".into(),
        GroupFilter::NoGroup => "none".into(),
        GroupFilter::Group(id) => id.to_string(),
    }
}

/// The icon of a device (S8, S9): its type's picture, with the status as a badge; an
/// unknown device is drawn faded. The symbols are in `templates/device_icons.html`.
#[derive(Debug, Clone)]
pub struct Icon {
    /// `mono_mfp`, ... (the symbol `#dt-<kind>`)
    pub kind: &'static str,
    /// `normal`, `error`, ... (the badge `#ds-<status>`, and the CSS class `st-<status>`)
    pub status: &'static str,
    pub badge: bool,
    /// "Colour MFP, Error": the icon's text for screen readers.
    pub label: String,
}

impl Icon {
    pub fn new(lang: Lang, kind: DeviceType, status: Status) -> Icon {
        Icon {
            kind: kind.as_str(),
            status: status.as_str(),
            badge: !matches!(status, Status::Normal | Status::Unknown),
            label: format!("{}, {}", type_label(lang, kind), status_label(lang, status)),
        }
    }
}

pub fn status_label(lang: Lang, status: Status) -> String {
    i18n::status_label(status, lang)
}

pub fn type_label(lang: Lang, kind: DeviceType) -> String {
    i18n::type_label(kind, lang)
}

/// Only an absolute http(s) address becomes a link (S10): the operator API validates the
/// address when the device is registered, and this check keeps a `javascript:` URL from ever
/// reaching an `href`, whatever the database holds.
pub fn remote_ui_link(url: Option<&str>) -> Option<String> {
    let url = url?.trim();
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("http://") || lower.starts_with("https://")).then(|| url.to_string())
}

/// One link of a pager.
pub struct PageLink {
    pub label: String,
    pub href: String,
    pub current: bool,
    /// Pages are left out before this one ("…").
    pub gap_before: bool,
}

/// Paging of a long list: "101-200 of 10,000" and links to nearby pages.
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub summary: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub links: Vec<PageLink>,
}

impl Pager {
    /// `page` is 1-based and already clamped to `1..=pages`.
    pub fn new(lang: Lang, total: i64, page: i64, url: impl Fn(i64) -> String) -> Pager {
        let (first, last, pages) = page_bounds(total as usize, page as usize, PAGE_SIZE as usize);
        let [first, last, pages] = [first, last, pages].map(|n| n as i64);
        let summary = i18n::t_args(
            lang,
            "list-range",
            &[
                ("first", group_digits(first)),
                ("last", group_digits(last)),
                ("total", group_digits(total)),
            ],
        );
        // The first and last pages and two on either side of this one.
        let numbers: Vec<i64> = pages_to_link(page as usize, pages as usize)
            .into_iter()
            .map(|n| n as i64)
            .collect();
        let links = numbers
            .iter()
            .enumerate()
            .map(|(i, &n)| PageLink {
                label: n.to_string(),
                href: url(n),
                current: n == page,
                gap_before: i > 0 && numbers[i - 1] + 1 < n,
            })
            .collect();
        Pager {
            page,
            pages,
            summary,
            prev: (page > 1).then(|| url(page - 1)),
            next: (page < pages).then(|| url(page + 1)),
            links,
        }
    }
}

fn pages_for(total: i64) -> i64 {
    page_bounds(total as usize, 1, PAGE_SIZE as usize).2 as i64
}

fn page_param(raw: Option<&str>) -> i64 {
    raw.and_then(|p| p.trim().parse::<i64>().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
}

// ---------------------------------------------------------------------------------------------
// Device list (S7-S10)
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListParams {
    group: Option<String>,
    q: Option<String>,
    status: Option<String>,
    reporting: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    page: Option<String>,
}

/// The list's conditions, parsed; they make every link of the page. A list shows one status
/// or the devices not reporting (`reporting=late`, whatever their status), as its chips do.
#[derive(Debug, Clone)]
struct ListState {
    group: GroupFilter,
    q: String,
    status: Option<Status>,
    reporting: Option<Reporting>,
    sort: DeviceSort,
    descending: bool,
    page: i64,
}

impl ListState {
    fn url(&self) -> String {
        let mut url = format!("/devices?group={}", group_param(self.group));
        if !self.q.is_empty() {
            url.push_str(&format!("&q={}", urlencode(&self.q)));
        }
        if let Some(s) = self.status {
            url.push_str(&format!("&status={}", s.as_str()));
        }
        if let Some(r) = self.reporting {
            url.push_str(&format!("&reporting={}", r.as_str()));
        }
        url.push_str(&format!(
            "&sort={}&dir={}",
            self.sort.as_str(),
            if self.descending { "desc" } else { "asc" }
        ));
        if self.page > 1 {
            url.push_str(&format!("&page={}", self.page));
        }
        url
    }

    fn with(&self, change: impl FnOnce(&mut ListState)) -> String {
        let mut next = self.clone();
        change(&mut next);
        next.url()
    }
}

/// Which way a heading sorts first: the status most severe first (what needs attention),
/// everything else A to Z (the last report: the devices not reporting first, then the
/// oldest report).
fn first_direction_is_descending(sort: DeviceSort) -> bool {
    sort == DeviceSort::Status
}

pub struct Heading {
    pub label: String,
    pub href: String,
    /// `ascending`, `descending` or `none` (for `aria-sort`).
    pub aria_sort: &'static str,
    pub arrow: &'static str,
    pub class: &'static str,
}

pub struct StatusChip {
    pub status: &'static str,
    pub label: String,
    pub count: String,
    pub href: String,
    pub current: bool,
}

pub struct DeviceListRow {
    pub id: i64,
    pub name: String,
    pub serial: String,
    pub icon: Icon,
    pub status: &'static str,
    pub status_label: String,
    /// Not reporting: its own badge beside the status.
    pub late: bool,
    /// When the portal last heard from the device, as the user reads it.
    pub last_report: Option<String>,
    pub remote_ui: Option<String>,
    pub product: String,
    pub building: String,
    pub location: String,
    pub group: String,
}

#[derive(Template)]
#[template(path = "devices.html")]
struct DevicesPage {
    ctx: PageCtx,
    groups: Vec<GroupOption>,
    group_fallback: bool,
    q: String,
    status: String,
    reporting: &'static str,
    sort: &'static str,
    dir: &'static str,
    chips: Vec<StatusChip>,
    late_chip: StatusChip,
    headings: Vec<Heading>,
    rows: Vec<DeviceListRow>,
    pager: Pager,
    filtered: bool,
    clear_href: String,
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(p): Query<ListParams>,
) -> Result<Response, PageError> {
    let lang = viewer.lang;
    let tenant = viewer.tenant.id;
    let svc = &state.services;
    let groups = groups::list_groups(svc, TenantId(tenant)).await?;
    let (group, group_fallback) = group_selection(p.group.as_deref(), &groups);
    let sort = p
        .sort
        .as_deref()
        .and_then(DeviceSort::parse)
        .unwrap_or_default();
    let descending = match p.dir.as_deref() {
        Some("desc") => true,
        Some("asc") => false,
        _ => first_direction_is_descending(sort),
    };
    let q: String =
        p.q.as_deref()
            .unwrap_or("")
            .trim()
            .chars()
            .take(100)
            .collect();
    // The list offers the devices not reporting (`reporting=late`); the others are the
    // statuses' lists.
    let reporting = p
        .reporting
        .as_deref()
        .and_then(Reporting::parse)
        .filter(|r| *r == Reporting::Late);
    // One filter at a time, as the chips set them: the devices not reporting, or a status.
    let status = p
        .status
        .as_deref()
        .and_then(Status::parse)
        .filter(|_| reporting.is_none());
    let now = state.now_ms();
    let mut st = ListState {
        group,
        q,
        status,
        reporting,
        sort,
        descending,
        page: page_param(p.page.as_deref()),
    };

    let text = (!st.q.is_empty()).then_some(st.q.as_str());
    let counts = devices::status_counts(svc, TenantId(tenant), group, text, now).await?;
    let total = match (status, reporting) {
        (_, Some(_)) => counts.late,
        (Some(s), None) => counts.get(s),
        (None, None) => counts.total(),
    };
    // A page past the end (the list shrank since the link was made) shows the last page.
    st.page = st.page.min(pages_for(total));
    let rows = devices::device_page(
        svc,
        TenantId(tenant),
        &DeviceListQuery {
            group,
            text: text.map(str::to_string),
            status,
            reporting,
            now,
            sort,
            descending,
            limit: PAGE_SIZE,
            offset: (st.page - 1) * PAGE_SIZE,
        },
    )
    .await?;

    let mut chips = vec![StatusChip {
        status: "all",
        label: t(lang, "devices-all-statuses"),
        count: group_digits(counts.total()),
        href: st.with(|s| {
            s.status = None;
            s.reporting = None;
            s.page = 1;
        }),
        current: status.is_none() && reporting.is_none(),
    }];
    // Most severe first, as a fleet manager reads them.
    for s in [
        Status::ServiceCall,
        Status::Error,
        Status::Warning,
        Status::Unknown,
        Status::Normal,
    ] {
        chips.push(StatusChip {
            status: s.as_str(),
            label: status_label(lang, s).to_string(),
            count: group_digits(counts.get(s)),
            href: st.with(|x| {
                x.status = Some(s);
                x.reporting = None;
                x.page = 1;
            }),
            current: status == Some(s),
        });
    }
    // Not reporting cuts across the statuses: its own chip, after them.
    let late_chip = StatusChip {
        status: "late",
        label: t(lang, "devices-not-reporting"),
        count: group_digits(counts.late),
        href: st.with(|x| {
            x.status = None;
            x.reporting = Some(Reporting::Late);
            x.page = 1;
        }),
        current: reporting == Some(Reporting::Late),
    };

    let columns = [
        (DeviceSort::Name, "devices-col-name", ""),
        (DeviceSort::Status, "devices-col-status", ""),
        (DeviceSort::RemoteUi, "devices-col-remote-ui", "center"),
        (DeviceSort::Product, "devices-col-product", ""),
        (DeviceSort::Building, "devices-col-building", ""),
        (DeviceSort::Location, "devices-col-location", ""),
        (DeviceSort::Group, "devices-col-group", ""),
        (DeviceSort::LastReport, "devices-col-last-report", ""),
    ];
    let headings = columns
        .into_iter()
        .map(|(key, label, class)| {
            let current = key == sort;
            let next_desc = if current {
                !descending
            } else {
                first_direction_is_descending(key)
            };
            Heading {
                label: t(lang, label),
                href: st.with(|s| {
                    s.sort = key;
                    s.descending = next_desc;
                    s.page = 1;
                }),
                aria_sort: match (current, descending) {
                    (false, _) => "none",
                    (true, false) => "ascending",
                    (true, true) => "descending",
                },
                arrow: match (current, descending) {
                    (false, _) => "",
                    (true, false) => "▲",
                    (true, true) => "▼",
                },
                class,
            }
        })
        .collect();

    let rows = rows
        .into_iter()
        .map(|d| DeviceListRow {
            icon: Icon::new(lang, d.device_type, d.status),
            status: d.status.as_str(),
            status_label: status_label(lang, d.status),
            late: d.late,
            last_report: d.last_report_at.map(|at| viewer.datetime(at)),
            remote_ui: remote_ui_link(d.remote_ui_url.as_deref()),
            id: d.id,
            name: d.name,
            serial: d.serial,
            product: d.product,
            building: d.building.unwrap_or_default(),
            location: d.location.unwrap_or_default(),
            group: d.group.map(|(_, n)| n).unwrap_or_default(),
        })
        .collect();
    let pager = Pager::new(lang, total, st.page, |n| st.with(|s| s.page = n));
    let page = DevicesPage {
        ctx: viewer.ctx("devices", "devices"),
        groups: group_options(lang, &groups, group),
        group_fallback,
        status: status.map(|s| s.as_str()).unwrap_or("").to_string(),
        reporting: reporting.map(Reporting::as_str).unwrap_or(""),
        sort: sort.as_str(),
        dir: if descending { "desc" } else { "asc" },
        filtered: !st.q.is_empty()
            || status.is_some()
            || reporting.is_some()
            || group != GroupFilter::All,
        clear_href: "/devices".into(),
        q: st.q.clone(),
        chips,
        late_chip,
        headings,
        rows,
        pager,
    };
    Ok(render(&page))
}

// ---------------------------------------------------------------------------------------------
// Device information (S11)
// ---------------------------------------------------------------------------------------------

pub struct ConditionRow {
    pub severity: &'static str,
    pub severity_label: String,
    pub code: String,
    /// What the screen says: the condition in the user's language where its code is known,
    /// else the device's message, else the code.
    pub label: String,
    /// The device's own message, shown as a detail under a label of ours (empty when the
    /// label is that message).
    pub message: String,
    pub since: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct CounterSection {
    pub title: String,
    pub rows: Vec<(String, String)>,
}

/// A supply as the screens draw it.
pub struct SupplyView {
    /// What the screens call it: its kind and colour in the user's language where the device
    /// reports both ("シアントナー", "Cyan toner"), else the device's own text.
    pub label: String,
    /// The device's own text ("cyan toner", "PFI-1700 MBK"), shown as a detail beside a
    /// label of ours; empty when the label is that text.
    pub device_text: String,
    /// The device's text as the detail's tooltip ("As the device names it: ...").
    pub device_title: String,
    /// The label is ours (kind and colour known): the kind is in it already.
    pub known: bool,
    pub kind: String,
    /// The CSS colour class of its bar (`sc-cyan`; `sc-none` when it names no colour).
    pub color_class: String,
    pub level: Option<i64>,
    pub level_text: String,
    pub low: bool,
    /// When it is expected to run out (B1), where the screen shows it.
    pub forecast: Option<ForecastView>,
}

/// When a supply is expected to run out, as the screens say it (B1): a day, or why there is
/// none. Never a level: "some remaining" has no percentage to forecast from.
pub struct ForecastView {
    /// `date`, `not-enough-data` or `not-falling`: its CSS class (`fc-...`).
    pub kind: &'static str,
    /// The day as the user reads it, and as `YYYY-MM-DD` for `<time datetime>`.
    pub day: Option<(String, String)>,
    /// "(in 12 days)", "today"...; or why there is no day.
    pub text: String,
    /// What the words mean, as the element's tooltip.
    pub title: String,
}

impl ForecastView {
    /// `today` is the day of now in the zone the forecast's day is in (the tenant's).
    pub fn new(viewer: &Viewer, today: jiff::civil::Date, forecast: Forecast) -> ForecastView {
        let lang = viewer.lang;
        match forecast {
            Forecast::EmptyOn(day) => {
                let days = (day - today).get_days();
                ForecastView {
                    kind: "date",
                    day: Some((viewer.day(day), day.to_string())),
                    text: match days {
                        ..=0 => t(lang, "supply-forecast-today"),
                        1 => t(lang, "supply-forecast-tomorrow"),
                        n => i18n::t_args(
                            lang,
                            "supply-forecast-in-days",
                            &[("days", group_digits(i64::from(n)))],
                        ),
                    },
                    title: t(lang, "supply-forecast-date-title"),
                }
            }
            Forecast::NotEnoughData => ForecastView {
                kind: "not-enough-data",
                day: None,
                text: t(lang, "supply-forecast-not-enough-data"),
                title: t(lang, "supply-forecast-not-enough-data-title"),
            },
            Forecast::NotFalling => ForecastView {
                kind: "not-falling",
                day: None,
                text: t(lang, "supply-forecast-not-falling"),
                title: t(lang, "supply-forecast-not-falling-title"),
            },
        }
    }
}

impl SupplyView {
    pub fn new(lang: Lang, s: &Supply) -> SupplyView {
        let kind = match s.kind {
            SupplyKind::Toner => "supply-kind-toner",
            SupplyKind::Ink => "supply-kind-ink",
            SupplyKind::Drum => "supply-kind-drum",
            SupplyKind::Other => "supply-kind-other",
        };
        let label_key = match s.kind {
            SupplyKind::Toner => Some("supply-label-toner"),
            SupplyKind::Ink => Some("supply-label-ink"),
            SupplyKind::Drum => Some("supply-label-drum"),
            SupplyKind::Other => None,
        };
        let known = label_key.zip(
            s.color
                .as_deref()
                .filter(|c| meterport_domain::device::SUPPLY_COLORS.contains(c)),
        );
        let (label, device_text) = match known {
            Some((key, color)) => {
                let label = i18n::t_args(
                    lang,
                    key,
                    &[("color", i18n::supply_color_label(color, lang))],
                );
                // The device's text adds nothing when it says the same words.
                let same = s.name.trim().eq_ignore_ascii_case(label.trim());
                (label, if same { String::new() } else { s.name.clone() })
            }
            None => (s.name.clone(), String::new()),
        };
        SupplyView {
            known: known.is_some(),
            device_title: if device_text.is_empty() {
                String::new()
            } else {
                i18n::t_args(lang, "supply-device-text", &[("text", device_text.clone())])
            },
            label,
            device_text,
            kind: t(lang, kind),
            color_class: format!("sc-{}", s.color.as_deref().unwrap_or("none")),
            level: s.level_percent,
            // Without a percentage, what the device said of it: "some remaining" is never
            // shown as a number (Printer-MIB level -3), an empty one says so.
            level_text: match (s.level_percent, s.state()) {
                (Some(l), _) => format!("{l}%"),
                (None, SupplyState::SomeRemaining) => t(lang, "supply-level-some-remaining"),
                (None, SupplyState::Empty) => t(lang, "supply-level-empty"),
                (None, SupplyState::Low) => t(lang, "supply-level-low"),
                (None, SupplyState::Ok) => t(lang, "supply-level-ok"),
                (None, SupplyState::Unknown) => t(lang, "supply-level-unknown"),
            },
            low: s.is_low(),
            forecast: None,
        }
    }

    pub fn with_forecast(mut self, forecast: ForecastView) -> SupplyView {
        self.forecast = Some(forecast);
        self
    }
}

/// The day of now in the tenant's zone, the zone of every supply forecast.
fn tenant_today(viewer: &Viewer, now_ms: i64) -> jiff::civil::Date {
    meterport_domain::period::day_of_ms(now_ms, &viewer.tenant.tz())
}

#[derive(Template)]
#[template(path = "device.html")]
struct DevicePage {
    ctx: PageCtx,
    id: i64,
    name: String,
    serial: String,
    product: String,
    type_label: String,
    icon: Icon,
    status: &'static str,
    status_label: String,
    smtp: bool,
    conditions: Vec<ConditionRow>,
    group_choices: Vec<Choice>,
    admin_choices: Vec<Choice>,
    admin_email: Option<String>,
    has_admin: bool,
    mac: String,
    host: String,
    building: String,
    location: String,
    remote_ui: Option<String>,
    last_reading: Option<String>,
    /// When the last meter mail of the device arrived.
    last_mail: Option<String>,
    /// When the portal last heard from the device (a reading, a status report or a mail).
    last_report: Option<String>,
    /// Not reporting: silent for longer than `late_after_hours`.
    late: bool,
    late_after_hours: i64,
    counters: Vec<CounterSection>,
    lfp_unit: Option<String>,
    supplies: Vec<SupplyView>,
    supplies_at: Option<String>,
    times_note: String,
    errors: FieldErrors,
    saved: bool,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SavedParam {
    saved: Option<String>,
}

fn parse_id(raw: &str) -> Result<i64, PageError> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(PageError::NotFound)
}

/// The latest counters by tab (S16's tabs), Total 1 once at the top; a counter the device
/// does not report shows "-" (S20).
fn counter_sections(
    lang: Lang,
    class: DeviceClass,
    counters: &meterport_domain::counters::CounterSet,
    paper_sizes: &[Key],
) -> Vec<CounterSection> {
    let value = |k: Key| {
        counters
            .get(k)
            .map(|v| number(v, class))
            .unwrap_or_else(|| "-".into())
    };
    let row = |k: Key| (i18n::counter_label(k, class, lang), value(k));
    if class == DeviceClass::Lfp {
        return vec![CounterSection {
            title: i18n::view_label(View::Counter, lang),
            rows: labels::view_keys(View::Counter, class, &[])
                .into_iter()
                .map(row)
                .collect(),
        }];
    }
    View::ALL
        .into_iter()
        .map(|view| CounterSection {
            title: i18n::view_label(view, lang),
            rows: labels::view_keys(view, class, paper_sizes)
                .into_iter()
                .filter(|k| view == View::Counter || *k != Key::Total1)
                .map(row)
                .collect(),
        })
        .collect()
}

async fn device_page(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    form: Option<(&str, &str)>,
    errors: FieldErrors,
    saved: bool,
) -> Result<DevicePage, PageError> {
    let lang = viewer.lang;
    let tenant = viewer.tenant.id;
    let devices::DeviceDetail {
        device: d,
        conditions,
        groups,
        users,
        latest,
        supplies,
    } = devices::detail(&state.services, TenantId(tenant), DeviceId(id)).await?;
    let tz = viewer.tz();
    let late = devices::reporting(&viewer.tenant, &d, state.now_ms()) == Some(Reporting::Late);
    let late_after_hours = meterport_domain::reporting::late_after_hours(
        viewer.tenant.notify.late_after_hours,
        d.late_after_hours,
    );

    let status = d.status;
    let kind = d.device_type;
    let class = kind.class();
    let (sel_group, sel_admin) = match form {
        Some((g, a)) => (g.to_string(), a.to_string()),
        None => (
            d.group
                .as_ref()
                .map(|(g, _)| g.to_string())
                .unwrap_or_default(),
            d.toner_admin
                .as_ref()
                .map(|admin| admin.id.to_string())
                .unwrap_or_default(),
        ),
    };
    let mut group_choices = vec![Choice {
        value: String::new(),
        label: t(lang, "device-no-group"),
        selected: sel_group.is_empty(),
    }];
    group_choices.extend(groups.iter().map(|g| Choice {
        value: g.id.to_string(),
        label: g.name.clone(),
        selected: sel_group == g.id.to_string(),
    }));
    let mut admin_choices = vec![Choice {
        value: String::new(),
        label: t(lang, "device-no-admin"),
        selected: sel_admin.is_empty(),
    }];
    admin_choices.extend(users.iter().map(|u| {
        let name = display_name(lang.name_order(), &u.first_name, &u.last_name, &u.username);
        let who = if name == u.username {
            name
        } else {
            format!("{name} ({})", u.username)
        };
        // The address in the option itself, so the choice shows whom mail would reach
        // before saving, without script.
        let label = match &u.email {
            Some(e) => format!("{who} – {e}"),
            None => format!("{who} – {}", t(lang, "device-admin-no-email")),
        };
        Choice {
            value: u.id.to_string(),
            label,
            selected: sel_admin == u.id.to_string(),
        }
    }));

    let paper_sizes = labels::paper_size_keys(&viewer.tenant.paper_sizes);
    let (last_reading, counters) = match &latest {
        Some((at, set)) => (
            Some(viewer.datetime(*at)),
            counter_sections(lang, class, set, &paper_sizes),
        ),
        None => (None, Vec::new()),
    };
    let lfp_unit = d.lfp_unit.map(|u| i18n::lfp_unit_label(u, lang));
    let (supplies, supplies_at) = match supplies {
        Some(r) if !r.supplies.is_empty() => {
            let now = state.now_ms();
            let forecasts = supply_forecasts::forecasts(
                &state.services,
                &viewer.tenant,
                &[(DeviceId(id), &r)],
                now,
            )
            .await?
            .pop()
            .unwrap_or_default();
            let today = tenant_today(viewer, now);
            (
                r.supplies
                    .iter()
                    .zip(forecasts)
                    .map(|(s, f)| {
                        SupplyView::new(lang, s).with_forecast(ForecastView::new(viewer, today, f))
                    })
                    .collect(),
                Some(viewer.datetime(r.reported_at)),
            )
        }
        _ => (Vec::new(), None),
    };
    Ok(DevicePage {
        ctx: viewer.ctx("devices", "device"),
        id: d.id,
        icon: Icon::new(lang, d.device_type, status),
        status: status.as_str(),
        status_label: status_label(lang, status),
        smtp: d.protocol == Protocol::Smtp,
        type_label: type_label(lang, kind),
        conditions: conditions
            .into_iter()
            .map(|c| {
                let severity = Severity::parse(&c.severity).unwrap_or(Severity::Warning);
                let (label, message) = match meterport_domain::status::known_condition(&c.code) {
                    // The device's text is a detail only where it says more.
                    Some(known) => {
                        let label = i18n::condition_label(known, lang);
                        let same = c.message.trim() == label;
                        (label, if same { String::new() } else { c.message })
                    }
                    None if c.message.is_empty() => (c.code.clone(), String::new()),
                    None => (c.message, String::new()),
                };
                ConditionRow {
                    severity: severity.as_str(),
                    severity_label: status_label(lang, Status::from(severity)),
                    code: c.code,
                    label,
                    message,
                    since: viewer.datetime(c.since),
                }
            })
            .collect(),
        group_choices,
        admin_choices,
        has_admin: d.toner_admin.is_some(),
        admin_email: d.toner_admin.as_ref().and_then(|a| a.email.clone()),
        mac: d.mac.unwrap_or_default(),
        host: d.host.unwrap_or_default(),
        building: d.building.unwrap_or_default(),
        location: d.location.unwrap_or_default(),
        remote_ui: remote_ui_link(d.remote_ui_url.as_deref()),
        last_reading,
        last_mail: d.last_mail_at.map(|at| viewer.datetime(at)),
        last_report: d.last_report_at.map(|at| viewer.datetime(at)),
        late,
        late_after_hours,
        counters,
        lfp_unit,
        supplies,
        supplies_at,
        times_note: i18n::t_args(
            lang,
            "times-in-zone",
            &[("zone", tz.iana_name().unwrap_or("UTC").to_string())],
        ),
        name: d.name,
        serial: d.serial,
        product: d.product,
        errors,
        saved,
    })
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(p): Query<SavedParam>,
) -> Result<Response, PageError> {
    let id = parse_id(&id)?;
    let page = device_page(
        &state,
        &viewer,
        id,
        None,
        FieldErrors::default(),
        p.saved.is_some(),
    )
    .await?;
    Ok(render(&page))
}

/// Saves the group and the toner/ink administrator (S11). A refused choice is explained next
/// to its field and nothing is changed.
pub async fn save(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let lang = viewer.lang;
    let id = parse_id(&id)?;
    let form = FormData::parse(&body);
    let (raw_group, raw_admin) = (form.value("group").trim(), form.value("toner_admin").trim());
    let mut errors = FieldErrors::default();
    if !viewer.csrf_ok(form.value("csrf")) {
        errors.add("form", t(lang, "csrf-failed"));
    }
    let parse = |raw: &str| -> Result<Option<i64>, ()> {
        if raw.is_empty() {
            Ok(None)
        } else {
            raw.parse::<i64>()
                .ok()
                .filter(|v| *v > 0)
                .map(Some)
                .ok_or(())
        }
    };
    let group = parse(raw_group).unwrap_or_else(|()| {
        errors.add("group", t(lang, "device-group-unknown"));
        None
    });
    let admin = parse(raw_admin).unwrap_or_else(|()| {
        errors.add("toner_admin", t(lang, "device-admin-unknown"));
        None
    });
    // Each well-formed choice is checked even when the other is not, so that both fields
    // get their message at once.
    let checked =
        devices::check_settings(&state.services, TenantId(viewer.tenant.id), group, admin).await?;
    if checked.unknown_group {
        errors.add("group", t(lang, "device-group-unknown"));
    }
    if checked.unknown_user {
        errors.add("toner_admin", t(lang, "device-admin-unknown"));
    }
    if errors.is_empty() {
        let actor = &viewer.user.username;
        match devices::save_settings(
            &state.services,
            TenantId(viewer.tenant.id),
            actor,
            DeviceId(id),
            group,
            admin,
            state.now_ms(),
        )
        .await
        {
            Ok(()) => return Ok(Redirect::to(&format!("/devices/{id}?saved=1")).into_response()),
            Err(SaveError::Refused(refusal)) => {
                if refusal.unknown_group {
                    errors.add("group", t(lang, "device-group-unknown"));
                }
                if refusal.unknown_user {
                    errors.add("toner_admin", t(lang, "device-admin-unknown"));
                }
            }
            Err(SaveError::Service(e)) => return Err(e.into()),
        }
    }
    let page = device_page(
        &state,
        &viewer,
        id,
        Some((raw_group, raw_admin)),
        errors,
        false,
    )
    .await?;
    Ok(super::refused(render(&page)))
}

// ---------------------------------------------------------------------------------------------
// Toner/ink stock (S28, B1)
// ---------------------------------------------------------------------------------------------

pub struct SupplyDeviceRow {
    pub id: i64,
    pub name: String,
    pub product: String,
    pub location: String,
    pub group: String,
    pub reported: String,
    pub supplies: Vec<SupplyView>,
    pub low: bool,
}

#[derive(Template)]
#[template(path = "supplies.html")]
struct SuppliesPage {
    ctx: PageCtx,
    groups: Vec<GroupOption>,
    group_fallback: bool,
    reporting: i64,
    silent: i64,
    low_supplies: i64,
    low_devices: i64,
    low_limit: i64,
    /// `low` or `empty` when the list shows only the devices with such a supply.
    only: &'static str,
    all_href: String,
    rows: Vec<SupplyDeviceRow>,
    pager: Pager,
    silent_devices: Vec<(i64, String)>,
    silent_more: i64,
    times_note: String,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct SupplyParams {
    group: Option<String>,
    /// `low` (a supply low or empty) or `empty`: only the devices with such a supply.
    supply: Option<String>,
    page: Option<String>,
}

/// How many of the devices without supply levels the screen names.
const SILENT_NAMED: i64 = 50;

pub async fn supplies(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(p): Query<SupplyParams>,
) -> Result<Response, PageError> {
    let lang = viewer.lang;
    let tenant = viewer.tenant.id;
    let svc = &state.services;
    let groups = groups::list_groups(svc, TenantId(tenant)).await?;
    let (group, group_fallback) = group_selection(p.group.as_deref(), &groups);
    let summary = devices::supply_summary(svc, TenantId(tenant), group).await?;
    let only = p.supply.as_deref().and_then(SupplyFilter::parse);
    let listed = match only {
        None => summary.reporting,
        Some(SupplyFilter::Low) => summary.low_devices,
        Some(SupplyFilter::Empty) => summary.empty_devices,
    };
    let page = page_param(p.page.as_deref()).min(pages_for(listed));
    let devices = devices::supply_page(
        svc,
        TenantId(tenant),
        group,
        only,
        PAGE_SIZE,
        (page - 1) * PAGE_SIZE,
    )
    .await?;
    let silent_devices =
        devices::devices_without_supplies(svc, TenantId(tenant), group, SILENT_NAMED).await?;
    let tz = viewer.tz();
    let now = state.now_ms();
    let reports: Vec<(DeviceId, &SupplyReport)> = devices
        .iter()
        .map(|d| (DeviceId(d.device_id), &d.report))
        .collect();
    let forecasts = supply_forecasts::forecasts(svc, &viewer.tenant, &reports, now).await?;
    let today = tenant_today(&viewer, now);
    let rows = devices
        .into_iter()
        .zip(forecasts)
        .map(|(d, forecasts)| SupplyDeviceRow {
            id: d.device_id,
            low: d.report.supplies.iter().any(Supply::is_low),
            supplies: d
                .report
                .supplies
                .iter()
                .zip(forecasts)
                .map(|(s, f)| {
                    SupplyView::new(lang, s).with_forecast(ForecastView::new(&viewer, today, f))
                })
                .collect(),
            reported: viewer.datetime(d.report.reported_at),
            name: d.name,
            product: d.product,
            location: d.location.unwrap_or_default(),
            group: d.group.map(|(_, n)| n).unwrap_or_default(),
        })
        .collect();
    let group_value = group_param(group);
    let only_param = only
        .map(|f| format!("&supply={}", f.as_str()))
        .unwrap_or_default();
    let pager = Pager::new(lang, listed, page, |n| {
        format!("/supplies?group={group_value}{only_param}&page={n}")
    });
    Ok(render(&SuppliesPage {
        ctx: viewer.ctx("supplies", "supplies"),
        groups: group_options(lang, &groups, group),
        group_fallback,
        reporting: summary.reporting,
        silent: summary.silent,
        low_supplies: summary.low_supplies,
        low_devices: summary.low_devices,
        low_limit: LOW_LEVEL_PERCENT,
        only: only.map(SupplyFilter::as_str).unwrap_or(""),
        all_href: format!("/supplies?group={group_value}"),
        rows,
        pager,
        silent_more: (summary.silent - silent_devices.len() as i64).max(0),
        silent_devices,
        times_note: i18n::t_args(
            lang,
            "times-in-zone",
            &[("zone", tz.iana_name().unwrap_or("UTC").to_string())],
        ),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_supply_without_a_percentage_says_what_the_device_reported() {
        let supply = |level_percent, reported_state| Supply {
            name: "Black Toner".into(),
            kind: SupplyKind::Toner,
            color: Some("black".into()),
            level_percent,
            reported_state,
        };
        let text = |s: &Supply, lang| SupplyView::new(lang, s).level_text;
        let some = supply(None, Some(SupplyState::SomeRemaining));
        assert_eq!(text(&some, Lang::En), "some remaining");
        assert_eq!(text(&some, Lang::Ja), "残量あり");
        assert!(!SupplyView::new(Lang::En, &some).low);
        let empty = supply(None, Some(SupplyState::Empty));
        assert_eq!(text(&empty, Lang::En), "empty");
        assert!(SupplyView::new(Lang::En, &empty).low);
        assert_eq!(text(&supply(None, None), Lang::En), "level unknown");
        assert_eq!(text(&supply(Some(40), None), Lang::Ja), "40%");
    }

    /// The shared catalogue test finds keys written as `t("..")`; these screens mostly write
    /// `t(lang, "..")` and `ctx.t_args("..", ..)`, so this test checks their keys itself:
    /// every quoted word with one of the screens' prefixes must exist in both languages.
    #[test]
    fn every_message_key_of_the_device_and_settings_screens_exists_in_both_languages() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let files = [
            "src/web/devices.rs",
            "src/web/groups.rs",
            "src/web/settings.rs",
            "templates/devices.html",
            "templates/devices_pager.html",
            "templates/device.html",
            "templates/supplies.html",
            "templates/groups.html",
            "templates/group_edit.html",
            "templates/groups_delete.html",
            "templates/paper_sizes.html",
            "templates/notifications.html",
        ];
        let prefixes = [
            "devices-",
            "device-",
            "group-",
            "groups-",
            "supply-",
            "supplies-",
            "paper-sizes-",
            "notify-",
            "list-",
            "times-",
        ];
        let mut checked = 0;
        for file in files {
            let text = std::fs::read_to_string(root.join(file)).unwrap();
            let pieces: Vec<&str> = text.split('"').collect();
            for (i, part) in pieces.iter().enumerate().skip(1).step_by(2) {
                // An HTML attribute's value (`id="device-form"`) is no message key.
                let attribute = pieces[i - 1].ends_with('=');
                let is_key = !attribute
                    && prefixes.iter().any(|p| part.starts_with(p))
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !part.ends_with('-');
                if !is_key {
                    continue;
                }
                // Every argument any of these messages takes, so that formatting succeeds.
                let args: Vec<(&'static str, String)> = [
                    "first", "last", "total", "count", "name", "zone", "chars", "max", "devices",
                    "supplies", "limit", "days", "time", "hours", "color", "text",
                ]
                .into_iter()
                .map(|a| (a, "1".to_string()))
                .collect();
                for lang in Lang::ALL {
                    let text = i18n::t_args(lang, part, &args);
                    assert!(
                        !text.starts_with('['),
                        "{file}: {part} is missing in {lang:?}"
                    );
                }
                checked += 1;
            }
        }
        assert!(checked > 100, "the files were read ({checked} keys)");
    }

    #[test]
    fn only_http_and_https_addresses_become_remote_ui_links() {
        assert_eq!(
            remote_ui_link(Some("http://10.0.0.5:8000/")).as_deref(),
            Some("http://10.0.0.5:8000/")
        );
        assert!(remote_ui_link(Some("HTTPS://printer.example/")).is_some());
        assert_eq!(remote_ui_link(Some("javascript:alert(1)")), None);
        assert_eq!(remote_ui_link(Some("ftp://x/")), None);
        assert_eq!(remote_ui_link(None), None);
    }

    #[test]
    fn a_pager_links_the_ends_and_the_pages_around_the_current_one() {
        let pager = Pager::new(Lang::En, 10_000, 50, |n| format!("/p/{n}"));
        let labels: Vec<&str> = pager.links.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(labels, ["1", "48", "49", "50", "51", "52", "100"]);
        assert_eq!(pager.prev.as_deref(), Some("/p/49"));
        assert_eq!(pager.summary, "4,901–5,000 of 10,000");
        let empty = Pager::new(Lang::En, 0, 1, |n| format!("/p/{n}"));
        assert_eq!((empty.pages, empty.prev, empty.next), (1, None, None));
    }

    #[test]
    fn a_group_of_another_tenant_or_a_bad_value_falls_back_to_all_devices() {
        let groups = vec![Group {
            id: 7,
            name: "A".into(),
            device_count: 0,
        }];
        assert_eq!(
            group_selection(Some("7"), &groups),
            (GroupFilter::Group(7), false)
        );
        assert_eq!(
            group_selection(Some("8"), &groups),
            (GroupFilter::All, true)
        );
        assert_eq!(
            group_selection(Some("x"), &groups),
            (GroupFilter::All, true)
        );
        assert_eq!(
            group_selection(Some("none"), &groups),
            (GroupFilter::NoGroup, false)
        );
        assert_eq!(group_selection(None, &groups), (GroupFilter::All, false));
    }
}
