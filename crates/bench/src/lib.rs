//! The benchmark (SPEC Q3): ingest and query performance at the scale of a large customer.
//!
//! `meterport bench --database sqlite:/tmp/bench.db` starts `meterport serve` (the running
//! binary) as a process of its own over that database, builds a deterministic synthetic tenant (by
//! default 10,000 devices over three years: about 11 million readings of 20 counters, with
//! gaps and resets), sends it to the server's ingest API in requests of 10,000 readings in
//! time order, and measures:
//! - the counters API (`GET /api/v1/counters` and `.csv`): median and p95 over `--runs`
//!   runs after one warm-up, the client reading the whole body; for the 12-month table also
//!   the service alone, without HTTP;
//! - single-reading ingest requests per second from 64 concurrent clients, each request
//!   awaited (a 200 means durable);
//! - the web pages for the same data, logged in through the login form;
//! - peak memory of the server process (and of the benchmark's own), the database's size.
//!
//! It prints a Markdown table. The generator is cheap next to ingest (its time is reported),
//! so the ingest figure measures the portal, not the data's making.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::StreamExt;
use jiff::civil::{Date, Weekday};
use jiff::{Span, Timestamp};
use meterport_domain::device::{DeviceType, LfpUnit, NewDevice, Protocol};
use meterport_domain::period::{PeriodRange, Unit, day_of_ms};
use meterport_store::counters::GroupFilter;
use meterport_store::tenants::Tenant;
use meterport_store::tokens::TokenKind;
use meterport_store::{Backend, Store};

use meterport_portal::service::Services;
use meterport_portal::service::counters::{CounterQuery, Prepared};
use meterport_sim::{Mix, Profile, Rng, SimDay, SimDevice};

#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// `sqlite:PATH` (a file that does not exist yet) or `postgres://...` (an existing,
    /// empty database).
    #[arg(long, env = "METERPORT_BENCH_DATABASE")]
    pub database: String,
    /// Devices of the synthetic tenant.
    #[arg(long, default_value_t = 10_000)]
    pub devices: usize,
    /// Years of readings, up to today.
    #[arg(long, default_value_t = 3)]
    pub years: u32,
    /// Timed runs of each query, after one warm-up.
    #[arg(long, default_value_t = 11)]
    pub runs: usize,
    /// Reuse the tenant of an earlier run on the same database instead of ingesting.
    #[arg(long)]
    pub skip_ingest: bool,
    /// Seconds of the single-reading ingest phase.
    #[arg(long, default_value_t = 10)]
    pub ingest_seconds: u64,
    /// Concurrent clients of the single-reading ingest phase.
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
    /// Concurrent bulk-ingest streams, each for its own share of the devices (so that each
    /// device's readings still arrive in time order).
    #[arg(long, default_value_t = 2)]
    pub streams: usize,
    /// The `meterport` binary to start as the server (default: the running one).
    #[arg(long)]
    pub server_binary: Option<PathBuf>,
}

