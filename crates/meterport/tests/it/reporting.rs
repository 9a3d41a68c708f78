//! Devices that stop reporting, and the fleet at a glance on the welcome screen ("Fleet
//! health by e-mail", items 3 and 5), for real: readings, status reports and meter mails
//! arrive through the ingest API and the SMTP listener while the test moves the clock; the
//! read API, the device list, the device page and the welcome screen say which devices are
//! not reporting; the notifier's rounds mail the users who chose it, read back from a real
//! SMTP server; the operator sets a device's own threshold with `meterport admin`.

use std::time::Duration;

use meterport_portal::service::notify::{Round, round};
use meterport_store::notifications::{NotificationSettings, Scope};
use meterport_store::tenants::Tenant;
use meterport_store::users::hash_password;
use serde_json::{Value, json};

use crate::harness::smtp::SmtpServer;
use crate::harness::web::{Browser, attrs, texts};
use crate::harness::{T0, TestApp, admin, mfp};

const MIN: i64 = 60_000;
const HOUR: i64 = 3_600_000;
const PASSWORD: &str = "secret123";

/// RFC 3339 in UTC, as the API writes times.
fn iso(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).unwrap().to_string()
}

/// A tenant with its tokens and a user `yamada` (English) logged in through the login form.
struct Fleet {
    app: TestApp,
    tenant: Tenant,
    ingest: String,
    read: String,
    web: Browser,
}

impl Fleet {
    async fn new(app: TestApp) -> Fleet {
        let tenant = app.tenant("acme", "Asia/Tokyo").await;
        let ingest = app.ingest_token(&tenant).await;
        let read = app.read_token(&tenant).await;
        app.store
            .create_user(
                tenant.id,
                "yamada",
                &hash_password(PASSWORD),
                Some("yamada@example.com"),
                "en",
                T0,
            )
            .await
            .unwrap();
        let web = Browser::on(&app);
        web.login("yamada", PASSWORD).await;
        Fleet {
            app,
            tenant,
            ingest,
            read,
            web,
        }
    }

    async fn device(&self, serial: &str, name: &str) -> i64 {
        self.app.device(&self.tenant, mfp(serial, name)).await
    }

    /// Moves the clock to `at`.
    fn at(&self, at: i64) {
        self.app.clock.set(at);
    }

    /// A reading of `serial` taken at `read_at`, arriving now.
    async fn reading(&self, serial: &str, read_at: i64, total: i64) -> Value {
        let body =
            json!({"serial": serial, "read_at": iso(read_at), "counters": {"total1": total}});
        let (status, answer) = self
            .app
            .post("/api/v1/ingest/readings", &self.ingest, &body)
            .await;
        assert_eq!(status, 200, "{answer}");
        answer
    }

    /// A status report of `serial` taken at `at`, arriving now, with these supplies
    /// `(name, level)`.
    async fn status(&self, serial: &str, at: i64, conditions: Value, supplies: &[(&str, i64)]) {
        let supplies: Vec<Value> = supplies
            .iter()
            .map(|(name, level)| json!({"name": name, "kind": "toner", "level_percent": level}))
            .collect();
        let body = json!({"serial": serial, "at": iso(at), "conditions": conditions,
                          "supplies": supplies});
        let (status, answer) = self
            .app
            .post("/api/v1/ingest/status", &self.ingest, &body)
            .await;
        assert_eq!(status, 200, "{answer}");
    }

    /// `(reporting, last_report_at)` of each device of the read API's list, by serial.
    async fn reporting(&self) -> std::collections::BTreeMap<String, (Value, Value)> {
        let (status, body) = self.app.get("/api/v1/devices", &self.read).await;
        assert_eq!(status, 200, "{body}");
        body["devices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["serial"].as_str().unwrap().to_string(),
                    (d["reporting"].clone(), d["last_report_at"].clone()),
                )
            })
            .collect()
    }

    /// The read API's device detail.
    async fn detail(&self, id: i64) -> Value {
        let (status, body) = self
            .app
            .get(&format!("/api/v1/devices/{id}"), &self.read)
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// A screen at the clock's time: logged in anew, as the clock may have moved past the
    /// session's timeouts.
    async fn page(&self, path: &str) -> String {
        let web = Browser::on(&self.app);
        web.login("yamada", PASSWORD).await;
        web.get_ok(path).await.html
    }
}

