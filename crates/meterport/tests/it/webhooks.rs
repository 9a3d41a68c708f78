//! Webhooks (SPEC B4) for real: an operator registers a receiver with `meterport admin`,
//! status reports open and close conditions through the ingest API, and a local HTTP
//! receiver gets signed JSON POSTs, again after it failed once.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use meterport_portal::service::webhooks::{deliver_due, signature};
use serde_json::{Value, json};

use crate::harness::{T0, TestApp, admin, mfp};

/// What the receiver got: headers and body of each POST.
#[derive(Default)]
struct Received {
    posts: Mutex<Vec<(HeaderMap, Vec<u8>)>>,
    /// Answer 500 to this many POSTs first.
    fail_first: Mutex<usize>,
}

/// A webhook receiver on 127.0.0.1; its URL.
async fn receiver(received: Arc<Received>) -> String {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
            let received = received.clone();
            async move {
                received
                    .posts
                    .lock()
                    .unwrap()
                    .push((headers, body.to_vec()));
                let mut fail = received.fail_first.lock().unwrap();
                if *fail > 0 {
                    *fail -= 1;
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    format!("http://{addr}/hook")
}

#[tokio::test]
async fn conditions_opened_and_closed_reach_the_receiver_signed_and_retried() {
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme", "Asia/Tokyo").await;
    let device = app.device(&tenant, mfp("MFP-1", "3F copier")).await;
    let other = app.tenant("globex", "Asia/Tokyo").await;
    app.device(&other, mfp("G-1", "Globex copier")).await;
    let ingest = app.ingest_token(&tenant).await;
    let other_ingest = app.ingest_token(&other).await;
    let received = Arc::new(Received::default());
    *received.fail_first.lock().unwrap() = 1;
    let url = receiver(received.clone()).await;

    // An address outside this machine must be https.
    let (ok, _, err) = admin(
        &app.db.url,
        &[
            "webhook",
            "create",
            "--tenant",
            &tenant.id.to_string(),
            "--url",
            "http://hooks.example.com/x",
        ],
        "",
    );
    assert!(!ok);
    assert!(err.contains("url:"), "{err}");
    let (ok, out, err) = admin(
        &app.db.url,
        &[
            "webhook",
            "create",
            "--tenant",
            &tenant.id.to_string(),
            "--url",
            &url,
        ],
        "",
    );
    assert!(ok, "{err}");
    let secret = out
        .lines()
        .find_map(|l| l.strip_prefix("secret: "))
        .expect("the secret is printed")
        .to_string();
    assert_eq!(secret.len(), 64);

    let status = |serial: &str, minutes: i64, open: bool| {
        let at = jiff::Timestamp::from_millisecond(T0 - 60 * 60_000 + minutes * 60_000).unwrap();
        let conditions = if open {
            json!([{"code": "SC-542", "severity": "service_call", "message": "Fuser unit"}])
        } else {
            json!([])
        };
        json!({"serial": serial, "at": at.to_string(), "conditions": conditions})
    };
    for body in [status("MFP-1", 0, true), status("MFP-1", 10, false)] {
        let (code, answer) = app.post("/api/v1/ingest/status", &ingest, &body).await;
        assert_eq!(code, 200, "{answer}");
    }
    // Another tenant's device: its events are not this receiver's.
    let (code, _) = app
        .post(
            "/api/v1/ingest/status",
            &other_ingest,
            &status("G-1", 0, true),
        )
        .await;
    assert_eq!(code, 200);

    let client = reqwest::Client::new();
    assert_eq!(deliver_due(&app.services, &client, T0).await.unwrap(), 2);
    // The first POST failed (500): tried again after the backoff, not before.
    assert_eq!(
        deliver_due(&app.services, &client, T0 + 5_000)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        deliver_due(&app.services, &client, T0 + 10_000)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        deliver_due(&app.services, &client, T0 + 3_600_000)
            .await
            .unwrap(),
        0
    );

    let posts = received.posts.lock().unwrap().clone();
    assert_eq!(posts.len(), 3);
    let mut events = Vec::new();
    for (headers, body) in &posts {
        let expected = signature(&secret, body);
        assert_eq!(headers["x-meterport-signature"].to_str().unwrap(), expected);
        let json: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(
            headers["x-meterport-event"].to_str().unwrap(),
            json["event"]
        );
        events.push(json);
    }
    // The failed one came again, the same event.
    assert_eq!(events[0], events[2]);
    let opened = events
        .iter()
        .find(|e| e["event"] == "condition.opened")
        .unwrap();
    assert_eq!(
        opened,
        &json!({
            "id": opened["id"],
            "event": "condition.opened",
            "at": "2021-11-30T23:00:00Z",
            "tenant_id": tenant.id,
            "device": {"id": device, "serial": "MFP-1", "name": "3F copier"},
            "condition": {"code": "SC-542", "severity": "service_call", "message": "Fuser unit"},
        })
    );
    let closed = events
        .iter()
        .find(|e| e["event"] == "condition.closed")
        .unwrap();
    assert_eq!(closed["at"], "2021-11-30T23:10:00Z");
    assert!(
        !posts
            .iter()
            .any(|(_, b)| String::from_utf8_lossy(b).contains("G-1"))
    );

    // Revoked: nothing more is sent.
    let (ok, out, _) = admin(
        &app.db.url,
        &["webhook", "list", "--tenant", &tenant.id.to_string()],
        "",
    );
    assert!(ok);
    let id = out.split('\t').next().unwrap().to_string();
    let (ok, _, err) = admin(
        &app.db.url,
        &["webhook", "revoke", "--tenant", &tenant.id.to_string(), &id],
        "",
    );
    assert!(ok, "{err}");
    let (code, _) = app
        .post("/api/v1/ingest/status", &ingest, &status("MFP-1", 20, true))
        .await;
    assert_eq!(code, 200);
    assert_eq!(
        deliver_due(&app.services, &client, T0 + 7_200_000)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn a_device_that_stops_and_resumes_reporting_is_posted_both_times() {
    use meterport_portal::service::notify::round;
    let app = TestApp::spawn().await;
    let tenant = app.tenant("acme", "Asia/Tokyo").await;
    let device = app.device(&tenant, mfp("MFP-1", "3F copier")).await;
    let ingest = app.ingest_token(&tenant).await;
    let received = Arc::new(Received::default());
    let url = receiver(received.clone()).await;
    let (ok, _, err) = admin(
        &app.db.url,
        &[
            "webhook",
            "create",
            "--tenant",
            &tenant.id.to_string(),
            "--url",
            &url,
        ],
        "",
    );
    assert!(ok, "{err}");
    let hour = 3_600_000;
    let report = |at: i64| {
        let at = jiff::Timestamp::from_millisecond(at).unwrap();
        json!({"serial": "MFP-1", "at": at.to_string(), "conditions": []})
    };
    let (code, _) = app
        .post("/api/v1/ingest/status", &ingest, &report(T0))
        .await;
    assert_eq!(code, 200);
    let client = reqwest::Client::new();

    // Silent for longer than the tenant's 48 hours.
    app.clock.set(T0 + 49 * hour);
    round(&app.services, &app.base, T0 + 49 * hour)
        .await
        .unwrap();
    assert_eq!(
        deliver_due(&app.services, &client, T0 + 49 * hour)
            .await
            .unwrap(),
        1
    );
    // Heard from again.
    app.clock.set(T0 + 50 * hour);
    let (code, _) = app
        .post("/api/v1/ingest/status", &ingest, &report(T0 + 50 * hour))
        .await;
    assert_eq!(code, 200);
    round(&app.services, &app.base, T0 + 50 * hour)
        .await
        .unwrap();
    round(&app.services, &app.base, T0 + 51 * hour)
        .await
        .unwrap();
    assert_eq!(
        deliver_due(&app.services, &client, T0 + 51 * hour)
            .await
            .unwrap(),
        1
    );

    let posts = received.posts.lock().unwrap().clone();
    let events: Vec<Value> = posts
        .iter()
        .map(|(_, b)| serde_json::from_slice(b).unwrap())
        .collect();
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0]["event"], "device.stopped_reporting");
    assert_eq!(events[0]["device"]["id"], device);
    assert_eq!(events[0]["condition"], Value::Null);
    assert_eq!(events[1]["event"], "device.resumed_reporting");
    assert_eq!(events[1]["at"], "2021-12-03T02:00:00Z");
}
