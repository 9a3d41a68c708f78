//! CSV export of the counter tables (SPEC S19, §7 `GET /api/v1/counters.csv`).
//!
//! The file mirrors the screen it exports, with the screen's headings in the user's language
//! (`lang=ja|en`, the seed's Japanese by default):
//!
//! - neither `device=` nor `period=`: the S13 table, one row per device (by name); columns
//!   device name, location, group, [Total], then one per period, holding Total 1;
//! - `device=` (with or without `period=`): S16, one row per period, newest first; columns
//!   period, then the view's counters;
//! - `period=`: S17, one row per device (by name); columns device name, location, group, then
//!   the view's counters.
//!
//! `view=counter|paper|color_mode|function` picks the tab of S16/S17 (the paper tab lists
//! the tenant's sizes of S21); S13 always shows Total 1. For usage, the Total row (合計)
//! comes first under the headings, as on the seed's screens, and S13 has a Total column;
//! neither exists for cumulative values, nor for LFPs of different units (whose sum would
//! mean nothing: the JSON API's totals are null then too, and C8 wants the same numbers).
//!
//! Decisions worth knowing:
//! - **Units of large-format printers.** A table that lists devices (S13, S17) has a Unit
//!   column after the group name, on every row, also when all devices happen to share one
//!   unit: a script that reads the export every month then always finds the same columns.
//!   The one-device table (S16) names the unit in its counter headings ("Total (m²)").
//! - **Missing values** are "-" (S20), written as is. A formula is never made of "-" alone,
//!   so it is not neutralised; a device *named* "-" is neutralised to "'-", which keeps the
//!   two apart.
//! - **Formula injection** (S19, Q4): device names, locations and group names come from
//!   devices and users; a cell of theirs that starts with `=`, `+`, `-`, `@`, a tab or a
//!   carriage return gets a leading apostrophe, which Excel and LibreOffice read as "text".
//!   Our counter values are always written as plain numbers and never touched.
//! - **Encodings.** UTF-8 with a byte-order mark (without it Excel reads UTF-8 as the local
//!   code page), or Shift_JIS, which is Windows-31J on the web (`encoding_rs::SHIFT_JIS`).
//!   Nothing is replaced silently: when a cell cannot be written in Shift_JIS (an emoji in a
//!   device name, say), the answer is a 422 naming each such cell by row and column and
//!   suggesting UTF-8. The only character of our own headings outside Shift_JIS, the "²" of
//!   "m²", is written "2" in a Shift_JIS file. Lines end in CRLF, as Excel writes them.
//! - **Order and memory.** Rows arrive one device at a time, in id order; each is rendered to
//!   its CSV line at once into one buffer and only its place in the name order is kept, so a
//!   table of 10,000 devices over 92 days holds its text (a few megabytes), never its rows.
//!   The whole file is built before answering: a Shift_JIS problem in the last row must still
//!   turn into a 422, not a truncated file.
//! - **Marks as notes.** A CSV cell is a number, so the screen's marks (C5 first readings
//!   and whether the totals add them, incomplete periods with the dates their readings
//!   cover, counter resets with their day) go into a last column, Notes, of the row they
//!   belong to; the values stay plain numbers a spreadsheet adds up.
//! - **As shown.** Rows in the order of the screen (`sort`, `dir` as the screens take them),
//!   period headings as the screen writes them (`2025/12`, `Dec 2025`; days in full), large-
//!   format values with their unit's fixed decimals (m² and sq ft two places, sheets none),
//!   the group's name in the file name.

use std::collections::HashMap;
use std::ops::Range;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use meterport_domain::counters::{DeviceClass, Key, format_shown};
use meterport_domain::coverage::Covered;
use meterport_domain::device::LfpUnit;
use meterport_domain::labels::{self, Heading, Lang, View, view_keys};
use meterport_domain::period::Period;
use meterport_domain::table::{DeviceRow, Totals};

use crate::i18n::{self, counter_label, heading, lfp_unit_label};
use meterport_store::counters::{CounterDevice, GroupFilter};
use meterport_store::tenants::Tenant;
use serde_json::json;

