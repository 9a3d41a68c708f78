//! Counter information (SPEC S12-S20): the conditions form, the aggregate table, the detail of
//! one device (S16) or of one period (S17) with their tabs and graphs, and their CSV.
//!
//! Routes and their query parameters:
//!
//! - `GET /counters`: the form (S12). With conditions (`unit=month|day`, `from`, `to`,
//!   `kind=usage|cumulative`, `group=all|none|<id>`, `class=mfp|lfp`) also the table (S13),
//!   sorted by `sort=name|location|group|total|<period>` and `dir=asc|desc`, `page=<n>`.
//! - `GET /counters/device/{id}`: S16, the same conditions plus
//!   `view=counter|paper|color_mode|function` and `graph=1`.
//! - `GET /counters/period/{period}`: S17 (`2021-08` or `2021-08-05`), plus `view`, `graph`,
//!   `sort=name|location|group|<counter key>`, `dir`, `page`. The table's range (`unit`,
//!   `from`, `to`) rides along only for the links back and to a device.
//! - `GET /counters/export`: the CSV of any of them (`crate::csv_export`), in the viewer's
//!   language, `encoding=utf-8|shift_jis`.
//!
//! Everything is a GET with the conditions in the URL: a bookmark, a reload or a second tab
//! shows the same table, and nothing needs script. The form cannot use one pair of period
//! fields (`<input type=month>` for months, `type=date` for days, and no script to switch), so
//! it sends `mfrom`/`mto` and `dfrom`/`dto`; `/counters` answers such a submission with a
//! redirect to the canonical `from`/`to` address, which every link of these screens uses.
//!
//! The numbers (C8): every table is built from [`Prepared::rows`], the stream behind the JSON
//! API and the CSV. The aggregate table keeps only Total 1 of each cell (a 10,000-device,
//! 92-day table is 920,000 numbers, not 31 million), sorts all devices, and renders one page
//! of [`PAGE_SIZE`] rows; its Total row still covers every device.
//!
//! Submodules: `conditions` (the S12 form: checking, its fields, the messages naming a
//! limit), `table` (sortable headings, cells, paging, links keeping the conditions),
//! `format` (numbers and periods for a person), `graph` (the SVG layout of S18). The
//! templates are `counters*.html`, the words `locales/*/counters.ftl`.

mod conditions;
mod format;
mod graph;
mod table;

use meterport_domain::ids::TenantId;
use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use futures_util::StreamExt;
use jiff::Timestamp;
use jiff::civil::Date;
use meterport_domain::counters::{DeviceClass, Key};
use meterport_domain::coverage::Covered;
use meterport_domain::engine::Kind;
use meterport_domain::labels::{self, Heading, Lang, View, view_keys};
use meterport_domain::period::{Period, Unit};
use meterport_domain::table::{DeviceRow, Totals};

use crate::i18n::{counter_label, heading, lfp_unit_label};
use meterport_store::counters::CounterDevice;
use meterport_store::groups::Group;

use super::form::FieldErrors;
use super::session::{Viewer, urlencode};
use super::{PageCtx, PageError, i18n, render};
use crate::app::AppState;
use crate::service::counters::{self, CounterQuery, Prepared, QueryError, key_index};
use crate::service::groups;
use conditions::{
    Conditions, FormInput, canonical_from_form, kind_label, months, parse_conditions, summary,
};
use table::{
    Cell, Grid, Head, KeepSort, Pager, Qs, Sort, SortBy, SortLinks, TableView, device_order,
    missing_last, page_number, pager,
};

/// Rows per page of the aggregate table and the period detail: a screenful a person scrolls
/// through, and a page that renders in milliseconds whatever the size of the fleet.
pub const PAGE_SIZE: usize = 200;
/// Bars of a period's graph (S17): beyond this, names are unreadable and bars too thin.
pub const GRAPH_MAX_BARS: usize = 30;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/counters", get(table_page))
        .route("/counters/export", get(export))
        .route("/counters/device/{id}", get(device_page))
        .route("/counters/period/{period}", get(period_page))
}

type Params = HashMap<String, String>;

/// Message lookup in the viewer's language. Written `tr.t("key")` so that the catalogue test
/// (`i18n`) finds every key used here.
#[derive(Clone, Copy)]
struct Tr(Lang);

impl Tr {
    fn t(self, key: &str) -> String {
        i18n::t(self.0, key)
    }
}

fn param<'a>(params: &'a Params, key: &str) -> Option<&'a str> {
    params.get(key).map(|s| s.trim()).filter(|s| !s.is_empty())
}

async fn prepare(
    state: &AppState,
    viewer: &Viewer,
    query: CounterQuery,
) -> Result<Prepared, PageError> {
    counters::prepare_query(&state.services, &viewer.tenant, query, state.now_ms())
        .await
        .map_err(|e| match e {
            QueryError::NoSuchDevice | QueryError::NoSuchGroup => PageError::NotFound,
            QueryError::Invalid(e) => PageError::internal(format!("{e:?}")),
            QueryError::Store(e) => PageError::internal(e),
        })
}

/// Today in the tenant's time zone: the periods are the tenant's (T3).
fn today(state: &AppState, viewer: &Viewer) -> Date {
    Timestamp::from_millisecond(state.now_ms())
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned_datetime(viewer.tenant.tz())
        .date()
}

fn unit_label(d: &CounterDevice, lang: Lang) -> String {
    d.lfp_unit
        .map_or_else(String::new, |u| lfp_unit_label(u, lang))
}

/// The three text columns of a device row (and its unit for LFPs), the name linking to
/// its detail.
fn device_cells(d: &CounterDevice, href: String, unit_column: bool, lang: Lang) -> Vec<Cell> {
    let mut cells = vec![
        Cell {
            href: Some(href),
            ..Cell::header(d.name.clone())
        },
        Cell::text(d.location.clone().unwrap_or_default()),
        Cell::text(d.group.as_ref().map(|g| g.1.clone()).unwrap_or_default()),
    ];
    if unit_column {
        cells.push(Cell::text(unit_label(d, lang)));
    }
    cells
}

fn device_href(id: i64, c: &Conditions, view: Option<View>) -> String {
    let mut qs = c.qs();
    if let Some(v) = view {
        qs = qs.set("view", v.as_str());
    }
    qs.href(&format!("/counters/device/{id}"))
}

fn period_href(p: Period, c: &Conditions, view: Option<View>) -> String {
    let mut qs = c.qs();
    if let Some(v) = view {
        qs = qs.set("view", v.as_str());
    }
    qs.href(&format!("/counters/period/{p}"))
}

/// The daily table of one month, with the other conditions.
fn days_href(month: Period, c: &Conditions) -> String {
    let days = c.with_range(
        Period::Day(month.first_day()),
        Period::Day(month.last_day()),
    );
    days.qs().href("/counters")
}

/// Which marks a table shows, for the notes that explain them.
#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    oldest: bool,
    incomplete: bool,
    reset: bool,
}

