//! Status notifications (SPEC S23) for real: status reports through the ingest API open and
//! close conditions, the test moves the clock and runs the notifier's rounds, and the mails
//! the portal sends are read back from a real SMTP server.

use std::time::Duration;

use meterport_portal::service::notify::{Round, round};
use meterport_store::notifications::{NotificationSettings, Scope};
use meterport_store::tenants::Tenant;
use meterport_store::users::hash_password;
use serde_json::{Value, json};

use crate::harness::smtp::{ReceivedMail, SmtpServer};
use crate::harness::web::texts;
use crate::harness::{T0, TestApp, mfp};

const MIN: i64 = 60_000;

struct Fleet {
    app: TestApp,
    smtp: SmtpServer,
    acme: Tenant,
    ingest: String,
    /// Device ids: MFP-A (group "3F"), MFP-B (no group).
    a: i64,
    b: i64,
}

impl Fleet {
    async fn user(
        &self,
        tenant: &Tenant,
        name: &str,
        email: Option<&str>,
        lang: &str,
        s: NotificationSettings,
    ) -> i64 {
        let user = self
            .app
            .store
            .create_user(
                tenant.id,
                name,
                &hash_password("secret123"),
                email,
                lang,
                T0,
            )
            .await
            .unwrap();
        self.app
            .store
            .set_notification_settings(tenant.id, user.id, &s, T0)
            .await
            .unwrap();
        user.id
    }

    /// A status report of `serial` at `T0 + minutes` with these supplies `(name, level)`.
    async fn supplies(&self, serial: &str, minutes: i64, supplies: &[(&str, i64)]) {
        self.app.clock.set(T0 + minutes * MIN);
        let at = jiff::Timestamp::from_millisecond(T0 + minutes * MIN).unwrap();
        let supplies: Vec<Value> = supplies
            .iter()
            .map(|(name, level)| {
                json!({"name": name, "kind": "toner", "color": "black", "level_percent": level})
            })
            .collect();
        let body =
            json!({"serial": serial, "at": at.to_string(), "conditions": [], "supplies": supplies});
        let (status, answer) = self
            .app
            .post("/api/v1/ingest/status", &self.ingest, &body)
            .await;
        assert_eq!(status, 200, "{answer}");
    }

    /// A status report of `serial` at `T0 + minutes`, with these `(code, severity)` open.
    async fn report(&self, serial: &str, minutes: i64, open: &[(&str, &str)]) {
        // The report is taken now: the clock moves with it.
        self.app.clock.set(T0 + minutes * MIN);
        let at = jiff::Timestamp::from_millisecond(T0 + minutes * MIN).unwrap();
        let conditions: Vec<Value> = open
            .iter()
            .map(|(code, severity)| {
                json!({"code": code, "severity": severity, "message": format!("{code} on {serial}")})
            })
            .collect();
        let body = json!({"serial": serial, "at": at.to_string(), "conditions": conditions});
        let (status, answer) = self
            .app
            .post("/api/v1/ingest/status", &self.ingest, &body)
            .await;
        assert_eq!(status, 200, "{answer}");
    }

    /// A notifier round at `T0 + minutes`.
    async fn round_at(&self, minutes: i64) -> Round {
        self.app.clock.set(T0 + minutes * MIN);
        round(&self.app.services, &self.app.base, T0 + minutes * MIN)
            .await
            .unwrap()
    }

    async fn mail_to(&self, to: &str) -> ReceivedMail {
        self.smtp.wait_for(to, Duration::from_secs(20)).await
    }
}

fn all(event_scope: Scope) -> NotificationSettings {
    NotificationSettings {
        service_call: event_scope,
        ..NotificationSettings::default()
    }
}