/// The synthetic tenant's name.
const TENANT_NAME: &str = "Benchmark Co.";
const TIMEZONE: &str = "Asia/Tokyo";
/// Readings per bulk request.
const BATCH: usize = 10_000;

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.devices > 0, "--devices must be at least 1");
    anyhow::ensure!(args.years > 0, "--years must be at least 1");
    anyhow::ensure!(args.runs > 0, "--runs must be at least 1");
    let sqlite_path = sqlite_path(&args.database);
    if let Some(path) = &sqlite_path
        && path.exists()
        && !args.skip_ingest
    {
        bail!(
            "{} exists; the benchmark makes its own database: remove it, or pass --skip-ingest \
             to reuse the tenant of an earlier run",
            path.display()
        );
    }
    let store = Store::open(&args.database).await?;
    let backend = store.backend();
    let now_ms = Timestamp::now().as_millisecond();
    let plan = Arc::new(Plan::new(args.devices, args.years, now_ms));
    let mut report = Report {
        load: (load_average(), String::new()),
        ..Report::default()
    };

    // The portal under test: `meterport serve` in a process of its own, so that its memory
    // is measured apart from the generator and the clients.
    let binary = match &args.server_binary {
        Some(path) => path.clone(),
        None => std::env::current_exe()?,
    };
    let server = ServerProcess::start(&binary, &args.database).await?;
    let base = server.base.clone();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.clients.max(8))
        .build()?;

    let (tenant, sims) = if args.skip_ingest {
        let tenant = store
            .list_tenants_all()
            .await?
            .into_iter()
            .find(|t| t.name == TENANT_NAME)
            .context("--skip-ingest: no benchmark tenant in this database")?;
        // The devices' counters as the ingested data left them, so that new readings
        // continue them instead of looking like resets.
        let sims = simulate_only(&plan);
        (tenant, sims)
    } else {
        anyhow::ensure!(
            store.list_tenants_all().await?.is_empty(),
            "the database is not empty: the benchmark needs a database of its own"
        );
        let tenant = store
            .create_tenant(TENANT_NAME, TIMEZONE, None, now_ms)
            .await?;
        let t = Instant::now();
        create_devices(&store, &tenant, &plan, now_ms).await?;
        report.device_setup = Some(t.elapsed());
        let ingest_token = store
            .issue_token(tenant.id, TokenKind::Ingest, None, now_ms)
            .await?
            .1;
        let url = format!("{base}/api/v1/ingest/readings");
        let (sims, bulk) = bulk_ingest(&client, &url, &ingest_token, &plan, args.streams).await?;
        report.bulk = Some(bulk);
        report.peak_after_bulk_kb = server.status_kb("VmHWM");
        (tenant, sims)
    };
    let devices = store.list_devices(tenant.id, GroupFilter::All).await?;
    let by_serial: HashMap<&str, i64> = devices.iter().map(|d| (d.serial.as_str(), d.id)).collect();
    anyhow::ensure!(
        by_serial.len() == plan.devices.len(),
        "the tenant has {} devices, the plan {}: use the same --devices as the run that ingested",
        by_serial.len(),
        plan.devices.len()
    );

    let read_token = store
        .issue_token(tenant.id, TokenKind::Read, None, now_ms)
        .await?
        .1;
    let ingest_token = store
        .issue_token(tenant.id, TokenKind::Ingest, None, now_ms)
        .await?
        .1;

    let mid_mfp = plan
        .devices
        .iter()
        .skip(plan.devices.len() / 2)
        .chain(plan.devices.iter())
        .find(|d| d.lfp_unit.is_none())
        .map(|d| by_serial[d.serial.as_str()])
        .context("the plan has an MFP")?;
    let q = Queries::new(plan.today);
    let queries: Vec<(String, String)> = vec![
        (
            format!(
                "Monthly usage, 12 months ({} to {}), all devices",
                q.month_from, q.month_to
            ),
            format!(
                "/api/v1/counters?unit=month&from={}&to={}&kind=usage",
                q.month_from, q.month_to
            ),
        ),
        (
            format!(
                "Daily usage, {} days ({} to {}), all devices",
                q.days, q.day_from, q.day_to
            ),
            format!(
                "/api/v1/counters?unit=day&from={}&to={}&kind=usage",
                q.day_from, q.day_to
            ),
        ),
        (
            format!("One month's detail (period={}), all devices", q.detail),
            format!("/api/v1/counters?period={}&kind=usage", q.detail),
        ),
        (
            "One device over 12 months (device=)".into(),
            format!(
                "/api/v1/counters?unit=month&from={}&to={}&kind=usage&device={mid_mfp}",
                q.month_from, q.month_to
            ),
        ),
        (
            "CSV, monthly usage over 12 months, all devices".into(),
            format!(
                "/api/v1/counters.csv?unit=month&from={}&to={}&kind=usage",
                q.month_from, q.month_to
            ),
        ),
        (
            "Monthly usage, 12 months, all devices, Total 1 only (keys=total1)".into(),
            format!(
                "/api/v1/counters?unit=month&from={}&to={}&kind=usage&keys=total1",
                q.month_from, q.month_to
            ),
        ),
    ];
    for (label, path) in &queries {
        let url = format!("{base}{path}");
        let timing = time_http(&client, &url, Some(&read_token), args.runs).await?;
        tracing::info!(query = %label, ?timing, "query timed");
        report.queries.push((label.clone(), timing));
    }
    let device_list_api = time_http(
        &client,
        &format!("{base}/api/v1/devices"),
        Some(&read_token),
        args.runs,
    )
    .await?;

    // The same data as web pages, for a logged-in user.
    let web = logged_in_client(&base, &store, &tenant, now_ms).await?;
    let conditions = format!(
        "unit=month&from={}&to={}&kind=usage&group=all&class=mfp",
        q.month_from, q.month_to
    );
    let pages: Vec<(String, String, Option<&Timing>)> = vec![
        (
            "Device list (all devices)".into(),
            "/devices".into(),
            Some(&device_list_api),
        ),
        (
            "Counter information, monthly usage, 12 months, all devices".into(),
            format!("/counters?{conditions}"),
            report.queries.first().map(|(_, t)| t),
        ),
        (
            "… its CSV export".into(),
            format!("/counters/export?{conditions}"),
            report.queries.get(4).map(|(_, t)| t),
        ),
        (
            format!(
                "Counter information, daily usage, {} days, all devices",
                q.days
            ),
            format!(
                "/counters?unit=day&from={}&to={}&kind=usage&group=all&class=mfp",
                q.day_from, q.day_to
            ),
            report.queries.get(1).map(|(_, t)| t),
        ),
        (
            "Device detail over 12 months".into(),
            format!("/counters/device/{mid_mfp}?{conditions}"),
            report.queries.get(3).map(|(_, t)| t),
        ),
        (
            format!("Month detail ({}), all devices", q.detail),
            format!("/counters/period/{}?{conditions}", q.detail),
            report.queries.get(2).map(|(_, t)| t),
        ),
    ];
    let mut page_timings = Vec::new();
    for (label, path, api) in pages {
        let timing = time_http(&web, &format!("{base}{path}"), None, args.runs).await?;
        tracing::info!(page = %label, ?timing, "page timed");
        page_timings.push((label, timing, api.cloned()));
    }
    report.pages = page_timings;
    // The first four queries again inside this process, without HTTP and JSON: what the
    // service computes, apart from writing and transferring the answer.
    let mid = mid_mfp.to_string();
    let service_queries: [Vec<(&str, &str)>; 4] = [
        vec![
            ("unit", "month"),
            ("from", &q.month_from),
            ("to", &q.month_to),
            ("kind", "usage"),
        ],
        vec![
            ("unit", "day"),
            ("from", &q.day_from),
            ("to", &q.day_to),
            ("kind", "usage"),
        ],
        vec![("period", &q.detail), ("kind", "usage")],
        vec![
            ("unit", "month"),
            ("from", &q.month_from),
            ("to", &q.month_to),
            ("kind", "usage"),
            ("device", &mid),
        ],
    ];
    let services = Services::new(store.clone());
    for params in &service_queries {
        let service = time_service(&services, &tenant, params, args.runs).await?;
        report.service.push(service);
    }
    report.rss_after_queries_kb = server.status_kb("VmRSS");

    let (single, fleet) = single_ingest(
        &client,
        &format!("{base}/api/v1/ingest/readings"),
        &ingest_token,
        &plan,
        Fleet::new(sims, plan.now_ms),
        args.clients,
        Duration::from_secs(args.ingest_seconds),
    )
    .await?;
    report.single = Some(single);
    report.mail = Some(
        smtp_ingest(
            server.smtp,
            &ingest_token,
            &plan,
            fleet,
            Duration::from_secs(args.ingest_seconds),
        )
        .await?,
    );
    report.burst = Some(
        status_burst(
            &client,
            &base,
            &store,
            &tenant,
            &plan,
            &ingest_token,
            args.clients,
        )
        .await?,
    );
    report.peak_kb = server.status_kb("VmHWM");
    report.bench_peak_kb = proc_status_kb("VmHWM");
    report.load.1 = load_average();
    server.stop()?;
    store.close().await;
    report.database_bytes = database_size(&args.database, backend, sqlite_path.as_ref()).ok();

    println!("{}", report.markdown(&args, backend, &plan));
    Ok(())
}

// ---- The plan: which device reports when --------------------------------------------------

/// One device of the synthetic tenant.
#[derive(Debug, Clone)]
struct DevicePlan {
    serial: String,
    lfp_unit: Option<LfpUnit>,
    /// Days (indexes into the plan's days) the device was off: no readings, no pages.
    gap: Option<(usize, usize)>,
    /// The day its counters were reset (main board replaced).
    reset_day: Option<usize>,
    /// Pages (LFPs: thousandths of the unit) per reading on a working day.
    volume: u64,
    seed: u64,
}

#[derive(Debug, Clone)]
struct DayPlan {
    day: SimDay,
    holiday: bool,
    /// The network was down: devices printed, no reading arrived.
    outage: bool,
}

#[derive(Debug)]
struct Plan {
    devices: Vec<DevicePlan>,
    days: Vec<DayPlan>,
    /// Every reading slot of a day, `(second of the day, device index)`, in time order.
    schedule: Vec<(u32, u32)>,
    today: Date,
    now_ms: i64,
}

const LFP_UNITS: [LfpUnit; 4] = [LfpUnit::A4, LfpUnit::M2, LfpUnit::Sqft, LfpUnit::Letter];