fn ok(at: i64) -> (Value, Value) {
    (json!("ok"), json!(iso(at)))
}

fn late(at: i64) -> (Value, Value) {
    (json!("late"), json!(iso(at)))
}

fn never() -> (Value, Value) {
    (Value::Null, Value::Null)
}

/// The ids of the device rows of a list, in order.
fn row_ids(html: &str) -> Vec<i64> {
    attrs(html, "tr[data-device-id]", "data-device-id")
        .iter()
        .map(|id| id.parse().unwrap())
        .collect()
}

/// The count on a chip of the device list.
fn chip(html: &str, status: &str) -> String {
    let counts = texts(html, &format!("[data-status=\"{status}\"] .chip-count"));
    assert_eq!(counts.len(), 1, "one {status} chip in {html}");
    counts[0].clone()
}

#[tokio::test]
async fn a_device_silent_for_longer_than_the_threshold_is_not_reporting_until_a_report_arrives() {
    let f = Fleet::new(TestApp::spawn().await).await;
    let a = f.device("MFP-A", "3F copier").await;
    let b = f.device("MFP-B", "2F printer").await;
    let c = f.device("MFP-C", "New copier").await;
    // A sends a reading taken an hour ago; B only status reports; C nothing yet.
    f.at(T0);
    f.reading("MFP-A", T0 - HOUR, 100).await;
    f.at(T0 + HOUR);
    f.status("MFP-B", T0 + HOUR, json!([]), &[]).await;

    let list = f.reporting().await;
    assert_eq!(list["MFP-A"], ok(T0), "heard when the reading arrived");
    assert_eq!(list["MFP-B"], ok(T0 + HOUR));
    assert_eq!(list["MFP-C"], never(), "never heard from: not late");

    // The tenant's threshold is 48 hours: late one instant after it has passed.
    f.at(T0 + 48 * HOUR);
    assert_eq!(f.reporting().await["MFP-A"], ok(T0));
    f.at(T0 + 48 * HOUR + 1);
    let list = f.reporting().await;
    assert_eq!(list["MFP-A"], late(T0));
    assert_eq!(list["MFP-B"], ok(T0 + HOUR));
    assert_eq!(list["MFP-C"], never());
    let detail = f.detail(a).await;
    assert_eq!(
        (&detail["reporting"], &detail["last_report_at"]),
        (&json!("late"), &json!(iso(T0)))
    );
    assert_eq!(
        detail["last_reading_at"],
        iso(T0 - HOUR),
        "the reading's own time"
    );
    assert_eq!(
        detail["status"], "normal",
        "its status is what it last said"
    );

    // The device list: its own badge, a chip that counts and filters, a sortable column.
    f.at(T0 + 48 * HOUR + 30 * MIN);
    let html = f.page("/devices").await;
    assert_eq!(chip(&html, "late"), "1");
    assert_eq!(
        chip(&html, "all"),
        "3",
        "not reporting is not a status of its own"
    );
    assert_eq!(
        attrs(
            &html,
            "tr[data-device-id] [data-reporting=late]",
            "data-reporting"
        )
        .len(),
        1
    );
    let filtered = f.page("/devices?reporting=late").await;
    assert_eq!(row_ids(&filtered), [a]);
    assert_eq!(
        texts(&filtered, "#late-chip[aria-current=true] .chip-label"),
        ["Not reporting"]
    );
    let newest_last = f.page("/devices?sort=last_report&dir=asc").await;
    assert_eq!(
        row_ids(&newest_last),
        [a, b, c],
        "not reporting first, then the oldest report; never heard from last"
    );
    let newest_first = f.page("/devices?sort=last_report&dir=desc").await;
    assert_eq!(row_ids(&newest_first), [b, a, c]);
    let cells = texts(&html, &format!("tr[data-device-id=\"{c}\"] td.last-report"));
    assert_eq!(cells, ["never"]);
    let page = f.page(&format!("/devices/{a}")).await;
    assert_eq!(
        texts(&page, "#not-reporting-since"),
        ["No report since 1 Dec 2021 09:00:00."]
    );
    assert!(page.contains("for more than 48 hours"), "{page}");
    assert_eq!(texts(&page, "#device-last-report"), ["1 Dec 2021 09:00:00"]);
    let fine = f.page(&format!("/devices/{b}")).await;
    assert!(!fine.contains("id=\"not-reporting\""), "{fine}");

    // What says nothing new does not clear it: a repeat of a stored reading, and a status
    // report older than the last one applied.
    f.at(T0 + 49 * HOUR + 30 * MIN);
    let repeat = f.reading("MFP-A", T0 - HOUR, 100).await;
    assert_eq!(repeat["duplicates"], 1);
    f.status("MFP-B", T0, json!([]), &[]).await;
    let list = f.reporting().await;
    assert_eq!(list["MFP-A"], late(T0));
    assert_eq!(list["MFP-B"], late(T0 + HOUR));

    // A report arriving clears it, even one taken long ago (a collector's backlog): what
    // counts is that it arrived.
    f.at(T0 + 50 * HOUR);
    f.reading("MFP-A", T0 - 48 * HOUR, 50).await;
    f.status("MFP-B", T0 + 50 * HOUR, json!([]), &[]).await;
    let list = f.reporting().await;
    assert_eq!(list["MFP-A"], ok(T0 + 50 * HOUR));
    assert_eq!(list["MFP-B"], ok(T0 + 50 * HOUR));
    assert_eq!(
        f.detail(a).await["last_reading_at"],
        iso(T0 - HOUR),
        "the latest reading is still the one taken last"
    );
    assert_eq!(chip(&f.page("/devices").await, "late"), "0");
    assert!(row_ids(&f.page("/devices?reporting=late").await).is_empty());
}

