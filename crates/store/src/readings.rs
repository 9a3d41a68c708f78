//! Storing readings and keeping the day and month roll-ups (SPEC C3-C6, I4).
//!
//! A batch is stored inside the caller's transaction, so a request is all or nothing.
//! For each device of the batch:
//! 1. repeats of a stored or earlier reading with the same `read_at` are counted as
//!    duplicates when their counters are equal and refused as conflicts otherwise (I4);
//! 2. new readings are inserted;
//! 3. roll-ups are brought up to date. When every new reading is later than the device's
//!    latest (the normal case: devices report in order) the latest day and month rows are
//!    extended with [`PeriodStats::append`]: two row reads per device, batched over devices.
//!    Otherwise (a late or out-of-order reading) the device's roll-ups are recomputed from
//!    its readings, from the start of the month of the earliest new reading onwards; the
//!    result is the same as if the readings had arrived in order (C6).

use std::collections::{BTreeMap, HashMap};

use jiff::tz::TimeZone;
use meterport_domain::counters::{CounterSet, Key};
use meterport_domain::engine::{Baseline, PeriodStats};
use meterport_domain::ingest::ItemError;
use meterport_domain::period::{Period, Unit, day_id, day_of_ms, month_id, month_of_day_id};
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::{Backend, Result, list_placeholders, values_placeholders};

/// A validated reading of a device of the tenant, with its index in the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReading {
    pub index: usize,
    pub device_id: i64,
    pub read_at: i64,
    pub counters: CounterSet,
}

/// What a stored batch changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stored {
    pub accepted: usize,
    pub duplicates: usize,
}

/// The outcome of one batch in a group commit: stored, refused for conflicts, or failed.
pub type BatchOutcome = Result<std::result::Result<Stored, Vec<ItemError>>>;

impl crate::Store {
    /// Group commit: stores several batches in one transaction, each under its own
    /// savepoint so that a refused or failed batch leaves the others intact, and commits once
    /// (one fsync for all). Returns each batch's outcome, valid only if the commit succeeded:
    /// a commit failure is the `Err` of the whole call.
    pub async fn store_batches(
        &self,
        batches: Vec<(TimeZone, Vec<NewReading>)>,
    ) -> Result<Vec<BatchOutcome>> {
        let mut tx = self.begin_write().await?;
        let mut outcomes = Vec::with_capacity(batches.len());
        for (tz, readings) in batches {
            sqlx::query("SAVEPOINT batch").execute(&mut *tx).await?;
            let outcome = store_batch(&mut tx, self.backend(), &tz, readings).await;
            if matches!(outcome, Ok(Ok(_))) {
                sqlx::query("RELEASE SAVEPOINT batch")
                    .execute(&mut *tx)
                    .await?;
            } else {
                sqlx::query("ROLLBACK TO SAVEPOINT batch")
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("RELEASE SAVEPOINT batch")
                    .execute(&mut *tx)
                    .await?;
            }
            outcomes.push(outcome);
        }
        tx.commit().await?;
        Ok(outcomes)
    }
}

/// Rows per multi-row statement: well under SQLite's 32,766 and PostgreSQL's 65,535
/// parameters.
const CHUNK: usize = 1000;

