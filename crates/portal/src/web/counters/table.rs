//! The parts the three counter tables share: links that keep the conditions, sortable
//! headings, the cells, paging, and the compact grid of values a large table is sorted by.

use std::cmp::Ordering;

use meterport_domain::counters::DeviceClass;
use meterport_domain::labels::Lang;
use meterport_store::counters::CounterDevice;

use super::{PAGE_SIZE, Params, Tr, format, param};
use crate::i18n;
use crate::web::session::urlencode;
use crate::web::widgets::{page_bounds, pages_to_link};

/// The query string of a link, in a stable order.
#[derive(Debug, Clone, Default)]
pub(super) struct Qs(Vec<(&'static str, String)>);

impl Qs {
    pub(super) fn set(mut self, key: &'static str, value: impl Into<String>) -> Qs {
        self.0.retain(|(k, _)| *k != key);
        self.0.push((key, value.into()));
        self
    }

    pub(super) fn unset(mut self, key: &str) -> Qs {
        self.0.retain(|(k, _)| *k != key);
        self
    }

    pub(super) fn href(&self, path: &str) -> String {
        if self.0.is_empty() {
            return path.to_string();
        }
        let qs: Vec<String> = self
            .0
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect();
        format!("{path}?{}", qs.join("&"))
    }

    /// As a parameter map, for [`CounterQuery::parse`] and the CSV.
    pub(super) fn map(&self) -> Params {
        self.0
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    pub(super) fn pairs(&self) -> Vec<(&'static str, String)> {
        self.0.clone()
    }
}

/// A link that sorts a table by one of its columns.
#[derive(Debug, Clone)]
pub(super) struct SortLink {
    pub(super) href: String,
    /// ▲ or ▼ on the sorted column, ↕ (faint) on the others.
    pub(super) arrow: &'static str,
    pub(super) active: bool,
    /// `aria-sort` of the sorted column.
    pub(super) aria_sort: &'static str,
    /// "Sort by Total, descending".
    pub(super) title: String,
}

/// A column heading.
#[derive(Debug, Clone, Default)]
pub(super) struct Head {
    pub(super) label: String,
    /// The label is a link (a month to its days, a period to its detail).
    pub(super) href: Option<String>,
    /// A second line under the label (a weekday).
    pub(super) sub: String,
    /// Small links under the label ("Detail").
    pub(super) links: Vec<(String, String)>,
    pub(super) sort: Option<SortLink>,
    pub(super) num: bool,
    pub(super) weekend: bool,
    /// The full label when the heading shows a short one.
    pub(super) title: String,
    /// The period is still running: its figures will grow.
    pub(super) now: bool,
}

/// A cell of a table.
#[derive(Debug, Clone, Default)]
pub(super) struct Cell {
    pub(super) text: String,
    pub(super) href: Option<String>,
    pub(super) sub: String,
    pub(super) links: Vec<(String, String)>,
    pub(super) num: bool,
    /// The usage of a device's first period with data (C5): marked.
    pub(super) oldest: bool,
    /// The row's heading cell (device name, period, "Total").
    pub(super) header: bool,
    pub(super) weekend: bool,
    /// A period still running (S16's row label).
    pub(super) now: bool,
}

impl Cell {
    pub(super) fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }

    pub(super) fn number(v: Option<i64>, class: DeviceClass) -> Cell {
        Cell {
            text: format::cell(v, class),
            num: true,
            ..Cell::default()
        }
    }

    pub(super) fn header(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            header: true,
            ..Cell::default()
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct PageLink {
    pub(super) label: String,
    pub(super) href: Option<String>,
    pub(super) current: bool,
    /// Read by screen readers instead of the bare number or arrow.
    pub(super) aria: String,
}

#[derive(Debug, Clone)]
pub(super) struct Pager {
    /// "Devices 201-400 of 10,000".
    pub(super) status: String,
    pub(super) links: Vec<PageLink>,
}

#[derive(Debug, Clone, Default)]
pub(super) struct TableView {
    pub(super) caption: String,
    pub(super) heads: Vec<Head>,
    pub(super) total: Option<Vec<Cell>>,
    pub(super) rows: Vec<Vec<Cell>>,
    pub(super) pager: Option<Pager>,
}

/// Values of a table kept for sorting and paging: one number per device and column, with
/// `i64::MIN` for "-" (half the memory of `Option<i64>`).
pub(super) struct Grid {
    pub(super) cols: usize,
    pub(super) values: Vec<i64>,
}

pub(super) const NONE: i64 = i64::MIN;

impl Grid {
    pub(super) fn new(rows: usize, cols: usize) -> Grid {
        Grid {
            cols,
            values: vec![NONE; rows * cols],
        }
    }

    pub(super) fn set(&mut self, row: usize, col: usize, v: Option<i64>) {
        self.values[row * self.cols + col] = v.unwrap_or(NONE);
    }

    pub(super) fn get(&self, row: usize, col: usize) -> Option<i64> {
        Some(self.values[row * self.cols + col]).filter(|v| *v != NONE)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SortBy {
    Name,
    Location,
    Group,
    /// A column of the grid.
    Col(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Sort {
    pub(super) by: SortBy,
    pub(super) desc: bool,
}

impl Sort {
    pub(super) fn parse(params: &Params, col: impl Fn(&str) -> Option<usize>) -> Sort {
        let by = match param(params, "sort") {
            Some("name") | None => SortBy::Name,
            Some("location") => SortBy::Location,
            Some("group") => SortBy::Group,
            Some(other) => col(other).map_or(SortBy::Name, SortBy::Col),
        };
        Sort {
            by,
            desc: param(params, "dir") == Some("desc"),
        }
    }

    /// The query with this order in it, `col` naming a grid column as the URL does.
    pub(super) fn keep(self, qs: Qs, col: impl Fn(usize) -> String) -> Qs {
        let key = match self.by {
            SortBy::Name => "name".to_string(),
            SortBy::Location => "location".to_string(),
            SortBy::Group => "group".to_string(),
            SortBy::Col(i) => col(i),
        };
        qs.set("sort", key)
            .set("dir", if self.desc { "desc" } else { "asc" })
    }
}

/// Missing values ("-", an empty location) come last in either direction: the reader looks
/// for the largest or the smallest real values, never for the blanks.
pub(super) fn missing_last<T: Ord>(a: Option<T>, b: Option<T>, desc: bool) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) if desc => b.cmp(&a),
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

pub(super) fn nonempty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

/// The devices' order: by the column, then by name and id (the CSV's order), so that equal
/// values keep one order on every page and every reload.
pub(super) fn device_order(devices: &[CounterDevice], grid: &Grid, sort: Sort) -> Vec<usize> {
    let mut order: Vec<usize> = (0..devices.len()).collect();
    order.sort_by(|&a, &b| {
        let (da, db) = (&devices[a], &devices[b]);
        let by_name = || da.name.cmp(&db.name).then(da.id.cmp(&db.id));
        let primary = match sort.by {
            SortBy::Name if sort.desc => db.name.cmp(&da.name).then(da.id.cmp(&db.id)),
            SortBy::Name => Ordering::Equal,
            SortBy::Location => missing_last(
                nonempty(da.location.as_deref()),
                nonempty(db.location.as_deref()),
                sort.desc,
            ),
            SortBy::Group => missing_last(
                da.group.as_ref().map(|g| g.1.as_str()),
                db.group.as_ref().map(|g| g.1.as_str()),
                sort.desc,
            ),
            SortBy::Col(c) => missing_last(grid.get(a, c), grid.get(b, c), sort.desc),
        };
        primary.then_with(by_name)
    });
    order
}

/// The sort links of one table: its current order, and the address they vary.
pub(super) struct SortLinks<'a> {
    pub(super) current: Sort,
    pub(super) base: &'a Qs,
    pub(super) path: &'a str,
    pub(super) tr: Tr,
}

impl SortLinks<'_> {
    /// The link of a sortable heading. Numbers sort largest first on the first click (who
    /// used the most?), text A to Z.
    pub(super) fn link(
        &self,
        by: SortBy,
        key: &str,
        label: &str,
        numeric: bool,
    ) -> Option<SortLink> {
        Some(sort_link(
            self.current,
            by,
            key,
            label,
            numeric,
            self.base,
            self.path,
            self.tr,
        ))
    }
}

#[allow(clippy::too_many_arguments)] // Called only through `SortLinks::link`.
fn sort_link(
    current: Sort,
    by: SortBy,
    key: &str,
    label: &str,
    numeric: bool,
    base: &Qs,
    path: &str,
    tr: Tr,
) -> SortLink {
    let active = current.by == by;
    let next_desc = if active { !current.desc } else { numeric };
    let href = base
        .clone()
        .set("sort", key.to_string())
        .set("dir", if next_desc { "desc" } else { "asc" })
        .unset("page")
        .href(path);
    let title = i18n::t_args(
        tr.0,
        "counters-sort-by",
        &[
            ("column", label.to_string()),
            (
                "dir",
                if next_desc {
                    tr.t("counters-sort-desc")
                } else {
                    tr.t("counters-sort-asc")
                },
            ),
        ],
    );
    SortLink {
        href,
        arrow: match (active, current.desc) {
            (true, true) => "▼",
            (true, false) => "▲",
            (false, _) => "↕",
        },
        active,
        aria_sort: match (active, current.desc) {
            (true, true) => "descending",
            (true, false) => "ascending",
            (false, _) => "",
        },
        title,
    }
}

/// The page asked for, within range.
pub(super) fn page_number(params: &Params, pages: usize) -> usize {
    param(params, "page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, pages.max(1))
}

/// Page links around the current page, keeping every other parameter.
pub(super) fn pager(total: usize, page: usize, base: &Qs, path: &str, lang: Lang) -> Option<Pager> {
    let (first, last, pages) = page_bounds(total, page, PAGE_SIZE);
    let n = |v: usize| format::number(v as i64, DeviceClass::Mfp);
    let status = i18n::t_args(
        lang,
        "counters-pager-status",
        &[("first", n(first)), ("last", n(last)), ("total", n(total))],
    );
    if pages == 1 {
        return None;
    }
    let tr = Tr(lang);
    let link = |p: usize| base.clone().set("page", p.to_string()).href(path);
    let mut links = Vec::new();
    links.push(PageLink {
        label: "‹".into(),
        href: (page > 1).then(|| link(page - 1)),
        current: false,
        aria: tr.t("counters-pager-previous"),
    });
    let mut previous = 0;
    for p in pages_to_link(page, pages) {
        if p > previous + 1 {
            links.push(PageLink {
                label: "…".into(),
                href: None,
                current: false,
                aria: String::new(),
            });
        }
        links.push(PageLink {
            label: p.to_string(),
            href: (p != page).then(|| link(p)),
            current: p == page,
            aria: i18n::t_args(lang, "counters-pager-page", &[("page", p.to_string())]),
        });
        previous = p;
    }
    links.push(PageLink {
        label: "›".into(),
        href: (page < pages).then(|| link(page + 1)),
        current: false,
        aria: tr.t("counters-pager-next"),
    });
    Some(Pager { status, links })
}
