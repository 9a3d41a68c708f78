//! The counters query (SPEC §7 `/api/v1/counters`, S12-S17): parse, select, compute, stream.
//!
//! A query is parsed once into a [`CounterQuery`] (the S12 limits live in
//! [`PeriodRange`]), the devices of the selection are loaded ([`Prepared`]), and rows are
//! produced one device at a time by merging the devices with their roll-up rows, both in
//! device id order ([`Prepared::rows`]). Every output (JSON here, CSV, HTML pages) consumes
//! that same stream, so the screen, the export and the API show the same numbers (C8).

use std::collections::HashMap;
use std::pin::Pin;

use futures_util::{Stream, StreamExt};
use jiff::civil::Date;
use meterport_domain::counters::{DeviceClass, Key, json_value};
use meterport_domain::coverage::{Covered, MonthGrid};
use meterport_domain::device::LfpUnit;
use meterport_domain::engine::Kind;
use meterport_domain::period::{Period, PeriodRange, RangeError, Unit, day_of_ms};
use meterport_domain::table::{DeviceRow, TableShape, Totals, columns_of};
use meterport_store::counters::{CounterDevice, GroupFilter, Selection, StoredRow};
use meterport_store::rollups::{Part, block_of, slot_of};

use meterport_store::tenants::Tenant;
use meterport_store::{Store, StoreError};

use crate::service::Services;

/// A parsed and checked counters query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterQuery {
    pub kind: Kind,
    pub range: PeriodRange,
    pub selection: Selection,
    /// The `period=` drill-down (S17): one period for all devices.
    pub period: Option<Period>,
    /// `oldest=include|exclude`: whether totals add the usage of a counter's first period
    /// (C5, its lifetime value). The API includes them by default (§7: a total adds the
    /// non-null values) and says so in `includes_oldest`; the screens leave them out.
    pub oldest_in_totals: bool,
    /// `keys=total1,color,...`: only these counters (in the class's order); all by default.
    pub keys: Option<Vec<Key>>,
}

/// A refused query parameter: which, and what is wrong with it, typed so that each front
/// door words it itself (the API in English in its `details`, the screens in the user's
/// language next to the field, naming the limit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    pub field: &'static str,
    pub problem: ParamProblem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamProblem {
    /// Not one of the values the parameter takes.
    Choice,
    Required,
    /// The period range breaks S12 (format, order, length).
    Range(RangeError),
    /// `period=` is neither a month nor a day.
    PeriodFormat,
    /// `period=` is of another unit than `unit=`.
    PeriodUnit,
    /// `keys=` names something that is not a counter of the class.
    UnknownKeys(Vec<String>),
}

fn err(field: &'static str, problem: ParamProblem) -> ParamError {
    ParamError { field, problem }
}

/// The unit of a range: `unit=` when given, else what the start's shape says (`2021-08` a
/// month, `2021-08-31` a day), as the screens read a hand-written address.
pub fn unit_of(params: &HashMap<String, String>) -> Option<Unit> {
    let get = |k: &str| params.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
    match get("unit") {
        Some(u) => Unit::parse(u),
        None => Some(match get("from").map(str::len) {
            Some(10) => Unit::Day,
            _ => Unit::Month,
        }),
    }
}

