//! The conditions of S12: their checked form, the form's fields, and the messages that name
//! a refused field's limit in the user's language.

use jiff::Span;
use jiff::civil::Date;
use meterport_domain::counters::DeviceClass;
use meterport_domain::engine::Kind;
use meterport_domain::labels::Lang;
use meterport_domain::period::{MAX_DAY_MONTHS, MAX_MONTHS, Period, PeriodRange, RangeError, Unit};
use meterport_store::counters::{GroupFilter, Selection};
use meterport_store::groups::Group;

use super::table::Qs;
use super::{Params, Tr, format, param};
use crate::i18n;
use crate::service::counters::{CounterQuery, ParamProblem, unit_of};
use crate::web::Viewer;
use crate::web::form::FieldErrors;

/// The checked conditions of S12.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Conditions {
    pub(super) unit: Unit,
    pub(super) from: Period,
    pub(super) to: Period,
    pub(super) kind: Kind,
    pub(super) group: GroupFilter,
    pub(super) class: DeviceClass,
    /// Whether totals add first-reading (C5) values; the screens leave them out unless asked
    /// (`oldest=include`), so that a year's total never silently holds a lifetime counter.
    pub(super) oldest_in_totals: bool,
}

pub(super) fn group_param(g: GroupFilter) -> String {
    match g {
        GroupFilter::All => "all".into(),
        GroupFilter::NoGroup => "none".into(),
        GroupFilter::Group(id) => id.to_string(),
    }
}

pub(super) fn months(n: i32) -> Span {
    Span::new().months(n)
}

impl Conditions {
    /// The form's initial state: monthly usage of the last four months, ending with the
    /// current one (the month in progress is what people check most), all devices, MFP/LBP.
    pub(super) fn defaults(today: Date) -> Conditions {
        let this = today.first_of_month();
        Conditions {
            unit: Unit::Month,
            from: Period::Month(this.saturating_sub(months(3))),
            to: Period::Month(this),
            kind: Kind::Usage,
            group: GroupFilter::All,
            class: DeviceClass::Mfp,
            oldest_in_totals: false,
        }
    }

    fn oldest_param(&self) -> &'static str {
        if self.oldest_in_totals {
            "include"
        } else {
            "exclude"
        }
    }

    pub(super) fn qs(&self) -> Qs {
        Qs::default()
            .set("unit", self.unit.as_str())
            .set("from", self.from.to_string())
            .set("to", self.to.to_string())
            .set("kind", self.kind.as_str())
            .set("group", group_param(self.group))
            .set("class", self.class.as_str())
            .set("oldest", self.oldest_param())
    }

    /// The selection without the range (the period detail carries its own period).
    pub(super) fn selection_qs(&self) -> Qs {
        Qs::default()
            .set("kind", self.kind.as_str())
            .set("group", group_param(self.group))
            .set("class", self.class.as_str())
            .set("oldest", self.oldest_param())
    }

    pub(super) fn with_range(mut self, from: Period, to: Period) -> Conditions {
        self.unit = from.unit();
        self.from = from;
        self.to = to;
        self
    }
}

/// The last day a daily range from `from` may end on (S12: three months less a day).
pub(super) fn max_day_end(from: Date) -> Date {
    from.saturating_add(months(MAX_DAY_MONTHS))
        .yesterday()
        .unwrap_or(from)
}

/// The form's fields as the user sees them: both units' period fields are always filled, so
/// that switching from Monthly to Daily needs no typing.
#[derive(Debug, Clone)]
pub(super) struct FormInput {
    pub(super) unit: String,
    pub(super) mfrom: String,
    pub(super) mto: String,
    pub(super) dfrom: String,
    pub(super) dto: String,
    pub(super) kind: String,
    pub(super) group: String,
    pub(super) class: String,
    /// `include` or `exclude`: first-reading values in the totals.
    pub(super) oldest: String,
}