use crate::api::{ApiError, ApiResult};
use crate::app::AppState;
use crate::period_words;
use crate::service::counters::{Prepared, Reset, ResetDater, key_index};
use crate::service::counters_order::{Grid, Sort, SortBy, device_order};

/// The text encoding of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    #[default]
    Utf8,
    /// Windows-31J, as Excel in Japan expects.
    ShiftJis,
}

impl Encoding {
    pub fn parse(s: &str) -> Option<Encoding> {
        if s.eq_ignore_ascii_case("utf-8") {
            Some(Encoding::Utf8)
        } else if s.eq_ignore_ascii_case("shift_jis") {
            Some(Encoding::ShiftJis)
        } else {
            None
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Encoding::Utf8 => "text/csv; charset=utf-8",
            Encoding::ShiftJis => "text/csv; charset=Shift_JIS",
        }
    }
}

/// The parameters of the export beyond those of the counters query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CsvOptions {
    pub view: View,
    pub encoding: Encoding,
    pub lang: Lang,
}

/// Dates in the viewer's region (`en-US` writes `Aug 1, 2021`); the API writes the others'.
#[derive(Debug, Clone, Copy)]
pub struct Region<'a>(pub &'a str);

impl CsvOptions {
    /// Parses `view`, `encoding` and `lang`; an empty value takes the default, as the counters
    /// query does. Every bad parameter is named in one 422.
    pub fn parse(params: &HashMap<String, String>) -> ApiResult<CsvOptions> {
        let get = |k: &str| params.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
        let mut errors = Vec::new();
        let mut options = CsvOptions::default();
        if let Some(v) = get("view") {
            match View::parse(v) {
                Some(v) => options.view = v,
                None => errors.push(("view", i18n::api("api-csv-view-choice"))),
            }
        }
        if let Some(e) = get("encoding") {
            match Encoding::parse(e) {
                Some(e) => options.encoding = e,
                None => errors.push(("encoding", i18n::api("api-csv-encoding-choice"))),
            }
        }
        if let Some(l) = get("lang") {
            match Lang::parse(l) {
                Some(l) => options.lang = l,
                None => errors.push(("lang", i18n::api("api-csv-lang-choice"))),
            }
        }
        if errors.is_empty() {
            return Ok(options);
        }
        let message = errors
            .iter()
            .map(|(f, m)| format!("{f}: {m}"))
            .collect::<Vec<_>>()
            .join("; ");
        Err(
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_query", message).with_details(
                errors
                    .iter()
                    .map(|(f, m)| json!({"field": f, "message": m}))
                    .collect(),
            ),
        )
    }
}

/// Which screen the file mirrors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// S13: devices × periods, Total 1.
    Table,
    /// S16: one device, one row per period.
    DeviceDetail,
    /// S17: one period, one row per device.
    PeriodDetail,
}

/// Answers `/api/v1/counters.csv` for a prepared (parsed, authorised) counters query.
pub async fn respond(
    state: &AppState,
    tenant: &Tenant,
    prepared: Prepared,
    params: &HashMap<String, String>,
    region: Region<'_>,
) -> ApiResult<Response> {
    let options = CsvOptions::parse(params)?;
    let layout = match (prepared.query.selection.device, prepared.query.period) {
        (Some(_), _) => Layout::DeviceDetail,
        (None, Some(_)) => Layout::PeriodDetail,
        (None, None) => Layout::Table,
    };
    if layout == Layout::Table && key_index(&prepared.shape, Key::Total1).is_none() {
        let message = i18n::api("api-csv-keys-total1");
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_query",
            message.clone(),
        )
        .with_details(vec![json!({"field": "keys", "message": message})]));
    }
    let paper_sizes = labels::paper_size_keys(&tenant.paper_sizes);
    let mut sheet = Sheet::new(&prepared, options, layout, &paper_sizes, region.0, params);
    let mut rows = prepared.rows(&state.services);
    let mut dater = ResetDater::default();
    while let Some(item) = rows.next().await {
        let (index, row) = item?;
        let resets = dater
            .resets(&prepared, &state.services, prepared.devices[index].id, &row)
            .await?;
        sheet.add(index, &row, &resets);
    }
    // Give the database stream back before the CPU work of assembling and encoding.
    drop(rows);
    let body = sheet.finish()?;
    let (ascii, full) = file_name(&prepared, layout, options.view);
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        percent_encode(&full)
    );
    let mut res = Body::from(body).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(options.encoding.content_type()),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&disposition).map_err(ApiError::internal)?,
    );
    Ok(res)
}