async fn fleet() -> Fleet {
    let smtp = SmtpServer::start();
    let app = TestApp::spawn_with_mail(&smtp.url()).await;
    let acme = app.tenant("acme", "Asia/Tokyo").await;
    let mut a = mfp("MFP-A", "3F copier");
    a["location"] = "3F east".into();
    let a = app.device(&acme, a).await;
    let b = app.device(&acme, mfp("MFP-B", "2F printer")).await;
    app.store
        .create_group(acme.id, "3F", &[a], T0)
        .await
        .unwrap();
    let ingest = app.ingest_token(&acme).await;
    Fleet {
        app,
        smtp,
        acme,
        ingest,
        a,
        b,
    }
}

/// The group ids of the tenant by name.
async fn group_id(f: &Fleet, name: &str) -> i64 {
    f.app
        .store
        .list_groups(f.acme.id)
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.name == name)
        .unwrap()
        .id
}

#[tokio::test]
async fn a_condition_is_mailed_once_after_the_hold_down_to_the_users_who_chose_it() {
    let f = fleet().await;
    let floor3 = group_id(&f, "3F").await;
    let acme = f.acme.clone();
    // Sato: service calls of all devices, errors of group 3F; in Japanese.
    f.user(
        &acme,
        "sato",
        Some("sato@example.com"),
        "ja",
        NotificationSettings {
            service_call: Scope::AllDevices,
            error: Scope::Groups(vec![floor3]),
            ..NotificationSettings::default()
        },
    )
    .await;
    // Smith: warnings of all devices; in English.
    f.user(
        &acme,
        "smith",
        Some("smith@example.com"),
        "en",
        NotificationSettings {
            warning: Scope::AllDevices,
            ..NotificationSettings::default()
        },
    )
    .await;
    // Chose service calls but has no confirmed address: skipped and counted.
    f.user(&acme, "nomail", None, "en", all(Scope::AllDevices))
        .await;
    // Another tenant's user who wants everything hears nothing of acme.
    let globex = f.app.tenant("globex", "Asia/Tokyo").await;
    f.user(
        &globex,
        "gina",
        Some("gina@example.com"),
        "en",
        all(Scope::AllDevices),
    )
    .await;

    f.report("MFP-A", 0, &[("SC-542", "service_call")]).await;
    f.report("MFP-B", 1, &[("E-JAM", "error"), ("W-TONER", "warning")])
        .await;
    // A jam on MFP-A that is cleared within the hold-down.
    f.report(
        "MFP-A",
        2,
        &[("SC-542", "service_call"), ("J-101", "error")],
    )
    .await;
    f.report("MFP-A", 3, &[("SC-542", "service_call")]).await;

    assert_eq!(
        f.round_at(4).await,
        Round::default(),
        "the hold-down has not passed"
    );
    let r = f.round_at(5).await;
    assert_eq!(
        r,
        Round {
            mails: 2,
            sent: 3,
            dropped: 1,
            without_address: 1,
            ..Round::default()
        }
    );
    let sato = f.mail_to("sato@example.com").await;
    assert_eq!(sato.subject, "【Customer Portal】サービスコール: 3F copier");
    assert!(
        sato.text
            .contains("サービスコール: SC-542 on MFP-A（コード SC-542）"),
        "{}",
        sato.text
    );
    assert!(
        sato.text
            .contains("発生日時: 2021/12/01 09:00 (Asia/Tokyo)"),
        "{}",
        sato.text
    );
    assert!(sato.text.contains("設置場所: 3F east"), "{}", sato.text);
    assert!(sato.text.contains("グループ: 3F"), "{}", sato.text);
    assert!(
        sato.text
            .contains(&format!("{}/devices/{}", f.app.base, f.a)),
        "{}",
        sato.text
    );
    // Not the jam that cleared, not MFP-B's error (not in group 3F), not the warning.
    for absent in ["J-101", "E-JAM", "W-TONER"] {
        assert!(!sato.text.contains(absent), "{absent}: {}", sato.text);
    }
    let html = scraper::Html::parse_document(&sato.html);
    let link = scraper::Selector::parse("a").unwrap();
    let hrefs: Vec<&str> = html
        .select(&link)
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(
        hrefs.contains(&format!("{}/devices/{}", f.app.base, f.a).as_str()),
        "{hrefs:?}"
    );

    let smith = f.mail_to("smith@example.com").await;
    assert_eq!(smith.subject, "[Customer Portal] Warning: 2F printer");
    assert!(
        smith
            .text
            .contains("Warning: W-TONER on MFP-B (code W-TONER)"),
        "{}",
        smith.text
    );
    assert!(
        smith.text.contains(&format!("/devices/{}", f.b)),
        "{}",
        smith.text
    );

    // Once per condition while it lasts.
    assert_eq!(f.round_at(30).await, Round::default());
    f.report("MFP-A", 31, &[("SC-542", "service_call")]).await;
    assert_eq!(f.round_at(40).await, Round::default());
    // Closed, then open again later: new.
    f.report("MFP-A", 50, &[]).await;
    f.report("MFP-A", 60, &[("SC-542", "service_call")]).await;
    let r = f.round_at(65).await;
    assert_eq!((r.mails, r.sent), (1, 1), "{r:?}");
    let again = f.mail_to("sato@example.com").await;
    assert!(
        again.text.contains("2021/12/01 10:00 (Asia/Tokyo)"),
        "{}",
        again.text
    );

    tokio::time::sleep(Duration::from_millis(500)).await;
    let to: Vec<Vec<String>> = f.smtp.received().into_iter().map(|m| m.to).collect();
    assert_eq!(to.len(), 3, "{to:?}");
    assert!(f.smtp.received_for("gina@example.com").is_empty());
}

