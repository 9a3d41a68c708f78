//! What operators watch (SPEC B3, issue 16): `/metrics` in the Prometheus text format, read
//! by a real parser, with values that follow known actions; and the JSON log of a whole
//! workload, which carries one event per request and none of the secrets used. Both run the
//! real `meterport serve` process (the metrics recorder and the log are the process's own).

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use lettre::address::Envelope;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use serde_json::{Value, json};

use crate::harness::smtp::SmtpServer;
use crate::harness::web::Browser;
use crate::harness::{OPERATOR_TOKEN, TestDb, mfp};

/// A `meterport serve` child process; its standard error goes to `log` when given.
struct Server {
    child: Child,
    base: String,
    smtp: std::net::SocketAddr,
    metrics: Option<String>,
}

impl Server {
    fn start(
        db: &TestDb,
        args: &[&str],
        env: &[(&str, &str)],
        log: Option<&std::path::Path>,
    ) -> Server {
        let stderr = match log {
            Some(path) => Stdio::from(std::fs::File::create(path).unwrap()),
            None => Stdio::null(),
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_meterport"))
            .args(["serve", "--listen", "127.0.0.1:0", "--database", &db.url])
            .args(["--smtp-listen", "127.0.0.1:0"])
            .args(args)
            .env("METERPORT_OPERATOR_TOKEN", OPERATOR_TOKEN)
            .env_remove("RUST_LOG")
            .env_remove("METERPORT_LOG_FORMAT")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("the meterport binary starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let (mut smtp, mut metrics) = (None, None);
        let base = loop {
            let line = lines
                .next()
                .expect("meterport printed its address")
                .unwrap();
            if let Some(rest) = line.split("takes meter mail on smtp://").nth(1) {
                smtp = Some(rest.trim().parse().unwrap());
            }
            if let Some(rest) = line.split("serves metrics on ").nth(1) {
                metrics = Some(rest.trim().to_string());
            }
            if let Some(rest) = line.split("listening on ").nth(1) {
                break rest.trim_end_matches('/').to_string();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            base,
            smtp: smtp.unwrap(),
            metrics,
        }
    }

    /// SIGTERM, then waits for the exit (so that the log is complete).
    fn stop(&mut self) {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        for _ in 0..200 {
            if self.child.try_wait().unwrap().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("meterport did not stop");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// An operator request that must answer `status`: its body.
async fn operator(
    client: &reqwest::Client,
    base: &str,
    path: &str,
    body: Value,
    status: u16,
) -> Value {
    let res = client
        .post(format!("{base}{path}"))
        .bearer_auth(OPERATOR_TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), status, "{path}");
    res.json().await.unwrap()
}

async fn ingest(client: &reqwest::Client, base: &str, token: &str, body: Value) -> (u16, Value) {
    let res = client
        .post(format!("{base}/api/v1/ingest/readings"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

/// A scrape with `token`: the status and the text.
async fn scrape(client: &reqwest::Client, url: &str, token: Option<&str>) -> (u16, String) {
    let mut req = client.get(url);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// The samples of a scrape, parsed by a Prometheus text-format parser: name, labels and
/// value (a histogram's value is its count).
struct Metrics(Vec<(String, HashMap<String, String>, f64)>);

impl Metrics {
    fn parse(text: &str) -> Metrics {
        use openmetrics_parser::PrometheusValue;
        let exposition = openmetrics_parser::prometheus::parse_prometheus(text)
            .expect("the Prometheus text format");
        let mut samples = Vec::new();
        for (name, family) in &exposition.families {
            for sample in family.iter_samples() {
                let labels = sample
                    .get_labelset()
                    .expect("labels")
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                let value = match &sample.value {
                    PrometheusValue::Unknown(n) | PrometheusValue::Gauge(n) => n.as_f64(),
                    PrometheusValue::Counter(c) => c.value.as_f64(),
                    PrometheusValue::Histogram(h) => h.count.unwrap_or(0) as f64,
                    PrometheusValue::Summary(_) => panic!("{name} is a summary"),
                };
                samples.push((name.clone(), labels, value));
            }
        }
        Metrics(samples)
    }

    /// The sum of the samples `name` that have these labels among theirs; 0 when there is
    /// none (a counter not yet incremented).
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.0
            .iter()
            .filter(|(n, l, _)| {
                n == name
                    && labels
                        .iter()
                        .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
            })
            .map(|(_, _, v)| v)
            .sum()
    }

    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _, _)| n == name)
    }
}

fn reading(serial: &str, day: u32, total: i64) -> Value {
    json!({"serial": serial, "read_at": format!("2024-05-{day:02}T09:00:00+09:00"),
           "counters": {"total1": total, "color": total / 2, "mono": total - total / 2}})
}

#[tokio::test]
async fn metrics_answer_the_operator_token_only_in_the_prometheus_format_and_follow_what_happens() {
    let db = TestDb::new().await;
    // No --log-format: standard error is a file here, so the log is JSON.
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("serve.log");
    let server = Server::start(&db, &["--metrics-listen", "127.0.0.1:0"], &[], Some(&log));
    let client = reqwest::Client::new();
    let base = &server.base;
    let tenant = operator(
        &client,
        base,
        "/api/v1/admin/tenants",
        json!({"name": "Metrics"}),
        201,
    )
    .await;
    let tid = tenant["id"].as_i64().unwrap();
    let t = format!("/api/v1/admin/tenants/{tid}");
    for serial in ["MT-1", "MT-2", "MT-3"] {
        operator(
            &client,
            base,
            &format!("{t}/devices"),
            mfp(serial, serial),
            201,
        )
        .await;
    }
    let ingest_token = operator(&client, base, &format!("{t}/ingest-tokens"), json!({}), 201).await;
    let ingest_token = ingest_token["token"].as_str().unwrap().to_string();
    operator(
        &client,
        base,
        &format!("{t}/users"),
        json!({"username": "reader", "password": "secret123"}),
        201,
    )
    .await;
    let read = operator(
        &client,
        base,
        &format!("{t}/api-tokens"),
        json!({"username": "reader"}),
        201,
    )
    .await;
    let read = read["token"].as_str().unwrap().to_string();

    // Refused without the operator token, on both addresses; never with a customer's token.
    let metrics_url = format!("{base}/metrics");
    let side_url = server.metrics.clone().expect("--metrics-listen printed");
    for url in [&metrics_url, &side_url] {
        assert_eq!(scrape(&client, url, None).await.0, 401, "{url}");
        assert_eq!(scrape(&client, url, Some(&read)).await.0, 401, "{url}");
        assert_eq!(
            scrape(&client, url, Some(&ingest_token)).await.0,
            401,
            "{url}"
        );
        assert_eq!(
            scrape(&client, url, Some("not-the-token")).await.0,
            401,
            "{url}"
        );
    }

    // Five readings of two devices, accepted in two requests.
    let (status, body) = ingest(
        &client,
        base,
        &ingest_token,
        json!([
            reading("MT-1", 1, 100),
            reading("MT-1", 2, 150),
            reading("MT-1", 3, 190),
        ]),
    )
    .await;
    assert_eq!(
        (status, body["accepted"].as_i64()),
        (200, Some(3)),
        "{body}"
    );
    let (status, _) = ingest(
        &client,
        base,
        &ingest_token,
        json!([reading("MT-2", 1, 10), reading("MT-2", 2, 20)]),
    )
    .await;
    assert_eq!(status, 200);

    let (status, text) = scrape(&client, &metrics_url, Some(OPERATOR_TOKEN)).await;
    assert_eq!(status, 200, "{text}");
    let first = Metrics::parse(&text);
    let readings = "meterport_ingest_readings_total";
    assert_eq!(first.value(readings, &[("outcome", "accepted")]), 5.0);
    assert_eq!(first.value(readings, &[("outcome", "duplicate")]), 0.0);
    let route = [("route", "/api/v1/ingest/readings"), ("method", "POST")];
    assert_eq!(
        first.value(
            "meterport_http_requests_total",
            &[route[0], route[1], ("status", "200")]
        ),
        2.0
    );
    assert_eq!(
        first.value("meterport_http_request_duration_seconds", &route),
        2.0,
        "a histogram count"
    );
    // The route label is the template, never the raw path.
    assert!(
        first.value(
            "meterport_http_requests_total",
            &[("route", "/api/v1/admin/tenants/{tenant_id}/devices")]
        ) >= 3.0
    );
    assert!(
        !text.contains(&format!("/api/v1/admin/tenants/{tid}/")),
        "raw paths are labels"
    );
    assert!(first.value("meterport_ingest_commit_size", &[]) >= 2.0);
    assert!(first.value("meterport_ingest_commit_duration_seconds", &[]) >= 2.0);
    // Devices by status and reporting state, per tenant: the two that sent counters are
    // normal (S9), the third unknown and never heard from.
    let tenant = tid.to_string();
    let tenant = ("tenant", tenant.as_str());
    assert_eq!(
        first.value("meterport_devices", &[tenant, ("status", "unknown")]),
        1.0
    );
    assert_eq!(
        first.value("meterport_devices", &[tenant, ("status", "normal")]),
        2.0
    );
    assert_eq!(
        first.value("meterport_devices", &[tenant, ("status", "error")]),
        0.0
    );
    assert_eq!(
        first.value(
            "meterport_devices_reporting",
            &[tenant, ("state", "reporting")]
        ),
        2.0
    );
    assert_eq!(
        first.value("meterport_devices_reporting", &[tenant, ("state", "never")]),
        1.0
    );
    assert_eq!(
        first.value("meterport_devices_reporting", &[tenant, ("state", "late")]),
        0.0
    );
    assert_eq!(first.value("meterport_mail_outbox_depth", &[]), 0.0);
    assert!(
        first.has("meterport_mail_failures_total")
            || !text.contains("meterport_mail_failures_total{")
    );
    assert!(first.value("meterport_db_pool_max_connections", &[]) >= 1.0);
    assert!(first.has("meterport_db_pool_connections"));
    assert!(
        first.value("meterport_db_pool_connections", &[("state", "idle")])
            + first.value("meterport_db_pool_connections", &[("state", "in_use")])
            >= 1.0
    );
    assert!(
        first.value("process_resident_memory_bytes", &[]) > 1e6,
        "the process metrics"
    );

    // Two duplicates and one new reading; then a refused request (one unknown serial and
    // one negative value) stores nothing.
    let (status, body) = ingest(
        &client,
        base,
        &ingest_token,
        json!([
            reading("MT-1", 1, 100),
            reading("MT-1", 2, 150),
            reading("MT-1", 4, 230),
        ]),
    )
    .await;
    assert_eq!(
        (status, body["duplicates"].as_i64()),
        (200, Some(2)),
        "{body}"
    );
    let mut negative = reading("MT-2", 3, 30);
    negative["counters"]["total1"] = json!(-1);
    let (status, _) = ingest(
        &client,
        base,
        &ingest_token,
        json!([reading("NOBODY-1", 1, 5), negative, reading("MT-2", 4, 40)]),
    )
    .await;
    assert_eq!(status, 422);

    let (status, text) = scrape(&client, &side_url, Some(OPERATOR_TOKEN)).await;
    assert_eq!(status, 200);
    let second = Metrics::parse(&text);
    let grew =
        |labels: &[(&str, &str)]| second.value(readings, labels) - first.value(readings, labels);
    assert_eq!(grew(&[("outcome", "accepted")]), 1.0);
    assert_eq!(grew(&[("outcome", "duplicate")]), 2.0);
    assert_eq!(
        grew(&[("outcome", "refused"), ("reason", "unknown_serial")]),
        1.0
    );
    assert_eq!(grew(&[("outcome", "refused"), ("reason", "negative")]), 1.0);
    assert_eq!(
        grew(&[("outcome", "refused")]),
        2.0,
        "the valid item of a refused request is not counted as refused"
    );
    assert_eq!(
        second.value(
            "meterport_http_requests_total",
            &[route[0], route[1], ("status", "422")]
        ),
        1.0
    );
    let first_line = std::fs::read_to_string(&log).unwrap();
    let first_line = first_line.lines().next().expect("a log line");
    assert!(
        serde_json::from_str::<Value>(first_line).is_ok(),
        "JSON by default: {first_line}"
    );
    // The first scrape through the main address was counted under its own route.
    assert!(
        second.value(
            "meterport_http_requests_total",
            &[("route", "/metrics"), ("status", "200")]
        ) >= 1.0
    );
}

#[tokio::test]
async fn the_json_log_of_a_whole_workload_has_one_event_per_request_and_none_of_its_secrets() {
    let db = TestDb::new().await;
    let mail = SmtpServer::start();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("serve.log");
    let smtp_url = mail.url();
    let mut server = Server::start(
        &db,
        &["--log-format", "json"],
        &[
            ("METERPORT_SMTP_URL", &smtp_url),
            ("METERPORT_MAIL_FROM", "portal@example.com"),
        ],
        Some(&log),
    );
    let client = reqwest::Client::new();
    let base = server.base.clone();
    let email = "secret.person@customer-mail.example";
    let password = "first-Pass-9731";
    let wrong = "wrong-Guess-4412";
    let new_password = "second-Pass-5524";

    let tenant = operator(
        &client,
        &base,
        "/api/v1/admin/tenants",
        json!({"name": "Logs"}),
        201,
    )
    .await;
    let tid = tenant["id"].as_i64().unwrap();
    let t = format!("/api/v1/admin/tenants/{tid}");
    operator(
        &client,
        &base,
        &format!("{t}/users"),
        json!({"username": "logged", "password": password, "email": email, "language": "en"}),
        201,
    )
    .await;
    operator(
        &client,
        &base,
        &format!("{t}/devices"),
        mfp("LOG-1", "Logged MFP"),
        201,
    )
    .await;
    let ingest_token = operator(
        &client,
        &base,
        &format!("{t}/ingest-tokens"),
        json!({}),
        201,
    )
    .await;
    let ingest_token = ingest_token["token"].as_str().unwrap().to_string();
    let read = operator(
        &client,
        &base,
        &format!("{t}/api-tokens"),
        json!({"username": "logged"}),
        201,
    )
    .await;
    let read = read["token"].as_str().unwrap().to_string();

    // Ingest over HTTP (accepted and refused) and by meter mail.
    let (status, _) = ingest(
        &client,
        &base,
        &ingest_token,
        json!([reading("LOG-1", 1, 100)]),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = ingest(
        &client,
        &base,
        &ingest_token,
        json!([reading("UNKNOWN-1", 1, 100)]),
    )
    .await;
    assert_eq!(status, 422);
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(server.smtp.port())
        .build();
    let sender = "meter.sender@device-site.example";
    let envelope = Envelope::new(
        Some(sender.parse().unwrap()),
        vec![format!("{ingest_token}@portal.example").parse().unwrap()],
    )
    .unwrap();
    let body = reading("LOG-1", 2, 150).to_string();
    let message = format!(
        "From: {sender}\r\nTo: meter@portal.example\r\nSubject: counters\r\nContent-Type: application/json\r\n\r\n{body}\r\n"
    );
    transport
        .send_raw(&envelope, message.as_bytes())
        .await
        .expect("the meter mail is stored");
    let refused = format!("From: {sender}\r\nSubject: counters\r\n\r\nnot a report\r\n");
    assert!(
        transport
            .send_raw(&envelope, refused.as_bytes())
            .await
            .is_err(),
        "refused"
    );

    // The read API with the read token, with a query string.
    for path in [
        "/api/v1/devices",
        "/api/v1/counters?unit=month&from=2024-04&to=2024-05",
    ] {
        let res = client
            .get(format!("{base}{path}"))
            .bearer_auth(&read)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{path}");
    }
    // Logins through the form: a wrong password, then the right one.
    let browser = Browser::at(&base);
    let refused = browser.login_to("logged", wrong, "/welcome").await;
    assert_eq!(refused.status, 401, "the form again");
    let login = browser.login("logged", password).await;
    let session = login.cookie("mp_session").expect("a session cookie");
    browser.get_ok("/devices").await;
    // A forgotten password: the link comes by mail, and the new password logs in.
    let other = Browser::at(&base);
    other
        .submit(
            "/forgot-password",
            "/forgot-password",
            &[("username", "logged")],
            200,
        )
        .await;
    let mailed = mail.wait_for(email, Duration::from_secs(20)).await;
    // The link names the address `serve` was told (port 0): its path is what counts.
    let link_token = mailed.first_link().rsplit('/').next().unwrap().to_string();
    let link = format!("/reset-password/{link_token}");
    assert_eq!(link_token.len(), 64, "{link}");
    other
        .submit(
            &link,
            &link,
            &[
                ("new_password", new_password),
                ("confirmation", new_password),
            ],
            303,
        )
        .await;
    Browser::at(&base).login("logged", new_password).await;
    // The operator's scrape.
    assert_eq!(
        scrape(&client, &format!("{base}/metrics"), Some(OPERATOR_TOKEN))
            .await
            .0,
        200
    );

    server.stop();
    let text = std::fs::read_to_string(&log).unwrap();
    let events: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    let requests: Vec<&Value> = events
        .iter()
        .filter(|e| e["target"] == "meterport::http")
        .collect();
    assert!(requests.len() >= 20, "{} request events", requests.len());
    for e in &requests {
        assert!(e["route"].is_string() && e["method"].is_string(), "{e}");
        assert!(e["status"].is_u64() && e["latency_ms"].is_number(), "{e}");
    }
    let find = |method: &str, route: &str| -> HashMap<String, Value> {
        let e = requests
            .iter()
            .find(|e| e["method"] == method && e["route"] == route)
            .unwrap_or_else(|| panic!("no event for {method} {route}"));
        e.as_object().unwrap().clone().into_iter().collect()
    };
    let counters = find("GET", "/api/v1/counters");
    assert_eq!(counters["status"], 200);
    assert_eq!(counters["tenant.id"], tid, "the read token's tenant");
    assert_eq!(find("POST", "/api/v1/ingest/readings")["tenant.id"], tid);
    assert_eq!(
        find("GET", "/devices")["tenant.id"],
        tid,
        "the session's tenant"
    );
    assert_eq!(
        find("POST", "/reset-password/{token}")["status"],
        303,
        "the template, not the link"
    );
    assert_eq!(find("POST", "/api/v1/admin/tenants")["status"], 201);
    assert!(
        events
            .iter()
            .any(|e| e["level"] == "INFO" && e["fields"].is_null()),
        "flattened fields"
    );

    let secrets = [
        ("the operator token", OPERATOR_TOKEN.to_string()),
        ("the ingest token", ingest_token.clone()),
        ("the read token", read.clone()),
        ("the password", password.to_string()),
        ("the wrong password", wrong.to_string()),
        ("the new password", new_password.to_string()),
        ("the e-mail address", email.to_string()),
        ("the meter mail's sender", sender.to_string()),
        ("the session cookie", session.clone()),
        ("the reset link's token", link_token.clone()),
        ("a query string", "from=2024-04".to_string()),
    ];
    for (what, secret) in secrets {
        assert!(!text.contains(&secret), "{what} is in the log");
    }
    // And the local parts of the addresses are not there either (domains are).
    assert!(!text.contains("secret.person"), "a user's address");
    assert!(!text.contains("meter.sender"), "a sender's address");
}
