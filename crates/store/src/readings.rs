//! Storing readings and keeping the day and month roll-ups (SPEC C3-C6, I4).
//!
//! A batch is stored inside the caller's transaction, so a request is all or nothing.
//! For each device of the batch:
//! 1. repeats of a stored or earlier reading with the same `read_at` are counted as
//!    duplicates when their counters are equal and refused as conflicts otherwise (I4);
//! 2. new readings are inserted;
//! 3. roll-ups are brought up to date. When every new reading is later than the device's
//!    latest (the normal case: devices report in order) the latest day and month stats are
//!    extended with [`PeriodStats::append`].
//!    Otherwise (a late or out-of-order reading) the device's roll-ups are recomputed from
//!    its readings, from the start of the month of the earliest new reading onwards; the
//!    result is the same as if the readings had arrived in order (C6).
//!
//! Roll-ups are stored per block of devices ([`crate::rollups`]): the block rows a batch
//! needs are read once, changed in memory and written back once.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use jiff::tz::TimeZone;
use meterport_domain::counters::{CounterSet, Key, keys_of};
use meterport_domain::engine::{Baseline, PeriodStats};
use meterport_domain::ingest::{ItemError, ItemProblem};
use meterport_domain::period::{Period, Unit, day_id, day_of_ms, month_id, month_of_day_id};
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::rollups::{Block, block_of, slot_of, table_of};
use crate::writer_cache::{KeptRows, WriterCache};
use crate::{Backend, Result, bulk_list, bulk_values, param};

/// Milliseconds in a UTC day: readings are stored by UTC day (`readings.day`).
pub const DAY_MS: i64 = 86_400_000;

/// The UTC day of an instant, the first column of the readings' key.
pub fn utc_day(ms: i64) -> i64 {
    ms.div_euclid(DAY_MS)
}

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
    /// Group commit: stores several batches in one transaction and commits once (one fsync
    /// for all). The batches of one tenant are written together ([`store_jobs`]) under one
    /// savepoint, so that a failure leaves the other tenants' batches intact; a batch refused
    /// for conflicts writes nothing. Returns each batch's outcome, valid only if the commit succeeded:
    /// a commit failure is the `Err` of the whole call.
    ///
    /// `heard_at`: when the group's requests arrived (the latest of them); every device with
    /// a reading stored was heard from then (`device_reading_times.heard_at`, migration 0016).
    pub async fn store_batches(
        &self,
        batches: Vec<(i64, TimeZone, Vec<NewReading>)>,
        heard_at: i64,
    ) -> Result<Vec<BatchOutcome>> {
        let mut tx = self.begin_ingest().await?;
        // On SQLite the writer's cache, taken out for the transaction: an early return leaves
        // an empty one behind, and it is put back only after the commit.
        let mut cache = match self.backend() {
            Backend::Sqlite => {
                let data_version: i64 = sqlx::query("PRAGMA data_version")
                    .fetch_one(&mut *tx)
                    .await?
                    .get(0);
                let version = (
                    data_version,
                    self.write_generation
                        .load(std::sync::atomic::Ordering::SeqCst),
                );
                let mut cache = std::mem::take(
                    &mut *self.writer_cache.lock().unwrap_or_else(|e| e.into_inner()),
                );
                cache.check(version);
                Some((cache, version))
            }
            Backend::Postgres => {
                let mut blocks: Vec<i64> = batches
                    .iter()
                    .flat_map(|(_, _, rs)| rs.iter().map(|r| block_of(r.device_id)))
                    .collect();
                blocks.sort_unstable();
                blocks.dedup();
                lock_blocks(&mut tx, &blocks).await?;
                None
            }
        };
        // One write per tenant of the group, under a savepoint: a failure leaves the other
        // tenants' requests intact.
        let count = batches.len();
        let mut by_tenant: Vec<TenantJobs> = Vec::new();
        for (i, (tenant_id, tz, readings)) in batches.into_iter().enumerate() {
            match by_tenant.iter_mut().find(|(t, ..)| *t == tenant_id) {
                Some((_, _, indexes, jobs)) => {
                    indexes.push(i);
                    jobs.push(readings);
                }
                None => by_tenant.push((tenant_id, tz, vec![i], vec![readings])),
            }
        }
        let mut outcomes: Vec<Option<BatchOutcome>> = (0..count).map(|_| None).collect();
        for (tenant_id, tz, indexes, jobs) in by_tenant {
            sqlx::query("SAVEPOINT batch").execute(&mut *tx).await?;
            let kept = cache.as_mut().map(|(c, _)| c);
            match store_jobs(
                &mut tx,
                self.backend(),
                tenant_id,
                &tz,
                jobs,
                heard_at,
                kept,
            )
            .await
            {
                Ok(results) => {
                    sqlx::query("RELEASE SAVEPOINT batch")
                        .execute(&mut *tx)
                        .await?;
                    for (i, result) in indexes.into_iter().zip(results) {
                        outcomes[i] = Some(Ok(result));
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, tenant.id = tenant_id, "storing readings failed");
                    sqlx::query("ROLLBACK TO SAVEPOINT batch")
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("RELEASE SAVEPOINT batch")
                        .execute(&mut *tx)
                        .await?;
                    for i in indexes {
                        outcomes[i] = Some(Err(crate::StoreError::Failed(e.to_string())));
                    }
                }
            }
        }
        let outcomes: Vec<BatchOutcome> = outcomes
            .into_iter()
            .map(|o| o.expect("every batch has its outcome"))
            .collect();
        tx.commit().await?;
        if let Some((mut cache, version)) = cache {
            cache.committed(version);
            *self.writer_cache.lock().unwrap_or_else(|e| e.into_inner()) = cache;
        }
        Ok(outcomes)
    }
}

/// Rows per multi-row statement: well under SQLite's 32,766 and PostgreSQL's 65,535
/// parameters.
const CHUNK: usize = 1000;

/// Rows per statement on the hot ingest path (readings, roll-up rows, device times). A
/// statement of exactly this many rows is kept prepared on its connection, so that SQLite
/// does not parse the same thousands of placeholders for every batch; small enough that
/// the kept statements stay a few hundred KiB per connection. The rest of a batch goes in
/// one statement prepared for the occasion.
const HOT_CHUNK: usize = 128;