#[tokio::test]
async fn conditions_of_several_devices_within_one_hold_down_reach_a_user_in_one_mail() {
    let f = fleet().await;
    let acme = f.acme.clone();
    f.user(
        &acme,
        "sato",
        Some("sato@example.com"),
        "en",
        all(Scope::AllDevices),
    )
    .await;
    f.report("MFP-A", 0, &[("SC-1", "service_call")]).await;
    f.report("MFP-B", 4, &[("SC-2", "service_call")]).await;
    let r = f.round_at(5).await;
    assert_eq!((r.mails, r.sent), (1, 2), "{r:?}");
    let mail = f.mail_to("sato@example.com").await;
    assert_eq!(
        mail.subject,
        "[Customer Portal] 2 device conditions need attention"
    );
    let titles: Vec<String> = texts(&mail.html, ".item-title");
    assert_eq!(titles, ["3F copier", "2F printer"], "{}", mail.html);

    // The tenant's hold-down is the operator's: at 0 minutes a condition goes at once.
    let (ok, out, err) = crate::harness::admin(
        &f.app.db.url,
        &[
            "--json",
            "tenant",
            "set-notifications",
            "--tenant",
            &f.acme.id.to_string(),
            "--holddown-minutes",
            "0",
        ],
        "",
    );
    assert!(ok, "{err}");
    let tenant: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        tenant["notifications"],
        json!({"holddown_minutes": 0, "toner_digest_hour": 9, "late_after_hours": 48})
    );
    let (ok, _, err) = crate::harness::admin(
        &f.app.db.url,
        &[
            "tenant",
            "set-notifications",
            "--tenant",
            &f.acme.id.to_string(),
            "--toner-digest-hour",
            "24",
        ],
        "",
    );
    assert!(!ok);
    assert!(
        err.contains("toner_digest_hour: must be a whole number from 0 to 23"),
        "{err}"
    );
    f.report(
        "MFP-B",
        10,
        &[("SC-2", "service_call"), ("SC-3", "service_call")],
    )
    .await;
    let r = f.round_at(10).await;
    assert_eq!((r.mails, r.sent), (1, 1), "{r:?}");
}