#[tokio::test]
async fn the_operator_gives_a_weekly_device_a_threshold_of_its_own() {
    let f = Fleet::new(TestApp::spawn().await).await;
    let daily = f.device("MFP-D", "Daily copier").await;
    let weekly = f.device("MFP-W", "Weekly copier").await;
    let other = f.app.tenant("globex", "Asia/Tokyo").await;
    let theirs = f.app.device(&other, mfp("G-1", "Theirs")).await;
    f.at(T0);
    f.reading("MFP-D", T0, 100).await;
    f.reading("MFP-W", T0, 100).await;
    let db = f.app.db.url.clone();
    let tenant = f.tenant.id.to_string();
    let set = |id: i64, args: &[&str]| {
        let id = id.to_string();
        let mut all = vec!["device", "set-reporting", "--tenant", &tenant, &id];
        all.extend_from_slice(args);
        admin(&db, &all, "")
    };

    let (done, out, err) = set(weekly, &["--late-after-hours", "192"]);
    assert!(done, "{err}");
    assert!(out.contains("Weekly copier"), "{out}");
    assert!(err.contains("192 h"), "{err}");
    let (done, _, err) = set(weekly, &["--late-after-hours", "0"]);
    assert!(!done);
    assert!(err.contains("late_after_hours"), "{err}");
    let (done, _, err) = set(theirs, &["--late-after-hours", "10"]);
    assert!(!done, "another tenant's device is not found");
    assert!(err.contains("device"), "{err}");
    let (done, _, _) = set(weekly, &[]);
    assert!(!done, "hours or --tenant-default");

    f.at(T0 + 72 * HOUR);
    let list = f.reporting().await;
    assert_eq!(list["MFP-D"], late(T0));
    assert_eq!(list["MFP-W"], ok(T0), "192 hours of its own");
    assert_eq!(f.detail(weekly).await["late_after_hours"], 192);
    assert_eq!(f.detail(daily).await["late_after_hours"], Value::Null);
    f.at(T0 + 192 * HOUR + 1);
    assert_eq!(f.reporting().await["MFP-W"], late(T0));
    let page = f.page(&format!("/devices/{weekly}")).await;
    assert!(page.contains("for more than 192 hours"), "{page}");
    let entries = f
        .app
        .store
        .list_audit(Some(f.tenant.id), None, 10)
        .await
        .unwrap();
    assert_eq!(entries[0].action, "device_reporting_changed");

    // Back to the tenant's threshold, which the operator raises to 200 hours.
    let (done, _, err) = set(weekly, &["--tenant-default"]);
    assert!(done, "{err}");
    assert_eq!(f.detail(weekly).await["late_after_hours"], Value::Null);
    let (done, _, err) = admin(
        &db,
        &[
            "tenant",
            "set-notifications",
            "--tenant",
            &tenant,
            "--late-after-hours",
            "200",
        ],
        "",
    );
    assert!(done, "{err}");
    let list = f.reporting().await;
    assert_eq!(list["MFP-D"], ok(T0));
    assert_eq!(list["MFP-W"], ok(T0));
    let _ = daily;
}

