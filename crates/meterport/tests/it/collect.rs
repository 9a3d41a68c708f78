//! `meterport collect` end to end (issue 12): the binary cargo built polls real SNMP agents
//! (snmpsim serving the collector's per-vendor recordings) and delivers to a real portal over
//! HTTP; the results are read back through the read and operator APIs. Between the collector
//! and the portal sits a TCP relay the test opens and closes, so that "the portal is down"
//! is a closed port at the collector's configured address, as it would be at a site.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::harness::web::{Browser, texts};
use crate::harness::{OPERATOR_TOKEN, PASSWORD, TestApp, each, mfp};
use meterport_collector::agents;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::task::JoinHandle;

/// Serials of the recordings (`crates/collector/tests/fixtures`), by community.
const SERIALS: [(&str, &str); 9] = [
    ("brother", "E78123K9N456789"),
    ("canon", "QXA12345"),
    ("epson", "X3ZP012345"),
    ("hp", "JPBCS12345"),
    ("konica", "A7PU021012345"),
    ("kyocera", "W2D8303202"),
    ("ricoh", "E154M123456"),
    ("sharp", "3501234567"),
    ("xerox", "3390123456"),
];
/// Not registered in the portal: its readings are refused, the others still delivered.
const UNREGISTERED: &str = "3501234567";

/// A TCP relay on a fixed local port to the portal; it keeps every byte the collector sent.
struct Relay {
    port: u16,
    target: SocketAddr,
    sent: Arc<Mutex<Vec<u8>>>,
    task: Option<JoinHandle<()>>,
}

impl Relay {
    fn new(target: &str) -> Relay {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Relay {
            port,
            target: target.trim_start_matches("http://").parse().unwrap(),
            sent: Arc::default(),
            task: None,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    async fn up(&mut self) {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port))
            .await
            .unwrap();
        let (target, sent) = (self.target, self.sent.clone());
        self.task = Some(tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let sent = sent.clone();
                tokio::spawn(async move {
                    let Ok(server) = tokio::net::TcpStream::connect(target).await else {
                        return;
                    };
                    let (mut cr, mut cw) = client.into_split();
                    let (mut sr, mut sw) = server.into_split();
                    let up = async move {
                        let mut buf = vec![0u8; 64 * 1024];
                        while let Ok(n) = cr.read(&mut buf).await {
                            if n == 0 || sw.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                            sent.lock().unwrap().extend_from_slice(&buf[..n]);
                        }
                        sw.shutdown().await.ok();
                    };
                    let down = async move {
                        tokio::io::copy(&mut sr, &mut cw).await.ok();
                        cw.shutdown().await.ok();
                    };
                    tokio::join!(up, down);
                });
            }
        }));
    }

    fn down(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }

    /// The (serial, `read_at`) of every reading the collector sent, in the order sent
    /// (a reading is written `{"serial":..,"read_at":..,"counters":..}`).
    fn readings_sent(&self) -> Vec<(String, String)> {
        let sent = String::from_utf8_lossy(&self.sent.lock().unwrap()).into_owned();
        sent.split("\"serial\":\"")
            .skip(1)
            .filter_map(|s| {
                let (serial, rest) = s.split_once('"')?;
                let read_at = rest.strip_prefix(",\"read_at\":\"")?;
                Some((serial.to_string(), read_at.split('"').next()?.to_string()))
            })
            .collect()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.down();
    }
}

struct Site {
    app: TestApp,
    tenant_id: i64,
    read: String,
    ingest: String,
    agent: agents::Agent,
    dir: tempfile::TempDir,
    devices: Vec<(String, i64)>,
}

impl Site {
    /// A portal whose clock is now, a tenant with every recording's device but one, and
    /// snmpsim serving the recordings.
    async fn new() -> Site {
        let app = TestApp::spawn().await;
        app.clock.set(jiff::Timestamp::now().as_millisecond());
        let tenant = app.tenant("Site", "Asia/Tokyo").await;
        let mut devices = Vec::new();
        for (community, serial) in SERIALS {
            if serial != UNREGISTERED {
                let mut json = mfp(serial, community);
                json["protocol"] = json!("snmp");
                devices.push((serial.to_string(), app.device(&tenant, json).await));
            }
        }
        let read = app.read_token(&tenant).await;
        let ingest = app.ingest_token(&tenant).await;
        let agent = agents::snmpsim(Ipv4Addr::LOCALHOST, &agents::fixtures()).await;
        Site {
            tenant_id: tenant.id,
            app,
            read,
            ingest,
            agent,
            dir: tempfile::tempdir().unwrap(),
            devices,
        }
    }