/// Stores a batch of readings of one tenant (whose zone is `tz`) in `conn`'s transaction.
/// Returns the conflicts (I4) instead when there are any; then nothing has been written.
pub async fn store_batch(
    conn: &mut AnyConnection,
    backend: Backend,
    tz: &TimeZone,
    batch: Vec<NewReading>,
) -> Result<std::result::Result<Stored, Vec<ItemError>>> {
    let mut by_device: BTreeMap<i64, Vec<NewReading>> = BTreeMap::new();
    for r in batch {
        by_device.entry(r.device_id).or_default().push(r);
    }
    let device_ids: Vec<i64> = by_device.keys().copied().collect();
    let latest = latest_reading_times(conn, backend, &device_ids).await?;

    // 1. Duplicates and conflicts, within the request and against stored readings.
    let mut stored = Stored::default();
    let mut conflicts = Vec::new();
    for (device_id, readings) in by_device.iter_mut() {
        readings.sort_by_key(|r| (r.read_at, r.index));
        let mut kept: Vec<NewReading> = Vec::with_capacity(readings.len());
        for r in readings.drain(..) {
            match kept.last() {
                Some(prev) if prev.read_at == r.read_at => {
                    if prev.counters == r.counters {
                        stored.duplicates += 1;
                    } else {
                        conflicts.push(ItemError::new(
                            r.index,
                            "read_at",
                            format!(
                                "conflicts with item {}: same serial and read_at, other counters",
                                prev.index
                            ),
                        ));
                    }
                }
                _ => kept.push(r),
            }
        }
        *readings = kept;
        let min = readings.first().map(|r| r.read_at);
        let last = latest.get(device_id).copied().flatten();
        if let (Some(min), Some(last)) = (min, last)
            && min <= last
        {
            let max = readings.last().expect("non-empty").read_at;
            let existing = sqlx::query(
                "SELECT read_at, counters FROM readings \
                 WHERE device_id = $1 AND read_at >= $2 AND read_at <= $3",
            )
            .bind(*device_id)
            .bind(min)
            .bind(max)
            .fetch_all(&mut *conn)
            .await?;
            let existing: HashMap<i64, Vec<u8>> = existing
                .into_iter()
                .map(|row| (row.get::<i64, _>(0), row.get::<Vec<u8>, _>(1)))
                .collect();
            let mut kept = Vec::with_capacity(readings.len());
            for r in readings.drain(..) {
                match existing.get(&r.read_at) {
                    None => kept.push(r),
                    Some(bytes) => {
                        if CounterSet::decode(bytes)? == r.counters {
                            stored.duplicates += 1;
                        } else {
                            conflicts.push(ItemError::new(
                                r.index,
                                "read_at",
                                "conflicts with a stored reading: same serial and read_at, \
                                 other counters",
                            ));
                        }
                    }
                }
            }
            *readings = kept;
        }
    }
    if !conflicts.is_empty() {
        conflicts.sort_by_key(|e| e.index);
        return Ok(Err(conflicts));
    }

    // 2. The new readings.
    let all: Vec<&NewReading> = by_device.values().flatten().collect();
    stored.accepted = all.len();
    for chunk in all.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO readings (device_id, read_at, counters) VALUES {}",
            values_placeholders(chunk.len(), 3)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for r in chunk {
            q = q
                .bind(r.device_id)
                .bind(r.read_at)
                .bind(r.counters.encode());
        }
        q.execute(&mut *conn).await?;
    }

    // 3. Roll-ups.
    let mut appends: Vec<(i64, &[NewReading], Option<i64>)> = Vec::new();
    let mut day_rows: Vec<(i64, i64, Vec<u8>)> = Vec::new();
    let mut month_rows: Vec<(i64, i64, Vec<u8>)> = Vec::new();
    for (device_id, readings) in &by_device {
        let Some(first) = readings.first() else {
            continue;
        };
        let last = latest.get(device_id).copied().flatten();
        match last {
            Some(last) if first.read_at <= last => {
                let (days, months) = recompute(conn, tz, *device_id, first.read_at).await?;
                day_rows.extend(days.into_iter().map(|(d, s)| (*device_id, d, s.encode())));
                month_rows.extend(months.into_iter().map(|(m, s)| (*device_id, m, s.encode())));
            }
            _ => appends.push((*device_id, readings, last)),
        }
    }
    let (days, months) = append_all(conn, tz, &appends).await?;
    day_rows.extend(days);
    month_rows.extend(months);
    upsert_rollups(conn, "day_usage", "day", &day_rows).await?;
    upsert_rollups(conn, "month_usage", "month", &month_rows).await?;

    // The device's latest reading time, and "unknown" becomes "normal" at its first report.
    let updates: Vec<(i64, i64)> = by_device
        .iter()
        .filter_map(|(id, rs)| rs.last().map(|r| (*id, r.read_at)))
        .collect();
    for chunk in updates.chunks(CHUNK) {
        let sql = format!(
            "WITH v(id, t) AS (VALUES {}) \
             UPDATE devices SET \
               last_reading_at = CASE WHEN devices.last_reading_at IS NULL \
                 OR devices.last_reading_at < v.t THEN v.t ELSE devices.last_reading_at END, \
               status = CASE WHEN devices.status = 'unknown' THEN 'normal' ELSE devices.status END \
             FROM v WHERE devices.id = v.id",
            values_placeholders(chunk.len(), 2)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (id, t) in chunk {
            q = q.bind(*id).bind(*t);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(Ok(stored))
}

/// The latest stored `read_at` of each device, read inside the transaction (a request in the
/// same group commit may have just moved it). On PostgreSQL the device rows are locked, in id
/// order, so that two portal instances never update one device's roll-ups at once.
async fn latest_reading_times(
    conn: &mut AnyConnection,
    backend: Backend,
    device_ids: &[i64],
) -> Result<HashMap<i64, Option<i64>>> {
    let mut out = HashMap::with_capacity(device_ids.len());
    for chunk in device_ids.chunks(CHUNK) {
        let lock = match backend {
            Backend::Postgres => " ORDER BY id FOR UPDATE",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "SELECT id, last_reading_at FROM devices WHERE id IN ({}){lock}",
            list_placeholders(1, chunk.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(*id);
        }
        for row in q.fetch_all(&mut *conn).await? {
            out.insert(row.get::<i64, _>(0), row.get::<Option<i64>, _>(1));
        }
    }
    Ok(out)
}

type RollupRows = (Vec<(i64, i64, Vec<u8>)>, Vec<(i64, i64, Vec<u8>)>);

/// The append path: extends each device's latest day and month with readings that are all
/// later than its latest stored one.
async fn append_all(
    conn: &mut AnyConnection,
    tz: &TimeZone,
    devices: &[(i64, &[NewReading], Option<i64>)],
) -> Result<RollupRows> {
    // The latest day and month rows are those of the latest reading's day: fetch them for
    // every device at once.
    let mut latest_day: HashMap<i64, PeriodStats> = HashMap::new();
    let mut latest_month: HashMap<i64, PeriodStats> = HashMap::new();
    let keyed: Vec<(i64, i64)> = devices
        .iter()
        .filter_map(|(id, _, last)| last.map(|t| (*id, day_id(day_of_ms(t, tz)))))
        .collect();
    for chunk in keyed.chunks(CHUNK) {
        for (table, col, to_period) in [
            ("day_usage", "day", (|d: i64| d) as fn(i64) -> i64),
            ("month_usage", "month", month_of_day_id),
        ] {
            let sql = format!(
                "WITH k(device_id, p) AS (VALUES {}) \
                 SELECT t.device_id, t.data FROM {table} t \
                 JOIN k ON t.device_id = k.device_id AND t.{col} = k.p",
                values_placeholders(chunk.len(), 2)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for (id, day) in chunk {
                q = q.bind(*id).bind(to_period(*day));
            }
            let target = if col == "day" {
                &mut latest_day
            } else {
                &mut latest_month
            };
            for row in q.fetch_all(&mut *conn).await? {
                target.insert(
                    row.get::<i64, _>(0),
                    PeriodStats::decode(&row.get::<Vec<u8>, _>(1))?,
                );
            }
        }
    }

    let mut day_rows = Vec::new();
    let mut month_rows = Vec::new();
    for (device_id, readings, last) in devices {
        let mut cur_day: Option<(i64, PeriodStats)> = None;
        let mut cur_month: Option<(i64, PeriodStats)> = None;
        let mut base = Baseline::default();
        if let Some(last) = last {
            let d = day_id(day_of_ms(*last, tz));
            let day_stats = latest_day.remove(device_id).unwrap_or_default();
            // Keys new to the latest day need the values before it.
            let needed = readings
                .iter()
                .flat_map(|r| r.counters.iter().map(|(k, _)| k));
            let missing: Vec<Key> = needed.filter(|k| day_stats.get(*k).is_none()).collect();
            if !missing.is_empty() {
                base = baseline_before_day(conn, *device_id, d, &missing).await?;
            }
            cur_day = Some((d, day_stats));
            cur_month = Some((
                month_of_day_id(d),
                latest_month.remove(device_id).unwrap_or_default(),
            ));
        }
        for r in readings.iter() {
            let d = day_id(day_of_ms(r.read_at, tz));
            if cur_day.as_ref().is_none_or(|(cd, _)| *cd != d) {
                if let Some((cd, stats)) = cur_day.take() {
                    base.advance(&stats);
                    day_rows.push((*device_id, cd, stats.encode()));
                }
                cur_day = Some((d, PeriodStats::default()));
            }
            let m = month_of_day_id(d);
            if cur_month.as_ref().is_none_or(|(cm, _)| *cm != m) {
                if let Some((cm, stats)) = cur_month.take() {
                    month_rows.push((*device_id, cm, stats.encode()));
                }
                cur_month = Some((m, PeriodStats::default()));
            }
            // A key missing from the month is missing from all its days, so the baseline
            // before the current day is also the month's for that key.
            cur_day.as_mut().expect("set").1.append(&r.counters, &base);
            cur_month
                .as_mut()
                .expect("set")
                .1
                .append(&r.counters, &base);
        }
        if let Some((d, stats)) = cur_day {
            day_rows.push((*device_id, d, stats.encode()));
        }
        if let Some((m, stats)) = cur_month {
            month_rows.push((*device_id, m, stats.encode()));
        }
    }
    Ok((day_rows, month_rows))
}

/// The last value of each of `keys` before day `day`, walking the device's earlier days
/// backwards until all are found or the history ends.
async fn baseline_before_day(
    conn: &mut AnyConnection,
    device_id: i64,
    day: i64,
    keys: &[Key],
) -> Result<Baseline> {
    walk_back(conn, "day_usage", "day", device_id, day, keys).await
}

async fn walk_back(
    conn: &mut AnyConnection,
    table: &str,
    col: &str,
    device_id: i64,
    before: i64,
    keys: &[Key],
) -> Result<Baseline> {
    let mut base = Baseline::default();
    let mut cursor = before;
    loop {
        let sql = format!(
            "SELECT {col}, data FROM {table} WHERE device_id = $1 AND {col} < $2 \
             ORDER BY {col} DESC LIMIT 64"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(device_id)
            .bind(cursor)
            .fetch_all(&mut *conn)
            .await?;
        if rows.is_empty() {
            return Ok(base);
        }
        for row in &rows {
            base.fill_from(&PeriodStats::decode(&row.get::<Vec<u8>, _>(1))?);
            if !base.lacks_any(keys.iter().copied()) {
                return Ok(base);
            }
        }
        cursor = rows.last().expect("non-empty").get::<i64, _>(0);
    }
}

type Rollups = (BTreeMap<i64, PeriodStats>, BTreeMap<i64, PeriodStats>);

/// The general path: recomputes a device's roll-ups from its readings, from the start of
/// the month of `from_ms` onwards (the new readings are already inserted).
async fn recompute(
    conn: &mut AnyConnection,
    tz: &TimeZone,
    device_id: i64,
    from_ms: i64,
) -> Result<Rollups> {
    let first_month = Period::Month(day_of_ms(from_ms, tz).first_of_month());
    let (start, _) = first_month.bounds_ms(tz);
    let rows = sqlx::query(
        "SELECT read_at, counters FROM readings WHERE device_id = $1 AND read_at >= $2 \
         ORDER BY read_at",
    )
    .bind(device_id)
    .bind(start)
    .fetch_all(&mut *conn)
    .await?;
    let mut readings = Vec::with_capacity(rows.len());
    for row in rows {
        readings.push((
            row.get::<i64, _>(0),
            CounterSet::decode(&row.get::<Vec<u8>, _>(1))?,
        ));
    }
    let mut keys: Vec<Key> = readings
        .iter()
        .flat_map(|(_, c)| c.iter().map(|(k, _)| k))
        .collect();
    keys.sort();
    keys.dedup();
    let mut base = walk_back(
        conn,
        "month_usage",
        "month",
        device_id,
        month_id(first_month.first_day()),
        &keys,
    )
    .await?;

    let mut days: BTreeMap<i64, PeriodStats> = BTreeMap::new();
    let mut i = 0;
    while i < readings.len() {
        let day = day_of_ms(readings[i].0, tz);
        let (_, end) = Period::Day(day).bounds_ms(tz);
        let mut j = i;
        while j < readings.len() && readings[j].0 < end {
            j += 1;
        }
        let stats = PeriodStats::from_readings(readings[i..j].iter().map(|(_, c)| c), &base);
        base.advance(&stats);
        days.insert(day_id(day), stats);
        i = j;
    }
    let mut months: BTreeMap<i64, Vec<&PeriodStats>> = BTreeMap::new();
    for (d, s) in &days {
        months.entry(month_of_day_id(*d)).or_default().push(s);
    }
    let months = months
        .into_iter()
        .map(|(m, parts)| (m, PeriodStats::combine(parts)))
        .collect();
    Ok((days, months))
}

async fn upsert_rollups(
    conn: &mut AnyConnection,
    table: &str,
    col: &str,
    rows: &[(i64, i64, Vec<u8>)],
) -> Result<()> {
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "INSERT INTO {table} (device_id, {col}, data) VALUES {} \
             ON CONFLICT (device_id, {col}) DO UPDATE SET data = excluded.data",
            values_placeholders(chunk.len(), 3)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (id, p, data) in chunk {
            q = q.bind(*id).bind(*p).bind(data.as_slice());
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Unit of a roll-up table, for readers.
pub(crate) fn table_of(unit: Unit) -> (&'static str, &'static str) {
    match unit {
        Unit::Day => ("day_usage", "day"),
        Unit::Month => ("month_usage", "month"),
    }
}
