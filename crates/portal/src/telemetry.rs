//! What the portal tells its operators while it runs: Prometheus metrics and the log.
//!
//! **Metrics.** The `metrics` facade records into one process-wide Prometheus recorder
//! ([`install`]); `GET /metrics` renders it (`service::monitoring::scrape`, behind the
//! operator token). The names are a contract with the operators' dashboards: change none.
//! Counters and histograms are recorded where things happen (the request middleware
//! [`http`], the ingest service and its writer, the mail sender); gauges that need the
//! database are read by the scrape itself, never per request.
//!
//! **Log.** One event per HTTP request (target `meterport::http`): the route's template
//! (never the raw path or query string, which may carry a mailed link's token), method,
//! status, latency in ms and the tenant when the request named one. No password, token,
//! cookie or e-mail address is ever a field or part of a message.

use std::cell::Cell;
use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const HTTP_REQUESTS: &str = "meterport_http_requests_total";
pub const HTTP_DURATION: &str = "meterport_http_request_duration_seconds";
pub const INGEST_READINGS: &str = "meterport_ingest_readings_total";
pub const INGEST_COMMIT_SIZE: &str = "meterport_ingest_commit_size";
pub const INGEST_COMMIT_DURATION: &str = "meterport_ingest_commit_duration_seconds";
pub const MAIL_OUTBOX_DEPTH: &str = "meterport_mail_outbox_depth";
pub const MAIL_FAILURES: &str = "meterport_mail_failures_total";
pub const DEVICES: &str = "meterport_devices";
pub const DEVICES_REPORTING: &str = "meterport_devices_reporting";
pub const DB_POOL_CONNECTIONS: &str = "meterport_db_pool_connections";
pub const DB_POOL_MAX: &str = "meterport_db_pool_max_connections";

/// Latency buckets in seconds: from a cached page (under a millisecond) to a 92-day export.
const SECONDS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Readings per group commit: one single reading up to the writer's 50,000.
const READINGS: &[f64] = &[
    1.0, 10.0, 100.0, 1_000.0, 5_000.0, 10_000.0, 20_000.0, 50_000.0,
];

/// The process's Prometheus recorder, installed on first use. Every app of the process
/// (the tests run many) records into it: a recorder is global to the `metrics` facade.
pub fn install() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets(SECONDS)
            .and_then(|b| {
                b.set_buckets_for_metric(Matcher::Full(INGEST_COMMIT_SIZE.into()), READINGS)
            })
            .expect("the bucket lists are not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed; /metrics stays empty");
        }
        describe();
        handle
    })
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        HTTP_REQUESTS,
        "HTTP requests answered, by route template, method and status."
    );
    describe_histogram!(
        HTTP_DURATION,
        metrics::Unit::Seconds,
        "Time to the response's head, by route template and method."
    );
    describe_counter!(
        INGEST_READINGS,
        "Readings received: accepted (stored), duplicate (exact repeats), refused (by reason, nothing of the request stored)."
    );
    describe_histogram!(
        INGEST_COMMIT_SIZE,
        "Readings per group commit of the ingest writer."
    );
    describe_histogram!(
        INGEST_COMMIT_DURATION,
        metrics::Unit::Seconds,
        "Duration of one group commit of the ingest writer."
    );
    describe_gauge!(
        MAIL_OUTBOX_DEPTH,
        "Mails waiting in the outbox (not sent, not given up)."
    );
    describe_counter!(MAIL_FAILURES, "Failed delivery attempts of outgoing mail.");
    describe_gauge!(DEVICES, "Devices per tenant by status.");
    describe_gauge!(
        DEVICES_REPORTING,
        "Devices per tenant by reporting state (reporting, late, never)."
    );
    describe_gauge!(
        DB_POOL_CONNECTIONS,
        "Database connections open, idle or in use."
    );
    describe_gauge!(
        DB_POOL_MAX,
        "The most database connections the pools may open."
    );
}

tokio::task_local! {
    /// The tenant a request acts for, once authentication or the path has named it.
    static REQUEST_TENANT: Cell<Option<i64>>;
}

/// Notes the tenant the current request acts for (its token's, its session's, or the one an
/// operator route names), for the request's log event. Outside a request it does nothing.
pub fn note_tenant(tenant_id: i64) {
    let _ = REQUEST_TENANT.try_with(|t| t.set(Some(tenant_id)));
}

/// The route label of a request: the router's template, or `unmatched` for a path no route
/// has (a raw path would give every scanner's guess a time series of its own).
fn route_of(req: &Request) -> String {
    req.extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string())
}

/// Middleware of every route: counts the request, times it to the response's head, and logs
/// one event for it.
pub async fn http(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = route_of(&req);
    let method = req.method().as_str().to_string();
    let (res, tenant) = REQUEST_TENANT
        .scope(Cell::new(None), async move {
            let res = next.run(req).await;
            (res, REQUEST_TENANT.with(Cell::get))
        })
        .await;
    let elapsed = started.elapsed();
    let status = res.status().as_u16();
    metrics::counter!(HTTP_REQUESTS, "route" => route.clone(), "method" => method.clone(), "status" => status.to_string())
        .increment(1);
    metrics::histogram!(HTTP_DURATION, "route" => route.clone(), "method" => method.clone())
        .record(elapsed.as_secs_f64());
    let latency_ms = (elapsed.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0;
    if status >= 500 {
        tracing::warn!(target: "meterport::http", route, method, status, latency_ms, tenant.id = tenant, "request failed");
    } else {
        tracing::info!(target: "meterport::http", route, method, status, latency_ms, tenant.id = tenant, "request");
    }
    res
}

/// Readings of an ingest request that were stored and that repeated stored ones.
pub fn readings_stored(accepted: u64, duplicates: u64) {
    metrics::counter!(INGEST_READINGS, "outcome" => "accepted", "reason" => "").increment(accepted);
    metrics::counter!(INGEST_READINGS, "outcome" => "duplicate", "reason" => "")
        .increment(duplicates);
}

/// Readings refused for `reason` (a problem's code, or `malformed` for a body that is no
/// JSON object or array).
pub fn readings_refused(reason: &'static str, count: u64) {
    metrics::counter!(INGEST_READINGS, "outcome" => "refused", "reason" => reason).increment(count);
}

/// One group commit of the ingest writer: its readings and how long it took.
pub fn group_commit(readings: usize, seconds: f64) {
    metrics::histogram!(INGEST_COMMIT_SIZE).record(readings as f64);
    metrics::histogram!(INGEST_COMMIT_DURATION).record(seconds);
}

/// A failed attempt to deliver a mail.
pub fn mail_failed() {
    metrics::counter!(MAIL_FAILURES).increment(1);
}

/// How the log is written: `text` for a person at a terminal, `json` (one object per line)
/// for a collector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    /// `text` when standard error is a terminal, `json` otherwise.
    pub fn for_stderr() -> LogFormat {
        use std::io::IsTerminal;
        if std::io::stderr().is_terminal() {
            LogFormat::Text
        } else {
            LogFormat::Json
        }
    }
}

/// Logs to standard error in `format`, at `RUST_LOG`'s levels or info.
pub fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        // Fields at the top level of each object, the span list left out: a collector
        // indexes `route`, `status` and `tenant.id` without unwrapping anything.
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .with_span_list(false)
            .init(),
    }
}
