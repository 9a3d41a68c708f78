//! The parts the three counter tables share: links that keep the conditions, sortable
//! headings, the cells, paging, and the compact grid of values a large table is sorted by.

use meterport_domain::counters::DeviceClass;
use meterport_domain::device::LfpUnit;
use meterport_domain::labels::Lang;

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
    /// The usage of a device's first period with data (C5), or a total that adds one:
    /// marked.
    pub(super) oldest: bool,
    /// The period's readings stop short or pause: the dates they cover (the mark's title).
    pub(super) incomplete: String,
    /// The counter went down in the period: when, and which (the mark's title).
    pub(super) reset: String,
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

    /// A value in a large-format printer's unit, with that unit's fixed decimals.
    pub(super) fn value(v: Option<i64>, class: DeviceClass, unit: Option<LfpUnit>) -> Cell {
        Cell {
            text: format::cell(v, class, unit),
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
    /// Why a table without a single value is empty (a range before the data kept, in the
    /// future, ...), said above it.
    pub(super) empty: Option<String>,
}

pub(super) use crate::service::counters_order::{Grid, Sort, SortBy, device_order, missing_last};

/// The query with an order in it, `col` naming a grid column as the URL does.
pub(super) trait KeepSort {
    fn keep(self, qs: Qs, col: impl Fn(usize) -> String) -> Qs;
}

impl KeepSort for Sort {
    fn keep(self, qs: Qs, col: impl Fn(usize) -> String) -> Qs {
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