#[tokio::test]
async fn a_device_that_reports_by_mail_follows_the_same_rule_with_its_mails() {
    use lettre::{AsyncTransport, Tokio1Executor, address::Envelope};

    let f = Fleet::new(TestApp::spawn().await).await;
    let mut m = mfp("MAIL-1", "Mailing copier");
    m["protocol"] = json!("smtp");
    let id = f.app.device(&f.tenant, m).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopping) = tokio::sync::watch::channel(false);
    tokio::spawn(meterport_portal::smtp::serve(
        listener,
        f.app.state.clone(),
        Default::default(),
        stopping,
    ));
    let transport = lettre::AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
        .port(port)
        .timeout(Some(Duration::from_secs(60)))
        .build();
    let to = format!("{}@portal.example", f.ingest);
    let mail = |read_at: i64, total: i64| {
        let body = json!({"serial": "MAIL-1", "read_at": iso(read_at),
                          "counters": {"total1": total}});
        format!(
            "From: device@site.example\r\nTo: {to}\r\nDate: Wed, 1 Dec 2021 09:00:00 +0900\r\n\
             Subject: counters\r\nMIME-Version: 1.0\r\nContent-Type: application/json\r\n\r\n{body}\r\n"
        )
    };
    let envelope = Envelope::new(
        Some("device@site.example".parse().unwrap()),
        vec![to.parse().unwrap()],
    )
    .unwrap();

    f.at(T0);
    transport
        .send_raw(&envelope, mail(T0 - HOUR, 10).as_bytes())
        .await
        .expect("stored");
    assert_eq!(f.reporting().await["MAIL-1"], ok(T0));
    f.at(T0 + 48 * HOUR + 1);
    assert_eq!(f.reporting().await["MAIL-1"], late(T0));
    let detail = f.detail(id).await;
    assert_eq!(
        detail["status"], "normal",
        "a device that reports by mail has no status, but it can stop reporting"
    );
    f.at(T0 + 49 * HOUR);
    transport
        .send_raw(&envelope, mail(T0 + 48 * HOUR, 20).as_bytes())
        .await
        .expect("stored");
    assert_eq!(f.reporting().await["MAIL-1"], ok(T0 + 49 * HOUR));
    stop.send_replace(true);
}

/// A user of `tenant` with these choices of the notification screen.
async fn user(
    app: &TestApp,
    tenant: &Tenant,
    name: &str,
    email: Option<&str>,
    lang: &str,
    late: Scope,
) {
    let user = app
        .store
        .create_user(tenant.id, name, &hash_password(PASSWORD), email, lang, T0)
        .await
        .unwrap();
    let settings = NotificationSettings {
        late,
        ..NotificationSettings::default()
    };
    app.store
        .set_notification_settings(tenant.id, user.id, &settings, T0)
        .await
        .unwrap();
}