impl CounterQuery {
    /// Parses the query parameters of S12 and §7. Every problem is reported.
    pub fn parse(params: &HashMap<String, String>) -> Result<CounterQuery, Vec<ParamError>> {
        let get = |k: &str| params.get(k).map(|s| s.trim()).filter(|s| !s.is_empty());
        let mut errors = Vec::new();
        let kind = match get("kind") {
            None => Some(Kind::Usage),
            Some(s) => Kind::parse(s).or_else(|| {
                errors.push(err("kind", ParamProblem::Choice));
                None
            }),
        };
        let group = match get("group") {
            None => Some(GroupFilter::All),
            Some(s) => GroupFilter::parse(s).or_else(|| {
                errors.push(err("group", ParamProblem::Choice));
                None
            }),
        };
        let class = match get("class") {
            None => Some(DeviceClass::Mfp),
            Some(s) => DeviceClass::parse(s).or_else(|| {
                errors.push(err("class", ParamProblem::Choice));
                None
            }),
        };
        let oldest_in_totals = match get("oldest") {
            None | Some("include") => true,
            Some("exclude") => false,
            Some(_) => {
                errors.push(err("oldest", ParamProblem::Choice));
                true
            }
        };
        let keys = match (get("keys"), class) {
            (None, _) | (_, None) => None,
            (Some(list), Some(class)) => {
                let mut wanted = Vec::new();
                let mut unknown = Vec::new();
                for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    match Key::from_name(name).filter(|k| class.keys().contains(k)) {
                        Some(k) => wanted.push(k),
                        None => unknown.push(name.chars().take(40).collect::<String>()),
                    }
                }
                if !unknown.is_empty() {
                    unknown.truncate(10);
                    errors.push(err("keys", ParamProblem::UnknownKeys(unknown)));
                } else if wanted.is_empty() {
                    errors.push(err("keys", ParamProblem::Required));
                }
                Some(
                    class
                        .keys()
                        .iter()
                        .copied()
                        .filter(|k| wanted.contains(k))
                        .collect(),
                )
            }
        };
        let device = match get("device") {
            None => None,
            Some(s) => match s.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    errors.push(err("device", ParamProblem::Choice));
                    None
                }
            },
        };
        let unit = match get("unit") {
            None => None,
            Some(s) => Unit::parse(s).or_else(|| {
                errors.push(err("unit", ParamProblem::Choice));
                None
            }),
        };
        let mut period = None;
        let range = match get("period") {
            Some(p) => match Period::parse(p) {
                Some(p) if unit.is_none_or(|u| u == p.unit()) => {
                    period = Some(p);
                    Some(PeriodRange::single(p))
                }
                Some(_) => {
                    errors.push(err("period", ParamProblem::PeriodUnit));
                    None
                }
                None => {
                    errors.push(err("period", ParamProblem::PeriodFormat));
                    None
                }
            },
            None => match (unit.or_else(|| unit_of(params)), get("from"), get("to")) {
                (None, _, _) => None,
                (Some(_), from, to) if from.is_none() || to.is_none() => {
                    for (field, value) in [("from", from), ("to", to)] {
                        if value.is_none() {
                            errors.push(err(field, ParamProblem::Required));
                        }
                    }
                    None
                }
                (Some(u), Some(f), Some(t)) => match PeriodRange::parse(u, f, t) {
                    Ok(r) => Some(r),
                    Err(e) => {
                        errors.push(err(e.field(), ParamProblem::Range(e)));
                        None
                    }
                },
                _ => None,
            },
        };
        match (kind, group, class, range, errors.is_empty()) {
            (Some(kind), Some(group), Some(class), Some(range), true) => Ok(CounterQuery {
                kind,
                range,
                selection: Selection {
                    group,
                    class,
                    device,
                },
                period,
                oldest_in_totals,
                keys,
            }),
            _ => Err(errors),
        }
    }

    pub fn shape(&self) -> TableShape {
        let mut shape = TableShape::new(
            self.selection.class,
            self.range.unit,
            self.kind,
            self.range.periods(),
        );
        shape.oldest_in_totals = self.oldest_in_totals;
        if let Some(keys) = &self.keys {
            shape.columns = keys.clone();
        }
        shape
    }
}

/// A query with its devices loaded, ready to produce rows.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub query: CounterQuery,
    pub shape: TableShape,
    pub tenant_id: i64,
    pub timezone: String,
    pub devices: Vec<CounterDevice>,
    /// Totals make sense: usage, and for LFPs a single unit among the devices.
    pub totals: bool,
    /// The months of a monthly table, measured once for judging each device's (the month in
    /// progress up to today in the tenant's zone).
    months: Option<MonthGrid>,
}

/// Why a query could not run.
#[derive(Debug)]
pub enum QueryError {
    /// A parameter is refused (422 in the API; the form names it on the screens).
    Invalid(Vec<ParamError>),
    /// `group=` names no group of the tenant: 404.
    NoSuchGroup,
    /// `device=` names no device of the selection (or of the tenant): 404.
    NoSuchDevice,
    Store(StoreError),
}