    /// The cumulative counters of today (in Tokyo) of the printer `serial`, from the read
    /// API: its id and the day's cells.
    async fn today(&self, serial: &str) -> (i64, Value) {
        let day = today_in_tokyo();
        let id = self.device_id(serial);
        let (status, body) = self
            .app
            .get(
                &format!(
                    "/api/v1/counters?unit=day&from={day}&to={day}&kind=cumulative&device={id}"
                ),
                &self.read,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        (id, body["devices"][0]["periods"][&day].clone())
    }

    /// The printer `serial` as the read API details it.
    async fn device(&self, serial: &str) -> Value {
        let path = format!("/api/v1/devices/{}", self.device_id(serial));
        let (status, body) = self.app.get(&path, &self.read).await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Asserts that each registered printer has `count` readings stored.
    async fn assert_readings_of_each(&self, count: i64, why: &str) {
        for (serial, id) in &self.devices {
            assert_eq!(readings_of(&self.app, *id).await, count, "{serial}: {why}");
        }
    }

    fn spool(&self) -> std::path::PathBuf {
        self.dir.path().join("spool")
    }

    /// A configuration with one host target per recording (and one without a serial).
    fn config(&self, portal: &str, extra_targets: &str) -> std::path::PathBuf {
        let mut text = format!(
            "portal_url = \"{portal}\"\ningest_token = \"{}\"\nspool_dir = \"{}\"\n\
             interval_minutes = 1\ntimeout_ms = 1500\nretries = 1\n",
            self.ingest,
            self.spool().display()
        );
        for (community, _) in SERIALS.iter().chain([("noserial", "")].iter()) {
            text.push_str(&format!(
                "\n[[targets]]\naddress = \"{}\"\nversion = \"2c\"\ncommunity = \"{community}\"\n",
                self.agent.addr
            ));
        }
        text.push_str(extra_targets);
        let path = self.dir.path().join("collect.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn device_id(&self, serial: &str) -> i64 {
        self.devices.iter().find(|d| d.0 == serial).unwrap().1
    }
}

/// Runs `meterport collect --config FILE ARGS`: exit code, standard output, standard error.
async fn collect(config: &Path, args: &[&str]) -> (i32, String, String) {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_meterport"))
        .arg("collect")
        .arg("--config")
        .arg(config)
        .args(args)
        .env("RUST_LOG", "info")
        .output()
        .await
        .expect("meterport runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `meterport collect --config <config>` as a service (without `--once`), its output
/// discarded.
fn service(config: &Path) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_meterport"))
        .arg("collect")
        .arg("--config")
        .arg(config)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| Some(e.ok()?.file_name().to_string_lossy().into_owned()))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// A device's page as a user of the tenant sees it after logging in.
async fn device_screen(site: &Site, device_id: i64) -> String {
    let tenant = site.app.store.tenant(site.tenant_id).await.unwrap();
    site.app.user(&tenant, "siteuser", None, "en").await;
    let browser = Browser::on(&site.app);
    browser.login("siteuser", PASSWORD).await;
    browser.html(&format!("/devices/{device_id}")).await
}

/// The readings stored for a device, counted in the database itself.
async fn readings_of(app: &TestApp, device_id: i64) -> i64 {
    let row = sqlx::query("SELECT COUNT(*) FROM readings WHERE device_id = $1")
        .bind(device_id)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    sqlx::Row::get::<i64, _>(&row, 0)
}

fn today_in_tokyo() -> String {
    jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::get("Asia/Tokyo").unwrap())
        .strftime("%Y-%m-%d")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collect_once_delivers_every_registered_printer_and_the_apis_show_counters_conditions_and_supplies()
 {
    let site = Site::new().await;
    let config = site.config(&site.app.base, "");

    let (code, _, stderr) = collect(&config, &["--once"]).await;

    // The unregistered serial is refused and named; everything else is delivered.
    assert_eq!(code, 4, "{stderr}");
    assert!(
        stderr.contains(&format!(
            "serial {UNREGISTERED}: serial: is not a registered device"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("8 readings delivered"), "{stderr}");
    assert!(files(&site.spool().join("queue")).is_empty());
    let rejected = files(&site.spool().join("rejected"));
    assert_eq!(rejected.len(), 4, "{rejected:?}");
    let refused_reading = rejected
        .iter()
        .find(|f| f.ends_with("-readings.json"))
        .unwrap();
    let refused: Value = serde_json::from_str(
        &std::fs::read_to_string(site.spool().join("rejected").join(refused_reading)).unwrap(),
    )
    .unwrap();
    assert_eq!(refused[0]["serial"], UNREGISTERED);
    let reason = rejected
        .iter()
        .find(|f| f.ends_with("-readings.reason.json"))
        .unwrap();
    assert!(
        std::fs::read_to_string(site.spool().join("rejected").join(reason))
            .unwrap()
            .contains("is not a registered device")
    );

    // Devices: every registered one has its reading.
    let (status, list) = site.app.get("/api/v1/devices", &site.read).await;
    assert_eq!(status, 200);
    for d in list["devices"].as_array().unwrap() {
        assert!(d["last_reading_at"].is_string(), "{d}");
    }

    // Counters (cumulative of the day), by the vendor's own identity.
    let (canon, cells) = site.today("QXA12345").await;
    assert_eq!(cells["total1"], 152_340);
    assert_eq!(cells["color"], 40_210);
    assert_eq!(cells["mono_large"], 20_010);
    assert_eq!(cells["scan"], 12_000);
    assert_eq!(
        cells["copy"],
        Value::Null,
        "Canon's table has no copy total"
    );
    let (_, kyocera) = site.today("W2D8303202").await;
    assert_eq!(kyocera["total1"], 424_405);

    // Conditions and supplies of the device page.
    let d = site.device("QXA12345").await;
    assert_eq!(d["status"], "error");
    assert_eq!(d["conditions"][0]["code"], "alert.jam");
    assert_eq!(d["conditions"][0]["message"], "Paper jam: main unit");
    assert_eq!(d["conditions"].as_array().unwrap().len(), 1);
    assert_eq!(
        d["supplies"][2],
        json!({"name": "Magenta Toner", "kind": "toner", "color": "magenta",
               "level_percent": 3, "state": "low", "expected_empty": null})
    );
    assert_eq!(d["supplies"][3]["state"], "some_remaining");
    assert_eq!(d["supplies"][3]["level_percent"], Value::Null);
    assert_eq!(site.device("A7PU021012345").await["status"], "service_call");
    assert_eq!(site.device("E78123K9N456789").await["status"], "normal");

    // The device screen shows the same: the jam in the user's words with the printer's
    // text as a detail, the supplies named by kind and colour.
    let html = device_screen(&site, canon).await;
    assert!(
        texts(&html, "#conditions .message")
            .iter()
            .any(|m| m == "Paper jam"),
        "{html}"
    );
    assert!(
        texts(&html, "#conditions .device-text")
            .iter()
            .any(|m| m == "Paper jam: main unit"),
        "{html}"
    );
    let names = texts(&html, "#device-supplies .supply-name");
    let levels = texts(&html, "#device-supplies .pct");
    let magenta = names
        .iter()
        .position(|n| n.starts_with("Magenta toner"))
        .unwrap_or_else(|| panic!("a magenta toner in {names:?}"));
    assert_eq!(levels[magenta], "3%");

    // The operator's list of unknown serials names the unregistered printer.
    let (status, body) = site
        .app
        .get(
            &format!("/api/v1/admin/tenants/{}/unknown-serials", site.tenant_id),
            OPERATOR_TOKEN,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(each(&body["serials"], "serial"), [UNREGISTERED]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_prints_each_request_item_as_a_json_line_and_sends_and_spools_nothing() {
    let site = Site::new().await;
    let config = site.config(&site.app.base, "");

    let (code, stdout, stderr) = collect(&config, &["--dry-run"]).await;

    assert_eq!(code, 0, "{stderr}");
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let readings: Vec<&Value> = lines
        .iter()
        .filter(|l| l["endpoint"] == "/api/v1/ingest/readings")
        .collect();
    assert_eq!(readings.len(), 9);
    assert_eq!(lines.len(), 18, "a status report per device too");
    let hp = readings
        .iter()
        .find(|l| l["body"]["serial"] == "JPBCS12345")
        .unwrap();
    assert_eq!(
        hp["body"]["counters"],
        json!({"total1": 45_120, "color": 21_000, "duplex": 8_000})
    );
    assert!(stderr.contains("without a serial number"), "{stderr}");
    assert!(!site.spool().exists(), "nothing spooled");
    let (_, list) = site.app.get("/api/v1/devices", &site.read).await;
    assert!(
        list["devices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["last_reading_at"].is_null())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_portal_that_is_down_gets_every_poll_in_order_once_it_is_back() {
    let site = Site::new().await;
    let mut relay = Relay::new(&site.app.base);
    let config = site.config(&relay.url(), "");

    // Three polls while the portal is down: each is kept, the collector says so (exit 3).
    for _ in 0..3 {
        let (code, _, stderr) = collect(&config, &["--once"]).await;
        assert_eq!(code, 3, "{stderr}");
        // Another second, another read_at.
        tokio::time::sleep(Duration::from_millis(1100)).await;
    }
    assert_eq!(files(&site.spool().join("queue")).len(), 6);

    relay.up().await;
    let (code, _, stderr) = collect(&config, &["--once"]).await;

    assert_eq!(
        code, 4,
        "only the unregistered printer is refused: {stderr}"
    );
    assert!(files(&site.spool().join("queue")).is_empty());
    // Each printer's four polls went out oldest first.
    let sent = relay.readings_sent();
    for (serial, _) in &site.devices {
        let times: Vec<&str> = sent
            .iter()
            .filter(|(s, _)| s == serial)
            .map(|(_, t)| t.as_str())
            .collect();
        let mut sorted = times.clone();
        sorted.sort();
        assert_eq!(times, sorted, "{serial}: delivered in the order read");
        sorted.dedup();
        assert_eq!(sorted.len(), 4, "{serial}: {times:?}");
    }
    let (canon, cells) = site.today("QXA12345").await;
    assert_eq!(cells["total1"], 152_340);
    assert_eq!(
        readings_of(&site.app, canon).await,
        4,
        "every poll of the outage is stored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_9_of_the_collector_loses_nothing_it_had_read() {
    let site = Site::new().await;
    let mut relay = Relay::new(&site.app.base);
    let config = site.config(&relay.url(), "");

    // The collector as a service, the portal down: it polls, spools, and is killed.
    let mut child = service(&config);
    let queue = site.spool().join("queue");
    for _ in 0..200 {
        if files(&queue).iter().any(|f| f.ends_with("-status.json")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let pid = child.id().unwrap().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-9", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    child.wait().await.unwrap();
    assert_eq!(
        files(&queue).len(),
        2,
        "the killed poll's readings and status"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;

    relay.up().await;
    let (code, _, stderr) = collect(&config, &["--once"]).await;

    assert_eq!(code, 4, "{stderr}");
    assert!(files(&queue).is_empty());
    site.assert_readings_of_each(2, "the killed run's reading and the new one")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reading_the_portal_already_has_counts_as_delivered_and_leaves_the_spool() {
    let site = Site::new().await;
    let config = site.config(&site.app.base, "");
    // What a dry run would send, queued twice, as a collector killed between the portal's
    // answer and the removal of its file would find it at its next start.
    let (_, stdout, _) = collect(&config, &["--dry-run"]).await;
    let readings: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|l| {
            l["endpoint"] == "/api/v1/ingest/readings" && l["body"]["serial"] != UNREGISTERED
        })
        .map(|l| l["body"].clone())
        .collect();
    let queue = site.spool().join("queue");
    std::fs::create_dir_all(&queue).unwrap();
    for seq in [1, 2] {
        std::fs::write(
            queue.join(format!("{seq:020}-readings.json")),
            serde_json::to_vec(&readings).unwrap(),
        )
        .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let (code, _, stderr) = collect(&config, &["--once"]).await;

    assert_eq!(code, 4, "{stderr}");
    assert!(
        files(&queue).is_empty(),
        "the repeat was delivered, not retried"
    );
    assert_eq!(
        files(&site.spool().join("rejected"))
            .iter()
            .filter(|f| f.starts_with("00000000000000000002"))
            .count(),
        0,
        "a duplicate is not a refusal"
    );
    site.assert_readings_of_each(2, "the queued one and the new poll")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_once_it_delivers_as_it_goes_and_stops_cleanly_on_sigterm() {
    let site = Site::new().await;
    let config = site.config(&site.app.base, "");
    let mut child = service(&config);
    let canon = site.device_id("QXA12345");
    let mut delivered = false;
    for _ in 0..200 {
        if readings_of(&site.app, canon).await == 1 {
            delivered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(delivered, "the first poll was delivered");

    let pid = child.id().unwrap().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("it stops within 10 s")
        .unwrap();

    assert_eq!(status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_that_does_not_answer_is_named_and_exits_5_while_the_others_are_read() {
    let site = Site::new().await;
    let silent = agents::free_udp_port(Ipv4Addr::LOCALHOST);
    let config = site.config(
        &site.app.base,
        &format!("\n[[targets]]\naddress = \"127.0.0.1:{silent}\"\ncommunity = \"public\"\n"),
    );

    let (code, stdout, stderr) = collect(&config, &["--dry-run"]).await;

    assert_eq!(code, 5, "{stderr}");
    assert!(
        stderr.contains(&format!("no answer from 127.0.0.1:{silent}")),
        "{stderr}"
    );
    assert_eq!(stdout.lines().count(), 18, "the nine others were read");
}