impl FormInput {
    /// The fields of valid conditions; the other unit's fields cover about the same time.
    pub(super) fn of(c: &Conditions) -> FormInput {
        let (months, days) = match c.unit {
            Unit::Month => {
                let first = c.from.first_day();
                let last = c.to.last_day().min(max_day_end(first));
                ((c.from, c.to), (Period::Day(first), Period::Day(last)))
            }
            Unit::Day => {
                let m = |p: Period| Period::Month(p.first_day().first_of_month());
                ((m(c.from), m(c.to)), (c.from, c.to))
            }
        };
        FormInput {
            unit: c.unit.as_str().into(),
            mfrom: months.0.to_string(),
            mto: months.1.to_string(),
            dfrom: days.0.to_string(),
            dto: days.1.to_string(),
            kind: c.kind.as_str().into(),
            group: group_param(c.group),
            class: c.class.as_str().into(),
            oldest: c.oldest_param().into(),
        }
    }

    /// The fields of a refused submission: what was typed stays, for correcting.
    pub(super) fn submitted(params: &Params, today: Date) -> FormInput {
        let mut input = FormInput::of(&Conditions::defaults(today));
        let get = |k: &str| params.get(k).map(|s| s.trim().to_string());
        let unit = param(params, "unit")
            .and_then(Unit::parse)
            .unwrap_or(Unit::Month);
        input.unit = unit.as_str().into();
        let (f, t) = (
            get("from").unwrap_or_default(),
            get("to").unwrap_or_default(),
        );
        match unit {
            Unit::Month => (input.mfrom, input.mto) = (f, t),
            Unit::Day => (input.dfrom, input.dto) = (f, t),
        }
        for (key, field) in [
            ("kind", &mut input.kind),
            ("group", &mut input.group),
            ("class", &mut input.class),
            ("oldest", &mut input.oldest),
        ] {
            if let Some(v) = get(key) {
                *field = v;
            }
        }
        input
    }
}

