//! Ingest (SPEC I1, I4-I6): one service for every front door (HTTP now, SMTP later).
//!
//! Validation happens before anything is written: the whole request is accepted or refused,
//! and a refusal lists every bad item. Accepted batches go to the [`IngestWriter`], a single
//! task that commits the batches waiting at that moment in **one transaction** (group commit):
//! each request has its own savepoint, so one request's conflict never undoes another's, and
//! one fsync serves them all. A request is answered only after its commit returned, so a 200
//! means durable.

use std::collections::BTreeSet;

use meterport_domain::counters::DeviceClass;
use meterport_domain::ingest::{BodyError, ItemError, ItemProblem, parse_instant, parse_readings};
use meterport_domain::period::day_start_ms;
use meterport_domain::status::{Condition, ConditionInput};
use meterport_store::readings::{NewReading, Stored};
use meterport_store::supplies::{MAX_SUPPLIES, Supply, SupplyInput};
use meterport_store::tenants::Tenant;
use meterport_store::{Store, StoreError};
use tokio::sync::{mpsc, oneshot};

use crate::service::Services;

/// Why a request was refused or failed.
#[derive(Debug)]
pub enum IngestError {
    /// The body is not a JSON object or array.
    Malformed(BodyError),
    /// Items that break the contract; nothing was stored.
    Invalid(Vec<ItemError>),
    Store(StoreError),
}

impl From<StoreError> for IngestError {
    fn from(e: StoreError) -> Self {
        IngestError::Store(e)
    }
}

/// The first instant the tenant's retention keeps: the first day of the month
/// `retention_months` months before the current one, in the tenant's zone.
pub fn retention_start_ms(tenant: &Tenant, now_ms: i64) -> Option<i64> {
    let months = tenant.retention_months?;
    let tz = tenant.tz();
    let today = meterport_domain::period::day_of_ms(now_ms, &tz);
    let start = today
        .first_of_month()
        .checked_sub(jiff::Span::new().months(months))
        .ok()?;
    Some(day_start_ms(start, &tz))
}

/// Validates and stores a batch of readings for a tenant (the body of
/// `POST /api/v1/ingest/readings`).
pub async fn ingest_readings(
    svc: &Services,
    writer: &IngestWriter,
    tenant: &Tenant,
    body: &str,
    now_ms: i64,
) -> Result<Stored, IngestError> {
    let store = svc.store();
    Ok(ingest(store, writer, tenant, body, now_ms, false)
        .await?
        .stored)
}

/// What [`ingest_devices`] stored, and of which devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingested {
    pub stored: Stored,
    /// The devices of the request's readings, each once, in id order.
    pub devices: Vec<i64>,
}

/// [`ingest_readings`], also naming the devices whose readings the request held (a meter
/// mail notes when each device last wrote).
pub(in crate::service) async fn ingest_devices(
    store: &Store,
    writer: &IngestWriter,
    tenant: &Tenant,
    body: &str,
    now_ms: i64,
) -> Result<Ingested, IngestError> {
    ingest(store, writer, tenant, body, now_ms, true).await
}

async fn ingest(
    store: &Store,
    writer: &IngestWriter,
    tenant: &Tenant,
    body: &str,
    now_ms: i64,
    name_devices: bool,
) -> Result<Ingested, IngestError> {
    // Requests being validated and stored take memory in proportion to their size; a flood
    // of large batches waits here instead of growing the process.
    let _admitted = writer.admit(body.len()).await;
    let outcome = async {
        // The parsed items are dropped before the wait for the commit.
        let readings = validate_readings(store, tenant, body, now_ms).await?;
        let devices = if name_devices {
            let set: BTreeSet<i64> = readings.iter().map(|r| r.device_id).collect();
            set.into_iter().collect()
        } else {
            Vec::new()
        };
        let stored = writer.submit(tenant, readings, now_ms).await?;
        Ok(Ingested { stored, devices })
    }
    .await;
    count_readings(&outcome);
    outcome
}

