//! meterport's SNMP site collector (SPEC I3, issue 12): `meterport collect`.
//!
//! Runs at a customer's site, asks every configured printer over SNMP for its serial,
//! counters, error state, alerts and supplies, and delivers readings and status reports to
//! the portal's ingest API. Nothing read is lost: every request body is written to an on-disk
//! spool (fsynced) before it is sent and removed only once the portal took it.
//!
//! A tour, in the order a poll runs:
//! - [`config`]: the TOML file, refused with the line and key at fault.
//! - [`target`]: hosts, `host:port`, and IPv4 ranges swept in parallel.
//! - [`snmp`]: the thin SNMP layer (async-snmp): a [`device::Snapshot`] of OIDs and values.
//! - [`vendors`]: the per-vendor counter tables, as data, each mapping with its sources.
//! - [`device`]: what a snapshot means: serial, counters, conditions, supplies.
//! - [`wraps`]: 32-bit counters that wrap keep counting.
//! - [`spool`] and [`deliver`]: the durable queue and its delivery, in order.
//!
//! It shares the domain's counter keys and severities (`meterport-domain`) and never touches
//! the database: the portal's HTTP ingest is its only way in.

pub mod agents;
pub mod config;
pub mod deliver;
pub mod device;
pub mod snmp;
pub mod spool;
pub mod target;
pub mod vendors;
pub mod wraps;

use std::collections::HashSet;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::json;

use crate::config::{Config, Credentials};
use crate::device::DeviceData;
use crate::snmp::{Patience, PollError};
use crate::spool::{Kind, Spool};
use crate::wraps::Wraps;

/// Exit codes of `meterport collect --once` (documented in the README and the manual).
pub mod exit {
    /// Everything polled was delivered.
    pub const OK: u8 = 0;
    /// The configuration or the spool directory is unusable.
    pub const FAILURE: u8 = 1;
    /// The portal could not be reached (or would not take the token): all is in the spool.
    pub const UNREACHABLE: u8 = 3;
    /// The portal refused some items (each named on standard error); the rest was delivered.
    pub const REFUSED: u8 = 4;
    /// A host target (not a swept range) did not answer; the rest was delivered.
    pub const HOST_SILENT: u8 = 5;
}

#[derive(Debug, Clone)]
pub struct Options {
    pub config: PathBuf,
    pub once: bool,
    pub dry_run: bool,
}

/// One device's answer in a poll.
#[derive(Debug, Clone)]
pub struct Answer {
    pub addr: SocketAddr,
    pub at_ms: i64,
    pub data: DeviceData,
}

/// What a poll of every target found.
#[derive(Debug, Default)]
pub struct PollReport {
    pub answers: Vec<Answer>,
    /// Host targets that did not answer (or failed), with why.
    pub silent_hosts: Vec<(String, String)>,
    /// Addresses that answered without any serial.
    pub without_serial: Vec<SocketAddr>,
    /// Addresses of swept ranges that did not answer.
    pub swept_silent: usize,
}

/// Runs `work` on each item, at most `limit` at once (at least one), and yields the results
/// as they finish. The one place a poll's parallelism is bounded: a swept /16 is 65,534
/// addresses, and only `limit` requests of them are ever in flight.
pub fn bounded<I, F, Fut>(
    items: I,
    limit: usize,
    work: F,
) -> impl futures_util::Stream<Item = Fut::Output>
where
    I: IntoIterator,
    F: FnMut(I::Item) -> Fut,
    Fut: std::future::Future,
{
    futures_util::stream::iter(items)
        .map(work)
        .buffer_unordered(limit.max(1))
}