/// The file name says what the file holds: kind, unit, period(s), class and group when not
/// the defaults, the device, and the tab. Two forms: the full one names the group by its
/// name (sent as RFC 6266's `filename*`, UTF-8 percent-encoded, with the characters no file
/// system takes replaced); the plain `filename` is ASCII only, for clients that know no
/// other, and names the group by id.
fn file_name(p: &Prepared, layout: Layout, view: View) -> (String, String) {
    let group_name = match p.query.selection.group {
        GroupFilter::Group(id) => p.devices.iter().find_map(|d| {
            d.group
                .as_ref()
                .filter(|(g, _)| *g == id)
                .map(|(_, n)| n.clone())
        }),
        _ => None,
    };
    let ascii = file_name_with(p, layout, view, None);
    let full = file_name_with(p, layout, view, group_name.as_deref());
    (ascii, full)
}

fn file_name_with(p: &Prepared, layout: Layout, view: View, group: Option<&str>) -> String {
    let q = &p.query;
    let mut parts: Vec<String> = vec![
        "counters".into(),
        q.kind.as_str().into(),
        p.shape.unit.as_str().into(),
    ];
    match q.period {
        Some(period) => parts.push(period.to_string()),
        None => {
            parts.push(q.range.from.to_string());
            if q.range.to != q.range.from {
                parts.push(q.range.to.to_string());
            }
        }
    }
    if p.shape.class == DeviceClass::Lfp {
        parts.push("lfp".into());
    }
    match q.selection.group {
        GroupFilter::All => {}
        GroupFilter::NoGroup => parts.push("no-group".into()),
        GroupFilter::Group(id) => parts.push(match group {
            Some(name) => name_safe(name),
            None => format!("group-{id}"),
        }),
    }
    if let (Some(_), Some(d)) = (q.selection.device, p.devices.first()) {
        parts.push(format!("device-{}", file_safe(&d.serial)));
    }
    if layout != Layout::Table {
        parts.push(view.as_str().into());
    }
    format!("{}.csv", parts.join("_"))
}

/// A group's name in a file name: the characters Windows, macOS or Linux refuse in a
/// name, controls, and the `_` that separates the name's parts become `-`; at most 60
/// characters.
fn name_safe(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            let refused = matches!(
                c,
                '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' | '_' | '%' | ';' | '\''
            );
            if c.is_control() || c.is_whitespace() || refused {
                '-'
            } else {
                c
            }
        })
        .take(60)
        .collect();
    let trimmed = cleaned.trim_matches(|c| c == '.' || c == '-');
    if trimmed.is_empty() {
        "group".into()
    } else {
        trimmed.to_string()
    }
}

/// RFC 5987's encoding of a UTF-8 file name: unreserved ASCII as is, every other byte as
/// `%XX`.
fn percent_encode(s: &str) -> String {
    const ATTR_CHAR: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'.')
        .remove(b'_')
        .remove(b'-')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, ATTR_CHAR).to_string()
}

/// Serials are already letters, digits and `. _ -` (device validation); anything else becomes
/// `-` so that a rule relaxed later cannot put a quote or a slash into a header.
fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// The first characters that make a spreadsheet read a cell as a formula: the ASCII ones,
/// and their full-width forms (U+FF1D ＝, U+FF0B ＋, U+FF0D －, U+FF20 ＠), which Excel with a
/// Japanese input method converts to ASCII when a cell is edited or re-evaluated.
const FORMULA_STARTS: [char; 10] = [
    '=', '+', '-', '@', '\t', '\r', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
];