impl Plan {
    fn new(devices: usize, years: u32, now_ms: i64) -> Plan {
        let tz = jiff::tz::TimeZone::get(TIMEZONE).expect("bundled zone");
        let today = day_of_ms(now_ms, &tz);
        let first = today
            .checked_sub(Span::new().years(years))
            .expect("date in range");
        let mut rng = Rng::new(0xBE4C_0000 + devices as u64);
        let mut days = Vec::new();
        let mut d = first;
        while d <= today {
            days.push(DayPlan {
                day: SimDay::new(d, &tz),
                holiday: matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday),
                // About three network outages a year.
                outage: rng.below(120) == 0,
            });
            d = d.tomorrow().expect("date in range");
        }
        let n_days = days.len();
        let mut plans = Vec::with_capacity(devices);
        let mut schedule = Vec::new();
        for i in 0..devices {
            let is_lfp = i % 20 == 19;
            // One device in five was off for one to five weeks once; one in a hundred had
            // its counters reset.
            let gap = (rng.below(5) == 0).then(|| {
                let len = rng.range(7, 36) as usize;
                let start = rng.below(n_days.saturating_sub(len).max(1) as u64) as usize;
                (start, (start + len - 1).min(n_days - 1))
            });
            let reset_day = (rng.below(100) == 0).then(|| rng.below(n_days as u64) as usize);
            // Most devices report once a day at their own time; one in ten twice.
            let first_poll = 6 * 3600 + rng.below(6 * 3600) as u32;
            let twice = rng.below(10) == 0;
            schedule.push((first_poll, i as u32));
            if twice {
                schedule.push((first_poll + 8 * 3600, i as u32));
            }
            // Pages a working day: from a quiet printer to a print room, spread log-uniformly.
            let per_day = (30.0 * 50f64.powf(rng.below(1000) as f64 / 1000.0)) as u64;
            let volume = if is_lfp {
                rng.range(2_000, 40_000)
            } else if twice {
                per_day / 2
            } else {
                per_day
            };
            plans.push(DevicePlan {
                serial: format!("BENCH-{i:06}"),
                lfp_unit: is_lfp.then_some(LFP_UNITS[i / 20 % LFP_UNITS.len()]),
                gap,
                reset_day,
                volume,
                seed: 0xBE4C_D000_0000 + i as u64,
            });
        }
        schedule.sort_unstable();
        Plan {
            devices: plans,
            days,
            schedule,
            today,
            now_ms,
        }
    }
}

/// A device of the plan in the simulator: its own stream, seeded from the plan, and counters
/// well above zero at the window's start.
fn simulate(p: &DevicePlan) -> SimDevice {
    let mut rng = Rng::new(p.seed);
    let mut sim = match p.lfp_unit {
        Some(unit) => SimDevice::area(rng, unit),
        None => {
            // A third of the MFPs print in mono only; all report the same 20 counters.
            let mono = rng.below(3) == 0;
            let mix = Mix {
                colour: if mono { 0 } else { rng.range(100, 500) },
                copy: rng.range(150, 450),
                receive: rng.range(0, 60),
                large: rng.range(30, 200),
                duplex: rng.range(150, 550),
                scan: rng.range(100, 700),
                send: rng.range(400, 900),
            };
            SimDevice::sheets(rng, mix, Profile::Bench)
        }
    };
    // Installed before the window: counters well above zero.
    let installed = sim.rng.range(10_000, 2_000_000);
    sim.print(installed);
    sim
}

/// Walks the plan for the devices of one stream (`index % streams == stream`), day by day in
/// time order, advancing their counters; with `emit`, hands over ingest bodies of `BATCH`
/// readings. Returns the devices' final states.
fn generate(
    plan: &Plan,
    stream: usize,
    streams: usize,
    mut emit: Option<&mut dyn FnMut(Vec<u8>, usize) -> bool>,
) -> Vec<(usize, SimDevice)> {
    let mut sims: Vec<Option<SimDevice>> = plan
        .devices
        .iter()
        .enumerate()
        .map(|(i, p)| (i % streams == stream).then(|| simulate(p)))
        .collect();
    let mut body = Vec::with_capacity(BATCH * 520);
    let mut count = 0usize;
    body.push(b'[');
    'days: for (di, day) in plan.days.iter().enumerate() {
        for &(second, dev) in &plan.schedule {
            let dev = dev as usize;
            let Some(sim) = sims[dev].as_mut() else {
                continue;
            };
            let p = &plan.devices[dev];
            if p.gap.is_some_and(|(a, b)| (a..=b).contains(&di)) {
                continue;
            }
            if p.reset_day == Some(di) && sim.resets() == 0 {
                sim.reset();
            }
            let noise = sim.rng.range(500, 1500);
            let mut amount = p.volume * noise / 1000;
            if day.holiday {
                amount /= 10;
            }
            sim.print(amount);
            let read_at = day.day.at_ms(second as u64);
            if read_at > plan.now_ms || day.outage {
                continue;
            }
            let Some(emit) = emit.as_mut() else {
                continue;
            };
            if count > 0 {
                body.push(b',');
            }
            sim.write_reading(&mut body, &p.serial, |out| {
                day.day.write_time(out, second as u64)
            });
            count += 1;
            if count == BATCH {
                body.push(b']');
                let full = std::mem::replace(&mut body, Vec::with_capacity(BATCH * 520));
                body.push(b'[');
                count = 0;
                if !emit(full, BATCH) {
                    break 'days;
                }
            }
        }
    }
    if count > 0
        && let Some(emit) = emit.as_mut()
    {
        body.push(b']');
        emit(body, count);
    }
    sims.into_iter()
        .enumerate()
        .filter_map(|(i, s)| s.map(|s| (i, s)))
        .collect()
}

/// The devices' final states without sending anything (`--skip-ingest`).
fn simulate_only(plan: &Plan) -> Vec<(usize, SimDevice)> {
    generate(plan, 0, 1, None)
}

// ---- Setup and bulk ingest ----------------------------------------------------------------

async fn create_devices(
    store: &Store,
    tenant: &Tenant,
    plan: &Plan,
    now_ms: i64,
) -> anyhow::Result<()> {
    tracing::info!(devices = plan.devices.len(), "creating devices");
    let results: Vec<anyhow::Result<()>> = futures_util::stream::iter(plan.devices.iter())
        .map(|p| async move {
            let (device_type, product) = match p.lfp_unit {
                Some(_) => (DeviceType::Lfp, "imagePROGRAF TX-4100"),
                None => (DeviceType::ColorMfp, "iR-ADV C5840"),
            };
            let d = NewDevice {
                serial: p.serial.clone(),
                name: format!("Bench {}", &p.serial[6..]),
                product: product.into(),
                device_type,
                protocol: Protocol::Snmp,
                mac: None,
                host: None,
                building: Some("Bench building".into()),
                location: Some(format!("{}F", p.seed % 10 + 1)),
                remote_ui_url: None,
                lfp_unit: p.lfp_unit,
            };
            store.create_device(tenant.id, &d, now_ms).await?;
            Ok(())
        })
        // Several at once: each insert commits (and syncs) on its own.
        .buffer_unordered(8)
        .collect()
        .await;
    results.into_iter().collect()
}

#[derive(Debug, Clone)]
struct BulkResult {
    readings: u64,
    elapsed: Duration,
    /// Time the generator threads spent making data (not waiting to hand it over).
    generating: Duration,
    streams: usize,
}