/// Notes under a table: the marks it shows (C5 first readings and whether the totals add
/// them, with a link that switches; incomplete periods; resets), and why an LFP table has
/// no totals.
fn table_notes(p: &Prepared, seen: Seen, c: &Conditions, path: &str, tr: Tr) -> Vec<Note> {
    let mut notes = Vec::new();
    let note = |text: String| Note { text, link: None };
    if seen.oldest {
        notes.push(note(format!("* {}", tr.t("counters-note-oldest"))));
        if p.totals {
            let mut other = *c;
            other.oldest_in_totals = !c.oldest_in_totals;
            let (text, link) = if c.oldest_in_totals {
                (
                    "counters-note-oldest-included",
                    "counters-oldest-exclude-link",
                )
            } else {
                (
                    "counters-note-oldest-excluded",
                    "counters-oldest-include-link",
                )
            };
            notes.push(Note {
                text: tr.t(text),
                link: Some((tr.t(link), other.qs().href(path))),
            });
        }
    }
    if seen.incomplete {
        notes.push(note(format!("† {}", tr.t("counters-note-incomplete"))));
    }
    if seen.reset {
        notes.push(note(format!("↺ {}", tr.t("counters-note-reset"))));
    }
    if p.query.kind == Kind::Usage && !p.totals {
        notes.push(note(tr.t("counters-note-mixed-units")));
    }
    notes
}

/// The title of an incomplete period's mark: the dates its readings cover.
fn incomplete_title(c: Covered, lang: Lang, locale: &str) -> String {
    i18n::t_args(
        lang,
        "counters-incomplete-title",
        &[
            ("from", format::day(c.from, lang, locale)),
            ("to", format::day(c.to, lang, locale)),
        ],
    )
}

/// The title of a reset's mark: its day and, where a cell stands for several counters, which.
fn reset_title(
    days: &[Date],
    keys: &[Key],
    class: DeviceClass,
    lang: Lang,
    locale: &str,
) -> String {
    let days: Vec<String> = days.iter().map(|d| format::day(*d, lang, locale)).collect();
    let sep = if lang == Lang::Ja { "、" } else { ", " };
    let mut text = i18n::t_args(lang, "counters-reset-title", &[("date", days.join(sep))]);
    if !keys.is_empty() {
        let names: Vec<String> = keys
            .iter()
            .map(|k| counter_label(*k, class, lang).to_string())
            .collect();
        text.push_str(&format!(" ({})", names.join(sep)));
    }
    text
}

/// What an empty table (no value at all) needs said: the range is in the future, before the
/// data kept, before the first reading, or simply without readings of this selection.
async fn empty_note(
    state: &AppState,
    viewer: &Viewer,
    prepared: &Prepared,
    today: Date,
) -> Result<String, PageError> {
    let lang = viewer.lang;
    let locale = viewer.user.locale.as_str();
    let range = &prepared.query.range;
    if range.from.first_day() > today {
        return Ok(i18n::t(lang, "counters-empty-future"));
    }
    let first_reading = counters::first_reading(&state.services, &viewer.tenant).await?;
    let kept_from = counters::kept_from(&viewer.tenant, state.now_ms());
    let day = |d: Date| format::day(d, lang, locale);
    Ok(if first_reading.is_none() {
        i18n::t(lang, "counters-empty-none")
    } else if let Some(kept) = kept_from.filter(|k| range.to.last_day() < *k) {
        i18n::t_args(lang, "counters-empty-retention", &[("kept", day(kept))])
    } else if let Some(first) = first_reading.filter(|f| range.to.last_day() < *f) {
        i18n::t_args(lang, "counters-empty-before", &[("first", day(first))])
    } else {
        i18n::t(lang, "counters-empty-selection")
    })
}

// ---- S12 and S13: the form and the aggregate table

#[derive(Debug, Clone)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "counters.html")]
struct CountersPage {
    ctx: PageCtx,
    heading: String,
    form: FormInput,
    groups: Vec<Choice>,
    errors: FieldErrors,
    summary: Vec<(String, String)>,
    table: Option<TableView>,
    notes: Vec<Note>,
    export: Vec<(&'static str, String)>,
}

fn group_choices(groups: &[Group], selected: &str, tr: Tr) -> Vec<Choice> {
    let mut out = vec![
        Choice {
            value: "all".into(),
            label: tr.t("counters-group-all"),
            selected: selected == "all" || selected.is_empty(),
        },
        Choice {
            value: "none".into(),
            label: tr.t("counters-group-none"),
            selected: selected == "none",
        },
    ];
    out.extend(groups.iter().map(|g| Choice {
        value: g.id.to_string(),
        label: g.name.clone(),
        selected: selected == g.id.to_string(),
    }));
    out
}

async fn table_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<Params>,
) -> Result<Response, PageError> {
    if let Some(qs) = canonical_from_form(&params) {
        return Ok(Redirect::to(&qs.href("/counters")).into_response());
    }
    let lang = viewer.lang;
    let tr = Tr(lang);
    let locale = viewer.user.locale.clone();
    let groups = groups::list_groups(&state.services, TenantId(viewer.tenant.id)).await?;
    let today = today(&state, &viewer);
    let submitted = ["unit", "from", "to"]
        .iter()
        .any(|k| params.contains_key(*k));
    let mut page = CountersPage {
        ctx: viewer.ctx("counters", "counters"),
        heading: tr.t("menu-counters"),
        form: FormInput::of(&Conditions::defaults(today)),
        groups: Vec::new(),
        errors: FieldErrors::default(),
        summary: Vec::new(),
        table: None,
        notes: Vec::new(),
        export: Vec::new(),
    };
    if submitted {
        match parse_conditions(&params, lang, &locale, &groups) {
            Err(errors) => {
                page.form = FormInput::submitted(&params, today);
                page.errors = errors;
            }
            Ok(c) => {
                page.form = FormInput::of(&c);
                page.summary = summary(&c, &groups, &viewer);
                page.heading = i18n::t_args(
                    lang,
                    "counters-table-title",
                    &[
                        ("kind", kind_label(c.kind, tr)),
                        ("unit", unit_words(c.unit, tr)),
                    ],
                );
                let (table, notes, order) =
                    aggregate_table(&state, &viewer, &c, &params, today).await?;
                page.table = Some(table);
                page.notes = notes;
                // The file lists the rows in the order on screen.
                page.export = order.pairs();
            }
        }
    }
    page.groups = group_choices(&groups, &page.form.group, tr);
    Ok(render(&page))
}

fn unit_words(unit: Unit, tr: Tr) -> String {
    match unit {
        Unit::Month => tr.t("counters-unit-monthly"),
        Unit::Day => tr.t("counters-unit-daily"),
    }
}