/// Counts a request's readings for the metrics: stored and duplicate ones, or the items a
/// refusal names (each once, by its first problem) and a body that is no report at all.
fn count_readings(outcome: &Result<Ingested, IngestError>) {
    match outcome {
        Ok(done) => crate::telemetry::readings_stored(
            done.stored.accepted as u64,
            done.stored.duplicates as u64,
        ),
        Err(IngestError::Malformed(_)) => crate::telemetry::readings_refused("malformed", 1),
        Err(IngestError::Invalid(errors)) => {
            let mut seen = BTreeSet::new();
            for e in errors {
                if seen.insert(e.index) {
                    crate::telemetry::readings_refused(e.problem.reason(), 1);
                }
            }
        }
        Err(IngestError::Store(_)) => {}
    }
}

/// Checks every item of a request against the contract and the tenant's devices: the
/// readings to store, or every bad item.
async fn validate_readings(
    store: &Store,
    tenant: &Tenant,
    body: &str,
    now_ms: i64,
) -> Result<Vec<NewReading>, IngestError> {
    let items = parse_readings(body).map_err(IngestError::Malformed)?;
    let mut errors = Vec::new();
    let mut drafts = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        match item {
            Ok(d) => drafts.push((index, d)),
            Err(e) => errors.extend(e),
        }
    }
    let serials: BTreeSet<&str> = drafts.iter().map(|(_, d)| d.serial.as_str()).collect();
    let serials: Vec<&str> = serials.into_iter().collect();
    let owners = store.serial_owners_any_tenant(&serials).await?;
    let unknown: Vec<&str> = serials
        .iter()
        .copied()
        .filter(|s| !owners.contains_key(*s))
        .collect();
    let retention = retention_start_ms(tenant, now_ms);
    let mut readings = Vec::with_capacity(drafts.len());
    for (index, d) in &drafts {
        match owners.get(&d.serial) {
            // The same answer for an unknown serial and another tenant's: an ingest token
            // must not learn which serials exist elsewhere.
            Some(o) if o.tenant_id == tenant.id => {
                let class = if o.is_lfp {
                    DeviceClass::Lfp
                } else {
                    DeviceClass::Mfp
                };
                match d.finish(*index, class, now_ms, retention) {
                    Ok(counters) => readings.push(NewReading {
                        index: *index,
                        device_id: o.device_id,
                        read_at: d.read_at_ms,
                        counters,
                    }),
                    Err(e) => errors.extend(e),
                }
            }
            _ => errors.push(ItemError::new(*index, "serial", ItemProblem::UnknownSerial)),
        }
    }
    if !unknown.is_empty() {
        store
            .record_unknown_serials(tenant.id, &unknown, now_ms)
            .await?;
        tracing::warn!(
            tenant.id = tenant.id,
            count = unknown.len(),
            "readings from unregistered serials"
        );
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.index);
        return Err(IngestError::Invalid(errors));
    }
    Ok(readings)
}

/// A status report's outcome: applied, or older than the last one (counted and ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct StatusOutcome {
    pub applied: usize,
    pub stale: usize,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StatusInput {
    serial: String,
    at: String,
    conditions: Vec<ConditionInput>,
    /// The device's supply levels (B1, S28). Absent: the report says nothing about supplies
    /// and the stored list stays; present (even empty): it replaces the stored list.
    #[serde(default)]
    supplies: Option<Vec<SupplyInput>>,
}