/// Sends the plan's readings to the portal's ingest API, `streams` requests at a time, each
/// a batch of [`BATCH`] readings of its own share of the devices (so that each device's
/// readings still arrive in time order).
async fn bulk_ingest(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    plan: &Arc<Plan>,
    streams: usize,
) -> anyhow::Result<(Vec<(usize, SimDevice)>, BulkResult)> {
    let streams = streams.clamp(1, plan.devices.len());
    let total = Arc::new(AtomicU64::new(0));
    let generating_ns = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    tracing::info!(streams, "bulk ingest started");
    let mut generators = Vec::new();
    let mut senders = Vec::new();
    for stream in 0..streams {
        // One body waits while one is ingested and the next is made: enough to keep the
        // ingest busy, and each is 5 MB of the process's memory figure.
        let (tx, mut rx) = tokio::sync::mpsc::channel::<(Vec<u8>, usize)>(1);
        let plan = plan.clone();
        let generating_ns = generating_ns.clone();
        generators.push(std::thread::spawn(move || {
            let mut last = Instant::now();
            let mut emit = |body: Vec<u8>, n: usize| {
                generating_ns.fetch_add(last.elapsed().as_nanos() as u64, Ordering::Relaxed);
                let ok = tx.blocking_send((body, n)).is_ok();
                last = Instant::now();
                ok
            };
            generate(&plan, stream, streams, Some(&mut emit))
        }));
        let (client, url, token, total) = (
            client.clone(),
            url.to_string(),
            token.to_string(),
            total.clone(),
        );
        senders.push(tokio::spawn(async move {
            while let Some((body, n)) = rx.recv().await {
                let res = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await?;
                let status = res.status();
                let text = res.text().await?;
                anyhow::ensure!(
                    status.is_success(),
                    "bulk ingest: {status}: {}",
                    &text[..text.len().min(500)]
                );
                let stored: serde_json::Value = serde_json::from_str(&text)?;
                anyhow::ensure!(
                    stored["accepted"].as_u64() == Some(n as u64),
                    "{n} readings sent, answer {stored}"
                );
                let before = total.fetch_add(n as u64, Ordering::Relaxed);
                let after = before + n as u64;
                if after / 1_000_000 > before / 1_000_000 {
                    let secs = started.elapsed().as_secs_f64();
                    tracing::info!(
                        readings = after,
                        per_second = (after as f64 / secs) as u64,
                        "bulk ingest progress"
                    );
                }
            }
            anyhow::Ok(())
        }));
    }
    let mut failure = None;
    for s in senders {
        if let Err(e) = s.await? {
            failure.get_or_insert(e);
        }
    }
    let elapsed = started.elapsed();
    let mut sims = Vec::with_capacity(plan.devices.len());
    for g in generators {
        sims.extend(
            g.join()
                .map_err(|_| anyhow::anyhow!("a generator panicked"))?,
        );
    }
    if let Some(e) = failure {
        return Err(e);
    }
    sims.sort_by_key(|(i, _)| *i);
    let readings = total.load(Ordering::Relaxed);
    tracing::info!(
        readings,
        seconds = elapsed.as_secs_f64(),
        "bulk ingest finished"
    );
    Ok((
        sims,
        BulkResult {
            readings,
            elapsed,
            generating: Duration::from_nanos(generating_ns.load(Ordering::Relaxed)),
            streams,
        },
    ))
}

// ---- The server process -------------------------------------------------------------------

/// `meterport serve` (this same binary) on a port of its own, over the benchmark's database.
struct ServerProcess {
    child: std::process::Child,
    base: String,
    /// Its SMTP listener of meter mails.
    smtp: std::net::SocketAddr,
}

impl ServerProcess {
    async fn start(binary: &std::path::Path, database: &str) -> anyhow::Result<ServerProcess> {
        use std::io::BufRead;
        let mut child = std::process::Command::new(binary)
            .args(["serve", "--listen", "127.0.0.1:0", "--database", database])
            .args(["--smtp-listen", "127.0.0.1:0"])
            .env_remove("METERPORT_OPERATOR_TOKEN")
            .env_remove("METERPORT_CONFIG")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .context("starting meterport serve")?;
        let stdout = child.stdout.take().context("piped stdout")?;
        // `serve` prints its addresses once the database is open: SMTP first, then HTTP.
        let (smtp, addr, lines) = tokio::task::spawn_blocking(move || {
            let mut lines = std::io::BufReader::new(stdout).lines();
            let mut smtp = None;
            for line in lines.by_ref() {
                let line = line?;
                if let Some(rest) = line.split("takes meter mail on smtp://").nth(1) {
                    smtp = Some(rest.trim().parse::<std::net::SocketAddr>()?);
                }
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let smtp = smtp.context("serve printed no SMTP address")?;
                    return Ok((smtp, rest.trim_end_matches('/').to_string(), lines));
                }
            }
            anyhow::bail!("meterport serve exited before listening")
        })
        .await??;
        std::thread::spawn(move || for _ in lines {});
        Ok(ServerProcess {
            child,
            base: format!("http://{addr}"),
            smtp,
        })
    }

    /// A field of the server's `/proc/PID/status`, in kB.
    fn status_kb(&self, field: &str) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        parse_status_kb(&status, field)
    }

    /// SIGTERM, as an operator stops it, and wait for a clean exit.
    fn stop(mut self) -> anyhow::Result<()> {
        std::process::Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()?;
        let status = self.child.wait()?;
        anyhow::ensure!(status.success(), "meterport serve exited with {status}");
        Ok(())
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

// ---- Pages --------------------------------------------------------------------------------

/// A client logged in to the web pages as a new user of the tenant (through the login form,
/// as a browser would), keeping its session cookie.
async fn logged_in_client(
    base: &str,
    store: &Store,
    tenant: &Tenant,
    now_ms: i64,
) -> anyhow::Result<reqwest::Client> {
    let username = format!("bench{now_ms}");
    let password = format!("pw{now_ms}x");
    store
        .create_user(
            tenant.id,
            &username,
            &meterport_store::users::hash_password(&password),
            None,
            "en",
            now_ms,
        )
        .await?;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let page = client
        .get(format!("{base}/login"))
        .send()
        .await?
        .text()
        .await?;
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .context("the login page has a csrf field")?
        .to_string();
    let res = client
        .post(format!("{base}/login"))
        .form(&[
            ("username", username.as_str()),
            ("password", password.as_str()),
            ("csrf", csrf.as_str()),
            ("next", "/welcome"),
        ])
        .send()
        .await?;
    anyhow::ensure!(
        res.status() == reqwest::StatusCode::SEE_OTHER,
        "bench login answered {}",
        res.status()
    );
    Ok(client)
}

// ---- Queries ------------------------------------------------------------------------------

/// The periods the queries ask for, relative to today.
struct Queries {
    month_from: String,
    month_to: String,
    day_from: String,
    day_to: String,
    days: i64,
    detail: String,
}

impl Queries {
    fn new(today: Date) -> Queries {
        let month = |d: Date| format!("{:04}-{:02}", d.year(), d.month());
        let day = |d: Date| format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day());
        let this_month = today.first_of_month();
        let months_ago = |n: i64| {
            this_month
                .checked_sub(Span::new().months(n))
                .expect("date in range")
        };
        // The latest three whole months that make the longest daily range S12 allows (92
        // days: two months of 31 days and one of 30).
        let (from, to) = (1..=12)
            .map(|n| {
                let from = months_ago(n + 2);
                let to = months_ago(n - 1).yesterday().expect("date in range");
                (from, to)
            })
            .find(|(from, to)| {
                PeriodRange::parse(Unit::Day, &day(*from), &day(*to)).is_ok()
                    && to.since(*from).expect("dates").get_days() == 91
            })
            .expect("three months of 92 days within a year");
        Queries {
            month_from: month(months_ago(11)),
            month_to: month(this_month),
            day_from: day(from),
            day_to: day(to),
            days: to.since(from).expect("dates").get_days() as i64 + 1,
            detail: month(months_ago(1)),
        }
    }
}

#[derive(Debug, Clone)]
enum Timing {
    Measured {
        median: Duration,
        p95: Duration,
        bytes: usize,
    },
    /// The route answered 501 Not Implemented.
    NotAvailable,
}