/// S13: devices × periods of Total 1.
async fn aggregate_table(
    state: &AppState,
    viewer: &Viewer,
    c: &Conditions,
    params: &Params,
    today: Date,
) -> Result<(TableView, Vec<Note>, Qs), PageError> {
    let lang = viewer.lang;
    let tr = Tr(lang);
    let locale = viewer.user.locale.as_str();
    let prepared = prepare(state, viewer, c.query(None)).await?;
    let shape = &prepared.shape;
    let class = shape.class;
    let periods = shape.periods.clone();
    let n = periods.len();
    let t1 = key_index(shape, Key::Total1).expect("every class has Total 1");
    let totals = prepared.totals;

    // Column 0 is the device's total, 1..=n the periods.
    let count = prepared.devices.len();
    let in_totals = shape.oldest_in_totals;
    let mut grid = Grid::new(count, n + 1);
    // Per device and period: Total 1's first reading (C5), its reset (C6), and for months
    // the days the readings cover when they fall short.
    let mut oldest = vec![false; count * n];
    // With the month's reset days, which date the mark.
    let mut reset: Vec<Option<u32>> = vec![None; count * n];
    let mut incomplete: Vec<Option<Covered>> = Vec::new();
    let mut total_oldest = vec![false; count];
    let mut period_totals: Vec<Option<i64>> = vec![None; n];
    let mut period_oldest = vec![false; n];
    let mut grand: Option<i64> = None;
    let mut grand_oldest = false;
    let mut any_value = false;
    let add = |acc: &mut Option<i64>, v: Option<i64>| {
        if let Some(v) = v {
            *acc = Some(acc.unwrap_or(0) + v);
        }
    };
    let mut rows = prepared.rows(&state.services);
    while let Some(item) = rows.next().await {
        let (index, row) = item?;
        if shape.unit == Unit::Month {
            let marks = prepared.incomplete(&row);
            if marks.iter().any(Option::is_some) {
                incomplete.resize(count * n, None);
                incomplete[index * n..(index + 1) * n].copy_from_slice(&marks);
            }
        }
        for p in 0..n {
            let v = row.value(p, t1);
            any_value |= v.is_some();
            grid.set(index, p + 1, v);
            let old = row.cell_oldest(p, t1) && v.is_some();
            oldest[index * n + p] = old;
            reset[index * n + p] = row.cell_reset(p, t1).then_some(row.reset_days[p]);
            if totals && (in_totals || !old) {
                add(&mut period_totals[p], v);
                period_oldest[p] |= old;
                total_oldest[index] |= old;
            }
        }
        if totals {
            let t = row.total.as_ref().and_then(|t| t[t1]);
            grid.set(index, 0, t);
            add(&mut grand, t);
            grand_oldest |= total_oldest[index];
        }
    }
    drop(rows);
    let incomplete_at = |i: usize, p: usize| incomplete.get(i * n + p).copied().flatten();

    let sort = Sort::parse(params, |key| {
        if key == "total" && totals {
            return Some(0);
        }
        periods
            .iter()
            .position(|p| p.to_string() == key)
            .map(|i| i + 1)
    });
    let order = device_order(&prepared.devices, &grid, sort);
    let pages = count.div_ceil(PAGE_SIZE).max(1);
    let page = page_number(params, pages);
    let sort_base = c.qs();
    // Page links keep the order (a column unknown to this table was dropped by the parse).
    let base = sort.keep(c.qs(), |col| match col {
        0 => "total".to_string(),
        i => periods[i - 1].to_string(),
    });
    let sorts = SortLinks {
        current: sort,
        base: &sort_base,
        path: "/counters",
        tr,
    };
    let link =
        |by: SortBy, key: &str, label: &str, numeric: bool| sorts.link(by, key, label, numeric);

    let unit_column = class == DeviceClass::Lfp;
    let mut heads = vec![
        Head {
            label: heading(Heading::DeviceName, lang),
            sort: link(
                SortBy::Name,
                "name",
                &heading(Heading::DeviceName, lang),
                false,
            ),
            ..Head::default()
        },
        Head {
            label: heading(Heading::Location, lang),
            sort: link(
                SortBy::Location,
                "location",
                &heading(Heading::Location, lang),
                false,
            ),
            ..Head::default()
        },
        Head {
            label: heading(Heading::Group, lang),
            sort: link(
                SortBy::Group,
                "group",
                &heading(Heading::Group, lang),
                false,
            ),
            ..Head::default()
        },
    ];
    if unit_column {
        heads.push(Head {
            label: heading(Heading::Unit, lang),
            ..Head::default()
        });
    }
    if totals {
        heads.push(Head {
            label: heading(Heading::Total, lang),
            sort: link(
                SortBy::Col(0),
                "total",
                &heading(Heading::Total, lang),
                true,
            ),
            num: true,
            ..Head::default()
        });
    }
    for (i, p) in periods.iter().enumerate() {
        // Days are headed short (`10/01` and the weekday): 92 full dates would make the
        // table twice as wide. The full date is the heading's tooltip.
        let label = match p {
            Period::Month(_) => format::period(*p, lang, locale),
            Period::Day(d) => format::day_short(*d, lang, locale),
        };
        let (href, sub, weekend) = match p {
            Period::Month(_) => (Some(days_href(*p, c)), String::new(), false),
            Period::Day(d) => (None, format::weekday(*d, lang), format::is_weekend(*d)),
        };
        heads.push(Head {
            sort: link(SortBy::Col(i + 1), &p.to_string(), &label, true),
            label,
            href,
            sub,
            links: vec![(tr.t("counters-detail"), period_href(*p, c, None))],
            num: true,
            weekend,
            title: format::period(*p, lang, locale),
            now: contains(*p, today),
        });
    }

    // Totals exist only when the devices share one unit.
    let shared_unit = prepared.devices.iter().find_map(|d| d.lfp_unit);
    let total = totals.then(|| {
        let mut cells = vec![Cell::header(heading(Heading::Total, lang))];
        cells.extend((0..2 + usize::from(unit_column)).map(|_| Cell::default()));
        let mut g = Cell::value(grand, class, shared_unit);
        g.oldest = grand_oldest;
        cells.push(g);
        cells.extend(period_totals.iter().zip(&period_oldest).map(|(v, old)| {
            let mut cell = Cell::value(*v, class, shared_unit);
            cell.oldest = *old;
            cell
        }));
        cells
    });
    let mut seen = Seen {
        oldest: grand_oldest,
        ..Seen::default()
    };
    let mut rows: Vec<Vec<Cell>> = Vec::with_capacity(PAGE_SIZE.min(count));
    for &i in order.iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE) {
        let d = &prepared.devices[i];
        let unit = d.lfp_unit;
        let mut cells = device_cells(d, device_href(d.id, c, None), unit_column, lang);
        if totals {
            let mut cell = Cell::value(grid.get(i, 0), class, unit);
            cell.oldest = total_oldest[i];
            cells.push(cell);
        }
        for (p, period) in periods.iter().enumerate() {
            let mut cell = Cell::value(grid.get(i, p + 1), class, unit);
            cell.oldest = oldest[i * n + p];
            cell.weekend = matches!(period, Period::Day(d) if format::is_weekend(*d));
            if let Some(cov) = incomplete_at(i, p) {
                cell.incomplete = incomplete_title(cov, lang, locale);
            }
            if let Some(reset_days) = reset[i * n + p] {
                let days = prepared
                    .reset_dates(&state.services, d.id, (p, reset_days), Key::Total1)
                    .await?;
                cell.reset = reset_title(&days, &[], class, lang, locale);
            }
            seen.oldest |= cell.oldest;
            seen.incomplete |= !cell.incomplete.is_empty();
            seen.reset |= !cell.reset.is_empty();
            cells.push(cell);
        }
        rows.push(cells);
    }
    let notes = table_notes(&prepared, seen, c, "/counters", tr);
    let mut pager = pager(count, page, &base, "/counters", lang);
    if pager.is_none() {
        pager = Some(Pager {
            status: i18n::t_args(
                lang,
                "counters-device-count",
                &[("count", format::number(count as i64, DeviceClass::Mfp))],
            ),
            links: Vec::new(),
        });
    }
    let mut notes = notes;
    if let Some(kept) =
        counters::kept_from(&viewer.tenant, state.now_ms()).filter(|k| c.from.first_day() < *k)
    {
        notes.push(Note {
            text: i18n::t_args(
                lang,
                "counters-note-retention",
                &[("kept", format::day(kept, lang, locale))],
            ),
            link: None,
        });
    }
    let empty = if any_value {
        None
    } else {
        Some(empty_note(state, viewer, &prepared, today).await?)
    };
    Ok((
        TableView {
            caption: tr.t("counters-table-caption"),
            heads,
            total,
            rows,
            pager,
            empty,
        },
        notes,
        base,
    ))
}