/// Parses a query's parameters and loads its devices: what the API, the CSV export and
/// the screens' addresses all start from.
pub async fn prepare(
    svc: &Services,
    tenant: &Tenant,
    params: &HashMap<String, String>,
    now_ms: i64,
) -> Result<Prepared, QueryError> {
    let store = svc.store();
    let query = CounterQuery::parse(params).map_err(QueryError::Invalid)?;
    if let GroupFilter::Group(g) = query.selection.group
        && !store.group_exists(tenant.id, g).await?
    {
        return Err(QueryError::NoSuchGroup);
    }
    prepare_query(svc, tenant, query, now_ms).await
}

/// [`prepare`] for a query the caller built itself from conditions it checked (the
/// screens check the group against the tenant's groups they list anyway): no second look
/// at the group on every page.
pub async fn prepare_query(
    svc: &Services,
    tenant: &Tenant,
    query: CounterQuery,
    now_ms: i64,
) -> Result<Prepared, QueryError> {
    Prepared::new(svc, tenant, query, now_ms).await
}

impl From<StoreError> for QueryError {
    fn from(e: StoreError) -> Self {
        QueryError::Store(e)
    }
}

/// A block's roll-up rows, each with the index of its period in the table.
type HeldRows = Vec<(usize, StoredRow)>;

pub type RowStream<'a> =
    Pin<Box<dyn Stream<Item = Result<(usize, DeviceRow), StoreError>> + Send + 'a>>;

impl Prepared {
    pub async fn new(
        svc: &Services,
        tenant: &Tenant,
        query: CounterQuery,
        now_ms: i64,
    ) -> Result<Prepared, QueryError> {
        let store = svc.store();
        let devices = store.counter_devices(tenant.id, &query.selection).await?;
        if query.selection.device.is_some() && devices.is_empty() {
            return Err(QueryError::NoSuchDevice);
        }
        let mut units: Vec<&str> = devices
            .iter()
            .filter_map(|d| d.lfp_unit.map(LfpUnit::as_str))
            .collect();
        units.sort_unstable();
        units.dedup();
        let totals = query.kind == Kind::Usage && units.len() <= 1;
        let today = day_of_ms(now_ms, &tenant.tz());
        let shape = query.shape();
        let months = (shape.unit == Unit::Month).then(|| MonthGrid::new(&shape.periods, today));
        Ok(Prepared {
            months,
            shape,
            query,
            tenant_id: tenant.id,
            timezone: tenant.timezone.clone(),
            devices,
            totals,
        })
    }

    /// For each period of a device's row, the days its readings cover when the period is
    /// incomplete (`domain::coverage`); months only: a day without readings shows "-".
    pub fn incomplete(&self, row: &DeviceRow) -> Vec<Option<Covered>> {
        match &self.months {
            None => vec![None; row.covered.len()],
            Some(grid) => grid.incomplete(&row.covered),
        }
    }