/// The median and the 95th percentile (nearest rank) of a set of durations.
fn percentiles(mut times: Vec<Duration>) -> (Duration, Duration) {
    times.sort();
    let n = times.len();
    let median = times[n / 2];
    let p95 = times[((n * 95).div_ceil(100)).clamp(1, n) - 1];
    (median, p95)
}

/// Times `GET url` with a read token, or with the client's session cookie when `token` is
/// `None`.
async fn time_http(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    runs: usize,
) -> anyhow::Result<Timing> {
    let mut times = Vec::with_capacity(runs);
    let mut bytes = 0;
    for run in 0..=runs {
        let t = Instant::now();
        let mut req = client.get(url);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let res = req.send().await?;
        let status = res.status();
        if status == reqwest::StatusCode::NOT_IMPLEMENTED {
            return Ok(Timing::NotAvailable);
        }
        if !status.is_success() {
            let text = res.text().await?;
            bail!("GET {url}: {status}: {}", &text[..text.len().min(500)]);
        }
        // Count the body as it streams: keeping a 100 MB answer would weigh on the memory
        // figure, which is meant to be the server's.
        let mut res = res;
        bytes = 0;
        while let Some(chunk) = res.chunk().await? {
            bytes += chunk.len();
        }
        let elapsed = t.elapsed();
        // Run 0 is the warm-up.
        if run > 0 {
            times.push(elapsed);
        }
    }
    let (median, p95) = percentiles(times);
    Ok(Timing::Measured { median, p95, bytes })
}

/// The counters service alone: preparing the query and draining its rows, without HTTP or
/// JSON.
async fn time_service(
    services: &Services,
    tenant: &Tenant,
    params: &[(&str, &str)],
    runs: usize,
) -> anyhow::Result<(Duration, Duration, usize, Duration)> {
    let params: HashMap<String, String> = params
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut times = Vec::with_capacity(runs);
    let mut prepare_times = Vec::with_capacity(runs);
    let mut rows = 0;
    for run in 0..=runs {
        let query = CounterQuery::parse(&params)
            .map_err(|e| anyhow::anyhow!("bench query refused: {e:?}"))?;
        let t = Instant::now();
        let now = jiff::Timestamp::now().as_millisecond();
        let prepared = Prepared::new(services, tenant, query, now)
            .await
            .map_err(|e| anyhow::anyhow!("bench query failed: {e:?}"))?;
        let prepared_in = t.elapsed();
        let mut stream = prepared.rows(services);
        rows = 0;
        while let Some(row) = stream.next().await {
            row?;
            rows += 1;
        }
        if run > 0 {
            times.push(t.elapsed());
            prepare_times.push(prepared_in);
        }
    }
    let (median, p95) = percentiles(times);
    let (prepare_median, _) = percentiles(prepare_times);
    Ok((median, p95, rows, prepare_median))
}

// ---- Single-reading ingest ----------------------------------------------------------------

#[derive(Debug, Clone)]
struct SingleResult {
    requests: u64,
    elapsed: Duration,
    clients: usize,
    median: Duration,
    p99: Duration,
}

/// Each client owns its share of the devices and sends one reading per request, of its next
/// device, later than that device's previous reading, awaiting each answer.
async fn single_ingest(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    plan: &Arc<Plan>,
    fleet: Fleet,
    clients: usize,
    duration: Duration,
) -> anyhow::Result<(SingleResult, Fleet)> {
    let clients = clients.clamp(1, plan.devices.len());
    let shares = fleet.share(clients);
    tracing::info!(
        clients,
        seconds = duration.as_secs(),
        "single-reading ingest"
    );
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for mut mine in shares {
        let (client, url, token, plan) = (
            client.clone(),
            url.to_string(),
            token.to_string(),
            plan.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut next = 0;
            let mut body = Vec::with_capacity(1024);
            while Instant::now() < deadline {
                next_reading(&plan, &mut mine, &mut next, &mut body);
                let t = Instant::now();
                let res = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await?;
                let status = res.status();
                let text = res.text().await?;
                if !status.is_success() {
                    bail!("single-reading ingest: {status}: {text}");
                }
                latencies.push(t.elapsed());
            }
            anyhow::Ok((latencies, mine))
        }));
    }
    let mut all = Vec::new();
    let mut fleet = Fleet::default();
    for t in tasks {
        let (latencies, mine) = t.await??;
        all.extend(latencies);
        fleet.0.extend(mine);
    }
    let elapsed = started.elapsed();
    let requests = all.len() as u64;
    let (median, p99) = median_p99(all);
    Ok((
        SingleResult {
            requests,
            elapsed,
            clients,
            median,
            p99,
        },
        fleet,
    ))
}

/// Writes into `body` the next reading of a client's devices, taken in turn: the device
/// prints an eighth of its daily volume, and the reading is a second later than its last.
fn next_reading(
    plan: &Plan,
    mine: &mut [(usize, SimDevice, i64)],
    next: &mut usize,
    body: &mut Vec<u8>,
) {
    let n = mine.len();
    let (i, sim, last) = &mut mine[*next % n];
    *next += 1;
    let p = &plan.devices[*i];
    sim.print(p.volume / 8);
    let read_at = Timestamp::now().as_millisecond().max(*last + 1000);
    *last = read_at;
    body.clear();
    let ts = Timestamp::from_millisecond(read_at).expect("in range");
    sim.write_reading(body, &p.serial, |out| {
        out.extend_from_slice(ts.to_string().as_bytes())
    });
}

/// The median and the 99th percentile (nearest rank above) of some times.
fn median_p99(mut all: Vec<Duration>) -> (Duration, Duration) {
    all.sort();
    let pick = |q: usize| all.get((all.len() * q / 100).min(all.len().saturating_sub(1)));
    (
        pick(50).copied().unwrap_or_default(),
        pick(99).copied().unwrap_or_default(),
    )
}

/// Every device's simulator and the time of its latest reading, so that each phase's
/// readings continue the previous ones.
#[derive(Default)]
struct Fleet(Vec<(usize, SimDevice, i64)>);

impl Fleet {
    fn new(sims: Vec<(usize, SimDevice)>, now_ms: i64) -> Fleet {
        Fleet(sims.into_iter().map(|(i, sim)| (i, sim, now_ms)).collect())
    }

    /// The devices dealt to `clients` clients, each device to one.
    fn share(self, clients: usize) -> Vec<Vec<(usize, SimDevice, i64)>> {
        let mut shares: Vec<Vec<_>> = (0..clients).map(|_| Vec::new()).collect();
        for (n, device) in self.0.into_iter().enumerate() {
            shares[n % clients].push(device);
        }
        shares
    }
}

// ---- Status notifications ------------------------------------------------------------------

/// Users of the tenant who chose to hear of every service call, for the burst.
const BURST_USERS: usize = 100;

#[derive(Debug, Clone)]
struct BurstResult {
    reports: usize,
    elapsed: Duration,
    /// One notifier round after the hold-down: its time, the mails it queued and the
    /// conditions they report.
    round: Duration,
    mails: usize,
    conditions: usize,
}