// ---- S16 and S17: details with tabs and graphs

#[derive(Debug, Clone)]
struct Tab {
    label: String,
    href: String,
    current: bool,
}

#[derive(Debug, Clone)]
struct Note {
    text: String,
    link: Option<(String, String)>,
}

#[derive(Template)]
#[template(path = "counters_detail.html")]
struct DetailPage {
    ctx: PageCtx,
    heading: String,
    crumbs: Vec<(String, String)>,
    summary: Vec<(String, String)>,
    /// Previous and next period (S17).
    neighbours: Vec<(String, String, &'static str)>,
    tabs: Vec<Tab>,
    tab_notes: Vec<Note>,
    export: Vec<(&'static str, String)>,
    /// The Graph switch: its address, its words, whether the graph is shown.
    graph_toggle: Option<(String, String, bool)>,
    chart: Option<graph::Chart>,
    chart_notes: Vec<String>,
    table: Option<TableView>,
    notes: Vec<Note>,
}

/// The fill of a category in the graphs: fixed per counter, so that A4 has the same colour
/// on every chart. Colour modes are coloured and grey as their names say.
fn fill(key: Key) -> &'static str {
    use Key::*;
    match key {
        ColorCopy => "#c8364f",
        ColorPrint => "#f28e2b",
        MonoCopy => "#3d4349",
        MonoPrint => "#9aa3ab",
        Copy => "#4e79a7",
        Receive => "#59a14f",
        Print => "#f28e2b",
        ScanSend => "#b07aa1",
        PaperA3 => "#4e79a7",
        PaperA4 => "#edc948",
        PaperA5 => "#59a14f",
        PaperA6 => "#76b7b2",
        PaperB4 => "#e15759",
        PaperB5 => "#b07aa1",
        PaperB6 => "#ff9da7",
        PaperLetter => "#f28e2b",
        PaperLegal => "#9c755f",
        PaperLedger => "#17becf",
        PaperStatement => "#bcbd22",
        PaperExecutive => "#8c564b",
        PaperPostcard => "#aec7e8",
        PaperSra3 => "#1f5f99",
        Paper12x18 => "#98df8a",
        PaperEnvelope => "#c5b0d5",
        PaperOther => "#bab0ac",
        _ => "#8c959f",
    }
}

/// What a detail page shows: the tab and whether its graph is on.
struct Display {
    view: View,
    graph: bool,
    keys: Vec<Key>,
    /// Index of each of `keys` in the table's cells.
    idx: Vec<usize>,
    class: DeviceClass,
}

impl Display {
    fn new(params: &Params, prepared: &Prepared, paper: &[Key]) -> Display {
        let class = prepared.shape.class;
        let view = param(params, "view")
            .and_then(View::parse)
            .unwrap_or_default();
        // Large-format printers have the same five counters on every tab: no tabs, no graph.
        let view = if class == DeviceClass::Lfp {
            View::Counter
        } else {
            view
        };
        let keys = view_keys(view, class, paper);
        let idx = keys
            .iter()
            .map(|k| key_index(&prepared.shape, *k).expect("a key of the class"))
            .collect();
        Display {
            view,
            graph: view != View::Counter && param(params, "graph") == Some("1"),
            keys,
            idx,
            class,
        }
    }

    fn labels(&self, lang: Lang) -> Vec<String> {
        self.keys
            .iter()
            .map(|k| counter_label(*k, self.class, lang).to_string())
            .collect()
    }

    /// The drawn categories: the tab's counters without Total 1 (the tick) and without
    /// duplex, which is part of copy, receive and print already (S18).
    fn series(&self, lang: Lang) -> Vec<(usize, graph::Series)> {
        self.keys
            .iter()
            .enumerate()
            .filter(|(_, k)| !matches!(k, Key::Total1 | Key::Duplex))
            .map(|(i, k)| {
                (
                    i,
                    graph::Series {
                        label: counter_label(*k, self.class, lang),
                        fill: fill(*k),
                    },
                )
            })
            .collect()
    }

    fn values(&self, cells: Option<&Vec<Option<i64>>>) -> Vec<Option<i64>> {
        self.idx.iter().map(|i| cells.and_then(|c| c[*i])).collect()
    }

    fn tabs(&self, base: &Qs, path: &str, tr: Tr) -> Vec<Tab> {
        if self.class == DeviceClass::Lfp {
            return Vec::new();
        }
        View::ALL
            .iter()
            .map(|v| {
                let mut qs = base
                    .clone()
                    .set("view", v.as_str())
                    .unset("sort")
                    .unset("dir");
                // The graph stays on when moving between the tabs that have one.
                if self.graph && *v != View::Counter {
                    qs = qs.set("graph", "1");
                }
                Tab {
                    label: i18n::view_label(*v, tr.0),
                    href: qs.href(path),
                    current: *v == self.view,
                }
            })
            .collect()
    }

    fn tab_notes(&self, tr: Tr) -> Vec<Note> {
        match self.view {
            View::Paper => vec![Note {
                text: tr.t("counters-note-paper"),
                link: Some((
                    tr.t("counters-note-paper-link"),
                    "/settings/paper-sizes".into(),
                )),
            }],
            View::Function => vec![Note {
                text: tr.t("counters-note-function"),
                link: None,
            }],
            _ => Vec::new(),
        }
    }