#[tokio::test]
async fn toner_administrators_get_a_daily_digest_of_low_supplies_and_empty_ones_at_once() {
    let f = fleet().await;
    let acme = f.acme.clone();
    // Nobody asked yet: low supplies are mailed to nobody.
    let tanaka = f
        .user(
            &acme,
            "tanaka",
            Some("tanaka@example.com"),
            "en",
            NotificationSettings::default(),
        )
        .await;
    f.app
        .store
        .set_device_settings(acme.id, f.a, None, Some(tanaka))
        .await
        .unwrap();
    // Three weeks of falling black toner: enough history for a forecast (B1).
    f.supplies(
        "MFP-A",
        -20 * 24 * 60,
        &[("Black Toner", 90), ("Waste Toner", 60)],
    )
    .await;
    f.supplies(
        "MFP-A",
        -10 * 24 * 60,
        &[("Black Toner", 70), ("Waste Toner", 60)],
    )
    .await;
    f.supplies("MFP-A", 0, &[("Black Toner", 50), ("Waste Toner", 60)])
        .await;
    f.supplies("MFP-B", 0, &[("Black Toner", 5)]).await;
    assert_eq!(f.round_at(1).await.supply_mails, 0);
    // Sato chooses "tell the toner/ink administrators" (any user's choice counts).
    f.user(
        &acme,
        "sato",
        Some("sato@example.com"),
        "ja",
        NotificationSettings {
            tell_toner_admins: true,
            ..NotificationSettings::default()
        },
    )
    .await;
    // T0 is 09:00 in Tokyo, the default digest hour: a supply that goes low now waits for
    // tomorrow's digest.
    f.supplies("MFP-A", 60, &[("Black Toner", 8), ("Waste Toner", 60)])
        .await;
    assert_eq!(
        f.round_at(61).await.supply_mails,
        0,
        "low: wait for the digest"
    );
    f.supplies("MFP-A", 120, &[("Black Toner", 7), ("Waste Toner", 9)])
        .await;
    assert_eq!(f.round_at(121).await.supply_mails, 0);
    let r = f.round_at(24 * 60).await;
    assert_eq!((r.supply_mails, r.supplies), (1, 2), "{r:?}");
    let digest = f.mail_to("tanaka@example.com").await;
    assert_eq!(
        digest.subject,
        "[Customer Portal] Toner/ink running low: 3F copier"
    );
    assert!(
        digest.text.contains("Black Toner: 7% left (low)"),
        "{}",
        digest.text
    );
    assert!(
        digest.text.contains("Waste Toner: 9% left (low)"),
        "{}",
        digest.text
    );
    // The black toner's history tells when it runs out; the waste toner's does not yet.
    assert_eq!(
        digest
            .text
            .matches("Expected to run out around 2021/12/")
            .count(),
        1,
        "{}",
        digest.text
    );
    // MFP-B has no toner administrator: nobody is told of it.
    assert!(!digest.text.contains("2F printer"), "{}", digest.text);
    // Once per supply until it is replaced.
    f.supplies("MFP-A", 25 * 60, &[("Black Toner", 6), ("Waste Toner", 9)])
        .await;
    assert_eq!(f.round_at(48 * 60).await.supply_mails, 0);
    // Empty goes at once; a replaced supply (level up) is news again when it runs low.
    f.supplies(
        "MFP-A",
        49 * 60,
        &[("Black Toner", 100), ("Waste Toner", 0)],
    )
    .await;
    let r = f.round_at(49 * 60 + 1).await;
    assert_eq!(
        (r.supply_mails, r.supplies),
        (0, 0),
        "the waste toner was already reported"
    );
    f.supplies("MFP-A", 50 * 60, &[("Black Toner", 0), ("Waste Toner", 0)])
        .await;
    let r = f.round_at(50 * 60 + 1).await;
    assert_eq!((r.supply_mails, r.supplies), (1, 1), "{r:?}");
    let empty = f.mail_to("tanaka@example.com").await;
    assert_eq!(
        empty.subject,
        "[Customer Portal] Toner/ink empty: 3F copier"
    );
    assert!(empty.text.contains("Black Toner: empty"), "{}", empty.text);
    assert!(f.smtp.received_for("sato@example.com").is_empty());
}