/// Every device of the tenant reports a service call at once (one status report each,
/// `clients` concurrent clients), with `BURST_USERS` users choosing to hear of them; then one
/// notifier round after the hold-down turns them into mails, timed in this process.
async fn status_burst(
    client: &reqwest::Client,
    base: &str,
    store: &Store,
    tenant: &Tenant,
    plan: &Arc<Plan>,
    token: &str,
    clients: usize,
) -> anyhow::Result<BurstResult> {
    use meterport_store::notifications::{NotificationSettings, Scope};
    let now_ms = Timestamp::now().as_millisecond();
    // One hash for all: Argon2 is slow on purpose, and these users never log in.
    let hash = meterport_store::users::hash_password("benchmark-user-password-1");
    for n in 0..BURST_USERS {
        let user = store
            .create_user(
                tenant.id,
                &format!("burst{n:03}"),
                &hash,
                Some(&format!("burst{n:03}@example.com")),
                if n % 2 == 0 { "ja" } else { "en" },
                now_ms,
            )
            .await?;
        let settings = NotificationSettings {
            service_call: Scope::AllDevices,
            ..NotificationSettings::default()
        };
        store
            .set_notification_settings(tenant.id, user.id, &settings, now_ms)
            .await
            .map_err(|e| anyhow::anyhow!("notification settings: {e:?}"))?;
    }
    let url = format!("{base}/api/v1/ingest/status");
    let at = Timestamp::from_millisecond(now_ms)?.to_string();
    let serials: Vec<String> = plan.devices.iter().map(|d| d.serial.clone()).collect();
    tracing::info!(reports = serials.len(), clients, "status burst");
    let started = Instant::now();
    let reports = futures_util::stream::iter(serials.iter().map(|serial| {
        let body = format!(
            r#"{{"serial":"{serial}","at":"{at}","conditions":[{{"code":"SC-BURST","severity":"service_call","message":"Fuser unit failure"}}]}}"#
        );
        let (client, url, token) = (client.clone(), url.clone(), token.to_string());
        async move {
            let res = client
                .post(&url)
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await?;
            anyhow::ensure!(res.status().is_success(), "status report: {}", res.status());
            anyhow::Ok(())
        }
    }))
    .buffer_unordered(clients.max(1))
    .collect::<Vec<_>>()
    .await;
    let elapsed = started.elapsed();
    for r in &reports {
        if let Err(e) = r {
            bail!("{e}");
        }
    }
    let holddown_ms = tenant.notify.holddown_minutes * 60_000;
    let t = Instant::now();
    let services = Services::new(store.clone());
    let round =
        meterport_portal::service::notify::round(&services, base, now_ms + holddown_ms + 1).await?;
    Ok(BurstResult {
        reports: reports.len(),
        elapsed,
        round: t.elapsed(),
        mails: round.mails,
        conditions: round.sent,
    })
}

// ---- Meter mail over SMTP -----------------------------------------------------------------

/// Clients of the meter-mail phase.
const MAIL_CLIENTS: usize = 16;
/// Rows of the CSV mail, and how many such mails are timed.
const CSV_ROWS: usize = 1_000;
const CSV_MAILS: usize = 5;

#[derive(Debug, Clone)]
struct MailResult {
    mails: u64,
    elapsed: Duration,
    median: Duration,
    p99: Duration,
    csv_rows: usize,
    csv_bytes: usize,
    /// From the end of each CSV mail's DATA to its 250.
    csv: Vec<Duration>,
}

/// A meter mail of one reading: the ingest body's JSON as the message body.
fn json_mail(reading: &[u8]) -> Vec<u8> {
    let mut mail = format!(
        "From: bench@site.example\r\nDate: {}\r\nSubject: counters\r\nMIME-Version: 1.0\r\n\
         Content-Type: application/json\r\n\r\n",
        jiff::fmt::rfc2822::DateTimePrinter::new()
            .timestamp_to_string(&Timestamp::now())
            .unwrap_or_default()
    )
    .into_bytes();
    mail.extend_from_slice(reading);
    mail.extend_from_slice(b"\r\n");
    mail
}

/// `MAIL_CLIENTS` clients, each with one SMTP connection of its own (lettre, reused between
/// mails), mail one reading per message of their next device for `duration`; then
/// `CSV_MAILS` CSV mails of `CSV_ROWS` devices each, timed from the end of their DATA.
async fn smtp_ingest(
    addr: std::net::SocketAddr,
    token: &str,
    plan: &Arc<Plan>,
    fleet: Fleet,
    duration: Duration,
) -> anyhow::Result<MailResult> {
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
    let clients = MAIL_CLIENTS.min(plan.devices.len());
    let envelope = lettre::address::Envelope::new(
        Some("bench@site.example".parse()?),
        vec![format!("{token}@meter.example").parse()?],
    )?;
    tracing::info!(
        clients,
        seconds = duration.as_secs(),
        "meter mails over SMTP"
    );
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    for mut mine in fleet.share(clients) {
        let transport =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(addr.ip().to_string())
                .port(addr.port())
                .pool_config(lettre::transport::smtp::PoolConfig::new().max_size(1))
                .build();
        let (envelope, plan) = (envelope.clone(), plan.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut next = 0;
            let mut body = Vec::with_capacity(1024);
            while Instant::now() < deadline {
                next_reading(&plan, &mut mine, &mut next, &mut body);
                let t = Instant::now();
                let reply = transport
                    .send_raw(&envelope, &json_mail(&body))
                    .await
                    .map_err(|e| anyhow::anyhow!("meter mail refused: {e}"))?;
                anyhow::ensure!(
                    reply.is_positive(),
                    "meter mail answered {:?}",
                    reply.code()
                );
                latencies.push(t.elapsed());
            }
            anyhow::Ok((latencies, mine))
        }));
    }
    let mut all = Vec::new();
    let mut fleet = Fleet::default();
    for t in tasks {
        let (latencies, mine) = t.await??;
        all.extend(latencies);
        fleet.0.extend(mine);
    }
    let elapsed = started.elapsed();
    let mails = all.len() as u64;
    let (median, p99) = median_p99(all);

    // The CSV mails: the first MFPs of the fleet, in our own columns (every C1 key of an
    // MFP; a cell is empty where the device has no such counter).
    fleet.0.sort_by_key(|(i, _, _)| *i);
    let mut rows: Vec<&mut (usize, SimDevice, i64)> = fleet
        .0
        .iter_mut()
        .filter(|(i, _, _)| plan.devices[*i].lfp_unit.is_none())
        .take(CSV_ROWS)
        .collect();
    let keys = meterport_domain::counters::DeviceClass::Mfp.keys();
    let mut csv_bytes = 0;
    let mut csv = Vec::new();
    for _ in 0..CSV_MAILS {
        let mut text = String::from("serial,read_at");
        for k in keys {
            text.push(',');
            text.push_str(k.name());
        }
        text.push_str("\r\n");
        let mut counters = Vec::with_capacity(1024);
        for (i, sim, last) in rows.iter_mut() {
            let p = &plan.devices[*i];
            sim.print(p.volume / 8);
            let read_at = Timestamp::now().as_millisecond().max(*last + 1000);
            *last = read_at;
            counters.clear();
            counters.push(b'{');
            sim.write_counters(&mut counters);
            counters.push(b'}');
            let values: serde_json::Map<String, serde_json::Value> =
                serde_json::from_slice(&counters)?;
            text.push_str(&p.serial);
            text.push(',');
            text.push_str(&Timestamp::from_millisecond(read_at)?.to_string());
            for k in keys {
                text.push(',');
                if let Some(v) = values.get(k.name()) {
                    text.push_str(&v.to_string());
                }
            }
            text.push_str("\r\n");
        }
        let message = format!(
            "From: tool@site.example\r\nSubject: fleet counters\r\nMIME-Version: 1.0\r\n\
             Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
             Content-Type: text/plain\r\n\r\nCounters attached.\r\n--b\r\n\
             Content-Type: text/csv; charset=utf-8\r\n\
             Content-Disposition: attachment; filename=\"fleet.csv\"\r\n\r\n{text}--b--\r\n"
        );
        csv_bytes = message.len();
        csv.push(time_data_end(addr, token, message.as_bytes(), rows.len()).await?);
    }
    Ok(MailResult {
        mails,
        elapsed,
        median,
        p99,
        csv_rows: rows.len(),
        csv_bytes,
        csv,
    })
}