/// A cell from a device or a user, made safe against formula injection (S19, Q4).
fn neutralise(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// A cell that Shift_JIS cannot hold.
#[derive(Debug)]
struct Unencodable {
    /// 1-based line of the file (the headings are line 1), as Excel numbers rows.
    row: usize,
    /// 1-based.
    column: usize,
    value: String,
}

/// The file being built: lines rendered as rows arrive, each tagged with its line number,
/// put in order at the end.
struct Sheet<'a> {
    p: &'a Prepared,
    options: CsvOptions,
    layout: Layout,
    class: DeviceClass,
    /// For S16/S17: the view's counters, as (key, index in the table's cells).
    keys: Vec<(Key, usize)>,
    /// Index of Total 1 in the table's cells (S13).
    total1: usize,
    /// Devices listed with a unit column (S13 and S17 of LFPs).
    unit_column: bool,
    headings: Vec<String>,
    /// The lines of the device rows start here (after the headings and the Total row);
    /// until the order is known, a device's row is written as line `DEVICE_LINES + index`.
    first_device_line: usize,
    /// The screen's order, and the values it sorts by: one column (S13: 0 the total, then
    /// the periods' Total 1; S17: the view's counters).
    sort: Sort,
    grid: Grid,
    region: &'a str,
    /// Notes of the Total row: its sums add first-reading values, or leave some out.
    totals_oldest: (bool, bool),
    totals: Option<Totals>,
    /// S16: the one device's row and its resets, kept until the end (its lines are its
    /// periods).
    device_row: Option<DeviceRow>,
    device_resets: Vec<Reset>,
    w: csv::Writer<Vec<u8>>,
    lines: Vec<(usize, Range<usize>)>,
    unencodable: Vec<Unencodable>,
    /// The number of the line being written, and of its last cell (for error reports).
    line: usize,
    column: usize,
}

/// Device rows are numbered from here until their order is known.
const DEVICE_LINES: usize = 1 << 40;

impl<'a> Sheet<'a> {
    fn new(
        p: &'a Prepared,
        options: CsvOptions,
        layout: Layout,
        paper: &[Key],
        region: &'a str,
        params: &HashMap<String, String>,
    ) -> Sheet<'a> {
        let class = p.shape.class;
        let lang = options.lang;
        let keys: Vec<(Key, usize)> = view_keys(options.view, class, paper)
            .into_iter()
            .filter_map(|k| key_index(&p.shape, k).map(|i| (k, i)))
            .collect();
        // The aggregate table needs Total 1 (checked in `respond`); the details show the
        // view's counters among those asked for.
        let total1 = key_index(&p.shape, Key::Total1).unwrap_or(0);
        let unit_column = class == DeviceClass::Lfp && layout != Layout::DeviceDetail;
        let with_totals = p.totals;

        let mut headings: Vec<String> = Vec::new();
        let text_columns = |h: &mut Vec<String>| {
            h.push(heading(Heading::DeviceName, lang));
            h.push(heading(Heading::Location, lang));
            h.push(heading(Heading::Group, lang));
            if unit_column {
                h.push(heading(Heading::Unit, lang));
            }
        };
        match layout {
            Layout::Table => {
                text_columns(&mut headings);
                if with_totals {
                    headings.push(heading(Heading::Total, lang));
                }
                headings.extend(p.shape.periods.iter().map(|x| match x {
                    Period::Month(d) => period_words::month(*d, lang),
                    Period::Day(d) => period_words::day(*d, lang, region),
                }));
            }
            Layout::PeriodDetail => {
                text_columns(&mut headings);
                headings.extend(keys.iter().map(|(k, _)| counter_label(*k, class, lang)));
            }
            Layout::DeviceDetail => {
                headings.push(heading(Heading::Period, lang));
                let unit = p
                    .devices
                    .first()
                    .and_then(|d| d.lfp_unit)
                    .filter(|_| class == DeviceClass::Lfp);
                headings.extend(keys.iter().map(|(k, _)| {
                    let label = counter_label(*k, class, lang);
                    match (unit, lang) {
                        (None, _) => label.to_string(),
                        (Some(u), Lang::Ja) => format!("{label}({})", lfp_unit_label(u, lang)),
                        (Some(u), Lang::En) => format!("{label} ({})", lfp_unit_label(u, lang)),
                    }
                }));
            }
        }

        headings.push(i18n::t(lang, "csv-notes"));