    /// The resets (C6) of a device's row: per period with one, its day and the counters
    /// that went down, in the table's key order. The day is the day's own in a daily table;
    /// for a month, the one day of the month with a reset when the row knows it
    /// ([`DeviceRow::reset_days`]); otherwise it is found in the device's daily roll-ups of
    /// that month when `look`, or left as the month's first day.
    pub async fn resets(
        &self,
        svc: &Services,
        device_id: i64,
        row: &DeviceRow,
        look: bool,
    ) -> Result<Vec<Reset>, StoreError> {
        let store = svc.store();
        let keys = self.shape.keys();
        let mut out = Vec::new();
        for (i, bits) in row.reset.iter().enumerate() {
            if *bits == 0 {
                continue;
            }
            let period = self.shape.periods[i];
            let shown = keys_of_bits(keys, *bits);
            match known_reset_day(period, row.reset_days[i]) {
                Some(day) => out.push(Reset {
                    period: i,
                    day,
                    keys: shown,
                }),
                None if !look => out.push(Reset {
                    period: i,
                    day: period.first_day(),
                    keys: shown,
                }),
                None => {
                    for (day, keys) in
                        reset_days_of(store, self.tenant_id, device_id, period).await?
                    {
                        let keys: Vec<Key> =
                            keys.into_iter().filter(|k| shown.contains(k)).collect();
                        if !keys.is_empty() {
                            out.push(Reset {
                                period: i,
                                day,
                                keys,
                            });
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// Some month of the row has a reset whose day only the daily roll-ups tell.
    fn resets_need_days(&self, row: &DeviceRow) -> bool {
        row.reset.iter().enumerate().any(|(i, bits)| {
            *bits != 0 && known_reset_day(self.shape.periods[i], row.reset_days[i]).is_none()
        })
    }

    /// The days in period `period` (an index of the table) on which the device's counter
    /// `key` went down, given the period's `reset_days` from its row: the day itself in a
    /// daily table, the month's one reset day when it has one, else found in the daily
    /// roll-ups.
    pub async fn reset_dates(
        &self,
        svc: &Services,
        device_id: i64,
        (period, reset_days): (usize, u32),
        key: Key,
    ) -> Result<Vec<Date>, StoreError> {
        let store = svc.store();
        let period = self.shape.periods[period];
        if let Some(day) = known_reset_day(period, reset_days) {
            return Ok(vec![day]);
        }
        Ok(reset_days_of(store, self.tenant_id, device_id, period)
            .await?
            .into_iter()
            .filter(|(_, keys)| keys.contains(&key))
            .map(|(d, _)| d)
            .collect())
    }
}

/// The day of a period's resets when it is known without reading the days: a day's own, or
/// a month's only day with a reset (`reset_days`, bit `day - 1`).
fn known_reset_day(period: Period, reset_days: u32) -> Option<Date> {
    match period {
        Period::Day(day) => Some(day),
        Period::Month(_) if reset_days.count_ones() == 1 => {
            let day = reset_days.trailing_zeros() as i8 + 1;
            period.first_day().with().day(day).build().ok()
        }
        Period::Month(_) => None,
    }
}

/// Dates the resets of an answer's rows one after the other ([`Prepared::resets`]),
/// reading the daily roll-ups of at most [`MAX_RESET_LOOKUPS`] devices: a table full of
/// resets whose days the months do not tell (months stored before they kept them, or with
/// resets on several days) gets its first ones dated and the rest by period only.
#[derive(Debug, Default)]
pub struct ResetDater {
    lookups: usize,
}

impl ResetDater {
    pub async fn resets(
        &mut self,
        prepared: &Prepared,
        svc: &Services,
        device_id: i64,
        row: &DeviceRow,
    ) -> Result<Vec<Reset>, StoreError> {
        if row.reset.iter().all(|r| *r == 0) {
            return Ok(Vec::new());
        }
        let look = self.lookups < MAX_RESET_LOOKUPS && prepared.resets_need_days(row);
        self.lookups += usize::from(look);
        prepared.resets(svc, device_id, row, look).await
    }
}

/// The first day the tenant's retention keeps, in its zone (`None`: everything is kept).
pub fn kept_from(tenant: &Tenant, now_ms: i64) -> Option<Date> {
    crate::service::ingest::retention_start_ms(tenant, now_ms).map(|ms| day_of_ms(ms, &tenant.tz()))
}

/// The day of the tenant's first stored reading, in its zone: asked only when a table is
/// empty and must say why.
pub async fn first_reading(svc: &Services, tenant: &Tenant) -> Result<Option<Date>, StoreError> {
    let store = svc.store();
    let first = store.first_reading_ms(tenant.id).await?;
    Ok(first.map(|ms| day_of_ms(ms, &tenant.tz())))
}

/// A counter reset (C6) in a table: the index of its period, its day, the counters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reset {
    pub period: usize,
    pub day: Date,
    pub keys: Vec<Key>,
}

/// The days of a month on which a device's counters went down, with those counters, from
/// its daily roll-ups (31 rows at most: a month cell's reset is rare, so this is asked only
/// for the cells that have one).
async fn reset_days_of(
    store: &Store,
    tenant_id: i64,
    device_id: i64,
    month: Period,
) -> Result<Vec<(Date, Vec<Key>)>, StoreError> {
    let from = Period::Day(month.first_day()).id();
    let to = Period::Day(month.last_day()).id();
    let mut blocks = store.counter_blocks(
        tenant_id,
        vec![block_of(device_id)],
        (Unit::Day, Part::Whole),
        from,
        to,
    );
    let mut out = Vec::new();
    while let Some(b) = blocks.next().await.transpose()? {
        for (day, view) in &b.rows {
            let Some(stats) = view.stats(slot_of(device_id))? else {
                continue;
            };
            let keys: Vec<Key> = stats
                .iter()
                .filter(|(_, s)| s.reset)
                .map(|(k, _)| k)
                .collect();
            if let (false, Some(Period::Day(d))) =
                (keys.is_empty(), Period::from_id(Unit::Day, *day))
            {
                out.push((d, keys));
            }
        }
    }
    Ok(out)
}

impl Prepared {
    /// One row per device of the selection, in device id order, also for devices with no
    /// data (all periods "-").
    pub fn rows<'a>(&'a self, svc: &'a Services) -> RowStream<'a> {
        let store = svc.store();
        let shape = &self.shape;
        let ids: Vec<i64> = shape.periods.iter().map(|p| p.id()).collect();
        let (from, to) = (ids[0], ids[ids.len() - 1]);
        let mut blocks: Vec<i64> = self.devices.iter().map(|d| block_of(d.id)).collect();
        blocks.dedup();
        let part = Part::for_keys(shape.keys().iter().copied());
        let mut stored = store.counter_blocks(self.tenant_id, blocks, (shape.unit, part), from, to);
        let column = columns_of(shape.keys());
        Box::pin(async_stream::try_stream! {
            // The rows of the block being handed out, each with its period's column.
            let mut held: Option<(i64, HeldRows)> = None;
            let mut exhausted = false;
            for (index, device) in self.devices.iter().enumerate() {
                let block = block_of(device.id);
                while !exhausted && held.as_ref().is_none_or(|(b, _)| *b < block) {
                    match stored.next().await.transpose()? {
                        Some(b) => {
                            let rows = b
                                .rows
                                .into_iter()
                                .filter_map(|(period, view)| {
                                    ids.binary_search(&period).ok().map(|i| (i, view))
                                })
                                .collect();
                            held = Some((b.block, rows));
                        }
                        None => exhausted = true,
                    }
                }
                let slot = slot_of(device.id);
                let stats = held
                    .iter()
                    .filter(|(b, _)| *b == block)
                    .flat_map(|(_, rows)| rows)
                    .filter_map(|(i, view)| view.raw(slot).map(|(raw, rest)| (*i, raw, rest)));
                let row = shape
                    .device_row_encoded(&column, stats)
                    .map_err(StoreError::from)?;
                yield (index, row);
            }
        })
    }
}

// ---- JSON (SPEC §7), written by hand: a large table is tens of megabytes, and building a
// `serde_json::Value` per cell would cost more than computing it.

/// Streams the JSON answer of a prepared query in chunks of about 64 KiB.
pub fn json_chunks(
    svc: Services,
    prepared: Prepared,
) -> impl Stream<Item = Result<Vec<u8>, std::io::Error>> + Send {
    async_stream::try_stream! {
        let w = JsonWriter::new(&prepared);
        let mut buf = Vec::with_capacity(1 << 17);
        w.head(&mut buf);
        let mut totals = Totals::new(&prepared.shape);
        let mut rows = prepared.rows(&svc);
        let mut first = true;
        let mut dater = ResetDater::default();
        while let Some(item) = rows.next().await {
            let (index, row) = item.map_err(std::io::Error::other)?;
            if prepared.totals {
                totals.add_row(&row);
            }
            if !first {
                buf.push(b',');
            }
            first = false;
            let device = &prepared.devices[index];
            let resets = dater
                .resets(&prepared, &svc, device.id, &row)
                .await
                .map_err(std::io::Error::other)?;
            w.device(&mut buf, device, &row, &prepared.incomplete(&row), &resets);
            if buf.len() >= 1 << 16 {
                yield std::mem::replace(&mut buf, Vec::with_capacity(1 << 17));
            }
        }
        w.tail(&mut buf, prepared.totals.then_some(&totals));
        yield buf;
    }
}

/// Devices whose month resets are dated from their days per answer (each costs a look at
/// 31 daily rows).
pub const MAX_RESET_LOOKUPS: usize = 1000;

/// The counters of a table's columns set in `bits` (a [`DeviceRow`]'s per-period marks).
fn keys_of_bits(keys: &[Key], bits: u64) -> Vec<Key> {
    keys.iter()
        .enumerate()
        .filter(|(k, _)| bits >> k & 1 != 0)
        .map(|(_, key)| *key)
        .collect()
}

struct JsonWriter<'a> {
    p: &'a Prepared,
    labels: Vec<Vec<u8>>,
    key_names: Vec<Vec<u8>>,
}

fn json_str(buf: &mut Vec<u8>, s: &str) {
    serde_json::to_writer(&mut *buf, s).expect("writing to a Vec cannot fail");
}

impl<'a> JsonWriter<'a> {
    fn new(p: &'a Prepared) -> Self {
        JsonWriter {
            p,
            labels: p
                .shape
                .periods
                .iter()
                .map(|x| format!("\"{x}\":").into_bytes())
                .collect(),
            key_names: p
                .shape
                .keys()
                .iter()
                .map(|k| format!("\"{}\":", k.name()).into_bytes())
                .collect(),
        }
    }

    fn head(&self, buf: &mut Vec<u8>) {
        let s = &self.p.shape;
        let q = &self.p.query;
        let head = serde_json::json!({
            "unit": s.unit.as_str(),
            "kind": s.kind.as_str(),
            "class": s.class.as_str(),
            "from": q.range.from.to_string(),
            "to": q.range.to.to_string(),
            "timezone": self.p.timezone,
            "periods": s.periods.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
            "oldest": if s.oldest_in_totals { "include" } else { "exclude" },
            "keys": s.keys().iter().map(|k| k.name()).collect::<Vec<_>>(),
        })
        .to_string();
        // Open the object and leave it open for "devices".
        buf.extend_from_slice(&head.as_bytes()[..head.len() - 1]);
        buf.extend_from_slice(b",\"devices\":[");
    }

    fn value(&self, buf: &mut Vec<u8>, v: Option<i64>) {
        match v {
            None => buf.extend_from_slice(b"null"),
            Some(v) => match self.p.shape.class {
                DeviceClass::Mfp => buf.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
                DeviceClass::Lfp => {
                    buf.extend_from_slice(json_value(v, DeviceClass::Lfp).to_string().as_bytes())
                }
            },
        }
    }

    fn cells(&self, buf: &mut Vec<u8>, cells: Option<&Vec<Option<i64>>>) {
        match cells {
            None => buf.extend_from_slice(b"null"),
            Some(cells) => {
                buf.push(b'{');
                for (i, v) in cells.iter().enumerate() {
                    if i > 0 {
                        buf.push(b',');
                    }
                    buf.extend_from_slice(&self.key_names[i]);
                    self.value(buf, *v);
                }
                buf.push(b'}');
            }
        }
    }

    fn periods(&self, buf: &mut Vec<u8>, cells: &[Option<Vec<Option<i64>>>]) {
        buf.push(b'{');
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            buf.extend_from_slice(&self.labels[i]);
            self.cells(buf, c.as_ref());
        }
        buf.push(b'}');
    }

    fn device(
        &self,
        buf: &mut Vec<u8>,
        d: &CounterDevice,
        row: &DeviceRow,
        incomplete: &[Option<Covered>],
        resets: &[Reset],
    ) {
        buf.extend_from_slice(b"{\"id\":");
        buf.extend_from_slice(itoa::Buffer::new().format(d.id).as_bytes());
        buf.extend_from_slice(b",\"serial\":");
        json_str(buf, &d.serial);
        buf.extend_from_slice(b",\"name\":");
        json_str(buf, &d.name);
        buf.extend_from_slice(b",\"location\":");
        match &d.location {
            Some(l) => json_str(buf, l),
            None => buf.extend_from_slice(b"null"),
        }
        buf.extend_from_slice(b",\"group\":");
        match &d.group {
            Some((id, name)) => {
                buf.extend_from_slice(b"{\"id\":");
                buf.extend_from_slice(itoa::Buffer::new().format(*id).as_bytes());
                buf.extend_from_slice(b",\"name\":");
                json_str(buf, name);
                buf.push(b'}');
            }
            None => buf.extend_from_slice(b"null"),
        }
        if self.p.shape.class == DeviceClass::Lfp {
            buf.extend_from_slice(b",\"lfp_unit\":");
            match d.lfp_unit {
                Some(u) => json_str(buf, u.as_str()),
                None => buf.extend_from_slice(b"null"),
            }
        }
        buf.extend_from_slice(b",\"periods\":");
        self.periods(buf, &row.cells);
        buf.extend_from_slice(b",\"oldest\":[");
        let mut first = true;
        for (i, o) in row.oldest.iter().enumerate() {
            if *o != 0 {
                if !first {
                    buf.push(b',');
                }
                first = false;
                let label = &self.labels[i];
                buf.extend_from_slice(&label[..label.len() - 1]);
            }
        }
        buf.extend_from_slice(b"],\"total\":");
        match &row.total {
            Some(t) if self.p.totals => self.cells(buf, Some(t)),
            _ => buf.extend_from_slice(b"null"),
        }
        buf.extend_from_slice(b",\"includes_oldest\":");
        let includes = self.p.totals && row.total_includes_oldest;
        buf.extend_from_slice(if includes { b"true" } else { b"false" });
        buf.extend_from_slice(b",\"incomplete\":{");
        let mut first = true;
        for (i, c) in incomplete.iter().enumerate() {
            if let Some(c) = c {
                if !first {
                    buf.push(b',');
                }
                first = false;
                buf.extend_from_slice(&self.labels[i]);
                buf.extend_from_slice(
                    format!("{{\"from\":\"{}\",\"to\":\"{}\"}}", c.from, c.to).as_bytes(),
                );
            }
        }
        buf.extend_from_slice(b"},\"resets\":[");
        for (n, r) in resets.iter().enumerate() {
            if n > 0 {
                buf.push(b',');
            }
            let label = &self.labels[r.period];
            buf.extend_from_slice(b"{\"period\":");
            buf.extend_from_slice(&label[..label.len() - 1]);
            buf.extend_from_slice(format!(",\"date\":\"{}\",\"keys\":[", r.day).as_bytes());
            for (k, key) in r.keys.iter().enumerate() {
                if k > 0 {
                    buf.push(b',');
                }
                json_str(buf, key.name());
            }
            buf.extend_from_slice(b"]}");
        }
        buf.push(b']');
        buf.push(b'}');
    }

    fn tail(&self, buf: &mut Vec<u8>, totals: Option<&Totals>) {
        buf.extend_from_slice(b"],\"total\":");
        match totals {
            None => buf.extend_from_slice(b"null"),
            Some(t) => {
                buf.extend_from_slice(b"{\"periods\":");
                self.periods(buf, &t.periods);
                buf.extend_from_slice(b",\"total\":");
                self.cells(buf, Some(&t.total));
                buf.extend_from_slice(b",\"includes_oldest\":");
                buf.extend_from_slice(if t.includes_oldest { b"true" } else { b"false" });
                buf.push(b'}');
            }
        }
        buf.push(b'}');
    }
}

/// The index of a key in the table's cells.
pub fn key_index(shape: &TableShape, key: Key) -> Option<usize> {
    shape.keys().iter().position(|k| *k == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Result<CounterQuery, Vec<ParamError>> {
        let params: HashMap<String, String> = s
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        CounterQuery::parse(&params)
    }

    #[test]
    fn a_monthly_query_takes_defaults_for_kind_group_and_class() {
        let query = q("unit=month&from=2021-08&to=2021-11").unwrap();
        assert_eq!(query.kind, Kind::Usage);
        assert_eq!(query.selection.group, GroupFilter::All);
        assert_eq!(query.selection.class, DeviceClass::Mfp);
        assert_eq!(query.range.periods().len(), 4);
    }

    #[test]
    fn a_period_drill_down_needs_no_range_and_takes_its_unit() {
        let query = q("period=2021-08-03&kind=cumulative&device=7").unwrap();
        assert_eq!(query.range.unit, Unit::Day);
        assert_eq!(query.period.unwrap().to_string(), "2021-08-03");
        assert_eq!(query.selection.device, Some(7));
        assert!(q("period=2021-08-03&unit=month").is_err());
    }

    #[test]
    fn every_bad_parameter_is_named() {
        let errors = q("unit=week&kind=sum&group=x&class=inkjet&device=-1").unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["kind", "group", "class", "device", "unit"]);
        let errors = q("unit=month&from=2021-01&to=2022-01").unwrap_err();
        assert_eq!(
            errors[0].problem,
            ParamProblem::Range(RangeError::TooManyMonths)
        );
        assert_eq!(
            crate::i18n::param_problem(crate::i18n::Lang::En, &errors[0]),
            "a monthly period can be at most 12 months"
        );
        let errors = q("unit=day&from=2021-08-01").unwrap_err();
        assert_eq!(errors[0].field, "to");
    }
}