/// Validates and applies status reports (one object or an array; the body of
/// `POST /api/v1/ingest/status`).
pub async fn ingest_status(
    svc: &Services,
    tenant: &Tenant,
    body: &str,
    now_ms: i64,
) -> Result<StatusOutcome, IngestError> {
    let store = svc.store();
    // A key given twice is ambiguous (`"severity": "critical", "severity": "error"` must not
    // pass as "error"): refused before the body is read into values, which keep the last.
    if serde_json::from_str::<serde::de::IgnoredAny>(body).is_ok()
        && let Some(dup) = meterport_domain::json::find_duplicate_key(body)
    {
        return Err(IngestError::Invalid(vec![ItemError::new(
            dup.index,
            dup.path,
            ItemProblem::DuplicateKey,
        )]));
    }
    let values: Vec<serde_json::Value> = match serde_json::from_str::<serde_json::Value>(body) {
        Ok(serde_json::Value::Array(v)) => v,
        Ok(v @ serde_json::Value::Object(_)) => vec![v],
        Ok(_) => return Err(IngestError::Malformed(BodyError::NotObjectOrArray)),
        Err(e) => {
            return Err(IngestError::Malformed(BodyError::InvalidJson {
                detail: e.to_string(),
            }));
        }
    };
    let mut errors = Vec::new();
    let mut reports: Vec<Report> = Vec::new();
    for (index, v) in values.into_iter().enumerate() {
        let input: StatusInput = match serde_json::from_value(v) {
            Ok(i) => i,
            Err(e) => {
                let detail = e.to_string();
                errors.push(ItemError::new(
                    index,
                    "",
                    ItemProblem::InvalidShape { detail },
                ));
                continue;
            }
        };
        if !meterport_domain::device::is_valid_serial(input.serial.trim()) {
            errors.push(ItemError::new(index, "serial", ItemProblem::InvalidSerial));
            continue;
        }
        let at = match parse_instant(&input.at) {
            Ok(at) if at > now_ms + meterport_domain::ingest::MAX_FUTURE_MS => {
                errors.push(ItemError::new(index, "at", ItemProblem::in_future()));
                continue;
            }
            Ok(at) => at,
            Err(m) => {
                errors.push(ItemError::new(index, "at", m));
                continue;
            }
        };
        let mut conditions: Vec<Condition> = Vec::new();
        for (ci, c) in input.conditions.into_iter().enumerate() {
            match c.parse() {
                Ok(c) if conditions.iter().any(|x| x.code == c.code) => {
                    errors.push(ItemError::new(
                        index,
                        format!("conditions[{ci}].code"),
                        ItemProblem::GivenTwice,
                    ))
                }
                Ok(c) => conditions.push(c),
                Err(fe) => {
                    let prefix = format!("conditions[{ci}]");
                    errors.extend(
                        fe.into_iter()
                            .map(|f| ItemError::of_field(index, &prefix, f)),
                    )
                }
            }
        }
        let supplies = match input.supplies {
            None => None,
            Some(list) if list.len() > MAX_SUPPLIES => {
                errors.push(ItemError::new(
                    index,
                    "supplies",
                    ItemProblem::TooManySupplies { max: MAX_SUPPLIES },
                ));
                None
            }
            Some(list) => {
                let mut parsed = Vec::with_capacity(list.len());
                for (si, s) in list.into_iter().enumerate() {
                    match s.parse() {
                        Ok(s) => parsed.push(s),
                        Err(fe) => {
                            let prefix = format!("supplies[{si}]");
                            errors.extend(
                                fe.into_iter()
                                    .map(|f| ItemError::of_field(index, &prefix, f)),
                            )
                        }
                    }
                }
                Some(parsed)
            }
        };
        reports.push((input.serial, at, conditions, supplies));
    }
    let serials: Vec<&str> = reports.iter().map(|(s, _, _, _)| s.as_str()).collect();
    let owners = store.serial_owners_any_tenant(&serials).await?;
    let mut targets = Vec::new();
    for (index, (serial, at, conditions, supplies)) in reports.iter().enumerate() {
        match owners.get(serial) {
            Some(o) if o.tenant_id == tenant.id => {
                targets.push((o.device_id, *at, conditions, supplies))
            }
            _ => errors.push(ItemError::new(index, "serial", ItemProblem::UnknownSerial)),
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.index);
        return Err(IngestError::Invalid(errors));
    }
    let mut outcome = StatusOutcome::default();
    for (device_id, at, conditions, supplies) in targets {
        if store
            .apply_status(tenant.id, device_id, at, conditions, now_ms)
            .await?
        {
            if let Some(supplies) = supplies {
                store
                    .replace_supplies(tenant.id, device_id, at, supplies)
                    .await?;
            }
            outcome.applied += 1;
        } else {
            outcome.stale += 1;
        }
    }
    Ok(outcome)
}

/// A validated status report: serial, time, conditions, and supplies when it lists them.
type Report = (String, i64, Vec<Condition>, Option<Vec<Supply>>);

type Reply = oneshot::Sender<Result<Result<Stored, Vec<ItemError>>, StoreError>>;

struct Job {
    tenant_id: i64,
    tz: jiff::tz::TimeZone,
    readings: Vec<NewReading>,
    /// When the request arrived: its devices were heard from then.
    received_at: i64,
    reply: Reply,
}

