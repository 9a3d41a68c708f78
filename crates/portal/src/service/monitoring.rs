//! What a Prometheus scrape of `/metrics` answers (SPEC B3): the metrics recorded as things
//! happen ([`crate::telemetry`]), plus the gauges read at scrape time: devices per tenant by
//! status and by reporting state (one store query, kept [`DEVICE_COUNTS_FOR`] so that
//! several scrapers or a dashboard's refreshes cost one query), the mail outbox's depth, the
//! database pools' use, and the process's own metrics (CPU, memory, open files).

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use meterport_domain::status::Status;
use meterport_store::monitoring::DeviceCount;

use crate::service::ServiceError;
use crate::service::Services;
use crate::telemetry;

/// How long the device counts of one scrape serve the next ones.
pub const DEVICE_COUNTS_FOR: Duration = Duration::from_secs(5);

const REPORTING_STATES: [&str; 3] = ["reporting", "late", "never"];

/// What the scrapes keep between them. Cheap to share (one per app).
#[derive(Debug, Default)]
pub struct Monitor {
    inner: Mutex<Kept>,
}

#[derive(Debug, Default)]
struct Kept {
    /// When the device counts were last read.
    read_at: Option<Instant>,
    /// The tenants whose gauges were last set: one that has no device any more (or is
    /// gone) is set to zero rather than left at its last count.
    tenants: BTreeSet<i64>,
    process: Option<metrics_process::Collector>,
}

/// Updates the gauges and renders every metric in the Prometheus text format.
pub async fn scrape(
    svc: &Services,
    monitor: &Monitor,
    now_ms: i64,
) -> Result<String, ServiceError> {
    let store = svc.store();
    let handle = telemetry::install();
    let due = {
        let kept = monitor.inner.lock().expect("monitor lock");
        kept.read_at
            .is_none_or(|at| at.elapsed() >= DEVICE_COUNTS_FOR)
    };
    if due {
        let counts = store.device_counts_all_tenants(now_ms).await?;
        let depth = store.outbox_counts().await?.pending;
        metrics::gauge!(telemetry::MAIL_OUTBOX_DEPTH).set(depth as f64);
        let mut kept = monitor.inner.lock().expect("monitor lock");
        let tenants = set_device_gauges(&counts, &kept.tenants);
        kept.tenants = tenants;
        kept.read_at = Some(Instant::now());
    }
    let pools = store.pool_use();
    metrics::gauge!(telemetry::DB_POOL_CONNECTIONS, "state" => "idle").set(pools.idle as f64);
    metrics::gauge!(telemetry::DB_POOL_CONNECTIONS, "state" => "in_use").set(pools.in_use as f64);
    metrics::gauge!(telemetry::DB_POOL_MAX).set(pools.max as f64);
    {
        let mut kept = monitor.inner.lock().expect("monitor lock");
        let process = kept.process.get_or_insert_with(|| {
            let c = metrics_process::Collector::default();
            c.describe();
            c
        });
        process.collect();
    }
    handle.run_upkeep();
    Ok(handle.render())
}

/// Sets `meterport_devices` and `meterport_devices_reporting` for every tenant of `counts`
/// (every status and state, zero where none), and zero for the tenants of `before` that no
/// longer appear. Returns the tenants set.
fn set_device_gauges(counts: &[DeviceCount], before: &BTreeSet<i64>) -> BTreeSet<i64> {
    let tenants: BTreeSet<i64> = counts.iter().map(|c| c.tenant_id).collect();
    for &tenant in tenants.union(before) {
        let label = tenant.to_string();
        let mine = || counts.iter().filter(move |c| c.tenant_id == tenant);
        for status in Status::ALL {
            let n: i64 = mine()
                .filter(|c| c.status == status.as_str())
                .map(|c| c.count)
                .sum();
            metrics::gauge!(telemetry::DEVICES, "tenant" => label.clone(), "status" => status.as_str())
                .set(n as f64);
        }
        for state in REPORTING_STATES {
            let n: i64 = mine()
                .filter(|c| c.reporting == state)
                .map(|c| c.count)
                .sum();
            metrics::gauge!(telemetry::DEVICES_REPORTING, "tenant" => label.clone(), "state" => state)
                .set(n as f64);
        }
    }
    tenants
}