/// Polls every target, at most `concurrency` addresses at once: a device that answers slowly
/// or not at all holds one slot for its timeout, never the others.
pub async fn poll_all(config: &Config) -> PollReport {
    let patience = Patience {
        timeout: config.timeout,
        retries: config.retries,
    };
    let mut report = PollReport::default();
    let mut jobs: Vec<(SocketAddr, &Credentials, bool)> = Vec::new();
    for t in &config.targets {
        match t.address.resolve() {
            Ok(addrs) => {
                jobs.extend(
                    addrs
                        .into_iter()
                        .map(|a| (a, &t.credentials, t.address.is_sweep())),
                );
            }
            Err(e) => report.silent_hosts.push((t.address.to_string(), e)),
        }
    }
    let mut results = bounded(
        jobs,
        config.concurrency,
        |(addr, credentials, sweep)| async move {
            let result = snmp::poll(addr, credentials, patience).await;
            (addr, sweep, result, jiff::Timestamp::now().as_millisecond())
        },
    );
    let mut serials: HashSet<String> = HashSet::new();
    while let Some((addr, sweep, result, at_ms)) = results.next().await {
        match result {
            Ok(snapshot) => match device::interpret(&snapshot) {
                Some(data) => {
                    // One device reached at two addresses (two interfaces, or a host also
                    // inside a swept range) is polled once per poll.
                    if serials.insert(data.serial.clone()) {
                        report.answers.push(Answer { addr, at_ms, data });
                    }
                }
                None => {
                    tracing::warn!(%addr, "the device answered without any serial number: skipped");
                    report.without_serial.push(addr);
                }
            },
            Err(PollError::NoAnswer) if sweep => report.swept_silent += 1,
            Err(PollError::Failed(e)) if sweep => {
                tracing::debug!(%addr, "swept address answered but failed: {e}");
                report.swept_silent += 1;
            }
            Err(e) => {
                tracing::warn!(%addr, "the printer did not answer: {e}");
                report.silent_hosts.push((addr.to_string(), e.to_string()));
            }
        }
    }
    // Delivery order follows the addresses, not the order of the answers.
    report.answers.sort_by_key(|a| a.addr);
    report
}

fn rfc3339(ms: i64) -> String {
    let ts = jiff::Timestamp::from_millisecond(ms - ms.rem_euclid(1000)).expect("in range");
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A reading as the ingest API takes it (SPEC §7).
#[derive(Debug, serde::Serialize)]
pub struct ReadingOut<'a> {
    pub serial: &'a str,
    pub read_at: String,
    /// By key name, in the keys' order; values already past the wrap state.
    #[serde(serialize_with = "counters_as_object")]
    pub counters: Vec<(&'static str, u64)>,
}

/// A status report as the ingest API takes it.
#[derive(Debug, serde::Serialize)]
pub struct StatusOut<'a> {
    pub serial: &'a str,
    pub at: String,
    pub conditions: &'a [device::ConditionOut],
    pub supplies: &'a [device::SupplyOut],
}