/// The requests of one tenant in a group commit: tenant, zone, their places in the group,
/// and their readings.
type TenantJobs = (i64, TimeZone, Vec<usize>, Vec<Vec<NewReading>>);

/// The outcome of one request of a group: stored, or refused with its conflicts (I4).
type JobOutcome = std::result::Result<Stored, Vec<ItemError>>;

/// Stores the requests (`jobs`) of one tenant (whose zone is `tz`) that a group commit
/// holds, in `conn`'s transaction, as if they had come one after the other: each is screened
/// for duplicates and conflicts (I4) against the stored readings and the requests before it,
/// and a request with a conflict is refused whole. The readings of all accepted requests are
/// then written together, each row and roll-up row once.
///
/// `heard_at`: when the requests arrived, kept for each device with a reading stored.
///
/// `cache`: the writer's copy of latest times and roll-up rows, trusted as the database's
/// state before the call; what the call read and wrote goes back into it only once all its
/// statements have succeeded.
async fn store_jobs(
    conn: &mut AnyConnection,
    backend: Backend,
    tenant_id: i64,
    tz: &TimeZone,
    jobs: Vec<Vec<NewReading>>,
    heard_at: i64,
    mut cache: Option<&mut WriterCache>,
) -> Result<Vec<JobOutcome>> {
    let mut device_ids: Vec<i64> = jobs.iter().flatten().map(|r| r.device_id).collect();
    device_ids.sort_unstable();
    device_ids.dedup();
    let latest = latest_reading_times(conn, backend, &device_ids, cache.as_deref()).await?;
    // 1. Duplicates and conflicts, request by request.
    let (outcomes, by_device) = screen(conn, backend, &latest, jobs).await?;

    // 2. The roll-ups' arithmetic for the devices that only append (the usual case) runs on
    // a thread of its own while this task inserts the readings and updates the devices: it
    // needs only the block rows, read first. Devices with a late reading, or whose latest day
    // lacks a counter they bring, are done afterwards, with the database.
    let by_device = Arc::new(by_device);
    let latest = Arc::new(latest);
    let mut days = RollupCache::new(backend, tenant_id, Unit::Day);
    let mut months = RollupCache::new(backend, tenant_id, Unit::Month);
    let (day_keys, month_keys) = appended_periods(&by_device, &latest, tz);
    days.load(
        conn,
        day_keys.into_iter(),
        cache.as_deref_mut().map(|c| &mut c.days),
    )
    .await?;
    months
        .load(
            conn,
            month_keys.into_iter(),
            cache.as_deref_mut().map(|c| &mut c.months),
        )
        .await?;
    let arithmetic = {
        let (by_device, latest, tz) = (by_device.clone(), latest.clone(), tz.clone());
        tokio::task::spawn_blocking(move || {
            let mut out = Outputs::default();
            let mut later = Vec::new();
            for (device_id, readings) in by_device.iter() {
                let Some(first) = readings.first() else {
                    continue;
                };
                let last = latest.get(device_id).copied();
                if is_late(first, last)
                    || append_stats(
                        &tz, &days, &months, *device_id, readings, last, None, &mut out,
                    )?
                    .is_some()
                {
                    later.push(*device_id);
                }
            }
            let days_left = days.set_loaded(out.days);
            let months_left = months.set_loaded(out.months);
            Ok::<_, crate::StoreError>((days, months, later, days_left, months_left))
        })
    };

    // 3. The new readings, in key order, so that the inserts walk the B-tree forwards.
    let mut all: Vec<&NewReading> = by_device.values().flatten().collect();
    all.sort_by_key(|r| (utc_day(r.read_at), r.device_id, r.read_at));
    for chunk in all.chunks(HOT_CHUNK) {
        let sql = format!(
            "INSERT INTO readings (day, device_id, read_at, counters) VALUES {}",
            bulk_values(backend, 1, chunk.len(), 4)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(chunk.len() == HOT_CHUNK);
        for r in chunk {
            q = q
                .bind(utc_day(r.read_at))
                .bind(r.device_id)
                .bind(r.read_at)
                .bind(r.counters.encode());
        }
        q.execute(&mut *conn).await?;
    }

    // The devices' first and latest reading times and when they were last heard from (in
    // the same statement: hearing from a device costs no statement of its own), and
    // "unknown" becomes "normal" at a device's first report.
    let updates: Vec<(i64, i64, i64)> = by_device
        .iter()
        .filter_map(|(id, rs)| Some((*id, rs.first()?.read_at, rs.last()?.read_at)))
        .collect();
    let (least, greatest) = match backend {
        Backend::Sqlite => ("min", "max"),
        Backend::Postgres => ("LEAST", "GREATEST"),
    };
    for chunk in updates.chunks(HOT_CHUNK) {
        // `heard_at` may be NULL in a row older than migration 0016: the excluded value wins.
        let sql = format!(
            "INSERT INTO device_reading_times (device_id, first_at, last_at, heard_at) \
             VALUES {} ON CONFLICT (device_id) DO UPDATE SET \
               first_at = {least}(device_reading_times.first_at, excluded.first_at), \
               last_at = {greatest}(device_reading_times.last_at, excluded.last_at), \
               heard_at = {greatest}(COALESCE(device_reading_times.heard_at, \
                 excluded.heard_at), excluded.heard_at)",
            bulk_values(backend, 1, chunk.len(), 4)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(chunk.len() == HOT_CHUNK);
        for (id, f, t) in chunk {
            q = q.bind(*id).bind(*f).bind(*t).bind(heard_at);
        }
        q.execute(&mut *conn).await?;
    }
    let first_reports: Vec<i64> = updates
        .iter()
        .filter(|(id, ..)| !latest.contains_key(id))
        .map(|(id, ..)| *id)
        .collect();
    for chunk in first_reports.chunks(CHUNK) {
        let sql = format!(
            "UPDATE devices SET status = 'normal' WHERE status = 'unknown' AND id IN ({})",
            bulk_list(backend, 1, chunk.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(false);
        for id in chunk {
            q = q.bind(*id);
        }
        q.execute(&mut *conn).await?;
    }

    // 4. The devices left for later, then every changed block row, written once.
    let (mut days, mut months, later, days_left, months_left) = arithmetic
        .await
        .map_err(|e| crate::StoreError::Failed(format!("roll-up arithmetic: {e}")))??;
    let mut out = Outputs {
        days: days_left,
        months: months_left,
    };
    for device_id in later {
        let readings = &by_device[&device_id];
        let (Some(first), Some(newest)) = (readings.first(), readings.last()) else {
            continue;
        };
        let last = latest.get(&device_id).copied();
        match last {
            Some(last) if is_late(first, Some(last)) => {
                let (d, m) = recompute(
                    conn,
                    backend,
                    tenant_id,
                    tz,
                    device_id,
                    first.read_at,
                    Some(last.max(newest.read_at)),
                )
                .await?;
                out.days
                    .extend(d.into_iter().map(|(p, s)| (device_id, p, s)));
                out.months
                    .extend(m.into_iter().map(|(p, s)| (device_id, p, s)));
            }
            _ => {
                append(
                    conn, tz, &days, &months, device_id, readings, last, &mut out,
                )
                .await?
            }
        }
    }
    days.apply(conn, out.days, cache.as_deref_mut().map(|c| &mut c.days))
        .await?;
    months
        .apply(
            conn,
            out.months,
            cache.as_deref_mut().map(|c| &mut c.months),
        )
        .await?;
    let day_rows = days.flush(conn).await?;
    let month_rows = months.flush(conn).await?;

    // Every statement of the batch has succeeded: what it read and wrote is now the
    // database's state (unless the commit fails, which empties the cache).
    if let Some(cache) = cache {
        for ((block, period), row) in day_rows {
            cache.days.put(tenant_id, block, period, row);
        }
        for ((block, period), row) in month_rows {
            cache.months.put(tenant_id, block, period, row);
        }
        cache.latest.extend(latest.iter());
        for (id, _, last) in updates {
            let at = cache.latest.entry(id).or_insert(last);
            *at = (*at).max(last);
        }
    }
    Ok(outcomes)
}

/// Whether a device's new readings, of which `first` is the earliest, reach back to or
/// before its latest stored one (`last`): then its roll-ups are recomputed, not appended to.
fn is_late(first: &NewReading, last: Option<i64>) -> bool {
    last.is_some_and(|last| first.read_at <= last)
}

/// A device and a day or month id.
type DevicePeriod = (i64, i64);

/// The `(device, day)` and `(device, month)` rows that the devices which only append will
/// change: their latest day and month, and those of each new reading.
fn appended_periods(
    by_device: &BTreeMap<i64, Vec<NewReading>>,
    latest: &HashMap<i64, i64>,
    tz: &TimeZone,
) -> (Vec<DevicePeriod>, Vec<DevicePeriod>) {
    let (mut days, mut months) = (Vec::new(), Vec::new());
    for (device_id, readings) in by_device {
        let Some(first) = readings.first() else {
            continue;
        };
        let last = latest.get(device_id).copied();
        if is_late(first, last) {
            continue;
        }
        let mut previous = None;
        for at in last.into_iter().chain(readings.iter().map(|r| r.read_at)) {
            let day = day_id(day_of_ms(at, tz));
            if previous != Some(day) {
                days.push((*device_id, day));
                let month = month_of_day_id(day);
                if months.last() != Some(&(*device_id, month)) {
                    months.push((*device_id, month));
                }
                previous = Some(day);
            }
        }
    }
    (days, months)
}

/// Duplicates and conflicts (I4) of each request, within itself, against the stored
/// readings and against the requests before it in the group. Returns each request's outcome
/// and the new readings of the accepted ones by device, in time order.
async fn screen(
    conn: &mut AnyConnection,
    backend: Backend,
    latest: &HashMap<i64, i64>,
    jobs: Vec<Vec<NewReading>>,
) -> Result<(Vec<JobOutcome>, BTreeMap<i64, Vec<NewReading>>)> {
    // Readings not later than their device's latest stored one may repeat a stored reading.
    let mut maybe_stored: Vec<(i64, i64)> = jobs
        .iter()
        .flatten()
        .filter(|r| latest.get(&r.device_id).is_some_and(|at| *at >= r.read_at))
        .map(|r| (r.device_id, r.read_at))
        .collect();
    maybe_stored.sort_unstable();
    maybe_stored.dedup();
    let existing = if maybe_stored.is_empty() {
        HashMap::new()
    } else {
        stored_readings(conn, backend, &maybe_stored).await?
    };
    // Readings of earlier accepted requests of the group (only needed when there are several).
    let several = jobs.len() > 1;
    let mut accepted: HashMap<(i64, i64), CounterSet> = HashMap::new();
    let mut merged: BTreeMap<i64, Vec<NewReading>> = BTreeMap::new();
    let mut outcomes = Vec::with_capacity(jobs.len());
    for mut job in jobs {
        let mut stored = Stored::default();
        let mut conflicts = Vec::new();
        // Within the request: the first of a device's readings at one time stands.
        job.sort_by_key(|r| (r.device_id, r.read_at, r.index));
        let mut kept: Vec<NewReading> = Vec::with_capacity(job.len());
        for r in job {
            match kept.last() {
                Some(prev) if (prev.device_id, prev.read_at) == (r.device_id, r.read_at) => {
                    if prev.counters == r.counters {
                        stored.duplicates += 1;
                    } else {
                        conflicts.push(ItemError::new(
                            r.index,
                            "read_at",
                            ItemProblem::ConflictsWithItem { item: prev.index },
                        ));
                    }
                }
                _ => kept.push(r),
            }
        }
        // Against what is stored, or stored by an earlier request of the group.
        let mut new: Vec<NewReading> = Vec::with_capacity(kept.len());
        for r in kept {
            let key = (r.device_id, r.read_at);
            match existing.get(&key).or_else(|| accepted.get(&key)) {
                None => new.push(r),
                Some(counters) if *counters == r.counters => stored.duplicates += 1,
                Some(_) => conflicts.push(ItemError::new(
                    r.index,
                    "read_at",
                    ItemProblem::ConflictsWithStored,
                )),
            }
        }
        if !conflicts.is_empty() {
            conflicts.sort_by_key(|e| e.index);
            outcomes.push(Err(conflicts));
            continue;
        }
        stored.accepted = new.len();
        outcomes.push(Ok(stored));
        for r in new {
            if several {
                accepted.insert((r.device_id, r.read_at), r.counters.clone());
            }
            merged.entry(r.device_id).or_default().push(r);
        }
    }
    for readings in merged.values_mut() {
        readings.sort_by_key(|r| r.read_at);
    }
    Ok((outcomes, merged))
}

/// The stored counters of the given `(device, read_at)` pairs that exist.
async fn stored_readings(
    conn: &mut AnyConnection,
    backend: Backend,
    keys: &[(i64, i64)],
) -> Result<HashMap<(i64, i64), CounterSet>> {
    let mut out = HashMap::new();
    // `day IN (..) AND device_id IN (..) AND read_at BETWEEN ..`: index probes on both
    // databases (a join with a list of triples made PostgreSQL scan the readings); rows that
    // match no wanted pair are dropped here.
    let wanted: HashSet<(i64, i64)> = keys.iter().copied().collect();
    for chunk in keys.chunks(CHUNK) {
        let mut days: Vec<i64> = chunk.iter().map(|(_, at)| utc_day(*at)).collect();
        days.sort_unstable();
        days.dedup();
        let mut devices: Vec<i64> = chunk.iter().map(|(d, _)| *d).collect();
        devices.sort_unstable();
        devices.dedup();
        let from = chunk.iter().map(|(_, at)| *at).min().expect("non-empty");
        let to = chunk.iter().map(|(_, at)| *at).max().expect("non-empty");
        let sql = format!(
            "SELECT device_id, read_at, counters FROM readings \
             WHERE read_at >= {} AND read_at <= {} AND day IN ({}) AND device_id IN ({})",
            param(backend, 1),
            param(backend, 2),
            bulk_list(backend, 3, days.len()),
            bulk_list(backend, 3 + days.len(), devices.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .persistent(false)
            .bind(from)
            .bind(to);
        for d in &days {
            q = q.bind(*d);
        }
        for d in &devices {
            q = q.bind(*d);
        }
        for row in q.fetch_all(&mut *conn).await? {
            let key = (row.get::<i64, _>(0), row.get::<i64, _>(1));
            if wanted.contains(&key) {
                out.insert(key, CounterSet::decode(&row.get::<Vec<u8>, _>(2))?);
            }
        }
    }
    Ok(out)
}

/// The latest stored `read_at` of each device that has readings (the others are absent),
/// read inside the transaction (a request in the same group commit may have just moved it).
///
/// The answer comes as one text row per statement (`id:time,id:time,...`) rather than one
/// row per device: rows cross from the database thread one at a time, and for a batch of a
/// fleet that crossing cost more than the query.
async fn latest_reading_times(
    conn: &mut AnyConnection,
    backend: Backend,
    device_ids: &[i64],
    cache: Option<&WriterCache>,
) -> Result<HashMap<i64, i64>> {
    let mut out = HashMap::with_capacity(device_ids.len());
    let mut unknown = Vec::new();
    match cache {
        Some(cache) => {
            for id in device_ids {
                match cache.latest.get(id) {
                    Some(at) => {
                        out.insert(*id, *at);
                    }
                    None => unknown.push(*id),
                }
            }
        }
        None => unknown.extend_from_slice(device_ids),
    }
    for chunk in unknown.chunks(HOT_CHUNK) {
        let sql = format!(
            "SELECT string_agg(CAST(device_id AS TEXT) || ':' || CAST(last_at AS TEXT), ',') \
             FROM device_reading_times WHERE device_id IN ({})",
            bulk_list(backend, 1, chunk.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(chunk.len() == HOT_CHUNK);
        for id in chunk {
            q = q.bind(*id);
        }
        let text: Option<String> = q.fetch_one(&mut *conn).await?.get(0);
        for pair in text.iter().flat_map(|t| t.split(',')) {
            let parsed = pair
                .split_once(':')
                .and_then(|(id, at)| Some((id.parse::<i64>().ok()?, at.parse::<i64>().ok()?)));
            let (id, at) = parsed.ok_or(crate::StoreError::Codec(
                meterport_domain::counters::CodecError,
            ))?;
            out.insert(id, at);
        }
    }
    Ok(out)
}

/// PostgreSQL only, where several portal instances may write at once: takes a transaction
/// lock on each block (sorted), so that a block's roll-up rows, and its devices' rows, are
/// read, changed and written back by one writer at a time. All blocks of a group commit are
/// locked at its start and in ascending order, which rules out deadlocks. Advisory locks
/// live in memory: locking device rows instead wrote every locked row.
pub(crate) async fn lock_blocks(conn: &mut AnyConnection, blocks: &[i64]) -> Result<()> {
    for block in blocks {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(ROLLUP_LOCKS + block)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The advisory-lock keys of roll-up blocks start here (a namespace of their own).
const ROLLUP_LOCKS: i64 = 0x6d70 << 40;

/// New stats per `(device, period)`, to be written into their block rows.
#[derive(Default)]
struct Outputs {
    days: Vec<(i64, i64, PeriodStats)>,
    months: Vec<(i64, i64, PeriodStats)>,
}

/// Block rows of one roll-up table read in a transaction, changed in memory, and written
/// back once ([`RollupCache::flush`]).
pub(crate) struct RollupCache {
    backend: Backend,
    tenant_id: i64,
    unit: Unit,
    /// `(block, period)` to the row (empty when the row does not exist yet) and whether it
    /// changed.
    rows: HashMap<(i64, i64), (Block, bool)>,
}

impl RollupCache {
    pub(crate) fn new(backend: Backend, tenant_id: i64, unit: Unit) -> RollupCache {
        RollupCache {
            backend,
            tenant_id,
            unit,
            rows: HashMap::new(),
        }
    }

    /// Reads the block rows of the given `(device, period)` pairs that are not read yet.
    async fn load(
        &mut self,
        conn: &mut AnyConnection,
        keys: impl Iterator<Item = (i64, i64)>,
        kept: Option<&mut KeptRows>,
    ) -> Result<()> {
        let mut wanted: HashSet<(i64, i64)> = keys
            .map(|(device, period)| (block_of(device), period))
            .filter(|k| !self.rows.contains_key(k))
            .collect();
        if let Some(kept) = kept {
            wanted.retain(
                |&(block, period)| match kept.take(self.tenant_id, block, period) {
                    Some(row) => {
                        self.rows.insert((block, period), (row, false));
                        false
                    }
                    None => true,
                },
            );
        }
        // Blocks grouped by the set of periods wanted of them (a batch from a fleet: every
        // block wants the same day or two), so each query is `block IN (..) AND period IN
        // (..)`: index probes on both databases, where a list of (block, period) pairs made
        // PostgreSQL scan the tenant's roll-ups.
        let mut periods_of: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for (block, period) in &wanted {
            periods_of.entry(*block).or_default().push(*period);
        }
        let mut groups: BTreeMap<Vec<i64>, Vec<i64>> = BTreeMap::new();
        for (block, mut periods) in periods_of {
            periods.sort_unstable();
            groups.entry(periods).or_default().push(block);
        }
        let (table, col) = table_of(self.unit);
        for (periods, blocks) in &groups {
            for periods in periods.chunks(CHUNK) {
                for blocks in blocks.chunks(CHUNK) {
                    let sql = format!(
                        "SELECT block, {col}, head, data FROM {table} \
                         WHERE tenant_id = {} AND block IN ({}) AND {col} IN ({})",
                        param(self.backend, 1),
                        bulk_list(self.backend, 2, blocks.len()),
                        bulk_list(self.backend, 2 + blocks.len(), periods.len())
                    );
                    let mut q = sqlx::query(AssertSqlSafe(sql))
                        .persistent(false)
                        .bind(self.tenant_id);
                    for block in blocks {
                        q = q.bind(*block);
                    }
                    for period in periods {
                        q = q.bind(*period);
                    }
                    for row in q.fetch_all(&mut *conn).await? {
                        let block = stored_block(&row, 2)?;
                        self.rows
                            .insert((row.get::<i64, _>(0), row.get::<i64, _>(1)), (block, false));
                    }
                }
            }
        }
        for key in wanted {
            self.rows.entry(key).or_default();
        }
        Ok(())
    }

    /// The stats of a device in a period whose row is loaded.
    fn get(&self, device_id: i64, period: i64) -> Result<Option<PeriodStats>> {
        match self.rows.get(&(block_of(device_id), period)) {
            Some((block, _)) => Ok(block.get(slot_of(device_id))?),
            None => Ok(None),
        }
    }

    /// Loads the rows of `stats` and sets each device's stats in them.
    async fn apply(
        &mut self,
        conn: &mut AnyConnection,
        stats: Vec<(i64, i64, PeriodStats)>,
        kept: Option<&mut KeptRows>,
    ) -> Result<()> {
        self.load(conn, stats.iter().map(|(d, p, _)| (*d, *p)), kept)
            .await?;
        for (device_id, period, s) in stats {
            let (block, dirty) = self
                .rows
                .get_mut(&(block_of(device_id), period))
                .expect("loaded above");
            block.set(slot_of(device_id), &s);
            *dirty = true;
        }
        Ok(())
    }

    /// Sets each device's stats in its row where that row is loaded; returns the others.
    fn set_loaded(&mut self, stats: Vec<(i64, i64, PeriodStats)>) -> Vec<(i64, i64, PeriodStats)> {
        let mut left = Vec::new();
        for (device_id, period, s) in stats {
            match self.rows.get_mut(&(block_of(device_id), period)) {
                Some((block, dirty)) => {
                    block.set(slot_of(device_id), &s);
                    *dirty = true;
                }
                None => left.push((device_id, period, s)),
            }
        }
        left
    }

    /// Removes a device from every loaded row.
    pub(crate) fn remove_device(&mut self, device_id: i64) {
        let b = block_of(device_id);
        for ((block, _), (row, dirty)) in self.rows.iter_mut() {
            if *block == b && row.remove(slot_of(device_id)) {
                *dirty = true;
            }
        }
    }

    /// Writes the changed rows back (deleting those left empty), in key order. Returns every
    /// row, changed or not, as the database now holds it (empty: no row).
    pub(crate) async fn flush(self, conn: &mut AnyConnection) -> Result<Vec<((i64, i64), Block)>> {
        let (table, col) = table_of(self.unit);
        let mut rows: Vec<((i64, i64), (Block, bool))> = self.rows.into_iter().collect();
        rows.sort_unstable_by_key(|(k, _)| *k);
        let changed = || rows.iter().filter(|(_, (_, dirty))| *dirty);
        let written: Vec<_> = changed().filter(|(_, (b, _))| !b.is_empty()).collect();
        for chunk in written.chunks(HOT_CHUNK) {
            let sql = format!(
                "INSERT INTO {table} (tenant_id, block, {col}, head, data) VALUES {} \
                 ON CONFLICT (tenant_id, block, {col}) \
                 DO UPDATE SET head = excluded.head, data = excluded.data",
                bulk_values(self.backend, 1, chunk.len(), 5)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(chunk.len() == HOT_CHUNK);
            for ((block, period), (data, _)) in chunk {
                let (head, rest) = data.encode_split();
                q = q
                    .bind(self.tenant_id)
                    .bind(*block)
                    .bind(*period)
                    .bind(head)
                    .bind(rest);
            }
            q.execute(&mut *conn).await?;
        }
        for ((block, period), _) in changed().filter(|(_, (b, _))| b.is_empty()) {
            sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE tenant_id = $1 AND block = $2 AND {col} = $3"
            )))
            .bind(self.tenant_id)
            .bind(*block)
            .bind(*period)
            .execute(&mut *conn)
            .await?;
        }
        Ok(rows.into_iter().map(|(k, (b, _))| (k, b)).collect())
    }

    /// Loads every row of a device's block (for removing the device from all of them).
    pub(crate) async fn load_block(&mut self, conn: &mut AnyConnection, block: i64) -> Result<()> {
        let (table, col) = table_of(self.unit);
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {col}, head, data FROM {table} WHERE tenant_id = $1 AND block = $2"
        )))
        .bind(self.tenant_id)
        .bind(block)
        .fetch_all(&mut *conn)
        .await?;
        for row in rows {
            let data = stored_block(&row, 1)?;
            self.rows
                .entry((block, row.get::<i64, _>(0)))
                .or_insert((data, false));
        }
        Ok(())
    }
}

/// The append path: extends a device's latest day and month with readings that are all
/// later than its latest stored one (`last`), whose day and month rows are loaded; reads the
/// baseline it needs from earlier days when the latest day lacks some of the readings' keys.
#[allow(clippy::too_many_arguments)]
async fn append(
    conn: &mut AnyConnection,
    tz: &TimeZone,
    days: &RollupCache,
    months: &RollupCache,
    device_id: i64,
    readings: &[NewReading],
    last: Option<i64>,
    out: &mut Outputs,
) -> Result<()> {
    if let Some(missing) = append_stats(tz, days, months, device_id, readings, last, None, out)? {
        let d = day_id(day_of_ms(
            last.expect("missing keys imply a latest day"),
            tz,
        ));
        let base = walk_back(conn, days.tenant_id, Unit::Day, device_id, d, &missing).await?;
        append_stats(tz, days, months, device_id, readings, last, Some(base), out)?;
    }
    Ok(())
}

/// [`append`] without the database: returns the keys its latest day lacks (and adds
/// nothing to `out`) when `base`, the values before that day, is needed and not given.
#[allow(clippy::too_many_arguments)]
fn append_stats(
    tz: &TimeZone,
    days: &RollupCache,
    months: &RollupCache,
    device_id: i64,
    readings: &[NewReading],
    last: Option<i64>,
    base: Option<Baseline>,
    out: &mut Outputs,
) -> Result<Option<Vec<Key>>> {
    let mut cur_day: Option<(i64, PeriodStats)> = None;
    let mut cur_month: Option<(i64, PeriodStats)> = None;
    let given = base.is_some();
    let mut base = base.unwrap_or_default();
    if let Some(last) = last {
        let d = day_id(day_of_ms(last, tz));
        let day_stats = days.get(device_id, d)?.unwrap_or_default();
        // Keys new to the latest day need the values before it.
        if !given {
            let needed = readings
                .iter()
                .fold(0, |bits, r| bits | r.counters.key_bits());
            let missing = needed & !day_stats.key_bits();
            if missing != 0 {
                return Ok(Some(keys_of(missing).collect()));
            }
        }
        let m = month_of_day_id(d);
        cur_month = Some((m, months.get(device_id, m)?.unwrap_or_default()));
        cur_day = Some((d, day_stats));
    }
    for r in readings {
        let d = day_id(day_of_ms(r.read_at, tz));
        if cur_day.as_ref().is_none_or(|(cd, _)| *cd != d) {
            if let Some((cd, stats)) = cur_day.take() {
                base.advance(&stats);
                out.days.push((device_id, cd, stats));
            }
            cur_day = Some((d, PeriodStats::default()));
        }
        let m = month_of_day_id(d);
        if cur_month.as_ref().is_none_or(|(cm, _)| *cm != m) {
            if let Some((cm, stats)) = cur_month.take() {
                out.months.push((device_id, cm, stats));
            }
            cur_month = Some((m, PeriodStats::default()));
        }
        // A key missing from the month is missing from all its days, so the baseline
        // before the current day is also the month's for that key.
        cur_day.as_mut().expect("set").1.append(&r.counters, &base);
        let month = &mut cur_month.as_mut().expect("set").1;
        month.append_on_day(d, &r.counters, &base);
    }
    if let Some((d, stats)) = cur_day {
        out.days.push((device_id, d, stats));
    }
    if let Some((m, stats)) = cur_month {
        out.months.push((device_id, m, stats));
    }
    Ok(None)
}

/// The last value of each of `keys` before period `before` (a day or month id), walking the
/// device's earlier periods backwards until all are found or its history ends.
async fn walk_back(
    conn: &mut AnyConnection,
    tenant_id: i64,
    unit: Unit,
    device_id: i64,
    before: i64,
    keys: &[Key],
) -> Result<Baseline> {
    let (table, col) = table_of(unit);
    let (block, slot) = (block_of(device_id), slot_of(device_id));
    let mut base = Baseline::default();
    let mut cursor = before;
    loop {
        let sql = format!(
            "SELECT {col}, head, data FROM {table} \
             WHERE tenant_id = $1 AND block = $2 AND {col} < $3 \
             ORDER BY {col} DESC LIMIT 32"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(tenant_id)
            .bind(block)
            .bind(cursor)
            .fetch_all(&mut *conn)
            .await?;
        if rows.is_empty() {
            return Ok(base);
        }
        for row in &rows {
            if let Some(stats) = stored_block(row, 1)?.get(slot)? {
                base.fill_from(&stats);
                if !base.lacks_any(keys.iter().copied()) {
                    return Ok(base);
                }
            }
        }
        cursor = rows.last().expect("non-empty").get::<i64, _>(0);
    }
}

type Rollups = (BTreeMap<i64, PeriodStats>, BTreeMap<i64, PeriodStats>);

/// The readings of a device from `from_ms` on, in time order. `until_ms` bounds the days
/// visited (default: the device's latest reading as stored, or now).
async fn device_readings(
    conn: &mut AnyConnection,
    backend: Backend,
    device_id: i64,
    from_ms: i64,
    until_ms: i64,
) -> Result<Vec<(i64, CounterSet)>> {
    // The key starts with the day: one seek per day of the device's history.
    let days: Vec<i64> = (utc_day(from_ms)..=utc_day(until_ms)).collect();
    let mut readings = Vec::new();
    for chunk in days.chunks(CHUNK) {
        let sql = format!(
            "SELECT read_at, counters FROM readings WHERE device_id = {} AND read_at >= {} \
             AND day IN ({}) ORDER BY day, read_at",
            param(backend, 1),
            param(backend, 2),
            bulk_list(backend, 3, chunk.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .persistent(false)
            .bind(device_id)
            .bind(from_ms);
        for d in chunk {
            q = q.bind(*d);
        }
        for row in q.fetch_all(&mut *conn).await? {
            readings.push((
                row.get::<i64, _>(0),
                CounterSet::decode(&row.get::<Vec<u8>, _>(1))?,
            ));
        }
    }
    Ok(readings)
}

/// The general path: recomputes a device's roll-ups from its readings, from the start of
/// the month of `from_ms` onwards (the new readings are already inserted).
async fn recompute(
    conn: &mut AnyConnection,
    backend: Backend,
    tenant_id: i64,
    tz: &TimeZone,
    device_id: i64,
    from_ms: i64,
    until_ms: Option<i64>,
) -> Result<Rollups> {
    let first_month = Period::Month(day_of_ms(from_ms, tz).first_of_month());
    let (start, _) = first_month.bounds_ms(tz);
    let until = match until_ms {
        Some(t) => t,
        None => sqlx::query("SELECT last_at FROM device_reading_times WHERE device_id = $1")
            .bind(device_id)
            .fetch_optional(&mut *conn)
            .await?
            .map(|r| r.get::<i64, _>(0))
            .unwrap_or(from_ms)
            .max(from_ms),
    };
    let readings = device_readings(conn, backend, device_id, start, until).await?;
    let mut keys: Vec<Key> = readings
        .iter()
        .flat_map(|(_, c)| c.iter().map(|(k, _)| k))
        .collect();
    keys.sort();
    keys.dedup();
    let mut base = walk_back(
        conn,
        tenant_id,
        Unit::Month,
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
    let mut months: BTreeMap<i64, Vec<(i64, &PeriodStats)>> = BTreeMap::new();
    for (d, s) in &days {
        months.entry(month_of_day_id(*d)).or_default().push((*d, s));
    }
    let months = months
        .into_iter()
        .map(|(m, parts)| (m, PeriodStats::combine_days(parts)))
        .collect();
    Ok((days, months))
}

/// Deletes a device's readings and its stats from every roll-up row, in `conn`'s
/// transaction (the device row itself is the caller's).
pub(crate) async fn delete_device_data(
    conn: &mut AnyConnection,
    backend: Backend,
    tenant_id: i64,
    device_id: i64,
) -> Result<()> {
    if backend == Backend::Postgres {
        lock_blocks(conn, &[block_of(device_id)]).await?;
    }
    let row = sqlx::query(
        "SELECT t.first_at, t.last_at FROM devices d \
         LEFT JOIN device_reading_times t ON t.device_id = d.id \
         WHERE d.tenant_id = $1 AND d.id = $2",
    )
    .bind(tenant_id)
    .bind(device_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(());
    };
    if let (Some(first), Some(last)) = (row.get::<Option<i64>, _>(0), row.get::<Option<i64>, _>(1))
    {
        let days: Vec<i64> = (utc_day(first)..=utc_day(last)).collect();
        for chunk in days.chunks(CHUNK) {
            let sql = format!(
                "DELETE FROM readings WHERE device_id = {} AND day IN ({})",
                param(backend, 1),
                bulk_list(backend, 2, chunk.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql))
                .persistent(false)
                .bind(device_id);
            for d in chunk {
                q = q.bind(*d);
            }
            q.execute(&mut *conn).await?;
        }
    }
    for unit in [Unit::Day, Unit::Month] {
        let mut cache = RollupCache::new(backend, tenant_id, unit);
        cache.load_block(conn, block_of(device_id)).await?;
        cache.remove_device(device_id);
        cache.flush(conn).await?;
    }
    Ok(())
}

/// A roll-up row from its columns `head` (at `at`) and `data` (after it).
fn stored_block(row: &sqlx::any::AnyRow, at: usize) -> Result<Block> {
    let head: Option<Vec<u8>> = row.try_get(at)?;
    let data: Vec<u8> = row.try_get(at + 1)?;
    Ok(Block::decode_stored(head.as_deref(), &data)?)
}

/// Gives the devices of a month row that lack them their covered days and reset days,
/// from the month's daily rows: months stored before they were kept.
async fn complete_month_days(
    conn: &mut AnyConnection,
    tenant_id: i64,
    block: i64,
    month: i64,
    row: &mut Block,
) -> Result<()> {
    let mut lacking = Vec::new();
    for slot in row.slots() {
        let stats = row.get(slot)?.expect("a slot of the row");
        let resets = stats.iter().any(|(_, s)| s.reset);
        if stats.covered() == 0 || (resets && stats.reset_days() == 0) {
            lacking.push((slot, stats));
        }
    }
    if lacking.is_empty() {
        return Ok(());
    }
    let days = sqlx::query(
        "SELECT day, head, data FROM day_rollups \
         WHERE tenant_id = $1 AND block = $2 AND day >= $3 AND day <= $4 ORDER BY day",
    )
    .bind(tenant_id)
    .bind(block)
    .bind(month * 100 + 1)
    .bind(month * 100 + 31)
    .fetch_all(&mut *conn)
    .await?;
    let days: Vec<(i64, Block)> = days
        .iter()
        .map(|r| Ok((r.get::<i64, _>(0), stored_block(r, 1)?)))
        .collect::<Result<_>>()?;
    for (slot, mut stats) in lacking {
        let parts: Vec<(i64, PeriodStats)> = days
            .iter()
            .filter_map(|(day, b)| b.get(slot).transpose().map(|s| s.map(|s| (*day, s))))
            .collect::<std::result::Result<_, _>>()?;
        let rebuilt = PeriodStats::combine_days(parts.iter().map(|(d, s)| (*d, s)));
        stats.take_days_of(&rebuilt);
        row.set(slot, &stats);
    }
    Ok(())
}

impl crate::Store {
    /// Splits every roll-up row that has no head yet into its head and rest
    /// ([`Block::encode_split`]), and derives the covered and reset days of the month rows' devices that lack them: rows stored
    /// before these were kept (migration 0018, which leaves a row in
    /// `rollup_heads_pending`). Idempotent, so instances starting together may both run it;
    /// a row written meanwhile carries its head already and is left as it is.
    pub(crate) async fn fill_rollup_heads(&self) -> Result<()> {
        let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM rollup_heads_pending")
            .fetch_one(self.pool())
            .await?;
        if pending == 0 {
            return Ok(());
        }
        for unit in [Unit::Day, Unit::Month] {
            let (table, col) = table_of(unit);
            let mut after = (i64::MIN, i64::MIN, i64::MIN);
            let mut filled = 0usize;
            loop {
                let mut tx = self.begin_write().await?;
                let rows = sqlx::query(AssertSqlSafe(format!(
                    "SELECT tenant_id, block, {col}, data FROM {table} \
                     WHERE head IS NULL AND (tenant_id, block, {col}) > ($1, $2, $3) \
                     ORDER BY tenant_id, block, {col} LIMIT 512"
                )))
                .bind(after.0)
                .bind(after.1)
                .bind(after.2)
                .fetch_all(&mut *tx)
                .await?;
                let Some(last) = rows.last() else {
                    tx.commit().await?;
                    break;
                };
                after = (last.get(0), last.get(1), last.get(2));
                for row in &rows {
                    let (tenant_id, block, period) = (row.get(0), row.get(1), row.get(2));
                    let mut data = Block::decode(&row.get::<Vec<u8>, _>(3))?;
                    if unit == Unit::Month {
                        complete_month_days(&mut tx, tenant_id, block, period, &mut data).await?;
                    }
                    let (head, rest) = data.encode_split();
                    sqlx::query(AssertSqlSafe(format!(
                        "UPDATE {table} SET head = $1, data = $2 \
                         WHERE tenant_id = $3 AND block = $4 AND {col} = $5 AND head IS NULL"
                    )))
                    .bind(head)
                    .bind(rest)
                    .bind(tenant_id)
                    .bind(block)
                    .bind(period)
                    .execute(&mut *tx)
                    .await?;
                }
                filled += rows.len();
                tx.commit().await?;
            }
            if filled > 0 {
                tracing::info!(table, rows = filled, "roll-up heads derived");
            }
        }
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM rollup_heads_pending")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Rebuilds every roll-up from the readings, once, when the schema asks for it (a
    /// migration that changed how roll-ups are kept leaves a row in `rollup_rebuild`).
    pub(crate) async fn rebuild_rollups_if_pending(&self) -> Result<()> {
        let backend = self.backend();
        let mut tx = self.begin_write().await?;
        // Whoever deletes the row rebuilds; another instance starting at the same moment
        // waits for this transaction and then finds nothing to do.
        let pending = sqlx::query("DELETE FROM rollup_rebuild")
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if pending == 0 {
            tx.commit().await?;
            return Ok(());
        }
        tracing::info!("rebuilding counter roll-ups from the readings");
        sqlx::query("DELETE FROM day_rollups")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM month_rollups")
            .execute(&mut *tx)
            .await?;
        let devices = sqlx::query(
            "SELECT d.tenant_id, t.timezone, d.id, rt.first_at, rt.last_at \
             FROM devices d JOIN tenants t ON t.id = d.tenant_id \
             JOIN device_reading_times rt ON rt.device_id = d.id \
             ORDER BY d.tenant_id, d.id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut current: Option<(i64, i64, RollupCache, RollupCache)> = None;
        for row in devices {
            let (tenant_id, zone, id): (i64, String, i64) = (row.get(0), row.get(1), row.get(2));
            let (first, last): (i64, i64) = (row.get(3), row.get(4));
            let tz = TimeZone::get(&zone)
                .map_err(|e| crate::StoreError::Failed(format!("time zone {zone:?}: {e}")))?;
            // Flush a block's rows once all its devices are done.
            if current
                .as_ref()
                .is_some_and(|(t, b, _, _)| (*t, *b) != (tenant_id, block_of(id)))
            {
                let (_, _, days, months) = current.take().expect("checked");
                days.flush(&mut tx).await?;
                months.flush(&mut tx).await?;
            }
            let (_, _, days, months) = current.get_or_insert_with(|| {
                (
                    tenant_id,
                    block_of(id),
                    RollupCache::new(backend, tenant_id, Unit::Day),
                    RollupCache::new(backend, tenant_id, Unit::Month),
                )
            });
            let (d, m) = recompute(&mut tx, backend, tenant_id, &tz, id, first, Some(last)).await?;
            days.apply(
                &mut tx,
                d.into_iter().map(|(p, s)| (id, p, s)).collect(),
                None,
            )
            .await?;
            months
                .apply(
                    &mut tx,
                    m.into_iter().map(|(p, s)| (id, p, s)).collect(),
                    None,
                )
                .await?;
        }
        if let Some((_, _, days, months)) = current {
            days.flush(&mut tx).await?;
            months.flush(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// UTC days of readings deleted per transaction by [`crate::Store::purge_readings`]: a
/// fleet's first purge may hold years, and the ingest writer waits while one runs.
const PURGE_DAYS: i64 = 7;

impl crate::Store {
    /// Deletes the tenant's readings taken before `before_ms`, the start of its retention
    /// (C7), a week of days per transaction. The roll-ups stay: the usage of the periods
    /// still shown was computed with the readings before them and does not change, and a
    /// late reading (never older than the retention, ingest refuses those) is recomputed
    /// from the start of its month with the roll-ups before it as baseline. Returns the
    /// number of readings deleted.
    pub async fn purge_readings(&self, tenant_id: i64, before_ms: i64) -> Result<u64> {
        let last_day = utc_day(before_ms);
        // No reading of a device is older than its `first_at`.
        let oldest: Option<i64> = sqlx::query(
            "SELECT MIN(t.first_at) FROM device_reading_times t \
             JOIN devices d ON d.id = t.device_id WHERE d.tenant_id = $1",
        )
        .bind(tenant_id)
        .fetch_one(self.pool())
        .await?
        .get(0);
        let Some(mut from) = oldest.filter(|at| *at < before_ms).map(utc_day) else {
            return Ok(0);
        };
        let mut deleted = 0;
        while from <= last_day {
            let to = (from + PURGE_DAYS - 1).min(last_day);
            let mut tx = self.begin_write().await?;
            deleted += sqlx::query(
                "DELETE FROM readings WHERE day >= $1 AND day <= $2 AND read_at < $3 \
                 AND device_id IN (SELECT id FROM devices WHERE tenant_id = $4)",
            )
            .bind(from)
            .bind(to)
            .bind(before_ms)
            .bind(tenant_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if to == last_day {
                // The devices' first times become the retention start: still a bound
                // below every reading kept, and the next purge starts there.
                sqlx::query(
                    "UPDATE device_reading_times SET first_at = $1 WHERE first_at < $1 \
                     AND device_id IN (SELECT id FROM devices WHERE tenant_id = $2)",
                )
                .bind(before_ms)
                .bind(tenant_id)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            from = to + 1;
        }
        Ok(deleted)
    }
}