/// Sends one message over a connection of its own, line by line as RFC 5321 says, and
/// times from the end of its DATA (the line with the dot) to the reply; checks that the
/// reply says `rows` readings were stored.
async fn time_data_end(
    addr: std::net::SocketAddr,
    token: &str,
    message: &[u8],
    rows: usize,
) -> anyhow::Result<Duration> {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    let mut read = tokio::io::BufReader::new(read);
    async fn reply(
        read: &mut tokio::io::BufReader<tokio::net::tcp::OwnedReadHalf>,
    ) -> anyhow::Result<String> {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            anyhow::ensure!(read.read_line(&mut line).await? > 0, "the listener closed");
            all.push_str(&line);
            if line.as_bytes().get(3) == Some(&b' ') {
                return Ok(all);
            }
        }
    }
    reply(&mut read).await?;
    for command in [
        "EHLO bench.example".to_string(),
        "MAIL FROM:<tool@site.example>".into(),
        format!("RCPT TO:<{token}@meter.example>"),
        "DATA".into(),
    ] {
        write.write_all(format!("{command}\r\n").as_bytes()).await?;
        let answer = reply(&mut read).await?;
        anyhow::ensure!(
            answer.starts_with('2') || answer.starts_with('3'),
            "{command}: {answer}"
        );
    }
    // No line of ours starts with a dot: nothing to stuff.
    write.write_all(message).await?;
    let t = Instant::now();
    write.write_all(b".\r\n").await?;
    let answer = reply(&mut read).await?;
    let elapsed = t.elapsed();
    let expected = format!("2.0.0 Stored {rows} readings, 0 duplicates");
    anyhow::ensure!(
        answer.starts_with("250") && answer.contains(&expected),
        "the CSV mail: {answer}"
    );
    write.write_all(b"QUIT\r\n").await.ok();
    Ok(elapsed)
}

// ---- Memory, size, report -----------------------------------------------------------------

/// A `kB` field of `/proc/self/status` (Linux), e.g. `VmHWM`, the peak resident set.
fn proc_status_kb(field: &str) -> Option<u64> {
    parse_status_kb(&std::fs::read_to_string("/proc/self/status").ok()?, field)
}

fn parse_status_kb(status: &str, field: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The 1, 5 and 15-minute load averages (Linux), or `?`.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "?".into())
}

fn sqlite_path(url: &str) -> Option<PathBuf> {
    url.strip_prefix("sqlite:")
        .map(|p| PathBuf::from(p.trim_start_matches("//")))
}

/// The database's size on disk: SQLite's file with its WAL and shared-memory files, or
/// PostgreSQL's `pg_database_size` (through `psql`, which the server's host has).
fn database_size(url: &str, backend: Backend, path: Option<&PathBuf>) -> anyhow::Result<u64> {
    match (backend, path) {
        (Backend::Sqlite, Some(path)) => {
            let mut total = 0;
            for suffix in ["", "-wal", "-shm"] {
                let mut p = path.clone().into_os_string();
                p.push(suffix);
                if let Ok(m) = std::fs::metadata(&p) {
                    total += m.len();
                }
            }
            Ok(total)
        }
        _ => {
            let out = std::process::Command::new("psql")
                .args([url, "-Atc", "SELECT pg_database_size(current_database())"])
                .output()
                .context("running psql for the database size")?;
            anyhow::ensure!(out.status.success(), "psql failed");
            Ok(String::from_utf8_lossy(&out.stdout).trim().parse()?)
        }
    }
}

#[derive(Debug, Default)]
struct Report {
    device_setup: Option<Duration>,
    bulk: Option<BulkResult>,
    queries: Vec<(String, Timing)>,
    /// Web pages: label, timing, and the read API's timing for the same data.
    pages: Vec<(String, Timing, Option<Timing>)>,
    /// The first queries timed in-process: median, p95 and rows.
    service: Vec<(Duration, Duration, usize, Duration)>,
    single: Option<SingleResult>,
    mail: Option<MailResult>,
    burst: Option<BurstResult>,
    peak_kb: Option<u64>,
    /// The benchmark process itself (generator, clients, the service-alone timings).
    bench_peak_kb: Option<u64>,
    peak_after_bulk_kb: Option<u64>,
    /// `/proc/loadavg` before and after: the figures mean little on a busy machine.
    load: (String, String),
    rss_after_queries_kb: Option<u64>,
    database_bytes: Option<u64>,
}

fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// `12345678` as `12,345,678`.
fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