// Counters are written as a JSON object, in key order, without a map in between.
fn counters_as_object<S: serde::Serializer>(
    counters: &[(&'static str, u64)],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(counters.len()))?;
    for (k, v) in counters {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

/// The request items of a poll: readings (devices that gave at least one counter) and
/// status reports (every device). Counter values pass through the wrap state. Typed, not
/// `serde_json::Value`: a thousand devices' bodies stay a few hundred kilobytes.
pub fn bodies<'a>(
    report: &'a PollReport,
    wraps: &mut Wraps,
) -> (Vec<ReadingOut<'a>>, Vec<StatusOut<'a>>) {
    let mut readings = Vec::new();
    let mut statuses = Vec::new();
    for a in &report.answers {
        let at = rfc3339(a.at_ms);
        let counters: Vec<(&'static str, u64)> = a
            .data
            .counters
            .iter()
            .map(|(key, raw)| (key.name(), wraps.apply(&a.data.serial, *key, *raw)))
            .collect();
        if !counters.is_empty() {
            readings.push(ReadingOut {
                serial: &a.data.serial,
                read_at: at.clone(),
                counters,
            });
        }
        statuses.push(StatusOut {
            serial: &a.data.serial,
            at,
            conditions: &a.data.conditions,
            supplies: &a.data.supplies,
        });
    }
    (readings, statuses)
}

/// Devices per spool file (and so per ingest request).
const SPOOL_ITEM: usize = 5_000;

/// The outcome of one poll and delivery, for the exit code and the log.
#[derive(Debug, Default)]
struct Round {
    unreachable: Option<String>,
    refused: usize,
    silent_hosts: usize,
}

impl Round {
    fn exit_code(&self) -> u8 {
        if self.unreachable.is_some() {
            exit::UNREACHABLE
        } else if self.refused > 0 {
            exit::REFUSED
        } else if self.silent_hosts > 0 {
            exit::HOST_SILENT
        } else {
            exit::OK
        }
    }
}

/// `meterport collect`: returns the process exit code.
pub async fn run(options: Options) -> u8 {
    let config = match Config::load(&options.config) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::FAILURE;
        }
    };
    let des = config.targets.iter().any(|t| {
        matches!(
            t.credentials,
            Credentials::Usm {
                privacy: Some((config::PrivProtocol::Des, _)),
                ..
            }
        )
    });
    if des && let Err(e) = snmp::prepare_des(&config.spool_dir) {
        eprintln!("error: {e}");
        return exit::FAILURE;
    }
    if options.dry_run {
        return dry_run(&config).await;
    }
    let mut spool = match Spool::open(&config.spool_dir) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: spool_dir {}: {e}", config.spool_dir.display());
            return exit::FAILURE;
        }
    };
    let portal = deliver::Portal::new(&config.portal_url, &config.ingest_token);
    if options.once {
        return match poll_and_deliver(&config, &mut spool, &portal).await {
            Ok(round) => round.exit_code(),
            Err(e) => {
                eprintln!("error: spool_dir {}: {e}", config.spool_dir.display());
                exit::FAILURE
            }
        };
    }
    run_loop(&config, &mut spool, &portal).await
}

async fn run_loop(config: &Config, spool: &mut Spool, portal: &deliver::Portal) -> u8 {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut term) = signal(SignalKind::terminate()) else {
        eprintln!("error: cannot listen for SIGTERM");
        return exit::FAILURE;
    };
    tracing::info!(
        targets = config.targets.len(),
        "collecting every {} minutes",
        config.interval.as_secs() / 60
    );
    loop {
        let next_poll = Instant::now() + config.interval;
        tokio::select! {
            r = poll_and_deliver(config, spool, portal) => {
                if let Err(e) = r {
                    tracing::error!("spool_dir {}: {e}", config.spool_dir.display());
                }
            }
            _ = term.recv() => break,
            _ = tokio::signal::ctrl_c() => break,
        }
        // Until the next poll, what the portal could not take is offered again every
        // minute: an outage ends with the backlog delivered, not with the next poll.
        loop {
            let now = Instant::now();
            if now >= next_poll {
                break;
            }
            let wait = (next_poll - now).min(Duration::from_secs(60));
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = term.recv() => return stopped(),
                _ = tokio::signal::ctrl_c() => return stopped(),
            }
            if spool.pending().map(|p| !p.is_empty()).unwrap_or(false) {
                tokio::select! {
                    r = portal.deliver(spool) => log_delivery(r),
                    _ = term.recv() => return stopped(),
                }
            }
        }
    }
    stopped()
}

fn stopped() -> u8 {
    // Whatever was in flight is still in the spool: an answer that never came is sent
    // again next time, and a repeat is a duplicate to the portal.
    tracing::info!("stopped; undelivered items stay in the spool");
    exit::OK
}

fn log_delivery(r: std::io::Result<deliver::Delivery>) {
    match r {
        Ok(d) => {
            report_refusals(&d);
            if d.readings + d.statuses > 0 {
                tracing::info!(
                    readings = d.readings,
                    statuses = d.statuses,
                    "delivered from the spool"
                );
            }
            if let Some(why) = d.stopped {
                tracing::warn!("{why}; kept in the spool");
            }
        }
        Err(e) => tracing::error!("spool: {e}"),
    }
}

fn report_refusals(d: &deliver::Delivery) {
    for r in &d.refused {
        // Standard error names each refused item, as the site engineer's first clue.
        eprintln!(
            "refused by the portal ({}): serial {}: {}",
            r.kind.as_str(),
            r.serial,
            r.reason
        );
    }
}