#[tokio::test]
async fn users_who_chose_it_are_mailed_once_per_stop_about_the_devices_of_their_choice() {
    let smtp = SmtpServer::start();
    let f = Fleet::new(TestApp::spawn_with_mail(&smtp.url()).await).await;
    let app = &f.app;
    let acme = f.tenant.clone();
    let mut a = mfp("MFP-A", "3F copier");
    a["location"] = "3F east".into();
    let a = app.device(&acme, a).await;
    let b = f.device("MFP-B", "2F printer").await;
    let floor3 = app
        .store
        .create_group(acme.id, "3F", &[a], T0)
        .await
        .unwrap()
        .id;
    user(
        app,
        &acme,
        "sato",
        Some("sato@example.com"),
        "ja",
        Scope::AllDevices,
    )
    .await;
    user(
        app,
        &acme,
        "smith",
        Some("smith@example.com"),
        "en",
        Scope::Groups(vec![floor3]),
    )
    .await;
    user(app, &acme, "nomail", None, "en", Scope::AllDevices).await;
    // Chose warnings only: hears nothing of devices that stop reporting.
    let wendy = app
        .store
        .create_user(
            acme.id,
            "wendy",
            &hash_password(PASSWORD),
            Some("wendy@example.com"),
            "en",
            T0,
        )
        .await
        .unwrap();
    app.store
        .set_notification_settings(
            acme.id,
            wendy.id,
            &NotificationSettings {
                warning: Scope::AllDevices,
                ..NotificationSettings::default()
            },
            T0,
        )
        .await
        .unwrap();
    // Another tenant's user hears of her own device only.
    let globex = app.tenant("globex", "Asia/Tokyo").await;
    app.device(&globex, mfp("G-1", "Globex copier")).await;
    user(
        app,
        &globex,
        "gina",
        Some("gina@example.com"),
        "en",
        Scope::AllDevices,
    )
    .await;
    let globex_ingest = app.ingest_token(&globex).await;

    let round_at = |at: i64| {
        app.clock.set(at);
        round(&app.services, &app.base, at)
    };
    f.at(T0);
    f.reading("MFP-A", T0, 100).await;
    f.status("MFP-B", T0, json!([]), &[]).await;
    let (status, _) = app
        .post(
            "/api/v1/ingest/readings",
            &globex_ingest,
            &json!({"serial": "G-1", "read_at": iso(T0), "counters": {"total1": 5}}),
        )
        .await;
    assert_eq!(status, 200);

    assert_eq!(round_at(T0 + 47 * HOUR).await.unwrap(), Round::default());
    let r = round_at(T0 + 48 * HOUR + MIN).await.unwrap();
    assert_eq!(
        r,
        Round {
            mails: 3,
            without_address: 1,
            ..Round::default()
        }
    );
    let sato = smtp
        .wait_for("sato@example.com", Duration::from_secs(20))
        .await;
    assert_eq!(
        sato.subject,
        "【Customer Portal】2 台のデバイスから報告が途絶えています"
    );
    for line in [
        "3F copier",
        "2F printer",
        "最終報告日時: 2021/12/01 09:00 (Asia/Tokyo)",
        "48 時間を超えて報告がありません",
        "設置場所: 3F east",
        "グループ: 3F",
    ] {
        assert!(sato.text.contains(line), "{line}: {}", sato.text);
    }
    assert!(
        sato.text
            .contains(&format!("{}/devices?reporting=late", app.base)),
        "{}",
        sato.text
    );
    let smith = smtp
        .wait_for("smith@example.com", Duration::from_secs(20))
        .await;
    assert_eq!(smith.subject, "[Customer Portal] Not reporting: 3F copier");
    assert!(
        smith
            .text
            .contains("Last report: 2021/12/01 09:00 (Asia/Tokyo)"),
        "{}",
        smith.text
    );
    assert!(
        smith.text.contains(&format!("{}/devices/{a}", app.base)),
        "{}",
        smith.text
    );
    assert!(!smith.text.contains("2F printer"), "not in group 3F");
    let gina = smtp
        .wait_for("gina@example.com", Duration::from_secs(20))
        .await;
    assert_eq!(
        gina.subject,
        "[Customer Portal] Not reporting: Globex copier"
    );
    assert!(!gina.text.contains("3F copier"), "{}", gina.text);

    // Once per stop: nothing more while they stay silent; a user who chooses it now is not
    // told of stops that are old news.
    user(
        app,
        &acme,
        "kato",
        Some("kato@example.com"),
        "en",
        Scope::AllDevices,
    )
    .await;
    assert_eq!(round_at(T0 + 49 * HOUR).await.unwrap(), Round::default());
    assert_eq!(round_at(T0 + 60 * HOUR).await.unwrap(), Round::default());

    // A reports again, then stops again: a new stop. B's stop goes on, told already.
    f.at(T0 + 50 * HOUR);
    f.reading("MFP-A", T0 + 50 * HOUR, 110).await;
    assert_eq!(round_at(T0 + 51 * HOUR).await.unwrap(), Round::default());
    let r = round_at(T0 + 98 * HOUR + MIN).await.unwrap();
    assert_eq!(
        r,
        Round {
            mails: 3,
            without_address: 1,
            ..Round::default()
        },
        "sato, smith and kato"
    );
    let again = smtp
        .wait_for("sato@example.com", Duration::from_secs(20))
        .await;
    assert_eq!(again.subject, "【Customer Portal】報告途絶: 3F copier");
    assert!(
        again.text.contains("2021/12/03 11:00 (Asia/Tokyo)"),
        "{}",
        again.text
    );
    assert!(!again.text.contains("2F printer"), "{}", again.text);
    let kato = smtp
        .wait_for("kato@example.com", Duration::from_secs(20))
        .await;
    assert_eq!(kato.subject, "[Customer Portal] Not reporting: 3F copier");
    smtp.wait_for("smith@example.com", Duration::from_secs(20))
        .await;

    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(smtp.received().len(), 6, "{:?}", smtp.received());
    assert!(smtp.received_for("wendy@example.com").is_empty());
    let _ = b;
}