    fn graph_toggle(&self, base: &Qs, path: &str, tr: Tr) -> Option<(String, String, bool)> {
        if self.view == View::Counter {
            return None;
        }
        let qs = base.clone().set("view", self.view.as_str());
        Some(if self.graph {
            (
                qs.unset("graph").href(path),
                tr.t("counters-graph-hide"),
                true,
            )
        } else {
            (
                qs.set("graph", "1").href(path),
                tr.t("counters-graph-show"),
                false,
            )
        })
    }

    fn chart_title(&self, tr: Tr) -> String {
        i18n::t_args(
            tr.0,
            "counters-graph-title",
            &[("view", i18n::view_label(self.view, tr.0))],
        )
    }

    fn chart_notes(&self, tr: Tr) -> Vec<String> {
        let mut notes = vec![tr.t("counters-graph-note-tick")];
        if self.view == View::Function {
            notes.push(tr.t("counters-graph-note-duplex"));
        }
        notes
    }
}

/// Conditions of a detail page. Without any (a link from elsewhere, `/counters/device/7`),
/// the defaults of the form.
fn detail_conditions(
    params: &Params,
    viewer: &Viewer,
    groups: &[Group],
    today: Date,
) -> Result<Conditions, Redirect> {
    let mut params = params.clone();
    if !["unit", "from", "to"]
        .iter()
        .any(|k| params.contains_key(*k))
    {
        let d = Conditions::defaults(today);
        for (k, v) in [
            ("unit", d.unit.as_str().to_string()),
            ("from", d.from.to_string()),
            ("to", d.to.to_string()),
        ] {
            params.insert(k.into(), v);
        }
    }
    parse_conditions(&params, viewer.lang, &viewer.user.locale, groups).map_err(|_| {
        // Wrong conditions in a hand-made address: the form says what is wrong with them.
        let qs: Vec<String> = ["unit", "from", "to", "kind", "group", "class"]
            .iter()
            .filter_map(|k| params.get(*k).map(|v| format!("{k}={}", urlencode(v))))
            .collect();
        Redirect::to(&format!("/counters?{}", qs.join("&")))
    })
}

async fn device_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response, PageError> {
    let lang = viewer.lang;
    let tr = Tr(lang);
    let locale = viewer.user.locale.clone();
    let id: i64 = id
        .parse()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(PageError::NotFound)?;
    let groups = groups::list_groups(&state.services, TenantId(viewer.tenant.id)).await?;
    let today = today(&state, &viewer);
    let mut c = match detail_conditions(&params, &viewer, &groups, today) {
        Ok(c) => c,
        Err(redirect) => return Ok(redirect.into_response()),
    };
    let query = |c: &Conditions| c.query(Some(id));
    let prepared = match prepare(&state, &viewer, query(&c)).await {
        // A link without a class (from the device screens) finds a large-format printer too.
        Err(PageError::NotFound) if param(&params, "class").is_none() => {
            c.class = DeviceClass::Lfp;
            prepare(&state, &viewer, query(&c)).await?
        }
        other => other?,
    };
    let paper = labels::paper_size_keys(&viewer.tenant.paper_sizes);
    let d = Display::new(&params, &prepared, &paper);
    let device = prepared.devices[0].clone();
    let shape = prepared.shape.clone();
    let class = shape.class;

    let mut row: Option<DeviceRow> = None;
    let mut totals = Totals::new(&shape);
    let mut rows = prepared.rows(&state.services);
    while let Some(item) = rows.next().await {
        let (_, r) = item?;
        totals.add_row(&r);
        row = Some(r);
    }
    drop(rows);
    let row = row.unwrap_or_else(|| shape.device_row([]));
    let unit = device.lfp_unit;
    let incomplete = prepared.incomplete(&row);
    let resets = prepared.resets(&state.services, id, &row, true).await?;

    let path = format!("/counters/device/{id}");
    let base = c.qs().set("view", d.view.as_str());
    let mut heads = vec![Head {
        label: heading(Heading::Period, lang),
        ..Head::default()
    }];
    heads.extend(d.labels(lang).into_iter().map(|label| Head {
        label,
        num: true,
        ..Head::default()
    }));
    let n = shape.periods.len();
    let mut seen = Seen::default();
    let total = prepared.totals.then(|| {
        let mut cells = vec![Cell::header(heading(Heading::Total, lang))];
        for (v, idx) in d.values(Some(&totals.total)).into_iter().zip(&d.idx) {
            let mut cell = Cell::value(v, class, unit);
            cell.oldest = shape.oldest_in_totals
                && (0..n).any(|p| row.cell_oldest(p, *idx) && row.value(p, *idx).is_some());
            seen.oldest |= cell.oldest;
            cells.push(cell);
        }
        cells
    });
    let mut period_notes = Vec::new();
    let mut body = Vec::with_capacity(n);
    let mut bars = Vec::new();
    // Newest first, as the seed lists them.
    for p in (0..n).rev() {
        let period = shape.periods[p];
        let label = format::period(period, lang, locale.as_str());
        let mut first = Cell {
            href: Some(period_href(period, &c, Some(d.view))),
            ..Cell::header(label.clone())
        };
        match period {
            Period::Month(_) => {
                let days = c.with_range(
                    Period::Day(period.first_day()),
                    Period::Day(period.last_day()),
                );
                first.links = vec![(tr.t("counters-days"), device_href(id, &days, Some(d.view)))];
            }
            Period::Day(date) => {
                first.sub = format::weekday(date, lang);
                first.weekend = format::is_weekend(date);
            }
        }
        first.now = contains(period, today);
        if let Some(cov) = incomplete[p] {
            first.incomplete = incomplete_title(cov, lang, &locale);
            seen.incomplete = true;
            period_notes.push(format!("† {label}: {}", first.incomplete));
        }
        let values = d.values(row.cells[p].as_ref());
        let mut cells = vec![first];
        for (i, v) in values.iter().enumerate() {
            let key = d.keys[i];
            let mut cell = Cell::value(*v, class, unit);
            cell.oldest = row.cell_oldest(p, d.idx[i]) && v.is_some();
            seen.oldest |= cell.oldest;
            let days: Vec<Date> = resets
                .iter()
                .filter(|r| r.period == p && r.keys.contains(&key))
                .map(|r| r.day)
                .collect();
            if !days.is_empty() {
                cell.reset = reset_title(&days, &[], class, lang, &locale);
                seen.reset = true;
            }
            cells.push(cell);
        }
        for r in resets.iter().filter(|r| r.period == p) {
            let keys: Vec<Key> = r
                .keys
                .iter()
                .copied()
                .filter(|k| d.keys.contains(k))
                .collect();
            if !keys.is_empty() {
                period_notes.push(format!(
                    "↺ {}",
                    reset_title(&[r.day], &keys, class, lang, &locale)
                ));
            }
        }
        body.push(cells);
        if d.graph {
            bars.push(graph::BarData {
                label,
                values: d.series(lang).iter().map(|(i, _)| values[*i]).collect(),
                total1: values[0],
            });
        }
    }
    let chart = d.graph.then(|| {
        let mut chart = graph::layout(&graph::ChartData {
            title: d.chart_title(tr),
            series: d.series(lang).into_iter().map(|(_, s)| s).collect(),
            bars,
            total1_label: counter_label(Key::Total1, class, lang),
        });
        chart.desc = tr.t("counters-graph-desc");
        chart
    });

    let mut summary = summary(&c, &groups, &viewer);
    // After the group, as the seed's "期間 | グループ | デバイス名".
    summary.insert(2, (tr.t("counters-device-name"), device.name.clone()));
    if class == DeviceClass::Lfp {
        summary.push((heading(Heading::Unit, lang), unit_label(&device, lang)));
    }
    let mut notes = table_notes(&prepared, seen, &c, &path, tr);
    if class == DeviceClass::Lfp {
        notes.retain(|n| n.text != tr.t("counters-note-mixed-units"));
    }
    // Newest first, as the rows.
    notes.extend(
        period_notes
            .into_iter()
            .map(|text| Note { text, link: None }),
    );
    let page = DetailPage {
        ctx: viewer.ctx("counters", if d.graph { "graph" } else { "counter-device" }),
        heading: i18n::t_args(
            lang,
            "counters-device-title",
            &[
                ("kind", kind_label(c.kind, tr)),
                ("unit", unit_words(c.unit, tr)),
            ],
        ),
        crumbs: vec![
            (tr.t("menu-counters"), "/counters".into()),
            (
                format::range(c.from, c.to, lang, &locale),
                c.qs().href("/counters"),
            ),
        ],
        summary,
        neighbours: Vec::new(),
        tabs: d.tabs(&c.qs(), &path, tr),
        tab_notes: d.tab_notes(tr),
        export: c
            .qs()
            .set("device", id.to_string())
            .set("view", d.view.as_str())
            .pairs(),
        graph_toggle: d.graph_toggle(&base, &path, tr),
        chart_notes: if chart.is_some() {
            d.chart_notes(tr)
        } else {
            Vec::new()
        },
        chart,
        table: Some(TableView {
            caption: tr.t("counters-device-caption"),
            heads,
            total,
            rows: body,
            pager: None,
            empty: None,
        }),
        notes,
    };
    Ok(render(&page))
}

/// The period holds `today`: its figures are still growing.
fn contains(p: Period, today: Date) -> bool {
    p.first_day() <= today && today <= p.last_day()
}

/// The period before `p` (same unit).
fn previous(p: Period) -> Option<Period> {
    match p {
        Period::Day(d) => d.yesterday().ok().map(Period::Day),
        Period::Month(d) => d.checked_sub(months(1)).ok().map(Period::Month),
    }
}

async fn period_page(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(period): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response, PageError> {
    let lang = viewer.lang;
    let tr = Tr(lang);
    let locale = viewer.user.locale.clone();
    let period = Period::parse(&period).ok_or(PageError::NotFound)?;
    let groups = groups::list_groups(&state.services, TenantId(viewer.tenant.id)).await?;
    let today = today(&state, &viewer);
    // The table's range is kept for the way back; without one (or a wrong one), the
    // period itself is the range.
    let mut with_period = params.clone();
    if parse_conditions(&params, lang, &locale, &groups).is_err() || !params.contains_key("unit") {
        with_period.insert("unit".into(), period.unit().as_str().into());
        with_period.insert("from".into(), period.to_string());
        with_period.insert("to".into(), period.to_string());
    }
    let c = match detail_conditions(&with_period, &viewer, &groups, today) {
        Ok(c) => c,
        Err(redirect) => return Ok(redirect.into_response()),
    };
    let query = c.period_query(period);
    let prepared = prepare(&state, &viewer, query).await?;
    let paper = labels::paper_size_keys(&viewer.tenant.paper_sizes);
    let d = Display::new(&params, &prepared, &paper);
    let class = prepared.shape.class;
    let count = prepared.devices.len();
    let k = d.keys.len();

    let mut grid = Grid::new(count, k);
    // Per device: the shown counters' first-reading (C5) and reset (C6) bits, by column of
    // the view, and the days covered when the period is incomplete.
    let mut oldest = vec![0u64; count];
    let mut reset = vec![0u64; count];
    let mut reset_days = vec![0u32; count];
    let mut incomplete: Vec<Option<Covered>> = vec![None; count];
    let mut total_oldest = 0u64;
    let mut totals = Totals::new(&prepared.shape);
    let mut rows = prepared.rows(&state.services);
    while let Some(item) = rows.next().await {
        let (index, row) = item?;
        for (col, v) in d.values(row.cells[0].as_ref()).into_iter().enumerate() {
            grid.set(index, col, v);
            if row.cell_oldest(0, d.idx[col]) && v.is_some() {
                oldest[index] |= 1 << col;
            }
            if row.cell_reset(0, d.idx[col]) {
                reset[index] |= 1 << col;
            }
        }
        reset_days[index] = row.reset_days[0];
        if prepared.shape.oldest_in_totals {
            total_oldest |= oldest[index];
        }
        incomplete[index] = prepared.incomplete(&row)[0];
        totals.add_row(&row);
    }
    drop(rows);
    let unit = prepared.devices.iter().find_map(|d| d.lfp_unit);

    let path = format!("/counters/period/{period}");
    let base = c.qs().set("view", d.view.as_str());
    let sort = Sort::parse(&params, |key| {
        Key::from_name(key).and_then(|key| d.keys.iter().position(|k| *k == key))
    });
    let pages = count.div_ceil(PAGE_SIZE).max(1);
    let page = page_number(&params, pages);
    let order = device_order(&prepared.devices, &grid, sort);
    let sorts = SortLinks {
        current: sort,
        base: &base,
        path: &path,
        tr,
    };
    let link =
        |by: SortBy, key: &str, label: &str, numeric: bool| sorts.link(by, key, label, numeric);
    let unit_column = class == DeviceClass::Lfp;
    let mut heads = vec![
        Head {
            label: heading(Heading::DeviceName, lang),
            sort: link(
                SortBy::Name,
                "name",
                &heading(Heading::DeviceName, lang),
                false,
            ),
            ..Head::default()
        },
        Head {
            label: heading(Heading::Location, lang),
            sort: link(
                SortBy::Location,
                "location",
                &heading(Heading::Location, lang),
                false,
            ),
            ..Head::default()
        },
        Head {
            label: heading(Heading::Group, lang),
            sort: link(
                SortBy::Group,
                "group",
                &heading(Heading::Group, lang),
                false,
            ),
            ..Head::default()
        },
    ];
    if unit_column {
        heads.push(Head {
            label: heading(Heading::Unit, lang),
            ..Head::default()
        });
    }
    for (i, (key, label)) in d.keys.iter().zip(d.labels(lang)).enumerate() {
        heads.push(Head {
            sort: link(SortBy::Col(i), key.name(), &label, true),
            label,
            num: true,
            ..Head::default()
        });
    }
    let total = prepared.totals.then(|| {
        let mut cells = vec![Cell::header(heading(Heading::Total, lang))];
        cells.extend((0..2 + usize::from(unit_column)).map(|_| Cell::default()));
        for (col, v) in d.values(totals.periods[0].as_ref()).into_iter().enumerate() {
            let mut cell = Cell::value(v, class, unit);
            cell.oldest = total_oldest >> col & 1 != 0;
            cells.push(cell);
        }
        cells
    });
    let mut seen = Seen {
        oldest: total_oldest != 0,
        ..Seen::default()
    };
    let mut body: Vec<Vec<Cell>> = Vec::with_capacity(PAGE_SIZE.min(count));
    for &i in order.iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE) {
        let dev = &prepared.devices[i];
        let mut cells = device_cells(
            dev,
            device_href(dev.id, &c, Some(d.view)),
            unit_column,
            lang,
        );
        if let Some(cov) = incomplete[i] {
            cells[0].incomplete = incomplete_title(cov, lang, &locale);
            seen.incomplete = true;
        }
        for col in 0..k {
            let mut cell = Cell::value(grid.get(i, col), class, dev.lfp_unit);
            cell.oldest = oldest[i] >> col & 1 != 0;
            if reset[i] >> col & 1 != 0 {
                let days = prepared
                    .reset_dates(&state.services, dev.id, (0, reset_days[i]), d.keys[col])
                    .await?;
                cell.reset = reset_title(&days, &[], class, lang, &locale);
                seen.reset = true;
            }
            seen.oldest |= cell.oldest;
            cells.push(cell);
        }
        body.push(cells);
    }

    // The graph: the devices that used the most, largest first.
    let mut chart_notes = Vec::new();
    let chart = d.graph.then(|| {
        let series = d.series(lang);
        let mut ranked: Vec<usize> = (0..count)
            .filter(|&i| (0..k).any(|col| grid.get(i, col).is_some()))
            .collect();
        ranked.sort_by(|&a, &b| {
            missing_last(grid.get(a, 0), grid.get(b, 0), true)
                .then(prepared.devices[a].name.cmp(&prepared.devices[b].name))
                .then(prepared.devices[a].id.cmp(&prepared.devices[b].id))
        });
        chart_notes = d.chart_notes(tr);
        if ranked.len() > GRAPH_MAX_BARS {
            chart_notes.insert(
                0,
                i18n::t_args(
                    lang,
                    "counters-graph-note-top",
                    &[
                        ("shown", GRAPH_MAX_BARS.to_string()),
                        (
                            "total",
                            format::number(ranked.len() as i64, DeviceClass::Mfp),
                        ),
                    ],
                ),
            );
        }
        let bars = ranked
            .iter()
            .take(GRAPH_MAX_BARS)
            .map(|&i| graph::BarData {
                label: prepared.devices[i].name.clone(),
                values: series.iter().map(|(col, _)| grid.get(i, *col)).collect(),
                total1: grid.get(i, 0),
            })
            .collect();
        let mut chart = graph::layout(&graph::ChartData {
            title: d.chart_title(tr),
            series: series.into_iter().map(|(_, s)| s).collect(),
            bars,
            total1_label: counter_label(Key::Total1, class, lang),
        });
        chart.desc = tr.t("counters-graph-desc");
        chart
    });

    let period_label = format::period(period, lang, &locale);
    let this = c.with_range(period, period);
    let summary = summary(&this, &groups, &viewer);
    let paged = sort.keep(base.clone(), |col| d.keys[col].name().to_string());
    let mut pager = pager(count, page, &paged, &path, lang);
    if pager.is_none() {
        pager = Some(Pager {
            status: i18n::t_args(
                lang,
                "counters-device-count",
                &[("count", format::number(count as i64, DeviceClass::Mfp))],
            ),
            links: Vec::new(),
        });
    }
    let neighbour = |p: Period, rel: &'static str| {
        let label = format::period(p, lang, &locale);
        (
            label,
            base.clone().href(&format!("/counters/period/{p}")),
            rel,
        )
    };
    let mut neighbours = Vec::new();
    if let Some(p) = previous(period) {
        neighbours.push(neighbour(p, "prev"));
    }
    // No way into the future, where there is nothing to see.
    if period.next().first_day() <= today {
        neighbours.push(neighbour(period.next(), "next"));
    }
    let heading_key = match period {
        Period::Month(_) => "counters-month-title",
        Period::Day(_) => "counters-day-title",
    };
    let page = DetailPage {
        ctx: viewer.ctx("counters", if d.graph { "graph" } else { "counter-period" }),
        heading: i18n::t_args(
            lang,
            heading_key,
            &[
                ("kind", kind_label(c.kind, tr)),
                ("period", period_label.clone()),
            ],
        ),
        crumbs: vec![
            (tr.t("menu-counters"), "/counters".into()),
            (
                format::range(c.from, c.to, lang, &locale),
                c.qs().href("/counters"),
            ),
        ],
        summary,
        neighbours,
        tabs: d.tabs(&c.qs(), &path, tr),
        tab_notes: d.tab_notes(tr),
        export: sort
            .keep(
                c.selection_qs()
                    .set("period", period.to_string())
                    .set("view", d.view.as_str()),
                |col| d.keys[col].name().to_string(),
            )
            .pairs(),
        graph_toggle: d.graph_toggle(&base, &path, tr),
        chart_notes: if chart.is_some() {
            chart_notes
        } else {
            Vec::new()
        },
        chart,
        table: Some(TableView {
            caption: tr.t("counters-period-caption"),
            heads,
            total,
            rows: body,
            pager,
            empty: None,
        }),
        notes: table_notes(&prepared, seen, &c, &path, tr),
    };
    Ok(render(&page))
}