impl Report {
    fn markdown(&self, args: &BenchArgs, backend: Backend, plan: &Plan) -> String {
        let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
        let backend = match backend {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        };
        let mut rows: Vec<[String; 3]> = Vec::new();
        if let Some(b) = &self.bulk {
            rows.push([
                format!(
                    "Bulk ingest: {} readings of 20 counters (LFPs 5), batches of {}, {} streams",
                    grouped(b.readings),
                    grouped(BATCH as u64),
                    b.streams
                ),
                format!(
                    "**{} readings/s** ({:.1} s; generator {:.1} s of it)",
                    grouped((b.readings as f64 / b.elapsed.as_secs_f64()) as u64),
                    b.elapsed.as_secs_f64(),
                    b.generating.as_secs_f64()
                ),
                "≥ 100,000/s".into(),
            ]);
        }
        if let Some(d) = self.device_setup {
            rows.push([
                format!("Registering {} devices", grouped(plan.devices.len() as u64)),
                format!("{:.1} s", d.as_secs_f64()),
                String::new(),
            ]);
        }
        let targets = [
            "< 100 ms",
            "< 500 ms",
            "< 30 ms",
            "< 30 ms",
            "",
            "≤ ⅓ of the full 12-month answer",
        ];
        for (i, (label, timing)) in self.queries.iter().enumerate() {
            let result = match timing {
                Timing::Measured { median, p95, bytes } => format!(
                    "median **{}**, p95 {} ({})",
                    ms(*median),
                    ms(*p95),
                    mb(*bytes as u64)
                ),
                Timing::NotAvailable => "not available (501: being built)".into(),
            };
            rows.push([
                format!("GET {label}, HTTP"),
                result,
                targets.get(i).copied().unwrap_or_default().into(),
            ]);
            if let Some((median, p95, n, prepare)) = self.service.get(i).copied() {
                rows.push([
                    format!("… the same, service alone (devices loaded, {n} rows computed)"),
                    format!(
                        "median **{}**, p95 {} (loading the devices: {})",
                        ms(median),
                        ms(p95),
                        ms(prepare)
                    ),
                    String::new(),
                ]);
            }
        }
        for (label, timing, api) in &self.pages {
            let median_of = |t: &Timing| match t {
                Timing::Measured { median, .. } => Some(*median),
                Timing::NotAvailable => None,
            };
            let result = match timing {
                Timing::Measured { median, p95, bytes } => {
                    let ratio = api
                        .as_ref()
                        .and_then(median_of)
                        .map(|a| {
                            format!(", {:.1}x the API", median.as_secs_f64() / a.as_secs_f64())
                        })
                        .unwrap_or_default();
                    format!(
                        "median **{}**, p95 {} ({}{ratio})",
                        ms(*median),
                        ms(*p95),
                        mb(*bytes as u64)
                    )
                }
                Timing::NotAvailable => "not available".into(),
            };
            let target = if label.starts_with("Counter information, monthly") {
                "< 150 ms, < 2x the API"
            } else {
                "< 2x the API"
            };
            rows.push([format!("Page: {label}"), result, target.into()]);
        }
        if let Some(s) = &self.single {
            rows.push([
                format!(
                    "Single-reading ingest requests, {} concurrent clients, {:.0} s, each awaited",
                    s.clients,
                    s.elapsed.as_secs_f64()
                ),
                format!(
                    "**{} requests/s** (latency median {}, p99 {})",
                    grouped((s.requests as f64 / s.elapsed.as_secs_f64()) as u64),
                    ms(s.median),
                    ms(s.p99)
                ),
                "≥ 2,000/s".into(),
            ]);
        }
        if let Some(m) = &self.mail {
            rows.push([
                format!(
                    "Meter mails over SMTP, one reading each, {MAIL_CLIENTS} clients, {:.0} s, each awaited",
                    m.elapsed.as_secs_f64()
                ),
                format!(
                    "**{} mails/s** (latency median {}, p99 {})",
                    grouped((m.mails as f64 / m.elapsed.as_secs_f64()) as u64),
                    ms(m.median),
                    ms(m.p99)
                ),
                "≥ 500/s".into(),
            ]);
            let mut csv = m.csv.clone();
            csv.sort();
            rows.push([
                format!(
                    "A {}-row CSV by mail ({}), end of DATA to the 250, {} mails",
                    grouped(m.csv_rows as u64),
                    mb(m.csv_bytes as u64),
                    csv.len()
                ),
                format!(
                    "**median {}**, slowest {}",
                    ms(csv[csv.len() / 2]),
                    ms(*csv.last().expect("timed"))
                ),
                "< 1 s".into(),
            ]);
        }
        if let Some(b) = &self.burst {
            rows.push([
                format!(
                    "Status reports opening a service call on every device, {} reports",
                    grouped(b.reports as u64)
                ),
                format!(
                    "**{} reports/s**",
                    grouped((b.reports as f64 / b.elapsed.as_secs_f64()) as u64)
                ),
                String::new(),
            ]);
            rows.push([
                format!(
                    "… one notifier round after the hold-down: {} conditions, {BURST_USERS} users who chose them",
                    grouped(b.conditions as u64)
                ),
                format!("**{}** ({} mails queued)", ms(b.round), b.mails),
                "< 10 s".into(),
            ]);
        }
        if let Some(kb) = self.peak_after_bulk_kb {
            rows.push([
                "Peak memory (VmHWM) of the server at the end of the bulk ingest".into(),
                mb(kb * 1024),
                String::new(),
            ]);
        }
        if let Some(kb) = self.peak_kb {
            rows.push([
                "Peak memory (VmHWM) of the server process over the whole run".into(),
                format!("**{}**", mb(kb * 1024)),
                "< 300 MB".into(),
            ]);
        }
        if let Some(kb) = self.bench_peak_kb {
            rows.push([
                "Peak memory of the benchmark process (generator, clients, service timings)".into(),
                mb(kb * 1024),
                String::new(),
            ]);
        }
        if let Some(kb) = self.rss_after_queries_kb {
            rows.push([
                "Resident memory (VmRSS) of the server after the queries".into(),
                mb(kb * 1024),
                String::new(),
            ]);
        }
        if let Some(bytes) = self.database_bytes {
            let what = if backend == "SQLite" {
                "file + WAL"
            } else {
                "pg_database_size"
            };
            rows.push([
                format!("Database size on disk ({what})"),
                mb(bytes),
                String::new(),
            ]);
        }
        let mut out = format!(
            "## meterport bench: {backend}, {} devices, {} year(s)\n\n\
             Machine: {cores} cores; load average {} at the start, {} at the end. The server \
             is a `meterport serve` process of its own; the generator and the clients share \
             its cores. Query times: \
             {} runs after one warm-up, measured by the client up to the last byte of the \
             body.\n\n\
             | Measure | Result | Target |\n|---|---|---|\n",
            grouped(plan.devices.len() as u64),
            args.years,
            self.load.0,
            self.load.1,
            args.runs
        );
        for [a, b, c] in rows {
            out.push_str(&format!("| {a} | {b} | {c} |\n"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_is_the_same_on_every_run() {
        let now = 1_700_000_000_000;

        let a = Plan::new(50, 1, now);
        let b = Plan::new(50, 1, now);

        assert_eq!(a.schedule, b.schedule);
        let serials = |p: &Plan| {
            p.devices
                .iter()
                .map(|d| d.serial.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(serials(&a), serials(&b));
        assert_eq!(a.days.len(), 366);
        assert!(a.devices.iter().any(|d| d.lfp_unit.is_some()));
    }

    #[test]
    fn generated_bodies_hold_batches_of_ten_thousand_readings_in_time_order_per_device() {
        let plan = Plan::new(40, 1, 1_700_000_000_000);
        let mut sizes = Vec::new();
        let mut last_read_at: HashMap<String, String> = HashMap::new();
        let mut emit = |body: Vec<u8>, n: usize| {
            let items: Vec<serde_json::Value> = serde_json::from_slice(&body).unwrap();
            assert_eq!(items.len(), n);
            for item in items {
                let serial = item["serial"].as_str().unwrap().to_string();
                let at = item["read_at"].as_str().unwrap().to_string();
                if let Some(prev) = last_read_at.insert(serial, at.clone()) {
                    assert!(prev < at, "{prev} then {at}");
                }
            }
            sizes.push(n);
            true
        };

        generate(&plan, 0, 1, Some(&mut emit));

        assert!(sizes.len() > 1);
        assert!(sizes[..sizes.len() - 1].iter().all(|n| *n == BATCH));
    }

    #[test]
    fn percentiles_take_the_middle_and_the_nearest_rank() {
        let times: Vec<Duration> = (1..=11).map(Duration::from_millis).collect();

        let (median, p95) = percentiles(times);

        assert_eq!(median, Duration::from_millis(6));
        assert_eq!(p95, Duration::from_millis(11));
    }

    #[test]
    fn the_daily_query_spans_92_days_that_s12_accepts() {
        let today = Date::new(2025, 11, 25).unwrap();

        let q = Queries::new(today);

        assert_eq!(q.days, 92);
        assert_eq!(
            (q.day_from.as_str(), q.day_to.as_str()),
            ("2025-08-01", "2025-10-31")
        );
        assert_eq!(
            (q.month_from.as_str(), q.month_to.as_str()),
            ("2024-12", "2025-11")
        );
        assert_eq!(q.detail, "2025-10");
    }
}