/// The single writer of readings, with group commit. Cheap to clone.
#[derive(Clone, Debug)]
pub struct IngestWriter {
    tx: mpsc::Sender<Job>,
    /// KiB of request bodies admitted at once ([`ADMITTED_KIB`]).
    admission: std::sync::Arc<tokio::sync::Semaphore>,
    /// The writer task and the checkpoint task, stopped by [`IngestWriter::shutdown`].
    done: std::sync::Arc<tokio::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

/// Request bodies being validated and stored at once, in KiB: three bulk requests of
/// 10,000 readings; thousands of single readings.
const ADMITTED_KIB: u32 = 16 * 1024;

/// At most this many readings go into one group transaction.
const GROUP_READINGS: usize = 50_000;

impl IngestWriter {
    pub fn start(svc: &Services) -> IngestWriter {
        let store = svc.store().clone();
        let (tx, rx) = mpsc::channel(1024);
        let mut tasks = Vec::new();
        if store.backend() == meterport_store::Backend::Sqlite {
            tasks.push(tokio::spawn(run_checkpoints(store.clone())));
        }
        tasks.push(tokio::spawn(run_writer(store, rx)));
        IngestWriter {
            tx,
            admission: std::sync::Arc::new(tokio::sync::Semaphore::new(ADMITTED_KIB as usize)),
            done: std::sync::Arc::new(tokio::sync::Mutex::new(tasks)),
        }
    }

    /// Waits until a request body of `bytes` may be processed; the permit lasts as long as
    /// the returned value. A body larger than the whole budget waits for all of it.
    pub async fn admit(&self, bytes: usize) -> Option<tokio::sync::OwnedSemaphorePermit> {
        let kib = (bytes / 1024 + 1).min(ADMITTED_KIB as usize) as u32;
        self.admission.clone().acquire_many_owned(kib).await.ok()
    }

    /// Stores readings of one tenant that arrived at `received_at`; returns once they are
    /// committed.
    pub async fn submit(
        &self,
        tenant: &Tenant,
        readings: Vec<NewReading>,
        received_at: i64,
    ) -> Result<Stored, IngestError> {
        let (reply, rx) = oneshot::channel();
        let job = Job {
            tenant_id: tenant.id,
            tz: tenant.tz(),
            readings,
            received_at,
            reply,
        };
        let closed =
            || IngestError::Store(StoreError::Failed("the ingest writer has stopped".into()));
        self.tx.send(job).await.map_err(|_| closed())?;
        match rx.await.map_err(|_| closed())? {
            Ok(Ok(stored)) => Ok(stored),
            Ok(Err(conflicts)) => Err(IngestError::Invalid(conflicts)),
            Err(e) => Err(IngestError::Store(e)),
        }
    }

    /// Stops the writer. Call after the server has finished its requests: every submitted
    /// batch has been answered by then, so the writer is idle.
    pub async fn shutdown(&self) {
        for handle in self.done.lock().await.drain(..) {
            handle.abort();
            handle.await.ok();
        }
    }
}

/// SQLite: copies committed WAL frames into the database file every second, beside the
/// writer rather than inside its commits ([`Store::checkpoint`]).
async fn run_checkpoints(store: Store) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = store.checkpoint().await {
            tracing::warn!(error = %e, "checkpoint failed");
        }
    }
}

async fn run_writer(store: Store, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        let mut count = jobs[0].readings.len();
        while count < GROUP_READINGS {
            match rx.try_recv() {
                Ok(job) => {
                    count += job.readings.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        commit_group(&store, jobs).await;
    }
}

/// Stores a group of jobs in one transaction and answers each job after the commit.
async fn commit_group(store: &Store, jobs: Vec<Job>) {
    // The group's requests arrived within the moments it took to gather them: the devices
    // were heard from at the latest of their arrivals.
    let heard_at = jobs.iter().map(|j| j.received_at).max().unwrap_or_default();
    let (batches, replies): (Vec<_>, Vec<_>) = jobs
        .into_iter()
        .map(|j| ((j.tenant_id, j.tz, j.readings), j.reply))
        .unzip();
    let readings: usize = batches.iter().map(|(_, _, r)| r.len()).sum();
    let started = std::time::Instant::now();
    let result = store.store_batches(batches, heard_at).await;
    crate::telemetry::group_commit(readings, started.elapsed().as_secs_f64());
    match result {
        Ok(outcomes) => {
            for (reply, outcome) in replies.into_iter().zip(outcomes) {
                let _ = reply.send(outcome);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "group commit failed");
            let msg = e.to_string();
            for reply in replies {
                let _ = reply.send(Err(StoreError::Failed(msg.clone())));
            }
        }
    }
}