#[tokio::test]
async fn the_notification_screen_offers_a_fourth_choice_for_devices_that_stop_reporting() {
    let f = Fleet::new(TestApp::spawn().await).await;
    let group = f
        .app
        .store
        .create_group(f.tenant.id, "HQ", &[], T0)
        .await
        .unwrap()
        .id;
    let html = f.page("/settings/notifications").await;
    assert_eq!(texts(&html, "#event-late legend"), ["Not reporting"]);
    let page = f
        .web
        .submit(
            "/settings/notifications",
            "/settings/notifications",
            &[
                ("service_call_scope", "off"),
                ("error_scope", "off"),
                ("warning_scope", "off"),
                ("late_scope", "groups"),
                ("late_group", &group.to_string()),
            ],
            303,
        )
        .await;
    assert_eq!(
        page.location.as_deref(),
        Some("/settings/notifications?saved=1")
    );
    let me = f
        .app
        .store
        .user_by_username_any_tenant("yamada")
        .await
        .unwrap()
        .unwrap();
    let saved = f
        .app
        .store
        .notification_settings(f.tenant.id, me.id)
        .await
        .unwrap();
    assert_eq!(saved.late, Scope::Groups(vec![group]));
    assert_eq!(saved.service_call, Scope::Off);
    let shown = f.page("/settings/notifications").await;
    assert!(shown.contains("name=\"late_scope\" value=\"groups\" checked"));
    let refused = f
        .web
        .submit(
            "/settings/notifications",
            "/settings/notifications",
            &[
                ("service_call_scope", "off"),
                ("error_scope", "off"),
                ("warning_scope", "off"),
                ("late_scope", "groups"),
            ],
            422,
        )
        .await;
    assert!(
        refused.html.contains("id=\"error-late\""),
        "{}",
        refused.html
    );
}

#[tokio::test]
async fn the_welcome_screen_counts_the_fleet_and_each_figure_opens_its_list() {
    let f = Fleet::new(TestApp::spawn().await).await;
    let quiet = f.device("SN-Q", "Quiet copier").await;
    let jammed = f.device("SN-J", "Jammed copier").await;
    f.device("SN-N", "New copier").await;
    let low = f.device("SN-L", "Low copier").await;
    let full = f.device("SN-F", "Full copier").await;
    f.at(T0);
    f.reading("SN-Q", T0, 1).await;
    f.at(T0 + 24 * HOUR);
    f.status(
        "SN-J",
        T0 + 24 * HOUR,
        json!([{"code": "J-1", "severity": "error", "message": "Paper jam"}]),
        &[],
    )
    .await;
    f.status(
        "SN-L",
        T0 + 24 * HOUR,
        json!([]),
        &[("Black", 5), ("Cyan", 0), ("Magenta", 60)],
    )
    .await;
    f.status("SN-F", T0 + 24 * HOUR, json!([]), &[("Black", 80)])
        .await;
    f.at(T0 + 48 * HOUR + MIN);

    let html = f.page("/welcome").await;
    let figure = |kind: &str| {
        (
            texts(&html, &format!("#fig-{kind} .fig-count")).join(""),
            attrs(&html, &format!("#fig-{kind}"), "href").join(""),
        )
    };
    assert_eq!(
        figure("service_call"),
        ("0".into(), "/devices?status=service_call".into())
    );
    assert_eq!(
        figure("error"),
        ("1".into(), "/devices?status=error".into())
    );
    assert_eq!(
        figure("late"),
        ("1".into(), "/devices?reporting=late".into())
    );
    assert_eq!(
        figure("unknown"),
        ("1".into(), "/devices?status=unknown".into())
    );
    assert_eq!(
        figure("normal"),
        ("3".into(), "/devices?status=normal".into())
    );
    assert_eq!(figure("low"), ("2".into(), "/supplies?supply=low".into()));
    assert_eq!(
        figure("empty"),
        ("1".into(), "/supplies?supply=empty".into())
    );
    assert_eq!(
        texts(&html, "#fig-low .fig-detail"),
        ["on 1 devices"],
        "both low supplies on one device"
    );
    assert_eq!(
        texts(&html, "#fleet-summary .fleet-total"),
        ["5 devices in all"]
    );
    assert_eq!(
        attrs(&html, "#fig-error.attention", "id"),
        ["fig-error"],
        "a figure that needs attention says so"
    );
    assert!(attrs(&html, "#fig-service_call.attention", "id").is_empty());

    // Each figure opens the list it counts.
    assert_eq!(row_ids(&f.page("/devices?status=error").await), [jammed]);
    assert_eq!(row_ids(&f.page("/devices?reporting=late").await), [quiet]);
    let low_list = f.page("/supplies?supply=low").await;
    assert_eq!(row_ids(&low_list), [low]);
    assert!(low_list.contains("id=\"supply-filter\""), "{low_list}");
    assert!(!low_list.contains("id=\"silent-devices\""));
    assert_eq!(row_ids(&f.page("/supplies?supply=empty").await), [low]);
    assert_eq!(row_ids(&f.page("/supplies").await), [low, full]);

    // In Japanese too.
    f.app
        .store
        .create_user(
            f.tenant.id,
            "sato",
            &hash_password(PASSWORD),
            None,
            "ja",
            T0,
        )
        .await
        .unwrap();
    let ja = Browser::on(&f.app);
    ja.login("sato", PASSWORD).await;
    let html = ja.get_ok("/welcome").await.html;
    assert_eq!(texts(&html, "#fig-late .fig-label"), ["報告途絶"]);
    assert_eq!(texts(&html, "#h-fleet"), ["デバイスの状況"]);
    assert_eq!(texts(&html, "#fig-empty .fig-label"), ["残量なしの消耗品"]);
}