        // Device rows follow the headings and the Total row, in the screen's order.
        let first_device_line = if with_totals { 3 } else { 2 };
        let periods = &p.shape.periods;
        let sort = match layout {
            Layout::Table => Sort::parse(params, |key| {
                if key == "total" && with_totals {
                    return Some(0);
                }
                periods
                    .iter()
                    .position(|x| x.to_string() == key)
                    .map(|i| i + 1)
            }),
            Layout::PeriodDetail => Sort::parse(params, |key| {
                Key::from_name(key).and_then(|key| keys.iter().position(|(k, _)| *k == key))
            }),
            Layout::DeviceDetail => Sort {
                by: SortBy::Name,
                desc: false,
            },
        };
        let grid_cols = match sort.by {
            SortBy::Col(_) => match layout {
                Layout::Table => periods.len() + 1,
                _ => keys.len(),
            },
            _ => 0,
        };

        let w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::with_capacity(1 << 16));
        let mut sheet = Sheet {
            p,
            options,
            layout,
            class,
            keys,
            total1,
            unit_column,
            headings,
            first_device_line,
            sort,
            grid: Grid::new(p.devices.len(), grid_cols),
            region,
            totals_oldest: (false, false),
            totals: with_totals.then(|| Totals::new(&p.shape)),
            device_row: None,
            device_resets: Vec::new(),
            w,
            lines: Vec::new(),
            unencodable: Vec::new(),
            line: 0,
            column: 0,
        };
        sheet.begin(1);
        for h in sheet.headings.clone() {
            sheet.label(&h);
        }
        sheet.end();
        sheet
    }

    // ---- cells

    fn begin(&mut self, line: usize) {
        self.line = line;
        self.column = 0;
    }

    fn field(&mut self, text: &str) {
        self.column += 1;
        if self.options.encoding == Encoding::ShiftJis
            && !text.is_ascii()
            && encoding_rs::SHIFT_JIS.encode(text).2
        {
            self.unencodable.push(Unencodable {
                row: self.line,
                column: self.column,
                value: text.to_string(),
            });
        }
        self.w
            .write_field(text)
            .expect("writing to a Vec cannot fail");
    }

    /// A word of ours.
    fn label(&mut self, text: &str) {
        if self.options.encoding == Encoding::ShiftJis && text.contains('²') {
            self.field(&text.replace('²', "2"));
        } else {
            self.field(text);
        }
    }

    /// Text from a device or a user.
    fn text(&mut self, text: &str) {
        let safe = neutralise(text);
        self.field(&safe);
    }

    /// A value as the screen shows it (its unit's decimals), without thousands separators.
    fn value(&mut self, v: Option<i64>, unit: Option<LfpUnit>) {
        self.column += 1;
        let result = match v {
            None => self.w.write_field("-"),
            Some(v) => match self.class {
                DeviceClass::Mfp => self.w.write_field(itoa::Buffer::new().format(v)),
                DeviceClass::Lfp => self.w.write_field(format_shown(v, DeviceClass::Lfp, unit)),
            },
        };
        result.expect("writing to a Vec cannot fail");
    }

    /// A period as the screen writes it.
    fn period_words(&self, p: Period) -> String {
        period_words::period(p, self.options.lang, self.region)
    }

    /// The notes of one period of a row: its first reading, its incomplete readings, its
    /// resets (of the counters the file shows).
    fn period_notes(
        &self,
        notes: &mut Vec<String>,
        label: Option<&str>,
        oldest: bool,
        incomplete: Option<Covered>,
        resets: &[&Reset],
    ) {
        let lang = self.options.lang;
        let prefix = label.map_or_else(String::new, |l| format!("{l}: "));
        if oldest {
            notes.push(format!("{prefix}{}", i18n::t(lang, "csv-note-oldest")));
        }
        if let Some(c) = incomplete {
            notes.push(format!(
                "{prefix}{}",
                i18n::t_args(
                    lang,
                    "counters-incomplete-title",
                    &[
                        ("from", period_words::day(c.from, lang, self.region)),
                        ("to", period_words::day(c.to, lang, self.region)),
                    ],
                )
            ));
        }
        for r in resets {
            notes.push(format!(
                "{prefix}{}",
                i18n::t_args(
                    lang,
                    "counters-reset-title",
                    &[("date", period_words::day(r.day, lang, self.region))],
                )
            ));
        }
    }

    /// The Notes cell.
    fn notes(&mut self, notes: &[String]) {
        let sep = if self.options.lang == Lang::Ja {
            "。"
        } else {
            "; "
        };
        let mut text = notes.join(sep);
        if self.options.lang == Lang::Ja && !text.is_empty() {
            text.push('。');
        }
        self.label(&text);
    }

    fn end(&mut self) {
        self.w
            .write_record(None::<&[u8]>)
            .and_then(|_| self.w.flush().map_err(csv::Error::from))
            .expect("writing to a Vec cannot fail");
        // The writer flushes its buffer only when full and here, so everything appended
        // since the previous line's end belongs to this line.
        let end = self.w.get_ref().len();
        let from = self.lines.last().map_or(0, |(_, r)| r.end);
        self.lines.push((self.line, from..end));
    }

    fn device_columns(&mut self, d: &CounterDevice) {
        self.text(&d.name);
        self.text(d.location.as_deref().unwrap_or(""));
        self.text(d.group.as_ref().map_or("", |(_, name)| name.as_str()));
        if self.unit_column {
            let label = d
                .lfp_unit
                .map_or_else(String::new, |u| lfp_unit_label(u, self.options.lang));
            self.label(&label);
        }
    }

    /// The view's counters from a table's cells.
    fn counters(&mut self, cells: Option<&Vec<Option<i64>>>, unit: Option<LfpUnit>) {
        for i in 0..self.keys.len() {
            let index = self.keys[i].1;
            self.value(cells.and_then(|c| c[index]), unit);
        }
    }

    /// The view's columns whose counters went down in the resets.
    fn shown_resets<'r>(&self, resets: &'r [Reset], period: usize) -> Vec<&'r Reset> {
        if resets.is_empty() {
            return Vec::new();
        }
        let shown: Vec<Key> = match self.layout {
            Layout::Table => vec![Key::Total1],
            _ => self.keys.iter().map(|(k, _)| *k).collect(),
        };
        resets
            .iter()
            .filter(|r| r.period == period && r.keys.iter().any(|k| shown.contains(k)))
            .collect()
    }

    /// Some shown counter of the period holds its first reading (C5).
    fn shown_oldest(&self, row: &DeviceRow, period: usize) -> bool {
        match self.layout {
            Layout::Table => {
                row.cell_oldest(period, self.total1) && row.value(period, self.total1).is_some()
            }
            _ => self
                .keys
                .iter()
                .any(|(_, i)| row.cell_oldest(period, *i) && row.value(period, *i).is_some()),
        }
    }

    // ---- rows

    fn add(&mut self, index: usize, row: &DeviceRow, resets: &[Reset]) {
        if let Some(t) = &mut self.totals {
            t.add_row(row);
        }
        let p = self.p;
        let device = &p.devices[index];
        let unit = device.lfp_unit;
        let n = p.shape.periods.len();
        // The Total row's note: whether its sums hold first-reading values.
        for period in 0..n {
            if self.shown_oldest(row, period) {
                if p.shape.oldest_in_totals {
                    self.totals_oldest.0 = true;
                } else {
                    self.totals_oldest.1 = true;
                }
            }
        }
        if let SortBy::Col(_) = self.sort.by {
            match self.layout {
                Layout::Table => {
                    self.grid
                        .set(index, 0, row.total.as_ref().and_then(|t| t[self.total1]));
                    for period in 0..n {
                        self.grid
                            .set(index, period + 1, row.value(period, self.total1));
                    }
                }
                _ => {
                    for (col, (_, i)) in self.keys.clone().iter().enumerate() {
                        self.grid.set(index, col, row.value(0, *i));
                    }
                }
            }
        }
        let incomplete = p.incomplete(row);
        match self.layout {
            Layout::Table => {
                self.begin(DEVICE_LINES + index);
                self.device_columns(device);
                if self.totals.is_some() {
                    let total = row.total.as_ref().and_then(|t| t[self.total1]);
                    self.value(total, unit);
                }
                let mut notes = Vec::new();
                for (period, incomplete) in incomplete.iter().enumerate() {
                    self.value(row.value(period, self.total1), unit);
                    // Most cells have nothing to note: no words are made for them.
                    let oldest = self.shown_oldest(row, period);
                    if !oldest && incomplete.is_none() && row.reset[period] == 0 {
                        continue;
                    }
                    let label = self.period_words(p.shape.periods[period]);
                    let resets = self.shown_resets(resets, period);
                    self.period_notes(&mut notes, Some(&label), oldest, *incomplete, &resets);
                }
                self.notes(&notes);
                self.end();
            }
            Layout::PeriodDetail => {
                self.begin(DEVICE_LINES + index);
                self.device_columns(device);
                self.counters(row.cells[0].as_ref(), unit);
                let mut notes = Vec::new();
                let resets = self.shown_resets(resets, 0);
                let oldest = self.shown_oldest(row, 0);
                self.period_notes(&mut notes, None, oldest, incomplete[0], &resets);
                self.notes(&notes);
                self.end();
            }
            // One device: its lines are its periods, written at the end.
            Layout::DeviceDetail => {
                self.device_row = Some(row.clone());
                self.device_resets = resets.to_vec();
            }
        }
    }

    /// The Total row and, for S16, the period rows; then the file in its encoding.
    fn finish(mut self) -> ApiResult<Vec<u8>> {
        let lang = self.options.lang;
        let p = self.p;
        // Totals exist only when the devices share one unit.
        let shared_unit = p.devices.iter().find_map(|d| d.lfp_unit);
        if let Some(totals) = self.totals.take() {
            self.begin(2);
            match self.layout {
                Layout::Table | Layout::PeriodDetail => {
                    self.label(&heading(Heading::Total, lang));
                    self.field("");
                    self.field("");
                    if self.unit_column {
                        self.label(
                            &shared_unit.map_or_else(String::new, |u| lfp_unit_label(u, lang)),
                        );
                    }
                    if self.layout == Layout::Table {
                        self.value(totals.total[self.total1], shared_unit);
                        for period in &totals.periods {
                            self.value(period.as_ref().and_then(|c| c[self.total1]), shared_unit);
                        }
                    } else {
                        self.counters(totals.periods[0].as_ref(), shared_unit);
                    }
                }
                Layout::DeviceDetail => {
                    self.label(&heading(Heading::Total, lang));
                    self.counters(Some(&totals.total), shared_unit);
                }
            }
            let note = match self.totals_oldest {
                (true, _) => i18n::t(lang, "csv-note-total-includes-oldest"),
                (false, true) => i18n::t(lang, "csv-note-total-excludes-oldest"),
                (false, false) => String::new(),
            };
            self.label(&note);
            self.end();
        }
        if self.layout == Layout::DeviceDetail {
            // Newest first, under the Total row (S16).
            let row = self.device_row.take();
            let resets = std::mem::take(&mut self.device_resets);
            let incomplete = row.as_ref().map(|r| p.incomplete(r));
            let first = self.lines.len() + 1;
            for (n, period) in (0..p.shape.periods.len()).rev().enumerate() {
                self.begin(first + n);
                self.label(&self.period_words(p.shape.periods[period]));
                self.counters(
                    row.as_ref().and_then(|r| r.cells[period].as_ref()),
                    shared_unit,
                );
                let mut notes = Vec::new();
                if let Some(r) = &row {
                    let shown = self.shown_resets(&resets, period);
                    let oldest = self.shown_oldest(r, period);
                    let inc = incomplete.as_ref().and_then(|i| i[period]);
                    self.period_notes(&mut notes, None, oldest, inc, &shown);
                }
                self.notes(&notes);
                self.end();
            }
        }
        // The device rows in the screen's order.
        let order = device_order(&p.devices, &self.grid, self.sort);
        let mut line_of = vec![0; p.devices.len()];
        for (rank, index) in order.into_iter().enumerate() {
            line_of[index] = self.first_device_line + rank;
        }
        let renumber = |line: usize| {
            if line >= DEVICE_LINES {
                line_of[line - DEVICE_LINES]
            } else {
                line
            }
        };
        for cell in &mut self.unencodable {
            cell.row = renumber(cell.row);
        }
        if !self.unencodable.is_empty() {
            return Err(self.unencodable_error());
        }

        let text = self.w.into_inner().map_err(ApiError::internal)?;
        let mut lines = self.lines;
        for (line, _) in &mut lines {
            *line = renumber(*line);
        }
        lines.sort_unstable_by_key(|(line, _)| *line);
        let mut out = Vec::with_capacity(text.len() + 3);
        if self.options.encoding == Encoding::Utf8 {
            // The byte-order mark that makes Excel read the file as UTF-8.
            out.extend_from_slice("\u{feff}".as_bytes());
        }
        for (_, range) in lines {
            out.extend_from_slice(&text[range]);
        }
        match self.options.encoding {
            Encoding::Utf8 => Ok(out),
            Encoding::ShiftJis => {
                let utf8 = String::from_utf8(out).map_err(ApiError::internal)?;
                let (bytes, _, replaced) = encoding_rs::SHIFT_JIS.encode(&utf8);
                if replaced {
                    // Every cell was checked above; reaching this is a bug of ours.
                    return Err(ApiError::internal("a checked CSV failed to encode"));
                }
                Ok(bytes.into_owned())
            }
        }
    }

    fn unencodable_error(&self) -> ApiError {
        /// Enough to fix the first few names; the count says how many there are.
        const MAX_DETAILS: usize = 50;
        let mut cells: Vec<&Unencodable> = self.unencodable.iter().collect();
        cells.sort_by_key(|c| (c.row, c.column));
        let n = cells.len();
        let message = i18n::api_args("api-csv-unencodable", &[("count", n.to_string())]);
        let cell_message = i18n::api("api-csv-unencodable-cell");
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "unencodable", message).with_details(
            cells
                .iter()
                .take(MAX_DETAILS)
                .map(|c| {
                    json!({
                        "field": "encoding",
                        "row": c.row,
                        "column": c.column,
                        "heading": self.headings.get(c.column - 1),
                        "value": c.value,
                        "message": cell_message,
                    })
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_excel_would_read_as_formulas_get_an_apostrophe() {
        for formula in [
            "=1+2",
            "+1",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "-",
            "＝1+2",
            "＋1",
            "－2",
            "＠SUM(A1)",
        ] {
            assert_eq!(neutralise(formula), format!("'{formula}"));
        }
        for text in ["Printer 1", "2F", "'=1", " =1", "経理部", ""] {
            assert_eq!(neutralise(text), text);
        }
    }

    #[test]
    fn encodings_parse_from_their_contract_names_in_any_case() {
        assert_eq!(Encoding::parse("utf-8"), Some(Encoding::Utf8));
        assert_eq!(Encoding::parse("Shift_JIS"), Some(Encoding::ShiftJis));
        assert_eq!(Encoding::parse("sjis"), None);
        let params = HashMap::from([
            ("view".to_string(), "pie".to_string()),
            ("lang".to_string(), "fr".to_string()),
            ("encoding".to_string(), "".to_string()),
        ]);
        let e = CsvOptions::parse(&params).unwrap_err();
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = e
            .details
            .iter()
            .map(|d| d["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["view", "lang"]);
    }

    #[test]
    fn serials_in_file_names_keep_only_safe_characters() {
        assert_eq!(file_safe("ABC-12_3.x"), "ABC-12_3.x");
        assert_eq!(file_safe("a\"b/c d"), "a-b-c-d");
    }

    #[test]
    fn shift_jis_holds_our_japanese_headings_but_not_an_emoji_or_a_superscript() {
        for word in [
            "トータル1",
            "カラー(スモール)",
            "スキャン(Send)",
            "デバイス設置場所",
            "はがき",
        ] {
            assert!(!encoding_rs::SHIFT_JIS.encode(word).2, "{word}");
        }
        assert!(encoding_rs::SHIFT_JIS.encode("🖨").2);
        assert!(encoding_rs::SHIFT_JIS.encode("m²").2);
        assert!(!encoding_rs::SHIFT_JIS.encode("①").2);
    }
}