async fn poll_and_deliver(
    config: &Config,
    spool: &mut Spool,
    portal: &deliver::Portal,
) -> std::io::Result<Round> {
    let started = Instant::now();
    let report = poll_all(config).await;
    let wraps_path = spool.dir().join("wraps.json");
    let mut wraps = Wraps::load(&wraps_path);
    let (readings, statuses) = bodies(&report, &mut wraps);
    // Queued before anything is sent, and in this order: readings, then status; in
    // requests of at most SPOOL_ITEM devices, well below the ingest API's 50,000 readings.
    for chunk in readings.chunks(SPOOL_ITEM) {
        spool.push(Kind::Readings, &serde_json::to_vec(chunk)?)?;
    }
    for chunk in statuses.chunks(SPOOL_ITEM) {
        spool.push(Kind::Status, &serde_json::to_vec(chunk)?)?;
    }
    wraps.save(&wraps_path)?;
    let polled = started.elapsed();
    let delivery = portal.deliver(spool).await?;
    report_refusals(&delivery);
    let left = spool.pending()?.len();
    for (host, why) in &report.silent_hosts {
        eprintln!("no answer from {host}: {why}");
    }
    tracing::info!(
        answered = report.answers.len(),
        readings = readings.len(),
        delivered = delivery.readings,
        refused = delivery.refused.len(),
        spooled = left,
        silent_hosts = report.silent_hosts.len(),
        swept_silent = report.swept_silent,
        without_serial = report.without_serial.len(),
        poll_ms = polled.as_millis() as u64,
        "poll: {} devices answered, {} readings delivered, {} spool files waiting, {} hosts did not answer",
        report.answers.len(),
        delivery.readings,
        left,
        report.silent_hosts.len(),
    );
    if let Some(why) = &delivery.stopped {
        tracing::warn!("{why}; kept in the spool");
    }
    Ok(Round {
        unreachable: delivery.stopped,
        refused: delivery.refused.len(),
        silent_hosts: report.silent_hosts.len(),
    })
}

/// `--dry-run`: poll, print each request body item as one JSON line, send and spool nothing.
async fn dry_run(config: &Config) -> u8 {
    let report = poll_all(config).await;
    // The wrap state is read, not written: a dry run changes nothing on disk.
    let mut wraps = Wraps::load(&config.spool_dir.join("wraps.json"));
    let (readings, statuses) = bodies(&report, &mut wraps);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let lines = readings
        .iter()
        .map(|r| json!({"endpoint": Kind::Readings.path(), "body": r}))
        .chain(
            statuses
                .iter()
                .map(|s| json!({"endpoint": Kind::Status.path(), "body": s})),
        );
    for line in lines {
        if writeln!(out, "{line}").is_err() {
            return exit::FAILURE;
        }
    }
    for (host, why) in &report.silent_hosts {
        eprintln!("no answer from {host}: {why}");
    }
    for addr in &report.without_serial {
        eprintln!("{addr} answered without a serial number: skipped");
    }
    if report.silent_hosts.is_empty() {
        exit::OK
    } else {
        exit::HOST_SILENT
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use futures_util::StreamExt;

    use super::bounded;

    #[tokio::test]
    async fn no_more_than_the_limit_is_ever_in_flight_and_the_limit_is_used() {
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let done: Vec<u32> = bounded(0..40u32, 5, |i| {
            let (in_flight, peak) = (in_flight.clone(), peak.clone());
            async move {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(25)).await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                i
            }
        })
        .collect()
        .await;
        assert_eq!(done.len(), 40);
        assert_eq!(
            peak.load(Ordering::SeqCst),
            5,
            "the bound is reached, never passed"
        );
    }

    #[tokio::test]
    async fn a_limit_of_zero_still_runs_one_at_a_time() {
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let n = bounded(0..6, 0, |_| {
            let (in_flight, peak) = (in_flight.clone(), peak.clone());
            async move {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::task::yield_now().await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
            }
        })
        .count()
        .await;
        assert_eq!((n, peak.load(Ordering::SeqCst)), (6, 1));
    }
}