/// The same screens in a real browser: the welcome figures lead to the device list of the
/// devices not reporting, sorted by their last report, and to a device's page. Screenshots in
/// `artifacts/screenshots/`.
#[tokio::test]
async fn in_a_browser_the_welcome_figures_lead_to_the_devices_not_reporting() {
    use crate::harness::chromium::{Browser as Chromium, DESKTOP, PHONE};
    let f = Fleet::new(TestApp::spawn().await).await;
    let a = f.device("SN-A", "本社 3F 複合機").await;
    f.device("SN-B", "営業 複合機").await;
    f.device("SN-C", "経理 プリンター").await;
    f.app
        .store
        .create_user(
            f.tenant.id,
            "sato",
            &hash_password(PASSWORD),
            None,
            "ja",
            T0,
        )
        .await
        .unwrap();
    f.at(T0);
    f.reading("SN-A", T0, 1).await;
    f.at(T0 + 40 * HOUR);
    f.status(
        "SN-B",
        T0 + 40 * HOUR,
        json!([{"code": "W-1", "severity": "warning", "message": "Toner low"}]),
        &[("Black", 4), ("Cyan", 0)],
    )
    .await;
    f.at(T0 + 50 * HOUR);

    let mut b = Chromium::start("reporting", &f.app.base).await;
    b.goto("/login").await;
    b.type_into("#username", "sato").await;
    b.type_into("#password", PASSWORD).await;
    b.click_and_wait("#login button[type=submit]").await;
    assert_eq!(b.path().await, "/welcome");
    assert_eq!(b.text("#fig-late .fig-count").await, "1");
    b.screenshot("welcome").await;
    b.viewport(PHONE).await;
    b.screenshot("welcome-phone").await;
    b.viewport(DESKTOP).await;

    b.click_and_wait("#fig-late").await;
    assert!(b.path().await.contains("reporting=late"));
    let rows = b.texts("#device-list tbody tr").await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].contains("報告途絶"), "{rows:?}");
    b.click_and_wait("#late-chip").await;
    b.goto("/devices").await;
    // The last report's heading sorts the devices not reporting first.
    let heading = "#device-list thead a[href*='sort=last_report']";
    b.click_and_wait(heading).await;
    let first = b
        .js("return document.querySelector('#device-list tbody tr').dataset.deviceId;")
        .await;
    assert_eq!(first, json!(a.to_string()));
    b.screenshot("list-by-last-report").await;
    b.click_and_wait(&format!("#device-list tr[data-device-id='{a}'] td.name a"))
        .await;
    assert!(b.text("#not-reporting").await.contains("報告がありません"));
    b.screenshot("device").await;
    b.goto("/settings/notifications").await;
    b.find("#event-late").await;
    b.screenshot("notifications").await;
    b.close().await;
}