/// A submission of the form itself (its `mfrom`/`dfrom` fields) as the canonical query of
/// its unit; `None` for a canonical address.
pub(super) fn canonical_from_form(params: &Params) -> Option<Qs> {
    if !["mfrom", "mto", "dfrom", "dto"]
        .iter()
        .any(|k| params.contains_key(*k))
    {
        return None;
    }
    let get = |k: &str| {
        params
            .get(k)
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let unit = get("unit");
    let (from, to) = if unit == "day" {
        (get("dfrom"), get("dto"))
    } else {
        (get("mfrom"), get("mto"))
    };
    let mut qs = Qs::default()
        .set(
            "unit",
            if unit.is_empty() {
                "month".into()
            } else {
                unit
            },
        )
        .set("from", from)
        .set("to", to);
    for key in ["kind", "group", "class", "oldest"] {
        if let Some(v) = param(params, key) {
            qs = qs.set(key, v.to_string());
        }
    }
    Some(qs)
}

/// A refused range, in the user's words, naming the limit (S12).
pub(super) fn range_message(
    e: &RangeError,
    unit: Unit,
    from: &str,
    lang: Lang,
    locale: &str,
) -> String {
    let tr = Tr(lang);
    match e {
        RangeError::Format { .. } => match unit {
            Unit::Month => tr.t("counters-error-month-format"),
            Unit::Day => tr.t("counters-error-day-format"),
        },
        RangeError::EndBeforeStart => tr.t("counters-error-end-before-start"),
        RangeError::TooManyMonths => {
            let start = Period::parse(from).map(|p| p.first_day());
            let end = start
                .map(|d| format::month(d.saturating_add(months(MAX_MONTHS as i32 - 1)), lang))
                .unwrap_or_default();
            i18n::t_args(
                lang,
                "counters-error-too-many-months",
                &[
                    ("max", MAX_MONTHS.to_string()),
                    (
                        "from",
                        start.map(|d| format::month(d, lang)).unwrap_or_default(),
                    ),
                    ("end", end),
                ],
            )
        }
        RangeError::TooManyDays { max_end } => {
            let label = |s: &str| {
                Period::parse(s).map_or_else(|| s.to_string(), |p| format::period(p, lang, locale))
            };
            i18n::t_args(
                lang,
                "counters-error-too-many-days",
                &[
                    ("max", MAX_DAY_MONTHS.to_string()),
                    ("from", label(from)),
                    ("end", label(max_end)),
                ],
            )
        }
    }
}

/// Checks the conditions of S12 with the counters service's own parser (the API's), and
/// names every problem next to its field in the user's words.
pub(super) fn parse_conditions(
    params: &Params,
    lang: Lang,
    locale: &str,
    groups: &[Group],
) -> Result<Conditions, FieldErrors> {
    let tr = Tr(lang);
    let mut errors = FieldErrors::default();
    let query = match CounterQuery::parse(params) {
        Ok(q) => Some(q),
        Err(problems) => {
            let unit = unit_of(params).unwrap_or(Unit::Month);
            let from = param(params, "from").unwrap_or_default();
            for p in problems {
                let message = match &p.problem {
                    ParamProblem::Required => tr.t("counters-error-required"),
                    ParamProblem::Range(e) => range_message(e, unit, from, lang, locale),
                    ParamProblem::Choice
                    | ParamProblem::PeriodFormat
                    | ParamProblem::UnknownKeys(_)
                    | ParamProblem::PeriodUnit => tr.t("counters-error-choose"),
                };
                errors.add(p.field, message);
            }
            None
        }
    };
    // A group deleted since the address was saved, or never this tenant's: the same words.
    if let Some(Some(GroupFilter::Group(id))) = param(params, "group").map(GroupFilter::parse)
        && !groups.iter().any(|g| g.id == id)
    {
        errors.add("group", tr.t("counters-error-group-unknown"));
    }
    match query {
        Some(q) if errors.is_empty() => Ok(Conditions {
            unit: q.range.unit,
            from: q.range.from,
            to: q.range.to,
            kind: q.kind,
            group: q.selection.group,
            class: q.selection.class,
            // The screens' default: first-reading values stay out of the totals.
            oldest_in_totals: param(params, "oldest") == Some("include"),
        }),
        _ => Err(errors),
    }
}

impl Conditions {
    /// The counters query of these conditions, for all devices of the selection or one.
    pub(super) fn query(&self, device: Option<i64>) -> CounterQuery {
        CounterQuery {
            kind: self.kind,
            range: PeriodRange {
                unit: self.unit,
                from: self.from,
                to: self.to,
            },
            selection: Selection {
                group: self.group,
                class: self.class,
                device,
            },
            period: None,
            oldest_in_totals: self.oldest_in_totals,
            keys: None,
        }
    }

    /// The query of one period's detail (S17) under these conditions' selection.
    pub(super) fn period_query(&self, period: Period) -> CounterQuery {
        CounterQuery {
            kind: self.kind,
            range: PeriodRange::single(period),
            selection: Selection {
                group: self.group,
                class: self.class,
                device: None,
            },
            period: Some(period),
            oldest_in_totals: self.oldest_in_totals,
            keys: None,
        }
    }
}

pub(super) fn kind_label(kind: Kind, tr: Tr) -> String {
    match kind {
        Kind::Usage => tr.t("counters-kind-usage"),
        Kind::Cumulative => tr.t("counters-kind-cumulative"),
    }
}

pub(super) fn class_label(class: DeviceClass, tr: Tr) -> String {
    match class {
        DeviceClass::Mfp => tr.t("counters-class-mfp"),
        DeviceClass::Lfp => tr.t("counters-class-lfp"),
    }
}

pub(super) fn group_label(group: GroupFilter, groups: &[Group], tr: Tr) -> String {
    match group {
        GroupFilter::All => tr.t("counters-group-all"),
        GroupFilter::NoGroup => tr.t("counters-group-none"),
        GroupFilter::Group(id) => groups
            .iter()
            .find(|g| g.id == id)
            .map(|g| g.name.clone())
            .unwrap_or_default(),
    }
}

/// The conditions in one line, as the seed shows them above its tables
/// ("期間: 2021/08~2021/11 | グループ: すべてのデバイス").
pub(super) fn summary(c: &Conditions, groups: &[Group], viewer: &Viewer) -> Vec<(String, String)> {
    let tr = Tr(viewer.lang);
    vec![
        (
            tr.t("counters-period"),
            format::range(c.from, c.to, viewer.lang, &viewer.user.locale),
        ),
        (tr.t("counters-group"), group_label(c.group, groups, tr)),
        (tr.t("counters-kind"), kind_label(c.kind, tr)),
        (tr.t("counters-class"), class_label(c.class, tr)),
    ]
}