// ---- Export (S19)

#[derive(Template)]
#[template(path = "counters_export_error.html")]
struct ExportErrorPage {
    ctx: PageCtx,
    body: String,
    cells: Vec<(String, String)>,
    utf8_href: String,
    back_href: String,
}

/// The CSV of a screen, through the same code as `/api/v1/counters.csv`, in the viewer's
/// language.
async fn export(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<Params>,
) -> Result<Response, PageError> {
    let lang = viewer.lang;
    let mut params = params;
    // The Export button of the form sends the form's fields.
    if let Some(qs) = canonical_from_form(&params) {
        let encoding = params.get("encoding").cloned();
        params = qs.map();
        if let Some(e) = encoding {
            params.insert("encoding".into(), e);
        }
    }
    // Only what the CSV knows: the file has every row, in the order on screen.
    for key in ["page", "graph", "lang"] {
        params.remove(key);
    }
    params.insert("lang".into(), lang.as_str().into());
    // The screens leave first-reading values out of the totals unless asked.
    params
        .entry("oldest".into())
        .or_insert_with(|| "exclude".into());
    let back = || {
        let qs: Vec<String> = ["unit", "from", "to", "kind", "group", "class"]
            .iter()
            .filter_map(|k| params.get(*k).map(|v| format!("{k}={}", urlencode(v))))
            .collect();
        format!("/counters?{}", qs.join("&"))
    };
    let prepared =
        match counters::prepare(&state.services, &viewer.tenant, &params, state.now_ms()).await {
            Ok(p) => p,
            Err(QueryError::NoSuchDevice | QueryError::NoSuchGroup) => {
                return Err(PageError::NotFound);
            }
            // Conditions the form would refuse: the form says why, next to the field.
            Err(QueryError::Invalid(_)) => return Ok(Redirect::to(&back()).into_response()),
            Err(QueryError::Store(e)) => return Err(PageError::internal(e)),
        };
    let region = crate::csv_export::Region(&viewer.user.locale);
    match crate::csv_export::respond(&state, &viewer.tenant, prepared, &params, region).await {
        Ok(response) => Ok(response),
        Err(e) if e.code == "unencodable" => {
            let cells = e
                .details
                .iter()
                .take(10)
                .map(|d| {
                    (
                        d["heading"].as_str().unwrap_or_default().to_string(),
                        d["value"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect();
            let mut utf8 = params.clone();
            utf8.insert("encoding".into(), "utf-8".into());
            utf8.remove("lang");
            let mut keys: Vec<&String> = utf8.keys().collect();
            keys.sort();
            let qs: Vec<String> = keys
                .iter()
                .map(|k| format!("{k}={}", urlencode(&utf8[*k])))
                .collect();
            let page = ExportErrorPage {
                ctx: viewer.ctx("counters", "csv"),
                body: i18n::t_args(
                    lang,
                    "counters-sjis-body",
                    &[("count", e.details.len().to_string())],
                ),
                cells,
                utf8_href: format!("/counters/export?{}", qs.join("&")),
                back_href: back(),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) if e.status == StatusCode::NOT_FOUND => Err(PageError::NotFound),
        Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
            Ok(Redirect::to(&back()).into_response())
        }
        Err(e) => Err(PageError::internal(e.message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn params(s: &str) -> Params {
        s.split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn errors(s: &str, lang: Lang) -> FieldErrors {
        parse_conditions(&params(s), lang, "ja-JP", &[]).unwrap_err()
    }

    #[test]
    fn the_defaults_are_the_last_four_months_ending_with_the_current_one() {
        let c = Conditions::defaults(date(2021, 12, 1));
        assert_eq!(c.from.to_string(), "2021-09");
        assert_eq!(c.to.to_string(), "2021-12");
        assert_eq!(c.kind, Kind::Usage);
        let form = FormInput::of(&c);
        // The daily fields cover the same start, cut to the daily limit.
        assert_eq!(
            (form.dfrom.as_str(), form.dto.as_str()),
            ("2021-09-01", "2021-11-30")
        );
    }

    #[test]
    fn each_range_error_names_its_limit_in_both_languages() {
        let e = errors("unit=month&from=2021-01&to=2022-01", Lang::En);
        assert_eq!(
            e.get("to").unwrap(),
            "A monthly period can be at most 12 months: starting Jan 2021, it can end in Dec 2021 at the latest."
        );
        let e = errors("unit=month&from=2021-01&to=2022-01", Lang::Ja);
        assert!(e.get("to").unwrap().contains("12か月"), "{:?}", e.get("to"));
        assert!(e.get("to").unwrap().contains("2021/12"));
        let e = errors("unit=day&from=2021-08-01&to=2021-11-01", Lang::Ja);
        assert!(e.get("to").unwrap().contains("3か月"));
        assert!(e.get("to").unwrap().contains("2021/10/31"));
        let e = errors("unit=day&from=2021-08-01&to=2021-11-01", Lang::En);
        assert!(e.get("to").unwrap().contains("3 months"));
        let e = errors("unit=month&from=2021-09&to=2021-08", Lang::En);
        assert!(e.get("to").unwrap().contains("before"));
        let e = errors("unit=month&from=2021-13&to=2021-12", Lang::En);
        assert!(e.get("from").unwrap().contains("YYYY-MM"));
        let e = errors("unit=day&from=&to=2021-12-01", Lang::En);
        assert!(e.has("from") && !e.has("to"));
        let e = errors(
            "unit=month&from=2021-01&to=2021-02&kind=sum&class=x&group=7",
            Lang::En,
        );
        assert!(e.has("kind") && e.has("class") && e.has("group"));
    }

    #[test]
    fn a_form_submission_becomes_the_canonical_address_of_its_unit() {
        let qs = canonical_from_form(&params(
            "unit=day&mfrom=2021-08&mto=2021-11&dfrom=2021-08-01&dto=2021-08-31&kind=usage&encoding=utf-8",
        ))
        .unwrap();
        assert_eq!(
            qs.href("/counters"),
            "/counters?unit=day&from=2021-08-01&to=2021-08-31&kind=usage"
        );
        assert!(canonical_from_form(&params("unit=month&from=2021-08&to=2021-09")).is_none());
    }

    #[test]
    fn sorting_puts_dashes_last_in_both_directions_and_ties_by_name() {
        let dev = |id, name: &str| CounterDevice {
            id,
            serial: format!("S{id}"),
            name: name.into(),
            location: None,
            group: None,
            lfp_unit: None,
        };
        let devices = vec![dev(1, "b"), dev(2, "a"), dev(3, "c"), dev(4, "d")];
        let mut grid = Grid::new(4, 1);
        grid.set(0, 0, Some(5));
        grid.set(1, 0, Some(5));
        grid.set(2, 0, None);
        grid.set(3, 0, Some(9));
        let desc = device_order(
            &devices,
            &grid,
            Sort {
                by: SortBy::Col(0),
                desc: true,
            },
        );
        assert_eq!(desc, [3, 1, 0, 2]);
        let asc = device_order(
            &devices,
            &grid,
            Sort {
                by: SortBy::Col(0),
                desc: false,
            },
        );
        assert_eq!(asc, [1, 0, 3, 2]);
        let names = device_order(
            &devices,
            &grid,
            Sort {
                by: SortBy::Name,
                desc: false,
            },
        );
        assert_eq!(names, [1, 0, 2, 3]);
    }

    #[test]
    fn page_links_keep_the_parameters_and_skip_the_middle() {
        let base = Qs::default().set("unit", "month").set("sort", "total");
        let p = pager(10_000, 20, &base, "/counters", Lang::En).unwrap();
        assert_eq!(p.status, "Devices 3,801–4,000 of 10,000");
        let labels: Vec<&str> = p.links.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(
            labels,
            ["‹", "1", "…", "18", "19", "20", "21", "22", "…", "50", "›"]
        );
        assert_eq!(
            p.links[1].href.as_deref(),
            Some("/counters?unit=month&sort=total&page=1")
        );
        assert!(p.links[5].current && p.links[5].href.is_none());
        assert!(pager(200, 1, &base, "/counters", Lang::En).is_none());
    }
}
